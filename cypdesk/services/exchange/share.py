"""A shared copy of the document for a partner (issue 11 item 4, DESIGN.md section 5).

**One rule.** What the partner may not see is decided by :mod:`cypdesk.services.outward`
(:func:`~cypdesk.services.outward.withholds` for a value, :func:`~cypdesk.services.
outward.leaves_out` for a record), as for ``export --for`` and ``paper --for``: a field
marked confidential is withheld except on the records the partner owns (a provider sees
its own contract values), people's contact details are withheld unless chosen
(``contacts``), a record marked confidential is left out unless it is the partner's
own. Without a partner every confidential field and every contact detail is withheld.
``overrides`` ((table, field) -> bool) may withhold more (True: withheld on every
record, the partner's own too) or show a contact detail (False); nothing else.

**Built fresh, never deleted from a copy.** A new file at head schema is made from the
template; the document is ATTACHed read-only and its rows copied across with the
withheld values never written (an SQL ``CASE`` per column, decided once per field and
ownership through the rule). History rows lose the withheld old and new values and
the withheld fields of delete snapshots; the history of a left-out record is left out;
conflicts lose withheld values the same way; a final paper's snapshot is replaced by
its provider-safe version (:func:`cypdesk.services.papers.redact.redact_doc`). The
result is written out with ``VACUUM INTO``, so no free page of the build holds anything,
and packed by :mod:`cypdesk.io.sharefile` (compressed, optionally encrypted). The copy
of a table this module does not know is refused, so a new table is never shared before
someone decides what in it a partner may see.

**What was withheld** goes in the copy's ``withheld_fields``: each (table, record,
field) whose value was withheld, with the stamp of that value (its ``field_versions``
stamp, else the record's ``created_hlc``) and why ("confidential", "contact",
"chosen"); a field with no value (NULL) withholds nothing and is not listed. A merge
never takes such a field back from the share unless the partner changed it after that
stamp (contract section 0), and a share's own ``withheld_fields`` rows travel on.

Known limits: fields withheld by choice (``overrides``) are withheld from records,
history and conflicts, but a final paper's frozen figures follow the rule alone (a
paper's tables carry the confidential marks, not the fields they came from); a deleted
record's ownership is not known, so its confidential values in history are withheld
even from the partner who owned it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cypdesk.common.errors import (
    Cancelled, CypdeskError, DiskFull, ReadOnlyDrive, SaveFailed, UsageError, error_from, fault_class,
)
from cypdesk.io.sharefile import EXTENSION, ShareHeader, write_share
from cypdesk.model import dbfile
from cypdesk.model.catalog import CATALOG
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from cypdesk.services import outward

__all__ = ["REASONS", "ShareField", "ShareResult", "share_fields", "write_share_copy"]

# Why a field is withheld: the code stored in withheld_fields.reason, and the words.
REASONS = {
    "confidential": "Confidential: withheld except on the records the partner owns",
    "confidential_all": "Confidential: withheld from every record (no partner chosen)",
    "contact": "A person's contact detail: withheld unless you include contact details",
    "chosen": "Withheld because you chose to withhold it",
}
SHOWN = {
    "": "Shared",
    "contact": "A person's contact detail: shared because you chose to include contact details",
    "confidential": "Confidential: shared on the partner's own records only",
}
NO_PARTNER_NAME = "any partner"
# Tables copied as they are: they hold no value of a record (the document's own id,
# settings and owner; who edited it; whose files were merged into it).
PLAIN_TABLES = ("document", "installations", "merge_peers", "alembic_version")
# Tables copied through this module's own rules (below).
HANDLED_TABLES = ("history", "field_versions", "tombstones", "conflicts", "withheld_fields", "paper_snapshots")


@dataclass(frozen=True)
class ShareField:
    """One field of one kind and what a share does with it. ``withheld``: withheld on
    the records that are not the partner's own; ``reason``: why, in words;
    ``code``: "confidential", "contact", "chosen" or "" (shared); ``owner_sees``: shown
    on the partner's own records; ``can_show``: an override may show it (a contact
    detail), ``can_withhold``: an override may withhold it (not a required field)."""

    table: str
    field: str
    label: str
    withheld: bool
    reason: str
    code: str = ""
    owner_sees: bool = False
    can_show: bool = False
    can_withhold: bool = True


@dataclass
class ShareResult:
    """What :func:`write_share_copy` wrote."""

    path: Path
    header: ShareHeader
    partner: outward.Partner | None
    counts: dict[str, int] = field(default_factory=dict)  # records copied, by kind
    left_out: dict[str, int] = field(default_factory=dict)  # records left out, by kind
    withheld: int = 0  # rows of the copy's withheld_fields
    withheld_by_field: dict[str, int] = field(default_factory=dict)  # "table.field" -> values withheld
    history_redacted: int = 0  # history rows whose values were withheld
    size: int = 0
    plain_size: int = 0

    @property
    def encrypted(self) -> bool:
        return bool(self.header.encrypted)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "for": None if self.partner is None else
                {"id": self.partner.id, "name": self.partner.name},
                "contacts": self.header.contacts, "encrypted": self.encrypted, "bytes": self.size,
                "plain_bytes": self.plain_size, "compression": self.header.compression,
                "records": self.counts, "left_out": self.left_out, "withheld": self.withheld,
                "withheld_by_field": self.withheld_by_field, "history_redacted": self.history_redacted,
                "document_id": self.header.document_id, "title": self.header.title}


# --- the rule, per field --------------------------------------------------------------------

def _spec(kind: str, name: str) -> dict[str, Any] | None:
    for spec in CATALOG.get(kind, {}).get("fields", ()):
        if spec["name"] == name:
            return spec
    return None


class _Rule:
    """outward's rule for one share: a partner (or none), contacts, overrides."""

    def __init__(self, partner: outward.Partner | None, contacts: bool,
                 overrides: Mapping[tuple[str, str], bool] | None) -> None:
        self.partner = partner
        self.contacts = contacts
        self.overrides = dict(overrides or {})
        for (kind, name), value in self.overrides.items():
            spec = _spec(kind, name)
            if spec is None:
                raise UsageError(f"There is no field {name!r} of {kind!r} to withhold or show.")
            if value and spec.get("system"):
                raise UsageError(f"{kind}.{name} is kept by cypdesk itself (an id or a stamp): it cannot be withheld.")
            if value and spec.get("required"):
                raise UsageError(f"{kind}.{name} ({spec.get('label') or name}) is required on every record: it "
                                 "cannot be withheld.")
            if value is False and spec.get("confidential"):
                raise UsageError(f"{kind}.{name} is confidential: a share shows it only on the partner's own "
                                 "records, and that cannot be changed.")
        self._cache: dict[tuple[str, str, bool], str | None] = {}

    def reason(self, kind: str, name: str, *, owned: bool) -> str | None:
        """Why the value of ``name`` on a ``kind`` record is withheld ("confidential",
        "contact", "chosen"), or None when it is shared."""
        key = (kind, name, owned)
        if key not in self._cache:
            self._cache[key] = self._reason(kind, name, owned=owned)
        return self._cache[key]

    def _reason(self, kind: str, name: str, *, owned: bool) -> str | None:
        choice = self.overrides.get((kind, name))
        if choice is True:
            return "chosen"
        spec = _spec(kind, name) or {}
        personal, confidential = bool(spec.get("personal")), bool(spec.get("confidential"))
        contacts = self.contacts or (choice is False and personal)
        owned = owned and self.partner is not None
        if not outward.withholds(confidential=confidential, personal=personal, owned=owned, contacts=contacts):
            return None
        return "contact" if personal and not contacts else "confidential"

    def records_left_out(self, kind: str) -> bool:
        """Whether records of ``kind`` marked confidential are left out (unless owned)."""
        spec = _spec(kind, "confidential")
        return bool(spec and spec["kind"] == "bool") and outward.leaves_out(confidential_record=True, owned=False)

    def redact_snapshot(self, kind: str, row: Mapping[str, Any], *, owned: bool) -> dict[str, Any] | None:
        """A record's values (a delete snapshot) as the partner may see them; None when
        the record is left out."""
        owned = owned and self.partner is not None
        if outward.leaves_out(confidential_record=outward.is_confidential_record(kind, row), owned=owned):
            return None
        return {k: (outward.WITHHELD if self.reason(kind, k, owned=owned) else v) for k, v in row.items()}

    def any_withheld(self, kind: str) -> bool:
        return any(self.reason(kind, f["name"], owned=False) for f in CATALOG.get(kind, {}).get("fields", ()))


def share_fields(source: Any, *, for_org: str | None, contacts: bool = False,
                 overrides: Mapping[tuple[str, str], bool] | None = None) -> list[ShareField]:
    """Every field of every kind (ids and stamps aside) and what a share for ``for_org``
    (an organisation's id or name; None: no partner) does with it, by the one rule.
    ``source``: the document (a path, a Workspace or a Document), read to name the
    partner."""
    partner = None
    if for_org is not None:
        with _source(source) as path, dbfile.opened(path, read_only=True) as conn:
            partner = outward.find_partner(conn, for_org)
    rule = _Rule(partner, contacts, overrides)
    out = []
    for kind, entry in CATALOG.items():
        for spec in entry["fields"]:
            if spec.get("system"):
                continue
            name = spec["name"]
            code = rule.reason(kind, name, owned=False) or ""
            owner_sees = partner is not None and rule.reason(kind, name, owned=True) is None
            if code == "confidential" and partner is None:
                words = REASONS["confidential_all"]
            elif code:
                words = REASONS[code]
            elif spec.get("personal"):
                words = SHOWN["contact"]
            else:
                words = SHOWN[""]
            out.append(ShareField(kind, name, spec.get("label") or name, bool(code), words, code,
                                  owner_sees=bool(code) and owner_sees, can_show=bool(spec.get("personal")),
                                  can_withhold=not spec.get("system") and not spec.get("required")))
    return out


# --- the document to share ------------------------------------------------------------------

@contextmanager
def _source(ws_or_path: Any) -> Iterator[Path]:
    """The file to read: a Workspace's or Document's working copy (what the window
    shows, unsaved edits included), or a document file (a hot journal or WAL mode read
    through a private copy; an older schema migrated in a private copy)."""
    doc = getattr(ws_or_path, "doc", ws_or_path)
    working = getattr(doc, "working_path", None)
    if working is not None:
        yield Path(working)
        return
    from cypdesk.model.reading import reading

    p = Path(ws_or_path).absolute()
    status = dbfile.inspect_file(p)
    if not status.needs_migration:
        with reading(p, status) as r:
            yield r.path
        return
    from cypdesk.model import migrate
    from cypdesk.model.filecopy import copy_private

    with tempfile.TemporaryDirectory(prefix="cypdesk-share-src-") as tmp:
        copy = Path(tmp) / "source.cypdesk"
        copy_private(p, copy, document=p, writing="write a private copy in")
        migrate.migrate_file(copy, backup=False)
        yield copy


def _document_path(ws_or_path: Any) -> Path | None:
    doc = getattr(ws_or_path, "doc", ws_or_path)
    if getattr(doc, "working_path", None) is not None:
        path = getattr(doc, "path", None)
        return Path(path).absolute() if path else None
    return Path(ws_or_path).absolute()


# --- building the copy ----------------------------------------------------------------------

class _Stage:
    """Progress of one stage mapped onto part of the whole (``start``..``end`` of 100)."""

    def __init__(self, progress: Any, start: int, end: int) -> None:
        self.progress, self.start, self.end = progress, start, end

    def report(self, done: int, total: int, text: str = "") -> None:
        if self.progress is not None:
            share = done / total if total else 1.0
            self.progress.report(self.start + int((self.end - self.start) * share), 100, text)

    def cancelled(self) -> bool:
        return bool(self.progress is not None and self.progress.cancelled())

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled("The shared copy was cancelled: nothing was written.")


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[tuple[str, str, bool]]:
    """(name, declared type, NOT NULL) of ``schema.table``'s columns."""
    return [(r[1], str(r[2] or "").upper(), bool(r[3])) for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _blank(decl: str, notnull: bool) -> str:
    """What a withheld cell holds: NULL, or an empty value where the column refuses NULL."""
    if not notnull:
        return "NULL"
    return "''" if any(t in decl for t in ("CHAR", "TEXT", "CLOB", "VARCHAR")) or not decl else "0"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Builder:
    """Copies the attached ``src`` into the new file ``main`` through the rule."""

    def __init__(self, conn: sqlite3.Connection, rule: _Rule, stage: _Stage) -> None:
        self.conn = conn
        self.rule = rule
        self.stage = stage
        self.counts: dict[str, int] = {}
        self.left_out_counts: dict[str, int] = {}
        self.withheld_by_field: dict[str, int] = {}
        self.history_redacted = 0
        self.owned: dict[str, set[str]] = {}
        self.left_out: dict[str, set[str]] = {}

    # ownership and left-out records, in temp tables the SQL can join
    def prepare(self, src: sqlite3.Connection) -> None:
        c = self.conn
        c.execute("CREATE TEMP TABLE share_owned (kind TEXT, id TEXT, PRIMARY KEY (kind, id)) WITHOUT ROWID")
        c.execute("CREATE TEMP TABLE share_left_out (kind TEXT, id TEXT, PRIMARY KEY (kind, id)) WITHOUT ROWID")
        for kind in CATALOG:
            owned = outward.owned_ids(src, kind, self.rule.partner)
            self.owned[kind] = owned
            c.executemany("INSERT OR IGNORE INTO temp.share_owned VALUES (?, ?)", [(kind, i) for i in owned])
            left: set[str] = set()
            if self.rule.records_left_out(kind):
                left = {r[0] for r in src.execute(f'SELECT id FROM {_q(kind)} WHERE coalesce(confidential, 0) != 0')
                        if r[0] not in owned}
                for (snapshot,) in src.execute("SELECT old_value FROM history WHERE op = 'delete' AND table_name = ?",
                                               (kind,)):
                    row = _json(snapshot)
                    if isinstance(row, dict) and row.get("id") and row["id"] not in owned \
                            and self.rule.redact_snapshot(kind, row, owned=False) is None:
                        left.add(str(row["id"]))
            self.left_out[kind] = left
            c.executemany("INSERT OR IGNORE INTO temp.share_left_out VALUES (?, ?)", [(kind, i) for i in left])

    def _owned_sql(self, kind: str) -> str:
        return f"t.id IN (SELECT id FROM temp.share_owned WHERE kind = '{kind}')"

    def _kept_sql(self, kind: str, alias: str = "t") -> str:
        return f"{alias}.id NOT IN (SELECT id FROM temp.share_left_out WHERE kind = '{kind}')"

    def copy_record_table(self, kind: str) -> None:
        cols = _columns(self.conn, "main", kind)
        src_cols = {c[0] for c in _columns(self.conn, "src", kind)}
        names, exprs = [], []
        for name, decl, notnull in cols:
            if name not in src_cols:
                continue
            hide_other = self.rule.reason(kind, name, owned=False)
            hide_owned = self.rule.reason(kind, name, owned=True)
            col = f"t.{_q(name)}"
            if hide_owned:
                expr = _blank(decl, notnull)
            elif hide_other:
                expr = f"CASE WHEN {self._owned_sql(kind)} THEN {col} ELSE {_blank(decl, notnull)} END"
            else:
                expr = col
            names.append(_q(name))
            exprs.append(expr)
        where = self._kept_sql(kind)
        cur = self.conn.execute(f"INSERT INTO main.{_q(kind)} ({', '.join(names)}) "
                                f"SELECT {', '.join(exprs)} FROM src.{_q(kind)} t WHERE {where}")
        self.counts[kind] = cur.rowcount
        left = len(self.left_out.get(kind, ()))
        if left:
            self.left_out_counts[kind] = self.conn.execute(
                f"SELECT count(*) FROM src.{_q(kind)} t WHERE NOT ({where})").fetchone()[0]
        self._note_withheld(kind, [n for n, _d, _nn in cols if n in src_cols])

    def _note_withheld(self, kind: str, names: list[str]) -> None:
        """One withheld_fields row per value withheld (not NULL) on a record in the copy."""
        for name in names:
            hide_other = self.rule.reason(kind, name, owned=False)
            hide_owned = self.rule.reason(kind, name, owned=True)
            if not hide_other:
                continue
            who = "" if hide_owned else f" AND NOT ({self._owned_sql(kind)})"
            cur = self.conn.execute(
                "INSERT OR REPLACE INTO main.withheld_fields (table_name, record_id, field, hlc, reason) "
                f"SELECT ?, t.id, ?, coalesce(fv.hlc, t.created_hlc), ? FROM src.{_q(kind)} t "
                "LEFT JOIN src.field_versions fv ON fv.table_name = ? AND fv.record_id = t.id AND fv.field = ? "
                f"WHERE t.{_q(name)} IS NOT NULL AND {self._kept_sql(kind)}{who}",
                (kind, name, hide_owned or hide_other, kind, name))
            if cur.rowcount:
                self.withheld_by_field[f"{kind}.{name}"] = cur.rowcount

    def copy_plain(self, table: str) -> None:
        if table == "document":  # the new file's own row (a fresh id) gives way to the document's
            self.conn.execute("DELETE FROM main.document")
        names = [c[0] for c in _columns(self.conn, "main", table)]
        src_cols = {c[0] for c in _columns(self.conn, "src", table)}
        cols = ", ".join(_q(n) for n in names if n in src_cols)
        self.conn.execute(f"INSERT INTO main.{_q(table)} ({cols}) SELECT {cols} FROM src.{_q(table)}")

    def copy_field_versions(self) -> None:
        self.conn.execute(
            "INSERT INTO main.field_versions SELECT fv.* FROM src.field_versions fv WHERE NOT EXISTS ("
            "SELECT 1 FROM temp.share_left_out l WHERE l.kind = fv.table_name AND l.id = fv.record_id)")

    def copy_withheld_fields(self) -> None:
        """A share of a file made from a share: the rows it already had travel on."""
        self.conn.execute(
            "INSERT OR REPLACE INTO main.withheld_fields (table_name, record_id, field, hlc, reason) "
            "SELECT w.table_name, w.record_id, w.field, w.hlc, w.reason FROM src.withheld_fields w WHERE NOT EXISTS ("
            "SELECT 1 FROM temp.share_left_out l WHERE l.kind = w.table_name AND l.id = w.record_id)")

    def _title_withheld(self, kind: str, record_id: str | None) -> bool:
        from cypdesk.model import kind_of

        title = getattr(kind_of(kind), "__title__", None)
        return bool(title and self.rule.reason(kind, title, owned=record_id in self.owned.get(kind, ())))

    def copy_tombstones(self) -> None:
        rows = []
        names = [c[0] for c in _columns(self.conn, "main", "tombstones")]
        for row in self.conn.execute(f"SELECT {', '.join(_q(n) for n in names)} FROM src.tombstones"):
            rec = dict(zip(names, row))
            kind, rid = rec["table_name"], rec["record_id"]
            if kind in CATALOG and (rid in self.left_out.get(kind, ()) or self._title_withheld(kind, rid)):
                rec["title"] = None
            rows.append(tuple(rec[n] for n in names))
        self.conn.executemany(f"INSERT INTO main.tombstones ({', '.join(_q(n) for n in names)}) "
                              f"VALUES ({', '.join('?' * len(names))})", rows)

    def _value(self, kind: str, rid: str | None, name: str | None, text: Any) -> tuple[Any, bool]:
        """A history or conflict value as the partner may see it: (value, record left out)."""
        if text is None or kind not in CATALOG:
            return text, False
        owned = rid in self.owned.get(kind, ())
        if name:
            return (None, False) if self.rule.reason(kind, name, owned=owned) else (text, False)
        row = _json(text)
        if isinstance(row, dict):
            redacted = self.rule.redact_snapshot(kind, row, owned=owned)
            if redacted is None:
                return None, True
            return json.dumps(redacted, default=str), False
        return (None, False) if self.rule.any_withheld(kind) else (text, False)

    def copy_valued(self, table: str, value_cols: tuple[str, str], title_col: str | None) -> None:
        """History or conflicts: rows of left-out records dropped, withheld values
        emptied."""
        names = [c[0] for c in _columns(self.conn, "main", table)]
        src_cols = {c[0] for c in _columns(self.conn, "src", table)}
        names = [n for n in names if n in src_cols]
        insert = (f"INSERT INTO main.{_q(table)} ({', '.join(_q(n) for n in names)}) "
                  f"VALUES ({', '.join('?' * len(names))})")
        cur = self.conn.cursor()
        cur.execute(f"SELECT {', '.join(_q(n) for n in names)} FROM src.{_q(table)}")
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                break
            out = []
            for row in batch:
                rec = dict(zip(names, row))
                kind, rid, name = rec["table_name"], rec["record_id"], rec["field"]
                if kind in CATALOG and rid in self.left_out.get(kind, ()):
                    continue
                changed, dropped = False, False
                for col in value_cols:
                    value, left = self._value(kind, rid, name, rec[col])
                    dropped = dropped or left
                    if value != rec[col]:
                        rec[col], changed = value, True
                if dropped:
                    continue
                if title_col and kind in CATALOG and rec.get(title_col) and self._title_withheld(kind, rid):
                    rec[title_col], changed = None, True
                if changed and table == "history":
                    self.history_redacted += 1
                out.append(tuple(rec[n] for n in names))
            self.conn.executemany(insert, out)
            self.stage.check()

    def copy_paper_snapshots(self, partner: outward.Partner | None) -> None:
        """Final papers' snapshots, as the partner may see them (redact_doc); a snapshot
        changed so is listed in withheld_fields (field ``content``)."""
        from cypdesk.common.paperdoc import PaperDoc
        from cypdesk.services.papers.redact import redact_doc

        who = partner or outward.Partner("", NO_PARTNER_NAME)
        kind = "paper_snapshots"
        names = [c[0] for c in _columns(self.conn, "main", kind)]
        rows, withheld = [], []
        for row in self.conn.execute(f"SELECT {', '.join(_q(n) for n in names)} FROM src.{_q(kind)}"):
            rec = dict(zip(names, row))
            text = rec["content"]
            safe = redact_doc(PaperDoc.from_json(text), who).to_json()
            if safe != text:
                withheld.append(rec["id"])
            rec["content"] = safe
            rows.append(tuple(rec[n] for n in names))
        self.conn.executemany(f"INSERT INTO main.{_q(kind)} ({', '.join(_q(n) for n in names)}) "
                              f"VALUES ({', '.join('?' * len(names))})", rows)
        self.counts[kind] = len(rows)
        if withheld:
            self.conn.executemany(
                "INSERT OR REPLACE INTO main.withheld_fields (table_name, record_id, field, hlc, reason) "
                "SELECT ?, t.id, 'content', coalesce(fv.hlc, t.created_hlc), 'confidential' FROM src.paper_snapshots t "
                "LEFT JOIN src.field_versions fv ON fv.table_name = ? AND fv.record_id = t.id AND fv.field = 'content' "
                "WHERE t.id = ?", [(kind, kind, rid) for rid in withheld])
            self.withheld_by_field[f"{kind}.content"] = len(withheld)


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text.startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _build(src_path: Path, build: Path, rule: _Rule, stage: _Stage) -> _Builder:
    """Fill ``build`` (a new, empty document at head) from ``src_path`` through ``rule``."""
    conn = dbfile.connect(build, foreign_keys=False)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (dbfile._uri(src_path, "ro"),))
        conn.execute("BEGIN")
        # The first read takes the shared lock on src: nobody can commit to it until the
        # copy is done, so the ownership read below and the rows copied are one state.
        conn.execute("SELECT count(*) FROM src.document").fetchone()
        src = dbfile.connect(src_path, read_only=True)
        try:
            builder = _Builder(conn, rule, stage)
            builder.prepare(src)
        finally:
            src.close()
        tables = _tables(conn, "main")
        unknown = [t for t in _tables(conn, "src") if t not in CATALOG and t not in PLAIN_TABLES
                   and t not in HANDLED_TABLES]
        if unknown:
            raise CypdeskError(f"The document has table(s) the share does not know: {', '.join(unknown)}. Nothing "
                               "was written (decide in services/exchange/share.py what of them a partner may see).")
        src_tables = set(_tables(conn, "src"))
        for i, table in enumerate(tables):
            stage.check()
            stage.report(i, len(tables), f"Copying {table.replace('_', ' ')}")
            if table not in src_tables or table == "withheld_fields":
                continue
            if table == "paper_snapshots":
                builder.copy_paper_snapshots(rule.partner)
            elif table in CATALOG:
                builder.copy_record_table(table)
            elif table in PLAIN_TABLES:
                builder.copy_plain(table)
            elif table == "field_versions":
                builder.copy_field_versions()
            elif table == "tombstones":
                builder.copy_tombstones()
            elif table == "history":
                builder.copy_valued("history", ("old_value", "new_value"), "record_title")
            elif table == "conflicts":
                builder.copy_valued("conflicts", ("ours_value", "theirs_value"), None)
            else:
                raise CypdeskError(f"The share copy does not know the table {table}: nothing was written.")
        if "withheld_fields" in src_tables:
            builder.copy_withheld_fields()
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
        return builder
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def _made_by(ws_or_path: Any) -> str | None:
    """Who shares: the window's installation user, else the login name (never creating
    an installation id: a share only reads)."""
    author = getattr(ws_or_path, "author", None)
    if author is not None:
        return getattr(author, "user", None)
    from cypdesk.model.installation import current_user

    return current_user()


def _make_copy(src_path: Path, folder: Path, rule: _Rule, stage: _Stage, document: Path | None,
               target: Path) -> tuple[_Builder, Path, int]:
    """Build the copy in ``folder`` (a private temporary folder) and VACUUM it INTO a
    fresh file there: (the builder's counts, that file, rows of its withheld_fields).
    A fault writing the temporary files names the share being written (and where);
    one reading the document names the document."""
    build, packed = folder / "build.cypdesk", folder / "share.cypdesk"
    consequence = "Nothing was written; the document has not been changed."
    try:
        dbfile.create_document_file(build)
        builder = _build(src_path, build, rule, stage)
        with dbfile.opened(build) as conn:
            conn.execute("VACUUM INTO ?", (str(packed),))  # fresh pages only: no free page carries anything
        with dbfile.opened(packed, read_only=True) as conn:
            withheld = conn.execute("SELECT count(*) FROM withheld_fields").fetchone()[0]
    except CypdeskError as exc:
        cause = exc.__cause__
        if exc.path is not None and Path(exc.path).parent == folder and cause is not None \
                and fault_class(cause) is not None:
            raise error_from(cause, path=target, doing="write", base=SaveFailed, consequence=consequence,
                             at=folder.parent) from exc
        raise
    except (OSError, sqlite3.Error) as exc:
        fault = fault_class(exc)
        if fault is None and isinstance(exc, OSError):
            raise
        if fault in (DiskFull, ReadOnlyDrive) or (isinstance(exc, OSError) and Path(
                str(getattr(exc, "filename", "") or "")).parent == folder):
            raise error_from(exc, path=target, doing="write", base=SaveFailed, consequence=consequence,
                             at=folder.parent) from exc
        raise error_from(exc, path=document or src_path, doing="read", consequence=consequence) from exc
    return builder, packed, withheld


def write_share_copy(ws_or_path: Any, out: str | os.PathLike[str], *, for_org: str | None = None,
                     contacts: bool = False, overrides: Mapping[tuple[str, str], bool] | None = None,
                     passphrase: str | None = None, progress: Any = None) -> ShareResult:
    """Write a shared copy of the document (a path, a Workspace or a Document) for
    ``for_org`` (an organisation's id or name; None: any partner) to ``out`` (a
    ``.cypshare`` file, written atomically). See the module doc. The document is never
    changed; on any failure or cancel nothing is written."""
    target = Path(out).absolute()
    if target.suffix.lower() != EXTENSION:
        raise UsageError(f"{target.name}: a shared copy is written to a {EXTENSION} file.", path=target)
    document = _document_path(ws_or_path)
    if document is not None and target == document:
        raise UsageError(f"Write the shared copy to a new {EXTENSION} file, not {target.name} itself.", path=target)
    if passphrase is not None and not passphrase.strip():
        raise UsageError("The passphrase is empty: give words to encrypt the shared copy with, or none at all.")
    build_stage, pack_stage = _Stage(progress, 0, 40), _Stage(progress, 40, 100)
    with _source(ws_or_path) as src_path:
        with dbfile.opened(src_path, read_only=True) as conn:
            partner = outward.find_partner(conn, for_org) if for_org is not None else None
            doc = conn.execute("SELECT id, title, trust_name FROM document LIMIT 1").fetchone()
        rule = _Rule(partner, contacts, overrides)
        try:
            tmp = tempfile.TemporaryDirectory(prefix="cypdesk-share-")
        except OSError as exc:
            raise error_from(exc, path=Path(tempfile.gettempdir()), doing="make a temporary folder in") from exc
        with tmp as folder:
            builder, packed, withheld = _make_copy(src_path, Path(folder), rule, build_stage, document, target)
            header = ShareHeader(
                document_id=doc[0] if doc else "", title=(doc[1] if doc else None) or "Untitled trust",
                trust_name=doc[2] if doc else None, schema_version=CURRENT_SCHEMA_VERSION,
                made_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                made_by=_made_by(ws_or_path), for_org_id=partner.id if partner else None,
                for_org_name=partner.name if partner else None, contacts=contacts, withheld=withheld)
            write_share(packed, target, header, passphrase=passphrase, progress=pack_stage)
    if progress is not None:
        progress.report(100, 100, f"Wrote {target.name}")
    return ShareResult(path=target, header=header, partner=partner, counts=builder.counts,
                       left_out=builder.left_out_counts, withheld=withheld,
                       withheld_by_field=builder.withheld_by_field, history_redacted=builder.history_redacted,
                       size=target.stat().st_size, plain_size=header.plain_size)
