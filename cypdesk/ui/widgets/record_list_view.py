"""The table of a tab's records (:class:`RecordListView`): leaving a record asks first,
Enter opens its editor, and a tab whose names wrap sizes its rows cheaply.

The row a list shows as current is also its highlighted row: when a list takes the
keyboard focus with no row current, Qt makes its first row current without selecting
it, so the tab showed that row's record (or enabled Meeting pack… for that meeting)
while nothing in the list was highlighted. Every list's ``focusInEvent`` goes through
:func:`focus_in_selecting`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QRect, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem, QTableView

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
    filter outliving its view crashes Python at exit.)

    ``wrap_column``: the one column whose text wraps onto more lines (the Needs tab's
    indicator names), set with rows sized to their contents. Each row is then as tall as
    Qt's own measure would make it, measured with fewer cells (:meth:`sizeHintForRow`)."""

    open_editor = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.leave: Any = None  # () -> bool: True when the record being edited may be left
        self.wrap_column: int | None = None
        self._heights: dict[Any, int] = {}  # sizeHintForRow's measures, by row and the columns' widths
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

    def setModel(self, model: Any) -> None:  # noqa: N802
        """Show ``model``; the rows' measured heights are forgotten whenever its rows change."""
        old = self.model()
        if old is not None:
            for signal in self._row_signals(old):
                try:
                    signal.disconnect(self._forget_heights)
                except (RuntimeError, TypeError):  # a model shown before wrapping was on
                    pass
        self._heights.clear()
        super().setModel(model)
        if model is not None:
            for signal in self._row_signals(model):
                signal.connect(self._forget_heights)

    @staticmethod
    def _row_signals(model: Any) -> tuple[Any, ...]:
        return (model.modelReset, model.layoutChanged, model.dataChanged, model.rowsInserted, model.rowsRemoved,
                model.rowsMoved, model.columnsInserted, model.columnsRemoved, model.columnsMoved)

    def _forget_heights(self, *_args: Any) -> None:
        self._heights.clear()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)

    def sizeHintForRow(self, row: int) -> int:  # noqa: N802
        """The height ``row`` needs, as QTableView measures it (each cell through the
        item delegate at its column's width), but asking the delegate only for the cells
        that can need more than one line: the wrapping column's, any other whose text is
        wider than its column, and one single-line cell (every single-line cell is as
        tall: one line of the view's font; the swatches are smaller). Every column is
        measured, not only those in view, so a row's height does not depend on the
        window's width; it is kept until the model's rows or the columns' widths change.
        Qt's own measure asks the model a dozen questions for every cell in view of every
        row, and laying out the window on opening a document measured every row nine
        times over with nothing changed (bench/bench_startup.py)."""
        model = self.model()
        wrap = self.wrap_column
        if wrap is None or model is None or not self.wordWrap():
            return super().sizeHintForRow(row)
        header = self.horizontalHeader()
        columns = tuple(c if not header.isSectionHidden(c) else -1 for c in range(model.columnCount()))
        key = (row, wrap, self.showGrid(), tuple(map(self.columnWidth, columns)), columns)
        known = self._heights.get(key)
        if known is None:
            if len(self._heights) > 50_000:  # a long list measured at many widths: start again
                self._heights.clear()
            known = self._heights[key] = self._measure(row, [c for c in columns if c >= 0])
        return known

    def _measure(self, row: int, columns: list[int]) -> int:
        model, wrap = self.model(), self.wrap_column
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        metrics = self.fontMetrics()
        # the delegate's text margins, a decoration and its gap, and a few pixels to spare
        slack = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 30
        grid = 1 if self.showGrid() else 0
        y, height = self.rowViewportPosition(row), max(self.rowHeight(row), 1)
        hint, one_line = 0, False
        for col in columns:
            index = model.index(row, col)
            width = self.columnWidth(col)
            if col != wrap:
                text = index.data()
                fits = text is None or metrics.horizontalAdvance(str(text)) + slack <= width
                if fits and one_line:
                    continue
                one_line = one_line or fits
            option.rect = QRect(self.columnViewportPosition(col), y, width - grid, height)
            hint = max(hint, self.itemDelegateForIndex(index).sizeHint(option, index).height())
        return hint + grid
