"""Mentor rating: components, shrinkage, flags, intervals and explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.rating import (
    DEFAULT_WEIGHTS,
    RATING_COLUMNS,
    explain_rating,
    mentee_gains,
    mentor_components,
    mentor_rating,
    shrink_means,
)

T = pd.Timestamp
ASSESSMENT_COLUMNS = ["code", "area", "stage", "assessed_on", "score_percent"]
ACTIVITY_COLUMNS = ["occurred_at", "occurred_on", "code", "group_code", "kind",
                    "format", "hours"]


def empty_assessments() -> pd.DataFrame:
    return pd.DataFrame(columns=ASSESSMENT_COLUMNS)


def empty_activities() -> pd.DataFrame:
    frame = pd.DataFrame(columns=ACTIVITY_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def satisfaction_programme(ratings: dict[str, list[float]]):
    """Return groups and mentee scores: mentor -> list of mentees' score_percent."""
    groups, scores = [], []
    for mentor, values in ratings.items():
        for i, value in enumerate(values):
            code = f"{mentor}_{i}"
            groups.append((f"G_{mentor}", mentor, code, "digital"))
            scores.append((code, value))
    groups = pd.DataFrame(groups, columns=["group_code", "mentor_code", "mentee_code",
                                           "model"])
    scores = pd.DataFrame(scores, columns=["code", "score_percent"])
    return groups, scores


def test_mentee_gains_by_hand():
    assessments = pd.DataFrame([
        ("A", "x", "pre", T("2024-10-01"), 40.0),
        ("A", "x", "post", T("2025-05-01"), 70.0),
        ("A", "y", "pre", T("2024-10-01"), 50.0),
        ("A", "y", "post", T("2025-04-01"), 55.0),
        # A later post record of area y replaces the earlier one.
        ("A", "y", "post", T("2025-05-01"), 60.0),
        # Area z has no post score, so it is left out of the overall means.
        ("A", "z", "pre", T("2024-10-01"), 10.0),
        ("B", "x", "pre", T("2024-10-01"), 30.0),
        ("B", "x", "mid", T("2025-01-01"), 90.0),
        ("C", "x", "pre", T("2024-10-01"), 80.0),
        ("C", "x", "post", T("2025-05-01"), 70.0),
    ], columns=ASSESSMENT_COLUMNS)
    gains = mentee_gains(assessments)
    # A: overall pre (40 + 50) / 2 = 45, overall post (70 + 60) / 2 = 65.
    assert gains["A"] == pytest.approx(20.0)
    assert gains["C"] == pytest.approx(-10.0)
    assert "B" not in gains.index


def shrinkage_by_hand(values, owners, n_owners):
    """Second path for shrink_means with pandas group statistics."""
    frame = pd.DataFrame({"y": values, "owner": owners})
    stats = frame.groupby("owner")["y"].agg(["mean", "count", "var"])
    mu = frame["y"].mean()
    sigma2 = ((stats["count"] - 1) * stats["var"].fillna(0)).sum() / (
        len(frame) - len(stats)
    )
    n_total, n_groups = len(frame), len(stats)
    ms_between = (stats["count"] * (stats["mean"] - mu) ** 2).sum() / (n_groups - 1)
    n0 = (n_total - (stats["count"] ** 2).sum() / n_total) / (n_groups - 1)
    tau2 = max(0.0, (ms_between - sigma2) / n0)
    weight = tau2 / (tau2 + sigma2 / stats["count"])
    shrunk = mu + weight * (stats["mean"] - mu)
    posterior_sd = np.sqrt(weight * sigma2 / stats["count"])
    return mu, sigma2, tau2, shrunk.reindex(range(n_owners)), posterior_sd


def test_shrink_means_second_path():
    rng = np.random.default_rng(5)
    owners = np.repeat(np.arange(6), [1, 2, 3, 5, 8, 4])
    values = rng.normal(70, 10, owners.size) + owners * 3
    result = shrink_means(values, owners, n_owners=7)
    mu, sigma2, tau2, shrunk, posterior_sd = shrinkage_by_hand(values, owners, 7)

    assert result["grand_mean"] == pytest.approx(mu, rel=1e-12)
    assert result["within_variance"] == pytest.approx(sigma2, rel=1e-12)
    assert result["between_variance"] == pytest.approx(tau2, rel=1e-12)
    np.testing.assert_allclose(result["shrunk"][:6], shrunk.iloc[:6], rtol=1e-12)
    np.testing.assert_allclose(result["posterior_sd"][:6], posterior_sd, rtol=1e-12)
    # Owner 6 has no data: the grand mean and the prior spread tau.
    assert result["shrunk"][6] == pytest.approx(mu)
    assert result["posterior_sd"][6] == pytest.approx(np.sqrt(tau2))


def test_shrink_means_matches_anova():
    # sigma^2 = MS_within and tau^2 = (MS_between - MS_within) / n_0 with
    # n_0 = (N - sum n_m^2 / N) / (M - 1), from statsmodels 0.15.0 anova_lm
    # on y ~ C(owner); the design is unbalanced.
    rng = np.random.default_rng(8)
    sizes = np.array([2, 3, 4, 5, 6, 7, 8, 9])
    owners = np.repeat(np.arange(8), sizes)
    values = rng.normal(0, 1, owners.size) + rng.normal(0, 1, 8)[owners]
    frame = pd.DataFrame({"y": values, "owner": owners})
    table = sm.stats.anova_lm(smf.ols("y ~ C(owner)", data=frame).fit())
    ms_between = table.loc["C(owner)", "mean_sq"]
    ms_within = table.loc["Residual", "mean_sq"]
    n0 = (sizes.sum() - (sizes**2).sum() / sizes.sum()) / (8 - 1)

    result = shrink_means(values, owners, n_owners=8)
    assert result["within_variance"] == pytest.approx(ms_within, rel=1e-6)
    assert result["between_variance"] == pytest.approx(
        (ms_between - ms_within) / n0, rel=1e-6
    )


def test_shrink_means_no_within_variance():
    result = shrink_means(np.array([1.0, 5.0]), np.array([0, 1]), n_owners=2)
    np.testing.assert_allclose(result["shrunk"], [1.0, 5.0])
    assert np.isnan(result["within_variance"])
    np.testing.assert_allclose(result["posterior_sd"], [0.0, 0.0])


def test_one_top_rating_flagged_below_many_good():
    groups, scores = satisfaction_programme({
        "TOP": [100],
        "GOOD": [95, 85, 90, 92, 88, 94, 86, 90],
        "MID": [60, 80, 70, 50, 90],
        "LOW": [40, 60, 50, 55, 45, 70],
    })
    rating = mentor_rating(groups, empty_assessments(), scores, empty_activities(),
                           weights={"satisfaction": 1})
    order = rating["mentor_code"].tolist()
    assert order.index("GOOD") < order.index("TOP")
    assert order[-1] == "TOP"
    top = rating.set_index("mentor_code").loc["TOP"]
    assert top["flag"] == "too_few_mentees"
    assert np.isnan(top["rank"])
    assert rating.set_index("mentor_code").loc["GOOD", "rank"] == 1


def test_one_top_rating_shrunk_below_many_good():
    # Without the minimums, shrinkage alone keeps one 100% rating below eight
    # good ones when answers vary more within mentors than between them.
    groups, scores = satisfaction_programme({
        "TOP": [100],
        "GOOD": [90, 70, 95, 80, 100, 75, 85, 85],
        "MID": [50, 90, 70, 60, 100, 65],
        "LOW": [40, 80, 60, 55, 75, 80],
        "AVG": [60, 95, 55, 85, 70],
    })
    rating = mentor_rating(groups, empty_assessments(), scores, empty_activities(),
                           weights={"satisfaction": 1}, min_mentees=1, min_ratings=1)
    by_code = rating.set_index("mentor_code")
    assert by_code.loc["TOP", "satisfaction"] > by_code.loc["GOOD", "satisfaction"]
    assert by_code.loc["TOP", "score"] < by_code.loc["GOOD", "score"]
    assert by_code.loc["GOOD", "rank"] < by_code.loc["TOP", "rank"]


def test_too_few_ratings_flag():
    groups, scores = satisfaction_programme({"A": [80, 90, 70], "B": [60, 70]})
    scores = scores[scores["code"] != "A_1"]
    scores = scores[~scores["code"].isin(["B_0"])]
    rating = mentor_rating(groups, empty_assessments(), scores, empty_activities())
    by_code = rating.set_index("mentor_code")
    assert by_code.loc["A", "n_ratings"] == 2
    assert by_code.loc["A", "flag"] is None
    assert by_code.loc["B", "n_ratings"] == 1
    assert by_code.loc["B", "flag"] == "too_few_ratings"


@pytest.fixture
def full_programme():
    groups = pd.DataFrame({
        "group_code": ["G1", "G1", "G2", "G2", "G3", "G3"],
        "mentor_code": ["T1", "T1", "T2", "T2", "T3", "T3"],
        "mentee_code": ["A", "B", "C", "D", "E", "F"],
        "model": ["digital"] * 4 + ["traditional"] * 2,
    })
    rows = []
    gains = {"A": 20, "B": 10, "C": 5, "D": 0, "E": 15, "F": -5}
    for code, gain in gains.items():
        rows.append((code, "x", "pre", T("2024-10-01"), 50.0))
        rows.append((code, "x", "post", T("2025-05-01"), 50.0 + gain))
    assessments = pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)
    scores = pd.DataFrame({
        "code": ["A", "B", "C", "D", "E", "F"],
        "score_percent": [90.0, 80.0, 60.0, 70.0, 85.0, 75.0],
    })
    activity_rows = [
        # One meeting logged by the mentor and a mentee counts once, 1.5 h.
        ("2024-10-05 10:00", "T1", "G1", "meeting", 1.5),
        ("2024-10-05 10:00", "A", "G1", "meeting", 1.5),
        ("2024-10-12 10:00", "T1", "G1", "meeting", 1.0),
        ("2024-10-20 10:00", "A", "G1", "material", np.nan),
        ("2024-11-01 10:00", "T1", None, "digital_resource", 2.0),
        ("2024-10-06 10:00", "T2", "G2", "meeting", 2.0),
        ("2024-10-07 10:00", "E", "G3", "open_lesson", 1.0),
        ("2024-10-08 10:00", "F", None, "webinar", 1.0),
    ]
    activities = pd.DataFrame(activity_rows, columns=["occurred_at", "code",
                                                      "group_code", "kind", "hours"])
    activities["occurred_at"] = pd.to_datetime(activities["occurred_at"])
    activities["occurred_on"] = activities["occurred_at"].dt.normalize()
    activities["format"] = "remote"
    return groups, assessments, scores, activities


def test_components_by_hand(full_programme):
    groups, assessments, scores, activities = full_programme
    mentees, mentors = mentor_components(groups, assessments, scores, activities)
    by_mentor = mentors.set_index("mentor_code")
    assert by_mentor.loc["T1", "n_meetings"] == 2
    assert by_mentor.loc["T1", "hours"] == pytest.approx(2.5)
    # T1: the mentee's material and the mentor's own digital resource.
    assert by_mentor.loc["T1", "n_products"] == 2
    assert by_mentor.loc["T2", "n_products"] == 0
    assert by_mentor.loc["T3", "n_products"] == 1
    assert by_mentor.loc["T3", "n_meetings"] == 0
    assert by_mentor.loc["T3", "hours"] == pytest.approx(1.0)
    by_mentee = mentees.set_index("mentee_code")
    assert by_mentee.loc["A", "gain"] == pytest.approx(20.0)
    assert by_mentee.loc["D", "satisfaction"] == pytest.approx(70.0)


def test_score_is_weighted_z_sum(full_programme):
    rating = mentor_rating(*full_programme)
    weights = DEFAULT_WEIGHTS
    expected = (
        weights["gain"] * rating["z_gain"]
        + weights["satisfaction"] * rating["z_satisfaction"]
        + weights["activity"] * rating["z_activity"]
        + weights["products"] * rating["z_products"]
    )
    np.testing.assert_allclose(rating["score"], expected, rtol=1e-12)


def test_products_z_second_path(full_programme):
    rating = mentor_rating(*full_programme).set_index("mentor_code")
    counts = pd.Series({"T1": 2.0, "T2": 0.0, "T3": 1.0})
    expected = (counts - counts.mean()) / counts.std(ddof=1)
    for code in counts.index:
        assert rating.loc[code, "z_products"] == pytest.approx(expected[code], rel=1e-12)


def test_output_columns_and_order(full_programme):
    rating = mentor_rating(*full_programme)
    assert list(rating.columns) == RATING_COLUMNS
    assert rating["rank"].tolist() == [1.0, 2.0, 3.0]
    assert rating["score"].is_monotonic_decreasing


def test_intervals_contain_point(full_programme):
    rating = mentor_rating(*full_programme)
    assert (rating["ci_low"] <= rating["score"]).all()
    assert (rating["score"] <= rating["ci_high"]).all()
    assert (rating["rank_low"] <= rating["rank"]).all()
    assert (rating["rank"] <= rating["rank_high"]).all()
    assert rating["rank_high"].max() <= 3


def test_same_seed_same_intervals(full_programme):
    first = mentor_rating(*full_programme, seed=4)
    second = mentor_rating(*full_programme, seed=4)
    pd.testing.assert_frame_equal(first, second)


def test_weights_change_order(full_programme):
    by_satisfaction = mentor_rating(*full_programme, weights={"satisfaction": 1})
    by_products = mentor_rating(*full_programme, weights={"products": 1})
    # Mean satisfaction: T1 85, T2 65, T3 80; products: T1 2, T2 0, T3 1.
    assert by_satisfaction["mentor_code"].tolist() == ["T1", "T3", "T2"]
    assert by_products["mentor_code"].iloc[0] == "T1"
    assert by_products["mentor_code"].iloc[-1] == "T2"


@pytest.mark.parametrize("weights, message", [
    ({"charm": 1.0}, "unknown rating components"),
    ({"gain": -1.0, "products": 2.0}, "non-negative"),
    ({"gain": 0.0}, "at least one weight"),
    ({"gain": float("nan")}, "finite"),
])
def test_weights_rejected(full_programme, weights, message):
    with pytest.raises(ValueError, match=message):
        mentor_rating(*full_programme, weights=weights)


def test_no_mentors():
    empty_groups = pd.DataFrame(columns=["group_code", "mentor_code", "mentee_code",
                                         "model"])
    empty_scores = pd.DataFrame(columns=["code", "score_percent"])
    rating = mentor_rating(empty_groups, empty_assessments(), empty_scores,
                           empty_activities())
    assert rating.empty
    assert list(rating.columns) == RATING_COLUMNS


def test_explanation_ranked(full_programme):
    rating = mentor_rating(*full_programme)
    lines = explain_rating(rating.iloc[0])
    assert len(lines) == 6
    assert lines[0].startswith("Прирост компетенций наставляемых")
    assert "вес 40\u00a0%" in lines[0]
    assert lines[-1].startswith("Место 1;")
    assert "nan" not in " ".join(lines)


def test_explanation_flagged():
    groups, scores = satisfaction_programme({"A": [80, 90, 70], "B": [60]})
    rating = mentor_rating(groups, empty_assessments(), scores, empty_activities())
    flagged = rating.set_index("mentor_code").loc["B"]
    lines = explain_rating(flagged)
    assert lines[-1] == (
        "Место не присвоено: у наставника 1 наставляемый, "
        "этого мало для сравнения с другими."
    )
    assert "принято среднее" in lines[0]
    assert "по 1 анкете" in lines[1]
