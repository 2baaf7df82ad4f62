"""The first window: it opens a document, shows each tab's records read lazily from
the file, refuses bad files with a dialog in plain words, and ``--exit-when-shown``
exits 0 only once the first tab has painted rows."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cypdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-demo")
    path = folder / "demo.cypdesk"
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        assert main(["demo", str(path)]) == 0
    finally:
        if old is not None:
            os.environ["CYPDESK_HOME"] = old
    return path


def test_window_shows_every_tab_from_the_document(qtbot, demo_file):
    from PySide6.QtCore import Qt

    from cypdesk.ui import open_main_window

    window = open_main_window(demo_file)
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("demo.cypdesk")
    assert [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())] == [
        "Needs", "Services", "Teams", "Pooled budgets", "Monitoring", "Board papers", "Organisations and people"]
    for index, tab in enumerate(window.tab_list):
        window.tabs.setCurrentIndex(index)  # a tab reads the document when first shown
        assert tab.view.accessibleName() == tab.spec.accessible
        assert tab.view.model().rowCount() > 0, tab.kind
    services = window.views["services"].model()
    name_col = [c.name for c in services.query.columns].index("name")
    shown = [services.data(services.index(r, name_col)) for r in range(services.rowCount())]
    assert shown == sorted(shown, key=str.lower)  # sorted by name as the header's arrow says
    headers = [services.headerData(c, Qt.Orientation.Horizontal) for c in range(services.columnCount())]
    assert "Service" in headers and "Provider" in headers
    window.close()


def test_sorting_is_done_in_sql(qtbot, demo_file):
    from PySide6.QtCore import Qt

    from cypdesk.ui import open_main_window

    window = open_main_window(demo_file)
    qtbot.addWidget(window)
    model = window.tab("services").model
    name_col = [c.name for c in model.query.columns].index("name")
    model.sort(name_col, Qt.SortOrder.DescendingOrder)
    names = [model.data(model.index(r, name_col)) for r in range(model.rowCount())]
    assert names == sorted(names, key=str.lower, reverse=True)  # blanks last, case ignored
    model.set_filter("CAMHS")
    assert 0 < model.rowCount() < 60
    window.close()


def test_a_bad_file_is_refused_with_a_plain_dialog(qtbot, tmp_path, dialogs):
    from PySide6.QtWidgets import QMessageBox

    from cypdesk.ui import open_main_window

    bad = tmp_path / "budget.cypdesk"
    bad.write_bytes(b"%PDF-1.7 not a document")
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window = open_main_window(bad)
    qtbot.addWidget(window)
    said = dialogs.seen
    assert said and said[0][0] == "Cannot open the document" and "budget.cypdesk" in said[0][1]
    assert window.workspace is None
    window.close()


def test_exit_when_shown_exits_0_once_rows_are_painted(demo_file, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "cypdesk", str(demo_file), "--exit-when-shown"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "empty.cypdesk"
    bad.write_bytes(b"")
    done = subprocess.run([sys.executable, "-m", "cypdesk", str(bad), "--exit-when-shown"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "empty" in done.stderr  # not a document: the command line's 2


def _count(path, table):
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _exit_when_shown(path, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, "-m", "cypdesk", str(path), "--exit-when-shown"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_exit_when_shown_says_how_many_rows_of_the_file_the_first_tab_painted(demo_file, tmp_path):
    """A real process: exit 0 with one line on stdout naming the file and the number of
    rows the first tab (Needs) painted, which is the number of indicators FILE holds."""
    done = _exit_when_shown(demo_file, tmp_path)
    assert done.returncode == 0, done.stderr
    indicators = _count(demo_file, "indicators")
    assert indicators > 0
    assert done.stdout.splitlines() == [
        f"cypdesk: window shown with demo.cypdesk (the Needs tab painted {indicators:,} indicators)"]


def test_exit_when_shown_on_an_empty_document_exits_0_once_its_empty_state_is_painted(tmp_path):
    """A new, empty but valid document (``create_document_file``): the first tab paints
    its empty state and the process exits 0 at once (it used to wait 120 s and exit 1)."""
    import time

    from cypdesk.model.dbfile import create_document_file

    empty = tmp_path / "new.cypdesk"
    create_document_file(empty)
    started = time.monotonic()
    done = _exit_when_shown(empty, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "cypdesk: window shown with new.cypdesk (the Needs tab painted its empty state: no indicators yet)"]
    assert time.monotonic() - started < 30


def test_the_first_tab_reports_painted_only_after_painting_the_documents_rows(qtbot, demo_file):
    """In process: the window's paints before the document opens (its start page) do not
    count; the report comes after a paint of the first tab's table with the document's model in it,
    with FILE's row count, and the row at the top of the painted table is FILE's first
    indicator by name."""
    import sqlite3

    from PySide6.QtCore import QEvent, QObject, QPoint

    from cypdesk.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    reported: list[int] = []
    window.first_tab_painted.connect(reported.append)
    view = window.tab_list[0].view
    paints: list[object] = []  # the model in the view at each paint of the table

    class Paints(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                paints.append(view.model())
            return False

    spy = Paints(view)
    view.viewport().installEventFilter(spy)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.start_page.isVisible, timeout=3000)  # no document: the start page, not the tabs
    qtbot.wait(50)
    assert reported == [], "reported before any document was open"

    assert window.open_path(demo_file, wait=True)
    qtbot.waitUntil(lambda: bool(reported), timeout=5000)
    model = window.tab_list[0].model
    assert reported == [_count(demo_file, "indicators")] and model.rowCount() == reported[0]
    assert any(m is model for m in paints), "reported without a paint of the document's rows"
    top = view.indexAt(QPoint(2, 2))
    assert top.isValid() and top.row() == 0
    conn = sqlite3.connect(demo_file)
    first = sorted((r[0] for r in conn.execute("SELECT name FROM indicators")), key=str.lower)[0]
    conn.close()
    assert model.data(model.index(0, 0)) == first
    assert "painted" in window.painted_summary(reported[0])
    window.close()


def test_exit_when_shown_keeps_waiting_unsaved_edits_for_later_and_shows_the_file(demo_path, tmp_path, monkeypatch):
    """A real process on a document with unsaved edits waiting (left by a cypdesk closed
    before Save, in the same CYPDESK_HOME): nobody can answer the recovery question, so
    --exit-when-shown keeps the edits (says so on stderr), shows the file as it is and
    exits 0; the working copy with the edits is still there afterwards."""
    import sqlite3

    from cypdesk.services import records
    from cypdesk.services.documents import open_workspace

    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "home"))
    with sqlite3.connect(demo_path) as conn:
        sid = conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    conn.close()
    ws = open_workspace(demo_path)
    records.update(ws, "services", sid, {"capacity": "4321"})
    kept = ws.doc.working_dir
    ws.doc.close()  # edits kept for recovery

    done = _exit_when_shown(demo_path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "unsaved changes to trust.cypdesk" in done.stderr and "kept for later" in done.stderr
    assert done.stdout.startswith("cypdesk: window shown with trust.cypdesk")
    assert (kept / "work.cypdesk").exists()
