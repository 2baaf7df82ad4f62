"""An open document, with Word's habits over a local working copy.

DESIGN.md section 4. Opening a file checks it (:func:`dbfile.inspect_file`), takes the
lock file beside it, and copies it to a working copy in the user's local data folder
(``working_dir()/<sha1 of the path>/work.cypdesk`` with a ``state.json``). Every edit
is committed to the working copy, so a crash or power cut loses nothing: opening the
document again, or the next start, offers it (:mod:`cypdesk.model.recovery`). The original is written only by Save, atomically
(:func:`saving.atomic_copy`), and only if nobody changed it on disk since it was opened
(else :class:`ExternalChange`: Save As, then merge). An older file is migrated in the
working copy after a backup of the original; the original itself changes on Save.

Threads (case 26): the engine pools a few connections; reads may run on any thread.
There is ONE writer at a time: whoever writes holds ``with doc.unsaved_write():`` (the
write lock, and the "unsaved" note made durable before the first commit) and begins with
``BEGIN IMMEDIATE`` (``doc.write_engine``), or simply ``with doc.writing() as conn``. ``doc.engine`` may be replaced (Save As of a read-only
document reopens it writable), so read it from the document each time.

Save of an untitled document raises :class:`SaveAsNeeded` (a :class:`SaveFailed`,
code ``save_as_needed``): the caller asks for a file name and calls :meth:`Document.save_as`;
``doc.untitled`` says so beforehand.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cypdesk import paths
from cypdesk.common.background import Background
from cypdesk.common.errors import DamagedDocument, ExternalChange, ReadOnlyDocument, SaveFailed
from cypdesk.model import dbfile, migrate, saving
from cypdesk.model.filecopy import copy_private
from cypdesk.model.installation import Installation, get_installation, write_json_atomic
from cypdesk.model.lock import DocumentLock, boot_time, pid_alive

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

WORK_NAME = "work.cypdesk"
STATE_NAME = "state.json"
KEEP_SAVED_VERSIONS = 5


class SaveAsNeeded(SaveFailed):
    """Save of a document that has no file yet: ask for a name and use Save As."""

    code = "save_as_needed"


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _path_key(path: Path) -> str:
    return hashlib.sha1(os.path.normcase(str(path)).encode("utf-8")).hexdigest()[:16]


def _is_writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _read_state(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _copy_and_hash(src: Path, dst: Path) -> tuple[int, int, str]:
    """Copy ``src`` to ``dst`` (fsync'd) and return the source's (size, mtime_ns,
    sha256) as copied; retried if the source changes while it is being read."""
    for _ in range(3):
        before = os.stat(src)
        h = hashlib.sha256()
        # a fault names the file it is about: the document, or the working folder
        copy_private(src, dst, document=src, writing=f"make a working copy of {src.name} in", hasher=h, sync=True)
        after = os.stat(src)
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return after.st_size, after.st_mtime_ns, h.hexdigest()
    raise SaveFailed(f"{src} kept changing while it was being opened. Try again.", path=src)


def _process_gone(state: dict[str, Any]) -> bool:
    """The process that wrote this state provably stopped: it closed the document on
    purpose (pid 0), or it ran on this computer and is gone (or this computer has
    restarted since it opened the document). A process on another computer (a shared
    or roaming data folder, a renamed laptop) cannot be checked from here: unknown is
    never "gone", so its working copy is kept."""
    pid = int(state.get("pid") or 0)
    if pid == 0:
        return True
    if str(state.get("host", "")).strip().casefold() != socket.gethostname().strip().casefold():
        return False
    opened = _parse_time(state.get("opened_at"))
    booted = boot_time()
    if opened is not None and booted is not None and opened < booted - timedelta(minutes=1):
        return True  # the pid may have been reused since the restart
    return not pid_alive(pid)


def _elsewhere(state: dict[str, Any]) -> bool:
    """Written by a cypdesk on another computer that may still be running."""
    return int(state.get("pid") or 0) != 0 and (
        str(state.get("host", "")).strip().casefold() != socket.gethostname().strip().casefold())


def _holds_unrecorded_edits(folder: Path, state: dict[str, Any]) -> bool:
    """Whether a working copy holds edits its state does not record: the state says
    "no unsaved changes" but the copy differs from what was recorded when it was opened
    or last saved (``work_sha256``; older states kept only the source's hash, which the
    byte copy made at open shares). That is an edit that reached the copy without its
    note (a crash or power cut between them): the state is corrected to "unsaved", so
    the copy is offered for recovery and never deleted as clean. A copy that cannot be
    read is kept too."""
    if state.get("dirty"):
        return True
    if state.get("read_only"):
        return False  # a read-only view is never written
    work = folder / WORK_NAME
    recorded = state.get("work_sha256") or state.get("source_sha256")
    if recorded is None:
        return False  # an untitled document from an older cypdesk: nothing recorded to compare
    try:
        if not work.exists() or saving.file_sha256(work) == recorded:
            return False
    except OSError:
        return True  # cannot tell: keep it
    state["dirty"] = True
    try:
        write_json_atomic(folder / STATE_NAME, state)
    except OSError as exc:
        log.warning("could not mark %s as holding unsaved edits: %s", folder, exc)
    return True


def _claim_working_dir(source: Path) -> Path:
    """``working_dir()/<key>`` for ``source``, or ``<key>-2``... when an earlier
    working copy there holds unsaved edits waiting for recovery (never overwritten)."""
    root = paths.working_dir()
    key = _path_key(source)
    for n in range(1, 1000):
        folder = root / (key if n == 1 else f"{key}-{n}")
        try:
            folder.mkdir(mode=paths.PRIVATE_DIR_MODE)
            return paths.private_dir(folder)
        except FileExistsError:
            pass
        state = _read_state(folder)
        if state is not None and (state.get("dirty") or not _process_gone(state)
                                  or _holds_unrecorded_edits(folder, state)):
            continue  # recoverable edits, or open in a live cypdesk (or one we cannot see)
        shutil.rmtree(folder, ignore_errors=True)  # a clean copy left behind
        try:
            folder.mkdir(mode=paths.PRIVATE_DIR_MODE)
            return paths.private_dir(folder)
        except FileExistsError:
            continue
    raise SaveFailed(f"Too many working copies of {source} in {root}.", path=source)


class Document:
    """One open document. Make it with :meth:`open`, :meth:`new`, :meth:`create` or
    :func:`recover`; end it with :meth:`close`."""

    # Opened read-only although editing was asked for: the fault that stopped it (a
    # PermissionError, or the OSError from writing the lock file), for the command line.
    read_only_error: OSError | None = None

    def __init__(
        self, *, path: Path | None, work_dir: Path, read_only: bool, read_only_reason: str | None,
        installation: Installation, lock: DocumentLock | None, state: dict[str, Any],
        status: dbfile.FileStatus | None = None, migration: migrate.MigrationResult | None = None,
    ) -> None:
        self._path = path
        self.working_dir = work_dir
        self.working_path = work_dir / WORK_NAME
        self._read_only = read_only
        self.read_only_reason = read_only_reason
        self.installation = installation
        self._lock = lock
        self._state = state
        self.status = status
        self.migration = migration
        self.write_lock = threading.RLock()
        # Made on first use: opening a document to show it need not import SQLAlchemy.
        self._engine: Engine | None = None
        self._closed = False

    # --- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, read_only: bool = False, installation: Installation | None = None,
        allow_stale_lock_takeover: bool = True, take_over_lock: bool = False,
    ) -> Document:
        """Open a document file. Raises what :func:`dbfile.inspect_file` raises,
        DocumentLocked (the caller may retry with ``read_only=True``, or with
        ``take_over_lock=True`` once the user agrees), MigrationFailed."""
        inst = installation or get_installation()
        p = Path(path).absolute()
        status = dbfile.inspect_file(p)
        reason: str | None = "opened read-only as you asked" if read_only else None
        refusal: OSError | None = None  # why it could not be opened for editing (the command line says it)
        if not read_only:
            if not _is_writable(p):
                read_only, reason = True, "the file is read-only (you do not have permission to change it)"
                refusal = PermissionError(errno.EACCES, "Permission denied", str(p))
            elif not _is_writable(p.parent):
                read_only, reason = True, f"the folder {p.parent} is read-only"
                refusal = PermissionError(errno.EACCES, "Permission denied", str(p.parent))
        lock: DocumentLock | None = None
        if not read_only:
            lock = DocumentLock(p, inst)
            if not lock.acquire(take_over=take_over_lock, take_over_stale=allow_stale_lock_takeover):
                refusal = getattr(lock, "refused", None) or PermissionError(
                    errno.EACCES, "Permission denied", str(lock.path))
                lock = None
                read_only, reason = True, f"cypdesk cannot write its lock file in {p.parent}"
        work_dir: Path | None = None
        try:
            if not read_only:
                saving.cleanup_stale_temps(p.parent)
                if status.hot_journal:
                    # A crashed writer left a hot journal: let SQLite roll the file back
                    # (what any opener would do), then check it again.
                    with dbfile.opened(p):
                        pass
                    status = dbfile.inspect_file(p)
                work_dir = _claim_working_dir(p)
            else:
                work_dir = paths.private_dir(paths.working_dir() / f"{_path_key(p)}-ro-{uuid.uuid4().hex[:8]}")
            work = work_dir / WORK_NAME
            size, mtime_ns, sha = _copy_and_hash(p, work)
            if status.hot_journal:  # read-only: roll back the copy, never the original
                shutil.copyfile(f"{p}-journal", f"{work}-journal")
                paths.private_file(f"{work}-journal")
                with dbfile.opened(work) as conn:
                    problem = dbfile.integrity_check(conn, quick=True)
                if problem is not None:
                    raise DamagedDocument(f"{p} is damaged (SQLite's check says: {problem}).", path=p)
            migration = None
            if status.needs_migration:
                migration = migrate.migrate_file(work, backup=not read_only, backup_stem=p.stem)
            # What the working copy holds now: a copy that later differs from it while
            # its state says "no unsaved changes" is never deleted as clean.
            work_sha = sha if migration is None and not status.hot_journal else saving.file_sha256(work)
            state = {
                "source": str(p), "opened_at": _now_iso(), "source_size": size, "source_mtime_ns": mtime_ns,
                "source_sha256": sha, "work_sha256": work_sha, "pid": os.getpid(), "host": inst.host,
                "installation": inst.id, "dirty": False, "saved_at": None, "read_only": read_only,
            }
            write_json_atomic(work_dir / STATE_NAME, state)
            doc = cls(path=p, work_dir=work_dir, read_only=read_only, read_only_reason=reason,
                      installation=inst, lock=lock, state=state, status=status, migration=migration)
            doc.read_only_error = refusal
            return doc
        except BaseException:
            if work_dir is not None:
                shutil.rmtree(work_dir, ignore_errors=True)
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def new(cls, installation: Installation | None = None) -> Document:
        """An untitled document: a working copy at head schema and no file yet."""
        inst = installation or get_installation()
        work_dir = paths.private_dir(paths.working_dir() / f"untitled-{uuid.uuid4()}")
        try:
            dbfile.create_document_file(work_dir / WORK_NAME, created_by=inst.id)  # its own id from now
            paths.private_file(work_dir / WORK_NAME)
            state = {
                "source": None, "opened_at": _now_iso(), "source_size": None, "source_mtime_ns": None,
                "source_sha256": None, "work_sha256": saving.file_sha256(work_dir / WORK_NAME), "pid": os.getpid(),
                "host": inst.host, "installation": inst.id, "dirty": False, "saved_at": None, "read_only": False,
            }
            write_json_atomic(work_dir / STATE_NAME, state)
        except BaseException:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        return cls(path=None, work_dir=work_dir, read_only=False, read_only_reason=None,
                   installation=inst, lock=None, state=state)

    @classmethod
    def create(cls, path: str | os.PathLike[str], installation: Installation | None = None) -> Document:
        """A new, empty document file at ``path`` (refused if it exists), opened. It has
        its own id from the start."""
        inst = installation or get_installation()
        dbfile.create_document_file(path, created_by=inst.id)
        return cls.open(path, installation=inst)

    # --- properties ---------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._closed:
            raise ReadOnlyDocument("The document is closed.", path=self._path)
        if self._engine is None:
            self._engine = dbfile.make_engine(self.working_path, read_only=self._read_only)
        return self._engine

    def connect(self) -> sqlite3.Connection:
        """A plain sqlite3 connection to the working copy, made as the engine makes each
        of its own (:func:`dbfile.connect`: the same hardening, autocommit, read-only
        for a read-only document), for set-based work that needs no SQLAlchemy (the
        merge). The caller closes it; writers hold ``write_lock`` as ever."""
        if self._closed:
            raise ReadOnlyDocument("The document is closed.", path=self._path)
        return dbfile.connect(self.working_path, read_only=self._read_only)

    @property
    def write_engine(self) -> Engine:
        """``engine`` beginning each transaction with BEGIN IMMEDIATE (hold ``write_lock``)."""
        self.check_writable()
        return dbfile.write_engine(self.engine)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def untitled(self) -> bool:
        return self._path is None

    @property
    def title(self) -> str:
        return self._path.name if self._path else "Untitled"

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def dirty(self) -> bool:
        return bool(self._state.get("dirty"))

    @property
    def closed(self) -> bool:
        return self._closed

    # --- editing ----------------------------------------------------------------------

    def check_writable(self) -> None:
        if self._closed:
            raise ReadOnlyDocument("The document is closed.", path=self._path)
        if self._read_only:
            raise ReadOnlyDocument(
                f"{self.title} is open read-only ({self.read_only_reason}). Use Save As to keep a copy you can edit.",
                path=self._path, reason=self.read_only_reason,
            )

    def mark_dirty(self) -> None:
        """Record in state.json (durably) that the document has unsaved changes; later
        calls cost nothing. Writers need not call it: :meth:`unsaved_write` (used by
        :meth:`writing` and the workspace) records it before their first commit."""
        if self._state.get("dirty"):
            return
        self.check_writable()
        with self.write_lock:
            if not self._state.get("dirty"):
                self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._state["dirty"] = dirty
        try:
            self._write_state()
        except BaseException:
            if dirty:  # not recorded: say so again next time
                self._state["dirty"] = False
            raise

    def _change_counter(self) -> bytes | None:
        """The working copy's file change counter (header bytes 24-27), which SQLite
        bumps on every commit that changes the file (rollback journal)."""
        try:
            return dbfile.read_header(self.working_path)[24:28]
        except OSError:
            return None

    @contextmanager
    def unsaved_write(self) -> Iterator[None]:
        """Hold ``write_lock`` around one write transaction. The first write after
        opening or saving records "unsaved changes" in state.json, durably, BEFORE the
        transaction can commit: a crash or power cut at any point then leaves a working
        copy that is offered for recovery, never one deleted as clean with an edit in
        it. If the transaction changed nothing in the file (an edit that changed no
        field, a rollback), the note is taken back."""
        self.check_writable()
        with self.write_lock:
            if self._state.get("dirty"):
                yield
                return
            before = self._change_counter()
            try:
                self._set_dirty(True)
            except OSError as exc:
                reason = dbfile.plain_reason(exc)
                raise SaveFailed(
                    f"The change was not made: cypdesk could not note it in its working folder "
                    f"{self.working_dir} ({reason}). Free some space there, or save the document.",
                    path=self._path, reason=reason) from exc
            try:
                yield
            finally:
                if before is not None and self._change_counter() == before:
                    try:
                        self._set_dirty(False)
                    except OSError as exc:  # staying "unsaved" is the safe side
                        log.warning("could not record that %s is unchanged: %s", self.title, exc)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """``with doc.writing() as conn:`` one write transaction (BEGIN IMMEDIATE)
        under ``write_lock``, committed on leaving; the document is marked dirty
        before it (:meth:`unsaved_write`)."""
        self.check_writable()
        with self.unsaved_write():
            with self.write_engine.begin() as conn:
                yield conn

    def _write_state(self) -> None:
        write_json_atomic(self.working_dir / STATE_NAME, self._state)

    # --- saving -----------------------------------------------------------------------

    def _check_external_change(self) -> None:
        p = self._path
        assert p is not None
        try:
            st = os.stat(p)
        except FileNotFoundError:
            return  # deleted or moved away since: saving writes it afresh
        except OSError as exc:
            raise SaveFailed(f"Could not save {p.name}: cypdesk could not read the file on disk to check "
                             f"whether it changed ({dbfile.plain_reason(exc)}). Nothing was written.", path=p) from exc
        try:
            same = saving.file_unchanged(p, self._state.get("source_size"), self._state.get("source_sha256"), st)
        except OSError as exc:
            raise SaveFailed(f"Could not save {p.name}: the file on disk could not be read to check whether "
                             f"someone changed it ({dbfile.plain_reason(exc)}); it may be open in another "
                             "program. Nothing was written.", path=p) from exc
        if same:
            self._state.update(source_size=st.st_size, source_mtime_ns=st.st_mtime_ns)
            return
        raise ExternalChange(
            f"{p.name} has been changed on disk since you opened it (by a colleague, another program or a "
            f"sync client), so cypdesk has not overwritten it. Your changes are safe: use Save As to keep them "
            f"in another file, then merge the two.", path=p,
        )

    def _record_saved(self, target: Path, *, sha256: str, work_sha256: str) -> None:
        """After a save to ``target``: the state records it (``sha256``: of the file
        written, ``work_sha256``: of the working copy)."""
        st = os.stat(target)
        self._state.update(
            source=str(target), source_size=st.st_size, source_mtime_ns=st.st_mtime_ns,
            source_sha256=sha256, work_sha256=work_sha256,
            dirty=False, saved_at=_now_iso(), read_only=False,
        )
        saving.cleanup_stale_temps(target.parent)  # what killed saves left beside it
        try:
            self._write_state()
        except OSError as exc:  # the save itself succeeded; only the working copy's note is stale
            log.warning("saved %s but could not update the working copy's state: %s", target, exc)
        try:
            keep_saved_version(target)
        except (OSError, sqlite3.Error) as exc:  # the save itself succeeded
            log.warning("could not keep a saved version of %s: %s", target, exc)

    def save(self) -> None:
        """Write the working copy over the document file, atomically. Raises
        SaveAsNeeded (untitled), ReadOnlyDocument, ExternalChange (changed on disk
        since it was opened: nothing written), SaveFailed (nothing changed on disk)."""
        self.check_writable()
        if self._path is None:
            raise SaveAsNeeded("This document has not been saved yet: choose a name with Save As.")
        with self.write_lock:
            self._check_external_change()
            saved, work = self._copy_over(self._path)
            self._record_saved(self._path, sha256=saved, work_sha256=work)

    def _copy_over(self, target: Path) -> tuple[str, str]:
        """:func:`saving.atomic_copy` of the working copy over ``target`` (hold
        ``write_lock``), returning the SHA-256 of the file written and of the working
        copy for the state: both are read while SQLite writes and checks the copy (on
        threads: the same reads, a shorter wait), and read again where a read failed or
        the file changed meanwhile (:func:`saving.settled_sha256`)."""
        work = Background(saving.sha256_unchanged, self.working_path)
        digest: dict[str, str] = {}
        try:
            saving.atomic_copy(self.working_path, target, digest=digest)
        finally:
            hashed = saving.joined(work)
        return digest["sha256"], saving.settled_sha256(hashed, self.working_path)

    def adopt_disk_version(self, size: int, sha256: str) -> None:
        """The file on disk as it was when it was merged into this document (``size``
        and ``sha256`` of the bytes merged): Save may now write over that version, and
        still refuses (:class:`ExternalChange`) if the file has changed again since."""
        self.check_writable()
        with self.write_lock:
            self._state.update(source_size=size, source_sha256=sha256)
            self._write_state()

    def save_as(self, path: str | os.PathLike[str]) -> None:
        """Write the document to a new file (replacing it if it exists: the caller has
        asked) and continue editing that file; the lock moves with it. A read-only
        document becomes editable under its new name."""
        if self._closed:
            raise ReadOnlyDocument("The document is closed.", path=self._path)
        new = Path(path).absolute()
        if self._path is not None and new == self._path:
            if not self._read_only:
                self.save()
                return
            # A read-only view saved over its own file: someone may have saved it since
            # the view was opened; never put the stale copy over their work.
            with self.write_lock:
                self._check_external_change()
        new_lock = DocumentLock(new, self.installation)
        if not new_lock.acquire():
            raise SaveFailed(f"Could not save {new}: cypdesk cannot write in the folder {new.parent}.",
                             path=new, reason="folder read-only")
        try:
            with self.write_lock:
                saved, work = self._copy_over(new)
                if self._read_only:  # reopen the working copy writable (on next use)
                    if self._engine is not None:
                        self._engine.dispose()
                        self._engine = None
                    self._read_only, self.read_only_reason = False, None
                old_lock, self._lock, self._path = self._lock, new_lock, new
                self._record_saved(new, sha256=saved, work_sha256=work)
        except BaseException:
            if self._lock is not new_lock:
                new_lock.release()
            raise
        if old_lock is not None:
            old_lock.release()

    # --- closing ------------------------------------------------------------------------

    def close(self, *, discard: bool = False) -> None:
        """Release the file. The working copy is deleted unless it holds unsaved edits
        (kept for recovery, unless ``discard=True``)."""
        if self._closed:
            return
        self._closed = True
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self.dirty and not discard:
            self._state["pid"] = 0  # closed, edits kept: recoverable now
            self._write_state()
        else:
            shutil.rmtree(self.working_dir, ignore_errors=True)

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        flags = [f for f, on in (("read-only", self._read_only), ("dirty", self.dirty), ("closed", self._closed)) if on]
        return f"<Document {self.title}{' (' + ', '.join(flags) + ')' if flags else ''}>"


# --- saved versions: File > Restore previous version ------------------------------------

@dataclass(frozen=True)
class SavedVersion:
    path: Path  # the copy in the backup folder
    source: Path
    saved_at: datetime
    size: int
    schema_version: int


def _sidecar(version_file: Path) -> Path:
    return version_file.with_suffix(".json")


def keep_saved_version(target: Path, *, keep: int = KEEP_SAVED_VERSIONS) -> Path:
    """Copy the file as just saved into the backup folder as
    ``<stem>-<YYYYMMDD-HHMMSS>-saved.cypdesk`` (with a ``.json`` naming its source) and
    keep only the newest ``keep`` for that source."""
    folder = paths.backup_dir()
    now = datetime.now()
    stamp = f"{target.stem}-{now:%Y%m%d-%H%M%S}"
    dest = folder / f"{stamp}-saved.cypdesk"
    n = 2
    while dest.exists():  # several saves in one second
        dest = folder / f"{stamp}-{n}-saved.cypdesk"
        n += 1
    tmp = folder / f"{dbfile.TEMP_PREFIX}{uuid.uuid4().hex[:16]}{dbfile.TEMP_SUFFIX}"
    try:
        shutil.copyfile(target, tmp)
        paths.private_file(tmp)  # backups are the user's alone, whatever the document's mode
        saving.fsync_file(tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    version = int.from_bytes(dbfile.read_header(dest)[60:64], "big")
    write_json_atomic(_sidecar(dest), {
        "source": str(target), "saved_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        "size": dest.stat().st_size, "schema_version": version,
    })
    for old in list_saved_versions(target)[keep:]:
        for f in (old.path, _sidecar(old.path)):
            try:
                f.unlink()
            except FileNotFoundError:
                pass
    return dest


def list_saved_versions(path: str | os.PathLike[str]) -> list[SavedVersion]:
    """The kept saved versions of the document at ``path``, newest first."""
    source = Path(path).absolute()
    key = os.path.normcase(str(source))
    out = []
    for meta in paths.backup_dir().glob("*-saved.json"):
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or os.path.normcase(str(data.get("source", ""))) != key:
            continue
        file = meta.with_suffix(".cypdesk")
        saved_at = _parse_time(data.get("saved_at"))
        if not file.exists() or saved_at is None:
            continue
        out.append(SavedVersion(path=file, source=source, saved_at=saved_at, size=int(data.get("size", 0)),
                                schema_version=int(data.get("schema_version", 0))))
    out.sort(key=lambda v: v.saved_at, reverse=True)
    return out


def restore_saved_version(doc: Document, version: SavedVersion) -> None:
    """Replace the document's content (its working copy) with a saved version; the
    document is then dirty, and the file on disk changes only on Save."""
    doc.check_writable()
    status = dbfile.inspect_file(version.path)
    with doc.write_lock:
        if not doc.dirty:
            doc._set_dirty(True)  # before the working copy changes (a crash mid-restore is recoverable)
        source = version.path
        tmp: Path | None = None
        if status.needs_migration:
            tmp = doc.working_dir / f"restore-{uuid.uuid4().hex[:8]}.cypdesk"
            shutil.copyfile(version.path, tmp)
            paths.private_file(tmp)
            migrate.migrate_file(tmp, backup=False)
            source = tmp
        try:
            with dbfile.opened(source, read_only=True) as src, dbfile.opened(doc.working_path) as dst:
                src.backup(dst)
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)


# --- sync-client conflict copies (case 25) --------------------------------------------------

def find_conflict_copies(path: str | os.PathLike[str]) -> list[Path]:
    """Siblings a sync client made when two copies of ``path`` clashed, to offer for
    merging: Dropbox/Nextcloud ``name (conflicted copy 2026-…).cypdesk`` (also
    ``name (Jo Bloggs's conflicted copy …)``) and OneDrive ``name-<COMPUTERNAME>.cypdesk``.
    Never deletes anything."""
    p = Path(path).absolute()
    stem, suffix = re.escape(p.stem), re.escape(p.suffix)
    dropbox = re.compile(rf"^{stem} \((?:[^()]*'s )?conflicted copy\b.*\){suffix}$", re.IGNORECASE)
    onedrive = re.compile(rf"^{stem}-(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{{0,14}}{suffix}$")
    try:
        siblings = sorted(p.parent.iterdir())
    except OSError:
        return []
    return [s for s in siblings if s != p and s.is_file() and (dropbox.match(s.name) or onedrive.match(s.name))]


_RECOVERY_NAMES = ("Recoverable", "cleanup_working_dirs", "discard_recovery", "housekeeping", "list_recoverable",
                   "recover")


def __getattr__(name: str) -> Any:
    """Recovery lives in :mod:`cypdesk.model.recovery`; its names stay importable from
    here (imported on first use: that module imports this one)."""
    if name in _RECOVERY_NAMES:
        from cypdesk.model import recovery

        return getattr(recovery, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Document", "Recoverable", "SaveAsNeeded", "SavedVersion", "cleanup_working_dirs", "discard_recovery",
    "find_conflict_copies", "housekeeping",
    "keep_saved_version", "list_recoverable", "list_saved_versions", "recover", "restore_saved_version",
]
