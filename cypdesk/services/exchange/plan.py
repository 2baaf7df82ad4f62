"""What a merge of a partner's file into this document would do, worked out without
writing anything: records added, fields changed, records deleted, conflicts, possible
duplicate organisations, stamps from a clock far ahead, and what is not merged.

The rules are those of the package doc (``cypdesk.services.exchange``). The comparison
is SQL over our working copy with the partner's file ATTACHed: for each kind, one query
finds the records whose merged fields differ and only those come into Python, where each
differing field is decided by the two version vectors.

What the model's rules would say is known only by writing the merge: ``apply.rule_conflicts``
does that in a transaction it rolls back, for a preview.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

from cypdesk.common.errors import Cancelled
from cypdesk.common.hlc import ZERO, wall_ms_of
from cypdesk.model.kindinfo import KIND_INFOS, SETTINGS_LABELS, KindInfo
from cypdesk.model.versions import deletion_outcome, has_seen
from cypdesk.services.exchange.canon import SETTINGS_RECORD, SETTINGS_TABLE, settings_fields
from cypdesk.services.exchange.sqlmerge import (
    THEIRS, attached, follow_redirects, partner_path, q, state_token, table_exists, version_vector,
)

from cypdesk.services.exchange.intake import PartnerInfo  # the plain data of a partner file

SKEW_MS = 24 * 3600 * 1000  # a stamp more than a day ahead of this computer's clock is reported (case 37)


@dataclass(frozen=True)
class RecordRef:
    table: str
    record_id: str
    title: str


@dataclass(frozen=True)
class FieldChange:
    """A field taken from theirs without conflict."""

    table: str
    record_id: str
    title: str
    field: str
    label: str
    ours: Any
    theirs: Any
    ours_hlc: str | None
    theirs_hlc: str | None
    theirs_author: str | None


@dataclass(frozen=True)
class MergeConflict:
    key: str  # f"{table}/{record_id}/{field or '*'}"
    kind: str  # "field" | "delete_edit" | "rule"
    table: str
    record_id: str
    title: str
    field: str | None
    label: str
    ours: Any  # for delete_edit the side that deleted has None
    theirs: Any
    ours_hlc: str | None
    theirs_hlc: str | None
    ours_author: str | None
    theirs_author: str | None
    rule_choice: str  # "ours" | "theirs": what the deterministic rule picks
    owner_org_id: str | None
    deleted_side: str | None  # delete_edit: "ours" | "theirs"
    reason: str


def conflict_key(table: str, record_id: str, field: str | None) -> str:
    return f"{table}/{record_id}/{field or '*'}"


@dataclass
class MergePlan:
    partner: PartnerInfo
    added: list[RecordRef] = dc_field(default_factory=list)
    changed: list[FieldChange] = dc_field(default_factory=list)
    deleted: list[RecordRef] = dc_field(default_factory=list)
    conflicts: list[MergeConflict] = dc_field(default_factory=list)
    duplicates: list[tuple[RecordRef, RecordRef]] = dc_field(default_factory=list)
    skewed: list[str] = dc_field(default_factory=list)
    ignored: list[str] = dc_field(default_factory=list)
    unchanged: int = 0
    # What the apply needs besides the lists above (not for display).
    restored: list[RecordRef] = dc_field(default_factory=list, repr=False)  # re-added: their restore beats our tombstone
    # Records both hold whose latest change (hlc) is later in theirs: ours moves to it even when no
    # value moves, so a restore or an edit that arrived with equal values still beats an older
    # copy of a deletion (found by the property tests: tests/properties/test_found_restore_and_stale_file.py).
    stamps: list[tuple[str, str, str]] = dc_field(default_factory=list, repr=False)
    their_newest: str | None = dc_field(default=None, repr=False)
    our_newest: str | None = dc_field(default=None, repr=False)
    redirects: dict[str, str] = dc_field(default_factory=dict, repr=False)
    state: tuple[Any, ...] | None = dc_field(default=None, repr=False)
    source: Path | None = dc_field(default=None, repr=False)

    def counts(self) -> dict[str, int]:
        changed_records = {(c.table, c.record_id) for c in self.changed}
        return {"added": len(self.added) + len(self.restored), "changed": len(changed_records),
                "deleted": len(self.deleted), "conflicts": len(self.conflicts), "unchanged": self.unchanged}

    def by_table(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(lambda: {"added": 0, "changed": 0, "deleted": 0, "conflicts": 0})
        for ref in [*self.added, *self.restored]:
            out[ref.table]["added"] += 1
        for table, _rid in {(c.table, c.record_id) for c in self.changed}:
            out[table]["changed"] += 1
        for ref in self.deleted:
            out[ref.table]["deleted"] += 1
        for c in self.conflicts:
            out[c.table]["conflicts"] += 1
        return {k: dict(v) for k, v in sorted(out.items())}


class _Authors:
    """Installation ids (and stamps' nodes) -> "user on host", from both files."""

    def __init__(self, raw: Any) -> None:
        self.names: dict[str, str] = {}
        for schema in ("main", THEIRS):
            for iid, user, host in raw.execute(f"SELECT id, user, host FROM {schema}.installations"):
                self.names[iid] = f"{user} on {host}"
                self.names[iid.replace("-", "").lower()] = f"{user} on {host}"

    def of(self, author_id: str | None, stamp: str | None = None) -> str | None:
        if author_id and author_id in self.names:
            return self.names[author_id]
        if stamp and len(stamp) == 48:
            return self.names.get(stamp[-32:])
        return author_id


def partner_info(theirs: Any, raw: Any) -> PartnerInfo:
    info = getattr(theirs, "info", None)
    if callable(info):
        return info()
    row = raw.execute(f"SELECT id, title, trust_name, owner_org_id FROM {THEIRS}.document LIMIT 1").fetchone() or (
        "", "", None, None)
    withheld = table_exists(raw, THEIRS, "withheld_fields") and raw.execute(
        f"SELECT 1 FROM {THEIRS}.withheld_fields LIMIT 1").fetchone() is not None
    return PartnerInfo(document_id=row[0] or "", title=row[1] or "", trust_name=row[2], owner_org_id=row[3],
                       source_name=Path(theirs).name, is_share=bool(withheld))


def _check(progress: Any, done: int, total: int, text: str) -> None:
    if progress is None:
        return
    if progress.cancelled():
        raise Cancelled("The merge was cancelled: nothing was changed.")
    progress.report(done, total, text)


def _label(kind: KindInfo, name: str) -> str:
    return kind.labels.get(name, name)


class _Planner:
    def __init__(self, raw: Any, plan: MergePlan, *, now_ms: int) -> None:
        self.raw = raw
        self.plan = plan
        self.vv_ours = version_vector(raw, "main")
        self.vv_theirs = version_vector(raw, THEIRS)
        self.authors = _Authors(raw)
        self.now_ms = now_ms
        self.withheld = self._withheld(THEIRS)  # theirs: never blank ours with what they left out
        self.our_withheld = self._withheld("main")  # ours (a file made from a share): a blank, not a value
        self.withheld_kept = 0

    def _withheld(self, schema: str) -> dict[tuple[str, str, str], str]:
        if not table_exists(self.raw, schema, "withheld_fields"):
            return {}
        return {(t, rid, f): stamp or ZERO for t, rid, f, stamp in self.raw.execute(
            f"SELECT table_name, record_id, field, hlc FROM {schema}.withheld_fields")}

    # --- one field -----------------------------------------------------------------

    def decide(self, table: str, rid: str, name: str, ours: Any, theirs: Any, ohlc: str, thlc: str) -> str | None:
        """None (keep ours, nothing to report), "theirs" (take it) or "conflict"."""
        if ours == theirs:
            return None
        withheld = self.withheld.get((table, rid, name))
        if withheld is not None and not thlc > withheld:
            self.withheld_kept += 1
            return None
        mine = self.our_withheld.get((table, rid, name))
        if mine is not None and not ohlc > mine and thlc >= mine:  # the value our share left out, or a later one
            return "theirs"
        if ohlc == thlc:
            return None
        theirs_seen = has_seen(self.vv_ours, thlc)
        ours_seen = has_seen(self.vv_theirs, ohlc)
        if theirs_seen and ours_seen:  # each has seen the other's: the later stamp, as both would decide
            return "theirs" if thlc > ohlc else None
        if theirs_seen:
            return None
        if ours_seen:
            return "theirs"
        return "conflict"

    # --- records in both ---------------------------------------------------------------

    def compare_table(self, model: KindInfo) -> tuple[int, set[str]]:
        """One pass over their records of a kind (joined to ours by id): the records only
        they have (:meth:`only_theirs`) and, field by field, the records both hold whose
        merged fields differ. Returns (records in both, ids with something to do)."""
        table = model.table
        names = list(model.merged)
        title = model.title
        orgs = set(model.org_refs)
        labels = {n: _label(model, n) for n in names}
        sel = ", ".join(f"o.{q(n)}, t.{q(n)}" for n in names)
        differ = " OR ".join(f"o.{q(n)} IS NOT t.{q(n)}" for n in names)
        tq = q(table)
        rows = self.raw.execute(
            f"SELECT t.id, o.id IS NULL, o.created_hlc, t.created_hlc, o.created_by, t.created_by, o.owner_org_id, "
            f"t.owner_org_id, t.hlc, t.updated_by, o.hlc, {sel} "
            f"FROM {THEIRS}.{tq} t LEFT JOIN main.{tq} o ON o.id = t.id "
            f"WHERE o.id IS NULL OR o.hlc < t.hlc OR {differ}").fetchall()
        theirs_count = self.raw.execute(f"SELECT count(*) FROM {THEIRS}.{tq}").fetchone()[0]
        only = [r for r in rows if r[1]]
        rows = [r for r in rows if not r[1]]
        both = theirs_count - len(only)
        if only:
            self.only_theirs(model, only, names, title)
        if not rows:
            return both, set()
        ov, tv = self._versions(table, [r[0] for r in rows])
        touched: set[str] = set()
        redirects = self.plan.redirects
        for r in rows:
            rid, _only, ocreated, tcreated, oby, tby, owner = r[:7]
            if r[10] < r[8]:  # their latest change is later: ours moves to it, whatever moves with it
                self.plan.stamps.append((table, rid, r[8]))
            values = r[11:]
            rec_title = None
            for i, name in enumerate(names):
                o, t = values[2 * i], values[2 * i + 1]
                if o == t:
                    continue
                if name in orgs and t is not None:
                    t = redirects.get(t, t)
                ohlc, oauth = ov.get((rid, name), (ocreated, oby))
                thlc, tauth = tv.get((rid, name), (tcreated, tby))
                verdict = self.decide(table, rid, name, o, t, ohlc, thlc)
                if verdict is None:
                    continue
                if rec_title is None:
                    rec_title = self._title(values, names, title, rid)
                touched.add(rid)
                if verdict == "theirs":
                    self.plan.changed.append(FieldChange(
                        table, rid, rec_title, name, labels[name], o, t, ohlc, thlc, self.authors.of(tauth, thlc)))
                else:
                    self.plan.conflicts.append(MergeConflict(
                        conflict_key(table, rid, name), "field", table, rid, rec_title, name, labels[name], o, t,
                        ohlc, thlc, self.authors.of(oauth, ohlc), self.authors.of(tauth, thlc),
                        "theirs" if thlc > ohlc else "ours", owner, None,
                        "Both files changed this field since they last shared a state."))
        return both, touched

    def _title(self, values: Any, names: list[str], title: str | None, rid: str) -> str:
        if title is None or title not in names:
            return rid
        i = names.index(title)
        value = values[2 * i] if values[2 * i] not in (None, "") else values[2 * i + 1]
        return str(value)[:300] if value not in (None, "") else rid

    def _fill_ids(self, ids: list[str]) -> None:
        self.raw.execute("CREATE TEMP TABLE IF NOT EXISTS plan_ids (id TEXT PRIMARY KEY)")
        self.raw.execute("DELETE FROM temp.plan_ids")
        self.raw.executemany("INSERT OR IGNORE INTO temp.plan_ids VALUES (?)", ((i,) for i in ids))

    def _versions(self, table: str, ids: list[str]) -> tuple[dict[tuple[str, str], tuple[str, str | None]], ...]:
        """The field versions both files hold for the records ``ids`` of ``table``."""
        self._fill_ids(ids)
        out = []
        for schema in ("main", THEIRS):
            found = {}
            for rid, name, stamp, author in self.raw.execute(
                    f"SELECT f.record_id, f.field, f.hlc, f.author_id FROM temp.plan_ids d "
                    f"JOIN {schema}.field_versions f ON f.table_name = ? AND f.record_id = d.id", (table,)):
                found[(rid, name)] = (stamp, author)
            out.append(found)
        return tuple(out)

    # --- records on one side, tombstones --------------------------------------------------

    def only_theirs(self, model: KindInfo, rows: list[tuple[Any, ...]], names: list[str], title: str | None) -> None:
        """Their records we do not have: added, unless we deleted them (then the rule
        for a deletion against a live record decides)."""
        table = model.table
        self._fill_ids([r[0] for r in rows])
        tombs = {rid: (stamp, by) for rid, stamp, by in self.raw.execute(
            "SELECT m.record_id, m.hlc, m.author_id FROM temp.plan_ids d JOIN main.tombstones m "
            "ON m.table_name = ? AND m.record_id = d.id", (table,))}
        ti = names.index(title) if title in names else None
        for r in rows:
            rid, towner, thlc, tby = r[0], r[7], r[8], r[9]
            rtitle = r[11 + 2 * ti + 1] if ti is not None else None
            ref = RecordRef(table, rid, str(rtitle)[:300] if rtitle not in (None, "") else rid)
            tomb, tomb_by = tombs.get(rid, (None, None))
            if tomb is None:
                self.plan.added.append(ref)
                continue
            outcome = deletion_outcome(thlc, tomb, self.vv_theirs, self.vv_ours)
            if outcome == "keep":  # they saw our deletion and brought it back: a restore
                self.plan.restored.append(ref)
            elif outcome == "conflict_keep" or outcome == "conflict_delete":
                later = outcome == "conflict_keep"
                self.plan.conflicts.append(MergeConflict(
                    conflict_key(table, rid, None), "delete_edit", table, rid, ref.title, None, "", None, None, tomb, thlc,
                    self.authors.of(tomb_by, tomb), self.authors.of(tby, thlc), "theirs" if later else "ours", towner,
                    "ours", "Deleted here, edited in their file since it last had this record."
                    + (" Their edit is later: the record is kept." if later else
                       " The deletion is later: it stays deleted and their edit stays in history.")))

    def their_tombstones(self, model: KindInfo) -> None:
        table = model.table
        title = model.title
        tq = q(table)
        ocol = f"o.{q(title)}" if title else "o.id"
        rows = self.raw.execute(
            f"SELECT o.id, {ocol}, o.hlc, o.updated_by, o.owner_org_id, tt.hlc, tt.author_id "
            f"FROM {THEIRS}.tombstones tt JOIN main.{tq} o ON o.id = tt.record_id WHERE tt.table_name = ?",
            (table,)).fetchall()
        for rid, rtitle, ohlc, oby, owner, tomb, tomb_by in rows:
            ref = RecordRef(table, rid, str(rtitle)[:300] if rtitle not in (None, "") else rid)
            outcome = deletion_outcome(ohlc, tomb, self.vv_ours, self.vv_theirs)
            if outcome == "keep":  # we saw their deletion and restored the record
                continue
            if outcome == "delete":
                self.plan.deleted.append(ref)
                continue
            later = outcome == "conflict_keep"
            self.plan.conflicts.append(MergeConflict(
                conflict_key(table, rid, None), "delete_edit", table, rid, ref.title, None, "", None, None, ohlc, tomb,
                self.authors.of(oby, ohlc), self.authors.of(tomb_by, tomb), "ours" if later else "theirs", owner,
                "theirs", "Deleted in their file, edited here since they last had this record."
                + (" The edit here is later: the record is kept." if later else
                   " Their deletion is later: it is deleted and the edit stays in history.")))

    # --- settings ---------------------------------------------------------------------------

    def settings(self) -> bool:
        names = list(settings_fields())
        cols = ", ".join(q(n) for n in names)
        ours = self.raw.execute(f"SELECT {cols} FROM main.document LIMIT 1").fetchone()
        theirs = self.raw.execute(f"SELECT {cols} FROM {THEIRS}.document LIMIT 1").fetchone()
        if ours is None or theirs is None:
            return False
        ov, tv = self._versions(SETTINGS_TABLE, [SETTINGS_RECORD])
        touched = False
        for name, o, t in zip(names, ours, theirs):
            if o == t:
                continue
            ohlc, oauth = ov.get((SETTINGS_RECORD, name), (ZERO, None))
            thlc, tauth = tv.get((SETTINGS_RECORD, name), (ZERO, None))
            verdict = self.decide(SETTINGS_TABLE, SETTINGS_RECORD, name, o, t, ohlc, thlc)
            if verdict is None:
                continue
            touched = True
            label = SETTINGS_LABELS.get(name, name)
            if verdict == "theirs":
                self.plan.changed.append(FieldChange(SETTINGS_TABLE, SETTINGS_RECORD, "Document settings", name, label,
                                                     o, t, ohlc, thlc, self.authors.of(tauth, thlc)))
            else:
                self.plan.conflicts.append(MergeConflict(
                    conflict_key(SETTINGS_TABLE, SETTINGS_RECORD, name), "field", SETTINGS_TABLE, SETTINGS_RECORD,
                    "Document settings", name, label, o, t, ohlc, thlc, self.authors.of(oauth, ohlc),
                    self.authors.of(tauth, thlc), "theirs" if thlc > ohlc else "ours", None, None,
                    "Both files changed this setting since they last shared a state."))
        return touched

    # --- reports ------------------------------------------------------------------------------

    def duplicates(self) -> None:
        """Organisations added from theirs whose name matches one of ours (case 35):
        reported for a person to link, never merged by themselves."""
        from cypdesk.common.names import normalise_name

        added = [r for r in self.plan.added if r.table == "organisations"]
        if not added:
            return
        ours: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for oid, name in self.raw.execute("SELECT id, name FROM main.organisations"):
            key = normalise_name(name)
            if key:
                ours[key].append((oid, name))
        for ref in added:
            for oid, name in ours.get(normalise_name(ref.title), []):
                self.plan.duplicates.append((RecordRef("organisations", oid, name), ref))

    def skew(self) -> None:
        limit = self.now_ms + SKEW_MS
        for node, stamp in sorted(self.vv_theirs.items()):
            try:
                wall = wall_ms_of(stamp)
            except ValueError:
                continue
            if wall > limit:
                from datetime import datetime, timezone

                when = datetime.fromtimestamp(wall / 1000, timezone.utc).strftime("%d/%m/%Y %H:%M UTC")
                who = self.authors.of(None, stamp) or node
                self.plan.skewed.append(
                    f"Changes by {who} are stamped {when}, more than a day ahead of this computer's clock: "
                    "that computer's clock may be wrong. Their order against other changes follows the stamps.")


def _redirects(raw: Any) -> dict[str, str]:
    """Organisation merges of both files: merged id -> survivor (ours where both say)."""
    direct: dict[str, str] = {}
    for schema in (THEIRS, "main"):
        for merged, survivor in raw.execute(f"SELECT merged_id, survivor_id FROM {schema}.organisation_merges"):
            direct[merged] = survivor
    return follow_redirects(direct)


def build_plan(raw: Any, info: PartnerInfo, *, progress: Any = None, now_ms: int | None = None) -> MergePlan:
    """The plan on a connection with the partner's file ATTACHed as ``theirs``."""
    plan = MergePlan(partner=info)
    plan.redirects = _redirects(raw)
    planner = _Planner(raw, plan, now_ms=now_ms if now_ms is not None else int(time.time() * 1000))
    total = len(KIND_INFOS) + 1
    unchanged = 0
    for i, model in enumerate(KIND_INFOS):  # the kinds as plain data: no mapped class is imported
        _check(progress, i, total, f"Comparing {model.label or model.table} records")
        both, touched = planner.compare_table(model)
        planner.their_tombstones(model)
        unchanged += both - len(touched)
    planner.settings()
    plan.unchanged = unchanged
    planner.duplicates()
    planner.skew()
    if planner.withheld_kept:
        plan.ignored.append(f"{planner.withheld_kept} field(s) withheld from their copy were kept as they are here.")
    theirs_doc = raw.execute(f"SELECT id, owner_org_id FROM {THEIRS}.document LIMIT 1").fetchone()
    ours_doc = raw.execute("SELECT id, owner_org_id FROM main.document LIMIT 1").fetchone()
    if theirs_doc and ours_doc and theirs_doc[1] != ours_doc[1]:
        plan.ignored.append("Their file's owner is theirs: the owner of this document is not merged.")
    plan.their_newest = max(planner.vv_theirs.values(), default=None)
    plan.our_newest = max(planner.vv_ours.values(), default=None)
    plan.state = state_token(raw)
    raw.execute("DROP TABLE IF EXISTS temp.plan_ids")
    _check(progress, total, total, "Compared")
    return plan


def plan_merge(ws: Any, theirs: Any, *, progress: Any = None) -> MergePlan:
    """What merging ``theirs`` (a PartnerFile from ``open_partner``, or the Path of a
    trusted file at head schema) into ``ws``'s document would do. Writes nothing."""
    path = partner_path(theirs)
    with attached(ws, path) as raw:
        raw.execute("BEGIN")
        info = partner_info(theirs, raw)
        plan = build_plan(raw, info, progress=progress)
    plan.source = path
    return plan
