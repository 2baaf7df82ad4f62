"""An open document: working copy, lock, Save / Save As, recovery, restore.

Each test names its reliability case (research/reliability-anchors.md section 2).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from cypdesk import paths
from cypdesk.common.errors import (
    DamagedDocument, DocumentLocked, DocumentMissing, ExternalChange, NewerDocument, NotADocument,
    ReadOnlyDocument, SaveFailed,
)
from cypdesk.model import dbfile, document, saving
from cypdesk.model.document import (
    Document, SaveAsNeeded, cleanup_working_dirs, discard_recovery, find_conflict_copies, list_recoverable, list_saved_versions, recover,
    restore_saved_version,
)
from cypdesk.model.lock import DocumentLock, lock_path_for, read_holder
from tests.tampering import folder_state, sha

REPO = Path(__file__).resolve().parents[2]
V1 = REPO / "tests" / "fixtures" / "schema_v1.cypdesk"
T = "2026-03-31 14:05:00"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def add_org(conn, name: str, notes: str | None = None) -> None:
    """Insert an organisation with raw SQL (SQLAlchemy or sqlite3 connection)."""
    sql = ("INSERT INTO organisations (id, name, notes, is_partner, is_provider, is_sme, is_vcse, created_at, "
           "updated_at, created_hlc, hlc) VALUES (?, ?, ?, 0, 0, 0, 0, ?, ?, '', '')")
    args = (os.urandom(16).hex(), name, notes, T, T)
    if isinstance(conn, sqlite3.Connection):
        conn.execute(sql, args)
    else:
        conn.exec_driver_sql(sql, args)


def org_names(path_or_doc) -> list[str]:
    path = path_or_doc.working_path if isinstance(path_or_doc, Document) else path_or_doc
    conn = dbfile.connect(path, read_only=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM organisations ORDER BY name")]
    finally:
        conn.close()


@pytest.fixture
def docfile(tmp_path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    path = dbfile.create_document_file(folder / "board.cypdesk")
    with dbfile.opened(path) as conn:
        add_org(conn, "Northshire County Council")
    return path


def working_dirs() -> list[Path]:
    return sorted(paths.working_dir().iterdir())


# --- the everyday cycle ---------------------------------------------------------------------

def test_open_edit_save_close(docfile):
    """Edits go to the working copy; the file changes only on Save, atomically; the
    lock is beside the file while it is open; close tidies up."""
    original = sha(docfile)
    doc = Document.open(docfile)
    assert not doc.read_only and not doc.dirty and doc.path == docfile
    assert doc.working_path.parent.parent == paths.working_dir()
    assert read_holder(docfile).pid == os.getpid()
    state = json.loads((doc.working_dir / "state.json").read_text())
    assert state["source"] == str(docfile) and state["source_sha256"] == original and state["dirty"] is False
    with doc.writing() as conn:
        add_org(conn, "Brightstart CIC")
    assert doc.dirty and json.loads((doc.working_dir / "state.json").read_text())["dirty"] is True
    assert sha(docfile) == original  # nothing written to the file yet
    doc.save()
    assert not doc.dirty and org_names(docfile) == ["Brightstart CIC", "Northshire County Council"]
    assert json.loads((doc.working_dir / "state.json").read_text())["source_sha256"] == sha(docfile)
    assert sorted(p.name for p in docfile.parent.iterdir()) == [".~lock.board.cypdesk#", "board.cypdesk"]
    work = doc.working_dir
    doc.close()
    assert not work.exists() and not lock_path_for(docfile).exists()
    with pytest.raises(ReadOnlyDocument):
        doc.check_writable()


def test_mark_dirty_writes_state_once(docfile, monkeypatch):
    doc = Document.open(docfile)
    writes = []
    real = document.write_json_atomic
    monkeypatch.setattr(document, "write_json_atomic", lambda p, d: writes.append(p) or real(p, d))
    for _ in range(5):
        doc.mark_dirty()
    assert len(writes) == 1
    doc.close(discard=True)


def test_the_same_file_twice_in_one_process_is_locked(docfile):
    doc = Document.open(docfile)
    with pytest.raises(DocumentLocked):
        Document.open(docfile)
    second = Document.open(docfile, read_only=True)
    assert second.read_only and second.working_dir != doc.working_dir
    second.close()
    doc.close()


# --- cases 1-7 through Document.open ---------------------------------------------------------

@pytest.mark.parametrize("kind, error", [
    ("empty", NotADocument), ("zip", NotADocument), ("pdf", NotADocument), ("geopackage", NotADocument),
    ("newer", NewerDocument), ("truncated", DamagedDocument), ("flipped", DamagedDocument),
])
def test_cases_1_to_7_bad_files_are_refused_without_trace(tmp_path, docfile, kind, error):
    """Cases 1, 2, 3, 4, 6, 7: Document.open refuses; the file and its folder are
    unchanged (no lock file, no temp), and no working copy is left."""
    path = tmp_path / "share" / "bad.cypdesk"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "zip":
        path.write_bytes(b"PK\x03\x04" + bytes(500))
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.4\n" + bytes(500))
    else:
        shutil.copyfile(docfile, path)
        if kind == "geopackage":
            with closing(sqlite3.connect(path, isolation_level=None)) as conn:
                conn.execute(f"PRAGMA application_id={0x47504B47}")
        elif kind == "newer":
            with closing(sqlite3.connect(path, isolation_level=None)) as conn:
                conn.execute("PRAGMA user_version=999")
        elif kind == "truncated":
            with open(path, "r+b") as fh:
                fh.truncate(path.stat().st_size - 4096 - 10)
        elif kind == "flipped":
            data = bytearray(path.read_bytes())
            page = next(n for n in range(2, len(data) // 4096)
                        if data[n * 4096] == 0x0D and data[n * 4096 + 3:n * 4096 + 5] != b"\0\0")
            data[page * 4096 + 8] ^= 0xFF
            path.write_bytes(bytes(data))
    before = folder_state(path.parent)
    with pytest.raises(error) as err:
        Document.open(path)
    assert "bad.cypdesk" in err.value.message
    assert folder_state(path.parent) == before
    assert working_dirs() == []


def test_case5_missing_file(tmp_path):
    """Case 5: no file is created, nothing is left anywhere."""
    path = tmp_path / "typo.cypdesk"
    with pytest.raises(DocumentMissing):
        Document.open(path)
    assert list(tmp_path.iterdir()) == [] and working_dirs() == []


# --- case 8: read-only files and folders -------------------------------------------------------

@pytest.mark.parametrize("what", ["file", "folder"])
def test_case8_read_only_file_or_folder_opens_read_only(docfile, monkeypatch, what, tmp_path):
    """Case 8: no permission to change the file (or its folder): opened read-only with
    a reason; edits are refused before any SQL (ReadOnlyDocument) and by SQLite too;
    Save is refused; nothing beside the file is created; Save As elsewhere works and
    gives an editable document. (CI runs as root, where chmod does not stop writes, so
    the permission check is patched: the code path is the real one.)"""
    denied = docfile if what == "file" else docfile.parent
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == denied and mode == os.W_OK
                        else real_access(p, mode, **kw))
    before = folder_state(docfile.parent)
    doc = Document.open(docfile)
    assert doc.read_only and "read-only" in doc.read_only_reason
    with pytest.raises(ReadOnlyDocument) as err:
        doc.check_writable()
    assert "Save As" in err.value.message
    with pytest.raises(ReadOnlyDocument):
        with doc.writing():
            pass
    with doc.engine.connect() as conn, pytest.raises(Exception, match="readonly"):
        add_org(conn, "Not allowed")
    with pytest.raises(ReadOnlyDocument):
        doc.save()
    assert folder_state(docfile.parent) == before  # no lock file, no temp
    copy = tmp_path / "mine.cypdesk"
    doc.save_as(copy)
    assert not doc.read_only and doc.path == copy and read_holder(copy).pid == os.getpid()
    with doc.writing() as conn:
        add_org(conn, "Now allowed")
    doc.save()
    assert "Now allowed" in org_names(copy)
    assert folder_state(docfile.parent) == before
    doc.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod does not restrict root")
def test_case8_real_chmod(docfile):
    os.chmod(docfile, 0o444)
    try:
        doc = Document.open(docfile)
        assert doc.read_only
        doc.close()
    finally:
        os.chmod(docfile, 0o644)


def test_read_only_on_request_touches_nothing(docfile):
    before = folder_state(docfile.parent)
    doc = Document.open(docfile, read_only=True)
    assert doc.read_only and doc.read_only_reason == "opened read-only as you asked"
    assert org_names(doc) == ["Northshire County Council"]
    doc.close()
    assert folder_state(docfile.parent) == before and working_dirs() == []


def test_folder_refusing_the_lock_file_opens_read_only(docfile, monkeypatch):
    monkeypatch.setattr(DocumentLock, "acquire", lambda self, **kw: False)
    doc = Document.open(docfile)
    assert doc.read_only and "lock file" in doc.read_only_reason
    doc.close()


# --- case 9: a hot journal beside the document ---------------------------------------------------

def _kill_mid_write(path: Path) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs fork and SIGKILL")
    pid = os.fork()
    if pid == 0:
        try:
            conn = dbfile.connect(path)
            conn.execute("PRAGMA cache_size=5")
            conn.execute("BEGIN IMMEDIATE")
            for i in range(300):
                add_org(conn, f"half-written {i} " + "x" * 500)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    assert Path(f"{path}-journal").read_bytes()[:8] == dbfile.JOURNAL_MAGIC


def test_case9_hot_journal_on_the_document_is_rolled_back_at_open(docfile):
    """Case 9: a crash inside a write transaction on the document itself: opening for
    editing rolls it back; the content is the last committed state."""
    _kill_mid_write(docfile)
    doc = Document.open(docfile)
    assert org_names(doc) == ["Northshire County Council"]
    assert not Path(f"{docfile}-journal").exists()
    assert dbfile.integrity_check(docfile) is None
    doc.close()


def test_case9_hot_journal_read_only_rolls_back_the_copy_only(docfile):
    _kill_mid_write(docfile)
    before = folder_state(docfile.parent)
    doc = Document.open(docfile, read_only=True)
    assert org_names(doc) == ["Northshire County Council"]
    assert folder_state(docfile.parent) == before  # the original and its journal untouched
    doc.close()


# --- case 17: crashes while editing and while saving -------------------------------------------

EDIT_AND_DIE = textwrap.dedent("""
    import os, signal, sys
    from cypdesk.model.document import Document
    doc = Document.open(sys.argv[1])
    for name in ("Alpha Trust", "Beta CIC", "Gamma Ltd"):
        with doc.writing() as conn:
            conn.exec_driver_sql(
                "INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, created_at, "
                "updated_at, created_hlc, hlc) VALUES (?, ?, 0, 0, 0, 0, '2026-03-31', '2026-03-31', '', '')",
                (os.urandom(16).hex(), name))
    with doc.writing() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, created_at, "
            "updated_at, created_hlc, hlc) VALUES ('x', 'Never committed', 0, 0, 0, 0, '2026', '2026', '', '')")
        print(doc.working_dir, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
""")


def test_case17_killed_mid_edit_offers_recovery(docfile):
    """Case 17: cypdesk killed while editing (power cut): the next start lists the
    working copy; recovering gives back every committed edit (not the half-done one),
    still dirty, the lock retaken; Save then writes them."""
    original = sha(docfile)
    done = subprocess.run([sys.executable, "-c", EDIT_AND_DIE, str(docfile)], env=child_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert sha(docfile) == original
    items = list_recoverable()
    assert len(items) == 1
    item = items[0]
    assert item.source == docfile and item.title == "board.cypdesk"
    assert str(item.working_dir) == done.stdout.strip()
    assert datetime.now(timezone.utc) - item.changed_at < timedelta(minutes=5)
    doc = recover(item)
    assert doc.dirty and doc.path == docfile and read_holder(docfile).pid == os.getpid()
    assert org_names(doc) == ["Alpha Trust", "Beta CIC", "Gamma Ltd", "Northshire County Council"]
    assert list_recoverable() == []  # ours now
    doc.save()
    assert org_names(docfile) == ["Alpha Trust", "Beta CIC", "Gamma Ltd", "Northshire County Council"]
    doc.close()
    assert list_recoverable() == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_case17_killed_mid_save_leaves_old_or_new_never_torn(tmp_path):
    """Case 17 / E23: a save SIGKILLed at many points inside VACUUM INTO, after the
    copy, after the rename: the target is always the whole old file or the whole new
    one, and integrity_check passes."""
    src = dbfile.create_document_file(tmp_path / "work.cypdesk")
    with dbfile.opened(src) as conn:
        for i in range(300):
            add_org(conn, f"new {i:03d} " + "n" * 200)
    old_names = None
    outcomes = set()
    for n, stage in [(50, None), (500, None), (2000, None), (8000, None), (30000, None), (10**9, "fsync_file"),
                     (10**9, "fsync_dir"), (10**9, None)]:
        target = tmp_path / f"t{n}-{stage}" / "board.cypdesk"
        target.parent.mkdir()
        dbfile.create_document_file(target)
        with dbfile.opened(target) as conn:
            add_org(conn, "Old content")
        old_names = org_names(target)
        pid = os.fork()
        if pid == 0:
            try:
                if stage:
                    real = getattr(saving, stage)

                    def die(*a, _real=real, _stage=stage):
                        if _stage == "fsync_dir":
                            _real(*a)
                        os.kill(os.getpid(), signal.SIGKILL)

                    setattr(saving, stage, die)
                conn = dbfile.connect(src, read_only=True)
                conn.set_progress_handler(lambda: os.kill(os.getpid(), signal.SIGKILL), n)
                saving.atomic_copy(conn, target)
                os._exit(0)
            finally:
                os._exit(1)
        os.waitpid(pid, 0)
        assert dbfile.integrity_check(target) is None
        names = org_names(target)
        assert names in (old_names, org_names(src))
        outcomes.add("old" if names == old_names else "new")
    assert outcomes == {"old", "new"}


# --- case 18: disk full during Save ---------------------------------------------------------------

def test_case18_disk_full_on_save_keeps_the_edits(docfile, tmp_path, monkeypatch):
    """Case 18: ENOSPC while saving: SaveFailed says the disk is full; the file is
    unchanged, no temp is left, the document is still dirty with its edits, and Save
    As elsewhere works."""
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Unsaved Partner")
    before = folder_state(docfile.parent)
    real = saving.fsync_file

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saving, "fsync_file", full)
    with pytest.raises(SaveFailed) as err:
        doc.save()
    assert "disk is full" in err.value.message and "board.cypdesk" in err.value.message
    assert folder_state(docfile.parent) == before
    assert doc.dirty and "Unsaved Partner" in org_names(doc)
    monkeypatch.setattr(saving, "fsync_file", real)
    elsewhere = tmp_path / "usb" / "board.cypdesk"
    elsewhere.parent.mkdir()
    doc.save_as(elsewhere)
    assert "Unsaved Partner" in org_names(elsewhere)
    assert not lock_path_for(docfile).exists() and lock_path_for(elsewhere).exists()
    doc.close()


# --- case 20: stale temp files --------------------------------------------------------------------

def test_case20_open_removes_stale_temps_beside_the_document(docfile):
    stale = docfile.parent / ".~save-00112233aabbccdd.tmp"
    stale.write_bytes(b"half a save")
    past = time.time() - 600
    os.utime(stale, (past, past))
    doc = Document.open(docfile)
    assert not stale.exists()
    doc.close()


# --- cases 21-22: locks -----------------------------------------------------------------------------

HOLD = textwrap.dedent("""
    import sys
    from cypdesk.model.lock import DocumentLock
    lock = DocumentLock(sys.argv[1])
    assert lock.acquire()
    print("held", flush=True)
    sys.stdin.readline()
    lock.release()
""")


def test_case21_open_by_someone_else(docfile):
    """Case 21: another process (another user) has the document: DocumentLocked names
    them; the caller can open it read-only instead, which writes nothing."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(docfile)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=child_env(LOGNAME="jsmith", USER="jsmith"))
    try:
        assert child.stdout.readline().strip() == "held"
        before = folder_state(docfile.parent)
        with pytest.raises(DocumentLocked) as err:
            Document.open(docfile)
        assert "is open by jsmith on" in err.value.message
        assert working_dirs() == [] and folder_state(docfile.parent) == before
        doc = Document.open(docfile, read_only=True)
        assert doc.read_only
        doc.close()
        assert folder_state(docfile.parent) == before
    finally:
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=30)


def test_case22_stale_lock_here_taken_foreign_lock_refused(docfile):
    """Case 22: a dead process's lock on this computer is taken over silently; a lock
    from another computer, 20 hours old, is refused with stale_possible, and taken
    only when the caller says so."""
    from cypdesk.model.installation import get_installation

    lp = lock_path_for(docfile)
    lp.write_text(json.dumps({"user": "me", "host": get_installation().host, "pid": 2**22 + 999,
                              "installation": "x", "since": datetime.now(timezone.utc).isoformat()}))
    doc = Document.open(docfile)
    doc.close()
    since = (datetime.now(timezone.utc) - timedelta(hours=20)).isoformat()
    lp.write_text(json.dumps({"user": "jsmith", "host": "LAPTOP-12", "pid": 1, "installation": "y", "since": since}))
    with pytest.raises(DocumentLocked) as err:
        Document.open(docfile)
    assert err.value.facts["stale_possible"] is True
    doc = Document.open(docfile, take_over_lock=True)
    assert read_holder(docfile).pid == os.getpid()
    doc.close()


# --- case 23: never WAL -------------------------------------------------------------------------------

def test_case23_journal_mode_delete_on_every_document_connection(docfile):
    for ro in (False, True):
        doc = Document.open(docfile, read_only=ro)
        conns = [doc.engine.connect() for _ in range(3)]  # several pooled connections
        try:
            assert {c.exec_driver_sql("PRAGMA journal_mode").scalar() for c in conns} == {"delete"}
        finally:
            for c in conns:
                c.close()
        doc.close()


# --- case 24: changed on disk since opened -------------------------------------------------------------

def test_case24_file_replaced_externally(docfile, tmp_path):
    """Case 24: a colleague (or a sync client) replaced the file while it was open:
    Save refuses with ExternalChange and says to use Save As; the other file is
    unchanged; the edits are still in the working copy and Save As elsewhere works."""
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "My Edit")
    theirs = dbfile.create_document_file(tmp_path / "theirs.cypdesk")
    with dbfile.opened(theirs) as conn:
        add_org(conn, "Their Edit")
    os.replace(theirs, docfile)
    external = sha(docfile)
    with pytest.raises(ExternalChange) as err:
        doc.save()
    assert "changed on disk" in err.value.message and "Save As" in err.value.message
    assert sha(docfile) == external and org_names(docfile) == ["Their Edit"]
    assert "My Edit" in org_names(doc) and doc.dirty
    mine = tmp_path / "board (mine).cypdesk"
    doc.save_as(mine)
    assert "My Edit" in org_names(mine) and sha(docfile) == external
    doc.close()


def test_a_touched_but_identical_file_is_not_an_external_change(docfile):
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Mine")
    future = time.time() + 100
    os.utime(docfile, (future, future))  # a sync client touched it
    doc.save()
    assert "Mine" in org_names(docfile)
    doc.close()


# --- case 25: sync-client conflict copies ---------------------------------------------------------------

def test_case25_conflict_copies_are_listed_never_deleted(docfile):
    folder = docfile.parent
    names = [
        "board (conflicted copy 2026-03-31).cypdesk",
        "board (Jo Bloggs's conflicted copy 2026-03-31).cypdesk",
        "board (conflicted copy 2026-03-31 140500).cypdesk",
        "board-LAPTOP123.cypdesk",
        "board-DESKTOP-7QK2M.cypdesk",
    ]
    others = ["board (1).cypdesk", "board-2026.cypdesk", "board-draft.cypdesk", "budget-LAPTOP123.cypdesk",
              "board (conflicted copy 2026-03-31).xlsx"]
    for n in names + others:
        (folder / n).write_bytes(b"x")
    found = find_conflict_copies(docfile)
    assert sorted(p.name for p in found) == sorted(names)
    assert all((folder / n).exists() for n in names + others)


# --- case 26: threads -------------------------------------------------------------------------------------

def test_case26_two_writer_threads_and_a_reader(docfile):
    """Case 26: two threads make 1,000 mixed writes (insert, update, delete) through
    the engine under write_lock while a third reads without it: no OperationalError,
    and the final counts are exact."""
    doc = Document.open(docfile)
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(tag: str) -> None:
        try:
            for i in range(500):
                with doc.writing() as conn:
                    if i % 5 == 3:
                        conn.exec_driver_sql("UPDATE organisations SET notes = ? WHERE name LIKE ?", (str(i), f"{tag}%"))
                    elif i % 5 == 4:
                        conn.exec_driver_sql(
                            "DELETE FROM organisations WHERE id = (SELECT id FROM organisations WHERE name LIKE ? "
                            "ORDER BY name LIMIT 1)", (f"{tag}%",))
                    else:
                        add_org(conn, f"{tag} {i:04d}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            while not stop.is_set():
                with doc.engine.connect() as conn:
                    conn.execute(text("SELECT count(*), max(name) FROM organisations")).one()
                    conn.rollback()
                # A breath between reads, as the window's reads have: without it, on a
                # machine loaded several times over, a writer could wait out the 5 s
                # busy timeout behind a reader that never lets go (seen only under load).
                time.sleep(0.002)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("A", "B")]
    r = threading.Thread(target=reader)
    r.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    r.join()
    assert errors == []
    names = org_names(doc)
    # each writer: 300 inserts, 100 deletes
    assert len([n for n in names if n.startswith("A ")]) == 200
    assert len([n for n in names if n.startswith("B ")]) == 200
    assert dbfile.integrity_check(doc.working_path) is None
    doc.close(discard=True)


# --- case 70: secure delete ---------------------------------------------------------------------------------

def test_case70_deleted_confidential_text_leaves_no_bytes(docfile):
    """Case 70: secure_delete is on for every connection, so a deleted sentinel is not
    in the working file's bytes (nor in a journal)."""
    sentinel = "SENTINEL-confidential-rate-£987.65-per-hour"
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Secret Provider", notes=sentinel)
    assert sentinel.encode() in doc.working_path.read_bytes()
    with doc.writing() as conn:
        conn.exec_driver_sql("DELETE FROM organisations WHERE name = 'Secret Provider'")
    for f in doc.working_dir.iterdir():
        data = f.read_bytes()
        assert sentinel.encode() not in data and sentinel.encode("utf-16-le") not in data
    doc.save()
    assert sentinel.encode() not in docfile.read_bytes()
    doc.close()


# --- older files, saved versions, restore ----------------------------------------------------------------------

def test_an_older_file_is_migrated_in_the_working_copy(tmp_path):
    """Cases 63/66 through open: the original is backed up, the working copy is
    migrated, and the original stays at schema 1 until Save."""
    path = tmp_path / "northshire.cypdesk"
    shutil.copyfile(V1, path)
    original = sha(path)
    doc = Document.open(path)
    assert doc.migration.from_version == 1 and doc.migration.backup.parent == paths.backup_dir()
    assert sha(path) == original
    with doc.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contracts").scalar() == 3
        assert conn.exec_driver_sql("SELECT count(lgsl_code) FROM services").scalar() == 0
        conn.rollback()
    doc.save()
    assert dbfile.inspect_file(path).schema_version == dbfile.CURRENT_SCHEMA_VERSION
    doc.close()
    with closing(sqlite3.connect(doc.migration.backup, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM contracts").fetchone()[0] == 3


def test_saved_versions_are_kept_pruned_and_restored(docfile):
    """Save keeps the last 5 saved versions in the backup folder; restoring one
    replaces the working copy's content and marks the document dirty; the file on
    disk changes only on the next Save."""
    doc = Document.open(docfile)
    for i in range(7):
        with doc.writing() as conn:
            add_org(conn, f"Save {i}")
        doc.save()
    versions = list_saved_versions(docfile)
    assert len(versions) == 5
    assert [v.saved_at for v in versions] == sorted((v.saved_at for v in versions), reverse=True)
    assert all(v.path.exists() and v.path.name.startswith("board-") and v.path.name.endswith("-saved.cypdesk")
               for v in versions)
    assert len(list(paths.backup_dir().glob("*.cypdesk"))) == 5  # older ones pruned
    oldest = versions[-1]
    assert org_names(oldest.path)[-1] == "Save 2"
    on_disk = sha(docfile)
    restore_saved_version(doc, oldest)
    assert doc.dirty and "Save 6" not in org_names(doc) and "Save 2" in org_names(doc)
    with doc.engine.connect() as conn:  # pooled connections see the restored content
        assert conn.exec_driver_sql("SELECT count(*) FROM organisations WHERE name LIKE 'Save %'").scalar() == 3
        conn.rollback()
    assert sha(docfile) == on_disk
    doc.save()
    assert "Save 6" not in org_names(docfile)
    doc.close()


def test_versions_of_another_file_with_the_same_name_are_separate(docfile, tmp_path):
    other = tmp_path / "other" / "board.cypdesk"
    other.parent.mkdir()
    shutil.copyfile(docfile, other)
    for path in (docfile, other):
        doc = Document.open(path)
        doc.save()
        doc.close()
    assert len(list_saved_versions(docfile)) == 1 and len(list_saved_versions(other)) == 1


# --- untitled, create, close, recovery bookkeeping ---------------------------------------------------------------

def test_untitled_document_needs_save_as(tmp_path):
    doc = Document.new()
    assert doc.untitled and doc.path is None and doc.title == "Untitled"
    with doc.writing() as conn:
        add_org(conn, "First")
    with pytest.raises(SaveAsNeeded) as err:
        doc.save()
    assert isinstance(err.value, SaveFailed) and err.value.code == "save_as_needed"
    target = tmp_path / "first.cypdesk"
    doc.save_as(target)
    assert doc.path == target and not doc.dirty and org_names(target) == ["First"]
    assert read_holder(target).pid == os.getpid()
    work = doc.working_dir
    doc.close()
    assert not work.exists() and not lock_path_for(target).exists()


def test_create_makes_and_opens_a_new_file(tmp_path):
    path = tmp_path / "demo.cypdesk"
    doc = Document.create(path)
    assert doc.path == path and dbfile.inspect_file(path).schema_version == dbfile.CURRENT_SCHEMA_VERSION
    doc.close()
    with pytest.raises(SaveFailed, match="already exists"):
        Document.create(path)


def test_closing_dirty_keeps_the_working_copy_for_recovery(docfile):
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Kept")
    doc.close()
    items = list_recoverable()
    assert [i.source for i in items] == [docfile]
    # Opening the file again does not overwrite the recoverable copy.
    again = Document.open(docfile)
    assert again.working_dir != items[0].working_dir and "Kept" not in org_names(again)
    again.close()
    assert [i.working_dir for i in list_recoverable()] == [items[0].working_dir]
    discard_recovery(items[0])
    assert list_recoverable() == [] and working_dirs() == []


def test_close_with_discard_drops_the_edits(docfile):
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Dropped")
    doc.close(discard=True)
    assert list_recoverable() == [] and working_dirs() == []
    assert org_names(docfile) == ["Northshire County Council"]


def test_untitled_crash_is_recoverable(tmp_path):
    doc = Document.new()
    with doc.writing() as conn:
        add_org(conn, "Draft")
    doc.close()  # dirty: kept
    (item,) = list_recoverable()
    assert item.source is None and item.title == "Untitled"
    back = recover(item)
    assert back.untitled and back.dirty and org_names(back) == ["Draft"]
    back.save_as(tmp_path / "draft.cypdesk")
    back.close()
    assert org_names(tmp_path / "draft.cypdesk") == ["Draft"]


def test_startup_cleanup_keeps_only_what_can_be_recovered(docfile):
    """Working copies of read-only views and clean documents left by a crash are
    removed at start-up; one with unsaved edits, and one of a running cypdesk, stay."""
    ro = Document.open(docfile, read_only=True)
    live = Document.open(docfile)
    dirty = Document.new()
    with dirty.writing() as conn:
        add_org(conn, "Unsaved")
    for doc in (ro, dirty):  # as if their cypdesk had died
        state = json.loads((doc.working_dir / "state.json").read_text())
        state["pid"] = 2**22 + 4321
        (doc.working_dir / "state.json").write_text(json.dumps(state))
    orphan = paths.working_dir() / "0123456789abcdef"
    orphan.mkdir()
    past = time.time() - 600
    os.utime(orphan, (past, past))
    removed = cleanup_working_dirs()
    assert sorted(removed) == sorted([ro.working_dir, orphan])
    assert live.working_dir.exists() and dirty.working_dir.exists()
    live.close()
    assert [i.working_dir for i in list_recoverable()] == [dirty.working_dir]


def test_awkward_file_names(tmp_path):
    """Spaces, '#', '?', '%', Welsh and Polish letters survive the SQLite URI."""
    folder = tmp_path / "Llŷr's share #2 ? 100%"
    folder.mkdir()
    path = folder / "Łódź board #1 (v2) ?.cypdesk"
    doc = Document.create(path)
    with doc.writing() as conn:
        add_org(conn, "Gwenllïan & Zoë")
    doc.save()
    doc.save_as(folder / "copy 50%.cypdesk")
    doc.close()
    assert org_names(path) == ["Gwenllïan & Zoë"] == org_names(folder / "copy 50%.cypdesk")
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, "copy 50%.cypdesk"])


# --- what a save records ---------------------------------------------------------------------------

def test_a_save_records_the_hashes_of_the_file_written_and_of_the_working_copy(docfile):
    """The two hashes a save records (read on threads while the copy is written and
    checked) are those of the bytes on disk: the next save finds the file unchanged,
    and a clean working copy is not taken for one holding edits."""
    doc = Document.open(docfile)
    for name in ("First Partner", "Second Partner"):
        with doc.writing() as conn:
            add_org(conn, name)
        doc.save()
        state = json.loads((doc.working_dir / "state.json").read_text(encoding="utf-8"))
        assert state["source_sha256"] == saving.file_sha256(docfile)
        assert state["work_sha256"] == saving.file_sha256(doc.working_path)
        assert state["source_size"] == docfile.stat().st_size and state["dirty"] is False
    assert {"First Partner", "Second Partner"} <= set(org_names(docfile))
    doc.close()


def test_a_copy_changed_while_it_was_hashed_is_hashed_again(docfile, monkeypatch):
    """If the file's state (size, time, header) differs after the threaded read, the
    hash is read again: what is recorded is always the file as it is."""
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Partner")
    # as if each file had changed after the threaded read: another state, a wrong hash
    monkeypatch.setattr(saving, "sha256_unchanged", lambda _path: ((0, 0, b""), "0" * 64))
    doc.save()
    state = json.loads((doc.working_dir / "state.json").read_text(encoding="utf-8"))
    assert state["source_sha256"] == saving.file_sha256(docfile)
    assert state["work_sha256"] == saving.file_sha256(doc.working_path)
    doc.close()
