"""Undo an import from the log: delete the rows it wrote and mark its batch "undone"."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import get_engine
from db.errors import UndoError
from db.importing.answers import refresh_latest
from db.importing.load import DEFAULT_LOCK_WAIT_S, write_transaction
from db.models import (
    Activity,
    Answer,
    Assessment,
    GroupMember,
    ImportBatch,
    MentoringGroup,
    Participant,
    RespondentReview,
    Submission,
)

logger = logging.getLogger(__name__)

# Children before parents, so that foreign keys hold at every step.
_TABLES_IN_DELETE_ORDER = (Activity, Assessment, GroupMember, MentoringGroup, RespondentReview, Participant)


def undo_import(import_id: int, *, engine: Engine | None = None,
                lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> dict[str, int]:
    """Delete every row that import `import_id` wrote; return the deleted count per table.

    Raises `UndoError` when the import does not exist, is not an applied import,
    or when rows of later imports still refer to its rows (for example
    activities of participants it created); nothing is deleted then.
    """
    engine = engine or get_engine()
    batch = ImportBatch.__table__
    deleted: dict[str, int] = {}
    try:
        with write_transaction(engine, lock_wait_s=lock_wait_s) as conn:
            status = conn.execute(sa.select(batch.c.status).where(batch.c.id == import_id)).scalar()
            if status is None:
                raise UndoError(f"Загрузка № {import_id} не найдена в журнале.")
            if status != "imported":
                raise UndoError(f"Загрузку № {import_id} нельзя отменить: её статус «{status}».")
            submissions = Submission.__table__
            own = sa.select(submissions.c.id).where(submissions.c.import_id == import_id)
            questionnaires = set(conn.execute(
                sa.select(submissions.c.questionnaire_id).where(submissions.c.import_id == import_id)
            ).scalars())
            answers = Answer.__table__
            deleted["answer"] = conn.execute(answers.delete().where(answers.c.submission_id.in_(own))).rowcount
            deleted["submission"] = conn.execute(
                submissions.delete().where(submissions.c.import_id == import_id)).rowcount
            for model in _TABLES_IN_DELETE_ORDER:
                table = model.__table__
                deleted[table.name] = conn.execute(table.delete().where(table.c.import_id == import_id)).rowcount
            refresh_latest(conn, questionnaires)
            conn.execute(batch.update().where(batch.c.id == import_id).values(
                status="undone", undone_at=dt.datetime.now(dt.UTC)))
    except sa.exc.IntegrityError as error:
        raise UndoError(
            f"Загрузку № {import_id} нельзя отменить: на её строки ссылаются данные более поздних "
            "загрузок (например, мероприятия или оценки её участников). Сначала отмените их."
        ) from error
    logger.info("import %d undone: %s", import_id, deleted)
    return deleted
