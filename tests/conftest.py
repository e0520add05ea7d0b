"""Shared fixtures: real databases (a temporary SQLite file and a throwaway PostgreSQL database).

PostgreSQL is reached at TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432 as user postgres, trust auth). Each test run creates its own
database with a unique name and drops it at the end. Set
TEST_POSTGRES_URL=skip to run the SQLite half only; without CI=true an
unreachable server skips the PostgreSQL half with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import dispose_engine, get_engine
from db.schema import upgrade_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
# Copies of the shared field-input files (small synthetic exports of Google/Yandex/
# Microsoft Forms and Russian-locale Excel), kept in the repository so that a fresh
# clone runs every test.
FIELD_INPUTS = PROJECT_ROOT / "tests" / "fixtures" / "field-inputs"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)
    return None if url == "skip" else url


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a database created for this test session on the PostgreSQL server."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("TEST_POSTGRES_URL=skip: PostgreSQL tests switched off")
    name = f"mentoring_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        # CI starts PostgreSQL first, so there a failure is a real error; on a
        # contributor's machine without PostgreSQL the SQLite half still runs.
        if not os.environ.get("CI"):
            pytest.skip(f"PostgreSQL is not reachable at {admin_url}: {error}")
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url}; start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
            "or set TEST_POSTGRES_URL=skip"
        ) from error
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        dispose_engine(url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> Engine:
    """Drop every table of the session database so that each test starts from nothing."""
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty, fully migrated database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        eng = get_engine(url)
    else:
        url = request.getfixturevalue("postgres_server_url")
        eng = _empty_postgres(url)
    upgrade_schema(eng)
    yield eng
    dispose_engine(url)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty, migrated SQLite file (for tests that need one backend)."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    eng = get_engine(url)
    upgrade_schema(eng)
    yield eng
    dispose_engine(url)
