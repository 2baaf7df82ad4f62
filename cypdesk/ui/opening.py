"""What the window says when a document cannot simply be opened: a refusal in plain
words (with "Make a clean copy…" for a file that holds schema objects of its own), a
lock someone holds (a read-only view, or "Open anyway…" for a lock left over), and
unsaved edits a cypdesk left behind (recover, discard, or decide later), offered
wherever a document is opened. :class:`MainWindow` takes these from
:class:`OpeningMixin`; every question goes through its ``ask``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from cypdesk.ui.guide_links import fault_code

DOCUMENT_FILTER = "cypdesk documents (*.cypdesk)"
OPEN_FILTER = ("cypdesk documents and shared copies (*.cypdesk *.cypshare);;cypdesk documents (*.cypdesk);;"
               "Shared copies from partners (*.cypshare)")
RECOVERY_TITLE = "Recover unsaved changes"


class OpeningMixin:
    """Refusals, locks, clean copies and recovery for :class:`MainWindow` (which
    provides ``ask``, ``open_path``, ``tasks``, ``choose_save_path`` and the rest)."""

    ask: Any
    open_path: Any
    tasks: Any
    choose_save_path: Any

    def _open_failed(self, path: str | Path, exc: BaseException, read_only: bool) -> bool:
        from cypdesk.common.errors import (
            CypdeskError, DamagedDocument, DocumentLocked, ForeignSchema, NewerDocument, error_from, fault_class,
            unwrap,
        )

        if not isinstance(exc, CypdeskError) and (fault_class(exc) is not None
                                                  or isinstance(unwrap(exc), (OSError, sqlite3.Error))):
            exc = error_from(exc, path=Path(path).absolute(), doing="open")  # the command line's words and code
        self.open_error = exc  # --exit-when-shown exits with its exit_code
        if isinstance(exc, ForeignSchema):
            answer = self.ask(QMessageBox.Icon.Warning, "Not opened: the file holds things of its own",
                              f"{exc.facts.get('summary') or exc.message}\n\nA clean copy keeps every record that "
                              "passes cypdesk's checks, and lists what it leaves out. The file itself is not changed.",
                              QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                              labels={QMessageBox.StandardButton.Save: "Make a clean copy…"}, guide=exc.code)
            if answer == QMessageBox.StandardButton.Save:
                return self.make_clean_copy(path)
        elif isinstance(exc, DocumentLocked) and not read_only:
            return self._open_locked(path, exc)
        elif isinstance(exc, NewerDocument):
            self.ask(QMessageBox.Icon.Warning, "Made by a newer cypdesk",
                     f"{exc.message}\n\nInstall the newer cypdesk to open it; this one will not change it.",
                     QMessageBox.StandardButton.Ok, guide=exc.code)
        elif isinstance(exc, DamagedDocument):
            self.ask(QMessageBox.Icon.Critical, "The document is damaged",
                     f"{exc.message}\n\nNothing was changed. Open an earlier saved version, or ask the partner "
                     "who sent it for a fresh copy.", QMessageBox.StandardButton.Ok, guide=exc.code)
        elif isinstance(exc, CypdeskError):
            self.ask(QMessageBox.Icon.Warning, "Cannot open the document", exc.message, QMessageBox.StandardButton.Ok,
                     guide=exc.code)
        else:
            self.ask(QMessageBox.Icon.Critical, "Cannot open the document",
                     f"{Path(path).name} could not be opened: cypdesk met an unexpected problem "
                     f"({type(exc).__name__}: {exc}).", QMessageBox.StandardButton.Ok)
        return False

    def _open_locked(self, path: str | Path, exc: Any) -> bool:
        """Someone's lock is on the document: offer a read-only view, and when the lock
        may be left over (empty, unreadable, or old from another computer) "Open anyway",
        which takes the lock over once the officer confirms, naming its holder."""
        buttons = QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel
        labels = {QMessageBox.StandardButton.Open: "Open read-only"}
        takeable = bool(exc.facts.get("stale_possible") or exc.facts.get("unreadable"))
        text = exc.message  # it already says a read-only view can be opened
        if takeable:
            buttons |= QMessageBox.StandardButton.Ignore
            labels[QMessageBox.StandardButton.Ignore] = "Open anyway…"
            text += "\n\nOpen it anyway only if you are sure nobody is using it."
        answer = self.ask(QMessageBox.Icon.Question, "Document in use", text, buttons, labels=labels, guide=exc.code)
        if answer == QMessageBox.StandardButton.Open:
            return self.open_path(path, read_only=True, wait=True)
        if takeable and answer == QMessageBox.StandardButton.Ignore:
            holder = exc.facts.get("holder") or "the lock file"
            sure = self.ask(QMessageBox.Icon.Warning, "Open anyway?",
                            f"{Path(path).name} is locked by {holder}.\n\nOpen it anyway only if you are sure "
                            "nobody is using it: if someone is, you would both be changing it, and one of you "
                            "could not save. Take over the lock and open it?",
                            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                            labels={QMessageBox.StandardButton.Yes: "Take over and open"})
            if sure == QMessageBox.StandardButton.Yes:
                return self.open_path(path, wait=True, take_over_lock=True)
        return False

    def make_clean_copy(self, path: str | Path) -> bool:
        """Rescue a refused document: ask where to save a clean copy, make it on the
        worker, say what was left out, and open the copy. False if nothing was opened."""
        from cypdesk.common.errors import CypdeskError, plain_message
        from cypdesk.services.rescue import rescue, summary

        source = Path(path)
        new = self.choose_save_path("Save the clean copy as", f"{source.stem} (clean copy).cypdesk", DOCUMENT_FILTER)
        if not new:
            return False
        if not new.endswith(".cypdesk"):
            new += ".cypdesk"
        replace = Path(new).exists()  # the save dialog has asked before replacing it
        try:
            result = self.tasks.run_and_wait(f"Making a clean copy of {source.name}…",
                                             lambda progress: rescue(source, new, force=replace, progress=progress))
        except (CypdeskError, OSError, sqlite3.Error) as exc:
            reason = plain_message(exc, path=new, doing="write the clean copy")
            self.ask(QMessageBox.Icon.Warning, "No clean copy was made", reason, QMessageBox.StandardButton.Ok,
                     guide=getattr(exc, "code", None) or fault_code(exc))
            return False
        self.ask(QMessageBox.Icon.Information, "Clean copy made",
                 f"{summary(result)}\n\n{source.name} has not been changed. The clean copy opens now.",
                 QMessageBox.StandardButton.Ok)
        return self.open_path(result["path"], wait=True)

    def offer_recovery(self) -> None:
        """At start-up with no document: unsaved edits left by a cypdesk that stopped
        are offered back, each in turn, until one is recovered."""
        from cypdesk.model.recovery import list_recoverable

        try:
            items = list_recoverable()
        except OSError:
            return
        changed = self._changed_on_disk(items)
        for item in items:
            same = [i for i in items if i.source == item.source]  # sets of changes to this document
            answer = self._ask_recovery(item, len(same), same.index(item) + 1, recovered=False,
                                        changed=changed.get(id(item)))
            if answer == QMessageBox.StandardButton.Open:
                self._recover(item)
                return

    def offer_recovery_of(self, path: str | Path) -> bool | None:
        """Before a document is opened (``cypdesk FILE``, Open, Open Recent): every set
        of unsaved edits to it that a cypdesk left is offered, newest first. Recovered,
        they become the open document (unsaved, ``*``) and True is returned; False if
        recovering failed (said, and the edits kept); None to open the file itself."""
        from cypdesk import paths

        try:
            if not any(paths.working_dir().iterdir()):  # no working copy at all: nothing to offer,
                return None  # and the recovery machinery need not be imported before the first paint
            from cypdesk.model.recovery import list_recoverable

            items = list_recoverable(Path(path))
        except OSError:
            return None
        recovered: bool | None = None
        changed = self._changed_on_disk(items)
        for number, item in enumerate(items, start=1):
            answer = self._ask_recovery(item, len(items), number, recovered=recovered is not None,
                                        changed=changed.get(id(item)))
            if answer == QMessageBox.StandardButton.Open and recovered is None:
                recovered = self._recover(item)
                if not recovered:
                    return False
        return recovered

    def _changed_on_disk(self, items: list[Any]) -> dict[int, bool | None]:
        """Whether each recoverable item's file changed on disk since (its content is
        hashed: a large file on a share takes seconds, so on the worker)."""
        if not any(item.source is not None for item in items):
            return {}
        try:
            flags = self.tasks.run_and_wait("Checking whether the file changed on disk…",
                                            lambda _progress: [item.source_changed() for item in items],
                                            cancellable=False)
        except Exception:  # noqa: BLE001 - unknown is said as unknown: no sentence about it
            return {}
        return {id(item): flag for item, flag in zip(items, flags)}

    def _ask_recovery(self, item: Any, count: int, number: int, *, recovered: bool,
                      changed: bool | None = None) -> Any:
        """Recover them / Discard them / Decide later (only the last two once another
        set of changes to the document has been recovered). Discard is done here.
        ``changed``: the file changed on disk since the copy was taken."""
        from cypdesk.common.formats import when_uk
        from cypdesk.model.recovery import discard_recovery

        when = when_uk(item.changed_at)
        if recovered:
            text = (f"There are also older unsaved changes to {item.title} from {when}. You have recovered a "
                    "newer set; these cannot be combined with it.\n\nDiscard them, or decide later (they are "
                    "kept and offered again).")
            buttons = QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Ignore
        else:
            text = f"cypdesk has unsaved changes to {item.title} from {when} (cypdesk closed before they were saved)."
            if count > 1:
                text += f" This is set {number} of {count}."
            if item.host:
                text += f" They were left by cypdesk on {item.host}, which may still be using them."
            if changed:
                text += (f"\n\n{item.title} has changed on disk since then (perhaps a colleague saved it). If you "
                         "recover, Save will not overwrite their version: use Save As, then merge the two.")
            text += ("\n\nRecover them to carry on where you left off (they are not in the file until you Save), "
                     "discard them for good, or decide later: the file opens as it is and they are kept.")
            buttons = (QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Discard
                       | QMessageBox.StandardButton.Ignore)
        answer = self.ask(QMessageBox.Icon.Question, RECOVERY_TITLE, text, buttons, guide="recovery")
        if answer == QMessageBox.StandardButton.Discard:
            discard_recovery(item)
        return answer

    def _recover(self, item: Any) -> bool:
        """Open recoverable edits as the document (unsaved): True when open."""
        from cypdesk.common.errors import CypdeskError, plain_message
        from cypdesk.model.recovery import recover
        from cypdesk.services.workspace import Workspace

        if not self.close_document():
            return False
        try:
            doc = self.tasks.run_and_wait(f"Recovering the changes to {item.title}…", lambda _progress: recover(item))
        except (CypdeskError, OSError, sqlite3.Error) as exc:
            reason = plain_message(exc, path=item.working_dir, doing="recover the changes in")
            self.ask(QMessageBox.Icon.Warning, "Cannot recover the changes yet",
                     f"{reason}\n\nYour unsaved changes are kept; cypdesk offers them again next time you open "
                     f"{item.title}.", QMessageBox.StandardButton.Ok, guide=fault_code(exc))
            return False
        self._opened(item.source or doc.working_path, Workspace(doc))
        self.status(f"Recovered the unsaved changes to {item.title}: Save to keep them in the file.")
        return True
