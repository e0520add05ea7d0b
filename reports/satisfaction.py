"""Satisfaction figures for the «Удовлетворённость» page and the `satisfaction` key."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import satisfaction
from analysis.effect_size import correlation_magnitude
from analysis.plain_language import (
    COMPARISON_CAVEAT,
    EFFECT_WORDS,
    format_number,
    significance_phrase,
)
from analysis.filters import Filters, filter_by_dates
from reports.frames import Frames

logger = logging.getLogger(__name__)

# Questionnaire key and the group role of its respondents.
QUESTIONNAIRES = {"mentee_satisfaction": "mentee", "mentor_satisfaction": "mentor"}

CONTRACT_KEYS = ("questionnaire", "respondents", "share_satisfied", "index_percent",
                 "cronbach_alpha", "alpha_ci_low", "alpha_ci_high")


@dataclass(frozen=True)
class QuestionnaireFigures:
    questionnaire: str
    role: str
    summary: dict  # analysis.satisfaction.satisfaction_summary
    response: dict  # response_rate
    scores: pd.DataFrame  # respondent_scores plus `model` (missing when not one model)
    distribution: pd.DataFrame  # question_distribution
    top_two: pd.DataFrame  # top_two_box
    comparison: dict  # compare_models
    texts: pd.DataFrame  # text_answers
    themes: pd.DataFrame  # theme_counts


def _answers_in_scope(frames: Frames, filters: Filters, role: str) -> pd.DataFrame:
    """Keep answers in the date window, of respondents in the chosen model."""
    answers = filter_by_dates(frames.answers, "answered_at", filters)
    if filters.model is None:
        return answers
    column = "mentee_code" if role == "mentee" else "mentor_code"
    in_model = frames.groups.loc[frames.groups["model"] == filters.model, column]
    return answers.loc[answers["code"].isin(set(in_model))]


def questionnaire_figures(
    frames: Frames, questionnaire: str, filters: Filters | None = None
) -> QuestionnaireFigures:
    """Compute every table of one questionnaire for the chosen filters."""
    filters = filters or Filters()
    role = QUESTIONNAIRES.get(questionnaire, "mentee")
    answers = _answers_in_scope(frames, filters, role)
    groups = frames.groups
    if filters.model is not None:
        groups = groups.loc[groups["model"] == filters.model]
    scores = satisfaction.respondent_scores(answers, frames.questions, questionnaire)
    models = satisfaction.respondent_models(frames.groups, role)
    scores = scores.assign(model=scores["code"].map(models))
    texts = satisfaction.text_answers(answers, frames.questions, questionnaire)
    return QuestionnaireFigures(
        questionnaire=questionnaire,
        role=role,
        summary=satisfaction.satisfaction_summary(answers, frames.questions, questionnaire),
        response=satisfaction.response_rate(answers, groups, questionnaire, role),
        scores=scores,
        distribution=satisfaction.question_distribution(answers, frames.questions,
                                                        questionnaire),
        top_two=satisfaction.top_two_box(answers, frames.questions, questionnaire),
        comparison=satisfaction.compare_models(scores, frames.groups, role),
        texts=texts,
        themes=satisfaction.theme_counts(texts),
    )


def satisfaction_summary(frames: Frames) -> list[dict[str, Any]]:
    """Build the `satisfaction` key of `reports summary --json`.

    Besides the contract's keys each object adds `share_ci_low` and
    `share_ci_high` (Wilson 95 % interval of `share_satisfied`),
    `response_rate`, and `note` when a figure is null.
    """
    result = []
    for questionnaire, role in QUESTIONNAIRES.items():
        summary = satisfaction.satisfaction_summary(
            frames.answers, frames.questions, questionnaire
        )
        response = satisfaction.response_rate(frames.answers, frames.groups,
                                              questionnaire, role)
        item = {key: summary[key] for key in CONTRACT_KEYS}
        item["share_ci_low"] = summary["ci_low"]
        item["share_ci_high"] = summary["ci_high"]
        item["response_rate"] = response["response_rate"]
        notes = [text for text in (summary["note"], summary["alpha_note"]) if text]
        if notes:
            item["note"] = " ".join(notes)
        result.append(item)
    return result


def share_satisfied_phrase(item: dict) -> str:
    """Word the share satisfied of one `satisfaction` summary item with its Wilson interval.

    ``item`` is an object of :func:`satisfaction_summary` (``share_satisfied``,
    ``share_ci_low``, ``share_ci_high``, all fractions). Returns, for example,
    «50,0 % (95-процентный интервал Уилсона: от 25,4 % до 74,6 %)», or
    «доля не рассчитана» when the share is missing. A no-break space is placed
    before each «%», so a PDF line never starts with the sign.
    """
    share = item.get("share_satisfied")
    if share is None or pd.isna(share):
        return "доля не рассчитана"
    text = f"{format_number(share * 100)}\u00a0%"
    low, high = item.get("share_ci_low"), item.get("share_ci_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return text
    return (
        f"{text} (95-процентный интервал Уилсона: от {format_number(low * 100)}\u00a0% "
        f"до {format_number(high * 100)}\u00a0%)"
    )


def diverging_shares(distribution: pd.DataFrame) -> pd.DataFrame:
    """Lay out answer shares for a diverging stacked bar chart.

    Returns one row per question and scale point: ``question``, ``value``,
    ``share`` and ``signed_share`` (negative for points below the scale's
    midpoint, and for half of a middle point, which is split in two rows
    with ``half`` True). Rows are ordered so that bars drawn in this order
    grow outward from zero on each side.
    """
    rows = []
    for row in distribution.itertuples(index=False):
        midpoint = (row.scale_min + row.scale_max) / 2
        if row.value < midpoint:
            rows.append((row.question, row.value, row.share, -row.share, False,
                         midpoint - row.value))
        elif row.value > midpoint:
            rows.append((row.question, row.value, row.share, row.share, False,
                         row.value - midpoint))
        else:
            rows.append((row.question, row.value, row.share, -row.share / 2, True, 0.0))
            rows.append((row.question, row.value, row.share, row.share / 2, True, 0.0))
    table = pd.DataFrame(rows, columns=["question", "value", "share", "signed_share",
                                        "half", "distance"])
    table = table.sort_values(["distance", "signed_share"], kind="stable")
    return table.drop(columns="distance").reset_index(drop=True)


def comparison_reading(comparison: dict, alpha: float = 0.05) -> list[str]:
    """Word the digital-versus-traditional comparison of satisfaction scores for a head teacher.

    Returns the sentences in reading order. The first is a warning when
    either model has fewer than ``analysis.satisfaction.MIN_GROUP_FOR_COMPARISON``
    respondents. Then come the direction of the difference, its size
    (rank-biserial r by Cohen's benchmarks for a correlation, read from r
    rounded to the two decimals shown), the significance, and what the
    comparison cannot show. A direction is stated as a finding only when the
    Mann-Whitney p-value is below ``alpha``. Otherwise the sentence names it
    as what this sample shows and says in the same sentence that it is not
    significant. Returns an empty list when either model has no respondent.
    """
    r = comparison["rank_biserial"]
    if comparison["n_digital"] == 0 or comparison["n_traditional"] == 0 or pd.isna(r):
        return []
    sentences = []
    n_digital, n_traditional = comparison["n_digital"], comparison["n_traditional"]
    if min(n_digital, n_traditional) < satisfaction.MIN_GROUP_FOR_COMPARISON:
        sentences.append(
            f"Ответивших мало: в цифровой модели {n_digital}, в традиционной "
            f"{n_traditional}, а для сравнения нужно хотя бы "
            f"{satisfaction.MIN_GROUP_FOR_COMPARISON} в каждой. Сравнение ненадёжно: "
            "по этим данным нельзя сказать, в какой модели оценки выше."
        )
    size = correlation_magnitude(r)
    word = EFFECT_WORDS[size]
    shown = f"r = {format_number(r, 2)}"
    p_value = comparison["p_value"]
    significant = not pd.isna(p_value) and p_value < alpha
    higher, lower = ("цифровой", "традиционной") if r > 0 else ("традиционной", "цифровой")
    if size == "negligible":
        sentences.append(f"Оценки в двух моделях практически не различаются ({shown}).")
    elif significant:
        sentences.append(
            f"В {higher} модели участники чаще ставят более высокие оценки, чем в "
            f"{lower} ({shown})."
        )
    else:
        sentences.append(
            f"В этой выборке баллы чаще выше в {higher} модели ({shown}), но различие "
            "статистически не значимо, поэтому по этим данным нельзя утверждать, что в "
            "одной из моделей оценки выше."
        )
    sentences.append(
        f"Это {word} различие по шкале Коэна для корреляций (0,1 — небольшое, "
        "0,3 — среднее, 0,5 — большое)."
    )
    sentences += [
        "r — ранговая бисериальная корреляция: доля пар «цифровая — традиционная», где балл "
        "выше в цифровой модели, минус доля пар, где он ниже.",
        f"Критерий Манна–Уитни: различие {significance_phrase(p_value, alpha)}.",
        COMPARISON_CAVEAT,
    ]
    return sentences
