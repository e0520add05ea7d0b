"""Bulk writes for large imports: tuples through the driver, `COPY` on PostgreSQL.

SQLAlchemy's executemany of dicts costs a dict and a bind-processing pass per
row; these helpers hand plain tuples to the driver instead. They run inside the
caller's transaction (the import's write lock), which is also what makes
`reserve_ids` safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

# Rows per driver call; also how often the progress callback fires.
CHUNK_ROWS = 20_000

ChunkCallback = Callable[[int, int], None]


def reserve_ids(conn: Connection, table: sa.Table, count: int) -> list[int]:
    """Return `count` new primary keys of `table` for rows the caller inserts with explicit ids.

    PostgreSQL draws them from the column's sequence. SQLite has no sequence,
    so the ids continue after the current maximum; that is safe only because
    imports hold the database write lock (BEGIN IMMEDIATE) for the whole
    transaction.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        sequence = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        return list(conn.execute(
            sa.text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
            {"sequence": sequence, "count": count},
        ).scalars())
    start = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))


def bulk_insert(
    conn: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple],
    *,
    on_chunk: ChunkCallback | None = None,
) -> None:
    """Insert `rows` (tuples in the order of `columns`) in chunks of `CHUNK_ROWS`.

    Values must already be what the driver accepts (None, not NaN; Python
    dates and datetimes). `on_chunk(done, total)` is called after each chunk.
    """
    total = len(rows)
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows, on_chunk)
        return
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    convert = _sqlite_converter(conn, table, columns)
    for start in range(0, total, CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        conn.exec_driver_sql(statement, [convert(row) for row in chunk] if convert else list(chunk))
        if on_chunk:
            on_chunk(min(start + CHUNK_ROWS, total), total)


def _sqlite_converter(conn: Connection, table: sa.Table,
                      columns: Sequence[str]) -> Callable[[tuple], tuple] | None:
    """Return a function that stores values as SQLAlchemy would (its DATETIME text format), or None.

    Passing a `datetime` to sqlite3 directly stores another text format
    (no microseconds), which would sort and compare differently from rows
    written through SQLAlchemy.
    """
    processors = [
        table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if isinstance(table.c[name].type, sa.Date | sa.DateTime | sa.Time) else None
        for name in columns
    ]
    if not any(processors):
        return None
    pairs = [(index, processor) for index, processor in enumerate(processors) if processor]

    def convert(row: tuple) -> tuple:
        values = list(row)
        for index, processor in pairs:
            values[index] = processor(values[index])
        return tuple(values)

    return convert


def _copy_rows(conn: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple],
               on_chunk: ChunkCallback | None) -> None:
    """Stream rows with psycopg's `COPY ... FROM STDIN` on the connection of the transaction."""
    total = len(rows)
    names = ", ".join(f'"{name}"' for name in columns)
    driver_connection = conn.connection.driver_connection
    with driver_connection.cursor() as cursor:
        for start in range(0, total, CHUNK_ROWS):
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows[start : start + CHUNK_ROWS]:
                    copy.write_row(row)
            if on_chunk:
                on_chunk(min(start + CHUNK_ROWS, total), total)
