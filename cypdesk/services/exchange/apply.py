"""Doing a merge a person has previewed (:func:`apply_merge`): a backup first, then one
transaction over our working copy with the partner's file ATTACHed, written with
set-based SQL where rows are many (records added, history copied) and batches of
parameters where they are few (the fields that differ). Any error or a cancel rolls it
all back: the document is as it was.

What is written: records added, fields taken, records deleted (a history row keeps
each deleted record whole), the chosen side of each conflict (the losing value in a
history row, so nothing is lost), the partner's tombstones, history rows (by id) and
installations, a ``merge`` history row for every change naming the partner's file,
unresolved ``rule`` conflicts and records kept against a deletion in ``conflicts``, a
``merge_peers`` row, and the clock moved past the partner's newest stamp. The model
rules (``rules.py``) are checked inside the transaction: a merge that would break one
is done again without the records involved, which keep this document's values.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cypdesk.common.errors import Cancelled, MergeStale
from cypdesk.model.ids import new_id, utcnow
from cypdesk.model.kindinfo import KIND_INFOS, KindInfo
from cypdesk.model.changes import ChangeSet
from cypdesk.services.exchange.canon import SETTINGS_TABLE
from cypdesk.services.exchange.plan import FieldChange, MergeConflict, MergePlan, RecordRef, conflict_key
from cypdesk.services.exchange.rules import Violation, check_rules
from cypdesk.services.exchange.sqlmerge import (
    THEIRS, attached, partner_path, q, state_token, table_exists,
)

MAX_RULE_ROUNDS = 6
STEPS = 6  # progress: added, fields, deleted, tombstones, (kinds with deletions), saving
_HISTORY_COLUMNS = ("id", "hlc", "at", "author_id", "author_name", "op", "table_name", "record_id", "record_title",
                    "field", "old_value", "new_value", "note")


@dataclass
class MergeResult:
    counts: dict[str, int]
    backup: Path | None
    conflicts: list[MergeConflict]
    plan: MergePlan


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return json.dumps({"bytes": len(bytes(value))})
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    return json.dumps(value)


def _uuid_of_node(node: str) -> str:
    return f"{node[:8]}-{node[8:12]}-{node[12:16]}-{node[16:20]}-{node[20:32]}"


class _Applier:
    def __init__(self, ws: Any, raw: Any, plan: MergePlan, choices: Mapping[str, str], stamp: str,
                 progress: Any) -> None:
        self.ws = ws
        self.raw = raw
        self.plan = plan
        self.choices = choices
        self.stamp = stamp
        self.now = utcnow().isoformat(sep=" ")
        self.author = ws.author
        self.progress = progress
        self.source = plan.partner.source_name or (plan.source.name if plan.source else "their file")
        self.history: list[tuple[Any, ...]] = []
        self.changes = ChangeSet()
        self.touched: set[tuple[str, str]] = set()
        self.removed: dict[tuple[str, str], dict[str, Any]] = {}
        self.flagged: list[MergeConflict] = []
        self.steps = 0

    def check(self, text: str) -> None:
        """Cancel pressed: raise Cancelled (the transaction rolls back); else report."""
        if self.progress is None:
            return
        if self.progress.cancelled():
            raise Cancelled("The merge was cancelled: nothing was changed.")
        self.steps += 1
        self.progress.report(min(self.steps, STEPS), STEPS, text)

    def choice(self, c: MergeConflict) -> str:
        chosen = self.choices.get(c.key, c.rule_choice)
        return chosen if chosen in ("ours", "theirs") else c.rule_choice

    def note(self, table: str, rid: str, title: str, field: str | None, old: Any, new: Any, note: str,
             op: str = "merge") -> None:
        self.history.append((new_id(), self.stamp, self.now, self.author.id, self.author.name, op, table, rid,
                             (title or rid)[:300], field, old, new, note))

    # --- the whole merge, without the records in ``keep`` ----------------------------------

    def run(self, keep: set[tuple[str, str]]) -> None:
        plan = self.plan
        adds: dict[str, list[RecordRef]] = defaultdict(list)
        takes: list[tuple[FieldChange | MergeConflict, str]] = []  # (change, note)
        deletes: dict[str, list[RecordRef]] = defaultdict(list)
        bumps: list[tuple[str, str]] = []
        for ref in plan.added:
            if (ref.table, ref.record_id) not in keep:
                adds[ref.table].append(ref)
        for ref in plan.restored:
            if (ref.table, ref.record_id) not in keep:
                adds[ref.table].append(ref)
        for ch in plan.changed:
            if (ch.table, ch.record_id) not in keep:
                takes.append((ch, f"Taken from {self.source}."))
        for ref in plan.deleted:
            if (ref.table, ref.record_id) not in keep:
                deletes[ref.table].append(ref)
        for c in plan.conflicts:
            chosen = "ours" if (c.table, c.record_id) in keep else self.choice(c)
            who = "as chosen" if c.key in self.choices else "by the later change"
            if c.kind == "field":
                if chosen == "theirs":
                    takes.append((c, f"Conflict with {self.source}: their value taken {who}; "
                                     f"this document's value was {_json(c.ours)}."))
                else:
                    self.note(c.table, c.record_id, c.title, c.field, _json(c.theirs), _json(c.ours),
                              f"Conflict with {self.source}: this document's value kept {who}; "
                              f"their value was {_json(c.theirs)}.")
            elif c.kind == "delete_edit":
                ref = RecordRef(c.table, c.record_id, c.title)
                if c.deleted_side == "theirs" and chosen == "theirs":
                    deletes[c.table].append(ref)
                elif c.deleted_side == "ours" and chosen == "theirs":
                    adds[c.table].append(ref)
                    self.flagged.append(c)
                    if (c.theirs_hlc or "") < (c.ours_hlc or ""):
                        bumps.append((c.table, c.record_id))
                elif c.deleted_side == "theirs":  # kept here against their deletion
                    self.flagged.append(c)
                    self.touched.add((c.table, c.record_id))
                    if (c.ours_hlc or "") < (c.theirs_hlc or ""):
                        bumps.append((c.table, c.record_id))
                    self.note(c.table, c.record_id, c.title, None, None, None,
                              f"Deleted in {self.source}, edited here: the record is kept {who}.")
                else:  # stays deleted here; their edit is in the history copied below
                    self.note(c.table, c.record_id, c.title, None, None, None,
                              f"Edited in {self.source}, deleted here: it stays deleted {who}; "
                              "their edit stays in history.")
        self.setup_temp()
        for model in KIND_INFOS:  # parents before children
            if adds.get(model.table):
                self.check(f"Adding {model.label or model.table} records")
                self.add_records(model, adds[model.table])
        self.check("Taking changed fields")
        self.take_fields(takes)
        for model in reversed(KIND_INFOS):
            if deletes.get(model.table):
                self.check(f"Deleting {model.label or model.table} records")
                self.delete_records(model, deletes[model.table])
        for table, rid in bumps:  # a record kept against a later deletion: its keeping is the latest change
            self.raw.execute(f"UPDATE main.{q(table)} SET hlc = ? WHERE id = ?", (self.stamp, rid))
        self.check("Merging deletions")
        self.merge_tombstones()
        self.converge_record_stamps()

    def converge_record_stamps(self) -> None:
        """A record both files hold ends with the later of their ``hlc`` (its latest
        change), whether or not a value moved: a restore or an edit that reached us with
        values equal to ours is still a change we have now seen, and the rule for a
        deletion against a live record reads it (without this, an older copy of a
        deletion our partner had undone would win here silently). The plan lists them."""
        by_table: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for table, rid, stamp in self.plan.stamps:
            by_table[table].append((stamp, rid, stamp))
        for table, params in by_table.items():
            self.raw.executemany(f"UPDATE main.{q(table)} SET hlc = ? WHERE id = ? AND hlc < ?", params)

    def setup_temp(self) -> None:
        raw = self.raw
        raw.execute("CREATE TEMP TABLE IF NOT EXISTS merge_ids (id TEXT PRIMARY KEY)")
        raw.execute("CREATE TEMP TABLE IF NOT EXISTS merge_redirect (merged TEXT PRIMARY KEY, survivor TEXT)")
        raw.execute("DELETE FROM temp.merge_redirect")
        raw.executemany("INSERT INTO temp.merge_redirect VALUES (?, ?)",
                        [(m, s) for m, s in self.plan.redirects.items() if m != s])

    def _ids(self, ids: list[str]) -> None:
        self.raw.execute("DELETE FROM temp.merge_ids")
        self.raw.executemany("INSERT OR IGNORE INTO temp.merge_ids VALUES (?)", [(i,) for i in ids])

    def add_records(self, model: KindInfo, refs: list[RecordRef]) -> None:
        table = model.table
        tq = q(table)
        cols = list(model.columns)
        orgs = set(model.org_refs)
        select = ", ".join(
            f"coalesce((SELECT r.survivor FROM temp.merge_redirect r WHERE r.merged = t.{q(c)}), t.{q(c)})"
            if c in orgs else f"t.{q(c)}" for c in cols)
        self._ids([r.record_id for r in refs])
        raw = self.raw
        raw.execute(f"INSERT INTO main.{tq} ({', '.join(q(c) for c in cols)}) SELECT {select} "
                    f"FROM {THEIRS}.{tq} t WHERE t.id IN (SELECT id FROM temp.merge_ids)")
        raw.execute("DELETE FROM main.field_versions WHERE table_name = ? AND record_id IN (SELECT id FROM temp.merge_ids)",
                    (table,))
        raw.execute("INSERT INTO main.field_versions SELECT * FROM theirs.field_versions "
                    "WHERE table_name = ? AND record_id IN (SELECT id FROM temp.merge_ids)", (table,))
        raw.execute("DELETE FROM main.tombstones WHERE table_name = ? AND record_id IN (SELECT id FROM temp.merge_ids)",
                    (table,))
        note = f"Added from {self.source}."
        for ref in refs:
            self.note(table, ref.record_id, ref.title, None, None, None, note)
            self.touched.add((table, ref.record_id))
            self.changes.added.append((table, ref.record_id))

    def take_fields(self, takes: list[tuple[Any, str]]) -> None:
        by_field: dict[tuple[str, str], list[tuple[Any, str]]] = defaultdict(list)
        for change, note in takes:
            by_field[(change.table, change.field)].append((change, note))
        newest: dict[tuple[str, str], str] = {}
        versions = []
        for (table, name), items in by_field.items():
            update_field_rows(self.raw, table, name, [(c.theirs, c.record_id) for c, _n in items])
            for c, note in items:
                stamp = c.theirs_hlc or self.stamp
                versions.append((table, c.record_id, name, stamp, _uuid_of_node(stamp[-32:])))
                self.note(table, c.record_id, c.title, name, _json(c.ours), _json(c.theirs), note)
                if table != SETTINGS_TABLE:
                    key = (table, c.record_id)
                    self.touched.add(key)
                    if stamp > newest.get(key, ""):
                        newest[key] = stamp
                self.changes.changed.append((table, c.record_id, name))
        if not versions:
            return
        self.raw.executemany(
            "INSERT INTO main.field_versions (table_name, record_id, field, hlc, author_id) "
            "SELECT ?1, ?2, ?3, ?4, coalesce((SELECT tf.author_id FROM theirs.field_versions tf WHERE "
            "tf.table_name = ?1 AND tf.record_id = ?2 AND tf.field = ?3), ?5) WHERE true "
            "ON CONFLICT (table_name, record_id, field) DO UPDATE SET hlc = excluded.hlc, author_id = excluded.author_id",
            versions)
        if table_exists(self.raw, "main", "withheld_fields"):  # a value now here is no longer withheld here
            self.raw.executemany("DELETE FROM main.withheld_fields WHERE table_name = ? AND record_id = ? AND field = ?",
                                 [v[:3] for v in versions])
        by_table: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        for (table, rid), stamp in newest.items():
            by_table[table].append((stamp, self.now, self.author.id, rid))
        for table, params in by_table.items():
            self.raw.executemany(f"UPDATE main.{q(table)} SET hlc = max(hlc, ?), updated_at = ?, updated_by = ? "
                                 "WHERE id = ?", params)

    def delete_records(self, model: KindInfo, refs: list[RecordRef]) -> None:
        table = model.table
        tq = q(table)
        self._ids([r.record_id for r in refs])
        cols = list(model.columns)
        rows = self.raw.execute(f"SELECT {', '.join(q(c) for c in cols)} FROM main.{tq} "
                                "WHERE id IN (SELECT id FROM temp.merge_ids)").fetchall()
        titles = {r.record_id: r.title for r in refs}
        for row in rows:
            snapshot = dict(zip(cols, row))
            rid = snapshot["id"]
            self.note(table, rid, titles.get(rid, rid), None, json.dumps(snapshot, default=_plain), None,
                      f"Deleted in {self.source}: the record as it was is kept here.")
            self.removed[(table, rid)] = snapshot
            self.changes.deleted.append((table, rid))
        self.raw.execute(f"DELETE FROM main.{tq} WHERE id IN (SELECT id FROM temp.merge_ids)")
        self.raw.execute("INSERT OR REPLACE INTO main.tombstones SELECT * FROM theirs.tombstones "
                         "WHERE table_name = ? AND record_id IN (SELECT id FROM temp.merge_ids)", (table,))

    def merge_tombstones(self) -> None:
        """Their deletions of records not here reach this file (for a third partner);
        a deletion both files hold keeps the later stamp."""
        raw = self.raw
        raw.execute("UPDATE main.tombstones SET hlc = t.hlc, author_id = t.author_id, deleted_at = t.deleted_at "
                    "FROM theirs.tombstones t WHERE t.table_name = tombstones.table_name "
                    "AND t.record_id = tombstones.record_id AND t.hlc > tombstones.hlc")
        for model in KIND_INFOS:
            tq = q(model.table)
            raw.execute(f"INSERT INTO main.tombstones SELECT t.* FROM theirs.tombstones t WHERE t.table_name = ? "
                        "AND NOT EXISTS (SELECT 1 FROM main.tombstones m WHERE m.table_name = t.table_name "
                        "AND m.record_id = t.record_id) "
                        f"AND NOT EXISTS (SELECT 1 FROM main.{tq} o WHERE o.id = t.record_id)", (model.table,))

    # --- after the rules hold -------------------------------------------------------------

    def finish(self, violations: list[Violation], our_newest: str | None) -> list[MergeConflict]:
        raw = self.raw
        rule_conflicts = [_rule_conflict(v) for v in violations]
        for v in violations:
            self.note(v.table, v.record_id, v.title, None, None, None, f"Merging {self.source}: {v.reason}")
        cols = ", ".join(_HISTORY_COLUMNS)
        raw.execute(f"INSERT OR IGNORE INTO main.history ({cols}) SELECT {cols} FROM theirs.history")
        raw.execute("INSERT OR IGNORE INTO main.installations (id, user, host, first_seen, last_seen) "
                    "SELECT id, user, host, first_seen, last_seen FROM theirs.installations")
        raw.executemany(f"INSERT INTO main.history ({cols}) VALUES ({', '.join('?' * len(_HISTORY_COLUMNS))})",
                        self.history)
        raw.execute("INSERT OR IGNORE INTO main.installations (id, user, host, first_seen, last_seen) "
                    "VALUES (?, ?, ?, ?, ?)", (self.author.id, self.author.user, self.author.host, self.now, self.now))
        peer = self.plan.partner.document_id or None
        rows = [(new_id(), c.table, c.record_id, c.field, c.kind, _json(c.ours), _json(c.theirs), c.ours_hlc,
                 c.theirs_hlc, c.theirs_author, peer, self.now) for c in [*rule_conflicts, *self.flagged]]
        raw.executemany(  # once: merging the same file again does not list an open conflict twice
            "INSERT INTO main.conflicts (id, table_name, record_id, field, kind, ours_value, theirs_value, "
            "ours_hlc, theirs_hlc, theirs_author, peer_document_id, detected_at) "
            "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE NOT EXISTS (SELECT 1 FROM main.conflicts c "
            "WHERE c.table_name = ?2 AND c.record_id = ?3 AND c.field IS ?4 AND c.kind = ?5 "
            "AND c.peer_document_id IS ?11 AND c.resolved_at IS NULL)", rows)
        if peer:
            raw.execute(
                "INSERT INTO main.merge_peers (document_id, title, owner_org_id, first_merged_at, last_merged_at, "
                "their_hlc_seen, our_hlc_at_merge, merges) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT (document_id) DO UPDATE SET title = excluded.title, owner_org_id = excluded.owner_org_id, "
                "last_merged_at = excluded.last_merged_at, their_hlc_seen = excluded.their_hlc_seen, "
                "our_hlc_at_merge = excluded.our_hlc_at_merge, merges = merges + 1",
                (peer, self.plan.partner.title, self.plan.partner.owner_org_id, self.now, self.now,
                 self.plan.their_newest, our_newest))
        return rule_conflicts


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": len(bytes(value))}
    return str(value)


def update_field_rows(raw: Any, table: str, field: str, rows: list[tuple[Any, str]]) -> None:
    """Write one field of many records (``(value, record id)``): the row-by-row step of
    a merge."""
    if table == SETTINGS_TABLE:
        raw.executemany(f"UPDATE main.document SET {q(field)} = ?", [(v,) for v, _rid in rows])
        return
    raw.executemany(f"UPDATE main.{q(table)} SET {q(field)} = ? WHERE id = ?", rows)


def _backup(ws: Any) -> Path:
    """A copy of the document as it is, before the merge changes it, in the backup
    folder as ``<name>-before-merge-<time>-schema<N>.cypdesk``: the working copy's bytes
    copied while the merge's transaction holds the write lock and has written nothing
    (so the copy is the committed state), checked with ``quick_check``, flushed, then
    given its name (a backup with its final name is always whole and checked)."""
    import os
    import shutil

    from cypdesk import paths
    from cypdesk.common.errors import SaveFailed
    from cypdesk.model import dbfile, migrate, saving
    from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION  # (not migrate.head_version: Alembic takes a second)

    name = ws.doc.path.stem if ws.doc.path is not None else "untitled"
    tmp: Path | None = None
    try:
        dest = migrate.backup_path(f"{name}-before-merge", CURRENT_SCHEMA_VERSION)
        tmp = dest.with_name(f"{dbfile.TEMP_PREFIX}{os.urandom(8).hex()}{dbfile.TEMP_SUFFIX}")
        shutil.copyfile(ws.doc.working_path, tmp)
        paths.private_file(tmp)
        problem = dbfile.integrity_check(tmp, quick=True)
        if problem is not None:
            raise sqlite3.DatabaseError(f"the backup failed its check ({problem})")
        saving.fsync_file(tmp)
        os.replace(tmp, dest)
        saving.fsync_dir(dest.parent)
    except (OSError, sqlite3.Error) as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        reason = dbfile.plain_reason(exc)
        raise SaveFailed(f"Could not make a backup of {name} before merging ({reason}), so nothing was merged. "
                         "The document has not been changed.", path=ws.doc.path, reason=reason) from exc
    return dest


def apply_merge(ws: Any, theirs: Any, plan: MergePlan, choices: Mapping[str, str] | None = None, *,
                progress: Any = None, backup: bool = True) -> MergeResult:
    """Merge ``theirs`` into ``ws``'s document as ``plan`` (from :func:`plan_merge` on
    the same two files) says, each conflict as ``choices`` (key -> "ours" or "theirs";
    missing: the rule's choice). Raises MergeStale if the document changed since the
    plan, Cancelled if ``progress`` says so; either way, or on any error, nothing is
    changed."""
    choices = dict(choices or {})
    path = partner_path(theirs)
    ws.doc.check_writable()
    ws.clock.observe(plan.their_newest)
    backup_file: Path | None = None
    with ws.doc.unsaved_write():
        with attached(ws, path, write=True) as raw:
            raw.execute("BEGIN IMMEDIATE")
            if state_token(raw) != plan.state:
                raise MergeStale("The document changed since the merge was previewed: preview it again.",
                                 path=ws.doc.path)
            if backup:
                backup_file = _backup(ws)
            applier, violations, keep = _merge_keeping_rules(ws, raw, plan, choices, progress)
            rule_conflicts = applier.finish(violations, plan.our_newest)
            applier.check("Saving the merge")
            raw.execute("RELEASE merge_try")
            raw.execute("COMMIT")
            for temp in ("merge_ids", "merge_redirect"):
                raw.execute(f"DROP TABLE IF EXISTS temp.{temp}")
    ws.last_changes = done = applier.changes
    counts = {"added": len(done.added), "changed": len({(t, r) for t, r, _f in done.changed}),
              "unchanged": plan.unchanged, "deleted": len(done.deleted), "rejected": len(keep),
              "conflicts": len(plan.conflicts) + len(rule_conflicts)}
    return MergeResult(counts=counts, backup=backup_file, conflicts=[*plan.conflicts, *rule_conflicts], plan=plan)


def _rule_conflict(v: Violation) -> MergeConflict:
    return MergeConflict(conflict_key(v.table, v.record_id, None), "rule", v.table, v.record_id, v.title, None, "",
                         None, None, None, None, None, None, "ours", None, None, v.reason)


def _merge_keeping_rules(ws: Any, raw: Any, plan: MergePlan, choices: Mapping[str, str], progress: Any
                         ) -> tuple[_Applier, list[Violation], set[tuple[str, str]]]:
    """Write the merge inside the open transaction; while a model rule is broken, undo
    it (a savepoint) and write it again without the records involved. Returns the
    applier of the last round (inside savepoint ``merge_try``), the rules broken and
    the records kept as ours."""
    ws.clock.observe(raw.execute("SELECT max(hlc) FROM main.history").fetchone()[0])  # past every stamp here
    stamp = ws.clock.tick()
    keep: set[tuple[str, str]] = set()
    violations: list[Violation] = []
    for _round in range(MAX_RULE_ROUNDS):
        raw.execute("SAVEPOINT merge_try")
        applier = _Applier(ws, raw, plan, choices, stamp, progress)
        applier.run(keep)
        found = check_rules(raw, applier.touched, applier.removed)
        new = set().union(*(v.involved for v in found)) - keep if found else set()
        if not new:
            return applier, _unique(violations), keep
        violations = [*violations, *(v for v in found if v.involved - keep)]
        keep |= new
        raw.execute("ROLLBACK TO merge_try")
        raw.execute("RELEASE merge_try")
    raise RuntimeError("the merge could not keep the model's rules")


def rule_conflicts(ws: Any, theirs: Any, plan: MergePlan, choices: Mapping[str, str] | None = None, *,
                   progress: Any = None) -> list[MergeConflict]:
    """The "rule" conflicts accepting ``plan`` with ``choices`` would bring (a model
    rule the merge would break, so this document's records involved are kept), for a
    preview to show before anything is written: the merge is written in a transaction
    that is then rolled back. Needs a writable document; changes nothing."""
    ws.doc.check_writable()
    with ws.doc.write_lock:
        with attached(ws, partner_path(theirs), write=True) as raw:
            raw.execute("BEGIN IMMEDIATE")
            if state_token(raw) != plan.state:
                raise MergeStale("The document changed since the merge was previewed: preview it again.",
                                 path=ws.doc.path)
            _applier, violations, _keep = _merge_keeping_rules(ws, raw, plan, dict(choices or {}), progress)
            raw.execute("ROLLBACK")
            for temp in ("merge_ids", "merge_redirect"):
                raw.execute(f"DROP TABLE IF EXISTS temp.{temp}")
    return [_rule_conflict(v) for v in violations]


def _unique(violations: list[Violation]) -> list[Violation]:
    seen = set()
    out = []
    for v in violations:
        key = (v.table, v.record_id, v.reason)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out

