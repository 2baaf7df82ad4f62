"""The Needs tab: the needs assessment (framework steps 1-4).

**Indicators.** One row per indicator: the trust's latest value (with its unit and
decimal places) and its period, England's value for the same period, the comparison
with England (a word, always, beside its colour), the rank and quartile among the
statistical neighbours, and the trend. The rows come from
:func:`cypdesk.services.needs.indicator_summaries` (three SQL statements, whatever the
number of values) into :class:`IndicatorTableModel`, which holds them already written
out: painting a cell is a lookup, sorting and filtering work on a few hundred rows in
memory. The filter bar adds outcome, group and locality drop-downs (records, not
choices) and a "Worse than England" tick box.

Beside the table: the comparisons with the method behind each, the trend chart (the
trust, its 95% confidence intervals, England and the neighbours' range) with the chart
in words, the commentary ("the story behind the trend"), which is the one thing edited
here (through the services, undone with Edit > Undo), the evidence tagged with the
indicator's outcomes or group, and the priorities that rest on it. Indicators and their
figures come from imports; the tab does not pretend otherwise (no Add, Duplicate or
Delete).

**Evidence and priorities.** The second view lists the consultation evidence with its
tags (following the filter bar's outcome, group and locality) and the priorities with
the indicators (and their current rating) and evidence they rest on; double-click an
indicator to select it in the table.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout,
)

from cypdesk.common.formats import word_for
from cypdesk.services.needs_rules import format_value
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.needs_evidence_view import EvidencePage
from cypdesk.ui.tabs.needs_filters import NeedsFilterBar, _localities, _outcome_tree
from cypdesk.ui.tabs.needs_table import PALE, STRONG, WORDS, IndicatorTableModel
from cypdesk.ui.tabs.record_tab import RecordTab

SPEC = specs.NEEDS


GUIDE = (
    "<p><b>Against England</b>, as Fingertips does it: <b>better</b> or <b>worse</b> when the trust's "
    "confidence interval lies wholly above or below England's value (which way is better depends on the "
    "indicator's polarity); <b>similar</b> when the interval includes England's value, even only at its edge. "
    "The interval is the 95% one, or the 99.8% one when <i>Compare by</i> says so and the value has it; each "
    "result names the level it used. Where there is no interval (scores), the values are compared by the "
    "<b>trust's own rule</b>, not Fingertips': similar within ±5% of England's.</p>"
    "<p><b>A locality or ward</b> chosen in the filter shows that area's own figures, with the trust's and "
    "England's for the same period beside them and its comparison with the trust by the same rules; an "
    "indicator with no figure for the area says so. <b>Places</b> shows every area within the trust's side "
    "by side for the selected indicator.</p>"
    "<p><b>Not compared</b>: no value (suppressed or missing), no England value for the same period, a count "
    "(it depends on the size of the area), or an indicator with no judgement on which way is better (its cell "
    "then says higher, lower or similar, in grey).</p>"
    "<p><b>Among neighbours</b>: the trust's rank among itself and its statistical neighbours with a value "
    "for the same period (1st = best), and its quartile: Q1 is the best quarter (rank ≤ areas ÷ 4). Of seven "
    "areas, 1st is Q1, 2nd-3rd Q2, 4th-5th Q3, 6th-7th Q4. Ties share the better rank (shown with =).</p>"
    "<p><b>Trend</b>: a straight line through the trust's last five values; improving or worsening when it "
    "changes by more than the values' typical confidence interval (or 5% of their mean without intervals), "
    "else no clear change.</p>"
    "<p>A * beside a value means a later period has no value (suppressed); the cell's tip says which. "
    "Every cell's tip gives the method.</p>"
)


# --- the detail ------------------------------------------------------------------------------------

def _box(title: str, name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    box.setObjectName(f"indicators_{name}_section")
    box.setAccessibleName(title)
    layout = QVBoxLayout(box)
    return box, layout


def _label(name: str, accessible: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(f"indicators_{name}")
    label.setAccessibleDescription(accessible)  # a label's name is its text
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _chip_style(rating: str) -> str:
    return (f"background: {PALE[rating]}; border-left: 6px solid {STRONG[rating]}; color: #0b0c0c; "
            "padding: 3px 8px; font-weight: 600;")


class NeedsTab(RecordTab):
    CHART_DELAY_MS = 60  # arrow keys through the table do not draw a chart per row

    def __init__(self, spec: Any, window: Any) -> None:
        super().__init__(spec, window)
        self.summaries: list[Any] = []
        self._by_id: dict[str, Any] = {}
        self.areas: Any = None
        self._commentary_for: str | None = None
        self._commentary_stored = ""
        self._chart_key: Any = None
        self.trend_data: Any = None
        self.place_id: str | None = None  # the locality or ward whose figures the table shows
        self.place_name: str | None = None

        # The filter bar with the document's outcomes, groups and localities.
        outer = self.layout()
        top = outer.itemAt(0).layout()
        old = self.filter_bar
        at = top.indexOf(old)
        top.removeWidget(old)
        old.setParent(None)
        old.deleteLater()
        self.filter_bar = NeedsFilterBar(self)
        self.filter_bar.filter_changed.connect(self._filter)
        settings = getattr(window, "settings", None)
        if settings is not None:  # the officer's last choice
            self.filter_bar.level.setCurrentIndex(max(self.filter_bar.level.findData(settings.ci_level()), 0))
        self.filter_bar.level.currentIndexChanged.connect(self._level_changed)
        top.insertWidget(at, self.filter_bar, 1)

        # Two views: the indicators with their detail, and evidence and priorities.
        index = outer.indexOf(self.splitter)
        outer.removeWidget(self.splitter)
        self.views_tabs = QTabWidget()
        self.views_tabs.setObjectName("indicators_views")
        self.views_tabs.setAccessibleName("Indicators, or evidence and priorities")
        self.views_tabs.addTab(self.splitter, "&Indicators")
        self.evidence_page = EvidencePage(self)
        self.views_tabs.addTab(self.evidence_page, "Evidence and &priorities")
        from cypdesk.ui.tabs.needs_places_view import PlacesPage

        self.places_page = PlacesPage(self)
        self.views_tabs.addTab(self.places_page, "P&laces")
        outer.insertWidget(index, self.views_tabs, 1)
        self.views_tabs.currentChanged.connect(self._view_changed)
        self.evidence_page.indicator_chosen = self.show_indicator

        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(self.CHART_DELAY_MS)
        self._chart_timer.timeout.connect(self.draw_chart)
        self.view.setWordWrap(False)
        self.caption.setWordWrap(True)  # a locality's caption is long: it wraps rather than widen the window

    # --- reading the document ----------------------------------------------------------------
    def prepare(self) -> None:
        """Also import what the first read uses, while the worker opens the document."""
        from cypdesk.services import lookups, needs, settings

        del lookups, needs, settings  # imported now, for the first read; nothing to call yet
        super().prepare()

    def ensure_ready(self) -> None:
        if not self._stale or self.reader is None:
            return
        self._stale = False
        self._read()
        self.model = IndicatorTableModel(self.summaries, self.areas.home_name, self.view,  # type: ignore[assignment]
                                         place_name=self.place_name)
        self.view.setModel(self.model)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.sized = False
        self.load_options()
        self.form.set_read_only(True)
        self._show(None)
        self._update_caption()

    @property
    def level(self) -> str:
        """The confidence level the officer compares by: "95" or "99.8"."""
        bar = self.filter_bar
        return bar.level.currentData() if isinstance(bar, NeedsFilterBar) else "95"

    def _read(self) -> None:
        """The summaries the table shows: the trust's, or with a locality or ward chosen
        in the filter bar, that area's own (with the trust's beside them)."""
        from cypdesk.services.needs import indicator_summaries, resolve_areas

        self.areas = resolve_areas(self.reader)
        place = self.filter_bar.combos["locality"].currentData() if isinstance(self.filter_bar, NeedsFilterBar) \
            else None
        row = self.reader.execute("SELECT name FROM areas WHERE id = ?", (place,)).fetchone() if place else None
        self.place_id, self.place_name = (place, row[0]) if row else (None, None)
        if self.place_id is not None:
            from cypdesk.services.needs_places import place_summaries

            self.summaries = place_summaries(self.reader, self.place_id, home_area_id=self.areas.home_id,
                                             level=self.level)
        else:
            self.summaries = indicator_summaries(self.reader, home_area_id=self.areas.home_id,
                                                 comparator_set_id=self.areas.set_id, level=self.level)
        self._by_id = {s.indicator_id: s for s in self.summaries}

    def load_options(self) -> None:
        super().load_options()  # the form's group drop-down
        from cypdesk.services.lookups import options

        bar = self.filter_bar
        assert isinstance(bar, NeedsFilterBar)
        bar.set_options("outcome", _outcome_tree(self.reader))
        bar.set_options("group", options(self.reader, "groups"))
        bar.set_options("locality", _localities(self.reader, self.areas.home_id if self.areas else None))

    WIDTHS = (250, 62, 70, 70, 118, 112, 118, 150, 90)
    PLACE_WIDTHS = (250, 62, 70, 70, 70, 112, 112, 112, 150, 90)  # the place, the trust, England, two comparisons
    WRAP_NAMES = True  # an indicator's name is a sentence: shown whole, on two lines if need be

    def shown(self) -> None:
        """Read the document if not yet done; give the columns widths that show the
        comparisons beside the names (the officer's own widths are kept after)."""
        self.ensure_ready()
        self._size_columns()
        if self.model is not None and self.views_tabs.currentIndex() == 1:
            self.evidence_page.fill()

    def _size_columns(self) -> None:
        if self.model is not None and not self.sized:
            widths = self.PLACE_WIDTHS if self.place_name is not None else self.WIDTHS
            for col, width in enumerate(widths):
                self.view.setColumnWidth(col, width)
            self.sized = True
            self.fit_key_columns()

    def document_opened(self) -> None:
        self._forget_detail()
        super().document_opened()

    def document_closed(self) -> None:
        self._forget_detail()
        super().document_closed()
        self.summaries, self._by_id = [], {}
        self.place_id = self.place_name = None
        self.evidence_page.clear()
        self.places_page.clear()

    def _forget_detail(self) -> None:
        self._chart_timer.stop()
        self._chart_key = None
        self._commentary_for = None
        self._commentary_stored = ""
        if self._form is not None:
            self.commentary.blockSignals(True)
            self.commentary.setPlainText("")
            self.commentary.blockSignals(False)

    def refresh(self) -> None:
        """Re-read after a change anywhere (an edit, an undo, an import): the
        comparisons may have changed; the selected indicator stays selected."""
        if self.model is None:
            return
        keep = self.current_id
        self.load_options()  # first: the locality chosen may be gone
        self._read()
        self._set_rows()
        self._update_caption()
        if not self.select(keep):
            self._show(None)
        else:
            self._show(keep)
        self._fill_view()

    def _level_changed(self) -> None:
        settings = getattr(self.window_, "settings", None)
        if settings is not None:
            settings.set_ci_level(self.level)
        self._switch_place()  # read again at that level

    def _switch_place(self) -> None:
        """Another locality chosen (or none), or another confidence level: read the
        figures again and show them, keeping the selected indicator if the filter still
        shows it. One model reset; the columns
        take their set widths (fitting them to the rows would cost more than the read)."""
        if self.model is None:
            return
        keep = self.current_id
        self._read()
        self._set_rows()
        self._update_caption()
        if not self.select(keep):
            self._show(None)
        elif self.current_id == keep:
            self.load_sections(keep)  # the same indicator, another place's figures
        self._fill_view()

    def _set_rows(self) -> None:
        """Put the summaries read into the table (one reset, the filter applied), with the
        columns of the trust or of the place."""
        model = self._model()
        changed = model.place_name != self.place_name
        header = self.view.horizontalHeader()
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        model.set_summaries(self.summaries, self.place_name, self.areas.home_name if self.areas else None,
                            text=self.filter_bar.text.text(), keep=self._keep_ids(self.filter_bar.conditions()))
        if changed:
            header.blockSignals(True)
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            model.sort(0, Qt.SortOrder.AscendingOrder)
            widths = self.PLACE_WIDTHS if self.place_name is not None else self.WIDTHS
            metrics = header.fontMetrics()
            for col, width in enumerate(widths):  # wide enough for the heading (a place's name), cheaply
                label = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
                self.view.setColumnWidth(col, max(width, metrics.horizontalAdvance(label) + 28) if col else width)
        elif column >= 0:
            model.sort(column, order)

    def _fill_view(self) -> None:
        if self.views_tabs.currentIndex() == 1:
            self.evidence_page.fill()
        elif self.views_tabs.currentIndex() == 2:
            self.places_page.fill()

    def _model(self) -> IndicatorTableModel:
        assert isinstance(self.model, IndicatorTableModel)
        return self.model

    # --- filtering ---------------------------------------------------------------------------
    def _keep_ids(self, conditions: dict[str, Any]) -> set[str] | None:
        from cypdesk.services.needs import indicators_for_filter

        if not conditions:
            return None
        return set(indicators_for_filter(
            self.reader, outcome_id=conditions.get("outcome"), group_id=conditions.get("group"),
            area_id=conditions.get("locality"), worse_than_england=bool(conditions.get("worse_than_england")),
            summaries=self.summaries))

    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        if self.model is None:
            return
        if conditions.get("locality") != self.place_id:  # another place's figures, or the trust's
            self._switch_place()
            return
        keep = self.current_id
        self._model().set_filter(text, self._keep_ids(conditions))
        self._update_caption()
        if not self.select(keep):
            self._show(None)
        self._fill_view()

    def _refilter(self) -> None:
        self._model().set_filter(self.filter_bar.text.text(), self._keep_ids(self.filter_bar.conditions()))
        self._update_caption()

    def _update_caption(self) -> None:
        if self.model is None:
            self.caption.setText("")
            return
        shown = self._model().summaries()
        total = len(self.summaries)
        counts = {k: 0 for k in WORDS}
        for s in shown:
            counts[s.comparison.rating] += 1
        noun = "indicator" if total == 1 else "indicators"
        head = (f"{len(shown):,} of {total:,} {noun} {word_for(len(shown), 'matches', 'match')} the filter"
                if self._model().filtered else f"{total:,} {noun}")
        parts = [f"{counts['worse']} worse than England", f"{counts['similar']} similar", f"{counts['better']} better",
                 f"{counts['not_compared']} not compared"]
        text = f"{head}: " + ", ".join(parts)
        if not total:
            text = "No indicators in this document yet"
        elif self.areas is not None and self.areas.home_id is None:
            text += (". No area is marked as this trust's own (\u201cThis trust's area\u201d), so there are no "
                     "figures to compare")
        elif self.areas is not None and self.place_name is not None:
            text += (f". {self.place_name}'s own latest figures (indicators with figures for it or an area "
                     f"within it), beside {self.areas.home_name}'s and England's for the same period")
        elif self.areas is not None:
            text += f". Figures are {self.areas.home_name}'s latest"
        if total:
            text += f". Compared by {self.level}% CI"
        self.caption.setText(text + ".")

    def select(self, record_id: str | None) -> bool:
        if self.model is None or record_id is None:
            return False
        row = self._model().row_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def show_indicator(self, indicator_id: str) -> None:
        """Select an indicator in the table (from the evidence and priorities view),
        clearing the filter if it hides it."""
        self.views_tabs.setCurrentIndex(0)
        if not self.select(indicator_id):
            self.filter_bar.clear()
            self.select(indicator_id)
        self.view.setFocus()

    def _view_changed(self, index: int) -> None:
        self._fill_view()

    def choose_place(self, area_id: str) -> None:
        """Show a place's figures in the indicators table (from the Places view), keeping
        the selected indicator."""
        combo = self.filter_bar.combos["locality"]
        index = combo.findData(area_id)
        if index < 0:
            return
        self.views_tabs.setCurrentIndex(0)
        combo.setCurrentIndex(index)
        self.view.setFocus()

    # --- export ------------------------------------------------------------------------------
    def export_table(self) -> None:
        if self.model is None:
            return
        path = self.window_.choose_save_path("Export indicators", "indicators.xlsx",
                                             "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)")
        if not path:
            return
        from cypdesk.common.errors import CypdeskError
        from cypdesk.services.needs import export_summaries

        try:
            result = export_summaries(self._model().summaries(), path, home_name=self.place_name or self.areas.home_name,
                                      trust_name=self.areas.home_name if self.place_name else None)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not exported", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.window_.status(f"Exported {result['rows']:,} indicators to {path}")

    # --- the detail ----------------------------------------------------------------------------
    def build_sections(self) -> None:
        form = self.form  # built before this is called; shown last, under "About the indicator"
        self.sections.removeWidget(form)

        self.headline = _label("headline", "Latest figures")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.rating_chip = QLabel("")
        self.rating_chip.setObjectName("indicators_rating")
        self.rating_chip.setAccessibleDescription("Compared with England")
        self.method = _label("method", "How it was compared with England")
        self.neighbours_label = _label("neighbours", "Among the statistical neighbours")
        self.trend_label = _label("trend", "Trend")
        self.note_label = _label("note", "Later periods without a value")
        summary_box, layout = _box("Latest figures and comparisons", "figures")
        layout.addWidget(self.headline)
        row = QHBoxLayout()
        row.addWidget(self.rating_chip, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.method, 1)
        layout.addLayout(row)
        layout.addWidget(self.neighbours_label)
        layout.addWidget(self.trend_label)
        layout.addWidget(self.note_label)
        self.summary_box = summary_box

        from cypdesk.ui.widgets.chart_view import ChartView

        self.chart = ChartView("Trend chart")
        self.chart.setObjectName("indicators_chart")
        self.chart.description.setObjectName("indicators_chart_description")
        self.chart.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart.description.setStyleSheet("color: #383f43;")
        chart_box, layout = _box("Trend", "chart")
        layout.addWidget(self.chart)
        self.chart_box = chart_box

        commentary_box, layout = _box("The story behind the trend", "commentary")
        self.commentary = QPlainTextEdit()
        self.commentary.setObjectName("indicators_commentary")
        self.commentary.setAccessibleName("The story behind the trend")
        self.commentary.setToolTip("What the trend shows and why, as a report card tells it. "
                                   "Save it with Ctrl+Return; Edit > Undo takes it back.")
        self.commentary.setPlaceholderText("What the trend shows and why: what is working, what is not, "
                                           "what partners will do…")
        self.commentary.setTabChangesFocus(True)
        self.commentary.setMinimumHeight(70)
        self.commentary.setMaximumHeight(140)
        self.commentary.textChanged.connect(self._commentary_edited)
        layout.addWidget(self.commentary)
        buttons = QHBoxLayout()
        self.commentary_state = QLabel("")
        self.commentary_state.setObjectName("indicators_commentary_state")
        self.commentary_state.setAccessibleDescription("Commentary: state")
        self.commentary_state.setStyleSheet("color: #505a5f;")
        buttons.addWidget(self.commentary_state, 1)
        self.commentary_revert = QPushButton("Revert")
        self.commentary_revert.setObjectName("indicators_commentary_revert")
        self.commentary_revert.setAccessibleName("Revert the commentary")
        self.commentary_revert.setToolTip("Forget changes to the commentary not yet saved (Esc)")
        self.commentary_revert.clicked.connect(self.revert)
        self.commentary_save = QPushButton("Save commentary")
        self.commentary_save.setObjectName("indicators_commentary_save")
        self.commentary_save.setAccessibleName("Save the commentary")
        self.commentary_save.setToolTip("Save the commentary into the document (Ctrl+Return); Edit > Undo takes it back")
        self.commentary_save.clicked.connect(self.save_commentary)
        buttons.addWidget(self.commentary_revert)
        buttons.addWidget(self.commentary_save)
        layout.addLayout(buttons)
        self.commentary_box = commentary_box

        self.evidence_box, layout = _box("What children, families and staff said", "evidence")
        self.evidence_label = _label("evidence_list", "Evidence about the same outcomes or group")
        self.evidence_label.setOpenExternalLinks(False)
        layout.addWidget(self.evidence_label)
        self.priorities_box, layout = _box("Priorities that rest on this indicator", "priorities")
        self.priorities_label = _label("priorities_list", "Priorities that rest on this indicator")
        layout.addWidget(self.priorities_label)

        self.about_box, layout = _box("About the indicator", "about")
        about_note = QLabel("Indicators and their figures come from imports (Fingertips, DfE and others); "
                            "only the commentary is edited here.")
        about_note.setWordWrap(True)
        about_note.setStyleSheet("color: #505a5f;")
        layout.addWidget(about_note)
        layout.addWidget(form)

        self.guide_box, layout = _box("How to read the table", "guide")
        self.guide = _label("guide_text", "How to read the table")
        self.guide.setText(GUIDE)
        layout.addWidget(self.guide)

        for box in (self.guide_box, self.summary_box, self.chart_box, self.commentary_box, self.evidence_box,
                    self.priorities_box, self.about_box):
            self.add_section(box)

    def load_sections(self, record_id: str | None) -> None:
        self._leave_commentary(record_id)
        s = self._by_id.get(record_id) if record_id else None
        boxes = (self.summary_box, self.chart_box, self.commentary_box, self.evidence_box, self.priorities_box,
                 self.about_box)
        for box in boxes:
            box.setVisible(s is not None)
        self.guide_box.setVisible(s is None)
        if s is None:
            if not self.adding:
                self.detail_title.setText("Select an indicator to see its trend, comparisons and commentary")
            self._chart_timer.stop()
            self._chart_key = None
            self.chart.clear("")
            if self.views_tabs.currentIndex() == 2:
                self.places_page.fill()
            return
        self._show_figures(s)
        self._load_commentary(s.indicator_id)
        self._show_evidence(s)
        self._show_priorities(s)
        self._chart_timer.start()
        if self.views_tabs.currentIndex() == 2:
            self.places_page.fill()

    def _show_figures(self, s: Any) -> None:
        esc = html.escape
        trust_name = self.areas.home_name if self.areas else "The trust"
        home = self.place_name or trust_name
        if s.value is None:
            why = "only broken-down values (by sex, age, category or group)" if s.breakdown_only else "no value"
            self.headline.setText(f"<b>{esc(home)} has {why}</b>" + (f" ({esc(s.note)})" if s.note and
                                                                    not s.breakdown_only else ""))
        else:
            ci = f" (95% confidence interval {esc(s.ci_text)}" if s.ci_text else " (no confidence interval"
            if s.lower_ci_998 is not None and s.upper_ci_998 is not None:
                ci += (f"; 99.8%: {esc(format_value(s.lower_ci_998, s.unit, s.decimals))} to "
                       f"{esc(format_value(s.upper_ci_998, s.unit, s.decimals))}")
            ci += ")"
            england = f"England <b>{esc(s.england_text)}</b>" if s.england is not None else "no England value"
            trust = ""
            if self.place_name is not None:
                trust = (f"{esc(trust_name)} <b>{esc(s.trust_text)}</b>; " if s.trust is not None
                         else f"no {esc(trust_name)} value for the same period; ")
            unit = f" · {esc(s.unit_label)}" if s.unit_label and s.unit_label not in ("%", "£") else ""
            self.headline.setText(f"{esc(home)} {esc(s.period_label)}: <b>{esc(s.value_text)}</b>{ci}; "
                                  f"{trust}{england}{unit}")
        rating = s.comparison.rating
        self.rating_chip.setText(s.comparison.phrase_with_level)
        self.rating_chip.setStyleSheet(_chip_style(rating))
        self.rating_chip.setAccessibleDescription(f"Method: {s.comparison.method}")
        method = f"<b>Method:</b> {esc(s.comparison.method)}"
        if self.place_name is not None and s.against_trust is not None:
            method += (f"<br><b>{esc(s.against_trust.phrase_with_level)}</b>. "
                       f"<span style='color:#505a5f'>Method: {esc(s.against_trust.method)}.</span>")
        self.method.setText(method)
        area_set = self.areas.set_name if self.areas else "Statistical neighbours"
        if s.neighbours.rank is None:
            self.neighbours_label.setText(f"<b>{esc(area_set)}:</b> {esc(s.neighbours.method)}.")
        else:
            quartile = f", quartile {s.neighbours.quartile}" if s.neighbours.quartile else ""
            tie = " (tied)" if s.neighbours.tied else ""
            self.neighbours_label.setText(
                f"<b>{esc(area_set)}:</b> {esc(_ordinal_word(s.neighbours.rank))}{tie} of {s.neighbours.of}"
                f"{quartile}. <span style='color:#505a5f'>Method: {esc(s.neighbours.method)}.</span>")
        self.trend_label.setText(f"<b>Trend:</b> {esc(s.trend.word)}. "
                                 f"<span style='color:#505a5f'>Rule: {esc(s.trend.method)}.</span>")
        self.note_label.setText(f"<b>Later periods:</b> {esc(s.note)}" if s.note else "")
        self.note_label.setVisible(bool(s.note))

    def _show_evidence(self, s: Any) -> None:
        from cypdesk.services.needs import evidence_for

        items = evidence_for(self.reader, outcome_id=s.outcome_ids, group_id=s.group_id, match="any") \
            if (s.outcome_ids or s.group_id) else []
        self.evidence_label.setText(_evidence_html(items, "No evidence is tagged with this indicator's outcomes or "
                                                          "group yet."))

    def _show_priorities(self, s: Any) -> None:
        from cypdesk.services.needs import priorities_with_links

        found = priorities_with_links(self.reader, indicator_id=s.indicator_id, summaries=self.summaries)
        esc = html.escape
        lines = []
        for p in found:
            ref = f"<b>{esc(p.plan_reference)}</b> " if p.plan_reference else ""
            others = [f"{esc(i.name)} ({esc(WORDS[i.rating].lower())})" for i in p.indicators
                      if i.id != s.indicator_id]
            line = f"{ref}{esc(p.statement)} <i>({esc(p.status)})</i>"
            if p.rationale:
                line += f"<br><span style='color:#505a5f'>{esc(p.rationale)}</span>"
            if others:
                line += "<br>Also rests on: " + "; ".join(others)
            if p.evidence:
                line += "<br>Evidence: " + "; ".join(esc(t) for _i, t in p.evidence)
            lines.append(line)
        self.priorities_label.setText("<br><br>".join(lines) if lines else
                                      "<i>No priority rests on this indicator yet.</i>")

    # --- the chart ---------------------------------------------------------------------------------
    def draw_chart(self) -> None:
        """Draw the selected indicator's trend (on a short timer after a selection;
        tests call it directly). matplotlib is imported the first time."""
        self._chart_timer.stop()
        if self.current_id is None or self.reader is None or self._form is None:
            return
        ready = getattr(self.window_, "when_charts_ready", None)
        if ready is not None and not ready(self.draw_chart):
            return  # drawn once the worker has imported matplotlib
        from cypdesk.services.needs import trend

        if self.place_id is not None:  # the place's own values against England's
            data = trend(self.reader, self.current_id, home_area_id=self.place_id, neighbours=False)
        else:
            data = trend(self.reader, self.current_id, home_area_id=self.areas.home_id if self.areas else None,
                         comparator_set_id=self.areas.set_id if self.areas else None)
        if data is None:
            self.chart.clear("")
            return
        if self._chart_key == data and self.chart.figure is not None:
            return  # nothing the chart shows has changed (an edit of the commentary)
        from cypdesk.io.charts.trend import describe_trend, trend_figure

        self.trend_data = data
        self._chart_key = data
        if not data.points:
            self.chart.clear(describe_trend(data))
            return
        # The detail's title names the indicator; the chart's says what is drawn (papers
        # give the indicator's name instead).
        title = f"{data.home_name} against {data.england_name} and {_in_sentence(data.comparator_name)}"
        if self.place_id is not None:
            title = f"{data.home_name} against {data.england_name}"
        self.chart.show_figure(trend_figure(data, title=title, width_in=5.2), describe_trend(data))

    # --- the commentary ----------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return self.ws is not None and not self.ws.read_only

    def _load_commentary(self, indicator_id: str) -> None:
        from cypdesk.services.lookups import values_of

        values = values_of(self.reader, "indicators", indicator_id) or {}
        stored = values.get("commentary") or ""
        pending = self._commentary_for == indicator_id and self._commentary_pending()
        self._commentary_for = indicator_id
        self._commentary_stored = str(stored)
        if not pending:  # a refresh from elsewhere keeps what the officer is typing
            self.commentary.blockSignals(True)
            self.commentary.setPlainText(self._commentary_stored)
            self.commentary.blockSignals(False)
        self.commentary.setReadOnly(not self.writable)
        self._commentary_edited()

    def _commentary_pending(self) -> bool:
        return self._commentary_for is not None and self.commentary.toPlainText() != self._commentary_stored

    def _commentary_edited(self) -> None:
        pending = self._commentary_pending()
        self.commentary_save.setEnabled(self.writable and pending)
        self.commentary_revert.setEnabled(pending)
        if not self.writable:
            self.commentary_state.setText("The document is read-only.")
        elif pending:
            self.commentary_state.setText("Not saved yet.")
        else:
            self.commentary_state.setText("")

    def _leave_commentary(self, next_id: str | None) -> None:
        """Moving to another indicator with the commentary changed saves it (Edit > Undo
        takes it back), rather than dropping what was typed."""
        if self._commentary_for is None or self._commentary_for == next_id or not self._commentary_pending():
            return
        if not self.writable:
            return
        indicator_id, text = self._commentary_for, self.commentary.toPlainText()
        self._commentary_for = None
        QTimer.singleShot(0, lambda: self._save(indicator_id, text))

    def save_commentary(self) -> None:
        if self._commentary_for is None or not self._commentary_pending():
            return
        self._save(self._commentary_for, self.commentary.toPlainText())

    def _save(self, indicator_id: str, text: str) -> None:
        if not self.writable:
            return
        from cypdesk.common.errors import CypdeskError
        from cypdesk.services import records

        try:
            change = records.update(self.ws, "indicators", indicator_id, {"commentary": text})
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Commentary not saved", exc.message,
                             QMessageBox.StandardButton.Ok)
            return
        if indicator_id == self._commentary_for:
            self._commentary_stored = text
            self._commentary_edited()
        if change.after:
            self.window_.push(change, self)
            self.window_.status("Commentary saved; Edit > Undo takes it back")

    def apply(self) -> None:  # Ctrl+Return
        self.save_commentary()

    def revert(self) -> None:  # Esc in the detail
        if self._form is None or self._commentary_for is None:
            return
        self.commentary.setPlainText(self._commentary_stored)
        self._commentary_edited()

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if self._form is not None:
            self._commentary_edited()



# --- helpers -------------------------------------------------------------------------------------------

def _in_sentence(name: str) -> str:
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _ordinal_word(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _evidence_html(items: list[Any], empty: str) -> str:
    if not items:
        return f"<i>{html.escape(empty)}</i>"
    from cypdesk.common.formats import date_uk

    esc = html.escape
    lines = []
    for e in items:
        facts = ", ".join(x for x in (e.who, e.method, date_uk(e.held_on) if e.held_on else "",
                                       f"{e.participants:,} taking part" if e.participants else "") if x)
        summary = e.summary or ""
        if len(summary) > 260:
            summary = summary[:257].rsplit(" ", 1)[0] + "…"
        line = f"<b>{esc(e.title)}</b> <span style='color:#505a5f'>({esc(facts)})</span>"
        if summary:
            line += f"<br>{esc(summary)}"
        if e.tags:
            line += f"<br><span style='color:#505a5f'>Tags: {esc(e.tags_text())}</span>"
        lines.append(line)
    return "<br><br>".join(lines)
