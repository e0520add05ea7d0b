"""Order of files in one import set: referenced rows (participants) before rows that refer to them."""

from __future__ import annotations

import logging
from pathlib import Path

from db.errors import ImportValidationError
from db.importing.reading import read_table
from db.importing.templates import KIND_ORDER, detect_kind

logger = logging.getLogger(__name__)


def detect_file_kind(path: Path) -> str | None:
    try:
        table = read_table(path.read_bytes(), path.name)
    except ImportValidationError:
        return None
    return detect_kind(table.columns)[0]


def order_paths(paths: list[Path], kind: str | None = None) -> list[Path]:
    """Sort paths by template kind in dependency order; unknown kinds go last, in the given order."""
    if kind is not None:
        return list(paths)
    ranked = []
    for index, path in enumerate(paths):
        detected = detect_file_kind(path)
        rank = KIND_ORDER.index(detected) if detected in KIND_ORDER else len(KIND_ORDER)
        ranked.append((rank, index, path))
    return [path for _rank, _index, path in sorted(ranked)]
