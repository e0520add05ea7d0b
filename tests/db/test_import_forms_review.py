"""Form exports: saved column mappings, the respondent review list, mojibake and multi-select warnings."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from db.errors import ImportValidationError
from db.importing import import_file, preview_file
from db.importing.mappings import (
    find_mapping,
    header_signature,
    match_mapping,
    save_mapping,
)
from db.importing.review import (
    ReviewError,
    pending_reviews,
    resolve_review,
    review_candidates,
)
from db.importing.scales import load_questionnaires
from tests.db.import_helpers import (
    PARTICIPANT_ROWS,
    PARTICIPANTS_HEADER,
    count,
    csv_bytes,
    participants_csv,
)
from tests.db.test_field_inputs import AGREE5, FIELD_INPUTS

QUESTION = "Оцените пользу встреч"
FIRST_EXPORT = (
    "Отметка времени,Адрес электронной почты,Польза встреч (1-5),Номер кабинета\r\n"
    "10.10.2024 12:00:01,t001@school.example,4,12\r\n"
    "10.10.2024 12:05:00,t002@school.example,5,14\r\n"
).encode("utf-8")
# The same form after editing: the question reworded and moved first, a column added, one deleted.
SECOND_EXPORT = (
    "Польза встреч (от 1 до 5),Отметка времени,Комментарий,Адрес электронной почты\r\n"
    "2,11.11.2024 09:00:00,мало времени,t001@school.example\r\n"
).encode("utf-8")


def _dictionary(engine) -> None:
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": QUESTION, "kind": "likert", "scale": "agree5", "scale_item": True}],
    }], engine=engine)


def _values(engine) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.code, a.question, a.value FROM answer a JOIN submission s ON s.id = a.submission_id "
            "JOIN participant p ON p.id = s.participant_id ORDER BY s.answered_at, p.code, a.question")).all()
    return [tuple(row) for row in rows]


def test_header_signature_ignores_order_and_case():
    assert header_signature(["ФИО", "Отметка времени"]) == header_signature(["отметка  времени", "фио"])
    assert header_signature(["ФИО"]) != header_signature(["ФИО", "Код"])


def test_match_mapping_reports_renamed_new_missing():
    saved = {"Отметка времени": "timestamp", "Польза встреч (1-5)": "question", "Номер кабинета": "ignore"}
    roles, renamed, new, missing = match_mapping(
        saved, ["Польза встреч (от 1 до 5)", "ОТМЕТКА ВРЕМЕНИ", "Комментарий"])
    assert roles == {"ОТМЕТКА ВРЕМЕНИ": "timestamp",
                     "Польза встреч (от 1 до 5)": "question:Польза встреч (1-5)"}
    assert renamed == [("Польза встреч (1-5)", "Польза встреч (от 1 до 5)")]
    assert new == ["Комментарий"]
    assert missing == ["Номер кабинета"]


def test_saved_mapping_applies_to_edited_form(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    roles = {"Отметка времени": "timestamp", "Адрес электронной почты": "email",
             "Польза встреч (1-5)": f"question:{QUESTION}", "Номер кабинета": "ignore"}
    with engine.begin() as conn:
        name = save_mapping(conn, "mentee_satisfaction", roles)
    assert name.startswith("mentee_satisfaction / ")
    first = import_file(FIRST_EXPORT, "export1.csv", engine=engine)
    assert (first.kind, first.imported) == ("form", 2)
    assert first.detected["saved_mapping"] == name

    preview = preview_file(SECOND_EXPORT, "export2.csv", engine=engine)
    assert preview.saved_mapping is not None
    assert preview.saved_mapping.renamed == [("Польза встреч (1-5)", "Польза встреч (от 1 до 5)")]
    assert preview.saved_mapping.new == ["Комментарий"]
    assert preview.saved_mapping.missing == ["Номер кабинета"]
    assert preview.mapping["Польза встреч (от 1 до 5)"] == f"question:{QUESTION}"
    assert any("«Польза встреч (1-5)» → «Польза встреч (от 1 до 5)»" in w for w in preview.warnings)

    second = import_file(SECOND_EXPORT, "export2.csv", engine=engine)
    assert second.imported == 1
    assert _values(engine) == [("T001", QUESTION, 4.0), ("T002", QUESTION, 5.0),
                               ("T001", "Комментарий", None), ("T001", QUESTION, 2.0)]


def test_unrelated_form_gets_no_saved_mapping(engine):
    _dictionary(engine)
    with engine.begin() as conn:
        save_mapping(conn, "mentee_satisfaction", {"Отметка времени": "timestamp", "Код": "code",
                                                   "Вопрос А": "question", "Вопрос Б": "question"})
        assert find_mapping(conn, ["Время", "Имя", "Совсем другой вопрос"]) is None
        with pytest.raises(ValueError, match="invalid column roles"):
            save_mapping(conn, "mentee_satisfaction", {"Код": "respondent"})


def test_review_links_namesake_to_chosen_participant(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": QUESTION, "kind": "likert", "scale": "agree5"}],
    }], engine=engine)
    report = import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    assert len(report.reviews) == 2
    pending = pending_reviews(engine)
    assert pending["full_name"].tolist() == ["Иванов Пётр Андреевич", "Иванов Пётр Андреевич"]
    assert pending["reason"].tolist() == ["ambiguous", "ambiguous"]
    assert pending["answered_at"].tolist() == [dt.datetime(2024, 10, 11, 9, 10), dt.datetime(2024, 10, 11, 9, 12)]
    candidates = review_candidates(engine, int(pending["review_id"][0]))
    # Namesakes are offered side by side with their subjects, never merged.
    assert candidates[["code", "subject"]].values.tolist() == [["T005", "Химия"], ["T006", "Биология"]]

    t005 = int(candidates.loc[candidates["code"] == "T005", "participant_id"].iloc[0])
    resolution = resolve_review(engine, int(pending["review_id"][0]), participant_id=t005)
    assert (resolution.participant_code, resolution.written) == ("T005", True)
    assert ("T005", QUESTION, 5.0) in _values(engine)
    left = pending_reviews(engine)
    assert left["review_id"].tolist() == [pending["review_id"][1]]
    with pytest.raises(ReviewError, match="уже сопоставлен"):
        resolve_review(engine, int(pending["review_id"][0]), participant_id=t005)


def test_review_creates_new_participant(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    load_questionnaires([{
        "key": "mentee_satisfaction", "title": "Удовлетворенность наставляемых",
        "scales": {"agree5": AGREE5},
        "questions": [{"text": QUESTION, "kind": "likert", "scale": "agree5"}],
    }], engine=engine)
    import_file(FIELD_INPUTS / "f10_duplicates.csv", engine=engine)
    review_id = int(pending_reviews(engine)["review_id"][1])
    with pytest.raises(ReviewError, match="уже занят"):
        resolve_review(engine, review_id, new_participant={
            "code": "t001", "full_name": "Иванов Пётр Андреевич", "role": "mentee"})
    resolution = resolve_review(engine, review_id, new_participant={
        "code": "T099", "full_name": "Иванов Пётр Андреевич", "role": "mentee", "subject": "Физкультура"})
    assert resolution.participant_code == "T099"
    with engine.connect() as conn:
        email = conn.execute(sa.text("SELECT email FROM participant WHERE code = 'T099'")).scalar_one()
    assert email == "teacher06@school.example"
    assert ("T099", QUESTION, 3.0) in _values(engine)
    assert len(pending_reviews(engine)) == 1


def _mojibake(text: str) -> bytes:
    """UTF-8 bytes opened as Windows-1251 and saved again as UTF-8."""
    return text.encode("utf-8").decode("cp1251").encode("utf-8")


def test_mojibake_needs_confirmation(engine):
    # No capital «И»: its second UTF-8 byte (0x98) has no Windows-1251 character, so Excel
    # could not have produced this kind of damage from it.
    rows = ["T001;Петрова Анна Сергеевна;наставник;Физика;21;t001@school.example;01.09.2024",
            "T003;Лебедева Ольга Петровна;наставляемый;Математика;2;t003@school.example;02.09.2024"]
    header = "code;full_name;role;subject;experience_years;email;registered_on"
    content = _mojibake("\r\n".join([header, *rows]) + "\r\n")
    preview = preview_file(content, "broken.csv", engine=engine)
    assert preview.mojibake == "repaired"
    assert preview.mojibake_sample[1][1].startswith("T001;Петрова Анна Сергеевна")
    assert "Р" in preview.mojibake_sample[1][0]
    with pytest.raises(ImportValidationError, match="подтвердите исправление"):
        import_file(content, "broken.csv", engine=engine)
    assert count(engine, "participant") == 0
    report = import_file(content, "broken.csv", engine=engine, accept_repaired=True)
    assert report.imported == 2
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT full_name FROM participant ORDER BY code")).scalars().all()
    assert names == ["Петрова Анна Сергеевна", "Лебедева Ольга Петровна"]


def test_latin1_mojibake_rejected(engine):
    content = "\n".join([PARTICIPANTS_HEADER, *PARTICIPANT_ROWS[:2]]).encode("utf-8").decode("latin-1")
    with pytest.raises(ImportValidationError, match="восстановить его не удалось"):
        import_file(content.encode("utf-8"), "latin.csv", engine=engine, accept_repaired=True)


def test_multiselect_without_options_warned(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    _dictionary(engine)
    content = (
        "Отметка времени,Код,Оцените пользу встреч,Какие сервисы вы используете\r\n"
        "10.10.2024 12:00,T001,4,\"Сферум, Моя школа\"\r\n"
        "10.10.2024 12:01,T002,5,\"Моя школа, ЦОК, Сферум\"\r\n"
    ).encode("utf-8")
    preview = preview_file(content, "services.csv", engine=engine)
    assert any("«Какие сервисы вы используете»" in w and "без разбиения" in w for w in preview.warnings)
    report = import_file(content, "services.csv", engine=engine)
    assert any("без разбиения" in w for w in report.warnings)
    with engine.connect() as conn:
        answers = conn.execute(sa.text(
            "SELECT answer FROM answer WHERE question = 'Какие сервисы вы используете' ORDER BY id"
        )).scalars().all()
    assert answers == ["Сферум, Моя школа", "Моя школа, ЦОК, Сферум"]


def test_csv_header_row_override():
    content = csv_bytes("Журнал наставников;;;;;;", [PARTICIPANTS_HEADER, *PARTICIPANT_ROWS[:2]])
    preview = preview_file(content, "titled.csv", header_row=2)
    assert preview.kind == "participants"
    assert preview.header_rows == [2]
    assert preview.rows == 2
