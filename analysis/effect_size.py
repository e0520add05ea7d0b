"""Standardized effect sizes shared by the pre/post and model comparisons.

Every function takes plain arrays and returns floats, so the callers in
``prepost``, ``comparison`` and the reports compute effect sizes one way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "HedgesG",
    "cohen_dz",
    "correlation_magnitude",
    "hedges_correction",
    "hedges_g",
    "hedges_g_av",
    "magnitude",
]

# Cohen (1988) benchmarks for standardized mean differences, |d| or |g|.
COHEN_SMALL = 0.2
COHEN_MEDIUM = 0.5
COHEN_LARGE = 0.8
# Cohen (1988) benchmarks for a correlation coefficient, |r|.
CORRELATION_SMALL = 0.1
CORRELATION_MEDIUM = 0.3
CORRELATION_LARGE = 0.5


@dataclass(frozen=True)
class HedgesG:
    """Hedges' g of two independent samples with its normal-theory interval.

    Attributes
    ----------
    g : float
        Bias-corrected standardized mean difference, x minus y.
    variance : float
        Large-sample variance of g (formula in :func:`hedges_g`).
    ci_low, ci_high : float
        Bounds of the two-sided confidence interval.
    """

    g: float
    variance: float
    ci_low: float
    ci_high: float


def hedges_correction(n_total: int) -> float:
    """Return Hedges' small-sample correction factor J.

    Parameters
    ----------
    n_total : int
        Total number of observations, n1 + n2 (for a paired design, 2 n).

    Returns
    -------
    float
        ``J = 1 - 3 / (4 * n_total - 9)``.

    Notes
    -----
    This is the usual approximation to the exact gamma-function factor
    (Hedges 1981). pingouin 0.7.0 ``convert_effsize`` and statsmodels 0.15.0
    ``effectsize_smd`` use the same expression.
    """
    if n_total < 3:
        raise ValueError(f"Hedges' correction needs n_total >= 3, got {n_total}.")
    return 1.0 - 3.0 / (4.0 * n_total - 9.0)


def cohen_dz(differences: np.ndarray) -> float:
    """Compute Cohen's d_z of paired differences.

    Parameters
    ----------
    differences : array-like
        Post minus pre, one value per participant, without missing values.

    Returns
    -------
    float
        ``mean(diff) / sd(diff)`` with the sample SD (ddof = 1); NaN when
        fewer than two differences are given or all of them are equal.

    Notes
    -----
    d_z equals the paired t statistic divided by sqrt(n) (Lakens 2013).
    Checked against pingouin 0.7.0
    ``compute_effsize(post, pre, paired=True, eftype="cohen_dz")``.
    """
    diff = np.asarray(differences, dtype=float)
    if diff.size < 2:
        return math.nan
    sd = diff.std(ddof=1)
    if sd == 0:
        return math.nan
    return float(diff.mean() / sd)


def hedges_g_av(pre: np.ndarray, post: np.ndarray) -> float:
    """Compute Hedges' g_av of a pre/post design.

    Parameters
    ----------
    pre, post : array-like
        Scores of the same participants in the same order, without missing
        values.

    Returns
    -------
    float
        ``J * d_av`` with ``d_av = (mean(post) - mean(pre)) /
        ((sd(pre) + sd(post)) / 2)``; NaN when both SDs are zero or fewer
        than two pairs are given.

    Notes
    -----
    d_av is the d_av of Lakens (2013): the mean difference over the average
    of the two sample SDs (ddof = 1), which ignores the correlation between
    pre and post. J is :func:`hedges_correction` with ``n_total = 2 n``, as
    pingouin 0.7.0 applies it to paired samples. pingouin's own paired d
    divides by ``sqrt((var_pre + var_post) / 2)`` instead, so the two agree
    only when the two SDs are equal. The tests check both facts.
    """
    x = np.asarray(pre, dtype=float)
    y = np.asarray(post, dtype=float)
    if x.shape != y.shape:
        raise ValueError(
            f"pre and post must have the same length, got {x.size} and {y.size}."
        )
    n = x.size
    if n < 2:
        return math.nan
    sd_average = (x.std(ddof=1) + y.std(ddof=1)) / 2.0
    if sd_average == 0:
        return math.nan
    d_av = (y.mean() - x.mean()) / sd_average
    return float(d_av * hedges_correction(2 * n))


def hedges_g(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> HedgesG:
    """Compute Hedges' g of two independent samples with a confidence interval.

    Parameters
    ----------
    x, y : array-like
        The two samples without missing values; g is positive when x has the
        larger mean.
    confidence : float
        Level of the two-sided interval, between 0 and 1.

    Returns
    -------
    HedgesG
        g, its variance and the interval; every field is NaN when either
        sample has fewer than two values or the pooled SD is zero.

    Notes
    -----
    ``d = (mean(x) - mean(y)) / s_pooled`` with
    ``s_pooled**2 = ((n1 - 1) s1**2 + (n2 - 1) s2**2) / (n1 + n2 - 2)``, and
    ``g = J d`` (:func:`hedges_correction`). The variance is the large-sample
    approximation ``var(g) = (n1 + n2) / (n1 n2) + g**2 / (2 (n1 + n2 -
    3.94))`` (Hedges and Olkin 1985; the form of statsmodels 0.15.0
    ``effectsize_smd``), and the interval is ``g -/+ z var(g)**0.5`` with the
    standard normal quantile z. g is checked against pingouin 0.7.0
    ``compute_effsize(eftype="hedges")`` and the variance against
    statsmodels.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}.")
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    n1, n2 = a.size, b.size
    nan_result = HedgesG(math.nan, math.nan, math.nan, math.nan)
    if n1 < 2 or n2 < 2:
        return nan_result
    pooled_var = ((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2)
    if pooled_var == 0:
        return nan_result
    n_total = n1 + n2
    g = (a.mean() - b.mean()) / math.sqrt(pooled_var) * hedges_correction(n_total)
    variance = n_total / (n1 * n2) + g**2 / (2.0 * (n_total - 3.94))
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    half_width = z * math.sqrt(variance)
    return HedgesG(float(g), float(variance), float(g - half_width), float(g + half_width))


def _as_displayed(value: float, digits: int | None) -> float:
    """Return |value| rounded the way ``f"{value:.{digits}f}"`` shows it."""
    size = abs(value)
    if digits is None:
        return size
    return float(f"{size:.{digits}f}")


def magnitude(effect: float, digits: int | None = 2) -> str | None:
    """Name the size of a standardized mean difference by Cohen's benchmarks.

    Parameters
    ----------
    effect : float
        d or g of any sign.
    digits : int or None
        Decimal places the effect is shown with; the size is read from the
        value rounded to them, so that g = 0.798, shown as 0,80, is
        ``"large"``. None classifies the unrounded value.

    Returns
    -------
    str or None
        ``"negligible"`` below 0.2 in absolute value, ``"small"`` below 0.5,
        ``"medium"`` below 0.8, otherwise ``"large"``; None for NaN.

    Notes
    -----
    The thresholds are Cohen's (1988) rules of thumb for d, meant for when no
    better benchmark of the field is at hand. Rounding uses Python's float
    formatting, the same as the pages and the report use to print the value.
    """
    if effect is None or not math.isfinite(effect):
        return None
    size = _as_displayed(effect, digits)
    if size < COHEN_SMALL:
        return "negligible"
    if size < COHEN_MEDIUM:
        return "small"
    if size < COHEN_LARGE:
        return "medium"
    return "large"


def correlation_magnitude(r: float, digits: int | None = 2) -> str | None:
    """Name the size of a correlation coefficient by Cohen's benchmarks for r.

    Parameters
    ----------
    r : float
        Pearson's r, Spearman's rho or the rank-biserial correlation, any sign.
    digits : int or None
        Decimal places r is shown with; the size is read from the value
        rounded to them (r = 0.297, shown as 0,30, is ``"medium"``). None
        classifies the unrounded value.

    Returns
    -------
    str or None
        ``"negligible"`` below 0.1 in absolute value, ``"small"`` below 0.3,
        ``"medium"`` below 0.5, otherwise ``"large"``; None for NaN.

    Notes
    -----
    Cohen (1988) gives 0.1, 0.3 and 0.5 as small, medium and large
    correlations, again as rules of thumb.
    """
    if r is None or not math.isfinite(r):
        return None
    size = _as_displayed(r, digits)
    if size < CORRELATION_SMALL:
        return "negligible"
    if size < CORRELATION_MEDIUM:
        return "small"
    if size < CORRELATION_LARGE:
        return "medium"
    return "large"
