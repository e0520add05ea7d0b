"""One individual route: its figures for the «Индивидуальные маршруты» page and a DOCX for the teacher."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.shared import Pt
from sqlalchemy.engine import Engine

from analysis import routes
from analysis.plain_language import format_number
from db import planning
from reports.frames import Frames

logger = logging.getLogger(__name__)

STEP_KIND_LABELS = {"meeting": "встреча", "resource": "ресурс", "event": "мероприятие", "other": "другое"}
STEP_STATUS_LABELS = {"planned": "запланирован", "done": "выполнен", "cancelled": "отменён"}
MISSING = "—"


@dataclass(frozen=True)
class RouteView:
    route_id: int
    title: str
    owner: str  # «наставляемый T017» or «группа G-T003»
    created_on: dt.date
    members: list[str]
    names: dict[str, str]  # code -> full name
    steps: pd.DataFrame  # route_steps_frame
    progress: pd.Series | None  # the route's row of route_progress, None without steps
    timeline: pd.DataFrame  # progress_timeline
    attainment: pd.DataFrame  # target_attainment plus reading


def _percent(value: float) -> str:
    return MISSING if pd.isna(value) else f"{format_number(value)}\u00a0%"


def _date(value) -> str:
    return MISSING if pd.isna(value) else pd.Timestamp(value).strftime("%d.%m.%Y")


def attainment_reading(row) -> str:
    """Say in plain Russian how far the latest assessment is from the target."""
    for stage, label in (("post", "итоговой"), ("mid", "промежуточной")):
        value = row[f"{stage}_percent"]
        if pd.notna(value):
            gap = row["target_percent"] - value
            if gap <= 0:
                return f"Цель достигнута по {label} оценке ({_percent(value)} при цели {_percent(row['target_percent'])})."
            return (
                f"По {label} оценке {_percent(value)}: до цели {_percent(row['target_percent'])} "
                f"не хватает {format_number(gap)} п. п."
            )
    return "Промежуточной и итоговой оценок ещё нет."


def progress_reading(progress: pd.Series | None) -> str:
    """Say in plain Russian how many steps are done and how many are late."""
    if progress is None or progress["n_steps"] == 0:
        return "В маршруте пока нет шагов."
    text = f"Выполнено шагов: {int(progress['n_done'])} из {int(progress['n_steps'])}."
    if progress["n_due"] == 0:
        return text + " Срок ни одного шага ещё не наступил."
    if progress["n_overdue"] == 0:
        return text + " Все шаги, срок которых наступил, выполнены."
    return text + f" Просрочено шагов: {int(progress['n_overdue'])} из {int(progress['n_due'])}, срок которых наступил."


def load_route_view(engine: Engine, frames: Frames, route_id: int, *, as_of: dt.date) -> RouteView:
    """Read one route with its steps and targets and compute its progress."""
    table = planning.routes_frame(engine)
    row = table[table["id"] == route_id]
    if row.empty:
        raise planning.PlanningError(f"Маршрут с id {route_id} не найден.")
    row = row.iloc[0]
    owner = f"наставляемый {row['code']}" if pd.notna(row["code"]) else f"группа {row['group_code']}"
    members = planning.route_members(engine, route_id)
    steps = planning.route_steps_frame(engine, route_id)
    progress_table = routes.route_progress(steps, as_of=as_of) if not steps.empty else pd.DataFrame()
    targets = planning.route_targets_frame(engine, route_id)
    attainment = routes.target_attainment(targets, frames.assessments, members)
    attainment["reading"] = [attainment_reading(r) for _, r in attainment.iterrows()]
    names = frames.participants.set_index("code")["full_name"].to_dict()
    return RouteView(
        route_id=route_id,
        title=str(row["title"]),
        owner=owner,
        created_on=pd.Timestamp(row["created_on"]).date(),
        members=members,
        names={code: str(names.get(code, code)) for code in members},
        steps=steps,
        progress=progress_table.iloc[0] if not progress_table.empty else None,
        timeline=routes.progress_timeline(steps) if not steps.empty else pd.DataFrame(),
        attainment=attainment,
    )


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def route_docx(view: RouteView) -> bytes:
    """Write the route as a DOCX for the teacher: targets, steps and progress."""
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(f"Индивидуальный маршрут: {view.title}", level=1)
    members = ", ".join(f"{view.names[c]} ({c})" for c in view.members) or MISSING
    document.add_paragraph(f"Для кого: {view.owner}. Участники: {members}.")
    document.add_paragraph(f"Маршрут составлен {_date(view.created_on)}.")

    document.add_heading("Цели по областям компетенций", level=2)
    if view.attainment.empty:
        document.add_paragraph("Цели ещё не заданы.")
    else:
        rows = [
            [r["code"], r["area"], _percent(r["target_percent"]), _percent(r["baseline_percent"]),
             _percent(r["mid_percent"]), _percent(r["post_percent"]), r["reading"]]
            for _, r in view.attainment.iterrows()
        ]
        _table(document, ["Код", "Область", "Цель", "Исходный уровень", "Промежуточная",
                          "Итоговая", "Вывод"], rows)

    document.add_heading("Шаги маршрута", level=2)
    if view.steps.empty:
        document.add_paragraph("Шаги ещё не запланированы.")
    else:
        rows = []
        for _, step in view.steps.iterrows():
            link = step["resource_title"] if pd.notna(step["resource_title"]) else step["event_title"]
            rows.append([
                _date(step["planned_on"]), str(step["title"]),
                STEP_KIND_LABELS.get(step["kind"], str(step["kind"])),
                str(link) if pd.notna(link) else MISSING,
                STEP_STATUS_LABELS.get(step["status"], str(step["status"])),
                _date(step["done_on"]),
            ])
        _table(document, ["Дата", "Шаг", "Вид", "Ресурс или мероприятие", "Статус", "Выполнен"], rows)
    document.add_paragraph(progress_reading(view.progress))

    buffer = io.BytesIO()
    document.save(buffer)
    logger.info("route %s written as DOCX (%d bytes)", view.route_id, buffer.tell())
    return buffer.getvalue()
