"""«Показатели проекта», «Реестры» and «Отчёт» pages on the demo database."""

from __future__ import annotations


import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from db.engine import get_engine
from db.registers import REGISTERS, register_frame
from tests.dashboard.apptest_helpers import open_page, page_text



def frame_with(at, column: str) -> pd.DataFrame:
    """The value of the page's first table that has `column`: display tables carry no widget key."""
    return next(table.value for table in at.dataframe if column in table.value.columns)


@pytest.fixture
def demo_with_registers(demo_db):
    """The demo database as loaded: `db demo` includes the sample registers."""
    return demo_db


@pytest.fixture
def demo_without_registers(demo_db):
    """The demo database with every register row deleted."""
    engine = get_engine(demo_db)
    with Session(engine) as session:
        for spec in REGISTERS.values():
            session.execute(sa.delete(spec.model))
        session.commit()
    return demo_db


def test_indicators_page_without_registers(demo_without_registers):
    at = open_page("indicators.py")
    assert not at.exception
    text = page_text(at)
    assert "Показатели результативности проекта" in text
    assert "nan" not in text.lower().split()
    cards = at.dataframe[0].value
    assert len(cards) == 11
    # Without targets no indicator can be met or behind.
    assert set(cards["Статус"]) <= {"○ цель не задана", "– нет данных"}


def test_indicators_page_with_registers(demo_with_registers):
    at = open_page("indicators.py")
    assert not at.exception
    cards = at.dataframe[0].value.set_index("Показатель")
    assert cards.loc["Наличие базы внешних ресурсов", "Значение"] == "да"
    assert cards.loc["Наличие платформы", "Статус"] == "✔ выполнено"
    assert "подтверждено 25.10.2024" in cards.loc["Наличие платформы", "Подтверждение"]
    text = page_text(at)
    assert "Наличие платформы: да на конец месяца «июль 2025» при цели да — цель достигнута." in text
    assert "На последний месяц учебного года, за который посчитано значение" in text
    assert "последний месяц с данными" not in text
    assert "месяцы после последних данных повторяют последнее значение" in text


def test_indicators_page_kirkpatrick_section(demo_db):
    at = open_page("indicators.py")
    table = frame_with(at, "Уровень")
    assert list(table.columns)[0] == "Уровень"
    assert "4. Результаты" in set(table["Уровень"])
    missing = table.set_index("Показатель или анализ").loc["Результаты обучающихся", "Чего не хватает"]
    assert missing == "приложение пока не собирает результаты обучающихся"


def test_indicators_page_shows_targets_editor(demo_with_registers):
    at = open_page("indicators.py")
    wide = at.dataframe(key="targets_editor").value
    assert wide.loc["Наличие платформы", "2024-10"] == "1"
    assert wide.loc["Удовлетворённость наставляемых, %", "2025-05"] == "80"
    assert wide.loc["Удовлетворённость наставляемых, %", "2024-09"] == ""
    at.button(key="save_targets").click().run()
    assert not at.exception
    assert "Сохранено изменений: 0." in page_text(at)


def test_indicators_page_every_month_with_status(demo_with_registers):
    at = open_page("indicators.py")
    months = frame_with(at, "сентябрь 2024")
    assert len(months) == 11
    month_names = ["сентябрь 2024", "октябрь 2024", "ноябрь 2024", "декабрь 2024", "январь 2025",
                   "февраль 2025", "март 2025", "апрель 2025", "май 2025", "июнь 2025", "июль 2025"]
    assert list(months.columns) == month_names
    assert months.loc["Наличие платформы", "октябрь 2024"] == "✔ да (цель да)"
    assert months.loc["Наличие базы внутренних ресурсов", "октябрь 2024"] == "○ да (цели нет)"
    assert months.loc["Удовлетворённость наставляемых, %", "июль 2025"] == "✖ 79,0 % (цель 80,0 %)"
    text = page_text(at)
    assert "«нет данных» — цель есть, а значения нет" in text


def test_indicators_targets_rejects_text(demo_with_registers):
    from reports.indicators import targets_from_text

    edited = pd.DataFrame({"2024-09": ["12,5", "", "много"]},
                          index=["Наличие платформы", "Наличие базы внешних ресурсов",
                                 "Доля нормативно-правовой документации, %"])
    with pytest.raises(ValueError, match="«Доля нормативно-правовой документации, %», "
                                         "сентябрь 2024: «много»"):
        targets_from_text(edited)
    parsed = targets_from_text(edited.iloc[:2])
    assert parsed.loc["Наличие платформы", "2024-09"] == 12.5
    assert pd.isna(parsed.loc["Наличие базы внешних ресурсов", "2024-09"])


def test_indicators_print_version(demo_with_registers):
    at = open_page("indicators.py")
    at.toggle(key="indicators_print").set_value(True).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "save_targets"]
    assert len(at.table) == 1
    text = page_text(at)
    assert "Показатели по месяцам, 2024/25 учебный год" in text
    assert "Как считается каждый показатель" in text


def test_indicators_kirkpatrick_coverage_in_russian(demo_db):
    at = open_page("indicators.py")
    coverage = frame_with(at, "Рост участников (мотивационно-личностный и профессиональный)")
    assert list(coverage.index) == ["1. Реакция", "2. Научение", "3. Поведение", "4. Результаты"]
    assert coverage.loc["2. Научение", "Качество процесса реализации программы"] == "нет показателей"
    assert "Пока не измеряется: Результаты обучающихся" in page_text(at)


def test_registers_page_lists_sample_registers(demo_with_registers):
    at = open_page("registers.py")
    assert not at.exception
    text = page_text(at)
    assert "Записей: 13." in text
    assert "Записей: 6." in text


def test_registers_page_read_only_for_department(demo_with_registers):
    at = open_page("registers.py", viewer_role="department")
    assert not at.exception
    assert not [button for button in at.button if button.key == "save_resources"]
    assert "Записей: 13." in page_text(at)


def test_registers_page_save_without_changes(demo_with_registers):
    at = open_page("registers.py")
    engine = get_engine(demo_with_registers)
    before = register_frame(engine, "resources")
    at.button(key="save_resources").click().run()
    assert not at.exception
    assert "Сохранено: добавлено 0, изменено 0, удалено 0." in page_text(at)
    after = register_frame(engine, "resources")
    assert after["title"].tolist() == before["title"].tolist()


def test_report_page_builds_xlsx(demo_with_registers):
    at = open_page("report.py")
    assert not at.exception
    assert not at.get("download_button")
    at.button(key="build_report_xlsx").click().run()
    assert not at.exception
    assert "Готов," in page_text(at)
    assert [button.proto.label for button in at.get("download_button")] == ["Скачать"]


def test_report_page_internal_version_on_request(demo_with_registers):
    at = open_page("report.py")
    at.button(key="build_report_docx").click().run()
    assert len(at.get("download_button")) == 1
    at.checkbox(key="report_internal").check().run()
    assert not at.exception
    # The version with names is a separate file: the one built without names is not offered.
    assert not at.get("download_button")
    assert "Внутренняя версия: в файле будут ФИО участников" in page_text(at)


def test_report_page_hides_names_option_for_department(demo_db):
    at = open_page("report.py", viewer_role="department")
    assert not at.exception
    assert not [box for box in at.checkbox if box.key == "report_internal"]


def test_indicators_page_matches_summary_json(demo_with_registers):
    """Every month × indicator cell on the page shows the JSON's value and status."""
    from analysis.indicators import INDICATOR_SPECS
    from reports.indicators import format_value, month_label
    from reports.summary import build_summary

    at = open_page("indicators.py")
    months = frame_with(at, "сентябрь 2024")
    rows = build_summary(get_engine(demo_with_registers))["indicators"]
    assert len(rows) == 11 * 11
    symbols = {"met": "✔", "behind": "✖", "no_target": "○", "no_data": "–"}
    for row in rows:
        cell = months.loc[INDICATOR_SPECS[row["indicator"]].label, month_label(row["month"])]
        assert cell.startswith(symbols[row["status"]]), (row, cell)
        if row["value"] is not None:
            assert format_value(row["indicator"], row["value"]) in cell, (row, cell)
