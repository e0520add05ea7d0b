"""Two imports at once: both succeed, or one is told the database is busy with nothing half-written."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from db.errors import DatabaseBusyError
from db.importing import import_file
from db.importing.load import write_transaction
from tests.db.import_helpers import count, participants_csv


def test_parallel_imports_both_succeed(engine):
    reports, errors = [], []

    def run() -> None:
        try:
            reports.append(import_file(participants_csv(), "participants.csv", engine=engine))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted((r.imported, r.duplicates) for r in reports) == [(0, 6), (6, 0)]
    assert count(engine, "participant") == 6


def test_busy_database_reports_russian_message(engine):
    holder_ready, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with write_transaction(engine, lock_wait_s=5) as conn:
            conn.execute(sa.text("SELECT 1"))
            holder_ready.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert holder_ready.wait(timeout=30)
    try:
        with pytest.raises(DatabaseBusyError, match="База данных занята другим импортом, повторите через минуту"):
            import_file(participants_csv(), "participants.csv", engine=engine, lock_wait_s=0.5)
    finally:
        release.set()
        holder.join(timeout=30)
    assert count(engine, "participant") == 0
    assert count(engine, "import_batch") == 0
