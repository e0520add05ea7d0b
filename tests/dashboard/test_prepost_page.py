"""Page test of «Компетенции: до и после» on the demo database."""

import base64
import datetime as dt
import json
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

from analysis.plain_language import CHANGE_CAVEAT
from dashboard.ui import fmt_number, fmt_p_value, fmt_percent
from db.engine import get_engine
from reports.effectiveness import effectiveness_tables
from reports.frames import load_frames
from tests.dashboard.apptest_helpers import open_page, page_text

REL = 1e-6


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None
    for table in at.dataframe:
        cells = table.value.astype(str).to_numpy().ravel()
        assert not any(re.search(r"\bnan\b", cell, flags=re.IGNORECASE) for cell in cells)
    return text


def decode(values):
    """Plotly 6+ stores numeric arrays as base64 typed arrays in the JSON spec."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def chart_by_title(at, title: str) -> list[dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return [spec for spec in specs if spec["layout"]["title"]["text"] == title]


@pytest.fixture
def tables(demo_db):
    return effectiveness_tables(load_frames(get_engine(demo_db)))


def test_prepost_page_shows_models(demo_db):
    at = open_page("prepost.py")
    text = assert_clean(at)
    assert "Компетенции: до и после" in text
    assert "Цифровая модель" in text
    assert "Традиционная модель" in text
    assert "а не доказанный эффект программы" in text
    assert len(at.dataframe) == 3


def test_prepost_page_charts_present(demo_db):
    at = open_page("prepost.py")
    assert_clean(at)
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    # Three models, each with the area bars, the slope chart and the changes; then trajectories.
    assert titles.count("Каким был средний результат до и после в каждой области?") == 3
    assert titles.count("Вырос ли результат у каждого участника?") == 3
    assert titles.count("Насколько изменился результат у участников?") == 3
    assert titles.count("Как менялся результат участника от диагностики до итоговой оценки?") == 1


def test_prepost_page_conclusion_block(demo_db):
    at = open_page("prepost.py")
    text = assert_clean(at)
    assert "Вывод" in [header.value for header in at.subheader]
    assert "Цифровая модель: в среднем по всем областям средний результат вырос" in text
    assert "Статистически значимый рост — в 6 из 6 областей (поправка Холма)." in text
    assert CHANGE_CAVEAT in text


def test_prepost_page_shows_alternative_test(demo_db, tables):
    at = open_page("prepost.py")
    text = assert_clean(at)
    row = tables.prepost.set_index(["model", "area"]).loc[("digital", "overall")]
    assert row["test"] == "paired_t"
    assert "Для сравнения, критерий знаковых рангов Уилкоксона" in text
    assert "критерий Шапиро — Уилка" in text
    # The Wilcoxon method is stated in words.
    assert "нормальным приближением с поправкой на совпадающие ранги" in text
    assert "Нулевые изменения исключаются до ранжирования (правило Уилкоксона)." in text
    digital = at.dataframe[0].value.set_index("Область")
    assert digital.loc["В среднем по областям", "Другой критерий, p"] == "p < 0,001"
    assert digital.loc["В среднем по областям", "Шапиро — Уилк, p"] == "p = 0,230"


def test_prepost_page_figures_match_tables(demo_db, tables):
    at = open_page("prepost.py")
    assert_clean(at)
    prepost = tables.prepost.set_index(["model", "area"])
    slopes = chart_by_title(at, "Вырос ли результат у каждого участника?")
    changes = chart_by_title(at, "Насколько изменился результат у участников?")
    for model, slope, change in zip(("digital", "traditional", "all"), slopes, changes, strict=True):
        row = prepost.loc[(model, "overall")]
        mean_trace = next(trace for trace in slope["data"] if trace.get("name") == "Среднее")
        mean_pre, mean_post = decode(mean_trace["y"])
        assert mean_pre == pytest.approx(row["mean_pre"], rel=REL)
        assert mean_post == pytest.approx(row["mean_post"], rel=REL)
        participants = [trace for trace in slope["data"] if trace.get("name") != "Среднее"]
        assert len(participants) == row["n"]
        values = decode(change["data"][0]["x"])
        assert len(values) == row["n"]
        assert values.mean() == pytest.approx(row["mean_change"], rel=REL)


def test_prepost_page_model_filter(demo_db):
    at = open_page("prepost.py", filter_model="digital")
    text = assert_clean(at)
    assert "Цифровая модель" in text
    assert "Традиционная модель" not in text
    assert len(at.dataframe) == 1
    trajectory = chart_by_title(at, "Как менялся результат участника от диагностики до итоговой оценки?")
    names = [trace["name"] for trace in trajectory[0]["data"]]
    assert names and all(name.endswith("(цифровая)") for name in names)


def test_prepost_page_area_filter(demo_db):
    at = open_page("prepost.py", filter_area="Сферум")
    text = assert_clean(at)
    areas = set(at.dataframe[0].value["Область"])
    assert areas == {"Сферум", "В среднем по областям"}
    assert "Цифровая модель: в области «Сферум» средний результат вырос" in text
    assert "Сферум: каждый участник" in [header.value for header in at.subheader]


def test_prepost_page_participant_filter(demo_db):
    at = open_page("prepost.py")
    assert_clean(at)
    select = at.multiselect(key="prepost_trajectory_codes_overall_all")
    assert len(select.value) == 5
    select.set_value(["T011", "T016"]).run()
    assert_clean(at)
    trajectory = chart_by_title(at, "Как менялся результат участника от диагностики до итоговой оценки?")
    names = [trace["name"] for trace in trajectory[0]["data"]]
    assert names == ["T011 (цифровая)", "T016 (традиционная)"]
    assert "Показано участников: 2" in page_text(at)


def test_prepost_page_trajectory_values(demo_db):
    at = open_page("prepost.py")
    at.multiselect(key="prepost_trajectory_codes_overall_all").set_value(["T011"]).run()
    assert_clean(at)
    frames = load_frames(get_engine(demo_db))
    own = frames.assessments[frames.assessments["code"] == "T011"]
    expected = own.groupby("stage")["score_percent"].mean()
    trace = chart_by_title(at, "Как менялся результат участника от диагностики до итоговой оценки?")[0]["data"][0]
    stages = {"диагностика": "diagnostic", "до": "pre", "промежуточная": "mid", "после": "post"}
    for stage, value in zip(trace["x"], decode(trace["y"]), strict=True):
        assert value == pytest.approx(expected[stages[stage]], rel=REL)


def test_prepost_page_bh_toggle_changes_adjusted_p(demo_db, demo_db_frames_bh):
    at = open_page("prepost.py")
    assert_clean(at)
    holm = at.dataframe[1].value.set_index("Область")["p (поправка Холма)"]
    at.toggle(key="prepost_bh_toggle").set_value(True).run()
    text = assert_clean(at)
    bh = at.dataframe[1].value.set_index("Область")["p (поправка Бенджамини–Хохберга)"]
    assert at.session_state["prepost_p_adjust"] == "fdr_bh"
    assert (holm != bh).any()
    assert "(поправка Бенджамини–Хохберга)." in text
    expected = demo_db_frames_bh.set_index(["model", "area"])
    for area in bh.index:
        key = "overall" if area == "В среднем по областям" else area
        assert bh[area] == fmt_p_value(expected.loc[("traditional", key), "p_adjusted"])
    assert holm["Облачное хранилище"] == "p = 0,002"
    assert bh["Облачное хранилище"] == "p < 0,001"


@pytest.fixture
def demo_db_frames_bh(demo_db):
    return effectiveness_tables(load_frames(get_engine(demo_db)), p_adjust="fdr_bh").prepost


def test_prepost_page_bh_choice_persists(demo_db):
    at = open_page("prepost.py", prepost_p_adjust="fdr_bh")
    assert_clean(at)
    assert at.toggle(key="prepost_bh_toggle").value is True
    assert "p (поправка Бенджамини–Хохберга)" in at.dataframe[0].value.columns


def sparse_copy(url: str) -> None:
    """Leave 3 traditional pairs in «Сферум» and make every digital change in «Облачное хранилище» zero."""
    frames = load_frames(get_engine(url))
    assessments = frames.assessments
    traditional = sorted(assessments.loc[assessments["model"] == "traditional", "code"].unique())
    digital = sorted(assessments.loc[assessments["model"] == "digital", "code"].unique())
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        drop = ",".join("?" * len(traditional[3:]))
        connection.execute(
            "DELETE FROM assessment WHERE stage = 'post' "
            "AND area_id = (SELECT id FROM competence_area WHERE name = 'Сферум') "
            f"AND participant_id IN (SELECT id FROM participant WHERE code IN ({drop}))",
            traditional[3:],
        )
        same = ",".join("?" * len(digital))
        connection.execute(
            "UPDATE assessment AS post SET score = (SELECT pre.score * post.max_score / pre.max_score "
            "FROM assessment AS pre WHERE pre.participant_id = post.participant_id "
            "AND pre.area_id = post.area_id AND pre.stage = 'pre') "
            "WHERE post.stage = 'post' "
            "AND post.area_id = (SELECT id FROM competence_area WHERE name = 'Облачное хранилище') "
            f"AND post.participant_id IN (SELECT id FROM participant WHERE code IN ({same})) "
            "AND EXISTS (SELECT 1 FROM assessment AS pre WHERE pre.participant_id = post.participant_id "
            "AND pre.area_id = post.area_id AND pre.stage = 'pre')",
            digital,
        )


def test_prepost_page_too_few_pairs_and_no_change(demo_db):
    sparse_copy(demo_db)
    tables = effectiveness_tables(load_frames(get_engine(demo_db))).prepost.set_index(["model", "area"])
    assert tables.loc[("traditional", "Сферум"), "note"] == "too few pairs"
    n_traditional = tables.loc[("traditional", "Сферум"), "n"]
    assert 0 < n_traditional < 5
    assert tables.loc[("digital", "Облачное хранилище"), "note"] == "no change"

    at = open_page("prepost.py", filter_area="Сферум")
    text = assert_clean(at)
    traditional = at.dataframe[1].value.set_index("Область")
    assert traditional.loc["Сферум", "Критерий"] == "мало пар (меньше 5)"
    assert traditional.loc["Сферум", "p"] == "—"
    assert f"Традиционная модель: участников с оценками и «до», и «после» всего {n_traditional}" in text
    assert f"Пар оценок {n_traditional}, это меньше 5: критерий не применялся" in text

    at = open_page("prepost.py", filter_area="Облачное хранилище")
    text = assert_clean(at)
    digital = at.dataframe[0].value.set_index("Область")
    assert digital.loc["Облачное хранилище", "Критерий"] == "изменений нет"
    assert "результаты «до» и «после» совпадают у всех — изменений нет" in text


def test_prepost_table_columns_never_nan(demo_db):
    at = open_page("prepost.py")
    assert_clean(at)
    table = at.dataframe[2].value
    assert isinstance(table, pd.DataFrame)
    assert not table.isna().to_numpy().any()


def test_prepost_page_period_without_post(demo_db):
    # Autumn 2024 contains diagnostic and pre assessments only, so nothing can be paired.
    at = open_page(
        "prepost.py",
        filter_use_period=True,
        filter_period=(dt.date(2024, 9, 1), dt.date(2024, 12, 31)),
    )
    text = assert_clean(at)
    assert "За выбранный период нет оценок обоих этапов" in text
    assert "расширьте период" in text
    assert "Загрузите оценки" not in text
    assert len(at.get("plotly_chart")) == 0


def test_prepost_metrics_follow_area_filter(demo_db, tables):
    at = open_page("prepost.py", filter_area="Сферум", filter_model="digital")
    assert_clean(at)
    row = tables.prepost.set_index(["model", "area"]).loc[("digital", "Сферум")]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["В среднем до"] == fmt_percent(row["mean_pre"])
    assert metrics["В среднем после"] == fmt_percent(row["mean_post"])
    assert metrics["Изменение"] == f"{fmt_number(row['mean_change'])} п. п."
