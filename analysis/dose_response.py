"""Dose-response: does a larger mentoring dose go with a larger gain?

The gain is the participant's ``"overall"`` post − pre change from
:func:`analysis.prepost.pair_scores`; the dose is the number of meetings and
the hours of activities from ``db.queries.activities_frame``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.plain_language import correlation_phrase, format_number, significance_phrase
from analysis.prepost import OVERALL, pair_scores

__all__ = ["DOSE_COLUMNS", "participant_doses", "spearman_ci", "dose_response"]

logger = logging.getLogger(__name__)

DOSE_COLUMNS = [
    "model",
    "dose",
    "n",
    "rho",
    "ci_low",
    "ci_high",
    "p_value",
    "ci_method",
    "note",
    "reading",
]
CI_METHOD = "fisher_z_bonett_wright"
DOSE_NAMES = {"meetings": "числом встреч", "hours": "числом часов занятий"}
MODEL_NAMES = {"digital": "цифровой модели", "traditional": "традиционной модели", "all": "всех участников"}


def spearman_ci(rho: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval of Spearman's rho by Fisher's z.

    Parameters
    ----------
    rho : float
        Spearman's correlation, strictly between -1 and 1.
    n : int
        Number of pairs, at least 4.
    confidence : float
        Level of the two-sided interval.

    Returns
    -------
    tuple of float
        ``(ci_low, ci_high)``.

    Notes
    -----
    ``tanh(atanh(rho) -/+ z sqrt((1 + rho**2 / 2) / (n - 3)))`` with the
    standard normal quantile z: the Bonett and Wright (2000) standard error,
    which widens the Pearson formula ``1 / sqrt(n - 3)`` for ranks.
    """
    if n < 4:
        raise ValueError(f"the interval needs n >= 4 pairs, got {n}.")
    if not -1 < rho < 1:
        raise ValueError(f"rho must be strictly between -1 and 1, got {rho}.")
    z = math.atanh(rho)
    se = math.sqrt((1 + rho**2 / 2) / (n - 3))
    crit = stats.norm.ppf(0.5 + confidence / 2)
    return math.tanh(z - crit * se), math.tanh(z + crit * se)


def _without_meetings_logged_by_mentees(by_mentor: pd.DataFrame, activities: pd.DataFrame,
                                        links: pd.DataFrame) -> pd.DataFrame:
    """Drop the mentor's rows for meetings that the group's mentees logged themselves.

    A log with a row per person present records attendance, so a mentee gets
    such a meeting from their own row, and a mentee without a row was absent.
    The activities table has no meeting id, so a meeting is matched by group,
    day and kind. Two meetings of one group of the same kind on the same day
    are therefore taken as one.
    """
    keys = ["group_code", "occurred_on", "kind"]
    # Every member's row counts, also of mentees who are not measured here.
    mentors = set(links["mentor_code"].dropna())
    member_rows = activities[~activities["code"].isin(mentors)]
    logged = member_rows[keys].dropna(subset=["group_code"]).drop_duplicates()
    marked = by_mentor.merge(logged.assign(_logged=True), on=keys, how="left")
    return marked[marked["_logged"].isna()].drop(columns="_logged")


def participant_doses(pairs: pd.DataFrame, activities: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Count meetings and sum hours per participant.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Participants to measure: ``code`` and optionally ``mentor_code``.
    activities : pandas.DataFrame
        Activities frame: ``code, kind, hours`` and optionally
        ``group_code`` and ``occurred_on``.
    groups : pandas.DataFrame, optional
        ``code, group_code`` of each participant's group; with it, rows that
        the group's mentor logged for that group count for the mentee too,
        unless the group's mentees logged that meeting (same group, day and
        kind) themselves: then each mentee counts it from their own row only,
        so it is neither counted twice nor credited to an absent mentee. This
        check needs ``occurred_on`` in ``activities``.

    Returns
    -------
    pandas.DataFrame
        ``code, meetings, hours, n_missing_hours``: the number of rows of
        kind ``"meeting"``, the sum of ``hours`` over all rows (missing hours
        skipped) and the number of rows without hours. Participants without
        activities get 0.
    """
    own = activities[["code", "kind", "hours"]].copy()
    own["participant"] = own["code"]
    parts = [own]
    if groups is not None and "group_code" in activities.columns and "mentor_code" in pairs.columns:
        links = groups[["code", "group_code"]].dropna().drop_duplicates()
        links = links.merge(pairs[["code", "mentor_code"]].drop_duplicates("code"), on="code")
        by_mentor = activities.merge(
            links.rename(columns={"code": "participant", "mentor_code": "code"}),
            on=["code", "group_code"],
        )
        if "occurred_on" in activities.columns:
            by_mentor = _without_meetings_logged_by_mentees(by_mentor, activities, links)
        parts.append(by_mentor[["code", "kind", "hours", "participant"]])
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["participant"].isin(pairs["code"])]
    summary = rows.groupby("participant").agg(
        meetings=("kind", lambda kinds: int((kinds == "meeting").sum())),
        hours=("hours", "sum"),
        n_missing_hours=("hours", lambda hours: int(hours.isna().sum())),
    )
    codes = pd.Index(pairs["code"].drop_duplicates(), name="participant")
    summary = summary.reindex(codes, fill_value=0).reset_index()
    return summary.rename(columns={"participant": "code"})


def _spearman_row(gain: np.ndarray, dose: np.ndarray, min_pairs: int, confidence: float) -> dict:
    n = int(gain.size)
    row = {"n": n, "rho": None, "ci_low": None, "ci_high": None, "p_value": None, "note": None}
    if n < min_pairs:
        row["note"] = "too few pairs"
        return row
    if np.unique(dose).size < 2 or np.unique(gain).size < 2:
        row["note"] = "no variation in dose or gain"
        return row
    result = stats.spearmanr(gain, dose)
    rho = float(result.statistic)
    row["rho"] = rho
    row["p_value"] = float(result.pvalue)
    if abs(rho) < 1:
        row["ci_low"], row["ci_high"] = spearman_ci(rho, n, confidence)
    else:
        row["note"] = "perfect rank correlation: no interval"
    return row


def dose_response(
    assessments: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    min_pairs: int = 5,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Correlate the overall gain with the mentoring dose, per model.

    Parameters
    ----------
    assessments : pandas.DataFrame
        Assessments frame (see :func:`analysis.prepost.pair_scores`); its
        ``group_code`` column, when present, links mentees to the rows
        their mentor logged for the group.
    activities : pandas.DataFrame
        Activities frame with ``code, kind, hours`` and optionally
        ``group_code`` and ``occurred_on`` (see :func:`participant_doses`).
    min_pairs : int
        Minimum number of participants for a correlation; at least 4.
    alpha : float
        Significance level of the reading.
    confidence : float
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per model (``"digital"``, ``"traditional"``, ``"all"``) and
        dose (``"meetings"``, ``"hours"``): ``model, dose, n, rho, ci_low,
        ci_high, p_value, ci_method, note, reading``. ``rho`` is Spearman's
        correlation of the overall gain with the dose, ``p_value`` its
        two-sided p (scipy's t approximation), ``ci_method`` names the
        interval (:func:`spearman_ci`), ``note`` says why a value is None
        and ``reading`` is the plain-Russian reading.

    Notes
    -----
    Participants without any activity count with dose 0. A correlation
    across participants does not show that more meetings cause a larger
    gain: more motivated teachers may both meet more and gain more.
    The p-value (t approximation) and the interval (normal approximation on
    Fisher's z) come from different approximations, so near alpha the
    interval can include 0 while p < alpha. Checked against pingouin 0.7.0
    ``corr(method="spearman")`` and a hand-written interval formula.
    """
    if min_pairs < 4:
        raise ValueError(f"min_pairs must be at least 4, got {min_pairs}.")
    paired = pair_scores(assessments)
    overall = paired.pairs[paired.pairs["area"] == OVERALL]
    groups = None
    if "group_code" in assessments.columns:
        groups = assessments[["code", "group_code"]]
    doses = participant_doses(overall, activities, groups)
    merged = overall.merge(doses, on="code")
    rows = []
    for model in ("digital", "traditional", "all"):
        if model == "all":
            # Pool the mentored participants only, as the pre/post "all" row does.
            has_model = merged["model"].notna()
            subset = merged[has_model] if has_model.any() else merged
        else:
            subset = merged[merged["model"] == model]
        for dose in ("meetings", "hours"):
            row = {"model": model, "dose": dose, "ci_method": CI_METHOD}
            row.update(
                _spearman_row(
                    subset["change"].to_numpy(dtype=float),
                    subset[dose].to_numpy(dtype=float),
                    min_pairs,
                    confidence,
                )
            )
            row["reading"] = _reading(row, alpha, confidence)
            rows.append(row)
    logger.info("dose-response computed for %d participants", len(merged))
    return pd.DataFrame(rows, columns=DOSE_COLUMNS)


def _reading(row: dict, alpha: float, confidence: float) -> str:
    who = MODEL_NAMES[row["model"]]
    dose = DOSE_NAMES[row["dose"]]
    if row["note"] == "too few pairs":
        return (
            f"У {who} участников с оценками до и после всего {row['n']}: "
            "для оценки связи прироста с " + dose + " этого мало."
        )
    if row["rho"] is None:
        return f"У {who} связь прироста с {dose} оценить нельзя: значения не различаются."
    text = (
        f"У {who} ({row['n']} чел.) между приростом результата и {dose} — "
        f"{correlation_phrase(row['rho'])}; "
        f"связь {significance_phrase(row['p_value'], alpha, subject='связь')}."
    )
    if row["ci_low"] is not None:
        text += (
            f" {format_number(confidence * 100, 0)}-процентный доверительный интервал ρ: "
            f"от {format_number(row['ci_low'], 2)} "
            f"до {format_number(row['ci_high'], 2)}."
        )
    return (
        text + " Связь не доказывает, что встречи вызывают рост: более мотивированные "
        "педагоги могут и чаще встречаться, и сильнее расти."
    )
