"""File > Document settings…: the document's own settings in one dialog (title, the
trust's name and logo for board papers, the rating scale, the small-number threshold,
whom Needs compares the trust with and its tolerance, Monitoring's window for reviews
due, Pooled budgets' grace before a return counts as missing).

OK hands what changed to ``save`` (``services.settings.save_settings``); a refusal is
shown beside each field it names and the dialog stays open with everything typed kept.
The window puts the saved change on the undo stack as ONE step
(:func:`edit_document_settings`) and tells the tabs, which re-read the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label

PREVIEW_SIZE = (240, 90)  # pixels the logo's preview may take


class DocumentSettingsDialog(QDialog):
    """``settings``: the document's :class:`~cypdesk.services.settings.DocumentSettings`;
    ``comparators``: ``(value, label, supported, note)`` from
    :func:`~cypdesk.services.settings.comparator_options`; ``save(changes)`` saves and
    returns the Change (or raises a CypdeskError, shown in the dialog)."""

    def __init__(self, settings: Any, comparators: list[tuple[str, str, bool, str]],
                 save: Callable[[dict[str, Any]], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from cypdesk.services.settings import SETTINGS, choices

        title = "Document settings"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("document_settings_dialog")
        self.settings = settings
        self.save = save
        self.result_change: Any = None
        self.logo: bytes | None = settings.logo
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        layout = QVBoxLayout(self)
        intro = QLabel("These settings belong to the document: everyone who opens it sees them, and each "
                       "change is kept in its history like any other field.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)

        self.title_edit = self._line("title", settings.title, 300)
        self.trust_edit = self._line("trust_name", settings.trust_name or "", 300,
                                     placeholder="As it appears on board papers")
        # the logo: preview, choose, remove
        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("document_settings_logo_preview")
        self.logo_preview.setAccessibleName("Logo preview")
        self.logo_preview.setFixedHeight(PREVIEW_SIZE[1])
        self.logo_preview.setMinimumWidth(PREVIEW_SIZE[0])
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.logo_choose = QPushButton("&Choose a file…")
        self.logo_choose.setObjectName("document_settings_logo_choose")
        self.logo_choose.setAccessibleName("Choose a logo file")
        self.logo_choose.clicked.connect(self._ask_logo_file)
        self.logo_remove = QPushButton("Re&move")
        self.logo_remove.setObjectName("document_settings_logo_remove")
        self.logo_remove.setAccessibleName("Remove the logo")
        self.logo_remove.clicked.connect(self.remove_logo)
        logo_row = QWidget()
        logo_row.setObjectName("document_settings_logo")
        logo_box = QHBoxLayout(logo_row)
        logo_box.setContentsMargins(0, 0, 0, 0)
        logo_box.addWidget(self.logo_preview, 1)
        logo_box.addWidget(self.logo_choose)
        logo_box.addWidget(self.logo_remove)
        self.editors["logo"] = self.logo_choose

        self.scale_combo = QComboBox()
        for value, words in choices("rating_scale").items():
            self.scale_combo.addItem(words, value)
        self.scale_combo.setCurrentIndex(max(self.scale_combo.findData(settings.rating_scale), 0))
        self._named("rating_scale", self.scale_combo)
        self.threshold_spin = self._spin("small_number_threshold", settings.small_number_threshold)
        self.compare_combo = QComboBox()
        for value, label, supported, note in comparators:
            self.compare_combo.addItem(label if supported else f"{label} (no data yet)", value)
            index = self.compare_combo.count() - 1
            self.compare_combo.setItemData(index, note, Qt.ItemDataRole.ToolTipRole)
            if not supported and value != settings.comparator_set:  # what the data supports, and what is set
                self.compare_combo.model().item(index).setEnabled(False)
        self.compare_combo.setCurrentIndex(max(self.compare_combo.findData(settings.comparator_set), 0))
        self._named("comparator_set", self.compare_combo)
        self.compare_note = QLabel("")
        self.compare_note.setObjectName("document_settings_comparator_note")
        self.compare_note.setWordWrap(True)
        self.compare_note.setStyleSheet(HINT_STYLE)
        self._notes = {value: note for value, _label, _supported, note in comparators}
        self.compare_combo.currentIndexChanged.connect(self._compare_chosen)
        self._compare_chosen()
        self.tolerance_spin = QDoubleSpinBox()
        self.tolerance_spin.setDecimals(1)
        self.tolerance_spin.setSingleStep(0.5)
        self.tolerance_spin.setSuffix("%")
        self._limits("tolerance_pct", self.tolerance_spin)
        self.tolerance_spin.setValue(float(settings.tolerance_pct))
        self._named("tolerance_pct", self.tolerance_spin)
        self.window_spin = self._spin("review_window_days", settings.review_window_days, " days")
        self.grace_spin = self._spin("return_grace_days", settings.return_grace_days, " days")

        rows = [
            ("&Title", "title", self.title_edit, "The document's own name (cypdesk info shows it)."),
            ("T&rust name", "trust_name", self.trust_edit, None),
            ("Logo", "logo", logo_row, "PNG or JPEG, at most 1 MB; a big picture is scaled down. "
                                       "Printed at the top of board papers."),
            ("Rating &scale", "rating_scale", self.scale_combo, "How Monitoring rates measures."),
            ("Small-&number threshold", "small_number_threshold", self.threshold_spin,
             "Counts of people from 1 to one below this print as suppressed in board papers (2 to 50)."),
            ("Com&pare with", "comparator_set", self.compare_combo, self.compare_note),
            ("Tolerance &without an interval", "tolerance_pct", self.tolerance_spin,
             "Needs: a value with no confidence interval is similar to England within this (0 to 50%)."),
            ("Reviews &due within", "review_window_days", self.window_spin,
             "Monitoring lists reviews due this many days ahead, and overdue ones (1 to 365)."),
            ("&Grace after a quarter ends", "return_grace_days", self.grace_spin,
             "Pooled budgets: a quarter's return is due, not missing, for this many days after the "
             "quarter ends (0 to 120)."),
        ]
        for text, name, editor, hint in rows:
            label = QLabel(text)
            label.setBuddy(self.editors[name])
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            if isinstance(hint, QLabel):  # a note that follows the choice
                column.addWidget(hint)
            elif hint:
                note = QLabel(hint)
                note.setWordWrap(True)
                note.setStyleSheet(HINT_STYLE)
                column.addWidget(note)
                self.editors[name].setAccessibleDescription(hint)
            error = error_label(f"document_settings_{name}_error", name=f"Problem with {SETTINGS[name][0].lower()}")
            column.addWidget(error)
            self.errors[name] = error
            form.addRow(label, box)

        self.error = error_label("document_settings_error", name="Problem")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Save settings")
        ok.setAccessibleName("Save settings")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._show_logo()
        self.resize(640, self.sizeHint().height())

    # --- building -------------------------------------------------------------------------
    def _named(self, name: str, editor: QWidget) -> None:
        from cypdesk.services.settings import SETTINGS

        editor.setObjectName(f"document_settings_{name}")
        if not editor.accessibleName():
            editor.setAccessibleName(SETTINGS[name][0])
        self.editors[name] = editor

    def _line(self, name: str, value: str, limit: int, *, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(value)
        edit.setMaxLength(limit)
        if placeholder:
            edit.setPlaceholderText(placeholder)
        self._named(name, edit)
        return edit

    @staticmethod
    def _limits(name: str, spin: Any) -> None:
        from cypdesk.services.settings import SETTINGS

        _label, _kind, low, high = SETTINGS[name]
        spin.setRange(low, high)
        spin.setMaximumWidth(160)  # a number, not a sentence

    def _spin(self, name: str, value: int, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        self._limits(name, spin)
        spin.setValue(int(value))
        if suffix:
            spin.setSuffix(suffix)
        self._named(name, spin)
        return spin

    def _compare_chosen(self, *_: Any) -> None:
        note = self._notes.get(self.compare_combo.currentData(), "")
        note = note[:1].upper() + note[1:]
        self.compare_note.setText(note)
        self.compare_combo.setAccessibleDescription(note)

    # --- the logo -------------------------------------------------------------------------
    def _show_logo(self) -> None:
        from cypdesk.services.settings import logo_format, logo_size

        self.logo_remove.setEnabled(self.logo is not None)
        if not self.logo:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("No logo")
            self.logo_preview.setAccessibleDescription("No logo")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(self.logo)
        self.logo_preview.setPixmap(pixmap.scaled(*PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation))
        size = logo_size(self.logo)
        shape = f", {size[0]} by {size[1]} pixels" if size else ""
        self.logo_preview.setAccessibleDescription(f"{logo_format(self.logo)} logo{shape}")

    def _ask_logo_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Choose the trust's logo", str(Path.home()),
                                                    "Images (*.png *.jpg *.jpeg);;All files (*)")
        if path:
            self.set_logo_file(path)

    def set_logo_file(self, path: str | Path) -> bool:
        """Take the logo from an image file; a refused file (not PNG or JPEG, damaged,
        too big) is named beside the logo, which stays as it was. True if taken."""
        from cypdesk.services.settings import load_logo

        try:
            self.logo = load_logo(path)
        except CypdeskError as exc:
            self._show_error("logo", exc.message)
            return False
        self._show_error("logo", None)
        self._show_logo()
        return True

    def remove_logo(self) -> None:
        self.logo = None
        self._show_error("logo", None)
        self._show_logo()

    # --- saving ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every setting as the dialog holds it (text as typed)."""
        return {
            "title": self.title_edit.text(),
            "trust_name": self.trust_edit.text(),
            "logo": self.logo,
            "rating_scale": self.scale_combo.currentData(),
            "small_number_threshold": self.threshold_spin.value(),
            "comparator_set": self.compare_combo.currentData(),
            "tolerance_pct": round(self.tolerance_spin.value(), 1),
            "review_window_days": self.window_spin.value(),
            "return_grace_days": self.grace_spin.value(),
        }

    def changes(self) -> dict[str, Any]:
        """What differs from the document's settings (what OK saves)."""
        out = {}
        for name, value in self.values().items():
            old = getattr(self.settings, name)
            if isinstance(value, str) and value.strip() == (old or ""):
                continue
            if value != old:
                out[name] = value
        return out

    def _show_error(self, name: str | None, text: str | None) -> None:
        label = self.errors.get(name or "", self.error)
        label.setText(text or "")
        label.setVisible(bool(text))

    def try_accept(self) -> None:
        for label in (*self.errors.values(), self.error):
            label.hide()
        changes = self.changes()
        if not changes:
            self.accept()
            return
        try:
            self.result_change = self.save(changes)
        except CypdeskError as exc:
            problems = exc.facts.get("problems") or []
            placed = False
            for problem in problems:
                if problem.get("field") in self.errors:
                    self._show_error(problem["field"], problem["message"].rstrip(".") + ".")
                    placed = True
            if not placed:
                self._show_error(None, exc.message)
            first = next((p["field"] for p in problems if p.get("field") in self.editors), None)
            if first:
                self.editors[first].setFocus()
            return
        self.accept()


def edit_document_settings(window: Any) -> Any:
    """File > Document settings…: the dialog on the open document; OK saves what
    changed as one undo step and tells the tabs. Returns the Change, or None."""
    from cypdesk.services.settings import comparator_options, read_settings, save_settings
    from cypdesk.ui.undo import DoneCommand

    ws = window.workspace
    if ws is None:
        return None
    dialog = DocumentSettingsDialog(read_settings(window.reader), comparator_options(window.reader),
                                    lambda changes: save_settings(ws, changes), window)
    if ws.read_only:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        dialog._show_error(None, "The document is open read-only: its settings can be seen but not changed.")
    if not window.run_dialog(dialog):
        return None
    change = dialog.result_change
    if change is None or not change.after:
        return None

    def after() -> None:
        window.refresh_all()
        window.document_settings_changed.emit()

    what = ", ".join(_words(name) for name in change.after)
    window.push_command(DoneCommand(f"Change the document settings ({what})",
                                    lambda: save_settings(ws, change.after),
                                    lambda: save_settings(ws, change.before), after))  # runs after() now
    window.status(f"Saved the document settings ({what}); Undo takes them back.")
    return change


def _words(name: str) -> str:
    from cypdesk.services.settings import SETTINGS

    return SETTINGS[name][0].lower()
