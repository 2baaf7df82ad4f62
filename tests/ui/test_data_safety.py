"""Data-safety cases found in review: a read-only view saved over its own file must
not overwrite a colleague's save; recovering edits to a file someone has open is
reported, not raised; a save failing with a raw OSError keeps the window and the edits;
and saving from the worker thread while the tables read the working copy works.

The ``window`` fixture turns the shared fixture's ``TaskRunner.INLINE`` off, so the
saves below run on the real thread pool (tests/ui/test_worker_thread.py covers the
thread pool itself: the progress dialog and Cancel)."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest

from cypdesk.model.installation import Installation

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")


@pytest.fixture
def ws(demo_path):
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    doc = Document.open(demo_path, installation=ALICE)
    yield Workspace(doc, ALICE)
    doc.close(discard=True)


@pytest.fixture
def window(qtbot, demo_path, monkeypatch):
    """The real window with long work on the real worker thread: INLINE, which the
    shared fixture sets, is turned off here."""
    from cypdesk.ui.main_window import MainWindow
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)

    asked: list = []
    monkeypatch.setattr(MainWindow, "ask", lambda self, icon, title, text, buttons: asked.append((title, text))
                        or asked_answers.pop(0))
    asked_answers: list = []
    w = MainWindow()

    def discard(window):  # what a test changed is thrown away without the close prompt
        window.tasks.wait()
        if window.workspace is not None:
            window.workspace.doc.close(discard=True)
            window.workspace = None

    qtbot.addWidget(w, before_close_func=discard)
    w.asked, w.answers = asked, asked_answers
    w.open_path(demo_path, wait=True)
    assert w.workspace is not None
    yield w
    w.tasks.wait()
    if w.workspace is not None:
        if w.reader is not None:
            w.reader.close()
            w.reader = None
        w.workspace.doc.close(discard=True)
        w.workspace = None


def test_threaded_save_with_reader_open_saves_the_edit(window, demo_path, monkeypatch):
    """MainWindow.save runs doc.save() on the worker thread (checked: not the window's
    thread) while the UI thread's reader is open (and mid-statement, as a table paging
    through rows would be)."""
    import sqlite3
    import threading

    from cypdesk.services import records

    ws = window.workspace
    threads: list[int] = []
    real_save = ws.doc.save
    monkeypatch.setattr(ws.doc, "save", lambda *a, **k: (threads.append(threading.get_ident()), real_save(*a, **k))[1])
    sid = window.reader.execute("SELECT id FROM services LIMIT 1").fetchone()[0]
    records.update(ws, "services", sid, {"name": "Renamed by review"})
    cursor = window.reader.execute("SELECT id FROM services")  # a statement left open
    cursor.fetchone()
    assert window.save() is True, window.asked
    assert threads and threads[0] != threading.get_ident()
    cursor.close()
    on_disk = sqlite3.connect(demo_path)
    try:
        assert on_disk.execute("SELECT name FROM services WHERE id = ?", (sid,)).fetchone()[0] == "Renamed by review"
    finally:
        on_disk.close()
    assert not ws.doc.dirty


def _service_names(path):
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM services")}
    finally:
        conn.close()


def test_save_as_over_its_own_file_from_a_read_only_view_keeps_a_colleagues_saved_work(demo_path):
    """An officer opens the trust's file read-only (a colleague had it); the colleague
    adds a service, saves and closes; the officer then uses Save As with the suggested
    name (the same file). save() would refuse (ExternalChange); save_as() of a read-only
    document skips that check and silently puts back the stale copy."""
    from cypdesk.common.errors import ExternalChange, SaveFailed
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="OTHER-PC")
    colleague = Document.open(demo_path, installation=BOB)
    officer = Document.open(demo_path, read_only=True, installation=ALICE)
    try:
        records.create(Workspace(colleague, BOB), "services", {"name": "Colleague's new service", "status": "active"})
        colleague.save()
        colleague.close()
        assert "Colleague's new service" in _service_names(demo_path)
        try:
            officer.save_as(demo_path)
        except (ExternalChange, SaveFailed):
            pass  # refused: the colleague's work is safe
        assert "Colleague's new service" in _service_names(demo_path), "Save As overwrote a colleague's saved work"
    finally:
        officer.close(discard=True)
        colleague.close(discard=True)


def test_recovering_edits_to_a_file_a_colleague_has_open_is_reported_not_raised(qtbot, demo_path, monkeypatch):
    """cypdesk stopped with unsaved edits; at the next start the officer answers Open
    to the recovery offer, but a colleague has the file open now. recover() raises
    DocumentLocked from lock.acquire(), which offer_recovery does not catch: the slot
    dies with a traceback and the officer is told nothing."""
    from PySide6.QtWidgets import QMessageBox

    from cypdesk.model.document import Document, list_recoverable
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace
    from cypdesk.ui.main_window import MainWindow

    doc = Document.open(demo_path, installation=ALICE)
    ws = Workspace(doc, ALICE)
    sid = records.create(ws, "services", {"name": "Unsaved work", "status": "active"}).id
    doc.close()  # edits kept for recovery, as after a crash
    assert list_recoverable()
    BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="OTHER-PC")
    colleague = Document.open(demo_path, installation=BOB)
    asked: list = []
    answers = [QMessageBox.StandardButton.Open, QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Ok]
    monkeypatch.setattr(MainWindow, "ask", lambda self, i, title, text, b: asked.append(title) or answers.pop(0))
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        window.offer_recovery()  # raises DocumentLocked today
        assert len(asked) >= 2, "the officer was told nothing about why the recovery did not open"
        assert list_recoverable(), "the unsaved edits must still be offered"
    finally:
        if window.workspace is not None:
            window.workspace.doc.close(discard=True)
        colleague.close(discard=True)
        for item in list_recoverable():
            from cypdesk.model.document import discard_recovery

            discard_recovery(item)
    assert sid


def test_closing_when_save_fails_with_an_os_error_keeps_the_window_and_says_why(window, monkeypatch):
    """Close > Save, and Save fails with a raw OSError (a sync client or virus scanner
    holding the file while it is checked): the window stays open with the edits and
    says why; the error never escapes the close flow."""
    import errno

    from PySide6.QtWidgets import QMessageBox

    from cypdesk.model import saving
    from cypdesk.services import records

    ws = window.workspace
    sid = window.reader.execute("SELECT id FROM services LIMIT 1").fetchone()[0]
    records.update(ws, "services", sid, {"name": "Unsaved rename"})
    path = ws.doc.path
    os.utime(path, ns=(1, 1))  # looks changed on disk: the save must read it to compare

    def held(*_a, **_k):
        raise PermissionError(errno.EACCES, "The process cannot access the file")

    monkeypatch.setattr(saving, "file_sha256", held)
    window.answers.extend([QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Ok])
    assert window.close_document() is False
    assert window.workspace is not None and window.workspace.doc.dirty
    assert any("not saved" in title.lower() for title, _text in window.asked)
    assert any("Nothing was written" in text for _title, text in window.asked)


def test_a_save_whose_bookkeeping_cannot_be_written_is_still_a_save(window, monkeypatch):
    """The file was written; only the working copy's own note (state.json) could not be
    (disk full): that is logged, not reported as a failed save."""
    import errno

    from cypdesk.model import document as document_module
    from cypdesk.services import records

    ws = window.workspace
    sid = window.reader.execute("SELECT id FROM services LIMIT 1").fetchone()[0]
    records.update(ws, "services", sid, {"name": "Saved rename"})

    def disk_full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(document_module, "write_json_atomic", disk_full)
    assert window.save() is True
    import sqlite3

    conn = sqlite3.connect(ws.doc.path)
    assert conn.execute("SELECT name FROM services WHERE id = ?", (sid,)).fetchone()[0] == "Saved rename"
    conn.close()