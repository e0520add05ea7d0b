"""Figures of the «Обзор» page, computed by the same functions as the summary."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.diagnostics import difficulty_shares
from analysis.filters import Filters, filter_by_dates, filter_by_model
from analysis.overview import activities_by_month, participant_counts
from reports.effectiveness import prepost_table
from reports.frames import Frames


@dataclass(frozen=True)
class OverviewFigures:
    counts: dict[str, int]
    difficulty: pd.Series | None  # the "overall" row of difficulty_shares, if any answers
    by_month: pd.DataFrame  # month, activities, hours
    latest_month: str | None  # YYYY-MM of the last month with activities
    # The pre/post row of the chosen model and area ("overall" without an area filter),
    # computed on the assessments inside the date window. None when the window has no
    # pair of «до» and «после» scores.
    change: pd.Series | None


def overview_figures(frames: Frames, filters: Filters | None = None) -> OverviewFigures:
    filters = filters or Filters()
    counts = participant_counts(frames.participants, frames.groups)

    shares = difficulty_shares(frames.answers, frames.participants)
    overall = shares.loc[shares["dimension"] == "overall"]
    difficulty = overall.iloc[0] if not overall.empty else None

    activities = filter_by_model(filter_by_dates(frames.activities, "occurred_on", filters), filters)
    by_month = activities_by_month(activities)
    latest_month = by_month["month"].iloc[-1] if not by_month.empty else None

    change = None
    table = prepost_table(frames, filters)
    if not table.empty:
        model_key = filters.model or "all"
        area_key = filters.area or "overall"
        row = table.loc[(table["model"] == model_key) & (table["area"] == area_key)]
        change = row.iloc[0] if not row.empty else None
    return OverviewFigures(counts, difficulty, by_month, latest_month, change)
