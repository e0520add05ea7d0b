"""Tests of the eleven plan indicators on small hand-built frames."""

import numpy as np
import pandas as pd
import pytest

from analysis.indicators import (
    INDICATOR_SPECS,
    INDICATORS,
    compute_indicators,
    document_percent,
    indicator_json_rows,
    indicator_status,
    participating_teachers,
    presence_indicators,
    registered_participants,
    satisfaction_by_month,
    satisfaction_index_percent,
    school_year_months,
)

MONTHS = school_year_months(2024)  # September 2024 to July 2025


def _ts(text):
    return pd.Timestamp(text)


@pytest.fixture
def resources():
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "base": ["internal", "internal", "external"],
            "title": ["Памятка по Сферуму", "Видеоурок", "Портал ЦОК"],
            "type": ["памятка", "видео", "портал"],
            "area": ["Сферум", "ЦОР", "ЦОР"],
            "url": ["", "", "https://example.org/cok"],
            "author": ["T001", "T002", ""],
            "added_on": [_ts("2024-10-31 23:30"), _ts("2024-11-02"), _ts("2025-01-15")],
        }
    )


@pytest.fixture
def roadmap():
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "number": [1, 2, 3],
            "title": ["Создание проектной группы", "Разработка модели", "Интерфейс"],
            "starts_on": [_ts("2024-09-01"), _ts("2024-09-01"), _ts("2024-10-01")],
            "ends_on": [_ts("2024-09-30"), _ts("2024-10-31"), _ts("2024-10-31")],
            "status": ["done", "done", "in_progress"],
            "result": ["Приказ", "Теоретическая модель", ""],
        }
    )


@pytest.fixture
def confirmations():
    return pd.DataFrame(
        {
            "id": [1],
            "indicator": ["platform"],
            "confirmed_on": [_ts("2024-12-10")],
            "evidence": ["Платформа открыта для участников"],
            "url": ["https://example.org/platform"],
        }
    )


def _values(frame, indicator):
    return frame[frame["indicator"] == indicator].set_index("month")["value"]


def test_school_year_months_default_september_to_july():
    assert list(MONTHS.astype(str)) == [
        "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02",
        "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
    ]  # fmt: skip


def test_school_year_months_rejects_bad_month():
    with pytest.raises(ValueError, match="start_month must be 1-12, got 13"):
        school_year_months(2024, start_month=13)


def test_presence_resource_base_counts_late_evening(resources, roadmap, confirmations):
    frame = presence_indicators(MONTHS, resources, roadmap, confirmations)
    internal = _values(frame, "internal_resources_base")
    assert internal["2024-09"] == 0.0
    # Added at 23:30 on 31 October: still October.
    assert internal["2024-10"] == 1.0
    external = _values(frame, "external_resources_base")
    assert external["2024-12"] == 0.0
    assert external["2025-01"] == 1.0


def test_presence_min_resources_threshold(resources, roadmap, confirmations):
    frame = presence_indicators(MONTHS, resources, roadmap, confirmations, min_resources=2)
    internal = frame[frame["indicator"] == "internal_resources_base"].set_index("month")
    assert internal.loc["2024-10", "value"] == 0.0
    assert internal.loc["2024-10", "n"] == 1.0
    assert internal.loc["2024-11", "value"] == 1.0
    assert internal.loc["2024-11", "evidence"] == "в базе 2 ресурса на конец месяца"


def test_presence_model_from_done_stage(resources, roadmap, confirmations):
    frame = presence_indicators(MONTHS, resources, roadmap, confirmations)
    model = frame[frame["indicator"] == "model_described"].set_index("month")
    assert model.loc["2024-09", "value"] == 0.0
    assert model.loc["2024-10", "value"] == 1.0
    assert "Теоретическая модель" in model.loc["2024-10", "evidence"]


def test_presence_interface_needs_done_stage(resources, roadmap, confirmations):
    frame = presence_indicators(MONTHS, resources, roadmap, confirmations)
    # Stage 3 is still in progress and nothing confirms the interface.
    assert (_values(frame, "platform_interface") == 0.0).all()


def test_presence_platform_from_confirmation(resources, roadmap, confirmations):
    frame = presence_indicators(MONTHS, resources, roadmap, confirmations)
    platform = frame[frame["indicator"] == "platform"].set_index("month")
    assert platform.loc["2024-11", "value"] == 0.0
    assert platform.loc["2024-12", "value"] == 1.0
    assert platform.loc["2024-12", "evidence"] == (
        "подтверждено 10.12.2024: Платформа открыта для участников "
        "(https://example.org/platform)"
    )


def test_document_percent_counts_required_approved():
    documents = pd.DataFrame(
        {
            "kind": ["normative"] * 4 + ["methodological"],
            "required": [True, True, True, False, True],
            "status": ["approved", "approved", "draft", "approved", "draft"],
            "dated_on": [_ts("2024-09-05"), pd.NaT, _ts("2024-10-01"), _ts("2024-09-01"), pd.NaT],
        }
    )
    normative = document_percent(MONTHS[:2], documents, "normative").set_index("month")
    # September: the dated approved one and the undated approved one, of 3 required.
    # 2 / 3 × 100 = 66.666666…, computed by hand.
    assert normative.loc["2024-09", "value"] == pytest.approx(66.6666666667, rel=1e-9)
    assert normative.loc["2024-09", "n"] == 3.0
    assert normative.loc["2024-10", "approved"] == 2
    methodological = document_percent(MONTHS[:1], documents, "methodological")
    assert methodological.loc[0, "value"] == 0.0


def test_document_percent_no_required_documents_is_nan():
    documents = pd.DataFrame(
        {"kind": ["normative"], "required": [False], "status": ["approved"], "dated_on": [pd.NaT]}
    )
    frame = document_percent(MONTHS[:1], documents, "normative")
    assert np.isnan(frame.loc[0, "value"])


def test_participating_teachers_counts_distinct_codes():
    groups = pd.DataFrame(
        {
            "group_code": ["G1", "G1", "G2", "G3"],
            "mentor_code": ["T01", "T01", "T02", "T03"],
            "mentee_code": ["T10", "T11", "T01", "T12"],
            "started_on": [_ts("2024-11-01"), _ts("2024-11-01"), _ts("2024-12-15"), pd.NaT],
        }
    )
    frame = participating_teachers(MONTHS[1:4], groups).set_index("month")["value"]
    assert frame["2024-10"] == 0.0
    assert frame["2024-11"] == 3.0  # T01, T10, T11
    assert frame["2024-12"] == 4.0  # T01 is mentor and mentee: counted once; T02 joins


def test_registered_participants_cumulative():
    participants = pd.DataFrame(
        {
            "code": ["T01", "T02", "T03"],
            "registered_on": [_ts("2024-09-01"), _ts("2024-09-30"), _ts("2025-02-01")],
        }
    )
    frame = registered_participants(MONTHS, participants).set_index("month")["value"]
    assert frame["2024-09"] == 2.0
    assert frame["2025-01"] == 2.0
    assert frame["2025-07"] == 3.0


@pytest.fixture
def questions():
    return pd.DataFrame(
        {
            "questionnaire": ["mentee_satisfaction"] * 3,
            "question": ["q1", "q2", "q3"],
            "scale_min": [1.0, 1.0, 1.0],
            "scale_max": [5.0, 5.0, 5.0],
            "reverse": [False, True, False],
            "is_scale_item": [True, True, False],
            "kind": ["likert", "likert", "text"],
        }
    )


@pytest.fixture
def answers():
    rows = [
        # T01 answers twice; only the May submission counts once it exists.
        ("2025-04-10", "T01", "q1", 2.0),
        ("2025-04-10", "T01", "q2", 4.0),
        ("2025-05-20", "T01", "q1", 5.0),
        ("2025-05-20", "T01", "q2", 2.0),
        ("2025-05-21", "T02", "q1", 3.0),
        ("2025-05-21", "T02", "q2", np.nan),
        ("2025-05-21", "T02", "q3", 1.0),
        ("2025-05-22", "T03", "q1", np.nan),
    ]
    frame = pd.DataFrame(rows, columns=["answered_at", "code", "question", "value"])
    frame["answered_at"] = pd.to_datetime(frame["answered_at"])
    frame["questionnaire"] = "mentee_satisfaction"
    frame["answer"] = frame["value"].astype(str)
    return frame


def test_satisfaction_index_by_hand(answers, questions):
    value, n = satisfaction_index_percent(answers, questions, "mentee_satisfaction")
    # Computed by hand on 1-5 items, q2 reverse-keyed (1 + 5 - v):
    # T01 (May): q1 = 5 -> 100 %, q2 = 2 -> 4 -> 75 %; mean 87.5 %.
    # T02: q1 = 3 -> 50 %; q2 missing; q3 is no scale item. T03 has no value.
    # Index = (87.5 + 50) / 2 = 68.75 %.
    assert value == pytest.approx(68.75, rel=1e-9)
    assert n == 2


def test_satisfaction_index_matches_contract_formula(answers, questions):
    # The data contract's own formula on a common 1-5 scale, written out with
    # pandas: mean of item values per respondent, then (score - 1) / 4 * 100.
    latest = answers[answers["answered_at"] >= "2025-05-01"].copy()
    latest = latest[latest["question"].isin(["q1", "q2"])].dropna(subset=["value"])
    latest.loc[latest["question"] == "q2", "value"] = 6 - latest["value"]
    scores = latest.groupby("code")["value"].mean()
    expected = ((scores - 1) / 4 * 100).mean()
    value, _ = satisfaction_index_percent(answers, questions, "mentee_satisfaction")
    assert value == pytest.approx(expected, rel=1e-6)


def test_satisfaction_by_month_uses_answers_so_far(answers, questions):
    frame = satisfaction_by_month(MONTHS, answers, questions, "mentee_satisfaction")
    frame = frame.set_index("month")
    assert np.isnan(frame.loc["2025-03", "value"])
    assert frame.loc["2025-03", "n"] == 0.0
    # April: T01's first submission, q1 = 2 -> 25 %, q2 = 4 -> 2 -> 25 %.
    assert frame.loc["2025-04", "value"] == pytest.approx(25.0, rel=1e-9)
    assert frame.loc["2025-05", "value"] == pytest.approx(68.75, rel=1e-9)


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (5.0, 5.0, "met"),
        (200 / 3, 66.6666666667, "met"),
        (4.0, 5.0, "behind"),
        (4.0, np.nan, "no_target"),
        (np.nan, 5.0, "no_data"),
        (np.nan, np.nan, "no_target"),
    ],
)
def test_indicator_status_cases(value, target, expected):
    assert indicator_status(value, target) == expected


@pytest.fixture
def full_inputs(resources, roadmap, confirmations, answers, questions):
    participants = pd.DataFrame(
        {
            "code": ["T01", "T02", "T03"],
            "full_name": ["Участник 1", "Участник 2", "Участник 3"],
            "role": ["mentor", "mentee", "mentee"],
            "registered_on": [_ts("2024-09-02"), _ts("2024-09-03"), _ts("2024-11-03")],
        }
    )
    groups = pd.DataFrame(
        {
            "group_code": ["G1", "G1"],
            "mentor_code": ["T01", "T01"],
            "mentee_code": ["T02", "T03"],
            "started_on": [_ts("2024-11-05"), _ts("2024-11-05")],
        }
    )
    documents = pd.DataFrame(
        {
            "kind": ["normative", "methodological"],
            "required": [True, True],
            "status": ["approved", "draft"],
            "dated_on": [_ts("2024-09-20"), pd.NaT],
        }
    )
    targets = pd.DataFrame(
        {
            "indicator": ["registered_participants_cumulative", "platform", "model_described"],
            "month": ["2024-09", "2024-11", "2025-06"],
            "target": [3.0, 1.0, 1.0],
        }
    )
    return {
        "months": MONTHS,
        "participants": participants,
        "groups": groups,
        "answers": answers,
        "questions": questions,
        "resources": resources,
        "documents": documents,
        "roadmap": roadmap,
        "confirmations": confirmations,
        "targets": targets,
    }


def test_compute_indicators_shape_and_order(full_inputs):
    frame = compute_indicators(**full_inputs)
    assert len(frame) == 11 * 11
    assert list(frame.columns) == [
        "month", "indicator", "value", "target", "status", "n", "evidence", "note",
    ]  # fmt: skip
    assert list(frame["indicator"].iloc[:11]) == list(INDICATORS)
    assert frame["month"].is_monotonic_increasing


def test_compute_indicators_status_and_notes(full_inputs):
    frame = compute_indicators(**full_inputs).set_index(["month", "indicator"])
    assert frame.loc[("2024-09", "registered_participants_cumulative"), "status"] == "behind"
    assert frame.loc[("2024-11", "platform"), "status"] == "behind"
    assert frame.loc[("2025-06", "model_described"), "status"] == "met"
    assert frame.loc[("2024-10", "platform"), "status"] == "no_target"
    assert frame.loc[("2025-05", "mentee_satisfaction_percent"), "note"] == (
        "мало ответов (2): значение неустойчиво"
    )
    assert frame.loc[("2024-09", "mentor_satisfaction_percent"), "note"] == "анкет пока нет"
    assert frame.loc[("2024-11", "participating_teachers_cumulative"), "value"] == 3.0


def test_compute_indicators_as_of_blanks_future(full_inputs):
    frame = compute_indicators(**full_inputs, as_of=pd.Timestamp("2025-01-10"))
    frame = frame.set_index(["month", "indicator"])
    assert frame.loc[("2025-01", "platform"), "value"] == 1.0
    assert np.isnan(frame.loc[("2025-02", "platform"), "value"])
    assert frame.loc[("2025-06", "model_described"), "status"] == "no_data"
    assert frame.loc[("2025-06", "model_described"), "note"] == "месяц ещё не наступил"


def test_compute_indicators_rejects_duplicate_targets(full_inputs):
    targets = full_inputs["targets"]
    full_inputs["targets"] = pd.concat([targets, targets.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one target for registered_participants"):
        compute_indicators(**full_inputs)


def test_indicator_json_rows_exact_keys(full_inputs):
    rows = indicator_json_rows(compute_indicators(**full_inputs))
    assert len(rows) == 121
    assert all(set(row) == {"month", "indicator", "value", "target", "status"} for row in rows)
    september = [row for row in rows if row["month"] == "2024-09"]
    assert september[0] == {
        "month": "2024-09",
        "indicator": "model_described",
        "value": 0.0,
        "target": None,
        "status": "no_target",
    }
    assert september[8]["value"] is None  # no mentee answers yet


def test_every_indicator_has_spec():
    assert list(INDICATOR_SPECS) == list(INDICATORS)
    assert all(spec.rule for spec in INDICATOR_SPECS.values())
