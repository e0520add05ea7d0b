"""«Обзор»: the programme at a glance, read from the database."""

import plotly.express as px
import streamlit as st

from dashboard import data, state
from analysis.filters import Filters, school_year_label
from dashboard.ui import MODEL_LABELS, fmt_date, fmt_int, fmt_month, fmt_number, fmt_percent, fmt_share, plural
from reports.overview import overview_figures


def window_text(filters: Filters) -> str:
    """Describe the date window of the filters in words, or return "" when it is open."""
    if filters.period_start or filters.period_end:
        start = fmt_date(filters.period_start, missing="…")
        end = fmt_date(filters.period_end, missing="…")
        return f"период {start} — {end}"
    if filters.school_year is not None:
        return f"{school_year_label(filters.school_year)} учебный год"
    return ""


def filters_text(filters: Filters) -> str:
    """Describe the chosen filters in words, or return "" when none is set."""
    parts = []
    window = window_text(filters)
    if window:
        parts.append(window)
    if filters.model:
        parts.append(f"{MODEL_LABELS[filters.model]} модель")
    if filters.area:
        parts.append(f"область «{filters.area}»")
    return ", ".join(parts)


st.title("Цифровое наставничество: обзор программы")

filters = state.current_filters()
figures = overview_figures(data.frames(), filters)
counts = figures.counts
chosen = filters_text(filters)
if chosen:
    st.caption(
        f"Выбранные фильтры: {chosen}. Блоки «Участники» и «Затруднения в цифровой среде» "
        "показаны без учёта фильтров; «Активность» учитывает период и модель, "
        "«Изменение цифровых компетенций» — период, модель и область."
    )

st.subheader("Участники")
if chosen:
    st.caption("Без учёта фильтров: все педагоги и группы программы.")
cols = st.columns(5)
cols[0].metric("Педагогов", fmt_int(counts["teachers"]))
cols[1].metric("Наставников", fmt_int(counts["mentors"]))
cols[2].metric("Наставляемых", fmt_int(counts["mentees"]))
cols[3].metric("Групп: цифровая модель", fmt_int(counts["groups_digital"]))
cols[4].metric("Групп: традиционная модель", fmt_int(counts["groups_traditional"]))
st.caption(
    "Педагог с ролью «наставник и наставляемый» считается и среди наставников, и среди "
    "наставляемых. Группа — наставник и один или несколько наставляемых; пара — группа из двух человек."
)

st.subheader("Затруднения в цифровой среде")
if figures.difficulty is None:
    st.info("Диагностическая анкета ещё не загружена: долю педагогов с затруднениями посчитать не из чего.")
else:
    row = figures.difficulty
    if chosen:
        st.caption("Без учёта фильтров: все ответы входной диагностики.")
    st.metric("Доля педагогов с затруднениями", fmt_share(row["share"]))
    st.write(
        f"{fmt_int(row['n_difficulty'])} из {fmt_int(row['n'])} "
        f"{plural(int(row['n']), 'ответившего', 'ответивших', 'ответивших')} педагогов отметили "
        "«Да» или «Частично» хотя бы для одного цифрового сервиса. С вероятностью 95 % "
        f"истинная доля лежит между {fmt_share(row['ci_low'])} и {fmt_share(row['ci_high'])} "
        "(интервал Уилсона)."
    )

st.subheader("Активность")
if figures.by_month.empty and window_text(filters):
    st.info(f"В журнале мероприятий нет записей за выбранный период ({chosen}): расширьте период.")
elif figures.by_month.empty:
    st.info("Журнал мероприятий ещё не загружен: загрузите его на странице «Данные».")
else:
    last = figures.by_month.iloc[-1]
    st.metric(
        f"Участий в мероприятиях за последний месяц с данными ({fmt_month(figures.latest_month)})",
        fmt_int(last["activities"]),
        help="Считаются строки журнала мероприятий: одна строка — один участник на одном мероприятии.",
    )
    chart = figures.by_month.assign(month_label=figures.by_month["month"].map(fmt_month))
    fig = px.bar(
        chart, x="month_label", y="activities",
        labels={"month_label": "Месяц", "activities": "Участий в мероприятиях"},
        title="Сколько раз в месяц педагоги участвуют в мероприятиях программы?",
    )
    st.plotly_chart(fig, width="stretch")

st.subheader("Изменение цифровых компетенций")
change = figures.change
if (change is None or change["n"] == 0) and chosen:
    st.info(
        f"При выбранных фильтрах ({chosen}) нет участников с оценками и «до», и «после»: "
        "расширьте период или снимите фильтр модели или области."
    )
elif change is None or change["n"] == 0:
    st.info(
        "Нет участников с результатами и входного, и итогового тестирования: "
        "загрузите оценки компетенций на странице «Данные»."
    )
else:
    st.metric(
        "Средний прирост, процентных пунктов",
        fmt_number(change["mean_change"]),
        help="Разность «после» минус «до» в процентах от максимального балла, среднее по участникам.",
    )
    scope = f"в области «{filters.area}»" if filters.area else "в среднем по всем областям"
    st.write(
        f"У {fmt_int(change['n'])} участников с обоими тестированиями средний результат {scope} "
        f"изменился с {fmt_percent(change['mean_pre'])} до {fmt_percent(change['mean_post'])} от максимума. "
        "Это изменение за период программы, а не доказанный её эффект: подробности и сравнение "
        "моделей — на страницах «Компетенции: до и после» и «Цифровая и традиционная модели»."
    )
