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
