"""«Обзор» on the demo database: figures on screen match the summary and the files."""

import datetime as dt

from tests.dashboard.apptest_helpers import open_page, page_text

from analysis.filters import Filters
from dashboard.ui import fmt_number
from db.engine import get_engine
from reports.effectiveness import effectiveness_tables
from reports.frames import load_frames
from reports.summary import build_summary


def test_overview_runs_without_exception(demo_db):
    at = open_page()
    assert not at.exception


def test_overview_shows_head_counts(demo_db):
    at = open_page()
    expected = build_summary(get_engine(demo_db))["participants"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Педагогов"] == str(expected["teachers"])
    assert metrics["Наставников"] == str(expected["mentors"])
    assert metrics["Наставляемых"] == str(expected["mentees"])
    assert metrics["Групп: цифровая модель"] == str(expected["groups_digital"])
    assert metrics["Групп: традиционная модель"] == str(expected["groups_traditional"])


def test_overview_matches_sample_files(demo_db):
    # Counted by hand from sample_data/participants.xlsx and groups.xlsx.
    at = open_page()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Педагогов"] == "70"
    assert metrics["Групп: цифровая модель"] == "8"
    assert metrics["Групп: традиционная модель"] == "7"


def test_overview_says_data_are_demo(demo_db):
    at = open_page()
    assert "демонстрационные данные" in page_text(at)


def test_overview_shows_no_nan(demo_db):
    at = open_page()
    assert "nan" not in page_text(at).lower().split()


def test_remove_demo_button_empties_database(demo_db):
    at = open_page()
    at.button(key="remove_demo").click().run()
    assert not at.exception
    assert "демонстрационные данные" not in page_text(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Педагогов"] == "0"


def test_department_view_cannot_remove_demo(demo_db):
    at = open_page(viewer_role="department")
    assert not at.exception
    assert not [button for button in at.button if button.key == "remove_demo"]


def test_overview_period_without_scores_says_so(demo_db):
    # The demo assessments have no «до» or «после» score in December and January.
    at = open_page(filter_period=(dt.date(2024, 12, 1), dt.date(2025, 1, 31)))
    assert not at.exception
    text = page_text(at)
    assert "нет участников с оценками и «до», и «после»" in text
    assert "расширьте период" in text
    assert "Средний прирост, процентных пунктов" not in {m.label for m in at.metric}


def test_overview_area_filter_matches_prepost(demo_db):
    at = open_page(filter_area="Сферум")
    assert not at.exception
    frames = load_frames(get_engine(demo_db))
    table = effectiveness_tables(frames, Filters(area="Сферум")).prepost
    row = table.loc[(table["model"] == "all") & (table["area"] == "Сферум")].iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Средний прирост, процентных пунктов"] == fmt_number(row["mean_change"])
    text = page_text(at)
    assert "в области «Сферум»" in text
    assert "Выбранные фильтры: область «Сферум»" in text
