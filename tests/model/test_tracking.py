"""Every ORM write is stamped, versioned per field and recorded with its author."""

import json
import uuid

import pytest
from sqlalchemy import create_engine, event, select

from cypdesk.common.hlc import Clock
from cypdesk.model import Base, FieldVersion, History, InstallationSeen, Organisation, Service, Tombstone
from cypdesk.model.tracking import Author, make_session, stamp_rows

ALICE = Author(str(uuid.UUID(int=0xA11CE)), "alice", "COUNCIL-LAPTOP")
BOB = Author(str(uuid.UUID(int=0xB0B)), "bob", "NHS-LAPTOP")


@pytest.fixture
def engine():
    eng = create_engine("sqlite://")

    @event.listens_for(eng, "connect")
    def _fk(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _session(engine, author=ALICE, now=None):
    clock = Clock(author.id, now_ms=now) if now else Clock(author.id)
    return make_session(engine, author, clock, expire_on_commit=False)


def test_insert_is_stamped_and_recorded(engine):
    with _session(engine) as s:
        org = Organisation(name="Riverside County Council", kind="local_authority")
        s.add(org)
        s.commit()
        assert org.id and len(org.id) == 36
        assert org.created_hlc == org.hlc and org.hlc.endswith(ALICE.id.replace("-", ""))
        assert org.created_by == ALICE.id
        entry = s.scalars(select(History).where(History.record_id == org.id)).one()
        assert entry.op == "insert" and entry.author_name == "alice on COUNCIL-LAPTOP"
        assert entry.record_title == "Riverside County Council"
        assert s.get(InstallationSeen, ALICE.id).host == "COUNCIL-LAPTOP"


def test_update_advances_the_fields_clock_and_names_the_author(engine):
    with _session(engine) as s:
        service = Service(name="Family support", annual_cost=100_000.0)
        s.add(service)
        s.commit()
        created = service.created_hlc
    with _session(engine, BOB) as s:
        service = s.get(Service, service.id)
        service.annual_cost = 120_000.0
        s.commit()
        version = s.get(FieldVersion, ("services", service.id, "annual_cost"))
        assert version.hlc > created
        assert version.author_id == BOB.id
        assert service.hlc == version.hlc and service.updated_by == BOB.id
        assert s.get(FieldVersion, ("services", service.id, "name")) is None  # untouched: still its creation version
        entry = s.scalars(select(History).where(History.op == "update")).one()
        assert (entry.field, json.loads(entry.old_value), json.loads(entry.new_value)) == ("annual_cost", 100000.0, 120000.0)
        assert entry.author_name == "bob on NHS-LAPTOP"


def test_setting_the_same_value_records_nothing(engine):
    with _session(engine) as s:
        service = Service(name="Youth club")
        s.add(service)
        s.commit()
        stamp = service.hlc
        service.name = "Youth club"
        s.commit()
        assert service.hlc == stamp
        assert s.scalars(select(History).where(History.op == "update")).all() == []


def test_delete_leaves_a_tombstone_and_cascades_with_tombstones(engine):
    from cypdesk.model import Contract

    with _session(engine) as s:
        service = Service(name="Respite care")
        service.contracts.append(Contract(reference="RCC-001", annual_value=50_000.0))
        s.add(service)
        s.commit()
        contract_id = service.contracts[0].id
        s.delete(service)
        s.commit()
        tombs = {(t.table_name, t.record_id) for t in s.scalars(select(Tombstone))}
        assert ("services", service.id) in tombs and ("contracts", contract_id) in tombs
        deleted = s.scalars(select(History).where(History.op == "delete")).all()
        assert {d.record_title for d in deleted} == {"Respite care", "RCC-001"}
        snapshot = json.loads([d for d in deleted if d.table_name == "services"][0].old_value)
        assert snapshot["name"] == "Respite care"  # the losing value stays in history


def test_a_write_without_an_author_is_refused(engine):
    from cypdesk.model.tracking import TrackedSession

    s = TrackedSession(bind=engine)
    s.add(Organisation(name="Nobody's"))
    with pytest.raises(RuntimeError, match="author"):
        s.flush()
    s.close()


def test_stamp_rows_fills_the_shared_columns():
    clock = Clock(ALICE.id)
    rows = stamp_rows([{"name": "A"}, {"name": "B"}], ALICE, clock)
    assert {r["created_by"] for r in rows} == {ALICE.id}
    assert rows[0]["hlc"] == rows[1]["hlc"] == rows[0]["created_hlc"]
    assert rows[0]["id"] != rows[1]["id"]
