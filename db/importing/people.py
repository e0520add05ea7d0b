"""Finding participants by code, e-mail or full name (with initials), without silent merges."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.importing.values import normalize_label
from db.models import Participant

_INITIALS = re.compile(r"^(\S+)\s+(\S)\.?\s*(\S)?\.?$")


@dataclass(frozen=True)
class Person:
    id: int
    code: str
    full_name: str
    role: str
    email: str | None
    school_id: int


def name_keys(full_name: str) -> set[str]:
    """Return the folded spellings of a name: full «петрова анна сергеевна» and «петрова а.с.»."""
    text = normalize_label(full_name).replace(".", ". ")
    words = [word.strip(".") for word in text.split() if word.strip(".")]
    if not words:
        return set()
    keys = {" ".join(words)}
    initials = "".join(f"{word[0]}." for word in words[1:3])
    if initials:
        keys.add(f"{words[0]} {initials}")
    return keys


class Directory:
    """All participants of the database, indexed by code, e-mail and name keys."""

    def __init__(self, people: list[Person]) -> None:
        self.by_code: dict[str, list[Person]] = {}
        self.by_email: dict[str, list[Person]] = {}
        self.by_name: dict[str, list[Person]] = {}
        for person in people:
            self.add(person)

    @classmethod
    def load(cls, conn: Connection) -> Directory:
        table = Participant.__table__
        rows = conn.execute(sa.select(
            table.c.id, table.c.code, table.c.full_name, table.c.role, table.c.email,
            table.c.school_id,
        )).all()
        return cls([Person(*row) for row in rows])

    def add(self, person: Person) -> None:
        self.by_code.setdefault(normalize_label(person.code), []).append(person)
        if person.email:
            self.by_email.setdefault(normalize_label(person.email), []).append(person)
        for key in name_keys(person.full_name):
            self.by_name.setdefault(key, []).append(person)

    def _by_full_name(self, full_name: str) -> list[Person]:
        """People whose name is the one typed; the initials form only when initials were typed.

        «Петрова Анна Сергеевна» matches only that full name, never another
        «Петрова А.» with different given names; «Петрова А.С.» matches every
        name with those initials.
        """
        text = normalize_label(full_name).replace(".", ". ")
        words = [word.strip(".") for word in text.split() if word.strip(".")]
        if not words:
            return []
        exact = self.by_name.get(" ".join(words), [])
        if exact or not all(len(word) == 1 for word in words[1:]):
            return exact
        found: list[Person] = []
        for key in name_keys(full_name):
            found.extend(self.by_name.get(key, []))
        return found

    def by_code_one(self, code: str) -> list[Person]:
        return self.by_code.get(normalize_label(code), [])

    def match(
        self, *, code: str | None = None, email: str | None = None, full_name: str | None = None
    ) -> tuple[Person | None, str | None, list[Person]]:
        """Match a respondent: code first, then e-mail, then full name.

        Returns (person, None, []) on one match, or (None, reason, candidates)
        with reason "ambiguous" (several people fit, such as namesakes) or
        "not_found".
        """
        candidates: list[Person] = []
        for value, index in ((code, self.by_code), (email, self.by_email)):
            if value:
                found = index.get(normalize_label(value), [])
                if len(found) == 1:
                    return found[0], None, []
                candidates.extend(found)
        if full_name:
            found = {person.id: person for person in self._by_full_name(full_name)}
            # A person whose stored e-mail differs from the respondent's is a namesake, not a match.
            fitting = [
                person for person in found.values()
                if not (email and person.email and normalize_label(person.email) != normalize_label(email))
            ]
            if len(fitting) == 1 and not candidates:
                return fitting[0], None, []
            candidates.extend(found.values())
        unique = list({person.id: person for person in candidates}.values())
        return None, ("ambiguous" if len(unique) > 1 else "not_found"), unique
