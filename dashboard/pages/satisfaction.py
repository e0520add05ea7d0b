"""«Удовлетворённость»: questionnaires of mentees and mentors, read from the database."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sample_colorscale

from dashboard import data, state
from db import queries
from dashboard.ui import MODEL_LABELS, fmt_int, fmt_number, fmt_p_value, fmt_share, plural
from reports.satisfaction import (
    QUESTIONNAIRES,
    comparison_reading,
    diverging_shares,
    questionnaire_figures,
)

TITLES = {"mentee_satisfaction": "Наставляемые", "mentor_satisfaction": "Наставники"}
# Disagreement red, the middle grey, agreement green: the answer's position on its scale picks the colour.
AGREEMENT_SCALE = [[0.0, "#c62828"], [0.5, "#bdbdbd"], [1.0, "#2e7d32"]]
ROLE_GENITIVE = {"mentee": "наставляемых", "mentor": "наставников"}

st.title("Удовлетворённость участием в программе")

questionnaire = st.radio("Чья анкета", list(QUESTIONNAIRES), format_func=TITLES.get,
                         horizontal=True, key="satisfaction_questionnaire")
filters = state.current_filters()
figures = questionnaire_figures(data.frames(), questionnaire, filters)
summary, response = figures.summary, figures.response
role = ROLE_GENITIVE[figures.role]
anonymous = queries.anonymous_submission_counts(data.engine()).get(questionnaire, 0)
if anonymous:
    st.caption(f"Анонимных анкет: {fmt_int(anonymous)}. Их нельзя связать с педагогами, "
               "поэтому в цифры этой страницы (по участникам, группам и моделям) они не входят; "
               "они видны в журнале загрузок на странице «Данные».")

if summary["respondents"] == 0:
    st.info("На эту анкету в выбранном периоде и модели ещё никто не ответил.")
    st.stop()

cols = st.columns(4)
cols[0].metric("Ответили", fmt_int(summary["respondents"]))
cols[1].metric("Охват опроса", fmt_share(response["response_rate"]))
cols[2].metric(
    "Доля удовлетворённых",
    fmt_share(summary["share_satisfied"]),
    help="Доля ответивших, чей средний балл по утверждениям анкеты не ниже порога "
         "(три четверти шкалы). Это доля людей, а не средняя оценка.",
)
cols[3].metric(
    "Индекс удовлетворённости",
    fmt_number(summary["index_percent"]) + " из 100",
    help="Средний балл всех ответивших, пересчитанный в шкалу от 0 (все ответы самые низкие) "
         "до 100 (все самые высокие). Это не доля людей и не процент удовлетворённых.",
)
cols[2].caption(f"доля людей со средним баллом не ниже {fmt_number(summary['threshold'], 2)}; "
                f"95 % интервал Уилсона: {fmt_share(summary['ci_low'])} – "
                f"{fmt_share(summary['ci_high'])}")
cols[3].caption("средний балл, пересчитанный в шкалу 0–100; не доля людей")
st.write(
    f"Анкету заполнили {fmt_int(response['n_respondents'])} из {fmt_int(response['n_eligible'])} "
    f"{role}, состоящих в группах. Удовлетворены участием {fmt_share(summary['share_satisfied'])} "
    f"ответивших: их средний балл по утверждениям анкеты не ниже "
    f"{fmt_number(summary['threshold'], 2)} по шкале {fmt_int(summary['scale_min'])}–"
    f"{fmt_int(summary['scale_max'])}. С вероятностью 95 % доля во всей группе {role} лежит "
    f"между {fmt_share(summary['ci_low'])} и {fmt_share(summary['ci_high'])} (интервал Уилсона). "
    f"Индекс {fmt_number(summary['index_percent'])} — средний балл, пересчитанный так, что "
    "0 — самый низкий ответ, а 100 — самый высокий."
)
if summary["note"]:
    st.warning(summary["note"])

st.subheader("Надёжность анкеты")
if summary["alpha_note"]:
    st.info(summary["alpha_note"])
else:
    st.write(
        f"Альфа Кронбаха {fmt_number(summary['cronbach_alpha'], 2)} (95 % интервал "
        f"{fmt_number(summary['alpha_ci_low'], 2)}–{fmt_number(summary['alpha_ci_high'], 2)}). "
        "Значение от 0,7 и выше обычно считают достаточным: утверждения анкеты согласованно "
        "измеряют одно и то же. "
        f"Учтены {fmt_int(summary['alpha_n'])} человек, ответивших на все утверждения; "
        f"{fmt_int(summary['alpha_n_excluded'])} с пропусками не учтены."
    )

st.subheader("Ответы по утверждениям")
layout = diverging_shares(figures.distribution)
if layout.empty:
    st.info("В анкете нет утверждений со шкалой.")
else:
    scale_min = float(figures.distribution["scale_min"].min())
    scale_max = float(figures.distribution["scale_max"].max())
    fig = go.Figure()
    for (value, negative), part in layout.groupby(
        ["value", layout["signed_share"] < 0], sort=False
    ):
        position = (value - scale_min) / (scale_max - scale_min)
        fig.add_bar(y=part["question"], x=part["signed_share"] * 100, orientation="h",
                    name=f"{value:g}", legendgroup=f"{value:g}", showlegend=not negative,
                    legendrank=int(value), marker_color=sample_colorscale(AGREEMENT_SCALE, position)[0],
                    hovertemplate="%{y}: %{customdata:.0f} %<extra>балл " + f"{value:g}</extra>",
                    customdata=part["share"] * 100)
    fig.update_layout(
        barmode="relative", xaxis_title="Доля ответов, % (влево — несогласие, вправо — согласие)",
        legend_title=f"Балл ({fmt_int(scale_min)} — самый низкий ответ, {fmt_int(scale_max)} — самый высокий)",
        title="Насколько участники согласны с каждым утверждением анкеты?",
        # A horizontal legend under the x-axis title fits a 10-point scale, which a
        # vertical legend beside the bars cut after 7 values.
        legend={"orientation": "h", "yanchor": "bottom", "y": 0, "yref": "container",
                "xanchor": "left", "x": 0, "title_side": "top left"},
        margin={"b": 130},
        height=230 + 45 * layout["question"].nunique(),
    )
    st.plotly_chart(fig, width="stretch")
    reversed_items = figures.top_two["question"][figures.top_two["reverse"]].tolist()
    if reversed_items:
        st.caption("Обратные утверждения (высокий балл — плохо): " + "; ".join(reversed_items)
                   + ". В балл удовлетворённости они входят перевёрнутыми.")
    top = figures.top_two
    st.dataframe(
        {
            "Утверждение": top["question"],
            "Ответов": top["n"].map(fmt_int),
            "Два лучших варианта": top["top_two_share"].map(fmt_share),
            "95 % интервал": [f"{fmt_share(a)} – {fmt_share(b)}"
                              for a, b in zip(top["ci_low"], top["ci_high"], strict=True)],
        },
        hide_index=True,
    )
    st.caption("«Два лучших варианта» — доля ответов на двух самых благоприятных делениях шкалы "
               "(для обратных утверждений — на двух нижних).")

st.subheader("Цифровая и традиционная модели")
comparison = figures.comparison
if filters.model and (comparison["n_digital"] == 0 or comparison["n_traditional"] == 0):
    # The sidebar keeps one model, so the other one is missing by choice, not for lack of answers.
    st.info(f"Для сравнения нужны обе модели, а в фильтре слева выбрана только "
            f"«{MODEL_LABELS.get(filters.model, filters.model)}». Выберите «обе модели», чтобы "
            "сравнить цифровую и традиционную.")
elif comparison["n_digital"] == 0 or comparison["n_traditional"] == 0:
    st.info(comparison["note"])
else:
    st.write(
        f"Медианный балл респондента: цифровая модель {fmt_number(comparison['median_digital'], 2)} "
        f"({fmt_int(comparison['n_digital'])} чел.), традиционная "
        f"{fmt_number(comparison['median_traditional'], 2)} "
        f"({fmt_int(comparison['n_traditional'])} чел.). Критерий Манна–Уитни: "
        f"U = {fmt_number(comparison['mann_whitney_u'], 1)}, {fmt_p_value(comparison['p_value'])}; "
        f"размер различия r = {fmt_number(comparison['rank_biserial'], 2)} "
        "(от −1 до 1; больше нуля — выше баллы в цифровой модели)."
    )
    # The reading opens with the small-sample warning itself, so the page does
    # not repeat comparison["note"].
    st.markdown("\n".join(f"- {sentence}" for sentence in comparison_reading(comparison)))
    if comparison["n_excluded"]:
        st.caption(f"Не учтены {fmt_int(comparison['n_excluded'])} "
                   f"{plural(comparison['n_excluded'], 'человек', 'человека', 'человек')}: "
                   "вне групп или в группах обеих моделей.")
    by_model = figures.scores.dropna(subset=["model"])
    by_model = by_model.assign(model=by_model["model"].map(MODEL_LABELS))
    fig = px.box(by_model, x="model", y="score", points="all",
                 labels={"model": "Модель", "score": "Балл респондента"},
                 title="Различаются ли оценки участников цифровой и традиционной моделей?")
    st.plotly_chart(fig, width="stretch")

st.subheader("Пожелания и замечания")
if figures.texts.empty:
    st.info("Свободных ответов нет.")
else:
    themes = figures.themes
    fig = px.bar(themes, x="count", y="theme", orientation="h",
                 labels={"count": "Ответов", "theme": "Тема"},
                 title="О чём участники пишут в свободных ответах?")
    st.plotly_chart(fig, width="stretch")
    st.caption("Темы определяются по ключевым словам, поэтому ответ может попасть в несколько тем, "
               "а отрицание («не хватало времени» и «времени хватало») не различается.")
    chosen = st.selectbox("Показать ответы по теме", ["все", *themes["theme"]],
                          key="satisfaction_theme", placeholder="Выберите тему")
    texts = figures.texts
    if chosen != "все":
        texts = texts[texts["themes"].map(lambda found: chosen in found)]
    st.dataframe({"Ответ": texts["answer"], "Темы": texts["themes"].map("; ".join)},
                 hide_index=True)
