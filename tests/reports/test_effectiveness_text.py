"""Plain-Russian readings of the effectiveness results, on hand-built rows and real tables."""

import re

import numpy as np
import pandas as pd
import pytest

from analysis.comparison import compare_models
from analysis.prepost import paired_change, prepost_change
from reports import effectiveness_text as text
from tests.analysis.test_comparison import baumann_frame
from tests.analysis.test_prepost import long_frame


def no_nan(value: str) -> str:
    assert re.search(r"\bnan\b", value, flags=re.IGNORECASE) is None, value
    return value


def prepost_row(pre, post, **options) -> dict:
    row = paired_change(np.array(pre, dtype=float), np.array(post, dtype=float), **options)
    row.update(area="Сферум", model="digital", n_excluded=0, n_no_pre=0, n_no_post=0)
    return row


def test_too_few_pairs_reading():
    row = prepost_row([40, 50, 60], [45, 55, 70])
    assert text.test_label(row) == "мало пар (меньше 5)"
    assert no_nan(text.test_choice_text(row)).startswith("Пар оценок 3, это меньше 5")
    assert text.wilcoxon_method_text(row) == ""


def test_no_change_reading():
    row = prepost_row([40, 50, 60, 70, 80], [40, 50, 60, 70, 80])
    assert text.test_label(row) == "изменений нет"
    assert "изменений нет, поэтому критерий не нужен" in text.test_choice_text(row)


def test_equal_changes_use_wilcoxon():
    row = prepost_row([40, 50, 60, 70, 80], [45, 55, 65, 75, 85])
    assert row["test"] == "wilcoxon"
    reading = no_nan(text.test_choice_text(row))
    assert reading.startswith("Все изменения одинаковы, поэтому t-критерий не определён")


def test_exact_wilcoxon_method_named():
    pre = [40, 52, 61, 70, 45, 58]
    post = [41, 55, 66, 77, 53, 70]
    row = prepost_row(pre, post)
    assert row["wilcoxon_method"] == "exact"
    reading = text.wilcoxon_method_text(row, np.subtract(post, pre))
    assert reading.startswith("p-значение критерия Уилкоксона точное")
    assert reading.endswith("Нулевые изменения исключаются до ранжирования (правило Уилкоксона).")


def test_normal_approximation_reason_and_pratt():
    pre = [40, 52, 61, 70, 45, 58, 50]
    post = [40, 55, 66, 77, 53, 70, 53]
    row = prepost_row(pre, post, zero_method="pratt")
    assert row["wilcoxon_method"] == "normal_approx"
    reading = text.wilcoxon_method_text(row, np.subtract(post, pre))
    assert "потому что есть нулевые изменения (1), есть совпадающие по модулю изменения." in reading
    assert "(правило Пратта)" in reading


def test_alternative_test_and_agreement():
    pre = [40, 52, 61, 70, 45, 58, 50, 47]
    post = [48, 60, 66, 80, 53, 69, 61, 52]
    row = prepost_row(pre, post)
    reading = no_nan(text.test_choice_text(row))
    assert row["test"] == "paired_t"
    assert "Для сравнения, критерий знаковых рангов Уилкоксона: W = 0,0" in reading
    assert "Оба критерия приводят к одному выводу" in reading


def test_adjustment_text_names_method():
    assert "поправкой Бенджамини — Хохберга" in text.adjustment_text("fdr_bh", 6)
    assert text.adjustment_text("holm", 1).startswith("p-значения по 1 области скорректированы поправкой Холма")


def test_prepost_conclusion_counts_areas():
    frame = pd.concat(
        [
            long_frame([40, 52, 61, 70, 45, 58], [48, 60, 66, 80, 53, 69], area="Сферум"),
            long_frame([40, 52, 61, 70, 45, 58], [41, 50, 62, 70, 47, 57], area="ФГИС Моя школа"),
        ],
        ignore_index=True,
    )
    table = prepost_change(frame)
    sentences = text.prepost_conclusion(table, ["digital"])
    assert sentences[0].startswith("Цифровая модель: в среднем по всем областям средний результат вырос")
    assert "Статистически значимый рост — в 1 из 2 областей (поправка Холма)." in sentences[0]
    assert "Пар оценок меньше 10: вывод предварительный." in sentences[0]
    assert sentences[-1] == text.CHANGE_CAVEAT


def test_prepost_conclusion_without_data():
    assert text.prepost_conclusion(pd.DataFrame(), ["digital"]) == [
        "Оценок «до» и «после» за выбранный период нет: вывод сделать нельзя."
    ]


@pytest.fixture(scope="module")
def baumann_row():
    frame = baumann_frame(mentors_per_model=4)
    comparison = compare_models(frame)
    return comparison.set_index("area").loc["Сферум"].to_dict() | {"area": "Сферум"}


def test_icc_reason_with_few_mentors(baumann_row):
    # Four mentors per model: the mixed model needs five, so the ICC is not computed.
    reading = no_nan(text.clustering_text(baumann_row))
    assert "нужно не меньше 5 наставников в каждой модели, а их 4 в цифровой и 4 в традиционной" in reading
    assert "С учётом группировки по 8 наставникам (кластерные стандартные ошибки)" in reading


def test_icc_withheld_when_not_converged(baumann_row):
    row = baumann_row | {"icc": None, "note": "mixed model: the optimizer did not converge, estimates withheld"}
    reading = text.clustering_text(row)
    assert "ICC" in reading
    assert reading.endswith("расчёт смешанной модели не сошёлся, и её оценки ненадёжны.")


def test_icc_reading_when_estimated(baumann_row):
    reading = text.clustering_text(baumann_row | {"icc": 0.25, "note": None})
    assert "ICC = 0,25, то есть около 25 % разброса" in reading


def test_slopes_warning_only_when_failed(baumann_row):
    assert text.slopes_text(baumann_row | {"slopes_warning": False}) == ""
    warning = text.slopes_text(baumann_row | {"slopes_warning": True, "slopes_interaction_p": 0.01})
    assert "(взаимодействие «до» × модель: p = 0,010)" in warning


def test_power_text_and_gain_reading(baumann_row):
    reading = no_nan(text.gain_tests_text(baumann_row))
    assert reading.startswith("Средний прирост: цифровая модель")
    power = text.power_text(baumann_row)
    assert "(22 и 22)" in power
    assert "не означает «различия нет»" in power


def test_baseline_text_categories(baumann_row):
    reading = text.baseline_text(baumann_row)
    assert "По правилу What Works Clearinghouse" in reading
    missing = text.baseline_text(baumann_row | {"baseline_hedges_g": None, "baseline_equivalence": None})
    assert missing.startswith("Исходный уровень групп не сравнивался")


def test_comparison_conclusion_too_few():
    frame = baumann_frame()
    frame = frame[~frame["code"].isin([f"P{i:02d}" for i in range(22, 40)])]
    comparison = compare_models(frame)
    sentences = text.comparison_conclusion(comparison, pd.DataFrame(), "Сферум")
    assert len(sentences) == 1
    assert "участников мало" in sentences[0]


def test_attrition_total_counts_mentees_only():
    # The "all" row also counts 15 mentors with their own "до" scores; the
    # total must be the two models' mentees, 31 + 20.
    attrition = pd.DataFrame({
        "area": ["overall"] * 3,
        "model": ["digital", "traditional", "all"],
        "n_pre": [31, 20, 66],
        "n_dropped": [1, 3, 4],
        "share": [1 / 31, 3 / 20, 4 / 66],
    })
    reading = no_nan(text.attrition_text(attrition, {"attrition_p_value": 0.287}))
    assert "Всего наставляемых: 4 из 51 (7,8 %)" in reading
    assert "цифровая модель: 1 из 31 (3,2 %)" in reading
    assert "традиционная модель: 3 из 20 (15,0 %)" in reading
    assert "из 66" not in reading


def test_attrition_total_without_models():
    attrition = pd.DataFrame({
        "area": ["overall"], "model": ["all"], "n_pre": [5], "n_dropped": [1], "share": [0.2],
    })
    reading = no_nan(text.attrition_text(attrition, {}))
    assert "Всего: наставляемых с оценкой «до» нет" in reading
    assert "цифровая модель: участников с оценкой «до» нет" in reading



def test_prepost_conclusion_nonsignificant_names_change():
    frame = long_frame([40, 52, 61, 70, 45, 58], [41, 50, 62, 70, 47, 57], area="Сферум")
    table = prepost_change(frame)
    sentence = text.prepost_conclusion(table, ["digital"], area="Сферум")[0]
    assert "оно статистически не значимо" in sentence
    assert "что изменение не случайно" in sentence
    assert "различие" not in sentence
