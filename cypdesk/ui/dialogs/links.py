"""Dialogs that edit a service's links: which outcomes it contributes to, which groups
and localities it serves, who commissions it and in what shares, and how it is funded.

Each dialog collects the officer's choice; OK hands it to ``save`` (a services
operation), and a refusal (shares not totalling 100%, say) is shown in the dialog,
which stays open with the officer's choices intact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QTableWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.widgets.record_form import error_label


class _SaveDialog(QDialog):
    """OK runs ``save(choice)``; a CypdeskError keeps the dialog open with its message."""

    def __init__(self, title: str, intro: str, save: Callable[[Any], Any], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.save = save
        self.result_change: Any = None
        self.layout_ = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        label.setVisible(bool(intro))
        self.intro = label
        self.layout_.addWidget(label)
        self.error = error_label("dialog_error", description="Problem")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("OK")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def choice(self) -> Any:
        raise NotImplementedError

    def try_accept(self) -> None:
        try:
            self.result_change = self.save(self.choice())
        except CypdeskError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()


class ChecklistDialog(_SaveDialog):
    """Tick the records that apply (groups of children, localities)."""

    def __init__(self, title: str, intro: str, options: list[tuple[str, str]], checked: list[str],
                 save: Callable[[list[str]], Any], parent: QWidget | None = None) -> None:
        super().__init__(title, intro, save, parent)
        self.list = QListWidget()
        self.list.setObjectName("checklist")
        self.list.setAccessibleName(title)
        for record_id, text in options:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if record_id in checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.layout_.addWidget(self.list)
        self.finish_layout()
        self.resize(460, 420)

    def choice(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, record_id: str, checked: bool) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == record_id:
                self.list.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


CONTRIBUTIONS = (("", None), ("Primary", "primary"), ("Secondary", "secondary"))


class OutcomesDialog(_SaveDialog):
    """For each outcome and sub-outcome: no contribution, primary or secondary."""

    def __init__(self, outcomes: list[tuple[str, str, int]], current: dict[str, str],
                 save: Callable[[list[tuple[str, str]]], Any], parent: QWidget | None = None) -> None:
        super().__init__("Outcomes the service contributes to",
                         "Choose Primary where the outcome is what the service is for, Secondary where it helps.",
                         save, parent)
        self.table = QTableWidget(len(outcomes), 2)
        self.table.setObjectName("outcomes_table")
        self.table.setAccessibleName("Outcomes and contributions")
        self.table.setHorizontalHeaderLabels(["Outcome", "Contribution"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[str, QComboBox] = {}
        for row, (outcome_id, label, depth) in enumerate(outcomes):
            item = QLabel(("      " * depth) + label)
            if depth == 0:
                item.setStyleSheet("font-weight: 600;")
            self.table.setCellWidget(row, 0, item)
            combo = QComboBox()
            combo.setAccessibleName(f"Contribution to {label}")
            for text, value in CONTRIBUTIONS:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(combo.findData(current.get(outcome_id)), 0))
            self.table.setCellWidget(row, 1, combo)
            self.combos[outcome_id] = combo
        self.layout_.addWidget(self.table)
        self.finish_layout()
        self.resize(640, 560)

    def choice(self) -> list[tuple[str, str]]:
        return [(oid, combo.currentData()) for oid, combo in self.combos.items() if combo.currentData()]


class SharesDialog(_SaveDialog):
    """Rows of (organisation, share %) for commissioners, or (source, £ a year) for
    funding. The total is shown as the officer types."""

    def __init__(self, title: str, intro: str, current: list[tuple[Any, Any]], save: Callable[[list], Any], *,
                 organisations: list[tuple[str, str]] | None = None, unit: str = "%",
                 parent: QWidget | None = None) -> None:
        super().__init__(title, intro, save, parent)
        self.organisations = organisations
        self.unit = unit
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("shares_table")
        self.table.setAccessibleName(title)
        self.table.setHorizontalHeaderLabels(["Commissioner" if organisations else "Funding source",
                                              "Share (%)" if unit == "%" else "Amount a year (£)"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.layout_.addWidget(self.table)
        row_buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add a row")
        self.add_button.setAccessibleName("Add a row")
        self.add_button.clicked.connect(lambda: self.add_row(None, None))
        self.remove_button = QPushButton("&Remove the selected row")
        self.remove_button.setAccessibleName("Remove the selected row")
        self.remove_button.clicked.connect(self.remove_row)
        self.total = QLabel("")
        self.total.setObjectName("shares_total")
        self.total.setAccessibleDescription("Total")
        row_buttons.addWidget(self.add_button)
        row_buttons.addWidget(self.remove_button)
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.total)
        self.layout_.addLayout(row_buttons)
        for key, amount in current:
            self.add_row(key, amount)
        self.finish_layout()
        self.update_total()
        self.resize(560, 360)

    def add_row(self, key: Any, amount: Any) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        if self.organisations is not None:
            from cypdesk.ui.widgets.reference_combo import ReferenceCombo

            who = ReferenceCombo("organisations", field="commissioner")
            who.setAccessibleName(f"Commissioner {row + 1}")
            who.set_options(self.organisations)
            who.setCurrentIndex(max(who.findData(key), 0))
        else:
            who = QLineEdit("" if key is None else str(key))
            who.setAccessibleName(f"Funding source {row + 1}")
        spin = QDoubleSpinBox()
        spin.setAccessibleName(f"{'Share' if self.unit == '%' else 'Amount'} {row + 1}")
        if self.unit == "%":
            spin.setRange(0, 100)
            spin.setDecimals(2)
            spin.setSuffix(" %")
        else:
            spin.setRange(0, 1_000_000_000)
            spin.setDecimals(0)
            spin.setPrefix("£")
            spin.setGroupSeparatorShown(True)
        spin.setValue(float(amount or 0))
        spin.valueChanged.connect(self.update_total)
        self.table.setCellWidget(row, 0, who)
        self.table.setCellWidget(row, 1, spin)
        self.update_total()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
        self.update_total()

    def rows(self) -> list[tuple[Any, float]]:
        out = []
        for row in range(self.table.rowCount()):
            who = self.table.cellWidget(row, 0)
            spin = self.table.cellWidget(row, 1)
            key = who.currentData() if isinstance(who, QComboBox) else who.text().strip()
            out.append((key, spin.value()))
        return out

    def update_total(self) -> None:
        total = sum(amount for _key, amount in self.rows())
        if self.unit == "%":
            words = "" if abs(total - 100) < 0.01 or not self.rows() else " (must total 100%)"
            self.total.setText(f"Total: {total:g}%{words}")
        else:
            from cypdesk.common.formats import money

            self.total.setText(f"Total: {money(total)} a year")

    def choice(self) -> list[tuple[Any, float]]:
        return [(key, amount) for key, amount in self.rows() if key not in (None, "")]


class RecordDialog(_SaveDialog):
    """A record in a compact form built by the editors' own code (a contract, a budget
    return, an actual): each label beside its field, the message about a field under
    it, one a field. A short window title (window managers cut long ones) and, when
    given, the ``subject`` (the agreement, the measure) wrapped in bold above the form.
    ``confirm`` (the whole form's values -> bool) is asked before saving, e.g. whether
    to save figures for a period that has not ended; False keeps the dialog open."""

    TALL = 480  # a form taller than this scrolls inside the dialog

    def __init__(self, title: str, kind: str, values: dict[str, Any] | None, options: dict[str, list[tuple[str, str]]],
                 save: Callable[[dict[str, Any]], Any], fields: list[str] | None = None,
                 parent: QWidget | None = None, *, subject: str = "",
                 confirm: Callable[[dict[str, Any]], bool] | None = None) -> None:
        from PySide6.QtWidgets import QFrame, QPlainTextEdit, QScrollArea

        from cypdesk.ui.widgets.record_form import RecordForm

        super().__init__(title, "", save, parent)
        self.setObjectName(f"{kind}_dialog")
        self.confirm = confirm
        if subject:
            self.intro.setText(subject)
            self.intro.setObjectName(f"{kind}_dialog_subject")
            self.intro.setStyleSheet("font-weight: 600;")
            self.intro.show()
        self.form = RecordForm(kind, fields)
        for name, opts in options.items():
            if name in self.form.editors:
                self.form.set_options(name, opts)
        self.form.load(values or {})
        for editor in self.form.editors.values():  # three lines for notes; they scroll when longer
            if isinstance(editor, QPlainTextEdit):
                editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 12)
        self.is_new = not values or not values.get("id")
        self.tall = self.form.sizeHint().height() > self.TALL
        if self.tall:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(self.form)
            self.layout_.addWidget(scroll, 1)
        else:
            self.layout_.addWidget(self.form)
        self.finish_layout()
        self.setMinimumWidth(480)
        if self.tall:
            self.resize(640, 600)
        else:
            hint = self.sizeHint()
            self.resize(max(480, hint.width()), hint.height())

    def choice(self) -> dict[str, Any]:
        if self.is_new:
            return {k: v for k, v in self.form.raw_values().items() if v not in ("", None)}
        return self.form.changed_values()

    def try_accept(self) -> None:
        from cypdesk.common.errors import ValidationError

        self.error.hide()
        if self.confirm is not None and not self.confirm(self.form.raw_values()):
            return
        try:
            self.result_change = self.save(self.choice())
        except ValidationError as exc:
            problems = exc.facts.get("problems", []) or (
                [{"field": exc.facts["field"], "message": exc.message}] if exc.facts.get("field") else [])
            self.form.show_problems(problems)
            elsewhere = [p for p in problems if p.get("field") not in self.form.editors]
            if elsewhere or not problems:  # said under its field otherwise: once is enough
                self.error.setText(exc.message)
                self.error.show()
            self._fit()
            return
        except CypdeskError as exc:
            self.error.setText(exc.message)
            self.error.show()
            self._fit()
            return
        self.accept()

    def _fit(self) -> None:
        """Grow to show the messages now under the fields (a short form has no scroll bar)."""
        if not self.tall:
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))


def confirm_future_period(window: Any, kind: str, today: Any = None) -> Callable[[dict[str, Any]], bool]:
    """A ``confirm`` for :class:`RecordDialog`: when the services warn that the period
    has not ended yet (``records.typed_period_warning``), ask the officer whether to
    save it anyway."""
    from PySide6.QtWidgets import QMessageBox

    def confirm(values: dict[str, Any]) -> bool:
        from cypdesk.services.records import typed_period_warning

        warning = typed_period_warning(kind, values, today() if callable(today) else today)
        if warning is None:
            return True
        answer = window.ask(QMessageBox.Icon.Question, "A period that has not ended",
                            f"{warning}.\n\nSave it anyway?",
                            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    return confirm
