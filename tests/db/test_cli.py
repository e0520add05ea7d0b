"""`python -m db import` as a user runs it: JSON lines and exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import FIELD_INPUTS, PROJECT_ROOT
from tests.db.import_helpers import PARTICIPANT_ROWS, PARTICIPANTS_HEADER, csv_bytes, participants_csv


def run_db(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run([sys.executable, "-m", "db", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_import_json_and_exit_codes(tmp_path):
    assert run_db(tmp_path, "init").returncode == 0
    good = tmp_path / "participants.csv"
    good.write_bytes(participants_csv())
    result = run_db(tmp_path, "import", str(good), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[0])
    assert list(report)[:7] == ["file", "kind", "rows_total", "imported", "duplicates", "skipped", "rejected"]
    assert (report["kind"], report["rows_total"], report["imported"]) == ("participants", 6, 6)
    again = json.loads(run_db(tmp_path, "import", str(good), "--json").stdout)
    assert (again["imported"], again["duplicates"]) == (0, 6)


def test_rejected_row_exits_1(tmp_path):
    run_db(tmp_path, "init")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(PARTICIPANTS_HEADER, ["T1;Петрова Анна;наставник;;;;31.02.2025"]))
    result = run_db(tmp_path, "import", str(bad), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["rejected"][0]["row"] == 2
    assert report["rejected"][0]["column"] == "Дата регистрации"


def test_unusable_arguments_exit_2(tmp_path):
    assert run_db(tmp_path, "import").returncode == 2
    assert run_db(tmp_path, "import", "x.csv", "--kind", "nonsense").returncode == 2
    assert run_db(tmp_path, "import", str(tmp_path / "missing.csv")).returncode == 2


def test_dry_run_and_skip_invalid(tmp_path):
    run_db(tmp_path, "init")
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(PARTICIPANTS_HEADER, ["T1;Петрова Анна;наставник;;;;01.09.2024",
                                                     "T2;Соколов Дмитрий;ученик;;;;01.09.2024"]))
    dry = json.loads(run_db(tmp_path, "import", str(path), "--dry-run", "--json").stdout)
    assert dry["status"] == "dry_run"
    result = run_db(tmp_path, "import", str(path), "--skip-invalid", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["imported"] == 1
    assert (tmp_path / "p.csv.rejected.csv").is_file()


GROUPS_CSV = (
    "Код группы;Код наставника;Код наставляемого;Модель;Дата начала\r\n"
    "G01;T001;T002;цифровая;05.10.2024\r\n"
).encode("utf-8")


def test_set_imported_in_dependency_order(tmp_path):
    run_db(tmp_path, "init")
    (tmp_path / "groups.csv").write_bytes(GROUPS_CSV)
    (tmp_path / "participants.csv").write_bytes(participants_csv())
    result = run_db(tmp_path, "import", str(tmp_path / "groups.csv"), str(tmp_path / "participants.csv"),
                    "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["imported"]) for r in reports] == [("participants.csv", 6), ("groups.csv", 1)]


def test_dry_run_set_writes_nothing(tmp_path):
    run_db(tmp_path, "init")
    (tmp_path / "groups.csv").write_bytes(GROUPS_CSV)
    (tmp_path / "participants.csv").write_bytes(participants_csv())
    paths = [str(tmp_path / "groups.csv"), str(tmp_path / "participants.csv")]
    result = run_db(tmp_path, "import", *paths, "--dry-run", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["status"], r["imported"]) for r in reports] == [
        ("participants.csv", "dry_run", 6), ("groups.csv", "dry_run", 1)]
    # Nothing stayed behind: the groups file alone is rejected for its unknown codes.
    alone = json.loads(run_db(tmp_path, "import", paths[0], "--dry-run", "--json").stdout)
    assert alone["rejected"][0]["value"] == "T001"


def test_map_and_set_import_wide_table(tmp_path):
    run_db(tmp_path, "init")
    people = tmp_path / "people.csv"
    people.write_bytes(csv_bytes("Код;ФИО;Роль;Дата регистрации", [
        f"P0{i};Педагог 0{i};наставляемый;01.09.2024" for i in range(1, 6)]))
    assert run_db(tmp_path, "import", str(people)).returncode == 0
    scores = tmp_path / "f12.xlsx"
    scores.write_bytes((FIELD_INPUTS / "f12_prepost_scores_text_numbers.xlsx").read_bytes())
    result = run_db(tmp_path, "import", str(scores), "--kind", "assessments", "--json", "--skip-invalid",
                    "--map", "ФИО=full_name", "--map", "Балл до=score:pre", "--map", "Балл после=score:post",
                    "--set", "Область=Сферум", "--set", "max_score=100", "--set", "Дата=01.10.2024")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_total"], report["imported"], report["skipped"]) == (5, 3, 1)
    assert [(item["row"], item["value"]) for item in report["rejected"]] == [(5, "85%")]
    assert {"row": 3, "column": "Балл до", "value": "58,5",
            "message": "Файл f12.xlsx, строка 3, столбец «Балл до»: текст «58,5» прочитан как число 58.5."
            } in report["converted"]
    rejected_file = (tmp_path / "f12.xlsx.rejected.csv").read_text("utf-8-sig").splitlines()
    assert rejected_file[0] == "ФИО;Балл до;Балл после;Строка;Столбец с ошибкой;Значение;Что исправить"
    assert rejected_file[1].startswith("Педагог 04;85%;90;5;Балл до;85%;")
    assert len(rejected_file) == 2


def test_unknown_kind_and_bad_pair_are_russian(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(participants_csv())
    unknown = run_db(tmp_path, "import", str(path), "--kind", "people")
    assert unknown.returncode == 2
    assert "ошибка: аргумент --kind: неизвестный вид данных «people»" in unknown.stderr
    assert "использование:" in unknown.stderr
    bad_pair = run_db(tmp_path, "import", str(path), "--kind", "participants", "--map", "Код")
    assert bad_pair.returncode == 2
    assert "не в виде «имя=значение»" in bad_pair.stderr
    without_kind = run_db(tmp_path, "import", str(path), "--set", "role=наставник")
    assert without_kind.returncode == 2
    assert "укажите вид данных" in without_kind.stderr


def test_help_is_russian(tmp_path):
    result = run_db(tmp_path, "import", "--help")
    assert result.returncode == 0
    for text in ("использование:", "параметры", "показать эту справку и выйти", "--map", "--set"):
        assert text in result.stdout
    for english in ("usage:", "options:", "show this help message"):
        assert english not in result.stdout
    missing = run_db(tmp_path)
    assert missing.returncode == 2
    assert "не указаны обязательные аргументы" in missing.stderr


def test_unrecognised_file_names_cli_options(tmp_path):
    run_db(tmp_path, "init")
    path = tmp_path / "f01.csv"
    path.write_bytes((FIELD_INPUTS / "f01_excel_ru_cp1251_semicolon.csv").read_bytes())
    result = run_db(tmp_path, "import", str(path), "--json")
    assert result.returncode == 1
    message = json.loads(result.stdout)["rejected"][0]["message"]
    assert "--kind" in message
    assert "--map" in message
    detected = json.loads(result.stdout)["detected"]
    assert (detected["encoding"], detected["delimiter"], detected["decimal_mark"]) == ("cp1251", ";", ",")
    assert detected["columns"][0] == "ФИО педагога"


def _two_sheet_workbook(path) -> None:
    """Mentors on the first sheet under a title row; mentees on the second sheet."""
    import openpyxl

    header = PARTICIPANTS_HEADER.split(";")
    rows = [line.split(";") for line in PARTICIPANT_ROWS]
    workbook = openpyxl.Workbook()
    mentors = workbook.active
    mentors.title = "Наставники"
    mentors.append(["Список наставников на 2024/25 учебный год"])
    mentors.append([])
    mentors.append(header)
    for row in rows[:1]:
        mentors.append(row)
    mentees = workbook.create_sheet("Наставляемые")
    mentees.append(header)
    for row in rows[1:3]:
        mentees.append(row)
    workbook.save(path)


def test_sheet_and_header_rows_options(tmp_path):
    run_db(tmp_path, "init")
    path = tmp_path / "people.xlsx"
    _two_sheet_workbook(path)
    first = run_db(tmp_path, "import", str(path), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["detected"]["sheet"], report["imported"]) == ("Наставники", 1)
    assert report["detected"]["header_rows"] == [3]
    assert any("«Наставляемые»" in warning and "--sheet" in warning for warning in report["warnings"])
    second = run_db(tmp_path, "import", str(path), "--sheet", "Наставляемые", "--header-row", "1",
                    "--json")
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert (report["detected"]["sheet"], report["imported"], report["rows_total"]) == ("Наставляемые", 2, 2)
    missing = run_db(tmp_path, "import", str(path), "--sheet", "Лист9")
    assert missing.returncode == 1
    assert "нет листа «Лист9». Листы: Наставники, Наставляемые" in missing.stderr
    for option, value, text in (("--header-rows", "3", "1 или 2 строки"),
                                ("--header-row", "ноль", "не номер строки")):
        bad = run_db(tmp_path, "import", str(path), option, value)
        assert bad.returncode == 2
        assert f"аргумент {option}: «{value}»" in bad.stderr
        assert text in bad.stderr
