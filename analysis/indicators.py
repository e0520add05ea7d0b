"""The eleven monthly indicators of the school's innovation plan.

The plan («Показатели результативности проекта») lists eleven indicators to be
reported month by month over the school year. This module computes each of
them from the frames of ``db/queries.py`` (participants, groups, answers,
questions) and from the register frames defined here:

``resources``
    ``id, base`` (``internal``/``external``), ``title, type, area, url,
    author, added_on`` (datetime64).
``documents``
    ``id, title, kind`` (``normative``/``methodological``), ``required`` (bool),
    ``status`` (``draft``/``approved``), ``dated_on`` (datetime64, the approval
    date of an approved document), ``url``.
``roadmap``
    ``id, number`` (1-6), ``title, content, starts_on, ends_on`` (datetime64),
    ``status`` (``planned``/``in_progress``/``done``), ``planned_result, result``.
``confirmations``
    ``id, indicator, confirmed_on`` (datetime64), ``evidence, url``.
``targets``
    ``indicator, month`` (``YYYY-MM``), ``target``.

The counting rule of every indicator is stated once, in ``INDICATOR_SPECS``,
and the same text is shown in the app and in the report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.plain_language import plural
from analysis.satisfaction import respondent_scores

logger = logging.getLogger(__name__)

INDICATORS = (
    "model_described",
    "internal_resources_base",
    "external_resources_base",
    "platform",
    "platform_interface",
    "normative_documents_percent",
    "methodological_documents_percent",
    "participating_teachers_cumulative",
    "mentee_satisfaction_percent",
    "mentor_satisfaction_percent",
    "registered_participants_cumulative",
)
PRESENCE_INDICATORS = INDICATORS[:5]
STATUSES = ("met", "behind", "no_target", "no_data")

# Road-map stage numbers of the plan: stage 2 produces the theoretical model,
# stage 3 the adapted interface of the platform.
MODEL_STAGE_NUMBER = 2
INTERFACE_STAGE_NUMBER = 3

# Below this many respondents a satisfaction percentage is shown with a warning:
# one unhappy answer among four moves the index by up to 25 points.
MIN_RESPONDENTS = 5


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the plan: its key, Russian label, unit and counting rule."""

    key: str
    label: str
    unit: str
    kind: str  # presence | percent | count
    cumulative: bool
    rule: str


INDICATOR_SPECS: dict[str, IndicatorSpec] = {
    spec.key: spec
    for spec in (
        IndicatorSpec(
            "model_described",
            "Наличие модели цифрового наставничества",
            "да/нет",
            "presence",
            False,
            "1 с месяца, к концу которого есть подтверждение «модель описана» "
            "или этап 2 дорожной карты («Разработка модели») отмечен выполненным "
            "с датой окончания не позже конца месяца; иначе 0.",
        ),
        IndicatorSpec(
            "internal_resources_base",
            "Наличие базы внутренних ресурсов",
            "да/нет",
            "presence",
            False,
            "1 с месяца, к концу которого в базе внутренних ресурсов есть хотя бы "
            "заданное число ресурсов (по умолчанию 1) по дате добавления, "
            "или есть подтверждение; иначе 0.",
        ),
        IndicatorSpec(
            "external_resources_base",
            "Наличие базы внешних ресурсов",
            "да/нет",
            "presence",
            False,
            "1 с месяца, к концу которого в базе внешних ресурсов есть хотя бы "
            "заданное число ресурсов (по умолчанию 1) по дате добавления, "
            "или есть подтверждение; иначе 0.",
        ),
        IndicatorSpec(
            "platform",
            "Наличие платформы",
            "да/нет",
            "presence",
            False,
            "1 с месяца, к концу которого внесено подтверждение «платформа» "
            "(ссылка или документ); реестры сами наличие платформы не показывают.",
        ),
        IndicatorSpec(
            "platform_interface",
            "Наличие интерфейса оболочки платформы",
            "да/нет",
            "presence",
            False,
            "1 с месяца, к концу которого есть подтверждение «интерфейс» "
            "или этап 3 дорожной карты («Разработка интерфейсной части») "
            "отмечен выполненным с датой окончания не позже конца месяца; иначе 0.",
        ),
        IndicatorSpec(
            "normative_documents_percent",
            "Доля нормативно-правовой документации, %",
            "%",
            "percent",
            False,
            "Обязательные нормативные документы со статусом «утверждён» и датой "
            "не позже конца месяца, делённые на все обязательные нормативные "
            "документы реестра, × 100. Утверждённый документ без даты считается "
            "утверждённым с начала года.",
        ),
        IndicatorSpec(
            "methodological_documents_percent",
            "Доля учебно-методической документации, %",
            "%",
            "percent",
            False,
            "Обязательные методические документы со статусом «утверждён» и датой "
            "не позже конца месяца, делённые на все обязательные методические "
            "документы реестра, × 100.",
        ),
        IndicatorSpec(
            "participating_teachers_cumulative",
            "Количество педагогов-участников (нарастающим итогом), чел.",
            "чел.",
            "count",
            True,
            "Разные педагоги, которые состоят в паре или группе как наставник "
            "или наставляемый, начавшей работу не позже конца месяца.",
        ),
        IndicatorSpec(
            "mentee_satisfaction_percent",
            "Удовлетворённость наставляемых, %",
            "%",
            "percent",
            False,
            "Индекс удовлетворённости: последняя к концу месяца анкета каждого "
            "наставляемого; балл респондента — среднее по пунктам шкалы, "
            "индекс — среднее (балл − мин) / (макс − мин) × 100.",
        ),
        IndicatorSpec(
            "mentor_satisfaction_percent",
            "Удовлетворённость наставников, %",
            "%",
            "percent",
            False,
            "Индекс удовлетворённости наставников, считается так же, как у "
            "наставляемых, по анкете наставника.",
        ),
        IndicatorSpec(
            "registered_participants_cumulative",
            "Количество зарегистрированных участников (нарастающим итогом), чел.",
            "чел.",
            "count",
            True,
            "Участники с датой регистрации не позже конца месяца.",
        ),
    )
}

_SATISFACTION_QUESTIONNAIRES = {
    "mentee_satisfaction_percent": "mentee_satisfaction",
    "mentor_satisfaction_percent": "mentor_satisfaction",
}


def school_year_months(
    start_year: int, start_month: int = 9, n_months: int = 11
) -> pd.PeriodIndex:
    """Return the monthly periods of a school year.

    Parameters
    ----------
    start_year : int
        Calendar year of the first month (2024 for the 2024/25 school year).
    start_month : int, default 9
        First month, 1-12. The plan's year runs from September.
    n_months : int, default 11
        Number of months; 11 gives September to July.

    Returns
    -------
    pandas.PeriodIndex
        Monthly periods in order, named ``month``.
    """
    if not 1 <= start_month <= 12:
        raise ValueError(f"start_month must be 1-12, got {start_month!r}")
    if n_months < 1:
        raise ValueError(f"n_months must be at least 1, got {n_months!r}")
    first = pd.Period(year=start_year, month=start_month, freq="M")
    return pd.period_range(first, periods=n_months, freq="M", name="month")


def _month_ends(months: Iterable[pd.Period]) -> list[pd.Timestamp]:
    # The exclusive end: the first instant of the next month, so that a
    # timestamp at 23:59 on the last day still counts in its month.
    return [(month + 1).start_time for month in months]


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce")


def presence_indicators(
    months: Iterable[pd.Period],
    resources: pd.DataFrame,
    roadmap: pd.DataFrame,
    confirmations: pd.DataFrame,
    *,
    min_resources: int = 1,
) -> pd.DataFrame:
    """Compute the five yes/no indicators month by month.

    Parameters
    ----------
    months : iterable of pandas.Period
        Monthly periods to compute.
    resources : pandas.DataFrame
        Resource register: ``base`` and ``added_on`` are used.
    roadmap : pandas.DataFrame
        Road-map stages: ``number``, ``status``, ``ends_on``, ``title`` and
        ``result`` are used.
    confirmations : pandas.DataFrame
        ``indicator``, ``confirmed_on``, ``evidence`` and ``url``.
    min_resources : int, default 1
        Number of resources a base must hold to count as present.

    Returns
    -------
    pandas.DataFrame
        One row per month and indicator, with columns

        - ``month`` : str, ``YYYY-MM``
        - ``indicator`` : str, one of ``PRESENCE_INDICATORS``
        - ``value`` : float, 1.0 when present at the month's end, else 0.0
        - ``n`` : float, resources in the base for the two resource bases,
          NaN for the others
        - ``evidence`` : str, what made the value 1 (empty when 0)

    Notes
    -----
    The rules are those of ``INDICATOR_SPECS``: a confirmation dated by the
    month's end always makes the indicator present. Without one, the model and
    the interface are present once their road-map stage (2 and 3) has status
    ``done`` and an end date by the month's end; a resource base is present once
    it holds ``min_resources`` resources added by the month's end; the platform
    needs a confirmation, because no register records it. Rows with a missing
    date never count. The rule does not take anything back: a resource deleted
    from the register disappears from every month, including past ones.
    Checked against hand-counted registers in ``tests/analysis/test_indicators.py``.
    """
    if min_resources < 1:
        raise ValueError(f"min_resources must be at least 1, got {min_resources!r}")
    months = list(months)
    ends = _month_ends(months)
    added_on = _dates(resources, "added_on")
    confirmed_on = _dates(confirmations, "confirmed_on")
    stage_end = _dates(roadmap, "ends_on")
    rows = []
    for month, end in zip(months, ends, strict=True):
        for indicator in PRESENCE_INDICATORS:
            evidence = _confirmation_evidence(confirmations, confirmed_on, indicator, end)
            n = np.nan
            if indicator in ("internal_resources_base", "external_resources_base"):
                base = indicator.split("_", 1)[0]
                n = float(((resources["base"] == base) & (added_on < end)).sum())
                if not evidence and n >= min_resources:
                    evidence = (
                        f"в базе {int(n)} {plural(int(n), 'ресурс', 'ресурса', 'ресурсов')} "
                        "на конец месяца"
                    )
            elif not evidence and indicator != "platform":
                number = (
                    MODEL_STAGE_NUMBER
                    if indicator == "model_described"
                    else INTERFACE_STAGE_NUMBER
                )
                evidence = _stage_evidence(roadmap, stage_end, number, end)
            rows.append(
                {
                    "month": str(month),
                    "indicator": indicator,
                    "value": 1.0 if evidence else 0.0,
                    "n": n,
                    "evidence": evidence,
                }
            )
    return pd.DataFrame(rows, columns=["month", "indicator", "value", "n", "evidence"])


def _confirmation_evidence(
    confirmations: pd.DataFrame,
    confirmed_on: pd.Series,
    indicator: str,
    end: pd.Timestamp,
) -> str:
    mask = (confirmations["indicator"] == indicator) & (confirmed_on < end)
    if not mask.any():
        return ""
    first = confirmations[mask].assign(_on=confirmed_on[mask]).sort_values("_on").iloc[0]
    text = str(first["evidence"]).strip()
    url = first.get("url")
    if isinstance(url, str) and url.strip():
        text = f"{text} ({url.strip()})"
    return f"подтверждено {first['_on']:%d.%m.%Y}: {text}"


def _stage_evidence(
    roadmap: pd.DataFrame, stage_end: pd.Series, number: int, end: pd.Timestamp
) -> str:
    mask = (roadmap["number"] == number) & (roadmap["status"] == "done") & (stage_end < end)
    if not mask.any():
        return ""
    stage = roadmap[mask].iloc[0]
    result = stage.get("result")
    text = f"этап {number} дорожной карты выполнен ({stage['title']})"
    if isinstance(result, str) and result.strip():
        text = f"{text}: {result.strip()}"
    return text


def document_percent(
    months: Iterable[pd.Period], documents: pd.DataFrame, kind: str
) -> pd.DataFrame:
    """Compute the share of required documents of one kind approved by each month's end.

    Parameters
    ----------
    months : iterable of pandas.Period
        Monthly periods to compute.
    documents : pandas.DataFrame
        Document register: ``kind``, ``required``, ``status``, ``dated_on``.
    kind : {"normative", "methodological"}
        Which documents to count.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (``YYYY-MM``), ``value`` (percent, NaN when the
        register has no required document of this kind), ``n`` (required
        documents, the denominator) and ``approved`` (the numerator).

    Notes
    -----
    value = approved / n × 100, where n counts the required documents of the
    kind whatever their status or date, and approved counts those among them
    with status ``approved`` and ``dated_on`` before the next month starts. An
    approved document without a date counts in every month, because the
    register cannot tell when it was approved. Optional documents never count:
    the plan measures the documentation "necessary" for the model.
    """
    if kind not in ("normative", "methodological"):
        raise ValueError(f"kind must be 'normative' or 'methodological', got {kind!r}")
    required = documents[(documents["kind"] == kind) & documents["required"].astype(bool)]
    dated_on = _dates(required, "dated_on")
    approved = required["status"] == "approved"
    n = len(required)
    rows = []
    for month, end in zip(months, _month_ends(months), strict=True):
        count = int((approved & (dated_on.isna() | (dated_on < end))).sum())
        value = count / n * 100 if n else np.nan
        rows.append({"month": str(month), "value": value, "n": float(n), "approved": count})
    return pd.DataFrame(rows, columns=["month", "value", "n", "approved"])


def participating_teachers(months: Iterable[pd.Period], groups: pd.DataFrame) -> pd.DataFrame:
    """Count, by each month's end, the teachers in a group that has started.

    Parameters
    ----------
    months : iterable of pandas.Period
        Monthly periods to compute.
    groups : pandas.DataFrame
        ``groups_frame``: ``mentor_code``, ``mentee_code``, ``started_on``.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (``YYYY-MM``) and ``value`` (number of distinct codes).

    Notes
    -----
    A teacher counts once whether they are a mentor, a mentee or both, and keeps
    counting after their group ends (the plan's count is cumulative). Groups
    without a start date never count.
    """
    started_on = _dates(groups, "started_on")
    rows = []
    for month, end in zip(months, _month_ends(months), strict=True):
        started = groups[started_on < end]
        codes = pd.concat([started["mentor_code"], started["mentee_code"]]).dropna()
        rows.append({"month": str(month), "value": float(codes.nunique())})
    return pd.DataFrame(rows, columns=["month", "value"])


def registered_participants(
    months: Iterable[pd.Period], participants: pd.DataFrame
) -> pd.DataFrame:
    """Count the participants registered by each month's end.

    Parameters
    ----------
    months : iterable of pandas.Period
        Monthly periods to compute.
    participants : pandas.DataFrame
        ``participants_frame``: ``code`` and ``registered_on``.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (``YYYY-MM``) and ``value`` (distinct codes with
        ``registered_on`` before the next month starts).
    """
    registered_on = _dates(participants, "registered_on")
    rows = []
    for month, end in zip(months, _month_ends(months), strict=True):
        count = participants.loc[registered_on < end, "code"].nunique()
        rows.append({"month": str(month), "value": float(count)})
    return pd.DataFrame(rows, columns=["month", "value"])


def satisfaction_index_percent(
    answers: pd.DataFrame, questions: pd.DataFrame, questionnaire: str
) -> tuple[float, int]:
    """Compute the satisfaction index of one questionnaire over each respondent's latest answers.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``answers_frame`` rows: ``answered_at``, ``code``, ``questionnaire``,
        ``question``, ``value``.
    questions : pandas.DataFrame
        ``questions_frame``: ``questionnaire``, ``question``, ``scale_min``,
        ``scale_max``, ``reverse``, ``is_scale_item``.
    questionnaire : str
        Questionnaire key, e.g. ``"mentee_satisfaction"``.

    Returns
    -------
    tuple of (float, int)
        The index in percent (NaN when nobody answered a scale item) and the
        number of respondents it is based on.

    Notes
    -----
    The definition of the data contract, computed by
    ``analysis.satisfaction.respondent_scores`` so that the indicator and the
    satisfaction page agree: a respondent's latest submission counts (here the
    rows with their greatest ``answered_at`` in ``answers``, which may be a
    subset cut at a month's end, so the frame's own ``is_latest`` is
    recomputed); the respondent's score is the mean of their values on the
    scale items, reverse-keyed items mirrored; the index is the mean over
    respondents of (score − min) / (max − min) × 100. Missing values are
    skipped, and a respondent with no valid scale answer is not counted. Items
    on different scales raise ``ValueError`` there.
    """
    own = answers[answers["questionnaire"] == questionnaire]
    if own.empty:
        return np.nan, 0
    answered_at = pd.to_datetime(own["answered_at"])
    latest = answered_at.groupby(own["code"]).transform("max")
    scores = respondent_scores(own.assign(is_latest=answered_at == latest), questions, questionnaire)
    if scores.empty:
        return np.nan, 0
    return float(scores["score_percent"].astype(float).mean()), int(len(scores))


def satisfaction_by_month(
    months: Iterable[pd.Period],
    answers: pd.DataFrame,
    questions: pd.DataFrame,
    questionnaire: str,
) -> pd.DataFrame:
    """Compute the satisfaction index at each month's end from the answers given so far.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (``YYYY-MM``), ``value`` (index in percent, NaN when
        no one had answered yet) and ``n`` (respondents).

    Notes
    -----
    Each month uses only answers dated before the next month starts, and the
    latest of them per respondent, so that the value of a past month does not
    change when new questionnaires arrive.
    """
    answered_at = pd.to_datetime(answers["answered_at"])
    rows = []
    for month, end in zip(months, _month_ends(months), strict=True):
        value, n = satisfaction_index_percent(answers[answered_at < end], questions, questionnaire)
        rows.append({"month": str(month), "value": value, "n": float(n)})
    return pd.DataFrame(rows, columns=["month", "value", "n"])


def indicator_status(value: float, target: float) -> str:
    """Return ``met``, ``behind``, ``no_target`` or ``no_data`` for one month.

    All eleven indicators are better when larger, so a value at or above the
    target is met. A missing target wins over a missing value.
    """
    if target is None or pd.isna(target):
        return "no_target"
    if value is None or pd.isna(value):
        return "no_data"
    # A small tolerance, so that 2/3 × 100 against a target typed as 66.6667 is met.
    return "met" if value >= target - 1e-9 else "behind"


def compute_indicators(
    *,
    months: Iterable[pd.Period],
    participants: pd.DataFrame,
    groups: pd.DataFrame,
    answers: pd.DataFrame,
    questions: pd.DataFrame,
    resources: pd.DataFrame,
    documents: pd.DataFrame,
    roadmap: pd.DataFrame,
    confirmations: pd.DataFrame,
    targets: pd.DataFrame,
    min_resources: int = 1,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Compute all eleven indicators for every month, with targets and status.

    Parameters
    ----------
    months : iterable of pandas.Period
        The school year's months, e.g. from ``school_year_months``.
    participants, groups, answers, questions : pandas.DataFrame
        Frames of ``db/queries.py`` (see docs/ARCHITECTURE.md).
    resources, documents, roadmap, confirmations, targets : pandas.DataFrame
        Register frames described in this module's docstring.
    min_resources : int, default 1
        Resources a base needs to count as present.
    as_of : pandas.Timestamp, optional
        The day of computing. Months that start after it get a missing value and
        status ``no_data`` (a target for them may exist). None computes every
        month from the data as it is.

    Returns
    -------
    pandas.DataFrame
        One row per month and indicator, months in order and indicators in the
        plan's order, with columns

        - ``month`` : str, ``YYYY-MM``
        - ``indicator`` : str, one of ``INDICATORS``
        - ``value`` : float, NaN when it cannot be computed
        - ``target`` : float, NaN when no target is set
        - ``status`` : str, ``met``, ``behind``, ``no_target`` or ``no_data``
        - ``n`` : float, the base of the value (resources in a base, required
          documents, respondents), NaN where the indicator has none
        - ``evidence`` : str, for the presence indicators what made them 1
        - ``note`` : str, a Russian warning about the value (too few
          respondents, nothing to count, month not reached), else empty

    Notes
    -----
    The rules are in ``INDICATOR_SPECS`` and in the functions this one calls.
    The satisfaction indicators warn when fewer than ``MIN_RESPONDENTS`` people
    answered. Duplicate targets for one indicator and month raise ``ValueError``.
    """
    months = list(months)
    parts = []
    presence = presence_indicators(
        months, resources, roadmap, confirmations, min_resources=min_resources
    )
    parts.append(presence)
    for indicator, kind in (
        ("normative_documents_percent", "normative"),
        ("methodological_documents_percent", "methodological"),
    ):
        frame = document_percent(months, documents, kind).drop(columns="approved")
        parts.append(frame.assign(indicator=indicator))
    parts.append(
        participating_teachers(months, groups).assign(
            indicator="participating_teachers_cumulative"
        )
    )
    for indicator, questionnaire in _SATISFACTION_QUESTIONNAIRES.items():
        frame = satisfaction_by_month(months, answers, questions, questionnaire)
        parts.append(frame.assign(indicator=indicator))
    parts.append(
        registered_participants(months, participants).assign(
            indicator="registered_participants_cumulative"
        )
    )
    result = pd.concat(parts, ignore_index=True)
    result["n"] = result["n"].astype(float) if "n" in result else np.nan
    result["evidence"] = result["evidence"].fillna("")
    result = _attach_targets(result, targets)
    result["note"] = [_note(row) for row in result.itertuples(index=False)]
    if as_of is not None:
        future = pd.PeriodIndex(result["month"], freq="M").start_time > pd.Timestamp(as_of)
        result.loc[future, "value"] = np.nan
        result.loc[future, "evidence"] = ""
        result.loc[future, "note"] = "месяц ещё не наступил"
    result["status"] = [
        indicator_status(value, target)
        for value, target in zip(result["value"], result["target"], strict=True)
    ]
    order = {key: position for position, key in enumerate(INDICATORS)}
    result = result.sort_values(
        ["month", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s
    ).reset_index(drop=True)
    columns = ["month", "indicator", "value", "target", "status", "n", "evidence", "note"]
    return result[columns]


def _attach_targets(result: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    targets = targets[["indicator", "month", "target"]].copy()
    targets["month"] = targets["month"].astype(str).str.slice(0, 7)
    duplicated = targets.duplicated(["indicator", "month"], keep=False)
    if duplicated.any():
        first = targets[duplicated].iloc[0]
        raise ValueError(
            f"more than one target for {first['indicator']} in {first['month']}; "
            "keep one per indicator and month"
        )
    unknown = set(targets["indicator"]) - set(INDICATORS)
    if unknown:
        raise ValueError(f"unknown indicator in targets: {sorted(unknown)}")
    targets["target"] = pd.to_numeric(targets["target"], errors="coerce")
    return result.merge(targets, on=["indicator", "month"], how="left")


def _note(row) -> str:
    if pd.isna(row.value):
        if row.indicator in _SATISFACTION_QUESTIONNAIRES:
            return "анкет пока нет"
        return "в реестре нет обязательных документов этого вида"
    if row.indicator in _SATISFACTION_QUESTIONNAIRES and row.n < MIN_RESPONDENTS:
        return f"мало ответов ({int(row.n)}): значение неустойчиво"
    return ""


def indicator_json_rows(frame: pd.DataFrame) -> list[dict]:
    """Convert ``compute_indicators`` output to the rows of the JSON key ``indicators``.

    Each row has exactly the keys ``month``, ``indicator``, ``value``,
    ``target`` and ``status``; a missing value or target becomes ``None``.
    """
    rows = []
    for row in frame.itertuples(index=False):
        rows.append(
            {
                "month": row.month,
                "indicator": row.indicator,
                "value": None if pd.isna(row.value) else float(row.value),
                "target": None if pd.isna(row.target) else float(row.target),
                "status": row.status,
            }
        )
    return rows
