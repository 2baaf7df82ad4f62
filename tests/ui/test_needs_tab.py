"""The Needs tab as an officer uses it: the indicators with their comparisons, filtered
by outcome, by "Worse than England" and by text; an indicator's trend chart and its
description; the commentary edited, undone and redone; the evidence and priorities
view leading back to an indicator."""

import os
import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt

from cypdesk.services.documents import write_demo


@pytest.fixture
def tab(open_window):
    return open_window("indicators").tab("indicators")


def _code_id(tab, code):
    return tab.reader.execute("SELECT id FROM indicators WHERE code = ?", (code,)).fetchone()[0]


def _column(tab, label):
    model = tab.model
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == label)


def _cells(tab, label):
    col = _column(tab, label)
    return [tab.model.index(r, col).data() for r in range(tab.model.rowCount())]


def test_table_shows_values_comparisons_ranks_and_trends(tab):
    assert tab.model.rowCount() == 59
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers[:7] == ["Indicator", "Period", "Riverside", "England", "Against England", "Trend",
                           "Among neighbours"]
    row = tab.model.row_of(_code_id(tab, "REREF"))
    cells = [tab.model.index(row, c).data() for c in range(7)]
    assert cells[1] == "2024-25" and cells[2].endswith("%") and cells[3].endswith("%")
    assert cells[4] == "Worse"  # the word is always there, beside the colour
    assert tab.model.index(row, 4).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "95% confidence interval" in tab.model.index(row, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert " of 7" in cells[6]
    assert {"Better", "Similar", "Worse"} <= set(_cells(tab, "Against England"))
    assert "14 worse than England" in tab.caption.text()
    assert not tab.buttons["add"].isVisible() and not tab.buttons["delete"].isVisible()


def test_filter_by_outcome_and_worse_than_england(tab):
    bar = tab.filter_bar
    combo = bar.combos["outcome"]
    combo.setCurrentIndex(combo.findText("BH Be healthy", Qt.MatchFlag.MatchContains))
    healthy = tab.model.rowCount()
    assert 0 < healthy < 59
    assert f"{healthy} of 59 indicators match the filter" in tab.caption.text()
    assert any("mental health" in name for name in _cells(tab, "Indicator"))
    assert not any(name.startswith("Re-referrals") for name in _cells(tab, "Indicator"))
    bar.worse.setChecked(True)
    worse_healthy = _cells(tab, "Against England")
    assert 0 < len(worse_healthy) < healthy and set(worse_healthy) == {"Worse"}
    combo.setCurrentIndex(0)  # any outcome, still worse than England
    assert set(_cells(tab, "Against England")) == {"Worse"} and tab.model.rowCount() == 14
    bar.clear()
    assert tab.model.rowCount() == 59 and not bar.worse.isChecked()
    bar.text.setText("obesity")
    bar.apply_now()
    assert tab.model.rowCount() == 2


def test_filter_by_group_and_locality(tab):
    bar = tab.filter_bar
    group = bar.combos["group"]
    group.setCurrentIndex(group.findText("Looked-after children", Qt.MatchFlag.MatchContains))
    names = _cells(tab, "Indicator")
    assert names and all("care" in n.lower() for n in names)
    bar.clear()
    locality = bar.combos["locality"]
    assert locality.findText("North Riverside", Qt.MatchFlag.MatchContains) > 0
    locality.setCurrentIndex(locality.findText("North Riverside", Qt.MatchFlag.MatchContains))
    assert tab.model.rowCount() == 12  # the demo's place indicators (services/demo_places.py)
    assert "North Riverside" in tab.caption.text()


def test_choosing_a_locality_shows_its_own_values_beside_the_trusts_and_englands(tab):
    trust_row = tab.model.row_of(_code_id(tab, "REREF"))
    trust_value = tab.model.index(trust_row, _column(tab, "Riverside")).data()
    england_value = tab.model.index(trust_row, _column(tab, "England")).data()
    locality = tab.filter_bar.combos["locality"]
    locality.setCurrentIndex(locality.findText("North Riverside", Qt.MatchFlag.MatchContains))
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers[:8] == ["Indicator", "Period", "North Riverside", "Riverside", "England", "Against England",
                           "Against Riverside", "Trend"]
    row = tab.model.row_of(_code_id(tab, "REREF"))
    north = tab.reader.execute(
        "SELECT v.value FROM indicator_values v JOIN areas a ON a.id = v.area_id WHERE a.name = 'North Riverside' "
        "AND v.indicator_id = ? AND v.period = 'FY2024'", (_code_id(tab, "REREF"),)).fetchone()[0]
    cells = {h: tab.model.index(row, c).data() for c, h in enumerate(headers)}
    assert cells["North Riverside"] == f"{north:.1f}%" != cells["Riverside"]
    assert (cells["Period"], cells["Riverside"], cells["England"]) == ("2024-25", trust_value, england_value)
    assert cells["Against Riverside"] in ("Worse", "Similar")
    tip = tab.model.index(row, headers.index("Against Riverside")).data(Qt.ItemDataRole.ToolTipRole)
    assert "than Riverside (95% CI)" in tip or "Similar to Riverside (95% CI)" in tip
    assert "North Riverside's own latest figures" in tab.caption.text()
    assert tab.minimumSizeHint().width() <= 1366  # the longer caption wraps instead of widening the window
    assert tab.select(_code_id(tab, "REREF"))
    headline = tab.headline.text()
    assert headline.startswith("North Riverside 2024-25: ") and f"Riverside <b>{trust_value}</b>" in headline
    assert "Riverside (95% CI)" in tab.method.text() and "not ranked" in tab.neighbours_label.text()
    tab.draw_chart()  # the locality's own trend against England's, without the trust's neighbours
    assert tab.trend_data.home_name == "North Riverside" and tab.trend_data.neighbours_total == 0
    assert tab.chart.description.text().startswith("North Riverside 2024-25: ")
    # East Riverside: its latest NEET figure is suppressed with ':' (the year before is shown, marked *);
    # it has no figures for injuries, which are not shown as the trust's.
    locality.setCurrentIndex(locality.findText("East Riverside", Qt.MatchFlag.MatchContains))
    assert tab.model.rowCount() == 11 and tab.model.row_of(_code_id(tab, "INJ014")) is None
    neet = tab.model.row_of(_code_id(tab, "NEET"))
    value = tab.model.index(neet, 2)
    assert value.data().endswith(" *") and "suppressed (:)" in value.data(Qt.ItemDataRole.ToolTipRole)
    east = {s.indicator_id: s for s in tab.summaries}[_code_id(tab, "INJ014")]
    assert east.value is None and east.trust is None and "no value for East Riverside" in east.comparison.method
    locality.setCurrentIndex(0)  # back to the trust's own figures
    assert tab.model.rowCount() == 59 and tab.model.headerData(2, Qt.Orientation.Horizontal) == "Riverside"


def test_the_confidence_level_setting_changes_the_comparison_and_says_which_was_used(tab):
    reref = tab.model.row_of(_code_id(tab, "REREF"))
    col = _column(tab, "Against England")
    assert "Worse than England (95% CI)" in tab.model.index(reref, col).data(Qt.ItemDataRole.ToolTipRole)
    assert "Compared by 95% CI" in tab.caption.text()
    level = tab.filter_bar.level
    level.setCurrentIndex(level.findData("99.8"))
    reref = tab.model.row_of(_code_id(tab, "REREF"))
    tip = tab.model.index(reref, col).data(Qt.ItemDataRole.ToolTipRole)
    assert "(99.8% CI)" in tip and "Method: 99.8% confidence interval" in tip
    assert "Compared by 99.8% CI" in tab.caption.text()
    att8 = tab.model.row_of(_code_id(tab, "ATT8"))
    assert "by the trust's own rule" in tab.model.index(att8, col).data(Qt.ItemDataRole.ToolTipRole)
    assert tab.select(_code_id(tab, "REREF"))
    assert tab.rating_chip.text().endswith("(99.8% CI)") and "99.8%: " in tab.headline.text()
    tab.filter_bar.clear()
    assert level.currentData() == "99.8"  # a setting, not a filter: Clear keeps it
    assert tab.window_.settings.ci_level() == "99.8"  # and the next window starts with it


def test_the_confidence_level_chosen_is_kept_for_the_next_window(tab, qtbot):
    from cypdesk.ui.main_window import MainWindow

    tab.filter_bar.level.setCurrentIndex(tab.filter_bar.level.findData("99.8"))
    tab.window_.settings.sync()
    second = MainWindow()  # a new window (no document: the first holds it), reading the settings
    qtbot.addWidget(second)
    assert second.tab("indicators").level == "99.8"


def test_places_view_lists_the_localities_side_by_side_sortable_and_leads_to_a_locality(tab):
    assert tab.select(_code_id(tab, "REREF"))
    tab.views_tabs.setCurrentIndex(2)
    page = tab.places_page
    model = page.model
    assert tab.views_tabs.tabText(2) == "P&laces"
    assert page.indicator.currentData() == _code_id(tab, "REREF")
    assert model.names() == ["East Riverside", "North Riverside", "Riverside Town", "South Riverside",
                             "West Riverside"]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:8] == ["Area", "Kind", "Within", "Period", "Value", "95% CI", "Riverside", "Against Riverside"]
    assert "5 areas within Riverside, 5 with a value" in page.caption.text()
    first = [model.index(0, c).data() for c in range(8)]
    assert first[1:4] == ["Locality", "Riverside", "2024-25"] and first[4].endswith("%") and " to " in first[5]
    # Sorted from the keyboard: the Sort by drop-down; North leans highest by design.
    page.sort_by.setCurrentIndex(page.sort_by.findText("Value, highest first"))
    page.sort_by.activated.emit(page.sort_by.currentIndex())
    assert model.names()[0] == "North Riverside" and model.names()[-1] == "West Riverside"
    for widget in (page.table, page.indicator, page.sort_by):
        assert widget.accessibleName() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    # Another indicator from the drop-down; East Riverside has no injuries figure and says so.
    page.indicator.setCurrentIndex(page.indicator.findData(_code_id(tab, "INJ014")))
    page.indicator.activated.emit(page.indicator.currentIndex())
    assert tab.current_id == _code_id(tab, "INJ014")
    east = model.row_of(next(r.place.area_id for r in model._rows if r.place.name == "East Riverside"))
    assert model.index(east, 4).data() == "" and "no value for East Riverside" in model.index(east, 10).data()
    # Enter on an area: its figures for every indicator, in the Indicators view.
    north = model.row_of(next(r.place.area_id for r in model._rows if r.place.name == "North Riverside"))
    page.table.activated.emit(model.index(north, 0))
    assert tab.views_tabs.currentIndex() == 0 and tab.place_name == "North Riverside"
    assert tab.current_id == _code_id(tab, "INJ014")


def test_select_an_indicator_to_see_its_chart_and_description(tab, qtbot):
    assert tab.select(_code_id(tab, "REREF"))
    assert tab.detail_title.text().startswith("Re-referrals")
    assert tab.rating_chip.text() == "Worse than England (95% CI)"
    assert "95% confidence interval" in tab.method.text()
    assert "of 7" in tab.neighbours_label.text() and "quartile" in tab.neighbours_label.text()
    qtbot.waitUntil(lambda: tab.chart.figure is not None, timeout=5000)
    description = tab.chart.description.text()
    assert description.startswith("Riverside 2024-25: ") and "England 22." in description
    assert tab.chart.canvas.accessibleDescription() == description
    assert "Early help staff workshop" in tab.evidence_label.text()  # tagged with SS1 and children in need
    assert "WT2" in tab.priorities_label.text()


def test_edit_the_commentary_then_undo_and_redo(tab):
    window = tab.window_
    iid = _code_id(tab, "MHADM")
    assert tab.select(iid)
    story = "Admissions have risen for five years; the new crisis line starts in June."
    tab.commentary.setPlainText(story)
    assert tab.commentary_save.isEnabled() and "Not saved" in tab.commentary_state.text()
    tab.commentary_save.click()

    def stored():
        return tab.reader.execute("SELECT commentary FROM indicators WHERE id = ?", (iid,)).fetchone()[0]

    assert stored() == story and not tab.commentary_save.isEnabled()
    assert window.undo_stack.undoText().startswith("Edit Hospital admissions for mental health")
    window.action_undo.trigger()
    assert stored() is None and tab.commentary.toPlainText() == "" and tab.current_id == iid
    window.action_redo.trigger()
    assert stored() == story and tab.commentary.toPlainText() == story


def test_leaving_an_indicator_keeps_what_was_typed(tab, qtbot):
    first, second = _code_id(tab, "NEET"), _code_id(tab, "REREF")
    tab.select(first)
    tab.commentary.setPlainText("NEET is above England in every locality.")
    tab.select(second)
    qtbot.waitUntil(lambda: tab.reader.execute("SELECT commentary FROM indicators WHERE id = ?",
                                               (first,)).fetchone()[0] is not None, timeout=3000)
    assert tab.current_id == second and tab.commentary.toPlainText() == ""
    tab.window_.action_undo.trigger()
    assert tab.reader.execute("SELECT commentary FROM indicators WHERE id = ?", (first,)).fetchone()[0] is None


def test_evidence_and_priorities_view_leads_back_to_an_indicator(tab):
    tab.filter_bar.text.setText("obesity")
    tab.filter_bar.apply_now()  # hides the indicator: choosing it clears the filter
    tab.views_tabs.setCurrentIndex(1)
    page = tab.evidence_page
    assert page.evidence.topLevelItemCount() == 7
    assert page.priorities.topLevelItemCount() == 6
    wt2 = next(page.priorities.topLevelItem(i) for i in range(6)
               if page.priorities.topLevelItem(i).text(0).startswith("WT2"))
    child = next(wt2.child(j) for j in range(wt2.childCount()) if wt2.child(j).text(0).startswith("Indicator:"))
    assert child.text(1) == "Worse than England"
    page.priorities.itemDoubleClicked.emit(child, 0)
    assert tab.views_tabs.currentIndex() == 0
    assert tab.current_id == _code_id(tab, "REREF") and tab.model.rowCount() == 59
    # The evidence follows the filter bar's outcome.
    combo = tab.filter_bar.combos["group"]
    combo.setCurrentIndex(combo.findText("Young carers", Qt.MatchFlag.MatchContains))
    tab.views_tabs.setCurrentIndex(1)
    assert page.evidence.topLevelItemCount() == 1
    assert page.evidence.topLevelItem(0).text(0) == "Young carers: interviews and case reviews"


def test_a_read_only_document_shows_everything_but_edits_nothing(qtbot, demo_master, tmp_path):
    from cypdesk.ui import open_main_window

    path = tmp_path / "shared.cypdesk"
    shutil.copy(demo_master, path)
    window = open_main_window(path, read_only=True)
    try:
        tab = window.tab("indicators")
        assert tab.select(_code_id(tab, "NEET"))
        assert tab.commentary.isReadOnly() and not tab.commentary_save.isEnabled()
        assert tab.commentary_state.text() == "The document is read-only."
        assert tab.rating_chip.text() == "Worse than England (95% CI)"
    finally:
        window.workspace.doc.close(discard=True)
        window.workspace = None
        window.close()
        window.deleteLater()
