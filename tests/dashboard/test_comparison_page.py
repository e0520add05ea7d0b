"""Page test of «Цифровая и традиционная модели» on the demo database."""

import re

from tests.dashboard.apptest_helpers import open_page, page_text


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None
    return text


def test_comparison_page_shows_conclusion(demo_db):
    at = open_page("comparison.py")
    text = assert_clean(at)
    assert "Главный вывод" in text
    assert "по шкале Коэна" in text
    assert "Группы не были сформированы случайно" in text
    assert len(at.dataframe) == 3


def test_comparison_page_ignores_model_filter(demo_db):
    at = open_page("comparison.py", filter_model="traditional")
    text = assert_clean(at)
    assert "Фильтр по модели на этой странице не действует" in text
    # The third table on the page is the dose-response table.
    dose = at.dataframe[2].value
    assert set(dose["Модель"]) == {"традиционная"}
