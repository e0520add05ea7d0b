"""«Цифровая и традиционная модели»: the two mentoring models compared on competence gains."""

import pandas as pd
import streamlit as st

from dashboard import data, state
from dashboard.ui import MODEL_LABELS, fmt_int, fmt_number, fmt_p_value, fmt_share
from reports.effectiveness import effectiveness_tables

BASELINE_LABELS = {
    "satisfied": "равный",
    "requires_adjustment": "нужна поправка",
    "not_satisfied": "заметно различается",
}
DOSE_LABELS = {"meetings": "число встреч", "hours": "часы занятий"}
OVERALL_LABEL = "В среднем по областям"

st.title("Цифровая и традиционная модели")
st.caption(
    "Сравнение прироста цифровых компетенций у наставляемых цифровой и традиционной моделей. "
    "Результат «после» сравнивается с поправкой на результат «до» (ковариационный анализ)."
)

filters = state.current_filters()
if filters.model:
    st.caption("Фильтр по модели на этой странице не действует: здесь нужны обе модели.")
tables = effectiveness_tables(data.frames(), filters)
table = tables.comparison

if table.empty:
    st.info(
        "Нет оценок этапов «до» и «после» за выбранный период: сравнивать нечего. "
        "Загрузите оценки компетенций на странице «Данные»."
    )
    st.stop()

if filters.area:
    table = table[table["area"].isin([filters.area, "overall"])]


def area_label(area: str) -> str:
    return OVERALL_LABEL if area == "overall" else area


def interval(low, high, digits: int = 1) -> str:
    if pd.isna(low) or pd.isna(high):
        return "—"
    return f"{fmt_number(low, digits)} … {fmt_number(high, digits)}"


overall = table[table["area"] == "overall"]
if not overall.empty:
    row = overall.iloc[0]
    st.header("Главный вывод")
    cols = st.columns(3)
    cols[0].metric("Участников: цифровая", fmt_int(row["n_digital"]))
    cols[1].metric("Участников: традиционная", fmt_int(row["n_traditional"]))
    cols[2].metric("Разница с поправкой, п. п.", fmt_number(row["ancova_estimate"]))
    st.info(row["conclusion"])
    if row["baseline_equivalence"] == "not_satisfied":
        st.warning(
            "Исходный уровень групп различается больше чем на 0,25 стандартного отклонения "
            "(правило What Works Clearinghouse): статистическая поправка не делает группы "
            "сопоставимыми, вывод предварительный."
        )
    if row["slopes_warning"] is True:
        st.warning(
            "Связь результата «после» с результатом «до» в моделях различается "
            "(проверка однородности наклонов, p < 0,05): поправка на исходный уровень приблизительна."
        )

st.header("По областям компетенций")
st.dataframe(
    pd.DataFrame(
        {
            "Область": table["area"].map(area_label),
            "Цифровая, чел.": table["n_digital"].map(fmt_int),
            "Традиционная, чел.": table["n_traditional"].map(fmt_int),
            "Разница с поправкой, п. п.": table["ancova_estimate"].map(fmt_number),
            "95% ДИ": [interval(lo, hi) for lo, hi in zip(table["ancova_ci_low"], table["ancova_ci_high"], strict=True)],
            "p (с поправкой Холма)": table["ancova_p_adjusted"].map(fmt_p_value),
            "g прироста": table["hedges_g_gain"].map(lambda value: fmt_number(value, 2)),
            "Исходный уровень": table["baseline_equivalence"].map(lambda key: BASELINE_LABELS.get(key, "—")),
        }
    ),
    hide_index=True,
    key="comparison_table",
)
with st.expander("Выводы по каждой области"):
    for area, text in zip(table["area"], table["conclusion"], strict=True):
        st.markdown(f"**{area_label(area)}.** {text}")

with st.expander("Подробности для методиста"):
    st.dataframe(
        pd.DataFrame(
            {
                "Область": table["area"].map(area_label),
                "F (тип II)": table["ancova_f"].map(lambda v: fmt_number(v, 2)),
                "Частная η²": table["ancova_partial_eta2"].map(lambda v: fmt_number(v, 3)),
                "Наклоны, p": table["slopes_interaction_p"].map(fmt_p_value),
                "Разность приростов": table["did_estimate"].map(fmt_number),
                "ДИ (Уэлч)": [interval(lo, hi) for lo, hi in zip(table["did_ci_low"], table["did_ci_high"], strict=True)],
                "t Уэлча": table["welch_t"].map(lambda v: fmt_number(v, 2)),
                "p Уэлча": table["welch_p_value"].map(fmt_p_value),
                "U (цифровая)": table["mann_whitney_u"].map(lambda v: fmt_number(v, 1)),
                "p Манна — Уитни": table["mann_whitney_p_value"].map(fmt_p_value),
                "Рангово-бисериальная r": table["rank_biserial"].map(lambda v: fmt_number(v, 2)),
                "p (кластеры по наставникам)": table["cluster_p_value"].map(fmt_p_value),
                "Смешанная модель, п. п.": table["mixed_estimate"].map(fmt_number),
                "ICC": table["icc"].map(lambda v: fmt_number(v, 2)),
                "Мощность при d = 0,5": table["power_medium"].map(fmt_share),
                "Обнаружимый d (80 %)": table["mde_80"].map(lambda v: fmt_number(v, 2)),
                "Выбыли: цифровая": table["attrition_digital"].map(fmt_share),
                "Выбыли: традиционная": table["attrition_traditional"].map(fmt_share),
                "p Фишера (выбытие)": table["attrition_p_value"].map(fmt_p_value),
            }
        ),
        hide_index=True,
        key="comparison_details",
    )
    st.caption(
        "Ковариационный анализ: «после» ~ «до» + модель (МНК, суммы квадратов типа II; при одной "
        "степени свободы F равно квадрату t). Прирост — «после» минус «до»; t-критерий Уэлча и "
        "критерий Манна — Уитни сравнивают приросты (цифровая минус традиционная). g — Хеджес с "
        "объединённым стандартным отклонением. Кластерные ошибки (CRV1) и смешанная модель со "
        "случайным сдвигом для наставника учитывают, что наставляемые одного наставника похожи; "
        "смешанная модель строится, когда в каждой модели не меньше 5 наставников. ICC — доля "
        "разброса приростов, приходящаяся на различия между наставниками."
    )

st.header("Связь прироста с числом встреч")
dose = tables.dose
if dose.empty:
    st.info("Нет данных для оценки связи прироста с интенсивностью наставничества.")
else:
    shown = dose[dose["model"] == filters.model] if filters.model else dose
    st.dataframe(
        pd.DataFrame(
            {
                "Модель": shown["model"].map(MODEL_LABELS),
                "Показатель": shown["dose"].map(DOSE_LABELS),
                "Участников": shown["n"].map(fmt_int),
                "ρ Спирмена": shown["rho"].map(lambda v: fmt_number(v, 2)),
                "95% ДИ": [interval(lo, hi, 2) for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)],
                "p": shown["p_value"].map(fmt_p_value),
            }
        ),
        hide_index=True,
        key="dose_table",
    )
    with st.expander("Как читать связь с числом встреч"):
        for text in shown["reading"]:
            st.markdown(f"- {text}")
