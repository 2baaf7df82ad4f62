"""Issue 8, items 5, 6 and 8, as the officer meets them in the window on the demo:
a service's unit cost follows its annual cost (said in words under the field) unless
set by hand, with a warning when the funding no longer adds up; an end before its
start refused under the End field; a period that has not ended asked about; quarters
and years chosen from lists; and compact record dialogs with one accurate message a
field. Message boxes are answered by the ``dialogs`` fixture (conftest)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox

TODAY = date(2026, 3, 15)  # the demo's day; the tabs' own "today" is patched to it below
S75 = "Section 75 pooled fund"
NEET = "16-17 year olds NEET or whose activity is not known (%)"


def click_row(qtbot, tab, record_id):
    """Click the record's row in the register, as the officer does."""
    row = tab.model.query.position_of(record_id)
    assert row is not None
    index = tab.model.index(row, 0)
    tab.view.scrollTo(index)
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=tab.view.visualRect(index).center())
    assert tab.current_id == record_id


def retype(qtbot, editor, text):
    """Select what a field holds and type over it."""
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def a_service_paid_in_full_by_its_funding(tab):
    """A service with a per-child unit cost worked out, whose funding lines total its cost."""
    return tab.reader.execute(
        "SELECT s.id FROM services s JOIN service_funding f ON f.service_id = s.id "
        "WHERE s.unit_cost_basis = 'per_child' AND s.unit_cost_by_hand = 0 AND s.capacity > 0 "
        "GROUP BY s.id HAVING abs(sum(f.amount) - s.annual_cost) < 0.5 ORDER BY s.name LIMIT 1").fetchone()[0]


# --- item 5: figures in step -----------------------------------------------------------------

def test_a_new_annual_cost_works_out_the_unit_cost_warns_about_funding_and_undo_takes_it_back(open_window, qtbot):
    window = open_window("services")
    tab = window.tab("services")
    sid = a_service_paid_in_full_by_its_funding(tab)
    click_row(qtbot, tab, sid)
    form = tab.form
    capacity = int(form.editors["capacity"].text())
    old_unit = form.editors["unit_cost"].text()
    note = tab.form.notes["unit_cost"]
    assert note.text().startswith("Worked out: ") and tab.figures_warning.isHidden()

    retype(qtbot, form.editors["annual_cost"], "£500,000")
    worked = round(500_000 / capacity, 2)
    from cypdesk.common.formats import money

    words = money(worked, pence=not float(worked).is_integer())
    assert note.text() == f"When applied: worked out: {words} a child (annual cost ÷ capacity)."
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)

    assert form.editors["unit_cost"].text() == words
    assert note.text() == f"Worked out: {words} a child (annual cost ÷ capacity)."
    assert not tab.figures_warning.isHidden()
    assert "The funding lines total" in tab.figures_warning.text()
    assert "short of the annual cost of £500,000" in tab.figures_warning.text()

    window.action_undo.trigger()  # one step takes back the cost and the unit cost worked from it
    assert form.editors["unit_cost"].text() == old_unit and tab.figures_warning.isHidden()


def test_a_unit_cost_typed_by_hand_is_said_so_and_stays_when_the_cost_changes(open_window, qtbot):
    window = open_window("services")
    tab = window.tab("services")
    sid = a_service_paid_in_full_by_its_funding(tab)
    click_row(qtbot, tab, sid)
    form = tab.form
    retype(qtbot, form.editors["unit_cost"], "£999")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert form.editors["unit_cost_by_hand"].isChecked()
    assert tab.form.notes["unit_cost"].text().startswith("Set by hand. Worked out would be ")

    retype(qtbot, form.editors["annual_cost"], "£1,000,000")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert form.editors["unit_cost"].text() == "£999"

    form.editors["unit_cost_by_hand"].setFocus()
    qtbot.keyClick(form.editors["unit_cost_by_hand"], Qt.Key.Key_Space)  # untick: work it out again
    assert not form.editors["unit_cost_by_hand"].isChecked()
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    capacity = int(form.editors["capacity"].text())
    assert form.editors["unit_cost"].text() != "£999"
    assert tab.form.notes["unit_cost"].text().startswith("Worked out: ")
    assert tab.reader.execute("SELECT unit_cost FROM services WHERE id = ?", (sid,)).fetchone()[0] == round(
        1_000_000 / capacity, 2)


# --- item 6: dates that cannot be right ---------------------------------------------------------

def test_an_agreement_ending_before_it_starts_is_refused_under_the_end_field(open_window, qtbot):
    window = open_window("agreements")
    tab = window.tab("agreements")
    from cypdesk.services.lookups import options

    aid = next(i for i, t in options(tab.reader, "agreements") if t.startswith(S75))
    click_row(qtbot, tab, aid)
    stored = tab.reader.execute("SELECT start_date, end_date FROM agreements WHERE id = ?", (aid,)).fetchone()
    form = tab.form
    retype(qtbot, form.editors["start_date"], "01/04/2024")
    retype(qtbot, form.editors["end_date"], "01/01/2020")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert form.errors["end_date"].text() == "End (01/01/2020) is before start (01/04/2024)"
    assert not form.errors["end_date"].isHidden()
    assert tab.reader.execute("SELECT start_date, end_date FROM agreements WHERE id = ?", (aid,)).fetchone() == stored


def test_a_contract_ending_before_it_starts_is_refused_in_its_dialog(open_window, qtbot, dialogs):
    tab = open_window("services").tab("services")
    sid = a_service_paid_in_full_by_its_funding(tab)
    click_row(qtbot, tab, sid)
    count = len(tab.detail["contracts"])
    seen = {}

    def end_before_start(dialog):
        retype(qtbot, dialog.form.editors["start_date"], "01/04/2024")
        retype(qtbot, dialog.form.editors["end_date"], "01/01/2020")
        dialog.try_accept()
        seen["message"] = dialog.form.errors["end_date"].text()
        return dialog.result() == 1

    dialogs.drivers = [end_before_start]
    tab.contracts_section.buttons["add"].click()
    assert seen["message"] == "End (01/01/2020) is before start (01/04/2024)"
    assert len(tab.detail["contracts"]) == count


@pytest.fixture
def monitoring(open_window):
    tab = open_window("measures").tab("measures")
    tab.set_today(TODAY)  # the demo's day: 2025-26 Q4 has not ended on it
    return tab


def test_an_actual_for_a_quarter_not_yet_ended_is_asked_about_and_cancel_saves_nothing(monitoring, qtbot, dialogs):
    from cypdesk.services.lookups import options

    mid = next(i for i, t in options(monitoring.reader, "measures") if t == NEET)
    click_row(qtbot, monitoring, mid)
    before = monitoring.reader.execute("SELECT count(*) FROM measurements WHERE measure_id = ?", (mid,)).fetchone()[0]
    seen = {}

    def future_then_cancel(dialog):
        period = dialog.form.editors["period"]
        assert isinstance(period, QComboBox)  # chosen from a list of the measure's periods
        period.setCurrentIndex(period.findText("2026-27 Q1"))
        retype(qtbot, dialog.form.editors["actual"], "7.5")
        dialog.try_accept()  # asked; the officer answers Cancel and stays in the dialog
        seen["open"] = dialog.result() != 1
        return False

    dialogs.drivers = [future_then_cancel]
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    monitoring.actuals_section.buttons["add"].click()
    title, text = dialogs.seen[-1]
    assert title == "A period that has not ended"
    assert text.startswith("2026-27 Q1 has not ended yet (it ends on 30/06/2026)")
    assert seen["open"]
    assert monitoring.reader.execute("SELECT count(*) FROM measurements WHERE measure_id = ?",
                                     (mid,)).fetchone()[0] == before


# --- item 8: compact dialogs, one accurate message a field --------------------------------------

@pytest.fixture
def budgets(open_window):
    tab = open_window("agreements").tab("agreements")
    tab.today = TODAY
    return tab


def test_the_add_a_return_dialog_is_compact_chooses_quarters_from_a_list_and_says_abc_is_not_money(
        budgets, qtbot, dialogs):
    from cypdesk.services.lookups import options

    aid = next(i for i, t in options(budgets.reader, "agreements") if t.startswith(S75))
    click_row(qtbot, budgets, aid)
    seen = {}

    def abc(dialog):
        dialog.show()
        qtbot.waitExposed(dialog)
        form = dialog.form
        quarter, year = form.editors["quarter"], form.editors["financial_year"]
        assert isinstance(quarter, QComboBox) and isinstance(year, QComboBox)
        seen["quarters"] = [quarter.itemText(i) for i in range(quarter.count())]
        seen["title"] = dialog.windowTitle()
        seen["subject"] = dialog.intro.text()
        seen["height"] = dialog.height()
        retype(qtbot, form.editors["spend_to_date"], "abc")
        retype(qtbot, form.editors["forecast_outturn"], "£6,000,000")
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # OK
        seen["spend"] = form.errors["spend_to_date"].text()
        seen["shown"] = [name for name, label in form.errors.items() if not label.isHidden()]
        seen["bottom"] = dialog.error.isHidden()
        # each label sits level with its field: not floated apart by spare height
        seen["apart"] = [name for name, editor in form.editors.items()
                         if abs(form.layout_.labelForField(editor.parentWidget()).geometry().top()
                                - editor.parentWidget().geometry().top()) > 8]
        dialog.reject()
        return False

    dialogs.drivers = [abc]
    budgets.returns_section.buttons["add"].click()
    assert seen["quarters"] == ["Q1 (Apr-Jun)", "Q2 (Jul-Sep)", "Q3 (Oct-Dec)", "Q4 (Jan-Mar)"]
    assert seen["title"] == "Add a monitoring return" and seen["subject"].startswith(S75)
    assert seen["spend"].startswith('Spend to date: "abc" is not an amount of money')
    assert seen["shown"] == ["spend_to_date"] and seen["bottom"]  # one message, under its field
    assert seen["apart"] == [] and seen["height"] < 480


def test_the_add_an_actual_dialog_is_compact_and_says_abc_is_not_a_number(monitoring, qtbot, dialogs):
    from cypdesk.services.lookups import options

    mid = next(i for i, t in options(monitoring.reader, "measures") if t == NEET)
    click_row(qtbot, monitoring, mid)
    seen = {}

    def abc(dialog):
        dialog.show()
        qtbot.waitExposed(dialog)
        retype(qtbot, dialog.form.editors["actual"], "abc")
        dialog.try_accept()
        seen["actual"] = dialog.form.errors["actual"].text()
        seen["height"], seen["title"], seen["subject"] = dialog.height(), dialog.windowTitle(), dialog.intro.text()
        seen["commentary"] = dialog.form.editors["commentary"].height()
        return False

    dialogs.drivers = [abc]
    monitoring.actuals_section.buttons["add"].click()
    assert seen["actual"] == "Actual: 'abc' is not a number"
    assert seen["title"] == "Add an actual" and seen["subject"] == NEET
    assert seen["height"] < 320 and seen["commentary"] <= 110


def test_a_stored_period_outside_the_list_stays_chosen_and_unchanged(qtbot):
    """Editing an old actual: its period (2015-16 Q1, long before the list offered
    around today) stays chosen by its label, and nothing counts as changed."""
    from cypdesk.ui.widgets.record_form import RecordForm, recent_periods

    form = RecordForm("measurements", ["period", "actual"])
    qtbot.addWidget(form)
    form.load({"period": "FQ2015-1", "actual": 4.0})
    form.set_periods("period", recent_periods("financial_quarter", TODAY))
    period = form.editors["period"]
    assert period.currentText() == "2015-16 Q1" and period.itemText(0) == "2026-27 Q2"
    assert form.raw_values()["period"] == "FQ2015-1" and form.changed_values() == {}
    period.setCurrentIndex(period.findText("2025-26 Q3"))
    assert form.changed_values() == {"period": "FQ2025-3"}


def test_a_year_or_quarter_not_given_is_left_unchosen_not_guessed(qtbot):
    """A new return with no quarter: the lists show nothing chosen (not the first
    year or Q1), so saving says they are required."""
    from cypdesk.ui.widgets.record_form import RecordForm

    form = RecordForm("returns", ["financial_year", "quarter", "spend_to_date"])
    qtbot.addWidget(form)
    form.load({})
    assert form.editors["financial_year"].currentIndex() == -1 and form.editors["quarter"].currentIndex() == -1
    assert form.raw_values()["financial_year"] is None and form.raw_values()["quarter"] is None
