"""The service and outcome map: numbers worked by hand on a tiny document, the rules
for gaps and overlaps, and the demo's known gaps (including one made by removing the
only service of an outcome)."""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from cypdesk.model import (
    Area, Base, Contract, Group, Outcome, Priority, PriorityLink, Service, ServiceArea, ServiceGroup, ServiceOutcome,
)
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services import records, service_edit
from cypdesk.services.service_map import (
    ALL_CHILDREN, RULE_LITTLE_MONEY, RULE_NO_SERVICE, RULE_ONLY_SECONDARY, add_months, months_between, outcome_map,
    tree_order,
)
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")


# --- the tiny document, worked by hand --------------------------------------------------
#
# Outcomes: H "Be healthy" with sub-outcomes H1 and H2; S "Stay safe"; E "Enjoy and achieve".
# Services (cost; links, P primary / S secondary; tier; prevention; groups; localities):
#   S1 Health visiting   £300,000  H1 P, S S   universal   yes  -     North
#   S2 School nursing    £100,000  H1 P        level_1     yes  -     North, South
#   S3 Fostering         £600,000  S P, H S    level_4     no   LAC   North
#   S4 Old centre      £1,000,000  S P         decommissioned: left out everywhere
#   S5 Counselling        no cost  H2 S        (no tier)   no   -     -
#   S6 Agency fostering  £400,000  S P         specialist  no   LAC   North, South
# Total spend £1,400,000. Apportionment (primary 2, secondary 1):
#   S1: H1 200,000, S 100,000   S2: H1 100,000   S3: S 400,000, H 200,000   S6: S 400,000
#   H1 300,000 (S1, S2)   H2 0 (S5, secondary only)   H 200,000 + 300,000 + 0 = 500,000 (4 services)
#   S 900,000 (S1, S3, S6)   E 0 (none)              H + S + E = 1,400,000

@pytest.fixture
def tiny(tmp_path):
    from cypdesk.model.document import Document

    doc = Document.create(tmp_path / "tiny.cypdesk", installation=ALICE)
    ws = Workspace(doc, ALICE)
    ids: dict[str, str] = {}
    with ws.write() as s:
        def add(obj, key):
            s.add(obj)
            ids[key] = obj.id
            return obj

        add(Outcome(id="o-H", code="H", name="Be healthy", rank=1), "H")
        add(Outcome(id="o-S", code="S", name="Stay safe", rank=2), "S")
        add(Outcome(id="o-E", code="E", name="Enjoy and achieve", rank=3), "E")
        add(Outcome(id="o-H2", code="H2", name="Mentally healthy", parent_id="o-H", rank=2), "H2")
        add(Outcome(id="o-H1", code="H1", name="Physically healthy", parent_id="o-H", rank=1), "H1")
        add(Group(id="g-LAC", name="Looked-after children", code="LAC"), "LAC")
        add(Area(id="a-N", name="North", kind="locality"), "N")
        add(Area(id="a-S", name="South", kind="locality"), "So")
        specs = [
            ("S1", "Health visiting", 300_000, "universal", True, "active", [("H1", "primary"), ("S", "secondary")], [], ["N"]),
            ("S2", "School nursing", 100_000, "level_1", True, "active", [("H1", "primary")], [], ["N", "So"]),
            ("S3", "Fostering", 600_000, "level_4", False, "active", [("S", "primary"), ("H", "secondary")], ["LAC"], ["N"]),
            ("S4", "Old centre", 1_000_000, "targeted", True, "decommissioned", [("S", "primary")], ["LAC"], ["N"]),
            ("S5", "Counselling", None, None, False, "proposed", [("H2", "secondary")], [], []),
            ("S6", "Agency fostering", 400_000, "specialist", False, "active", [("S", "primary")], ["LAC"], ["N", "So"]),
        ]
        for key, name, cost, tier, prevention, status, outcomes, groups, areas in specs:
            sid = f"s-{key}"
            add(Service(id=sid, name=name, annual_cost=cost, tier=tier, prevention=prevention, status=status), key)
            for code, kind in outcomes:
                s.add(ServiceOutcome(service_id=sid, outcome_id=f"o-{code}", contribution=kind))
            for g in groups:
                s.add(ServiceGroup(service_id=sid, group_id=ids[g]))
            for a in areas:
                s.add(ServiceArea(service_id=sid, area_id=ids[a]))
        for cid, key, ref, end in (
            ("c1", "S1", "C-1", date(2026, 6, 30)),   # within 6 months: 3 months, 107 days
            ("c2", "S2", "C-2", date(2026, 9, 15)),   # exactly 6 months ahead: still within 6
            ("c3", "S3", "C-3", date(2027, 3, 15)),   # exactly 12 months ahead: within 12
            ("c4", "S6", "C-4", date(2027, 3, 16)),   # beyond 12 months
            ("c5", "S3", "C-5", date(2025, 12, 31)),  # expired but replaced by C-3
            ("c6", "S5", "C-6", date(2025, 12, 31)),  # expired: 74 days, 2 whole months ago
            ("c7", "S4", "C-7", date(2026, 4, 30)),   # the service is decommissioned
        ):
            s.add(Contract(id=cid, service_id=f"s-{key}", reference=ref, end_date=end))
        for pid, ref, rank, links in (("p1", "P1", 1, ["E"]), ("p2", "P2", 2, ["H"]), ("p3", "P3", 3, ["H", "H1"])):
            s.add(Priority(id=pid, statement=f"Priority {ref}", plan_reference=ref, rank=rank, status="agreed"))
            for code in links:
                s.add(PriorityLink(priority_id=pid, outcome_id=f"o-{code}"))
    yield ws, ids
    doc.close(discard=True)


def test_outcomes_in_tree_order_with_rolled_up_services_and_money(tiny):
    ws, _ = tiny
    m = outcome_map(ws, today=TODAY)
    assert [(o.code, o.depth, o.parent_id) for o in m.outcomes] == [
        ("H", 0, None), ("H1", 1, "o-H"), ("H2", 1, "o-H"), ("S", 0, None), ("E", 0, None)]
    assert [s.name for s in m.services] == ["Agency fostering", "Counselling", "Fostering", "Health visiting",
                                            "School nursing"], "sorted by name, decommissioned left out"
    assert m.total_spend == 1_400_000
    by = {o.code: o for o in m.outcomes}
    assert (by["H1"].services, by["H1"].primary_services, by["H1"].money) == (2, 2, pytest.approx(300_000))
    assert (by["H2"].services, by["H2"].primary_services, by["H2"].money) == (1, 0, 0)
    # H: S3 directly (secondary) plus H1's and H2's services, each once.
    assert (by["H"].services, by["H"].primary_services, by["H"].direct_services) == (4, 2, 1)
    assert by["H"].money == pytest.approx(500_000)
    assert (by["S"].services, by["S"].primary_services, by["S"].money) == (3, 2, pytest.approx(900_000))
    assert (by["E"].services, by["E"].money) == (0, 0)
    assert by["S"].share_pct == pytest.approx(100 * 900 / 1400)
    top = sum(o.money for o in m.outcomes if o.depth == 0)
    assert top + m.unmapped_money == pytest.approx(m.total_spend)
    assert m.apportioned[("o-H1", "s-S1")] == pytest.approx(200_000)
    assert m.apportioned[("o-S", "s-S1")] == pytest.approx(100_000)
    assert m.apportioned[("o-H", "s-S3")] == pytest.approx(200_000)
    assert m.cells[("o-H1", "s-S1")] == "primary" and m.cells[("o-S", "s-S1")] == "secondary"
    assert not any(sid == "s-S4" for (_o, sid) in m.cells)
    assert m.unmapped_services == [] and m.unmapped_money == 0


def test_a_service_with_two_primary_outcomes_splits_its_cost_evenly(tiny):
    ws, _ = tiny
    service_edit.set_outcomes(ws, "s-S6", [("o-S", "primary"), ("o-E", "primary")])
    m = outcome_map(ws, today=TODAY)
    assert m.apportioned[("o-S", "s-S6")] == pytest.approx(200_000)
    assert m.apportioned[("o-E", "s-S6")] == pytest.approx(200_000)
    assert m.outcome("o-E").money == pytest.approx(200_000)


def test_gaps_say_which_rule_they_met(tiny):
    ws, _ = tiny
    m = outcome_map(ws, today=TODAY)
    outcome_gaps = {g.code: g for g in m.gaps if g.kind == "outcome"}
    assert set(outcome_gaps) == {"H2", "E"}
    assert outcome_gaps["E"].rules == (RULE_NO_SERVICE,)
    assert outcome_gaps["E"].reason == "No service contributes to it."
    assert outcome_gaps["H2"].rules == (RULE_ONLY_SECONDARY, RULE_LITTLE_MONEY)
    assert outcome_gaps["H2"].reasons[0] == (
        "Only secondary contributions: 1 service contributes, none with it as a primary outcome.")
    assert outcome_gaps["H2"].reasons[1] == "Little money: £0 (0% of the total spend), below the 1% threshold."
    priority_gaps = [g for g in m.gaps if g.kind == "priority"]
    assert [(g.code, g.rules) for g in priority_gaps] == [("P1", (RULE_NO_SERVICE,))]
    assert priority_gaps[0].reason == "No service contributes to its outcome (E Enjoy and achieve)."
    assert m.gaps_of("o-E")[0].outcome_ids == ("o-E",)


def test_little_money_is_judged_against_the_share_given(tiny):
    ws, _ = tiny
    # Threshold 25% of £1,400,000 = £350,000: H1 (£300,000) is little, H (£500,000) is not.
    m = outcome_map(ws, today=TODAY, little_share=0.25)
    gaps = {g.code: g for g in m.gaps}
    assert gaps["H1"].rules == (RULE_LITTLE_MONEY,)
    assert gaps["H1"].reason == "Little money: £300,000 (21% of the total spend), below the 25% threshold."
    assert "H" not in gaps and "S" not in gaps
    # Threshold 40% = £560,000: P2 (on H) and P3 (on H and its own sub-outcome H1) both
    # have £500,000: the sub-outcome is not counted twice.
    m = outcome_map(ws, today=TODAY, little_share=0.4)
    priorities = {g.code: g for g in m.gaps if g.kind == "priority"}
    assert priorities["P2"].money == pytest.approx(500_000) and priorities["P2"].services == 4
    assert priorities["P3"].money == pytest.approx(500_000) and priorities["P3"].services == 4
    assert priorities["P3"].outcome_ids == ("o-H", "o-H1")
    assert priorities["P3"].rules == (RULE_LITTLE_MONEY,)


def test_overlaps_need_the_same_outcome_group_and_locality(tiny):
    ws, _ = tiny
    m = outcome_map(ws, today=TODAY)
    found = [(o.outcome, o.group, o.locality, [name for _id, name in o.services]) for o in m.overlaps]
    assert found == [
        # S1 and S2 both record no group: both taken to serve all children in North.
        ("H1 Physically healthy", ALL_CHILDREN, "North", ["Health visiting", "School nursing"]),
        # S3 and S6 for looked-after children in North (S6 alone in South; S4 decommissioned).
        ("S Stay safe", "Looked-after children", "North", ["Agency fostering", "Fostering"]),
    ]
    strict = outcome_map(ws, today=TODAY, unrecorded_overlap=False)
    assert [(o.outcome_id, o.group_id, o.locality_id) for o in strict.overlaps] == [("o-S", "g-LAC", "a-N")]


def test_spend_by_tier_band_and_prevention(tiny):
    ws, _ = tiny
    m = outcome_map(ws, today=TODAY)
    assert [(t.tier, t.services, t.money) for t in m.spend_by_tier] == [
        ("universal", 1, 300_000), ("specialist", 1, 400_000), ("level_1", 1, 100_000), ("level_4", 1, 600_000),
        (None, 1, 0)]
    assert m.spend_by_tier[-1].label == "Not recorded"
    # Level 1 folds into universal, level 4 into specialist.
    assert [(t.tier, t.services, t.money) for t in m.spend_by_band] == [
        ("universal", 2, 400_000), ("specialist", 2, 1_000_000), (None, 1, 0)]
    assert m.spend_by_band[1].share_pct == pytest.approx(100 * 1000 / 1400)
    assert (m.prevention_services, m.prevention_money) == (2, 400_000)
    assert m.prevention_share_pct == pytest.approx(28.5714, abs=1e-3)


def test_contracts_ending_within_6_and_12_months_and_expired(tiny):
    ws, _ = tiny
    m = outcome_map(ws, today=TODAY)
    assert [(c.reference, c.within, c.months_left, c.days_left) for c in m.contracts_ending] == [
        ("C-1", 6, 3, 107), ("C-2", 6, 6, 184), ("C-3", 12, 12, 365)]
    assert [c.reference for c in m.ending_within(6)] == ["C-1", "C-2"]
    assert [c.reference for c in m.ending_within(12)] == ["C-1", "C-2", "C-3"]
    assert [(c.reference, c.service, c.within, c.months_left, c.days_left) for c in m.contracts_expired] == [
        ("C-6", "Counselling", 0, -2, -74)]


def test_month_arithmetic():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)
    assert months_between(date(2026, 3, 15), date(2026, 6, 14)) == 2
    assert months_between(date(2026, 3, 15), date(2026, 6, 15)) == 3
    assert months_between(date(2026, 3, 15), date(2025, 12, 31)) == -2


def test_any_way_of_reaching_the_document_gives_the_same_map(tiny):
    ws, _ = tiny
    by_ws = outcome_map(ws, today=TODAY)
    by_engine = outcome_map(ws.doc.engine, today=TODAY)
    with ws.doc.engine.connect() as conn:
        by_conn = outcome_map(conn, today=TODAY)
    raw = sqlite3.connect(ws.doc.working_path)
    try:
        by_sqlite = outcome_map(raw, today=TODAY)
    finally:
        raw.close()
    with ws.read() as session:
        by_session = outcome_map(session, today=TODAY)
    for other in (by_engine, by_conn, by_sqlite, by_session):
        assert other.outcomes == by_ws.outcomes and other.gaps == by_ws.gaps and other.overlaps == by_ws.overlaps


def test_tree_order_keeps_rows_with_unknown_parents_and_loops():
    rows = [("a", None, 1), ("b", "a", 1), ("c", "missing", 2), ("d", "e", 3), ("e", "d", 4), ("f", "f", 5),
            ("g", "d", 6)]
    ordered, flagged = tree_order(rows, id_of=lambda r: r[0], parent_of=lambda r: r[1], sort_key=lambda r: r[2])
    assert [(r[0], d) for r, d in ordered] == [("a", 0), ("b", 1), ("c", 0), ("f", 0), ("d", 0), ("e", 1), ("g", 1)]
    assert flagged == {"c", "f", "d"}


# --- the demo ---------------------------------------------------------------------------

@pytest.fixture
def demo(demo_master, tmp_path):
    from cypdesk.model.document import Document

    copy = tmp_path / "demo.cypdesk"
    shutil.copyfile(demo_master, copy)
    doc = Document.open(copy, installation=ALICE)
    yield Workspace(doc, ALICE)
    doc.close(discard=True)


def _outcome_id(ws, code):
    with ws.read() as s:
        return s.scalar(select(Outcome.id).where(Outcome.code == code))


def test_the_demo_gaps_include_the_sub_outcomes_it_leaves_without_service(demo):
    m = outcome_map(demo, today=TODAY)
    no_service = {g.name for g in m.gaps if g.kind == "outcome" and RULE_NO_SERVICE in g.rules}
    assert {"Develop enterprising behaviour", "Access to transport and material goods"} <= no_service
    assert len(m.services) == 79 and m.unmapped_services == []
    assert m.total_spend == pytest.approx(sum(t.money for t in m.spend_by_tier))
    assert sum(o.money for o in m.outcomes if o.depth == 0) == pytest.approx(m.total_spend)
    assert 0 < m.prevention_share_pct < 100
    # The demo's contracts ending: three within six months, three more within twelve, three expired.
    assert [c.within for c in m.contracts_ending] == [6, 6, 6, 12, 12, 12]
    assert len(m.contracts_expired) == 3
    assert any(o.group == "Looked-after children" for o in m.overlaps)


@pytest.mark.parametrize("how", ["delete the service", "unlink the outcome"])
def test_removing_the_only_service_of_an_outcome_makes_it_a_gap(demo, how):
    bh5 = _outcome_id(demo, "BH5")  # Choose not to take illegal drugs: one service
    before = outcome_map(demo, today=TODAY)
    assert before.outcome(bh5).services == 1
    assert not any(RULE_NO_SERVICE in g.rules for g in before.gaps_of(bh5))
    (only,) = [sid for (oid, sid) in before.cells if oid == bh5]
    if how == "delete the service":
        records.delete(demo, "services", only)
    else:
        detail = service_edit.service_detail(demo, only)
        service_edit.set_outcomes(demo, only, [link for link in detail["outcome_links"] if link[0] != bh5])
    after = outcome_map(demo, today=TODAY)
    (gap,) = after.gaps_of(bh5)
    assert gap.rules == (RULE_NO_SERVICE,) and gap.name == "Choose not to take illegal drugs"


def test_ten_thousand_services_map_in_well_under_two_seconds(tmp_path):
    from sqlalchemy import create_engine

    path = tmp_path / "big.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    stamp = "2026-01-01 00:00:00"
    common = (stamp, stamp, "", "")
    outcomes = [(f"o{i}", f"O{i}", f"Outcome {i}", None if i < 5 else f"o{i % 5}", i, *common) for i in range(35)]
    conn.executemany("INSERT INTO outcomes (id, code, name, parent_id, rank, created_at, updated_at, created_hlc, hlc)"
                     " VALUES (?,?,?,?,?,?,?,?,?)", outcomes)
    conn.executemany("INSERT INTO services (id, name, tier, prevention, annual_cost, status, created_at, updated_at,"
                     " created_hlc, hlc) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [(f"s{i}", f"Service {i}", "targeted", i % 3 == 0, 1000.0 + i, "active", *common)
                      for i in range(10_000)])
    conn.executemany("INSERT INTO service_outcomes (id, service_id, outcome_id, contribution, created_at, updated_at,"
                     " created_hlc, hlc) VALUES (?,?,?,?,?,?,?,?)",
                     [(f"l{i}-{k}", f"s{i}", f"o{5 + (i * 7 + k * 11) % 30}", "primary" if k == 0 else "secondary",
                       *common) for i in range(10_000) for k in range(3)])
    conn.commit()
    started = time.perf_counter()
    m = outcome_map(conn, today=TODAY)
    elapsed = time.perf_counter() - started
    conn.close()
    assert len(m.services) == 10_000 and len(m.cells) == 30_000
    assert m.total_spend == pytest.approx(sum(o.money for o in m.outcomes if o.depth == 0))
    assert elapsed < 2.0, f"{elapsed:.2f} s"
