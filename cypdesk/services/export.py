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

from cypdesk.common.errors import CypdeskError, SaveFailed, UsageError, error_from, fault_class
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
    "contract_end": "date",  # services' "Contract end": a date (it went out as text before)
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
    path: str | Path, progress: Progress | None = None, partner: Any = None, contacts: bool = False,
) -> dict[str, Any]:
    """Export one table as the window shows it to ``path`` (``.xlsx`` or ``.csv``).

    ``conn``: the ``sqlite3`` connection the window's tables read (an engine or a
    workspace is also taken: a connection is drawn from it for the export).
    ``columns``, ``filter_text``, ``conditions``, ``sort_column`` and ``descending``
    are the window's table state, as :class:`TableQuery` takes them. Returns
    ``{"rows": n, "path": ...}``. Raises :class:`UsageError` for another extension or
    an unknown kind, :class:`ExportCancelled` when cancelled, ``SaveFailed`` when the
    file cannot be written (open in Excel, say).

    ``partner`` (a :class:`cypdesk.services.outward.Partner`): the copy is for that
    partner, and :func:`cypdesk.services.outward.redact_row` leaves out what it may not
    see: columns it may never see (contact details, unless ``contacts``) are dropped,
    confidential values are blank except on its own records, records marked
    confidential are left out. Without a partner, the full version (the trust's own
    use)."""
    from cypdesk.io.xlsx import Sheet, write_csv, write_xlsx

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"{target.name}: export to a .xlsx (Excel) or .csv file.", path=target)
    with sqlite_of(conn) as raw:
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
        keep = list(range(len(query.columns)))
        redact = None
        if partner is not None:
            from cypdesk.services import outward

            names = [c.name for c in query.columns]
            dropped = set(outward.never_visible(kind, names, contacts=contacts))
            keep = [i for i, n in enumerate(names) if n not in dropped]
            owned = outward.owned_ids(raw, kind, partner)
            hidden = _confidential_ids(raw, kind)

            def redact(record_id: str, values: list[Any]) -> list[Any] | None:
                row = dict(zip(names, values))
                if record_id in hidden:
                    row["confidential"] = True
                out = outward.redact_row(kind, row, owned=record_id in owned, contacts=contacts)
                return None if out is None else [out[n] for n in names]

        headers = [query.columns[i].label for i in keep]
        kinds = [WRITER_KIND.get(query.columns[i].kind, "text") for i in keep]
        label = _label(kind)
        rows = _rows(query, total, kind.replace("_", " "), progress, redact, keep)
        if suffix == ".xlsx":
            result = write_xlsx(target, [Sheet(label, headers, rows, kinds)])
            count = result["sheets"][0]["rows"]
        else:
            count = write_csv(target, headers, rows, kinds)["rows"]
    if progress is not None:
        progress.report(count, total, f"Exported {count:,} rows to {target.name}.")
    return {"rows": count, "path": str(target.resolve())}


def export_file(document: str | Path, table: str, out: str | Path, *, for_org: str | None = None,
                contacts: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """The command line's export: ``table`` of the document at ``document`` (read-only,
    never changed: a hot journal or WAL mode is read through a private copy) to
    ``out`` (``.xlsx`` or ``.csv``, written atomically beside itself), with the columns
    and headers the window shows; ``for_org`` (a partner's name or id) leaves out what
    that partner may not see (:mod:`cypdesk.services.outward`). Returns ``{"table",
    "rows", "path", "for"}``. A missing, foreign or damaged document raises the usual
    errors; a fault writing ``out`` is the fault's error (``disk_full``, ...) naming it."""
    from cypdesk.model.catalog import CATALOG
    from cypdesk.model.reading import read_only_connection
    from cypdesk.services import outward
    from cypdesk.services.tables import window_columns

    src = Path(document).absolute()
    target = Path(out).absolute()
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{target.name}: export to a .xlsx (Excel) or .csv file.", path=target)
    if table not in CATALOG:
        raise UsageError(f"There is no table called {table!r}; cypdesk export --list shows the tables.")
    if target == src:
        raise UsageError(f"Export to a new file, not {src.name} itself.", path=target)
    with read_only_connection(src) as (conn, _r):
        try:
            partner = outward.find_partner(conn, for_org) if for_org is not None else None
            result = export_table(conn, table, columns=window_columns(table), path=target,
                                  progress=progress, partner=partner, contacts=contacts)
        except SaveFailed as exc:
            fault = os_fault(exc)
            if fault is None:
                raise
            raise error_from(fault, path=target, doing="write", base=SaveFailed,
                             consequence="Nothing was written; the document has not been changed.") from exc
        except OSError as exc:
            raise error_from(exc, path=target, doing="write", base=SaveFailed,
                             consequence="Nothing was written; the document has not been changed.") from exc
        except sqlite3.Error as exc:
            raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc
    result.update({"table": table, "for": None if partner is None else {"id": partner.id, "name": partner.name}})
    return result


def list_tables(document: str | Path | None = None) -> dict[str, Any]:
    """The tables ``export`` can write, with their row counts when a document is given:
    ``{"tables": [{"table", "label", "rows"}], "path"}``."""
    from cypdesk.model.catalog import CATALOG

    counts: dict[str, int] = {}
    path = None
    if document is not None:
        from cypdesk.services.documents import document_info

        info = document_info(document)
        counts, path = info["counts"], info["path"]
    tables = [{"table": kind, "label": _label(kind), "rows": counts.get(kind) if path else None}
              for kind in CATALOG]
    return {"tables": tables, "path": path}


def os_fault(exc: BaseException) -> BaseException | None:
    """The ``OSError`` of the file layer behind a wrapped error (its cause, context, or
    the first argument xlsxwriter's ``FileCreateError`` keeps), if any."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen or not isinstance(e, BaseException):
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and fault_class(e) is not None:
            return e
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
    return None


def _label(kind: str) -> str:
    """The sheet's name: the table's name as the command line writes it, in words."""
    return kind.replace("_", " ").capitalize()


def _confidential_ids(conn: sqlite3.Connection, kind: str) -> set[str]:
    """The ids of records marked confidential (kinds with a ``confidential`` yes/no field)."""
    from cypdesk.model.catalog import CATALOG

    if not any(f["name"] == "confidential" and f["kind"] == "bool" for f in CATALOG[kind]["fields"]):
        return set()
    return {r[0] for r in conn.execute(f'SELECT id FROM "{kind}" WHERE confidential')}


def _rows(query: TableQuery, total: int, words: str, progress: Progress | None,
          redact: Any = None, keep: list[int] | None = None) -> Iterator[list[Any]]:
    convert = [_converter(c) for c in query.columns]
    done = 0
    if progress is not None:
        progress.report(0, total, f"Exporting {words}: 0 of {total:,} rows")
    for page in query.stream(PAGE):
        if progress is not None and progress.cancelled():
            raise ExportCancelled("The export was cancelled; no file was written.")
        for record_id, values in page:
            if redact is not None:
                values = redact(record_id, list(values))
                if values is None:
                    continue
            row = [f(v) for f, v in zip(convert, values)]
            yield row if keep is None else [row[i] for i in keep]
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
    if kind in ("date", "contract_end"):
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


class sqlite_of:
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


__all__ = ["ExportCancelled", "PAGE", "Progress", "export_file", "export_table", "list_tables", "os_fault", "sqlite_of"]
