"""Where the window offers to merge: a sync client's conflict copy beside a document
(reliability case 25: offered at open, never deleted), Save finding the file changed on
disk ("Merge the file on disk into mine, then save"), and a shared copy (.cypshare)
opened from File > Open or the command line (merge it, or save it as a new document),
encrypted or not (a wrong passphrase says so and asks again).

The window runs with the tests' inline TaskRunner (``dialogs`` fixture); message boxes
and dialogs are answered from its queues."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk.model.installation import Installation

BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-DESKTOP")
RIVERSIDE = "Riverside Youth Trust"
Yes, No, Ignore, Save, Ok = (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No,
                             QMessageBox.StandardButton.Ignore, QMessageBox.StandardButton.Save,
                             QMessageBox.StandardButton.Ok)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def bobs_copy(master: Path, path: Path, name: str = RIVERSIDE) -> Path:
    """A plain copy of ``master`` at ``path`` in which bob at the NHS added an organisation."""
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(master, path)
    doc = Document.open(path, installation=BOB)
    try:
        records.create(Workspace(doc, BOB), "organisations", {"name": name, "kind": "voluntary"})
        doc.save()
    finally:
        doc.close(discard=True)
    return path


def has_organisation(path: Path, name: str = RIVERSIDE) -> bool:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM organisations WHERE name=?", (name,)).fetchone()[0] == 1


def closed(window) -> None:
    if window.workspace is not None:
        window.workspace.doc.close(discard=True)
        window.workspace = None
    window.close()


def accept_preview(dialog) -> bool:
    from cypdesk.ui.exchange.merge_dialog import MergeDialog

    assert isinstance(dialog, MergeDialog)
    return True


# --- conflict copies ---------------------------------------------------------------------------

def test_a_conflict_copy_is_offered_at_open_and_merged(qtbot, demo_master, demo_path, dialogs):
    """OneDrive left ``trust-LAPTOP7.cypdesk`` beside the document: opening it asks
    whether to merge the copy; Merge it… previews and merges its new organisation, the
    copy itself stays where it was, and the next open does not ask again."""
    from cypdesk.ui import open_main_window

    copy = bobs_copy(demo_master, demo_path.with_name("trust-LAPTOP7.cypdesk"))
    held = sha(copy)
    dialogs.answers = [Yes]
    dialogs.drivers = [accept_preview]
    window = open_main_window(demo_path)
    assert dialogs.seen[0][0] == "Conflict copy found" and "trust-LAPTOP7.cypdesk" in dialogs.seen[0][1]
    assert has_organisation(window.workspace.doc.working_path)
    assert "Merged trust-LAPTOP7.cypdesk" in window.status_label.text()
    assert copy.exists() and sha(copy) == held  # never deleted, never changed
    assert window.save()
    closed(window)
    asked = len(dialogs.seen)
    window = open_main_window(demo_path)  # merged: not offered again
    assert len(dialogs.seen) == asked
    closed(window)


def test_a_conflict_copy_not_merged_now_is_offered_again_unless_told_not_to(qtbot, demo_master, demo_path, dialogs):
    """Not now: nothing is merged, and the copy is offered at the next open. Don't ask
    about this copy again: it is not offered after that, and nothing is merged."""
    from cypdesk.ui import open_main_window

    bobs_copy(demo_master, demo_path.with_name("trust (conflicted copy 2026-12-04).cypdesk"))
    dialogs.answers = [No]
    window = open_main_window(demo_path)
    assert not has_organisation(window.workspace.doc.working_path)
    closed(window)
    dialogs.answers = [Ignore]
    window = open_main_window(demo_path)
    assert dialogs.seen[-1][0] == "Conflict copy found"
    closed(window)
    asked = len(dialogs.seen)
    window = open_main_window(demo_path)
    assert len(dialogs.seen) == asked and not has_organisation(window.workspace.doc.working_path)
    closed(window)


# --- Save finds the file changed on disk -----------------------------------------------------

def test_save_after_a_change_on_disk_merges_the_file_on_disk_then_saves(qtbot, demo_master, demo_path, dialogs,
                                                                        tmp_path):
    """A colleague's version replaces the file while it is open (a sync client did it),
    and the officer has an edit of their own. Save offers "Merge the file on disk into
    mine, then save" beside Save As; choosing it previews and merges the colleague's
    organisation, then saves: the file holds both changes, and the next Save needs no
    question."""
    from cypdesk.services import records
    from cypdesk.ui import open_main_window

    window = open_main_window(demo_path)
    tab = window.tab("organisations")
    window.push(records.create(window.workspace, "organisations", {"name": "Our own addition", "kind": "other"}), tab)
    colleague = bobs_copy(demo_master, tmp_path / "colleague" / "trust.cypdesk")
    shutil.copy(colleague, demo_path)
    dialogs.answers = [Yes]
    dialogs.drivers = [accept_preview]
    assert window.save()
    title, text = dialogs.seen[0]
    assert title == "Changed by someone else"
    buttons, labels = dialogs.buttons[0]
    assert labels[Yes] == "Merge the file on disk into mine, then save" and labels[Save] == "Save As…"
    assert has_organisation(demo_path) and has_organisation(demo_path, "Our own addition")
    assert "*" not in window.windowTitle()
    asked = len(dialogs.seen)
    window.push(records.create(window.workspace, "organisations", {"name": "Later", "kind": "other"}), tab)
    assert window.save() and len(dialogs.seen) == asked
    closed(window)


def test_a_merge_of_the_file_on_disk_cancelled_saves_nothing(qtbot, demo_master, demo_path, dialogs, tmp_path):
    """Cancel in the preview of the file on disk: the colleague's file stays on disk as
    it is, and the document keeps its unsaved edit."""
    from cypdesk.services import records
    from cypdesk.ui import open_main_window

    window = open_main_window(demo_path)
    window.push(records.create(window.workspace, "organisations", {"name": "Our own addition", "kind": "other"}),
                window.tab("organisations"))
    shutil.copy(bobs_copy(demo_master, tmp_path / "colleague" / "trust.cypdesk"), demo_path)
    held = sha(demo_path)
    dialogs.answers = [Yes]
    dialogs.drivers = [lambda dialog: False]
    assert not window.save()
    assert sha(demo_path) == held
    assert "*" in window.windowTitle()
    closed(window)


# --- a shared copy opened in the window ---------------------------------------------------------

@pytest.fixture
def share(demo_master, tmp_path):
    """An encrypted shared copy (passphrase "oak tree") of bob's copy of the demo."""
    from cypdesk.services.exchange.share import write_share_copy

    source = bobs_copy(demo_master, tmp_path / "bob" / "trust.cypdesk")
    out = tmp_path / "mail" / "from-bob.cypshare"
    out.parent.mkdir()
    write_share_copy(source, out, passphrase="oak tree")
    return out


def passphrase(text: str):
    def fill(dialog) -> bool:
        assert dialog.objectName() == "passphrase_dialog"
        dialog.setTextValue(text)
        return True
    return fill


def test_opening_a_shared_copy_offers_to_merge_it_and_a_wrong_passphrase_asks_again(open_window, share, dialogs):
    """File > Open of a .cypshare with a document open: it is described (title, encrypted)
    and offered for merging; a wrong passphrase is said and asked again; the right one
    previews and merges it. The open document stays the one open."""
    window = open_window()
    path = window.workspace.doc.path
    dialogs.answers = [Yes]
    dialogs.drivers = [passphrase("elm tree"), passphrase("oak tree"), accept_preview]
    assert window.open_path(share)
    title, text = dialogs.seen[0]
    assert title == "A shared copy" and "from-bob.cypshare is a shared copy of" in text and "encrypted" in text
    assert dialogs.buttons[0][1][Yes] == "Merge into trust.cypdesk…"
    assert window.workspace.doc.path == path
    assert has_organisation(window.workspace.doc.working_path)


def test_a_shared_copy_opened_with_no_document_is_saved_as_a_new_document(qtbot, share, dialogs, tmp_path,
                                                                           monkeypatch):
    """With no document open (``cypdesk from-bob.cypshare``), the shared copy is offered
    to save as a new document: its passphrase asked, it is unpacked to the .cypdesk
    chosen, and that document opens."""
    from cypdesk.ui.main_window import MainWindow

    dest = tmp_path / "docs" / "Bob's plan"
    dest.parent.mkdir()
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(dest))
    window = MainWindow()
    dialogs.answers = [Save]
    dialogs.drivers = [passphrase("oak tree")]
    assert window.open_path(share, wait=True)
    assert dialogs.buttons[0][0] == Save | QMessageBox.StandardButton.Cancel
    assert window.workspace.doc.path == dest.with_suffix(".cypdesk")
    assert has_organisation(dest.with_suffix(".cypdesk"))
    closed(window)


def test_a_shared_copy_renamed_cypdesk_is_still_offered_as_a_shared_copy(open_window, share, dialogs, tmp_path):
    """A .cypshare renamed .cypdesk is known by its first bytes: opening it says what it
    is and offers to merge it into the document open (which stays open), never opening
    it as a document."""
    renamed = tmp_path / "mail" / "looks-like-a-document.cypdesk"
    shutil.copy(share, renamed)
    window = open_window()
    path = window.workspace.doc.path
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    assert not window.open_path(renamed, wait=True)
    title, text = dialogs.seen[-1]
    assert title == "A shared copy" and "looks-like-a-document.cypdesk is a shared copy" in text
    assert Yes in dialogs.buttons[-1][1]
    assert window.workspace is not None and window.workspace.doc.path == path


def test_the_command_line_offers_a_shared_copy_rather_than_opening_it(share, tmp_path):
    """``cypdesk from-bob.cypshare`` (here with --exit-when-shown, which prints the first
    question instead of waiting for a person): the window asks what to do with the
    shared copy and never shows it as a document."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    run = subprocess.run([sys.executable, "-m", "cypdesk", str(share), "--exit-when-shown"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "cypdesk: A shared copy: from-bob.cypshare is a shared copy of" in run.stderr
    assert "window shown" not in run.stdout
