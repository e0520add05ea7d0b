"""«Компетенции: до и после»: change of competence scores within each model."""

import pandas as pd
import streamlit as st

from analysis.filters import Filters
from analysis.prepost import OVERALL, P_ADJUST_NAMES
from dashboard import data, state
from dashboard.ui import fmt_int, fmt_number, fmt_p_value, fmt_percent
from reports import effectiveness_figures as figures
from reports import effectiveness_text as text
from reports.effectiveness import Effectiveness, effectiveness_tables

MODEL_TITLES = {
    "digital": "Цифровая модель",
    "traditional": "Традиционная модель",
    "all": "Обе модели вместе (все наставляемые)",
}
OVERALL_LABEL = "В среднем по областям"


@st.cache_data(ttl=data.FRAMES_TTL_SECONDS, show_spinner="Расчёт статистики…")
def load_tables(filters: Filters, p_adjust: str) -> Effectiveness:
    return effectiveness_tables(data.frames(), filters, p_adjust)


def area_label(area: str) -> str:
    return OVERALL_LABEL if area == OVERALL else area


def display_table(rows: pd.DataFrame, p_adjust: str) -> pd.DataFrame:
    """Russian column names and formatted values; missing values show as «—»."""
    return pd.DataFrame(
        {
            "Область": rows["area"].map(area_label),
            "Участников": rows["n"].map(fmt_int),
            "Не вошли": rows["n_excluded"].map(fmt_int),
            "До": rows["mean_pre"].map(fmt_percent),
            "После": rows["mean_post"].map(fmt_percent),
            "Изменение, п. п.": rows["mean_change"].map(fmt_number),
            "95% ДИ": [
                f"{fmt_number(low)} … {fmt_number(high)}" if pd.notna(low) else "—"
                for low, high in zip(rows["ci_low"], rows["ci_high"], strict=True)
            ],
            "Критерий": [text.test_label(row) for row in rows.to_dict("records")],
            "p": rows["p_value"].map(fmt_p_value),
            f"p ({P_ADJUST_NAMES[p_adjust]})": rows["p_adjusted"].map(fmt_p_value),
            "Другой критерий, p": rows["alternative_p_value"].map(fmt_p_value),
            "Шапиро — Уилк, p": rows["shapiro_p"].map(fmt_p_value),
            "d_z": rows["cohen_dz"].map(lambda value: fmt_number(value, 2)),
            "g_av": rows["hedges_g_av"].map(lambda value: fmt_number(value, 2)),
        }
    )


def render_area_detail(row: dict, pairs: pd.DataFrame, model: str, n_areas: int, p_adjust: str) -> None:
    """Slope chart, distribution of changes and the test of the chosen area."""
    st.subheader(f"{area_label(row['area'])}: каждый участник")
    left, right = st.columns(2)
    left.plotly_chart(figures.slope_figure(pairs), key=f"prepost_slope_{model}")
    right.plotly_chart(figures.change_distribution_figure(pairs), key=f"prepost_changes_{model}")
    st.caption(text.slope_reading(pairs))
    st.markdown(text.test_choice_text(row))
    method = text.wilcoxon_method_text(row, pairs["change"].to_numpy())
    if method:
        st.markdown(method)
    st.markdown(text.exclusions_text(row))
    if row["area"] != OVERALL:
        st.caption(text.adjustment_text(p_adjust, n_areas))


st.title("Компетенции: до и после")
st.caption(
    "Результаты оценки цифровых компетенций в процентах от максимального балла: "
    "до начала наставничества и после него. Пары «до — после» составлены по коду педагога."
)
conclusion_box = st.container(border=True)

p_adjust = state.p_adjust_toggle("prepost_bh_toggle")

filters = state.current_filters()
table = load_tables(filters, p_adjust).prepost

if table.empty:
    if data.frames().assessments.empty:
        conclusion_box.info(
            "Оценки компетенций ещё не загружены: изменение считать не из чего. "
            "Загрузите их на странице «Данные»."
        )
    else:
        conclusion_box.info(
            "За выбранный период нет оценок обоих этапов, «до» и «после»: изменение считать "
            "не из чего. Оценки загружены, но лежат вне периода: расширьте период или снимите его."
        )
    st.stop()

models = [filters.model] if filters.model else [m for m in ("digital", "traditional", "all") if m in set(table["model"])]
areas = sorted(set(table["area"]) - {OVERALL})
if filters.area:
    table = table[table["area"].isin([filters.area, OVERALL])]
conclusion_area = filters.area or OVERALL

with conclusion_box:
    st.subheader("Вывод")
    for sentence in text.prepost_conclusion(table, models, conclusion_area):
        st.markdown(sentence)

chart_areas = [OVERALL, *([filters.area] if filters.area else areas)]
chart_area = st.selectbox(
    "Область для графиков по участникам и подробностей критерия",
    chart_areas,
    index=chart_areas.index(conclusion_area),
    format_func=area_label,
    key=f"prepost_chart_area_{filters.area or 'all'}",
)
paired = figures.paired_scores(data.frames(), filters)

for model in models:
    rows = table[table["model"] == model]
    if rows.empty:
        st.info(f"{MODEL_TITLES[model]}: нет участников с оценками.")
        continue
    st.header(MODEL_TITLES[model])
    # The metrics follow the area filter, as the charts below do.
    headline = rows[rows["area"] == conclusion_area]
    if not headline.empty:
        row = headline.iloc[0]
        cols = st.columns(3)
        if filters.area:
            st.caption(f"Показатели области «{filters.area}».")
        cols[0].metric("В среднем до", fmt_percent(row["mean_pre"]))
        cols[1].metric("В среднем после", fmt_percent(row["mean_post"]))
        cols[2].metric("Изменение", f"{fmt_number(row['mean_change'])} п. п.")
        st.markdown(row["reading"])

    if not rows[rows["area"] != OVERALL].empty:
        st.plotly_chart(figures.means_by_area_figure(rows), key=f"prepost_chart_{model}")
    chosen = rows[rows["area"] == chart_area]
    if not chosen.empty:
        render_area_detail(
            chosen.iloc[0].to_dict(),
            figures.select_pairs(paired.pairs, model, chart_area),
            model,
            len(areas),
            p_adjust,
        )
    st.dataframe(display_table(rows, p_adjust), hide_index=True, key=f"prepost_table_{model}")
    with st.expander("Как читать результаты по областям"):
        for reading in rows.loc[rows["area"] != OVERALL, "reading"]:
            st.markdown(f"- {reading}")

st.header("Индивидуальные траектории")
paths = figures.trajectories(data.frames(), filters, chart_area)
if filters.model:
    paths = paths[paths["model"] == filters.model]
codes = sorted(paths["code"].astype(str).unique())
selected = st.multiselect(
    "Участники (коды)",
    codes,
    default=figures.default_trajectory_codes(paths),
    key=f"prepost_trajectory_codes_{chart_area}_{filters.model or 'all'}",
    help="Показаны первые участники с наибольшим числом оценок; добавьте или уберите коды.",
)
if selected:
    st.plotly_chart(figures.trajectories_figure(paths, selected), key="prepost_trajectories")
st.caption(text.trajectories_reading(paths, selected))

st.caption(
    "Как считается. Изменение — «после» минус «до» у одного и того же педагога. Если изменения "
    "распределены примерно нормально (критерий Шапиро — Уилка, p ≥ 0,05), применяется "
    "t-критерий для связанных выборок, иначе — критерий знаковых рангов Уилкоксона; второй "
    "критерий показан рядом для сравнения. Поправка на число областей — Холма или, по "
    "переключателю, Бенджамини — Хохберга; для среднего по областям поправки нет. "
    "Меньше 5 пар — критерий не применяется. d_z — среднее изменение в стандартных отклонениях "
    "изменений, g_av — в средних стандартных отклонениях баллов (с поправкой Хеджеса). "
    "Без сравнения с другой группой это изменение, а не доказанный эффект программы: "
    "сравнение моделей — на странице «Цифровая и традиционная модели»."
)
