"""Each file of the field-inputs collection (exports shaped like real ones) read as a correct import must."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
import sqlalchemy as sa

from db.importing import import_file, preview_file
from db.importing.answers import SubmissionDraft, answer_rows
from db.importing.people import Person
from db.importing.reading import read_table
from db.importing.scales import QuestionInfo, QuestionnaireInfo, Scale, load_questionnaires, split_grid, split_multiselect
from db.importing.values import InvalidValue, MissingValue, PercentValue, parse_datetime, parse_number
from tests.conftest import FIELD_INPUTS
from tests.db.import_helpers import PARTICIPANTS_HEADER, PARTICIPANT_ROWS, count, csv_bytes, participants_csv

AGREE5 = {
    "min": 1, "max": 5,
    "labels": {"1": ["Полностью не согласен"], "2": ["Скорее не согласен"], "3": ["Нейтрально"],
               "4": ["Скорее согласен"], "5": ["Полностью согласен", "Совершенно согласен"]},
    "no_opinion": ["Затрудняюсь ответить", "Не могу определиться"],
}


def read(name: str):
    return read_table((FIELD_INPUTS / name).read_bytes(), name)


def test_f01_cp1251_semicolon_decimal_comma():
    table = read("f01_excel_ru_cp1251_semicolon.csv")
    assert table.encoding == "cp1251"
    assert table.delimiter == ";"
    assert table.decimal_mark == ","
    assert table.data.shape == (3, 6)
    assert [parse_number(v) for v in table.data["Балл до"]] == [61.5, 70.0, 88.25]
    assert table.data.at[0, "Комментарий"] == "Освоила облако; рада"
    assert table.data.at[2, "Комментарий"] == "Ёлка, щи, «кавычки»"
    assert table.data.at[0, "ФИО педагога"] == "Петрова Анна Сергеевна"
    preview = preview_file(FIELD_INPUTS / "f01_excel_ru_cp1251_semicolon.csv")
    assert (preview.encoding, preview.delimiter) == ("cp1251", ";")


def test_f03_bom_stripped_from_first_header():
    table = read("f03_google_utf8_bom.csv")
    assert table.encoding == "utf-8-sig"
    assert table.columns[0] == "Отметка времени"
    assert len(table.data) == 2


def test_f04_timestamps_day_first():
    table = read("f04_timestamps_ddmm.csv")
    parsed = [parse_datetime(v)[0] for v in table.data["Отметка времени"]]
    assert parsed == [dt.datetime(2024, 3, 5, 9, 7, 12), dt.datetime(2024, 3, 15, 14, 0),
                      dt.datetime(2024, 4, 1, 8, 30, 45), dt.datetime(2024, 1, 12, 17, 18)]
    with pytest.raises(InvalidValue, match="не является датой"):
        parse_datetime("3/15/2024 2:00 PM")


def test_f05_mixed_dates_read():
    table = read("f05_activity_log_mixed_dates.xlsx")
    dates = [parse_datetime(v)[0] for v in table.data["Дата"]]
    assert [d.date() for d in dates] == [dt.date(2024, 3, 5), dt.date(2024, 3, 10),
                                         dt.date(2024, 3, 12), dt.date(2024, 3, 5)]
    assert dates[3] == dt.datetime(2024, 3, 5, 23, 30)
    assert parse_number(table.data.at[2, "Длительность, ч"]) == 0.5
    assert table.blank_rows == [6]
    with pytest.raises(InvalidValue, match="не похоже на дату Excel"):
        parse_datetime(512)


def test_f05_imported_with_mapping_keeps_day(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    report = import_file(
        FIELD_INPUTS / "f05_activity_log_mixed_dates.xlsx", engine=engine, kind="activities",
        mapping={"Дата": "occurred_on", "Наставник": "code", "Мероприятие": "kind",
                 "Длительность, ч": "hours"},
        defaults={"format": "очно"},
    )
    assert report.status == "imported"
    assert (report.rows_total, report.imported, report.skipped) == (5, 4, 1)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT occurred_on, occurred_at, hours FROM activity ORDER BY occurred_on, id")).all()
    assert [str(r.occurred_on) for r in rows] == ["2024-03-05", "2024-03-05", "2024-03-10", "2024-03-12"]
    assert str(rows[1].occurred_at).startswith("2024-03-05 23:30")
    assert rows[3].hours == pytest.approx(0.5)


def test_f06_multiselect_split_longest_first():
    options = (FIELD_INPUTS / "f06_options.txt").read_text("utf-8").splitlines()
    answers = list(read("f06_multiselect_commas.csv").data.iloc[:, 1])
    assert split_multiselect(answers[0], options) == (
        ["Интерактивная доска, панель", "Видеоконференции (Zoom, Сферум)"], None)
    assert split_multiselect(answers[2], options) == (
        ["Видеоконференции (Zoom, Сферум)"], "сам пишу скрипты, на Python")
    assert split_multiselect(answers[3], options) == ([], None)


def test_f07_grid_columns_split_at_last_bracket():
    columns = read("f07_grid_likert.csv").columns[1:]
    parts = [split_grid(column) for column in columns]
    assert parts == [
        ("Оцените уровень владения", "Презентации"),
        ("Оцените уровень владения", "Облачные документы"),
        ("Трудности [цифровые] при работе", "Электронный журнал"),
        ("Трудности [цифровые] при работе", "Онлайн-тесты"),
    ]
    assert len({question for question, _row in parts}) == 2


def test_f07_empty_grid_cell_is_missing_not_lowest():
    table = read("f07_grid_likert.csv")
    level = Scale.from_json("level", {"min": 1, "max": 3, "labels": {
        "1": ["Низкий"], "2": ["Средний"], "3": ["Высокий"]}})
    questions = {column.casefold(): QuestionInfo(column, "grid", level) for column in table.columns[1:3]}
    info = QuestionnaireInfo(1, "diagnostic", "Диагностика", questions)
    person = Person(1, "T001", "Петрова Анна Сергеевна", "mentee", None, 1)
    row = table.data.iloc[1]
    draft = SubmissionDraft([3], person, info, dt.datetime(2024, 9, 12),
                            [(c, row[c]) for c in table.columns[1:3]])
    rows = answer_rows(draft, Counter())
    assert [(r["answer"], r["value"]) for r in rows] == [("Низкий", 1.0)]


def test_f08_label_variants_through_scale():
    scale = Scale.from_json("agree5", AGREE5)
    answers = list(read("f08_likert_label_variants.csv").data.iloc[:, 1])
    scored = [scale.score(a) if a.strip() else (None, "blank") for a in answers]
    assert scored == [(5.0, None), (5.0, None), (4.0, None), (None, "no_opinion"), (None, "no_opinion"),
                      (2.0, None), (None, "unknown_label"), (None, "blank"), (5.0, None)]
    midpoint = Scale.from_json("agree5", {**AGREE5, "no_opinion_rule": "midpoint"})
    assert midpoint.score("Затрудняюсь ответить") == (3.0, None)


def _questionnaire(engine, question: str) -> None:
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": question, "kind": "likert", "scale": "agree5", "reverse": False,
                       "scale_item": True}],
    }], engine=engine)


def test_f08_unknown_label_listed_with_count(engine):
    _questionnaire(engine, "Наставник помогает мне решать цифровые задачи")
    preview = preview_file(FIELD_INPUTS / "f08_likert_label_variants.csv", engine=engine)
    assert preview.kind == "form"
    assert preview.unknown_labels == {
        "«Абсолютно не согласен» на вопрос «Наставник помогает мне решать цифровые задачи»": 1}


def _participants_with_namesake_emails() -> bytes:
    rows = [r.replace("T005;Иванов Пётр Андреевич;наставляемый;Химия;4;;",
                      "T005;Иванов Пётр Андреевич;наставляемый;Химия;4;teacher05@school.example;")
            .replace("T006;Иванов Пётр Андреевич;наставляемый;Биология;6;;",
                     "T006;Иванов Пётр Андреевич;наставляемый;Биология;6;teacher06@school.example;")
            for r in PARTICIPANT_ROWS]
    return csv_bytes(PARTICIPANTS_HEADER, rows)


def test_f10_duplicates_latest_and_namesakes(engine):
    import_file(_participants_with_namesake_emails(), "participants.csv", engine=engine)
    _questionnaire(engine, "Оцените пользу встреч")
    report = import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    assert report.kind == "form"
    assert (report.rows_total, report.imported, report.duplicates, report.skipped) == (6, 4, 1, 1)
    assert report.duplicate_rows[0][0] == 3
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.code, s.answered_at, s.is_latest, a.value FROM submission s "
            "JOIN participant p ON p.id = s.participant_id JOIN answer a ON a.submission_id = s.id "
            "ORDER BY p.code, s.answered_at")).all()
    assert [(r.code, bool(r.is_latest), r.value) for r in rows] == [
        ("T004", False, 4.0), ("T004", True, 2.0), ("T005", True, 5.0), ("T006", True, 3.0)]
    again = import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    assert (again.imported, again.duplicates) == (0, 5)


def test_f10_unknown_namesakes_go_to_review(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _questionnaire(engine, "Оцените пользу встреч")
    report = import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    assert (report.imported, report.duplicates, report.skipped) == (2, 1, 3)
    assert [review["reason"] for review in report.reviews] == ["ambiguous", "ambiguous"]
    with engine.connect() as conn:
        reviews = conn.execute(sa.text("SELECT reason, candidates, payload_json FROM respondent_review")).all()
    assert len(reviews) == 2
    assert "T005" in reviews[0].candidates and "T006" in reviews[0].candidates
    assert json.loads(reviews[0].payload_json)["Оцените пользу встреч"] == "5"
    assert count(engine, "submission") == 2


def test_f11_merged_header_and_totals():
    table = read("f11_merged_header_log.xlsx")
    assert table.columns == ["Наставник", "Мероприятия / Встречи", "Мероприятия / Открытые уроки",
                             "Мероприятия / Материалы", "Формат"]
    assert table.header_rows == [2, 3]
    assert list(table.data["Наставник"]) == ["Петрова А.С.", "Соколов Д.О.", "Лебедева О.П."]
    numbers = table.data.iloc[:, 1:4].astype(float).values.tolist()
    assert numbers == [[6, 2, 3], [4, 1, 0], [5, 0, 7]]
    assert table.blank_rows == [6]
    (check,) = table.totals
    assert check.row == 8
    assert check.consistent
    assert check.columns["Мероприятия / Встречи"] == (15.0, 15.0)


def test_f12_scores_typed_as_text():
    table = read("f12_prepost_scores_text_numbers.xlsx")
    before = list(table.data["Балл до"])
    after = list(table.data["Балл после"])
    assert parse_number(before[1]) == 58.5
    assert parse_number(after[1]) == 70.0
    assert parse_number(before[4]) == 64.0
    with pytest.raises(MissingValue) as dash:
        parse_number(before[2])
    assert dash.value.reason == "no_value"
    with pytest.raises(MissingValue) as absent:
        parse_number(after[2])
    assert absent.value.reason == "absent"
    with pytest.raises(PercentValue):
        parse_number(before[3])
    preview = preview_file(FIELD_INPUTS / "f12_prepost_scores_text_numbers.xlsx")
    assert any("«Балл до» 1 знач. записаны в процентах" in w for w in preview.warnings)


@pytest.mark.parametrize(("text", "number"), [
    ("1,5E+02", 150.0), ("2e3", 2000.0), ("-7,25e-1", -0.725), (" 1 234,5 ", 1234.5),
    ("1.234,5", 1234.5), ("1e300", 1e300),
])
def test_numbers_in_excel_text_forms(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("value", ["1e400", "-1E+999", float("inf")])
def test_numbers_beyond_float_range_are_named(value):
    with pytest.raises(InvalidValue) as error:
        parse_number(value)
    assert "слишком велико для числа" in str(error.value)


def test_chunked_reading_matches_whole_reading(monkeypatch):
    """Tiny blocks and chunks split characters and rows; the table read must not change."""
    from db.importing import reading

    content = (FIELD_INPUTS / "f01_excel_ru_cp1251_semicolon.csv").read_bytes()
    utf8 = content.decode("cp1251").encode("utf-8")
    whole = [read_table(data, "f01.csv") for data in (content, utf8)]
    monkeypatch.setattr(reading, "DECODE_BLOCK_BYTES", 1)
    monkeypatch.setattr(reading, "SAMPLE_BYTES", 64)
    monkeypatch.setattr(reading, "CSV_CHUNK_ROWS", 2)
    for data, expected, encoding in zip((content, utf8), whole, ("cp1251", "utf-8"), strict=True):
        table = read_table(data, "f01.csv")
        # Each one-byte block ends inside a two-byte UTF-8 letter, which must not read as cp1251.
        assert table.encoding == expected.encoding == encoding
        assert table.data.equals(expected.data)
        assert table.row_numbers == expected.row_numbers
        assert (table.delimiter, table.decimal_mark) == (";", ",")


def test_mojibake_found_in_sample_and_repaired_whole(monkeypatch):
    from db.importing import reading

    rows = [f"T{index:03d};Петрова Анна Сергеевна;наставник;{index}" for index in range(200)]
    # No capital «И»: its UTF-8 byte 0x98 has no Windows-1251 character (see the forms tests).
    text = "\r\n".join(["Код;Участник;Роль;Номер", *rows]) + "\r\n"
    garbled = text.encode("utf-8").decode("cp1251").encode("utf-8")
    monkeypatch.setattr(reading, "SAMPLE_BYTES", 256)
    table = read_table(garbled, "broken.csv")
    assert table.mojibake == "repaired"
    before, after = table.mojibake_sample[0]
    assert (before[:6], after) == ("РљРѕРґ", "Код;Участник;Роль;Номер")
    assert list(table.data["Участник"].unique()) == ["Петрова Анна Сергеевна"]
    assert table.data["Номер"].tolist()[-1] == "199"
