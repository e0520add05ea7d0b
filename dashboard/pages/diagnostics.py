"""«Диагностика»: difficulties, needs, competence levels and the need for digital mentors."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.ui import fmt_int, fmt_number, fmt_share
from reports.diagnostics import diagnostics_figures, question_options

st.title("Диагностика затруднений и потребностей педагогов")


@st.cache_data(show_spinner=False)
def _options(engine_url: str) -> dict[str, list[str]]:
    # The URL is only the cache key: options are read per database.
    return question_options(data.engine())


with st.expander("Пороги и вместимость", expanded=False):
    cols = st.columns(3)
    need_threshold = cols[0].slider(
        "Нужна помощь, если результат ниже, %", 0, 100, 60, key="diag_need_threshold",
        help="Педагогу нужна помощь в области, если его диагностический результат ниже порога.",
    )
    strong_threshold = cols[1].slider(
        "Может быть наставником, если результат не ниже, %", 0, 100, 80,
        key="diag_strong_threshold",
    )
    capacity = cols[2].number_input(
        "Наставляемых на одного наставника", min_value=1, max_value=10, value=3,
        key="diag_capacity",
    )
if need_threshold > strong_threshold:
    st.error("Порог «нужна помощь» не может быть выше порога «может быть наставником».")
    st.stop()

figures = diagnostics_figures(
    data.frames(),
    options=_options(str(data.engine().url)),
    need_threshold=need_threshold,
    strong_threshold=strong_threshold,
    mentees_per_mentor=int(capacity),
    sort_by=st.session_state.get("diag_sort", "mean"),
)

st.subheader("Доля педагогов с затруднениями")
if figures.overall is None:
    st.info("Диагностическая анкета ещё не загружена: загрузите её на странице «Данные».")
else:
    st.metric("Испытывают затруднения хотя бы с одним сервисом", fmt_share(figures.overall["share"]))
    st.write(figures.overall["reading"])
    st.caption(
        "Правило: педагог испытывает затруднения, если ответил «Да» или «Частично» хотя бы для "
        "одного цифрового сервиса. Пропущенный ответ не считается ответом «Нет»."
    )
    services = figures.shares[figures.shares["dimension"] == "service"].sort_values("share")
    fig = go.Figure(go.Bar(
        x=services["share"] * 100, y=services["group"], orientation="h",
        error_x=dict(type="data", symmetric=False,
                     array=(services["ci_high"] - services["share"]) * 100,
                     arrayminus=(services["share"] - services["ci_low"]) * 100),
        hovertext=services["reading"], hoverinfo="text",
    ))
    fig.update_layout(title="С какими сервисами затруднений больше всего?",
                      xaxis_title="Доля ответивших «Да» или «Частично», % (95% интервал)",
                      yaxis_title="")
    st.plotly_chart(fig, width="stretch")

    for dimension, title in (("subject", "По предметам"), ("experience_band", "По стажу, лет")):
        part = figures.shares[figures.shares["dimension"] == dimension]
        if part.empty:
            continue
        st.markdown(f"**{title}**")
        st.dataframe(
            part.assign(
                Группа=part["group"], Ответили=part["n"].map(fmt_int),
                **{"С затруднениями": part["share"].map(fmt_share),
                   "95% интервал": [f"{fmt_share(lo)} – {fmt_share(hi)}"
                                    for lo, hi in zip(part["ci_low"], part["ci_high"], strict=True)],
                   "Что это значит": part["reading"]},
            )[["Группа", "Ответили", "С затруднениями", "95% интервал", "Что это значит"]],
            hide_index=True, width="stretch",
        )
        if part["few_observations"].any():
            st.warning("В некоторых группах меньше 10 ответивших: их доли неточны, не сравнивайте "
                       "и не ранжируйте такие группы между собой.")

st.subheader("Какая помощь нужна и в каком формате")
for counts, title, question in (
    (figures.help_counts, "Какая помощь нужна", "Какая помощь нужна педагогам?"),
    (figures.format_counts, "Удобный формат помощи", "В каком формате педагогам удобнее получать помощь?"),
):
    if counts.empty:
        st.info(f"{title}: ответов нет.")
        continue
    fig = px.bar(counts.sort_values("n"), x="n", y="option", orientation="h",
                 hover_data={"reading": True}, title=question,
                 labels={"n": "Выбрали, человек", "option": "", "reading": "Пояснение"})
    st.plotly_chart(fig, width="stretch")
    st.caption(f"Можно было выбрать несколько вариантов, поэтому доли не складываются в 100 %. "
               f"Ответили на анкету: {fmt_int(counts['n_respondents'].iloc[0])}.")

st.subheader("Уровень цифровых компетенций (диагностика)")
matrix = figures.matrix
if matrix.empty:
    st.info("Результатов диагностического тестирования пока нет.")
else:
    sort_options = ["mean", *[c for c in matrix.columns if c != "mean"]]
    st.selectbox("Сортировать педагогов", sort_options, key="diag_sort",
                           format_func=lambda c: "по среднему результату" if c == "mean" else f"по области «{c}»")
    areas = [c for c in matrix.columns if c != "mean"]
    text = matrix[areas].map(lambda v: fmt_number(v, 0, missing="нет оценки"))
    fig = go.Figure(go.Heatmap(
        z=matrix[areas].to_numpy(), x=areas, y=list(matrix.index), text=text.to_numpy(),
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>", colorscale="RdYlGn", zmin=0, zmax=100,
        colorbar=dict(title="% от максимума"),
    ))
    fig.update_layout(title="Где у педагогов низкий уровень, а где высокий?",
                      height=max(400, 14 * len(matrix)))
    st.plotly_chart(fig, width="stretch")
    st.caption("Зелёный — высокий результат, красный — низкий; пустая клетка — область не оценивалась.")

st.subheader("Потребность в цифровых наставниках")
need = figures.need
if need.empty:
    st.info("Нет результатов диагностики, из которых можно посчитать потребность.")
else:
    st.dataframe(
        need.assign(
            Область=need["area"], **{
                "Нужна помощь": need["n_need"].map(fmt_int),
                "Сильные педагоги": need["n_strong"].map(fmt_int),
                "Могут взять": need["capacity"].map(fmt_int),
                "Останутся без наставника": need["shortfall"].map(fmt_int),
                "Что это значит": need["reading"]},
        )[["Область", "Нужна помощь", "Сильные педагоги", "Могут взять",
           "Останутся без наставника", "Что это значит"]],
        hide_index=True, width="stretch",
    )
    st.caption("Каждая область считается отдельно: наставник, сильный в двух областях, учтён в обеих, "
               "поэтому сумма по областям завышает общие возможности.")
