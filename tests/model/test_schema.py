"""The schema's rules: text UUID keys everywhere partners merge (reliability case 36),
metadata declared once on every field, and identifiers kept as text."""

import sqlite3

import pytest
from sqlalchemy import String, create_engine

from cypdesk.model import BOOKKEEPING_TABLES, KINDS, RECORD_CLASSES, Base, Contract, Decommissioning, Person
from cypdesk.model.fields import confidential_fields, fields_of, personal_fields


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "fresh.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def test_every_merged_table_has_a_text_uuid_key_and_no_other_unique_index(schema):
    tables = [r[0] for r in schema.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
    merged = [t for t in tables if t not in BOOKKEEPING_TABLES]
    assert set(merged) == set(KINDS)
    for table in merged:
        pk = [(r[1], r[2]) for r in schema.execute(f'PRAGMA table_info("{table}")') if r[5]]
        assert pk == [("id", "VARCHAR(36)")], table
        sql = schema.execute("SELECT sql FROM sqlite_schema WHERE name=?", (table,)).fetchone()[0]
        assert "AUTOINCREMENT" not in sql.upper(), table
        for index in schema.execute(f'PRAGMA index_list("{table}")'):
            name, unique, origin = index[1], index[2], index[3]
            assert not unique or origin == "pk", f"{table} has a unique index {name}: partners' rows would collide"


def test_kinds_are_the_command_lines_plural_names():
    for name in ("organisations", "people", "areas", "services", "contracts", "payments", "indicators",
                 "indicator_values", "evidence", "priorities", "teams", "memberships", "agreements",
                 "contributions", "returns", "measures", "measurements", "actions", "risks", "meetings", "papers"):
        assert name in KINDS


def test_every_field_is_declared_with_a_label_and_valid_choices():
    for model in RECORD_CLASSES:
        declared = {name for name, _ in fields_of(model, include_system=True)}
        columns = {c.key for c in model.__table__.columns}
        assert declared == columns, f"{model.__name__} has columns without metadata: {columns - declared}"
        for name, meta in fields_of(model, include_system=True):
            assert meta.label.strip(), (model.__name__, name)
            if meta.choices is not None:
                column = model.__table__.columns[name]
                assert column.default is None or column.default.arg in meta.choices, (model.__name__, name)
        assert model.__label__, model.__name__


def test_identifiers_are_text_never_numbers():
    for model in RECORD_CLASSES:
        for name, meta in fields_of(model, include_system=True):
            if meta.kind in ("identifier", "reference"):
                assert isinstance(model.__table__.columns[name].type, String), (model.__name__, name)


def test_confidential_and_personal_fields_are_declared():
    assert {"annual_value", "total_value"} <= set(confidential_fields(Contract))
    assert "rationale" in confidential_fields(Decommissioning)
    assert set(personal_fields(Person)) == {"email", "phone"}


def test_the_generated_catalog_matches_the_models():
    """``cypdesk/model/catalog.py`` is generated: regenerate it with
    ``python -m cypdesk.model.catalog_build`` after changing a model."""
    from cypdesk.model import catalog_build

    assert catalog_build.target().read_text(encoding="utf-8") == catalog_build.render()
