"""The Services tab: the register of every service the partners commission.

Beside the register's detail editor (every field of the service) are the service's
links and records: the outcomes it contributes to (primary or secondary), the groups
of children and localities it serves, its commissioners and their shares (which must
total 100%), its funding, its contracts (values confidential) and any decommissioning
decision. Each is edited in a dialog through the services layer and undone like any
other edit.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.record_tab import RecordTab
from cypdesk.ui.undo import DoneCommand

SPEC = specs.SERVICES
FIGURES = ("annual_cost", "capacity", "unit_cost", "unit_cost_basis", "unit_cost_by_hand")

CONTRACT_COLUMNS = (("reference", "Reference"), ("title", "Title"), ("supplier", "Supplier"),
                    ("start_date", "Start"), ("end_date", "End"), ("annual_value", "Annual value (confidential)"),
                    ("spent", "Spent to date"), ("contracting_org", "Holder"))
# The contract's form in a sensible order: what it is, who delivers it and who holds
# it, how it was bought, its term, its money, then the checks.
CONTRACT_FORM = ("title", "reference", "description", "supplier_id", "supplier_is_sme", "supplier_is_vcse",
                 "contracting_org_id", "route", "regime", "cpv_code", "start_date", "end_date", "extension_options",
                 "review_date", "annual_value", "total_value", "irrecoverable_vat", "payment_model",
                 "social_value_pct", "risk_assessed", "equality_assessed")


class _Section(QGroupBox):
    def __init__(self, title: str, name: str, buttons: list[tuple[str, str, Any]]) -> None:
        super().__init__(title)
        self.setObjectName(f"services_{name}_section")
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.summary = QLabel("")
        self.summary.setObjectName(f"services_{name}_summary")
        self.summary.setAccessibleDescription(f"{title}: list")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        self.body = layout
        row = QHBoxLayout()
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in buttons:
            button = QPushButton(text)
            button.setObjectName(f"services_{name}_{key}")
            button.setAccessibleName(text.replace("&", "").replace("…", ""))
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        layout.addLayout(row)


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return f"<i>{html.escape(empty)}</i>"
    return "<br>".join(lines)


class ServicesTab(RecordTab):
    detail: dict[str, Any] | None = None

    def __init__(self, spec: Any, window: Any) -> None:
        super().__init__(spec, window)
        # Two views of the register: the table with its editor, and the map of services
        # against outcomes and money (built when first shown).
        from PySide6.QtWidgets import QTabWidget

        outer = self.layout()
        index = outer.indexOf(self.splitter)
        outer.removeWidget(self.splitter)
        self.views_tabs = QTabWidget()
        self.views_tabs.setObjectName("services_views")
        self.views_tabs.setAccessibleName("Register or service and outcome map")
        self.views_tabs.addTab(self.splitter, "&Register")
        self.map_page = QWidget()
        self.map_page.setObjectName("services_map_page")
        QVBoxLayout(self.map_page).setContentsMargins(0, 0, 0, 0)
        self.views_tabs.addTab(self.map_page, "Service and &outcome map")
        from cypdesk.ui.tabs.spend_view import OverspentView

        self.overspent_view = OverspentView()
        self.overspent_view.service_activated.connect(self._map_service_chosen)
        self.views_tabs.addTab(self.overspent_view, "Spend ahead of &value")
        outer.insertWidget(index, self.views_tabs, 1)
        self.map_view: Any = None
        self.views_tabs.currentChanged.connect(self._view_changed)

    def _view_changed(self, index: int) -> None:
        if index in (1, 2):
            if not self.commit_pending():  # typing that is not valid: back to it, message shown
                self.views_tabs.blockSignals(True)
                self.views_tabs.setCurrentIndex(0)
                self.views_tabs.blockSignals(False)
                return
            if index == 1:
                self.show_map()
            else:
                self.overspent_view.load(self.reader)

    def show_map(self) -> None:
        """Build the map on first use and fill it from the document, showing the
        services the register's filter keeps."""
        from datetime import date

        from cypdesk.ui.tabs.service_map_view import ServiceMapView

        if self.map_view is None:
            self.map_view = ServiceMapView(self.map_page)
            self.map_view.service_activated.connect(self._map_service_chosen)
            self.map_page.layout().addWidget(self.map_view)
        if self.views_tabs.currentIndex() != 1:
            self.views_tabs.setCurrentIndex(1)  # shows the page; _view_changed fills it
            return
        self.map_view.set_source(self.reader, date.today())
        self._filter_map()

    def _filter_map(self) -> None:
        if self.map_view is None or self.model is None:
            return
        query = self.model.query
        filtered = bool(query.filter_text or query.conditions)
        self.map_view.set_service_filter(set(query.ids()) if filtered else None)

    def _map_service_chosen(self, service_id: str) -> None:
        self.views_tabs.setCurrentIndex(0)
        if not self.select(service_id):  # hidden by the filter: clear it and try again
            self.filter_bar.clear()
            self.select(service_id)

    def refresh(self) -> None:
        super().refresh()
        if self.map_view is not None and self.views_tabs.currentIndex() == 1 and self.reader is not None:
            self.map_view.refresh()
            self._filter_map()
        if self.views_tabs.currentIndex() == 2:
            self.overspent_view.load(self.reader)

    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        super()._filter(text, conditions)
        if self.map_view is not None and self.views_tabs.currentIndex() == 1:
            self._filter_map()

    def document_closed(self) -> None:
        super().document_closed()
        if self.map_view is not None:
            from datetime import date

            self.map_view.set_source(None, date.today())
        self.overspent_view.load(None)
        self.views_tabs.setCurrentIndex(0)

    # --- building ----------------------------------------------------------------------------
    def build_sections(self) -> None:
        self.figures_warning = QLabel("")
        self.figures_warning.setObjectName("services_figures_warning")
        self.figures_warning.setWordWrap(True)
        self.figures_warning.setStyleSheet("color: #8a4b00; font-weight: 600;")  # dark amber, 6.2:1 on white
        self.figures_warning.hide()
        # under the service's name, above the scrolling editor: seen whatever field is in view
        self.detail_pane.layout().insertWidget(1, self.figures_warning)
        self.classify_note = QLabel("To classify: made by an import, its sector, tier and outcomes are not known "
                                    "yet. Untick \u201cTo classify\u201d once they are filled in.")
        self.classify_note.setObjectName("services_to_classify_note")
        self.classify_note.setWordWrap(True)
        self.classify_note.setStyleSheet("color: #8a4b00; font-weight: 600;")  # the figures warning's amber
        self.classify_note.hide()
        self.detail_pane.layout().insertWidget(1, self.classify_note)
        self.outcomes_section = _Section("Outcomes it contributes to", "outcomes",
                                         [("edit", "Edit outcomes…", self.edit_outcomes)])
        self.groups_section = _Section("Groups of children it serves", "groups",
                                       [("edit", "Edit groups…", self.edit_groups)])
        self.localities_section = _Section("Localities", "localities",
                                           [("edit", "Edit localities…", self.edit_localities)])
        self.commissioners_section = _Section("Commissioners and their shares", "commissioners",
                                              [("edit", "Edit shares…", self.edit_commissioners)])
        self.funding_section = _Section("Funding", "funding", [("edit", "Edit funding…", self.edit_funding)])
        self.contracts_section = _Section("Contracts", "contracts",
                                          [("add", "Add a contract…", self.add_contract),
                                           ("edit", "Edit the contract…", self.edit_contract)])
        self.contracts_table = QTableWidget(0, len(CONTRACT_COLUMNS))
        self.contracts_table.setObjectName("services_contracts_table")
        self.contracts_table.setAccessibleName("Contracts of the service")
        self.contracts_table.setHorizontalHeaderLabels([label for _k, label in CONTRACT_COLUMNS])
        self.contracts_table.verticalHeader().hide()
        self.contracts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contracts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contracts_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.contracts_table.setMaximumHeight(130)
        self.contracts_table.doubleClicked.connect(lambda _i: self.edit_contract())
        self.contracts_section.body.insertWidget(1, self.contracts_table)
        from cypdesk.ui.tabs.spend_view import SpendPanel

        self.spend_section = _Section("Spend against value", "spend",
                                      [("match", "Match payments to contracts", self.match_payments),
                                       ("change", "Change the match…", self.change_match)])
        self.spend_section.summary.hide()  # the panel says it all
        self.spend_panel = SpendPanel()
        self.spend_panel.change_match.connect(self.change_match)
        self.spend_section.body.insertWidget(1, self.spend_panel)
        self.contracts_table.currentCellChanged.connect(self._contract_chosen)
        self.decommissioning_section = _Section("Decommissioning", "decommissioning",
                                                [("edit", "Record a decision…", self.edit_decommissioning)])
        for section in (self.outcomes_section, self.groups_section, self.localities_section,
                        self.commissioners_section, self.funding_section, self.contracts_section,
                        self.spend_section, self.decommissioning_section):
            self.add_section(section)

    def duplicate(self, record_id: str) -> Any:
        from cypdesk.services.service_edit import duplicate_service

        return duplicate_service(self.ws, record_id)

    # --- showing -----------------------------------------------------------------------------
    def load_sections(self, record_id: str | None) -> None:
        from cypdesk.services.service_edit import service_detail

        self.detail = service_detail(self.ws, record_id) if (record_id and self.ws is not None) else None
        has = self.detail is not None
        for section in self._sections():
            section.setVisible(has)
            for button in section.buttons.values():
                button.setEnabled(has and self.editable)
        self._show_figures()
        self.classify_note.setVisible(bool(has and self.detail["service"].get("to_classify")))
        if not has:
            return
        d = self.detail
        from cypdesk.common.formats import date_uk, money

        esc = html.escape
        self.outcomes_section.summary.setText(_items(
            [f"<b>{esc(o['contribution_label'])}</b>: {esc((o['code'] + ' ') if o['code'] else '')}{esc(o['name'])}"
             for o in d["outcomes"]], "Not linked to any outcome yet."))
        self.groups_section.summary.setText(_items([esc(g["name"]) for g in d["groups"]],
                                                   "All children (no group recorded)."))
        self.localities_section.summary.setText(_items([esc(a["name"]) for a in d["localities"]],
                                                       "The whole area (no locality recorded)."))
        shares = [f"{esc(c['name'])}: {c['share_pct']:g}%" for c in d["commissioners"]]
        if d["commissioners"] and abs(d["commissioners_total_pct"] - 100) >= 0.01:
            shares.append(f"<b>The shares total {d['commissioners_total_pct']:g}%, not 100%.</b>")
        self.commissioners_section.summary.setText(_items(shares, "No commissioner recorded."))
        funding = [f"{esc(f['source'])}: {money(f['amount']) if f['amount'] is not None else 'amount not recorded'}"
                   for f in d["funding"]]
        self.funding_section.summary.setText(_items(funding, "No funding recorded."))
        contracts = d["contracts"]
        self.contracts_section.summary.setText("" if contracts else "<i>No contract recorded.</i>")
        self.contracts_table.setVisible(bool(contracts))
        spent = dict(self.reader.execute(
            "SELECT p.contract_id, sum(p.amount) FROM payments p JOIN contracts c ON c.id = p.contract_id "
            "WHERE c.service_id = ? GROUP BY p.contract_id", (record_id,)).fetchall())
        self.contracts_table.blockSignals(True)
        self.contracts_table.setRowCount(len(contracts))
        for row, contract in enumerate(contracts):
            for col, (key, _label) in enumerate(CONTRACT_COLUMNS):
                value = spent.get(contract["id"]) if key == "spent" else contract.get(key)
                text = "" if value is None else (date_uk(value) if key.endswith("_date") else
                                                 money(value) if key in ("annual_value", "spent") else str(value))
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, contract["id"])
                self.contracts_table.setItem(row, col, item)
        if contracts:
            self.contracts_table.selectRow(len(contracts) - 1)
        self.contracts_table.blockSignals(False)
        self.contracts_section.buttons["edit"].setEnabled(bool(contracts) and self.editable)
        chosen = self._selected_contract()
        self.spend_panel.load(self.reader, record_id, contracts, chosen["id"] if chosen else None)
        self.spend_section.buttons["change"].setEnabled(bool(self.spend_panel.lines) and self.editable)
        decisions = d["decommissioning"]
        if decisions:
            latest = decisions[-1]
            from cypdesk.model.catalog import CATALOG

            status = dict(next(f for f in CATALOG["decommissioning"]["fields"] if f["name"] == "status")["choices"])
            lines = [f"<b>{esc(status.get(latest['status'], latest['status']))}</b>"]
            if latest.get("board_signoff"):
                lines.append(f"Signed off by the board {date_uk(latest['board_signoff'])}")
            if latest.get("notice_date"):
                lines.append(f"Notice given {date_uk(latest['notice_date'])}")
            self.decommissioning_section.summary.setText("<br>".join(lines))
            self.decommissioning_section.buttons["edit"].setText("Edit the decision…")
        else:
            self.decommissioning_section.summary.setText("<i>No decommissioning decision.</i>")
            self.decommissioning_section.buttons["edit"].setText("Record a decision…")

    # --- figures in step -------------------------------------------------------------------------
    def _show_figures(self) -> None:
        """Where the money no longer adds up (funding, commissioners' shares against the
        annual cost), in words above the sections; the unit cost's note under it."""
        warnings = self.detail["figure_warnings"] if self.detail else []
        self.figures_warning.setText("\n".join(f"Check the figures: {w}" for w in warnings))
        self.figures_warning.setVisible(bool(warnings))
        self._show_unit_cost_note()

    def _form_changed(self) -> None:
        super()._form_changed()
        self._show_unit_cost_note()

    def _show_unit_cost_note(self) -> None:
        """The note under the unit cost, following what is typed: where the figure comes
        from, and what applying the typed cost or capacity will make it."""
        from cypdesk.services.service_figures import derive, unit_cost_note

        if "unit_cost" not in self.form.editors:
            return
        if self.detail is None and not self.adding:
            self.form.set_note("unit_cost", "")
            return
        current = dict(self.detail["service"]) if self.detail else {}
        typed = self._typed_figures()
        after = {**current, **derive(current, typed)} if typed else current
        note = unit_cost_note(after)
        if typed and after.get("unit_cost") != current.get("unit_cost") and "unit_cost" not in typed:
            note = f"When applied: {note[0].lower()}{note[1:]}"
        self.form.set_note("unit_cost", note)

    def _typed_figures(self) -> dict[str, Any]:
        """The figures the officer has changed in the editor, converted; one that does
        not convert is left out (applying will say why)."""
        from cypdesk.services.records import coerce, editable_fields, kind_of

        fields = editable_fields(kind_of("services"))
        changed = self.form.raw_values() if self.adding else self.form.changed_values()
        out: dict[str, Any] = {}
        for name in FIGURES:
            if name in changed:
                try:
                    out[name] = coerce(fields[name], changed[name])
                except ValueError:
                    continue
        return out

    def _sections(self) -> list[_Section]:
        return [self.outcomes_section, self.groups_section, self.localities_section, self.commissioners_section,
                self.funding_section, self.contracts_section, self.spend_section, self.decommissioning_section]

    # --- editing links ------------------------------------------------------------------------
    def _push_links(self, change: Any) -> None:
        from cypdesk.services import service_edit

        if change is None or not change.changed:
            return
        ws = self.ws
        label = change.op.removeprefix("set_").replace("_", " ")
        self.window_.push_command(DoneCommand(f"Edit {label} of {change.title}",
                                              lambda: service_edit.redo(ws, change),
                                              lambda: service_edit.undo(ws, change),
                                              self.window_.refresh_all))

    def _run(self, dialog: Any) -> None:
        if self.window_.run_dialog(dialog):
            self._push_links(dialog.result_change)

    def edit_outcomes(self) -> None:
        from cypdesk.services.service_edit import set_outcomes
        from cypdesk.ui.dialogs.links import OutcomesDialog

        rows = self.reader.execute("SELECT id, code, name, parent_id, rank FROM outcomes").fetchall()
        ordered = _tree(rows)
        current = dict(self.detail["outcome_links"])
        sid = self.current_id
        self._run(OutcomesDialog(ordered, current, lambda choice: set_outcomes(self.ws, sid, choice), self))

    def edit_groups(self) -> None:
        from cypdesk.services.lookups import options
        from cypdesk.services.service_edit import set_groups
        from cypdesk.ui.dialogs.links import ChecklistDialog

        sid = self.current_id
        self._run(ChecklistDialog("Groups of children the service serves",
                                  "Tick the groups the service is for; none means all children.",
                                  options(self.reader, "groups"), self.detail["group_ids"],
                                  lambda ids: set_groups(self.ws, sid, ids), self))

    def edit_localities(self) -> None:
        from cypdesk.services.service_edit import set_localities
        from cypdesk.ui.dialogs.links import ChecklistDialog

        areas = self.reader.execute(
            "SELECT id, name FROM areas WHERE kind IN ('locality', 'ward', 'district') OR is_home = 1 "
            "ORDER BY is_home DESC, name COLLATE NOCASE").fetchall()
        sid = self.current_id
        self._run(ChecklistDialog("Localities the service covers",
                                  "Tick the localities the service works in; none means the whole area.",
                                  [(r[0], r[1]) for r in areas], self.detail["locality_ids"],
                                  lambda ids: set_localities(self.ws, sid, ids), self))

    def edit_commissioners(self) -> None:
        from cypdesk.services.lookups import options
        from cypdesk.services.service_edit import set_commissioners
        from cypdesk.ui.dialogs.links import SharesDialog

        partners = self.reader.execute(
            "SELECT id, name FROM organisations WHERE is_partner = 1 ORDER BY name COLLATE NOCASE").fetchall()
        orgs = [(r[0], r[1]) for r in partners] or options(self.reader, "organisations")
        sid = self.current_id
        self._run(SharesDialog("Commissioners and their shares",
                               "The partners that commission this service, and each one's share of its cost. "
                               "The shares must total 100%.", self.detail["commissioner_shares"],
                               lambda rows: set_commissioners(self.ws, sid, rows), organisations=orgs, parent=self))

    def edit_funding(self) -> None:
        from cypdesk.services.service_edit import set_funding
        from cypdesk.ui.dialogs.links import SharesDialog

        sid = self.current_id
        self._run(SharesDialog("Funding", "Where the money for this service comes from, and how much a year.",
                               self.detail["funding_sources"], lambda rows: set_funding(self.ws, sid, rows),
                               unit="£", parent=self))

    # --- contracts and decommissioning -----------------------------------------------------------
    def _options(self, kind: str) -> dict[str, list[tuple[str, str]]]:
        from cypdesk.model.catalog import CATALOG
        from cypdesk.services.lookups import options

        return {f["name"]: options(self.reader, f["references"]) for f in CATALOG[kind]["fields"]
                if f["kind"] == "reference" and not f.get("system") and f.get("references") in CATALOG}

    def _selected_contract(self) -> dict[str, Any] | None:
        if not self.detail or not self.detail["contracts"]:
            return None
        row = self.contracts_table.currentRow()
        contracts = self.detail["contracts"]
        return contracts[row] if 0 <= row < len(contracts) else contracts[-1]

    def _child_dialog(self, title: str, kind: str, values: dict[str, Any] | None, save: Any) -> None:
        from cypdesk.ui.dialogs.links import RecordDialog

        from cypdesk.model.catalog import CATALOG

        fields = [f["name"] for f in CATALOG[kind]["fields"] if not f.get("system") and f["name"] != "service_id"]
        if kind == "contracts":
            fields = [*CONTRACT_FORM, *(f for f in fields if f not in CONTRACT_FORM)]
        dialog = RecordDialog(title, kind, values, self._options(kind), save, fields, self)
        if self.window_.run_dialog(dialog) and dialog.result_change is not None and (
                dialog.result_change.op == "create" or dialog.result_change.after):
            self.window_.push(dialog.result_change, self)

    def add_contract(self) -> None:
        from cypdesk.services.service_edit import save_contract

        sid = self.current_id
        self._child_dialog("Add a contract", "contracts", {}, lambda values: save_contract(self.ws, sid, values))

    def edit_contract(self) -> None:
        from cypdesk.services.service_edit import save_contract

        contract = self._selected_contract()
        if contract is None:
            return
        sid = self.current_id
        self._child_dialog(f"Contract {contract.get('reference') or ''}".strip(), "contracts", contract,
                           lambda values: save_contract(self.ws, sid, values, contract["id"]))

    # --- spend against value ------------------------------------------------------------------
    def _contract_chosen(self, row: int, *_: Any) -> None:
        contracts = self.detail["contracts"] if self.detail else []
        if 0 <= row < len(contracts):
            self.spend_panel.show_contract(contracts[row]["id"])
            self.spend_section.buttons["change"].setEnabled(bool(self.spend_panel.lines) and self.editable)

    def change_match(self) -> None:
        """Choose the contract the selected payment pays for, or none (undoable)."""
        from cypdesk.services.spend import set_payment_contract
        from cypdesk.ui.tabs.spend_view import MatchDialog, contract_choices

        line = self.spend_panel.selected()
        if line is None or not self.editable:
            return
        supplier = self.reader.execute("SELECT supplier_id FROM payments WHERE id = ?", (line.id,)).fetchone()
        dialog = MatchDialog(line, contract_choices(self.reader, supplier[0] if supplier else None),
                             lambda contract_id: set_payment_contract(self.ws, line.id, contract_id), self)
        if self.window_.run_dialog(dialog) and dialog.result_change is not None and dialog.result_change.after:
            self.window_.push(dialog.result_change, self)  # its first redo refreshes the window

    def match_payments(self) -> None:
        """Match every payment without a supplier organisation or a contract, off the UI
        thread; the run is one step on the undo stack, and the status bar says what it did."""
        from cypdesk.services import spend

        ws = self.ws

        def work(progress: Any) -> Any:
            return spend.match_payments(ws, progress=lambda done, total, what: progress.report(done, total, what))

        def done(report: Any) -> None:
            if report.changed:  # pushed: its first redo refreshes the window
                self.window_.push_command(DoneCommand("Match payments to contracts",
                                                      lambda: spend.redo_match(ws, report),
                                                      lambda: spend.undo_match(ws, report), self.window_.refresh_all))
            self.window_.status(report.summary())

        self.window_.run_task("Matching payments to contracts", work, done)

    def edit_decommissioning(self) -> None:
        from cypdesk.services.service_edit import save_decommissioning

        decisions = self.detail["decommissioning"] if self.detail else []
        current = decisions[-1] if decisions else {}
        sid = self.current_id
        self._child_dialog("Decommissioning decision", "decommissioning", current,
                           lambda values: save_decommissioning(self.ws, sid, values, current.get("id")))


def _tree(rows: list[tuple[Any, ...]]) -> list[tuple[str, str, int]]:
    """(id, label, depth) of outcomes in tree order: each followed by its sub-outcomes."""
    children: dict[str | None, list[tuple[Any, ...]]] = {}
    ids = {r[0] for r in rows}
    for row in rows:
        parent = row[3] if row[3] in ids else None
        children.setdefault(parent, []).append(row)
    out: list[tuple[str, str, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r[4] if r[4] is not None else 1e9, (r[2] or "").casefold())):
            label = f"{row[1]} {row[2]}" if row[1] else row[2]
            out.append((row[0], label, depth))
            walk(row[0], depth + 1)

    walk(None, 0)
    return out


