"""Tests for sample_data/generate.py and the demo files it writes.

The generator runs twice into temporary folders, so the checks cover a fresh
run, determinism, and the committed copy in sample_data/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
GENERATOR = SAMPLE_DATA / "generate.py"

CSV_FILES = [
    "activities_2024-11_2025-05.csv",
    "diagnostics_2024-09_google.csv",
    "satisfaction_mentees_2025-05_google.csv",
    "satisfaction_mentees_2025-05_yandex.csv",
    "satisfaction_mentors_2025-05_google.csv",
]
XLSX_FILES = [
    "assessments_2024-25.xlsx",
    "groups.xlsx",
    "participants.xlsx",
    "satisfaction_mentees_2025-05_microsoft.xlsx",
]
TEXT_FILES = ["questionnaires.json"]

AREAS = [
    "ФГИС Моя школа",
    "Сферум",
    "Цифровые образовательные ресурсы",
    "Облачное хранилище",
    "Онлайн-тестирование",
    "Дистанционное обучение",
]
AGREE_LABELS = [
    "Полностью не согласен",
    "Скорее не согласен",
    "Затрудняюсь ответить",
    "Скорее согласен",
    "Полностью согласен",
]
ACTIVITY_KINDS = {
    "встреча",
    "консультация",
    "открытый урок",
    "вебинар",
    "конкурс",
    "проект",
    "учебный материал",
    "цифровой ресурс",
    "персональный сайт",
    "другое",
}
DIFFICULTY_PREFIX = "Испытываете ли вы затруднения при работе с цифровыми сервисами? ["


def run_generator(out: Path) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_first")
    run_generator(out)
    return out


@pytest.fixture(scope="module")
def second_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_second")
    run_generator(out)
    return out


def xlsx_values(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: list(sheet.iter_rows(values_only=True))
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def read_google_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def participants(first_run) -> pd.DataFrame:
    return pd.read_excel(first_run / "participants.xlsx", dtype={"Код": str})


@pytest.fixture(scope="module")
def groups(first_run) -> pd.DataFrame:
    return pd.read_excel(first_run / "groups.xlsx")


@pytest.fixture(scope="module")
def assessments(first_run) -> pd.DataFrame:
    return pd.read_excel(first_run / "assessments_2024-25.xlsx")


@pytest.fixture(scope="module")
def activities(first_run) -> pd.DataFrame:
    frame = pd.read_csv(
        first_run / "activities_2024-11_2025-05.csv",
        sep=";",
        encoding="cp1251",
        decimal=",",
        dtype={"Код группы": str, "Часы": float},
    )
    frame["at"] = pd.to_datetime(frame["Дата"], format="mixed", dayfirst=True)
    return frame


@pytest.fixture(scope="module")
def questionnaires(first_run) -> dict[str, dict]:
    items = json.loads((first_run / "questionnaires.json").read_text(encoding="utf-8"))
    return {item["key"]: item for item in items}


# ---------------------------------------------------------------------------
# Determinism and the committed copy.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CSV_FILES + TEXT_FILES)
def test_generator_text_output_byte_identical(first_run, second_run, name):
    assert (first_run / name).read_bytes() == (second_run / name).read_bytes()


@pytest.mark.parametrize("name", XLSX_FILES)
def test_generator_xlsx_cell_values_identical(first_run, second_run, name):
    assert xlsx_values(first_run / name) == xlsx_values(second_run / name)


@pytest.mark.parametrize("name", CSV_FILES + TEXT_FILES)
def test_committed_text_files_match_generator(first_run, name):
    committed = SAMPLE_DATA / name
    assert (
        committed.exists()
    ), f"{committed} is missing: run python sample_data/generate.py"
    assert (
        committed.read_bytes() == (first_run / name).read_bytes()
    ), f"{name} is stale: run python sample_data/generate.py"


@pytest.mark.parametrize("name", XLSX_FILES)
def test_committed_xlsx_files_match_generator(first_run, name):
    committed = SAMPLE_DATA / name
    assert (
        committed.exists()
    ), f"{committed} is missing: run python sample_data/generate.py"
    assert xlsx_values(committed) == xlsx_values(first_run / name)


@pytest.mark.parametrize("name", XLSX_FILES)
def test_xlsx_opens_with_openpyxl_and_pandas(first_run, name):
    values = xlsx_values(first_run / name)
    assert len(values) == 1
    rows = next(iter(values.values()))
    frame = pd.read_excel(first_run / name)
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows) - 1


# ---------------------------------------------------------------------------
# Participants and groups.
# ---------------------------------------------------------------------------


def test_participants_columns_and_codes(participants):
    assert list(participants.columns) == [
        "Код",
        "ФИО",
        "Роль",
        "Школа",
        "Предмет",
        "Стаж, лет",
        "E-mail",
        "Дата регистрации",
    ]
    assert participants["Код"].tolist() == [f"T{i:03d}" for i in range(1, 71)]
    assert participants["ФИО"].is_unique
    assert (participants["Школа"] == "МАОУ «СОШ № 55 г. Улан-Удэ»").all()
    expected_emails = [f"teacher{i:02d}@school.example" for i in range(1, 71)]
    assert participants["E-mail"].tolist() == expected_emails


def test_participants_roles(participants):
    counts = participants["Роль"].value_counts().to_dict()
    assert counts == {
        "наставляемый": 53,
        "наставник": 15,
        "наставник и наставляемый": 2,
    }


def test_participants_experience_and_registration(participants):
    assert participants["Стаж, лет"].between(1, 35).all()
    registered = participants["Дата регистрации"]
    assert registered.min() >= pd.Timestamp("2024-09-01")
    assert registered.max() <= pd.Timestamp("2025-02-28")
    late = registered > pd.Timestamp("2024-10-31")
    assert 1 <= late.sum() <= 5


def test_groups_counts_by_model(groups, participants):
    per_group = groups.drop_duplicates("Код группы")
    assert len(per_group) == 15
    assert per_group["Модель"].value_counts().to_dict() == {
        "цифровая": 8,
        "традиционная": 7,
    }
    role = participants.set_index("Код")["Роль"]
    assert set(groups["Код наставника"].map(role)) == {"наставник"}
    assert groups["Код наставника"].nunique() == 15


def test_groups_mentees(groups, participants):
    role = participants.set_index("Код")["Роль"]
    assert groups["Код наставляемого"].is_unique
    assert groups["Код наставляемого"].map(role).value_counts().to_dict() == {
        "наставляемый": 50,
        "наставник и наставляемый": 2,
    }
    sizes = groups.groupby("Код группы").size()
    assert sizes.between(1, 4).all()
    assert (sizes == 1).any()


def test_groups_dates_and_focus(groups):
    per_group = groups.drop_duplicates("Код группы")
    assert per_group["Дата начала"].between("2024-11-01", "2024-11-30").all()
    ended = per_group["Дата окончания"].dropna()
    assert len(ended) == 2
    assert (ended < pd.Timestamp("2025-05-01")).all()
    for focus in per_group["Направления"]:
        assert set(focus.split("; ")) <= set(AREAS)


# ---------------------------------------------------------------------------
# Diagnostic survey.
# ---------------------------------------------------------------------------


def test_diagnostics_header_and_timestamps(first_run):
    header, rows = read_google_csv(first_run / "diagnostics_2024-09_google.csv")
    assert header[:5] == [
        "Отметка времени",
        "Адрес электронной почты",
        "ФИО",
        "Предмет",
        "Стаж работы (лет)",
    ]
    assert sum(column.startswith(DIFFICULTY_PREFIX) for column in header) == 6
    for row in rows:
        stamp = dt.datetime.strptime(row[0], "%d.%m.%Y %H:%M:%S")
        assert dt.datetime(2024, 9, 1) <= stamp < dt.datetime(2024, 10, 1)


def test_diagnostics_respondents(first_run, participants):
    _, rows = read_google_csv(first_run / "diagnostics_2024-09_google.csv")
    emails = [row[1] for row in rows]
    assert len(set(emails)) == len(emails)
    assert set(emails) <= set(participants["E-mail"])
    assert 65 <= len(emails) <= 69


def test_diagnostics_share_with_difficulty(first_run):
    header, rows = read_google_csv(first_run / "diagnostics_2024-09_google.csv")
    columns = [i for i, name in enumerate(header) if name.startswith(DIFFICULTY_PREFIX)]
    answers = {row[i] for row in rows for i in columns}
    assert answers == {"Да", "Частично", "Нет"}
    with_difficulty = sum(
        any(row[i] in ("Да", "Частично") for i in columns) for row in rows
    )
    share = with_difficulty / len(rows)
    # The school reported 71 %; the sample stays within three points of it.
    assert 0.68 <= share <= 0.74


def test_diagnostics_help_keeps_comma_option_and_other(first_run, questionnaires):
    header, rows = read_google_csv(first_run / "diagnostics_2024-09_google.csv")
    column = header.index("Какая помощь вам нужна?")
    entry = next(
        q
        for q in questionnaires["diagnostic"]["questions"]
        if q["text"] == header[column]
    )
    comma_option = "Индивидуальные консультации, в том числе онлайн"
    assert comma_option in entry["options"]
    assert any(comma_option in row[column] for row in rows)
    leftovers = []
    for row in rows:
        text = row[column]
        for option in entry["options"]:
            text = text.replace(option, "")
        leftovers += [part for part in text.split(", ") if part.strip(", ")]
    assert leftovers, "no free «Другое» answer in the help question"


# ---------------------------------------------------------------------------
# Competence assessments.
# ---------------------------------------------------------------------------


def test_assessments_columns_and_scores(assessments):
    assert list(assessments.columns) == [
        "Код",
        "Область",
        "Этап",
        "Дата",
        "Балл",
        "Максимум",
    ]
    assert set(assessments["Область"]) == set(AREAS)
    assert assessments.groupby("Область")["Максимум"].nunique().eq(1).all()
    assert set(assessments["Максимум"]) == {20, 25}
    assert assessments["Балл"].between(0, assessments["Максимум"]).all()
    assert ((assessments["Балл"] * 2) % 1 == 0).all()
    assert not assessments.duplicated(["Код", "Область", "Этап"]).any()


@pytest.mark.parametrize(
    ("stage", "first", "last"),
    [
        ("диагностика", "2024-09-01", "2024-09-30"),
        ("до", "2024-10-01", "2024-11-30"),
        ("промежуточный", "2025-02-01", "2025-02-28"),
        ("после", "2025-05-01", "2025-05-31"),
    ],
)
def test_assessments_stage_dates(assessments, stage, first, last):
    dates = assessments.loc[assessments["Этап"] == stage, "Дата"]
    assert len(dates) > 0
    assert dates.between(first, last).all()


def test_assessments_attrition(assessments, groups):
    mentees = assessments[assessments["Код"].isin(groups["Код наставляемого"])]
    stages = mentees.groupby("Код")["Этап"].agg(set)
    pre_only = [code for code, s in stages.items() if "до" in s and "после" not in s]
    post_only = [code for code, s in stages.items() if "после" in s and "до" not in s]
    assert len(pre_only) == 4
    assert len(post_only) == 1
    with_mid = sum("промежуточный" in s for s in stages)
    assert 0.4 <= with_mid / len(stages) <= 0.6


def test_assessments_everyone_has_diagnostic(assessments, groups):
    assessed = set(groups["Код наставляемого"]) | set(groups["Код наставника"])
    diagnosed = set(assessments.loc[assessments["Этап"] == "диагностика", "Код"])
    assert set(assessments["Код"]) == assessed
    assert diagnosed == assessed


def person_gains(assessments: pd.DataFrame) -> pd.DataFrame:
    data = assessments.assign(
        percent=assessments["Балл"] / assessments["Максимум"] * 100
    )
    wide = data.pivot_table(index=["Код", "Область"], columns="Этап", values="percent")
    wide["gain"] = wide["после"] - wide["до"]
    return wide.groupby("Код")[["до", "после", "gain"]].mean()


def test_assessments_effects_plausible(assessments, groups):
    gains = person_gains(assessments)
    model = groups.set_index("Код наставляемого")["Модель"]
    mentee_gains = gains.join(model, how="inner")
    by_model = mentee_gains.groupby("Модель")["gain"].mean()
    # Loose bands around the generator's parameters: noise moves the sample means.
    assert 13.0 <= by_model["цифровая"] <= 22.0
    assert 6.0 <= by_model["традиционная"] <= 14.0
    mentors = gains.loc[gains.index.isin(groups["Код наставника"])]
    assert mentors["до"].mean() > mentee_gains["до"].mean() + 25.0


# ---------------------------------------------------------------------------
# Activity log.
# ---------------------------------------------------------------------------


def test_activities_encoding_and_line_ends(first_run):
    raw = (first_run / "activities_2024-11_2025-05.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1251")
    assert text.startswith(
        "Дата;Код участника;Код группы;Вид;Формат;Часы;Название;Ссылка\r\n"
    )
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert not raw.startswith(b"\xef\xbb\xbf")


def test_activities_dates_and_decimal_commas(first_run):
    text = (first_run / "activities_2024-11_2025-05.csv").read_bytes().decode("cp1251")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    dates = [row[0] for row in rows]
    assert any(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", d) for d in dates)
    assert any(re.fullmatch(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", d) for d in dates)
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}( \d{2}:\d{2})?", d) for d in dates)
    hours = [row[5] for row in rows]
    assert "1,5" in hours
    assert all(re.fullmatch(r"\d+(,\d+)?", h) for h in hours if h)
    assert any(h == "" for h in hours)


def test_activities_no_identical_rows(first_run):
    # An importer drops identical rows as duplicates, so every real activity
    # must differ from the others in at least one column.
    text = (first_run / "activities_2024-11_2025-05.csv").read_bytes().decode("cp1251")
    lines = text.split("\r\n")[1:-1]
    assert len(lines) == len(set(lines))


def test_activities_vocabulary_and_codes(activities, participants, groups):
    assert set(activities["Вид"]) <= ACTIVITY_KINDS
    assert set(activities["Формат"]) == {"очно", "дистанционно"}
    assert set(activities["Код участника"]) <= set(participants["Код"])
    assert set(activities["Код группы"].dropna()) <= set(groups["Код группы"])
    assert activities["Код группы"].notna().mean() > 0.8
    assert activities["Вид"].isin(["встреча", "консультация"]).mean() > 0.7
    months = activities["at"].dt.strftime("%Y-%m")
    assert set(months) == {
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
    }


def test_activities_digital_groups_busier_and_remote(activities, groups):
    model = groups.drop_duplicates("Код группы").set_index("Код группы")["Модель"]
    grouped = activities.dropna(subset=["Код группы"])
    meetings = grouped[grouped["Вид"] == "встреча"].drop_duplicates(
        ["Код группы", "at"]
    )
    per_group = meetings.groupby("Код группы").size()
    open_groups = groups.loc[groups["Дата окончания"].isna(), "Код группы"].unique()
    per_open_group = per_group[per_group.index.isin(open_groups)]
    by_model = per_open_group.groupby(model).mean()
    assert by_model["цифровая"] > 1.5 * by_model["традиционная"]
    remote = (
        grouped["Формат"]
        .eq("дистанционно")
        .groupby(grouped["Код группы"].map(model))
        .mean()
    )
    assert remote["цифровая"] > 0.6
    assert remote["традиционная"] < 0.4


def test_activities_one_open_group_quiet_since_april(activities, groups):
    per_group = groups.drop_duplicates("Код группы").set_index("Код группы")
    last = activities.dropna(subset=["Код группы"]).groupby("Код группы")["at"].max()
    open_codes = per_group.index[per_group["Дата окончания"].isna()]
    quiet = [code for code in open_codes if last[code] < pd.Timestamp("2025-05-01")]
    assert len(quiet) == 1
    assert pd.Timestamp("2025-04-01") <= last[quiet[0]] < pd.Timestamp("2025-04-16")
    members = groups.loc[
        groups["Код группы"] == quiet[0], ["Код наставника", "Код наставляемого"]
    ]
    member_rows = activities[activities["Код участника"].isin(set(members.stack()))]
    assert member_rows["at"].max() < pd.Timestamp("2025-04-16")


def test_activities_stop_when_group_ends(activities, groups):
    per_group = groups.drop_duplicates("Код группы").set_index("Код группы")
    ended = per_group["Дата окончания"].dropna()
    for code, ended_on in ended.items():
        rows = activities[activities["Код группы"] == code]
        assert len(rows) > 0
        assert rows["at"].max() < ended_on + pd.Timedelta(days=1)


# ---------------------------------------------------------------------------
# Satisfaction questionnaires.
# ---------------------------------------------------------------------------


def test_mentee_satisfaction_answers(first_run):
    header, rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_google.csv"
    )
    assert header[:2] == ["Отметка времени", "Адрес электронной почты"]
    assert header[-1] == "Что бы вы предложили улучшить?"
    likert = header[2:-1]
    assert 6 <= len(likert) <= 7
    assert "Встречи с наставником отнимали слишком много времени" in likert
    answers = {row[i] for row in rows for i in range(2, len(header) - 1)}
    assert answers <= set(AGREE_LABELS)
    assert "Затрудняюсь ответить" in answers


def test_mentee_satisfaction_has_one_resubmission(first_run):
    _, rows = read_google_csv(first_run / "satisfaction_mentees_2025-05_google.csv")
    by_content: dict[tuple, list[dt.datetime]] = {}
    for row in rows:
        stamp = dt.datetime.strptime(row[0], "%d.%m.%Y %H:%M:%S")
        by_content.setdefault(tuple(row[1:]), []).append(stamp)
    repeated = [stamps for stamps in by_content.values() if len(stamps) > 1]
    assert len(repeated) == 1
    assert len(repeated[0]) == 2
    assert abs((repeated[0][1] - repeated[0][0]).total_seconds()) < 60
    emails = [row[1] for row in rows]
    assert len(emails) - len(set(emails)) == 1


def test_satisfaction_response_rates(first_run, groups):
    _, mentee_rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_google.csv"
    )
    _, mentor_rows = read_google_csv(
        first_run / "satisfaction_mentors_2025-05_google.csv"
    )
    mentee_rate = (
        len({row[1] for row in mentee_rows}) / groups["Код наставляемого"].nunique()
    )
    mentor_rate = (
        len({row[1] for row in mentor_rows}) / groups["Код наставника"].nunique()
    )
    assert 0.78 <= mentee_rate <= 0.87
    assert 0.78 <= mentor_rate <= 0.87


def test_satisfaction_respondents_belong_to_groups(first_run, groups, participants):
    email = participants.set_index("Код")["E-mail"]
    _, mentee_rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_google.csv"
    )
    _, mentor_rows = read_google_csv(
        first_run / "satisfaction_mentors_2025-05_google.csv"
    )
    assert {row[1] for row in mentee_rows} <= set(
        groups["Код наставляемого"].map(email)
    )
    assert {row[1] for row in mentor_rows} <= set(groups["Код наставника"].map(email))


def test_mentor_satisfaction_bare_digits(first_run):
    header, rows = read_google_csv(
        first_run / "satisfaction_mentors_2025-05_google.csv"
    )
    assert len(header) == 2 + 5 + 1
    for row in rows:
        for answer in row[2:7]:
            assert answer.isdigit()
            assert 1 <= int(answer) <= 10


def test_yandex_export_matches_google(first_run):
    g_header, g_rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_google.csv"
    )
    y_header, y_rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_yandex.csv"
    )
    assert y_header[:3] == ["ID", "Время создания", "Адрес электронной почты"]
    assert y_header[3:] == g_header[2:]
    assert len(y_rows) == len(g_rows)
    for g_row, y_row in zip(g_rows, y_rows, strict=True):
        assert y_row[2:] == g_row[1:]
        created = dt.datetime.strptime(y_row[1], "%Y-%m-%d %H:%M:%S")
        assert created == dt.datetime.strptime(g_row[0], "%d.%m.%Y %H:%M:%S")
    assert len({row[0] for row in y_rows}) == len(y_rows)


def test_microsoft_export_matches_google(first_run, participants):
    g_header, g_rows = read_google_csv(
        first_run / "satisfaction_mentees_2025-05_google.csv"
    )
    rows = next(
        iter(
            xlsx_values(
                first_run / "satisfaction_mentees_2025-05_microsoft.xlsx"
            ).values()
        )
    )
    header, body = list(rows[0]), rows[1:]
    assert header[:5] == [
        "ID",
        "Время начала",
        "Время завершения",
        "Адрес электронной почты",
        "Имя",
    ]
    assert header[5:] == g_header[2:]
    name = participants.set_index("E-mail")["ФИО"]
    assert len(body) == len(g_rows)
    for g_row, m_row in zip(g_rows, body, strict=True):
        answers = ["" if value is None else value for value in m_row[5:]]
        assert [m_row[3], *answers] == g_row[1:]
        assert m_row[4] == name[m_row[3]]
        assert m_row[2] == dt.datetime.strptime(g_row[0], "%d.%m.%Y %H:%M:%S")
        assert m_row[1] < m_row[2]


# ---------------------------------------------------------------------------
# Scale dictionary.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "name", "meta_columns"),
    [
        ("diagnostic", "diagnostics_2024-09_google.csv", 2),
        ("mentee_satisfaction", "satisfaction_mentees_2025-05_google.csv", 2),
        ("mentor_satisfaction", "satisfaction_mentors_2025-05_google.csv", 2),
    ],
)
def test_questionnaires_cover_every_header(
    first_run, questionnaires, key, name, meta_columns
):
    header, _ = read_google_csv(first_run / name)
    texts = [question["text"] for question in questionnaires[key]["questions"]]
    assert texts == header[meta_columns:]


def test_questionnaires_scales_defined(questionnaires):
    assert set(questionnaires) == {
        "diagnostic",
        "mentee_satisfaction",
        "mentor_satisfaction",
    }
    for entry in questionnaires.values():
        for question in entry["questions"]:
            assert question["kind"] in {"likert", "choice", "multi", "text", "grid"}
            if question["kind"] in {"likert", "grid"}:
                scale = entry["scales"][question["scale"]]
                assert set(scale["labels"]) == {
                    str(v) for v in range(scale["min"], scale["max"] + 1)
                }
            if question["kind"] in {"choice", "multi"}:
                assert question["options"]


def test_questionnaires_agree5_rule(questionnaires):
    entry = questionnaires["mentee_satisfaction"]
    scale = entry["scales"]["agree5"]
    assert scale["no_opinion_rule"] == "missing"
    assert "Затрудняюсь ответить" in scale["no_opinion"]
    assert "Полностью не согласен" in scale["labels"]["1"]
    assert "Полностью согласен" in scale["labels"]["5"]
    reverse = [q["text"] for q in entry["questions"] if q["reverse"]]
    assert reverse == ["Встречи с наставником отнимали слишком много времени"]
    scale_items = [q for q in entry["questions"] if q["scale_item"]]
    assert len(scale_items) == 7


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("diagnostic", "diagnostics_2024-09_google.csv"),
        ("mentee_satisfaction", "satisfaction_mentees_2025-05_google.csv"),
        ("mentor_satisfaction", "satisfaction_mentors_2025-05_google.csv"),
    ],
)
def test_questionnaires_know_every_scale_answer(first_run, questionnaires, key, name):
    header, rows = read_google_csv(first_run / name)
    entry = questionnaires[key]
    for question in entry["questions"]:
        column = header.index(question["text"])
        answers = {row[column] for row in rows}
        if question["kind"] in {"likert", "grid"}:
            scale = entry["scales"][question["scale"]]
            known = {label for labels in scale["labels"].values() for label in labels}
            known |= set(scale["no_opinion"])
            assert answers <= known, question["text"]
        elif question["kind"] == "choice":
            assert answers <= set(question["options"]), question["text"]


def readme_shapes() -> dict[str, tuple[int, int]]:
    shapes = {}
    text = (SAMPLE_DATA / "README.md").read_text(encoding="utf-8")
    for match in re.finditer(
        r"^\| `([^`]+)` \|[^|]*\| (\d+) \| (\d+) \|", text, re.MULTILINE
    ):
        shapes[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return shapes


def test_readme_shapes_match_files(first_run):
    shapes = readme_shapes()
    assert set(shapes) == set(CSV_FILES + XLSX_FILES)
    for name, (n_rows, n_columns) in shapes.items():
        if name.endswith(".xlsx"):
            frame = pd.read_excel(first_run / name)
        elif name.startswith("activities"):
            frame = pd.read_csv(first_run / name, sep=";", encoding="cp1251")
        else:
            frame = pd.read_csv(first_run / name, encoding="utf-8")
        assert frame.shape == (n_rows, n_columns), name
