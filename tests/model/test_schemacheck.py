"""A received file runs its own code unless it is refused (issue 7 item 1; reliability
cases 10-13): golden schemas for every revision, and the check every open makes against
them before anything could fire."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk import paths
from cypdesk.common.errors import ForeignSchema
from cypdesk.model import dbfile, document, migrate, schemacheck
from cypdesk.model.document import Document, list_recoverable, recover, restore_saved_version
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from tests.tampering import TRIGGER, folder_state, tamper

REPO = Path(__file__).resolve().parents[2]
V1 = REPO / "tests" / "fixtures" / "schema_v1.cypdesk"
VERSIONS = REPO / "cypdesk" / "model" / "migrations" / "versions"


def revisions() -> list[int]:
    return sorted(int(m.group(1)) for p in VERSIONS.glob("*.py") if (m := re.match(r"^(\d{4})_", p.name)))


def describe_file(path: Path, version: int | None = None) -> dict:
    with closing(dbfile.probe(path)) as conn:
        return schemacheck.describe(conn, version)


@pytest.fixture
def demo(demo_path) -> Path:
    """A copy of the small demo, alone in its folder."""
    folder = demo_path.parent / "share"
    folder.mkdir()
    return Path(shutil.move(demo_path, folder / "x.cypdesk"))


# --- the golden schemas ------------------------------------------------------------------------

def test_every_migration_has_its_golden_schema_and_every_golden_its_migration():
    """Adding a revision to migrations/versions without its golden schema fails here
    (``python -m cypdesk.model.schemacheck write`` makes it)."""
    revs = revisions()
    assert revs == list(range(1, len(revs) + 1)) and revs[-1] == CURRENT_SCHEMA_VERSION == migrate.head_version()
    goldens = sorted(int(p.stem) for p in schemacheck.GOLDEN_DIR.glob("*.json"))
    assert goldens == revs, "run: python -m cypdesk.model.schemacheck write"


@pytest.mark.parametrize("version", revisions())
def test_each_golden_schema_is_what_the_migrations_build_up_to_its_revision(version):
    """A revision changed after its golden was written (or a golden edited by hand)
    fails here: the golden must equal a fresh file migrated up to that revision."""
    assert schemacheck.build_golden(version) == schemacheck.golden(version)


def test_a_new_document_has_exactly_the_golden_schema_of_head(tmp_path):
    path = dbfile.create_document_file(tmp_path / "new.cypdesk")
    assert describe_file(path) == schemacheck.golden(CURRENT_SCHEMA_VERSION)


def test_the_schema_1_fixture_and_each_migration_of_it_match_their_goldens(tmp_path):
    """The real schema-1 file, migrated one revision at a time, matches the golden of
    each revision: a migrated file and a fresh one do not differ."""
    path = tmp_path / "v1.cypdesk"
    shutil.copy(V1, path)
    assert describe_file(path) == schemacheck.golden(1)
    for version in range(2, CURRENT_SCHEMA_VERSION + 1):
        migrate.migrate_file(path, backup=False, target_version=version)
        assert describe_file(path) == schemacheck.golden(version), f"after migrating to {version}"


def test_the_check_is_cheap_on_the_demo(demo):
    """A few milliseconds on the small demo (measured about 7 ms; the bound leaves room for a busy CI)."""
    import time

    with closing(dbfile.probe(demo)) as conn:
        schemacheck.problems(conn, CURRENT_SCHEMA_VERSION)  # golden loaded once
        start = time.perf_counter()
        for _ in range(5):
            assert schemacheck.problems(conn, CURRENT_SCHEMA_VERSION) == []
        assert (time.perf_counter() - start) / 5 < 0.1


def test_tokens_normalise_quoting_case_space_and_comments_but_not_strings():
    assert schemacheck.tokens('CHECK ( "Name"  <> \'X y\' /* c */ -- d\n)') == ["check", "(", "name", "<>", "'X y'", ")"]
    assert schemacheck.check_constraints("CREATE TABLE t (a INT CHECK (a > 0), CHECK(spy(a)))") == ["a > 0", "spy ( a )"]


# --- case 10: a view in place of a table, an extra column, a changed type ----------------------

CASE10 = {
    "a view in place of a table": (
        ["ALTER TABLE contracts RENAME TO real_contracts",
         "CREATE VIEW contracts AS SELECT id, service_id, annual_value * 1000 AS annual_value FROM real_contracts"],
        False, ["'contracts' is a view, not a table", "an extra table 'real_contracts'"]),
    "an extra column": (["ALTER TABLE services ADD COLUMN x TEXT"], False, ["an extra column 'x' in services"]),
    "a changed column type": (
        ["UPDATE sqlite_schema SET sql = replace(sql, 'annual_cost FLOAT', 'annual_cost TEXT') WHERE name='services'"],
        True, ["the column 'annual_cost' of services has type TEXT", "column type changed"]),
    "a table of its own": (["CREATE TABLE notes (n TEXT)"], False, ["an extra table 'notes'"]),
    "a virtual table": (["CREATE VIRTUAL TABLE search USING fts4(body)"], False, ["'search' is a virtual table"]),
    "a collation": (
        ["UPDATE sqlite_schema SET sql = replace(sql, 'name VARCHAR(300) NOT NULL,', "
         "'name VARCHAR(300) NOT NULL COLLATE nocase,') WHERE name='services'"],
        True, ["a column of services has a changed collation (nocase)"]),
    "a missing index": (["DROP INDEX ix_services_team_id"], False, ["the index 'ix_services_team_id' on services is missing"]),
}


@pytest.mark.parametrize("case", list(CASE10))
def test_case10_a_changed_structure_is_refused_on_every_open_and_the_file_is_unchanged(demo, case):
    """Case 10: inspect_file, Document.open (read-write and read-only) all refuse with
    ForeignSchema naming what was found (exit code 1), and nothing in the folder changes."""
    statements, writable, words = CASE10[case]
    tamper(demo, *statements, writable_schema=writable)
    before = folder_state(demo.parent)
    for attempt in (lambda: dbfile.inspect_file(demo), lambda: Document.open(demo),
                    lambda: Document.open(demo, read_only=True)):
        with pytest.raises(ForeignSchema) as err:
            attempt()
        assert err.value.code == "foreign_schema" and err.value.exit_code == 1
        for w in words:
            assert w in err.value.message, err.value.message
        assert err.value.facts["count"] == len(err.value.facts["found"]) >= 1
        assert demo.name in err.value.message and "cypdesk rescue" in err.value.message
    assert folder_state(demo.parent) == before
    assert not list(paths.working_dir().iterdir())  # no working copy was made


def test_the_message_names_a_few_differences_and_counts_the_rest(demo):
    tamper(demo, *[f"CREATE TABLE extra{i} (n TEXT)" for i in range(7)])
    with pytest.raises(ForeignSchema) as err:
        dbfile.inspect_file(demo)
    assert "and 3 more (7 differences" in err.value.message and len(err.value.facts["found"]) == 7


def test_sqlites_own_statistics_after_analyze_are_accepted(demo):
    """ANALYZE (run by a DBA with the sqlite3 shell) adds sqlite_stat1, SQLite's own
    table that only steers the query planner: not a difference."""
    tamper(demo, "ANALYZE")
    with closing(sqlite3.connect(demo)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name='sqlite_stat1'").fetchone()[0] == 1
    assert dbfile.inspect_file(demo).schema_version == CURRENT_SCHEMA_VERSION


# --- case 11: triggers -------------------------------------------------------------------------

def _services_row(path: Path) -> tuple[str, str, int]:
    with closing(sqlite3.connect(path)) as conn:
        sid, name = conn.execute("SELECT id, name FROM services ORDER BY id LIMIT 1").fetchone()
        return sid, name, conn.execute("SELECT count(*) FROM history").fetchone()[0]


def test_case11_a_trigger_is_refused_before_it_can_fire(demo):
    """Case 11, the issue's reproduction: a trigger that renames the service and empties
    the history is refused by every open, never fires, and the file is unchanged."""
    tamper(demo, TRIGGER)
    sid, name, history = _services_row(demo)
    before = folder_state(demo.parent)
    for attempt in (lambda: dbfile.inspect_file(demo), lambda: Document.open(demo),
                    lambda: Document.open(demo, read_only=True), lambda: migrate.migrate_file(demo)):
        with pytest.raises(ForeignSchema) as err:
            attempt()
        assert "a trigger 'evil' on services" in err.value.message
    assert folder_state(demo.parent) == before
    assert _services_row(demo) == (sid, name, history) and name != "PWNED" and history > 0


def test_case11_an_older_file_with_a_trigger_is_refused_before_migration_or_backup(tmp_path):
    """A schema-1 file carrying a trigger: refused before the migration (and before
    the backup it would make), against the golden of schema 1."""
    path = tmp_path / "share" / "old.cypdesk"
    path.parent.mkdir()
    shutil.copy(V1, path)
    tamper(path, TRIGGER)
    before = folder_state(path.parent)
    with pytest.raises(ForeignSchema) as err:
        Document.open(path)
    assert "schema 1" in err.value.message and err.value.facts["schema_version"] == 1
    with pytest.raises(ForeignSchema):
        migrate.migrate_file(path)
    assert folder_state(path.parent) == before
    assert not paths.backup_dir().exists() or not list(paths.backup_dir().iterdir())


def _hot_copy(src: Path, dst: Path, *statements: str) -> Path:
    """``dst`` as a power cut would leave it: a copy of ``src`` and its journal taken in
    the middle of a write transaction (statements, then enough rows that pages spill to
    the file), so ``dst-journal`` is hot."""
    conn = sqlite3.connect(src, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size=5")
        conn.execute("BEGIN IMMEDIATE")
        for sql in statements:
            conn.execute(sql)
        conn.execute("DELETE FROM indicator_values")
        shutil.copyfile(src, dst)
        shutil.copyfile(f"{src}-journal", f"{dst}-journal")
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    return dst


def test_a_hot_journal_is_checked_as_it_will_be_rolled_back_and_the_file_left_alone(demo, tmp_path):
    """With a hot journal the schema that counts is the one after the rollback (the
    journal restores pages): checked on a rolled-back copy, before anything rolls back
    the file itself. A trigger in the committed state is refused; one that only the
    unfinished transaction created is not there once rolled back, so that file opens."""
    armed = tmp_path / "armed.cypdesk"
    shutil.copy(demo, armed)
    tamper(armed, TRIGGER)
    hot = _hot_copy(armed, demo.parent / "hot.cypdesk")
    before = folder_state(demo.parent)
    with pytest.raises(ForeignSchema) as err:
        dbfile.inspect_file(hot)
    assert "a trigger 'evil' on services" in err.value.message
    with pytest.raises(ForeignSchema):
        Document.open(hot)
    assert folder_state(demo.parent) == before  # journal still hot, file not rolled back

    clean_hot = _hot_copy(demo, tmp_path / "clean-hot.cypdesk", TRIGGER)  # the trigger is uncommitted
    status = dbfile.inspect_file(clean_hot)
    assert status.hot_journal
    with Document.open(clean_hot) as doc:
        with closing(sqlite3.connect(doc.working_path)) as conn:
            assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE type='trigger'").fetchone()[0] == 0


def test_case11_a_working_copy_with_a_trigger_is_refused_by_recovery(demo):
    """recover() checks the working copy before its rollback and before any write."""
    doc = Document.open(demo)
    with closing(sqlite3.connect(doc.working_path, isolation_level=None)) as conn:
        conn.execute("UPDATE services SET capacity = 7")
        conn.execute(TRIGGER)
    doc.mark_dirty()
    doc._state["pid"] = 0  # as if cypdesk had stopped: recoverable
    doc._write_state()
    doc._closed = True
    doc._lock.release()
    item = next(i for i in list_recoverable() if i.source == demo)
    before = folder_state(item.working_dir)
    with pytest.raises(ForeignSchema):
        recover(item)
    assert folder_state(item.working_dir) == before


def test_case11_a_saved_version_with_a_trigger_is_not_restored(demo):
    with Document.open(demo) as doc:
        with doc.writing() as conn:
            conn.exec_driver_sql("UPDATE services SET capacity = 9")
        doc.save()
        version = document.list_saved_versions(demo)[0]
        tamper(version.path, TRIGGER)
        work_before = doc.working_path.read_bytes()
        with pytest.raises(ForeignSchema):
            restore_saved_version(doc, version)
        assert doc.working_path.read_bytes() == work_before


# --- case 12: schema objects calling a function the app registers -----------------------------

CASE12 = {
    "CHECK": ["UPDATE sqlite_schema SET sql = substr(sql, 1, length(sql) - 2) || ', CHECK (spy(name) > 0)\n)' "
              "WHERE name='services'"],
    "DEFAULT": ["UPDATE sqlite_schema SET sql = replace(sql, 'annual_cost FLOAT,', 'annual_cost FLOAT DEFAULT (spy()),') "
                "WHERE name='services'"],
    "index": ["CREATE INDEX ix_evil ON services (spy(name))"],
    "generated column": ["ALTER TABLE services ADD COLUMN evil TEXT AS (spy(name)) VIRTUAL"],
}


@pytest.mark.parametrize("kind", list(CASE12))
def test_case12_an_object_calling_an_app_function_is_refused_and_the_spy_never_called(demo, kind, monkeypatch, capsys):
    """Case 12, with sqlite3.connect patched so that EVERY connection the app opens has
    a spy function registered (as if the app registered functions of its own): the
    file is refused by inspect_file, Document.open and `cypdesk set`, the spy is never
    called, and the file is unchanged."""
    from cypdesk.cli import main

    tamper(demo, *CASE12[kind], writable_schema=kind in ("CHECK", "DEFAULT"))
    with closing(sqlite3.connect(demo)) as conn:  # the tampering took
        sql = conn.execute("SELECT group_concat(sql) FROM sqlite_schema WHERE tbl_name='services'").fetchone()[0]
    assert "spy(" in sql
    calls = []
    real_connect = sqlite3.connect

    def connect_with_spy(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.create_function("spy", -1, lambda *a: calls.append(a) or 1, deterministic=True)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_with_spy)
    sid = _services_row(demo)[0]
    before = folder_state(demo.parent)
    with pytest.raises(ForeignSchema):
        dbfile.inspect_file(demo)
    with pytest.raises(ForeignSchema):
        Document.open(demo)
    assert main(["set", str(demo), "services", sid, "annual_cost=1", "--json"]) == 1
    assert '"foreign_schema"' in capsys.readouterr().out
    assert calls == []
    assert folder_state(demo.parent) == before


# --- case 13: the hardening of every connection the app opens ----------------------------------

def _connections(path: Path, scratch: Path):
    """Every kind of connection cypdesk opens, by name: (name, connection, untrusted)."""
    yield "document read-write (dbfile.connect)", dbfile.connect(path), False
    yield "document read-only (dbfile.connect, the window's reader)", dbfile.connect(path, read_only=True), False
    engine = dbfile.make_engine(path)
    raw = engine.raw_connection()
    yield "engine (dbfile.make_engine)", raw.driver_connection, False
    raw.close()
    engine.dispose()
    yield "check on open and rescue's reader (dbfile.probe)", dbfile.probe(path), True
    shutil.copy(path, scratch / "hot.cypdesk")
    yield "rolled-back copy (dbfile.rolled_back_copy)", dbfile.rolled_back_copy(scratch / "hot.cypdesk", scratch), True


def _kinds():
    return ["document read-write", "document read-only", "engine", "probe", "rolled-back copy"]


@pytest.mark.parametrize("index", range(5), ids=_kinds())
def test_case13_hardening_report_of_every_connection_kind(demo, tmp_path, index):
    """Case 13: trusted_schema 0, cell_size_check 1, mmap_size 0, extension loading off
    on every kind of connection; a connection that looks at an untrusted file can attach
    nothing. (Defensive mode: the two tests below.)"""
    gen = _connections(demo, tmp_path)
    for _ in range(index):
        _name, conn, _ = next(gen)
        conn.close()
    name, conn, untrusted = next(gen)
    try:
        report = dbfile.hardening_report(conn)
        assert (report["trusted_schema"], report["cell_size_check"], report["mmap_size"]) == (0, 1, 0), name
        if hasattr(conn, "load_extension"):
            with pytest.raises(sqlite3.OperationalError, match="not authorized"):
                conn.load_extension("nothing_here")
        if untrusted:
            assert conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) == 0
            with pytest.raises(sqlite3.OperationalError):
                conn.execute("ATTACH ':memory:' AS other")
    finally:
        conn.close()


@pytest.mark.parametrize("index", range(5), ids=_kinds())
def test_case13_defensive_mode_is_on_wherever_python_can_set_it(demo, tmp_path, index):
    """Where sqlite3 has Connection.setconfig (Python >= 3.12) every connection kind
    must be in defensive mode and refuse to rewrite sqlite_schema. On Python 3.11 it
    cannot be set: hardening_report says so (the test below records that gap and fails
    once the project moves to 3.12, so this one then takes over)."""
    gen = _connections(demo, tmp_path)
    for _ in range(index):
        next(gen)[1].close()
    name, conn, _ = next(gen)
    try:
        report = dbfile.hardening_report(conn)
        if hasattr(sqlite3.Connection, "setconfig"):
            assert report["defensive"] is True, name
            conn.execute("PRAGMA writable_schema=ON")
            with pytest.raises(sqlite3.Error):
                conn.execute("UPDATE sqlite_schema SET sql = sql WHERE name = 'nothing'")
        else:
            assert report["defensive"] is None and "setconfig" in report["defensive_note"], name
    finally:
        conn.close()


def test_case13_python_311_limit_recorded_no_defensive_mode(demo):
    """Records the gap on this Python: no Connection.setconfig, so defensive mode is
    off and a connection with writable_schema can rewrite sqlite_schema (anchors E7,
    E8). The schema check on open is what protects cypdesk here. FAILS ON PURPOSE on
    Python >= 3.12: delete it then; the test above requires defensive mode everywhere."""
    assert sys.version_info < (3, 12) and not hasattr(sqlite3.Connection, "setconfig"), (
        "Python now has Connection.setconfig: delete this test; "
        "test_case13_defensive_mode_is_on_wherever_python_can_set_it now requires defensive mode")
    with closing(dbfile.connect(demo)) as conn:
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_schema SET sql = sql WHERE name = 'nothing'")  # allowed: not defensive
