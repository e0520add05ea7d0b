"""Satisfaction questionnaires: response rate, scores, shares, alpha and free text.

Every function takes the long ``answers`` frame (``code, questionnaire,
question, answer, value, is_latest``) and, where scales matter, the
``questions`` scale dictionary (``questionnaire, question, scale_min,
scale_max, reverse, is_scale_item, kind``). Only each respondent's latest
submission (``is_latest``) counts.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from scipy import stats

from analysis import proportions
from analysis.reliability import cronbach_alpha

logger = logging.getLogger(__name__)

__all__ = [
    "SATISFIED_FRACTION",
    "THEME_KEYWORDS",
    "compare_models",
    "question_distribution",
    "respondent_models",
    "respondent_scores",
    "response_rate",
    "satisfaction_summary",
    "text_answers",
    "theme_counts",
    "top_two_box",
    "wilson_interval",
]

# A respondent is satisfied when their score reaches min + 0.75 * (max - min):
# 4 on a 1-5 scale, 7.75 on a 1-10 scale.
SATISFIED_FRACTION = 0.75

# Models compared by Mann-Whitney; with fewer respondents in either model the
# comparison is reported as unreliable. Ten is a rule of thumb, not a power
# calculation: with 10 per group only a large difference is likely to show.
MIN_GROUP_FOR_COMPARISON = 10

# Russian word stems per theme, matched at the start of a word after
# lower-casing and replacing "ё" with "е". One answer may match several themes.
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Время и нагрузка": (
        "врем", "график", "расписан", "нагрузк", "некогда", "занят", "срок",
        "успева", "успел", "часов", "перенест", "отчет",
    ),
    "Встречи и формат": (
        "встреч", "чаще", "реже", "записыва", "очно", "онлайн", "дистанц", "формат",
    ),
    "Техника и интернет": (
        "интернет", "техник", "компьютер", "ноутбук", "планшет", "проектор",
        "оборудован", "подключ", "сбой", "сбои", "завис", "тормоз", "wi-fi",
        "wifi", "камер", "микрофон",
    ),
    "Платформы и сервисы": (
        "сферум", "моя школа", "фгис", "платформ", "сервис", "госуслуг",
        "электронн", "журнал", "облак", "облач", "документ",
    ),
    "Методика и материалы": (
        "методи", "материал", "пример", "инструкц", "шаблон", "презентац",
        "ресурс", "памятк", "видеоурок", "задани",
    ),
    "Общение и поддержка": (
        "общени", "обща", "поддерж", "помощ", "помога", "помог", "обратн",
        "консультац", "внимани", "отзывчив",
    ),
    "Практика и обучение": (
        "практи", "обучени", "курс", "тренинг", "мастер-класс", "навык",
        "научил", "освоил",
    ),
    "Благодарность": ("спасибо", "благодар", "понрав", "полезн", "доволен", "довольна"),
}

NO_THEME = "Без темы"


def wilson_interval(
    count: int, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Return the Wilson interval of ``count / n`` as two floats; NaN bounds when ``n == 0``.

    The computation is `analysis.proportions.wilson_interval`.
    """
    if n == 0 and count == 0:
        return (np.nan, np.nan)
    low, high = proportions.wilson_interval(count, n, confidence)
    return (float(low), float(high))


def _latest(answers: pd.DataFrame, questionnaire: str) -> pd.DataFrame:
    selected = answers[(answers["questionnaire"] == questionnaire) & answers["is_latest"]]
    return selected.copy()


def _keyed_scale_answers(
    answers: pd.DataFrame, questions: pd.DataFrame, questionnaire: str
) -> pd.DataFrame:
    """Return latest on-scale answers to scale items with ``keyed`` = reversed value."""
    dictionary = questions[
        (questions["questionnaire"] == questionnaire) & questions["is_scale_item"]
    ][["question", "scale_min", "scale_max", "reverse"]]
    latest = _latest(answers, questionnaire)
    merged = latest.merge(dictionary, on="question", how="inner")
    merged = merged[merged["value"].notna()]

    off_scale = (merged["value"] < merged["scale_min"]) | (
        merged["value"] > merged["scale_max"]
    )
    if off_scale.any():
        row = merged[off_scale].iloc[0]
        raise ValueError(
            f"answer {row['value']!r} to question {row['question']!r} of "
            f"{questionnaire!r} is outside its scale {row['scale_min']}-"
            f"{row['scale_max']}; fix the answer or the scale dictionary"
        )
    reverse = merged["reverse"].astype(bool)
    merged["keyed"] = merged["value"].where(
        ~reverse, merged["scale_min"] + merged["scale_max"] - merged["value"]
    )
    return merged


def _common_scale(keyed: pd.DataFrame, questionnaire: str) -> tuple[float, float]:
    scales = keyed[["scale_min", "scale_max"]].drop_duplicates()
    if len(scales) > 1:
        listed = ", ".join(f"{a:g}-{b:g}" for a, b in scales.itertuples(index=False))
        raise ValueError(
            f"scale items of {questionnaire!r} use different scales ({listed}); "
            "a score needs one scale, so mark the odd items is_scale_item=False"
        )
    return float(scales.iloc[0, 0]), float(scales.iloc[0, 1])


def respondent_scores(
    answers: pd.DataFrame, questions: pd.DataFrame, questionnaire: str
) -> pd.DataFrame:
    """Score each respondent of a questionnaire on its scale items.

    Parameters
    ----------
    answers, questions : pandas.DataFrame
        The answers frame and the scale dictionary.
    questionnaire : str
        Key such as ``"mentee_satisfaction"``.

    Returns
    -------
    pandas.DataFrame
        One row per respondent with at least one on-scale answer to a scale
        item: ``code``; ``n_items`` (scale items answered); ``score`` (mean
        keyed answer, on the questionnaire's scale); ``score_percent``
        (``(score - min) / (max - min) * 100``); ``satisfied`` (bool,
        ``score >= min + 0.75 * (max - min)``); ``scale_min`` and
        ``scale_max``. Empty when nobody answered a scale item.

    Notes
    -----
    Reverse-keyed items are reversed first (``min + max - x``). Answers off
    the scale (``value`` missing, such as "затрудняюсь ответить") are left
    out of the mean, so a respondent's score averages the items they did
    answer. All scale items of one questionnaire must share one scale,
    otherwise ``ValueError`` is raised. Checked by hand-built frames with
    known scores in the tests.
    """
    keyed = _keyed_scale_answers(answers, questions, questionnaire)
    columns = ["code", "n_items", "score", "score_percent", "satisfied",
               "scale_min", "scale_max"]
    if keyed.empty:
        return pd.DataFrame(columns=columns)
    scale_min, scale_max = _common_scale(keyed, questionnaire)

    per_person = keyed.groupby("code")["keyed"].agg(n_items="count", score="mean")
    per_person = per_person.reset_index()
    width = scale_max - scale_min
    per_person["score_percent"] = (per_person["score"] - scale_min) / width * 100
    per_person["satisfied"] = per_person["score"] >= (
        scale_min + SATISFIED_FRACTION * width
    )
    per_person["scale_min"] = scale_min
    per_person["scale_max"] = scale_max
    return per_person[columns]


def satisfaction_summary(
    answers: pd.DataFrame,
    questions: pd.DataFrame,
    questionnaire: str,
    confidence: float = 0.95,
) -> dict:
    """Summarise one satisfaction questionnaire.

    Parameters
    ----------
    answers, questions : pandas.DataFrame
        The answers frame and the scale dictionary.
    questionnaire : str
        Key such as ``"mentee_satisfaction"``.
    confidence : float
        Level of the Wilson and Feldt intervals.

    Returns
    -------
    dict
        ``questionnaire``; ``respondents``; ``n_satisfied``;
        ``share_satisfied`` with its Wilson interval ``ci_low``/``ci_high``;
        ``index_percent`` (mean ``score_percent``); ``mean_score``;
        ``scale_min``, ``scale_max`` and ``threshold`` (the score counted as
        satisfied); ``cronbach_alpha``, ``alpha_ci_low``, ``alpha_ci_high``,
        ``alpha_n``, ``alpha_n_excluded``, ``alpha_k`` and ``alpha_note``
        from :func:`analysis.reliability.cronbach_alpha`; ``note`` (``None``
        or a Russian sentence on why figures are missing or uncertain).
        Figures that cannot be computed are NaN.

    Notes
    -----
    ``share_satisfied`` counts respondents whose own score reaches the
    threshold; it is never derived from the mean score. ``index_percent`` is
    the mean over respondents of ``(score - min) / (max - min) * 100``.
    Alpha uses the keyed answers of the scale items, one row per respondent,
    with listwise deletion: a respondent who skipped an item is left out of
    alpha but not of the score. Checked against hand-computed frames and a
    second computation path in the tests.
    """
    scores = respondent_scores(answers, questions, questionnaire)
    n = len(scores)
    result: dict = {"questionnaire": questionnaire, "respondents": n}
    if n == 0:
        result.update(
            n_satisfied=0, share_satisfied=np.nan, ci_low=np.nan, ci_high=np.nan,
            index_percent=np.nan, mean_score=np.nan, scale_min=np.nan,
            scale_max=np.nan, threshold=np.nan, cronbach_alpha=np.nan,
            alpha_ci_low=np.nan, alpha_ci_high=np.nan, alpha_n=0,
            alpha_n_excluded=0, alpha_k=0,
            alpha_note="Альфа Кронбаха не рассчитана: ответов нет.",
            note="Ответов на эту анкету пока нет.",
        )
        return result

    scale_min = float(scores["scale_min"].iloc[0])
    scale_max = float(scores["scale_max"].iloc[0])
    n_satisfied = int(scores["satisfied"].sum())
    ci_low, ci_high = wilson_interval(n_satisfied, n, confidence)
    result.update(
        n_satisfied=n_satisfied,
        share_satisfied=n_satisfied / n,
        ci_low=ci_low,
        ci_high=ci_high,
        index_percent=float(scores["score_percent"].mean()),
        mean_score=float(scores["score"].mean()),
        scale_min=scale_min,
        scale_max=scale_max,
        threshold=scale_min + SATISFIED_FRACTION * (scale_max - scale_min),
    )

    keyed = _keyed_scale_answers(answers, questions, questionnaire)
    # The pivot leaves out items nobody answered on the scale, which listwise
    # deletion would otherwise turn into zero complete respondents.
    wide = keyed.pivot(index="code", columns="question", values="keyed")
    alpha = cronbach_alpha(wide, confidence=confidence)
    result.update(
        cronbach_alpha=alpha["cronbach_alpha"],
        alpha_ci_low=alpha["ci_low"],
        alpha_ci_high=alpha["ci_high"],
        alpha_n=alpha["n"],
        alpha_n_excluded=alpha["n_excluded"],
        alpha_k=alpha["k"],
        alpha_note=alpha["note"],
    )
    result["note"] = (
        f"Ответили {n} человек: доли и индекс по так малой выборке неустойчивы."
        if n < 10
        else None
    )
    return result


def response_rate(
    answers: pd.DataFrame,
    groups: pd.DataFrame,
    questionnaire: str,
    role: str,
    confidence: float = 0.95,
) -> dict:
    """Compute the share of a role's group members who answered a questionnaire.

    Parameters
    ----------
    answers : pandas.DataFrame
        The answers frame.
    groups : pandas.DataFrame
        The groups frame (``mentor_code``, ``mentee_code``).
    questionnaire : str
        Questionnaire key.
    role : {"mentee", "mentor"}
        Whose response rate: mentees (``mentee_code``) or mentors
        (``mentor_code``) of any group.
    confidence : float
        Level of the Wilson interval.

    Returns
    -------
    dict
        ``questionnaire``, ``role``, ``n_eligible`` (distinct people in a
        group in that role), ``n_respondents`` (of them, those with a latest
        answer), ``response_rate`` (NaN when ``n_eligible`` is 0), ``ci_low``,
        ``ci_high`` (Wilson) and ``n_respondents_not_in_group`` (respondents
        who are in no group in that role, left out of the rate).

    Notes
    -----
    Any answer of the latest submission counts, including "затрудняюсь
    ответить" and free text.
    """
    column = {"mentee": "mentee_code", "mentor": "mentor_code"}.get(role)
    if column is None:
        raise ValueError(f"role must be 'mentee' or 'mentor', got {role!r}")
    eligible = set(groups[column].dropna())
    respondents = set(_latest(answers, questionnaire)["code"])
    n_eligible = len(eligible)
    n_respondents = len(eligible & respondents)
    ci_low, ci_high = wilson_interval(n_respondents, n_eligible, confidence)
    return {
        "questionnaire": questionnaire,
        "role": role,
        "n_eligible": n_eligible,
        "n_respondents": n_respondents,
        "response_rate": n_respondents / n_eligible if n_eligible else np.nan,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "n_respondents_not_in_group": len(respondents - eligible),
    }


def _likert_questions(questions: pd.DataFrame, questionnaire: str) -> pd.DataFrame:
    selected = questions[
        (questions["questionnaire"] == questionnaire)
        & (questions["is_scale_item"] | (questions["kind"] == "likert"))
    ]
    return selected[["question", "scale_min", "scale_max", "reverse"]]


def question_distribution(
    answers: pd.DataFrame, questions: pd.DataFrame, questionnaire: str
) -> pd.DataFrame:
    """Count the answers per scale point of each Likert question.

    Parameters
    ----------
    answers, questions : pandas.DataFrame
        The answers frame and the scale dictionary.
    questionnaire : str
        Questionnaire key.

    Returns
    -------
    pandas.DataFrame
        One row per question and integer scale point, zero counts included:
        ``question``, ``reverse``, ``scale_min``, ``scale_max``, ``value``
        (the raw scale point as answered), ``count``, ``n`` (on-scale answers
        to the question) and ``share`` (``count / n``, 0 when ``n`` is 0).

    Notes
    -----
    Raw values are counted, so for a reverse-keyed item a high value is the
    unfavourable answer; the chart must read ``reverse``. Off-scale answers
    (``value`` missing) are not counted. Non-integer values are rounded to
    the nearest point.
    """
    likert = _likert_questions(questions, questionnaire)
    latest = _latest(answers, questionnaire)
    latest = latest[latest["value"].notna()]
    rows = []
    for question in likert.itertuples(index=False):
        values = latest.loc[latest["question"] == question.question, "value"].round()
        points = np.arange(int(question.scale_min), int(question.scale_max) + 1)
        counts = values.value_counts().reindex(points, fill_value=0)
        n = int(counts.sum())
        for point, count in counts.items():
            rows.append({
                "question": question.question,
                "reverse": bool(question.reverse),
                "scale_min": question.scale_min,
                "scale_max": question.scale_max,
                "value": int(point),
                "count": int(count),
                "n": n,
                "share": count / n if n else 0.0,
            })
    columns = ["question", "reverse", "scale_min", "scale_max", "value", "count",
               "n", "share"]
    return pd.DataFrame(rows, columns=columns)


def top_two_box(
    answers: pd.DataFrame,
    questions: pd.DataFrame,
    questionnaire: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compute the top-two-box share of each Likert question.

    Parameters
    ----------
    answers, questions : pandas.DataFrame
        The answers frame and the scale dictionary.
    questionnaire : str
        Questionnaire key.
    confidence : float
        Level of the Wilson interval.

    Returns
    -------
    pandas.DataFrame
        One row per question: ``question``, ``reverse``, ``n`` (on-scale
        answers), ``n_top_two`` (answers on the two most favourable points),
        ``top_two_share`` (NaN when ``n`` is 0), ``ci_low``, ``ci_high``
        (Wilson) and ``mean_keyed`` (mean answer after reversal).

    Notes
    -----
    The favourable points are ``max - 1`` and ``max`` after reverse-keyed
    items are reversed (``min + max - x``), so for those items they are the
    raw points ``min`` and ``min + 1``: 4-5 on a 1-5 scale, 9-10 on 1-10.
    """
    likert = _likert_questions(questions, questionnaire)
    latest = _latest(answers, questionnaire)
    latest = latest[latest["value"].notna()]
    rows = []
    for question in likert.itertuples(index=False):
        values = latest.loc[latest["question"] == question.question, "value"]
        if question.reverse:
            values = question.scale_min + question.scale_max - values
        n = int(values.size)
        n_top = int((values >= question.scale_max - 1).sum())
        ci_low, ci_high = wilson_interval(n_top, n, confidence)
        rows.append({
            "question": question.question,
            "reverse": bool(question.reverse),
            "n": n,
            "n_top_two": n_top,
            "top_two_share": n_top / n if n else np.nan,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "mean_keyed": float(values.mean()) if n else np.nan,
        })
    columns = ["question", "reverse", "n", "n_top_two", "top_two_share", "ci_low",
               "ci_high", "mean_keyed"]
    return pd.DataFrame(rows, columns=columns)


def respondent_models(groups: pd.DataFrame, role: str) -> pd.Series:
    """Map each person in groups of one model only to that model.

    Parameters
    ----------
    groups : pandas.DataFrame
        The groups frame (``mentor_code``, ``mentee_code``, ``model``).
    role : {"mentee", "mentor"}
        Which group column to read.

    Returns
    -------
    pandas.Series
        Indexed by participant code, the model; people in groups of both
        models are left out.
    """
    column = {"mentee": "mentee_code", "mentor": "mentor_code"}.get(role)
    if column is None:
        raise ValueError(f"role must be 'mentee' or 'mentor', got {role!r}")
    n_models = groups.groupby(column)["model"].nunique()
    single = n_models.index[n_models == 1]
    first = groups.drop_duplicates(column).set_index(column)["model"]
    return first.loc[single]


def compare_models(
    scores: pd.DataFrame, groups: pd.DataFrame, role: str
) -> dict:
    """Compare respondents' scores between the digital and traditional models.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`respondent_scores` (``code``, ``score``).
    groups : pandas.DataFrame
        The groups frame (``mentor_code``, ``mentee_code``, ``model``).
    role : {"mentee", "mentor"}
        Which group column places a respondent in a model.

    Returns
    -------
    dict
        ``n_digital``, ``n_traditional``; ``n_excluded`` (respondents in no
        group, or in groups of both models); ``median_digital``,
        ``median_traditional``; ``mann_whitney_u`` (U of the digital group);
        ``p_value`` (two-sided); ``rank_biserial`` (rank-biserial
        correlation, ``2U / (n_digital * n_traditional) - 1``, positive when
        digital scores tend to be higher); ``note`` (``None`` or a Russian
        sentence). Figures are NaN when either model has no respondent.

    Notes
    -----
    ``scipy.stats.mannwhitneyu`` with its default method: exact without ties
    for small samples, otherwise the normal approximation with continuity
    correction. The effect size is the rank-biserial correlation (Kerby's
    simple difference formula), equal to pingouin's ``RBC`` with the digital
    group as ``x``. Checked against ``pingouin.mwu`` 0.7.0.
    """
    placed = scores.assign(model=scores["code"].map(respondent_models(groups, role)))
    digital = placed.loc[placed["model"] == "digital", "score"].to_numpy(float)
    traditional = placed.loc[placed["model"] == "traditional", "score"].to_numpy(float)
    result = {
        "n_digital": int(digital.size),
        "n_traditional": int(traditional.size),
        "n_excluded": int(placed["model"].isna().sum()),
        "median_digital": float(np.median(digital)) if digital.size else np.nan,
        "median_traditional": (
            float(np.median(traditional)) if traditional.size else np.nan
        ),
        "mann_whitney_u": np.nan,
        "p_value": np.nan,
        "rank_biserial": np.nan,
        "note": None,
    }
    if digital.size == 0 or traditional.size == 0:
        result["note"] = "Сравнение невозможно: в одной из моделей нет ответивших."
        return result

    test = stats.mannwhitneyu(digital, traditional, alternative="two-sided")
    result["mann_whitney_u"] = float(test.statistic)
    result["p_value"] = float(test.pvalue)
    result["rank_biserial"] = (
        2 * float(test.statistic) / (digital.size * traditional.size) - 1
    )
    if min(digital.size, traditional.size) < MIN_GROUP_FOR_COMPARISON:
        result["note"] = (
            f"В одной из моделей меньше {MIN_GROUP_FOR_COMPARISON} ответивших "
            f"(цифровая — {digital.size}, традиционная — {traditional.size}): сравнение "
            "ненадёжно, и вывод о том, в какой модели оценки выше, делать нельзя."
        )
    return result


def _normalise_text(text: str) -> str:
    return text.lower().replace("ё", "е")


def _themes_of(text: str) -> list[str]:
    normalised = _normalise_text(text)
    found = [
        theme
        for theme, stems in THEME_KEYWORDS.items()
        if any(re.search(r"(?<![\w-])" + re.escape(stem), normalised) for stem in stems)
    ]
    return found or [NO_THEME]


def text_answers(
    answers: pd.DataFrame, questions: pd.DataFrame, questionnaire: str
) -> pd.DataFrame:
    """List free-text answers with keyword themes.

    Parameters
    ----------
    answers, questions : pandas.DataFrame
        The answers frame and the scale dictionary (``kind == "text"`` marks
        free-text questions).
    questionnaire : str
        Questionnaire key.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty latest text answer: ``code``, ``question``,
        ``answer`` (stripped) and ``themes`` (list of theme names from
        :data:`THEME_KEYWORDS`, or ``["Без темы"]``).

    Notes
    -----
    A theme matches when one of its stems starts a word of the answer after
    lower-casing and replacing "ё" with "е". This is keyword matching, not
    language understanding: negations ("не хватало времени" and "времени
    хватало") land in the same theme.
    """
    text_questions = questions.loc[
        (questions["questionnaire"] == questionnaire) & (questions["kind"] == "text"),
        "question",
    ]
    latest = _latest(answers, questionnaire)
    selected = latest[latest["question"].isin(set(text_questions))]
    selected = selected.assign(answer=selected["answer"].astype("string").str.strip())
    selected = selected[selected["answer"].notna() & (selected["answer"] != "")]
    result = selected[["code", "question", "answer"]].reset_index(drop=True)
    result["themes"] = [_themes_of(str(text)) for text in result["answer"]]
    return result


def theme_counts(texts: pd.DataFrame) -> pd.DataFrame:
    """Count answers per theme.

    Parameters
    ----------
    texts : pandas.DataFrame
        Output of :func:`text_answers`.

    Returns
    -------
    pandas.DataFrame
        ``theme`` and ``count`` (answers mentioning it), most frequent first,
        with ``share`` of all listed answers. An answer with two themes counts
        once in each.
    """
    exploded = texts.explode("themes")
    counts = exploded["themes"].value_counts().rename_axis("theme").reset_index()
    counts["share"] = counts["count"] / len(texts) if len(texts) else 0.0
    return counts
