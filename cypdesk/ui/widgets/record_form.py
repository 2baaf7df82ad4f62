"""A form for one record of any kind, built from the field catalog: the right widget
for each kind of field, the label and help from the one declaration, and the
validation message shown under the field it is about.

The form only collects text and choices; converting and checking them is the
services' job (``records.prepare``), whose problems come back here by field name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget,
)

from cypdesk.model.catalog import CATALOG
from cypdesk.ui.widgets.reference_combo import ReferenceCombo

ERROR_STYLE = "color: #a4262c;"  # dark red, 6.9:1 on white; the message also says what is wrong
HINT_STYLE = "color: #505050;"  # grey for hints and notes, 8.1:1 on white


def error_label(object_name: str, *, description: str | None = None, name: str | None = None) -> QLabel:
    """A hidden, wrapping, dark-red label for a problem in words (shown when there is
    one), with its accessible ``description`` or ``name``."""
    error = QLabel("")
    error.setObjectName(object_name)
    if description is not None:
        error.setAccessibleDescription(description)
    if name is not None:
        error.setAccessibleName(name)
    error.setStyleSheet(ERROR_STYLE)
    error.setWordWrap(True)
    error.hide()
    return error


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


class UndoGoesToWindow(QObject):
    """Ctrl+Z (and redo) in a field with nothing of its own to undo reaches the window's
    Edit > Undo: straight after Apply the officer's Ctrl+Z takes the change back, as
    in Excel, instead of being swallowed by a text box with an empty undo history."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            undo = event.matches(QKeySequence.StandardKey.Undo)
            if isinstance(obj, QLineEdit):
                own = obj.isUndoAvailable() if undo else obj.isRedoAvailable()
            elif isinstance(obj, QPlainTextEdit):
                own = obj.document().isUndoAvailable() if undo else obj.document().isRedoAvailable()
            else:
                own = True
            if not own:
                event.ignore()  # not the field's: the window's shortcut takes it
                return True
        return False


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
        self._undo_filter = UndoGoesToWindow(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.layout_)
        outer.addStretch(1)  # room to spare goes below the fields, never between a label and its field
        for spec in self.specs:
            self._add(spec)

    def _add(self, spec: dict[str, Any]) -> None:
        name, kind, label = spec["name"], spec["kind"], spec["label"]
        if spec.get("unit") and spec["unit"] not in ("£", "%"):
            label = f"{label} ({spec['unit']})"
        editor: QWidget
        period_editor = _period_editor(spec)
        if period_editor is not None:
            editor = period_editor
            editor.currentIndexChanged.connect(self._edited)
            if editor.isEditable():
                editor.lineEdit().textEdited.connect(self._edited)
        elif "choices" in spec:
            editor = QComboBox()
            if not spec.get("required"):
                editor.addItem("", None)
            for value, text in spec["choices"]:
                editor.addItem(text, value)
            editor.currentIndexChanged.connect(self._edited)
        elif kind == "reference":
            editor = ReferenceCombo(spec.get("references", ""), field=name, record_kind=self.kind)
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
        text_box = editor.lineEdit() if isinstance(editor, QComboBox) and editor.isEditable() else editor
        if isinstance(text_box, (QLineEdit, QPlainTextEdit)):
            text_box.installEventFilter(self._undo_filter)
        editor.setObjectName(f"{self.kind}_{name}")
        editor.setAccessibleName(spec["label"])
        if spec.get("help"):
            editor.setToolTip(spec["help"])
            editor.setAccessibleDescription(spec["help"])
        if spec.get("confidential"):
            label = f"{label} (confidential)"
            editor.setToolTip((spec.get("help", "") + "\n" if spec.get("help") else "")
                              + "Confidential: left out of copies shared with providers.")
        error = error_label(f"{self.kind}_{name}_error", description=f"{spec['label']}: problem")
        error.setBuddy(editor)  # the message labels its field: a screen reader hears it with the field
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
        assert isinstance(combo, ReferenceCombo)
        self._loading = True
        combo.set_options(options)
        self._loading = False

    def set_note(self, name: str, text: str) -> None:
        """A line in words under a field saying where its value comes from (e.g. a unit
        cost "Worked out: £1,200 a place"); empty text hides it. Made on first use."""
        notes = self.__dict__.setdefault("notes", {})
        note = notes.get(name)
        if note is None:
            note = QLabel("")
            note.setObjectName(f"{self.kind}_{name}_note")
            note.setWordWrap(True)
            note.setStyleSheet("color: #3b3b3b;")  # dark grey, 11:1 on white: a note, not an error
            box = self.editors[name].parentWidget()
            box.layout().insertWidget(1, note)
            note.setProperty("described", self.editors[name].accessibleDescription())
            notes[name] = note
        note.setText(text)
        note.setVisible(bool(text))
        # a screen reader hears the note with the field
        self.editors[name].setAccessibleDescription(" ".join(t for t in (note.property("described"), text) if t))

    def set_periods(self, name: str, periods: list[Any]) -> None:
        """The periods a period field offers (newest first), e.g. a measure's months."""
        spec = next(s for s in self.specs if s["name"] == name)
        self._loading = True
        fill_periods(self.editors[name], periods, required=bool(spec.get("required")))
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
                if spec["kind"] in PERIOD_KINDS:
                    _keep_period(editor, spec, value)
                index = editor.findData(value)
                if index < 0 and spec["kind"] not in PERIOD_KINDS:
                    index = 0
                editor.setCurrentIndex(index)  # a period not given: none chosen, never one guessed
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
                out[spec["name"]] = _combo_value(editor)
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
            if label is None or label.text():
                continue  # one message a field: the first, the one about what was typed
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


# --- periods chosen from lists ---------------------------------------------------------------
# A quarter, a financial year and a period are chosen from lists built from
# common/periods.py, not typed: a quarter is one of four, a year one of the years around
# today, a period one of the measure's recent periods (its list can be set with
# :meth:`RecordForm.set_periods`; a period not in it can still be typed).

PERIOD_KINDS = ("quarter", "financial_year", "period")
YEARS_BACK, YEARS_AHEAD = 8, 3  # financial years offered around this one
PERIODS_BACK, PERIODS_AHEAD = 12, 2  # periods offered around the current one


def _period_editor(spec: dict[str, Any], today: date | None = None) -> QComboBox | None:
    """The drop-down for a quarter, financial year or period field; None for other kinds."""
    kind = spec["kind"]
    if kind not in PERIOD_KINDS:
        return None
    from cypdesk.common.periods import Period, financial_year_of

    today = today or date.today()
    combo = QComboBox()
    if not spec.get("required"):
        combo.addItem("", None)
    if kind == "quarter":
        for quarter, months in ((1, "Apr-Jun"), (2, "Jul-Sep"), (3, "Oct-Dec"), (4, "Jan-Mar")):
            combo.addItem(f"Q{quarter} ({months})", quarter)
    elif kind == "financial_year":
        this = financial_year_of(today)
        for year in range(this + YEARS_AHEAD, this - YEARS_BACK - 1, -1):
            combo.addItem(Period.financial_year(year).label(), year)
    else:
        combo.setEditable(True)  # a period of another kind (2024/25, Mar 2026) can be typed
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setPlaceholderText("e.g. 2025-26 Q1")
        fill_periods(combo, recent_periods("financial_quarter", today), required=bool(spec.get("required")))
    return combo


def recent_periods(kind: str, today: date | None = None, back: int = PERIODS_BACK,
                   ahead: int = PERIODS_AHEAD) -> list[Any]:
    """Periods of ``kind`` (a :data:`cypdesk.common.periods.KINDS` kind) from ``ahead``
    after the current one back to ``back`` before it, newest first."""
    from cypdesk.common.periods import Period

    current = Period.of(kind, today or date.today())  # type: ignore[arg-type]
    out = [current]
    for _ in range(ahead):
        out.insert(0, out[0].next())
    for _ in range(back):
        out.append(out[-1].previous())
    return out


def fill_periods(combo: QComboBox, periods: list[Any], *, required: bool) -> None:
    """Put ``periods`` (newest first) in a period drop-down, keeping its choice."""
    current = _combo_value(combo)
    blocked = combo.blockSignals(True)
    combo.clear()
    if not required:
        combo.addItem("", None)
    for period in periods:
        combo.addItem(period.label(), period.key())
    if current not in (None, "") and combo.findData(current) < 0:
        from cypdesk.common.periods import Period

        try:  # a stored period outside the list stays chosen, shown by its label
            combo.addItem(Period.from_key(str(current)).label(), current)
        except ValueError:  # typed text stays as typed
            combo.setEditText(str(current))
    index = combo.findData(current)
    if index >= 0:
        combo.setCurrentIndex(index)
    combo.blockSignals(blocked)


def _keep_period(combo: QComboBox, spec: dict[str, Any], value: Any) -> None:
    """A stored period, year or quarter outside the list is added to it, so loading a
    record never changes it."""
    if value in (None, "") or combo.findData(value) >= 0:
        return
    combo.addItem(text_of(spec, value), value)


def _combo_value(combo: QComboBox) -> Any:
    """A drop-down's value: the chosen item's, or what was typed into an editable one
    when it is not an item's text (the services read it)."""
    if combo.isEditable():
        text = combo.currentText().strip()
        index = combo.findText(text)
        if index >= 0:
            return combo.itemData(index)
        return text or None
    return combo.currentData()

