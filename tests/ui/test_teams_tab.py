"""The Teams tab as an officer uses it: the joint commissioning unit and its sub-groups
as a tree by whom they report to, a team's members (added in a dialog, removed after a
confirmation, both undone with Edit > Undo), the services it owns in UK money, and the
warning that a commissioning sector has nobody at the table."""

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QMessageBox

from cypdesk.services.documents import write_demo

JCU = "Riverside Joint Commissioning Unit"
YJP = "Youth justice partnership"
CAMHS = "Emotional wellbeing and mental health (CAMHS) commissioning group"
SCHOOLS = "Riverside Learning Partnership (multi-academy trust)"


@pytest.fixture
def window(open_window):
    return open_window()


@pytest.fixture
def tab(window):
    return window.show_tab("teams")


def item_named(tab, name):
    found = tab.tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
    assert found, f"{name!r} is not in the tree"
    return found[0]


def click_team(qtbot, tab, name):
    item = item_named(tab, name)
    tab.tree.scrollToItem(item)
    rect = tab.tree.visualItemRect(item)
    qtbot.mouseClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.detail_title.text() == name
    return item


def warnings(tab):
    return [label.text() for label in tab.warnings_section.findChildren(QLabel, "teams_warning")
            if not label.isHidden()]


def calm(tab):
    return [label.text() for label in tab.warnings_section.findChildren(QLabel, "teams_no_warning")
            if not label.isHidden()]


def column(table, col):
    return [table.item(r, col).text() for r in range(table.rowCount())]


def select_member(qtbot, tab, person):
    row = column(tab.members_table, 1).index(person)
    rect = tab.members_table.visualRect(tab.members_table.model().index(row, 1))
    qtbot.mouseClick(tab.members_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_unit_is_at_the_top_with_its_sub_groups_below(tab):
    tree = tab.tree
    assert tree.objectName() == "teams_tree"
    assert tree.accessibleName() == "Teams by whom they report to"
    assert [tree.headerItem().text(c) for c in range(tree.columnCount())] == ["Team", "Kind", "Focus", "Stage", "Lead"]
    assert tree.topLevelItemCount() == 1
    top = tree.topLevelItem(0)
    assert top.text(0) == JCU and top.text(1) == "Joint commissioning unit" and top.text(3) == "In place"
    assert top.isExpanded()
    children = [top.child(i) for i in range(top.childCount())]
    assert len(children) == 6
    assert {YJP, CAMHS, "Early help North locality commissioning group"} <= {c.text(0) for c in children}
    north = item_named(tab, "Early help North locality commissioning group")
    assert north.text(1) == "Sub-group"
    assert north.text(2) == "Locality: North Riverside"
    assert north.text(3) == "Under development"
    assert item_named(tab, "0-5 years and children's centres group").text(3) == "To be developed"
    assert item_named(tab, "0-5 years and children's centres group").text(4) == "No lead named"
    # the flat table is still there underneath (filter, count, export), hidden behind the tree
    assert tab.view.isHidden() and tab.model.rowCount() == 7
    assert tab.caption.text() == "7 commissioning teams"
    # the unit is selected when the tab is first shown, and an empty "reports to" reads as the board
    assert tab.detail_title.text() == JCU
    assert tab.form.editors["reports_to_id"].currentText() == "The board (no team above)"


def test_youth_justice_partnership_warns_that_nobody_represents_education(tab, qtbot):
    click_team(qtbot, tab, YJP)
    assert tab.current_id == item_named(tab, YJP).data(0, Qt.ItemDataRole.UserRole + 1)
    shown = warnings(tab)
    assert len(shown) == 1 and shown[0].startswith("No member represents education, which commissions ")
    assert calm(tab) == []
    assert "Warning" in tab.warnings_section.title() or "(1)" in tab.warnings_section.title()
    click_team(qtbot, tab, CAMHS)
    assert warnings(tab) == []
    assert calm(tab) == ["Every commissioning sector has a member."]


def test_adding_an_education_member_clears_the_warning_and_undo_brings_it_back(window, tab, qtbot, dialogs):
    click_team(qtbot, tab, YJP)
    before = tab.members_table.rowCount()
    seen = {}

    def fill_in(dialog):
        assert dialog.windowTitle() == "Add a member"
        for widget in (dialog.organisation, dialog.person, dialog.role, dialog.represents):
            assert widget.accessibleName()
        everyone = dialog.person.count()
        dialog.organisation.setCurrentIndex(dialog.organisation.findText(SCHOOLS))
        seen["people"] = [dialog.person.itemText(i) for i in range(dialog.person.count())]
        assert dialog.person.count() < everyone  # only that organisation's people
        dialog.person.setCurrentIndex(dialog.person.findText("Aoife Ní Bhriain"))
        qtbot.keyClicks(dialog.role, "Education representative")
        dialog.represents.setCurrentIndex(dialog.represents.findText("Education"))
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    dialogs.drivers = [fill_in]
    qtbot.mouseClick(tab.add_member_button, Qt.MouseButton.LeftButton)
    assert seen["people"] == ["", "Aoife Ní Bhriain"]
    assert tab.members_table.rowCount() == before + 1
    assert "Aoife Ní Bhriain" in column(tab.members_table, 1)
    assert warnings(tab) == [] and calm(tab) == ["Every commissioning sector has a member."]
    assert window.undo_stack.undoText().startswith("Add Aoife Ní Bhriain")
    assert "*" in window.windowTitle()

    window.action_undo.trigger()
    assert tab.detail_title.text() == YJP  # the team stays selected through undo
    assert tab.members_table.rowCount() == before
    assert any("education" in w for w in warnings(tab))
    window.action_redo.trigger()
    assert tab.members_table.rowCount() == before + 1
    assert warnings(tab) == []


def test_a_refused_member_stays_in_the_dialog_with_the_reason(tab, qtbot, dialogs):
    click_team(qtbot, tab, YJP)
    problems = []

    def empty_then_cancel(dialog):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        problems.append(dialog.error.text())
        assert not dialog.error.isHidden() and dialog.result() != QDialog.DialogCode.Accepted
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
        return False

    dialogs.drivers = [empty_then_cancel]
    before = tab.members_table.rowCount()
    qtbot.mouseClick(tab.add_member_button, Qt.MouseButton.LeftButton)
    assert "organisation or a person" in problems[0]
    assert tab.members_table.rowCount() == before
    assert tab.window_.undo_stack.count() == 0


def test_removing_a_member_asks_first_and_undo_restores_them(window, tab, qtbot, dialogs):
    click_team(qtbot, tab, YJP)
    before = column(tab.members_table, 1)
    assert not tab.remove_member_button.isEnabled()  # nothing chosen yet
    select_member(qtbot, tab, "Chloé Dubois-Hart")
    assert tab.remove_member_button.isEnabled()

    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    qtbot.mouseClick(tab.remove_member_button, Qt.MouseButton.LeftButton)
    title, text = dialogs.seen[-1]
    assert title == "Remove member"
    assert "Chloé Dubois-Hart" in text and "Health commissioner" in text and YJP in text and "Undo" in text
    assert column(tab.members_table, 1) == before

    dialogs.answers = [QMessageBox.StandardButton.Yes]
    qtbot.mouseClick(tab.remove_member_button, Qt.MouseButton.LeftButton)
    assert "Chloé Dubois-Hart" not in column(tab.members_table, 1)
    assert len(column(tab.members_table, 1)) == len(before) - 1

    window.action_undo.trigger()
    assert column(tab.members_table, 1) == before
    row = before.index("Chloé Dubois-Hart")
    assert column(tab.members_table, 2)[row] == "Health commissioner"
    assert column(tab.members_table, 3)[row] == "Health"
    window.action_redo.trigger()
    assert "Chloé Dubois-Hart" not in column(tab.members_table, 1)


def test_the_filter_hides_teams_that_do_not_match(tab, qtbot):
    qtbot.keyClicks(tab.filter_bar.text, "youth")
    tab.filter_bar.apply_now()
    # the unit stays, so the partnership is shown where it reports
    assert tab.visible_team_names() == [JCU, YJP]
    assert item_named(tab, CAMHS).isHidden()
    assert tab.caption.text() == "1 commissioning team matches the filter"  # agreement of number
    click_team(qtbot, tab, YJP)

    tab.filter_bar.clear()
    assert tab.detail_title.text() == YJP  # still shown: the selection outlives a filter that keeps it
    stage = tab.filter_bar.combos["stage"]
    stage.setCurrentIndex(stage.findText("Under development"))
    assert tab.visible_team_names() == [JCU, "Early help North locality commissioning group"]
    assert tab.current_id is None and not tab.buttons["delete"].isEnabled()  # hidden: it leaves the editor

    tab.filter_bar.clear()
    assert len(tab.visible_team_names()) == 7


def test_services_owned_are_listed_in_uk_money_and_open_in_the_services_tab(window, tab, qtbot):
    click_team(qtbot, tab, CAMHS)
    table = tab.services_table
    assert table.accessibleName() == "Services the team owns"
    names = column(table, 0)
    assert len(names) == 5 and "CAMHS eating disorders service" in names
    costs = dict(zip(names, column(table, 2)))
    assert costs["CAMHS eating disorders service"] == "£780,000"
    assert costs["“Tier 3” CAMH service (specialist community CAMHS)"] == "£2,850,000"
    assert "5 services, £5,580,000 a year in all" in tab.services_section.summary.text()
    assert set(column(table, 1)) <= {"Health", "Education", "Social care", "Youth justice", "Housing", "Other", ""}

    row = names.index("CAMHS eating disorders service")
    service_id = table.item(row, 0).data(Qt.ItemDataRole.UserRole + 1)
    rect = table.visualRect(table.model().index(row, 0))
    # a real double-click starts with a press (QTest's double-click alone is taken as one)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    services = window.tab("services")
    assert window.current_tab() is services
    assert services.current_id == service_id
    assert services.detail_title.text() == "CAMHS eating disorders service"


def test_a_team_in_a_reporting_loop_is_shown_with_the_problem_in_words(window, tab, qtbot):
    click_team(qtbot, tab, JCU)
    combo = tab.form.editors["reports_to_id"]
    combo.setCurrentIndex(combo.findText(YJP))  # the unit now reports to its own sub-group
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    texts = [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())]
    looped = [t for t in texts if "problem" in t]
    assert looped and all("reporting loop" in t for t in looped)
    assert len(tab.visible_team_names()) == 7  # nobody is lost
    assert tab.detail_title.text() == JCU and tab.tree.currentItem().text(0).startswith(JCU)
    window.action_undo.trigger()
    assert [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())] == [JCU]


def test_the_tree_keeps_what_was_open_and_selected_after_a_change(window, tab, qtbot, dialogs):
    click_team(qtbot, tab, YJP)
    top = tab.tree.topLevelItem(0)
    top.setExpanded(False)
    select_member(qtbot, tab, "Chloé Dubois-Hart")
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    qtbot.mouseClick(tab.remove_member_button, Qt.MouseButton.LeftButton)
    assert not tab.tree.topLevelItem(0).isExpanded()  # rebuilt, still closed
    assert tab.current_id is not None and tab.detail_title.text() == YJP
    top = tab.tree.topLevelItem(0)
    top.setExpanded(True)
    assert tab.tree.currentItem().text(0) == YJP


def test_keyboard_tab_reaches_the_tree_arrows_move_and_enter_goes_to_the_form(window, tab, qtbot):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    tab.filter_bar.text.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(tab.filter_bar.text, Qt.Key.Key_Tab)  # one Tab from Find
    assert QApplication.focusWidget() is tab.tree
    assert tab.detail_title.text() == JCU
    qtbot.keyClick(tab.tree, Qt.Key.Key_Down)
    first_child = tab.tree.topLevelItem(0).child(0).text(0)
    assert tab.detail_title.text() == first_child
    qtbot.keyClick(tab.tree, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is tab.form.editors["name"]
    assert tab.form.editors["name"].text() == first_child


def test_every_control_of_the_teams_tab_has_an_accessible_name(window, tab, qtbot, dialogs):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView, QTreeView

    click_team(qtbot, tab, YJP)
    missing = []

    def check(root):
        for cls in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView, QTreeView):
            for widget in root.findChildren(cls):
                if isinstance(widget.parent(), (QComboBox, QLineEdit, QTableView, QTreeView)):
                    continue  # Qt's own parts of a control (a clear button, a table's corner button)
                if widget.objectName().startswith("qt_"):
                    continue
                if not widget.accessibleName():
                    missing.append(f"{type(widget).__name__} {widget.objectName()!r} {getattr(widget, 'text', lambda: '')()!r}")

    check(tab)

    def look(dialog):
        check(dialog)
        return False

    dialogs.drivers = [look]
    qtbot.mouseClick(tab.add_member_button, Qt.MouseButton.LeftButton)
    assert missing == [], missing
