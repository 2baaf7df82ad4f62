"""The forward plan (issue 10 item 2) and the list of papers, on the demo (today fixed
at 15/03/2026): upcoming meetings only, each with its planned items and papers (a
paper an item names shown once), key decisions flagged, items without a meeting last;
planned items added, changed and removed through records (history, undo)."""

from __future__ import annotations

from datetime import date

from cypdesk.services import records
from cypdesk.services.demo_data import _uid
from cypdesk.services.papers import compose
from cypdesk.services.papers.forward_plan import add_item, forward_plan, remove_item, update_item
from cypdesk.services.papers.listing import agenda_sort_key, list_papers

TODAY = date(2026, 3, 15)


def test_the_forward_plan_lists_upcoming_meetings_with_papers_and_planned_items(conn):
    plan = forward_plan(conn, TODAY)
    assert [m.meeting_id for m in plan] == [_uid("meetings", "next"), _uid("meetings", "later")]
    assert all(m.held_on >= TODAY for m in plan) and plan[0].held_on < plan[1].held_on
    upcoming = plan[0]
    titles = [e.title for e in upcoming.entries]
    # the item naming paper 3 is shown once, with its paper; paper 4 has no item and is listed as written
    assert titles.count("Joint commissioning strategy: progress and forward plan") == 1
    written = next(e for e in upcoming.entries if e.title.startswith("Joint commissioning strategy"))
    assert written.item_id and written.paper_id == _uid("papers", "p3") and written.paper_status == "draft"
    alone = next(e for e in upcoming.entries if e.paper_id == _uid("papers", "p4"))
    assert alone.item_id is None and alone.status == "written"
    award = next(e for e in upcoming.entries if e.title.startswith("Online counselling"))
    assert award.key_decision and award.paper_id is None and award.status == "planned" and award.lead
    assert written.key_decision and not alone.key_decision and upcoming.key_decisions == 2
    assert plan[1].key_decisions == 1  # the short breaks statement is deferred and not a key decision


def test_planned_items_are_added_changed_and_removed_with_history(ws):
    later = _uid("meetings", "later")
    item = add_item(ws, {"title": "Youth justice plan", "meeting_id": later, "key_decision": "yes"})
    plan = forward_plan(ws, TODAY)
    assert any(e.item_id == item and e.key_decision for e in plan[1].entries)
    update_item(ws, item, {"meeting_id": None, "status": "deferred"})
    unscheduled = forward_plan(ws, TODAY)[-1]
    assert unscheduled.meeting_id is None and [e.item_id for e in unscheduled.entries] == [item]
    change = remove_item(ws, item)
    assert not any(e.item_id == item for m in forward_plan(ws, TODAY) for e in m.entries)
    records.restore(ws, change)
    assert {h["op"] for h in records.history(ws, "forward_plan_items", item)} >= {"insert", "update", "delete"}


def test_a_reopened_papers_latest_version_alone_is_in_the_plan(ws):
    pid = _uid("papers", "p3")
    compose.finalise(ws, pid)
    draft = compose.reopen(ws, pid)
    entries = forward_plan(ws, TODAY)[0].entries
    assert [e.paper_id for e in entries if e.paper_id in (pid, draft)] == [draft]


def test_papers_are_listed_by_meeting_date_then_agenda_item():
    assert sorted(["10", "5b", "5", "", "2", "5a", None], key=agenda_sort_key) == ["2", "5", "5a", "5b", "10", "", None]


def test_the_list_of_papers_holds_every_paper_with_its_meeting(conn):
    listed = list_papers(conn)
    assert [(p.agenda_item, p.status, p.version) for p in listed] == [
        ("5", "final", 1), ("6", "final", 1), ("4", "draft", 1), ("5", "draft", 1)]
    assert listed[0].title == "Joint commissioning strategy: update" and listed[0].meeting_date < TODAY
    assert listed[1].key_decision and listed[0].to_dict()["meeting_date"] == listed[0].meeting_date.isoformat()
