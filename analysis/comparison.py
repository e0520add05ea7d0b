"""Digital versus traditional mentoring: comparison of competence gains.

The functions take the assessments frame of ``db.queries.assessments_frame``
and return one row per competence area and ``"overall"`` whose columns are
the ``comparison`` keys of the data contract plus explanatory columns.
Because the groups were not formed at random, every result is an
association, and the ``conclusion`` states this.
"""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from analysis.effect_size import hedges_g
from analysis.plain_language import (
    COMPARISON_CAVEAT,
    effect_phrase,
    format_number,
    format_p_value,
    points_phrase,
    significance_phrase,
)
from analysis.prepost import OVERALL, P_ADJUST_NAMES, pair_scores

__all__ = [
    "COMPARISON_COLUMNS",
    "attrition",
    "baseline_equivalence",
    "compare_models",
    "compare_two_groups",
]

logger = logging.getLogger(__name__)

DIGITAL = "digital"
TRADITIONAL = "traditional"

# Keys of the data contract's ``comparison`` objects, in the contract's order.
COMPARISON_COLUMNS = [
    "area",
    "n_digital",
    "n_traditional",
    "ancova_estimate",
    "ancova_ci_low",
    "ancova_ci_high",
    "ancova_p_value",
    "ancova_f",
    "welch_t",
    "welch_df",
    "welch_p_value",
    "mann_whitney_u",
    "mann_whitney_p_value",
    "hedges_g_gain",
    "baseline_hedges_g",
    "baseline_equivalence",
    "conclusion",
]
EXTRA_COLUMNS = [
    "ancova_p_adjusted",
    "p_adjust_method",
    "ancova_df_resid",
    "ancova_partial_eta2",
    "ancova_ss_type",
    "slopes_interaction_p",
    "slopes_warning",
    "mean_gain_digital",
    "mean_gain_traditional",
    "did_estimate",
    "did_ci_low",
    "did_ci_high",
    "mann_whitney_method",
    "rank_biserial",
    "hedges_g_gain_ci_low",
    "hedges_g_gain_ci_high",
    "n_mentors_digital",
    "n_mentors_traditional",
    "cluster_se",
    "cluster_ci_low",
    "cluster_ci_high",
    "cluster_p_value",
    "mixed_estimate",
    "mixed_ci_low",
    "mixed_ci_high",
    "mixed_p_value",
    "icc",
    "power_small",
    "power_medium",
    "mde_80",
    "attrition_digital",
    "attrition_traditional",
    "attrition_p_value",
    "note",
]

# Thresholds of the What Works Clearinghouse rule for baseline differences in |g|.
WWC_SATISFIED = 0.05
WWC_ADJUSTMENT = 0.25
SMALL_EFFECT = 0.2
MEDIUM_EFFECT = 0.5
TARGET_POWER = 0.8
# scipy's rule: the exact Mann-Whitney distribution when one sample has at
# most this many values and there are no ties.
MWU_EXACT_MAX_N = 8


def baseline_equivalence(g: float | None) -> str | None:
    """Classify a baseline difference by the What Works Clearinghouse rule.

    Parameters
    ----------
    g : float or None
        Hedges' g of the pre scores, digital minus traditional.

    Returns
    -------
    str or None
        ``"satisfied"`` when |g| <= 0.05, ``"requires_adjustment"`` when
        |g| <= 0.25, otherwise ``"not_satisfied"``; None when g is missing.

    Notes
    -----
    The What Works Clearinghouse treats a baseline difference above 0.25 SD
    as too large for statistical adjustment to make good. A difference
    between 0.05 and 0.25 SD requires adjustment, which here is the ANCOVA.
    """
    if g is None or not math.isfinite(g):
        return None
    if abs(g) <= WWC_SATISFIED:
        return "satisfied"
    if abs(g) <= WWC_ADJUSTMENT:
        return "requires_adjustment"
    return "not_satisfied"


def _none_if_nan(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _ancova(frame: pd.DataFrame, confidence: float) -> dict:
    """ANCOVA post ~ pre + digital and the homogeneity-of-slopes check."""
    fit = smf.ols("post ~ pre + digital", data=frame).fit()
    interval = fit.conf_int(alpha=1 - confidence).loc["digital"]
    table = anova_lm(fit, typ=2)
    ss_model = table.loc["digital", "sum_sq"]
    ss_resid = table.loc["Residual", "sum_sq"]
    slopes_model = smf.ols("post ~ pre * digital", data=frame)
    exog = slopes_model.exog
    slopes_p = None
    # With constant pre scores in a model the interaction is not estimable.
    if np.linalg.matrix_rank(exog) == exog.shape[1]:
        slopes_p = _none_if_nan(slopes_model.fit().pvalues["pre:digital"])
    return {
        "ancova_estimate": float(fit.params["digital"]),
        "ancova_ci_low": float(interval.iloc[0]),
        "ancova_ci_high": float(interval.iloc[1]),
        "ancova_p_value": float(table.loc["digital", "PR(>F)"]),
        "ancova_f": float(table.loc["digital", "F"]),
        "ancova_df_resid": float(fit.df_resid),
        "ancova_partial_eta2": float(ss_model / (ss_model + ss_resid)),
        "ancova_ss_type": "II",
        "slopes_interaction_p": slopes_p,
    }


def _gain_tests(gain_digital: np.ndarray, gain_traditional: np.ndarray, confidence: float) -> dict:
    """Welch's t, Mann-Whitney U and Hedges' g on the gains."""
    welch = stats.ttest_ind(gain_digital, gain_traditional, equal_var=False)
    interval = welch.confidence_interval(confidence)
    pooled = np.concatenate([gain_digital, gain_traditional])
    has_ties = np.unique(pooled).size < pooled.size
    small = min(gain_digital.size, gain_traditional.size) <= MWU_EXACT_MAX_N
    method = "exact" if small and not has_ties else "asymptotic"
    mwu = stats.mannwhitneyu(
        gain_digital, gain_traditional, alternative="two-sided",
        use_continuity=True, method=method,
    )
    n_product = gain_digital.size * gain_traditional.size
    g = hedges_g(gain_digital, gain_traditional, confidence)
    return {
        "mean_gain_digital": float(gain_digital.mean()),
        "mean_gain_traditional": float(gain_traditional.mean()),
        "welch_t": _none_if_nan(welch.statistic),
        "welch_df": _none_if_nan(welch.df),
        "welch_p_value": _none_if_nan(welch.pvalue),
        "did_estimate": float(gain_digital.mean() - gain_traditional.mean()),
        "did_ci_low": _none_if_nan(interval.low),
        "did_ci_high": _none_if_nan(interval.high),
        "mann_whitney_u": float(mwu.statistic),
        "mann_whitney_p_value": float(mwu.pvalue),
        "mann_whitney_method": method,
        "rank_biserial": float(2.0 * mwu.statistic / n_product - 1.0),
        "hedges_g_gain": _none_if_nan(g.g),
        "hedges_g_gain_ci_low": _none_if_nan(g.ci_low),
        "hedges_g_gain_ci_high": _none_if_nan(g.ci_high),
    }


def _cluster_robust(frame: pd.DataFrame, confidence: float) -> dict:
    """ANCOVA with CRV1 standard errors clustered by mentor."""
    clusters = pd.factorize(frame["cluster"])[0]
    fit = smf.ols("post ~ pre + digital", data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True
    )
    interval = fit.conf_int(alpha=1 - confidence).loc["digital"]
    return {
        "cluster_se": _none_if_nan(fit.bse["digital"]),
        "cluster_ci_low": _none_if_nan(interval.iloc[0]),
        "cluster_ci_high": _none_if_nan(interval.iloc[1]),
        "cluster_p_value": _none_if_nan(fit.pvalues["digital"]),
    }


def _mixed_model(frame: pd.DataFrame, confidence: float) -> tuple[dict, str | None]:
    """Random-intercept model of the gain by mentor, with the ICC."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = smf.mixedlm("gain ~ digital", data=frame, groups=frame["cluster"]).fit(reml=True)
    between = float(fit.cov_re.iloc[0, 0])
    within = float(fit.scale)
    interval = fit.conf_int(alpha=1 - confidence).loc["digital"]
    result = {
        "mixed_estimate": float(fit.params["digital"]),
        "mixed_ci_low": float(interval.iloc[0]),
        "mixed_ci_high": float(interval.iloc[1]),
        "mixed_p_value": float(fit.pvalues["digital"]),
        "icc": between / (between + within) if between + within > 0 else None,
    }
    problems = [
        str(item.message) for item in caught if issubclass(item.category, ConvergenceWarning)
    ]
    note = None
    if any("boundary" in message for message in problems):
        note = "mixed model: between-mentor variance is at the boundary (near 0)"
    elif problems or not fit.converged:
        # An unconverged fit has no trustworthy estimate, so none is reported.
        note = "mixed model: the optimizer did not converge, estimates withheld"
        result = {key: None for key in result}
    if problems:
        logger.warning("MixedLM on the gain: %s", "; ".join(problems))
    return result, note


def _power(n_digital: int, n_traditional: int, alpha: float) -> dict:
    """Power of the pooled-variance t-test at small and medium d, and the MDE."""
    analysis = TTestIndPower()
    ratio = n_traditional / n_digital
    return {
        "power_small": float(analysis.power(SMALL_EFFECT, n_digital, alpha, ratio=ratio)),
        "power_medium": float(analysis.power(MEDIUM_EFFECT, n_digital, alpha, ratio=ratio)),
        "mde_80": float(
            analysis.solve_power(
                effect_size=None, nobs1=n_digital, alpha=alpha,
                power=TARGET_POWER, ratio=ratio,
            )
        ),
    }


def attrition(data: pd.DataFrame, *, pre_stage: str = "pre", post_stage: str = "post") -> pd.DataFrame:
    """Count participants with a pre score but no post score, by area and model.

    Parameters
    ----------
    data : pandas.DataFrame
        Assessments frame (see :func:`analysis.prepost.pair_scores`).
    pre_stage, post_stage : str
        Stage values of the two assessments.
    p_adjust : str
        How the area p-values are adjusted for testing several areas:
        ``"holm"`` (family-wise error) or ``"fdr_bh"`` (Benjamini–Hochberg
        false discovery rate), as statsmodels' ``multipletests`` names them.

    Returns
    -------
    pandas.DataFrame
        One row per area (and ``"overall"``) and model (``"digital"``,
        ``"traditional"``, ``"all"``): ``area, model, n_pre, n_dropped,
        share`` where ``n_pre`` counts participants with a pre score,
        ``n_dropped`` those of them without a post score, and ``share`` is
        their ratio (None when ``n_pre`` is 0).

    Notes
    -----
    For ``"overall"`` a participant counts as dropped when no area has both
    scores although some area has a pre score. ``"all"`` pools the two
    models; participants without a model count only when no one has one.
    """
    paired = pair_scores(data, pre_stage=pre_stage, post_stage=post_stage)
    kept = paired.pairs[["code", "model", "area"]]
    dropped = paired.excluded[paired.excluded["reason"].isin(["no_post", "no_common_area"])]
    # "all" pools the two models, as the pre/post "all" row does; participants
    # without a model (mentors) count only when nobody has a model.
    has_model = pd.concat([kept["model"], dropped["model"]]).notna().any()
    pooled_kept = kept[kept["model"].notna()] if has_model else kept
    pooled_dropped = dropped[dropped["model"].notna()] if has_model else dropped
    rows = []
    areas = set(kept["area"]) | set(dropped["area"])
    areas = [*sorted(areas - {OVERALL}), OVERALL]
    for area in areas:
        for model in (DIGITAL, TRADITIONAL, "all"):
            if model == "all":
                kept_area = pooled_kept[pooled_kept["area"] == area]
                dropped_area = pooled_dropped[pooled_dropped["area"] == area]
            else:
                kept_area = kept[(kept["area"] == area) & (kept["model"] == model)]
                dropped_area = dropped[(dropped["area"] == area) & (dropped["model"] == model)]
            n_dropped = len(dropped_area)
            n_pre = len(kept_area) + n_dropped
            share = n_dropped / n_pre if n_pre else None
            rows.append(
                {"area": area, "model": model, "n_pre": n_pre, "n_dropped": n_dropped, "share": share}
            )
    return pd.DataFrame(rows, columns=["area", "model", "n_pre", "n_dropped", "share"])


def _attrition_columns(table: pd.DataFrame, area: str) -> dict:
    rows = table[table["area"] == area].set_index("model")
    result = {"attrition_digital": None, "attrition_traditional": None, "attrition_p_value": None}
    if rows.empty:
        return result
    result["attrition_digital"] = rows.loc[DIGITAL, "share"]
    result["attrition_traditional"] = rows.loc[TRADITIONAL, "share"]
    if rows.loc[DIGITAL, "n_pre"] and rows.loc[TRADITIONAL, "n_pre"]:
        counts = [
            [rows.loc[model, "n_dropped"], rows.loc[model, "n_pre"] - rows.loc[model, "n_dropped"]]
            for model in (DIGITAL, TRADITIONAL)
        ]
        result["attrition_p_value"] = float(stats.fisher_exact(counts).pvalue)
    return result


def compare_two_groups(
    pairs: pd.DataFrame,
    *,
    min_per_group: int = 5,
    min_mentors: int = 5,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> dict:
    """Compare the digital and traditional models on one area's pairs.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Rows of :attr:`analysis.prepost.PairedScores.pairs` for one area:
        ``code, model, mentor_code, pre, post``.
    min_per_group, min_mentors, alpha, confidence
        See :func:`compare_models`.

    Returns
    -------
    dict
        The columns of :func:`compare_models` except ``area``, the attrition
        columns and ``conclusion``.
    """
    frame = pairs[pairs["model"].isin([DIGITAL, TRADITIONAL])].copy()
    frame["digital"] = (frame["model"] == DIGITAL).astype(float)
    frame["gain"] = frame["post"] - frame["pre"]
    # A participant without a mentor code is a cluster of their own.
    frame["cluster"] = frame["mentor_code"].astype("string").fillna("participant:" + frame["code"].astype(str))
    digital = frame[frame["model"] == DIGITAL]
    traditional = frame[frame["model"] == TRADITIONAL]
    result: dict = dict.fromkeys(COMPARISON_COLUMNS + EXTRA_COLUMNS)
    result.pop("area")
    result.pop("conclusion")
    result.update(
        n_digital=len(digital),
        n_traditional=len(traditional),
        n_mentors_digital=int(digital["mentor_code"].nunique()),
        n_mentors_traditional=int(traditional["mentor_code"].nunique()),
    )
    notes = []
    if len(digital) == 0 or len(traditional) == 0:
        missing = TRADITIONAL if len(traditional) == 0 else DIGITAL
        result["note"] = f"no participants of the {missing} model"
        return result
    if min(len(digital), len(traditional)) < min_per_group:
        result["note"] = f"too few participants: fewer than {min_per_group} in a model"
        return result

    baseline = hedges_g(digital["pre"].to_numpy(), traditional["pre"].to_numpy(), confidence)
    result["baseline_hedges_g"] = _none_if_nan(baseline.g)
    result["baseline_equivalence"] = baseline_equivalence(baseline.g)
    result.update(_ancova(frame, confidence))
    if result["slopes_interaction_p"] is not None and result["slopes_interaction_p"] < alpha:
        result["slopes_warning"] = True
        notes.append("pre x model interaction p < alpha: slopes differ, ANCOVA estimate depends on pre")
    else:
        result["slopes_warning"] = False
    result.update(_gain_tests(digital["gain"].to_numpy(), traditional["gain"].to_numpy(), confidence))
    if frame["cluster"].nunique() >= 2:
        result.update(_cluster_robust(frame, confidence))
    else:
        notes.append("cluster-robust errors skipped: fewer than 2 mentors")
    if min(result["n_mentors_digital"], result["n_mentors_traditional"]) >= min_mentors:
        mixed, mixed_note = _mixed_model(frame, confidence)
        result.update(mixed)
        if mixed_note:
            notes.append(mixed_note)
    else:
        notes.append(f"mixed model skipped: fewer than {min_mentors} mentors in a model")
    result.update(_power(len(digital), len(traditional), alpha))
    result["note"] = "; ".join(notes) or None
    return result


def compare_models(
    data: pd.DataFrame,
    *,
    min_per_group: int = 5,
    min_mentors: int = 5,
    alpha: float = 0.05,
    confidence: float = 0.95,
    pre_stage: str = "pre",
    post_stage: str = "post",
    p_adjust: str = "holm",
) -> pd.DataFrame:
    """Compare the digital and traditional models per area and overall.

    Parameters
    ----------
    data : pandas.DataFrame
        Assessments frame with ``code, area, stage, score_percent, model,
        mentor_code`` and optionally ``assessed_on``.
    min_per_group : int
        Minimum number of participants with both scores in each model for
        any test.
    min_mentors : int
        Minimum number of mentors in each model for the mixed model.
    alpha : float
        Significance level of the readings, the slopes check and the power.
    confidence : float
        Level of every confidence interval.
    pre_stage, post_stage : str
        Stage values of the two assessments.

    Returns
    -------
    pandas.DataFrame
        One row per area, then ``"overall"``. Columns (None where a value
        cannot be computed, with ``note`` saying why):

        - ``area``; ``n_digital``, ``n_traditional``: participants with both
          scores.
        - ``ancova_estimate``, ``ancova_ci_low``, ``ancova_ci_high``,
          ``ancova_p_value``, ``ancova_f``, ``ancova_df_resid``: adjusted
          difference digital minus traditional from OLS ``post ~ pre +
          model`` and its F test (type II sums of squares; with one df F is
          the square of the coefficient's t, as type III would give).
        - ``ancova_p_adjusted``: ``ancova_p_value`` adjusted across the
          areas by ``p_adjust_method`` (the ``p_adjust`` argument); equal to
          it for ``"overall"``, the primary result. The conclusion reads
          this value.
        - ``ancova_partial_eta2``: SS_model / (SS_model + SS_residual).
        - ``ancova_ss_type``: ``"II"``.
        - ``slopes_interaction_p``: p of ``pre:model`` in ``post ~ pre *
          model``; ``slopes_warning`` is True when it is below alpha.
        - ``mean_gain_digital``, ``mean_gain_traditional``: mean of post −
          pre.
        - ``welch_t``, ``welch_df``, ``welch_p_value``: Welch's t-test on
          the gains, digital minus traditional.
        - ``did_estimate``, ``did_ci_low``, ``did_ci_high``: difference in
          differences (mean gain digital − mean gain traditional) with the
          Welch interval.
        - ``mann_whitney_u``: U of the digital group (scipy convention);
          ``mann_whitney_p_value``; ``mann_whitney_method`` (``"exact"`` or
          ``"asymptotic"``).
        - ``rank_biserial``: 2 U / (n_digital n_traditional) − 1, positive
          when digital gains tend to be larger.
        - ``hedges_g_gain``, ``hedges_g_gain_ci_low``,
          ``hedges_g_gain_ci_high``: Hedges' g of the gains
          (:func:`analysis.effect_size.hedges_g`).
        - ``baseline_hedges_g``, ``baseline_equivalence``: Hedges' g of the
          pre scores and its WWC class (:func:`baseline_equivalence`).
        - ``n_mentors_digital``, ``n_mentors_traditional``.
        - ``cluster_se``, ``cluster_ci_low``, ``cluster_ci_high``,
          ``cluster_p_value``: the ANCOVA coefficient with CRV1 standard
          errors clustered by mentor.
        - ``mixed_estimate``, ``mixed_ci_low``, ``mixed_ci_high``,
          ``mixed_p_value``, ``icc``: MixedLM ``gain ~ model`` with a random
          intercept per mentor (REML); ICC = between-mentor variance / (that
          + residual variance).
        - ``power_small``, ``power_medium``: power of a two-sided two-sample
          t-test at d = 0.2 and 0.5 with the observed group sizes;
          ``mde_80``: the d detected with 80 % power.
        - ``attrition_digital``, ``attrition_traditional``: share of
          participants with a pre score but no post score;
          ``attrition_p_value``: Fisher's exact test of the difference.
        - ``note``: English notes on skipped or doubtful parts.
        - ``conclusion``: plain-Russian reading for a head teacher.

    Notes
    -----
    Pairs come from :func:`analysis.prepost.pair_scores` (by participant,
    latest repeated assessment). Participants without a model are left out.
    Cluster-robust errors use statsmodels' CRV1 with the small-sample factor
    G/(G−1)·(N−1)/(N−K) and t with G−1 df; a participant without a mentor
    code is a cluster alone. With few mentors (below about 20 to 40) these
    errors are known to be too small. The mixed model runs only with at
    least ``min_mentors`` mentors in each model. Power uses statsmodels
    ``TTestIndPower`` (pooled-variance t-test), an approximation for the
    Welch test. Checked against pingouin 0.7.0 (``ancova``, ``ttest``,
    ``mwu``), scipy and hand-written formulas in the tests on
    ``carData::Baumann``.
    """
    if p_adjust not in P_ADJUST_NAMES:
        raise ValueError(f"p_adjust must be one of {sorted(P_ADJUST_NAMES)}, got {p_adjust!r}")
    paired = pair_scores(data, pre_stage=pre_stage, post_stage=post_stage)
    dropout = attrition(data, pre_stage=pre_stage, post_stage=post_stage)
    areas = sorted(set(paired.pairs["area"]) - {OVERALL})
    if len(paired.pairs):
        areas.append(OVERALL)
    rows = []
    for area in areas:
        row = {"area": area}
        row.update(
            compare_two_groups(
                paired.pairs[paired.pairs["area"] == area],
                min_per_group=min_per_group,
                min_mentors=min_mentors,
                alpha=alpha,
                confidence=confidence,
            )
        )
        row.update(_attrition_columns(dropout, area))
        rows.append(row)
    _adjust_areas(rows, p_adjust)
    for row in rows:
        row["conclusion"] = conclusion(row, alpha=alpha, confidence=confidence)
    logger.info("model comparison computed for %d areas", len(rows))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS + EXTRA_COLUMNS)


def _adjust_areas(rows: list[dict], method: str) -> None:
    """Adjust the ANCOVA p-values across areas by `method`; overall stays unadjusted."""
    family = [row for row in rows if row["area"] != OVERALL and row["ancova_p_value"] is not None]
    if family:
        _, adjusted, _, _ = multipletests([row["ancova_p_value"] for row in family], method=method)
        for row, value in zip(family, adjusted, strict=True):
            row["ancova_p_adjusted"] = float(value)
    for row in rows:
        row["p_adjust_method"] = None if row["area"] == OVERALL else method
        if row["area"] == OVERALL:
            row["ancova_p_adjusted"] = row["ancova_p_value"]


def conclusion(row: dict, *, alpha: float = 0.05, confidence: float = 0.95) -> str:
    """Write the plain-Russian conclusion of one comparison row."""
    where = "В среднем по всем областям" if row["area"] == OVERALL else f"В области «{row['area']}»"
    if row["ancova_estimate"] is None:
        if row["n_digital"] == 0 or row["n_traditional"] == 0:
            return (
                f"{where} сравнить модели нельзя: нет участников одной из моделей "
                "с оценками и до, и после программы."
            )
        return (
            f"{where} участников мало (цифровая модель: {row['n_digital']}, "
            f"традиционная: {row['n_traditional']}): для сравнения моделей этого "
            "недостаточно, выводы делать нельзя."
        )

    confidence_percent = format_number(confidence * 100, 0)
    text = (
        f"{where} результат после программы у цифровой модели с поправкой на "
        f"исходный уровень {points_phrase(row['ancova_estimate'])}, чем у "
        f"традиционной ({confidence_percent}-процентный доверительный интервал"
        f"{'' if row['area'] == OVERALL else ' без поправки на число областей'}: "
        f"от {format_number(row['ancova_ci_low'])} до "
        f"{format_number(row['ancova_ci_high'])} п. п.; участников: "
        f"{row['n_digital']} и {row['n_traditional']})."
    )
    method = row.get("p_adjust_method") or "holm"
    adjustment = None if row["area"] == OVERALL else f"{P_ADJUST_NAMES[method]} по областям"
    p_value = row["ancova_p_adjusted"]
    if p_value is None:
        p_value, adjustment = row["ancova_p_value"], None
    text += f" Различие {significance_phrase(p_value, alpha, adjustment)}."
    if row["hedges_g_gain"] is not None:
        text += (
            f" По приросту за программу это {effect_phrase(row['hedges_g_gain'])} "
            "различие."
        )
    if p_value >= alpha and row["mde_80"] is not None:
        text += (
            f" При таком числе участников различие средней величины (d = 0,5) "
            f"обнаруживается лишь с вероятностью {format_number(row['power_medium'] * 100, 0)} %, "
            f"а надёжно (с вероятностью 80 %) — только различие от d = "
            f"{format_number(row['mde_80'], 2)}: отсутствие значимости не "
            "доказывает, что модели равны."
        )
    text += _cluster_sentence(row, alpha)
    text += _baseline_sentence(row["baseline_equivalence"], row["baseline_hedges_g"])
    if row["slopes_warning"]:
        text += (
            " Связь результата «после» с результатом «до» в моделях различается, "
            "поэтому поправка на исходный уровень приблизительна."
        )
    return f"{text} {COMPARISON_CAVEAT}"


def _cluster_sentence(row: dict, alpha: float) -> str:
    """Say how the result changes when mentees of one mentor are not treated as independent.

    Both p-values compared here are unadjusted for the number of areas, so the
    sentence never weighs a Holm-adjusted p against an unadjusted one.
    """
    cluster_p = row.get("cluster_p_value")
    if cluster_p is None:
        return ""
    plain_width = row["ancova_ci_high"] - row["ancova_ci_low"]
    cluster_width = row["cluster_ci_high"] - row["cluster_ci_low"]
    if cluster_width > plain_width * 1.01:
        width = "более широкий интервал"
    elif cluster_width < plain_width * 0.99:
        width = "более узкий интервал"
    else:
        width = "почти такой же интервал"
    unadjusted = "" if row["area"] == OVERALL else " без поправки на число областей"
    text = (
        " Наставляемые одного наставника могут быть похожи друг на друга, поэтому тот же "
        f"расчёт с поправкой на группировку по наставникам даёт {width}: от "
        f"{format_number(row['cluster_ci_low'])} до {format_number(row['cluster_ci_high'])} п. п. "
        f"({format_p_value(cluster_p)}{unadjusted})"
    )
    plain_p = row["ancova_p_value"]
    if plain_p is not None and plain_p < alpha <= cluster_p:
        text += f", и с этой поправкой различие{unadjusted} уже не является статистически значимым"
    elif plain_p is not None and cluster_p < alpha <= plain_p:
        text += f", и с этой поправкой различие{unadjusted} статистически значимо"
    text += "."
    icc = row.get("icc")
    if icc is not None:
        text += (
            f" Около {format_number(icc * 100, 0)} % разброса прироста приходится на "
            "различия между наставниками."
        )
    return text


def _baseline_sentence(category: str | None, g: float | None) -> str:
    if category == "satisfied":
        return " Исходный уровень групп практически одинаков."
    if category == "requires_adjustment":
        return (
            f" Исходный уровень групп немного различался (g = {format_number(g, 2)}), "
            "поэтому сравнение ведётся с поправкой на него."
        )
    if category == "not_satisfied":
        return (
            f" Исходный уровень групп заметно различался (g = {format_number(g, 2)}): "
            "даже с поправкой сравнение ненадёжно."
        )
    return ""
