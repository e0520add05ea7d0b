"""Every field-input file, imported as a user would: by `python -m db import` and on «Данные», on both databases.

Each case loads the same participants and questionnaire, imports one file of
tests/fixtures/field-inputs through one route and compares what the database
then contains with the values the field-inputs README gives for that file.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
import streamlit as st

from db.__main__ import main as db_main
from db.importing import import_file
from db.importing.scales import load_questionnaires
from tests.conftest import FIELD_INPUTS, PROJECT_ROOT
from tests.dashboard.apptest_helpers import open_page, page_text
from tests.db.import_helpers import PARTICIPANT_ROWS, PARTICIPANTS_HEADER, count, csv_bytes

QUESTIONNAIRE = PROJECT_ROOT / "tests" / "fixtures" / "field_inputs_questionnaire.json"
# The people of the field inputs: namesakes with different e-mails (f10), the two
# Google Forms respondents (f03) and the people of f12 («Педагог 01» … «Педагог 05»).
PEOPLE = csv_bytes(PARTICIPANTS_HEADER, [
    row.replace(";;03.09.2024", f";teacher0{row[3]}@school.example;03.09.2024") for row in PARTICIPANT_ROWS
] + [
    "T007;Орлова Вера Николаевна;наставник;Физика;21;teacher01@school.example;01.09.2024",
    "T008;Зайцев Илья Романович;наставляемый;История;3;teacher02@school.example;01.09.2024",
] + [f"P0{i};Педагог 0{i};наставляемый;;;;01.09.2024" for i in range(1, 6)])

ROLE = "Ваша роль в программе"
TOOLS = "Какие цифровые инструменты вы используете на уроках?"
HELPS = "Наставник помогает мне решать цифровые задачи"


def _answers(engine) -> list[tuple]:
    """(time, respondent code or None, question, answer, value, missing reason), in import order."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT s.answered_at, p.code, a.question, a.answer, a.value, a.missing_reason "
            "FROM answer a JOIN submission s ON s.id = a.submission_id "
            "LEFT JOIN participant p ON p.id = s.participant_id ORDER BY s.id, a.id")).all()
    return [(str(row[0])[:19], *row[1:]) for row in rows]


def _latest(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.code, s.answered_at, s.is_latest FROM submission s "
            "JOIN participant p ON p.id = s.participant_id ORDER BY p.code, s.answered_at")).all()
    return [(row[0], str(row[1])[:19], bool(row[2])) for row in rows]


def _scores(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.code, a.stage, a.score, a.assessed_on FROM assessment a "
            "JOIN participant p ON p.id = a.participant_id ORDER BY p.code, a.stage DESC")).all()
    return [(row[0], row[1], row[2], str(row[3])) for row in rows]


def _activities(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.code, a.occurred_on, a.occurred_at, a.kind, a.hours FROM activity a "
            "JOIN participant p ON p.id = a.participant_id ORDER BY a.occurred_on, a.id")).all()
    return [(row[0], str(row[1]), str(row[2])[:16] if row[2] else None, row[3], row[4]) for row in rows]


def check_f01(engine, report):
    assert (report["imported"], report["detected"]["encoding"], report["detected"]["delimiter"]) == (
        3, "cp1251", ";")
    assert _scores(engine) == [
        ("T001", "pre", 61.5, "2024-03-05"), ("T001", "post", 78.0, "2024-03-05"),
        ("T002", "pre", 70.0, "2024-03-15"), ("T002", "post", 72.5, "2024-03-15"),
        ("T003", "pre", 88.25, "2024-02-01"), ("T003", "post", 90.0, "2024-02-01")]


def check_f03(engine, report):
    assert report["detected"]["mapping"]["Отметка времени"] == "timestamp"
    assert _answers(engine) == [
        ("2024-09-12 10:15:03", "T007", ROLE, "Наставник", None, None),
        ("2024-09-12 10:15:03", "T007", "Стаж работы (лет)", "21", None, None),
        ("2024-09-12 11:40:19", "T008", ROLE, "Наставляемый", None, None),
        ("2024-09-12 11:40:19", "T008", "Стаж работы (лет)", "3", None, None)]


def check_f04(engine, report):
    assert report["imported"] == 4
    assert _answers(engine) == [
        ("2024-03-05 09:07:12", None, ROLE, "Наставник", None, None),
        ("2024-03-15 14:00:00", None, ROLE, "Наставляемый", None, None),
        ("2024-04-01 08:30:45", None, ROLE, "Наставляемый", None, None),
        ("2024-01-12 17:18:00", None, ROLE, "Наставник", None, None)]


def check_f05(engine, report):
    assert (report["imported"], report["skipped"]) == (4, 1)
    assert _activities(engine) == [
        ("T001", "2024-03-05", None, "meeting", 1.5),
        ("T001", "2024-03-05", "2024-03-05 23:30", "meeting", 1.0),
        ("T002", "2024-03-10", None, "open_lesson", 1.0),
        ("T003", "2024-03-12", None, "material", 0.5)]


def check_f06(engine, report):
    assert (report["imported"], report["skipped"]) == (3, 1)
    assert [(answer[0][11:], answer[3]) for answer in _answers(engine)] == [
        ("10:15:03", "Интерактивная доска, панель"), ("10:15:03", "Видеоконференции (Zoom, Сферум)"),
        ("10:20:11", "Электронный журнал"), ("10:20:11", "Тесты в Яндекс Формах"),
        ("10:31:50", "Видеоконференции (Zoom, Сферум)"), ("10:31:50", "Другое: сам пишу скрипты, на Python")]


def check_f07(engine, report):
    level, hard = "Оцените уровень владения", "Трудности [цифровые] при работе"
    assert [answer[2:] for answer in _answers(engine)] == [
        (f"{level} [Презентации]", "Высокий", 3.0, None),
        (f"{level} [Облачные документы]", "Средний", 2.0, None),
        (f"{hard} [Электронный журнал]", "Скорее согласен", 4.0, None),
        (f"{hard} [Онлайн-тесты]", "Полностью согласен", 5.0, None),
        (f"{level} [Презентации]", "Низкий", 1.0, None),
        (f"{hard} [Электронный журнал]", "Скорее не согласен", 2.0, None),
        (f"{hard} [Онлайн-тесты]", "Затрудняюсь ответить", None, "no_opinion")]


def check_f08(engine, report):
    assert report["unknown_labels"] == {f"{HELPS} → «Абсолютно не согласен»": 1}
    assert [answer[4:] for answer in _answers(engine)] == [
        (5.0, None), (5.0, None), (4.0, None), (None, "no_opinion"), (None, "no_opinion"),
        (2.0, None), (None, "unknown_label"), (5.0, None)]


def check_f10(engine, report):
    assert (report["imported"], report["duplicates"], report["skipped"]) == (4, 1, 1)
    assert _latest(engine) == [
        ("T004", "2024-10-10 12:00:01", False), ("T004", "2024-10-24 15:45:00", True),
        ("T005", "2024-10-11 09:10:00", True), ("T006", "2024-10-11 09:12:00", True)]


def check_f11(engine, report):
    assert "итоговые количества по участникам" in report["message"]
    assert count(engine, "activity") == 0


def check_f12(engine, report):
    assert [(issue["row"], issue["value"]) for issue in report["rejected"]] == [(5, "85%")]
    assert [score[:3] for score in _scores(engine)] == [
        ("P01", "pre", 60.0), ("P01", "post", 72.5), ("P02", "pre", 58.5), ("P02", "post", 70.0),
        ("P05", "pre", 64.0), ("P05", "post", 66.0)]


FORM = ["--questionnaire", "field_inputs"]
# file: (command-line options, what the page user picks, check)
CASES = {
    "f01_excel_ru_cp1251_semicolon.csv": (
        ["--kind", "assessments", "--map", "ФИО педагога=full_name", "--map", "Роль=ignore",
         "--map", "Дата теста=assessed_on", "--map", "Балл до=score:pre", "--map", "Балл после=score:post",
         "--map", "Комментарий=ignore", "--set", "area=Сферум", "--set", "max_score=100"],
        {"kind": "assessments",
         "map": {"ФИО педагога": "full_name", "Роль": "ignore", "Дата теста": "assessed_on",
                 "Балл до": "score:pre", "Балл после": "score:post", "Комментарий": "ignore"},
         "text": {"area": "Сферум"}, "number": {"max_score": 100.0}},
        check_f01),
    "f03_google_utf8_bom.csv": (FORM, {"questionnaire": "field_inputs"}, check_f03),
    "f04_timestamps_ddmm.csv": ([*FORM, "--anonymous"], {"questionnaire": "field_inputs", "anonymous": True},
                                check_f04),
    "f05_activity_log_mixed_dates.xlsx": (
        ["--kind", "activities", "--map", "Дата=occurred_on", "--map", "Наставник=code",
         "--map", "Мероприятие=kind", "--map", "Длительность, ч=hours", "--set", "format=очно"],
        {"kind": "activities",
         "map": {"Дата": "occurred_on", "Наставник": "code", "Мероприятие": "kind",
                 "Длительность, ч": "hours"},
         "select": {"format": "очно"}},
        check_f05),
    "f06_multiselect_commas.csv": ([*FORM, "--anonymous"], {"questionnaire": "field_inputs", "anonymous": True},
                                   check_f06),
    "f07_grid_likert.csv": ([*FORM, "--anonymous"], {"questionnaire": "field_inputs", "anonymous": True},
                            check_f07),
    "f08_likert_label_variants.csv": ([*FORM, "--anonymous"],
                                      {"questionnaire": "field_inputs", "anonymous": True}, check_f08),
    "f10_duplicates.csv": (FORM, {"questionnaire": "field_inputs"}, check_f10),
    "f11_merged_header_log.xlsx": ([], None, check_f11),
    "f12_prepost_scores_text_numbers.xlsx": (
        ["--kind", "assessments", "--map", "ФИО=full_name", "--map", "Балл до=score:pre",
         "--map", "Балл после=score:post", "--set", "area=Сферум", "--set", "max_score=100",
         "--set", "assessed_on=01.10.2024", "--skip-invalid"],
        {"kind": "assessments", "skip_invalid": True,
         "map": {"ФИО": "full_name", "Балл до": "score:pre", "Балл после": "score:post"},
         "text": {"area": "Сферум", "assessed_on": "01.10.2024"}, "number": {"max_score": 100.0}},
        check_f12),
}


@pytest.fixture
def prepared(engine, monkeypatch):
    """The engine with the people and the questionnaire loaded, and DATABASE_URL pointing at it."""
    import_file(PEOPLE, "people.csv", engine=engine)
    load_questionnaires(QUESTIONNAIRE, engine=engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield engine
    st.cache_resource.clear()
    st.cache_data.clear()


def test_field_input_people_loaded(prepared):
    assert count(prepared, "participant") == 13


@pytest.mark.parametrize("name", sorted(CASES))
def test_field_input_by_command_line(prepared, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes((FIELD_INPUTS / name).read_bytes())
    options, _page, check = CASES[name]
    status = db_main(["import", str(path), "--json", *options])
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    if name.startswith("f11"):
        assert status == 1
        report["message"] = report["rejected"][0]["message"]
    else:
        assert report["status"] == "imported", report["rejected"][:3]
        assert status == (1 if report["rejected"] else 0)
    check(prepared, report)


def _pick(at, name: str, picks: dict) -> None:
    """Make the choices of `picks` in the preview of `name`, as a user would, one widget at a time."""
    if "kind" in picks:
        at.selectbox(key=f"kind_{name}").set_value(picks["kind"]).run()
        mapping, values = f"map_{name}_{picks['kind']}__", f"set_{name}_{picks['kind']}__"
        for column, field in picks["map"].items():
            at.selectbox(key=mapping + column).set_value(field).run()
        for key, value in picks.get("text", {}).items():
            at.text_input(key=values + key).input(value).run()
        for key, value in picks.get("number", {}).items():
            at.number_input(key=values + key).set_value(value).run()
        for key, value in picks.get("select", {}).items():
            at.selectbox(key=values + key).set_value(value).run()
    if "questionnaire" in picks:
        at.selectbox(key=f"questionnaire_{name}").set_value(picks["questionnaire"]).run()
    if picks.get("anonymous"):
        assert "нет столбца, по которому можно узнать респондента" in page_text(at)
        assert at.button(key=f"import_{name}").disabled
        at.checkbox(key=f"anonymous_{name}").check().run()
    if picks.get("skip_invalid"):
        at.checkbox(key="upload_skip_invalid").check().run()


def _report_from_page(at, engine) -> dict:
    """The figures of the import report shown on the page, checked against the import log."""
    text = page_text(at)
    with engine.connect() as conn:
        batch = conn.execute(sa.text(
            "SELECT imported, duplicates, skipped, detected FROM import_batch "
            "WHERE file_name NOT IN ('people.csv') ORDER BY id DESC")).first()
    imported, duplicates, skipped, detected = batch
    assert f"загружено: {imported}" in text
    rejected = [{"row": int(row), "value": value} for row, value in
                _rejected_cells(at)]
    detected = json.loads(detected) if isinstance(detected, str) else detected
    return {"imported": imported, "duplicates": duplicates, "skipped": skipped, "detected": detected,
            "rejected": rejected, "unknown_labels": _unknown_labels(text), "status": "imported"}


def _rejected_cells(at) -> list[tuple]:
    for frame in at.dataframe:
        value = frame.value
        if "Строка" in value.columns and "Значение" in value.columns:
            return list(zip(value["Строка"], value["Значение"], strict=True))
    return []


def _unknown_labels(text: str) -> dict:
    marker = f"Ответ «Абсолютно не согласен» на вопрос «{HELPS}» не найден в словаре шкал (1 раз)"
    return {f"{HELPS} → «Абсолютно не согласен»": 1} if marker in text else {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_field_input_on_data_page(prepared, name):
    _options, picks, check = CASES[name]
    at = open_page("data_import.py")
    at.file_uploader(key="upload_files").set_value((name, (FIELD_INPUTS / name).read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    if picks is None:
        # A table of totals per person offers no import at all.
        assert not [button for button in at.button if button.key == f"import_{name}"]
        check(prepared, {"message": page_text(at)})
        return
    _pick(at, name, picks)
    assert not at.exception
    at.button(key=f"import_{name}").click().run()
    assert not at.exception, at.exception
    check(prepared, _report_from_page(at, prepared))


def test_anonymous_form_refused_without_consent(prepared):
    path = FIELD_INPUTS / "f04_timestamps_ddmm.csv"
    with pytest.raises(Exception, match="загрузите её как анонимную"):
        import_file(path, engine=prepared, questionnaire="field_inputs")
    again = [import_file(path, engine=prepared, questionnaire="field_inputs", anonymous=True)
             for _ in range(2)]
    assert [(report.imported, report.duplicates) for report in again] == [(4, 0), (0, 4)]
    assert any("загружена как анонимная" in warning for warning in again[0].warnings)
    with prepared.connect() as conn:
        latest = conn.execute(sa.text("SELECT count(*) FROM submission WHERE is_latest")).scalar_one()
        days = set(conn.execute(sa.text("SELECT answered_on FROM submission")).scalars())
        anonymous = conn.execute(sa.text(
            "SELECT count(*) FROM submission WHERE participant_id IS NULL")).scalar_one()
    # Anonymous answers cannot supersede each other: all four count.
    assert (latest, anonymous) == (4, 4)
    assert {str(day) for day in days} == {"2024-03-05", "2024-03-15", "2024-04-01", "2024-01-12"}
