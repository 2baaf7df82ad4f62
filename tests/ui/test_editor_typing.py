"""Typing is never thrown away (issue 8, item 1), and nothing acts on a record the list
hides (item 2): the officer's steps in the real window on the demo document. Message
boxes are answered by the ``dialogs`` fixture (which also runs long work inline); a
question nobody expected fails the test."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cypdesk.services.lookups import values_of


@pytest.fixture
def services(open_window, qtbot):
    window = open_window("services")
    window.show()
    qtbot.waitExposed(window)
    return window, window.tab("services")


def click_row(qtbot, tab, row):
    view = tab.view
    rect = view.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def retype(qtbot, editor, text):
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def cost_of(window, record_id):
    return values_of(window.reader, "services", record_id)["annual_cost"]


def test_a_new_cost_typed_then_another_row_clicked_is_applied_as_one_undo_step(services, qtbot):
    """Select a service, type a new annual cost, click another row: the cost is applied
    (the title shows * while it is typed), the next service shows, and one Ctrl+Z takes
    the cost back."""
    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    before = cost_of(window, first)
    retype(qtbot, tab.form.editors["annual_cost"], "£123,456")
    assert "*" in window.windowTitle()  # typing not yet applied shows in the title
    steps = window.undo_stack.count()

    click_row(qtbot, tab, 1)
    assert cost_of(window, first) == 123456
    assert window.undo_stack.count() == steps + 1
    assert tab.current_id == tab.model.index(1, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert tab.current_id != first

    window.action_undo.trigger()
    assert cost_of(window, first) == before


def test_a_cost_that_is_not_money_keeps_the_officer_on_the_record_with_the_message(services, qtbot):
    """Type "lots" as the cost and click another row: nothing is applied, the row
    selection goes back to the record, the typing stays with the message under the
    field, and arrows do not leave either; Revert is the way to drop the typing."""
    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "lots")
    steps = window.undo_stack.count()

    click_row(qtbot, tab, 2)
    assert tab.current_id == first
    assert tab.view.currentIndex().row() == 0
    assert tab.form.editors["annual_cost"].text() == "lots"
    error = tab.form.errors["annual_cost"]
    assert error.isVisible() and error.text()
    assert window.undo_stack.count() == steps
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Down)
    assert tab.current_id == first and tab.form.editors["annual_cost"].text() == "lots"
    tab.view.selectRow(3)  # moved by code (the map, an Overview link): the selection comes back too
    qtbot.waitUntil(lambda: [i.row() for i in tab.view.selectionModel().selectedRows()] == [0])
    assert tab.current_id == first and tab.form.editors["annual_cost"].text() == "lots"

    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    assert tab.form.editors["annual_cost"].text() != "lots" and "*" not in window.windowTitle()
    click_row(qtbot, tab, 2)
    assert tab.current_id != first


def test_typing_is_applied_when_the_officer_goes_to_another_tab(services, qtbot):
    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "£99,000")
    window.tabs.setCurrentIndex(window._index_of("teams"))
    assert cost_of(window, first) == 99000


def test_typing_that_is_not_valid_keeps_the_officer_on_its_tab(services, qtbot):
    window, tab = services
    click_row(qtbot, tab, 0)
    retype(qtbot, tab.form.editors["annual_cost"], "lots")
    window.tabs.setCurrentIndex(window._index_of("teams"))
    assert window.current_tab() is tab
    assert tab.form.errors["annual_cost"].text()


def test_close_applies_the_typing_then_asks_to_save_it(services, qtbot, dialogs):
    """File > Close with a cost typed but not applied: the cost is applied (one undo
    step) and the officer is asked about unsaved changes; Cancel keeps it all open."""
    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "£77,000")
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    window.action_close.trigger()
    assert [title for title, _ in dialogs.seen] == ["Unsaved changes"]
    assert window.workspace is not None
    assert cost_of(window, first) == 77000 and window.undo_stack.count() == 1


def test_close_with_typing_that_is_not_valid_stays_open_with_the_message(services, qtbot, dialogs):
    window, tab = services
    click_row(qtbot, tab, 0)
    retype(qtbot, tab.form.editors["annual_cost"], "lots")
    assert window.close_document() is False
    assert dialogs.seen == []  # nothing asked: the message is at the field
    assert window.workspace is not None
    assert tab.form.errors["annual_cost"].text() and tab.form.editors["annual_cost"].text() == "lots"


def test_opening_another_document_applies_the_typing_first(services, qtbot, dialogs, demo_path):
    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "£55,000")
    dialogs.answers = [QMessageBox.StandardButton.Cancel]  # keep the current document after all
    assert window.open_path(demo_path, wait=True) is False
    assert cost_of(window, first) == 55000


# --- item 2: nothing acts on a record the list hides ----------------------------------------------

WAITS = "Children waiting more than 18 weeks for a first appointment"


def test_find_hiding_the_selected_measure_clears_the_editor_and_delete_offers_nothing(open_window, qtbot, dialogs):
    """Monitoring: select "Children waiting more than 18 weeks…", type "re-offend" in
    Find: the list shows only the re-offending measure, the editor no longer shows the
    hidden one, and Delete (the button, the key, Edit > Delete) asks about nothing."""
    from cypdesk.services.lookups import options

    window = open_window("measures")
    tab = window.tab("measures")
    waits = next(i for i, title in options(window.reader, "measures") if title == WAITS)
    assert tab.select(waits) and tab.current_id == waits
    qtbot.keyClicks(tab.filter_bar.text, "re-offend")
    tab.filter_bar.apply_now()
    assert tab.model.rowCount() == 1
    assert tab.current_id is None
    assert tab.detail_title.text() != WAITS
    assert not tab.buttons["delete"].isEnabled() and not tab.buttons["duplicate"].isEnabled()
    tab.delete_record()
    window.action_delete.trigger()
    tab.duplicate_record()
    assert dialogs.seen == []
    assert values_of(window.reader, "measures", waits) is not None


def test_a_filter_drop_down_hiding_the_selected_service_clears_the_editor(services, qtbot):
    window, tab = services
    sector = tab.filter_bar.combos["sector"]
    col = [c.name for c in tab.model.query.columns].index("sector")
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, col).data() != "Health")
    click_row(qtbot, tab, row)
    assert tab.current_id is not None
    sector.setCurrentIndex(sector.findText("Health"))
    assert tab.current_id is None and not tab.buttons["delete"].isEnabled()


def test_an_action_hidden_by_find_leaves_the_action_plans_editor(open_window, qtbot, dialogs):
    from cypdesk.ui.tabs.monitoring_tab import ACTIONS

    window = open_window("measures")
    tab = window.tab("measures")
    tab.show_view(ACTIONS)
    page = tab.action_page
    page.table.setCurrentCell(0, 0)
    assert page.current_id is not None
    hidden = page.current_id
    qtbot.keyClicks(tab.filter_bar.text, "zzz no such action")
    tab.filter_bar.apply_now()
    assert page.current_id is None and not tab.buttons["delete"].isEnabled()
    tab.delete_record()
    assert dialogs.seen == []
    assert values_of(window.reader, "actions", hidden) is not None


def test_typing_in_the_action_plan_is_applied_when_the_officer_goes_to_the_risk_register(open_window, qtbot):
    from cypdesk.ui.tabs.monitoring_tab import ACTIONS, RISKS

    window = open_window("measures")
    tab = window.tab("measures")
    tab.show_view(ACTIONS)
    page = tab.action_page
    page.table.setCurrentCell(0, 0)
    action = page.current_id
    page.form.editors["action"].setPlainText("Publish the report by the end of June")
    assert "*" in window.windowTitle()
    tab.show_view(RISKS)
    assert values_of(window.reader, "actions", action)["action"] == "Publish the report by the end of June"
    assert window.undo_stack.count() == 1 and "*" in window.windowTitle()


def test_a_measure_edit_that_is_not_valid_keeps_the_officer_on_its_row(open_window, qtbot):
    """The Monitoring measures list: an amber tolerance of "a lot" is refused when the
    officer clicks another measure; the selection stays, the message is under the field."""
    window = open_window("measures")
    window.show()
    tab = window.tab("measures")
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["target"], "a lot")
    click_row(qtbot, tab, 1)
    assert tab.current_id == first and tab.view.currentIndex().row() == 0
    assert tab.form.errors["target"].text()


def test_undo_with_typing_not_yet_applied_applies_it_first_so_redo_brings_it_back(services, qtbot):
    """Apply a cost on one service; on another, type a new cost and choose Edit > Undo
    without applying: the typing is not silently dropped (nor the earlier change undone
    under it); it becomes one step that Undo takes back and Redo brings back."""
    window, tab = services
    click_row(qtbot, tab, 1)
    earlier = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "£1")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    click_row(qtbot, tab, 0)
    first = tab.current_id
    before = cost_of(window, first)
    retype(qtbot, tab.form.editors["annual_cost"], "£88,000")
    window.action_undo.trigger()
    assert cost_of(window, first) == before and tab.form.editors["annual_cost"].text() != "£88,000"
    assert cost_of(window, earlier) == 1  # the earlier change stays
    window.action_redo.trigger()
    assert cost_of(window, first) == 88000 and tab.form.editors["annual_cost"].text() == "£88,000"


def test_typing_goes_into_an_export_and_switching_to_the_map(services, qtbot, tmp_path, monkeypatch):
    """Type a new cost, then File > Export this table (the save dialog patched to a
    path): the typing is applied first, so the exported file and the document hold it.
    Type another cost, switch to the Service and outcome map: applied too. Type "lots"
    and switch: the register stays in front with the message under the field."""
    import csv

    from cypdesk.ui.main_window import MainWindow

    window, tab = services
    click_row(qtbot, tab, 0)
    first = tab.current_id
    retype(qtbot, tab.form.editors["annual_cost"], "£654,321")
    out = tmp_path / "services.csv"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    window.export_current()
    assert cost_of(window, first) == 654321
    with open(out, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    assert "654,321" in text or "654321" in text

    retype(qtbot, tab.form.editors["annual_cost"], "£111,111")
    tab.views_tabs.setCurrentIndex(1)
    assert cost_of(window, first) == 111111 and tab.views_tabs.currentIndex() == 1

    tab.views_tabs.setCurrentIndex(0)
    click_row(qtbot, tab, 0)
    retype(qtbot, tab.form.editors["annual_cost"], "lots")
    tab.views_tabs.setCurrentIndex(1)
    assert tab.views_tabs.currentIndex() == 0
    assert tab.form.errors["annual_cost"].text()
