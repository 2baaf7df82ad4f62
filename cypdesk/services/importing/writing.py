"""Writing a planned import in one transaction, with the bookkeeping every edit has
(issue 9, item 2): new rows by a DB-API ``executemany`` on the transaction's connection
(values converted as a Core insert converts them), stamped with one
:func:`~cypdesk.model.tracking.row_stamps` per table, and one history line per table naming the
import (source, sheet; who and when are the line's author and time); each changed
field of an existing record with its field version and a history line, as a typed edit
would have; then the ``import_records`` row. :func:`revert` undoes all of it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cypdesk.model.base import new_id, utcnow
from cypdesk.model.system import History, Tombstone
from cypdesk.model.tracking import bulk_history, row_stamps, stamp_rows

BATCH = 5_000


WRITE_CACHE_KIB = 131_072  # SQLite's page cache while an import writes (its default is 2 MiB)


@contextmanager
def page_cache(conn: Any, kib: int = WRITE_CACHE_KIB) -> Iterator[None]:
    """SQLite's page cache at ``kib`` KiB on ``conn`` for the block, then as it was: an
    import of 200,000 rows outgrows the default 2 MiB, and each time the cache spills
    into the file mid-transaction the rollback journal is synced first (synchronous=EXTRA),
    which took about half the writing's wall time. The cache holds only pages in use."""
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    except BaseException:
        with suppress(Exception):  # the import's own error is the one to report
            conn.exec_driver_sql(f"PRAGMA cache_size={before}")
        raise
    conn.exec_driver_sql(f"PRAGMA cache_size={before}")


def _derived_columns(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Columns the model works out from others when the ORM sets them (a period's first
    day, ``@validates("period")``): bulk writes bypass the ORM, so they are set here."""
    if "period_start" in model.__table__.columns and values.get("period") is not None:
        return {"period_start": _period_start(values["period"])}
    return {}


@lru_cache(maxsize=4096)
def _period_start(key: str) -> Any:
    from cypdesk.model.base import period_key_and_start

    return period_key_and_start(key)[1]


def _note(plan: Any) -> str:
    table = plan.table
    return f"imported from {table.name}" + (f", sheet {table.sheet!r}" if table.sheet else "")


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        from cypdesk.services.importing.engine import Cancelled

        raise Cancelled("The import was cancelled: nothing was imported.")


def _insert(conn: Any, model: Any, rows: list[dict[str, Any]], stamps: dict[str, Any]) -> None:
    """New rows (dicts with their ids) with the batch's ``stamps``
    (:func:`~cypdesk.model.tracking.row_stamps`), in runs of rows with the same columns
    (a column left out takes its default), keeping the rows' order (a parent before the
    rows that name it)."""
    run: list[dict[str, Any]] = []
    keys: Any = None
    for row in rows:
        if keys is not None and (row.keys() != keys or len(run) >= BATCH):
            _insert_run(conn, model.__table__, run, stamps)
            run = []
        keys = row.keys()
        run.append(row)
    if run:
        _insert_run(conn, model.__table__, run, stamps)


_KEEPS_DISTINCT = (Date, DateTime)  # column types whose few distinct values are converted once each


def _insert_run(conn: Any, table: Any, run: list[dict[str, Any]], stamps: dict[str, Any]) -> None:
    """Rows with the same keys as one DB-API ``executemany`` on the transaction's
    connection: each value converted as SQLAlchemy's Core insert would convert it (the
    column type's bind processor), without its per-row parameter handling. A column left
    out takes its scalar default, or the database's; a default that must be called
    sends the run through the Core insert instead."""
    first = run[0]
    names = [name for name in first if name not in stamps]
    extra = dict(stamps)
    if "owner_org_id" in table.c and "owner_org_id" not in first:
        extra["owner_org_id"] = None
    for column in table.columns:
        if column.key in first or column.key in extra or column.default is None:
            continue  # a column without a Python default is left to the database
        if not column.default.is_scalar:
            conn.execute(table.insert(), [{**row, **stamps} for row in run])
            return
        extra[column.key] = column.default.arg
    dialect = conn.dialect
    processors = []
    for position, name in enumerate(names):
        process = table.c[name].type._cached_bind_processor(dialect)
        if process is not None:
            processors.append((position, process, {} if isinstance(table.c[name].type, _KEEPS_DISTINCT) else None))
    fixed = []
    for name, value in extra.items():
        process = table.c[name].type._cached_bind_processor(dialect)
        fixed.append(process(value) if process is not None and value is not None else value)
    fixed_values = tuple(fixed)
    get = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    params = []
    append = params.append
    for row in run:
        values = get(row)
        if processors:
            values = list(values)
            for position, process, seen in processors:
                value = values[position]
                if value is None:
                    continue
                if seen is None:
                    values[position] = process(value)
                else:
                    done = seen.get(value)
                    if done is None:
                        done = seen[value] = process(value)
                    values[position] = done
            append((*values, *fixed_values))
        else:
            append(values + fixed_values)
    quote = dialect.identifier_preparer.quote
    columns = [*names, *extra]
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", params)


def _field_changes(conn: Any, ws: Any, note: str, changes: list[tuple[str, str, str, str, Any, Any]]) -> None:
    """(table, id, title, field, old, new) written as an edit, through
    :func:`cypdesk.model.tracking.bulk_update` (the fields, the records' stamps, field
    versions and history lines), with the columns the model works out from a changed
    field (a period's first day): they are data a merge compares, so they are versioned
    with it, as an ORM edit versions them."""
    from cypdesk.model.registry import kind_of
    from cypdesk.model.tracking import bulk_update

    by_table: dict[str, list[tuple[str, str, str, Any, Any, str]]] = {}
    for table, record_id, title, name, old, new in changes:
        by_table.setdefault(table, []).append((record_id, name, str(title), old, new, note))
    for table, edits in by_table.items():
        model = kind_of(table)
        wanted = [(record_id, derived, title, why) for record_id, name, title, _old, new, why in edits
                  if (derived := _derived_columns(model, {name: new}))]
        if wanted:
            t = model.__table__
            columns = sorted({c for _id, derived, _t, _w in wanted for c in derived})
            ids = [w[0] for w in wanted]
            current: dict[str, Any] = {}
            for start in range(0, len(ids), BATCH):
                for row in conn.execute(select(t.c.id, *[t.c[c] for c in columns]).where(
                        t.c.id.in_(ids[start:start + BATCH]))).mappings():
                    current[row["id"]] = row
            edits = edits + [(record_id, c, title, current[record_id][c] if record_id in current else None, v, why)
                             for record_id, derived, title, why in wanted for c, v in derived.items()]
        for start in range(0, len(edits), BATCH):
            bulk_update(conn, ws.author, ws.clock, table, edits[start:start + BATCH])


def write_plan(conn: Any, ws: Any, plan: Any, digest: str, *, cancelled: Callable[[], bool] | None = None,
               progress: Callable[[int, int | None, str], None] | None = None) -> Any:
    """Write ``plan`` on ``conn`` (one transaction, ``ws.bulk()``); returns the
    :class:`~cypdesk.services.importing.engine.ImportUndo`."""
    from cypdesk.model.registry import RECORD_CLASSES
    from cypdesk.model.system import ImportRecord
    from cypdesk.services.importing.engine import ImportUndo

    author, clock = ws.author, ws.clock
    note = _note(plan)
    result = plan.result
    undo = ImportUndo(import_id=new_id(), source=plan.table.name)
    total = sum(len(rows) for rows in plan.inserts.values()) + len(plan.updates)
    done = 0
    for model in RECORD_CLASSES:
        rows = plan.inserts.get(model.__tablename__)
        if not rows:
            continue
        _check(cancelled)
        stamps = row_stamps(author, clock)
        for row in rows:
            if "id" not in row:
                row["id"] = new_id()
        if "period_start" in model.__table__.columns:  # what the model works out from a period
            for row in rows:
                period = row.get("period")
                if period is not None:
                    row["period_start"] = _period_start(period)
        title = model.__title__
        for start in range(0, len(rows), BATCH):
            _insert(conn, model, rows[start:start + BATCH], stamps)
            done += len(rows[start:start + BATCH])
            _check(cancelled)
            if progress is not None:
                progress(done, total, f"Adding {model.__label__ or model.__tablename__} records")
        bulk_history(conn, author, clock, model.__tablename__, len(rows), note)
        undo.added.extend((model.__tablename__, row["id"], str(row.get(title) or row["id"])) for row in rows)
    if plan.updates:
        _check(cancelled)
        changes = [(table, record_id, title, name, old, new)
                   for table, record_id, title, fields in plan.updates for name, (old, new) in fields.items()]
        _field_changes(conn, ws, note, changes)
        undo.changed = [(t, r, f, old, new) for t, r, _title, f, old, new in changes]
        if progress is not None:
            progress(total, total, "Changing records")
    _check(cancelled)
    record = stamp_rows([{
        "id": undo.import_id, "source_name": plan.table.name[:300], "source_sha256": digest,
        "sheet": (plan.table.sheet or None) and plan.table.sheet[:100], "kind": plan.kind,
        "mapping": json.dumps(plan.mapping.to_json(), ensure_ascii=False, default=str),
        "rows_read": result.rows_read, "rows_added": result.added, "rows_updated": result.changed,
        "rows_rejected": result.rejected, "rows_unchanged": result.unchanged, "layout": plan.table.layout,
    }], author, clock)
    conn.execute(ImportRecord.__table__.insert(), record)
    bulk_history(conn, author, clock, "import_records", 1, note)
    return undo


def revert(conn: Any, ws: Any, undo: Any) -> None:
    """Undo an import on ``conn`` (one transaction): changed fields back to their old
    values (as an edit, with versions and history), added records deleted children
    first (each with a tombstone and a history line holding it), the import record too."""
    from cypdesk.model.registry import kind_of

    author, clock = ws.author, ws.clock
    note = f"undo of the import of {undo.source}"
    if undo.changed:
        titles = {}
        changes = []
        for table, record_id, name, old, new in undo.changed:
            if (table, record_id) not in titles:
                model = kind_of(table)
                value = conn.execute(select(model.__table__.c[model.__title__]).where(
                    model.__table__.c.id == record_id)).scalar()
                titles[(table, record_id)] = value if value not in (None, "") else record_id
            changes.append((table, record_id, titles[(table, record_id)], name, new, old))
        _field_changes(conn, ws, note, changes)
    stamp, now = clock.tick(), utcnow()
    removed = [*reversed(undo.added), ("import_records", undo.import_id, undo.source)]
    tombstones, history = [], []
    for table, record_id, title in removed:
        t = kind_of(table).__table__
        row = conn.execute(select(t).where(t.c.id == record_id)).mappings().first()
        if row is None:
            continue
        conn.execute(t.delete().where(t.c.id == record_id))
        tombstones.append({"table_name": table, "record_id": record_id, "hlc": stamp, "author_id": author.id,
                           "deleted_at": now, "title": str(title)[:300]})
        history.append({"id": new_id(), "hlc": stamp, "at": now, "author_id": author.id, "author_name": author.name,
                        "op": "delete", "table_name": table, "record_id": record_id, "record_title": str(title)[:300],
                        "old_value": json.dumps(dict(row), default=str), "note": note})
    if tombstones:
        ts = sqlite_insert(Tombstone.__table__)
        ts = ts.on_conflict_do_update(index_elements=["table_name", "record_id"],
                                      set_={"hlc": ts.excluded.hlc, "author_id": ts.excluded.author_id,
                                            "deleted_at": ts.excluded.deleted_at})
        conn.execute(ts, tombstones)
        conn.execute(History.__table__.insert(), history)


def match_new_payments(conn: Any, ws: Any, undo: Any, result: Any, options: Any) -> None:
    """The payments the import added matched to suppliers and contracts
    (:func:`cypdesk.services.spend.match_payments`) in the import's own transaction:
    the import's undo deletes them, matches and all; the notes say what was matched."""
    from cypdesk.common.formats import plural
    from cypdesk.services.spend import match_payments

    new_ids = [record_id for table, record_id, _title in undo.added if table == "payments"]
    if not new_ids:
        return
    report = match_payments(ws, new_ids, session=conn, progress=options.progress)
    _check(options.cancelled)
    note = f"Payments matched: {report.contracts_matched:,} of the {plural(report.checked, 'new payment')} to a contract"
    if report.suppliers_matched:  # a spend file's supplier is usually found or made by the import itself
        note += f", {report.suppliers_matched:,} to a supplier organisation by its name"
    if report.unmatched:
        name = ws.doc.path.name if getattr(ws.doc, "path", None) else "FILE"
        note += (f"; {len(report.unmatched):,} left without a contract (cypdesk spend {_quoted(name)} --match "
                 "says why for each, and matches them again)")
    result.notes.append(note + ".")


def _quoted(name: str) -> str:
    return f'"{name}"' if any(ch.isspace() or ch in "'\"&|;()<>$`" for ch in name) else name


__all__ = ["match_new_payments", "page_cache", "revert", "write_plan"]
