"""Russian formatting of numbers, dates and labels, and small shared widgets."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.plain_language import plural  # noqa: F401  (re-exported for the pages)

MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)

MODEL_LABELS = {"digital": "цифровая", "traditional": "традиционная", "all": "все"}
ROLE_LABELS = {
    "mentor": "наставник",
    "mentee": "наставляемый",
    "both": "наставник и наставляемый",
}
STAGE_LABELS = {
    "diagnostic": "диагностика",
    "pre": "до",
    "mid": "промежуточный",
    "post": "после",
}
KIND_LABELS = {
    "meeting": "встреча",
    "consultation": "консультация",
    "open_lesson": "открытый урок",
    "webinar": "вебинар",
    "contest": "конкурс",
    "project": "проект",
    "material": "учебный материал",
    "digital_resource": "цифровой ресурс",
    "personal_site": "персональный сайт",
    "other": "другое",
}
FORMAT_LABELS = {"in_person": "очно", "remote": "дистанционно"}
NOT_AVAILABLE = "—"


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value, digits: int = 1, missing: str = NOT_AVAILABLE) -> str:
    """Format a number the Russian way: decimal comma, thin space between thousands.

    Trailing zeros after the comma are dropped (`3,50` → `3,5`; `4,0` → `4`).
    Missing values and NaN become `missing`, never the text "nan".
    """
    if _is_missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        return missing
    text = f"{float(value):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        # -0.004 rounds to zero; a signed zero reads as a mistake.
        text = "0"
    return text.replace(",", "\u202f").replace(".", ",")


def fmt_int(value, missing: str = NOT_AVAILABLE) -> str:
    if _is_missing(value):
        return missing
    return f"{int(round(float(value))):,}".replace(",", "\u202f")


def fmt_percent(value, digits: int = 1, missing: str = NOT_AVAILABLE) -> str:
    """Format a value already in percent (71.4 → `71,4 %`)."""
    if _is_missing(value):
        return missing
    return f"{fmt_number(value, digits)}\u00a0%"


def fmt_share(value, digits: int = 1, missing: str = NOT_AVAILABLE) -> str:
    """Format a share between 0 and 1 as percent (0.714 → `71,4 %`)."""
    if _is_missing(value):
        return missing
    return fmt_percent(float(value) * 100.0, digits)


def fmt_p_value(p) -> str:
    """Format a p-value: `p < 0,001` below one in a thousand, else three decimals."""
    if _is_missing(p):
        return NOT_AVAILABLE
    if p < 0.001:
        return "p < 0,001"
    return f"p = {f'{float(p):.3f}'.replace('.', ',')}"


def fmt_date(value, missing: str = NOT_AVAILABLE) -> str:
    """`12.03.2025`."""
    if _is_missing(value):
        return missing
    return pd.Timestamp(value).strftime("%d.%m.%Y")


def fmt_date_long(value, missing: str = NOT_AVAILABLE) -> str:
    """`12 марта 2025 г.`."""
    if _is_missing(value):
        return missing
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {MONTHS_GENITIVE[stamp.month - 1]} {stamp.year} г."


def fmt_month(month: str | dt.date | pd.Timestamp) -> str:
    """`2025-03` or a date → `март 2025`."""
    stamp = pd.Timestamp(f"{month}-01") if isinstance(month, str) else pd.Timestamp(month)
    return f"{MONTHS_NOMINATIVE[stamp.month - 1]} {stamp.year}"


def label(mapping: dict[str, str], key) -> str:
    """The Russian label of a stored key; unknown keys are shown as stored."""
    if _is_missing(key):
        return NOT_AVAILABLE
    return mapping.get(str(key), str(key))


def use_russian_chart_format() -> None:
    """Make every plotly chart write numbers as `3,5` and `12 345`, as the tables do."""
    pio.templates["russian_numbers"] = go.layout.Template(layout={"separators": ", "})
    pio.templates.default = "plotly+russian_numbers"
