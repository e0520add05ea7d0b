"""Helpers for page tests: open a page of the app and read its text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOME = str(PROJECT_ROOT / "Home.py")
# Pages compute statistics on first load; the default 3 s is too short on 2 cores.
PAGE_TIMEOUT_SECONDS = 60


def open_page(page: str | None = None, **session_state) -> AppTest:
    """Run Home.py, optionally switch to `page` (a path under dashboard/pages), and return it."""
    at = AppTest.from_file(HOME, default_timeout=PAGE_TIMEOUT_SECONDS)
    for key, value in session_state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(f"dashboard/pages/{page}")
        at.run()
    return at


def page_text(at: AppTest) -> str:
    """All markdown, captions, metrics and alerts of the page as one string, for assertions."""
    parts: list[str] = []
    for element in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success):
        parts.append(str(element.value))
    for metric in at.metric:
        parts.append(f"{metric.label}: {metric.value}")
    for header in (*at.title, *at.header, *at.subheader):
        parts.append(str(header.value))
    return "\n".join(parts)
