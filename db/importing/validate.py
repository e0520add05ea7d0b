"""Template fields from a raw table: typed columns, row errors and converted cells.

Conversion runs column by column over the distinct values of each column, so a
200,000-row file costs one parse per distinct date or label, not per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from db.errors import ImportValidationError
from db.importing.reading import RawTable
from db.importing.templates import FieldSpec, fields_of, map_columns
from db.importing.values import (
    InvalidValue,
    MissingValue,
    is_blank,
    normalize_label,
    parse_date,
    parse_datetime,
    parse_number,
    quote,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MISSING_REASON_TEXT = {"absent": "отсутствовал (н/я)", "no_value": "нет значения"}


@dataclass
class CellIssue:
    """One cell that was rejected or converted, as the import report lists it."""

    row: int
    column: str | None
    value: str | None
    message: str
    outcome: str = "rejected"  # rejected | converted

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ValidatedTable:
    """Typed rows of one template kind; rows with a rejected cell are already removed."""

    kind: str
    file_name: str
    records: pd.DataFrame  # field keys as columns, plus "_row" (the user-visible row number)
    mapping: dict[str, str]  # column as written -> field key
    rejected: list[CellIssue] = field(default_factory=list)
    converted: list[CellIssue] = field(default_factory=list)
    date_format: str | None = None
    missing_reasons: dict[tuple[int, str], str] = field(default_factory=dict)

    def column_of(self, key: str) -> str:
        for column, mapped in self.mapping.items():
            if mapped == key:
                return column
        return key


def cell_message(file_name: str, row: int, column: str | None, text: str) -> str:
    where = f"Файл {file_name}, строка {row}"
    if column:
        where += f", столбец «{column}»"
    return f"{where}: {text}"


def _allowed_values(spec: FieldSpec) -> str:
    seen: dict[str, str] = {}
    for label, value in spec.values.items():
        seen.setdefault(value, label)
    return ", ".join(seen.values())


def _convert_one(spec: FieldSpec, value: object):
    """Convert one distinct cell; return (value, issue text or None, missing reason or None)."""
    if is_blank(value):
        if spec.required:
            return None, f"значение не заполнено. Заполните обязательный столбец «{spec.label}».", None
        return None, None, None
    try:
        if spec.type == "text":
            return quote(value).strip(), None, None
        if spec.type == "enum":
            found = spec.value_lookup().get(normalize_label(quote(value)))
            if found is None:
                return None, (
                    f"значение «{quote(value)}» не из списка. "
                    f"Укажите одно из: {_allowed_values(spec)}."
                ), None
            return found, None, None
        if spec.type == "questionnaire":
            text = quote(value).strip()
            return spec.value_lookup().get(normalize_label(text), text), None, None
        if spec.type == "date":
            return parse_date(value), None, None
        if spec.type == "datetime":
            return parse_datetime(value)[0], None, None
        if spec.type == "number":
            return parse_number(value), None, None
        if spec.type == "email":
            text = quote(value).strip().lower()
            if not _EMAIL.match(text):
                return None, (
                    f"значение «{quote(value)}» не является адресом электронной почты. "
                    "Укажите адрес вида name@school.ru."
                ), None
            return text, None, None
        if spec.type == "url":
            return quote(value).strip(), None, None
    except MissingValue as missing:
        if spec.required:
            return None, (
                f"значение «{quote(value)}» означает «{MISSING_REASON_TEXT[missing.reason]}», "
                f"а столбец «{spec.label}» обязательный. Укажите значение или удалите строку."
            ), None
        return None, None, missing.reason
    except InvalidValue as invalid:
        return None, f"{invalid.problem} {invalid.hint}", None
    raise ValueError(f"unknown field type {spec.type!r}")


def validate_table(
    table: RawTable,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, object] | None = None,
) -> ValidatedTable:
    """Convert `table`'s mapped columns to `kind`'s fields and collect every bad cell.

    `mapping` ({column: field key}) overrides header matching; `defaults`
    ({field key: value}) fills fields that have no column (for example a format
    for a whole log). A required field with neither raises `ImportValidationError`.
    """
    specs = {spec.key: spec for spec in fields_of(kind)}
    mapping = dict(mapping) if mapping else map_columns(table.columns, kind)
    defaults = defaults or {}
    present = set(mapping.values())
    missing = [spec.label for spec in specs.values()
               if spec.required and spec.key not in present and spec.key not in defaults]
    if missing:
        raise ImportValidationError(
            f"Файл {table.file_name}: нет обязательных столбцов "
            + ", ".join(f"«{label}»" for label in missing)
            + f" шаблона «{kind}». Переименуйте столбцы как в шаблоне или укажите соответствие.",
            file=table.file_name,
        )
    frame = table.data
    rows = pd.Series(table.row_numbers, index=frame.index)
    records = pd.DataFrame({"_row": rows})
    bad = pd.Series(False, index=frame.index)
    result = ValidatedTable(kind, table.file_name, records, mapping)
    for column, key in mapping.items():
        spec = specs[key]
        # Each distinct cell is parsed once; the object array keeps Python dates and
        # datetimes as they are (Series.map would infer datetime64 and convert back).
        codes, distinct = pd.factorize(frame[column], use_na_sentinel=False)
        converted_array = np.empty(len(distinct), dtype=object)
        problems, reasons = {}, {}
        for position, value in enumerate(distinct):
            converted, problem, reason = _convert_one(spec, value)
            converted_array[position] = converted
            if problem:
                problems[value] = problem
            if reason:
                reasons[value] = reason
        records[key] = pd.Series(converted_array[codes], index=frame.index, dtype=object)
        if problems:
            mask = frame[column].isin(list(problems))
            bad |= mask
            for index in frame.index[mask]:
                value = frame.at[index, column]
                result.rejected.append(CellIssue(
                    int(rows[index]), column, quote(value),
                    cell_message(table.file_name, int(rows[index]), column, problems[value]),
                ))
        if reasons:
            for index in frame.index[frame[column].isin(list(reasons))]:
                value = frame.at[index, column]
                reason = reasons[value]
                result.missing_reasons[(int(rows[index]), key)] = reason
                result.converted.append(CellIssue(
                    int(rows[index]), column, quote(value),
                    cell_message(table.file_name, int(rows[index]), column,
                                 f"значение «{quote(value)}» принято как пропуск "
                                 f"({MISSING_REASON_TEXT[reason]})."),
                    outcome="converted",
                ))
        if spec.type == "datetime":
            result.date_format = result.date_format or _date_format(frame[column])
    for key, value in defaults.items():
        if key not in present:
            records[key] = _convert_one(specs[key], value)[0]
    bad |= _check_ranges(kind, records, result)
    result.records = records[~bad].reset_index(drop=True)
    result.rejected.sort(key=lambda issue: issue.row)
    return result


def _date_format(values: pd.Series) -> str | None:
    for value in values.head(50):
        if is_blank(value):
            continue
        try:
            return parse_datetime(value)[1]
        except InvalidValue:
            continue
    return None


def _reject_where(result: ValidatedTable, records, mask, key: str, text) -> pd.Series:
    column = result.column_of(key)
    for index in records.index[mask]:
        row = int(records.at[index, "_row"])
        value = records.at[index, key]
        result.rejected.append(CellIssue(
            row, column, quote(value), cell_message(result.file_name, row, column, text(value))
        ))
    return mask


def _numeric(records: pd.DataFrame, key: str) -> pd.Series:
    return pd.to_numeric(records[key], errors="coerce") if key in records else pd.Series(
        float("nan"), index=records.index
    )


def _check_ranges(kind: str, records: pd.DataFrame, result: ValidatedTable) -> pd.Series:
    """Reject values of the right type but outside their allowed range."""
    bad = pd.Series(False, index=records.index)
    for key in ("experience_years", "hours"):
        if key in records:
            mask = _numeric(records, key) < 0
            bad |= _reject_where(result, records, mask, key, lambda v: (
                f"значение «{quote(v)}» отрицательное. Укажите число не меньше 0."))
    if kind == "assessments":
        score, maximum = _numeric(records, "score"), _numeric(records, "max_score")
        mask = maximum <= 0
        bad |= _reject_where(result, records, mask, "max_score", lambda v: (
            f"максимальный балл «{quote(v)}» должен быть больше 0."))
        mask = ((score < 0) | (score > maximum)) & ~bad
        bad |= _reject_where(result, records, mask, "score", lambda v: (
            f"балл «{quote(v)}» вне диапазона от 0 до максимального балла. "
            "Проверьте балл и столбец «Максимум»."))
    if kind == "groups" and "ended_on" in records:
        ended, started = records["ended_on"], records["started_on"]
        mask = pd.Series([e is not None and s is not None and not pd.isna(e) and e < s
                          for e, s in zip(ended, started, strict=True)], index=records.index)
        bad |= _reject_where(result, records, mask, "ended_on", lambda v: (
            f"дата окончания «{quote(v)}» раньше даты начала. Проверьте даты."))
    return bad
