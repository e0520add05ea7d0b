"""Tests of the route view and its DOCX export on a small SQLite database."""

import datetime as dt
import io

import pytest
from docx import Document
from sqlmodel import Session

from db import planning
from db.models import Assessment, CompetenceArea, Participant
from db.registers import get_or_create_school
from reports.frames import load_frames
from reports.route_docx import attainment_reading, load_route_view, progress_reading, route_docx

D = dt.date


@pytest.fixture
def route_id(sqlite_engine):
    with Session(sqlite_engine) as session:
        school_id = get_or_create_school(session, "Тестовая школа")
        mentee = Participant(school_id=school_id, code="E01", full_name="Наставляемая Тестовая",
                             role="mentee", registered_on=D(2024, 9, 2))
        session.add(mentee)
        area = CompetenceArea(name="Сферум")
        session.add(area)
        session.flush()
        for stage, day, score in (("pre", D(2024, 10, 1), 9.0), ("mid", D(2025, 1, 20), 13.0),
                                  ("post", D(2025, 5, 15), 16.0)):
            session.add(Assessment(participant_id=mentee.id, area_id=area.id, stage=stage,
                                   assessed_on=day, score=score, max_score=20.0))
        route = planning.create_route(session, school_id=school_id, title="Осваиваю Сферум",
                                      created_on=D(2024, 10, 2), participant_code="E01")
        planning.set_route_targets(session, route.id, {"Сферум": 75.0})
        planning.add_route_step(session, route.id, title="Первая встреча", kind="meeting",
                                planned_on=D(2024, 10, 10), status="done", done_on=D(2024, 10, 10))
        planning.add_route_step(session, route.id, title="Чат класса в Сферуме", kind="other",
                                planned_on=D(2024, 11, 1))
        planning.add_route_step(session, route.id, title="Открытый урок", kind="meeting",
                                planned_on=D(2025, 3, 1))
        session.commit()
        return route.id


def test_route_view_figures(sqlite_engine, route_id):
    view = load_route_view(sqlite_engine, load_frames(sqlite_engine), route_id, as_of=D(2024, 12, 1))
    assert view.members == ["E01"]
    assert view.owner == "наставляемый E01"
    assert view.progress["n_steps"] == 3
    assert view.progress["n_done"] == 1
    assert view.progress["n_overdue"] == 1
    row = view.attainment.iloc[0]
    assert row["baseline_percent"] == pytest.approx(45.0)
    assert row["mid_percent"] == pytest.approx(65.0)
    assert row["post_percent"] == pytest.approx(80.0)
    assert bool(row["reached_post"])
    assert row["reading"] == "Цель достигнута по итоговой оценке (80,0\u00a0% при цели 75,0\u00a0%)."
    assert progress_reading(view.progress) == (
        "Выполнено шагов: 1 из 3. Просрочено шагов: 1 из 2, срок которых наступил."
    )


def test_attainment_reading_mid_only():
    row = {"target_percent": 75.0, "mid_percent": 65.0, "post_percent": float("nan")}
    assert attainment_reading(row) == (
        "По промежуточной оценке 65,0\u00a0%: до цели 75,0\u00a0% не хватает 10,0 п. п."
    )


def test_route_docx_contents(sqlite_engine, route_id):
    view = load_route_view(sqlite_engine, load_frames(sqlite_engine), route_id, as_of=D(2024, 12, 1))
    document = Document(io.BytesIO(route_docx(view)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Индивидуальный маршрут: Осваиваю Сферум" in text
    assert "Наставляемая Тестовая (E01)" in text
    assert "Выполнено шагов: 1 из 3." in text
    targets, steps = document.tables
    assert [c.text for c in targets.rows[1].cells][:3] == ["E01", "Сферум", "75,0\u00a0%"]
    assert [row.cells[1].text for row in steps.rows[1:]] == [
        "Первая встреча", "Чат класса в Сферуме", "Открытый урок",
    ]
    assert steps.rows[1].cells[4].text == "выполнен"
    assert "nan" not in text
