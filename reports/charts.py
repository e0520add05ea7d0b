"""PNG charts for the documents, drawn offline with matplotlib's Agg backend.

DejaVu Sans ships inside matplotlib (mpl-data/fonts/ttf) and covers Cyrillic,
so the charts need no system font and no network.
"""

from __future__ import annotations

import io
import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402

from analysis.indicators import INDICATOR_SPECS  # noqa: E402

logger = logging.getLogger(__name__)

FONT_FAMILY = "DejaVu Sans"
# 120 dpi keeps the 16 cm wide grid sharp in print (about 750 px) and draws faster than 150.
DPI = 120
MONTH_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def _style() -> dict:
    return {"font.family": FONT_FAMILY, "font.size": 8, "axes.titlesize": 8}


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _month_ticks(months: list[str]) -> list[str]:
    return [MONTH_SHORT[pd.Period(month, freq="M").month - 1] for month in months]


def indicators_grid_png(table: pd.DataFrame) -> bytes:
    """Draw the eleven indicators as small panels: value by month, target as a dashed line.

    Months without a value are gaps in the line, never zeros.
    """
    with plt.rc_context(_style()):
        figure, axes = plt.subplots(4, 3, figsize=(9, 10), layout="constrained")
        for axis, (key, spec) in zip(axes.flat, INDICATOR_SPECS.items(), strict=False):
            own = table[table["indicator"] == key]
            months = own["month"].tolist()
            positions = range(len(months))
            axis.plot(positions, own["value"], marker="o", color="#1565c0", linewidth=1.5)
            if own["target"].notna().any():
                axis.plot(positions, own["target"], linestyle="--", color="#ef6c00", linewidth=1)
            axis.set_title(_wrap(spec.label, 38))
            axis.set_xticks(list(positions), _month_ticks(months), rotation=90)
            if spec.kind == "presence":
                axis.set_ylim(-0.1, 1.1)
                axis.set_yticks([0, 1], ["нет", "да"])
            elif spec.kind == "percent":
                axis.set_ylim(0, 105)
            axis.grid(alpha=0.3)
        axes.flat[-1].axis("off")
        axes.flat[-1].legend(
            handles=[
                plt.Line2D([], [], color="#1565c0", marker="o", label="значение"),
                plt.Line2D([], [], color="#ef6c00", linestyle="--", label="цель"),
            ],
            loc="center",
        )
        return _png(figure)


def sparkline_png(values: pd.Series, targets: pd.Series | None = None) -> bytes:
    """Draw a small line without axes for one indicator (used in tables)."""
    with plt.rc_context(_style()):
        figure, axis = plt.subplots(figsize=(1.6, 0.4))
        positions = range(len(values))
        axis.plot(positions, values.to_numpy(dtype=float), color="#1565c0", linewidth=1.2)
        if targets is not None and targets.notna().any():
            axis.plot(positions, targets.to_numpy(dtype=float), "--", color="#ef6c00", linewidth=0.8)
        axis.axis("off")
        return _png(figure)


def status_bar_png(counts: dict[str, int], labels: dict[str, str], colours: dict[str, str]) -> bytes:
    """Draw a horizontal bar of how many indicators are in each status, with counts as text."""
    with plt.rc_context(_style()):
        figure, axis = plt.subplots(figsize=(6, 1.6), layout="constrained")
        keys = [key for key in labels if counts.get(key, 0) > 0]
        bars = axis.barh(
            [labels[key] for key in keys],
            [counts[key] for key in keys],
            color=[colours[key] for key in keys],
        )
        axis.bar_label(bars, labels=[str(counts[key]) for key in keys], padding=3)
        axis.set_xlabel("число показателей")
        axis.invert_yaxis()
        axis.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
