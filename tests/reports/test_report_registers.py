"""Tests of the Russian register views, export round trip, target edits and the JSON rows."""

import io

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from sqlmodel import Session

from db.registers import get_or_create_school, import_register_table, register_frame
from reports.frames import load_frames
from reports.indicators import (
    indicators_summary,
    load_registers,
    targets_changes,
    targets_wide,
)
from reports.registers import export_registers, from_editor, to_editor


def test_editor_round_trip_keeps_keys(seeded_engine):
    frame = register_frame(seeded_engine, "documents")
    view = to_editor("documents", frame)
    assert "Вид" in view.columns
    assert set(view["Статус"]) == {"утверждён", "проект"}
    back = from_editor("documents", view)
    assert back["kind"].tolist() == frame["kind"].tolist()
    assert back["status"].tolist() == frame["status"].tolist()


def test_export_can_be_imported_again(seeded_engine, tmp_path):
    registers = {name: register_frame(seeded_engine, name) for name in ("resources", "roadmap")}
    data = export_registers(registers)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ресурсы", "Дорожная карта"]
    assert book["Ресурсы"]["G2"].value == "14.10.2024"
    exported = pd.read_excel(io.BytesIO(data), sheet_name="Ресурсы", dtype=object)
    with Session(seeded_engine) as session:
        school_id = get_or_create_school(session, "Другая школа")
        added = import_register_table(session, "resources", school_id, exported)
        session.commit()
    assert added == 13
    again = register_frame(seeded_engine, "resources", school_id)
    assert again["title"].tolist() == registers["resources"]["title"].tolist()
    assert again["added_on"].tolist() == registers["resources"]["added_on"].tolist()


def test_targets_wide_and_changes():
    targets = pd.DataFrame(
        {"indicator": ["platform", "model_described"], "month": ["2024-10", "2024-11"],
         "target": [1.0, 1.0]}  # fmt: skip
    )
    wide = targets_wide(targets, ["2024-10", "2024-11"])
    assert wide.shape == (11, 2)
    assert wide.loc["Наличие платформы", "2024-10"] == 1.0
    assert np.isnan(wide.loc["Наличие платформы", "2024-11"])
    edited = wide.copy()
    edited.loc["Наличие платформы", "2024-11"] = 1.0
    edited.loc["Наличие модели цифрового наставничества", "2024-11"] = np.nan
    assert targets_changes(wide, edited) == [
        ("model_described", "2024-11", None),
        ("platform", "2024-11", 1.0),
    ]


def test_indicators_summary_rows(seeded_engine):
    rows = indicators_summary(load_frames(seeded_engine), seeded_engine)
    assert len(rows) == 11 * 11
    assert rows[0]["month"] == "2024-09"
    by_key = {(row["month"], row["indicator"]): row for row in rows}
    platform = by_key[("2024-10", "platform")]
    assert platform == {"month": "2024-10", "indicator": "platform", "value": 1.0,
                        "target": 1.0, "status": "met"}  # fmt: skip
    # 4 of 5 required normative documents approved by December: 80 %, target 80 %.
    normative = by_key[("2024-12", "normative_documents_percent")]
    assert normative["value"] == 80.0
    assert normative["status"] == "met"
    # 24 mentees and 8 mentors registered, 3 days apart from 5 September 2024.
    assert by_key[("2025-07", "registered_participants_cumulative")]["value"] == 32.0


def test_load_registers_empty_school(seeded_engine):
    with Session(seeded_engine) as session:
        school_id = get_or_create_school(session, "Пустая школа")
        session.commit()
    registers = load_registers(seeded_engine, school_id)
    assert sum(registers.counts().values()) == 0
