"""The register as an officer uses it: filter it, add a service through the editor,
undo and redo, delete with confirmation, save, reopen and find the change."""

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cypdesk.services.documents import write_demo


@pytest.fixture
def window(open_window):
    return open_window("services")


def names(tab):
    model = tab.model
    col = [c.name for c in model.query.columns].index("name")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_filter_the_register_by_text_and_category(window, qtbot):
    tab = window.tab("services")
    everything = tab.model.rowCount()
    qtbot.keyClicks(tab.filter_bar.text, "CAMH")
    tab.filter_bar.apply_now()
    assert 0 < tab.model.rowCount() < everything
    assert all("CAMH" in n.upper() for n in names(tab))
    assert "match the filter" in tab.caption.text()
    tab.filter_bar.clear()
    sector = tab.filter_bar.combos["sector"]
    sector.setCurrentIndex(sector.findText("Health"))
    col = [c.name for c in tab.model.query.columns].index("sector")
    values = {tab.model.data(tab.model.index(r, col)) for r in range(tab.model.rowCount())}
    assert values == {"Health"}


def test_contracts_ending_soon_are_flagged_in_words(window):
    from datetime import date

    tab = window.tab("services")
    tab.model.today = date(2026, 3, 15)  # the demo's "today"
    col = [c.name for c in tab.model.query.columns].index("contract_end")
    shown = [tab.model.data(tab.model.index(r, col)) for r in range(tab.model.rowCount())]
    assert any(text.endswith("· within 6 months") for text in shown)
    assert any(text.endswith("· within 12 months") for text in shown)
    commissioners = [c.name for c in tab.model.query.columns].index("commissioners")
    assert any("%" in (tab.model.data(tab.model.index(r, commissioners)) or "") for r in range(tab.model.rowCount()))


def test_add_undo_redo_delete_save_reopen(window, qtbot, dialogs, tmp_path):
    tab = window.tab("services")
    before = tab.model.rowCount()
    qtbot.mouseClick(tab.buttons["add"], Qt.MouseButton.LeftButton)
    form = tab.form
    qtbot.keyClicks(form.editors["name"], "Forest school sessions for under-fives")
    qtbot.keyClicks(form.editors["annual_cost"], "£412,500")
    form.editors["sector"].setCurrentIndex(form.editors["sector"].findText("Education"))
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == before + 1
    assert tab.detail_title.text() == "Forest school sessions for under-fives"
    assert "*" in window.windowTitle()
    new_id = tab.current_id
    assert new_id is not None

    window.action_undo.trigger()
    assert tab.model.rowCount() == before
    assert "Forest school sessions for under-fives" not in names(tab)
    window.action_redo.trigger()
    assert tab.model.rowCount() == before + 1
    assert tab.select(new_id)
    assert tab.form.editors["annual_cost"].text() == "£412,500"

    # an edit through the form, then a refusal shown at the field
    tab.form.editors["annual_cost"].setText("lots")
    tab.form.changed.emit()
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    error = tab.form.errors["annual_cost"]
    assert not error.isHidden() and "Annual cost" in error.text()
    tab.revert()
    assert tab.form.errors["annual_cost"].isHidden()

    # delete another service, confirmed; undo brings it back with its contract
    victim = next(n for n in names(tab) if n.startswith("Speech and language"))
    row = names(tab).index(victim)
    tab.view.selectRow(row)
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    qtbot.mouseClick(tab.buttons["delete"], Qt.MouseButton.LeftButton)
    assert "Speech and language" in dialogs.seen[-1][1] and "Undo" in dialogs.seen[-1][1]
    assert victim not in names(tab)
    window.action_undo.trigger()
    assert victim in names(tab)
    window.action_redo.trigger()
    assert victim not in names(tab)

    path = window.workspace.doc.path
    assert window.save()
    assert "*" not in window.windowTitle()
    assert window.close_document()

    window.open_path(path)
    tab = window.tab("services")
    assert "Forest school sessions for under-fives" in names(tab)
    assert victim not in names(tab)
    assert tab.select(new_id)
    assert tab.form.editors["annual_cost"].text() == "£412,500"
    assert tab.form.editors["sector"].currentText() == "Education"


def test_closing_with_unsaved_changes_asks(window, qtbot, dialogs):
    tab = window.tab("services")
    tab.view.selectRow(0)
    tab.form.editors["capacity"].setText("75")
    tab.form.changed.emit()
    tab.apply()
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    assert window.close_document() is False
    assert window.workspace is not None
    assert dialogs.seen[-1][0] == "Unsaved changes"
    dialogs.answers = [QMessageBox.StandardButton.Discard]
    assert window.close_document() is True


def test_read_only_tabs_show_data_without_editing(window):
    needs = window.tab("indicators")
    assert needs.model.rowCount() >= 40
    assert not needs.buttons["add"].isVisible() or not needs.buttons["add"].isEnabled()
    needs.view.selectRow(0)
    assert needs.current_id is not None
    assert not needs.form.editors["name"].isEnabled() or needs.form.editors["name"].isReadOnly()


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import (QAbstractButton, QComboBox, QLineEdit, QMenuBar, QPlainTextEdit, QTabBar,
                                   QTableView)

    missing = []
    widgets = [w for cls in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView)
               for w in window.findChildren(cls)]
    for widget in widgets:
        if isinstance(widget.parent(), (QComboBox, QLineEdit, QTableView, QTabBar, QMenuBar)):
            continue  # Qt's own parts of a control (a clear button, the table's corner button)
        if widget.objectName().startswith("qt_") or widget.objectName() == "":
            if not widget.accessibleName():
                missing.append(f"{type(widget).__name__} under {widget.parent().objectName()}")
            continue
        if not widget.accessibleName():
            missing.append(widget.objectName())
    assert missing == [], missing


def test_keyboard_duplicates_and_deletes(window, qtbot, dialogs):
    from PySide6.QtTest import QTest

    window.show()
    window.activateWindow()
    tab = window.tab("services")
    tab.view.selectRow(2)
    tab.view.setFocus()
    before = tab.model.rowCount()
    QTest.keyClick(tab.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert tab.model.rowCount() == before + 1
    assert tab.detail_title.text().endswith("(copy)")
    tab.view.setFocus()
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    QTest.keyClick(tab.view, Qt.Key.Key_Delete)
    assert dialogs.seen[-1][0] == "Delete service"
    assert tab.model.rowCount() == before
    QTest.keyClick(tab.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.filter_bar.text.hasFocus()


def test_an_undo_that_cannot_be_done_says_so_and_changes_nothing(window, dialogs):
    """Undo of an edit whose record was deleted since (outside the undo stack, as a
    merge might) is refused with a message; the document is unchanged."""
    from cypdesk.services import records

    tab = window.tab("services")
    tab.view.selectRow(0)
    sid = tab.current_id
    tab.form.editors["capacity"].setText("33")
    tab.apply()
    records.delete(window.workspace, "services", sid)  # not through the stack
    window.refresh_all()
    count = tab.model.rowCount()
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window.action_undo.trigger()
    assert dialogs.seen[-1][0] == "Not undone" and "Nothing was changed" in dialogs.seen[-1][1]
    assert tab.model.rowCount() == count
    assert window.undo_stack.count() == 0 or not window.undo_stack.canRedo()


def test_typing_a_name_longer_than_its_declared_length_shows_the_limit_under_the_field(window, qtbot):
    """The Services editor refuses a 5,000-character name (declared length 300) with the
    message under the Name field, and the register keeps the old name."""
    tab = window.tab("services")
    tab.view.selectRow(0)
    old = tab.form.editors["name"].text()
    assert old
    editor = tab.form.editors["name"]
    editor.clear()
    editor.setText("x" * 4990)
    qtbot.keyClicks(editor, "typed")  # typed at the keyboard: the editor takes all of it
    assert len(editor.text()) == 4995
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    error = tab.form.errors["name"]
    assert not error.isHidden()
    assert error.text() == "Service is 4,995 characters long; the most it can hold is 300"
    assert old in names(tab) and "x" * 300 not in " ".join(names(tab))
    assert not window.workspace.doc.dirty  # nothing was written; the title's * shows the typing kept
