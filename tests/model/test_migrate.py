"""Schema migrations: backup first, foreign keys off, one transaction, row counts kept
(reliability cases 63-66, E21), and models and migrations that cannot drift apart."""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.pool import NullPool

from cypdesk import paths
from cypdesk.common.errors import MigrationFailed, NewerDocument
from cypdesk.model import dbfile, migrate
from cypdesk.model.migrate import CURRENT_SCHEMA_VERSION

TEST_STEP = CURRENT_SCHEMA_VERSION + 1  # a throwaway revision added after head by some tests

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
V1 = FIXTURES / "schema_v1.cypdesk"
CHILD_TABLES = ("contracts", "service_outcomes")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def v1(tmp_path) -> Path:
    path = tmp_path / "northshire.cypdesk"
    shutil.copyfile(V1, path)
    return path


def counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


# --- the revisions themselves -----------------------------------------------------------

def test_head_is_the_current_schema_version_and_ids_are_a_numbered_chain():
    assert migrate.head_version() == CURRENT_SCHEMA_VERSION
    script = migrate.script_directory()
    for v in range(1, CURRENT_SCHEMA_VERSION + 1):
        rev = script.get_revision(migrate.revision_id(v))
        assert rev.down_revision == (migrate.revision_id(v - 1) if v > 1 else None)


def test_revisions_are_frozen_code():
    """Revisions never import the models: a later model change must not change what an
    old revision does."""
    for path in (migrate.SCRIPT_LOCATION / "versions").glob("*.py"):
        source = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+cypdesk", source, re.MULTILINE), path.name


def test_schema_from_migrations_equals_the_models(tmp_path):
    """Migrating 0 -> head gives exactly Base.metadata: Alembic's compare_metadata finds
    no difference (tables, columns, types, nullability, indexes, foreign keys)."""
    import cypdesk.model as model

    path = migrate.build_new_file(tmp_path / "head.cypdesk")
    engine = dbfile.make_engine(path, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            diffs = compare_metadata(context, model.Base.metadata)
    finally:
        engine.dispose()
    assert diffs == []


def _schema(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL").fetchall()
    return {name: " ".join(sql.replace('"', "").split()) for name, sql in rows}


def test_the_v1_fixture_has_exactly_the_schema_of_revision_0001(tmp_path):
    """The checked-in fixture (raw SQL in make_schema_v1.py) is what 0001 makes."""
    built = tmp_path / "v1.cypdesk"
    built.write_bytes(b"")
    migrate.upgrade_in_transaction(built, 0, 1)
    assert _schema(built) == _schema(V1)
    assert pragma(V1, "user_version") == 1


# --- the harness ---------------------------------------------------------------------------

def test_migrating_the_v1_fixture(v1, monkeypatch):
    """Cases 63, 64, 66: the backup exists and passes integrity_check before the first
    DDL; afterwards user_version is 2, every table has its rows (contracts included),
    foreign keys are whole and back on."""
    before = counts(v1)
    assert before["contracts"] == 3
    real_upgrade = migrate.upgrade_in_transaction
    seen = {}

    def spy(path, old, new):
        backups = list(paths.backup_dir().glob("northshire-*-schema1.cypdesk"))
        seen["backups"] = backups
        seen["backup_ok"] = [dbfile.integrity_check(b) for b in backups]
        seen["schema_then"] = pragma(path, "user_version")
        return real_upgrade(path, old, new)

    monkeypatch.setattr(migrate, "upgrade_in_transaction", spy)
    result = migrate.migrate_file(v1)
    assert len(seen["backups"]) == 1 and seen["backup_ok"] == [None] and seen["schema_then"] == 1
    assert result.backup == seen["backups"][0]
    assert re.fullmatch(r"northshire-\d{8}-\d{6}-schema1\.cypdesk", result.backup.name)
    assert pragma(result.backup, "user_version") == 1
    later = tuple(f"{n:04d}" for n in range(2, CURRENT_SCHEMA_VERSION + 1))
    assert (result.from_version, result.to_version, result.revisions) == (1, CURRENT_SCHEMA_VERSION, later)
    assert pragma(v1, "user_version") == CURRENT_SCHEMA_VERSION
    after = counts(v1)
    assert {t: after[t] for t in before} == before  # every row of every table kept
    assert all(after[t] == 0 for t in set(after) - set(before))  # tables added by later revisions start empty
    assert result.row_counts_before == before and result.row_counts_after == after
    with dbfile.opened(v1) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = [r[1] for r in conn.execute("PRAGMA table_info(services)")]
        assert {"lgsl_code", "oruk_id"} <= set(columns)
        assert conn.execute("SELECT count(*) FROM contracts c JOIN services s ON s.id = c.service_id").fetchone()[0] == 3


def test_a_file_at_head_is_left_alone(tmp_path):
    path = dbfile.create_document_file(tmp_path / "new.cypdesk")
    digest = sha(path)
    result = migrate.migrate_file(path)
    assert not result.migrated and result.backup is None
    assert sha(path) == digest and list(paths.backup_dir().iterdir()) == []


def test_a_newer_file_is_never_touched(v1):
    with closing(sqlite3.connect(v1, isolation_level=None)) as conn:
        conn.execute("PRAGMA user_version=99")
    digest = sha(v1)
    with pytest.raises(NewerDocument):
        migrate.migrate_file(v1)
    assert sha(v1) == digest


def test_case63_backup_failure_means_no_migration(v1, monkeypatch):
    """Case 63: if the backup cannot be written, the migration does not start and the
    file is unchanged."""
    digest = sha(v1)
    upgrades = []

    def no_space(source, dest):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(migrate, "_write_backup", no_space)
    monkeypatch.setattr(migrate, "upgrade_in_transaction", lambda *a: upgrades.append(a))
    with pytest.raises(MigrationFailed) as err:
        migrate.migrate_file(v1)
    assert "backup" in err.value.message and "disk is full" in err.value.message
    assert err.value.facts["stage"] == "backup"
    assert upgrades == [] and sha(v1) == digest


def test_a_backup_that_fails_its_check_is_not_kept(v1, monkeypatch):
    monkeypatch.setattr(dbfile, "integrity_check", lambda *a, **k: "row 3 missing from index")
    with pytest.raises(MigrationFailed, match="integrity check"):
        migrate.migrate_file(v1)
    assert list(paths.backup_dir().iterdir()) == []
    assert pragma(v1, "user_version") == 1


def _scripts_with(tmp_path: Path, monkeypatch, *, patch_0002: str | None = None,
                  extra: str | None = None) -> None:
    """A copy of the revisions with 0002 changed, or a test revision added after head."""
    location = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPT_LOCATION, location, ignore=shutil.ignore_patterns("__pycache__"))
    if patch_0002:
        p = location / "versions" / "0002_services_lgsl_oruk.py"
        source = p.read_text()
        marker = "        batch_op.add_column(sa.Column('oruk_id', sa.String(length=64), nullable=True))\n"
        assert marker in source
        p.write_text(source.replace(marker, marker + patch_0002, 1))
    if extra:
        new, head = f"{TEST_STEP:04d}", f"{TEST_STEP - 1:04d}"
        (location / "versions" / f"{new}_test_step.py").write_text(
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = '{new}'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n" + extra
        )
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", location)


def test_case65_a_step_that_fails_midway_changes_nothing(v1, tmp_path, monkeypatch):
    """Case 65: a revision raises after its DDL ran (the services table already
    recreated): everything is rolled back, the file is byte for byte as it was, its
    user_version unchanged, and the error names the file and the backup."""
    _scripts_with(tmp_path, monkeypatch, patch_0002="    raise RuntimeError('step 2 of 2 failed')\n")
    digest = sha(v1)
    with pytest.raises(MigrationFailed) as err:
        migrate.migrate_file(v1)
    assert "northshire.cypdesk" in err.value.message and "step 2 of 2 failed" in err.value.message
    assert "has not been changed" in err.value.message and err.value.facts["backup"]
    assert sha(v1) == digest and pragma(v1, "user_version") == 1
    assert not Path(f"{v1}-journal").exists()


def test_case64_row_count_change_is_refused_unless_declared(v1, tmp_path, monkeypatch):
    """A step that loses rows without saying so is rolled back; one that declares it
    (``row_count_changes``) is allowed."""
    step = "def upgrade():\n    op.execute(\"DELETE FROM contracts WHERE reference = 'NCC-EH-2024-02'\")\n"
    _scripts_with(tmp_path / "a", monkeypatch, extra=step)
    digest = sha(v1)
    with pytest.raises(MigrationFailed, match="contracts would go from 3 to 2 rows"):
        migrate.migrate_file(v1, target_version=TEST_STEP)
    assert sha(v1) == digest
    _scripts_with(tmp_path / "b", monkeypatch, extra="row_count_changes = {'contracts': 'expired'}\n" + step)
    migrate.migrate_file(v1, target_version=TEST_STEP)
    assert counts(v1)["contracts"] == 2 and pragma(v1, "user_version") == TEST_STEP


def test_dangling_references_are_refused(v1, tmp_path, monkeypatch):
    """With foreign keys off nothing cascades, so a step that deletes a parent leaves
    orphans: foreign_key_check catches them and the migration is rolled back."""
    step = ("row_count_changes = {'services': 'merged'}\n"
            "def upgrade():\n    op.execute(\"DELETE FROM services WHERE name = 'Young carers service'\")\n")
    _scripts_with(tmp_path, monkeypatch, extra=step)
    digest = sha(v1)
    with pytest.raises(MigrationFailed, match="point at missing records"):
        migrate.migrate_file(v1, target_version=TEST_STEP)
    assert sha(v1) == digest


# --- E21: why foreign keys must be off ---------------------------------------------------------

def _recreate_services_by_hand(conn: sqlite3.Connection) -> None:
    """What a batch recreate does, in raw SQL: copy, drop the old table, rename."""
    sql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'services'").fetchone()[0]
    conn.execute("BEGIN")
    conn.execute(sql.replace("CREATE TABLE services", "CREATE TABLE _alembic_tmp_services", 1))
    conn.execute("INSERT INTO _alembic_tmp_services SELECT * FROM services")
    conn.execute("DROP TABLE services")
    conn.execute("ALTER TABLE _alembic_tmp_services RENAME TO services")
    conn.execute("COMMIT")


def test_case64_E21_foreign_keys_on_would_delete_children_and_the_harness_keeps_them(v1, tmp_path):
    """Case 64 / E21: recreating the parent table ``services`` with foreign keys ON
    deletes every contract through ON DELETE CASCADE and still "succeeds" with a clean
    foreign_key_check; our harness (foreign keys off, counts checked) keeps them all."""
    demo = tmp_path / "demo.cypdesk"
    shutil.copyfile(v1, demo)
    conn = sqlite3.connect(demo, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    _recreate_services_by_hand(conn)
    assert conn.execute("SELECT count(*) FROM services").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM contracts").fetchone()[0] == 0  # silently gone
    assert conn.execute("SELECT count(*) FROM service_outcomes").fetchone()[0] == 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []  # nothing dangling to see
    conn.close()

    result = migrate.migrate_file(v1)  # revision 0002 is a real batch recreate of services
    after = counts(v1)
    for table in CHILD_TABLES:
        assert after[table] == result.row_counts_before[table] > 0


def test_new_files_are_stamped_at_head(tmp_path):
    path = migrate.build_new_file(tmp_path / "fresh.cypdesk")
    assert pragma(path, "user_version") == CURRENT_SCHEMA_VERSION
    assert pragma(path, "application_id") == dbfile.APPLICATION_ID
    assert "alembic_version" not in counts(path)


def test_alembic_has_no_ini_and_needs_the_harness():
    """Configured in code with the scripts inside the package (works installed and
    frozen); running env.py without the harness's connection is refused."""
    from alembic import command

    cfg = migrate.alembic_config()
    assert Path(cfg.get_main_option("script_location")) == migrate.SCRIPT_LOCATION
    assert cfg.config_file_name is None
    with pytest.raises(RuntimeError, match="only through cypdesk.model.migrate"):
        command.upgrade(cfg, "head")
