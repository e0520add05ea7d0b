"""Entry point and router of the mentoring dashboard: `streamlit run Home.py`."""

import logging

import streamlit as st

from dashboard import chrome

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(
    page_title="Цифровое наставничество: аналитика",
    page_icon=":material/analytics:",
    layout="wide",
)

PAGES = {
    "Обзор": [
        st.Page("dashboard/pages/overview.py", title="Обзор", icon=":material/home:", default=True),
        st.Page("dashboard/pages/indicators.py", title="Показатели проекта", icon=":material/flag:"),
    ],
    "Планирование": [
        st.Page("dashboard/pages/diagnostics.py", title="Диагностика", icon=":material/stethoscope:"),
        st.Page("dashboard/pages/matching.py", title="Формирование пар", icon=":material/handshake:"),
        st.Page("dashboard/pages/routes.py", title="Индивидуальные маршруты", icon=":material/route:"),
        st.Page("dashboard/pages/events.py", title="Мероприятия", icon=":material/event:"),
    ],
    "Результаты": [
        st.Page("dashboard/pages/prepost.py", title="Компетенции: до и после", icon=":material/trending_up:"),
        st.Page("dashboard/pages/comparison.py", title="Цифровая и традиционная модели", icon=":material/balance:"),
        st.Page("dashboard/pages/engagement.py", title="Вовлечённость", icon=":material/local_fire_department:"),
        st.Page("dashboard/pages/satisfaction.py", title="Удовлетворённость", icon=":material/sentiment_satisfied:"),
        st.Page("dashboard/pages/rating.py", title="Рейтинг наставников", icon=":material/military_tech:"),
    ],
    "Отчётность и данные": [
        st.Page("dashboard/pages/report.py", title="Отчёт", icon=":material/description:"),
        st.Page("dashboard/pages/registers.py", title="Реестры", icon=":material/folder_open:"),
        st.Page("dashboard/pages/data_import.py", title="Данные", icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES, expanded=True)
chrome.render_frame()
page.run()
