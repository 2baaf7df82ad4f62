"""Thin undo commands over the services' reversible operations.

A user action runs its service operation first (so a refusal is shown and nothing is
pushed), then pushes a command holding the :class:`~cypdesk.services.records.Change`;
undo and redo call the services again. The main window owns the one stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand


class DoneCommand(QUndoCommand):
    """A command whose first ``redo`` has already happened (the operation ran before
    the push); later redos and undos call ``do`` and ``undo``."""

    # Told when an undo or redo is refused (the window shows it); class-wide so every
    # command made anywhere reports the same way.
    on_error: Callable[[str, BaseException], None] | None = None

    def __init__(self, text: str, do: Callable[[], Any], undo: Callable[[], Any],
                 after: Callable[[], None] | None = None) -> None:
        super().__init__(text)
        self._do, self._undo, self._after = do, undo, after
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
        else:
            self._run("Redo", self._do)
        if self._after:
            self._after()

    def undo(self) -> None:
        self._run("Undo", self._undo)
        if self._after:
            self._after()

    def _run(self, what: str, step: Callable[[], Any]) -> None:
        """A refused step (the record it needs was deleted since, say) changes nothing
        (each service operation is one transaction); the command is dropped from the
        stack so the stack does not claim what did not happen, and the officer is told."""
        try:
            step()
        except Exception as exc:  # shown to the officer, never lost
            self.setObsolete(True)
            if DoneCommand.on_error is not None:
                DoneCommand.on_error(f"{what} of “{self.text()}” could not be done", exc)
            else:
                raise


def command_for(ws: Any, change: Any, after: Callable[[], None] | None = None) -> DoneCommand:
    """The undo command for a create, update or delete already done (a
    :class:`~cypdesk.services.records.Change`). The records service is imported here,
    not at start-up: it brings SQLAlchemy's ORM."""
    from cypdesk.services import records

    label = {"create": "Add", "update": "Edit", "delete": "Delete"}[change.op]
    text = f"{label} {change.title}"
    if change.op == "update":
        return DoneCommand(text, lambda: records.update(ws, change.kind, change.id, change.after),
                           lambda: records.update(ws, change.kind, change.id, change.before), after)
    if change.op == "create":
        state: dict[str, Any] = {}

        def undo_create() -> None:
            state["deleted"] = records.delete(ws, change.kind, change.id)

        def redo_create() -> None:  # only ever after an undo: bring back what it deleted
            records.restore(ws, state["deleted"])

        return DoneCommand(text, redo_create, undo_create, after)
    state = {"change": change}

    def undo_delete() -> None:
        records.restore(ws, state["change"])

    def redo_delete() -> None:
        state["change"] = records.delete(ws, change.kind, change.id)

    return DoneCommand(text, redo_delete, undo_delete, after)
