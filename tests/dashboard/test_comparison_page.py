"""Page test of «Цифровая и традиционная модели» on the demo database."""

import datetime as dt
import json
import re

import pytest

from analysis.plain_language import COMPARISON_CAVEAT
from db.engine import get_engine
from reports.effectiveness import effectiveness_tables
from reports.frames import load_frames
from tests.dashboard.apptest_helpers import open_page, page_text
from tests.dashboard.test_prepost_page import decode

REL = 1e-6
ADJUSTED_TITLE = "Какой результат «после» был бы у моделей при одинаковом исходном уровне?"
GAINS_TITLE = "У какой модели прирост больше и насколько он различается у участников?"
BASELINE_TITLE = "Были ли группы равны по уровню до начала программы?"
ATTRITION_TITLE = "Какая доля участников выбыла до итоговой оценки?"


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert re.search(r"\bnan\b", text, flags=re.IGNORECASE) is None
    for table in at.dataframe:
        cells = table.value.astype(str).to_numpy().ravel()
        assert not any(re.search(r"\bnan\b", cell, flags=re.IGNORECASE) for cell in cells)
    return text


def chart(at, title: str) -> dict:
    specs = [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    matches = [spec for spec in specs if spec["layout"]["title"]["text"] == title]
    assert len(matches) == 1, [spec["layout"]["title"]["text"] for spec in specs]
    return matches[0]


@pytest.fixture
def tables(demo_db):
    return effectiveness_tables(load_frames(get_engine(demo_db)))


@pytest.fixture
def page(demo_db):
    return open_page("comparison.py")


def test_comparison_page_shows_conclusion(page, tables):
    text = assert_clean(page)
    assert "Главный вывод" in [header.value for header in page.subheader]
    overall = tables.comparison.set_index("area").loc["overall"]
    assert overall["conclusion"] in text
    assert "по шкале Коэна" in text
    assert COMPARISON_CAVEAT in text
    assert len(page.dataframe) == 3


def test_comparison_page_charts_present(page):
    assert_clean(page)
    titles = [json.loads(element.proto.spec)["layout"]["title"]["text"] for element in page.get("plotly_chart")]
    assert titles == [ADJUSTED_TITLE, GAINS_TITLE, BASELINE_TITLE, ATTRITION_TITLE]


def test_adjusted_means_chart_matches_ancova(page, tables):
    assert_clean(page)
    overall = tables.comparison.set_index("area").loc["overall"]
    adjusted = chart(page, ADJUSTED_TITLE)["data"][0]
    digital, traditional = decode(adjusted["y"])
    assert digital - traditional == pytest.approx(overall["ancova_estimate"], rel=REL)
    observed = decode(chart(page, ADJUSTED_TITLE)["data"][1]["y"])
    prepost = tables.prepost.set_index(["model", "area"])
    assert observed[0] == pytest.approx(prepost.loc[("digital", "overall"), "mean_post"], rel=REL)
    assert observed[1] == pytest.approx(prepost.loc[("traditional", "overall"), "mean_post"], rel=REL)
    assert "Если бы обе группы начинали с одного уровня" in page_text(page)


def test_gain_chart_matches_tables(page, tables):
    assert_clean(page)
    overall = tables.comparison.set_index("area").loc["overall"]
    digital, traditional = chart(page, GAINS_TITLE)["data"]
    assert len(decode(digital["y"])) == overall["n_digital"]
    assert len(decode(traditional["y"])) == overall["n_traditional"]
    assert decode(digital["y"]).mean() == pytest.approx(overall["mean_gain_digital"], rel=REL)
    assert decode(traditional["y"]).mean() == pytest.approx(overall["mean_gain_traditional"], rel=REL)
    text = page_text(page)
    assert "t-критерий Уэлча: t(35,9) = 3,21, p = 0,003" in text
    assert "критерий Манна — Уитни: U = 384" in text


def test_baseline_chart_and_text(page, tables):
    assert_clean(page)
    bars = chart(page, BASELINE_TITLE)["data"][0]
    expected = tables.comparison["baseline_hedges_g"].astype(float).to_numpy()
    assert decode(bars["x"]) == pytest.approx(expected, rel=REL)
    text = page_text(page)
    assert "По правилу What Works Clearinghouse" in text
    assert "g Хеджеса = −0,54" in text
    assert "Здесь: условие не выполнено" in text


def test_attrition_chart_and_fisher(page, tables):
    assert_clean(page)
    bars = chart(page, ATTRITION_TITLE)["data"][0]
    shares = tables.attrition.set_index(["area", "model"])
    expected = [shares.loc[("overall", model), "share"] * 100 for model in ("digital", "traditional")]
    assert decode(bars["y"]) == pytest.approx(expected, rel=REL)
    assert bars["text"] == ["1 из 31", "3 из 20"]
    text = page_text(page)
    # The total counts the mentees of the two models (31 + 20), not the mentors' own scores.
    assert "Всего наставляемых: 4 из 51 (7,8 %)" in text
    assert "Точный критерий Фишера: различие выбытия между моделями статистически не значимо (p = 0,287)" in text


def test_clustering_and_icc_explained(page):
    text = assert_clean(page)
    assert "Сколько значит наставник" in [header.value for header in page.header]
    assert "С учётом группировки по 14 наставникам (кластерные стандартные ошибки)" in text
    assert "ICC = 0,30, то есть около 30 % разброса приростов приходится на различия между наставниками" in text


def test_power_beside_non_significant(page, tables):
    assert_clean(page)
    table = page.dataframe[0].value.set_index("Область")
    comparison = tables.comparison.set_index("area")
    for area, row in comparison.iterrows():
        label = "В среднем по областям" if area == "overall" else area
        cell = table.loc[label, "Мощность и обнаружимый d"]
        if row["ancova_p_adjusted"] < 0.05:
            assert cell == "—"
        else:
            assert cell == "36\u00a0% при d = 0,5; от d = 0,87"


def test_non_significant_area_reads_power(demo_db):
    # «Сферум»: Welch p = 0,22, so the gain reading names the power and the detectable effect.
    at = open_page("comparison.py", filter_area="Сферум")
    text = assert_clean(at)
    assert "В области «Сферум» результат после программы" in text
    assert "обнаруживается только различие от d = 0,87" in text
    assert "«статистически не значимо» здесь не означает «различия нет»" in text


def test_area_filter_adjusted_means(demo_db, tables):
    at = open_page("comparison.py", filter_area="Облачное хранилище")
    assert_clean(at)
    row = tables.comparison.set_index("area").loc["Облачное хранилище"]
    digital, traditional = decode(chart(at, ADJUSTED_TITLE)["data"][0]["y"])
    assert digital - traditional == pytest.approx(row["ancova_estimate"], rel=REL)
    assert set(at.dataframe[0].value["Область"]) == {"Облачное хранилище", "В среднем по областям"}


def test_comparison_page_ignores_model_filter(demo_db):
    at = open_page("comparison.py", filter_model="traditional")
    text = assert_clean(at)
    assert "Фильтр по модели не действует на сравнение" in text
    # The third table on the page is the dose-response table.
    dose = at.dataframe[2].value
    assert set(dose["Модель"]) == {"традиционная"}


def test_comparison_page_period_without_post(demo_db):
    # Autumn 2024 contains diagnostic and pre assessments only, so nothing can be compared.
    at = open_page(
        "comparison.py",
        filter_use_period=True,
        filter_period=(dt.date(2024, 9, 1), dt.date(2024, 12, 31)),
    )
    text = assert_clean(at)
    assert "За выбранный период нет оценок обоих этапов, «до» и «после»: сравнивать нечего." in text
    assert "расширьте период" in text
    assert "Загрузите оценки" not in text


def test_bh_choice_shared_with_prepost_page(demo_db):
    at = open_page("comparison.py")
    headers = list(next(t.value for t in at.dataframe if "Область" in t.value.columns).columns)
    assert "p (поправка Холма)" in headers
    at.toggle(key="comparison_bh_toggle").set_value(True).run()
    assert_clean(at)
    table = next(t.value for t in at.dataframe if "Область" in t.value.columns)
    assert "p (поправка Бенджамини–Хохберга)" in table.columns
    expected = effectiveness_tables(load_frames(get_engine(demo_db)), p_adjust="fdr_bh").comparison
    shown = dict(zip(table["Область"], table["p (поправка Бенджамини–Хохберга)"], strict=True))
    for row in expected.to_dict("records"):
        if row["area"] != "overall" and row["ancova_p_adjusted"] is not None:
            from dashboard.ui import fmt_p_value
            assert shown[row["area"]] == fmt_p_value(row["ancova_p_adjusted"])
    # The pre/post page opens with the same choice.
    at.switch_page("dashboard/pages/prepost.py").run()
    assert at.toggle(key="prepost_bh_toggle").value is True
