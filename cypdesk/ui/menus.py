"""The window's menu bar: File, Edit and Help, each entry an action with its shortcut,
object name (tests and the shortcuts table find them by it) and the tip that says what
it does or why it is greyed out. A mixin of :class:`~cypdesk.ui.main_window.MainWindow`,
whose slots the actions call."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from cypdesk.ui.dialogs.import_wizard import start_import
from cypdesk.ui.tabs.record_tab import HISTORY_KEYS


def share_with_partner(window: Any) -> Any:
    """File > Share with a partner… (the dialog's module loads when first asked for)."""
    from cypdesk.ui.exchange.share_dialog import share_with_partner as share

    return share(window)


def edit_document_settings(window: Any) -> Any:
    """File > Document settings… (the dialog's module loads when first asked for)."""
    from cypdesk.ui.dialogs.document_settings import edit_document_settings as edit

    return edit(window)


def merge_from_partner_file(window: Any) -> Any:
    """File > Merge from partner file… (ui/exchange/merge_flow.py, loaded when first asked for)."""
    from cypdesk.ui.exchange.merge_flow import merge_from_partner_file as merge

    return merge(window)


class MenusMixin:
    def _action(self, text: str, slot: Any, shortcut: Any = None, name: str = "", tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        action.setObjectName(name or text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        return action

    def _tab_kind(self) -> str | None:
        """The kind of record the tab in view shows (what File > Import offers first)."""
        return self.current_tab().spec.kind if self.tabs.count() else None

    def show_history(self) -> None:
        """Edit > History of the selected record (Ctrl+H): of the list the cursor is in
        (the People list inside Organisations has its own), else of the tab in view."""
        from PySide6.QtWidgets import QApplication

        from cypdesk.ui.tabs.record_tab import RecordTab

        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, RecordTab):
            widget = widget.parentWidget()
        tab = widget if widget is not None and widget.window() is self else self.current_tab()
        tab.show_history()

    def take_tour(self) -> None:
        """Help > Take the tour again: the guided tour of the tabs (ui/tour.py)."""
        from cypdesk.ui.tour import start_tour

        start_tour(self)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setToolTipsVisible(True)  # a greyed-out entry's tooltip says why it is greyed out
        self.action_new = self._action("&New", self.new_document, QKeySequence.StandardKey.New)
        self.action_open = self._action("&Open…", self.choose_and_open, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.action_save = self._action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.action_save_as = self._action("Save &As…", self.save_as, QKeySequence("Ctrl+Shift+S"))
        self.action_share = self._action(
            "S&hare with a partner…", lambda: share_with_partner(self), name="share",
            tip="A copy of the document for one partner, without what they may not see (confidential fields, "
                "contact details unless you include them), compressed to send by email, with a passphrase if "
                "you wish")
        self.action_merge = self._action("&Merge from partner file…", lambda: merge_from_partner_file(self),
                                         name="merge",
                                         tip="Merge a partner's document or shared copy into this one: you see what "
                                             "it adds, changes and deletes, and settle each conflict, before "
                                             "anything is written")
        self.action_restore = self._action("Restore &previous version…", self.restore_previous)
        self.action_export = self._action("&Export this table…", self.export_current, QKeySequence("Ctrl+E"))
        self.action_import = self._action("&Import…", lambda: start_import(self, self._tab_kind()), QKeySequence("Ctrl+I"), "import",
                                          "Import rows from a spreadsheet or CSV into the document (Ctrl+I)")
        self.action_template = self._action(
            "Create return &template…", lambda: self.create_template(), name="create_return_template",
            tip="A blank Excel return for partners to fill in, with drop-downs from this document's lists, "
                "that imports back with no mapping step")
        self.action_settings = self._action(
            "&Document settings…", lambda: edit_document_settings(self), name="document_settings",
            tip="The document's title, the trust's name and logo, and the settings the tabs use: rating scale, "
                "small-number threshold, whom Needs compares with, reviews window, grace for returns")
        self.action_close = self._action("&Close", self.close_document, QKeySequence.StandardKey.Close)
        self.action_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        file_menu.insertAction(self.recent_menu.menuAction(), self.action_new)
        file_menu.insertAction(self.recent_menu.menuAction(), self.action_open)
        for action in (self.action_save, self.action_save_as):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.action_share, self.action_merge, self.action_restore, self.action_import,
                       self.action_export, self.action_template):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.action_settings)
        file_menu.addSeparator()
        file_menu.addAction(self.action_close)
        file_menu.addAction(self.action_quit)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.setToolTipsVisible(True)
        self.action_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_undo.setObjectName("undo")
        self.action_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.action_redo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")])
        self.action_redo.setObjectName("redo")
        for action, step in ((self.action_undo, self.undo_stack.undo), (self.action_redo, self.undo_stack.redo)):
            action.triggered.disconnect()  # typing not yet applied is applied first, so Undo never loses it
            action.triggered.connect(lambda _checked=False, step=step: self.commit_pending() and step())
        self.action_find = self._action("&Find", self.find, QKeySequence.StandardKey.Find)
        self.action_add = self._action("&Add a record", lambda: self.current_tab().add_record(), None, "add_record")
        self.action_duplicate = self._action("D&uplicate", lambda: self.current_tab().duplicate_record(), None, "duplicate_record")
        self.action_delete = self._action("&Delete…", lambda: self.current_tab().delete_record(), None, "delete_record")
        self.action_history = self._action(
            "&History of the selected record…", self.show_history, QKeySequence(HISTORY_KEYS), "history",
            "Who changed the selected record, what and when: typed, imported or merged from a partner's file "
            f"({HISTORY_KEYS})")
        for action in (self.action_undo, self.action_redo):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        for action in (self.action_find, self.action_add, self.action_duplicate, self.action_delete):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_history)

        self.help_menu = help_menu = bar.addMenu("&Help")
        help_menu.setToolTipsVisible(True)
        self.action_help = self._action("&Help for this tab", self.show_help, QKeySequence.StandardKey.HelpContents,
                                        name="help_tab", tip="What this tab is for and how to work in it (F1)")
        self.action_help.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        help_menu.addAction(self.action_help)
        help_menu.addAction(self._action("&Contents of the guide", lambda: self.show_help(contents=True),
                                         name="help_contents", tip="Every page of the guide"))
        self.action_tour = self._action("Take the &tour again", self.take_tour, name="tour_again",
                                        tip="A step through each tab and what it is for (with a document open)")
        help_menu.addAction(self.action_tour)
        self.action_shortcuts = self._action("&Keyboard shortcuts", self.show_shortcuts, name="keyboard_shortcuts")
        help_menu.addAction(self.action_shortcuts)
        help_menu.addSeparator()
        help_menu.addAction(self._action("&About cypdesk", self.about))
