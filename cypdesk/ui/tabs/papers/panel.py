"""A paper's list page (its recommendations, its appendices): a note on what the list
holds, a read-only table of the paper's rows, rows of buttons under it, and every edit
pushed as one undo step. The pages differ in their columns, buttons and edits."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.tabs.papers import commands
from cypdesk.ui.widgets.read_only_table import read_only_table

Button = tuple[str, str, str, Any]  # name, text, tool tip, slot


class PaperListPanel(QWidget):
    KIND = ""  # the table an edit changes (what undo reloads)

    def __init__(self, tab: Any, name: str, label: str, headers: Any, modes: tuple[QHeaderView.ResizeMode, ...],
                 button_rows: tuple[tuple[Button, ...], ...], button_prefix: str) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName(f"papers_{name}")
        self.paper_id: str | None = None
        self.final = False
        self.rows: list[dict[str, Any]] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        self.note = QLabel("")
        self.note.setObjectName(f"papers_{name}_note")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        self.table = read_only_table(f"papers_{name}_table", label, headers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        for col, mode in enumerate(modes):
            header.setSectionResizeMode(col, mode)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        column.addWidget(self.table, 1)
        self.buttons: dict[str, QPushButton] = {}
        for line in button_rows:
            row = QHBoxLayout()
            row.addStretch(1)
            for key, text, tip, slot in line:
                button = QPushButton(text)
                button.setObjectName(f"papers_{button_prefix}_{key}")
                button.setAccessibleName(text.replace("&", "").replace("…", ""))
                button.setToolTip(tip)
                button.clicked.connect(slot)
                row.addWidget(button)
                self.buttons[key] = button
            column.addLayout(row)

    def load(self, paper_id: str | None, final: bool) -> None:  # pragma: no cover - each page's own
        raise NotImplementedError

    def update_buttons(self) -> None:  # pragma: no cover - each page's own
        raise NotImplementedError

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) and self.table.selectedItems() else None

    def _run(self, text: str, call: Any, kind: str | None = None) -> Any:
        """``call()`` as one undo step named ``text``; a refusal is shown, nothing changed."""
        try:
            result = call()
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not changed", exc.message, QMessageBox.StandardButton.Ok)
            return None
        commands.push_result(self.tab.window_, text, result, kind or self.KIND)
        return result
