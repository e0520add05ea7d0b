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
    "Участники в отчёте обозначены кодами; ФИО — только во внутренней версии по запросу."
)

internal = False
if state.can_edit():
    internal = st.checkbox(
        "Показать ФИО рядом с кодами (только для внутреннего пользования школы)",
        key="report_internal",
    )
if internal:
    st.warning("Внутренняя версия: в файле будут ФИО участников. Не передавайте её за пределы школы.")

# Built files by (format, internal), so switching the names option never offers a stale file.
built: dict = st.session_state.setdefault("report_files", {})
progress_slot = st.empty()
for fmt, column in zip(FORMATS, st.columns(len(FORMATS)), strict=True):
    with column, st.container(border=True):
        st.markdown(f"**{FORMAT_LABELS[fmt]}**")
        if st.button("Сформировать", key=f"build_report_{fmt}", icon=":material/build:"):
            bar = progress_slot.progress(0.0, text=f"{FORMAT_LABELS[fmt]}: подготовка")
            built[(fmt, internal)] = build_report(
                fmt,
                data.engine(),
                internal=internal,
                progress=lambda fraction, text, fmt=fmt: bar.progress(
                    fraction, text=f"{FORMAT_LABELS[fmt]}: {text}"
                ),
            )
        payload = built.get((fmt, internal))
        if payload is None:
            st.caption("Ещё не сформирован.")
            continue
        st.caption(f"Готов, {len(payload) // 1024} КБ.")
        suffix = "_внутренний" if internal else ""
        st.download_button(
            "Скачать",
            data=payload,
            file_name=f"отчёт_наставничество{suffix}.{fmt}",
            mime=MEDIA_TYPES[fmt],
            key=f"download_report_{fmt}",
            icon=":material/download:",
        )
