"""The machinery every tab shares: a filter bar, a table read lazily from the document
(sorted and filtered in SQL), and beside it a detail editor for the selected record,
with add, duplicate, delete and export. Every edit goes through the services and onto
the window's one undo stack.

A tab is described by a :class:`TabSpec`; tabs with more to show (the Services map,
the Teams tree) subclass :class:`RecordTab` and add sections with :meth:`add_section`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel,
    QMessageBox, QPushButton, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError, ValidationError
from cypdesk.model.catalog import CATALOG
from cypdesk.ui.models.record_table import ID_ROLE, RecordTableModel
from cypdesk.ui.widgets.filter_bar import FilterBar
from cypdesk.ui.widgets.record_form import RecordForm
from cypdesk.ui.widgets.record_list_view import RecordListView


APPLY_KEYS = "Ctrl+Enter"  # shown on the Apply button and in Help > Keyboard shortcuts (Ctrl+Return too)
HISTORY_KEYS = "Ctrl+H"  # Edit > History of the selected record, shown in the list's context menu too


def chain(widgets: list[QWidget]) -> None:
    """Tab goes through ``widgets`` in this order."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


def focus_first_field(form: Any, within: QWidget) -> bool:
    """The cursor to a form's first field that takes it (its page brought forward)."""
    for editor in form.editors.values():
        if not editor.isEnabled() or editor.isHidden():
            continue
        _reveal(editor, within)
        editor.setFocus(Qt.FocusReason.TabFocusReason)
        return True
    return False


def _reveal(widget: QWidget, within: QWidget) -> None:
    """Bring forward the page of any tab widget (inside ``within``) that holds ``widget``
    (the Pooled budgets' fields are on the detail's Agreement page)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not within:
        if isinstance(parent, QTabWidget):
            for index in range(parent.count()):
                if parent.widget(index).isAncestorOf(widget) and parent.currentIndex() != index:
                    parent.setCurrentIndex(index)
        parent = parent.parentWidget()


def apply_revert_row(prefix: str, apply: Any, revert: Any) -> tuple[QHBoxLayout, QPushButton, QPushButton]:
    """The Revert and Apply buttons under a detail editor (Ctrl+Enter applies, Esc reverts)."""
    apply_button = QPushButton(f"&Apply changes ({APPLY_KEYS})")
    apply_button.setObjectName(f"{prefix}_apply")
    apply_button.setAccessibleName("Apply changes")
    apply_button.setToolTip(f"Save these changes into the document ({APPLY_KEYS}); Undo takes them back. "
                            "Moving to another record applies them too")
    apply_button.clicked.connect(apply)
    revert_button = QPushButton("&Revert")
    revert_button.setObjectName(f"{prefix}_revert")
    revert_button.setAccessibleName("Revert changes")
    revert_button.setToolTip("Forget changes not yet applied (Esc)")
    revert_button.clicked.connect(revert)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(revert_button)
    row.addWidget(apply_button)
    return row, apply_button, revert_button


@dataclass
class TabSpec:
    title: str  # with its & mnemonic
    kind: str
    accessible: str
    noun: str  # what the caption counts
    columns: list[str] | None = None
    filters: list[str] = field(default_factory=list)
    form_fields: list[str] | None = None
    editable: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)
    # What the tab's Find searches, in the officer's words ("name, provider, reference").
    find_hint: str = "name"
    # The columns that carry the meaning (name, money, rating, dates): placed first in the
    # table and sized to their content on first show, so none is cut off or off-screen.
    key_columns: list[str] = field(default_factory=list)

    def counted(self, n: int) -> str:
        """``n`` of what the tab lists, agreeing in number: "1 service", "79 services"."""
        from cypdesk.common.formats import plural

        return plural(n, self.noun[:-1] if self.noun.endswith("s") else self.noun, self.noun)

    def table_columns(self) -> list[str] | None:
        """The table's columns with the key columns first (None: the kind's own)."""
        if self.columns is None:
            return None
        keys = [c for c in self.key_columns if c in self.columns]
        return keys + [c for c in self.columns if c not in keys]


class RecordTab(QWidget):
    selection_changed = Signal(object)  # the selected record's id, or None

    def __init__(self, spec: TabSpec, window: Any) -> None:
        super().__init__()
        self.spec = spec
        self.kind = spec.kind
        self.window_ = window
        self.setObjectName(f"{spec.kind}_tab")
        self.model: RecordTableModel | None = None
        self.current_id: str | None = None
        self.adding = False
        self.sized = False
        self.layout_restored = False  # the window sets it when the officer's own split was put back
        self._split_is_ours = False  # the split was set here (not the officer's): it may widen for key columns

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.filter_bar = FilterBar(spec.kind, spec.filters, find_hint=spec.find_hint)
        self.filter_bar.filter_changed.connect(self._filter)
        top.addWidget(self.filter_bar, 1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, tip in (("add", "&Add", "Add a record (Ctrl+Shift+N)"),
                                ("duplicate", "D&uplicate", "Copy the selected record (Ctrl+D)"),
                                ("delete", "&Delete", "Delete the selected record (Delete)"),
                                ("export", "E&xport…", "Export the table as it is shown to Excel or CSV"),
                                # no mnemonic: each of its letters is taken by a tab or a menu already
                                ("template", "Return template…",
                                 "A blank Excel return for partners to fill in, that imports back")):
            button = QPushButton(text)
            button.setObjectName(f"{spec.kind}_{name}")
            button.setAccessibleName(tip.split(" (")[0])
            button.setToolTip(tip)
            if name != "template":  # on the line of the count, with Import… (below)
                top.addWidget(button)
            self.buttons[name] = button
        self.buttons["add"].clicked.connect(self.add_record)
        self.buttons["duplicate"].clicked.connect(self.duplicate_record)
        self.buttons["delete"].clicked.connect(self.delete_record)
        self.buttons["export"].clicked.connect(self.export_table)
        self.buttons["template"].clicked.connect(lambda: self.window_.create_template(self.kind))
        outer.addLayout(top)

        counted = QHBoxLayout()
        self.caption = QLabel("")
        self.caption.setObjectName(f"{spec.kind}_caption")
        self.caption.setAccessibleDescription(f"{spec.accessible}: summary")  # its name is its text
        counted.addWidget(self.caption, 1)
        # Import… and Return template… (the exchange with partners) sit on the line of the
        # count: the toolbar above is full at 1280 pixels. Import… has no mnemonic (Alt+I
        # is the Needs tab's Indicators); Ctrl+I opens it anywhere.
        importer = QPushButton("Import…")
        importer.setObjectName(f"{spec.kind}_import")
        importer.setAccessibleName("Import rows from a spreadsheet or CSV")
        importer.setToolTip("Import rows from a spreadsheet or CSV into this tab's records (Ctrl+I)")
        importer.clicked.connect(self.import_rows)
        self.buttons["import"] = importer
        counted.addWidget(importer)
        counted.addWidget(self.buttons["template"])
        outer.addLayout(counted)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName(f"{spec.kind}_splitter")
        self.view = RecordListView()
        self.view.leave = self.leave_record
        self.view.open_editor.connect(self.focus_editor)
        self.view.setObjectName(f"{spec.kind}_table")
        self.view.setAccessibleName(spec.accessible)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # right-click or the Menu key
        self.view.customContextMenuRequested.connect(
            lambda pos: self.list_menu().exec(self.view.viewport().mapToGlobal(pos)))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.splitter.addWidget(self.view)

        self.detail_pane = QWidget()
        self.detail_pane.setObjectName(f"{spec.kind}_detail")
        detail_layout = QVBoxLayout(self.detail_pane)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        self.detail_title = QLabel("")
        self.detail_title.setObjectName(f"{spec.kind}_detail_title")
        self.detail_title.setAccessibleDescription("The selected record")  # its name is its text
        self.detail_title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.detail_title.setWordWrap(True)
        detail_layout.addWidget(self.detail_title)
        scroll = QScrollArea()
        scroll.setObjectName(f"{spec.kind}_detail_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own: Tab goes to the fields
        scroll.setAccessibleName("Details of the selected record")
        self.detail_scroll = scroll
        inner = QWidget()
        inner.setAccessibleName("Fields of the selected record")
        self.sections = QVBoxLayout(inner)
        self.sections.setContentsMargins(0, 0, 8, 0)
        self.sections.addStretch(1)
        self._form: RecordForm | None = None  # built when the tab is first shown
        self._stale = False  # a document was opened that this tab has not read yet
        scroll.setWidget(inner)
        detail_layout.addWidget(scroll, 1)
        actions, self.apply_button, self.revert_button = apply_revert_row(spec.kind, self.apply, self.revert)
        detail_layout.addLayout(actions)
        self.splitter.addWidget(self.detail_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer.addWidget(self.splitter, 1)

        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.apply)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.apply)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.detail_pane, activated=self.revert)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=self.add_record)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.duplicate_record)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, activated=self.delete_record)
        for keys in ("F6", "Shift+F6"):
            QShortcut(QKeySequence(keys), self, activated=self.switch_list_editor,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._moving = False  # the selection is being put back or moved on by the machinery
        self._update_buttons()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.layout_restored:
            QTimer.singleShot(0, self._first_split)

    def _first_split(self) -> None:
        """The table is the main work: about 60% of the width, until the officer
        drags the divider (their layout is then kept)."""
        total = self.splitter.width()
        if total > 0 and not self.layout_restored:
            self.splitter.setSizes([int(total * 0.6), total - int(total * 0.6)])
            self.layout_restored = True
            self._split_is_ours = True
            self.fit_key_columns()

    @property
    def form(self) -> RecordForm:
        if self._form is None:
            self._form = RecordForm(self.kind, self.spec.form_fields)
            self._form.changed.connect(self._form_changed)
            self.sections.insertWidget(0, self._form)
            self.build_sections()
            self.set_tab_order()
        return self._form

    def set_tab_order(self) -> None:
        """Tab goes from Find straight to the list, then through the editor's fields and
        its sections to Revert and Apply; the filter drop-downs and the toolbar follow.
        (Built once the form exists: its fields are made after the rest of the window.)"""
        inner = self.sections.parentWidget()
        order: list[QWidget] = [self.filter_bar.text, self.list_widget()]
        for widget in inner.findChildren(QWidget):
            if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.window() is self.window() \
                    and not isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
                order.append(widget)
        order += [self.revert_button, self.apply_button, *self.filter_bar.combos.values(),
                  self.filter_bar.clear_button, *self.buttons.values()]
        chain(order)
        for view in self.findChildren(QAbstractItemView):  # Tab leaves every table; arrows move in it
            view.setTabKeyNavigation(False)

    def list_widget(self) -> QWidget:
        """The list the officer picks records from (the Teams tab shows a tree instead)."""
        return getattr(self, "tree", None) or self.view

    # --- moving between the list and the editor --------------------------------------------------
    def focus_editor(self) -> None:
        """Enter or F2 on a row: the cursor goes to the record's first field."""
        if self.current_id is None and not self.adding:
            current = self.view.currentIndex()
            if not current.isValid():
                return
            self._show(current.data(ID_ROLE))
        focus_first_field(self.form, self)

    def switch_list_editor(self) -> None:
        """F6: from the list to the editor and back."""
        focus = QApplication.focusWidget()
        if focus is not None and focus is not self.list_widget():
            self.list_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.focus_editor()

    def build_sections(self) -> None:
        """Subclasses add their sections (with :meth:`add_section`) here, once."""

    # --- the document -----------------------------------------------------------------------
    @property
    def ws(self) -> Any:
        return self.window_.workspace

    @property
    def reader(self) -> Any:
        return self.window_.reader

    @property
    def editable(self) -> bool:
        return bool(self.spec.editable and self.ws is not None and not self.ws.read_only)

    def document_opened(self) -> None:
        """A document was opened: read it now if this tab is showing, else when it is."""
        self._stale = True
        self.filter_bar.setEnabled(True)
        self.view.setModel(None)
        self.model = None
        self.current_id = None
        if self.isVisible():
            self.ensure_ready()

    def prepare(self) -> None:
        """What can be done before the document is read, while the worker opens it (the
        window's thread only waits then): the editor is built."""
        _ = self.form

    def ensure_ready(self) -> None:
        if not self._stale or self.reader is None:
            return
        self._stale = False
        from cypdesk.services.tables import TableQuery

        self.model = RecordTableModel(TableQuery(self.reader, self.kind, self.spec.table_columns()), self.view)
        self.view.setModel(self.model)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by the record's name, in SQL
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.sized = False
        self.load_options()
        self.form.set_read_only(not self.editable)
        self._show(None)
        self._update_caption()

    def document_closed(self) -> None:
        self._stale = False
        self.view.setModel(None)
        self.model = None
        self.current_id = None
        self.adding = False
        self.filter_bar.reset()  # the next document opens unfiltered: the Find box and the list agree
        self.filter_bar.setEnabled(False)  # nothing to find until a document is open
        self._update_caption()
        if self._form is not None:
            self._show(None)
        self._update_buttons()

    def shown(self) -> None:
        """Called when the tab is shown: read the document if not yet done, and fit the
        columns to their first rows once."""
        self.ensure_ready()
        if self.model is None or self.sized:
            return
        header = self.view.horizontalHeader()
        header.setResizeContentsPrecision(40)
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        for col in range(self.model.columnCount()):
            self.view.setColumnWidth(col, min(max(self.view.columnWidth(col), 70), 300))
        self.sized = True
        self.fit_key_columns()

    # --- key columns: never cut off ---------------------------------------------------------
    MAX_TABLE_SHARE = 0.72  # the detail editor keeps at least 28% of the width
    MIN_NAME_WIDTH = 160
    MIN_DETAIL_WIDTH = 410  # the editor's fields, its charts and their titles still fit beside the table
    # A tab whose names are long sentences (the Needs indicators) wraps them onto more
    # lines rather than cutting them; the name then asks for this much width at most.
    WRAP_NAMES = False
    WRAPPED_NAME_WIDTH = 300

    def key_column_indexes(self) -> list[int]:
        """The table's columns that carry the meaning (the spec's key columns), in order."""
        if self.model is None:
            return []
        query = getattr(self.model, "query", None)
        names = [getattr(c, "name", None) or getattr(c, "key", None)
                 for c in (query.columns if query is not None else getattr(self.model, "columns", []))]
        return [names.index(k) for k in self.spec.key_columns if k in names]

    def fit_key_columns(self) -> None:
        """Size the key columns to their content (the header and the rows in view) and,
        while the split is not the officer's own, give the table the width they need
        (up to :data:`MAX_TABLE_SHARE`). Only if they still do not fit does the first
        (the name, which has its full text in the editor's heading) give up the rest."""
        keys = self.key_column_indexes()
        if self.model is None or not keys:
            return
        view = self.view
        header = view.horizontalHeader()
        for col in keys:
            view.setColumnWidth(col, max(view.sizeHintForColumn(col), header.sectionSizeHint(col)))
        widths = [view.columnWidth(col) for col in keys]
        if self.WRAP_NAMES:
            widths[0] = min(widths[0], self.WRAPPED_NAME_WIDTH)
        frame = 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width() + 4
        needed = sum(widths) + frame
        total = self.splitter.width()
        table = self.splitter.sizes()[0] if self.splitter.count() else 0
        if self._split_is_ours and total > 0 and needed > table:
            table = max(min(needed, int(total * self.MAX_TABLE_SHARE), total - self.MIN_DETAIL_WIDTH), table)
            self.splitter.setSizes([table, total - table])
        room = table - frame
        if self.WRAP_NAMES and table > 0:  # the name takes the room the others leave, on as many lines as it needs
            view.setColumnWidth(keys[0], max(room - sum(widths[1:]), self.MIN_NAME_WIDTH))
            view.setWordWrap(True)
            view.wrap_column = keys[0]  # rows measured by this column (and any cell that does not fit)
            view.verticalHeader().setMinimumSectionSize(view.verticalHeader().defaultSectionSize())
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        elif table > 0 and sum(widths) > room:
            view.setColumnWidth(keys[0], max(room - sum(widths[1:]), self.MIN_NAME_WIDTH))

    def load_options(self) -> None:
        from cypdesk.services.lookups import options

        for spec in self.form.specs:
            if spec["kind"] == "reference" and spec.get("references") in CATALOG:
                self.form.set_options(spec["name"], options(self.reader, spec["references"]))

    # --- table ----------------------------------------------------------------------------
    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        if self.model is None:
            return
        keep = self.current_id
        if keep is not None and not self.commit_pending():
            keep = self.current_id  # the typing stays on show, with its message
        self.model.set_filter(text, **conditions)
        self._update_caption()
        if not self.select(keep) and not self.has_pending():
            self._hidden_by_filter()

    def _hidden_by_filter(self) -> None:
        """The selected record is filtered out of the list: the editor clears, so nothing
        acts on a record the officer cannot see."""
        if self.current_id is not None:
            self._show(None)
        self._update_buttons()

    def is_shown(self, record_id: str | None) -> bool:
        """Whether the list shows this record (the filter may hide it)."""
        if self.model is None or record_id is None:
            return False
        query = getattr(self.model, "query", None)
        if query is not None:
            return query.position_of(record_id) is not None
        row_of = getattr(self.model, "row_of", None)
        return row_of is not None and row_of(record_id) is not None

    def _update_caption(self) -> None:
        if self.model is None:
            self.caption.setText("")
            return
        from cypdesk.common.formats import word_for

        total = self.model.rowCount()
        filtered = bool(self.model.query.filter_text or self.model.query.conditions)
        self.caption.setText(self.spec.counted(total)
                             + (f" {word_for(total, 'matches', 'match')} the filter" if filtered else ""))

    def refresh(self) -> None:
        """Re-read the table after a change, keeping the selected record selected."""
        if self.model is None:  # not read yet: it will be read fresh when shown
            return
        keep = self.current_id
        self.model.refresh()
        self._update_caption()
        self.load_options()
        if not self.select(keep):
            self._show(None)
        elif keep is not None:
            self._show(keep)

    def select(self, record_id: str | None) -> bool:
        if self.model is None or record_id is None:
            return False
        row = self.model.query.position_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._moving:
            return
        record_id = current.data(ID_ROLE) if current.isValid() else None
        if record_id == self.current_id and not self.adding:
            return
        if self.has_pending():  # moved by the machinery (the map, the tree, an Overview link)
            if not self.leave_record():
                return
            if record_id is not None:
                self._move_to(record_id)
                return
        self.adding = False
        self._show(record_id)

    def _move_to(self, record_id: str) -> None:
        self._moving = True
        try:
            shown = self.select(record_id)
        finally:
            self._moving = False
        self.adding = False
        self._show(record_id if shown else None)

    # --- typing is never thrown away ------------------------------------------------------
    def has_pending(self) -> bool:
        """Typing in the editor not yet applied (Apply, Ctrl+Enter or moving away applies it)."""
        if self._form is None or not self.editable or (self.current_id is None and not self.adding):
            return False
        return bool(self._form.changed_values())

    def commit_pending(self) -> bool:
        """Apply the editor's typing before the officer moves away, as one undo step like
        Apply. False when it is not valid: the message is under the field and the officer
        stays on the record. A new record nobody typed into is simply left."""
        if not self.has_pending():
            if self.adding:
                self.adding = False
            return True
        return self.apply_edit()

    def leave_record(self) -> bool:
        """May the officer leave the record in the editor? Its typing is applied first; when
        it is not valid the list's selection goes back to it."""
        if self.commit_pending():
            return True
        self._back_to_current()
        QTimer.singleShot(0, self._back_to_current)  # again after a caller's own selection (selectRow, a click)
        return False

    def _back_to_current(self) -> None:
        """The list's selection goes back to the record in the editor."""
        if self.model is None:
            return
        self._moving = True
        try:
            if self.current_id is None or not self.select(self.current_id):
                self.view.clearSelection()
        finally:
            self._moving = False
        self.selection_changed.emit(self.current_id)

    def _show(self, record_id: str | None) -> None:
        from cypdesk.services.lookups import values_of

        if record_id != self.current_id:
            self.reset_detail_scroll()
        self.current_id = record_id
        values = values_of(self.reader, self.kind, record_id) if (record_id and self.reader is not None) else None
        if values is None:
            self.current_id = None
        self.form.load(values)
        title_field = CATALOG[self.kind]["title"]
        self.detail_title.setText(str(values.get(title_field) or "") if values else
                                  f"Select a {CATALOG[self.kind]['label']} to see it here")
        self.form.setEnabled(values is not None)
        self.load_sections(self.current_id)
        self._update_buttons()
        self.selection_changed.emit(self.current_id)

    def reset_detail_scroll(self) -> None:
        """Another record opens at its top, not at the previous one's scroll position."""
        self.detail_scroll.verticalScrollBar().setValue(0)
        self.detail_scroll.horizontalScrollBar().setValue(0)

    def load_sections(self, record_id: str | None) -> None:
        """Subclasses fill their extra sections for the selected record."""

    def add_section(self, widget: QWidget) -> None:
        self.sections.insertWidget(self.sections.count() - 1, widget)

    # --- editing --------------------------------------------------------------------------
    def _form_changed(self) -> None:
        self._update_buttons()
        update_title = getattr(self.window_, "update_title", None)
        if update_title is not None:  # the title's * shows typing not yet applied
            update_title()

    def _update_buttons(self) -> None:
        has = self.current_id is not None and self.is_shown(self.current_id)
        editable = self.editable
        pending = bool(self._form.changed_values()) if (self._form is not None and (has or self.adding)) else False
        self.buttons["add"].setEnabled(editable)
        self.buttons["duplicate"].setEnabled(editable and has)
        self.buttons["delete"].setEnabled(editable and has)
        self.buttons["export"].setEnabled(self.model is not None)
        self.buttons["import"].setEnabled(self.ws is not None and not self.ws.read_only)
        self.apply_button.setEnabled(editable and (pending or self.adding))
        self.revert_button.setEnabled(pending or self.adding)
        self.apply_button.setVisible(self.spec.editable)
        self.revert_button.setVisible(self.spec.editable)
        for name in ("add", "duplicate", "delete"):
            self.buttons[name].setVisible(self.spec.editable)

    def apply(self) -> None:
        self.apply_edit()

    def apply_edit(self) -> bool:
        """Apply the editor's typing. False when it was refused (the message is shown)."""
        if not self.editable or (self.current_id is None and not self.adding):
            return True
        from cypdesk.services import records

        try:
            if self.adding:
                values = {k: v for k, v in self.form.raw_values().items() if v not in ("", None)}
                change = records.create(self.ws, self.kind, values)
            else:
                values = self.form.changed_values()
                if not values:
                    return True
                change = records.update(self.ws, self.kind, self.current_id, values)
        except ValidationError as exc:
            self.form.show_problems(exc.facts.get("problems", []))
            return False
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not saved", exc.message, QMessageBox.StandardButton.Ok)
            return False
        self.adding = False
        self.current_id = change.id
        self.window_.push(change, self)
        return True

    def revert(self) -> None:
        if self.adding:
            self.adding = False
        self._show(self.current_id)
        update_title = getattr(self.window_, "update_title", None)
        if update_title is not None:
            update_title()

    def add_record(self) -> None:
        if not self.editable or not self.commit_pending():
            return
        self.view.clearSelection()
        self.current_id = None
        self.adding = True
        self.form.setEnabled(True)
        self.form.load(dict(self.spec.defaults))
        self.detail_title.setText(f"New {CATALOG[self.kind]['label']}")
        self.load_sections(None)
        self._update_buttons()
        first = next(iter(self.form.editors.values()))
        first.setFocus()

    def duplicate_record(self) -> None:
        if not (self.editable and self.is_shown(self.current_id)) or not self.commit_pending():
            return
        from cypdesk.services import records

        try:
            change = self.duplicate(self.current_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not copied", exc.message, QMessageBox.StandardButton.Ok)
            return
        assert isinstance(change, records.Change)
        self.current_id = change.id
        self.window_.push(change, self)

    def duplicate(self, record_id: str) -> Any:
        """A copy of a record's own fields; tabs with linked records override this."""
        from cypdesk.services import records

        values = records.get(self.ws, self.kind, record_id)
        editable = records.editable_fields(records.kind_of(self.kind))
        copy = {k: v for k, v in values.items() if k in editable}
        title = CATALOG[self.kind]["title"]
        if isinstance(copy.get(title), str):
            copy[title] = f"{copy[title]} (copy)"
        return records.create(self.ws, self.kind, copy)

    def delete_record(self) -> None:
        if not (self.editable and self.is_shown(self.current_id)):  # never a record the list hides
            return
        from cypdesk.services import records
        from cypdesk.services.lookups import title_of

        label = CATALOG[self.kind]["label"]
        title = title_of(self.reader, self.kind, self.current_id) or self.current_id
        answer = self.window_.ask(
            QMessageBox.Icon.Question, f"Delete {label}",
            f"Delete the {label} “{title}”?\n\nWhat belongs to it (its contracts, links and measures) "
            "goes with it. Edit > Undo brings it all back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = records.delete(self.ws, self.kind, self.current_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.current_id = None
        self.window_.push(change, self)

    def list_menu(self) -> Any:
        """The list's context menu (right-click, or the Menu key): the selected record's history."""
        from cypdesk.ui.exchange.history_view import list_menu

        return list_menu(self)

    def show_history(self) -> None:
        """The History view of the selected record: who changed what and when, from which
        import or partner's file, and what a merge chose over what."""
        if self.current_id is None or self.ws is None:
            label = CATALOG[self.kind]['label']
            self.window_.status(f"Select {'an' if label[0] in 'aeiou' else 'a'} {label} to see its history.")
            return
        from cypdesk.ui.exchange.history_view import show_history

        show_history(self.window_, self.kind, self.current_id)

    def import_rows(self) -> None:
        """The import wizard, for this tab's kind (issue 9, item 12)."""
        from cypdesk.ui.dialogs.import_wizard import start_import

        start_import(self.window_, self.kind)

    def export_table(self) -> None:
        if self.model is None:
            return
        path = self.window_.choose_save_path(f"Export {self.spec.noun}", f"{self.spec.noun}.xlsx",
                                             "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)")
        if not path:
            return
        query = self.model.query

        def work(progress: Any) -> Any:
            from cypdesk.model.dbfile import connect
            from cypdesk.services.export import export_table

            conn = connect(self.ws.doc.working_path, read_only=True)
            try:
                return export_table(conn, self.kind, columns=[c.name for c in query.columns],
                                    filter_text=query.filter_text, conditions=dict(query.conditions),
                                    sort_column=query.sort_column, descending=query.descending,
                                    path=path, progress=progress)
            finally:
                conn.close()

        self.window_.run_task(f"Exporting {self.spec.noun}…", work,
                              lambda result: self.window_.status(f"Exported {result['rows']:,} rows to {path}"),
                              path=path, doing="export to")

