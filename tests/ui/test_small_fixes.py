"""The smaller points of issue 8, item 12, as the officer meets them: counts agree in
number, the Gaps list sorts by a click on its heading, another agreement opens at its
top, and each tab's Find says what it searches."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def test_one_match_is_counted_in_the_singular(open_window, qtbot):
    """Type a name only one service has: the caption reads "1 service matches the filter"."""
    window = open_window("services")
    tab = window.tab("services")
    qtbot.keyClicks(tab.filter_bar.text, "Adoption support")
    tab.filter_bar.apply_now()
    assert tab.caption.text() == "1 service matches the filter"
    tab.filter_bar.text.clear()
    qtbot.keyClicks(tab.filter_bar.text, "family hub")
    tab.filter_bar.apply_now()
    assert tab.caption.text().endswith("services match the filter")


def test_the_gaps_list_sorts_by_a_click_on_its_heading(open_window, qtbot):
    """Click the Gaps list's "Money" heading: the rows come in order of money, and a
    second click reverses it."""
    window = open_window("services")
    tab = window.tab("services")
    window.show()
    tab.show_map()
    view = tab.map_view.gap_table
    model = view.model()
    assert view.isSortingEnabled() and model.rowCount() > 2
    col = model.headers.index("Services")
    header = view.horizontalHeader()

    def values():
        return [float("".join(ch for ch in model.index(r, col).data() if ch.isdigit() or ch == ".") or "nan")
                for r in range(model.rowCount())]

    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    first = values()
    assert first == sorted(first) and first != sorted(first, reverse=True)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert values() == sorted(first, reverse=True)


def test_another_agreement_opens_at_its_top(open_window, qtbot):
    """Scroll down the first agreement's detail, then select the other: it shows from
    its top, not at the previous record's scroll position."""
    window = open_window("agreements")
    window.resize(1366, 768)
    window.show()
    tab = window.tab("agreements")
    tab.view.selectRow(1)
    qtbot.wait(10)
    bar = tab.detail_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    tab.view.selectRow(0)
    qtbot.wait(10)
    assert bar.value() == 0


def test_each_tabs_find_says_what_it_searches(open_window):
    """The Find box's hint names what that tab's Find looks in, from the tab's spec."""
    window = open_window()
    hints = {tab.kind: tab.filter_bar.text.placeholderText() for tab in window.tab_list}
    assert hints["services"] == "Type to filter by service, provider or commissioner…"
    assert hints["indicators"] == "Type to filter by indicator, code, group or outcome…"
    assert hints["agreements"].startswith("Type to filter by agreement")
    assert hints["measures"].startswith("Type to filter by measure")
    assert hints["teams"].startswith("Type to filter by team")
    assert len(set(hints.values())) == len(hints)


def test_monitorings_find_says_what_the_view_in_front_searches(open_window):
    """Monitoring's views search different lists: the hint follows the view, and the
    measures' drop-downs leave with their labels."""
    from cypdesk.ui.tabs import monitoring_tab

    window = open_window("measures")
    tab = window.tab("measures")
    bar = tab.filter_bar
    assert bar.text.placeholderText().startswith("Type to filter by measure")
    tab.show_view(monitoring_tab.ACTIONS)
    assert bar.text.placeholderText() == "Type to filter by action, reference, owner or status…"
    assert bar.combos["rating"].isHidden() and bar.labels["rating"].isHidden() and bar.labels["kind"].isHidden()
    tab.show_view(monitoring_tab.RISKS)
    assert bar.text.placeholderText().startswith("Type to filter by risk")
    tab.show_view(monitoring_tab.MEASURES)
    assert bar.text.placeholderText().startswith("Type to filter by measure")
    assert not bar.labels["rating"].isHidden()


def test_the_action_plan_counts_one_match_in_the_singular(open_window, qtbot):
    """Find one action in the action plan: its caption says "1 action matches the filter"."""
    from cypdesk.ui.tabs import monitoring_tab

    window = open_window("measures")
    tab = window.tab("measures")
    tab.show_view(monitoring_tab.ACTIONS)
    page = tab.action_page
    first = page.table.item(0, 1).text()
    qtbot.keyClicks(tab.filter_bar.text, first)
    tab.filter_bar.apply_now()
    assert tab.caption.text().startswith("1 action matches the filter")
