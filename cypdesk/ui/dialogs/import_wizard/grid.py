"""The wizard's tables: the source's rows as a grid (Excel's row numbers down the side,
column letters and headings across), with the heading row or the cells that have
problems marked, and the list of problems.

A marked cell is told three ways: its background, a tooltip with the reason, and its
accessible description ("Problem: ...") for a screen reader; colour is never the only
sign (the problem list says the same, by row and column).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from cypdesk.io.tablefind import column_letter

PROBLEM_BACKGROUND = QColor("#f8d7da")  # light red; the text stays black (12:1)
HEADING_BACKGROUND = QColor("#dbe9f7")  # light blue: the heading row found
HIDDEN_FOREGROUND = QColor("#505050")    # a hidden row: grey italic, and "hidden" by its number

Index = QModelIndex | QPersistentModelIndex


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "day"):
        return value.strftime("%d/%m/%Y %H:%M" if hasattr(value, "hour") and (value.hour or value.minute)
                              else "%d/%m/%Y")
    return str(value)


class SourceGridModel(QAbstractTableModel):
    """Rows of the source (objects with ``number``, ``values``, ``hidden``), with
    ``headers`` across (for the raw sheet: the column letters only)."""

    def __init__(self, headers: list[str], letters: list[str], rows: list[Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers, self.letters, self.rows = list(headers), list(letters), list(rows)
        self.cell_problems: dict[tuple[int, int], str] = {}   # (row index, column) -> reasons
        self.row_problems: dict[int, str] = {}                # row index -> reasons (no column)
        self.heading_rows: set[int] = set()                   # Excel numbers of the heading row(s)
        self._columns = max(len(self.headers), max((len(r.values) for r in self.rows), default=0))
        self._row_index: dict[int, list[int]] = {}
        for i, row in enumerate(self.rows):
            self._row_index.setdefault(row.number, []).append(i)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._columns

    def indexes_of_row(self, number: int) -> list[int]:
        """Indexes in the grid of the source row with this Excel number (an unpivoted
        table has several)."""
        return self._row_index.get(number, [])

    def column_of(self, letter: str | None, header: str | None) -> int | None:
        if letter and letter in self.letters:
            return self.letters.index(letter)
        if header is not None and header in self.headers:
            return self.headers.index(header)
        return None

    def mark_problems(self, problems: list[Any]) -> None:
        """Mark the cells (or rows, when a problem names no column) of ``problems``."""
        self.beginResetModel()
        self.cell_problems.clear()
        self.row_problems.clear()
        for p in problems:
            if p.row is None:
                continue
            column = self.column_of(p.column, p.header)
            for i in self.indexes_of_row(p.row):
                if column is None:
                    self.row_problems[i] = _join(self.row_problems.get(i), p.reason)
                else:
                    self.cell_problems[(i, column)] = _join(self.cell_problems.get((i, column)), p.reason)
        self.endResetModel()

    def problem_at(self, row: int, column: int) -> str | None:
        return self.cell_problems.get((row, column)) or self.row_problems.get(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        value = row.values[col] if col < len(row.values) else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return show_value(value)
        problem = self.problem_at(index.row(), col)
        if role == Qt.ItemDataRole.BackgroundRole:
            if problem:
                return QBrush(PROBLEM_BACKGROUND)
            if row.number in self.heading_rows:
                return QBrush(HEADING_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.hidden and not problem:
            return QBrush(HIDDEN_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and (row.hidden or row.number in self.heading_rows):
            font = QFont()
            font.setItalic(row.hidden)
            font.setBold(row.number in self.heading_rows)
            return font
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            if problem:
                return f"Problem: {problem}"
            if row.number in self.heading_rows:
                return "Heading row"
            if row.hidden:
                return "Hidden row (imported like the others)"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self.rows):
                return None
            row = self.rows[section]
            suffix = " (hidden)" if row.hidden else ""
            return f"{row.number}{suffix}"
        letter = self.letters[section] if section < len(self.letters) else column_letter(section)
        header = self.headers[section] if section < len(self.headers) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Column {letter}: {header}" if header else f"Column {letter}"
        return f"{letter}  {header}".strip() if letter else header


class ProblemsModel(QAbstractTableModel):
    """Every problem of the preview: row, column letter, heading, value and reason."""

    HEADERS = ("Row", "Column", "Heading", "Value", "Problem")

    def __init__(self, problems: list[Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.problems = list(problems)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self.problems[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            cells = (p.row if p.row is not None else "", p.column or "", p.header or "",
                     p.value if p.value is not None else "", p.reason)
            text = show_value(cells[index.column()])
            if role == Qt.ItemDataRole.ToolTipRole:
                return p.where() + ": " + p.reason if hasattr(p, "where") else text
            return text
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


def _join(old: str | None, new: str) -> str:
    return new if not old else f"{old}; {new}"
