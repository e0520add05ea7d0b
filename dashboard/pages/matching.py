"""«Формирование пар»: propose mentoring pairs and groups, explain them and save the accepted ones."""

import datetime as dt

import pandas as pd
import streamlit as st
from sqlmodel import Session

from analysis.matching import DEFAULT_WEIGHTS
from dashboard import data, state
from dashboard.ui import MODEL_LABELS, fmt_int, fmt_number
from db.errors import DataError
from db.planning import PlanningError, save_groups
from db.registers import default_school_id
from reports.diagnostics import matching_inputs, propose_matching, question_options

st.title("Формирование наставнических пар и групп")
st.caption(
    "Оценка пары складывается из трёх частей: дополняют ли друг друга компетенции (наставник силён "
    "там, где наставляемому нужна помощь), общие интересы и предмет, совпадение предпочтений по "
    "формату, времени и стилю общения. Веса частей можно менять."
)


@st.cache_data(show_spinner=False)
def _options(engine_url: str) -> dict[str, list[str]]:
    # The URL is only the cache key: options are read per database.
    return question_options(data.engine())


frames = data.frames()
exclude_grouped = st.checkbox("Не предлагать наставляемых, которые уже в открытых группах",
                              value=True, key="match_exclude_grouped")
inputs = matching_inputs(frames, options=_options(str(data.engine().url)),
                         exclude_grouped=exclude_grouped)
if not inputs.mentor_codes or not inputs.mentee_codes:
    st.info("Нет наставников или свободных наставляемых: загрузите список участников с ролями.")
    st.stop()

with st.expander("Веса и ограничения", expanded=True):
    cols = st.columns(3)
    weights = {
        "complementarity": cols[0].slider("Дополнение компетенций", 0.0, 1.0,
                                          DEFAULT_WEIGHTS["complementarity"], 0.05, key="w_compl"),
        "interests": cols[1].slider("Общие интересы и предмет", 0.0, 1.0,
                                    DEFAULT_WEIGHTS["interests"], 0.05, key="w_interests"),
        "compatibility": cols[2].slider("Совместимость предпочтений", 0.0, 1.0,
                                        DEFAULT_WEIGHTS["compatibility"], 0.05, key="w_compat"),
    }
    if sum(weights.values()) == 0:
        st.error("Хотя бы один вес должен быть больше нуля.")
        st.stop()
    cols = st.columns(3)
    mode = cols[0].radio(
        "Цель подбора", ["max_total", "everyone"], key="match_mode",
        format_func={"max_total": "наибольшая общая оценка",
                     "everyone": "распределить всех, кого можно"}.get,
        help="«Наибольшая общая оценка» не создаёт пары с оценкой ниже порога, поэтому часть "
             "наставляемых может остаться без пары.",
    )
    floor = cols[1].slider("Порог оценки пары (из 100)", 0, 100, 30, key="match_floor") / 100
    capacity_each = cols[2].number_input("Наставляемых на одного наставника", 1, 10, 3,
                                         key="match_capacity")
    subject_rule = st.selectbox(
        "Предмет наставника и наставляемого", [None, "same", "different"], key="match_subject",
        format_func={None: "не важно", "same": "один и тот же", "different": "разные"}.get,
    )
    # TODO: a school with hundreds of mentors gets tens of thousands of options here;
    # choosing the mentor first and then the mentee would scale better.
    pair_labels = [f"{m} → {e}" for m in inputs.mentor_codes for e in inputs.mentee_codes if m != e]
    locked_labels = st.multiselect("Закрепить пары (наставник → наставляемый)", pair_labels,
                                   key="match_locked", placeholder="Выберите пары")
    forbidden_labels = st.multiselect("Запретить пары", pair_labels, key="match_forbidden",
                                       placeholder="Выберите пары")


def _pairs(labels: list[str]) -> list[tuple[str, str]]:
    return [tuple(label.split(" → ")) for label in labels]


with st.expander("Места у каждого наставника", expanded=False):
    edited = st.data_editor(
        pd.DataFrame({"Наставник": inputs.mentor_codes, "Мест": int(capacity_each)}),
        disabled=["Наставник"], hide_index=True, key="match_capacity_table",
        column_config={"Мест": st.column_config.NumberColumn(min_value=0, max_value=20, step=1)},
    )
capacity = dict(zip(edited["Наставник"], edited["Мест"].fillna(0).astype(int), strict=True))
try:
    proposal = propose_matching(
        inputs, capacity=capacity, weights=weights, mode=mode, floor=floor,
        subject_rule=subject_rule, locked=_pairs(locked_labels), forbidden=_pairs(forbidden_labels),
    )
except ValueError as error:
    st.error(f"Подбор невозможен с этими закреплениями: {error}")
    st.stop()

weights_text = ", ".join(f"{name} — {fmt_number(w * 100, 0)} %" for name, w in (
    ("компетенции", proposal.weights["complementarity"]),
    ("интересы", proposal.weights["interests"]),
    ("предпочтения", proposal.weights["compatibility"])))
st.caption(f"Веса после приведения к сумме 100 %: {weights_text}.")

chosen = proposal.chosen
cols = st.columns(3)
cols[0].metric("Предложено пар", fmt_int(len(chosen)))
cols[1].metric("Групп (наставников)", fmt_int(chosen["mentor_code"].nunique()))
cols[2].metric("Без пары", fmt_int(len(proposal.unmatched)))
if not chosen.empty:
    st.write(
        f"Средняя оценка предложенной пары — {fmt_number(chosen['score'].mean() * 100, 0)} из 100: "
        "чем ближе к 100, тем лучше наставник закрывает потребности наставляемого и тем больше у них "
        "общего. Под таблицей — почему выбрана каждая пара."
    )
    table = pd.DataFrame({
        "Группа": chosen["group_code"],
        "Наставник": chosen["mentor_code"],
        "Наставляемый": chosen["mentee_code"],
        "Оценка": (chosen["score"] * 100).map(lambda v: fmt_number(v, 0)),
        "Компетенции": (chosen["complementarity"] * 100).map(lambda v: fmt_number(v, 0)),
        "Интересы": (chosen["interests"] * 100).map(lambda v: fmt_number(v, 0)),
        "Предпочтения": (chosen["compatibility"] * 100).map(lambda v: fmt_number(v, 0)),
        "Закреплена": chosen["locked"].map({True: "да", False: "нет"}),
        "Почему": chosen["reason"],
    })
    st.dataframe(table, hide_index=True, width="stretch")
if not proposal.unmatched.empty:
    st.markdown("**Остались без пары**")
    st.dataframe(proposal.unmatched.rename(columns={"code": "Наставляемый", "reason": "Причина"}),
                 hide_index=True, width="stretch")

st.subheader("Сохранить предложение как группы")
if not state.can_edit():
    st.info("Сохранять группы может только проектная группа.")
elif chosen.empty:
    st.info("Сохранять нечего: ни одной пары не предложено.")
else:
    cols = st.columns(3)
    model = cols[0].selectbox("Модель наставничества", ["digital", "traditional"],
                              format_func=MODEL_LABELS.get, key="match_model")
    started_on = cols[1].date_input("Дата начала", value=dt.date.today(), format="DD.MM.YYYY",
                                    key="match_started_on")
    prefix = cols[2].text_input("Префикс кода группы", value="G-", key="match_prefix")
    if st.button("Сохранить группы", key="match_save", type="primary"):
        groups = chosen[["mentor_code", "mentee_code"]].assign(
            group_code=prefix + chosen["mentor_code"].astype(str))
        try:
            with Session(data.engine()) as session:
                school_id = default_school_id(session)
                if school_id is None:
                    raise PlanningError("В базе нет школы: сначала загрузите участников.")
                save_groups(session, groups, school_id=school_id, model=model,
                            started_on=started_on)
                session.commit()
        except DataError as error:
            st.error(str(error))
        else:
            data.refresh()
            st.success(f"Сохранено групп: {fmt_int(groups['group_code'].nunique())}.")
