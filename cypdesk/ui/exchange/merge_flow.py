"""File > Merge from partner file…: the window's side of a merge, start to end.

1. Choose the partner's file (a ``.cypdesk`` document or a ``.cypshare`` shared copy).
2. On the worker (progress and Cancel), check it as untrusted and read it
   (:func:`~cypdesk.services.exchange.intake.open_partner`) and work out the plan
   (:func:`~cypdesk.services.exchange.plan.plan_merge`). An encrypted share asks for its
   passphrase; a wrong one says so and asks again.
3. The preview (:class:`~cypdesk.ui.exchange.merge_dialog.MergeDialog`): the officer
   reads it and settles the conflicts. Cancel: nothing was written.
4. Merge, on the worker (:func:`~cypdesk.services.exchange.apply.apply_merge`: a
   backup first, then one transaction); the tabs refresh.

Undo takes a merge back as ONE step, exactly: the working copy is put back to the
backup the merge wrote (the document as it was just before), and Redo puts back the
merged state kept aside when undoing. Both are done only while the document holds what
it held just after the merge (undo) or just before it (redo), compared by content
(:func:`~cypdesk.services.exchange.canon.content_digest`); the undo stack guarantees
that for every edit on it, and anything else refuses the step with words, changing
nothing (the backup stays in the backup folder).

The partner's checked private copy stays open from planning to merging (an
:class:`contextlib.ExitStack` holds it) and is deleted once the merge is done or
dropped. Nothing here decides what merges: the services do.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from cypdesk.ui.guide_links import fault_code

PARTNER_FILTER = "cypdesk documents and shared copies (*.cypdesk *.cypshare);;All files (*)"
NOT_MERGED = "Not merged"
UNCHANGED = "Your document has not been changed."


@dataclass
class Planned:
    """A partner's file read and planned: its checked copy stays open (``stack``) until
    the merge is done or dropped."""

    stack: ExitStack
    partner: Any  # PartnerFile
    plan: Any  # MergePlan
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    partner_org: str | None = None

    def close(self) -> None:
        self.stack.close()


@dataclass
class MergeDone:
    """What a merge did, for the window: the result, the backup, and the content of the
    working copy just before and just after (for an exact undo)."""

    result: Any  # MergeResult
    before: str
    after: str
    undoable: bool  # the backup holds exactly what the document held before


def choose_partner_file(window: Any) -> str:
    """Ask for the partner's file (tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(window, "Merge from a partner's file", window._folder(), PARTNER_FILTER)
    return path


def ask_passphrase(window: Any, name: str, *, wrong: bool) -> str | None:
    """The passphrase of an encrypted shared copy, or None if the officer cancels. Asked
    through ``window.run_dialog`` (tests fill it in)."""
    dialog = QInputDialog(window)
    title = "Passphrase"
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setObjectName("passphrase_dialog")
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if wrong:
        dialog.setLabelText(f"That passphrase does not open {name}. Check it with the partner who sent it, and "
                            "type it again:")
    else:
        dialog.setLabelText(f"{name} is encrypted. Type the passphrase the partner who sent it gave you:")
    if not window.run_dialog(dialog):
        return None
    return dialog.textValue()


def merge_from_partner_file(window: Any) -> bool:
    """File > Merge from partner file…: True when a merge was made."""
    if window.workspace is None or window.workspace.read_only or not window.commit_pending():
        return False
    path = choose_partner_file(window)
    if not path:
        return False
    return merge_file(window, Path(path))


def _look_ups(ws: Any, partner: Any, plan: Any) -> tuple[dict[tuple[str, str], str], str | None]:
    """On the worker: the titles of the records the plan's references name, and the name
    of the partner's owning organisation (from this document, else from theirs)."""
    from cypdesk.model.dbfile import connect
    from cypdesk.services.exchange.intake import partner_connection
    from cypdesk.ui.exchange.merge_models import reference_names, references_wanted

    wanted = references_wanted([*plan.changed, *plan.conflicts])
    owner = plan.partner.owner_org_id
    if owner:
        wanted.setdefault("organisations", set()).add(owner)
    if not wanted:
        return {}, None
    ours = connect(ws.doc.working_path, read_only=True)
    theirs = partner_connection(partner.path)
    try:
        names = reference_names([ours, theirs], wanted)
    finally:
        ours.close()
        theirs.close()
    return names, names.get(("organisations", owner)) if owner else None


def plan_file(window: Any, path: Path, passphrase: str | None) -> Planned:
    """Check and read the partner's file and plan the merge, on the worker (raises what
    the services raise; Cancel raises ``Cancelled``)."""
    ws = window.workspace

    def work(progress: Any) -> Planned:
        # Imported here, on the worker: the first merge brings in SQLAlchemy and the
        # models, seconds on a slow laptop that the window must not wait for.
        from cypdesk.services.exchange.intake import open_partner
        from cypdesk.services.exchange.plan import plan_merge

        stack = ExitStack()
        try:
            partner = stack.enter_context(open_partner(path, passphrase=passphrase, ours=ws, progress=progress))
            plan = plan_merge(ws, partner, progress=progress)
            names, org = _look_ups(ws, partner, plan)
        except BaseException:
            stack.close()
            raise
        return Planned(stack, partner, plan, names, org)

    return window.tasks.run_and_wait(f"Reading {path.name}…", work)


PASSPHRASE_CODES = ("passphrase_needed", "wrong_passphrase")  # PassphraseNeeded, WrongPassphrase


def read_partner(window: Any, path: Path, passphrase: str | None = None) -> tuple[Planned | None, str | None]:
    """Plan a merge of ``path``, asking for a passphrase while one is needed or wrong.
    (None, None) when refused (said) or cancelled."""
    from cypdesk.common.errors import Cancelled

    while True:
        try:
            return plan_file(window, path, passphrase), passphrase
        except Cancelled:
            window.status(f"Reading {path.name} was cancelled. {UNCHANGED}")
            return None, None
        except Exception as exc:  # noqa: BLE001 - every refusal is shown in words, nothing is lost
            if getattr(exc, "code", None) not in PASSPHRASE_CODES:
                refused(window, exc, path, "read")
                return None, None
            passphrase = ask_passphrase(window, path.name, wrong=exc.code == "wrong_passphrase")
            if passphrase is None:
                window.status(f"Not merged: {path.name} needs its passphrase. {UNCHANGED}")
                return None, None


def refused(window: Any, exc: BaseException, path: Path, doing: str) -> None:
    from cypdesk.common.errors import plain_message

    reason = plain_message(exc, path=path, doing=doing)
    if UNCHANGED not in reason:
        reason += f"\n\n{UNCHANGED}"
    window.ask(QMessageBox.Icon.Warning, NOT_MERGED, reason, QMessageBox.StandardButton.Ok,
               guide=getattr(exc, "code", None) or fault_code(exc))


def preview(window: Any, planned: Planned) -> dict[str, str] | None:
    """Show the preview; the choices (conflict key -> side) if the officer merges."""
    from cypdesk.ui.exchange.merge_dialog import MergeDialog

    doc = window.workspace.doc
    dialog = MergeDialog(planned.plan, names=planned.names, into=doc.title, partner_org=planned.partner_org,
                         parent=window)
    try:
        return dialog.choices if window.run_dialog(dialog) else None
    finally:
        dialog.deleteLater()


def merge_file(window: Any, path: Path, *, passphrase: str | None = None, label: str | None = None) -> bool:
    """Read, preview and merge ``path`` into the open document: True when merged.
    ``label`` names the file in what is said (a conflict copy, "the file on disk")."""
    from cypdesk.common.errors import Cancelled, MergeStale

    name = label or path.name
    while True:
        planned, passphrase = read_partner(window, path, passphrase)
        if planned is None:
            return False
        try:
            choices = preview(window, planned)
            if choices is None:
                window.status(f"Merge of {name} cancelled. {UNCHANGED}")
                return False
            try:
                done = apply_planned(window, planned, choices)
            except MergeStale:
                answer = window.ask(QMessageBox.Icon.Warning, NOT_MERGED,
                                    f"The document changed while you read the preview, so {name} was not merged. "
                                    f"{UNCHANGED}\n\nPreview the merge again?",
                                    QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
                                    labels={QMessageBox.StandardButton.Retry: "Preview again"})
                if answer == QMessageBox.StandardButton.Retry:
                    continue
                return False
            except Cancelled:
                window.status(f"Merge of {name} cancelled. {UNCHANGED}")
                return False
            except Exception as exc:  # noqa: BLE001 - shown in words; the transaction rolled back
                doc = window.workspace.doc
                refused(window, exc, doc.path or Path(doc.title), f"merge {path.name} into")
                return False
        finally:
            planned.close()
        merged(window, done, name)
        return True


def apply_planned(window: Any, planned: Planned, choices: dict[str, str]) -> MergeDone:
    """Merge on the worker; the content digests before and after make the undo exact."""
    ws = window.workspace

    def work(progress: Any) -> MergeDone:
        from cypdesk.services.exchange.apply import apply_merge  # on the worker, as in plan_file
        from cypdesk.services.exchange.canon import content_digest

        before = content_digest(ws.doc.working_path)
        result = apply_merge(ws, planned.partner, planned.plan, choices, progress=progress)
        after = content_digest(ws.doc.working_path)
        undoable = result.backup is not None and content_digest(result.backup) == before
        return MergeDone(result, before, after, undoable)

    return window.tasks.run_and_wait(f"Merging {planned.plan.partner.source_name}…", work)


def merged(window: Any, done: MergeDone, name: str) -> None:
    """After a merge: one step on the undo stack (or a cleared stack, said, when there
    is no backup to undo with), the tabs re-read, and what was done in the status bar."""
    from cypdesk.ui.exchange.merge_dialog import counts_sentence

    result = done.result
    counts = {k: v for k, v in result.counts.items()}
    counts.setdefault("duplicates", len(result.plan.duplicates))
    counts.setdefault("ignored", len(result.plan.ignored))
    text = f"Merged {name}: {counts_sentence(counts)}."
    if done.undoable:
        window.push_command(merge_command(window, done, name))
    else:
        window.undo_stack.clear()
        window._stack_is_saved = False
        window.refresh_all()
        text += " This merge cannot be undone with Undo, so the list of steps to undo was cleared."
    if result.backup is not None:
        text += f" Your document as it was before is kept at {result.backup}."
    window.status(text + " Save to keep the merge in the file.", timeout_ms=0)
    planned_keys = {c.key for c in result.plan.conflicts}
    kept = [c for c in result.conflicts if c.key not in planned_keys]  # found while merging: a model rule
    if kept:
        from cypdesk.common.formats import plural

        reasons = "\n".join(f"• {c.title}: {c.reason}" for c in kept[:5])
        more = f"\n… and {len(kept) - 5:,} more." if len(kept) > 5 else ""
        window.ask(QMessageBox.Icon.Information, "Merged, keeping some of your values",
                   f"For {plural(len(kept), 'record')} the merge kept your values, because taking the partner's "
                   f"would break one of the document's rules:\n{reasons}{more}\n\nThey are listed in the "
                   "document's conflicts for you to settle.", QMessageBox.StandardButton.Ok)


def merge_command(window: Any, done: MergeDone, name: str) -> Any:
    """The undo step of a merge: Undo puts the backup back, Redo the merged state."""
    from cypdesk.ui.undo import DoneCommand

    doc = window.workspace.doc
    state: dict[str, Any] = {"redo": None}

    def undo() -> None:
        keep = doc.working_dir / f"merge-redo-{uuid.uuid4().hex[:12]}.cypdesk"
        window.tasks.run_and_wait("Undoing the merge…",
                                  lambda _p: swap_working_copy(doc, expect=done.after, source=done.result.backup,
                                                               keep_as=keep), cancellable=False)
        state["redo"] = keep

    def redo() -> None:
        source = state["redo"]
        window.tasks.run_and_wait("Merging again…",
                                  lambda _p: swap_working_copy(doc, expect=done.before, source=source, keep_as=None),
                                  cancellable=False)
        Path(source).unlink(missing_ok=True)
        state["redo"] = None

    return DoneCommand(f"Merge {name}", redo, undo, after=window.refresh_all)


def swap_working_copy(doc: Any, *, expect: str, source: Path, keep_as: Path | None) -> None:
    """Put ``source``'s content in the document's working copy, if the working copy's
    content is ``expect`` (else a refusal in words, nothing changed); first keep the
    current content at ``keep_as`` (for Redo). Undo passes the merge's backup and keeps
    the merged state; Redo passes that kept state."""
    from cypdesk.common.errors import CypdeskError
    from cypdesk.model import dbfile, saving
    from cypdesk.model.document import SavedVersion, restore_saved_version
    from cypdesk.services.exchange.canon import content_digest

    with doc.write_lock:
        if content_digest(doc.working_path) != expect:
            what = "the merge left" if keep_as is not None else "it held before the merge"
            raise CypdeskError(f"The document no longer holds what {what} (it was changed in a way Undo does not "
                               "record), so this would lose other changes.", path=source)
        if keep_as is not None:
            with dbfile.opened(doc.working_path, read_only=True) as src:
                saving.vacuum_into(src, keep_as)
        try:
            restore_saved_version(doc, SavedVersion(path=Path(source), source=Path(source), saved_at=_now(),
                                                    size=Path(source).stat().st_size, schema_version=0))
        except BaseException:
            if keep_as is not None:
                Path(keep_as).unlink(missing_ok=True)
            raise


def _now() -> Any:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
