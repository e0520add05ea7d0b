"""«Вовлечённость» page on the demo database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.dashboard.apptest_helpers import open_page, page_text


def chart_titles(at) -> list[str]:
    """Titles of the page's plotly charts, in page order."""
    return [json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "")
            for chart in at.get("plotly_chart")]


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


def test_engagement_charts_state_their_question(demo_db):
    at = open_page("engagement.py")
    titles = chart_titles(at)
    assert len(titles) == 9
    for title in titles:
        assert title.endswith("?"), title
    assert "Когда каждая группа работала и в какие дни встречалась?" in titles
    assert "Сколько встреч провела каждая группа в каждом месяце?" in titles
    assert "Через сколько дней после начала работы группа провела первую встречу?" in titles
    assert "Сколько записей о мероприятиях накопилось с начала периода?" in titles


def test_engagement_page_names_mentor_of_inactive_group(demo_db):
    at = open_page("engagement.py")
    mentor = at.dataframe[0].value["Наставник"].iloc[0]
    assert mentor.startswith("T009 ")
    assert len(mentor) > len("T009 ")


def test_engagement_page_first_meeting_and_hours(demo_db):
    at = open_page("engagement.py")
    text = page_text(at)
    assert "Все группы: половина групп провела первую встречу" in text
    assert "Модель «цифровая»: половина групп провела первую встречу" in text
    assert "из них дистанционно" in text
    assert "По моделям: цифровая —" in text


@pytest.mark.parametrize("model", ["digital", "traditional"])
def test_engagement_page_one_model(demo_db, model):
    at = open_page("engagement.py", filter_model=model)
    assert not at.exception
    text = page_text(at)
    assert "nan" not in text.lower().split()
    assert "По моделям:" not in text
    dropout = at.dataframe[-1].value
    assert len(dropout) == 1


def test_engagement_dropout_total_is_mentees(demo_db):
    at = open_page("engagement.py")
    text = page_text(at)
    table = at.dataframe[-1].value.set_index("Модель")
    per_model = table.drop(index="все").astype({"Наставляемых": int, "Выбыли досрочно": int})
    total_mentees = per_model["Наставляемых"].sum()
    total_dropped = per_model["Выбыли досрочно"].sum()
    # The sentence above the charts counts the same mentees as the per-model rows.
    assert f"досрочно вышли из групп {total_dropped} из {total_mentees} наставляемых" in text
    assert int(table.loc["все", "Наставляемых"]) == total_mentees
