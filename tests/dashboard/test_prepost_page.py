"""Page test of «Компетенции: до и после» on the demo database."""

import re

from tests.dashboard.apptest_helpers import open_page, page_text


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None
    return text


def test_prepost_page_shows_models(demo_db):
    at = open_page("prepost.py")
    text = assert_clean(at)
    assert "Компетенции: до и после" in text
    assert "Цифровая модель" in text
    assert "Традиционная модель" in text
    assert "а не доказанный эффект программы" in text
    assert len(at.dataframe) == 3


def test_prepost_page_model_filter(demo_db):
    at = open_page("prepost.py", filter_model="digital")
    text = assert_clean(at)
    assert "Цифровая модель" in text
    assert "Традиционная модель" not in text
    assert len(at.dataframe) == 1


def test_prepost_page_area_filter(demo_db):
    at = open_page("prepost.py", filter_area="Сферум")
    assert_clean(at)
    areas = set(at.dataframe[0].value["Область"])
    assert areas == {"Сферум", "В среднем по областям"}
