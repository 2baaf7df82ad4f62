"""tracking.bulk_update: fields of many records changed with Core statements keep the
whole of an ORM flush's bookkeeping (stamp, field version, one history line a field,
with its note), so a partner's merge sees them exactly as typed edits."""

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, select

from cypdesk.common.hlc import Clock
from cypdesk.model import Base, FieldVersion, History, InstallationSeen, Payment
from cypdesk.model.tracking import Author, bulk_update, make_session

ALICE = Author(str(uuid.UUID(int=0xA11CE)), "alice", "COUNCIL-LAPTOP")
BOB = Author(str(uuid.UUID(int=0xB0B)), "bob", "NHS-LAPTOP")


@pytest.fixture
def engine():
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def test_bulk_update_stamps_versions_and_records_each_field_with_its_note(engine):
    with make_session(engine, ALICE, Clock(ALICE.id), expire_on_commit=False) as s:
        a = Payment(paid_on=date(2025, 5, 1), supplier="Acme", amount=10.0, description="April")
        b = Payment(paid_on=date(2025, 6, 1), supplier="Acme", amount=20.0)
        s.add_all([a, b])
        s.commit()
        created = a.hlc
    with engine.begin() as conn:
        changed = bulk_update(conn, BOB, Clock(BOB.id), "payments", [
            (a.id, "cost_centre", "April", None, "Short breaks", "Matched: why"),
            (a.id, "paid_on", "April", date(2025, 5, 1), date(2025, 5, 2), None),
            (b.id, "cost_centre", None, None, None, "no change: left out"),
        ])
    assert changed == 2
    with make_session(engine, ALICE, Clock(ALICE.id)) as s:
        row = s.get(Payment, a.id)
        assert (row.cost_centre, row.paid_on) == ("Short breaks", date(2025, 5, 2))  # a real date, typed
        assert row.hlc > created and row.updated_by == BOB.id
        versions = {v.field: v for v in s.scalars(select(FieldVersion).where(FieldVersion.record_id == a.id))}
        assert set(versions) == {"cost_centre", "paid_on"} and versions["paid_on"].hlc == row.hlc
        lines = s.scalars(select(History).where(History.record_id == a.id, History.op == "update")).all()
        assert sorted((h.field, h.record_title, h.note, json.loads(h.new_value)) for h in lines) == [
            ("cost_centre", "April", "Matched: why", "Short breaks"), ("paid_on", "April", None, "2025-05-02")]
        assert s.scalars(select(History).where(History.record_id == b.id, History.op == "update")).all() == []
        assert s.get(FieldVersion, ("payments", b.id, "cost_centre")) is None
        assert s.get(InstallationSeen, BOB.id).host == "NHS-LAPTOP"
