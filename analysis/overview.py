"""Head-count figures for the overview page and the `participants` JSON key."""

from __future__ import annotations

import pandas as pd

MENTOR_ROLES = ("mentor", "both")
MENTEE_ROLES = ("mentee", "both")


def participant_counts(participants: pd.DataFrame, groups: pd.DataFrame) -> dict[str, int]:
    """Count teachers, mentors, mentees and groups by model.

    Parameters
    ----------
    participants : DataFrame
        The participants frame (`code`, `role`).
    groups : DataFrame
        The groups frame, one row per mentee in a group (`group_code`, `model`).

    Returns
    -------
    dict
        `teachers` (every registered participant), `mentors` (role mentor or
        both), `mentees` (role mentee or both), `groups_digital` and
        `groups_traditional` (distinct group codes per model).

    Notes
    -----
    A teacher with the role "both" counts once as a teacher and once in each
    of `mentors` and `mentees`, so `mentors + mentees` may exceed `teachers`.
    """
    roles = participants["role"]
    distinct_groups = groups.drop_duplicates("group_code")
    by_model = distinct_groups["model"].value_counts()
    return {
        "teachers": int(len(participants)),
        "mentors": int(roles.isin(MENTOR_ROLES).sum()),
        "mentees": int(roles.isin(MENTEE_ROLES).sum()),
        "groups_digital": int(by_model.get("digital", 0)),
        "groups_traditional": int(by_model.get("traditional", 0)),
    }


def activities_by_month(activities: pd.DataFrame) -> pd.DataFrame:
    """Count activity rows per calendar month.

    Returns
    -------
    DataFrame
        `month` (text `YYYY-MM`), `activities` (rows), `hours` (sum, missing
        hours count as 0), sorted by month. Empty input gives an empty frame.
    """
    if activities.empty:
        return pd.DataFrame({"month": [], "activities": [], "hours": []})
    month = activities["occurred_on"].dt.strftime("%Y-%m")
    table = (
        activities.assign(month=month, hours=activities["hours"].fillna(0.0))
        .groupby("month", as_index=False)
        .agg(activities=("kind", "size"), hours=("hours", "sum"))
    )
    return table.sort_values("month").reset_index(drop=True)
