"""Help > Keyboard shortcuts: the keys the window answers, in the officer's words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from cypdesk.ui.tabs.record_tab import APPLY_KEYS, HISTORY_KEYS

# (keys, what they do), in the order an officer works: find, move, edit, keep.
SHORTCUTS: list[tuple[str, str]] = [
    ("Ctrl+F", "Find: type to filter the list of the tab in view"),
    ("Tab / Shift+Tab", "Move to the next or previous control (from Find, one Tab reaches the list)"),
    ("Up / Down, Page Up / Page Down", "Move within the list; typing in the editor is applied first"),
    ("Enter or F2", "Open the selected record's editor (the cursor goes to its first field)"),
    ("F6", "Move between the list and the editor"),
    ("F1", "Help for the tab in view: what it is for and how to work in it"),
    (APPLY_KEYS, "Apply the changes in the editor (Ctrl+Return does the same)"),
    ("Esc", "Revert: forget the changes not yet applied"),
    ("Ctrl+Shift+N", "Add a record"),
    ("Ctrl+D", "Duplicate the selected record"),
    ("Delete", "Delete the selected record (asks first)"),
    (HISTORY_KEYS, "History of the selected record: who changed what and when, imports and partners' files"),
    ("Ctrl+Z", "Undo (in a field you are typing in, your typing first)"),
    ("Ctrl+Y or Ctrl+Shift+Z", "Redo"),
    ("Ctrl+S", "Save"),
    ("Ctrl+Shift+S", "Save As"),
    ("Ctrl+O", "Open a document"),
    ("Ctrl+N", "New document"),
    ("Ctrl+I", "Import rows from a spreadsheet or CSV"),
    ("Ctrl+E", "Export the table in view"),
    ("Ctrl+W", "Close the document"),
    ("Ctrl+Q", "Quit"),
    ("Alt+D", "In the question about unsaved changes: Don't save"),
    ("Alt + underlined letter", "The button, menu or field whose label has that letter underlined"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        intro = QLabel("Everything in cypdesk can be done with the keyboard. These keys work in every tab.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(SHORTCUTS), 2)
        self.table.setObjectName("shortcuts_table")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        for row, (keys, what) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
