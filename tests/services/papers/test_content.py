"""A paper's content from the document: a draft from today's data, a final paper from
its snapshot, the provider-safe version through redact_doc on every outward path
(case 72), and the meeting pack."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from cypdesk.common.errors import RecordNotFound
from cypdesk.common.paperdoc import PaperDoc, Table, plain_text
from cypdesk.services import outward, records
from cypdesk.services.papers import content, redact
from cypdesk.services.papers.appendices import build_appendix

from .conftest import TODAY, id_of

NOW = datetime(2026, 3, 15, 9, 30, tzinfo=timezone.utc)
DRAFT = "Joint commissioning strategy: progress and forward plan"
FINAL = "Joint commissioning strategy: update"


def test_a_draft_paper_holds_its_header_recommendations_sections_and_appendices_from_the_data(conn):
    pid = id_of(conn, "papers", "title = ?", DRAFT)
    doc = content.build_paper_doc(conn, pid, now=NOW, today=TODAY)
    board, held = conn.execute("SELECT m.board, m.held_on FROM papers p JOIN meetings m ON m.id = p.meeting_id "
                               "WHERE p.id = ?", (pid,)).fetchone()
    assert (doc.title, doc.board, doc.meeting_date.isoformat(), doc.status) == (DRAFT, board, held, "draft")
    assert doc.agenda_item == "4" and doc.marking == "OFFICIAL" and doc.data_taken_at == NOW
    assert doc.trust_name == "Riverside Children's Trust"
    contact = conn.execute("SELECT name, phone, email FROM people WHERE id = (SELECT contact_id FROM papers "
                           "WHERE id = ?)", (pid,)).fetchone()
    assert (doc.contact.name, doc.contact.phone, doc.contact.email) == contact
    assert [r.text for r in doc.recommendations] == [r[0] for r in conn.execute(
        "SELECT text FROM recommendations WHERE paper_id = ? ORDER BY number", (pid,))]
    sections = conn.execute("SELECT key, heading FROM paper_sections WHERE paper_id = ? ORDER BY position",
                            (pid,)).fetchall()
    assert [(s.key, s.heading) for s in doc.sections] == sections
    assert "Specialist CAMHS has been rated red" in "\n".join(plain_text(s.blocks) for s in doc.sections)
    assert [(a.letter, a.kind) for a in doc.appendices] == [("A", "action_plan"), ("B", "performance"),
                                                            ("C", "risks"), ("D", "pooled_budgets")]
    expected = build_appendix(conn, {"letter": "A", "kind": "action_plan", "title": "Action plan progress",
                                     "options": None}, today=TODAY)
    assert doc.appendices[0].items == expected.items
    assert PaperDoc.from_json(doc.to_json()) == doc


def test_the_documents_small_number_threshold_suppresses_the_papers_counts(wconn):
    wconn.execute("UPDATE document SET small_number_threshold = 50")
    wconn.commit()
    pid = id_of(wconn, "papers", "title LIKE 'Children and young people''s needs assessment%'")
    doc = content.build_paper_doc(wconn, pid, now=NOW, today=TODAY)
    table = next(i for i in doc.appendices[0].items if isinstance(i, Table))
    counts = [r.cells[table.column_index("count")] for r in table.rows]
    assert any(c.suppressed for c in counts)
    assert all(c.suppressed or c.value is None or c.value == 0 or c.value >= 50 for c in counts)


def test_a_missing_paper_or_meeting_is_refused_in_plain_words(conn):
    with pytest.raises(RecordNotFound, match="no board paper with the id 'nope'"):
        content.build_paper_doc(conn, "nope")
    with pytest.raises(RecordNotFound, match="no meeting with the id 'nope'"):
        content.build_meeting_pack(conn, "nope")


# --- final papers: the snapshot --------------------------------------------------------------------

def _freeze(ws, pid):
    """Store the paper's content as its snapshot and mark it final (what finalise does)."""
    from cypdesk.model.monitoring import Paper
    from cypdesk.model.papers import PaperSnapshot

    doc = content.build_paper_doc(ws, pid, now=NOW, today=TODAY)
    with ws.write() as session:
        session.add(PaperSnapshot(paper_id=pid, taken_at=NOW.replace(tzinfo=None), content=doc.to_json(),
                                  content_version=1))
        session.get(Paper, pid).status = "final"
    return doc


def test_a_final_paper_prints_its_snapshot_not_todays_data(ws):
    with ws.read() as session:
        pid = session.connection().exec_driver_sql("SELECT id FROM papers WHERE title = ?", (DRAFT,)).scalar()
        action = session.connection().exec_driver_sql("SELECT id FROM actions ORDER BY number LIMIT 1").scalar()
    frozen = _freeze(ws, pid)
    records.update(ws, "actions", action, {"progress": "Changed after the meeting"})
    later = content.build_paper_doc(ws, pid, now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert later.appendices == frozen.appendices and later.sections == frozen.sections
    assert "Changed after the meeting" not in later.to_json()
    assert later.data_taken_at == NOW and later.status == "final"


def test_a_final_paper_shows_the_boards_decisions_recorded_after_the_meeting(ws):
    with ws.read() as session:
        pid = session.connection().exec_driver_sql("SELECT id FROM papers WHERE title = ?", (DRAFT,)).scalar()
        rec = session.connection().exec_driver_sql(
            "SELECT id FROM recommendations WHERE paper_id = ? AND number = 1", (pid,)).scalar()
    frozen = _freeze(ws, pid)
    assert frozen.recommendations[0].decision is None
    records.update(ws, "recommendations", rec, {"decision": "agreed", "decision_note": "Unanimous",
                                                "text": "Words changed later"})
    later = content.build_paper_doc(ws, pid)
    first = later.recommendations[0]
    assert (first.decision, first.decision_note) == ("agreed", "Unanimous")
    assert first.text == frozen.recommendations[0].text


def test_building_inside_a_write_sees_that_writes_own_changes(ws):
    """finalise builds the content inside its own transaction: reading through the
    session sees the edit it has not committed yet."""
    with ws.read() as session:
        pid = session.connection().exec_driver_sql("SELECT id FROM papers WHERE title = ?", (DRAFT,)).scalar()
    with ws.write() as session:
        session.connection().exec_driver_sql("UPDATE papers SET title = 'Renamed in the transaction' WHERE id = ?",
                                             (pid,))
        doc = content.build_paper_doc(session, pid, now=NOW, today=TODAY)
        session.rollback()
    assert doc.title == "Renamed in the transaction"


# --- the provider-safe version on every outward path (case 72) -------------------------------------------

@pytest.fixture
def spy(monkeypatch):
    """Records each call of redact_doc (as content calls it) and of outward's rule."""
    calls = {"redact": [], "withholds": 0, "leaves_out": 0}
    real_redact, real_withholds, real_leaves = redact.redact_doc, outward.withholds, outward.leaves_out

    def redact_spy(doc, partner):
        calls["redact"].append((doc.paper_id, partner))
        return real_redact(doc, partner)

    def withholds_spy(**kw):
        calls["withholds"] += 1
        return real_withholds(**kw)

    def leaves_spy(**kw):
        calls["leaves_out"] += 1
        return real_leaves(**kw)

    monkeypatch.setattr(content, "redact_doc", redact_spy)
    monkeypatch.setattr(outward, "withholds", withholds_spy)
    monkeypatch.setattr(outward, "leaves_out", leaves_spy)
    return calls


def _partner(conn_or_ws, name="Vale Partnership NHS Foundation Trust"):
    return outward.Partner("org-x", name)


def test_a_drafts_partner_version_goes_through_redact_doc_and_outwards_rule(conn, spy):
    pid = id_of(conn, "papers", "title = ?", DRAFT)
    partner = _partner(conn)
    doc = content.build_paper_doc(conn, pid, partner=partner, now=NOW, today=TODAY)
    assert spy["redact"] == [(pid, partner)]
    assert spy["withholds"] > 0 and spy["leaves_out"] > 0
    assert doc.contact is None and doc.for_partner == partner.name


def test_a_final_papers_partner_version_is_redacted_from_its_snapshot(ws, spy):
    with ws.read() as session:
        pid = session.connection().exec_driver_sql("SELECT id FROM papers WHERE title = ?", (DRAFT,)).scalar()
        key = session.connection().exec_driver_sql(
            "SELECT id FROM paper_sections WHERE paper_id = ? AND key = 'financial'", (pid,)).scalar()
    records.update(ws, "paper_sections", key, {"confidential": True, "body": "SENTINEL-RATE-4417"})
    full = _freeze(ws, pid)
    assert "SENTINEL-RATE-4417" in full.to_json()
    safe = content.build_paper_doc(ws, pid, partner=_partner(ws))
    assert spy["redact"] and spy["redact"][-1][0] == pid
    assert "SENTINEL-RATE-4417" not in safe.to_json() and "financial" not in [s.key for s in safe.sections]
    assert safe.contact is None and full.contact is not None


def test_a_meeting_packs_partner_version_redacts_every_paper(conn, spy):
    meeting = conn.execute("SELECT meeting_id FROM papers WHERE title = ?", (DRAFT,)).fetchone()[0]
    partner = _partner(conn)
    pack = content.build_meeting_pack(conn, meeting, partner=partner, today=TODAY, now=NOW)
    papers = [r[0] for r in conn.execute("SELECT id FROM papers WHERE meeting_id = ?", (meeting,))]
    assert sorted(p for p, _ in spy["redact"]) == sorted(papers)
    assert all(p is partner for _, p in spy["redact"])
    assert pack.for_partner == partner.name and all(i.doc.contact is None for i in pack.items)


def test_the_meeting_pack_holds_the_meetings_papers_in_agenda_order(conn):
    meeting = conn.execute("SELECT meeting_id FROM papers WHERE title = ?", (DRAFT,)).fetchone()[0]
    pack = content.build_meeting_pack(conn, meeting, today=TODAY, now=NOW)
    expected = sorted(conn.execute("SELECT agenda_item, title FROM papers WHERE meeting_id = ?", (meeting,)),
                      key=lambda r: int(r[0]))
    assert [(i.agenda_item, i.title) for i in pack.items] == [tuple(r) for r in expected]
    assert pack.board == conn.execute("SELECT board FROM meetings WHERE id = ?", (meeting,)).fetchone()[0]
    assert all(i.doc is not None and i.doc.title == i.title for i in pack.items)
    json.loads(pack.to_json())


def test_a_partners_paper_holds_no_other_partners_contract_value_planted_in_the_data(ws):
    """Case 62 end to end: sentinel annual values on every contract, a contracts-ending
    appendix on the paper; the provider's version holds its own values only."""
    with ws.read() as session:
        db = session.connection()
        pid = db.exec_driver_sql("SELECT id FROM papers WHERE title = ?", (DRAFT,)).scalar()
        contracts = db.exec_driver_sql(
            "SELECT c.id, s.provider_id, o.name FROM contracts c JOIN services s ON s.id = c.service_id "
            "JOIN organisations o ON o.id = s.provider_id ORDER BY c.end_date").all()
    for n, (cid, _p, _name) in enumerate(contracts):
        records.update(ws, "contracts", cid, {"annual_value": 612000 + 7919 * n})
    from cypdesk.model.monitoring import Appendix

    with ws.write() as session:  # what compose.add_appendix stores
        session.add(Appendix(paper_id=pid, letter="E", kind="contracts_ending", title="Contracts ending",
                             options=json.dumps({"within_days": 366})))
    full = content.build_paper_doc(ws, pid, now=NOW, today=TODAY)
    shown = [r for item in full.appendices[-1].items for r in item.rows]
    provider = next(p for _c, p, _n in contracts if any(p in r.owners for r in shown))
    name = next(n for _c, p, n in contracts if p == provider)
    safe = content.build_paper_doc(ws, pid, partner=outward.Partner(provider, name), now=NOW, today=TODAY)
    text = safe.to_json()
    own = {r.cells[-1].value for r in shown if provider in r.owners}
    others = {r.cells[-1].value for r in shown if provider not in r.owners}
    assert own and others
    for value in others:
        assert f"{value:,.0f}" not in text and f"{value:g}" not in text
    for value in own:
        assert f"{value:,.0f}" in text
