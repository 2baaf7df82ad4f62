"""apply_merge: a backup first, one transaction, nothing changed on failure or cancel,
a stale plan refused, the bookkeeping a later merge needs (history, tombstones,
merge_peers, the clock), restores against stale tombstones, and organisation
redirects. Real documents from the demo, edited through the services."""

import hashlib
import sqlite3
from contextlib import ExitStack

import pytest

from cypdesk.common.errors import Cancelled, MergeStale
from cypdesk.services import records
from cypdesk.services.exchange import apply as apply_module
from cypdesk.services.exchange.apply import apply_merge
from cypdesk.services.exchange.plan import plan_merge
from tests.services.exchange.engine_kit import ALICE, BOB, CAROL, Docs, digest, merge, one, rows


@pytest.fixture
def docs(demo_path, tmp_path):
    with ExitStack() as stack:
        yield Docs(demo_path, tmp_path, stack)


def _bytes(ws):
    return hashlib.sha256(ws.doc.working_path.read_bytes()).hexdigest()


def _partner_with_edits(docs, a, n=6):
    """B renames n services and adds an organisation; returns B's file as sent."""
    b = docs.open(BOB)
    for sid, _name in rows(a, "SELECT id, name FROM services ORDER BY id")[:n]:
        records.update(b, "services", sid, {"name": f"Renamed {sid[:8]}"})
    records.create(b, "organisations", {"name": "Made by the NHS"})
    return docs.snap(b)


def test_backup_is_written_first_and_holds_the_document_as_it_was(docs):
    """The backup apply_merge returns is a whole document with the content from before
    the merge, named <name>-before-merge."""
    a = docs.open(ALICE, "mine.cypdesk")
    b0 = _partner_with_edits(docs, a)
    before = digest(a)
    _plan, result = merge(a, b0)
    assert result.backup is not None and result.backup.name.startswith("mine-before-merge-")
    assert digest(result.backup) == before != digest(a)


def test_case_38_failure_at_row_k_leaves_the_file_unchanged_and_a_rerun_completes(docs, monkeypatch):
    """Case 38: update_field_rows (the row-by-row step) is patched to write k=3 rows of
    the changed fields and then raise: the working copy's bytes are unchanged and the
    backup exists; a second, unpatched run gives the content of a clean merge."""
    a = docs.open(ALICE)
    clean = docs.open(ALICE, source=a.doc.working_path)
    b0 = _partner_with_edits(docs, a)
    merge(clean, b0)
    before = _bytes(a)
    original = apply_module.update_field_rows

    def fail_at_row_3(raw, table, field, items):
        original(raw, table, field, items[:3])
        raise OSError(5, "Input/output error (injected at row 3)")

    monkeypatch.setattr(apply_module, "update_field_rows", fail_at_row_3)
    plan = plan_merge(a, b0)
    with pytest.raises(OSError, match="injected"):
        apply_merge(a, b0, plan)
    assert _bytes(a) == before
    monkeypatch.setattr(apply_module, "update_field_rows", original)
    apply_merge(a, b0, plan_merge(a, b0))
    assert digest(a) == digest(clean)


class _CancelAfter:
    """A progress object whose Cancel is pressed after ``n`` reports."""

    def __init__(self, n):
        self.n = n
        self.reports = 0

    def report(self, done, total, text):
        self.reports += 1

    def cancelled(self):
        return self.reports >= self.n


def test_cancel_during_apply_changes_nothing_and_during_plan_raises_cancelled(docs):
    """Cancel pressed after the first step of the apply (records added): Cancelled, the
    working copy's bytes unchanged. Cancel during the plan raises Cancelled too."""
    a = docs.open(ALICE)
    b0 = _partner_with_edits(docs, a)
    before = _bytes(a)
    plan = plan_merge(a, b0)
    with pytest.raises(Cancelled):
        apply_merge(a, b0, plan, progress=_CancelAfter(2), backup=False)
    assert _bytes(a) == before
    with pytest.raises(Cancelled):
        plan_merge(a, b0, progress=_CancelAfter(3))


def test_a_document_changed_after_the_plan_is_refused_as_stale(docs):
    """An edit between the preview and the acceptance: MergeStale (exit 1,
    "stale_plan"), and the edit is all that changed."""
    a = docs.open(ALICE)
    b0 = _partner_with_edits(docs, a)
    plan = plan_merge(a, b0)
    sid = rows(a, "SELECT id FROM services ORDER BY id DESC")[0][0]
    records.update(a, "services", sid, {"description": "Typed after the preview"})
    after_edit = digest(a)
    with pytest.raises(MergeStale) as caught:
        apply_merge(a, b0, plan, backup=False)
    assert caught.value.code == "stale_plan" and caught.value.exit_code == 1
    assert digest(a) == after_edit


def test_merge_keeps_their_history_installations_peer_and_moves_the_clock(docs):
    """After A<-B: B's history rows are in A by id (once, also after a second merge),
    B's installation is known, merge_peers names B's document, every change has a
    merge history row naming B's file, and A's clock is past B's newest stamp."""
    a = docs.open(ALICE)
    b = docs.open(BOB)
    sid = rows(a, "SELECT id FROM services ORDER BY id")[0][0]
    records.update(b, "services", sid, {"name": "From B"})
    b0 = docs.snap(b, "bobs-file.cypdesk")
    their_ids = {r[0] for r in rows(b, "SELECT id FROM history")}
    plan, _ = merge(a, b0)
    merge(a, b0)
    ours = [r[0] for r in rows(a, "SELECT id FROM history")]
    assert their_ids <= set(ours) and len(ours) == len(set(ours))
    assert one(a, "SELECT user, host FROM installations WHERE id = ?", BOB.id) == ("bob", "NHS-PC")
    doc_id = one(b, "SELECT id FROM document")[0]
    assert one(a, "SELECT merges, their_hlc_seen FROM merge_peers WHERE document_id = ?", doc_id) == (
        2, plan.their_newest)
    assert "bobs-file.cypdesk" in one(a, "SELECT note FROM history WHERE op = 'merge' AND record_id = ?", sid)[0]
    assert a.clock.tick() > plan.their_newest


def test_restore_after_a_deletion_beats_the_partners_stale_tombstone_both_ways(docs):
    """A deletes a service, B merges the deletion, then A undoes it (records.restore).
    B<-A brings it back (the restore is later than the tombstone B holds); A<-B leaves
    it (B's tombstone is stale); both end with the same content."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid = rows(a, "SELECT id FROM services ORDER BY id")[0][0]
    change = records.delete(a, "services", sid)
    merge(b, docs.snap(a))
    assert one(b, "SELECT count(*) FROM services WHERE id = ?", sid) == (0,)
    records.restore(a, change)
    a1, b1 = docs.snap(a), docs.snap(b)
    plan_ab, _ = merge(a, b1)
    assert plan_ab.deleted == [] and plan_ab.conflicts == []
    plan_ba, _ = merge(b, a1)
    brought_back = {(r.table, r.record_id) for r in plan_ba.restored}
    assert brought_back == {("services", sid), *((t, v["id"]) for t, v in change.dependents)}
    assert plan_ba.conflicts == []
    assert one(b, "SELECT count(*) FROM services WHERE id = ?", sid) == (1,)
    assert one(b, "SELECT count(*) FROM tombstones WHERE record_id = ?", sid) == (0,)
    assert digest(a) == digest(b)


def test_records_from_their_file_pointing_at_a_merged_organisation_are_redirected(docs):
    """A merges organisation X into Y; B (an older copy) makes a person working at X.
    A<-B adds the person working at Y."""
    a, b = docs.open(ALICE), docs.open(BOB)
    (x, _), (y, _) = rows(a, "SELECT id, name FROM organisations ORDER BY id")[:2]
    from cypdesk.services.organisations import merge_organisations

    merge_organisations(a, x, y)
    person = records.create(b, "people", {"name": "Pat Jones", "organisation_id": x}).id
    merge(a, docs.snap(b))
    assert one(a, "SELECT organisation_id FROM people WHERE id = ?", person) == (y,)
    assert one(a, "SELECT count(*) FROM organisations WHERE id = ?", x) == (0,)


def test_either_order_of_a_busy_exchange_gives_the_same_content_and_repeating_changes_nothing(docs):
    """A and B each edit, add and delete (some on the same records); A<-B and B<-A from
    the same two files end with the same content digest, and a further exchange of the
    results changes nothing."""
    a, b = docs.open(ALICE), docs.open(BOB)
    ids = [r[0] for r in rows(a, "SELECT id FROM services ORDER BY id")]
    records.update(a, "services", ids[0], {"name": "A0"})
    records.update(b, "services", ids[0], {"name": "B0", "description": "B0 description"})
    records.update(a, "services", ids[1], {"description": "A1"})
    records.delete(b, "services", ids[1])
    records.delete(a, "services", ids[2])
    records.update(b, "services", ids[3], {"name": "B3"})
    records.create(a, "organisations", {"name": "Only in A"})
    records.create(b, "organisations", {"name": "Only in B"})
    a0, b0 = docs.snap(a), docs.snap(b)
    merge(a, b0)
    merge(b, a0)
    assert digest(a) == digest(b)
    settled = digest(a)
    plan, _ = merge(a, docs.snap(b))
    assert (plan.added, plan.changed, plan.deleted) == ([], [], []) and digest(a) == settled
    c = docs.open(CAROL)
    merge(c, docs.snap(a))
    assert digest(c) == settled


def test_the_plan_reads_a_file_it_does_not_change(docs):
    """plan_merge writes nothing to either file (bytes compared)."""
    a = docs.open(ALICE)
    b0 = _partner_with_edits(docs, a)
    before = (_bytes(a), hashlib.sha256(b0.read_bytes()).hexdigest())
    plan_merge(a, b0)
    assert (_bytes(a), hashlib.sha256(b0.read_bytes()).hexdigest()) == before
    conn = sqlite3.connect(a.doc.working_path)
    try:
        assert conn.execute("PRAGMA database_list").fetchall()[-1][1] in ("main", "temp")
    finally:
        conn.close()


def test_a_backup_that_cannot_be_written_stops_the_merge_before_any_change(docs, monkeypatch):
    """The backup's flush fails (saving.fsync_file patched to raise ENOSPC): SaveFailed
    in plain words, the document's bytes unchanged, no backup left under its name."""
    import errno

    from cypdesk import paths
    from cypdesk.common.errors import SaveFailed
    from cypdesk.model import saving

    a = docs.open(ALICE, "mine.cypdesk")
    b0 = _partner_with_edits(docs, a)
    before = _bytes(a)
    plan = plan_merge(a, b0)

    def disk_full(path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(saving, "fsync_file", disk_full)
    with pytest.raises(SaveFailed, match="backup of mine before merging") as caught:
        apply_merge(a, b0, plan)
    assert "nothing was merged" in caught.value.message
    assert _bytes(a) == before
    assert not list(paths.backup_dir().glob("mine-before-merge-*"))
    assert not list(paths.backup_dir().glob(".~save-*"))
