"""«Вовлечённость»: who takes part, how often groups meet, which groups need attention."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, state
from dashboard.ui import (
    FORMAT_LABELS,
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
from reports.engagement import (
    INACTIVE_DAYS,
    default_reference_date,
    engagement_figures,
    group_meetings_wide,
)

# One colour per model on every chart of the page, keyed by the Russian label.
MODEL_COLOURS = {label(MODEL_LABELS, key): colour for key, colour in
                 {"all": "#424242", "digital": "#1565c0", "traditional": "#ef6c00"}.items()}

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
                      "model_label": "Модель"},
              color_discrete_map=MODEL_COLOURS,
              title="Какая доля участников каждый месяц хоть в чём-то участвовала?")
st.plotly_chart(fig, width="stretch")
st.caption("Участник активен в месяце, если хотя бы одна запись журнала мероприятий называет его "
           "в этом месяце. Доля считается от участников, зарегистрированных к концу месяца.")

st.subheader("Мероприятия по месяцам и видам")
kinds = figures.by_kind.assign(
    month_label=figures.by_kind["month"].map(fmt_month),
    kind_label=figures.by_kind["kind"].map(lambda k: label(KIND_LABELS, k)),
)
fig = px.bar(kinds, x="month_label", y="n_activities", color="kind_label",
             labels={"month_label": "Месяц", "n_activities": "Записей", "kind_label": "Вид"},
             title="Сколько записей о мероприятиях каждого вида было в каждом месяце?")
st.plotly_chart(fig, width="stretch")
heat = figures.heatmap.rename(index=lambda k: label(KIND_LABELS, k), columns=fmt_month)
fig = px.imshow(heat, text_auto=True, aspect="auto", color_continuous_scale="Blues",
                labels={"x": "Месяц", "y": "Вид", "color": "Записей"},
                title="В какие месяцы какие виды мероприятий проходили чаще?")
st.plotly_chart(fig, width="stretch")
remote = figures.by_kind.loc[figures.by_kind["format"] == "remote", "n_activities"].sum()
total = figures.by_kind["n_activities"].sum()
st.write(f"Дистанционно прошло {fmt_share(remote / total)} записей журнала за период "
         f"({fmt_int(remote)} из {fmt_int(total)}). Одна запись — один участник на одном мероприятии.")

st.subheader("Формат и часы")
formats = figures.formats.assign(
    month_label=figures.formats["month"].map(fmt_month),
    format_label=figures.formats["format"].map(lambda f: label(FORMAT_LABELS, f)),
)
fig = px.bar(formats, x="month_label", y="hours", color="format_label", barmode="group",
             labels={"month_label": "Месяц", "hours": "Часов", "format_label": "Формат"},
             title="Сколько часов участники провели на мероприятиях очно и дистанционно?")
st.plotly_chart(fig, width="stretch")
hours_total = figures.formats["hours"].sum()
hours_remote = figures.formats.loc[figures.formats["format"] == "remote", "hours"].sum()
st.write(f"За период записано {fmt_number(hours_total)} ч участия, из них дистанционно "
         f"{fmt_number(hours_remote)} ч ({fmt_share(hours_remote / hours_total if hours_total else None)}). "
         "Часы одного мероприятия считаются у каждого его участника.")
if filters.model is None:
    model_hours = figures.totals.loc[figures.totals["model"] != "all"]
    st.caption("По моделям: " + "; ".join(
        f"{label(MODEL_LABELS, row.model)} — {fmt_number(row.cumulative_hours)} ч"
        for row in model_hours.drop_duplicates("model", keep="last").itertuples(index=False)
    ) + ".")

st.subheader("Нарастающий итог")
cumulative = figures.totals.assign(
    month_label=figures.totals["month"].map(fmt_month),
    model_label=figures.totals["model"].map(lambda m: label(MODEL_LABELS, m)),
)
fig = px.line(cumulative, x="month_label", y="cumulative_activities", color="model_label",
              markers=True, labels={"month_label": "Месяц", "model_label": "Модель",
                                    "cumulative_activities": "Записей с начала периода"},
              color_discrete_map=MODEL_COLOURS,
              title="Сколько записей о мероприятиях накопилось с начала периода?")
st.plotly_chart(fig, width="stretch")

st.subheader("Встречи в группах")
meetings = figures.meetings.assign(
    month_label=figures.meetings["month"].map(fmt_month),
    model_label=figures.meetings["model"].map(lambda m: label(MODEL_LABELS, m)),
)
fig = px.line(meetings, x="month_label", y="mean_meetings", color="model_label", markers=True,
              labels={"month_label": "Месяц", "mean_meetings": "Встреч на группу",
                      "model_label": "Модель"},
              color_discrete_map=MODEL_COLOURS,
              title="Сколько встреч в месяц в среднем проводит одна группа?")
st.plotly_chart(fig, width="stretch")

if not figures.group_meetings.empty:
    per_group = group_meetings_wide(figures.group_meetings)
    fig = go.Figure(go.Heatmap(
        z=per_group.to_numpy(), x=[fmt_month(m) for m in per_group.columns],
        y=list(per_group.index),
        text=[["" if v != v else fmt_int(v) for v in row] for row in per_group.to_numpy()],
        texttemplate="%{text}", colorscale="Blues", colorbar={"title": "Встреч"},
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
    ))
    fig.update_layout(title="Сколько встреч провела каждая группа в каждом месяце?",
                      yaxis={"autorange": "reversed"}, height=160 + 24 * len(per_group))
    st.plotly_chart(fig, width="stretch")
    st.caption("Пустая клетка — группа в этом месяце ещё не начала или уже закончила работу; "
               "0 — группа работала, но встреч не записано. В скобках — код наставника.")

st.subheader("Хронология работы групп")
if not figures.group_spans.empty:
    spans = figures.group_spans.assign(
        group_label=figures.group_spans["group_code"] + " (" + figures.group_spans["mentor_code"] + ")",
        model_label=figures.group_spans["model"].map(lambda m: label(MODEL_LABELS, m)),
        finish=figures.group_spans["last_on"] + pd.Timedelta(days=1),
    )
    fig = px.timeline(spans, x_start="started_on", x_end="finish", y="group_label",
                      color="model_label", opacity=0.4, color_discrete_map=MODEL_COLOURS,
                      labels={"group_label": "Группа", "model_label": "Модель"},
                      title="Когда каждая группа работала и в какие дни встречалась?")
    days = figures.meeting_days.merge(spans[["group_code", "group_label"]], on="group_code")
    fig.add_scatter(x=days["occurred_on"], y=days["group_label"], mode="markers",
                    marker={"symbol": "line-ns-open", "size": 10, "color": "#1f2937"},
                    name="день встречи",
                    hovertemplate="%{y}: встреча %{x|%d.%m.%Y}<extra></extra>")
    month_starts = pd.date_range(spans["started_on"].min().to_period("M").start_time,
                                 spans["finish"].max(), freq="MS")
    fig.update_layout(yaxis={"autorange": "reversed", "title": ""},
                      xaxis={"tickvals": month_starts, "ticktext": [fmt_month(m) for m in month_starts]},
                      height=160 + 24 * len(spans))
    st.plotly_chart(fig, width="stretch")
    st.caption("Полоса — время работы группы (до даты окончания или до даты проверки), "
               "штрих — день, когда группа записала встречу. Длинный промежуток без штрихов — "
               "повод спросить наставника, как идут дела.")

st.subheader("Первая встреча после начала работы")
first = figures.first_meetings.dropna(subset=["days_to_first_meeting"])
if not first.empty:
    first = first.assign(
        group_label=first["group_code"] + " (" + first["mentor_code"] + ")",
        model_label=first["model"].map(lambda m: label(MODEL_LABELS, m)),
    ).sort_values("days_to_first_meeting")
    fig = px.bar(first, x="days_to_first_meeting", y="group_label", color="model_label",
                 orientation="h", color_discrete_map=MODEL_COLOURS,
                 labels={"days_to_first_meeting": "Дней от начала работы до первой встречи",
                         "group_label": "Группа", "model_label": "Модель"},
                 title="Через сколько дней после начала работы группа провела первую встречу?")
    # Labels show the groups that met on their first day, whose bars have zero length.
    fig.update_traces(texttemplate="%{x:.0f} дн.", textposition="outside")
    fig.update_layout(height=160 + 24 * len(first))
    st.plotly_chart(fig, width="stretch")
for row in figures.first_meeting_summary.itertuples(index=False):
    groups_label = "Все группы" if row.model == "all" else f"Модель «{label(MODEL_LABELS, row.model)}»"
    if row.n_with_meeting == 0:
        st.write(f"{groups_label}: ни одна из {fmt_int(row.n_groups)} групп ещё не провела встречу.")
        continue
    st.write(
        f"{groups_label}: половина групп провела первую встречу не "
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
# Below about 30 mentees one or two departures move the share by several points.
SMALL_MODEL = 30
small = figures.dropout.loc[(figures.dropout["model"] != "all")
                            & (figures.dropout["n_mentees"] < SMALL_MODEL)]
if not small.empty:
    st.info(
        "В модели " + " и ".join(f"«{label(MODEL_LABELS, m)}»" for m in small["model"])
        + f" меньше {SMALL_MODEL} наставляемых: один-два выбывших заметно меняют долю, поэтому "
        "разницу между моделями нельзя считать закономерностью без проверки на большем числе групп."
    )
