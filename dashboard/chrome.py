"""What every page shows around its content: the sidebar and the demo-data notice."""

from __future__ import annotations

import streamlit as st

from dashboard import data, state
from db import demo


def render_frame() -> None:
    state.init_state()
    frames = data.frames()
    state.render_sidebar(frames)
    if data.demo_loaded():
        _demo_notice()


def _demo_notice() -> None:
    with st.container(border=True):
        st.warning(
            "Показаны **демонстрационные данные**: вымышленная школа и вымышленные педагоги. "
            "Загрузите свои файлы на странице «Данные» и удалите демонстрацию.",
            icon="ℹ️",
        )
        if state.can_edit() and st.button("Удалить демонстрационные данные", key="remove_demo"):
            demo.remove_demo(data.engine())
            data.refresh()
            st.rerun()
