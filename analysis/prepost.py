"""Change of competence scores from the pre to the post assessment.

The functions take the assessments frame of ``db.queries.assessments_frame``
(``code, area, stage, assessed_on, score_percent, model, mentor_code``) and
return tidy frames whose columns are the ``pre_post`` keys of the data
contract plus a few explanatory columns.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.effect_size import cohen_dz, hedges_g_av
from analysis.plain_language import (
    CHANGE_CAVEAT,
    effect_phrase,
    format_number,
    participants_phrase,
    significance_phrase,
)

__all__ = [
    "OVERALL",
    "PREPOST_COLUMNS",
    "PairedScores",
    "pair_scores",
    "paired_change",
    "prepost_change",
]

logger = logging.getLogger(__name__)

OVERALL = "overall"
ALL_MODELS = "all"
MODELS = ("digital", "traditional")

# Keys of the data contract's ``pre_post`` objects, in the contract's order.
PREPOST_COLUMNS = [
    "model",
    "area",
    "n",
    "n_excluded",
    "mean_pre",
    "mean_post",
    "mean_change",
    "ci_low",
    "ci_high",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "cohen_dz",
    "hedges_g_av",
    "shapiro_p",
]
EXTRA_COLUMNS = [
    "n_no_pre",
    "n_no_post",
    "n_no_common_area",
    "n_repeated",
    "test_reason",
    "wilcoxon_method",
    "wilcoxon_zero_method",
    "alternative_test",
    "alternative_statistic",
    "alternative_df",
    "alternative_p_value",
    "p_adjust_method",
    "note",
    "reading",
]

P_ADJUST_NAMES = {"holm": "поправка Холма", "fdr_bh": "поправка Бенджамини–Хохберга"}
ZERO_METHODS = ("wilcox", "pratt")
# scipy computes the exact null distribution of the signed-rank statistic
# up to this many non-zero differences by default.
WILCOXON_EXACT_MAX_N = 50

REQUIRED_COLUMNS = ("code", "area", "stage", "score_percent")


@dataclass(frozen=True)
class PairedScores:
    """Pre and post scores matched by participant.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per participant and area (and per participant for
        ``area == "overall"``): ``code, model, mentor_code, area, pre, post,
        change``.
    excluded : pandas.DataFrame
        Participants left out of an area: ``code, model, area, reason`` with
        reason ``"no_pre"``, ``"no_post"`` or, for ``"overall"`` only,
        ``"no_common_area"`` (pre and post exist but never in the same area).
    repeated : pandas.DataFrame
        Participant, area and stage combinations that had several rows, of
        which the latest by ``assessed_on`` was kept: ``code, model, area,
        stage, n_rows``.
    """

    pairs: pd.DataFrame
    excluded: pd.DataFrame
    repeated: pd.DataFrame


def _check_columns(data: pd.DataFrame, required: tuple[str, ...]) -> None:
    missing = [column for column in required if column not in data.columns]
    if missing:
        raise ValueError(
            f"assessments frame is missing columns {missing}; "
            f"got {list(data.columns)}."
        )


def _latest_per_stage(
    data: pd.DataFrame, pre_stage: str, post_stage: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the latest row per code, area and stage; list the repeated ones."""
    frame = data[data["stage"].isin([pre_stage, post_stage])].copy()
    frame = frame[frame["score_percent"].notna()]
    for column in ("model", "mentor_code"):
        if column not in frame.columns:
            frame[column] = pd.NA
    keys = ["code", "area", "stage"]
    counts = frame.groupby(keys, sort=False).size().rename("n_rows").reset_index()
    repeated = counts[counts["n_rows"] > 1]
    if "assessed_on" in frame.columns:
        # A stable sort keeps the input order among rows of the same date.
        frame = frame.sort_values("assessed_on", kind="mergesort")
    latest = frame.drop_duplicates(keys, keep="last")
    models = latest.drop_duplicates("code", keep="last").set_index("code")["model"]
    repeated = repeated.assign(model=repeated["code"].map(models))
    repeated = repeated[["code", "model", "area", "stage", "n_rows"]]
    if len(repeated):
        logger.info(
            "%d participant/area/stage combinations have repeated assessments; "
            "the latest by assessed_on is used",
            len(repeated),
        )
    return latest, repeated.reset_index(drop=True)


def pair_scores(
    data: pd.DataFrame, *, pre_stage: str = "pre", post_stage: str = "post"
) -> PairedScores:
    """Match pre and post scores by participant code and area.

    Parameters
    ----------
    data : pandas.DataFrame
        Assessments frame with at least ``code, area, stage, score_percent``;
        ``assessed_on``, ``model`` and ``mentor_code`` are used when present.
    pre_stage, post_stage : str
        Stage values of the two assessments.

    Returns
    -------
    PairedScores
        Pairs, exclusions and repeated assessments (see the class).

    Notes
    -----
    Rows are paired by ``code`` and ``area``, never by position, so the
    order of the input does not matter. When a participant has several rows
    for one area and stage, the latest ``assessed_on`` is kept (the last
    input row among equal dates). Rows without ``score_percent`` are
    ignored. The ``"overall"`` score of a participant is the mean over the
    areas assessed at both stages, so two participants' overall scores can
    cover different areas. ``model`` and ``mentor_code`` are taken from the
    participant's latest row. The input is not changed.
    """
    _check_columns(data, REQUIRED_COLUMNS)
    latest, repeated = _latest_per_stage(data, pre_stage, post_stage)
    info = latest.drop_duplicates("code", keep="last").set_index("code")[
        ["model", "mentor_code"]
    ]
    wide = latest.pivot(index=["code", "area"], columns="stage", values="score_percent")
    wide = wide.reindex(columns=[pre_stage, post_stage])
    wide.columns = ["pre", "post"]
    wide = wide.reset_index()
    wide = wide.join(info, on="code")

    has_both = wide["pre"].notna() & wide["post"].notna()
    area_pairs = wide[has_both].copy()
    area_excluded = wide[~has_both].copy()
    area_excluded["reason"] = np.where(area_excluded["pre"].isna(), "no_pre", "no_post")

    overall = (
        area_pairs.groupby("code", sort=True)[["pre", "post"]].mean().reset_index()
    )
    overall = overall.join(info, on="code")
    overall["area"] = OVERALL
    overall_excluded = _overall_exclusions(wide, set(overall["code"]))
    overall_excluded = overall_excluded.join(info, on="code")

    pairs = pd.concat([area_pairs, overall], ignore_index=True)
    pairs["change"] = pairs["post"] - pairs["pre"]
    pairs = pairs[["code", "model", "mentor_code", "area", "pre", "post", "change"]]
    excluded = pd.concat([area_excluded, overall_excluded], ignore_index=True)
    excluded = excluded[["code", "model", "area", "reason"]]
    return PairedScores(pairs.reset_index(drop=True), excluded, repeated)


def _overall_exclusions(wide: pd.DataFrame, paired_codes: set) -> pd.DataFrame:
    """Give each participant without any paired area the reason for it."""
    rows = []
    for code, group in wide.groupby("code", sort=True):
        if code in paired_codes:
            continue
        has_pre = group["pre"].notna().any()
        has_post = group["post"].notna().any()
        if has_pre and has_post:
            reason = "no_common_area"
        elif has_pre:
            reason = "no_post"
        else:
            reason = "no_pre"
        rows.append({"code": code, "area": OVERALL, "reason": reason})
    return pd.DataFrame(rows, columns=["code", "area", "reason"])


def _paired_t(diff: np.ndarray) -> dict:
    """Paired t-test on the differences, computed from its formula."""
    n = diff.size
    mean = diff.mean()
    se = diff.std(ddof=1) / math.sqrt(n)
    df = n - 1
    t_value = mean / se
    p_value = 2.0 * stats.t.sf(abs(t_value), df)
    return {"statistic": float(t_value), "df": float(df), "p_value": float(p_value)}


def _mean_ci(diff: np.ndarray, confidence: float) -> tuple[float, float]:
    n = diff.size
    se = diff.std(ddof=1) / math.sqrt(n)
    t_crit = stats.t.ppf(0.5 + confidence / 2.0, n - 1)
    mean = diff.mean()
    return float(mean - t_crit * se), float(mean + t_crit * se)


def _wilcoxon(diff: np.ndarray, zero_method: str) -> dict:
    """Wilcoxon signed-rank test with the method chosen as documented."""
    nonzero = diff[diff != 0]
    has_zeros = nonzero.size < diff.size
    has_ties = np.unique(np.abs(nonzero)).size < nonzero.size
    if nonzero.size <= WILCOXON_EXACT_MAX_N and not has_zeros and not has_ties:
        method = "exact"
        result = stats.wilcoxon(diff, zero_method=zero_method, method="exact")
    else:
        method = "normal_approx"
        result = stats.wilcoxon(
            diff, zero_method=zero_method, correction=True, method="asymptotic"
        )
    return {
        "statistic": float(result.statistic),
        "df": None,
        "p_value": float(result.pvalue),
        "method": method,
    }


def paired_change(
    pre: np.ndarray,
    post: np.ndarray,
    *,
    min_pairs: int = 5,
    alpha: float = 0.05,
    confidence: float = 0.95,
    zero_method: str = "wilcox",
) -> dict:
    """Test the change from pre to post in one group of paired scores.

    Parameters
    ----------
    pre, post : array-like
        Scores of the same participants in the same order, no missing values.
    min_pairs : int
        Minimum number of pairs for a test; at least 3, because Shapiro–Wilk
        needs 3.
    alpha : float
        Level of the Shapiro–Wilk test that chooses between the two tests.
    confidence : float
        Level of the interval of the mean change.
    zero_method : {"wilcox", "pratt"}
        Handling of zero differences by the Wilcoxon test.

    Returns
    -------
    dict
        Keys ``n, mean_pre, mean_post, mean_change, ci_low, ci_high, test,
        statistic, df, p_value, cohen_dz, hedges_g_av, shapiro_p,
        test_reason, wilcoxon_method, wilcoxon_zero_method,
        alternative_test, alternative_statistic, alternative_df,
        alternative_p_value, note``; a value that cannot be computed is None
        and ``note`` (English, for logs; the Russian reading is built by
        :func:`prepost_change`) says why.

    Notes
    -----
    Differences are ``post - pre``. The mean change has the t interval
    ``mean -/+ t(1 - (1 - confidence) / 2, n - 1) sd / sqrt(n)``. When
    Shapiro–Wilk on the differences gives p < alpha the primary test is the
    Wilcoxon signed-rank test, otherwise the paired t-test; the other one is
    reported as the alternative. The Wilcoxon p-value is exact when at most
    50 differences are non-zero and there are no zeros or tied absolute
    differences (scipy's own threshold), otherwise it is the normal
    approximation with tie correction and continuity correction (as R's
    ``wilcox.test``). With ``zero_method="wilcox"`` zero differences are
    dropped before ranking (R's rule); ``"pratt"`` ranks them and then
    drops their ranks. The Wilcoxon statistic is scipy's two-sided one,
    ``min(W+, W-)``. No test is run when fewer than ``min_pairs`` pairs
    exist ("too few pairs") or all differences are zero ("no change"); when
    all differences are equal but non-zero the t-test is undefined and the
    Wilcoxon test is used. Checked against R's documented ``t.test`` and
    ``wilcox.test`` output for ``datasets::sleep`` and against pingouin
    0.7.0.
    """
    if min_pairs < 3:
        raise ValueError(f"min_pairs must be at least 3, got {min_pairs}.")
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {ZERO_METHODS}, got {zero_method!r}.")
    x = np.asarray(pre, dtype=float)
    y = np.asarray(post, dtype=float)
    diff = y - x
    n = diff.size
    result = {
        "n": int(n),
        "mean_pre": float(x.mean()) if n else None,
        "mean_post": float(y.mean()) if n else None,
        "mean_change": float(diff.mean()) if n else None,
        "ci_low": None,
        "ci_high": None,
        "test": None,
        "statistic": None,
        "df": None,
        "p_value": None,
        "cohen_dz": None,
        "hedges_g_av": None,
        "shapiro_p": None,
        "test_reason": None,
        "wilcoxon_method": None,
        "wilcoxon_zero_method": zero_method,
        "alternative_test": None,
        "alternative_statistic": None,
        "alternative_df": None,
        "alternative_p_value": None,
        "note": None,
    }
    if n < min_pairs:
        result["note"] = "too few pairs"
        result["test_reason"] = f"fewer than {min_pairs} pairs"
        return result
    if np.all(diff == 0):
        result["note"] = "no change"
        result["test_reason"] = "all differences are zero"
        return result

    g_av = hedges_g_av(x, y)
    result["hedges_g_av"] = None if math.isnan(g_av) else g_av
    wilcoxon = _wilcoxon(diff, zero_method)
    if diff.std(ddof=1) == 0:
        result.update(
            test="wilcoxon",
            statistic=wilcoxon["statistic"],
            p_value=wilcoxon["p_value"],
            wilcoxon_method=wilcoxon["method"],
            test_reason="all differences are equal, so the t-test is undefined",
            note="equal differences: no t-test, no interval, no d_z",
        )
        return result

    result["ci_low"], result["ci_high"] = _mean_ci(diff, confidence)
    result["cohen_dz"] = cohen_dz(diff)
    result["shapiro_p"] = float(stats.shapiro(diff).pvalue)
    t_test = _paired_t(diff)
    if result["shapiro_p"] < alpha:
        primary, other = ("wilcoxon", wilcoxon), ("paired_t", t_test)
        result["test_reason"] = f"Shapiro-Wilk p < {alpha}: differences not normal"
    else:
        primary, other = ("paired_t", t_test), ("wilcoxon", wilcoxon)
        result["test_reason"] = f"Shapiro-Wilk p >= {alpha}: normality not rejected"
    result.update(
        test=primary[0],
        statistic=primary[1]["statistic"],
        df=primary[1]["df"],
        p_value=primary[1]["p_value"],
        alternative_test=other[0],
        alternative_statistic=other[1]["statistic"],
        alternative_df=other[1]["df"],
        alternative_p_value=other[1]["p_value"],
        wilcoxon_method=wilcoxon["method"],
    )
    return result


def _exclusion_counts(excluded: pd.DataFrame) -> dict:
    counts = excluded["reason"].value_counts()
    return {
        "n_no_pre": int(counts.get("no_pre", 0)),
        "n_no_post": int(counts.get("no_post", 0)),
        "n_no_common_area": int(counts.get("no_common_area", 0)),
    }


def _model_subsets(frame: pd.DataFrame, models: list[str]) -> dict[str, pd.DataFrame]:
    subsets = {model: frame[frame["model"] == model] for model in models}
    # "all" pools the mentored participants of every model. Mentors and teachers
    # outside groups start near the top of the scale, so mixing them in would make
    # the pooled "pre" mean higher than either model's and blur the change.
    if "model" in frame.columns and frame["model"].notna().any():
        subsets[ALL_MODELS] = frame[frame["model"].notna()]
    else:
        subsets[ALL_MODELS] = frame
    return subsets


def prepost_change(
    data: pd.DataFrame,
    *,
    min_pairs: int = 5,
    alpha: float = 0.05,
    confidence: float = 0.95,
    p_adjust: str = "holm",
    zero_method: str = "wilcox",
    pre_stage: str = "pre",
    post_stage: str = "post",
) -> pd.DataFrame:
    """Summarize the pre/post change per model and competence area.

    Parameters
    ----------
    data : pandas.DataFrame
        Assessments frame (``code, area, stage, score_percent`` and
        optionally ``assessed_on, model, mentor_code``).
    min_pairs : int
        Minimum number of pairs for a test (see :func:`paired_change`).
    alpha : float
        Level of the Shapiro–Wilk choice and of the readings.
    confidence : float
        Level of the interval of the mean change.
    p_adjust : {"holm", "fdr_bh"}
        Multiple-comparison adjustment across areas within each model.
    zero_method : {"wilcox", "pratt"}
        Handling of zero differences by the Wilcoxon test.
    pre_stage, post_stage : str
        Stage values of the two assessments.

    Returns
    -------
    pandas.DataFrame
        One row per model (``"digital"``, ``"traditional"`` when present in
        the data, and ``"all"``, which pools the participants of every
        model; only when no row has a model does it count everyone) and area (each area, then ``"overall"``). Columns:

        - ``model``, ``area``
        - ``n``: participants with both scores.
        - ``n_excluded``: participants with only one of them (or, for
          overall, with no area assessed at both stages), split into
          ``n_no_pre``, ``n_no_post`` and ``n_no_common_area``.
        - ``n_repeated``: participant/stage combinations in this area with
          several assessments, of which the latest was used.
        - ``mean_pre``, ``mean_post``, ``mean_change``: means of the
          percentage scores and of ``post - pre``.
        - ``ci_low``, ``ci_high``: t interval of ``mean_change``.
        - ``test``: ``"paired_t"``, ``"wilcoxon"`` or None.
        - ``statistic``, ``df``, ``p_value``: of that test (``df`` is None
          for Wilcoxon).
        - ``p_adjusted``: ``p_value`` adjusted across the areas of the model
          by ``p_adjust``; equal to ``p_value`` for ``"overall"``.
        - ``cohen_dz``, ``hedges_g_av``: effect sizes of the change.
        - ``shapiro_p``: Shapiro–Wilk p-value of the differences.
        - ``test_reason``: why this test (or none) was chosen.
        - ``wilcoxon_method``: ``"exact"`` or ``"normal_approx"``;
          ``wilcoxon_zero_method``: the zero handling.
        - ``alternative_test``, ``alternative_statistic``,
          ``alternative_df``, ``alternative_p_value``: the other test.
        - ``p_adjust_method``: the adjustment name.
        - ``note``: why values are None (``"too few pairs"``, ``"no
          change"``, ...), else None.
        - ``reading``: plain-Russian reading of the row.

    Notes
    -----
    See :func:`pair_scores` for the pairing and :func:`paired_change` for
    the tests. The adjustment family of a model is its areas with a p-value
    (statsmodels ``multipletests``); ``"overall"`` is a summary of those
    same areas, reported as the primary result without adjustment. A single
    group's result is a change over time, never an effect of the programme:
    the reading says so. Areas of every model are listed even when a model
    has no pairs in an area, with ``n = 0``.
    """
    if p_adjust not in P_ADJUST_NAMES:
        raise ValueError(
            f"p_adjust must be one of {list(P_ADJUST_NAMES)}, got {p_adjust!r}."
        )
    paired = pair_scores(data, pre_stage=pre_stage, post_stage=post_stage)
    areas = set(paired.pairs["area"]) | set(paired.excluded["area"])
    areas = sorted(areas - {OVERALL})
    areas.append(OVERALL)
    models = [
        model
        for model in MODELS
        if (paired.pairs["model"] == model).any()
        or (paired.excluded["model"] == model).any()
    ]
    pairs_by_model = _model_subsets(paired.pairs, models)
    excluded_by_model = _model_subsets(paired.excluded, models)
    repeated_by_model = _model_subsets(paired.repeated, models)

    rows = []
    for model in [*models, ALL_MODELS]:
        model_rows = []
        for area in areas:
            pairs = pairs_by_model[model]
            pairs = pairs[pairs["area"] == area]
            excluded = excluded_by_model[model]
            excluded = excluded[excluded["area"] == area]
            repeated = repeated_by_model[model]
            if area != OVERALL:
                repeated = repeated[repeated["area"] == area]
            row = {"model": model, "area": area}
            row.update(
                paired_change(
                    pairs["pre"].to_numpy(),
                    pairs["post"].to_numpy(),
                    min_pairs=min_pairs,
                    alpha=alpha,
                    confidence=confidence,
                    zero_method=zero_method,
                )
            )
            row.update(_exclusion_counts(excluded))
            row["n_excluded"] = (
                row["n_no_pre"] + row["n_no_post"] + row["n_no_common_area"]
            )
            row["n_repeated"] = int(len(repeated))
            model_rows.append(row)
        _adjust(model_rows, p_adjust)
        rows.extend(model_rows)

    for row in rows:
        row["p_adjust_method"] = p_adjust
        row["reading"] = _reading(row, alpha, confidence, P_ADJUST_NAMES[p_adjust])
    logger.info("pre/post change computed for %d model/area rows", len(rows))
    return pd.DataFrame(rows, columns=PREPOST_COLUMNS + EXTRA_COLUMNS)


def _adjust(rows: list[dict], method: str) -> None:
    """Fill p_adjusted across the areas of one model."""
    family = [row for row in rows if row["area"] != OVERALL and row["p_value"] is not None]
    if family:
        _, adjusted, _, _ = multipletests([row["p_value"] for row in family], method=method)
        for row, value in zip(family, adjusted, strict=True):
            row["p_adjusted"] = float(value)
    for row in rows:
        if row["area"] == OVERALL:
            row["p_adjusted"] = row["p_value"]


MODEL_NAMES = {
    "digital": "цифровой модели",
    "traditional": "традиционной модели",
    "all": "всех участников",
}


def _reading(row: dict, alpha: float, confidence: float, adjustment: str) -> str:
    """Plain-Russian reading of one pre/post row."""
    confidence_percent = format_number(confidence * 100, 0)
    area = "в среднем по всем областям" if row["area"] == OVERALL else f"в области «{row['area']}»"
    who = MODEL_NAMES.get(row["model"], row["model"])
    n = row["n"]

    if n == 0:
        return f"У {who} {area} нет участников с оценками и до, и после программы."
    if row["note"] == "too few pairs":
        return (
            f"У {who} {area} участников с оценками и до, и после программы "
            f"всего {n}: этого мало для статистических выводов, средние "
            "значения показаны только для сведения."
        )
    if row["note"] == "no change":
        return (
            f"У {who} {area} результаты до и после программы "
            f"совпадают у всех ({participants_phrase(n)}): изменений нет."
        )
    change = row["mean_change"]
    if change > 0:
        direction = "вырос"
    elif change < 0:
        direction = "снизился"
    else:
        direction = "не изменился"

    text = (
        f"У {who} {area} средний результат {direction}: с "
        f"{format_number(row['mean_pre'])} % до {format_number(row['mean_post'])} % "
        f"({participants_phrase(n)})."
    )
    if row["ci_low"] is not None:
        text += (
            f" С учётом случайного разброса среднее изменение оценивается "
            f"в пределах от {format_number(row['ci_low'])} до "
            f"{format_number(row['ci_high'])} п. п. ({confidence_percent}-процентный "
            "доверительный интервал)."
        )
    p_adjusted = row["p_adjusted"]
    used = adjustment if row["area"] != OVERALL else None
    text += f" Изменение {significance_phrase(p_adjusted, alpha, used)}."
    if row["cohen_dz"] is not None:
        text += f" По величине это {effect_phrase(row['cohen_dz'], 'd_z')} изменение."
    return f"{text}{_data_sentence(row)} {CHANGE_CAVEAT}"


def _data_sentence(row: dict) -> str:
    """Say who was left out and where a repeated assessment was replaced."""
    text = ""
    if row["n_excluded"]:
        text += (
            f" Не вошли в расчёт: {row['n_excluded']} (нет оценки «до» — {row['n_no_pre']}, "
            f"нет оценки «после» — {row['n_no_post']}"
        )
        if row["n_no_common_area"]:
            text += f", оценки «до» и «после» в разных областях — {row['n_no_common_area']}"
        text += ")."
    if row["n_repeated"]:
        text += (
            f" Повторные оценки одной области на одном этапе ({row['n_repeated']}): "
            "учтена последняя по дате."
        )
    return text
