"""Found by the property tests (bench/bench_merge_properties.py, an attachment received
late): a restore that reached a partner through a merge is undone by an older copy of
the deletion.

P0 deletes a service with its contract, shares and links, emails its file (the
attachment keeps the deletion), then undoes the deletion (records.restore: the records
come back stamped later than their tombstones). P1, which never deleted anything, merges
P0's file: the values are equal, so nothing changes in its content, and its file has now
seen the deletion and the restore. When P1 then merges the old attachment, everything
in it is something P1 has already seen: contract11 section 0 says a restore beats a
partner's stale tombstone, so nothing may change. Found: P1 deleted the service and its
five dependents (the merge of equal values left P1's records with their old stamps,
which the attachment had seen, so the stale deletion "won" silently), and P0, merging
P1's file, then lost them too.
"""

from __future__ import annotations

from pathlib import Path

from tests.properties import ops, partners as pt


def _exchange(base) -> tuple[ops.Exchange, Path]:
    folder = Path(pt.ram_folder("props-found-"))
    return ops.Exchange(*base, folder=folder).start(3), folder


def test_a_restore_seen_through_a_partner_beats_an_older_copy_of_the_deletion(base, ram_home):
    """The sequence above, on real files with the partners' own installations and
    patched clocks: after P1 merges the old attachment, P1 still holds the service and
    its dependents, and so does P0 after merging P1's file."""
    ex, folder = _exchange(base)
    try:
        service = base[1].deletable_services[1]
        ex.run([("delete", 0, "services", 1), ("send", 0), ("restore", 0, 0)])
        p0, p1 = ex.partners[0], ex.partners[1]
        with p0.conn() as c:
            restored = [("services", service)] + [
                (t, rid) for t in ("contracts", "service_commissioners", "service_outcomes", "service_funding")
                for (rid,) in c.execute(f"SELECT id FROM {t} WHERE service_id = ?", (service,))]
        assert len(restored) == 6
        ops.merge(p1, p0)
        ops.merge_file(p1, ex.mail[0][0])
        assert [r for r in restored if not ex.holds(p1, *r)] == [], "P1 lost the restored records to the old attachment"
        ops.merge(p0, p1)
        assert [r for r in restored if not ex.holds(p0, *r)] == [], "P0 lost its restored records through P1"
    finally:
        ex.close()
        ops.remove_folder(folder)


def test_merging_a_file_already_seen_changes_nothing_after_a_restore(base, ram_home):
    """The general promise the case breaks, as the property tests check it: P1's version
    vector covers the attachment's, so merging the attachment changes nothing
    (ops.already_seen; content_digest before and after)."""
    ex, folder = _exchange(base)
    try:
        ex.run([("delete", 0, "services", 1), ("send", 0), ("restore", 0, 0), ("merge", 0, 1, False)])
        p1 = ex.partners[1]
        assert ops.already_seen(p1, ex.mail[0][0])
        before = ops.digest(p1)
        ops.merge_file(p1, ex.mail[0][0])
        assert ops.digest(p1) == before
    finally:
        ex.close()
        ops.remove_folder(folder)
