"""A small seeded school for the report tests: people, groups, answers, scores and registers.

The rows are written through the SQLModel tables directly, so that the report
tests do not depend on the importer. The registers come from the sample
templates in sample_data/registers/ through ``db.registers.load_sample_registers``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import dispose_engine, get_engine
from db.models import (
    Answer,
    Assessment,
    CompetenceArea,
    GroupMember,
    MentoringGroup,
    Participant,
    Question,
    Questionnaire,
    Submission,
)
from db.registers import get_or_create_school, load_sample_registers
from db.schema import upgrade_schema

SAMPLE_REGISTERS = Path(__file__).resolve().parents[2] / "sample_data" / "registers"
SCHOOL = "Школа № 1 (демонстрационная)"
N_MENTORS = 8
N_MENTEES = 24


def seed_school(engine: Engine, seed: int = 7) -> None:
    """Write a small school year 2024/25 into an empty, migrated database."""
    rng = np.random.default_rng(seed)
    with Session(engine) as session:
        school_id = get_or_create_school(session, SCHOOL)
        people = []
        for number in range(1, N_MENTORS + N_MENTEES + 1):
            role = "mentor" if number <= N_MENTORS else "mentee"
            person = Participant(
                school_id=school_id,
                code=f"T{number:03d}",
                full_name=f"Участник Тестовый {number}",
                role=role,
                subject="математика" if number % 2 else "история",
                registered_on=dt.date(2024, 9, 2) + dt.timedelta(days=int(number * 3)),
            )
            session.add(person)
            people.append(person)
        session.flush()
        mentors, mentees = people[:N_MENTORS], people[N_MENTORS:]
        for index, mentor in enumerate(mentors):
            group = MentoringGroup(
                school_id=school_id,
                code=f"G{index + 1:02d}",
                mentor_id=mentor.id,
                model="digital" if index % 2 == 0 else "traditional",
                started_on=dt.date(2024, 11, 5) + dt.timedelta(days=index),
            )
            session.add(group)
            session.flush()
            for mentee in mentees[index * 3 : index * 3 + 3]:
                session.add(GroupMember(group_id=group.id, mentee_id=mentee.id))
        _seed_answers(session, mentors, mentees, rng)
        _seed_assessments(session, mentees, rng)
        load_sample_registers(session, school_id, SAMPLE_REGISTERS)
        session.commit()


def _seed_answers(session: Session, mentors, mentees, rng) -> None:
    for key, respondents in (("mentee_satisfaction", mentees), ("mentor_satisfaction", mentors)):
        questionnaire = Questionnaire(key=key, title=key)
        session.add(questionnaire)
        session.flush()
        texts = [f"Вопрос {n}" for n in range(1, 4)]
        for position, text in enumerate(texts):
            session.add(Question(
                questionnaire_id=questionnaire.id, text=text, scale_min=1, scale_max=5,
                is_scale_item=True, position=position,
            ))  # fmt: skip
        for index, person in enumerate(respondents):
            answered_at = dt.datetime(2025, 5, 12, 10, 0) + dt.timedelta(hours=index)
            submission = Submission(
                questionnaire_id=questionnaire.id, participant_id=person.id,
                answered_at=answered_at, answered_on=answered_at.date(),
                content_hash=f"{key}-{person.code}",
            )  # fmt: skip
            session.add(submission)
            session.flush()
            for text in texts:
                value = float(rng.integers(3, 6))
                session.add(Answer(
                    submission_id=submission.id, question=text, answer=str(int(value)), value=value,
                ))  # fmt: skip


def _seed_assessments(session: Session, mentees, rng) -> None:
    area = CompetenceArea(name="ФГИС Моя школа")
    session.add(area)
    session.flush()
    for person in mentees:
        pre = float(rng.integers(8, 15))
        post = min(20.0, pre + float(rng.integers(0, 6)))
        for stage, day, score in (("pre", dt.date(2024, 11, 1), pre), ("post", dt.date(2025, 5, 20), post)):
            session.add(Assessment(
                participant_id=person.id, area_id=area.id, stage=stage, assessed_on=day,
                score=score, max_score=20,
            ))  # fmt: skip


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "school.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade_schema(engine)
    seed_school(engine)
    dispose_engine(url)
    return path


@pytest.fixture
def seeded_engine(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh copy of the seeded school database."""
    path = tmp_path / "school.db"
    path.write_bytes(seeded_template.read_bytes())
    url = f"sqlite:///{path}"
    yield get_engine(url)
    dispose_engine(url)
