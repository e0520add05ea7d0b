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


def test_migrations_match_the_models(engine):
    """Autogenerate finds nothing to add: the revisions build exactly the tables of db.models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []


def test_upgrade_from_first_revision_keeps_submissions(engine):
    """A database made by revision 0001 keeps its answers when upgraded to allow anonymous ones."""
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from db.schema import alembic_config

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO school (id, name) VALUES (1, 'Школа')"))
        conn.execute(sa.text("INSERT INTO participant (id, code, full_name, role, school_id, "
                             "registered_on) VALUES (1, 'T1', 'Учитель Первый', 'mentee', 1, :day)"),
                     {"day": dt.date(2024, 9, 1)})
        conn.execute(sa.text("INSERT INTO questionnaire (id, key, title) VALUES (1, 'q', 'Анкета')"))
        conn.execute(sa.text(
            "INSERT INTO submission (id, questionnaire_id, participant_id, answered_at, answered_on, "
            "content_hash, is_latest) VALUES (1, 1, 1, :moment, :day, 'h', :yes)"),
            {"moment": dt.datetime(2024, 10, 1, 9), "day": dt.date(2024, 10, 1), "yes": True})
    upgrade_schema(engine)
    columns = {column["name"]: column for column in inspect(engine).get_columns("submission")}
    assert columns["participant_id"]["nullable"] is True
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT participant_id FROM submission")).scalar_one() == 1
