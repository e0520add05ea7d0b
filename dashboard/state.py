"""Filters and the viewer's role, kept in session_state so they persist across pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.filters import Filters, school_year_label, school_years_in
from dashboard.ui import MODEL_LABELS
from reports.frames import Frames

ROLES = {
    "project_group": "Проектная группа",
    "administration": "Администрация школы",
    "department": "Управление образования",
}
ALL = "__all__"
DEFAULTS = {
    "filter_school_year": ALL,
    "filter_model": ALL,
    "filter_area": ALL,
    "filter_period": None,
    "viewer_role": "project_group",
}


def init_state() -> None:
    """Set every shared key once per session; AppTest may preset them before the run."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def can_edit() -> bool:
    """Only the project group edits data, weights and registers."""
    return st.session_state.get("viewer_role", "project_group") == "project_group"


def current_filters() -> Filters:
    year = st.session_state.get("filter_school_year", ALL)
    model = st.session_state.get("filter_model", ALL)
    area = st.session_state.get("filter_area", ALL)
    period = st.session_state.get("filter_period")
    start = end = None
    if isinstance(period, (list, tuple)) and len(period) == 2:
        start, end = period
    return Filters(
        school_year=None if year == ALL else int(year),
        model=None if model == ALL else model,
        area=None if area == ALL else area,
        period_start=start,
        period_end=end,
    )


def render_sidebar(frames: Frames) -> None:
    """Draw the shared filters and the role switch in the sidebar."""
    dates = pd.concat(
        [frames.activities["occurred_on"], frames.assessments["assessed_on"],
         frames.groups["started_on"]],
        ignore_index=True,
    )
    years = [ALL, *[str(y) for y in school_years_in(dates)]]
    if st.session_state.get("filter_school_year") not in years:
        st.session_state["filter_school_year"] = ALL
    areas = [ALL, *sorted(frames.assessments["area"].dropna().unique())]
    if st.session_state.get("filter_area") not in areas:
        st.session_state["filter_area"] = ALL
    with st.sidebar:
        st.selectbox(
            "Кто смотрит",
            list(ROLES),
            format_func=ROLES.get,
            key="viewer_role",
            help="Администрация и управление образования видят данные без элементов редактирования.",
        )
        st.subheader("Фильтры")
        st.selectbox(
            "Учебный год",
            years,
            format_func=lambda y: "все годы" if y == ALL else school_year_label(int(y)),
            key="filter_school_year",
        )
        st.selectbox(
            "Модель наставничества",
            [ALL, "digital", "traditional"],
            format_func=lambda m: "обе модели" if m == ALL else MODEL_LABELS[m],
            key="filter_model",
        )
        st.selectbox(
            "Область компетенций",
            areas,
            format_func=lambda a: "все области" if a == ALL else a,
            key="filter_area",
        )
        _period_input()


def _period_input() -> None:
    use_period = st.checkbox(
        "Задать период", value=st.session_state.get("filter_period") is not None,
        key="filter_use_period",
    )
    if not use_period:
        st.session_state["filter_period"] = None
        return
    default = st.session_state.get("filter_period") or (dt.date(2024, 9, 1), dt.date(2025, 7, 31))
    period = st.date_input("Период", value=default, format="DD.MM.YYYY", key="filter_period_widget")
    if isinstance(period, (list, tuple)) and len(period) == 2:
        st.session_state["filter_period"] = tuple(period)


# Streamlit drops a widget's state on pages that do not draw it, so the choice is kept here.
P_ADJUST_KEY = "prepost_p_adjust"


def p_adjust_toggle(widget_key: str) -> str:
    """Draw the Holm / Benjamini–Hochberg toggle and return the chosen method.

    «Компетенции: до и после» and «Цифровая и традиционная модели» share the
    choice, so both pages adjust their p-values across areas the same way.
    """
    st.session_state.setdefault(P_ADJUST_KEY, "holm")
    use_bh = st.toggle(
        "Поправка Бенджамини — Хохберга вместо поправки Холма",
        value=st.session_state[P_ADJUST_KEY] == "fdr_bh",
        key=widget_key,
        help="Поправка Холма строже: она ограничивает вероятность хотя бы одной ложной находки "
        "по всем областям. Поправка Бенджамини — Хохберга ограничивает долю ложных находок.",
    )
    st.session_state[P_ADJUST_KEY] = "fdr_bh" if use_bh else "holm"
    return st.session_state[P_ADJUST_KEY]
