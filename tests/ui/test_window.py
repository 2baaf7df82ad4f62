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
        "Needs", "Services", "Teams", "Pooled budgets", "Monitoring"]
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
