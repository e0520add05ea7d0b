"""Widgets of the «Данные» page: preview, per-row report, import log, templates."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import streamlit as st

from dashboard.ui import fmt_date, fmt_int
from db.import_log import accounted_rows
from db.importing.load import ImportReport
from db.importing.preview import Preview
from db.importing.templates import KIND_TITLES, KINDS, template_workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTCOME_LABELS = {
    "imported": "загружена",
    "duplicate": "повтор",
    "skipped": "пропущена",
    "rejected": "отклонена",
    "converted": "преобразовано значение",
}
STATUS_LABELS = {
    "imported": "загружен",
    "rejected": "отклонён",
    "dry_run": "проверка без записи",
    "undone": "отменён",
}
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 с BOM",
    "cp1251": "Windows-1251",
}


def upload_labels(names: list[str]) -> list[str]:
    """Label each uploaded file uniquely, for its heading and its widget keys.

    A name that occurs once is its own label, so its widget keys match earlier
    runs. When several uploads share a name, the first keeps the bare name and
    the next ones get « (2)», « (3)» and so on, in upload order.
    """
    used_labels = set(names)
    seen: Counter[str] = Counter()
    labels = []
    for name in names:
        seen[name] += 1
        if seen[name] == 1:
            labels.append(name)
            continue
        number = seen[name]
        label = f"{name} ({number})"
        while label in used_labels:  # another upload may already have this name
            number += 1
            label = f"{name} ({number})"
        used_labels.add(label)
        labels.append(label)
    return labels


def render_preview(preview: Preview) -> None:
    """Show what the reader detected, before anything is written."""
    kind = preview.kind_title or "не распознан"
    cols = st.columns(4)
    cols[0].metric("Вид данных", kind)
    cols[1].metric("Строк с данными", fmt_int(preview.rows))
    if preview.file_format == "xlsx":
        cols[2].metric("Лист", preview.sheet or "—")
        cols[3].metric("Строки заголовка", ", ".join(str(r) for r in preview.header_rows) or "—")
    else:
        cols[2].metric("Кодировка", ENCODING_LABELS.get(preview.encoding or "", preview.encoding or "—"))
        cols[3].metric("Разделитель", {";": "точка с запятой", ",": "запятая", "\t": "табуляция"}.get(
            preview.delimiter or "", preview.delimiter or "—"))
    details = []
    if preview.decimal_mark:
        details.append(f"десятичный знак: «{preview.decimal_mark}»")
    if preview.date_format:
        details.append(f"формат дат: {preview.date_format}")
    if preview.blank_rows:
        details.append(f"пустых строк: {len(preview.blank_rows)} (будут пропущены)")
    if details:
        st.caption("Распознано: " + "; ".join(details) + ".")
    for warning in preview.warnings:
        st.warning(warning)
    st.dataframe(cells_as_shown(preview.first_rows), hide_index=True)
    if preview.problems:
        st.error(
            f"При проверке найдено строк с ошибками: {len(preview.problems)}. "
            "Без «Пропустить ошибочные строки» файл не будет загружен."
        )
        for problem in preview.problems[:10]:
            st.markdown(f"- {problem}")


ISSUE_COLUMNS = {"row": "Строка", "column": "Столбец", "value": "Значение", "message": "Что исправить",
                 "outcome": "Итог"}


def _cell_text(value) -> str:
    """Format a cell of the file as a Russian spreadsheet shows it."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M" if value.time() != dt.time(0) else "%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def cells_as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Format every cell as text, because a column of a hand-kept Excel log may mix dates,
    numbers and text, which a typed table cannot display."""
    return frame.apply(lambda column: column.map(_cell_text)).astype(str)


def render_report(report: ImportReport) -> None:
    """The per-file outcome after an import: counts, then each rejected cell."""
    status = STATUS_LABELS.get(report.status, report.status)
    text = (
        f"**{report.file}** — {status}. Строк: {fmt_int(report.rows_total)}; загружено: "
        f"{fmt_int(report.imported)}; повторов: {fmt_int(report.duplicates)}; пропущено: "
        f"{fmt_int(report.skipped)}; отклонено строк: {fmt_int(report.rejected_rows)}."
    )
    if report.status == "imported" and not report.rejected:
        st.success(text)
    elif report.status == "imported":
        st.warning(text)
    else:
        st.error(text + " Ничего не записано: исправьте строки ниже и загрузите файл снова.")
    if report.rejected:
        st.dataframe(
            pd.DataFrame([issue.as_json() for issue in report.rejected]).rename(columns=ISSUE_COLUMNS),
            hide_index=True,
        )
    if report.converted:
        with st.expander(f"Преобразованные значения: {len(report.converted)}"):
            st.dataframe(
                pd.DataFrame([issue.as_json() for issue in report.converted]).rename(
                    columns=ISSUE_COLUMNS), hide_index=True
            )
    for warning in report.warnings:
        st.info(warning)
    if report.reviews:
        st.info(
            f"Не удалось однозначно определить респондентов: {len(report.reviews)}. "
            "Они в списке на проверку ниже."
        )


def render_log(log: pd.DataFrame) -> None:
    if log.empty:
        st.info("Загрузок ещё не было.")
        return
    table = pd.DataFrame({
        "№": log["import_id"],
        "Файл": log["file_name"],
        "Вид": log["kind"].map(lambda k: KIND_TITLES.get(k, k)),
        "Статус": log["status"].map(lambda s: STATUS_LABELS.get(s, s)),
        "Дата": log["started_at"].map(fmt_date),
        "Строк": log["rows_total"],
        "Загружено": log["imported"],
        "Повторов": log["duplicates"],
        "Пропущено": log["skipped"],
        "Отклонено": log["rejected"],
    })
    st.dataframe(table, hide_index=True)


def render_outcomes(outcomes: pd.DataFrame, status: str | None = None) -> None:
    """Show what happened to each row of one import, with a notice when the import was undone."""
    if status == "undone":
        st.info("Эта загрузка отменена: строки ниже были загружены, а при отмене удалены из базы.")
    if outcomes.empty:
        st.caption("По этой загрузке нет построчных записей.")
        return
    covered = accounted_rows(outcomes)
    st.caption(
        f"Учтено строк файла: {fmt_int(covered)}. Подряд идущие строки с одинаковым итогом "
        "показаны одной записью «первая–последняя»."
    )
    rows = [
        str(first) if first == last else f"{first}–{last}"
        for first, last in zip(outcomes["row"], outcomes["row_last"], strict=True)
    ]
    table = pd.DataFrame({
        "Строки": rows,
        "Итог": outcomes["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)),
        "Столбец": outcomes["column"].fillna(""),
        "Значение": outcomes["value"].fillna(""),
        "Пояснение": outcomes["message"].fillna(""),
    })
    st.dataframe(table, hide_index=True)


def render_templates() -> None:
    st.write(
        "Пустые шаблоны Excel: первая строка — названия столбцов, на втором листе — "
        "пояснения и допустимые значения."
    )
    cols = st.columns(len(KINDS))
    for col, kind in zip(cols, KINDS, strict=True):
        col.download_button(
            KIND_TITLES[kind],
            data=template_workbook(kind),
            file_name=f"шаблон_{kind}.xlsx",
            mime=XLSX_MIME,
            key=f"template_{kind}",
        )
