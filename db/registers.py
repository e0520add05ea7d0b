"""CRUD, template reading and frames for the registers of the plan.

Five registers feed the plan's indicators: resources (the internal and the
external base), documents, road-map stages, indicator targets and indicator
confirmations. Each has a template (Russian label or English key per column),
a reader that validates a table against it, and a frame reader whose columns
are those documented in ``analysis/indicators.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, select

from db.errors import DataError
from db.importing.values import (
    InvalidValue,
    MissingValue,
    is_blank,
    normalize_label,
    parse_date,
    parse_number,
)
from db.models import (
    Document,
    IndicatorConfirmation,
    IndicatorTarget,
    Resource,
    RoadmapStage,
    School,
)

logger = logging.getLogger(__name__)

# Kept equal to analysis.indicators.INDICATORS (a test checks it); db/ does not
# import analysis/.
INDICATOR_KEYS = (
    "model_described",
    "internal_resources_base",
    "external_resources_base",
    "platform",
    "platform_interface",
    "normative_documents_percent",
    "methodological_documents_percent",
    "participating_teachers_cumulative",
    "mentee_satisfaction_percent",
    "mentor_satisfaction_percent",
    "registered_participants_cumulative",
)
INDICATOR_LABELS = {
    "model_described": "Наличие модели цифрового наставничества",
    "internal_resources_base": "Наличие базы внутренних ресурсов",
    "external_resources_base": "Наличие базы внешних ресурсов",
    "platform": "Наличие платформы",
    "platform_interface": "Наличие интерфейса оболочки платформы",
    "normative_documents_percent": "Доля нормативно-правовой документации",
    "methodological_documents_percent": "Доля учебно-методической документации",
    "participating_teachers_cumulative": "Количество педагогов-участников",
    "mentee_satisfaction_percent": "Удовлетворенность наставляемых",
    "mentor_satisfaction_percent": "Удовлетворенность наставников",
    "registered_participants_cumulative": "Количество зарегистрированных участников",
}

# Accepted spellings (folded by normalize_label) of each coded value.
_CHOICES = {
    "base": {
        "internal": ("internal", "внутренний", "внутренняя", "внутренние", "внутренняя база"),
        "external": ("external", "внешний", "внешняя", "внешние", "внешняя база"),
    },
    "kind": {
        "normative": ("normative", "нормативный", "нормативно-правовой", "нормативный документ"),
        "methodological": (
            "methodological", "методический", "учебно-методический", "методический документ",
        ),
    },
    "document_status": {
        "draft": ("draft", "проект", "черновик"),
        "approved": ("approved", "утвержден", "утверждена", "утверждено"),
    },
    "stage_status": {
        "planned": ("planned", "запланирован", "запланировано", "не начат"),
        "in_progress": ("in_progress", "выполняется", "в работе", "идет"),
        "done": ("done", "выполнен", "выполнено", "завершен"),
    },
    "required": {
        True: ("true", "1", "да", "обязательный", "обязательно"),
        False: ("false", "0", "нет", "необязательный", "по желанию"),
    },
    "indicator": {
        key: (key, normalize_label(label)) for key, label in INDICATOR_LABELS.items()
    },
}  # fmt: skip


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a register template."""

    key: str
    label: str
    required: bool
    parse: str  # text | date | number | int | month | a key of _CHOICES


@dataclass(frozen=True)
class Register:
    """A register: its table, Russian name and template columns in order."""

    key: str
    model: type[SQLModel]
    title: str
    columns: tuple[TemplateColumn, ...]


REGISTERS: dict[str, Register] = {
    register.key: register
    for register in (
        Register("resources", Resource, "Ресурсы", (
            TemplateColumn("base", "База", True, "base"),
            TemplateColumn("title", "Название", True, "text"),
            TemplateColumn("type", "Тип", False, "text"),
            TemplateColumn("area", "Область компетенций", False, "text"),
            TemplateColumn("url", "Ссылка", False, "text"),
            TemplateColumn("author", "Автор", False, "text"),
            TemplateColumn("added_on", "Дата добавления", True, "date"),
        )),
        Register("documents", Document, "Документы", (
            TemplateColumn("title", "Название", True, "text"),
            TemplateColumn("kind", "Вид", True, "kind"),
            TemplateColumn("required", "Обязательный", True, "required"),
            TemplateColumn("status", "Статус", True, "document_status"),
            TemplateColumn("dated_on", "Дата", False, "date"),
            TemplateColumn("url", "Ссылка", False, "text"),
        )),
        Register("roadmap", RoadmapStage, "Дорожная карта", (
            TemplateColumn("number", "№", True, "int"),
            TemplateColumn("title", "Мероприятие", True, "text"),
            TemplateColumn("content", "Содержание работы", False, "text"),
            TemplateColumn("starts_on", "Начало", True, "date"),
            TemplateColumn("ends_on", "Окончание", True, "date"),
            TemplateColumn("status", "Статус", True, "stage_status"),
            TemplateColumn("planned_result", "Планируемый результат", False, "text"),
            TemplateColumn("result", "Результат", False, "text"),
        )),
        Register("targets", IndicatorTarget, "Целевые значения", (
            TemplateColumn("indicator", "Показатель", True, "indicator"),
            TemplateColumn("month", "Месяц", True, "month"),
            TemplateColumn("target", "Целевое значение", True, "number"),
        )),
        Register("confirmations", IndicatorConfirmation, "Подтверждения", (
            TemplateColumn("indicator", "Показатель", True, "indicator"),
            TemplateColumn("confirmed_on", "Дата подтверждения", True, "date"),
            TemplateColumn("evidence", "Подтверждение", True, "text"),
            TemplateColumn("url", "Ссылка", False, "text"),
        )),
    )
}  # fmt: skip

_DATE_COLUMNS = {"added_on", "dated_on", "starts_on", "ends_on", "confirmed_on"}


class RegisterValidationError(DataError):
    """A register row that breaks its template; ``messages`` lists every problem in Russian."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def get_or_create_school(session: Session, name: str) -> int:
    """Return the id of the school called ``name``, adding it when missing."""
    school = session.exec(select(School).where(School.name == name)).first()
    if school is None:
        school = School(name=name)
        session.add(school)
        session.flush()
        logger.info("school %r added with id %s", name, school.id)
    return int(school.id)


def default_school_id(session: Session) -> int | None:
    """Return the id of the first school, or None when the database has none."""
    school = session.exec(select(School).order_by(School.id)).first()
    return None if school is None else int(school.id)


def register_frame(
    bind: Engine | Connection, register: str, school_id: int | None = None
) -> pd.DataFrame:
    """Read one register as a frame: ``id`` and the template columns, dates as datetime64."""
    spec = _register(register)
    model = spec.model
    statement = select(model).order_by(model.id)
    if school_id is not None:
        statement = statement.where(model.school_id == school_id)
    with Session(bind) as session:
        records = session.exec(statement).all()
    columns = ["id", *(column.key for column in spec.columns)]
    frame = pd.DataFrame(
        [[getattr(record, key) for key in columns] for record in records], columns=columns
    )
    for column in columns:
        if column in _DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column])
    if register == "documents":
        frame["required"] = frame["required"].astype(bool)
    if register == "targets":
        frame["target"] = frame["target"].astype("float64")
    return frame


def parse_register_table(register: str, table: pd.DataFrame) -> list[dict]:
    """Validate a filled template and return one dict of typed values per row.

    Headers may be the Russian labels or the English keys. Coded values match
    case- and ё-insensitively in Russian or English. Every bad cell is
    collected, and ``RegisterValidationError`` lists them all with the row number
    as the spreadsheet shows it (the header is row 1).
    """
    spec = _register(register)
    by_header = {}
    for column in spec.columns:
        by_header[normalize_label(column.key)] = column
        by_header[normalize_label(column.label)] = column
    mapping = {}
    for header in table.columns:
        column = by_header.get(normalize_label(header))
        if column is not None:
            mapping[header] = column
    found = {column.key for column in mapping.values()}
    missing = [c.label for c in spec.columns if c.required and c.key not in found]
    if missing:
        raise RegisterValidationError(
            [f"{spec.title}: нет обязательных столбцов: {', '.join(missing)}."]
        )
    rows, problems = [], []
    for position, (_, source) in enumerate(table.iterrows(), start=2):
        if all(is_blank(value) for value in source.to_numpy()):
            continue
        values = {}
        for header, column in mapping.items():
            try:
                values[column.key] = _parse_cell(source[header], column)
            except (InvalidValue, MissingValue, ValueError) as error:
                problems.append(f"{spec.title}, строка {position}, «{column.label}»: {error}")
        rows.append(values)
    if problems:
        raise RegisterValidationError(problems)
    return rows


def _parse_cell(value: object, column: TemplateColumn):
    if is_blank(value):
        if column.required:
            raise ValueError("значение обязательно, ячейка пустая.")
        return None
    if column.parse == "text":
        return str(value).strip()
    if column.parse == "date":
        return parse_date(value)
    if column.parse == "number":
        return parse_number(value)
    if column.parse == "int":
        number = parse_number(value)
        if number != int(number):
            raise ValueError(f"нужно целое число, указано {value!r}.")
        return int(number)
    if column.parse == "month":
        return _parse_month(value)
    folded = normalize_label(value)
    for key, spellings in _CHOICES[column.parse].items():
        if folded in spellings:
            return key
    allowed = ", ".join(str(spellings[1]) for spellings in _CHOICES[column.parse].values())
    raise ValueError(f"значение {str(value)!r} не распознано; допустимо: {allowed}.")


def _parse_month(value: object) -> str:
    text = str(value).strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        month = int(text[5:])
        if 1 <= month <= 12:
            return text
    if isinstance(value, dt.date | pd.Timestamp):
        return f"{value:%Y-%m}"
    try:
        return f"{parse_date(value):%Y-%m}"
    except (InvalidValue, MissingValue) as error:
        raise ValueError(
            f"месяц {text!r} не распознан; укажите ГГГГ-ММ (например, 2024-09) или дату."
        ) from error


def validate_row(register: str, values: dict) -> list[str]:
    """Return the Russian problems of one typed row (empty when it is valid)."""
    spec = _register(register)
    problems = []
    for column in spec.columns:
        value = values.get(column.key)
        if column.required and (value is None or (isinstance(value, str) and not value.strip())):
            problems.append(f"«{column.label}»: значение обязательно.")
    if register == "roadmap":
        starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            problems.append("«Окончание» раньше «Начала».")
    if register == "targets" and values.get("target") is not None and values["target"] < 0:
        problems.append("«Целевое значение» не может быть отрицательным.")
    return problems


def add_rows(session: Session, register: str, school_id: int, rows: list[dict]) -> int:
    """Insert rows into a register after validating each; return how many were added."""
    spec = _register(register)
    _raise_problems(register, rows)
    for values in rows:
        session.add(spec.model(school_id=school_id, **_known(spec, values)))
    session.flush()
    logger.info("register %s: %d row(s) added for school %s", register, len(rows), school_id)
    return len(rows)


def update_row(session: Session, register: str, row_id: int, values: dict) -> None:
    """Change the given columns of one register row; raise ``DataError`` when it is missing."""
    spec = _register(register)
    record = session.get(spec.model, row_id)
    if record is None:
        raise DataError(f"{spec.title}: строка с id {row_id} не найдена.")
    merged = {column.key: getattr(record, column.key) for column in spec.columns}
    merged.update(_known(spec, values))
    _raise_problems(register, [merged])
    for key, value in merged.items():
        setattr(record, key, value)
    session.add(record)
    session.flush()


def delete_rows(session: Session, register: str, row_ids: list[int]) -> int:
    """Delete register rows by id; return how many existed and were deleted."""
    spec = _register(register)
    deleted = 0
    for row_id in row_ids:
        record = session.get(spec.model, row_id)
        if record is not None:
            session.delete(record)
            deleted += 1
    session.flush()
    logger.info("register %s: %d row(s) deleted", register, deleted)
    return deleted


def save_edited_frame(
    session: Session, register: str, school_id: int, edited: pd.DataFrame
) -> dict[str, int]:
    """Apply a whole edited register (from ``st.data_editor``) in one transaction.

    Rows with an ``id`` update that row, rows without one are added, and rows of
    the school whose id is gone from ``edited`` are deleted. Nothing is written
    when any row is invalid. Returns the counts ``added``, ``updated`` and
    ``deleted``.
    """
    spec = _register(register)
    records = session.exec(select(spec.model).where(spec.model.school_id == school_id)).all()
    existing = {int(record.id): record for record in records}
    kept_ids, added, updated = set(), [], 0
    rows = [_row_from_editor(spec, row) for _, row in edited.iterrows()]
    _raise_problems(register, [values for _, values in rows])
    for row_id, values in rows:
        if row_id is None or row_id not in existing:
            added.append(values)
            continue
        kept_ids.add(row_id)
        record = existing[row_id]
        changed = {key: value for key, value in values.items() if getattr(record, key) != value}
        for key, value in changed.items():
            setattr(record, key, value)
        if changed:
            updated += 1
            session.add(record)
    removed = [row_id for row_id in existing if row_id not in kept_ids]
    for row_id in removed:
        session.delete(existing[row_id])
    for values in added:
        session.add(spec.model(school_id=school_id, **values))
    session.flush()
    counts = {"added": len(added), "updated": updated, "deleted": len(removed)}
    logger.info("register %s saved for school %s: %s", register, school_id, counts)
    return counts


def set_target(
    session: Session, school_id: int, indicator: str, month: str, target: float | None
) -> None:
    """Set, change or (with ``target`` None) remove the target of one indicator and month."""
    if indicator not in INDICATOR_KEYS:
        raise DataError(f"Неизвестный показатель {indicator!r}.")
    month = _parse_month(month)
    record = session.exec(
        select(IndicatorTarget).where(
            IndicatorTarget.school_id == school_id,
            IndicatorTarget.indicator == indicator,
            IndicatorTarget.month == month,
        )
    ).first()
    if target is None:
        if record is not None:
            session.delete(record)
    elif target < 0:
        raise DataError(f"Целевое значение не может быть отрицательным: {target}.")
    elif record is None:
        session.add(
            IndicatorTarget(school_id=school_id, indicator=indicator, month=month, target=target)
        )
    else:
        record.target = float(target)
        session.add(record)
    session.flush()


def import_register_table(
    session: Session, register: str, school_id: int, table: pd.DataFrame
) -> int:
    """Validate a filled template and add its rows; targets replace those of the same month."""
    rows = parse_register_table(register, table)
    if register == "targets":
        _raise_problems(register, rows)
        for values in rows:
            set_target(session, school_id, values["indicator"], values["month"], values["target"])
        logger.info("register targets: %d target(s) imported", len(rows))
        return len(rows)
    return add_rows(session, register, school_id, rows)


def _row_from_editor(spec: Register, row: pd.Series) -> tuple[int | None, dict]:
    row_id = row.get("id")
    row_id = None if is_blank(row_id) or pd.isna(row_id) else int(row_id)
    values = {}
    for column in spec.columns:
        value = row.get(column.key)
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            value = None
        elif column.parse == "date":
            value = pd.Timestamp(value).date()
        elif column.parse == "int":
            value = int(value)
        elif column.parse == "number":
            value = float(value)
        elif column.parse == "required":
            value = bool(value)
        values[column.key] = value
    return row_id, values


def _raise_problems(register: str, rows: list[dict]) -> None:
    problems = []
    for position, values in enumerate(rows, start=1):
        for problem in validate_row(register, values):
            problems.append(f"{REGISTERS[register].title}, запись {position}: {problem}")
        problems.extend(_choice_problems(register, position, values))
    if problems:
        raise RegisterValidationError(problems)


def _choice_problems(register: str, position: int, values: dict) -> list[str]:
    spec = REGISTERS[register]
    problems = []
    for column in spec.columns:
        value = values.get(column.key)
        if value is None or column.parse not in _CHOICES:
            continue
        if value not in _CHOICES[column.parse]:
            problems.append(
                f"{spec.title}, запись {position}: «{column.label}» — "
                f"недопустимое значение {value!r}."
            )
    return problems


def _known(spec: Register, values: dict) -> dict:
    keys = {column.key for column in spec.columns}
    return {key: value for key, value in values.items() if key in keys}


def _register(register: str) -> Register:
    try:
        return REGISTERS[register]
    except KeyError:
        raise DataError(
            f"Неизвестный реестр {register!r}; есть: {', '.join(REGISTERS)}."
        ) from None


# Sample files of sample_data/registers/ per register, in the order they can be loaded.
SAMPLE_FILES = {
    "resources": "resources.xlsx",
    "documents": "documents.xlsx",
    "roadmap": "roadmap.xlsx",
    "confirmations": "indicator_confirmations.xlsx",
    "targets": "indicator_targets.xlsx",
}


def read_template_file(path: Path | str) -> pd.DataFrame:
    """Read a register template from an XLSX or CSV file."""
    path = Path(path)
    return read_template_bytes(path.read_bytes(), path.name)


def read_template_bytes(content: bytes, name: str) -> pd.DataFrame:
    """Read a register template from XLSX (first sheet) or CSV (UTF-8 or Windows-1251, `,` or `;`)."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        return pd.read_excel(io.BytesIO(content), dtype=object)
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
    raise RegisterValidationError([f"{name}: файл не в UTF-8 и не в Windows-1251."])


def load_sample_registers(session: Session, school_id: int, folder: Path | str) -> dict[str, int]:
    """Import every register file of ``SAMPLE_FILES`` found in ``folder``; return rows per register."""
    loaded = {}
    for register, name in SAMPLE_FILES.items():
        path = Path(folder) / name
        if not path.exists():
            logger.warning("register sample %s not found, skipped", path)
            continue
        loaded[register] = import_register_table(session, register, school_id, read_template_file(path))
    return loaded
