"""What tracking versions for merging (issue 11): a record's owner and the system
fields that are data (an import's mapping, an appendix's options) get a field version
and a history line like any field; the bookkeeping columns do not; the document's
settings are versioned under ("document", "settings") by the Document settings
dialog's and ``cypdesk set``'s path (services/settings.save_settings); every write
leaves no stamp the file's own version vector does not cover."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
import uuid
from contextlib import closing

import pytest
from sqlalchemy import create_engine, event, select, text

from cypdesk.common.hlc import ZERO, Clock
from cypdesk.model import Appendix, Base, FieldVersion, History, ImportRecord, Meeting, Organisation, Paper, Service
from cypdesk.model import versions
from cypdesk.model.installation import Installation
from cypdesk.model.tracking import Author, make_session

ALICE = Author(str(uuid.UUID(int=0xA11CE)), "alice", "COUNCIL-LAPTOP")
ALICE_INST = Installation(id=ALICE.id, user="alice", host="COUNCIL-LAPTOP")


@pytest.fixture
def engine():
    eng = create_engine("sqlite://")

    @event.listens_for(eng, "connect")
    def _fk(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _session(engine):
    return make_session(engine, ALICE, Clock(ALICE.id), expire_on_commit=False)


def _versions_and_history(s, table, record_id):
    fv = {v.field: v.hlc for v in s.scalars(select(FieldVersion).where(FieldVersion.table_name == table,
                                                                      FieldVersion.record_id == record_id))}
    def value(text):
        return None if text is None else json.loads(text)

    hist = {h.field: (value(h.old_value), value(h.new_value)) for h in s.scalars(
        select(History).where(History.table_name == table, History.record_id == record_id, History.op == "update"))}
    return fv, hist


def test_handing_a_record_to_another_partner_is_a_versioned_edit_in_history(engine):
    with _session(engine) as s:
        council, nhs = Organisation(name="Council"), Organisation(name="NHS")
        s.add_all([council, nhs])
        s.flush()
        service = Service(name="Family support", owner_org_id=council.id)
        s.add(service)
        s.commit()
        service.owner_org_id = nhs.id
        s.commit()
        fv, hist = _versions_and_history(s, "services", service.id)
        assert fv == {"owner_org_id": service.hlc}
        assert hist == {"owner_org_id": (council.id, nhs.id)}


def test_system_fields_that_are_data_are_versioned_and_bookkeeping_is_not(engine):
    with _session(engine) as s:
        imp = ImportRecord(source_name="values.xlsx", kind="indicator_values", mapping='{"A": "value"}')
        meeting = Meeting(board="Trust Board", held_on=date(2026, 1, 18))
        s.add_all([imp, meeting])
        s.flush()
        paper = Paper(meeting_id=meeting.id, title="Budget")
        s.add(paper)
        s.flush()
        appendix = Appendix(paper_id=paper.id, kind="measures", options='{"rag": "red"}')
        s.add(appendix)
        s.commit()
        imp.mapping, imp.layout = '{"A": "lower_ci"}', "abc123"
        appendix.options = '{"rag": "amber"}'
        s.commit()
        fv_imp, hist_imp = _versions_and_history(s, "import_records", imp.id)
        fv_app, hist_app = _versions_and_history(s, "appendices", appendix.id)
        assert set(fv_imp) == {"mapping", "layout"} and hist_imp["mapping"] == ('{"A": "value"}', '{"A": "lower_ci"}')
        assert hist_app == {"options": ('{"rag": "red"}', '{"rag": "amber"}')} and set(fv_app) == {"options"}
        # the shared bookkeeping columns changed too (hlc, updated_*), but are not versioned
        assert not set(fv_imp) & versions.NEVER_MERGED


# --- the document's settings ---------------------------------------------------------------------

@pytest.fixture
def new_ws(tmp_path):
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    path = tmp_path / "new.cypdesk"
    doc = Document.create(path, installation=ALICE_INST)
    yield Workspace(doc, ALICE_INST)
    doc.close(discard=True)


def test_saved_settings_are_versioned_under_the_settings_record_and_in_its_history(new_ws):
    """The Document settings dialog and ``cypdesk set FILE document`` both save through
    save_settings: each changed setting's version is under ("document", "settings"),
    whatever the file's own id, and history says so; a setting never set stays ZERO."""
    from cypdesk.services.settings import save_settings

    save_settings(new_ws, {"title": "Riverside", "tolerance_pct": "7.5"})
    with new_ws.read() as session:
        got = versions.settings_versions(session)
        rows = session.execute(select(History.record_id, History.field).where(History.table_name == "document")).all()
        doc_id = session.execute(text("SELECT id FROM document")).scalar()
    stamp = got["title"]
    assert stamp != ZERO and got["tolerance_pct"] == stamp and got["logo"] == ZERO
    assert versions.node_of_stamp(stamp) == ALICE.id.replace("-", "")
    assert sorted(rows) == [("settings", "title"), ("settings", "tolerance_pct")]
    assert doc_id != "settings"


def test_copies_with_different_ids_version_their_settings_under_one_record(new_ws, tmp_path):
    """Two files whose document ids differ (a copy given its own id) still name the
    same settings record, so a merge compares them field by field."""
    from cypdesk.model.dbfile import set_document_identity
    from cypdesk.services.settings import save_settings

    save_settings(new_ws, {"trust_name": "Riverside"})
    new_ws.doc.save()
    copy = tmp_path / "copy.cypdesk"
    copy.write_bytes(new_ws.doc.path.read_bytes())
    set_document_identity(copy)
    with closing(sqlite3.connect(copy)) as a, closing(sqlite3.connect(new_ws.doc.path)) as b:
        assert a.execute("SELECT id FROM document").fetchone() != b.execute("SELECT id FROM document").fetchone()
        assert versions.settings_versions(a) == versions.settings_versions(b)
        assert versions.settings_versions(a)["trust_name"] != ZERO


def test_settings_and_edits_leave_every_stamp_covered_by_the_files_vector(new_ws):
    from cypdesk.services import records
    from cypdesk.services.settings import save_settings

    save_settings(new_ws, {"title": "Riverside"})
    org = records.create(new_ws, "organisations", {"name": "Council"}).id
    sid = records.create(new_ws, "services", {"name": "Youth club"}).id
    records.update(new_ws, "services", sid, {"annual_cost": "1000"})
    records.restore(new_ws, records.delete(new_ws, "services", sid))
    records.delete(new_ws, "organisations", org)
    with new_ws.read() as session:
        assert versions.uncovered_stamps(session) == []
