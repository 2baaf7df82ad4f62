"""The Board papers tab's small dialogs: a short form of its own (:class:`FormDialog`),
or a record's fields from the field catalog (:class:`RecordDialog`, the same form the
tabs' editors use), with OK and Cancel. Every one runs through the window's
``run_dialog``, so tests can answer it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from cypdesk.common.errors import ValidationError


class FormDialog(QDialog):
    """A short form with OK and Cancel; ``values()`` is what it holds."""

    def __init__(self, title: str, parent: QWidget | None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName(title.lower().replace(" ", "_").replace("…", ""))
        outer = QVBoxLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            outer.addWidget(label)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #a4262c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        outer.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {}
        self.setMinimumWidth(440)

    def add(self, name: str, label: str, widget: QWidget) -> QWidget:
        widget.setObjectName(f"{self.objectName()}_{name}")
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.form.addRow(label, widget)
        self.fields[name] = widget
        return widget

    def say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


class RecordDialog(QDialog):
    """A record's fields (the record form, options filled from the document) with OK
    and Cancel. OK calls ``save(form)``; a refusal (ValidationError) shows its problems
    under the fields and the dialog stays open; ``result_`` is what ``save`` returned."""

    def __init__(self, parent: QWidget | None, conn: Any, kind: str, fields: list[str], values: dict[str, Any],
                 title: str, save: Callable[[Any], Any], note: str = "") -> None:
        super().__init__(parent)
        from cypdesk.model.catalog import CATALOG
        from cypdesk.services.lookups import options
        from cypdesk.ui.widgets.record_form import RecordForm

        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName(f"{kind}_dialog")
        column = QVBoxLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            column.addWidget(label)
        self.form = RecordForm(kind, fields)
        for spec in self.form.specs:
            if spec["kind"] == "reference" and spec.get("references") in CATALOG and conn is not None:
                self.form.set_options(spec["name"], options(conn, spec["references"]))
        self.form.load(values)
        column.addWidget(self.form)
        self.problem = QLabel("")
        self.problem.setObjectName(f"{kind}_dialog_problem")
        self.problem.setStyleSheet("color: #a4262c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        column.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.setMinimumWidth(500)
        self.save = save
        self.result_: Any = None

    def accept(self) -> None:
        try:
            self.result_ = self.save(self.form)
        except ValidationError as exc:
            self.form.show_problems(exc.facts.get("problems", []) or [
                {"field": exc.facts.get("field", ""), "message": exc.message}])
            self.problem.setText(exc.message)
            self.problem.show()
            return
        super().accept()
