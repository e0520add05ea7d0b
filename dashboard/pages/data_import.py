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
# Set when an import ran in this script run, so the log below shows the newest import.
imported_now = False
UNDO_MESSAGE_KEY = "undo_message"


def run_import(upload, label: str, options: dict, skip_invalid: bool) -> bool:
    """Import one uploaded file with what the user confirmed in its preview, and show the report.

    Returns True when the import ran and wrote its entry to the import log
    (applied or rejected), False when it failed before that.
    """
    progress = st.progress(0.0, text=f"{label}: загрузка…")

    def show_progress(done: int, total: int) -> None:
        progress.progress(min(done / max(total, 1), 1.0), text=f"{label}: записано строк {done} из {total}")

    try:
        report = import_file(upload.getvalue(), upload.name, engine=engine, skip_invalid=skip_invalid,
                             progress=show_progress, **options)
    except DatabaseBusyError as error:
        st.error(str(error))
        return False
    except ImportValidationError as error:
        st.error(error.message)
        return False
    progress.progress(1.0, text=f"{label}: готово")
    data.refresh()
    import_views.render_report(report)
    return True


def render_undo(import_id: int, file_name: str) -> None:
    """Offer to undo import `import_id`. The undo runs only when the confirmation box of this id is ticked."""
    # The id is part of the key, so a tick given for one import never confirms another.
    confirmed = st.checkbox(f"Да, отменить загрузку №{import_id} («{file_name}»)",
                            key=f"undo_confirm_{import_id}")
    if not st.button("Отменить эту загрузку", key="undo_import"):
        return
    if not confirmed:
        st.warning(f"Загрузка №{import_id} («{file_name}») не отменена: отметьте «Да, отменить "
                   f"загрузку №{import_id}» и нажмите кнопку снова.")
        return
    try:
        deleted = undo_import(import_id, engine=engine)
    except DataError as error:
        st.error(str(error))
    else:
        data.refresh()
        # The log above was drawn before the undo; a rerun shows the new status, and the
        # message waits in the session state for that run.
        st.session_state[UNDO_MESSAGE_KEY] = (f"Загрузка №{import_id} («{file_name}») отменена, "
                                              f"удалено записей: {sum(deleted.values())}.")
        st.rerun()


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
    uploads = uploads or []
    labels = import_views.upload_labels([upload.name for upload in uploads])
    # Widget keys are built from the label, because two uploads may share a file name.
    # A label now given to another upload loses its widget state before any widget is drawn.
    import_controls.reset_reassigned_labels(uploads, labels)
    ready = []  # (rank in dependency order, upload, label, import options)
    for upload, label in zip(uploads, labels, strict=True):
        with st.container(border=True):
            st.markdown(f"#### {label}")
            reading = import_controls.reading_options(label)
            choice = import_controls.template_choice(label)
            try:
                preview = preview_file(
                    upload.getvalue(), upload.name, engine=engine,
                    questionnaire=st.session_state.get(f"questionnaire_{label}"),
                    **reading, **choice)
            except ImportValidationError as error:
                st.error(error.message)
                continue
            import_controls.render_pickers(preview, label)
            accept_repaired = import_controls.render_mojibake(preview, label)
            import_views.render_preview(preview)
            options = {**reading, "accept_repaired": accept_repaired}
            if preview.totals_note:
                # Totals per person cannot become activity rows: offer no import at all.
                st.info(preview.totals_note)
                continue
            # A detected form shows no kind choice. A file of unrecognised kind keeps the choice
            # after "form" is picked, so the user can change it back.
            if preview.kind != "form" or choice["kind"] == "form":
                options["kind"] = import_controls.render_template_mapping(preview, label, editable)
                if options["kind"] is None:
                    continue
            if preview.kind != "form":
                chosen = import_controls.template_choice(label)
                options.update(mapping=chosen["mapping"], defaults=chosen["defaults"])
            if preview.kind == "form":
                roles, questionnaire = import_controls.render_form_mapping(
                    engine, preview, label, editable)
                options.update(kind="form", mapping=roles, questionnaire=questionnaire)
                anonymous_ok = import_controls.render_anonymous(roles, label)
                options["anonymous"] = anonymous_ok and not has_respondent_column(roles)
            else:
                anonymous_ok = True
            rank = KIND_ORDER.index(preview.kind) if preview.kind in KIND_ORDER else len(KIND_ORDER)
            if anonymous_ok:
                ready.append((rank, upload, label, options))
            if st.button("Загрузить", key=f"import_{label}", type="primary",
                         disabled=preview.mojibake == "unrepairable" or not anonymous_ok):
                imported_now |= run_import(upload, label, options, skip_invalid)
    if len(ready) > 1:
        st.caption("Файлы загружаются в порядке зависимостей: участники, пары и группы, оценки, "
                   "мероприятия, ответы. Коды из файлов, загруженных раньше, уже известны следующим; "
                   "каждый файл загружается отдельно и целиком.")
        if st.button("Загрузить все файлы", key="import_all", type="primary"):
            for _rank, upload, label, options in sorted(ready, key=lambda item: item[0]):
                imported_now |= run_import(upload, label, options, skip_invalid)

st.subheader("Повторные ответы на анкеты")
import_controls.render_duplicate_rule(engine, editable)

st.subheader("Проверка респондентов")
if import_controls.render_reviews(engine, editable):
    data.refresh()

st.subheader("Журнал загрузок")
if UNDO_MESSAGE_KEY in st.session_state:
    st.success(st.session_state.pop(UNDO_MESSAGE_KEY))
log = import_log(engine)
import_views.render_log(log)
if not log.empty:
    if imported_now:
        # Point the details and the undo at the import just made, not at the one picked before it.
        st.session_state["log_import_id"] = int(log["import_id"].iloc[0])
    chosen = st.selectbox(
        "Подробности загрузки №", log["import_id"].tolist(), key="log_import_id",
        format_func=lambda i: f"{i}: {log.loc[log['import_id'] == i, 'file_name'].iloc[0]}",
    )
    chosen_row = log.loc[log["import_id"] == chosen].iloc[0]
    import_views.render_outcomes(row_outcomes(engine, int(chosen)), chosen_row["status"])
    if editable and chosen_row["status"] == "imported":
        render_undo(int(chosen), chosen_row["file_name"])

st.subheader("Шаблоны")
import_views.render_templates()
