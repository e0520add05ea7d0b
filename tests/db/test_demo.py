"""`python -m db demo` and removing the demo, on both backends."""

import sqlalchemy as sa

from db import demo
from db.models import Activity, Participant, Resource, RoadmapStage, Submission
from reports.summary import build_summary


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_demo_loads_every_kind(engine):
    assert demo.database_is_empty(engine)
    demo.load_demo(engine=engine)
    assert not demo.database_is_empty(engine)
    assert demo.demo_present(engine)
    # Counted in sample_data/: 70 rows in participants.xlsx, 1,780 in the activity log,
    # 68 + 43 + 12 distinct form submissions, 13 resources and 6 road-map stages.
    assert _count(engine, Participant) == 70
    assert _count(engine, Activity) == 1780
    assert _count(engine, Submission) == 68 + 43 + 12
    assert _count(engine, Resource) == 13
    assert _count(engine, RoadmapStage) == 6


def test_demo_twice_adds_nothing(engine):
    demo.load_demo(engine=engine)
    counts = [_count(engine, m) for m in (Participant, Activity, Submission, Resource)]
    demo.load_demo(engine=engine)
    assert [_count(engine, m) for m in (Participant, Activity, Submission, Resource)] == counts


def test_remove_demo_empties_database(engine):
    demo.load_demo(engine=engine)
    undone = demo.remove_demo(engine)
    assert undone > 0
    assert not demo.demo_present(engine)
    for model in (Participant, Activity, Submission, Resource, RoadmapStage):
        assert _count(engine, model) == 0, model.__name__
    assert build_summary(engine)["participants"]["teachers"] == 0
