"""The plan's indicators, the registers and the Kirkpatrick overview, as the app and report show them.

Reads the register tables through ``db.registers``, computes with
``analysis.indicators`` and ``analysis.kirkpatrick``, and adds the Russian
readings that every displayed number needs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from analysis.filters import school_year_label, school_year_of
from analysis.indicators import (
    INDICATOR_SPECS,
    compute_indicators,
    indicator_json_rows,
    school_year_months,
)
from analysis.kirkpatrick import (
    FEDERAL_STAGE_LABELS,
    LEVEL_LABELS,
    kirkpatrick_overview,
)
from analysis.plain_language import format_number
from db.engine import get_engine
from reports.frames import Frames, RegisterFrames, load_frames, load_registers

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    "met": "выполнено",
    "behind": "отставание",
    "no_target": "цель не задана",
    "no_data": "нет данных",
}
# Colour per status, used by the page and the documents beside the text label.
STATUS_COLOURS = {
    "met": "#2e7d32",
    "behind": "#c62828",
    "no_target": "#757575",
    "no_data": "#9e9e9e",
}
# Light cell backgrounds per status for tables, where the strong colours above are the text colour.
STATUS_BACKGROUNDS = {
    "met": "#e8f5e9",
    "behind": "#ffebee",
    "no_target": "#f5f5f5",
    "no_data": "#fafafa",
}
MONTH_NAMES = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


@dataclass(frozen=True)
class YearSettings:
    """Months of the indicator table and the day after which a month counts as future."""

    start_year: int
    start_month: int = 9
    n_months: int = 11
    as_of: pd.Timestamp | None = field(default=None)

    @property
    def label(self) -> str:
        return f"{school_year_label(self.start_year)} учебный год"


def infer_start_year(frames: Frames, registers: RegisterFrames, start_month: int = 9) -> int:
    """Return the start year of the latest school year that the data touches.

    Uses registrations, group starts, answers and register dates; with no
    dates at all, the school year of today.
    """
    dates = pd.concat(
        [
            pd.to_datetime(frames.participants["registered_on"]),
            pd.to_datetime(frames.groups["started_on"]),
            pd.to_datetime(frames.answers["answered_at"]),
            pd.to_datetime(registers.resources["added_on"]),
            pd.to_datetime(registers.roadmap["starts_on"]),
        ],
        ignore_index=True,
    ).dropna()
    latest = dates.max() if not dates.empty else pd.Timestamp(dt.date.today())
    if start_month == 9:
        return school_year_of(latest)
    return latest.year if latest.month >= start_month else latest.year - 1


def indicator_table(
    frames: Frames,
    registers: RegisterFrames,
    settings: YearSettings,
    *,
    min_resources: int = 1,
) -> pd.DataFrame:
    """Compute the eleven indicators for the settings' months (see ``compute_indicators``)."""
    months = school_year_months(settings.start_year, settings.start_month, settings.n_months)
    return compute_indicators(
        months=months,
        participants=frames.participants,
        groups=frames.groups,
        answers=frames.answers,
        questions=frames.questions,
        resources=registers.resources,
        documents=registers.documents,
        roadmap=registers.roadmap,
        confirmations=registers.confirmations,
        targets=registers.targets,
        min_resources=min_resources,
        as_of=settings.as_of,
    )


def indicators_summary(frames: Frames, engine: Engine | None = None) -> list[dict]:
    """Return the rows of the JSON key ``indicators`` for the latest school year in the data."""
    registers = frames.registers if frames.registers is not None else load_registers(engine)
    settings = YearSettings(start_year=infer_start_year(frames, registers))
    return indicator_json_rows(indicator_table(frames, registers, settings))


# Every indicator is computed over all data up to the end of its month, so the
# months after the last upload repeat the last value instead of showing a gap.
CARRIED_FORWARD_NOTE = (
    "Значение месяца считается по всем данным, загруженным на его конец, поэтому месяцы "
    "после последних данных повторяют последнее значение: новых анкет или записей в них нет."
)


def month_label(month: str) -> str:
    """Turn ``2024-09`` into «сентябрь 2024»."""
    period = pd.Period(month, freq="M")
    return f"{MONTH_NAMES[period.month - 1]} {period.year}"


def format_value(indicator: str, value: float) -> str:
    """Format an indicator value for display: «да»/«нет», a percent or a head count."""
    spec = INDICATOR_SPECS[indicator]
    if value is None or pd.isna(value):
        return "нет данных"
    if spec.kind == "presence":
        return "да" if value >= 1 else "нет"
    if spec.kind == "percent":
        return f"{format_number(value, 1)} %"
    return f"{int(round(value))} чел."


def reading(row: pd.Series) -> str:
    """Return the plain-Russian reading of one month's value of one indicator."""
    spec = INDICATOR_SPECS[row["indicator"]]
    month = month_label(row["month"])
    value_text = format_value(row["indicator"], row["value"])
    if row["status"] == "no_data":
        text = f"{spec.label}: за {month} значения нет ({row['note'] or 'нет данных'})."
    elif row["status"] == "no_target":
        text = f"{spec.label}: {value_text} на конец месяца «{month}»; цель на этот месяц не задана."
    else:
        target_text = format_value(row["indicator"], row["target"])
        verdict = "цель достигнута" if row["status"] == "met" else "цель пока не достигнута"
        text = (
            f"{spec.label}: {value_text} на конец месяца «{month}» "
            f"при цели {target_text} — {verdict}."
        )
    if row["note"] and row["status"] != "no_data":
        text = f"{text} Внимание: {row['note']}."
    return text


def latest_by_indicator(table: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Pick, per indicator, the last month that has a value (or the last month if none has).

    Returns the rows of ``table`` for those months, one per indicator, in the plan's order,
    with an added ``reading`` column.
    """
    rows = []
    for indicator in INDICATOR_SPECS:
        own = table[table["indicator"] == indicator]
        with_value = own[own["value"].notna()]
        rows.append((with_value if not with_value.empty else own).iloc[-1])
    latest = pd.DataFrame(rows).reset_index(drop=True)
    latest["reading"] = [reading(row) for _, row in latest.iterrows()]
    return latest


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """Wide Russian table: one row per indicator, one column per month, cells as text."""
    frame = table.assign(
        label=table["indicator"].map(lambda key: INDICATOR_SPECS[key].label),
        cell=[
            _cell(row.indicator, row.value, row.target, row.status)
            for row in table.itertuples(index=False)
        ],
        month_name=table["month"].map(month_label),
    )
    wide = frame.pivot(index="label", columns="month", values="cell")
    wide = wide.reindex([spec.label for spec in INDICATOR_SPECS.values()])
    wide.columns = [month_label(month) for month in wide.columns]
    wide.index.name = "Показатель"
    return wide.reset_index()


def _cell(indicator: str, value: float, target: float, status: str) -> str:
    text = format_value(indicator, value) if status != "no_data" else "—"
    if not pd.isna(target):
        text = f"{text} / цель {format_value(indicator, target)}"
    return text


def status_counts(latest: pd.DataFrame) -> dict[str, int]:
    """Count the latest statuses: how many indicators are met, behind, without target or data."""
    counts = latest["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUS_LABELS}


def kirkpatrick_table(frames: Frames, registers: RegisterFrames) -> pd.DataFrame:
    """Return the Kirkpatrick overview of this database with Russian level and stage labels."""
    register_rows = sum(registers.counts().values()) - len(registers.targets)
    assessments = frames.assessments
    paired = 0
    if not assessments.empty:
        stages = assessments.groupby("code")["stage"].agg(set)
        paired = int(sum({"pre", "post"} <= stage_set for stage_set in stages))
    activities = frames.activities
    applied = activities[activities["kind"].isin(["open_lesson", "digital_resource", "personal_site"])]
    available = {
        "registers": register_rows,
        "groups": len(frames.groups),
        "participants": len(frames.participants),
        "answers": len(frames.answers),
        "assessments": paired,
        "activities": len(activities),
        "student_outcomes": 0,
        "motivation": 0,
    }
    overview = kirkpatrick_overview(available)
    if applied.empty:
        mask = overview["item"] == "open_lessons"
        overview.loc[mask, "measured"] = False
        overview.loc[mask, "missing"] = "в журнале нет открытых уроков, ресурсов и сайтов"
    overview["level_label"] = overview["level"].map(LEVEL_LABELS)
    overview["stage_label"] = overview["federal_stage"].map(FEDERAL_STAGE_LABELS)
    return overview


def load_all(engine: Engine | None = None) -> tuple[Frames, RegisterFrames]:
    """Read the frames and the registers of the default school from one engine."""
    frames = load_frames(engine or get_engine())
    return frames, frames.registers


def targets_wide(targets: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Return the targets as one row per indicator (Russian label) and one column per month.

    Cells without a target are NaN, which the page's editor shows as empty.
    """
    index = [spec.label for spec in INDICATOR_SPECS.values()]
    wide = pd.DataFrame(index=index, columns=months, dtype="float64")
    labels = {key: spec.label for key, spec in INDICATOR_SPECS.items()}
    for row in targets.itertuples(index=False):
        if row.month in months and row.indicator in labels:
            wide.loc[labels[row.indicator], row.month] = float(row.target)
    wide.index.name = "Показатель"
    return wide


def targets_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[str, str, float | None]]:
    """List (indicator key, month, new target or None) for every cell that differs."""
    keys = {spec.label: key for key, spec in INDICATOR_SPECS.items()}
    changes = []
    for label in before.index:
        for month in before.columns:
            old, new = before.loc[label, month], after.loc[label, month]
            if pd.isna(old) and pd.isna(new):
                continue
            if pd.isna(old) or pd.isna(new) or float(old) != float(new):
                changes.append((keys[label], month, None if pd.isna(new) else float(new)))
    return changes


def status_text(status: str) -> str:
    """Return the status as a coloured marker and a word, so it reads without colour too."""
    # Text symbols that DejaVu and the usual UI fonts carry; colour emoji need a font many school PCs lack.
    marker = {"met": "✔", "behind": "✖", "no_target": "○", "no_data": "–"}[status]
    return f"{marker} {STATUS_LABELS[status]}"


def latest_display_table(latest: pd.DataFrame, status_format=None) -> pd.DataFrame:
    """Russian columns of the latest value per indicator: name, month, value, target, status."""
    status_format = status_format or STATUS_LABELS.get
    return pd.DataFrame(
        {
            "Показатель": [INDICATOR_SPECS[key].label for key in latest["indicator"]],
            "Месяц": latest["month"].map(month_label),
            "Значение": [format_value(k, v) for k, v in zip(latest["indicator"], latest["value"], strict=True)],
            "Цель": [
                "не задана" if pd.isna(t) else format_value(k, t)
                for k, t in zip(latest["indicator"], latest["target"], strict=True)
            ],
            "Статус": latest["status"].map(status_format),
        },
        index=latest.index,
    )


def indicator_cards(table: pd.DataFrame) -> pd.DataFrame:
    """Build one row per indicator for the page: latest value, target, status, trend and rule.

    ``trend`` is the list of monthly values with months without a value left out.
    """
    latest = latest_by_indicator(table)
    trend = {
        key: [float(v) for v in table.loc[table["indicator"] == key, "value"].dropna()]
        for key in INDICATOR_SPECS
    }
    return latest_display_table(latest, status_text).assign(**{
            "Динамика": [trend[key] for key in latest["indicator"]],
            "Как считается": [INDICATOR_SPECS[key].rule for key in latest["indicator"]],
            "Подтверждение": latest["evidence"].replace("", "—"),
            "reading": latest["reading"],
            "indicator": latest["indicator"],
            "status": latest["status"],
    })


def month_status_tables(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the month-by-indicator table as text cells and the matching status keys.

    Both frames have one row per indicator (Russian label as index, the
    plan's order) and one column per month (Russian month name). A text
    cell starts with the status marker, so it reads without colour: for
    example «✔ 80,0 % (цель 60,0 %)» or «○ 67 чел. (цели нет)».
    """
    markers = {"met": "✔", "behind": "✖", "no_target": "○", "no_data": "–"}
    labels = [spec.label for spec in INDICATOR_SPECS.values()]
    frame = table.assign(
        label=table["indicator"].map(lambda key: INDICATOR_SPECS[key].label),
        cell=[
            f"{markers[row.status]} {_status_cell(row.indicator, row.value, row.target, row.status)}"
            for row in table.itertuples(index=False)
        ],
    )
    cells = frame.pivot(index="label", columns="month", values="cell").reindex(labels)
    statuses = frame.pivot(index="label", columns="month", values="status").reindex(labels)
    for wide in (cells, statuses):
        wide.columns = [month_label(month) for month in wide.columns]
        wide.index.name = "Показатель"
    return cells, statuses


def _status_cell(indicator: str, value: float, target: float, status: str) -> str:
    if status == "no_data":
        return "нет данных"
    value_text = format_value(indicator, value)
    if pd.isna(target):
        return f"{value_text} (цели нет)"
    return f"{value_text} (цель {format_value(indicator, target)})"


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Turn ``analysis.kirkpatrick.coverage_by_level`` into a level-by-stage table of Russian text.

    A cell reads «3 из 3» (measured of catalogued items) or «нет показателей».
    """
    frame = coverage.assign(
        level_label=coverage["level"].map(LEVEL_LABELS),
        stage_label=coverage["federal_stage"].map(FEDERAL_STAGE_LABELS),
        cell=[
            f"{measured} из {items}" if items else "нет показателей"
            for measured, items in zip(coverage["measured"], coverage["items"], strict=True)
        ],
    )
    wide = frame.pivot(index="level_label", columns="stage_label", values="cell")
    wide = wide.reindex(index=list(LEVEL_LABELS.values()), columns=list(FEDERAL_STAGE_LABELS.values()))
    wide.index.name = "Уровень Киркпатрика"
    return wide


def style_statuses(cells: pd.DataFrame, statuses: pd.DataFrame):
    """Colour each text cell of ``month_status_tables`` by its status; the text keeps its marker."""
    def css(status) -> str:
        if status not in STATUS_COLOURS:
            return ""
        return f"background-color: {STATUS_BACKGROUNDS[status]}; color: {STATUS_COLOURS[status]}"

    return cells.style.apply(lambda _: statuses.map(css), axis=None)


def targets_as_text(wide: pd.DataFrame) -> pd.DataFrame:
    """Show ``targets_wide`` as text with a decimal comma; an empty string is "no target"."""
    return wide.map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ","))


def targets_from_text(text: pd.DataFrame) -> pd.DataFrame:
    """Parse edited target cells back to numbers; raise ValueError naming every invalid cell.

    A cell may use a decimal comma or point; blank means no target.
    """
    parsed = pd.DataFrame(index=text.index, columns=text.columns, dtype="float64")
    invalid = []
    for label in text.index:
        for month in text.columns:
            cell = text.loc[label, month]
            cell = "" if cell is None or pd.isna(cell) else str(cell).strip().replace(",", ".")
            if not cell:
                continue
            try:
                value = float(cell)
            except ValueError:
                value = float("nan")
            if not value >= 0:
                invalid.append(f"«{label}», {month_label(month)}: «{text.loc[label, month]}»")
                continue
            parsed.loc[label, month] = value
    if invalid:
        raise ValueError("Цель должна быть неотрицательным числом или пустой клеткой. Исправьте: "
                         + "; ".join(invalid) + ".")
    return parsed
