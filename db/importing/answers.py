"""Questionnaire answers: submissions with content hashes, scale values and the latest flag.

Both the long `answers` template and form exports end here. A submission is
one respondent's answers to one questionnaire at one time. Its content hash
covers the questionnaire, the respondent and the answers (not the time), so an
identical resubmission within `DUPLICATE_WINDOW` of the stored one is a
duplicate; the same answers given again later (a questionnaire retaken after
months) are a new submission. A changed later submission is stored
too, and the duplicate rule (setting "duplicate_rule") decides which one
counts: the latest (default) or the first. The other stays in history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.importing.bulk import bulk_insert, reserve_ids
from db.importing.people import Directory, Person
from db.importing.scales import (
    QuestionnaireInfo,
    ensure_questionnaire,
    load_dictionary,
    split_multiselect,
)
from db.importing.validate import ValidatedTable
from db.importing.values import is_blank, normalize_label
from db.importing.writers import WriteResult, _reject, find_person
from db.models import Answer, Setting, Submission

logger = logging.getLogger(__name__)

DUPLICATE_RULE_KEY = "duplicate_rule"
DUPLICATE_RULES = ("latest", "first")
DEFAULT_DUPLICATE_RULE = "latest"
DUPLICATE_MESSAGE = "повторная отправка тех же ответов тем же участником"
# Identical answers of one respondent this close in time are one submission sent twice.
DUPLICATE_WINDOW = dt.timedelta(days=1)
ANONYMOUS_DUPLICATE_MESSAGE = "анонимный ответ с тем же временем и теми же ответами уже загружен"
# Used in place of a respondent code in the content hash of an anonymous submission.
ANONYMOUS_PREFIX = "\x00anonymous "
SUBMISSION_COLUMNS = ("id", "questionnaire_id", "participant_id", "answered_at", "answered_on",
                      "content_hash", "is_latest", "import_id")
ANSWER_COLUMNS = ("submission_id", "question", "answer", "value", "missing_reason")

# Submissions whose database rows are built and inserted together in `write_answers`.
SLICE_SUBMISSIONS = 2_000

AnswerRow = tuple[str, str, float | None, str | None]  # (question, answer, value, missing_reason)


@dataclass
class SubmissionDraft:
    rows: list[int]
    person: Person | None  # None: an anonymous form's answers
    questionnaire: QuestionnaireInfo
    answered_at: dt.datetime
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, raw answer)
    # Earlier rows of the same file with the same time and answers; only anonymous rows use it.
    occurrence: int = 0


def _canonical_answer(questionnaire: QuestionnaireInfo, question: str, answer: object) -> str:
    """Scale answers hash by their value, so «Совершенно согласен» and «Полностью согласен» are equal."""
    info = questionnaire.question(question)
    if info is not None and info.scale is not None:
        value, reason = info.scale.score(str(answer))
        if value is not None:
            return repr(value)
        if reason == "no_opinion":
            return reason
    return normalize_label(str(answer))


def hash_part(questionnaire: QuestionnaireInfo, question: str, answer: object) -> str:
    """Return one answer's share of the content hash: the folded question and the canonical answer."""
    return f"{normalize_label(question)}\x1e{_canonical_answer(questionnaire, question, answer)}"


def digest_of(questionnaire_key: str, person_code: str, sorted_parts: list[str]) -> str:
    """SHA-256 of the questionnaire key, the folded code and the sorted answer parts."""
    parts = [questionnaire_key, normalize_label(person_code), *sorted_parts]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def content_hash(draft: SubmissionDraft) -> str:
    """SHA-256 of the questionnaire, the respondent and the non-empty answers (not the time).

    An anonymous submission has no respondent, so its time is hashed in place
    of one, with its `occurrence` among identical rows of the file. Rows of one
    export are thus different people even when time and answers agree, and the
    same export imported again gives the same hashes.
    """
    parts = sorted(
        hash_part(draft.questionnaire, question, answer)
        for question, answer in draft.answers
        if not is_blank(answer)
    )
    if draft.person is not None:
        respondent = draft.person.code
    else:
        respondent = ANONYMOUS_PREFIX + draft.answered_at.isoformat(sep=" ")
        if draft.occurrence:
            respondent += f" #{draft.occurrence}"
    return digest_of(draft.questionnaire.key, respondent, parts)


def score_answer(questionnaire: QuestionnaireInfo, question_text: str,
                 raw: object) -> tuple[list[AnswerRow], tuple[str, str] | None]:
    """Score one non-empty cell; return its answer rows and (question, label) when the label is off the scale.

    Scale answers are scored through the dictionary. Multi-select answers
    become one row per chosen option plus one «Другое: …» row for free text.
    """
    info = questionnaire.question(question_text)
    answer = str(raw).strip()
    if info is not None and info.kind == "multi" and info.options:
        chosen, other = split_multiselect(answer, info.options, info.separator)
        rows: list[AnswerRow] = [(info.text, option, None, None) for option in chosen]
        if other:
            rows.append((info.text, f"Другое: {other}", None, None))
        return rows, None
    value, reason, unknown = None, None, None
    if info is not None and info.scale is not None:
        value, reason = info.scale.score(answer)
        if reason in ("unknown_label", "out_of_scale"):
            unknown = (info.text, answer)
    elif info is None:
        try:
            value = float(answer.replace(",", "."))
        except ValueError:
            value = None
    return [(info.text if info else question_text, answer, value, reason)], unknown


def answer_rows(draft: SubmissionDraft, unknown: Counter) -> list[dict]:
    """Score each answer through the scale dictionary; multi-select answers become one row per option."""
    rows = []
    for question_text, raw in draft.answers:
        if is_blank(raw):
            continue  # an empty cell is a missing answer, not the lowest level
        scored, off_scale = score_answer(draft.questionnaire, question_text, raw)
        if off_scale:
            unknown[off_scale] += 1
        rows += [{"question": question, "answer": answer, "value": value, "missing_reason": reason}
                 for question, answer, value, reason in scored]
    return rows


def existing_hashes(conn: Connection, questionnaire_ids) -> dict[tuple[int, int | None, str], list[dt.datetime]]:
    """Return the answer times of the stored submissions by (questionnaire id, participant id, content hash)."""
    found: dict[tuple[int, int | None, str], list[dt.datetime]] = {}
    if not questionnaire_ids:
        return found
    submissions = Submission.__table__
    for questionnaire_id, participant_id, digest, answered_at in conn.execute(sa.select(
        submissions.c.questionnaire_id, submissions.c.participant_id, submissions.c.content_hash,
        submissions.c.answered_at,
    ).where(submissions.c.questionnaire_id.in_(list(questionnaire_ids)))):
        found.setdefault((questionnaire_id, participant_id, digest), []).append(answered_at)
    return found


def is_resubmission(existing: dict, key: tuple, answered_at: dt.datetime) -> bool:
    """Return whether `key` was stored within `DUPLICATE_WINDOW` of `answered_at`, and remember it if not."""
    times = existing.setdefault(key, [])
    if any(abs(answered_at - stored) <= DUPLICATE_WINDOW for stored in times):
        return True
    times.append(answered_at)
    return False


def write_submissions(conn: Connection, drafts: list[SubmissionDraft], import_id: int,
                      result: WriteResult) -> Counter:
    """Insert new submissions and their answers, report duplicates, refresh `is_latest`."""
    unknown: Counter = Counter()
    questionnaire_ids = {draft.questionnaire.id for draft in drafts}
    existing = existing_hashes(conn, questionnaire_ids)
    new_drafts, hashes = [], []
    for draft in drafts:
        digest = content_hash(draft)
        person_id = draft.person.id if draft.person is not None else None
        key = (draft.questionnaire.id, person_id, digest)
        if is_resubmission(existing, key, draft.answered_at):
            message = DUPLICATE_MESSAGE if draft.person is not None else ANONYMOUS_DUPLICATE_MESSAGE
            for row in draft.rows:
                result.duplicates.append((row, message))
            continue
        new_drafts.append(draft)
        hashes.append(digest)
        result.imported.extend(draft.rows)
    ids = reserve_ids(conn, Submission.__table__, len(new_drafts))
    bulk_insert(conn, Submission.__table__, SUBMISSION_COLUMNS, [
        (submission_id, draft.questionnaire.id, draft.person.id if draft.person else None,
         draft.answered_at,
         draft.answered_at.date(), digest, False, import_id)
        for submission_id, draft, digest in zip(ids, new_drafts, hashes, strict=True)
    ])
    answers = []
    for submission_id, draft in zip(ids, new_drafts, strict=True):
        for answer in answer_rows(draft, unknown):
            answers.append((submission_id, answer["question"], answer["answer"], answer["value"],
                            answer["missing_reason"]))
    bulk_insert(conn, Answer.__table__, ANSWER_COLUMNS, answers)
    refresh_latest(conn, questionnaire_ids)
    return unknown


def duplicate_rule(conn: Connection) -> str:
    """Return the saved rule for changed resubmissions: "latest" (the default) or "first"."""
    table = Setting.__table__
    stored = conn.execute(
        sa.select(table.c.value_json).where(table.c.key == DUPLICATE_RULE_KEY)
    ).scalar()
    rule = json.loads(stored) if stored else DEFAULT_DUPLICATE_RULE
    return rule if rule in DUPLICATE_RULES else DEFAULT_DUPLICATE_RULE


def save_duplicate_rule(conn: Connection, rule: str) -> None:
    """Store the rule and re-mark which submission counts in every questionnaire."""
    if rule not in DUPLICATE_RULES:
        raise ValueError(f"duplicate rule {rule!r} is not one of {DUPLICATE_RULES}")
    table = Setting.__table__
    values = {"value_json": json.dumps(rule), "updated_at": dt.datetime.now(dt.UTC)}
    updated = conn.execute(table.update().where(table.c.key == DUPLICATE_RULE_KEY).values(**values))
    if not updated.rowcount:
        conn.execute(table.insert().values(key=DUPLICATE_RULE_KEY, **values))
    questionnaire_ids = set(conn.execute(
        sa.select(Submission.__table__.c.questionnaire_id).distinct()).scalars())
    refresh_latest(conn, questionnaire_ids, rule=rule)
    logger.info("duplicate rule set to %r", rule)


def refresh_latest(conn: Connection, questionnaire_ids, *, rule: str | None = None) -> None:
    """Mark the submission that counts for each respondent and questionnaire with `is_latest`.

    Under the rule "latest" (the default) that is the newest submission and
    under "first" the earliest; `rule=None` reads the saved rule. Ties on
    `answered_at` go to the higher id (imported later) under "latest" and to
    the lower id under "first". Anonymous submissions (no participant) cannot
    supersede each other, so every one of them counts.
    """
    if not questionnaire_ids:
        return
    rule = rule or duplicate_rule(conn)
    table = Submission.__table__
    rows = conn.execute(sa.select(table.c.id, table.c.questionnaire_id, table.c.participant_id,
                                  table.c.answered_at, table.c.is_latest)
                        .where(table.c.questionnaire_id.in_(list(questionnaire_ids)))).all()
    chosen: dict[tuple[int, int], tuple] = {}
    anonymous = set()
    for row in rows:
        if row.participant_id is None:
            anonymous.add(row.id)
            continue
        key = (row.questionnaire_id, row.participant_id)
        candidate = (row.answered_at, row.id)
        if key not in chosen or (candidate > chosen[key]) == (rule == "latest"):
            chosen[key] = candidate
    counting = {submission_id for _moment, submission_id in chosen.values()} | anonymous
    turn_on = [row.id for row in rows if row.id in counting and not row.is_latest]
    turn_off = [row.id for row in rows if row.id not in counting and row.is_latest]
    for flag, changed in ((True, turn_on), (False, turn_off)):
        for start in range(0, len(changed), 900):
            conn.execute(table.update().where(table.c.id.in_(changed[start : start + 900]))
                         .values(is_latest=flag))


def write_answers(conn: Connection, validated: ValidatedTable, import_id: int,
                  progress: Callable[[int, int], None] | None = None) -> WriteResult:
    """Writer of the long `answers` template: rows with the same code, questionnaire and time form one submission.

    Works on integer codes of whole columns: each distinct code, questionnaire
    and (questionnaire, question, answer) is resolved or scored once, and the
    submission hashes come from one sort of the answer parts. The database
    rows are built and inserted `SLICE_SUBMISSIONS` submissions at a time, so
    the tuples held at once do not grow with the file.
    """
    result = WriteResult()
    records = validated.records
    if records.empty:
        return result
    directory = Directory.load(conn)
    dictionary = load_dictionary(conn)
    rows = records["_row"].to_numpy(dtype=np.int64)

    code_index, codes = pd.factorize(records["code"])
    people: list[Person | None] = []
    for code in codes:
        person, text = find_person(directory, code)
        people.append(person)
        if person is None:
            for row in rows[code_index == len(people) - 1]:
                result.rejected.append(_reject(validated, int(row), "code", code, text))
    person_ids = np.array([person.id if person else -1 for person in people], dtype=np.int64)
    keep = person_ids[code_index] >= 0
    if not keep.any():
        return result

    questionnaire_index, names = pd.factorize(records["questionnaire"])
    infos = [ensure_questionnaire(conn, name, dictionary) for name in names]
    # Object arrays keep Python datetimes as they are; pandas would infer datetime64.
    moment_index, moments = pd.factorize(records["answered_on"].to_numpy(dtype=object))
    question_index, questions = pd.factorize(records["question"].to_numpy(dtype=object))
    answer_index, answers_text = pd.factorize(records["answer"].to_numpy(dtype=object))

    rows, code_index = rows[keep], code_index[keep]
    questionnaire_index, moment_index = questionnaire_index[keep], moment_index[keep]
    question_index, answer_index = question_index[keep], answer_index[keep]
    person_index = pd.factorize(person_ids[code_index])[0]
    submission = pd.factorize(
        (person_index.astype(np.int64) * len(infos) + questionnaire_index) * len(moments) + moment_index
    )[0]
    cell = pd.factorize(
        (questionnaire_index.astype(np.int64) * len(questions) + question_index) * len(answers_text)
        + answer_index
    )[0]
    _cells, first_of_cell = np.unique(cell, return_index=True)
    parts, scored, off_scale = [], [], []
    for position in first_of_cell.tolist():
        info = infos[questionnaire_index[position]]
        question, answer = questions[question_index[position]], answers_text[answer_index[position]]
        parts.append(hash_part(info, question, answer))
        answer_list, unknown = score_answer(info, question, answer)
        scored.append(answer_list)
        off_scale.append(unknown)
    part_rank = np.empty(len(parts), dtype=np.int64)
    part_rank[sorted(range(len(parts)), key=parts.__getitem__)] = np.arange(len(parts))
    part_array = np.array(parts, dtype=object)

    # Rows grouped by submission: in hash order for the digest, in file order for the answers.
    by_part = np.lexsort((part_rank[cell], submission))
    by_file = np.argsort(submission, kind="stable")
    sorted_submissions = submission[by_file]
    bounds = np.flatnonzero(np.diff(sorted_submissions)) + 1
    starts = np.r_[0, bounds]
    ends = np.r_[bounds, len(sorted_submissions)]
    _heads, head_rows = np.unique(submission, return_index=True)

    existing = existing_hashes(conn, {info.id for info in infos})
    unknown: Counter = Counter()
    total, done = len(rows), 0
    for first in range(0, len(starts), SLICE_SUBMISSIONS):
        last = min(first + SLICE_SUBMISSIONS, len(starts))
        new_positions, submission_rows = [], []
        for position in range(first, last):
            head = head_rows[position]
            info = infos[questionnaire_index[head]]
            sorted_parts = part_array[cell[by_part[starts[position]:ends[position]]]].tolist()
            digest = digest_of(info.key, people[code_index[head]].code, sorted_parts)
            key = (info.id, int(person_ids[code_index[head]]), digest)
            slice_rows = rows[by_file[starts[position]:ends[position]]]
            moment = moments[moment_index[head]]
            if is_resubmission(existing, key, moment):
                result.duplicates.extend((int(row), DUPLICATE_MESSAGE) for row in slice_rows)
                continue
            new_positions.append(position)
            submission_rows.append((info.id, key[1], moment, moment.date(), digest))
            result.imported.extend(slice_rows.tolist())
        ids = reserve_ids(conn, Submission.__table__, len(submission_rows))
        bulk_insert(conn, Submission.__table__, SUBMISSION_COLUMNS, [
            (submission_id, *values, False, import_id)
            for submission_id, values in zip(ids, submission_rows, strict=True)
        ])
        answers = []
        for submission_id, position in zip(ids, new_positions, strict=True):
            for row_cell in cell[by_file[starts[position]:ends[position]]].tolist():
                answers.extend((submission_id, *answer) for answer in scored[row_cell])
                if off_scale[row_cell]:
                    unknown[off_scale[row_cell]] += 1
        bulk_insert(conn, Answer.__table__, ANSWER_COLUMNS, answers)
        done = int(ends[last - 1])
        if progress:
            progress(done, total)
    refresh_latest(conn, {info.id for info in infos})
    result.notes.extend(unknown_label_notes(unknown))
    result.unknown_labels = {f"{question} → «{label}»": count for (question, label), count in unknown.items()}
    return result


def unknown_label_notes(unknown: Counter) -> list[str]:
    return [
        f"Ответ «{label}» на вопрос «{question}» не найден в словаре шкал ({count} раз); "
        "он сохранён без балла. Добавьте его в словарь шкал, если это вариант шкалы."
        for (question, label), count in unknown.most_common()
    ]
