"""«Показатели проекта»: the plan's eleven indicators by month, targets and the Kirkpatrick overview."""

import datetime as dt

import pandas as pd
import streamlit as st
from sqlmodel import Session

from analysis.indicators import school_year_months
from analysis.kirkpatrick import coverage_by_level
from dashboard import data, state
from dashboard.ui import MONTHS_NOMINATIVE
from db.errors import DataError
from db.registers import get_or_create_school, set_target
from reports.indicators import (
    CARRIED_FORWARD_NOTE,
    YearSettings,
    coverage_table,
    indicator_cards,
    indicator_table,
    infer_start_year,
    kirkpatrick_table,
    load_registers,
    month_label,
    month_status_tables,
    status_counts,
    style_statuses,
    targets_as_text,
    targets_changes,
    targets_from_text,
    targets_wide,
)

st.title("Показатели результативности проекта")
printable = st.toggle(
    "Версия для печати", key="indicators_print",
    help="Таблица по месяцам и пояснения без элементов редактирования; напечатайте страницу "
         "из браузера (Ctrl+P). Полный отчёт для управления образования — на странице «Отчёт».",
)

engine = data.engine()
frames = data.frames()
with Session(engine) as session:
    school = frames.participants["school"].dropna()
    school_id = get_or_create_school(session, str(school.iloc[0]) if len(school) else "Школа")
    session.commit()
registers = load_registers(engine, school_id)

with st.expander("Период и правила", expanded=False):
    cols = st.columns(3)
    start_year = cols[0].number_input(
        "Учебный год начинается в году", min_value=2000, max_value=2100, step=1,
        value=infer_start_year(frames, registers), key="indicators_start_year",
    )  # fmt: skip
    start_month = cols[1].selectbox(
        "Первый месяц", list(range(1, 13)), index=8,
        format_func=lambda m: MONTHS_NOMINATIVE[m - 1], key="indicators_start_month",
    )  # fmt: skip
    n_months = cols[2].number_input(
        "Месяцев в году", min_value=1, max_value=24, value=11, step=1, key="indicators_n_months"
    )
    min_resources = st.number_input(
        "Сколько ресурсов нужно, чтобы база считалась созданной", min_value=1, value=1,
        key="indicators_min_resources",
    )  # fmt: skip

settings = YearSettings(
    start_year=int(start_year), start_month=int(start_month), n_months=int(n_months),
    as_of=pd.Timestamp(dt.date.today()),
)  # fmt: skip
table = indicator_table(frames, registers, settings, min_resources=int(min_resources))
cards = indicator_cards(table)
counts = status_counts(cards)

st.caption(f"{settings.label}: значения на конец каждого месяца; будущие месяцы не считаются.")
metric_cols = st.columns(4)
metric_cols[0].metric(":green[✔] Выполнено", counts["met"])
metric_cols[1].metric(":red[✖] Отставание", counts["behind"])
metric_cols[2].metric("○ Цель не задана", counts["no_target"])
metric_cols[3].metric("– Нет данных", counts["no_data"])
st.write(
    f"На последний месяц учебного года, за который посчитано значение, {counts['met']} из 11 "
    "показателей не ниже цели, "
    f"{counts['behind']} отстают; для {counts['no_target']} цель не задана"
    + (f", для {counts['no_data']} нет значения." if counts["no_data"] else ".")
    + f" {CARRIED_FORWARD_NOTE}"
)
st.caption(
    "Статусы: «выполнено» — значение на конец месяца не ниже цели; «отставание» — ниже цели; "
    "«цель не задана» — на месяц нет цели, значение показано для справки; «нет данных» — цель "
    "есть, а значения нет: месяц ещё не закончился или нужные данные (например, анкеты "
    "удовлетворённости) ещё не собраны. В выгрузке `reports summary --json` этот статус "
    "записан как `no_data`."
)

cells, statuses = month_status_tables(table)
if printable:
    # A static table prints whole; the interactive grid prints only its visible part.
    st.html("<style>@media print { [data-testid='stSidebar'], header, "
            "[data-testid='stToolbar'] { display: none !important; } }</style>")
    st.subheader(f"Показатели по месяцам, {settings.label}")
    st.table(style_statuses(cells, statuses))
    st.caption("✔ выполнено, ✖ отставание, ○ цель не задана, – нет данных; в скобках — цель месяца.")
    st.subheader("Как считается каждый показатель")
    for title, rule in zip(cards["Показатель"], cards["Как считается"], strict=True):
        st.markdown(f"- **{title}** — {rule}")
    st.subheader("Что означают последние значения")
    for reading_text in cards["reading"]:
        st.markdown(f"- {reading_text}")
    st.stop()

st.dataframe(
    cards.drop(columns=["reading", "indicator", "status"]),
    hide_index=True,
    width="stretch",
    column_config={
        "Динамика": st.column_config.LineChartColumn("Динамика по месяцам", width="small"),
        "Как считается": st.column_config.TextColumn(width="large"),
    },
    key="indicator_cards",
)

st.subheader("Что означают значения")
for reading, status in zip(cards["reading"], cards["status"], strict=True):
    if status == "behind":
        st.warning(reading)
    elif status == "met":
        st.success(reading)
    else:
        st.info(reading)

st.subheader("По месяцам")
st.dataframe(style_statuses(cells, statuses), width="stretch", key="indicator_months",
             height=36 * (len(cells) + 1) + 3)
st.caption("В каждой клетке — значение на конец месяца и цель этого месяца; значок и цвет "
           "повторяют статус: ✔ выполнено, ✖ отставание, ○ цель не задана, – нет данных.")

st.subheader("Целевые значения")
months = [str(month) for month in school_year_months(settings.start_year, settings.start_month,
                                                       settings.n_months)]  # fmt: skip
wide = targets_wide(registers.targets, months)
if "targets_message" in st.session_state:
    st.success(st.session_state.pop("targets_message"))
if state.can_edit():
    st.caption("Введите цель в ячейку месяца; пустая ячейка — цели нет. Доли — в процентах, наличие — 1.")
    edited = st.data_editor(
        targets_as_text(wide), width="stretch", key="targets_editor",
        column_config={month: st.column_config.TextColumn(month_label(month)) for month in months},
    )
    if st.button("Сохранить цели", key="save_targets"):
        try:
            changes = targets_changes(wide, targets_from_text(edited))
            with Session(engine) as session:
                for indicator, month, target in changes:
                    set_target(session, school_id, indicator, month, target)
                session.commit()
        except ValueError as error:
            st.error(f"Цели не сохранены. {error}")
        except DataError as error:
            st.error(f"Цели не сохранены: {error}")
        else:
            # Drop the editor's diff so the saved cells are not applied again.
            st.session_state.pop("targets_editor", None)
            st.session_state["targets_message"] = f"Сохранено изменений: {len(changes)}."
            data.refresh()
            st.rerun()
else:
    st.caption("Цели задаёт проектная группа; пустая клетка — цели нет.")
    st.dataframe(targets_as_text(wide).rename(columns=month_label), width="stretch")

st.subheader("Оценка по модели Киркпатрика и этапам целевой модели наставничества")
overview = kirkpatrick_table(frames, registers)
coverage = coverage_by_level(overview)
st.write(
    f"Данными обеспечены {int(overview['measured'].sum())} из {len(overview)} показателей и "
    "анализов. Этап «качество процесса» показывает, как идёт программа, этап «рост "
    "участников» — что она дала педагогам."
)
st.dataframe(
    overview[["level_label", "stage_label", "title", "measures", "measured", "missing"]].rename(
        columns={
            "level_label": "Уровень", "stage_label": "Этап оценки", "title": "Показатель или анализ",
            "measures": "Что измеряется", "measured": "Измеряется", "missing": "Чего не хватает",
        }
    ),
    hide_index=True,
    width="stretch",
    key="kirkpatrick_table",
)  # fmt: skip
st.write("Сколько показателей и анализов каждого уровня и этапа уже обеспечены данными:")
st.dataframe(coverage_table(coverage), width="stretch", key="kirkpatrick_coverage")
missing = overview.loc[~overview["measured"].astype(bool)]
if not missing.empty:
    st.warning("Пока не измеряется: " + "; ".join(
        f"{row.title} ({row.level_label.lower()}) — {row.missing}" for row in missing.itertuples(index=False)
    ) + ".")
