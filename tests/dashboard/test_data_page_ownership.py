"""«Данные»: widget state follows the uploaded file, and an unrecognised table imports as a form."""

import sqlalchemy as sa

from dashboard.import_controls import is_label_key
from db.engine import get_engine
from tests.dashboard.apptest_helpers import open_page, page_text

NAME = "оценки.csv"
SECOND_LABEL = "оценки.csv (2)"
QUESTION = "Встречи с наставником были хорошо организованы"
# Form exports with no code, e-mail or name column, so the page imports them only when ticked anonymous.
FIRST_FORM = (
    f"Отметка времени,{QUESTION}\r\n"
    "03.12.2025 10:00:00,Скорее согласен\r\n"
).encode("utf-8")
SECOND_FORM = (
    f"Отметка времени,{QUESTION}\r\n"
    "17.12.2025 10:00:00,Полностью не согласен\r\n"
    "18.12.2025 11:00:00,Скорее согласен\r\n"
).encode("utf-8")
PAPER_SURVEY = (
    f"Дата,{QUESTION}\r\n"
    "01.12.2025,Полностью согласен\r\n"
    "02.12.2025,Скорее согласен\r\n"
    "03.12.2025,Скорее не согласен\r\n"
).encode("utf-8")


def _upload_both(at):
    at.file_uploader(key="upload_files").set_value([
        (NAME, FIRST_FORM, "text/csv"), (NAME, SECOND_FORM, "text/csv")])
    at.run()
    return at


def _keep_only(at, index: int):
    """Leave upload `index` alone in the uploader with its file id, as the browser does."""
    remaining = at.session_state["upload_files"][index]
    uploader = at.file_uploader(key="upload_files")
    # set_value gives every file a new id; the browser keeps the id of a file that stays.
    uploader._files = [(remaining.file_id, remaining.name, remaining.getvalue(), remaining.type)]
    at.run()
    return at


def _rows_metric(at) -> list[str]:
    return [metric.value for metric in at.metric if metric.label == "Строк с данными"]


def _anonymous_submissions(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(
            "SELECT count(*) FROM submission WHERE participant_id IS NULL")).scalar_one()


def test_label_key_matches_whole_label():
    assert is_label_key("header_a.csv", "a.csv")
    assert is_label_key("anonymous_a.csv", "a.csv")
    assert is_label_key("map_a.csv_participants__ФИО", "a.csv")
    assert is_label_key("set_a.csv_assessments__area", "a.csv")
    assert is_label_key("formmap_a.csv_mentee_satisfaction::Дата", "a.csv")
    assert not is_label_key("header_a.csv (2)", "a.csv")
    assert not is_label_key("map_a.csv (2)_participants__ФИО", "a.csv")
    assert not is_label_key("formmap_a.csv (2)_mentee_satisfaction::Дата", "a.csv")
    assert not is_label_key("upload_skip_invalid", "a.csv")
    assert not is_label_key("import_all", "a.csv")


def test_removed_file_settings_not_inherited(demo_db):
    at = _upload_both(open_page("data_import.py"))
    assert not at.exception
    at.selectbox(key=f"header_{NAME}").set_value("1")
    at.checkbox(key=f"anonymous_{NAME}").check()
    at.run()
    assert at.checkbox(key=f"anonymous_{NAME}").value is True
    assert at.checkbox(key=f"anonymous_{SECOND_LABEL}").value is False
    assert not at.button(key=f"import_{NAME}").disabled

    # Only the second file stays: it takes the bare label, but not the first file's settings.
    at.file_uploader(key="upload_files").set_value([(NAME, SECOND_FORM, "text/csv")])
    at.run()
    assert not at.exception
    headings = [block.value for block in at.markdown if block.value.startswith("#### ")]
    assert headings == [f"#### {NAME}"]
    assert _rows_metric(at) == ["2"]
    assert at.selectbox(key=f"header_{NAME}").value == "auto"
    assert at.checkbox(key=f"anonymous_{NAME}").value is False
    assert at.button(key=f"import_{NAME}").disabled


def test_second_file_keeping_id_gets_defaults(demo_db):
    at = _upload_both(open_page("data_import.py"))
    at.selectbox(key=f"header_{NAME}").set_value("1")
    at.checkbox(key=f"anonymous_{NAME}").check()
    at.run()
    _keep_only(at, 1)
    assert not at.exception
    assert _rows_metric(at) == ["2"]
    assert at.selectbox(key=f"header_{NAME}").value == "auto"
    assert at.checkbox(key=f"anonymous_{NAME}").value is False


def test_first_file_keeps_its_settings(demo_db):
    at = _upload_both(open_page("data_import.py"))
    at.selectbox(key=f"header_{NAME}").set_value("1")
    at.checkbox(key=f"anonymous_{NAME}").check()
    at.run()
    # The second file goes; the first still owns the bare label, so its settings stay.
    _keep_only(at, 0)
    assert not at.exception
    assert _rows_metric(at) == ["1"]
    assert at.selectbox(key=f"header_{NAME}").value == "1"
    assert at.checkbox(key=f"anonymous_{NAME}").value is True


def test_unrecognised_table_imported_as_form(demo_db):
    before = _anonymous_submissions(demo_db)
    at = open_page("data_import.py")
    at.file_uploader(key="upload_files").set_value(("бумажные.csv", PAPER_SURVEY, "text/csv"))
    at.run()
    assert not at.exception
    assert "Вид данных по заголовкам не распознан" in page_text(at)
    kind_box = at.selectbox(key="kind_бумажные.csv")
    assert kind_box.options[-1] == "Выгрузка формы (Google, Яндекс, Microsoft)"
    kind_box.set_value("form").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Вид данных"] == "Выгрузка формы (Google, Яндекс, Microsoft)"
    # The kind choice stays, so the user can pick a template again.
    assert at.selectbox(key="kind_бумажные.csv").value == "form"
    at.selectbox(key="questionnaire_бумажные.csv").set_value("mentee_satisfaction").run()
    role_keys = [box.key for box in at.selectbox if box.key and box.key.startswith("formmap_бумажные.csv_")]
    assert role_keys == [
        "formmap_бумажные.csv_mentee_satisfaction::Дата",
        f"formmap_бумажные.csv_mentee_satisfaction::{QUESTION}",
    ]
    assert at.button(key="import_бумажные.csv").disabled
    at.checkbox(key="anonymous_бумажные.csv").check().run()
    at.button(key="import_бумажные.csv").click().run()
    assert not at.exception
    assert _anonymous_submissions(demo_db) - before == 3
