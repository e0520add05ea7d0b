"""Kirkpatrick levels and federal evaluation stages of every indicator and analysis.

Kirkpatrick's four levels of training evaluation are reaction (did the
participants like it), learning (did they gain knowledge and skills),
behaviour (do they use them at work) and results (did the organisation's
outcomes change). The federal target model of mentoring (Минпросвещения,
распоряжение № Р-145 от 25.12.2019, and its methodological recommendations)
evaluates a programme in two stages: the quality of the programme's process
(``process``) and the motivational, personal and professional growth of its
participants (``growth``).

The catalogue below tags each of the eleven plan indicators and each analysis
of the app with both. ``kirkpatrick_overview`` marks what the current data
measures and what is still missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

LEVELS = ("reaction", "learning", "behaviour", "results")
LEVEL_LABELS = {
    "reaction": "1. Реакция",
    "learning": "2. Научение",
    "behaviour": "3. Поведение",
    "results": "4. Результаты",
}
FEDERAL_STAGES = ("process", "growth")
FEDERAL_STAGE_LABELS = {
    "process": "Качество процесса реализации программы",
    "growth": "Рост участников (мотивационно-личностный и профессиональный)",
}

# (item, kind, Russian title, level, federal stage, what is measured, data it needs).
# Level "results" for the presence and document indicators: they are outcomes of the
# project for the school as an organisation, not of any one teacher.
_CATALOGUE = (
    ("model_described", "indicator", "Наличие модели цифрового наставничества",
     "results", "process", "описана ли модель (подтверждение, этап 2)", "registers"),
    ("internal_resources_base", "indicator", "База внутренних ресурсов",
     "results", "process", "наполнение базы ресурсов школы", "registers"),
    ("external_resources_base", "indicator", "База внешних ресурсов",
     "results", "process", "наполнение базы внешних ресурсов", "registers"),
    ("platform", "indicator", "Наличие платформы",
     "results", "process", "подтверждение работы платформы", "registers"),
    ("platform_interface", "indicator", "Интерфейс оболочки платформы",
     "results", "process", "подтверждение интерфейса, этап 3", "registers"),
    ("normative_documents_percent", "indicator", "Доля нормативной документации",
     "results", "process", "доля утверждённых обязательных документов", "registers"),
    ("methodological_documents_percent", "indicator", "Доля методической документации",
     "results", "process", "доля утверждённых обязательных документов", "registers"),
    ("participating_teachers_cumulative", "indicator", "Педагоги-участники",
     "behaviour", "process", "сколько педагогов работают в парах и группах", "groups"),
    ("mentee_satisfaction_percent", "indicator", "Удовлетворённость наставляемых",
     "reaction", "process", "индекс удовлетворённости по анкете", "answers"),
    ("mentor_satisfaction_percent", "indicator", "Удовлетворённость наставников",
     "reaction", "process", "индекс удовлетворённости по анкете", "answers"),
    ("registered_participants_cumulative", "indicator", "Зарегистрированные участники",
     "reaction", "process", "охват программы регистрацией", "participants"),
    ("pre_post", "analysis", "Рост компетенций до/после",
     "learning", "growth", "изменение баллов по областям, парный тест", "assessments"),
    ("comparison", "analysis", "Сравнение цифровой и традиционной моделей",
     "learning", "growth", "результат «после» с поправкой на уровень «до» (ковариационный анализ)",
     "assessments"),
    ("engagement", "analysis", "Вовлечённость",
     "behaviour", "process", "доля активных участников, часы, мероприятия", "activities"),
    ("satisfaction", "analysis", "Удовлетворённость и надёжность анкеты",
     "reaction", "process", "индекс, доля довольных, альфа Кронбаха", "answers"),
    ("mentor_rating", "analysis", "Рейтинг наставников",
     "learning", "growth", "прирост наставляемых и оценки наставника", "assessments"),
    ("open_lessons", "analysis", "Применение в работе: открытые уроки, ресурсы, сайты",
     "behaviour", "growth", "открытые уроки, авторские ресурсы и сайты участников", "activities"),
    ("student_outcomes", "analysis", "Результаты обучающихся",
     "results", "growth", "успеваемость учеников наставляемых", "student_outcomes"),
    ("motivation", "analysis", "Мотивационно-личностный рост",
     "reaction", "growth", "самооценка мотивации и профессиональной позиции", "motivation"),
)  # fmt: skip

_MISSING_HINTS = {
    "registers": "заполните реестры (ресурсы, документы, дорожная карта, подтверждения)",
    "groups": "загрузите пары и группы",
    "participants": "загрузите список участников",
    "answers": "загрузите ответы на анкеты удовлетворённости",
    "assessments": "загрузите оценки компетенций до и после",
    "activities": "загрузите журнал мероприятий",
    "student_outcomes": "приложение пока не собирает результаты обучающихся",
    "motivation": "приложение пока не собирает анкету мотивации",
}


def kirkpatrick_catalogue() -> pd.DataFrame:
    """Return the catalogue of indicators and analyses with their evaluation tags.

    Returns
    -------
    pandas.DataFrame
        One row per item, with columns

        - ``item`` : str, indicator key or analysis key (the JSON keys of
          ``reports summary``, plus ``open_lessons``, ``student_outcomes`` and
          ``motivation``)
        - ``kind`` : str, ``indicator`` or ``analysis``
        - ``title`` : str, Russian title
        - ``level`` : str, one of ``LEVELS``
        - ``federal_stage`` : str, one of ``FEDERAL_STAGES``
        - ``measures`` : str, what it measures, in Russian
        - ``source`` : str, the data it needs

    Notes
    -----
    The tagging is a judgement, documented here so that it can be argued with.
    Satisfaction and registration are reactions, and competence scores are
    learning. Work in groups, activities and open lessons are behaviour. The
    school-level deliverables of the plan (model, bases, platform, documents)
    and students' results are results.
    """
    columns = ["item", "kind", "title", "level", "federal_stage", "measures", "source"]
    return pd.DataFrame(list(_CATALOGUE), columns=columns)


def kirkpatrick_overview(available: Mapping[str, int]) -> pd.DataFrame:
    """Mark each catalogue item measured or missing from the row counts of its data.

    Parameters
    ----------
    available : mapping of str to int
        Rows present per data source (``registers``, ``groups``,
        ``participants``, ``answers``, ``assessments``, ``activities``,
        ``student_outcomes``, ``motivation``). A source not in the mapping
        counts as empty.

    Returns
    -------
    pandas.DataFrame
        The columns of ``kirkpatrick_catalogue`` plus

        - ``measured`` : bool, True when the item's source has rows
        - ``missing`` : str, in Russian what to load to measure it, empty when
          measured

    Notes
    -----
    Having rows does not mean having enough rows: the pages state sample sizes
    beside each statistic.
    """
    frame = kirkpatrick_catalogue()
    frame["measured"] = [available.get(source, 0) > 0 for source in frame["source"]]
    frame["missing"] = [
        "" if measured else _MISSING_HINTS[source]
        for measured, source in zip(frame["measured"], frame["source"], strict=True)
    ]
    return frame


def coverage_by_level(overview: pd.DataFrame) -> pd.DataFrame:
    """Count measured and catalogued items per Kirkpatrick level and federal stage.

    Returns
    -------
    pandas.DataFrame
        One row per combination of ``LEVELS`` and ``FEDERAL_STAGES``, with
        columns ``level``, ``federal_stage``, ``items`` (catalogued) and
        ``measured``. A combination with no item has ``items`` 0.
    """
    index = pd.MultiIndex.from_product([LEVELS, FEDERAL_STAGES], names=["level", "federal_stage"])
    grouped = overview.groupby(["level", "federal_stage"]).agg(
        items=("item", "size"), measured=("measured", "sum")
    )
    grouped = grouped.reindex(index, fill_value=0).reset_index()
    grouped["measured"] = grouped["measured"].astype(int)
    return grouped
