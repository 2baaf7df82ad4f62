"""Nothing that carries meaning is cut off at the sizes of council laptops (issue 8,
item 9): each tab's key columns (name, money, rating, dates) are placed first and sized
to their content, so their text fits its column for the rows in view, and the column is
inside the table's visible width (no scrolling to reach Annual cost)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle

KEY_TABS = ("services", "indicators", "agreements", "measures")


def _show_at(window, qtbot, width, height):
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)


def _cut(tab):
    """The key cells (and headers) in view whose text is wider than their column, and
    the key columns that end beyond the table's visible width, measured with the view's
    own font and the style's text margins."""
    view = tab.view
    model = view.model()
    fm = view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    header = view.horizontalHeader()
    hm = header.fontMetrics()
    first = view.rowAt(0)
    last = view.rowAt(view.viewport().height() - 1)
    last = model.rowCount() - 1 if last < 0 else last
    problems = []
    for col in tab.key_column_indexes():
        width = view.columnWidth(col)
        right = view.columnViewportPosition(col) + width
        label = str(model.headerData(col, header.orientation()))
        if right > view.viewport().width():
            problems.append(f"{label}: ends at {right}px, beyond the table's {view.viewport().width()}px")
        if hm.horizontalAdvance(label) + 2 * margin > header.sectionSize(col) + 1:
            problems.append(f"{label}: heading cut at {header.sectionSize(col)}px")
        for row in range(first, last + 1):
            text = str(model.index(row, col).data() or "")
            icon = 20 if model.index(row, col).data(1) is not None else 0  # a swatch before the word
            if view.wordWrap():  # a wrapped name must fit its row's height, on as many lines as it takes
                box = fm.boundingRect(QRect(0, 0, width - margin - icon, 10_000), Qt.TextFlag.TextWordWrap, text)
                if box.width() > width - margin - icon or box.height() > view.rowHeight(row):
                    problems.append(f"{label}: {text!r} needs {box.width()}x{box.height()}px, has "
                                    f"{width}x{view.rowHeight(row)}")
            elif fm.horizontalAdvance(text) + margin + icon > width:
                problems.append(f"{label}: {text!r} needs {fm.horizontalAdvance(text) + margin + icon}px, has {width}")
    return problems


@pytest.mark.parametrize("size", [(1366, 768), (1280, 800)])
@pytest.mark.parametrize("kind", KEY_TABS)
def test_each_tabs_key_columns_are_first_and_their_text_fits(open_window, qtbot, kind, size):
    """Opening the tab at 1366x768 and 1280x800 (the window's own first layout, no
    settings): every key column's text in the rows in view fits its width, and every key
    column is within the table's visible width without scrolling."""
    window = open_window()
    _show_at(window, qtbot, *size)
    tab = window.show_tab(kind)
    qtbot.wait(30)
    keys = tab.key_column_indexes()
    assert keys == list(range(len(keys))) and len(keys) >= 3  # declared in the TabSpec, placed first
    assert _cut(tab) == []


def test_the_registers_annual_cost_is_in_view_without_scrolling(open_window, qtbot):
    """The Services register at 1366x768: Annual cost and Contract end are on screen."""
    window = open_window()
    _show_at(window, qtbot, 1366, 768)
    tab = window.show_tab("services")
    qtbot.wait(30)
    names = [c.name for c in tab.model.query.columns]
    view = tab.view
    for name in ("annual_cost", "contract_end"):
        col = names.index(name)
        assert view.columnViewportPosition(col) + view.columnWidth(col) <= view.viewport().width()
    assert view.horizontalScrollBar().value() == 0


@pytest.mark.parametrize("size", [(1366, 768), (1280, 800)])
def test_every_tab_fits_the_window_at_laptop_sizes(open_window, qtbot, size):
    """Showing each tab in turn never forces the window wider or taller than a council
    laptop's screen (a filter bar or form too wide would push the right edge off it)."""
    window = open_window()
    _show_at(window, qtbot, *size)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        assert window.minimumSizeHint().width() <= size[0], window.tabs.tabText(index)
        assert (window.width(), window.height()) == size, window.tabs.tabText(index)


def _table_cut(table):
    """Cells of a small table whose text is cut: wider than the column on one line, or,
    where the table wraps, taller than the row."""
    fm = table.fontMetrics()
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    cut = []
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            item = table.item(row, col)
            if item is None or not item.text() or table.columnSpan(row, col) > 1:
                continue
            font = item.font()
            metrics = fm if font == table.font() else __import__("PySide6.QtGui").QtGui.QFontMetrics(font)
            width = table.columnWidth(col) - margin
            if table.wordWrap():
                box = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, item.text())
                if box.width() > width or box.height() > table.rowHeight(row):
                    cut.append(item.text())
            elif metrics.horizontalAdvance(item.text()) > width:
                cut.append(item.text())
    return cut


@pytest.mark.parametrize("size", [(1366, 768), (1280, 800)])
def test_partners_and_variance_are_not_cut_in_the_pooled_budget(open_window, qtbot, size):
    """The Section 75 pooled fund at laptop sizes: on Contributions and Quarterly
    monitoring, the partners' names and the variance ("£169,800 overspend (2.9%)") show
    whole (a long name wraps onto another line)."""
    window = open_window()
    _show_at(window, qtbot, *size)
    tab = window.show_tab("agreements")
    qtbot.wait(20)
    tab.view.selectRow(1)
    assert tab.detail_title.text().startswith("Section 75")
    for page in (1, 2):
        tab.pages.setCurrentIndex(page)
        qtbot.wait(20)
    for table in (tab.partners_table, tab.contributions_table, tab.returns_table, tab.shares_table):
        assert table.rowCount() > 0, table.objectName()
        assert _table_cut(table) == [], table.objectName()


@pytest.mark.parametrize("width", [1366, 1280, 800])
def test_the_attention_bar_wraps_between_its_counts(open_window, qtbot, width):
    """The attention line's counts are each one whole button: at a laptop's width (and a
    narrow window) the line wraps between counts, never inside one, and every count is
    shown whole inside the bar, above the tabs, not cut off."""
    window = open_window("services")
    _show_at(window, qtbot, width, 768)
    window.refresh_attention()  # worked out at once: TaskRunner.INLINE (the dialogs fixture)
    qtbot.wait(20)
    bar = window.attention
    summary = bar.summary
    counts = bar.counts
    assert len(counts) >= 4
    lines = summary.flow.lines(summary.width())
    placed = [w for line in lines for w in line if w in counts]
    assert placed == counts  # each count on exactly one line, in order
    assert summary.height() >= summary.flow.heightForWidth(summary.width())
    for count in counts:
        box = count.geometry()
        assert count.isVisible() and summary.rect().contains(box), count.text()
        assert box.width() >= count.sizeHint().width(), count.text()  # whole: not squeezed or cut
        assert box.height() <= 2 * count.fontMetrics().height(), count.text()  # on one line
    assert summary.geometry().right() < bar.toggle.geometry().left()
    assert bar.geometry().bottom() <= window.tabs.geometry().top() + 1
    if width == 800:
        assert len(lines) > 1  # it does wrap, between counts
