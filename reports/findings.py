"""Plain-Russian conclusions of the report's summary page, read from the summary builders.

Each section of the summary (effectiveness, engagement, satisfaction, rating)
comes from the builder of its JSON key in ``reports.summary.BUILDERS``. A key
without a builder yet is reported as «раздел ещё не рассчитан», so the report
can be built at every stage of the project.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from analysis.plain_language import (
    CHANGE_CAVEAT,
    format_number,
    participants_phrase,
    plural,
    significance_phrase,
)
from reports.frames import Frames
from reports.indicators import month_label
from reports.satisfaction import share_satisfied_phrase

logger = logging.getLogger(__name__)

NOT_COMPUTED = "раздел ещё не рассчитан"
# A no-break space keeps «45,7 %» and «1 780» on one line in the DOCX and PDF.
NBSP = "\u00a0"
# Sections of the summary page: (JSON key, Russian heading).
SECTIONS = (
    ("pre_post", "Эффективность: рост компетенций"),
    ("comparison", "Цифровая и традиционная модели"),
    ("engagement", "Вовлечённость"),
    ("satisfaction", "Удовлетворённость"),
    ("mentor_rating", "Рейтинг наставников"),
)
QUESTIONNAIRE_LABELS = {
    "mentee_satisfaction": "наставляемых",
    "mentor_satisfaction": "наставников",
}


def summary_findings(
    frames: Frames, builders: dict[str, Callable] | None = None
) -> list[tuple[str, list[str]]]:
    """Return (heading, sentences) per summary section, computed through the summary builders.

    A missing builder gives the sentence «раздел ещё не рассчитан»; a builder
    that fails or returns an unexpected shape gives a sentence saying so, and
    the error is logged.
    """
    if builders is None:
        from reports.summary import BUILDERS

        builders = BUILDERS
    findings = []
    for key, heading in SECTIONS:
        builder = builders.get(key)
        if builder is None:
            findings.append((heading, [f"{heading}: {NOT_COMPUTED}."]))
            continue
        try:
            sentences = _READERS[key](builder(frames))
        except (KeyError, TypeError, ValueError, IndexError) as error:
            logger.exception("summary section %s could not be read: %s", key, error)
            sentences = [f"{heading}: раздел не удалось рассчитать ({type(error).__name__})."]
        findings.append((heading, sentences or [f"{heading}: данных для вывода нет."]))
    return findings


def _format_grouped(value: float | None, digits: int = 0) -> str:
    """Format a number with a decimal comma and no-break spaces between thousands: «1 636»."""
    if value is None:
        return "не рассчитано"
    text = f"{value:,.{digits}f}".replace(",", NBSP).replace(".", ",").replace("-", "−")
    return text


def _pre_post(rows: list[dict]) -> list[str]:
    overall = [row for row in rows if row.get("area") == "overall"]
    if not overall:
        return []
    row = next((r for r in overall if r.get("model") == "all"), overall[0])
    if row.get("mean_pre") is None or row.get("mean_post") is None:
        return [f"Рост компетенций не рассчитан: {row.get('note') or 'мало пар оценок до и после'}."]
    sentences = [
        f"Средний результат участников ({participants_phrase(int(row['n']))} с оценками "
        f"до и после) изменился с {format_number(row['mean_pre'])} % до "
        f"{format_number(row['mean_post'])} % от максимума: изменение "
        f"{format_number(row['mean_change'])} п. п. (95 % доверительный интервал от "
        f"{format_number(row.get('ci_low'))} до {format_number(row.get('ci_high'))} п. п.), "
        f"{significance_phrase(row.get('p_adjusted', row.get('p_value')))}.",
        CHANGE_CAVEAT,
    ]
    if row["n"] < 10:
        sentences.append("Пар оценок меньше 10: вывод предварительный.")
    return sentences


def _comparison(rows: list[dict]) -> list[str]:
    overall = next((row for row in rows if row.get("area") == "overall"), None)
    if overall is None or not overall.get("conclusion"):
        return []
    return [str(overall["conclusion"])]


def _engagement(value: dict) -> list[str]:
    shares = value.get("active_share_by_month") or {}
    counts = value.get("activities_by_month") or {}
    sentences = []
    months = [month for month, share in sorted(shares.items()) if share is not None]
    if months:
        last = months[-1]
        sentences.append(
            f"В последнем месяце с данными ({month_label(last)}) хотя бы одно мероприятие было у "
            f"{format_number(shares[last] * 100)} % зарегистрированных участников."
        )
    if counts:
        total = int(sum(counts.values()))
        sentences.append(
            f"Всего в журнале {_format_grouped(total)} {plural(total, 'запись', 'записи', 'записей')} об участии "
            "педагогов в мероприятиях (одна запись — один участник на одном мероприятии)."
        )
    hours = value.get("hours_by_model") or {}
    if hours:
        sentences.append(
            "Часы работы: цифровая модель — "
            f"{_format_grouped(hours.get('digital'))}{NBSP}ч, традиционная — "
            f"{_format_grouped(hours.get('traditional'))}{NBSP}ч."
        )
    idle = value.get("groups_without_activity_30d")
    if idle is not None:
        sentences.append(f"Групп без активности за последние 30 дней: {int(idle)}.")
    return sentences


def _satisfaction(rows: list[dict]) -> list[str]:
    sentences = []
    for row in rows:
        group_label = QUESTIONNAIRE_LABELS.get(row.get("questionnaire"), row.get("questionnaire"))
        respondents = int(row.get("respondents") or 0)
        if respondents == 0 or row.get("index_percent") is None:
            sentences.append(f"Удовлетворённость {group_label}: анкет пока нет.")
            continue
        text = (
            f"Удовлетворённость {group_label}: индекс удовлетворённости "
            f"{format_number(row['index_percent'])}{NBSP}% (0{NBSP}% — все ответы самые низкие, "
            f"100{NBSP}% — все самые высокие); доля довольных (средний балл не ниже "
            f"3/4 шкалы) — {share_satisfied_phrase(row)} ответивших "
            f"({participants_phrase(respondents)})."
        )
        if respondents < 10:
            text += " Ответивших меньше 10: оценка неустойчива."
        sentences.append(text)
    return sentences


def _mentor_rating(rows: list[dict]) -> list[str]:
    ranked = [row for row in rows if row.get("flag") is None]
    unranked = [row for row in rows if row.get("flag") is not None]
    sentences = []
    if ranked:
        best = ranked[0]
        sentences.append(
            f"Ранжировано наставников: {len(ranked)}. Первое место у наставника "
            f"{best['mentor_code']} (балл {format_number(best.get('score'), 2)}: "
            f"{_score_reading(best.get('score'))}); с учётом "
            f"неопределённости его место — от {best.get('rank_low')} до {best.get('rank_high')}."
        )
    if unranked:
        sentences.append(
            f"Не ранжированы из-за малого числа оценок: {len(unranked)} "
            f"{plural(len(unranked), 'наставник', 'наставника', 'наставников')}."
        )
    return sentences


def _score_reading(score: float | None) -> str:
    """Read a rating score, a weighted sum of z-scores, in standard deviations from the average mentor."""
    if score is None:
        return "балл не рассчитан"
    if round(score, 2) == 0:
        return "на уровне среднего наставника"
    direction = "выше" if score > 0 else "ниже"
    return (
        f"взвешенная сумма составляющих на {format_number(abs(score), 2)} стандартного "
        f"отклонения {direction}, чем у среднего наставника"
    )


_READERS = {
    "pre_post": _pre_post,
    "comparison": _comparison,
    "engagement": _engagement,
    "satisfaction": _satisfaction,
    "mentor_rating": _mentor_rating,
}
