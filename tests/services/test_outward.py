"""The one rule of what a partner may see (DESIGN.md section 5; issue 9 item 14):
confidential fields withheld except on the partner's own records, contact details
withheld unless chosen, records marked confidential left out; and ``export_table``
with a partner goes through it."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from contextlib import closing

import pytest

from cypdesk.common.errors import RecordNotFound, UsageError
from cypdesk.services import outward
from cypdesk.services.export import export_table
from cypdesk.services.outward import Partner


@pytest.fixture
def conn(demo_master, tmp_path):
    path = tmp_path / "d.cypdesk"
    shutil.copy(demo_master, path)
    with closing(sqlite3.connect(path)) as c:
        yield c


def test_confidential_fields_are_withheld_except_on_own_records():
    row = {"reference": "C-1", "annual_value": 1000.0, "total_value": 5000.0}
    assert outward.redact_row("contracts", row, owned=False) == {"reference": "C-1", "annual_value": None,
                                                                  "total_value": None}
    assert outward.redact_row("contracts", row, owned=True) == row
    assert outward.may_see("contracts", "reference", owned=False)
    assert not outward.may_see("contracts", "annual_value", owned=False)
    assert outward.visible_fields("contracts", ["reference", "annual_value"], owned=False) == ["reference"]
    assert outward.may_see("services", "commissioners", owned=False)  # a worked-out column, no mark


def test_contact_details_are_withheld_unless_chosen_even_on_own_records():
    row = {"name": "Sam", "email": "sam@example.org", "phone": "01234 567890"}
    assert outward.redact_row("people", row, owned=True) == {"name": "Sam", "email": None, "phone": None}
    assert outward.redact_row("people", row, owned=True, contacts=True) == row
    assert outward.never_visible("people", ["name", "email", "phone"]) == ["email", "phone"]


def test_a_record_marked_confidential_is_left_out_unless_own(monkeypatch):
    fields = [{"name": "id", "kind": "identifier"}, {"name": "confidential", "kind": "bool"},
              {"name": "title", "kind": "text"}]
    monkeypatch.setitem(outward.CATALOG, "secrets", {"label": "secret", "title": "title", "fields": fields})
    assert outward.redact_row("secrets", {"title": "x", "confidential": 1}, owned=False) is None
    assert outward.redact_row("secrets", {"title": "x", "confidential": 1}, owned=True) == {
        "title": "x", "confidential": 1}
    assert outward.redact_row("secrets", {"title": "x", "confidential": 0}, owned=False) is not None


def test_find_partner_by_name_or_id(conn):
    org_id, name = conn.execute("SELECT id, name FROM organisations ORDER BY name LIMIT 1").fetchone()
    assert outward.find_partner(conn, org_id) == Partner(org_id, name)
    assert outward.find_partner(conn, f"  {name.upper()} ") == Partner(org_id, name)
    with pytest.raises(RecordNotFound):
        outward.find_partner(conn, "Nobody Ltd")
    with pytest.raises(UsageError):
        outward.find_partner(conn, " ")


def test_owned_contracts_are_the_providers_and_the_holders(conn):
    provider = conn.execute("SELECT provider_id FROM services s JOIN contracts c ON c.service_id = s.id "
                            "WHERE provider_id IS NOT NULL LIMIT 1").fetchone()[0]
    owned = outward.owned_ids(conn, "contracts", Partner(provider, "p"))
    want = {r[0] for r in conn.execute(
        "SELECT c.id FROM contracts c LEFT JOIN services s ON s.id = c.service_id "
        "WHERE s.provider_id = ? OR c.contracting_org_id = ? OR c.owner_org_id = ?", (provider,) * 3)}
    assert owned == want and owned
    assert outward.owned_ids(conn, "contracts", None) == set()


def test_export_for_a_provider_blanks_other_contract_values_and_keeps_its_own(conn, tmp_path):
    provider = conn.execute("SELECT s.provider_id FROM services s JOIN contracts c ON c.service_id = s.id "
                            "WHERE c.annual_value IS NOT NULL AND s.provider_id IS NOT NULL "
                            "GROUP BY s.provider_id ORDER BY count(*) LIMIT 1").fetchone()[0]
    partner = Partner(provider, "p")
    out = tmp_path / "c.csv"
    cols = ["reference", "annual_value", "total_value"]
    export_table(conn, "contracts", columns=cols, path=out, partner=partner)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    own_refs = {r[0] for r in conn.execute(
        "SELECT c.reference FROM contracts c JOIN services s ON s.id = c.service_id WHERE s.provider_id = ?",
        (provider,))}
    values = dict(conn.execute("SELECT reference, annual_value FROM contracts"))
    assert len(rows) == conn.execute("SELECT count(*) FROM contracts").fetchone()[0]
    for ref, annual, _total in rows:
        if ref in own_refs:
            assert annual == ("" if values[ref] is None else f"{values[ref]:g}")
        else:
            assert annual == "", ref
    assert any(r[1] for r in rows)  # its own values are there


def test_export_for_a_partner_drops_contact_columns(conn, tmp_path):
    out = tmp_path / "p.csv"
    org = conn.execute("SELECT id FROM organisations LIMIT 1").fetchone()[0]
    export_table(conn, "people", columns=["name", "role", "organisation_id", "email"], path=out,
                 partner=Partner(org, "x"))
    with open(out, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert "Email" not in header and "Name" in header
