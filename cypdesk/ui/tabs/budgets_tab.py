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
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMessageBox, QStyle, QTableWidget, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.budgets_sections import (
    ID_ROLE, MUTED_COLOUR, BudgetSections, _fit, _item, _label, _Section, _table,
)
from cypdesk.ui.tabs.record_tab import RecordTab
from cypdesk.ui.undo import DoneCommand

SPEC = specs.BUDGETS

WARNING_FRAME_STYLE = ("QFrame#agreements_warnings_frame { background: #fff7e6; border: 1px solid #f47738;"
                       " border-left: 5px solid #f47738; }")
BANNER_STYLE = "QLabel { background: #f3f2f1; border-left: 5px solid #1d70b8; padding: 6px; }"
SCOPE_COLUMNS = ("Service", "Provider", "Status", "Annual cost")
PAGES = ("Agreement", "Contributions", "Quarterly monitoring", "Services in scope")


class BudgetsTab(BudgetSections, RecordTab):
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

    # --- the agreement itself -----------------------------------------------------------------------
    def duplicate(self, record_id: str) -> Any:
        """A copy of the agreement with its partners and services in scope, as a draft."""
        from cypdesk.services.budget_edit import duplicate_agreement

        return duplicate_agreement(self.ws, record_id)

    @staticmethod
    def _selected_id(table: QTableWidget) -> str | None:
        row = table.currentRow()
        if row < 0:
            return None
        item = table.item(row, 0)
        return item.data(ID_ROLE) if item is not None else None

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
        from cypdesk.services.budget_edit import set_services
        from cypdesk.services.lookups import options
        from cypdesk.ui.dialogs.links import ChecklistDialog

        aid, ws = self.data["id"], self.ws
        current = [s.service_id for s in self.data["scope"]]
        dialog = ChecklistDialog("Services in scope", "Tick the register's services this agreement covers.",
                                 options(self.reader, "services"), current,
                                 lambda ids: set_services(ws, aid, ids), self)
        if not self.window_.run_dialog(dialog):
            return
        change = dialog.result_change
        if change is None or not change.changed:
            return
        self.window_.push_command(DoneCommand(f"Edit services in scope of {change.title}",
                                              lambda: set_services(ws, aid, change.after),
                                              lambda: set_services(ws, aid, change.before),
                                              self.window_.refresh_all))
