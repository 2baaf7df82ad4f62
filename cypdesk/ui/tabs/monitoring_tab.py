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

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError, ValidationError
from cypdesk.common.formats import plural, word_for
from cypdesk.io.charts.style import RATING_COLOURS
from cypdesk.model.catalog import CATALOG
from cypdesk.services.tables import Column, TableQuery
from cypdesk.ui.models.record_table import ID_ROLE, RecordTableModel
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec, apply_revert_row, chain, focus_first_field
from cypdesk.ui.undo import DoneCommand

SPEC = TabSpec("&Monitoring", "measures", "Performance measures", "performance measures",
               columns=["name", "kind"], filters=["kind"],
               find_hint="measure, what it is of, or kind",
               key_columns=["name", "rating", "latest_actual", "target", "latest_period"],
               defaults={"kind": "how_well", "polarity": "higher_better", "frequency": "quarterly",
                         "tolerance_kind": "percent"})

# Pale fills that keep black text readable; the word beside each says the same.
RATING_FILLS = {
    "green": "#cce2d8", "amber": "#fce1cf", "red": "#f6d7d2", "not_rated": "#eeefef",
    "ahead": "#b7d5c5", "on_course": "#cce2d8", "slippage": "#fce1cf", "no_progress": "#f6d7d2",
    "not_assessed": "#eeefef",
}
# Strong colours for the chip beside a rating's word (the word is always there).
RATING_STRONG = RATING_COLOURS
STATUS_FILLS = {"on_track": "#cce2d8", "at_risk": "#fce1cf", "off_track": "#f6d7d2", "done": "#eeefef"}
LEVEL_FILLS = {"low": "#cce2d8", "medium": "#fff4c2", "high": "#fce1cf", "very high": "#f6d7d2"}
TREND_ARROWS = {"rising": "▲", "falling": "▼", "steady": "▶", "new": "•"}
OVERDUE_FILL = "#f6d7d2"
ENDING_FILLS = {0: "#e6e6e6", 6: "#fde2c4", 12: "#fff4c2"}
WARNING_STYLE = "color: #a4262c;"  # dark red, 6.9:1 on white; the words say what is wrong
HINT_STYLE = "color: #505050;"

RATING_SORT_ROLE = Qt.ItemDataRole.UserRole + 3


def _q(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _fmt(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text + ("%" if unit == "%" else "")


def chip(key: str, word: str) -> str:
    """A rating as rich text: a coloured square and the word, bold."""
    colour = RATING_STRONG.get(key, "#b1b4b6")
    return f"<span style='color:{colour}; font-size: 14pt;'>&#9632;</span> <b>{html.escape(word)}</b>"


# --- the measures table: the register's SQL table with the ratings beside it --------------------

OWNER_SQL = ("COALESCE((SELECT s.name FROM services s WHERE s.id = t.service_id), "
             "(SELECT COALESCE(c.reference || ' (' || cs.name || ')', c.reference, cs.name) FROM contracts c "
             "LEFT JOIN services cs ON cs.id = c.service_id WHERE c.id = t.contract_id), "
             "(SELECT COALESCE(p.plan_reference || ': ' || p.statement, p.statement) FROM priorities p "
             "WHERE p.id = t.priority_id), (SELECT tm.name FROM teams tm WHERE tm.id = t.team_id))")
LATEST = ("(SELECT m.{col} FROM measurements m WHERE m.measure_id = t.id "
          "ORDER BY m.period_start DESC, m.period DESC LIMIT 1)")


class MeasureQuery(TableQuery):
    """The measures register (sorted and filtered in SQL like every table) with what is
    computed beside it: whom the measure is of, its latest period and actual, and the
    rating, which sorts worst first and filters by its value."""

    def __init__(self, conn: Any, columns: list[str]) -> None:
        super().__init__(conn, "measures", columns)
        self.ratings: dict[str, Any] = {}  # measure id -> MeasureRating
        self.scale = "rag"
        own = {c.name: c for c in self.columns}
        extra = {c.name: c for c in (
            Column("rating", "Rating", "rating", "The latest period's rating; hover for the rule.", None, "0"),
            Column("latest_actual", "Latest actual", "number", "The actual for the latest period.", None,
                   LATEST.format(col="actual")),
            Column("target", "Target", "number", "The target the actual is compared with.", None, "t.target"),
            Column("latest_period", "Latest period", "period", "The latest period with a measurement.", None,
                   LATEST.format(col="period")),
            Column("owner", "Of", "text", "The service, contract, priority or team the measure is of.", None, OWNER_SQL),
        )}
        # The measure, then what an officer scans for: its rating, actual and target.
        first = [own.pop("name")] if "name" in own else []
        self.columns = first + list(extra.values()) + list(own.values())

    def set_ratings(self, ratings: list[Any], scale: str) -> None:
        from cypdesk.services.monitoring import ORDER

        self.ratings = {m.id: m for m in ratings}
        self.scale = scale
        order = ORDER[scale]
        cases = " ".join(f"WHEN {_q(m.id)} THEN {order.index(m.rating.value) if m.rating.value in order else len(order)}"
                         for m in ratings)
        sql = f"(CASE t.id {cases} ELSE {len(order)} END)" if cases else "0"
        at = next(i for i, c in enumerate(self.columns) if c.name == "rating")
        self.columns[at] = Column("rating", "Rating", "rating", self.columns[at].help, None, sql)
        self._count = None

    def _where(self) -> tuple[str, list[Any]]:
        saved = self.conditions
        rating = saved.get("rating")
        self.conditions = {k: v for k, v in saved.items() if k != "rating"}
        try:
            where, params = super()._where()
        finally:
            self.conditions = saved
        if rating:
            ids = [mid for mid, m in self.ratings.items() if m.rating.value == rating]
            clause = f"t.id IN ({', '.join('?' * len(ids))})" if ids else "0"
            where = (where + " AND " if where else " WHERE ") + clause
            params = [*params, *ids]
        return where, params


class MeasureTableModel(RecordTableModel):
    """The register's model, with the rating written as a word on its colour, the rule
    on hover, and actuals and targets in the measure's unit."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:  # a screen reader hears the cell's tip (the rule)
            return self.data(index, Qt.ItemDataRole.ToolTipRole)
        column = self.query.columns[index.column()]
        if column.name not in ("rating", "latest_actual", "target"):
            return super().data(index, role)
        found = self._row(index.row())
        if found is None:
            return None
        record_id, values = found
        if role == ID_ROLE:
            return record_id
        measure = self.query.ratings.get(record_id)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.name != "rating":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if measure is None:
            return super().data(index, role)
        if column.name == "rating":
            rating = measure.rating
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return rating.word
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(RATING_FILLS.get(rating.value, "#ffffff")))
            if role == Qt.ItemDataRole.ToolTipRole:
                period = f" ({measure.latest.label})" if measure.latest else ""
                return f"{rating.rule}{'' if not period else chr(10) + 'Latest period' + period + '.'}"
            if role == RATING_SORT_ROLE:
                return rating.rank
            return None
        value = values[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _fmt(value, measure.unit)
        if role == Qt.ItemDataRole.ToolTipRole and column.name == "latest_actual" and measure.latest:
            return measure.latest.commentary or None
        return super().data(index, role)


# --- a list of records with a form beside it (the action plan, the risk register) --------------

def _table(name: str, accessible: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _item(text: str, record_id: str | None = None, *, fill: str | None = None, tip: str | None = None,
          bold: bool = False, sort: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if record_id is not None:
        item.setData(ID_ROLE, record_id)
    if fill:
        item.setBackground(QBrush(QColor(fill)))
        item.setForeground(QBrush(QColor("#0b0c0c")))
    if tip:
        item.setToolTip(tip)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    if sort is not None:
        item.setData(RATING_SORT_ROLE, sort)
    return item


class RecordPage(QWidget):
    """A table of records of one kind (the rows a services function gives) with the
    record's form beside it. Add, delete and apply go through the services and onto
    the window's undo stack, like the register's."""

    selection_changed = Signal(object)

    def __init__(self, tab: MonitoringTab, kind: str, name: str, accessible: str, headers: list[str],
                 widths: list[int], noun: str) -> None:
        super().__init__()
        self.tab = tab
        self.kind = kind
        self.noun = noun
        self.setObjectName(f"monitoring_{name}_page")
        self.rows: list[Any] = []
        self.current_id: str | None = None
        self.adding = False
        self.stale = True
        self.filter_text = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName(f"monitoring_{name}_splitter")
        self.table = _table(f"monitoring_{name}_table", accessible, headers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.widths = widths
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(self._row_changed)
        self.splitter.addWidget(self.table)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel("")
        self.title.setObjectName(f"monitoring_{name}_title")
        self.title.setAccessibleDescription(f"The selected {CATALOG[kind]['label']}")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.title.setWordWrap(True)
        detail_layout.addWidget(self.title)
        self.note = QLabel("")
        self.note.setObjectName(f"monitoring_{name}_note")
        self.note.setAccessibleDescription(f"{accessible}: about the selected {CATALOG[kind]['label']}")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.hide()
        detail_layout.addWidget(self.note)
        from cypdesk.ui.widgets.record_form import RecordForm

        self.form = RecordForm(kind)
        self.form.changed.connect(self.update_buttons)
        self.form.changed.connect(self.tab.window_.update_title)  # the title's * shows typing not yet applied
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own: Tab goes to the fields
        scroll.setAccessibleName(f"Details of the selected {CATALOG[kind]['label']}")
        scroll.setWidget(self.form)
        detail_layout.addWidget(scroll, 1)
        buttons, self.apply_button, self.revert_button = apply_revert_row(f"monitoring_{name}", self.apply, self.revert)
        detail_layout.addLayout(buttons)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), detail, activated=self.revert)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):  # the selected record's editor
            QShortcut(QKeySequence(key), self.table, activated=self.focus_editor,
                      context=Qt.ShortcutContext.WidgetShortcut)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([660, 340])  # the table is the main work, as on the register
        layout.addWidget(self.splitter, 1)
        self._show(None)

    # --- rows -----------------------------------------------------------------------------
    def load_rows(self) -> list[Any]:  # pragma: no cover - each page says how
        raise NotImplementedError

    def fill_row(self, row: int, record: Any) -> None:  # pragma: no cover
        raise NotImplementedError

    def note_for(self, record: Any) -> str:
        return ""

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:  # pragma: no cover
        raise NotImplementedError

    def clear(self) -> None:
        """Forget the rows (the document was closed)."""
        self.rows = []
        self.adding = False
        self.table.setRowCount(0)
        self.stale = True
        self._show(None)

    def refresh(self) -> None:
        """Re-read the rows, keeping the selected record selected."""
        if self.tab.reader is None:
            self.clear()
            return
        self.stale = False
        keep = self.current_id
        self.rows = self.load_rows()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for row, record in enumerate(self.rows):
            self.fill_row(row, record)
        self.table.blockSignals(False)
        self.apply_filter(self.filter_text)
        self.form.set_read_only(not self.tab.editable)
        self._load_options()
        if self.adding:
            return
        if not self.select(keep):
            self._show(None)

    def _load_options(self) -> None:
        from cypdesk.services.lookups import options

        for spec in self.form.specs:
            if spec["kind"] == "reference" and spec.get("references") in CATALOG:
                self.form.set_options(spec["name"], options(self.tab.reader, spec["references"]))

    def apply_filter(self, text: str) -> None:
        self.filter_text = text.strip().casefold()
        for row in range(self.table.rowCount()):
            shown = not self.filter_text or any(
                self.filter_text in (self.table.item(row, col).text().casefold() if self.table.item(row, col) else "")
                for col in range(self.table.columnCount()))
            self.table.setRowHidden(row, not shown)

    def filtered(self, text: str) -> None:
        """Find typed: typing is applied first; a record the filter hides leaves the editor,
        so nothing acts on a record the officer cannot see."""
        self.commit_pending()
        self.apply_filter(text)
        row = self.row_of(self.current_id)
        if self.current_id is not None and (row is None or self.table.isRowHidden(row)) and not self.has_pending():
            self.table.blockSignals(True)
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
            self.table.blockSignals(False)
            self._show(None)

    def focus_editor(self) -> None:
        if self.current_id is not None or self.adding:
            focus_first_field(self.form, self)

    def tab_order(self, find: QWidget) -> None:
        """Tab from Find to this view's table, then its form, Revert and Apply."""
        chain([find, self.table, *self.form.editors.values(), self.revert_button, self.apply_button])

    def is_shown(self, record_id: str | None) -> bool:
        row = self.row_of(record_id)
        return row is not None and not self.table.isRowHidden(row)

    def has_pending(self) -> bool:
        if not self.tab.editable or (self.current_id is None and not self.adding):
            return False
        return bool(self.form.changed_values())

    def commit_pending(self) -> bool:
        """Apply typing before the officer moves away (False: not valid, the message shows)."""
        if not self.has_pending():
            self.adding = False
            return True
        return self.apply()

    def _back_to_current(self) -> None:
        row = self.row_of(self.current_id)
        self.table.blockSignals(True)
        if row is None:
            self.table.clearSelection()
        else:
            self.table.setCurrentCell(row, 0, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
        self.table.blockSignals(False)

    def shown_count(self) -> int:
        return sum(1 for row in range(self.table.rowCount()) if not self.table.isRowHidden(row))

    def row_of(self, record_id: str | None) -> int | None:
        for row, record in enumerate(self.rows):
            if record.id == record_id:
                return row
        return None

    def select(self, record_id: str | None) -> bool:
        row = self.row_of(record_id)
        if row is None:
            return False
        if self.table.isRowHidden(row):
            self.tab.filter_bar.clear()
        self.table.setCurrentCell(row, 0, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollToItem(self.table.item(row, 0))
        if self.current_id != record_id:
            self._show(record_id)
        return True

    def _row_changed(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        record_id = self.rows[row].id if 0 <= row < len(self.rows) else None
        if record_id == self.current_id and not self.adding:
            return
        if self.has_pending():
            if not self.commit_pending():  # not valid: the officer stays on the record
                self._back_to_current()
                QTimer.singleShot(0, self._back_to_current)  # after the click has selected
                return
            if record_id is not None:
                self.select(record_id)
                return
        self.adding = False
        self._show(record_id)

    def _show(self, record_id: str | None) -> None:
        from cypdesk.services.lookups import values_of

        self.current_id = record_id
        values = values_of(self.tab.reader, self.kind, record_id) if (record_id and self.tab.reader) else None
        if values is None:
            self.current_id = None
        self.form.load(values)
        self.form.setEnabled(values is not None)
        label = CATALOG[self.kind]["label"]
        record = next((r for r in self.rows if r.id == self.current_id), None)
        self.title.setText(self.heading(record) if record else f"Select an {label} to see it here"
                           if label[0] in "aeiou" else f"Select a {label} to see it here")
        note = self.note_for(record) if record else ""
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.update_buttons()
        self.selection_changed.emit(self.current_id)

    def heading(self, record: Any) -> str:
        return ""

    # --- editing ----------------------------------------------------------------------------
    def update_buttons(self) -> None:
        editable = self.tab.editable
        pending = bool(self.form.changed_values()) if (self.current_id or self.adding) else False
        self.apply_button.setEnabled(editable and (pending or self.adding))
        self.revert_button.setEnabled(pending or self.adding)
        self.tab._update_buttons()

    def add(self) -> None:
        if not self.tab.editable or not self.commit_pending():
            return
        self.table.clearSelection()
        self.current_id = None
        self.adding = True
        self.form.setEnabled(True)
        self.form.load(self.defaults())
        self.title.setText(f"New {CATALOG[self.kind]['label']}")
        self.note.hide()
        self.update_buttons()
        next(iter(self.form.editors.values())).setFocus()

    def defaults(self) -> dict[str, Any]:
        return {}

    def apply(self) -> bool:
        """Apply the form's typing; False when it was refused (the message is shown)."""
        if not self.tab.editable or (self.current_id is None and not self.adding):
            return True
        from cypdesk.services import records

        try:
            if self.adding:
                values = {k: v for k, v in self.form.raw_values().items() if v not in ("", None)}
                change = records.create(self.tab.ws, self.kind, values)
            else:
                values = self.form.changed_values()
                if not values:
                    return True
                change = records.update(self.tab.ws, self.kind, self.current_id, values)
        except ValidationError as exc:
            self.form.show_problems(exc.facts.get("problems", []))
            return False
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not saved", exc.message, QMessageBox.StandardButton.Ok)
            return False
        self.adding = False
        self.current_id = change.id
        self.tab.window_.push(change, self.tab)
        self.select(change.id)
        self._show(self.current_id)  # the form holds what was applied: nothing is pending any more
        return True

    def revert(self) -> None:
        self.adding = False
        self._show(self.current_id)
        self.tab.window_.update_title()

    def duplicate(self) -> None:
        if not (self.tab.editable and self.is_shown(self.current_id)) or not self.commit_pending():
            return
        from cypdesk.services import records

        values = records.get(self.tab.ws, self.kind, self.current_id)
        editable = records.editable_fields(records.kind_of(self.kind))
        copy = {k: v for k, v in values.items() if k in editable}
        self.copy_adjust(copy)
        try:
            change = records.create(self.tab.ws, self.kind, copy)
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not copied", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.current_id = change.id
        self.tab.window_.push(change, self.tab)
        self.select(change.id)

    def copy_adjust(self, values: dict[str, Any]) -> None:
        """A copy's changes from the original (a new number, say)."""

    def delete(self) -> None:
        if not (self.tab.editable and self.is_shown(self.current_id)):  # never a record the list hides
            return
        from cypdesk.services import records
        from cypdesk.services.lookups import title_of

        label = CATALOG[self.kind]["label"]
        title = title_of(self.tab.reader, self.kind, self.current_id) or self.current_id
        answer = self.tab.window_.ask(
            QMessageBox.Icon.Question, f"Delete {label}",
            f"Delete the {label} “{title}”?\n\nEdit > Undo brings it back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = records.delete(self.tab.ws, self.kind, self.current_id)
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.current_id = None
        self.tab.window_.push(change, self.tab)


class ActionPage(RecordPage):
    """The action plan (seed 004's table) with overdue actions flagged."""

    # Seed 004's columns, with the status and the due date (where "overdue" shows) before
    # the long progress notes, so they are in view without scrolling.
    HEADERS = ["No.", "Action", "Plan ref.", "Owner", "Status", "Due", "Report to board", "Progress"]

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__(tab, "actions", "actions", "Action plan", self.HEADERS,
                         [40, 230, 64, 110, 76, 176, 104, 300], "actions")

    def load_rows(self) -> list[Any]:
        from cypdesk.services.monitoring import action_plan

        return action_plan(self.tab.reader, self.tab.today())

    def fill_row(self, row: int, a: Any) -> None:
        from cypdesk.common.formats import date_uk

        t = self.table
        t.setItem(row, 0, _item(a.number or "", a.id))
        t.setItem(row, 1, _item(a.action, a.id, tip=a.action))
        t.setItem(row, 2, _item(a.plan_reference or "", a.id))
        t.setItem(row, 3, _item(a.owner or "", a.id))
        t.setItem(row, 4, _item(a.status_words, a.id, fill=STATUS_FILLS.get(a.status)))
        if a.overdue:
            days = (self.tab.today() - a.overdue_since).days
            when = "due date" if a.due_date else "report-to-board date (no due date recorded)"
            t.setItem(row, 5, _item(a.overdue_words, a.id, fill=OVERDUE_FILL, bold=True,
                                    tip=f"Not done, and its {when} {date_uk(a.overdue_since)} has passed: "
                                        f"{days} day{'s' if days != 1 else ''} overdue."))
        else:
            t.setItem(row, 5, _item(date_uk(a.due_date), a.id))
        t.setItem(row, 6, _item(date_uk(a.report_to_board), a.id))
        t.setItem(row, 7, _item(a.progress or "", a.id, tip=a.progress or None))

    def heading(self, a: Any) -> str:
        return f"Action {a.number}" if a.number else "Action"

    def note_for(self, a: Any) -> str:
        if a.overdue:
            return f"<span style='{WARNING_STYLE}'><b>{html.escape(a.overdue_words)}</b>: not done yet.</span>"
        return ""

    def defaults(self) -> dict[str, Any]:
        from cypdesk.services.monitoring import next_action_number

        return {"number": next_action_number(self.tab.reader), "status": "not_started"}

    def copy_adjust(self, values: dict[str, Any]) -> None:
        from cypdesk.services.monitoring import next_action_number

        values["number"] = next_action_number(self.tab.reader)
        values["status"] = "not_started"
        values.pop("completed_on", None)

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["No.", "Action", "Plan reference", "Owner", "Progress", "Report to board", "Due", "Status",
                   "Overdue"]
        return headers, [[a.number, a.action, a.plan_reference, a.owner, a.progress, a.report_to_board, a.due_date,
                          a.status_words, a.overdue_words] for a in self._visible()]

    def _visible(self) -> list[Any]:
        return [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]

    def caption(self) -> str:
        rows = self._visible()
        overdue = sum(1 for a in rows if a.overdue)
        done = sum(1 for a in rows if a.status == "done")
        off = sum(1 for a in rows if a.status == "off_track")
        filtered = f" {word_for(len(rows), 'matches', 'match')} the filter" if self.filter_text else ""
        return (f"{plural(len(rows), 'action')}{filtered}: {overdue} overdue, {off} off track, "
                f"{done} done")


class RiskPage(RecordPage):
    """The risk register, highest score first."""

    HEADERS = ["Score", "Trend", "Risk", "Owner", "Review date", "Linked to", "Target"]

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__(tab, "risks", "risks", "Risk register", self.HEADERS,
                         [120, 130, 330, 130, 90, 260, 60], "risks")

    def load_rows(self) -> list[Any]:
        from cypdesk.services.monitoring import risk_register

        return risk_register(self.tab.reader)

    def fill_row(self, row: int, r: Any) -> None:
        from cypdesk.common.formats import date_uk

        t = self.table
        t.setItem(row, 0, _item(f"{r.score} · {r.level.capitalize()}", r.id, fill=LEVEL_FILLS.get(r.level), bold=True,
                                tip=f"Likelihood {r.likelihood} × impact {r.impact} = {r.score} ({r.level}). "
                                    "1-4 low, 5-9 medium, 10-14 high, 15-25 very high."))
        t.setItem(row, 1, _item(f"{TREND_ARROWS[r.trend]} {r.trend_words}", r.id))
        t.setItem(row, 2, _item(r.description, r.id, tip=r.description))
        t.setItem(row, 3, _item(r.owner or "", r.id))
        overdue = r.review_date is not None and r.review_date < self.tab.today()
        t.setItem(row, 4, _item(date_uk(r.review_date) + (" · overdue" if overdue else ""), r.id,
                                fill=OVERDUE_FILL if overdue else None))
        t.setItem(row, 5, _item(r.links_words, r.id, tip=r.links_words or None))
        t.setItem(row, 6, _item("" if r.target_score is None else str(r.target_score), r.id))

    def heading(self, r: Any) -> str:
        return f"Risk scoring {r.score} ({r.level})"

    def note_for(self, r: Any) -> str:
        parts = [f"<b>Score {r.score}</b> = likelihood {r.likelihood} × impact {r.impact} ({html.escape(r.level)}); "
                 f"{html.escape(r.trend_words.lower())}."]
        if r.target_score is not None:
            parts.append(f"Target score {r.target_score}.")
        if r.links:
            parts.append("Linked to " + html.escape(r.links_words) + ".")
        return " ".join(parts)

    def defaults(self) -> dict[str, Any]:
        return {"likelihood": 3, "impact": 3}

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["Score", "Level", "Trend", "Risk", "Owner", "Likelihood", "Impact", "Previous score",
                   "Target score", "Mitigation", "Review date", "Linked to"]
        rows = [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]
        return headers, [[r.score, r.level, r.trend_words, r.description, r.owner, r.likelihood, r.impact,
                          r.previous_score, r.target_score, r.mitigation, r.review_date, r.links_words] for r in rows]

    def caption(self) -> str:
        rows = [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]
        high = sum(1 for r in rows if r.score >= 15)
        rising = sum(1 for r in rows if r.trend == "rising")
        filtered = f" {word_for(len(rows), 'matches', 'match')} the filter" if self.filter_text else ""
        return f"{plural(len(rows), 'risk')}{filtered}: {high} very high, {rising} rising"


# --- the Review view ---------------------------------------------------------------------------

class ReviewPage(QWidget):
    """What needs a decision: services red twice, contracts ending, reviews due and
    overdue actions."""

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("monitoring_review_page")
        self.stale = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName("What needs reviewing")
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.body.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # scroll rather than squeeze
        scroll.setWidget(inner)
        outer.addWidget(scroll)

        self.red_box = QGroupBox("Services red for two periods running: candidates for review")
        self.red_box.setObjectName("monitoring_red_twice")
        self.red_box.setAccessibleName("Services red for two periods running")
        self.red_layout = QVBoxLayout(self.red_box)
        self.body.addWidget(self.red_box)
        self.red_rows: dict[str, tuple[QPushButton, QPushButton]] = {}

        self.ending_box = QGroupBox("Contracts ending")
        self.ending_box.setObjectName("monitoring_contracts_ending")
        self.ending_box.setAccessibleName("Contracts ending")
        ending_layout = QVBoxLayout(self.ending_box)
        self.ending_summary = QLabel("")
        self.ending_summary.setWordWrap(True)
        ending_layout.addWidget(self.ending_summary)
        self.ending_table = _table("monitoring_ending_table", "Contracts ending",
                                   ["Service", "Contract", "Ends", "When"])
        self.ending_table.cellDoubleClicked.connect(self._open_contract)
        ending_layout.addWidget(self.ending_table)
        self.body.addWidget(self.ending_box)

        self.reviews_box = QGroupBox("Reviews due in the next 30 days, and overdue")
        self.reviews_box.setObjectName("monitoring_reviews_due")
        self.reviews_box.setAccessibleName("Reviews due")
        reviews_layout = QVBoxLayout(self.reviews_box)
        self.reviews_summary = QLabel("")
        self.reviews_summary.setWordWrap(True)
        reviews_layout.addWidget(self.reviews_summary)
        self.reviews_table = _table("monitoring_reviews_table", "Reviews due", ["What", "Title", "Review"])
        self.reviews_table.cellDoubleClicked.connect(self._open_review)
        reviews_layout.addWidget(self.reviews_table)
        self.body.addWidget(self.reviews_box)

        self.overdue_box = QGroupBox("Overdue actions")
        self.overdue_box.setObjectName("monitoring_overdue_actions")
        self.overdue_box.setAccessibleName("Overdue actions")
        overdue_layout = QVBoxLayout(self.overdue_box)
        self.overdue_table = _table("monitoring_overdue_table", "Overdue actions", ["No.", "Action", "Owner", "Flag"])
        self.overdue_table.cellDoubleClicked.connect(self._open_action)
        overdue_layout.addWidget(self.overdue_table)
        self.body.addWidget(self.overdue_box)
        self.body.addStretch(1)
        hint = QLabel("Double-click a row to open it where it lives.")
        hint.setStyleSheet(HINT_STYLE)
        self.body.addWidget(hint)
        self.reviews: list[Any] = []
        self.ending: list[Any] = []
        self.overdue: list[Any] = []
        self.red: list[Any] = []

    def refresh(self) -> None:
        from cypdesk.common.formats import date_uk
        from cypdesk.services.monitoring import (
            REVIEW_KIND_WORDS, contracts_ending, overdue_actions, red_two_periods, reviews_due,
        )

        reader = self.tab.reader
        while self.red_layout.count():
            item = self.red_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.red_rows = {}
        if reader is None:
            self.clear()
            return
        self.stale = False
        today = self.tab.today()
        self.red = red_two_periods(reader)
        services = [r for r in self.red if r.service_id]
        others = [r for r in self.red if not r.service_id]
        if not services:
            empty = QLabel("No service has been red for its two latest periods.")
            empty.setStyleSheet(HINT_STYLE)
            self.red_layout.addWidget(empty)
        for red in services:
            row = QFrame()
            row.setObjectName("monitoring_red_row")
            row.setFrameShape(QFrame.Shape.StyledPanel)
            line = QHBoxLayout(row)
            text = QLabel(f"{chip('red', 'Red')} twice &nbsp;<b>{html.escape(red.owner)}</b><br>"
                          f"<span style='{HINT_STYLE}'>{html.escape(red.summary)}</span>")
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setAccessibleDescription(f"{red.owner}: red for two periods running")
            line.addWidget(text, 1)
            action = QPushButton("Start an action…")
            action.setObjectName("monitoring_start_action")
            action.setAccessibleName(f"Start an action for {red.owner}")
            action.setToolTip("Add an action to the action plan for this service (Undo removes it)")
            action.clicked.connect(lambda _c=False, sid=red.service_id: self.tab.start_action(sid))
            decom = QPushButton("Start a decommissioning record…")
            decom.setObjectName("monitoring_start_decommissioning")
            decom.setAccessibleName(f"Start a decommissioning record for {red.owner}")
            decom.setToolTip("Record a decommissioning decision, being considered, in the Services tab (Undo removes it)")
            decom.clicked.connect(lambda _c=False, sid=red.service_id: self.tab.start_decommissioning(sid))
            for button in (action, decom):
                button.setEnabled(self.tab.editable)
                line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.red_layout.addWidget(row)
            self.red_rows[red.service_id] = (action, decom)
        if others:
            words = "; ".join(f"{html.escape(r.owner)} ({html.escape(r.summary)})" for r in others)
            more = QLabel(f"<b>Also red for two periods running</b> (not services): {words}")
            more.setTextFormat(Qt.TextFormat.RichText)
            more.setWordWrap(True)
            self.red_layout.addWidget(more)

        ending, expired = contracts_ending(reader, today)
        self.ending = list(ending) + list(expired)
        six = sum(1 for c in ending if c.within == 6)
        self.ending_summary.setText(
            f"{plural(len(ending), 'contract')} {word_for(len(ending), 'ends', 'end')} within 12 months "
            f"({six} within 6 months)"
            + (f"; {len(expired)} ended and not replaced." if expired else "."))
        self.ending_table.setRowCount(len(self.ending))
        for row, c in enumerate(self.ending):
            when = ("ended" if c.within == 0 else f"within {c.within} months")
            words = (f"Ended {date_uk(c.end_date)}, not replaced" if c.within == 0 else
                     f"{when.capitalize()} ({c.days_left} days)")
            self.ending_table.setItem(row, 0, _item(c.service, c.contract_id))
            self.ending_table.setItem(row, 1, _item(c.reference or "", c.contract_id))
            self.ending_table.setItem(row, 2, _item(date_uk(c.end_date), c.contract_id))
            self.ending_table.setItem(row, 3, _item(words, c.contract_id, fill=ENDING_FILLS.get(c.within)))
        _fit(self.ending_table, 0)

        self.reviews = reviews_due(reader, today, 30)
        late = sum(1 for r in self.reviews if r.overdue)
        self.reviews_summary.setText(f"{len(self.reviews)} review{'s' if len(self.reviews) != 1 else ''} due, "
                                     f"{late} of them overdue.")
        self.reviews_table.setRowCount(len(self.reviews))
        for row, r in enumerate(self.reviews):
            self.reviews_table.setItem(row, 0, _item(REVIEW_KIND_WORDS[r.kind], r.id))
            self.reviews_table.setItem(row, 1, _item(r.title, r.id, tip=r.title))
            self.reviews_table.setItem(row, 2, _item(r.words, r.id, fill=OVERDUE_FILL if r.overdue else None,
                                                     bold=r.overdue))
        _fit(self.reviews_table, 1)

        self.overdue = overdue_actions(reader, today)
        self.overdue_table.setRowCount(len(self.overdue))
        for row, a in enumerate(self.overdue):
            self.overdue_table.setItem(row, 0, _item(a.number or "", a.id))
            self.overdue_table.setItem(row, 1, _item(a.action, a.id, tip=a.action))
            self.overdue_table.setItem(row, 2, _item(a.owner or "", a.id))
            self.overdue_table.setItem(row, 3, _item(a.overdue_words, a.id, fill=OVERDUE_FILL, bold=True))
        self.overdue_box.setTitle(f"Overdue actions ({len(self.overdue)})")
        _fit(self.overdue_table, 1)

    def clear(self) -> None:
        """Forget what was shown (the document was closed)."""
        while self.red_layout.count():
            item = self.red_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.red_rows = {}
        for table in (self.ending_table, self.reviews_table, self.overdue_table):
            table.setRowCount(0)
        self.red, self.ending, self.reviews, self.overdue = [], [], [], []
        self.stale = True

    def caption(self) -> str:
        services = sum(1 for r in self.red if r.service_id)
        ending = sum(1 for c in self.ending if c.within)
        return (f"{services} service{'s' if services != 1 else ''} red for two periods running, "
                f"{ending} contract{'s' if ending != 1 else ''} ending within 12 months, "
                f"{len(self.reviews)} review{'s' if len(self.reviews) != 1 else ''} due, "
                f"{len(self.overdue)} overdue action{'s' if len(self.overdue) != 1 else ''}")

    def _open_contract(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.ending):
            self.tab.open_service(self.ending[row].service_id)

    def _open_review(self, row: int, _col: int) -> None:
        if not 0 <= row < len(self.reviews):
            return
        r = self.reviews[row]
        if r.kind == "risk":
            self.tab.show_view(RISKS)
            self.tab.risk_page.select(r.id)
        elif r.kind == "contract" and r.service_id:
            self.tab.open_service(r.service_id)
        elif r.kind == "agreement":
            self.tab.open_agreement(r.id)

    def _open_action(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.overdue):
            self.tab.show_view(ACTIONS)
            self.tab.action_page.select(self.overdue[row].id)


def _fit(table: QTableWidget, stretch: int = 0, most_rows: int = 12) -> None:
    """A small table as tall as its rows, up to ``most_rows`` (then it scrolls), with
    column ``stretch`` taking the spare width."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    rows = min(table.rowCount(), most_rows)
    height = max(header.sizeHint().height(), 20) + sum(table.rowHeight(r) for r in range(rows))
    table.setFixedHeight(height + 2 * table.frameWidth() + 2)
    table.setVisible(table.rowCount() > 0)


MEASURES, ACTIONS, RISKS, REVIEW = range(4)


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
            from cypdesk.services.monitoring import export_rows

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
        from cypdesk.services.monitoring import SCALE_WORDS, set_rating_scale

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
        from cypdesk.services.monitoring import save_actual
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
        from cypdesk.services.monitoring import start_action_for, suggest_action
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
        from cypdesk.services.monitoring import start_decommissioning_for, suggest_decommissioning
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
