"""«Данные»: upload files, preview what was detected, import, and review past imports."""

import streamlit as st

from dashboard import data, import_views, state
from db.errors import DatabaseBusyError, DataError, ImportValidationError
from db.import_log import import_log, row_outcomes
from db.importing.load import import_file
from db.importing.preview import preview_file
from db.importing.undo import undo_import

st.title("Данные")

engine = data.engine()

if not state.can_edit():
    st.info("Загружать и отменять загрузки может только проектная группа.")
else:
    st.subheader("Загрузка файлов")
    uploads = st.file_uploader(
        "Файлы CSV или XLSX: шаблоны, выгрузки Google Форм, Яндекс Форм, Microsoft Forms",
        type=["csv", "xlsx"],
        accept_multiple_files=True,
        key="upload_files",
    )
    skip_invalid = st.checkbox(
        "Пропустить ошибочные строки (остальные будут загружены)",
        key="upload_skip_invalid",
        help="Без этой отметки файл с хотя бы одной ошибочной строкой не загружается совсем.",
    )
    for upload in uploads or []:
        content = upload.getvalue()
        with st.container(border=True):
            st.markdown(f"#### {upload.name}")
            try:
                preview = preview_file(content, upload.name, engine=engine)
            except ImportValidationError as error:
                st.error(error.message)
                continue
            import_views.render_preview(preview)
            if st.button("Загрузить", key=f"import_{upload.name}", type="primary"):
                progress = st.progress(0.0, text="Загрузка…")

                def show_progress(done: int, total: int) -> None:
                    progress.progress(min(done / max(total, 1), 1.0), text=f"Записано строк: {done} из {total}")

                try:
                    report = import_file(
                        content, upload.name, engine=engine, skip_invalid=skip_invalid,
                        progress=show_progress,
                    )
                except DatabaseBusyError as error:
                    st.error(str(error))
                except ImportValidationError as error:
                    st.error(error.message)
                else:
                    progress.progress(1.0, text="Готово")
                    data.refresh()
                    import_views.render_report(report)

st.subheader("Журнал загрузок")
log = import_log(engine)
import_views.render_log(log)
if not log.empty:
    chosen = st.selectbox(
        "Подробности загрузки №", log["import_id"].tolist(), key="log_import_id",
        format_func=lambda i: f"{i}: {log.loc[log['import_id'] == i, 'file_name'].iloc[0]}",
    )
    import_views.render_outcomes(row_outcomes(engine, int(chosen)))
    status = log.loc[log["import_id"] == chosen, "status"].iloc[0]
    if state.can_edit() and status == "imported":
        if st.button("Отменить эту загрузку", key="undo_import"):
            try:
                deleted = undo_import(int(chosen), engine=engine)
            except DataError as error:
                st.error(str(error))
            else:
                data.refresh()
                st.success(f"Загрузка №{chosen} отменена, удалено записей: {sum(deleted.values())}.")

st.subheader("Шаблоны")
import_views.render_templates()
