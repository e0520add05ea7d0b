"""Plain-Russian readings of the satisfaction comparison and of the share satisfied."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.satisfaction import compare_models, wilson_interval
from reports.satisfaction import comparison_reading, share_satisfied_phrase


def compare(digital: list[float], traditional: list[float]) -> dict:
    codes = [f"D{i}" for i in range(len(digital))] + [f"R{i}" for i in range(len(traditional))]
    scores = pd.DataFrame({"code": codes, "score": digital + traditional})
    groups = pd.DataFrame({
        "mentee_code": codes,
        "mentor_code": ["T1"] * len(codes),
        "model": ["digital"] * len(digital) + ["traditional"] * len(traditional),
    })
    return compare_models(scores, groups, role="mentee")


def no_nan(sentences: list[str]) -> str:
    text = " ".join(sentences)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None, text
    return text


def test_small_nonsignificant_comparison_states_no_direction():
    # 7 mentors against 5, as in the demo questionnaire of mentors.
    digital = [7.8, 8.4, 6.9, 7.8, 9.1, 7.2, 8.0]
    traditional = [7.6, 8.1, 7.0, 8.6, 6.8]
    comparison = compare(digital, traditional)
    # scipy 1.17.1 mannwhitneyu, two-sided, default method.
    reference = stats.mannwhitneyu(digital, traditional, alternative="two-sided")
    assert comparison["p_value"] == pytest.approx(reference.pvalue, rel=1e-6)
    assert comparison["p_value"] >= 0.05

    sentences = comparison_reading(comparison)
    text = no_nan(sentences)
    assert sentences[0].startswith("Ответивших мало: в цифровой модели 7, в традиционной 5")
    assert "Сравнение ненадёжно" in sentences[0]
    assert "участники чаще ставят более высокие оценки" not in text
    assert "различие статистически не значимо" in text


def test_significant_comparison_states_direction():
    digital = [4.0 + i / 10 for i in range(12)]
    traditional = [2.0 + i / 10 for i in range(12)]
    comparison = compare(digital, traditional)
    reference = stats.mannwhitneyu(digital, traditional, alternative="two-sided")
    assert comparison["p_value"] == pytest.approx(reference.pvalue, rel=1e-6)
    assert comparison["p_value"] < 0.05

    sentences = comparison_reading(comparison)
    no_nan(sentences)
    assert sentences[0] == (
        "В цифровой модели участники чаще ставят более высокие оценки, чем в "
        "традиционной (r = 1,00)."
    )
    assert sentences[1].startswith("Это большое различие по шкале Коэна")
    assert not any("Ответивших мало" in sentence for sentence in sentences)


def test_size_word_follows_shown_r():
    comparison = {"n_digital": 20, "n_traditional": 20, "rank_biserial": 0.2971,
                  "p_value": 0.01}
    sentences = comparison_reading(comparison)
    assert "(r = 0,30)" in sentences[0]
    assert sentences[1].startswith("Это среднее различие по шкале Коэна")


def test_negligible_difference_has_no_direction():
    comparison = {"n_digital": 20, "n_traditional": 20, "rank_biserial": -0.05,
                  "p_value": 0.8}
    sentences = comparison_reading(comparison)
    assert sentences[0] == "Оценки в двух моделях практически не различаются (r = −0,05)."


def test_reading_empty_without_respondents():
    comparison = {"n_digital": 0, "n_traditional": 5, "rank_biserial": np.nan,
                  "p_value": np.nan}
    assert comparison_reading(comparison) == []


def test_share_satisfied_with_wilson_interval():
    low, high = wilson_interval(6, 12)
    # statsmodels 0.15.0 proportion_confint(6, 12, method="wilson"): 0.253782 to 0.746218.
    reference_low, reference_high = proportion_confint(6, 12, method="wilson")
    assert low == pytest.approx(reference_low, rel=1e-6)
    assert high == pytest.approx(reference_high, rel=1e-6)
    item = {"share_satisfied": 0.5, "share_ci_low": low, "share_ci_high": high}
    assert share_satisfied_phrase(item) == (
        "50,0\u00a0% (95-процентный интервал Уилсона: от 25,4\u00a0% до 74,6\u00a0%)"
    )


def test_share_satisfied_missing_values():
    assert share_satisfied_phrase({"share_satisfied": None}) == "доля не рассчитана"
    item = {"share_satisfied": 1.0, "share_ci_low": np.nan, "share_ci_high": np.nan}
    assert share_satisfied_phrase(item) == "100,0\u00a0%"
