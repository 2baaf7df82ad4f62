"""Partners exchanging real .cypdesk files, for the property tests of the exchange
promises (DESIGN.md section 5, contract11 section 0).

- :func:`build_base` makes the base document through the services, as officers make
  one: document settings, organisations typed and imported from a small CSV
  (services/importing), services with commissioners' shares (service_edit.
  set_commissioners), contracts holding confidential values, outcome and funding links,
  a service deleted with its contracts and links (records.delete, cascaded) and one
  deleted and restored (records.restore).
- :class:`Partner`: a plain copy of a file (``shutil.copy``, the way partners start
  from a colleague's email attachment) opened as a real :class:`Document` with its OWN
  installation id and its OWN patched clock (:class:`StepClock`: a deterministic wall
  clock that advances a fixed step at every reading; one is an hour fast, one is set to
  2019, so its stamps ride on the stamps it has seen).
- :class:`Exchange` runs a list of operations (:mod:`tests.properties.ops`) on the
  partners: edits, owner changes, deletions with cascade, undo of a deletion, new
  records, settings, copies, merges; it remembers every value each partner wrote and
  which partners' writes each file has taken in, to check that no edit is lost.

Merges use i11-engine's ``plan_merge``/``apply_merge`` with the deterministic rule (no
choices) and the partner's file Path (a trusted head-schema file, which the contract
allows for tests), with ``backup=False`` (the backup is not what these tests prove;
tests/services/exchange test it).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from cypdesk.common.hlc import Clock
from cypdesk.model.installation import Installation

# --- clocks -------------------------------------------------------------------------------


def _ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=timezone.utc).timestamp() * 1000)


class StepClock:
    """A patched wall clock (milliseconds) for one installation's :class:`Clock`: it
    starts at ``start_ms`` and moves ``step_ms`` forward at every reading, so stamps
    depend only on the order of operations, never on the machine's time."""

    def __init__(self, start_ms: int, step_ms: int) -> None:
        self.now, self.step = start_ms, step_ms

    def __call__(self) -> int:
        self.now += self.step
        return self.now

    def __repr__(self) -> str:
        return f"StepClock({self.now}, {self.step})"


BASE_START = _ms(2026, 3, 1, 8)   # the base document is made at 08:00 on 1 March 2026
# (name, wall clock start, step): the partners' patched clocks. Two start together with
# different steps (their stamps interleave and tie on the wall, so the installation
# breaks ties), one runs an hour fast, one is set to June 2019 (far behind every stamp it
# sees: its hybrid clock rides on the newest stamp it has observed, with the counter).
PARTNER_CLOCKS = (
    ("on time", _ms(2026, 3, 2, 9), 1000),
    ("on time, slower steps", _ms(2026, 3, 2, 9), 700),
    ("an hour fast", _ms(2026, 3, 2, 10), 1000),
    ("set to 2019", _ms(2019, 6, 1, 9), 1000),
    ("two minutes fast", _ms(2026, 3, 2, 9, 2), 1300),
    ("on time, quick steps", _ms(2026, 3, 2, 9), 300),
)
MAX_PARTNERS = len(PARTNER_CLOCKS)


def installation(n: int) -> Installation:
    """Partner ``n``'s installation: its own id (the node of its stamps), user and host.
    Ids are ordered unlike the partners, so the installation tie-break is exercised."""
    node = [0xC0FFEE, 0xB0B, 0xDA7E, 0xA11CE, 0xFEED, 0xBEEF][n]
    return Installation(id=str(uuid.UUID(int=node << 64 | n)), user=f"officer{n}", host=f"PARTNER-{n}")


BASE_AUTHOR = Installation(id=str(uuid.UUID(int=0xBA5E)), user="lead", host="TRUST-PC")


def partner_clock(n: int, inst: Installation) -> Clock:
    _name, start, step = PARTNER_CLOCKS[n]
    return Clock(inst.id, now_ms=StepClock(start, step))


# --- the base document --------------------------------------------------------------------

IMPORTED_ORGS = ("Name,Kind,Website\n"
                 "Harbour Lights Youth Trust,voluntary,https://harbour.example\n"
                 "Northgate Care Ltd,private,\n"
                 "Kestrel Family Support,voluntary,https://kestrel.example\n")


@dataclass
class BaseIds:
    """The ids in the base document the operations act on."""

    orgs: list[str]                 # typed and imported organisations: referenced, never deleted
    stable_services: list[str]      # edited, never deleted (their shares and contracts live on)
    deletable_services: list[str]   # deleted with their contracts and links (cascade)
    stable_contracts: list[str]     # contracts of the stable services: edited, never deleted
    deleted_service: str            # deleted (with contracts and links) in the base
    restored_service: str           # deleted and restored in the base


def build_base(path: Path) -> BaseIds:
    """Make the base document at ``path`` through the services (see the module doc)."""
    from cypdesk.model.document import Document
    from cypdesk.services import records, service_edit
    from cypdesk.services.importing import ImportOptions, open_source, run_import
    from cypdesk.services.settings import save_settings
    from cypdesk.services.workspace import Workspace

    clock = Clock(BASE_AUTHOR.id, now_ms=StepClock(BASE_START, 1000))
    doc = Document.create(path, installation=BASE_AUTHOR)
    try:
        ws = Workspace(doc, BASE_AUTHOR, clock)
        save_settings(ws, {"title": "Riverside children's trust", "trust_name": "Riverside Children's Trust",
                           "small_number_threshold": 6})
        org = {name: records.create(ws, "organisations", {"name": name, "kind": kind}).id
               for name, kind in (("Riverside Council", "Local authority"), ("Riverside ICB", "Integrated care board"),
                                  ("Riverside Police", "Police"))}
        csv = path.with_name("imported-organisations.csv")
        csv.write_text(IMPORTED_ORGS, encoding="utf-8")
        run_import(ws, open_source(csv, kind="organisations"), ImportOptions(kind="organisations"))
        with ws.read() as session:
            from sqlalchemy import text
            imported = [r for (r,) in session.execute(text(
                "SELECT id FROM organisations WHERE name IN ('Harbour Lights Youth Trust', 'Northgate Care Ltd', "
                "'Kestrel Family Support') ORDER BY name"))]
        outcome = records.create(ws, "outcomes", {"name": "Be healthy", "code": "BH"}).id
        council, icb, police = org["Riverside Council"], org["Riverside ICB"], org["Riverside Police"]

        def service(name: str, cost: float, provider: str, shares: list[tuple[str, float]], contracts: int) -> tuple[str, list[str]]:
            sid = records.create(ws, "services", {"name": name, "annual_cost": cost, "capacity": 40,
                                                  "provider_id": provider, "sector": "social_care"}).id
            service_edit.set_commissioners(ws, sid, shares)
            service_edit.set_outcomes(ws, sid, [(outcome, "primary")])
            service_edit.set_funding(ws, sid, [("Public Health Grant", cost / 2)])
            made = [service_edit.save_contract(ws, sid, {
                "reference": f"{name[:3].upper()}-{i}", "title": f"{name} contract {i}", "supplier_id": provider,
                "annual_value": cost, "total_value": cost * 3, "start_date": date(2025, 4, 1),
                "end_date": date(2028, 3, 31)}).id for i in range(contracts)]
            return sid, made

        s1, c1 = service("Family support", 120000.0, imported[0], [(council, 60), (icb, 40)], 1)
        s2, c2 = service("Youth justice mentoring", 80000.0, imported[1], [(council, 50), (police, 50)], 1)
        d1, _ = service("Parenting classes", 45000.0, imported[2], [(council, 100)], 2)
        d2, _ = service("Holiday activities", 30000.0, imported[0], [(icb, 70), (council, 30)], 1)
        gone, _ = service("Drop-in clinic", 20000.0, imported[1], [(icb, 100)], 1)
        records.delete(ws, "services", gone)
        back, _ = service("Speech and language", 60000.0, imported[2], [(icb, 100)], 1)
        records.restore(ws, records.delete(ws, "services", back))
        doc.save()
    finally:
        doc.close(discard=True)
    csv.unlink()
    return BaseIds(orgs=[council, icb, police, *imported], stable_services=[s1, s2, back],
                   deletable_services=[d1, d2], stable_contracts=[*c1, *c2],
                   deleted_service=gone, restored_service=back)


# --- partners -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A value one partner wrote: (table, record, field) and the value as history
    keeps it (JSON text). Settings are table "document", record "settings"."""

    author: str
    table: str
    record_id: str
    field: str
    value: str | None
    stamp: str = ""  # its version stamp (as history or field_versions say; "" if neither)


@dataclass
class Partner:
    n: int
    installation: Installation
    clock: Clock
    doc: Any  # cypdesk.model.document.Document
    ws: Any   # cypdesk.services.workspace.Workspace
    deleted: list[Any] = dc_field(default_factory=list)  # records.Change of its own deletions (undo)
    mark: str = ""  # the newest history stamp of its own already counted as writes

    @property
    def name(self) -> str:
        return f"P{self.n}"

    @property
    def path(self) -> Path:
        return self.doc.path

    def save(self) -> None:
        if self.doc.dirty:
            self.doc.save()

    @contextmanager
    def conn(self) -> Iterator[sqlite3.Connection]:
        """A plain read connection on the partner's working copy, closed after."""
        conn = sqlite3.connect(f"file:{self.doc.working_path}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        self.doc.close(discard=True)


def open_partner(path: Path, n: int) -> Partner:
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    inst = installation(n)
    clock = partner_clock(n, inst)
    doc = Document.open(path, installation=inst)
    p = Partner(n, inst, clock, doc, Workspace(doc, inst, clock))
    with p.conn() as c:
        p.mark = c.execute("SELECT coalesce(max(hlc), '') FROM history").fetchone()[0]
    return p


def value_json(value: Any) -> str | None:
    from cypdesk.model.tracking import to_json

    return to_json(value)


def record_fields(table: str) -> tuple[str, ...]:
    """The fields a merge compares for ``table`` (model/versions.merged_fields once it
    exists; until then every non-system field and the owner)."""
    from cypdesk.model import kind_of

    model = kind_of(table)
    try:
        from cypdesk.model.versions import merged_fields
    except ImportError:
        from cypdesk.model.fields import fields_of

        return (*(name for name, _meta in fields_of(model)), "owner_org_id")
    return tuple(merged_fields(model))


def current_value(p: Partner, table: str, record_id: str, name: str) -> tuple[bool, str | None]:
    """(the record exists, its field's value as history keeps it) in ``p``'s file."""
    from cypdesk.model import kind_of
    from cypdesk.model.system import DocumentInfo

    with p.ws.read() as session:
        if table == "document":
            row = session.query(DocumentInfo).first()
        else:
            row = session.get(kind_of(table), record_id)
        if row is None:
            return False, None
        return True, value_json(getattr(row, name))


def new_writes(p: Partner) -> list[Write]:
    """The values ``p`` wrote since the last call, as its history tells them: an
    update's new value; for an insert or restore, every merged field of the record
    that holds a value. (The operations add what they meant to write themselves,
    :func:`written`, so a write history does not record is still checked.)"""
    from cypdesk.model import kind_of

    with p.conn() as c:
        rows = c.execute("SELECT hlc, op, table_name, record_id, field, new_value FROM history "
                         "WHERE author_id = ? AND hlc > ? AND op IN ('insert', 'update', 'restore') ORDER BY hlc",
                         (p.installation.id, p.mark)).fetchall()
        top = c.execute("SELECT coalesce(max(hlc), '') FROM history").fetchone()[0]
    out: list[Write] = []
    for stamp, op, table, rid, name, new in rows:
        if table == "document":
            if name and name != "logo":
                out.append(Write(p.installation.id, "document", "settings", name, new, stamp))
        elif op == "update" and name:
            out.append(Write(p.installation.id, table, rid, name, new, stamp))
        else:
            try:
                kind_of(table)
            except KeyError:
                continue
            now = current_values(p, [(table, rid, f) for f in record_fields(table)])
            out.extend(Write(p.installation.id, table, rid, f, value, stamp)
                       for (_t, _r, f), value in now.items() if value is not None)
    p.mark = max(p.mark, top)
    return out


def written(p: Partner, table: str, record_id: str, name: str) -> Write:
    """What ``p`` has just written to one field, as it now reads back (the operation
    says what it wrote, whether or not history recorded it)."""
    rid = "settings" if table == "document" else record_id
    _exists, value = current_value(p, table, record_id, name)
    with p.conn() as c:
        found = c.execute("SELECT hlc FROM field_versions WHERE table_name = ? AND record_id = ? AND field = ?",
                          (table, rid, name)).fetchone()
        if found is None and table != "document":
            found = c.execute(f"SELECT created_hlc FROM {table} WHERE id = ?", (record_id,)).fetchone()
    return Write(p.installation.id, table, rid, name, value, found[0] if found else "")


def current_values(p: Partner, keys: Any) -> dict[tuple[str, str, str], str | None]:
    """``(table, record id, field) -> value`` as history keeps it, for the keys whose
    record ``p``'s file holds (settings: table "document", record "settings"); one
    query a table."""
    from sqlalchemy import select

    from cypdesk.model import kind_of
    from cypdesk.model.system import DocumentInfo

    keys = list(keys)
    by_table: dict[str, set[str]] = {}
    for table, rid, _name in keys:
        by_table.setdefault(table, set()).add(rid)
    rows: dict[tuple[str, str], Any] = {}
    with p.ws.read() as session:
        for table, ids in by_table.items():
            if table == "document":
                rows[("document", "settings")] = session.query(DocumentInfo).first()
                continue
            model = kind_of(table)
            for row in session.scalars(select(model).where(model.id.in_(sorted(ids)))):
                rows[(table, row.id)] = row
        return {(t, r, f): value_json(getattr(rows[(t, r)], f)) for t, r, f in keys if rows.get((t, r)) is not None}


def lost_writes(p: Partner, writes: set[Write] | list[Write]) -> list[tuple[Write, str]]:
    """The writes whose value is nowhere in ``p``'s file, each with what was found
    instead, in words. A value is kept if it is its field's current value, or in the
    file's history: a field's old or new value (an edit, a merge's losing value) or a
    deleted record's snapshot. One read of the records and one of the history."""
    current = current_values(p, {(w.table, w.record_id, w.field) for w in writes})
    missing = [w for w in writes if current.get((w.table, w.record_id, w.field), _ABSENT) != w.value]
    if not missing:
        return []
    values: dict[tuple[str, str, str], set[str | None]] = {}
    snapshots: dict[tuple[str, str], list[str]] = {}
    with p.conn() as c:
        for op, table, rid, name, old, new in c.execute(
                "SELECT op, table_name, record_id, field, old_value, new_value FROM history"):
            rid = "settings" if table == "document" else rid
            if name:
                values.setdefault((table, rid, name), set()).update((old, new))
            elif op == "delete" and old:
                snapshots.setdefault((table, rid), []).append(old)
    out = []
    for w in missing:
        if w.value in values.get((w.table, w.record_id, w.field), ()):
            continue
        wanted = None if w.value is None else json.loads(w.value)
        if any(_snapshot_holds(text, w.field, wanted) for text in snapshots.get((w.table, w.record_id), ())):
            continue
        key = (w.table, w.record_id, w.field)
        out.append((w, f"now {current[key]}" if key in current else "record absent"))
    return out


_ABSENT = object()


def _snapshot_holds(text: str, name: str, wanted: Any) -> bool:
    try:
        snap = json.loads(text)
    except ValueError:
        return False
    return isinstance(snap, dict) and name in snap and snap[name] == wanted


def copy_file(src: Path, dst: Path) -> Path:
    """A plain file copy, as an email attachment or a shared drive makes one."""
    shutil.copy(src, dst)
    return dst


def ram_folder(prefix: str) -> str:
    """A fresh folder on the RAM disk (/dev/shm) when the machine has one, else in the
    temporary folder: these tests save and reopen files hundreds of times, and what
    they prove does not depend on fsync reaching a disk."""
    shm = Path("/dev/shm")
    return tempfile.mkdtemp(prefix=prefix, dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None)
