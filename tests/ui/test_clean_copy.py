"""The window's way out of a refused file (issue 7 item 1): opening a document that
carries a trigger is refused with "Make a clean copy…", which saves a clean copy, says
what it left out and opens it. The received file is not changed."""

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk.ui.main_window import MainWindow

TRIGGER = ("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
           "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")


@pytest.mark.parametrize("worker", ["inline worker", "real worker thread"])
def test_refused_file_offers_a_clean_copy_that_is_saved_and_opened__save_dialog_patched(
        qtbot, demo_path, dialogs, tmp_path, monkeypatch, worker):
    """The save dialog is patched to return a path (choose_save_path). With "inline
    worker" the shared fixture's TaskRunner.INLINE runs open and rescue on this thread;
    with "real worker thread" INLINE is off, so the open and the rescue run on the
    worker's thread pool. Refusal -> "Make a clean copy…" -> the report names the
    trigger left out -> the clean copy is open, without the trigger, and the received
    file has the same bytes."""
    from cypdesk.ui.tasks import TaskRunner

    received = tmp_path / "received" / "x.cypdesk"
    received.parent.mkdir()
    shutil.move(demo_path, received)
    with closing(sqlite3.connect(received)) as conn:
        conn.execute(TRIGGER)
        conn.commit()
    digest = hashlib.sha256(received.read_bytes()).hexdigest()
    clean = tmp_path / "clean"
    asked_for = []
    labels_seen = []
    answer = dialogs.ask

    def ask(self, icon, title, text, buttons, labels=None, guide=None):
        labels_seen.append(labels)
        return answer(icon, title, text, buttons, labels)

    monkeypatch.setattr(MainWindow, "ask", ask)
    monkeypatch.setattr(MainWindow, "choose_save_path",
                        lambda self, title, suggested, filters: asked_for.append((title, suggested)) or str(clean))
    dialogs.answers = [QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Ok]

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    if worker == "real worker thread":
        monkeypatch.setattr(TaskRunner, "INLINE", False)
        window.open_path(received)
        qtbot.waitUntil(lambda: window.workspace is not None, timeout=20_000)
    else:
        window.open_path(received, wait=True)
    try:
        (refusal_title, refusal), (report_title, report) = dialogs.seen
        assert "a trigger 'evil' on services" in refusal
        assert labels_seen[0] == {QMessageBox.StandardButton.Save: "Make a clean copy…"}
        assert asked_for == [("Save the clean copy as", "x (clean copy).cypdesk")]
        assert report_title == "Clean copy made"
        assert "Left out of cypdesk's schema: a trigger 'evil' on services" in report
        assert "0 left out" in report
        doc = window.workspace.doc
        assert doc.path == Path(f"{clean}.cypdesk") and not doc.read_only
        with closing(sqlite3.connect(doc.working_path)) as conn:
            assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE type='trigger'").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM services").fetchone()[0] > 0
        assert hashlib.sha256(received.read_bytes()).hexdigest() == digest
    finally:
        if window.workspace is not None:
            window.workspace.doc.close(discard=True)
            window.workspace = None
        window.close()


def test_refused_file_cancel_makes_nothing(qtbot, demo_path, dialogs, tmp_path):
    from cypdesk.ui import open_main_window

    with closing(sqlite3.connect(demo_path)) as conn:
        conn.execute(TRIGGER)
        conn.commit()
    before = sorted(p.name for p in demo_path.parent.iterdir())
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    assert window.workspace is None and len(dialogs.seen) == 1
    assert sorted(p.name for p in demo_path.parent.iterdir()) == before
    window.close()
