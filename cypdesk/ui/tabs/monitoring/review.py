"""The Review view: services red for two periods running, contracts ending, reviews due
and overdue actions."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from cypdesk.common.formats import plural, word_for
from cypdesk.ui.tabs.monitoring.pages import (
    ACTIONS, ENDING_FILLS, OVERDUE_FILL, RISKS, chip, _fit, _item, _table,
)
from cypdesk.ui.widgets.record_form import HINT_STYLE

if TYPE_CHECKING:
    from cypdesk.ui.tabs.monitoring_tab import MonitoringTab

class ReviewPage(QWidget):
    """What needs a decision: services red twice, contracts ending, reviews due and
    overdue actions."""

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("monitoring_review_page")
        self.stale = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName("What needs reviewing")
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.body.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # scroll rather than squeeze
        scroll.setWidget(inner)
        outer.addWidget(scroll)

        self.red_box = QGroupBox("Services red for two periods running: candidates for review")
        self.red_box.setObjectName("monitoring_red_twice")
        self.red_box.setAccessibleName("Services red for two periods running")
        self.red_layout = QVBoxLayout(self.red_box)
        self.body.addWidget(self.red_box)
        self.red_rows: dict[str, tuple[QPushButton, QPushButton]] = {}

        self.ending_box = QGroupBox("Contracts ending")
        self.ending_box.setObjectName("monitoring_contracts_ending")
        self.ending_box.setAccessibleName("Contracts ending")
        ending_layout = QVBoxLayout(self.ending_box)
        self.ending_summary = QLabel("")
        self.ending_summary.setWordWrap(True)
        ending_layout.addWidget(self.ending_summary)
        self.ending_table = _table("monitoring_ending_table", "Contracts ending",
                                   ["Service", "Contract", "Ends", "When"])
        self.ending_table.cellDoubleClicked.connect(self._open_contract)
        ending_layout.addWidget(self.ending_table)
        self.body.addWidget(self.ending_box)

        self.reviews_box = QGroupBox("Reviews due in the next 30 days, and overdue")
        self.reviews_box.setObjectName("monitoring_reviews_due")
        self.reviews_box.setAccessibleName("Reviews due")
        reviews_layout = QVBoxLayout(self.reviews_box)
        self.reviews_summary = QLabel("")
        self.reviews_summary.setWordWrap(True)
        reviews_layout.addWidget(self.reviews_summary)
        self.reviews_table = _table("monitoring_reviews_table", "Reviews due", ["What", "Title", "Review"])
        self.reviews_table.cellDoubleClicked.connect(self._open_review)
        reviews_layout.addWidget(self.reviews_table)
        self.body.addWidget(self.reviews_box)

        self.overdue_box = QGroupBox("Overdue actions")
        self.overdue_box.setObjectName("monitoring_overdue_actions")
        self.overdue_box.setAccessibleName("Overdue actions")
        overdue_layout = QVBoxLayout(self.overdue_box)
        self.overdue_table = _table("monitoring_overdue_table", "Overdue actions", ["No.", "Action", "Owner", "Flag"])
        self.overdue_table.cellDoubleClicked.connect(self._open_action)
        overdue_layout.addWidget(self.overdue_table)
        self.body.addWidget(self.overdue_box)
        self.body.addStretch(1)
        hint = QLabel("Double-click a row to open it where it lives.")
        hint.setStyleSheet(HINT_STYLE)
        self.body.addWidget(hint)
        self.reviews: list[Any] = []
        self.ending: list[Any] = []
        self.overdue: list[Any] = []
        self.red: list[Any] = []

    def refresh(self) -> None:
        from cypdesk.common.formats import date_uk
        from cypdesk.services.monitoring import (
            REVIEW_KIND_WORDS, contracts_ending, overdue_actions, red_two_periods, reviews_due,
        )

        reader = self.tab.reader
        while self.red_layout.count():
            item = self.red_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.red_rows = {}
        if reader is None:
            self.clear()
            return
        self.stale = False
        today = self.tab.today()
        self.red = red_two_periods(reader)
        services = [r for r in self.red if r.service_id]
        others = [r for r in self.red if not r.service_id]
        if not services:
            empty = QLabel("No service has been red for its two latest periods.")
            empty.setStyleSheet(HINT_STYLE)
            self.red_layout.addWidget(empty)
        for red in services:
            row = QFrame()
            row.setObjectName("monitoring_red_row")
            row.setFrameShape(QFrame.Shape.StyledPanel)
            line = QHBoxLayout(row)
            text = QLabel(f"{chip('red', 'Red')} twice &nbsp;<b>{html.escape(red.owner)}</b><br>"
                          f"<span style='{HINT_STYLE}'>{html.escape(red.summary)}</span>")
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setAccessibleDescription(f"{red.owner}: red for two periods running")
            line.addWidget(text, 1)
            action = QPushButton("Start an action…")
            action.setObjectName("monitoring_start_action")
            action.setAccessibleName(f"Start an action for {red.owner}")
            action.setToolTip("Add an action to the action plan for this service (Undo removes it)")
            action.clicked.connect(lambda _c=False, sid=red.service_id: self.tab.start_action(sid))
            decom = QPushButton("Start a decommissioning record…")
            decom.setObjectName("monitoring_start_decommissioning")
            decom.setAccessibleName(f"Start a decommissioning record for {red.owner}")
            decom.setToolTip("Record a decommissioning decision, being considered, in the Services tab (Undo removes it)")
            decom.clicked.connect(lambda _c=False, sid=red.service_id: self.tab.start_decommissioning(sid))
            for button in (action, decom):
                button.setEnabled(self.tab.editable)
                line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.red_layout.addWidget(row)
            self.red_rows[red.service_id] = (action, decom)
        if others:
            words = "; ".join(f"{html.escape(r.owner)} ({html.escape(r.summary)})" for r in others)
            more = QLabel(f"<b>Also red for two periods running</b> (not services): {words}")
            more.setTextFormat(Qt.TextFormat.RichText)
            more.setWordWrap(True)
            self.red_layout.addWidget(more)

        ending, expired = contracts_ending(reader, today)
        self.ending = list(ending) + list(expired)
        six = sum(1 for c in ending if c.within == 6)
        self.ending_summary.setText(
            f"{plural(len(ending), 'contract')} {word_for(len(ending), 'ends', 'end')} within 12 months "
            f"({six} within 6 months)"
            + (f"; {len(expired)} ended and not replaced." if expired else "."))
        self.ending_table.setRowCount(len(self.ending))
        for row, c in enumerate(self.ending):
            when = ("ended" if c.within == 0 else f"within {c.within} months")
            words = (f"Ended {date_uk(c.end_date)}, not replaced" if c.within == 0 else
                     f"{when.capitalize()} ({c.days_left} days)")
            self.ending_table.setItem(row, 0, _item(c.service, c.contract_id))
            self.ending_table.setItem(row, 1, _item(c.reference or "", c.contract_id))
            self.ending_table.setItem(row, 2, _item(date_uk(c.end_date), c.contract_id))
            self.ending_table.setItem(row, 3, _item(words, c.contract_id, fill=ENDING_FILLS.get(c.within)))
        _fit(self.ending_table, 0)

        from cypdesk.services.settings import setting_of

        window = int(setting_of(reader, "review_window_days"))  # the document's setting, one place
        self.reviews_box.setTitle(f"Reviews due in the next {window} day{'s' if window != 1 else ''}, and overdue")
        self.reviews = reviews_due(reader, today, window)
        late = sum(1 for r in self.reviews if r.overdue)
        self.reviews_summary.setText(f"{len(self.reviews)} review{'s' if len(self.reviews) != 1 else ''} due, "
                                     f"{late} of them overdue.")
        self.reviews_table.setRowCount(len(self.reviews))
        for row, r in enumerate(self.reviews):
            self.reviews_table.setItem(row, 0, _item(REVIEW_KIND_WORDS[r.kind], r.id))
            self.reviews_table.setItem(row, 1, _item(r.title, r.id, tip=r.title))
            self.reviews_table.setItem(row, 2, _item(r.words, r.id, fill=OVERDUE_FILL if r.overdue else None,
                                                     bold=r.overdue))
        _fit(self.reviews_table, 1)

        self.overdue = overdue_actions(reader, today)
        self.overdue_table.setRowCount(len(self.overdue))
        for row, a in enumerate(self.overdue):
            self.overdue_table.setItem(row, 0, _item(a.number or "", a.id))
            self.overdue_table.setItem(row, 1, _item(a.action, a.id, tip=a.action))
            self.overdue_table.setItem(row, 2, _item(a.owner or "", a.id))
            self.overdue_table.setItem(row, 3, _item(a.overdue_words, a.id, fill=OVERDUE_FILL, bold=True))
        self.overdue_box.setTitle(f"Overdue actions ({len(self.overdue)})")
        _fit(self.overdue_table, 1)

    def clear(self) -> None:
        """Forget what was shown (the document was closed)."""
        while self.red_layout.count():
            item = self.red_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.red_rows = {}
        for table in (self.ending_table, self.reviews_table, self.overdue_table):
            table.setRowCount(0)
        self.red, self.ending, self.reviews, self.overdue = [], [], [], []
        self.stale = True

    def caption(self) -> str:
        services = sum(1 for r in self.red if r.service_id)
        ending = sum(1 for c in self.ending if c.within)
        return (f"{services} service{'s' if services != 1 else ''} red for two periods running, "
                f"{ending} contract{'s' if ending != 1 else ''} ending within 12 months, "
                f"{len(self.reviews)} review{'s' if len(self.reviews) != 1 else ''} due, "
                f"{len(self.overdue)} overdue action{'s' if len(self.overdue) != 1 else ''}")

    def _open_contract(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.ending):
            self.tab.open_service(self.ending[row].service_id)

    def _open_review(self, row: int, _col: int) -> None:
        if not 0 <= row < len(self.reviews):
            return
        r = self.reviews[row]
        if r.kind == "risk":
            self.tab.show_view(RISKS)
            self.tab.risk_page.select(r.id)
        elif r.kind == "contract" and r.service_id:
            self.tab.open_service(r.service_id)
        elif r.kind == "agreement":
            self.tab.open_agreement(r.id)

    def _open_action(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.overdue):
            self.tab.show_view(ACTIONS)
            self.tab.action_page.select(self.overdue[row].id)
