"""«Компетенции: до и после»: change of competence scores within each model."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, state
from dashboard.ui import fmt_int, fmt_number, fmt_p_value, fmt_percent
from reports.effectiveness import effectiveness_tables

TEST_LABELS = {"paired_t": "t-критерий для связанных выборок", "wilcoxon": "критерий Уилкоксона"}
MODEL_TITLES = {
    "digital": "Цифровая модель",
    "traditional": "Традиционная модель",
    "all": "Все участники (наставляемые обеих моделей, наставники и педагоги вне групп)",
}
OVERALL_LABEL = "В среднем по областям"

st.title("Компетенции: до и после")
st.caption(
    "Результаты оценки цифровых компетенций в процентах от максимального балла: "
    "до начала наставничества и после него. Пары «до — после» составлены по коду педагога."
)

filters = state.current_filters()
tables = effectiveness_tables(data.frames(), filters)
table = tables.prepost

if table.empty:
    st.info(
        "Нет оценок этапов «до» и «после» за выбранный период: изменение считать не из чего. "
        "Загрузите оценки компетенций на странице «Данные»."
    )
    st.stop()

models = [filters.model] if filters.model else [m for m in ("digital", "traditional", "all") if m in set(table["model"])]
if filters.area:
    table = table[table["area"].isin([filters.area, "overall"])]


def area_label(area: str) -> str:
    return OVERALL_LABEL if area == "overall" else area


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
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
            "Критерий": rows["test"].map(lambda test: TEST_LABELS.get(test, "—")),
            "p (с поправкой)": rows["p_adjusted"].map(fmt_p_value),
            "d_z": rows["cohen_dz"].map(lambda value: fmt_number(value, 2)),
            "g_av": rows["hedges_g_av"].map(lambda value: fmt_number(value, 2)),
        }
    )


for model in models:
    rows = table[table["model"] == model]
    if rows.empty:
        st.info(f"{MODEL_TITLES[model]}: нет участников с оценками.")
        continue
    st.header(MODEL_TITLES[model])
    overall = rows[rows["area"] == "overall"]
    if not overall.empty:
        row = overall.iloc[0]
        cols = st.columns(3)
        cols[0].metric("В среднем до", fmt_percent(row["mean_pre"]))
        cols[1].metric("В среднем после", fmt_percent(row["mean_post"]))
        cols[2].metric("Изменение", f"{fmt_number(row['mean_change'])} п. п.")
        st.markdown(row["reading"])

    by_area = rows[rows["area"] != "overall"]
    if not by_area.empty:
        figure = go.Figure(
            [
                go.Bar(name="До", x=by_area["area"], y=by_area["mean_pre"]),
                go.Bar(name="После", x=by_area["area"], y=by_area["mean_post"]),
            ]
        )
        figure.update_layout(
            barmode="group", yaxis_title="Средний результат, % от максимума",
            height=360, margin={"t": 20, "b": 20},
        )
        st.plotly_chart(figure, key=f"prepost_chart_{model}")
    st.dataframe(display_table(rows), hide_index=True, key=f"prepost_table_{model}")

    with st.expander("Как читать результаты по областям"):
        for reading in by_area["reading"]:
            st.markdown(f"- {reading}")
    repeated = int(rows.loc[rows["area"] != "overall", "n_repeated"].sum())
    if repeated:
        st.caption(
            f"В {fmt_int(repeated)} случаях у педагога было несколько оценок одной области "
            "на одном этапе: учтена последняя по дате."
        )

st.caption(
    "Как считается. Изменение — «после» минус «до» у одного и того же педагога. Если различия "
    "распределены примерно нормально (критерий Шапиро — Уилка, p ≥ 0,05), применяется "
    "t-критерий для связанных выборок, иначе — критерий знаковых рангов Уилкоксона; поправка "
    "Холма учитывает, что областей несколько. d_z — среднее изменение в стандартных отклонениях "
    "изменений, g_av — в средних стандартных отклонениях баллов (с поправкой Хеджеса). "
    "Без сравнения с другой группой это изменение, а не доказанный эффект программы: "
    "сравнение моделей — на странице «Цифровая и традиционная модели»."
)
