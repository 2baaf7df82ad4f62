"""The Board papers tab's edits as undo steps. The compose services each do their work
in one transaction and return what they made (an id) or what they changed (a
:class:`~cypdesk.services.records.Change`); the step is pushed after, so a refusal is
shown and nothing is pushed. Undoing something made deletes it (with what belongs to
it: a paper's sections, recommendations and appendices); redo puts back exactly what
was deleted, with the same ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cypdesk.ui.undo import DoneCommand


def made(window: Any, text: str, kind: str, record_id: str) -> None:
    """Push the step for a record a service made (a meeting, a paper, a recommendation)."""
    made_many(window, text, [(kind, record_id)])


def made_many(window: Any, text: str, records_: Sequence[tuple[str, str]], *,
              changes: Sequence[Any] = ()) -> None:
    """Push one step for records made and records changed by one service call (Finalise
    makes a snapshot and changes the paper; Reopen makes the draft). Undo deletes what
    was made and puts back what was changed; redo does the reverse, in order."""
    from cypdesk.services import records

    ws = window.workspace
    state: dict[str, Any] = {"deleted": []}

    def undo() -> None:
        state["deleted"] = [records.delete(ws, kind, record_id) for kind, record_id in reversed(records_)]
        for change in reversed(changes):
            records.update(ws, change.kind, change.id, change.before)

    def redo() -> None:
        for change in changes:
            records.update(ws, change.kind, change.id, change.after)
        for deleted in reversed(state["deleted"]):
            records.restore(ws, deleted)

    window.push_command(DoneCommand(text, redo, undo, window.refresh_all))


def changed(window: Any, text: str, changes: Sequence[Any], after: Callable[[], None] | None = None) -> None:
    """Push one step for updates already made (a section's text, a paper's fields, the
    order of recommendations): undo puts every field back, last change first."""
    from cypdesk.services import records

    ws = window.workspace
    changes = [c for c in changes if c is not None and (c.op != "update" or c.before or c.after)]
    if not changes:
        return

    # What the last undo or redo returned for each change: a delete's Change to restore
    # (a create undone, or a delete redone); an update's stays as it was.
    latest = list(changes)

    def undo() -> None:
        for at in reversed(range(len(changes))):
            op, change = changes[at].op, latest[at]
            if op == "update":
                records.update(ws, change.kind, change.id, change.before)
            elif op == "create":
                latest[at] = records.delete(ws, change.kind, change.id)
            else:
                records.restore(ws, change)

    def redo() -> None:
        for at in range(len(changes)):
            op, change = changes[at].op, latest[at]
            if op == "update":
                records.update(ws, change.kind, change.id, change.after)
            elif op == "create":
                records.restore(ws, change)
            else:
                latest[at] = records.delete(ws, change.kind, change.id)

    window.push_command(DoneCommand(text, redo, undo, after or window.refresh_all))


class Made(tuple):
    """A record a service made, as (kind, id), when the service returns something else."""

    def __new__(cls, kind: str, record_id: str) -> Made:
        return super().__new__(cls, (kind, record_id))


def push_result(window: Any, text: str, result: Any, kind: str) -> None:
    """Push the step for whatever a compose service returned: a Change or a list of
    them (changed), a :class:`Made`, or a new record's id of ``kind`` (made)."""
    from cypdesk.services import records

    if result is None:
        return
    if isinstance(result, Made):
        made(window, text, *result)
    elif isinstance(result, records.Change):
        changed(window, text, [result])
    elif isinstance(result, str):
        made(window, text, kind, result)
    elif isinstance(result, (list, tuple)) and all(isinstance(c, records.Change) for c in result):
        changed(window, text, list(result))
    else:
        window.refresh_all()  # nothing to undo by: at least show what happened
