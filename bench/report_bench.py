"""Time the report for the demo school: `python bench/report_bench.py [--runs N]`.

Builds a fresh SQLite database in a temporary folder with the demo data of
sample_data/ (``db.demo.load_demo``) and the sample registers
(``db.registers.load_sample_registers``), then times ``reports.build.build_report``
for each format, in the same process, after one warm-up build that pays for
the imports. Prints one line per format with the median and the maximum of
the runs, and the machine it ran on. The target is a DOCX under 15 s.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session  # noqa: E402

from db.demo import SAMPLE_DATA, load_demo  # noqa: E402
from db.engine import dispose_engine, get_engine  # noqa: E402
from db.registers import default_school_id, load_sample_registers  # noqa: E402
from reports.build import FORMATS, build_report  # noqa: E402

logger = logging.getLogger("bench.report")
DOCX_LIMIT_SECONDS = 15.0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed builds per format")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = get_engine(url)
        started = time.perf_counter()
        load_demo(engine=engine)
        with Session(engine) as session:
            load_sample_registers(session, default_school_id(session), SAMPLE_DATA / "registers")
            session.commit()
        sys.stdout.write(f"demo loaded in {time.perf_counter() - started:.1f} s\n")
        build_report("docx", engine)  # warm-up: imports and font loading
        failed = False
        for fmt in FORMATS:
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                data = build_report(fmt, engine)
                timings.append(time.perf_counter() - started)
            median = statistics.median(timings)
            sys.stdout.write(
                f"{fmt}: median {median:.2f} s, max {max(timings):.2f} s "
                f"over {args.runs} runs, {len(data) // 1024} KiB\n"
            )
            if fmt == "docx" and max(timings) >= DOCX_LIMIT_SECONDS:
                failed = True
        dispose_engine(url)
    sys.stdout.write(f"machine: {machine()}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
