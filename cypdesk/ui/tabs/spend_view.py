"""Spend against contracts in the Services tab.

- :class:`SpendPanel`, in a service's view: spend to date of the service and of the
  contract chosen (the contracts' table or the "Payments of" drop-down), against the
  value, and the payments matched with why each is matched. "Change the match…"
  (Enter on a payment) chooses another contract or none; "Match payments" matches
  every payment still without a supplier or a contract. Both are undone like any edit.
- :class:`MatchDialog`: the contract a payment pays for, the supplier's contracts
  first.
- :class:`OverspentView`: the register's third view, the contracts whose spend runs
  ahead of their value and by which rule; Enter on one shows its service.

Every figure is summed in SQL (:mod:`cypdesk.services.spend`) on the window's reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from cypdesk.ui.dialogs.links import _SaveDialog
from cypdesk.ui.widgets.read_only_table import read_only_table

PAYMENT_COLUMNS = ("Date", "Amount", "Why it is matched", "Supplier", "Description", "Contract")
OVERSPENT_COLUMNS = ("Service", "Contract", "Supplier", "Spent", "Above", "Rule")
PAYMENTS_SHOWN = 200
ALL = "\x00all"  # the "Payments of" choice for every contract of the service


def _table(name: str, accessible: str, headers: tuple[str, ...]) -> QTableWidget:
    table = read_only_table(name, accessible, headers)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, key: Any = None, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, key)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _on_enter(table: QTableWidget, slot: Callable[[], None]) -> None:
    """Enter or Return on the table's current row, and a double-click, call ``slot``."""
    from PySide6.QtGui import QKeySequence, QShortcut

    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        shortcut = QShortcut(QKeySequence(key), table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)
    table.doubleClicked.connect(lambda _index: slot())


class SpendPanel(QWidget):
    """Spend to date and the payments matched, for one service and its contracts."""

    change_match = Signal()  # the officer asks to change the selected payment's match

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("services_spend_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.service_line = QLabel("")
        self.service_line.setObjectName("services_spend_service")
        self.service_line.setWordWrap(True)
        self.service_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.service_line)
        row = QHBoxLayout()
        label = QLabel("Payments of:")
        self.scope = QComboBox()
        self.scope.setObjectName("services_spend_scope")
        self.scope.setAccessibleName("Payments of")
        self.scope.setToolTip("Show the spend and payments of one contract, or of all the service's contracts")
        label.setBuddy(self.scope)
        row.addWidget(label)
        row.addWidget(self.scope, 1)
        layout.addLayout(row)
        self.scope_line = QLabel("")
        self.scope_line.setObjectName("services_spend_contract")
        self.scope_line.setWordWrap(True)
        layout.addWidget(self.scope_line)
        self.table = _table("services_payments_table", "Payments matched", PAYMENT_COLUMNS)
        self.table.setMinimumHeight(120)
        self.table.setMaximumHeight(220)
        _on_enter(self.table, self.change_match.emit)
        layout.addWidget(self.table)
        self.more = QLabel("")
        self.more.setObjectName("services_payments_more")
        self.more.hide()
        layout.addWidget(self.more)
        self.source: Any = None
        self.service_id: str | None = None
        self.lines: list[Any] = []
        self.scope.currentIndexChanged.connect(lambda _i: self._show_scope())

    # --- filling --------------------------------------------------------------------------------
    def load(self, source: Any, service_id: str | None, contracts: list[dict[str, Any]],
             contract_id: str | None = None) -> None:
        """Show the service's spend, and the payments of ``contract_id`` (or of all its
        contracts)."""
        from cypdesk.services.spend import spend_to_date

        self.source, self.service_id = source, service_id
        if source is None or service_id is None:
            return
        figures = spend_to_date(source, service_id=service_id)
        self.service_line.setText(f"Spend to date across its contracts: {figures.words()}")
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("All its contracts", ALL)
        for c in contracts:
            self.scope.addItem(contract_label(c), c["id"])
        index = self.scope.findData(contract_id) if contract_id else 0
        self.scope.setCurrentIndex(max(index, 0))
        self.scope.blockSignals(False)
        self._show_scope()

    def show_contract(self, contract_id: str | None) -> None:
        """Follow the contracts' table: that contract's spend and payments."""
        index = self.scope.findData(contract_id) if contract_id else 0
        if index >= 0 and index != self.scope.currentIndex():
            self.scope.setCurrentIndex(index)

    def contract_id(self) -> str | None:
        data = self.scope.currentData()
        return None if data in (None, ALL) else data

    def _show_scope(self) -> None:
        from cypdesk.common.formats import date_uk, money
        from cypdesk.services.spend import matched_payments, spend_to_date

        if self.source is None or self.service_id is None:
            return
        contract_id = self.contract_id()
        if contract_id is not None:
            figures = spend_to_date(self.source, contract_id=contract_id)
            self.scope_line.setText(f"This contract: {figures.words()}")
            self.scope_line.setVisible(self.scope.count() > 2)  # its only contract: the line above says it
            scope = {"contract_id": contract_id}
        else:
            self.scope_line.hide()
            scope = {"service_id": self.service_id}
        self.lines = matched_payments(self.source, limit=PAYMENTS_SHOWN + 1, **scope)
        shown = self.lines[:PAYMENTS_SHOWN]
        self.table.setRowCount(len(shown))
        for row, line in enumerate(shown):
            cells = (date_uk(line.paid_on) if line.paid_on else "",
                     money(line.amount, pence=not float(line.amount).is_integer()), line.reason, line.supplier,
                     line.description or "", line.contract)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, _item(text, line.id, right=col == 1))
        if shown:
            self.table.selectRow(0)
        self.table.setVisible(bool(shown))
        self.more.setText(f"The newest {PAYMENTS_SHOWN} are shown." if len(self.lines) > PAYMENTS_SHOWN else "")
        self.more.setVisible(len(self.lines) > PAYMENTS_SHOWN)

    def selected(self) -> Any:
        """The payment line the officer has chosen, or None."""
        row = self.table.currentRow()
        return self.lines[row] if 0 <= row < min(len(self.lines), PAYMENTS_SHOWN) else None


def contract_label(contract: dict[str, Any]) -> str:
    """"NCC-SB-0123: Short breaks (Acme Care Ltd)" from a contract's values."""
    head = contract.get("reference") or contract.get("title") or "Contract without a reference"
    if contract.get("reference") and contract.get("title"):
        head = f"{head}: {contract['title']}"
    supplier = contract.get("supplier")
    return f"{head} ({supplier})" if supplier else head


class MatchDialog(_SaveDialog):
    """The contract a payment pays for: a drop-down of contracts (the supplier's first),
    or none. OK saves through ``save(contract_id or None)``."""

    def __init__(self, payment: Any, choices: list[tuple[str, str]], save: Callable[[str | None], Any],
                 parent: QWidget | None = None) -> None:
        from cypdesk.common.formats import date_uk, money

        when = date_uk(payment.paid_on) if payment.paid_on else "no date"
        intro = (f"Payment of {money(payment.amount, pence=True)} to {payment.supplier} on {when}"
                 + (f" ({payment.description})" if payment.description else "")
                 + f".\nMatched now to {payment.contract or 'no contract'}: {payment.reason or 'not matched'}.")
        super().__init__("Change the match", intro, save, parent)
        self.setObjectName("match_dialog")
        row = QHBoxLayout()
        label = QLabel("&Contract:")
        self.combo = QComboBox()
        self.combo.setObjectName("match_contract")
        self.combo.setAccessibleName("Contract")
        self.combo.addItem("No contract (clear the match)", None)
        for contract_id, text in choices:
            self.combo.addItem(text, contract_id)
        self.combo.setCurrentIndex(max(self.combo.findData(payment.contract_id), 0))
        label.setBuddy(self.combo)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        self.layout_.addLayout(row)
        self.finish_layout()
        self.setMinimumWidth(520)
        self.combo.setFocus()

    def choice(self) -> str | None:
        return self.combo.currentData()


def contract_choices(reader: Any, supplier_id: str | None) -> list[tuple[str, str]]:
    """Every contract as (id, label), the supplier's own first, then by reference."""
    rows = reader.execute(
        "SELECT c.id, c.reference, c.title, s.name, coalesce(os.name, op.name), "
        "coalesce(c.supplier_id, s.provider_id) = ? AS theirs FROM contracts c JOIN services s ON s.id = c.service_id "
        "LEFT JOIN organisations os ON os.id = c.supplier_id LEFT JOIN organisations op ON op.id = s.provider_id "
        "ORDER BY theirs DESC, c.reference COLLATE NOCASE, c.id", (supplier_id,)).fetchall()
    return [(r[0], f"{contract_label({'reference': r[1], 'title': r[2] or r[3], 'supplier': r[4]})}") for r in rows]


class OverspentView(QWidget):
    """Contracts whose spend runs ahead of their value (the rule each breaks)."""

    service_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("services_overspent_view")
        layout = QVBoxLayout(self)
        self.caption = QLabel("")
        self.caption.setObjectName("services_overspent_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.table = _table("services_overspent_table", "Contracts whose spend runs ahead of their value",
                            OVERSPENT_COLUMNS)
        _on_enter(self.table, self._activated)
        layout.addWidget(self.table, 1)
        hint = QLabel("Enter or a double-click shows the contract's service in the register.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.rows: list[Any] = []

    def load(self, source: Any, today: Any = None) -> None:
        from cypdesk.common.formats import money, plural
        from cypdesk.services.spend import contracts_overspent

        self.rows = contracts_overspent(source, today=today) if source is not None else []
        self.table.setRowCount(len(self.rows))
        for row, o in enumerate(self.rows):
            contract = o.reference or o.title or ""
            cells = (o.service, contract, o.supplier or "", money(o.spent), money(o.over),
                     ("Above its value: " if o.rule == "value" else "Above its annual value pro rata: ") + o.words)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, _item(text, o.service_id, right=col in (3, 4)))
        if self.rows:
            self.table.selectRow(0)
            self.caption.setText(f"{plural(len(self.rows), 'contract')} whose spend runs ahead of its value, "
                                 "most over first. Spend is the payments matched to each contract.")
        else:
            self.caption.setText("No contract's spend runs ahead of its value." if source is not None else "")

    def _activated(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.service_activated.emit(self.rows[row].service_id)
