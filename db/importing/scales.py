"""The scale dictionary: questionnaires, their questions and how answer labels become numbers.

`sample_data/questionnaires.json` is a list of questionnaires:
`{"key", "title", "scales": {name: {"min", "max", "labels": {"1": [synonyms]},
"no_opinion": [...], "no_opinion_rule"}}, "questions": [{"text", "kind", "scale",
"reverse", "scale_item", "options"}]}`. Labels are matched trimmed, case- and
ё/е-insensitively; a bare number inside the scale is accepted as itself.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.engine import get_engine
from db.errors import ImportValidationError
from db.importing.values import normalize_label
from db.models import Question, Questionnaire

logger = logging.getLogger(__name__)

# What a "don't know" answer («Затрудняюсь ответить») becomes, unless a scale says otherwise:
# "missing" stores no value with missing_reason "no_opinion"; "midpoint" scores the scale's middle.
DEFAULT_NO_OPINION_RULE = "missing"
NO_OPINION_RULES = ("missing", "midpoint")
_BARE_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


@dataclass
class Scale:
    name: str
    minimum: float
    maximum: float
    labels: dict[str, float]  # folded label -> value
    no_opinion: set[str]
    no_opinion_rule: str = DEFAULT_NO_OPINION_RULE

    @classmethod
    def from_json(cls, name: str, data: dict) -> Scale:
        labels = {}
        for value, synonyms in data.get("labels", {}).items():
            for synonym in synonyms:
                labels[normalize_label(synonym)] = float(value)
        rule = data.get("no_opinion_rule", DEFAULT_NO_OPINION_RULE)
        if rule not in NO_OPINION_RULES:
            raise ValueError(f"scale {name!r}: no_opinion_rule {rule!r} is not one of {NO_OPINION_RULES}")
        return cls(name, float(data["min"]), float(data["max"]), labels,
                   {normalize_label(label) for label in data.get("no_opinion", [])}, rule)

    def score(self, answer: str) -> tuple[float | None, str | None]:
        """Return (value, missing_reason) for a non-empty answer on this scale."""
        folded = normalize_label(answer)
        if folded in self.labels:
            return self.labels[folded], None
        if folded in self.no_opinion:
            if self.no_opinion_rule == "midpoint":
                return (self.minimum + self.maximum) / 2, None
            return None, "no_opinion"
        if _BARE_NUMBER.match(folded):
            number = float(folded.replace(",", "."))
            if self.minimum <= number <= self.maximum:
                return number, None
            return None, "out_of_scale"
        return None, "unknown_label"


@dataclass
class QuestionInfo:
    text: str
    kind: str
    scale: Scale | None
    reverse: bool = False
    scale_item: bool = False
    options: list[str] = field(default_factory=list)
    profile_field: str | None = None
    separator: str = ", "


@dataclass
class QuestionnaireInfo:
    id: int
    key: str
    title: str
    questions: dict[str, QuestionInfo]  # folded text -> question

    def question(self, text: str) -> QuestionInfo | None:
        return self.questions.get(normalize_label(text))


def load_questionnaires(source: Path | list, *, engine: Engine | None = None) -> list[str]:
    """Insert or update questionnaires and their questions from the scale dictionary; return the keys.

    Raises `ImportValidationError` with a Russian message when a file is not
    valid JSON or an entry lacks its key or questions.
    """
    name = Path(source).name if isinstance(source, str | Path) else "словарь анкет"
    if isinstance(source, str | Path):
        try:
            data = json.loads(Path(source).read_text("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            where = f" (строка {error.lineno}, позиция {error.colno})" if isinstance(
                error, json.JSONDecodeError) else ""
            raise ImportValidationError(
                f"Файл {name}: это не словарь анкет в формате JSON (UTF-8){where}: {error}. "
                "Возьмите за образец sample_data/questionnaires.json.", file=name) from error
    else:
        data = source
    if isinstance(data, dict):
        data = data.get("questionnaires", [data])
    for position, entry in enumerate(data if isinstance(data, list) else [None], start=1):
        if not isinstance(entry, dict) or "key" not in entry or not isinstance(entry.get("questions"), list):
            raise ImportValidationError(
                f"Файл {name}: анкета №{position} без ключа «key» или списка вопросов «questions». "
                "Возьмите за образец sample_data/questionnaires.json.", file=name)
    engine = engine or get_engine()
    keys = []
    with engine.begin() as conn:
        for entry in data:
            keys.append(_upsert_questionnaire(conn, entry))
    logger.info("scale dictionary loaded: %s", ", ".join(keys))
    return keys


def _upsert_questionnaire(conn: Connection, entry: dict) -> str:
    table = Questionnaire.__table__
    questions = Question.__table__
    scales = {name: Scale.from_json(name, scale) for name, scale in entry.get("scales", {}).items()}
    stored = json.dumps({"scales": entry.get("scales", {}), "questions": entry.get("questions", [])},
                        ensure_ascii=False)
    found = conn.execute(sa.select(table.c.id).where(table.c.key == entry["key"])).scalar()
    if found is None:
        found = conn.execute(table.insert().values(
            key=entry["key"], title=entry.get("title", entry["key"]), scales_json=stored,
        ).returning(table.c.id)).scalar_one()
    else:
        conn.execute(table.update().where(table.c.id == found).values(
            title=entry.get("title", entry["key"]), scales_json=stored))
    existing = {text: qid for qid, text in conn.execute(
        sa.select(questions.c.id, questions.c.text).where(questions.c.questionnaire_id == found))}
    for position, question in enumerate(entry.get("questions", [])):
        scale = scales.get(question.get("scale") or "")
        values = {
            "kind": question.get("kind", "likert"),
            "scale": question.get("scale"),
            "scale_min": scale.minimum if scale else None,
            "scale_max": scale.maximum if scale else None,
            "reverse": bool(question.get("reverse", False)),
            "is_scale_item": bool(question.get("scale_item", False)),
            "position": position,
        }
        if question["text"] in existing:
            conn.execute(questions.update().where(questions.c.id == existing[question["text"]]).values(**values))
        else:
            conn.execute(questions.insert().values(questionnaire_id=found, text=question["text"], **values))
    return entry["key"]


def load_dictionary(conn: Connection) -> dict[str, QuestionnaireInfo]:
    """Read every questionnaire with its questions and scales from the database, by key."""
    table = Questionnaire.__table__
    result = {}
    for qid, key, title, scales_json in conn.execute(
        sa.select(table.c.id, table.c.key, table.c.title, table.c.scales_json)
    ):
        stored = json.loads(scales_json) if scales_json else {}
        scales = {name: Scale.from_json(name, data) for name, data in stored.get("scales", {}).items()}
        questions = {}
        for question in stored.get("questions", []):
            questions[normalize_label(question["text"])] = QuestionInfo(
                text=question["text"],
                kind=question.get("kind", "likert"),
                scale=scales.get(question.get("scale") or ""),
                reverse=bool(question.get("reverse", False)),
                scale_item=bool(question.get("scale_item", False)),
                options=list(question.get("options") or []),
                profile_field=question.get("profile_field"),
                separator=question.get("separator") or ", ",
            )
        result[key] = QuestionnaireInfo(qid, key, title, questions)
    return result


def ensure_questionnaire(conn: Connection, name: str, dictionary: dict[str, QuestionnaireInfo]) -> QuestionnaireInfo:
    """Return the questionnaire named by key or title, creating a custom one when none fits."""
    folded = normalize_label(name)
    for info in dictionary.values():
        if folded in (normalize_label(info.key), normalize_label(info.title)):
            return info
    table = Questionnaire.__table__
    qid = conn.execute(table.insert().values(key=name.strip(), title=name.strip()).returning(table.c.id)).scalar_one()
    info = QuestionnaireInfo(qid, name.strip(), name.strip(), {})
    dictionary[info.key] = info
    logger.info("custom questionnaire %r created", info.key)
    return info


def split_grid(header: str) -> tuple[str, str | None]:
    """Split a grid column `Вопрос [строка]` at the last ` [`; return (question, row or None)."""
    text = header.strip()
    if text.endswith("]") and " [" in text:
        position = text.rfind(" [")
        return text[:position].strip(), text[position + 2 : -1].strip()
    return text, None


OTHER_PREFIXES = ("другое:", "другое -", "другое", "other:")


def split_multiselect(answer: str, options: list[str], separator: str = ", ") -> tuple[list[str], str | None]:
    """Split a checkbox answer against the known options, longest first; return (options, other text).

    Options may contain the separator themselves («Интерактивная доска, панель»),
    so the answer is consumed option by option; what is left is the free
    «Другое» text, kept whole. An empty answer is no selection at all.
    """
    rest = (answer or "").strip()
    if not rest:
        return [], None
    chosen: list[str] = []
    ordered = sorted(options, key=len, reverse=True)
    while rest:
        for option in ordered:
            if normalize_label(rest).startswith(normalize_label(option)) and (
                len(rest) == len(option) or rest[len(option):].startswith(separator.rstrip())
            ):
                chosen.append(option)
                rest = rest[len(option):].lstrip(separator.strip()).strip()
                break
        else:
            break
    other = rest or None
    if other:
        for prefix in OTHER_PREFIXES:
            if normalize_label(other).startswith(prefix):
                other = other[len(prefix):].strip() or other
                break
    return chosen, other
