"""Organisations and people as reference data: what uses one, refusing to delete one
that records use (or moving those records to another organisation first), merging two
duplicates, and finding possible duplicates by name.

**Uses.** A record uses an organisation through a reference field that points at
organisations (a service's provider, a commissioner's share, a contract's holder...)
or as the partner that owns it (``owner_org_id``). :func:`usage` counts them by kind,
and :func:`describe_usage` says it in words: "3 services it provides and 1 person who
works there". The record of a past merge (``organisation_merges``) is not a use.

**Merging.** :func:`merge_organisations` moves every reference from the duplicate to
the survivor, fills the survivor's blank fields from the duplicate (and keeps any
"partner", "provider", "SME" or "VCSE" mark either had), deletes the duplicate and
records ``organisation_merges`` (merged id -> survivor), so a partner's file that
still points at the duplicate can be redirected (:func:`redirect_organisation`).
Where both organisations were on the same link (both commissioners of one service,
both partners in one pooled budget, both contributing in one year, both seats on a
team for the same person) the two become one: shares, cash and in-kind values are
added together. :func:`reassign_and_delete` does the same moves for an organisation
that is not a duplicate, without the merge record.

Each returns an :class:`OrganisationChange` that :func:`undo` takes back exactly and
:func:`redo` does again, so the window's undo stack holds them like any edit.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field as dc_field
from typing import Any

from cypdesk.common.errors import RecordInUse, RecordNotFound, ValidationError
from cypdesk.common.names import normalise_name
from cypdesk.model.catalog import CATALOG

MERGES = "organisation_merges"

# (table, column) -> what one and several such uses are called, for sentences.
USE_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("services", "provider_id"): ("service it provides", "services it provides"),
    ("service_commissioners", "organisation_id"): ("service it commissions", "services it commissions"),
    ("contracts", "contracting_org_id"): ("contract it holds", "contracts it holds"),
    ("payments", "payer_id"): ("payment it made", "payments it made"),
    ("people", "organisation_id"): ("person who works there", "people who work there"),
    ("memberships", "organisation_id"): ("seat on a team", "seats on teams"),
    ("agreements", "host_id"): ("pooled budget it hosts", "pooled budgets it hosts"),
    ("agreement_partners", "organisation_id"): ("pooled budget it is a partner in", "pooled budgets it is a partner in"),
    ("contributions", "organisation_id"): ("contribution to a pooled budget", "contributions to pooled budgets"),
    ("*", "owner_org_id"): ("record it owns as a partner", "records it owns as a partner"),
    ("teams", "lead_id"): ("team they lead", "teams they lead"),
    ("memberships", "person_id"): ("seat on a team", "seats on teams"),
    ("agreements", "manager_id"): ("pooled budget they manage", "pooled budgets they manage"),
    ("actions", "owner_id"): ("action they own", "actions they own"),
    ("risks", "owner_id"): ("risk they own", "risks they own"),
    ("papers", "author_id"): ("board paper they wrote", "board papers they wrote"),
}

# Link rows that become one when both organisations were on them: the columns that
# say which link it is (besides the organisation) and the amounts added together.
COMBINE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "service_commissioners": (("service_id",), ("share_pct",)),
    "agreement_partners": (("agreement_id",), ("overspend_pct", "underspend_pct")),
    "contributions": (("agreement_id", "financial_year"), ("cash", "in_kind_fte", "in_kind_value")),
    "memberships": (("team_id", "person_id"), ()),
}
PERCENT_CAP = {"share_pct", "overspend_pct", "underspend_pct"}  # added shares stay within 100%

FLAGS = ("is_partner", "is_provider", "is_sme", "is_vcse")


@dataclass(frozen=True)
class Use:
    table: str  # "*" for records owned as a partner, of any kind
    column: str
    count: int
    words: str  # "3 services it provides"


@dataclass
class OrganisationChange:
    """A merge or a reassign-and-delete, with what :func:`undo` needs."""

    op: str  # "merge" or "reassign"
    merged_id: str  # the organisation deleted
    survivor_id: str  # the one its records now point at
    title: str  # "Merge “A” into “B”"
    removed: list[tuple[str, dict[str, Any]]] = dc_field(default_factory=list)  # rows deleted, in order
    updated: list[tuple[str, str, str, Any]] = dc_field(default_factory=list)  # (table, id, column, old value)
    created: list[tuple[str, str]] = dc_field(default_factory=list)  # (table, id) made by the operation
    moved: list[Use] = dc_field(default_factory=list)  # what was moved, by kind
    owned: list[tuple[str, list[str]]] = dc_field(default_factory=list)  # (table, ids) whose owner moved

    @property
    def summary(self) -> str:
        moved = describe_usage(self.moved)
        return f"{self.title}: moved {moved}." if moved else f"{self.title}: nothing used it."


# --- reading ---------------------------------------------------------------------------

def _rows(source: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a query on a sqlite3 connection (the window's reader), a Workspace, or
    a SQLAlchemy session or connection: the same SQL for each."""
    params = params or {}
    if isinstance(source, sqlite3.Connection):
        return [tuple(r) for r in source.execute(sql, params).fetchall()]
    from sqlalchemy import text

    if hasattr(source, "read") and hasattr(source, "doc"):  # a Workspace
        with source.read() as session:
            return [tuple(r) for r in session.execute(text(sql), params).all()]
    return [tuple(r) for r in source.execute(text(sql), params).all()]


def reference_columns(target: str) -> list[tuple[str, str]]:
    """(table, column) of every field that points at ``target`` ("organisations" or
    "people"), bookkeeping left out; the record of past merges left out too."""
    out = []
    for kind, spec in CATALOG.items():
        for f in spec["fields"]:
            if f["kind"] == "reference" and f.get("references") == target and not f.get("system") and kind != MERGES:
                out.append((kind, f["name"]))
    return out


def _words(table: str, column: str, count: int) -> str:
    words = USE_WORDS.get((table, column))
    if words is None:
        label = CATALOG[table]["label"] if table in CATALOG else table
        field_label = next((f["label"] for f in CATALOG.get(table, {}).get("fields", []) if f["name"] == column), column)
        words = (f"{label} (as {field_label.lower()})", f"{label}s (as {field_label.lower()})")
    return f"{count:,} {words[0] if count == 1 else words[1]}"


def usage(source: Any, kind: str, record_id: str, *, owned: bool = True) -> list[Use]:
    """What uses an organisation or a person (``kind``: "organisations" or "people"),
    counted by kind of use; kinds with none are left out. ``owned=False`` leaves out
    the records an organisation owns as a partner: counting those reads every table
    whole (half a second in a million-row document), too slow for each selection."""
    found: list[Use] = []
    for table, column in reference_columns(kind):
        count = _rows(source, f'SELECT count(*) FROM "{table}" WHERE "{column}" = :id', {"id": record_id})[0][0]
        if count:
            found.append(Use(table, column, count, _words(table, column, count)))
    order = list(USE_WORDS)
    found.sort(key=lambda u: order.index((u.table, u.column)) if (u.table, u.column) in order else len(order))
    if kind == "organisations" and owned:
        count = sum(_rows(source, f'SELECT count(*) FROM "{t}" WHERE owner_org_id = :id', {"id": record_id})[0][0]
                    for t in CATALOG)
        if count:
            found.append(Use("*", "owner_org_id", count, _words("*", "owner_org_id", count)))
    return found


def describe_usage(uses: list[Use]) -> str:
    """"3 services it provides, 2 contracts it holds and 1 person who works there"."""
    words = [u.words for u in uses]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _title(source: Any, kind: str, record_id: str) -> str:
    rows = _rows(source, f'SELECT "{CATALOG[kind]["title"]}" FROM "{kind}" WHERE id = :id', {"id": record_id})
    if not rows:
        raise RecordNotFound(f"There is no {CATALOG[kind]['label']} with id {record_id}.", id=record_id)
    return str(rows[0][0] or record_id)


# --- possible duplicates ------------------------------------------------------------------

@dataclass(frozen=True)
class DuplicatePair:
    keep_id: str  # the one suggested to keep: referred to by more records, else the older
    keep_name: str
    merge_id: str
    merge_name: str
    uses_keep: int
    uses_merge: int


def use_counts(source: Any) -> dict[str, int]:
    """How many records refer to each organisation (records it owns as a partner left
    out, as :func:`usage` with ``owned=False``)."""
    counts: dict[str, int] = {}
    for table, column in reference_columns("organisations"):
        for org_id, n in _rows(source, f'SELECT "{column}", count(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
                                       f'GROUP BY "{column}"'):
            counts[org_id] = counts.get(org_id, 0) + n
    return counts


def find_duplicates(source: Any) -> list[DuplicatePair]:
    """Pairs of organisations whose names are the same once normalised
    (:func:`cypdesk.common.names.normalise_name`), in name order."""
    orgs = _rows(source, "SELECT id, name, created_at FROM organisations ORDER BY name COLLATE NOCASE, id")
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for row in orgs:
        key = normalise_name(row[1])
        if key:
            groups.setdefault(key, []).append(row)
    counts = use_counts(source) if any(len(g) > 1 for g in groups.values()) else {}
    pairs: list[DuplicatePair] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        ranked = sorted(group, key=lambda r: (-counts.get(r[0], 0), str(r[2] or ""), r[0]))
        keep = ranked[0]
        for other in ranked[1:]:
            pairs.append(DuplicatePair(keep[0], keep[1], other[0], other[1],
                                       counts.get(keep[0], 0), counts.get(other[0], 0)))
    return sorted(pairs, key=lambda p: (p.keep_name.casefold(), p.merge_name.casefold()))


# --- redirecting old ids --------------------------------------------------------------------

def organisation_redirects(source: Any, *, schema: str = "main") -> dict[str, str]:
    """Every merged organisation's id -> the id of the organisation it now lives on
    (following merges of merges). ``schema``: an ATTACHed file's merges instead."""
    direct = dict(_rows(source, f"SELECT merged_id, survivor_id FROM {_schema_name(schema)}.{MERGES}"))
    out = {}
    for merged in direct:
        out[merged] = _follow(direct, merged)
    return out


def _follow(direct: dict[str, str], org_id: str) -> str:
    seen = {org_id}
    current = org_id
    while current in direct:
        nxt = direct[current]
        if nxt in seen:  # a loop (two partners merged each way): stop where it closes
            break
        seen.add(nxt)
        current = nxt
    return current


def redirect_organisation(source: Any, org_id: str) -> str:
    """The id an organisation now has: its own, or, if it was merged into another (and
    that perhaps into a third), the survivor's. For a partner's file made before a
    merge: its references to the merged organisation are redirected here."""
    direct = dict(_rows(source, f"SELECT merged_id, survivor_id FROM {MERGES}"))
    return _follow(direct, org_id)


def organisation_columns() -> list[tuple[str, str]]:
    """(table, column) of every column of a record that names an organisation: the
    reference fields, each kind's owner (``owner_org_id``) and a merge record's
    survivor; never a merge record's ``merged_id`` (the old id itself)."""
    out = reference_columns("organisations")
    out += [(kind, "owner_org_id") for kind in CATALOG]
    out.append((MERGES, "survivor_id"))
    return out


def _schema_name(schema: str) -> str:
    if not schema.isidentifier():
        raise ValueError(f"not a schema name: {schema!r}")
    return schema


def references_to_redirect(conn: sqlite3.Connection, schema: str = "main",
                           redirects: dict[str, str] | None = None) -> list[tuple[str, str, str, str, str]]:
    """``(table, record id, column, old id, new id)`` for every reference in the file
    ``schema`` of ``conn`` (``"main"``, or an ATTACHed partner file: read only) to an
    organisation that ``redirects`` (default: ``organisation_redirects(conn)``, this
    document's merges, partner's merge records already merged in) says now lives on
    another. For a merge: rows taken from a partner's file that still point at an
    organisation merged away are redirected to the survivor (DESIGN.md s5)."""
    s = _schema_name(schema)
    moves = organisation_redirects(conn) if redirects is None else dict(redirects)
    if not moves:
        return []
    tables = {r[0] for r in conn.execute(f"SELECT name FROM {s}.sqlite_schema WHERE type = 'table'")}
    out: list[tuple[str, str, str, str, str]] = []
    old_ids = sorted(moves)
    for table, column in organisation_columns():
        if table not in tables:
            continue
        for start in range(0, len(old_ids), 500):
            chunk = old_ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for record_id, old in conn.execute(f'SELECT id, "{column}" FROM {s}."{table}" '
                                               f'WHERE "{column}" IN ({marks}) ORDER BY id', chunk):
                if moves[old] != old:
                    out.append((table, record_id, column, old, moves[old]))
    return out


def redirect_references(conn: sqlite3.Connection, schema: str = "main",
                        redirects: dict[str, str] | None = None) -> int:
    """Point every reference in ``schema`` (a writable file: a merge's private copy of
    the partner's rows) that :func:`references_to_redirect` finds at the survivor, in
    the caller's transaction, without bookkeeping of its own (the caller versions what
    it takes into the document). Returns how many references moved."""
    s = _schema_name(schema)
    found = references_to_redirect(conn, schema, redirects)
    by_column: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table, record_id, column, _old, new in found:
        by_column.setdefault((table, column), []).append((new, record_id))
    for (table, column), pairs in by_column.items():
        conn.executemany(f'UPDATE {s}."{table}" SET "{column}" = ? WHERE id = ?', pairs)
    return len(found)


# --- changing ---------------------------------------------------------------------------------

def _snapshot(record: Any) -> dict[str, Any]:
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}


def _move_references(session: Any, change: OrganisationChange, from_id: str, to_id: str) -> None:
    """Point everything at ``from_id`` at ``to_id`` instead (see the module doc)."""
    from sqlalchemy import select

    from cypdesk.model import KINDS
    from cypdesk.model.system import DocumentInfo

    moved: dict[tuple[str, str], int] = {}
    for table, column in [*reference_columns("organisations"), (MERGES, "survivor_id")]:
        model = KINDS[table]
        attr = getattr(model, column)
        keys = COMBINE[table][0] if table in COMBINE else None
        twins: dict[tuple[Any, ...], Any] = {}  # the survivor's own links, by what they link
        if keys is not None:
            for row in session.scalars(select(model).where(attr == to_id).order_by(model.id)):
                twins.setdefault(tuple(getattr(row, k) for k in keys), row)
        with session.no_autoflush:
            for row in session.scalars(select(model).where(attr == from_id).order_by(model.id)).all():
                moved[(table, column)] = moved.get((table, column), 0) + 1
                if keys is not None:
                    key = tuple(getattr(row, k) for k in keys)
                    if key in twins:
                        _combine(session, change, row, twins[key])
                        continue
                    twins[key] = row
                change.updated.append((table, row.id, column, from_id))
                setattr(row, column, to_id)
        session.flush()
    # Records it owns as a partner: perhaps thousands of rows, so moved in SQL with only
    # their ids kept for undo; handing a record to another partner is an edit that
    # merges, so each is versioned and in history (tracking.bulk_set_owner).
    from cypdesk.model.tracking import bulk_set_owner

    owned = 0
    for table, model in KINDS.items():
        ids = list(session.scalars(select(model.id).where(model.owner_org_id == from_id)))
        if ids:
            bulk_set_owner(session, session.author, session.clock, table, ids, to_id, note=change.title)
            change.owned.append((table, ids))
            owned += len(ids)
    session.expire_all()  # rows already loaded see the new owner
    for info in session.scalars(select(DocumentInfo).where(DocumentInfo.owner_org_id == from_id)).all():
        change.updated.append(("document", info.id, "owner_org_id", from_id))
        info.owner_org_id = to_id
    session.flush()
    order = list(USE_WORDS)
    change.moved = [Use(t, c, n, _words(t, c, n)) for (t, c), n in
                    sorted(moved.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
                    if t != MERGES]
    if owned:
        change.moved.append(Use("*", "owner_org_id", owned, _words("*", "owner_org_id", owned)))


def _combine(session: Any, change: OrganisationChange, row: Any, twin: Any) -> None:
    """The survivor is already on the same link as ``row`` (``twin``): add ``row``'s
    amounts to the twin's and delete ``row``."""
    _keys, amounts = COMBINE[row.__tablename__]
    for name in amounts:
        mine, theirs = getattr(twin, name), getattr(row, name)
        if theirs is None:
            continue
        total = (mine or 0) + theirs
        if name in PERCENT_CAP:
            total = min(total, 100.0)
        if total != mine:
            change.updated.append((row.__tablename__, twin.id, name, mine))
            setattr(twin, name, total)
    change.removed.append((row.__tablename__, _snapshot(row)))
    session.delete(row)


def _load_pair(session: Any, from_id: str, to_id: str, what: str) -> tuple[Any, Any]:
    from cypdesk.model import Organisation

    if from_id == to_id:
        raise ValidationError(f"An organisation cannot be {what} itself.", field="survivor_id")
    source = session.get(Organisation, from_id)
    target = session.get(Organisation, to_id)
    for org_id, org in ((from_id, source), (to_id, target)):
        if org is None:
            raise RecordNotFound(f"There is no organisation with id {org_id}.", id=org_id)
    return source, target


def _delete_org(session: Any, change: OrganisationChange, org: Any) -> None:
    left = usage(session, "organisations", org.id)
    if left:  # every reference was moved: anything left is a fault, not a cascade to run
        raise RecordInUse(f"“{org.name}” is still used by {describe_usage(left)}; nothing was changed.",
                          uses=[u.words for u in left])
    change.removed.append(("organisations", _snapshot(org)))
    session.delete(org)
    session.flush()


def merge_organisations(ws: Any, merged_id: str, survivor_id: str) -> OrganisationChange:
    """Merge the duplicate ``merged_id`` into ``survivor_id`` (see the module doc)."""
    from cypdesk.model import KINDS
    from cypdesk.model.base import link_id, new_id
    from cypdesk.services.records import editable_fields

    with ws.write() as session:
        merged, survivor = _load_pair(session, merged_id, survivor_id, "merged into")
        change = OrganisationChange("merge", merged_id, survivor_id, f"Merge “{merged.name}” into “{survivor.name}”")
        _move_references(session, change, merged_id, survivor_id)
        for name in editable_fields(KINDS["organisations"]):
            mine, theirs = getattr(survivor, name), getattr(merged, name)
            if name in FLAGS:
                if theirs and not mine:
                    change.updated.append(("organisations", survivor_id, name, mine))
                    setattr(survivor, name, True)
            elif mine in (None, "") and theirs not in (None, ""):
                change.updated.append(("organisations", survivor_id, name, mine))
                setattr(survivor, name, theirs)
        merged_name = merged.name
        _delete_org(session, change, merged)
        record_id = link_id(MERGES, merged_id)
        if session.get(KINDS[MERGES], record_id) is not None:
            record_id = new_id()
        session.add(KINDS[MERGES](id=record_id, merged_id=merged_id, merged_name=merged_name,
                                  survivor_id=survivor_id, owner_org_id=survivor.owner_org_id))
        session.flush()
        change.created.append((MERGES, record_id))
    return change


def reassign_and_delete(ws: Any, org_id: str, to_id: str) -> OrganisationChange:
    """Move everything that uses ``org_id`` to ``to_id``, then delete ``org_id``."""
    with ws.write() as session:
        org, target = _load_pair(session, org_id, to_id, "reassigned to")
        change = OrganisationChange("reassign", org_id, to_id, f"Delete “{org.name}”, its records moved to “{target.name}”")
        _move_references(session, change, org_id, to_id)
        _delete_org(session, change, org)
    return change


def delete_organisation(ws: Any, org_id: str) -> Any:
    """Delete an organisation nothing uses (a :class:`~cypdesk.services.records.Change`);
    one that records use is refused with what uses them, and nothing changes."""
    from cypdesk.services import records

    name = _title(ws, "organisations", org_id)
    uses = usage(ws, "organisations", org_id)
    if uses:
        raise RecordInUse(f"“{name}” was not deleted: it is used by {describe_usage(uses)}. "
                          "Move them to another organisation first, or merge it into the one it duplicates.",
                          id=org_id, uses=[u.words for u in uses])
    return records.delete(ws, "organisations", org_id)


def undo(ws: Any, change: OrganisationChange) -> None:
    """Take a merge or reassignment back: the deleted rows return with their ids (a
    restore: stamped later than their deletion, tombstones removed), every moved
    reference and added amount is put back, and the merge record goes (tombstoned)."""
    from cypdesk.model import KINDS
    from cypdesk.model.system import DocumentInfo
    from cypdesk.model.tracking import bulk_set_owner

    with ws.write() as session:
        # The organisation first (it was removed last), then its links in one go.
        for table, values in sorted(reversed(change.removed), key=lambda tv: tv[0] != "organisations"):
            model = KINDS[table]
            session.add(model(**{k: v for k, v in values.items() if k not in ("hlc", "updated_at", "updated_by")}))
            if table == "organisations":
                session.flush()
        session.flush()
        with session.no_autoflush:  # one flush for them all, not one per row read
            for table, record_id, column, old in reversed(change.updated):
                row = session.get(DocumentInfo if table == "document" else KINDS[table], record_id)
                if row is not None:
                    setattr(row, column, old)
        session.flush()
        for table, ids in change.owned:
            bulk_set_owner(session, session.author, session.clock, table, ids, change.merged_id,
                           note=f"undo of: {change.title}")
        session.expire_all()
        for table, record_id in change.created:
            row = session.get(KINDS[table], record_id)
            if row is not None:
                session.delete(row)


def redo(ws: Any, change: OrganisationChange) -> OrganisationChange:
    """Do a merge or reassignment again after :func:`undo`; returns the new change."""
    if change.op == "merge":
        return merge_organisations(ws, change.merged_id, change.survivor_id)
    return reassign_and_delete(ws, change.merged_id, change.survivor_id)
