"""The window keyboard-only (issue 8, item 3): Tab leaves every table, one Tab from Find
reaches the list, Enter or F2 opens the selected record's editor, F6 goes between list
and editor, Ctrl+Enter applies (and says so on the button and in Help > Keyboard
shortcuts), every field is reached by Tab, and Alt+D answers "Don't save". Keys are
pressed with QTest on the real window on the demo document; message boxes are answered
by the ``dialogs`` fixture unless a test says it shows the real one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox

from cypdesk.services.lookups import values_of

KINDS = ["indicators", "services", "teams", "agreements", "measures"]


@pytest.fixture
def shown(open_window, qtbot):
    def open_(kind):
        window = open_window(kind)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window, window.current_tab()

    return open_


def list_of(tab):
    """The list the officer picks records from: the Teams tab shows a tree of teams."""
    return tab.tree if tab.kind == "teams" else tab.view


def focus():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the focus is, as the officer presses it."""
    qtbot.keyClick(focus(), key, modifier)


@pytest.mark.parametrize("kind", KINDS)
def test_tab_leaves_every_table_of_every_tab(shown, kind):
    window, tab = shown(kind)
    tab.form  # noqa: B018 - the editor and its sections are built when first shown
    trapping = [view.objectName() for view in tab.findChildren(QAbstractItemView) if view.tabKeyNavigation()]
    assert trapping == []


@pytest.mark.parametrize("kind", KINDS)
def test_one_tab_from_find_reaches_the_list(shown, qtbot, kind):
    window, tab = shown(kind)
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focus() is tab.filter_bar.text
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is list_of(tab)
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focus() is tab.filter_bar.text


def _title_field(tab):
    from cypdesk.model.catalog import CATALOG

    return CATALOG[tab.kind]["title"]


@pytest.mark.parametrize("kind", KINDS)
def test_one_whole_task_keyboard_only(shown, qtbot, kind):
    """Ctrl+F, type part of the first record's name, Tab to the list, Down and Up, Enter
    (the cursor is in the record's first field), add to its name, Ctrl+Enter (applied),
    F6 back to the list, Ctrl+Z (undone). Needs is read-only: its task ends at reading
    the record and going back to the list with F6."""
    window, tab = shown(kind)
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    first_name = tab.model.index(0, 0).data()
    qtbot.keyClicks(focus(), first_name[:12])
    press(qtbot, Qt.Key.Key_Tab)  # no pause after typing: leaving Find filters at once
    assert focus() is list_of(tab)
    assert tab.filter_bar.text.text() == first_name[:12] and "the filter" in tab.caption.text()  # "1 service matches", "n services match"
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Return)
    record = tab.current_id
    assert record is not None
    assert tab.detail_pane.isAncestorOf(focus()), focus()
    if not tab.spec.editable:
        press(qtbot, Qt.Key.Key_F6)
        assert focus() is list_of(tab)
        return
    name = tab.form.editors[_title_field(tab)]
    assert focus() is name
    press(qtbot, Qt.Key.Key_End)
    qtbot.keyClicks(focus(), " (edited)")
    before = values_of(window.reader, tab.kind, record)[_title_field(tab)]
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, tab.kind, record)[_title_field(tab)] == before + " (edited)"
    press(qtbot, Qt.Key.Key_F6)
    assert focus() is list_of(tab)
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, tab.kind, record)[_title_field(tab)] == before


def test_f2_opens_the_selected_services_editor_and_f6_goes_back(shown, qtbot):
    window, tab = shown("services")
    tab.view.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_F2)
    assert focus() is tab.form.editors["name"]
    press(qtbot, Qt.Key.Key_F6)
    assert focus() is tab.view
    press(qtbot, Qt.Key.Key_F6)
    assert focus() is tab.form.editors["name"]


def test_every_field_of_the_services_editor_is_reached_by_tab_status_too(shown, qtbot):
    window, tab = shown("services")
    tab.view.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    reached = []
    for _ in range(80):
        reached.append(focus())
        if focus() is tab.apply_button or focus() is tab.revert_button:
            break
        press(qtbot, Qt.Key.Key_Tab)
    missing = [name for name, editor in tab.form.editors.items() if editor not in reached]
    assert missing == []
    assert "status" in tab.form.editors


def test_ctrl_enter_is_on_the_apply_button_and_in_help_keyboard_shortcuts(shown, dialogs):
    window, tab = shown("services")
    assert "Ctrl+Enter" in tab.apply_button.text() and "Ctrl+Enter" in tab.apply_button.toolTip()
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.action_shortcuts in help_menu.actions()
    seen = {}

    def read(dialog):
        seen["rows"] = dialog.rows()
        return True

    dialogs.drivers.append(read)
    window.action_shortcuts.trigger()
    keys = dict(seen["rows"])
    assert "Apply" in keys["Ctrl+Enter"] and "F6" in keys and "Enter or F2" in keys


def test_alt_d_answers_dont_save_in_the_real_unsaved_changes_question(shown, qtbot, monkeypatch):
    """The real message box (the ``dialogs`` fixture's stand-in is taken away here;
    long work still runs inline): after an edit, File > Close asks, and Alt+D closes
    without saving."""
    from cypdesk.ui.tasks import TaskRunner

    window, tab = shown("services")
    tab.select(tab.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    tab.form.editors["annual_cost"].setText("£1")
    tab.apply()
    monkeypatch.undo()  # the real QMessageBox
    monkeypatch.setattr(TaskRunner, "INLINE", True)
    asked = {}

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isActiveWindow():  # keys go to the active window
            QTimer.singleShot(20, answer)
            return
        asked["title"] = box.windowTitle()
        QTest.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # the button clicks itself 100 ms later

        def stuck():
            if box.isVisible():  # Alt+D did nothing: close it so the test does not hang
                asked["stuck"] = True
                box.reject()

        guard.timeout.connect(stuck)
        guard.start(1000)

    guard = QTimer()
    guard.setSingleShot(True)
    QTimer.singleShot(20, answer)
    assert window.close_document() is True
    guard.stop()
    assert asked == {"title": "Unsaved changes"}
    assert window.workspace is None


def test_the_action_plan_keyboard_only(shown, qtbot):
    """Monitoring > Action plan: Ctrl+F, type, one Tab to the plan, Down, Enter (its
    first field), Tab to the action, add to it, Ctrl+Enter, F6 back to the plan, Ctrl+Z."""
    from cypdesk.ui.tabs.monitoring_tab import ACTIONS

    window, tab = shown("measures")
    tab.show_view(ACTIONS)
    page = tab.action_page
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focus(), "CAMHS")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is page.table
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    action = page.current_id
    assert action is not None and focus() is next(iter(page.form.editors.values()))
    for _ in range(10):
        if focus() is page.form.editors["action"]:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert focus() is page.form.editors["action"]
    before = values_of(window.reader, "actions", action)["action"]
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focus(), " Now weekly.")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, "actions", action)["action"] == before + " Now weekly."
    press(qtbot, Qt.Key.Key_F6)
    assert focus() is page.table
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, "actions", action)["action"] == before


@pytest.mark.parametrize(("key", "kind"), [(Qt.Key.Key_B, "papers"), (Qt.Key.Key_N, "indicators"),
                                           (Qt.Key.Key_T, "teams"), (Qt.Key.Key_S, "services")],
                         ids=["alt-b-papers", "alt-n-needs", "alt-t-teams", "alt-s-services"])
def test_alt_letter_opens_a_tab_with_the_cursor_in_its_list(shown, qtbot, key, kind):
    """Alt+B (the tab's underlined letter) from another tab: the next key works on the
    tab's list of meetings or records, not on the links above the tabs."""
    window, first = shown("measures")
    first.view.setFocus()
    press(qtbot, key, Qt.KeyboardModifier.AltModifier)
    tab = window.current_tab()
    assert tab.kind == kind
    qtbot.waitUntil(lambda: focus() is tab.list_widget())


@pytest.mark.parametrize(("key", "kind"), [(Qt.Key.Key_B, "papers"), (Qt.Key.Key_S, "services")],
                         ids=["alt-b-papers", "alt-s-services"])
def test_alt_letter_from_the_tab_bar_also_goes_into_the_list(shown, qtbot, key, kind):
    """The cursor on the tab bar (where Qt leaves it once the start page goes), then Alt
    and the tab's letter: the cursor goes into that tab's list as well."""
    window, _first = shown("measures")
    bar = window.tabs.tabBar()
    bar.setFocus()
    qtbot.waitUntil(lambda: focus() is bar)
    press(qtbot, key, Qt.KeyboardModifier.AltModifier)
    tab = window.current_tab()
    assert tab.kind == kind
    qtbot.waitUntil(lambda: focus() is tab.list_widget())


def test_arrow_keys_on_the_tab_bar_stay_on_the_tab_bar(shown, qtbot):
    """The officer walking along the tab bar with the arrow keys keeps the focus there:
    only a tab opened from elsewhere sends the cursor into its list."""
    window, _tab = shown("indicators")
    bar = window.tabs.tabBar()
    bar.setFocus()
    qtbot.waitUntil(lambda: focus() is bar)
    press(qtbot, Qt.Key.Key_Right)
    assert window.tabs.currentIndex() == 1
    assert focus() is bar


def test_the_first_team_reached_by_keyboard_is_highlighted_as_its_form_shows_it(shown, qtbot):
    """The Teams tab opened with no team chosen: the team the form then shows is the
    highlighted one in the tree."""
    _window, tab = shown("teams")
    qtbot.waitUntil(lambda: focus() is tab.tree)
    current = tab.tree.currentItem()
    assert current is not None
    assert tab.tree.selectedItems() == [current]


def test_the_first_meeting_reached_by_keyboard_is_highlighted_as_meeting_pack_acts_on_it(shown, qtbot):
    """The Board papers tab opened with nothing chosen yet: the cursor is in the
    meetings, the first meeting is the one Meeting pack… acts on, and it is highlighted,
    also once the cursor moves on to the buttons."""
    _window, tab = shown("papers")
    qtbot.waitUntil(lambda: focus() is tab.tree)
    current = tab.tree.currentItem()
    assert current is tab.tree.topLevelItem(0)
    assert tab.pack_button.isEnabled()
    assert tab.tree.selectedItems() == [current]
    tab.pack_button.setFocus()
    assert tab.tree.selectedItems() == [current]


@pytest.mark.parametrize("kind", ["services", "indicators"])
def test_the_first_row_reached_by_tab_is_highlighted_as_the_editor_shows_it(shown, qtbot, kind):
    """Tab from Find into a list with no row chosen: the record the editor then shows is
    the highlighted row."""
    from cypdesk.ui.models.record_table import ID_ROLE

    _window, tab = shown(kind)
    tab.view.selectionModel().clear()
    tab.filter_bar.text.setFocus()
    qtbot.waitUntil(lambda: focus() is tab.filter_bar.text)
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is tab.view
    rows = tab.view.selectionModel().selectedRows()
    assert [index.row() for index in rows] == [tab.view.currentIndex().row()]
    assert rows[0].data(ID_ROLE) == tab.current_id


def test_tab_from_the_meetings_reaches_their_buttons_in_order(shown, qtbot):
    """A meeting chosen with the arrow keys, then Tab: New meeting…, New paper… and
    Meeting pack… come next, before the paper's fields."""
    _window, tab = shown("papers")
    qtbot.waitUntil(lambda: focus() is tab.tree)
    press(qtbot, Qt.Key.Key_Down)
    reached = []
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Tab)
        reached.append(focus())
    assert reached == [tab.meeting_button, tab.paper_button, tab.pack_button]
