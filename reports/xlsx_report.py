"""Render the report's tables as an XLSX workbook, one sheet per table, with formulas neutralised.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would run as a formula (or be read as one on the next edit) in Excel
and LibreOffice. Such cells are written by XlsxWriter's ``write_string`` (so
they are stored as text, never as a formula) with the ``quotePrefix`` style,
which keeps them text when a user edits the cell.
"""

from __future__ import annotations

import io
import logging
import math

import pandas as pd
import xlsxwriter

from reports.document import Heading, Paragraph, ReportContent

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_NAME = 31
_FORBIDDEN_IN_SHEET_NAME = str.maketrans({c: " " for c in "[]:*?/\\"})


def needs_neutralising(value: object) -> bool:
    """Return True for text that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


# Height of one line of 11-point text in a spreadsheet row.
ROW_HEIGHT_POINTS = 15


def write_sheets(sheets: dict[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    """Write each frame to its own sheet and return the XLSX bytes.

    Every string goes through ``write_string``; numbers stay numbers. Missing
    values become empty cells.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    header = workbook.add_format({"bold": True, "bg_color": "#D9E2F3", "text_wrap": True, "border": 1})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    quoted = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    used: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(_sheet_name(name, used))
        if title:
            sheet.write_string(0, 0, title, workbook.add_format({"bold": True}))
        top = 1 if title else 0
        widths = []
        for column, heading in enumerate(frame.columns):
            _write_text(sheet, top, column, str(heading), header, header)
            width = max([len(str(heading))] + [len(str(v)) for v in frame.iloc[:, column].head(200)])
            widths.append(min(max(width, 8), 60) + 2)
            sheet.set_column(column, column, widths[-1])
        for row_number, values in enumerate(frame.itertuples(index=False), start=top + 1):
            # Spreadsheet programs do not always grow a row for wrapped text on
            # opening (LibreOffice keeps the stored height), so set it here.
            lines = max(
                (math.ceil(len(value) / max(widths[column] - 2, 1))
                 for column, value in enumerate(values) if isinstance(value, str)),
                default=1,
            )
            if lines > 1:
                sheet.set_row(row_number, ROW_HEIGHT_POINTS * lines)
            for column, value in enumerate(values):
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    continue
                if isinstance(value, str):
                    _write_text(sheet, row_number, column, value, text, quoted)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_number, column, value)
                elif isinstance(value, int | float):
                    sheet.write_number(row_number, column, float(value))
                else:
                    _write_text(sheet, row_number, column, str(value), text, quoted)
        sheet.freeze_panes(top + 1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_text(sheet, row: int, column: int, value: str, plain, quoted) -> None:
    sheet.write_string(row, column, value, quoted if needs_neutralising(value) else plain)


def _sheet_name(name: str, used: set[str]) -> str:
    base = name.translate(_FORBIDDEN_IN_SHEET_NAME).strip()[:MAX_SHEET_NAME] or "Лист"
    candidate, number = base, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    used.add(candidate.casefold())
    return candidate


def render_xlsx(content: ReportContent) -> bytes:
    """Return an XLSX workbook with one sheet per table of the report, plus a summary sheet."""
    summary_lines = [content.title, content.school, f"Период: {content.period}"]
    for block in content.blocks:
        if isinstance(block, Heading):
            summary_lines.append("")
            summary_lines.append(block.text)
        elif isinstance(block, Paragraph):
            summary_lines.append(block.text)
    sheets = {"Сводка": pd.DataFrame({"Текст отчёта": summary_lines})}
    for table in content.tables():
        sheets[table.sheet] = table.frame
    return write_sheets(sheets)
