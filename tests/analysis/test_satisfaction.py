"""Satisfaction scores, shares, intervals and comparisons on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.satisfaction import (
    compare_models,
    question_distribution,
    respondent_scores,
    response_rate,
    satisfaction_summary,
    text_answers,
    theme_counts,
    top_two_box,
    wilson_interval,
)

MENTEE = "mentee_satisfaction"
MENTOR = "mentor_satisfaction"


def make_questions() -> pd.DataFrame:
    rows = [
        (MENTEE, "q1", 1, 5, False, True, "likert"),
        (MENTEE, "q2", 1, 5, False, True, "likert"),
        (MENTEE, "q3", 1, 5, True, True, "likert"),
        (MENTEE, "wishes", np.nan, np.nan, False, False, "text"),
        (MENTOR, "m1", 1, 10, False, True, "likert"),
        (MENTOR, "m2", 1, 10, False, True, "likert"),
        (MENTOR, "m3", 1, 10, False, True, "likert"),
    ]
    columns = ["questionnaire", "question", "scale_min", "scale_max", "reverse",
               "is_scale_item", "kind"]
    return pd.DataFrame(rows, columns=columns)


def make_answers(rows: list[tuple]) -> pd.DataFrame:
    """Build an answers frame from (code, questionnaire, question, value, is_latest)."""
    frame = pd.DataFrame(rows, columns=["code", "questionnaire", "question", "value",
                                        "is_latest"])
    frame["answer"] = frame["value"].map(lambda v: "" if pd.isna(v) else str(v))
    frame["answered_at"] = pd.Timestamp("2025-05-20")
    return frame


@pytest.fixture
def answers() -> pd.DataFrame:
    rows = [
        # A: 5, 4, reversed 1 -> 5: score 14/3, satisfied.
        ("A", MENTEE, "q1", 5, True), ("A", MENTEE, "q2", 4, True),
        ("A", MENTEE, "q3", 1, True),
        # B: all 3, score 3. An older submission of all 5 must be ignored.
        ("B", MENTEE, "q1", 3, True), ("B", MENTEE, "q2", 3, True),
        ("B", MENTEE, "q3", 3, True),
        ("B", MENTEE, "q1", 5, False), ("B", MENTEE, "q2", 5, False),
        ("B", MENTEE, "q3", 1, False),
        # C: 4, 4, reversed 2 -> 4: score exactly the threshold 4, satisfied.
        ("C", MENTEE, "q1", 4, True), ("C", MENTEE, "q2", 4, True),
        ("C", MENTEE, "q3", 2, True),
        # D: 2, "no opinion" (missing), reversed 5 -> 1: score 1.5.
        ("D", MENTEE, "q1", 2, True), ("D", MENTEE, "q2", np.nan, True),
        ("D", MENTEE, "q3", 5, True),
        # Mentors on 1-10, threshold 7.75.
        ("E", MENTOR, "m1", 8, True), ("E", MENTOR, "m2", 8, True),
        ("E", MENTOR, "m3", 7, True),
        ("F", MENTOR, "m1", 8, True), ("F", MENTOR, "m2", 8, True),
        ("F", MENTOR, "m3", 8, True),
    ]
    return make_answers(rows)


def test_scores_by_hand(answers):
    scores = respondent_scores(answers, make_questions(), MENTEE).set_index("code")
    assert scores.loc["A", "score"] == pytest.approx(14 / 3, rel=1e-9)
    assert scores.loc["B", "score"] == pytest.approx(3.0)
    assert scores.loc["C", "score"] == pytest.approx(4.0)
    assert scores.loc["D", "score"] == pytest.approx(1.5)
    assert scores.loc["D", "n_items"] == 2
    assert scores.loc["A", "score_percent"] == pytest.approx((14 / 3 - 1) / 4 * 100)
    assert scores["satisfied"].to_dict() == {"A": True, "B": False, "C": True, "D": False}


def test_summary_share_and_index_by_hand(answers):
    summary = satisfaction_summary(answers, make_questions(), MENTEE)
    assert summary["respondents"] == 4
    assert summary["n_satisfied"] == 2
    assert summary["share_satisfied"] == pytest.approx(0.5)
    # Index: mean of 91.666..., 50, 75 and 12.5.
    expected_index = ((14 / 3 - 1) / 4 * 100 + 50 + 75 + 12.5) / 4
    assert summary["index_percent"] == pytest.approx(expected_index, rel=1e-9)
    assert summary["threshold"] == pytest.approx(4.0)


def test_summary_share_not_from_mean(answers):
    # The mean score 3.29 is below 4, yet half the respondents are satisfied.
    summary = satisfaction_summary(answers, make_questions(), MENTEE)
    assert summary["mean_score"] < summary["threshold"]
    assert summary["share_satisfied"] == pytest.approx(0.5)


def test_summary_ten_point_scale(answers):
    summary = satisfaction_summary(answers, make_questions(), MENTOR)
    assert summary["threshold"] == pytest.approx(7.75)
    assert summary["n_satisfied"] == 1
    expected_index = ((23 / 3 - 1) / 9 * 100 + (8 - 1) / 9 * 100) / 2
    assert summary["index_percent"] == pytest.approx(expected_index, rel=1e-9)
    assert "малой выборке" in summary["note"]
    assert np.isnan(summary["cronbach_alpha"])
    assert "нужно не меньше 10" in summary["alpha_note"]


def test_summary_no_answers(answers):
    summary = satisfaction_summary(answers, make_questions(), "unknown")
    assert summary["respondents"] == 0
    assert np.isnan(summary["share_satisfied"])
    assert summary["note"] == "Ответов на эту анкету пока нет."


def random_questionnaire(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Return answers of n respondents to q1-q3 (q3 reverse) and the raw matrix."""
    rng = np.random.default_rng(seed)
    trait = rng.integers(1, 6, size=n)
    raw = np.clip(trait[:, None] + rng.integers(-1, 2, size=(n, 3)), 1, 5)
    raw[:, 2] = 6 - raw[:, 2]
    rows = [
        (f"P{i:02d}", MENTEE, f"q{j + 1}", float(raw[i, j]), True)
        for i in range(n)
        for j in range(3)
    ]
    return make_answers(rows), raw.astype(float)


def test_summary_second_path():
    answers, raw = random_questionnaire(40, seed=3)
    keyed = raw.copy()
    keyed[:, 2] = 1 + 5 - keyed[:, 2]
    scores = keyed.mean(axis=1)
    expected_share = np.mean(scores >= 4)
    expected_index = np.mean((scores - 1) / 4 * 100)

    summary = satisfaction_summary(answers, make_questions(), MENTEE)
    assert summary["share_satisfied"] == pytest.approx(expected_share, rel=1e-12)
    assert summary["index_percent"] == pytest.approx(expected_index, rel=1e-12)


def test_summary_alpha_matches_pingouin():
    answers, raw = random_questionnaire(40, seed=3)
    keyed = pd.DataFrame(raw, columns=["q1", "q2", "q3"])
    keyed["q3"] = 6 - keyed["q3"]
    reference_alpha, reference_ci = pg.cronbach_alpha(keyed)

    summary = satisfaction_summary(answers, make_questions(), MENTEE)
    assert summary["cronbach_alpha"] == pytest.approx(reference_alpha, rel=1e-6)
    assert summary["alpha_ci_low"] == pytest.approx(reference_ci[0], abs=5e-4)
    assert summary["alpha_ci_high"] == pytest.approx(reference_ci[1], abs=5e-4)
    assert summary["alpha_n"] == 40


def test_summary_wilson_interval(answers):
    summary = satisfaction_summary(answers, make_questions(), MENTEE)
    low, high = proportion_confint(2, 4, alpha=0.05, method="wilson")
    assert summary["ci_low"] == pytest.approx(low, rel=1e-6)
    assert summary["ci_high"] == pytest.approx(high, rel=1e-6)


@pytest.mark.parametrize("count, n", [(0, 7), (3, 7), (7, 7), (41, 57), (1, 1)])
def test_wilson_matches_statsmodels(count, n):
    # statsmodels 0.15.0 proportion_confint(count, n, method="wilson").
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    result = wilson_interval(count, n)
    assert result[0] == pytest.approx(low, rel=1e-6, abs=1e-12)
    assert result[1] == pytest.approx(high, rel=1e-6, abs=1e-12)


def test_wilson_rejects_count_above_n():
    with pytest.raises(ValueError, match="successes must be between 0 and n"):
        wilson_interval(5, 3)


def test_scores_reject_off_scale_value():
    answers = make_answers([("A", MENTEE, "q1", 7, True)])
    with pytest.raises(ValueError, match="outside its scale"):
        respondent_scores(answers, make_questions(), MENTEE)


def test_scores_reject_mixed_scales():
    questions = make_questions()
    questions.loc[questions["question"] == "q2", "scale_max"] = 10
    answers = make_answers([("A", MENTEE, "q1", 4, True), ("A", MENTEE, "q2", 4, True)])
    with pytest.raises(ValueError, match="different scales"):
        respondent_scores(answers, questions, MENTEE)


def test_response_rate_counts():
    groups = pd.DataFrame({
        "group_code": ["G1"] * 4,
        "mentor_code": ["T1"] * 4,
        "mentee_code": ["M1", "M2", "M3", "M4"],
        "model": ["digital"] * 4,
    })
    answers = make_answers([
        ("M1", MENTEE, "q1", 4, True),
        ("M2", MENTEE, "q1", np.nan, True),
        ("X9", MENTEE, "q1", 5, True),
        ("M3", MENTEE, "q1", 5, False),
    ])
    result = response_rate(answers, groups, MENTEE, role="mentee")
    assert result["n_eligible"] == 4
    assert result["n_respondents"] == 2
    assert result["response_rate"] == pytest.approx(0.5)
    assert result["n_respondents_not_in_group"] == 1
    low, high = proportion_confint(2, 4, method="wilson")
    assert result["ci_low"] == pytest.approx(low, rel=1e-6)
    assert result["ci_high"] == pytest.approx(high, rel=1e-6)


def test_response_rate_rejects_unknown_role():
    with pytest.raises(ValueError, match="role must be"):
        response_rate(make_answers([]), pd.DataFrame(), MENTEE, role="teacher")


def test_distribution_counts(answers):
    table = question_distribution(answers, make_questions(), MENTEE)
    q1 = table[table["question"] == "q1"].set_index("value")
    assert q1["count"].to_dict() == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    assert q1["n"].unique().tolist() == [4]
    q2 = table[table["question"] == "q2"].set_index("value")
    assert q2["n"].iloc[0] == 3
    assert q2.loc[4, "share"] == pytest.approx(2 / 3)
    assert set(table["question"]) == {"q1", "q2", "q3"}


def test_top_two_box_reverse_item(answers):
    table = top_two_box(answers, make_questions(), MENTEE).set_index("question")
    # q3 raw answers 1, 3, 2, 5: favourable after reversal are raw 1 and 2.
    assert table.loc["q3", "n_top_two"] == 2
    assert table.loc["q3", "top_two_share"] == pytest.approx(0.5)
    assert table.loc["q1", "n_top_two"] == 2
    assert table.loc["q2", "top_two_share"] == pytest.approx(2 / 3)
    low, high = proportion_confint(2, 3, method="wilson")
    assert table.loc["q2", "ci_low"] == pytest.approx(low, rel=1e-6)
    assert table.loc["q2", "ci_high"] == pytest.approx(high, rel=1e-6)


@pytest.fixture
def model_scores() -> tuple[pd.DataFrame, pd.DataFrame]:
    digital = [4.2, 3.8, 4.6, 5.0, 3.4, 4.4, 4.0]
    traditional = [3.6, 3.0, 4.1, 3.2, 2.8, 3.9]
    codes = [f"D{i}" for i in range(7)] + [f"R{i}" for i in range(6)] + ["BOTH"]
    scores = pd.DataFrame({"code": codes, "score": digital + traditional + [1.0]})
    groups = pd.DataFrame({
        "mentee_code": codes + ["BOTH"],
        "mentor_code": ["T1"] * 15,
        "model": ["digital"] * 7 + ["traditional"] * 6 + ["digital", "traditional"],
    })
    return scores, groups


def test_compare_matches_scipy_and_pingouin(model_scores):
    scores, groups = model_scores
    digital = scores["score"].iloc[:7].to_numpy()
    traditional = scores["score"].iloc[7:13].to_numpy()
    reference = stats.mannwhitneyu(digital, traditional, alternative="two-sided")
    # pingouin 0.7.0 mwu(x, y): RBC = 1 - 2 U_y / (n_x n_y).
    reference_pg = pg.mwu(digital, traditional)

    result = compare_models(scores, groups, role="mentee")
    assert result["n_digital"] == 7
    assert result["n_traditional"] == 6
    assert result["n_excluded"] == 1
    assert result["mann_whitney_u"] == pytest.approx(reference.statistic, rel=1e-6)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-6)
    assert result["p_value"] == pytest.approx(reference_pg["p_val"].iloc[0], rel=1e-6)
    assert result["rank_biserial"] == pytest.approx(reference_pg["RBC"].iloc[0], rel=1e-6)
    # 7 and 6 respondents are below the 10 per model a comparison needs.
    assert "(цифровая — 7, традиционная — 6)" in result["note"]


def test_compare_small_group_note(model_scores):
    scores, groups = model_scores
    small = scores[~scores["code"].isin(["R0", "R1", "R2"])]
    result = compare_models(small, groups, role="mentee")
    assert result["n_traditional"] == 3
    assert "меньше 10" in result["note"]
    assert "сравнение ненадёжно" in result["note"]


def test_compare_one_model_missing(model_scores):
    scores, groups = model_scores
    only_digital = scores[scores["code"].str.startswith("D")]
    result = compare_models(only_digital, groups, role="mentee")
    assert np.isnan(result["p_value"])
    assert "нет ответивших" in result["note"]


def test_text_themes():
    answers = make_answers([
        ("A", MENTEE, "wishes", np.nan, True),
        ("B", MENTEE, "wishes", np.nan, True),
        ("C", MENTEE, "wishes", np.nan, True),
        ("D", MENTEE, "wishes", np.nan, True),
    ])
    answers["answer"] = [
        "Не хватало Времени, неудобный график",
        "Часто пропадал интернет в Сферуме",
        "  ",
        "Всё отлично",
    ]
    texts = text_answers(answers, make_questions(), MENTEE).set_index("code")
    assert list(texts.index) == ["A", "B", "D"]
    assert texts.loc["A", "themes"] == ["Время и нагрузка"]
    assert texts.loc["B", "themes"] == ["Техника и интернет", "Платформы и сервисы"]
    assert texts.loc["D", "themes"] == ["Без темы"]

    counts = theme_counts(texts.reset_index()).set_index("theme")
    assert counts.loc["Время и нагрузка", "count"] == 1
    assert counts.loc["Без темы", "share"] == pytest.approx(1 / 3)


def test_text_stem_needs_word_start():
    # "часов" (time) matches only at a word start; "часто" is not about time.
    answers = make_answers([
        ("A", MENTEE, "wishes", np.nan, True),
        ("B", MENTEE, "wishes", np.nan, True),
        ("C", MENTEE, "wishes", np.nan, True),
    ])
    answers["answer"] = ["Хочу участвовать снова", "Часто", "Мало часов"]
    texts = text_answers(answers, make_questions(), MENTEE).set_index("code")
    assert texts.loc["A", "themes"] == ["Без темы"]
    assert texts.loc["B", "themes"] == ["Без темы"]
    assert texts.loc["C", "themes"] == ["Время и нагрузка"]


def test_compare_no_note_with_ten_per_model():
    codes = [f"D{i}" for i in range(10)] + [f"R{i}" for i in range(10)]
    scores = pd.DataFrame({"code": codes, "score": [4.0 + i / 10 for i in range(20)]})
    groups = pd.DataFrame({"mentee_code": codes, "mentor_code": ["T1"] * 20,
                           "model": ["digital"] * 10 + ["traditional"] * 10})
    result = compare_models(scores, groups, role="mentee")
    assert result["n_digital"] == 10
    assert result["n_traditional"] == 10
    assert result["note"] is None
