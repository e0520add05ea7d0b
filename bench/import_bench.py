"""Import throughput: a 200,000-row answers CSV and a 100,000-row activities XLSX.

For each backend (a temporary SQLite file; PostgreSQL at 127.0.0.1:5432 in a
throwaway database), the script times `import_file` and, as the baseline, plain
`pandas.read_csv`/`read_excel` plus one bulk insert of the same rows into an
unindexed table (`DataFrame.to_sql` on SQLite, `COPY` on PostgreSQL). It prints rows/s and
the ratio import/baseline.

Run from the project root: `.venv/bin/python -m bench.import_bench [--rows 200000] [--xlsx-rows 100000]
[--no-postgres]`. With `--memory [ROWS ...]` it measures instead how far one
answers import raises the peak resident size of a fresh process, beside the
same figure for the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import platform
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from db.engine import dispose_engine, get_engine
from db.importing import import_file
from db.schema import upgrade_schema

logger = logging.getLogger("bench")
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PARTICIPANTS = 2_000
QUESTIONS = 10


def participants_csv() -> bytes:
    lines = ["Код;ФИО;Роль;Дата регистрации"]
    lines += [f"B{i:05d};Участник {i:05d};наставляемый;01.09.2024" for i in range(PARTICIPANTS)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def answers_csv(rows: int) -> bytes:
    """Long answers: 10 questions per submission, respondents cycling, times one minute apart."""
    rng = np.random.default_rng(1)
    submissions = rows // QUESTIONS
    start = dt.datetime(2024, 9, 1, 8, 0)
    stamps = [(start + dt.timedelta(minutes=i)).strftime("%d.%m.%Y %H:%M") for i in range(submissions)]
    codes = [f"B{i % PARTICIPANTS:05d}" for i in range(submissions)]
    frame = pd.DataFrame({
        "Дата": np.repeat(stamps, QUESTIONS),
        "Код": np.repeat(codes, QUESTIONS),
        "Анкета": "удовлетворенность наставляемого",
        "Вопрос": np.tile([f"Вопрос {q + 1}" for q in range(QUESTIONS)], submissions),
        "Ответ": rng.integers(1, 6, submissions * QUESTIONS).astype(str),
    })
    return frame.to_csv(index=False, sep=";").encode("utf-8")


def activities_xlsx(rows: int) -> bytes:
    rng = np.random.default_rng(2)
    start = dt.datetime(2024, 9, 1, 8, 0)
    frame = pd.DataFrame({
        "Дата": [start + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 400_000, rows)],
        "Код участника": [f"B{i % PARTICIPANTS:05d}" for i in range(rows)],
        "Вид": rng.choice(["встреча", "консультация", "вебинар"], rows),
        "Формат": rng.choice(["очно", "дистанционно"], rows),
        "Часы": rng.choice([0.5, 1.0, 1.5], rows),
        "Название": [f"Мероприятие {i}" for i in range(rows)],
    })
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="xlsxwriter")
    return buffer.getvalue()


def baseline(engine, content: bytes, xlsx: bool) -> float:
    """Seconds for pandas read plus one bulk insert of the same rows (no checks, no indexes).

    SQLite gets `DataFrame.to_sql` (executemany). PostgreSQL gets `COPY`
    through psycopg, its fastest bulk path; `to_sql` there is many times
    slower and would flatter the import.
    """
    started = time.perf_counter()
    frame = pd.read_excel(io.BytesIO(content)) if xlsx else pd.read_csv(io.BytesIO(content), sep=";")
    name = f"baseline_{uuid.uuid4().hex[:6]}"
    if engine.dialect.name != "postgresql":
        frame.to_sql(name, engine, index=False, chunksize=5_000)
        return time.perf_counter() - started
    frame.head(0).to_sql(name, engine, index=False)
    columns = ", ".join(f'"{column}"' for column in frame.columns)
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    with engine.begin() as conn:
        with conn.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
    return time.perf_counter() - started


def measure(engine, name: str, content: bytes, rows: int, xlsx: bool) -> dict:
    started = time.perf_counter()
    report = import_file(content, name, engine=engine)
    seconds = time.perf_counter() - started
    assert report.imported == rows, (report.imported, report.rejected[:3])
    base = baseline(engine, content, xlsx)
    return {"backend": engine.dialect.name, "file": name, "rows": rows, "seconds": seconds,
            "rows_per_s": rows / seconds, "baseline_s": base, "ratio": seconds / base}


def run_backend(url: str, answers: bytes, activities: bytes, rows: int, xlsx_rows: int) -> list[dict]:
    engine = get_engine(url)
    upgrade_schema(engine)
    import_file(participants_csv(), "participants.csv", engine=engine)
    results = [measure(engine, "answers.csv", answers, rows, False),
               measure(engine, "activities.xlsx", activities, xlsx_rows, True)]
    dispose_engine(url)
    return results


def _memory_kib(field: str) -> int:
    """Read one `Vm…` field of /proc/self/status (Linux), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _peak_rise_child(path: str, rows: int, floor: bool, queue) -> None:
    """Measure, in a fresh process, how far one import of the file (or the floor) raises the peak resident size.

    `ru_maxrss` cannot be used: Linux carries the parent's high-water mark
    over into a child after exec. The child resets its own high-water mark
    (VmHWM) through /proc/self/clear_refs and reads it after the import.
    """
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(f"sqlite:///{Path(folder) / 'memory.db'}")
        upgrade_schema(engine)
        import_file(participants_csv(), "participants.csv", engine=engine)
        Path("/proc/self/clear_refs").write_text("5")
        before = _memory_kib("VmRSS")
        if floor:
            baseline(engine, Path(path).read_bytes(), xlsx=False)
        else:
            report = import_file(path, engine=engine)
            assert report.imported == rows, report.rejected[:3]
        after = _memory_kib("VmHWM")
        dispose_engine(str(engine.url))
    queue.put((after - before) / 1024)


def peak_rise(path: Path, rows: int, floor: bool) -> float:
    """Return how far importing the answers file at `path` into SQLite raises the peak resident size, in MiB.

    Each measurement runs in a new process that reads the file from disk, as the
    command line does, so memory freed by earlier work cannot hide the rise.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_peak_rise_child, args=(str(path), rows, floor, queue))
    child.start()
    result = queue.get(timeout=600)
    child.join()
    return result


def memory_table(sizes: list[int]) -> None:
    print("| answers rows | file, MiB | import: peak rise, MiB | pandas+to_sql: peak rise, MiB |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = Path(folder) / f"answers_{rows}.csv"
            path.write_bytes(answers_csv(rows))
            rise, floor_rise = peak_rise(path, rows, floor=False), peak_rise(path, rows, floor=True)
            print(f"| {rows} | {path.stat().st_size / 2**20:.1f} | {rise:.0f} | {floor_rise:.0f} |")


def machine_description() -> str:
    """CPU model, core count and the versions that the figures depend on."""
    import os
    import sqlite3

    import psycopg

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"pandas {pd.__version__}, SQLAlchemy {sa.__version__}, SQLite {sqlite3.sqlite_version}, "
            f"psycopg {psycopg.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the answers CSV")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the activities XLSX")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--memory", type=int, nargs="*", metavar="ROWS",
                        help="measure only the peak memory of importing answers files of these sizes "
                             "(default 50000 200000 400000), each in a fresh process")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.memory is not None:
        print(f"machine: {machine_description()}")
        memory_table(args.memory or [50_000, 200_000, 400_000])
        return
    answers, activities = answers_csv(args.rows), activities_xlsx(args.xlsx_rows)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results += run_backend(f"sqlite:///{Path(folder) / 'bench.db'}", answers, activities,
                               args.rows, args.xlsx_rows)
    if not args.no_postgres:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            results += run_backend(url, answers, activities, args.rows, args.xlsx_rows)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"machine: {machine_description()}")
    print("| backend | file | rows | import, s | rows/s | pandas+bulk insert, s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['file']} | {r['rows']} | {r['seconds']:.2f} | "
              f"{r['rows_per_s']:.0f} | {r['baseline_s']:.2f} | {r['ratio']:.2f} |")


if __name__ == "__main__":
    main()
