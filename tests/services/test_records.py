"""Record operations through the services layer: values are checked against their
field's declaration, every write advances the field's clock and names its author."""

import uuid

import pytest

from cypdesk.common.errors import ReadOnlyDocument, RecordNotFound, ValidationError
from cypdesk.model.installation import Installation
from cypdesk.services import records
from cypdesk.services.workspace import Workspace

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-LAPTOP")


@pytest.fixture
def doc(tmp_path):
    from cypdesk.model.document import Document

    d = Document.create(tmp_path / "trust.cypdesk")
    yield d
    d.close(discard=True)


def test_update_through_the_services_layer_advances_the_clock_and_names_the_author(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Family support", "annual_cost": "£120,000", "sector": "Social care"})
    before = records.get(ws, "services", made.id)
    assert before["annual_cost"] == 120000.0 and before["sector"] == "social_care"

    ws_bob = Workspace(doc, BOB)
    change = records.update(ws_bob, "services", made.id, {"annual_cost": "150,000"})
    assert change.before == {"annual_cost": 120000.0} and change.after == {"annual_cost": 150000.0}
    after = records.get(ws_bob, "services", made.id)
    assert after["hlc"] > before["hlc"]
    assert after["updated_by"] == BOB.id
    entries = records.history(ws_bob, "services", made.id)
    assert [e["op"] for e in entries] == ["insert", "update"]
    assert entries[0]["author"] == "alice on COUNCIL-LAPTOP"
    assert entries[1]["author"] == "bob on NHS-LAPTOP" and entries[1]["field"] == "annual_cost"
    assert doc.dirty


def test_bad_values_are_refused_with_the_field_named_and_nothing_written(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Speech therapy"})
    with pytest.raises(ValidationError) as caught:
        records.update(ws, "services", made.id, {"sector": "astrology", "annual_cost": "-5"})
    message = caught.value.message
    assert "Sector" in message and "astrology" in message and "Annual cost must be at least 0" in message
    assert records.get(ws, "services", made.id)["sector"] is None
    with pytest.raises(ValidationError, match="Service is required"):
        records.create(ws, "services", {"description": "no name"})


def test_periods_and_shares_are_converted_in_one_place(doc):
    ws = Workspace(doc, ALICE)
    measure = records.create(ws, "measures", {"name": "Referrals seen within 4 weeks", "target": "90"})
    m = records.create(ws, "measurements", {"measure_id": measure.id, "period": "Q1 2025/26", "actual": "87.5"})
    stored = records.get(ws, "measurements", m.id)
    assert stored["period"] == "FQ2025-1" and stored["period_start"].isoformat() == "2025-04-01"
    with pytest.raises(ValidationError, match="Share must be at most 100"):
        service = records.create(ws, "services", {"name": "CAMHS"})
        org = records.create(ws, "organisations", {"name": "Riverside ICB"})
        records.create(ws, "service_commissioners", {"service_id": service.id, "organisation_id": org.id, "share_pct": "120"})


def test_delete_and_missing_records(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "teams", {"name": "Joint commissioning unit"})
    gone = records.delete(ws, "teams", made.id)
    assert gone.before["name"] == "Joint commissioning unit"
    with pytest.raises(RecordNotFound):
        records.get(ws, "teams", made.id)
    with pytest.raises(RecordNotFound):
        records.update(ws, "teams", made.id, {"name": "x"})


def test_a_read_only_document_refuses_edits(tmp_path):
    from cypdesk.model.document import Document

    path = tmp_path / "shared.cypdesk"
    Document.create(path).close()
    doc = Document.open(path, read_only=True)
    try:
        ws = Workspace(doc, ALICE)
        with pytest.raises(ReadOnlyDocument):
            records.create(ws, "teams", {"name": "Should not be written"})
    finally:
        doc.close()


def test_deleting_a_service_takes_its_dependents_with_history_and_undo_restores_them(doc):
    from sqlalchemy import select

    from cypdesk.model import History, Tombstone

    ws = Workspace(doc, ALICE)
    org = records.create(ws, "organisations", {"name": "Riverside County Council"})
    service = records.create(ws, "services", {"name": "Short breaks", "annual_cost": 250000})
    contract = records.create(ws, "contracts", {"service_id": service.id, "reference": "SB-01", "annual_value": 250000})
    payment = records.create(ws, "payments", {"paid_on": "31/03/2026", "supplier": "Acorn", "amount": "1,000",
                                              "contract_id": contract.id})
    measure = records.create(ws, "measures", {"name": "Families given a break", "service_id": service.id})
    share = records.create(ws, "service_commissioners", {"service_id": service.id, "organisation_id": org.id,
                                                         "share_pct": 100})

    gone = records.delete(ws, "services", service.id)
    assert {t for t, _ in gone.dependents} == {"contracts", "measures", "service_commissioners"}
    assert gone.cleared == [("payments", payment.id, "contract_id", contract.id)]
    with ws.read() as session:
        tombs = {(t.table_name, t.record_id) for t in session.scalars(select(Tombstone))}
        assert {("services", service.id), ("contracts", contract.id), ("measures", measure.id),
                ("service_commissioners", share.id)} <= tombs
        blanked = session.scalars(select(History).where(History.record_id == payment.id, History.op == "update")).one()
        assert blanked.field == "contract_id" and blanked.author_name == "alice on COUNCIL-LAPTOP"
    assert records.get(ws, "payments", payment.id)["contract_id"] is None

    records.restore(ws, gone)
    assert records.get(ws, "services", service.id)["annual_cost"] == 250000
    assert records.get(ws, "contracts", contract.id)["reference"] == "SB-01"
    assert records.get(ws, "measures", measure.id)["service_id"] == service.id
    assert records.get(ws, "payments", payment.id)["contract_id"] == contract.id
    with ws.read() as session:
        assert session.scalars(select(Tombstone).where(Tombstone.record_id == service.id)).first() is None


@pytest.mark.parametrize("kind, values", [
    ("agreements", {"title": "Short breaks pooled fund"}),
    ("evidence", {"title": "Young people's survey 2025"}),
    ("papers", {"title": "Commissioning strategy update"}),
])
def test_kinds_with_a_title_field_are_named_by_it(doc, kind, values):
    """A field called ``title`` must not hide the method that names a record."""
    from sqlalchemy import select

    from cypdesk.model import History

    ws = Workspace(doc, ALICE)
    made = records.create(ws, kind, values)
    assert made.title == values["title"]
    assert records.update(ws, kind, made.id, {"title": values["title"] + " (revised)"}).title.endswith("(revised)")
    gone = records.delete(ws, kind, made.id)
    assert gone.title == values["title"] + " (revised)"
    with ws.read() as session:
        titles = {h.record_title for h in session.scalars(select(History).where(History.record_id == made.id))}
    assert titles == {values["title"], values["title"] + " (revised)"}
