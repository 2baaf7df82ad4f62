"""Change tracking: every write through an ORM session stamps the record, versions
each changed field with the clock, writes history naming the author, and leaves a
tombstone for each deletion. Bulk writers (the demo, imports) use :func:`stamp_rows`
and :func:`bulk_history` so a million rows cost one history line, not a million.

A session is made by :func:`make_session` with the author (an installation) and the
clock; a flush without them is refused, so no write path can skip the bookkeeping.

**What is versioned**: every field a merge compares (:func:`cypdesk.model.versions.
merged_fields`): the fields people edit, a record's ``owner_org_id`` (handing a record
to another partner is an edit) and the system fields that are really data
(``data=True``). The document's settings are versioned under table ``"document"``,
record ``"settings"`` (:func:`record_settings`).

**The version rule** (what a merge reads; see :mod:`cypdesk.model.versions`): the
version of a field is its ``field_versions`` stamp, else its record's ``created_hlc``.
So a bulk insert (the demo, an import's new rows: :func:`stamp_rows`) writes no
``field_versions`` rows: every field it wrote has the record's creation stamp. A bulk
change of existing rows (:func:`bulk_update`, :func:`bulk_set_owner`) stamps
``field_versions`` for each field it changed. Every write leaves a history line
stamped at or after the versions it wrote (bulk writes: :func:`bulk_history`, one
line, ticked after the rows' stamp), so the file's version vector covers every stamp
in it (``versions.uncovered_stamps`` is empty).

**The restore rule**: undoing a delete re-creates the record through a session. A
record added while its tombstone is here is a restore: the clock first moves past the
tombstone's stamp, the record gets a new ``hlc`` later than the deletion (its
``created_hlc`` and its fields' versions stay what they were), the tombstone is
removed and history says ``"restore"``. A partner's stale copy of the tombstone then
loses to the record: the restoring side has seen the deletion and changed the record
later (``versions.deletion_outcome`` says ``"keep"``); and a partner that never saw
the deletion has nothing to undo.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from cypdesk.common.hlc import STAMP_LENGTH, Clock
from cypdesk.model.base import Record, new_id, utcnow
from cypdesk.model.changes import Author, ChangeSet
from cypdesk.model.system import FieldVersion, History, InstallationSeen, Tombstone
from cypdesk.model.versions import SETTINGS_RECORD, SETTINGS_TABLE, is_merged_field


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
    """Versioned and recorded in history: the fields a merge compares."""
    return is_merged_field(type(obj), key)


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
        if obj.id is None:
            obj.id = new_id()
        table = obj.__tablename__
        # A record deleted and then made again (undo of a delete) is alive once more:
        # a restore, stamped later than its deletion (the restore rule, module doc).
        tomb = session.get(Tombstone, (table, obj.id))
        if tomb is not None and isinstance(tomb.hlc, str) and len(tomb.hlc) == STAMP_LENGTH:
            clock.observe(tomb.hlc)
        stamp = clock.tick()
        obj.created_hlc = obj.created_hlc or stamp
        obj.hlc = stamp
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.created_by = obj.created_by or author.id
        obj.updated_by = author.id
        records.append(History(hlc=stamp, at=now, author_id=author.id, author_name=author.name,
                               op="insert" if tomb is None else "restore",
                               table_name=table, record_id=obj.id, record_title=_title(obj),
                               note=None if tomb is None else f"deleted {tomb.hlc}"))
        changes.added.append((table, obj.id))
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


def bulk_set_owner(conn: Connection | Session, author: Author, clock: Clock, table: str, ids: Iterable[str],
                   owner_org_id: str | None, *, note: str) -> int:
    """Hand the records ``ids`` of ``table`` to the partner ``owner_org_id`` in SQL (an
    organisation merged away may own thousands): each record stamped, its owner's
    version in ``field_versions`` and one history line per record saying from whom to
    whom (``note``: why). One clock tick for the batch. Returns how many changed."""
    from sqlalchemy import bindparam, text

    from cypdesk.model import kind_of

    model = kind_of(table)
    target = model.__table__
    title = target.c[model.__title__] if model.__title__ in target.c else target.c.id
    wanted = list(ids)
    rows: list[tuple[str, str | None, str | None]] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows.extend((r[0], r[1], r[2]) for r in conn.execute(
            select(target.c.id, target.c.owner_org_id, title).where(target.c.id.in_(chunk))).all()
            if r[1] != owner_org_id)
    if not rows:
        return 0
    stamp = clock.tick()
    now = utcnow()
    conn.execute(target.update().where(target.c.id == bindparam("_id")).values(
        owner_org_id=bindparam("_owner"), hlc=bindparam("_hlc"), updated_at=bindparam("_at"),
        updated_by=bindparam("_by")),
        [{"_id": r[0], "_owner": owner_org_id, "_hlc": stamp, "_at": now, "_by": author.id} for r in rows])
    conn.execute(text("INSERT INTO field_versions (table_name, record_id, field, hlc, author_id) "
                      "VALUES (:t, :id, 'owner_org_id', :hlc, :a) ON CONFLICT (table_name, record_id, field) "
                      "DO UPDATE SET hlc = excluded.hlc, author_id = excluded.author_id"),
                 [{"t": table, "id": r[0], "hlc": stamp, "a": author.id} for r in rows])
    conn.execute(History.__table__.insert(), [
        dict(id=new_id(), hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="update",
             table_name=table, record_id=r[0], record_title=str(r[2] or r[0])[:300], field="owner_org_id",
             old_value=to_json(r[1]), new_value=to_json(owner_org_id), note=note) for r in rows])
    _note_installation_core(conn, author, now)
    return len(rows)


def _note_installation_core(conn: Connection | Session, author: Author, now: datetime) -> None:
    exists = conn.execute(select(InstallationSeen.id).where(InstallationSeen.id == author.id)).first()
    if exists is None:
        conn.execute(InstallationSeen.__table__.insert().values(id=author.id, user=author.user, host=author.host,
                                                                first_seen=now, last_seen=now))


def record_settings(conn: Connection | Session, author: Author, stamp: str,
                    changed: dict[str, tuple[Any, Any]], *, note: str | None = None) -> None:
    """Version and record changed document settings (``changed``: setting -> (old, new)
    as history should show them): each gets ``stamp`` in ``field_versions`` under table
    ``"document"``, record ``"settings"``, and a history line. The settings row itself
    is the caller's to write."""
    from sqlalchemy import text

    if not changed:
        return
    now = utcnow()
    conn.execute(text("INSERT INTO field_versions (table_name, record_id, field, hlc, author_id) "
                      "VALUES (:t, :r, :f, :hlc, :a) ON CONFLICT (table_name, record_id, field) "
                      "DO UPDATE SET hlc = excluded.hlc, author_id = excluded.author_id"),
                 [{"t": SETTINGS_TABLE, "r": SETTINGS_RECORD, "f": name, "hlc": stamp, "a": author.id}
                  for name in changed])
    conn.execute(History.__table__.insert(), [
        dict(id=new_id(), hlc=stamp, at=now, author_id=author.id, author_name=author.name, op="update",
             table_name=SETTINGS_TABLE, record_id=SETTINGS_RECORD, record_title="Document settings", field=name,
             old_value=to_json(old), new_value=to_json(new), note=note) for name, (old, new) in changed.items()])
    _note_installation_core(conn, author, now)


def latest_stamp(conn: Connection | Session) -> str | None:
    """The newest clock stamp in a document, so a clock opened on it moves past it."""
    return conn.execute(select(func.max(History.hlc))).scalar()
