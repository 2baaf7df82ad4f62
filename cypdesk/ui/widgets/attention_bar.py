"""The Overview: what needs attention this month, above the tabs on every page.

One line names each list and its count ("4 measures rated red · 3 actions overdue ·
..."), each count its own link-like button (heard by its words, reached by Tab, opened by
a click, Enter or Space), the line wrapping between counts; "Show the list" opens every item with why it is there, and activating an item
takes the officer to it. It is worked out on the worker thread just after the document
shows, so it never delays the first paint, and again after every change.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSizePolicy, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from cypdesk.ui.widgets.flow_layout import FlowLayout

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class CountLink(QPushButton):
    """One count on the attention line ("4 measures rated red"): a flat button drawn as a
    link, so a screen reader hears it as its own object, by its words, with a button role;
    Tab reaches it and a click, Enter or Space opens its list."""

    def __init__(self, words: str, key: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(words.replace("&", "&&"), parent)
        self.key = key
        self.words = words
        self.setObjectName(f"attention_count_{key}")
        self.setAccessibleName(words)
        self.setAccessibleDescription(f"Opens the list: {heading}")
        self.setToolTip(f"Show the list: {heading}")
        self.setFlat(True)
        self.setAutoDefault(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        font = self.font()
        font.setUnderline(True)
        self.setFont(font)
        # drawn as the link it was: link colour, no frame; a dotted frame shows keyboard focus
        self.setStyleSheet("QPushButton { color: palette(link); background: transparent; padding: 0px 1px;"
                           " border: 1px solid transparent; text-align: left; }"
                           " QPushButton:focus { border: 1px dotted palette(text); }"
                           " QPushButton:pressed { color: palette(highlight); }")

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.click()
            return
        super().keyPressEvent(event)


class AttentionSummary(QWidget):
    """The attention line: "Needs attention:" then each count as its own link-like button,
    separated by "·", in a flow layout that wraps between the counts, never inside one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attention_summary")
        self.setAccessibleName("What needs attention")
        self.setAccessibleDescription("What needs attention: Tab moves to each count, Enter opens its list")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.flow = FlowLayout(self, h_spacing=0, v_spacing=0)
        self.flow.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("")
        self.heading.setObjectName("attention_heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setContentsMargins(0, 0, 3, 0)
        self.flow.addWidget(self.heading)
        self.counts: list[CountLink] = []
        self._parts: list[QWidget] = []  # the counts' separators and the counts, after the heading

    def set_counts(self, heading: str, counts: list[CountLink]) -> None:
        for widget in self._parts:
            self.flow.removeWidget(widget)
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        self._parts = []
        self.heading.setText(heading)
        self.counts = counts
        for i, link in enumerate(counts):
            if i:
                dot = QLabel("·")
                dot.setObjectName("attention_separator")
                dot.setContentsMargins(2, 0, 2, 0)
                dot.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self._add(dot)
            self._add(link)
        self.flow.invalidate()
        self.updateGeometry()

    def _add(self, widget: QWidget) -> None:
        widget.setParent(self)
        self.flow.addWidget(widget)
        self._parts.append(widget)
        widget.show()

    def text(self) -> str:
        """The line in words, as a reader hears it item by item ("Needs attention: 4 measures rated red · ...")."""
        heading = re.sub(r"<[^>]*>", "", self.heading.text())
        return html.unescape(f"{heading} {' · '.join(c.words for c in self.counts)}".strip())

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self.flow.heightForWidth(width)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = sum(w.sizeHint().width() for w in [self.heading, *self._parts])
        return QSize(width, self.flow.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.flow.minimumSize()


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
        # each count is its own button drawn as a link: heard by its words, reached by Tab,
        # opened by a click, Enter or Space (one label's links were heard as its text)
        self.summary = AttentionSummary()
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

    @property
    def counts(self) -> list[CountLink]:
        return self.summary.counts

    def clear(self, text: str = "") -> None:
        self.sections = []
        self.tree.clear()
        self.summary.set_counts(html.escape(text), [])
        self.toggle.setEnabled(False)

    def working(self) -> None:
        self.summary.set_counts("<i>Looking for what needs attention…</i>", [])

    def show_sections(self, sections: list[Any]) -> None:
        self.sections = sections
        counts = []
        for s in sections:
            if s.items:
                link = CountLink(f"{len(s.items)} {_short(s)}", s.key, s.heading)
                link.clicked.connect(lambda _checked=False, key=s.key: self._summary_link(key))
                counts.append(link)
        heading = "<b>Needs attention:</b>" if counts else "<b>Nothing needs attention this month.</b>"
        self.summary.set_counts(heading, counts)
        self._tab_order()
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

    def _tab_order(self) -> None:
        """Tab goes through the counts in the order they are read, then to "Show the list"."""
        chain = [*self.counts, self.toggle]
        if len(chain) < 2:
            return
        before = self.toggle.previousInFocusChain()
        while before in self.counts:
            before = before.previousInFocusChain()
        if before is not None and before is not self.toggle:
            QWidget.setTabOrder(before, chain[0])
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

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
