"""`python -m reports summary --json`: the key figures of the current database.

Each top-level key of the data contract has one builder. A builder takes a
`Frames` object (the frames read once from the database) and returns a plain
JSON-ready value. Builders are listed in `BUILDERS` in the data contract's order.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from reports.effectiveness import comparison_summary, pre_post_summary
from reports.engagement import engagement_summary
from reports.frames import Frames, load_frames
from reports.indicators import indicators_summary
from reports.participants import participants_summary
from reports.rating import mentor_rating_summary
from reports.satisfaction import satisfaction_summary

logger = logging.getLogger(__name__)

Builder = Callable[[Frames], Any]

# Add a section's builder here (import above) when its module exists.
BUILDERS: dict[str, Builder] = {
    "participants": participants_summary,
    "pre_post": pre_post_summary,
    "comparison": comparison_summary,
    "engagement": engagement_summary,
    "satisfaction": satisfaction_summary,
    "mentor_rating": mentor_rating_summary,
    "indicators": indicators_summary,
}


def json_ready(value: Any) -> Any:
    """Replace NaN and infinities with None and numpy scalars with Python numbers."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def build_summary(engine: Engine | None = None, frames: Frames | None = None) -> dict[str, Any]:
    """Compute every key of the summary from one read of the database."""
    frames = frames or load_frames(engine)
    summary: dict[str, Any] = {}
    for key, builder in BUILDERS.items():
        started = time.perf_counter()
        summary[key] = json_ready(builder(frames))
        elapsed = time.perf_counter() - started
        if elapsed > 1.0:
            logger.info("summary key %s took %.1f s", key, elapsed)
    return summary
