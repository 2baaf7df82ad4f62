"""Change tracking: every write through an ORM session stamps the record, versions
each changed field with the clock, writes history naming the author, and leaves a
tombstone for each deletion. Bulk writers (the demo, imports) use :func:`stamp_rows`
and :func:`bulk_history` so a million rows cost one history line, not a million.

A session is made by :func:`make_session` with the author (an installation) and the
clock; a flush without them is refused, so no write path can skip the bookkeeping.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from cypdesk.common.hlc import Clock
from cypdesk.model.base import Record, new_id, utcnow
from cypdesk.model.changes import Author, ChangeSet
from cypdesk.model.fields import meta_of
from cypdesk.model.system import FieldVersion, History, InstallationSeen, Tombstone


class TrackedSession(Session):
    """An ORM session whose flushes are stamped and recorded (see module doc)."""

    @property
    def author(self) -> Author:
        return self.info["author"]

    @property
    def clock(self) -> Clock:
        return self.info["clock"]

    @property
    def changes(self) -> ChangeSet:
        return self.info.setdefault("changes", ChangeSet())


def make_session(bind: Engine | Connection, author: Author, clock: Clock, **kw: Any) -> TrackedSession:
    session = TrackedSession(bind=bind, info={"author": author, "clock": clock}, **kw)
    return session


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(value)


def _is_tracked_column(obj: Record, key: str) -> bool:
    column = obj.__table__.columns.get(key)
    if column is None:
        return False
    meta = meta_of(column)
    return meta is not None and not meta.system


@event.listens_for(TrackedSession, "before_flush")
def _before_flush(session: TrackedSession, flush_context: Any, instances: Any) -> None:
    author = session.info.get("author")
    clock = session.info.get("clock")
    if author is None or clock is None:
        raise RuntimeError("a write session needs an author and a clock")
    now = utcnow()
    changes = session.changes
    records: list[History] = []
    _note_installation(session, author, now)

    for obj in list(session.new):
        if not isinstance(obj, Record):
            continue
        stamp = clock.tick()
        if obj.id is None:
            obj.id = new_id()
        obj.created_hlc = obj.created_hlc or stamp
        obj.hlc = stamp
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.created_by = obj.created_by or author.id
        obj.updated_by = author.id
        table = obj.__tablename__
        records.append(History(hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="insert",
                               table_name=table, record_id=obj.id, record_title=_title(obj)))
        changes.added.append((table, obj.id))
        # A record deleted and then made again (undo of a delete) is alive once more.
        tomb = session.get(Tombstone, (table, obj.id))
        if tomb is not None:
            session.delete(tomb)

    for obj in list(session.dirty):
        if not isinstance(obj, Record) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        edited: list[tuple[str, Any, Any]] = []
        for attr in state.mapper.column_attrs:
            key = attr.key
            if not _is_tracked_column(obj, key):
                continue
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            edited.append((key, old, new))
        if not edited:
            continue
        stamp = clock.tick()
        table = obj.__tablename__
        for key, old, new in edited:
            version = session.get(FieldVersion, (table, obj.id, key))
            if version is None:
                session.add(FieldVersion(table_name=table, record_id=obj.id, field=key, hlc=stamp, author_id=author.id))
            else:
                version.hlc, version.author_id = stamp, author.id
            records.append(History(hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="update",
                                   table_name=table, record_id=obj.id, record_title=_title(obj), field=key,
                                   old_value=to_json(old), new_value=to_json(new)))
            changes.changed.append((table, obj.id, key))
        obj.hlc = stamp
        obj.updated_at = now
        obj.updated_by = author.id

    for obj in list(session.deleted):
        if not isinstance(obj, Record):
            continue
        stamp = clock.tick()
        table = obj.__tablename__
        tomb = session.get(Tombstone, (table, obj.id))
        if tomb is None:
            session.add(Tombstone(table_name=table, record_id=obj.id, hlc=stamp, author_id=author.id,
                                  deleted_at=now, title=_title(obj)))
        else:
            tomb.hlc, tomb.author_id, tomb.deleted_at = stamp, author.id, now
        snapshot = {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
        records.append(History(hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="delete",
                               table_name=table, record_id=obj.id, record_title=_title(obj),
                               old_value=json.dumps(snapshot, default=str)))
        changes.deleted.append((table, obj.id))

    session.add_all(records)


def _title(obj: Record) -> str:
    try:
        return obj.display_title()[:300]
    except Exception:  # a title must never stop a save
        return obj.id


def _note_installation(session: Session, author: Author, now: datetime) -> None:
    seen = session.info.get("installation_noted")
    if seen:
        return
    row = session.get(InstallationSeen, author.id)
    if row is None:
        session.add(InstallationSeen(id=author.id, user=author.user, host=author.host, first_seen=now, last_seen=now))
    else:
        row.last_seen = now
        row.user, row.host = author.user, author.host
    session.info["installation_noted"] = True


# --- bulk paths -----------------------------------------------------------------------

def row_stamps(author: Author, clock: Clock) -> dict[str, Any]:
    """The shared columns of a batch of new rows (clock stamps, times, author): one
    clock tick for the whole batch, as they were made together."""
    stamp = clock.tick()
    now = utcnow()
    return {"created_hlc": stamp, "hlc": stamp, "created_at": now, "updated_at": now,
            "created_by": author.id, "updated_by": author.id}


def stamp_rows(rows: Iterable[dict[str, Any]], author: Author, clock: Clock, *, owner_org_id: str | None = None) -> list[dict[str, Any]]:
    """Fill the shared columns of plain row dicts for a Core bulk insert (:func:`row_stamps`)."""
    shared = row_stamps(author, clock)
    out = []
    for row in rows:
        if "id" not in row:
            row["id"] = new_id()
        row.update(shared)
        row.setdefault("owner_org_id", owner_org_id)
        out.append(row)
    return out


def bulk_history(conn: Connection | Session, author: Author, clock: Clock, table: str, count: int, note: str) -> None:
    """One history line for a bulk insert (demo, import) of ``count`` rows."""
    stamp = clock.tick()
    now = utcnow()
    values = dict(id=new_id(), hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="bulk_insert",
                  table_name=table, note=f"{count} rows: {note}")
    conn.execute(History.__table__.insert().values(**values))
    exists = conn.execute(select(InstallationSeen.id).where(InstallationSeen.id == author.id)).first()
    if exists is None:
        conn.execute(InstallationSeen.__table__.insert().values(id=author.id, user=author.user, host=author.host,
                                                                first_seen=now, last_seen=now))


def bulk_update(conn: Connection | Session, author: Author, clock: Clock, table: str,
                edits: Iterable[tuple[str, str, str | None, Any, Any, str | None]]) -> int:
    """Change fields of many existing records with Core statements, writing all the
    bookkeeping an ORM flush writes: the record stamped, the field's version, and one
    history line per field, with its ``note`` (why an import or a matching run set it).
    For thousands of rows, where an ORM flush per row takes seconds.

    ``edits``: ``(record_id, field, record title, old value, new value, note)``; an
    edit whose old and new values are equal is left out. One clock tick for the batch:
    the edits were made together. Returns how many fields were changed."""
    from sqlalchemy import text

    rows = [e for e in edits if e[3] != e[4]]
    if not rows:
        return 0
    stamp = clock.tick()
    now = utcnow()
    by_field: dict[str, list[dict[str, Any]]] = {}
    for record_id, name, _title, _old, new, _note in rows:
        by_field.setdefault(name, []).append({"id": record_id, "v": new, "hlc": stamp, "at": now, "by": author.id})
    from sqlalchemy import bindparam

    from cypdesk.model import kind_of

    target = kind_of(table).__table__
    for name, params in by_field.items():  # typed binds: dates and times stored as the ORM stores them
        conn.execute(target.update().where(target.c.id == bindparam("_id")).values(
            {name: bindparam("v"), "hlc": bindparam("_hlc"), "updated_at": bindparam("_at"),
             "updated_by": bindparam("_by")}),
            [{"_id": p["id"], "v": p["v"], "_hlc": p["hlc"], "_at": p["at"], "_by": p["by"]} for p in params])
    conn.execute(text("INSERT INTO field_versions (table_name, record_id, field, hlc, author_id) "
                      "VALUES (:t, :id, :f, :hlc, :a) ON CONFLICT (table_name, record_id, field) "
                      "DO UPDATE SET hlc = excluded.hlc, author_id = excluded.author_id"),
                 [{"t": table, "id": r[0], "f": r[1], "hlc": stamp, "a": author.id} for r in rows])
    conn.execute(History.__table__.insert(), [
        dict(id=new_id(), hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="update",
             table_name=table, record_id=r[0], record_title=(r[2] or r[0])[:300], field=r[1],
             old_value=to_json(r[3]), new_value=to_json(r[4]), note=r[5]) for r in rows])
    exists = conn.execute(select(InstallationSeen.id).where(InstallationSeen.id == author.id)).first()
    if exists is None:
        conn.execute(InstallationSeen.__table__.insert().values(id=author.id, user=author.user, host=author.host,
                                                                first_seen=now, last_seen=now))
    return len(rows)


def latest_stamp(conn: Connection | Session) -> str | None:
    """The newest clock stamp in a document, so a clock opened on it moves past it."""
    return conn.execute(select(func.max(History.hlc))).scalar()
