"""Where the window offers to merge rather than only Save As.

- **Conflict copies** (reliability case 25): a sync client (OneDrive, Dropbox,
  Nextcloud) that met two changed copies of a document keeps both, the second beside it
  as ``name (conflicted copy …).cypdesk`` or ``name-LAPTOP.cypdesk``
  (:func:`~cypdesk.model.document.find_conflict_copies`, run on the worker while the
  document opens). Each is offered for merging; nothing is ever deleted. A copy merged,
  or one the officer says never to ask about again, is remembered by its path, size and
  time, so a copy that changes again is offered again.
- **Changed on disk**: Save found the file changed since it was opened (a colleague's
  save, a sync client). Besides Save As, the officer can merge the file on disk into the
  open document and then save: the file on disk is copied privately (its hash taken
  while copying), merged with a preview like any partner's file, and Save may then
  write over exactly that version (:meth:`~cypdesk.model.document.Document.adopt_disk_version`);
  if it changed yet again, Save asks again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

CONFLICT_COPY_TITLE = "Conflict copy found"
SETTLED_KEY = "exchange/settled_copies"
MAX_SETTLED = 50


def conflict_copies_of(path: str | Path) -> list[Path]:
    """The conflict copies beside ``path`` (on the worker: a folder on a share may be
    slow to list); none when the folder cannot be read."""
    from cypdesk.model.document import find_conflict_copies

    try:
        return find_conflict_copies(path)
    except OSError:
        return []


def _copy_key(copy: Path) -> str:
    try:
        st = copy.stat()
    except OSError:
        return str(copy)
    return f"{copy}|{st.st_size}|{st.st_mtime_ns}"


def _settled(window: Any) -> list[str]:
    value = window.settings.value(SETTLED_KEY, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    return [str(v) for v in (value or [])]


def _settle(window: Any, copy: Path) -> None:
    keys = [_copy_key(copy), *[k for k in _settled(window) if not k.startswith(f"{copy}|")]]
    window.settings.set_value(SETTLED_KEY, keys[:MAX_SETTLED])


def offer_conflict_copies(window: Any, copies: list[Path]) -> int:
    """Offer to merge each conflict copy into the open document; the number merged."""
    from cypdesk.common.formats import when_uk
    from cypdesk.ui.exchange.merge_flow import merge_file

    if window.workspace is None or window.workspace.read_only:
        return 0
    settled = set(_settled(window))
    merged = 0
    name = window.workspace.doc.title
    for copy in copies:
        if _copy_key(copy) in settled:
            continue
        try:
            from datetime import datetime, timezone

            when = when_uk(datetime.fromtimestamp(copy.stat().st_mtime, tz=timezone.utc))
        except (OSError, ValueError):
            when = "an unknown time"
        answer = window.ask(
            QMessageBox.Icon.Question, CONFLICT_COPY_TITLE,
            f"{copy.name} is beside {name}: a sync client (OneDrive, Dropbox…) keeps such a copy when two people "
            f"changed the document at the same time. It was last changed {when}.\n\nMerge it into {name}, so both "
            "sets of changes are kept? You see what it would change before anything is written, and the copy itself "
            "is left where it is.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Ignore,
            labels={QMessageBox.StandardButton.Yes: "Merge it…", QMessageBox.StandardButton.No: "Not now",
                    QMessageBox.StandardButton.Ignore: "Don't ask about this copy again"})
        if answer == QMessageBox.StandardButton.Ignore:
            _settle(window, copy)
        elif answer == QMessageBox.StandardButton.Yes:
            if merge_file(window, copy):
                merged += 1
                _settle(window, copy)
            if window.workspace is None:
                break
    return merged


# --- Save found the file changed on disk ------------------------------------------------------

def copy_disk_version(source: Path, folder: Path) -> tuple[Path, int, str]:
    """A private copy of the document file as it is on disk, in ``folder`` under the
    file's own name (the merge's history names it), with the size and sha256 of the
    bytes copied; retried if the file changes while it is copied."""
    from cypdesk.common.errors import SaveFailed
    from cypdesk import paths
    from cypdesk.model.filecopy import copy_private

    paths.private_dir(folder)
    dest = folder / source.name
    for _ in range(3):
        before = os.stat(source)
        hasher = hashlib.sha256()
        copy_private(source, dest, document=source, writing="make a private copy of the file on disk in",
                     hasher=hasher)
        after = os.stat(source)
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return dest, after.st_size, hasher.hexdigest()
    raise SaveFailed(f"{source} kept changing while cypdesk read it. Try again in a moment.", path=source)


def merge_disk_then_save(window: Any) -> bool:
    """Merge the document's file as it is on disk into the open document (with a
    preview), then save over that version. True when saved."""
    from cypdesk.ui.exchange.merge_flow import merge_file, refused

    doc = window.workspace.doc
    source = Path(doc.path)
    folder = doc.working_dir / f"on-disk-{uuid.uuid4().hex[:12]}"
    try:
        try:
            copy, size, sha = window.tasks.run_and_wait(f"Reading {source.name} as it is on disk…",
                                                        lambda _p: copy_disk_version(source, folder))
        except Exception as exc:  # noqa: BLE001 - said in words; nothing was changed
            refused(window, exc, source, "read")
            return False
        if not merge_file(window, copy, label=f"the version of {source.name} on disk"):
            return False
        doc.adopt_disk_version(size, sha)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return window.save()
