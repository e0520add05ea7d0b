"""`python -m reports build`: write the report for the education department as DOCX, PDF or XLSX."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from reports.document import Progress, ReportContent, build_report_content

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf", "xlsx")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(content: ReportContent, fmt: str) -> bytes:
    """Render built content in one format."""
    if fmt == "docx":
        from reports.docx_report import render_docx

        return render_docx(content)
    if fmt == "pdf":
        from reports.pdf_report import render_pdf

        return render_pdf(content)
    if fmt == "xlsx":
        from reports.xlsx_report import render_xlsx

        return render_xlsx(content)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def build_report(
    fmt: str,
    engine: Engine | None = None,
    *,
    internal: bool = False,
    progress: Progress | None = None,
) -> bytes:
    """Build the report from the database and return the file's bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    started = time.perf_counter()
    content = build_report_content(
        engine, internal=internal, progress=progress, figures=fmt != "xlsx"
    )
    if progress:
        progress(0.9, "Запись файла")
    data = render(content, fmt)
    if progress:
        progress(1.0, "Готово")
    logger.info("%s report built in %.1f s (%d bytes)", fmt, time.perf_counter() - started, len(data))
    return data


def add_build_parser(commands) -> None:
    """Add the `build` subcommand to the `python -m reports` parser."""
    parser = commands.add_parser("build", help="сформировать отчёт для управления образования")
    parser.add_argument("--format", choices=FORMATS, required=True, help="формат файла отчёта")
    parser.add_argument("--out", type=Path, required=True, help="путь к файлу отчёта")
    parser.add_argument(
        "--internal",
        action="store_true",
        help="показать ФИО участников рядом с кодами (только для внутреннего пользования)",
    )
    parser.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.parent and not out.parent.exists():
        sys.stderr.write(f"Папка {out.parent} не существует; создайте её или укажите другой --out.\n")
        return 2
    data = build_report(args.format, internal=args.internal)
    out.write_bytes(data)
    sys.stdout.write(f"Отчёт записан: {out} ({len(data) // 1024} КБ)\n")
    return 0
