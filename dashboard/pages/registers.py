"""«Реестры»: resource bases, documents, road map, confirmations and targets; edit, import, export."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from dashboard import data, state
from db.errors import DataError
from db.registers import (
    REGISTERS,
    RegisterValidationError,
    get_or_create_school,
    import_register_table,
    read_template_bytes,
    register_frame,
    save_edited_frame,
)
from reports.registers import choice_columns, export_registers, from_editor, to_editor

st.title("Реестры проекта")
st.caption(
    "Из реестров считаются показатели наличия (модель, базы ресурсов, платформа, интерфейс) "
    "и доли утверждённой документации на странице «Показатели проекта». Правила подсчёта "
    "приведены там же."
)

if "registers_message" in st.session_state:
    st.success(st.session_state.pop("registers_message"))

engine = data.engine()
frames = data.frames()
with Session(engine) as session:
    school_name = (
        frames.participants["school"].dropna().iloc[0]
        if not frames.participants.empty
        else "Школа"
    )
    school_id = get_or_create_school(session, str(school_name))
    session.commit()

TAB_REGISTERS = ["resources", "documents", "roadmap", "confirmations", "targets"]
tabs = st.tabs([REGISTERS[name].title for name in TAB_REGISTERS])
current = {name: register_frame(engine, name, school_id) for name in TAB_REGISTERS}


def _column_config(register: str) -> dict:
    config = {"id": None}
    for label, options in choice_columns(register).items():
        config[label] = st.column_config.SelectboxColumn(label, options=options, required=True)
    for column in REGISTERS[register].columns:
        if column.parse == "date":
            config[column.label] = st.column_config.DateColumn(column.label, format="DD.MM.YYYY")
        elif column.parse == "required":
            config[column.label] = st.column_config.CheckboxColumn(column.label)
        elif column.key == "url":
            config[column.label] = st.column_config.LinkColumn(column.label)
    return config


def _save(register: str, edited: pd.DataFrame) -> None:
    try:
        with Session(engine) as session:
            counts = save_edited_frame(session, register, school_id, from_editor(register, edited))
            session.commit()
    except RegisterValidationError as error:
        st.error("Изменения не сохранены:\n\n" + "\n\n".join(error.messages))
        return
    _finish(
        register,
        f"Сохранено: добавлено {counts['added']}, изменено {counts['updated']}, "
        f"удалено {counts['deleted']}.",
    )


def _import(register: str, upload) -> None:
    try:
        table = read_template_bytes(upload.getvalue(), upload.name)
        with Session(engine) as session:
            added = import_register_table(session, register, school_id, table)
            session.commit()
    except RegisterValidationError as error:
        st.error(f"Файл {upload.name} не загружен:\n\n" + "\n\n".join(error.messages))
        return
    except (DataError, ValueError) as error:
        st.error(f"Файл {upload.name} не загружен: {error}")
        return
    _finish(register, f"Из файла {upload.name} загружено записей: {added}.")


def _finish(register: str, message: str) -> None:
    # The editor keeps its edits as a diff against the table it was given. Drop
    # them, because the next run would otherwise apply the saved rows again.
    st.session_state.pop(f"editor_{register}", None)
    st.session_state["registers_message"] = message
    data.refresh()
    st.rerun()


for tab, register in zip(tabs, TAB_REGISTERS, strict=True):
    with tab:
        spec = REGISTERS[register]
        view = to_editor(register, current[register])
        st.write(f"Записей: {len(view)}.")
        if state.can_edit():
            edited = st.data_editor(
                view,
                num_rows="dynamic",
                column_config=_column_config(register),
                hide_index=True,
                width="stretch",
                key=f"editor_{register}",
            )
            if st.button("Сохранить изменения", key=f"save_{register}"):
                _save(register, edited)
            upload = st.file_uploader(
                f"Загрузить шаблон «{spec.title}» (XLSX или CSV)",
                type=["xlsx", "csv"],
                key=f"upload_{register}",
                help="Столбцы: " + ", ".join(column.label for column in spec.columns),
            )
            if upload is not None and st.button("Загрузить файл", key=f"import_{register}"):
                _import(register, upload)
        else:
            st.dataframe(view.drop(columns="id"), hide_index=True, width="stretch")

st.download_button(
    "Скачать все реестры (XLSX)",
    data=export_registers(current),
    file_name="реестры.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export_registers",
)
