"""Pooled budgets: contributions and shares, quarterly returns (a missing quarter is
missing, never zero), each partner's share of a variance by every rule (worked by hand
to the penny), the wording for budgets that are not pooled, warnings, and the edits
(one return per quarter, one contribution per partner and year, services in scope)."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import date

import pytest

from cypdesk.common.errors import ValidationError
from cypdesk.model import Agreement, AgreementPartner, AgreementService, BudgetReturn, Contribution, Organisation, \
    Person, Service
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services import budget_edit, budgets, records
from cypdesk.services.budget_edit import save_contribution, save_return, set_services
from cypdesk.services.budgets import (
    agreement_warnings, contributions_table, quarterly_returns, services_in_scope, split_pence, variance_shares,
)
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")


# --- a tiny document, worked by hand ---------------------------------------------------------
#
# Organisations: C council (host), I ICB, P police, S school (contributes nothing).
# Agreements (all 2025-26 unless said):
#   "two"    pooled, overspend proportional, underspend agreed 40 (C) / 60 (I) but
#            overspend agreed 70 (C) / 30 (I) recorded too; cash C £60,000 + I £40,000
#            (in kind: I £50,000, left out of the proportions).
#            Q1 budget £100,000 outturn £110,000: overspend £10,000 -> C £6,000, I £4,000.
#            Q2 missing. Q3 budget £100,000 outturn £95,000: underspend £5,000 -> agreed
#            40/60: C -£2,000, I -£3,000.
#   "three"  pooled, proportional both ways; cash C, I, P £100,000 each, S listed with no
#            contribution. Q1 variance £100.00 over: 10,000p / 3 = 3,333.33p each ->
#            3,333 each = 9,999, the 1p left goes to the host C: 3,334. S bears 0.
#            Q2 on budget. Q3 (ended 31/12/2025) has no return.
#   "host"   pooled, host bears overspends, case by case for underspends; host C.
#            Q1 £1,234.56 over -> C all of it; Q2 £500 under -> to be agreed.
#   "agreed" pooled, agreed percentages: overspends C 50, I 30, S 20 (S has no
#            contribution and still bears its agreed 20%); underspends C 50, I 40 and
#            none for S: 90%, refused. Q1 £1,000 over -> C £500, I £300, S £200.
#            Q2 £300 under -> "total 90%, not 100%".
#   "aligned" aligned budget: Q1 £2,000 over -> not shared.

@pytest.fixture
def tiny(tmp_path):
    from cypdesk.model.document import Document

    doc = Document.create(tmp_path / "tiny.cypdesk", installation=ALICE)
    ws = Workspace(doc, ALICE)
    with ws.write() as s:
        for key, name in (("C", "Council"), ("I", "ICB"), ("P", "Police"), ("S", "School")):
            s.add(Organisation(id=f"o-{key}", name=name, is_partner=True))
        s.add(Person(id="pfm", name="Pat Manager"))
        s.add(Service(id="svc-1", name="CAMHS"))
        s.add(Service(id="svc-2", name="Short breaks"))
        s.add(Service(id="svc-3", name="Youth club"))
        s.flush()

        def agreement(key, over, under, *, type="pooled", status="operating", review=date(2027, 1, 31),
                      start=date(2025, 4, 1), host="o-C", manager="pfm", basis="s75_nhs_2006"):
            s.add(Agreement(id=key, title=f"Agreement {key}", type=type, legal_basis=basis, host_id=host,
                            manager_id=manager, status=status, start_date=start, review_date=review,
                            overspend_rule=over, underspend_rule=under))

        def partner(aid, org, over=None, under=None):
            s.add(AgreementPartner(id=f"{aid}-{org}", agreement_id=aid, organisation_id=org, overspend_pct=over,
                                   underspend_pct=under))

        def cash(aid, org, amount, fy=2025, value=None, fte=None):
            s.add(Contribution(id=f"{aid}-{org}-{fy}", agreement_id=aid, organisation_id=org, financial_year=fy,
                               cash=amount, in_kind_value=value, in_kind_fte=fte))

        def ret(aid, q, budget, spend, outturn, fy=2025):
            s.add(BudgetReturn(id=f"{aid}-{fy}-{q}", agreement_id=aid, financial_year=fy, quarter=q, budget=budget,
                               spend_to_date=spend, forecast_outturn=outturn))

        for key, over, under, kind in (("two", "proportional", "agreed_pct", "pooled"),
                                       ("three", "proportional", "proportional", "pooled"),
                                       ("host", "host", "case_by_case", "pooled"),
                                       ("agreed", "agreed_pct", "agreed_pct", "pooled"),
                                       ("aligned", "case_by_case", "case_by_case", "aligned")):
            agreement(key, over, under, type=kind, basis=None if kind == "aligned" else "s75_nhs_2006")
        s.flush()
        partner("two", "o-C", 70, 40)
        partner("two", "o-I", 30, 60)
        cash("two", "o-C", 60_000)
        cash("two", "o-I", 40_000, value=50_000, fte=1.5)
        ret("two", 1, 100_000, 24_000, 110_000)
        ret("two", 3, 100_000, 70_000, 95_000)

        for org in ("o-C", "o-I", "o-P", "o-S"):
            partner("three", org)
        for org in ("o-C", "o-I", "o-P"):
            cash("three", org, 100_000)
        ret("three", 1, 300_000, 75_000, 300_100)
        ret("three", 2, 300_000, 150_000, 300_000)

        partner("host", "o-C")
        partner("host", "o-I")
        cash("host", "o-C", 50_000)
        cash("host", "o-I", 50_000)
        ret("host", 1, 100_000, 25_000, 101_234.56)
        ret("host", 2, 100_000, 50_000, 99_500)

        partner("agreed", "o-C", 50, 50)
        partner("agreed", "o-I", 30, 40)
        partner("agreed", "o-S", 20, None)
        cash("agreed", "o-C", 50_000)
        cash("agreed", "o-I", 50_000)
        ret("agreed", 1, 100_000, 25_000, 101_000)
        ret("agreed", 2, 100_000, 50_000, 99_700)

        partner("aligned", "o-C")
        partner("aligned", "o-I")
        cash("aligned", "o-C", 80_000)
        cash("aligned", "o-I", 20_000)
        ret("aligned", 1, 100_000, 26_000, 102_000)

        s.add(AgreementService(id="two-svc-1", agreement_id="two", service_id="svc-1"))
        s.add(AgreementService(id="two-svc-2", agreement_id="two", service_id="svc-2"))
    yield ws
    doc.close(discard=True)


def shares(split):
    return {s.organisation_id: s.pence for s in split.shares}


# --- variance and missing quarters ---------------------------------------------------------------

def test_variance_is_outturn_minus_budget_and_its_sign_names_it(tiny):
    year = quarterly_returns(tiny, "two", 2025)
    q1, q3 = year[1], year[3]
    assert (q1.budget, q1.forecast_outturn, q1.variance, q1.word) == (100_000, 110_000, 10_000, "overspend")
    assert q1.variance_pct == pytest.approx(10.0)
    assert q1.variance_text == "£10,000 overspend (10.0%)"
    assert (q3.variance, q3.word) == (-5_000, "underspend")
    assert q3.variance_text == "£5,000 underspend (5.0%)"
    on = quarterly_returns(tiny, "three", 2025)[2]
    assert (on.variance, on.word, on.variance_text) == (0, "on budget", "On budget")


def test_a_quarter_without_a_return_is_missing_not_zero(tiny):
    year = quarterly_returns(tiny, "two", 2025)
    q2 = year[2]
    assert q2.status == budgets.MISSING and q2.missing
    assert (q2.budget, q2.spend_to_date, q2.forecast_outturn, q2.variance) == (None, None, None, None)
    assert q2.status_text == "Missing — no return"
    assert year.missing == (2, 4) and year.received == 2
    # the year's position is the latest return's; missing quarters are left out, with a note
    assert year.latest.quarter == 3
    assert "Q2 and Q4 have no return" in year.note and "not counted as zero" in year.note
    assert "£95,000" in year.note
    split = variance_shares(tiny, "two", 2025, 2)
    assert split.status == budgets.NO_RETURN and split.shares == () and split.variance is None
    assert "no variance to share" in split.explanation


def test_with_today_a_quarter_not_yet_ended_is_not_due(tiny):
    year = quarterly_returns(tiny, "two", 2025, today=TODAY)
    assert year[2].status == budgets.MISSING
    assert year[4].status == budgets.NOT_DUE and year[4].budget is None
    assert year[4].status_text == "Not due yet — the quarter ends 31/03/2026"
    assert year.missing == (2,) and year.not_due == (4,)
    assert "Q4 is not due yet" in year.note


# --- contributions ---------------------------------------------------------------------------

def test_contributions_per_year_and_partner_with_totals_and_shares(tiny):
    table = contributions_table(tiny, "two")
    assert [y.label for y in table.years] == ["2025-26"]
    year = table.years[0]
    rows = {r.name: r for r in year.rows}
    # C £60,000 cash; I £40,000 cash + £50,000 in kind: total £150,000
    assert (year.cash, year.in_kind_value, year.total, year.in_kind_fte) == (100_000, 50_000, 150_000, 1.5)
    assert (rows["Council"].total, rows["Council"].share_pct, rows["Council"].cash_share_pct) == (60_000, 40.0, 60.0)
    assert (rows["ICB"].total, rows["ICB"].share_pct, rows["ICB"].cash_share_pct) == (90_000, 60.0, 40.0)
    assert sum(r.share_pct for r in year.rows) == pytest.approx(100.0)


def test_contribution_shares_round_to_one_place_and_add_up_to_100(tiny):
    year = contributions_table(tiny, "three").years[0]
    rows = {r.name: r for r in year.rows}
    # thirds: 33.3 + 33.3 + 33.3 = 99.9, the 0.1 left goes to the first largest remainder
    assert sorted(r.share_pct for r in year.rows) == [0.0, 33.3, 33.3, 33.4]
    assert round(sum(r.share_pct for r in year.rows), 6) == 100.0
    assert not rows["School"].recorded and rows["School"].cash == 0 and rows["School"].share_pct == 0
    assert budgets.round_percentages([1, 1, 1]) == [33.4, 33.3, 33.3]
    assert budgets.round_percentages([0, 0]) == [0.0, 0.0]


# --- sharing a variance, rule by rule ------------------------------------------------------------

def test_proportional_over_two_partners_uses_cash_not_in_kind(tiny):
    split = variance_shares(tiny, "two", 2025, 1)
    assert split.status == budgets.SPLIT and split.rule == "proportional"
    # £10,000 over; cash 60:40 (the ICB's £50,000 in kind is left out)
    assert shares(split) == {"o-C": 600_000, "o-I": 400_000}
    assert sum(s.amount for s in split.shares) == pytest.approx(10_000)
    assert "cash contributions" in split.explanation and "in-kind" in split.explanation
    assert split.share_of("o-C").basis == "£60,000 cash (60%)"


def test_proportional_over_three_partners_rounds_to_pence_and_a_zero_contributor_bears_nothing(tiny):
    split = variance_shares(tiny, "three", 2025, 1)
    # £100.00 over, thirds of 10,000p = 3,333.33p: 3,333 each and the 1p left to the host
    assert shares(split) == {"o-C": 3_334, "o-I": 3_333, "o-P": 3_333, "o-S": 0}
    assert sum(shares(split).values()) == 10_000 == budgets.to_pence(split.variance)
    assert split.share_of("o-C").is_host and split.share_of("o-C").amount == 33.34
    assert "penny" in split.rounding


def test_the_penny_left_over_goes_to_the_largest_share_when_the_host_has_none():
    # 10p over X 2, Y 1, Z 1 (host H contributes nothing): 5p, 2.5p -> 3p, 2.5p -> 3p = 11p;
    # the -1p left goes to the largest share, X: 4p.
    out = split_pence(10, [("H", 0), ("X", 2), ("Y", 1), ("Z", 1)], remainder_to="H")
    assert out == {"H": 0, "X": 4, "Y": 3, "Z": 3}
    # an underspend rounds away from zero the same way
    assert split_pence(-10, [("X", 2), ("Y", 1), ("Z", 1)], remainder_to="Y") == {"X": -5, "Y": -2, "Z": -3}
    with pytest.raises(ValueError):
        split_pence(100, [("X", 0)])


def test_on_budget_shares_nothing(tiny):
    split = variance_shares(tiny, "three", 2025, 2)
    assert split.status == budgets.ON_BUDGET and set(shares(split).values()) == {0}


def test_the_host_bears_it(tiny):
    split = variance_shares(tiny, "host", 2025, 1)
    assert split.status == budgets.SPLIT and split.rule == "host"
    assert shares(split) == {"o-C": 123_456, "o-I": 0}
    assert "borne by the host, Council" in split.explanation


def test_case_by_case_has_no_computed_split(tiny):
    split = variance_shares(tiny, "host", 2025, 2)  # £500 under; underspends case by case
    assert split.status == budgets.CASE_BY_CASE and split.shares == ()
    assert split.variance == -500 and split.word == "underspend"
    assert "to be agreed by the partners" in split.explanation


def test_agreed_percentages_differ_for_overspends_and_underspends(tiny):
    over = variance_shares(tiny, "two", 2025, 1)  # overspend: proportional (60:40), not the agreed 70/30
    assert shares(over) == {"o-C": 600_000, "o-I": 400_000}
    under = variance_shares(tiny, "two", 2025, 3)  # £5,000 under: agreed 40/60
    assert under.rule == "agreed_pct"
    assert shares(under) == {"o-C": -200_000, "o-I": -300_000}
    assert under.share_of("o-I").basis == "agreed 60%"


def test_agreed_percentages_apply_to_a_partner_with_no_contribution(tiny):
    split = variance_shares(tiny, "agreed", 2025, 1)  # £1,000 over: 50 / 30 / 20
    assert shares(split) == {"o-C": 50_000, "o-I": 30_000, "o-S": 20_000}


def test_agreed_percentages_not_totalling_100_are_refused_and_flagged(tiny):
    split = variance_shares(tiny, "agreed", 2025, 2)  # underspends 50 + 40 + (none) = 90
    assert split.status == budgets.INVALID and split.shares == ()
    assert "total 90%, not 100%" in split.explanation
    words = [w.text for w in agreement_warnings(tiny, "agreed", TODAY)]
    assert "The agreed shares of underspends total 90%, not 100%." in words


def test_an_aligned_budget_is_not_split_and_says_why(tiny):
    split = variance_shares(tiny, "aligned", 2025, 1)
    assert split.status == budgets.NOT_POOLED and split.shares == ()
    assert split.variance == 2_000
    assert "stays in its own budget" in split.explanation and "Overspend of £2,000" in split.explanation
    info = budgets.agreement_info(tiny, "aligned")
    assert info.type_label == "Aligned budget"
    assert "no shared risk" in info.explanation
    assert budgets.sharing_rules(info).startswith("Not shared")
    assert "joint" in budgets.NOT_SHARED and "steering group" in budgets.TYPE_EXPLANATIONS["joint"]


def test_proportional_without_cash_cannot_be_split(tiny):
    with tiny.write() as s:
        for c in s.query(Contribution).filter_by(agreement_id="three").all():
            s.delete(c)
    split = variance_shares(tiny, "three", 2025, 1)
    assert split.status == budgets.NO_BASIS and "no cash contribution" in split.explanation


# --- warnings ---------------------------------------------------------------------------------

def test_warnings_in_words(tiny):
    records.update(tiny, "agreements", "two", {"review_date": "31/01/2026", "status": "negotiating"})
    words = [w.text for w in agreement_warnings(tiny, "two", TODAY)]
    assert words[0] == "Review was due on 31/01/2026: the agreement is 43 days past its review date."
    assert any(w.startswith("Operating without a signed agreement: the status is Negotiating") for w in words)
    assert "No return for 2025-26 Q2: the quarter ended 30/09/2025." in words
    assert not any("Q4" in w for w in words), "Q4 has not ended: not due, not missing"
    codes = {w.code for w in agreement_warnings(tiny, "two", TODAY)}
    assert "short_of_budget" not in codes  # £100,000 cash covers the £100,000 budget


def test_warning_when_contributions_do_not_cover_the_budget(tiny):
    records.update(tiny, "contributions", "two-o-I-2025", {"cash": 30_000})
    words = [w.text for w in agreement_warnings(tiny, "two", TODAY)]
    assert ("Contributions for 2025-26 (£90,000 cash) do not cover the budget of £100,000: £10,000 short."
            in words)


def test_three_has_a_missing_q3_once_the_grace_after_its_end_has_passed(tiny):
    """Q3 ended 31/12/2025; with the default grace of 30 days its return is due (no
    warning) until 30/01/2026 and missing (warned) from 31/01/2026."""
    assert [w.text for w in agreement_warnings(tiny, "three", date(2026, 1, 5))] == []
    assert [w.text for w in agreement_warnings(tiny, "three", date(2026, 1, 30))] == []
    words = [w.text for w in agreement_warnings(tiny, "three", date(2026, 1, 31))]
    assert words == ["No return for 2025-26 Q3: the quarter ended 31/12/2025."]


def test_a_pooled_budget_must_name_its_host_and_manager(tiny):
    records.update(tiny, "agreements", "three", {"host_id": None, "manager_id": None})
    codes = [w.code for w in agreement_warnings(tiny, "three", TODAY)]
    assert "no_host" in codes and "no_manager" in codes
    split = variance_shares(tiny, "three", 2025, 1)
    assert sum(shares(split).values()) == 10_000  # no host: the penny goes to the largest (first by name)


# --- services in scope ------------------------------------------------------------------------

def test_services_in_scope_and_setting_them_with_undo(tiny):
    assert [s.name for s in services_in_scope(tiny, "two")] == ["CAMHS", "Short breaks"]
    change = set_services(tiny, "two", ["svc-2", "svc-3"])
    assert change.changed and [s.name for s in services_in_scope(tiny, "two")] == ["Short breaks", "Youth club"]
    set_services(tiny, "two", change.before)
    assert [s.service_id for s in services_in_scope(tiny, "two")] == ["svc-1", "svc-2"]
    with pytest.raises(ValidationError):
        set_services(tiny, "two", ["nope"])


# --- editing returns and contributions ---------------------------------------------------------------

def test_save_return_adds_one_return_per_quarter(tiny):
    change = save_return(tiny, "two", 2025, 2, {"budget": "£100,000", "spend_to_date": "52,000",
                                                 "forecast_outturn": "£104,500"})
    assert change.op == "create" and change.title == "monitoring return 2025-26 Q2"
    q2 = quarterly_returns(tiny, "two", 2025)[2]
    assert (q2.status, q2.variance) == (budgets.RETURNED, 4_500)
    assert shares(variance_shares(tiny, "two", 2025, 2)) == {"o-C": 270_000, "o-I": 180_000}
    with pytest.raises(ValidationError, match="already a return for 2025-26 Q2"):
        save_return(tiny, "two", "2025-26", "Q2", {"budget": 1, "spend_to_date": 1, "forecast_outturn": 1})
    # edit it, and moving it onto a quarter that has a return is refused
    save_return(tiny, "two", None, None, {"forecast_outturn": "£100,000"}, change.id)
    assert quarterly_returns(tiny, "two", 2025)[2].word == "on budget"
    with pytest.raises(ValidationError, match="already a return for 2025-26 Q3"):
        save_return(tiny, "two", None, None, {"quarter": 3}, change.id)
    records.delete(tiny, "returns", change.id)  # undo of the add
    assert quarterly_returns(tiny, "two", 2025)[2].missing


def test_save_return_checks_its_values(tiny):
    with pytest.raises(ValidationError) as refused:
        save_return(tiny, "two", 2025, 4, {"spend_to_date": "lots", "forecast_outturn": 1})
    fields = {p["field"] for p in refused.value.facts["problems"]}
    assert {"spend_to_date", "budget"} <= fields
    with pytest.raises(ValidationError):
        save_return(tiny, "two", 2025, 5, {"budget": 1, "spend_to_date": 1, "forecast_outturn": 1})
    assert quarterly_returns(tiny, "two", 2025)[4].missing


def test_save_contribution_one_per_partner_and_year(tiny):
    change = save_contribution(tiny, "two", {"organisation_id": "o-P", "financial_year": "2025-26", "cash": "£10,000"})
    assert change.title == "contribution of Police for 2025-26"
    year = contributions_table(tiny, "two").years[0]
    assert year.cash == 110_000 and {r.name for r in year.rows} == {"Council", "ICB", "Police"}
    with pytest.raises(ValidationError, match="Police already has a contribution for 2025-26"):
        save_contribution(tiny, "two", {"organisation_id": "o-P", "financial_year": 2025, "cash": 1})
    save_contribution(tiny, "two", {"cash": "£20,000"}, change.id)
    assert contributions_table(tiny, "two").years[0].cash == 120_000


def test_save_partner_refuses_the_same_organisation_twice(tiny):
    change = budget_edit.save_partner(tiny, "agreed", {"underspend_pct": "10"}, "agreed-o-S")
    assert change.after == {"underspend_pct": 10.0}
    assert variance_shares(tiny, "agreed", 2025, 2).status == budgets.SPLIT  # now 50 + 40 + 10
    with pytest.raises(ValidationError, match="already a partner"):
        budget_edit.save_partner(tiny, "agreed", {"organisation_id": "o-C"})


# --- the demo ---------------------------------------------------------------------------------

def test_the_demo_s75_agreement(demo_master, tmp_path):
    copy = tmp_path / "demo.cypdesk"
    shutil.copyfile(demo_master, copy)
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        aid = conn.execute("SELECT id FROM agreements WHERE type = 'pooled'").fetchone()[0]
        words = [w.text for w in agreement_warnings(conn, aid, TODAY)]
        assert any(w.startswith("Review was due on ") for w in words)
        assert "No return for 2025-26 Q2: the quarter ended 30/09/2025." in words
        year = quarterly_returns(conn, aid, 2025, today=TODAY)
        assert year[2].missing and year[2].budget is None
        for q in (1, 3):
            split = variance_shares(conn, aid, 2025, q)
            assert split.status == budgets.SPLIT
            assert sum(s.pence for s in split.shares) == budgets.to_pence(split.variance)
        for y in contributions_table(conn, aid).years:
            assert round(sum(r.share_pct for r in y.rows), 6) == 100.0
        aligned = conn.execute("SELECT id FROM agreements WHERE type = 'aligned'").fetchone()[0]
        assert variance_shares(conn, aligned, 2025, 1).status == budgets.NOT_POOLED
    finally:
        conn.close()


# --- the agreement itself (a ``title`` field: the record operations name it by it) ---------------

def test_save_duplicate_and_delete_an_agreement_with_undo(tiny):
    change = records.create(tiny, "agreements", {"title": "New pool", "type": "Formal pooled budget", "status": "draft"})
    assert change.op == "create" and change.title == "New pool"
    assert budgets.agreement_info(tiny, change.id).overspend_rule == "proportional"  # the default
    with pytest.raises(ValidationError, match="Agreement is required"):
        records.create(tiny, "agreements", {"type": "pooled"})
    edit = records.update(tiny, "agreements", change.id, {"status": "signed", "title": "New pool"})
    assert edit.before == {"status": "draft"} and edit.after == {"status": "signed"}
    records.update(tiny, "agreements", change.id, edit.before)  # undo
    assert budgets.agreement_info(tiny, change.id).status == "draft"

    copy = budget_edit.duplicate_agreement(tiny, "two")
    info = budgets.agreement_info(tiny, copy.id)
    assert (info.title, info.status) == ("Agreement two (copy)", "draft")
    assert [p.organisation_id for p in budgets.partners(tiny, copy.id)] == ["o-C", "o-I"]
    assert [p.underspend_pct for p in budgets.partners(tiny, copy.id)] == [40, 60]
    assert [s.service_id for s in services_in_scope(tiny, copy.id)] == ["svc-1", "svc-2"]
    assert contributions_table(tiny, copy.id).years == ()

    gone = records.delete(tiny, "agreements", "two")
    assert gone.title == "Agreement two" and len(gone.dependents) >= 6  # partners, contributions, returns, scope
    with pytest.raises(Exception):
        budgets.agreement_info(tiny, "two")
    records.restore(tiny, gone)  # undo
    assert quarterly_returns(tiny, "two", 2025)[1].variance == 10_000
    assert len(services_in_scope(tiny, "two")) == 2


# --- the grace after a quarter ends (a document setting) ----------------------------------------

def test_a_return_within_the_grace_after_its_quarter_is_due_not_missing(tiny):
    """Q3 of "three" ended 31/12/2025 with no return. With the default grace of 30 days,
    on 30/01/2026 it is due (not missing: no warning, not in ``missing``), and from
    31/01/2026 it is missing."""
    year = quarterly_returns(tiny, "three", 2025, today=date(2026, 1, 30))
    q3 = year[3]
    assert q3.status == budgets.DUE and q3.due_by == date(2026, 1, 30) and q3.budget is None
    assert q3.status_text == "Due — the return is due by 30/01/2026"
    assert (year.missing, year.due, year.not_due) == ((), (3,), (4,))
    assert "Q3 has ended but its return is not yet missing: due by 30/01/2026." in year.note
    split = variance_shares(tiny, "three", 2025, 3, today=date(2026, 1, 30))
    assert "(the return is not due yet)" in split.explanation
    later = quarterly_returns(tiny, "three", 2025, today=date(2026, 1, 31))
    assert later[3].status == budgets.MISSING and (later.missing, later.due) == ((3,), ())
    assert later[3].due_by is None


def test_the_grace_is_the_documents_setting_unless_given(tiny):
    from cypdesk.services.settings import save_settings

    save_settings(tiny, {"return_grace_days": 0})  # the old rule: missing the day after the quarter ends
    assert quarterly_returns(tiny, "three", 2025, today=date(2026, 1, 1))[3].status == budgets.MISSING
    assert [w.code for w in agreement_warnings(tiny, "three", date(2026, 1, 1))] == ["missing_return"]
    save_settings(tiny, {"return_grace_days": 120})
    assert quarterly_returns(tiny, "three", 2025, today=date(2026, 4, 30))[3].status == budgets.DUE
    assert quarterly_returns(tiny, "three", 2025, today=date(2026, 5, 1))[3].status == budgets.MISSING
    assert quarterly_returns(tiny, "three", 2025, today=date(2026, 1, 2), grace_days=0)[3].status == budgets.MISSING
