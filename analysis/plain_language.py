"""Plain-Russian readings of statistics for teachers and the head teacher.

Each helper returns a short Russian phrase and never the text ``nan``: a value
that cannot be computed is worded as such. The size words name their
convention ("по шкале Коэна") because the thresholds are rules of thumb.
"""

from __future__ import annotations

import math

from analysis.effect_size import correlation_magnitude, magnitude

__all__ = [
    "CHANGE_CAVEAT",
    "COMPARISON_CAVEAT",
    "correlation_phrase",
    "effect_phrase",
    "format_number",
    "format_p_value",
    "participants_phrase",
    "points_phrase",
    "significance_phrase",
]

EFFECT_WORDS = {
    "negligible": "пренебрежимо малое",
    "small": "небольшое",
    "medium": "среднее",
    "large": "большое",
}

# Words for analysis.effect_size.correlation_magnitude (Cohen's 0.1, 0.3, 0.5).
CORRELATION_WORDS = {
    "negligible": "практически отсутствует",
    "small": "слабая",
    "medium": "умеренная",
    "large": "сильная",
}

CHANGE_CAVEAT = (
    "Это изменение внутри одной группы, а не доказанный эффект программы: "
    "без сравнения с другой группой нельзя отделить вклад наставничества от "
    "опыта работы, повторного прохождения теста и других причин."
)

COMPARISON_CAVEAT = (
    "Группы не были сформированы случайно, поэтому различие может "
    "объясняться тем, кто выбрал модель, опытом наставников и другими "
    "причинами, а не только самой моделью наставничества."
)


def format_number(value: float | None, digits: int = 1) -> str:
    """Format a number the Russian way, with a decimal comma.

    Returns «не рассчитано» for None or NaN, so a page never shows ``nan``.
    """
    if value is None or not math.isfinite(value):
        return "не рассчитано"
    text = f"{value:.{digits}f}".replace(".", ",").replace("-", "−")
    if text in ("−0", "−0," + "0" * digits):
        text = text[1:]
    return text


def format_p_value(p_value: float | None) -> str:
    """Format a p-value as «p = 0,012» or «p < 0,001»."""
    if p_value is None or not math.isfinite(p_value):
        return "p не рассчитано"
    if p_value < 0.001:
        return "p < 0,001"
    return f"p = {format_number(p_value, 3)}"


# Subjects that significance_phrase agrees with: the short-form adjective
# («значимо», «значима») and «случайно/случайна» follow the noun's gender.
SIGNIFICANCE_SUBJECTS = {
    "различие": ("значимо", "различие не случайно"),
    "изменение": ("значимо", "изменение не случайно"),
    "связь": ("значима", "связь не случайна"),
}


def significance_phrase(
    p_value: float | None,
    alpha: float = 0.05,
    adjustment: str | None = None,
    subject: str = "различие",
) -> str:
    """Word a p-value as significant or not at level alpha.

    Parameters
    ----------
    p_value : float or None
        The p-value, adjusted or not.
    alpha : float
        Significance level.
    adjustment : str or None
        Russian name of the multiple-comparison adjustment applied to the
        p-value («поправка Холма»), or None when it is unadjusted.
    subject : str
        The noun the phrase follows in the sentence: «различие»,
        «изменение» or «связь» (a correlation). The adjective agrees with it
        in gender, and the non-significant reading names it.

    Returns
    -------
    str
        For example «статистически значимо (p = 0,012, поправка Холма)», or
        for ``subject="связь"`` «статистически не значима (p = 0,463): по
        этим данным нельзя уверенно сказать, что связь не случайна».
    """
    if subject not in SIGNIFICANCE_SUBJECTS:
        raise ValueError(
            f"subject must be one of {sorted(SIGNIFICANCE_SUBJECTS)}, got {subject!r}."
        )
    if p_value is None or not math.isfinite(p_value):
        return "статистическая значимость не оценивалась"
    adjective, not_random = SIGNIFICANCE_SUBJECTS[subject]
    detail = format_p_value(p_value)
    if adjustment:
        detail = f"{detail}, {adjustment}"
    if p_value < alpha:
        return f"статистически {adjective} ({detail})"
    return (
        f"статистически не {adjective} ({detail}): по этим данным нельзя "
        f"уверенно сказать, что {not_random}"
    )


def effect_phrase(effect: float | None, symbol: str = "g") -> str:
    """Word a standardized mean difference by Cohen's benchmarks.

    The size word is read from the effect rounded to the two decimals shown,
    so the word and the number agree. Returns, for example, «среднее по шкале
    Коэна (g = 0,54)».
    """
    word = magnitude(effect, digits=2) if effect is not None else None
    if word is None:
        return "размер эффекта не рассчитан"
    return f"{EFFECT_WORDS[word]} по шкале Коэна ({symbol} = {format_number(effect, 2)})"


def points_phrase(difference: float | None) -> str:
    """Word a difference of percentage scores in percentage points."""
    if difference is None or not math.isfinite(difference):
        return "разница не рассчитана"
    if difference > 0:
        return f"на {format_number(difference)} п. п. выше"
    if difference < 0:
        return f"на {format_number(-difference)} п. п. ниже"
    return "так же"


def correlation_phrase(rho: float | None) -> str:
    """Word a correlation coefficient by Cohen's benchmarks for r.

    The size word is read from rho rounded to the two decimals shown.
    """
    size = correlation_magnitude(rho) if rho is not None else None
    if size is None:
        return "связь не рассчитана"
    word = CORRELATION_WORDS[size]
    shown = format_number(rho, 2)
    if size == "negligible":
        return f"связь {word} по шкале Коэна (ρ = {shown})"
    direction = "прямая" if rho > 0 else "обратная"
    return f"{direction} {word} связь по шкале Коэна (ρ = {shown})"


def participants_phrase(n: int) -> str:
    """Return «1 участник», «3 участника» or «5 участников»."""
    if n % 10 == 1 and n % 100 != 11:
        word = "участник"
    elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        word = "участника"
    else:
        word = "участников"
    return f"{n} {word}"


def plural(n: int, one: str, few: str, many: str) -> str:
    """Choose the Russian plural form for ``n``: 1 наставник, 2 наставника, 5 наставников."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
