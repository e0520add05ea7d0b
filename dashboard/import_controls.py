"""Interactive parts of the «Данные» page: preview pickers, form mappings, duplicate rule, review list."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from dashboard.ui import fmt_date
from db.errors import DataError
from db.importing.answers import DUPLICATE_RULES, duplicate_rule, save_duplicate_rule
from db.importing.forms import has_respondent_column
from db.importing.mappings import QUESTION_PREFIX, save_mapping
from db.importing.preview import Preview
from db.importing.reading import HEADER_SEARCH_ROWS
from db.importing.templates import KIND_TITLES, KINDS, detect_kind
from db.importing.validate import STAGE_SCORE_PREFIX, field_specs
from db.importing.review import pending_reviews, resolve_review, review_candidates
from db.importing.scales import load_dictionary

AUTO = "auto"
ROLE_LABELS = {
    "timestamp": "Время ответа",
    "email": "E-mail",
    "full_name": "ФИО",
    "code": "Код участника",
    "ignore": "Не загружать",
    "question": "Вопрос (текст заголовка)",
}
RULE_LABELS = {
    "latest": "Учитывать последний ответ (по умолчанию)",
    "first": "Учитывать первый ответ",
}
REASON_LABELS = {
    "not_found": "не найден среди участников",
    "ambiguous": "подходит нескольким участникам (однофамильцы)",
    "namesake": "совпадает по ФИО с другим респондентом, у которого другой адрес",
}
NEW_PARTICIPANT = -1
ROLE_CHOICES = {"mentee": "наставляемый", "mentor": "наставник", "both": "наставник и наставляемый"}
REVIEWS_SHOWN = 20
IGNORE = "ignore"
IGNORE_LABEL = "не загружать"
FORM = "form"
# Session state key of {upload label: owner id of the upload that had the label in the last run}.
LABEL_OWNERS_KEY = "upload_label_owners"
# Per-file widget keys that are exactly prefix + label.
LABEL_KEY_PREFIXES = ("kind_", "sheet_", "header_", "questionnaire_", "anonymous_",
                      "accept_repaired_", "save_mapping_", "import_")
# Per-file widget keys that continue prefix + label with "_<kind>__<field>" (map_, set_)
# or "_<questionnaire>::<column>" (formmap_).
NESTED_LABEL_KEY_PREFIXES = ("map_", "set_", "formmap_")


def _map_prefix(name: str, kind: str) -> str:
    return f"map_{name}_{kind}__"


def _set_prefix(name: str, kind: str) -> str:
    return f"set_{name}_{kind}__"


def upload_owner(upload) -> str:
    """Return an id of one uploaded file: Streamlit's `file_id`, else its name, size and SHA-256."""
    file_id = getattr(upload, "file_id", None)
    if file_id:
        return str(file_id)
    content = upload.getvalue()
    return f"{upload.name}|{len(content)}|{hashlib.sha256(content).hexdigest()}"


def is_label_key(key: str, label: str) -> bool:
    """Return whether session state `key` is a per-file widget key of the upload labelled `label`.

    The label must match whole, so the keys of «a.csv (2)» never count as keys of «a.csv».
    """
    if any(key == prefix + label for prefix in LABEL_KEY_PREFIXES):
        return True
    for prefix in NESTED_LABEL_KEY_PREFIXES:
        if not key.startswith(prefix + label + "_"):
            continue
        rest = key[len(prefix + label):]
        if prefix == "formmap_":
            if "::" in rest:
                return True
        elif any(rest.startswith(f"_{kind}__") for kind in KINDS):
            return True
    return False


def reset_reassigned_labels(uploads: list, labels: list[str]) -> None:
    """Delete the widget state of each label that another upload had in the last run.

    Labels follow upload order, so removing the first of two files with one
    name gives the bare label to the second. Its widgets must not inherit the
    settings (header rows, anonymous tick) made for the removed file. Call
    this before any per-file widget is drawn.
    """
    previous = st.session_state.get(LABEL_OWNERS_KEY, {})
    current = {label: upload_owner(upload) for upload, label in zip(uploads, labels, strict=True)}
    for label, owner in current.items():
        if previous.get(label, owner) == owner:
            continue
        stale = [key for key in list(st.session_state.keys())
                 if isinstance(key, str) and is_label_key(key, label)]
        for key in stale:
            del st.session_state[key]
    st.session_state[LABEL_OWNERS_KEY] = current


def template_choice(name: str) -> dict:
    """Return the kind, column mapping and values for all rows the user picked for file `name`.

    The widgets of `render_template_mapping` keep their values in the session
    state, so the preview of the next run is computed with them. Nothing picked
    yet gives {"kind": None, "mapping": None, "defaults": None}: detection decides.
    A picked form export gives kind "form" with no mapping: its roles come from
    `render_form_mapping`.
    """
    kind = st.session_state.get(f"kind_{name}")
    if kind == FORM:
        return {"kind": FORM, "mapping": None, "defaults": None}
    if kind not in KINDS:
        return {"kind": None, "mapping": None, "defaults": None}
    map_prefix, set_prefix = _map_prefix(name, kind), _set_prefix(name, kind)
    mapping = {key[len(map_prefix):]: value for key, value in st.session_state.items()
               if isinstance(key, str) and key.startswith(map_prefix)}
    defaults = {key[len(set_prefix):]: value for key, value in st.session_state.items()
                if isinstance(key, str) and key.startswith(set_prefix)
                and value is not None and str(value).strip() != ""}
    return {"kind": kind, "mapping": mapping or None, "defaults": defaults or None}


def _missing_required(kind: str, mapped: set[str]) -> list[str]:
    """Required fields of `kind` that no column supplies (name and stage scores count as supplying)."""
    supplied = set(mapped)
    if "full_name" in supplied:
        supplied.add("code")
    if any(key.startswith(STAGE_SCORE_PREFIX) for key in supplied):
        supplied |= {"score", "stage"}
    return [key for key, spec in field_specs(kind).items() if spec.required and key not in supplied]


def render_template_mapping(preview: Preview, name: str, editable: bool) -> str | None:
    """Let the user choose the kind, map each column to a field and fill required fields.

    Returns the chosen kind, or None while none is chosen. The choices are
    read back by `template_choice` for the preview and the import. A file
    that matches no template may also be a form export whose headers were not
    recognised (a typed paper survey, a «Дата» column): for "form" no columns
    are mapped here, the caller shows `render_form_mapping` instead.
    """
    # Offer "form" by what the headers match, not by the kind picked, so the options stay the same.
    kinds = KINDS if detect_kind(preview.columns)[0] in KINDS else (*KINDS, FORM)
    recognised = preview.kind in kinds
    with st.expander("Вид данных и сопоставление столбцов", expanded=not recognised):
        if not recognised:
            st.info("Вид данных по заголовкам не распознан. Выберите, что в файле. Для шаблона "
                    "укажите, какому полю соответствует каждый столбец. Выгрузку формы или "
                    "перенесённые в таблицу бумажные анкеты (одна строка на респондента) "
                    "загружайте как «Выгрузка формы».")
        kind = st.selectbox(
            "Что в файле", kinds, key=f"kind_{name}", format_func=KIND_TITLES.get,
            index=kinds.index(preview.kind) if recognised else None,
            placeholder="выберите вид данных", disabled=not editable)
        if kind is None or kind == FORM:
            return kind
        specs = field_specs(kind)
        options = [IGNORE, *specs]
        labels = {IGNORE: IGNORE_LABEL, **{key: spec.label + (" *" if spec.required else "")
                                          for key, spec in specs.items()}}
        st.caption("Поля со звёздочкой обязательны. «ФИО» находит участника, когда в файле нет "
                   "кода: по полному ФИО или фамилии с инициалами; однофамильцы не угадываются. "
                   "Если в строке баллы нескольких этапов, назначьте столбцам «Балл (до)», "
                   "«Балл (после)» и т. д.: каждая строка станет оценками по этапам.")
        prefix = _map_prefix(name, kind)
        cols = st.columns(2)
        mapped = set()
        for position, column in enumerate(preview.columns):
            guess = preview.mapping.get(column, IGNORE) if preview.kind == kind else IGNORE
            chosen = cols[position % 2].selectbox(
                f"Столбец «{column}»", options, key=prefix + column, format_func=labels.get,
                index=options.index(guess) if guess in options else 0, disabled=not editable)
            if chosen != IGNORE:
                mapped.add(chosen)
        _render_defaults(name, kind, specs, _missing_required(kind, mapped), editable)
    return kind


def _render_defaults(name: str, kind: str, specs: dict, missing: list[str], editable: bool) -> None:
    """Inputs for required fields that no column supplies: one value for every row."""
    if not missing:
        return
    st.markdown("**Значения для всех строк** (в файле нет этих столбцов)")
    prefix = _set_prefix(name, kind)
    for key in missing:
        spec = specs[key]
        label = f"{spec.label}: {spec.description}"
        if spec.type == "enum":
            choices = list(dict.fromkeys(spec.values))
            st.selectbox(label, choices, key=prefix + key, index=None, placeholder="выберите значение",
                         disabled=not editable)
        elif spec.type == "number":
            st.number_input(label, key=prefix + key, value=None, min_value=0.0, disabled=not editable)
        else:
            hint = "ДД.ММ.ГГГГ" if spec.type in ("date", "datetime") else ""
            st.text_input(label, key=prefix + key, placeholder=hint, disabled=not editable)


def reading_options(name: str) -> dict:
    """Return the sheet and header rows the user picked for file `name` (see `render_pickers`)."""
    sheet = st.session_state.get(f"sheet_{name}")
    header = st.session_state.get(f"header_{name}", AUTO)
    if header in (None, AUTO):
        return {"sheet": sheet, "header_row": None, "header_depth": 1}
    first, _, last = str(header).partition("-")
    return {"sheet": sheet, "header_row": int(first), "header_depth": 2 if last else 1}


def _header_label(option: str) -> str:
    if option == AUTO:
        return "определить автоматически"
    first, _, last = option.partition("-")
    return f"строки {first}–{last}" if last else f"строка {first}"


def render_pickers(preview: Preview, name: str) -> None:
    """Selectboxes for the sheet and the header row(s); a change re-runs the preview with them."""
    cols = st.columns(2)
    if preview.file_format == "xlsx":
        cols[0].selectbox("Лист", preview.sheet_names, key=f"sheet_{name}",
                          index=preview.sheet_names.index(preview.sheet) if preview.sheet in
                          preview.sheet_names else 0)
    # The same rows the reader searches for a header on its own.
    options = [AUTO] + [str(row) for row in range(1, HEADER_SEARCH_ROWS + 1)]
    if preview.file_format == "xlsx":
        options += [f"{row}-{row + 1}" for row in range(1, HEADER_SEARCH_ROWS)]
    cols[1].selectbox("Строки заголовка", options, key=f"header_{name}", format_func=_header_label,
                      help="Где в таблице названия столбцов. Над ними могут быть строки с названием таблицы.")


def render_mojibake(preview: Preview, name: str) -> bool:
    """Show the repaired sample and return whether the user accepted the repair."""
    if preview.mojibake == "unrepairable":
        st.error("Текст файла испорчен перекодировкой и не восстанавливается. Сохраните исходный "
                 "файл в UTF-8 и загрузите снова; этот файл загружен не будет.")
        return False
    if preview.mojibake != "repaired":
        return False
    st.warning("Текст файла испорчен перекодировкой («кракозябры»). Сравните первые строки до и "
               "после исправления. Без подтверждения файл не будет загружен.")
    st.dataframe(pd.DataFrame(preview.mojibake_sample, columns=["В файле", "После исправления"]),
                 hide_index=True)
    return st.checkbox("Исправление верное: загрузить исправленный текст", key=f"accept_repaired_{name}")


def _role_label(role: str) -> str:
    if role.startswith(QUESTION_PREFIX):
        return f"Вопрос анкеты: {role[len(QUESTION_PREFIX):]}"
    return ROLE_LABELS.get(role, role)


def render_form_mapping(engine: Engine, preview: Preview, name: str, editable: bool) -> tuple[dict, str | None]:
    """Let the user pick each form column's role; return (roles, questionnaire key).

    The roles come from the saved mapping when one fits, otherwise from the
    header names. «Сохранить сопоставление» stores them for the next export.
    """
    with engine.connect() as conn:
        dictionary = load_dictionary(conn)
    keys = list(dictionary)
    questionnaire = preview.questionnaire
    st.markdown("**Сопоставление столбцов формы**")
    if keys:
        questionnaire = st.selectbox(
            "Анкета", keys, key=f"questionnaire_{name}",
            index=keys.index(questionnaire) if questionnaire in keys else 0,
            format_func=lambda key: f"{dictionary[key].title} ({key})")
    guessed = dict(preview.mapping)
    options = list(ROLE_LABELS)
    if questionnaire in dictionary:
        options += [f"{QUESTION_PREFIX}{q.text}" for q in dictionary[questionnaire].questions.values()]
    options += [role for role in guessed.values() if role not in options]
    st.caption("Для каждого столбца выберите, что в нём: время ответа, e-mail, ФИО или код "
               "участника, вопрос анкеты или «Не загружать».")
    cols = st.columns(2)
    roles = {}
    for position, (column, guess) in enumerate(guessed.items()):
        # The questionnaire is part of the key: its questions are the options.
        roles[column] = cols[position % 2].selectbox(
            f"Столбец «{column}»", options, key=f"formmap_{name}_{questionnaire}::{column}",
            index=options.index(guess), format_func=_role_label, disabled=not editable)
    if editable and questionnaire and st.button("Сохранить сопоставление", key=f"save_mapping_{name}"):
        with engine.begin() as conn:
            saved = save_mapping(conn, questionnaire, roles)
        st.success(f"Сопоставление «{saved}» сохранено: следующая выгрузка этой формы "
                   "будет разобрана так же, даже если столбцы переставят или переименуют.")
    return roles, questionnaire


def render_anonymous(roles: dict[str, str], name: str) -> bool:
    """For a form with no code, e-mail or name column: ask whether it is an anonymous questionnaire.

    Returns True when the answers may be imported (someone can be identified,
    or the user confirmed that the questionnaire is anonymous).
    """
    if has_respondent_column(roles):
        return True
    st.warning("В выгрузке нет столбца, по которому можно узнать респондента (код, e-mail или "
               "ФИО). Если такой столбец есть, назначьте его выше. Если анкета анонимная, "
               "ответы можно загрузить без связи с педагогами: они сохранятся и будут учтены "
               "в журнале, но не войдут в сводки по участникам, группам и моделям.")
    return st.checkbox("Анонимная анкета: загрузить ответы без связи с педагогами",
                       key=f"anonymous_{name}")


def render_duplicate_rule(engine: Engine, editable: bool) -> None:
    """State the duplicate rule and let the project group choose which changed answer counts."""
    st.write(
        "Одинаковая повторная отправка анкеты (те же ответы того же участника) загружается один "
        "раз, повтор отмечается в отчёте. Если участник отправил анкету снова с другими ответами, "
        "сохраняются обе отправки: одна учитывается в показателях, другая остаётся в истории."
    )
    with engine.connect() as conn:
        current = duplicate_rule(conn)
    if not editable:
        st.caption(f"Сейчас: {RULE_LABELS[current].lower()}.")
        return
    chosen = st.radio("Какой ответ учитывать", DUPLICATE_RULES, index=DUPLICATE_RULES.index(current),
                      format_func=RULE_LABELS.get, key="duplicate_rule", horizontal=True)
    if chosen != current and st.button("Сохранить правило", key="save_duplicate_rule"):
        with engine.begin() as conn:
            save_duplicate_rule(conn, chosen)
        st.success(f"Правило сохранено: {RULE_LABELS[chosen].lower()}. Уже загруженные ответы "
                   "пересчитаны по нему.")


def _candidate_label(candidates: pd.DataFrame, participant_id: int) -> str:
    if participant_id == NEW_PARTICIPANT:
        return "Создать нового участника"
    row = candidates.loc[candidates["participant_id"] == participant_id].iloc[0]
    details = ", ".join(str(v) for v in (row["email"], row["subject"]) if v and not pd.isna(v))
    return f"{row['code']} — {row['full_name']}" + (f" ({details})" if details else "")


def render_reviews(engine: Engine, editable: bool) -> bool:
    """List the respondents awaiting review; return True when one was resolved in this run."""
    pending = pending_reviews(engine)
    if pending.empty:
        st.info("Все респонденты сопоставлены с участниками.")
        return False
    st.write(f"Ответов ждут проверки: {len(pending)}. Однофамильцы никогда не объединяются "
             "автоматически: выберите участника или создайте нового.")
    resolved = False
    for review in pending.head(REVIEWS_SHOWN).itertuples(index=False):
        with st.container(border=True):
            who = review.full_name or review.email or review.code or "без имени"
            contact = f", {review.email}" if review.email and review.full_name else ""
            st.markdown(f"**{who}**{contact} — анкета «{review.questionnaire_key}», ответ от "
                        f"{fmt_date(review.answered_at)}: {REASON_LABELS.get(review.reason, review.reason)}.")
            if editable:
                resolved |= _render_review_choice(engine, review)
    if len(pending) > REVIEWS_SHOWN:
        st.caption(f"Показаны первые {REVIEWS_SHOWN}; остальные появятся после проверки этих.")
    return resolved


def _render_review_choice(engine: Engine, review) -> bool:
    review_id = int(review.review_id)
    candidates = review_candidates(engine, review_id)
    options = candidates["participant_id"].astype(int).tolist() + [NEW_PARTICIPANT]
    choice = st.selectbox("Кто это", options, key=f"review_pick_{review_id}",
                          format_func=lambda pid: _candidate_label(candidates, pid))
    new_participant = None
    if choice == NEW_PARTICIPANT:
        cols = st.columns(3)
        new_participant = {
            "code": cols[0].text_input("Код", key=f"review_code_{review_id}"),
            "full_name": cols[1].text_input("ФИО", value=review.full_name or "", key=f"review_name_{review_id}"),
            "role": cols[2].selectbox("Роль", list(ROLE_CHOICES), format_func=ROLE_CHOICES.get,
                                      key=f"review_role_{review_id}"),
        }
    if not st.button("Сопоставить", key=f"review_link_{review_id}"):
        return False
    try:
        resolution = resolve_review(
            engine, review_id, participant_id=None if new_participant else int(choice),
            new_participant=new_participant)
    except DataError as error:
        st.error(str(error))
        return False
    written = "ответы записаны" if resolution.written else "такие же ответы уже были, повтор не записан"
    st.success(f"Респондент сопоставлен с участником {resolution.participant_code}: {written}.")
    return True
