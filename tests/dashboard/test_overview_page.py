"""«Обзор» on the demo database: figures on screen match the summary and the files."""

from tests.dashboard.apptest_helpers import open_page, page_text

from reports.summary import build_summary
from db.engine import get_engine


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
