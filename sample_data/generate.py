"""Generate the synthetic demo school year 2024/25 as the files school staff hold.

Run ``python sample_data/generate.py`` to rewrite the files beside this script,
or ``python sample_data/generate.py --out DIR`` to write them elsewhere. The
output is deterministic: every random draw comes from ``numpy.random.default_rng``
seeded with ``SEED``, so the CSV and JSON files are byte-identical between
runs. XLSX files are identical cell by cell, but not byte by byte, because
openpyxl stamps the save time into the workbook properties and the zip entries.

All people, e-mails and answers are invented. The school name is the only
real detail and names an institution. The labels, names and form texts are in
``sample_vocabulary.py`` and the scale dictionary in ``sample_scales.py``; both
are imported as sibling modules, so run this file as a script.

The true generating parameters (the constants under "True generating
parameters" below) live only in this file. The analysis code has to estimate
them from the written files and must never import them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from sample_scales import build_questionnaires
from sample_vocabulary import (
    ACTIVITY_COLUMNS,
    AGREE_LABELS,
    AREAS,
    AREA_MAX_SCORE,
    AREA_TOPICS,
    ASSESSMENT_COLUMNS,
    CONTEST_TITLE,
    DIFFICULTY_QUESTION,
    FEMALE_FIRST,
    FORMAT_LABEL,
    FORMAT_OPTIONS,
    FORMAT_QUESTION,
    GROUP_COLUMNS,
    HELP_OPTIONS,
    HELP_OTHER_TEXTS,
    HELP_QUESTION,
    INTEREST_OPTIONS,
    INTEREST_QUESTION,
    KIND_LABEL,
    LEVEL_ANSWERS,
    LEVEL_QUESTION,
    MALE_FIRST,
    MENTEE_FREE_QUESTION,
    MENTEE_FREE_TEXTS,
    MENTEE_ITEMS,
    MENTOR_FREE_QUESTION,
    MENTOR_FREE_TEXTS,
    MENTOR_ITEMS,
    MENTOR_SUBJECTS,
    MODEL_LABEL,
    PARTICIPANT_COLUMNS,
    PATRONYMICS,
    ROLE_LABEL,
    SCHEDULE_OPTIONS,
    SCHEDULE_QUESTION,
    SERVICE_AREA,
    STAGE_LABEL,
    STYLE_OPTIONS,
    STYLE_QUESTION,
    SUBJECTS,
    SURNAMES,
    WEBINAR_TITLES,
)

logger = logging.getLogger(__name__)

SEED = 20240901
SCHOOL = "МАОУ «СОШ № 55 г. Улан-Удэ»"
DEFAULT_OUT = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------
# True generating parameters. Nothing outside this file may know them.
# ---------------------------------------------------------------------------
N_TEACHERS = 70
N_MENTORS = 15
N_MENTEES = 50
N_BOTH = 2
N_DIGITAL_GROUPS = 8
# Mentees per group, 15 groups holding 52 mentees (50 mentees and 2 "both").
GROUP_SIZES = [1, 2, 3, 3, 3] + [4] * 10
# Mean score on the pre test, percent of the maximum.
BASELINE_PERCENT = {"digital": 44.0, "traditional": 48.0}
# Mean gain from pre to post in percentage points, before the focus bonus.
GAIN_POINTS = {"digital": 17.5, "traditional": 9.0}
# Extra gain in an area the group focuses on.
FOCUS_BONUS_POINTS = 3.0
MENTOR_EFFECT_SD = 4.0
PERSON_GAIN_SD = 4.0
AREA_GAIN_SD = 5.0
SKILL_BASELINE_POINTS = 9.0
AREA_BASELINE_SD = 7.0
MEASUREMENT_SD = 4.0
# Area difficulty, added to every stage's percent.
AREA_OFFSET_POINTS = {
    "ФГИС Моя школа": -6.0,
    "Сферум": 6.0,
    "Цифровые образовательные ресурсы": -3.0,
    "Облачное хранилище": 4.0,
    "Онлайн-тестирование": 1.0,
    "Дистанционное обучение": -2.0,
}
MENTOR_BASELINE_PERCENT = 80.0
MENTOR_GAIN_POINTS = 3.0
BOTH_BASELINE_BONUS = 10.0
# Respondents of the diagnostic survey who report a difficulty with at least
# one service: 48 of 68 is 70.6 %, the school's "71 %".
N_DIAGNOSTIC_RESPONDENTS = 68
N_WITH_DIFFICULTY = 48
N_MENTEE_RESPONDENTS = 43
N_MENTOR_RESPONDENTS = 12
N_ATTRITION = 4
# Mean of the latent mentee satisfaction on the 1-5 scale.
SATISFACTION_BASE = {"digital": 4.0, "traditional": 3.65}
MENTOR_SATISFACTION_BASE = 7.6
# Meeting interval in days, low (inclusive) and high (exclusive).
MEETING_INTERVAL_DAYS = {"digital": (5, 10), "traditional": (11, 18)}
CONSULTATIONS_PER_MENTEE = {"digital": 6.0, "traditional": 3.0}
REMOTE_SHARE = {"digital": 0.8, "traditional": 0.15}
# A mentee's chance to attend a meeting is the model's factor times a personal
# propensity drawn from Beta(ATTENDANCE_BETA).
ATTENDANCE = {"digital": 0.95, "traditional": 0.9}
ATTENDANCE_BETA = (4.0, 1.5)
# A mentee of an open group who leaves stops attending within this window.
LEAVING_WINDOW = (dt.date(2025, 3, 3), dt.date(2025, 3, 28))

ACTIVITY_END = dt.date(2025, 5, 30)
CONTROL_GROUP_LAST_DAY = dt.date(2025, 4, 11)
EARLY_END_DATES = [dt.date(2025, 3, 14), dt.date(2025, 4, 4)]
WINTER_BREAK = (dt.date(2024, 12, 29), dt.date(2025, 1, 8))


@dataclass(frozen=True)
class Submission:
    """One questionnaire submission: the respondent and their raw answers."""

    code: str
    answered_at: dt.datetime
    answers: tuple[str, ...]


def make_rngs(seed: int) -> dict[str, np.random.Generator]:
    """Create one independent generator per section.

    A separate stream per section keeps a change in one section from
    shifting the draws of the others.
    """
    sections = [
        "participants",
        "groups",
        "assessments",
        "diagnostics",
        "activities",
        "satisfaction",
        "exports",
    ]
    children = np.random.SeedSequence(seed).spawn(len(sections))
    return {
        name: np.random.default_rng(child) for name, child in zip(sections, children)
    }


def random_date(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    """Draw a weekday between first and last inclusive."""
    while True:
        day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
        if day.weekday() < 5:
            return day


def random_time(
    rng: np.random.Generator, day: dt.date, first_hour: int, last_hour: int
) -> dt.datetime:
    """Draw a time of day on day between first_hour and last_hour, to the second."""
    seconds = int(rng.integers(first_hour * 3600, last_hour * 3600))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


def next_school_day(day: dt.date) -> dt.date:
    """Move day forward past weekends and the winter break."""
    while True:
        if WINTER_BREAK[0] <= day <= WINTER_BREAK[1]:
            day = WINTER_BREAK[1] + dt.timedelta(days=1)
        elif day.weekday() >= 5:
            day += dt.timedelta(days=1)
        else:
            return day


# ---------------------------------------------------------------------------
# Participants and groups.
# ---------------------------------------------------------------------------


def draw_full_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[bool]]:
    """Draw n distinct invented full names; about 80 % of teachers are women."""
    names: list[str] = []
    is_female: list[bool] = []
    while len(names) < n:
        female = bool(rng.random() < 0.8)
        surname = str(rng.choice(SURNAMES)) + ("а" if female else "")
        first = str(rng.choice(FEMALE_FIRST if female else MALE_FIRST))
        patronymic = PATRONYMICS[int(rng.integers(len(PATRONYMICS)))][int(female)]
        name = f"{surname} {first} {patronymic}"
        if name not in names:
            names.append(name)
            is_female.append(female)
    return names, is_female


def build_participants(rng: np.random.Generator) -> pd.DataFrame:
    """Draw the 70 teachers with role, subject, experience, skill and registration.

    Codes follow the registration order. The three teachers who register
    after October are registered mentees not yet in a group.
    """
    n_unassigned = N_TEACHERS - N_MENTORS - N_MENTEES - N_BOTH
    early = sorted(
        random_date(rng, dt.date(2024, 9, 2), dt.date(2024, 10, 31))
        for _ in range(N_TEACHERS - n_unassigned)
    )
    late = [dt.date(2024, 11, 25), dt.date(2025, 1, 20), dt.date(2025, 2, 12)]
    roles = ["mentor"] * N_MENTORS + ["both"] * N_BOTH + ["mentee"] * N_MENTEES
    roles = list(rng.permutation(roles)) + ["unassigned"] * n_unassigned
    names, is_female = draw_full_names(rng, N_TEACHERS)

    rows = []
    for index, (registered_on, role) in enumerate(zip(early + late, roles)):
        is_mentor = role == "mentor"
        subject_pool = MENTOR_SUBJECTS if is_mentor and rng.random() < 0.7 else SUBJECTS
        experience = int(rng.integers(8, 36) if is_mentor else rng.integers(1, 36))
        # Latent digital skill in standard units; mentors are the skilled ones.
        skill = rng.normal(1.6, 0.4) if is_mentor else rng.normal(0.0, 1.0)
        rows.append(
            {
                "code": f"T{index + 1:03d}",
                "full_name": names[index],
                "is_female": is_female[index],
                "role": "mentee" if role == "unassigned" else role,
                "in_group": role != "unassigned",
                "subject": str(rng.choice(subject_pool)),
                "experience_years": experience,
                "email": f"teacher{index + 1:02d}@school.example",
                "registered_on": registered_on,
                "skill": float(skill),
            }
        )
    return pd.DataFrame(rows)


def build_groups(rng: np.random.Generator, participants: pd.DataFrame) -> pd.DataFrame:
    """Form the 15 groups, one row per mentee as in the template.

    Returns the rows with the group's model, dates, focus areas, the mentor's
    random effect and two flags: ``is_control`` marks the open group that goes
    quiet in mid-April and ``attrition`` marks mentees who leave before the
    post test.
    """
    mentors = participants.loc[participants["role"] == "mentor", "code"].tolist()
    mentees = participants.loc[
        participants["in_group"] & participants["role"].isin(["mentee", "both"]), "code"
    ].tolist()
    mentors = list(rng.permutation(mentors))
    mentees = list(rng.permutation(mentees))
    models = ["digital"] * N_DIGITAL_GROUPS + ["traditional"] * (
        N_MENTORS - N_DIGITAL_GROUPS
    )
    models = list(rng.permutation(models))
    sizes = list(rng.permutation(GROUP_SIZES))
    starts = sorted(
        random_date(rng, dt.date(2024, 11, 5), dt.date(2024, 11, 22)) for _ in mentors
    )

    # The pair and one group of three end early; one open traditional group of
    # four is the group that goes quiet.
    early_index = [sizes.index(1), sizes.index(3)]
    control_index = next(
        i
        for i, (size, model) in enumerate(zip(sizes, models))
        if size == 4 and model == "traditional"
    )

    rows = []
    position = 0
    for index, mentor in enumerate(mentors):
        n_areas = int(rng.integers(1, 4))
        focus = sorted(rng.choice(len(AREAS), size=n_areas, replace=False))
        ended_on = None
        if index in early_index:
            ended_on = EARLY_END_DATES[early_index.index(index)]
        mentor_effect = float(rng.normal(0.0, MENTOR_EFFECT_SD))
        for mentee in mentees[position : position + sizes[index]]:
            rows.append(
                {
                    "group_code": f"G{index + 1:02d}",
                    "mentor_code": mentor,
                    "mentee_code": mentee,
                    "model": models[index],
                    "started_on": starts[index],
                    "ended_on": ended_on,
                    "focus_areas": [AREAS[i] for i in focus],
                    "mentor_effect": mentor_effect,
                    "is_control": index == control_index,
                }
            )
        position += sizes[index]
    groups = pd.DataFrame(rows)
    groups["attrition"] = pick_attrition(rng, groups)
    return groups


def pick_attrition(rng: np.random.Generator, groups: pd.DataFrame) -> np.ndarray:
    """Mark N_ATTRITION mentees who take the pre test but not the post test.

    The mentee of the early-ended pair, two of the early-ended group of three
    and one mentee of an open group leave.
    """
    flags = np.zeros(len(groups), dtype=bool)
    early = groups["ended_on"].notna()
    sizes = groups.groupby("group_code")["mentee_code"].transform("size")
    pair = np.flatnonzero(early & (sizes == 1))
    trio = np.flatnonzero(early & (sizes == 3))
    flags[pair] = True
    flags[rng.choice(trio, size=2, replace=False)] = True
    open_rows = np.flatnonzero(~early & ~groups["is_control"])
    flags[rng.choice(open_rows)] = True
    assert flags.sum() == N_ATTRITION
    return flags


# ---------------------------------------------------------------------------
# Competence assessments.
# ---------------------------------------------------------------------------


def percent_to_score(percent: float, max_score: int) -> float:
    """Convert a percent to a score rounded to half points within [0, max_score]."""
    score = round(percent / 100.0 * max_score * 2.0) / 2.0
    return float(min(max(score, 0.0), max_score))


def build_assessments(
    rng: np.random.Generator, participants: pd.DataFrame, groups: pd.DataFrame
) -> pd.DataFrame:
    """Draw diagnostic, pre, mid and post scores for mentors and mentees in groups.

    The true percent is baseline plus a share of the gain, and every stage
    adds measurement noise. Mentees marked ``attrition`` have no post row, and
    one other mentee misses the pre test.
    """
    by_mentee = groups.set_index("mentee_code")
    mentee_codes = groups["mentee_code"].tolist()
    candidates = groups.loc[~groups["attrition"], "mentee_code"].tolist()
    missed_pre = str(rng.choice(candidates))
    with_mid = set(rng.choice(mentee_codes, size=len(mentee_codes) // 2, replace=False))
    mentor_codes = sorted(groups["mentor_code"].unique())
    assessed = participants[participants["code"].isin(mentee_codes + mentor_codes)]

    rows = []
    for person in assessed.itertuples():
        is_mentor = person.code in mentor_codes
        if is_mentor:
            baseline = MENTOR_BASELINE_PERCENT + 5.0 * person.skill
            gain = MENTOR_GAIN_POINTS
            stages = ["diagnostic", "pre", "post"]
        else:
            group = by_mentee.loc[person.code]
            baseline = (
                BASELINE_PERCENT[group["model"]] + SKILL_BASELINE_POINTS * person.skill
            )
            if person.role == "both":
                baseline += BOTH_BASELINE_BONUS
            gain = GAIN_POINTS[group["model"]] + group["mentor_effect"]
            gain += rng.normal(0.0, PERSON_GAIN_SD)
            stages = mentee_stages(person.code, group, missed_pre, with_mid)
        dates = stage_dates(rng)
        for area in AREAS:
            area_baseline = (
                baseline + AREA_OFFSET_POINTS[area] + rng.normal(0.0, AREA_BASELINE_SD)
            )
            if is_mentor:
                area_gain = gain + rng.normal(0.0, 2.0)
            else:
                area_gain = gain + rng.normal(0.0, AREA_GAIN_SD)
                if area in group["focus_areas"]:
                    area_gain += FOCUS_BONUS_POINTS
            share = {"diagnostic": -0.05, "pre": 0.0, "mid": 0.55, "post": 1.0}
            for stage in stages:
                true_percent = min(area_baseline + share[stage] * area_gain, 97.0)
                observed = true_percent + rng.normal(0.0, MEASUREMENT_SD)
                rows.append(
                    {
                        "code": person.code,
                        "area": area,
                        "stage": stage,
                        "assessed_on": dates[stage],
                        "score": percent_to_score(observed, AREA_MAX_SCORE[area]),
                        "max_score": AREA_MAX_SCORE[area],
                    }
                )
    return pd.DataFrame(rows)


def mentee_stages(
    code: str, group: pd.Series, missed_pre: str, with_mid: set
) -> list[str]:
    """List the stages a mentee sat, in order."""
    stages = ["diagnostic"]
    if code != missed_pre:
        stages.append("pre")
    if code in with_mid:
        stages.append("mid")
    if not group["attrition"]:
        stages.append("post")
    return stages


def stage_dates(rng: np.random.Generator) -> dict[str, dt.date]:
    """Draw one test day per stage for one participant."""
    return {
        "diagnostic": random_date(rng, dt.date(2024, 9, 16), dt.date(2024, 9, 27)),
        "pre": random_date(rng, dt.date(2024, 10, 21), dt.date(2024, 11, 15)),
        "mid": random_date(rng, dt.date(2025, 2, 3), dt.date(2025, 2, 21)),
        "post": random_date(rng, dt.date(2025, 5, 12), dt.date(2025, 5, 23)),
    }


# ---------------------------------------------------------------------------
# Diagnostic survey.
# ---------------------------------------------------------------------------


def diagnostic_header() -> list[str]:
    """Build the header of the diagnostic Google Forms export."""
    header = [
        "Отметка времени",
        "Адрес электронной почты",
        "ФИО",
        "Предмет",
        "Стаж работы (лет)",
    ]
    header += [f"{DIFFICULTY_QUESTION} [{service}]" for service in SERVICE_AREA]
    header += [f"{LEVEL_QUESTION} [{service}]" for service in SERVICE_AREA]
    header += [
        HELP_QUESTION,
        FORMAT_QUESTION,
        SCHEDULE_QUESTION,
        STYLE_QUESTION,
        INTEREST_QUESTION,
    ]
    return header


def build_diagnostics(
    rng: np.random.Generator, participants: pd.DataFrame
) -> list[list[str]]:
    """Draw the September diagnostic survey rows in submission order.

    The N_WITH_DIFFICULTY respondents with the lowest latent skill report
    «Да» or «Частично» for at least one service. Everyone else answers «Нет»
    for all six, so the share with a difficulty is fixed by construction.
    """
    respondents = participants.iloc[
        sorted(
            rng.choice(len(participants), size=N_DIAGNOSTIC_RESPONDENTS, replace=False)
        )
    ]
    skill_rank = respondents["skill"].rank(method="first").to_numpy()
    stamps = sorted(
        random_time(
            rng, random_date(rng, dt.date(2024, 9, 9), dt.date(2024, 9, 20)), 8, 21
        )
        for _ in range(len(respondents))
    )
    order = rng.permutation(len(respondents))

    rows = []
    for stamp, position in zip(stamps, order):
        person = respondents.iloc[position]
        has_difficulty = skill_rank[position] <= N_WITH_DIFFICULTY
        row = [
            stamp.strftime("%d.%m.%Y %H:%M:%S"),
            person["email"],
            person["full_name"],
            person["subject"],
            str(person["experience_years"]),
        ]
        row += draw_difficulties(rng, person["skill"], has_difficulty)
        row += draw_levels(rng, person["skill"])
        row += draw_needs(rng, has_difficulty)
        rows.append(row)
    return rows


def draw_difficulties(
    rng: np.random.Generator, skill: float, has_difficulty: bool
) -> list[str]:
    """Draw the difficulty grid, with at least one difficulty when has_difficulty."""
    if not has_difficulty:
        return ["Нет"] * len(SERVICE_AREA)
    p_yes = 1.0 / (1.0 + np.exp(1.2 * skill + 0.9))
    p_partly = 0.35
    answers = []
    for _ in SERVICE_AREA:
        draw = rng.random()
        if draw < p_yes:
            answers.append("Да")
        elif draw < p_yes + p_partly:
            answers.append("Частично")
        else:
            answers.append("Нет")
    if all(answer == "Нет" for answer in answers):
        answers[int(rng.integers(len(answers)))] = "Частично"
    return answers


def draw_levels(rng: np.random.Generator, skill: float) -> list[str]:
    """Draw the self-assessment grid from the latent skill."""
    answers = []
    for _ in SERVICE_AREA:
        latent = skill + rng.normal(0.0, 0.8)
        level = int(np.searchsorted([-0.6, 0.8], latent, side="right"))
        answers.append(LEVEL_ANSWERS[level])
    return answers


def draw_needs(rng: np.random.Generator, has_difficulty: bool) -> list[str]:
    """Draw the help, format, schedule, style and interest answers."""
    n_help = int(rng.integers(1, 4)) if has_difficulty else int(rng.integers(0, 2))
    help_options = [
        HELP_OPTIONS[i]
        for i in sorted(rng.choice(len(HELP_OPTIONS), n_help, replace=False))
    ]
    if rng.random() < 0.06:
        help_options.append(str(rng.choice(HELP_OTHER_TEXTS)))
    schedule = [option for option in SCHEDULE_OPTIONS if rng.random() < 0.45]
    if not schedule:
        schedule = [SCHEDULE_OPTIONS[1]]
    n_interests = int(rng.integers(1, 4))
    interests = [
        INTEREST_OPTIONS[i]
        for i in sorted(rng.choice(len(INTEREST_OPTIONS), n_interests, replace=False))
    ]
    return [
        ", ".join(help_options),
        str(rng.choice(FORMAT_OPTIONS, p=[0.3, 0.3, 0.4])),
        ", ".join(schedule),
        str(rng.choice(STYLE_OPTIONS)),
        ", ".join(interests),
    ]


# ---------------------------------------------------------------------------
# Activity log.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlan:
    """A group's calendar and habits, as the activity generator needs them."""

    group_code: str
    model: str
    mentor: str
    mentees: tuple[str, ...]
    start: dt.date
    last_day: dt.date
    focus_areas: tuple[str, ...]
    logs_time: bool
    # Per mentee, in the order of ``mentees``.
    attendance: tuple[float, ...]
    mentee_last_days: tuple[dt.date, ...]

    def last_day_of(self, mentee: str) -> dt.date:
        return self.mentee_last_days[self.mentees.index(mentee)]


def group_plans(rng: np.random.Generator, groups: pd.DataFrame) -> list[GroupPlan]:
    """Summarise each group for the activity generator."""
    plans = []
    for code, rows in groups.groupby("group_code", sort=True):
        first = rows.iloc[0]
        last_day = ACTIVITY_END
        if first["ended_on"] is not None and not pd.isna(first["ended_on"]):
            last_day = first["ended_on"]
        if first["is_control"]:
            last_day = CONTROL_GROUP_LAST_DAY
        attendance = ATTENDANCE[first["model"]] * rng.beta(
            *ATTENDANCE_BETA, size=len(rows)
        )
        mentee_last_days = tuple(
            min(last_day, random_date(rng, *LEAVING_WINDOW)) if leaves else last_day
            for leaves in rows["attrition"]
        )
        plans.append(
            GroupPlan(
                group_code=str(code),
                model=first["model"],
                mentor=first["mentor_code"],
                mentees=tuple(rows["mentee_code"]),
                start=first["started_on"],
                last_day=last_day,
                focus_areas=tuple(first["focus_areas"]),
                # Some mentors write the time of a meeting, others only the day.
                logs_time=bool(rng.random() < 0.5),
                attendance=tuple(float(value) for value in attendance),
                mentee_last_days=mentee_last_days,
            )
        )
    return plans


def activity_row(
    at: dt.datetime,
    code: str,
    group_code: str,
    kind: str,
    remote: bool,
    hours: float | None,
    title: str,
    url: str = "",
    with_time: bool = True,
) -> dict:
    """Assemble one activity row with typed values."""
    return {
        "at": at,
        "with_time": with_time,
        "code": code,
        "group_code": group_code,
        "kind": kind,
        "format": "remote" if remote else "in_person",
        "hours": hours,
        "title": title,
        "url": url,
    }


def meeting_days(rng: np.random.Generator, plan: GroupPlan) -> list[dt.date]:
    """Draw the group's meeting days from its start to its last day.

    The group that goes quiet holds its final meeting on its last day, so the
    silence starts in mid-April whatever the drawn intervals are.
    """
    low, high = MEETING_INTERVAL_DAYS[plan.model]
    days = []
    day = next_school_day(plan.start + dt.timedelta(days=int(rng.integers(0, 4))))
    while day <= plan.last_day:
        days.append(day)
        day = next_school_day(day + dt.timedelta(days=int(rng.integers(low, high))))
    if plan.last_day == CONTROL_GROUP_LAST_DAY and days[-1] < plan.last_day:
        days.append(plan.last_day)
    return days


def meeting_rows(rng: np.random.Generator, plan: GroupPlan) -> list[dict]:
    """Draw the group's meetings, one row per participant present."""
    rows = []
    for day in meeting_days(rng, plan):
        remote = bool(rng.random() < REMOTE_SHARE[plan.model])
        at = random_time(rng, day, 17, 20) if remote else random_time(rng, day, 14, 17)
        at = at.replace(minute=at.minute // 15 * 15, second=0)
        hours = float(rng.choice([1.0, 1.5, 1.5, 2.0]))
        title = "Встреча: " + str(
            rng.choice(AREA_TOPICS[str(rng.choice(plan.focus_areas))])
        )
        present = [plan.mentor] + [
            mentee
            for mentee, attendance in zip(plan.mentees, plan.attendance)
            if rng.random() < attendance and day <= plan.last_day_of(mentee)
        ]
        for code in present:
            rows.append(
                activity_row(
                    at,
                    code,
                    plan.group_code,
                    "meeting",
                    remote,
                    hours,
                    title,
                    with_time=plan.logs_time,
                )
            )
    return rows


def consultation_rows(rng: np.random.Generator, plan: GroupPlan) -> list[dict]:
    """Draw one-to-one consultations: a row for the mentee and one for the mentor.

    A mentee has at most one consultation a day, and the title names the
    mentee, so the mentor's rows stay distinct in groups that log only the day.
    """
    rows = []
    for mentee in plan.mentees:
        days_taken = set()
        for _ in range(int(rng.poisson(CONSULTATIONS_PER_MENTEE[plan.model]))):
            day = next_school_day(random_date(rng, plan.start, plan.last_day))
            if day > plan.last_day_of(mentee) or day in days_taken:
                continue
            days_taken.add(day)
            remote = bool(rng.random() < REMOTE_SHARE[plan.model])
            at = random_time(rng, day, 13, 19).replace(second=0)
            hours = None if rng.random() < 0.1 else float(rng.choice([0.5, 0.5, 1.0]))
            topic = str(rng.choice(AREA_TOPICS[str(rng.choice(plan.focus_areas))]))
            title = f"Консультация ({mentee}): {topic}"
            for code in (mentee, plan.mentor):
                rows.append(
                    activity_row(
                        at,
                        code,
                        plan.group_code,
                        "consultation",
                        remote,
                        hours,
                        title,
                        with_time=plan.logs_time,
                    )
                )
    return rows


def product_rows(rng: np.random.Generator, plan: GroupPlan) -> list[dict]:
    """Draw open lessons, projects and the materials, resources and sites of mentees."""
    rows = []
    for mentee in plan.mentees:
        number = mentee[1:]
        mentee_last = plan.last_day_of(mentee)
        lesson_last = min(mentee_last, dt.date(2025, 4, 30))
        if rng.random() < 0.3 and lesson_last > dt.date(2025, 2, 3):
            day = random_date(rng, dt.date(2025, 2, 3), lesson_last)
            at = random_time(rng, day, 9, 14).replace(minute=0, second=0)
            topic = str(rng.choice(AREA_TOPICS[str(rng.choice(plan.focus_areas))]))
            title = f"Открытый урок ({mentee}): {topic}"
            for code in (mentee, plan.mentor):
                rows.append(
                    activity_row(
                        at, code, plan.group_code, "open_lesson", False, 0.75, title
                    )
                )
        products = [
            (
                "material",
                0.45,
                "Учебный материал к уроку",
                f"https://disk.school.example/materials/{number}",
            ),
            (
                "digital_resource",
                0.3,
                "Интерактивный тренажёр",
                f"https://resources.school.example/{number}",
            ),
            (
                "personal_site",
                0.15,
                "Персональный сайт педагога",
                f"https://sites.school.example/teacher{number}",
            ),
        ]
        for kind, probability, title, url in products:
            if rng.random() < probability and mentee_last > dt.date(2024, 12, 10):
                day = random_date(rng, dt.date(2024, 12, 10), mentee_last)
                at = dt.datetime.combine(day, dt.time())
                rows.append(
                    activity_row(
                        at,
                        mentee,
                        plan.group_code,
                        kind,
                        True,
                        None,
                        title,
                        url,
                        with_time=False,
                    )
                )
    if plan.model == "digital" and plan.last_day >= dt.date(2025, 4, 25):
        day = random_date(rng, dt.date(2025, 3, 17), dt.date(2025, 4, 25))
        at = dt.datetime.combine(day, dt.time())
        title = "Проект группы: цифровая копилка уроков"
        members = [plan.mentor] + [
            m for m in plan.mentees if plan.last_day_of(m) >= day
        ]
        for code in members:
            rows.append(
                activity_row(
                    at,
                    code,
                    plan.group_code,
                    "project",
                    True,
                    3.0,
                    title,
                    with_time=False,
                )
            )
    return rows


def school_event_rows(
    rng: np.random.Generator, participants: pd.DataFrame, plans: list[GroupPlan]
) -> list[dict]:
    """Draw the monthly school webinars and the March contest, logged with no group."""
    model_of = {
        code: plan.model for plan in plans for code in (plan.mentor,) + plan.mentees
    }
    # Members of the quiet group and mentees who left stop appearing in the log.
    quiet_after = {}
    for plan in plans:
        if plan.last_day == CONTROL_GROUP_LAST_DAY:
            quiet_after[plan.mentor] = plan.last_day
        for mentee, last_day in zip(plan.mentees, plan.mentee_last_days):
            if last_day < ACTIVITY_END and last_day not in EARLY_END_DATES:
                quiet_after[mentee] = last_day

    rows = []
    for month, title in zip(range(11, 18), WEBINAR_TITLES):
        year, month_number = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
        day = next_school_day(dt.date(year, month_number, 18))
        at = dt.datetime.combine(day, dt.time(15, 0))
        for person in participants.itertuples():
            attend = {"digital": 0.4, "traditional": 0.25}.get(
                model_of.get(person.code), 0.3
            )
            if person.registered_on > day or day > quiet_after.get(person.code, day):
                continue
            if rng.random() < attend:
                rows.append(
                    activity_row(at, person.code, "", "webinar", True, 1.5, title)
                )

    contest_day = dt.date(2025, 3, 21)
    eligible = [
        code
        for code, registered_on in zip(
            participants["code"], participants["registered_on"]
        )
        if registered_on <= contest_day
        and quiet_after.get(code, contest_day) >= contest_day
    ]
    entrants = rng.choice(eligible, size=9, replace=False)
    for code in sorted(entrants):
        at = dt.datetime.combine(contest_day, dt.time())
        rows.append(
            activity_row(
                at,
                str(code),
                "",
                "contest",
                False,
                None,
                CONTEST_TITLE,
                with_time=False,
            )
        )
    return rows


def build_activities(
    rng: np.random.Generator, participants: pd.DataFrame, groups: pd.DataFrame
) -> pd.DataFrame:
    """Draw the activity log from November 2024 to May 2025, sorted by time."""
    plans = group_plans(rng, groups)
    rows = []
    for plan in plans:
        rows += meeting_rows(rng, plan)
        rows += consultation_rows(rng, plan)
        rows += product_rows(rng, plan)
    rows += school_event_rows(rng, participants, plans)
    activities = pd.DataFrame(rows)
    return activities.sort_values(
        ["at", "group_code", "code", "kind"], kind="stable"
    ).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Satisfaction questionnaires.
# ---------------------------------------------------------------------------


def agreement_label(rng: np.random.Generator, latent: float, reverse: bool) -> str:
    """Draw one answer on the 5-point agreement scale from the latent satisfaction."""
    value = latent + rng.normal(0.0, 0.6)
    if reverse:
        value = 6.0 - value + rng.normal(0.0, 0.4)
    point = int(min(max(round(value), 1), 5))
    return AGREE_LABELS[point - 1]


def free_text(rng: np.random.Generator, texts: list[str], share: float) -> str:
    """Draw a free-text answer, empty for most respondents."""
    return str(rng.choice(texts)) if rng.random() < share else ""


def submission_times(rng: np.random.Generator, n: int) -> list[dt.datetime]:
    """Draw n sorted submission times in the last fortnight of May 2025."""
    return sorted(
        random_time(
            rng, random_date(rng, dt.date(2025, 5, 19), dt.date(2025, 5, 30)), 8, 22
        )
        for _ in range(n)
    )


def build_mentee_satisfaction(
    rng: np.random.Generator, groups: pd.DataFrame
) -> list[Submission]:
    """Draw the mentees' May submissions, with one identical resubmission.

    Mentees who left before the post test answer less often, and satisfaction
    rises with the model's base and the mentor's effect.
    """
    weights = np.where(groups["attrition"], 0.3, 1.0)
    chosen = rng.choice(
        len(groups), size=N_MENTEE_RESPONDENTS, replace=False, p=weights / weights.sum()
    )
    times = submission_times(rng, len(chosen))
    submissions = []
    for at, index in zip(times, rng.permutation(chosen)):
        row = groups.iloc[index]
        latent = (
            SATISFACTION_BASE[row["model"]]
            + 0.06 * row["mentor_effect"]
            + rng.normal(0.0, 0.6)
        )
        answers = [agreement_label(rng, latent, reverse) for _, reverse in MENTEE_ITEMS]
        answers.append(free_text(rng, MENTEE_FREE_TEXTS, 0.45))
        submissions.append(Submission(row["mentee_code"], at, tuple(answers)))
    # One respondent presses "send" twice: same answers a few seconds later.
    repeated = submissions[int(rng.integers(5, len(submissions) - 5))]
    duplicate = Submission(
        repeated.code, repeated.answered_at + dt.timedelta(seconds=7), repeated.answers
    )
    submissions.append(duplicate)
    return sorted(submissions, key=lambda submission: submission.answered_at)


def build_mentor_satisfaction(
    rng: np.random.Generator, groups: pd.DataFrame
) -> list[Submission]:
    """Draw the mentors' May submissions on the 1-10 scale, answered with digits."""
    effects = groups.drop_duplicates("mentor_code").set_index("mentor_code")[
        "mentor_effect"
    ]
    chosen = rng.choice(sorted(effects.index), size=N_MENTOR_RESPONDENTS, replace=False)
    times = submission_times(rng, len(chosen))
    submissions = []
    for at, code in zip(times, chosen):
        latent = MENTOR_SATISFACTION_BASE + 0.1 * effects[code] + rng.normal(0.0, 0.8)
        answers = [
            str(int(min(max(round(latent + rng.normal(0.0, 0.9)), 1), 10)))
            for _ in MENTOR_ITEMS
        ]
        answers.append(free_text(rng, MENTOR_FREE_TEXTS, 0.6))
        submissions.append(Submission(str(code), at, tuple(answers)))
    return submissions


# ---------------------------------------------------------------------------
# Writers.
# ---------------------------------------------------------------------------


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> None:
    """Write rows as CSV with CRLF line ends and quotes only where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(
    path: Path,
    sheet: str,
    header: list[str],
    rows: list[list],
    date_format: str = "DD.MM.YYYY",
) -> None:
    """Write one sheet with the header in row 1; dates and times get date_format."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    for column in worksheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = date_format
    for index, label in enumerate(header, start=1):
        worksheet.column_dimensions[worksheet.cell(1, index).column_letter].width = max(
            12, min(len(label) + 2, 60)
        )
    workbook.properties.creator = SCHOOL
    workbook.properties.created = dt.datetime(2025, 6, 2, 9, 0, 0)
    workbook.save(path)


def format_hours(hours: float | None) -> str:
    """Format hours as a Russian Excel writes them: 1,5 and 2 with no trailing zero."""
    if hours is None or pd.isna(hours):
        return ""
    return f"{hours:g}".replace(".", ",")


def write_participants(out: Path, participants: pd.DataFrame) -> None:
    rows = [
        [
            p.code,
            p.full_name,
            ROLE_LABEL[p.role],
            SCHOOL,
            p.subject,
            p.experience_years,
            p.email,
            p.registered_on,
        ]
        for p in participants.itertuples()
    ]
    write_xlsx(out / "participants.xlsx", "Участники", PARTICIPANT_COLUMNS, rows)


def write_groups(out: Path, groups: pd.DataFrame) -> None:
    rows = [
        [
            g.group_code,
            g.mentor_code,
            g.mentee_code,
            MODEL_LABEL[g.model],
            g.started_on,
            g.ended_on,
            "; ".join(g.focus_areas),
        ]
        for g in groups.itertuples()
    ]
    write_xlsx(out / "groups.xlsx", "Пары и группы", GROUP_COLUMNS, rows)


def write_assessments(out: Path, assessments: pd.DataFrame) -> None:
    rows = []
    for a in assessments.itertuples():
        score = int(a.score) if float(a.score).is_integer() else a.score
        rows.append(
            [a.code, a.area, STAGE_LABEL[a.stage], a.assessed_on, score, a.max_score]
        )
    write_xlsx(
        out / "assessments_2024-25.xlsx", "Оценки компетенций", ASSESSMENT_COLUMNS, rows
    )


def write_activities(out: Path, activities: pd.DataFrame) -> None:
    """Write the log as a Russian Excel saves CSV: cp1251, semicolons, CRLF."""
    rows = []
    for a in activities.itertuples():
        when = a.at.strftime("%d.%m.%Y %H:%M" if a.with_time else "%d.%m.%Y")
        rows.append(
            [
                when,
                a.code,
                a.group_code,
                KIND_LABEL[a.kind],
                FORMAT_LABEL[a.format],
                format_hours(a.hours),
                a.title,
                a.url,
            ]
        )
    write_csv(
        out / "activities_2024-11_2025-05.csv",
        ACTIVITY_COLUMNS,
        rows,
        encoding="cp1251",
        delimiter=";",
    )


def write_diagnostics(out: Path, rows: list[list[str]]) -> None:
    write_csv(out / "diagnostics_2024-09_google.csv", diagnostic_header(), rows)


def write_google_satisfaction(
    path: Path,
    questions: list[str],
    submissions: list[Submission],
    emails: dict[str, str],
) -> None:
    rows = [
        [s.answered_at.strftime("%d.%m.%Y %H:%M:%S"), emails[s.code], *s.answers]
        for s in submissions
    ]
    write_csv(path, ["Отметка времени", "Адрес электронной почты", *questions], rows)


def write_yandex_satisfaction(
    rng: np.random.Generator,
    path: Path,
    questions: list[str],
    submissions: list[Submission],
    emails: dict[str, str],
) -> None:
    """Write the mentee answers as a Yandex Forms CSV export.

    NOTE: the columns follow the main columns of a Yandex Forms export (ID,
    creation time, one column per question) but were not compared with a
    real export file byte by byte.
    """
    ids = sorted(
        int(i)
        for i in rng.choice(
            np.arange(1_700_000_000, 1_800_000_000), len(submissions), replace=False
        )
    )
    rows = [
        [
            str(answer_id),
            s.answered_at.strftime("%Y-%m-%d %H:%M:%S"),
            emails[s.code],
            *s.answers,
        ]
        for answer_id, s in zip(ids, submissions)
    ]
    write_csv(
        path, ["ID", "Время создания", "Адрес электронной почты", *questions], rows
    )


def write_microsoft_satisfaction(
    rng: np.random.Generator,
    path: Path,
    questions: list[str],
    submissions: list[Submission],
    participants: pd.DataFrame,
) -> None:
    """Write the mentee answers as a Microsoft Forms XLSX export.

    The columns are ID, start and completion time, e-mail, name, then one
    column per question. Like the Yandex layout, it was not compared with a
    real export file.
    """
    people = participants.set_index("code")
    rows = []
    for number, s in enumerate(submissions, start=1):
        started = s.answered_at - dt.timedelta(seconds=int(rng.integers(90, 420)))
        person = people.loc[s.code]
        # An unanswered free-text question is an empty cell, not an empty string.
        answers = [answer if answer != "" else None for answer in s.answers]
        rows.append(
            [
                number,
                started,
                s.answered_at,
                person["email"],
                person["full_name"],
                *answers,
            ]
        )
    header = [
        "ID",
        "Время начала",
        "Время завершения",
        "Адрес электронной почты",
        "Имя",
        *questions,
    ]
    write_xlsx(path, "Sheet1", header, rows, date_format="DD.MM.YYYY HH:MM:SS")


def write_questionnaires(out: Path) -> None:
    text = json.dumps(build_questionnaires(), ensure_ascii=False, indent=2) + "\n"
    (out / "questionnaires.json").write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------------------
# Entry point.
# ---------------------------------------------------------------------------


def generate(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write every sample file into out and return the key counts.

    Parameters
    ----------
    out : Path
        Directory to write into; it is created when missing.
    seed : int
        Seed of all random draws.

    Returns
    -------
    dict
        Counts to check the dashboard against, keyed by English names.
    """
    out.mkdir(parents=True, exist_ok=True)
    rngs = make_rngs(seed)
    participants = build_participants(rngs["participants"])
    groups = build_groups(rngs["groups"], participants)
    assessments = build_assessments(rngs["assessments"], participants, groups)
    diagnostics = build_diagnostics(rngs["diagnostics"], participants)
    activities = build_activities(rngs["activities"], participants, groups)
    mentee_answers = build_mentee_satisfaction(rngs["satisfaction"], groups)
    mentor_answers = build_mentor_satisfaction(rngs["satisfaction"], groups)

    write_participants(out, participants)
    write_groups(out, groups)
    write_assessments(out, assessments)
    write_diagnostics(out, diagnostics)
    write_activities(out, activities)
    emails = dict(zip(participants["code"], participants["email"]))
    mentee_questions = [text for text, _ in MENTEE_ITEMS] + [MENTEE_FREE_QUESTION]
    mentor_questions = MENTOR_ITEMS + [MENTOR_FREE_QUESTION]
    write_google_satisfaction(
        out / "satisfaction_mentees_2025-05_google.csv",
        mentee_questions,
        mentee_answers,
        emails,
    )
    write_google_satisfaction(
        out / "satisfaction_mentors_2025-05_google.csv",
        mentor_questions,
        mentor_answers,
        emails,
    )
    write_yandex_satisfaction(
        rngs["exports"],
        out / "satisfaction_mentees_2025-05_yandex.csv",
        mentee_questions,
        mentee_answers,
        emails,
    )
    write_microsoft_satisfaction(
        rngs["exports"],
        out / "satisfaction_mentees_2025-05_microsoft.xlsx",
        mentee_questions,
        mentee_answers,
        participants,
    )
    write_questionnaires(out)
    counts = summarise(
        participants, groups, diagnostics, activities, mentee_answers, mentor_answers
    )
    logger.info("Wrote sample data to %s: %s", out, counts)
    return counts


def summarise(
    participants, groups, diagnostics, activities, mentee_answers, mentor_answers
) -> dict:
    """Count what the dashboard must show for this data set."""
    by_group = groups.drop_duplicates("group_code")
    difficulty_columns = range(5, 5 + len(SERVICE_AREA))
    with_difficulty = sum(
        any(row[i] != "Нет" for i in difficulty_columns) for row in diagnostics
    )
    months = (
        activities["at"]
        .map(lambda at: at.strftime("%Y-%m"))
        .value_counts()
        .sort_index()
    )
    return {
        "teachers": len(participants),
        "role_mentor": int((participants["role"] == "mentor").sum()),
        "role_mentee": int((participants["role"] == "mentee").sum()),
        "role_both": int((participants["role"] == "both").sum()),
        "mentors_in_groups": int(groups["mentor_code"].nunique()),
        "mentees_in_groups": int(groups["mentee_code"].nunique()),
        "groups_digital": int((by_group["model"] == "digital").sum()),
        "groups_traditional": int((by_group["model"] == "traditional").sum()),
        "diagnostic_respondents": len(diagnostics),
        "diagnostic_with_difficulty": with_difficulty,
        "activities": len(activities),
        **{f"activities_{month}": int(count) for month, count in months.items()},
        "mentee_submissions": len(mentee_answers),
        "mentee_respondents": len({s.code for s in mentee_answers}),
        "mentor_respondents": len({s.code for s in mentor_answers}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the synthetic demo school year into a directory."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory to write the files into (default: the folder of this script)",
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"random seed (default: {SEED})"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    counts = generate(args.out, args.seed)
    for key, value in counts.items():
        logger.info("%s = %s", key, value)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
