"""Issue 7, item 10 in the window: unsaved edits a cypdesk left are offered wherever the
document is opened (``cypdesk FILE``, Open, Open Recent), every set of them, saying
when the file changed on disk since; recovered, they are the open document, unsaved.

The officer's answers come through the ``dialogs`` fixture (tests/ui/conftest.py),
which patches ``MainWindow.ask`` to answer from a queue and record each question."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk import paths
from cypdesk.ui.main_window import RECOVERY_TITLE, MainWindow

ROOT = Path(__file__).resolve().parents[2]
REAL_ASK = MainWindow.ask  # taken before the dialogs fixture patches it
OPEN, DISCARD, LATER = (QMessageBox.StandardButton.Open, QMessageBox.StandardButton.Discard,
                        QMessageBox.StandardButton.Ignore)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def first_service(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]


def capacity(path: Path, sid: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT capacity FROM services WHERE id = ?", (sid,)).fetchone()[0]
    finally:
        conn.close()


def leave_edits(path: Path, sid: str, value: int) -> Path:
    """Edit through the services and close keeping the edits, as a cypdesk that stopped
    before Save leaves them. Returns the working copy's folder."""
    from cypdesk.services import records
    from cypdesk.services.documents import open_workspace

    ws = open_workspace(path)
    records.update(ws, "services", sid, {"capacity": str(value)})
    folder = ws.doc.working_dir
    ws.doc.close()
    time.sleep(0.02)  # distinct modification times: newest first
    return folder


def closed(window) -> None:
    if window.workspace is not None:
        window.workspace.doc.close(discard=True)
        window.workspace = None
    window.close()


def recovery_questions(dialogs) -> list[str]:
    return [text for title, text in dialogs.seen if title == RECOVERY_TITLE]


def test_opening_offers_every_set_of_edits_and_recover_makes_them_the_open_unsaved_document(qtbot, demo_path, dialogs):
    """Two sets of unsaved edits to the document: opening it asks about each, newest
    first ("set 1 of 2"); Recover opens the newest as the document, unsaved (``*``),
    and Decide later keeps the older one for next time."""
    from cypdesk.model.document import list_recoverable

    sid = first_service(demo_path)
    older = leave_edits(demo_path, sid, 11)
    newer = leave_edits(demo_path, sid, 22)
    original = sha(demo_path)
    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [OPEN, LATER]
    assert window.open_path(demo_path, wait=True)
    first, second = recovery_questions(dialogs)
    assert "cypdesk has unsaved changes to trust.cypdesk from" in first and "today" in first
    assert "set 1 of 2" in first and "changed on disk" not in first
    assert "older unsaved changes" in second
    doc = window.workspace.doc
    assert doc.working_dir == newer and doc.dirty and doc.path == demo_path
    assert window.windowTitle().startswith("trust.cypdesk*")
    assert capacity(doc.working_path, sid) == 22 and sha(demo_path) == original
    assert [i.working_dir for i in list_recoverable(demo_path)] == [older]
    closed(window)


def test_discard_removes_every_copy_and_the_file_opens_as_it_is(qtbot, demo_path, dialogs):
    from cypdesk.model.document import list_recoverable

    sid = first_service(demo_path)
    leave_edits(demo_path, sid, 11)
    leave_edits(demo_path, sid, 22)
    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [DISCARD, DISCARD]
    assert window.open_path(demo_path, wait=True)
    assert len(recovery_questions(dialogs)) == 2
    assert list_recoverable() == []
    assert list(paths.working_dir().iterdir()) == [window.workspace.doc.working_dir]  # only the new copy
    assert not window.workspace.doc.dirty and "*" not in window.windowTitle()
    assert capacity(window.workspace.doc.working_path, sid) == capacity(demo_path, sid)
    closed(window)


def test_decide_later_opens_the_file_and_keeps_the_edits_for_next_time(qtbot, demo_path, dialogs):
    from cypdesk.model.document import list_recoverable

    sid = first_service(demo_path)
    kept = leave_edits(demo_path, sid, 33)
    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [LATER]
    assert window.open_path(demo_path, wait=True)
    assert window.workspace.doc.working_dir != kept and not window.workspace.doc.dirty
    closed(window)
    assert [i.working_dir for i in list_recoverable(demo_path)] == [kept]


def test_the_question_says_when_the_file_changed_on_disk_since(qtbot, demo_path, dialogs):
    """The file was saved by someone else after the edits were made (its content no
    longer matches the hash taken when the copy was made): the question says so."""
    sid = first_service(demo_path)
    leave_edits(demo_path, sid, 44)
    with sqlite3.connect(demo_path) as conn:
        conn.execute("UPDATE services SET capacity = 5 WHERE id = ?", (sid,))
    conn.close()
    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [LATER]
    window.open_path(demo_path, wait=True)
    (text,) = recovery_questions(dialogs)
    assert "trust.cypdesk has changed on disk since then" in text and "Save As" in text
    closed(window)


def test_whether_the_file_changed_is_worked_out_on_the_real_worker_thread(qtbot, demo_path, dialogs, monkeypatch):
    """With the real thread pool (``TaskRunner.INLINE`` turned off for this test): the
    file's hash, which takes seconds for a large file on a share, is taken on a worker
    thread, not the window's, and the question still says the file changed."""
    import threading

    from cypdesk.model.recovery import Recoverable
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    sid = first_service(demo_path)
    leave_edits(demo_path, sid, 45)
    with sqlite3.connect(demo_path) as conn:
        conn.execute("UPDATE services SET capacity = 6 WHERE id = ?", (sid,))
    conn.close()
    threads: list = []
    real = Recoverable.source_changed

    def watched(self):
        threads.append(threading.current_thread())
        return real(self)

    monkeypatch.setattr(Recoverable, "source_changed", watched)
    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [LATER]
    window.open_path(demo_path, wait=True)
    (text,) = recovery_questions(dialogs)
    assert "has changed on disk since then" in text
    assert threads and all(t is not threading.main_thread() for t in threads)
    closed(window)


def test_open_and_open_recent_offer_the_edits_too(qtbot, demo_path, dialogs, monkeypatch):
    """File > Open (the file dialog patched to choose the document) and File > Open
    Recent both go through the same offer."""
    from PySide6.QtWidgets import QFileDialog

    sid = first_service(demo_path)
    leave_edits(demo_path, sid, 55)
    window = MainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(demo_path), ""))
    dialogs.answers = [LATER]
    window.choose_and_open()
    assert len(recovery_questions(dialogs)) == 1 and window.workspace is not None
    window.close_document()
    dialogs.answers = [OPEN]
    window.settings.add_recent(demo_path)
    window._fill_recent()
    recent = [a for a in window.recent_menu.actions() if "trust.cypdesk" in a.text()]
    recent[0].trigger()
    assert len(recovery_questions(dialogs)) == 2
    assert window.workspace.doc.dirty and capacity(window.workspace.doc.working_path, sid) == 55
    closed(window)


def test_the_recovery_question_names_its_buttons_in_words(qtbot, monkeypatch):
    """The real message box (its exec patched to read the buttons and answer Decide
    later) says Recover them / Discard them / Decide later."""
    shown: list[list[str]] = []

    def exec_(box):
        shown.append(sorted(b.text() for b in box.buttons()))
        return LATER

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    window = MainWindow()
    qtbot.addWidget(window)
    assert REAL_ASK(window, QMessageBox.Icon.Question, RECOVERY_TITLE, "?", OPEN | DISCARD | LATER) == LATER
    assert shown == [["Decide later", "Discard them", "Recover them"]]


# --- the window killed at random points, restarted with `cypdesk FILE` ---------------------------

EDITOR = r"""
import os, sys
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
from cypdesk import paths
from cypdesk.ui.main_window import RECOVERY_TITLE, MainWindow

def ask(self, icon, title, text, buttons, labels=None, guide=None):  # the officer answers Recover, and nothing else is expected
    if title == RECOVERY_TITLE and buttons & QMessageBox.StandardButton.Open:
        return QMessageBox.StandardButton.Open
    print(f"unexpected dialog {title}: {text}", file=sys.stderr, flush=True)
    os._exit(3)

MainWindow.ask = ask
path, sid, value = sys.argv[1], sys.argv[2], int(sys.argv[3])
window = MainWindow()
window.show()
assert window.open_path(path, wait=True)
tab = window.tab("services")
assert tab.select(sid)
print("ready", window.workspace.doc.working_dir, flush=True)
while True:
    tab.form.editors["capacity"].setText(str(value))
    tab.apply()  # the Services editor's Apply: one committed transaction
    print(value, flush=True)
    value += 1
    app.processEvents()
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_window_killed_at_random_points_then_cypdesk_file_recovers_every_committed_edit(
        qtbot, demo_path, dialogs, monkeypatch):
    """A child process edits a service's capacity through the real window and Services
    editor in a loop, printing each value once Apply has returned (committed), and is
    SIGKILLed after a random delay (seeded); it is restarted on the same file, answers
    Recover (its ``MainWindow.ask`` patched) and carries on; four rounds. Then this
    process runs ``run_app(FILE)``, the code behind ``cypdesk FILE``, with
    ``MainWindow.ask`` patched by the dialogs fixture (Recover, then Save when the
    window closes) and ``MainWindow._opened`` wrapped to quit the event loop once the
    document shows. Every value a child reported is in the recovered document's
    history, its capacity is the last one reported (or the one after, committed just
    before the kill), the original file was untouched until that Save, and the saved
    file passes SQLite's integrity check."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from cypdesk.app import run_app

    sid = first_service(demo_path)
    original = sha(demo_path)
    rng = random.Random(20260331)
    reported: list[int] = []
    value = 1000
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    for _round in range(4):
        child = subprocess.Popen([sys.executable, "-c", EDITOR, str(demo_path), sid, str(value)], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = child.stdout.readline()
            assert line.startswith("ready"), child.stderr.read()
            first = child.stdout.readline()  # the first edit is committed: kill at a random point after it
            assert first.strip().isdigit(), child.stderr.read()
            time.sleep(rng.uniform(0.1, 1.5))
        finally:
            child.send_signal(signal.SIGKILL)
            out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err
        values = [int(first)] + [int(v) for v in out.split()]
        print(f"round {_round + 1}: {len(values)} edits reported before the kill")
        reported += values
        value = values[-1] + 2  # skip the value that may have been committed but not reported
        assert sha(demo_path) == original
    seen: dict = {}
    real_opened = MainWindow._opened

    def opened_then_quit(self, path, workspace):
        real_opened(self, path, workspace)
        seen.update(dirty=workspace.doc.dirty, title=self.windowTitle(), work=workspace.doc.working_path,
                    original=sha(demo_path) == original)
        seen["capacity"] = capacity(workspace.doc.working_path, sid)
        with sqlite3.connect(workspace.doc.working_path) as conn:
            seen["history"] = {json.loads(v) for (v,) in conn.execute(
                "SELECT new_value FROM history WHERE record_id = ? AND field = 'capacity'", (sid,))}
        QTimer.singleShot(0, QApplication.instance().quit)

    monkeypatch.setattr(MainWindow, "_opened", opened_then_quit)
    dialogs.answers = [OPEN, QMessageBox.StandardButton.Save]  # Recover; then Save as the window closes
    guard = QTimer()  # never hang the test run
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.instance().quit)
    guard.start(60_000)
    try:
        run_app(str(demo_path))
    finally:
        guard.stop()
        # A quit queued after run_app's loop ended would leave Qt's "quit now" flag set,
        # and every later event loop (run_and_wait, qtbot's waits) would return at once:
        # run one more short loop, which takes any stray quit and clears the flag.
        app = QApplication.instance()
        QTimer.singleShot(0, app.quit)
        app.exec()
    assert recovery_questions(dialogs) and "set 1 of" not in recovery_questions(dialogs)[0]
    assert seen["dirty"] and seen["title"].startswith("trust.cypdesk*") and seen["original"]
    assert set(reported) <= seen["history"]
    assert seen["capacity"] in (reported[-1], reported[-1] + 1)
    with sqlite3.connect(demo_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert capacity(demo_path, sid) == seen["capacity"]
