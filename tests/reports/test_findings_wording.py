"""Wording of the report's summary findings: plain readings and Russian number formats."""

from __future__ import annotations

from reports.findings import _engagement, _mentor_rating, _satisfaction

NBSP = "\u00a0"


def test_engagement_groups_thousands():
    sentences = _engagement(
        {
            "activities_by_month": {"2025-04": 1000, "2025-05": 780},
            "hours_by_model": {"digital": 1636.0, "traditional": 559.0},
        }
    )
    text = " ".join(sentences)
    assert f"Всего в журнале 1{NBSP}780 записей" in text
    assert f"цифровая модель — 1{NBSP}636{NBSP}ч" in text
    assert f"традиционная — 559{NBSP}ч" in text
    assert "1780" not in text


def test_satisfaction_names_the_index():
    row = {"questionnaire": "mentee_satisfaction", "respondents": 43,
           "index_percent": 79.04, "share_satisfied": 0.814,
           "share_ci_low": 0.6738, "share_ci_high": 0.9026}
    text = _satisfaction([row])[0]
    assert f"индекс удовлетворённости 79,0{NBSP}%" in text
    assert "из 100 возможных" not in text
    assert f"— 81,4{NBSP}% (95-процентный интервал Уилсона: от 67,4{NBSP}% до 90,3{NBSP}%) ответивших" in text


def test_rating_score_has_plain_reading():
    rows = [{"mentor_code": "T042", "score": 0.6712, "rank_low": 1, "rank_high": 5, "flag": None}]
    text = _mentor_rating(rows)[0]
    assert "балл 0,67:" in text
    assert "на 0,67 стандартного отклонения выше, чем у среднего наставника" in text


def test_rating_negative_score_reads_below():
    rows = [{"mentor_code": "T001", "score": -0.25, "rank_low": 1, "rank_high": 2, "flag": None}]
    text = _mentor_rating(rows)[0]
    assert "балл −0,25:" in text
    assert "на 0,25 стандартного отклонения ниже" in text
