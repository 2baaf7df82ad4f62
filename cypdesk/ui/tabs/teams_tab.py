"""The Teams tab: the joint commissioning unit and its sub-groups (framework step 6).

On the left, the teams as a tree by whom they report to: the teams at the top level
report to the board, and each sub-group sits under the team it reports to. A team
whose "reports to" is unknown or makes a loop is still shown, at the top level, with
the problem in words. The tree replaces the flat table on this tab: the table (and its
model) stays underneath, hidden, because the filter, the caption's count, Export and
``select(id)`` all work through it; the tree shows the teams the table's filter keeps,
with the teams above them so each stays in its place.

On the right, the team's fields (the record form) and three sections: its members
(added in a dialog and removed after a confirmation, each undone by Edit > Undo), the
services it owns (double-click or Enter opens one in the Services tab) and the warning
that a sector commissioning its services has no member at the table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QStyle,
    QStyledItemDelegate, QStyleOptionViewItem, QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.model.catalog import CATALOG
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec
from cypdesk.ui.undo import DoneCommand
from cypdesk.ui.widgets.read_only_table import read_only_table
from cypdesk.ui.widgets.record_form import HINT_STYLE
from cypdesk.ui.widgets.record_list_view import focus_in_selecting

SPEC = specs.TEAMS

TREE_COLUMNS = ("Team", "Kind", "Focus", "Stage", "Lead")
TREE_SHARES = (0.31, 0.15, 0.24, 0.14)  # of the tree's width, until the officer drags a column; Lead has the rest
MEMBER_COLUMNS = ("Organisation", "Person", "Role", "Represents")
SERVICE_COLUMNS = ("Service", "Sector", "Annual cost")

WARNING_STYLE = "color: #a4262c;"  # dark red, 6.9:1 on white; the words say what is wrong
CALM_STYLE = "color: #1e5631;"  # dark green, 8.5:1 on white
PROBLEM_COLOUR = "#a4262c"
MUTED_COLOUR = "#505050"


def _choices(kind: str, name: str) -> dict[str, str]:
    spec = next(f for f in CATALOG[kind]["fields"] if f["name"] == name)
    return {value: label for value, label in spec.get("choices", [])}


def focus_words(focus: str | None, value: str | None) -> str:
    """"Locality: North Riverside"; just the focus or just the value when one is missing."""
    label = _choices("teams", "focus").get(focus or "", focus or "")
    if label and value:
        return f"{label}: {value}"
    return label or value or ""


def member_words(member: dict[str, Any]) -> str:
    """A member named as an officer would: "Zoë O'Brien (Chair, Riverside County Council)"."""
    who = member.get("person") or member.get("organisation") or "A member"
    details = [d for d in (member.get("role"), member.get("organisation") if member.get("person") else None) if d]
    return f"{who} ({', '.join(details)})" if details else who


def represents_words(member: dict[str, Any]) -> str:
    from cypdesk.services.teams import SECTOR_WORDS

    if member.get("represents"):
        return member.get("represents_label") or SECTOR_WORDS.get(member["represents"], member["represents"])
    sectors = [SECTOR_WORDS.get(s, s) for s in member.get("sectors") or []]
    if sectors:
        return f"{' and '.join(sectors).capitalize()} (from the organisation)"
    return "No sector"


class _Section(QGroupBox):
    def __init__(self, title: str, name: str) -> None:
        super().__init__(title)
        self.setObjectName(f"teams_{name}_section")
        self.setAccessibleName(title)
        self.body = QVBoxLayout(self)
        self.summary = QLabel("")
        self.summary.setObjectName(f"teams_{name}_summary")
        self.summary.setAccessibleDescription(f"{title}: summary")
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)


def _table(name: str, accessible: str, headers: tuple[str, ...]) -> QTableWidget:
    table = read_only_table(name, accessible, headers)
    table.verticalHeader().setDefaultSectionSize(24)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)  # the detail pane is narrow: long names wrap rather than hide
    table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.horizontalHeader().sectionResized.connect(lambda *_: _fit(table))
    return table


def _fit(table: QTableWidget, most_rows: int | None = None) -> None:
    """Make a small table as tall as its rows (wrapped to the columns' widths), up to
    ``most_rows`` rows (then it scrolls)."""
    if most_rows is not None:
        table.setProperty("most_rows", most_rows)
    most = int(table.property("most_rows") or 8)
    table.resizeRowsToContents()
    rows = range(min(table.rowCount(), most))
    height = sum(table.rowHeight(r) for r in rows) or table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + height + 2 * table.frameWidth() + 2)


class _TeamTree(QTreeWidget):
    """The tree: Enter or Return asks for the selected team's form; a resize is told, so
    the columns can share the new width. (Overrides and signals rather than an event
    filter: a Python event filter outliving its tree crashes Python at exit.)"""

    enter_pressed = Signal()
    resized = Signal()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: Any) -> None:  # noqa: N802
        focus_in_selecting(self, event, super().focusInEvent)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.resized.emit()


class _WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column's width: QTreeView asks a
    delegate for a row's height without the column's width, so it never wraps."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = self.tree.columnWidth(index.column())
        if index.column() == 0:
            depth, parent = 1 if self.tree.rootIsDecorated() else 0, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= self.tree.indentation() * depth
        opt.rect = QRect(0, 0, max(width, 24), 100_000)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        size = self.tree.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self.tree)
        return QSize(size.width(), size.height() + 4)


class TeamsTab(RecordTab):
    detail_: dict[str, Any] | None = None

    def __init__(self, spec: TabSpec, window: Any) -> None:
        super().__init__(spec, window)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._expanded: set[str] = set()  # teams with sub-groups the officer left open
        self._known: set[str] = set()  # teams the tree has shown (new ones open expanded)
        self._syncing = False
        self._pick_first = False  # select the top team when the tab is first shown
        self._select_member: str | None = None  # a member to select after the next load
        self.member_dialog: Any = None  # the add-member dialog while it is open

        self.tree = _TeamTree()
        self.tree.setObjectName("teams_tree")
        self.tree.setAccessibleName("Teams by whom they report to")
        self.tree.setAccessibleDescription("Teams at the top level report to the board; each sub-group is under "
                                           "the team it reports to. Enter moves to the selected team's details.")
        self.tree.setColumnCount(len(TREE_COLUMNS))
        self.tree.setHeaderLabels(list(TREE_COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)  # long team names and foci wrap rather than hide
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegate(_WrapDelegate(self.tree))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setMinimumSectionSize(60)
        self.tree.header().sectionResized.connect(self._tree_column_resized)
        self._sharing = False
        self._dragged = False  # the officer set the columns' widths by hand
        self.tree.currentItemChanged.connect(self._tree_current_changed)
        self.tree.itemExpanded.connect(lambda item: self._expanded.add(item.data(0, ID_ROLE)))
        self.tree.itemCollapsed.connect(lambda item: self._expanded.discard(item.data(0, ID_ROLE)))
        self.tree.enter_pressed.connect(self.focus_form)
        self.tree.resized.connect(self.share_tree_width)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.tree, activated=self.delete_record,
                  context=Qt.ShortcutContext.WidgetShortcut)

        note = QLabel("Teams at the top level report to the board; each sub-group sits under the team it reports "
                      "to. Select a team to see and edit it.")
        note.setObjectName("teams_tree_note")
        note.setAccessibleDescription("How the teams are shown")
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)

        # the tree takes the flat table's place; the table stays (hidden) under it
        left = QWidget()
        left.setObjectName("teams_left")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(note)
        column.addWidget(self.tree, 1)
        column.addWidget(self.view)
        self.view.hide()
        self.splitter.insertWidget(0, left)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        QWidget.setTabOrder(self.buttons["export"], self.tree)
        self.selection_changed.connect(self._sync_tree)

    # --- sections -------------------------------------------------------------------------------
    def build_sections(self) -> None:
        self.adding_note = QLabel("Apply the new team first; then add its members here.")
        self.adding_note.setObjectName("teams_adding_note")
        self.adding_note.setAccessibleDescription("Members of a new team")
        self.adding_note.setStyleSheet(HINT_STYLE)
        self.adding_note.setWordWrap(True)
        self.adding_note.hide()

        self.warnings_section = _Section("Warnings", "warnings")
        self.warnings_section.summary.hide()
        self.warning_rows = QVBoxLayout()
        self.warning_rows.setSpacing(4)
        self.warnings_section.body.addLayout(self.warning_rows)
        self.warnings_note = QLabel(
            "Checks that health, education and social care each have a member where the team's services "
            "belong to them or are paid for by them.")
        self.warnings_note.setToolTip(
            "A sector that commissions any of the team's services should have a member at the table. A service "
            "counts for its own sector, and for the sector of a commissioner that has only one: an ICB or NHS trust "
            "for health, a school or academy trust for education. A council holds both education and social care "
            "duties, so it counts for the service's own sector only. A member counts for the sector chosen under "
            "Represents, or else for their organisation's.")
        self.warnings_note.setObjectName("teams_warnings_note")
        self.warnings_note.setAccessibleDescription("What the warnings check")
        self.warnings_note.setWordWrap(True)
        self.warnings_note.setStyleSheet(HINT_STYLE)
        self.warnings_section.body.addWidget(self.warnings_note)

        self.members_section = _Section("Members", "members")
        self.members_table = _table("teams_members_table", "Members of the team", MEMBER_COLUMNS)
        self.members_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.members_table.itemSelectionChanged.connect(self._update_member_buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.members_table, activated=self.remove_member,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.members_section.body.addWidget(self.members_table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_member_button = QPushButton("Add mem&ber…")
        self.add_member_button.setObjectName("teams_add_member")
        self.add_member_button.setAccessibleName("Add member")
        self.add_member_button.setToolTip("Add an organisation or person to this team")
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button = QPushButton("Remo&ve member…")
        self.remove_member_button.setObjectName("teams_remove_member")
        self.remove_member_button.setAccessibleName("Remove member")
        self.remove_member_button.setToolTip("Remove the selected member from this team (Delete); Undo brings them back")
        self.remove_member_button.clicked.connect(self.remove_member)
        row.addWidget(self.add_member_button)
        row.addWidget(self.remove_member_button)
        self.members_section.body.addLayout(row)

        self.services_section = _Section("Services owned", "services")
        self.services_table = _table("teams_services_table", "Services the team owns", SERVICE_COLUMNS)
        header = self.services_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.services_table.itemActivated.connect(self._open_service)
        self.services_section.body.addWidget(self.services_table)

        for widget in (self.adding_note, self.warnings_section, self.members_section, self.services_section):
            self.add_section(widget)
        QWidget.setTabOrder(self.tree, next(iter(self.form.editors.values())))

    def load_sections(self, record_id: str | None) -> None:
        from cypdesk.services.teams import team_detail

        detail = None
        if record_id is not None and self.ws is not None:
            try:
                detail = team_detail(self.ws, record_id)
            except CypdeskError:
                detail = None
        self.detail_ = detail
        has = detail is not None
        for section in (self.warnings_section, self.members_section, self.services_section):
            section.setVisible(has)
        self.adding_note.setVisible(self.adding and not has)
        if not has:
            self.members_table.setRowCount(0)
            self.services_table.setRowCount(0)
            self._update_member_buttons()
            return
        self._load_warnings(detail)
        self._load_members(detail)
        self._load_services(detail)

    def _load_warnings(self, detail: dict[str, Any]) -> None:
        while self.warning_rows.count():
            item = self.warning_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        warnings = detail["warnings"]
        style = self.style()
        icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning if warnings
                                  else QStyle.StandardPixmap.SP_DialogApplyButton)
        lines = warnings or ["Every commissioning sector has a member."]
        for text in lines:
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            picture = QLabel()
            picture.setPixmap(icon.pixmap(16, 16))
            picture.setAccessibleName("Warning" if warnings else "All right")
            picture.setAlignment(Qt.AlignmentFlag.AlignTop)
            words = QLabel(text)
            words.setObjectName("teams_warning" if warnings else "teams_no_warning")
            words.setAccessibleDescription(f"Warning: {text}" if warnings else text)
            words.setWordWrap(True)
            words.setStyleSheet(WARNING_STYLE if warnings else CALM_STYLE)
            row.addWidget(picture)
            row.addWidget(words, 1)
            self.warning_rows.addWidget(line)
        n = len(warnings)
        self.warnings_section.setTitle(f"Warnings ({n})" if n else "Warnings: none")

    def _load_members(self, detail: dict[str, Any]) -> None:
        members = detail["members"]
        table = self.members_table
        table.setRowCount(len(members))
        for r, member in enumerate(members):
            texts = (member.get("organisation") or "", member.get("person") or "", member.get("role") or "",
                     represents_words(member))
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, member["id"])
                item.setToolTip(text)
                if c == 3 and not member.get("represents"):
                    item.setForeground(QBrush(QColor(MUTED_COLOUR)))
                table.setItem(r, c, item)
        _fit(table, 10)
        n = len(members)
        self.members_section.setTitle(f"Members ({n})")
        self.members_section.summary.setText("" if n else "No members yet. Add the organisations and people who "
                                                          "sit on this team.")
        self.members_section.summary.setVisible(not n)
        table.setVisible(bool(n))
        select = self._select_member
        self._select_member = None
        if select is not None:
            for r, member in enumerate(members):
                if member["id"] == select:
                    table.selectRow(r)
                    break
        self._update_member_buttons()

    def _load_services(self, detail: dict[str, Any]) -> None:
        from cypdesk.common.formats import money

        services = detail["services"]
        sectors = _choices("services", "sector")
        table = self.services_table
        table.setRowCount(len(services))
        for r, service in enumerate(services):
            cost = service.get("annual_cost")
            texts = (service["name"] or "", sectors.get(service.get("sector") or "", ""),
                     money(cost) if cost is not None else "Not recorded")
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, service["id"])
                item.setToolTip(f"{service['name']}: double-click or press Enter to open it in the Services tab")
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        _fit(table, 8)
        table.setVisible(bool(services))
        n = len(services)
        total = sum(s["annual_cost"] or 0 for s in services)
        if n:
            text = (f"{n} service{'s' if n != 1 else ''}, {money(total)} a year in all. "
                    "Double-click one (or press Enter) to open it in the Services tab.")
        else:
            text = "This team owns no services in the register."
        if (detail["team"].get("kind") or "") == "jcu":
            text += " The unit answers for every service in the register; these are the ones it holds itself."
        self.services_section.setTitle(f"Services owned ({n})")
        self.services_section.summary.setText(text)

    # --- the tree -------------------------------------------------------------------------------
    def _rebuild_tree(self) -> None:
        from cypdesk.services.teams import team_tree

        first = not self._known and not self._dragged
        self._syncing = True
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            self._items = {}
            if self.reader is not None:
                for node in team_tree(self.reader):
                    self._add_node(self.tree.invisibleRootItem(), node)
            for team_id, item in self._items.items():
                if item.childCount():
                    item.setExpanded(team_id in self._expanded or team_id not in self._known)
            self._known |= set(self._items)
            self._apply_tree_filter()
            self._sync_tree(self.current_id)
        finally:
            self.tree.setUpdatesEnabled(True)
            self._syncing = False
        if first:
            self.share_tree_width()

    def share_tree_width(self) -> None:
        """Columns in proportion to the tree's width (until the officer drags one)."""
        if self._dragged:
            return
        width = self.tree.viewport().width()
        if width <= 0:
            return
        self._sharing = True
        try:
            for c, share in enumerate(TREE_SHARES):
                self.tree.setColumnWidth(c, max(int(width * share), 60))
        finally:
            self._sharing = False
        self.tree.doItemsLayout()

    def _tree_column_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._sharing and column < len(TREE_SHARES) and self.tree.isVisible():
            self._dragged = True  # a column dragged by hand keeps its width
        if not self._sharing:
            self.tree.doItemsLayout()  # rows re-wrap to the new width

    def _add_node(self, parent: QTreeWidgetItem, node: Any) -> None:
        kinds = _choices("teams", "kind")
        stages = _choices("teams", "stage")
        name = node.name or "(no name)"
        texts = [name if not node.problem else f"{name} — problem: it {node.problem}",
                 kinds.get(node.kind or "", node.kind or ""), focus_words(node.focus, node.focus_value),
                 stages.get(node.stage or "", node.stage or ""), node.lead or "No lead named"]
        item = QTreeWidgetItem(parent, texts)
        item.setData(0, ID_ROLE, node.id)
        for c, text in enumerate(texts):
            item.setToolTip(c, text)
        if node.lead is None:
            item.setForeground(4, QBrush(QColor(MUTED_COLOUR)))
        if node.problem:
            explanation = (f"{name} {node.problem}, so it is shown at the top level. Choose whom it reports to "
                           "in the team's details.")
            item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            item.setForeground(0, QBrush(QColor(PROBLEM_COLOUR)))
            item.setToolTip(0, explanation)
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, explanation)
        item.setData(0, Qt.ItemDataRole.UserRole, node.problem)
        self._items[node.id] = item
        for child in node.children:
            self._add_node(item, child)

    def _matching(self) -> set[str] | None:
        """The teams the filter keeps (as the hidden table counts them), None when there is no filter."""
        if self.model is None:
            return None
        query = self.model.query
        if not (query.filter_text or query.conditions):
            return None
        ids = {record_id for record_id, _values in query.rows(0, max(query.count(), 1))}
        needle = query.filter_text.casefold()
        if needle and not query.conditions:  # a team's problem, in words, is found too
            ids |= {tid for tid, item in self._items.items()
                    if needle in (item.data(0, Qt.ItemDataRole.UserRole) or "").casefold()}
        return ids

    def _apply_tree_filter(self) -> None:
        matching = self._matching()

        def walk(item: QTreeWidgetItem) -> bool:
            shown_below = False
            for i in range(item.childCount()):
                shown_below = walk(item.child(i)) or shown_below
            team_id = item.data(0, ID_ROLE)
            keep = matching is None or team_id in matching or shown_below
            if item is not root:
                item.setHidden(not keep)
                if matching is not None and shown_below:
                    item.setExpanded(True)
            return keep

        root = self.tree.invisibleRootItem()
        walk(root)

    def visible_team_names(self) -> list[str]:
        """The names of the teams the tree shows, in tree order (tests, screen readers' summaries)."""
        out: list[str] = []

        def walk(item: QTreeWidgetItem) -> None:
            for i in range(item.childCount()):
                child = item.child(i)
                if not child.isHidden():
                    out.append(child.text(0))
                    walk(child)

        walk(self.tree.invisibleRootItem())
        return out

    def tree_item(self, team_id: str) -> QTreeWidgetItem | None:
        return self._items.get(team_id)

    def _sync_tree(self, record_id: Any) -> None:
        """Show the record the editor shows as the tree's selection, without re-selecting it."""
        was = self._syncing
        self._syncing = True
        self.tree.blockSignals(True)
        try:
            item = self._items.get(record_id) if record_id else None
            if item is not None and not item.isHidden():
                self.tree.setAutoScroll(False)  # it would open the teams above a closed one
                self.tree.setCurrentItem(item)
                self.tree.setAutoScroll(True)
                parent = item.parent()
                while parent is not None and parent.isExpanded():
                    parent = parent.parent()
                if parent is None:  # scrolling to a team inside a closed one would open it
                    self.tree.scrollToItem(item)
            else:
                self.tree.clearSelection()
                self.tree.setCurrentItem(None)
        finally:
            self.tree.blockSignals(False)
            self._syncing = was

    def _tree_current_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if self._syncing or current is None:
            return
        team_id = current.data(0, ID_ROLE)
        if team_id == self.current_id and not self.adding:
            return
        if not self.leave_record():  # typing that is not valid: the tree goes back to its team
            QTimer.singleShot(0, lambda: self._sync_tree(self.current_id))
            return
        self.adding = False
        self._syncing = True
        try:
            self.select(team_id)  # keeps the hidden table in step; it may be filtered out of it
        finally:
            self._syncing = False
        if self.current_id != team_id:
            self._show(team_id)

    def focus_form(self) -> None:
        if self.current_id is None and not self.adding:
            return
        first = next(iter(self.form.editors.values()))
        first.setFocus(Qt.FocusReason.TabFocusReason)

    # --- the machinery's hooks ------------------------------------------------------------------
    def document_opened(self) -> None:
        self.tree.clear()
        self._items = {}
        self._known = set()
        self._expanded = set()
        self._pick_first = True
        super().document_opened()

    def ensure_ready(self) -> None:
        stale = self._stale and self.reader is not None
        super().ensure_ready()
        if stale:
            self._rebuild_tree()

    def shown(self) -> None:
        super().shown()
        if self._pick_first and self.model is not None:
            self._pick_first = False
            if self.current_id is None and not self.adding and self.tree.topLevelItemCount():
                first = self.tree.topLevelItem(0)
                if not first.isHidden():
                    self.tree.setCurrentItem(first)

    def document_closed(self) -> None:
        super().document_closed()
        self.tree.clear()
        self._items = {}

    def load_options(self) -> None:
        super().load_options()
        combo = self.form.editors.get("reports_to_id")
        if combo is not None and combo.count():
            combo.setItemText(0, "The board (no team above)")  # an empty "reports to" means the board

    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        super()._filter(text, conditions)
        self._apply_tree_filter()
        self._sync_tree(self.current_id)

    def refresh(self) -> None:
        """Re-read after a change: the tree is rebuilt keeping what was open and selected."""
        if self.model is None:
            return
        keep = self.current_id
        self.model.refresh()
        self._update_caption()
        self.load_options()
        self._rebuild_tree()
        if keep is not None and keep in self._items:
            self._syncing = True
            try:
                self.select(keep)
            finally:
                self._syncing = False
            self._show(keep)
        else:
            self._show(None)

    def add_record(self) -> None:
        super().add_record()
        if self.adding:
            self._sync_tree(None)

    # --- members --------------------------------------------------------------------------------
    def _selected_member(self) -> dict[str, Any] | None:
        if not self.detail_:
            return None
        rows = self.members_table.selectionModel().selectedRows()
        if not rows:
            return None
        member_id = self.members_table.item(rows[0].row(), 0).data(ID_ROLE)
        return next((m for m in self.detail_["members"] if m["id"] == member_id), None)

    def _update_member_buttons(self) -> None:
        if not hasattr(self, "add_member_button"):
            return
        has = self.detail_ is not None
        self.add_member_button.setEnabled(has and self.editable)
        self.remove_member_button.setEnabled(has and self.editable and self._selected_member() is not None)

    def _run_dialog(self, dialog: Any) -> bool:
        from PySide6.QtWidgets import QDialog

        runner = getattr(self.window_, "run_dialog", None)
        return bool(runner(dialog)) if runner is not None else dialog.exec() == QDialog.DialogCode.Accepted

    def add_member(self) -> None:
        """Add a member through a dialog; pushed on the undo stack (undo removes them)."""
        from cypdesk.services import teams
        from cypdesk.ui.dialogs.member_dialog import MemberDialog

        if not (self.editable and self.current_id and self.detail_):
            return
        ws, team_id, team_name = self.ws, self.current_id, self.detail_["title"]
        organisations = [tuple(r) for r in self.reader.execute(
            "SELECT id, name, kind FROM organisations ORDER BY name COLLATE NOCASE, id")]
        people = [tuple(r) for r in self.reader.execute(
            "SELECT id, name, organisation_id FROM people ORDER BY name COLLATE NOCASE, id")]

        def save(choice: dict[str, Any]) -> Any:
            return teams.add_member(ws, team_id, choice["organisation_id"], choice["person_id"], choice["role"],
                                    choice["represents"])

        dialog = MemberDialog(team_name, organisations, people, save, self)
        self.member_dialog = dialog
        try:
            accepted = self._run_dialog(dialog)
            change = dialog.result_change
            who = member_words({"person": dialog.person.currentText() if dialog.person.currentData() else None,
                                "organisation": dialog.organisation.currentText() or None,
                                "role": dialog.role.text().strip() or None})
        finally:
            self.member_dialog = None
            dialog.deleteLater()
        if not accepted or change is None:
            return
        state: dict[str, Any] = {}

        def undo() -> None:
            state["removed"] = teams.remove_member(ws, change.id)

        def redo() -> None:
            teams.restore_member(ws, state["removed"])

        self._select_member = change.id
        self.window_.push_command(DoneCommand(f"Add {who} to {team_name}", redo, undo, self.window_.refresh_all))
        self.window_.status(f"Added {who} to {team_name}. Edit > Undo takes it back.")

    def remove_member(self) -> None:
        """Remove the selected member after a confirmation; undo brings them back."""
        from cypdesk.services import teams

        member = self._selected_member()
        if not (self.editable and member and self.detail_):
            return
        ws, team_name, member_id = self.ws, self.detail_["title"], member["id"]
        who = member_words(member)
        answer = self.window_.ask(
            QMessageBox.Icon.Question, "Remove member",
            f"Remove {who} from {team_name}?\n\nEdit > Undo brings them back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = teams.remove_member(ws, member_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not removed", exc.message, QMessageBox.StandardButton.Ok)
            return
        state = {"change": change}

        def undo() -> None:
            teams.restore_member(ws, state["change"])
            self._select_member = member_id

        def redo() -> None:
            state["change"] = teams.remove_member(ws, member_id)

        self.window_.push_command(DoneCommand(f"Remove {who} from {team_name}", redo, undo, self.window_.refresh_all))
        self.window_.status(f"Removed {who} from {team_name}. Edit > Undo brings them back.")

    # --- services -------------------------------------------------------------------------------
    def _open_service(self, item: QTableWidgetItem) -> None:
        """Open a service the team owns in the Services tab."""
        service_id = item.data(ID_ROLE)
        if not service_id:
            return
        self.window_.open_record("services", service_id)
        self.window_.current_tab().view.setFocus(Qt.FocusReason.OtherFocusReason)
