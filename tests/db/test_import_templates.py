"""Template imports on SQLite and PostgreSQL: counts, row errors, transactions, duplicates, undo."""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from db.errors import ImportValidationError, UndoError
from db.import_log import accounted_rows, row_outcomes
from db.importing import import_file, template_workbook, undo_import
from db.importing.templates import KINDS, fields_of
from tests.db.import_helpers import PARTICIPANTS_HEADER, count, csv_bytes, participants_csv

GROUPS_HEADER = "Код группы,Код наставника,Код наставляемого,Модель,Дата начала,Дата окончания,Направления"


def load_participants(engine):
    report = import_file(participants_csv(), "participants.csv", engine=engine)
    assert report.status == "imported"
    return report


def test_participants_imported_with_detection(engine):
    report = load_participants(engine)
    assert report.kind == "participants"
    assert report.rows_total == 6
    assert report.imported == 6
    assert report.detected["delimiter"] == ";"
    assert report.detected["decimal_mark"] == ","
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT role, experience_years, registered_on FROM participant WHERE code = 'T003'")).one()
    assert row.role == "mentee"
    assert row.experience_years == pytest.approx(2.5)
    assert str(row.registered_on) == "2024-09-02"


def test_reimport_adds_nothing(engine):
    load_participants(engine)
    again = import_file(participants_csv(), "participants.csv", engine=engine)
    assert again.imported == 0
    assert again.duplicates == 6
    assert count(engine, "participant") == 6


def test_bad_date_rejects_whole_file(engine):
    rows = ["T001;Петрова Анна Сергеевна;наставник;;;;01.09.2024",
            "T002;Соколов Дмитрий Олегович;наставляемый;;;;31.02.2025"]
    report = import_file(csv_bytes(PARTICIPANTS_HEADER, rows), "participants.csv", engine=engine)
    assert report.status == "rejected"
    assert report.imported == 0
    assert [issue.as_json() for issue in report.rejected] == [{
        "row": 3,
        "column": "Дата регистрации",
        "value": "31.02.2025",
        "message": "Файл participants.csv, строка 3, столбец «Дата регистрации»: значение "
                   "«31.02.2025» не является датой. Укажите дату в виде ДД.ММ.ГГГГ (например, 05.03.2024).",
    }]
    assert count(engine, "participant") == 0
    with engine.connect() as conn:
        batch = conn.execute(sa.text("SELECT id, status, rejected FROM import_batch")).one()
        outcomes = conn.execute(sa.text(
            "SELECT row, outcome FROM import_row_outcome WHERE import_id = :id"), {"id": batch.id}).all()
    assert batch.status == "rejected"
    assert batch.rejected == 1
    assert [(o.row, o.outcome) for o in outcomes] == [(3, "rejected")]


def test_skip_invalid_writes_good_rows_and_rejected_csv(engine, tmp_path):
    rows = ["T001;Петрова Анна Сергеевна;наставник;;;;01.09.2024",
            "T002;Соколов Дмитрий Олегович;ученик;;;;02.09.2024",
            ";;;;;;"]
    path = tmp_path / "participants.csv"
    path.write_bytes(csv_bytes(PARTICIPANTS_HEADER, rows))
    report = import_file(path, engine=engine, skip_invalid=True)
    assert report.status == "imported"
    assert (report.imported, report.skipped, report.rejected_rows) == (1, 1, 1)
    assert report.rows_total == 3
    assert count(engine, "participant") == 1
    rejected = (tmp_path / "participants.csv.rejected.csv").read_bytes()
    assert rejected.startswith(b"\xef\xbb\xbf")
    text = rejected.decode("utf-8-sig")
    assert "3;Роль;ученик;" in text


def test_dry_run_writes_nothing(engine):
    report = import_file(participants_csv(), "participants.csv", engine=engine, dry_run=True)
    assert report.status == "dry_run"
    assert report.imported == 6
    assert count(engine, "participant") == 0
    assert count(engine, "import_batch") == 0


def test_duplicate_code_in_file_rejected(engine):
    rows = ["T001;Петрова Анна Сергеевна;наставник;;;;01.09.2024",
            "t001;Петрова Анна;наставник;;;;01.09.2024"]
    report = import_file(csv_bytes(PARTICIPANTS_HEADER, rows), "p.csv", engine=engine)
    assert report.rejected[0].row == 3
    assert "уже встречался в строке 2" in report.rejected[0].message


def test_groups_check_codes_and_roles(engine):
    load_participants(engine)
    rows = ["G01,T001,T002,цифровая,01.10.2024,,Сферум; ФГИС Моя школа",
            "G01,T001,T003,Digital,01.10.2024,,",
            "G02,T002,T005,традиционная,01.10.2024,,",
            "G03,T004,T999,традиционная,01.10.2024,,"]
    report = import_file(csv_bytes(GROUPS_HEADER, rows), "groups.csv", engine=engine)
    assert report.status == "rejected"
    messages = {issue.row: issue.message for issue in report.rejected}
    assert set(messages) == {4, 5}
    assert "записан с ролью «наставляемый», а не наставник" in messages[4]
    assert "участник с кодом «T999» не найден" in messages[5]
    assert count(engine, "mentoring_group") == 0


def test_groups_imported_and_deduplicated(engine):
    load_participants(engine)
    rows = ["G01,T001,T002,цифровая,01.10.2024,,Сферум",
            "G01,T001,T003,цифровая,01.10.2024,,Сферум",
            "G02,T004,T005,традиционная,01.10.2024,31.05.2025,"]
    first = import_file(csv_bytes(GROUPS_HEADER, rows), "groups.csv", engine=engine)
    assert (first.imported, first.duplicates) == (3, 0)
    second = import_file(csv_bytes(GROUPS_HEADER, rows), "groups.csv", engine=engine)
    assert (second.imported, second.duplicates) == (0, 3)
    assert count(engine, "mentoring_group") == 2
    assert count(engine, "group_member") == 3


def test_assessments_range_and_natural_key(engine):
    load_participants(engine)
    header = "Код,Область,Этап,Дата,Балл,Максимум"
    rows = ["T002,Сферум,до,01.10.2024,\"12,5\",20",
            "T002,сферум,pre,01.10.2024,12.5,20",
            "T003,Сферум,после,20.05.2025,21,20"]
    report = import_file(csv_bytes(header, rows), "a.csv", engine=engine, skip_invalid=True)
    assert report.imported == 1
    assert report.duplicates == 1
    assert report.rejected[0].row == 4
    assert "вне диапазона" in report.rejected[0].message
    assert count(engine, "competence_area") == 1


def test_activity_keeps_late_evening_day(engine):
    load_participants(engine)
    header = "Дата;Код участника;Код группы;Вид;Формат;Часы;Название;Ссылка"
    rows = ["05.03.2024 23:30;T001;;встреча;очно;1,5;Встреча;",
            "06.03.2024;T002;;Вебинар;remote;;;https://example.org/w"]
    report = import_file(csv_bytes(header, rows), "act.csv", engine=engine)
    assert report.imported == 2
    with engine.connect() as conn:
        rows_db = conn.execute(sa.text(
            "SELECT occurred_on, occurred_at, hours, format FROM activity ORDER BY occurred_on")).all()
    assert str(rows_db[0].occurred_on) == "2024-03-05"
    assert str(rows_db[0].occurred_at).startswith("2024-03-05 23:30")
    assert rows_db[0].hours == pytest.approx(1.5)
    assert rows_db[1].occurred_at is None
    assert rows_db[1].format == "remote"
    again = import_file(csv_bytes(header, rows), "act2.csv", engine=engine)
    assert again.duplicates == 2


def test_missing_required_column_raises(engine):
    with pytest.raises(ImportValidationError, match="нет обязательных столбцов «Дата регистрации»"):
        import_file(csv_bytes("Код;ФИО;Роль", ["T1;А;наставник"]), "p.csv", engine=engine,
                    kind="participants")


def test_undo_removes_rows_and_marks_batch(engine):
    report = load_participants(engine)
    deleted = undo_import(report.import_id, engine=engine)
    assert deleted["participant"] == 6
    assert count(engine, "participant") == 0
    with engine.connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM import_batch WHERE id = :id"),
                              {"id": report.import_id}).scalar_one()
    assert status == "undone"
    with pytest.raises(UndoError, match="статус «undone»"):
        undo_import(report.import_id, engine=engine)


def test_undo_refused_while_later_rows_refer(engine):
    report = load_participants(engine)
    import_file(csv_bytes(GROUPS_HEADER, ["G01,T001,T002,цифровая,01.10.2024,,"]), "g.csv", engine=engine)
    with pytest.raises(UndoError, match="ссылаются данные более поздних"):
        undo_import(report.import_id, engine=engine)
    assert count(engine, "participant") == 6


@pytest.mark.parametrize("kind", KINDS)
def test_template_workbook_has_headers_and_notes(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_workbook(kind))
    workbook = openpyxl.load_workbook(path)
    first, notes = workbook.worksheets
    labels = [cell.value for cell in first[1]]
    assert labels == [spec.label for spec in fields_of(kind)]
    assert notes.title == "Пояснения"
    assert notes.max_row == len(labels) + 1


def test_progress_callback_called(engine):
    calls: list[tuple[int, int]] = []
    import_file(participants_csv(), "participants.csv", engine=engine,
                progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 6)
    assert calls[-1] == (6, 6)


def test_batch_records_started_and_counts(engine):
    load_participants(engine)
    with engine.connect() as conn:
        batch = conn.execute(sa.text(
            "SELECT rows_total, imported, status, started_at, finished_at FROM import_batch")).one()
        records = conn.execute(sa.text("SELECT count(*) FROM import_row_outcome")).scalar_one()
        import_id = conn.execute(sa.text("SELECT id FROM import_batch")).scalar_one()
    assert (batch.rows_total, batch.imported, batch.status) == (6, 6, "imported")
    assert batch.finished_at is not None
    assert batch.started_at is not None
    # Six consecutive imported rows are stored as one run, and every row is still accounted for;
    # the experience «2,5» of row 4 is the one converted cell, stored as its own record.
    assert records == 2
    outcomes = row_outcomes(engine, import_id)
    assert outcomes[["row", "row_last", "outcome"]].values.tolist() == [
        [2, 7, "imported"], [4, 4, "converted"]]
    assert accounted_rows(outcomes) == 6
