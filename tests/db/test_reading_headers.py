"""The table reader on header rows: titles above the table, merged and two-row headers, mojibake samples."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from db.errors import UnreadableFileError
from db.importing import reading
from db.importing.reading import read_table, repair_mojibake

NOTE_HINT = ("Если заголовок в другой строке, выберите её в поле «Строки заголовка» "
             "(в командной строке: --header-row N).")
LOG_HEADER = "Код;ФИО;Роль;Дата"
LOG_ROWS = ["W001;Иванов Иван;наставник;01.09.2024", "W002;Петрова Анна;наставляемый;02.09.2024"]


def lines_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def workbook_bytes(tmp_path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    """Save a one-sheet workbook with `rows` and merged ranges in tmp_path and return its bytes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Журнал"
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    path = tmp_path / "table.xlsx"
    workbook.save(path)
    return path.read_bytes()


def garble(text: str) -> bytes:
    """Return UTF-8 text as it is after opening it as Windows-1251 and saving as UTF-8."""
    return text.encode("utf-8").decode("cp1251").encode("utf-8")


# --- mojibake found in a sample ------------------------------------------------


def mojibake_text() -> str:
    rows = [f"T{index:03d};Петрова Анна Сергеевна;наставник;{index}" for index in range(200)]
    # No capital «И»: its UTF-8 byte 0x98 has no Windows-1251 character.
    return "\r\n".join(["Код;Участник;Роль;Номер", *rows]) + "\r\n"


def test_mojibake_sample_cut_inside_sequence(monkeypatch):
    garbled = garble(mojibake_text())
    garbled_text = garbled.decode("utf-8")
    # End the sample right after the «Р» of «Рџ» («П» garbled) in the middle of the file.
    end = garbled_text.index("Рџ", len(garbled_text) // 2) + 1
    sample_bytes = len(garbled_text[:end].encode("utf-8"))
    assert garbled[:sample_bytes].decode("utf-8").endswith("\r\nT101;Р")
    monkeypatch.setattr(reading, "SAMPLE_BYTES", sample_bytes)
    table = read_table(garbled, "broken.csv")
    assert table.mojibake == "repaired"
    assert table.columns == ["Код", "Участник", "Роль", "Номер"]
    assert list(table.data["Участник"].unique()) == ["Петрова Анна Сергеевна"]
    assert table.data["Номер"].tolist()[-1] == "199"


def test_mojibake_sample_inside_first_line(monkeypatch):
    garbled = garble(mojibake_text())
    garbled_text = garbled.decode("utf-8")
    # The sample contains no line end: it stops after the «Р» that starts the garbled «У».
    end = garbled_text.index("РЈ") + 1
    sample_bytes = len(garbled_text[:end].encode("utf-8"))
    assert "\n" not in garbled[:sample_bytes].decode("utf-8")
    monkeypatch.setattr(reading, "SAMPLE_BYTES", sample_bytes)
    table = read_table(garbled, "broken.csv")
    assert table.mojibake == "repaired"
    assert table.columns == ["Код", "Участник", "Роль", "Номер"]
    assert len(table.data) == 200


def test_repair_mojibake_partial_text():
    # The garbled «к» is «Рє»: the text stops after its «Р».
    cut = garble("Код;Участник").decode("utf-8")[:-1]
    assert cut.endswith("РёР")
    repaired, _warnings, state = repair_mojibake(cut, partial=True)
    assert state == "repaired"
    assert repaired == "Код;Участни"
    _text, _warnings, whole_state = repair_mojibake(cut)
    assert whole_state == "unrepairable"


# --- merged header cells ---------------------------------------------------------


def test_merged_note_header_one_row(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Код", "ФИО", "Роль", "Дата", "Примечание", None],
        ["W001", "Пробная1", "наставник", "01.09.2024", "пропустил", "заменён"],
        ["W002", "Пробная2", "наставляемый", "02.09.2024", "", "перенос"],
    ], merges=("E1:F1",))
    table = read_table(content, "notes.xlsx")
    assert table.header_rows == [1]
    assert table.columns == ["Код", "ФИО", "Роль", "Дата", "Примечание", "Примечание (2)"]
    assert table.data["Код"].tolist() == ["W001", "W002"]
    assert table.data["ФИО"].tolist() == ["Пробная1", "Пробная2"]
    assert table.row_numbers == [2, 3]
    assert table.warnings == []


def test_merged_group_heading_two_rows(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Код", "ФИО", "Мероприятия", None, "Формат"],
        [None, None, "Встречи", "Открытые уроки", None],
        ["W001", "Иванов Иван", 3, 1, "очно"],
    ], merges=("C1:D1",))
    table = read_table(content, "groups.xlsx")
    assert table.header_rows == [1, 2]
    assert table.columns == ["Код", "ФИО", "Мероприятия / Встречи",
                             "Мероприятия / Открытые уроки", "Формат"]
    assert table.data.iloc[0].tolist() == ["W001", "Иванов Иван", 3, 1, "очно"]
    assert table.row_numbers == [3]


def test_merged_heading_over_codes_one_row(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Коды участника", None, "Примечание"],
        ["W001", "K001", None],
        ["W002", "K002", "перевод"],
    ], merges=("A1:B1",))
    table = read_table(content, "codes.xlsx")
    assert table.header_rows == [1]
    assert table.columns == ["Коды участника", "Коды участника (2)", "Примечание"]
    assert table.data.iloc[0].tolist() == ["W001", "K001", None]


# --- header row detection --------------------------------------------------------


def test_csv_title_lines_skipped():
    content = lines_bytes(["Журнал мероприятий 2024/25", "", LOG_HEADER, *LOG_ROWS], "cp1251")
    table = read_table(content, "journal.csv")
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.header_rows == [3]
    assert table.columns == ["Код", "ФИО", "Роль", "Дата"]
    assert table.data["Код"].tolist() == ["W001", "W002"]
    assert table.row_numbers == [4, 5]
    assert table.warnings == [
        "Строки 1–2 над заголовком пропущены, названия столбцов взяты из строки 3. " + NOTE_HINT]


def test_csv_padded_title_line_skipped():
    content = lines_bytes(["Журнал мероприятий 2024/25;;;", LOG_HEADER, *LOG_ROWS])
    table = read_table(content, "journal.csv")
    assert table.header_rows == [2]
    assert table.columns == ["Код", "ФИО", "Роль", "Дата"]
    assert table.row_numbers == [3, 4]


@pytest.mark.parametrize("header_row", [None, 3])
def test_csv_title_above_two_columns(header_row):
    content = lines_bytes(["Журнал мероприятий, 2024/25", "", "Код;Встречи", "T001;3", "T002;4"],
                          "cp1251")
    table = read_table(content, "meetings.csv", header_row=header_row)
    assert table.delimiter == ";"
    assert table.header_rows == [3]
    assert table.columns == ["Код", "Встречи"]
    assert table.data.values.tolist() == [["T001", "3"], ["T002", "4"]]


def test_csv_parse_error_names_file_line():
    content = lines_bytes(["Журнал", "", LOG_HEADER, *LOG_ROWS, "W003;Сидоров;наставник;03.09.2024;лишнее"])
    with pytest.raises(UnreadableFileError) as error:
        read_table(content, "journal.csv")
    assert "в строке 6 ячеек 5, а в заголовке (строка 3) 4" in error.value.message


def test_xlsx_sparse_title_row_skipped(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Журнал", "наставничества", "2024/25"],
        [],
        ["Код", "ФИО", "Роль", "Дата", "Встречи", "Уроки"],
        ["W001", "Иванов Иван", "наставник", "01.09.2024", 3, 1],
    ])
    table = read_table(content, "journal.xlsx")
    assert table.header_rows == [3]
    assert table.columns == ["Код", "ФИО", "Роль", "Дата", "Встречи", "Уроки"]
    assert table.row_numbers == [4]


def test_xlsx_year_as_column_name(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Журнал наставничества"],
        ["Код", "ФИО", "Встречи", 2025],
        ["W001", "Иванов Иван", 3, 4],
        ["W002", "Петрова Анна", 5, 6],
    ])
    table = read_table(content, "years.xlsx")
    assert table.header_rows == [2]
    assert table.columns == ["Код", "ФИО", "Встречи", "2025"]
    assert table.data["2025"].tolist() == [4, 6]
    assert table.warnings == [
        "Строка 1 над заголовком пропущена, названия столбцов взяты из строки 2. " + NOTE_HINT]


def test_xlsx_dated_note_row_skipped(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Дата отчёта", dt.datetime(2025, 5, 20), "Класс", "5А"],
        ["Код", "ФИО", "Роль", "Встречи"],
        ["W001", "Иванов Иван", "наставник", 3],
    ])
    table = read_table(content, "report.xlsx")
    assert table.header_rows == [2]
    assert table.columns == ["Код", "ФИО", "Роль", "Встречи"]


# --- header depth and header row bounds --------------------------------------------


def test_header_depth_two_detected_row(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Журнал наставничества"],
        ["Код", "ФИО", "Встречи"],
        ["участника", None, "за год"],
        ["W001", "Иванов Иван", 3],
    ])
    table = read_table(content, "depth.xlsx", header_depth=2)
    assert table.header_rows == [2, 3]
    assert table.columns == ["Код / участника", "ФИО", "Встречи / за год"]
    assert table.row_numbers == [4]
    assert table.warnings == [
        "Строка 1 над заголовком пропущена, названия столбцов взяты из строк 2–3. " + NOTE_HINT]


def test_header_depth_two_csv_rejected():
    with pytest.raises(UnreadableFileError) as error:
        read_table(lines_bytes([LOG_HEADER, *LOG_ROWS]), "log.csv", header_depth=2)
    assert error.value.message == (
        "Файл log.csv: заголовок из двух строк поддерживается только в книгах Excel (.xlsx), "
        "а это CSV. Укажите заголовок из одной строки или сохраните таблицу как книгу .xlsx.")


def test_skipped_rows_note_several_rows(tmp_path):
    content = workbook_bytes(tmp_path, [
        ["Журнал наставничества"],
        [],
        ["Код", "ФИО", "Встречи"],
        ["участника", None, "за год"],
        ["W001", "Иванов Иван", 3],
    ])
    table = read_table(content, "depth.xlsx", header_row=3, header_depth=2)
    assert table.warnings == [
        "Строки 1–2 над заголовком пропущены, названия столбцов взяты из строк 3–4. " + NOTE_HINT]


def test_header_row_beyond_csv_end():
    content = lines_bytes([LOG_HEADER, *LOG_ROWS, *LOG_ROWS]) + b"\r\n\r\n"
    with pytest.raises(UnreadableFileError) as error:
        read_table(content, "log.csv", header_row=99)
    assert error.value.message == (
        "Файл log.csv: в нём только 5 строк, а указан номер строки заголовка 99. "
        "Укажите номер строки заголовка от 1 до 5.")


def test_header_row_beyond_csv_sample(monkeypatch):
    monkeypatch.setattr(reading, "SAMPLE_BYTES", 64)
    content = lines_bytes([LOG_HEADER, *LOG_ROWS * 10])
    with pytest.raises(UnreadableFileError) as error:
        read_table(content, "log.csv", header_row=22)
    assert "в нём только 21 строка, а указан номер строки заголовка 22" in error.value.message
    table = read_table(content, "log.csv", header_row=21)
    assert table.columns == ["W002", "Петрова Анна", "наставляемый", "02.09.2024"]
    assert table.row_numbers == []


@pytest.mark.parametrize(("header_row", "header_depth", "text"), [
    (99, 1, "на листе только 3 строки, а указан номер строки заголовка 99. "
            "Укажите номер строки заголовка от 1 до 3."),
    (3, 2, "на листе только 3 строки, а заголовок из двух строк указан со строки 3. "
           "Укажите первую строку заголовка от 1 до 2."),
])
def test_header_row_beyond_sheet_end(tmp_path, header_row, header_depth, text):
    content = workbook_bytes(tmp_path, [["Код", "ФИО"], ["W001", "Иванов Иван"], ["W002", "Петрова Анна"]])
    with pytest.raises(UnreadableFileError) as error:
        read_table(content, "log.xlsx", header_row=header_row, header_depth=header_depth)
    assert error.value.message == "Файл log.xlsx, лист «Журнал»: " + text
