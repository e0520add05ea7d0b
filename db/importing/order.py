"""Order of files in one import set: referenced rows (participants) before rows that refer to them.

The kind of each file is detected from its header alone: the first lines of a
CSV file or the first rows of each XLSX sheet, so a set of large files is not
parsed twice before it is imported.
"""

from __future__ import annotations

import codecs
import io
import logging
from pathlib import Path

from db.errors import ImportValidationError
from db.importing.reading import (
    HEADER_SEARCH_ROWS,
    SAMPLE_BYTES,
    _merged_ranges,
    _table_from_grid,
    is_xlsx,
    read_csv,
    read_table,
)
from db.importing.templates import KIND_ORDER, detect_kind
from db.importing.values import is_blank

logger = logging.getLogger(__name__)

# Bytes of a CSV file read for its header: the sample `read_csv` detects the header in,
# cut back to the last whole line.
HEADER_PROBE_BYTES = SAMPLE_BYTES
# Rows of each XLSX sheet read for its header. `read_xlsx` looks for the header among the first
# HEADER_SEARCH_ROWS rows and checks it against the rows below, up to twice that many.
# NOTE: this follows reading.py's header detection; keep the two in step.
XLSX_HEAD_ROWS = 2 * HEADER_SEARCH_ROWS
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_header(path: Path, *, sheet: str | None = None, header_row: int | None = None,
                header_depth: int = 1) -> list[str]:
    """Return the column names of a CSV or XLSX file as `read_table` would name them.

    Only the head of the file is parsed. `sheet`, `header_row` and
    `header_depth` mean what they mean for `read_table`. When the head of a CSV
    file cannot be parsed on its own (a header below the first `SAMPLE_BYTES`,
    a quoted cell cut in two), the whole file is read. Raises
    `ImportValidationError` for a file that cannot be read at all.
    """
    with path.open("rb") as handle:
        head = handle.read(HEADER_PROBE_BYTES + 1)
    if is_xlsx(head):
        return _xlsx_header(path, sheet=sheet, header_row=header_row, header_depth=header_depth)
    if not head.strip() or head[:2] == b"\xd0\xcf" or path.suffix.lower() in (".xlsx", ".xlsm"):
        # `read_table` rejects an empty file, an old .xls or a damaged .xlsx from its first bytes.
        return read_table(head, path.name, header_row=header_row, header_depth=header_depth).columns
    if len(head) <= HEADER_PROBE_BYTES:  # the whole file
        return read_csv(head, path.name, header_row=header_row, header_depth=header_depth).columns
    lines = _whole_lines(head[:HEADER_PROBE_BYTES])
    if lines:
        try:
            return read_csv(lines, path.name, header_row=header_row, header_depth=header_depth).columns
        except (ImportValidationError, UnicodeError) as error:
            logger.info("%s: the first %d bytes are not a table on their own (%s); reading the whole file",
                        path.name, len(lines), error)
    return read_table(path.read_bytes(), path.name, header_row=header_row,
                      header_depth=header_depth).columns


def _whole_lines(head: bytes) -> bytes:
    """Cut `head` after its last line break, so that no line or character is cut in two.

    UTF-8 and Windows-1251 never use the byte 0x0A inside a character; UTF-16
    text is decoded to find the break and encoded again with its BOM.
    """
    if head.startswith(_UTF16_BOMS):
        text = codecs.getincrementaldecoder("utf-16")().decode(head, final=False)
        cut = text.rfind("\n")
        return text[:cut + 1].encode("utf-16") if cut >= 0 else b""
    return head[:head.rfind(b"\n") + 1]


def _xlsx_header(path: Path, *, sheet: str | None, header_row: int | None, header_depth: int) -> list[str]:
    """Return the columns of the sheet `read_xlsx` would pick, from the first rows of each sheet."""
    import openpyxl

    content = path.read_bytes()
    limit = max(XLSX_HEAD_ROWS, (header_row or 0) + header_depth)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for damaged files
        # `read_table` raises the Russian message that explains what is wrong with the workbook.
        return read_table(content, path.name, sheet=sheet, header_row=header_row,
                          header_depth=header_depth).columns
    try:
        names = [sheet] if sheet else list(workbook.sheetnames)
        if sheet is not None and sheet not in workbook.sheetnames:
            return []
        grids = {}
        for name in names:
            grid = [list(row) for row in workbook[name].iter_rows(max_row=limit, values_only=True)]
            if sheet or any(not is_blank(cell) for row in grid for cell in row):
                grids[name] = grid
    finally:
        workbook.close()
    merges = _merged_ranges(content)
    columns = []
    for name, grid in grids.items():
        table = _table_from_grid(grid, merges.get(name, []), path.name, header_row=header_row,
                                 header_depth=header_depth)
        # As `read_xlsx` does, the first sheet that fits a template wins, else the first with data.
        if sheet or detect_kind(table.columns)[0] is not None:
            return table.columns
        columns = columns or table.columns
    return columns


def detect_file_kind(path: Path, *, sheet: str | None = None, header_row: int | None = None,
                     header_depth: int = 1) -> str | None:
    """Return the template kind of a file from its header, or None when it is unreadable or unknown."""
    try:
        columns = read_header(path, sheet=sheet, header_row=header_row, header_depth=header_depth)
    except ImportValidationError:
        return None
    return detect_kind(columns)[0]


def order_paths(paths: list[Path], kind: str | None = None, *, sheet: str | None = None,
                header_row: int | None = None, header_depth: int = 1) -> list[Path]:
    """Sort paths by template kind in dependency order; unknown kinds go last, in the given order.

    Nothing is read when there is one path or `kind` is given for all of them.
    """
    if kind is not None or len(paths) < 2:
        return list(paths)
    ranked = []
    for index, path in enumerate(paths):
        detected = detect_file_kind(path, sheet=sheet, header_row=header_row, header_depth=header_depth)
        rank = KIND_ORDER.index(detected) if detected in KIND_ORDER else len(KIND_ORDER)
        ranked.append((rank, index, path))
    return [path for _rank, _index, path in sorted(ranked)]
