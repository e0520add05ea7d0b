"""Page tests of «Диагностика», «Формирование пар», «Индивидуальные маршруты» and «Мероприятия»."""

import datetime as dt
import json
import re

import pytest
from sqlmodel import Session

from db import planning
from db.engine import get_engine
from db.registers import default_school_id
from dashboard.ui import fmt_int
from reports.frames import load_frames
from tests.dashboard.apptest_helpers import open_page, page_text


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None
    return text


def test_diagnostics_page(demo_db):
    at = open_page("diagnostics.py")
    text = assert_clean(at)
    assert "Испытывают затруднения хотя бы с одним сервисом" in text
    assert "Правило: педагог испытывает затруднения" in text
    at.slider(key="diag_need_threshold").set_value(50).run()
    assert_clean(at)
    at.selectbox(key="diag_sort").set_value("Сферум").run()
    assert_clean(at)


def test_matching_page_proposes_and_saves(demo_db):
    at = open_page("matching.py")
    text = assert_clean(at)
    assert "Веса после приведения к сумме 100 %" in text
    assert len(at.dataframe) >= 1
    at.radio(key="match_mode").set_value("everyone").run()
    assert_clean(at)
    at.checkbox(key="match_exclude_grouped").uncheck().run()
    at.text_input(key="match_prefix").set_value("NEW-").run()
    at.button(key="match_save").click().run()
    assert_clean(at)
    assert not at.error or "уже состоят в открытых группах" in at.error[0].value


def test_matching_page_read_only_role(demo_db):
    at = open_page("matching.py", viewer_role="administration")
    text = assert_clean(at)
    assert "Сохранять группы может только проектная группа" in text


def test_events_page_adds_event(demo_db):
    at = open_page("events.py")
    assert_clean(at)
    at.text_input(key="event_title").set_value("Онлайн-встреча по ЦОК")
    at.multiselect(key="event_participants").select("T001")
    form_button = [b for b in at.button if b.label == "Добавить мероприятие"][0]
    form_button.click().run()
    text = assert_clean(at)
    events = planning.events_frame(get_engine(demo_db)).set_index("title")
    assert events.loc["Онлайн-встреча по ЦОК", "n_participants"] == 1
    assert "Календарь" in text
    calendar = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert calendar["layout"]["xaxis"]["tickformat"] == "%d.%m"
    assert calendar["layout"]["xaxis"]["dtick"] == 86_400_000
    today = dt.date.today().strftime("%d.%m.%Y")
    assert calendar["data"][0]["customdata"][0] == [today, today]


def test_events_page_empty_register_names_log(demo_db):
    # The demo database has activity log records but no events in the register.
    at = open_page("events.py")
    text = assert_clean(at)
    n_log = len(load_frames(get_engine(demo_db)).activities)
    assert n_log > 0
    assert "Реестр мероприятий пока пуст" in text
    assert f"Журнал активности при этом содержит {fmt_int(n_log)} записей" in text
    assert "«Вовлечённость»" in text
    assert "Мероприятий пока нет" not in text


def test_routes_page_with_route(demo_db):
    engine = get_engine(demo_db)
    with Session(engine) as session:
        route = planning.create_route(session, school_id=default_school_id(session), title="Маршрут",
                                      created_on=dt.date(2024, 10, 1),
                                      participant_code=_first_mentee(engine))
        planning.set_route_targets(session, route.id, {"Сферум": 70})
        planning.add_route_step(session, route.id, title="Встреча", kind="meeting",
                                planned_on=dt.date(2024, 10, 10))
        session.commit()
        route_id = route.id
    at = open_page("routes.py")
    text = assert_clean(at)
    assert "Цели и достигнутый уровень" in text
    assert len(at.get("download_button")) == 1
    at.button(key="step_done").click().run()
    assert_clean(at)
    steps = planning.route_steps_frame(engine, route_id)
    assert steps["status"].tolist() == ["done"]


def _first_mentee(engine) -> str:
    from db.queries import participants_frame

    people = participants_frame(engine)
    return str(people.loc[people["role"] == "mentee", "code"].iloc[0])


def _engagement_records(at) -> int:
    """The «Записей о мероприятиях за период» metric of «Вовлечённость» as a number."""
    metric = next(m for m in at.metric if m.label == "Записей о мероприятиях за период")
    return int(metric.value.replace("\u202f", ""))


def test_event_created_in_app_raises_engagement(demo_db):
    at = open_page("engagement.py")
    # A day inside the demo log, so the event falls before the page's check date.
    before = _engagement_records(at)
    at.switch_page("dashboard/pages/events.py").run()
    assert_clean(at)
    at.text_input(key="event_title").set_value("Конкурс цифровых уроков")
    at.selectbox(key="event_kind").set_value("contest")
    at.date_input(key="event_starts_on").set_value(dt.date(2025, 5, 20))
    # select() takes stored values; the widget's options are the formatted labels.
    codes = ["T001", "T002", "T003"]
    participants = at.multiselect(key="event_participants")
    for code in codes:
        participants.select(code)
    next(b for b in at.button if b.label == "Добавить мероприятие").click().run()
    assert_clean(at)
    events = planning.events_frame(get_engine(demo_db)).set_index("title")
    assert events.loc["Конкурс цифровых уроков", "n_participants"] == len(codes)
    at.switch_page("dashboard/pages/engagement.py").run()
    assert_clean(at)
    assert _engagement_records(at) == before + len(codes)


def test_route_created_in_app_shows_progress(demo_db):
    mentee = _first_mentee(get_engine(demo_db))
    at = open_page("routes.py")
    assert_clean(at)
    at.radio(key="route_owner").set_value("mentee").run()
    at.selectbox(key="route_owner_code").set_value(mentee)
    at.text_input(key="route_title").set_value("Маршрут по «Сферуму»")
    next(b for b in at.button if b.label == "Создать маршрут").click().run()
    text = assert_clean(at)
    assert "В маршруте пока нет шагов." in text

    at.text_input(key="step_title").set_value("Встреча с наставником")
    at.date_input(key="step_planned_on").set_value(dt.date(2024, 11, 15))
    next(b for b in at.button if b.label == "Добавить шаг").click().run()
    text = assert_clean(at)
    assert "Выполнено шагов: 0 из 1." in text
    assert "Просрочено шагов: 1 из 1" in text

    at.date_input(key="step_done_on").set_value(dt.date(2024, 11, 15))
    at.button(key="step_done").click().run()
    text = assert_clean(at)
    assert "Выполнено шагов: 1 из 1. Все шаги, срок которых наступил, выполнены." in text
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"]
              for chart in at.get("plotly_chart")]
    assert titles == ["Успевает ли наставляемый за планом?"]


@pytest.mark.parametrize("page", ["diagnostics.py", "matching.py", "routes.py", "events.py"])
def test_pages_open_for_department(demo_db, page):
    at = open_page(page, viewer_role="department")
    assert_clean(at)
