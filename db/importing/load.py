"""The transactional writer: one file = one transaction, with an import log row for every file.

A file with a rejected row writes nothing unless `skip_invalid` is set; then
the good rows are written and the rejected ones go to `<name>.rejected.csv`
beside the file. A rejected file still gets an `import_batch` row with status
"rejected" and its row outcomes, written in a separate transaction after the
data transaction rolled back. Dry runs write nothing at all, not even the log.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.engine import get_engine
from db.errors import DatabaseBusyError, ImportValidationError, UnknownKindError
from db.importing.bulk import bulk_insert
from db.importing.reading import RawTable, read_table
from db.importing.templates import detect_kind
from db.importing.validate import CellIssue, ValidatedTable, validate_table
from db.importing.writers import WRITERS, WriteResult
from db.models import ImportBatch, ImportRowOutcome

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
# Files with more data rows than this print a progress line on stderr from the command line.
PROGRESS_MIN_ROWS = 5_000
# Seconds an import waits for another import's write lock before giving up.
DEFAULT_LOCK_WAIT_S = 60.0
BUSY_MESSAGE = "База данных занята другим импортом, повторите через минуту."
REPAIRED_NOTE = ("Текст был испорчен перекодировкой (UTF-8, открытый как Windows-1251) и загружен "
                 "исправленным, как подтвердил пользователь.")


@dataclass
class ImportReport:
    """What happened to one file: the data contract's JSON keys plus details."""

    file: str
    kind: str
    rows_total: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: list[CellIssue] = field(default_factory=list)
    converted: list[CellIssue] = field(default_factory=list)
    duplicate_rows: list[tuple[int, str]] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    status: str = "imported"  # imported | rejected | dry_run
    import_id: int | None = None
    detected: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rejected_file: str | None = None
    reviews: list[dict] = field(default_factory=list)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rejected_rows(self) -> int:
        return len({issue.row for issue in self.rejected})

    def as_json(self) -> dict:
        """Return the contract's object (`file` … `rejected`) with extra keys after it."""
        return {
            "file": self.file,
            "kind": self.kind,
            "rows_total": self.rows_total,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "rejected": [issue.as_json() for issue in self.rejected],
            "rejected_rows": self.rejected_rows,
            "converted": [issue.as_json() for issue in self.converted],
            "status": self.status,
            "import_id": self.import_id,
            "detected": self.detected,
            "warnings": self.warnings,
            "rejected_file": self.rejected_file,
            "reviews": self.reviews,
            "unknown_labels": self.unknown_labels,
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_lock_error(error: sa.exc.DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "lock timeout" in text or "could not obtain lock" in text


# The connection of a running `dry_run_set`; imports inside it write into savepoints of it.
_set_connection: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
    "import_set_connection", default=None)


def _take_write_lock(conn: Connection, engine: Engine, lock_wait_s: float) -> None:
    try:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(lock_wait_s * 1000)}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(lock_wait_s * 1000)}ms'")
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": 20_240_901})
    except sa.exc.OperationalError as error:
        if _is_lock_error(error):
            logger.warning("import lock not obtained within %.0f s: %s", lock_wait_s, error.orig)
            raise DatabaseBusyError(BUSY_MESSAGE) from error
        raise


@contextlib.contextmanager
def write_transaction(engine: Engine, *, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> Iterator[Connection]:
    """Open a connection holding the import write lock; commit on success, roll back on error.

    SQLite takes the database write lock up front (BEGIN IMMEDIATE), so two
    imports queue instead of failing half-way. PostgreSQL takes a transaction-
    level advisory lock, so imports of the same codes run one after another.
    Waiting longer than `lock_wait_s` raises `DatabaseBusyError`. Inside
    `dry_run_set` the transaction is a savepoint of the set's connection.
    """
    shared = _set_connection.get()
    if shared is not None:
        with shared.begin_nested():
            yield shared
        return
    with engine.connect() as conn:
        _take_write_lock(conn, engine, lock_wait_s)
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


@contextlib.contextmanager
def dry_run_set(engine: Engine, *, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> Iterator[None]:
    """Check several files as one set, in which each file may refer to rows of the files before it.

    A real import of a set needs nothing special, because every file commits
    before the next one starts. A dry run commits nothing, so here the files
    are written into one transaction that is rolled back at the end; a file
    whose rows were rejected is rolled back to its savepoint, as its real
    import would be.
    """
    with engine.connect() as conn:
        _take_write_lock(conn, engine, lock_wait_s)
        token = _set_connection.set(conn)
        try:
            yield
        finally:
            _set_connection.reset(token)
            conn.rollback()


def _detected(table: RawTable, validated: ValidatedTable | None, kind: str) -> dict:
    return {
        "kind": kind,
        "format": table.file_format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "decimal_mark": table.decimal_mark,
        "date_format": validated.date_format if validated else None,
        "header_rows": table.header_rows,
        "sheet": table.sheet_name,
        "sheet_names": table.sheet_names,
        "mapping": validated.mapping if validated else {},
        "totals": [
            {"row": check.row, "label": check.label, "consistent": check.consistent}
            for check in table.totals
        ],
    }


def _record_batch(conn: Connection, report: ImportReport, sha256: str, started: dt.datetime,
                  status: str) -> int:
    batch = ImportBatch.__table__
    return conn.execute(batch.insert().values(
        file_name=report.file, file_sha256=sha256, kind=report.kind, status=status,
        started_at=started, detected=json.dumps(report.detected, ensure_ascii=False, default=str),
    ).returning(batch.c.id)).scalar_one()


def outcome_runs(rows: list[tuple[int, str | None]]) -> list[tuple[int, int, str | None]]:
    """Merge (row, message) pairs into (first row, last row, message) runs of consecutive rows."""
    if not rows:
        return []
    ordered = sorted(rows, key=lambda item: item[0])
    numbers = np.fromiter((row for row, _message in ordered), dtype=np.int64, count=len(ordered))
    messages = np.array([message for _row, message in ordered] + [None], dtype=object)
    breaks = (np.diff(numbers) != 1) | (messages[1:-1] != messages[:-2])
    starts = np.r_[0, np.flatnonzero(breaks) + 1]
    ends = np.r_[starts[1:] - 1, len(numbers) - 1]
    return [(int(numbers[start]), int(numbers[end]), messages[start])
            for start, end in zip(starts, ends, strict=True)]


def _finish_batch(conn: Connection, report: ImportReport, import_id: int, written_rows: set[int]) -> None:
    """Store the counts and the outcome of every source row, plus one record per converted cell.

    Consecutive rows with the same outcome and message are stored as one
    record: `row` is the first row, `value` the last one as text and `column`
    is empty (see `db.import_log.row_outcomes`). A 200,000-row file that
    imports cleanly thus needs one record instead of 200,000.
    """
    batch = ImportBatch.__table__
    conn.execute(batch.update().where(batch.c.id == import_id).values(
        status=report.status, finished_at=_now(), rows_total=report.rows_total,
        imported=report.imported, duplicates=report.duplicates, skipped=report.skipped,
        rejected=report.rejected_rows,
    ))
    outcomes = []
    for outcome, rows in (("imported", [(row, None) for row in written_rows]),
                          ("duplicate", report.duplicate_rows), ("skipped", report.skipped_rows)):
        for first, last, message in outcome_runs(rows):
            outcomes.append((import_id, first, outcome, None, None if first == last else str(last), message))
    for issue in report.rejected + report.converted:
        outcomes.append((import_id, issue.row, issue.outcome, issue.column, issue.value, issue.message))
    bulk_insert(conn, ImportRowOutcome.__table__,
                ("import_id", "row", "outcome", "column", "value", "message"), outcomes)
    logger.info("import %d: %d row outcome records for %d rows", import_id, len(outcomes),
                report.rows_total)


def write_rejected_csv(path: Path, report: ImportReport, table: RawTable | None = None) -> Path:
    """Write the rejected rows to `<name>.rejected.csv` (UTF-8 with BOM, `;`) for Excel.

    Each rejected source row is written once with all its original columns, so
    the file can be corrected and imported again, followed by the row number,
    the columns at fault and what to fix. Without `table` (file-level
    rejections) only the reason columns are written.
    """
    target = path.with_name(path.name + ".rejected.csv")
    by_row: dict[int, list[CellIssue]] = {}
    for issue in report.rejected:
        by_row.setdefault(issue.row, []).append(issue)
    columns = list(table.columns) if table is not None else []
    cells: dict[int, list[object]] = {}
    if table is not None:
        for row, values in zip(table.row_numbers, table.data.itertuples(index=False), strict=True):
            if row in by_row:
                cells[row] = list(values)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns + ["Строка", "Столбец с ошибкой", "Значение", "Что исправить"])
    for row, issues in sorted(by_row.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        original = ["" if value is None or value != value else value
                    for value in cells.get(row, [""] * len(columns))]
        writer.writerow(original + [
            row,
            "; ".join(issue.column or "" for issue in issues),
            "; ".join(issue.value or "" for issue in issues),
            " ".join(issue.message for issue in issues),
        ])
    target.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return target


def _read_source(source: str | Path | bytes, name: str | None) -> tuple[bytes, str, Path | None]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or "файл", None
    path = Path(source)
    return path.read_bytes(), name or path.name, path


def import_file(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    kind: str | None = None,
    engine: Engine | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, object] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    header_depth: int = 1,
    questionnaire: str | None = None,
    progress: ProgressCallback | None = None,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
    accept_repaired: bool = False,
    anonymous: bool = False,
) -> ImportReport:
    """Import one CSV or XLSX file (a path, or bytes with `name`) in one transaction.

    `kind` is detected from the headers unless given; `mapping`, `defaults`,
    `sheet`, `header_row` and `header_depth` override what the reader and template matcher
    decided (the «Данные» page passes what the user confirmed in the preview).
    `progress(done_rows, total_rows)` is called while writing, after each
    chunk. Text repaired from mojibake is imported only with
    `accept_repaired=True`; garbled text that cannot be repaired never is. A
    form export with no code, e-mail or name column is imported as anonymous
    answers only with `anonymous=True`. Raises
    `ImportValidationError` when the file as a whole is unusable (unreadable,
    unknown kind, a required column missing) and `DatabaseBusyError` when
    another import holds the lock too long.
    """
    started_clock = time.perf_counter()
    content, file_name, path = _read_source(source, name)
    sha256 = hashlib.sha256(content).hexdigest()
    logger.info("import of %s started (%d bytes, kind %s)", file_name, len(content), kind or "auto")
    table = read_table(content, file_name, sheet=sheet, header_row=header_row,
                       header_depth=header_depth)
    check_mojibake(table, accept_repaired)
    if table.mojibake == "repaired":
        # The reader's warning requests the confirmation that has just been given.
        table.warnings = [warning for warning in table.warnings if "подтвердите исправление" not in warning]
        table.warnings.append(REPAIRED_NOTE)
    if not table.row_numbers and not table.totals:
        raise ImportValidationError(no_rows_message(table), file=file_name)
    if table.totals and kind in (None, "activities"):
        raise ImportValidationError(totals_message(table), file=file_name)
    if kind is None:
        kind, _scores = detect_kind(table.columns)
        if kind is None and (questionnaire or anonymous):
            # Both options belong to form exports only, so they name the kind.
            kind = "form"
        if kind is None:
            raise UnknownKindError(
                f"Файл {file_name}: по заголовкам ({', '.join(table.columns[:8])}) не удалось "
                "понять, что в нём. Выберите вид данных и сопоставьте столбцы полям шаблона "
                "или назовите столбцы как в шаблоне. Если это заголовки не из той строки "
                f"(заголовок взят из строки {table.header_rows[0]}), укажите номер строки "
                "заголовка: на странице «Данные» — «Строки заголовка», в командной строке — "
                "--header-row N.",
                file=file_name,
            )
    engine = engine or get_engine()
    if kind == "form":
        from db.importing.forms import import_form

        report = import_form(table, content, file_name, engine=engine, dry_run=dry_run,
                             skip_invalid=skip_invalid, questionnaire=questionnaire,
                             mapping=mapping, progress=progress, lock_wait_s=lock_wait_s,
                             anonymous=anonymous)
    else:
        validated = validate_table(table, kind, mapping=mapping, defaults=defaults)
        report = _import_validated(table, validated, sha256, engine=engine, dry_run=dry_run,
                                   skip_invalid=skip_invalid, progress=progress,
                                   lock_wait_s=lock_wait_s)
    if report.rejected and skip_invalid and path is not None and report.status == "imported":
        report.rejected_file = str(write_rejected_csv(path, report, table))
    report.seconds = time.perf_counter() - started_clock
    logger.info(
        "import of %s finished: %s, kind %s, %d rows, %d imported, %d duplicates, %d skipped, "
        "%d rejected rows (%.2f s)", file_name, report.status, report.kind, report.rows_total,
        report.imported, report.duplicates, report.skipped, report.rejected_rows, report.seconds,
    )
    for issue in report.rejected[:20]:
        logger.info("rejected: %s", issue.message)
    return report


def describe_file(source: str | Path | bytes, name: str | None = None, *, sheet: str | None = None,
                  header_row: int | None = None, header_depth: int = 1) -> dict | None:
    """Return what the reader detects in a file (format, encoding, sheet, columns), or None.

    The command line prints it beside a file-level rejection, so the user sees
    the encoding and delimiter even when no row could be imported. The reading
    options are those of the rejected import.
    """
    content, file_name, _path = _read_source(source, name)
    try:
        table = read_table(content, file_name, sheet=sheet, header_row=header_row,
                           header_depth=header_depth)
    except ImportValidationError:
        return None
    return {**_detected(table, None, None), "columns": table.columns}


def no_rows_message(table: RawTable) -> str:
    blank = f" (пустых строк: {len(table.blank_rows)})" if table.blank_rows else ""
    return (f"Файл {table.file_name}: под заголовком нет строк с данными{blank}, есть только "
            "названия столбцов. Заполните таблицу и загрузите файл снова.")


def totals_message(table: RawTable) -> str:
    """Explain why a table with a totals row («Итого») is not an activity log."""
    checks = "; ".join(
        f"строка {check.row} «{check.label}» "
        + ("совпадает с суммой строк выше" if check.consistent else "не совпадает с суммой строк выше")
        for check in table.totals)
    return (f"Файл {table.file_name}: в таблице итоговые количества по участникам ({checks}), "
            "а не по одной строке на мероприятие. Из итогов нельзя узнать даты и формат каждого "
            "мероприятия, поэтому такой файл не загружается как журнал мероприятий. Выгрузите "
            "журнал, в котором каждая строка — одно мероприятие с датой, участником, видом и форматом.")


def check_mojibake(table: RawTable, accept_repaired: bool) -> None:
    """Raise `ImportValidationError` unless the text is clean or its repair was confirmed."""
    if table.mojibake == "unrepairable":
        raise ImportValidationError(
            f"Файл {table.file_name}: текст испорчен перекодировкой («кракозябры»), и восстановить "
            "его не удалось. Откройте исходный файл, сохраните его в UTF-8 и загрузите снова.",
            file=table.file_name,
        )
    if table.mojibake == "repaired" and not accept_repaired:
        raise ImportValidationError(
            f"Файл {table.file_name}: текст испорчен перекодировкой (UTF-8, открытый как "
            "Windows-1251). Его можно восстановить: проверьте исправленные строки в "
            "предпросмотре и подтвердите исправление (в командной строке: --accept-repaired), "
            "или сохраните исходный файл в UTF-8 заново.",
            file=table.file_name,
        )


def new_report(table: RawTable, kind: str) -> ImportReport:
    report = ImportReport(file=table.file_name, kind=kind)
    report.rows_total = len(table.row_numbers) + len(table.blank_rows)
    report.skipped_rows = [(row, "пустая строка") for row in table.blank_rows]
    report.skipped_rows += [(check.row, "итоговая строка «" + check.label + "»") for check in table.totals]
    report.rows_total += len(table.totals)
    report.warnings = list(table.warnings)
    return report


def run_import(
    report: ImportReport,
    sha256: str,
    write: Callable[[Connection, int], WriteResult],
    *,
    engine: Engine,
    dry_run: bool,
    skip_invalid: bool,
    lock_wait_s: float,
) -> ImportReport:
    """Run `write` in the import transaction and settle the report, the log and the commit."""
    started = _now()

    class _Rollback(Exception):
        pass

    result = WriteResult()
    try:
        with write_transaction(engine, lock_wait_s=lock_wait_s) as conn:
            import_id = _record_batch(conn, report, sha256, started, "imported")
            result = write(conn, import_id)
            report.rejected = sorted(report.rejected + result.rejected, key=lambda issue: issue.row)
            report.duplicate_rows += result.duplicates
            report.warnings += result.notes
            report.unknown_labels.update(result.unknown_labels)
            report.reviews += result.reviews
            report.skipped_rows += result.skipped
            report.duplicates = len(report.duplicate_rows)
            report.skipped = len(report.skipped_rows)
            bad_rows = {issue.row for issue in report.rejected}
            written = set(result.imported) - bad_rows
            if dry_run:
                # A dry run reports what a real run would write, and writes nothing, not even the
                # log. Inside a dry-run set the rows stay until the set's final rollback.
                report.status = "dry_run"
                report.imported = 0 if report.rejected and not skip_invalid else len(written)
                if _set_connection.get() is None or (report.rejected and not skip_invalid):
                    raise _Rollback
            elif report.rejected and not skip_invalid:
                raise _Rollback
            else:
                report.imported = len(written)
                report.import_id = import_id
                _finish_batch(conn, report, import_id, written)
    except _Rollback:
        pass
    if report.status == "dry_run":
        return report
    if report.rejected and not skip_invalid:
        report.status = "rejected"
        report.imported = 0
        with write_transaction(engine, lock_wait_s=lock_wait_s) as conn:
            report.import_id = _record_batch(conn, report, sha256, started, "rejected")
            _finish_batch(conn, report, report.import_id, set())
    return report


def _import_validated(table: RawTable, validated: ValidatedTable, sha256: str, *, engine: Engine,
                      dry_run: bool, skip_invalid: bool, progress: ProgressCallback | None,
                      lock_wait_s: float) -> ImportReport:
    report = new_report(table, validated.kind)
    report.rejected = list(validated.rejected)
    report.converted = list(validated.converted)
    report.skipped_rows += validated.skipped
    report.warnings += validated.notes
    report.detected = _detected(table, validated, validated.kind)
    writer = WRITERS[validated.kind]
    total = len(table.row_numbers)

    def on_chunk(done: int, inserted_total: int) -> None:
        # Writers count inserted rows; the caller sees source rows.
        if progress and inserted_total != total:
            done = round(total * done / max(inserted_total, 1))
        if progress:
            progress(done, total)

    def write(conn: Connection, import_id: int) -> WriteResult:
        if progress:
            progress(0, total)
        result = writer(conn, validated, import_id, progress=on_chunk)
        if progress:
            progress(total, total)
        return result

    return run_import(report, sha256, write, engine=engine, dry_run=dry_run,
                      skip_invalid=skip_invalid, lock_wait_s=lock_wait_s)


def stderr_progress(file_name: str) -> ProgressCallback:
    """A progress callback that prints «file: done/total» lines on stderr for large files."""
    def report(done: int, total: int) -> None:
        if total >= PROGRESS_MIN_ROWS:
            print(f"{file_name}: {done}/{total} строк", file=sys.stderr, flush=True)
    return report
