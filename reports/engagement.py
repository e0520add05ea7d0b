"""Engagement figures for the «Вовлечённость» page and the `engagement` summary key."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import engagement
from analysis.filters import Filters, filter_by_dates
from reports.frames import Frames

logger = logging.getLogger(__name__)

INACTIVE_DAYS = 30


@dataclass(frozen=True)
class EngagementFigures:
    reference_date: pd.Timestamp
    months: list[str]
    active: pd.DataFrame  # analysis.engagement.monthly_active
    totals: pd.DataFrame  # monthly_totals
    by_kind: pd.DataFrame  # activities_by_month
    heatmap: pd.DataFrame  # kind_month_pivot: kinds by months, activity rows
    meetings: pd.DataFrame  # meetings_summary
    group_meetings: pd.DataFrame  # meetings_per_group: group, month, n_meetings
    group_spans: pd.DataFrame  # group_table, ended_on capped by the reference date
    meeting_days: pd.DataFrame  # group_code, occurred_on, model: one row per day with a meeting
    formats: pd.DataFrame  # month, format, n_activities, hours
    first_meetings: pd.DataFrame  # days_to_first_meeting, one row per group
    first_meeting_summary: pd.DataFrame
    inactive: pd.DataFrame  # inactive_groups ("на контроле")
    dropout: pd.DataFrame


def default_reference_date(frames: Frames, filters: Filters | None = None) -> pd.Timestamp:
    """Return the date the engagement checks are made on.

    The latest activity date is taken as "now" of the data, so that a year
    loaded later is not judged against today's date. It is capped by today
    and by the end of the filter window. Without activities it is today.
    """
    today = pd.Timestamp(dt.date.today())
    candidates = [today]
    if not frames.activities.empty:
        candidates.append(frames.activities["occurred_on"].max().normalize())
    if filters is not None:
        _, end = filters.bounds()
        if end is not None:
            candidates.append(pd.Timestamp(end))
    return min(candidates)


def _keep_model(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Keep the chosen model's rows of a table split by model, or every row without a choice."""
    if filters.model is None or "model" not in table.columns:
        return table
    return table.loc[table["model"] == filters.model].reset_index(drop=True)


def _group_spans(groups: pd.DataFrame, reference_date: pd.Timestamp) -> pd.DataFrame:
    """Collapse groups to one row each, adding `last_on`: the end, or the reference date while open."""
    spans = engagement.group_table(groups)
    spans = spans.loc[spans["started_on"] <= reference_date].copy()
    spans["last_on"] = spans["ended_on"].fillna(reference_date).clip(upper=reference_date)
    return spans.reset_index(drop=True)


def _meeting_days(activities: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """List the days on which a group of `groups` logged a meeting, one row per group and day."""
    meetings = activities.loc[
        (activities["kind"] == "meeting") & activities["group_code"].isin(set(groups["group_code"]))
    ]
    days = meetings.drop_duplicates(subset=["group_code", "occurred_on"])
    return days[["group_code", "occurred_on", "model"]].reset_index(drop=True)


def group_meetings_wide(per_group: pd.DataFrame) -> pd.DataFrame:
    """Pivot meetings per group and month: rows `group_code (mentor_code)`, NaN where the group was closed."""
    wide = per_group.pivot_table(index=["group_code", "mentor_code"], columns="month",
                                 values="n_meetings", aggfunc="sum")
    wide.index = [f"{group} ({mentor})" for group, mentor in wide.index]
    return wide


def _formats_by_month(by_kind: pd.DataFrame) -> pd.DataFrame:
    """Sum activity rows and hours per month and format (in person or remote) over all kinds."""
    columns = ["month", "format", "n_activities", "hours"]
    if by_kind.empty:
        return pd.DataFrame(columns=columns)
    table = by_kind.groupby(["month", "format"], as_index=False)[["n_activities", "hours"]].sum()
    return table[columns]


def engagement_figures(
    frames: Frames,
    filters: Filters | None = None,
    reference_date: pd.Timestamp | dt.date | None = None,
) -> EngagementFigures:
    """Compute every table of the engagement page for the chosen filters."""
    filters = filters or Filters()
    if reference_date is None:
        reference_date = default_reference_date(frames, filters)
    reference_date = pd.Timestamp(reference_date).normalize()
    activities = filter_by_dates(frames.activities, "occurred_on", filters)
    activities = activities.loc[activities["occurred_on"] <= reference_date]
    groups = frames.groups
    if filters.model is not None:
        groups = groups.loc[groups["model"] == filters.model]

    months = engagement.activity_months(activities)
    per_group_meetings = engagement.meetings_per_group(activities, groups, reference_date)
    first_meetings = engagement.days_to_first_meeting(activities, groups)
    year_end = None
    if filters.school_year is not None:
        year_end = engagement.school_year_end(pd.Timestamp(filters.school_year, 9, 1))

    return EngagementFigures(
        reference_date=reference_date,
        months=months,
        active=_keep_model(
            engagement.monthly_active(activities, frames.participants, frames.groups,
                                      months),
            filters,
        ),
        totals=_keep_model(engagement.monthly_totals(activities, months), filters),
        by_kind=_keep_model(engagement.activities_by_month(activities), filters),
        heatmap=engagement.kind_month_pivot(
            activities, model=filters.model or engagement.ALL, months=months
        ),
        meetings=_keep_model(engagement.meetings_summary(per_group_meetings), filters),
        group_meetings=per_group_meetings,
        group_spans=_group_spans(groups, reference_date),
        meeting_days=_meeting_days(activities, groups),
        formats=_formats_by_month(_keep_model(engagement.activities_by_month(activities),
                                              filters)),
        first_meetings=first_meetings,
        first_meeting_summary=_keep_model(
            engagement.first_meeting_summary(first_meetings), filters
        ),
        inactive=engagement.inactive_groups(activities, groups, reference_date,
                                            days=INACTIVE_DAYS),
        dropout=_keep_model(engagement.dropout(groups, reference_date, year_end), filters),
    )


def engagement_summary(frames: Frames) -> dict[str, Any]:
    """Build the `engagement` key of `reports summary --json`.

    Besides the contract's four keys it adds `reference_date` (ISO date of
    the inactivity check) and, when a monthly share is null, `note`.
    """
    figures = engagement_figures(frames)
    active_all = figures.active.loc[figures.active["model"] == engagement.ALL]
    totals_all = figures.totals.loc[figures.totals["model"] == engagement.ALL]
    hours = frames.activities.groupby("model")["hours"].sum()
    result: dict[str, Any] = {
        "active_share_by_month": dict(
            zip(active_all["month"], active_all["active_share"], strict=True)
        ),
        "activities_by_month": {
            month: int(count)
            for month, count in zip(totals_all["month"], totals_all["n_activities"],
                                    strict=True)
        },
        "hours_by_model": {
            model: float(hours.get(model, 0.0)) for model in engagement.MODELS
        },
        "groups_without_activity_30d": len(figures.inactive),
        "reference_date": figures.reference_date.date().isoformat(),
    }
    if active_all["active_share"].isna().any():
        result["note"] = (
            "В месяцы с долей null ещё не было зарегистрированных участников."
        )
    return result
