"""The transactional writer: one file = one transaction, with an import log row for every file.

A file with a rejected row writes nothing unless `skip_invalid` is set; then
the good rows are written and the rejected ones go to `<name>.rejected.csv`
beside the file. A rejected file still gets an `import_batch` row with status
"rejected" and its row outcomes, written in a separate transaction after the
data transaction rolled back. Dry runs write nothing at all, not even the log.
"""

from __future__ import annotations

import contextlib
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

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.engine import get_engine
from db.errors import DatabaseBusyError, ImportValidationError, UnknownKindError
from db.importing.reading import RawTable, read_table
from db.importing.templates import KIND_TITLES, detect_kind
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


@contextlib.contextmanager
def write_transaction(engine: Engine, *, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> Iterator[Connection]:
    """Open a connection holding the import write lock; commit on success, roll back on error.

    SQLite takes the database write lock up front (BEGIN IMMEDIATE), so two
    imports queue instead of failing half-way. PostgreSQL takes a transaction-
    level advisory lock, so imports of the same codes run one after another.
    Waiting longer than `lock_wait_s` raises `DatabaseBusyError`.
    """
    with engine.connect() as conn:
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
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


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


def _finish_batch(conn: Connection, report: ImportReport, import_id: int, written_rows: set[int]) -> None:
    """Store the counts and one outcome row per source row (plus one per converted cell)."""
    batch = ImportBatch.__table__
    conn.execute(batch.update().where(batch.c.id == import_id).values(
        status=report.status, finished_at=_now(), rows_total=report.rows_total,
        imported=report.imported, duplicates=report.duplicates, skipped=report.skipped,
        rejected=report.rejected_rows,
    ))
    outcomes = [{"import_id": import_id, "row": row, "outcome": "imported", "column": None,
                 "value": None, "message": None} for row in sorted(written_rows)]
    outcomes += [{"import_id": import_id, "row": row, "outcome": "duplicate", "column": None,
                  "value": None, "message": message} for row, message in report.duplicate_rows]
    outcomes += [{"import_id": import_id, "row": row, "outcome": "skipped", "column": None,
                  "value": None, "message": message} for row, message in report.skipped_rows]
    for issue in report.rejected + report.converted:
        outcomes.append({"import_id": import_id, "row": issue.row, "outcome": issue.outcome,
                         "column": issue.column, "value": issue.value, "message": issue.message})
    table = ImportRowOutcome.__table__
    for start in range(0, len(outcomes), 5_000):
        conn.execute(table.insert(), outcomes[start : start + 5_000])


def write_rejected_csv(path: Path, report: ImportReport) -> Path:
    """Write the rejected cells to `<name>.rejected.csv` (UTF-8 with BOM, `;`) for Excel."""
    target = path.with_name(path.name + ".rejected.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Строка", "Столбец", "Значение", "Что исправить"])
    for issue in report.rejected:
        writer.writerow([issue.row, issue.column or "", issue.value or "", issue.message])
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
    questionnaire: str | None = None,
    progress: ProgressCallback | None = None,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
) -> ImportReport:
    """Import one CSV or XLSX file (a path, or bytes with `name`) in one transaction.

    `kind` is detected from the headers unless given; `mapping`, `defaults`,
    `sheet` and `header_row` override what the reader and template matcher
    decided (the «Данные» page passes what the user confirmed in the preview).
    `progress(done_rows, total_rows)` is called while writing. Raises
    `ImportValidationError` when the file as a whole is unusable (unreadable,
    unknown kind, a required column missing) and `DatabaseBusyError` when
    another import holds the lock too long.
    """
    started_clock = time.perf_counter()
    content, file_name, path = _read_source(source, name)
    sha256 = hashlib.sha256(content).hexdigest()
    logger.info("import of %s started (%d bytes, kind %s)", file_name, len(content), kind or "auto")
    table = read_table(content, file_name, sheet=sheet, header_row=header_row)
    if kind is None:
        kind, _scores = detect_kind(table.columns)
        if kind is None:
            raise UnknownKindError(
                f"Файл {file_name}: по заголовкам ({', '.join(table.columns[:8])}) не удалось "
                "понять, что в нём. Назовите столбцы как в шаблоне или укажите вид данных "
                f"(--kind): {', '.join(KIND_TITLES)}.",
                file=file_name,
            )
    engine = engine or get_engine()
    if kind == "form":
        from db.importing.forms import import_form

        report = import_form(table, content, file_name, engine=engine, dry_run=dry_run,
                             skip_invalid=skip_invalid, questionnaire=questionnaire,
                             mapping=mapping, progress=progress, lock_wait_s=lock_wait_s)
    else:
        validated = validate_table(table, kind, mapping=mapping, defaults=defaults)
        report = _import_validated(table, validated, sha256, engine=engine, dry_run=dry_run,
                                   skip_invalid=skip_invalid, progress=progress,
                                   lock_wait_s=lock_wait_s)
    if report.rejected and skip_invalid and path is not None and report.status == "imported":
        report.rejected_file = str(write_rejected_csv(path, report))
    report.seconds = time.perf_counter() - started_clock
    logger.info(
        "import of %s finished: %s, kind %s, %d rows, %d imported, %d duplicates, %d skipped, "
        "%d rejected rows (%.2f s)", file_name, report.status, report.kind, report.rows_total,
        report.imported, report.duplicates, report.skipped, report.rejected_rows, report.seconds,
    )
    for issue in report.rejected[:20]:
        logger.info("rejected: %s", issue.message)
    return report


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
                # A dry run reports what a real run would write, and writes nothing, not even the log.
                report.status = "dry_run"
                report.imported = 0 if report.rejected and not skip_invalid else len(written)
                raise _Rollback
            if report.rejected and not skip_invalid:
                raise _Rollback
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
    report.detected = _detected(table, validated, validated.kind)
    writer = WRITERS[validated.kind]
    total = len(table.row_numbers)

    def write(conn: Connection, import_id: int) -> WriteResult:
        if progress:
            progress(0, total)
        result = writer(conn, validated, import_id)
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
