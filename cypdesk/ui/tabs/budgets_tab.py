"""The Pooled budgets tab: agreements, contributions and quarterly monitoring
(framework step 7).

On the left, the agreements (type, legal basis, host, status and dates). On the right,
the selected agreement: what kind of budget it is and what sharing means in it (an
aligned budget is not pooled: each partner keeps its own money and its own over- or
underspend), its warnings in words, and four pages:

- **Agreement**: every field of the agreement (the record form);
- **Contributions**: the partners with their agreed shares of over- and underspends,
  and each partner's contribution per financial year with the year's totals and shares;
- **Quarterly monitoring**: for the financial year picked, Q1 to Q4 with budget, spend to
  date, forecast outturn and variance (a quarter without a return says "Missing — no
  return", never zero), each partner's share of the variance by the agreement's rules,
  and the budget against forecast outturn chart;
- **Services in scope**: the register's services the agreement covers (double-click
  opens one in the Services tab).

Every edit goes through :mod:`cypdesk.services.budgets` and onto the window's undo stack.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QStyle, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec
from cypdesk.ui.undo import DoneCommand

SPEC = TabSpec("&Pooled budgets", "agreements", "Pooled budget agreements", "budget agreements", editable=True,
               columns=["title", "type", "legal_basis", "host_id", "status", "start_date", "review_date", "end_date"],
               filters=["type", "status"],
               find_hint="agreement, type, legal basis, host or status",
               key_columns=["title", "status", "start_date", "review_date", "end_date"],
               defaults={"type": "pooled", "status": "draft", "overspend_rule": "proportional",
                         "underspend_rule": "proportional"})

ID_ROLE = Qt.ItemDataRole.UserRole
WARNING_FRAME_STYLE = ("QFrame#agreements_warnings_frame { background: #fff7e6; border: 1px solid #f47738;"
                       " border-left: 5px solid #f47738; }")
BANNER_STYLE = "QLabel { background: #f3f2f1; border-left: 5px solid #1d70b8; padding: 6px; }"
MISSING_COLOUR = "#a4262c"  # dark red, 6.9:1 on white: the words say it is missing
MUTED_COLOUR = "#505a5f"

RETURN_COLUMNS = ("Quarter", "Budget", "Spend to date", "Forecast outturn", "Variance")
CONTRIBUTION_COLUMNS = ("Year", "Partner", "Cash", "In kind", "In-kind value", "Total", "Share of total",
                        "Share of cash")
RULE_SHORT = {"proportional": "by contribution", "host": "host bears it", "case_by_case": "case by case"}
PARTNER_COLUMNS = ("Partner", "Share of overspends", "Share of underspends")
SCOPE_COLUMNS = ("Service", "Provider", "Status", "Annual cost")
PAGES = ("Agreement", "Contributions", "Quarterly monitoring", "Services in scope")


def _table(name: str, headers: tuple[str, ...], accessible: str, stretch: int | None = None) -> QTableWidget:
    """A read-only table; column ``stretch`` takes the room left (long names elide, the
    full text is in the tooltip), the others fit their contents."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(f"agreements_{name}")
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        # a partner's long name wraps onto a second line rather than being cut off
        table.setWordWrap(True)
        rows = table.verticalHeader()
        rows.setMinimumSectionSize(24)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.sectionResized.connect(lambda *_: _fit(table))
    header.setStretchLastSection(stretch is None)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _fit(table: QTableWidget) -> None:
    """As tall as its rows, so the page scrolls and not each table."""
    height = table.horizontalHeader().height() + 2 * table.frameWidth() + 2
    for row in range(table.rowCount()):
        height += table.rowHeight(row)
    if table.horizontalScrollBar().isVisible() or table.horizontalHeader().length() > table.viewport().width():
        height += table.horizontalScrollBar().sizeHint().height()
    table.setFixedHeight(max(height, 48))


def _item(text: str, record_id: str | None = None, *, right: bool = False, bold: bool = False,
          colour: str | None = None, italic: bool = False, tip: str = "") -> QTableWidgetItem:
    from PySide6.QtGui import QBrush, QColor

    item = QTableWidgetItem(text)
    if record_id is not None:
        item.setData(ID_ROLE, record_id)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold or italic:
        font = QFont()
        font.setBold(bold)
        font.setItalic(italic)
        item.setFont(font)
    if colour:
        item.setForeground(QBrush(QColor(colour)))
    if tip or len(text) > 24:
        item.setToolTip(tip or text)
    return item


class _Section(QGroupBox):
    def __init__(self, title: str, name: str, buttons: list[tuple[str, str, Any]]) -> None:
        super().__init__(title)
        self.setObjectName(f"agreements_{name}_section")
        self.setAccessibleName(title)
        self.body = QVBoxLayout(self)
        self.buttons: dict[str, QPushButton] = {}
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        for key, text, slot in buttons:
            button = QPushButton(text)
            button.setObjectName(f"agreements_{name}_{key}")
            button.setAccessibleName(text.replace("&", "").replace("…", ""))
            button.clicked.connect(slot)
            self.button_row.addWidget(button)
            self.buttons[key] = button

    def finish(self) -> None:
        self.body.addLayout(self.button_row)


def _label(name: str, accessible: str, *, rich: bool = True) -> QLabel:
    label = QLabel("")
    label.setObjectName(f"agreements_{name}")
    label.setAccessibleDescription(accessible)  # a label's name is its text
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


class BudgetsTab(RecordTab):
    """The agreements with their contributions, monitoring returns and shares."""

    today: date | None = None  # tests fix the day; None: the computer's date

    def __init__(self, spec: Any, window: Any) -> None:
        super().__init__(spec, window)
        self.data: dict[str, Any] | None = None
        self._year_of: dict[str, int] = {}  # agreement id -> the financial year picked for it
        self._loading_years = False
        self._chart_for: tuple[Any, ...] | None = None

    def day(self) -> date:
        return self.today or date.today()

    # The detail is the main work here (its monitoring tables must not be cut): the table
    # keeps its 40%, and an agreement's long title wraps onto more lines instead.
    MAX_TABLE_SHARE = 0.4
    WRAP_NAMES = True

    def _first_split(self) -> None:
        """An agreement has much to show and there are few of them: the detail gets
        about 60% of the width until the officer drags the divider."""
        total = self.splitter.width()
        if total > 0 and not self.layout_restored:
            self.splitter.setSizes([int(total * 0.4), total - int(total * 0.4)])
            self.layout_restored = True
            self._split_is_ours = True
            self.fit_key_columns()

    # --- building ----------------------------------------------------------------------------
    def build_sections(self) -> None:
        form = self._form
        self.sections.removeWidget(form)

        self.type_banner = _label("type", "Kind of budget")
        self.type_banner.setStyleSheet(BANNER_STYLE)

        self.warnings_frame = QFrame()
        self.warnings_frame.setObjectName("agreements_warnings_frame")
        self.warnings_frame.setStyleSheet(WARNING_FRAME_STYLE)
        row = QHBoxLayout(self.warnings_frame)
        row.setContentsMargins(8, 6, 8, 6)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(24, 24))
        icon.setAccessibleName("Warning")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        self.warnings_label = _label("warnings", "Warnings about the agreement")
        row.addWidget(self.warnings_label, 1)

        self.pages = QTabWidget()
        self.pages.setObjectName("agreements_pages")
        self.pages.setAccessibleName("Parts of the agreement")
        self.pages.setDocumentMode(True)
        agreement_page = QWidget()
        QVBoxLayout(agreement_page).addWidget(form)
        agreement_page.layout().addStretch(1)
        self.pages.addTab(agreement_page, PAGES[0])
        self.pages.addTab(self._build_contributions_page(), PAGES[1])
        self.pages.addTab(self._build_monitoring_page(), PAGES[2])
        self.pages.addTab(self._build_scope_page(), PAGES[3])
        self._page_wanted = 2  # the money first; then whichever page the officer last chose
        self.pages.currentChanged.connect(self._page_changed)

        self.sections.insertWidget(0, self.type_banner)
        self.sections.insertWidget(1, self.warnings_frame)
        self.sections.insertWidget(2, self.pages)

    def _build_contributions_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.partners_section = _Section("Partners and agreed shares", "partners",
                                         [("add", "Add a partner…", self.add_partner),
                                          ("edit", "Edit the partner…", self.edit_partner)])
        self.rules_label = _label("rules", "How over- and underspends are shared")
        self.partners_section.body.addWidget(self.rules_label)
        self.partners_table = _table("partners_table", PARTNER_COLUMNS, "Partners and their agreed shares", 0)
        self.partners_table.doubleClicked.connect(lambda _i: self.edit_partner())
        self.partners_section.body.addWidget(self.partners_table)
        self.partners_section.finish()
        layout.addWidget(self.partners_section)

        self.contributions_section = _Section("Contributions by financial year", "contributions",
                                              [("add", "Add a contribution…", self.add_contribution),
                                               ("edit", "Edit the contribution…", self.edit_contribution),
                                               ("delete", "Delete the contribution…", self.delete_contribution)])
        self.contributions_table = _table("contributions_table", CONTRIBUTION_COLUMNS,
                                          "Contributions per financial year and partner", 1)
        self.contributions_table.doubleClicked.connect(lambda _i: self.edit_contribution())
        self.contributions_table.currentCellChanged.connect(lambda *_a: self._update_contribution_buttons())
        self.contributions_section.body.addWidget(self.contributions_table)
        self.contributions_note = _label("contributions_note", "About the contributions")
        self.contributions_section.body.addWidget(self.contributions_note)
        self.contributions_section.finish()
        layout.addWidget(self.contributions_section)
        layout.addStretch(1)
        return page

    def _build_monitoring_page(self) -> QWidget:
        from cypdesk.ui.widgets.chart_view import ChartView

        page = QWidget()
        layout = QVBoxLayout(page)
        picker = QHBoxLayout()
        year_label = QLabel("&Financial year:")
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("agreements_year")
        self.year_combo.setAccessibleName("Financial year")
        year_label.setBuddy(self.year_combo)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        picker.addWidget(year_label)
        picker.addWidget(self.year_combo)
        picker.addStretch(1)
        layout.addLayout(picker)

        self.returns_section = _Section("Quarterly returns", "returns",
                                        [("add", "Add a return…", self.add_return),
                                         ("edit", "Edit the return…", self.edit_return),
                                         ("delete", "Delete the return…", self.delete_return)])
        self.returns_table = _table("returns_table", RETURN_COLUMNS, "Quarterly monitoring returns")
        self.returns_table.doubleClicked.connect(lambda _i: self._edit_or_add_return())
        self.returns_table.currentCellChanged.connect(lambda *_a: self._update_return_buttons())
        self.returns_section.body.addWidget(self.returns_table)
        self.year_note = _label("year_note", "The year's position")
        self.returns_section.body.addWidget(self.year_note)
        self.returns_section.finish()
        layout.addWidget(self.returns_section)

        self.shares_section = _Section("Each partner's share of the variance", "shares", [])
        self.sharing_label = _label("sharing", "How the variance is shared")
        self.shares_section.body.addWidget(self.sharing_label)
        self.shares_table = _table("shares_table", ("Partner", "Q1", "Q2", "Q3", "Q4"),
                                   "Each partner's share of the variance by quarter", 0)
        self.shares_section.body.addWidget(self.shares_table)
        self.shares_note = _label("shares_note", "Notes on the split")
        self.shares_section.body.addWidget(self.shares_note)
        self.shares_section.finish()
        layout.addWidget(self.shares_section)

        self.chart = ChartView("Budget and forecast outturn by quarter")
        self.chart.setObjectName("agreements_chart")
        self.chart.setMinimumHeight(300)
        layout.addWidget(self.chart)
        layout.addStretch(1)
        return page

    def _build_scope_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.scope_section = _Section("Services in scope", "scope",
                                      [("open", "Open in the Services tab", self.open_selected_service),
                                       ("edit", "Edit services in scope…", self.edit_scope)])
        hint = QLabel("Double-click a service (or press Enter) to open it in the Services tab.")
        hint.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.scope_section.body.addWidget(hint)
        self.scope_table = _table("scope_table", SCOPE_COLUMNS, "Services in scope of the agreement", 0)
        self.scope_table.activated.connect(lambda _i: self.open_selected_service())  # double-click or Enter
        self.scope_section.body.addWidget(self.scope_table)
        self.scope_summary = _label("scope_summary", "Services in scope: summary")
        self.scope_section.body.addWidget(self.scope_summary)
        self.scope_section.finish()
        layout.addWidget(self.scope_section)
        layout.addStretch(1)
        return page

    # --- showing -----------------------------------------------------------------------------
    def add_record(self) -> None:
        if self.editable:
            _ = self.form  # built, with the pages
            self._page_wanted = 0  # a new agreement: its fields first
            self.pages.setCurrentIndex(0)
        super().add_record()

    def _page_changed(self, index: int) -> None:
        if self.data is not None:
            self._page_wanted = index
        if index == 2:
            self._draw_chart()

    def load_sections(self, record_id: str | None) -> None:
        from cypdesk.common.periods import financial_year_of
        from cypdesk.services import budgets

        self.data = None
        has = bool(record_id) and self.reader is not None
        for widget in (self.type_banner, self.warnings_frame):
            widget.setVisible(has)
        for index in (1, 2, 3):
            self.pages.setTabEnabled(index, has)
        if not has:
            if self.pages.currentIndex() != 0:
                self.pages.setCurrentIndex(0)
            self.chart.clear("")
            self._chart_for = None
            return
        conn, today = self.reader, self.day()
        info = budgets.agreement_info(conn, record_id)
        years = budgets.financial_years(conn, record_id, today)
        current = financial_year_of(today)
        default = current if current in years else (years[-1] if years else current)
        year = self._year_of.get(record_id, default)
        if year not in years:
            year = default
        self._year_of[record_id] = year
        self.data = {
            "id": record_id, "info": info, "years": years, "year": year,
            "warnings": budgets.agreement_warnings(conn, record_id, today),
            "partners": budgets.partners(conn, record_id),
            "contributions": budgets.contributions_table(conn, record_id),
            "returns": budgets.quarterly_returns(conn, record_id, year, today=today),
            "shares": budgets.year_shares(conn, record_id, year, today=today),
            "scope": budgets.services_in_scope(conn, record_id),
        }
        self._show_banner()
        self._show_warnings()
        self._show_partners()
        self._show_contributions()
        self._show_years()
        self._show_returns()
        self._show_scope()
        self._chart_for = None
        if self.pages.currentIndex() != self._page_wanted:
            self.pages.setCurrentIndex(self._page_wanted)  # draws the chart when it is the monitoring page
        elif self.pages.currentIndex() == 2:
            self._draw_chart()

    def _show_banner(self) -> None:
        info = self.data["info"]
        kind, _, rest = info.explanation.partition(":")
        self.type_banner.setText(f"<b>{html.escape(kind)}</b>:{html.escape(rest)}")
        self.type_banner.setAccessibleDescription(info.explanation)

    def _show_warnings(self) -> None:
        warnings = self.data["warnings"]
        self.warnings_frame.setVisible(bool(warnings))
        lines = "".join(f"<li>{html.escape(w.text)}</li>" for w in warnings)
        noun = "Warning" if len(warnings) == 1 else f"{len(warnings)} warnings"
        self.warnings_label.setText(f"<b>{noun}</b><ul style='margin-left: -20px'>{lines}</ul>")

    def _rules_text(self) -> str:
        from cypdesk.services import budgets

        return html.escape(budgets.sharing_rules(self.data["info"]))

    def _show_partners(self) -> None:
        from cypdesk.common.formats import percent

        info, people = self.data["info"], self.data["partners"]
        self.rules_label.setText(self._rules_text())
        table = self.partners_table
        table.setRowCount(len(people))
        agreed = "agreed_pct" in (info.overspend_rule, info.underspend_rule) and info.pooled
        for row, p in enumerate(people):
            name = p.name + (" (host)" if p.is_host else "")
            if p.link_id is None:
                name += " — not listed as a partner"
            table.setItem(row, 0, _item(name, p.link_id))
            for col, value, rule in ((1, p.overspend_pct, info.overspend_rule),
                                     (2, p.underspend_pct, info.underspend_rule)):
                if rule == "agreed_pct" or value is not None:
                    text = percent(value, 2).replace(".00%", "%") if value is not None else "not recorded"
                    colour = MISSING_COLOUR if value is None and agreed else None
                    table.setItem(row, col, _item(text, p.link_id, right=True, colour=colour))
                else:  # the percentage is not used by this rule: say what is
                    table.setItem(row, col, _item(RULE_SHORT.get(rule, "—") if info.pooled else "not shared",
                                                  p.link_id, right=True, italic=True, colour=MUTED_COLOUR))
        _fit(table)
        self.partners_section.buttons["add"].setEnabled(self.editable)
        self.partners_section.buttons["edit"].setEnabled(self.editable and any(p.link_id for p in people))

    def _show_contributions(self) -> None:
        from cypdesk.common.formats import money, number, percent

        table_data = self.data["contributions"]
        table = self.contributions_table
        table.clearSpans()
        rows: list[list[QTableWidgetItem]] = []
        for year in reversed(table_data.years):  # the latest year first
            for r in year.rows:
                if r.recorded:
                    in_kind = (f"{number(r.in_kind_fte, 1)} FTE" if r.in_kind_fte else
                               ("yes" if r.in_kind_description else ""))
                    rows.append([_item(year.label, r.contribution_id), _item(r.name, r.contribution_id),
                                 _item(money(r.cash), r.contribution_id, right=True),
                                 _item(in_kind, r.contribution_id, tip=r.in_kind_description or ""),
                                 _item(money(r.in_kind_value) if r.in_kind_value else "—", r.contribution_id, right=True),
                                 _item(money(r.total), r.contribution_id, right=True),
                                 _item(percent(r.share_pct, 1), r.contribution_id, right=True),
                                 _item(percent(r.cash_share_pct, 1), r.contribution_id, right=True)])
                else:
                    rows.append([_item(year.label), _item(r.name), _item("None recorded", italic=True,
                                                                         colour=MUTED_COLOUR, right=True),
                                 _item(""), _item(""), _item("—", right=True), _item(percent(0, 1), right=True),
                                 _item(percent(0, 1), right=True)])
            fte = f"{number(year.in_kind_fte, 1)} FTE" if year.in_kind_fte else ""
            rows.append([_item(year.label, bold=True), _item("Total for the year", bold=True),
                         _item(money(year.cash), right=True, bold=True), _item(fte, bold=True),
                         _item(money(year.in_kind_value), right=True, bold=True),
                         _item(money(year.total), right=True, bold=True),
                         _item(percent(sum(r.share_pct for r in year.rows), 1), right=True, bold=True),
                         _item(percent(sum(r.cash_share_pct for r in year.rows), 1), right=True, bold=True)])
        table.setRowCount(len(rows))
        for i, items in enumerate(rows):
            for col, item in enumerate(items):
                table.setItem(i, col, item)
        table.setVisible(bool(rows))
        _fit(table)
        self.contributions_note.setText(
            "<i>No contribution is recorded yet.</i>" if not rows else
            f"<span style='color:{MUTED_COLOUR}'>Share of total: cash plus in-kind value. Share of cash: the basis "
            "for sharing in proportion to contributions. Shares are rounded to 0.1% so each year adds up to 100%.</span>")
        self.contributions_section.buttons["add"].setEnabled(self.editable)
        self._update_contribution_buttons()

    def _update_contribution_buttons(self) -> None:
        has = self._selected_id(self.contributions_table) is not None
        self.contributions_section.buttons["edit"].setEnabled(self.editable and has)
        self.contributions_section.buttons["delete"].setEnabled(self.editable and has)

    def _show_years(self) -> None:
        from cypdesk.common.periods import format_financial_year

        self._loading_years = True
        self.year_combo.clear()
        for fy in reversed(self.data["years"]):
            self.year_combo.addItem(format_financial_year(fy), fy)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(self.data["year"]), 0))
        self._loading_years = False

    def _year_changed(self, _index: int) -> None:
        if self._loading_years or self.data is None:
            return
        year = self.year_combo.currentData()
        if year is None or year == self.data["year"]:
            return
        self._year_of[self.data["id"]] = int(year)
        self.load_sections(self.data["id"])

    def _show_returns(self) -> None:
        from cypdesk.common.formats import money

        year = self.data["returns"]
        table = self.returns_table
        table.clearSpans()
        table.setRowCount(4)
        for row, q in enumerate(year.quarters):
            label = f"Q{q.quarter}"
            if q.missing:
                colour = MISSING_COLOUR if q.status == "missing" else MUTED_COLOUR
                table.setItem(row, 0, _item(label, None, bold=True))
                table.setItem(row, 1, _item(q.status_text, None, colour=colour, italic=True))
                for col in range(2, len(RETURN_COLUMNS)):
                    table.setItem(row, col, _item(""))
                table.setSpan(row, 1, 1, len(RETURN_COLUMNS) - 1)
                continue
            rid = q.return_id
            tip = (q.commentary or "") + (f"\nSubmitted {q.submitted_on:%d/%m/%Y}" if q.submitted_on else "")
            table.setItem(row, 0, _item(label, rid, bold=True, tip=tip.strip()))
            table.setItem(row, 1, _item(money(q.budget), rid, right=True))
            table.setItem(row, 2, _item(money(q.spend_to_date), rid, right=True))
            table.setItem(row, 3, _item(money(q.forecast_outturn), rid, right=True))
            table.setItem(row, 4, _item(q.variance_text, rid, right=True, tip=tip.strip(),
                                        colour=MISSING_COLOUR if q.word == "overspend" else None))
        _fit(table)
        self.year_note.setText(html.escape(year.note))
        self.returns_section.setTitle(f"Quarterly returns, {year.label}")
        self._show_shares()
        self._update_return_buttons()

    def _show_shares(self) -> None:
        from cypdesk.common.formats import money
        from cypdesk.services import budgets

        info, splits, people = self.data["info"], self.data["shares"], self.data["partners"]
        self.sharing_label.setText(self._rules_text())
        pooled = info.pooled
        self.shares_section.setTitle("Each partner's share of the variance" if pooled else
                                     f"Sharing the variance: {info.type_label.lower()}")
        self.shares_table.setVisible(pooled)
        notes: list[str] = []
        if not pooled:
            self.shares_table.setRowCount(0)
            self.shares_note.setText("")
            return
        table = self.shares_table
        table.setRowCount(len(people) + 1)
        for row, p in enumerate(people):
            table.setItem(row, 0, _item(p.name + (" (host)" if p.is_host else "")))
        table.setItem(len(people), 0, _item("Variance", bold=True))
        for col, split in enumerate(splits, start=1):
            q = self.data["returns"][col]  # by quarter number
            if split.status in (budgets.SPLIT, budgets.ON_BUDGET):
                for row, p in enumerate(people):
                    share = split.share_of(p.organisation_id)
                    pence = share.pence if share else 0
                    word = "" if pence == 0 else (" over" if pence > 0 else " under")
                    table.setItem(row, col, _item(money(abs(share.amount if share else 0), pence=True) + word,
                                                  right=True, tip=share.basis if share else ""))
                table.setItem(len(people), col, _item(q.variance_text, right=True, bold=True))
                if split.rounding and split.rounding not in notes:
                    notes.append(split.rounding)
                continue
            if split.status == budgets.NO_RETURN:
                text = "Missing" if q.status == "missing" else "Not due yet"
                colour = MISSING_COLOUR if q.status == "missing" else MUTED_COLOUR
            elif split.status == budgets.CASE_BY_CASE:
                text, colour = "To be agreed", None
                notes.append(f"Q{split.quarter}: {split.explanation}")
            else:  # invalid, no basis
                text, colour = "Cannot split", MISSING_COLOUR
                notes.append(f"Q{split.quarter}: {split.explanation}")
            for row in range(len(people)):
                table.setItem(row, col, _item(text, right=True, italic=True, colour=colour))
            table.setItem(len(people), col, _item(q.variance_text or text, right=True, bold=bool(q.variance_text),
                                                  italic=not q.variance_text, colour=None if q.variance_text else colour))
        _fit(table)
        self.shares_note.setText(f"<span style='color:{MUTED_COLOUR}'>" + "<br>".join(html.escape(n) for n in notes)
                                 + "</span>" if notes else "")

    def _show_scope(self) -> None:
        from cypdesk.common.formats import money

        scope = self.data["scope"]
        table = self.scope_table
        table.setRowCount(len(scope))
        for row, s in enumerate(scope):
            table.setItem(row, 0, _item(s.name, s.service_id))
            table.setItem(row, 1, _item(s.provider or "", s.service_id))
            table.setItem(row, 2, _item(s.status or "", s.service_id))
            table.setItem(row, 3, _item(money(s.annual_cost) if s.annual_cost is not None else "", s.service_id,
                                        right=True))
        table.setVisible(bool(scope))
        _fit(table)
        total = sum(s.annual_cost or 0 for s in scope)
        self.scope_summary.setText(
            "<i>No service is in scope yet: add the register's services the agreement covers.</i>" if not scope else
            f"{len(scope)} service{'s' if len(scope) != 1 else ''}, annual cost {money(total)} in the register.")
        self.scope_section.buttons["open"].setEnabled(bool(scope))
        self.scope_section.buttons["edit"].setEnabled(self.editable)

    def _draw_chart(self) -> None:
        if self.data is None:
            return
        from cypdesk.io.charts.bars import budget_vs_outturn, describe_budget_vs_outturn

        year = self.data["returns"]
        quarters = [(f"Q{q.quarter}", q.budget, q.forecast_outturn,
                     "missing" if q.status == "missing" else ("not due yet" if q.status == "not_due" else ""))
                    for q in year.quarters]
        key = (self.data["id"], tuple(quarters))
        if key == self._chart_for:
            return
        self._chart_for = key
        title = f"Budget and forecast outturn by quarter, {year.label}"
        self.chart.show_figure(budget_vs_outturn(quarters, title=title),
                               describe_budget_vs_outturn(quarters, title=title))

    # --- the agreement itself -----------------------------------------------------------------------
    def duplicate(self, record_id: str) -> Any:
        """A copy of the agreement with its partners and services in scope, as a draft."""
        from cypdesk.services import budgets

        return budgets.duplicate_agreement(self.ws, record_id)

    @staticmethod
    def _selected_id(table: QTableWidget) -> str | None:
        row = table.currentRow()
        if row < 0:
            return None
        item = table.item(row, 0)
        return item.data(ID_ROLE) if item is not None else None

    def _selected_quarter(self) -> int | None:
        row = self.returns_table.currentRow()
        return row + 1 if 0 <= row < 4 else None

    def _update_return_buttons(self) -> None:
        if self.data is None:
            return
        has = self._selected_id(self.returns_table) is not None
        self.returns_section.buttons["add"].setEnabled(self.editable)
        self.returns_section.buttons["edit"].setEnabled(self.editable and has)
        self.returns_section.buttons["delete"].setEnabled(self.editable and has)

    # --- editing -------------------------------------------------------------------------------
    def _options(self, kind: str) -> dict[str, list[tuple[str, str]]]:
        from cypdesk.model.catalog import CATALOG
        from cypdesk.services.lookups import options

        out = {}
        for f in CATALOG[kind]["fields"]:
            if f["kind"] == "reference" and not f.get("system") and f.get("references") in CATALOG:
                if f["references"] == "organisations":
                    out[f["name"]] = self._organisations()
                else:
                    out[f["name"]] = options(self.reader, f["references"])
        return out

    def _organisations(self) -> list[tuple[str, str]]:
        """The partners of the trust (sitting on the board) and this agreement's partners."""
        rows = self.reader.execute("SELECT id, name FROM organisations WHERE is_partner = 1").fetchall()
        found = {r[0]: r[1] for r in rows}
        for p in (self.data or {}).get("partners", []):
            found.setdefault(p.organisation_id, p.name)
        if not found:
            from cypdesk.services.lookups import options

            return options(self.reader, "organisations")
        return sorted(found.items(), key=lambda kv: (kv[1] or "").casefold())

    def _dialog(self, title: str, kind: str, values: dict[str, Any], fields: list[str], save: Any,
                **shown: Any) -> Any:
        """Run a child record's dialog (``shown``: its ``subject`` and ``confirm``); OK
        saves through ``save`` and the change goes on the undo stack. Returns the
        change, or None."""
        from cypdesk.ui.dialogs.links import RecordDialog

        dialog = RecordDialog(title, kind, values, self._options(kind), save, fields, self, **shown)
        if not self.window_.run_dialog(dialog):
            return None
        change = dialog.result_change
        if change is None or (change.op == "update" and not change.after):
            return None
        self.window_.push(change, self)
        return change

    def add_return(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services.budgets import save_return

        aid, year = self.data["id"], self.data["returns"]
        chosen = self._selected_quarter()
        free = [q.quarter for q in year.quarters if q.missing]
        quarter = chosen if chosen in free else (
            next((q for q in free if year[q].status == "missing"), free[0] if free else None))
        budget = year.latest.budget if year.latest is not None else None
        if budget is None:
            contrib = self.data["contributions"].year(year.financial_year)
            budget = contrib.cash if contrib and contrib.cash else None
        values = {"financial_year": year.financial_year, "quarter": quarter, "budget": budget}
        ws = self.ws
        change = self._dialog("Add a monitoring return", "returns", values,
                              ["financial_year", "quarter", "budget", "spend_to_date", "forecast_outturn",
                               "commentary", "submitted_on"],
                              lambda v: save_return(ws, aid, None, None, v), **self._return_dialog_extras())
        if change is not None:
            self.window_.status(f"Added the {change.title}. Edit > Undo takes it back.")
            self._after_return(change.id)

    def _after_return(self, return_id: str) -> None:
        """Show the year and quarter of a return just saved."""
        row = self.reader.execute("SELECT financial_year, quarter FROM returns WHERE id = ?", (return_id,)).fetchone()
        if row is None or self.data is None:
            return
        if int(row[0]) != self.data["year"]:
            self._year_of[self.data["id"]] = int(row[0])
            self.load_sections(self.data["id"])
        self.returns_table.setCurrentCell(int(row[1]) - 1, 0)

    def _edit_or_add_return(self) -> None:
        if self._selected_id(self.returns_table):
            self.edit_return()
        else:
            self.add_return()

    def edit_return(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import records
        from cypdesk.services.budgets import save_return

        rid = self._selected_id(self.returns_table)
        if rid is None:
            return
        values = records.get(self.ws, "returns", rid)
        aid, ws = self.data["id"], self.ws
        from cypdesk.services.budgets import quarter_label

        change = self._dialog(f"Monitoring return {quarter_label(values['financial_year'], values['quarter'])}",
                              "returns", values,
                              ["financial_year", "quarter", "budget", "spend_to_date", "forecast_outturn",
                               "commentary", "submitted_on"],
                              lambda v: save_return(ws, aid, None, None, v, rid), **self._return_dialog_extras())
        if change is not None:
            self._after_return(rid)

    def _return_dialog_extras(self) -> dict[str, Any]:
        """A return's dialog names its agreement above the form and asks before saving
        a return for a quarter that has not ended."""
        from cypdesk.ui.dialogs.links import confirm_future_period

        return {"subject": self.data["info"].title, "confirm": confirm_future_period(self.window_, "returns", self.day)}

    def _delete(self, kind: str, record_id: str, what: str) -> None:
        from cypdesk.services import records

        answer = self.window_.ask(QMessageBox.Icon.Question, f"Delete the {what}",
                                  f"Delete the {what}?\n\nEdit > Undo brings it back.",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = records.delete(self.ws, kind, record_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
            return
        change.title = what
        self.window_.push(change, self)
        self.window_.status(f"Deleted the {what}. Edit > Undo brings it back.")

    def delete_return(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services.budgets import quarter_label

        rid = self._selected_id(self.returns_table)
        quarter = self._selected_quarter()
        if rid is None or quarter is None:
            return
        self._delete("returns", rid, f"monitoring return {quarter_label(self.data['year'], quarter)}")

    def add_contribution(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services.budgets import save_contribution

        aid, ws = self.data["id"], self.ws
        self._dialog("Add a contribution", "contributions",
                     {"financial_year": self.data["year"]},
                     ["organisation_id", "financial_year", "cash", "in_kind_description", "in_kind_fte",
                      "in_kind_value"], lambda v: save_contribution(ws, aid, v), subject=self.data["info"].title)

    def edit_contribution(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import records
        from cypdesk.services.budgets import save_contribution

        cid = self._selected_id(self.contributions_table)
        if cid is None:
            return
        values = records.get(self.ws, "contributions", cid)
        aid, ws = self.data["id"], self.ws
        self._dialog("Contribution", "contributions", values,
                     ["organisation_id", "financial_year", "cash", "in_kind_description", "in_kind_fte",
                      "in_kind_value"], lambda v: save_contribution(ws, aid, v, cid))

    def delete_contribution(self) -> None:
        if not (self.editable and self.data):
            return
        cid = self._selected_id(self.contributions_table)
        if cid is None:
            return
        row = self.contributions_table.currentRow()
        who = self.contributions_table.item(row, 1).text()
        year = self.contributions_table.item(row, 0).text()
        self._delete("contributions", cid, f"contribution of {who} for {year}")

    def add_partner(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services.budgets import save_partner

        aid, ws = self.data["id"], self.ws
        self._dialog("Add a partner", "agreement_partners", {},
                     ["organisation_id", "overspend_pct", "underspend_pct"], lambda v: save_partner(ws, aid, v),
                     subject=self.data["info"].title)

    def edit_partner(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import records
        from cypdesk.services.budgets import save_partner

        pid = self._selected_id(self.partners_table)
        if pid is None:
            listed = [p.link_id for p in self.data["partners"] if p.link_id]
            if len(listed) != 1:
                self.window_.status("Select a partner to edit.")
                return
            pid = listed[0]
        values = records.get(self.ws, "agreement_partners", pid)
        aid, ws = self.data["id"], self.ws
        self._dialog("Partner and agreed shares", "agreement_partners", values,
                     ["organisation_id", "overspend_pct", "underspend_pct"], lambda v: save_partner(ws, aid, v, pid))

    # --- services in scope ------------------------------------------------------------------------
    def open_selected_service(self) -> None:
        service_id = self._selected_id(self.scope_table)
        if service_id is None:
            return
        self.open_service(service_id)

    def open_service(self, service_id: str) -> None:
        """Show a service in the Services tab (its register page)."""
        if self.window_.open_record("services", service_id):
            self.window_.current_tab().view.setFocus(Qt.FocusReason.OtherFocusReason)

    def edit_scope(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import budgets
        from cypdesk.services.lookups import options
        from cypdesk.ui.dialogs.links import ChecklistDialog

        aid, ws = self.data["id"], self.ws
        current = [s.service_id for s in self.data["scope"]]
        dialog = ChecklistDialog("Services in scope", "Tick the register's services this agreement covers.",
                                 options(self.reader, "services"), current,
                                 lambda ids: budgets.set_services(ws, aid, ids), self)
        if not self.window_.run_dialog(dialog):
            return
        change = dialog.result_change
        if change is None or not change.changed:
            return
        self.window_.push_command(DoneCommand(f"Edit services in scope of {change.title}",
                                              lambda: budgets.set_services(ws, aid, change.after),
                                              lambda: budgets.set_services(ws, aid, change.before),
                                              self.window_.refresh_all))
