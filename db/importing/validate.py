"""Template fields from a raw table: typed columns, row errors and converted cells.

Conversion runs column by column over the distinct values of each column, so a
200,000-row file costs one parse per distinct date or label, not per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from db.errors import ImportValidationError
from db.importing.reading import RawTable
from db.importing.templates import KIND_TITLES, STAGE_VALUES, FieldSpec, fields_of, map_columns
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

# A wide table keeps one score column per stage; mapping it to "score:<stage>" turns
# every source row into one assessment per stage.
STAGE_SCORE_PREFIX = "score:"
STAGE_LABELS = {"diagnostic": "диагностика", "pre": "до", "mid": "промежуточный", "post": "после"}
# Kinds whose participant may be named by full name when the file has no code column.
NAME_IDENTIFIED_KINDS = ("assessments", "activities")
# Plausible ranges: a value outside is a typing error far more often than a fact.
MAX_EXPERIENCE_YEARS = 60
MAX_ACTIVITY_HOURS = 24
EARLIEST_DATE = dt.date(2000, 1, 1)
FUTURE_DAYS = 366
# Converted cells listed one by one per column; past this, one summary line counts the rest.
MAX_CONVERTED_LISTED = 500
# The mapping value that keeps a column out of the import.
IGNORE = "ignore"
DATE_KEYS = ("registered_on", "started_on", "ended_on", "assessed_on", "occurred_on", "answered_on")


def stage_score_fields() -> dict[str, str]:
    """Return {field key: label} of the per-stage score fields of a wide assessments table."""
    return {f"{STAGE_SCORE_PREFIX}{stage}": f"Балл ({label})" for stage, label in STAGE_LABELS.items()}


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
    notes: list[str] = field(default_factory=list)  # warnings for the report, one line each

    identified_by_name: bool = False  # the participant column contains full names, not codes
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, reason) of rows left out

    def column_of(self, key: str) -> str:
        for column, mapped in self.mapping.items():
            if mapped == key:
                return column
        if key == "code" and self.identified_by_name:
            return self.column_of("full_name")
        if key == "score":
            stage_columns = [c for c, m in self.mapping.items() if m.startswith(STAGE_SCORE_PREFIX)]
            if stage_columns:
                return stage_columns[0]
        return key


def cell_message(file_name: str, row: int, column: str | None, text: str) -> str:
    where = f"Файл {file_name}, строка {row}"
    if column:
        where += f", столбец «{column}»"
    return f"{where}: {text}"


# Rows named in one line of a grouped report; the rest are counted.
GROUP_ROWS_LISTED = 5


@dataclass
class IssueGroup:
    """Issues of one column whose messages differ only in the row number."""

    column: str | None
    text: str  # the message after «Файл …, строка N, столбец «…»: », or the whole message
    rows: list[int] = field(default_factory=list)  # distinct rows, in order of first appearance
    located: bool = True  # False when the message is not in the `cell_message` form
    count: int = 0  # issues in the group
    _seen_rows: set[int] = field(default_factory=set, repr=False)

    def add(self, row: int | None) -> None:
        self.count += 1
        if self.located and row not in self._seen_rows:
            self._seen_rows.add(row)
            self.rows.append(row)

    def line(self, file_name: str) -> str:
        """Return the group as one message: the first rows listed, the others counted."""
        if not self.located:
            return self.text if self.count == 1 else f"{self.text} (повторов: {self.count})"
        if len(self.rows) == 1:
            return cell_message(file_name, self.rows[0], self.column, self.text)
        listed = ", ".join(str(row) for row in self.rows[:GROUP_ROWS_LISTED])
        more = len(self.rows) - GROUP_ROWS_LISTED
        if more > 0:
            listed += f" и ещё {more:,}".replace(",", " ")
        where = f"Файл {file_name}, строки {listed}"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.text}"


def group_issues(issues: list[CellIssue], file_name: str) -> list[IssueGroup]:
    """Group issues by column and message text without the row, in order of first appearance.

    50,000 cells rejected for the same unknown code become one group, so a
    report can show one line for them.
    """
    groups: dict[tuple[str | None, str, bool], IssueGroup] = {}
    for issue in issues:
        prefix = cell_message(file_name, issue.row, issue.column, "")
        located = issue.row is not None and issue.message.startswith(prefix)
        text = issue.message[len(prefix):] if located else issue.message
        group = groups.setdefault((issue.column, text, located),
                                  IssueGroup(issue.column, text, located=located))
        group.add(issue.row)
    return list(groups.values())


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


FULL_NAME_SPEC = FieldSpec("full_name", "ФИО", False, "text",
                           "ФИО участника, если в файле нет столбца с кодом.",
                           aliases=("ФИО педагога", "ФИО участника", "Наставник", "Наставляемый",
                                    "Педагог", "Участник"))


def guess_mapping(columns: list[str], kind: str) -> dict[str, str]:
    """Return the best-guess {column: field key}: template headers, then «ФИО» and stage scores.

    «ФИО» (or a similar header) is guessed only when no column holds the code;
    «Балл до», «Балл (после)» and the like become per-stage score columns only
    when no column is the plain «Балл».
    """
    mapping = map_columns(columns, kind)
    taken = set(mapping.values())
    free = [column for column in columns if column not in mapping]
    if kind in NAME_IDENTIFIED_KINDS and "code" not in taken:
        names = FULL_NAME_SPEC.header_names()
        for column in free:
            if normalize_label(column) in names:
                mapping[column] = "full_name"
                break
    if kind == "assessments" and "score" not in taken:
        for column in free:
            words = normalize_label(column).replace("(", " ").replace(")", " ").split()
            if len(words) == 2 and words[0] == "балл":
                stage = STAGE_VALUES.get(words[1])
                key = f"{STAGE_SCORE_PREFIX}{stage}" if stage else None
                if key and key not in mapping.values():
                    mapping[column] = key
    return mapping


def field_specs(kind: str) -> dict[str, FieldSpec]:
    """Return {field key: spec} that a column of `kind` may be mapped to, beyond the template too.

    Assessments and activities accept «ФИО» in place of the participant code;
    assessments also accept one score column per stage («Балл (до)», «Балл (после)»).
    """
    specs = {spec.key: spec for spec in fields_of(kind)}
    if kind in NAME_IDENTIFIED_KINDS:
        specs["full_name"] = FULL_NAME_SPEC
    if kind == "assessments":
        for key, label in stage_score_fields().items():
            specs[key] = FieldSpec(key, label, False, "number", "Балл этого этапа, от 0 до максимума.")
    return specs


def resolve_mapping(columns: list[str], kind: str, mapping: dict[str, str] | None = None,
                    notes: list[str] | None = None) -> dict[str, str]:
    """Return {column: field key or "ignore"}: the user's `mapping`, then the other columns by header.

    Keys and Russian labels in `mapping` become field keys, and an empty key
    means "ignore". A column matched by its header never takes a field that
    `mapping` gives another column, nor a field that cannot be used with one:
    a code beside «ФИО» (assessments, activities) or a per-stage score beside
    «Балл» and «Этап». Each header match set aside this way adds a line to `notes`.
    """
    if not mapping:
        return guess_mapping(columns, kind)
    specs = field_specs(kind)
    chosen = {column: field_key(specs, key) if key and key != IGNORE else IGNORE
              for column, key in mapping.items()}
    owners = {key: column for column, key in chosen.items() if key != IGNORE}
    free = [column for column in columns if column not in chosen]
    for column, key in guess_mapping(free, kind).items():
        rival = _rival_field(kind, key, owners)
        if rival is None:
            chosen[column] = key
            owners[key] = column
        elif notes is not None:
            notes.append(_set_aside_note(specs, column, key, rival, owners[rival]))
    return chosen


def _rival_field(kind: str, key: str, owners: dict[str, str]) -> str | None:
    """Return the field already mapped that rules out a header match to `key`, or None."""
    if key in owners:
        return key
    rivals: tuple[str, ...] = ()
    if kind in NAME_IDENTIFIED_KINDS and key in ("code", "full_name"):
        rivals = ("full_name",) if key == "code" else ("code",)
    elif kind == "assessments" and key.startswith(STAGE_SCORE_PREFIX):
        rivals = ("score", "stage")
    elif kind == "assessments" and key in ("score", "stage"):
        rivals = tuple(owner for owner in owners if owner.startswith(STAGE_SCORE_PREFIX))
    return next((rival for rival in rivals if rival in owners), None)


def _set_aside_note(specs: dict[str, FieldSpec], column: str, key: str, rival: str,
                    rival_column: str) -> str:
    label = specs[key].label
    if rival == key:
        reason = f"поле «{label}» уже назначено столбцу «{rival_column}»"
    else:
        reason = (f"поле «{label}» не сочетается с полем «{specs[rival].label}», "
                  f"назначенным столбцу «{rival_column}»")
    return (f"Столбец «{column}» не загружен: по заголовку он подходит полю «{label}», но {reason}. "
            "Если столбец нужен, сопоставьте его полю явно.")


def field_key(specs: dict[str, FieldSpec], name: str) -> str:
    """Return the field key for a key or a Russian label such as «Этап» (unknown names unchanged)."""
    folded = normalize_label(name)
    for key, spec in specs.items():
        if folded in (normalize_label(key), normalize_label(spec.label)):
            return key
    return name


def _check_mapping(table: RawTable, kind: str, specs: dict[str, FieldSpec], mapping: dict[str, str],
                   defaults: dict[str, object]) -> None:
    """Raise `ImportValidationError` for a mapping or defaults that cannot make `kind`'s rows."""
    unknown_columns = [column for column in mapping if column not in table.columns]
    unknown_fields = sorted({key for key in list(mapping.values()) + list(defaults) if key not in specs})
    if unknown_columns or unknown_fields:
        parts = []
        if unknown_columns:
            parts.append("нет столбцов " + ", ".join(f"«{c}»" for c in unknown_columns))
        if unknown_fields:
            parts.append("нет полей " + ", ".join(f"«{k}»" for k in unknown_fields) + " у вида "
                         f"«{KIND_TITLES[kind]}» (есть: {', '.join(specs)})")
        raise ImportValidationError(
            f"Файл {table.file_name}: в соответствии столбцов " + "; ".join(parts) + ".",
            file=table.file_name)
    repeated = sorted({key for key in mapping.values() if list(mapping.values()).count(key) > 1})
    if repeated:
        raise ImportValidationError(
            f"Файл {table.file_name}: поле " + ", ".join(f"«{specs[k].label}»" for k in repeated)
            + " назначено нескольким столбцам. Оставьте по одному столбцу на поле.",
            file=table.file_name)
    present = set(mapping.values())
    if any(key.startswith(STAGE_SCORE_PREFIX) for key in present) and present & {"score", "stage"}:
        raise ImportValidationError(
            f"Файл {table.file_name}: столбцы баллов по этапам («Балл (до)», «Балл (после)») "
            "не сочетаются со столбцами «Балл» и «Этап». Выберите что-то одно.",
            file=table.file_name)
    satisfied = present | set(defaults)
    if "full_name" in present:
        satisfied.add("code")
    if any(key.startswith(STAGE_SCORE_PREFIX) for key in present):
        satisfied |= {"score", "stage"}
    missing = [spec.label for spec in fields_of(kind) if spec.required and spec.key not in satisfied]
    if missing:
        raise ImportValidationError(
            f"Файл {table.file_name}: нет обязательных столбцов "
            + ", ".join(f"«{label}»" for label in missing)
            + f" вида «{KIND_TITLES[kind]}». Назовите столбцы как в шаблоне, сопоставьте столбцы "
            "полям или задайте одно значение для всех строк.",
            file=table.file_name,
        )


def _note_conversions(result: ValidatedTable, table: RawTable, column: str, spec: FieldSpec,
                      distinct, converted_array, codes, rows: pd.Series) -> None:
    """List number cells that were typed as text and read as a number («58,5» → 58.5)."""
    if spec.type != "number":
        return
    changed = {position for position, value in enumerate(distinct)
               if isinstance(value, str) and converted_array[position] is not None
               and value != _number_text(converted_array[position])}
    if not changed:
        return
    positions = [index for index, code in enumerate(codes) if code in changed]
    for index in positions[:MAX_CONVERTED_LISTED]:
        value = distinct[codes[index]]
        row = int(rows.iloc[index])
        result.converted.append(CellIssue(
            row, column, value,
            cell_message(table.file_name, row, column,
                         f"текст «{value}» прочитан как число {_number_text(converted_array[codes[index]])}."),
            outcome="converted"))
    if len(positions) > MAX_CONVERTED_LISTED:
        result.notes.append(
            f"В столбце «{column}» ещё {len(positions) - MAX_CONVERTED_LISTED} ячеек с числами, "
            "записанными текстом, прочитаны так же, как перечисленные.")


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() and abs(number) < 1e15 else repr(float(number))


def validate_table(
    table: RawTable,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, object] | None = None,
) -> ValidatedTable:
    """Convert `table`'s mapped columns to `kind`'s fields and collect every bad cell.

    `mapping` ({column: field key}) overrides header matching for the columns
    it names, and the other columns are matched by header (see
    `resolve_mapping`). A column mapped to "ignore" is not read. `defaults` ({field key: value})
    fills fields that have no column (for example a format for a whole log).
    A required field with neither raises `ImportValidationError`. A column
    mapped to "full_name" names the participant when there is no code
    column. Columns mapped to "score:<stage>" make one assessment per stage
    and source row; a row without any stage score is skipped.
    """
    specs = field_specs(kind)
    notes: list[str] = []
    mapping = {column: key for column, key in resolve_mapping(table.columns, kind, mapping, notes).items()
               if key != IGNORE}
    defaults = {field_key(specs, key): value for key, value in (defaults or {}).items()
                if not is_blank(value)}
    _check_mapping(table, kind, specs, mapping, defaults)
    notes.extend(_split_header_notes(table, mapping, specs))
    present = set(mapping.values())
    frame = table.data
    rows = pd.Series(table.row_numbers, index=frame.index)
    records = pd.DataFrame({"_row": rows})
    bad = pd.Series(False, index=frame.index)
    result = ValidatedTable(kind, table.file_name, records, mapping, notes=notes)
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
        _note_conversions(result, table, column, spec, distinct, converted_array, codes, rows)
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
            converted, problem, _reason = _convert_one(specs[key], value)
            if problem:
                raise ImportValidationError(
                    f"Файл {table.file_name}: значение для всех строк, поле «{specs[key].label}»: "
                    f"{problem}", file=table.file_name)
            records[key] = pd.Series([converted] * len(records), index=records.index, dtype=object)
    if "full_name" in present and "code" not in present:
        records["code"] = records["full_name"]
        result.identified_by_name = True
    stage_keys = [key for key in mapping.values() if key.startswith(STAGE_SCORE_PREFIX)]
    if stage_keys:
        records, bad = _split_stages(records, bad, stage_keys, result)
    bad |= _check_ranges(kind, records, result)
    result.records = records[~bad].reset_index(drop=True)
    result.rejected.sort(key=lambda issue: issue.row)
    return result


_REPEATED_NAME = re.compile(r"^(?P<base>.+) \((?P<number>\d+)\)$")


def _split_header_notes(table: RawTable, mapping: dict[str, str], specs: dict) -> list[str]:
    """Warn about unread columns that share a loaded column's header (a header merged over them).

    A header such as «ФИО» merged over surname, name and patronymic names three
    columns «ФИО», «ФИО (2)», «ФИО (3)»; only the first is mapped, and the rest
    would otherwise be left out without a word.
    """
    notes = []
    for column in table.columns:
        found = _REPEATED_NAME.match(column)
        if column in mapping or not found or found["base"] not in mapping:
            continue
        label = specs[mapping[found["base"]]].label
        values = [value for value in table.data[column] if not is_blank(value)]
        if values:
            notes.append(
                f"Столбец «{column}» не загружен: его заголовок «{found['base']}» стоит над "
                f"несколькими столбцами, а в поле «{label}» попал только первый. Если это части "
                "одного значения (например, фамилия, имя и отчество), объедините их в один столбец "
                "и загрузите файл снова.")
    return notes


def _split_stages(records: pd.DataFrame, bad: pd.Series, stage_keys: list[str],
                  result: ValidatedTable) -> tuple[pd.DataFrame, pd.Series]:
    """Turn one row with a score column per stage into one record per stage with a score."""
    columns = {key: column for column, key in result.mapping.items()}
    parts = []
    for key in stage_keys:
        part = records.drop(columns=stage_keys).copy()
        part["score"] = records[key]
        part["stage"] = key[len(STAGE_SCORE_PREFIX):]
        part["_score_column"] = columns[key]
        part["_bad"] = bad
        parts.append(part[records[key].notna()])
    with_score = set().union(*(set(part["_row"]) for part in parts))
    for row in records.loc[~bad, "_row"]:
        if row not in with_score:
            result.skipped.append((int(row), "нет ни одного балла"))
    melted = pd.concat(parts).sort_values("_row", kind="stable").reset_index(drop=True)
    return melted.drop(columns="_bad"), melted["_bad"].astype(bool)


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
        if key == "score" and "_score_column" in records:
            column = records.at[index, "_score_column"]
        result.rejected.append(CellIssue(
            row, column, quote(value), cell_message(result.file_name, row, column, text(value))
        ))
    return mask


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


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
    if "experience_years" in records:
        mask = (_numeric(records, "experience_years") > MAX_EXPERIENCE_YEARS) & ~bad
        bad |= _reject_where(result, records, mask, "experience_years", lambda v: (
            f"стаж «{quote(v)}» лет невозможен: больше {MAX_EXPERIENCE_YEARS}. "
            "Проверьте, что в столбце стаж в годах, а не год или число месяцев."))
    if "hours" in records:
        mask = (_numeric(records, "hours") > MAX_ACTIVITY_HOURS) & ~bad
        bad |= _reject_where(result, records, mask, "hours", lambda v: (
            f"продолжительность «{quote(v)}» ч больше суток ({MAX_ACTIVITY_HOURS} ч). "
            "Укажите часы одного мероприятия; мероприятие на несколько дней запишите по дням."))
    latest = dt.date.today() + dt.timedelta(days=FUTURE_DAYS)
    for key in DATE_KEYS:
        if key not in records:
            continue
        days = [_as_date(value) for value in records[key]]
        mask = pd.Series([day is not None and not (EARLIEST_DATE <= day <= latest) for day in days],
                         index=records.index) & ~bad
        bad |= _reject_where(result, records, mask, key, lambda v: (
            f"дата «{quote(v)}» вне допустимого диапазона: раньше {EARLIEST_DATE:%d.%m.%Y} или "
            "больше чем на год вперёд. Проверьте год."))
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
