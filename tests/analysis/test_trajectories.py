"""Individual trajectories across the assessment stages."""

import pandas as pd
import pytest

from analysis.trajectories import stage_trajectories


def row(code, area, stage, score, day, model="digital"):
    return {
        "code": code,
        "area": area,
        "stage": stage,
        "assessed_on": pd.Timestamp(day),
        "score_percent": score,
        "model": model,
    }


@pytest.fixture
def frame():
    return pd.DataFrame(
        [
            row("T02", "Сферум", "post", 80.0, "2026-05-10", "traditional"),
            row("T01", "Сферум", "pre", 40.0, "2025-09-10"),
            row("T01", "Сферум", "diagnostic", 30.0, "2025-09-01"),
            # A repeated pre assessment: the later one (45) is kept.
            row("T01", "Сферум", "pre", 45.0, "2025-09-20"),
            row("T01", "Сферум", "mid", 55.0, "2026-01-15"),
            row("T01", "Сферум", "post", 70.0, "2026-05-10"),
            row("T01", "ФГИС Моя школа", "pre", 20.0, "2025-09-10"),
            row("T01", "ФГИС Моя школа", "post", None, "2026-05-10"),
            row("T02", "Сферум", "pre", 60.0, "2025-09-10", "traditional"),
        ]
    )


def test_trajectory_orders_stages(frame):
    result = stage_trajectories(frame, area="Сферум")
    own = result[result["code"] == "T01"]
    assert own["stage"].tolist() == ["diagnostic", "pre", "mid", "post"]
    assert own["stage_index"].tolist() == [0, 1, 2, 3]
    assert own["score_percent"].tolist() == [30.0, 45.0, 55.0, 70.0]


def test_trajectory_keeps_latest_repeated(frame):
    result = stage_trajectories(frame.iloc[::-1], area="Сферум")
    pre = result[(result["code"] == "T01") & (result["stage"] == "pre")]
    assert pre["score_percent"].tolist() == [45.0]


def test_trajectory_models_and_codes(frame):
    result = stage_trajectories(frame, area="Сферум")
    assert result["code"].unique().tolist() == ["T01", "T02"]
    assert set(result.loc[result["code"] == "T02", "model"]) == {"traditional"}
    assert set(result["n_areas"]) == {1}


def test_overall_trajectory_averages_areas(frame):
    result = stage_trajectories(frame, area="overall").set_index(["code", "stage"])
    # Pre: Сферум 45 and ФГИС 20; the ФГИС post has no score, so post is Сферум only.
    assert result.loc[("T01", "pre"), "score_percent"] == pytest.approx(32.5)
    assert result.loc[("T01", "pre"), "n_areas"] == 2
    assert result.loc[("T01", "post"), "score_percent"] == pytest.approx(70.0)
    assert result.loc[("T01", "post"), "n_areas"] == 1


def test_trajectory_unknown_area_is_empty(frame):
    result = stage_trajectories(frame, area="Облачное хранилище")
    assert result.empty
    assert list(result.columns) == [
        "code", "model", "area", "stage", "stage_index", "score_percent", "n_areas",
    ]


def test_trajectory_rejects_missing_columns(frame):
    with pytest.raises(ValueError, match=r"missing columns \['score_percent'\]"):
        stage_trajectories(frame.drop(columns="score_percent"), area="Сферум")
