"""The "all" row pools the participants of both models and leaves out those without one."""

import numpy as np
import pandas as pd
import pytest

from analysis.dose_response import dose_response
from analysis.prepost import prepost_change


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for i in range(12):
        model = "digital" if i < 6 else "traditional"
        pre = 40 + rng.normal(0, 5)
        rows.append((f"M{i:02d}", "pre", pre, model))
        rows.append((f"M{i:02d}", "post", pre + 10 + rng.normal(0, 3), model))
    for i in range(4):  # mentors: high scores, no model
        rows.append((f"T{i:02d}", "pre", 88.0 + i, None))
        rows.append((f"T{i:02d}", "post", 89.0 + i, None))
    frame = pd.DataFrame(rows, columns=["code", "stage", "score_percent", "model"])
    frame["area"] = "Сферум"
    return frame


def test_all_row_pools_models_only():
    table = prepost_change(_frame())
    overall = table[table["area"] == "overall"].set_index("model")
    assert overall.loc["all", "n"] == overall.loc["digital", "n"] + overall.loc["traditional", "n"]
    assert overall.loc["all", "n"] == 12
    mentees = _frame().query("model.notna()", engine="python")
    wide = mentees.pivot(index="code", columns="stage", values="score_percent")
    assert overall.loc["all", "mean_pre"] == pytest.approx(wide["pre"].mean(), rel=1e-12)
    assert overall.loc["all", "mean_change"] == pytest.approx(
        (wide["post"] - wide["pre"]).mean(), rel=1e-12
    )


def test_all_row_without_models_counts_everyone():
    frame = _frame().assign(model=None)
    table = prepost_change(frame)
    overall = table[(table["area"] == "overall") & (table["model"] == "all")].iloc[0]
    assert overall["n"] == 16


def test_dose_response_all_pools_models_only():
    frame = _frame()
    activities = pd.DataFrame({
        "occurred_on": pd.to_datetime(["2024-11-05"] * 16),
        "code": [f"M{i:02d}" for i in range(12)] + [f"T{i:02d}" for i in range(4)],
        "kind": "meeting",
        "hours": 1.0,
        "group_code": None,
    })
    table = dose_response(frame, activities)
    pooled = table[table["model"] == "all"]
    assert set(pooled["n"]) == {12}


def test_attrition_all_row_pools_models_only():
    from analysis.comparison import attrition

    frame = _frame()
    # One mentee and one mentor lose their post score.
    frame = frame[~((frame["code"].isin(["M00", "T00"])) & (frame["stage"] == "post"))]
    table = attrition(frame)
    overall = table[table["area"] == "overall"].set_index("model")
    assert overall.loc["all", "n_pre"] == overall.loc["digital", "n_pre"] + overall.loc["traditional", "n_pre"]
    assert overall.loc["all", "n_dropped"] == 1
    assert overall.loc["all", "n_pre"] == 12
