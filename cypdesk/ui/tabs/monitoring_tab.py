"""The Monitoring tab (framework step 9): performance measures and their ratings, the
action plan, the risk register, and what needs reviewing.

Four views, like the Services tab's register and map:

- **Measures**: the register of measures (how much did we do, how well did we do it,
  is anyone better off) of services, contracts, priorities and teams, with the latest
  actual, the target and the rating, word and colour, the rule on hover. Filter by
  kind and by rating. Beside it the measure's fields, its actuals by period (each with
  its rating; added and changed in a dialog, undone by Edit > Undo), a trend chart,
  and for a service the worst rating of its measures.
- **Action plan**: the commissioning strategy's actions as in seed 004 (number,
  action, plan reference, owner, progress, report to board, status), overdue ones
  flagged in words and colour; edited in the form beside it.
- **Risk register**: score (likelihood × impact), trend, owner, review date and the
  records each risk is linked to, highest score first; edited in the form beside it.
- **Review**: services red for two periods running (with buttons that start an action
  or a decommissioning record), contracts ending within 6 and 12 months, reviews due
  and overdue actions.

The ratings use the document's scale (RAG or the five-level trajectory scale), which
the switch above the views changes for the whole document (undoable). The rules are in
:mod:`cypdesk.services.monitoring`. The toolbar's Add, Duplicate, Delete and Export act
on the view that is showing.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.model.catalog import CATALOG
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.monitoring.actions import ActionPage
from cypdesk.ui.tabs.monitoring.measures import MeasureQuery, MeasureTableModel
# OVERDUE_FILL is not used here: the tests read it (and the views' indices) from this module.
from cypdesk.ui.tabs.monitoring.pages import (
    ACTIONS, MEASURES, OVERDUE_FILL, RATING_FILLS, REVIEW, RISKS, chip, _fmt, _item, _table,
)
from cypdesk.ui.tabs.monitoring.review import ReviewPage
from cypdesk.ui.tabs.monitoring.risks import RiskPage
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec
from cypdesk.ui.undo import DoneCommand
from cypdesk.ui.widgets.record_form import HINT_STYLE

SPEC = specs.MONITORING


class _Section(QGroupBox):
    def __init__(self, title: str, name: str, buttons: list[tuple[str, str, Any]] = ()) -> None:  # type: ignore[assignment]
        super().__init__(title)
        self.setObjectName(f"measures_{name}_section")
        self.setAccessibleName(title)
        self.body = QVBoxLayout(self)
        self.summary = QLabel("")
        self.summary.setObjectName(f"measures_{name}_summary")
        self.summary.setAccessibleDescription(f"{title}: summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.summary)
        self.buttons: dict[str, QPushButton] = {}
        if buttons:
            row = QHBoxLayout()
            row.addStretch(1)
            for key, text, slot in buttons:
                button = QPushButton(text)
                button.setObjectName(f"measures_{name}_{key}")
                button.setAccessibleName(text.replace("&", "").replace("…", ""))
                button.clicked.connect(slot)
                row.addWidget(button)
                self.buttons[key] = button
            self.body.addLayout(row)


class MonitoringTab(RecordTab):
    detail: Any = None  # the selected measure's MeasureRating
    WRAP_NAMES = True  # a long measure wraps rather than pushing its rating and figures off the table

    def __init__(self, spec: TabSpec, window: Any) -> None:
        super().__init__(spec, window)
        self.scale = "rag"
        self._today: date | None = None  # tests and screenshots may fix the day
        # The rating filter sits with the kind filter; the filter bar treats it as one of its own.
        self.rating_filter = QComboBox()
        self.rating_filter.setObjectName("measures_filter_rating")
        self.rating_filter.setAccessibleName("Filter by rating")
        self.rating_filter.currentIndexChanged.connect(lambda _i: self.filter_bar.apply_now())
        self.filter_bar.insert_combo("rating", "Rating", self.rating_filter)
        self.filter_bar.combos["rating"] = self.rating_filter
        self._fill_rating_filter()

        outer = self.layout()
        index = outer.indexOf(self.splitter)
        outer.removeWidget(self.splitter)
        self.views_tabs = QTabWidget()
        self.views_tabs.setObjectName("monitoring_views")
        self.views_tabs.setAccessibleName("Measures, action plan, risk register or review")
        self.views_tabs.addTab(self.splitter, "Measures and rat&ings")
        self.action_page = ActionPage(self)
        self.views_tabs.addTab(self.action_page, "A&ction plan")
        self.risk_page = RiskPage(self)
        self.views_tabs.addTab(self.risk_page, "Ris&k register")
        self.review_page = ReviewPage(self)
        self.views_tabs.addTab(self.review_page, "Re&view")
        for page in (self.action_page, self.risk_page):
            page.selection_changed.connect(lambda _id: self._update_caption())

        corner = QWidget()
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 4, 2)
        scale_label = QLabel("Rating sca&le:")
        self.scale_switch = QComboBox()
        self.scale_switch.setObjectName("monitoring_scale")
        self.scale_switch.setAccessibleName("Rating scale")
        self.scale_switch.setToolTip("How the whole document rates measures: red, amber, green, or the five-level "
                                     "trajectory scale. A document setting; Undo takes it back.")
        from cypdesk.services.monitoring import SCALE_WORDS

        for value, words in SCALE_WORDS.items():
            self.scale_switch.addItem(words, value)
        scale_label.setBuddy(self.scale_switch)
        self.scale_switch.currentIndexChanged.connect(self._scale_chosen)
        corner_layout.addWidget(scale_label)
        corner_layout.addWidget(self.scale_switch)
        self.views_tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        outer.insertWidget(index, self.views_tabs, 1)
        self.views_tabs.currentChanged.connect(self._view_changed)

    # --- the day (the demo is anchored on a day; tests fix it) -------------------------------------
    def today(self) -> date:
        return self._today or date.today()

    def set_today(self, day: date | None) -> None:
        self._today = day
        self.refresh()

    # --- the views ---------------------------------------------------------------------------
    def view_index(self) -> int:
        return self.views_tabs.currentIndex()

    def show_view(self, index: int) -> None:
        self.views_tabs.setCurrentIndex(index)

    def _page(self) -> Any:
        pages = {ACTIONS: getattr(self, "action_page", None), RISKS: getattr(self, "risk_page", None),
                 REVIEW: getattr(self, "review_page", None)}
        return pages.get(self.view_index())

    def _view_changed(self, index: int) -> None:
        previous = getattr(self, "_view_shown", MEASURES)
        if previous != index and not self._leave_view(previous):
            self.views_tabs.blockSignals(True)  # typing that is not valid: back to its view, message shown
            self.views_tabs.setCurrentIndex(previous)
            self.views_tabs.blockSignals(False)
            return
        self._view_shown = index
        page = self._page()
        if page is not None and hasattr(page, "tab_order"):
            page.tab_order(self.filter_bar.text)
        elif page is None and self._form is not None:
            self.set_tab_order()
        for name in ("kind", "rating"):
            if name in self.filter_bar.combos:
                self.filter_bar.show_combo(name, index == MEASURES)
        self.filter_bar.set_find_hint({ACTIONS: "action, reference, owner or status",
                                       RISKS: "risk, owner, level or trend"}.get(index, self.spec.find_hint))
        self.filter_bar.text.setEnabled(index != REVIEW)  # the Review view is short lists, not a table to search
        page = self._page()
        if page is None and self.model is not None:
            RecordTab._filter(self, self.filter_bar.text.text(), self.filter_bar.conditions())
        if page is not None and (page.stale or page is self.review_page) and self.reader is not None:
            page.refresh()
        if page is not None and hasattr(page, "apply_filter"):
            page.apply_filter(self.filter_bar.text.text())
        self._update_caption()
        self._update_buttons()

    def _fill_rating_filter(self) -> None:
        from cypdesk.services.monitoring import NOT_RATED, ORDER, WORDS

        current = self.rating_filter.currentData()
        self.rating_filter.blockSignals(True)
        self.rating_filter.clear()
        self.rating_filter.addItem("Any rating", None)
        for value in (*reversed(ORDER[self.scale]), NOT_RATED[self.scale]):
            self.rating_filter.addItem(WORDS[value], value)
        self.rating_filter.setCurrentIndex(max(self.rating_filter.findData(current), 0))
        self.rating_filter.blockSignals(False)

    # --- reading the document ------------------------------------------------------------------
    def _read_scale(self) -> None:
        from cypdesk.services.monitoring import document_scale

        scale = document_scale(self.reader) if self.reader is not None else "rag"
        changed = scale != self.scale
        self.scale = scale
        self.scale_switch.blockSignals(True)
        self.scale_switch.setCurrentIndex(max(self.scale_switch.findData(scale), 0))
        self.scale_switch.blockSignals(False)
        self.scale_switch.setEnabled(self.editable)
        if changed:
            self._fill_rating_filter()

    def _rate(self) -> None:
        from cypdesk.services.monitoring import measure_ratings

        if self.model is None:
            return
        self.model.query.set_ratings(measure_ratings(self.reader, scale=self.scale), self.scale)

    def ensure_ready(self) -> None:
        if not self._stale or self.reader is None:
            return
        self._stale = False
        self._read_scale()
        query = MeasureQuery(self.reader, self.spec.columns or ["name", "kind"])
        self.model = MeasureTableModel(query, self.view)
        self._rate()
        self.view.setModel(self.model)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.sized = False
        self.load_options()
        self.form.set_read_only(not self.editable)
        self._show(None)
        for page in (self.action_page, self.risk_page, self.review_page):
            page.stale = True
        page = self._page()
        if page is not None:
            page.refresh()
        self._update_caption()

    def document_closed(self) -> None:
        super().document_closed()
        for page in (self.action_page, self.risk_page, self.review_page):
            page.clear()
        self.views_tabs.setCurrentIndex(MEASURES)
        self.caption.setText("")

    def refresh(self) -> None:
        if self.model is None:
            return
        before = self.scale
        self._read_scale()
        if self.scale != before:  # a rating chosen in the filter belongs to the other scale
            self.model.query.set_filter(self.filter_bar.text.text(), **self.filter_bar.conditions())
        self._rate()
        super().refresh()
        page = self._page()
        for other in (self.action_page, self.risk_page, self.review_page):
            if other is page:
                other.refresh()
            else:
                other.stale = True
        self._update_caption()

    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        page = self._page()
        if page is not None and hasattr(page, "filtered"):
            page.filtered(text)
            self._update_caption()
            return
        if page is not None and hasattr(page, "apply_filter"):
            page.apply_filter(text)
            self._update_caption()
            return
        super()._filter(text, conditions)

    def shown(self) -> None:
        sized = self.sized
        super().shown()
        if self.model is not None and not sized:  # room for the longest word of either scale
            at = next(i for i, c in enumerate(self.model.query.columns) if c.name == "rating")
            self.view.setColumnWidth(at, max(self.view.columnWidth(at), self.view.fontMetrics().horizontalAdvance(
                "Not assessed") + 24))

    def _update_caption(self) -> None:
        page = self._page()
        if page is not None:
            if hasattr(page, "caption") and self.reader is not None:
                self.caption.setText(page.caption())
            else:
                self.caption.setText("")
            return
        super()._update_caption()
        if self.model is None:
            return
        from cypdesk.services.monitoring import NOT_RATED, ORDER, WORDS

        ratings = self.model.query.ratings
        counts: dict[str, int] = {}
        for mid in self.model.query.ids():
            if mid in ratings:
                value = ratings[mid].rating.value
                counts[value] = counts.get(value, 0) + 1
        order = [*ORDER[self.scale], NOT_RATED[self.scale]]
        words = ", ".join(f"{counts[v]} {WORDS[v].lower()}" for v in order if counts.get(v))
        if words:
            self.caption.setText(f"{self.caption.text()}: {words}")

    # --- the toolbar acts on the view that shows ------------------------------------------------
    def _update_buttons(self) -> None:
        page = self._page() if hasattr(self, "views_tabs") else None
        if page is None or not hasattr(page, "form"):
            super()._update_buttons()
            if page is not None:  # the Review view: nothing to add or delete
                for name in ("add", "duplicate", "delete"):
                    self.buttons[name].setEnabled(False)
            return
        editable = self.editable
        has = page.current_id is not None and page.is_shown(page.current_id)
        self.buttons["add"].setEnabled(editable)
        self.buttons["duplicate"].setEnabled(editable and has)
        self.buttons["delete"].setEnabled(editable and has)
        self.buttons["export"].setEnabled(self.model is not None)

    def list_widget(self) -> QWidget:
        page = self._page() if hasattr(self, "views_tabs") else None
        return page.table if page is not None and hasattr(page, "table") and hasattr(page, "form") else self.view

    def focus_editor(self) -> None:
        page = self._page()
        if page is not None and hasattr(page, "focus_editor"):
            page.focus_editor()
        elif page is None:
            super().focus_editor()

    def _leave_view(self, index: int) -> bool:
        """Typing in the view being left is applied first (False: not valid, it stays)."""
        if index == MEASURES:
            return RecordTab.commit_pending(self)
        page = {ACTIONS: self.action_page, RISKS: self.risk_page}.get(index)
        return page is None or page.commit_pending()

    def has_pending(self) -> bool:
        return super().has_pending() or any(page.has_pending() for page in (self.action_page, self.risk_page))

    def commit_pending(self) -> bool:
        """Typing in the measures' editor and in the action plan's and risk register's."""
        for page in (self.action_page, self.risk_page):
            if not page.commit_pending():
                self.show_view(ACTIONS if page is self.action_page else RISKS)
                return False
        if not super().commit_pending():
            self.show_view(MEASURES)
            return False
        return True

    def apply(self) -> None:
        """Ctrl+Return and Apply act on the view that is showing."""
        page = self._page()
        if page is not None and hasattr(page, "apply"):
            page.apply()
            return
        super().apply()

    def revert(self) -> None:
        page = self._page()
        if page is not None and hasattr(page, "revert"):
            page.revert()
            return
        super().revert()

    def add_record(self) -> None:
        page = self._page()
        if page is None:
            super().add_record()
        elif hasattr(page, "add"):
            page.add()

    def duplicate_record(self) -> None:
        page = self._page()
        if page is None:
            super().duplicate_record()
        elif hasattr(page, "duplicate"):
            page.duplicate()

    def delete_record(self) -> None:
        page = self._page()
        if page is None:
            super().delete_record()
        elif hasattr(page, "delete"):
            page.delete()

    def export_table(self) -> None:
        if self.model is None:
            return
        page = self._page()
        if page is self.review_page:
            page = None
            index = MEASURES
        else:
            index = self.view_index()
        names = {MEASURES: "performance measures", ACTIONS: "action plan", RISKS: "risk register"}
        name = names.get(index, "performance measures")
        path = self.window_.choose_save_path(f"Export the {name}", f"{name}.xlsx",
                                             "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)")
        if not path:
            return
        headers, rows = page.export_rows() if page is not None else self._measure_rows()

        def work(_progress: Any) -> Any:
            from cypdesk.services.monitoring_edit import export_rows

            return export_rows(path, name.capitalize(), headers, rows)

        self.window_.run_task(f"Exporting the {name}…", work,
                              lambda result: self.window_.status(f"Exported {result['rows']:,} rows to {path}"),
                              path=path, doing="export to")

    def _measure_rows(self) -> tuple[list[str], list[list[Any]]]:
        from cypdesk.services.monitoring import KIND_WORDS

        headers = ["Measure", "Kind", "Of", "Unit", "Polarity", "Target", "Tolerance", "Tolerance is",
                   "Latest period", "Latest actual", "Rating", "Rule"]
        ratings = self.model.query.ratings
        rows = []
        polarity = {"higher_better": "Higher is better", "lower_better": "Lower is better",
                    "no_judgement": "No judgement"}
        for mid in self.model.query.ids():
            m = ratings.get(mid)
            if m is None:
                continue
            rows.append([m.name, KIND_WORDS.get(m.kind or "", ""), m.owner_words, m.unit,
                         polarity.get(m.polarity, m.polarity), m.target, m.tolerance,
                         "Percentage of target" if m.tolerance_kind == "percent" else "Absolute amount",
                         m.latest.label if m.latest else None, m.latest.actual if m.latest else None,
                         m.rating.word, m.rating.rule])
        return headers, rows

    # --- the rating scale ---------------------------------------------------------------------
    def _scale_chosen(self, _index: int) -> None:
        from cypdesk.services.monitoring import SCALE_WORDS
        from cypdesk.services.monitoring_edit import set_rating_scale

        scale = self.scale_switch.currentData()
        if scale == self.scale or not self.editable:
            self._read_scale()
            return
        old = self.scale
        ws = self.ws
        try:
            change = set_rating_scale(ws, scale)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not changed", exc.message, QMessageBox.StandardButton.Ok)
            self._read_scale()
            return
        if not change.after:
            return
        self.window_.push_command(DoneCommand(f"Change the rating scale to {SCALE_WORDS[scale]}",
                                              lambda: set_rating_scale(ws, scale),
                                              lambda: set_rating_scale(ws, old), self.window_.refresh_all))
        self.window_.status(f"Measures are now rated on the {SCALE_WORDS[scale].lower().replace('rag', 'RAG')} scale; "
                            "Undo takes it back.")

    # --- the measure's detail ----------------------------------------------------------------------
    def build_sections(self) -> None:
        self.rating_section = _Section("Rating", "rating")
        self.actuals_section = _Section("Actuals by period", "actuals",
                                        [("add", "Add an actual…", self.add_actual),
                                         ("edit", "Edit the actual…", self.edit_actual)])
        self.actuals_table = _table("measures_actuals_table", "Actuals by period",
                                    ["Period", "Actual", "Rating", "Commentary"])
        self.actuals_table.setWordWrap(False)
        self.actuals_table.verticalHeader().setDefaultSectionSize(22)
        self.actuals_table.doubleClicked.connect(lambda _i: self.edit_actual())
        self.actuals_table.horizontalHeader().setStretchLastSection(True)
        self.actuals_section.body.insertWidget(1, self.actuals_table)
        self.trend_section = _Section("Trend", "trend")
        from cypdesk.ui.widgets.chart_view import ChartView

        self.chart = ChartView("Trend of the measure")
        self.chart.setObjectName("measures_trend_chart")
        self.trend_section.body.insertWidget(0, self.chart)
        self.trend_section.summary.hide()
        # Performance first (the rating, the actuals, the trend), then the measure's own fields.
        for at, section in enumerate((self.rating_section, self.actuals_section, self.trend_section)):
            self.sections.insertWidget(at, section)

    def load_sections(self, record_id: str | None) -> None:
        measure = self.model.query.ratings.get(record_id) if (record_id and self.model is not None) else None
        self.detail = measure
        for section in (self.rating_section, self.actuals_section, self.trend_section):
            section.setVisible(measure is not None)
        if measure is None:
            self.chart.clear()
            return
        self._fill_rating(measure)
        self._fill_actuals(measure)
        self._fill_chart(measure)

    def _fill_rating(self, m: Any) -> None:
        from cypdesk.services.monitoring import service_ratings

        rating = m.rating
        period = f" in {html.escape(m.latest.label)}" if m.latest else ""
        lines = [f"{chip(rating.value, rating.word)}{period}", html.escape(rating.rule)]
        if m.service_id:
            found = service_ratings(self.reader, self.scale).get(m.service_id)
            if found is not None:
                lines.append(f"<b>Service</b> {html.escape(found.service)}: {chip(found.rating.value, found.summary)}")
        elif m.owner_kind:
            lines.append(f"<span style='{HINT_STYLE}'>{html.escape(m.owner_words)}</span>")
        self.rating_section.summary.setText("<br>".join(lines))
        self.rating_section.summary.setToolTip(rating.rule)

    def _fill_actuals(self, m: Any) -> None:
        table = self.actuals_table
        history = list(reversed(m.history))  # the latest first
        table.setRowCount(len(history))
        for row, p in enumerate(history):
            table.setItem(row, 0, _item(p.label, p.measurement_id))
            actual = _item(_fmt(p.actual, m.unit) if p.actual is not None else "none", p.measurement_id)
            actual.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, actual)
            table.setItem(row, 2, _item(p.rating.word, p.measurement_id, fill=RATING_FILLS.get(p.rating.value),
                                        tip=p.rating.rule, bold=True))
            table.setItem(row, 3, _item(p.commentary or "", p.measurement_id, tip=p.commentary or None))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        rows = min(len(history), 8)
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + sum(table.rowHeight(r) for r in range(rows))
                             + 2 * table.frameWidth() + 2)
        table.setVisible(bool(history))
        self.actuals_section.summary.setText("" if history else "<i>No actual recorded yet.</i>")
        self.actuals_section.summary.setVisible(not history)
        self.actuals_section.buttons["add"].setEnabled(self.editable)
        self.actuals_section.buttons["edit"].setEnabled(self.editable and bool(history))

    def _fill_chart(self, m: Any) -> None:
        from cypdesk.io.charts.ratings import describe_sparkline, sparkline_figure

        values = [p.actual for p in m.history]
        keys = [p.rating.value for p in m.history]
        labels = [p.label for p in m.history]
        if not values:
            self.chart.clear("No actuals recorded yet.")
            return
        target = m.target if m.polarity != "no_judgement" else None
        fig = sparkline_figure(values, keys, labels=labels, target=target, unit=m.unit, width_in=4.2, height_in=1.9)
        self.chart.show_figure(fig, describe_sparkline(values, keys, labels=labels, target=target, unit=m.unit))

    # --- actuals -------------------------------------------------------------------------------
    def _selected_actual(self) -> Any:
        if self.detail is None or not self.detail.history:
            return None
        row = self.actuals_table.currentRow()
        history = list(reversed(self.detail.history))
        return history[row] if 0 <= row < len(history) else history[0]

    def add_actual(self) -> None:
        from cypdesk.common.periods import Period

        if self.detail is None or not self.editable:
            return
        period = ""
        if self.detail.latest is not None:
            try:
                period = Period.from_key(self.detail.latest.period).next().key()
            except ValueError:
                period = ""
        self._actual_dialog("Add an actual", {"period": period} if period else {}, None)

    def edit_actual(self) -> None:
        chosen = self._selected_actual()
        if chosen is None or not self.editable:
            return
        values = {"id": chosen.measurement_id, "period": chosen.period, "actual": chosen.actual,
                  "commentary": chosen.commentary}
        self._actual_dialog(f"The actual for {chosen.label}", values, chosen.measurement_id)

    def _actual_dialog(self, title: str, values: dict[str, Any], measurement_id: str | None) -> None:
        from cypdesk.services.monitoring_edit import save_actual
        from cypdesk.ui.dialogs.links import RecordDialog, confirm_future_period

        measure_id = self.detail.id
        dialog = RecordDialog(title, "measurements", values, {},
                              lambda v: save_actual(self.ws, measure_id, v, measurement_id),
                              ["period", "actual", "commentary"], self, subject=self.detail.name,
                              confirm=confirm_future_period(self.window_, "measurements", self.today))
        self._offer_periods(dialog.form)
        if self.window_.run_dialog(dialog) and dialog.result_change is not None and (
                dialog.result_change.op == "create" or dialog.result_change.after):
            self.window_.push(dialog.result_change, self)

    def _offer_periods(self, form: Any) -> None:
        """The period list of an actual's dialog: the measure's own kind of period
        (months, quarters, years) around today, the chosen one kept."""
        from cypdesk.ui.widgets.record_form import recent_periods

        row = self.reader.execute("SELECT frequency FROM measures WHERE id = ?", (self.detail.id,)).fetchone()
        kind = {"monthly": "month", "quarterly": "financial_quarter", "annual": "financial_year",
                "termly": "academic_year"}.get(row[0] if row else "", "financial_quarter")
        form.set_periods("period", recent_periods(kind, self.today()))

    # --- red twice: start an action or a decommissioning record ---------------------------------------
    def _options(self, kind: str) -> dict[str, list[tuple[str, str]]]:
        from cypdesk.services.lookups import options

        return {f["name"]: options(self.reader, f["references"]) for f in CATALOG[kind]["fields"]
                if f["kind"] == "reference" and not f.get("system") and f.get("references") in CATALOG}

    def start_action(self, service_id: str) -> None:
        """Add an action for a service red twice, in a dialog filled in with a suggestion;
        then show it in the Action plan."""
        from cypdesk.services.monitoring_edit import start_action_for, suggest_action
        from cypdesk.ui.dialogs.links import RecordDialog

        if not self.editable:
            return
        suggestion = suggest_action(self.reader, service_id, self.today())
        ws = self.ws
        dialog = RecordDialog("Start an action", "actions", suggestion, self._options("actions"),
                              lambda values: start_action_for(ws, service_id, values), None, self)
        if not (self.window_.run_dialog(dialog) and dialog.result_change is not None):
            return
        change = dialog.result_change
        self.window_.push(change, self)
        self.show_view(ACTIONS)
        self.action_page.refresh()
        self.action_page.select(change.id)
        self.window_.status(f"Added action {suggestion.get('number', '')} to the action plan; Undo removes it.")

    def start_decommissioning(self, service_id: str) -> None:
        """Start a decommissioning decision for a service red twice, in a dialog; then
        show it in the Services tab."""
        from cypdesk.services.monitoring_edit import start_decommissioning_for, suggest_decommissioning
        from cypdesk.ui.dialogs.links import RecordDialog

        if not self.editable:
            return
        existing = self.reader.execute("SELECT count(*) FROM decommissioning WHERE service_id = ?",
                                       (service_id,)).fetchone()[0]
        if existing:
            answer = self.window_.ask(
                QMessageBox.Icon.Question, "A decision is already recorded",
                "This service already has a decommissioning decision. Open it in the Services tab instead?",
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Open:
                self.open_service(service_id)
            return
        ws = self.ws
        fields = [f["name"] for f in CATALOG["decommissioning"]["fields"]
                  if not f.get("system") and f["name"] != "service_id"]
        dialog = RecordDialog("Start a decommissioning record", "decommissioning", suggest_decommissioning(
            self.reader, service_id), self._options("decommissioning"),
            lambda values: start_decommissioning_for(ws, service_id, values), fields, self)
        if not (self.window_.run_dialog(dialog) and dialog.result_change is not None):
            return
        self.window_.push(dialog.result_change, self)
        self.open_service(service_id)
        self.window_.status("Started a decommissioning decision (being considered); Undo removes it.")

    def open_service(self, service_id: str) -> None:
        self.window_.open_record("services", service_id)

    def open_agreement(self, agreement_id: str) -> None:
        self.window_.open_record("agreements", agreement_id)
