"""Unsaved edits left in a working copy by a cypdesk that stopped (crash, power cut) or
was closed keeping them: list them, recover them, discard them, and tidy what holds
nothing (DESIGN.md section 4; reliability case 17; issue 7, items 7 and 10).

A working copy's ``state.json`` says whether it holds unsaved edits (``dirty``, written
before the first edit reaches the copy) and which process has it open. A copy is only
judged abandoned when that process provably stopped (:func:`document._process_gone`);
one from another computer is kept, and offered, but never deleted here.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cypdesk import paths
from cypdesk.common.errors import DamagedDocument, SaveFailed
from cypdesk.model import dbfile, migrate, saving
from cypdesk.model.document import (
    STATE_NAME, WORK_NAME, Document, _elsewhere, _holds_unrecorded_edits, _parse_time, _process_gone, _read_state,
)
from cypdesk.model.installation import Installation, get_installation, write_json_atomic
from cypdesk.model.lock import DocumentLock, lock_path_for, pid_alive, read_holder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recoverable:
    """Unsaved edits left by a cypdesk that stopped (crash, power cut) or was closed
    keeping them."""

    working_dir: Path
    source: Path | None  # None: an untitled document
    changed_at: datetime  # when the working copy was last written
    opened_at: datetime | None
    source_sha256: str | None = None  # the file's content when the copy was taken (or last saved)
    source_size: int | None = None
    host: str | None = None  # another computer whose cypdesk left them (it may still run); None: this one

    @property
    def title(self) -> str:
        return self.source.name if self.source else "Untitled"

    def source_changed(self) -> bool | None:
        """Whether the file on disk changed since the copy was taken or last saved
        (its content compared): None for an untitled document or a file that is gone
        or cannot be read."""
        if self.source is None or not self.source_sha256:
            return None
        try:
            return not saving.file_unchanged(self.source, self.source_size, self.source_sha256)
        except OSError:
            return None


def _same_source(a: Path | None, b: Path) -> bool:
    return a is not None and os.path.normcase(str(a)) == os.path.normcase(str(b))


def list_recoverable(source: str | os.PathLike[str] | None = None) -> list[Recoverable]:
    """Working copies with unsaved edits whose cypdesk is no longer running (or ran on
    another computer, which cannot be checked from here), newest first; only those of
    the document ``source`` if given."""
    wanted = Path(source).absolute() if source is not None else None
    out = []
    for folder in paths.working_dir().iterdir():
        state = _read_state(folder)
        work = folder / WORK_NAME
        if state is None or not state.get("dirty") or state.get("read_only") or not work.exists():
            continue
        if not (_process_gone(state) or _elsewhere(state)):
            continue
        src = Path(state["source"]) if state.get("source") else None
        if wanted is not None and not _same_source(src, wanted):
            continue
        out.append(Recoverable(
            working_dir=folder, source=src,
            changed_at=datetime.fromtimestamp(work.stat().st_mtime, timezone.utc),
            opened_at=_parse_time(state.get("opened_at")), source_sha256=state.get("source_sha256"),
            source_size=state.get("source_size"),
            host=str(state.get("host")) if _elsewhere(state) else None,
        ))
    out.sort(key=lambda r: r.changed_at, reverse=True)
    return out


def _recoverable_state(item: Recoverable) -> dict[str, Any] | None:
    state = _read_state(item.working_dir)
    if state is None or not (_process_gone(state) or _elsewhere(state)):
        return None
    return state


def recover(item: Recoverable, installation: Installation | None = None) -> Document:
    """Reopen a recoverable working copy as the document's unsaved edits: same source
    file (Save still refuses if that file changed on disk since it was first opened),
    dirty, lock taken."""
    inst = installation or get_installation()
    state = _recoverable_state(item)
    if state is None:
        raise SaveFailed(f"The unsaved copy of {item.title} is no longer available.", path=item.source)
    work = item.working_dir / WORK_NAME
    dbfile.inspect_file(work)  # its schema, before anything (the rollback below included) runs on it
    with dbfile.opened(work) as conn:  # rolls back anything the crash left half-done
        problem = dbfile.integrity_check(conn)
    if problem is not None:
        raise DamagedDocument(f"The unsaved copy of {item.title} is damaged ({problem}).", path=work)
    wstatus = dbfile.inspect_file(work)
    migration = None
    if wstatus.needs_migration:
        migration = migrate.migrate_file(work, backup_stem=(item.source.stem if item.source else "untitled"))
    lock = None
    if item.source is not None and item.source.parent.exists():
        lock = DocumentLock(item.source, inst)
        if not lock.acquire():
            lock = None
    state.update(pid=os.getpid(), host=inst.host, installation=inst.id, dirty=True)
    write_json_atomic(item.working_dir / STATE_NAME, state)
    return Document(path=item.source, work_dir=item.working_dir, read_only=False, read_only_reason=None,
                    installation=inst, lock=lock, state=state, migration=migration)


def cleanup_working_dirs(*, older_than: float = 60.0) -> list[Path]:
    """At start-up: remove working copies that hold nothing to recover (read-only views
    and clean copies whose cypdesk provably stopped, and folders a crash left before
    their state.json was written). Copies with unsaved edits, copies whose content
    differs from what their state recorded (they are marked unsaved instead), and
    copies of a cypdesk on another computer are never touched here."""
    removed = []
    now = datetime.now().timestamp()
    for folder in paths.working_dir().iterdir():
        if not folder.is_dir():
            continue
        state = _read_state(folder)
        if state is None:
            try:
                young = now - folder.stat().st_mtime < older_than  # perhaps being opened right now
            except OSError:
                continue
            if young:
                continue
        elif not _process_gone(state) or _holds_unrecorded_edits(folder, state):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def housekeeping() -> list[Path]:
    """Tidy cypdesk's own folders, cheaply (at start-up and before commands that open a
    document): working copies that hold nothing (:func:`cleanup_working_dirs`), and
    temporary files a killed save or backup left in the backups folder. Never raises
    for a folder it cannot read or write: it tidies what it can."""
    removed: list[Path] = []
    try:
        removed += cleanup_working_dirs()
    except OSError as exc:
        log.warning("could not tidy the working copies: %s", exc)
    try:
        removed += saving.cleanup_stale_temps(paths.backup_dir(), prefix=".~")
    except OSError as exc:
        log.warning("could not tidy the backups folder: %s", exc)
    return removed


def _clear_crashed_lock(source: Path | None, state: dict[str, Any]) -> None:
    """Remove the lock file beside ``source`` that this working copy's cypdesk left when
    it stopped: written by this installation, on this computer, by that same process,
    which is gone. Anyone else's lock is left alone."""
    if source is None:
        return
    try:
        raw = lock_path_for(source).read_bytes()
        holder = read_holder(source)
    except (OSError, ValueError):
        return
    if holder is None or holder.installation != state.get("installation") or holder.pid != int(state.get("pid") or 0):
        return
    if holder.host.strip().casefold() != socket.gethostname().strip().casefold() or pid_alive(holder.pid):
        return
    try:
        if lock_path_for(source).read_bytes() == raw:
            os.unlink(lock_path_for(source))
    except OSError:
        pass


def discard_recovery(item: Recoverable) -> None:
    """Throw away recoverable edits, and the lock file their cypdesk left beside the
    document when it stopped (so colleagues are not told it is still open)."""
    state = _read_state(item.working_dir)
    if state is not None:
        if _recoverable_state(item) is None:
            return  # it came back to life: not ours to delete
        _clear_crashed_lock(item.source, state)
    shutil.rmtree(item.working_dir, ignore_errors=True)


__all__ = ["Recoverable", "cleanup_working_dirs", "discard_recovery", "housekeeping", "list_recoverable", "recover"]
