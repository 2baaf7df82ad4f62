"""The window's document: open (checked and copied off the UI thread), new, save and
save as, close (asking about unsaved changes), restore the previous version, export
the tab in view, a return template, and Find. :class:`MainWindow` takes these from
:class:`DocumentFileMixin`; every question goes through its ``ask``."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from cypdesk.ui.guide_links import fault_code
from cypdesk.ui.opening import DOCUMENT_FILTER, OPEN_FILTER

UNSAVED_TITLE = "Unsaved changes"


class DocumentFileMixin:
    def open_path(self, path: str | Path, *, read_only: bool = False, wait: bool = False,
                  take_over_lock: bool = False) -> bool:
        """Open a document. The checks and the working copy (seconds for a large file)
        are made off the UI thread; the window shows it when they are done. False if the
        open was refused or the officer kept the current document. ``take_over_lock``:
        the officer confirmed taking over a lock left by someone else."""
        from cypdesk.services.documents import open_workspace
        from cypdesk.ui.exchange.merge_share import looks_like_share, open_share

        if looks_like_share(path):  # a shared copy is never opened as a document: merge it, or save it as one
            return open_share(self, path)
        if not self.close_document():
            return False
        if not read_only:
            recovered = self.offer_recovery_of(path)
            if recovered is not None:
                return recovered
        outcome: dict[str, Any] = {}
        running: dict[str, Any] = {}

        def done(workspace: Any) -> None:
            progress = running.get("progress")
            if self.workspace is not None or (progress is not None and progress.cancelled()):
                workspace.doc.close()  # cancelled, or something else was opened meanwhile
                self.status(f"Opening {Path(path).name} was cancelled.")
                return
            self._opened(path, workspace)
            outcome["ok"] = True
            if running.get("copies"):  # a sync client's conflict copies beside it: offer to merge them
                from cypdesk.ui.exchange.merge_offers import offer_conflict_copies

                offer_conflict_copies(self, running["copies"])

        def failed(exc: BaseException) -> None:
            outcome["ok"] = self._open_failed(path, exc, read_only)

        def work(progress: Any) -> Any:
            running["progress"] = progress
            workspace = open_workspace(path, read_only=read_only, take_over_lock=take_over_lock)
            if not workspace.read_only:
                from cypdesk.ui.exchange.merge_offers import conflict_copies_of

                running["copies"] = conflict_copies_of(path)
            return workspace

        self.tasks.run(f"Opening {Path(path).name}…", work, done, failed, inline=wait)
        if self.workspace is None and not (wait or self.tasks.INLINE):
            self.current_tab().prepare()  # meanwhile, what the tab can do before it reads the document
        return bool(outcome.get("ok", not (wait or self.tasks.INLINE)))

    def _opened(self, path: str | Path, workspace: Any) -> None:
        self._attach(workspace)
        doc = workspace.doc
        if doc.read_only and doc.read_only_reason:
            self.status(f"Read-only: {doc.read_only_reason}", timeout_ms=0)
        if doc.migration is not None and getattr(doc.migration, "backup", None):
            self.status(f"Updated from an older cypdesk; a copy of the original is kept at {doc.migration.backup}")
        if doc.path:
            self.settings.add_recent(doc.path)
        self.document_opened.emit(str(path))

    def _attach(self, workspace: Any) -> None:
        from cypdesk.model.dbfile import connect

        self.workspace = workspace
        self.reader = connect(workspace.doc.working_path, read_only=True)
        self.undo_stack.clear()
        self._stack_is_saved = not workspace.doc.dirty  # recovered edits are unsaved from the start
        for tab in self._built_tabs():
            tab.document_opened()
        self.current_tab().shown()
        self.update_title()
        self._update_actions()
        if self._watcher.done:
            self._after_first_paint()
        else:  # the first paint comes first: on a slow laptop this work would delay it
            self._after_paint_pending = True

    def new_document(self) -> None:
        from cypdesk.model.document import Document
        from cypdesk.services.workspace import Workspace

        if not self.close_document():
            return
        self._attach(Workspace(Document.new()))

    def choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a cypdesk document", self._folder(), OPEN_FILTER)
        if path:
            self.open_path(path)

    def _folder(self) -> str:
        recent = self.settings.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def choose_save_path(self, title: str, suggested: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path(self._folder()) / suggested), filters)
        return path

    def save(self) -> bool:
        from cypdesk.common.errors import CypdeskError, ExternalChange, plain_message
        from cypdesk.model.document import SaveAsNeeded

        if self.workspace is None:
            return True
        if not self.commit_pending():
            return False
        doc = self.workspace.doc
        try:
            if doc.untitled:
                raise SaveAsNeeded("An untitled document needs a name.", path=None)
            self.tasks.run_and_wait(f"Saving {Path(doc.path).name}…", lambda _progress: doc.save(), cancellable=False)
        except SaveAsNeeded:
            return self.save_as()
        except ExternalChange as exc:
            answer = self.ask(QMessageBox.Icon.Warning, "Changed by someone else",
                              f"{exc.message}\n\nMerge the file on disk into yours (you see what it would change "
                              "first), then save? Or save your version under another name, so nothing is lost?",
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Save
                              | QMessageBox.StandardButton.Cancel,
                              labels={QMessageBox.StandardButton.Yes: "Merge the file on disk into mine, then save",
                                      QMessageBox.StandardButton.Save: "Save As…"}, guide=exc.code)
            if answer == QMessageBox.StandardButton.Yes:
                from cypdesk.ui.exchange.merge_offers import merge_disk_then_save

                return merge_disk_then_save(self)
            return self.save_as() if answer == QMessageBox.StandardButton.Save else False
        except (CypdeskError, OSError, sqlite3.Error) as exc:
            reason = plain_message(exc, path=doc.path, doing="save")
            self.ask(QMessageBox.Icon.Warning, "The document was not saved",
                     f"{reason}\n\nYour changes are still here; try Save As to another folder.",
                     QMessageBox.StandardButton.Ok, guide=fault_code(exc, "save_failed"))
            return False
        self.undo_stack.setClean()
        self._stack_is_saved = True
        self.status(f"Saved {self.workspace.doc.path}")
        self.update_title()
        return True

    def save_as(self) -> bool:
        from cypdesk.common.errors import CypdeskError, plain_message

        if self.workspace is None:
            return True
        doc = self.workspace.doc
        suggested = Path(doc.path).name if doc.path else "Untitled.cypdesk"
        path = self.choose_save_path("Save the document as", suggested, DOCUMENT_FILTER)
        if not path:
            return False
        if not path.endswith(".cypdesk"):
            path += ".cypdesk"
        try:
            self.tasks.run_and_wait(f"Saving {Path(path).name}…", lambda _progress: doc.save_as(path),
                                    cancellable=False)
        except (CypdeskError, OSError, sqlite3.Error) as exc:
            reason = plain_message(exc, path=Path(path).absolute(), doing="save")
            self.ask(QMessageBox.Icon.Warning, "The document was not saved", reason, QMessageBox.StandardButton.Ok,
                     guide=fault_code(exc, "save_failed"))
            return False
        self.settings.add_recent(path)
        self.undo_stack.setClean()
        self._stack_is_saved = True
        self.update_title()
        self._update_actions()
        return True

    def close_document(self) -> bool:
        """Close the open document, asking first if it has unsaved changes. False: the
        officer chose Cancel and the document stays open."""
        if self.workspace is None:
            return True
        if not self.commit_pending():  # typing is applied, or the officer stays to correct it
            return False
        doc = self.workspace.doc
        if doc.dirty and not doc.read_only and not self.unsaved():
            discard = True  # undone back to the saved file: nothing to ask about
        elif doc.dirty and not doc.read_only:
            name = Path(doc.path).name if doc.path else "Untitled"
            answer = self.ask(QMessageBox.Icon.Question, UNSAVED_TITLE,
                              f"Save the changes to {name} before closing?",
                              QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return False
            discard = answer == QMessageBox.StandardButton.Discard
        else:
            discard = False
        if self.reader is not None:
            self.reader.close()
            self.reader = None
        doc.close(discard=discard)
        self.workspace = None
        for tab in self._built_tabs():  # counts, filters and buttons as for no document
            tab.document_closed()
        self.attention.clear()
        self.undo_stack.clear()
        self.status_label.clear()
        self.update_title()
        self._update_actions()
        return True

    def restore_previous(self) -> None:
        from cypdesk.common.errors import CypdeskError, plain_message
        from cypdesk.model.document import list_saved_versions, restore_saved_version

        if self.workspace is None or self.workspace.doc.untitled:
            return
        versions = list_saved_versions(self.workspace.doc.path)
        if not versions:
            self.ask(QMessageBox.Icon.Information, "Restore previous version",
                     "There are no earlier saved versions of this document yet.", QMessageBox.StandardButton.Ok)
            return
        labels = [f"{n}. Saved {_local(v.saved_at):%d/%m/%Y at %H:%M:%S} ({v.size / 1_048_576:.1f} MB)"
                  for n, v in enumerate(versions, start=1)]
        label = self.choose_item("Restore previous version",
                                 "Replace the document's content with the version saved at:", labels)
        if label is None:
            return
        version = versions[labels.index(label)]
        try:
            restore_saved_version(self.workspace.doc, version)
        except (CypdeskError, OSError, sqlite3.Error) as exc:
            self.ask(QMessageBox.Icon.Warning, "Not restored", plain_message(exc, path=version.path, doing="restore"),
                     QMessageBox.StandardButton.Ok, guide=fault_code(exc))
            return
        self.undo_stack.clear()  # the restored content is a new starting point
        self._stack_is_saved = False  # ... not the file as saved
        self.refresh_all()
        self.status(f"Restored the version saved {_local(version.saved_at):%d/%m/%Y at %H:%M:%S}; Save to keep it.")

    def export_current(self) -> None:
        """Export the table in view; typing not yet applied goes in first (or, when not
        valid, the officer stays on it and nothing is exported)."""
        if self.commit_pending():
            self.current_tab().export_table()

    def create_template(self, kind: str | None = None) -> None:
        """File > Create return template, and each tab's button for its kind (ui/return_template.py)."""
        from cypdesk.ui.return_template import create_template

        create_template(self, kind)

    def find(self) -> None:
        tab = self.current_tab()
        bar = tab.find_bar() if hasattr(tab, "find_bar") else tab.filter_bar  # a tab with views: the one in front
        bar.text.setFocus()
        bar.text.selectAll()


def _local(when: Any) -> Any:
    """A stored time in the computer's local time (stored times are UTC)."""
    from datetime import timezone

    return when.astimezone() if when.tzinfo else when.replace(tzinfo=timezone.utc).astimezone()
