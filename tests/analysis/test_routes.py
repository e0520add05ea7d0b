"""Tests for analysis.routes on a hand-built route."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis import routes

STEPS = pd.DataFrame(
    {
        "route_id": [1, 1, 1, 1, 1, 2],
        "planned_on": pd.to_datetime(
            ["2024-10-01", "2024-10-15", "2024-11-01", "2024-12-01", "2024-10-20", "2025-01-10"]
        ),
        "done_on": pd.to_datetime(["2024-10-03", None, "2024-10-30", None, None, None]),
        "status": ["done", "planned", "done", "planned", "cancelled", "planned"],
    }
)


def test_route_progress_counts():
    table = routes.route_progress(STEPS, as_of=dt.date(2024, 11, 1)).set_index("route_id")
    first = table.loc[1]
    assert first["n_steps"] == 4
    assert first["n_done"] == 2
    assert first["n_due"] == 3
    assert first["n_overdue"] == 1
    assert first["n_cancelled"] == 1
    assert first["share_done"] == pytest.approx(0.5)
    assert first["share_due_done"] == pytest.approx(2 / 3)
    second = table.loc[2]
    assert second["n_due"] == 0
    assert np.isnan(second["share_due_done"])


def test_route_progress_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown step status"):
        routes.route_progress(STEPS.assign(status="finished"), as_of=dt.date(2025, 1, 1))


def test_progress_timeline():
    timeline = routes.progress_timeline(STEPS[STEPS["route_id"] == 1])
    assert timeline["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-10-01", "2024-10-03", "2024-10-15", "2024-10-30", "2024-11-01", "2024-12-01",
    ]
    assert timeline["planned_cumulative"].tolist() == [1, 1, 2, 2, 3, 4]
    assert timeline["done_cumulative"].tolist() == [0, 1, 1, 2, 2, 2]


def test_target_attainment():
    assessments = pd.DataFrame(
        {
            "code": ["E1"] * 5 + ["E2"],
            "area": ["Сферум", "Сферум", "Сферум", "Сферум", "ЦОР", "Сферум"],
            "stage": ["diagnostic", "pre", "mid", "post", "diagnostic", "pre"],
            "assessed_on": pd.to_datetime(
                ["2024-09-10", "2024-10-01", "2025-01-15", "2025-05-10", "2024-09-10", "2024-10-01"]
            ),
            "score_percent": [40.0, 45.0, 62.0, 81.0, 30.0, 50.0],
        }
    )
    targets = pd.DataFrame({"area": ["Сферум", "ЦОР"], "target_percent": [75.0, 60.0]})
    table = routes.target_attainment(targets, assessments, ["E1", "E2"]).set_index(["code", "area"])
    sferum = table.loc[("E1", "Сферум")]
    assert sferum["baseline_percent"] == 45.0
    assert sferum["mid_percent"] == 62.0
    assert not sferum["reached_mid"]
    assert sferum["reached_post"]
    assert sferum["gap_post"] == pytest.approx(-6.0)
    cor = table.loc[("E1", "ЦОР")]
    assert cor["baseline_percent"] == 30.0
    assert pd.isna(cor["reached_post"])
    assert pd.isna(table.loc[("E2", "ЦОР"), "baseline_percent"])
    assert len(table) == 4
