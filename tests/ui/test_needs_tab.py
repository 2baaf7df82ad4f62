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
    assert tab.model.rowCount() == 0  # the small demo holds no locality figures
    assert "North Riverside" in tab.caption.text()


def test_select_an_indicator_to_see_its_chart_and_description(tab, qtbot):
    assert tab.select(_code_id(tab, "REREF"))
    assert tab.detail_title.text().startswith("Re-referrals")
    assert tab.rating_chip.text() == "Worse than England"
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
        assert tab.rating_chip.text() == "Worse than England"
    finally:
        window.workspace.doc.close(discard=True)
        window.workspace = None
        window.close()
        window.deleteLater()
