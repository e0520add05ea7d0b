"""What every page shows around its content: the sidebar and the demo-data notice."""

from __future__ import annotations

import streamlit as st

from dashboard import data, state, ui
from db import demo
from db.errors import DataError


def render_frame() -> None:
    ui.use_russian_chart_format()
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
            icon=":material/info:",
        )
        if not state.can_edit():
            return
        with st.popover("Удалить демонстрационные данные"):
            st.write(
                "Будут удалены все демонстрационные участники, группы, оценки, мероприятия, "
                "ответы и записи реестров. Ваши собственные загрузки останутся."
            )
            if st.button("Да, удалить", key="remove_demo", type="primary"):
                try:
                    demo.remove_demo(data.engine())
                except DataError as error:
                    st.error(str(error))
                    return
                data.refresh()
                st.rerun()
