"""«Вовлечённость»: who takes part, how often groups meet, which groups need attention."""

import plotly.express as px
import streamlit as st

from dashboard import data, state
from dashboard.ui import (
    KIND_LABELS,
    MODEL_LABELS,
    fmt_date,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_share,
    label,
    plural,
)
from reports.engagement import INACTIVE_DAYS, default_reference_date, engagement_figures

st.title("Вовлечённость")

frames = data.frames()
filters = state.current_filters()
reference = st.date_input(
    "Дата, на которую проверяем активность групп",
    value=default_reference_date(frames, filters).date(),
    format="DD.MM.YYYY",
    key="engagement_reference_date",
    help="По умолчанию — дата последней записи в журнале мероприятий (но не позже сегодняшней).",
)
figures = engagement_figures(frames, filters, reference)
names = frames.participants.set_index("code")["full_name"]

if figures.totals.empty or figures.totals["n_activities"].sum() == 0:
    st.info("Журнал мероприятий за выбранный период пуст: считать вовлечённость не из чего.")
    st.stop()

# Key figures of the last month with data.
active_all = figures.active.loc[figures.active["model"] == (filters.model or "all")]
last = active_all.iloc[-1]
cols = st.columns(4)
cols[0].metric(f"Активных участников, {fmt_month(last['month'])}", fmt_share(last["active_share"]))
cols[1].metric("Записей о мероприятиях за период",
               fmt_int(figures.totals.loc[figures.totals["model"] == (filters.model or "all"),
                                          "n_activities"].sum()))
cols[2].metric("Групп на контроле", fmt_int(len(figures.inactive)))
drop = figures.dropout.iloc[0]
cols[3].metric("Выбыли досрочно (наставляемые)", fmt_share(drop["dropout_share"]))
st.write(
    f"В последнем месяце с данными ({fmt_month(last['month'])}) хотя бы в одном мероприятии "
    "участвовали "
    f"{fmt_int(last['n_active'])} из {fmt_int(last['n_registered'])} зарегистрированных "
    f"{plural(int(last['n_registered']), 'участника', 'участников', 'участников')}. "
    f"На {fmt_date(figures.reference_date)} досрочно вышли из групп {fmt_int(drop['n_dropped'])} "
    f"из {fmt_int(drop['n_mentees'])} наставляемых."
)
if last["n_active_not_registered"]:
    st.caption(
        f"Ещё {fmt_int(last['n_active_not_registered'])} записей журнала в этом месяце называют "
        "людей, которые не зарегистрированы к концу месяца: они не входят в долю."
    )

st.subheader("Доля активных участников по месяцам")
chart = figures.active.assign(
    month_label=figures.active["month"].map(fmt_month),
    model_label=figures.active["model"].map(lambda m: label(MODEL_LABELS, m)),
    share_percent=figures.active["active_share"] * 100,
)
fig = px.line(chart, x="month_label", y="share_percent", color="model_label", markers=True,
              labels={"month_label": "Месяц", "share_percent": "Активных, %",
                      "model_label": "Модель"})
st.plotly_chart(fig, width="stretch")
st.caption("Участник активен в месяце, если хотя бы одна запись журнала мероприятий называет его "
           "в этом месяце. Доля считается от участников, зарегистрированных к концу месяца.")

st.subheader("Мероприятия по месяцам и видам")
kinds = figures.by_kind.assign(
    month_label=figures.by_kind["month"].map(fmt_month),
    kind_label=figures.by_kind["kind"].map(lambda k: label(KIND_LABELS, k)),
)
fig = px.bar(kinds, x="month_label", y="n_activities", color="kind_label",
             labels={"month_label": "Месяц", "n_activities": "Записей", "kind_label": "Вид"})
st.plotly_chart(fig, width="stretch")
heat = figures.heatmap.rename(index=lambda k: label(KIND_LABELS, k), columns=fmt_month)
fig = px.imshow(heat, text_auto=True, aspect="auto", color_continuous_scale="Blues",
                labels={"x": "Месяц", "y": "Вид", "color": "Записей"})
st.plotly_chart(fig, width="stretch")
remote = figures.by_kind.loc[figures.by_kind["format"] == "remote", "n_activities"].sum()
total = figures.by_kind["n_activities"].sum()
st.write(f"Дистанционно прошло {fmt_share(remote / total)} записей журнала за период "
         f"({fmt_int(remote)} из {fmt_int(total)}). Одна запись — один участник на одном мероприятии.")

st.subheader("Нарастающий итог")
cumulative = figures.totals.assign(
    month_label=figures.totals["month"].map(fmt_month),
    model_label=figures.totals["model"].map(lambda m: label(MODEL_LABELS, m)),
)
fig = px.line(cumulative, x="month_label", y="cumulative_activities", color="model_label",
              markers=True, labels={"month_label": "Месяц", "model_label": "Модель",
                                    "cumulative_activities": "Записей с начала периода"})
st.plotly_chart(fig, width="stretch")

st.subheader("Встречи в группах")
meetings = figures.meetings.assign(
    month_label=figures.meetings["month"].map(fmt_month),
    model_label=figures.meetings["model"].map(lambda m: label(MODEL_LABELS, m)),
)
fig = px.line(meetings, x="month_label", y="mean_meetings", color="model_label", markers=True,
              labels={"month_label": "Месяц", "mean_meetings": "Встреч на группу",
                      "model_label": "Модель"})
st.plotly_chart(fig, width="stretch")
for row in figures.first_meeting_summary.itertuples(index=False):
    if row.n_with_meeting == 0:
        st.write(f"Модель «{label(MODEL_LABELS, row.model)}»: ни одна из {fmt_int(row.n_groups)} "
                 "групп ещё не провела встречу.")
        continue
    st.write(
        f"Модель «{label(MODEL_LABELS, row.model)}»: половина групп провела первую встречу не "
        f"позже чем через {fmt_number(row.median_days)} дн. после начала работы (медиана; "
        f"встречались {fmt_int(row.n_with_meeting)} из {fmt_int(row.n_groups)} групп)."
    )
st.caption("Встреча — запись вида «встреча» с кодом группы; записи наставника и наставляемых об "
           "одной встрече (одно и то же время) считаются один раз.")

st.subheader(f"На контроле: группы без мероприятий {INACTIVE_DAYS} дней и дольше")
if figures.inactive.empty:
    st.success(f"На {fmt_date(figures.reference_date)} все действующие группы проводили "
               f"мероприятия за последние {INACTIVE_DAYS} дней.")
else:
    table = figures.inactive.assign(
        mentor=figures.inactive["mentor_code"].map(names).fillna(""),
    )
    st.dataframe(
        {
            "Группа": table["group_code"],
            "Наставник": table["mentor_code"] + " " + table["mentor"],
            "Модель": table["model"].map(lambda m: label(MODEL_LABELS, m)),
            "Последнее мероприятие": table["last_activity_on"].map(fmt_date),
            "Дней без мероприятий": table["days_without_activity"].map(fmt_int),
        },
        hide_index=True,
    )
    st.warning(f"На контроле {fmt_int(len(table))} "
               f"{plural(len(table), 'группа', 'группы', 'групп')}: мероприятий не было "
               f"{INACTIVE_DAYS} дней и дольше, стоит связаться с наставниками.")

st.subheader("Досрочное завершение")
st.dataframe(
    {
        "Модель": figures.dropout["model"].map(lambda m: label(MODEL_LABELS, m)),
        "Наставляемых": figures.dropout["n_mentees"].map(fmt_int),
        "Выбыли досрочно": figures.dropout["n_dropped"].map(fmt_int),
        "Доля": figures.dropout["dropout_share"].map(fmt_share),
        "Групп завершено досрочно": figures.dropout["n_groups_ended_early"].map(fmt_int),
    },
    hide_index=True,
)
st.caption("Досрочно — дата окончания раньше конца учебного года (31 мая) и не позже даты проверки.")
