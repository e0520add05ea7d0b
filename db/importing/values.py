"""Parsing of single cells: Russian dates and times, numbers typed as text, absence markers.

Every parser takes what a reader produced (text from a CSV, or a `datetime`,
`int` or `float` from an XLSX cell) and returns a Python value, or raises
`InvalidValue` (with the Russian hint to show) or `MissingValue` (an absence
marker such as «н/я», with its reason).
"""

from __future__ import annotations

import datetime as dt
import math
import re

# Excel stores days since 1899-12-30 (the 1900 leap-year bug moves the origin back a day).
EXCEL_ORIGIN = dt.datetime(1899, 12, 30)
# Serial numbers outside these dates are more likely counts or scores than dates.
EXCEL_SERIAL_MIN = 32874  # 1990-01-01
EXCEL_SERIAL_MAX = 73051  # 2100-01-01

# Cells that mean "no value" rather than a bad value; the reason is stored with the row.
ABSENCE_MARKERS = {
    "—": "no_value",
    "–": "no_value",
    "-": "no_value",
    "н/я": "absent",
    "н/д": "no_value",
    "нет данных": "no_value",
}

DATE_HINT = "Укажите дату в виде ДД.ММ.ГГГГ (например, 05.03.2024)."
DATETIME_HINT = (
    "Укажите дату в виде ДД.ММ.ГГГГ или дату и время в виде ДД.ММ.ГГГГ ЧЧ:ММ."
)
NUMBER_HINT = "Укажите число, дробную часть — через запятую (например, 58,5)."

_DMY = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
# Excel saves a number that its General format shows in exponent form («1,5E+11») that way
# in a CSV, so an exponent is accepted.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")

DATE_FORMAT_DMY = "ДД.ММ.ГГГГ"
DATE_FORMAT_DMY_TIME = "ДД.ММ.ГГГГ Ч:ММ[:СС]"
DATE_FORMAT_ISO = "ГГГГ-ММ-ДД"
DATE_FORMAT_EXCEL = "дата Excel"
DATE_FORMAT_SERIAL = "число дней Excel (от 30.12.1899)"


class InvalidValue(ValueError):
    """A cell that cannot be read as the expected type; `hint` says what to write instead."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(f"{problem} {hint}")
        self.problem = problem
        self.hint = hint


class PercentValue(InvalidValue):
    """A number written with a percent sign where a plain number is expected."""


class MissingValue(ValueError):
    """An absence marker («—», «н/я»): no value, for the stated reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize_label(text: str) -> str:
    """Return `text` folded for matching: trimmed, single spaces, case-folded, ё as е."""
    return _SPACES.sub(" ", str(text)).strip().casefold().replace("ё", "е")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def absence_reason(value: object) -> str | None:
    """Return the reason of an absence marker, or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    return ABSENCE_MARKERS.get(normalize_label(value))


def quote(value: object) -> str:
    """Return the cell as the user typed it, for «…» quotes in messages."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _build_datetime(year: int, month: int, day: int, hour, minute, second) -> dt.datetime:
    if year < 100:
        year += 2000
    return dt.datetime(
        year, month, day, int(hour or 0), int(minute or 0), int(second or 0)
    )


def excel_serial_to_datetime(serial: float) -> dt.datetime:
    """Convert an Excel serial day number (1899-12-30 origin) inside the plausible range."""
    if not EXCEL_SERIAL_MIN <= serial < EXCEL_SERIAL_MAX:
        raise InvalidValue(
            f"число {quote(serial)} не похоже на дату Excel (ожидаются даты 1990–2099 годов).",
            DATE_HINT,
        )
    whole_seconds = round(serial * 86400)
    return EXCEL_ORIGIN + dt.timedelta(seconds=whole_seconds)


def parse_datetime(value: object) -> tuple[dt.datetime, str]:
    """Parse a date or date-time, day first; return it with the name of the matched format.

    Accepts `ДД.ММ.ГГГГ`, `ДД.ММ.ГГ`, `ДД.ММ.ГГГГ Ч:ММ[:СС]`, ISO `ГГГГ-ММ-ДД[ ЧЧ:ММ[:СС]]`,
    Excel serial numbers between 1990 and 2099 (as numbers or as five-digit text)
    and `datetime`/`date` objects from XLSX cells. Anything else raises
    `InvalidValue`; no other order (such as month first) is guessed.
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0), DATE_FORMAT_EXCEL
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), DATE_FORMAT_EXCEL
    if isinstance(value, bool):
        raise InvalidValue(f"значение «{value}» не является датой.", DATETIME_HINT)
    if isinstance(value, (int, float)):
        return excel_serial_to_datetime(float(value)), DATE_FORMAT_SERIAL
    text = _SPACES.sub(" ", str(value)).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            parsed = _build_datetime(int(year), int(month), int(day), hour, minute, second)
            return parsed, DATE_FORMAT_DMY_TIME if hour else DATE_FORMAT_DMY
        match = _ISO.match(text)
        if match:
            year, month, day, hour, minute, second = match.groups()
            parsed = _build_datetime(int(year), int(month), int(day), hour, minute, second)
            return parsed, DATE_FORMAT_ISO
    except ValueError:
        # The shape was right but the calendar says no (31.02, hour 25).
        raise InvalidValue(f"значение «{text}» не является датой.", DATETIME_HINT) from None
    if _SERIAL.match(text):
        return excel_serial_to_datetime(float(text.replace(",", "."))), DATE_FORMAT_SERIAL
    raise InvalidValue(f"значение «{text}» не является датой.", DATETIME_HINT)


def parse_date(value: object) -> dt.date:
    """Parse a calendar date (see `parse_datetime`); a time part, if any, is dropped."""
    try:
        return parse_datetime(value)[0].date()
    except InvalidValue as error:
        raise InvalidValue(error.problem, DATE_HINT) from None


def parse_number(value: object) -> float:
    """Parse a number from an XLSX number or from text such as `58,5`, ` 64 `, `1 234,5`.

    Raises `MissingValue` for absence markers, `PercentValue` for `85%` (the
    reader cannot know whether 85 points or 0.85 was meant) and `InvalidValue`
    for anything else that is not a number.
    """
    if isinstance(value, bool):
        raise InvalidValue(f"значение «{value}» не является числом.", NUMBER_HINT)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise MissingValue("no_value")
        if not math.isfinite(float(value)):
            raise InvalidValue(f"значение «{value}» слишком велико для числа.", NUMBER_HINT)
        return float(value)
    text = str(value).strip()
    reason = absence_reason(text)
    if reason:
        raise MissingValue(reason)
    compact = _SPACES.sub("", text)
    if compact.endswith("%"):
        raise PercentValue(
            f"значение «{text}» записано в процентах.",
            "Укажите число без знака %: балл, а не процент.",
        )
    if compact.count(",") == 1 and compact.count(".") >= 1:
        # 1.234,5: dots group thousands, the comma is the decimal mark.
        compact = compact.replace(".", "")
    compact = compact.replace(",", ".")
    if not _NUMBER.match(compact):
        raise InvalidValue(f"значение «{text}» не является числом.", NUMBER_HINT)
    number = float(compact)
    if not math.isfinite(number):
        raise InvalidValue(f"значение «{text}» слишком велико для числа.", NUMBER_HINT)
    return number
