"""Scoring of candidate mentor–mentee pairs and their global assignment.

A pair's score is a weighted mean of three components in [0, 1]:
competence complementarity, shared interests and compatibility of
preferences. `assign_pairs` then chooses pairs that maximise the total
score under mentor capacities, with locked and forbidden pairs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analysis.diagnostics import (
    DEFAULT_NEED_THRESHOLD,
    DEFAULT_STRONG_THRESHOLD,
    normalize_label,
)

logger = logging.getLogger(__name__)

COMPONENTS = ("complementarity", "interests", "compatibility")
DEFAULT_WEIGHTS = {"complementarity": 0.5, "interests": 0.25, "compatibility": 0.25}
PREFERENCE_FIELDS = ("format", "schedule", "style")
# Preference answers that fit any partner, compared after `normalize_label`.
# A mixed format («смешанно») means both in person and remote, so it fits
# every format.
ANY_PREFERENCE = frozenset(
    {"не важно", "неважно", "любой", "любое", "любая", "без разницы", "any", "смешанно",
     "смешанный"}
)
# Compatibility when no preference field is filled in by both people.
NEUTRAL_COMPATIBILITY = 0.5
MODES = ("max_total", "everyone")
SUBJECT_RULES = (None, "same", "different")

_PREFERENCE_LABELS = {"format": "формат", "schedule": "время", "style": "стиль общения"}


def split_items(value: object) -> list[str]:
    """Turn a list, a set or ``;``-separated text into trimmed items."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        pieces: Iterable[object] = value.split(";")
    else:
        pieces = value  # type: ignore[assignment]
    return [str(p).strip() for p in pieces if str(p).strip()]


@dataclass
class _Prepared:
    """Arrays shared by scoring and explanation, aligned to code lists."""

    mentor_codes: list[str]
    mentee_codes: list[str]
    areas: list[str]
    need: np.ndarray  # mentees × areas, bool
    strong: np.ndarray  # mentors × areas, bool
    interest_sets: dict[str, set[str]] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    preferences: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)


def _prepare(
    competence: pd.DataFrame,
    profiles: pd.DataFrame,
    mentor_codes: Sequence[str],
    mentee_codes: Sequence[str],
    need_threshold: float,
    strong_threshold: float,
) -> _Prepared:
    if "code" not in profiles.columns:
        raise ValueError("profiles must have a 'code' column")
    matrix = competence.drop(columns=["mean"], errors="ignore")
    areas = [str(a) for a in matrix.columns]
    mentee_scores = matrix.reindex(list(mentee_codes)).to_numpy(dtype=float)
    mentor_scores = matrix.reindex(list(mentor_codes)).to_numpy(dtype=float)
    # NaN compares False, so an unassessed area is neither a need nor a strength.
    with np.errstate(invalid="ignore"):
        need = mentee_scores < need_threshold
        strong = mentor_scores >= strong_threshold
    prepared = _Prepared(list(mentor_codes), list(mentee_codes), areas, need, strong)
    for record in profiles.drop_duplicates("code", keep="last").to_dict("records"):
        code = str(record["code"])
        subject = normalize_label(record.get("subject"))
        prepared.subjects[code] = subject
        items = {normalize_label(i) for i in split_items(record.get("interests"))}
        if subject:
            items.add("предмет: " + subject)
        prepared.interest_sets[code] = items
        prepared.preferences[code] = {
            name: frozenset(normalize_label(v) for v in split_items(record.get(name)))
            for name in PREFERENCE_FIELDS
        }
    return prepared


def _jaccard_matrix(prepared: _Prepared) -> np.ndarray:
    vocabulary = sorted(set().union(*prepared.interest_sets.values(), set()))
    index = {item: i for i, item in enumerate(vocabulary)}

    def incidence(codes: list[str]) -> np.ndarray:
        table = np.zeros((len(codes), len(vocabulary)))
        for row, code in enumerate(codes):
            for item in prepared.interest_sets.get(code, ()):
                table[row, index[item]] = 1.0
        return table

    mentees = incidence(prepared.mentee_codes)
    mentors = incidence(prepared.mentor_codes)
    shared = mentees @ mentors.T
    union = mentees.sum(axis=1)[:, None] + mentors.sum(axis=1)[None, :] - shared
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


def _preference_incidence(
    prepared: _Prepared, name: str, codes: list[str], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the option incidence, 'filled in' and 'fits anyone' flags per code."""
    table = np.zeros((len(codes), len(index)))
    filled = np.zeros(len(codes), dtype=bool)
    flexible = np.zeros(len(codes), dtype=bool)
    for row, code in enumerate(codes):
        values = prepared.preferences.get(code, {}).get(name, frozenset())
        filled[row] = bool(values)
        flexible[row] = bool(values & ANY_PREFERENCE)
        for value in values:
            table[row, index[value]] = 1.0
    return table, filled, flexible


def _compatibility_matrix(prepared: _Prepared) -> tuple[np.ndarray, np.ndarray]:
    shape = (len(prepared.mentee_codes), len(prepared.mentor_codes))
    compared = np.zeros(shape)
    matched = np.zeros(shape)
    for name in PREFERENCE_FIELDS:
        vocabulary = sorted(
            set().union(*(p.get(name, frozenset()) for p in prepared.preferences.values()))
        )
        index = {value: i for i, value in enumerate(vocabulary)}
        mentee_table, mentee_filled, mentee_any = _preference_incidence(
            prepared, name, prepared.mentee_codes, index
        )
        mentor_table, mentor_filled, mentor_any = _preference_incidence(
            prepared, name, prepared.mentor_codes, index
        )
        both = mentee_filled[:, None] & mentor_filled[None, :]
        overlap = (mentee_table @ mentor_table.T) > 0
        fits = overlap | mentee_any[:, None] | mentor_any[None, :]
        compared += both
        matched += both & fits
    score = np.full(shape, NEUTRAL_COMPATIBILITY)
    np.divide(matched, compared, out=score, where=compared > 0)
    return score, compared


def normalize_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Check the component weights and scale them to sum to 1."""
    merged = dict(DEFAULT_WEIGHTS)
    if weights is not None:
        unknown = set(weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(
                f"unknown weight names {sorted(unknown)}; expected {list(COMPONENTS)}"
            )
        merged.update(weights)
    values = np.array([float(merged[name]) for name in COMPONENTS])
    if np.any(values < 0) or not np.all(np.isfinite(values)) or values.sum() <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {merged}")
    return {name: float(v) for name, v in zip(COMPONENTS, values / values.sum(), strict=True)}


def score_pairs(
    competence: pd.DataFrame,
    profiles: pd.DataFrame,
    mentor_codes: Sequence[str],
    mentee_codes: Sequence[str],
    *,
    weights: Mapping[str, float] | None = None,
    need_threshold: float = DEFAULT_NEED_THRESHOLD,
    strong_threshold: float = DEFAULT_STRONG_THRESHOLD,
    subject_rule: str | None = None,
) -> pd.DataFrame:
    """Score every candidate (mentor, mentee) pair with visible components.

    Parameters
    ----------
    competence : pandas.DataFrame
        Teacher × area matrix of ``score_percent`` indexed by ``code``, as
        from `analysis.diagnostics.competence_matrix` (a ``mean`` column is
        ignored).
    profiles : pandas.DataFrame
        One row per teacher: ``code``; optional ``subject``, and
        ``interests``, ``format``, ``schedule``, ``style``, each a list or
        ``;``-separated text.
    mentor_codes, mentee_codes : sequence of str
        Candidates on each side; a teacher with role ``both`` may be in both.
    weights : mapping, optional
        Weights of ``complementarity``, ``interests``, ``compatibility``;
        missing names take `DEFAULT_WEIGHTS`; scaled to sum to 1.
    need_threshold, strong_threshold : float
        A mentee needs help in an area below ``need_threshold``; a mentor is
        strong in it at or above ``strong_threshold`` (percent).
    subject_rule : {None, "same", "different"}
        Optional constraint on the two teachers' subjects.

    Returns
    -------
    pandas.DataFrame
        One row per pair, mentees outer and mentors inner. Columns:
        ``mentor_code``, ``mentee_code``, ``complementarity``,
        ``interests``, ``compatibility``, ``score`` (weighted mean, 0–1),
        ``n_need`` (mentee's areas below ``need_threshold``), ``n_covered``
        (of those, where the mentor is strong), ``n_preferences_compared``,
        ``allowed`` (bool) and ``excluded`` (``None``, ``"self"`` or
        ``"subject"``).

    Notes
    -----
    - complementarity = n_covered / n_need, and 0 when the mentee needs
      help in no area.
    - interests = Jaccard index |A ∩ B| / |A ∪ B| of the two sets of
      declared interests, each with the subject added as an item
      ``"предмет: <subject>"``; 0 when both sets are empty.
    - compatibility = share of the preference fields (format, schedule,
      style) filled in by both where the answers share a value or one of
      them fits anyone (`ANY_PREFERENCE`, e.g. «не важно», «смешанно»);
      0.5 when no field is filled in by both. A field may hold several
      values (a list or ``;``-separated text), e.g. two convenient times.
    - score = Σ weight × component.

    Labels are compared after lower-casing, trimming and ``ё`` → ``е``.
    Unassessed areas count neither as a need nor as a strength. Under a
    subject rule, a pair where either subject is missing is not allowed.
    """
    if subject_rule not in SUBJECT_RULES:
        raise ValueError(f"subject_rule must be one of {SUBJECT_RULES}, got {subject_rule!r}")
    weight = normalize_weights(weights)
    prepared = _prepare(
        competence, profiles, mentor_codes, mentee_codes, need_threshold, strong_threshold
    )
    need = prepared.need.astype(float)
    n_need = need.sum(axis=1)
    n_covered = need @ prepared.strong.astype(float).T
    complementarity = np.divide(
        n_covered, n_need[:, None], out=np.zeros_like(n_covered), where=n_need[:, None] > 0
    )
    interests = _jaccard_matrix(prepared)
    compatibility, compared = _compatibility_matrix(prepared)
    score = (
        weight["complementarity"] * complementarity
        + weight["interests"] * interests
        + weight["compatibility"] * compatibility
    )

    mentee_grid = np.repeat(np.array(prepared.mentee_codes, dtype=object), len(mentor_codes))
    mentor_grid = np.tile(np.array(prepared.mentor_codes, dtype=object), len(mentee_codes))
    excluded = np.full(mentee_grid.shape, None, dtype=object)
    if subject_rule is not None:
        mentee_subject = np.array([prepared.subjects.get(c, "") for c in mentee_grid])
        mentor_subject = np.array([prepared.subjects.get(c, "") for c in mentor_grid])
        known = (mentee_subject != "") & (mentor_subject != "")
        same = mentee_subject == mentor_subject
        fits = known & (same if subject_rule == "same" else ~same)
        excluded[~fits] = "subject"
    excluded[mentee_grid == mentor_grid] = "self"
    return pd.DataFrame(
        {
            "mentor_code": mentor_grid,
            "mentee_code": mentee_grid,
            "complementarity": complementarity.ravel(),
            "interests": interests.ravel(),
            "compatibility": compatibility.ravel(),
            "score": score.ravel(),
            "n_need": np.repeat(n_need.astype(int), len(mentor_codes)),
            "n_covered": n_covered.ravel().astype(int),
            "n_preferences_compared": compared.ravel().astype(int),
            "allowed": pd.isna(excluded),
            "excluded": excluded,
        }
    )


def _check_locks(
    locked: list[tuple[str, str]],
    forbidden: set[tuple[str, str]],
    allowed: set[tuple[str, str]],
    capacity: Mapping[str, int],
) -> None:
    seen: dict[str, str] = {}
    per_mentor: dict[str, int] = {}
    for mentor, mentee in locked:
        if mentee in seen:
            raise ValueError(
                f"mentee {mentee!r} is locked to two mentors: {seen[mentee]!r} and {mentor!r}"
            )
        if (mentor, mentee) in forbidden:
            raise ValueError(f"pair ({mentor!r}, {mentee!r}) is both locked and forbidden")
        if mentor not in capacity:
            raise ValueError(f"locked mentor {mentor!r} has no capacity entry")
        if (mentor, mentee) not in allowed:
            raise ValueError(
                f"locked pair ({mentor!r}, {mentee!r}) is not an allowed candidate pair"
            )
        seen[mentee] = mentor
        per_mentor[mentor] = per_mentor.get(mentor, 0) + 1
    for mentor, count in per_mentor.items():
        if count > capacity[mentor]:
            raise ValueError(
                f"mentor {mentor!r} has {count} locked mentees but capacity {capacity[mentor]}"
            )


def assign_pairs(
    pairs: pd.DataFrame,
    capacity: Mapping[str, int],
    *,
    mode: str = "max_total",
    floor: float = 0.0,
    locked: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Choose pairs that maximise the total score under mentor capacities.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Candidate pairs with ``mentor_code``, ``mentee_code``, ``score``
        (finite, ≥ 0) and optionally ``allowed`` (bool). Pairs absent from
        the frame are not allowed.
    capacity : mapping of str to int
        Maximum number of mentees per mentor; mentors absent here get none.
    mode : {"max_total", "everyone"}
        ``"max_total"``: maximise the sum of scores, using only pairs whose
        score is at least ``floor``, so some mentees may stay unmatched.
        ``"everyone"``: first match as many mentees as capacities and
        allowed pairs permit (the floor is ignored), then maximise the sum.
    floor : float
        Minimum score of a pair in ``"max_total"`` mode.
    locked : iterable of (mentor_code, mentee_code)
        Pairs that must be in the result; they use the mentor's capacity
        and ignore the floor.
    forbidden : iterable of (mentor_code, mentee_code)
        Pairs that must not be in the result.

    Returns
    -------
    pandas.DataFrame
        The chosen pairs, sorted by mentor then mentee, with columns
        ``mentor_code``, ``mentee_code``, ``score`` and ``locked`` (bool).

    Raises
    ------
    ValueError
        On an unknown mode, invalid scores or capacities, a mentee locked
        twice, a pair both locked and forbidden, a locked pair that is not
        allowed, or more locks than a mentor's capacity.

    Notes
    -----
    Each mentor is expanded into as many slots as their capacity, at most
    the number of mentees. `scipy.optimize.linear_sum_assignment` solves
    the rectangular assignment with cost −score for usable pairs and 0 for
    the rest, and assignments to unusable cells are dropped afterwards.
    Any partial matching of usable pairs extends to a full assignment of the
    same cost through the zero cells, so the optimum equals the best partial
    matching. In ``"everyone"`` mode the cost is −(M + score) with
    M = 1 + n_mentees × max(1, max score), larger than any total of scores,
    which makes the number of matched mentees the first objective. Checked
    against brute-force enumeration in ``tests/analysis/test_matching.py``.
    Ties between equally good assignments are broken arbitrarily.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    for mentor, value in capacity.items():
        if int(value) != value or value < 0:
            raise ValueError(f"capacity of mentor {mentor!r} must be a whole number >= 0, got {value!r}")
    scores = pairs["score"].to_numpy(dtype=float)
    if not np.all(np.isfinite(scores)) or np.any(scores < 0):
        raise ValueError("pair scores must be finite and non-negative")
    started = time.perf_counter()

    if "allowed" in pairs:
        # A copy, because pandas may hand out a read-only view.
        usable = pairs["allowed"].to_numpy(dtype=bool, copy=True)
    else:
        usable = np.ones(len(pairs), dtype=bool)
    forbidden_set = {(str(a), str(b)) for a, b in forbidden}
    locked_list = [(str(a), str(b)) for a, b in locked]
    keys = list(zip(pairs["mentor_code"].astype(str), pairs["mentee_code"].astype(str), strict=True))
    allowed_keys = {k for k, ok in zip(keys, usable, strict=True) if ok}
    _check_locks(locked_list, forbidden_set, allowed_keys, capacity)

    score_of = dict(zip(keys, scores, strict=True))
    locked_mentees = {mentee for _, mentee in locked_list}
    remaining = {m: int(c) for m, c in capacity.items()}
    for mentor, _ in locked_list:
        remaining[mentor] -= 1

    usable &= np.array([k not in forbidden_set for k in keys], dtype=bool)
    usable &= ~pairs["mentee_code"].astype(str).isin(locked_mentees).to_numpy()
    usable &= pairs["mentor_code"].astype(str).map(lambda m: remaining.get(m, 0) > 0).to_numpy(bool)
    if mode == "max_total":
        usable &= scores >= floor

    chosen = [(m, e, score_of[(m, e)], True) for m, e in locked_list]
    candidates = pairs.loc[usable, ["mentor_code", "mentee_code"]].astype(str)
    if not candidates.empty:
        mentees = sorted(candidates["mentee_code"].unique())
        mentors = sorted(candidates["mentor_code"].unique())
        row_of = {code: i for i, code in enumerate(mentees)}
        col_of = {code: j for j, code in enumerate(mentors)}
        benefit = np.zeros((len(mentees), len(mentors)))
        mask = np.zeros_like(benefit, dtype=bool)
        rows = candidates["mentee_code"].map(row_of).to_numpy()
        cols = candidates["mentor_code"].map(col_of).to_numpy()
        benefit[rows, cols] = scores[usable]
        mask[rows, cols] = True
        if mode == "everyone":
            big = 1.0 + len(mentees) * max(1.0, float(benefit.max()))
            benefit = np.where(mask, benefit + big, 0.0)
        slots = np.repeat(
            np.arange(len(mentors)), [min(remaining[m], len(mentees)) for m in mentors]
        )
        cost = -np.where(mask, benefit, 0.0)[:, slots]
        row_index, slot_index = linear_sum_assignment(cost)
        for r, s in zip(row_index, slot_index, strict=True):
            c = slots[s]
            if mask[r, c]:
                chosen.append((mentors[c], mentees[r], score_of[(mentors[c], mentees[r])], False))
    logger.info(
        "assigned %d pairs (%d locked) in %.3f s, mode %s",
        len(chosen),
        len(locked_list),
        time.perf_counter() - started,
        mode,
    )
    result = pd.DataFrame(chosen, columns=["mentor_code", "mentee_code", "score", "locked"])
    return result.sort_values(["mentor_code", "mentee_code"], kind="stable").reset_index(drop=True)


def explain_pairs(
    chosen: pd.DataFrame,
    competence: pd.DataFrame,
    profiles: pd.DataFrame,
    *,
    need_threshold: float = DEFAULT_NEED_THRESHOLD,
    strong_threshold: float = DEFAULT_STRONG_THRESHOLD,
) -> pd.DataFrame:
    """List, for chosen pairs, the facts behind each score component.

    Parameters
    ----------
    chosen : pandas.DataFrame
        Pairs with ``mentor_code`` and ``mentee_code``.
    competence, profiles, need_threshold, strong_threshold
        As passed to `score_pairs`.

    Returns
    -------
    pandas.DataFrame
        ``chosen`` with four list columns added: ``need_areas`` (areas where
        the mentee needs help), ``covered_areas`` (of those, where the mentor
        is strong), ``shared_interests`` (common interests and subject) and
        ``matched_preferences`` (fields among ``format``, ``schedule``,
        ``style`` that agree); and ``reason``, a plain-Russian sentence.
    """
    mentors = list(dict.fromkeys(chosen["mentor_code"].astype(str)))
    mentees = list(dict.fromkeys(chosen["mentee_code"].astype(str)))
    prepared = _prepare(competence, profiles, mentors, mentees, need_threshold, strong_threshold)
    mentor_row = {c: i for i, c in enumerate(mentors)}
    mentee_row = {c: i for i, c in enumerate(mentees)}
    records = []
    for mentor, mentee in zip(chosen["mentor_code"].astype(str), chosen["mentee_code"].astype(str), strict=True):
        need_mask = prepared.need[mentee_row[mentee]]
        covered_mask = need_mask & prepared.strong[mentor_row[mentor]]
        need_areas = [a for a, n in zip(prepared.areas, need_mask, strict=True) if n]
        covered = [a for a, n in zip(prepared.areas, covered_mask, strict=True) if n]
        shared = sorted(
            prepared.interest_sets.get(mentor, set()) & prepared.interest_sets.get(mentee, set())
        )
        matched = []
        for name in PREFERENCE_FIELDS:
            a = prepared.preferences.get(mentor, {}).get(name, frozenset())
            b = prepared.preferences.get(mentee, {}).get(name, frozenset())
            if a and b and (a & b or a & ANY_PREFERENCE or b & ANY_PREFERENCE):
                matched.append(name)
        records.append((need_areas, covered, shared, matched, _reason(need_areas, covered, shared, matched)))
    extra = pd.DataFrame(
        records,
        columns=["need_areas", "covered_areas", "shared_interests", "matched_preferences", "reason"],
        index=chosen.index,
    )
    return pd.concat([chosen, extra], axis=1)


def _reason(
    need_areas: list[str], covered: list[str], shared: list[str], matched: list[str]
) -> str:
    parts = []
    if not need_areas:
        parts.append("наставляемому не нужна помощь ни в одной оценённой области")
    elif covered:
        parts.append(
            f"наставник силён в {len(covered)} из {len(need_areas)} областей, где нужна "
            f"помощь: {', '.join(covered)}"
        )
    else:
        parts.append("наставник не силён ни в одной из областей, где нужна помощь")
    if shared:
        parts.append("общие интересы: " + ", ".join(shared))
    else:
        parts.append("общих интересов нет")
    if matched:
        parts.append("совпадают предпочтения: " + ", ".join(_PREFERENCE_LABELS[m] for m in matched))
    else:
        parts.append("предпочтения не совпадают или не указаны")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def groups_from_pairs(chosen: pd.DataFrame, *, prefix: str = "G-") -> pd.DataFrame:
    """Group chosen pairs by mentor: one group per mentor with their mentees.

    Returns a frame with ``group_code`` (``prefix`` + mentor code),
    ``mentor_code``, ``mentee_code`` and, when present, ``score``; a group
    with one mentee is a pair.
    """
    columns = ["mentor_code", "mentee_code"] + (["score"] if "score" in chosen else [])
    groups = chosen[columns].copy()
    groups.insert(0, "group_code", prefix + groups["mentor_code"].astype(str))
    return groups.sort_values(["group_code", "mentee_code"], kind="stable").reset_index(drop=True)
