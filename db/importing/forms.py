"""Form exports (Google, Yandex, Microsoft Forms, or any one-row-per-respondent table) to answers.

Every column is either respondent metadata (time, e-mail, name, code, export
ids) or a question. Respondents are matched to participants by code, then
e-mail, then full name; a respondent who fits nobody or several people goes to
the review list (`respondent_review`) and is never merged silently.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.errors import ImportValidationError
from db.importing.answers import SubmissionDraft, content_hash, unknown_label_notes, write_submissions
from db.importing.load import ImportReport, _detected, new_report, run_import
from db.importing.mappings import QUESTION_PREFIX, MappingMatch, find_mapping, is_valid_role
from db.importing.people import Directory
from db.importing.reading import RawTable
from db.importing.scales import QuestionnaireInfo, load_dictionary
from db.importing.validate import CellIssue, cell_message
from db.importing.values import (
    InvalidValue,
    is_blank,
    normalize_label,
    parse_datetime,
    quote,
)
from db.importing.writers import WriteResult
from db.models import RespondentReview

logger = logging.getLogger(__name__)

# Header spellings of metadata columns, folded; the first timestamp found in this order wins.
META_COLUMNS = {
    "timestamp": ("отметка времени", "timestamp", "время завершения", "completion time",
                  "время создания", "время отправки", "дата и время", "дата"),
    "email": ("адрес электронной почты", "email", "e-mail", "электронная почта", "почта",
              "email address"),
    "full_name": ("фио", "имя", "name", "фио педагога", "ваше фио", "фамилия, имя, отчество",
                  "фамилия имя отчество"),
    "code": ("код", "код участника"),
    "ignore": ("id", "id ответа", "время начала", "start time", "последнее изменение",
               "last modified time", "№", "номер"),
}
IDENTITY_ROLES = {"email", "full_name", "code"}
# Folded values that anonymous exports put in the e-mail or name column (Microsoft Forms: «anonymous»).
ANONYMOUS_MARKERS = {"anonymous", "аноним", "анонимно", "анонимный пользователь"}
ANONYMOUS_ROWS_NOTE = (
    "В этих строках вместо кода, e-mail или ФИО пусто или «anonymous»: они загружены как "
    "анонимные ответы, не связанные с педагогами, и в сводки по участникам, группам и моделям "
    "не входят."
)
ANONYMOUS_NOTE = (
    "Анкета загружена как анонимная: в выгрузке нет кода, e-mail или ФИО, поэтому ответы "
    "не связаны с педагогами. Они сохранены и учтены в журнале загрузок, но в сводки по "
    "участникам, группам и моделям наставничества не входят."
)
REVIEW_REASON_TEXT = {
    "not_found": "не найден среди участников",
    "ambiguous": "подходит нескольким участникам",
    "namesake": "совпадает по ФИО с другим респондентом, у которого другой адрес",
}


def classify_columns(columns: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Return {column: role}; role is a metadata name or "question"."""
    roles: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        if mapping and column in mapping:
            roles[column] = mapping[column]
            taken.add(mapping[column])
    for role in ("timestamp", "email", "full_name", "code"):
        if role in taken:
            continue
        for spelling in META_COLUMNS[role]:
            match = next((c for c in columns if c not in roles and normalize_label(c) == spelling), None)
            if match:
                roles[match] = role
                break
    for column in columns:
        if column not in roles:
            roles[column] = "ignore" if normalize_label(column) in META_COLUMNS["ignore"] else "question"
    return roles


def no_respondent_message(file_name: str) -> str:
    return (f"Файл {file_name}: нет столбца, по которому можно узнать респондента (код, адрес "
            "электронной почты или ФИО). Включите сбор адресов в форме или добавьте столбец ФИО; "
            "если анкета анонимная, загрузите её как анонимную (на странице «Данные» — отметка "
            "«Анонимная анкета», в командной строке — --anonymous).")


def question_columns(roles: dict[str, str]) -> dict[str, str]:
    """Return {column: question text} of the question columns; a "question:<text>" role names the text."""
    result = {}
    for column, role in roles.items():
        if role == "question":
            result[column] = column
        elif role.startswith(QUESTION_PREFIX):
            result[column] = role[len(QUESTION_PREFIX):]
    return result


def saved_mapping_notes(match: MappingMatch) -> list[str]:
    """Describe in Russian which saved mapping was applied and what changed in the form since."""
    notes = [f"Применено сохранённое сопоставление столбцов «{match.name}» "
             f"(анкета «{match.questionnaire_key}»)."]
    if match.renamed:
        notes.append("Переименованы (сопоставлены по похожему тексту): " + "; ".join(
            f"«{old}» → «{new}»" for old, new in match.renamed) + ". Проверьте, что это те же вопросы.")
    if match.new:
        notes.append("Новые столбцы, которых не было в сохранённом сопоставлении: " + "; ".join(
            f"«{column}»" for column in match.new) + ". Они распознаны автоматически.")
    if match.missing:
        notes.append("В выгрузке нет столбцов из сохранённого сопоставления: " + "; ".join(
            f"«{column}»" for column in match.missing) + ".")
    return notes


def multiselect_notes(table: RawTable, questions: dict[str, str], info: QuestionnaireInfo) -> list[str]:
    """Warn about answers that look like several options joined by commas but have no option list.

    Without the list of options an answer such as «Доска, панель, Zoom» cannot
    be split safely (an option may contain a comma itself), so it is stored
    whole, and the user is told.
    """
    notes = []
    for column, text in questions.items():
        question = info.question(text)
        if question is not None and question.kind == "multi" and question.options:
            continue
        values = [str(value) for value in table.data[column] if not is_blank(value)]
        joined = sum(1 for value in values if ", " in value)
        declared_multi = question is not None and question.kind == "multi"
        if declared_multi or (joined >= 2 and joined * 2 >= len(values)):
            notes.append(
                f"Вопрос «{text}» похож на вопрос с несколькими вариантами ответа, но списка "
                "вариантов в словаре шкал нет. Ответы сохранены целиком, без разбиения по запятым: "
                "варианты сами могут содержать запятые. Добавьте варианты в словарь шкал, чтобы "
                "их можно было разделить."
            )
    return notes


def choose_questionnaire(questions: list[str], dictionary: dict[str, QuestionnaireInfo],
                         requested: str | None, file_name: str) -> QuestionnaireInfo:
    if requested:
        folded = normalize_label(requested)
        for info in dictionary.values():
            if folded in (normalize_label(info.key), normalize_label(info.title)):
                if questions and not any(info.question(q) is not None for q in questions):
                    raise ImportValidationError(
                        f"Файл {file_name}: ни один вопрос формы не найден в анкете «{info.key}» "
                        f"({info.title}). Вопросы формы: "
                        + "; ".join(f"«{q}»" for q in questions[:5])
                        + ("…" if len(questions) > 5 else "")
                        + ". Выберите анкету, к которой относится форма, или загрузите словарь "
                        "анкет с этими вопросами (python -m db dictionary ФАЙЛ).", file=file_name)
                return info
        raise ImportValidationError(
            f"Файл {file_name}: анкета «{requested}» не найдена в словаре шкал. "
            f"Известные анкеты: {', '.join(dictionary) or 'нет'}.", file=file_name)
    scores = {key: sum(1 for q in questions if info.question(q) is not None)
              for key, info in dictionary.items()}
    best = max(scores, key=scores.get, default=None)
    if best is None or scores[best] == 0:
        raise ImportValidationError(
            f"Файл {file_name}: вопросы формы не совпадают ни с одной анкетой словаря шкал. "
            "Загрузите словарь (questionnaires.json) или укажите анкету явно.", file=file_name)
    return dictionary[best]


def without_empty_identity(roles: dict[str, str], table: RawTable) -> tuple[dict[str, str], list[str]]:
    """Turn identity columns that identify nobody into ignored columns; return the roles and notes.

    Microsoft Forms exports an anonymous form with its e-mail column filled
    with «anonymous» and the name column empty. Such a column cannot match a
    participant, so it must not make the form look identified.
    """
    roles, notes = dict(roles), []
    for column, role in roles.items():
        if role not in IDENTITY_ROLES or column not in table.data.columns:
            continue
        values = {normalize_label(str(value)) for value in table.data[column] if not is_blank(value)}
        if values <= ANONYMOUS_MARKERS:
            roles[column] = "ignore"
            shown = "пустой" if not values else "содержит только «" + "», «".join(sorted(values)) + "»"
            notes.append(f"Столбец «{column}» {shown}: по нему нельзя узнать респондента.")
    return roles, notes


def has_respondent_column(roles: dict[str, str]) -> bool:
    """Return whether some column (code, e-mail or full name) identifies the respondent."""
    return bool(IDENTITY_ROLES & set(roles.values()))


def import_form(table: RawTable, content: bytes, file_name: str, *, engine: Engine, dry_run: bool,
                skip_invalid: bool, questionnaire: str | None, mapping: dict[str, str] | None,
                progress, lock_wait_s: float, anonymous: bool = False) -> ImportReport:
    """Import a wide form export: one submission per row, through the same transaction as templates.

    A form without a code, e-mail or name column is imported only with
    `anonymous=True`: its submissions have no participant. With it, rows of
    an identified form whose identity cells are empty or «anonymous» are
    anonymous submissions too, instead of going to the review list.
    """
    invalid = {column: role for column, role in (mapping or {}).items() if not is_valid_role(role)}
    if invalid:
        raise ImportValidationError(
            f"Файл {file_name}: неизвестное назначение столбца: "
            + "; ".join(f"«{column}» → «{role}»" for column, role in invalid.items())
            + ". Для выгрузки формы допустимы: timestamp (время ответа), email, full_name, code, "
            "ignore, question или question:Текст вопроса.", file=file_name)
    saved = None
    if mapping is None:
        saved = _saved_mapping(engine, table.columns, questionnaire)
        if saved is not None:
            mapping = saved.roles
            questionnaire = questionnaire or saved.questionnaire_key
    roles, identity_notes = without_empty_identity(classify_columns(table.columns, mapping), table)
    if "timestamp" not in roles.values():
        raise ImportValidationError(
            f"Файл {file_name}: не найден столбец со временем ответа (например, «Отметка времени»). "
            "Укажите, какой столбец содержит дату ответа.", file=file_name)
    if not anonymous and not has_respondent_column(roles):
        raise ImportValidationError(" ".join([no_respondent_message(file_name), *identity_notes]),
                                    file=file_name)
    report = new_report(table, "form")
    report.warnings.extend(identity_notes)
    report.detected = _detected(table, None, "form")
    report.detected["mapping"] = roles
    if saved is not None:
        report.detected["saved_mapping"] = saved.name
        report.warnings.extend(saved_mapping_notes(saved))
    sha256 = hashlib.sha256(content).hexdigest()
    total = len(table.row_numbers)
    anonymous_rows = Counter()

    def write(conn: Connection, import_id: int) -> WriteResult:
        if progress:
            progress(0, total)
        result = _write_form(conn, table, roles, questionnaire, import_id, report, anonymous,
                             anonymous_rows)
        if progress:
            progress(total, total)
        return result

    report = run_import(report, sha256, write, engine=engine, dry_run=dry_run,
                        skip_invalid=skip_invalid, lock_wait_s=lock_wait_s)
    if anonymous_rows and report.status != "rejected":
        count = sum(anonymous_rows.values())
        report.warnings.append(ANONYMOUS_NOTE if count == len(table.row_numbers) else
                               f"Анонимных строк: {count}. {ANONYMOUS_ROWS_NOTE}")
    return report


def _write_form(conn: Connection, table: RawTable, roles: dict[str, str], requested: str | None,
                import_id: int, report: ImportReport, anonymous: bool = False,
                anonymous_rows: Counter | None = None) -> WriteResult:
    """Write one submission per row; with `anonymous`, rows that name nobody become anonymous ones.

    A row names nobody when its code, e-mail and name cells are empty or an
    anonymity marker (Microsoft Forms writes «anonymous»).
    """
    result = WriteResult()
    dictionary = load_dictionary(conn)
    info = choose_questionnaire(list(question_columns(roles).values()), dictionary, requested,
                                table.file_name)
    report.detected["questionnaire"] = info.key
    questions = answer_columns(roles, info)
    unmatched = [text for text in questions.values() if info.question(text) is None]
    if unmatched:
        result.notes.append(
            f"Вопросы не из словаря анкеты «{info.key}» сохранены как текст без шкалы: "
            + "; ".join(f"«{q}»" for q in unmatched[:10]))
    result.notes.extend(multiselect_notes(table, questions, info))
    column_of = {role: column for column, role in roles.items() if role != "question"}
    directory = Directory.load(conn)
    frame = table.data
    matched: list[tuple[int, object, SubmissionDraft | None, dict]] = []
    seen_anonymous: Counter = Counter()
    name_matches: dict[int, set[str]] = {}
    for position, row in enumerate(table.row_numbers):
        cells = {column: frame.iat[position, index] for index, column in enumerate(frame.columns)}
        stamp_column = column_of["timestamp"]
        try:
            answered_at = parse_datetime(cells[stamp_column])[0]
        except InvalidValue as error:
            result.rejected.append(CellIssue(row, stamp_column, quote(cells[stamp_column]),
                                             cell_message(table.file_name, row, stamp_column,
                                                          f"{error.problem} {error.hint}")))
            continue
        answers = [(text, cells[column]) for column, text in questions.items()]
        identity = {role: (None if is_blank(cells.get(column)) else quote(cells[column]).strip())
                    for role, column in column_of.items() if role in IDENTITY_ROLES}
        if anonymous and all(value is None or normalize_label(value) in ANONYMOUS_MARKERS
                             for value in identity.values()):
            if all(is_blank(answer) for _text, answer in answers):
                result.skipped.append((row, "в строке нет ни одного ответа"))
                continue
            draft = SubmissionDraft([row], None, info, answered_at, answers)
            same = content_hash(draft)
            draft.occurrence = seen_anonymous[same]
            seen_anonymous[same] += 1
            if anonymous_rows is not None:
                anonymous_rows[row] += 1
            matched.append((row, None, draft, {}))
            continue
        person, reason, candidates = directory.match(**identity)
        payload = {column: quote(value) for column, value in cells.items() if not is_blank(value)}
        if person is None:
            matched.append((row, None, None, {"identity": identity, "reason": reason,
                                              "candidates": candidates, "payload": payload}))
            continue
        if not identity.get("code") and identity.get("email") and (
            not person.email or normalize_label(person.email) != normalize_label(identity["email"])
        ):
            name_matches.setdefault(person.id, set()).add(normalize_label(identity["email"]))
        draft = SubmissionDraft([row], person, info, answered_at, answers)
        matched.append((row, person, draft, {"identity": identity, "payload": payload}))
    drafts = []
    for row, person, draft, extra in matched:
        if person is not None and len(name_matches.get(person.id, ())) > 1:
            extra.update(reason="namesake", candidates=[person])
            person, draft = None, None
        if draft is not None:
            drafts.append(draft)
            continue
        _add_review(conn, result, import_id, info.key, row, extra)
    unknown = write_submissions(conn, drafts, import_id, result)
    result.notes.extend(unknown_label_notes(unknown))
    result.unknown_labels = {f"{question} → «{label}»": count for (question, label), count in unknown.items()}
    return result


def answer_columns(roles: dict[str, str], info: QuestionnaireInfo) -> dict[str, str]:
    """Return {column: question text} of the columns stored as answers.

    Profile questions that identify the respondent (ФИО) are metadata, not answers.
    """
    return {
        column: text for column, text in question_columns(roles).items()
        if not (info.question(text) and info.question(text).profile_field == "full_name")
    }


def _saved_mapping(engine: Engine, columns: list[str], questionnaire: str | None) -> MappingMatch | None:
    try:
        with engine.connect() as conn:
            return find_mapping(conn, columns, questionnaire)
    except sa.exc.SQLAlchemyError as error:  # no schema yet: nothing saved to apply
        logger.warning("saved form mappings not read: %s", error)
        return None


def _add_review(conn: Connection, result: WriteResult, import_id: int, questionnaire_key: str,
                row: int, extra: dict) -> None:
    table = RespondentReview.__table__
    identity, reason = extra["identity"], extra["reason"]
    payload_json = json.dumps(extra["payload"], ensure_ascii=False, sort_keys=True, default=str)
    candidates = ", ".join(f"{p.code} ({p.full_name})" for p in extra["candidates"]) or None
    who = identity.get("full_name") or identity.get("email") or identity.get("code") or "без имени"
    message = (f"респондент «{who}» {REVIEW_REASON_TEXT[reason]}; ответы отложены в список "
               "проверки респондентов")
    result.skipped.append((row, message))
    result.reviews.append({"row": row, "respondent": who, "reason": reason, "candidates": candidates})
    exists = conn.execute(sa.select(table.c.id).where(
        table.c.questionnaire_key == questionnaire_key, table.c.payload_json == payload_json,
        table.c.resolved_at.is_(None))).first()
    if exists:
        return
    conn.execute(table.insert().values(
        import_id=import_id, questionnaire_key=questionnaire_key, full_name=identity.get("full_name"),
        email=identity.get("email"), code=identity.get("code"), reason=reason, candidates=candidates,
        payload_json=payload_json,
    ))
