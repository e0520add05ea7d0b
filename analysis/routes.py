"""Progress of individual routes: planned versus done steps, and targets reached."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

STEP_STATUSES = ("planned", "done", "cancelled")
BASELINE_STAGES = ("pre", "diagnostic")


def _check_steps(steps: pd.DataFrame) -> None:
    missing = {"route_id", "planned_on", "status"} - set(steps.columns)
    if missing:
        raise ValueError(f"steps frame is missing columns: {sorted(missing)}")
    unknown = set(steps["status"].dropna()) - set(STEP_STATUSES)
    if unknown:
        raise ValueError(f"unknown step status {sorted(unknown)}; expected {list(STEP_STATUSES)}")


def route_progress(steps: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Count planned, due, done and overdue steps per route on a given day.

    Parameters
    ----------
    steps : pandas.DataFrame
        One row per step with ``route_id``, ``planned_on`` (date),
        ``status`` (``planned``, ``done``, ``cancelled``).
    as_of : datetime.date
        The day on which steps are judged due.

    Returns
    -------
    pandas.DataFrame
        One row per route with ``route_id``, ``n_steps`` (steps not
        cancelled), ``n_done``, ``n_due`` (not cancelled, planned on or
        before ``as_of``), ``n_overdue`` (due and not done), ``n_cancelled``,
        ``share_done`` (``n_done / n_steps``) and ``share_due_done``
        (done among due steps: ``(n_due − n_overdue) / n_due``).

    Notes
    -----
    A share is missing (NaN) when its denominator is 0: a route without
    steps, or with none due yet. A step done ahead of its date counts as
    done but not as due.
    """
    _check_steps(steps)
    data = steps.assign(
        planned_on=pd.to_datetime(steps["planned_on"]),
        active=steps["status"] != "cancelled",
        done=steps["status"] == "done",
    )
    data["due"] = data["active"] & (data["planned_on"] <= pd.Timestamp(as_of))
    data["overdue"] = data["due"] & ~data["done"]
    table = (
        data.groupby("route_id")
        .agg(
            n_steps=("active", "sum"),
            n_done=("done", "sum"),
            n_due=("due", "sum"),
            n_overdue=("overdue", "sum"),
            n_cancelled=("active", lambda s: int((~s).sum())),
        )
        .astype(int)
        .reset_index()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share_done"] = table["n_done"] / table["n_steps"].replace(0, np.nan)
        table["share_due_done"] = (table["n_due"] - table["n_overdue"]) / table["n_due"].replace(
            0, np.nan
        )
    return table


def progress_timeline(steps: pd.DataFrame) -> pd.DataFrame:
    """Build cumulative planned and done step counts by date for one route's chart.

    Returns a frame with ``date``, ``planned_cumulative`` (steps not
    cancelled, by ``planned_on``) and ``done_cumulative`` (done steps, by
    ``done_on``, or by ``planned_on`` when ``done_on`` is missing), one row
    per date on which either count changes, in date order.
    """
    _check_steps(steps)
    active = steps[steps["status"] != "cancelled"]
    planned = pd.to_datetime(active["planned_on"]).value_counts()
    done_rows = active[active["status"] == "done"]
    done_dates = pd.to_datetime(
        done_rows["done_on"] if "done_on" in done_rows else done_rows["planned_on"]
    ).fillna(pd.to_datetime(done_rows["planned_on"]))
    done = done_dates.value_counts()
    dates = sorted(set(planned.index) | set(done.index))
    timeline = pd.DataFrame({"date": pd.to_datetime(dates)})
    timeline["planned_cumulative"] = planned.reindex(dates, fill_value=0).cumsum().to_numpy()
    timeline["done_cumulative"] = done.reindex(dates, fill_value=0).cumsum().to_numpy()
    return timeline


def target_attainment(
    targets: pd.DataFrame, assessments: pd.DataFrame, codes: Iterable[str]
) -> pd.DataFrame:
    """Compare the levels reached at the mid and post assessments with the targets.

    Parameters
    ----------
    targets : pandas.DataFrame
        ``area`` and ``target_percent`` of one route.
    assessments : pandas.DataFrame
        ``assessments_frame`` (``code``, ``area``, ``stage``,
        ``assessed_on``, ``score_percent``).
    codes : iterable of str
        The route's mentee, or every mentee of a group route.

    Returns
    -------
    pandas.DataFrame
        One row per code and target area. Columns: ``code``, ``area``,
        ``target_percent``, ``baseline_percent`` (pre, else diagnostic),
        ``mid_percent``, ``post_percent``, ``reached_mid`` and
        ``reached_post`` (boolean, missing without that assessment), and
        ``gap_post`` (``target_percent − post_percent``, which is positive
        while the target is not reached).

    Notes
    -----
    The latest assessment of each stage counts. A target counts as reached
    when the score is at least the target.
    """
    codes = [str(c) for c in codes]
    data = assessments[assessments["code"].astype(str).isin(codes)]
    if "assessed_on" in data:
        data = data.sort_values("assessed_on", kind="stable")
    latest = data.drop_duplicates(["code", "area", "stage"], keep="last")
    wide = latest.pivot_table(
        index=["code", "area"], columns="stage", values="score_percent", aggfunc="last"
    )
    grid = pd.MultiIndex.from_product([codes, list(targets["area"])], names=["code", "area"])
    wide = wide.reindex(grid)
    result = pd.DataFrame(
        {
            "code": grid.get_level_values("code"),
            "area": grid.get_level_values("area"),
            "target_percent": np.tile(targets["target_percent"].to_numpy(dtype=float), len(codes)),
        }
    )
    stage = {name: wide.get(name, pd.Series(np.nan, index=grid)).to_numpy(dtype=float)
             for name in ("pre", "diagnostic", "mid", "post")}
    result["baseline_percent"] = np.where(np.isnan(stage["pre"]), stage["diagnostic"], stage["pre"])
    result["mid_percent"] = stage["mid"]
    result["post_percent"] = stage["post"]
    for name in ("mid", "post"):
        reached = pd.array(stage[name] >= result["target_percent"].to_numpy(), dtype="boolean")
        reached[np.isnan(stage[name])] = pd.NA
        result[f"reached_{name}"] = reached
    result["gap_post"] = result["target_percent"] - result["post_percent"]
    return result
