"""A payments import matches the payments it adds to suppliers and contracts
(cypdesk.services.spend.match_payments) inside its one transaction: the notes say how
many, undo of the import takes the matches back with the payments, a dry run matches
nothing."""

from __future__ import annotations

from datetime import date

import pytest

from cypdesk.services import records
from cypdesk.services.importing import Cancelled, undo_import
from cypdesk.services.spend import spend_to_date

SPEND = ("Date,Supplier,Amount,Description,Transaction reference\n"
         "03/10/2025,ACME CARE LIMITED,5000.00,Invoice NCC-SB-0123 October,TX-1\n"
         "04/10/2025,Paperclip Stationers,20.00,Stationery,TX-2\n")


@pytest.fixture
def contract(ws):
    """Acme Care Ltd (an organisation of the document) holds contract NCC-SB-0123 for short breaks."""
    acme = records.create(ws, "organisations", {"name": "Acme Care Ltd"}).id
    service = records.create(ws, "services", {"name": "Short breaks", "provider_id": acme}).id
    contract = records.create(ws, "contracts", {
        "service_id": service, "reference": "NCC-SB-0123", "supplier_id": acme, "start_date": date(2025, 4, 1),
        "end_date": date(2027, 3, 31), "total_value": 240000.0}).id
    return {"acme": acme, "contract": contract}


def _payment(db, ref):
    return db.rows("SELECT supplier_id, contract_id FROM payments WHERE transaction_ref = ?", ref)


def test_imported_payments_are_matched_to_the_contract_their_description_names_and_the_notes_count_them(
        importer, db, ws, contract):
    """The payment whose description holds the contract's reference gets the contract
    (its supplier organisation is found by the spend format's own mapping), with the
    reason in its history; the other is left without a contract, and the notes say so,
    naming `cypdesk spend FILE --match` (FILE: the document, trust.cypdesk) to see why."""
    result = importer("spend.csv", SPEND, "payments")
    assert result.added == 2
    assert _payment(db, "TX-1") == [(contract["acme"], contract["contract"])]
    assert _payment(db, "TX-2")[0][1] is None
    note = next(n for n in result.notes if n.startswith("Payments matched:"))
    assert note.startswith("Payments matched: 1 of the 2 new payments to a contract; "
                           "1 left without a contract (cypdesk spend trust.cypdesk --match ")
    assert "--match says why for each" in note
    pid = db.one("SELECT id FROM payments WHERE transaction_ref = 'TX-1'")
    notes = db.rows("SELECT field, note FROM history WHERE table_name = 'payments' AND record_id = ? AND op = 'update' "
                    "ORDER BY field", pid)
    assert notes == [("contract_id", "Matched: reference NCC-SB-0123 in the description")]
    assert spend_to_date(ws, contract_id=contract["contract"]).spent == 5000.0


def test_undo_of_a_payments_import_takes_its_matches_back_too(importer, db, ws, contract):
    """undo_import leaves no payment of the import and nothing matched to the contract:
    its spend to date is back to nothing."""
    before = db.rows("SELECT id, contract_id FROM payments ORDER BY id")
    result = importer("spend.csv", SPEND, "payments")
    assert db.one("SELECT count(*) FROM payments WHERE contract_id = ?", contract["contract"]) == 1
    undo_import(ws, result.undo)
    assert db.rows("SELECT id, contract_id FROM payments ORDER BY id") == before
    assert db.one("SELECT count(*) FROM payments WHERE contract_id = ?", contract["contract"]) == 0
    assert spend_to_date(ws, contract_id=contract["contract"]).spent == 0.0


def test_a_dry_run_of_a_payments_import_matches_nothing(importer, db, contract):
    """A dry run adds no payment and matches none: no history line says "Matched"."""
    matched = "SELECT count(*) FROM history WHERE table_name = 'payments' AND note LIKE 'Matched:%'"
    before = db.one(matched), db.count("payments")
    result = importer("spend.csv", SPEND, "payments", dry_run=True)
    assert result.added == 2 and not any(n.startswith("Payments matched") for n in result.notes)
    assert (db.one(matched), db.count("payments")) == before


def test_a_cancel_after_matching_takes_back_the_payments_and_their_matches(importer, db, contract):
    """A cancel flag that turns True only once the matching has reported its progress
    (the fixture listens for "Matching payments"): Cancelled, and neither the payments
    nor their matches are left."""
    heard = []
    before = db.count("payments"), db.count("history"), db.count("field_versions")
    with pytest.raises(Cancelled):
        importer("spend.csv", SPEND, "payments", progress=lambda done, total, text: heard.append(text),
                 cancelled=lambda: "Matching payments" in heard)
    assert "Matching payments" in heard
    assert (db.count("payments"), db.count("history"), db.count("field_versions")) == before
