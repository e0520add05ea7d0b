"""Per-kind writers: reference checks, natural-key duplicates and bulk inserts.

Each writer runs inside the import's transaction and returns which rows it
wrote, which were duplicates and which it rejected (unknown codes, a mentor
whose role is not mentor, ...). The caller decides whether to commit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import logging
import os
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.importing.bulk import bulk_insert
from db.importing.people import Directory, Person
from db.importing.validate import STAGE_LABELS, CellIssue, ValidatedTable, cell_message
from db.importing.values import normalize_label, quote
from db.models import (
    Activity,
    Assessment,
    CompetenceArea,
    GroupMember,
    ImportBatch,
    MentoringGroup,
    Participant,
    School,
    Setting,
)

logger = logging.getLogger(__name__)

# difflib ratio above which a new competence area name is reported as a likely typo of a known one.
AREA_SIMILARITY = 0.8
DEFAULT_SCHOOL_NAME = "МАОУ «СОШ № 55 г. Улан-Удэ»"
ROLE_TEXT = {"mentor": "наставник", "mentee": "наставляемый", "both": "наставник и наставляемый"}


@dataclass
class WriteResult:
    imported: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[CellIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    reviews: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def insert_chunks(conn: Connection, table: sa.Table, rows: list[dict], progress=None) -> None:
    """Insert dicts that share one set of keys, as tuples in chunks (see `bulk_insert`).

    `progress(done, total)` is called after each chunk, in inserted rows.
    """
    if not rows:
        return
    columns = list(rows[0])
    bulk_insert(conn, table, columns, [tuple(row[column] for column in columns) for row in rows],
                on_chunk=progress)


def _none(value):
    """Turn pandas' missing markers into None for the database driver."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def records_of(validated: ValidatedTable) -> list[dict]:
    """Return one dict per validated row (the answers writer works on columns instead)."""
    frame = validated.records
    columns = list(frame.columns)
    return [
        {column: _none(value) for column, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def default_school_name(conn: Connection) -> str:
    """The school used when a row names none: the "school_name" setting, SCHOOL_NAME, or the built-in name."""
    setting = conn.execute(
        sa.select(Setting.__table__.c.value_json).where(Setting.__table__.c.key == "school_name")
    ).scalar()
    if setting:
        import json

        return str(json.loads(setting))
    return os.environ.get("SCHOOL_NAME", "").strip() or DEFAULT_SCHOOL_NAME


def school_id(conn: Connection, name: str | None) -> int:
    table = School.__table__
    name = (name or "").strip() or default_school_name(conn)
    found = conn.execute(sa.select(table.c.id).where(table.c.name == name)).scalar()
    if found is not None:
        return found
    return conn.execute(table.insert().values(name=name).returning(table.c.id)).scalar_one()


def _reject(validated: ValidatedTable, row: int, key: str, value, text: str) -> CellIssue:
    column = validated.column_of(key)
    return CellIssue(row, column, quote(value), cell_message(validated.file_name, row, column, text))


def find_person_by_name(directory: Directory, full_name: str) -> tuple[Person | None, str | None]:
    """Return (person, None) for a full name, or (None, the rejection text) naming the value.

    Names match as forms do: case, spaces and ё/е folded, «Петрова А.С.» equal to
    «Петрова Анна Сергеевна». Namesakes are never guessed between.
    """
    person, reason, candidates = directory.match(full_name=full_name)
    if person is not None:
        return person, None
    if reason == "ambiguous":
        codes = ", ".join(sorted(candidate.code for candidate in candidates))
        return None, (f"ФИО «{full_name}» подходит нескольким участникам ({codes}). "
                      "Укажите код участника вместо ФИО.")
    return None, (f"участник с ФИО «{full_name}» не найден. Сначала загрузите файл участников "
                  "или исправьте ФИО.")


def find_person(directory: Directory, code: str) -> tuple[Person | None, str | None]:
    """Return (person, None) for a code, or (None, the rejection text) when none or several fit."""
    found = directory.by_code_one(code)
    if len(found) == 1:
        return found[0], None
    if not found:
        # Hand-kept logs name people as «Петрова А.С.»; accept a name that fits exactly one person.
        person, _reason, _candidates = directory.match(full_name=code)
        if person is not None:
            return person, None
        return None, (f"участник с кодом «{code}» не найден. Сначала загрузите файл участников "
                      "или исправьте код.")
    return None, f"код «{code}» есть в нескольких школах. Уточните код участника."


def _resolve_person(
    directory: Directory, validated: ValidatedTable, row: int, key: str, code: str,
    result: WriteResult,
) -> Person | None:
    if validated.identified_by_name:
        person, text = find_person_by_name(directory, code)
    else:
        person, text = find_person(directory, code)
    if person is None:
        issue = _reject(validated, row, key, code, text)
        # A wide table gives one record per stage of the same row: report its person once.
        if not (result.rejected and (result.rejected[-1].row, result.rejected[-1].message)
                == (issue.row, issue.message)):
            result.rejected.append(issue)
    return person


# --- participants ------------------------------------------------------------


def write_participants(conn: Connection, validated: ValidatedTable, import_id: int,
                       progress=None) -> WriteResult:
    result = WriteResult()
    table = Participant.__table__
    schools: dict[str, int] = {}
    existing = {
        (school, normalize_label(code)): (name, role)
        for school, code, name, role in conn.execute(
            sa.select(table.c.school_id, table.c.code, table.c.full_name, table.c.role)
        )
    }
    seen: dict[tuple[int, str], tuple[int, dict]] = {}  # (school, code) -> (first row, its record)
    to_insert = []
    for record in records_of(validated):
        row = record["_row"]
        school_name = record.get("school") or ""
        if school_name not in schools:
            schools[school_name] = school_id(conn, school_name)
        school = schools[school_name]
        key = (school, normalize_label(record["code"]))
        if key in existing:
            name, role = existing[key]
            same = normalize_label(name) == normalize_label(record["full_name"]) and role == record["role"]
            result.duplicates.append((row, "участник с этим кодом уже есть в базе" + (
                "" if same else f" («{name}»); строка не изменила его данные")))
            continue
        if key in seen:
            first_row, first_record = seen[key]
            if _same_participant(first_record, record):
                result.duplicates.append((row, f"повтор строки {first_row}"))
            else:
                result.rejected.append(_reject(validated, row, "code", record["code"], (
                    f"код «{record['code']}» уже встречался в строке {first_row} с другими данными. "
                    "У каждого участника должен быть свой код.")))
            continue
        seen[key] = (row, record)
        to_insert.append({
            "school_id": school,
            "code": record["code"],
            "full_name": record["full_name"],
            "role": record["role"],
            "subject": record.get("subject"),
            "experience_years": record.get("experience_years"),
            "email": record.get("email"),
            "registered_on": record["registered_on"],
            "import_id": import_id,
        })
        result.imported.append(row)
    insert_chunks(conn, table, to_insert, progress)
    return result


def _same_participant(first: dict, other: dict) -> bool:
    """Tell whether two rows of one file are the same participant typed twice (case and ё/е folded)."""
    for key in set(first) | set(other):
        if key == "_row":
            continue
        left, right = first.get(key), other.get(key)
        if isinstance(left, str) and isinstance(right, str):
            if normalize_label(left) != normalize_label(right):
                return False
        elif left != right:
            return False
    return True


# --- groups ------------------------------------------------------------------


def write_groups(conn: Connection, validated: ValidatedTable, import_id: int,
                 progress=None) -> WriteResult:
    result = WriteResult()
    directory = Directory.load(conn)
    groups = MentoringGroup.__table__
    members = GroupMember.__table__
    known = {
        normalize_label(code): (group_id, mentor_id, model)
        for group_id, code, mentor_id, model in conn.execute(
            sa.select(groups.c.id, groups.c.code, groups.c.mentor_id, groups.c.model)
        )
    }
    membership = set(conn.execute(sa.select(members.c.group_id, members.c.mentee_id)).all())
    new_members = []
    for record in records_of(validated):
        row = record["_row"]
        before = len(result.rejected)
        mentor = _resolve_person(directory, validated, row, "mentor_code", record["mentor_code"], result)
        mentee = _resolve_person(directory, validated, row, "mentee_code", record["mentee_code"], result)
        if mentor is not None and mentor.role not in ("mentor", "both"):
            result.rejected.append(_reject(validated, row, "mentor_code", record["mentor_code"], (
                f"участник «{mentor.code}» записан с ролью «{ROLE_TEXT[mentor.role]}», а не "
                "наставник. Исправьте роль в файле участников или код наставника.")))
        if mentee is not None and mentee.role not in ("mentee", "both"):
            result.rejected.append(_reject(validated, row, "mentee_code", record["mentee_code"], (
                f"участник «{mentee.code}» записан с ролью «{ROLE_TEXT[mentee.role]}», а не "
                "наставляемый. Исправьте роль в файле участников или код наставляемого.")))
        if len(result.rejected) > before:
            continue
        group_key = normalize_label(record["group_code"])
        if group_key in known:
            group_id, mentor_id, model = known[group_key]
            if mentor_id != mentor.id:
                result.rejected.append(_reject(validated, row, "mentor_code", record["mentor_code"], (
                    f"у группы «{record['group_code']}» уже другой наставник. "
                    "Один код группы — один наставник; проверьте код группы.")))
                continue
            if model != record["model"]:
                result.rejected.append(_reject(validated, row, "model", record["model"], (
                    f"у группы «{record['group_code']}» уже указана другая модель. "
                    "Укажите одну модель для всех строк группы.")))
                continue
        else:
            group_id = conn.execute(groups.insert().values(
                school_id=mentor.school_id,
                code=record["group_code"],
                mentor_id=mentor.id,
                model=record["model"],
                started_on=record["started_on"],
                ended_on=record.get("ended_on"),
                focus_areas=record.get("focus_areas"),
                import_id=import_id,
            ).returning(groups.c.id)).scalar_one()
            known[group_key] = (group_id, mentor.id, record["model"])
        if (group_id, mentee.id) in membership:
            result.duplicates.append((row, "этот наставляемый уже есть в этой группе"))
            continue
        membership.add((group_id, mentee.id))
        new_members.append({"group_id": group_id, "mentee_id": mentee.id, "import_id": import_id})
        result.imported.append(row)
    insert_chunks(conn, members, new_members, progress)
    return result


# --- assessments -------------------------------------------------------------


def area_ids(conn: Connection, names, notes: list[str] | None = None) -> dict[str, int]:
    """Return {folded name: id}, creating the competence areas that do not exist yet.

    Each new area gets a line in `notes`: a warning naming the known area it
    resembles (a likely typo that would split the analysis), or a plain note.
    """
    table = CompetenceArea.__table__
    known = {normalize_label(name): name for _id, name in conn.execute(sa.select(table.c.id, table.c.name))}
    ids = {normalize_label(name): area_id for area_id, name in conn.execute(
        sa.select(table.c.id, table.c.name))}
    for name in sorted(names):
        key = normalize_label(name)
        if key not in ids:
            ids[key] = conn.execute(
                table.insert().values(name=name.strip()).returning(table.c.id)
            ).scalar_one()
            if notes is not None:
                notes.append(_new_area_note(name.strip(), known))
    return ids


def _new_area_note(name: str, known: dict[str, str]) -> str:
    close = difflib.get_close_matches(normalize_label(name), list(known), n=1, cutoff=AREA_SIMILARITY)
    if close:
        return (f"Новая область компетенций «{name}» похожа на известную «{known[close[0]]}». "
                "Если это опечатка, исправьте название в файле и загрузите его снова: иначе "
                "оценки разделятся на две области.")
    return f"Добавлена новая область компетенций «{name}»."


def write_assessments(conn: Connection, validated: ValidatedTable, import_id: int,
                      progress=None) -> WriteResult:
    """Write assessments keyed by (participant, area, stage, date).

    A row equal to a stored assessment or to an earlier row of the file (same
    score and maximum) is a duplicate. Rows of one file that share a key but
    not the score are all rejected, because the file does not say which score
    is right. A row whose key is stored with another score is rejected too: a
    score is replaced only by undoing the import that stored it.
    """
    result = WriteResult()
    directory = Directory.load(conn)
    table = Assessment.__table__
    records = records_of(validated)
    areas = area_ids(conn, {record["area"] for record in records}, result.notes)
    stored = {
        (participant, area, stage, day): (score, maximum, source)
        for participant, area, stage, day, score, maximum, source in conn.execute(sa.select(
            table.c.participant_id, table.c.area_id, table.c.stage, table.c.assessed_on,
            table.c.score, table.c.max_score, table.c.import_id))
    }
    keyed = []
    in_file: dict[tuple, list[dict]] = {}
    for record in records:
        person = _resolve_person(directory, validated, record["_row"], "code", record["code"], result)
        if person is None:
            continue
        key = (person.id, areas[normalize_label(record["area"])], record["stage"], record["assessed_on"])
        keyed.append((record, person, key))
        in_file.setdefault(key, []).append(record)
    sources = _import_sources(conn, {stored[key][2] for _r, _p, key in keyed
                                     if key in stored and stored[key][2] is not None})
    conflicting = {key: _describe_conflict(group) for key, group in in_file.items()
                   if len({_score_pair(record) for record in group}) > 1}
    first_rows: dict[tuple, int] = {}
    to_insert = []
    for record, person, key in keyed:
        row = record["_row"]
        if key in stored:
            score, maximum, source = stored[key]
            if (score, maximum) == _score_pair(record):
                result.duplicates.append((row, "оценка этого участника по этой области, этапу и дате уже есть"))
            else:
                result.rejected.append(_stored_score_conflict(
                    validated, record, person, (score, maximum), sources.get(source), source))
            continue
        if key in conflicting:
            result.rejected.append(_file_score_conflict(validated, record, person, *conflicting[key]))
            continue
        if key in first_rows:
            result.duplicates.append((row, f"повтор строки {first_rows[key]}"))
            continue
        first_rows[key] = row
        to_insert.append({
            "participant_id": key[0], "area_id": key[1], "stage": key[2], "assessed_on": key[3],
            "score": record["score"], "max_score": record["max_score"], "import_id": import_id,
        })
        result.imported.append(row)
    insert_chunks(conn, table, to_insert, progress)
    return result


# Rows named in a message about rows of one file that give one assessment different scores.
MAX_CONFLICT_ROWS_LISTED = 5


def _score_pair(record: dict) -> tuple[float, float]:
    return float(record["score"]), float(record["max_score"])


def _assessment_text(record: dict, person: Person) -> str:
    stage = STAGE_LABELS.get(record["stage"], record["stage"])
    return (f"оценка участника «{person.code}» по области «{record['area']}», этапу «{stage}» "
            f"за {quote(record['assessed_on'])}")


def _score_column(validated: ValidatedTable, record: dict, score_differs: bool) -> str:
    """Return the column to blame: the row's score column, or «Максимум» when only the maximum differs."""
    if not score_differs:
        return validated.column_of("max_score")
    return record.get("_score_column") or validated.column_of("score")


def _describe_conflict(same_key: list[dict]) -> tuple[bool, str]:
    """Return whether the scores differ (not only the maximum) and the rows listed with their scores."""
    score_differs = len({float(record["score"]) for record in same_key}) > 1
    listed = "; ".join(f"строка {record['_row']} — {quote(record['score'])} из {quote(record['max_score'])}"
                       for record in same_key[:MAX_CONFLICT_ROWS_LISTED])
    more = len(same_key) - MAX_CONFLICT_ROWS_LISTED
    if more > 0:
        listed += f" и ещё строк: {more}"
    return score_differs, listed


def _file_score_conflict(validated: ValidatedTable, record: dict, person: Person,
                         score_differs: bool, listed: str) -> CellIssue:
    row = record["_row"]
    column = _score_column(validated, record, score_differs)
    text = (f"{_assessment_text(record, person)} встречается в файле несколько раз с разными баллами "
            f"({listed}). Оставьте одну строку с верным баллом и загрузите файл снова.")
    value = record["score"] if score_differs else record["max_score"]
    return CellIssue(row, column, quote(value), cell_message(validated.file_name, row, column, text))


def _stored_score_conflict(validated: ValidatedTable, record: dict, person: Person,
                           stored: tuple[float, float], source: tuple[str, dt.datetime] | None,
                           import_id: int | None) -> CellIssue:
    row = record["_row"]
    score, maximum = stored
    score_differs = float(record["score"]) != score
    column = _score_column(validated, record, score_differs)
    origin = ""
    if import_id is not None:
        origin = f" загрузкой №{import_id}"
        if source is not None:
            origin += f" (файл {source[0]}, {source[1]:%d.%m.%Y})"
    text = (f"{_assessment_text(record, person)} уже сохранена{origin} с баллом {quote(score)} из "
            f"{quote(maximum)}, а в этой строке {quote(record['score'])} из {quote(record['max_score'])}. "
            "Чтобы заменить балл, сначала отмените загрузку, которой он сохранён: «Данные» → "
            "«Журнал загрузок» → «Отменить эту загрузку» (будут удалены все записи той загрузки), "
            "затем загрузите исправленный файл.")
    value = record["score"] if score_differs else record["max_score"]
    return CellIssue(row, column, quote(value), cell_message(validated.file_name, row, column, text))


def _import_sources(conn: Connection, import_ids: set[int]) -> dict[int, tuple[str, dt.datetime]]:
    """Return {import id: (file name, start time)} of the given import log entries."""
    if not import_ids:
        return {}
    batch = ImportBatch.__table__
    return {batch_id: (name, started) for batch_id, name, started in conn.execute(
        sa.select(batch.c.id, batch.c.file_name, batch.c.started_at).where(batch.c.id.in_(import_ids)))}


# --- activities --------------------------------------------------------------


def activity_hash(record: dict) -> str:
    """SHA-256 of the normalised row: the same activity typed twice has the same hash."""
    moment = record["occurred_on"]
    hours = record.get("hours")
    parts = [
        moment.isoformat(sep=" ") if isinstance(moment, dt.datetime) else str(moment),
        normalize_label(record["code"]),
        normalize_label(record.get("group_code") or ""),
        record["kind"],
        record["format"],
        "" if hours is None else repr(float(hours)),
        normalize_label(record.get("title") or ""),
        (record.get("url") or "").strip(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def write_activities(conn: Connection, validated: ValidatedTable, import_id: int,
                     progress=None) -> WriteResult:
    result = WriteResult()
    directory = Directory.load(conn)
    table = Activity.__table__
    groups = MentoringGroup.__table__
    group_ids = {normalize_label(code): group_id for group_id, code in conn.execute(
        sa.select(groups.c.id, groups.c.code))}
    records = records_of(validated)
    persons = [_resolve_person(directory, validated, record["_row"], "code", record["code"], result)
               for record in records]
    # The hash names the participant by code, so a log that names people by full name and
    # the same log with codes are duplicates of each other.
    hashes = [activity_hash({**record, "code": person.code if person else record["code"]})
              for record, person in zip(records, persons, strict=True)]
    existing: set[str] = set()
    for start in range(0, len(hashes), 900):
        chunk = hashes[start : start + 900]
        existing.update(conn.execute(sa.select(table.c.row_hash).where(table.c.row_hash.in_(chunk))).scalars())
    to_insert = []
    for record, row_hash, person in zip(records, hashes, persons, strict=True):
        row = record["_row"]
        group_id = None
        if record.get("group_code"):
            group_id = group_ids.get(normalize_label(record["group_code"]))
            if group_id is None:
                result.rejected.append(_reject(validated, row, "group_code", record["group_code"], (
                    f"группа с кодом «{record['group_code']}» не найдена. Сначала загрузите файл "
                    "пар и групп или исправьте код.")))
                continue
        if person is None:
            continue
        if row_hash in existing:
            result.duplicates.append((row, "такое же мероприятие уже загружено"))
            continue
        existing.add(row_hash)
        moment = record["occurred_on"]
        has_time = isinstance(moment, dt.datetime) and moment.time() != dt.time(0)
        to_insert.append({
            "occurred_on": moment.date() if isinstance(moment, dt.datetime) else moment,
            # A date typed without a time keeps occurred_at empty rather than inventing midnight.
            "occurred_at": moment if has_time else None,
            "participant_id": person.id,
            "group_id": group_id,
            "kind": record["kind"],
            "format": record["format"],
            "hours": record.get("hours"),
            "title": record.get("title"),
            "url": record.get("url"),
            "row_hash": row_hash,
            "import_id": import_id,
        })
        result.imported.append(row)
    insert_chunks(conn, table, to_insert, progress)
    return result


def _write_answers(conn: Connection, validated: ValidatedTable, import_id: int,
                   progress=None) -> WriteResult:
    from db.importing.answers import write_answers

    return write_answers(conn, validated, import_id, progress)


WRITERS = {
    "participants": write_participants,
    "groups": write_groups,
    "assessments": write_assessments,
    "activities": write_activities,
    "answers": _write_answers,
}
