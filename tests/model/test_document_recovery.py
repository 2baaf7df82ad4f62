"""Issue 7, items 6, 7 and 10 in the model: Save always compares content, housekeeping
keeps what holds edits and tidies what is stale, the "unsaved" note is written before
the first edit and survives a power cut, and Discard takes the crashed lock with it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from cypdesk import paths
from cypdesk.common.errors import ExternalChange
from cypdesk.model import dbfile, document
from cypdesk.model.document import Document
from cypdesk.model.recovery import cleanup_working_dirs, discard_recovery, housekeeping, list_recoverable, recover
from cypdesk.model.lock import lock_path_for, read_holder

REPO = Path(__file__).resolve().parents[2]
DEAD_PID = 2**22 + 4321  # no such process
T = "2026-03-31 14:05:00"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_org(conn, name: str) -> None:
    sql = ("INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, created_at, "
           "updated_at, created_hlc, hlc) VALUES (?, ?, 0, 0, 0, 0, ?, ?, '', '')")
    args = (os.urandom(16).hex(), name, T, T)
    (conn.execute if hasattr(conn, "total_changes") else conn.exec_driver_sql)(sql, args)


def org_names(path_or_doc) -> list[str]:
    path = path_or_doc.working_path if isinstance(path_or_doc, Document) else path_or_doc
    with dbfile.opened(path, read_only=True) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM organisations ORDER BY name")]


# Opens the document, commits one edit, and is killed inside the next transaction.
EDIT_AND_DIE = textwrap.dedent("""
    import os, signal, sys
    from cypdesk.model.document import Document
    doc = Document.open(sys.argv[1])
    sql = ("INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, created_at, "
           "updated_at, created_hlc, hlc) VALUES (?, ?, 0, 0, 0, 0, '2026-03-31', '2026-03-31', '', '')")
    with doc.writing() as conn:
        conn.exec_driver_sql(sql, (os.urandom(16).hex(), "Committed"))
    with doc.writing() as conn:
        conn.exec_driver_sql(sql, (os.urandom(16).hex(), "Never committed"))
        print(doc.working_dir, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
""")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def docfile(tmp_path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    path = dbfile.create_document_file(folder / "board.cypdesk")
    with dbfile.opened(path) as conn:
        add_org(conn, "Northshire County Council")
    return path


def state_of(folder: Path) -> dict:
    return json.loads((folder / "state.json").read_text())


def rewrite_state(folder: Path, **changes) -> None:
    state = state_of(folder)
    state.update(changes)
    (folder / "state.json").write_text(json.dumps(state))


# --- item 6: content is always compared before Save overwrites ---------------------------------

def test_item6_a_colleagues_save_that_keeps_size_and_mtime_is_refused(docfile):
    """A colleague's save of the same size, with the modification time put back (as on
    FAT drives and shares with coarse timestamps), is found by its content: Save raises
    ExternalChange and the colleague's file is left byte for byte."""
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "My Edit")
    st = os.stat(docfile)
    with dbfile.opened(docfile) as conn:  # same length: no page is added
        conn.execute("UPDATE organisations SET name = 'Southshire County Council'")
    os.utime(docfile, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = os.stat(docfile)
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    theirs = sha(docfile)
    with pytest.raises(ExternalChange):
        doc.save()
    assert sha(docfile) == theirs and org_names(docfile) == ["Southshire County Council"]
    assert doc.dirty and "My Edit" in org_names(doc)
    doc.close(discard=True)


# --- item 7: housekeeping -------------------------------------------------------------------------

def test_item7_a_working_copy_from_another_computer_is_never_judged_stale(docfile):
    """A working copy whose cypdesk ran on another computer (a shared or roaming data
    folder) cannot be checked from here: start-up cleanup keeps it and opening the
    document takes another folder. Before, any pid from another host counted as gone
    and the copy was deleted."""
    doc = Document.open(docfile)
    folder = doc.working_dir
    doc._closed = True  # as if that cypdesk were still running on the other computer
    rewrite_state(folder, host="NHS-LAPTOP-7", pid=4242)
    lock_path_for(docfile).unlink()
    assert cleanup_working_dirs() == []
    assert folder.exists()
    again = Document.open(docfile)
    assert again.working_dir != folder and folder.exists()
    again.close()
    assert folder.exists()


def test_item7_housekeeping_removes_stale_temps_in_the_backups_folder_only(docfile):
    """Temporary files a killed backup or saved-version copy left in the backups folder
    (``.~save-*.tmp`` and the ``.~*.json-*.tmp`` of an interrupted sidecar) are removed
    once older than a minute; young ones (a save in progress) and the backups stay."""
    backups = paths.backup_dir()
    stale = [backups / ".~save-0011223344556677.tmp", backups / ".~save-0011223344556677.tmp-journal",
             backups / ".~board-20260331-140500-saved.json-ab12cd.tmp"]
    young = backups / ".~save-8899aabbccddeeff.tmp"
    kept = [backups / "board-20260331-140500-saved.cypdesk", backups / "board-20260331-140500-saved.json"]
    past = time.time() - 600
    for p in stale + kept:
        p.write_bytes(b"x")
        os.utime(p, (past, past))
    young.write_bytes(b"x")
    removed = housekeeping()
    assert sorted(removed) == sorted(stale)
    assert young.exists() and all(p.exists() for p in kept)


def test_item7_save_removes_stale_temps_that_killed_saves_left_beside_the_document(docfile):
    doc = Document.open(docfile)
    stale = docfile.parent / ".~save-00112233aabbccdd.tmp"
    stale.write_bytes(b"half a save")
    past = time.time() - 600
    os.utime(stale, (past, past))
    with doc.writing() as conn:
        add_org(conn, "Saved")
    doc.save()
    assert not stale.exists()
    doc.close()


# --- item 10: the unsaved note comes first, and survives ------------------------------------------

def _write_with_writing(doc, ws):
    with doc.writing() as conn:
        add_org(conn, "Via writing")


def _write_with_workspace(doc, ws):
    from cypdesk.services import records

    records.create(ws, "organisations", {"name": "Via the workspace"})


def _write_with_bulk(doc, ws):
    with ws.bulk() as conn:
        add_org(conn, "Via bulk")


@pytest.mark.parametrize("write", [_write_with_writing, _write_with_workspace, _write_with_bulk],
                         ids=["doc.writing", "ws.write", "ws.bulk"])
def test_item10_unsaved_is_on_disk_before_the_first_commit(docfile, write):
    """At the moment SQLite is asked to COMMIT the first edit after opening (and after a
    Save), state.json on disk already says "unsaved": a crash between the commit and
    the note can no longer leave an edited copy marked clean. Observed with SQLite's
    trace callback on every connection of the working copy (it runs as each statement
    starts)."""
    from cypdesk.services.workspace import Workspace

    doc = Document.open(docfile)
    ws = Workspace(doc)
    seen: list[bool] = []

    def on_connect(dbapi, _record):
        def trace(sql):
            if sql.strip().upper().startswith("COMMIT"):
                seen.append(state_of(doc.working_dir)["dirty"])
        dbapi.set_trace_callback(trace)

    event.listen(doc.engine, "connect", on_connect)
    write(doc, ws)
    assert seen and seen[-1] is True
    doc.save()
    seen.clear()
    write(doc, ws)
    assert seen and all(seen)
    doc.close(discard=True)


def test_a_write_that_changes_nothing_leaves_the_document_clean(docfile):
    """The note is taken back when the transaction changed nothing (nothing to save,
    nothing to recover): an empty write, and one rolled back by an error."""
    from cypdesk.services.workspace import Workspace

    doc = Document.open(docfile)
    ws = Workspace(doc)
    with ws.write():
        pass
    assert not doc.dirty and state_of(doc.working_dir)["dirty"] is False
    with pytest.raises(RuntimeError), doc.writing() as conn:
        add_org(conn, "Rolled back")
        raise RuntimeError("refused")
    assert not doc.dirty and state_of(doc.working_dir)["dirty"] is False
    doc.close()
    assert list_recoverable() == []


def test_item10_a_copy_marked_clean_whose_content_changed_is_kept_and_offered(docfile):
    """A working copy whose state says "no unsaved changes" but whose content differs
    from what was recorded at open (an edit that reached the copy just before a crash,
    before its note) is never deleted as clean: start-up cleanup and the next open keep
    it, and it is offered for recovery with the edit in it. The edit here is written
    straight into the copy with sqlite3, bypassing the note, and the process is made to
    look gone by rewriting the pid in state.json."""
    doc = Document.open(docfile)
    folder = doc.working_dir
    with dbfile.opened(doc.working_path) as conn:
        add_org(conn, "Edit without its note")
    doc._closed = True  # crashed: no close
    lock_path_for(docfile).unlink()
    rewrite_state(folder, pid=DEAD_PID)
    assert cleanup_working_dirs() == [] and folder.exists()
    again = Document.open(docfile)
    assert again.working_dir != folder and folder.exists()
    again.close()
    (item,) = list_recoverable(docfile)
    assert item.working_dir == folder
    back = recover(item)
    assert "Edit without its note" in org_names(back)
    back.close(discard=True)


def test_item10_a_clean_copy_left_by_a_crash_is_still_removed(docfile):
    """The content check does not keep what really holds nothing: a copy opened and
    never edited, whose cypdesk died, is removed at start-up."""
    doc = Document.open(docfile)
    folder = doc.working_dir
    doc._closed = True
    rewrite_state(folder, pid=DEAD_PID)
    assert cleanup_working_dirs() == [folder]


class LostRenames:
    """A fault-injecting file layer for a simulated power cut: ``os.replace`` is
    recorded with the target's previous bytes; ``os.fsync`` on a folder's descriptor
    makes the renames into that folder durable; :meth:`power_cut` undoes every rename
    whose folder was never synced (what ext4 and most filesystems may do)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pending: list[tuple[Path, bytes | None]] = []
        real_replace, real_fsync = os.replace, os.fsync

        def replace(src, dst):
            dst = Path(dst)
            before = dst.read_bytes() if dst.exists() else None
            real_replace(src, dst)
            self.pending.append((dst, before))

        def fsync(fd):
            real_fsync(fd)
            st = os.fstat(fd)
            if os.path.isdir(f"/proc/self/fd/{fd}") or (st.st_mode & 0o170000) == 0o040000:
                self.pending = [(p, b) for p, b in self.pending
                                if (os.stat(p.parent).st_dev, os.stat(p.parent).st_ino) != (st.st_dev, st.st_ino)]

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "fsync", fsync)

    def power_cut(self) -> None:
        for path, before in reversed(self.pending):
            if before is None:
                path.unlink()
            else:
                path.write_bytes(before)
        self.pending.clear()


@pytest.mark.skipif(os.name != "posix", reason="folder fsync is POSIX")
def test_item10_simulated_power_cut_dropping_unsynced_renames_keeps_the_unsaved_note(docfile):
    """Simulated, not a real power cut: :class:`LostRenames` patches os.replace and
    os.fsync and, at the "cut", undoes every rename whose folder was never fsync'd.
    state.json is replaced atomically when the first edit marks the document unsaved;
    its folder is now synced, so after the cut the note still says unsaved, the copy
    is offered for recovery and cleanup keeps it (before, the rename was lost and the
    next open deleted the copy as clean)."""
    doc = Document.open(docfile)
    with pytest.MonkeyPatch.context() as patched:
        layer = LostRenames(patched)
        with doc.writing() as conn:
            add_org(conn, "Before the cut")
        layer.power_cut()
    assert state_of(doc.working_dir)["dirty"] is True
    doc._closed = True  # the machine went down: no close
    rewrite_state(doc.working_dir, pid=DEAD_PID)
    assert doc.working_dir not in cleanup_working_dirs()
    assert [i.working_dir for i in list_recoverable(docfile)] == [doc.working_dir]


def test_item10_every_working_copy_connection_syncs_the_journal_deletion(docfile):
    """Checked by setting, not by a simulated cut: with the rollback journal a commit is
    the journal's deletion, which SQLite syncs (by syncing the folder) only with
    ``synchronous=EXTRA`` (3); FULL (2) left it to the filesystem, so a power cut could
    bring the journal back and roll the last edit away. Python cannot intercept
    SQLite's own unlink, so this checks the setting on every kind of connection the
    document uses: the engine's readers and writers, and plain connections."""
    doc = Document.open(docfile)
    with doc.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 3
    with doc.writing() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 3
    with dbfile.opened(doc.working_path) as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 3
    doc.close(discard=True)


# --- item 10: Discard takes the crashed lock with it -----------------------------------------------

def _crash_while_editing(docfile: Path) -> Path:
    done = subprocess.run([sys.executable, "-c", EDIT_AND_DIE, str(docfile)], env=child_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    return Path(done.stdout.strip())


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_item10_discarding_recovery_removes_the_lock_the_crash_left(docfile):
    """cypdesk killed while editing leaves its lock beside the document (a colleague
    would be told it is open for 12 hours). Discarding the recoverable edits removes the
    working copy and that lock."""
    original = sha(docfile)
    folder = _crash_while_editing(docfile)
    holder = read_holder(docfile)
    assert holder is not None and holder.pid != os.getpid()
    (item,) = list_recoverable()
    assert item.working_dir == folder
    discard_recovery(item)
    assert not folder.exists() and not lock_path_for(docfile).exists()
    assert sha(docfile) == original


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_item10_discard_leaves_a_lock_someone_else_holds(docfile):
    """Only the crashed process's own lock is removed: if a colleague has the document
    open now, their lock stays."""
    _crash_while_editing(docfile)
    lock_path_for(docfile).write_text(json.dumps({
        "user": "jsmith", "host": "NHS-LAPTOP-7", "pid": 4242, "installation": "someone-else",
        "since": "2026-03-15T09:30:00+00:00", "token": "t"}))
    (item,) = list_recoverable(docfile)
    discard_recovery(item)
    assert not item.working_dir.exists() and read_holder(docfile).user == "jsmith"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_item10_recovered_then_closed_with_discard_leaves_no_lock(docfile):
    _crash_while_editing(docfile)
    (item,) = list_recoverable(docfile)
    doc = recover(item)
    assert read_holder(docfile).pid == os.getpid()
    doc.close(discard=True)
    assert not lock_path_for(docfile).exists() and not item.working_dir.exists()


def test_item10_recoverable_copy_says_when_the_file_changed_on_disk_since(docfile):
    doc = Document.open(docfile)
    with doc.writing() as conn:
        add_org(conn, "Mine")
    doc.close()
    (item,) = list_recoverable(docfile)
    assert item.source_changed() is False
    with dbfile.opened(docfile) as conn:
        add_org(conn, "A colleague's")
    assert item.source_changed() is True
    assert list_recoverable(docfile.parent / "other.cypdesk") == []
    discard_recovery(item)


def test_item7_only_a_process_of_this_computer_can_be_judged_gone():
    """Unknown means keep: a pid from another computer is never "gone"."""
    assert document._process_gone({"pid": os.getpid(), "host": socket.gethostname()}) is False
    assert document._process_gone({"pid": DEAD_PID, "host": socket.gethostname()}) is True
    assert document._process_gone({"pid": os.getpid(), "host": "ELSEWHERE-PC"}) is False
    assert document._process_gone({"pid": 0, "host": "ELSEWHERE-PC"}) is True  # closed on purpose
