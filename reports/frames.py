"""The frames of one database read, shared by the summary, the pages and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db import queries
from db.engine import get_engine
from db.models import Setting
from db.registers import default_school_id, register_frame

REGISTER_NAMES = ("resources", "documents", "roadmap", "targets", "confirmations")


@dataclass(frozen=True)
class RegisterFrames:
    """The five register frames of one school (columns in ``analysis/indicators.py``)."""

    resources: pd.DataFrame
    documents: pd.DataFrame
    roadmap: pd.DataFrame
    targets: pd.DataFrame
    confirmations: pd.DataFrame

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in REGISTER_NAMES}


@dataclass(frozen=True)
class Frames:
    participants: pd.DataFrame
    groups: pd.DataFrame
    assessments: pd.DataFrame
    activities: pd.DataFrame
    answers: pd.DataFrame
    questions: pd.DataFrame
    registers: RegisterFrames | None = None
    # Saved user settings (rating weights, ...), decoded from JSON, by key.
    settings: dict = field(default_factory=dict)


def load_registers(engine: Engine | None = None, school_id: int | None = None) -> RegisterFrames:
    """Read the five registers of one school (the first school when not given)."""
    engine = engine or get_engine()
    if school_id is None:
        with Session(engine) as session:
            school_id = default_school_id(session)
    return RegisterFrames(*(register_frame(engine, name, school_id) for name in REGISTER_NAMES))


def load_settings(engine: Engine) -> dict:
    with Session(engine) as session:
        rows = session.exec(select(Setting)).all()
    return {row.key: json.loads(row.value_json) for row in rows}


def load_frames(engine: Engine | None = None) -> Frames:
    """Read every frame once, in one connection, so they describe the same moment."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        frames = dict(
            participants=queries.participants_frame(conn),
            groups=queries.groups_frame(conn),
            assessments=queries.assessments_frame(conn),
            activities=queries.activities_frame(conn),
            answers=queries.answers_frame(conn),
            questions=queries.questions_frame(conn),
        )
    return Frames(**frames, registers=load_registers(engine), settings=load_settings(engine))
