"""Spend against contracts in the Services tab (issue 9 item 10): a service's view
shows spend to date against value and the payments matched with why; the match is
changed from the keyboard and undone; "Match payments" is one undo step; the
"Spend ahead of value" view lists contracts running ahead and leads to their service;
services to classify are a column and a filter; the contract form shows the
Transparency Code's fields in order. The window's ``dialogs`` fixture answers dialogs
and runs long work inline (TaskRunner.INLINE)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

SERVICE = "Appropriate adult service for children"  # one contract, three payments in the demo


@pytest.fixture
def tab(open_window):
    return open_window("services").tab("services")


def select(tab, name):
    from cypdesk.services.lookups import options

    record_id = next(i for i, title in options(tab.reader, "services") if title == name)
    assert tab.select(record_id)
    return record_id


def _cells(table, col):
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_a_services_view_shows_spend_to_date_against_value_and_the_payments(tab):
    sid = select(tab, SERVICE)
    from cypdesk.services.spend import spend_to_date

    figures = spend_to_date(tab.reader, service_id=sid)
    assert figures.payments == 3
    panel = tab.spend_panel
    assert panel.service_line.text() == f"Spend to date across its contracts: {figures.words()}"
    assert "spent on 3 payments" in panel.service_line.text() and "of the contracts' value of" in panel.service_line.text()
    assert panel.table.rowCount() == 3
    assert set(_cells(panel.table, 2)) == {"recorded with the payment"}  # the demo's came matched
    # the contract chosen in the contracts table is the panel's scope, with its own line
    assert panel.contract_id() == tab.detail["contracts"][-1]["id"]
    assert panel.scope_line.text().startswith("This contract: ")
    assert panel.scope_line.isHidden()  # its only contract: the service's line says the same
    from cypdesk.ui.tabs.services_tab import CONTRACT_COLUMNS

    spent_col = [k for k, _l in CONTRACT_COLUMNS].index("spent")
    from cypdesk.common.formats import money

    assert tab.contracts_table.item(0, spent_col).text() == money(figures.spent)
    assert not tab.spend_section.isHidden()


def test_enter_on_a_payment_changes_its_match_and_undo_puts_it_back(tab, dialogs, qtbot):
    sid = select(tab, SERVICE)
    panel = tab.spend_panel
    first = panel.lines[0]
    contract = first.contract_id

    def clear(dialog):
        assert dialog.combo.currentData() == contract  # the match now is chosen
        assert "recorded with the payment" in dialog.intro.text()
        dialog.combo.setCurrentIndex(dialog.combo.findData(None))
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [clear]
    panel.table.setFocus()
    panel.table.selectRow(0)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert dialogs.drivers == []  # the dialog was asked for by Enter
    assert tab.reader.execute("SELECT contract_id FROM payments WHERE id = ?", (first.id,)).fetchone()[0] is None
    assert tab.current_id == sid and len(tab.spend_panel.lines) == 2
    tab.window_.action_undo.trigger()
    assert tab.reader.execute("SELECT contract_id FROM payments WHERE id = ?", (first.id,)).fetchone()[0] == contract
    select(tab, SERVICE)
    assert len(tab.spend_panel.lines) == 3


def test_match_payments_fills_suppliers_in_one_undo_step(tab):
    select(tab, SERVICE)
    count = lambda: tab.reader.execute("SELECT count(*) FROM payments WHERE supplier_id IS NULL").fetchone()[0]  # noqa: E731
    assert count() > 0
    tab.spend_section.buttons["match"].click()
    assert count() == 0
    assert "matched to a supplier" in tab.window_.status_label.text()
    tab.window_.action_undo.trigger()
    assert count() > 0


def test_the_spend_ahead_of_value_view_lists_a_contract_running_ahead_and_enter_shows_its_service(tab, qtbot):
    from cypdesk.services import records

    sid = select(tab, SERVICE)
    contract = tab.detail["contracts"][-1]
    records.create(tab.ws, "payments", {"paid_on": date(2026, 1, 5), "supplier": "Anyone", "amount": 5_000_000,
                                        "contract_id": contract["id"]})
    tab.views_tabs.setCurrentIndex(2)
    view = tab.overspent_view
    assert view.table.rowCount() >= 1
    assert view.table.item(0, 0).text() == SERVICE
    assert view.table.item(0, 5).text().startswith("Above its value: ")
    assert "contract whose spend runs ahead" in view.caption.text()
    tab.views_tabs.setCurrentIndex(0)
    tab.filter_bar.text.setText("Speech")
    tab.filter_bar.apply_now()
    tab.views_tabs.setCurrentIndex(2)
    view.table.setFocus()
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert tab.views_tabs.currentIndex() == 0 and tab.current_id == sid


def test_services_to_classify_are_a_column_and_a_filter(tab):
    from cypdesk.services import records

    sid = select(tab, SERVICE)
    records.update(tab.ws, "services", sid, {"to_classify": True})
    tab.refresh()
    select(tab, SERVICE)
    assert not tab.classify_note.isHidden() and "To classify" in tab.classify_note.text()
    column = [c.name for c in tab.model.query.columns].index("to_classify")
    combo = tab.filter_bar.combos["to_classify"]
    combo.setCurrentIndex(combo.findData(1))
    tab.filter_bar.apply_now()
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, column).data() == "Yes"
    assert tab.model.query.ids() == [sid]
    records.update(tab.ws, "services", sid, {"to_classify": False})
    tab.refresh()
    assert tab.classify_note.isHidden()


def test_the_contract_form_shows_the_transparency_code_fields_in_order(tab, dialogs):
    from cypdesk.model.catalog import CATALOG
    from cypdesk.ui.tabs.services_tab import CONTRACT_FORM

    every = {f["name"] for f in CATALOG["contracts"]["fields"] if not f.get("system")} - {"service_id"}
    assert set(CONTRACT_FORM) == every and len(CONTRACT_FORM) == len(every)
    select(tab, SERVICE)
    seen = {}

    def look(dialog):
        names = list(dialog.form.editors)
        seen["names"] = names
        supplier = dialog.form.editors["supplier_id"]
        seen["supplier_choices"] = [supplier.itemText(i) for i in range(supplier.count())]
        return False

    dialogs.drivers = [look]
    tab.contracts_section.buttons["edit"].click()
    assert seen["names"][:4] == ["title", "reference", "description", "supplier_id"]
    assert seen["names"].index("cpv_code") < seen["names"].index("start_date")
    assert seen["names"].index("irrecoverable_vat") == seen["names"].index("total_value") + 1
    assert "New organisation…" in seen["supplier_choices"]  # an organisation picker
    assert len(seen["supplier_choices"]) > 10
