"""The Pooled budgets tab's money sections: the partners with their agreed shares, the
contributions by financial year, the quarterly returns, each partner's share of the
variance and the budget against forecast outturn chart (the Contributions and Quarterly
monitoring pages), with the small tables and sections the tab's pages are built of.

:class:`BudgetSections` is mixed into :class:`cypdesk.ui.tabs.budgets_tab.BudgetsTab`, which
holds the agreement, its data (``self.data``) and the dialogs these sections open.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.ui.widgets.read_only_table import read_only_table

ID_ROLE = Qt.ItemDataRole.UserRole
MISSING_COLOUR = "#a4262c"  # dark red, 6.9:1 on white: the words say it is missing
MUTED_COLOUR = "#505a5f"

RETURN_COLUMNS = ("Quarter", "Budget", "Spend to date", "Forecast outturn", "Variance")
CONTRIBUTION_COLUMNS = ("Year", "Partner", "Cash", "In kind", "In-kind value", "Total", "Share of total",
                        "Share of cash")
RULE_SHORT = {"proportional": "by contribution", "host": "host bears it", "case_by_case": "case by case"}
PARTNER_COLUMNS = ("Partner", "Share of overspends", "Share of underspends")


def _table(name: str, headers: tuple[str, ...], accessible: str, stretch: int | None = None) -> QTableWidget:
    """A read-only table; column ``stretch`` takes the room left (long names elide, the
    full text is in the tooltip), the others fit their contents."""
    table = read_only_table(f"agreements_{name}", accessible, headers)
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


class BudgetSections:
    """The partners, contributions, returns and shares of the selected agreement: built,
    shown and edited (mixed into the tab)."""

    # --- building the contributions and monitoring pages ---------------------------------------
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

    # --- showing partners, contributions, returns and shares ------------------------------------
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
                text = {"missing": "Missing", "due": "Due"}.get(q.status, "Not due yet")
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

    def _draw_chart(self) -> None:
        if self.data is None:
            return
        from cypdesk.io.charts.bars import budget_vs_outturn, describe_budget_vs_outturn

        year = self.data["returns"]
        quarters = [(f"Q{q.quarter}", q.budget, q.forecast_outturn,
                     {"missing": "missing", "not_due": "not due yet", "due": "return due"}.get(q.status, ""))
                    for q in year.quarters]
        key = (self.data["id"], tuple(quarters))
        if key == self._chart_for:
            return
        self._chart_for = key
        title = f"Budget and forecast outturn by quarter, {year.label}"
        self.chart.show_figure(budget_vs_outturn(quarters, title=title),
                               describe_budget_vs_outturn(quarters, title=title))

    # --- the return selected ---------------------------------------------------------------------
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

    # --- editing returns, contributions and partners ------------------------------------------------
    def add_return(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services.budget_edit import save_return

        aid, year = self.data["id"], self.data["returns"]
        chosen = self._selected_quarter()
        free = [q.quarter for q in year.quarters if q.missing]
        quarter = chosen if chosen in free else (
            next((q for q in free if year[q].status in ("missing", "due")), free[0] if free else None))
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
        from cypdesk.services.budget_edit import save_return

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
        from cypdesk.services.budget_edit import save_contribution

        aid, ws = self.data["id"], self.ws
        self._dialog("Add a contribution", "contributions",
                     {"financial_year": self.data["year"]},
                     ["organisation_id", "financial_year", "cash", "in_kind_description", "in_kind_fte",
                      "in_kind_value"], lambda v: save_contribution(ws, aid, v), subject=self.data["info"].title)

    def edit_contribution(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import records
        from cypdesk.services.budget_edit import save_contribution

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
        from cypdesk.services.budget_edit import save_partner

        aid, ws = self.data["id"], self.ws
        self._dialog("Add a partner", "agreement_partners", {},
                     ["organisation_id", "overspend_pct", "underspend_pct"], lambda v: save_partner(ws, aid, v),
                     subject=self.data["info"].title)

    def edit_partner(self) -> None:
        if not (self.editable and self.data):
            return
        from cypdesk.services import records
        from cypdesk.services.budget_edit import save_partner

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
