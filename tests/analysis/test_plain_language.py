"""Russian wording helpers: grammatical agreement and size words that match the shown number."""

import math

import pytest

from analysis.plain_language import correlation_phrase, effect_phrase, significance_phrase


def test_significance_default_is_difference():
    assert significance_phrase(0.012) == "статистически значимо (p = 0,012)"
    text = significance_phrase(0.2)
    assert text.startswith("статистически не значимо (p = 0,200)")
    assert text.endswith("что различие не случайно")


def test_significance_agrees_with_correlation():
    assert significance_phrase(0.046, subject="связь") == "статистически значима (p = 0,046)"
    text = significance_phrase(0.463, subject="связь")
    assert text.startswith("статистически не значима (p = 0,463)")
    assert text.endswith("что связь не случайна")
    assert "различие" not in text


def test_significance_agrees_with_change():
    text = significance_phrase(0.3, subject="изменение")
    assert text.startswith("статистически не значимо")
    assert text.endswith("что изменение не случайно")


def test_significance_rejects_unknown_subject():
    with pytest.raises(ValueError, match="subject must be one of"):
        significance_phrase(0.3, subject="эффект")


def test_significance_without_p_value():
    assert significance_phrase(math.nan, subject="связь") == "статистическая значимость не оценивалась"


def test_effect_word_matches_shown_value():
    # g = 0.7981 prints as 0,80, which Cohen's benchmarks call large.
    assert effect_phrase(0.7981) == "большое по шкале Коэна (g = 0,80)"
    assert effect_phrase(0.7949, "d_z") == "среднее по шкале Коэна (d_z = 0,79)"


def test_correlation_word_matches_shown_value():
    assert correlation_phrase(0.2971) == "прямая умеренная связь по шкале Коэна (ρ = 0,30)"
    assert correlation_phrase(-0.0949) == "связь практически отсутствует по шкале Коэна (ρ = −0,09)"
    assert correlation_phrase(-0.5) == "обратная сильная связь по шкале Коэна (ρ = −0,50)"
    assert correlation_phrase(None) == "связь не рассчитана"
