"""Conflicting assessment scores, partial column mappings, header-only ordering and the grouped CLI report."""

from __future__ import annotations

import json

import openpyxl
import pytest
import sqlalchemy as sa

import db.__main__ as cli
import db.importing.order as order
from db.errors import ImportValidationError
from db.importing import import_file
from db.importing.load import ImportReport
from db.importing.reading import read_table
from db.importing.undo import undo_import
from db.importing.validate import CellIssue, cell_message, group_issues, validate_table
from tests.conftest import FIELD_INPUTS
from tests.db.import_helpers import PARTICIPANTS_HEADER, count, csv_bytes, participants_csv
from tests.db.test_cli import GROUPS_CSV, run_db

SCORES_HEADER = "Код;Область;Этап;Дата;Балл;Максимум"
WIDE_HEADER = "Код;Область;Дата;Максимум;Балл / до;Балл / после"
WIDE_MAPPING = {"Балл / до": "score:pre", "Балл / после": "score:post"}


def stored_scores(engine) -> list[tuple[str, str, float, float]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT p.code, a.stage, a.score, a.max_score FROM assessment a "
            "JOIN participant p ON p.id = a.participant_id ORDER BY p.code, a.stage, a.id"))]


# --- assessments: duplicates and conflicting scores ---------------------------


def test_identical_assessment_rows_are_duplicates(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100",
                                        "T001;Сферум;после;20.12.2025;20;100"])
    report = import_file(content, "scores.csv", engine=engine)
    assert report.status == "imported"
    assert report.imported == 1
    assert report.duplicate_rows == [(3, "повтор строки 2")]
    assert stored_scores(engine) == [("T001", "post", 20.0, 100.0)]


def test_conflicting_rows_in_file_rejected(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100",
                                        "T001;Сферум;после;20.12.2025;21;100",
                                        "T002;Сферум;после;20.12.2025;15;100"])
    report = import_file(content, "scores.csv", engine=engine)
    assert report.status == "rejected"
    assert [(issue.row, issue.column, issue.value) for issue in report.rejected] == [
        (2, "Балл", "20"), (3, "Балл", "21")]
    message = report.rejected[1].message
    assert message.startswith("Файл scores.csv, строка 3, столбец «Балл»: оценка участника «T001» "
                              "по области «Сферум», этапу «после» за 20.12.2025")
    assert "строка 2 — 20 из 100; строка 3 — 21 из 100" in message
    assert "Оставьте одну строку с верным баллом" in message
    assert count(engine, "assessment") == 0


def test_conflicting_rows_skipped_with_skip_invalid(engine, tmp_path):
    import_file(participants_csv(), "participants.csv", engine=engine)
    path = tmp_path / "scores.csv"
    path.write_bytes(csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100",
                                               "T002;Сферум;после;20.12.2025;15;100",
                                               "T001;Сферум;после;20.12.2025;21;100"]))
    report = import_file(path, engine=engine, skip_invalid=True)
    # Neither score of T001 is written: the file does not say which one is right.
    assert report.status == "imported"
    assert report.imported == 1
    assert sorted(issue.row for issue in report.rejected) == [2, 4]
    assert stored_scores(engine) == [("T002", "post", 15.0, 100.0)]
    rejected_lines = (tmp_path / "scores.csv.rejected.csv").read_text("utf-8-sig").splitlines()
    assert len(rejected_lines) == 3


def test_conflicting_maximum_blames_maximum_column(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes(SCORES_HEADER, ["T001;Сферум;до;01.10.2025;20;100",
                                        "T001;Сферум;до;01.10.2025;20;50"])
    report = import_file(content, "scores.csv", engine=engine)
    assert [(issue.row, issue.column, issue.value) for issue in report.rejected] == [
        (2, "Максимум", "100"), (3, "Максимум", "50")]
    assert "строка 2 — 20 из 100; строка 3 — 20 из 50" in report.rejected[0].message


def test_stored_score_conflict_rejected(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    first = import_file(csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100"]),
                        "first.csv", engine=engine)
    assert first.imported == 1
    corrected = csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;21;100",
                                          "T002;Сферум;после;20.12.2025;15;100"])
    report = import_file(corrected, "corrected.csv", engine=engine)
    assert report.status == "rejected"
    (issue,) = report.rejected
    assert (issue.row, issue.column, issue.value) == (2, "Балл", "21")
    assert issue.message.startswith("Файл corrected.csv, строка 2, столбец «Балл»: оценка участника "
                                    "«T001» по области «Сферум», этапу «после» за 20.12.2025 уже "
                                    f"сохранена загрузкой №{first.import_id} (файл first.csv, ")
    assert "с баллом 20 из 100, а в этой строке 21 из 100" in issue.message
    assert "«Данные» → «Журнал загрузок» → «Отменить эту загрузку»" in issue.message
    assert stored_scores(engine) == [("T001", "post", 20.0, 100.0)]


def test_identical_stored_score_is_duplicate(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100"])
    import_file(content, "first.csv", engine=engine)
    again = import_file(content, "again.csv", engine=engine)
    assert again.status == "imported"
    assert (again.imported, again.duplicates, again.rejected) == (0, 1, [])


def test_corrected_score_imports_after_undo(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    first = import_file(csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;20;100"]),
                        "first.csv", engine=engine)
    corrected = csv_bytes(SCORES_HEADER, ["T001;Сферум;после;20.12.2025;21;100"])
    assert import_file(corrected, "corrected.csv", engine=engine).status == "rejected"
    undo_import(first.import_id, engine=engine)
    report = import_file(corrected, "corrected.csv", engine=engine)
    assert report.imported == 1
    assert stored_scores(engine) == [("T001", "post", 21.0, 100.0)]


# --- partial column mapping ---------------------------------------------------


def wide_table(rows: list[str], header: str = WIDE_HEADER):
    return read_table(csv_bytes(header, rows), "wide.csv")


def test_partial_mapping_matches_other_headers():
    table = wide_table(["T001;Сферум;20.12.2025;100;40;60"])
    validated = validate_table(table, "assessments", mapping=WIDE_MAPPING)
    assert validated.mapping == {"Балл / до": "score:pre", "Балл / после": "score:post",
                                 "Код": "code", "Область": "area", "Дата": "assessed_on",
                                 "Максимум": "max_score"}
    records = validated.records
    assert records["stage"].tolist() == ["pre", "post"]
    assert records["score"].tolist() == [40.0, 60.0]
    assert records["code"].tolist() == ["T001", "T001"]


def test_partial_mapping_ignore_keeps_column_out():
    table = wide_table(["T001;Сферум;20.12.2025;50;40;60"])
    validated = validate_table(table, "assessments", mapping={**WIDE_MAPPING, "Максимум": "ignore"},
                               defaults={"max_score": 100})
    assert "Максимум" not in validated.mapping
    assert validated.records["max_score"].tolist() == [100.0, 100.0]


def test_guessed_column_never_takes_mapped_field():
    table = read_table(csv_bytes("Код;Область;Этап;Дата;Балл;Итог;Максимум",
                                 ["T001;Сферум;до;20.12.2025;5;40;100"]), "scores.csv")
    validated = validate_table(table, "assessments", mapping={"Итог": "score"})
    assert validated.mapping["Итог"] == "score"
    assert "Балл" not in validated.mapping
    assert validated.records["score"].tolist() == [40.0]
    assert validated.notes == [
        "Столбец «Балл» не загружен: по заголовку он подходит полю «Балл», но поле «Балл» уже "
        "назначено столбцу «Итог». Если столбец нужен, сопоставьте его полю явно."]


def test_stage_scores_set_aside_score_column():
    table = read_table(csv_bytes("Код;Область;Этап;Дата;Балл;Максимум;Балл / до",
                                 ["T001;Сферум;после;20.12.2025;5;100;40"]), "scores.csv")
    validated = validate_table(table, "assessments", mapping={"Балл / до": "score:pre"})
    assert "Балл" not in validated.mapping
    assert "Этап" not in validated.mapping
    assert validated.records["stage"].tolist() == ["pre"]
    assert validated.records["score"].tolist() == [40.0]
    assert len(validated.notes) == 2
    assert "«Балл (до)», назначенным столбцу «Балл / до»" in validated.notes[0]


def test_guessed_code_set_aside_for_full_name(engine):
    import_file(participants_csv(), "participants.csv", engine=engine)
    content = csv_bytes("Код;ФИО педагога;Область;Этап;Дата;Балл;Максимум",
                        ["X999;Петрова Анна Сергеевна;Сферум;до;20.12.2025;40;100"])
    report = import_file(content, "names.csv", engine=engine, kind="assessments",
                         mapping={"ФИО педагога": "full_name"})
    assert report.status == "imported", [issue.message for issue in report.rejected]
    assert stored_scores(engine) == [("T001", "pre", 40.0, 100.0)]


def test_full_mapping_unchanged_by_guessing():
    """The «Данные» page maps every column; header matching must not add anything."""
    table = read_table(csv_bytes(SCORES_HEADER, ["T001;Сферум;до;20.12.2025;40;100"]), "s.csv")
    mapping = {"Код": "code", "Область": "area", "Этап": "ignore", "Дата": "assessed_on",
               "Балл": "score", "Максимум": "max_score"}
    validated = validate_table(table, "assessments", mapping=mapping, defaults={"stage": "после"})
    assert "Этап" not in validated.mapping
    assert validated.records["stage"].tolist() == ["post"]
    assert validated.notes == []


def test_partial_mapping_unknown_column_still_raises():
    table = wide_table(["T001;Сферум;20.12.2025;100;40;60"])
    with pytest.raises(ImportValidationError, match="нет столбцов «Балл до»"):
        validate_table(table, "assessments", mapping={"Балл до": "score:pre"})


def test_cli_partial_map_imports_wide_table(tmp_path):
    run_db(tmp_path, "init")
    people = tmp_path / "people.csv"
    people.write_bytes(participants_csv())
    assert run_db(tmp_path, "import", str(people)).returncode == 0
    scores = tmp_path / "wide.csv"
    scores.write_bytes(csv_bytes(WIDE_HEADER, ["T001;Сферум;20.12.2025;100;40;60",
                                               "T002;Сферум;20.12.2025;100;30;"]))
    result = run_db(tmp_path, "import", str(scores), "--kind", "assessments", "--json",
                    "--map", "Балл / до=score:pre", "--map", "Балл / после=score:post")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_total"], report["imported"], report["rejected"]) == (2, 2, [])
    assert report["detected"]["mapping"]["Код"] == "code"
    assert report["detected"]["mapping"]["Максимум"] == "max_score"


# --- file order from headers only ------------------------------------------------


def forbid(monkeypatch, name: str) -> None:
    def fail(*_args, **_kwargs):
        raise AssertionError(f"order.{name} must not be called")

    monkeypatch.setattr(order, name, fail)


def test_single_path_not_read(monkeypatch, tmp_path):
    forbid(monkeypatch, "read_header")
    forbid(monkeypatch, "read_table")
    path = tmp_path / "missing.csv"
    assert order.order_paths([path]) == [path]


def large_participants(tmp_path, encoding: str = "utf-8"):
    """A participants CSV far larger than the header probe, whose last line breaks CSV parsing."""
    rows = [f"T{i:05d};Педагог номер {i};наставляемый;Химия;4;;03.09.2024" for i in range(12_000)]
    rows.append('T99999;"Незакрытая кавычка;наставник;;;;01.09.2024')
    path = tmp_path / f"people-{encoding}.csv"
    path.write_bytes(csv_bytes(PARTICIPANTS_HEADER, rows, encoding))
    assert path.stat().st_size > 2 * order.HEADER_PROBE_BYTES
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
def test_large_csv_header_read_from_head(monkeypatch, tmp_path, encoding):
    path = large_participants(tmp_path, encoding)
    forbid(monkeypatch, "read_table")
    assert order.read_header(path) == PARTICIPANTS_HEADER.split(";")
    assert order.detect_file_kind(path) == "participants"


def test_head_failure_falls_back_to_full_read(tmp_path):
    # The header is on row 2999, below the probe: the head alone has no header.
    notes = [f"примечание {number:04d};" + "x" * 200 for number in range(2998)]
    path = tmp_path / "late-header.csv"
    path.write_bytes(csv_bytes(notes[0], [*notes[1:], PARTICIPANTS_HEADER,
                                          "T001;Петрова Анна;наставник;;;;01.09.2024"]))
    assert path.stat().st_size > 2 * order.HEADER_PROBE_BYTES
    assert order.read_header(path, header_row=2999) == PARTICIPANTS_HEADER.split(";")


@pytest.mark.parametrize("name", sorted(path.name for path in FIELD_INPUTS.iterdir()
                                        if path.suffix in (".csv", ".xlsx")
                                        and not path.name.endswith(".rejected.csv")))
def test_header_matches_full_read(name):
    path = FIELD_INPUTS / name
    assert order.read_header(path) == read_table(path.read_bytes(), name).columns


def two_sheet_workbook(path) -> None:
    """Assessments on the first sheet, participants under a title row on the second."""
    workbook = openpyxl.Workbook()
    scores = workbook.active
    scores.title = "Оценки"
    scores.append(SCORES_HEADER.split(";"))
    scores.append(["T001", "Сферум", "до", "01.10.2024", 40, 100])
    people = workbook.create_sheet("Участники")
    people.append(["Список участников"])
    people.append(PARTICIPANTS_HEADER.split(";"))
    people.append(["T001", "Петрова Анна Сергеевна", "наставник", "", "", "", "01.09.2024"])
    people.append(["T002", "Соколов Дмитрий Олегович", "наставляемый", "", "", "", "02.09.2024"])
    workbook.save(path)


def test_order_uses_sheet_and_header_row(monkeypatch, tmp_path):
    book = tmp_path / "book.xlsx"
    two_sheet_workbook(book)
    groups = tmp_path / "groups.csv"
    groups.write_bytes(GROUPS_CSV)
    forbid(monkeypatch, "read_table")
    assert order.order_paths([book, groups]) == [groups, book]
    assert order.order_paths([groups, book], sheet="Участники") == [book, groups]
    assert order.order_paths([groups, book], sheet="Участники", header_row=1) == [groups, book]
    assert order.order_paths([groups, book], sheet="Участники", header_row=2) == [book, groups]
    assert order.order_paths([groups, book], sheet="Лист9") == [groups, book]


def use_database(monkeypatch, tmp_path) -> None:
    """Point the command line at the `sqlite_engine` fixture's database file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'test.db'}")


def test_cli_passes_sheet_to_order(monkeypatch, tmp_path, sqlite_engine, capsys):
    use_database(monkeypatch, tmp_path)
    book = tmp_path / "book.xlsx"
    two_sheet_workbook(book)
    groups = tmp_path / "groups.csv"
    groups.write_bytes(GROUPS_CSV)
    calls = []
    real = order.read_header

    def counted(path, **options):
        calls.append((path.name, options))
        return real(path, **options)

    monkeypatch.setattr(order, "read_header", counted)
    status = cli.main(["import", str(groups), str(book), "--sheet", "Участники", "--json",
                       "--dry-run"])
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # groups.csv refers to T001 and T002, so it passes only after the participants of book.xlsx.
    assert [(report["file"], report["imported"]) for report in reports] == [
        ("book.xlsx", 2), ("groups.csv", 1)]
    assert status == 0
    assert calls == [(name, {"sheet": "Участники", "header_row": None, "header_depth": 1})
                     for name in ("groups.csv", "book.xlsx")]
    calls.clear()
    cli.main(["import", str(book), "--sheet", "Участники", "--dry-run"])
    assert calls == []


# --- grouped text report -------------------------------------------------------


def unknown_code_issues(file_name: str, rows: range, code: str = "Q999") -> list[CellIssue]:
    text = f"участник с кодом «{code}» не найден. Сначала загрузите файл участников или исправьте код."
    return [CellIssue(row, "Код", code, cell_message(file_name, row, "Код", text)) for row in rows]


def test_group_issues_lists_first_rows():
    issues = unknown_code_issues("bad.csv", range(2, 50_002))
    (group,) = group_issues(issues, "bad.csv")
    assert group.count == 50_000
    assert group.line("bad.csv") == (
        "Файл bad.csv, строки 2, 3, 4, 5, 6 и ещё 49 995, столбец «Код»: участник с кодом «Q999» "
        "не найден. Сначала загрузите файл участников или исправьте код.")


def test_group_issues_keeps_single_row_message():
    issues = unknown_code_issues("bad.csv", range(7, 8))
    (group,) = group_issues(issues, "bad.csv")
    assert group.line("bad.csv") == issues[0].message


def test_group_issues_separates_columns_and_reasons():
    issues = (unknown_code_issues("bad.csv", range(2, 5)) + unknown_code_issues("bad.csv", range(5, 7), "Q1")
              + [CellIssue(None, None, None, "Файл bad.csv: нет строк.")] * 2)
    lines = [group.line("bad.csv") for group in group_issues(issues, "bad.csv")]
    assert len(lines) == 3
    assert lines[0].startswith("Файл bad.csv, строки 2, 3, 4, столбец «Код»: участник с кодом «Q999»")
    assert lines[1].startswith("Файл bad.csv, строки 5, 6, столбец «Код»: участник с кодом «Q1»")
    assert lines[2] == "Файл bad.csv: нет строк. (повторов: 2)"


def test_print_report_limits_lines(capsys):
    report = ImportReport(file="bad.csv", kind="assessments", rows_total=50_025, status="rejected")
    report.rejected = unknown_code_issues("bad.csv", range(2, 50_002))
    for number in range(24):
        report.rejected += unknown_code_issues("bad.csv", range(50_002 + number, 50_003 + number),
                                               f"Q{number:03d}")
    cli._print_report(report, as_json=False)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 20 + 1
    assert "строки 2, 3, 4, 5, 6 и ещё 49 995" in lines[1]
    assert lines[-1].startswith("  Показаны 20 из 25 сообщений об ошибках.")
    cli._print_report(report, as_json=True)
    assert len(json.loads(capsys.readouterr().out)["rejected"]) == 50_024


def test_cli_text_report_groups_unknown_code(monkeypatch, tmp_path, sqlite_engine, capsys):
    use_database(monkeypatch, tmp_path)
    import_file(participants_csv(), "participants.csv", engine=sqlite_engine)
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(SCORES_HEADER, [f"Q999;Сферум;до;0{1 + i % 9}.10.2025;40;100"
                                               for i in range(3000)]))
    status = cli.main(["import", str(path), "--skip-invalid"])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert out[1] == ("  Файл bad.csv, строки 2, 3, 4, 5, 6 и ещё 2 995, столбец «Код»: участник с "
                      "кодом «Q999» не найден. Сначала загрузите файл участников или исправьте код.")
    assert [line for line in out if line.startswith("  Файл")] == [out[1]]
    assert out[-1] == f"  Строки с ошибками сохранены в {path}.rejected.csv"
    rejected = (tmp_path / "bad.csv.rejected.csv").read_text("utf-8-sig").splitlines()
    assert len(rejected) == 3001
