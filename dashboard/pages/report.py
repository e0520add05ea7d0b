"""«Отчёт»: build the report for the education department and download it."""

import streamlit as st

from dashboard import data, state
from reports.build import FORMATS, MEDIA_TYPES, build_report

FORMAT_LABELS = {"docx": "Word (DOCX)", "pdf": "PDF", "xlsx": "Excel (XLSX, таблицы)"}

st.title("Отчёт для управления образования")
st.write(
    "Отчёт содержит титульный лист, оглавление, краткие выводы по эффективности, "
    "вовлечённости, удовлетворённости и рейтингу, таблицу показателей проекта с графиками, "
    "дорожную карту и реестры, оценку по модели Киркпатрика, методы и приложения. "
    "Участники в отчёте обозначены кодами."
)

fmt = st.radio("Формат", FORMATS, format_func=FORMAT_LABELS.get, horizontal=True, key="report_format")
internal = False
if state.can_edit():
    internal = st.checkbox(
        "Показать ФИО рядом с кодами (только для внутреннего пользования школы)",
        key="report_internal",
    )

if st.button("Сформировать отчёт", type="primary", key="build_report"):
    bar = st.progress(0.0, text="Подготовка")
    st.session_state["report_file"] = (
        fmt,
        internal,
        build_report(
            fmt,
            data.engine(),
            internal=internal,
            progress=lambda fraction, text: bar.progress(fraction, text=text),
        ),
    )

built = st.session_state.get("report_file")
if built is not None:
    built_fmt, built_internal, payload = built
    st.success(f"Отчёт готов: {FORMAT_LABELS[built_fmt]}, {len(payload) // 1024} КБ.")
    if built_internal:
        st.warning("В файле есть ФИО участников: не передавайте его за пределы школы.")
    st.download_button(
        f"Скачать {FORMAT_LABELS[built_fmt]}",
        data=payload,
        file_name=f"отчёт_наставничество.{built_fmt}",
        mime=MEDIA_TYPES[built_fmt],
        key="download_report",
    )
