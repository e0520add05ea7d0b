"""ANCOVA-adjusted post means of the two mentoring models.

The adjusted mean of a model is its expected post score at the common mean
pre score, from the same model ``post ~ pre + model`` as
:func:`analysis.comparison.compare_models`; the difference of the two
adjusted means is that function's ``ancova_estimate``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

__all__ = ["ADJUSTED_MEAN_COLUMNS", "adjusted_means"]

logger = logging.getLogger(__name__)

MODELS = ("digital", "traditional")
ADJUSTED_MEAN_COLUMNS = [
    "model",
    "n",
    "mean_pre",
    "mean_post",
    "covariate_at",
    "adjusted_mean",
    "se",
    "ci_low",
    "ci_high",
    "note",
]


def adjusted_means(
    pairs: pd.DataFrame, *, confidence: float = 0.95, min_per_group: int = 2
) -> pd.DataFrame:
    """Estimate the post mean of each model at the common mean pre score.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Paired scores of one area, as in
        :attr:`analysis.prepost.PairedScores.pairs`: ``model, pre, post``.
        Rows of other models or without a model are ignored.
    confidence : float
        Level of the two-sided intervals, between 0 and 1.
    min_per_group : int
        Minimum number of participants in each model; below it the adjusted
        values are NaN and ``note`` gives the reason.

    Returns
    -------
    pandas.DataFrame
        One row per model, ``"digital"`` then ``"traditional"``. Columns:

        - ``model``; ``n``: participants with both scores.
        - ``mean_pre``, ``mean_post``: raw means of the model.
        - ``covariate_at``: the pre score at which both models are compared
          (the mean pre score of both models together).
        - ``adjusted_mean``: the predicted post score at ``covariate_at``.
        - ``se``, ``ci_low``, ``ci_high``: its standard error and t interval
          with the residual degrees of freedom (n_total − 3).
        - ``note``: why the adjusted values are NaN, else None.

    Notes
    -----
    OLS ``post ~ pre + model`` with one common slope b. The adjusted mean of
    model j is ``mean_post_j − b (mean_pre_j − mean_pre)``. Its standard
    error is ``sqrt(MSE (1 / n_j + (mean_pre_j − mean_pre)**2 / SSx_within))``,
    where SSx_within is the within-model sum of squares of pre. These are the
    least-squares means of a common-slope ANCOVA at the covariate's mean.
    The values come from statsmodels' ``get_prediction``, and the tests check
    them against that closed-form expression computed with numpy and scipy. The
    difference of the two adjusted means equals the ANCOVA coefficient of
    :func:`analysis.comparison.compare_models`. Rows with a missing pre or
    post score must be removed by the caller (``pair_scores`` does). The
    input is not changed.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}.")
    frame = pairs.loc[pairs["model"].isin(MODELS), ["model", "pre", "post"]].copy()
    frame["pre"] = frame["pre"].astype(float)
    frame["post"] = frame["post"].astype(float)
    counts = frame["model"].value_counts()
    rows = [
        {
            "model": model,
            "n": int(counts.get(model, 0)),
            "mean_pre": _mean(frame.loc[frame["model"] == model, "pre"]),
            "mean_post": _mean(frame.loc[frame["model"] == model, "post"]),
            "covariate_at": np.nan,
            "adjusted_mean": np.nan,
            "se": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "note": None,
        }
        for model in MODELS
    ]
    note = _sparse_note(frame, counts, min_per_group)
    if note is not None:
        logger.info("adjusted means not computed: %s", note)
        for row in rows:
            row["note"] = note
        return pd.DataFrame(rows, columns=ADJUSTED_MEAN_COLUMNS)

    fit = smf.ols("post ~ pre + C(model)", data=frame).fit()
    at = float(frame["pre"].mean())
    grid = pd.DataFrame({"model": list(MODELS), "pre": [at, at]})
    prediction = fit.get_prediction(grid).summary_frame(alpha=1 - confidence)
    for row, (_, predicted) in zip(rows, prediction.iterrows(), strict=True):
        row.update(
            covariate_at=at,
            adjusted_mean=float(predicted["mean"]),
            se=float(predicted["mean_se"]),
            ci_low=float(predicted["mean_ci_lower"]),
            ci_high=float(predicted["mean_ci_upper"]),
        )
    return pd.DataFrame(rows, columns=ADJUSTED_MEAN_COLUMNS)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else np.nan


def _sparse_note(frame: pd.DataFrame, counts: pd.Series, min_per_group: int) -> str | None:
    """Say why the model cannot be fitted, or return None when it can."""
    if min(counts.get(model, 0) for model in MODELS) < max(min_per_group, 1):
        return f"fewer than {max(min_per_group, 1)} participants in a model"
    if len(frame) < 4:
        return "fewer than 4 participants: no residual degrees of freedom"
    within = frame.groupby("model")["pre"].transform(lambda values: values - values.mean())
    if float((within**2).sum()) == 0:
        return "pre scores are constant within each model: the slope is not estimable"
    return None
