"""«Индивидуальные маршруты»: targets, planned steps and progress of a mentee or a group."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlmodel import Session

from dashboard import data, state
from dashboard.ui import fmt_date, fmt_percent
from db import planning
from db.errors import DataError
from db.registers import default_school_id, register_frame
from reports.route_docx import (
    STEP_KIND_LABELS,
    STEP_STATUS_LABELS,
    load_route_view,
    progress_reading,
    route_docx,
)

st.title("Индивидуальные маршруты")
st.caption("Маршрут задаёт цель по каждой области компетенций и шаги к ней: встречи, ресурсы из "
           "реестров, мероприятия. Здесь видно, что запланировано и что сделано.")

engine = data.engine()
frames = data.frames()
routes = planning.routes_frame(engine)


def _save(action) -> None:
    """Run one change in its own transaction and show its error in Russian."""
    try:
        with Session(engine) as session:
            action(session)
            session.commit()
    except DataError as error:
        st.error(str(error))
    else:
        data.refresh()
        st.rerun()


if state.can_edit():
    with st.expander("Новый маршрут", expanded=routes.empty):
        # Outside the form, so that the list below follows the choice at once.
        owner_kind = st.radio("Для кого", ["mentee", "group"], horizontal=True, key="route_owner",
                              format_func={"mentee": "наставляемый", "group": "группа"}.get)
        with st.form("route_form"):
            mentees = sorted(frames.participants.loc[
                frames.participants["role"].isin(["mentee", "both"]), "code"].astype(str))
            groups = sorted(frames.groups["group_code"].dropna().astype(str).unique())
            owner = st.selectbox("Наставляемый или группа", mentees if owner_kind == "mentee" else groups,
                                 key="route_owner_code")
            title = st.text_input("Название маршрута", key="route_title")
            created_on = st.date_input("Дата", value=dt.date.today(), format="DD.MM.YYYY",
                                       key="route_created_on")
            if st.form_submit_button("Создать маршрут"):
                def create(session):
                    planning.create_route(
                        session, school_id=default_school_id(session), title=title,
                        created_on=created_on,
                        participant_code=owner if owner_kind == "mentee" else None,
                        group_code=owner if owner_kind == "group" else None)
                _save(create)

if routes.empty:
    st.info("Маршрутов пока нет.")
    st.stop()

labels = {int(r.id): f"{r.title} ({r.code if pd.notna(r.code) else r.group_code})"
          for r in routes.itertuples()}
route_id = st.selectbox("Маршрут", list(labels), format_func=labels.get, key="route_selected")
as_of = st.date_input("Состояние на дату", value=dt.date.today(), format="DD.MM.YYYY", key="route_as_of")
view = load_route_view(engine, frames, route_id, as_of=as_of)
st.write(f"Для кого: {view.owner}; участники: {', '.join(view.members) or '—'}.")

st.subheader("Цели и достигнутый уровень")
if view.attainment.empty:
    st.info("Цели ещё не заданы.")
else:
    a = view.attainment
    st.dataframe(pd.DataFrame({
        "Код": a["code"], "Область": a["area"], "Цель": a["target_percent"].map(fmt_percent),
        "Исходный уровень": a["baseline_percent"].map(fmt_percent),
        "Промежуточная оценка": a["mid_percent"].map(fmt_percent),
        "Итоговая оценка": a["post_percent"].map(fmt_percent), "Вывод": a["reading"],
    }), hide_index=True, width="stretch")

st.subheader("Шаги: план и выполнение")
st.write(progress_reading(view.progress))
if not view.timeline.empty:
    fig = go.Figure()
    fig.add_scatter(x=view.timeline["date"], y=view.timeline["planned_cumulative"], name="запланировано",
                    line_shape="hv")
    fig.add_scatter(x=view.timeline["date"], y=view.timeline["done_cumulative"], name="выполнено",
                    line_shape="hv")
    fig.update_layout(title="Успевает ли наставляемый за планом?", yaxis_title="Шагов с начала маршрута")
    st.plotly_chart(fig, width="stretch")
if not view.steps.empty:
    s = view.steps
    st.dataframe(pd.DataFrame({
        "Дата": s["planned_on"].map(fmt_date), "Шаг": s["title"],
        "Вид": s["kind"].map(STEP_KIND_LABELS.get),
        "Ресурс или мероприятие": s["resource_title"].fillna(s["event_title"]).fillna("—"),
        "Статус": s["status"].map(STEP_STATUS_LABELS.get), "Выполнен": s["done_on"].map(fmt_date),
    }), hide_index=True, width="stretch")

st.download_button("Скачать маршрут (DOCX)", route_docx(view), file_name=f"маршрут_{route_id}.docx",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   key="route_docx")

if not state.can_edit():
    st.stop()

st.subheader("Изменить маршрут")
areas = sorted(frames.assessments["area"].dropna().unique())
current = dict(zip(view.attainment["area"], view.attainment["target_percent"], strict=False))
with st.form("targets_form"):
    st.markdown("**Цели, % от максимального балла** (0 — без цели)")
    values = {area: st.number_input(area, 0.0, 100.0, float(current.get(area, 0.0)), 5.0,
                                    key=f"target_{area}") for area in areas}
    if st.form_submit_button("Сохранить цели"):
        _save(lambda session: planning.set_route_targets(
            session, route_id, {a: v for a, v in values.items() if v > 0}))

resources = register_frame(engine, "resources")
events = planning.events_frame(engine)
with st.form("step_form", clear_on_submit=True):
    st.markdown("**Новый шаг**")
    cols = st.columns(3)
    step_title = cols[0].text_input("Шаг", key="step_title")
    kind = cols[1].selectbox("Вид", list(STEP_KIND_LABELS), format_func=STEP_KIND_LABELS.get,
                             key="step_kind")
    planned_on = cols[2].date_input("Плановая дата", value=dt.date.today(), format="DD.MM.YYYY",
                                    key="step_planned_on")
    resource = st.selectbox("Ресурс из реестра", [None, *resources["id"].astype(int)], key="step_resource",
                            format_func=lambda i: "—" if i is None else
                            resources.set_index("id").loc[i, "title"])
    event = st.selectbox("Мероприятие", [None, *events["id"].astype(int)], key="step_event",
                         format_func=lambda i: "—" if i is None else events.set_index("id").loc[i, "title"])
    if st.form_submit_button("Добавить шаг"):
        _save(lambda session: planning.add_route_step(
            session, route_id, title=step_title, kind=kind, planned_on=planned_on,
            resource_id=resource, event_id=event))

open_steps = view.steps[view.steps["status"] == "planned"]
if not open_steps.empty:
    step_labels = {int(i): f"{fmt_date(d)} — {t}" for i, d, t in
                   zip(open_steps["id"], open_steps["planned_on"], open_steps["title"], strict=True)}
    cols = st.columns([3, 2, 1])
    step_id = cols[0].selectbox("Отметить шаг", list(step_labels), format_func=step_labels.get,
                                key="step_done_id")
    done_on = cols[1].date_input("Дата выполнения", value=dt.date.today(), format="DD.MM.YYYY",
                                 key="step_done_on")
    if cols[2].button("Выполнен", key="step_done"):
        _save(lambda session: planning.update_route_step(session, step_id, status="done",
                                                         done_on=done_on))
