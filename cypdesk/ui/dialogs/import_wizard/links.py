"""The preview's list of the new organisations an import would create, each with a
choice (issue 9, item 6): "Create new" (the default) or "Same as …" one the document
already has: a searchable combo of its organisations, the closest names first (by the
name normaliser, :mod:`cypdesk.services.importing.linking`). Choosing one tells the
wizard, which works the plan out again with the link and updates the counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QCompleter, QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget,
)

from cypdesk.ui.dialogs.import_wizard.work import LINK_ROWS

CREATE_NEW = "Create new"
MAX_HEIGHT = 130  # pixels of the list before it scrolls


class LinkPanel(QWidget):
    def __init__(self, on_link: Callable[[str, str, str | None], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_links")
        self.on_link = on_link
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("New organisations: create each, or say it is the same as one the document has")
        self.title.setObjectName("import_links_title")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("import_links_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.scroll)
        self.more = QLabel("")
        self.more.setObjectName("import_links_more")
        self.more.setWordWrap(True)
        layout.addWidget(self.more)
        self.kind = "organisations"
        self.names: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self.hide()

    def show_links(self, names: list[str], choices: dict[str, list[tuple[str, str]]], links: dict[str, str]) -> None:
        """One row per name (up to LINK_ROWS): its combo on ``links[name]`` (a record
        id) or on "Create new". The same names again only move the choices."""
        shown = names[:LINK_ROWS]
        if set(shown) != set(self.names):
            self._build(shown, choices)
        for name, combo in self.combos.items():
            wanted = links.get(name)
            index = combo.findData(wanted) if wanted is not None else 0
            combo.blockSignals(True)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        extra = len(names) - len(shown)
        self.more.setText(f"and {extra:,} more, created as new (merge any duplicates afterwards under “Possible duplicates” on the Organisations tab)"
                          if extra > 0 else "")
        self.more.setVisible(extra > 0)
        self.setVisible(bool(names))

    def _build(self, names: list[str], choices: dict[str, list[tuple[str, str]]]) -> None:
        self.names = list(names)
        self.combos = {}
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(2, 1)  # the combos as wide as a long name, not the whole page
        for row, name in enumerate(names):
            label = QLabel(name)
            label.setObjectName(f"import_link_label_{row}")
            combo = QComboBox()
            combo.setObjectName(f"import_link_{row}")
            combo.setAccessibleName(f"Organisation for “{name}”: create new, or the same as an existing one")
            combo.setToolTip("Type to search the document's organisations")
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(50)
            combo.addItem(CREATE_NEW, None)
            for record_id, title in choices.get(name, []):
                combo.addItem(f"Same as “{title}”", record_id)
            completer = combo.completer()
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            combo.currentIndexChanged.connect(lambda index, n=name, c=combo: self._chosen(n, c, index))
            label.setBuddy(combo)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
            self.combos[name] = combo
        grid.setRowStretch(len(names), 1)
        old = self.scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll.setWidget(body)
        self.scroll.setFixedHeight(min(body.sizeHint().height() + 2, MAX_HEIGHT))  # no empty space for a few

    def _chosen(self, name: str, combo: QComboBox, index: int) -> None:
        if index < 0:
            return
        self.on_link(self.kind, name, combo.itemData(index))

    def choose(self, name: str, record_id: str | None) -> None:
        """Pick ``record_id`` (None: Create new) for ``name``, as the officer would."""
        combo = self.combos[name]
        combo.setCurrentIndex(combo.findData(record_id) if record_id is not None else 0)

    def chosen(self) -> dict[str, Any]:
        return {name: combo.currentData() for name, combo in self.combos.items()}
