"""Column-wise answers import, bulk writes, compact row outcomes, progress and the duplicate rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from db.import_log import accounted_rows, row_outcomes
from db.importing import answers as answers_module
from db.importing import import_file
from db.importing.answers import (
    SubmissionDraft,
    content_hash,
    duplicate_rule,
    save_duplicate_rule,
)
from db.importing.load import dry_run_set, outcome_runs
from db.importing.people import Person
from db.importing.scales import load_dictionary, load_questionnaires
from tests.db.import_helpers import count, csv_bytes, participants_csv
from tests.db.test_field_inputs import (
    AGREE5,
    FIELD_INPUTS,
    _participants_with_namesake_emails,
)

ANSWERS_HEADER = "Дата;Код;Анкета;Вопрос;Ответ"
QUESTIONS = ("Встречи полезны", "Наставник доступен")


def _dictionary(engine) -> None:
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": text, "kind": "likert", "scale": "agree5", "scale_item": True}
                      for text in QUESTIONS],
    }], engine=engine)


def _answers(submissions: int) -> bytes:
    """Three answers per submission (the comment makes each one distinct), codes T001–T003 in turn."""
    rows = []
    for index in range(submissions):
        stamp = (dt.datetime(2024, 10, 1, 9, 0) + dt.timedelta(minutes=index)).strftime("%d.%m.%Y %H:%M")
        code = f"T00{index % 3 + 1}"
        rows.append(f"{stamp};{code};mentee_satisfaction;{QUESTIONS[0]};{index % 5 + 1}")
        rows.append(f"{stamp};{code};mentee_satisfaction;{QUESTIONS[1]};Полностью согласен")
        rows.append(f"{stamp};{code};mentee_satisfaction;Комментарий;отзыв {index}")
    return csv_bytes(ANSWERS_HEADER, rows)


def test_outcome_runs_merge_consecutive_rows():
    rows = [(5, "a"), (2, None), (3, None), (4, "a"), (7, "a"), (8, "b")]
    assert outcome_runs(rows) == [(2, 3, None), (4, 5, "a"), (7, 7, "a"), (8, 8, "b")]
    assert outcome_runs([]) == []


def test_long_answers_hash_matches_draft_hash(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    content = csv_bytes(ANSWERS_HEADER, [
        f"01.10.2024 09:00;T001;mentee_satisfaction;{QUESTIONS[1]};Совершенно согласен",
        f"01.10.2024 09:00;T001;mentee_satisfaction;{QUESTIONS[0]};4",
    ])
    report = import_file(content, "answers.csv", engine=engine)
    assert report.imported == 2
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT content_hash FROM submission")).scalar_one()
        info = load_dictionary(conn)["mentee_satisfaction"]
    person = Person(1, "T001", "Петрова Анна Сергеевна", "mentor", None, 1)
    # The form path hashes drafts one by one; both paths must agree, or re-imports double up.
    draft = SubmissionDraft([2, 3], person, info, dt.datetime(2024, 10, 1, 9, 0),
                            [(QUESTIONS[0], "4"), (QUESTIONS[1], "Полностью согласен")])
    assert stored == content_hash(draft)


def test_long_answers_values_and_duplicates(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    report = import_file(_answers(30), "answers.csv", engine=engine)
    assert (report.rows_total, report.imported, report.duplicates) == (90, 90, 0)
    assert count(engine, "submission") == 30
    assert count(engine, "answer") == 90
    with engine.connect() as conn:
        values = conn.execute(sa.text(
            "SELECT a.question, sum(a.value) AS total FROM answer a WHERE a.value IS NOT NULL "
            "GROUP BY a.question ORDER BY a.question"
        )).all()
        latest = conn.execute(sa.text("SELECT count(*) FROM submission WHERE is_latest")).scalar_one()
    # Values 1..5 repeat six times over 30 submissions: 6 × 15 = 90; the label scores 5 each time.
    assert [(row.question, row.total) for row in values] == [
        (QUESTIONS[0], 90.0), (QUESTIONS[1], 150.0)]
    assert latest == 3
    again = import_file(_answers(30), "answers.csv", engine=engine)
    assert (again.imported, again.duplicates) == (0, 90)
    assert count(engine, "answer") == 90


def test_unknown_code_rejects_its_rows(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    content = csv_bytes(ANSWERS_HEADER, [
        f"01.10.2024 09:00;T001;mentee_satisfaction;{QUESTIONS[0]};4",
        f"01.10.2024 09:00;X999;mentee_satisfaction;{QUESTIONS[0]};4",
        f"01.10.2024 09:00;X999;mentee_satisfaction;{QUESTIONS[1]};5",
    ])
    report = import_file(content, "answers.csv", engine=engine, skip_invalid=True)
    assert report.imported == 1
    assert [(issue.row, issue.column, issue.value) for issue in report.rejected] == [
        (3, "Код", "X999"), (4, "Код", "X999")]


def test_every_row_accounted_for_compactly(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    rows = [f"01.10.2024 09:{minute:02d};T001;mentee_satisfaction;Вопрос {minute};4"
            for minute in range(40)]
    rows[10] = ""  # a blank row in the middle splits the imported run
    report = import_file(csv_bytes(ANSWERS_HEADER, rows), "answers.csv", engine=engine)
    assert (report.rows_total, report.imported, report.skipped) == (40, 39, 1)
    outcomes = row_outcomes(engine, report.import_id)
    assert outcomes[["row", "row_last", "outcome"]].values.tolist() == [
        [2, 11, "imported"], [12, 12, "skipped"], [13, 41, "imported"]]
    assert accounted_rows(outcomes) == report.rows_total


def test_progress_fires_per_chunk(engine, monkeypatch):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    monkeypatch.setattr(answers_module, "SLICE_SUBMISSIONS", 10)
    calls: list[tuple[int, int]] = []
    report = import_file(_answers(50), "answers.csv", engine=engine,
                         progress=lambda done, total: calls.append((done, total)))
    assert report.imported == 150
    assert calls[0] == (0, 150)
    assert calls[-1] == (150, 150)
    # 50 submissions of 3 rows in slices of 10 submissions give five calls in between.
    assert [done for done, _total in calls[1:-1]] == [30, 60, 90, 120, 150]


def _stored_answers(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT p.code, s.answered_at, s.content_hash, a.question, a.answer, a.value "
            "FROM answer a JOIN submission s ON s.id = a.submission_id "
            "JOIN participant p ON p.id = s.participant_id "
            "ORDER BY p.code, s.answered_at, a.question, a.answer"))]


def test_slices_store_what_one_pass_stores(engine, monkeypatch):
    """Submissions split over slices, with rows scattered in the file, hash and store as in one pass."""
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    lines = csv_bytes(ANSWERS_HEADER, []).decode().splitlines()
    body = _answers(12).decode().splitlines()[1:]
    # The second answer of every submission moves to the end of the file.
    scattered = body[0::3] + body[2::3] + body[1::3]
    content = "\r\n".join(lines + scattered).encode() + b"\r\n"
    first = import_file(content, "answers.csv", engine=engine)
    assert (first.imported, count(engine, "submission"), count(engine, "answer")) == (36, 12, 36)
    whole = _stored_answers(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM answer"))
        conn.execute(sa.text("DELETE FROM submission"))
    monkeypatch.setattr(answers_module, "SLICE_SUBMISSIONS", 5)
    sliced = import_file(content, "answers.csv", engine=engine)
    assert (sliced.imported, sliced.duplicates) == (36, 0)
    assert _stored_answers(engine) == whole
    again = import_file(content, "answers.csv", engine=engine)
    assert (again.imported, again.duplicates) == (0, 36)


def test_bulk_insert_stores_sqlalchemy_datetime_text(sqlite_engine):
    import_file(participants_csv(), "participants.csv", engine=sqlite_engine)
    _dictionary(sqlite_engine)
    import_file(_answers(1), "answers.csv", engine=sqlite_engine)
    with sqlite_engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT answered_at, answered_on FROM submission").one()
    assert tuple(stored) == ("2024-10-01 09:00:00.000000", "2024-10-01")


@pytest.mark.parametrize(("rule", "expected"), [
    ("latest", [("T004", False, 4.0), ("T004", True, 2.0)]),
    ("first", [("T004", True, 4.0), ("T004", False, 2.0)]),
])
def test_duplicate_rule_picks_counting_submission(engine, rule, expected):
    import_file(_participants_with_namesake_emails(), "participants.csv", engine=engine)
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": "Оцените пользу встреч", "kind": "likert", "scale": "agree5"}],
    }], engine=engine)
    with engine.begin() as conn:
        save_duplicate_rule(conn, rule)
    import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    with engine.connect() as conn:
        assert duplicate_rule(conn) == rule
        stored = conn.execute(sa.text("SELECT value_json FROM setting WHERE key = 'duplicate_rule'")).scalar()
        rows = conn.execute(sa.text(
            "SELECT p.code, s.is_latest, a.value FROM submission s "
            "JOIN participant p ON p.id = s.participant_id JOIN answer a ON a.submission_id = s.id "
            "WHERE p.code = 'T004' ORDER BY s.answered_at")).all()
    assert json.loads(stored) == rule
    assert [(r.code, bool(r.is_latest), r.value) for r in rows] == expected


def test_changing_rule_remarks_stored_submissions(engine):
    import_file(_participants_with_namesake_emails(), "participants.csv", engine=engine)
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": "Оцените пользу встреч", "kind": "likert", "scale": "agree5"}],
    }], engine=engine)
    import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    with engine.begin() as conn:
        assert duplicate_rule(conn) == "latest"
        save_duplicate_rule(conn, "first")
    with engine.connect() as conn:
        counting = conn.execute(sa.text(
            "SELECT a.value FROM submission s JOIN participant p ON p.id = s.participant_id "
            "JOIN answer a ON a.submission_id = s.id WHERE p.code = 'T004' AND s.is_latest")).scalar_one()
    assert counting == 4.0
    with engine.begin() as conn, pytest.raises(ValueError, match="not one of"):
        save_duplicate_rule(conn, "newest")


def test_dry_run_set_sees_earlier_files(engine):
    groups = csv_bytes("Код группы;Код наставника;Код наставляемого;Модель;Дата начала",
                       ["G01;T001;T002;цифровая;05.10.2024"])
    bad = csv_bytes("Код группы;Код наставника;Код наставляемого;Модель;Дата начала",
                    ["G02;T001;T404;цифровая;05.10.2024"])
    with dry_run_set(engine):
        first = import_file(participants_csv(), "participants.csv", engine=engine, dry_run=True)
        rejected = import_file(bad, "bad.csv", engine=engine, dry_run=True)
        second = import_file(groups, "groups.csv", engine=engine, dry_run=True)
    assert (first.status, first.imported) == ("dry_run", 6)
    assert (rejected.status, rejected.imported, rejected.rejected[0].value) == ("dry_run", 0, "T404")
    assert (second.status, second.imported) == ("dry_run", 1)
    assert count(engine, "participant") == 0
    assert count(engine, "mentoring_group") == 0
    assert count(engine, "import_batch") == 0
