"""Bytes to a raw table: encoding, delimiter, decimal mark, XLSX sheets and header rows.

The reader never interprets cells as template fields; it returns the table as
the user sees it (header names as written, row numbers as Excel or a text
editor shows them, header = row 1 in a plain CSV) plus what it detected.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from xml.etree import ElementTree

import pandas as pd

from db.errors import UnreadableFileError
from db.importing.values import InvalidValue, MissingValue, is_blank, parse_number, quote

logger = logging.getLogger(__name__)

CSV_DELIMITERS = (";", ",", "\t", "|")
# UTF-8 Cyrillic read as Windows-1251 turns into «Р»/«С» followed by one of these.
_CP1251_MOJIBAKE = re.compile(
    "[РС][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1251", errors="ignore")) + "]"
)
# UTF-8 Cyrillic read as Latin-1 turns into «Ð»/«Ñ» followed by a C1 or Latin-1 character.
_LATIN1_MOJIBAKE = re.compile("[ÐÑ][\u0080-\u00bf]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_TOTAL_LABEL = re.compile(r"^\s*(итого|всего)\b", re.IGNORECASE)
_COMMA_DECIMAL = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_DOT_DECIMAL = re.compile(r"^\s*[+-]?\d+\.\d+\s*$")
# Text cells that are numbers or dates, which a header row rarely contains.
_NUMBER_TEXT = re.compile(r"^[+-]?\d[\d \u00a0]*(?:[.,]\d+)?\s*%?$")
_DATE_TEXT = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Rows searched for the header row, from the top of a CSV file or an XLSX sheet.
HEADER_SEARCH_ROWS = 30
MOJIBAKE_SAMPLE_LINES = 5
# Bytes decoded for encoding, mojibake and delimiter detection; the rest is checked block by block.
SAMPLE_BYTES = 256 * 1024
DECODE_BLOCK_BYTES = 1024 * 1024
CSV_CHUNK_ROWS = 50_000


@dataclass
class TotalsCheck:
    """A «Итого» row compared with the sum of the data rows above it."""

    row: int
    label: str
    # column -> (stated total, computed sum)
    columns: dict[str, tuple[float, float]]

    @property
    def consistent(self) -> bool:
        return all(abs(stated - computed) < 1e-9 for stated, computed in self.columns.values())


@dataclass
class RawTable:
    """One table read from a file, before any template is applied."""

    file_name: str
    data: pd.DataFrame  # object columns named as in the file
    row_numbers: list[int]  # the user-visible row number of each data row
    file_format: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    decimal_mark: str | None = None
    sheet_name: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=lambda: [1])
    blank_rows: list[int] = field(default_factory=list)
    totals: list[TotalsCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mojibake: str | None = None  # None | "repaired" | "unrepairable" (see `decode_text`)
    mojibake_sample: list[tuple[str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [str(column) for column in self.data.columns]


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def read_table(
    content: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    header_depth: int = 1,
) -> RawTable:
    """Read a CSV or XLSX file's bytes into a `RawTable`.

    `header_row` (1-based, as the user sees it) overrides header detection.
    `header_depth=2` makes the header row and the row below it the column
    names (XLSX only: a CSV raises `UnreadableFileError`). With
    `header_depth=1` and no `header_row`, an XLSX header is two rows deep
    only when the second row contains sub-headings. `sheet` picks an XLSX
    sheet, by default the first one that has data.
    """
    if header_depth not in (1, 2):
        raise ValueError(f"header_depth must be 1 or 2, not {header_depth!r}")
    if not content.strip():
        raise UnreadableFileError(
            f"Файл {file_name} пустой: в нём нет ни заголовка, ни строк. Выберите файл с таблицей.",
            file=file_name,
        )
    if is_xlsx(content):
        table = read_xlsx(content, file_name, sheet=sheet, header_row=header_row,
                          header_depth=header_depth)
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableFileError(
            f"Файл {file_name} повреждён или это не Excel: внутри нет книги .xlsx. Откройте его в "
            "Excel и сохраните заново как .xlsx или CSV.",
            file=file_name,
        )
    elif content[:2] == b"\xd0\xcf":
        raise UnreadableFileError(
            f"Файл {file_name}: это книга Excel старого формата (.xls). "
            "Сохраните её как .xlsx или CSV и загрузите снова.",
            file=file_name,
        )
    else:
        table = read_csv(content, file_name, header_row=header_row, header_depth=header_depth)
    _drop_total_rows(table)
    table.decimal_mark = table.decimal_mark or detect_decimal_mark(table.data)
    return table


# --- CSV ---------------------------------------------------------------------


@dataclass
class Decoded:
    """The encoding of a CSV file, a decoded sample of it and its mojibake state."""

    # The first part of the text (at most `SAMPLE_BYTES` of the file), for detection. When the
    # file is longer, it ends at the last line end in those bytes (if there is one).
    sample: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    mojibake: str | None = None  # None | "repaired" | "unrepairable"
    # First lines as they were in the file and as repaired, for the user to compare.
    mojibake_sample: list[tuple[str, str]] = field(default_factory=list)
    # The bytes pandas parses and their encoding: the file itself, or the repaired text as UTF-8.
    data: bytes = b""
    data_encoding: str = "utf-8"


def detect_encoding(content: bytes) -> str:
    """Return the encoding of CSV bytes: UTF-8 (with or without BOM), UTF-16 with a BOM or Windows-1251.

    The bytes are checked block by block, so a large file is never held twice
    as text. Latin-1 is never returned: it decodes any bytes and would store garbage.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "cp1251"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), DECODE_BLOCK_BYTES):
                decoder.decode(content[start:start + DECODE_BLOCK_BYTES], final=False)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFileError(
        "Не удалось определить кодировку файла: он не в UTF-8 и не в "
        "Windows-1251. Сохраните его в Excel как «CSV UTF-8» и загрузите снова.",
    )


def decode_text(content: bytes) -> Decoded:
    """Find the encoding of CSV bytes and repair mojibake when it round-trips.

    Only a sample is decoded unless the text needs repair; pandas then reads
    the bytes itself in the detected encoding.
    """
    encoding = detect_encoding(content)
    decoder = codecs.getincrementaldecoder(encoding)()
    whole = len(content) <= SAMPLE_BYTES
    sample = decoder.decode(content[:SAMPLE_BYTES], final=whole)
    if not whole:
        # Detection reads whole lines: a line cut at the end of the sample would end inside
        # a mojibake sequence or miss some of its fields.
        end = max(sample.rfind("\n"), sample.rfind("\r"))
        if end >= 0:
            sample = sample[:end + 1]
    _repaired, warnings, state = repair_mojibake(sample, partial=not whole)
    decoded = Decoded(sample, encoding, warnings, state, data=content, data_encoding=encoding)
    if state == "repaired":
        # Repair is decided on the sample and done on the whole text, which may still fail.
        repaired, warnings, state = repair_mojibake(content.decode(encoding), decided=True)
        decoded.warnings, decoded.mojibake = warnings, state
        if state == "repaired":
            decoded.data, decoded.data_encoding = repaired.encode("utf-8"), "utf-8"
            before = sample.splitlines()[:MOJIBAKE_SAMPLE_LINES]
            after = repaired[:len(sample)].splitlines()[:MOJIBAKE_SAMPLE_LINES]
            decoded.mojibake_sample = list(zip(before, after, strict=False))
    return decoded


def repair_mojibake(
    text: str, *, decided: bool = False, partial: bool = False,
) -> tuple[str, list[str], str | None]:
    """Undo UTF-8 text that was once opened as Windows-1251 and saved again, when it round-trips.

    Returns the text, warnings and the state: None (clean), "repaired" or
    "unrepairable" (the text is garbled and could not be restored). With
    `decided`, the text is known to be garbled (from a sample of it) and is
    repaired without counting again. With `partial`, the text is the start of
    a longer text, so a sequence cut off at its end is not an error (and is
    left out of the returned text).
    """
    sample = text[:200_000]
    cyrillic = len(_CYRILLIC.findall(sample))
    broken = len(_CP1251_MOJIBAKE.findall(sample))
    if decided or (broken >= 3 and broken * 3 >= cyrillic / 2):
        try:
            decoder = codecs.getincrementaldecoder("utf-8")()
            repaired = decoder.decode(text.encode("cp1251"), final=not partial)
        except UnicodeError:
            return text, [
                "Текст похож на «кракозябры» (UTF-8, открытый как Windows-1251), "
                "и исправить его автоматически не удалось. Сохраните исходный файл "
                "в UTF-8 заново."
            ], "unrepairable"
        return repaired, [
            "Текст был испорчен перекодировкой (UTF-8, открытый как Windows-1251); "
            "его можно восстановить. Сравните строки до и после исправления и подтвердите "
            "исправление перед загрузкой."
        ], "repaired"
    if len(_LATIN1_MOJIBAKE.findall(sample)) >= 3:
        return text, [
            "Текст похож на «кракозябры» (UTF-8, открытый как Latin-1). "
            "Сохраните исходный файл в UTF-8 заново."
        ], "unrepairable"
    return text, [], None


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the most lines into the same number of fields.

    That number is the most common field count (at least 2), so title lines above the
    header do not decide it. Ties go to the delimiter that gives more fields.
    """
    best, best_score = ",", (-1.0, 0)
    for delimiter in CSV_DELIMITERS:
        widths = [len(row) for row in _csv_rows(text[:65_536], delimiter, 50) if row]
        if not widths:
            continue
        width, count = max(Counter(widths).items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        score = (count / len(widths), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """Split the first `limit` lines of CSV text into fields, one list per line.

    A quoted field that spans lines puts its record on its first line and
    leaves the following lines empty, so the list index is the line number
    minus one. A record that the csv module cannot parse ends the list.
    """
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            rows.append(record)
            rows.extend([] for _ in range(reader.line_num - len(rows)))
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows[:limit]


def _text_from_line(text: str, line: int) -> str:
    """Return `text` from its 1-based line `line` on."""
    buffer = io.StringIO(text, newline="")
    for _ in range(line - 1):
        buffer.readline()
    return buffer.read()


def _count_lines(text: str) -> int:
    """Return the number of the last line of `text` that is not blank."""
    last = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.strip():
            last = number
    return last


def _csv_layout(decoded: Decoded, file_name: str, header_row: int | None) -> tuple[str, int]:
    """Return the delimiter and the 1-based header row of a CSV file.

    The delimiter is detected on the lines from the header row on, so a title
    line above the table does not decide it.
    """
    sample = decoded.sample
    if header_row is not None:
        if header_row > _count_lines(sample):
            # The sample may be only the start of the file, so the header row is looked for in
            # all of it. A header this far down is rare, and the text is decoded only then.
            sample = decoded.data.decode(decoded.data_encoding)
            lines = _count_lines(sample)
            if header_row > lines:
                raise UnreadableFileError(
                    _header_row_range_message(f"Файл {file_name}: в нём", lines, header_row, 1),
                    file=file_name, value=str(header_row),
                )
        return detect_delimiter(_text_from_line(sample, header_row)), header_row
    delimiter = detect_delimiter(sample)
    header = _find_header_row(_csv_rows(sample, delimiter, 2 * HEADER_SEARCH_ROWS)) + 1
    if header > 1:
        below = detect_delimiter(_text_from_line(sample, header))
        if below != delimiter:
            delimiter = below
            header = _find_header_row(_csv_rows(sample, delimiter, 2 * HEADER_SEARCH_ROWS)) + 1
    return delimiter, header


def read_csv(content: bytes, file_name: str, *, header_row: int | None = None,
             header_depth: int = 1) -> RawTable:
    if header_depth != 1:
        raise UnreadableFileError(
            f"Файл {file_name}: заголовок из двух строк поддерживается только в книгах Excel "
            "(.xlsx), а это CSV. Укажите заголовок из одной строки или сохраните таблицу "
            "как книгу .xlsx.",
            file=file_name,
        )
    decoded = decode_text(content)
    encoding, warnings = decoded.encoding, decoded.warnings
    delimiter, header = _csv_layout(decoded, file_name, header_row)
    skip = header - 1
    try:
        # pandas decodes and parses the bytes in chunks, so the text of a large file is never
        # held whole. The string columns are Arrow arrays, which concat links without copying.
        # With pandas 3.1 on an 80 MB, 600,000-row CSV the peak memory was 179 MB this way and
        # 197 MB with one read_csv call (one run each, measured with ru_maxrss).
        chunks = pd.read_csv(
            io.BytesIO(decoded.data),
            encoding=decoded.data_encoding,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skiprows=skip,
            engine="c",
            chunksize=CSV_CHUNK_ROWS,
        )
        frame = pd.concat(chunks, ignore_index=True)
    except pd.errors.EmptyDataError as error:
        raise UnreadableFileError(
            f"Файл {file_name}: в нём нет таблицы — ни заголовка, ни строк"
            + (f" ниже строки {skip}" if skip else "") + ". Выберите файл с таблицей.",
            file=file_name,
        ) from error
    except pd.errors.ParserError as error:
        logger.warning("%s: pandas failed to parse the CSV: %s", file_name, error)
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        # pandas numbers the lines of the file, the skipped ones included.
        where = (f" в строке {found.group(2)} ячеек {found.group(3)}, а в заголовке "
                 f"(строка {header}) {found.group(1)}" if found else "")
        raise UnreadableFileError(
            f"Файл {file_name} не читается как таблица CSV{where}. Проверьте, что в нём одна "
            "таблица с заголовком в одной строке и что текст с разделителем взят в кавычки.",
            file=file_name,
        ) from error
    # pandas names an empty header cell «Unnamed: N»; the user sees «Столбец N+1», as in XLSX.
    frame.columns = _unique_names([
        f"Столбец {position + 1}" if str(column).startswith("Unnamed: ") else str(column).strip()
        for position, column in enumerate(frame.columns)])
    row_numbers = list(range(skip + 2, skip + 2 + len(frame)))
    table = RawTable(
        file_name=file_name,
        data=frame,
        row_numbers=row_numbers,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_rows=[header],
        warnings=warnings,
        mojibake=decoded.mojibake,
        mojibake_sample=decoded.mojibake_sample,
    )
    note = _skipped_rows_note(table.header_rows)
    if note:
        table.warnings.append(note)
    _drop_blank_rows(table)
    return table


# --- XLSX --------------------------------------------------------------------


def _merged_ranges(content: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Return, per sheet name, its merged ranges as (min_row, min_col, max_row, max_col).

    Read-only openpyxl (the fast mode) does not expose merged cells, so they
    are read from the sheet XML directly.
    """
    result: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{_PKG_REL_NS}Relationship")}
        names = set(archive.namelist())
        for sheet in workbook.iter(f"{_SHEET_NS}sheet"):
            target = targets.get(sheet.get(f"{_REL_NS}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            path = posixpath.normpath(path)
            if path not in names:
                continue
            ranges = []
            xml = archive.read(path)
            for ref in re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', xml):
                ranges.append(_parse_range(ref.decode()))
            result[sheet.get("name")] = ranges
    return result


def _parse_range(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return min_row, min_col, max_row, max_col


def read_xlsx(
    content: bytes, file_name: str, *, sheet: str | None = None, header_row: int | None = None,
    header_depth: int = 1,
) -> RawTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        logger.warning("%s: openpyxl failed to open the workbook: %r", file_name, error)
        raise UnreadableFileError(
            f"Файл {file_name} повреждён или это не Excel: книга .xlsx не открывается. Откройте "
            "его в Excel и сохраните заново как .xlsx или CSV.",
            file=file_name,
        ) from error
    try:
        sheet_names = list(workbook.sheetnames)
        if sheet is not None and sheet not in sheet_names:
            raise UnreadableFileError(
                f"В файле {file_name} нет листа «{sheet}». Листы: {', '.join(sheet_names)}.",
                file=file_name,
            )
        grids = {}
        for name in [sheet] if sheet else sheet_names:
            grid = [list(row) for row in workbook[name].iter_rows(values_only=True)]
            if sheet or any(not is_blank(cell) for row in grid for cell in row):
                grids[name] = grid
    finally:
        workbook.close()
    if header_row is not None and grids:
        grids = _sheets_reaching_header(grids, file_name, header_row, header_depth)
    merges = _merged_ranges(content)
    tables = {name: _table_from_grid(grid, merges.get(name, []), file_name, header_row=header_row,
                                     header_depth=header_depth)
              for name, grid in grids.items()}
    if not tables:
        raise UnreadableFileError(
            f"Файл {file_name}: все листы ({', '.join(sheet_names)}) пустые. Выберите файл с таблицей.",
            file=file_name,
        )
    chosen = sheet or _choose_sheet(tables)
    table = tables[chosen]
    table.sheet_name = chosen
    table.sheet_names = sheet_names
    if not sheet:
        table.warnings.extend(_sheet_notes(tables, chosen))
    return table


def _choose_sheet(tables: dict[str, RawTable]) -> str:
    """Return the first sheet whose headers fit an import template, else the first with data."""
    from db.importing.templates import detect_kind

    for name, table in tables.items():
        if detect_kind(table.columns)[0] is not None:
            return name
    return next(iter(tables))


def _sheet_notes(tables: dict[str, RawTable], chosen: str) -> list[str]:
    """Say which sheet was read when the workbook has other sheets with data."""
    from db.importing.templates import detect_kind

    others = [name for name in tables if name != chosen]
    if not others:
        return []
    chosen_fits = detect_kind(tables[chosen].columns)[0] is not None
    # With a matching sheet chosen, notes and instruction sheets (the product's own templates
    # have one) are not worth a warning; other sheets that look like data are.
    relevant = [name for name in others
                if not chosen_fits or detect_kind(tables[name].columns)[0] is not None]
    skipped_before = [name for name in others if list(tables).index(name) < list(tables).index(chosen)]
    notes = []
    if skipped_before and chosen_fits:
        notes.append(f"Прочитан лист «{chosen}»: его заголовки подходят к шаблону. Листы перед ним ("
                     + ", ".join(f"«{name}»" for name in skipped_before) + ") пропущены.")
    if relevant:
        notes.append(f"Прочитан только лист «{chosen}». В файле есть и другие листы с данными: "
                     + ", ".join(f"«{name}»" for name in relevant)
                     + ". Они не загружены: выберите лист в предпросмотре на странице «Данные» "
                     "(в командной строке: --sheet \"Имя листа\") или сохраните каждый лист "
                     "отдельным файлом.")
    return notes


def _used_rows(grid: list[list[object]]) -> int:
    """Return the number of the last row of a sheet that has a filled cell, or 0."""
    for index in range(len(grid) - 1, -1, -1):
        if any(not is_blank(cell) for cell in grid[index]):
            return index + 1
    return 0


def _sheets_reaching_header(grids: dict[str, list[list[object]]], file_name: str, header_row: int,
                            header_depth: int) -> dict[str, list[list[object]]]:
    """Return the sheets that have the header rows the user picked, or raise when none has them."""
    last = header_row + header_depth - 1
    reaching = {name: grid for name, grid in grids.items() if _used_rows(grid) >= last}
    if reaching:
        return reaching
    longest = max(grids, key=lambda name: _used_rows(grids[name]))
    rows = _used_rows(grids[longest])
    if not rows:
        raise UnreadableFileError(
            f"Файл {file_name}: лист «{longest}» пустой. Выберите лист с таблицей.",
            file=file_name,
        )
    prefix = f"Файл {file_name}, лист «{longest}»: на листе"
    raise UnreadableFileError(
        _header_row_range_message(prefix, rows, header_row, header_depth),
        file=file_name, value=str(header_row),
    )


def _fill_merges(grid: list[list[object]], merges, header_end: int) -> None:
    """Copy each merged range's value into its cells.

    In rows up to `header_end` every merged cell gets the value, so a group
    heading names each column under it. Below the header, only ranges that
    span several rows are filled, such as a mentor's name merged down over
    their rows. A range merged across one data row keeps its value in the
    first cell only.
    """
    for min_row, min_col, max_row, max_col in merges:
        if min_row - 1 >= len(grid):
            continue
        value = _cell(grid, min_row, min_col)
        for row in range(min_row, min(max_row, len(grid)) + 1):
            if row > header_end and max_row == min_row:
                continue
            cells = grid[row - 1]
            for col in range(min_col, min(max_col, len(cells)) + 1):
                cells[col - 1] = value


def _cell(grid: list[list[object]], row: int, col: int) -> object:
    """Return the value at 1-based `row` and `col`, or None outside the grid."""
    if row - 1 >= len(grid) or col - 1 >= len(grid[row - 1]):
        return None
    return grid[row - 1][col - 1]


def _merged_cover(grid: list[list[object]], merges) -> dict[int, int]:
    """Return, per 0-based row, the number of extra cells that ranges merged across from a filled cell cover."""
    cover: dict[int, int] = {}
    for min_row, min_col, _max_row, max_col in merges:
        if max_col > min_col and not is_blank(_cell(grid, min_row, min_col)):
            cover[min_row - 1] = cover.get(min_row - 1, 0) + max_col - min_col
    return cover


def _shape(text: str) -> str:
    """Return the text with letter runs as «a» and digit runs as «0» («W001» and «W002» give «a0»)."""
    return re.sub(r"\d+", "0", re.sub(r"[^\W\d_]+", "a", text.strip()))


def _looks_like_column_data(value: str, grid: list[list[object]], start: int, col: int) -> bool:
    """Return whether text with digits has the shape of a value below it in its column (a code)."""
    if not re.search(r"\d", value):
        return False
    below = [row[col] for row in grid[start:start + 20] if not is_blank(row[col])][:3]
    return any(isinstance(cell, str) and _shape(cell) == _shape(value) for cell in below)


def _has_subheading_row(grid: list[list[object]], merges, header: int) -> bool:
    """Return whether the row below the 1-based `header` row continues the header.

    It does when a header cell is merged down into it. It also does when the
    header has cells merged across («Мероприятия» over «Встречи», «Открытые
    уроки») and the row below contains text under each of them and nothing
    elsewhere. Numbers, dates and codes shaped like the values below them
    make it a data row, and so does any value outside the merged cells (a
    «Примечание» merged over two note columns has no sub-headings).
    """
    if header >= len(grid):
        return False
    spans = []
    for min_row, min_col, max_row, max_col in merges:
        if min_row != header:
            continue
        if max_row > min_row:
            return True
        if max_col > min_col and not is_blank(_cell(grid, header, min_col)):
            spans.append((min_col, max_col))
    if not spans:
        return False
    under = {col - 1 for min_col, max_col in spans for col in range(min_col, max_col + 1)}
    for col, value in enumerate(grid[header]):
        if col not in under:
            if not is_blank(value):
                return False
        elif not _is_text(value) or _looks_like_column_data(value, grid, header + 1, col):
            return False
    return True


def _table_from_grid(grid, merges, file_name: str, *, header_row: int | None,
                     header_depth: int = 1) -> RawTable:
    width = max((len(row) for row in grid), default=0)
    grid = [list(row) + [None] * (width - len(row)) for row in grid]
    header = header_row or _find_header_row(grid, _merged_cover(grid, merges)) + 1
    # A header row picked by the user comes with its depth; only detection guesses it.
    if header_depth == 2:
        two_rows = header < len(grid)
    else:
        two_rows = header_row is None and _has_subheading_row(grid, merges, header)
    header_end = header + 1 if two_rows else header
    _fill_merges(grid, merges, header_end)
    names = []
    for col in range(width):
        top = grid[header - 1][col] if header - 1 < len(grid) else None
        parts = [quote(top).strip()] if not is_blank(top) else []
        if two_rows:
            bottom = grid[header][col]
            if not is_blank(bottom) and quote(bottom).strip() not in parts:
                parts.append(quote(bottom).strip())
        names.append(" / ".join(parts))
    keep = [col for col in range(width) if names[col] or any(
        not is_blank(row[col]) for row in grid[header_end:]
    )]
    names = _unique_names([names[col] or f"Столбец {col + 1}" for col in keep])
    rows = [[row[col] for col in keep] for row in grid[header_end:]]
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    table = RawTable(
        file_name=file_name,
        data=frame,
        row_numbers=list(range(header_end + 1, header_end + 1 + len(rows))),
        file_format="xlsx",
        header_rows=list(range(header, header_end + 1)),
    )
    note = _skipped_rows_note(table.header_rows)
    if note:
        table.warnings.append(note)
    _drop_blank_rows(table)
    return table


# --- shared ------------------------------------------------------------------


def _is_text(value: object) -> bool:
    """Return whether a cell contains text that is not a number or a date written as text."""
    if not isinstance(value, str) or is_blank(value):
        return False
    text = value.strip()
    return not (_NUMBER_TEXT.match(text) or _DATE_TEXT.match(text))


def _find_header_row(rows: list[list[object]], cover: dict[int, int] | None = None) -> int:
    """Return the 0-based index of the header row among the rows of a CSV file or a sheet.

    The header is the first row (of `HEADER_SEARCH_ROWS`) that is mostly
    filled and mostly text. Mostly filled means at least two cells and more
    than half of the widest row's count, where `cover` adds the cells merged
    across from a filled cell. Titles and notes above a table fill fewer
    cells. A header row may contain a few numbers or dates (a year as a
    column name) when fewer than half its cells are such and the next
    non-blank row, a data row, has at least as many. When no row passes, the
    first mostly filled row is returned, or else the first row.
    """
    cover = cover or {}
    # Twice the search rows, so the row after the last candidate can be seen past blank rows.
    filled = [[cell for cell in row if not is_blank(cell)] for row in rows[:2 * HEADER_SEARCH_ROWS]]
    width = max((len(cells) for cells in filled[:HEADER_SEARCH_ROWS]), default=0)
    threshold = max(2, width // 2 + 1)
    wide = [index for index, cells in enumerate(filled[:HEADER_SEARCH_ROWS])
            if len(cells) >= 2 and len(cells) + cover.get(index, 0) >= threshold]
    for index in wide:
        others = sum(1 for cell in filled[index] if not _is_text(cell))
        if others == 0:
            return index
        below = next((cells for cells in filled[index + 1:] if cells), [])
        if 2 * others < len(filled[index]) and others <= sum(1 for cell in below if not _is_text(cell)):
            return index
    return wide[0] if wide else 0


def _skipped_rows_note(header_rows: list[int]) -> str | None:
    """Return the note on the rows above the header that were skipped, or None when none were."""
    first, last = header_rows[0], header_rows[-1]
    if first == 1:
        return None
    skipped = "Строка 1 над заголовком пропущена" if first == 2 else (
        f"Строки 1–{first - 1} над заголовком пропущены")
    source = f"строки {first}" if first == last else f"строк {first}–{last}"
    return (f"{skipped}, названия столбцов взяты из {source}. Если заголовок в другой строке, "
            "выберите её в поле «Строки заголовка» (в командной строке: --header-row N).")


def _rows_phrase(count: int) -> str:
    """Return `count` with «строка» in the Russian plural form it takes («1 строка», «3 строки», «5 строк»)."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} строка"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} строки"
    return f"{count} строк"


def _header_row_range_message(prefix: str, rows: int, header_row: int, header_depth: int) -> str:
    """Return the error for a header row below the end of the table.

    `prefix` names the file (and sheet) and ends with «в нём» or «на листе».
    """
    if header_depth == 1:
        return (f"{prefix} только {_rows_phrase(rows)}, а указан номер строки заголовка "
                f"{header_row}. Укажите номер строки заголовка от 1 до {rows}.")
    if rows < 2:
        return (f"{prefix} только {_rows_phrase(rows)}, а заголовок из двух строк указан со "
                f"строки {header_row}. Укажите заголовок из одной строки.")
    return (f"{prefix} только {_rows_phrase(rows)}, а заголовок из двух строк указан со строки "
            f"{header_row}. Укажите первую строку заголовка от 1 до {rows - 1}.")


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if name in seen:
            seen[name] += 1
            result.append(f"{name} ({seen[name]})")
        else:
            seen[name] = 1
            result.append(name)
    return result


def _blank_mask(frame: pd.DataFrame) -> pd.Series:
    if frame.empty:
        return pd.Series([], dtype=bool)
    filled = pd.Series(False, index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype(str).str.strip()
            filled |= values.notna() & (text != "") & (text != "None")
        else:
            filled |= values.notna()
    return ~filled


def _drop_blank_rows(table: RawTable) -> None:
    mask = _blank_mask(table.data)
    if not mask.any():
        return
    numbers = pd.Series(table.row_numbers, index=table.data.index)
    table.blank_rows.extend(int(n) for n in numbers[mask])
    table.data = table.data[~mask].reset_index(drop=True)
    table.row_numbers = [int(n) for n in numbers[~mask]]


def _as_number(value: object) -> float | None:
    if is_blank(value):
        return None
    try:
        return parse_number(value)
    except (InvalidValue, MissingValue):
        return None


def _drop_total_rows(table: RawTable) -> None:
    """Remove «Итого»/«Всего» rows and compare their numbers with the column sums above them."""
    frame = table.data
    if frame.empty:
        return
    first_text = frame.iloc[:, 0].astype(str)
    candidates = [int(i) for i in first_text.index[first_text.str.match(_TOTAL_LABEL)]]
    if not candidates:
        return
    for index in candidates:
        checked: dict[str, tuple[float, float]] = {}
        above = frame.iloc[:index]
        above = above[~above.iloc[:, 0].astype(str).str.match(_TOTAL_LABEL)]
        for column in frame.columns[1:]:
            stated = _as_number(frame.at[index, column])
            if stated is None:
                continue
            values = [_as_number(v) for v in above[column]]
            checked[column] = (stated, float(sum(v for v in values if v is not None)))
        check = TotalsCheck(table.row_numbers[index], quote(frame.iat[index, 0]), checked)
        table.totals.append(check)
        if check.consistent:
            table.warnings.append(
                f"Строка {check.row} «{check.label}» — итоговая, не данные; "
                "её числа совпадают с суммой строк выше."
            )
        else:
            mismatched = ", ".join(
                f"«{name}»: указано {quote(stated)}, сумма {quote(computed)}"
                for name, (stated, computed) in checked.items()
                if abs(stated - computed) >= 1e-9
            )
            table.warnings.append(
                f"Строка {check.row} «{check.label}» — итоговая, не данные; "
                f"она не совпадает с суммой строк выше ({mismatched}). Проверьте таблицу."
            )
    keep = [i for i in range(len(frame)) if i not in set(candidates)]
    table.data = frame.iloc[keep].reset_index(drop=True)
    table.row_numbers = [table.row_numbers[i] for i in keep]


def detect_decimal_mark(frame: pd.DataFrame) -> str | None:
    """Return "," or "." by counting number-like text cells, or None when none are seen."""
    commas = dots = 0
    for column in frame.columns:
        values = frame[column].head(500)
        text = values[values.map(lambda v: isinstance(v, str))]
        if text.empty:
            continue
        commas += int(text.str.match(_COMMA_DECIMAL).sum())
        dots += int(text.str.match(_DOT_DECIMAL).sum())
    if not commas and not dots:
        return None
    return "," if commas >= dots else "."
