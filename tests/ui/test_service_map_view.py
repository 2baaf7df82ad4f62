"""The service and outcome map as an officer reads it on the demo: gaps in words, the
money in each cell, spend by tier, the prevention share, contracts ending, and a
double-click that takes the officer to the service in the register."""

import re
import shutil
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from cypdesk.common.formats import date_uk, money_short, percent
from cypdesk.services.documents import write_demo
from cypdesk.services.service_map import RULE_NO_SERVICE

TODAY = date(2026, 3, 15)


@pytest.fixture
def conn(demo_path):
    from cypdesk.model.dbfile import connect

    c = connect(demo_path, read_only=True)
    yield c
    c.close()


@pytest.fixture
def view(qtbot, conn):
    from cypdesk.ui.tabs.service_map_view import ServiceMapView

    v = ServiceMapView()
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.set_source(conn, TODAY)
    return v


def gap_column(view):
    from cypdesk.ui.tabs.service_map_view import COL_GAP, COL_OUTCOME

    model = view.model
    return {model.data(model.index(r, COL_OUTCOME)).strip(): model.data(model.index(r, COL_GAP))
            for r in range(model.rowCount())}


def row_of_code(view, code):
    return next(r for r, o in enumerate(view.model.outcomes) if o.code == code)


def test_sub_outcomes_the_demo_leaves_without_a_service_are_gaps_in_words(view):
    from cypdesk.services.demo_data import GAP_OUTCOMES
    from cypdesk.ui.tabs.service_map_view import COL_GAP, IS_GAP_ROLE

    model = view.model
    no_service = {model.outcomes[r].code for r in range(model.rowCount())
                  if "No service" in (model.data(model.index(r, COL_GAP)) or "")}
    assert set(GAP_OUTCOMES) <= no_service  # PC5 and EW4, left without a service on purpose
    expected = {g.code for g in view.map.gaps if g.kind == "outcome" and RULE_NO_SERVICE in g.rules}
    assert no_service == expected
    for code in GAP_OUTCOMES:
        row = row_of_code(view, code)
        assert model.data(model.index(row, COL_GAP), IS_GAP_ROLE) is True
        assert model.data(model.index(row, COL_GAP), Qt.ItemDataRole.BackgroundRole) is not None  # highlighted
        assert "No service contributes to it." in model.data(model.index(row, COL_GAP), Qt.ItemDataRole.ToolTipRole)
    # an outcome with primary services and money to spare is no gap
    assert gap_column(view)["BH1 Physically healthy"] == ""
    # and the detail list names every gap with its reasons
    listed = [view.gap_model.data(view.gap_model.index(r, 1)) for r in range(view.gap_model.rowCount())]
    assert set(GAP_OUTCOMES) <= set(listed)
    assert view.details.tabText(1) == f"&Gaps ({len(view.map.gaps)})"


def test_removing_the_only_service_for_an_outcome_makes_it_a_gap(qtbot, demo_master, tmp_path):
    import uuid

    from cypdesk.model.dbfile import connect
    from cypdesk.model.document import Document
    from cypdesk.model.installation import Installation
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace
    from cypdesk.ui.tabs.service_map_view import ServiceMapView

    path = tmp_path / "trust.cypdesk"
    shutil.copy(demo_master, path)
    officer = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
    doc = Document.open(path, installation=officer)
    reader = connect(doc.working_path, read_only=True)
    try:
        ws = Workspace(doc, officer)
        view = ServiceMapView()
        qtbot.addWidget(view)
        view.set_source(reader, TODAY)
        single = next(o for o in view.map.outcomes if o.services == 1 and o.direct_services == 1)
        (service_id,) = [sid for (oid, sid) in view.map.cells if oid == single.id]
        assert "No service" not in gap_column(view)[single.title]

        records.delete(ws, "services", service_id)
        view.refresh()

        assert "No service" in gap_column(view)[single.title]
        assert any(g.id == single.id and RULE_NO_SERVICE in g.rules for g in view.map.gaps)
        assert service_id not in {s.id for s in view.model.services}
    finally:
        reader.close()
        doc.close(discard=True)


def test_a_primary_link_reads_primary_and_its_share_of_the_money(view):
    from cypdesk.ui.tabs.service_map_view import CONTRIBUTION_ROLE, N_FIXED

    m, model = view.map, view.model
    column = {s.id: N_FIXED + i for i, s in enumerate(model.services)}
    rows = {o.id: r for r, o in enumerate(model.outcomes)}
    (oid, sid) = next(key for key, kind in m.cells.items() if kind == "primary")
    index = model.index(rows[oid], column[sid])
    text = model.data(index)
    assert text.startswith(f"Primary · {money_short(m.apportioned[(oid, sid)])}")
    assert text.startswith("Primary · £")
    assert model.data(index, CONTRIBUTION_ROLE) == "primary"
    (oid2, sid2) = next(key for key, kind in m.cells.items() if kind == "secondary")
    secondary = model.index(rows[oid2], column[sid2])
    assert model.data(secondary).startswith("Secondary · £")
    primary_shade = model.data(index, Qt.ItemDataRole.BackgroundRole).color()
    secondary_shade = model.data(secondary, Qt.ItemDataRole.BackgroundRole).color()
    assert primary_shade.lightness() < secondary_shade.lightness()  # apart in greyscale too
    assert "twice" in model.data(index, Qt.ItemDataRole.ToolTipRole)  # the apportionment rule
    # an empty cell says nothing
    empty = next((r, c) for r in range(model.rowCount()) for c in range(N_FIXED, model.columnCount())
                 if model.data(model.index(r, c), CONTRIBUTION_ROLE) is None)
    assert model.data(model.index(*empty)) is None


def test_overlapping_services_are_marked_in_their_cells_and_listed(view):
    from cypdesk.ui.tabs.service_map_view import N_FIXED

    m, model = view.map, view.model
    assert m.overlaps
    ov = m.overlaps[0]
    row = next(r for r, o in enumerate(model.outcomes) if o.id == ov.outcome_id)
    sid = ov.services[0][0]
    col = N_FIXED + [s.id for s in model.services].index(sid)
    assert model.data(model.index(row, col)).endswith("· overlap")
    # listed once per outcome and set of services, with every place they coincide
    assert view.overlap_model.rowCount() == len(m.overlap_sets) < len(m.overlaps)
    assert sum(len(o.places) for o in m.overlap_sets) == len(m.overlaps)
    tip = view.overlap_model.data(view.overlap_model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"Overlaps: {len(ov.services)} services for ") and ov.group in tip and ov.locality in tip


def test_spend_by_tier_and_band_shares_add_up_to_100(view):
    for model, source in ((view.tier_model, view.map.spend_by_tier), (view.band_model, view.map.spend_by_band)):
        assert model.rowCount() == len(source) > 0
        shares = [float(model.data(model.index(r, 3)).rstrip("%")) for r in range(model.rowCount())]
        assert sum(shares) == pytest.approx(100, abs=0.1)
        assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [t.label for t in source]
    assert view.tier_model.data(view.tier_model.index(0, 2)).startswith("£")


def test_prevention_share_and_total_spend_are_stated(view):
    m = view.map
    text = view.prevention_label.text()
    assert "Prevention and early intervention" in text and "%" in text
    assert f"({percent(m.prevention_share_pct, 1)} of spend, {m.prevention_services} services)" in text
    assert "£58,125,000" in view.summary.text()
    assert "Every service is linked to an outcome" in view.summary.text()


def test_contracts_ending_within_6_months_are_listed_with_uk_dates(view):
    m = view.map
    model = view.ending_model
    within6 = m.ending_within(6)
    assert within6
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    flagged = [r for r in rows if r[4] == "Within 6 months"]
    assert [r[2] for r in flagged] == [date_uk(c.end_date) for c in within6]
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r[2]) for r in rows)
    assert {r[1] for r in flagged} == {c.reference for c in within6}
    assert any(r[4] == "Within 12 months" for r in rows)
    expired = [view.expired_model.data(view.expired_model.index(r, 4)) for r in range(view.expired_model.rowCount())]
    assert expired == ["Expired"] * len(m.contracts_expired) and expired


def test_double_click_on_a_cell_or_a_column_selects_the_service(view, qtbot):
    from cypdesk.ui.tabs.service_map_view import N_FIXED

    view.show()
    qtbot.waitExposed(view)
    matrix = view.matrix_view
    (oid, sid) = next(key for key, kind in view.map.cells.items() if kind == "primary")
    row = next(r for r, o in enumerate(view.model.outcomes) if o.id == oid)
    # the matrix view shows the services' columns only: the service's column there is its
    # place among the services (in the whole model it comes after the N_FIXED figures)
    col = [s.id for s in view.model.services].index(sid)
    index = matrix.model().index(row, col)
    assert matrix.model().mapToSource(index) == view.model.index(row, N_FIXED + col)
    matrix.scrollTo(index)
    centre = matrix.visualRect(index).center()
    with qtbot.waitSignal(view.service_activated, timeout=2000) as caught:
        # what a double-click brings: a click, then the double-click (QTest sends only the latter)
        qtbot.mouseClick(matrix.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(matrix.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert caught.args == [sid]
    assert view.fixed_view.currentIndex().row() == row  # the outcome's row is selected in both parts

    header = matrix.horizontalHeader()
    first = view.model.services[0]
    matrix.scrollTo(matrix.model().index(0, 0))
    x = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    with qtbot.waitSignal(view.service_activated, timeout=2000) as caught:
        qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert caught.args == [first.id]

    # from the keyboard: Return on the current cell
    matrix.setFocus()
    matrix.setCurrentIndex(index)
    with qtbot.waitSignal(view.service_activated, timeout=2000) as caught:
        qtbot.keyClick(matrix, Qt.Key.Key_Return)
    assert caught.args == [sid]

    # and from the list of contracts ending
    contract = view.map.contracts_ending[0]
    with qtbot.waitSignal(view.service_activated, timeout=2000) as caught:
        view.ending_table.doubleClicked.emit(view.ending_model.index(0, 0))
    assert caught.args == [contract.service_id]


def test_the_service_filter_and_the_column_rule(view, monkeypatch):
    from cypdesk.ui.tabs import service_map_view
    from cypdesk.ui.tabs.service_map_view import N_FIXED

    everything = len(view.map.services)
    assert view.model.columnCount() == N_FIXED + everything
    assert "300" in view.columns_label.text()
    two = {s.id for s in view.map.services[:2]}
    view.set_service_filter(two)
    assert {s.id for s in view.model.services} == two
    assert view.columns_label.text().startswith(f"Showing 2 services of {everything}")
    # the outcome figures still count every service
    assert gap_column(view) and view.model.outcomes[0].services > 2
    view.set_service_filter(None)
    assert view.model.columnCount() == N_FIXED + everything

    view.name_filter.setText("camhs")
    assert view.model.services and all("camhs" in s.name.casefold() for s in view.model.services)
    view.name_filter.clear()

    monkeypatch.setattr(service_map_view, "MAX_SERVICE_COLUMNS", 10)
    view.refresh()
    assert view.model.columnCount() == N_FIXED + 10
    assert f"{everything} services match: only the first 10 by name are drawn" in view.columns_label.text()


def test_only_the_services_of_the_selected_outcome(view):
    row = row_of_code(view, "BH2")
    outcome = view.model.outcomes[row]
    view.only_selected.setChecked(True)
    view.fixed_view.setCurrentIndex(view.fixed_view.model().index(row, 0))
    shown = {s.id for s in view.model.services}
    assert len(shown) == outcome.services
    assert shown == {sid for (oid, sid) in view.map.cells if oid == outcome.id}
    assert view.fixed_view.currentIndex().row() == row  # still selected after the columns changed
    assert view.matrix_view.currentIndex().row() == row
    view.only_selected.setChecked(False)
    assert len(view.model.services) == len(view.map.services)


def test_the_two_parts_of_the_matrix_scroll_together(view, qtbot):
    view.show()
    qtbot.waitExposed(view)
    bar = view.matrix_view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    assert view.fixed_view.verticalScrollBar().value() == bar.maximum()
    assert view.fixed_view.horizontalHeader().height() == view.matrix_view.horizontalHeader().height()


def test_no_document_clears_the_map(view):
    view.set_source(None, TODAY)
    assert view.map is None
    assert view.model.rowCount() == 0 and view.tier_model.rowCount() == 0
    assert "Open a document" in view.summary.text()


def test_every_control_has_a_name_and_tables_let_tab_move_on(view):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QTableView, QTabWidget

    missing = []
    for cls in (QAbstractButton, QComboBox, QLineEdit, QTableView, QTabWidget, QLabel):
        for widget in view.findChildren(cls):
            if isinstance(widget.parent(), (QComboBox, QLineEdit, QTableView)) or widget.objectName().startswith("qt_"):
                continue
            # what a screen reader hears: a label's name is its text (a name set in code would hide it)
            from PySide6.QtGui import QAccessible

            heard = QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)
            empty_label = isinstance(widget, QLabel) and not widget.text() and widget.pixmap().isNull()
            if (not heard and not empty_label) or not widget.objectName():
                missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
            if isinstance(widget, QLabel) and widget.text():
                from PySide6.QtGui import QTextDocument

                shown = widget.text()
                if widget.textFormat() != Qt.TextFormat.PlainText:
                    document = QTextDocument()
                    document.setHtml(shown)
                    shown = document.toPlainText()
                assert heard.replace("\n", " ") == shown.replace("&", "").replace("\n", " "), (widget.objectName(), heard)
    assert missing == [], missing
    assert all(not t.tabKeyNavigation() for t in view.findChildren(QTableView))
    assert "twice" in view.legend.toolTip()
