"""The filter bar above a table: free text plus a drop-down for each key category.
Filtering happens in SQL (the table model re-queries); typing is debounced."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from cypdesk.services.tables import field_spec

DEBOUNCE_MS = 200


def short_label(label: str) -> str:
    """A filter's label short enough for the bar: "Prevention or early intervention" ->
    "Prevention" (the drop-down's tooltip keeps the whole)."""
    return label.split(" or ")[0].split(" (")[0]


class FilterBar(QWidget):
    filter_changed = Signal(str, dict)

    def __init__(self, kind: str, choice_fields: list[str], parent: QWidget | None = None, *,
                 find_hint: str = "name") -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"{kind}_filter_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        find = QLabel("&Find:")
        self.text = QLineEdit()
        self.text.setObjectName(f"{kind}_filter_text")
        self.text.setAccessibleName("Find")
        self.labels: dict[str, QLabel] = {}  # each drop-down's label, by the drop-down's name
        self.set_find_hint(find_hint)
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
            combo.setToolTip(f"Show only the rows with this {spec['label'].lower()}")
            combo.addItem("Any", None)  # the label before it says what: "Sector: Any"
            if spec["kind"] == "bool":
                combo.addItem("Yes", 1)
                combo.addItem("No", 0)
            else:
                for value, label in spec["choices"]:
                    combo.addItem(label, value)
            combo.currentIndexChanged.connect(self._emit)
            self.combos[name] = combo
            layout.addWidget(self.purpose_label(name, short_label(spec["label"]), combo))
            layout.addWidget(combo, 1)
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

    def purpose_label(self, name: str, purpose: str, combo: QComboBox) -> QLabel:
        """The label before a drop-down, its buddy: on Linux a screen reader names a
        combo box by its current choice ("Any sector", "Early help") and hears what it is
        for only through the label that labels it (the name set in code is not used)."""
        label = QLabel(f"{purpose}:")
        label.setObjectName(f"{self.kind}_filter_{name}_label")
        label.setBuddy(combo)
        self.labels[name] = label
        return label

    def set_find_hint(self, find_hint: str) -> None:
        """What Find searches, in the box's hint and tooltip (a tab with several views
        says what the view in front searches)."""
        self.text.setPlaceholderText(f"Type to filter by {find_hint}…")
        self.text.setToolTip(f"Find: shows only the rows whose {find_hint} contain what you type (Ctrl+F)")
        self.text.setAccessibleDescription(f"Shows only the rows whose {find_hint} contain what you type")

    def show_combo(self, name: str, visible: bool) -> None:
        """Show or hide a drop-down with its label."""
        self.combos[name].setVisible(visible)
        if name in self.labels:
            self.labels[name].setVisible(visible)

    def insert_combo(self, name: str, purpose: str, combo: QComboBox) -> None:
        """A drop-down of a tab's own, with its label, before the Clear button."""
        layout = self.layout()
        at = layout.indexOf(self.clear_button)
        layout.insertWidget(at, self.purpose_label(name, purpose, combo))
        layout.insertWidget(at + 1, combo, 1)
        self.combos[name] = combo

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
