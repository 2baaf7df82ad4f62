"""The History view (ui/exchange/history_view.py) on the real window and the demo: for
the organisation selected in its tab, Ctrl+H (and the list's context menu) show who
changed what and when: the import that created it, a typed edit, and a real merge of a
partner's copy (plan_merge/apply_merge) in which bob changed two fields, one of them
in conflict with the typed edit, newest or oldest first. Work runs inline (the
``dialogs`` fixture sets TaskRunner.INLINE); the view is answered by a driver."""

from __future__ import annotations

import shutil
import sqlite3
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cypdesk.model.installation import Installation
from cypdesk.ui.exchange.history_view import COLUMNS, HistoryView

ORGS = "Name,Kind,Website\nKestrel Family Support,voluntary,https://kestrel.example\n"
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="ICB-PC")


def _texts(view: HistoryView) -> list[dict[str, str]]:
    table = view.table
    return [{COLUMNS[c]: table.item(r, c).text() for c in range(table.columnCount())}
            for r in range(table.rowCount())]


def _copy(source, dest) -> None:
    src, out = sqlite3.connect(source), sqlite3.connect(dest)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()


@pytest.fixture
def kestrel(open_window, qtbot, tmp_path):
    """The window on the organisations tab with Kestrel Family Support imported from
    orgs.csv; a copy sent to bob, who changes its charity number and website; then the
    website typed in the tab's editor (later, so the merge keeps it); then bob's file
    (eastshire.cypdesk) merged in."""
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge
    from cypdesk.services.importing import ImportOptions, open_source, run_import
    from cypdesk.services.workspace import Workspace

    window = open_window("organisations")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS, encoding="utf-8")
    ws = window.workspace
    run_import(ws, open_source(path, kind="organisations"), ImportOptions(kind="organisations"))
    org_id = window.reader.execute("SELECT id FROM organisations WHERE name = 'Kestrel Family Support'").fetchone()[0]
    sent = tmp_path / "bob" / "eastshire.cypdesk"
    sent.parent.mkdir()
    _copy(ws.doc.working_path, sent)
    bob = Document.open(sent, installation=BOB)
    try:
        records.update(Workspace(bob, BOB), "organisations", org_id,
                       {"charity_number": "1190001", "website": "https://kestrel.org.uk"})
        _copy(bob.working_path, tmp_path / "eastshire.cypdesk")
    finally:
        bob.close(discard=True)
    qtbot.wait(20)  # the typed edit is later than bob's by the clock
    window.refresh_all()
    tab = window.current_tab()
    assert tab.select(org_id)
    tab.form.editors["website"].setText("https://kestrel.example/typed")
    assert tab.apply_edit()
    theirs = tmp_path / "eastshire.cypdesk"
    apply_merge(ws, theirs, plan_merge(ws, theirs), backup=False)
    window.refresh_all()
    tab.select(org_id)
    tab.view.setFocus()
    shutil.rmtree(sent.parent)
    return window, tab, org_id


def test_ctrl_h_shows_the_import_the_edits_and_the_merge_of_the_selected_record(kestrel, qtbot, dialogs):
    """Ctrl+H in the list: the view is headed with the organisation's name and shows,
    oldest first: its creation by the import of orgs.csv; bob's two edits (copied in
    with his file, named as his and as having come with its merge); the typed edit (by this window's installation); the
    website conflict the merge settled for this document's later value (the value not
    chosen and the value chosen, the partner file named); the charity number taken from
    eastshire.cypdesk. The selected change shows in full under the table; newest first
    is the same turned round."""
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
    me = window.workspace.author.name
    created, bob_number, bob_site, typed, conflict, taken = seen["oldest"]
    assert created["What"] == "Created by an import" and "orgs.csv" in created["Where it came from"]
    assert (bob_number["Who"], bob_number["What"], bob_number["After"]) == ("bob on ICB-PC", "Changed Charity number",
                                                                           "1190001")
    assert (bob_site["Who"], bob_site["After"]) == ("bob on ICB-PC", "https://kestrel.org.uk")
    came = "A partner's file: Made in eastshire.cypdesk, came with its merge"
    assert bob_number["Where it came from"] == bob_site["Where it came from"] == came
    assert (typed["Who"], typed["What"]) == (me, "Changed Website")
    assert (typed["Before"], typed["After"]) == ("https://kestrel.example", "https://kestrel.example/typed")
    assert conflict["What"] == "Conflict over Website: kept this document's value"
    assert (conflict["Before"], conflict["After"]) == ("Not chosen: https://kestrel.org.uk",
                                                       "Chosen: https://kestrel.example/typed")
    assert "eastshire.cypdesk" in conflict["Where it came from"]
    assert (taken["Who"], taken["What"], taken["After"]) == (me, "Merged: Charity number", "1190001")
    assert taken["Where it came from"] == "A partner's file: Taken from eastshire.cypdesk."
    assert all(row["When"] for row in seen["oldest"])
    assert seen["newest"] == seen["oldest"][::-1]
    assert "Taken from eastshire.cypdesk." in seen["detail"] and "After: 1190001" in seen["detail"]
    assert seen["summary"] == "6 entries, 1 from imports, 3 from partners' files, 1 conflict."


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
    assert shown["rows"] == 6


def test_ctrl_h_in_the_editor_and_in_the_people_list_shows_that_records_history(kestrel, qtbot, dialogs):
    """Ctrl+H with the cursor in the record's editor (a text field) opens the same
    record's history, not a keystroke in the field; in the People list inside
    Organisations it opens the selected person's history."""
    window, tab, org_id = kestrel
    editor = tab.form.editors["website"]
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    before = editor.text()
    dialogs.drivers.append(lambda view: view.record_id == org_id and False)
    qtbot.keyClick(editor, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.seen[-1][0] == "History of the organisation “Kestrel Family Support”"
    assert editor.text() == before
    people = tab.people
    tab.views_tabs.setCurrentWidget(people)
    people.shown()
    person_id, name = window.reader.execute("SELECT id, name FROM people ORDER BY name LIMIT 1").fetchone()
    people.select(person_id)
    people.view.setFocus()
    qtbot.waitUntil(people.view.hasFocus)
    dialogs.drivers.append(lambda view: (view.kind, view.record_id) == ("people", person_id) and False)
    qtbot.keyClick(people.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.seen[-1][0] == f"History of the person “{name}”"
