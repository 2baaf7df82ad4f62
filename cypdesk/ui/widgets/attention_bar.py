"""The Overview: what needs attention this month, above the tabs on every page.

One line names each list and its count ("4 measures rated red · 3 actions overdue ·
..."); "Show the list" opens every item with why it is there, and activating an item
takes the officer to it. It is worked out on the worker thread just after the document
shows, so it never delays the first paint, and again after every change.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class AttentionBar(QWidget):
    open_record = Signal(str, str)  # kind, id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attention_bar")
        self.setAccessibleName("What needs attention")
        self.sections: list[Any] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 0)
        row = QHBoxLayout()
        self.summary = QLabel("")
        self.summary.setObjectName("attention_summary")
        self.summary.setAccessibleDescription("What needs attention: Tab moves to each count, Enter opens its list")
        # the counts are links the keyboard reaches (Tab) and opens (Enter), not only the mouse
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.summary.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.summary.installEventFilter(self)
        self._links: dict[str, str] = {}  # a count's words -> its list's key
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.linkActivated.connect(self._summary_link)
        self.toggle = QPushButton("Show the &list")
        self.toggle.setObjectName("attention_toggle")
        self.toggle.setAccessibleName("Show or hide what needs attention")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._toggled)
        row.addWidget(self.summary, 1)
        row.addWidget(self.toggle)
        outer.addLayout(row)
        self.tree = QTreeWidget()
        self.tree.setObjectName("attention_list")
        self.tree.setAccessibleName("What needs attention: list")
        self.tree.setHeaderLabels(["What needs attention", "Why"])
        self.tree.setColumnWidth(0, 460)
        self.tree.setWordWrap(True)
        self.tree.setMaximumHeight(260)
        self.tree.itemActivated.connect(self._activated)
        self.tree.hide()
        outer.addWidget(self.tree)
        self.clear()

    def clear(self, text: str = "") -> None:
        self.sections = []
        self.tree.clear()
        self.summary.setText(text)
        self.toggle.setEnabled(False)

    def working(self) -> None:
        self.summary.setText("<i>Looking for what needs attention…</i>")

    def show_sections(self, sections: list[Any]) -> None:
        self.sections = sections
        parts = []
        self._links = {}
        for s in sections:
            if s.items:
                self._links[f"{len(s.items)} {_short(s)}"] = s.key
                # no break inside an item ("14 indicators worse than England"): the line wraps between items
                parts.append(f'<span style="white-space: nowrap"><a href="{s.key}">{len(s.items)} {_short(s)}</a></span>')
        text = "<b>Needs attention:</b> " + " · ".join(parts) if parts else "<b>Nothing needs attention this month.</b>"
        self.summary.setText(text)
        self.toggle.setEnabled(True)
        bold = QFont()
        bold.setBold(True)
        self.tree.clear()
        for s in sections:
            head = QTreeWidgetItem([s.heading, ""])
            head.setFont(0, bold)
            head.setData(0, KIND_ROLE, None)
            head.setData(0, Qt.ItemDataRole.UserRole + 2, s.key)
            self.tree.addTopLevelItem(head)
            if not s.items:
                QTreeWidgetItem(head, [s.empty, ""])
            for item in s.items:
                child = QTreeWidgetItem(head, [item.text, item.detail])
                child.setToolTip(0, item.text)
                child.setToolTip(1, item.detail)
                child.setData(0, KIND_ROLE, item.kind)
                child.setData(0, ID_ROLE, item.id)
            head.setExpanded(bool(s.items))

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
        """Enter on the count that Tab selected opens its list (Qt's label does not
        follow a link selected from the keyboard)."""
        from PySide6.QtCore import QEvent

        if obj is self.summary and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            key = self._links.get(" ".join(self.summary.selectedText().split()))
            if key is not None:
                self._summary_link(key)
                return True
        return super().eventFilter(obj, event)

    def _toggled(self, on: bool) -> None:
        self.tree.setVisible(on)
        self.toggle.setText("Hide the &list" if on else "Show the &list")

    def _summary_link(self, key: str) -> None:
        self.toggle.setChecked(True)
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head.data(0, Qt.ItemDataRole.UserRole + 2) == key:
                head.setExpanded(True)
                self.tree.setCurrentItem(head)
                self.tree.scrollToItem(head)
                self.tree.setFocus()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind, record_id = item.data(0, KIND_ROLE), item.data(0, ID_ROLE)
        if kind and record_id:
            self.open_record.emit(kind, record_id)


_SHORT = {
    "red_measures": "rated red", "red_twice": "red twice running", "overdue_actions": "overdue",
    "contracts_ending": "ending within 6 months", "reviews_due": "due for review",
    "agreements": "to look at", "worse_than_england": "worse than England",
}
_NOUNS = {
    "red_measures": ("measure", "measures"), "red_twice": ("service or team", "services or teams"),
    "overdue_actions": ("action", "actions"), "contracts_ending": ("contract", "contracts"),
    "reviews_due": ("item", "items"), "agreements": ("budget agreement", "budget agreements"),
    "worse_than_england": ("indicator", "indicators"),
}


def _short(section: Any) -> str:
    one, many = _NOUNS.get(section.key, ("item", "items"))
    return f"{one if len(section.items) == 1 else many} {_SHORT.get(section.key, '')}".strip()
