"""Anonymous form exports, the questionnaire a form goes to, and the dictionary command."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from db.__main__ import main as db_main
from db.demo import load_standard_questionnaires
from db.errors import ImportValidationError
from db.importing import import_file, preview_file
from db.importing.scales import load_questionnaires
from tests.conftest import SAMPLE_DATA
from tests.db.import_helpers import count

QUESTION = "Встречи с наставником были хорошо организованы"


def _paper_survey(rows: int) -> bytes:
    """Answers typed in from paper: a date without a time and the same answer from everyone."""
    lines = [f"Дата,{QUESTION}"] + ["15.05.2025,Полностью согласен" for _ in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _microsoft_anonymous(rows: int) -> bytes:
    """A Microsoft Forms export of an anonymous form: «anonymous» for the e-mail, no name."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Время начала", "Время завершения", "Адрес электронной почты", "Имя", QUESTION])
    for index in range(rows):
        sheet.append([index + 1, f"5/15/25 10:{index:02d}:00", f"15.05.2025 10:{index:02d}:30",
                      "anonymous", None, "Скорее согласен"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def dictionary(engine):
    load_standard_questionnaires(engine)
    return engine


def test_identical_anonymous_rows_are_people(dictionary):
    first = import_file(_paper_survey(20), "paper.csv", engine=dictionary,
                        questionnaire="mentee_satisfaction", anonymous=True)
    assert (first.imported, first.duplicates) == (20, 0)
    assert count(dictionary, "submission") == 20
    again = import_file(_paper_survey(20), "paper.csv", engine=dictionary,
                        questionnaire="mentee_satisfaction", anonymous=True)
    assert (again.imported, again.duplicates) == (0, 20)
    grown = import_file(_paper_survey(23), "paper.csv", engine=dictionary,
                        questionnaire="mentee_satisfaction", anonymous=True)
    assert (grown.imported, grown.duplicates) == (3, 20)
    assert count(dictionary, "submission") == 23


def test_microsoft_anonymous_export(dictionary):
    content = _microsoft_anonymous(6)
    preview = preview_file(content, "ms.xlsx", engine=dictionary)
    assert preview.kind == "form"
    assert not preview.respondent_column
    assert preview.mapping["Адрес электронной почты"] == "ignore"
    assert any("содержит только «anonymous»" in warning for warning in preview.warnings)
    with pytest.raises(ImportValidationError) as refused:
        import_file(content, "ms.xlsx", engine=dictionary)
    assert "загрузите её как анонимную" in refused.value.message
    assert "«Адрес электронной почты» содержит только «anonymous»" in refused.value.message
    report = import_file(content, "ms.xlsx", engine=dictionary, anonymous=True)
    assert (report.imported, report.skipped, report.reviews) == (6, 0, [])
    assert report.detected["questionnaire"] == "mentee_satisfaction"
    with dictionary.connect() as conn:
        values = conn.execute(sa.text(
            "SELECT a.value FROM answer a JOIN submission s ON s.id = a.submission_id "
            "WHERE s.participant_id IS NULL")).scalars().all()
    assert values == [4.0] * 6


def test_rejected_anonymous_file_not_called_loaded(dictionary):
    content = _paper_survey(2).replace(b"15.05.2025,", b"31.02.2025,", 1)
    report = import_file(content, "paper.csv", engine=dictionary,
                         questionnaire="mentee_satisfaction", anonymous=True)
    assert report.status == "rejected"
    assert report.rejected[0].row == 2
    assert not any("загружена как анонимная" in warning for warning in report.warnings)


def test_questionnaire_without_the_form_questions_rejected(dictionary):
    with pytest.raises(ImportValidationError) as error:
        import_file(_paper_survey(2), "paper.csv", engine=dictionary, questionnaire="diagnostic",
                    anonymous=True)
    assert "ни один вопрос формы не найден в анкете «diagnostic»" in error.value.message
    assert f"«{QUESTION}»" in error.value.message
    assert count(dictionary, "submission") == 0


def test_init_loads_programme_questionnaires(engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert db_main(["init"]) == 0
    assert "diagnostic, mentee_satisfaction, mentor_satisfaction" in capsys.readouterr().out
    with engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM questionnaire ORDER BY key")).scalars().all()
    assert keys == ["diagnostic", "mentee_satisfaction", "mentor_satisfaction"]
    # A second init leaves an edited dictionary alone.
    assert db_main(["init"]) == 0
    assert "словарь" not in capsys.readouterr().out
    standard = json.loads((SAMPLE_DATA / "questionnaires.json").read_text("utf-8"))
    assert len(load_questionnaires(standard, engine=engine)) == 3


def test_dictionary_command(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    custom = tmp_path / "анкеты.json"
    custom.write_text(json.dumps([{"key": "parents", "title": "Анкета родителей", "questions": [
        {"text": "Ребёнку нравятся уроки с цифровыми ресурсами", "kind": "text"}]}],
        ensure_ascii=False), "utf-8")
    assert db_main(["dictionary", str(custom)]) == 0
    assert "Словарь анкет загружен: parents." in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text('{"key": "x",\n "questions": [', "utf-8")
    assert db_main(["dictionary", str(broken)]) == 1
    message = capsys.readouterr().err
    assert "Файл broken.json: это не словарь анкет в формате JSON" in message
    assert "строка 2" in message
    no_key = tmp_path / "no_key.json"
    no_key.write_text('[{"title": "Без ключа", "questions": []}]', "utf-8")
    assert db_main(["dictionary", str(no_key)]) == 1
    assert "анкета №1 без ключа «key»" in capsys.readouterr().err
    assert db_main(["dictionary", str(tmp_path / "missing.json")]) == 2


def test_confirmed_repair_reported_as_done(engine):
    # English headers, because «И» (UTF-8 byte 0x98) has no Windows-1251 character.
    text = ("code;full_name;role;registered_on\r\n"
            "T001;Петрова Анна Сергеевна;наставник;01.09.2024\r\n"
            "T002;Соколов Дмитрий Олегович;наставляемый;02.09.2024\r\n")
    garbled = text.encode("utf-8").decode("cp1251").encode("utf-8")
    report = import_file(garbled, "broken.csv", engine=engine, accept_repaired=True)
    assert report.imported == 2
    assert not any("подтвердите исправление" in warning for warning in report.warnings)
    assert any("загружен исправленным" in warning for warning in report.warnings)


def test_same_answers_retaken_later_count_again(dictionary):
    from tests.db.import_helpers import participants_csv

    import_file(participants_csv(), "participants.csv", engine=dictionary)
    header = "Дата;Код;Анкета;Вопрос;Ответ"
    rows = [f"{moment};T002;mentee_satisfaction;{QUESTION};Скорее согласен"
            for moment in ("01.10.2024 10:00", "01.10.2024 10:00:02", "15.01.2025 09:30")]
    content = ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")
    report = import_file(content, "answers.csv", engine=dictionary)
    # Two seconds apart: one submission sent twice. Three months later: the questionnaire retaken.
    assert (report.imported, report.duplicates) == (2, 1)
    assert report.duplicate_rows[0][0] == 3
    with dictionary.connect() as conn:
        days = conn.execute(sa.text("SELECT answered_on FROM submission ORDER BY answered_at")).scalars().all()
    assert [str(day) for day in days] == ["2024-10-01", "2025-01-15"]
    again = import_file(content, "answers.csv", engine=dictionary)
    assert (again.imported, again.duplicates) == (0, 3)


def test_mixed_microsoft_export_anonymous_rows(dictionary):
    """Some respondents signed in (e-mail given), others answered as «anonymous»."""
    from tests.db.import_helpers import participants_csv

    import_file(participants_csv(), "participants.csv", engine=dictionary)
    workbook = openpyxl.load_workbook(io.BytesIO(_microsoft_anonymous(7)))
    sheet = workbook.active
    for row, email in zip(range(2, 5), ("t001@school.example", "t002@school.example",
                                        "t003@school.example"), strict=True):
        sheet.cell(row=row, column=4, value=email)
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    plain = import_file(content, "mixed.xlsx", engine=dictionary, dry_run=True)
    assert (plain.imported, plain.skipped) == (3, 4)
    assert {review["respondent"] for review in plain.reviews} == {"anonymous"}
    report = import_file(content, "mixed.xlsx", engine=dictionary, anonymous=True)
    assert (report.imported, report.skipped, report.reviews) == (7, 0, [])
    assert any(warning.startswith("Анонимных строк: 4.") for warning in report.warnings)
    with dictionary.connect() as conn:
        anonymous = conn.execute(sa.text(
            "SELECT count(*) FROM submission WHERE participant_id IS NULL")).scalar_one()
    assert anonymous == 4


def test_text_report_says_why_rows_skipped(dictionary, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", dictionary.url.render_as_string(hide_password=False))
    path = tmp_path / "google.csv"
    path.write_bytes((f"Отметка времени,Адрес электронной почты,{QUESTION}\r\n"
                      "15.05.2025 10:00:00,nobody1@school.example,Скорее согласен\r\n"
                      "15.05.2025 10:05:00,nobody2@school.example,Полностью согласен\r\n"
                      ",,\r\n").encode("utf-8"))
    assert db_main(["import", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("пропущено 3, с ошибками 0 (загружено)")
    assert "  Пропущено строк: 1 — пустая строка." in lines
    assert any(line.startswith("  Пропущено строк: 2 — респондент не найден среди участников: 2.")
               and "«Проверка респондентов»" in line for line in lines)


def test_form_map_role_checked(dictionary):
    content = _paper_survey(2)
    with pytest.raises(ImportValidationError) as error:
        import_file(content, "paper.csv", engine=dictionary, kind="form", anonymous=True,
                    mapping={"Дата": "timestamp", QUESTION: "question", "Почта": "e-mail"})
    assert "неизвестное назначение столбца: «Почта» → «e-mail»" in error.value.message
    assert "full_name" in error.value.message


def test_unknown_table_names_header_row(engine):
    content = ("Школа;Учебный год;;\r\n"
               "Итоги;2024/2025;;\r\n").encode("utf-8")
    with pytest.raises(ImportValidationError) as error:
        import_file(content, "info.csv", engine=engine)
    assert "--header-row N" in error.value.message
    assert "Unnamed" not in error.value.message
