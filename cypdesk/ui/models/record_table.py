"""A table model that reads lazily from SQLite through :class:`TableQuery`: it holds the
row count and a few cached pages of tuples, never all rows; sorting and filtering are
done in SQL (a QSortFilterProxyModel over a Python model is 240x slower at 100k rows)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from PySide6.QtGui import QBrush, QColor

from cypdesk.services.tables import TableQuery, display, ending_flag

# Pale backgrounds that keep black text readable (contrast above 12:1); the words
# beside them say the same for readers who cannot tell the colours apart.
FLAG_COLOURS = {"ended": "#e6e6e6", "within 6 months": "#fde2c4", "within 12 months": "#fff4c2"}

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the record's id: survives proxies and sorting
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # the native value

_Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    PAGE = 256
    MAX_PAGES = 16

    def __init__(self, query: TableQuery, parent: Any = None) -> None:
        super().__init__(parent)
        self.query = query
        self.today = date.today()
        self._count = query.count()
        self._pages: OrderedDict[int, list[tuple[str, tuple[Any, ...]]]] = OrderedDict()

    # --- shape ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.query.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.query.columns):
            column = self.query.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.help or column.label
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    # --- data ----------------------------------------------------------------------
    def _row(self, row: int) -> tuple[str, tuple[Any, ...]] | None:
        page_no = row // self.PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self.query.rows(page_no * self.PAGE, self.PAGE)
            self._pages[page_no] = page
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        offset = row - page_no * self.PAGE
        return page[offset] if offset < len(page) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:  # a screen reader hears the cell's tip
            return self.data(index, Qt.ItemDataRole.ToolTipRole)
        found = self._row(index.row())
        if found is None:
            return None
        record_id, values = found
        column = self.query.columns[index.column()]
        value = values[index.column()]
        if column.kind == "contract_end":
            flag = ending_flag(value, self.today)
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                text = display(column, value)
                return f"{text} · {flag}" if flag else text
            if role == Qt.ItemDataRole.BackgroundRole and flag:
                return QBrush(QColor(FLAG_COLOURS[flag]))
            if role == Qt.ItemDataRole.ToolTipRole and flag:
                return f"The contract ends {display(column, value)}: {flag}."
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return display(column, value)
        if role == ID_ROLE:
            return record_id
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- sorting and filtering in SQL ---------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self.query.set_sort(column if column >= 0 else None, order == Qt.SortOrder.DescendingOrder)
        self._pages.clear()
        self.layoutChanged.emit()

    def set_filter(self, text: str = "", **conditions: Any) -> None:
        self.beginResetModel()
        self.query.set_filter(text, **conditions)
        self._count = self.query.count()
        self._pages.clear()
        self.endResetModel()

    def refresh(self) -> None:
        self.set_filter(self.query.filter_text, **self.query.conditions)
