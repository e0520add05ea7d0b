"""Tests of events, routes and saved matchings on SQLite and PostgreSQL.

The `engine` fixture of tests/conftest.py runs each test on both backends.
"""

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from db import planning, queries
from db.models import Activity, MentoringGroup, Participant, Resource
from db.registers import get_or_create_school

D = dt.date


@pytest.fixture
def school_id(engine):
    """A school with two mentors and three mentees (synthetic codes and names)."""
    with Session(engine) as session:
        school_id = get_or_create_school(session, "Тестовая школа")
        people = [
            ("M01", "Наставник Первый", "mentor"),
            ("M02", "Наставник Второй", "mentor"),
            ("E01", "Наставляемый Первый", "mentee"),
            ("E02", "Наставляемый Второй", "mentee"),
            ("E03", "Наставляемый Третий", "mentee"),
        ]
        for code, name, role in people:
            session.add(Participant(school_id=school_id, code=code, full_name=name, role=role,
                                    registered_on=D(2024, 9, 2)))
        session.commit()
    return school_id


def activity_count(engine, event_id=None):
    statement = sa.select(sa.func.count()).select_from(Activity)
    if event_id is not None:
        statement = statement.where(Activity.event_id == event_id)
    with engine.connect() as conn:
        return conn.execute(statement).scalar_one()


def test_event_writes_activities(engine, school_id):
    with Session(engine) as session:
        event = planning.create_event(
            session, school_id=school_id, title="Вебинар по Сферуму", kind="webinar",
            format="remote", starts_on=D(2024, 11, 5), hours=1.5,
            participants={"M01": "провёл", "E01": "участвовал", "E02": None},
        )
        session.commit()
        event_id = event.id
    assert activity_count(engine, event_id) == 3
    activities = queries.activities_frame(engine)
    assert sorted(activities["code"]) == ["E01", "E02", "M01"]
    assert (activities["kind"] == "webinar").all()
    assert activities["hours"].tolist() == [1.5, 1.5, 1.5]
    assert (activities["occurred_on"] == pd.Timestamp("2024-11-05")).all()
    events = planning.events_frame(engine, school_id)
    assert events["n_participants"].tolist() == [3]
    people = planning.event_participants_frame(engine, event_id)
    assert people.set_index("code").loc["M01", "result"] == "провёл"


def test_event_update_rewrites_activities(engine, school_id):
    with Session(engine) as session:
        event = planning.create_event(
            session, school_id=school_id, title="Конкурс", kind="contest", format="in_person",
            starts_on=D(2024, 12, 1), participants=["E01", "E02"],
        )
        planning.update_event(session, event.id, starts_on=D(2024, 12, 3), hours=2.0)
        planning.set_event_participants(session, event.id, ["E03"])
        session.commit()
        event_id = event.id
    activities = queries.activities_frame(engine)
    assert activities["code"].tolist() == ["E03"]
    assert activities["occurred_on"].tolist() == [pd.Timestamp("2024-12-03")]
    assert activities["hours"].tolist() == [2.0]
    assert activity_count(engine, event_id) == 1


def test_delete_event_removes_its_activities_only(engine, school_id):
    with Session(engine) as session:
        session.add(Activity(occurred_on=D(2024, 10, 1), participant_id=session.exec(
            sa.select(Participant.id).where(Participant.code == "E01")).scalar_one(),
            kind="meeting", format="remote", row_hash="imported-row-1"))
        event = planning.create_event(
            session, school_id=school_id, title="Проект", kind="project", format="remote",
            starts_on=D(2025, 2, 1), participants=["E01", "E02"],
        )
        route = planning.create_route(session, school_id=school_id, title="Маршрут",
                                      created_on=D(2024, 10, 1), participant_code="E01")
        step = planning.add_route_step(session, route.id, title="Участие в проекте",
                                       kind="event", planned_on=D(2025, 2, 1), event_id=event.id)
        session.commit()
        assert activity_count(engine) == 3
        planning.delete_event(session, event.id)
        session.commit()
        step_id = step.id
    assert activity_count(engine) == 1
    assert planning.events_frame(engine).empty
    assert planning.event_participants_frame(engine).empty
    steps = planning.route_steps_frame(engine)
    assert steps.set_index("id").loc[step_id, "title"] == "Участие в проекте"
    assert pd.isna(steps.set_index("id").loc[step_id, "event_id"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "party"}, "Недопустимое значение поля «Вид»"),
        ({"format": "hybrid"}, "Недопустимое значение поля «Формат»"),
        ({"title": "  "}, "Укажите название мероприятия"),
        ({"ends_on": D(2024, 1, 1)}, "раньше даты начала"),
        ({"hours": -1.0}, "не меньше 0"),
    ],
)
def test_event_validation(engine, school_id, changes, message):
    values = dict(school_id=school_id, title="Встреча", kind="meeting", format="remote",
                  starts_on=D(2024, 10, 1))
    with Session(engine) as session, pytest.raises(planning.PlanningError, match=message):
        planning.create_event(session, **(values | changes))


def test_event_unknown_participant(engine, school_id):
    with Session(engine) as session, pytest.raises(planning.PlanningError, match="X99"):
        planning.create_event(session, school_id=school_id, title="Встреча", kind="meeting",
                              format="remote", starts_on=D(2024, 10, 1), participants=["X99"])


def test_route_targets_and_steps(engine, school_id):
    with Session(engine) as session:
        resource = Resource(school_id=school_id, base="internal", title="Инструкция по Сферуму",
                            added_on=D(2024, 9, 1), url="https://example.org/sferum")
        session.add(resource)
        session.flush()
        route = planning.create_route(session, school_id=school_id, title="Маршрут Е01",
                                      created_on=D(2024, 10, 1), participant_code="E01")
        planning.set_route_targets(session, route.id, {"Сферум": 75, "ЦОР": 60})
        planning.set_route_targets(session, route.id, {"Сферум": 80})
        first = planning.add_route_step(session, route.id, title="Встреча", kind="meeting",
                                        planned_on=D(2024, 10, 10))
        planning.add_route_step(session, route.id, title="Изучить инструкцию", kind="resource",
                                planned_on=D(2024, 10, 20), resource_id=resource.id)
        planning.update_route_step(session, first.id, status="done", done_on=D(2024, 10, 11))
        session.commit()
        route_id = route.id
    targets = planning.route_targets_frame(engine, route_id)
    assert targets.to_dict("records") == [{"route_id": route_id, "area": "Сферум", "target_percent": 80.0}]
    steps = planning.route_steps_frame(engine, route_id)
    assert steps["title"].tolist() == ["Встреча", "Изучить инструкцию"]
    assert steps["status"].tolist() == ["done", "planned"]
    assert steps["resource_title"].tolist()[1] == "Инструкция по Сферуму"
    assert planning.route_members(engine, route_id) == ["E01"]
    with Session(engine) as session:
        planning.delete_route(session, route_id)
        session.commit()
    assert planning.routes_frame(engine).empty
    assert planning.route_steps_frame(engine).empty


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "done"}, "укажите дату выполнения"),
        ({"kind": "lesson"}, "Вид шага"),
        ({"resource_id": 999}, "Ресурс с id 999"),
    ],
)
def test_route_step_validation(engine, school_id, changes, message):
    with Session(engine) as session:
        route = planning.create_route(session, school_id=school_id, title="Маршрут",
                                      created_on=D(2024, 10, 1), participant_code="E02")
        values = dict(title="Шаг", kind="meeting", planned_on=D(2024, 10, 5))
        with pytest.raises(planning.PlanningError, match=message):
            planning.add_route_step(session, route.id, **(values | changes))


def test_route_needs_one_owner(engine, school_id):
    with Session(engine) as session, pytest.raises(planning.PlanningError, match="одного наставляемого"):
        planning.create_route(session, school_id=school_id, title="Маршрут",
                              created_on=D(2024, 10, 1), participant_code="E01", group_code="G1")


def test_save_groups_and_group_route(engine, school_id):
    proposal = pd.DataFrame(
        {
            "group_code": ["G-M01", "G-M01", "G-M02"],
            "mentor_code": ["M01", "M01", "M02"],
            "mentee_code": ["E01", "E02", "E03"],
        }
    )
    with Session(engine) as session:
        ids = planning.save_groups(session, proposal, school_id=school_id, model="digital",
                                   started_on=D(2024, 11, 1), focus_areas={"G-M01": "Сферум"})
        session.commit()
    assert len(ids) == 2

    groups = queries.groups_frame(engine)
    assert groups[["group_code", "mentor_code", "mentee_code"]].values.tolist() == proposal.values.tolist()
    assert (groups["model"] == "digital").all()
    assert groups.set_index("mentee_code").loc["E01", "focus_areas"] == "Сферум"
    with Session(engine) as session:
        route = planning.create_route(session, school_id=school_id, title="Маршрут группы",
                                      created_on=D(2024, 11, 2), group_code="G-M01")
        session.commit()
        assert planning.route_members(engine, route.id) == ["E01", "E02"]

    # A second save with the same codes, or with a mentee already in an open group, is rejected.
    with Session(engine) as session, pytest.raises(planning.PlanningError, match="уже есть"):
        planning.save_groups(session, proposal, school_id=school_id, model="digital",
                             started_on=D(2024, 11, 1))
    again = proposal.assign(group_code=["H-M01", "H-M01", "H-M02"])
    with Session(engine) as session, pytest.raises(planning.PlanningError, match="открытых группах"):
        planning.save_groups(session, again, school_id=school_id, model="traditional",
                             started_on=D(2024, 11, 1))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(MentoringGroup)).scalar_one() == 2


def test_save_groups_rejects_bad_input(engine, school_id):
    proposal = pd.DataFrame({"group_code": ["G1", "G1"], "mentor_code": ["M01", "M02"],
                             "mentee_code": ["E01", "E02"]})
    with Session(engine) as session:
        with pytest.raises(planning.PlanningError, match="«Модель»"):
            planning.save_groups(session, proposal, school_id=school_id, model="hybrid",
                                 started_on=D(2024, 11, 1))
        with pytest.raises(planning.PlanningError, match="больше одного наставника"):
            planning.save_groups(session, proposal, school_id=school_id, model="digital",
                                 started_on=D(2024, 11, 1))
