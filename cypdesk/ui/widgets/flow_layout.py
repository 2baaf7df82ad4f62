"""A layout that places its widgets left to right and wraps onto a new line when the
next one does not fit (Qt has no flow layout class; this is the one from Qt's examples).

Each widget is kept whole: a line breaks only between widgets, never inside one, so a
row of links ("4 measures rated red · 3 actions overdue · ...") wraps between its items.
It reports its height for a width (heightForWidth), so the window gives it as many lines
as it needs at that width.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, h_spacing: int = -1, v_spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._h_space = h_spacing
        self._v_space = v_spacing

    # -- the QLayout interface -------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self.invalidate()
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._do_layout(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- spacing -----------------------------------------------------------------------
    def horizontal_spacing(self) -> int:
        return self._h_space if self._h_space >= 0 else self._smart_spacing(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)

    def vertical_spacing(self) -> int:
        return self._v_space if self._v_space >= 0 else self._smart_spacing(QStyle.PixelMetric.PM_LayoutVerticalSpacing)

    def _smart_spacing(self, metric: QStyle.PixelMetric) -> int:
        parent = self.parent()
        if parent is None:
            return 0
        if isinstance(parent, QWidget):
            return parent.style().pixelMetric(metric, None, parent)
        return parent.spacing() if isinstance(parent, QLayout) else 0

    # -- placing -------------------------------------------------------------------------
    def lines(self, width: int) -> list[list[QWidget]]:
        """The widgets on each line at this width (what the layout would place)."""
        out: list[list[QWidget]] = []
        self._do_layout(QRect(0, 0, width, 0), apply=False, lines=out)
        return out

    def _do_layout(self, rect: QRect, apply: bool, lines: list[list[QWidget]] | None = None) -> int:
        m: QMargins = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            widget = item.widget()
            space_x = self.horizontal_spacing()
            space_y = self.vertical_spacing()
            if widget is not None and space_x < 0:
                space_x = widget.style().layoutSpacing(QSizePolicy.ControlType.PushButton,
                                                       QSizePolicy.ControlType.PushButton, Qt.Orientation.Horizontal)
            if widget is not None and space_y < 0:
                space_y = widget.style().layoutSpacing(QSizePolicy.ControlType.PushButton,
                                                       QSizePolicy.ControlType.PushButton, Qt.Orientation.Vertical)
            hint = item.sizeHint()
            # an item wider than the line (a long message) takes the line's width and wraps inside
            item_width = min(hint.width(), max(area.width(), 1))
            item_height = item.heightForWidth(item_width) if item.hasHeightForWidth() else hint.height()
            item_height = max(item_height, item.minimumSize().height())
            next_x = x + item_width + space_x
            if next_x - space_x > area.right() + 1 and line_height > 0:
                x = area.x()
                y = y + line_height + space_y
                next_x = x + item_width + space_x
                line_height = 0
                if lines is not None:
                    lines.append([])
            if lines is not None:
                if not lines:
                    lines.append([])
                if widget is not None:
                    lines[-1].append(widget)
            if apply:
                item.setGeometry(QRect(QPoint(x, y), QSize(item_width, item_height)))
            x = next_x
            line_height = max(line_height, item_height)
        return y + line_height - rect.y() + m.bottom()
