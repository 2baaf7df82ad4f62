"""The Monitoring tab: measures with their ratings (filtered by rating, edited through
an actual, on either scale), the action plan with overdue actions flagged, the risk
register, and the Review view's buttons for services red twice, each undone by Undo."""

import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from cypdesk.services.documents import write_demo
from cypdesk.ui.tabs.monitoring_tab import ACTIONS, MEASURES, OVERDUE_FILL, RATING_FILLS, REVIEW, RISKS

TODAY = date(2026, 3, 15)
CAMHS = "\u201cTier 3\u201d CAMH service (specialist community CAMHS)"
CAMHS_WAITS = "Children and young people seen within 18 weeks of referral (%)"


@pytest.fixture
def tab(open_window):
    monitoring = open_window("measures").tab("measures")
    monitoring.set_today(TODAY)
    return monitoring


def column(tab, name):
    return next(i for i, c in enumerate(tab.model.query.columns) if c.name == name)


def cell(tab, row, name, role=Qt.ItemDataRole.DisplayRole):
    return tab.model.index(row, column(tab, name)).data(role)


def rating_of(tab, measure_name):
    for row in range(tab.model.rowCount()):
        if cell(tab, row, "name") == measure_name:
            return cell(tab, row, "rating")
    raise AssertionError(f"{measure_name} is not in the table")


def select_measure(tab, name):
    from cypdesk.services.lookups import options

    record_id = next(i for i, title in options(tab.reader, "measures") if title == name)
    assert tab.select(record_id)
    return record_id


def choose(combo: QComboBox, value):
    combo.setCurrentIndex(combo.findData(value))


def test_measures_show_rating_words_with_the_rule_on_hover(tab):
    assert tab.model.rowCount() == 16
    assert tab.caption.text() == "16 performance measures: 4 red, 5 amber, 6 green, 1 not rated"
    row = next(r for r in range(16) if cell(tab, r, "name") == CAMHS_WAITS)
    assert cell(tab, row, "rating") == "Red"
    assert cell(tab, row, "latest_actual") == "78.2%" and cell(tab, row, "target") == "92%"
    assert cell(tab, row, "owner") == CAMHS and cell(tab, row, "latest_period") == "2025-26 Q3"
    tip = cell(tab, row, "rating", Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Red: 78.2% is below the target of 92% by more than the tolerance")
    assert "amber from 87.4% to under 92%" in tip
    assert cell(tab, row, "rating", Qt.ItemDataRole.BackgroundRole).color().name() == RATING_FILLS["red"]


def test_filter_measures_by_rating_and_kind(tab):
    choose(tab.rating_filter, "red")
    assert tab.model.rowCount() == 4
    assert {cell(tab, r, "rating") for r in range(4)} == {"Red"}
    assert tab.caption.text() == "4 performance measures match the filter: 4 red"
    choose(tab.filter_bar.combos["kind"], "better_off")
    assert [cell(tab, r, "name") for r in range(tab.model.rowCount())] == [
        "Young people in the cohort who re-offend within 12 months (%)"]
    choose(tab.rating_filter, "not_rated")
    assert tab.model.rowCount() == 0
    tab.filter_bar.clear()
    assert tab.model.rowCount() == 16
    # Sorting by the rating puts the worst first.
    tab.view.sortByColumn(column(tab, "rating"), Qt.SortOrder.AscendingOrder)
    assert [cell(tab, r, "rating") for r in range(16)][:5] == ["Red"] * 4 + ["Amber"]


def test_measure_detail_says_the_service_is_worst_of_its_measures(tab):
    select_measure(tab, CAMHS_WAITS)
    summary = tab.rating_section.summary.text()
    assert "Red" in summary and "worst of 2 measures (1 not rated)" in summary
    assert tab.actuals_table.rowCount() == 8
    assert tab.actuals_table.item(0, 0).text() == "2025-26 Q3" and tab.actuals_table.item(0, 2).text() == "Red"
    assert tab.actuals_table.item(0, 2).toolTip().startswith("Red: ")
    assert "Latest (2025-26 Q3): 78.2%, Red." in tab.chart.description.text()


def test_edit_an_actual_and_the_rating_changes_and_undo_takes_it_back(tab, dialogs):
    select_measure(tab, CAMHS_WAITS)
    seen = {}

    def ninety_five(dialog):
        seen["period"] = dialog.form.editors["period"].currentText()
        dialog.form.editors["actual"].setText("95")
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [ninety_five]
    tab.actuals_section.buttons["edit"].click()
    assert seen["period"] == "2025-26 Q3"  # the latest, when no row is chosen
    assert rating_of(tab, CAMHS_WAITS) == "Green"
    assert tab.actuals_table.item(0, 1).text() == "95%" and tab.actuals_table.item(0, 2).text() == "Green"
    assert "Green" in tab.rating_section.summary.text()
    tab.window_.undo_stack.undo()
    assert rating_of(tab, CAMHS_WAITS) == "Red"
    assert tab.actuals_table.item(0, 1).text() == "78.2%"
    tab.window_.undo_stack.redo()
    assert rating_of(tab, CAMHS_WAITS) == "Green"


def test_add_an_actual_for_the_next_period(tab, dialogs):
    """On 15 March 2026 (the tab's patched today) the next quarter, 2025-26 Q4, has not
    ended: the officer is asked (the ``dialogs`` fixture answers Save) and it is saved."""
    from PySide6.QtWidgets import QMessageBox

    select_measure(tab, CAMHS_WAITS)

    def next_quarter(dialog):
        assert dialog.form.editors["period"].currentText() == "2025-26 Q4"
        dialog.form.editors["actual"].setText("88")
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [next_quarter]
    dialogs.answers = [QMessageBox.StandardButton.Save]
    tab.actuals_section.buttons["add"].click()
    assert dialogs.seen[-1][0] == "A period that has not ended" and "2025-26 Q4 has not ended yet" in dialogs.seen[-1][1]
    assert tab.actuals_table.rowCount() == 9
    assert tab.actuals_table.item(0, 0).text() == "2025-26 Q4"
    assert rating_of(tab, CAMHS_WAITS) == "Amber"  # 88 is within 4.6 of 92
    tab.window_.undo_stack.undo()
    assert tab.actuals_table.rowCount() == 8 and rating_of(tab, CAMHS_WAITS) == "Red"


def test_switch_to_the_trajectory_scale_and_back(tab):
    choose(tab.rating_filter, "amber")
    tab.scale_switch.setCurrentIndex(tab.scale_switch.findData("trajectory"))
    assert tab.reader.execute("SELECT rating_scale FROM document").fetchone()[0] == "trajectory"
    assert tab.rating_filter.currentData() is None  # amber is not on this scale
    assert tab.model.rowCount() == 16
    assert rating_of(tab, CAMHS_WAITS) == "No progress"
    assert rating_of(tab, "Young people in the cohort who re-offend within 12 months (%)") == "Slippage"
    assert rating_of(tab, "Referrals received") == "Not assessed"
    assert tab.caption.text() == "16 performance measures: 3 no progress, 1 slippage, 11 on course, 1 not assessed"
    assert [tab.rating_filter.itemText(i) for i in range(tab.rating_filter.count())] == [
        "Any rating", "Ahead", "On course", "Slippage", "No progress", "Not assessed"]
    assert tab.window_.workspace.doc.dirty
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT rating_scale FROM document").fetchone()[0] == "rag"
    assert tab.scale_switch.currentData() == "rag"
    assert rating_of(tab, CAMHS_WAITS) == "Red"


def test_overdue_actions_are_flagged_in_words_and_colour(tab):
    tab.show_view(ACTIONS)
    page = tab.action_page
    assert page.table.rowCount() == 13
    assert tab.caption.text() == "13 actions: 3 overdue, 3 off track, 2 done"
    rows = {page.table.item(r, 0).text(): r for r in range(13)}
    due = page.HEADERS.index("Due")
    flag = page.table.item(rows["5"], due)
    assert flag.text() == "Overdue since 13/02/2026"
    assert flag.background().color().name() == OVERDUE_FILL
    assert "30 days overdue" in flag.toolTip()
    assert page.table.item(rows["1"], due).text() == "27/08/2025"  # done: not flagged
    assert page.table.item(rows["5"], page.HEADERS.index("Status")).text() == "At risk"
    page.select(page.rows[rows["5"]].id)
    assert "Overdue since 13/02/2026" in page.note.text()


def test_edit_an_action_through_the_form_and_undo(tab):
    tab.show_view(ACTIONS)
    page = tab.action_page
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == "9")
    action_id = page.rows[row].id
    assert page.select(action_id)
    choose(page.form.editors["status"], "done")
    assert page.apply_button.isEnabled()
    page.apply_button.click()
    row = page.row_of(action_id)
    assert page.table.item(row, page.HEADERS.index("Due")).text() == "05/03/2026"
    assert page.table.item(row, page.HEADERS.index("Status")).text() == "Done"
    assert page.current_id == action_id
    tab.window_.undo_stack.undo()
    row = page.row_of(action_id)
    assert page.table.item(row, page.HEADERS.index("Due")).text() == "Overdue since 05/03/2026"


def test_risk_register_is_sorted_by_score(tab):
    tab.show_view(RISKS)
    page = tab.risk_page
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == [
        "20 · Very high", "16 · Very high", "12 · High", "12 · High", "9 · Medium", "9 · Medium", "6 · Medium"]
    assert page.table.item(1, 1).text() == "▲ Rising (was 12)"
    assert page.table.item(1, page.HEADERS.index("Linked to")).text() == f"Service: {CAMHS}"
    assert tab.caption.text() == "7 risks: 2 very high, 3 rising"
    tab.filter_bar.text.setText("CAMHS")
    tab.filter_bar.apply_now()
    assert page.shown_count() == 1


def test_review_lists_services_red_twice_and_what_is_due(tab):
    tab.show_view(REVIEW)
    page = tab.review_page
    assert len(page.red_rows) == 3
    assert page.overdue_table.rowCount() == 3
    assert page.reviews_table.rowCount() == 8
    assert page.ending_table.rowCount() == 9  # 6 ending within 12 months, 3 ended and not replaced
    assert tab.caption.text().startswith("3 services red for two periods running")


def test_start_an_action_for_a_service_red_twice_and_undo(tab, dialogs):
    tab.show_view(REVIEW)
    sid = tab.reader.execute("SELECT id FROM services WHERE name = ?", (CAMHS,)).fetchone()[0]
    seen = {}

    def accept(dialog):
        seen["number"] = dialog.form.editors["number"].text()
        seen["action"] = dialog.form.editors["action"].toPlainText()
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [accept]
    action_button, _decom = tab.review_page.red_rows[sid]
    action_button.click()
    assert seen["number"] == "14" and CAMHS in seen["action"]
    assert tab.reader.execute("SELECT count(*) FROM actions").fetchone()[0] == 14
    assert tab.view_index() == ACTIONS
    new_id = tab.action_page.current_id
    assert tab.reader.execute("SELECT number FROM actions WHERE id = ?", (new_id,)).fetchone()[0] == "14"
    assert tab.action_page.table.currentRow() == tab.action_page.row_of(new_id)
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT count(*) FROM actions").fetchone()[0] == 13
    assert tab.action_page.row_of(new_id) is None


def test_start_a_decommissioning_record_shows_it_in_the_services_tab(tab, dialogs):
    tab.show_view(REVIEW)
    sid = tab.reader.execute("SELECT id FROM services WHERE name = ?",
                             ("Youth offending team services",)).fetchone()[0]

    def accept(dialog):
        assert "red for two periods running" in dialog.form.editors["rationale"].toPlainText()
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [accept]
    tab.review_page.red_rows[sid][1].click()
    window = tab.window_
    services = window.tab("services")
    assert window.current_tab() is services and services.current_id == sid
    assert "Being considered" in services.decommissioning_section.summary.text()
    window.undo_stack.undo()
    assert tab.reader.execute("SELECT count(*) FROM decommissioning WHERE service_id = ?", (sid,)).fetchone()[0] == 0


def test_toolbar_acts_on_the_view_showing(tab, dialogs, tmp_path, monkeypatch):
    tab.show_view(ACTIONS)
    assert tab.buttons["add"].isEnabled() and not tab.buttons["delete"].isEnabled()
    tab.add_record()
    page = tab.action_page
    assert page.adding and page.form.editors["number"].text() == "14"
    page.form.editors["action"].setPlainText("Publish the performance report")
    page.apply_button.click()
    assert tab.reader.execute("SELECT count(*) FROM actions").fetchone()[0] == 14
    assert page.current_id and tab.buttons["delete"].isEnabled()
    path = tmp_path / "plan.csv"
    monkeypatch.setattr(tab.window_, "choose_save_path", lambda *a: str(path))
    tab.export_table()
    from cypdesk.io.xlsx import read_csv

    rows = list(read_csv(path))
    assert rows[0][:2] == ["No.", "Action"] and len(rows) == 15
    assert any(row[-1] == "Overdue since 13/02/2026" for row in rows)
    tab.show_view(MEASURES)
    tab.export_table()
    rows = list(read_csv(path))
    assert rows[0][-2:] == ["Rating", "Rule"] and len(rows) == 17


def test_ctrl_return_applies_on_the_action_plan_too(tab):
    from PySide6.QtTest import QTest

    from cypdesk.ui.tabs.monitoring_tab import ACTIONS

    tab.window_.show()
    tab.show_view(ACTIONS)
    page = tab.action_page
    page.table.setCurrentCell(0, 0)
    action_id = page.current_id
    editor = page.form.editors["progress"]
    editor.setPlainText("Reported to the board in March.")
    page.form.changed.emit()
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    from cypdesk.services import records

    assert records.get(tab.ws, "actions", action_id)["progress"] == "Reported to the board in March."
