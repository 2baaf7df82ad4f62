"""A form for one record of any kind, built from the field catalog: the right widget
for each kind of field, the label and help from the one declaration, and the
validation message shown under the field it is about.

The form only collects text and choices; converting and checking them is the
services' job (``records.prepare``), whose problems come back here by field name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget,
)

from cypdesk.model.catalog import CATALOG

ERROR_STYLE = "color: #a4262c;"  # dark red, 6.9:1 on white; the message also says what is wrong


def _fields(kind: str, names: list[str] | None) -> list[dict[str, Any]]:
    specs = {f["name"]: f for f in CATALOG[kind]["fields"]}
    if names is not None:
        return [specs[n] for n in names]
    return [f for f in CATALOG[kind]["fields"] if not f.get("system")]


def text_of(spec: dict[str, Any], value: Any) -> str:
    """A stored value as the officer types it."""
    if value is None:
        return ""
    kind = spec["kind"]
    if kind == "date":
        from cypdesk.common.formats import date_uk

        return date_uk(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
    if kind == "money":
        from cypdesk.common.formats import money

        return money(value, pence=not float(value).is_integer())
    if kind == "financial_year":
        from cypdesk.common.periods import format_financial_year

        return format_financial_year(int(value))
    if kind == "period":
        from cypdesk.common.periods import Period

        try:
            return Period.from_key(str(value)).label()
        except ValueError:
            return str(value)
    if kind in ("number", "percent") and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class RecordForm(QWidget):
    changed = Signal()

    def __init__(self, kind: str, fields: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"{kind}_form")
        self.specs = _fields(kind, fields)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._descriptions: dict[str, str] = {}  # each editor's own description (its help)
        self._loading = False
        self._original: dict[str, Any] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.layout_)
        for spec in self.specs:
            self._add(spec)

    def _add(self, spec: dict[str, Any]) -> None:
        name, kind, label = spec["name"], spec["kind"], spec["label"]
        if spec.get("unit") and spec["unit"] not in ("£", "%"):
            label = f"{label} ({spec['unit']})"
        editor: QWidget
        if "choices" in spec:
            editor = QComboBox()
            if not spec.get("required"):
                editor.addItem("", None)
            for value, text in spec["choices"]:
                editor.addItem(text, value)
            editor.currentIndexChanged.connect(self._edited)
        elif kind == "reference":
            editor = QComboBox()
            editor.setEditable(False)
            editor.addItem("", None)
            editor.currentIndexChanged.connect(self._edited)
        elif kind == "bool":
            editor = QCheckBox()
            editor.toggled.connect(self._edited)
        elif kind == "long_text":
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setMinimumHeight(60)
            editor.setMaximumHeight(110)
            editor.textChanged.connect(self._edited)
        else:
            editor = QLineEdit()
            editor.setPlaceholderText({"date": "dd/mm/yyyy", "money": "£", "percent": "%",
                                       "period": "e.g. 2025-26 Q1", "financial_year": "e.g. 2025-26"}.get(kind, ""))
            editor.textEdited.connect(self._edited)
        if isinstance(editor, QComboBox):  # long names elide instead of widening the form
            editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            editor.setMinimumContentsLength(14)
        editor.setObjectName(f"{self.kind}_{name}")
        editor.setAccessibleName(spec["label"])
        if spec.get("help"):
            editor.setToolTip(spec["help"])
            editor.setAccessibleDescription(spec["help"])
        if spec.get("confidential"):
            label = f"{label} (confidential)"
            editor.setToolTip((spec.get("help", "") + "\n" if spec.get("help") else "")
                              + "Confidential: left out of copies shared with providers.")
        error = QLabel("")
        error.setObjectName(f"{self.kind}_{name}_error")
        error.setAccessibleDescription(f"{spec['label']}: problem")
        error.setBuddy(editor)  # the message labels its field: a screen reader hears it with the field
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(error)
        required = spec.get("required") and kind != "bool"  # a tick box always has a value
        # "required" in words: a star alone is read as "star"
        title = QLabel(label + (" (required)" if required else ""))
        if required:
            editor.setAccessibleName(f"{spec['label']} (required)")
        title.setBuddy(editor)
        self.layout_.addRow(title, box)
        self.editors[name] = editor
        self.errors[name] = error
        self._descriptions[name] = editor.accessibleDescription()

    def _edited(self, *_: Any) -> None:
        if not self._loading:
            self.changed.emit()

    # --- options for references -------------------------------------------------------
    def set_options(self, name: str, options: list[tuple[str, str]]) -> None:
        combo = self.editors[name]
        assert isinstance(combo, QComboBox)
        current = combo.currentData()
        self._loading = True
        combo.clear()
        combo.addItem("", None)
        for record_id, title in options:
            combo.addItem(title, record_id)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        self._loading = False

    # --- values -----------------------------------------------------------------------
    def load(self, values: dict[str, Any] | None) -> None:
        self._loading = True
        self._original = dict(values or {})
        for spec in self.specs:
            name = spec["name"]
            editor = self.editors[name]
            value = (values or {}).get(name)
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                editor.setCurrentIndex(index if index >= 0 else 0)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText("" if value is None else str(value))
            else:
                editor.setText(text_of(spec, value))
                editor.setCursorPosition(0)  # a long name shows its beginning
        self.clear_problems()
        self._loading = False

    def raw_values(self) -> dict[str, Any]:
        """What the form holds, as typed: text, a choice's value, a reference's id."""
        out: dict[str, Any] = {}
        for spec in self.specs:
            editor = self.editors[spec["name"]]
            if isinstance(editor, QComboBox):
                out[spec["name"]] = editor.currentData()
            elif isinstance(editor, QCheckBox):
                out[spec["name"]] = editor.isChecked()
            elif isinstance(editor, QPlainTextEdit):
                out[spec["name"]] = editor.toPlainText()
            else:
                out[spec["name"]] = editor.text()
        return out

    def changed_values(self) -> dict[str, Any]:
        """Only what the officer changed since :meth:`load`."""
        out = {}
        raws = self.raw_values()
        for spec in self.specs:
            name = spec["name"]
            raw = raws[name]
            editor = self.editors[name]
            before = self._original.get(name)
            if isinstance(editor, (QComboBox, QCheckBox)):
                same = (raw or None) == (before or None) if not isinstance(editor, QCheckBox) else bool(raw) == bool(before)
            elif isinstance(editor, QPlainTextEdit):
                same = (raw or "") == ("" if before is None else str(before))
            else:
                same = raw == text_of(spec, before)
            if not same:
                out[name] = raw
        return out

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            if isinstance(editor, (QLineEdit, QPlainTextEdit)):
                editor.setReadOnly(read_only)
            else:
                editor.setEnabled(not read_only)

    # --- problems at the field ------------------------------------------------------------
    def show_problems(self, problems: list[dict[str, Any]]) -> None:
        self.clear_problems()
        first = None
        for problem in problems:
            label = self.errors.get(problem.get("field", ""))
            if label is None:
                continue
            label.setText(problem["message"])
            label.show()
            self._mark_invalid(problem["field"], problem["message"])
            first = first or self.editors[problem["field"]]
        if first is not None:
            first.setFocus()

    def clear_problems(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            self._mark_invalid(name, None)

    def _mark_invalid(self, name: str, message: str | None) -> None:
        """The field itself says it is wrong, for a screen reader: its description starts
        with the problem ("Not valid: ..."), and its ``invalid`` property is set (style
        sheets and tests read it). Qt offers no way to set the accessible "invalid entry"
        state of a standard widget from Python, so the words carry it."""
        editor = self.editors[name]
        own = self._descriptions.get(name, "")
        editor.setProperty("invalid", message is not None)
        editor.setAccessibleDescription(f"Not valid: {message}" + (f" {own}" if own else "") if message else own)
