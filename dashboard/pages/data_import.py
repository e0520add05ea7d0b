"""«Данные»: upload files, preview what was detected, import, review respondents and past imports."""

import streamlit as st

from dashboard import data, import_controls, import_views, state
from db.errors import DatabaseBusyError, DataError, ImportValidationError
from db.import_log import import_log, row_outcomes
from db.importing.forms import has_respondent_column
from db.importing.load import import_file
from db.importing.preview import preview_file
from db.importing.templates import KIND_ORDER
from db.importing.undo import undo_import

st.title("Данные")

engine = data.engine()
editable = state.can_edit()


def run_import(upload, options: dict, skip_invalid: bool) -> None:
    """Import one uploaded file with what the user confirmed in its preview, and show the report."""
    progress = st.progress(0.0, text=f"{upload.name}: загрузка…")

    def show_progress(done: int, total: int) -> None:
        progress.progress(min(done / max(total, 1), 1.0), text=f"{upload.name}: записано строк {done} из {total}")

    try:
        report = import_file(upload.getvalue(), upload.name, engine=engine, skip_invalid=skip_invalid,
                             progress=show_progress, **options)
    except DatabaseBusyError as error:
        st.error(str(error))
    except ImportValidationError as error:
        st.error(error.message)
    else:
        progress.progress(1.0, text=f"{upload.name}: готово")
        data.refresh()
        import_views.render_report(report)


if not editable:
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
    ready = []  # (rank in dependency order, upload, import options)
    for upload in uploads or []:
        with st.container(border=True):
            st.markdown(f"#### {upload.name}")
            reading = import_controls.reading_options(upload.name)
            choice = import_controls.template_choice(upload.name)
            try:
                preview = preview_file(
                    upload.getvalue(), upload.name, engine=engine,
                    questionnaire=st.session_state.get(f"questionnaire_{upload.name}"),
                    **reading, **choice)
            except ImportValidationError as error:
                st.error(error.message)
                continue
            import_controls.render_pickers(preview, upload.name)
            accept_repaired = import_controls.render_mojibake(preview, upload.name)
            import_views.render_preview(preview)
            options = {**reading, "accept_repaired": accept_repaired}
            if preview.totals_note:
                # Totals per person cannot become activity rows: offer no import at all.
                st.info(preview.totals_note)
                continue
            if preview.kind != "form":
                options["kind"] = import_controls.render_template_mapping(preview, upload.name, editable)
                if options["kind"] is None:
                    continue
                chosen = import_controls.template_choice(upload.name)
                options.update(mapping=chosen["mapping"], defaults=chosen["defaults"])
            if preview.kind == "form":
                roles, questionnaire = import_controls.render_form_mapping(
                    engine, preview, upload.name, editable)
                options.update(mapping=roles, questionnaire=questionnaire)
                anonymous_ok = import_controls.render_anonymous(roles, upload.name)
                options["anonymous"] = anonymous_ok and not has_respondent_column(roles)
            else:
                anonymous_ok = True
            rank = KIND_ORDER.index(preview.kind) if preview.kind in KIND_ORDER else len(KIND_ORDER)
            if anonymous_ok:
                ready.append((rank, upload, options))
            if st.button("Загрузить", key=f"import_{upload.name}", type="primary",
                         disabled=preview.mojibake == "unrepairable" or not anonymous_ok):
                run_import(upload, options, skip_invalid)
    if len(ready) > 1:
        st.caption("Файлы загружаются в порядке зависимостей: участники, пары и группы, оценки, "
                   "мероприятия, ответы. Коды из файлов, загруженных раньше, уже известны следующим; "
                   "каждый файл загружается отдельно и целиком.")
        if st.button("Загрузить все файлы", key="import_all", type="primary"):
            for _rank, upload, options in sorted(ready, key=lambda item: item[0]):
                run_import(upload, options, skip_invalid)

st.subheader("Повторные ответы на анкеты")
import_controls.render_duplicate_rule(engine, editable)

st.subheader("Проверка респондентов")
if import_controls.render_reviews(engine, editable):
    data.refresh()

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
    if editable and status == "imported":
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
