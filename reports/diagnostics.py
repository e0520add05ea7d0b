"""Figures of the «Диагностика» and «Формирование пар» pages, with plain-Russian readings.

The question texts below are those of the school's diagnostic form; a form
with other wording is read by passing other texts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from analysis import diagnostics, matching
from analysis.plain_language import format_number, plural
from db.importing.scales import load_dictionary
from reports.frames import Frames

logger = logging.getLogger(__name__)

HELP_QUESTION = "Какая помощь вам нужна?"
PROFILE_QUESTIONS = {
    "interests": "Какие темы вам интересны?",
    "format": "В каком формате вам удобнее получать помощь?",
    "schedule": "Когда вам удобно встречаться с наставником?",
    "style": "Какой стиль взаимодействия вам ближе?",
}
DIMENSION_LABELS = {
    "overall": "Все педагоги",
    "service": "Сервис",
    "subject": "Предмет",
    "experience_band": "Стаж, лет",
}
MENTOR_ROLES = ("mentor", "both")
MENTEE_ROLES = ("mentee", "both")
DEFAULT_CAPACITY = diagnostics.DEFAULT_MENTEES_PER_MENTOR


def percent_text(share: float) -> str:
    """Format a share between 0 and 1 as Russian percent text, e.g. «70,6 %»."""
    return f"{format_number(share * 100)}\u00a0%"


def share_reading(row: Mapping) -> str:
    """Read one row of `analysis.diagnostics.difficulty_shares` in plain Russian."""
    text = (
        f"Затруднения отметили {int(row['n_difficulty'])} из {int(row['n'])} ответивших "
        f"({percent_text(row['share'])}); с вероятностью 95 % доля среди всех таких педагогов "
        f"лежит между {percent_text(row['ci_low'])} и {percent_text(row['ci_high'])}."
    )
    if row["few_observations"]:
        text += " Ответов мало, поэтому доля неточна: не сравнивайте её с другими группами."
    return text



def need_reading(row: Mapping) -> str:
    """Read one row of `analysis.diagnostics.mentor_need` in plain Russian."""
    if row["n_need"] == 0:
        return "Никому из оценённых педагогов не нужна помощь в этой области."
    n_need = int(row["n_need"])
    n_strong = int(row["n_strong"])
    text = (
        f"Помощь нужна {n_need} {plural(n_need, 'педагогу', 'педагогам', 'педагогам')}; "
        f"сильных в этой области педагогов: {n_strong}, они могут взять до "
        f"{int(row['capacity'])} наставляемых."
    )
    if row["shortfall"] > 0:
        missing = int(row["mentors_missing"])
        text += (
            f" Без наставника останется наставляемых: {int(row['shortfall'])}; не хватает "
            f"{missing} {plural(missing, 'наставника', 'наставников', 'наставников')}."
        )
    else:
        text += " Наставников хватает."
    return text


@dataclass(frozen=True)
class DiagnosticsFigures:
    shares: pd.DataFrame  # difficulty_shares plus dimension_label and reading
    overall: pd.Series | None  # the "overall" row of shares, if any answers
    help_counts: pd.DataFrame  # choice_counts of HELP_QUESTION plus reading
    format_counts: pd.DataFrame  # choice_counts of the preferred format plus reading
    matrix: pd.DataFrame  # competence_matrix
    need: pd.DataFrame  # mentor_need plus reading


def question_options(bind: Engine | Connection, questionnaire: str = "diagnostic") -> dict[str, list[str]]:
    """Return the known options of each multi-choice question of a questionnaire, by text."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            dictionary = load_dictionary(conn)
    else:
        dictionary = load_dictionary(bind)
    info = dictionary.get(questionnaire)
    if info is None:
        return {}
    return {q.text: q.options for q in info.questions.values() if q.options}


def _counts_with_reading(
    answers: pd.DataFrame, question: str, options: Mapping[str, list[str]]
) -> pd.DataFrame:
    counts = diagnostics.choice_counts(answers, question, options=options.get(question))
    counts["reading"] = [
        f"Выбрали {int(n)} из {int(total)} ответивших ({percent_text(share)})."
        for n, total, share in zip(counts["n"], counts["n_respondents"], counts["share"], strict=True)
    ]
    return counts


def diagnostics_figures(
    frames: Frames,
    *,
    options: Mapping[str, list[str]] | None = None,
    need_threshold: float = diagnostics.DEFAULT_NEED_THRESHOLD,
    strong_threshold: float = diagnostics.DEFAULT_STRONG_THRESHOLD,
    mentees_per_mentor: int = DEFAULT_CAPACITY,
    sort_by: str | None = "mean",
) -> DiagnosticsFigures:
    """Compute every figure of the «Диагностика» page from one read of the database."""
    options = options or {}
    shares = diagnostics.difficulty_shares(frames.answers, frames.participants)
    shares["dimension_label"] = shares["dimension"].map(DIMENSION_LABELS)
    shares["reading"] = [share_reading(row) for row in shares.to_dict("records")]
    overall = shares[shares["dimension"] == "overall"]
    matrix = diagnostics.competence_matrix(frames.assessments, sort_by=None)
    if sort_by is not None and sort_by in matrix.columns:
        matrix = diagnostics.competence_matrix(frames.assessments, sort_by=sort_by)
    need = diagnostics.mentor_need(
        frames.assessments,
        need_threshold=need_threshold,
        strong_threshold=strong_threshold,
        mentees_per_mentor=mentees_per_mentor,
    )
    need["reading"] = [need_reading(row) for row in need.to_dict("records")]
    return DiagnosticsFigures(
        shares=shares,
        overall=overall.iloc[0] if not overall.empty else None,
        help_counts=_counts_with_reading(frames.answers, HELP_QUESTION, options),
        format_counts=_counts_with_reading(frames.answers, PROFILE_QUESTIONS["format"], options),
        matrix=matrix,
        need=need,
    )


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingInputs:
    competence: pd.DataFrame
    profiles: pd.DataFrame
    mentor_codes: list[str]
    mentee_codes: list[str]


@dataclass(frozen=True)
class MatchingProposal:
    weights: dict[str, float]  # normalised weights actually used
    pairs: pd.DataFrame  # every candidate pair (score_pairs)
    chosen: pd.DataFrame  # chosen pairs with components, explanations and group_code
    unmatched: pd.DataFrame  # code, reason (Russian)
    total_score: float


def matching_inputs(
    frames: Frames,
    *,
    options: Mapping[str, list[str]] | None = None,
    exclude_grouped: bool = True,
) -> MatchingInputs:
    """Collect competence scores, profiles and the two candidate lists for matching.

    With ``exclude_grouped``, mentees who are already in an open group are
    not candidates.
    """
    options = options or {}
    participants = frames.participants
    competence = diagnostics.competence_matrix(frames.assessments, sort_by=None)
    field_options = {name: options.get(text) for name, text in PROFILE_QUESTIONS.items()}
    profiles = diagnostics.respondent_profiles(
        frames.answers,
        participants,
        PROFILE_QUESTIONS,
        options={k: v for k, v in field_options.items() if v},
    )
    mentors = participants.loc[participants["role"].isin(MENTOR_ROLES), "code"].astype(str)
    mentees = participants.loc[participants["role"].isin(MENTEE_ROLES), "code"].astype(str)
    if exclude_grouped and not frames.groups.empty:
        open_groups = frames.groups[frames.groups["ended_on"].isna()]
        mentees = mentees[~mentees.isin(set(open_groups["mentee_code"].astype(str)))]
    return MatchingInputs(competence, profiles, sorted(mentors), sorted(mentees))


def propose_matching(
    inputs: MatchingInputs,
    *,
    capacity: Mapping[str, int],
    weights: Mapping[str, float] | None = None,
    mode: str = "max_total",
    floor: float = 0.3,
    subject_rule: str | None = None,
    locked: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
    need_threshold: float = diagnostics.DEFAULT_NEED_THRESHOLD,
    strong_threshold: float = diagnostics.DEFAULT_STRONG_THRESHOLD,
    group_prefix: str = "G-",
) -> MatchingProposal:
    """Score every pair, choose the best assignment and explain each chosen pair."""
    used_weights = matching.normalize_weights(weights)
    pairs = matching.score_pairs(
        inputs.competence,
        inputs.profiles,
        inputs.mentor_codes,
        inputs.mentee_codes,
        weights=used_weights,
        need_threshold=need_threshold,
        strong_threshold=strong_threshold,
        subject_rule=subject_rule,
    )
    assigned = matching.assign_pairs(
        pairs, capacity, mode=mode, floor=floor, locked=locked, forbidden=forbidden
    )
    columns = ["mentor_code", "mentee_code", "complementarity", "interests", "compatibility"]
    chosen = assigned.merge(pairs[columns], on=["mentor_code", "mentee_code"], how="left")
    chosen = matching.explain_pairs(
        chosen,
        inputs.competence,
        inputs.profiles,
        need_threshold=need_threshold,
        strong_threshold=strong_threshold,
    )
    chosen.insert(0, "group_code", group_prefix + chosen["mentor_code"].astype(str))
    matched = set(chosen["mentee_code"])
    unmatched = [
        (code, _unmatched_reason(pairs[pairs["mentee_code"] == code], mode, floor, capacity))
        for code in inputs.mentee_codes
        if code not in matched
    ]
    return MatchingProposal(
        weights=used_weights,
        pairs=pairs,
        chosen=chosen,
        unmatched=pd.DataFrame(unmatched, columns=["code", "reason"]),
        total_score=float(chosen["score"].sum()),
    )


def _unmatched_reason(
    candidates: pd.DataFrame, mode: str, floor: float, capacity: Mapping[str, int]
) -> str:
    usable = candidates[candidates["allowed"] & candidates["mentor_code"].map(
        lambda m: capacity.get(m, 0) > 0)]
    if usable.empty:
        return "Нет допустимого наставника: проверьте ограничения по предмету и места у наставников."
    best = float(usable["score"].max())
    if mode == "max_total" and best < floor:
        return (
            f"Лучшая возможная пара набирает {format_number(best * 100)} из 100, "
            f"меньше порога {format_number(floor * 100)}."
        )
    return "Места у подходящих наставников заняты парами с более высокой общей оценкой."
