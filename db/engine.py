"""The one engine factory: SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "mentoring.db"
# Milliseconds a writer waits for another writer's lock before SQLite raises
# "database is locked"; imports of a few thousand rows finish well within it.
SQLITE_BUSY_TIMEOUT_MS = 15_000

_engines: dict[str, Engine] = {}


def database_url(url: str | None = None) -> str:
    """Return the URL to use: the argument, then DATABASE_URL, then the SQLite default."""
    if url:
        return url
    env_url = os.environ.get("DATABASE_URL", "").strip()
    if env_url:
        # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy needs a driver name.
        if env_url.startswith("postgres://"):
            env_url = "postgresql+psycopg://" + env_url[len("postgres://") :]
        elif env_url.startswith("postgresql://"):
            env_url = "postgresql+psycopg://" + env_url[len("postgresql://") :]
        return env_url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """Return the engine for `url` (or DATABASE_URL), creating it once per URL.

    Nothing connects until the first query. For SQLite the file's folder is
    created and every connection gets WAL, a busy timeout and foreign keys.
    """
    resolved = database_url(url)
    engine = _engines.get(resolved)
    if engine is not None:
        return engine
    if resolved.startswith("sqlite"):
        path = resolved.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            resolved,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(resolved, pool_pre_ping=True)
    _engines[resolved] = engine
    logger.info("engine created for %s", engine.url.render_as_string(hide_password=True))
    return engine


def dispose_engine(url: str | None = None) -> None:
    """Close the pooled connections of one engine and forget it (tests, reconfiguration)."""
    engine = _engines.pop(database_url(url), None)
    if engine is not None:
        engine.dispose()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def new_session(engine: Engine | None = None) -> Session:
    return Session(engine or get_engine(), expire_on_commit=False)
