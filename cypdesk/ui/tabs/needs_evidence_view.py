"""The Needs tab's second view: the consultation evidence with its tags, and the
priorities with the indicators and evidence they rest on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.ui.tabs.needs_table import PALE, STRONG, WORDS, _swatch

if TYPE_CHECKING:
    from cypdesk.ui.tabs.needs_tab import NeedsTab


# --- the evidence and priorities view ---------------------------------------------------------------

class EvidencePage(QWidget):
    """Consultation evidence with its tags, and the priorities with the indicators and
    evidence they rest on."""

    def __init__(self, tab: NeedsTab) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("indicators_evidence_page")
        self.indicator_chosen: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("indicators_evidence_splitter")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.evidence_caption = QLabel("")
        self.evidence_caption.setObjectName("indicators_evidence_caption")
        self.evidence_caption.setAccessibleDescription("Consultation evidence: summary")
        top_layout.addWidget(self.evidence_caption)
        self.evidence = QTreeWidget()
        self.evidence.setObjectName("indicators_evidence_tree")
        self.evidence.setAccessibleName("Consultation evidence")
        self.evidence.setHeaderLabels(["Evidence", "Who was heard", "Method", "Date", "Participants", "Tags"])
        self.evidence.setWordWrap(True)
        self.evidence.setUniformRowHeights(False)
        self.evidence.setAlternatingRowColors(True)
        self.evidence.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        top_layout.addWidget(self.evidence)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.priorities_caption = QLabel("")
        self.priorities_caption.setObjectName("indicators_priorities_caption")
        self.priorities_caption.setAccessibleDescription("Priorities: summary")
        bottom_layout.addWidget(self.priorities_caption)
        self.priorities = QTreeWidget()
        self.priorities.setObjectName("indicators_priorities_tree")
        self.priorities.setAccessibleName("Priorities and what they rest on")
        self.priorities.setHeaderLabels(["Priority and what it rests on", "Status or rating", "Detail"])
        self.priorities.setWordWrap(True)
        self.priorities.setUniformRowHeights(False)
        self.priorities.setAlternatingRowColors(True)
        self.priorities.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.priorities.itemActivated.connect(self._activated)
        self.priorities.itemDoubleClicked.connect(self._activated)
        bottom_layout.addWidget(self.priorities)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

    def clear(self) -> None:
        self.evidence.clear()
        self.priorities.clear()
        self.evidence_caption.setText("")
        self.priorities_caption.setText("")

    def fill(self) -> None:
        tab = self.tab
        if tab.reader is None or tab.model is None:
            self.clear()
            return
        from cypdesk.common.formats import date_uk, number
        from cypdesk.services.needs import evidence_for, priorities_with_links

        conditions = tab.filter_bar.conditions()
        outcome, group, area = conditions.get("outcome"), conditions.get("group"), conditions.get("locality")
        items = evidence_for(tab.reader, outcome_id=outcome, group_id=group, area_id=area, match="all")
        total = tab.reader.execute("SELECT count(*) FROM evidence").fetchone()[0]
        filtered = any((outcome, group, area))
        self.evidence_caption.setText(
            f"<b>Consultation evidence</b>: {len(items)} of {total} tagged with the filter's "
            "outcome, group and locality" if filtered else f"<b>Consultation evidence</b>: {total} in all, newest first")
        self.evidence.clear()
        for e in items:
            item = QTreeWidgetItem([e.title, e.who, e.method, date_uk(e.held_on) if e.held_on else "",
                                    number(e.participants) if e.participants is not None else "", e.tags_text()])
            item.setData(0, Qt.ItemDataRole.UserRole, e.id)
            item.setToolTip(0, e.summary or e.title)
            if e.summary or e.source_document:
                detail = QTreeWidgetItem([(e.summary or "") + (f"\nSource: {e.source_document}" if e.source_document else "")])
                detail.setFirstColumnSpanned(True)
                item.addChild(detail)
            self.evidence.addTopLevelItem(item)
        self.evidence.expandAll()
        for item in (self.evidence.topLevelItem(i) for i in range(self.evidence.topLevelItemCount())):
            for j in range(item.childCount()):
                item.child(j).setFirstColumnSpanned(True)
        header = self.evidence.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.evidence.setColumnWidth(0, 380)
        for col, width in ((1, 170), (2, 130), (3, 90), (4, 90)):
            self.evidence.setColumnWidth(col, width)

        found = priorities_with_links(tab.reader, summaries=tab.summaries)
        self.priorities_caption.setText(
            f"<b>Priorities</b>: {len(found)}, by rank. Double-click an indicator to see it in the table.")
        self.priorities.clear()
        for p in found:
            ref = f"{p.plan_reference} " if p.plan_reference else ""
            top = QTreeWidgetItem([f"{ref}{p.statement}", p.status, p.rationale or ""])
            top.setToolTip(0, p.statement)
            top.setToolTip(2, p.rationale or "")
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for i in p.indicators:
                child = QTreeWidgetItem([f"Indicator: {i.name}", WORDS[i.rating] + " than England"
                                         if i.rating in ("better", "worse") else
                                         ("Similar to England" if i.rating == "similar" else "Not compared"),
                                         f"{i.period_label}: {i.value_text}. Method: {i.method}" if i.value_text
                                         else i.method])
                child.setData(0, Qt.ItemDataRole.UserRole, i.id)
                child.setBackground(1, QBrush(QColor(PALE[i.rating])))
                child.setIcon(1, _swatch(STRONG[i.rating]))
                child.setToolTip(0, "Double-click to see the indicator in the table")
                top.addChild(child)
            for _eid, title in p.evidence:
                top.addChild(QTreeWidgetItem([f"Evidence: {title}", "", ""]))
            for _oid, name in p.outcomes:
                top.addChild(QTreeWidgetItem([f"Outcome: {name}", "", ""]))
            for _gid, name in p.groups:
                top.addChild(QTreeWidgetItem([f"Group: {name}", "", ""]))
            self.priorities.addTopLevelItem(top)
        self.priorities.expandAll()
        self.priorities.setColumnWidth(0, 560)
        self.priorities.setColumnWidth(1, 170)

    def _activated(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        indicator_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if indicator_id and self.indicator_chosen is not None:
            self.indicator_chosen(indicator_id)
