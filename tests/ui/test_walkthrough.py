"""The officer's everyday tasks of issue 8, end to end in one window at a council
laptop's 1280x800, on the demo (made for 15 March 2026): change a service's cost from
the keyboard (a bad value first), see it applied and undo it; find the gaps in the
service and outcome map; add the missing budget return ("abc" first); enter an actual
for a measure; save, and find it all in the file. Message boxes and record dialogs are
answered through the ``dialogs`` fixture (which also runs long work inline, on the
test's thread); keys are pressed with QTest where the focus is."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cypdesk.services.lookups import options, values_of

TODAY = date(2026, 3, 15)
S75 = "Section 75 pooled fund"
CAMHS_WAITS = "Children and young people seen within 18 weeks of referral (%)"


def focus():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focus(), key, modifier)


def test_an_officers_morning_in_one_window(open_window, qtbot, dialogs):
    window = open_window("services")
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # 1. Change a service's cost, keyboard only: a bad value first, then a good one; undo.
    services = window.current_tab()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    name = services.model.index(0, 0).data()
    qtbot.keyClicks(focus(), name[:15])
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is services.view
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Return)
    sid = services.current_id
    before = values_of(window.reader, "services", sid)["annual_cost"]
    cost = services.form.editors["annual_cost"]
    while focus() is not cost:  # Tab through the fields to the cost, as the officer does
        press(qtbot, Qt.Key.Key_Tab)
    cost.selectAll()
    qtbot.keyClicks(cost, "lots")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "not an amount of money" in services.form.errors["annual_cost"].text()
    assert values_of(window.reader, "services", sid)["annual_cost"] == before
    assert "*" in window.windowTitle()  # the typing is kept, and shown as not saved
    cost.selectAll()
    qtbot.keyClicks(cost, "£250,000")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, "services", sid)["annual_cost"] == 250000
    assert not services.form.errors["annual_cost"].text()
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert values_of(window.reader, "services", sid)["annual_cost"] == before
    assert "*" not in window.windowTitle()  # undone back to the file as saved

    # 2. Find the gaps: outcomes no service contributes to.
    services.filter_bar.clear()  # Clear: the map follows the register's filter
    services.views_tabs.setCurrentIndex(1)
    gaps = services.map_view.gap_table.model()
    gap_rows = [" ".join(str(gaps.index(r, c).data()) for c in range(gaps.columnCount()))
                for r in range(gaps.rowCount())]
    assert any("No service" in row for row in gap_rows), gap_rows
    services.views_tabs.setCurrentIndex(0)

    # 3. Add the missing quarter's return to the section 75 pooled fund: "abc" first.
    budgets = window.show_tab("agreements")
    budgets.today = TODAY
    aid = next(i for i, t in options(budgets.reader, "agreements") if t.startswith(S75))
    assert budgets.select(aid)
    assert "No return for 2025-26 Q2" in budgets.warnings_label.text()
    budgets.returns_table.setCurrentCell(1, 0)  # the missing Q2
    seen = {}

    def fill_return(dialog):
        form = dialog.form
        assert form.editors["quarter"].currentText() == "Q2 (Jul-Sep)"
        form.editors["spend_to_date"].setText("abc")
        form.editors["forecast_outturn"].setText("£6,012,900")
        dialog.try_accept()
        seen["abc"] = form.errors["spend_to_date"].text()
        form.editors["spend_to_date"].setText("£3,000,000")
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [fill_return]
    budgets.returns_section.buttons["add"].click()
    assert 'is not an amount of money' in seen["abc"]
    assert budgets.returns_table.item(1, 4).text() == "£117,900 overspend (2.0%)"
    assert "No return for 2025-26 Q2" not in budgets.warnings_label.text()

    # 4. Enter an actual for the waiting-times measure (its latest quarter, ended).
    monitoring = window.show_tab("measures")
    monitoring.set_today(TODAY)
    mid = next(i for i, t in options(monitoring.reader, "measures") if t == CAMHS_WAITS)
    assert monitoring.select(mid)

    def ninety_five(dialog):
        dialog.form.editors["actual"].setText("95")
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [ninety_five]
    monitoring.actuals_section.buttons["edit"].click()
    assert monitoring.actuals_table.item(0, 2).text() == "Green"

    # 5. Save (Ctrl+S): the title loses its *, and the file holds the return and the actual.
    assert "*" in window.windowTitle()
    window.save()
    assert "*" not in window.windowTitle()
    import sqlite3

    path = window.workspace.doc.path
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT annual_cost FROM services WHERE id = ?", (sid,)).fetchone()[0] == before
        assert conn.execute("SELECT forecast_outturn FROM returns WHERE agreement_id = ? AND quarter = 2 "
                            "AND financial_year = 2025", (aid,)).fetchone()[0] == 6012900
        assert conn.execute("SELECT count(*) FROM measurements WHERE measure_id = ? AND actual = 95",
                            (mid,)).fetchone()[0] == 1
    conn.close()
