"""Regenerate the initial migration from db.models (development only, before 1.0).

Once a database has been deployed, add a new revision with
`alembic revision --autogenerate` instead of rewriting this one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from db.engine import get_engine
from db.schema import MIGRATIONS_DIR, alembic_config

INITIAL = MIGRATIONS_DIR / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(f"sqlite:///{Path(folder) / 'empty.db'}")
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
        engine.dispose()
    generated = next((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
    generated.rename(INITIAL)
    print(f"wrote {INITIAL}")  # noqa: T201


if __name__ == "__main__":
    main()
