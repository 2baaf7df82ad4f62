"""Editing a service's links, contracts and decommissioning: one transaction each,
deterministic link ids, tombstones for removed links, refusals that write nothing,
and undo by calling the same operation with ``before``."""

from __future__ import annotations

import shutil
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.model import (
    Area, Contract, Decommissioning, Group, Organisation, Outcome, Service, ServiceArea, ServiceCommissioner,
    ServiceFunding, ServiceGroup, ServiceOutcome, Tombstone, link_id,
)
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services import records, service_edit
from cypdesk.services.service_edit import (
    duplicate_service, save_contract, save_decommissioning, service_detail, set_commissioners, set_funding,
    set_groups, set_localities, set_outcomes,
)
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")
CAMHS = "Child and adolescent mental health service (CAMHS): targeted emotional wellbeing"


def _id(ws, model, **where):
    with ws.read() as s:
        stmt = select(model.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return s.scalar(stmt)


def _links(ws, model, service_id, *columns):
    with ws.read() as s:
        return sorted(tuple(r) for r in s.execute(
            select(*(getattr(model, c) for c in columns)).where(model.service_id == service_id)).all())


def _tombstoned(ws, table, record_id):
    with ws.read() as s:
        return s.get(Tombstone, (table, record_id)) is not None


def _count(ws, model):
    with ws.read() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- outcomes, groups, localities -------------------------------------------------------

def test_set_outcomes_replaces_the_links_and_undo_puts_them_back(ws):
    sid = _id(ws, Service, name=CAMHS)
    bh2, ea2, pc4, ss1 = (_id(ws, Outcome, code=c) for c in ("BH2", "EA2", "PC4", "SS1"))
    assert _links(ws, ServiceOutcome, sid, "outcome_id", "contribution") == sorted(
        [(bh2, "primary"), (ea2, "secondary"), (pc4, "secondary")])

    change = set_outcomes(ws, sid, [(bh2, "primary"), (ss1, "Secondary"), (ea2, "primary")])
    assert change.op == "set_outcomes" and change.kind == "services" and change.id == sid and change.title == CAMHS
    assert change.after == [(bh2, "primary"), (ss1, "secondary"), (ea2, "primary")]
    assert sorted(change.before) == sorted([(bh2, "primary"), (ea2, "secondary"), (pc4, "secondary")])
    assert change.added == [link_id("service_outcomes", sid, ss1)]
    assert change.updated == [link_id("service_outcomes", sid, ea2)]
    assert change.removed == [link_id("service_outcomes", sid, pc4)]
    assert change.fields == ["outcomes"] and change.changed
    assert _links(ws, ServiceOutcome, sid, "id", "outcome_id", "contribution") == sorted([
        (link_id("service_outcomes", sid, bh2), bh2, "primary"),
        (link_id("service_outcomes", sid, ss1), ss1, "secondary"),
        (link_id("service_outcomes", sid, ea2), ea2, "primary")])
    assert _tombstoned(ws, "service_outcomes", link_id("service_outcomes", sid, pc4))
    history = records.history(ws, "service_outcomes", link_id("service_outcomes", sid, ea2))
    assert history[-1]["field"] == "contribution" and history[-1]["author"] == "alice on COUNCIL-LAPTOP"

    undone = service_edit.undo(ws, change)
    assert _links(ws, ServiceOutcome, sid, "outcome_id", "contribution") == sorted(change.before)
    assert sorted(undone.before) == sorted(change.after)
    # The restored link has its old id back and is alive again.
    assert not _tombstoned(ws, "service_outcomes", link_id("service_outcomes", sid, pc4))
    again = set_outcomes(ws, sid, change.before)
    assert not again.changed and again.fields == []


def test_set_groups_and_localities(ws):
    sid = _id(ws, Service, name=CAMHS)
    yc, lac = _id(ws, Group, code="YC"), _id(ws, Group, code="LAC")
    north = _id(ws, Area, name="North Riverside")
    change = set_groups(ws, sid, [yc, lac])
    assert change.added == [link_id("service_groups", sid, yc)] and len(change.removed) == 1
    assert {g for (g,) in _links(ws, ServiceGroup, sid, "group_id")} == {yc, lac}
    change = set_localities(ws, sid, [north])
    assert len(change.before) == 5 and change.after == [north] and len(change.removed) == 4
    assert _links(ws, ServiceArea, sid, "area_id") == [(north,)]
    for removed in change.removed:
        assert _tombstoned(ws, "service_areas", removed)
    assert set_localities(ws, sid, []).after == []
    assert _links(ws, ServiceArea, sid, "area_id") == []


def test_unknown_targets_and_duplicates_are_refused_and_nothing_is_written(ws):
    sid = _id(ws, Service, name=CAMHS)
    bh2 = _id(ws, Outcome, code="BH2")
    before = _links(ws, ServiceOutcome, sid, "outcome_id", "contribution")
    with pytest.raises(ValidationError, match="There is no outcome with id nope"):
        set_outcomes(ws, sid, [(bh2, "primary"), ("nope", "primary")])
    with pytest.raises(ValidationError, match="Mentally and emotionally healthy is given twice"):
        set_outcomes(ws, sid, [(bh2, "primary"), (bh2, "secondary")])
    with pytest.raises(ValidationError, match="primary or secondary"):
        set_outcomes(ws, sid, [(bh2, "main")])
    with pytest.raises(RecordNotFound):
        set_groups(ws, "no-such-service", [])
    assert _links(ws, ServiceOutcome, sid, "outcome_id", "contribution") == before


# --- commissioners and funding ----------------------------------------------------------

def test_commissioners_shares_must_total_100(ws):
    sid = _id(ws, Service, name=CAMHS)
    rcc = _id(ws, Organisation, name="Riverside County Council")
    icb = _id(ws, Organisation, name="NHS Riverside and Vale Integrated Care Board")
    pol = _id(ws, Organisation, name="Riverside Constabulary")
    before = _links(ws, ServiceCommissioner, sid, "organisation_id", "share_pct")
    assert sorted(before) == sorted([(rcc, 40.0), (icb, 60.0)])

    with pytest.raises(ValidationError) as caught:
        set_commissioners(ws, sid, [(rcc, 60), (icb, 30)])
    assert caught.value.message == "Commissioners' shares must total 100%: these total 90% (60% + 30%)."
    with pytest.raises(ValidationError, match="given twice as a commissioner of this service; give each once with its whole share"):
        set_commissioners(ws, sid, [(rcc, 50), (rcc, 50)])
    with pytest.raises(ValidationError, match=r"cannot be negative \(Riverside Constabulary: -10%\)"):
        set_commissioners(ws, sid, [(pol, -10), (rcc, 110)])
    with pytest.raises(ValidationError, match=r"cannot be more than 100% \(Riverside County Council: 110%\)"):
        set_commissioners(ws, sid, [(rcc, 110), (pol, -10)])
    with pytest.raises(ValidationError, match="must be a number of per cent"):
        set_commissioners(ws, sid, [(rcc, "lots")])
    assert _links(ws, ServiceCommissioner, sid, "organisation_id", "share_pct") == before

    # Within 0.01 of 100 is 100; shares may be written with a % sign.
    change = set_commissioners(ws, sid, [(rcc, "33.33%"), (icb, 33.33), (pol, 33.33)])
    assert change.after == [(rcc, 33.33), (icb, 33.33), (pol, 33.33)]
    assert change.added == [link_id("service_commissioners", sid, pol)] and len(change.updated) == 2
    with ws.read() as s:
        assert s.get(ServiceCommissioner, change.added[0]).owner_org_id == pol
    # An empty list records no commissioner.
    cleared = set_commissioners(ws, sid, [])
    assert cleared.after == [] and len(cleared.removed) == 3
    assert _links(ws, ServiceCommissioner, sid, "organisation_id") == []
    service_edit.undo(ws, cleared)
    assert len(_links(ws, ServiceCommissioner, sid, "organisation_id")) == 3


def test_funding_sources(ws):
    sid = _id(ws, Service, name=CAMHS)
    before = _links(ws, ServiceFunding, sid, "source", "amount")
    assert len(before) == 2
    change = set_funding(ws, sid, [("Public Health Grant", "£120,000"), ("  ICB   baseline ", None)])
    assert change.after == [("Public Health Grant", 120_000.0), ("ICB baseline", None)]
    assert sorted(change.added) == sorted([link_id("service_funding", sid, "Public Health Grant"),
                                           link_id("service_funding", sid, "ICB baseline")])
    assert len(change.removed) == 2
    # The same source differing only in case is the same row, renamed.
    renamed = set_funding(ws, sid, [("public health grant", 120_000), ("ICB baseline", 5)])
    assert renamed.added == [] and renamed.removed == [] and len(renamed.updated) == 2
    with pytest.raises(ValidationError, match="given twice as a funding source"):
        set_funding(ws, sid, [("Grant", 1), ("grant", 2)])
    with pytest.raises(ValidationError, match="cannot be negative"):
        set_funding(ws, sid, [("Grant", -1)])
    with pytest.raises(ValidationError, match="needs a name"):
        set_funding(ws, sid, [(" ", 1)])
    service_edit.undo(ws, change)
    assert _links(ws, ServiceFunding, sid, "source", "amount") == before


# --- contracts and decommissioning ----------------------------------------------------

def test_save_contract_creates_and_updates_with_the_records_rules(ws):
    sid = _id(ws, Service, name=CAMHS)
    made = save_contract(ws, sid, {"reference": "NEW-001", "start_date": "01/04/2026", "end_date": "31/03/2029",
                                   "annual_value": "£250,000", "route": "Tender"})
    assert made.op == "create" and made.kind == "contracts" and made.title == "NEW-001"
    stored = records.get(ws, "contracts", made.id)
    assert stored["service_id"] == sid and stored["route"] == "tender" and stored["annual_value"] == 250_000
    assert stored["end_date"] == date(2029, 3, 31)

    changed = save_contract(ws, sid, {"end_date": "31/03/2030"}, contract_id=made.id)
    assert changed.op == "update" and changed.before == {"end_date": date(2029, 3, 31)}
    records.update(ws, "contracts", made.id, changed.before)  # the window's undo
    assert records.get(ws, "contracts", made.id)["end_date"] == date(2029, 3, 31)

    with pytest.raises(ValidationError, match=r"End \(01/01/2026\) is before start \(01/04/2026\)"):
        save_contract(ws, sid, {"end_date": "01/01/2026"}, contract_id=made.id)
    with pytest.raises(ValidationError, match="Annual value must be at least 0"):
        save_contract(ws, sid, {"annual_value": -1})
    other = _id(ws, Service, name="Youth offending team services")
    with pytest.raises(ValidationError, match="belongs to another service"):
        save_contract(ws, other, {"reference": "X"}, contract_id=made.id)
    assert records.get(ws, "contracts", made.id)["reference"] == "NEW-001"


def test_save_decommissioning(ws):
    sid = _id(ws, Service, name="Youth offending team services")
    made = save_decommissioning(ws, sid, {"status": "Being considered", "rationale": "Duplicates the new service."})
    assert made.id == link_id("decommissioning", sid), "a service's first decision has a deterministic id"
    second = save_decommissioning(ws, sid, {"status": "withdrawn"})
    assert second.id != made.id
    updated = save_decommissioning(ws, sid, {"status": "agreed", "board_signoff": "12/03/2026"}, record_id=made.id)
    assert updated.before == {"status": "considering", "board_signoff": None}
    with pytest.raises(ValidationError, match="Status"):
        save_decommissioning(ws, sid, {"status": "maybe"})


# --- duplicating and reading ------------------------------------------------------------

def test_duplicate_copies_the_links_but_not_contracts_or_decisions(ws):
    old_mill = "Neighbourhood family centre \u2013 West Riverside (Old Mill)"
    sid = _id(ws, Service, name=old_mill)
    original = service_detail(ws, sid)
    assert original["contracts"] and original["decommissioning"]
    services_before = _count(ws, Service)

    change = duplicate_service(ws, sid)
    assert change.op == "create" and change.kind == "services" and change.title == old_mill + " (copy)"
    copy = service_detail(ws, change.id)
    assert copy["service"]["annual_cost"] == original["service"]["annual_cost"]
    assert copy["service"]["status"] == original["service"]["status"]
    for key in ("outcome_links", "group_ids", "locality_ids", "commissioner_shares", "funding_sources"):
        assert sorted(copy[key], key=str) == sorted(original[key], key=str), key
    assert {d["link_id"] for d in copy["outcomes"]} == {
        link_id("service_outcomes", change.id, oid) for oid, _c in original["outcome_links"]}
    assert copy["contracts"] == [] and copy["decommissioning"] == []

    records.delete(ws, "services", change.id)  # the window's undo
    assert _count(ws, Service) == services_before
    assert service_detail(ws, sid)["outcome_links"] == original["outcome_links"]
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(ServiceOutcome).where(ServiceOutcome.service_id == change.id)) == 0
    assert _tombstoned(ws, "service_outcomes", copy["outcomes"][0]["link_id"])


def test_service_detail_has_everything_the_editor_shows(ws):
    sid = _id(ws, Service, name=CAMHS)
    d = service_detail(ws, sid)
    assert d["title"] == CAMHS and d["service"]["sector"] == "health"
    assert d["provider"]["name"] == "Open Door Youth Counselling"
    assert d["team"]["name"].startswith("Emotional wellbeing")
    assert [(o["code"], o["contribution_label"]) for o in d["outcomes"]] == [
        ("BH2", "Primary"), ("EA2", "Secondary"), ("PC4", "Secondary")]
    assert {g["name"] for g in d["groups"]} == {"Children in need", "Looked-after children"}
    assert len(d["localities"]) == 5
    assert [(c["name"], c["share_pct"]) for c in d["commissioners"]] == [
        ("NHS Riverside and Vale Integrated Care Board", 60.0), ("Riverside County Council", 40.0)]
    assert d["commissioners_total_pct"] == 100
    assert d["funding_total"] == pytest.approx(d["service"]["annual_cost"])
    (contract,) = d["contracts"]
    assert contract["reference"] and contract["contracting_org"] == "NHS Riverside and Vale Integrated Care Board"
    assert d["decommissioning"] == []
    with pytest.raises(RecordNotFound):
        service_detail(ws, "nope")


def test_each_operation_is_one_transaction(ws, monkeypatch):
    """A failure part-way through writes nothing: the links are as they were."""
    sid = _id(ws, Service, name=CAMHS)
    before = _links(ws, ServiceOutcome, sid, "id", "outcome_id", "contribution")
    ss1 = _id(ws, Outcome, code="SS1")
    calls = {"n": 0}
    real_write = ws.write

    from contextlib import contextmanager

    @contextmanager
    def failing_write():
        with real_write() as session:
            yield session
            calls["n"] += 1
            raise RuntimeError("disk full")

    monkeypatch.setattr(ws, "write", failing_write)
    with pytest.raises(RuntimeError):
        set_outcomes(ws, sid, [(ss1, "primary")])
    monkeypatch.undo()
    assert calls["n"] == 1
    assert _links(ws, ServiceOutcome, sid, "id", "outcome_id", "contribution") == before
    assert _count(ws, Contract) > 0 and _count(ws, Decommissioning) == 1
