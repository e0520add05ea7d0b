"""«Рейтинг наставников» page on the demo database, and the saved weights."""

from __future__ import annotations

import pytest

from analysis.rating import DEFAULT_WEIGHTS
from db.engine import get_engine
from reports.rating import load_weights, save_weights
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


def test_rating_page_read_only_role(demo_db):
    at = open_page("rating.py", viewer_role="administration")
    assert not at.exception
    assert not [b for b in at.button if b.key == "rating_save_weights"]
    assert at.number_input(key="rating_weight_gain").disabled


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
