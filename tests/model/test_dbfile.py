"""The document file: identity checks before SQLite, safe connections, atomic copies.

Each test names its case in docs/../reliability-anchors.md section 2. "Unchanged"
means the SHA-256 of the file and of any -journal/-wal/-shm beside it is the same, and
no new sibling appeared.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from cypdesk.common.errors import (
    DamagedDocument, DocumentMissing, NewerDocument, NotADocument, SaveFailed,
)
from cypdesk.model import dbfile, saving
from cypdesk.model.base import APPLICATION_ID
from cypdesk.model.dbfile import CURRENT_SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]


def snapshot(path: Path) -> dict[str, str]:
    """Hashes of every file in the folder (the file, its journals, anything new)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir()) if p.is_file()}


def make_db(path: Path, *, rows: int = 50, app_id: int = APPLICATION_ID, version: int = CURRENT_SCHEMA_VERSION,
            page_size: int = 4096) -> Path:
    """A small SQLite file with our identity (or another), made with raw SQL."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size={page_size}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    conn.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t (v) VALUES (?)", [(f"row {i:05d} " + "x" * 80,) for i in range(rows)])
    conn.execute("INSERT INTO meta VALUES ('total', (SELECT coalesce(sum(length(v)), 0) FROM t))")
    conn.execute("COMMIT")
    conn.execute(f"PRAGMA application_id={app_id}")
    conn.execute(f"PRAGMA user_version={version}")
    conn.close()
    return path


_templates: dict[int, bytes] = {}
ROWS = "tombstones"  # the real table make_document puts its rows in (few required columns)


def make_document(path: Path, *, rows: int = 50, version: int = CURRENT_SCHEMA_VERSION) -> Path:
    """A real cypdesk document at ``version`` (its schema is the golden one, built by the
    migrations) with ``rows`` rows in ``tombstones``: for tests that go through
    inspect_file, which refuses a file whose schema is not cypdesk's (make_db's t and meta)."""
    from cypdesk.model import migrate

    if version not in _templates:
        build = path.with_name(f"template-{version}.tmp")
        migrate.build_new_file(build, to_version=version)
        _templates[version] = build.read_bytes()
        build.unlink()
    path.write_bytes(_templates[version])
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.executemany(INSERT_ROW, [(f"r{i:05d}", f"row {i:05d} " + "x" * 80) for i in range(rows)])
        conn.execute("COMMIT")
    return path


INSERT_ROW = (f"INSERT INTO {ROWS} (table_name, record_id, hlc, author_id, deleted_at, title) "
              "VALUES ('t', ?, 'h', 'a', '2026-01-01 00:00:00.000000', ?)")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# --- case 1-7: identity before trust ---------------------------------------------------

def test_case1_empty_file_is_refused_and_stays_empty(tmp_path):
    """Case 1: a zero-byte file is not a document; nothing is written, no journal."""
    path = tmp_path / "download.cypdesk"
    path.write_bytes(b"")
    with pytest.raises(NotADocument) as err:
        dbfile.inspect_file(path)
    assert "download.cypdesk" in err.value.message and "empty (0 bytes)" in err.value.message
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["download.cypdesk"]


@pytest.mark.parametrize("content, hint", [
    (os.urandom(5000), ""),
    (b"PK\x03\x04" + os.urandom(3000), "zip file"),
    (b"%PDF-1.7\n" + os.urandom(3000), "PDF"),
    (b"SQLite format 2\x00" + bytes(200), ""),
    (b"abc", ""),
])
def test_case2_not_sqlite_is_refused_before_sqlite_is_called(tmp_path, monkeypatch, content, hint):
    """Case 2: random bytes, a zip (xlsx) or a PDF renamed: refused from the header
    alone, before any sqlite3.connect, and unchanged."""
    path = tmp_path / "budget.cypdesk"
    path.write_bytes(content)
    before = snapshot(path)
    calls = []
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: calls.append(a) or real_connect(*a, **k))
    with pytest.raises(NotADocument) as err:
        dbfile.inspect_file(path)
    assert calls == []
    assert "budget.cypdesk" in err.value.message and "not an SQLite file" in err.value.message
    assert hint in err.value.message
    assert snapshot(path) == before


@pytest.mark.parametrize("app_id, words", [(0x47504B47, '0x47504B47 ("GPKG")'), (0, "a plain SQLite database")])
def test_case3_other_applications_database(tmp_path, app_id, words):
    """Case 3: an SQLite file of another application (a GeoPackage; a plain database):
    the message names the expected and the found application ids in hex."""
    path = make_db(tmp_path / "map.cypdesk", app_id=app_id)
    before = snapshot(path)
    with pytest.raises(NotADocument) as err:
        dbfile.inspect_file(path)
    assert words in err.value.message and "0x43595044" in err.value.message
    assert err.value.facts["found_application_id"] == f"0x{app_id:08X}"
    assert snapshot(path) == before


def test_case4_newer_schema_is_refused_unchanged(tmp_path):
    """Case 4: user_version 999 (a newer cypdesk): NewerDocument naming both versions."""
    path = make_db(tmp_path / "future.cypdesk", version=999)
    before = snapshot(path)
    with pytest.raises(NewerDocument) as err:
        dbfile.inspect_file(path)
    assert "schema 999" in err.value.message and f"schema {CURRENT_SCHEMA_VERSION}" in err.value.message
    assert snapshot(path) == before


def test_older_schema_is_accepted_and_flagged_for_migration(tmp_path):
    path = make_document(tmp_path / "old.cypdesk", version=1)
    status = dbfile.inspect_file(path)
    assert status.needs_migration and status.schema_version == 1
    assert "will be updated to schema" in status.note
    assert (status.size, status.page_size) == (path.stat().st_size, 4096)


def test_case5_missing_path_creates_nothing(tmp_path):
    """Case 5: a typo or an offline share: an error, and no file appears (E3). The
    engine URL says mode=rw and connecting does not create the file either."""
    path = tmp_path / "typo.cypdesk"
    with pytest.raises(DocumentMissing) as err:
        dbfile.inspect_file(path)
    assert "typo.cypdesk" in err.value.message
    with pytest.raises(DocumentMissing):
        dbfile.connect(path)
    engine = dbfile.make_engine(path)
    assert engine.url.query["mode"] == "rw"
    with pytest.raises(Exception):
        engine.connect()
    engine.dispose()
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("cut", ["50", "100", "4096", "page+123", "size-1", "size-4096"])
def test_case6_truncated_file_is_damaged(tmp_path, cut):
    """Case 6: truncated inside the header, at a page boundary, inside a page, by one
    byte: DamagedDocument, unchanged."""
    path = make_db(tmp_path / "cut.cypdesk", rows=400)
    size = path.stat().st_size
    n = {"50": 50, "100": 100, "4096": 4096, "page+123": 3 * 4096 + 123, "size-1": size - 1,
         "size-4096": size - 4096}[cut]
    with open(path, "r+b") as fh:
        fh.truncate(n)
    before = snapshot(path)
    with pytest.raises(DamagedDocument) as err:
        dbfile.inspect_file(path)
    assert "cut.cypdesk" in err.value.message and "damaged" in err.value.message
    assert snapshot(path) == before


def test_case7_flipped_byte_in_a_btree_page_fails_quick_check(tmp_path):
    """Case 7: one flipped byte inside a table b-tree page. count(*) would still work
    (E2); quick_check at open catches it. Unchanged."""
    path = make_document(tmp_path / "flip.cypdesk", rows=20)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        assert conn.execute(f"SELECT count(*) FROM {ROWS}").fetchone()[0] == 20
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name=?", (ROWS,)).fetchone()[0]
    data = bytearray(path.read_bytes())
    page = root - 1  # the table's one page: a table leaf (type 0x0D) holding the 20 rows
    assert data[page * 4096] == 0x0D and data[page * 4096 + 3:page * 4096 + 5] == (20).to_bytes(2, "big")
    data[page * 4096 + 8] ^= 0xFF  # the first cell pointer, just after the leaf page header
    path.write_bytes(bytes(data))
    before = snapshot(path)
    with pytest.raises(DamagedDocument) as err:
        dbfile.inspect_file(path)
    assert "flip.cypdesk" in err.value.message and err.value.facts["sqlite_message"]
    assert snapshot(path) == before


def test_hot_journal_is_reported_not_rolled_back_by_inspection(tmp_path):
    """A crashed writer's hot journal: inspect_file (read-only) reports it and leaves
    file and journal as they are; a read-write connect rolls it back (case 9)."""
    path = make_document(tmp_path / "hot.cypdesk", rows=20)
    _leave_hot_journal(path)
    before = snapshot(path)
    status = dbfile.inspect_file(path)
    assert status.hot_journal and not status.checked
    assert snapshot(path) == before
    with dbfile.opened(path) as conn:
        assert conn.execute(f"SELECT count(*) FROM {ROWS}").fetchone()[0] == 20
        assert dbfile.integrity_check(conn) is None
    assert not Path(f"{path}-journal").exists()
    assert dbfile.inspect_file(path).checked


def _leave_hot_journal(path: Path) -> None:
    """Fork a child that writes inside a transaction (small cache, so pages spill to
    the file) and SIGKILLs itself before COMMIT."""
    _run_and_kill(path, 300)


def _run_and_kill(path: Path, kill_at: int) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs fork and SIGKILL")
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        try:
            conn = dbfile.connect(path)
            conn.execute("PRAGMA cache_size=5")
            conn.execute("BEGIN IMMEDIATE")
            real = conn.execute(f"SELECT count(*) FROM sqlite_schema WHERE name='{ROWS}'").fetchone()[0]
            if not real:  # make_db's file
                conn.execute("UPDATE meta SET n = -1")
            for i in range(400):
                if real:
                    conn.execute(INSERT_ROW, (f"k{i:05d}", os.urandom(600).hex()))
                else:
                    conn.execute("INSERT INTO t (v) VALUES (?)", (os.urandom(600).hex(),))
                if i == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


# --- case 9: crash inside a write transaction -------------------------------------------

@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_case9_killed_inside_a_write_transaction_rolls_back(tmp_path):
    """Case 9: a process SIGKILLed inside a write transaction, at ten different points:
    on reopen SQLite rolls the hot journal back, the data is the last committed state
    (row count and a checksum stored in the same transaction), integrity is ok."""
    hot_seen = 0
    for kill_at in (0, 3, 10, 30, 60, 100, 150, 220, 300, 399):
        path = make_db(tmp_path / f"crash{kill_at}.cypdesk", rows=50)
        _run_and_kill(path, kill_at)
        journal = Path(f"{path}-journal")
        hot_seen += journal.exists() and journal.read_bytes()[:8] == dbfile.JOURNAL_MAGIC
        with dbfile.opened(path) as conn:
            count, total = conn.execute("SELECT count(*), sum(length(v)) FROM t").fetchone()
            assert count == 50
            assert conn.execute("SELECT n FROM meta").fetchone()[0] == total
            assert dbfile.integrity_check(conn) is None
        # Rolled back and deleted; or, killed before any page reached the file, a
        # journal with a zeroed header that SQLite ignores (and the next write removes).
        assert not journal.exists() or journal.read_bytes()[:8] == bytes(8)
    assert hot_seen >= 5  # most kill points really left a hot journal


# --- connections ---------------------------------------------------------------------------

def test_case23_every_connection_uses_the_rollback_journal(tmp_path):
    """Case 23 (and 27): journal_mode is 'delete' on every connection, read-write,
    read-only and through the engine; never WAL."""
    path = make_db(tmp_path / "j.cypdesk")
    for ro in (False, True):
        with dbfile.opened(path, read_only=ro) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        engine = dbfile.make_engine(path, read_only=ro)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        engine.dispose()


def test_a_wal_file_is_converted_on_a_read_write_connection(tmp_path):
    path = make_document(tmp_path / "w.cypdesk")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    before = snapshot(path)
    dbfile.inspect_file(path)  # immutable read: no -wal/-shm created
    assert snapshot(path) == before
    with dbfile.opened(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_hardening_pragmas_and_report(tmp_path):
    path = make_db(tmp_path / "h.cypdesk")
    with dbfile.opened(path) as conn:
        report = dbfile.hardening_report(conn)
    assert report["journal_mode"] == "delete"
    assert report["synchronous"] == 3  # EXTRA: the commit (the journal's deletion) is synced
    assert (report["secure_delete"], report["foreign_keys"], report["cell_size_check"]) == (1, 1, 1)
    assert (report["mmap_size"], report["trusted_schema"], report["busy_timeout"]) == (0, 0, 5000)
    if sys.version_info < (3, 12):
        assert report["defensive"] is None and "setconfig" in report["defensive_note"]


@pytest.mark.parametrize("version, single_writer", [
    ("3.40.1", True), ("3.51.2", True), ("3.7.0", True), ("3.51.3", False), ("3.52.0", False), ("4.0.0", False),
])
def test_case27_sqlite_policy(version, single_writer):
    """Case 27: below 3.51.3 (the WAL-reset fix) SQLite must be single-writer, no WAL."""
    policy = dbfile.sqlite_policy(version)
    assert policy.single_writer_required is single_writer
    assert policy.wal_allowed is not single_writer
    assert dbfile.sqlite_policy().version == tuple(int(x) for x in sqlite3.sqlite_version.split("."))


def test_engine_transactions_and_savepoints(tmp_path):
    """The pysqlite recipe: BEGIN is ours, so a rolled-back SAVEPOINT undoes only its
    part and a rolled-back transaction undoes all, SELECTs included in it."""
    path = make_db(tmp_path / "tx.cypdesk", rows=0)
    engine = dbfile.make_engine(path)
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            nested = conn.begin_nested()
            conn.execute(text("INSERT INTO t (v) VALUES ('b')"))
            nested.rollback()
            conn.execute(text("INSERT INTO t (v) VALUES ('c')"))
        trans = conn.begin()
        conn.execute(text("INSERT INTO t (v) VALUES ('d')"))
        assert conn.connection.dbapi_connection.in_transaction
        trans.rollback()
        assert [r[0] for r in conn.execute(text("SELECT v FROM t ORDER BY id"))] == ["a", "c"]
        conn.rollback()
    engine.dispose()


def test_write_engine_begins_immediate(tmp_path):
    """Write transactions take the write lock at BEGIN (no deadlock on upgrade)."""
    path = make_db(tmp_path / "imm.cypdesk")
    engine = dbfile.make_engine(path)
    with dbfile.write_engine(engine).begin():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    engine.dispose()


def test_read_only_engine_refuses_writes(tmp_path):
    path = make_db(tmp_path / "ro.cypdesk")
    before = snapshot(path)
    engine = dbfile.make_engine(path, read_only=True)
    with engine.connect() as conn:
        with pytest.raises(Exception, match="readonly"):
            conn.execute(text("INSERT INTO t (v) VALUES ('no')"))
        conn.rollback()
    engine.dispose()
    assert snapshot(path) == before


# --- atomic copy -------------------------------------------------------------------------------

def test_atomic_copy_writes_a_compact_checked_copy(tmp_path):
    src = make_document(tmp_path / "src.cypdesk", rows=500)
    with dbfile.opened(src) as conn:
        conn.execute(f"DELETE FROM {ROWS} WHERE record_id >= 'r00010'")
    target = tmp_path / "out" / "copy.cypdesk"
    target.parent.mkdir()
    target.write_bytes(b"old")
    saving.atomic_copy(src, target)
    status = dbfile.inspect_file(target)
    assert status.size < src.stat().st_size  # VACUUM INTO: free pages left behind
    with dbfile.opened(target) as conn:
        assert conn.execute(f"SELECT count(*) FROM {ROWS}").fetchone()[0] == 10
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_SCHEMA_VERSION
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.cypdesk"]


def test_atomic_copy_from_an_open_connection(tmp_path):
    src = make_document(tmp_path / "src.cypdesk")
    target = tmp_path / "copy.cypdesk"
    with dbfile.opened(src) as conn:
        saving.atomic_copy(conn, target)
    assert dbfile.inspect_file(target).schema_version == CURRENT_SCHEMA_VERSION


def _old_target(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    src = make_db(tmp_path / "src.cypdesk", rows=300)
    folder = tmp_path / "share"
    folder.mkdir()
    target = make_db(folder / "board.cypdesk", rows=5)
    return src, target, snapshot(target)


def test_case18_disk_full_during_save(tmp_path, monkeypatch):
    """Case 18: ENOSPC while the copy is flushed: SaveFailed says the disk is full,
    the target is unchanged, the temporary file is gone."""
    src, target, before = _old_target(tmp_path)

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saving, "fsync_file", full)
    with pytest.raises(SaveFailed) as err:
        saving.atomic_copy(src, target)
    assert "disk is full" in err.value.message and "board.cypdesk" in err.value.message
    assert snapshot(target) == before


def test_case18_sqlite_full_during_vacuum_into(tmp_path):
    """Case 18: SQLITE_FULL from SQLite while writing the copy (simulated at VACUUM
    INTO: a real one needs a full disk; max_page_count cannot limit the INTO file)."""
    src, target, before = _old_target(tmp_path)

    class FullDisk(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("VACUUM INTO"):
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode, exc.sqlite_errorname = 13, "SQLITE_FULL"
                raise exc
            return super().execute(sql, *args)

    conn = sqlite3.connect(src, factory=FullDisk)
    with pytest.raises(SaveFailed) as err:
        saving.atomic_copy(conn, target)
    conn.close()
    assert "disk is full" in err.value.message
    assert snapshot(target) == before


def test_case18_sqlite_full_on_commit_keeps_committed_data(tmp_path):
    """Case 18: a real SQLITE_FULL (max_page_count) during a commit to the working
    file: the statement fails, earlier commits stay, integrity ok, reason in plain words."""
    path = make_db(tmp_path / "work.cypdesk", rows=20)
    with dbfile.opened(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 1}")
        conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as err:
            conn.executemany("INSERT INTO t (v) VALUES (?)", [("y" * 3000,)] * 50)
        if conn.in_transaction:  # SQLITE_FULL may already have rolled it back
            conn.execute("ROLLBACK")
        assert dbfile.plain_reason(err.value) == "the disk is full"
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 20
        assert dbfile.integrity_check(conn) is None


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ")
def test_case18_real_write_failure_in_a_child_leaves_target_unchanged(tmp_path):
    """Case 18: a real failure of write(2) half-way through VACUUM INTO (a child
    process with a file-size limit, as on a full or FAT32 stick): SaveFailed, target
    unchanged, no temporary file."""
    src, target, before = _old_target(tmp_path)
    code = textwrap.dedent(f"""
        import resource, signal, sys
        from cypdesk.model import dbfile, saving
        from cypdesk.common.errors import SaveFailed
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_123, resource.RLIM_INFINITY))
        try:
            saving.atomic_copy({str(src)!r}, {str(target)!r})
        except SaveFailed as exc:
            print(exc.message)
            sys.exit(0)
        sys.exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", code], env=child_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "could not be written" in done.stdout and "has not been changed" in done.stdout
    assert snapshot(target) == before


def test_case19_rename_refused_then_allowed(tmp_path, monkeypatch):
    """Case 19: another program holds the target at rename time: retried (about
    5 x 200 ms) and then it works."""
    src, target, _ = _old_target(tmp_path)
    real_replace = os.replace
    attempts, sleeps = [], []

    def flaky(a, b):
        attempts.append(b)
        if len(attempts) <= 3:
            raise PermissionError(13, "The process cannot access the file because it is being used")
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", flaky)
    monkeypatch.setattr(saving, "_sleep", sleeps.append)
    saving.atomic_copy(src, target)
    assert len(attempts) == 4 and sleeps == [0.2, 0.2, 0.2]
    with dbfile.opened(target) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 300
    assert sorted(p.name for p in target.parent.iterdir()) == ["board.cypdesk"]


def test_case19_rename_refused_for_good(tmp_path, monkeypatch):
    """Case 19: still held after the retries: a clear SaveFailed, temp removed,
    target unchanged."""
    src, target, before = _old_target(tmp_path)
    attempts = []

    def refuse(a, b):
        attempts.append(b)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(saving, "_sleep", lambda s: None)
    with pytest.raises(SaveFailed) as err:
        saving.atomic_copy(src, target)
    assert len(attempts) == 6  # the first try and 5 retries
    assert "another program" in err.value.message and "board.cypdesk" in err.value.message
    assert snapshot(target) == before


def test_atomic_copy_refuses_a_missing_folder(tmp_path):
    src = make_db(tmp_path / "src.cypdesk")
    with pytest.raises(SaveFailed, match="does not exist"):
        saving.atomic_copy(src, tmp_path / "gone" / "x.cypdesk")
    assert not (tmp_path / "gone").exists()


def test_case20_stale_temp_files_are_removed(tmp_path):
    """Case 20: a crashed save's .~save-*.tmp older than a minute is removed; a young
    one (another instance saving right now) and other files are left."""
    old = tmp_path / ".~save-0123456789abcdef.tmp"
    old_journal = tmp_path / ".~save-0123456789abcdef.tmp-journal"
    young = tmp_path / ".~save-fedcba9876543210.tmp"
    other = tmp_path / "notes.tmp"
    for p in (old, old_journal, young, other):
        p.write_bytes(b"x")
    past = time.time() - 120
    for p in (old, old_journal, other):
        os.utime(p, (past, past))
    removed = saving.cleanup_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted([old.name, old_journal.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, other.name])


# --- new files -----------------------------------------------------------------------------------

def test_create_document_file_at_head(tmp_path):
    path = dbfile.create_document_file(tmp_path / "new.cypdesk")
    status = dbfile.inspect_file(path)
    assert status.schema_version == CURRENT_SCHEMA_VERSION and not status.needs_migration
    with dbfile.opened(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert {"services", "contracts", "document"} <= tables and "alembic_version" not in tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.cypdesk"]


def test_create_document_file_refuses_an_existing_path(tmp_path):
    path = tmp_path / "mine.cypdesk"
    path.write_bytes(b"precious")
    with pytest.raises(SaveFailed, match="already exists"):
        dbfile.create_document_file(path)
    assert path.read_bytes() == b"precious"
