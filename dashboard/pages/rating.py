"""«Рейтинг наставников»: weighted components, intervals, and a card per mentor."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.rating import COMPONENT_LABELS, COMPONENTS, DEFAULT_WEIGHTS
from dashboard import data, state
from dashboard.ui import fmt_int, fmt_number, plural
from reports.rating import (
    FLAG_LABELS,
    explanation,
    load_weights,
    rating_figures,
    rating_xlsx,
    save_weights,
)

st.title("Рейтинг наставников")

saved = load_weights(data.engine())
st.subheader("Веса составляющих")
st.caption(
    "Каждая составляющая переводится в стандартные отклонения от среднего наставника "
    "(z-оценка), затем складывается с весами. Веса нормируются так, чтобы их сумма была 100 %. "
    "По умолчанию: прирост компетенций 40 %, удовлетворённость 30 %, активность 15 %, "
    "продукты 15 % — прирост и удовлетворённость отражают результат программы, а активность и "
    "продукты — только процесс, и их легко увеличить числом записей."
)
if state.can_edit():
    cols = st.columns(len(COMPONENTS))
    chosen = {}
    for col, name in zip(cols, COMPONENTS, strict=True):
        chosen[name] = col.number_input(
            f"{COMPONENT_LABELS[name]}, %", min_value=0.0, max_value=100.0, step=5.0,
            value=round(saved[name] * 100, 1), format="%.0f", key=f"rating_weight_{name}",
        )
    weights_valid = sum(chosen.values()) > 0
    if not weights_valid:
        st.error(
            "Хотя бы один вес должен быть больше нуля: такие веса не сохраняются. "
            "Пока показан рейтинг с весами по умолчанию."
        )
        chosen = {name: weight * 100 for name, weight in DEFAULT_WEIGHTS.items()}
    buttons = st.columns(2)
    # The button is disabled for all-zero weights. The check repeats here because a
    # click and zero inputs can arrive in the same rerun.
    save_clicked = buttons[0].button("Сохранить веса", key="rating_save_weights", disabled=not weights_valid)
    if save_clicked and weights_valid:
        save_weights(data.engine(), chosen)
        st.success("Веса сохранены: рейтинг с ними увидят все пользователи.")
    if buttons[1].button("Вернуть веса по умолчанию", key="rating_reset_weights"):
        save_weights(data.engine(), DEFAULT_WEIGHTS)
        for name in COMPONENTS:
            st.session_state.pop(f"rating_weight_{name}", None)
        st.rerun()
else:
    # Other viewers see the saved weights as text: only the project group changes them.
    chosen = {name: saved[name] * 100 for name in COMPONENTS}
    st.write("Веса, сохранённые проектной группой: " + "; ".join(
        f"{COMPONENT_LABELS[name].lower()} — {fmt_number(chosen[name], 0)} %" for name in COMPONENTS
    ) + ".")

filters = state.current_filters()
figures = rating_figures(data.frames(), chosen, filters)
if filters.bounds() != (None, None):
    st.caption(
        "Прирост компетенций наставляемых считается по всем оценкам «до» и «после», "
        "без учёта выбранного периода или учебного года: для прироста нужны оба этапа. "
        "Период ограничивает только активность, продукты и ответы анкет удовлетворённости."
    )
if figures.n_mentors == 0:
    st.info("Нет групп с наставниками: рейтинг строить не из чего.")
    st.stop()
names = data.frames().participants.set_index("code")["full_name"]
ranked = figures.ranked

st.subheader("Рейтинг")
if ranked.empty:
    st.warning("Ни у одного наставника нет хотя бы двух наставляемых и двух анкет: места не присвоены.")
else:
    st.dataframe(
        {
            "Место": ranked["rank"].map(fmt_int),
            "Возможные места": [f"{fmt_int(a)}–{fmt_int(b)}"
                                for a, b in zip(ranked["rank_low"], ranked["rank_high"], strict=True)],
            "Наставник": ranked["mentor_code"] + " " + ranked["mentor_code"].map(names).fillna(""),
            "Балл": ranked["score"].map(lambda v: fmt_number(v, 2)),
            "95 % интервал балла": [f"{fmt_number(a, 2)} … {fmt_number(b, 2)}"
                                    for a, b in zip(ranked["ci_low"], ranked["ci_high"], strict=True)],
            "Наставляемых": ranked["n_mentees"].map(fmt_int),
            "Анкет": ranked["n_ratings"].map(fmt_int),
        },
        hide_index=True,
    )
    fig = go.Figure(go.Scatter(
        x=ranked["score"], y=ranked["mentor_code"], mode="markers",
        error_x={"type": "data", "symmetric": False,
                 "array": ranked["ci_high"] - ranked["score"],
                 "arrayminus": ranked["score"] - ranked["ci_low"]},
    ))
    fig.update_layout(title="Насколько надёжно различаются баллы наставников?",
                      xaxis_title="Балл (0 — средний наставник)", yaxis_title="Наставник",
                      yaxis={"autorange": "reversed"}, height=120 + 28 * len(ranked))
    st.plotly_chart(fig, width="stretch")
    with_names = st.checkbox("Добавить ФИО в файл (только для внутреннего пользования школы)",
                             key="rating_export_names")
    st.download_button(
        "Скачать таблицу рейтинга (XLSX)",
        data=rating_xlsx(figures, names if with_names else None),
        file_name="рейтинг_наставников.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rating_download_xlsx",
        icon=":material/download:",
    )
    overlapping = int((ranked["rank_high"] - ranked["rank_low"] >= 2).sum())
    st.write(
        "Балл 0 — средний наставник, +1 — на одно стандартное отклонение лучше среднего. "
        "«Возможные места» — где мог бы оказаться наставник с учётом неточности оценок "
        f"(95 %). У {fmt_int(overlapping)} из {fmt_int(len(ranked))} "
        f"{plural(len(ranked), 'наставника', 'наставников', 'наставников')} этот диапазон "
        "шире двух мест: соседние места различаются ненадёжно, и рейтинг стоит читать как "
        "группы, а не как точный порядок."
    )

if not figures.flagged.empty:
    st.subheader("Без места: мало данных")
    flagged = figures.flagged
    st.dataframe(
        {
            "Наставник": flagged["mentor_code"] + " " + flagged["mentor_code"].map(names).fillna(""),
            "Причина": flagged["flag"].map(FLAG_LABELS),
            "Балл": flagged["score"].map(lambda v: fmt_number(v, 2)),
            "Наставляемых": flagged["n_mentees"].map(fmt_int),
            "Анкет": flagged["n_ratings"].map(fmt_int),
        },
        hide_index=True,
    )
    st.caption("Эти наставники не ставятся выше остальных: по одной-двум оценкам место "
               "определить нельзя. Их балл показан для справки.")



def render_card(row) -> None:
    """Draw one mentor's card: the reading of each component and a chart of its share in the score."""
    for line in explanation(row, figures.weights):
        st.markdown(f"- {line}")
    contributions = [figures.weights[name] * row[f"z_{name}"] for name in COMPONENTS]
    fig = go.Figure(go.Bar(
        x=contributions, y=[COMPONENT_LABELS[name] for name in COMPONENTS], orientation="h",
        marker_color=["#2e7d32" if value >= 0 else "#c62828" for value in contributions],
        text=[fmt_number(value, 2) for value in contributions], textposition="outside",
        hovertemplate="%{y}: вклад %{text}<extra></extra>",
    ))
    fig.update_layout(
        title=f"Из чего складывается балл наставника {row['mentor_code']}?",
        xaxis_title="Вклад в балл (вес × z-оценка; 0 — как у среднего наставника)",
        yaxis={"autorange": "reversed"}, height=260,
    )
    st.plotly_chart(fig, width="stretch", key=f"rating_card_chart_{row['mentor_code']}")


st.subheader("Карточки наставников")
everyone = pd.concat([ranked, figures.flagged], ignore_index=True)
if st.toggle("Показать карточки всех наставников подряд", key="rating_all_cards"):
    for _, mentor in everyone.iterrows():
        with st.container(border=True):
            place = ("без места: " + FLAG_LABELS.get(mentor["flag"], "мало данных")
                     if mentor["flag"] else f"место {fmt_int(mentor['rank'])}")
            st.markdown(f"**{mentor['mentor_code']} {names.get(mentor['mentor_code'], '')}** — {place}")
            render_card(mentor)
else:
    code = st.selectbox("Наставник", list(everyone["mentor_code"]), key="rating_mentor",
                        placeholder="Выберите наставника",
                        format_func=lambda c: f"{c} {names.get(c, '')}".strip())
    render_card(everyone.loc[everyone["mentor_code"] == code].iloc[0])

with st.expander("Как считается рейтинг"):
    st.markdown(
        "- **Прирост компетенций** — среднее по наставляемым изменения «после» минус «до» "
        "(в процентах от максимального балла, среднее по областям, оценённым на обоих этапах).\n"
        "- **Удовлетворённость** — средний балл анкеты наставляемых в процентах шкалы.\n"
        "- **Активность** — встречи и часы мероприятий в группах наставника (среднее двух z-оценок).\n"
        "- **Продукты** — учебные материалы, цифровые ресурсы, конкурсы, открытые уроки, проекты "
        "и персональные сайты наставника и его наставляемых.\n"
        "- Прирост и удовлетворённость по немногим наставляемым ненадёжны, поэтому они "
        "«стягиваются» к общему среднему тем сильнее, чем меньше наставляемых (эмпирический "
        "байесовский подход). Интервалы получены 1000 случайными розыгрышами в пределах этой "
        "неточности."
    )
