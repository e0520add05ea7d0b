"""Time pair scoring and assignment on a synthetic school of 500 mentees and 150 mentors.

Run: ``python bench/matching_bench.py [--mentees 500] [--mentors 150] [--repeat 3]``.
The data are random (fixed seed), so the timings measure the code, not a
real staff. Prints one line per step with the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import matching  # noqa: E402

AREAS = ["ФГИС «Моя школа»", "Сферум", "ЦОК", "Облачное хранилище", "Тесты", "ЦОР"]
INTERESTS = [f"интерес {i}" for i in range(20)]
SUBJECTS = ["Математика", "Физика", "История", "Русский язык", "Биология", "ИЗО"]
FORMATS = ["очно", "дистанционно", "не важно"]
SCHEDULES = ["утро", "день", "вечер"]
STYLES = ["мягкий", "строгий", "не важно"]


def build_instance(n_mentees: int, n_mentors: int, max_capacity: int = 4, seed: int = 7):
    rng = np.random.default_rng(seed)
    mentors = [f"M{i:04d}" for i in range(n_mentors)]
    mentees = [f"E{i:04d}" for i in range(n_mentees)]
    codes = mentors + mentees
    scores = np.vstack(
        [rng.uniform(60, 100, (n_mentors, len(AREAS))), rng.uniform(20, 90, (n_mentees, len(AREAS)))]
    )
    competence = pd.DataFrame(scores, index=pd.Index(codes, name="code"), columns=AREAS)
    profiles = pd.DataFrame(
        {
            "code": codes,
            "subject": rng.choice(SUBJECTS, len(codes)),
            "interests": [
                list(rng.choice(INTERESTS, int(rng.integers(0, 5)), replace=False)) for _ in codes
            ],
            "format": rng.choice(FORMATS, len(codes)),
            "schedule": rng.choice(SCHEDULES, len(codes)),
            "style": rng.choice(STYLES, len(codes)),
        }
    )
    capacity = {m: int(rng.integers(1, max_capacity + 1)) for m in mentors}
    return competence, profiles, mentors, mentees, capacity


def best_of(repeat: int, step):
    timings = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = step()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=500, help="number of mentees")
    parser.add_argument("--mentors", type=int, default=150, help="number of mentors")
    parser.add_argument("--max-capacity", type=int, default=4,
                        help="each mentor takes 1 to this many mentees, drawn at random")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best counts")
    args = parser.parse_args()

    competence, profiles, mentors, mentees, capacity = build_instance(
        args.mentees, args.mentors, args.max_capacity
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    print(
        f"instance: {len(mentees)} mentees x {len(mentors)} mentors, "
        f"total capacity {sum(capacity.values())}"
    )

    seconds, pairs = best_of(
        args.repeat, lambda: matching.score_pairs(competence, profiles, mentors, mentees)
    )
    print(f"score_pairs: {seconds:.3f} s for {len(pairs)} pairs")
    for mode in matching.MODES:
        seconds, chosen = best_of(
            args.repeat, lambda mode=mode: matching.assign_pairs(pairs, capacity, mode=mode, floor=0.3)
        )
        print(f"assign_pairs mode={mode}: {seconds:.3f} s, {len(chosen)} pairs, "
              f"total score {chosen['score'].sum():.3f}")
    seconds, _ = best_of(
        args.repeat,
        lambda: matching.explain_pairs(chosen, competence, profiles),
    )
    print(f"explain_pairs: {seconds:.3f} s for {len(chosen)} pairs")


if __name__ == "__main__":
    main()
