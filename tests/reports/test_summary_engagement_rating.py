"""The engagement, satisfaction and mentor_rating keys of the summary, on hand-built frames."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reports.engagement import engagement_summary
from reports.frames import Frames
from reports.rating import mentor_rating_summary
from reports.satisfaction import satisfaction_summary
from reports.summary import json_ready

T = pd.Timestamp
RATING_KEYS = {"mentor_code", "score", "ci_low", "ci_high", "rank", "rank_low",
               "rank_high", "n_mentees", "n_ratings", "components", "flag"}


@pytest.fixture
def frames() -> Frames:
    mentors = ["M1", "M2", "M3"]
    mentees = [f"E{i}" for i in range(9)]
    participants = pd.DataFrame({
        "code": mentors + mentees,
        "full_name": [f"Участник {i}" for i in range(12)],
        "role": ["mentor"] * 3 + ["mentee"] * 9,
        "registered_on": [T("2024-09-01")] * 12,
    })
    groups = pd.DataFrame({
        "group_code": [f"G{i // 3}" for i in range(9)],
        "mentor_code": [mentors[i // 3] for i in range(9)],
        "mentee_code": mentees,
        "model": ["digital"] * 6 + ["traditional"] * 3,
        "started_on": [T("2024-10-01")] * 9,
        "ended_on": [pd.NaT] * 9,
    })
    assessments = pd.DataFrame(
        [(code, "x", stage, T(day), 40.0 + i + (10 + i % 4 if stage == "post" else 0))
         for i, code in enumerate(mentees)
         for stage, day in (("pre", "2024-10-01"), ("post", "2025-05-01"))],
        columns=["code", "area", "stage", "assessed_on", "score_percent"],
    )
    moments = pd.to_datetime(["2024-10-05 10:00", "2024-11-05 10:00", "2024-10-07 12:00"])
    activities = pd.DataFrame({
        "occurred_at": moments,
        "occurred_on": moments.normalize(),
        "code": ["M1", "M2", "E0"],
        "group_code": ["G0", "G1", "G0"],
        "kind": ["meeting", "meeting", "material"],
        "format": ["remote", "in_person", "remote"],
        "hours": [1.0, 2.0, np.nan],
        "model": ["digital", "digital", "digital"],
    })
    rng = np.random.default_rng(2)
    answer_rows = [
        (code, "mentee_satisfaction", f"q{j}", float(rng.integers(2, 6)))
        for code in mentees for j in range(3)
    ]
    answers = pd.DataFrame(answer_rows, columns=["code", "questionnaire", "question", "value"])
    answers["answer"] = answers["value"].astype(str)
    answers["is_latest"] = True
    answers["answered_at"] = T("2025-05-20")
    questions = pd.DataFrame({
        "questionnaire": ["mentee_satisfaction"] * 3,
        "question": ["q0", "q1", "q2"],
        "scale_min": [1.0] * 3,
        "scale_max": [5.0] * 3,
        "reverse": [False] * 3,
        "is_scale_item": [True] * 3,
        "kind": ["likert"] * 3,
    })
    return Frames(participants=participants, groups=groups, assessments=assessments,
                  activities=activities, answers=answers, questions=questions)


def test_engagement_key(frames):
    result = json_ready(engagement_summary(frames))
    assert set(result) >= {"active_share_by_month", "activities_by_month",
                           "hours_by_model", "groups_without_activity_30d"}
    assert result["activities_by_month"] == {"2024-10": 2, "2024-11": 1}
    assert result["active_share_by_month"]["2024-10"] == pytest.approx(2 / 12)
    assert result["hours_by_model"] == {"digital": 3.0, "traditional": 0.0}
    # Reference date: the last activity (5 November 2024). G2 started on
    # 1 October and never had an activity: 35 days, so it is listed.
    assert result["groups_without_activity_30d"] == 1
    assert result["reference_date"] == "2024-11-05"
    json.dumps(result)


def test_satisfaction_key_nulls_with_note(frames):
    result = json_ready(satisfaction_summary(frames))
    by_key = {item["questionnaire"]: item for item in result}
    mentees = by_key["mentee_satisfaction"]
    assert mentees["respondents"] == 9
    assert mentees["cronbach_alpha"] is None
    assert "нужно не меньше 10" in mentees["note"]
    mentors = by_key["mentor_satisfaction"]
    assert mentors["respondents"] == 0
    assert mentors["share_satisfied"] is None
    assert mentors["note"].startswith("Ответов на эту анкету пока нет.")
    json.dumps(result)


def test_mentor_rating_key(frames):
    result = json_ready(mentor_rating_summary(frames))
    assert len(result) == 3
    for item in result:
        assert set(item) == RATING_KEYS
        assert set(item["components"]) == {"gain", "satisfaction", "activity", "products"}
    assert [item["rank"] for item in result] == [1, 2, 3]
    assert all(item["flag"] is None for item in result)
    assert isinstance(result[0]["rank_low"], int)
    json.dumps(result)
