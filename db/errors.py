"""Errors raised by the data layer; pages and the command line show their messages."""

from __future__ import annotations


class DataError(Exception):
    """Base class of the errors that `db` raises for bad input or a busy database."""


class ImportValidationError(DataError):
    """A file, or one cell of it, that cannot be imported as it is.

    `message` is the Russian text shown to the user: it names the file, row and
    column, quotes the value and states what to fix.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.value = value


class UnreadableFileError(ImportValidationError):
    """The bytes are not a CSV or XLSX table the reader understands."""


class UnknownKindError(ImportValidationError):
    """The headers match no import template, and no kind was given."""


class DatabaseBusyError(DataError):
    """Another import holds the write lock for longer than the wait allows."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or "База данных занята другим импортом, повторите через минуту."
        )


class UndoError(DataError):
    """An import cannot be undone (unknown id, already undone, or rows still in use)."""
