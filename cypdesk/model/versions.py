"""Versions and what a file has seen: the bookkeeping a merge reads.

**Versions.** Every stamp is an HLC string (:mod:`cypdesk.common.hlc`): it sorts in time
order and its last 32 hex digits are the installation (node) that made it. The version
of a record's field is its ``field_versions.hlc``, else the record's ``created_hlc``: a
field a bulk insert wrote (the demo, an import) has the record's creation stamp, a
bulk update stamps ``field_versions`` (:func:`cypdesk.model.tracking.bulk_update`).
The document's settings are versioned under table ``"document"``, record
``"settings"`` (:data:`SETTINGS_TABLE`, :data:`SETTINGS_RECORD`); a setting with no
row has version ``hlc.ZERO``.

**What a file has seen** is its version vector: for each node, the greatest stamp of
that node in the file's ``history`` (:func:`version_vector`). Every write leaves a
history line stamped at least as late as the versions it wrote (tracking does), and a
merge copies the partner's history lines, so vectors grow by union. "A has seen
stamp s" is ``vv_A[node(s)] >= s`` (:func:`has_seen`). Copies of one file share a
vector; a file copied by email and edited by two installations diverges by node, so
copies and three-way exchanges find their common state without any reference to
document ids. Known limit: one installation editing two copies of one file in parallel
makes its own edits look seen to the other copy; the later-clock rule still converges.

**What merges.** :func:`merged_fields` is the columns a merge compares field by field:
every field that is not bookkeeping, plus ``owner_org_id`` (handing a record to another
partner is an edit), plus the system fields that are really data (``data=True`` in
their declaration: a paper snapshot, an import's mapping, an appendix's options, a
period's start). Never ``id``, ``created_*``, ``updated_*`` or ``hlc``. The document's
own ``id`` and ``owner_org_id`` never merge; its other settings merge field by field
(:data:`SETTINGS_FIELDS`).

**A deleted record against a live one** (:func:`deletion_outcome`): the deleting side
had seen the live record's latest change (its ``hlc``): the deletion wins silently. The
live side had seen the deletion and changed the record later: that is a restore (an
undo of a delete re-creates the record with a stamp later than its tombstone and
removes the tombstone, history op ``"restore"``), and the record wins silently.
Otherwise neither saw the other: a ``delete_edit`` conflict, decided by the later
stamp (edit later: kept and flagged; deletion later: deleted, the edit stays in
history).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from cypdesk.common.hlc import STAMP_LENGTH, ZERO
# NEVER_MERGED: columns never merged, whatever their declaration says; DOCUMENT_OWN: the
# document's own columns (each file keeps its own); SETTINGS_FIELDS: its other columns,
# merged field by field. Plain data (the catalog), so the merge need not import the ORM.
from cypdesk.model.kindinfo import DOCUMENT_OWN, NEVER_MERGED, SETTINGS_FIELDS

SETTINGS_TABLE = "document"
SETTINGS_RECORD = "settings"

_NODE_DIGITS = 32
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MERGED: dict[type, tuple[str, ...]] = {}  # merged_fields, per mapped class


# --- stamps and vectors ---------------------------------------------------------------------

def node_of_stamp(stamp: str) -> str:
    """The installation (32 hex digits) that made ``stamp``."""
    if not isinstance(stamp, str) or len(stamp) != STAMP_LENGTH:
        raise ValueError(f"not a clock stamp: {stamp!r}")
    return stamp[-_NODE_DIGITS:]


def _schema(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return schema


def _query(conn: Any, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (named ``:params``) over a sqlite3 connection or a SQLAlchemy
    Connection or Session."""
    params = dict(params or {})
    if isinstance(conn, sqlite3.Connection):
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    from sqlalchemy import text

    return [tuple(r) for r in conn.execute(text(sql), params).all()]


def version_vector(conn: Any, *, schema: str = "main") -> dict[str, str]:
    """node -> the greatest stamp of that node in the file's history (see module doc).
    ``conn``: a sqlite3 connection or a SQLAlchemy Connection or Session; ``schema``
    names an ATTACHed file to read instead of ``main``."""
    s = _schema(schema)
    rows = _query(conn, f"SELECT substr(hlc, {STAMP_LENGTH - _NODE_DIGITS + 1}) AS node, max(hlc) FROM {s}.history "
                        f"WHERE length(hlc) = {STAMP_LENGTH} GROUP BY node")
    return {node: stamp for node, stamp in rows}


def has_seen(vv: Mapping[str, str], stamp: str | None) -> bool:
    """Whether a file whose version vector is ``vv`` has seen ``stamp``. No stamp (or
    ``hlc.ZERO``, a setting never set) has been seen by every file. A value that is not
    a stamp raises ValueError (a partner's file holding one is refused first:
    ``cypdesk.services.exchange.intake.malformed_stamps``)."""
    if not stamp or stamp == ZERO:
        return True
    seen = vv.get(node_of_stamp(stamp))
    return seen is not None and seen >= stamp


def union(*vectors: Mapping[str, str]) -> dict[str, str]:
    """The vector of a file that has seen everything each of ``vectors`` has seen."""
    out: dict[str, str] = {}
    for vv in vectors:
        for node, stamp in vv.items():
            if stamp > out.get(node, ""):
                out[node] = stamp
    return out


# --- what merges ----------------------------------------------------------------------------

def is_merged_field(model: type, name: str) -> bool:
    """Whether column ``name`` of ``model`` is compared field by field (see module doc)."""
    if name in NEVER_MERGED:
        return False
    if getattr(model, "__tablename__", None) == SETTINGS_TABLE:
        return name in SETTINGS_FIELDS
    column = model.__table__.columns.get(name)
    if column is None:
        return False
    from cypdesk.model.fields import meta_of

    meta = meta_of(column)
    if meta is None:
        return False
    return name == "owner_org_id" or not meta.system or meta.data


def merged_fields(model: type) -> tuple[str, ...]:
    """The columns of a Record kind a merge compares field by field, in table order:
    every non-system field, ``owner_org_id``, and the ``data=True`` system fields.
    For ``DocumentInfo``: :data:`SETTINGS_FIELDS`. (Without the mapped classes:
    :data:`cypdesk.model.kindinfo.KIND_INFO`'s ``merged``, the same names.)"""
    found = _MERGED.get(model)
    if found is None:
        found = _MERGED[model] = tuple(c.key for c in model.__table__.columns if is_merged_field(model, c.key))
    return found


# --- reading versions -----------------------------------------------------------------------

def field_version_sql(table: str, field: str, *, alias: str = "r", schema: str = "main") -> str:
    """A SQL expression for the version of ``field`` of the row ``alias`` of ``table``
    (its ``field_versions`` stamp, else the row's ``created_hlc``) in ``schema``. The
    names are checked: only identifiers go into the text."""
    for name in (table, field, alias):
        _schema(name)
    s = _schema(schema)
    return (f"COALESCE((SELECT fv.hlc FROM {s}.field_versions AS fv WHERE fv.table_name = '{table}' "
            f"AND fv.record_id = {alias}.id AND fv.field = '{field}'), {alias}.created_hlc)")


def record_versions(conn: Any, table: str, *, ids: Iterable[str] | None = None,
                    schema: str = "main") -> dict[str, dict[str, str]]:
    """record id -> {field: version} of every merged field of each record of ``table``
    (all of them, or those in ``ids``), by the rule of the module doc."""
    from cypdesk.model.registry import KINDS

    model = KINDS[table]
    names = merged_fields(model)
    s = _schema(schema)
    _schema(table)
    wanted = None if ids is None else list(ids)
    out: dict[str, dict[str, str]] = {}
    chunks = [None] if wanted is None else [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
    for chunk in chunks:
        where = "" if chunk is None else " WHERE id IN (" + ", ".join(f":i{n}" for n in range(len(chunk))) + ")"
        params = {} if chunk is None else {f"i{n}": v for n, v in enumerate(chunk)}
        for rid, created in _query(conn, f"SELECT id, created_hlc FROM {s}.{table}{where}", params):
            out[rid] = dict.fromkeys(names, created)
        fwhere = "" if chunk is None else " AND record_id IN (" + ", ".join(f":i{n}" for n in range(len(chunk))) + ")"
        for rid, name, stamp in _query(conn, f"SELECT record_id, field, hlc FROM {s}.field_versions "
                                             f"WHERE table_name = :t{fwhere}", {**params, "t": table}):
            if rid in out and name in out[rid]:
                out[rid][name] = stamp
    return out


def settings_versions(conn: Any, *, schema: str = "main") -> dict[str, str]:
    """setting -> its version (``hlc.ZERO`` for a setting never set)."""
    s = _schema(schema)
    out = dict.fromkeys(SETTINGS_FIELDS, ZERO)
    for name, stamp in _query(conn, f"SELECT field, hlc FROM {s}.field_versions WHERE table_name = :t "
                                    f"AND record_id = :r", {"t": SETTINGS_TABLE, "r": SETTINGS_RECORD}):
        if name in out:
            out[name] = stamp
    return out


def uncovered_stamps(conn: Any, *, schema: str = "main", limit: int = 20) -> list[tuple[str, str, str]]:
    """Stamps in the file that its own version vector does not cover (a write that left
    no history line): ``(where, id, stamp)``, at most ``limit``. Empty for a sound file;
    tests and checks read it."""
    from cypdesk.model.registry import KINDS

    vv = version_vector(conn, schema=schema)
    s = _schema(schema)
    out: list[tuple[str, str, str]] = []

    def check(where: str, rows: list[tuple[Any, ...]]) -> None:
        for rid, stamp in rows:
            if stamp and len(stamp) == STAMP_LENGTH and not has_seen(vv, stamp) and len(out) < limit:
                out.append((where, str(rid), stamp))

    check("field_versions", _query(conn, f"SELECT table_name || '/' || record_id || '/' || field, hlc "
                                         f"FROM {s}.field_versions"))
    check("tombstones", _query(conn, f"SELECT table_name || '/' || record_id, hlc FROM {s}.tombstones"))
    for table in KINDS:
        check(table, _query(conn, f"SELECT id, max(created_hlc, hlc) FROM {s}.{table}"))
    return out


# --- the rule for a deleted record against a live one ---------------------------------------

def deletion_outcome(record_hlc: str, tombstone_hlc: str, vv_live: Mapping[str, str],
                     vv_deleting: Mapping[str, str]) -> str:
    """What becomes of a record live on one side (latest change ``record_hlc``, the
    side's vector ``vv_live``) and deleted on the other (``tombstone_hlc``, vector
    ``vv_deleting``): ``"delete"`` (silently), ``"keep"`` (silently: a restore),
    ``"conflict_keep"`` or ``"conflict_delete"`` (a delete_edit conflict and what the
    later-stamp rule chooses). The same answer whichever side is ours."""
    if has_seen(vv_deleting, record_hlc):
        return "delete"
    if has_seen(vv_live, tombstone_hlc) and record_hlc > tombstone_hlc:
        return "keep"
    return "conflict_keep" if record_hlc > tombstone_hlc else "conflict_delete"


__all__ = [
    "DOCUMENT_OWN", "NEVER_MERGED", "SETTINGS_FIELDS", "SETTINGS_RECORD", "SETTINGS_TABLE", "deletion_outcome",
    "field_version_sql", "has_seen", "is_merged_field", "merged_fields", "node_of_stamp", "record_versions",
    "settings_versions", "uncovered_stamps", "union", "version_vector",
]
