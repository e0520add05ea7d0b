"""Tests of `python -m reports build` and of the plain readings of indicator rows."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document

from reports.indicators import (
    display_table,
    format_value,
    latest_by_indicator,
    load_registers,
    reading,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_build_cli_writes_docx(seeded_engine, tmp_path):
    out = tmp_path / "отчёт.docx"
    env = {"DATABASE_URL": str(seeded_engine.url), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "reports", "build", "--format", "docx", "--out", str(out)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Отчёт записан" in result.stdout
    assert Document(str(out)).tables


def test_build_cli_internal_shows_names(seeded_engine, tmp_path):
    out = tmp_path / "report.xlsx"
    env = {"DATABASE_URL": str(seeded_engine.url), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "reports", "build", "--format", "xlsx", "--out", str(out),
         "--internal"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    people = pd.read_excel(out, sheet_name="Участники")
    assert people.loc[0, "ФИО"] == "Участник Тестовый 1"


def test_build_cli_missing_folder_exit_2(tmp_path):
    out = tmp_path / "нет" / "report.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "reports", "build", "--format", "pdf", "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "не существует" in result.stderr


def test_load_registers_from_samples(seeded_engine):
    registers = load_registers(seeded_engine)
    assert registers.counts() == {
        "resources": 13, "documents": 10, "roadmap": 6, "targets": 93, "confirmations": 2,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        ("platform", 1.0, "да"),
        ("platform", 0.0, "нет"),
        ("normative_documents_percent", 200 / 3, "66,7 %"),
        ("registered_participants_cumulative", 32.0, "32 чел."),
        ("mentor_satisfaction_percent", np.nan, "нет данных"),
    ],
)
def test_format_value_cases(indicator, value, expected):
    assert format_value(indicator, value) == expected


def _row(**values):
    base = {"month": "2025-05", "indicator": "mentee_satisfaction_percent", "value": 76.25,
            "target": 80.0, "status": "behind", "n": 3.0, "evidence": "",
            "note": "мало ответов (3): значение неустойчиво"}  # fmt: skip
    base.update(values)
    return pd.Series(base)


def test_reading_behind_with_note():
    assert reading(_row()) == (
        "Удовлетворённость наставляемых, %: 76,2 % на конец месяца «май 2025» при цели "
        "80,0 % — цель пока не достигнута. Внимание: мало ответов (3): значение неустойчиво."
    )


def test_reading_no_data():
    text = reading(_row(value=np.nan, status="no_data", note="анкет пока нет"))
    assert text == "Удовлетворённость наставляемых, %: за май 2025 значения нет (анкет пока нет)."


def test_latest_by_indicator_skips_empty_months():
    table = pd.DataFrame([
        _row(month="2025-05", value=70.0, status="behind", note="").to_dict(),
        _row(month="2025-06", value=np.nan, status="no_data", note="месяц ещё не наступил").to_dict(),
    ])  # fmt: skip
    latest = latest_by_indicator(table[table["indicator"] == "mentee_satisfaction_percent"].pipe(
        lambda t: pd.concat([t, _other_indicators()], ignore_index=True)))
    row = latest[latest["indicator"] == "mentee_satisfaction_percent"].iloc[0]
    assert row["month"] == "2025-05"
    assert row["value"] == 70.0


def _other_indicators():
    from analysis.indicators import INDICATORS

    rows = [_row(indicator=key, value=1.0, status="no_target", target=np.nan, note="").to_dict()
            for key in INDICATORS if key != "mentee_satisfaction_percent"]  # fmt: skip
    return pd.DataFrame(rows)


def test_display_table_never_nan():
    table = pd.concat([_row(value=np.nan, status="no_data").to_frame().T, _other_indicators()])
    wide = display_table(table.reset_index(drop=True))
    assert wide.shape == (11, 2)
    assert not wide.isna().any().any()
    assert "—" in wide.iloc[8, 1]
