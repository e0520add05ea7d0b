"""Mentor rating: four standardised components, empirical-Bayes shrinkage, ranks.

The rating combines, per mentor, the competence gain of their mentees, the
mentees' satisfaction with the programme, the activity in the mentor's groups
and the products (materials, digital resources, contests, open lessons,
projects, personal sites) of the mentor and their mentees.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from analysis.plain_language import plural

logger = logging.getLogger(__name__)

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PRODUCT_KINDS",
    "explain_rating",
    "mentee_gains",
    "mentor_components",
    "mentor_rating",
    "normalise_weights",
    "shrink_means",
]

COMPONENTS = ("gain", "satisfaction", "activity", "products")

# Competence gain is the programme's aim and the most direct evidence of a
# mentor's effect, so it weighs most. Satisfaction is the second outcome that
# the school's plan reports on. Activity and products describe the process and
# grow with the number of logged rows, so together they weigh 0.3.
DEFAULT_WEIGHTS = {"gain": 0.4, "satisfaction": 0.3, "activity": 0.15, "products": 0.15}

PRODUCT_KINDS = (
    "material", "digital_resource", "contest", "open_lesson", "project", "personal_site",
)

COMPONENT_LABELS = {
    "gain": "Прирост компетенций наставляемых",
    "satisfaction": "Удовлетворённость наставляемых",
    "activity": "Активность в группах",
    "products": "Продукты наставника и наставляемых",
}

FLAG_TOO_FEW_MENTEES = "too_few_mentees"
FLAG_TOO_FEW_RATINGS = "too_few_ratings"

RATING_COLUMNS = [
    "mentor_code", "score", "ci_low", "ci_high", "rank", "rank_low", "rank_high",
    "n_mentees", "n_ratings", "flag",
    "gain", "gain_n", "gain_shrunk", "z_gain",
    "satisfaction", "satisfaction_shrunk", "z_satisfaction",
    "n_meetings", "hours", "z_activity",
    "n_products", "z_products",
]


def mentee_gains(assessments: pd.DataFrame) -> pd.Series:
    """Compute each participant's overall gain from the pre to the post stage.

    Parameters
    ----------
    assessments : pandas.DataFrame
        The assessments frame (``code``, ``area``, ``stage``,
        ``assessed_on``, ``score_percent``).

    Returns
    -------
    pandas.Series
        Indexed by ``code``: overall post minus overall pre, in percentage
        points; only participants with at least one area assessed at both
        stages.

    Notes
    -----
    "Overall" is the participant's mean ``score_percent`` over the areas
    assessed at both stages. With several records for one area and stage,
    the latest by ``assessed_on`` counts.
    """
    selected = assessments[assessments["stage"].isin(["pre", "post"])]
    selected = selected.dropna(subset=["score_percent"])
    selected = selected.sort_values("assessed_on").drop_duplicates(
        subset=["code", "area", "stage"], keep="last"
    )
    wide = selected.pivot(index=["code", "area"], columns="stage", values="score_percent")
    wide = wide.reindex(columns=["pre", "post"]).dropna()
    overall = wide.groupby(level="code").mean()
    return (overall["post"] - overall["pre"]).rename("gain")


def shrink_means(
    values: np.ndarray, owners: np.ndarray, n_owners: int
) -> dict[str, np.ndarray | float]:
    """Shrink per-owner means toward the grand mean (normal-normal empirical Bayes).

    Parameters
    ----------
    values : numpy.ndarray
        Observations, one per mentee (no NaN).
    owners : numpy.ndarray
        Integer owner (mentor) index of each observation, ``0 <= i < n_owners``.
    n_owners : int
        Number of owners, including those without observations.

    Returns
    -------
    dict
        ``n`` (observations per owner), ``mean`` (raw mean, NaN without
        observations), ``shrunk`` (posterior mean), ``posterior_sd``, and the
        scalars ``grand_mean``, ``within_variance`` (sigma^2) and
        ``between_variance`` (tau^2).

    Notes
    -----
    Model: an owner's true mean ``theta_m ~ N(mu, tau^2)`` and each
    observation ``y_mj ~ N(theta_m, sigma^2)``. ``mu`` is the mean of all
    observations, ``sigma^2`` the pooled within-owner variance
    ``sum (y_mj - mean_m)^2 / (N - M)`` over the ``M`` owners with data, and
    ``tau^2 = max(0, (MS_between - sigma^2) / n_0)`` is the one-way ANOVA
    (method of moments) estimate with ``MS_between = sum n_m (mean_m - mu)^2
    / (M - 1)`` and ``n_0 = (N - sum n_m^2 / N) / (M - 1)``. The posterior mean is ``mu + B_m (mean_m - mu)`` with
    ``B_m = tau^2 / (tau^2 + sigma^2 / n_m)`` and the posterior variance
    ``B_m sigma^2 / n_m``; an owner without observations gets ``mu`` and the
    prior variance ``tau^2``. The plug-in estimates of ``mu``, ``sigma^2``
    and ``tau^2`` are treated as known, so the intervals are somewhat too
    narrow when there are few mentors. When ``sigma^2`` cannot be estimated
    (no owner has two observations) the raw means are returned unshrunk with
    zero posterior spread.
    """
    counts = np.bincount(owners, minlength=n_owners).astype(float)
    sums = np.bincount(owners, weights=values, minlength=n_owners)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    has_data = counts > 0
    grand_mean = float(values.mean()) if values.size else math.nan

    residual = values - means[owners]
    n_with_data = int(has_data.sum())
    dof = values.size - n_with_data
    result: dict[str, np.ndarray | float] = {"n": counts, "mean": means,
                                             "grand_mean": grand_mean}
    if dof <= 0 or n_with_data < 2:
        logger.info(
            "shrinkage skipped: %d observations for %d owners leave no within-owner "
            "variance", values.size, n_with_data,
        )
        result.update(
            shrunk=np.where(has_data, means, grand_mean),
            posterior_sd=np.zeros(n_owners),
            within_variance=math.nan,
            between_variance=math.nan,
        )
        return result

    within = float((residual**2).sum() / dof)
    observed = means[has_data]
    sizes = counts[has_data]
    # One-way ANOVA (Henderson method I) estimator, which weights each owner
    # by their observations, so one owner with a single extreme value cannot
    # inflate tau^2 as much as with the plain variance of the means.
    mean_square_between = float((sizes * (observed - grand_mean) ** 2).sum()) / (
        n_with_data - 1
    )
    effective_size = (values.size - float((sizes**2).sum()) / values.size) / (
        n_with_data - 1
    )
    between = max(0.0, (mean_square_between - within) / effective_size)

    safe_counts = np.where(has_data, counts, 1.0)
    sampling_all = within / safe_counts
    if between > 0:
        weight = np.where(has_data, between / (between + sampling_all), 0.0)
    else:
        weight = np.zeros(n_owners)
    filled_means = np.where(has_data, means, grand_mean)
    shrunk = grand_mean + weight * (filled_means - grand_mean)
    posterior_variance = np.where(has_data, weight * sampling_all, between)
    result.update(
        shrunk=shrunk,
        posterior_sd=np.sqrt(posterior_variance),
        within_variance=within,
        between_variance=between,
    )
    return result


def _meeting_and_hours(activities: pd.DataFrame) -> pd.DataFrame:
    """Return per group the distinct meetings and the hours of distinct events."""
    grouped = activities[activities["group_code"].notna()]
    moment = grouped["occurred_at"].fillna(grouped["occurred_on"])
    events = grouped.assign(moment=moment)
    # One event logged by the mentor and each mentee counts once, with its
    # longest stated duration.
    events = events.groupby(["group_code", "kind", "moment"], as_index=False).agg(
        hours=("hours", "max")
    )
    is_meeting = events["kind"] == "meeting"
    per_group = events.groupby("group_code").agg(hours=("hours", "sum"))
    per_group["n_meetings"] = events[is_meeting].groupby("group_code").size()
    return per_group.fillna({"n_meetings": 0})


def mentor_components(
    groups: pd.DataFrame,
    assessments: pd.DataFrame,
    mentee_scores: pd.DataFrame,
    activities: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the mentee-level and mentor-level inputs of the rating.

    Parameters
    ----------
    groups : pandas.DataFrame
        The groups frame (``group_code``, ``mentor_code``, ``mentee_code``).
    assessments : pandas.DataFrame
        The assessments frame.
    mentee_scores : pandas.DataFrame
        Mentees' satisfaction scores, ``code`` and ``score_percent``
        (:func:`analysis.satisfaction.respondent_scores` of
        ``"mentee_satisfaction"``).
    activities : pandas.DataFrame
        The activities frame.

    Returns
    -------
    mentees : pandas.DataFrame
        One row per mentor and mentee: ``mentor_code``, ``mentee_code``,
        ``gain`` (percentage points, NaN without pre and post) and
        ``satisfaction`` (score as percent of the scale, NaN without an
        answer).
    mentors : pandas.DataFrame
        One row per mentor: ``mentor_code``, ``n_mentees``, ``n_meetings``
        (distinct meetings in their groups), ``hours`` (hours of distinct
        events in their groups) and ``n_products`` (rows of the product
        kinds by the mentor or by their mentees).

    Notes
    -----
    A mentee in groups of two mentors counts for both. Missing hours count
    as 0.
    """
    pairs = groups[["mentor_code", "mentee_code"]].dropna().drop_duplicates()
    gains = mentee_gains(assessments)
    satisfaction = mentee_scores.drop_duplicates("code").set_index("code")["score_percent"]
    mentees = pairs.assign(
        gain=pairs["mentee_code"].map(gains),
        satisfaction=pairs["mentee_code"].map(satisfaction),
    ).reset_index(drop=True)

    per_group = _meeting_and_hours(activities)
    group_mentor = groups.drop_duplicates("group_code").set_index("group_code")[
        "mentor_code"
    ]
    per_group["mentor_code"] = group_mentor.reindex(per_group.index)
    activity = per_group.groupby("mentor_code")[["n_meetings", "hours"]].sum()

    products = activities[activities["kind"].isin(PRODUCT_KINDS)]
    product_counts = products.groupby("code").size()
    own = product_counts.reindex(pairs["mentor_code"].unique(), fill_value=0)
    of_mentees = pairs.assign(
        count=pairs["mentee_code"].map(product_counts).fillna(0)
    ).groupby("mentor_code")["count"].sum()

    mentors = pairs.groupby("mentor_code").size().rename("n_mentees").to_frame()
    mentors = mentors.join(activity).fillna({"n_meetings": 0, "hours": 0.0})
    mentors["n_products"] = (own + of_mentees.reindex(own.index, fill_value=0)).astype(int)
    mentors["n_meetings"] = mentors["n_meetings"].astype(int)
    return mentees, mentors.reset_index()


def normalise_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Check rating weights and scale them to sum to 1 (``None`` gives the defaults).

    Raises ``ValueError`` for an unknown component, a negative or non-finite
    weight, or weights that are all 0. Missing components get weight 0.
    """
    if weights is None:
        weights = DEFAULT_WEIGHTS
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise ValueError(
            f"unknown rating components {sorted(unknown)}; use {list(COMPONENTS)}"
        )
    full = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
    if any(not math.isfinite(w) or w < 0 for w in full.values()):
        raise ValueError(f"weights must be finite and non-negative, got {weights!r}")
    total = sum(full.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {name: w / total for name, w in full.items()}


def _spread(reference: np.ndarray) -> float:
    """Return the sample sd of the finite values, or 0 when it is undefined."""
    reference = reference[np.isfinite(reference)]
    if reference.size < 2:
        return 0.0
    return float(reference.std(ddof=1))


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = _spread(values)
    if spread == 0:
        return np.zeros_like(values, dtype=float)
    return (values - values.mean()) / spread


def _ranks_descending(scores: np.ndarray) -> np.ndarray:
    """Rank along the last axis, 1 for the highest score."""
    order = np.argsort(-scores, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return ranks


def mentor_rating(
    groups: pd.DataFrame,
    assessments: pd.DataFrame,
    mentee_scores: pd.DataFrame,
    activities: pd.DataFrame,
    weights: dict[str, float] | None = None,
    min_mentees: int = 2,
    min_ratings: int = 2,
    n_draws: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Rate mentors on four standardised components with intervals and ranks.

    Parameters
    ----------
    groups, assessments, mentee_scores, activities : pandas.DataFrame
        As for :func:`mentor_components`.
    weights : dict, optional
        Weight per component (``"gain"``, ``"satisfaction"``,
        ``"activity"``, ``"products"``); missing ones are 0, and the
        weights are divided by their sum. Default :data:`DEFAULT_WEIGHTS`.
    min_mentees, min_ratings : int
        Mentors with fewer mentees, or fewer mentees' satisfaction answers,
        are flagged and not ranked.
    n_draws : int
        Posterior draws for the score interval and the rank interval.
    confidence : float
        Level of both intervals.
    seed : int
        Seed of the random generator, so that the same data give the same
        intervals.

    Returns
    -------
    pandas.DataFrame
        One row per mentor: ranked mentors by ``rank``, then flagged mentors
        by ``score``. Columns:

        * ``mentor_code``
        * ``score``: weighted sum of the component z-scores, in standard
          deviations of the mentors' raw values; 0 is an average mentor.
        * ``ci_low``, ``ci_high``: equal-tailed posterior interval of the score.
        * ``rank``: 1 for the best among ranked mentors; NaN when flagged.
        * ``rank_low``, ``rank_high``: equal-tailed interval of the rank over
          the posterior draws; NaN when flagged.
        * ``n_mentees``; ``n_ratings`` (mentees with a satisfaction score).
        * ``flag``: ``None``, ``"too_few_mentees"`` or ``"too_few_ratings"``.
        * ``gain`` (mean raw gain, percentage points), ``gain_n`` (mentees with
          pre and post), ``gain_shrunk``, ``z_gain``.
        * ``satisfaction`` (mean raw score, percent of the scale),
          ``satisfaction_shrunk``, ``z_satisfaction``.
        * ``n_meetings``, ``hours``, ``z_activity``.
        * ``n_products``, ``z_products``.

    Notes
    -----
    Uncertainty method: empirical-Bayes shrinkage (:func:`shrink_means`) of
    the two mentee-level components, gain and satisfaction. A mentor with
    one enthusiastic mentee is pulled toward the average, so one top rating
    cannot outrank many good ones. Each shrunk component is centred on the
    grand mean ``mu`` and divided by the standard deviation of the raw
    per-mentor means, so
    that shrinkage keeps its effect: ``z = (shrunk - mu) / sd(raw means)``. Activity is the mean of the z-scores of
    meetings and hours, and products is the z-score of the product count;
    both are complete counts, treated as exact. A mentor without data on a
    component gets z = 0 for it, the average.

    The interval comes from ``n_draws`` draws of gain and satisfaction from
    their normal posteriors. The score and the ranks among the ranked mentors
    are recomputed in every draw, and ``rank_low``/``rank_high`` are
    quantiles of those ranks. Flags: ``"too_few_mentees"`` when
    ``n_mentees < min_mentees``, else ``"too_few_ratings"`` when
    ``n_ratings < min_ratings``. Flagged mentors keep a score but get no rank
    and are listed after all ranked mentors.
    """
    normalised = normalise_weights(weights)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    mentees, mentors = mentor_components(groups, assessments, mentee_scores, activities)
    codes = mentors["mentor_code"].to_numpy()
    n_mentors = codes.size
    if n_mentors == 0:
        return pd.DataFrame(columns=RATING_COLUMNS)
    index_of = pd.Series(np.arange(n_mentors), index=codes)

    shrunk = {}
    for name in ("gain", "satisfaction"):
        observed = mentees.dropna(subset=[name])
        shrunk[name] = shrink_means(
            observed[name].to_numpy(float),
            index_of.reindex(observed["mentor_code"]).to_numpy(),
            n_mentors,
        )

    z = {}
    for name in ("gain", "satisfaction"):
        spread = _spread(shrunk[name]["mean"])
        centred = shrunk[name]["shrunk"] - shrunk[name]["grand_mean"]
        z[name] = centred / spread if spread > 0 else np.zeros(n_mentors)
        z[name][shrunk[name]["n"] == 0] = 0.0
    meetings = mentors["n_meetings"].to_numpy(float)
    hours = mentors["hours"].to_numpy(float)
    products = mentors["n_products"].to_numpy(float)
    z["activity"] = (_standardise(meetings) + _standardise(hours)) / 2
    z["products"] = _standardise(products)
    score = sum(normalised[name] * z[name] for name in COMPONENTS)

    n_ratings = shrunk["satisfaction"]["n"].astype(int)
    n_mentees = mentors["n_mentees"].to_numpy(int)
    flag = np.where(
        n_mentees < min_mentees,
        FLAG_TOO_FEW_MENTEES,
        np.where(n_ratings < min_ratings, FLAG_TOO_FEW_RATINGS, None),
    )
    ranked = pd.isna(flag)

    draws = _draw_scores(shrunk, z, normalised, n_draws, seed)
    tail = (1 - confidence) / 2
    ci_low, ci_high = np.quantile(draws, [tail, 1 - tail], axis=0)

    rank = np.full(n_mentors, np.nan)
    rank_low = np.full(n_mentors, np.nan)
    rank_high = np.full(n_mentors, np.nan)
    if ranked.any():
        point = pd.Series(score[ranked]).rank(method="min", ascending=False)
        rank[ranked] = point.to_numpy()
        draw_ranks = _ranks_descending(draws[:, ranked])
        rank_low[ranked] = np.quantile(draw_ranks, tail, axis=0, method="lower")
        rank_high[ranked] = np.quantile(draw_ranks, 1 - tail, axis=0, method="higher")

    result = pd.DataFrame({
        "mentor_code": codes,
        "score": score,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "rank": rank,
        "rank_low": rank_low,
        "rank_high": rank_high,
        "n_mentees": n_mentees,
        "n_ratings": n_ratings,
        "flag": flag,
        "gain": shrunk["gain"]["mean"],
        "gain_n": shrunk["gain"]["n"].astype(int),
        "gain_shrunk": shrunk["gain"]["shrunk"],
        "z_gain": z["gain"],
        "satisfaction": shrunk["satisfaction"]["mean"],
        "satisfaction_shrunk": shrunk["satisfaction"]["shrunk"],
        "z_satisfaction": z["satisfaction"],
        "n_meetings": mentors["n_meetings"].to_numpy(int),
        "hours": hours,
        "z_activity": z["activity"],
        "n_products": mentors["n_products"].to_numpy(int),
        "z_products": z["products"],
    })
    result["flag"] = result["flag"].astype(object).where(~pd.isna(flag), None)
    result["_ranked"] = ranked
    result = result.sort_values(
        ["_ranked", "rank", "score"], ascending=[False, True, False], kind="stable"
    )
    return result.drop(columns="_ranked").reset_index(drop=True)[RATING_COLUMNS]


def _draw_scores(
    shrunk: dict[str, dict],
    z: dict[str, np.ndarray],
    weights: dict[str, float],
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """Return an (n_draws, n_mentors) array of scores drawn from the posterior."""
    rng = np.random.default_rng(seed)
    fixed = weights["activity"] * z["activity"] + weights["products"] * z["products"]
    draws = np.broadcast_to(fixed, (n_draws, fixed.size)).copy()
    for name in ("gain", "satisfaction"):
        if weights[name] == 0:
            continue
        part = shrunk[name]
        spread = _spread(part["mean"])
        if spread == 0:
            continue
        noise = rng.standard_normal((n_draws, fixed.size))
        drawn = part["shrunk"] + noise * part["posterior_sd"]
        draws += weights[name] * (drawn - part["grand_mean"]) / spread
    return draws


def _number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


def _signed(value: float, digits: int = 2) -> str:
    rounded = round(value, digits)
    if rounded == 0:
        return _number(0.0, digits)
    return ("+" if rounded > 0 else "−") + _number(abs(rounded), digits)


def _plural(n: int, one: str, few: str, many: str) -> str:
    """Return "n word" with the Russian plural form for n."""
    return f"{n} {plural(n, one, few, many)}"


def _direction(z_value: float) -> str:
    if abs(z_value) < 0.25:
        return "около среднего"
    return "выше среднего" if z_value > 0 else "ниже среднего"


def explain_rating(row: pd.Series, weights: dict[str, float] | None = None) -> list[str]:
    """Explain one mentor's rating component by component, in Russian.

    Parameters
    ----------
    row : pandas.Series
        One row of :func:`mentor_rating`.
    weights : dict, optional
        The weights the rating was computed with (normalised here).

    Returns
    -------
    list of str
        Sentences for the mentor card: one per component (raw value, its
        position against the average mentor, weight and contribution), then
        the total with its interval, the rank or the reason for no rank.
        Components with weight 0 are left out.
    """
    normalised = normalise_weights(weights)
    lines = []
    if row["gain_n"] > 0:
        gain_text = (
            f"в среднем {_signed(row['gain'], 1)} п. п. у "
            f"{_plural(int(row['gain_n']), 'наставляемого', 'наставляемых', 'наставляемых')}"
            " с оценками «до» и «после»"
        )
    else:
        gain_text = "нет наставляемых с оценками «до» и «после», принято среднее"
    if row["n_ratings"] > 0:
        satisfaction_text = (
            f"{_number(row['satisfaction'], 0)}\u00a0% шкалы в среднем по "
            f"{_plural(int(row['n_ratings']), 'анкете', 'анкетам', 'анкетам')}"
        )
    else:
        satisfaction_text = "анкет наставляемых нет, принято среднее"
    texts = {
        "gain": (gain_text, row["z_gain"]),
        "satisfaction": (satisfaction_text, row["z_satisfaction"]),
        "activity": (
            f"{_plural(int(row['n_meetings']), 'встреча', 'встречи', 'встреч')}, "
            f"{_number(row['hours'], 1)} ч в группах",
            row["z_activity"],
        ),
        "products": (
            f"{_plural(int(row['n_products']), 'продукт', 'продукта', 'продуктов')} "
            "(материалы, ресурсы, конкурсы, открытые уроки, проекты, сайты)",
            row["z_products"],
        ),
    }
    for name in COMPONENTS:
        if normalised[name] == 0:
            continue
        text, z_value = texts[name]
        contribution = normalised[name] * z_value
        lines.append(
            f"{COMPONENT_LABELS[name]}: {text}; это {_direction(z_value)} "
            f"({_signed(z_value)} ст. откл.), вес {_number(normalised[name] * 100, 0)}\u00a0%, "
            f"вклад в итог {_signed(contribution)}."
        )
    lines.append(
        f"Итоговый балл {_signed(row['score'])} (0 — средний наставник); с учётом "
        f"неточности оценок он лежит между {_signed(row['ci_low'])} и "
        f"{_signed(row['ci_high'])}."
    )
    if row["flag"] == FLAG_TOO_FEW_MENTEES:
        lines.append(
            "Место не присвоено: у наставника "
            f"{_plural(int(row['n_mentees']), 'наставляемый', 'наставляемых', 'наставляемых')}"
            ", этого мало для сравнения с другими."
        )
    elif row["flag"] == FLAG_TOO_FEW_RATINGS:
        lines.append(
            "Место не присвоено: от наставляемых "
            f"{_plural(int(row['n_ratings']), 'анкета', 'анкеты', 'анкет')}"
            ", этого мало для сравнения с другими."
        )
    else:
        lines.append(
            f"Место {int(row['rank'])}; с учётом неточности оценок место лежит "
            f"между {int(row['rank_low'])} и {int(row['rank_high'])}."
        )
    return lines
