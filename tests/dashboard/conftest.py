"""Fixtures for page tests: a demo database built once, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from db import demo
from db.engine import dispose_engine, get_engine
from db.schema import upgrade_schema



@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """A SQLite file with the demo data loaded through the normal import path."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade_schema(engine)
    demo.load_demo(engine=engine)
    dispose_engine(url)
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path, monkeypatch) -> Iterator[str]:
    """DATABASE_URL of a fresh copy of the demo database, with Streamlit caches cleared."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()
    dispose_engine(url)
