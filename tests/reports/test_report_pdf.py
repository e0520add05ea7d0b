"""Tests of the PDF report: the text extracted with pypdf must be real Cyrillic."""

import io

import pytest
from pypdf import PdfReader

from reports.build import build_report


@pytest.fixture(scope="module")
def pdf_text(seeded_template, tmp_path_factory):
    from db.engine import dispose_engine, get_engine

    path = tmp_path_factory.mktemp("pdf") / "school.db"
    path.write_bytes(seeded_template.read_bytes())
    url = f"sqlite:///{path}"
    data = build_report("pdf", get_engine(url))
    dispose_engine(url)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def test_pdf_cyrillic_is_text(pdf_text):
    assert "Отчёт о реализации проекта" in pdf_text[0]
    assert "Школа № 1 (демонстрационная)" in pdf_text[0]


def test_pdf_contents_lists_sections_with_pages(pdf_text):
    contents = pdf_text[1]
    assert "Содержание" in contents
    assert "Показатели результативности проекта" in contents
    assert "Методы и ограничения" in contents


def test_pdf_contains_indicator_table(pdf_text):
    joined = "\n".join(pdf_text)
    assert "Таблица 1. Показатели проекта на последний месяц учебного года со значением" in joined
    assert "Наличие базы внешних ресурсов" in joined
    assert "Рисунок 2. Показатели проекта по месяцам" in joined


def test_pdf_people_by_code_only(pdf_text):
    joined = "\n".join(pdf_text)
    assert "T001" in joined
    assert "Участник Тестовый" not in joined
