"""«Данные»: upload through the file uploader, preview, import, report, log and undo."""


import pytest
import sqlalchemy as sa

from db.engine import get_engine
from db.importing import import_file
from db.importing.answers import duplicate_rule
from db.importing.mappings import find_mapping
from db.importing.review import pending_reviews
from db.models import Participant
from tests.conftest import FIELD_INPUTS
from tests.dashboard.apptest_helpers import open_page, page_text

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


# What the preview shows for each field-input file on the demo database: the data kind,
# the number of data rows and facts the reader detected (see the field-inputs README).
FIELD_INPUT_PREVIEWS = [
    ("f01_excel_ru_cp1251_semicolon.csv", "не распознан", "3",
     {"Кодировка": "Windows-1251", "Разделитель": "точка с запятой"}, ["десятичный знак: «,»"]),
    ("f03_google_utf8_bom.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "2",
     {"Кодировка": "UTF-8 с BOM", "Разделитель": "запятая"}, []),
    ("f04_timestamps_ddmm.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "4",
     {"Кодировка": "UTF-8"}, []),
    ("f05_activity_log_mixed_dates.xlsx", "не распознан", "4",
     {"Лист": "Журнал", "Строки заголовка": "1"}, ["пустых строк: 1 (будут пропущены)"]),
    ("f06_multiselect_commas.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "4", {}, []),
    ("f07_grid_likert.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "2", {}, []),
    ("f08_likert_label_variants.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "9", {}, []),
    ("f10_duplicates.csv", "Выгрузка формы (Google, Яндекс, Microsoft)", "5", {},
     ["пустых строк: 1 (будут пропущены)"]),
    ("f11_merged_header_log.xlsx", "не распознан", "3", {"Лист": "Учёт", "Строки заголовка": "2, 3"},
     ["«Итого» — итоговая, не данные; её числа совпадают с суммой строк выше"]),
    ("f12_prepost_scores_text_numbers.xlsx", "не распознан", "5", {"Лист": "Тест"},
     ["записаны в процентах (например, «85%»)"]),
]


@pytest.mark.parametrize(("name", "kind", "rows", "metrics", "texts"), FIELD_INPUT_PREVIEWS,
                         ids=[case[0] for case in FIELD_INPUT_PREVIEWS])
def test_field_input_preview_figures(demo_db, name, kind, rows, metrics, texts):
    at = _upload(open_page("data_import.py"), name, (FIELD_INPUTS / name).read_bytes())
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Вид данных"] == kind
    assert shown["Строк с данными"] == rows
    for label, value in metrics.items():
        assert shown[label] == value
    text = page_text(at)
    for expected in texts:
        assert expected in text


def test_header_row_picker_on_merged_header(demo_db):
    content = (FIELD_INPUTS / "f11_merged_header_log.xlsx").read_bytes()
    at = _upload(open_page("data_import.py"), "f11.xlsx", content)
    assert at.selectbox(key="sheet_f11.xlsx").options == ["Учёт"]
    # Rows 1 to 30 (the rows searched for a header) and pairs of rows up to 29–30.
    options = at.selectbox(key="header_f11.xlsx").options
    assert len(options) == 1 + 30 + 29
    at.selectbox(key="header_f11.xlsx").set_value("3").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Строки заголовка"] == "3"
    assert list(at.dataframe[0].value.columns) == [
        "Наставник", "Встречи", "Открытые уроки", "Материалы", "Формат"]
    at.selectbox(key="header_f11.xlsx").set_value("2-3").run()
    assert {m.label: m.value for m in at.metric}["Строки заголовка"] == "2, 3"
    assert list(at.dataframe[0].value.columns)[1] == "Мероприятия / Встречи"


FIRST_EXPORT = (
    "Отметка времени,Адрес электронной почты,Встречи с наставником были хорошо организованы,Номер кабинета\r\n"
    "01.12.2025 10:00:00,teacher01@school.example,Скорее согласен,12\r\n"
).encode("utf-8")
SECOND_EXPORT = (
    "Встречи с наставником были организованы хорошо,Отметка времени,Адрес электронной почты,Комментарий\r\n"
    "Полностью не согласен,15.12.2025 10:00:00,teacher01@school.example,нет\r\n"
).encode("utf-8")


def _form_roles(at) -> dict:
    """The role pickers of a form export's columns, by column name."""
    return {box.label[len("Столбец «"):-1]: box for box in at.selectbox
            if box.key and box.key.startswith("formmap_")}


def test_mapping_saved_and_applied_to_edited_export(demo_db):
    at = _upload(open_page("data_import.py"), "export1.csv", FIRST_EXPORT)
    assert not at.exception
    roles = _form_roles(at)
    assert {column: box.value for column, box in roles.items()} == {
        "Отметка времени": "timestamp", "Адрес электронной почты": "email",
        "Встречи с наставником были хорошо организованы": "question", "Номер кабинета": "question"}
    assert roles["Номер кабинета"].format_func("question") == "Вопрос (текст заголовка)"
    # The user decides the room number is not an answer and saves the mapping.
    roles["Номер кабинета"].set_value("ignore").run()
    at.button(key="save_mapping_export1.csv").click().run()
    assert "сохранено" in page_text(at)
    columns = FIRST_EXPORT.decode().splitlines()[0].split(",")
    with get_engine(demo_db).connect() as conn:
        saved = find_mapping(conn, columns)
    assert saved.roles["Номер кабинета"] == "ignore"
    assert saved.roles["Адрес электронной почты"] == "email"

    at = _upload(open_page("data_import.py"), "export2.csv", SECOND_EXPORT)
    text = page_text(at)
    assert "Применено сохранённое сопоставление" in text
    assert ("«Встречи с наставником были хорошо организованы» → "
            "«Встречи с наставником были организованы хорошо»") in text
    assert "Новые столбцы" in text
    assert "«Комментарий»" in text
    assert "нет столбцов из сохранённого сопоставления: «Номер кабинета»" in text
    at.button(key="import_export2.csv").click().run()
    assert not at.exception
    with get_engine(demo_db).connect() as conn:
        value = conn.execute(sa.text(
            "SELECT a.value FROM answer a JOIN submission s ON s.id = a.submission_id "
            "WHERE s.answered_on = '2025-12-15' "
            "AND a.question = 'Встречи с наставником были хорошо организованы'")).scalar_one()
    assert value == 1.0


def test_review_list_links_respondent(demo_db):
    content = (
        "Отметка времени,ФИО,Встречи с наставником были хорошо организованы\r\n"
        "02.12.2025 11:00:00,Незнакомова Тестовая Анкетовна,Скорее согласен\r\n"
    ).encode("utf-8")
    engine = get_engine(demo_db)
    report = import_file(content, "unknown.csv", engine=engine, questionnaire="mentee_satisfaction")
    assert report.reviews[0]["reason"] == "not_found"
    at = open_page("data_import.py")
    assert "Ответов ждут проверки: 1" in page_text(at)
    review_id = int(pending_reviews(engine)["review_id"][0])
    picker = at.selectbox(key=f"review_pick_{review_id}")
    first = picker.options[0]
    at.button(key=f"review_link_{review_id}").click().run()
    assert not at.exception
    assert "Респондент сопоставлен с участником" in page_text(at)
    assert "ответы записаны" in page_text(at)
    assert pending_reviews(engine).empty
    assert first.split(" — ")[0] in page_text(at)


def test_duplicate_rule_saved_from_page(demo_db):
    at = open_page("data_import.py")
    assert "загружается один раз" in page_text(at)
    at.radio(key="duplicate_rule").set_value("first").run()
    at.button(key="save_duplicate_rule").click().run()
    assert not at.exception
    with get_engine(demo_db).connect() as conn:
        assert duplicate_rule(conn) == "first"


def test_undo_button_removes_import(demo_db):
    at = _upload(open_page("data_import.py"), "new.csv", NEW_PARTICIPANTS)
    at.button(key="import_new.csv").click().run()
    before = _participant_count(demo_db)
    at = open_page("data_import.py")
    assert "new.csv" in at.selectbox(key="log_import_id").format_func(at.selectbox(key="log_import_id").value)
    at.checkbox(key=f"undo_confirm_{at.selectbox(key='log_import_id').value}").check()
    at.button(key="undo_import").click().run()
    assert not at.exception
    assert "отменена" in page_text(at)
    assert _participant_count(demo_db) == before - 2


def test_several_files_imported_in_dependency_order(demo_db):
    groups = (
        "Код группы;Код наставника;Код наставляемого;Модель;Дата начала\r\n"
        "G901;T902;T901;цифровая;05.10.2024\r\n"
    ).encode("utf-8")
    at = open_page("data_import.py")
    at.file_uploader(key="upload_files").set_value([
        ("groups.csv", groups, "text/csv"), ("new.csv", NEW_PARTICIPANTS, "text/csv")])
    at.run()
    at.button(key="import_all").click().run()
    assert not at.exception
    text = page_text(at)
    assert "**new.csv** — загружен" in text
    assert "**groups.csv** — загружен" in text
    assert text.index("**new.csv**") < text.index("**groups.csv**")


def test_mojibake_needs_confirmation_on_page(demo_db):
    header = "code;full_name;role;registered_on"
    text = f"{header}\r\nT905;Петрова Анна Сергеевна;наставник;01.10.2024\r\n"
    content = text.encode("utf-8").decode("cp1251").encode("utf-8")
    at = _upload(open_page("data_import.py"), "broken.csv", content)
    assert "После исправления" in at.dataframe[0].value.columns
    at.button(key="import_broken.csv").click().run()
    assert "подтвердите исправление" in page_text(at)
    at.checkbox(key="accept_repaired_broken.csv").check().run()
    at.button(key="import_broken.csv").click().run()
    assert not at.exception
    with get_engine(demo_db).connect() as conn:
        name = conn.execute(sa.text("SELECT full_name FROM participant WHERE code = 'T905'")).scalar_one()
    assert name == "Петрова Анна Сергеевна"


F12_PEOPLE = "".join(
    ["Код;ФИО;Роль;Дата регистрации\r\n"]
    + [f"P9{i};Педагог 0{i};наставляемый;01.09.2024\r\n" for i in range(1, 6)]).encode("utf-8")


def test_unrecognised_table_mapped_and_imported(demo_db):
    import_file(F12_PEOPLE, "people.csv", engine=get_engine(demo_db))
    content = (FIELD_INPUTS / "f12_prepost_scores_text_numbers.xlsx").read_bytes()
    at = _upload(open_page("data_import.py"), "f12.xlsx", content)
    assert "Вид данных по заголовкам не распознан" in page_text(at)
    assert at.selectbox(key="kind_f12.xlsx").options == [
        "Участники", "Пары и группы", "Оценки компетенций", "Мероприятия", "Ответы на анкеты",
        "Выгрузка формы (Google, Яндекс, Microsoft)"]
    assert not [button for button in at.button if button.key == "import_f12.xlsx"]
    at.selectbox(key="kind_f12.xlsx").set_value("assessments").run()
    assert not at.exception
    prefix = "map_f12.xlsx_assessments__"
    # The best guess fills the mapping: the name column identifies people, each score column is a stage.
    assert at.selectbox(key=prefix + "ФИО").value == "full_name"
    assert at.selectbox(key=prefix + "Балл до").value == "score:pre"
    assert at.selectbox(key=prefix + "Балл после").value == "score:post"
    assert at.selectbox(key=prefix + "Балл после").options[0] == "не загружать"
    defaults = "set_f12.xlsx_assessments__"
    at.text_input(key=defaults + "area").input("Сферум")
    at.text_input(key=defaults + "assessed_on").input("01.10.2024")
    at.number_input(key=defaults + "max_score").set_value(100.0)
    at.run()
    assert {m.label: m.value for m in at.metric}["Вид данных"] == "Оценки компетенций"
    at.checkbox(key="upload_skip_invalid").check()
    at.button(key="import_f12.xlsx").click().run()
    assert not at.exception
    text = page_text(at)
    assert "загружено: 3" in text
    assert "85%" in str([frame.value for frame in at.dataframe])
    with get_engine(demo_db).connect() as conn:
        scores = conn.execute(sa.text(
            "SELECT p.code, a.stage, a.score FROM assessment a JOIN participant p "
            "ON p.id = a.participant_id WHERE p.code LIKE 'P9%' ORDER BY p.code, a.stage DESC")).all()
    assert [tuple(row) for row in scores] == [
        ("P91", "pre", 60.0), ("P91", "post", 72.5), ("P92", "pre", 58.5), ("P92", "post", 70.0),
        ("P95", "pre", 64.0), ("P95", "post", 66.0)]


def test_totals_table_offers_no_import(demo_db):
    content = (FIELD_INPUTS / "f11_merged_header_log.xlsx").read_bytes()
    at = _upload(open_page("data_import.py"), "f11.xlsx", content)
    assert not at.exception
    text = page_text(at)
    assert "итоговые количества по участникам" in text
    assert "строка 8 «Итого» совпадает с суммой строк выше" in text
    assert not [button for button in at.button if button.key == "import_f11.xlsx"]
    assert not [box for box in at.selectbox if box.key == "kind_f11.xlsx"]
