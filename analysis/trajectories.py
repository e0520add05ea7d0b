"""Individual score trajectories across the assessment stages.

The trajectory of a participant is their score in one competence area at each
stage (diagnostic, pre, mid, post), in the order of the programme, for the
line chart of individual paths on the «Компетенции: до и после» page.
"""

from __future__ import annotations

import logging

import pandas as pd

from analysis.prepost import OVERALL

__all__ = ["STAGE_ORDER", "stage_trajectories"]

logger = logging.getLogger(__name__)

STAGE_ORDER = ("diagnostic", "pre", "mid", "post")
TRAJECTORY_COLUMNS = ["code", "model", "area", "stage", "stage_index", "score_percent", "n_areas"]
REQUIRED_COLUMNS = ("code", "area", "stage", "score_percent")


def stage_trajectories(
    data: pd.DataFrame, *, area: str, stages: tuple[str, ...] = STAGE_ORDER
) -> pd.DataFrame:
    """Collect each participant's score at every stage of one area.

    Parameters
    ----------
    data : pandas.DataFrame
        Assessments frame with at least ``code, area, stage, score_percent``;
        ``assessed_on`` and ``model`` are used when present.
    area : str
        A competence area, or ``"overall"`` for the mean over areas.
    stages : tuple of str
        Stages to keep, in the order they are drawn.

    Returns
    -------
    pandas.DataFrame
        One row per participant and stage that has a score, sorted by
        ``code`` and stage order. Columns:

        - ``code``, ``model``: the participant and the model of their latest
          row (missing when they are in no group).
        - ``area``: the requested area.
        - ``stage``, ``stage_index``: the stage and its position in
          ``stages`` (0 first).
        - ``score_percent``: the score in percent of the maximum.
        - ``n_areas``: the number of areas behind the score (1 for an area;
          for ``"overall"`` the areas assessed at that stage).

    Notes
    -----
    When a participant has several rows for one area and stage, the latest
    ``assessed_on`` is kept (the last input row among equal dates), the same
    rule as :func:`analysis.prepost.pair_scores`. Rows without a score are
    ignored. The ``"overall"`` score of a stage is the mean of the
    participant's area scores at that stage, so it can cover different areas
    at different stages. This differs from the ``"overall"`` of
    ``pair_scores``, which averages only the areas assessed both before and
    after. The chart shows paths, so it may differ slightly from the tested
    means, which come from ``pair_scores``. The input is not changed.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in data.columns]
    if missing:
        raise ValueError(
            f"assessments frame is missing columns {missing}; got {list(data.columns)}."
        )
    frame = data[data["stage"].isin(stages) & data["score_percent"].notna()].copy()
    if "model" not in frame.columns:
        frame["model"] = pd.NA
    if "assessed_on" in frame.columns:
        frame = frame.sort_values("assessed_on", kind="mergesort")
    models = frame.drop_duplicates("code", keep="last").set_index("code")["model"]
    latest = frame.drop_duplicates(["code", "area", "stage"], keep="last")

    if area == OVERALL:
        scores = (
            latest.groupby(["code", "stage"], sort=False)["score_percent"]
            .agg(score_percent="mean", n_areas="size")
            .reset_index()
        )
    else:
        scores = latest.loc[latest["area"] == area, ["code", "stage", "score_percent"]].copy()
        scores["n_areas"] = 1

    scores["model"] = scores["code"].map(models)
    scores["area"] = area
    scores["stage_index"] = scores["stage"].map({stage: i for i, stage in enumerate(stages)})
    scores["n_areas"] = scores["n_areas"].astype(int)
    scores = scores.sort_values(["code", "stage_index"], kind="mergesort")
    logger.debug("trajectories of %d participants in %s", scores["code"].nunique(), area)
    return scores[TRAJECTORY_COLUMNS].reset_index(drop=True)
