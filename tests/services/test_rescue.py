"""``rescue``: a clean copy of a refused document keeps every row that satisfies the
model's constraints (types, required fields, references) with its id, and lists the
rest; the source is never written (issue 7 item 1, DESIGN.md section 9)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.common.errors import DamagedDocument, ForeignSchema, NotADocument
from cypdesk.model import dbfile, migrate, schemacheck
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from cypdesk.services.rescue import rescue, summary, type_rule

REPO = Path(__file__).resolve().parents[2]
V1 = REPO / "tests" / "fixtures" / "schema_v1.cypdesk"
TRIGGER = ("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
           "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def tamper(path: Path, *statements: str, writable_schema: bool = False) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        if writable_schema:
            conn.execute("PRAGMA writable_schema=ON")
        for sql in statements:
            conn.execute(sql)


def rows(path: Path, table: str) -> dict[str, tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0]: tuple(r) for r in conn.execute(f'SELECT * FROM "{table}"')}


def ids(path: Path, sql: str) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute(sql)]


@pytest.fixture
def source(demo_path, tmp_path) -> Path:
    folder = tmp_path / "received"
    folder.mkdir()
    return Path(shutil.move(demo_path, folder / "partner.cypdesk"))


def test_rows_breaking_types_required_fields_or_references_are_left_out_and_listed(source, tmp_path):
    """A service whose required name is empty (its NOT NULL dropped from the schema), a
    service whose cost is text, a contract pointing at a service that does not exist:
    each is left out with its table, id and reason, and so is every row that referred
    to the services left out; every other row is kept with its id."""
    required, typed = ids(source, "SELECT id FROM services WHERE id IN (SELECT service_id FROM contracts) "
                                   "ORDER BY id LIMIT 2")
    orphan = ids(source, f"SELECT id FROM contracts WHERE service_id NOT IN ('{required}', '{typed}') LIMIT 1")[0]
    tamper(source,
           "UPDATE sqlite_schema SET sql = replace(sql, 'name VARCHAR(300) NOT NULL,', 'name VARCHAR(300),') "
           "WHERE name='services'", writable_schema=True)
    tamper(source, f"UPDATE services SET name = NULL WHERE id = '{required}'",
           f"UPDATE services SET annual_cost = 'lots' WHERE id = '{typed}'",
           f"UPDATE contracts SET service_id = 'no-such-service' WHERE id = '{orphan}'")
    with pytest.raises(ForeignSchema):
        dbfile.inspect_file(source)
    before = snapshot(source.parent)
    out = tmp_path / "clean.cypdesk"
    result = rescue(source, out)
    assert snapshot(source.parent) == before

    left = {(i["table"], i["id"]): i["reason"] for i in result["left_out"]}
    assert left[("services", required)] == "the required field name is empty"
    assert left[("services", typed)] == "annual_cost should be a number, not 'lots'"
    assert left[("contracts", orphan)] == "service_id refers to services 'no-such-service', which is not in the file"
    children = ids(source, f"SELECT id FROM contracts WHERE service_id IN ('{required}', '{typed}')")
    assert children and all(("contracts", c) in left for c in children)
    assert "refers to services" in left[("contracts", children[0])]
    assert result["rejected"] == len(result["left_out"])
    assert any("services" in f and "required" in f for f in result["foreign"])  # the dropped NOT NULL

    dbfile.inspect_file(out)  # sound, cypdesk's schema
    for table in ("services", "contracts", "organisations", "history"):
        kept = rows(out, table)
        expected = {k: v for k, v in rows(source, table).items() if (table, k) not in left}
        assert kept == expected, table
    assert result["kept_by_table"]["services"] == len(rows(out, "services"))
    assert "left out services" in summary(result)


def test_a_view_in_place_of_a_table_is_never_read_and_its_table_is_empty(source, tmp_path):
    """Case 10's view in place of a table (over a table of the file's own): neither is
    read, the copy's risks table is empty, and both objects are listed as left out."""
    tamper(source, "ALTER TABLE risks RENAME TO real_risks",
           "CREATE VIEW risks AS SELECT * FROM real_risks")
    result = rescue(source, tmp_path / "clean.cypdesk")
    assert "'risks' is a view, not a table" in result["foreign"]
    assert "an extra table 'real_risks'" in result["foreign"]
    assert rows(tmp_path / "clean.cypdesk", "risks") == {}
    assert "risks" not in result["kept_by_table"]


def test_an_older_file_with_a_trigger_is_rescued_at_its_revision_then_migrated(tmp_path):
    """The schema-1 fixture with a trigger: the clean copy is at head and holds what
    migrating the fixture gives, row for row."""
    source = tmp_path / "old.cypdesk"
    shutil.copy(V1, source)
    tamper(source, TRIGGER)
    result = rescue(source, tmp_path / "clean.cypdesk")
    assert result["from_version"] == 1 and result["schema_version"] == CURRENT_SCHEMA_VERSION
    assert result["foreign"] == ["a trigger 'evil' on services"] and result["rejected"] == 0
    migrated = tmp_path / "migrated.cypdesk"
    shutil.copy(V1, migrated)
    migrate.migrate_file(migrated, backup=False)
    with closing(sqlite3.connect(migrated)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
    for table in tables:
        assert rows(tmp_path / "clean.cypdesk", table) == rows(migrated, table), table


def test_a_sound_document_is_copied_whole(source, tmp_path):
    result = rescue(source, tmp_path / "copy.cypdesk")
    assert result["rejected"] == 0 and result["foreign"] == []
    assert result["kept"] == sum(result["kept_by_table"].values()) > 0


def test_a_source_with_a_hot_journal_is_rescued_as_rolled_back_and_left_alone(source, tmp_path):
    """A copy taken mid-transaction (a power cut): the rescue reads a rolled-back copy
    of it, so the clean copy has the committed rows; file and journal stay as they were."""
    tamper(source, TRIGGER)
    committed = rows(source, "indicator_values")
    hot = source.parent / "hot.cypdesk"
    conn = sqlite3.connect(source, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size=5")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM indicator_values")
        shutil.copyfile(source, hot)
        shutil.copyfile(f"{source}-journal", f"{hot}-journal")
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    before = snapshot(source.parent)
    result = rescue(hot, tmp_path / "clean.cypdesk")
    assert snapshot(source.parent) == before
    assert result["foreign"] == ["a trigger 'evil' on services"]
    assert rows(tmp_path / "clean.cypdesk", "indicator_values") == committed and committed


def test_a_damaged_source_keeps_what_can_be_read_and_says_what_could_not(source, tmp_path):
    """A page in the middle of indicator_values overwritten (a bad sector): open refuses
    the file as damaged; rescue keeps every other table whole, the rows of
    indicator_values it could read, and says the rest could not be read."""
    with closing(sqlite3.connect(source)) as conn:
        try:
            leaves = [r[0] for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name='indicator_values' AND pagetype='leaf' ORDER BY pageno")]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find the pages")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    services = rows(source, "services")
    data = bytearray(source.read_bytes())
    start = (leaves[len(leaves) // 2] - 1) * page_size
    data[start + 100:start + page_size] = b"\xff" * (page_size - 100)
    source.write_bytes(bytes(data))
    with pytest.raises(DamagedDocument):
        dbfile.inspect_file(source)
    before = snapshot(source.parent)
    result = rescue(source, tmp_path / "clean.cypdesk")
    assert snapshot(source.parent) == before
    assert len(result["unreadable"]) == 1 and result["unreadable"][0].startswith("indicator_values: only ")
    assert 0 < result["kept_by_table"]["indicator_values"]
    assert rows(tmp_path / "clean.cypdesk", "services") == services
    dbfile.inspect_file(tmp_path / "clean.cypdesk")


def test_what_rescue_cannot_read_is_refused_and_nothing_is_written(tmp_path):
    bad = tmp_path / "notes.cypdesk"
    bad.write_bytes(b"PK\x03\x04 not a database")
    with pytest.raises(NotADocument):
        rescue(bad, tmp_path / "out.cypdesk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.cypdesk"]


def test_every_column_type_in_the_golden_schemas_has_a_rule():
    for version in range(1, CURRENT_SCHEMA_VERSION + 1):
        for table in schemacheck.golden(version)["tables"].values():
            for column in table["columns"]:
                type_rule(column["type"])


@pytest.mark.parametrize("declared, good, bad", [
    ("VARCHAR(36)", "abc", 12), ("TEXT", "", b"bytes"), ("BOOLEAN", 1, 2), ("INTEGER", 3, 3.5),
    ("FLOAT", 2.5, "2.5"), ("DATE", "2026-03-31", "31/03/2026"),
    ("DATETIME", "2026-03-31 14:05:00.000000", "2026-02-30 10:00:00"),
    ("BLOB", b"\x89PNG\r\n", "\x89PNG"),
])
def test_type_rules(declared, good, bad):
    test, _words = type_rule(declared)
    assert test(good) and not test(bad)
