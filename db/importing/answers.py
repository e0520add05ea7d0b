"""Questionnaire answers: submissions with content hashes, scale values and the latest flag.

Both the long `answers` template and form exports end here. A submission is
one respondent's answers to one questionnaire at one time. Its content hash
covers the questionnaire, the respondent and the answers (not the time), so an
identical resubmission is a duplicate; a changed later submission is stored
and becomes the latest, and the earlier one stays in history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.importing.people import Directory, Person
from db.importing.scales import QuestionnaireInfo, ensure_questionnaire, load_dictionary, split_multiselect
from db.importing.validate import ValidatedTable
from db.importing.values import is_blank, normalize_label
from db.importing.writers import WriteResult, _resolve_person, insert_chunks, records_of
from db.models import Answer, Submission

logger = logging.getLogger(__name__)


@dataclass
class SubmissionDraft:
    rows: list[int]
    person: Person
    questionnaire: QuestionnaireInfo
    answered_at: dt.datetime
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, raw answer)


def _canonical_answer(draft: SubmissionDraft, question: str, answer: object) -> str:
    """Scale answers hash by their value, so «Совершенно согласен» and «Полностью согласен» are equal."""
    info = draft.questionnaire.question(question)
    if info is not None and info.scale is not None:
        value, reason = info.scale.score(str(answer))
        if value is not None:
            return repr(value)
        if reason == "no_opinion":
            return reason
    return normalize_label(str(answer))


def content_hash(draft: SubmissionDraft) -> str:
    """SHA-256 of the questionnaire, the respondent and the non-empty answers (not the time)."""
    parts = [draft.questionnaire.key, normalize_label(draft.person.code)]
    parts += sorted(
        f"{normalize_label(question)}\x1e{_canonical_answer(draft, question, answer)}"
        for question, answer in draft.answers
        if not is_blank(answer)
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def answer_rows(draft: SubmissionDraft, unknown: Counter) -> list[dict]:
    """Score each answer through the scale dictionary; multi-select answers become one row per option."""
    rows = []
    for question_text, raw in draft.answers:
        if is_blank(raw):
            continue  # an empty cell is a missing answer, not the lowest level
        info = draft.questionnaire.question(question_text)
        answer = str(raw).strip()
        if info is not None and info.kind == "multi" and info.options:
            chosen, other = split_multiselect(answer, info.options, info.separator)
            for option in chosen:
                rows.append({"question": info.text, "answer": option, "value": None, "missing_reason": None})
            if other:
                rows.append({"question": info.text, "answer": f"Другое: {other}", "value": None,
                             "missing_reason": None})
            continue
        value, reason = None, None
        if info is not None and info.scale is not None:
            value, reason = info.scale.score(answer)
            if reason in ("unknown_label", "out_of_scale"):
                unknown[(info.text, answer)] += 1
        elif info is None:
            try:
                value = float(answer.replace(",", "."))
            except ValueError:
                value = None
        rows.append({"question": info.text if info else question_text, "answer": answer,
                     "value": value, "missing_reason": reason})
    return rows


def write_submissions(conn: Connection, drafts: list[SubmissionDraft], import_id: int,
                      result: WriteResult) -> Counter:
    """Insert new submissions and their answers, report duplicates, refresh `is_latest`."""
    submissions = Submission.__table__
    answers = Answer.__table__
    unknown: Counter = Counter()
    questionnaire_ids = {draft.questionnaire.id for draft in drafts}
    existing = set(conn.execute(sa.select(
        submissions.c.questionnaire_id, submissions.c.participant_id, submissions.c.content_hash,
    ).where(submissions.c.questionnaire_id.in_(questionnaire_ids))).all()) if drafts else set()
    new_drafts, new_rows = [], []
    for draft in drafts:
        digest = content_hash(draft)
        key = (draft.questionnaire.id, draft.person.id, digest)
        if key in existing:
            for row in draft.rows:
                result.duplicates.append((row, "повторная отправка тех же ответов тем же участником"))
            continue
        existing.add(key)
        new_drafts.append(draft)
        new_rows.append({
            "questionnaire_id": draft.questionnaire.id,
            "participant_id": draft.person.id,
            "answered_at": draft.answered_at,
            "answered_on": draft.answered_at.date(),
            "content_hash": digest,
            "is_latest": False,
            "import_id": import_id,
        })
        result.imported.extend(draft.rows)
    pending: list[dict] = []
    for start in range(0, len(new_rows), 5_000):
        chunk = new_rows[start : start + 5_000]
        ids = conn.execute(
            submissions.insert().returning(submissions.c.id, sort_by_parameter_order=True), chunk
        ).scalars().all()
        for submission_id, draft in zip(ids, new_drafts[start : start + 5_000], strict=True):
            for answer in answer_rows(draft, unknown):
                answer["submission_id"] = submission_id
                pending.append(answer)
        insert_chunks(conn, answers, pending)
        pending = []
    refresh_latest(conn, questionnaire_ids)
    return unknown


def refresh_latest(conn: Connection, questionnaire_ids) -> None:
    """Mark each respondent's newest submission of each questionnaire as the latest one.

    Ties on `answered_at` go to the higher id, the one imported later.
    """
    if not questionnaire_ids:
        return
    table = Submission.__table__
    ids = list(questionnaire_ids)
    rows = conn.execute(sa.select(table.c.id, table.c.questionnaire_id, table.c.participant_id,
                                  table.c.answered_at, table.c.is_latest)
                        .where(table.c.questionnaire_id.in_(ids))).all()
    newest: dict[tuple[int, int], tuple] = {}
    for row in rows:
        key = (row.questionnaire_id, row.participant_id)
        if key not in newest or (row.answered_at, row.id) > newest[key]:
            newest[key] = (row.answered_at, row.id)
    latest = {submission_id for _moment, submission_id in newest.values()}
    turn_on = [row.id for row in rows if row.id in latest and not row.is_latest]
    turn_off = [row.id for row in rows if row.id not in latest and row.is_latest]
    for flag, changed in ((True, turn_on), (False, turn_off)):
        for start in range(0, len(changed), 900):
            conn.execute(table.update().where(table.c.id.in_(changed[start : start + 900]))
                         .values(is_latest=flag))


def write_answers(conn: Connection, validated: ValidatedTable, import_id: int) -> WriteResult:
    """Writer of the long `answers` template: rows with the same code, questionnaire and time form one submission."""
    result = WriteResult()
    directory = Directory.load(conn)
    dictionary = load_dictionary(conn)
    drafts: dict[tuple, SubmissionDraft] = {}
    questionnaires: dict[str, QuestionnaireInfo] = {}
    for record in records_of(validated):
        row = record["_row"]
        person = _resolve_person(directory, validated, row, "code", record["code"], result)
        if person is None:
            continue
        name = record["questionnaire"]
        if name not in questionnaires:
            questionnaires[name] = ensure_questionnaire(conn, name, dictionary)
        questionnaire = questionnaires[name]
        moment = record["answered_on"]
        key = (person.id, questionnaire.id, moment)
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = SubmissionDraft([], person, questionnaire, moment)
        draft.rows.append(row)
        draft.answers.append((record["question"], record["answer"]))
    unknown = write_submissions(conn, list(drafts.values()), import_id, result)
    result.notes.extend(unknown_label_notes(unknown))
    result.unknown_labels = {f"{question} → «{label}»": count for (question, label), count in unknown.items()}
    return result


def unknown_label_notes(unknown: Counter) -> list[str]:
    return [
        f"Ответ «{label}» на вопрос «{question}» не найден в словаре шкал ({count} раз); "
        "он сохранён без балла. Добавьте его в словарь шкал, если это вариант шкалы."
        for (question, label), count in unknown.most_common()
    ]
