"""«Цифровая и традиционная модели»: the two mentoring models compared on competence gains."""

import pandas as pd
import streamlit as st

from analysis.filters import Filters
from analysis.prepost import OVERALL, P_ADJUST_NAMES
from dashboard import data, state
from dashboard.ui import MODEL_LABELS, fmt_int, fmt_number, fmt_p_value, fmt_share
from reports import effectiveness_figures as figures
from reports import effectiveness_text as text
from reports.effectiveness import Effectiveness, effectiveness_tables

BASELINE_LABELS = {
    "satisfied": "равный",
    "requires_adjustment": "нужна поправка",
    "not_satisfied": "заметно различается",
}
DOSE_LABELS = {"meetings": "число встреч", "hours": "часы занятий"}
OVERALL_LABEL = "В среднем по областям"


@st.cache_data(ttl=data.FRAMES_TTL_SECONDS, show_spinner="Расчёт статистики…")
def load_tables(filters: Filters, p_adjust: str) -> Effectiveness:
    return effectiveness_tables(data.frames(), filters, p_adjust)


def area_label(area: str) -> str:
    return OVERALL_LABEL if area == OVERALL else area


def interval(low, high, digits: int = 1) -> str:
    if pd.isna(low) or pd.isna(high):
        return "—"
    return f"{fmt_number(low, digits)} … {fmt_number(high, digits)}"


def power_cell(row: dict) -> str:
    """Power and the detectable effect, shown for the rows that are not significant."""
    p_value = row["ancova_p_adjusted"]
    if pd.isna(p_value) or p_value < 0.05 or pd.isna(row["mde_80"]):
        return "—"
    return f"{fmt_share(row['power_medium'], 0)} при d = 0,5; от d = {fmt_number(row['mde_80'], 2)}"


st.title("Цифровая и традиционная модели")
st.caption(
    "Сравнение прироста цифровых компетенций у наставляемых цифровой и традиционной моделей. "
    "Результат «после» сравнивается с поправкой на результат «до» (ковариационный анализ)."
)
conclusion_box = st.container(border=True)

filters = state.current_filters()
if filters.model:
    st.caption(
        "Фильтр по модели не действует на сравнение (здесь нужны обе модели); "
        "он действует только на таблицу связи прироста с числом встреч."
    )
p_adjust = state.p_adjust_toggle("comparison_bh_toggle")
tables = load_tables(filters, p_adjust)
table = tables.comparison

if table.empty:
    if data.frames().assessments.empty:
        conclusion_box.info(
            "Оценки компетенций ещё не загружены: сравнивать нечего. "
            "Загрузите их на странице «Данные»."
        )
    else:
        conclusion_box.info(
            "За выбранный период нет оценок обоих этапов, «до» и «после»: сравнивать нечего. "
            "Оценки загружены, но лежат вне периода: расширьте период или снимите его."
        )
    st.stop()

areas = sorted(set(table["area"]) - {OVERALL})
if filters.area:
    table = table[table["area"].isin([filters.area, OVERALL])]
conclusion_area = filters.area or OVERALL
with conclusion_box:
    st.subheader("Главный вывод")
    for sentence in text.comparison_conclusion(table, tables.attrition, conclusion_area):
        st.markdown(sentence)

chart_areas = [OVERALL, *([filters.area] if filters.area else areas)]
chart_area = st.selectbox(
    "Область для графиков и подробностей",
    chart_areas,
    index=chart_areas.index(conclusion_area),
    format_func=area_label,
    key=f"comparison_chart_area_{filters.area or 'all'}",
)
row = table[table["area"] == chart_area].iloc[0].to_dict()
pairs = figures.paired_scores(data.frames(), filters).pairs
cols = st.columns(3)
cols[0].metric("Участников: цифровая", fmt_int(row["n_digital"]))
cols[1].metric("Участников: традиционная", fmt_int(row["n_traditional"]))
cols[2].metric("Разница с поправкой, п. п.", fmt_number(row["ancova_estimate"]))
st.caption(
    "Разница с поправкой — насколько результат «после» у цифровой модели выше (минус — ниже), "
    "чем у традиционной, при одинаковом результате «до»."
)
if row["baseline_equivalence"] == "not_satisfied":
    st.warning(
        "Исходный уровень групп различается больше чем на 0,25 стандартного отклонения "
        "(правило What Works Clearinghouse): статистическая поправка не делает группы "
        "сопоставимыми, вывод предварительный."
    )
slopes = text.slopes_text(row)
if slopes:
    st.warning(slopes)

st.header("Результат «после» при одинаковом исходном уровне")
adjusted = figures.model_adjusted_means(pairs, chart_area)
if adjusted["adjusted_mean"].notna().all():
    st.plotly_chart(figures.adjusted_means_figure(adjusted), key="comparison_adjusted_means")
st.markdown(text.adjusted_means_text(adjusted))

st.header("Прирост в каждой модели")
st.plotly_chart(
    figures.gain_distribution_figure(pairs[pairs["area"] == chart_area]), key="comparison_gains"
)
st.markdown(text.gain_tests_text(row))

st.header("Исходный уровень групп")
st.plotly_chart(
    figures.baseline_figure(table, {OVERALL: OVERALL_LABEL}), key="comparison_baseline"
)
st.caption(
    "Зелёный — группы равны (|g| ≤ 0,05), жёлтый — нужна поправка (до 0,25), красный — "
    "различие слишком велико (больше 0,25); пунктир — эти границы."
)
st.markdown(text.baseline_text(row))

st.header("Выбытие участников")
if not tables.attrition.empty:
    st.plotly_chart(figures.attrition_figure(tables.attrition, chart_area), key="comparison_attrition")
st.markdown(text.attrition_text(tables.attrition, row, chart_area))

st.header("Сколько значит наставник")
st.markdown(text.clustering_text(row))

st.header("По областям компетенций")
st.dataframe(
    pd.DataFrame(
        {
            "Область": table["area"].map(area_label),
            "Цифровая, чел.": table["n_digital"].map(fmt_int),
            "Традиционная, чел.": table["n_traditional"].map(fmt_int),
            "Разница с поправкой, п. п.": table["ancova_estimate"].map(fmt_number),
            "95% ДИ": [interval(lo, hi) for lo, hi in zip(table["ancova_ci_low"], table["ancova_ci_high"], strict=True)],
            f"p ({P_ADJUST_NAMES[p_adjust]})": table["ancova_p_adjusted"].map(fmt_p_value),
            "Мощность и обнаружимый d": [power_cell(r) for r in table.to_dict("records")],
            "g прироста": table["hedges_g_gain"].map(lambda value: fmt_number(value, 2)),
            "Исходный уровень": table["baseline_equivalence"].map(lambda key: BASELINE_LABELS.get(key, "—")),
        }
    ),
    hide_index=True,
    key="comparison_table",
)
st.caption(
    "«Мощность и обнаружимый d» заполнены там, где различие не значимо: вероятность заметить "
    "различие средней величины (d = 0,5) и наименьшее различие, которое заметно с вероятностью 80 %."
)
with st.expander("Выводы по каждой области"):
    for area, conclusion in zip(table["area"], table["conclusion"], strict=True):
        st.markdown(f"**{area_label(area)}.** {conclusion}")

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
        "степени свободы F равно квадрату t). Скорректированные средние — прогноз результата "
        "«после» каждой модели при среднем результате «до» обеих моделей. Прирост — «после» "
        "минус «до»; t-критерий Уэлча и критерий Манна — Уитни сравнивают приросты (цифровая "
        "минус традиционная). g — Хеджес с объединённым стандартным отклонением. Кластерные "
        "ошибки (CRV1) и смешанная модель со случайным сдвигом для наставника учитывают, что "
        "наставляемые одного наставника похожи; смешанная модель строится, когда в каждой "
        "модели не меньше 5 наставников. ICC — доля разброса приростов, приходящаяся на "
        "различия между наставниками. Мощность — для t-критерия с объединённой дисперсией "
        "при нынешнем числе участников."
    )

st.header("Связь прироста с числом встреч")
dose = tables.dose
if dose.empty:
    st.info(
        "Связь прироста с числом встреч считать не из чего: нет участников с оценками «до» "
        "и «после» и записями журнала мероприятий за выбранный период."
    )
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
        for reading in shown["reading"]:
            st.markdown(f"- {reading}")
