"""Organisations as reference data, on the demo document: what uses one, in words;
deleting one that is used is refused (or its records are moved first); merging two
duplicates moves every reference, is recorded so old ids redirect, and undoes exactly."""

from __future__ import annotations

import sqlite3

import pytest

from cypdesk.common.errors import RecordInUse, RecordNotFound, ValidationError
from cypdesk.services import organisations as orgs
from cypdesk.services import records, service_edit


def _org_id(ws, name: str) -> str:
    with ws.read() as session:
        from cypdesk.model import Organisation
        from sqlalchemy import select

        return session.scalars(select(Organisation.id).where(Organisation.name == name)).one()


def _one(ws, sql: str, **params):
    rows = orgs._rows(ws, sql, params)
    return rows[0][0] if rows else None


def _state(ws) -> dict:
    """Everything a merge touches, to compare before and after undo."""
    tables = {}
    for table in ("organisations", "people", "services", "service_commissioners", "contracts", "memberships",
                  "agreement_partners", "contributions", "organisation_merges"):
        cols = "id, " + ", ".join(c for c in ("name", "organisation_id", "provider_id", "share_pct", "contracting_org_id",
                                              "owner_org_id", "survivor_id", "ods_code", "company_number", "is_provider")
                                  if c in {r[1] for r in orgs._rows(ws, f'PRAGMA table_info("{table}")')})
        tables[table] = sorted(orgs._rows(ws, f'SELECT {cols} FROM "{table}"'))
    return tables


@pytest.fixture
def icb(ws):
    return _org_id(ws, "NHS Riverside and Vale Integrated Care Board")


@pytest.fixture
def duplicate(ws, icb):
    """A second record of the ICB, written differently, that a service names as its
    provider, a person works for, and that shares a service's commissioning with the
    ICB itself (10% of the ICB's share moved to it)."""
    dup = records.create(ws, "organisations", {"name": "NHS Riverside & Vale Integrated Care Board Limited",
                                               "kind": "icb", "ods_code": "QX9X", "company_number": "12345678",
                                               "is_provider": True}).id
    service_id, share = orgs._rows(ws, "SELECT service_id, share_pct FROM service_commissioners "
                                       "WHERE organisation_id = :o AND share_pct > 10 ORDER BY service_id", {"o": icb})[0]
    rows = orgs._rows(ws, "SELECT organisation_id, share_pct FROM service_commissioners WHERE service_id = :s", {"s": service_id})
    shares = [(o, p - 10 if o == icb else p) for o, p in rows] + [(dup, 10)]
    service_edit.set_commissioners(ws, service_id, shares)
    provided = _one(ws, "SELECT id FROM services ORDER BY name LIMIT 1")
    records.update(ws, "services", provided, {"provider_id": dup})
    records.create(ws, "people", {"name": "Sam Duplicate", "organisation_id": dup})
    return {"id": dup, "service": service_id, "share": share, "provided": provided}


def test_usage_is_counted_by_kind_and_said_in_words(ws):
    """What uses an organisation, by kind of use, most telling first: the demo's
    Brightside provides 10 services, employs one person, has two seats on teams and owns
    its own record as a partner."""
    bfs = _org_id(ws, "Brightside Family Support")
    uses = orgs.usage(ws, "organisations", bfs)
    assert orgs.describe_usage(uses) == ("10 services it provides, 1 person who works there, "
                                         "2 seats on teams and 1 record it owns as a partner")
    assert [(u.table, u.column, u.count) for u in uses][0] == ("services", "provider_id", 10)
    assert orgs.describe_usage(orgs.usage(ws, "organisations", bfs, owned=False)) == (
        "10 services it provides, 1 person who works there and 2 seats on teams")  # quick: no whole-table reads
    conn = sqlite3.connect(ws.doc.working_path)  # the window's plain reader gives the same answer
    try:
        assert orgs.usage(conn, "organisations", bfs) == uses
    finally:
        conn.close()


def test_deleting_a_used_organisation_is_refused_with_what_uses_it(ws):
    """Delete of an organisation that records use: refused, naming the uses in words,
    and nothing in the document changes."""
    bfs = _org_id(ws, "Brightside Family Support")
    before = _state(ws)
    with pytest.raises(RecordInUse) as caught:
        orgs.delete_organisation(ws, bfs)
    assert "“Brightside Family Support” was not deleted: it is used by 10 services it provides" in caught.value.message
    assert caught.value.exit_code == 1 and caught.value.code == "in_use"
    assert _state(ws) == before


def test_an_organisation_nothing_uses_is_deleted_and_restored_by_undo(ws):
    """An unused organisation is deleted like any record, and records.restore brings it back."""
    new = records.create(ws, "organisations", {"name": "Nobody Uses Me CIC"}).id
    change = orgs.delete_organisation(ws, new)
    assert _one(ws, "SELECT count(*) FROM organisations WHERE id = :i", i=new) == 0
    records.restore(ws, change)
    assert _one(ws, "SELECT name FROM organisations WHERE id = :i", i=new) == "Nobody Uses Me CIC"


def test_possible_duplicates_pair_names_written_differently(ws, icb, duplicate):
    """The "&"/"and" and "Limited" spelling of the ICB is found as its duplicate, and
    the ICB (used by far more records) is the one suggested to keep."""
    pairs = orgs.find_duplicates(ws)
    assert [(p.keep_id, p.merge_id) for p in pairs] == [(icb, duplicate["id"])]
    assert pairs[0].uses_keep > pairs[0].uses_merge == 3  # the service it provides, the share, the person


def test_merging_moves_every_reference_and_records_the_merge(ws, icb, duplicate):
    """Merge the duplicate into the ICB: the service it provided, its person and its
    commissioning share move to the ICB (the two shares of one service become one, back
    to the ICB's whole share); the ICB keeps its own ODS code but takes the duplicate's
    company number where it had none, and its "provider" mark; the duplicate is deleted;
    the merge is recorded and the old id redirects to the ICB."""
    dup = duplicate["id"]
    change = orgs.merge_organisations(ws, dup, icb)
    assert _one(ws, "SELECT count(*) FROM organisations WHERE id = :i", i=dup) == 0
    assert _one(ws, "SELECT provider_id FROM services WHERE id = :i", i=duplicate["provided"]) == icb
    assert _one(ws, "SELECT organisation_id FROM people WHERE name = 'Sam Duplicate'") == icb
    shares = orgs._rows(ws, "SELECT organisation_id, share_pct FROM service_commissioners WHERE service_id = :s",
                        {"s": duplicate["service"]})
    assert dict(shares)[icb] == pytest.approx(duplicate["share"]) and dup not in dict(shares)
    assert _one(ws, "SELECT ods_code FROM organisations WHERE id = :i", i=icb) == "QX9"  # the ICB's own code kept
    assert _one(ws, "SELECT company_number FROM organisations WHERE id = :i", i=icb) == "12345678"  # was blank
    assert _one(ws, "SELECT is_provider FROM organisations WHERE id = :i", i=icb) == 1  # the duplicate's mark kept
    assert orgs._rows(ws, "SELECT merged_id, merged_name, survivor_id FROM organisation_merges") == [
        (dup, "NHS Riverside & Vale Integrated Care Board Limited", icb)]
    assert orgs.redirect_organisation(ws, dup) == icb
    assert orgs.redirect_organisation(ws, icb) == icb
    assert orgs.find_duplicates(ws) == []
    assert change.summary == ("Merge “NHS Riverside & Vale Integrated Care Board Limited” into “NHS Riverside and Vale "
                              "Integrated Care Board”: moved 1 service it provides, 1 service it commissions and "
                              "1 person who works there.")  # the share it owned went with the share


def test_undoing_a_merge_puts_everything_back_and_redo_merges_again(ws, icb, duplicate):
    """Undo of a merge: the duplicate returns with its id and values, every moved
    reference and the split share are as before, the merge record goes; redo merges again."""
    before = _state(ws)
    change = orgs.merge_organisations(ws, duplicate["id"], icb)
    merged = _state(ws)
    orgs.undo(ws, change)
    assert _state(ws) == before
    assert orgs.redirect_organisation(ws, duplicate["id"]) == duplicate["id"]
    again = orgs.redo(ws, change)
    assert _state(ws) == merged
    orgs.undo(ws, again)
    assert _state(ws) == before


def test_merges_of_merges_redirect_to_the_last_survivor(ws, icb):
    """A merged into B, then B into C: A's old id redirects to C, as does B's."""
    a = records.create(ws, "organisations", {"name": "Alpha Care"}).id
    b = records.create(ws, "organisations", {"name": "Alpha Care Ltd"}).id
    orgs.merge_organisations(ws, a, b)
    orgs.merge_organisations(ws, b, icb)
    assert orgs.redirect_organisation(ws, a) == icb
    assert orgs.organisation_redirects(ws) == {a: icb, b: icb}
    assert orgs.redirect_organisation(ws, "never-merged") == "never-merged"


def test_reassigning_moves_the_records_then_deletes_and_undo_restores(ws, icb):
    """Delete with reassign: Brightside's services, person and seats move to the ICB and
    Brightside goes (no merge record: it was not a duplicate); undo puts it all back."""
    bfs = _org_id(ws, "Brightside Family Support")
    before = _state(ws)
    change = orgs.reassign_and_delete(ws, bfs, icb)
    assert _one(ws, "SELECT count(*) FROM organisations WHERE id = :i", i=bfs) == 0
    assert _one(ws, "SELECT count(*) FROM services WHERE provider_id = :i", i=bfs) == 0
    assert _one(ws, "SELECT count(*) FROM organisation_merges") == 0
    assert orgs.describe_usage(change.moved) == ("10 services it provides, 1 person who works there, 2 seats on teams "
                                                 "and 1 record it owns as a partner")
    orgs.undo(ws, change)
    assert _state(ws) == before


def test_merging_refuses_itself_and_unknown_organisations(ws, icb):
    """An organisation cannot be merged into itself; an unknown id is named; nothing changes."""
    before = _state(ws)
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        orgs.merge_organisations(ws, icb, icb)
    with pytest.raises(RecordNotFound, match="no organisation with id nope"):
        orgs.merge_organisations(ws, "nope", icb)
    assert _state(ws) == before


def test_merging_two_partners_of_the_same_pooled_budgets_adds_their_money_together(ws, icb):
    """The council and the ICB are both partners in the demo's pooled budgets and both
    contribute each year: merged (as if one were a duplicate of the other), each budget
    has one partner row for the ICB, each year's cash is the sum of both, the services
    both commissioned have one share of their total; undo puts every row back."""
    rcc = _org_id(ws, "Riverside County Council")
    cash = dict(orgs._rows(ws, "SELECT agreement_id || ' ' || financial_year, sum(cash) FROM contributions "
                               "GROUP BY agreement_id, financial_year"))
    shared = orgs._rows(ws, "SELECT count(*) FROM agreement_partners a JOIN agreement_partners b "
                            "ON a.agreement_id = b.agreement_id WHERE a.organisation_id = :r AND b.organisation_id = :i",
                        {"r": rcc, "i": icb})[0][0]
    assert shared >= 1  # the case this test is about
    before = _state(ws)
    change = orgs.merge_organisations(ws, rcc, icb)
    assert dict(orgs._rows(ws, "SELECT agreement_id || ' ' || financial_year, sum(cash) FROM contributions "
                               "GROUP BY agreement_id, financial_year")) == cash
    assert orgs._rows(ws, "SELECT count(*) FROM contributions GROUP BY agreement_id, financial_year, organisation_id "
                          "HAVING count(*) > 1") == []
    assert orgs._rows(ws, "SELECT count(*) FROM agreement_partners GROUP BY agreement_id, organisation_id "
                          "HAVING count(*) > 1") == []
    assert orgs._rows(ws, "SELECT service_id FROM service_commissioners GROUP BY service_id "
                          "HAVING abs(sum(share_pct) - 100) > 0.01") == []  # shares still total 100%
    orgs.undo(ws, change)
    assert _state(ws) == before
