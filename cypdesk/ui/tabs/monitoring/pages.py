"""What the Monitoring tab's views share: the fills and words for ratings, statuses and
levels, the views' indices, small tables and their cells, and :class:`RecordPage`, a
list of records with the record's form beside it (the action plan, the risk register)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame, QHeaderView, QLabel, QMessageBox, QScrollArea, QSplitter, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError, ValidationError
from cypdesk.io.charts.style import RATING_COLOURS
from cypdesk.model.catalog import CATALOG
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.record_tab import apply_revert_row, chain, focus_first_field
from cypdesk.ui.widgets.read_only_table import read_only_table

if TYPE_CHECKING:
    from cypdesk.ui.tabs.monitoring_tab import MonitoringTab

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


# The tab's views, in the order of their tabs.
MEASURES, ACTIONS, RISKS, REVIEW = range(4)


# --- a list of records with a form beside it (the action plan, the risk register) --------------

def _table(name: str, accessible: str, headers: list[str]) -> QTableWidget:
    table = read_only_table(name, accessible, headers)
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
