"""A record's history as the History view shows it (services/exchange/history.py):
typed edits with the fields' labels and values as the tabs show them, the import that
created or changed a record (and its import record), a merge's rows naming the
partner file, and a merge's conflicts (what was chosen over what, or not yet). The
merge and conflict rows are written here through the tracked session as the merge
engine writes them (op "merge", a ``conflicts`` row and a ``merge_peers`` row)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest

from cypdesk.model.system import Conflict, History, MergePeer
from cypdesk.services import records
from cypdesk.services.exchange.history import record_history, record_title, show_value

ORGS = ("Name,Kind,Website\n"
        "Harbour Lights Youth Trust,voluntary,https://harbour.example\n"
        "Kestrel Family Support,voluntary,https://kestrel.example\n")


@pytest.fixture
def conn(ws):
    conn = sqlite3.connect(ws.doc.working_path)
    yield conn
    conn.close()


@pytest.fixture
def import_csv(ws, tmp_path):
    from cypdesk.services.importing import ImportOptions, open_source, run_import

    def run(name: str, text: str, kind: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return run_import(ws, open_source(path, kind=kind), ImportOptions(kind=kind))

    return run


def _a_service(conn) -> tuple[str, str]:
    return conn.execute("SELECT id, name FROM services WHERE provider_id IS NOT NULL ORDER BY name LIMIT 1").fetchone()


def test_a_typed_edit_shows_who_changed_which_field_from_what_to_what_in_the_tabs_words(ws, conn):
    """Two fields of a service changed by alice: one entry each, "Changed <label>", the
    money as £ with thousands, the provider by its name (not its id), alice as author."""
    service_id, _name = _a_service(conn)
    provider = conn.execute("SELECT id, name FROM organisations WHERE id != (SELECT provider_id FROM services "
                            "WHERE id = ?) ORDER BY name LIMIT 1", (service_id,)).fetchone()
    old_provider = conn.execute("SELECT o.name FROM services s JOIN organisations o ON o.id = s.provider_id "
                                "WHERE s.id = ?", (service_id,)).fetchone()[0]
    records.update(ws, "services", service_id, {"annual_cost": "1234567", "provider_id": provider[0]})
    entries = [e for e in record_history(conn, "services", service_id) if e.source == "edit"]
    by_field = {e.field: e for e in entries if e.stamp == entries[-1].stamp}  # one edit: one stamp
    assert by_field["annual_cost"].action == "Changed Annual cost"
    assert by_field["annual_cost"].new == "£1,234,567"
    assert by_field["provider_id"].label == "Provider"
    assert (by_field["provider_id"].old, by_field["provider_id"].new) == (old_provider, provider[1])
    assert {e.author for e in by_field.values()} == {ws.author.name}
    assert all(e.at is not None and e.when for e in by_field.values())


def test_a_record_the_demo_wrote_in_bulk_shows_its_creation_from_the_bulk_line(ws, conn):
    """A demo record has no history line of its own: its creation is the demo's
    bulk_insert line of its table (the next tick of the same clock), named as such."""
    service_id, _name = _a_service(conn)
    first = record_history(conn, "services", service_id)[0]
    assert (first.source, first.action) == ("bulk", "Created")
    assert first.detail.startswith("Demo document")


def test_an_import_shows_as_the_creation_and_the_change_of_the_records_it_wrote_naming_the_import(ws, conn, import_csv):
    """The first import creates the organisation ("Created by an import", from orgs.csv,
    with that import's record); a corrected file changes its website ("Changed Website
    by an import", with the second import's record); then a typed edit: oldest first,
    and newest first reverses it."""
    first = import_csv("orgs.csv", ORGS, "organisations")
    second = import_csv("orgs.csv", ORGS.replace("https://kestrel.example", "https://kestrel.example/new"),
                        "organisations")
    org_id = conn.execute("SELECT id FROM organisations WHERE name = 'Kestrel Family Support'").fetchone()[0]
    records.update(ws, "organisations", org_id, {"website": "https://kestrel.example/typed"})
    entries = record_history(conn, "organisations", org_id)
    assert [(e.source, e.action) for e in entries] == [
        ("import", "Created by an import"), ("import", "Changed Website by an import"), ("edit", "Changed Website")]
    created, changed, typed = entries
    assert created.import_id == first.import_id and "orgs.csv" in created.detail
    assert changed.import_id == second.import_id and changed.detail == "Imported from orgs.csv"
    assert (changed.old, changed.new) == ("https://kestrel.example", "https://kestrel.example/new")
    assert (typed.old, typed.new) == ("https://kestrel.example/new", "https://kestrel.example/typed")
    assert record_history(conn, "organisations", org_id, newest_first=True) == entries[::-1]


def test_a_merge_row_names_the_partner_file_and_a_conflict_says_what_was_chosen_over_what(ws, conn):
    """Rows as a merge writes them (services/exchange/apply.py): a field taken from the
    partner (op "merge", its note naming the partner file), a conflict the merge settled
    for this document's value (the losing value first), and ``conflicts`` rows: one
    alice settled for the partner's value (shown as chosen by her) and one not yet
    settled. Each is shown with its labels and values, the ``conflicts`` rows with the
    partner document's title, after the versions they compare."""
    service_id, _name = _a_service(conn)
    records.update(ws, "services", service_id, {"annual_cost": "500000"})
    peer = "7d1c5f0e-0000-4000-8000-00000000bee5"
    their = "0000000000000000" + "b" * 32  # a partner installation's stamp, older than ours
    with ws.write() as session:
        stamp = session.clock.tick()
        session.add(MergePeer(document_id=peer, title="Eastshire ICB plan", merges=1))
        session.add(History(hlc=stamp, at=datetime(2026, 12, 5, 9, 0), author_id=ws.author.id,
                            author_name=ws.author.name, op="merge", table_name="services", record_id=service_id,
                            record_title="x", field="capacity", old_value=json.dumps(10), new_value=json.dumps(12),
                            note="Taken from eastshire.cypshare."))
        session.add(History(hlc=stamp, author_id=ws.author.id, author_name=ws.author.name, op="merge",
                            table_name="services", record_id=service_id, record_title="x", field="annual_cost",
                            old_value=json.dumps(480000.0), new_value=json.dumps(500000.0),
                            note="Conflict with eastshire.cypshare: this document's value kept by the later "
                                 "change; their value was 480000.0."))
        session.add(Conflict(table_name="services", record_id=service_id, field="annual_cost", kind="field",
                             ours_value=json.dumps(500000.0), theirs_value=json.dumps(480000.0), ours_hlc=stamp,
                             theirs_hlc=their, theirs_author="bob on ICB-PC", peer_document_id=peer,
                             resolved_at=datetime(2026, 12, 5, 9, 1), resolution="theirs",
                             resolved_by=ws.author.id))
        session.add(Conflict(table_name="services", record_id=service_id, field="status", kind="field",
                             ours_value=json.dumps("active"), theirs_value=json.dumps("decommissioning"),
                             ours_hlc=their, theirs_hlc=their, peer_document_id=peer))
    entries = record_history(conn, "services", service_id)
    merge = next(e for e in entries if e.source == "merge")
    assert (merge.action, merge.old, merge.new) == ("Merged: Capacity", "10", "12")
    assert merge.detail == "Taken from eastshire.cypshare."
    kept = next(e for e in entries if e.source == "conflict" and e.detail.startswith("Conflict with"))
    assert kept.action == "Conflict over Annual cost: kept this document's value" and kept.resolved
    assert (kept.old, kept.new) == ("£480,000", "£500,000")  # not chosen, chosen
    settled, open_ = (next(e for e in entries if e.source == "conflict" and e.field == f and e.stamp.endswith("~"))
                      for f in ("annual_cost", "status"))
    assert settled.action == "Conflict over Annual cost: took the partner's value" and settled.resolved
    assert (settled.old, settled.new) == ("£500,000", "£480,000")
    assert "chose £480,000 over £500,000" in settled.detail and "“Eastshire ICB plan”" in settled.detail
    assert settled.author == ws.author.name  # who chose; an open conflict names whose change it is
    assert open_.action == "Conflict over Status: not yet resolved" and open_.resolved is False
    assert (open_.old, open_.new) == ("Active", "Decommissioning")
    stamps = [e.stamp for e in entries]
    assert stamps == sorted(stamps)  # oldest first
    assert entries.index(settled) > entries.index(merge)  # after the edit it compares (same stamp)


def test_a_deleted_record_keeps_its_history_with_the_values_it_held(ws, conn):
    """Deleted then restored by undo: "Deleted" shows what it held (labels and values),
    the undo shows as "Restored"; while deleted the record is named "(deleted)"."""
    org = records.create(ws, "organisations", {"name": "Willow Tree Nurseries", "kind": "private",
                                               "website": "https://willow.example"})
    change = records.delete(ws, "organisations", org.id)
    assert record_title(conn, "organisations", org.id) == "Willow Tree Nurseries (deleted)"
    deleted = record_history(conn, "organisations", org.id)[-1]
    assert deleted.action == "Deleted"
    assert "Name: Willow Tree Nurseries" in deleted.old and "Kind: Private company" in deleted.old
    records.restore(ws, change)
    actions = [e.action for e in record_history(conn, "organisations", org.id)]
    assert actions == ["Created", "Deleted", "Restored"]
    assert record_title(conn, "organisations", org.id) == "Willow Tree Nurseries"


def test_values_of_a_field_the_catalog_does_not_list_are_shown_as_stored(conn):
    """A setting or bookkeeping column (no catalog entry) shows as stored; nothing fails."""
    assert show_value(conn, "document", "small_number_threshold", 7) == "7"
    assert show_value(conn, "services", "no_such_field", {"a": 1}) == '{"a": 1}'
    assert show_value(conn, "services", "annual_cost", "not money") == "not money"


def test_edits_made_in_a_partners_copy_show_as_come_with_the_merge_of_that_file(ws, conn, tmp_path):
    """A real merge (plan_merge/apply_merge) of bob's copy of this document: bob's edit
    of an organisation's website and the organisation he added show as made in the
    partner's copy and come with the merge of bob.cypdesk, beside the merge's own lines
    ("Merged: Website", "Added from a partner's file"); alice's own edit made before she
    sent the copy stays a typed edit."""
    import uuid

    from cypdesk.model.document import Document
    from cypdesk.model.installation import Installation
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge
    from cypdesk.services.workspace import Workspace

    org_id = conn.execute("SELECT id FROM organisations ORDER BY name LIMIT 1").fetchone()[0]
    records.update(ws, "organisations", org_id, {"website": "https://alice.example"})
    sent = tmp_path / "sent.cypdesk"
    copy = sqlite3.connect(sent)
    conn.backup(copy)
    copy.close()
    bob = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="ICB-PC")
    doc = Document.open(sent, installation=bob)
    try:
        bob_ws = Workspace(doc, bob)
        records.update(bob_ws, "organisations", org_id, {"website": "https://bob.example"})
        added = records.create(bob_ws, "organisations", {"name": "Heron Youth Project", "kind": "voluntary"}).id
        src, out = sqlite3.connect(doc.working_path), sqlite3.connect(tmp_path / "bob.cypdesk")
        src.backup(out)
        out.close()
        src.close()
    finally:
        doc.close(discard=True)
    theirs = tmp_path / "bob.cypdesk"
    apply_merge(ws, theirs, plan_merge(ws, theirs), backup=False)
    came = "Made in bob.cypdesk, came with its merge"
    edits = [(e.author, e.action, e.source, e.detail) for e in record_history(conn, "organisations", org_id)
             if e.field == "website"]
    assert edits == [(ws.author.name, "Changed Website", "edit", ""),
                     ("bob on ICB-PC", "Changed Website", "merge", came),
                     (ws.author.name, "Merged: Website", "merge", "Taken from bob.cypdesk.")]
    made = [(e.author, e.action, e.source, e.detail) for e in record_history(conn, "organisations", added)]
    assert made == [("bob on ICB-PC", "Created", "merge", came),
                    (ws.author.name, "Added from a partner's file", "merge", "Added from bob.cypdesk.")]
