"""What an import would do, before anything is written: the «Данные» page shows this."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from db.errors import ImportValidationError
from db.importing.load import no_rows_message, totals_message
from db.importing.mappings import MappingMatch
from db.importing.reading import read_table
from db.importing.templates import KIND_TITLES, detect_kind
from db.importing.validate import resolve_mapping, validate_table
from db.importing.values import PercentValue, is_blank, parse_number

PREVIEW_ROWS = 20


@dataclass
class Preview:
    """What the reader detected and how the columns map to template fields."""

    file: str
    kind: str | None
    kind_title: str | None
    kind_scores: dict[str, float]
    file_format: str
    encoding: str | None
    delimiter: str | None
    decimal_mark: str | None
    date_format: str | None
    header_rows: list[int]
    sheet: str | None
    sheet_names: list[str]
    columns: list[str]
    mapping: dict[str, str]  # column -> field key (template) or role (form)
    first_rows: pd.DataFrame
    rows: int
    blank_rows: list[int]
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    mojibake: str | None = None  # None | "repaired" | "unrepairable"
    mojibake_sample: list[tuple[str, str]] = field(default_factory=list)  # (in the file, repaired)
    questionnaire: str | None = None  # form exports: the questionnaire the answers go to
    saved_mapping: MappingMatch | None = None  # form exports: the saved mapping applied
    totals_note: str | None = None  # set when the table contains totals per person, not one row per event
    respondent_column: bool = True  # form exports: False when no column identifies the respondent


def _percent_warnings(frame: pd.DataFrame) -> list[str]:
    warnings = []
    for column in frame.columns:
        count = 0
        for value in frame[column]:
            if isinstance(value, str) and value.strip().endswith("%") and not is_blank(value):
                try:
                    parse_number(value)
                except PercentValue:
                    count += 1
                except ValueError:
                    pass
        if count:
            warnings.append(
                f"В столбце «{column}» {count} знач. записаны в процентах (например, «85%»). "
                "Такие ячейки не будут загружены как числа: укажите балл без знака %."
            )
    return warnings


def preview_file(source: str | Path | bytes, name: str | None = None, *, kind: str | None = None,
                 sheet: str | None = None, header_row: int | None = None, header_depth: int = 1,
                 engine=None, mapping: dict[str, str] | None = None,
                 defaults: dict[str, object] | None = None,
                 questionnaire: str | None = None) -> Preview:
    """Read a file and describe it without writing anything.

    For template kinds the rows are validated too, and the first problems are
    listed. For form exports the saved column mapping that fits is applied
    (unless `mapping` is given), and answer labels unknown to the scale
    dictionary are counted when `engine` (or the default database) has it.
    `mapping` and `defaults` are applied to template kinds as `import_file` applies them.
    """
    if isinstance(source, bytes | bytearray):
        content, file_name = bytes(source), name or "файл"
    else:
        content, file_name = Path(source).read_bytes(), name or Path(source).name
    table = read_table(content, file_name, sheet=sheet, header_row=header_row, header_depth=header_depth)
    detected, scores = detect_kind(table.columns)
    kind = kind or detected
    preview = Preview(
        file=file_name, kind=kind, kind_title=KIND_TITLES.get(kind or ""), kind_scores=scores,
        file_format=table.file_format, encoding=table.encoding, delimiter=table.delimiter,
        decimal_mark=table.decimal_mark, date_format=None, header_rows=table.header_rows,
        sheet=table.sheet_name, sheet_names=table.sheet_names, columns=table.columns, mapping={},
        first_rows=table.data.head(PREVIEW_ROWS), rows=len(table.row_numbers),
        blank_rows=table.blank_rows, warnings=list(table.warnings) + _percent_warnings(table.data),
        mojibake=table.mojibake, mojibake_sample=table.mojibake_sample,
    )
    if table.totals:
        preview.totals_note = totals_message(table)
    if not table.row_numbers and not table.totals:
        preview.problems.append(no_rows_message(table))
    if kind in KIND_TITLES and kind != "form":
        preview.mapping = resolve_mapping(table.columns, kind, mapping)
        try:
            validated = validate_table(table, kind, mapping=mapping, defaults=defaults)
        except ImportValidationError as error:
            preview.problems.append(error.message)
        else:
            preview.date_format = validated.date_format
            preview.problems.extend(issue.message for issue in validated.rejected[:50])
    elif kind == "form":
        _describe_form(preview, table, engine, mapping, questionnaire)
    return preview


def _describe_form(preview: Preview, table, engine, mapping: dict[str, str] | None,
                   questionnaire: str | None) -> None:
    """Fill the form part of a preview: roles, saved mapping, questionnaire and answer checks."""
    from db.engine import get_engine
    from db.importing.forms import (
        answer_columns,
        choose_questionnaire,
        classify_columns,
        has_respondent_column,
        multiselect_notes,
        question_columns,
        saved_mapping_notes,
        without_empty_identity,
    )
    from db.importing.mappings import find_mapping
    from db.importing.scales import load_dictionary

    engine = engine or get_engine()
    try:
        with engine.connect() as conn:
            dictionary = load_dictionary(conn)
            saved = None if mapping is not None else find_mapping(conn, table.columns, questionnaire)
    except sa.exc.SQLAlchemyError:  # no schema yet: the preview still shows the table
        dictionary, saved = {}, None
    if saved is not None:
        mapping = saved.roles
        questionnaire = questionnaire or saved.questionnaire_key
        preview.saved_mapping = saved
        preview.warnings.extend(saved_mapping_notes(saved))
    preview.mapping, identity_notes = without_empty_identity(classify_columns(table.columns, mapping), table)
    preview.warnings.extend(identity_notes)
    preview.respondent_column = has_respondent_column(preview.mapping)
    try:
        info = choose_questionnaire(list(question_columns(preview.mapping).values()), dictionary,
                                    questionnaire, table.file_name)
    except ImportValidationError as error:
        preview.problems.append(error.message)
        return
    preview.questionnaire = info.key
    questions = answer_columns(preview.mapping, info)
    preview.warnings.extend(multiselect_notes(table, questions, info))
    counts: Counter = Counter()
    for column, text in questions.items():
        question = info.question(text)
        if question is None or question.scale is None:
            continue
        for value in table.data[column]:
            if is_blank(value):
                continue
            _value, reason = question.scale.score(str(value))
            if reason in ("unknown_label", "out_of_scale"):
                counts[f"«{str(value).strip()}» на вопрос «{question.text}»"] += 1
    preview.unknown_labels = dict(counts)
    for label, count in preview.unknown_labels.items():
        preview.warnings.append(f"Ответ {label} не найден в словаре шкал ({count} раз).")
