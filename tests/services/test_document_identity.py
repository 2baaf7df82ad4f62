"""Issue 11, bookkeeping fit for merging: every document gets its own id when it is
made (New, a new file, the demo, a new document an import fills), and the rows bulk
writers leave (the demo, an import) read back a version for every field a merge
compares, covered by the file's own version vector."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

from cypdesk.common.hlc import ZERO
from cypdesk.model import KINDS
from cypdesk.model import versions
from cypdesk.model.installation import Installation

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-LAPTOP")


def _document_row(path):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT id, created_by FROM document").fetchall()


def _is_uuid(text):
    return str(uuid.UUID(text)) == text


def test_every_new_document_has_its_own_id_from_the_moment_it_is_made(tmp_path):
    """Document.new (the window's New), Document.create and create_document_file each
    write a fresh id (with who made it); no two share one. Before issue 11 a new
    document had no id until a setting was changed."""
    from cypdesk.model.dbfile import create_document_file
    from cypdesk.model.document import Document

    ids = []
    for who in (ALICE, BOB):
        doc = Document.new(installation=who)
        try:
            rows = _document_row(doc.working_path)
        finally:
            doc.close(discard=True)
        assert len(rows) == 1 and rows[0][1] == who.id
        ids.append(rows[0][0])
    for n, who in enumerate((ALICE, BOB)):
        doc = Document.create(tmp_path / f"made-{n}.cypdesk", installation=who)
        doc.close()
        ((doc_id, by),) = _document_row(tmp_path / f"made-{n}.cypdesk")
        assert by == who.id
        ids.append(doc_id)
    for n in range(2):
        create_document_file(tmp_path / f"plain-{n}.cypdesk")
        ids.append(_document_row(tmp_path / f"plain-{n}.cypdesk")[0][0])
    assert all(_is_uuid(i) for i in ids) and len(set(ids)) == len(ids)
    given = str(uuid.uuid4())
    create_document_file(tmp_path / "given.cypdesk", document_id=given, created_by=ALICE.id)
    assert _document_row(tmp_path / "given.cypdesk") == [(given, ALICE.id)]


def test_two_demo_files_have_different_document_ids(tmp_path):
    """``cypdesk demo`` twice: two documents, not two copies of one (every demo used to
    share the id derived from the trust's name)."""
    from cypdesk.services.documents import write_demo

    write_demo(tmp_path / "one.cypdesk")
    write_demo(tmp_path / "two.cypdesk")
    (one,), (two,) = _document_row(tmp_path / "one.cypdesk"), _document_row(tmp_path / "two.cypdesk")
    assert one[0] != two[0] and _is_uuid(one[0]) and _is_uuid(two[0])


def test_a_new_document_filled_by_an_import_keeps_the_id_it_was_made_with(tmp_path):
    from cypdesk.model.document import Document
    from cypdesk.services.importing import ImportOptions, open_source, run_import
    from cypdesk.services.workspace import Workspace

    doc = Document.new(installation=ALICE)
    try:
        (made,) = _document_row(doc.working_path)
        source = tmp_path / "orgs.csv"
        source.write_text("Name,Kind\nHarbour Lights Youth Trust,voluntary\nNorthgate Care Ltd,private\n")
        ws = Workspace(doc, ALICE)
        assert run_import(ws, open_source(source, kind="organisations"), ImportOptions(kind="organisations")).added == 2
        assert _document_row(doc.working_path) == [made]
        with ws.read() as session:
            assert versions.uncovered_stamps(session) == []
    finally:
        doc.close(discard=True)


# --- bulk writes leave versions a merge can read ----------------------------------------------------

def _every_merged_field_has_a_version(conn):
    checked = 0
    for table, model in KINDS.items():
        names = set(versions.merged_fields(model))
        for record_id, fields in versions.record_versions(conn, table).items():
            assert set(fields) == names, (table, record_id)
            bad = {f: s for f, s in fields.items() if not s or len(s) != 48}
            assert not bad, (table, record_id, bad)
            checked += 1
    return checked


def test_the_demos_rows_read_back_a_version_for_every_merged_field(demo_path):
    """The demo writes rows in bulk with no field versions: each field's version is its
    record's creation stamp, every stamp is covered by the file's own vector, and the
    settings it set carry a version of their own."""
    with closing(sqlite3.connect(demo_path)) as conn:
        assert _every_merged_field_has_a_version(conn) > 1000
        assert versions.uncovered_stamps(conn) == []
        settings = versions.settings_versions(conn)
        assert settings["title"] != ZERO and settings["trust_name"] != ZERO and settings["logo"] == ZERO
        assert versions.has_seen(versions.version_vector(conn), settings["title"])


def test_imported_rows_read_back_a_version_for_every_merged_field(ws, tmp_path):
    """New rows carry their creation stamp for every field; a field a re-import changed
    carries the update's stamp, later than the record's creation; all covered."""
    from cypdesk.services.importing import ImportOptions, open_source, run_import

    source = tmp_path / "orgs.csv"
    source.write_text("Name,Kind,Website\nHarbour Lights Youth Trust,voluntary,https://a.example\n")
    run_import(ws, open_source(source, kind="organisations"), ImportOptions(kind="organisations"))
    source.write_text("Name,Kind,Website\nHarbour Lights Youth Trust,voluntary,https://b.example\n")
    run_import(ws, open_source(source, kind="organisations"), ImportOptions(kind="organisations"))
    with ws.read() as session:
        assert _every_merged_field_has_a_version(session) > 1000
        assert versions.uncovered_stamps(session) == []
        from sqlalchemy import text

        org_id, created = session.execute(text("SELECT id, created_hlc FROM organisations "
                                               "WHERE name = 'Harbour Lights Youth Trust'")).one()
        got = versions.record_versions(session, "organisations", ids=[org_id])[org_id]
        imp = session.execute(text("SELECT id, created_hlc FROM import_records ORDER BY created_hlc")).all()
        imp_versions = versions.record_versions(session, "import_records", ids=[i[0] for i in imp])
    assert got["website"] > created and got["name"] == created == got["kind"]
    assert imp and all(imp_versions[i]["mapping"] == created_hlc for i, created_hlc in imp)


def test_a_period_changed_by_a_bulk_edit_versions_its_start_with_it(ws):
    """An import's change of a period (and an import's undo) goes through the bulk path:
    the period's first day, which the model works out from it, is data a merge
    compares, so it gets a version and a history line with the period's."""
    from cypdesk.services.importing.writing import _field_changes

    with ws.read() as session:
        from sqlalchemy import text

        mid, period, start = session.execute(text(
            "SELECT id, period, period_start FROM measurements ORDER BY id LIMIT 1")).one()
    with ws.bulk() as conn:
        _field_changes(conn, ws, "test edit", [("measurements", mid, "m", "period", period, "2019-20 Q1")])
    with ws.read() as session:
        got = versions.record_versions(session, "measurements", ids=[mid])[mid]
        new_start = session.execute(text("SELECT period_start FROM measurements WHERE id = :i"), {"i": mid}).scalar()
        fields = {r[0] for r in session.execute(text(
            "SELECT field FROM history WHERE record_id = :i AND op = 'update'"), {"i": mid})}
    assert str(new_start) == "2019-04-01" and str(new_start) != str(start)
    assert got["period_start"] == got["period"] != got["measure_id"]
    assert fields == {"period", "period_start"}
