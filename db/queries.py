"""Read queries that return the long-format frames described in docs/ARCHITECTURE.md.

Each function takes a SQLAlchemy engine (or connection) and returns a fresh
DataFrame with fixed columns, empty but correctly typed when the database holds
nothing yet.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import select

from db.models import (
    Activity,
    Answer,
    Assessment,
    CompetenceArea,
    GroupMember,
    MentoringGroup,
    Participant,
    Question,
    Questionnaire,
    School,
    Submission,
)

PARTICIPANT_COLUMNS = [
    "code", "full_name", "role", "school", "subject", "experience_years", "email",
    "registered_on",
]
GROUP_COLUMNS = [
    "group_code", "mentor_code", "mentee_code", "model", "started_on", "ended_on",
    "focus_areas",
]
ASSESSMENT_COLUMNS = [
    "code", "area", "stage", "assessed_on", "score", "max_score", "score_percent",
    "model", "mentor_code", "group_code",
]
ACTIVITY_COLUMNS = [
    "occurred_on", "occurred_at", "code", "group_code", "kind", "format", "hours",
    "title", "url", "model",
]
ANSWER_COLUMNS = [
    "answered_at", "code", "questionnaire", "question", "answer", "value", "is_latest",
    "missing_reason",
]
QUESTION_COLUMNS = [
    "questionnaire", "question", "scale_min", "scale_max", "reverse", "is_scale_item",
    "kind", "position",
]


def _read(bind: Engine | Connection, statement, columns: list[str]) -> pd.DataFrame:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            result = conn.execute(statement)
            rows = result.fetchall()
    else:
        rows = bind.execute(statement).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _to_datetime(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])


def participants_frame(bind: Engine | Connection) -> pd.DataFrame:
    statement = (
        select(
            Participant.code, Participant.full_name, Participant.role, School.name,
            Participant.subject, Participant.experience_years, Participant.email,
            Participant.registered_on,
        )
        .join(School, School.id == Participant.school_id)
        .order_by(Participant.code)
    )
    frame = _read(bind, statement, PARTICIPANT_COLUMNS)
    _to_datetime(frame, "registered_on")
    frame["experience_years"] = frame["experience_years"].astype("float64")
    return frame


def groups_frame(bind: Engine | Connection) -> pd.DataFrame:
    mentor = sa.orm.aliased(Participant)
    mentee = sa.orm.aliased(Participant)
    statement = (
        select(
            MentoringGroup.code, mentor.code, mentee.code, MentoringGroup.model,
            MentoringGroup.started_on, MentoringGroup.ended_on, MentoringGroup.focus_areas,
        )
        .join(mentor, mentor.id == MentoringGroup.mentor_id)
        .join(GroupMember, GroupMember.group_id == MentoringGroup.id)
        .join(mentee, mentee.id == GroupMember.mentee_id)
        .order_by(MentoringGroup.code, mentee.code)
    )
    frame = _read(bind, statement, GROUP_COLUMNS)
    _to_datetime(frame, "started_on", "ended_on")
    return frame


def mentee_group_lookup(groups: pd.DataFrame) -> pd.DataFrame:
    """One row per mentee: the group they joined last (model, mentor, group code)."""
    if groups.empty:
        return pd.DataFrame(columns=["code", "model", "mentor_code", "group_code"])
    latest = groups.sort_values(["mentee_code", "started_on"]).groupby("mentee_code").tail(1)
    return latest.rename(columns={"mentee_code": "code"})[
        ["code", "model", "mentor_code", "group_code"]
    ].reset_index(drop=True)


def assessments_frame(bind: Engine | Connection) -> pd.DataFrame:
    statement = (
        select(
            Participant.code, CompetenceArea.name, Assessment.stage, Assessment.assessed_on,
            Assessment.score, Assessment.max_score,
        )
        .join(Participant, Participant.id == Assessment.participant_id)
        .join(CompetenceArea, CompetenceArea.id == Assessment.area_id)
        .order_by(Participant.code, CompetenceArea.name, Assessment.assessed_on)
    )
    base_columns = ["code", "area", "stage", "assessed_on", "score", "max_score"]
    frame = _read(bind, statement, base_columns)
    _to_datetime(frame, "assessed_on")
    frame["score"] = frame["score"].astype("float64")
    frame["max_score"] = frame["max_score"].astype("float64")
    frame["score_percent"] = frame["score"] / frame["max_score"] * 100.0
    lookup = mentee_group_lookup(groups_frame(bind))
    frame = frame.merge(lookup, on="code", how="left")
    return frame[ASSESSMENT_COLUMNS]


def activities_frame(bind: Engine | Connection) -> pd.DataFrame:
    statement = (
        select(
            Activity.occurred_on, Activity.occurred_at, Participant.code, MentoringGroup.code,
            Activity.kind, Activity.format, Activity.hours, Activity.title, Activity.url,
            MentoringGroup.model,
        )
        .join(Participant, Participant.id == Activity.participant_id)
        .outerjoin(MentoringGroup, MentoringGroup.id == Activity.group_id)
        .order_by(Activity.occurred_on, Activity.id)
    )
    frame = _read(bind, statement, ACTIVITY_COLUMNS)
    _to_datetime(frame, "occurred_on", "occurred_at")
    frame["hours"] = frame["hours"].astype("float64")
    if not frame.empty and frame["model"].isna().any():
        # An activity without a group takes the model of the participant's group,
        # as mentee first, then as mentor.
        groups = groups_frame(bind)
        by_mentee = mentee_group_lookup(groups).set_index("code")["model"]
        by_mentor = (
            groups.sort_values("started_on").groupby("mentor_code")["model"].last()
            if not groups.empty
            else pd.Series(dtype="object")
        )
        fallback = frame["code"].map(by_mentee).fillna(frame["code"].map(by_mentor))
        frame["model"] = frame["model"].fillna(fallback)
    return frame


def answers_frame(
    bind: Engine | Connection, questionnaire: str | None = None
) -> pd.DataFrame:
    statement = (
        select(
            Submission.answered_at, Participant.code, Questionnaire.key, Answer.question,
            Answer.answer, Answer.value, Submission.is_latest, Answer.missing_reason,
        )
        .join(Submission, Submission.id == Answer.submission_id)
        .join(Participant, Participant.id == Submission.participant_id)
        .join(Questionnaire, Questionnaire.id == Submission.questionnaire_id)
        .order_by(Submission.answered_at, Submission.id, Answer.id)
    )
    if questionnaire is not None:
        statement = statement.where(Questionnaire.key == questionnaire)
    frame = _read(bind, statement, ANSWER_COLUMNS)
    _to_datetime(frame, "answered_at")
    frame["value"] = frame["value"].astype("float64")
    frame["is_latest"] = frame["is_latest"].astype(bool)
    return frame


def questions_frame(bind: Engine | Connection) -> pd.DataFrame:
    statement = (
        select(
            Questionnaire.key, Question.text, Question.scale_min, Question.scale_max,
            Question.reverse, Question.is_scale_item, Question.kind, Question.position,
        )
        .join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
        .order_by(Questionnaire.key, Question.position)
    )
    frame = _read(bind, statement, QUESTION_COLUMNS)
    frame["reverse"] = frame["reverse"].astype(bool)
    frame["is_scale_item"] = frame["is_scale_item"].astype(bool)
    return frame


def anonymous_submission_counts(bind: Engine | Connection) -> dict[str, int]:
    """Count the submissions without a participant (anonymous forms) per questionnaire key."""
    statement = (
        select(Questionnaire.key, sa.func.count())
        .select_from(Submission)
        .join(Questionnaire, Questionnaire.id == Submission.questionnaire_id)
        .where(Submission.participant_id.is_(None))
        .group_by(Questionnaire.key)
    )
    frame = _read(bind, statement, ["questionnaire", "n"])
    return {str(key): int(n) for key, n in zip(frame["questionnaire"], frame["n"], strict=True)}


def table_counts(bind: Engine | Connection) -> dict[str, int]:
    """Row counts of the main tables (for the overview and the demo check)."""
    counts = {}
    for name, model in {
        "participants": Participant,
        "groups": MentoringGroup,
        "assessments": Assessment,
        "activities": Activity,
        "submissions": Submission,
    }.items():
        statement = select(sa.func.count()).select_from(model)
        counts[name] = int(_read(bind, statement, ["n"])["n"].iloc[0])
    return counts
