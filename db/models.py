"""SQLModel tables for the whole mentoring programme.

Codes (participant, group) are unique within a school; the database ids are
internal. Activity and answer times are naive local school time (`NaiveDatetime`,
stored without a zone), and the calendar day is stored beside them in its own
`Date` column, so an activity at 23:30 keeps its day on SQLite and PostgreSQL
alike. Audit times (imports, settings) are UTC-aware, as SQLModel requires.

Every row written by an import carries `import_id`, so that an import can be
undone from the import log.
"""

from __future__ import annotations

import datetime as dt

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

ROLES = ("mentor", "mentee", "both")
MODELS = ("digital", "traditional")
STAGES = ("diagnostic", "pre", "mid", "post")
ACTIVITY_KINDS = (
    "meeting",
    "consultation",
    "open_lesson",
    "webinar",
    "contest",
    "project",
    "material",
    "digital_resource",
    "personal_site",
    "other",
)
FORMATS = ("in_person", "remote")
IMPORT_STATUSES = ("imported", "rejected", "dry_run", "undone")
ROW_OUTCOMES = ("imported", "duplicate", "skipped", "rejected", "converted")


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=300)
    city: str | None = Field(default=None, max_length=120)


class ImportBatch(SQLModel, table=True):
    """One imported file: its hash, outcome counts and status."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=500)
    file_sha256: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=60)
    status: str = Field(default="imported", max_length=20)
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    rows_total: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: int = 0
    # What the reader detected (encoding, delimiter, header rows, mapping), as JSON text.
    detected: str | None = Field(default=None, sa_column=Column(Text))
    undone_at: dt.datetime | None = None


class ImportRowOutcome(SQLModel, table=True):
    """Per-row outcome of an import: every source row is accounted for here."""

    __tablename__ = "import_row_outcome"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_batch.id", index=True)
    row: int
    outcome: str = Field(max_length=20)
    column: str | None = Field(default=None, max_length=300)
    value: str | None = Field(default=None, sa_column=Column(Text))
    message: str | None = Field(default=None, sa_column=Column(Text))


class Participant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=60)
    full_name: str = Field(max_length=300)
    role: str = Field(max_length=20)
    subject: str | None = Field(default=None, max_length=200)
    experience_years: float | None = None
    email: str | None = Field(default=None, index=True, max_length=320)
    registered_on: dt.date
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class MentoringGroup(SQLModel, table=True):
    """A mentor with one or more mentees; a pair is a group of one mentee."""

    __tablename__ = "mentoring_group"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=60)
    mentor_id: int = Field(foreign_key="participant.id", index=True)
    model: str = Field(max_length=20)
    started_on: dt.date
    ended_on: dt.date | None = None
    focus_areas: str | None = Field(default=None, sa_column=Column(Text))
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("group_id", "mentee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="mentoring_group.id", index=True)
    mentee_id: int = Field(foreign_key="participant.id", index=True)
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class CompetenceArea(SQLModel, table=True):
    __tablename__ = "competence_area"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)


class Assessment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("participant_id", "area_id", "stage", "assessed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    area_id: int = Field(foreign_key="competence_area.id", index=True)
    stage: str = Field(max_length=20)
    assessed_on: dt.date
    score: float
    max_score: float
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Event(SQLModel, table=True):
    """A programme event (online meeting, contest, project, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    format: str = Field(max_length=20)
    starts_on: dt.date
    ends_on: dt.date | None = None
    hours: float | None = None
    description: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, max_length=1000)


class EventParticipant(SQLModel, table=True):
    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    result: str | None = Field(default=None, sa_column=Column(Text))


class Activity(SQLModel, table=True):
    __table_args__ = (Index("ix_activity_day_participant", "occurred_on", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_on: dt.date = Field(index=True)
    occurred_at: NaiveDatetime | None = None
    participant_id: int = Field(foreign_key="participant.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="mentoring_group.id")
    kind: str = Field(max_length=40)
    format: str = Field(max_length=20)
    hours: float | None = None
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=1000)
    # An event's activity rows go with it, so deleting an event never leaves them behind.
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="CASCADE")
    # SHA-256 of the normalised row; a repeated import of the same row is a duplicate.
    row_hash: str = Field(unique=True, max_length=64)
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Questionnaire(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=100)
    title: str = Field(max_length=300)
    # Scale dictionary of this questionnaire (scales, labels, no-opinion rule) as JSON.
    scales_json: str | None = Field(default=None, sa_column=Column(Text))


class Question(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("questionnaire_id", "text"),)

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(default="likert", max_length=20)
    scale: str | None = Field(default=None, max_length=60)
    scale_min: float | None = None
    scale_max: float | None = None
    reverse: bool = False
    is_scale_item: bool = False
    position: int = 0


class Submission(SQLModel, table=True):
    """One respondent's filled-in questionnaire; later ones supersede earlier ones."""

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    # Empty for an anonymous form's answers: they count in the import, not per teacher.
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    answered_at: NaiveDatetime
    answered_on: dt.date
    # SHA-256 of the respondent and the answers; an identical resubmission is a duplicate.
    content_hash: str = Field(index=True, max_length=64)
    is_latest: bool = True
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Answer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str | None = Field(default=None, sa_column=Column(Text))
    value: float | None = None
    # Why `value` is missing although an answer was given ("no_opinion", "unknown_label").
    missing_reason: str | None = Field(default=None, max_length=40)


class FormMapping(SQLModel, table=True):
    """A saved mapping of a form export's columns, applied to the next export."""

    __tablename__ = "form_mapping"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    questionnaire_key: str = Field(max_length=100)
    mapping_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime


class RespondentReview(SQLModel, table=True):
    """A respondent the import could not match to exactly one participant."""

    __tablename__ = "respondent_review"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")
    questionnaire_key: str = Field(max_length=100)
    full_name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=320)
    code: str | None = Field(default=None, max_length=60)
    reason: str = Field(max_length=40)
    candidates: str | None = Field(default=None, sa_column=Column(Text))
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    resolved_participant_id: int | None = Field(default=None, foreign_key="participant.id")
    resolved_at: dt.datetime | None = None


class Resource(SQLModel, table=True):
    """An entry of the internal or external resource base."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    base: str = Field(max_length=20)  # internal | external
    title: str = Field(max_length=500)
    type: str | None = Field(default=None, max_length=100)
    area: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=1000)
    author: str | None = Field(default=None, max_length=300)
    added_on: dt.date
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Document(SQLModel, table=True):
    """A normative or methodological document the model needs."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=500)
    kind: str = Field(max_length=20)  # normative | methodological
    required: bool = True
    status: str = Field(default="draft", max_length=20)  # draft | approved
    dated_on: dt.date | None = None
    url: str | None = Field(default=None, max_length=1000)
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class RoadmapStage(SQLModel, table=True):
    __tablename__ = "roadmap_stage"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    number: int
    title: str = Field(max_length=300)
    content: str | None = Field(default=None, sa_column=Column(Text))
    starts_on: dt.date
    ends_on: dt.date
    status: str = Field(default="planned", max_length=20)  # planned | in_progress | done
    planned_result: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, sa_column=Column(Text))


class IndicatorTarget(SQLModel, table=True):
    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("school_id", "indicator", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    indicator: str = Field(max_length=60)
    month: str = Field(max_length=7)  # YYYY-MM
    target: float


class IndicatorConfirmation(SQLModel, table=True):
    """Evidence that a presence indicator (model, platform, ...) is met from a date on."""

    __tablename__ = "indicator_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    indicator: str = Field(max_length=60)
    confirmed_on: dt.date
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=1000)


class Route(SQLModel, table=True):
    """An individual route of a mentee (or of a whole group)."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    group_id: int | None = Field(default=None, foreign_key="mentoring_group.id")
    title: str = Field(max_length=300)
    created_on: dt.date


class RouteTarget(SQLModel, table=True):
    __tablename__ = "route_target"
    __table_args__ = (UniqueConstraint("route_id", "area_id"),)

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="route.id", index=True)
    area_id: int = Field(foreign_key="competence_area.id")
    target_percent: float


class RouteStep(SQLModel, table=True):
    __tablename__ = "route_step"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="route.id", index=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=40)  # meeting | resource | event | other
    planned_on: dt.date
    done_on: dt.date | None = None
    status: str = Field(default="planned", max_length=20)  # planned | done | cancelled
    resource_id: int | None = Field(default=None, foreign_key="resource.id", ondelete="SET NULL")
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")


class Setting(SQLModel, table=True):
    """Saved user settings (rating weights, duplicate rule, school year), as JSON."""

    key: str = Field(primary_key=True, max_length=100)
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime
