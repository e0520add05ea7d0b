"""«Удовлетворённость» page on the demo database."""

from __future__ import annotations

import json

from tests.dashboard.apptest_helpers import open_page, page_text


def test_satisfaction_page_mentees(demo_db):
    at = open_page("satisfaction.py")
    assert not at.exception
    text = page_text(at)
    assert "Доля удовлетворённых" in text
    assert "интервал Уилсона" in text
    assert "Альфа Кронбаха" in text
    assert "Критерий Манна–Уитни" in text
    assert "nan" not in text.lower().split()


def test_satisfaction_page_mentors(demo_db):
    at = open_page("satisfaction.py")
    at.radio(key="satisfaction_questionnaire").set_value("mentor_satisfaction").run()
    assert not at.exception
    text = page_text(at)
    assert "по шкале 1–10" in text
    assert "не ниже 7,75" in text


def test_satisfaction_page_theme_filter(demo_db):
    at = open_page("satisfaction.py")
    themes = at.selectbox(key="satisfaction_theme")
    all_answers = len(at.dataframe[-1].value)
    themes.set_value("Благодарность").run()
    assert not at.exception
    shown = at.dataframe[-1].value
    assert 0 < len(shown) < all_answers
    assert all("Благодарность" in themes for themes in shown["Темы"])


def test_satisfaction_share_and_index_labelled_apart(demo_db):
    at = open_page("satisfaction.py")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Доля удовлетворённых"].endswith("%")
    assert metrics["Индекс удовлетворённости"].endswith("из 100")
    captions = "\n".join(caption.value for caption in at.caption)
    assert "доля людей со средним баллом не ниже 4" in captions
    assert "средний балл, пересчитанный в шкалу 0–100; не доля людей" in captions


def test_satisfaction_charts_state_their_question(demo_db):
    at = open_page("satisfaction.py")
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    titles = [spec["layout"]["title"]["text"] for spec in specs]
    assert titles == [
        "Насколько участники согласны с каждым утверждением анкеты?",
        "Различаются ли оценки участников цифровой и традиционной моделей?",
        "О чём участники пишут в свободных ответах?",
    ]
    # Diverging bars: one legend entry per scale point, in scale order, coloured red to green.
    bars = [trace for trace in specs[0]["data"] if trace.get("showlegend", True)]
    ranked = sorted(bars, key=lambda trace: trace["legendrank"])
    assert [trace["name"] for trace in ranked] == sorted(trace["name"] for trace in bars)
    assert ranked[0]["marker"]["color"] != ranked[-1]["marker"]["color"]


def test_satisfaction_comparison_plain_reading(demo_db):
    at = open_page("satisfaction.py")
    text = page_text(at)
    assert "по шкале Коэна для корреляций" in text
    assert "r — ранговая бисериальная корреляция" in text
    assert "Группы не были сформированы случайно" in text


def test_satisfaction_small_comparison_has_no_direction(demo_db):
    at = open_page("satisfaction.py")
    at.radio(key="satisfaction_questionnaire").set_value("mentor_satisfaction").run()
    assert not at.exception
    text = page_text(at)
    # The demo mentors' questionnaire has 7 digital and 5 traditional respondents.
    assert "Ответивших мало: в цифровой модели 7, в традиционной 5" in text
    assert "участники чаще ставят более высокие оценки" not in text
    assert "различие статистически не значимо" in text


def test_anonymous_answers_named_but_not_counted(demo_db):
    from db.engine import get_engine
    from db.importing import import_file

    before = page_text(open_page("satisfaction.py"))
    content = ("Отметка времени,Встречи с наставником были хорошо организованы\r\n"
               "20.05.2025 10:00:00,Скорее согласен\r\n"
               "20.05.2025 10:05:00,Полностью согласен\r\n").encode("utf-8")
    report = import_file(content, "anonymous.csv", engine=get_engine(demo_db),
                         questionnaire="mentee_satisfaction", anonymous=True)
    assert report.imported == 2
    text = page_text(open_page("satisfaction.py"))
    assert "Анонимных анкет: 2" in text
    assert "Анонимных анкет" not in before
    # The figures per participant stay as they were.
    respondents = [line for line in before.splitlines() if line.startswith("Ответили")]
    assert respondents and respondents[0] in text


def test_model_filter_explains_missing_comparison(demo_db):
    at = open_page("satisfaction.py", filter_model="digital")
    assert not at.exception
    text = page_text(at)
    assert "Для сравнения нужны обе модели" in text
    assert "в фильтре слева выбрана только «цифровая»" in text
