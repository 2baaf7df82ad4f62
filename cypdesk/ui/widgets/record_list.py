"""The list of records every tab picks from, and the rule that the row a list shows as
current is also its highlighted row.

When a list takes the keyboard focus with no row current, Qt makes its first row
current without selecting it: the tab then shows that row's record (or enables
Meeting pack… for that meeting) while nothing in the list is highlighted, and the
officer cannot see what the buttons will act on. The lists' ``focusInEvent`` goes
through :func:`focus_in_selecting`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTableView

NAVIGATION_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home,
                   Qt.Key.Key_End)
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)


def focus_in_selecting(view: QAbstractItemView, event: Any, base: Any) -> None:
    """``base(event)`` (the view's own focusInEvent); when that made a row current where
    none was, that row is highlighted too. A row the tab left current on purpose with
    nothing selected (a new record being added) stays as it was."""
    had_current = view.currentIndex().isValid()
    base(event)
    model, index = view.selectionModel(), view.currentIndex()
    if had_current or model is None or not index.isValid() or model.hasSelection():
        return
    model.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)


class RecordListView(QTableView):
    """The list of records. Before the officer moves to another row (a click, an arrow
    key) it asks ``leave`` whether the record being edited may be left: its typing is
    applied first, or, when it is not valid, the row stays where it is. Enter, Return
    and F2 ask for the selected record's editor (``open_editor``). Tab leaves the table
    (arrows move within it). (Overrides rather than an event filter: a Python event
    filter outliving its view crashes Python at exit.)"""

    open_editor = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.leave: Any = None  # () -> bool: True when the record being edited may be left
        self.setTabKeyNavigation(False)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if event.key() in OPEN_KEYS and plain:
            self.open_editor.emit()
            return
        if event.key() in NAVIGATION_KEYS and self.leave is not None and not self.leave():
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: Any) -> None:  # noqa: N802
        focus_in_selecting(self, event, super().focusInEvent)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        if (index.isValid() and index.row() != self.currentIndex().row() and self.leave is not None
                and not self.leave()):
            event.accept()
            return
        super().mousePressEvent(event)
