"""«Рейтинг наставников» page on the demo database, and the saved weights."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from analysis.rating import DEFAULT_WEIGHTS
from db.engine import get_engine
from reports.frames import load_frames
from reports.rating import load_weights, rating_figures, rating_xlsx, save_weights
from tests.dashboard.apptest_helpers import open_page, page_text


def test_rating_page_renders(demo_db):
    at = open_page("rating.py")
    assert not at.exception
    text = page_text(at)
    assert "Рейтинг наставников" in text
    assert "Без места: мало данных" in text
    assert "Место 1;" in text
    assert "nan" not in text.lower().split()
    ranks = at.dataframe[0].value["Место"].tolist()
    assert ranks[:3] == ["1", "2", "3"]


def test_rating_page_saves_weights(demo_db):
    at = open_page("rating.py")
    at.number_input(key="rating_weight_gain").set_value(0.0)
    at.number_input(key="rating_weight_satisfaction").set_value(100.0)
    at.number_input(key="rating_weight_activity").set_value(0.0)
    at.number_input(key="rating_weight_products").set_value(0.0).run()
    at.button(key="rating_save_weights").click().run()
    assert not at.exception
    saved = load_weights(get_engine(demo_db))
    assert saved == {"gain": 0.0, "satisfaction": 1.0, "activity": 0.0, "products": 0.0}
    assert "вес 100\u00a0%" in page_text(at)


def test_rating_page_zero_weights_not_saved(demo_db):
    at = open_page("rating.py")
    for name in ("gain", "satisfaction", "activity", "products"):
        at.number_input(key=f"rating_weight_{name}").set_value(0.0)
    at.run()
    assert not at.exception
    # AppTest, like a browser, cannot click the disabled button.
    assert at.button(key="rating_save_weights").disabled
    assert [e.value for e in at.error]
    assert not [s.value for s in at.success]
    assert load_weights(get_engine(demo_db)) == DEFAULT_WEIGHTS


def test_rating_page_states_gain_ignores_period(demo_db):
    at = open_page("rating.py", filter_period=(dt.date(2024, 12, 1), dt.date(2025, 1, 31)))
    assert not at.exception
    assert "без учёта выбранного периода или учебного года" in page_text(at)


def test_rating_page_read_only_role(demo_db):
    at = open_page("rating.py", viewer_role="administration")
    assert not at.exception
    assert not [b for b in at.button if b.key == "rating_save_weights"]
    assert not at.number_input
    text = page_text(at)
    assert "Веса, сохранённые проектной группой: прирост компетенций наставляемых — 40" in text
    assert "Место 1;" in text
    assert len(at.get("download_button")) == 1


def test_rating_page_all_cards(demo_db):
    at = open_page("rating.py")
    at.toggle(key="rating_all_cards").set_value(True).run()
    assert not at.exception
    text = page_text(at)
    figures = rating_figures(load_frames(get_engine(demo_db)))
    n_mentors = len(figures.ranked) + len(figures.flagged)
    assert text.count("Итоговый балл") == n_mentors
    assert "без места: меньше двух наставляемых" in text


def test_rating_xlsx_neutralises_formulas(demo_db):
    figures = rating_figures(load_frames(get_engine(demo_db)))
    first = figures.ranked["mentor_code"].iloc[0]
    names = pd.Series({first: "=HYPERLINK(\"http://127.0.0.1/\",\"x\")"})
    book = openpyxl.load_workbook(io.BytesIO(rating_xlsx(figures, names)))
    assert book.sheetnames == ["Рейтинг", "Без места (мало данных)", "Веса"]
    sheet = book["Рейтинг"]
    header = [cell.value for cell in sheet[2]]
    assert header[:5] == ["Место", "Место не выше", "Место не ниже", "Код наставника", "ФИО"]
    row = [cell for cell in sheet[3]]
    assert row[0].value == 1
    assert row[3].value == first
    assert row[4].value == "=HYPERLINK(\"http://127.0.0.1/\",\"x\")"
    assert row[4].data_type == "s"
    assert row[4].quotePrefix
    assert sheet.max_row == 2 + len(figures.ranked)
    assert book["Без места (мало данных)"].max_row == 2 + len(figures.flagged)


def test_rating_xlsx_by_code_only(demo_db):
    figures = rating_figures(load_frames(get_engine(demo_db)))
    sheet = openpyxl.load_workbook(io.BytesIO(rating_xlsx(figures)))["Рейтинг"]
    assert "ФИО" not in [cell.value for cell in sheet[2]]


def test_weights_default_and_round_trip(demo_db):
    engine = get_engine(demo_db)
    assert load_weights(engine) == DEFAULT_WEIGHTS
    stored = save_weights(engine, {"gain": 2, "satisfaction": 2})
    assert stored == {"gain": 0.5, "satisfaction": 0.5, "activity": 0.0, "products": 0.0}
    assert load_weights(engine) == stored
    save_weights(engine, {"products": 1})
    assert load_weights(engine)["products"] == 1.0


def test_weights_rejects_negative(demo_db):
    with pytest.raises(ValueError, match="non-negative"):
        save_weights(get_engine(demo_db), {"gain": -1, "products": 1})
