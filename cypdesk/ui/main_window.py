"""The main window: five tabs over the open document.

Here each tab shows its main table read-only from the document; the tabs' editors,
filters and analysis plug into this window in later work. The window shows first and
opens the document on the first turn of the event loop, so start-up feels immediate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QFileDialog, QHeaderView, QLabel, QMainWindow, QMessageBox, QTableView, QTabWidget,
    QVBoxLayout, QWidget,
)

from cypdesk import APP_DISPLAY_NAME, __version__

# (tab title, record kind shown, accessible name, what the count counts)
TABS = (
    ("&Needs", "indicators", "Needs: indicators", "indicators"),
    ("&Services", "services", "Services register", "services"),
    ("&Teams", "teams", "Commissioning teams", "commissioning teams"),
    ("&Pooled budgets", "agreements", "Pooled budget agreements", "budget agreements"),
    ("&Monitoring", "measures", "Performance measures", "performance measures"),
)


class _PaintWatcher(QObject):
    """Tells once when a view's viewport has painted with rows in it."""

    def __init__(self, view: QTableView, callback: Any) -> None:
        super().__init__(view)
        self.view, self.callback, self.done = view, callback, False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self.done and event.type() == QEvent.Type.Paint:
            model = self.view.model()
            if model is not None and model.rowCount() > 0:
                self.done = True
                QTimer.singleShot(0, self.callback)
        return False


class MainWindow(QMainWindow):
    document_opened = Signal(str)
    first_rows_painted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.workspace: Any = None
        self._reader: Any = None  # a read-only sqlite3 connection the tables page through
        self.setObjectName("MainWindow")
        self.setAccessibleName("cypdesk main window")
        self.resize(1200, 760)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName("Tabs")
        self.tabs.setDocumentMode(True)
        self.views: dict[str, QTableView] = {}
        for title, kind, accessible, _noun in TABS:
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(8, 8, 8, 8)
            caption = QLabel("")
            caption.setObjectName(f"{kind}_caption")
            caption.setAccessibleName(f"{accessible}: summary")
            view = QTableView(page)
            view.setObjectName(f"{kind}_table")
            view.setAccessibleName(accessible)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setAlternatingRowColors(True)
            view.setSortingEnabled(True)
            view.setWordWrap(False)
            view.verticalHeader().setDefaultSectionSize(24)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setStretchLastSection(True)
            layout.addWidget(caption)
            layout.addWidget(view)
            self.views[kind] = view
            self.tabs.addTab(page, title)
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._size_columns)
        self._make_menus()
        self._watcher = _PaintWatcher(self.views[TABS[0][1]], self.first_rows_painted.emit)
        self.views[TABS[0][1]].viewport().installEventFilter(self._watcher)
        self._update_title()

    # --- menus ---------------------------------------------------------------------
    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.action_open = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open, triggered=self.choose_and_open)
        self.action_save = QAction("&Save", self, shortcut=QKeySequence.StandardKey.Save, triggered=self.save)
        self.action_close = QAction("&Close", self, shortcut=QKeySequence.StandardKey.Close, triggered=self.close_document)
        self.action_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        for action in (self.action_open, self.action_save, self.action_close):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("&About cypdesk", self, triggered=self.about))

    def _update_title(self) -> None:
        doc = self.workspace.doc if self.workspace else None
        if doc is None:
            self.setWindowTitle(APP_DISPLAY_NAME)
            return
        name = Path(doc.path).name if doc.path else "Untitled"
        marker = "*" if doc.dirty else ""
        suffix = " (read-only)" if doc.read_only else ""
        self.setWindowTitle(f"{name}{marker}{suffix} — {APP_DISPLAY_NAME}")

    # --- the document --------------------------------------------------------------
    def open_path(self, path: str | Path, *, read_only: bool = False) -> bool:
        from cypdesk.common.errors import CypdeskError, DocumentLocked
        from cypdesk.services.documents import open_workspace

        try:
            workspace = open_workspace(path, read_only=read_only)
        except DocumentLocked as exc:
            answer = self.ask(QMessageBox.Icon.Question, "Document in use",
                              f"{exc.message}\n\nOpen a read-only view instead?",
                              QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Open:
                return self.open_path(path, read_only=True)
            return False
        except CypdeskError as exc:
            self.ask(QMessageBox.Icon.Warning, "Cannot open the document", exc.message, QMessageBox.StandardButton.Ok)
            return False
        self.close_document()
        self.workspace = workspace
        self._load_tables()
        self._update_title()
        self.document_opened.emit(str(path))
        return True

    def _load_tables(self) -> None:
        from cypdesk.services.tables import TableQuery
        from cypdesk.ui.models.record_table import RecordTableModel

        from cypdesk.model.dbfile import connect

        self._reader = connect(self.workspace.doc.working_path, read_only=True)
        for _title, kind, _accessible, noun in TABS:
            view = self.views[kind]
            model = RecordTableModel(TableQuery(self._reader, kind), view)
            view.setModel(model)
            view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by the record's name, in SQL
            view.setProperty("sized", False)
            caption = view.parentWidget().findChild(QLabel, f"{kind}_caption")
            caption.setText(f"{model.rowCount():,} {noun}" if model.rowCount() != 1 else f"1 {noun.rstrip('s')}")

        self._size_columns(self.tabs.currentIndex())

    def _size_columns(self, index: int) -> None:
        """Fit a tab's columns to what its first rows hold, once, when it is first shown
        (sizing every tab at start-up read thousands of cells the officer had not asked for)."""
        if index < 0 or self.workspace is None:
            return
        view = self.views[TABS[index][1]]
        if view.model() is None or view.property("sized"):
            return
        header = view.horizontalHeader()
        header.setResizeContentsPrecision(40)
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        for col in range(view.model().columnCount()):
            view.setColumnWidth(col, min(max(view.columnWidth(col), 80), 320))
        view.setProperty("sized", True)

    def choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a cypdesk document", "", "cypdesk documents (*.cypdesk)")
        if path:
            self.open_path(path)

    def save(self) -> None:
        from cypdesk.common.errors import CypdeskError

        if not self.workspace:
            return
        try:
            self.workspace.doc.save()
        except CypdeskError as exc:
            self.ask(QMessageBox.Icon.Warning, "The document was not saved", exc.message, QMessageBox.StandardButton.Ok)
        self._update_title()

    def close_document(self) -> None:
        if self.workspace is None:
            return
        for view in self.views.values():
            view.setModel(None)
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.workspace.doc.close()
        self.workspace = None
        self._update_title()

    def about(self) -> None:
        path = self.workspace.doc.path if self.workspace else "no document open"
        self.ask(QMessageBox.Icon.Information, "About cypdesk",
                 f"cypdesk {__version__}\nPlanning and commissioning for children's trusts.\n\nDocument: {path}",
                 QMessageBox.StandardButton.Ok)

    def ask(self, icon: QMessageBox.Icon, title: str, text: str, buttons: QMessageBox.StandardButton) -> Any:
        """Every message box goes through here, so tests can answer it."""
        box = QMessageBox(icon, title, text, buttons, self)
        box.setAccessibleName(title)
        return box.exec()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.close_document()
        super().closeEvent(event)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        super().keyPressEvent(event)


def focus_first_tab(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(0)
    window.views[TABS[0][1]].setFocus(Qt.FocusReason.OtherFocusReason)
