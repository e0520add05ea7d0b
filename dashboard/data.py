"""Cached access to the database for the pages: the engine, first-start demo, frames."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.engine import Engine

from db import demo
from db.engine import get_engine
from db.schema import upgrade_schema
from reports.frames import Frames, load_frames

logger = logging.getLogger(__name__)

# Seconds a page may show frames read earlier; an import clears the cache at once.
FRAMES_TTL_SECONDS = 300


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """Return the shared engine after upgrading the schema and loading the demo into an empty database."""
    eng = get_engine()
    upgrade_schema(eng)
    if demo.database_is_empty(eng):
        logger.info("empty database on first start: loading the demo data")
        demo.load_demo(engine=eng)
    return eng


@st.cache_data(ttl=FRAMES_TTL_SECONDS, show_spinner="Загрузка данных…")
def frames() -> Frames:
    return load_frames(engine())


def refresh() -> None:
    """Forget cached frames after the data changed (import, undo, edit)."""
    frames.clear()
    st.cache_data.clear()


def demo_loaded() -> bool:
    return demo.demo_present(engine())
