"""Composing board papers (issue 10 items 1, 2 and 4's finalise/reopen) through the
services, on a copy of the demo: every write goes through a tracked transaction
(history names the author), a final paper refuses every edit of its content while
the board's decisions may still be recorded, and reopening makes a new draft version
with both kept."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from cypdesk.common.errors import PaperIsFinal, RecordNotFound, ValidationError
from cypdesk.common.paperdoc import PaperDoc
from cypdesk.model.base import link_id
from cypdesk.services import records
from cypdesk.services.demo_data import _uid
from cypdesk.services.papers import compose, content, templates
from cypdesk.services.papers.listing import list_papers

PAST_FINAL = _uid("papers", "p1")  # the demo's seed-004-like paper, final, with decisions
NEXT_DRAFT = _uid("papers", "p3")
NEXT_MEETING = _uid("meetings", "next")
NOW = datetime(2026, 3, 15, 10, 30)


def query(ws, sql, *params):
    with ws.read() as session:
        return [tuple(r) for r in session.connection().exec_driver_sql(sql, params)]


def sections_of(ws, paper_id):
    return query(ws, "SELECT key, heading, position, body, confidential FROM paper_sections WHERE paper_id = ? "
                     "ORDER BY position", paper_id)


def history_count(ws):
    return query(ws, "SELECT count(*) FROM history")[0][0]


# --- templates and new papers -------------------------------------------------------------

def test_a_new_paper_is_a_draft_with_the_default_templates_sections_in_order(ws):
    pid = compose.new_paper(ws, NEXT_MEETING, "Short breaks statement", agenda_item="7",
                            purpose="To approve the statement.\n\n<img src=x onerror=alert(1)>", key_decision=True)
    row = query(ws, "SELECT status, version, template_id, agenda_item, purpose, key_decision FROM papers WHERE id = ?",
                pid)[0]
    assert row[:4] == ("draft", 1, templates.DEFAULT_TEMPLATE_ID, "7") and row[5] == 1
    assert row[4] == "To approve the statement.\n\n\\<img src=x onerror=alert(1)>"  # cleaned; the tag is text
    assert [(k, h, p) for k, h, p, _b, _c in sections_of(ws, pid)] == [
        (s["key"], s["heading"], n) for n, s in enumerate(templates.DEFAULT_SECTIONS)]
    assert {h["op"] for h in records.history(ws, "papers", pid)} == {"insert"}
    assert records.history(ws, "papers", pid)[0]["author"] == "alice on COUNCIL-LAPTOP"


def test_the_default_template_is_written_once_the_first_time_it_is_needed(ws):
    with ws.write() as session:
        session.connection().exec_driver_sql("DELETE FROM paper_templates")
    assert templates.list_templates(ws) == []
    first = templates.ensure_default_template(ws)
    second = templates.ensure_default_template(ws)
    assert first == second == templates.DEFAULT_TEMPLATE_ID
    listed = templates.list_templates(ws)
    assert len(listed) == 1 and listed[0].is_default and listed[0].sections == list(templates.DEFAULT_SECTIONS)


def test_a_saved_template_chooses_names_and_orders_a_new_papers_sections(ws):
    tid = templates.save_template(ws, "Short update", [("summary", "Summary"), {"key": "next-steps", "heading": "Next  steps"}])
    pid = compose.new_paper(ws, None, "Update", template_id=tid)
    assert [(k, h) for k, h, *_ in sections_of(ws, pid)] == [("summary", "Summary"), ("next-steps", "Next steps")]
    templates.save_template(ws, "Short update", [("summary", "Summary")], id=tid, is_default=True)
    assert [t.id for t in templates.list_templates(ws) if t.is_default] == [tid]
    templates.remove_template(ws, tid)
    assert query(ws, "SELECT template_id FROM papers WHERE id = ?", pid) == [(None,)]
    assert [(k, h) for k, h, *_ in sections_of(ws, pid)] == [("summary", "Summary"), ("next-steps", "Next steps")]
    for bad in ([], [("Bad Key", "x")], [("a", "x"), ("a", "y")], [("a", "")]):
        with pytest.raises(ValidationError):
            templates.save_template(ws, "Broken", bad)


def test_a_paper_for_a_meeting_that_does_not_exist_is_refused(ws):
    before = history_count(ws)
    with pytest.raises(RecordNotFound):
        compose.new_paper(ws, "no-such-meeting", "Lost paper")
    with pytest.raises(ValidationError):
        compose.new_paper(ws, NEXT_MEETING, "Sneaky", status="final")
    assert history_count(ws) == before


# --- editing a draft ------------------------------------------------------------------------

def test_updating_a_draft_records_what_changed_and_refuses_workflow_fields(ws):
    change = compose.update_paper(ws, NEXT_DRAFT, {"title": "Progress & forward plan <b>", "agenda_item": "4a"})
    assert change.op == "update" and set(change.after) == {"title", "agenda_item"}
    assert change.before["agenda_item"] == "4"
    assert query(ws, "SELECT title FROM papers WHERE id = ?", NEXT_DRAFT)[0][0] == "Progress & forward plan <b>"
    assert {h["field"] for h in records.history(ws, "papers", NEXT_DRAFT) if h["op"] == "update"} >= {"title", "agenda_item"}
    for field in ("status", "version", "finalised_at"):
        with pytest.raises(ValidationError):
            compose.update_paper(ws, NEXT_DRAFT, {field: "final" if field == "status" else 2})
    with pytest.raises(ValidationError):
        compose.update_paper(ws, NEXT_DRAFT, {"marking": "top secret"})
    for field in ("meeting_id", "contact_id", "template_id"):
        with pytest.raises(RecordNotFound, match="no-such-id"):
            compose.update_paper(ws, NEXT_DRAFT, {field: "no-such-id"})


def test_sections_are_set_added_after_a_key_moved_and_removed_with_undo(ws):
    pid = compose.new_paper(ws, NEXT_MEETING, "Sections")
    change = compose.set_section(ws, pid, "background", body="# Why\n\n- **one**\n- <script>", confidential=True)
    assert change.after["body"] == "# Why\n\n- **one**\n- \\<script>" and change.after["confidential"] is True
    key = compose.add_section(ws, pid, "Appendix notes", after_key="background")
    key2 = compose.add_section(ws, pid, "Last words")
    assert (key, key2) == ("section-1", "section-2")
    keys = [k for k, *_ in sections_of(ws, pid)]
    assert keys[:3] == ["reasons", "background", "section-1"] and keys[-1] == "section-2"
    assert [p for _k, _h, p, *_ in sections_of(ws, pid)] == list(range(len(keys)))
    order = compose.move_section(ws, pid, "section-2", 0)
    assert order[0] == "section-2" and [k for k, *_ in sections_of(ws, pid)] == order
    removed = compose.remove_section(ws, pid, "background")
    assert "background" not in [k for k, *_ in sections_of(ws, pid)]
    assert query(ws, "SELECT count(*) FROM tombstones WHERE record_id = ?", removed.id)[0][0] == 1
    records.restore(ws, removed)  # what the window's undo does
    restored = [s for s in sections_of(ws, pid) if s[0] == "background"]
    assert restored and restored[0][3] == "# Why\n\n- **one**\n- \\<script>" and restored[0][4] == 1
    with pytest.raises(RecordNotFound):
        compose.set_section(ws, pid, "no-such-key", body="x")


def test_recommendations_are_numbered_next_and_renumbered_when_one_goes(ws):
    pid = compose.new_paper(ws, NEXT_MEETING, "Recs")
    ids = [compose.add_recommendation(ws, pid, f"The Board agrees {n}.") for n in range(1, 4)]
    assert query(ws, "SELECT number FROM recommendations WHERE paper_id = ? ORDER BY number", pid) == [(1,), (2,), (3,)]
    compose.update_recommendation(ws, ids[2], {"text": "The Board notes."})
    compose.remove_recommendation(ws, ids[0])
    assert query(ws, "SELECT id, number, text FROM recommendations WHERE paper_id = ? ORDER BY number", pid) == [
        (ids[1], 1, "The Board agrees 2."), (ids[2], 2, "The Board notes.")]
    with pytest.raises(ValidationError):
        compose.update_recommendation(ws, ids[1], {"decision": "agreed"})  # decisions through record_decision
    removed = compose.remove_recommendation(ws, ids[1])
    compose.restore_recommendation(ws, removed)  # the window's undo
    assert query(ws, "SELECT id, number FROM recommendations WHERE paper_id = ? ORDER BY number", pid) == [
        (ids[1], 1), (ids[2], 2)]


def test_appendices_take_the_next_free_letter_and_keep_their_options(ws):
    pid = compose.new_paper(ws, NEXT_MEETING, "Apps")
    a = compose.add_appendix(ws, pid, "action_plan", options={"overdue_only": True})
    b = compose.add_appendix(ws, pid, "contracts_ending", title="Contracts ending soon", options={"within_days": 90})
    compose.remove_appendix(ws, a)
    c = compose.add_appendix(ws, pid, "risks")
    rows = dict((r[0], r[1:]) for r in query(ws, "SELECT id, letter, kind, title, options FROM appendices WHERE paper_id = ?", pid))
    assert rows[b] == ("B", "contracts_ending", "Contracts ending soon", json.dumps({"within_days": 90}))
    assert rows[c] == ("A", "risks", "Risk register", None)  # the letter A was free again
    compose.update_appendix(ws, c, {"options": {"minimum_score": 12}})
    assert json.loads(query(ws, "SELECT options FROM appendices WHERE id = ?", c)[0][0]) == {"minimum_score": 12}
    with pytest.raises(ValidationError):
        compose.update_appendix(ws, c, {"letter": "b"})
    with pytest.raises(ValidationError):
        compose.add_appendix(ws, pid, "horoscope")


# --- decisions and actions --------------------------------------------------------------------

def test_decisions_are_recorded_on_a_final_paper_and_an_agreed_one_starts_a_linked_action(ws):
    rec = query(ws, "SELECT id FROM recommendations WHERE paper_id = ? AND number = 3", PAST_FINAL)[0][0]
    change = compose.record_decision(ws, rec, "agreed", "Agreed at the meeting after.")
    assert change.before["decision"] == "deferred" and change.after["decision"] == "agreed"
    action_id = compose.start_action(ws, rec, {"owner_id": _uid("people", "Zoë O'Brien"), "due_date": "30/06/2026"})
    action = records.get(ws, "actions", action_id)
    assert action["recommendation_id"] == rec and action["due_date"] == date(2026, 6, 30)
    assert action["action"].startswith("The Board agrees to receive a fuller report")
    compose.record_decision(ws, rec, "deferred")
    with pytest.raises(ValidationError, match="agreed"):
        compose.start_action(ws, rec, {})
    with pytest.raises(ValidationError):
        compose.record_decision(ws, rec, "maybe")


# --- finalising, refusing edits, reopening --------------------------------------------------------

def test_finalise_stores_the_builders_content_and_marks_the_paper_final(ws, monkeypatch):
    """With ``content.build_paper_doc`` monkeypatched to a spy that returns the real
    builder's document: finalise calls it inside its transaction with ``now`` and
    stores what it returns, status final, as the snapshot."""
    calls = []
    real = content.build_paper_doc

    def spy(conn, paper_id, **kw):
        calls.append((paper_id, kw))
        return real(conn, paper_id, **kw)

    monkeypatch.setattr(content, "build_paper_doc", spy)
    snap = compose.finalise(ws, NEXT_DRAFT, now=NOW)
    assert calls == [(NEXT_DRAFT, {"now": NOW})]
    row = query(ws, "SELECT status, finalised_at, data_taken_at FROM papers WHERE id = ?", NEXT_DRAFT)[0]
    assert row[0] == "final" and row[1].startswith("2026-03-15 10:30") and row[2].startswith("2026-03-15 10:30")
    stored = query(ws, "SELECT id, paper_id, content FROM paper_snapshots WHERE paper_id = ?", NEXT_DRAFT)
    assert [(s[0], s[1]) for s in stored] == [(snap, NEXT_DRAFT)]
    doc = PaperDoc.from_json(stored[0][2])
    assert doc.status == "final" and doc.title == "Joint commissioning strategy: progress and forward plan"
    assert doc.data_taken_at is not None and doc.appendices  # figures from the data, frozen


def test_a_final_paper_keeps_the_figures_it_was_finalised_with_after_the_data_changes(ws):
    compose.finalise(ws, NEXT_DRAFT, now=NOW)
    frozen = content.build_paper_doc(ws, NEXT_DRAFT)
    with ws.write() as session:
        session.connection().exec_driver_sql("UPDATE actions SET progress = 'CHANGED LATER', status = 'done'")
        session.connection().exec_driver_sql("UPDATE people SET name = 'Someone Else'")
    again = content.build_paper_doc(ws, NEXT_DRAFT)
    assert again == frozen
    assert "CHANGED LATER" not in again.to_json() and "Someone Else" not in again.to_json()
    today = content.build_paper_doc(ws, compose.reopen(ws, NEXT_DRAFT))  # the new draft reads today's data
    assert "CHANGED LATER" in today.to_json() and "Someone Else" in today.to_json()


EDITS = {
    "update_paper": lambda ws, pid, rec, app: compose.update_paper(ws, pid, {"title": "Changed"}),
    "set_section": lambda ws, pid, rec, app: compose.set_section(ws, pid, "background", body="Changed"),
    "add_section": lambda ws, pid, rec, app: compose.add_section(ws, pid, "New"),
    "move_section": lambda ws, pid, rec, app: compose.move_section(ws, pid, "background", 5),
    "remove_section": lambda ws, pid, rec, app: compose.remove_section(ws, pid, "background"),
    "add_recommendation": lambda ws, pid, rec, app: compose.add_recommendation(ws, pid, "More"),
    "update_recommendation": lambda ws, pid, rec, app: compose.update_recommendation(ws, rec, {"text": "Changed"}),
    "remove_recommendation": lambda ws, pid, rec, app: compose.remove_recommendation(ws, rec),
    "add_appendix": lambda ws, pid, rec, app: compose.add_appendix(ws, pid, "risks"),
    "update_appendix": lambda ws, pid, rec, app: compose.update_appendix(ws, app, {"title": "Changed"}),
    "remove_appendix": lambda ws, pid, rec, app: compose.remove_appendix(ws, app),
    "finalise": lambda ws, pid, rec, app: compose.finalise(ws, pid, now=NOW),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_final_paper_refuses_every_edit_of_its_content_and_nothing_changes(ws, edit):
    compose.finalise(ws, NEXT_DRAFT, now=NOW)
    rec = query(ws, "SELECT id FROM recommendations WHERE paper_id = ? ORDER BY number", NEXT_DRAFT)[0][0]
    app = query(ws, "SELECT id FROM appendices WHERE paper_id = ? ORDER BY letter", NEXT_DRAFT)[0][0]
    before = history_count(ws)
    with pytest.raises(PaperIsFinal) as refused:
        EDITS[edit](ws, NEXT_DRAFT, rec, app)
    assert refused.value.code == "paper_final" and refused.value.exit_code == 1
    assert refused.value.message == ("The paper 'Joint commissioning strategy: progress and forward plan' is final; "
                                     "reopen it to make a new draft.")
    assert history_count(ws) == before


def test_reopening_makes_a_new_draft_version_and_keeps_the_final_one(ws):
    compose.record_decision(ws, query(ws, "SELECT id FROM recommendations WHERE paper_id = ? AND number = 1",
                                      PAST_FINAL)[0][0], "agreed", "Approved.")
    old_sections = sections_of(ws, PAST_FINAL)
    draft = compose.reopen(ws, PAST_FINAL)
    row = query(ws, "SELECT status, version, previous_id, title, agenda_item, finalised_at FROM papers WHERE id = ?",
                draft)[0]
    assert row == ("draft", 2, PAST_FINAL, "Joint commissioning strategy: update", "5", None)
    assert sections_of(ws, draft) == old_sections
    recs = query(ws, "SELECT number, text, decision, decision_note FROM recommendations WHERE paper_id = ? "
                     "ORDER BY number", draft)
    assert len(recs) == 3 and all(r[2] is None and r[3] is None for r in recs)
    assert query(ws, "SELECT letter, kind, options FROM appendices WHERE paper_id = ? ORDER BY letter", draft) == \
        query(ws, "SELECT letter, kind, options FROM appendices WHERE paper_id = ? ORDER BY letter", PAST_FINAL)
    assert query(ws, "SELECT status, version FROM papers WHERE id = ?", PAST_FINAL) == [("final", 1)]
    assert query(ws, "SELECT decision FROM recommendations WHERE paper_id = ? AND number = 1", PAST_FINAL) == [("agreed",)]
    compose.update_paper(ws, draft, {"title": "Joint commissioning strategy: update (revised)"})
    listed = {p.id: p for p in list_papers(ws)}
    assert (listed[PAST_FINAL].version, listed[draft].version) == (1, 2)
    with pytest.raises(ValidationError, match="already reopened as version 2"):
        compose.reopen(ws, PAST_FINAL)
    with pytest.raises(ValidationError, match="is a draft"):
        compose.reopen(ws, draft)


def test_the_demos_final_papers_show_the_snapshot_taken_when_they_were_finalised(conn):
    rows = conn.execute("SELECT p.id, p.finalised_at, p.data_taken_at, s.id, s.taken_at, s.content FROM papers p "
                        "JOIN paper_snapshots s ON s.paper_id = p.id WHERE p.status = 'final' ORDER BY p.agenda_item").fetchall()
    assert [r[0] for r in rows] == [PAST_FINAL, _uid("papers", "p2")]
    for paper_id, finalised, taken, snap_id, snap_taken, stored in rows:
        assert finalised == taken == snap_taken and snap_id == link_id("paper_snapshots", paper_id)
        doc = PaperDoc.from_json(stored)
        assert doc.status == "final" and doc.data_taken_at == datetime.fromisoformat(finalised)
        assert content.build_paper_doc(conn, paper_id) == doc
    assert not conn.execute("SELECT 1 FROM paper_snapshots s JOIN papers p ON p.id = s.paper_id "
                            "WHERE p.status = 'draft'").fetchall()
