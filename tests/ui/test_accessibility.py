"""What a screen reader hears (issue 8, item 11), read the way Orca and NVDA read it:
through Qt's accessibility interfaces (``QAccessible.queryAccessibleInterface``), the
name, description and value they give, not the names set in code."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QTextDocument
from PySide6.QtWidgets import QApplication, QComboBox, QLabel

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description


def heard(widget, what=NAME) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(what)


def shown(label: QLabel) -> str:
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText or (
            label.textFormat() == Qt.TextFormat.AutoText and (QtGui.Qt.mightBeRichText(text) or "&#" in text)):
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    else:
        text = text.replace("&", "")  # a mnemonic's marker is not read
    return " ".join(text.split())


def test_every_label_is_heard_by_the_text_it_shows(open_window, qtbot):
    """Every tab, each with a record selected: a label that shows text is heard by that
    text (a name set in code would replace it: the summary lines, the detail heading, the
    Needs figures, the Services lists, the status bar)."""
    window = open_window()
    window.resize(1366, 768)
    window.show()
    for tab in window.tab_list:
        window.show_tab(tab.kind)
        if tab.model is not None and tab.model.rowCount():
            tab.view.selectRow(0)
        qtbot.wait(5)
    window.status("Saved.")
    hidden = []
    labels = [w for w in window.findChildren(QLabel) if w.text() and w.pixmap().isNull()]
    assert len(labels) > 100
    for label in labels:
        said = " ".join(heard(label).split())
        if said != shown(label):
            hidden.append(f"{label.objectName() or label.text()[:30]!r} heard as {said[:60]!r} shows {shown(label)[:60]!r}")
    assert hidden == []
    assert heard(window.status_label) == "Saved."
    services = window.tab("services")
    assert heard(services.caption) == "79 services"
    assert heard(services.detail_title) == services.detail_title.text() != ""


def test_the_window_is_named_by_its_title_with_the_document_and_star(open_window, qtbot):
    """The window is heard as its title: the document's name, and * once it changes."""
    window = open_window("services")
    assert heard(window) == window.windowTitle() and "trust.cypdesk" in heard(window)
    tab = window.tab("services")
    tab.view.selectRow(1)
    editor = tab.form.editors["name"]
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed service")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert heard(window).startswith("trust.cypdesk*")


def test_filter_drop_downs_are_labelled_by_their_purpose(open_window):
    """On Linux a combo box is named by its current choice; what it filters by comes from
    the label that labels it (its buddy): "Sector:" for the sector drop-down."""
    window = open_window("services")
    bar = window.tab("services").filter_bar
    for name, purpose in (("sector", "Sector:"), ("tier", "Tier:"), ("prevention", "Prevention:")):
        combo = bar.combos[name]
        assert isinstance(combo, QComboBox)
        relations = QAccessible.queryAccessibleInterface(combo).relations(QAccessible.RelationFlag.Label)
        assert [iface.text(NAME) for iface, _relation in relations] == [purpose], name


def test_a_fields_problem_is_on_the_field_and_required_is_said_in_words(open_window, qtbot):
    """Type "abc" as the annual cost and apply: the field itself is described as not
    valid, with the message; the message labels the field. Required fields say
    "required" in words, heard on the label and the field."""
    window = open_window("services")
    tab = window.tab("services")
    tab.view.selectRow(0)
    cost = tab.form.editors["annual_cost"]
    cost.setFocus()
    cost.selectAll()
    qtbot.keyClicks(cost, "abc")
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    message = tab.form.errors["annual_cost"].text()
    assert message
    assert heard(cost, DESCRIPTION).startswith(f"Not valid: {message}")
    assert cost.property("invalid") is True
    labels = [iface.text(NAME) for iface, _r in
              QAccessible.queryAccessibleInterface(cost).relations(QAccessible.RelationFlag.Label)]
    assert message in labels
    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    assert not heard(cost, DESCRIPTION).startswith("Not valid")
    name = tab.form.editors["name"]
    assert heard(name) == "Service (required)"
    title = tab.form.layout_.labelForField(name.parentWidget())
    assert heard(title) == "Service (required)" and "*" not in title.text()


def test_charts_cells_and_panes_are_heard(open_window, qtbot):
    """The trend chart is described in words (not only its caption); a rating cell's
    hover text (the rule) is its description; the detail pane is not an unnamed Tab stop;
    the attention bar's counts are reached by the keyboard and heard."""
    window = open_window("measures")
    window.show()
    tab = window.tab("measures")
    tab.view.selectRow(0)
    qtbot.wait(10)
    chart = tab.chart
    assert chart.description.text() and heard(chart, DESCRIPTION) == chart.description.text()
    col = [c.name for c in tab.model.query.columns].index("rating")
    table = QAccessible.queryAccessibleInterface(tab.view)  # children: the corner, the headings, then by row
    columns = tab.model.columnCount()
    cell = table.child((0 + 1) * (columns + 1) + col + 1)
    assert cell.role() == QAccessible.Role.Cell and cell.text(NAME) == tab.model.index(0, col).data()
    tip = tab.model.index(0, col).data(Qt.ItemDataRole.ToolTipRole)
    assert tip and cell.text(DESCRIPTION) == tip
    assert tab.detail_scroll.focusPolicy() == Qt.FocusPolicy.NoFocus and heard(tab.detail_scroll)
    window.refresh_attention()  # worked out at once: TaskRunner.INLINE (the dialogs fixture)
    counts = window.attention.counts
    assert counts and all(c.focusPolicy() & Qt.FocusPolicy.TabFocus for c in counts)
    assert heard(counts[0]) == "4 measures rated red"


def test_the_attention_bars_counts_open_from_the_keyboard(open_window, qtbot):
    """Tab reaches the attention bar's first count and Enter opens its list (before, the
    counts were links only the mouse could follow)."""
    window = open_window("services")
    window.show()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.refresh_attention()  # worked out at once: TaskRunner.INLINE (the dialogs fixture)
    first, second = window.attention.counts[:2]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus, timeout=2000)  # focus arrives with the event loop, later on a busy machine
    assert first.text() == "4 measures rated red"
    qtbot.keyClick(first, Qt.Key.Key_Tab)  # Tab moves to the next count...
    qtbot.waitUntil(second.hasFocus, timeout=2000)
    assert second.text() == "4 services or teams red twice running"
    qtbot.keyClick(second, Qt.Key.Key_Return)  # ... and Enter opens its list
    assert window.attention.toggle.isChecked()
    assert window.attention.tree.currentItem().text(0) == "Red two periods running (4)"


def test_each_attention_count_is_its_own_link_heard_by_its_words(open_window, qtbot):
    """Issue 8, item 11: the attention line's counts, read through QAccessible as a
    screen reader reads them, are each their own object, named by their words, with a
    button or link role and a description of what activating them does; Tab goes from
    one to the next in reading order, then to "Show the list"; Space and a click open
    the count's list as Enter does. (They were links inside one label, heard as its text.)"""
    window = open_window("services")
    window.resize(1366, 768)
    window.show()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.refresh_attention()  # worked out at once: TaskRunner.INLINE (the dialogs fixture)
    bar = window.attention
    expected = [f"{len(s.items)} " for s in bar.sections if s.items]
    assert len(expected) >= 4

    def counts_heard_in(interface, found):  # the bar's accessible tree, depth first, in order
        for i in range(interface.childCount()):
            child = interface.child(i)
            if child.role() in (QAccessible.Role.Link, QAccessible.Role.Button) and child.object() is not bar.toggle:
                found.append(child)
            counts_heard_in(child, found)
        return found

    found = counts_heard_in(QAccessible.queryAccessibleInterface(bar), [])
    names = [f.text(NAME) for f in found]
    assert len(found) == len(expected), names
    assert names[0] == "4 measures rated red" and "4 services or teams red twice running" in names
    assert any(n.endswith("actions overdue") for n in names) and any(n.endswith("worse than England") for n in names)
    assert all(n.startswith(e) for n, e in zip(names, expected))
    objects = [f.object() for f in found]
    assert len(set(map(id, objects))) == len(objects)  # each count its own object
    for f in found:
        assert f.text(DESCRIPTION).startswith("Opens the list")
        assert f.state().focusable and not f.state().invisible
    # Tab goes through them in reading order, then on to "Show the list"
    objects[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(objects[0].hasFocus, timeout=2000)  # focus arrives with the event loop
    for obj in objects[1:] + [bar.toggle]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.waitUntil(obj.hasFocus, timeout=2000)
    # Space (and a click) opens the count's list, as Enter does
    overdue = next(o for o in objects if o.text().endswith("actions overdue"))
    overdue.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(overdue.hasFocus, timeout=2000)
    qtbot.keyClick(overdue, Qt.Key.Key_Space)
    assert bar.toggle.isChecked() and bar.tree.currentItem().text(0).startswith("Actions overdue")
    bar.toggle.setChecked(False)
    england = next(o for o in objects if o.text().endswith("worse than England"))
    qtbot.mouseClick(england, Qt.MouseButton.LeftButton)
    assert bar.toggle.isChecked() and bar.tree.currentItem().text(0).startswith("Indicators worse than England")


def test_the_service_map_is_heard_once(open_window, qtbot):
    """The map's two scrolled-together parts: the frozen part exposes only the outcomes
    and their figures; the services' columns are exposed once, by the matrix (a screen
    reader reads hidden columns too, so both parts used to expose the whole map)."""
    from cypdesk.ui.tabs.service_map_models import FIXED_COLUMNS
    from cypdesk.ui.tabs.service_map_view import N_FIXED

    window = open_window("services")
    window.show()
    tab = window.tab("services")
    tab.show_map()
    qtbot.wait(10)
    view = tab.map_view

    def headings(table):
        iface = QAccessible.queryAccessibleInterface(table)
        return [iface.child(i).text(NAME) for i in range(iface.childCount())
                if iface.child(i).role() == QAccessible.Role.ColumnHeader]

    fixed, matrix = headings(view.fixed_view), headings(view.matrix_view)
    assert fixed == ["Outcome", "Services", "Money", "Share of spend", "Gap"] and len(fixed) == N_FIXED
    service = view.model.headerData(N_FIXED, Qt.Orientation.Horizontal)
    assert service not in fixed and matrix.count(service) == 1
    # the matrix exposes the services' columns only: no outcome-figure heading, hidden or not
    assert not set(matrix) & set(FIXED_COLUMNS)
    assert matrix == [s.name for s in view.model.services]
