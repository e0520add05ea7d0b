"""«Данные»: upload through the file uploader, preview, import, report, log and undo."""

from pathlib import Path

import sqlalchemy as sa

from db.engine import get_engine
from db.models import Participant
from tests.dashboard.apptest_helpers import open_page, page_text

FIELD_INPUTS = Path(__file__).resolve().parents[3] / "shared" / "field-inputs"

NEW_PARTICIPANTS = (
    "Код;ФИО;Роль;Предмет;Стаж, лет;Дата регистрации\r\n"
    "T901;Иванова Мария Петровна;наставляемый;История;4,5;01.10.2024\r\n"
    "T902;Орлов Илья Семёнович;Наставник;Физика;20;02.10.2024\r\n"
).encode("cp1251")

BAD_PARTICIPANTS = (
    "Код,ФИО,Роль,Дата регистрации\n"
    "T903,Смирнова Ольга Ивановна,наставляемый,31.02.2025\n"
    "T904,Козлов Павел Андреевич,наставник,03.10.2024\n"
).encode("utf-8")


def _participant_count(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Participant)).scalar_one()


def _upload(at, name: str, content: bytes):
    at.file_uploader(key="upload_files").set_value((name, content, "text/csv"))
    at.run()
    return at


def test_data_page_runs(demo_db):
    at = open_page("data_import.py")
    assert not at.exception
    assert "Журнал загрузок" in page_text(at)


def test_preview_shows_cp1251_and_semicolon(demo_db):
    at = _upload(open_page("data_import.py"), "new.csv", NEW_PARTICIPANTS)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Вид данных"] == "Участники"
    assert metrics["Кодировка"] == "Windows-1251"
    assert metrics["Разделитель"] == "точка с запятой"
    assert metrics["Строк с данными"] == "2"


def test_import_button_writes_rows(demo_db):
    before = _participant_count(demo_db)
    at = _upload(open_page("data_import.py"), "new.csv", NEW_PARTICIPANTS)
    at.button(key="import_new.csv").click().run()
    assert not at.exception
    assert _participant_count(demo_db) == before + 2
    assert "загружено: 2" in page_text(at)


def test_rejected_file_writes_nothing(demo_db):
    before = _participant_count(demo_db)
    at = _upload(open_page("data_import.py"), "bad.csv", BAD_PARTICIPANTS)
    at.button(key="import_bad.csv").click().run()
    assert not at.exception
    text = page_text(at)
    assert "31.02.2025" in text
    assert "Ничего не записано" in text
    assert _participant_count(demo_db) == before


def test_field_input_cp1251_preview(demo_db):
    content = (FIELD_INPUTS / "f01_excel_ru_cp1251_semicolon.csv").read_bytes()
    at = _upload(open_page("data_import.py"), "f01.csv", content)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Кодировка"] == "Windows-1251"
    assert metrics["Строк с данными"] == "3"
