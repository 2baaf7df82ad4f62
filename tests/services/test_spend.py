"""Spend against contracts (cypdesk.services.spend): payments matched to suppliers and
contracts with the reason of each match, ambiguity left unmatched with why, a match
changed or cleared by hand (and undone), spend to date against a contract's and a
service's value, and the contracts whose spend runs ahead of their value."""

from __future__ import annotations

from datetime import date

import pytest

from cypdesk.common.errors import RecordNotFound
from cypdesk.services import records
from cypdesk.services.spend import (
    CLEARED_NOTE, contracts_overspent, match_payments, matched_payments, redo_match, set_payment_contract,
    spend_to_date, undo_match,
)

TODAY = date(2026, 3, 15)


def _add(ws, kind, **values):
    return records.create(ws, kind, values).id


def _pay(ws, supplier, amount, paid_on=date(2025, 10, 3), **values):
    return _add(ws, "payments", supplier=supplier, amount=amount, paid_on=paid_on, **values)


def _payment(ws, pid):
    return records.get(ws, "payments", pid)


@pytest.fixture
def register(ws):
    """Two suppliers in the demo document: Acme Care Ltd with two contracts (short
    breaks, family support) and Hope Trust with one, all in force in 2025-26."""
    ids = {}
    ids["acme"] = _add(ws, "organisations", name="Acme Care Ltd")
    ids["hope"] = _add(ws, "organisations", name="The Hope Trust")
    ids["breaks"] = _add(ws, "services", name="Short breaks for disabled children", provider_id=ids["acme"])
    ids["family"] = _add(ws, "services", name="Family support")
    ids["mentoring"] = _add(ws, "services", name="Youth mentoring", provider_id=ids["hope"])
    ids["c_breaks"] = _add(ws, "contracts", service_id=ids["breaks"], reference="NCC-SB-0123", supplier_id=ids["acme"],
                           start_date=date(2025, 4, 1), end_date=date(2027, 3, 31), total_value=240000.0)
    ids["c_family"] = _add(ws, "contracts", service_id=ids["family"], reference="NCC-FS-0456",
                           supplier_id=ids["acme"], start_date=date(2025, 4, 1), end_date=date(2026, 3, 31),
                           annual_value=60000.0)
    ids["c_mentoring"] = _add(ws, "contracts", service_id=ids["mentoring"], reference="HT-9",
                              start_date=date(2024, 4, 1), end_date=date(2026, 3, 31), total_value=20000.0)
    return ids


# --- matching ------------------------------------------------------------------------------------

def test_a_reference_in_the_description_matches_its_contract_and_says_so(ws, register):
    pid = _pay(ws, "ACME CARE LIMITED", 5000.0, description="Invoice NCC-FS-0456 October")
    report = match_payments(ws, [pid])
    row = _payment(ws, pid)
    assert row["contract_id"] == register["c_family"]
    assert row["supplier_id"] == register["acme"]  # "ACME CARE LIMITED" is "Acme Care Ltd" normalised
    assert report.matches[0].contract_reason == "reference NCC-FS-0456 in the description"
    assert (report.checked, report.suppliers_matched, report.contracts_matched) == (1, 1, 1)
    history = records.history(ws, "payments", pid)
    assert any(h["field"] == "contract_id" for h in history)


def test_a_reference_is_found_only_whole_and_in_the_transaction_reference_too(ws, register):
    longer = _pay(ws, "Nobody we know", 10.0, description="Order NCC-FS-04567")  # not NCC-FS-0456
    in_ref = _pay(ws, "Nobody we know", 10.0, transaction_ref="ncc-sb-0123/7")
    report = match_payments(ws, [longer, in_ref])
    assert _payment(ws, longer)["contract_id"] is None
    assert _payment(ws, in_ref)["contract_id"] == register["c_breaks"]
    reasons = {m.payment_id: m.contract_reason for m in report.unmatched + report.matches}
    assert reasons[in_ref] == "reference ncc-sb-0123 in the transaction reference"
    assert reasons[longer] == "its supplier is not matched to an organisation"


def test_a_reference_of_another_suppliers_contract_is_not_taken(ws, register):
    pid = _pay(ws, "Hope Trust", 100.0, description="re NCC-SB-0123")
    report = match_payments(ws, [pid])
    assert _payment(ws, pid)["contract_id"] is None
    assert _payment(ws, pid)["supplier_id"] == register["hope"]  # "Hope Trust" is "The Hope Trust"
    assert "is of a contract with Acme Care Ltd, not The Hope Trust" in report.unmatched[0].contract_reason


def test_the_only_contract_with_the_supplier_is_matched_with_that_reason(ws, register):
    pid = _pay(ws, "the hope trust", 800.0)
    report = match_payments(ws, [pid])
    assert _payment(ws, pid)["contract_id"] == register["c_mentoring"]
    assert report.matches[0].contract_reason == "only contract with The Hope Trust"


def test_supplier_and_cost_centre_pick_one_of_two_contracts(ws, register):
    pid = _pay(ws, "Acme Care", 900.0, cost_centre="CS4410 Short Breaks")
    report = match_payments(ws, [pid])
    assert _payment(ws, pid)["contract_id"] == register["c_breaks"]
    assert report.matches[0].contract_reason == "only contract with Acme Care Ltd for CS4410 Short Breaks"


def test_two_possible_contracts_are_never_guessed_between(ws, register):
    pid = _pay(ws, "Acme Care Ltd", 900.0, cost_centre="Children's Services")
    report = match_payments(ws, [pid])
    row = _payment(ws, pid)
    assert row["contract_id"] is None and row["supplier_id"] == register["acme"]
    reason = report.unmatched[0].contract_reason
    assert "Acme Care Ltd has 2 contracts that could be meant (NCC-FS-0456, NCC-SB-0123)" in reason
    assert reason.endswith("choose one")
    assert report.contracts_matched == 0 and report.suppliers_matched == 1


def test_the_payment_date_narrows_to_the_contract_in_force(ws, register):
    """Family support's contract ends 31/03/2026: a payment in July 2026 (past the three
    months' grace for invoices paid in arrears) can only be short breaks'; in May 2026
    both could be meant, so it is left for the officer."""
    june = _pay(ws, "Acme Care Ltd", 50.0, paid_on=date(2026, 7, 2))
    may = _pay(ws, "Acme Care Ltd", 50.0, paid_on=date(2026, 5, 2))
    report = match_payments(ws, [june, may])
    assert _payment(ws, june)["contract_id"] == register["c_breaks"]
    assert _payment(ws, may)["contract_id"] is None
    reasons = {m.payment_id: m.contract_reason for m in report.matches + report.unmatched}
    assert reasons[june] == "only contract with Acme Care Ltd in force on 02/07/2026"
    old = _pay(ws, "Hope Trust", 50.0, paid_on=date(2023, 5, 1))
    report = match_payments(ws, [old])
    assert report.unmatched[0].contract_reason == (
        "no contract with The Hope Trust was in force on 01/05/2023 (HT-9 01/04/2024 to 31/03/2026)")


def test_two_organisations_with_one_name_are_not_guessed_between(ws, register):
    _add(ws, "organisations", name="ACME CARE LIMITED")
    pid = _pay(ws, "Acme Care", 10.0)
    report = match_payments(ws, [pid])
    assert _payment(ws, pid)["supplier_id"] is None
    assert report.unmatched[0].supplier_reason.startswith("2 organisations are named like “Acme Care”")


def test_matching_every_payment_fills_only_blanks_and_the_demo_keeps_its_contracts(ws, register):
    """With no ids, every payment without a supplier or a contract is looked at: the
    demo's payments (matched to contracts when made) gain their supplier organisation
    and keep their contract."""
    before = {r[0]: r[1] for r in ws.doc.engine.connect().exec_driver_sql(
        "SELECT id, contract_id FROM payments").fetchall()}
    report = match_payments(ws)
    after = dict(ws.doc.engine.connect().exec_driver_sql("SELECT id, contract_id FROM payments").fetchall())
    assert before == after
    assert report.suppliers_matched > 100
    with ws.doc.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM payments WHERE supplier_id IS NULL").scalar() == 0


# --- changing a match --------------------------------------------------------------------------

def test_a_match_changed_by_hand_is_undone_by_the_change_it_returns(ws, register):
    pid = _pay(ws, "Acme Care Ltd", 900.0, cost_centre="Children's Services")
    change = set_payment_contract(ws, pid, register["c_family"])
    assert _payment(ws, pid)["contract_id"] == register["c_family"]
    assert change.before == {"contract_id": None} and change.after == {"contract_id": register["c_family"]}
    [line] = matched_payments(ws, contract_id=register["c_family"])
    assert line.reason.startswith("chosen by hand (alice on COUNCIL-LAPTOP, ")
    records.update(ws, change.kind, change.id, change.before)  # the window's undo
    assert _payment(ws, pid)["contract_id"] is None


def test_each_matched_payment_says_why_it_is_matched(ws, register):
    """The reason written when matching ran; the rule that picks it now for a match
    undone and redone; "recorded with the payment" for one that came matched (the demo's)."""
    by_ref = _pay(ws, "Acme Care Ltd", 10.0, paid_on=date(2025, 5, 1), description="NCC-SB-0123 April")
    only = _pay(ws, "Hope Trust", 20.0, paid_on=date(2025, 6, 1))
    match_payments(ws, [by_ref, only])
    lines = matched_payments(ws, service_id=register["breaks"]) + matched_payments(ws, contract_id=register["c_mentoring"])
    assert [(line.id, line.reason, line.contract) for line in lines] == [
        (by_ref, "reference NCC-SB-0123 in the description", "NCC-SB-0123"),
        (only, "only contract with The Hope Trust", "HT-9")]
    change = set_payment_contract(ws, only, None)
    records.update(ws, "payments", only, change.before)  # undo: no note on this change
    assert matched_payments(ws, contract_id=register["c_mentoring"])[0].reason == "only contract with The Hope Trust"
    with ws.doc.engine.connect() as conn:
        demo_contract = conn.exec_driver_sql("SELECT contract_id FROM payments WHERE contract_id IS NOT NULL "
                                             "AND supplier = 'NORTHSTAR CARE GROUP PLC' LIMIT 1").scalar()
    assert demo_contract is not None
    assert matched_payments(ws, contract_id=demo_contract)[0].reason == "recorded with the payment"


def test_a_match_cleared_by_hand_stays_cleared_when_payments_are_matched_again(ws, register):
    pid = _pay(ws, "Hope Trust", 100.0)
    match_payments(ws, [pid])
    assert _payment(ws, pid)["contract_id"] == register["c_mentoring"]
    set_payment_contract(ws, pid, None)
    report = match_payments(ws, [pid])
    assert _payment(ws, pid)["contract_id"] is None
    assert report.unmatched[0].contract_reason == "its contract was cleared by hand"
    notes = ws.doc.engine.connect().exec_driver_sql(
        "SELECT note FROM history WHERE record_id = ? AND field = 'contract_id' ORDER BY hlc", (pid,)).fetchall()
    assert [n[0] for n in notes] == ["Matched: only contract with The Hope Trust", CLEARED_NOTE]


def test_a_matching_run_is_undone_and_redone_whole(ws, register):
    a = _pay(ws, "Hope Trust", 100.0)
    b = _pay(ws, "Acme Care Ltd", 100.0, description="NCC-SB-0123")
    report = match_payments(ws, [a, b])
    undo_match(ws, report)
    assert [(_payment(ws, p)["contract_id"], _payment(ws, p)["supplier_id"]) for p in (a, b)] == [(None, None)] * 2
    again = match_payments(ws, [a])
    assert again.contracts_matched == 1  # an undone run is not "cleared by hand"
    undo_match(ws, again)
    redo_match(ws, report)
    assert _payment(ws, b)["contract_id"] == register["c_breaks"]
    assert _payment(ws, a)["supplier_id"] == register["hope"]


def test_matching_to_a_contract_that_is_gone_is_refused_and_changes_nothing(ws, register):
    pid = _pay(ws, "Hope Trust", 100.0)
    with pytest.raises(RecordNotFound, match="no contract with id nope"):
        set_payment_contract(ws, pid, "nope")
    assert _payment(ws, pid)["contract_id"] is None


# --- spend to date -------------------------------------------------------------------------------

def test_spend_to_date_of_a_contract_against_its_total_value(ws, register):
    for day, amount in ((date(2025, 5, 1), 20000.0), (date(2025, 6, 1), 40000.0), (date(2025, 4, 20), -1000.0)):
        set_payment_contract(ws, _pay(ws, "Acme", amount, paid_on=day), register["c_breaks"])
    figures = spend_to_date(ws, contract_id=register["c_breaks"])
    assert (figures.spent, figures.payments, figures.first_paid, figures.last_paid) == (
        59000.0, 3, date(2025, 4, 20), date(2025, 6, 1))
    assert figures.value == 240000.0 and figures.value_basis == "total value"
    assert figures.words() == ("£59,000 spent on 3 payments (20/04/2025 to 01/06/2025): 25% of the total value "
                               "of £240,000, £181,000 left.")


def test_spend_to_date_without_a_total_uses_annual_value_times_years_and_says_so(ws, register):
    figures = spend_to_date(ws, contract_id=register["c_family"])
    assert figures.value == 60000.0 and figures.payments == 0
    assert figures.value_basis == "annual value × 1 year (no total value recorded)"
    assert figures.words() == ("No payments matched yet; the annual value × 1 year (no total value recorded) "
                               "is £60,000.")
    records.update(ws, "contracts", register["c_family"], {"end_date": date(2027, 9, 30)})
    assert spend_to_date(ws, contract_id=register["c_family"]).value == 150000.0  # 2.5 years
    records.update(ws, "contracts", register["c_family"], {"start_date": None})
    figures = spend_to_date(ws, contract_id=register["c_family"])
    assert figures.value is None
    assert "cannot be measured" in figures.words()


def test_spend_to_date_of_a_service_adds_its_contracts(ws, register):
    extra = _add(ws, "contracts", service_id=register["breaks"], reference="NCC-SB-0999", annual_value=1000.0)
    set_payment_contract(ws, _pay(ws, "Acme", 300.0), register["c_breaks"])
    set_payment_contract(ws, _pay(ws, "Acme", 200.0), extra)
    figures = spend_to_date(ws, service_id=register["breaks"])
    assert (figures.spent, figures.payments, figures.contracts, figures.value) == (500.0, 2, 2, 240000.0)
    assert figures.notes == ("Not counted, having no value: NCC-SB-0999.",)
    with pytest.raises(RecordNotFound):
        spend_to_date(ws, contract_id="nope")


# --- running ahead of value ---------------------------------------------------------------------

def test_contracts_overspent_names_the_rule_each_breaks(ws, register):
    # Hope Trust: £25,000 against a total of £20,000 -> above the value
    set_payment_contract(ws, _pay(ws, "Hope", 25000.0), register["c_mentoring"])
    # Family support: £60,000 a year, started 01/04/2025; by 15/07/2025 (4th month, quarter 2 in hand)
    # £30,000 is pro rata for 6 months: £31,000 runs ahead of it.
    set_payment_contract(ws, _pay(ws, "Acme", 31000.0), register["c_family"])
    # Short breaks: £10,000 of £240,000: not ahead
    set_payment_contract(ws, _pay(ws, "Acme", 10000.0), register["c_breaks"])
    found = {o.contract_id: o for o in contracts_overspent(ws, today=date(2025, 7, 15))}
    assert register["c_breaks"] not in found
    assert found[register["c_mentoring"]].rule == "value"
    assert found[register["c_mentoring"]].words == "£25,000 spent, above the total value of £20,000"
    family = found[register["c_family"]]
    assert (family.rule, family.limit) == ("pro_rata", 30000.0)
    assert family.words == "£31,000 spent, above the annual value of £60,000 pro rata for 6 months: £30,000"
    # a quarter paid in advance is not running ahead: £15,000 in the first month
    records.update(ws, "payments", matched_payments(ws, contract_id=register["c_family"])[0].id, {"amount": 15000.0})
    assert register["c_family"] not in {o.contract_id for o in contracts_overspent(ws, today=date(2025, 4, 10))}
    ours = {register["c_mentoring"], register["c_family"], register["c_breaks"]}
    assert [o.contract_id for o in contracts_overspent(ws, today=date(2025, 7, 15))
            if o.contract_id in ours] == [register["c_mentoring"]]


def test_the_demo_document_has_no_contract_running_ahead(ws):
    """The demo pays each contract monthly at its annual value: nothing runs ahead."""
    assert contracts_overspent(ws, today=date(2026, 3, 15)) == []


def test_an_import_matches_in_its_own_transaction_a_session_or_a_core_connection(ws, register):
    """The import engine calls match_payments(ws, ids, session=...) inside its one
    transaction: a write session (ws.write()) or a Core connection (ws.bulk()); either
    way the match is written with its history, and a rollback takes it back too."""
    a = _pay(ws, "Hope Trust", 10.0)
    b = _pay(ws, "Hope Trust", 20.0)
    with ws.write() as session:
        report = match_payments(ws, [a], session=session)
    assert report.contracts_matched == 1 and _payment(ws, a)["contract_id"] == register["c_mentoring"]
    with ws.bulk() as conn:
        report = match_payments(ws, [b], session=conn)
    assert report.contracts_matched == 1 and _payment(ws, b)["contract_id"] == register["c_mentoring"]
    history = records.history(ws, "payments", b)
    assert sorted((h["field"], h["author"]) for h in history if h["op"] == "update") == [
        ("contract_id", "alice on COUNCIL-LAPTOP"), ("supplier_id", "alice on COUNCIL-LAPTOP")]
    c = _pay(ws, "Hope Trust", 30.0)
    with pytest.raises(RuntimeError), ws.write() as session:
        match_payments(ws, [c], session=session)
        raise RuntimeError("the import failed after matching")
    assert _payment(ws, c)["contract_id"] is None
