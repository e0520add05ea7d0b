"""Command line of the reports layer: `python -m reports summary --json` and `build`."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from reports.build import add_build_parser
from reports.summary import build_summary


def _summary(args: argparse.Namespace) -> int:
    summary = build_summary()
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for key, value in summary.items():
            sys.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reports", description="Сводные показатели и отчёт программы наставничества."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="ключевые показатели текущей базы")
    summary.add_argument("--json", action="store_true", help="вывести один объект JSON")
    summary.set_defaults(handler=_summary)
    add_build_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
