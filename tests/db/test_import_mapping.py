"""Tables whose headers match no template: kind, column mapping, names and values for every row."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from db.errors import ImportValidationError
from db.importing import import_file, preview_file
from db.importing.reading import read_table
from db.importing.validate import validate_table
from tests.conftest import FIELD_INPUTS
from tests.db.import_helpers import count, csv_bytes, participants_csv

# Synthetic people named like the rows of f12 («Педагог 01» … «Педагог 05»).
F12_PEOPLE = csv_bytes("Код;ФИО;Роль;Дата регистрации", [
    f"P0{i};Педагог 0{i};наставляемый;01.09.2024" for i in range(1, 6)])
F12_MAPPING = {"ФИО": "full_name", "Балл до": "score:pre", "Балл после": "Балл (после)"}
F12_DEFAULTS = {"Область": "Сферум", "max_score": "100", "Дата": "01.10.2024"}


def scores_by_code(engine) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT p.code, a.stage, a.score FROM assessment a "
            "JOIN participant p ON p.id = a.participant_id ORDER BY p.code, a.stage DESC"))]


def test_f12_stage_columns_import_scores(engine, tmp_path):
    import_file(F12_PEOPLE, "people.csv", engine=engine)
    # A copy, because --skip-invalid writes the rejected rows beside the file.
    path = tmp_path / "f12_prepost_scores_text_numbers.xlsx"
    path.write_bytes((FIELD_INPUTS / path.name).read_bytes())
    report = import_file(path, engine=engine,
                         kind="assessments", mapping=F12_MAPPING, defaults=F12_DEFAULTS,
                         skip_invalid=True)
    # Row 5 has «85%»: flagged and rejected, never read as 85 or 0.85. Row 4 has no score at all.
    assert report.status == "imported"
    assert [(issue.row, issue.column, issue.value) for issue in report.rejected] == [(5, "Балл до", "85%")]
    assert "в процентах" in report.rejected[0].message
    assert report.skipped_rows == [(4, "нет ни одного балла")]
    assert report.imported == 3
    assert report.rejected_file == str(tmp_path / "f12_prepost_scores_text_numbers.xlsx.rejected.csv")
    assert scores_by_code(engine) == [
        ("P01", "pre", 60.0), ("P01", "post", 72.5), ("P02", "pre", 58.5), ("P02", "post", 70.0),
        ("P05", "pre", 64.0), ("P05", "post", 66.0)]


def test_f12_report_lists_converted_cells(engine):
    import_file(F12_PEOPLE, "people.csv", engine=engine)
    report = import_file(FIELD_INPUTS / "f12_prepost_scores_text_numbers.xlsx", engine=engine,
                         kind="assessments", mapping=F12_MAPPING, defaults=F12_DEFAULTS,
                         skip_invalid=True, dry_run=True)
    converted = {(issue.row, issue.column, issue.value): issue.message for issue in report.converted}
    assert "прочитан как число 58.5" in converted[(3, "Балл до", "58,5")]
    assert "прочитан как число 64" in converted[(6, "Балл до", " 64 ")]
    assert "прочитан как число 70" in converted[(3, "Балл после", "70,0")]
    assert "нет значения" in converted[(4, "Балл до", "—")]
    assert "отсутствовал (н/я)" in converted[(4, "Балл после", "н/я")]


def test_second_import_with_other_mapping(engine, tmp_path):
    """The same wide file imported stage by stage: each mapping adds its own stage, repeats add nothing."""
    import_file(F12_PEOPLE, "people.csv", engine=engine)
    # A copy, because skip_invalid writes the rejected rows beside the file.
    path = tmp_path / "f12_prepost_scores_text_numbers.xlsx"
    path.write_bytes((FIELD_INPUTS / path.name).read_bytes())
    common = {"kind": "assessments", "engine": engine, "skip_invalid": True}
    pre = import_file(path, mapping={"ФИО": "full_name", "Балл до": "score", "Балл после": "ignore"},
                      defaults={**F12_DEFAULTS, "stage": "до"}, **common)
    post = import_file(path, mapping={"ФИО": "full_name", "Балл после": "score"},
                       defaults={**F12_DEFAULTS, "stage": "после"}, **common)
    again = import_file(path, mapping={"ФИО": "full_name", "Балл после": "score"},
                        defaults={**F12_DEFAULTS, "stage": "после"}, **common)
    assert (pre.imported, post.imported, again.imported, again.duplicates) == (3, 4, 0, 4)
    assert count(engine, "assessment") == 7


def test_f01_wide_scores_by_full_name(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    report = import_file(
        FIELD_INPUTS / "f01_excel_ru_cp1251_semicolon.csv", engine=engine, kind="assessments",
        mapping={"ФИО педагога": "full_name", "Дата теста": "assessed_on", "Балл до": "score:pre",
                 "Балл после": "score:post", "Роль": "ignore", "Комментарий": "ignore"},
        defaults={"area": "Сферум", "max_score": 100})
    assert report.status == "imported", [issue.message for issue in report.rejected]
    assert (report.rows_total, report.imported) == (3, 3)
    scores = scores_by_code(engine)
    assert [(code, stage) for code, stage, _ in scores] == [
        ("T001", "pre"), ("T001", "post"), ("T002", "pre"), ("T002", "post"), ("T003", "pre"),
        ("T003", "post")]
    assert [score for _, stage, score in scores if stage == "pre"] == [61.5, 70.0, 88.25]


def test_full_name_ambiguous_and_unknown_rejected(engine):
    # T005 and T006 are namesakes «Иванов Пётр Андреевич»: never guessed between.
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes("ФИО;Область;Этап;Дата;Балл;Максимум", [
        "Иванов Петр Андреевич;Сферум;до;01.10.2024;50;100",
        "Сидорова Нина Юрьевна;Сферум;до;01.10.2024;50;100",
        "петрова а. с.;Сферум;до;01.10.2024;50;100",
    ])
    report = import_file(content, "names.csv", engine=engine, kind="assessments")
    assert report.status == "rejected"
    messages = {issue.row: issue.message for issue in report.rejected}
    assert "«Иванов Петр Андреевич» подходит нескольким участникам (T005, T006)" in messages[2]
    assert "участник с ФИО «Сидорова Нина Юрьевна» не найден" in messages[3]
    assert 4 not in messages


def test_full_name_not_matched_by_initials(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes("ФИО;Область;Этап;Дата;Балл;Максимум",
                        ["Петрова Алла Степановна;Сферум;до;01.10.2024;50;100"])
    report = import_file(content, "names.csv", engine=engine, kind="assessments")
    assert "не найден" in report.rejected[0].message


def test_f05_activities_by_mapping(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    report = import_file(
        FIELD_INPUTS / "f05_activity_log_mixed_dates.xlsx", engine=engine, kind="activities",
        mapping={"Дата": "occurred_on", "Наставник": "full_name", "Мероприятие": "kind",
                 "Длительность, ч": "hours"},
        defaults={"Формат": "очно"})
    assert report.status == "imported", [issue.message for issue in report.rejected]
    assert (report.rows_total, report.imported, report.skipped) == (5, 4, 1)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT occurred_on, occurred_at, hours FROM activity ORDER BY occurred_on, id")).all()
    assert [str(row.occurred_on) for row in rows] == ["2024-03-05", "2024-03-05", "2024-03-10",
                                                      "2024-03-12"]
    assert str(rows[1].occurred_at).startswith("2024-03-05 23:30")
    assert rows[3].hours == pytest.approx(0.5)
    again = import_file(
        FIELD_INPUTS / "f05_activity_log_mixed_dates.xlsx", engine=engine, kind="activities",
        mapping={"Дата": "occurred_on", "Наставник": "code", "Мероприятие": "kind",
                 "Длительность, ч": "hours"},
        defaults={"format": "очно"})
    assert (again.imported, again.duplicates) == (0, 4)


def test_f11_totals_not_imported_as_activities(engine):
    path = FIELD_INPUTS / "f11_merged_header_log.xlsx"
    with pytest.raises(ImportValidationError, match="итоговые количества") as error:
        import_file(path, engine=engine, kind="activities")
    assert "строка 8 «Итого» совпадает с суммой строк выше" in error.value.message
    assert count(engine, "activity") == 0
    preview = preview_file(path, engine=engine)
    assert preview.columns == ["Наставник", "Мероприятия / Встречи", "Мероприятия / Открытые уроки",
                               "Мероприятия / Материалы", "Формат"]
    assert preview.rows == 3
    assert preview.first_rows.iloc[:, 1:4].astype(float).values.tolist() == [
        [6, 2, 3], [4, 1, 0], [5, 0, 7]]
    assert "итоговые количества" in preview.totals_note


def test_mapping_errors_are_russian():
    table = read_table((FIELD_INPUTS / "f12_prepost_scores_text_numbers.xlsx").read_bytes(), "f12.xlsx")
    with pytest.raises(ImportValidationError, match="нет полей «points»"):
        validate_table(table, "assessments", mapping={"Балл до": "points"})
    with pytest.raises(ImportValidationError, match="нет обязательных столбцов «Область»"):
        validate_table(table, "assessments", mapping=F12_MAPPING,
                       defaults={"max_score": 100, "assessed_on": "01.10.2024"})
    with pytest.raises(ImportValidationError, match="не сочетаются"):
        validate_table(table, "assessments", mapping={**F12_MAPPING, "ФИО": "score"})
    with pytest.raises(ImportValidationError, match="«Этап»: значение «потом» не из списка"):
        validate_table(table, "assessments", mapping={"ФИО": "full_name", "Балл до": "score"},
                       defaults={**F12_DEFAULTS, "stage": "потом"})


IMPLAUSIBLE = [
    ("participants", "Код;ФИО;Роль;Стаж, лет;Дата регистрации",
     "Q1;Педагог 01;наставник;99999999999999999999999;01.09.2024", "Стаж, лет", "больше 60"),
    ("participants", "Код;ФИО;Роль;Стаж, лет;Дата регистрации",
     "Q1;Педагог 01;наставник;5;01.09.2099", "Дата регистрации", "вне допустимого диапазона"),
    ("participants", "Код;ФИО;Роль;Стаж, лет;Дата регистрации",
     "Q1;Педагог 01;наставник;5;01.09.1999", "Дата регистрации", "раньше 01.01.2000"),
    ("activities", "Дата;Код участника;Вид;Формат;Часы",
     "05.03.2024;T001;встреча;очно;100000", "Часы", "больше суток"),
]


@pytest.mark.parametrize(("kind", "header", "row", "column", "text"), IMPLAUSIBLE,
                         ids=["experience", "future", "before_2000", "hours"])
def test_implausible_values_rejected(engine, kind, header, row, column, text):
    import_file(participants_csv(), "participants.csv", engine=engine)
    report = import_file(csv_bytes(header, [row]), "bad.csv", engine=engine, kind=kind)
    assert report.status == "rejected"
    (issue,) = report.rejected
    assert issue.column == column
    assert text in issue.message


def test_plausible_limits_accepted(engine):
    today = dt.date.today()
    content = csv_bytes("Код;ФИО;Роль;Стаж, лет;Дата регистрации", [
        f"Q1;Педагог 01;наставник;60;{today + dt.timedelta(days=300):%d.%m.%Y}",
        "Q2;Педагог 02;наставник;0;01.01.2000"])
    report = import_file(content, "ok.csv", engine=engine)
    assert (report.status, report.imported) == ("imported", 2)


def test_area_close_to_known_warned(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    header = "Код;Область;Этап;Дата;Балл;Максимум"
    import_file(csv_bytes(header, ["T001;Сферум;до;01.10.2024;50;100"]), "a1.csv", engine=engine)
    report = import_file(csv_bytes(header, ["T002;Сферрум;до;01.10.2024;50;100"]), "a2.csv",
                         engine=engine)
    assert any("«Сферрум» похожа на известную «Сферум»" in warning for warning in report.warnings)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PARTICIPANT_SHEET = [["Код", "ФИО", "Роль", "Дата регистрации"],
                     ["Q1", "Педагог 01", "наставник", "01.09.2024"]]


def test_instruction_sheet_first_skipped(engine):
    content = xlsx_bytes({"Пояснение": [["Заполните лист «Участники»."], ["Коды уникальны."]],
                          "Участники": PARTICIPANT_SHEET})
    report = import_file(content, "two.xlsx", engine=engine)
    assert (report.status, report.imported) == ("imported", 1)
    assert report.detected["sheet"] == "Участники"
    assert any("Прочитан лист «Участники»" in w and "«Пояснение»" in w for w in report.warnings)


def test_second_data_sheet_reported(engine):
    second = [PARTICIPANT_SHEET[0], ["Q2", "Педагог 02", "наставник", "01.09.2024"]]
    content = xlsx_bytes({"Лист1": PARTICIPANT_SHEET, "Лист2": second})
    report = import_file(content, "two.xlsx", engine=engine)
    assert report.detected["sheet"] == "Лист1"
    assert any("Прочитан только лист «Лист1»" in w and "«Лист2»" in w for w in report.warnings)
    other = import_file(content, "two.xlsx", engine=engine, sheet="Лист2")
    assert (other.imported, other.warnings) == (1, [])


def test_template_notes_sheet_not_warned(engine):
    from db.importing import template_workbook
    from db.importing.reading import read_table as read

    table = read(template_workbook("participants"), "t.xlsx")
    assert table.sheet_name == "Участники"
    assert not [w for w in table.warnings if "лист" in w.lower()]


@pytest.mark.parametrize(("name", "content", "text"), [
    ("broken.xlsx", b"this is not a zip", "повреждён или это не Excel"),
    ("broken2.xlsx", b"PK\x03\x04 truncated", "повреждён или это не Excel"),
    ("empty.csv", b"", "пустой"),
    ("spaces.csv", b"\r\n\r\n", "пустой"),
    ("header.csv", "Код;ФИО;Роль;Дата регистрации\r\n".encode(), "под заголовком нет строк с данными"),
    ("header_blank.csv", "Код;ФИО;Роль;Дата регистрации\r\n;;;\r\n".encode(), "пустых строк: 1"),
], ids=["not_zip", "bad_zip", "empty", "blank_lines", "header_only", "header_and_blank"])
def test_unusable_files_have_russian_message(engine, name, content, text):
    with pytest.raises(ImportValidationError) as error:
        import_file(content, name, engine=engine)
    assert text in error.value.message
    assert not any(word in error.value.message for word in ("zip", "No columns", "Error", "File"))


def test_identical_rows_in_one_file_are_duplicates(engine):
    header = "Код;ФИО;Роль;Дата регистрации"
    same = import_file(csv_bytes(header, ["Q1;Педагог 01;наставник;01.09.2024",
                                          "Q1;педагог 01;Наставник;2024-09-01"]), "dup.csv", engine=engine)
    assert (same.status, same.imported, same.duplicates) == ("imported", 1, 1)
    assert same.duplicate_rows == [(3, "повтор строки 2")]
    conflict = import_file(csv_bytes(header, ["Q2;Педагог 02;наставник;01.09.2024",
                                              "Q2;Педагог 03;наставник;01.09.2024"]), "c.csv", engine=engine)
    assert conflict.status == "rejected"
    assert "уже встречался в строке 2 с другими данными" in conflict.rejected[0].message


def test_header_merged_over_name_parts_warned(engine):
    """«ФИО» merged over surname, name and patronymic: only the first part loads, and the user is told."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Код", "ФИО", None, None, "Роль", "Дата регистрации"])
    sheet.merge_cells("B1:D1")
    sheet.append(["M01", "Макетов", "Пётр", "Иванович", "наставник", "01.09.2024"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_file(buffer.getvalue(), "people.xlsx", engine=engine)
    assert report.imported == 1
    notes = [warning for warning in report.warnings if "не загружен" in warning]
    assert len(notes) == 2
    assert notes[0].startswith("Столбец «ФИО (2)» не загружен: его заголовок «ФИО» стоит над")
    assert "объедините их в один столбец" in notes[0]
