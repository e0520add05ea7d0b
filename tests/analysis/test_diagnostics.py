"""Tests for analysis.diagnostics on hand-built frames."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis import diagnostics as dg

Q = dg.DIFFICULTY_QUESTION
SERVICES = ["ФГИС «Моя школа»", "Сферум", "ЦОК"]

# Grid cells per code, in SERVICES order; None is an empty cell.
GRID = {
    "T01": ["Да", "Нет", "Нет"],
    "T02": ["Нет", "Нет", "Нет"],
    "T03": ["Частично", "Нет", None],
    "T04": ["нет", "ДА", "Частично"],
    "T05": ["Нет", "Нет", "Нет"],
    "T06": [None, None, None],
    "T07": ["Нет", "частично", "Нет"],
}
PARTICIPANTS = pd.DataFrame(
    {
        "code": ["T01", "T02", "T03", "T04", "T05", "T06", "T07"],
        "subject": ["Математика", "Математика", "История", "История", None, "ИЗО", "ИЗО"],
        "experience_years": [3, 5, 6, 30, 16, 2, np.nan],
    }
)


def make_answers(grid=GRID, extra=()):
    rows = []
    for code, values in grid.items():
        for service, value in zip(SERVICES, values, strict=True):
            rows.append((code, f"{Q} [{service}]", value, True))
    rows.extend(extra)
    frame = pd.DataFrame(rows, columns=["code", "question", "answer", "is_latest"])
    frame["questionnaire"] = "diagnostic"
    return frame


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"{Q} [Сферум]", (Q, "Сферум")),
        (
            "Трудности [цифровые] при работе [Онлайн-тесты]",
            ("Трудности [цифровые] при работе", "Онлайн-тесты"),
        ),
        ("Оцените уровень владения [Облачные документы] ", (
            "Оцените уровень владения", "Облачные документы")),
        ("Без строки", ("Без строки", None)),
        ("Скобки [в середине] текста", ("Скобки [в середине] текста", None)),
    ],
)
def test_split_grid_question(header, expected):
    assert dg.split_grid_question(header) == expected


@pytest.mark.parametrize(("x", "n"), [(0, 7), (3, 7), (7, 7), (81, 263), (1, 2)])
def test_wilson_matches_statsmodels(x, n):
    low, high = dg.wilson_interval(x, n)
    # Reference: statsmodels 0.15.0 proportion_confint(x, n, alpha=0.05, method="wilson")
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert float(low) == pytest.approx(ref_low, rel=1e-6, abs=1e-12)
    assert float(high) == pytest.approx(ref_high, rel=1e-6, abs=1e-12)


def test_wilson_rejects_bad_counts():
    with pytest.raises(ValueError, match="n must be positive"):
        dg.wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        dg.wilson_interval(5, 3)


def test_difficulty_answers_levels_and_services():
    levels = dg.difficulty_answers(make_answers())
    assert set(levels["service"]) == set(SERVICES)
    # 7 teachers x 3 services minus 4 empty cells
    assert len(levels) == 17
    t04 = levels[levels["code"] == "T04"].set_index("service")["level"]
    assert t04.to_dict() == {SERVICES[0]: "no", SERVICES[1]: "yes", SERVICES[2]: "partial"}


def test_difficulty_answers_latest_only():
    extra = [
        ("T02", f"{Q} [Сферум]", "Да", False),
    ]
    answers = make_answers(extra=extra)
    other = answers.iloc[[0]].assign(questionnaire="mentee_satisfaction", code="T99")
    levels = dg.difficulty_answers(pd.concat([answers, other]))
    assert "T99" not in set(levels["code"])
    assert levels.query("code == 'T02'")["level"].eq("no").all()


def test_difficulty_shares_overall_rule():
    shares = dg.difficulty_shares(make_answers(), PARTICIPANTS, min_n=5)
    overall = shares[shares["dimension"] == "overall"].iloc[0]
    # T06 left every cell empty and is left out; T01, T03, T04, T07 have Да/Частично.
    assert overall["n"] == 6
    assert overall["n_difficulty"] == 4
    assert overall["n_yes"] == 2
    assert overall["n_partial_only"] == 2
    assert overall["share"] == pytest.approx(4 / 6, rel=1e-12)
    # Reference: statsmodels proportion_confint(4, 6, method="wilson")
    ref_low, ref_high = proportion_confint(4, 6, method="wilson")
    assert overall["ci_low"] == pytest.approx(ref_low, rel=1e-6)
    assert overall["ci_high"] == pytest.approx(ref_high, rel=1e-6)
    assert not overall["few_observations"]


def test_difficulty_shares_per_service():
    shares = dg.difficulty_shares(make_answers()).set_index(["dimension", "group"])
    sferum = shares.loc[("service", "Сферум")]
    assert sferum["n"] == 6
    assert sferum["n_difficulty"] == 2
    assert sferum["n_yes"] == 1
    assert sferum["n_partial_only"] == 1
    tsok = shares.loc[("service", "ЦОК")]
    assert tsok["n"] == 5
    assert tsok["n_difficulty"] == 1
    ref_low, ref_high = proportion_confint(1, 5, method="wilson")
    assert tsok["ci_low"] == pytest.approx(ref_low, rel=1e-6)
    assert tsok["ci_high"] == pytest.approx(ref_high, rel=1e-6)
    assert tsok["few_observations"]


def test_difficulty_shares_picks_up_new_service():
    extra = [("T01", f"{Q} [Библиотека ЦОК]", "Да", True)]
    shares = dg.difficulty_shares(make_answers(extra=extra))
    row = shares[(shares["dimension"] == "service") & (shares["group"] == "Библиотека ЦОК")]
    assert len(row) == 1
    assert row["n"].iloc[0] == 1


def test_difficulty_shares_by_subject_and_band():
    shares = dg.difficulty_shares(make_answers(), PARTICIPANTS)
    subjects = shares[shares["dimension"] == "subject"].set_index("group")
    assert list(subjects.index) == ["ИЗО", "История", "Математика"]
    assert subjects.loc["Математика", "n"] == 2
    assert subjects.loc["Математика", "n_difficulty"] == 1
    assert subjects.loc["История", "n_difficulty"] == 2
    # T06 (ИЗО) left every cell empty; T07 (ИЗО) has Частично.
    assert subjects.loc["ИЗО", "n"] == 1
    bands = shares[shares["dimension"] == "experience_band"].set_index("group")
    # T01 3y, T02 5y -> 0–5; T03 6y -> 6–15; T05 16y -> 16–25; T04 30y -> 26+
    assert bands.loc["0–5", "n"] == 2
    assert bands.loc["6–15", "n"] == 1
    assert bands.loc["16–25", "n"] == 1
    assert bands.loc["26+", "n_difficulty"] == 1
    assert shares["share"].notna().all()
    assert shares["ci_low"].notna().all()


def test_difficulty_shares_empty():
    empty = make_answers().iloc[0:0]
    assert dg.difficulty_shares(empty).empty


def test_experience_band_edges():
    bands = dg.experience_band(pd.Series([0, 5, 5.5, 15, 16, 25, 26, -1, None]))
    assert bands.astype(object).tolist()[:7] == ["0–5", "0–5", "6–15", "6–15", "16–25", "16–25", "26+"]
    assert bands.isna().tolist()[7:] == [True, True]


OPTIONS = [
    "Интерактивная доска, панель",
    "Видеоконференции (Zoom, Сферум)",
    "Электронный журнал",
    "Тесты в Яндекс Формах",
]


@pytest.mark.parametrize(
    ("text", "chosen", "other"),
    [
        (
            "Интерактивная доска, панель, Видеоконференции (Zoom, Сферум)",
            ["Интерактивная доска, панель", "Видеоконференции (Zoom, Сферум)"],
            None,
        ),
        (
            "Электронный журнал, Тесты в Яндекс Формах",
            ["Электронный журнал", "Тесты в Яндекс Формах"],
            None,
        ),
        (
            "Видеоконференции (Zoom, Сферум), Другое: сам пишу скрипты, на Python",
            ["Видеоконференции (Zoom, Сферум)"],
            "сам пишу скрипты, на Python",
        ),
        ("", [], None),
        (None, [], None),
        ("электронный ЖУРНАЛ", ["Электронный журнал"], None),
    ],
)
def test_split_multi_choice(text, chosen, other):
    assert dg.split_multi_choice(text, OPTIONS) == (chosen, other)


def test_split_multi_choice_without_options_warns():
    with pytest.warns(UserWarning, match="may cut options"):
        chosen, other = dg.split_multi_choice("А, Б", None)
    assert chosen == ["А", "Б"]
    assert other is None


def test_choice_counts():
    question = "Какие цифровые инструменты вы используете?"
    rows = [
        ("T01", question, "Интерактивная доска, панель, Электронный журнал"),
        ("T02", question, "Электронный журнал"),
        ("T03", question, "Электронный журнал, Другое: робототехника"),
        ("T04", question, ""),
        ("T05", "Другой вопрос", "Да"),
    ]
    answers = pd.DataFrame(rows, columns=["code", "question", "answer"]).assign(
        questionnaire="diagnostic", is_latest=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts = dg.choice_counts(answers, question, options=OPTIONS)
    table = counts.set_index("option")
    assert counts["option"].iloc[0] == "Электронный журнал"
    assert table.loc["Электронный журнал", "n"] == 3
    assert table.loc["Интерактивная доска, панель", "n"] == 1
    assert table.loc["Тесты в Яндекс Формах", "n"] == 0
    assert table.loc["робототехника", "is_other"]
    # T05 submitted the questionnaire, so the denominator is 5.
    assert (counts["n_respondents"] == 5).all()
    ref_low, ref_high = proportion_confint(3, 5, method="wilson")
    assert table.loc["Электронный журнал", "ci_low"] == pytest.approx(ref_low, rel=1e-6)
    assert table.loc["Электронный журнал", "ci_high"] == pytest.approx(ref_high, rel=1e-6)


def make_assessments():
    rows = [
        # code, area, stage, date, percent
        ("T01", "Сферум", "diagnostic", "2024-09-10", 40.0),
        ("T01", "Сферум", "diagnostic", "2024-09-20", 50.0),  # latest wins
        ("T01", "ЦОР", "diagnostic", "2024-09-10", 90.0),
        ("T02", "Сферум", "diagnostic", "2024-09-10", 85.0),
        ("T02", "ЦОР", "pre", "2024-10-01", 55.0),  # no diagnostic: pre used
        ("T03", "Сферум", "diagnostic", "2024-09-10", 80.0),
        ("T03", "ЦОР", "diagnostic", "2024-09-10", 59.9),
        ("T04", "Сферум", "diagnostic", "2024-09-10", 30.0),
        ("T04", "Сферум", "post", "2025-05-10", 95.0),  # not a baseline stage
        ("T05", "Сферум", "diagnostic", "2024-09-10", 60.0),
    ]
    frame = pd.DataFrame(rows, columns=["code", "area", "stage", "assessed_on", "score_percent"])
    frame["assessed_on"] = pd.to_datetime(frame["assessed_on"])
    return frame


def test_competence_matrix_values_and_sort():
    matrix = dg.competence_matrix(make_assessments())
    assert list(matrix.columns) == ["Сферум", "ЦОР", "mean"]
    assert matrix.loc["T01", "Сферум"] == 50.0
    assert matrix.loc["T02", "ЦОР"] == 55.0
    assert np.isnan(matrix.loc["T04", "ЦОР"])
    assert matrix.loc["T01", "mean"] == pytest.approx(70.0)
    # means: T04 30, T05 60, T03 69.95, T01 70, T02 70 (tie kept in code order)
    assert list(matrix.index) == ["T04", "T05", "T03", "T01", "T02"]
    by_area = dg.competence_matrix(make_assessments(), sort_by="ЦОР", ascending=False)
    assert list(by_area.index) == ["T01", "T03", "T02", "T04", "T05"]


def test_competence_matrix_rejects_unknown_sort():
    with pytest.raises(ValueError, match="sort_by must be"):
        dg.competence_matrix(make_assessments(), sort_by="Физика")


def test_mentor_need_counts():
    table = dg.mentor_need(make_assessments()).set_index("area")
    # Сферум: T01 50, T02 85, T03 80, T04 30, T05 60 -> need T01, T04; strong T02, T03
    assert table.loc["Сферум", "n_assessed"] == 5
    assert table.loc["Сферум", "n_need"] == 2
    assert table.loc["Сферум", "n_strong"] == 2
    assert table.loc["Сферум", "capacity"] == 6
    assert table.loc["Сферум", "shortfall"] == 0
    assert table.loc["Сферум", "mentors_needed"] == 1
    # ЦОР: T01 90, T02 55, T03 59.9 -> need 2, strong 1
    assert table.loc["ЦОР", "n_need"] == 2
    assert table.loc["ЦОР", "n_strong"] == 1


def test_mentor_need_thresholds_and_mentor_filter():
    table = dg.mentor_need(
        make_assessments(),
        need_threshold=85,
        strong_threshold=85,
        mentees_per_mentor=1,
        mentor_codes=["T01"],
    ).set_index("area")
    assert table.loc["Сферум", "n_need"] == 4
    assert table.loc["Сферум", "n_strong"] == 0
    assert table.loc["Сферум", "shortfall"] == 4
    assert table.loc["Сферум", "mentors_missing"] == 4
    assert table.index[0] == "Сферум"
    with pytest.raises(ValueError, match="thresholds must satisfy"):
        dg.mentor_need(make_assessments(), need_threshold=90, strong_threshold=80)


def test_respondent_profiles():
    rows = [
        ("T01", "Какие темы вам интересны?", "Видеоуроки, Проектная деятельность", True),
        ("T01", "В каком формате вам удобнее получать помощь?", "очно", True),
        ("T01", "Когда вам удобно встречаться с наставником?", "утро, после уроков", True),
        ("T02", "Какие темы вам интересны?", "Интерактивная доска, панель", True),
        ("T02", "Какие темы вам интересны?", "Видеоуроки", False),
    ]
    answers = pd.DataFrame(rows, columns=["code", "question", "answer", "is_latest"]).assign(
        questionnaire="diagnostic"
    )
    questions = {
        "interests": "Какие темы вам интересны?",
        "format": "В каком формате вам удобнее получать помощь?",
        "schedule": "Когда вам удобно встречаться с наставником?",
    }
    profiles = dg.respondent_profiles(
        answers,
        PARTICIPANTS,
        questions,
        options={"interests": ["Видеоуроки", "Проектная деятельность", "Интерактивная доска, панель"]},
    ).set_index("code")
    assert profiles.loc["T01", "interests"] == ["Видеоуроки", "Проектная деятельность"]
    assert profiles.loc["T01", "schedule"] == ["утро", "после уроков"]
    assert profiles.loc["T01", "format"] == ["очно"]
    assert profiles.loc["T01", "subject"] == "Математика"
    assert profiles.loc["T02", "interests"] == ["Интерактивная доска, панель"]
    assert profiles.loc["T07", "interests"] == []
    assert len(profiles) == len(PARTICIPANTS)
