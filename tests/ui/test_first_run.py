"""First run (issue 12, item 6): the start page with no document (each button does
what it says), the guided tour of the tabs (skippable, not shown again), and the user
guide (opens, searches every page, highlights).

The ``dialogs`` fixture (tests/ui/conftest.py) answers message boxes and drives
dialogs, and sets ``TaskRunner.INLINE`` so work runs at once on the test's thread; the
demo test turns INLINE off to prove the demo is written on the worker thread. File
dialogs are patched where a button opens one (``QFileDialog.getOpenFileName``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from cypdesk.ui.main_window import MainWindow
from cypdesk.ui.settings import Settings


@pytest.fixture
def empty_window(qtbot):
    """The window as it starts with no document, at a council laptop's 1280 x 800."""
    windows = []

    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.workspace is not None:
            window.workspace.doc.close(discard=True)
            window.workspace = None


# --- the start page ------------------------------------------------------------------

def test_with_no_document_the_start_page_shows_and_gives_way_to_the_tabs(empty_window, demo_path):
    """No document: the start page, not empty tabs. Opening one shows the tabs; closing
    it brings the start page back, now listing that document under Open recent."""
    window = empty_window()
    assert window.pages.currentWidget() is window.start_page and window.start_page.isVisible()
    assert not window.tabs.isVisible()
    assert window.start_page.recent_buttons == []
    assert window.start_page.no_recent.isVisible()
    assert window.open_path(demo_path, wait=True)
    assert window.tabs.isVisible() and not window.start_page.isVisible()
    assert window.close_document()
    assert window.start_page.isVisible()
    assert [b.accessibleName() for b in window.start_page.recent_buttons] == [f"Open {demo_path.name}"]


def test_the_new_button_starts_an_untitled_document(empty_window, qtbot):
    """New document: an untitled, empty document opens in the tabs."""
    window = empty_window()
    qtbot.mouseClick(window.start_page.new_button, Qt.MouseButton.LeftButton)
    assert window.workspace is not None and window.workspace.doc.untitled
    assert window.tabs.isVisible()
    assert window.windowTitle().startswith("Untitled")


def test_the_open_button_opens_the_file_chosen_in_the_file_dialog(empty_window, qtbot, demo_path, monkeypatch):
    """Open a document… asks for a file (QFileDialog.getOpenFileName, patched to answer
    the demo's path, and recording the filter it was given) and opens it."""
    from cypdesk.ui.opening import OPEN_FILTER

    asked = []

    def choose(_parent, title, _folder, filters):
        asked.append((title, filters))
        return str(demo_path), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    window = empty_window()
    qtbot.mouseClick(window.start_page.open_button, Qt.MouseButton.LeftButton)
    assert asked == [("Open a cypdesk document", OPEN_FILTER)]  # documents, and shared copies from partners
    assert "*.cypdesk" in OPEN_FILTER and "*.cypshare" in OPEN_FILTER
    assert window.workspace is not None and Path(window.workspace.doc.path) == demo_path.resolve()


def test_an_open_recent_button_opens_that_document(empty_window, qtbot, demo_path, tmp_path):
    """Open recent lists the documents of the recent list (newest first), and each
    button opens its own."""
    other = tmp_path / "other.cypdesk"
    other.write_bytes(demo_path.read_bytes())
    settings = Settings()
    settings.add_recent(demo_path)
    settings.add_recent(other)  # newest first
    settings.sync()
    window = empty_window()
    buttons = window.start_page.recent_buttons
    assert [b.accessibleName() for b in buttons] == ["Open other.cypdesk", f"Open {demo_path.name}"]
    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    assert window.workspace is not None and Path(window.workspace.doc.path) == demo_path.resolve()


def test_a_recent_document_no_longer_there_is_said_and_taken_off_the_list(empty_window, qtbot, tmp_path, dialogs):
    """A recent document that was moved away: the officer is told, in words that name
    it, with the guide's page about it, and it leaves the list."""
    from PySide6.QtWidgets import QMessageBox

    gone = tmp_path / "moved away.cypdesk"
    Settings().add_recent(gone)
    window = empty_window()
    dialogs.answers.append(QMessageBox.StandardButton.Ok)
    qtbot.mouseClick(window.start_page.recent_buttons[0], Qt.MouseButton.LeftButton)
    assert window.workspace is None
    assert dialogs.seen[-1][0] == "Cannot open the document" and str(gone) in dialogs.seen[-1][1]
    assert dialogs.guides[-1] == "missing"
    assert window.settings.recent_files() == [] and window.start_page.recent_buttons == []


def test_explore_the_demo_trust_writes_it_on_the_worker_into_the_data_folder_and_opens_it(
        empty_window, qtbot, monkeypatch, cypdesk_home):
    """Explore the demo trust, with the real thread pool (``TaskRunner.INLINE`` turned
    off here): the demo is written by the ``cypdesk demo`` service (write_demo, wrapped
    to record its thread and arguments) on the worker thread, into the user data folder,
    and opened; a second time it is a fresh copy (force) of the same file."""
    from cypdesk.services import documents
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    calls = []
    real = documents.write_demo

    def recording(path, **kwargs):
        calls.append((Path(path), kwargs.get("force"), threading.current_thread() is threading.main_thread()))
        return real(path, **kwargs)

    monkeypatch.setattr(documents, "write_demo", recording)
    window = empty_window()
    qtbot.mouseClick(window.start_page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=20_000)
    demo = cypdesk_home / "data" / "Demo trust.cypdesk"
    assert calls == [(demo, True, False)]  # the data folder, fresh, not on the UI thread
    assert Path(window.workspace.doc.path) == demo.resolve()
    assert window.tab("services").model.rowCount() > 50
    assert "demo trust" in window.status_label.text()
    window.close_document()
    qtbot.mouseClick(window.start_page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=20_000)
    assert len(calls) == 2 and calls[1][0] == demo


def test_the_start_page_is_reached_by_keyboard_heard_by_name_and_fits_1280(empty_window, qtbot, demo_path):
    """The focus starts on New; Tab moves through Open, Explore, the guide and each
    recent document; each
    button has an accessible name and a description; at 1280 x 800 every button is
    whole inside the window."""
    Settings().add_recent(demo_path)
    window = empty_window()
    page = window.start_page
    wanted = [page.new_button, page.open_button, page.demo_button, page.guide_button, *page.recent_buttons]
    window.windowHandle().requestActivate()  # keys go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    seen = [QApplication.focusWidget()]  # where the window put it
    for _ in range(len(wanted) - 1):
        qtbot.keyClick(seen[-1], Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        assert seen[-1] is not None
    assert seen == wanted
    for button in page.findChildren(QPushButton):
        assert button.accessibleName() and button.accessibleDescription(), button.objectName()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
        corner = button.mapTo(window, button.rect().bottomRight())
        assert 0 <= corner.x() < window.width() and 0 <= corner.y() < window.height(), button.objectName()
    assert page.minimumSizeHint().width() <= 1280
    assert [b.accessibleName() for b in (page.new_button, page.open_button, page.demo_button)] == [
        "New document", "Open a document", "Explore the demo trust"]


def test_read_the_guide_opens_its_contents(empty_window, qtbot, dialogs):
    """Read the guide (and F1 with no document) opens the guide at its contents."""
    window = empty_window()
    seen = []
    dialogs.drivers.append(lambda dialog: seen.append(dialog.current_page().name) or False)
    qtbot.mouseClick(window.start_page.guide_button, Qt.MouseButton.LeftButton)
    assert seen == ["README.md"]
