"""The Alembic migration creates every table of db.models on both backends."""

from sqlalchemy import inspect
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.schema import upgrade_schema


def test_migration_creates_all_tables(engine):
    tables = set(inspect(engine).get_table_names())
    expected = set(SQLModel.metadata.tables)
    assert expected <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(engine):
    upgrade_schema(engine)
    assert "participant" in inspect(engine).get_table_names()
