"""Scale dictionary of the demo questionnaires, written as questionnaires.json."""

from __future__ import annotations

from sample_vocabulary import (
    DIFFICULTY_QUESTION,
    FORMAT_OPTIONS,
    FORMAT_QUESTION,
    HELP_OPTIONS,
    HELP_QUESTION,
    INTEREST_OPTIONS,
    INTEREST_QUESTION,
    LEVEL_QUESTION,
    MENTEE_FREE_QUESTION,
    MENTEE_ITEMS,
    MENTOR_FREE_QUESTION,
    MENTOR_ITEMS,
    SCHEDULE_OPTIONS,
    SCHEDULE_QUESTION,
    SERVICE_AREA,
    STYLE_OPTIONS,
    STYLE_QUESTION,
)

AGREE5_SCALE = {
    "min": 1,
    "max": 5,
    "labels": {
        "1": [
            "Полностью не согласен",
            "Совершенно не согласен",
            "Абсолютно не согласен",
        ],
        "2": ["Скорее не согласен", "Не согласен"],
        "3": ["Нейтрально", "Ни да, ни нет", "Отчасти согласен, отчасти нет"],
        "4": ["Скорее согласен", "Согласен"],
        "5": ["Полностью согласен", "Совершенно согласен", "Абсолютно согласен"],
    },
    "no_opinion": ["Затрудняюсь ответить", "Не могу определиться", "Не знаю"],
    "no_opinion_rule": "missing",
    "description": (
        "Шкала согласия 1–5. Ответ «Затрудняюсь ответить» и другие ответы из списка "
        "no_opinion считаются пропуском: они не получают балла и не входят в среднее "
        "респондента, даже если в форме стоят посередине шкалы. Балл 3 дают только "
        'нейтральные ответы из labels["3"].'
    ),
}
TEN_POINT_SCALE = {
    "min": 1,
    "max": 10,
    "labels": {str(point): [str(point)] for point in range(1, 11)},
    "no_opinion": [],
    "no_opinion_rule": "missing",
    "description": "Шкала 1–10, ответ – число от 1 до 10.",
}
DIFFICULTY_SCALE = {
    "min": 0,
    "max": 2,
    "labels": {"0": ["Нет"], "1": ["Частично"], "2": ["Да"]},
    "no_opinion": [],
    "no_opinion_rule": "missing",
    "description": "Степень затруднения: 0 – нет, 1 – частично, 2 – да.",
}
LEVEL_SCALE = {
    "min": 1,
    "max": 3,
    "labels": {"1": ["Низкий"], "2": ["Средний"], "3": ["Высокий"]},
    "no_opinion": [],
    "no_opinion_rule": "missing",
    "description": "Самооценка уровня владения сервисом: 1 – низкий, 3 – высокий.",
}


def question(
    text: str,
    kind: str,
    scale: str | None = None,
    reverse: bool = False,
    scale_item: bool = False,
    options: list[str] | None = None,
    **extra,
) -> dict:
    """Describe one question of the scale dictionary."""
    entry = {
        "text": text,
        "kind": kind,
        "scale": scale,
        "reverse": reverse,
        "scale_item": scale_item,
    }
    if options is not None:
        entry["options"] = options
    entry.update(extra)
    return entry


def diagnostic_questions() -> list[dict]:
    questions = [
        question("ФИО", "text", profile_field="full_name"),
        question("Предмет", "text", profile_field="subject"),
        question("Стаж работы (лет)", "text", profile_field="experience_years"),
    ]
    for service, area in SERVICE_AREA.items():
        questions.append(
            question(
                f"{DIFFICULTY_QUESTION} [{service}]",
                "grid",
                "difficulty3",
                grid=DIFFICULTY_QUESTION,
                row=service,
                area=area,
            )
        )
    for service, area in SERVICE_AREA.items():
        questions.append(
            question(
                f"{LEVEL_QUESTION} [{service}]",
                "grid",
                "level3",
                grid=LEVEL_QUESTION,
                row=service,
                area=area,
            )
        )
    questions += [
        question(
            HELP_QUESTION,
            "multi",
            options=HELP_OPTIONS,
            other_allowed=True,
            separator=", ",
        ),
        question(FORMAT_QUESTION, "choice", options=FORMAT_OPTIONS),
        question(SCHEDULE_QUESTION, "multi", options=SCHEDULE_OPTIONS, separator=", "),
        question(STYLE_QUESTION, "choice", options=STYLE_OPTIONS),
        question(INTEREST_QUESTION, "multi", options=INTEREST_OPTIONS, separator=", "),
    ]
    return questions


def build_questionnaires() -> list[dict]:
    """Build the scale dictionary for the three questionnaires in the files."""
    mentee_questions = [
        question(text, "likert", "agree5", reverse=reverse, scale_item=True)
        for text, reverse in MENTEE_ITEMS
    ]
    mentee_questions.append(question(MENTEE_FREE_QUESTION, "text"))
    mentor_questions = [
        question(text, "likert", "scale10", scale_item=True) for text in MENTOR_ITEMS
    ]
    mentor_questions.append(question(MENTOR_FREE_QUESTION, "text"))
    return [
        {
            "key": "diagnostic",
            "title": "Диагностика затруднений и потребностей педагогов",
            "scales": {"difficulty3": DIFFICULTY_SCALE, "level3": LEVEL_SCALE},
            "questions": diagnostic_questions(),
        },
        {
            "key": "mentee_satisfaction",
            "title": "Удовлетворенность наставляемых участием в программе",
            "scales": {"agree5": AGREE5_SCALE},
            "questions": mentee_questions,
        },
        {
            "key": "mentor_satisfaction",
            "title": "Удовлетворенность наставников участием в программе",
            "scales": {"scale10": TEN_POINT_SCALE},
            "questions": mentor_questions,
        },
    ]
