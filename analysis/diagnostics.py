"""Diagnostics of teachers' difficulties and needs before mentoring starts.

Pure functions on the frames described in ``docs/ARCHITECTURE.md``:
``answers_frame`` (the ``diagnostic`` questionnaire), ``participants_frame``
and ``assessments_frame``. Nothing here reads the database or Streamlit.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from analysis.proportions import wilson_interval

logger = logging.getLogger(__name__)

DIFFICULTY_QUESTION = (
    "Испытываете ли вы затруднения при работе с цифровыми сервисами?"
)
# Grid answers, compared after `normalize_label`.
DIFFICULTY_YES = "да"
DIFFICULTY_PARTIAL = "частично"
DIFFICULTY_NO = "нет"

EXPERIENCE_BANDS = ("0–5", "6–15", "16–25", "26+")
# Right-closed bin edges in years: 0–5, (5, 15], (15, 25], (25, inf).
_EXPERIENCE_EDGES = (-np.inf, 5, 15, 25, np.inf)

DEFAULT_MIN_N = 10
DEFAULT_NEED_THRESHOLD = 60.0
DEFAULT_STRONG_THRESHOLD = 80.0
DEFAULT_MENTEES_PER_MENTOR = 3

_OTHER_PREFIX = re.compile(r"^\s*(другое|other)\s*:\s*", re.IGNORECASE)


def normalize_label(text: object) -> str:
    """Lower-case, trim, collapse spaces and treat ``ё`` as ``е``."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return " ".join(str(text).lower().replace("ё", "е").split())


def split_grid_question(question: str) -> tuple[str, str | None]:
    """Split a grid header ``"Question [row]"`` into the question and the row.

    Parameters
    ----------
    question : str
        Full header text as the form export writes it.

    Returns
    -------
    tuple of (str, str or None)
        The text before the last ``" ["`` and the text inside the last
        brackets. The row is ``None`` when the header does not end with a
        bracketed row, and then the question is the whole stripped header.

    Notes
    -----
    Splitting at the *last* ``" ["`` keeps brackets that belong to the
    question itself, e.g. ``"Трудности [цифровые] при работе [Онлайн-тесты]"``
    gives ``("Трудности [цифровые] при работе", "Онлайн-тесты")``.
    """
    text = str(question).strip()
    position = text.rfind(" [")
    if position < 0 or not text.endswith("]"):
        return text, None
    return text[:position].strip(), text[position + 2 : -1].strip()


def experience_band(years: pd.Series) -> pd.Series:
    """Label experience in years with the bands 0–5, 6–15, 16–25 and 26+.

    Bands are right-closed on years, so 5.5 years falls into 6–15. Missing
    and negative values give a missing band.
    """
    values = pd.to_numeric(years, errors="coerce").where(lambda s: s >= 0)
    return pd.cut(values, bins=list(_EXPERIENCE_EDGES), labels=list(EXPERIENCE_BANDS))


def _latest_answers(answers: pd.DataFrame, questionnaire: str) -> pd.DataFrame:
    required = {"code", "questionnaire", "question", "answer"}
    missing = required - set(answers.columns)
    if missing:
        raise ValueError(f"answers frame is missing columns: {sorted(missing)}")
    subset = answers[answers["questionnaire"] == questionnaire]
    if "is_latest" in subset.columns:
        subset = subset[subset["is_latest"].fillna(False).astype(bool)]
    return subset


def difficulty_answers(
    answers: pd.DataFrame,
    *,
    questionnaire: str = "diagnostic",
    question: str = DIFFICULTY_QUESTION,
) -> pd.DataFrame:
    """Extract each respondent's difficulty answer per digital service.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``answers_frame`` rows; only the latest submission (``is_latest``,
        when the column is present) of ``questionnaire`` is used.
    questionnaire : str
        Questionnaire key.
    question : str
        Grid question text before the ``[service]`` part; compared after
        `normalize_label`, so case, spacing and ``ё`` do not matter.

    Returns
    -------
    pandas.DataFrame
        One row per respondent and service with columns ``code``,
        ``service`` and ``level`` (``"yes"``, ``"partial"``, ``"no"``).

    Notes
    -----
    Every service that appears in a header counts, so a service added to
    the form later is picked up without code changes. Empty answers and
    labels other than Да / Частично / Нет are dropped; the count of unknown
    labels is logged at WARNING.
    """
    rows = _latest_answers(answers, questionnaire)
    split = rows["question"].map(split_grid_question)
    stem = split.map(lambda pair: normalize_label(pair[0]))
    service = split.map(lambda pair: pair[1])
    chosen = rows[(stem == normalize_label(question)) & service.notna()]
    levels = chosen["answer"].map(normalize_label).map(
        {DIFFICULTY_YES: "yes", DIFFICULTY_PARTIAL: "partial", DIFFICULTY_NO: "no"}
    )
    unknown = chosen["answer"].map(normalize_label).ne("") & levels.isna()
    if unknown.any():
        logger.warning(
            "%d difficulty answers have labels other than Да/Частично/Нет: %s",
            int(unknown.sum()),
            sorted(chosen.loc[unknown, "answer"].astype(str).unique())[:5],
        )
    result = pd.DataFrame(
        {
            "code": chosen["code"].to_numpy(),
            "service": service[chosen.index].to_numpy(),
            "level": levels.to_numpy(),
        }
    ).dropna(subset=["level"])
    # A respondent with two rows for one service keeps the last one.
    return result.drop_duplicates(["code", "service"], keep="last").reset_index(
        drop=True
    )


def _share_rows(
    flags: pd.DataFrame, dimension: str, group_column: str | None, min_n: int
) -> pd.DataFrame:
    """Summarise a per-unit boolean ``difficulty`` column into share rows."""
    if group_column is None:
        grouped = [("all", flags)]
    else:
        grouped = [
            (name, part)
            for name, part in flags.groupby(group_column, observed=True, sort=True)
        ]
    records = []
    for name, part in grouped:
        n = int(len(part))
        if n == 0:
            continue
        n_difficulty = int(part["difficulty"].sum())
        ci_low, ci_high = wilson_interval(n_difficulty, n)
        records.append(
            {
                "dimension": dimension,
                "group": str(name),
                "n": n,
                "n_difficulty": n_difficulty,
                "n_yes": int(part["n_yes"].gt(0).sum()),
                "n_partial_only": int(
                    (part["n_yes"].eq(0) & part["n_partial"].gt(0)).sum()
                ),
                "share": n_difficulty / n,
                "ci_low": float(ci_low),
                "ci_high": float(ci_high),
                "few_observations": n < min_n,
            }
        )
    return pd.DataFrame.from_records(records)


_SHARE_COLUMNS = [
    "dimension",
    "group",
    "n",
    "n_difficulty",
    "n_yes",
    "n_partial_only",
    "share",
    "ci_low",
    "ci_high",
    "few_observations",
]


def difficulty_shares(
    answers: pd.DataFrame,
    participants: pd.DataFrame | None = None,
    *,
    questionnaire: str = "diagnostic",
    question: str = DIFFICULTY_QUESTION,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Compute the share of teachers with difficulties, with Wilson 95% CIs.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``answers_frame``; see `difficulty_answers`.
    participants : pandas.DataFrame, optional
        ``participants_frame`` with ``code``, ``subject`` and
        ``experience_years``; without it the subject and experience rows
        are left out.
    questionnaire, question : str
        Which grid question holds the Да / Частично / Нет answers.
    min_n : int
        Groups with fewer respondents are flagged in ``few_observations``.

    Returns
    -------
    pandas.DataFrame
        One row per group, with columns:

        - ``dimension``: ``"overall"``, ``"service"``, ``"subject"`` or
          ``"experience_band"``.
        - ``group``: ``"all"``, the service name, the subject or the band
          label (``0–5``, ``6–15``, ``16–25``, ``26+``).
        - ``n``: respondents in the group who answered at least one service
          (for ``"service"`` rows: who answered that service).
        - ``n_difficulty``: respondents with Да or Частично (see Notes).
        - ``n_yes``: respondents with at least one Да.
        - ``n_partial_only``: respondents with Частично but no Да.
        - ``share``: ``n_difficulty / n``.
        - ``ci_low``, ``ci_high``: Wilson 95% interval of ``share``.
        - ``few_observations``: ``n < min_n``; such shares should not be
          ranked or compared.

    Notes
    -----
    Rule: a teacher has difficulties when they answer Да or Частично for at
    least one service; for a ``"service"`` row, when they answer Да or
    Частично for that service. Unanswered services are missing, not Нет, so
    a teacher who answered no service is left out of every denominator.
    Teachers without a subject or experience are left out of those rows
    only. Groups with no respondents are omitted. The Wilson interval is
    checked against statsmodels ``proportion_confint(method="wilson")``.
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n!r}")
    levels = difficulty_answers(answers, questionnaire=questionnaire, question=question)
    if levels.empty:
        return pd.DataFrame(columns=_SHARE_COLUMNS)
    levels = levels.assign(
        yes=levels["level"].eq("yes"), partial=levels["level"].eq("partial")
    )
    per_teacher = levels.groupby("code").agg(
        n_yes=("yes", "sum"), n_partial=("partial", "sum")
    )
    per_teacher["difficulty"] = (per_teacher["n_yes"] + per_teacher["n_partial"]) > 0
    per_teacher = per_teacher.reset_index()

    per_service = levels.assign(
        n_yes=levels["yes"].astype(int),
        n_partial=levels["partial"].astype(int),
        difficulty=levels["yes"] | levels["partial"],
    )
    parts = [
        _share_rows(per_teacher, "overall", None, min_n),
        _share_rows(per_service, "service", "service", min_n),
    ]
    if participants is not None:
        info = participants[["code", "subject", "experience_years"]].drop_duplicates(
            "code"
        )
        joined = per_teacher.merge(info, on="code", how="left")
        joined["band"] = experience_band(joined["experience_years"])
        subjects = joined.assign(subject=joined["subject"].astype("string").str.strip())
        subjects = subjects[subjects["subject"].fillna("").ne("")]
        parts.append(_share_rows(subjects, "subject", "subject", min_n))
        parts.append(_share_rows(joined, "experience_band", "band", min_n))
    result = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    return result[_SHARE_COLUMNS]


def split_multi_choice(
    text: object, options: Sequence[str] | None = None
) -> tuple[list[str], str | None]:
    """Split a checkbox answer joined with ``", "`` into its options.

    Parameters
    ----------
    text : str or None
        Raw answer cell.
    options : sequence of str, optional
        Known option labels. Options may contain commas.

    Returns
    -------
    chosen : list of str
        Known options found, spelled as in ``options`` and in their order.
        Without ``options``, the ``", "``-separated pieces.
    other : str or None
        With ``options``: what remains after the known options are removed,
        as one free answer with a leading «Другое:» removed; ``None`` when
        nothing remains.

    Notes
    -----
    Options are matched longest first, case- and ``ё``-insensitively, and
    only as whole items between ``", "`` separators, so «Интерактивная
    доска, панель» is not read as two options. Without an option list the
    split may cut an option that contains ``", "``, so a warning is issued.
    """
    source = normalize_label(text)
    if not source:
        return [], None
    if options is None:
        warnings.warn(
            "no option list given: splitting multi-choice answers at ', ' "
            "may cut options that contain commas",
            stacklevel=2,
        )
        return [piece.strip() for piece in str(text).split(", ") if piece.strip()], None
    found = set()
    remaining = source
    for option in sorted(options, key=len, reverse=True):
        key = normalize_label(option)
        # A match removed earlier leaves "\x00", which also bounds an item.
        pattern = re.compile(
            r"(?:(?<=^)|(?<=, )|(?<=\x00))" + re.escape(key) + r"(?=, |\x00|$)"
        )
        if pattern.search(remaining):
            found.add(option)
            remaining = pattern.sub("\x00", remaining, count=1)
    leftover_pieces = [p.strip(" ,") for p in remaining.split("\x00")]
    leftover = ", ".join(p for p in leftover_pieces if p)
    other = None
    if leftover:
        # Recover the original spelling of the free text from the raw cell.
        raw = " ".join(str(text).split())
        start = normalize_label(raw).find(leftover)
        other = raw[start : start + len(leftover)] if start >= 0 else leftover
        other = _OTHER_PREFIX.sub("", other).strip() or None
    return [option for option in options if option in found], other


def choice_counts(
    answers: pd.DataFrame,
    question: str,
    *,
    options: Sequence[str] | None = None,
    questionnaire: str = "diagnostic",
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Count how many respondents chose each option of a (multi-)choice question.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``answers_frame``; the latest submission of ``questionnaire`` counts.
    question : str
        Question text, compared after `normalize_label`.
    options : sequence of str, optional
        Known options; see `split_multi_choice`. Options that nobody chose
        are listed with ``n = 0``.
    questionnaire : str
        Questionnaire key.
    min_n : int
        ``few_observations`` is true when fewer respondents submitted the
        questionnaire.

    Returns
    -------
    pandas.DataFrame
        One row per option, most chosen first, with columns ``option``,
        ``is_other`` (a free «Другое» answer), ``n`` (respondents who chose
        it), ``n_respondents`` (respondents who submitted the
        questionnaire), ``share`` (``n / n_respondents``), ``ci_low`` and
        ``ci_high`` (Wilson 95%), ``few_observations``.

    Notes
    -----
    The denominator is everyone who submitted the questionnaire, so a
    respondent who skipped the question counts as choosing nothing. Several
    rows for one respondent (an importer that stores one row per option)
    are merged. Shares of different options do not sum to 1.
    """
    rows = _latest_answers(answers, questionnaire)
    n_respondents = int(rows["code"].nunique())
    key = normalize_label(question)
    chosen_rows = rows[rows["question"].map(normalize_label) == key]
    picks: dict[str, set[str]] = {}
    others: dict[str, set[str]] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for code, text in zip(chosen_rows["code"], chosen_rows["answer"], strict=True):
            chosen, other = split_multi_choice(text, options)
            for option in chosen:
                picks.setdefault(option, set()).add(code)
            if other:
                others.setdefault(other, set()).add(code)
    if caught:
        warnings.warn(str(caught[0].message), stacklevel=2)
    records = [(option, False, len(picks.get(option, ()))) for option in options or []]
    if options is None:
        records = [(option, False, len(codes)) for option, codes in picks.items()]
    records += [(other, True, len(codes)) for other, codes in others.items()]
    frame = pd.DataFrame.from_records(records, columns=["option", "is_other", "n"])
    frame["n_respondents"] = n_respondents
    if n_respondents == 0:
        return frame.iloc[0:0].assign(
            share=[], ci_low=[], ci_high=[], few_observations=[]
        )
    frame["share"] = frame["n"] / n_respondents
    low, high = wilson_interval(frame["n"].to_numpy(), np.full(len(frame), n_respondents))
    frame["ci_low"] = low
    frame["ci_high"] = high
    frame["few_observations"] = n_respondents < min_n
    return frame.sort_values(
        ["n", "option"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def latest_scores(
    assessments: pd.DataFrame, *, stages: Iterable[str] = ("diagnostic", "pre")
) -> pd.DataFrame:
    """Pick each teacher's latest score per area from the first stage present.

    Returns a frame with ``code``, ``area``, ``stage``, ``score_percent``.
    For each teacher and area the first stage of ``stages`` that has a score
    is used, and within it the latest ``assessed_on``.
    """
    order = list(stages)
    data = assessments[assessments["stage"].isin(order)].dropna(
        subset=["score_percent"]
    )
    data = data.assign(_rank=data["stage"].map({s: i for i, s in enumerate(order)}))
    sort_columns = ["code", "area", "_rank"]
    ascending = [True, True, True]
    if "assessed_on" in data.columns:
        sort_columns.append("assessed_on")
        ascending.append(False)
    data = data.sort_values(sort_columns, ascending=ascending, kind="stable")
    first = data.drop_duplicates(["code", "area"], keep="first")
    return first[["code", "area", "stage", "score_percent"]].reset_index(drop=True)


def competence_matrix(
    assessments: pd.DataFrame,
    *,
    stages: Iterable[str] = ("diagnostic", "pre"),
    sort_by: str | None = "mean",
    ascending: bool = True,
) -> pd.DataFrame:
    """Build the teacher × area matrix of competence scores for a heatmap.

    Parameters
    ----------
    assessments : pandas.DataFrame
        ``assessments_frame``.
    stages : iterable of str
        Stages to read, in order of preference (see `latest_scores`).
    sort_by : str or None
        ``"mean"`` sorts teachers by their mean over assessed areas, an area
        name by that area's score, ``None`` by code.
    ascending : bool
        Sort order; the default puts the weakest teachers first.

    Returns
    -------
    pandas.DataFrame
        Index ``code`` and one column per area (alphabetical) with
        ``score_percent``, missing when the area was not assessed. The last
        column, ``mean``, is the mean over the assessed areas.

    Notes
    -----
    Ties keep code order. Missing cells stay missing so that the heatmap can
    show them as blank; the page must label them, not print ``nan``.
    """
    scores = latest_scores(assessments, stages=stages)
    matrix = scores.pivot(index="code", columns="area", values="score_percent")
    matrix = matrix.reindex(sorted(matrix.columns), axis=1)
    matrix.columns.name = None
    matrix["mean"] = matrix.mean(axis=1)
    if sort_by is None:
        return matrix.sort_index()
    if sort_by not in matrix.columns:
        raise ValueError(
            f"sort_by must be 'mean', None or an area name, got {sort_by!r}; "
            f"areas: {list(matrix.columns[:-1])}"
        )
    return matrix.sort_index().sort_values(
        sort_by, ascending=ascending, kind="stable", na_position="last"
    )


def mentor_need(
    assessments: pd.DataFrame,
    *,
    need_threshold: float = DEFAULT_NEED_THRESHOLD,
    strong_threshold: float = DEFAULT_STRONG_THRESHOLD,
    mentees_per_mentor: int = DEFAULT_MENTEES_PER_MENTOR,
    mentor_codes: Iterable[str] | None = None,
    stages: Iterable[str] = ("diagnostic", "pre"),
) -> pd.DataFrame:
    """Compare, per area, the teachers who need help with mentor capacity.

    Parameters
    ----------
    assessments : pandas.DataFrame
        ``assessments_frame``.
    need_threshold : float
        A teacher needs help in an area when ``score_percent`` is below it.
    strong_threshold : float
        A teacher can mentor an area when ``score_percent`` is at least it.
    mentees_per_mentor : int
        How many mentees one mentor can take in one area.
    mentor_codes : iterable of str, optional
        When given, only these teachers count as possible mentors.
    stages : iterable of str
        See `latest_scores`.

    Returns
    -------
    pandas.DataFrame
        One row per area, largest shortfall first, with columns ``area``,
        ``n_assessed``, ``n_need`` (below ``need_threshold``), ``n_strong``
        (at or above ``strong_threshold``), ``capacity``
        (``n_strong × mentees_per_mentor``), ``shortfall``
        (``max(0, n_need − capacity)``: teachers left without a mentor),
        ``mentors_needed`` (``ceil(n_need / mentees_per_mentor)``) and
        ``mentors_missing`` (``max(0, mentors_needed − n_strong)``).

    Notes
    -----
    Each area is counted on its own: a mentor strong in two areas adds
    capacity to both, so the sum of capacities over areas overstates what
    the staff can do at once. Teachers without a score in an area are left
    out of that area.
    """
    if not 0 <= need_threshold <= strong_threshold <= 100:
        raise ValueError(
            "thresholds must satisfy 0 <= need_threshold <= strong_threshold "
            f"<= 100, got {need_threshold!r} and {strong_threshold!r}"
        )
    if mentees_per_mentor < 1:
        raise ValueError(
            f"mentees_per_mentor must be at least 1, got {mentees_per_mentor!r}"
        )
    scores = latest_scores(assessments, stages=stages)
    strong = scores["score_percent"] >= strong_threshold
    if mentor_codes is not None:
        strong &= scores["code"].isin(set(mentor_codes))
    table = (
        scores.assign(need=scores["score_percent"] < need_threshold, strong=strong)
        .groupby("area")
        .agg(n_assessed=("code", "nunique"), n_need=("need", "sum"), n_strong=("strong", "sum"))
        .reset_index()
    )
    table["n_need"] = table["n_need"].astype(int)
    table["n_strong"] = table["n_strong"].astype(int)
    table["capacity"] = table["n_strong"] * mentees_per_mentor
    table["shortfall"] = (table["n_need"] - table["capacity"]).clip(lower=0)
    table["mentors_needed"] = -(-table["n_need"] // mentees_per_mentor)
    table["mentors_missing"] = (table["mentors_needed"] - table["n_strong"]).clip(
        lower=0
    )
    return table.sort_values(
        ["shortfall", "n_need", "area"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def respondent_profiles(
    answers: pd.DataFrame,
    participants: pd.DataFrame | None,
    questions: Mapping[str, str],
    *,
    options: Mapping[str, Sequence[str]] | None = None,
    questionnaire: str = "diagnostic",
) -> pd.DataFrame:
    """Collect each respondent's preferences and interests for pair matching.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``answers_frame``; the latest submission of ``questionnaire`` counts.
    participants : pandas.DataFrame or None
        ``participants_frame``; supplies ``subject``. Participants who did
        not answer get a row with empty lists.
    questions : mapping of str to str
        Profile field (e.g. ``"interests"``, ``"format"``, ``"schedule"``,
        ``"style"``) to the question text that holds it.
    options : mapping of str to sequence of str, optional
        Known options per field, for splitting multi-choice answers (see
        `split_multi_choice`). A field without options is split at ``", "``.
    questionnaire : str
        Questionnaire key.

    Returns
    -------
    pandas.DataFrame
        One row per code with ``code``, ``subject`` (missing when unknown)
        and one column per field of ``questions`` holding a list of the
        chosen values; a free «Другое» answer is kept as one more value.
    """
    options = options or {}
    rows = _latest_answers(answers, questionnaire)
    codes = list(dict.fromkeys(rows["code"].astype(str)))
    if participants is not None:
        codes = list(dict.fromkeys([*participants["code"].astype(str), *codes]))
    profile = pd.DataFrame({"code": codes})
    if participants is not None:
        subjects = participants.drop_duplicates("code").set_index(
            participants.drop_duplicates("code")["code"].astype(str)
        )["subject"]
        profile["subject"] = profile["code"].map(subjects)
    else:
        profile["subject"] = pd.NA
    question_keys = rows["question"].map(normalize_label)
    for name, question in questions.items():
        chosen = rows[question_keys == normalize_label(question)]
        values: dict[str, list[str]] = {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for code, text in zip(chosen["code"].astype(str), chosen["answer"], strict=True):
                picked, other = split_multi_choice(text, options.get(name))
                values.setdefault(code, []).extend(picked + ([other] if other else []))
        if caught:
            logger.info("field %r has no option list; answers were split at ', '", name)
        profile[name] = profile["code"].map(lambda c, v=values: list(dict.fromkeys(v.get(c, []))))
    return profile
