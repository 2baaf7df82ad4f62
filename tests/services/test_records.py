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


# --- declared limits: lengths and control characters (issue 7, item 11) ----------------------

def _one_of_each_text_kind():
    """A field of each text kind that declares a length: (kind, field, its limit)."""
    from cypdesk.model import kind_of
    from cypdesk.model.fields import fields_of

    return [("services", "name", "text", 300), ("services", "lgsl_code", "identifier", 10),
            ("people", "email", "email", dict(fields_of(kind_of("people")))["email"].max_length)]


def test_every_declared_length_is_read_from_the_column_and_no_text_column_is_left_without_one():
    """Each field's limit is its column's declared length (String(300): 300), and every
    short-text column declares one; only Text (long text) is unbounded."""
    from sqlalchemy import String, Text

    from cypdesk.model import RECORD_CLASSES
    from cypdesk.model.fields import meta_of

    checked = 0
    for model in RECORD_CLASSES:
        for column in model.__table__.columns:
            meta = meta_of(column)
            if meta is None:
                continue
            if isinstance(column.type, Text):
                assert meta.max_length is None, (model.__tablename__, column.key)
            elif isinstance(column.type, String):
                assert meta.max_length == column.type.length and meta.max_length, (model.__tablename__, column.key)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("kind, name, field_kind, limit", _one_of_each_text_kind())
def test_a_value_longer_than_its_declared_length_is_refused_naming_the_limit(doc, kind, name, field_kind, limit):
    """At the limit is saved; one character over is refused with the length and the
    limit in words, on create and on update, and nothing is written."""
    ws = Workspace(doc, ALICE)
    base = {"services": {"name": "Family support"}, "people": {"name": "Zoë O'Brien"}}[kind]
    at_limit = ("a" * (limit - len("@x.org")) + "@x.org") if field_kind == "email" else "A" * limit
    made = records.create(ws, kind, {**base, name: at_limit})
    assert records.get(ws, kind, made.id)[name] == at_limit
    too_long = "B" * (limit + 1) if field_kind != "email" else "b" * (limit + 1 - len("@x.org")) + "@x.org"
    from cypdesk.model import kind_of
    from cypdesk.model.fields import fields_of

    label = dict(fields_of(kind_of(kind)))[name].label
    expected = f"{label} is {limit + 1:,} characters long; the most it can hold is {limit:,}"
    with pytest.raises(ValidationError) as caught:
        records.update(ws, kind, made.id, {name: too_long})
    assert expected in caught.value.message
    assert caught.value.facts["problems"][0]["field"] == name
    assert records.get(ws, kind, made.id)[name] == at_limit
    with pytest.raises(ValidationError, match=expected):
        records.create(ws, kind, {**base, name: too_long})


def test_five_thousand_characters_in_a_name_of_300_is_refused_in_words(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Family support"})
    with pytest.raises(ValidationError) as caught:
        records.update(ws, "services", made.id, {"name": "x" * 5000})
    assert caught.value.message == (
        "The service was not saved: Service is 5,000 characters long; the most it can hold is 300.")
    assert records.get(ws, "services", made.id)["name"] == "Family support"


def test_long_text_has_no_declared_length_and_keeps_100000_characters(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Family support", "description": "word " * 20_000})
    assert len(records.get(ws, "services", made.id)["description"]) == 100_000


@pytest.mark.parametrize("name, text, position, code", [
    ("name", "Family\x00support", 7, "U+0000"),
    ("name", "Bell\x07", 5, "U+0007"),
    ("description", "Line one\nLine two\x1b[31m", 18, "U+001B"),
    ("description", "fine\tthen \x7f", 11, "U+007F"),
    ("lgsl_code", "12\x0c3", 3, "U+000C"),
])
def test_control_characters_other_than_tab_and_new_line_are_refused_with_their_position(doc, name, text, position, code):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Family support"})
    with pytest.raises(ValidationError) as caught:
        records.update(ws, "services", made.id, {name: text})
    assert f"({code}) at character {position}" in caught.value.message
    assert records.get(ws, "services", made.id)[name] == ("Family support" if name == "name" else None)


def test_tabs_and_new_lines_are_kept_and_windows_line_ends_become_new_lines(doc):
    ws = Workspace(doc, ALICE)
    made = records.create(ws, "services", {"name": "Family\tsupport",
                                           "description": "First line\r\nSecond line\rThird\n\tindented"})
    saved = records.get(ws, "services", made.id)
    assert saved["name"] == "Family\tsupport"
    assert saved["description"] == "First line\nSecond line\nThird\n\tindented"


def test_numbers_keep_their_declared_minimum(doc):
    """The numeric limits already checked stay checked beside the new ones."""
    ws = Workspace(doc, ALICE)
    with pytest.raises(ValidationError, match="Capacity must be at least 0"):
        records.create(ws, "services", {"name": "Family support", "capacity": "-1"})



def test_typed_numbers_are_read_like_imported_cells_commas_must_group_thousands():
    """coerce shares cypdesk.io.cellvalues.parse_number with the importer: "1,23" (a
    European 1.23?) is refused rather than read as 123, and (500) is minus 500."""
    from cypdesk.model.fields import FieldMeta

    number, whole = FieldMeta("Share", kind="number"), FieldMeta("Places", kind="integer")
    assert records.coerce(number, "1,234.5") == 1234.5
    assert records.coerce(number, "(500)") == -500.0
    assert records.coerce(FieldMeta("Rate", kind="percent"), "12.5%") == 12.5
    assert records.coerce(whole, "1,234") == 1234
    with pytest.raises(ValueError, match="thousands"):
        records.coerce(number, "1,23")
    with pytest.raises(ValueError, match="not a whole number"):
        records.coerce(whole, "12.5")
