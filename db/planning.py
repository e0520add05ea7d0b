"""CRUD for planning: programme events, individual routes and accepted matchings.

Functions take a ``Session`` and flush but do not commit, so that a page or a
test decides the transaction. Frame readers take an engine or connection.
Errors are `PlanningError`, whose message is the Russian text shown to users.

An event's participants feed the activity figures: for each participant the
event owns one ``Activity`` row (``event_id`` set), rewritten whenever the
event or its participants change and deleted with the event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from db.errors import DataError
from db.models import (
    ACTIVITY_KINDS,
    FORMATS,
    MODELS,
    Activity,
    CompetenceArea,
    Event,
    EventParticipant,
    GroupMember,
    MentoringGroup,
    Participant,
    Resource,
    Route,
    RouteStep,
    RouteTarget,
)

logger = logging.getLogger(__name__)

STEP_KINDS = ("meeting", "resource", "event", "other")
STEP_STATUSES = ("planned", "done", "cancelled")

EVENT_COLUMNS = [
    "id", "title", "kind", "format", "starts_on", "ends_on", "hours", "description",
    "result", "url", "n_participants",
]
EVENT_PARTICIPANT_COLUMNS = ["event_id", "code", "full_name", "result"]
ROUTE_COLUMNS = ["id", "title", "created_on", "code", "group_code"]
ROUTE_TARGET_COLUMNS = ["route_id", "area", "target_percent"]
ROUTE_STEP_COLUMNS = [
    "id", "route_id", "title", "kind", "planned_on", "done_on", "status", "resource_id",
    "resource_title", "resource_url", "event_id", "event_title",
]


class PlanningError(DataError):
    """A planning change that cannot be saved; the message states what to fix."""


def _participant_ids(session: Session, school_id: int, codes: Iterable[str]) -> dict[str, int]:
    codes = list(dict.fromkeys(str(c) for c in codes))
    if not codes:
        return {}
    rows = session.exec(
        select(Participant.code, Participant.id).where(
            Participant.school_id == school_id, Participant.code.in_(codes)
        )
    ).all()
    found = {code: pid for code, pid in rows}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise PlanningError(f"Участники с кодами {', '.join(unknown)} не найдены.")
    return found


def _check_choice(value: str, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise PlanningError(f"Недопустимое значение поля «{what}»: {value!r}; допустимо: {', '.join(allowed)}.")


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def _activity_hash(event_id: int, participant_id: int) -> str:
    # Event-owned rows get their own hash space, so an imported log row never
    # collides with them.
    return hashlib.sha256(f"event:{event_id}:participant:{participant_id}".encode()).hexdigest()


def _sync_event_activities(session: Session, event: Event) -> int:
    """Rewrite the activity rows of an event from its participants; return their number."""
    session.execute(sa.delete(Activity).where(Activity.event_id == event.id))
    participant_ids = session.exec(
        select(EventParticipant.participant_id).where(EventParticipant.event_id == event.id)
    ).all()
    for participant_id in participant_ids:
        session.add(
            Activity(
                occurred_on=event.starts_on,
                participant_id=participant_id,
                kind=event.kind,
                format=event.format,
                hours=event.hours,
                title=event.title,
                url=event.url,
                event_id=event.id,
                row_hash=_activity_hash(int(event.id), int(participant_id)),
            )
        )
    session.flush()
    return len(participant_ids)


def _validate_event(values: Mapping) -> None:
    if not str(values.get("title") or "").strip():
        raise PlanningError("Укажите название мероприятия.")
    _check_choice(values["kind"], ACTIVITY_KINDS, "Вид")
    _check_choice(values["format"], FORMATS, "Формат")
    if values.get("ends_on") is not None and values["ends_on"] < values["starts_on"]:
        raise PlanningError("Дата окончания мероприятия раньше даты начала.")
    hours = values.get("hours")
    if hours is not None and (pd.isna(hours) or hours < 0):
        raise PlanningError(f"Часы должны быть числом не меньше 0, получено {hours!r}.")


def create_event(
    session: Session,
    *,
    school_id: int,
    title: str,
    kind: str,
    format: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    hours: float | None = None,
    description: str | None = None,
    result: str | None = None,
    url: str | None = None,
    participants: Mapping[str, str | None] | Iterable[str] = (),
) -> Event:
    """Add an event with its participants (codes, or codes to their results)."""
    values = dict(title=title, kind=kind, format=format, starts_on=starts_on, ends_on=ends_on,
                  hours=hours)
    _validate_event(values)
    event = Event(school_id=school_id, title=title.strip(), kind=kind, format=format,
                  starts_on=starts_on, ends_on=ends_on, hours=hours, description=description,
                  result=result, url=url)
    session.add(event)
    session.flush()
    set_event_participants(session, int(event.id), participants)
    logger.info("event %s %r added", event.id, event.title)
    return event


def update_event(session: Session, event_id: int, **changes) -> Event:
    """Change event fields (title, kind, format, dates, hours, texts) and its activity rows."""
    event = _get_event(session, event_id)
    allowed = {"title", "kind", "format", "starts_on", "ends_on", "hours", "description",
               "result", "url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown event fields: {sorted(unknown)}")
    merged = {name: getattr(event, name) for name in allowed} | changes
    _validate_event(merged)
    for name, value in changes.items():
        setattr(event, name, value)
    session.add(event)
    session.flush()
    _sync_event_activities(session, event)
    return event


def set_event_participants(
    session: Session, event_id: int, participants: Mapping[str, str | None] | Iterable[str]
) -> int:
    """Replace an event's participants and their activity rows; return their number."""
    event = _get_event(session, event_id)
    results = dict(participants) if isinstance(participants, Mapping) else dict.fromkeys(participants)
    ids = _participant_ids(session, event.school_id, results)
    session.execute(sa.delete(EventParticipant).where(EventParticipant.event_id == event_id))
    for code, participant_id in ids.items():
        session.add(EventParticipant(event_id=event_id, participant_id=participant_id,
                                     result=results[code]))
    session.flush()
    return _sync_event_activities(session, event)


def delete_event(session: Session, event_id: int) -> None:
    """Delete an event, its participants and its activity rows; route steps keep their text."""
    event = _get_event(session, event_id)
    removed = session.execute(sa.delete(Activity).where(Activity.event_id == event_id)).rowcount
    session.execute(sa.delete(EventParticipant).where(EventParticipant.event_id == event_id))
    session.execute(sa.update(RouteStep).where(RouteStep.event_id == event_id).values(event_id=None))
    session.delete(event)
    session.flush()
    logger.info("event %s deleted with %d activity rows", event_id, removed)


def _get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise PlanningError(f"Мероприятие с id {event_id} не найдено.")
    return event


def _read(bind: Engine | Connection, statement, columns: list[str]) -> pd.DataFrame:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            rows = conn.execute(statement).fetchall()
    else:
        rows = bind.execute(statement).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def events_frame(bind: Engine | Connection, school_id: int | None = None) -> pd.DataFrame:
    """Read the events, oldest first, with their participant counts; dates as datetime64."""
    counts = (
        select(EventParticipant.event_id, sa.func.count().label("n"))
        .group_by(EventParticipant.event_id)
        .subquery()
    )
    statement = (
        select(Event.id, Event.title, Event.kind, Event.format, Event.starts_on, Event.ends_on,
               Event.hours, Event.description, Event.result, Event.url,
               sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.event_id == Event.id)
        .order_by(Event.starts_on, Event.id)
    )
    if school_id is not None:
        statement = statement.where(Event.school_id == school_id)
    frame = _read(bind, statement, EVENT_COLUMNS)
    for column in ("starts_on", "ends_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame["hours"] = frame["hours"].astype("float64")
    frame["n_participants"] = frame["n_participants"].astype(int)
    return frame


def event_participants_frame(bind: Engine | Connection, event_id: int | None = None) -> pd.DataFrame:
    """Read event participants with their codes, names and results."""
    statement = (
        select(EventParticipant.event_id, Participant.code, Participant.full_name,
               EventParticipant.result)
        .join(Participant, Participant.id == EventParticipant.participant_id)
        .order_by(EventParticipant.event_id, Participant.code)
    )
    if event_id is not None:
        statement = statement.where(EventParticipant.event_id == event_id)
    return _read(bind, statement, EVENT_PARTICIPANT_COLUMNS)


# ---------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------


def create_route(
    session: Session,
    *,
    school_id: int,
    title: str,
    created_on: dt.date,
    participant_code: str | None = None,
    group_code: str | None = None,
) -> Route:
    """Add a route for exactly one of a mentee (by code) or a group (by code)."""
    if (participant_code is None) == (group_code is None):
        raise PlanningError("Маршрут строится для одного наставляемого или для одной группы.")
    if not title.strip():
        raise PlanningError("Укажите название маршрута.")
    route = Route(title=title.strip(), created_on=created_on)
    if participant_code is not None:
        route.participant_id = _participant_ids(session, school_id, [participant_code])[
            participant_code
        ]
    else:
        group = session.exec(
            select(MentoringGroup).where(MentoringGroup.school_id == school_id,
                                         MentoringGroup.code == group_code)
        ).first()
        if group is None:
            raise PlanningError(f"Группа с кодом {group_code} не найдена.")
        route.group_id = group.id
    session.add(route)
    session.flush()
    logger.info("route %s %r added", route.id, route.title)
    return route


def _area_id(session: Session, name: str) -> int:
    name = name.strip()
    area = session.exec(select(CompetenceArea).where(CompetenceArea.name == name)).first()
    if area is None:
        area = CompetenceArea(name=name)
        session.add(area)
        session.flush()
    return int(area.id)


def set_route_targets(session: Session, route_id: int, targets: Mapping[str, float]) -> None:
    """Replace a route's targets: area name to target percent (0–100)."""
    _get(session, Route, route_id, "Маршрут")
    for area, value in targets.items():
        if pd.isna(value) or not 0 <= float(value) <= 100:
            raise PlanningError(f"Цель по области «{area}» должна быть от 0 до 100 %, получено {value!r}.")
    session.execute(sa.delete(RouteTarget).where(RouteTarget.route_id == route_id))
    for area, value in targets.items():
        session.add(RouteTarget(route_id=route_id, area_id=_area_id(session, area),
                                target_percent=float(value)))
    session.flush()


def _validate_step(session: Session, values: Mapping) -> None:
    if not str(values.get("title") or "").strip():
        raise PlanningError("Укажите название шага маршрута.")
    _check_choice(values["kind"], STEP_KINDS, "Вид шага")
    _check_choice(values["status"], STEP_STATUSES, "Статус")
    if values["status"] == "done" and values.get("done_on") is None:
        raise PlanningError("Для выполненного шага укажите дату выполнения.")
    if values.get("resource_id") is not None:
        _get(session, Resource, values["resource_id"], "Ресурс")
    if values.get("event_id") is not None:
        _get(session, Event, values["event_id"], "Мероприятие")


def add_route_step(
    session: Session,
    route_id: int,
    *,
    title: str,
    kind: str,
    planned_on: dt.date,
    status: str = "planned",
    done_on: dt.date | None = None,
    resource_id: int | None = None,
    event_id: int | None = None,
) -> RouteStep:
    """Add a step (meeting, resource of a register, event, other) to a route."""
    _get(session, Route, route_id, "Маршрут")
    values = dict(title=title, kind=kind, planned_on=planned_on, status=status, done_on=done_on,
                  resource_id=resource_id, event_id=event_id)
    _validate_step(session, values)
    step = RouteStep(route_id=route_id, **(values | {"title": title.strip()}))
    session.add(step)
    session.flush()
    return step


def update_route_step(session: Session, step_id: int, **changes) -> RouteStep:
    """Change a step's fields, e.g. mark it done with ``status="done", done_on=...``."""
    step = _get(session, RouteStep, step_id, "Шаг маршрута")
    allowed = {"title", "kind", "planned_on", "status", "done_on", "resource_id", "event_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown step fields: {sorted(unknown)}")
    merged = {name: getattr(step, name) for name in allowed} | changes
    _validate_step(session, merged)
    for name, value in changes.items():
        setattr(step, name, value)
    session.add(step)
    session.flush()
    return step


def delete_route_step(session: Session, step_id: int) -> None:
    session.delete(_get(session, RouteStep, step_id, "Шаг маршрута"))
    session.flush()


def delete_route(session: Session, route_id: int) -> None:
    """Delete a route with its targets and steps."""
    route = _get(session, Route, route_id, "Маршрут")
    session.execute(sa.delete(RouteStep).where(RouteStep.route_id == route_id))
    session.execute(sa.delete(RouteTarget).where(RouteTarget.route_id == route_id))
    session.delete(route)
    session.flush()
    logger.info("route %s deleted", route_id)


def _get(session: Session, model, row_id: int, label: str):
    record = session.get(model, row_id)
    if record is None:
        raise PlanningError(f"{label} с id {row_id} не найден(о).")
    return record


def routes_frame(bind: Engine | Connection) -> pd.DataFrame:
    """Read routes with the mentee's code or the group's code."""
    statement = (
        select(Route.id, Route.title, Route.created_on, Participant.code, MentoringGroup.code)
        .outerjoin(Participant, Participant.id == Route.participant_id)
        .outerjoin(MentoringGroup, MentoringGroup.id == Route.group_id)
        .order_by(Route.id)
    )
    frame = _read(bind, statement, ROUTE_COLUMNS)
    frame["created_on"] = pd.to_datetime(frame["created_on"])
    return frame


def route_targets_frame(bind: Engine | Connection, route_id: int | None = None) -> pd.DataFrame:
    statement = (
        select(RouteTarget.route_id, CompetenceArea.name, RouteTarget.target_percent)
        .join(CompetenceArea, CompetenceArea.id == RouteTarget.area_id)
        .order_by(RouteTarget.route_id, CompetenceArea.name)
    )
    if route_id is not None:
        statement = statement.where(RouteTarget.route_id == route_id)
    frame = _read(bind, statement, ROUTE_TARGET_COLUMNS)
    frame["target_percent"] = frame["target_percent"].astype("float64")
    return frame


def route_steps_frame(bind: Engine | Connection, route_id: int | None = None) -> pd.DataFrame:
    """Read route steps in date order, with the titles of linked resources and events."""
    statement = (
        select(RouteStep.id, RouteStep.route_id, RouteStep.title, RouteStep.kind,
               RouteStep.planned_on, RouteStep.done_on, RouteStep.status, RouteStep.resource_id,
               Resource.title, Resource.url, RouteStep.event_id, Event.title)
        .outerjoin(Resource, Resource.id == RouteStep.resource_id)
        .outerjoin(Event, Event.id == RouteStep.event_id)
        .order_by(RouteStep.route_id, RouteStep.planned_on, RouteStep.id)
    )
    if route_id is not None:
        statement = statement.where(RouteStep.route_id == route_id)
    frame = _read(bind, statement, ROUTE_STEP_COLUMNS)
    for column in ("planned_on", "done_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def route_members(bind: Engine | Connection, route_id: int) -> list[str]:
    """Return the mentee codes a route covers: its mentee, or the members of its group."""
    routes = routes_frame(bind)
    row = routes[routes["id"] == route_id]
    if row.empty:
        raise PlanningError(f"Маршрут с id {route_id} не найден.")
    if pd.notna(row["code"].iloc[0]):
        return [str(row["code"].iloc[0])]
    statement = (
        select(Participant.code)
        .join(GroupMember, GroupMember.mentee_id == Participant.id)
        .join(MentoringGroup, MentoringGroup.id == GroupMember.group_id)
        .where(MentoringGroup.code == row["group_code"].iloc[0])
        .order_by(Participant.code)
    )
    return [str(code) for (code,) in _read(bind, statement, ["code"]).itertuples(index=False)]


# ---------------------------------------------------------------------------
# Saving an accepted matching
# ---------------------------------------------------------------------------


def save_groups(
    session: Session,
    groups: pd.DataFrame,
    *,
    school_id: int,
    model: str,
    started_on: dt.date,
    focus_areas: Mapping[str, str] | None = None,
) -> list[int]:
    """Save an accepted proposal as mentoring groups; return the new group ids.

    ``groups`` has ``group_code``, ``mentor_code`` and ``mentee_code`` (one
    row per mentee, as `analysis.matching.groups_from_pairs` returns).
    Existing group codes, a group with two mentors and a mentee who already
    is in an open group are rejected, and nothing is written then.
    """
    _check_choice(model, MODELS, "Модель")
    if groups.empty:
        raise PlanningError("Предложение пусто: нет ни одной пары для сохранения.")
    mentors_per_group = groups.groupby("group_code")["mentor_code"].nunique()
    if (mentors_per_group > 1).any():
        bad = ", ".join(mentors_per_group[mentors_per_group > 1].index.astype(str))
        raise PlanningError(f"В группах {bad} указано больше одного наставника.")
    codes = set(groups["mentor_code"].astype(str)) | set(groups["mentee_code"].astype(str))
    ids = _participant_ids(session, school_id, codes)

    existing = session.exec(
        select(MentoringGroup.code).where(MentoringGroup.school_id == school_id,
                                          MentoringGroup.code.in_(list(groups["group_code"])))
    ).all()
    if existing:
        raise PlanningError(f"Группы с кодами {', '.join(sorted(existing))} уже есть; выберите другой префикс.")
    mentee_ids = [ids[str(c)] for c in groups["mentee_code"]]
    busy = session.exec(
        select(Participant.code)
        .join(GroupMember, GroupMember.mentee_id == Participant.id)
        .join(MentoringGroup, MentoringGroup.id == GroupMember.group_id)
        .where(GroupMember.mentee_id.in_(mentee_ids), MentoringGroup.ended_on.is_(None))
    ).all()
    if busy:
        raise PlanningError(
            f"Наставляемые {', '.join(sorted(set(busy)))} уже состоят в открытых группах."
        )
    new_ids = []
    for group_code, members in groups.groupby("group_code", sort=True):
        mentor_code = str(members["mentor_code"].iloc[0])
        group = MentoringGroup(
            school_id=school_id, code=str(group_code), mentor_id=ids[mentor_code], model=model,
            started_on=started_on, focus_areas=(focus_areas or {}).get(str(group_code)),
        )
        session.add(group)
        session.flush()
        for mentee_code in members["mentee_code"].astype(str):
            session.add(GroupMember(group_id=group.id, mentee_id=ids[mentee_code]))
        new_ids.append(int(group.id))
    session.flush()
    logger.info("saved %d groups (%d mentees), model %s", len(new_ids), len(groups), model)
    return new_ids
