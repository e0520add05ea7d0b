"""Russian views of the registers for editing and export, and back to stored keys.

The «Реестры» page edits a register with Russian column headers and values
(«внутренняя», «утверждён»). ``from_editor`` turns the edited table back into
the keys that ``db.registers.save_edited_frame`` stores.
"""

from __future__ import annotations

import pandas as pd

from db.registers import INDICATOR_LABELS, REGISTERS
from reports.xlsx_report import write_sheets

VALUE_LABELS = {
    "base": {"internal": "внутренняя", "external": "внешняя"},
    "kind": {"normative": "нормативный", "methodological": "методический"},
    "document_status": {"draft": "проект", "approved": "утверждён"},
    "stage_status": {"planned": "запланирован", "in_progress": "выполняется", "done": "выполнен"},
    "indicator": INDICATOR_LABELS,
}


def column_labels(register: str) -> dict[str, str]:
    """Map each template key of the register to its Russian header."""
    return {column.key: column.label for column in REGISTERS[register].columns}


def choice_columns(register: str) -> dict[str, list[str]]:
    """Russian headers of the coded columns and their allowed Russian values."""
    return {
        column.label: list(VALUE_LABELS[column.parse].values())
        for column in REGISTERS[register].columns
        if column.parse in VALUE_LABELS
    }


def to_editor(register: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the register with Russian headers and values; ``id`` stays as the first column."""
    view = frame.copy()
    for column in REGISTERS[register].columns:
        if column.parse in VALUE_LABELS:
            view[column.key] = view[column.key].map(VALUE_LABELS[column.parse])
        elif column.parse == "required":
            view[column.key] = view[column.key].astype(bool)
    return view.rename(columns=column_labels(register))


def from_editor(register: str, view: pd.DataFrame) -> pd.DataFrame:
    """Turn an edited Russian view back into stored keys (unknown values stay as typed)."""
    frame = view.rename(columns={label: key for key, label in column_labels(register).items()})
    for column in REGISTERS[register].columns:
        if column.parse in VALUE_LABELS and column.key in frame:
            reverse = {label: key for key, label in VALUE_LABELS[column.parse].items()}
            frame[column.key] = frame[column.key].map(lambda value, r=reverse: r.get(value, value))
    return frame


def export_registers(registers: dict[str, pd.DataFrame]) -> bytes:
    """Write the registers into one XLSX workbook, a sheet each, in the import template's form.

    The headers are the template labels, so an exported file can be imported again.
    """
    sheets = {}
    for register, frame in registers.items():
        view = to_editor(register, frame).drop(columns="id")
        for column in REGISTERS[register].columns:
            label = column.label
            if column.parse == "date":
                view[label] = pd.to_datetime(view[label]).dt.strftime("%d.%m.%Y")
            elif column.parse == "required":
                view[label] = view[label].map({True: "да", False: "нет"})
        sheets[REGISTERS[register].title] = view
    return write_sheets(sheets)
