"""The main window: the open document in seven tabs, with Word's habits.

File: New, Open, Open Recent, Save, Save As, Share and Merge (with the exchange work),
Restore previous version, Export, Close, Quit. Edit: Undo, Redo, Find, Add, Duplicate,
Delete. The title shows the document's name and ``*`` while it has unsaved changes;
closing asks first. The window shows at once and opens the document on the first turn
of the event loop. Every message box goes through :meth:`ask`, so tests can answer it.
Opening, saving and closing the document are :class:`~cypdesk.ui.document_file.DocumentFileMixin`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QApplication, QInputDialog, QLabel, QMainWindow, QMessageBox, QTableView, QTabWidget,
)

from cypdesk import APP_DISPLAY_NAME, __version__
from cypdesk.ui.document_file import UNSAVED_TITLE, DocumentFileMixin
from cypdesk.ui.guide_links import fault_code
from cypdesk.ui.menus import MenusMixin
from cypdesk.ui.opening import RECOVERY_TITLE, OpeningMixin
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec

STATUS_TIMEOUT_MS = 8000  # a message in the status bar goes after this long

# The buttons of some questions in the officer's words (``ask`` applies them; tests
# answer with the standard button).
BUTTON_LABELS: dict[str, dict[QMessageBox.StandardButton, str]] = {
    UNSAVED_TITLE: {QMessageBox.StandardButton.Save: "&Save", QMessageBox.StandardButton.Discard: "&Don't save",
                    QMessageBox.StandardButton.Cancel: "Cancel"},
    RECOVERY_TITLE: {QMessageBox.StandardButton.Open: "Recover them", QMessageBox.StandardButton.Discard: "Discard them",
                     QMessageBox.StandardButton.Ignore: "Decide later"},
}


def tab_specs() -> list[TabSpec]:
    """The tabs in order (ui/tabs/specs.py): listed without importing the tabs' modules."""
    from cypdesk.ui.tabs.specs import TAB_SPECS

    return list(TAB_SPECS)


def make_tab(spec: TabSpec, window: MainWindow) -> RecordTab:
    """The tab for ``spec``, its module imported now: the first time the tab is shown."""
    cls: type[RecordTab] = RecordTab
    if spec.kind == "indicators":
        from cypdesk.ui.tabs.needs_tab import NeedsTab as cls
    elif spec.kind == "services":
        from cypdesk.ui.tabs.services_tab import ServicesTab as cls
    elif spec.kind == "teams":
        from cypdesk.ui.tabs.teams_tab import TeamsTab as cls
    elif spec.kind == "agreements":
        from cypdesk.ui.tabs.budgets_tab import BudgetsTab as cls
    elif spec.kind == "measures":
        from cypdesk.ui.tabs.monitoring_tab import MonitoringTab as cls
    elif spec.kind == "papers":
        from cypdesk.ui.tabs.papers.tab import PapersTab as cls
    elif spec.kind == "organisations":
        from cypdesk.ui.tabs.organisations_tab import OrganisationsTab as cls
    return cls(spec, window)


class _PaintWatcher(QObject):
    """Tells once, with the number of rows, when a tab's table has painted what the open
    document holds: its rows, or its empty state when it has none. Paints before the
    document's table is in the view (the empty window at start) do not count. The
    callback runs on the next turn of the event loop, after the paint itself."""

    def __init__(self, tab: RecordTab, callback: Any) -> None:
        super().__init__(tab.view)
        self.tab, self.callback, self.done = tab, callback, False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self.done and event.type() == QEvent.Type.Paint:
            model = self.tab.model
            if model is not None and self.tab.view.model() is model:
                self.done = True
                rows = model.rowCount()
                QTimer.singleShot(0, lambda: self.callback(rows))
        return False


class MainWindow(MenusMixin, OpeningMixin, DocumentFileMixin, QMainWindow):
    document_opened = Signal(str)
    first_rows_painted = Signal()  # the first tab painted rows of the open document
    first_tab_painted = Signal(int)  # ... painted what the document holds: this many rows, or 0 (its empty state)
    document_settings_changed = Signal()  # File > Document settings saved, undone or redone (the tabs re-read)

    def __init__(self) -> None:
        super().__init__()
        from cypdesk.ui.settings import Settings
        from cypdesk.ui.tasks import TaskRunner

        self.workspace: Any = None
        self.reader: Any = None  # a read-only sqlite3 connection the tables page through
        self.open_error: Any = None  # the last refusal of open_path (a CypdeskError)
        self.settings = Settings()
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.indexChanged.connect(self._stack_changed)
        from cypdesk.ui.undo import DoneCommand

        DoneCommand.on_error = self._undo_failed
        self.setObjectName("MainWindow")
        self.setAccessibleName(APP_DISPLAY_NAME)  # then the title, with the document's name and *
        self.resize(1280, 800)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName("Tabs")
        self.tabs.setDocumentMode(True)
        from PySide6.QtWidgets import QVBoxLayout, QWidget

        # Each tab is built when first shown (the first at once): building all six,
        # with their sub-views and forms, was a quarter of the time to the first paint.
        self._specs = tab_specs()
        self._built: dict[int, RecordTab] = {}
        for spec in self._specs:
            page = QWidget()
            page.setObjectName(f"{spec.kind}_page")
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, spec.title)
        self._build(0)

        from cypdesk.ui.widgets.attention_bar import AttentionBar

        self.attention = AttentionBar()
        self.attention.open_record.connect(self.open_record)
        central = QWidget()
        central.setObjectName("document_page")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.attention)
        column.addWidget(self.tabs, 1)
        from PySide6.QtWidgets import QStackedWidget

        from cypdesk.ui.first_run import make_start_page

        # With no document open the window shows the start page instead of empty tabs.
        self.tour: Any = None  # the guided tour while it is on (ui/tour.py)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.start_page = make_start_page(self)
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(central)
        self.setCentralWidget(self.pages)
        self.start_page.new_button.setFocus()  # Enter starts a document; Tab goes on to the others
        self.tabs.currentChanged.connect(self._tab_shown)
        self.status_label = QLabel("")
        self.status_label.setObjectName("status_message")
        self.status_label.setAccessibleDescription("Status message")
        self.statusBar().addWidget(self.status_label, 1)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.status_label.clear)
        self._stack_is_saved = True  # the undo stack's clean state is the file as saved
        self.undo_stack.cleanChanged.connect(self._stack_changed)  # the title's * follows the saved state
        self._shown_index = 0
        self._make_menus()
        self._watcher = _PaintWatcher(self._built[0], self._first_tab_painted)
        self._built[0].view.viewport().installEventFilter(self._watcher)
        self.settings.restore_widget(self)
        self.update_title()
        self._update_actions()

    # --- tabs ----------------------------------------------------------------------------------
    def _build(self, index: int) -> RecordTab:
        """The tab at ``index``, built on first use and told of an open document."""
        tab = self._built.get(index)
        if tab is None:
            tab = make_tab(self._specs[index], self)
            self._built[index] = tab
            tab.layout_restored = self.settings.restore_splitter(tab.splitter)
            self.tabs.widget(index).layout().addWidget(tab)
            if self.workspace is not None:
                tab.document_opened()
        return tab

    def _built_tabs(self) -> list[RecordTab]:
        return [self._built[i] for i in sorted(self._built)]

    @property
    def tab_list(self) -> list[RecordTab]:
        """Every tab, in order (building any not yet built)."""
        return [self._build(i) for i in range(len(self._specs))]

    @property
    def views(self) -> dict[str, QTableView]:
        return {tab.kind: tab.view for tab in self.tab_list}

    def _index_of(self, kind: str) -> int:
        return next(i for i, spec in enumerate(self._specs) if spec.kind == kind)

    def tab(self, kind: str) -> RecordTab:
        """A tab by the kind it shows, read from the document if it was not yet."""
        tab = self._build(self._index_of(kind))
        tab.ensure_ready()
        return tab

    def show_tab(self, kind: str) -> RecordTab:
        """Bring the tab that shows ``kind`` to the front and return it."""
        index = self._index_of(kind)
        tab = self._build(index)
        self.tabs.setCurrentIndex(index)
        tab.ensure_ready()
        return tab

    def open_record(self, kind: str, record_id: str) -> bool:
        """Take the officer to a record, wherever it lives (the Overview's items)."""
        from cypdesk.ui.tabs import monitoring_tab

        if kind in ("actions", "risks"):
            tab = self.show_tab("measures")
            view = monitoring_tab.ACTIONS if kind == "actions" else monitoring_tab.RISKS
            tab.show_view(view)
            page = tab.action_page if kind == "actions" else tab.risk_page
            return page.select(record_id)
        if kind == "people":
            return self.show_tab("organisations").show_people().select(record_id)
        owner = {"measures": "measures", "services": "services", "indicators": "indicators",
                 "agreements": "agreements", "teams": "teams", "organisations": "organisations"}.get(kind)
        if owner is None:
            return False
        tab = self.show_tab(owner)
        if owner == "measures":
            tab.show_view(monitoring_tab.MEASURES)
        if owner == "services":
            tab.views_tabs.setCurrentIndex(0)
        if tab.select(record_id):
            return True
        tab.filter_bar.clear()  # hidden by the filter: show everything and try again
        return tab.select(record_id)

    def _warm_up_charts(self) -> None:
        """Import matplotlib on the worker while the officer reads the first tab, so the
        first chart does not stall the window for half a second importing it."""
        import sys

        if self.tasks.INLINE or "matplotlib.figure" in sys.modules:
            self._charts_ready()
            return
        if getattr(self, "_charts_warming", False):
            return
        self._charts_warming = True

        def work(_progress: Any) -> None:
            import matplotlib.backends.backend_agg  # noqa: F401
            import matplotlib.figure  # noqa: F401

        self.tasks.run("Preparing charts…", work, lambda _result: self._charts_ready(),
                       lambda _exc: self._charts_ready(), dialog=False)

    def when_charts_ready(self, callback: Any) -> bool:
        """Run ``callback`` now if matplotlib is imported (return True), else once the
        worker has imported it (return False): the first chart never imports it on the
        window's thread, where it took 1.5 to 3 seconds before the first rows showed
        (bench/bench_frozen_start.py). Before the first paint the import waits for it."""
        import sys

        if self.tasks.INLINE or "matplotlib.figure" in sys.modules:
            return True
        waiting = self.__dict__.setdefault("_chart_waiters", [])
        if callback not in waiting:
            waiting.append(callback)
        if self._watcher.done:  # a moment later: the first paint's own follow-ups come first
            QTimer.singleShot(100, self._warm_up_charts)
        return False

    def _charts_ready(self) -> None:
        self._charts_warming = False
        waiting, self._chart_waiters = self.__dict__.get("_chart_waiters", []), []
        for callback in waiting:
            callback()

    def refresh_attention(self) -> None:
        """Work out the Overview again, on the worker (it reads every tab's analysis)."""
        if self.workspace is None:
            self.attention.clear()
            return
        from datetime import date

        from cypdesk.services.overview import attention

        path = self.workspace.doc.working_path
        self.attention.working()

        def work(_progress: Any) -> Any:
            from cypdesk.model.dbfile import connect

            conn = connect(path, read_only=True)
            try:
                return attention(conn, date.today())
            finally:
                conn.close()

        def done(sections: Any) -> None:
            if self.workspace is not None and self.workspace.doc.working_path == path:
                self.attention.show_sections(sections)

        def failed(exc: BaseException) -> None:
            self.attention.clear(f"Could not work out what needs attention: {exc}")

        self.tasks.run("Looking for what needs attention…", work, done, failed, dialog=False)

    def _first_tab_painted(self, rows: int) -> None:
        if getattr(self, "_after_paint_pending", False):
            self._after_paint_pending = False
            self._after_first_paint()
        self.first_tab_painted.emit(rows)
        if rows:
            self.first_rows_painted.emit()

    def _after_first_paint(self) -> None:
        """Background work for an open document, started once the first tab has painted
        it: the Overview (on the worker) and importing matplotlib for the charts. Started
        before the paint, a 3-second matplotlib import on the worker held up the first
        paint on a slow machine (bench/bench_frozen_start.py)."""
        QTimer.singleShot(250, self.refresh_attention)  # once the first paint has settled
        # matplotlib for the charts: at once if a chart is waiting for it, else a little later
        QTimer.singleShot(100 if self.__dict__.get("_chart_waiters") else 1500, self._warm_up_charts)

    def painted_summary(self, rows: int) -> str:
        """What the first tab painted, in words: "the Needs tab painted 48 indicators"."""
        tab = self._built[0]
        name = self.tabs.tabText(0).replace("&", "")
        if not rows:
            return f"the {name} tab painted its empty state: no {tab.spec.noun} yet"
        return f"the {name} tab painted {tab.spec.counted(rows)}"

    def _tab_shown(self, index: int) -> None:
        previous, self._shown_index = self._shown_index, index
        left = self._built.get(previous)
        if left is not None and previous != index and not left.commit_pending():
            # typing that is not valid stays on show, with its message: back to its tab
            self._shown_index = previous
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(previous)
            self.tabs.blockSignals(False)
            return
        if 0 <= index < len(self._specs):
            tab = self._build(index)
            tab.shown()
            self._focus_into(tab)

    def _focus_into(self, tab: RecordTab) -> None:
        """A tab opened from elsewhere (Alt and its letter, a link, a menu) takes the
        cursor into its list, so the next key works there and not on whatever the old
        tab's focus fell back to (Qt moves it to the next widget that can take it, often
        the new tab's find box); walking along the tab bar with the arrow keys or
        Ctrl+Tab keeps the cursor there."""
        alt = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.AltModifier)
        if QApplication.focusWidget() is self.tabs.tabBar() and not alt:
            return
        tab.list_widget().setFocus(Qt.FocusReason.TabFocusReason)

    def commit_pending(self) -> bool:
        """Apply typing not yet applied in any tab (before Close, Quit, Open, Save). False
        when some is not valid: its tab comes to the front with the message at the field."""
        for index, tab in sorted(self._built.items()):
            if not tab.commit_pending():
                if self.tabs.currentIndex() != index:
                    self.tabs.blockSignals(True)
                    self.tabs.setCurrentIndex(index)
                    self.tabs.blockSignals(False)
                    self._shown_index = index
                return False
        return True

    def has_pending(self) -> bool:
        return any(tab.has_pending() for tab in self._built.values())

    def show_shortcuts(self) -> None:
        """Help > Keyboard shortcuts: every key the window answers, in a table."""
        from cypdesk.ui.dialogs.shortcuts import ShortcutsDialog

        self.run_dialog(ShortcutsDialog(self))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        if not files:
            empty = self.recent_menu.addAction("No recent documents")
            empty.setEnabled(False)
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}  ({Path(path).parent})")
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))

    def current_tab(self) -> RecordTab:
        return self._build(max(self.tabs.currentIndex(), 0))

    def _update_actions(self) -> None:
        has = self.workspace is not None
        if has != (self.pages.currentIndex() == 1):  # the tabs with a document, else the start page
            if not has:
                self.start_page.set_recent(self.settings.recent_files())
                if self.tour is not None:
                    self.tour.abandon()
                self.start_page.new_button.setFocus()
            self.pages.setCurrentIndex(1 if has else 0)
        self.action_tour.setEnabled(has)
        writable = has and not self.workspace.read_only
        for action in (self.action_save_as, self.action_close, self.action_export, self.action_settings):
            action.setEnabled(has)
        self.action_save.setEnabled(writable)
        self.action_restore.setEnabled(writable and not self.workspace.doc.untitled)
        for action in (self.action_add, self.action_duplicate, self.action_delete, self.action_import):
            action.setEnabled(writable)
        self.action_history.setEnabled(has)
        self.action_share.setEnabled(has)
        self.action_merge.setEnabled(writable)

    def _undo_failed(self, what: str, exc: BaseException) -> None:
        from cypdesk.common.errors import plain_message

        doc = self.workspace.doc if self.workspace else None
        reason = plain_message(exc, path=doc.path if doc else None, doing="change")
        self.ask(QMessageBox.Icon.Warning, "Not undone", f"{what}: {reason}\n\nNothing was changed.",
                 QMessageBox.StandardButton.Ok, guide=fault_code(exc))

    def _stack_changed(self, _index: int) -> None:
        self.update_title()

    def unsaved(self) -> bool:
        """Whether the document differs from its file: edits the undo stack has not taken
        back to the saved state, or changes made outside it (a restored version,
        recovered edits)."""
        doc = self.workspace.doc if self.workspace else None
        if doc is None or not doc.dirty:
            return False
        # undone back to the saved state; with nothing on the stack, a change was made
        # outside it, and the document stays unsaved
        return not (self._stack_is_saved and self.undo_stack.isClean() and self.undo_stack.count())

    def update_title(self) -> None:
        doc = self.workspace.doc if self.workspace else None
        if doc is None:
            title = APP_DISPLAY_NAME
        else:
            name = Path(doc.path).name if doc.path else "Untitled"
            marker = "*" if (self.unsaved() or self.has_pending()) else ""
            suffix = " (read-only)" if doc.read_only else ""
            title = f"{name}{marker}{suffix} — {APP_DISPLAY_NAME}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)  # a screen reader names the window by it, as the title bar shows it

    def status(self, text: str, timeout_ms: int | None = None) -> None:
        """A message in the status bar; it goes after ``timeout_ms`` (STATUS_TIMEOUT_MS
        unless said; 0: it stays, for a state such as read-only)."""
        self.status_label.setText(text)
        timeout_ms = STATUS_TIMEOUT_MS if timeout_ms is None else timeout_ms
        if timeout_ms:
            self._status_timer.start(timeout_ms)
        else:
            self._status_timer.stop()

    # --- edits and long work -----------------------------------------------------------------
    def push(self, change: Any, tab: RecordTab) -> None:
        """Put a change already made onto the undo stack and refresh what shows it."""
        from cypdesk.ui.undo import command_for

        self.undo_stack.push(command_for(self.workspace, change, after=self.refresh_all))

    def push_command(self, command: Any) -> None:
        self.undo_stack.push(command)

    def new_reference(self, kind: str, defaults: dict[str, Any], parent: Any) -> tuple[str, str] | None:
        """A drop-down's "New organisation…": ask for one, add it, return (id, name)."""
        from cypdesk.ui.tabs.organisations_tab import new_organisation

        return new_organisation(self, defaults, parent) if kind == "organisations" else None

    def push_added_reference(self, change: Any) -> None:
        """Put a record added from a drop-down on the undo stack. Now, only the lists of
        choices and the tabs that list such records are re-read: an editor with typing
        not yet applied (the drop-down's own form) keeps it. Undo and redo refresh all."""
        from cypdesk.ui.undo import command_for

        runs = {"n": 0}

        def after() -> None:
            runs["n"] += 1
            if runs["n"] > 1:
                self.refresh_all()
                return
            for tab in self._built_tabs():
                if hasattr(tab, "reference_added"):  # a tab with more than one editor says how
                    tab.reference_added(change.kind)
                elif tab.kind == change.kind:
                    tab.refresh()
                elif tab.model is not None:
                    tab.load_options()

        self.undo_stack.push(command_for(self.workspace, change, after=after))

    def refresh_all(self) -> None:
        for tab in self._built_tabs():
            tab.refresh()
        self.update_title()
        self.refresh_attention()

    def run_task(self, title: str, fn: Any, on_done: Any, *, path: Any = None, doing: str = "do that") -> None:
        """Run ``fn`` off the UI thread; a failure is shown in plain words (``path`` and
        ``doing`` word a fault of the file layer: "Could not <doing> <path>: ...")."""
        from cypdesk.common.errors import CypdeskError, plain_message

        def failed(exc: BaseException) -> None:
            text = plain_message(exc, path=path, doing=doing)
            if isinstance(exc, CypdeskError) and exc.code == "cancelled":  # the officer pressed Cancel
                self.status(text)
                return
            self.ask(QMessageBox.Icon.Warning, "That did not work", text, QMessageBox.StandardButton.Ok,
                     guide=fault_code(exc))

        self.tasks.run(title, fn, on_done, failed)

    # --- messages --------------------------------------------------------------------------------
    def about(self) -> None:
        path = self.workspace.doc.path if self.workspace else None
        self.ask(QMessageBox.Icon.Information, "About cypdesk",
                 f"cypdesk {__version__}\nPlanning and commissioning for children's trusts.\n\n"
                 f"Document: {path or 'none open'}", QMessageBox.StandardButton.Ok)

    def show_help(self, *, contents: bool = False, page: Path | None = None, heading: str | None = None) -> None:
        """The guide's page for the tab in view (F1), or its contents (also F1 on the start
        page), or ``page`` opened at ``heading`` (an error's "Read more in the guide")."""
        from cypdesk.ui.dialogs.help import HelpDialog, guide_page

        if page is not None:
            self.run_dialog(HelpDialog(page, f"Help — {APP_DISPLAY_NAME}", self, heading=heading))
            return
        index = self.tabs.currentIndex()
        contents = contents or self.workspace is None
        spec = self._specs[index] if 0 <= index < len(self._specs) and not contents else None
        page = guide_page(spec.kind if spec else None)
        name = spec.title.replace("&", "") if spec is not None and page.stem == spec.kind else "Contents"
        self.run_dialog(HelpDialog(page, f"Help: {name} — {APP_DISPLAY_NAME}", self))

    def choose_item(self, title: str, label: str, items: list[str]) -> str | None:
        """Pick one of ``items`` (tests answer it like a dialog)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        dialog.setLabelText(label)
        dialog.setComboBoxItems(items)
        dialog.setComboBoxEditable(False)
        return dialog.textValue() if self.run_dialog(dialog) else None

    def run_dialog(self, dialog: Any) -> bool:
        """Every dialog runs through here (tests drive the dialog instead). True: OK."""
        from PySide6.QtWidgets import QDialog

        return dialog.exec() == QDialog.DialogCode.Accepted

    def ask(self, icon: QMessageBox.Icon, title: str, text: str, buttons: QMessageBox.StandardButton,
            labels: dict[QMessageBox.StandardButton, str] | None = None, guide: str | None = None) -> Any:
        """Every message box goes through here, so tests can answer it. ``labels``
        renames standard buttons (the answer is still the standard button). ``guide``:
        the code of the error shown (cypdesk.common.errors); when not given, a warning
        asked while an error is being handled takes that error's code. When the guide
        has a page about it (ui/guide_links.py), the box offers "Read more in the
        guide", which opens that page; a question is then asked again."""
        import sys

        from cypdesk.ui.guide_links import guide_link

        if guide is None and icon in (QMessageBox.Icon.Warning, QMessageBox.Icon.Critical):
            guide = getattr(sys.exc_info()[1], "code", None)
        link = guide_link(guide)
        while True:
            box, more = self._message_box(icon, title, text, buttons, labels, link is not None)
            answer = box.exec()
            if more is None or box.clickedButton() is not more:
                return answer
            self.show_help(page=link[0], heading=link[1])
            others = [button for button in box.buttons() if button is not more]
            if len(others) == 1:  # a message, read: nothing more to answer
                return box.standardButton(others[0])

    def _message_box(self, icon: QMessageBox.Icon, title: str, text: str, buttons: QMessageBox.StandardButton,
                     labels: dict[QMessageBox.StandardButton, str] | None, more: bool) -> tuple[QMessageBox, Any]:
        box = QMessageBox(icon, title, text, buttons, self)
        button = None
        if more:
            button = box.addButton("Read more in the &guide", QMessageBox.ButtonRole.HelpRole)
            button.setObjectName("read_more_in_the_guide")
            button.setToolTip("Opens the page of the user guide about this")
            others = [b for b in box.buttons() if b is not button]
            if len(others) == 1:  # a message's one button still answers Esc (Qt picks none for two)
                box.setEscapeButton(others[0])
        for standard, label in (labels or {}).items():
            widget = box.button(standard)
            if widget is not None:
                widget.setText(label)
        box.setAccessibleName(title)
        for standard, label in BUTTON_LABELS.get(title, {}).items():
            if box.button(standard) is not None:
                box.button(standard).setText(label)
        return box, button

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if not self.close_document():
            event.ignore()
            return
        self.settings.save_widget(self)
        for tab in self._built_tabs():
            self.settings.save_splitter(tab.splitter)
        self.settings.sync()
        super().closeEvent(event)


def focus_first_tab(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(0)
    window.current_tab().view.setFocus(Qt.FocusReason.OtherFocusReason)

