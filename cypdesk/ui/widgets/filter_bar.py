"""The filter bar above a table: free text plus a drop-down for each key category.
Filtering happens in SQL (the table model re-queries); typing is debounced."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from cypdesk.services.tables import field_spec

DEBOUNCE_MS = 200


class FilterBar(QWidget):
    filter_changed = Signal(str, dict)

    def __init__(self, kind: str, choice_fields: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"{kind}_filter_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        find = QLabel("&Find:")
        self.text = QLineEdit()
        self.text.setObjectName(f"{kind}_filter_text")
        self.text.setAccessibleName("Find")
        self.text.setPlaceholderText("Type to filter by name, provider, reference…")
        self.text.setClearButtonEnabled(True)
        find.setBuddy(self.text)
        layout.addWidget(find)
        layout.addWidget(self.text, 3)
        self.combos: dict[str, QComboBox] = {}
        for name in choice_fields:
            spec = field_spec(kind, name)
            combo = QComboBox()
            combo.setObjectName(f"{kind}_filter_{name}")
            combo.setAccessibleName(f"Filter by {spec['label'].lower()}")
            combo.addItem(f"Any {spec['label'].lower()}", None)
            if spec["kind"] == "bool":
                combo.addItem(f"{spec['label']}: yes", 1)
                combo.addItem(f"{spec['label']}: no", 0)
            else:
                for value, label in spec["choices"]:
                    combo.addItem(label, value)
            combo.currentIndexChanged.connect(self._emit)
            layout.addWidget(combo, 1)
            self.combos[name] = combo
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName(f"{kind}_filter_clear")
        self.clear_button.setAccessibleName("Clear the filter")
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.text.textChanged.connect(lambda _text: self._timer.start())
        # Tab (or Enter) out of Find filters at once: the list the officer lands on is the filtered one
        self.text.editingFinished.connect(self._finish_typing)

    def conditions(self) -> dict[str, Any]:
        return {name: combo.currentData() for name, combo in self.combos.items() if combo.currentData() is not None}

    def _emit(self) -> None:
        self._timer.stop()
        self.filter_changed.emit(self.text.text(), self.conditions())

    def _finish_typing(self) -> None:
        if self._timer.isActive():
            self._emit()

    def apply_now(self) -> None:
        """Filter at once (tests, and Enter in the text box)."""
        self._emit()

    def reset(self) -> None:
        """Back to no filter without telling anyone (the document was closed)."""
        self._timer.stop()
        for widget in (self.text, *self.combos.values()):
            widget.blockSignals(True)
        try:
            self.text.clear()
            for combo in self.combos.values():
                combo.setCurrentIndex(0)
        finally:
            for widget in (self.text, *self.combos.values()):
                widget.blockSignals(False)

    def clear(self) -> None:
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._emit()
