"""The History view: for the record selected in a tab, who changed what and when, what
came from which import and from which partner's file, and what a merge chose over
what. Opened from a tab's list (right-click, or the Menu key: "History of this
record…") and from Edit > History of the selected record (Ctrl+H).

The entries come from :func:`cypdesk.services.exchange.history.record_history`, read
off the UI thread on a connection of their own; the view only lays them out (oldest or
newest first, the order the officer picks).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QMenu, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.model.catalog import CATALOG
from cypdesk.ui.tabs.record_tab import HISTORY_KEYS

COLUMNS = ("When", "Who", "What", "Before", "After", "Where it came from")
SHOWN_CHARACTERS = 160  # a long value is cut in its cell; the detail under the table holds all of it
# A quiet tint per kind of entry, always with the words saying the same (never colour alone).
TINTS = {"import": "#eef5fb", "merge": "#eef8ee", "conflict": "#fdf3e1"}
SOURCE_WORDS = {"edit": "Typed in cypdesk", "bulk": "Written with the document", "import": "An import",
                "merge": "A partner's file", "conflict": "A merge"}


def _cut(text: str) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"


def _values(entry: Any, blank: str = "") -> tuple[str, str]:
    """The two values of an entry as its cells show them: before and after, or for a
    conflict the value not chosen and the one chosen (or, not yet settled, this
    document's and the partner's), each saying which it is."""
    old, new = entry.old or blank, entry.new or blank
    if entry.source != "conflict" or not (entry.old or entry.new):
        return old, new
    if entry.resolved is False:
        return f"Here: {old or '(blank)'}", f"Theirs: {new or '(blank)'}"
    return f"Not chosen: {old or '(blank)'}", f"Chosen: {new or '(blank)'}"


class HistoryView(QDialog):
    """The history of one record. ``load(work)`` is given the entries (oldest first) by
    :func:`show_history`; the order box turns them round without reading again."""

    def __init__(self, kind: str, record_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.record_id = kind, record_id
        label = CATALOG.get(kind, {}).get("label", kind)
        heading = f"History of the {label} “{title}”"
        self.setWindowTitle(heading)
        self.setAccessibleName(heading)
        self.setObjectName("history_view")
        self.entries: list[Any] = []  # oldest first
        self.resize(1000, 520)

        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setObjectName("history_heading")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        top = QHBoxLayout()
        self.summary = QLabel("Reading the history…")
        self.summary.setObjectName("history_summary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        order_label = QLabel("&Order:")
        self.order = QComboBox()
        self.order.setObjectName("history_order")
        self.order.setAccessibleName("Order of the history")
        self.order.addItem("Newest first", True)
        self.order.addItem("Oldest first", False)
        order_label.setBuddy(self.order)
        self.order.currentIndexChanged.connect(lambda _i: self._fill())
        top.addWidget(order_label)
        top.addWidget(self.order)
        layout.addLayout(top)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("history_table")
        self.table.setAccessibleName(f"Changes to the {label} “{title}”")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setWordWrap(False)  # one line a change; the selected one in full below
        self.table.setAlternatingRowColors(False)  # the tints say which rows came from elsewhere
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((128, 140, 230, 140, 140)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setObjectName("history_detail")
        self.detail.setAccessibleName("The selected change in full")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(64)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.detail)
        self.table.currentCellChanged.connect(lambda row, _c, _r, _pc: self._show_detail(row))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.setObjectName("history_buttons")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close the history")
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.order, self.table)
        QWidget.setTabOrder(self.table, self.buttons.button(QDialogButtonBox.StandardButton.Close))
        self.table.setFocus()

    @property
    def newest_first(self) -> bool:
        return bool(self.order.currentData())

    def set_newest_first(self, newest: bool) -> None:
        self.order.setCurrentIndex(self.order.findData(newest))

    def load(self, entries: list[Any]) -> None:
        """The record's entries, oldest first (as the services give them)."""
        self.entries = list(entries)
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.source] = counts.get(entry.source, 0) + 1
        if not self.entries:
            self.summary.setText("Nothing is recorded about this record yet.")
        else:
            from cypdesk.common.formats import plural

            parts = [plural(len(self.entries), "entry", "entries")]
            for source, one, many in (("import", "from imports", None), ("merge", "from partners' files", None),
                                      ("conflict", "conflict", "conflicts")):
                if counts.get(source):
                    parts.append(plural(counts[source], one, many or one))
            open_ = sum(1 for e in self.entries if e.source == "conflict" and not e.resolved)
            if open_:
                parts.append(f"{open_} not yet resolved")
            self.summary.setText(", ".join(parts) + ".")
        self._fill()

    def failed(self, text: str) -> None:
        self.summary.setText(f"The history could not be read: {text}")

    def shown_entries(self) -> list[Any]:
        return self.entries[::-1] if self.newest_first else list(self.entries)

    def _fill(self) -> None:
        entries = self.shown_entries()
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            source = SOURCE_WORDS.get(entry.source, entry.source)
            where = f"{source}: {entry.detail}" if entry.detail else source
            old, new = _values(entry)
            texts = (entry.when, entry.author, entry.action, old, new, where)
            tint = TINTS.get(entry.source)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(_cut(text))
                item.setToolTip(text if len(text) > 0 else "")
                if tint:
                    item.setBackground(QColor(tint))
                    item.setForeground(QColor("#1a1a1a"))
                self.table.setItem(row, column, item)
        if entries:
            self.table.selectRow(0)
        self._show_detail(0 if entries else -1)

    def _show_detail(self, row: int) -> None:
        """The selected change in full, under the table."""
        entries = self.shown_entries()
        if not 0 <= row < len(entries):
            self.detail.setText("")
            return
        e = entries[row]
        lines = [f"{e.when} — {e.author}: {e.action}" if e.author else f"{e.when} — {e.action}"]
        if e.old or e.new:
            old, new = _values(e, blank="(blank)")
            if e.source != "conflict":
                old, new = f"Before: {old}", f"After: {new}"
            lines.append(f"{old}    {new}")
        where = SOURCE_WORDS.get(e.source, e.source)
        lines.append(f"{where}: {e.detail}" if e.detail else where)
        self.detail.setText("\n".join(lines))


def list_menu(tab: Any) -> QMenu:
    """A tab's list's context menu: "History of this record…" (its keys shown beside it;
    Edit > History of the selected record answers them), greyed out with no record."""
    menu = QMenu(tab)
    menu.setObjectName(f"{tab.kind}_list_menu")
    menu.setAccessibleName("Actions on the selected record")
    history = menu.addAction("&History of this record…")
    history.setObjectName("history_of_this_record")
    history.setShortcut(QKeySequence(HISTORY_KEYS))
    history.setEnabled(tab.current_id is not None and tab.ws is not None)
    history.triggered.connect(tab.show_history)
    return menu


def show_history(window: Any, kind: str, record_id: str) -> HistoryView:
    """Open the History view of one record of ``window``'s document: its entries are
    read on the window's worker (a connection of its own), then the view runs."""
    from cypdesk.services.exchange.history import record_title

    title = record_title(window.reader, kind, record_id) if window.reader is not None else record_id
    view = HistoryView(kind, record_id, title, window)
    path = window.workspace.doc.working_path

    def work(_progress: Any) -> Any:
        from cypdesk.model.dbfile import connect
        from cypdesk.services.exchange.history import record_history

        conn = connect(path, read_only=True)
        try:
            return record_history(conn, kind, record_id)
        finally:
            conn.close()

    def failed(exc: BaseException) -> None:
        from cypdesk.common.errors import plain_message

        view.failed(plain_message(exc, path=path, doing="read"))

    window.tasks.run(f"Reading the history of “{title}”…", work, view.load, failed, dialog=False)
    window.run_dialog(view)
    return view
