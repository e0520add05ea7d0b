"""Render the report content as PDF with reportlab and matplotlib's DejaVu Sans.

reportlab's built-in fonts have no Cyrillic, so DejaVuSans.ttf is registered
from matplotlib's mpl-data. Both packages install from PyPI alone, so the PDF
builds on a fresh machine with no office suite.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle
from reportlab.platypus.tableofcontents import TableOfContents
from xml.sax.saxutils import escape

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

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_COLOUR_BY_LABEL = {STATUS_LABELS[key]: STATUS_COLOURS[key] for key in STATUS_LABELS}


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=20, leading=26,
                                alignment=TA_CENTER, spaceAfter=18),
        "centre": ParagraphStyle("centre", base, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=15, leading=19,
                             spaceBefore=10, spaceAfter=8, textColor=colors.HexColor("#1f3864")),
        "h2": ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=12, leading=15,
                             spaceBefore=8, spaceAfter=4, textColor=colors.HexColor("#2f5496")),
        "caption": ParagraphStyle("caption", base, fontSize=9, textColor=colors.HexColor("#2f5496")),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9, spaceAfter=0),
        "toc1": ParagraphStyle("toc1", base, fontSize=10, leftIndent=0),
        "toc2": ParagraphStyle("toc2", base, fontSize=9, leftIndent=14),
    }  # fmt: skip


class _ReportTemplate(BaseDocTemplate):
    """A4 document that feeds its headings into the table of contents."""

    def __init__(self, buffer, **kwargs):
        super().__init__(buffer, pagesize=A4, **kwargs)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number)])

    def afterFlowable(self, flowable):
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))


def _page_number(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(document.page))
    canvas.restoreState()


def render_pdf(content: ReportContent) -> bytes:
    """Return the PDF bytes of the report, with the same blocks as the DOCX."""
    _register_fonts()
    styles = _styles()
    story = [Spacer(1, 6 * cm), PdfParagraph(escape(content.title), styles["title"])]
    for text in (
        content.school,
        f"Период: {content.period}",
        "Отчёт для управления образования",
        f"Сформирован {content.created_on:%d.%m.%Y}",
    ):
        story.append(PdfParagraph(escape(text), styles["centre"]))
    story.append(PdfPageBreak())
    for block in content.blocks:
        story.extend(_flowables(block, styles))
    buffer = io.BytesIO()
    document = _ReportTemplate(
        buffer, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm,
        title=content.title, author=content.school,
    )  # fmt: skip
    # Two passes: the first collects the headings' pages for the contents.
    document.multiBuild(story)
    return buffer.getvalue()


def _flowables(block, styles) -> list:
    if isinstance(block, Heading):
        paragraph = PdfParagraph(escape(block.text), styles["h1" if block.level == 1 else "h2"])
        paragraph.toc_level = block.level - 1
        return [paragraph]
    if isinstance(block, Paragraph):
        return [PdfParagraph(escape(block.text), styles["body"])]
    if isinstance(block, Table):
        return [PdfParagraph(escape(block.caption), styles["caption"]), _table(block, styles),
                Spacer(1, 8)]  # fmt: skip
    if isinstance(block, Figure):
        image = Image(io.BytesIO(block.png))
        scale = min(block.width_cm * cm, 17 * cm) / image.imageWidth
        image.drawWidth = image.imageWidth * scale
        image.drawHeight = image.imageHeight * scale
        return [image, PdfParagraph(escape(block.caption), styles["caption"])]
    if isinstance(block, PageBreak):
        return [PdfPageBreak()]
    if isinstance(block, Contents):
        contents = TableOfContents()
        contents.levelStyles = [styles["toc1"], styles["toc2"]]
        return [PdfParagraph("Содержание", styles["h1"]), contents]
    raise TypeError(f"unknown report block {type(block).__name__}")


def _table(block: Table, styles) -> PdfTable:
    frame = block.frame
    header = [PdfParagraph(f"<b>{escape(str(name))}</b>", styles["cell"]) for name in frame.columns]
    rows = [header]
    for values in frame.itertuples(index=False):
        rows.append([PdfParagraph(escape(str(value)), styles["cell"]) for value in values])
    width = 17 * cm
    first = 0.3 if len(frame.columns) > 2 else 0.4
    rest = (1 - first) / max(len(frame.columns) - 1, 1)
    table = PdfTable(rows, colWidths=[width * first] + [width * rest] * (len(frame.columns) - 1),
                     repeatRows=1)  # fmt: skip
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d9e2f3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if block.status_column:
        column = list(frame.columns).index(block.status_column)
        for row_number, value in enumerate(frame[block.status_column], start=1):
            colour = _COLOUR_BY_LABEL.get(str(value))
            if colour:
                commands.append(("BACKGROUND", (column, row_number), (column, row_number),
                                 colors.HexColor(colour).clone(alpha=0.25)))  # fmt: skip
    table.setStyle(TableStyle(commands))
    return table
