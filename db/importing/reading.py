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
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
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

    `header_row` (1-based, as the user sees it) overrides header detection,
    and `header_depth` (1 or 2, XLSX only) sets how many rows from it form the
    column names. `sheet` picks an XLSX sheet, by default the first one that
    has data.
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
        table = read_csv(content, file_name, header_row=header_row)
    _drop_total_rows(table)
    table.decimal_mark = table.decimal_mark or detect_decimal_mark(table.data)
    return table


# --- CSV ---------------------------------------------------------------------


@dataclass
class Decoded:
    """The encoding of a CSV file, a decoded sample of it and its mojibake state."""

    # The first part of the text (at most `SAMPLE_BYTES` of the file), for detection.
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
    sample = decoder.decode(content[:SAMPLE_BYTES], final=len(content) <= SAMPLE_BYTES)
    _repaired, warnings, state = repair_mojibake(sample)
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


def repair_mojibake(text: str, *, decided: bool = False) -> tuple[str, list[str], str | None]:
    """Undo UTF-8 text that was once opened as Windows-1251 and saved again, when it round-trips.

    Returns the text, warnings and the state: None (clean), "repaired" or
    "unrepairable" (the text is garbled and could not be restored). With
    `decided`, the text is known to be garbled (from a sample of it) and is
    repaired without counting again.
    """
    sample = text[:200_000]
    cyrillic = len(_CYRILLIC.findall(sample))
    broken = len(_CP1251_MOJIBAKE.findall(sample))
    if decided or (broken >= 3 and broken * 3 >= cyrillic / 2):
        try:
            repaired = text.encode("cp1251").decode("utf-8")
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
    """Pick the delimiter that gives the most rows with the header's field count (more fields wins ties)."""
    sample_lines = text[:65_536].splitlines()[:50]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in CSV_DELIMITERS:
        records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        same = sum(1 for record in records if len(record) == width) / len(records)
        score = (same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(content: bytes, file_name: str, *, header_row: int | None = None) -> RawTable:
    decoded = decode_text(content)
    encoding, warnings = decoded.encoding, decoded.warnings
    delimiter = detect_delimiter(decoded.sample)
    skip = (header_row or 1) - 1
    try:
        # pandas decodes and parses the bytes in chunks, so the text of a large file is never
        # held whole. The string columns of the chunks are Arrow arrays, which stay compact.
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
        frame = pd.concat(list(chunks), ignore_index=True)
    except pd.errors.EmptyDataError as error:
        raise UnreadableFileError(
            f"Файл {file_name}: в нём нет таблицы — ни заголовка, ни строк"
            + (f" ниже строки {skip}" if skip else "") + ". Выберите файл с таблицей.",
            file=file_name,
        ) from error
    except pd.errors.ParserError as error:
        logger.warning("%s: pandas failed to parse the CSV: %s", file_name, error)
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        where = (f" в строке {found.group(2)} ячеек {found.group(3)}, а в заголовке {found.group(1)}"
                 if found else "")
        raise UnreadableFileError(
            f"Файл {file_name} не читается как таблица CSV{where}. Проверьте, что в нём одна "
            "таблица с заголовком в первой строке и что текст с разделителем взят в кавычки.",
            file=file_name,
        ) from error
    frame.columns = _unique_names([str(column).strip() for column in frame.columns])
    row_numbers = list(range(skip + 2, skip + 2 + len(frame)))
    table = RawTable(
        file_name=file_name,
        data=frame,
        row_numbers=row_numbers,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_rows=[skip + 1],
        warnings=warnings,
        mojibake=decoded.mojibake,
        mojibake_sample=decoded.mojibake_sample,
    )
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


def _fill_merges(grid: list[list[object]], merges, header_end: int) -> None:
    """Copy a merged range's value into its cells: every cell in header rows, down columns in data rows."""
    for min_row, min_col, max_row, max_col in merges:
        value = grid[min_row - 1][min_col - 1] if min_row - 1 < len(grid) else None
        for row in range(min_row, max_row + 1):
            if row - 1 >= len(grid):
                break
            in_header = row <= header_end
            for col in range(min_col, max_col + 1):
                if col - 1 >= len(grid[row - 1]):
                    continue
                if in_header or col == min_col or max_row > min_row:
                    if in_header or max_row > min_row:
                        grid[row - 1][col - 1] = value


def _find_header_row(grid: list[list[object]]) -> int:
    """Return the 1-based header row: the first row that is mostly text and mostly filled.

    Title rows above it have a single filled cell; the threshold is half the
    widest row among the first rows, and at least two cells.
    """
    counts = [sum(1 for cell in row if not is_blank(cell)) for row in grid[:HEADER_SEARCH_ROWS]]
    if not counts:
        return 1
    threshold = max(2, (max(counts) + 1) // 2)
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cells = [cell for cell in row if not is_blank(cell)]
        if len(cells) >= threshold and all(isinstance(cell, str) for cell in cells):
            return index + 1
    return 1


def _table_from_grid(grid, merges, file_name: str, *, header_row: int | None,
                     header_depth: int = 1) -> RawTable:
    width = max((len(row) for row in grid), default=0)
    grid = [list(row) + [None] * (width - len(row)) for row in grid]
    header = header_row or _find_header_row(grid)
    # A second header row exists when a header cell is merged down into it, or a merged
    # group heading («Мероприятия» over «Встречи», «Открытые уроки») has sub-headings below.
    # A header row picked by the user comes with its depth; only detection guesses it.
    two_rows = header_depth == 2 if header_row else any(
        min_row == header and (max_row > min_row or max_col > min_col)
        for min_row, min_col, max_row, max_col in merges
    )
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
    if header > 1:
        skipped = f"Строки 1–{header - 1} приняты" if header > 2 else "Строка 1 принята"
        table.warnings.append(
            f"{skipped} за заголовок листа и пропущены; названия столбцов взяты из строк "
            f"{', '.join(map(str, table.header_rows))}."
        )
    _drop_blank_rows(table)
    return table


# --- shared ------------------------------------------------------------------


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
