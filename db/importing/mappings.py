"""Saved column mappings of form exports: store once, apply to the next export of the same form.

A mapping assigns each column of a form export a role: a respondent field
("timestamp", "email", "full_name", "code"), "ignore", "question" (the header
is the question text) or "question:<text>" (the column answers the
dictionary question <text>). It is saved in `form_mapping` under the
questionnaire key and a signature of the normalised headers.

Forms get edited while answers are collected: columns are renamed, inserted,
moved or deleted. A saved mapping is therefore matched by normalised header
text, never by position. Headers that differ only in case, spaces or ё/е are
equal; a header that is similar enough to a saved one that has no exact
partner counts as renamed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.importing.values import normalize_label
from db.models import FormMapping

logger = logging.getLogger(__name__)

QUESTION_PREFIX = "question:"
ROLES = ("timestamp", "email", "full_name", "code", "ignore", "question")
# difflib ratio from which a changed header counts as the same column renamed.
RENAME_SIMILARITY = 0.6
# Share of a saved mapping's headers that must be found again for it to apply.
MIN_MATCHED_SHARE = 0.5


@dataclass
class MappingMatch:
    """A saved mapping applied to the columns of a new export."""

    name: str
    questionnaire_key: str
    roles: dict[str, str]  # current column -> role, for the columns found in the saved mapping
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (saved header, current column)
    new: list[str] = field(default_factory=list)  # current columns the mapping does not know
    missing: list[str] = field(default_factory=list)  # saved headers absent from the export
    matched_share: float = 0.0


def is_valid_role(role: str) -> bool:
    return role in ROLES or (role.startswith(QUESTION_PREFIX) and len(role) > len(QUESTION_PREFIX))


def header_signature(columns: list[str]) -> str:
    """Return 12 hex digits of SHA-256 over the sorted normalised headers (order-independent)."""
    folded = sorted(normalize_label(column) for column in columns)
    return hashlib.sha256("\x1f".join(folded).encode("utf-8")).hexdigest()[:12]


def mapping_name(questionnaire_key: str, columns: list[str]) -> str:
    return f"{questionnaire_key} / {header_signature(columns)}"


def save_mapping(conn: Connection, questionnaire_key: str, roles: dict[str, str]) -> str:
    """Insert or replace the mapping of these columns; return its name."""
    invalid = {column: role for column, role in roles.items() if not is_valid_role(role)}
    if invalid:
        raise ValueError(f"invalid column roles: {invalid}; expected one of {ROLES} or 'question:<text>'")
    table = FormMapping.__table__
    name = mapping_name(questionnaire_key, list(roles))
    values = {
        "questionnaire_key": questionnaire_key,
        "mapping_json": json.dumps({"columns": roles}, ensure_ascii=False),
        "updated_at": dt.datetime.now(dt.UTC),
    }
    updated = conn.execute(table.update().where(table.c.name == name).values(**values))
    if not updated.rowcount:
        conn.execute(table.insert().values(name=name, **values))
    logger.info("form mapping %r saved (%d columns)", name, len(roles))
    return name


def _carry_role(role: str, saved_header: str) -> str:
    """Keep a renamed question column pointing at the question text it had before."""
    return f"{QUESTION_PREFIX}{saved_header}" if role == "question" else role


def match_mapping(saved: dict[str, str], columns: list[str]) -> tuple[dict[str, str], list, list, list]:
    """Match saved {header: role} to `columns`; return (roles, renamed, new, missing)."""
    by_folded = {normalize_label(header): header for header in saved}
    roles: dict[str, str] = {}
    unmatched_columns = []
    for column in columns:
        header = by_folded.pop(normalize_label(column), None)
        if header is None:
            unmatched_columns.append(column)
        else:
            roles[column] = saved[header]
    renamed = []
    for header in list(by_folded.values()):
        scored = [
            (difflib.SequenceMatcher(None, normalize_label(header), normalize_label(column)).ratio(), column)
            for column in unmatched_columns
        ]
        if not scored:
            break
        ratio, column = max(scored)
        if ratio >= RENAME_SIMILARITY:
            roles[column] = _carry_role(saved[header], header)
            renamed.append((header, column))
            unmatched_columns.remove(column)
            by_folded.pop(normalize_label(header))
    return roles, renamed, unmatched_columns, list(by_folded.values())


def find_mapping(conn: Connection, columns: list[str], questionnaire_key: str | None = None) -> MappingMatch | None:
    """Return the saved mapping that fits `columns` best, or None when none finds half its headers.

    The exact signature wins outright; otherwise the mapping with the largest
    share of its headers found again (exactly or renamed) wins, ties going to
    the most recently saved one.
    """
    table = FormMapping.__table__
    statement = sa.select(table.c.name, table.c.questionnaire_key, table.c.mapping_json).order_by(
        table.c.updated_at.desc(), table.c.id.desc())
    if questionnaire_key:
        statement = statement.where(table.c.questionnaire_key == questionnaire_key)
    best: MappingMatch | None = None
    signature = header_signature(columns)
    for name, key, mapping_json in conn.execute(statement):
        saved = json.loads(mapping_json)["columns"]
        roles, renamed, new, missing = match_mapping(saved, columns)
        share = (len(saved) - len(missing)) / max(len(saved), 1)
        if name.endswith(signature):
            share = 2.0  # the very same header set
        if share >= MIN_MATCHED_SHARE and (best is None or share > best.matched_share):
            best = MappingMatch(name, key, roles, renamed, new, missing, share)
    return best
