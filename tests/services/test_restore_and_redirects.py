"""Issue 11, bookkeeping fit for merging: the restore rule (an undo of a delete is a
restore stamped later than its tombstone, the tombstone removed, history op "restore",
so a partner's stale copy of the deletion loses to it), through services/records and
through the organisations' undo; organisation merge records and owners merge like any
record; a partner's references to an organisation merged away are found and
redirected (services/organisations.references_to_redirect / redirect_references)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

from sqlalchemy import select, text

from cypdesk.model import FieldVersion, History, OrganisationMerge, Tombstone
from cypdesk.model import versions
from cypdesk.services import organisations as orgs
from cypdesk.services import records


def _tomb(ws, table, record_id):
    with ws.read() as session:
        row = session.get(Tombstone, (table, record_id))
        return row.hlc if row is not None else None


def _history_ops(ws, table, record_id):
    with ws.read() as session:
        return [h.op for h in session.scalars(select(History).where(
            History.table_name == table, History.record_id == record_id).order_by(History.hlc))]


def _stamps(ws, table, record_id):
    with ws.read() as session:
        return session.execute(text(f"SELECT created_hlc, hlc FROM {table} WHERE id = :i"), {"i": record_id}).one()


def test_undo_of_a_delete_is_a_restore_later_than_the_deletion_with_the_tombstones_gone(ws):
    """services/records.restore: the service and the contract deleted with it come back
    with their creation stamps and field versions, a new stamp later than their
    tombstones, no tombstone left, and history says "restore"."""
    sid = records.create(ws, "services", {"name": "Respite care"}).id
    records.update(ws, "services", sid, {"annual_cost": "50000"})
    cid = records.create(ws, "contracts", {"service_id": sid, "reference": "RC-1"}).id
    created, _ = _stamps(ws, "services", sid)
    with ws.read() as session:
        version = session.get(FieldVersion, ("services", sid, "annual_cost")).hlc
    change = records.delete(ws, "services", sid)
    tombs = {"services": _tomb(ws, "services", sid), "contracts": _tomb(ws, "contracts", cid)}
    assert all(tombs.values())
    records.restore(ws, change)
    for table, rid in (("services", sid), ("contracts", cid)):
        assert _tomb(ws, table, rid) is None
        assert _stamps(ws, table, rid)[1] > tombs[table]
        assert _history_ops(ws, table, rid)[-2:] == ["delete", "restore"]
    assert _stamps(ws, "services", sid)[0] == created
    with ws.read() as session:
        assert session.get(FieldVersion, ("services", sid, "annual_cost")).hlc == version
        assert versions.uncovered_stamps(session) == []


def test_a_restore_is_later_than_a_tombstone_made_by_a_clock_ahead_of_this_one(ws):
    """A deletion merged in from a partner whose computer's clock runs a day ahead (its
    tombstone's stamp later than this computer's time): undoing it still stamps the
    record later than the deletion (the clock moves past the tombstone first), so the
    restore is not lost to that partner's copy of the deletion."""
    sid = records.create(ws, "services", {"name": "Youth club"}).id
    change = records.delete(ws, "services", sid)
    ours = _tomb(ws, "services", sid)
    ahead = f"{int(ours[:12], 16) + 86_400_000:012x}0000{'b0b' * 10}bb"
    with ws.write() as session:  # as a merge would leave it: the partner's later deletion
        session.get(Tombstone, ("services", sid)).hlc = ahead
    records.restore(ws, change)
    assert _stamps(ws, "services", sid)[1] > ahead
    assert _history_ops(ws, "services", sid)[-1] == "restore"


def test_a_restored_record_beats_a_partners_stale_copy_of_its_deletion(ws, tmp_path):
    """Alice deletes a service and saves; the file is copied (the partner's copy holds
    the tombstone); alice undoes the delete. By the deletion rule (versions.
    deletion_outcome) the record wins silently from either side: the restoring file
    saw the deletion and changed the record later."""
    sid = records.create(ws, "services", {"name": "Family hub"}).id
    change = records.delete(ws, "services", sid)
    ws.doc.save()
    partner = tmp_path / "partner.cypdesk"
    shutil.copyfile(ws.doc.path, partner)
    records.restore(ws, change)
    ws.doc.save()
    with closing(sqlite3.connect(ws.doc.path)) as ours, closing(sqlite3.connect(partner)) as theirs:
        record_hlc = ours.execute("SELECT hlc FROM services WHERE id = ?", (sid,)).fetchone()[0]
        (tomb,) = theirs.execute("SELECT hlc FROM tombstones WHERE record_id = ?", (sid,)).fetchone()
        assert ours.execute("SELECT count(*) FROM tombstones WHERE record_id = ?", (sid,)).fetchone() == (0,)
        vv_ours, vv_theirs = versions.version_vector(ours), versions.version_vector(theirs)
    assert versions.deletion_outcome(record_hlc, tomb, vv_ours, vv_theirs) == "keep"
    assert not versions.has_seen(vv_theirs, record_hlc) and versions.has_seen(vv_ours, tomb)


def test_undoing_an_organisation_merge_restores_it_and_tombstones_the_merge_record(ws):
    """The organisation merged away comes back as a restore (later than its deletion,
    tombstone gone); the merge record, a record partners exchange with its owner and
    versions, is deleted with a tombstone; redo makes the same merge record again (its
    id is derived from the merged organisation) as a restore."""
    a = records.create(ws, "organisations", {"name": "Alpha Care"}).id
    b = records.create(ws, "organisations", {"name": "Alpha Care Ltd"}).id
    change = orgs.merge_organisations(ws, a, b)
    (merge_id,) = [rid for table, rid in change.created if table == "organisation_merges"]
    with ws.read() as session:
        merge = session.get(OrganisationMerge, merge_id)
        assert merge.created_hlc and merge.merged_id == a and merge.survivor_id == b
    assert set(versions.merged_fields(OrganisationMerge)) >= {"merged_id", "merged_name", "survivor_id", "owner_org_id"}
    tomb = _tomb(ws, "organisations", a)
    orgs.undo(ws, change)
    assert _tomb(ws, "organisations", a) is None and _stamps(ws, "organisations", a)[1] > tomb
    assert _history_ops(ws, "organisations", a)[-1] == "restore"
    assert _tomb(ws, "organisation_merges", merge_id) is not None
    again = orgs.redo(ws, change)
    assert [rid for table, rid in again.created if table == "organisation_merges"] == [merge_id]
    assert _history_ops(ws, "organisation_merges", merge_id)[-1] == "restore"


def test_records_an_organisation_owned_move_to_the_other_as_versioned_edits_and_back_on_undo(ws):
    """Reassigning Brightside Family Support hands the records it owns as a partner to
    the ICB: each owner change is an edit a merge reads (field version, history line);
    undo hands them back the same way."""
    bfs = orgs._rows(ws, "SELECT id FROM organisations WHERE name = 'Brightside Family Support'")[0][0]
    icb = orgs._rows(ws, "SELECT id FROM organisations WHERE name = 'NHS Riverside and Vale Integrated Care Board'")[0][0]
    change = orgs.reassign_and_delete(ws, bfs, icb)
    owned = [(table, rid) for table, ids in change.owned for rid in ids]
    assert owned
    table, rid = owned[0]
    with ws.read() as session:
        moved = session.get(FieldVersion, (table, rid, "owner_org_id")).hlc
        assert session.execute(text(f"SELECT owner_org_id, hlc FROM {table} WHERE id = :i"), {"i": rid}).one() == (icb, moved)
    orgs.undo(ws, change)
    with ws.read() as session:
        back = session.get(FieldVersion, (table, rid, "owner_org_id")).hlc
        assert back > moved
        lines = session.execute(select(History.old_value, History.new_value).where(
            History.record_id == rid, History.field == "owner_org_id").order_by(History.hlc)).all()
        assert versions.uncovered_stamps(session) == []
    assert [(o.strip('"'), n.strip('"')) for o, n in lines] == [(bfs, icb), (icb, bfs)]


def test_a_partners_references_to_an_organisation_merged_away_are_found_and_redirected(ws, tmp_path):
    """The partner's copy (taken before the merge) still names Alpha Care as a service's
    provider, a person's employer and a record's owner; after this document merged
    Alpha Care into Alpha Care Ltd, references_to_redirect lists each of them in the
    ATTACHed partner file (read only) with the survivor, and redirect_references moves
    them in a writable copy."""
    a = records.create(ws, "organisations", {"name": "Alpha Care"}).id
    b = records.create(ws, "organisations", {"name": "Alpha Care Ltd"}).id
    sid = records.create(ws, "services", {"name": "Alpha respite", "provider_id": a}).id
    pid = records.create(ws, "people", {"name": "Sam Alpha", "organisation_id": a}).id
    with ws.write() as session:
        session.execute(text("UPDATE risks SET owner_org_id = :a WHERE id = (SELECT min(id) FROM risks)"), {"a": a})
    ws.doc.save()
    partner = tmp_path / "partner.cypdesk"
    shutil.copyfile(ws.doc.path, partner)
    orgs.merge_organisations(ws, a, b)
    ws.doc.save()
    with closing(sqlite3.connect(ws.doc.path)) as conn:
        conn.execute("ATTACH DATABASE ? AS theirs", (str(partner),))
        redirects = orgs.organisation_redirects(conn)
        assert redirects == {a: b} and orgs.organisation_redirects(conn, schema="theirs") == {}
        found = orgs.references_to_redirect(conn, "theirs", redirects)
        assert orgs.references_to_redirect(conn, "main") == []  # ours already points at the survivor
    got = {(t, c) for t, _rid, c, old, new in found if old == a and new == b}
    assert {("services", "provider_id"), ("people", "organisation_id"), ("risks", "owner_org_id")} <= got
    assert ("services", sid, "provider_id", a, b) in found and ("people", pid, "organisation_id", a, b) in found
    copy = tmp_path / "copy.cypdesk"
    shutil.copyfile(partner, copy)
    with closing(sqlite3.connect(ws.doc.path)) as conn:
        conn.execute("ATTACH DATABASE ? AS theirs", (str(copy),))
        assert orgs.redirect_references(conn, "theirs", orgs.organisation_redirects(conn)) == len(found)
        conn.commit()
        assert orgs.references_to_redirect(conn, "theirs", {a: b}) == []
        assert conn.execute("SELECT provider_id FROM theirs.services WHERE id = ?", (sid,)).fetchone() == (b,)


def test_handing_a_record_to_another_partner_is_an_edit_that_merges(ws):
    """records.hand_over: the owner changes as an edit (field version, history line,
    the record's stamp), an unknown organisation is refused with nothing changed, and
    handing it back with ``before`` undoes it."""
    import pytest

    from cypdesk.common.errors import RecordNotFound

    org = records.create(ws, "organisations", {"name": "Alpha Care"}).id
    sid = records.create(ws, "services", {"name": "Alpha respite"}).id
    change = records.hand_over(ws, "services", sid, org)
    assert change.after == {"owner_org_id": org} and change.before == {"owner_org_id": None}
    with ws.read() as session:
        version = session.get(FieldVersion, ("services", sid, "owner_org_id")).hlc
    assert _stamps(ws, "services", sid)[1] == version
    assert _history_ops(ws, "services", sid)[-1] == "update"
    with pytest.raises(RecordNotFound, match="no organisation with id nope"):
        records.hand_over(ws, "services", sid, "nope")
    assert records.get(ws, "services", sid)["owner_org_id"] == org
    records.hand_over(ws, "services", sid, change.before["owner_org_id"])
    assert records.get(ws, "services", sid)["owner_org_id"] is None
