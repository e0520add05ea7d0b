"""The content of the report for the city education department, independent of file format.

``build_report_content`` reads the database once and returns a list of blocks
(headings, paragraphs, tables, figures); ``docx_report``, ``pdf_report`` and
``xlsx_report`` render the same blocks, so the three files carry the same content.
People appear by code; names only when ``internal`` is set.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from analysis.indicators import INDICATOR_SPECS
from reports import charts
from reports.findings import summary_findings
from reports.frames import Frames
from reports.indicators import (
    CARRIED_FORWARD_NOTE,
    STATUS_COLOURS,
    STATUS_LABELS,
    RegisterFrames,
    YearSettings,
    display_table,
    indicator_table,
    infer_start_year,
    kirkpatrick_table,
    latest_display_table,
    latest_by_indicator,
    load_all,
    status_counts,
)

logger = logging.getLogger(__name__)

DEFAULT_SCHOOL = "Общеобразовательная школа (демонстрационные данные)"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A table with a numbered caption; every cell is already text (never ``nan``)."""

    caption: str
    frame: pd.DataFrame
    sheet: str  # XLSX sheet name, at most 31 characters
    status_column: str | None = None  # a column whose cells are status labels, coloured


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes
    width_cm: float = 16.0


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Contents:
    """The table of contents (a TOC field in DOCX, a generated list in PDF)."""


Block = Heading | Paragraph | Table | Figure | PageBreak | Contents


@dataclass
class ReportContent:
    title: str
    school: str
    period: str
    created_on: dt.date
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


METHODS = (
    "Рост компетенций оценивается внутри каждого участника: сравниваются его баллы "
    "(в процентах от максимума) до и после работы в паре. Если разности баллов "
    "распределены примерно нормально (критерий Шапиро–Уилка, p ≥ 0,05), применяется "
    "парный t-критерий Стьюдента, иначе — критерий Уилкоксона для связанных выборок. "
    "Размер эффекта — d Коэна для парных данных (dz) и g Хеджеса; при нескольких "
    "областях p-значения поправлены методом Холма.",
    "Цифровая и традиционная модели сравниваются по баллам после программы с поправкой "
    "на исходный уровень (ковариационный анализ, модель «после ~ до + модель»), а также "
    "по приростам критериями Уэлча и Манна–Уитни. Исходная равноценность групп "
    "проверяется по g Хеджеса на баллах до программы.",
    "Удовлетворённость считается по последней анкете каждого респондента: балл — "
    "среднее по пунктам шкалы, индекс — средний балл в процентах от диапазона шкалы, "
    "доля довольных — доля респондентов с баллом не ниже 75 % диапазона. Надёжность "
    "анкеты — альфа Кронбаха с доверительным интервалом.",
    "Показатели проекта считаются на конец каждого месяца учебного года по правилам, "
    "приведённым в таблице показателей; нарастающие итоги не убывают.",
)
LIMITATIONS = (
    "Ограничения. Участники не распределялись по моделям случайно, поэтому различия "
    "между моделями могут объясняться составом групп, а не самой моделью. Выборка одной "
    "школы мала: интервалы широкие, и отсутствие значимого различия не доказывает его "
    "отсутствия. Баллы до и после получены одним и тем же инструментом, поэтому рост "
    "частично может объясняться привыканием к тесту и возвратом к среднему. "
    "Удовлетворённость измерена самоотчётом. Данные в демонстрационной базе — "
    "синтетические.",
)


def build_report_content(
    engine: Engine | None = None,
    *,
    internal: bool = False,
    school: str | None = None,
    settings: YearSettings | None = None,
    progress: Progress | None = None,
    loaded: tuple[Frames, RegisterFrames] | None = None,
    figures: bool = True,
) -> ReportContent:
    """Assemble every block of the report from one read of the database.

    Parameters
    ----------
    engine : Engine, optional
        Database to read; DATABASE_URL or the SQLite default when None.
    internal : bool
        Show participants' names beside their codes (for the school only).
    school : str, optional
        School name for the title page; the first school in the database otherwise.
    settings : YearSettings, optional
        Months of the indicator table; the latest school year in the data by default.
    progress : callable, optional
        Called with (fraction done, Russian step name) as the steps finish.
    loaded : tuple, optional
        Frames and registers already read, to skip the database.
    figures : bool, default True
        Draw the charts; the XLSX workbook has no use for them.
    """
    report_progress = progress or (lambda fraction, text: None)
    started = time.perf_counter()
    report_progress(0.05, "Чтение данных")
    frames, registers = loaded if loaded is not None else load_all(engine)
    if settings is None:
        settings = YearSettings(
            start_year=infer_start_year(frames, registers), as_of=pd.Timestamp(dt.date.today())
        )
    school = school or _school_name(frames)
    table = indicator_table(frames, registers, settings)
    latest = latest_by_indicator(table)
    content = ReportContent(
        title="Отчёт о реализации проекта «Цифровое наставничество в образовании»",
        school=school,
        period=settings.label,
        created_on=dt.date.today(),
    )
    blocks = content.blocks
    blocks.append(Contents())
    blocks.append(PageBreak())
    report_progress(0.2, "Выводы по разделам")
    blocks.extend(_summary_blocks(frames, latest))
    blocks.append(PageBreak())
    report_progress(0.4, "Показатели проекта")
    blocks.extend(_indicator_blocks(table, latest, figures))
    report_progress(0.6, "Реестры и дорожная карта")
    blocks.extend(_register_blocks(registers))
    blocks.extend(_kirkpatrick_blocks(frames, registers))
    blocks.append(Heading("Методы и ограничения"))
    blocks.extend(Paragraph(text) for text in (*METHODS, *LIMITATIONS))
    report_progress(0.8, "Приложения")
    blocks.append(PageBreak())
    blocks.extend(_appendix_blocks(table, registers, frames, internal))
    _number_captions(blocks)
    logger.info("report content built in %.1f s", time.perf_counter() - started)
    return content


def _school_name(frames: Frames) -> str:
    schools = frames.participants["school"].dropna() if "school" in frames.participants else []
    return str(schools.iloc[0]) if len(schools) else DEFAULT_SCHOOL


def _summary_blocks(frames: Frames, latest: pd.DataFrame) -> list[Block]:
    counts = status_counts(latest)
    blocks: list[Block] = [
        Heading("Краткие выводы"),
        Paragraph(
            f"Показатели проекта на последний месяц учебного года, за который посчитано значение: "
            f"выполнено {counts['met']} из 11, отставание — {counts['behind']}, "
            f"цель не задана — {counts['no_target']}, нет данных — {counts['no_data']}. "
            f"{CARRIED_FORWARD_NOTE}"
        ),
    ]
    for heading, sentences in summary_findings(frames):
        blocks.append(Heading(heading, level=2))
        blocks.extend(Paragraph(sentence) for sentence in sentences)
    return blocks


def _indicator_blocks(table: pd.DataFrame, latest: pd.DataFrame, figures: bool) -> list[Block]:
    summary = latest_display_table(latest).reset_index(drop=True)
    rules = pd.DataFrame(
        {
            "Показатель": [spec.label for spec in INDICATOR_SPECS.values()],
            "Как считается": [spec.rule for spec in INDICATOR_SPECS.values()],
        }
    )
    counts = status_counts(latest)
    blocks: list[Block] = [
        Heading("Показатели результативности проекта"),
        Paragraph(
            "Таблица показывает значение каждого показателя на конец последнего месяца, "
            "за который оно есть, и цель на этот месяц. Статус «выполнено» означает, что "
            f"значение не ниже цели; «отставание» — ниже цели. {CARRIED_FORWARD_NOTE}"
        ),
        Table(
            "Показатели проекта на последний месяц учебного года со значением",
            _text(summary),
            "Показатели",
            "Статус",
        ),
    ]
    if figures:
        blocks.append(
            Figure(
                "Число показателей по статусам",
                charts.status_bar_png(counts, STATUS_LABELS, STATUS_COLOURS),
                width_cm=12,
            )
        )
        blocks.append(
            Figure(
                "Показатели проекта по месяцам: значение и цель",
                charts.indicators_grid_png(table),
            )
        )
    blocks.extend(Paragraph(text) for text in latest["reading"])
    blocks.append(Table("Правила подсчёта показателей", _text(rules), "Правила"))
    return blocks


def _register_blocks(registers: RegisterFrames) -> list[Block]:
    documents = registers.documents
    doc_table = pd.DataFrame(
        {
            "Документ": documents["title"],
            "Вид": documents["kind"].map({"normative": "нормативный", "methodological": "методический"}),
            "Обязательный": documents["required"].map({True: "да", False: "нет"}),
            "Статус": documents["status"].map({"approved": "утверждён", "draft": "проект"}),
            "Дата": documents["dated_on"].map(_date_text),
        }
    )
    roadmap = registers.roadmap.sort_values("number")
    stage_status = {"planned": "запланирован", "in_progress": "выполняется", "done": "выполнен"}
    roadmap_table = pd.DataFrame(
        {
            "№": roadmap["number"].astype(str),
            "Мероприятие": roadmap["title"],
            "Сроки": [
                f"{_date_text(a)} – {_date_text(b)}"
                for a, b in zip(roadmap["starts_on"], roadmap["ends_on"], strict=True)
            ],
            "Статус": roadmap["status"].map(stage_status),
            "Результат": roadmap["result"].fillna("").replace("", "—"),
        }
    )
    resources = registers.resources
    internal = int((resources["base"] == "internal").sum())
    external = int((resources["base"] == "external").sum())
    confirmations = registers.confirmations
    confirmation_table = pd.DataFrame(
        {
            "Показатель": confirmations["indicator"].map(lambda key: INDICATOR_SPECS[key].label),
            "Дата": confirmations["confirmed_on"].map(_date_text),
            "Подтверждение": confirmations["evidence"],
            "Ссылка": confirmations["url"].fillna("—"),
        }
    )
    return [
        Heading("Дорожная карта и реестры"),
        Paragraph(
            f"В базе внутренних ресурсов {internal}, в базе внешних ресурсов {external} "
            f"записей; в реестре документов {len(documents)} документов, из них утверждено "
            f"{int((documents['status'] == 'approved').sum())}."
        ),
        Table("Этапы дорожной карты", _text(roadmap_table), "Дорожная карта", "Статус"),
        Table("Реестр документов", _text(doc_table), "Документы"),
        Table("Подтверждения показателей наличия", _text(confirmation_table), "Подтверждения"),
    ]


def _kirkpatrick_blocks(frames: Frames, registers: RegisterFrames) -> list[Block]:
    overview = kirkpatrick_table(frames, registers)
    table = pd.DataFrame(
        {
            "Уровень Киркпатрика": overview["level_label"],
            "Этап оценки": overview["stage_label"],
            "Показатель или анализ": overview["title"],
            "Что измеряется": overview["measures"],
            "Измеряется": overview["measured"].map({True: "да", False: "нет"}),
            "Чего не хватает": overview["missing"].replace("", "—"),
        }
    ).sort_values(["Уровень Киркпатрика", "Этап оценки"], kind="stable")
    measured = int(overview["measured"].sum())
    missing_levels = sorted(
        set(overview["level_label"]) - set(overview.loc[overview["measured"], "level_label"])
    )
    text = (
        f"Из {len(overview)} показателей и анализов данными обеспечены {measured}. "
        "Оценка по целевой модели наставничества состоит из двух этапов: качество "
        "процесса реализации программы и рост её участников."
    )
    if missing_levels:
        text += f" Не измеряются вовсе уровни: {', '.join(missing_levels)}."
    return [
        Heading("Оценка по модели Киркпатрика"),
        Paragraph(text),
        Table("Показатели и анализы по уровням Киркпатрика и этапам оценки", _text(table), "Киркпатрик"),
    ]


def _appendix_blocks(
    table: pd.DataFrame, registers: RegisterFrames, frames: Frames, internal: bool
) -> list[Block]:
    resources = registers.resources
    resource_table = pd.DataFrame(
        {
            "База": resources["base"].map({"internal": "внутренняя", "external": "внешняя"}),
            "Название": resources["title"],
            "Тип": resources["type"],
            "Область": resources["area"],
            "Ссылка": resources["url"],
            "Дата добавления": resources["added_on"].map(_date_text),
        }
    )
    participants = frames.participants
    people = pd.DataFrame(
        {
            "Код": participants["code"],
            "Роль": participants["role"].map(
                {"mentor": "наставник", "mentee": "наставляемый", "both": "наставник и наставляемый"}
            ),
            "Предмет": participants["subject"],
            "Дата регистрации": participants["registered_on"].map(_date_text),
        }
    )
    if internal:
        people.insert(1, "ФИО", participants["full_name"])
    return [
        Heading("Приложения"),
        Table("Показатели проекта по месяцам (значение / цель)", _text(display_table(table)), "По месяцам"),
        Table("База ресурсов", _text(resource_table), "Ресурсы"),
        Table(
            "Участники программы" + (" (с ФИО, для внутреннего пользования)" if internal else " (по кодам)"),
            _text(people),
            "Участники",
        ),
    ]


def _number_captions(blocks: list[Block]) -> None:
    table_number = figure_number = 0
    for position, block in enumerate(blocks):
        if isinstance(block, Table):
            table_number += 1
            blocks[position] = Table(
                f"Таблица {table_number}. {block.caption}", block.frame, block.sheet, block.status_column
            )
        elif isinstance(block, Figure):
            figure_number += 1
            blocks[position] = Figure(f"Рисунок {figure_number}. {block.caption}", block.png, block.width_cm)


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn every cell into display text, with «—» for a missing one."""
    return frame.astype(object).where(frame.notna(), "—").astype(str).replace({"": "—", "nan": "—"})


def _date_text(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{pd.Timestamp(value):%d.%m.%Y}"
