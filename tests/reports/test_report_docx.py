"""Tests of the DOCX report, read back with python-docx."""

import io

import pytest
from docx import Document

from reports.build import build_report
from reports.indicators import STATUS_LABELS


@pytest.fixture(scope="module")
def docx_document(seeded_template, tmp_path_factory):
    from db.engine import dispose_engine, get_engine

    path = tmp_path_factory.mktemp("docx") / "school.db"
    path.write_bytes(seeded_template.read_bytes())
    url = f"sqlite:///{path}"
    data = build_report("docx", get_engine(url))
    dispose_engine(url)
    return Document(io.BytesIO(data))


def _headings(document):
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_docx_title_page_names_school_and_period(docx_document):
    texts = [p.text for p in docx_document.paragraphs[:14]]
    assert "Школа № 1 (демонстрационная)" in texts
    assert "Период: 2024/25 учебный год" in texts


def test_docx_has_all_sections(docx_document):
    headings = _headings(docx_document)
    for heading in (
        "Содержание",
        "Краткие выводы",
        "Показатели результативности проекта",
        "Дорожная карта и реестры",
        "Оценка по модели Киркпатрика",
        "Методы и ограничения",
        "Приложения",
    ):
        assert heading in headings


def test_docx_contents_is_toc_field(docx_document):
    xml = docx_document.element.body.xml
    assert 'TOC \\o "1-2"' in xml
    assert "1. Краткие выводы" in xml


def test_docx_indicator_table_rows(docx_document):
    table = docx_document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == [
        "Показатель", "Месяц", "Значение", "Цель", "Статус",
    ]  # fmt: skip
    assert len(table.rows) == 12  # header and eleven indicators
    first = [cell.text for cell in table.rows[1].cells]
    assert first == ["Наличие модели цифрового наставничества", "июль 2025", "да", "да",
                     "выполнено"]  # fmt: skip
    statuses = {row.cells[4].text for row in table.rows[1:]}
    assert statuses <= set(STATUS_LABELS.values())


def test_docx_captions_numbered(docx_document):
    captions = [p.text for p in docx_document.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Таблица 1. Показатели проекта на последний месяц учебного года со значением"
    assert "Рисунок 1. Число показателей по статусам" in captions
    assert "Рисунок 2. Показатели проекта по месяцам: значение и цель" in captions


def test_docx_has_two_png_figures(docx_document):
    images = [
        rel for rel in docx_document.part.rels.values() if "image" in rel.reltype
    ]
    assert len(images) == 2
    assert all(rel.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for rel in images)


def test_docx_summary_marks_missing_sections(docx_document):
    texts = [p.text for p in docx_document.paragraphs]
    start = texts.index("Краткие выводы")
    summary = texts[start : start + 14]
    assert any("Показатели проекта на последний месяц" in text for text in summary)
    # Each section has either its conclusion or the «not computed yet» sentence.
    for heading in ("Эффективность: рост компетенций", "Вовлечённость", "Удовлетворённость"):
        position = texts.index(heading)
        assert texts[position + 1].strip()


def test_docx_people_by_code_only(docx_document):
    all_text = "\n".join(
        cell.text for table in docx_document.tables for row in table.rows for cell in row.cells
    )
    assert "T001" in all_text
    assert "Участник Тестовый" not in all_text


def test_docx_never_shows_nan(docx_document):
    texts = [p.text for p in docx_document.paragraphs] + [
        cell.text for table in docx_document.tables for row in table.rows for cell in row.cells
    ]
    assert not [text for text in texts if "nan" in text.split()]
