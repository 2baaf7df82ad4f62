"""Long work on the REAL thread pool, not ``TaskRunner.INLINE``: every test here turns
the shared fixture's INLINE off (the ``on_the_thread_pool`` fixture), so the work runs
on the worker thread while the window's event loop runs. Slow work is made slow by an
Event the test controls, never by a long sleep.

- a save runs on a thread other than the window's, and the window keeps handling
  events while it runs;
- the progress dialog appears only once work has run for 600 ms (and never for quick
  work, nor for background work such as the Overview); a save's has no Cancel;
- Cancel pressed in that dialog mid-work: the work sees ``cancelled()`` and stops,
  and nothing is left behind (an open leaves no document open and no lock; an export
  leaves no file, partial or whole).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from cypdesk.ui.tasks import DIALOG_DELAY_MS


@pytest.fixture
def on_the_thread_pool(dialogs, monkeypatch):
    """Undoes the shared fixture's ``TaskRunner.INLINE = True`` for this test."""
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    return dialogs


@pytest.fixture
def window(qtbot, on_the_thread_pool):
    from cypdesk.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.tasks.wait()
    qtbot.wait(10)  # deliver what the worker sent back
    if w.workspace is not None:
        if w.reader is not None:
            w.reader.close()
            w.reader = None
        w.workspace.doc.close(discard=True)
        w.workspace = None


def visible_progress(window) -> QProgressDialog | None:
    shown = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    return shown[0] if shown else None


def press_cancel(qtbot, dialog: QProgressDialog) -> None:
    (button,) = [b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == "Cancel"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_save_runs_on_a_worker_thread_while_the_window_keeps_handling_events(qtbot, window, demo_path, monkeypatch):
    """The save is held until a timer of the window's own event loop has fired: it can
    only finish if the window kept handling events while the save ran, on another
    thread. The edit is then in the file."""
    from cypdesk.services import records

    assert window.open_path(demo_path, wait=True)
    ws = window.workspace
    sid = window.reader.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    records.update(ws, "services", sid, {"name": "Renamed on the worker"})
    gui_thread = threading.get_ident()
    ticked = threading.Event()
    seen: dict[str, object] = {}
    real_save = ws.doc.save

    def held_save(*args, **kwargs):
        seen["thread"] = threading.get_ident()
        seen["window_handled_events"] = ticked.wait(5)  # only the window's timer sets it
        return real_save(*args, **kwargs)

    monkeypatch.setattr(ws.doc, "save", held_save)
    timer = QTimer(window)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticked.set() if threading.get_ident() == gui_thread else None)
    timer.start()
    try:
        assert window.save() is True, window.status_label.text()
    finally:
        timer.stop()
    assert seen["thread"] != gui_thread
    assert seen["window_handled_events"] is True
    assert not ws.doc.dirty and "*" not in window.windowTitle()
    conn = sqlite3.connect(demo_path)
    try:
        assert conn.execute("SELECT name FROM services WHERE id = ?", (sid,)).fetchone()[0] == "Renamed on the worker"
    finally:
        conn.close()


@pytest.mark.parametrize("reports", [True, False], ids=["work that reports", "work that never reports"])
def test_the_progress_dialog_appears_only_after_600_ms_of_work_and_goes_when_it_ends(qtbot, window, reports):
    """Also for work that never reports its progress (opening a document): its dialog
    with Cancel must still come after 600 ms."""
    release, started = threading.Event(), threading.Event()
    results: list = []

    def slow(progress):
        started.set()
        if reports:
            progress.report(1, 4, "first of four steps")
        assert release.wait(10), "the test never released the work"
        return "done"

    began = time.monotonic()
    window.tasks.run("Slow work…", slow, results.append, results.append)
    assert started.wait(5)
    qtbot.wait(DIALOG_DELAY_MS - 250)  # well inside the delay
    assert visible_progress(window) is None, "the dialog flickered up before 600 ms"
    qtbot.waitUntil(lambda: visible_progress(window) is not None, timeout=3000)
    assert time.monotonic() - began >= DIALOG_DELAY_MS / 1000 - 0.01  # (the two clocks' rounding)
    dialog = visible_progress(window)
    assert "Slow work…" in dialog.labelText()
    if reports:
        qtbot.waitUntil(lambda: "first of four steps" in dialog.labelText(), timeout=2000)
        assert (dialog.value(), dialog.maximum()) == (1, 4)
    assert results == []
    release.set()
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    qtbot.waitUntil(lambda: visible_progress(window) is None, timeout=2000)
    assert not window.tasks.busy


def test_quick_work_never_shows_the_progress_dialog(qtbot, window):
    results: list = []
    window.tasks.run("Quick work…", lambda _progress: 42, results.append, results.append)
    qtbot.waitUntil(lambda: results == [42], timeout=3000)
    qtbot.wait(DIALOG_DELAY_MS + 200)  # past the moment the dialog would have come
    assert visible_progress(window) is None


def test_background_work_never_shows_a_progress_dialog(qtbot, window):
    """Work the officer did not ask for (the Overview, warming up the charts) runs with
    ``dialog=False``: no dialog, however long it takes."""
    release = threading.Event()
    results: list = []
    window.tasks.run("Looking for what needs attention…", lambda _p: release.wait(10), results.append,
                     results.append, dialog=False)
    qtbot.wait(DIALOG_DELAY_MS + 300)
    assert visible_progress(window) is None
    release.set()
    qtbot.waitUntil(lambda: results == [True], timeout=5000)


def test_a_slow_save_shows_its_dialog_without_a_cancel_button(qtbot, window, demo_path, monkeypatch):
    """A save cannot stop part way: its dialog (after 600 ms) has no Cancel button that
    would pretend otherwise. The save is held until the dialog has been seen."""
    from cypdesk.services import records

    assert window.open_path(demo_path, wait=True)
    ws = window.workspace
    sid = window.reader.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    records.update(ws, "services", sid, {"name": "Saved slowly"})
    release = threading.Event()
    seen: list[list[str]] = []
    real_save = ws.doc.save

    def held_save(*args, **kwargs):
        assert release.wait(10), "the dialog never came"
        return real_save(*args, **kwargs)

    def look() -> None:  # runs in the window's event loop while save() waits for the worker
        dialog = visible_progress(window)
        if dialog is not None and not release.is_set():
            seen.append([b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()])
            release.set()

    monkeypatch.setattr(ws.doc, "save", held_save)
    timer = QTimer(window)
    timer.setInterval(20)
    timer.timeout.connect(look)
    timer.start()
    try:
        assert window.save() is True
    finally:
        timer.stop()
    assert seen == [[]], seen
    assert not ws.doc.dirty


def test_cancel_pressed_while_a_document_opens_leaves_no_document_open_and_no_lock(qtbot, window, demo_path,
                                                                                   monkeypatch):
    """The open is held (after its working copy and lock were made) until the officer
    has pressed Cancel in the progress dialog; the window then shows nothing, says it
    was cancelled, and releases the lock and the working copy; the file is unchanged."""
    from cypdesk.model.document import list_recoverable
    from cypdesk.model.lock import lock_path_for
    from cypdesk.services import documents

    before = sha(demo_path)
    proceed, opened = threading.Event(), threading.Event()
    real_open = documents.open_workspace

    def held_open(path, **kwargs):
        ws = real_open(path, **kwargs)
        opened.set()
        assert proceed.wait(10), "the test never let the open finish"
        return ws

    monkeypatch.setattr(documents, "open_workspace", held_open)
    assert window.open_path(demo_path) is True  # under way on the worker
    assert opened.wait(10)
    assert lock_path_for(demo_path).exists()  # the open had taken the document
    qtbot.waitUntil(lambda: visible_progress(window) is not None, timeout=3000)
    press_cancel(qtbot, visible_progress(window))
    proceed.set()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
    assert window.workspace is None and window.reader is None
    assert "cancelled" in window.status_label.text()
    assert not lock_path_for(demo_path).exists()
    assert list_recoverable() == []
    assert sha(demo_path) == before
    assert visible_progress(window) is None


def test_cancel_pressed_mid_export_stops_it_and_leaves_no_file(qtbot, window, demo_path, tmp_path, monkeypatch,
                                                              on_the_thread_pool):
    """The export is held after its first page of rows was written to its temporary
    file; Cancel in the progress dialog; the export sees ``cancelled()`` at its next
    page, stops, and leaves neither the file nor its partial temporary copy. The
    officer is told in the status bar, not with a failure box."""
    from cypdesk.services import export
    from cypdesk.services.tables import TableQuery

    assert window.open_path(demo_path, wait=True)
    tab = window.show_tab("services")
    out = tmp_path / "exported"
    out.mkdir()
    target = out / "services.csv"
    monkeypatch.setattr(window, "choose_save_path", lambda *_args: str(target))
    monkeypatch.setattr(export, "PAGE", 10)
    first_page_written, resume = threading.Event(), threading.Event()
    pages_read: list[int] = []
    real_stream = TableQuery.stream

    def held_stream(self, batch=5_000):
        for number, page in enumerate(real_stream(self, batch)):
            if number == 1:  # the first page is in the temporary file by now
                first_page_written.set()
                assert resume.wait(10), "the test never let the export go on"
            pages_read.append(number)
            yield page

    monkeypatch.setattr(TableQuery, "stream", held_stream)
    tab.export_table()
    assert first_page_written.wait(10)
    partial = [p.name for p in out.iterdir()]
    assert len(partial) == 1 and partial[0].startswith(".~export-"), partial  # a partial file exists now
    qtbot.waitUntil(lambda: visible_progress(window) is not None, timeout=3000)
    press_cancel(qtbot, visible_progress(window))
    resume.set()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
    assert list(out.iterdir()) == []
    assert pages_read == [0, 1], "the export read on after Cancel"
    assert "cancelled" in window.status_label.text() and "no file was written" in window.status_label.text()
    assert on_the_thread_pool.seen == []  # no message box for a cancel the officer asked for

