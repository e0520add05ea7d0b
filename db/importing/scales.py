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
import math
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

    The whole dictionary is checked before anything is written. Raises
    `ImportValidationError` with a Russian message when a file is not valid
    JSON or the dictionary breaks the format (see `validate_questionnaires`).
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
    entries = validate_questionnaires(data, name)
    engine = engine or get_engine()
    keys = []
    with engine.begin() as conn:
        for entry in entries:
            keys.append(_upsert_questionnaire(conn, entry))
    logger.info("scale dictionary loaded: %s", ", ".join(keys))
    return keys


# Question kinds that the importers and analysis understand: "likert" (one scale answer),
# "grid" (one row of a grid question), "choice" (one option), "multi" (checkboxes, split
# against `options`) and "text" (free text, never scored).
QUESTION_KINDS = ("likert", "grid", "choice", "multi", "text")
MAX_DICTIONARY_PROBLEMS = 20
_SAMPLE_HINT = "Возьмите за образец sample_data/questionnaires.json."


def validate_questionnaires(data: object, file_name: str) -> list[dict]:
    """Check a parsed scale dictionary and return its questionnaires.

    `data` is a list of questionnaires, `{"questionnaires": [...]}` or one
    questionnaire object. Raises `ImportValidationError` that lists up to
    `MAX_DICTIONARY_PROBLEMS` problems, each with the questionnaire, the
    question or scale, the field, the value and the fix.
    """
    entries = data.get("questionnaires", [data]) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ImportValidationError(
            f"Файл {file_name}: словарь анкет должен быть списком анкет [{{...}}, ...], "
            f"а в файле {_quoted(entries)}. {_SAMPLE_HINT}", file=file_name, value=_quoted(entries))
    if not entries:
        raise ImportValidationError(
            f"Файл {file_name}: в словаре нет ни одной анкеты. Добавьте хотя бы одну анкету "
            f"с полями «key» и «questions». {_SAMPLE_HINT}", file=file_name)
    problems: list[str] = []
    seen_keys: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        problems.extend(_questionnaire_problems(position, entry))
        key = entry.get("key") if isinstance(entry, dict) else None
        if isinstance(key, str) and key.strip():
            if key.strip() in seen_keys:
                problems.append(
                    f"анкета №{position} «{key}»: ключ «key» уже занят анкетой №{seen_keys[key.strip()]}. "
                    "Дайте каждой анкете свой ключ.")
            seen_keys.setdefault(key.strip(), position)
    if problems:
        listed = problems[:MAX_DICTIONARY_PROBLEMS]
        more = len(problems) - len(listed)
        tail = f"\n  …и ещё {more} ошибок." if more else ""
        raise ImportValidationError(
            f"Файл {file_name}: словарь анкет не загружен, в базу ничего не записано. "
            f"Ошибок: {len(problems)}.\n  " + "\n  ".join(listed) + tail + f"\n{_SAMPLE_HINT}",
            file=file_name)
    return entries


def _quoted(value: object) -> str:
    """Quote a dictionary value for a message as the user wrote it in JSON, at most 60 characters."""
    text = f"«{value}»" if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _field(container: dict, name: str) -> str:
    """Describe one field of a questionnaire, scale or question for a message."""
    if name not in container:
        return f"нет поля «{name}»"
    return f"поле «{name}»: {_quoted(container[name])}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _questionnaire_problems(position: int, entry: object) -> list[str]:
    if not isinstance(entry, dict):
        return [f"анкета №{position}: вместо объекта {{\"key\": ..., \"questions\": [...]}} "
                f"записано {_quoted(entry)}. Запишите анкету как объект JSON."]
    key = entry.get("key")
    if isinstance(key, str) and key.strip():
        where = f"анкета №{position} «{key}»"
        problems = []
    else:
        where = f"анкета №{position}"
        described = " без ключа «key»" if "key" not in entry else f": {_field(entry, 'key')}"
        problems = [f"{where}{described}. "
                    "Укажите непустой ключ анкеты строкой, например \"mentee_satisfaction\"."]

    scales = entry.get("scales")
    if scales is None:
        scales = {}
    if not isinstance(scales, dict):
        problems.append(f"{where}: {_field(entry, 'scales')}, а нужен объект "
                        "{\"имя шкалы\": {\"min\": ..., \"max\": ..., \"labels\": {...}}}.")
        scales = {}
    for scale_name, scale in scales.items():
        problems.extend(_scale_problems(f"{where}, шкала «{scale_name}»", scale))

    questions = entry.get("questions")
    if not isinstance(questions, list):
        problems.append(f"{where}: {_field(entry, 'questions')}, "
                        "а нужен список вопросов [{\"text\": ..., \"kind\": ...}, ...].")
        return problems
    texts: dict[str, int] = {}
    for number, question in enumerate(questions, start=1):
        problems.extend(_question_problems(f"{where}, вопрос №{number}", question, scales))
        text = question.get("text") if isinstance(question, dict) else None
        if isinstance(text, str) and text.strip():
            folded = normalize_label(text)
            if folded in texts:
                problems.append(f"{where}, вопрос №{number}: текст «{text}» повторяет вопрос №{texts[folded]} "
                                "(без учёта регистра, пробелов по краям и ё/е). Оставьте один из них "
                                "или измените текст.")
            texts.setdefault(folded, number)
    return problems


def _question_problems(where: str, question: object, scales: dict) -> list[str]:
    if not isinstance(question, dict):
        return [f"{where}: вместо объекта {{\"text\": ..., \"kind\": ...}} записано {_quoted(question)}."]
    problems = []
    text = question.get("text")
    if isinstance(text, str) and text.strip():
        where = f"{where} «{text}»"
    else:
        problems.append(f"{where}: {_field(question, 'text')}. "
                        "Укажите текст вопроса строкой, как в заголовке столбца выгрузки.")
    kind = question.get("kind", "likert")
    if kind not in QUESTION_KINDS:
        problems.append(f"{where}: {_field(question, 'kind')}, такого вида вопроса нет. "
                        f"Укажите один из видов: {', '.join(QUESTION_KINDS)}.")
    scale = question.get("scale")
    if scale is not None and (not isinstance(scale, str) or scale not in scales):
        defined = ", ".join(str(name) for name in scales) or "шкал нет"
        problems.append(f"{where}: {_field(question, 'scale')}, такой шкалы в анкете нет "
                        f"(определены: {defined}). Укажите имя шкалы из «scales» или null.")
    options = question.get("options")
    if options is not None and not _is_string_list(options):
        problems.append(f"{where}: {_field(question, 'options')}, а нужен список строк "
                        "[\"вариант 1\", \"вариант 2\"].")
    return problems


def _scale_problems(where: str, scale: object) -> list[str]:
    if not isinstance(scale, dict):
        return [f"{where}: вместо объекта {{\"min\": ..., \"max\": ..., \"labels\": {{...}}}} "
                f"записано {_quoted(scale)}."]
    problems = []

    bounds = {}
    for field_name in ("min", "max"):
        value = scale.get(field_name)
        if _is_number(value):
            bounds[field_name] = float(value)
        else:
            problems.append(f"{where}: {_field(scale, field_name)}. "
                            "Укажите число без кавычек, например 1 или 5.")
    if len(bounds) == 2 and bounds["min"] >= bounds["max"]:
        problems.append(f"{where}: «min» {_quoted(scale['min'])} не меньше «max» {_quoted(scale['max'])}. "
                        "Нижняя граница шкалы должна быть меньше верхней.")

    labels = scale.get("labels", {})
    if not isinstance(labels, dict):
        problems.append(f"{where}: {_field(scale, 'labels')}, а нужен объект "
                        "{\"1\": [\"подпись\", ...], ...}.")
        labels = {}
    for value, synonyms in labels.items():
        problems.extend(_label_problems(where, value, synonyms, bounds))

    no_opinion = scale.get("no_opinion", [])
    if not _is_string_list(no_opinion):
        problems.append(f"{where}: {_field(scale, 'no_opinion')}, а нужен список строк, "
                        "например [\"Затрудняюсь ответить\"].")
    rule = scale.get("no_opinion_rule", DEFAULT_NO_OPINION_RULE)
    if rule not in NO_OPINION_RULES:
        problems.append(f"{where}: {_field(scale, 'no_opinion_rule')}. Укажите одно из правил: "
                        "\"missing\" (ответ «Затрудняюсь ответить» не получает балла) или "
                        "\"midpoint\" (получает середину шкалы).")
    return problems


def _label_problems(where: str, value: object, synonyms: object, bounds: dict[str, float]) -> list[str]:
    problems = []
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        problems.append(f"{where}: ключ подписи {_quoted(value)} в «labels» — не число. "
                        "Ключами «labels» служат баллы шкалы, например \"1\".")
    elif len(bounds) == 2 and not bounds["min"] <= number <= bounds["max"]:
        problems.append(f"{where}: балл {_quoted(value)} в «labels» вне шкалы от {bounds['min']:g} "
                        f"до {bounds['max']:g}. Исправьте балл или границы «min» и «max».")
    if not _is_string_list(synonyms):
        problems.append(f"{where}: подписи балла {_quoted(value)} в «labels» — {_quoted(synonyms)}, "
                        "а нужен список строк, даже для одной подписи: [\"Скорее согласен\"].")
    return problems


def _upsert_questionnaire(conn: Connection, entry: dict) -> str:
    table = Questionnaire.__table__
    questions = Question.__table__
    # validate_questionnaires lets "scales" be null or absent, so both mean no scales.
    scales = {name: Scale.from_json(name, scale) for name, scale in (entry.get("scales") or {}).items()}
    stored = json.dumps({"scales": entry.get("scales") or {}, "questions": entry.get("questions", [])},
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
