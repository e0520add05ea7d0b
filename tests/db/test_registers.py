"""Tests of register CRUD, template reading and frames on SQLite and PostgreSQL.

The `engine` fixture of tests/conftest.py runs each test on both backends.
"""

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from analysis.indicators import INDICATORS
from db.errors import DataError
from db.registers import (
    INDICATOR_KEYS,
    RegisterValidationError,
    add_rows,
    default_school_id,
    delete_rows,
    get_or_create_school,
    import_register_table,
    parse_register_table,
    register_frame,
    save_edited_frame,
    set_target,
    update_row,
)


@pytest.fixture
def school_id(engine):
    with Session(engine) as session:
        school_id = get_or_create_school(session, "Демонстрационная школа")
        session.commit()
    return school_id


def test_indicator_keys_match_analysis():
    assert INDICATOR_KEYS == INDICATORS


def test_get_or_create_school_reuses_row(engine, school_id):
    with Session(engine) as session:
        assert get_or_create_school(session, "Демонстрационная школа") == school_id
        assert default_school_id(session) == school_id


def test_parse_resources_russian_headers():
    table = pd.DataFrame(
        {
            "База": ["Внутренняя", "external"],
            "Название": ["Памятка по Сферуму", "Портал"],
            "Дата добавления": ["05.10.2024", "2024-11-01"],
            "Лишний столбец": ["x", "y"],
        }
    )
    rows = parse_register_table("resources", table)
    assert rows[0] == {
        "base": "internal",
        "title": "Памятка по Сферуму",
        "added_on": dt.date(2024, 10, 5),
    }
    assert rows[1]["base"] == "external"


def test_parse_collects_every_bad_cell():
    table = pd.DataFrame(
        {
            "Название": ["Положение о наставничестве", ""],
            "Вид": ["нормативный", "приказ"],
            "Обязательный": ["да", "нет"],
            "Статус": ["Утверждён", "проект"],
        }
    )
    with pytest.raises(RegisterValidationError) as caught:
        parse_register_table("documents", table)
    messages = caught.value.messages
    assert len(messages) == 2
    assert messages[0] == "Документы, строка 3, «Название»: значение обязательно, ячейка пустая."
    assert messages[1].startswith("Документы, строка 3, «Вид»: значение 'приказ' не распознано")


def test_parse_missing_required_column():
    with pytest.raises(RegisterValidationError, match="нет обязательных столбцов: Окончание"):
        parse_register_table(
            "roadmap",
            pd.DataFrame({"№": [1], "Мероприятие": ["x"], "Начало": ["01.09.2024"],
                          "Статус": ["выполнен"]}),
        )  # fmt: skip


def test_add_and_read_frame(engine, school_id):
    with Session(engine) as session:
        added = add_rows(
            session,
            "documents",
            school_id,
            [
                {"title": "Положение", "kind": "normative", "required": True,
                 "status": "approved", "dated_on": dt.date(2024, 9, 20)},
                {"title": "Методичка", "kind": "methodological", "required": False,
                 "status": "draft"},
            ],
        )  # fmt: skip
        session.commit()
    assert added == 2
    frame = register_frame(engine, "documents", school_id)
    assert list(frame.columns) == ["id", "title", "kind", "required", "status", "dated_on", "url"]
    assert frame.loc[0, "dated_on"] == pd.Timestamp("2024-09-20")
    assert frame["required"].tolist() == [True, False]


def test_add_rejects_invalid_choice(engine, school_id):
    with Session(engine) as session, pytest.raises(RegisterValidationError) as caught:
        add_rows(session, "resources", school_id,
                 [{"base": "shared", "title": "x", "added_on": dt.date(2024, 9, 1)}])  # fmt: skip
    assert caught.value.messages == [
        "Ресурсы, запись 1: «База» — недопустимое значение 'shared'."
    ]


def test_roadmap_end_before_start_rejected(engine, school_id):
    with Session(engine) as session, pytest.raises(RegisterValidationError, match="раньше"):
        add_rows(session, "roadmap", school_id, [{
            "number": 1, "title": "Группа", "starts_on": dt.date(2024, 9, 30),
            "ends_on": dt.date(2024, 9, 1), "status": "done",
        }])  # fmt: skip


def test_update_and_delete(engine, school_id):
    with Session(engine) as session:
        add_rows(session, "confirmations", school_id, [
            {"indicator": "platform", "confirmed_on": dt.date(2024, 12, 1),
             "evidence": "Платформа работает"},
        ])  # fmt: skip
        session.commit()
    row_id = int(register_frame(engine, "confirmations")["id"].iloc[0])
    with Session(engine) as session:
        update_row(session, "confirmations", row_id, {"evidence": "Приказ о запуске"})
        session.commit()
    assert register_frame(engine, "confirmations")["evidence"].tolist() == ["Приказ о запуске"]
    with Session(engine) as session:
        assert delete_rows(session, "confirmations", [row_id, 9999]) == 1
        session.commit()
    assert register_frame(engine, "confirmations").empty


def test_update_missing_row_raises(engine, school_id):
    with Session(engine) as session, pytest.raises(DataError, match="id 42 не найдена"):
        update_row(session, "resources", 42, {"title": "x"})


def test_save_edited_frame_diffs(engine, school_id):
    with Session(engine) as session:
        add_rows(session, "resources", school_id, [
            {"base": "internal", "title": "A", "added_on": dt.date(2024, 9, 1)},
            {"base": "internal", "title": "B", "added_on": dt.date(2024, 9, 2)},
        ])  # fmt: skip
        session.commit()
    frame = register_frame(engine, "resources", school_id)
    edited = frame.iloc[[0]].copy()
    edited.loc[edited.index[0], "title"] = "A2"
    new_row = {"id": None, "base": "external", "title": "C",
               "added_on": pd.Timestamp("2024-10-01")}  # fmt: skip
    edited = pd.concat([edited, pd.DataFrame([new_row])], ignore_index=True)
    with Session(engine) as session:
        counts = save_edited_frame(session, "resources", school_id, edited)
        session.commit()
    assert counts == {"added": 1, "updated": 1, "deleted": 1}
    after = register_frame(engine, "resources", school_id)
    assert after["title"].tolist() == ["A2", "C"]
    assert after["base"].tolist() == ["internal", "external"]


def test_save_edited_frame_writes_nothing_when_invalid(engine, school_id):
    with Session(engine) as session:
        add_rows(session, "resources", school_id,
                 [{"base": "internal", "title": "A", "added_on": dt.date(2024, 9, 1)}])
        session.commit()
    edited = register_frame(engine, "resources", school_id)
    edited.loc[0, "title"] = ""
    with Session(engine) as session, pytest.raises(RegisterValidationError):
        save_edited_frame(session, "resources", school_id, edited)
    assert register_frame(engine, "resources", school_id)["title"].tolist() == ["A"]


def test_set_target_upserts_and_removes(engine, school_id):
    with Session(engine) as session:
        set_target(session, school_id, "platform", "2024-12", 1)
        set_target(session, school_id, "platform", "2024-12", 0)
        set_target(session, school_id, "model_described", "01.10.2024", 1)
        session.commit()
    frame = register_frame(engine, "targets", school_id)
    assert frame[["indicator", "month", "target"]].values.tolist() == [
        ["platform", "2024-12", 0.0],
        ["model_described", "2024-10", 1.0],
    ]
    with Session(engine) as session:
        set_target(session, school_id, "platform", "2024-12", None)
        session.commit()
    assert len(register_frame(engine, "targets", school_id)) == 1


def test_set_target_unknown_indicator(engine, school_id):
    with Session(engine) as session, pytest.raises(DataError, match="Неизвестный показатель"):
        set_target(session, school_id, "happiness", "2024-12", 1)


def test_import_targets_by_label(engine, school_id):
    table = pd.DataFrame(
        {
            "Показатель": ["Наличие платформы", "registered_participants_cumulative"],
            "Месяц": ["2024-12", "2025-05"],
            "Целевое значение": ["1", "40,5"],
        }
    )
    with Session(engine) as session:
        assert import_register_table(session, "targets", school_id, table) == 2
        session.commit()
    frame = register_frame(engine, "targets", school_id)
    assert frame["target"].tolist() == [1.0, 40.5]
