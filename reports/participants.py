"""The `participants` key: head counts."""

from __future__ import annotations

from analysis.overview import participant_counts
from reports.frames import Frames


def participants_summary(frames: Frames) -> dict[str, int]:
    return participant_counts(frames.participants, frames.groups)
