"""The operations partners perform, as plain tuples hypothesis draws, prints and
shrinks, and :class:`Exchange`, which performs them on real files (partners.py).

Operations (partner numbers and slots are taken modulo what exists when they run, so
every drawn list is runnable; one that does not apply, such as editing a record this
partner does not hold, is skipped and says so in the log):

- ``("edit", p, table, slot, field, v)``: records.update (service_edit.save_contract
  for a contract) of one field of a service, contract or organisation;
- ``("owner", p, table, slot, org)``: hand the record to another partner (owner_org_id);
- ``("delete", p, table, slot)``: records.delete of a deletable record, with its
  dependents (a base service goes with its contracts, shares, outcome and funding links);
- ``("restore", p, k)``: undo the partner's k-th own deletion (records.restore);
- ``("create", p, table, slot)``: a new organisation, service, or contract of a stable
  service;
- ``("setting", p, name, v)``: settings.save_settings of one document setting;
- ``("import", p, v)``: services/importing of the base's organisations sheet again,
  with other websites (bulk updates, and new organisations where a name was edited);
- ``("funding", p, slot, which)``: service_edit.set_funding of a stable service (link
  rows added, changed and deleted; the same source on two sides is the same row);
- ``("shares", slot, split)``: partner 0, the commissioning lead, sets a stable
  service's commissioners' shares (service_edit.set_commissioners, totalling 100%);
- ``("copy", p)``: a plain file copy of partner p's saved file becomes a new partner;
- ``("merge", x, y, twice)``: partner y merges partner x's saved file (and, if
  ``twice``, merges it again and checks that nothing changes; a file whose every
  change y had seen already must change nothing either);
- ``("order", x, y)``: on copies, x<-y and y<-x end with the same content;
- ``("send", p)``: partner p emails its saved file: the attachment keeps that state;
- ``("receive", m, y)``: partner y merges the m-th attachment sent, however old (a file
  that travelled slowly must not undo what happened since).

What the operations never do, by construction, is exactly what the contract says does
not converge: a merge that would break a model rule is a "rule" conflict kept as ours
on each side (contract11 section 0), so the two sides may keep different values.
Hence (1) commissioners' shares are set only by partner 0, a single sequential writer
(two partners splitting one service's shares concurrently can total more than 100% once
merged); (2) references point only at records never deleted (the base organisations,
stable services), so no merge can leave a reference to a deleted record; (3) contracts,
shares and links of a deletable service are never edited, only deleted with it (an edit
of a child kept against its parent's deletion would reference a deleted service).
Everything else the contract promises converges and is drawn freely: concurrent edits
of one field (conflicts, later stamp wins), equal values, deletion against an edit in
either order, undo of a deletion against a stale tombstone, settings, owner changes,
copies of copies, skewed clocks.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tests.properties import partners as pt

# field -> the values drawn (few, so partners often write equal values). "@k" is the
# k-th base organisation.
SERVICE_FIELDS: dict[str, tuple[Any, ...]] = {
    "name": ("Family support", "Family help", "Early help hub"),
    "annual_cost": (120000.0, 150000.0, 98500.5),
    "capacity": (10, 25, None),
    "status": ("active", "under_review", "decommissioning"),
    "description": (None, "Run from the children's centre", "Weekends too"),
    "provider_id": ("@0", "@3", None),
}
CONTRACT_FIELDS: dict[str, tuple[Any, ...]] = {
    "title": ("Family support contract", "Mentoring grant", None),
    "annual_value": (50000.0, 65000.0, None),      # confidential
    "total_value": (150000.0, 195000.0, 210000.0),  # confidential
    "reference": ("RC-001", "RC-002", "YJ-7"),
    "supplier_id": ("@3", "@4", None),
    "end_date": (date(2028, 3, 31), date(2029, 3, 31), None),
}
ORG_FIELDS: dict[str, tuple[Any, ...]] = {
    "name": ("Harbour Lights", "Harbour Lights Trust", "Kestrel"),
    "website": ("https://a.example", None, "https://b.example"),
}
FIELDS = {"services": SERVICE_FIELDS, "contracts": CONTRACT_FIELDS, "organisations": ORG_FIELDS}
SETTINGS: dict[str, tuple[Any, ...]] = {
    "title": ("Riverside children's trust", "Riverside CYP partnership", "Riverside trust"),
    "trust_name": ("Riverside Children's Trust", None, "Riverside CYP Partnership"),
    "small_number_threshold": (5, 6, 10),
    "rating_scale": ("rag", "trajectory", "rag"),
    "tolerance_pct": (5.0, 7.5, 10.0),
}
# Websites a re-import of the base's organisations sheet gives its three rows.
IMPORT_WEBSITES = (("https://harbour.example", "", "https://kestrel.example"),
                   ("https://harbour.example/new", "https://northgate.example", "https://kestrel.example"),
                   ("", "https://northgate.example", "https://kestrel.example/2026"))
# Funding lists a partner may give a stable service (link rows with ids made from what
# they link, so two partners adding the same source make the same row).
FUNDING = ((("Public Health Grant", 60000.0),),
           (("Public Health Grant", 60000.0), ("ICB baseline", 20000.0)),
           (("Dedicated Schools Grant", None), ("ICB baseline", 25000.0)),
           ())
SPLITS = (((0, 60.0), (1, 40.0)), ((0, 50.0), (2, 50.0)), ((1, 33.34), (2, 33.33), (0, 33.33)))
TABLES = ("services", "contracts", "organisations")


class Lost(AssertionError):
    """A value a partner wrote is nowhere in a file that took in that partner's work."""


@dataclass
class Exchange:
    """Partners (real files in ``folder``) and what each has written and taken in."""

    base: Path
    ids: pt.BaseIds
    folder: Path
    partners: list[pt.Partner] = field(default_factory=list)
    created: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    known: dict[int, set[pt.Write]] = field(default_factory=dict)  # partner -> writes its file holds
    log: list[str] = field(default_factory=list)
    ever_deleted: set[tuple[str, str]] = field(default_factory=set)  # (table, id) deleted by some partner
    mail: list[tuple[Path, str, frozenset[pt.Write]]] = field(default_factory=list)  # (file, sender, its writes)
    merges: int = 0
    copies_made: int = 0

    # --- set-up --------------------------------------------------------------------------

    def start(self, count: int) -> Exchange:
        for n in range(count):
            path = pt.copy_file(self.base, self.folder / f"partner{n}.cypdesk")
            self.partners.append(pt.open_partner(path, n))
            self.known[n] = set()
        return self

    def close(self) -> None:
        for p in self.partners:
            p.close()

    def partner(self, k: int) -> pt.Partner:
        return self.partners[k % len(self.partners)]

    def say(self, text: str) -> None:
        self.log.append(text)

    # --- what records exist ------------------------------------------------------------------

    def editable(self, table: str) -> list[str]:
        base = {"services": self.ids.stable_services + self.ids.deletable_services,
                "contracts": self.ids.stable_contracts, "organisations": self.ids.orgs}[table]
        return base + self.created[table]

    def deletable(self, table: str) -> list[str]:
        return (self.ids.deletable_services if table == "services" else []) + self.created[table]

    def org(self, token: Any) -> Any:
        if isinstance(token, str) and token.startswith("@"):
            return self.ids.orgs[int(token[1:])]
        return token

    def holds(self, p: pt.Partner, table: str, record_id: str) -> bool:
        with p.conn() as c:
            return c.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is not None

    # --- operations ----------------------------------------------------------------------------

    def run(self, ops: list[tuple]) -> None:
        for op in ops:
            getattr(self, f"op_{op[0]}")(*op[1:])

    def _wrote(self, p: pt.Partner, *meant: tuple[str, str, str]) -> None:
        """Count what ``p`` just wrote: what history says, and the fields the operation
        meant to write, ``(table, record id, field)``, as they now read."""
        self.known[p.n].update(pt.new_writes(p))
        self.known[p.n].update(pt.written(p, *m) for m in meant)

    def op_edit(self, k: int, table: str, slot: int, name: str, v: int) -> None:
        from cypdesk.services import records, service_edit

        p, pool = self.partner(k), self.editable(table)
        rid = pool[slot % len(pool)]
        values = FIELDS[table][name]
        value = self.org(values[v % len(values)])
        if not self.holds(p, table, rid):
            self.say(f"{p.name}: edit {table} {rid[:8]}: not held, skipped")
            return
        if table == "contracts":
            with p.conn() as c:
                (sid,) = c.execute("SELECT service_id FROM contracts WHERE id = ?", (rid,)).fetchone()
            service_edit.save_contract(p.ws, sid, {name: value}, rid)
        else:
            records.update(p.ws, table, rid, {name: value})
        self.say(f"{p.name}: {table} {rid[:8]}.{name} = {value!r}")
        self._wrote(p, (table, rid, name))

    def op_owner(self, k: int, table: str, slot: int, org: int) -> None:
        p, pool = self.partner(k), self.editable(table)
        rid = pool[slot % len(pool)]
        owner = self.ids.orgs[org] if org < len(self.ids.orgs) else None
        if not self.holds(p, table, rid):
            self.say(f"{p.name}: owner of {table} {rid[:8]}: not held, skipped")
            return
        set_owner(p.ws, table, rid, owner)
        self.say(f"{p.name}: {table} {rid[:8]} handed to {owner and owner[:8]}")
        self._wrote(p, (table, rid, "owner_org_id"))

    def op_delete(self, k: int, table: str, slot: int) -> None:
        from cypdesk.services import records

        p, pool = self.partner(k), self.deletable(table)
        if not pool:
            return
        rid = pool[slot % len(pool)]
        if not self.holds(p, table, rid):
            self.say(f"{p.name}: delete {table} {rid[:8]}: not held, skipped")
            return
        p.deleted.append(records.delete(p.ws, table, rid))
        self.ever_deleted.update((t, values["id"]) for t, values in [(table, {"id": rid}), *p.deleted[-1].dependents])
        self.say(f"{p.name}: deleted {table} {rid[:8]} with {len(p.deleted[-1].dependents)} dependents")
        self._wrote(p)

    def op_restore(self, k: int, which: int) -> None:
        from cypdesk.services import records

        p = self.partner(k)
        if not p.deleted:
            return
        change = p.deleted[which % len(p.deleted)]
        rows = [(change.kind, change.before), *change.dependents]
        if any(self.holds(p, table, values["id"]) for table, values in rows):
            self.say(f"{p.name}: undo delete of {change.kind} {change.id[:8]}: back already, skipped")
            return
        records.restore(p.ws, change)
        p.deleted.remove(change)
        self.say(f"{p.name}: undid delete of {change.kind} {change.id[:8]}")
        self._wrote(p)

    def op_create(self, k: int, table: str, slot: int) -> None:
        from cypdesk.services import records, service_edit

        p = self.partner(k)
        n = sum(len(v) for v in self.created.values())
        if table == "organisations":
            made = records.create(p.ws, "organisations", {"name": f"New partner {n}", "kind": "Other"})
        elif table == "services":
            made = records.create(p.ws, "services", {"name": f"New service {n}", "annual_cost": 1000.0 * (n + 1),
                                                     "provider_id": self.ids.orgs[slot % len(self.ids.orgs)]})
        else:
            sid = self.ids.stable_services[slot % len(self.ids.stable_services)]
            made = service_edit.save_contract(p.ws, sid, {"reference": f"NEW-{n}", "annual_value": 500.0 * (n + 1),
                                                          "supplier_id": self.ids.orgs[slot % len(self.ids.orgs)]})
        self.created[table].append(made.id)
        self.say(f"{p.name}: created {table} {made.id[:8]}")
        self._wrote(p)

    def op_setting(self, k: int, name: str, v: int) -> None:
        from cypdesk.services.settings import save_settings

        p = self.partner(k)
        value = SETTINGS[name][v % len(SETTINGS[name])]
        save_settings(p.ws, {name: value})
        self.say(f"{p.name}: setting {name} = {value!r}")
        self._wrote(p, ("document", "settings", name))

    def op_import(self, k: int, v: int) -> None:
        from cypdesk.services.importing import ImportOptions, open_source, run_import

        p = self.partner(k)
        rows = zip(("Harbour Lights Youth Trust,voluntary", "Northgate Care Ltd,private",
                    "Kestrel Family Support,voluntary"), IMPORT_WEBSITES[v % len(IMPORT_WEBSITES)])
        self.copies_made += 1
        sheet = self.folder / f"organisations-{self.copies_made}.csv"
        sheet.write_text("Name,Kind,Website\n" + "".join(f"{row},{site}\n" for row, site in rows), encoding="utf-8")
        result = run_import(p.ws, open_source(sheet, kind="organisations"), ImportOptions(kind="organisations"))
        self.say(f"{p.name}: imported the organisations sheet {v % len(IMPORT_WEBSITES)}: "
                 f"{result.added} added, {result.changed} changed")
        self._wrote(p)

    def op_funding(self, k: int, slot: int, which: int) -> None:
        from cypdesk.services import service_edit

        p = self.partner(k)
        sid = self.ids.stable_services[slot % len(self.ids.stable_services)]
        sources = FUNDING[which % len(FUNDING)]
        change = service_edit.set_funding(p.ws, sid, sources)
        self.say(f"{p.name}: funding of {sid[:8]} = {[s for s, _a in sources]} "
                 f"(+{len(change.added)} -{len(change.removed)} ~{len(change.updated)})")
        self._wrote(p)

    def op_shares(self, slot: int, split: int) -> None:
        from cypdesk.services import service_edit

        p = self.partners[0]
        sid = self.ids.stable_services[slot % len(self.ids.stable_services)]
        shares = [(self.ids.orgs[o], pct) for o, pct in SPLITS[split % len(SPLITS)]]
        service_edit.set_commissioners(p.ws, sid, shares)
        self.say(f"{p.name}: shares of {sid[:8]} = {[pct for _o, pct in shares]}")
        self._wrote(p)

    def op_copy(self, k: int) -> None:
        if len(self.partners) >= pt.MAX_PARTNERS:
            return
        src = self.partner(k)
        src.save()
        n = len(self.partners)
        path = pt.copy_file(src.path, self.folder / f"partner{n}.cypdesk")
        self.partners.append(pt.open_partner(path, n))
        self.known[n] = set(self.known[src.n])
        self.copies_made += 1
        self.say(f"P{n}: a plain copy of {src.name}'s file")

    def op_merge(self, kx: int, ky: int, twice: bool = False, *, check: bool = True) -> None:
        x, y = self.partner(kx), self.partner(ky)
        if x is y:
            return
        x.save()
        seen = check and already_seen(y, x.path)
        before = digest(y) if seen else None
        result = merge(y, x)
        if seen:
            assert digest(y) == before, (f"{y.name} had seen everything in {x.name}'s file, yet merging it changed "
                                         f"{y.name}'s content ({result.counts})")
        self.merges += 1
        self.say(f"{y.name} <- {x.name}: {result.counts}")
        self.known[y.n] |= self.known[x.n]
        if check:
            self.check_nothing_lost(y, self.known[x.n], f"{y.name} <- {x.name}")
        if twice:
            before = digest(y)
            again = merge(y, x)
            after = digest(y)
            assert after == before, (f"merging {x.name}'s file into {y.name} a second time changed its content "
                                     f"(second merge counted {again.counts})")

    def op_order(self, kx: int, ky: int) -> None:
        x, y = self.partner(kx), self.partner(ky)
        if x is y:
            return
        x.save()
        y.save()
        self.copies_made += 1
        tag = f"order{self.copies_made}"
        xa = pt.open_partner(pt.copy_file(x.path, self.folder / f"{tag}-{x.name}.cypdesk"), x.n)
        ya = pt.open_partner(pt.copy_file(y.path, self.folder / f"{tag}-{y.name}.cypdesk"), y.n)
        try:
            merge(xa, y)
            merge(ya, x)
            a, b = digest(xa), digest(ya)
        finally:
            xa.close()
            ya.close()
        self.say(f"{x.name} <- {y.name} and {y.name} <- {x.name}: {'same' if a == b else 'DIFFERENT'}")
        assert a == b, f"{x.name} <- {y.name} and {y.name} <- {x.name} end with different content"

    def op_send(self, k: int) -> None:
        if len(self.mail) >= 8:
            return
        p = self.partner(k)
        p.save()
        attachment = pt.copy_file(p.path, self.folder / f"mail{len(self.mail)}-from-{p.name}.cypdesk")
        self.mail.append((attachment, p.name, frozenset(self.known[p.n])))
        self.say(f"{p.name}: sent its file as mail{len(self.mail) - 1}")

    def op_receive(self, m: int, ky: int) -> None:
        if not self.mail:
            return
        attachment, sender, writes = self.mail[m % len(self.mail)]
        y = self.partner(ky)
        seen = already_seen(y, attachment)
        before = digest(y) if seen else None
        result = merge_file(y, attachment)
        if seen:
            assert digest(y) == before, (f"{y.name} had seen everything in {attachment.stem} (from {sender}), yet "
                                         f"merging it changed {y.name}'s content ({result.counts})")
        self.merges += 1
        self.say(f"{y.name} <- {attachment.stem} (from {sender}): {result.counts}")
        self.known[y.n] |= writes
        self.check_nothing_lost(y, writes, f"{y.name} <- {attachment.stem}")

    # --- the promises --------------------------------------------------------------------------

    def check_nothing_lost(self, p: pt.Partner, writes: set[pt.Write], when: str) -> None:
        lost = sorted(pt.lost_writes(p, writes), key=lambda item: item[0].stamp)
        if lost:
            lines = [f"  {w.table} {w.record_id[:8]}.{w.field} = {w.value} (written by "
                     f"{w.author[:8]} at {w.stamp[:16]}): {found}" for w, found in lost[:10]]
            raise Lost(f"after {when}, {len(lost)} written value(s) are in neither {p.name}'s records nor its "
                       "history:\n" + "\n".join(lines))

    def gossip_until_quiet(self, max_rounds: int | None = None) -> int:
        """Everyone merges everyone: each partner merges every other partner's file in
        turn, round after round, until a round changes no partner's content (after the
        first round, while all already agree, the quiet round is a ring: each partner
        merges the next one's file). Then all partners hold the same content, every
        value anyone wrote is in every file, and on records nobody deleted every field
        holds its latest write. Returns the rounds."""
        max_rounds = max_rounds or len(self.partners) + 2
        digests = {p.n: digest(p) for p in self.partners}
        for rounds in range(1, max_rounds + 1):
            changed = False
            agree = rounds > 1 and len(set(digests.values())) == 1
            for i, y in enumerate(self.partners):
                sources = [self.partners[(i + 1) % len(self.partners)]] if agree else self.partners
                for x in sources:
                    if x is y:
                        continue
                    self.op_merge(x.n, y.n, check=False)
                    after = digest(y)
                    changed |= after != digests[y.n]
                    digests[y.n] = after
            if not changed:
                break
        else:
            raise AssertionError(f"partners still changing each other's content after {max_rounds} rounds of "
                                 "everyone merging everyone")
        assert len(set(digests.values())) == 1, f"partners that all merged all differ: {digests}"
        everything = set().union(*self.known.values())
        for p in self.partners:
            self.check_nothing_lost(p, everything, "everyone merged everyone")
        self.check_latest_write_wins(self.partners[0], everything)
        return rounds

    def check_latest_write_wins(self, p: pt.Partner, writes: set[pt.Write]) -> None:
        """With the deterministic rule, a field of a record nobody deleted ends with the
        value of its latest write (a write made after seeing another is later by the
        hybrid clock; of two concurrent ones the later stamp wins the conflict).
        Records ever deleted (an operation's deletion, or a share replaced by the lead's
        new split: any "delete" line in the merged history) are left out: which values
        a record kept against a deletion holds is the delete_edit rule's, not this
        one's."""
        with p.conn() as c:  # deleted by an operation, by a merge, or as a link replaced (shares)
            deleted = self.ever_deleted | set(c.execute("SELECT table_name, record_id FROM history WHERE op = 'delete'"))
        latest: dict[tuple[str, str, str], pt.Write] = {}
        for w in writes:
            if not w.stamp or (w.table, w.record_id) in deleted:
                continue
            key = (w.table, w.record_id, w.field)
            if key not in latest or w.stamp > latest[key].stamp:
                latest[key] = w
        wrong = []
        now = pt.current_values(p, latest)
        for key, w in sorted(latest.items()):
            if now.get(key, w) != w.value:
                table, rid, name = key
                wrong.append(f"  {table} {rid[:8]}.{name}: {now[key] if key in now else 'record absent'} instead "
                             f"of {w.value} (written by {w.author[:8]}... at {w.stamp[:16]})")
        assert not wrong, (f"after everyone merged everyone, {len(wrong)} field(s) of records nobody deleted do not "
                           "hold their latest write:\n" + "\n".join(wrong[:10]))


# --- engine and bookkeeping calls ------------------------------------------------------------


def merge(into: pt.Partner, source: pt.Partner) -> Any:
    """``into`` merges ``source``'s saved file with the deterministic rule (no choices):
    plan_merge then apply_merge, the file passed as a trusted Path, no backup."""
    source.save()
    return merge_file(into, source.path)


def merge_file(into: pt.Partner, path: Path) -> Any:
    """``into`` merges the file at ``path`` (see :func:`merge`)."""
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge

    plan = plan_merge(into.ws, path)
    return apply_merge(into.ws, path, plan, backup=False)


def already_seen(p: pt.Partner, path: Path) -> bool:
    """Whether ``p``'s file has seen every change in the file at ``path``: its version
    vector covers theirs (contract11 section 0). Merging such a file changes nothing:
    every field of theirs is seen by us (kept as ours), and a deletion of theirs
    against a record we hold is one we saw and outlived (a restore, or a kept edit)."""
    import sqlite3
    from contextlib import closing

    from cypdesk.model.versions import has_seen, version_vector

    with p.conn() as ours, closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as theirs:
        mine, other = version_vector(ours), version_vector(theirs)
    return all(has_seen(mine, stamp) for stamp in other.values())


def digest(p: pt.Partner) -> str:
    """The partner's content digest (canon.content_digest of its working copy)."""
    from cypdesk.services.exchange.canon import content_digest

    return content_digest(p.doc.working_path)


def set_owner(ws: Any, table: str, record_id: str, owner: str | None) -> None:
    """Hand a record to another partner: an edit of its owner_org_id, stamped,
    versioned and in history like any edit (model/tracking)."""
    from cypdesk.model import kind_of

    with ws.write() as session:
        record = session.get(kind_of(table), record_id)
        record.owner_org_id = owner


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# --- what hypothesis draws -------------------------------------------------------------------


def operations():
    """One operation (see the module doc); merges are drawn three times as often as
    any other kind, so files travel often between edits."""
    from hypothesis import strategies as st

    who = st.integers(0, pt.MAX_PARTNERS - 1)
    slot = st.integers(0, 7)
    three = st.integers(0, 2)
    edit = st.one_of(*(st.tuples(st.just("edit"), who, st.just(table), slot, st.sampled_from(sorted(FIELDS[table])), three)
                       for table in TABLES))
    merge_op = st.tuples(st.just("merge"), who, who, st.booleans())
    return st.one_of(
        edit,
        st.tuples(st.just("owner"), who, st.sampled_from(TABLES), slot, st.integers(0, 6)),
        st.tuples(st.just("delete"), who, st.sampled_from(TABLES), slot),
        st.tuples(st.just("restore"), who, slot),
        st.tuples(st.just("create"), who, st.sampled_from(TABLES), slot),
        st.tuples(st.just("setting"), who, st.sampled_from(sorted(SETTINGS)), three),
        st.tuples(st.just("shares"), slot, three),
        st.tuples(st.just("import"), who, three),
        st.tuples(st.just("funding"), who, slot, st.integers(0, len(FUNDING) - 1)),
        st.tuples(st.just("copy"), who),
        merge_op, merge_op, merge_op,
        st.tuples(st.just("order"), who, who),
        st.tuples(st.just("send"), who),
        st.tuples(st.just("receive"), slot, who),
    )


def scenarios(max_ops: int = 14):
    """(how many partners start as copies of the base: 3 or 4, the operations)."""
    from hypothesis import strategies as st

    return st.tuples(st.sampled_from((3, 4)), st.lists(operations(), min_size=1, max_size=max_ops))


def run_scenario(base: Path, ids: pt.BaseIds, folder: Path, scenario: tuple[int, list[tuple]]) -> Exchange:
    """Run one drawn scenario in ``folder`` (emptied first) and check every promise:
    no edit lost after each merge, a second merge of the same file changes nothing
    (when drawn), either order converges (when drawn), and finally gossip until quiet
    converges with every value anyone wrote in every file."""
    remove_folder(folder)
    folder.mkdir(parents=True)
    count, ops = scenario
    ex = Exchange(base, ids, folder).start(count)
    try:
        ex.run(ops)
        ex.gossip_until_quiet()
    finally:
        ex.close()
        remove_folder(folder)
    return ex


def run_in_ram(base: tuple[Path, pt.BaseIds], scenario: tuple[int, list[tuple]]) -> Exchange:
    """Run one scenario in a fresh RAM folder (run_scenario: every promise checked)."""
    path, ids = base
    folder = Path(pt.ram_folder("props-run-"))
    try:
        return run_scenario(path, ids, folder / "run", scenario)
    finally:
        remove_folder(folder)
