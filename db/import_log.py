"""Read access to the import log for the «Данные» page."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.models import ImportBatch, ImportRowOutcome

# Outcomes that the import stores as runs of consecutive rows.
RUN_OUTCOMES = ("imported", "duplicate", "skipped")
OUTCOME_COLUMNS = ["row", "row_last", "outcome", "column", "value", "message"]
LOG_COLUMNS = [
    "import_id", "file_name", "kind", "status", "started_at", "rows_total", "imported",
    "duplicates", "skipped", "rejected",
]


def import_log(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first."""
    statement = (
        sa.select(
            ImportBatch.id, ImportBatch.file_name, ImportBatch.kind, ImportBatch.status,
            ImportBatch.started_at, ImportBatch.rows_total, ImportBatch.imported,
            ImportBatch.duplicates, ImportBatch.skipped, ImportBatch.rejected,
        )
        .order_by(ImportBatch.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=LOG_COLUMNS)


def row_outcomes(engine: Engine, import_id: int) -> pd.DataFrame:
    """Every row outcome of one import, in row order, with `row_last` closing each run.

    The import stores consecutive rows with the same outcome and message as
    one record whose `value` is the last row of the run (`_finish_batch` in
    `db.importing.load`). Here such a record has `row` < `row_last` and no
    value; a single row has `row_last` == `row`.
    """
    statement = (
        sa.select(
            ImportRowOutcome.row, ImportRowOutcome.outcome, ImportRowOutcome.column,
            ImportRowOutcome.value, ImportRowOutcome.message,
        )
        .where(ImportRowOutcome.import_id == import_id)
        .order_by(ImportRowOutcome.row, ImportRowOutcome.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    records = []
    for row, outcome, column, value, message in rows:
        is_run = outcome in RUN_OUTCOMES and column is None and value is not None and value.isdigit()
        row_last = int(value) if is_run else row
        records.append((row, row_last, outcome, column, None if is_run else value, message))
    return pd.DataFrame(records, columns=OUTCOME_COLUMNS)


def accounted_rows(outcomes: pd.DataFrame) -> int:
    """Return how many distinct source rows the outcomes cover (converted cells add none)."""
    covered: set[int] = set()
    for row, row_last in outcomes.loc[outcomes["outcome"] != "converted", ["row", "row_last"]].itertuples(
        index=False, name=None
    ):
        covered.update(range(int(row), int(row_last) + 1))
    return len(covered)
