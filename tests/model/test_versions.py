"""model/versions.py: a file's version vector read from its history (through sqlite3,
SQLAlchemy and an ATTACHed file), "has seen", the fields a merge compares for every
kind (every system field decided: bookkeeping or data), the version of a field, and
the rule for a deleted record against a live one."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

import pytest
from sqlalchemy import text

from cypdesk.common.hlc import ZERO
from cypdesk.model import RECORD_CLASSES, DocumentInfo, FieldVersion, Service
from cypdesk.model import versions
from cypdesk.model.fields import meta_of
from cypdesk.model.installation import Installation

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-LAPTOP")
A_NODE = ALICE.id.replace("-", "")
B_NODE = BOB.id.replace("-", "")


def stamp(ms: int, node: str, counter: int = 0) -> str:
    return f"{ms:012x}{counter:04x}{node}"


@pytest.fixture
def two_authors(tmp_path):
    """A new document edited by alice then bob (each with their own clock)."""
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    path = tmp_path / "two.cypdesk"
    Document.create(path, installation=ALICE).close()
    made = {}
    for who in (ALICE, BOB):
        doc = Document.open(path, installation=who)
        ws = Workspace(doc, who)
        made[who.user] = records.create(ws, "services", {"name": f"Service of {who.user}"}).id
        doc.save()
        doc.close()
    return path, made


def test_the_vector_holds_each_installations_newest_stamp_in_history(two_authors):
    path, _ = two_authors
    with closing(sqlite3.connect(path)) as conn:
        vv = versions.version_vector(conn)
        newest = dict(conn.execute("SELECT substr(hlc, 17), max(hlc) FROM history GROUP BY 1").fetchall())
    assert set(vv) == {A_NODE, B_NODE} and vv == newest
    assert all(versions.node_of_stamp(s) == n for n, s in vv.items())


def test_the_vector_reads_the_same_through_sqlalchemy_and_an_attached_file(two_authors, tmp_path):
    path, _ = two_authors
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    with closing(sqlite3.connect(path)) as conn:
        want = versions.version_vector(conn)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert versions.version_vector(conn) == want
        with Session(engine) as session:
            assert versions.version_vector(session) == want
    finally:
        engine.dispose()
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("ATTACH DATABASE ? AS theirs", (str(path),))
        assert versions.version_vector(conn, schema="theirs") == want
        with pytest.raises(ValueError):
            versions.version_vector(conn, schema="theirs; DROP TABLE x")


def test_has_seen_compares_a_stamp_with_its_own_installations_entry_only():
    vv = {A_NODE: stamp(100, A_NODE)}
    assert versions.has_seen(vv, stamp(100, A_NODE))
    assert versions.has_seen(vv, stamp(99, A_NODE, 5))
    assert not versions.has_seen(vv, stamp(100, A_NODE, 1))
    assert not versions.has_seen(vv, stamp(1, B_NODE))  # an installation it never heard of
    assert versions.has_seen(vv, None) and versions.has_seen(vv, ZERO) and versions.has_seen({}, ZERO)
    with pytest.raises(ValueError):
        versions.node_of_stamp("not a stamp")


def test_union_of_vectors_keeps_each_nodes_greater_stamp():
    a = {A_NODE: stamp(5, A_NODE), B_NODE: stamp(1, B_NODE)}
    b = {B_NODE: stamp(7, B_NODE)}
    assert versions.union(a, b) == {A_NODE: stamp(5, A_NODE), B_NODE: stamp(7, B_NODE)}


def test_every_system_field_of_every_kind_is_decided_bookkeeping_or_data():
    """A new system field must say whether a partner would lose something if it did not
    merge (``data=True``) or is the record's own bookkeeping; only the shared columns
    (id, created_*, updated_*, hlc) are bookkeeping, plus owner_org_id which merges."""
    for model in RECORD_CLASSES:
        for column in model.__table__.columns:
            meta = meta_of(column)
            if meta.system and column.key not in versions.NEVER_MERGED and column.key != "owner_org_id":
                assert meta.data, f"{model.__name__}.{column.key} is system: mark it data=True or bookkeeping"


def test_merged_fields_are_every_user_field_the_owner_and_the_data_fields_never_the_bookkeeping():
    from cypdesk.model import Appendix, ImportRecord, IndicatorValue, Measurement, PaperSnapshot

    for model in RECORD_CLASSES:
        names = versions.merged_fields(model)
        assert "owner_org_id" in names, model.__name__
        assert not set(names) & versions.NEVER_MERGED, model.__name__
        for column in model.__table__.columns:
            meta = meta_of(column)
            if not meta.system:
                assert column.key in names, (model.__name__, column.key)
    assert {"content", "content_version"} <= set(versions.merged_fields(PaperSnapshot))
    assert {"mapping", "layout"} <= set(versions.merged_fields(ImportRecord))
    assert "options" in versions.merged_fields(Appendix)
    assert {"period_start", "import_id"} <= set(versions.merged_fields(IndicatorValue))
    assert "period_start" in versions.merged_fields(Measurement)


def test_the_settings_fields_are_every_setting_and_never_the_documents_own_id_or_owner():
    from cypdesk.services.settings import SETTING_NAMES

    assert set(versions.SETTINGS_FIELDS) == set(SETTING_NAMES)
    assert not {"id", "owner_org_id", "created_at", "created_by", "hlc"} & set(versions.SETTINGS_FIELDS)
    assert versions.merged_fields(DocumentInfo) == versions.SETTINGS_FIELDS


def test_a_fields_version_is_its_field_version_else_its_records_creation_stamp(two_authors):
    path, made = two_authors
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    doc = Document.open(path, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        records.update(ws, "services", made["bob"], {"annual_cost": "1200"})
        with ws.read() as session:
            created = session.get(Service, made["bob"]).created_hlc
            edited = session.get(FieldVersion, ("services", made["bob"], "annual_cost")).hlc
            got = versions.record_versions(session, "services", ids=[made["bob"]])
            every = versions.record_versions(session, "services")
            sql = versions.field_version_sql("services", "annual_cost")
            by_sql = session.execute(text(
                f"SELECT {sql} FROM services AS r WHERE r.id = :i"), {"i": made["bob"]}).scalar()
            name_sql = session.execute(text(
                f"SELECT {versions.field_version_sql('services', 'name')} FROM services AS r WHERE r.id = :i"),
                {"i": made["bob"]}).scalar()
        assert got[made["bob"]]["annual_cost"] == edited == by_sql
        assert got[made["bob"]]["name"] == created == name_sql
        assert set(every) == set(made.values()) and every[made["bob"]] == got[made["bob"]]
        assert versions.node_of_stamp(edited) == A_NODE and versions.node_of_stamp(created) == B_NODE
    finally:
        doc.close(discard=True)


def test_a_setting_never_set_has_version_zero(tmp_path):
    from cypdesk.model.document import Document

    path = tmp_path / "new.cypdesk"
    Document.create(path, installation=ALICE).close()
    with closing(sqlite3.connect(path)) as conn:
        assert versions.settings_versions(conn) == dict.fromkeys(versions.SETTINGS_FIELDS, ZERO)


def test_ordinary_writes_leave_no_stamp_the_files_vector_does_not_cover(two_authors):
    path, _ = two_authors
    with closing(sqlite3.connect(path)) as conn:
        assert versions.uncovered_stamps(conn) == []
        conn.execute("UPDATE services SET hlc = ? WHERE rowid = 1", (stamp(2**44, A_NODE),))  # a write with no history
        assert [where for where, _id, _s in versions.uncovered_stamps(conn)] == ["services"]


@pytest.mark.parametrize("record, tomb, live_saw, deleting_saw, outcome", [
    (10, 20, 5, 10, "delete"),            # the deleting side had seen the latest edit
    (30, 20, 20, 10, "keep"),             # a restore: the live side saw the deletion and acted later
    (30, 20, 5, 10, "conflict_keep"),     # neither saw the other, the edit is later
    (10, 20, 5, 5, "conflict_delete"),    # neither saw the other, the deletion is later
])
def test_a_deleted_record_against_a_live_one(record, tomb, live_saw, deleting_saw, outcome):
    """The same answer whichever file is ours: it depends on the two sides' stamps and
    vectors only. Live side edits are alice's, the deletion bob's."""
    r, t = stamp(record, A_NODE), stamp(tomb, B_NODE)
    vv_live = {A_NODE: r, B_NODE: stamp(live_saw, B_NODE)}
    vv_deleting = {B_NODE: t, A_NODE: stamp(deleting_saw, A_NODE)}
    assert versions.deletion_outcome(r, t, vv_live, vv_deleting) == outcome


def test_history_stamps_are_what_the_vector_is_made_of(two_authors):
    """A history line is the only thing read: removing the newest of bob's lines moves
    bob's entry back to his previous one."""
    path, _ = two_authors
    with closing(sqlite3.connect(path)) as conn:
        before = versions.version_vector(conn)
        conn.execute("DELETE FROM history WHERE hlc = ?", (before[B_NODE],))
        after = versions.version_vector(conn)
    assert after[A_NODE] == before[A_NODE]
    assert B_NODE not in after or after[B_NODE] < before[B_NODE]


def test_malformed_stamps_are_listed_wherever_they_are(two_authors):
    """A forged or damaged file: a stamp that is not 48 lower-case hex digits in a
    record, a field version, a tombstone or history is named (by the partner file's
    intake, which refuses it); a sound file has none."""
    from cypdesk.services.exchange.intake import malformed_stamps

    path, made = two_authors
    with closing(sqlite3.connect(path)) as conn:
        assert malformed_stamps(conn) == []
        conn.execute("UPDATE services SET hlc = 'not a stamp' WHERE id = ?", (made["bob"],))
        conn.execute("INSERT INTO tombstones (table_name, record_id, hlc, author_id, deleted_at) "
                     "VALUES ('services', 'x', ?, 'a', '2026-01-01')", (stamp(5, A_NODE).upper(),))
        found = malformed_stamps(conn)
    assert ("services", made["bob"], "not a stamp") in found
    assert ("tombstones", "services/x", stamp(5, A_NODE).upper()) in found and len(found) == 2
