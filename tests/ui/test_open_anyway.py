"""Issue 7 item 3 in the window: a lock that may be left over (empty, unreadable, or
old from another computer) is offered "Open anyway", which takes it over after a
confirmation naming the holder. Message boxes are answered by the ``dialogs`` fixture
(tests/ui/conftest.py), which stands in for ``MainWindow.ask`` and records each box's
buttons and labels."""

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk.model.lock import lock_path_for, read_holder

OPEN_ANYWAY = QMessageBox.StandardButton.Ignore


def closed(window):
    if window.workspace is not None:
        window.workspace.doc.close(discard=True)
        window.workspace = None
    window.close()


@pytest.fixture
def empty_lock(demo_path):
    lock = lock_path_for(demo_path)
    lock.write_bytes(b"")
    old = datetime.now().timestamp() - 3600
    os.utime(lock, (old, old))
    return lock


def offered_open_anyway(dialogs, index=0):
    buttons, labels = dialogs.buttons[index]
    return bool(buttons & OPEN_ANYWAY) and labels.get(OPEN_ANYWAY, "").startswith("Open anyway")


def test_an_empty_lock_can_be_opened_anyway_after_confirming(qtbot, demo_path, empty_lock, dialogs):
    """The issue's trap: an empty lock left by a full disk. The window names the lock
    file and offers Open anyway; the confirmation names it again; the document then
    opens for editing with the lock ours. Before, only a read-only view was offered."""
    from cypdesk.ui import open_main_window

    window = open_main_window(None)
    dialogs.answers = [OPEN_ANYWAY, QMessageBox.StandardButton.Yes]
    assert window.open_path(demo_path, wait=True)
    (title, text), (confirm_title, confirm) = dialogs.seen
    assert title == "Document in use" and ".~lock.trust.cypdesk#" in text and "it is empty" in text
    assert offered_open_anyway(dialogs)
    assert confirm_title == "Open anyway?" and "the lock file .~lock.trust.cypdesk# (last written on" in confirm
    assert window.workspace is not None and not window.workspace.read_only
    assert read_holder(demo_path).pid == os.getpid()
    closed(window)
    assert not empty_lock.exists()


def test_open_anyway_can_still_be_cancelled(qtbot, demo_path, empty_lock, dialogs):
    from cypdesk.ui import open_main_window

    window = open_main_window(None)
    dialogs.answers = [OPEN_ANYWAY, QMessageBox.StandardButton.Cancel]
    assert window.open_path(demo_path, wait=True) is False
    assert window.workspace is None and empty_lock.read_bytes() == b""
    closed(window)


def test_an_old_lock_from_another_computer_names_its_holder_when_taken_over(qtbot, demo_path, dialogs):
    from cypdesk.ui import open_main_window

    lock = lock_path_for(demo_path)
    since = datetime.now(timezone.utc) - timedelta(hours=20)
    lock.write_text(json.dumps({"user": "jsmith", "host": "NHS-LAPTOP-7", "pid": 4242, "installation": "x",
                                "since": since.isoformat(), "token": "theirs"}))
    window = open_main_window(None)
    dialogs.answers = [OPEN_ANYWAY, QMessageBox.StandardButton.Yes]
    assert window.open_path(demo_path, wait=True)
    assert offered_open_anyway(dialogs)
    assert "locked by jsmith on NHS-LAPTOP-7 since" in dialogs.seen[1][1]
    assert read_holder(demo_path).token != "theirs" and not window.workspace.read_only
    closed(window)


def test_a_fresh_lock_from_another_computer_offers_no_open_anyway(qtbot, demo_path, dialogs):
    """Someone is (probably) working on it: read-only or Cancel, nothing else."""
    from cypdesk.ui import open_main_window

    lock = lock_path_for(demo_path)
    lock.write_text(json.dumps({"user": "jsmith", "host": "NHS-LAPTOP-7", "pid": 4242, "installation": "x",
                                "since": datetime.now(timezone.utc).isoformat(), "token": "theirs"}))
    window = open_main_window(None)
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    assert window.open_path(demo_path, wait=True) is False
    assert not offered_open_anyway(dialogs)
    assert json.loads(lock.read_text())["token"] == "theirs"
    closed(window)
