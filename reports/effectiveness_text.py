"""Plain-Russian readings of the effectiveness results for the pages and the report.

Each function takes rows of the tables of :mod:`reports.effectiveness` (one
row as a mapping, or a whole table) and returns Russian text that never
contains ``nan``: a value that cannot be computed is worded as such. The
conclusion functions are what the two effectiveness pages show in their
conclusion block, so the report can print the same text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.plain_language import (
    CHANGE_CAVEAT,
    effect_phrase,
    format_number,
    format_p_value,
    participants_phrase,
    plural,
    significance_phrase,
)
from analysis.prepost import OVERALL, P_ADJUST_NAMES, WILCOXON_EXACT_MAX_N

TEST_NAMES = {
    "paired_t": "t-критерий для связанных выборок",
    "wilcoxon": "критерий знаковых рангов Уилкоксона",
}
TEST_SHORT_NAMES = {"paired_t": "t-критерий (связанные)", "wilcoxon": "Уилкоксон"}
MODEL_SUBJECTS = {
    "digital": "Цифровая модель",
    "traditional": "Традиционная модель",
    "all": "Обе модели вместе",
}
BASELINE_CATEGORIES = {
    "satisfied": "условие выполнено: группы равны по исходному уровню",
    "requires_adjustment": "нужна статистическая поправка на исходный уровень",
    "not_satisfied": "условие не выполнено: даже с поправкой сравнение ненадёжно",
}
# Defaults of analysis.prepost.prepost_change and analysis.comparison.compare_models.
DEFAULT_MIN_PAIRS = 5
DEFAULT_MIN_MENTORS = 5


def _value(row: Mapping, key: str) -> float | None:
    """Return a number of the row, or None when it is missing or NaN."""
    value = row.get(key)
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _text(row: Mapping, key: str) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def area_phrase(area: str) -> str:
    """Name the area inside a sentence: «в среднем по всем областям» or «в области «Сферум»»."""
    return "в среднем по всем областям" if area == OVERALL else f"в области «{area}»"


def _statistic_phrase(test: str | None, statistic: float | None, df: float | None) -> str:
    if test == "paired_t":
        return f"t({format_number(df, 0)}) = {format_number(statistic, 2)}"
    if test == "wilcoxon":
        return f"W = {format_number(statistic, 1)}"
    return ""


def test_label(row: Mapping, min_pairs: int = DEFAULT_MIN_PAIRS) -> str:
    """Name the test of a pre/post row, or why no test was run, for a table cell."""
    n = int(row.get("n") or 0)
    note = _text(row, "note")
    if n == 0:
        return "нет пар оценок"
    if note == "too few pairs":
        return f"мало пар (меньше {min_pairs})"
    if note == "no change":
        return "изменений нет"
    return TEST_SHORT_NAMES.get(_text(row, "test") or "", "—")


def test_choice_text(
    row: Mapping, alpha: float = 0.05, min_pairs: int = DEFAULT_MIN_PAIRS
) -> str:
    """Say which test was used and why, and give the other test with its p-value."""
    n = int(row.get("n") or 0)
    note = _text(row, "note")
    if n == 0:
        return "Пар оценок «до» и «после» нет: критерий не применялся."
    if note == "too few pairs":
        return (
            f"Пар оценок {n}, это меньше {min_pairs}: критерий не применялся и "
            "p-значения нет, потому что на таком числе участников вывод случаен."
        )
    if note == "no change":
        return (
            "У всех участников результат «после» равен результату «до»: изменений "
            "нет, поэтому критерий не нужен."
        )

    test = _text(row, "test")
    used = (
        f"{TEST_NAMES[test]}: {_statistic_phrase(test, _value(row, 'statistic'), _value(row, 'df'))}, "
        f"{format_p_value(_value(row, 'p_value'))}"
    )
    shapiro = _value(row, "shapiro_p")
    if shapiro is None:
        return (
            "Все изменения одинаковы, поэтому t-критерий не определён "
            f"(нулевой разброс изменений). Использован {used}."
        )

    alpha_text = format_number(alpha, 2)
    if test == "wilcoxon":
        reason = (
            "Распределение изменений отличается от нормального (критерий Шапиро — Уилка: "
            f"{format_p_value(shapiro)} < {alpha_text}), поэтому использован "
        )
    else:
        reason = (
            "Отклонение распределения изменений от нормального не обнаружено (критерий "
            f"Шапиро — Уилка: {format_p_value(shapiro)} ≥ {alpha_text}), поэтому использован "
        )

    other = _text(row, "alternative_test")
    other_p = _value(row, "alternative_p_value")
    text = f"{reason}{used}."
    if other:
        other_statistic = _statistic_phrase(
            other, _value(row, "alternative_statistic"), _value(row, "alternative_df")
        )
        text += (
            f" Для сравнения, {TEST_NAMES[other]}: {other_statistic}, "
            f"{format_p_value(other_p)}."
        )
        p_value = _value(row, "p_value")
        if p_value is not None and other_p is not None:
            if (p_value < alpha) == (other_p < alpha):
                text += " Оба критерия приводят к одному выводу (до поправки на число областей)."
            else:
                text += (
                    " Критерии приводят к разным выводам: результат на границе "
                    "значимости, читать его следует осторожно."
                )
    return text


def _approximation_reason(changes) -> str:
    """Say why the exact Wilcoxon distribution was not used, from the changes themselves."""
    if changes is None:
        return (
            "потому что есть нулевые или совпадающие по модулю изменения либо ненулевых "
            "изменений больше 50"
        )
    values = np.asarray(changes, dtype=float)
    nonzero = values[values != 0]
    reasons = []
    if nonzero.size < values.size:
        reasons.append(f"есть нулевые изменения ({values.size - nonzero.size})")
    if np.unique(np.abs(nonzero)).size < nonzero.size:
        reasons.append("есть совпадающие по модулю изменения")
    if nonzero.size > WILCOXON_EXACT_MAX_N:
        reasons.append(f"ненулевых изменений больше {WILCOXON_EXACT_MAX_N} ({nonzero.size})")
    return "потому что " + ", ".join(reasons) if reasons else ""


def wilcoxon_method_text(row: Mapping, changes=None) -> str:
    """Describe how the Wilcoxon p-value of a row was computed, because each choice changes p.

    ``changes`` are the row's post − pre differences. When they are given,
    the text names the actual reason for the normal approximation.
    """
    method = _text(row, "wilcoxon_method")
    if method is None:
        return ""
    if method == "exact":
        text = (
            "p-значение критерия Уилкоксона точное (по полному перебору знаков): "
            "нулевых и совпадающих по модулю изменений нет, ненулевых не больше "
            f"{WILCOXON_EXACT_MAX_N}, поправка на непрерывность не нужна."
        )
    else:
        text = (
            "p-значение критерия Уилкоксона получено нормальным приближением с поправкой "
            "на совпадающие ранги и поправкой на непрерывность (как в функции wilcox.test "
            f"языка R), {_approximation_reason(changes)}."
        )
    if _text(row, "wilcoxon_zero_method") == "pratt":
        text += (
            " Нулевые изменения участвуют в ранжировании, затем их ранги отбрасываются "
            "(правило Пратта)."
        )
    else:
        text += " Нулевые изменения исключаются до ранжирования (правило Уилкоксона)."
    return text


def exclusions_text(row: Mapping) -> str:
    """State n and who was left out, with the reasons."""
    n = int(row.get("n") or 0)
    excluded = int(row.get("n_excluded") or 0)
    text = f"В расчёт вошли {participants_phrase(n)} с оценками и «до», и «после»."
    if excluded:
        text += (
            f" Не вошли {excluded}: нет оценки «до» — {int(row.get('n_no_pre') or 0)}, "
            f"нет оценки «после» — {int(row.get('n_no_post') or 0)}"
        )
        common = int(row.get("n_no_common_area") or 0)
        if common:
            text += f", оценки «до» и «после» только в разных областях — {common}"
        text += "."
    else:
        text += " Исключённых нет."
    repeated = int(row.get("n_repeated") or 0)
    if repeated:
        text += (
            f" Повторных оценок одной области на одном этапе: {repeated}; "
            "учтена последняя по дате."
        )
    return text


def adjustment_text(p_adjust: str, n_areas: int) -> str:
    """Explain the multiple-comparison adjustment in use."""
    if p_adjust == "fdr_bh":
        return (
            f"p-значения по {n_areas} {plural(n_areas, 'области', 'областям', 'областям')} "
            "скорректированы поправкой Бенджамини — Хохберга: она ограничивает ожидаемую "
            "долю ложных находок среди значимых и мягче поправки Холма."
        )
    return (
        f"p-значения по {n_areas} {plural(n_areas, 'области', 'областям', 'областям')} "
        "скорректированы поправкой Холма: вероятность хотя бы одной ложной находки "
        "среди всех областей не больше 5 %."
    )


def _area_count_phrase(rows: pd.DataFrame, alpha: float) -> str:
    by_area = rows[rows["area"] != OVERALL]
    tested = by_area[by_area["p_adjusted"].notna()]
    if tested.empty:
        return ""
    significant = int(((tested["p_adjusted"] < alpha) & (tested["mean_change"] > 0)).sum())
    method = P_ADJUST_NAMES.get(str(by_area["p_adjust_method"].iloc[0]), "поправка")
    return (
        f" Статистически значимый рост — в {significant} из {len(tested)} "
        f"{plural(len(tested), 'области', 'областей', 'областей')} ({method})."
    )


def _model_sentence(rows: pd.DataFrame, model: str, area: str, alpha: float) -> str:
    subject = MODEL_SUBJECTS.get(model, model)
    own = rows[(rows["model"] == model) & (rows["area"] == area)]

    if own.empty:
        return f"{subject}: нет участников с оценками {area_phrase(area)}."
    row = own.iloc[0].to_dict()
    n = int(row["n"])
    if n == 0:
        return f"{subject}: нет участников с оценками и «до», и «после» {area_phrase(area)}."
    if row.get("note") == "too few pairs":
        return (
            f"{subject}: участников с оценками и «до», и «после» всего {n} — "
            "слишком мало для вывода, средние показаны только для сведения."
        )
    if row.get("note") == "no change":
        return f"{subject}: {area_phrase(area)} результаты «до» и «после» совпадают у всех — изменений нет."

    change = _value(row, "mean_change")
    adjustment = None
    if area != OVERALL:
        adjustment = P_ADJUST_NAMES.get(str(row.get("p_adjust_method")))
    if change > 0:
        direction = "вырос"
    elif change < 0:
        direction = "снизился"
    else:
        direction = "не изменился"
    text = (
        f"{subject}: {area_phrase(area)} средний результат {direction} с "
        f"{format_number(_value(row, 'mean_pre'))} % до {format_number(_value(row, 'mean_post'))} % "
        f"от максимума ({participants_phrase(n)}), изменение "
        f"{format_number(change)} п. п. (95-процентный доверительный интервал от "
        f"{format_number(_value(row, 'ci_low'))} до {format_number(_value(row, 'ci_high'))}); "
        f"оно {significance_phrase(_value(row, 'p_adjusted'), alpha, adjustment, subject='изменение')}"
    )
    if _value(row, "cohen_dz") is not None:
        text += f", по величине {effect_phrase(_value(row, 'cohen_dz'), 'd_z')}"
    text += "."
    if area == OVERALL:
        text += _area_count_phrase(rows[rows["model"] == model], alpha)
    if n < 10:
        text += " Пар оценок меньше 10: вывод предварительный."
    return text


def prepost_conclusion(
    table: pd.DataFrame, models: Sequence[str], area: str = OVERALL, alpha: float = 0.05
) -> list[str]:
    """Write the conclusion block of «Компетенции: до и после».

    Parameters
    ----------
    table : pandas.DataFrame
        The ``prepost`` table of :func:`reports.effectiveness.effectiveness_tables`.
    models : sequence of str
        Models to describe, in order (``"digital"``, ``"traditional"``, ``"all"``).
    area : str
        The area the conclusion is about; ``"overall"`` by default.
    alpha : float
        Significance level.

    Returns
    -------
    list of str
        One sentence per model, then the caveat that a change within one
        group is not an effect of the programme.
    """
    if table.empty:
        return ["Оценок «до» и «после» за выбранный период нет: вывод сделать нельзя."]
    sentences = [_model_sentence(table, model, area, alpha) for model in models]
    sentences.append(CHANGE_CAVEAT)
    return sentences


def baseline_text(row: Mapping) -> str:
    """Explain the What Works Clearinghouse baseline check of one comparison row."""
    g = _value(row, "baseline_hedges_g")
    category = _text(row, "baseline_equivalence")
    if g is None or category is None:
        return (
            "Исходный уровень групп не сравнивался: в одной из моделей слишком мало "
            "участников или разброс результатов «до» нулевой."
        )
    higher = "цифровой" if g > 0 else "традиционной"
    return (
        f"До начала программы результаты {higher} модели были выше на "
        f"{format_number(abs(g), 2)} стандартного отклонения (g Хеджеса = {format_number(g, 2)}). "
        "По правилу What Works Clearinghouse различие до 0,05 стандартного отклонения "
        "означает равные группы, от 0,05 до 0,25 — допустимое различие, которое нужно "
        "учесть статистической поправкой (здесь ковариационный анализ), больше 0,25 — "
        f"слишком большое, чтобы поправка его исправила. Здесь: {BASELINE_CATEGORIES[category]}."
    )


def power_text(row: Mapping) -> str:
    """Word the power and the minimum detectable effect at the current group sizes."""
    medium = _value(row, "power_medium")
    mde = _value(row, "mde_80")
    if medium is None or mde is None:
        return "Мощность не рассчитана: в одной из моделей слишком мало участников."
    return (
        f"При нынешнем числе участников ({int(row['n_digital'])} и {int(row['n_traditional'])}) "
        f"небольшое различие (d = 0,2) обнаруживается с вероятностью "
        f"{format_number(_value(row, 'power_small') * 100, 0)} %, среднее (d = 0,5) — "
        f"{format_number(medium * 100, 0)} %; надёжно, с вероятностью 80 %, обнаруживается "
        f"только различие от d = {format_number(mde, 2)}. Поэтому «статистически не значимо» "
        "здесь не означает «различия нет»: данных может просто не хватать."
    )


def gain_tests_text(row: Mapping, alpha: float = 0.05) -> str:
    """Read the Welch and Mann–Whitney comparison of the gains, with power when not significant."""
    if _value(row, "welch_p_value") is None and _value(row, "mann_whitney_p_value") is None:
        return "Приросты моделей не сравнивались: в одной из моделей слишком мало участников."
    welch_p = _value(row, "welch_p_value")
    text = (
        f"Средний прирост: цифровая модель {format_number(_value(row, 'mean_gain_digital'))} п. п., "
        f"традиционная {format_number(_value(row, 'mean_gain_traditional'))} п. п.; разность "
        f"приростов {format_number(_value(row, 'did_estimate'))} п. п. (95-процентный "
        f"доверительный интервал от {format_number(_value(row, 'did_ci_low'))} до "
        f"{format_number(_value(row, 'did_ci_high'))}). t-критерий Уэлча: "
        f"t({format_number(_value(row, 'welch_df'), 1)}) = {format_number(_value(row, 'welch_t'), 2)}, "
        f"{format_p_value(welch_p)}; критерий Манна — Уитни: U = "
        f"{format_number(_value(row, 'mann_whitney_u'), 1)}, "
        f"{format_p_value(_value(row, 'mann_whitney_p_value'))}"
    )
    method = _text(row, "mann_whitney_method")
    text += " (точное p)" if method == "exact" else " (нормальное приближение)"
    rank_biserial = _value(row, "rank_biserial")
    if rank_biserial is not None:
        share = (rank_biserial + 1) / 2 * 100
        text += (
            f". Если взять случайного участника каждой модели, прирост у цифровой модели "
            f"окажется больше примерно в {format_number(share, 0)} % таких пар "
            f"(рангово-бисериальная r = {format_number(rank_biserial, 2)})"
        )
    text += f". По величине это {effect_phrase(_value(row, 'hedges_g_gain'))} различие."
    if welch_p is not None and welch_p >= alpha:
        text += " " + power_text(row)
    return text


def adjusted_means_text(adjusted: pd.DataFrame) -> str:
    """Read the ANCOVA-adjusted post means of the two models."""
    rows = {row["model"]: row for row in adjusted.to_dict("records")}
    if not rows or any(_value(row, "adjusted_mean") is None for row in rows.values()):
        return (
            "Скорректированные средние не рассчитаны: в одной из моделей слишком мало "
            "участников или результаты «до» одинаковы у всех."
        )
    digital, traditional = rows["digital"], rows["traditional"]
    return (
        f"Если бы обе группы начинали с одного уровня ({format_number(_value(digital, 'covariate_at'))} % "
        "— средний результат «до» обеих моделей), ожидаемый результат «после» был бы: "
        f"цифровая модель {format_number(_value(digital, 'adjusted_mean'))} % (95-процентный "
        f"доверительный интервал от {format_number(_value(digital, 'ci_low'))} до "
        f"{format_number(_value(digital, 'ci_high'))}), традиционная "
        f"{format_number(_value(traditional, 'adjusted_mean'))} % (от "
        f"{format_number(_value(traditional, 'ci_low'))} до {format_number(_value(traditional, 'ci_high'))}). "
        "Фактические средние «после»: "
        f"{format_number(_value(digital, 'mean_post'))} % и {format_number(_value(traditional, 'mean_post'))} %."
    )


def attrition_text(attrition: pd.DataFrame, row: Mapping, area: str = OVERALL) -> str:
    """Word attrition overall and by model, with Fisher's exact test."""
    own = attrition[attrition["area"] == area].set_index("model") if not attrition.empty else attrition
    if own.empty:
        return "Данных о выбытии нет."

    def part(model: str, label: str) -> str:
        if model not in own.index or not own.loc[model, "n_pre"]:
            return f"{label}: участников с оценкой «до» нет"
        dropped, n_pre = int(own.loc[model, "n_dropped"]), int(own.loc[model, "n_pre"])
        return f"{label}: {dropped} из {n_pre} ({format_number(dropped / n_pre * 100)} %)"

    # The "all" row of analysis.comparison.attrition also counts participants
    # without a model (mentors with their own scores), so the total here is
    # the sum of the two models: the mentees the per-model figures describe.
    in_models = own.loc[own.index.intersection(["digital", "traditional"])]
    total_pre = int(in_models["n_pre"].sum())
    total_dropped = int(in_models["n_dropped"].sum())
    if total_pre:
        total = (
            f"Всего наставляемых: {total_dropped} из {total_pre} "
            f"({format_number(total_dropped / total_pre * 100)} %)"
        )
    else:
        total = "Всего: наставляемых с оценкой «до» нет"
    text = (
        "Выбыли — есть оценка «до», но нет оценки «после». "
        f"{total}; {part('digital', 'цифровая модель')}; "
        f"{part('traditional', 'традиционная модель')}."
    )
    p_value = _value(row, "attrition_p_value")
    if p_value is not None:
        text += f" Точный критерий Фишера: различие выбытия между моделями {significance_phrase(p_value)}."
    text += (
        " Если выбывают в основном участники с низким результатом, средний прирост "
        "оставшихся выглядит лучше, чем был бы у всей группы."
    )
    return text


def clustering_text(row: Mapping, min_mentors: int = DEFAULT_MIN_MENTORS) -> str:
    """Explain the mentor clustering: cluster-robust errors and the ICC or why it is missing."""
    n_mentors = int(row.get("n_mentors_digital") or 0) + int(row.get("n_mentors_traditional") or 0)
    note = _text(row, "note") or ""
    text = (
        "Наставляемые одного наставника похожи друг на друга, поэтому независимых наблюдений "
        "фактически меньше, чем участников."
    )
    if _value(row, "cluster_p_value") is not None:
        text += (
            f" С учётом группировки по {n_mentors} "
            f"{plural(n_mentors, 'наставнику', 'наставникам', 'наставникам')} (кластерные "
            f"стандартные ошибки) разница с поправкой на исходный уровень "
            f"{format_number(_value(row, 'ancova_estimate'))} п. п., 95-процентный доверительный "
            f"интервал от {format_number(_value(row, 'cluster_ci_low'))} до "
            f"{format_number(_value(row, 'cluster_ci_high'))}, "
            f"{format_p_value(_value(row, 'cluster_p_value'))}."
        )
        if n_mentors < 20:
            text += " При таком малом числе наставников и эта оценка скорее занижает неопределённость."
    elif "cluster-robust errors skipped" in note:
        text += " Кластерные ошибки не рассчитаны: наставник всего один."
    icc = _value(row, "icc")
    if icc is not None:
        text += (
            f" Смешанная модель (случайный сдвиг для каждого наставника): ICC = "
            f"{format_number(icc, 2)}, то есть около {format_number(icc * 100, 0)} % разброса "
            "приростов приходится на различия между наставниками, остальное — на различия "
            "между наставляемыми одного наставника."
        )
        if "boundary" in note:
            text += " Разброс между наставниками оценён как почти нулевой."
    elif "did not converge" in note:
        text += (
            " Доля разброса, которая приходится на наставников (ICC), не приводится: "
            "расчёт смешанной модели не сошёлся, и её оценки ненадёжны."
        )
    elif "mixed model skipped" in note:
        text += (
            f" Доля разброса, которая приходится на наставников (ICC), не рассчитана: нужно "
            f"не меньше {min_mentors} наставников в каждой модели, а их "
            f"{int(row.get('n_mentors_digital') or 0)} в цифровой и "
            f"{int(row.get('n_mentors_traditional') or 0)} в традиционной."
        )
    else:
        text += " Доля разброса, которая приходится на наставников (ICC), не рассчитана: мало участников."
    return text


def slopes_text(row: Mapping) -> str:
    """Warn when the homogeneity-of-slopes check fails; empty otherwise."""
    if row.get("slopes_warning") is not True:
        return ""
    return (
        "Связь результата «после» с результатом «до» в моделях различается (взаимодействие "
        f"«до» × модель: {format_p_value(_value(row, 'slopes_interaction_p'))}): разница между "
        "моделями зависит от исходного уровня, и одна поправка на него приблизительна."
    )


def comparison_conclusion(
    comparison: pd.DataFrame, attrition: pd.DataFrame, area: str = OVERALL
) -> list[str]:
    """Write the conclusion block of «Цифровая и традиционная модели».

    Returns the comparison's own conclusion of the area, which already names
    the power when the difference is not significant and the interval
    clustered by mentor, then a sentence on attrition.
    """
    own = comparison[comparison["area"] == area] if not comparison.empty else comparison
    if own.empty:
        return ["Оценок «до» и «после» за выбранный период нет: сравнить модели нельзя."]
    row = own.iloc[0].to_dict()
    sentences = [str(row["conclusion"])]
    if _value(row, "ancova_estimate") is not None:
        sentences.append(_attrition_summary(row))
    return sentences


def _attrition_summary(row: Mapping) -> str:
    """Write one sentence on attrition by model for the conclusion block."""
    digital = _value(row, "attrition_digital")
    traditional = _value(row, "attrition_traditional")
    if digital is None or traditional is None:
        return "Выбытие по моделям не сравнивалось: в одной из моделей нет участников с оценкой «до»."
    text = (
        f"До итоговой оценки выбыли {format_number(digital * 100)} % участников цифровой и "
        f"{format_number(traditional * 100)} % традиционной модели"
    )
    p_value = _value(row, "attrition_p_value")
    if p_value is not None:
        text += f" (точный критерий Фишера: {format_p_value(p_value)})"
    return text + "."



def slope_reading(pairs: pd.DataFrame) -> str:
    """Count who rose, fell and stayed, for the caption of the slope and change charts."""
    n = len(pairs)
    if n == 0:
        return "Пар оценок «до» и «после» нет."
    rose = int((pairs["change"] > 0).sum())
    fell = int((pairs["change"] < 0).sum())
    same = n - rose - fell
    text = (
        f"Каждая линия — один участник (зелёная — результат вырос, красная — нет), "
        f"чёрная — среднее. Результат вырос у {rose} из {n}, снизился у {fell}, "
        f"не изменился у {same}. Медиана изменения — "
        f"{format_number(float(pairs['change'].median()))} п. п., половина участников "
        f"изменилась в пределах от {format_number(float(pairs['change'].quantile(0.25)))} до "
        f"{format_number(float(pairs['change'].quantile(0.75)))} п. п."
    )
    if n < 10:
        text += " Участников меньше 10: картина неустойчива."
    return text


def trajectories_reading(paths: pd.DataFrame, codes: Sequence[str]) -> str:
    """Describe the trajectory chart: whose lines are shown and at which stages."""
    chosen = paths[paths["code"].isin(codes)]
    if chosen.empty:
        return "Выберите участников, чтобы увидеть их путь от диагностики до итоговой оценки."
    complete = int((chosen.groupby("code")["stage"].nunique() == 4).sum())
    shown = chosen["code"].nunique()
    text = (
        f"Показано участников: {shown}, из них все четыре оценки (диагностика, до, "
        f"промежуточная, после) есть у {complete}. Пропущенный этап — это отсутствующая "
        "оценка, линия соединяет соседние этапы с оценками."
    )
    if (chosen["n_areas"] > 1).any():
        text += " В среднем по областям точка этапа — среднее областей, оценённых на этом этапе."
    return text
