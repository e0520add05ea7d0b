"""«Данные»: uploads that share a file name, and the import log's selection and undo."""

import sqlalchemy as sa

from dashboard.import_views import upload_labels
from db.engine import get_engine
from db.import_log import import_log
from tests.dashboard.apptest_helpers import open_page, page_text

SAME_NAME = "Ответы.csv"
SECOND_LABEL = "Ответы.csv (2)"
PEOPLE_HEADER = "Код;ФИО;Роль;Дата регистрации\r\n"
FIRST_PEOPLE = (PEOPLE_HEADER + "T911;Белова Анна Игоревна;наставляемый;01.10.2024\r\n").encode("utf-8")
SECOND_PEOPLE = (
    PEOPLE_HEADER
    + "T912;Зуев Пётр Ильич;наставник;02.10.2024\r\n"
    + "T913;Лебедева Нина Олеговна;наставляемый;03.10.2024\r\n"
).encode("utf-8")
QUESTION = "Встречи с наставником были хорошо организованы"
FIRST_FORM = (
    f"Отметка времени,Адрес электронной почты,{QUESTION}\r\n"
    "03.12.2025 10:00:00,teacher01@school.example,Скорее согласен\r\n"
).encode("utf-8")
SECOND_FORM = (
    f"Отметка времени,Адрес электронной почты,{QUESTION}\r\n"
    "17.12.2025 10:00:00,teacher01@school.example,Полностью не согласен\r\n"
).encode("utf-8")


def _codes(url: str, pattern: str = "T91%") -> list[str]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT code FROM participant WHERE code LIKE :pattern ORDER BY code"), {"pattern": pattern})
        return [row[0] for row in rows]


def _import_id(url: str, file_name: str) -> int:
    """The id of the newest import of `file_name` in the log."""
    log = import_log(get_engine(url))
    return int(log.loc[log["file_name"] == file_name, "import_id"].iloc[0])


def _newest_import_id(url: str) -> int:
    return int(import_log(get_engine(url))["import_id"].iloc[0])


def _import_from_page(at, name: str, content: bytes):
    at.file_uploader(key="upload_files").set_value((name, content, "text/csv"))
    at.run()
    at.button(key=f"import_{name}").click().run()
    return at


def test_upload_labels_number_repeats():
    names = [SAME_NAME, "a.csv", SAME_NAME, SAME_NAME]
    assert upload_labels(names) == [SAME_NAME, "a.csv", SECOND_LABEL, "Ответы.csv (3)"]


def test_upload_labels_unique_names_unchanged():
    assert upload_labels(["new.csv", "f11.xlsx"]) == ["new.csv", "f11.xlsx"]
    assert upload_labels([]) == []


def test_upload_labels_skip_taken_label():
    # A real file already carries the label the repeat would get, so the repeat takes the next one.
    assert upload_labels(["x.csv", "x.csv (2)", "x.csv"]) == ["x.csv", "x.csv (2)", "x.csv (3)"]


def test_same_name_uploads_preview_and_import(demo_db):
    at = open_page("data_import.py")
    at.file_uploader(key="upload_files").set_value([
        (SAME_NAME, FIRST_PEOPLE, "text/csv"), (SAME_NAME, SECOND_PEOPLE, "text/csv")])
    at.run()
    assert not at.exception
    headings = [block.value for block in at.markdown if block.value.startswith("#### ")]
    assert headings == [f"#### {SAME_NAME}", f"#### {SECOND_LABEL}"]
    rows = [metric.value for metric in at.metric if metric.label == "Строк с данными"]
    assert rows == ["1", "2"]
    assert at.selectbox(key=f"header_{SAME_NAME}").value == "auto"
    assert at.selectbox(key=f"header_{SECOND_LABEL}").value == "auto"

    at.button(key=f"import_{SECOND_LABEL}").click().run()
    assert not at.exception
    assert _codes(demo_db) == ["T912", "T913"]
    assert f"**{SAME_NAME}** — загружен" in page_text(at)

    at.button(key=f"import_{SAME_NAME}").click().run()
    assert not at.exception
    assert _codes(demo_db) == ["T911", "T912", "T913"]
    log = import_log(get_engine(demo_db))
    assert log["file_name"].head(2).tolist() == [SAME_NAME, SAME_NAME]
    assert log["imported"].head(2).tolist() == [1, 2]


def test_same_name_form_exports_import_all(demo_db):
    at = open_page("data_import.py")
    at.file_uploader(key="upload_files").set_value([
        (SAME_NAME, FIRST_FORM, "text/csv"), (SAME_NAME, SECOND_FORM, "text/csv")])
    at.run()
    assert not at.exception
    form_keys = {box.key for box in at.selectbox if box.key and box.key.startswith("formmap_")}
    assert any(key.startswith(f"formmap_{SAME_NAME}_") for key in form_keys)
    assert any(key.startswith(f"formmap_{SECOND_LABEL}_") for key in form_keys)
    assert at.selectbox(key=f"questionnaire_{SECOND_LABEL}").value

    at.button(key="import_all").click().run()
    assert not at.exception
    assert page_text(at).count(f"**{SAME_NAME}** — загружен") == 2
    with get_engine(demo_db).connect() as conn:
        values = conn.execute(sa.text(
            "SELECT s.answered_on, a.value FROM answer a JOIN submission s ON s.id = a.submission_id "
            "WHERE s.answered_on IN ('2025-12-03', '2025-12-17') AND a.question = :question "
            "ORDER BY s.answered_on"), {"question": QUESTION}).all()
    assert [float(row[1]) for row in values] == [4.0, 1.0]


def test_import_selects_new_import_in_log(demo_db):
    at = open_page("data_import.py")
    log_box = at.selectbox(key="log_import_id")
    oldest = log_box.options[-1]
    log_box.set_value(int(oldest.split(":")[0])).run()
    assert at.selectbox(key="log_import_id").value == int(oldest.split(":")[0])

    _import_from_page(at, "new.csv", FIRST_PEOPLE)
    assert not at.exception
    newest = _newest_import_id(demo_db)
    assert newest == _import_id(demo_db, "new.csv")
    log_box = at.selectbox(key="log_import_id")
    assert log_box.value == newest
    assert log_box.format_func(log_box.value) == f"{newest}: new.csv"
    assert at.checkbox(key=f"undo_confirm_{newest}").label == f"Да, отменить загрузку №{newest} («new.csv»)"


def test_undo_without_confirmation_keeps_rows(demo_db):
    at = _import_from_page(open_page("data_import.py"), "new.csv", FIRST_PEOPLE)
    import_id = _import_id(demo_db, "new.csv")
    assert at.checkbox(key=f"undo_confirm_{import_id}").value is False

    at.button(key="undo_import").click().run()
    assert not at.exception
    assert _codes(demo_db) == ["T911"]
    text = page_text(at)
    assert f"Загрузка №{import_id} («new.csv») не отменена" in text
    assert "удалено записей" not in text
    log = import_log(get_engine(demo_db))
    assert log.loc[log["import_id"] == import_id, "status"].iloc[0] == "imported"


def test_undo_with_confirmation_removes_selected_only(demo_db):
    at = _import_from_page(open_page("data_import.py"), "first.csv", FIRST_PEOPLE)
    at = _import_from_page(at, "second.csv", SECOND_PEOPLE)
    first_id = _import_id(demo_db, "first.csv")
    second_id = _import_id(demo_db, "second.csv")
    assert at.selectbox(key="log_import_id").value == second_id
    assert _codes(demo_db) == ["T911", "T912", "T913"]

    at.selectbox(key="log_import_id").set_value(first_id).run()
    at.checkbox(key=f"undo_confirm_{first_id}").check().run()
    at.button(key="undo_import").click().run()
    assert not at.exception
    assert _codes(demo_db) == ["T912", "T913"]
    assert f"Загрузка №{first_id} («first.csv») отменена, удалено записей: 1." in page_text(at)
    log = import_log(get_engine(demo_db))
    statuses = dict(zip(log["import_id"], log["status"], strict=True))
    assert statuses[first_id] == "undone"
    assert statuses[second_id] == "imported"
    # The log table on the page shows the new status at once, and the details say the rows are gone.
    shown = next(frame.value for frame in at.dataframe if "Статус" in frame.value.columns)
    shown_status = dict(zip(shown["№"], shown["Статус"], strict=True))
    assert shown_status[first_id] == "отменён"
    assert at.selectbox(key="log_import_id").value == first_id
    assert "Эта загрузка отменена: строки ниже были загружены" in page_text(at)


def test_undo_confirmation_tied_to_import_id(demo_db):
    at = _import_from_page(open_page("data_import.py"), "first.csv", FIRST_PEOPLE)
    at = _import_from_page(at, "second.csv", SECOND_PEOPLE)
    first_id = _import_id(demo_db, "first.csv")
    second_id = _import_id(demo_db, "second.csv")
    # The tick given for the newest import must not confirm the older one selected after it.
    at.checkbox(key=f"undo_confirm_{second_id}").check().run()
    at.selectbox(key="log_import_id").set_value(first_id).run()
    assert at.checkbox(key=f"undo_confirm_{first_id}").value is False

    at.button(key="undo_import").click().run()
    assert not at.exception
    assert _codes(demo_db) == ["T911", "T912", "T913"]
    assert f"Загрузка №{first_id} («first.csv») не отменена" in page_text(at)
