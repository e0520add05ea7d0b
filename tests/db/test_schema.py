"""The Alembic migration creates every table of db.models on both backends."""

from sqlalchemy import inspect
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.schema import upgrade_schema


def test_migration_creates_all_tables(engine):
    tables = set(inspect(engine).get_table_names())
    expected = set(SQLModel.metadata.tables)
    assert expected <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(engine):
    upgrade_schema(engine)
    assert "participant" in inspect(engine).get_table_names()


def test_deleting_event_cascades_to_activities(engine):
    import datetime as dt

    import sqlalchemy as sa
    from sqlmodel import Session

    from db.models import Activity, Event, Participant, School

    with Session(engine) as session:
        school = School(name="Школа для теста")
        session.add(school)
        session.flush()
        teacher = Participant(
            school_id=school.id, code="T1", full_name="Тестова Анна", role="mentee",
            registered_on=dt.date(2024, 9, 2),
        )
        event = Event(
            school_id=school.id, title="Вебинар", kind="webinar", format="remote",
            starts_on=dt.date(2024, 11, 5),
        )
        session.add_all([teacher, event])
        session.flush()
        session.add(Activity(
            occurred_on=dt.date(2024, 11, 5), participant_id=teacher.id, kind="webinar",
            format="remote", event_id=event.id, row_hash="a" * 64,
        ))
        session.commit()
        session.execute(sa.delete(Event).where(Event.id == event.id))
        session.commit()
        remaining = session.execute(sa.select(sa.func.count()).select_from(Activity)).scalar_one()
    assert remaining == 0
