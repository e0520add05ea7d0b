"""Programme effectiveness for the summary, the pages and the report.

One place turns the assessments and activities frames into the pre/post,
comparison and dose-response tables, so the app, ``python -m reports summary``
and the documents show the same numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.comparison import COMPARISON_COLUMNS, attrition, compare_models
from analysis.dose_response import dose_response
from analysis.filters import Filters, filter_by_dates
from analysis.prepost import PREPOST_COLUMNS, prepost_change
from reports.frames import Frames

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Effectiveness:
    """Tables of the two «Результаты» pages; each is empty without assessments."""

    prepost: pd.DataFrame
    comparison: pd.DataFrame
    dose: pd.DataFrame
    attrition: pd.DataFrame


def _assessments(frames: Frames, filters: Filters | None) -> pd.DataFrame:
    """Assessments inside the filters' date window; model and area filters apply later."""
    if filters is None:
        return frames.assessments
    return filter_by_dates(frames.assessments, "assessed_on", filters)


def _has_pre_and_post(assessments: pd.DataFrame) -> bool:
    stages = set(assessments["stage"].dropna())
    return {"pre", "post"} <= stages


def prepost_table(
    frames: Frames, filters: Filters | None = None, p_adjust: str = "holm"
) -> pd.DataFrame:
    """Compute only the pre/post table of `effectiveness_tables`, for pages that need no comparison."""
    assessments = _assessments(frames, filters)
    if assessments.empty or not _has_pre_and_post(assessments):
        return pd.DataFrame()
    return prepost_change(assessments, p_adjust=p_adjust)


def effectiveness_tables(
    frames: Frames, filters: Filters | None = None, p_adjust: str = "holm"
) -> Effectiveness:
    """Compute the pre/post, comparison, dose-response and attrition tables.

    The date filter selects assessments by ``assessed_on``. The pages pick
    the model and area rows from the result, because the ``"overall"`` score
    and the comparison need every area and both models. ``p_adjust``
    (``"holm"`` or ``"fdr_bh"``) adjusts the pre/post and the model
    comparison p-values across areas.
    """
    assessments = _assessments(frames, filters)
    if assessments.empty or not _has_pre_and_post(assessments):
        logger.info("no pre and post assessments in the window: effectiveness tables are empty")
        empty = pd.DataFrame()
        return Effectiveness(empty, empty, empty, empty)
    return Effectiveness(
        prepost=prepost_change(assessments, p_adjust=p_adjust),
        comparison=compare_models(assessments, p_adjust=p_adjust),
        dose=dose_response(assessments, frames.activities),
        attrition=attrition(assessments),
    )


def _records(table: pd.DataFrame, first: list[str]) -> list[dict[str, Any]]:
    """Rows as dicts with the contract keys first; NaN becomes None in json_ready."""
    if table.empty:
        return []
    columns = first + [column for column in table.columns if column not in first]
    return table[columns].astype(object).to_dict("records")


def pre_post_summary(frames: Frames) -> list[dict[str, Any]]:
    """Build the ``pre_post`` key of ``reports summary --json``."""
    if frames.assessments.empty or not _has_pre_and_post(frames.assessments):
        return []
    return _records(prepost_change(frames.assessments), PREPOST_COLUMNS)


def comparison_summary(frames: Frames) -> list[dict[str, Any]]:
    """Build the ``comparison`` key of ``reports summary --json``."""
    if frames.assessments.empty or not _has_pre_and_post(frames.assessments):
        return []
    return _records(compare_models(frames.assessments), COMPARISON_COLUMNS)
