"""«Вовлечённость» page on the demo database."""

from __future__ import annotations

import datetime as dt

from tests.dashboard.apptest_helpers import open_page, page_text


def test_engagement_page_renders(demo_db):
    at = open_page("engagement.py")
    assert not at.exception
    text = page_text(at)
    assert "Вовлечённость" in text
    assert "Доля активных участников по месяцам" in text
    assert "nan" not in text.lower().split()


def test_engagement_page_lists_inactive_group(demo_db):
    at = open_page("engagement.py")
    text = page_text(at)
    # The demo has one group without activities since mid-April 2025.
    assert "На контроле 1 группа" in text
    assert at.dataframe[0].value["Группа"].tolist() == ["G06"]


def test_engagement_page_earlier_reference_date(demo_db):
    at = open_page("engagement.py")
    at.date_input(key="engagement_reference_date").set_value(dt.date(2025, 4, 1)).run()
    assert not at.exception
    assert "все действующие группы проводили мероприятия" in page_text(at)
