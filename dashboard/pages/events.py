"""«Мероприятия»: the calendar and list of programme events, their participants and results."""

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st
from sqlmodel import Session

from dashboard import data, state
from dashboard.ui import FORMAT_LABELS, KIND_LABELS, fmt_date, fmt_int, fmt_month, fmt_number, plural
from db import planning
from db.errors import DataError
from db.models import ACTIVITY_KINDS
from db.registers import default_school_id

st.title("Мероприятия программы")
st.caption(
    "Онлайн-встречи, конкурсы, проекты, создание материалов, цифровых ресурсов и персональных сайтов. "
    "Каждый участник мероприятия попадает в журнал активности, поэтому мероприятие учитывается "
    "в показателях вовлечённости и в рейтинге наставников; при удалении мероприятия эти записи удаляются."
)

engine = data.engine()
events = planning.events_frame(engine)
participants = data.frames().participants

# Up to a month the axis has a tick per day; longer ranges keep plotly's own ticks.
DAY_TICKS_MAX_DAYS = 31
DAY_MS = 24 * 60 * 60 * 1000

if events.empty:
    n_log = len(data.frames().activities)
    if n_log:
        log_text = (
            f"Журнал активности при этом содержит {fmt_int(n_log)} "
            f"{plural(n_log, 'запись', 'записи', 'записей')}: участие педагогов в работе программы "
            "считается на странице «Вовлечённость»."
        )
    else:
        log_text = "Журнал активности тоже пуст."
    create_text = " Добавьте первое мероприятие ниже." if state.can_edit() else ""
    st.info(f"Реестр мероприятий пока пуст. {log_text}{create_text}")
else:
    st.subheader("Календарь")
    calendar = events.assign(
        finish=events["ends_on"].fillna(events["starts_on"]) + pd.Timedelta(days=1),
        kind_label=events["kind"].map(lambda k: KIND_LABELS.get(k, k)),
        start_label=events["starts_on"].map(fmt_date),
        end_label=events["ends_on"].fillna(events["starts_on"]).map(fmt_date),
    )
    fig = px.timeline(calendar, x_start="starts_on", x_end="finish", y="kind_label", color="kind_label",
                      hover_name="title", custom_data=["start_label", "end_label"],
                      labels={"kind_label": "Вид", "starts_on": "Начало"},
                      title="Когда проходят мероприятия разных видов?")
    fig.update_traces(hovertemplate="<b>%{hovertext}</b><br>%{customdata[0]} — %{customdata[1]}<extra></extra>")
    fig.update_layout(showlegend=False, yaxis_title="")
    # Numeric day.month ticks avoid plotly's English month names.
    fig.update_xaxes(tickformat="%d.%m", title_text="")
    span_days = (calendar["finish"].max() - calendar["starts_on"].min()).days
    if span_days <= DAY_TICKS_MAX_DAYS:
        fig.update_xaxes(dtick=DAY_MS)
    st.plotly_chart(fig, width="stretch")

    st.subheader("Список")
    month = events["starts_on"].dt.strftime("%Y-%m")
    table = pd.DataFrame({
        "Месяц": month.map(fmt_month),
        "Дата": events["starts_on"].map(fmt_date),
        "Название": events["title"],
        "Вид": events["kind"].map(lambda k: KIND_LABELS.get(k, k)),
        "Формат": events["format"].map(lambda f: FORMAT_LABELS.get(f, f)),
        "Часы": events["hours"].map(lambda h: fmt_number(h)),
        "Участников": events["n_participants"].map(fmt_int),
        "Итог": events["result"].fillna("—"),
    })
    st.dataframe(table, hide_index=True, width="stretch")

    labels = {int(i): f"{fmt_date(d)} — {t}" for i, d, t in
              zip(events["id"], events["starts_on"], events["title"], strict=True)}
    chosen_id = st.selectbox("Участники мероприятия", list(labels), format_func=labels.get,
                             key="event_selected")
    people = planning.event_participants_frame(engine, chosen_id)
    if people.empty:
        st.info("У этого мероприятия нет участников.")
    else:
        st.dataframe(people.rename(columns={"code": "Код", "full_name": "ФИО", "result": "Результат"})
                     [["Код", "ФИО", "Результат"]].fillna("—"), hide_index=True, width="stretch")
    if state.can_edit() and st.button("Удалить мероприятие", key="event_delete"):
        with Session(engine) as session:
            planning.delete_event(session, chosen_id)
            session.commit()
        data.refresh()
        st.rerun()

if state.can_edit():
    st.subheader("Новое мероприятие")
    codes = sorted(participants["code"].astype(str))
    names = participants.set_index("code")["full_name"].to_dict()
    with st.form("event_form", clear_on_submit=True):
        title = st.text_input("Название", key="event_title")
        cols = st.columns(3)
        kind = cols[0].selectbox("Вид", list(ACTIVITY_KINDS), format_func=KIND_LABELS.get,
                                 key="event_kind")
        form = cols[1].selectbox("Формат", list(FORMAT_LABELS), format_func=FORMAT_LABELS.get,
                                 key="event_format")
        hours = cols[2].number_input("Часы", min_value=0.0, value=1.0, step=0.5, key="event_hours")
        cols = st.columns(2)
        starts_on = cols[0].date_input("Дата начала", value=dt.date.today(), format="DD.MM.YYYY",
                                       key="event_starts_on")
        ends_on = cols[1].date_input("Дата окончания (если несколько дней)", value=None,
                                     format="DD.MM.YYYY", key="event_ends_on")
        chosen = st.multiselect("Участники", codes, format_func=lambda c: f"{c} — {names.get(c, '')}",
                                key="event_participants", placeholder="Выберите участников")
        result = st.text_area("Итог мероприятия", key="event_result")
        submitted = st.form_submit_button("Добавить мероприятие")
    if submitted:
        try:
            with Session(engine) as session:
                school_id = default_school_id(session)
                if school_id is None:
                    raise planning.PlanningError("В базе нет школы: сначала загрузите участников.")
                planning.create_event(
                    session, school_id=school_id, title=title, kind=kind,
                    format=form, starts_on=starts_on, ends_on=ends_on, hours=hours,
                    result=result or None, participants=chosen,
                )
                session.commit()
        except DataError as error:
            st.error(str(error))
        else:
            data.refresh()
            st.success(f"Мероприятие добавлено, участников: {fmt_int(len(chosen))}.")
            st.rerun()
