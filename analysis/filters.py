"""School years and the filters shared by the pages (model, period, area)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

# The Russian school year starts on 1 September and the programme's year runs
# to the end of July (the plan's last stage is June-July).
SCHOOL_YEAR_START_MONTH = 9


def school_year_of(day: dt.date | pd.Timestamp) -> int:
    """Return the starting calendar year of the school year containing `day`."""
    day = pd.Timestamp(day)
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_label(start_year: int) -> str:
    """`2024` → `2024/25`."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def school_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a school year: 1 September to 31 August."""
    return dt.date(start_year, SCHOOL_YEAR_START_MONTH, 1), dt.date(start_year + 1, 8, 31)


def school_years_in(dates: pd.Series) -> list[int]:
    """Starting years of the school years that `dates` touch, newest first."""
    dates = pd.to_datetime(dates).dropna()
    if dates.empty:
        return []
    return sorted({school_year_of(d) for d in dates}, reverse=True)


@dataclass(frozen=True)
class Filters:
    """The filters the user chose; `None` means "all"."""

    school_year: int | None = None
    model: str | None = None
    area: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """The date window: the period if set, else the school year, else open."""
        if self.period_start or self.period_end:
            return self.period_start, self.period_end
        if self.school_year is not None:
            return school_year_bounds(self.school_year)
        return None, None


def filter_by_dates(frame: pd.DataFrame, column: str, filters: Filters) -> pd.DataFrame:
    """Keep the rows whose `column` date lies in the filters' window (inclusive)."""
    start, end = filters.bounds()
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame[column] >= pd.Timestamp(start)
    if end is not None:
        # The end day is inclusive: anything before the next midnight counts.
        keep &= frame[column] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return frame.loc[keep]


def filter_by_model(frame: pd.DataFrame, filters: Filters, column: str = "model") -> pd.DataFrame:
    if filters.model is None:
        return frame
    return frame.loc[frame[column] == filters.model]


def filter_by_area(frame: pd.DataFrame, filters: Filters, column: str = "area") -> pd.DataFrame:
    if filters.area is None:
        return frame
    return frame.loc[frame[column] == filters.area]
