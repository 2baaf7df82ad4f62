"""The History view (ui/exchange/history_view.py) on the real window and the demo: for
the organisation selected in its tab, Ctrl+H (and the list's context menu) show who
changed what and when, with the import that created it, a typed edit and a merge row
naming the partner's file, newest or oldest first. The merge row is written through
the tracked session as the merge engine writes it (op "merge"). Work runs inline
(the ``dialogs`` fixture sets TaskRunner.INLINE); the view is answered by a driver."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cypdesk.model.system import History
from cypdesk.ui.exchange.history_view import COLUMNS, HistoryView

ORGS = "Name,Kind,Website\nKestrel Family Support,voluntary,https://kestrel.example\n"


def _texts(view: HistoryView) -> list[dict[str, str]]:
    table = view.table
    return [{COLUMNS[c]: table.item(r, c).text() for c in range(table.columnCount())}
            for r in range(table.rowCount())]


@pytest.fixture
def kestrel(open_window, qtbot, tmp_path):
    """The window on the organisations tab, with Kestrel Family Support imported from
    orgs.csv, its website then typed in the tab's editor, then a merge row for it."""
    from cypdesk.services.importing import ImportOptions, open_source, run_import

    window = open_window("organisations")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS, encoding="utf-8")
    run_import(window.workspace, open_source(path, kind="organisations"), ImportOptions(kind="organisations"))
    window.refresh_all()
    tab = window.current_tab()
    org_id = window.reader.execute("SELECT id FROM organisations WHERE name = 'Kestrel Family Support'").fetchone()[0]
    assert tab.select(org_id)
    tab.form.editors["website"].setText("https://kestrel.example/typed")
    assert tab.apply_edit()
    ws = window.workspace
    with ws.write() as session:
        session.add(History(hlc=session.clock.tick(), author_id=ws.author.id, author_name="bob on ICB-PC",
                            op="merge", table_name="organisations", record_id=org_id, record_title="Kestrel",
                            field="website", old_value=json.dumps("https://kestrel.example/typed"),
                            new_value=json.dumps("https://kestrel.org.uk"),
                            note="from eastshire.cypshare: their value, not changed here"))
    tab.view.setFocus()
    return window, tab, org_id


def test_ctrl_h_shows_the_import_the_edit_and_the_merge_of_the_selected_record(kestrel, qtbot, dialogs):
    """Ctrl+H in the list: the view is headed with the organisation's name and shows,
    newest first, the merge (from eastshire.cypshare, old and new websites), the typed
    edit (by alice's installation, Website from the imported to the typed value) and the
    creation by the import of orgs.csv; the selected change shows in full under the
    table; "Oldest first" turns it round."""
    window, tab, _org_id = kestrel
    seen = {}

    def look(view):
        seen["title"] = view.windowTitle()
        seen["newest"] = _texts(view)
        seen["detail"] = view.detail.text()  # the selected (first) change in full
        view.set_newest_first(False)
        seen["oldest"] = _texts(view)
        seen["summary"] = view.summary.text()
        return False

    dialogs.drivers.append(look)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert seen["title"] == "History of the organisation “Kestrel Family Support”"
    merge, edit, created = seen["newest"]
    assert merge["What"] == "Merged: Website"
    assert (merge["Before"], merge["After"]) == ("https://kestrel.example/typed", "https://kestrel.org.uk")
    assert "eastshire.cypshare" in merge["Where it came from"] and merge["Who"] == "bob on ICB-PC"
    assert edit["What"] == "Changed Website" and edit["Who"] == window.workspace.author.name
    assert (edit["Before"], edit["After"]) == ("https://kestrel.example", "https://kestrel.example/typed")
    assert created["What"] == "Created by an import" and "orgs.csv" in created["Where it came from"]
    assert all(row["When"] for row in seen["newest"])
    assert "eastshire.cypshare: their value, not changed here" in seen["detail"]
    assert "After: https://kestrel.org.uk" in seen["detail"]
    assert seen["oldest"] == seen["newest"][::-1]
    assert seen["summary"] == "3 entries, 1 from imports, 1 from partners' files."


def test_the_lists_context_menu_offers_the_history_of_the_selected_record(kestrel, dialogs):
    """The list's context menu (right-click or the Menu key) has "History of this
    record…" with its keys; it opens the same view; with nothing selected it is greyed
    out and Ctrl+H says in the status bar what to do."""
    window, tab, org_id = kestrel
    menu = tab.list_menu()
    action = next(a for a in menu.actions() if a.objectName() == "history_of_this_record")
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+H"
    dialogs.drivers.append(lambda view: view.record_id == org_id and False)
    action.trigger()
    assert dialogs.seen[-1][0] == "History of the organisation “Kestrel Family Support”"
    tab.view.clearSelection()
    tab._show(None)
    assert not next(a for a in tab.list_menu().actions() if a.objectName() == "history_of_this_record").isEnabled()
    window.action_history.trigger()
    assert window.status_label.text() == "Select an organisation to see its history."


def test_every_control_of_the_view_has_a_name_and_tab_reaches_them(kestrel, dialogs, qtbot):
    """The order box, the table and Close have accessible names and are Tab stops."""
    window, tab, _org_id = kestrel
    shown = {}

    def look(view):
        view.show()
        for widget in (view.order, view.table, view.buttons.buttons()[0]):
            assert widget.accessibleName(), widget.objectName()
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        shown["rows"] = view.table.rowCount()
        return False

    dialogs.drivers.append(look)
    tab.show_history()
    assert shown["rows"] == 3
