"""Data command line: `python -m db init | demo | dictionary PATH | import PATH... [--kind KIND] [--dry-run] [--skip-invalid] [--json]`.

`import` also takes `--map "Столбец=поле"` and `--set поле=значение` (both
repeatable) for tables whose headers are not the template's.

Exit status: 0 when nothing was rejected, 1 when something was (or a file could
not be read), 2 for unusable arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path

from db.errors import DataError, ImportValidationError, UnknownKindError
from db.importing.load import stderr_progress

logger = logging.getLogger("db")

KIND_CHOICES = ("participants", "groups", "assessments", "activities", "answers", "form")


class _Parser(argparse.ArgumentParser):
    """argparse with Russian headings, help option and error prefix (exit status 2 as usual)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "аргументы"
        self._optionals.title = "параметры"
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "использование:", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "использование:", 1)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: ошибка: {_russian_error(message)}", file=sys.stderr)
        sys.exit(2)


# argparse's own English error texts (Python 3.12) and their Russian wording.
_ARGPARSE_ERRORS = (
    ("the following arguments are required:", "не указаны обязательные аргументы:"),
    ("unrecognized arguments:", "неизвестные аргументы:"),
    ("expected one argument", "нужно одно значение"),
    ("invalid choice:", "недопустимое значение:"),
    ("choose from", "допустимые значения:"),
    ("argument ", "аргумент "),
)


def _russian_error(message: str) -> str:
    for english, russian in _ARGPARSE_ERRORS:
        message = message.replace(english, russian)
    return message


def _kind(value: str) -> str:
    if value not in KIND_CHOICES:
        raise argparse.ArgumentTypeError(
            f"неизвестный вид данных «{value}». Допустимые виды: {', '.join(KIND_CHOICES)}.")
    return value


def _pair(value: str) -> tuple[str, str]:
    name, separator, target = value.partition("=")
    if not separator or not name.strip() or not target.strip():
        raise argparse.ArgumentTypeError(
            f"«{value}» не в виде «имя=значение». Пример: --map \"Балл до=score:pre\", "
            "--set max_score=100.")
    return name.strip(), target.strip()


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"«{value}» — не номер строки: нужно целое число от 1.")
    return number


def _header_depth(value: str) -> int:
    if value.strip() not in ("1", "2"):
        raise argparse.ArgumentTypeError(f"«{value}»: заголовок занимает 1 или 2 строки.")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m db", description="Данные программы наставничества.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("init", help="создать или обновить схему базы данных; в пустую базу "
                                     "загрузить словарь анкет программы")
    dictionary = commands.add_parser(
        "dictionary", help="загрузить или обновить словарь анкет и шкал (JSON, как "
                           "sample_data/questionnaires.json)")
    dictionary.add_argument("path", type=Path, metavar="PATH", help="файл словаря анкет")
    commands.add_parser("demo", help="загрузить демонстрационные данные из sample_data/")
    load = commands.add_parser("import", help="загрузить файлы CSV или XLSX")
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="файлы для загрузки")
    load.add_argument("--kind", type=_kind, metavar="KIND",
                      help="вид данных: " + ", ".join(KIND_CHOICES)
                      + " (по умолчанию определяется по заголовкам)")
    load.add_argument("--map", action="append", type=_pair, default=[], metavar="СТОЛБЕЦ=ПОЛЕ",
                      help="сопоставить столбец файла полю шаблона (ключ поля: code, full_name, "
                           "score, score:pre, score:post, ... или ignore); можно повторять")
    load.add_argument("--set", action="append", type=_pair, default=[], metavar="ПОЛЕ=ЗНАЧЕНИЕ",
                      help="значение поля для всех строк, если в файле нет такого столбца "
                           "(например, stage=до, max_score=100, format=очно); можно повторять")
    load.add_argument("--dry-run", action="store_true", help="проверить файлы, ничего не записывая")
    load.add_argument("--skip-invalid", action="store_true",
                      help="записать верные строки, а ошибочные сохранить в <файл>.rejected.csv")
    load.add_argument("--json", action="store_true", help="вывести по одному JSON-объекту на файл")
    load.add_argument("--sheet", metavar="ЛИСТ",
                      help="лист книги Excel (по умолчанию первый лист, подходящий к шаблону)")
    load.add_argument("--header-row", type=_positive, metavar="N",
                      help="номер строки заголовка, как в Excel (по умолчанию определяется сам)")
    load.add_argument("--header-rows", type=_header_depth, default=1, metavar="1|2",
                      help="сколько строк занимает заголовок в книге Excel: 1 или 2 "
                           "(двухстрочный заголовок с объединёнными ячейками)")
    load.add_argument("--questionnaire", help="ключ анкеты для выгрузки формы")
    load.add_argument("--anonymous", action="store_true",
                      help="загрузить выгрузку формы без кода, e-mail и ФИО как анонимные ответы "
                           "(они не связываются с педагогами)")
    load.add_argument("--accept-repaired", action="store_true",
                      help="загрузить текст, восстановленный из «кракозябр» (UTF-8, открытого как "
                           "Windows-1251); без отметки такой файл отклоняется")
    return parser


STATUS_TEXT = {"imported": "загружено", "rejected": "отклонено, ничего не записано",
               "dry_run": "проверка без записи"}


def _skipped_lines(report) -> list[str]:
    """Say why rows were skipped: one line per reason, the respondents to review on one line."""
    from collections import Counter

    from db.importing.forms import REVIEW_REASON_TEXT

    review_rows = {review["row"] for review in report.reviews}
    reasons = Counter(message for row, message in report.skipped_rows if row not in review_rows)
    lines = [f"Пропущено строк: {count} — {message}." for message, count in reasons.most_common()]
    if report.reviews:
        by_reason = Counter(review["reason"] for review in report.reviews)
        details = "; ".join(f"{REVIEW_REASON_TEXT.get(reason, reason)}: {count}"
                            for reason, count in by_reason.most_common())
        lines.append(f"Пропущено строк: {len(report.reviews)} — респондент {details}. Их ответы "
                     "отложены в список «Проверка респондентов» на странице «Данные»: там можно "
                     "указать участника или добавить нового.")
    return lines


def _print_report(report, as_json: bool, max_lines: int = 20) -> None:
    """Print one file's report: JSON with every issue, or text with at most `max_lines` error lines.

    The text groups rejected cells that differ only in the row number into one
    line, which lists the first rows and counts the others.
    """
    from db.importing.validate import group_issues

    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False, default=str))
        return
    print(f"{report.file}: {report.kind}, строк {report.rows_total}: загружено {report.imported}, "
          f"повторов {report.duplicates}, пропущено {report.skipped}, "
          f"с ошибками {report.rejected_rows} ({STATUS_TEXT.get(report.status, report.status)})")
    for line in _skipped_lines(report):
        print(f"  {line}")
    groups = group_issues(report.rejected, report.file)
    for group in groups[:max_lines]:
        print(f"  {group.line(report.file)}")
    if len(groups) > max_lines:
        print(f"  Показаны {max_lines} из {len(groups)} сообщений об ошибках. Все ошибки по ячейкам "
              "выводит параметр --json, а с --skip-invalid строки с ошибками сохраняются в файл.")
    for warning in report.warnings:
        print(f"  Внимание: {warning}")
    if report.rejected_file:
        print(f"  Строки с ошибками сохранены в {report.rejected_file}")


def run_import(args) -> int:
    from db.engine import get_engine
    from db.importing.load import dry_run_set
    from db.importing.order import order_paths

    missing = [str(path) for path in args.paths if not path.is_file()]
    if missing:
        print(f"Файл не найден: {', '.join(missing)}", file=sys.stderr)
        return 2
    if (args.map or args.set) and not args.kind:
        print("Для --map и --set укажите вид данных: --kind KIND.", file=sys.stderr)
        return 2
    status = 0
    # Several files form one set: each may refer to codes from the files before it, in dry runs too.
    checking_set = dry_run_set(get_engine()) if args.dry_run and len(args.paths) > 1 else nullcontext()
    with checking_set:
        for path in order_paths(args.paths, args.kind, sheet=args.sheet, header_row=args.header_row,
                                header_depth=args.header_rows):
            status = max(status, _import_one(path, args))
    return status


def _import_one(path: Path, args) -> int:
    """Import one file of the command line and print its report; return its exit status."""
    from db.importing.load import describe_file, import_file

    try:
        report = import_file(path, kind=args.kind, dry_run=args.dry_run,
                             mapping=dict(args.map) or None, defaults=dict(args.set) or None,
                             skip_invalid=args.skip_invalid, questionnaire=args.questionnaire,
                             sheet=args.sheet, header_row=args.header_row,
                             header_depth=args.header_rows, progress=stderr_progress(path.name),
                             accept_repaired=args.accept_repaired, anonymous=args.anonymous)
    except ImportValidationError as error:
        if isinstance(error, UnknownKindError):
            error.message += (f" В командной строке: --kind ({', '.join(KIND_CHOICES)}), "
                              "--map \"Столбец=поле\" и --set поле=значение.")
        if args.json:
            print(json.dumps({"file": path.name, "kind": args.kind, "rows_total": 0, "imported": 0,
                              "duplicates": 0, "skipped": 0, "rejected": [
                                  {"row": error.row, "column": error.column, "value": error.value,
                                   "message": error.message}],
                              "detected": describe_file(
                                  path, sheet=args.sheet, header_row=args.header_row,
                                  header_depth=args.header_rows)}, ensure_ascii=False, default=str))
        else:
            print(error.message, file=sys.stderr)
        return 1
    _print_report(report, args.json)
    return 1 if report.rejected else 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "init":
            from db.demo import load_standard_questionnaires
            from db.schema import upgrade_schema

            upgrade_schema()
            keys = load_standard_questionnaires()
            if keys:
                print(f"Загружен словарь анкет программы: {', '.join(keys)}.")
            return 0
        if args.command == "dictionary":
            from db.importing.scales import load_questionnaires

            if not args.path.is_file():
                print(f"Файл не найден: {args.path}", file=sys.stderr)
                return 2
            keys = load_questionnaires(args.path)
            print(f"Словарь анкет загружен: {', '.join(keys)}.")
            return 0
        if args.command == "demo":
            from db.demo import load_demo

            reports = load_demo()
            return 1 if any(report.rejected for report in reports) else 0
        return run_import(args)
    except DataError as error:
        print(str(error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
