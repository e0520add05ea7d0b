"""`python -m db demo`: load every file of sample_data/ through the normal import path.

Idempotent: a second run finds every row already there and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import sqlalchemy as sa

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import get_engine
from db.importing.load import ImportReport, import_file, stderr_progress
from db.importing.order import order_paths
from db.importing.undo import undo_import
from db.models import ImportBatch, Participant, Setting
from db.registers import REGISTERS, default_school_id, load_sample_registers
from db.schema import upgrade_schema

logger = logging.getLogger(__name__)

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
DATA_SUFFIXES = (".csv", ".xlsx")
# Setting that lists the register rows the demo added, by register name.
DEMO_REGISTERS_KEY = "demo_register_rows"


def load_standard_questionnaires(engine: Engine | None = None) -> list[str]:
    """Load the programme's questionnaires (diagnostic and satisfaction) into a database that has none.

    Form exports can be imported only against a questionnaire, so a database
    set up with `python -m db init` gets the programme's own dictionary, the
    same file the demo uses. Returns the loaded keys, or [] when questionnaires exist.
    """
    from db.importing.scales import load_questionnaires
    from db.models import Questionnaire

    engine = engine or get_engine()
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar_one():
            return []
    return load_questionnaires(SAMPLE_DATA / "questionnaires.json", engine=engine)


def load_demo(folder: Path = SAMPLE_DATA, engine: Engine | None = None) -> list[ImportReport]:
    """Upgrade the schema, load the scale dictionary, then import the data files in dependency order."""
    engine = engine or get_engine()
    upgrade_schema(engine)
    dictionary = folder / "questionnaires.json"
    if dictionary.is_file():
        from db.importing.scales import load_questionnaires

        load_questionnaires(dictionary, engine=engine)
    paths = sorted(path for path in folder.iterdir()
                   if path.suffix.lower() in DATA_SUFFIXES and not path.name.endswith(".rejected.csv"))
    reports = []
    for path in order_paths(paths):
        report = import_file(path, engine=engine, progress=stderr_progress(path.name))
        reports.append(report)
        logger.info("demo: %s -> %s, %d imported, %d duplicates, %d rejected rows", path.name,
                    report.kind, report.imported, report.duplicates, report.rejected_rows)
    registers = folder / "registers"
    if registers.is_dir():
        _load_demo_registers(engine, registers)
    return reports


def _register_ids(session: Session) -> dict[str, set[int]]:
    return {
        name: set(session.exec(select(spec.model.id)).all())
        for name, spec in REGISTERS.items()
    }


def _load_demo_registers(engine: Engine, folder: Path) -> None:
    """Load the sample registers once and remember their row ids, so that removing the demo finds them."""
    with Session(engine) as session:
        if session.get(Setting, DEMO_REGISTERS_KEY) is not None:
            logger.info("demo registers already loaded, skipped")
            return
        school_id = default_school_id(session)
        if school_id is None:
            logger.warning("demo registers skipped: no school in the database")
            return
        before = _register_ids(session)
        loaded = load_sample_registers(session, school_id, folder)
        session.flush()
        after = _register_ids(session)
        added = {name: sorted(after[name] - before[name]) for name in after}
        session.add(Setting(
            key=DEMO_REGISTERS_KEY,
            value_json=json.dumps(added),
            updated_at=dt.datetime.now(dt.UTC),
        ))
        session.commit()
    logger.info("demo registers loaded: %s", loaded)


def _remove_demo_registers(engine: Engine) -> int:
    with Session(engine) as session:
        setting = session.get(Setting, DEMO_REGISTERS_KEY)
        if setting is None:
            return 0
        removed = 0
        for name, ids in json.loads(setting.value_json).items():
            if ids:
                model = REGISTERS[name].model
                removed += session.execute(sa.delete(model).where(model.id.in_(ids))).rowcount
        session.delete(setting)
        session.commit()
    return removed


def _sample_hashes(folder: Path = SAMPLE_DATA) -> set[str]:
    return {
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.suffix.lower() in DATA_SUFFIXES
    }


def database_is_empty(engine: Engine | None = None) -> bool:
    """True when no participant and no import exist yet (a first start)."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        participants = conn.execute(sa.select(sa.func.count()).select_from(Participant)).scalar_one()
        batches = conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar_one()
    return participants == 0 and batches == 0


def demo_batches(engine: Engine | None = None) -> list[int]:
    """Ids of the applied imports whose file content is one of the sample_data files, newest first."""
    engine = engine or get_engine()
    hashes = _sample_hashes()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ImportBatch.id, ImportBatch.file_sha256)
            .where(ImportBatch.status == "imported")
            .order_by(ImportBatch.id.desc())
        ).all()
    return [row.id for row in rows if row.file_sha256 in hashes]


def demo_present(engine: Engine | None = None) -> bool:
    engine = engine or get_engine()
    if demo_batches(engine):
        return True
    with Session(engine) as session:
        return session.get(Setting, DEMO_REGISTERS_KEY) is not None


def remove_demo(engine: Engine | None = None) -> int:
    """Undo every demo import, newest first; return how many imports were undone.

    Raises `UndoError` (with a Russian message) when the user's own data refer
    to demo rows, for example activities of a demo participant; nothing of that
    import is deleted then.
    """
    engine = engine or get_engine()
    undone = 0
    _remove_demo_registers(engine)
    for import_id in demo_batches(engine):
        undo_import(import_id, engine=engine)
        undone += 1
    logger.info("demo removed: %d imports undone", undone)
    return undone
