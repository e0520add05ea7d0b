"""Internal consistency of questionnaire scales: Cronbach's alpha with Feldt's CI."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats

from analysis.plain_language import plural

logger = logging.getLogger(__name__)

__all__ = ["cronbach_alpha", "MIN_ITEMS", "MIN_RESPONDENTS"]

# Alpha from fewer items or respondents is too unstable to report.
MIN_ITEMS = 3
MIN_RESPONDENTS = 10


def cronbach_alpha(
    data: pd.DataFrame,
    items: str | None = None,
    scores: str | None = None,
    subject: str | None = None,
    confidence: float = 0.95,
    min_items: int = MIN_ITEMS,
    min_respondents: int = MIN_RESPONDENTS,
) -> dict:
    """Compute Cronbach's alpha of a scale with Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Either wide format (one row per respondent, one numeric column per
        item) or long format when ``items``, ``scores`` and ``subject`` are
        given (one row per respondent and item).
    items, scores, subject : str, optional
        Long-format columns: the item name, the numeric answer and the
        respondent code. A respondent with two rows for one item raises
        ``ValueError``.
    confidence : float
        Level of the two-sided interval, between 0 and 1.
    min_items, min_respondents : int
        Alpha is reported only with at least this many items and complete
        respondents; otherwise ``cronbach_alpha`` is NaN and ``note`` says why.

    Returns
    -------
    dict
        ``n`` (respondents with every item answered, used for alpha),
        ``n_excluded`` (respondents dropped for a missing item),
        ``k`` (items), ``cronbach_alpha``, ``ci_low``, ``ci_high``
        (NaN when not computed) and ``note`` (``None``, or a Russian
        sentence saying why alpha was not computed).

    Notes
    -----
    Alpha is ``k / (k - 1) * (1 - sum(var_i) / var_total)`` with sample
    variances (ddof = 1), ``var_i`` of each item and ``var_total`` of the sum
    of the items. Feldt's interval (Feldt, Woodruff and Salih, 1987) is
    ``1 - (1 - alpha) * F(q; n - 1, (n - 1)(k - 1))`` with the upper
    ``q = (1 - confidence) / 2`` quantile for the lower bound and the lower
    one for the upper bound. It assumes normally distributed, essentially
    tau-equivalent items.

    Missing values: listwise deletion, so a respondent who skipped any item
    is left out and counted in ``n_excluded``. This is not pingouin's default:
    ``pingouin.cronbach_alpha`` 0.7.0 defaults to ``nan_policy="pairwise"``.
    With ``nan_policy="listwise"`` pingouin takes the interval's degrees of
    freedom from the row count before deletion, while this function uses the
    respondents actually kept. Without missing values both agree; the tests
    compare value and interval with pingouin 0.7.0, with a two-way ANOVA
    from statsmodels (Hoyt's alpha, ``1 - MS_error / MS_respondents``) and
    with R ``psych::alpha(use="complete.obs")`` as printed in pingouin's
    documentation.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    wide = _to_wide(data, items, scores, subject)
    k = wide.shape[1]
    complete = wide.dropna(axis=0, how="any")
    n = len(complete)
    result = {
        "n": n,
        "n_excluded": len(wide) - n,
        "k": k,
        "cronbach_alpha": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "note": None,
    }
    if k < min_items:
        result["note"] = (
            f"Альфа Кронбаха не рассчитана: в шкале {k} {plural(k, 'вопрос', 'вопроса', 'вопросов')}, "
            f"нужно не меньше {min_items}."
        )
        return result
    if n < min_respondents:
        result["note"] = (
            f"Альфа Кронбаха не рассчитана: полностью ответили {n} человек, "
            f"нужно не меньше {min_respondents}."
        )
        return result

    matrix = complete.to_numpy(dtype=float)
    item_variance_sum = matrix.var(axis=0, ddof=1).sum()
    total_variance = matrix.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        result["note"] = (
            "Альфа Кронбаха не рассчитана: все респонденты дали одинаковую "
            "сумму баллов, разброса нет."
        )
        return result
    alpha = k / (k - 1) * (1 - item_variance_sum / total_variance)

    tail = (1 - confidence) / 2
    df1 = n - 1
    df2 = df1 * (k - 1)
    result["cronbach_alpha"] = float(alpha)
    result["ci_low"] = float(1 - (1 - alpha) * stats.f.isf(tail, df1, df2))
    result["ci_high"] = float(1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2))
    return result


def _to_wide(
    data: pd.DataFrame, items: str | None, scores: str | None, subject: str | None
) -> pd.DataFrame:
    """Return one row per respondent and one numeric column per item."""
    long_arguments = [name is not None for name in (items, scores, subject)]
    if any(long_arguments) and not all(long_arguments):
        raise ValueError("items, scores and subject must be given together")
    if all(long_arguments):
        duplicated = data.duplicated(subset=[subject, items])
        if duplicated.any():
            first = data.loc[duplicated, [subject, items]].iloc[0].tolist()
            raise ValueError(
                f"respondent {first[0]!r} has more than one answer to item "
                f"{first[1]!r}; keep one answer per respondent and item"
            )
        data = data.pivot(index=subject, columns=items, values=scores)
    non_numeric = [c for c in data.columns if data[c].dtype.kind not in "biuf"]
    if non_numeric:
        raise ValueError(f"item columns must be numeric, got {non_numeric!r}")
    return data
