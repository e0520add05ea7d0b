"""Write the synthetic register templates of the demo school year 2024/25.

Run ``python sample_data/registers/generate.py`` to rewrite, beside this
script, ``resources.xlsx`` (internal and external bases in one sheet,
separated by the «База» column), ``documents.xlsx``, ``roadmap.xlsx``,
``indicator_confirmations.xlsx`` and ``indicator_targets.xlsx``. Column
headers are the Russian labels of the templates in ``db/registers.py``.
Authors appear by participant code; nothing here describes a real person.
The files sit in their own folder because ``db.demo`` imports every file at
the top of sample_data/ with the participant-data importer, which does not
know the register templates; ``db.registers.load_sample_registers`` loads
this folder.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

RESOURCES = [
    ("внутренняя", "Памятка: первые шаги в ФГИС «Моя школа»", "памятка", "ФГИС Моя школа", "", "T004", "14.10.2024"),
    ("внутренняя", "Видеоурок: создание чата класса в Сферуме", "видеоурок", "Сферум", "", "T011", "28.10.2024"),
    ("внутренняя", "Шаблон онлайн-теста для 5–7 классов", "шаблон", "Онлайн-тестирование", "", "T007", "08.11.2024"),
    ("внутренняя", "Чек-лист дистанционного урока", "чек-лист", "Дистанционное обучение", "", "T004", "22.11.2024"),
    ("внутренняя", "Подборка интерактивных заданий по математике", "подборка", "Цифровые образовательные ресурсы", "", "T015", "10.12.2024"),
    ("внутренняя", "Запись вебинара «Электронный журнал без ошибок»", "видеозапись", "ФГИС Моя школа", "", "T011", "23.01.2025"),
    ("внутренняя", "Методическая карта урока с ЦОР", "методическая разработка", "Цифровые образовательные ресурсы", "", "T020", "17.02.2025"),
    ("внутренняя", "Сборник открытых уроков наставляемых", "сборник", "Цифровые образовательные ресурсы", "", "T007", "15.04.2025"),
    ("внешняя", "Библиотека цифрового образовательного контента", "портал", "Цифровые образовательные ресурсы", "https://example.org/library", "", "04.11.2024"),
    ("внешняя", "Справочный раздел платформы «Сферум»", "справка", "Сферум", "https://example.org/sferum-help", "", "04.11.2024"),
    ("внешняя", "Курс повышения квалификации по цифровой дидактике", "курс", "Дистанционное обучение", "https://example.org/course", "", "19.11.2024"),
    ("внешняя", "Конструктор онлайн-тестов", "сервис", "Онлайн-тестирование", "https://example.org/tests", "", "03.12.2024"),
    ("внешняя", "Сообщество учителей: цифровые практики", "сообщество", "Цифровые образовательные ресурсы", "https://example.org/community", "", "20.01.2025"),
]  # fmt: skip

DOCUMENTS = [
    ("Приказ о создании проектной группы", "нормативный", "да", "утверждён", "10.09.2024"),
    ("Положение о цифровом наставничестве", "нормативный", "да", "утверждён", "30.10.2024"),
    ("Дорожная карта реализации проекта", "нормативный", "да", "утверждён", "01.10.2024"),
    ("Форма согласия на обработку персональных данных", "нормативный", "да", "утверждён", "05.11.2024"),
    ("Положение о рейтинге цифровых наставников", "нормативный", "да", "проект", ""),
    ("Диагностический инструментарий цифровых компетенций", "методический", "да", "утверждён", "20.10.2024"),
    ("Методические рекомендации для наставнических пар", "методический", "да", "утверждён", "15.11.2024"),
    ("Анкеты удовлетворённости наставников и наставляемых", "методический", "да", "утверждён", "25.04.2025"),
    ("Сборник материалов проекта", "методический", "да", "проект", ""),
    ("Шаблон индивидуального образовательного маршрута", "методический", "нет", "утверждён", "12.11.2024"),
]  # fmt: skip

ROADMAP = [
    (1, "Создание проектной группы",
     "Определение готовности коллектива к инновационной деятельности; формирование состава проектной группы",
     "02.09.2024", "30.09.2024", "выполнен", "Проектная группа (приказ по школе)",
     "Приказ о создании проектной группы"),
    (2, "Разработка модели цифрового наставничества",
     "Анализ литературы и опыта регионов; создание и теоретическое обоснование модели",
     "02.09.2024", "31.10.2024", "выполнен", "Теоретическая модель цифрового наставничества",
     "Модель одобрена педагогическим советом"),
    (3, "Разработка интерфейсной части, организация работы в интерфейсе",
     "Анализ интерфейсов; требования; структура и программирование; апробация",
     "01.10.2024", "31.10.2024", "выполнен", "Адаптированный интерфейс платформы",
     "Интерфейс платформы открыт для пар"),
    (4, "Организация работы наставнических пар",
     "Формирование цифровых наставнических пар; обучение современным цифровым технологиям",
     "01.11.2024", "31.05.2025", "выполнен", "Механизм работы наставнических пар (групп)",
     "Работают пары и группы цифровой и традиционной моделей"),
    (5, "Определение удовлетворённости и эффективности наставников",
     "Разработка диагностического материала; анкетирование наставников и наставляемых",
     "01.05.2025", "31.05.2025", "выполнен", "Рейтинг наставников", "Анкетирование проведено"),
    (6, "Описание модели цифрового наставничества",
     "Трансляция опыта", "02.06.2025", "31.07.2025", "выполняется",
     "Сборник материалов проекта", ""),
]  # fmt: skip

CONFIRMATIONS = [
    ("Наличие платформы", "25.10.2024", "Платформа наставничества открыта для участников проекта",
     "https://example.org/platform"),
    ("Наличие модели цифрового наставничества", "31.10.2024",
     "Модель одобрена педагогическим советом, протокол № 2", ""),
]  # fmt: skip


def _targets() -> list[tuple[str, str, float]]:
    months = [str(p) for p in pd.period_range("2024-09", "2025-07", freq="M")]
    rows = []
    presence_from = {
        "model_described": "2024-10",
        "internal_resources_base": "2024-11",
        "external_resources_base": "2024-11",
        "platform": "2024-10",
        "platform_interface": "2024-11",
    }
    for indicator, first in presence_from.items():
        rows += [(indicator, month, 1.0) for month in months if month >= first]
    normative = {"2024-10": 40, "2024-11": 60, "2024-12": 80}
    methodological = {"2024-11": 25, "2025-01": 50, "2025-04": 75, "2025-07": 100}
    registered = {"2024-09": 30, "2024-10": 55, "2024-11": 65}
    participating = {"2024-11": 50, "2024-12": 60}
    for month in months:
        rows.append(("normative_documents_percent", month, normative.get(month, 100 if month >= "2025-01" else 20)))
        value = max((v for m, v in methodological.items() if m <= month), default=None)
        if value is not None:
            rows.append(("methodological_documents_percent", month, value))
        value = registered.get(month, 70 if month >= "2024-12" else None)
        if value is not None:
            rows.append(("registered_participants_cumulative", month, value))
        value = participating.get(month, 60 if month >= "2025-01" else None)
        if value is not None:
            rows.append(("participating_teachers_cumulative", month, value))
        if month >= "2025-05":
            rows.append(("mentee_satisfaction_percent", month, 80.0))
            rows.append(("mentor_satisfaction_percent", month, 80.0))
    return rows  # fmt: skip


def write_registers(out: Path) -> list[Path]:
    """Write the five register templates into ``out`` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "resources.xlsx": pd.DataFrame(
            RESOURCES,
            columns=["База", "Название", "Тип", "Область компетенций", "Ссылка", "Автор", "Дата добавления"],
        ),
        "documents.xlsx": pd.DataFrame(
            DOCUMENTS, columns=["Название", "Вид", "Обязательный", "Статус", "Дата"]
        ),
        "roadmap.xlsx": pd.DataFrame(
            ROADMAP,
            columns=["№", "Мероприятие", "Содержание работы", "Начало", "Окончание", "Статус",
                     "Планируемый результат", "Результат"],
        ),  # fmt: skip
        "indicator_confirmations.xlsx": pd.DataFrame(
            CONFIRMATIONS, columns=["Показатель", "Дата подтверждения", "Подтверждение", "Ссылка"]
        ),
        "indicator_targets.xlsx": pd.DataFrame(
            _targets(), columns=["Показатель", "Месяц", "Целевое значение"]
        ),
    }
    paths = []
    for name, frame in tables.items():
        path = out / name
        frame.to_excel(path, index=False, sheet_name=name.removesuffix(".xlsx"))
        paths.append(path)
        logger.info("wrote %s (%d rows)", path, len(frame))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the XLSX files into")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    write_registers(args.out)


if __name__ == "__main__":
    main()
