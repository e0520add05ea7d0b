"""Render the report content as a Word document with python-docx."""

from __future__ import annotations

import io
import logging

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.document import (
    Contents,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    ReportContent,
    Table,
)
from reports.indicators import STATUS_COLOURS, STATUS_LABELS

logger = logging.getLogger(__name__)

FONT_NAME = "DejaVu Sans"
_COLOUR_BY_LABEL = {STATUS_LABELS[key]: STATUS_COLOURS[key] for key in STATUS_LABELS}


def render_docx(content: ReportContent) -> bytes:
    """Return the DOCX bytes of the report: title page, contents field, then the blocks."""
    document = Document()
    _set_base_style(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2)

    _title_page(document, content)
    _add_blocks(document, content)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_blocks(document, content: ReportContent) -> None:
    # A page break becomes "page break before" on the next heading, because a
    # separate break paragraph at the foot of a full page leaves a blank page.
    break_pending = False
    for block in content.blocks:
        if break_pending and not isinstance(block, Heading | PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            break_pending = False

        if isinstance(block, Heading):
            heading = document.add_heading(block.text, level=block.level)
            heading.paragraph_format.page_break_before = break_pending
            break_pending = False
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Table):
            _add_table(document, block)
        elif isinstance(block, Figure):
            _add_figure(document, block)
        elif isinstance(block, PageBreak):
            break_pending = True
        elif isinstance(block, Contents):
            headings = [b.text for b in content.blocks if isinstance(b, Heading) and b.level == 1]
            _add_contents(document, headings)


def _set_base_style(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT_NAME
    style.font.size = Pt(10.5)
    # East-Asian and complex-script fonts are separate attributes in Word; set
    # them too so that no run falls back to a font without Cyrillic.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT_NAME)
    for name in ("Heading 1", "Heading 2", "Title", "Caption"):
        document.styles[name].font.name = FONT_NAME


def _title_page(document, content: ReportContent) -> None:
    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph(style="Title")
    title.add_run(content.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (
        content.school,
        f"Период: {content.period}",
        "Отчёт для управления образования",
        f"Сформирован {content.created_on:%d.%m.%Y}",
    ):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_contents(document, headings: list[str]) -> None:
    """Add a TOC field whose cached text lists the chapters until Word refreshes it.

    LibreOffice keeps the cached text on conversion, so the chapter list (without
    page numbers) is what a reader sees there.
    """
    document.add_heading("Содержание", level=1)
    paragraph = document.add_paragraph()
    _field_char(paragraph.add_run(), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
    paragraph.add_run()._r.append(instruction)
    _field_char(paragraph.add_run(), "separate")
    for number, heading in enumerate(headings, start=1):
        run = paragraph.add_run(f"{number}. {heading}")
        if number < len(headings):
            run.add_break()
    _field_char(paragraph.add_run(), "end")
    _ask_to_update_fields(document)


def _field_char(run, kind: str) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _ask_to_update_fields(document) -> None:
    # Word then offers to refresh the TOC field when the file is opened.
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _add_table(document, block: Table) -> None:
    caption = document.add_paragraph(block.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    frame = block.frame
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    status_index = (
        list(frame.columns).index(block.status_column) if block.status_column else None
    )
    size = Pt(8) if len(frame.columns) > 5 else Pt(9)
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for position, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = str(value)
            for run in cell.paragraphs[0].runs:
                run.font.size = size
                if position == status_index and str(value) in _COLOUR_BY_LABEL:
                    run.font.color.rgb = RGBColor.from_string(_COLOUR_BY_LABEL[str(value)][1:])
                    run.bold = True
    _set_column_widths(table, len(frame.columns))
    document.add_paragraph()


def _set_column_widths(table, n_columns: int) -> None:
    # Word reads the width of each cell and LibreOffice the table grid, so set both.
    usable = 17.0
    first = usable * (0.3 if n_columns > 2 else 0.4)
    rest = (usable - first) / max(n_columns - 1, 1)
    table.autofit = False
    for position, column in enumerate(table.columns):
        column.width = Cm(first if position == 0 else rest)
    for row in table.rows:
        for position, cell in enumerate(row.cells):
            cell.width = Cm(first if position == 0 else rest)


def _add_figure(document, block: Figure) -> None:
    document.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(block.caption, style="Caption")
