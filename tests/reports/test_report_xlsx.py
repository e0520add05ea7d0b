"""Tests of the XLSX report: one sheet per table, and no cell runs as a formula."""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.build import build_report
from reports.xlsx_report import needs_neutralising, write_sheets

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralised_cell_stays_text(text):
    data = write_sheets({"Лист": pd.DataFrame({"Текст": [text], "Число": [-5.5]})})
    sheet = load_workbook(io.BytesIO(data)).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    # XlsxWriter stores a carriage return in the OOXML escape form _x000D_, which
    # Excel decodes on reading and openpyxl 3.1.5 returns as it is.
    assert cell.value == text.replace("\r", "_x000D_")
    assert cell.quotePrefix is True
    assert sheet["B2"].value == -5.5
    assert sheet["B2"].data_type == "n"


def test_plain_text_not_quote_prefixed():
    data = write_sheets({"Лист": pd.DataFrame({"Текст": ["обычный текст"]})})
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.value == "обычный текст"
    assert not cell.quotePrefix


def test_needs_neutralising_cases():
    assert all(needs_neutralising(text) for text in DANGEROUS)
    assert not needs_neutralising("текст = 1")
    assert not needs_neutralising(-1.0)


def test_sheet_names_trimmed_and_unique():
    long_name = "Очень длинное название листа: больше тридцати одного знака"
    data = write_sheets({long_name: pd.DataFrame({"a": [1]}), long_name + "!": pd.DataFrame({"a": [2]})})
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2
    assert all(len(name) <= 31 for name in names)
    assert ":" not in names[0]
    assert len(set(names)) == 2


@pytest.fixture(scope="module")
def report_book(seeded_template, tmp_path_factory):
    from db.engine import dispose_engine, get_engine

    path = tmp_path_factory.mktemp("xlsx") / "school.db"
    path.write_bytes(seeded_template.read_bytes())
    url = f"sqlite:///{path}"
    data = build_report("xlsx", get_engine(url))
    dispose_engine(url)
    return load_workbook(io.BytesIO(data))


def test_report_has_sheet_per_table(report_book):
    for name in ("Сводка", "Показатели", "Правила", "Дорожная карта", "Документы",
                 "Подтверждения", "Киркпатрик", "По месяцам", "Ресурсы", "Участники"):  # fmt: skip
        assert name in report_book.sheetnames


def test_report_indicator_sheet_values(report_book):
    sheet = report_book["Показатели"]
    assert [cell.value for cell in sheet[1]] == ["Показатель", "Месяц", "Значение", "Цель", "Статус"]
    assert sheet.max_row == 12
    assert sheet["A2"].value == "Наличие модели цифрового наставничества"


def test_report_has_no_formula_cells(report_book):
    formulas = [
        cell.coordinate
        for sheet in report_book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
