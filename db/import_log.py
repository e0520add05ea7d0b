"""Read access to the import log for the «Данные» page."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.models import ImportBatch, ImportRowOutcome

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
    """Every row outcome of one import, in row order."""
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
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["row", "outcome", "column", "value", "message"]
    )
