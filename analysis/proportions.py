"""Confidence intervals of proportions."""

from __future__ import annotations

import numpy as np
from scipy import stats


def wilson_interval(
    successes: int | np.ndarray, n: int | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Compute the Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes, n : int or array of int
        Number of successes and of trials; ``n`` must be positive.
    confidence : float
        Two-sided confidence level, 0 < confidence < 1.

    Returns
    -------
    ci_low, ci_high : numpy.ndarray
        Bounds of the interval, clipped to [0, 1].

    Notes
    -----
    With p = x / n and z the standard normal quantile at (1 + confidence) / 2:
    centre = (p + z²/(2n)) / (1 + z²/n),
    half-width = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/(4n²)).
    Checked against ``statsmodels.stats.proportion.proportion_confint``
    with ``method="wilson"`` in ``tests/analysis/test_proportions.py``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    x = np.asarray(successes, dtype=float)
    trials = np.asarray(n, dtype=float)
    if np.any(trials <= 0):
        raise ValueError("n must be positive for a Wilson interval")
    if np.any((x < 0) | (x > trials)):
        raise ValueError("successes must be between 0 and n")
    z = stats.norm.ppf((1 + confidence) / 2)
    p = x / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
