"""Export a table exactly as the window shows it (DESIGN.md section 6): the same
:class:`~cypdesk.services.tables.TableQuery`, so the same columns under the same header
labels, the same filter and the same order, to Excel or CSV.

Rows are read a page at a time (:data:`PAGE` rows) and streamed into the writer, so
memory stays flat whatever the table's size, and no read transaction is held between
pages (the rollback journal would otherwise keep the window from saving edits during
a long export). Values go out typed: choice values as their labels (as the window
shows them), references as the referenced record's title (``TableQuery`` selects the
title), money, numbers and percentages as numbers, dates as dates, yes/no fields as
Yes/No; financial years and periods as the text the window shows ("2025-26").

Long exports run off the UI thread with a progress object (``report(done, total,
text)`` and ``cancelled()``); cancelling leaves no file behind (and an existing file
of that name untouched).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from cypdesk.common.errors import CypdeskError, UsageError
from cypdesk.services.tables import Column, TableQuery, display

PAGE = 5_000

# TableQuery column kinds -> the writer's column kinds (cypdesk.io.xlsx.COLUMN_KINDS).
WRITER_KIND = {
    "money": "money",
    "percent": "percent",
    "number": "number",
    "integer": "integer",
    "quarter": "integer",
    "date": "date",
    "datetime": "datetime",
    "bool": "bool",
}


class Progress(Protocol):
    def report(self, done: int, total: int, text: str) -> None: ...

    def cancelled(self) -> bool: ...


class ExportCancelled(CypdeskError):
    """The user cancelled an export; nothing was written."""

    code = "cancelled"


def export_table(
    conn: Any, kind: str, *, columns: list[str] | None = None, filter_text: str = "",
    conditions: dict[str, Any] | None = None, sort_column: int | None = None, descending: bool = False,
    path: str | Path, progress: Progress | None = None,
) -> dict[str, Any]:
    """Export one table as the window shows it to ``path`` (``.xlsx`` or ``.csv``).

    ``conn``: the ``sqlite3`` connection the window's tables read (an engine or a
    workspace is also taken: a connection is drawn from it for the export).
    ``columns``, ``filter_text``, ``conditions``, ``sort_column`` and ``descending``
    are the window's table state, as :class:`TableQuery` takes them. Returns
    ``{"rows": n, "path": ...}``. Raises :class:`UsageError` for another extension or
    an unknown kind, :class:`ExportCancelled` when cancelled, ``SaveFailed`` when the
    file cannot be written (open in Excel, say)."""
    from cypdesk.io.xlsx import Sheet, write_csv, write_xlsx

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"{target.name}: export to a .xlsx (Excel) or .csv file.", path=target)
    with _sqlite(conn) as raw:
        try:
            query = TableQuery(raw, kind, columns)
        except KeyError as exc:
            raise UsageError(f"There is no table called {kind!r} (or it has no column {exc.args[0]!r}).") from None
        query.set_filter(filter_text or "", **(conditions or {}))
        query.set_sort(sort_column, descending)
        try:
            total = query.count()
        except KeyError as exc:
            raise UsageError(f"The {kind} table has no column {exc.args[0]!r} to filter on.") from None
        headers = [c.label for c in query.columns]
        kinds = [WRITER_KIND.get(c.kind, "text") for c in query.columns]
        label = _label(kind)
        rows = _rows(query, total, kind.replace("_", " "), progress)
        if suffix == ".xlsx":
            result = write_xlsx(target, [Sheet(label, headers, rows, kinds)])
            count = result["sheets"][0]["rows"]
        else:
            count = write_csv(target, headers, rows, kinds)["rows"]
    if progress is not None:
        progress.report(count, total, f"Exported {count:,} rows to {target.name}.")
    return {"rows": count, "path": str(target.resolve())}


def _label(kind: str) -> str:
    """The sheet's name: the table's name as the command line writes it, in words."""
    return kind.replace("_", " ").capitalize()


def _rows(query: TableQuery, total: int, words: str, progress: Progress | None) -> Iterator[list[Any]]:
    convert = [_converter(c) for c in query.columns]
    done = 0
    if progress is not None:
        progress.report(0, total, f"Exporting {words}: 0 of {total:,} rows")
    for page in query.stream(PAGE):
        if progress is not None and progress.cancelled():
            raise ExportCancelled("The export was cancelled; no file was written.")
        for _id, values in page:
            yield [f(v) for f, v in zip(convert, values)]
        done += len(page)
        if progress is not None:
            progress.report(done, total, f"Exporting {words}: {done:,} of {total:,} rows")
    if progress is not None and progress.cancelled():
        raise ExportCancelled("The export was cancelled; no file was written.")


def _converter(column: Column) -> Any:
    """A function from a stored value to the value the file holds."""
    kind = column.kind
    if column.choices is not None:
        return lambda v: None if v is None else column.choices.get(v, str(v))
    if kind in ("money", "number", "percent"):
        return lambda v: None if v is None else (float(v) if isinstance(v, (int, float)) else v)
    if kind in ("integer", "quarter"):
        return lambda v: v
    if kind == "bool":
        return lambda v: None if v is None else bool(v)
    if kind == "date":
        return lambda v: None if v is None else _date(v)
    if kind == "datetime":
        return lambda v: None if v is None else _datetime(v)
    if kind in ("financial_year", "period"):
        return lambda v: None if v is None else display(column, v)
    return lambda v: v if v is None or isinstance(v, str) else str(v)


def _date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)


def _datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)


class _sqlite:
    """The ``sqlite3`` connection to read through: the one given, or one drawn from an
    engine (or a workspace's document) for the length of the export."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self._fairy: Any = None

    def __enter__(self) -> sqlite3.Connection:
        if isinstance(self.source, sqlite3.Connection):
            return self.source
        doc = getattr(self.source, "doc", None)
        engine = doc.engine if doc is not None else self.source
        if not hasattr(engine, "raw_connection"):
            raise TypeError(f"cannot export through {type(self.source).__name__}")
        self._fairy = engine.raw_connection()
        return self._fairy.driver_connection

    def __exit__(self, *exc: object) -> None:
        if self._fairy is not None:
            self._fairy.close()


__all__ = ["ExportCancelled", "PAGE", "Progress", "export_table"]
