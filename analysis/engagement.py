"""Engagement: active participants, activities, meetings, inactive groups, dropout.

Pure functions on the ``activities``, ``groups`` and ``participants`` frames.
Months are ``"YYYY-MM"`` strings. Where a result is split by model, the
``model`` column contains ``"digital"``, ``"traditional"`` and ``"all"``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "ALL",
    "KINDS",
    "activities_by_month",
    "activity_months",
    "days_to_first_meeting",
    "dropout",
    "first_meeting_summary",
    "group_table",
    "inactive_groups",
    "kind_month_pivot",
    "meetings_per_group",
    "meetings_summary",
    "monthly_active",
    "monthly_totals",
    "school_year_end",
]

ALL = "all"
MODELS = ("digital", "traditional")
KINDS = (
    "meeting", "consultation", "open_lesson", "webinar", "contest", "project",
    "material", "digital_resource", "personal_site", "other",
)
# Rows with no model (a participant in no group) are kept under this label.
NO_MODEL = "none"


def _month(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m")


def _month_range(first: pd.Timestamp, last: pd.Timestamp) -> list[str]:
    periods = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
    return [str(period) for period in periods]


def activity_months(activities: pd.DataFrame) -> list[str]:
    """Return every month from the first to the last activity, as "YYYY-MM"."""
    if activities.empty:
        return []
    return _month_range(activities["occurred_on"].min(), activities["occurred_on"].max())


def _resolve_months(
    activities: pd.DataFrame, months: list[str] | None
) -> list[str]:
    return list(months) if months is not None else activity_months(activities)


def school_year_end(reference_date: pd.Timestamp) -> pd.Timestamp:
    """Return 31 May of the school year (September to August) containing the date."""
    reference_date = pd.Timestamp(reference_date)
    year = reference_date.year + 1 if reference_date.month >= 9 else reference_date.year
    return pd.Timestamp(year=year, month=5, day=31)


def _models_of_participants(groups: pd.DataFrame) -> pd.DataFrame:
    """Return pairs (code, model) for everyone in a group as mentor or mentee."""
    as_mentee = groups[["mentee_code", "model"]].rename(columns={"mentee_code": "code"})
    as_mentor = groups[["mentor_code", "model"]].rename(columns={"mentor_code": "code"})
    return pd.concat([as_mentee, as_mentor]).dropna().drop_duplicates()


def monthly_active(
    activities: pd.DataFrame,
    participants: pd.DataFrame,
    groups: pd.DataFrame,
    months: list[str] | None = None,
) -> pd.DataFrame:
    """Count active participants per month and their share of those registered.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities frame (``occurred_on``, ``code``).
    participants : pandas.DataFrame
        The participants frame (``code``, ``registered_on``).
    groups : pandas.DataFrame
        The groups frame, which places participants in a model.
    months : list of str, optional
        ``"YYYY-MM"`` months to report; by default every month from the first
        to the last activity.

    Returns
    -------
    pandas.DataFrame
        One row per month and model (``"all"``, ``"digital"``,
        ``"traditional"``): ``month``, ``model``, ``n_registered``
        (participants registered by the month's end), ``n_active`` (of them,
        those named by at least one activity row in the month),
        ``active_share`` (``n_active / n_registered``, NaN when nobody is
        registered) and ``n_active_not_registered`` (codes active in the month
        but not registered by its end, including unknown codes; they are left
        out of the share, which therefore never exceeds 1).

    Notes
    -----
    A participant belongs to a model when they are a mentor or mentee of a
    group of that model, whatever the group's dates; someone in groups of
    both models counts in both, and someone in no group only in ``"all"``.
    Checked against hand-counted frames in the tests.
    """
    months = _resolve_months(activities, months)
    month_of_activity = activities.assign(month=_month(activities["occurred_on"]))
    active_pairs = month_of_activity[["month", "code"]].drop_duplicates()
    memberships = _models_of_participants(groups)
    registered_on = participants.set_index("code")["registered_on"]

    rows = []
    for month in months:
        month_end = pd.Period(month, freq="M").end_time.normalize()
        registered = set(registered_on.index[registered_on <= month_end])
        active = set(active_pairs.loc[active_pairs["month"] == month, "code"])
        for model in (ALL, *MODELS):
            if model == ALL:
                members = registered
                active_in_model = active
            else:
                in_model = set(memberships.loc[memberships["model"] == model, "code"])
                members = registered & in_model
                active_in_model = active & in_model
            n_registered = len(members)
            n_active = len(active_in_model & members)
            rows.append({
                "month": month,
                "model": model,
                "n_registered": n_registered,
                "n_active": n_active,
                "active_share": n_active / n_registered if n_registered else np.nan,
                "n_active_not_registered": len(active_in_model - members),
            })
    columns = ["month", "model", "n_registered", "n_active", "active_share",
               "n_active_not_registered"]
    return pd.DataFrame(rows, columns=columns)


def activities_by_month(activities: pd.DataFrame) -> pd.DataFrame:
    """Count activity rows and hours by month, model, kind and format.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities frame.

    Returns
    -------
    pandas.DataFrame
        One row per month, model, kind and format that occurs:
        ``month``, ``model`` (``"none"`` for a participant in no group),
        ``kind``, ``format``, ``n_activities`` (rows), ``hours`` (sum of the
        given hours) and ``n_hours_missing`` (rows without hours).

    Notes
    -----
    One activity row names one participant, so a meeting logged by the
    mentor and by two mentees counts three times; this measures
    participation, not events (:func:`meetings_per_group` counts events).
    Missing hours add nothing to ``hours`` and are counted instead.
    """
    frame = activities.assign(
        month=_month(activities["occurred_on"]),
        model=activities["model"].fillna(NO_MODEL),
    )
    keys = ["month", "model", "kind", "format"]
    grouped = frame.groupby(keys, dropna=False).agg(
        n_activities=("code", "size"),
        hours=("hours", "sum"),
        n_hours_missing=("hours", lambda h: int(h.isna().sum())),
    )
    return grouped.reset_index()


def monthly_totals(
    activities: pd.DataFrame, months: list[str] | None = None
) -> pd.DataFrame:
    """Total activity rows and hours per month and model, with running totals.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities frame.
    months : list of str, optional
        Months to report (zeros where nothing happened); by default every
        month from the first to the last activity.

    Returns
    -------
    pandas.DataFrame
        One row per month and model (``"all"``, ``"digital"``,
        ``"traditional"``): ``month``, ``model``, ``n_activities``,
        ``hours``, ``cumulative_activities`` and ``cumulative_hours``
        (running sums over the months in order).

    Notes
    -----
    ``"all"`` includes rows of participants in no group, so it can exceed
    the sum of the two models.
    """
    months = _resolve_months(activities, months)
    frame = activities.assign(month=_month(activities["occurred_on"]))
    parts = []
    for model in (ALL, *MODELS):
        selected = frame if model == ALL else frame[frame["model"] == model]
        totals = selected.groupby("month").agg(
            n_activities=("code", "size"), hours=("hours", "sum")
        )
        totals = totals.reindex(months, fill_value=0).rename_axis("month").reset_index()
        totals["model"] = model
        totals["cumulative_activities"] = totals["n_activities"].cumsum()
        totals["cumulative_hours"] = totals["hours"].cumsum()
        parts.append(totals)
    columns = ["month", "model", "n_activities", "hours", "cumulative_activities",
               "cumulative_hours"]
    return pd.concat(parts, ignore_index=True)[columns]


def kind_month_pivot(
    activities: pd.DataFrame,
    value: str = "n_activities",
    model: str = ALL,
    months: list[str] | None = None,
) -> pd.DataFrame:
    """Pivot activities to kinds by months, for a heatmap.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities frame.
    value : {"n_activities", "hours"}
        Count of rows or sum of hours.
    model : {"all", "digital", "traditional"}
        Model to include.
    months : list of str, optional
        Columns to show; by default every month from the first to the last
        activity.

    Returns
    -------
    pandas.DataFrame
        Index: every kind of :data:`KINDS` in that order (plus any other kind
        found); columns: the months; cells: counts or hours, 0 where nothing
        happened.
    """
    if value not in ("n_activities", "hours"):
        raise ValueError(f"value must be 'n_activities' or 'hours', got {value!r}")
    months = _resolve_months(activities, months)
    frame = activities if model == ALL else activities[activities["model"] == model]
    frame = frame.assign(month=_month(frame["occurred_on"]))
    if value == "n_activities":
        table = frame.pivot_table(index="kind", columns="month", values="code",
                                  aggfunc="size", fill_value=0)
    else:
        table = frame.pivot_table(index="kind", columns="month", values="hours",
                                  aggfunc="sum", fill_value=0.0)
    extra_kinds = sorted(set(table.index) - set(KINDS))
    return table.reindex(index=[*KINDS, *extra_kinds], columns=months, fill_value=0)


def group_table(groups: pd.DataFrame) -> pd.DataFrame:
    """Collapse the groups frame to one row per group.

    Parameters
    ----------
    groups : pandas.DataFrame
        The groups frame (one row per mentee in a group).

    Returns
    -------
    pandas.DataFrame
        ``group_code``, ``mentor_code``, ``model``, ``started_on`` (earliest
        start of its rows), ``ended_on`` (latest end, NaT while any mentee's
        row is open) and ``n_mentees``.
    """
    grouped = groups.groupby("group_code")
    table = grouped.agg(
        mentor_code=("mentor_code", "first"),
        model=("model", "first"),
        started_on=("started_on", "min"),
        ended_on=("ended_on", "max"),
        n_mentees=("mentee_code", "nunique"),
    )
    still_open = grouped["ended_on"].apply(lambda ended: ended.isna().any())
    table.loc[still_open, "ended_on"] = pd.NaT
    return table.reset_index()


def _meeting_events(activities: pd.DataFrame) -> pd.DataFrame:
    """Return one row per meeting event: (group_code, occurred_on, moment)."""
    meetings = activities[
        (activities["kind"] == "meeting") & activities["group_code"].notna()
    ]
    moment = meetings["occurred_at"].fillna(meetings["occurred_on"])
    events = meetings.assign(moment=moment)[["group_code", "occurred_on", "moment"]]
    return events.drop_duplicates(subset=["group_code", "moment"])


def meetings_per_group(
    activities: pd.DataFrame, groups: pd.DataFrame, reference_date: pd.Timestamp
) -> pd.DataFrame:
    """Count meetings of each group in every month it was open.

    Parameters
    ----------
    activities, groups : pandas.DataFrame
        The activities and groups frames.
    reference_date : pandas.Timestamp
        Open groups are counted up to this date's month.

    Returns
    -------
    pandas.DataFrame
        One row per group and month from its start to its end (or the
        reference date): ``group_code``, ``mentor_code``, ``model``,
        ``month`` and ``n_meetings`` (0 when none).

    Notes
    -----
    A meeting is a distinct (``group_code``, ``occurred_at``) among rows of
    kind ``"meeting"``, so the mentor's and the mentees' rows of one meeting
    count once. ``occurred_on`` is used when the time is missing.
    Meetings outside the group's open months are not counted.
    """
    reference_date = pd.Timestamp(reference_date)
    events = _meeting_events(activities)
    counts = events.assign(month=_month(events["occurred_on"]))
    counts = counts.groupby(["group_code", "month"]).size()

    rows = []
    for group in group_table(groups).itertuples(index=False):
        last = group.ended_on if pd.notna(group.ended_on) else reference_date
        last = min(last, reference_date)
        if group.started_on > last:
            continue
        for month in _month_range(group.started_on, last):
            rows.append({
                "group_code": group.group_code,
                "mentor_code": group.mentor_code,
                "model": group.model,
                "month": month,
                "n_meetings": int(counts.get((group.group_code, month), 0)),
            })
    columns = ["group_code", "mentor_code", "model", "month", "n_meetings"]
    return pd.DataFrame(rows, columns=columns)


def meetings_summary(per_group: pd.DataFrame) -> pd.DataFrame:
    """Average meetings per open group per month, by model.

    Parameters
    ----------
    per_group : pandas.DataFrame
        Output of :func:`meetings_per_group`.

    Returns
    -------
    pandas.DataFrame
        One row per month and model (``"all"`` included): ``month``,
        ``model``, ``n_groups`` (groups open in the month), ``n_meetings``
        and ``mean_meetings`` (per open group).
    """
    both = pd.concat([per_group, per_group.assign(model=ALL)])
    summary = both.groupby(["month", "model"]).agg(
        n_groups=("group_code", "nunique"), n_meetings=("n_meetings", "sum")
    )
    summary["mean_meetings"] = summary["n_meetings"] / summary["n_groups"]
    return summary.reset_index()


def days_to_first_meeting(
    activities: pd.DataFrame, groups: pd.DataFrame
) -> pd.DataFrame:
    """Measure the days from each group's start to its first meeting.

    Parameters
    ----------
    activities, groups : pandas.DataFrame
        The activities and groups frames.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group_code``, ``mentor_code``, ``model``,
        ``started_on``, ``first_meeting_on`` (NaT when the group has not met
        since its start), ``days_to_first_meeting`` (float, NaN without a
        meeting) and ``has_meeting`` (bool).

    Notes
    -----
    Only meetings on or after ``started_on`` count, so an introductory
    meeting logged before the official start gives no negative delay.
    """
    events = _meeting_events(activities)
    table = group_table(groups)[["group_code", "mentor_code", "model", "started_on"]]
    joined = table.merge(events[["group_code", "occurred_on"]], on="group_code",
                         how="left")
    joined = joined[joined["occurred_on"].isna()
                    | (joined["occurred_on"] >= joined["started_on"])]
    first = joined.groupby("group_code")["occurred_on"].min().rename("first_meeting_on")
    result = table.merge(first, on="group_code", how="left")
    result["days_to_first_meeting"] = (
        result["first_meeting_on"] - result["started_on"]
    ).dt.days.astype("float64")
    result["has_meeting"] = result["first_meeting_on"].notna()
    return result


def first_meeting_summary(first_meetings: pd.DataFrame) -> pd.DataFrame:
    """Summarise the delay to the first meeting by model.

    Parameters
    ----------
    first_meetings : pandas.DataFrame
        Output of :func:`days_to_first_meeting`.

    Returns
    -------
    pandas.DataFrame
        One row per model (``"all"`` first): ``model``, ``n_groups``,
        ``n_with_meeting``, ``median_days`` and ``mean_days`` (over groups
        that met; NaN when none did).
    """
    rows = []
    for model in (ALL, *MODELS):
        selected = first_meetings if model == ALL else first_meetings[
            first_meetings["model"] == model
        ]
        days = selected["days_to_first_meeting"].dropna()
        rows.append({
            "model": model,
            "n_groups": len(selected),
            "n_with_meeting": int(days.size),
            "median_days": float(days.median()) if days.size else np.nan,
            "mean_days": float(days.mean()) if days.size else np.nan,
        })
    return pd.DataFrame(rows)


def inactive_groups(
    activities: pd.DataFrame,
    groups: pd.DataFrame,
    reference_date: pd.Timestamp,
    days: int = 30,
) -> pd.DataFrame:
    """List open groups with no activity for ``days`` days ("на контроле").

    Parameters
    ----------
    activities, groups : pandas.DataFrame
        The activities and groups frames.
    reference_date : pandas.Timestamp
        The date the check is made on.
    days : int
        Days without activity that put a group on the list.

    Returns
    -------
    pandas.DataFrame
        Groups open on the reference date (started on or before it, not
        ended before it) whose last activity, or start when they have none,
        lies at least ``days`` days back, longest silence first:
        ``group_code``, ``mentor_code``, ``model``, ``n_mentees``,
        ``started_on``, ``last_activity_on`` (NaT when none) and
        ``days_without_activity``.

    Notes
    -----
    Only activity rows that name the group (``group_code``) count, of any
    kind, dated on or before the reference date. A group that started
    fewer than ``days`` days ago is never listed.
    """
    reference_date = pd.Timestamp(reference_date).normalize()
    table = group_table(groups)
    is_open = (table["started_on"] <= reference_date) & (
        table["ended_on"].isna() | (table["ended_on"] >= reference_date)
    )
    table = table[is_open]
    past = activities[activities["occurred_on"] <= reference_date]
    last = past.groupby("group_code")["occurred_on"].max().rename("last_activity_on")
    table = table.merge(last, on="group_code", how="left")
    since = table["last_activity_on"].fillna(table["started_on"])
    table["days_without_activity"] = (reference_date - since).dt.days
    listed = table[table["days_without_activity"] >= days]
    columns = ["group_code", "mentor_code", "model", "n_mentees", "started_on",
               "last_activity_on", "days_without_activity"]
    listed = listed.sort_values("days_without_activity", ascending=False)
    return listed[columns].reset_index(drop=True)


def dropout(
    groups: pd.DataFrame,
    reference_date: pd.Timestamp,
    year_end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Count mentees and groups that ended early, by model.

    Parameters
    ----------
    groups : pandas.DataFrame
        The groups frame (one row per mentee in a group).
    reference_date : pandas.Timestamp
        The date the count is made on; groups starting later are ignored.
    year_end : pandas.Timestamp, optional
        End of the programme's school year; by default 31 May of the school
        year containing the reference date (:func:`school_year_end`).

    Returns
    -------
    pandas.DataFrame
        One row per model (``"all"`` first): ``model``, ``n_mentees``
        (mentee rows started by the reference date), ``n_dropped`` (of them,
        rows with ``ended_on`` on or before the reference date and before
        the year's end), ``dropout_share`` (NaN without mentees),
        ``n_groups``, ``n_groups_ended_early`` (groups whose every row ended
        early) and ``groups_dropout_share``.

    Notes
    -----
    An end date after the reference date is a plan, not a dropout, so it is
    not counted yet; an end on or after ``year_end`` is a regular finish.
    """
    reference_date = pd.Timestamp(reference_date).normalize()
    year_end = school_year_end(reference_date) if year_end is None else pd.Timestamp(
        year_end
    )
    started = groups[groups["started_on"] <= reference_date]
    early = (
        started["ended_on"].notna()
        & (started["ended_on"] <= reference_date)
        & (started["ended_on"] < year_end)
    )
    started = started.assign(early=early)
    rows = []
    for model in (ALL, *MODELS):
        selected = started if model == ALL else started[started["model"] == model]
        per_group = selected.groupby("group_code")["early"].all()
        n_mentees = len(selected)
        n_groups = int(per_group.size)
        rows.append({
            "model": model,
            "n_mentees": n_mentees,
            "n_dropped": int(selected["early"].sum()),
            "dropout_share": selected["early"].mean() if n_mentees else np.nan,
            "n_groups": n_groups,
            "n_groups_ended_early": int(per_group.sum()),
            "groups_dropout_share": per_group.mean() if n_groups else np.nan,
        })
    return pd.DataFrame(rows)
