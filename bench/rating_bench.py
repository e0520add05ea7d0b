"""Time the mentor rating with intervals on a large synthetic programme.

Usage: ``.venv/bin/python bench/rating_bench.py [--mentors 2000]
[--mentees 20000] [--draws 1000] [--repeat 5]``. Prints the frame sizes and
the best and median wall time of ``analysis.rating.mentor_rating``, building
all components from the raw frames. The data are random and synthetic.
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.rating import PRODUCT_KINDS, mentor_rating  # noqa: E402

logger = logging.getLogger("rating_bench")

AREAS = ("ФГИС Моя школа", "Сферум", "Цифровые образовательные ресурсы")


def synthetic_programme(
    n_mentors: int, n_mentees: int, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Build groups, assessments, mentee scores and activities for the benchmark."""
    rng = np.random.default_rng(seed)
    mentor_codes = np.array([f"M{i:05d}" for i in range(n_mentors)])
    mentee_codes = np.array([f"E{i:06d}" for i in range(n_mentees)])
    mentor_of = rng.integers(0, n_mentors, n_mentees)
    groups = pd.DataFrame({
        "group_code": np.char.add("G", mentor_codes[mentor_of]),
        "mentor_code": mentor_codes[mentor_of],
        "mentee_code": mentee_codes,
        "model": np.where(mentor_of % 2 == 0, "digital", "traditional"),
    })

    mentor_effect = rng.normal(0, 5, n_mentors)[mentor_of]
    pre = rng.uniform(20, 70, (n_mentees, len(AREAS)))
    post = np.clip(pre + 10 + mentor_effect[:, None] + rng.normal(0, 8, pre.shape), 0, 100)
    assessments = pd.concat([
        pd.DataFrame({
            "code": np.repeat(mentee_codes, len(AREAS)),
            "area": np.tile(AREAS, n_mentees),
            "stage": stage,
            "assessed_on": pd.Timestamp(date),
            "score_percent": values.ravel(),
        })
        for stage, date, values in (("pre", "2024-10-01", pre), ("post", "2025-05-15", post))
    ], ignore_index=True)

    answered = rng.random(n_mentees) < 0.8
    mentee_scores = pd.DataFrame({
        "code": mentee_codes[answered],
        "score_percent": np.clip(rng.normal(75, 15, answered.sum()), 0, 100),
    })

    n_rows = 5 * n_mentees
    actor = rng.integers(0, n_mentees, n_rows)
    kinds = np.array(["meeting", "consultation", *PRODUCT_KINDS])
    moments = pd.Timestamp("2024-10-01") + pd.to_timedelta(
        rng.integers(0, 240 * 24, n_rows), unit="h"
    )
    activities = pd.DataFrame({
        "occurred_at": moments,
        "occurred_on": moments.normalize(),
        "code": mentee_codes[actor],
        "group_code": groups["group_code"].to_numpy()[actor],
        "kind": kinds[rng.integers(0, kinds.size, n_rows)],
        "format": "remote",
        "hours": rng.choice([0.5, 1.0, 1.5, np.nan], n_rows),
    })
    return {"groups": groups, "assessments": assessments,
            "mentee_scores": mentee_scores, "activities": activities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=2000, help="number of mentors")
    parser.add_argument("--mentees", type=int, default=20000, help="number of mentees")
    parser.add_argument("--draws", type=int, default=1000, help="posterior draws")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    frames = synthetic_programme(args.mentors, args.mentees)
    sizes = ", ".join(f"{name} {len(frame)} rows" for name, frame in frames.items())
    logger.info("frames: %s", sizes)

    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        rating = mentor_rating(**frames, n_draws=args.draws)
        timings.append(time.perf_counter() - start)
    logger.info(
        "mentor_rating: %d mentors, %d ranked; best %.3f s, median %.3f s over %d runs",
        len(rating), rating["rank"].notna().sum(), min(timings),
        statistics.median(timings), args.repeat,
    )
    logger.info("python %s, numpy %s, pandas %s", platform.python_version(),
                np.__version__, pd.__version__)


if __name__ == "__main__":
    main()
