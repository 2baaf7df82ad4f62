"""The read-only commands (info, check, history) on files in awkward states, and the
named faults of issue 7 items 4 and 5: they never write beside the document (the
folder is listed before and after), never roll back a journal, and say in words what
they found; ``check`` runs SQLite's full integrity check and never says "sound" when it
could not look; an unreadable document is exit 2, a full data folder or a full disk
while writing the lock exit 1, each with its ``--json`` error code."""

from __future__ import annotations

import builtins
import errno
import hashlib
import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from cypdesk import paths
from cypdesk.cli import main
from cypdesk.model import dbfile

READ_ONLY_COMMANDS = ("info", "check", "history", "imports")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in sorted(folder.iterdir())}


def run_json(capsys, *args):
    code = main([str(a) for a in args] + ["--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "[Errno" not in out + err
    return code, json.loads(out)


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reading-demo")
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        path = folder / "master.cypdesk"
        assert main(["demo", str(path)]) == 0
    finally:
        if old is not None:
            os.environ["CYPDESK_HOME"] = old
    return path


@pytest.fixture
def demo(demo_master, tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "d.cypdesk"
    shutil.copy(demo_master, path)
    return path


def a_service(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def args_for(command: str, path: Path, service_id: str) -> list:
    return [command, path] + (["services", service_id] if command == "history" else [])


# --- WAL mode with no -wal beside it ------------------------------------------------------

def _to_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS)
def test_a_wal_mode_file_is_read_without_creating_wal_or_shm_beside_it(command, demo, capsys):
    """A file another program left in WAL mode, with no -wal beside it: each read-only
    command succeeds (not "disk I/O error"), says so in a warning, and creates no -wal or
    -shm file beside the document (the folder is listed before and after)."""
    service_id = a_service(demo)
    _to_wal(demo)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, *args_for(command, demo, service_id))
    assert code == 0, result
    assert any("write-ahead-log (WAL) mode" in w for w in result["warnings"])
    assert folder_state(demo.parent) == before
    if command == "info":
        assert result["counts"]["services"] > 0


# --- a hot journal --------------------------------------------------------------------------

def _leave_hot_journal(path: Path) -> None:
    """A child renames every service inside a transaction (small cache, so pages spill
    to the file) and SIGKILLs itself before COMMIT: a hot -journal is left."""
    if not hasattr(os, "fork"):
        pytest.skip("needs fork and SIGKILL")
    pid = os.fork()
    if pid == 0:
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA cache_size=5")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE services SET name = 'HALF-WRITTEN ' || name")
            conn.execute("UPDATE history SET new_value = '\"HALF-WRITTEN\"'")
            conn.execute("UPDATE indicator_values SET note = 'HALF-WRITTEN'")
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    assert Path(f"{path}-journal").read_bytes()[:8] == dbfile.JOURNAL_MAGIC


def test_info_on_a_hot_journal_reads_a_rolled_back_copy_and_says_so(demo, capsys):
    """A hot -journal beside the file: info neither fails ("attempt to write a readonly
    database") nor rolls the journal back; it reads a rolled-back private copy (the
    last committed state: no half-written names), warns in words, and the document and
    its journal are byte for byte as they were."""
    _leave_hot_journal(demo)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, "info", demo)
    assert code == 0, result
    assert any("was being written when a program stopped" in w and "rolled back in a temporary copy" in w
               for w in result["warnings"])
    assert result["counts"]["services"] > 0
    assert folder_state(demo.parent) == before


def test_history_on_a_hot_journal_reads_the_last_committed_state(demo, capsys):
    """history with a hot journal: the record's history as last committed, a warning,
    nothing changed or created beside the document."""
    service_id = a_service(demo)
    assert main(["set", str(demo), "services", service_id, "staff_fte=5"]) == 0  # a figure nothing follows
    _leave_hot_journal(demo)
    before = folder_state(demo.parent)
    capsys.readouterr()
    code, result = run_json(capsys, "history", demo, "services", service_id)
    assert code == 0 and result["warnings"]
    assert [(e["field"], e["new"]) for e in result["history"] if e["op"] == "update"] == [("staff_fte", 5.0)]
    assert folder_state(demo.parent) == before


def test_check_on_a_hot_journal_is_not_sound(demo, capsys):
    """check with a hot journal: exit 1, code hot_journal, the words say the file on
    disk is not what was last saved and what the rolled-back copy showed; nothing is
    rolled back or created beside it. (Before: "sound".)"""
    _leave_hot_journal(demo)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, "check", demo)
    assert code == 1 and result["error"]["code"] == "hot_journal"
    message = result["error"]["message"]
    assert "not what was last saved" in message and "rolled-back temporary copy" in message
    assert "sound cypdesk document" not in message
    assert folder_state(demo.parent) == before


# --- a table and its index disagreeing ------------------------------------------------------

def _index_out_of_step(path: Path) -> None:
    """Make ix_services_team_id disagree with its table while the schema stays exactly
    cypdesk's: with PRAGMA writable_schema the index is briefly declared on provider_id,
    a service is inserted (its index entry keyed by provider_id), and the true
    definition is put back. quick_check does not compare index content with the table;
    integrity_check does ("row N missing from index ...")."""
    true_sql = "CREATE INDEX ix_services_team_id ON services (team_id)"
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'ix_services_team_id'").fetchone()[0] == true_sql
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = 'ix_services_team_id'",
                 (true_sql.replace("(team_id)", "(provider_id)"),))
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(services)")]
    picked = ", ".join("'00000000-0000-4000-8000-0000000000ab'" if c == "id" else
                       ("name || ' (copy)'" if c == "name" else c) for c in cols)
    conn.execute(f"INSERT INTO services ({', '.join(cols)}) SELECT {picked} FROM services "
                 "WHERE team_id IS NOT NULL AND provider_id IS NOT NULL AND team_id <> provider_id LIMIT 1")
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = 'ix_services_team_id'", (true_sql,))
    conn.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert "missing from index" in conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()


def test_check_finds_a_table_and_its_index_disagreeing(demo, capsys):
    """check runs the FULL integrity check: an index out of step with its table is
    exit 1, code damaged, with SQLite's message. (Before: "sound".)"""
    _index_out_of_step(demo)
    before = sha(demo)
    code, result = run_json(capsys, "check", demo)
    assert code == 1 and result["error"]["code"] == "damaged"
    assert "missing from index ix_services_team_id" in result["error"]["message"]
    assert result["error"]["sqlite_message"].startswith("row ")
    assert sha(demo) == before


def test_set_on_a_table_and_index_disagreeing_says_the_document_is_damaged(demo, capsys):
    """set on that file: exit 1, code damaged, the words blame the document, not "the
    new copy"; the file is unchanged and nothing is left beside it."""
    service_id = a_service(demo)
    _index_out_of_step(demo)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, "set", demo, "services", service_id, "annual_cost=£1")
    assert code == 1 and result["error"]["code"] == "damaged", result
    message = result["error"]["message"]
    assert "the document is damaged" in message and "missing from index" in message
    assert "new copy" not in message
    assert folder_state(demo.parent) == before


def test_check_that_could_not_run_says_why_not_sound(demo, capsys, monkeypatch):
    """The full check failing to run (SQLITE_IOERR while it reads, patched into
    dbfile.integrity_check) is exit 1 io_error "Could not check ...", never "sound"."""
    def failing(_path, **_kw):
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorname, exc.sqlite_errorcode = "SQLITE_IOERR_READ", 266
        raise exc

    monkeypatch.setattr(dbfile, "integrity_check", failing)
    code, result = run_json(capsys, "check", demo)
    assert code == 1 and result["error"]["code"] == "io_error"
    assert result["error"]["message"].startswith(f"Could not check {demo}")


def test_check_of_a_sound_file_ran_the_full_check(demo, capsys):
    code, result = run_json(capsys, "check", demo)
    assert code == 0 and "integrity_check" in result["checks"] and result["warnings"] == []


# --- the named faults of item 4 -------------------------------------------------------------

@pytest.mark.parametrize("command", ("info", "check", "set", "history"))
def test_an_unreadable_document_is_exit_2_permission_denied(command, demo, capsys, monkeypatch):
    """Reading the document raises PermissionError (patched builtins.open for that one
    path: chmod does not stop root): exit 2, code permission_denied, the message names
    the file in words, no traceback. (Before: a raw PermissionError, exit 1.)"""
    service_id = a_service(demo)
    real_open = builtins.open

    def refusing(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(demo):
            raise PermissionError(errno.EACCES, "Permission denied", str(demo))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    if command == "set":
        args = ["set", demo, "services", service_id, "annual_cost=£1"]
    else:
        args = args_for(command, demo, service_id)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, *args)
    assert code == 2 and result["error"]["code"] == "permission_denied"
    assert str(demo) in result["error"]["message"] and "permission to read it" in result["error"]["message"]
    monkeypatch.undo()
    assert folder_state(demo.parent) == before


def test_a_full_data_folder_while_making_the_working_copy_is_exit_1_disk_full(demo, capsys, monkeypatch):
    """set copies the document into the data folder; writing that copy fails with ENOSPC
    (patched builtins.open, and os.open with O_CREAT, for files under the working folder): exit 1, disk_full, the
    words name the document and the working folder; the document, and its folder
    (no lock file left), are unchanged."""
    service_id = a_service(demo)
    work_root = str(paths.working_dir())
    real_open = builtins.open

    def full(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(work_root) and "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    real_os_open = os.open

    def full_os_open(file, flags, *args, **kwargs):  # the working copy is made private through os.open
        if os.fspath(file).startswith(work_root) and flags & (os.O_WRONLY | os.O_RDWR) and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(file))
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full)
    monkeypatch.setattr(os, "open", full_os_open)
    before = folder_state(demo.parent)
    code, result = run_json(capsys, "set", demo, "services", service_id, "annual_cost=£1")
    monkeypatch.undo()
    assert code == 1 and result["error"]["code"] == "disk_full"
    message = result["error"]["message"]
    assert "the disk is full" in message and "working copy of d.cypdesk" in message and work_root in message
    assert folder_state(demo.parent) == before


def test_disk_full_while_writing_the_lock_is_exit_1_disk_full(demo, capsys, monkeypatch):
    """The lock file is created but writing its content fails with ENOSPC (patched
    os.write on the lock's descriptor): exit 1, disk_full, plain words, the document
    unchanged. (Before: a traceback from lock.py.) Leaving no lock file behind is the
    lock's own fix (lock.py), tested with it."""
    service_id = a_service(demo)
    lock_fds: set[int] = set()
    real_os_open, real_write = os.open, os.write

    def tracking_open(path, flags, *args, **kwargs):
        fd = real_os_open(path, flags, *args, **kwargs)
        if os.fspath(path).endswith(f".~lock.{demo.name}#"):
            lock_fds.add(fd)
        return fd

    def full_write(fd, data):
        if fd in lock_fds:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "write", full_write)
    before = sha(demo)
    code, result = run_json(capsys, "set", demo, "services", service_id, "annual_cost=£1")
    monkeypatch.undo()
    assert lock_fds and code == 1 and result["error"]["code"] == "disk_full"
    assert str(demo) in result["error"]["message"] and "the disk is full" in result["error"]["message"]
    assert sha(demo) == before


def test_prose_failure_is_one_plain_line_on_stderr(demo, capsys, monkeypatch):
    """Without --json the same fault is one line "cypdesk: <message>" on stderr and
    nothing on stdout."""
    real_open = builtins.open

    def refusing(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(demo):
            raise OSError(errno.EIO, "Input/output error", str(demo))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    code = main(["info", str(demo)])
    out, err = capsys.readouterr()
    assert code == 1 and not out
    assert err.startswith(f"cypdesk: Could not read {demo}: the drive reported an input/output error")
    assert err.count("\n") == 1 and "Errno" not in err
