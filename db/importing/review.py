"""The review list of form respondents that matched no participant or several (namesakes).

A reviewed respondent is linked by hand to an existing participant or to a
newly created one. Their submission is then written from the stored row
(`payload_json`) in the same transaction that marks the review resolved, so
a failure leaves the respondent on the list with nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.errors import DataError
from db.importing.answers import SubmissionDraft, write_submissions
from db.importing.forms import answer_columns, classify_columns
from db.importing.load import DEFAULT_LOCK_WAIT_S, write_transaction
from db.importing.people import Person, name_keys
from db.importing.scales import load_dictionary
from db.importing.values import InvalidValue, normalize_label, parse_datetime
from db.importing.writers import WriteResult, school_id
from db.models import ImportBatch, Participant, RespondentReview

logger = logging.getLogger(__name__)

REVIEW_COLUMNS = ["review_id", "import_id", "questionnaire_key", "full_name", "email", "code",
                  "reason", "answered_at"]
CANDIDATE_COLUMNS = ["participant_id", "code", "full_name", "email", "subject", "role"]


class ReviewError(DataError):
    """A review that cannot be resolved as asked (already resolved, bad participant data)."""


@dataclass
class Resolution:
    review_id: int
    participant_code: str
    written: bool  # False when the same answers were already stored (a duplicate)


def pending_reviews(engine: Engine) -> pd.DataFrame:
    """Return the unresolved reviews, oldest first, with the respondent's answer time."""
    table = RespondentReview.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(
            table.c.id, table.c.import_id, table.c.questionnaire_key, table.c.full_name,
            table.c.email, table.c.code, table.c.reason, table.c.payload_json,
        ).where(table.c.resolved_at.is_(None)).order_by(table.c.id)).all()
        roles_of = _roles_by_import(conn, {row.import_id for row in rows})
    records = []
    for row in rows:
        payload = json.loads(row.payload_json)
        roles = roles_of.get(row.import_id) or classify_columns(list(payload))
        stamp = next((payload.get(column) for column, role in roles.items() if role == "timestamp"), None)
        try:
            answered_at = parse_datetime(stamp)[0] if stamp else None
        except InvalidValue:
            answered_at = None
        records.append((row.id, row.import_id, row.questionnaire_key, row.full_name, row.email,
                        row.code, row.reason, answered_at))
    return pd.DataFrame(records, columns=REVIEW_COLUMNS)


def review_candidates(engine: Engine, review_id: int) -> pd.DataFrame:
    """Return the participants a reviewed respondent may be: same name (any spelling) or e-mail first.

    When no participant fits by name or e-mail, all of them are returned, so the
    user can still pick the right one.
    """
    table = RespondentReview.__table__
    people = Participant.__table__
    with engine.connect() as conn:
        review = conn.execute(sa.select(table.c.full_name, table.c.email, table.c.code)
                              .where(table.c.id == review_id)).one_or_none()
        if review is None:
            raise ReviewError(f"Запись № {review_id} не найдена в списке проверки респондентов.")
        rows = conn.execute(sa.select(
            people.c.id, people.c.code, people.c.full_name, people.c.email, people.c.subject, people.c.role,
        ).order_by(people.c.full_name, people.c.code)).all()
    keys = name_keys(review.full_name) if review.full_name else set()
    email = normalize_label(review.email) if review.email else None
    fitting = [
        row for row in rows
        if (keys and keys & name_keys(row.full_name))
        or (email and row.email and normalize_label(row.email) == email)
        or (review.code and normalize_label(row.code) == normalize_label(review.code))
    ]
    return pd.DataFrame([tuple(row) for row in (fitting or rows)], columns=CANDIDATE_COLUMNS)


def resolve_review(
    engine: Engine,
    review_id: int,
    *,
    participant_id: int | None = None,
    new_participant: dict | None = None,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
) -> Resolution:
    """Link a reviewed respondent to a participant and write their submission, in one transaction.

    Give either `participant_id` (an existing participant) or `new_participant`
    ({"code", "full_name", "role", optional "email", "subject"}), which is
    created first. Raises `ReviewError` for an unknown or resolved review, a
    missing participant, or a code that is already taken.
    """
    if (participant_id is None) == (new_participant is None):
        raise ValueError("give exactly one of participant_id and new_participant")
    reviews = RespondentReview.__table__
    with write_transaction(engine, lock_wait_s=lock_wait_s) as conn:
        review = conn.execute(sa.select(reviews).where(reviews.c.id == review_id)).one_or_none()
        if review is None:
            raise ReviewError(f"Запись № {review_id} не найдена в списке проверки респондентов.")
        if review.resolved_at is not None:
            raise ReviewError(f"Респондент из записи № {review_id} уже сопоставлен с участником.")
        if new_participant is not None:
            participant_id = _create_participant(conn, new_participant, review.email)
        person = _person(conn, participant_id)
        if person is None:
            raise ReviewError(f"Участник № {participant_id} не найден. Обновите страницу.")
        written = _write_payload(conn, review, person)
        conn.execute(reviews.update().where(reviews.c.id == review_id).values(
            resolved_participant_id=person.id, resolved_at=dt.datetime.now(dt.UTC)))
    logger.info("review %d resolved as participant %s (submission written: %s)",
                review_id, person.code, written)
    return Resolution(review_id, person.code, written)


def _person(conn: Connection, participant_id: int) -> Person | None:
    table = Participant.__table__
    row = conn.execute(sa.select(
        table.c.id, table.c.code, table.c.full_name, table.c.role, table.c.email, table.c.school_id,
    ).where(table.c.id == participant_id)).one_or_none()
    return Person(*row) if row else None


def _roles_by_import(conn: Connection, import_ids: set) -> dict[int, dict[str, str]]:
    """Return the column roles each form import recorded in its `detected` JSON."""
    batch = ImportBatch.__table__
    ids = [import_id for import_id in import_ids if import_id is not None]
    if not ids:
        return {}
    result = {}
    for import_id, detected in conn.execute(
        sa.select(batch.c.id, batch.c.detected).where(batch.c.id.in_(ids))
    ):
        mapping = json.loads(detected or "{}").get("mapping") or {}
        if mapping:
            result[import_id] = mapping
    return result


def _write_payload(conn: Connection, review, person: Person) -> bool:
    """Write the stored form row as `person`'s submission; return False when it was a duplicate."""
    payload = json.loads(review.payload_json)
    roles = _roles_by_import(conn, {review.import_id}).get(review.import_id) or classify_columns(list(payload))
    dictionary = load_dictionary(conn)
    info = dictionary.get(review.questionnaire_key)
    if info is None:
        raise ReviewError(f"Анкета «{review.questionnaire_key}» не найдена в словаре шкал.")
    stamp_column = next((column for column, role in roles.items() if role == "timestamp"), None)
    try:
        answered_at = parse_datetime(payload.get(stamp_column))[0]
    except (InvalidValue, TypeError) as error:
        raise ReviewError(
            f"В сохранённом ответе нет времени ответа (столбец «{stamp_column}»): {error}"
        ) from error
    questions = answer_columns(roles, info)
    draft = SubmissionDraft([], person, info, answered_at,
                            [(text, payload.get(column)) for column, text in questions.items()])
    result = WriteResult()
    write_submissions(conn, [draft], review.import_id, result)
    return not result.duplicates


def _create_participant(conn: Connection, data: dict, email: str | None) -> int:
    code = (data.get("code") or "").strip()
    full_name = (data.get("full_name") or "").strip()
    role = data.get("role") or "mentee"
    if not code or not full_name:
        raise ReviewError("Укажите код и ФИО нового участника.")
    if role not in ("mentor", "mentee", "both"):
        raise ReviewError(f"Роль «{role}» не подходит: укажите наставника, наставляемого или обе роли.")
    table = Participant.__table__
    taken = conn.execute(sa.select(table.c.full_name).where(
        sa.func.lower(table.c.code) == code.lower())).scalar()
    if taken is not None:
        raise ReviewError(f"Код «{code}» уже занят участником «{taken}». Укажите другой код.")
    participant_id = conn.execute(table.insert().values(
        school_id=school_id(conn, None), code=code, full_name=full_name, role=role,
        subject=(data.get("subject") or None), email=(data.get("email") or email or None),
        registered_on=dt.date.today(),
    ).returning(table.c.id)).scalar_one()
    logger.info("participant %s created from the respondent review", code)
    return participant_id
