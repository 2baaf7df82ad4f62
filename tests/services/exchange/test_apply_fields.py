"""Fields that are not plain form fields merge field by field too: the document's
settings, a record's owner (handing a record to another partner), and a field a share
withheld, which a merge never blanks. Real documents from the demo."""

import sqlite3
from contextlib import ExitStack

import pytest

from cypdesk.services import records
from cypdesk.services.settings import save_settings
from tests.services.exchange.engine_kit import ALICE, BOB, CAROL, Docs, digest, merge, one, rows


@pytest.fixture
def docs(demo_path, tmp_path):
    with ExitStack() as stack:
        yield Docs(demo_path, tmp_path, stack)


def test_settings_merge_field_by_field_and_the_documents_id_and_owner_never_merge(docs):
    """A changes the title, B the small-number threshold and the trust name: each side
    gets the other's setting, both orders agree, and each keeps its own id and owner."""
    a, b = docs.open(ALICE), docs.open(BOB)
    save_settings(a, {"title": "Council's title"})
    save_settings(b, {"small_number_threshold": 7, "trust_name": "NHS trust name"})
    with sqlite3.connect(b.doc.working_path) as conn:
        conn.execute("UPDATE document SET id = ?, owner_org_id = NULL", ("their-own-document-id",))
    a0, b0 = docs.snap(a), docs.snap(b)
    own_a = one(a, "SELECT id, owner_org_id FROM document")
    plan, _ = merge(a, b0)
    assert sorted(c.field for c in plan.changed) == ["small_number_threshold", "trust_name"]
    merge(b, a0)
    for ws in (a, b):
        assert one(ws, "SELECT title, small_number_threshold, trust_name FROM document") == (
            "Council's title", 7, "NHS trust name")
    assert one(a, "SELECT id, owner_org_id FROM document") == own_a
    assert one(b, "SELECT id FROM document") == ("their-own-document-id",)
    assert digest(a) == digest(b)


def test_settings_changed_on_both_sides_are_a_conflict_the_later_wins(docs):
    """Both change the title: a conflict on the settings, the later title wins."""
    a, b = docs.open(ALICE), docs.open(BOB)
    save_settings(a, {"title": "First"})
    save_settings(b, {"title": "Second"})
    plan, _ = merge(a, docs.snap(b))
    assert [(c.table, c.record_id, c.field, c.rule_choice) for c in plan.conflicts] == [
        ("document", "settings", "title", "theirs")]
    assert one(a, "SELECT title FROM document") == ("Second",)


def test_handing_a_record_to_another_partner_merges_as_an_edit(docs):
    """B hands a service to another organisation (owner_org_id) while A renames it:
    A<-B takes the new owner and keeps the rename."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, owner = one(a, "SELECT id, owner_org_id FROM services ORDER BY id")
    other = one(a, "SELECT id FROM organisations WHERE id IS NOT ? ORDER BY id", owner)[0]
    records.update(a, "services", sid, {"name": "Renamed here"})
    with b.write() as session:
        from cypdesk.model import kind_of

        session.get(kind_of("services"), sid).owner_org_id = other
    plan, _ = merge(a, docs.snap(b))
    assert [(c.field, c.theirs) for c in plan.changed] == [("owner_org_id", other)]
    assert one(a, "SELECT name, owner_org_id FROM services WHERE id = ?", sid) == ("Renamed here", other)


def _share_by_hand(docs, ws, table, rid, field):
    """A copy of ``ws`` as a share would make it (by hand here, not through share.py):
    the field's value left out and withheld_fields naming it with the stamp of the value
    withheld (its field version)."""
    path = docs.snap(ws)
    with sqlite3.connect(path) as conn:
        stamp = conn.execute("SELECT hlc FROM field_versions WHERE table_name = ? AND record_id = ? AND field = ?",
                             (table, rid, field)).fetchone()
        stamp = stamp[0] if stamp else conn.execute(f"SELECT created_hlc FROM {table} WHERE id = ?", (rid,)).fetchone()[0]
        conn.execute(f"UPDATE {table} SET {field} = NULL WHERE id = ?", (rid,))
        conn.execute("INSERT INTO withheld_fields (table_name, record_id, field, hlc, reason) VALUES (?, ?, ?, ?, ?)",
                     (table, rid, field, stamp, "confidential"))
    return path


def test_a_withheld_field_is_never_blanked_unless_the_partner_typed_a_later_value(docs):
    """C has an older copy of a contract's value; A changes it and shares a copy that
    withholds it. C<-share keeps C's value (taking the blank would have been "their
    newer version"), and so does A<-share. A file made from the share where the
    partner types a new value (later than the withheld stamp) does pass it on."""
    a, c = docs.open(ALICE), docs.open(CAROL)
    cid = rows(a, "SELECT id FROM contracts WHERE total_value IS NOT NULL ORDER BY id")[0][0]
    old_value = one(c, "SELECT total_value FROM contracts WHERE id = ?", cid)[0]
    records.update(a, "contracts", cid, {"total_value": 123456.0})
    share = _share_by_hand(docs, a, "contracts", cid, "total_value")
    plan, _ = merge(c, share)
    assert one(c, "SELECT total_value FROM contracts WHERE id = ?", cid) == (old_value,)
    assert any("withheld" in text for text in plan.ignored)
    merge(a, share)
    assert one(a, "SELECT total_value FROM contracts WHERE id = ?", cid) == (123456.0,)
    b = docs.open(BOB, source=share)
    records.update(b, "contracts", cid, {"total_value": 99.0})
    merge(a, docs.snap(b))
    assert one(a, "SELECT total_value FROM contracts WHERE id = ?", cid) == (99.0,)


def test_a_file_made_from_a_share_takes_the_withheld_value_when_the_full_file_is_merged(docs):
    """B starts from a share of A (a contract's value left out). Merging A's full file
    into B fills the value in (B's blank was never a value) and B no longer lists it as
    withheld; A and B then have the same content."""
    a = docs.open(ALICE)
    cid = rows(a, "SELECT id FROM contracts WHERE total_value IS NOT NULL ORDER BY id")[0][0]
    records.update(a, "contracts", cid, {"total_value": 654321.0})
    b = docs.open(BOB, source=_share_by_hand(docs, a, "contracts", cid, "total_value"))
    assert one(b, "SELECT total_value FROM contracts WHERE id = ?", cid) == (None,)
    plan, _ = merge(b, docs.snap(a))
    assert [(c.field, c.theirs) for c in plan.changed] == [("total_value", 654321.0)]
    assert one(b, "SELECT total_value FROM contracts WHERE id = ?", cid) == (654321.0,)
    assert one(b, "SELECT count(*) FROM withheld_fields") == (0,)
    assert digest(a) == digest(b)
