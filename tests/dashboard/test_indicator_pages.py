"""«Показатели проекта», «Реестры» and «Отчёт» pages on the demo database."""

from __future__ import annotations


import pytest
import sqlalchemy as sa
from sqlmodel import Session

from db.engine import get_engine
from db.registers import REGISTERS, register_frame
from tests.dashboard.apptest_helpers import open_page, page_text



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


def test_indicators_page_kirkpatrick_section(demo_db):
    at = open_page("indicators.py")
    table = at.dataframe[3].value
    assert list(table.columns)[0] == "Уровень"
    assert "4. Результаты" in set(table["Уровень"])
    missing = table.set_index("Показатель или анализ").loc["Результаты обучающихся", "Чего не хватает"]
    assert missing == "приложение пока не собирает результаты обучающихся"


def test_indicators_page_shows_targets_editor(demo_with_registers):
    at = open_page("indicators.py")
    wide = at.dataframe(key="targets_editor").value
    assert wide.loc["Наличие платформы", "2024-10"] == 1.0
    assert wide.loc["Удовлетворённость наставляемых, %", "2025-05"] == 80.0
    at.button(key="save_targets").click().run()
    assert not at.exception
    assert "Сохранено изменений: 0." in page_text(at)


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
    at.radio(key="report_format").set_value("xlsx").run()
    at.button(key="build_report").click().run()
    assert not at.exception
    assert "Отчёт готов: Excel (XLSX, таблицы)" in page_text(at)


def test_report_page_hides_names_option_for_department(demo_db):
    at = open_page("report.py", viewer_role="department")
    assert not at.exception
    assert not [box for box in at.checkbox if box.key == "report_internal"]
