"""Entry point and router of the mentoring dashboard: `streamlit run Home.py`."""

import logging

import streamlit as st

from dashboard import chrome

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(
    page_title="Цифровое наставничество: аналитика",
    page_icon="📊",
    layout="wide",
)

PAGES = {
    "Обзор": [
        st.Page("dashboard/pages/overview.py", title="Обзор", icon="🏠", default=True),
        st.Page("dashboard/pages/indicators.py", title="Показатели проекта", icon="🎯"),
    ],
    "Планирование": [
        st.Page("dashboard/pages/diagnostics.py", title="Диагностика", icon="🩺"),
        st.Page("dashboard/pages/matching.py", title="Формирование пар", icon="🤝"),
        st.Page("dashboard/pages/routes.py", title="Индивидуальные маршруты", icon="🧭"),
        st.Page("dashboard/pages/events.py", title="Мероприятия", icon="📅"),
    ],
    "Результаты": [
        st.Page("dashboard/pages/prepost.py", title="Компетенции: до и после", icon="📈"),
        st.Page("dashboard/pages/comparison.py", title="Цифровая и традиционная модели", icon="⚖️"),
        st.Page("dashboard/pages/engagement.py", title="Вовлечённость", icon="🔥"),
        st.Page("dashboard/pages/satisfaction.py", title="Удовлетворённость", icon="🙂"),
        st.Page("dashboard/pages/rating.py", title="Рейтинг наставников", icon="🏅"),
    ],
    "Отчётность и данные": [
        st.Page("dashboard/pages/report.py", title="Отчёт", icon="📄"),
        st.Page("dashboard/pages/registers.py", title="Реестры", icon="🗂️"),
        st.Page("dashboard/pages/data_import.py", title="Данные", icon="📥"),
    ],
}

page = st.navigation(PAGES)
chrome.render_frame()
page.run()
