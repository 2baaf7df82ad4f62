"""Monitoring: ratings worked by hand at every boundary (both polarities, percentage
and absolute tolerances, RAG and the five-level trajectory scale), then the demo's
measures, services red twice, the action plan, the risk register, reviews due, and the
operations that start an action or a decommissioning record and set the rating scale."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import date

import pytest

from cypdesk.common.errors import UsageError, ValidationError
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services import monitoring, monitoring_edit, records
from cypdesk.services.monitoring import rate
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")
CAMHS = "\u201cTier 3\u201d CAMH service (specialist community CAMHS)"
CAMHS_WAITS = "Children and young people seen within 18 weeks of referral (%)"
SLT = "Speech and language therapy for children"
YOT = "Youth offending team services"


def value(*args, **kw):
    return rate(*args, **kw).value


# --- RAG, higher is better, tolerance 5% of a target of 90 (4.5): amber from 85.5 to under 90 ---

@pytest.mark.parametrize(("actual", "expected"), [
    (95, "green"),
    (90.01, "green"),
    (90, "green"),  # on target: the better rating
    (89.99, "amber"),
    (85.5, "amber"),  # exactly the tolerance away: amber, not red
    (85.49, "red"),
    (0, "red"),
])
def test_rag_higher_is_better_percent(actual, expected):
    assert value(actual, 90, 5, "percent", "higher_better") == expected


# --- RAG, lower is better, absolute tolerance 3 on a target of 30: amber above 30 up to 33 ---

@pytest.mark.parametrize(("actual", "expected"), [
    (0, "green"),
    (29.99, "green"),
    (30, "green"),
    (30.01, "amber"),
    (33, "amber"),
    (33.01, "red"),
])
def test_rag_lower_is_better_absolute(actual, expected):
    assert value(actual, 30, 3, "absolute", "lower_better") == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (40, "green"), (40.5, "amber"), (50, "amber"), (50.01, "red"),  # 25% of 40 = 10
])
def test_rag_lower_is_better_percent(actual, expected):
    assert value(actual, 40, 25, "percent", "lower_better") == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (75, "green"), (74.99, "amber"), (70, "amber"), (69.99, "red"),  # 5 points below 75
])
def test_rag_higher_is_better_absolute(actual, expected):
    assert value(actual, 75, 5, "absolute", "higher_better") == expected


def test_boundaries_are_exact_in_decimal():
    """4.5 + 10% is 4.95 exactly, although 4.5 * 1.1 is 4.950000000000001 in floats."""
    assert value(4.95, 4.5, 10, "percent", "lower_better") == "amber"
    assert value(4.96, 4.5, 10, "percent", "lower_better") == "red"
    assert value(0.3, 0.1, 0.2, "absolute", "lower_better") == "amber"  # 0.1 + 0.2 != 0.3 in floats
    assert value(0.3, 0.1, 0.2, "absolute", "lower_better", scale="trajectory") == "on_course"


def test_negative_target_takes_the_tolerance_of_its_size():
    # 10% of a target of -10 is 1: amber from -11 to under -10.
    assert value(-10, -10, 10, "percent", "higher_better") == "green"
    assert value(-11, -10, 10, "percent", "higher_better") == "amber"
    assert value(-11.01, -10, 10, "percent", "higher_better") == "red"


# --- the five-level trajectory scale ------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (100, "ahead"),
    (94.51, "ahead"),
    (94.5, "ahead"),  # exactly the tolerance better: the boundary takes the better rating
    (94.49, "on_course"),
    (90, "on_course"),
    (85.5, "on_course"),  # exactly the tolerance worse: on course
    (85.49, "slippage"),
    (81, "slippage"),  # exactly twice the tolerance worse: slippage, the better rating
    (80.99, "no_progress"),
])
def test_trajectory_higher_is_better_percent(actual, expected):
    assert value(actual, 90, 5, "percent", "higher_better", scale="trajectory") == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (26.99, "ahead"),
    (27, "ahead"),  # exactly the tolerance better (lower): the better rating
    (27.01, "on_course"),
    (30, "on_course"),
    (33, "on_course"),
    (33.01, "slippage"),
    (36, "slippage"),
    (36.01, "no_progress"),
])
def test_trajectory_lower_is_better_absolute(actual, expected):
    assert value(actual, 30, 3, "absolute", "lower_better", scale="trajectory") == expected


def test_exactly_the_tolerance_better_is_ahead_and_its_rule_says_so():
    """A boundary takes the better rating on the trajectory scale too, and the hover's
    bands agree: "ahead on or above", "on course ... to under"."""
    r = rate(94.5, 90, 5, "percent", "higher_better", "trajectory")
    assert r.value == "ahead"
    assert r.rule.startswith("Ahead: 94.5 is better than the target of 90 by the tolerance of 4.5 or more")
    assert "On course from 85.5 to under 94.5" in r.rule
    assert rate(30, 33, 3, "absolute", "lower_better", "trajectory").value == "ahead"
    lower = rate(31, 33, 3, "absolute", "lower_better", "trajectory")
    assert lower.value == "on_course" and "ahead on or below 30" in lower.rule.lower()
    assert "On course above 30 up to 36" in rate(25, 33, 3, "absolute", "lower_better", "trajectory").rule
    assert rate(0.01, 0, 5, "percent", "higher_better", "trajectory").rule.startswith(
        "Ahead: 0.01 is better than the target of 0, with no tolerance")


def test_trajectory_words():
    assert rate(100, 90, 5, "percent", "higher_better", "trajectory").word == "Ahead"
    assert rate(90, 90, 5, "percent", "higher_better", "trajectory").word == "On course"
    assert rate(85, 90, 5, "percent", "higher_better", "trajectory").word == "Slippage"
    assert rate(50, 90, 5, "percent", "higher_better", "trajectory").word == "No progress"
    assert rate(None, 90, 5, "percent", "higher_better", "trajectory").word == "Not assessed"


# --- not rated ----------------------------------------------------------------------------------

def test_no_actual_is_not_rated_and_says_why():
    r = rate(None, 90, 5, "percent", "higher_better")
    assert (r.value, r.word, r.rated) == ("not_rated", "Not rated", False)
    assert "no actual" in r.reason
    assert r.rule.startswith("Not rated: no actual is recorded for this period.")
    assert "Green on or above 90; amber from 85.5 to under 90 (5% of target); red below 85.5." in r.rule
    assert rate(None, 90, 5, "percent", "higher_better", "trajectory").value == "not_assessed"


def test_no_target_is_not_rated():
    r = rate(80, None, 5, "percent", "higher_better")
    assert r.value == "not_rated" and "no target" in r.reason
    assert rate(80, None, 5, "percent", "higher_better", "trajectory").value == "not_assessed"


def test_no_judgement_polarity_is_not_rated():
    r = rate(744, 700, 5, "percent", "no_judgement")
    assert r.value == "not_rated"
    assert "no better or worse direction" in r.reason


def test_zero_target_with_a_percentage_tolerance_has_no_amber_band():
    """Rule: a percentage of a target of 0 is nothing, so the tolerance is 0."""
    assert value(0, 0, 5, "percent", "lower_better") == "green"
    assert value(0.01, 0, 5, "percent", "lower_better") == "red"
    assert value(-0.01, 0, 5, "percent", "higher_better") == "red"
    r = rate(0.01, 0, 5, "percent", "lower_better")
    assert "5% of a target of 0 is nothing" in r.rule and "no amber band" in r.rule
    assert value(0, 0, 5, "percent", "higher_better", scale="trajectory") == "on_course"
    assert value(0.01, 0, 5, "percent", "higher_better", scale="trajectory") == "ahead"
    assert value(-0.01, 0, 5, "percent", "higher_better", scale="trajectory") == "no_progress"
    # An absolute tolerance on a zero target still gives an amber band.
    assert value(0.5, 0, 1, "absolute", "lower_better") == "amber"


def test_no_tolerance_means_none():
    assert value(89.99, 90, None, "percent", "higher_better") == "red"
    assert "no tolerance is set" in rate(89.99, 90, None, "percent", "higher_better").rule


def test_unknown_scale_is_refused():
    with pytest.raises(UsageError):
        rate(1, 1, 1, "percent", "higher_better", scale="stars")


# --- the rule in words ----------------------------------------------------------------------------

def test_rule_in_plain_words():
    assert rate(92, 90, 5, "percent", "higher_better").rule == (
        "Green: 92 is on or above the target of 90 (higher is better). "
        "Amber from 85.5 to under 90 (5% of target); red below 85.5.")
    assert rate(88, 90, 5, "percent", "higher_better", unit="%").rule == (
        "Amber: 88% is below the target of 90% but within the tolerance of 4.5 points (5% of target; "
        "higher is better). Green on or above 90%; red below 85.5%.")
    assert rate(35.8, 30, 3, "absolute", "lower_better").rule == (
        "Red: 35.8 is above the target of 30 by more than the tolerance of 3 (an absolute tolerance; "
        "lower is better). Green on or below 30; amber above 30 up to 33 (tolerance 3).")
    assert rate(85, 90, 5, "percent", "higher_better", "trajectory").rule == (
        "Slippage: 85 is worse than the target of 90 by more than the tolerance of 4.5 but no more than "
        "twice it (5% of target; higher is better). Ahead on or above 94.5; on course from 85.5 to under 94.5 "
        "(5% of target); no progress below 81.")


def test_worst_and_rank():
    ratings = [rate(92, 90, 5), rate(None, 90, 5), rate(88, 90, 5)]
    assert monitoring.worst(ratings).value == "amber"
    assert monitoring.worst([rate(None, 90, 5)]) is None
    assert rate(80, 90, 5).rank < rate(88, 90, 5).rank < rate(92, 90, 5).rank
    assert rate(None, 90, 5).rank == -1


# --- the demo ---------------------------------------------------------------------------------------

@pytest.fixture
def conn(demo_master):
    connection = sqlite3.connect(f"file:{demo_master}?mode=ro", uri=True)
    yield connection
    connection.close()


def _by_name(measures, name):
    return next(m for m in measures if m.name == name)


def _counts(measures):
    counts: dict[str, int] = {}
    for m in measures:
        counts[m.rating.value] = counts.get(m.rating.value, 0) + 1
    return counts


def test_measure_ratings_of_the_demo(conn):
    measures = monitoring.measure_ratings(conn)
    assert len(measures) == 16
    assert _counts(measures) == {"red": 4, "amber": 5, "green": 6, "not_rated": 1}
    waits = _by_name(measures, CAMHS_WAITS)
    assert (waits.owner_kind, waits.owner) == ("service", CAMHS)
    assert len(waits.history) == 8 and waits.latest.label == "2025-26 Q3" and waits.latest.actual == 78.2
    assert waits.rating.value == "red" and "target of 92%" in waits.rating.rule
    assert [p.rating.value for p in waits.history[-2:]] == ["red", "red"]
    fostering = _by_name(measures, "Placements made with framework providers (%)")
    assert fostering.owner_kind == "contract" and fostering.service_id  # a contract's service


def test_measure_ratings_on_the_trajectory_scale(conn):
    measures = monitoring.measure_ratings(conn, scale="trajectory")
    assert _counts(measures) == {"no_progress": 3, "slippage": 1, "on_course": 11, "not_assessed": 1}


def test_service_ratings_show_the_worst_and_say_so(conn):
    services = {s.service: s for s in monitoring.service_ratings(conn, "rag").values()}
    camhs = services[CAMHS]
    assert camhs.rating.value == "red" and (camhs.measures, camhs.not_rated) == (2, 1)
    assert camhs.summary == "Red: worst of 2 measures (1 not rated)"
    assert services["Health visiting service (0-5 Healthy Child Programme)"].summary == "Amber: its only measure"
    assert services["Independent fostering agency placements (framework)"].rating.value == "amber"


def test_red_two_periods_running(conn):
    found = monitoring.red_two_periods(conn)
    services = [r.owner for r in found if r.service_id]
    assert services == [SLT, CAMHS, YOT]  # by name, the opening quote ignored
    camhs = next(r for r in found if r.owner == CAMHS)
    assert camhs.measures[0][1] == CAMHS_WAITS and camhs.measures[0][2] == ["2025-26 Q2", "2025-26 Q3"]
    others = [(r.owner_kind, r.owner) for r in found if not r.service_id]
    assert others == [("team", "Riverside Joint Commissioning Unit")]


def test_red_twice_needs_consecutive_periods(ws):
    with monitoring.query_rows(ws) as run:
        sid = run("SELECT id FROM services WHERE name = ?", ("Short breaks for disabled children (overnight and community)",))[0][0]
    change = records.create(ws, "measures", {"name": "Gappy", "service_id": sid, "target": 100, "tolerance": 1})
    records.create(ws, "measurements", {"measure_id": change.id, "period": "2025-26 Q1", "actual": 10})
    records.create(ws, "measurements", {"measure_id": change.id, "period": "2025-26 Q3", "actual": 10})
    assert not any(m[1] == "Gappy" for r in monitoring.red_two_periods(ws) for m in r.measures)
    records.create(ws, "measurements", {"measure_id": change.id, "period": "2025-26 Q2", "actual": 10})
    assert any(m[1] == "Gappy" for r in monitoring.red_two_periods(ws) for m in r.measures)


def test_action_plan_and_overdue_actions(conn):
    plan = monitoring.action_plan(conn, TODAY)
    assert [a.number for a in plan] == [str(n) for n in range(1, 14)]  # 2 before 10
    overdue = monitoring.overdue_actions(conn, TODAY)
    assert [a.number for a in overdue] == ["5", "6", "9"]
    assert overdue[0].overdue_words == "Overdue since 13/02/2026"  # due 30 days before today
    assert all(a.status != "done" for a in overdue)
    done_late = next(a for a in plan if a.number == "1")
    assert done_late.due_date < TODAY and not done_late.overdue  # done actions are never overdue


def test_an_action_without_a_due_date_is_due_at_its_board_report(ws):
    records.create(ws, "actions", {"number": "20", "action": "Report only", "report_to_board": date(2026, 3, 1)})
    records.create(ws, "actions", {"number": "21", "action": "Due today", "due_date": TODAY})
    overdue = {a.number: a for a in monitoring.overdue_actions(ws, TODAY)}
    assert overdue["20"].overdue_words == "Overdue since 01/03/2026"
    assert "21" not in overdue  # due today is not yet overdue


def test_risk_register(conn):
    risks = monitoring.risk_register(conn)
    assert [r.score for r in risks] == [20, 16, 12, 12, 9, 9, 6]
    camhs = risks[1]
    assert (camhs.likelihood, camhs.impact, camhs.level) == (4, 4, "very high")
    assert camhs.trend == "rising" and camhs.trend_words == "Rising (was 12)"
    assert camhs.owner and camhs.links_words == f"Service: {CAMHS}"
    assert {r.trend for r in risks} == {"rising", "falling", "steady"}
    assert monitoring.trend_of(9, None) == ("new", "New (no earlier score)")
    assert [monitoring.risk_level(s) for s in (4, 5, 9, 10, 14, 15, 25)] == [
        "low", "medium", "medium", "high", "high", "very high", "very high"]


def test_reviews_due(conn):
    due = monitoring.reviews_due(conn, TODAY, 30)
    kinds = {r.kind for r in due}
    assert kinds == {"risk", "contract", "agreement"}
    assert [r.review_date for r in due] == sorted(r.review_date for r in due)
    risks = [r for r in due if r.kind == "risk"]
    # Reviews 14, 20 and 30 days ahead are due; 45 days ahead is not yet.
    assert [r.days for r in risks] == [14, 20, 30]
    assert risks[0].words == "Review due 29/03/2026 (in 14 days)"
    late = [r for r in due if r.overdue]
    assert late and late[0].words.startswith("Review overdue since ")
    assert len(monitoring.reviews_due(conn, TODAY, 13)) == len(due) - 3


def test_contracts_ending_reuse_the_service_map(conn):
    from cypdesk.services.service_map import outcome_map

    ending, expired = monitoring.contracts_ending(conn, TODAY)
    found = outcome_map(conn, today=TODAY)
    assert ending == found.contracts_ending and expired == found.contracts_expired
    assert {c.within for c in ending} <= {6, 12}


# --- operations ---------------------------------------------------------------------------------------

def _service(ws, name):
    with monitoring.query_rows(ws) as run:
        return run("SELECT id FROM services WHERE name = ?", (name,))[0][0]


def test_start_an_action_for_a_service_red_twice(ws):
    sid = _service(ws, CAMHS)
    suggestion = monitoring_edit.suggest_action(ws, sid, TODAY)
    assert suggestion["number"] == "14" and CAMHS in suggestion["action"]
    assert CAMHS_WAITS in suggestion["action"] and suggestion["due_date"] == date(2026, 4, 12)
    change = monitoring_edit.start_action_for(ws, sid, today=TODAY)
    assert (change.op, change.kind) == ("create", "actions")
    row = records.get(ws, "actions", change.id)
    assert row["number"] == "14" and row["status"] == "not_started"
    records.delete(ws, "actions", change.id)  # what undo does
    assert monitoring_edit.next_action_number(ws) == "14"


def test_start_an_action_with_the_officers_values(ws):
    sid = _service(ws, SLT)
    change = monitoring_edit.start_action_for(ws, sid, {"number": "14a", "action": "Meet the provider"})
    assert records.get(ws, "actions", change.id)["action"] == "Meet the provider"


def test_start_a_decommissioning_record(ws):
    sid = _service(ws, YOT)
    change = monitoring_edit.start_decommissioning_for(ws, sid)
    assert (change.op, change.kind) == ("create", "decommissioning")
    row = records.get(ws, "decommissioning", change.id)
    assert row["service_id"] == sid and row["status"] == "considering"
    assert "red for two periods running" in row["rationale"]


def test_save_actual_adds_or_updates_the_period(ws):
    waits = _by_name(monitoring.measure_ratings(ws), CAMHS_WAITS)
    change = monitoring_edit.save_actual(ws, waits.id, {"period": "2025-26 Q3", "actual": "93"})
    assert change.op == "update" and change.before == {"actual": 78.2}
    assert _by_name(monitoring.measure_ratings(ws), CAMHS_WAITS).rating.value == "green"
    change = monitoring_edit.save_actual(ws, waits.id, {"period": "Q4 2025-26", "actual": "80", "commentary": "Down"})
    assert change.op == "create"
    again = _by_name(monitoring.measure_ratings(ws), CAMHS_WAITS)
    assert len(again.history) == 9 and again.latest.label == "2025-26 Q4" and again.rating.value == "red"
    with pytest.raises(ValidationError):
        monitoring_edit.save_actual(ws, waits.id, {"period": "not a period", "actual": "1"})


def test_set_rating_scale_is_recorded_and_reversible(ws):
    assert monitoring.document_scale(ws) == "rag"
    change = monitoring_edit.set_rating_scale(ws, "trajectory")
    assert change.before == {"rating_scale": "rag"} and change.after == {"rating_scale": "trajectory"}
    assert monitoring.document_scale(ws) == "trajectory" and ws.doc.dirty
    with monitoring.query_rows(ws) as run:
        history = run("SELECT old_value, new_value FROM history WHERE table_name = 'document' AND field = 'rating_scale'")
    assert history == [('"rag"', '"trajectory"')]
    assert monitoring.measure_ratings(ws)[0].rating.scale == "trajectory"  # the document's scale by default
    assert not monitoring_edit.set_rating_scale(ws, "trajectory").after  # no change, nothing recorded
    monitoring_edit.set_rating_scale(ws, "rag")
    assert monitoring.document_scale(ws) == "rag"
    with pytest.raises(UsageError):
        monitoring_edit.set_rating_scale(ws, "traffic lights")


def test_export_rows(tmp_path):
    from cypdesk.io.xlsx import read_csv

    result = monitoring_edit.export_rows(tmp_path / "plan.csv", "Action plan", ["No.", "Due"], [["1", date(2026, 3, 1)]])
    assert result["rows"] == 1
    assert list(read_csv(tmp_path / "plan.csv"))[0] == ["No.", "Due"]
    assert monitoring_edit.export_rows(tmp_path / "plan.xlsx", "Action plan", ["No."], [["1"]])["rows"] == 1
    with pytest.raises(UsageError):
        monitoring_edit.export_rows(tmp_path / "plan.pdf", "Action plan", ["No."], [])


def test_set_rating_scale_on_a_new_document(tmp_path):
    from cypdesk.model.document import Document

    doc = Document.new()
    try:
        ws = Workspace(doc, ALICE)
        assert monitoring.document_scale(ws) == "rag"
        change = monitoring_edit.set_rating_scale(ws, "trajectory")
        assert change.before == {"rating_scale": "rag"}
        assert monitoring.document_scale(ws) == "trajectory"
    finally:
        doc.close(discard=True)
