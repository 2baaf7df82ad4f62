"""The Pooled budgets tab on the demo (made for 15 March 2026): the s75 agreement's
warnings, a missing quarter shown as missing, a return added through the dialog with its
variance split (and undone), contribution shares adding up to 100%, the aligned budget
labelled as such, services in scope leading to the Services tab, and the agreement's own
fields edited and undone."""

import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cypdesk.services.documents import write_demo

TODAY = date(2026, 3, 15)
S75 = "Section 75 pooled fund"
ALIGNED = "Aligned budget: early help and family support"


@pytest.fixture
def tab(open_window):
    budgets = open_window("agreements").tab("agreements")
    budgets.today = TODAY
    return budgets


def select(tab, prefix):
    from cypdesk.services.lookups import options

    record_id = next(i for i, title in options(tab.reader, "agreements") if title.startswith(prefix))
    assert tab.select(record_id)
    assert tab.current_id == record_id
    return record_id


def cell(table, row, col):
    item = table.item(row, col)
    return item.text() if item is not None else ""


def test_the_s75_agreement_warns_it_is_past_its_review_date(tab):
    select(tab, S75)
    assert tab.type_banner.text().startswith("<b>Formal pooled budget</b>")
    assert tab.warnings_frame.isVisibleTo(tab)
    warnings = tab.warnings_label.text()
    assert "Review was due on 03/02/2026" in warnings
    assert "No return for 2025-26 Q2" in warnings


def test_a_missing_quarter_is_shown_as_missing_not_zero(tab):
    select(tab, S75)
    assert tab.year_combo.currentText() == "2025-26"
    returns = tab.returns_table
    assert cell(returns, 1, 0) == "Q2"
    assert cell(returns, 1, 1) == "Missing — no return"
    assert returns.columnSpan(1, 1) == 4  # one message across the figures, no zeros
    assert cell(returns, 3, 1).startswith("Not due yet")
    assert cell(tab.shares_table, 0, 2) == "Missing"
    assert "Q2 has no return" in tab.year_note.text()
    tab.pages.setCurrentIndex(2)
    assert "Q2: missing (no return)" in tab.chart.description.text()
    # another year: every quarter has a return
    tab.year_combo.setCurrentIndex(tab.year_combo.findText("2024-25"))
    assert tab.data["year"] == 2024
    assert all(not cell(returns, r, 1).startswith("Missing") for r in range(4))


def test_add_a_return_through_the_dialog_and_see_the_split(tab, dialogs):
    select(tab, S75)
    tab.returns_table.setCurrentCell(1, 0)  # the missing Q2
    seen = {}

    def fill(dialog):
        form = dialog.form
        year, quarter = form.editors["financial_year"], form.editors["quarter"]  # chosen from lists
        assert year.currentText() == "2025-26" and quarter.currentText() == "Q2 (Jul-Sep)"
        assert form.editors["budget"].text() == "£5,895,000"
        quarter.setCurrentIndex(quarter.findData(3))  # Q3 has a return: refused, the dialog stays open
        form.editors["spend_to_date"].setText("£3,000,000")
        form.editors["forecast_outturn"].setText("£6,012,900")
        dialog.try_accept()
        seen["refused"] = form.errors["quarter"].text()
        assert dialog.result() == 0
        quarter.setCurrentIndex(quarter.findData(2))
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [fill]
    tab.returns_section.buttons["add"].click()
    assert "already a return for 2025-26 Q3" in seen["refused"]
    returns, shares = tab.returns_table, tab.shares_table
    assert cell(returns, 1, 3) == "£6,012,900"
    assert cell(returns, 1, 4) == "£117,900 overspend (2.0%)"
    # £117,900 over, in proportion to cash: ICB 3,617,000 / 5,895,000, council 2,278,000 / 5,895,000
    # 117,900 x 3,617 / 5,895 = 72,340.00 and 117,900 x 2,278 / 5,895 = 45,560.00
    assert [cell(shares, r, 0) for r in range(3)] == [
        "NHS Riverside and Vale Integrated Care Board", "Riverside County Council (host)", "Variance"]
    assert cell(shares, 0, 2) == "£72,340.00 over"
    assert cell(shares, 1, 2) == "£45,560.00 over"
    assert "No return for 2025-26 Q2" not in tab.warnings_label.text()
    assert tab.window_.undo_stack.undoText() == "Add monitoring return 2025-26 Q2"

    tab.window_.action_undo.trigger()
    assert cell(tab.returns_table, 1, 1) == "Missing — no return"
    assert cell(tab.shares_table, 0, 2) == "Missing"
    tab.window_.action_redo.trigger()
    assert cell(tab.returns_table, 1, 4) == "£117,900 overspend (2.0%)"


def test_an_underspend_is_shared_by_the_agreed_percentages(tab):
    select(tab, S75)
    tab.year_combo.setCurrentIndex(tab.year_combo.findText("2024-25"))
    year = tab.data["returns"]
    q4 = year[4]
    assert q4.word == "underspend"
    # the s75 shares underspends 40% council, 60% ICB
    icb = -round(-q4.variance * 0.6, 2)
    assert cell(tab.shares_table, 0, 4) == f"£{abs(icb):,.2f} under"
    assert "underspends are shared by the agreed percentages" in tab.sharing_label.text()


def test_contribution_shares_add_up_to_100(tab):
    select(tab, S75)
    table = tab.contributions_table
    totals = [r for r in range(table.rowCount()) if cell(table, r, 1) == "Total for the year"]
    assert len(totals) == 3
    for r in totals:
        assert cell(table, r, 6) == "100.0%" and cell(table, r, 7) == "100.0%"
    by_year: dict[str, float] = {}
    for r in range(table.rowCount()):
        if r not in totals:
            by_year[cell(table, r, 0)] = by_year.get(cell(table, r, 0), 0) + float(cell(table, r, 6).rstrip("%"))
    assert all(round(v, 6) == 100.0 for v in by_year.values())
    assert cell(table, 0, 0) == "2025-26"  # the latest year first


def test_add_a_contribution_and_undo_it(tab, dialogs):
    select(tab, ALIGNED)
    police = tab.reader.execute("SELECT id FROM organisations WHERE kind = 'police'").fetchone()[0]
    rows = tab.contributions_table.rowCount()

    def fill(dialog):
        form = dialog.form
        combo = form.editors["organisation_id"]
        combo.setCurrentIndex(combo.findData(police))  # the police already contribute in 2025-26: refused
        form.editors["cash"].setText("£5,000")
        dialog.try_accept()
        assert dialog.result() == 0
        assert form.errors["organisation_id"].text() == "Already has a contribution for 2025-26: edit that one instead"
        year = form.editors["financial_year"]
        year.setCurrentIndex(year.findText("2026-27"))
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [fill]
    tab.contributions_section.buttons["add"].click()
    table = tab.contributions_table
    assert cell(table, 0, 0) == "2026-27" and cell(table, tab.contributions_table.rowCount() - 1, 0) == "2023-24"
    assert table.rowCount() > rows
    tab.window_.action_undo.trigger()
    assert tab.contributions_table.rowCount() == rows


def test_the_aligned_budget_says_it_is_aligned(tab):
    select(tab, ALIGNED)
    assert tab.type_banner.text().startswith("<b>Aligned budget</b>")
    assert "not pooled" in tab.type_banner.text() and "no shared risk" in tab.type_banner.text()
    assert "stays in its own budget" in tab.sharing_label.text()
    assert not tab.shares_table.isVisibleTo(tab)
    assert "aligned budget" in tab.shares_section.title()
    assert not tab.warnings_frame.isVisibleTo(tab)  # review due in October: nothing to warn about
    type_column = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())].index("Type")
    row = tab.view.currentIndex().row()
    assert tab.model.index(row, type_column).data() == "Aligned budget"


def test_a_service_in_scope_opens_in_the_services_tab(tab, qtbot):
    select(tab, S75)
    tab.pages.setCurrentIndex(3)
    table = tab.scope_table
    assert table.rowCount() == 7
    service_id = table.item(2, 0).data(Qt.ItemDataRole.UserRole)
    centre = table.visualItemRect(table.item(2, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    window = tab.window_
    assert window.tabs.currentIndex() == 1
    assert window.tab("services").current_id == service_id


def test_edit_the_agreement_and_undo(tab, dialogs):
    aid = select(tab, S75)
    tab.pages.setCurrentIndex(0)
    tab.form.editors["review_date"].setText("31/03/2027")
    tab.apply()
    assert tab.current_id == aid
    assert "Review was due" not in tab.warnings_label.text()
    tab.window_.action_undo.trigger()
    assert "Review was due on 03/02/2026" in tab.warnings_label.text()

    dialogs.answers = [QMessageBox.StandardButton.Yes]
    count = tab.model.rowCount()
    tab.delete_record()
    assert tab.model.rowCount() == count - 1
    tab.window_.action_undo.trigger()
    assert tab.model.rowCount() == count
    select(tab, S75)
    assert cell(tab.returns_table, 0, 1) == "£5,895,000"


def test_duplicate_an_agreement_and_undo(tab):
    select(tab, ALIGNED)
    count = tab.model.rowCount()
    tab.duplicate_record()
    assert tab.detail_title.text() == ALIGNED + " (copy)"
    assert tab.scope_table.rowCount() == 6 and tab.contributions_table.rowCount() == 0
    assert tab.window_.undo_stack.undoText() == f"Add {ALIGNED} (copy)"
    tab.window_.action_undo.trigger()
    assert tab.model.rowCount() == count


def test_a_quarter_within_the_grace_after_it_ended_is_due_not_missing(open_window):
    """On 15/10/2025, 15 days after Q2 ended (the default grace is 30 days), the s75's
    Q2 return is due: said so with its date, shared as "Due", and not warned about."""
    budgets = open_window("agreements").tab("agreements")
    budgets.today = date(2025, 10, 15)
    select(budgets, S75)
    assert cell(budgets.returns_table, 1, 1) == "Due — the return is due by 30/10/2025"
    assert cell(budgets.shares_table, 0, 2) == "Due"
    assert "No return for 2025-26 Q2" not in budgets.warnings_label.text()
    budgets.pages.setCurrentIndex(2)
    assert "Q2: return due" in budgets.chart.description.text()
