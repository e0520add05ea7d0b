"""Tests of the Kirkpatrick catalogue and overview."""

from analysis.indicators import INDICATORS
from analysis.kirkpatrick import (
    FEDERAL_STAGES,
    LEVELS,
    coverage_by_level,
    kirkpatrick_catalogue,
    kirkpatrick_overview,
)


def test_catalogue_tags_every_indicator():
    catalogue = kirkpatrick_catalogue()
    indicators = catalogue[catalogue["kind"] == "indicator"]["item"].tolist()
    assert indicators == list(INDICATORS)
    assert set(catalogue["level"]) <= set(LEVELS)
    assert set(catalogue["federal_stage"]) <= set(FEDERAL_STAGES)
    assert catalogue["item"].is_unique


def test_catalogue_covers_summary_analyses():
    items = set(kirkpatrick_catalogue()["item"])
    assert {"pre_post", "comparison", "engagement", "satisfaction", "mentor_rating"} <= items


def test_overview_marks_missing_sources():
    overview = kirkpatrick_overview({"answers": 10, "registers": 3}).set_index("item")
    assert bool(overview.loc["mentee_satisfaction_percent", "measured"]) is True
    assert overview.loc["mentee_satisfaction_percent", "missing"] == ""
    assert bool(overview.loc["pre_post", "measured"]) is False
    assert overview.loc["pre_post", "missing"] == "загрузите оценки компетенций до и после"
    assert bool(overview.loc["student_outcomes", "measured"]) is False


def test_coverage_by_level_counts():
    overview = kirkpatrick_overview({"answers": 1})
    coverage = coverage_by_level(overview)
    assert len(coverage) == len(LEVELS) * len(FEDERAL_STAGES)
    assert coverage["items"].sum() == len(overview)
    reaction = coverage[(coverage["level"] == "reaction") & (coverage["federal_stage"] == "process")]
    # mentee and mentor satisfaction indicators and the satisfaction analysis read answers.
    assert int(reaction["measured"].iloc[0]) == 3
