"""Figures kept in step and dates that cannot be right, in the services (no window):
a service's unit cost worked out from its annual cost and capacity unless set by hand,
warnings where its money no longer adds up, an end before its start refused on every
kind that declares the pair, a period not yet ended warned about, and one message a
field ("abc" as money is not an amount of money, not "required")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cypdesk.common.errors import ValidationError
from cypdesk.model import Agreement, Contract, Measure, Service
from cypdesk.model.fields import fields_of
from cypdesk.services import records
from cypdesk.services.service_edit import service_detail, set_funding
from cypdesk.services.service_figures import derive, figure_warnings, unit_cost_note, worked_out_unit_cost


def _service(ws, **where):
    """The first service (by name) whose fields match ``where``."""
    with ws.read() as session:
        query = select(Service.id).order_by(Service.name)
        for key, value in where.items():
            query = query.where(getattr(Service, key) == value)
        return session.scalars(query).first()


def test_changing_the_annual_cost_works_the_unit_cost_out_again_and_undo_takes_both_back(ws):
    sid = _service(ws, unit_cost_basis="per_child", unit_cost_by_hand=False)
    before = records.get(ws, "services", sid)
    change = records.update(ws, "services", sid, {"annual_cost": "£120,000", "capacity": "100"})
    after = records.get(ws, "services", sid)
    assert after["unit_cost"] == 1200.0 and after["unit_cost_by_hand"] is False
    assert change.after["unit_cost"] == 1200.0 and change.before["unit_cost"] == before["unit_cost"]
    records.update(ws, "services", sid, change.before)  # the window's undo
    again = records.get(ws, "services", sid)
    assert (again["annual_cost"], again["capacity"], again["unit_cost"], again["unit_cost_by_hand"]) == (
        before["annual_cost"], before["capacity"], before["unit_cost"], False)


def test_a_unit_cost_typed_by_hand_is_kept_when_the_cost_changes_until_it_is_blanked(ws):
    sid = _service(ws, unit_cost_basis="per_child", unit_cost_by_hand=False)
    records.update(ws, "services", sid, {"annual_cost": 100_000, "capacity": 100})
    records.update(ws, "services", sid, {"unit_cost": "£950"})
    assert records.get(ws, "services", sid)["unit_cost_by_hand"] is True
    records.update(ws, "services", sid, {"annual_cost": 200_000})
    kept = records.get(ws, "services", sid)
    assert kept["unit_cost"] == 950.0 and kept["unit_cost_by_hand"] is True
    records.update(ws, "services", sid, {"unit_cost": ""})  # blank: worked out again
    back = records.get(ws, "services", sid)
    assert back["unit_cost"] == 2000.0 and back["unit_cost_by_hand"] is False


def test_a_new_service_gets_its_unit_cost_worked_out(ws):
    change = records.create(ws, "services", {"name": "New place service", "annual_cost": "£60,000",
                                             "capacity": "40", "unit_cost_basis": "Per place"})
    made = records.get(ws, "services", change.id)
    assert made["unit_cost"] == 1500.0 and made["unit_cost_by_hand"] is False


def test_the_rule_does_not_divide_a_capacity_into_sessions_or_hours():
    assert worked_out_unit_cost(1000, 10, "per_session") is None
    assert worked_out_unit_cost(1000, 0, "per_child") is None
    assert derive({"annual_cost": 1000, "capacity": 10, "unit_cost_basis": "per_hour", "unit_cost": 7.0,
                   "unit_cost_by_hand": False}, {"annual_cost": 2000}) == {"annual_cost": 2000}


def test_the_note_beside_the_unit_cost_says_in_words_where_it_comes_from():
    worked = {"annual_cost": 120_000, "capacity": 100, "unit_cost": 1200.0, "unit_cost_basis": "per_place",
              "unit_cost_by_hand": False}
    assert unit_cost_note(worked) == "Worked out: £1,200 a place (annual cost ÷ capacity)."
    by_hand = {**worked, "unit_cost": 999.0, "unit_cost_by_hand": True}
    assert unit_cost_note(by_hand) == "Set by hand. Worked out would be £1,200 a place."


def test_warnings_say_where_funding_and_commissioners_money_no_longer_add_up():
    service = {"annual_cost": 100_000.0}
    assert figure_warnings(service, [{"amount": 100_000.0}], [{"share_pct": 100.0}]) == []
    found = figure_warnings(service, [{"amount": 60_000.0}, {"amount": None}], [{"share_pct": 60.0}])
    assert found == [
        "The funding lines total £60,000 a year, £40,000 short of the annual cost of £100,000.",
        "The commissioners' shares total 60%: they pay £60,000 of the £100,000 annual cost, £40,000 uncovered.",
    ]


def test_the_service_detail_warns_when_the_cost_moves_away_from_its_funding(ws):
    sid = _service(ws, unit_cost_basis="per_child", unit_cost_by_hand=False)
    set_funding(ws, sid, [("Public Health Grant", 100_000)])
    records.update(ws, "services", sid, {"annual_cost": 100_000})
    assert not any("funding lines" in w for w in service_detail(ws, sid)["figure_warnings"])
    records.update(ws, "services", sid, {"annual_cost": 130_000})
    detail = service_detail(ws, sid)
    assert "The funding lines total £100,000 a year, £30,000 short of the annual cost of £130,000." in \
        detail["figure_warnings"]
    assert detail["unit_cost_note"].startswith("Worked out: ")


def test_every_kind_declaring_a_start_and_end_pair_is_found_from_the_field_metadata():
    from cypdesk.model import KINDS

    pairs = {(kind, name, meta.not_before) for kind, model in KINDS.items()
             for name, meta in fields_of(model) if meta.not_before}
    assert pairs == {("contracts", "end_date", "start_date"), ("agreements", "end_date", "start_date")}


@pytest.mark.parametrize("kind", ["contracts", "agreements"])
def test_an_end_before_its_start_is_refused_naming_both_dates(ws, kind):
    model = {"contracts": Contract, "agreements": Agreement}[kind]
    with ws.read() as session:
        rid = session.scalars(select(model.id).where(model.start_date.is_not(None))).first()
    start = records.get(ws, kind, rid)["start_date"]
    with pytest.raises(ValidationError) as refused:
        records.update(ws, kind, rid, {"end_date": "01/01/2020", "start_date": "01/04/2024"})
    assert "End (01/01/2020) is before start (01/04/2024)" in refused.value.message
    assert refused.value.facts["problems"][0]["field"] == "end_date"
    with pytest.raises(ValidationError, match=r"is before start"):  # the stored start counts too
        records.update(ws, kind, rid, {"end_date": date(start.year - 1, 1, 1)})
    assert records.get(ws, kind, rid)["start_date"] == start


def test_money_that_is_not_money_gets_one_message_not_required(ws):
    _clean, problems = records.prepare(records.kind_of("returns"), {"spend_to_date": "abc"}, partial=False)
    about_spend = [p.message for p in problems if p.field == "spend_to_date"]
    assert len(about_spend) == 1 and "not an amount of money" in about_spend[0]


def test_a_period_that_has_not_ended_is_a_warning_not_a_refusal(ws):
    day = date(2026, 5, 1)
    assert records.typed_period_warning("measurements", {"period": "2026-27 Q1"}, day) == (
        "2026-27 Q1 has not ended yet (it ends on 30/06/2026): figures for it are usually a forecast")
    assert records.typed_period_warning("measurements", {"period": "2025-26 Q4"}, day) is None
    assert records.typed_period_warning("returns", {"financial_year": "2026-27", "quarter": "Q2"}, day).startswith(
        "2026-27 Q2 has not ended yet")
    assert records.typed_period_warning("returns", {"financial_year": "2025-26", "quarter": "4"}, day) is None
    with ws.read() as session:
        mid = session.scalars(select(Measure.id)).first()
    future = date.today().year + 2
    change = records.create(ws, "measurements", {"measure_id": mid, "period": f"{future}-{(future + 1) % 100:02d} Q1",
                                                 "actual": 5})
    assert change.warnings and "has not ended yet" in change.warnings[0]
