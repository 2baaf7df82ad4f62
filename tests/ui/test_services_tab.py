"""The Services tab's own sections: outcomes, groups, localities, commissioners'
shares (which must total 100%), contracts and decommissioning, each edited in a
dialog and undone like any other edit."""

import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from cypdesk.services.documents import write_demo


@pytest.fixture
def tab(open_window):
    return open_window("services").tab("services")


def select(tab, name):
    from cypdesk.services.lookups import options

    record_id = next(i for i, title in options(tab.reader, "services") if title == name)
    assert tab.select(record_id)
    return record_id


def test_shares_must_total_100_and_are_undone(tab, dialogs):
    sid = select(tab, "Speech and language therapy for children")
    before = list(tab.detail["commissioner_shares"])
    council, icb = [r for r in tab.reader.execute(
        "SELECT id FROM organisations WHERE kind IN ('local_authority', 'icb') ORDER BY kind").fetchall()]
    seen = {}

    def sixty_thirty(dialog):
        while dialog.table.rowCount():
            dialog.table.removeRow(0)
        dialog.add_row(icb[0], 60)
        dialog.add_row(council[0], 30)
        assert "must total 100%" in dialog.total.text()
        dialog.try_accept()
        seen["refused"] = dialog.error.text()
        assert dialog.result() == 0  # still open: nothing saved
        dialog.table.cellWidget(1, 1).setValue(40)
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [sixty_thirty]
    tab.commissioners_section.buttons["edit"].click()
    assert "total 100%" in seen["refused"] and "90%" in seen["refused"]
    shares = dict(tab.detail["commissioner_shares"])
    assert shares == {icb[0]: 60.0, council[0]: 40.0}
    assert "60%" in tab.commissioners_section.summary.text()
    tab.window_.action_undo.trigger()
    select(tab, "Speech and language therapy for children")
    assert sorted(tab.detail["commissioner_shares"]) == sorted(before)
    tab.window_.action_redo.trigger()
    select(tab, "Speech and language therapy for children")
    assert dict(tab.detail["commissioner_shares"]) == {icb[0]: 60.0, council[0]: 40.0}
    assert tab.current_id == sid


def test_outcomes_groups_and_localities(tab, dialogs):
    select(tab, "Speech and language therapy for children")

    def make_primary(dialog):
        outcome_id = next(iter(dialog.combos))
        combo: QComboBox = dialog.combos[outcome_id]
        combo.setCurrentIndex(combo.findData("primary"))
        dialog.try_accept()
        return True

    dialogs.drivers = [make_primary]
    before = len(tab.detail["outcomes"])
    tab.outcomes_section.buttons["edit"].click()
    assert len(tab.detail["outcomes"]) in (before, before + 1)
    assert "Primary" in tab.outcomes_section.summary.text()

    def tick_all(dialog):
        for i in range(dialog.list.count()):
            dialog.set_checked(dialog.list.item(i).data(256), True)
        dialog.try_accept()
        return True

    dialogs.drivers = [tick_all]
    tab.groups_section.buttons["edit"].click()
    total_groups = tab.reader.execute("SELECT count(*) FROM groups").fetchone()[0]
    assert len(tab.detail["group_ids"]) == total_groups
    tab.window_.action_undo.trigger()
    select(tab, "Speech and language therapy for children")
    assert len(tab.detail["group_ids"]) < total_groups


def test_add_a_contract_and_a_decommissioning_decision(tab, dialogs):
    select(tab, "Youth service and youth clubs")
    count = len(tab.detail["contracts"])

    def fill_contract(dialog):
        form = dialog.form
        form.editors["reference"].setText("RCC-YS-2026-001")
        form.editors["start_date"].setText("01/04/2026")
        form.editors["end_date"].setText("31/03/2025")  # before the start: refused
        form.editors["annual_value"].setText("£98,000")
        dialog.try_accept()
        assert dialog.result() == 0  # said once, under the end date, naming both dates
        assert form.errors["end_date"].text() == "End (31/03/2025) is before start (01/04/2026)"
        assert dialog.error.isHidden()
        form.editors["end_date"].setText("31/03/2029")
        dialog.try_accept()
        return dialog.result() == 1

    dialogs.drivers = [fill_contract]
    tab.contracts_section.buttons["add"].click()
    assert len(tab.detail["contracts"]) == count + 1
    refs = [tab.contracts_table.item(r, 0).text() for r in range(tab.contracts_table.rowCount())]
    assert "RCC-YS-2026-001" in refs
    from cypdesk.ui.tabs.services_tab import CONTRACT_COLUMNS

    annual = [key for key, _label in CONTRACT_COLUMNS].index("annual_value")
    assert "£98,000" in [tab.contracts_table.item(r, annual).text() for r in range(tab.contracts_table.rowCount())]
    tab.window_.action_undo.trigger()
    select(tab, "Youth service and youth clubs")
    assert len(tab.detail["contracts"]) == count

    def decide(dialog):
        form = dialog.form
        form.editors["status"].setCurrentIndex(form.editors["status"].findData("consulting"))
        form.editors["rationale"].setPlainText("Attendance has halved; the hub offer covers the same ages.")
        dialog.try_accept()
        return True

    dialogs.drivers = [decide]
    tab.decommissioning_section.buttons["edit"].click()
    assert "Consulting" in tab.decommissioning_section.summary.text()


def test_duplicate_copies_links(tab, dialogs):
    select(tab, "Speech and language therapy for children")
    outcomes = len(tab.detail["outcomes"])
    tab.duplicate_record()
    assert tab.detail_title.text() == "Speech and language therapy for children (copy)"
    assert len(tab.detail["outcomes"]) == outcomes
    assert tab.detail["contracts"] == []


def test_the_outcome_map_shows_a_gap_made_by_removing_the_only_service(tab, dialogs):
    """The issue's test: remove the only service for an outcome and the map shows the gap."""
    from PySide6.QtWidgets import QMessageBox

    tab.show_map()
    view = tab.map_view
    outcome = next(o for o in view.map.outcomes if o.direct_services == 1 and o.services == 1)

    def no_service(map_):
        return any("No service" in reason for gap in map_.gaps_of(outcome.id) for reason in gap.reasons)

    assert not no_service(view.map)
    service_id = next(sid for (oid, sid) in view.map.cells if oid == outcome.id)
    tab.views_tabs.setCurrentIndex(0)
    assert tab.select(service_id)
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    tab.delete_record()
    tab.show_map()
    assert no_service(tab.map_view.map)
    row = [o.id for o in tab.map_view.map.outcomes].index(outcome.id)
    gap_column = [tab.map_view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)].index("Gap")
    assert "No service" in tab.map_view.model.data(tab.map_view.model.index(row, gap_column))
    tab.window_.action_undo.trigger()
    assert not no_service(tab.map_view.map)


def test_the_map_follows_the_registers_filter_and_leads_back_to_it(tab, dialogs):
    tab.filter_bar.combos["sector"].setCurrentIndex(tab.filter_bar.combos["sector"].findData("health"))
    tab.show_map()
    view = tab.map_view
    shown = {s.id for s in view.model.services}
    health = set(tab.model.query.ids())
    assert shown and shown <= health  # only the services the register's filter keeps
    some = next(iter(health))
    view.service_activated.emit(some)
    assert tab.views_tabs.currentIndex() == 0 and tab.current_id == some
