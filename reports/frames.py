"""The frames of one database read, shared by the summary, the pages and the report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from db import queries
from db.engine import get_engine


@dataclass(frozen=True)
class Frames:
    participants: pd.DataFrame
    groups: pd.DataFrame
    assessments: pd.DataFrame
    activities: pd.DataFrame
    answers: pd.DataFrame
    questions: pd.DataFrame


def load_frames(engine: Engine | None = None) -> Frames:
    """Read every frame once, in one connection, so they describe the same moment."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return Frames(
            participants=queries.participants_frame(conn),
            groups=queries.groups_frame(conn),
            assessments=queries.assessments_frame(conn),
            activities=queries.activities_frame(conn),
            answers=queries.answers_frame(conn),
            questions=queries.questions_frame(conn),
        )
