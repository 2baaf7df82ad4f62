"""Model rules across a merge (rules.py): a merge that would break commissioners'
shares totalling 100%, make a team report in a loop, or leave a reference to a
deleted record is done without the records involved, which keep this document's
values, and each is listed as a "rule" conflict (in the result and the conflicts
table). Real documents from the demo, edited through the services."""

from contextlib import ExitStack

import pytest

from cypdesk.services import records
from cypdesk.services.service_edit import set_commissioners
from tests.services.exchange.engine_kit import ALICE, BOB, Docs, merge, one, rows


@pytest.fixture
def docs(demo_path, tmp_path):
    with ExitStack() as stack:
        yield Docs(demo_path, tmp_path, stack)


def _shares(ws, sid):
    return sorted(rows(ws, "SELECT organisation_id, share_pct FROM service_commissioners WHERE service_id = ?", sid))


def _base_with_two_commissioners(docs):
    base = docs.open(ALICE)
    sid = rows(base, "SELECT id FROM services ORDER BY id")[0][0]
    orgs = [r[0] for r in rows(base, "SELECT id FROM organisations ORDER BY id")[:5]]
    set_commissioners(base, sid, [(orgs[0], 50), (orgs[1], 50)])
    return docs.snap(base), sid, orgs


def test_shares_no_longer_totalling_100_keep_ours_and_are_a_rule_conflict(docs):
    """A: 40/50 and a third partner at 10; B (later): 30/50 and a fourth at 20. Taking
    B's 30 and adding the fourth would total 110%: A keeps its own shares exactly, the
    result lists a rule conflict for the service, and the conflicts table holds it."""
    base, sid, o = _base_with_two_commissioners(docs)
    a, b = docs.open(ALICE, source=base), docs.open(BOB, source=base)
    set_commissioners(a, sid, [(o[0], 40), (o[1], 50), (o[2], 10)])
    set_commissioners(b, sid, [(o[0], 30), (o[1], 50), (o[3], 20)])
    ours = _shares(a, sid)
    plan, result = merge(a, docs.snap(b))
    assert _shares(a, sid) == ours
    rule = [c for c in result.conflicts if c.kind == "rule"]
    assert [(c.table, c.record_id, c.rule_choice) for c in rule] == [("services", sid, "ours")]
    assert "110%" in rule[0].reason
    assert one(a, "SELECT kind, resolution FROM conflicts WHERE record_id = ?", sid) == ("rule", None)
    assert result.counts["conflicts"] == len(plan.conflicts) + 1 and result.counts["rejected"] == 2
    merge(a, docs.snap(b))  # the same file again: the open conflict is not listed twice
    assert one(a, "SELECT count(*) FROM conflicts WHERE record_id = ?", sid) == (1,)
    assert _shares(a, sid) == ours


def test_a_team_reporting_loop_keeps_ours(docs):
    """A makes team 1 report to team 2; B makes team 2 report to team 1. Merging B's
    change would make a loop: A keeps team 2's reporting and lists a rule conflict."""
    base = docs.open(ALICE)
    t1, t2 = (r[0] for r in rows(base, "SELECT id FROM teams ORDER BY id")[:2])
    records.update(base, "teams", t1, {"reports_to_id": None})
    records.update(base, "teams", t2, {"reports_to_id": None})
    start = docs.snap(base)
    a, b = docs.open(ALICE, source=start), docs.open(BOB, source=start)
    records.update(a, "teams", t1, {"reports_to_id": t2})
    records.update(b, "teams", t2, {"reports_to_id": t1})
    _plan, result = merge(a, docs.snap(b))
    assert one(a, "SELECT reports_to_id FROM teams WHERE id = ?", t2) == (None,)
    assert one(a, "SELECT reports_to_id FROM teams WHERE id = ?", t1) == (t2,)
    assert [(c.kind, c.table) for c in result.conflicts] == [("rule", "teams")]
    assert "loop" in result.conflicts[0].reason


def test_their_deletion_of_a_service_we_gave_a_new_commissioner_keeps_ours(docs):
    """A adds a third commissioner to a service (rebalancing the shares); B then deletes
    the service. Deleting it would leave A's new share pointing at nothing (and, after
    that, shares not totalling 100%): the service and all its shares stay as A has them,
    listed as rule conflicts."""
    base, sid, o = _base_with_two_commissioners(docs)
    a, b = docs.open(ALICE, source=base), docs.open(BOB, source=base)
    set_commissioners(a, sid, [(o[0], 50), (o[1], 40), (o[2], 10)])
    records.delete(b, "services", sid)
    ours = _shares(a, sid)
    _plan, result = merge(a, docs.snap(b))
    assert one(a, "SELECT count(*) FROM services WHERE id = ?", sid) == (1,)
    assert _shares(a, sid) == ours
    rule = [c for c in result.conflicts if c.kind == "rule"]
    assert rule and all(c.rule_choice == "ours" for c in rule)
    assert any("no longer exists" in c.reason for c in rule)


def test_rule_conflicts_are_known_before_accepting_and_the_preview_writes_nothing(docs):
    """rule_conflicts (for the window's preview) names the same rule conflict the apply
    then lists, and leaves the document's bytes as they were; choosing "ours" for the
    conflicting share does not cure it (B's added fourth share would still make 120%)."""
    import hashlib

    from cypdesk.services.exchange.apply import apply_merge, rule_conflicts
    from cypdesk.services.exchange.plan import plan_merge

    base, sid, o = _base_with_two_commissioners(docs)
    a, b = docs.open(ALICE, source=base), docs.open(BOB, source=base)
    set_commissioners(a, sid, [(o[0], 40), (o[1], 50), (o[2], 10)])
    set_commissioners(b, sid, [(o[0], 30), (o[1], 50), (o[3], 20)])
    b0 = docs.snap(b)
    plan = plan_merge(a, b0)
    before = hashlib.sha256(a.doc.working_path.read_bytes()).hexdigest()
    preview = rule_conflicts(a, b0, plan)
    assert hashlib.sha256(a.doc.working_path.read_bytes()).hexdigest() == before
    assert [(c.kind, c.record_id) for c in preview] == [("rule", sid)]
    [field_conflict] = [c for c in plan.conflicts if c.kind == "field"]
    still = rule_conflicts(a, b0, plan, {field_conflict.key: "ours"})
    assert [(c.kind, c.record_id) for c in still] == [("rule", sid)] and "120%" in still[0].reason
    result = apply_merge(a, b0, plan, backup=False)
    assert [c.key for c in result.conflicts if c.kind == "rule"] == [c.key for c in preview]
