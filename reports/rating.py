"""Mentor rating for the «Рейтинг наставников» page and the `mentor_rating` key.

The weights the project group chooses are stored in the `setting` table under
the key `rating_weights`, as a JSON object of component weights.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.filters import Filters, filter_by_dates
from analysis.rating import (
    COMPONENT_LABELS,
    DEFAULT_WEIGHTS,
    explain_rating,
    mentor_rating,
    normalise_weights,
)
from analysis.satisfaction import respondent_scores
from db.models import Setting
from reports.frames import Frames
from reports.xlsx_report import write_sheets

logger = logging.getLogger(__name__)

WEIGHTS_SETTING_KEY = "rating_weights"
MENTEE_QUESTIONNAIRE = "mentee_satisfaction"
FLAG_LABELS = {"too_few_mentees": "меньше двух наставляемых",
               "too_few_ratings": "меньше двух анкет наставляемых"}
CONTRACT_KEYS = ("mentor_code", "score", "ci_low", "ci_high", "rank", "rank_low",
                 "rank_high", "n_mentees", "n_ratings")


@dataclass(frozen=True)
class RatingFigures:
    weights: dict[str, float]  # normalised to sum 1
    ranked: pd.DataFrame  # rows of analysis.rating.mentor_rating without a flag
    flagged: pd.DataFrame  # rows with a flag, listed apart
    n_mentors: int


def load_weights(engine: Engine) -> dict[str, float]:
    """Return the saved rating weights, or the defaults when none are saved or valid."""
    table = Setting.__table__
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(table.c.value_json).where(table.c.key == WEIGHTS_SETTING_KEY)
        ).scalar()
    if stored is None:
        return dict(DEFAULT_WEIGHTS)
    try:
        return normalise_weights(json.loads(stored))
    except (ValueError, TypeError, AttributeError) as error:
        logger.error("saved rating weights %r are invalid (%s); using the defaults",
                     stored, error)
        return dict(DEFAULT_WEIGHTS)


def weights_from_settings(settings: dict) -> dict[str, float]:
    """Return the weights saved in `settings` (decoded JSON by key), or the defaults."""
    stored = settings.get(WEIGHTS_SETTING_KEY)
    if stored is None:
        return dict(DEFAULT_WEIGHTS)
    try:
        return normalise_weights(stored)
    except (ValueError, TypeError, AttributeError) as error:
        logger.error("saved rating weights %r are invalid (%s); using the defaults", stored, error)
        return dict(DEFAULT_WEIGHTS)


def save_weights(engine: Engine, weights: dict[str, float]) -> dict[str, float]:
    """Validate, normalise and store the rating weights; return what was stored."""
    normalised = normalise_weights(weights)
    table = Setting.__table__
    values = {"value_json": json.dumps(normalised), "updated_at": dt.datetime.now(dt.UTC)}
    with engine.begin() as conn:
        updated = conn.execute(
            table.update().where(table.c.key == WEIGHTS_SETTING_KEY).values(**values)
        ).rowcount
        if not updated:
            conn.execute(table.insert().values(key=WEIGHTS_SETTING_KEY, **values))
    logger.info("rating weights saved: %s", normalised)
    return normalised


def rating_figures(
    frames: Frames,
    weights: dict[str, float] | None = None,
    filters: Filters | None = None,
    min_mentees: int = 2,
    min_ratings: int = 2,
) -> RatingFigures:
    """Rate the mentors of the chosen model and period.

    The period limits activities and satisfaction answers; assessments are
    not limited because the gain needs both the pre and the post stage.
    """
    filters = filters or Filters()
    normalised = normalise_weights(weights)
    groups = frames.groups
    if filters.model is not None:
        groups = groups.loc[groups["model"] == filters.model]
    activities = filter_by_dates(frames.activities, "occurred_on", filters)
    answers = filter_by_dates(frames.answers, "answered_at", filters)
    scores = respondent_scores(answers, frames.questions, MENTEE_QUESTIONNAIRE)
    table = mentor_rating(groups, frames.assessments, scores, activities,
                          weights=normalised, min_mentees=min_mentees,
                          min_ratings=min_ratings)
    is_flagged = table["flag"].notna()
    return RatingFigures(
        weights=normalised,
        ranked=table.loc[~is_flagged].reset_index(drop=True),
        flagged=table.loc[is_flagged].reset_index(drop=True),
        n_mentors=len(table),
    )


def explanation(row: pd.Series, weights: dict[str, float]) -> list[str]:
    """Return the Russian sentences of the mentor card."""
    return explain_rating(row, weights)


def _components(row: pd.Series, weights: dict[str, float]) -> dict[str, dict]:
    return {
        "gain": {"z": row["z_gain"], "weight": weights["gain"],
                 "mean_gain": row["gain"], "n": int(row["gain_n"])},
        "satisfaction": {"z": row["z_satisfaction"], "weight": weights["satisfaction"],
                         "mean_percent": row["satisfaction"],
                         "n": int(row["n_ratings"])},
        "activity": {"z": row["z_activity"], "weight": weights["activity"],
                     "n_meetings": int(row["n_meetings"]), "hours": row["hours"]},
        "products": {"z": row["z_products"], "weight": weights["products"],
                     "n_products": int(row["n_products"])},
    }


def mentor_rating_summary(frames: Frames) -> list[dict[str, Any]]:
    """Build the `mentor_rating` key of `reports summary --json`, best first.

    Ranked mentors come first, then flagged ones; `components` gives each
    component's z-score, weight and raw figures.
    """
    figures = rating_figures(frames, weights=weights_from_settings(frames.settings))
    result = []
    for table in (figures.ranked, figures.flagged):
        for _, row in table.iterrows():
            item = {key: row[key] for key in CONTRACT_KEYS}
            for key in ("rank", "rank_low", "rank_high"):
                if pd.notna(item[key]):
                    item[key] = int(item[key])
            item["components"] = _components(row, figures.weights)
            item["flag"] = row["flag"]
            result.append(item)
    return result


def _export_frame(table: pd.DataFrame, names: pd.Series | None) -> pd.DataFrame:
    """Russian columns of rating rows for the XLSX export; numbers stay numbers."""
    columns: dict[str, Any] = {
        "Место": table["rank"],
        "Место не выше": table["rank_low"],
        "Место не ниже": table["rank_high"],
        "Код наставника": table["mentor_code"],
    }
    if names is not None:
        columns["ФИО"] = table["mentor_code"].map(names)
    columns.update({
        "Балл": table["score"],
        "Балл: 95 % интервал, от": table["ci_low"],
        "Балл: 95 % интервал, до": table["ci_high"],
        "Наставляемых": table["n_mentees"],
        "Анкет наставляемых": table["n_ratings"],
        "Прирост, п. п. (среднее по наставляемым)": table["gain"],
        "Прирост: z-оценка": table["z_gain"],
        "Удовлетворённость, % шкалы": table["satisfaction"],
        "Удовлетворённость: z-оценка": table["z_satisfaction"],
        "Встреч": table["n_meetings"],
        "Часов": table["hours"],
        "Активность: z-оценка": table["z_activity"],
        "Продуктов": table["n_products"],
        "Продукты: z-оценка": table["z_products"],
        "Почему без места": table["flag"].map(FLAG_LABELS),
    })
    return pd.DataFrame(columns)


def rating_xlsx(figures: RatingFigures, names: pd.Series | None = None) -> bytes:
    """Write the rating, the mentors without a rank and the weights as an XLSX workbook.

    Mentors are shown by code; `names` (full names by code) adds a name
    column for the school's internal use. Text that a spreadsheet would run
    as a formula is written quoted (see ``reports.xlsx_report``).
    """
    weights = pd.DataFrame({
        "Составляющая": [COMPONENT_LABELS[name] for name in figures.weights],
        "Вес, %": [weight * 100 for weight in figures.weights.values()],
    })
    sheets = {
        "Рейтинг": _export_frame(figures.ranked, names),
        "Без места (мало данных)": _export_frame(figures.flagged, names),
        "Веса": weights,
    }
    return write_sheets(sheets, title="Рейтинг наставников")
