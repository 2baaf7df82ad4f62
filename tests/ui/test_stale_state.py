"""Nothing stale (issue 8, item 7): after File > Close every count, filter and button
is as for no document; after reopening, Find and the list agree; status messages go;
the title's * follows the undo stack back to the saved state. The officer's steps in
the real window on the demo document; message boxes answered by the ``dialogs``
fixture (which runs long work inline)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cypdesk.ui import main_window


@pytest.fixture
def services(open_window):
    window = open_window("services")
    return window, window.tab("services")


def test_after_close_no_count_filter_or_action_is_left(services, qtbot):
    """Filter the register to one service ("1 service match the filter"), File > Close:
    the summary is empty, Find is empty, Add, Duplicate and Delete are disabled in
    every tab that was shown, and so is Edit > Add."""
    window, tab = services
    qtbot.keyClicks(tab.filter_bar.text, "speech")
    tab.filter_bar.apply_now()
    assert "matches the filter" in tab.caption.text()
    window.show_tab("measures")
    window.show_tab("services")
    window.action_close.trigger()
    assert window.workspace is None
    for shown in window._built_tabs():
        assert shown.caption.text() == "", shown.kind
        assert shown.filter_bar.text.text() == "", shown.kind
        assert not shown.filter_bar.isEnabled(), shown.kind
        for name in ("add", "duplicate", "delete", "export"):
            assert not shown.buttons[name].isEnabled(), (shown.kind, name)
    assert not window.action_add.isEnabled()


def test_after_reopening_find_and_the_list_agree(services, qtbot, demo_path):
    window, tab = services
    everything = tab.model.rowCount()
    qtbot.keyClicks(tab.filter_bar.text, "speech")
    tab.filter_bar.apply_now()
    assert tab.model.rowCount() < everything
    window.close_document()
    assert window.open_path(demo_path, wait=True)
    tab = window.tab("services")
    assert tab.filter_bar.isEnabled()
    shown_text = tab.filter_bar.text.text()
    assert shown_text == tab.model.query.filter_text
    assert tab.model.rowCount() == everything


def test_status_messages_go_after_a_few_seconds(services, qtbot, monkeypatch):
    """The timeout is 5-10 s; the test shortens it (patched STATUS_TIMEOUT_MS) to see
    the message go."""
    window, _tab = services
    assert 5000 <= main_window.STATUS_TIMEOUT_MS <= 10000
    monkeypatch.setattr(main_window, "STATUS_TIMEOUT_MS", 50)
    window.status("Exported 79 rows to services.xlsx")
    assert window.status_label.text()
    qtbot.waitUntil(lambda: window.status_label.text() == "", timeout=2000)


def test_the_title_drops_its_star_when_undo_returns_to_the_saved_state(services, qtbot, dialogs):
    """Change a cost and apply: "*". Undo: no "*" (and Close asks nothing). Redo: "*"
    again."""
    window, tab = services
    tab.select(tab.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    assert "*" not in window.windowTitle()
    tab.form.editors["annual_cost"].setText("£1")
    tab.form.changed.emit()
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert "*" in window.windowTitle()
    window.action_undo.trigger()
    assert "*" not in window.windowTitle()
    window.action_redo.trigger()
    assert "*" in window.windowTitle()
    window.action_undo.trigger()
    assert window.close_document() is True
    assert dialogs.seen == []  # back at the saved file: nothing to ask


def test_after_saving_undo_past_the_save_shows_the_star(services, qtbot, dialogs, tmp_path):
    window, tab = services
    tab.select(tab.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    tab.form.editors["annual_cost"].setText("£1")
    tab.apply()
    assert window.save()
    assert "*" not in window.windowTitle()
    window.action_undo.trigger()
    assert "*" in window.windowTitle()
    window.action_redo.trigger()
    assert "*" not in window.windowTitle()
    dialogs.answers = [QMessageBox.StandardButton.Discard]
    window.action_undo.trigger()
    assert window.close_document() is True
    assert [title for title, _ in dialogs.seen] == ["Unsaved changes"]
