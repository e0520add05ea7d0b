"""«Удовлетворённость» page on the demo database."""

from __future__ import annotations

from tests.dashboard.apptest_helpers import open_page, page_text


def test_satisfaction_page_mentees(demo_db):
    at = open_page("satisfaction.py")
    assert not at.exception
    text = page_text(at)
    assert "Доля удовлетворённых" in text
    assert "интервал Уилсона" in text
    assert "Альфа Кронбаха" in text
    assert "Критерий Манна–Уитни" in text
    assert "nan" not in text.lower().split()


def test_satisfaction_page_mentors(demo_db):
    at = open_page("satisfaction.py")
    at.radio(key="satisfaction_questionnaire").set_value("mentor_satisfaction").run()
    assert not at.exception
    text = page_text(at)
    assert "по шкале 1–10" in text
    assert "не ниже 7,75" in text


def test_satisfaction_page_theme_filter(demo_db):
    at = open_page("satisfaction.py")
    themes = at.selectbox(key="satisfaction_theme")
    all_answers = len(at.dataframe[-1].value)
    themes.set_value("Благодарность").run()
    assert not at.exception
    shown = at.dataframe[-1].value
    assert 0 < len(shown) < all_answers
    assert all("Благодарность" in themes for themes in shown["Темы"])
