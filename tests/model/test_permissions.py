"""Issue 7 item 2: saving keeps the document's permissions, and cypdesk's own copies
of it are private to the user.

A save renames a temporary copy over the document; the copy must carry the mode (and
owner and group where permitted) of the file it replaces, or a 600 file turns 644 and
a group's 660 file loses the group's write access. Working copies, their state,
backups and the folders that hold them are 0600/0700 whatever the document's mode and
the umask. The lock file is readable by whoever may read the document.

CI runs as root: modes are still checked exactly; changing a file's group to one we
are not a member of is only possible as root, so that part is skipped otherwise.
Every test here sets the umask itself (the ``umask`` fixture) so the expected modes do
not depend on the shell that ran pytest.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from cypdesk import paths
from cypdesk.model import dbfile, migrate, saving
from cypdesk.model.document import Document, keep_saved_version, list_saved_versions
from cypdesk.model.installation import write_json_atomic
from cypdesk.model.lock import DocumentLock, lock_path_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows uses inherited ACLs")

REPO = Path(__file__).resolve().parents[2]
V1 = REPO / "tests" / "fixtures" / "schema_v1.cypdesk"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    """Set the process umask for the test (``umask(0o022)`` first), restored after."""
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


@pytest.fixture
def docfile(tmp_path, umask) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return dbfile.create_document_file(folder / "board.cypdesk")


def edit(doc: Document, name: str = "Brightstart CIC") -> None:
    with doc.writing() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, created_at, updated_at, "
            "created_hlc, hlc) VALUES (?, ?, 0, 0, 0, 0, '2026-01-01', '2026-01-01', '', '')",
            (os.urandom(16).hex(), name))


# --- the document keeps its permissions ------------------------------------------------------

@pytest.mark.parametrize("file_mode", [0o600, 0o640, 0o660], ids=oct)
def test_save_keeps_the_documents_mode(docfile, file_mode):
    """A document at 600, 640 or 660 has the same mode after Save (it became 644
    before: the temporary copy renamed over it had SQLite's default mode)."""
    os.chmod(docfile, file_mode)
    doc = Document.open(docfile)
    edit(doc)
    doc.save()
    assert mode(docfile) == file_mode
    edit(doc, "Second save")
    doc.save()
    assert mode(docfile) == file_mode
    doc.close()


def test_save_keeps_the_documents_group(docfile):
    """The group (and owner) of the document survive Save: a file shared with a
    group stays in that group. Needs root to give the file a group we do not belong to."""
    if os.geteuid() != 0:
        pytest.skip("changing a file to a group we are not in needs root (CI runs as root)")
    other_gid = 4242 if os.getegid() != 4242 else 4243
    os.chown(docfile, 0, other_gid)
    os.chmod(docfile, 0o660)
    doc = Document.open(docfile)
    edit(doc)
    doc.save()
    st = os.stat(docfile)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, other_gid, 0o660)
    doc.close()


def test_atomic_copy_over_a_file_we_may_not_chown_keeps_its_mode(docfile, tmp_path, monkeypatch):
    """Where the system refuses to change the owner (EPERM, as for any user but root,
    injected here by a patched ``os.chown``), the save still succeeds and keeps the mode."""
    os.chmod(docfile, 0o640)
    refused = []

    def refuse(path, uid, gid):
        refused.append((uid, gid))
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chown", refuse)
    saving.atomic_copy(docfile, docfile)
    assert mode(docfile) == 0o640 and len(refused) == 2  # owner and group, then the group alone


def test_a_share_that_refuses_modes_still_saves_and_never_widens(docfile, monkeypatch):
    """A network share that refuses chmod (EPERM from a patched ``os.chmod`` and
    ``os.fchmod``): the save still succeeds, and the file is left private (0600, as the
    copy was made), never wider than the one it replaced."""
    os.chmod(docfile, 0o660)

    def refuse(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(os, "fchmod", refuse)
    saving.atomic_copy(docfile, docfile)
    monkeypatch.undo()
    assert mode(docfile) == 0o600 and dbfile.inspect_file(docfile).schema_version


def test_save_as_a_new_file_gets_the_umasks_mode(docfile, tmp_path, umask):
    """A new file (Save As to a new name) gets the normal mode for the umask
    (0666 less it), not the mode of the document it came from, nor 0600."""
    os.chmod(docfile, 0o600)
    umask(0o002)
    doc = Document.open(docfile)
    new = tmp_path / "share" / "copy.cypdesk"
    doc.save_as(new)
    assert mode(new) == 0o664
    doc.close()


def test_demo_output_gets_the_umasks_mode(tmp_path, umask):
    from cypdesk.services.documents import write_demo

    umask(0o002)
    out = tmp_path / "demo.cypdesk"
    write_demo(out)
    assert mode(out) == 0o664


# --- cypdesk's own copies are private --------------------------------------------------------

@pytest.mark.parametrize("doc_mode", [0o644, 0o666], ids=oct)
def test_working_copy_state_and_folders_are_private(docfile, umask, doc_mode):
    """Whatever the document's mode and the umask (000 here): the working copy, its
    state.json, its folder, and the data and working folders are 0600/0700."""
    os.chmod(docfile, doc_mode)
    umask(0o000)
    doc = Document.open(docfile)
    edit(doc)
    assert mode(doc.working_path) == 0o600
    assert mode(doc.working_dir / "state.json") == 0o600
    assert mode(doc.working_dir) == 0o700
    assert mode(paths.data_dir()) == 0o700 and mode(paths.working_dir()) == 0o700
    doc.close()


def test_read_only_view_and_untitled_working_copies_are_private(docfile, umask):
    umask(0o000)
    view = Document.open(docfile, read_only=True)
    untitled = Document.new()
    for doc in (view, untitled):
        assert mode(doc.working_path) == 0o600 and mode(doc.working_dir) == 0o700
        assert mode(doc.working_dir / "state.json") == 0o600
        doc.close()


def test_hot_journal_copied_into_a_read_only_view_is_private(docfile, umask):
    """A read-only view of a file with a hot journal (a writer killed mid-transaction,
    by fork and SIGKILL) copies the journal into the working folder to roll the copy
    back: that copy is 0600 (checked when the copy is opened, through a patched
    ``dbfile.opened``, since SQLite deletes it once rolled back)."""
    import signal

    if not hasattr(os, "fork"):
        pytest.skip("needs fork and SIGKILL")
    pid = os.fork()
    if pid == 0:
        try:
            conn = dbfile.connect(docfile)
            conn.execute("PRAGMA cache_size=5")
            conn.execute("BEGIN IMMEDIATE")
            for _ in range(300):
                conn.execute("INSERT INTO organisations (id, name, is_partner, is_provider, is_sme, is_vcse, "
                             "created_at, updated_at, created_hlc, hlc) VALUES (?, ?, 0, 0, 0, 0, 'a', 'a', '', '')",
                             (os.urandom(16).hex(), "x" * 500))
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    assert Path(f"{docfile}-journal").read_bytes()[:8] == dbfile.JOURNAL_MAGIC
    umask(0o000)
    modes = []
    real_opened = dbfile.opened

    def opened(path, **kw):
        journal = Path(f"{path}-journal")
        if Path(path).name == "work.cypdesk" and journal.exists():
            modes.append(mode(journal))
        return real_opened(path, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dbfile, "opened", opened)
        doc = Document.open(docfile, read_only=True)
    assert modes == [0o600]
    doc.close()


def test_folders_made_by_an_older_cypdesk_become_private(umask):
    """Data, working and backup folders that exist with 0755 (an older cypdesk, a
    permissive umask) are set to 0700 when cypdesk next uses them."""
    home = Path(os.environ["CYPDESK_HOME"])
    for sub in ("data", "data/working", "data/backups"):
        (home / sub).mkdir(mode=0o755, exist_ok=True)
        os.chmod(home / sub, 0o755)
    assert mode(paths.working_dir()) == 0o700
    assert mode(paths.backup_dir()) == 0o700
    assert mode(paths.data_dir()) == 0o700


def test_migration_backup_is_private(tmp_path, umask):
    """The backup written before a migration (VACUUM INTO, which SQLite creates 0644
    less the umask) is 0600 in a 0700 folder, also while it is being written."""
    umask(0o000)
    path = tmp_path / "old.cypdesk"
    shutil.copyfile(V1, path)
    os.chmod(path, 0o666)
    seen = []
    real_replace = os.replace

    def replace(src, dst):  # the temporary backup's mode at the moment it is renamed
        seen.append((Path(dst).parent, mode(Path(src))))
        return real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(migrate.os, "replace", replace)
        backup = migrate.make_backup(path, version=1)
    assert seen == [(paths.backup_dir(), 0o600)]
    assert mode(backup) == 0o600 and mode(backup.parent) == 0o700


def test_kept_saved_versions_their_sidecars_and_temp_files_are_private(docfile, umask):
    """Each Save keeps a copy in the backups folder through a temporary file: the
    temporary file (checked at its rename, through a patched ``os.replace``), the kept
    copy and its .json sidecar are 0600, whatever the document's mode."""
    os.chmod(docfile, 0o666)
    umask(0o000)
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).parent == paths.backup_dir():
            seen.append((Path(dst).suffix, mode(Path(src))))
        return real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", replace)
        kept = keep_saved_version(docfile)
    assert (".cypdesk", 0o600) in seen and (".json", 0o600) in seen
    assert mode(kept) == 0o600 and mode(kept.with_suffix(".json")) == 0o600
    assert list_saved_versions(docfile)[0].path == kept


def test_state_written_by_write_json_atomic_is_private(tmp_path, umask):
    umask(0o000)
    target = tmp_path / "state.json"
    write_json_atomic(target, {"dirty": True})
    assert mode(target) == 0o600 and json.loads(target.read_text()) == {"dirty": True}


def test_restoring_a_migrated_version_uses_a_private_temporary_copy(docfile, umask):
    """Restoring a saved version of an older schema migrates a temporary copy in the
    working folder: that copy is 0600 (checked at the moment it is migrated)."""
    from cypdesk.model import document as document_mod
    from cypdesk.model.document import SavedVersion, restore_saved_version

    umask(0o000)
    old = paths.backup_dir() / "board-20260101-000000-saved.cypdesk"
    shutil.copyfile(V1, old)
    version = SavedVersion(path=old, source=docfile, saved_at=__import__("datetime").datetime.now(),
                           size=old.stat().st_size, schema_version=1)
    doc = Document.open(docfile)
    modes = []
    real_migrate = migrate.migrate_file

    def record(path, **kw):
        modes.append(mode(Path(path)))
        return real_migrate(path, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(document_mod.migrate, "migrate_file", record)
        restore_saved_version(doc, version)
    assert modes == [0o600]
    doc.close(discard=True)


# --- the lock file --------------------------------------------------------------------------

@pytest.mark.parametrize("doc_mode, lock_mode", [(0o600, 0o600), (0o640, 0o640), (0o660, 0o640), (0o644, 0o644)],
                         ids=["600", "640", "660", "644"])
def test_lock_is_readable_by_whoever_may_read_the_document(docfile, umask, doc_mode, lock_mode):
    """The lock is the owner's to write, and readable by whoever may read the document
    (its group and other read bits), so a colleague told "open by ..." can read who;
    a private document's lock is private. The umask (077 here) does not narrow it."""
    os.chmod(docfile, doc_mode)
    umask(0o077)
    lock = DocumentLock(docfile)
    assert lock.acquire()
    assert mode(lock_path_for(docfile)) == lock_mode
    lock.release()


def test_lock_is_in_the_documents_group(docfile):
    if os.geteuid() != 0:
        pytest.skip("giving the document a group we are not in needs root (CI runs as root)")
    other_gid = 4242 if os.getegid() != 4242 else 4243
    os.chown(docfile, -1, other_gid)
    os.chmod(docfile, 0o640)
    lock = DocumentLock(docfile)
    assert lock.acquire()
    assert os.stat(lock_path_for(docfile)).st_gid == other_gid
    lock.release()


def test_lock_of_a_new_file_gets_the_umasks_mode(tmp_path, umask):
    """Save As to a new name takes the lock before the file exists: the lock then has
    the umask's mode, as the new file will."""
    umask(0o027)
    lock = DocumentLock(tmp_path / "new.cypdesk")
    assert lock.acquire()
    assert mode(lock.path) == 0o640
    lock.release()



# --- exports, which are saved the same way ------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_keeps_the_mode_of_the_file_it_replaces_and_a_new_one_gets_the_umasks(tmp_path, umask, kind):
    """Exports are written through a temporary file renamed into place, like Save:
    a new export gets the umask's mode (it was 0600, from mkstemp: a colleague on the
    share could not open it), and exporting over a 640 file keeps 640."""
    from cypdesk.io.xlsx import write_csv, write_xlsx

    def export(path):
        if kind == "csv":
            write_csv(path, ["Name"], [("Riverside",)])
        else:
            write_xlsx(path, [("Services", ["Name"], [("Riverside",)])])

    umask(0o002)
    out = tmp_path / f"out.{kind}"
    export(out)
    assert mode(out) == 0o664
    os.chmod(out, 0o640)
    export(out)
    assert mode(out) == 0o640
