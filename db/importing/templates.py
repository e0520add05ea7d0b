"""The five import templates of the data contract, header matching and kind detection.

A column may be headed with the Russian label or the English key; enumerated
values are matched case- and ё/е-insensitively and may be given in English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from db.importing.values import normalize_label

KINDS = ("participants", "groups", "assessments", "activities", "answers")
# Order in which `demo` and multi-file imports load kinds: referenced rows first.
KIND_ORDER = ("participants", "groups", "assessments", "activities", "answers", "form")

KIND_TITLES = {
    "participants": "Участники",
    "groups": "Пары и группы",
    "assessments": "Оценки компетенций",
    "activities": "Мероприятия",
    "answers": "Ответы на анкеты",
    "form": "Выгрузка формы (Google, Яндекс, Microsoft)",
}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool
    type: str  # text | code | date | datetime | number | enum | email | url
    description: str
    values: dict[str, str] = field(default_factory=dict)  # Russian label -> English value
    aliases: tuple[str, ...] = ()

    def header_names(self) -> set[str]:
        return {normalize_label(name) for name in (self.key, self.label, *self.aliases)}

    def value_lookup(self) -> dict[str, str]:
        lookup = {normalize_label(label): value for label, value in self.values.items()}
        lookup.update({normalize_label(value): value for value in self.values.values()})
        return lookup


ROLE_VALUES = {
    "наставник": "mentor",
    "наставляемый": "mentee",
    "наставник и наставляемый": "both",
    "наставляемая": "mentee",
    "наставник и наставляемая": "both",
}
MODEL_VALUES = {"цифровая": "digital", "традиционная": "traditional",
                "цифровой": "digital", "традиционный": "traditional"}
STAGE_VALUES = {"диагностика": "diagnostic", "до": "pre", "промежуточный": "mid",
                "после": "post", "входная": "pre", "итоговая": "post"}
KIND_VALUES = {
    "встреча": "meeting",
    "консультация": "consultation",
    "открытый урок": "open_lesson",
    "вебинар": "webinar",
    "конкурс": "contest",
    "проект": "project",
    "учебный материал": "material",
    "материал": "material",
    "цифровой ресурс": "digital_resource",
    "персональный сайт": "personal_site",
    "другое": "other",
}
FORMAT_VALUES = {"очно": "in_person", "дистанционно": "remote", "онлайн": "remote",
                 "очный": "in_person", "дистанционный": "remote"}
QUESTIONNAIRE_VALUES = {
    "диагностика": "diagnostic",
    "удовлетворенность наставляемого": "mentee_satisfaction",
    "удовлетворенность наставника": "mentor_satisfaction",
}

TEMPLATES: dict[str, tuple[FieldSpec, ...]] = {
    "participants": (
        FieldSpec("code", "Код", True, "text", "Код участника, уникальный в школе, например T017."),
        FieldSpec("full_name", "ФИО", True, "text", "Фамилия, имя, отчество.", aliases=("ФИО педагога",)),
        FieldSpec("role", "Роль", True, "enum", "Роль в программе.", ROLE_VALUES),
        FieldSpec("school", "Школа", False, "text", "Название школы; пусто — школа по умолчанию."),
        FieldSpec("subject", "Предмет", False, "text", "Преподаваемый предмет."),
        FieldSpec("experience_years", "Стаж, лет", False, "number", "Педагогический стаж, число ≥ 0.",
                  aliases=("Стаж",)),
        FieldSpec("email", "E-mail", False, "email", "Адрес электронной почты.",
                  aliases=("Email", "Электронная почта", "Адрес электронной почты")),
        FieldSpec("registered_on", "Дата регистрации", True, "date", "Дата регистрации ДД.ММ.ГГГГ."),
    ),
    "groups": (
        FieldSpec("group_code", "Код группы", True, "text", "Код пары или группы, например G01."),
        FieldSpec("mentor_code", "Код наставника", True, "text", "Код участника-наставника."),
        FieldSpec("mentee_code", "Код наставляемого", True, "text", "Код участника-наставляемого."),
        FieldSpec("model", "Модель", True, "enum", "Модель наставничества.", MODEL_VALUES),
        FieldSpec("started_on", "Дата начала", True, "date", "Дата начала ДД.ММ.ГГГГ."),
        FieldSpec("ended_on", "Дата окончания", False, "date", "Дата окончания; пусто — пара работает."),
        FieldSpec("focus_areas", "Направления", False, "text", "Области компетенций через «;»."),
    ),
    "assessments": (
        FieldSpec("code", "Код", True, "text", "Код участника."),
        FieldSpec("area", "Область", True, "text", "Область компетенций, например «Сферум»."),
        FieldSpec("stage", "Этап", True, "enum", "Этап оценки.", STAGE_VALUES),
        FieldSpec("assessed_on", "Дата", True, "date", "Дата оценки ДД.ММ.ГГГГ."),
        FieldSpec("score", "Балл", True, "number", "Балл, от 0 до максимума."),
        FieldSpec("max_score", "Максимум", True, "number", "Максимально возможный балл, > 0."),
    ),
    "activities": (
        FieldSpec("occurred_on", "Дата", True, "datetime", "Дата или дата и время ДД.ММ.ГГГГ ЧЧ:ММ.",
                  aliases=("Дата и время",)),
        FieldSpec("code", "Код участника", True, "text", "Код участника.", aliases=("Код",)),
        FieldSpec("group_code", "Код группы", False, "text", "Код пары или группы."),
        FieldSpec("kind", "Вид", True, "enum", "Вид мероприятия.", KIND_VALUES,
                  aliases=("Мероприятие", "Вид мероприятия")),
        FieldSpec("format", "Формат", True, "enum", "Формат проведения.", FORMAT_VALUES),
        FieldSpec("hours", "Часы", False, "number", "Продолжительность в часах, ≥ 0.",
                  aliases=("Длительность, ч", "Длительность", "Продолжительность, ч")),
        FieldSpec("title", "Название", False, "text", "Название или тема."),
        FieldSpec("url", "Ссылка", False, "url", "Ссылка на материал или запись."),
    ),
    "answers": (
        FieldSpec("answered_on", "Дата", True, "datetime", "Дата или дата и время ответа.",
                  aliases=("Отметка времени",)),
        FieldSpec("code", "Код", True, "text", "Код участника."),
        FieldSpec("questionnaire", "Анкета", True, "questionnaire",
                  "Анкета: ключ или название; незнакомое название создаёт новую анкету.",
                  QUESTIONNAIRE_VALUES),
        FieldSpec("question", "Вопрос", True, "text", "Текст вопроса."),
        FieldSpec("answer", "Ответ", True, "text", "Ответ: число шкалы или её подпись."),
    ),
}


def fields_of(kind: str) -> tuple[FieldSpec, ...]:
    return TEMPLATES[kind]


def map_columns(columns: list[str], kind: str) -> dict[str, str]:
    """Return {column as written: field key} for the columns that match `kind`'s fields."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for spec in fields_of(kind):
        names = spec.header_names()
        for column in columns:
            if column in mapping or spec.key in taken:
                continue
            if normalize_label(column) in names:
                mapping[column] = spec.key
                taken.add(spec.key)
    return mapping


# Headers that only form exports have (Google «Отметка времени», Microsoft «Время начала», ...).
FORM_MARKERS = {
    normalize_label(name)
    for name in (
        "Отметка времени", "Timestamp", "Время начала", "Время завершения", "Start time",
        "Completion time", "Время создания", "Время отправки", "ID ответа",
    )
}


def detect_kind(columns: list[str]) -> tuple[str | None, dict[str, float]]:
    """Guess the template kind from headers; return the kind (or None) and each kind's score.

    A template kind qualifies when every required field has a column; the best
    share of matched fields wins. Tables with a form timestamp and no long-form
    answer columns are form exports.
    """
    scores: dict[str, float] = {}
    for kind in KINDS:
        specs = fields_of(kind)
        mapped = set(map_columns(columns, kind).values())
        required = [spec.key for spec in specs if spec.required]
        if all(key in mapped for key in required):
            scores[kind] = len(mapped) / len(specs) + len(mapped) / max(len(columns), 1)
    normalized = {normalize_label(column) for column in columns}
    if normalized & FORM_MARKERS and "answers" not in scores:
        scores["form"] = 1.0
    if not scores:
        return None, scores
    return max(scores, key=scores.get), scores


def template_workbook(kind: str) -> bytes:
    """Return a blank XLSX template: Russian headers on sheet one, column notes on sheet two."""
    import xlsxwriter

    if kind not in TEMPLATES:
        raise ValueError(f"unknown template kind {kind!r}; expected one of {', '.join(KINDS)}")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(KIND_TITLES[kind][:31])
    notes = workbook.add_worksheet("Пояснения")
    notes.write_row(0, 0, ["Столбец", "Ключ", "Обязательный", "Что писать", "Допустимые значения"], bold)
    for col, spec in enumerate(fields_of(kind)):
        sheet.write(0, col, spec.label, bold)
        sheet.set_column(col, col, max(14, len(spec.label) + 4))
        if spec.type == "enum":
            labels = _distinct_labels(spec)
            sheet.data_validation(1, col, 5000, col, {
                "validate": "list", "source": labels, "error_type": "warning"
            })
        allowed = "; ".join(f"{label} ({value})" for label, value in _canonical_values(spec))
        notes.write_row(col + 1, 0, [
            spec.label, spec.key, "да" if spec.required else "нет", spec.description, allowed
        ], wrap)
    sheet.freeze_panes(1, 0)
    notes.set_column(0, 1, 22)
    notes.set_column(2, 2, 14)
    notes.set_column(3, 4, 50)
    workbook.close()
    return buffer.getvalue()


def _canonical_values(spec: FieldSpec) -> list[tuple[str, str]]:
    """The first Russian label of each English value, in declaration order."""
    seen: dict[str, str] = {}
    for label, value in spec.values.items():
        seen.setdefault(value, label)
    return [(label, value) for value, label in seen.items()]


def _distinct_labels(spec: FieldSpec) -> list[str]:
    return [label for label, _ in _canonical_values(spec)]
