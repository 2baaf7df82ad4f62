"""Writing a document file safely: a save is a compact copy written beside the target,
checked, flushed and renamed over it (E23, cases 17-24), so the target is the old file or
the new one, never half of each.

- :func:`atomic_copy` writes with ``VACUUM INTO`` a temporary ``.~save-*.tmp`` in the
  target's folder, checks its integrity, flushes it and renames it over the target
  (:func:`replace_with_retries` waits out a program briefly holding it, case 19).
- :func:`copy_permissions` gives the copy the mode, owner and group of the file it replaces.
- :func:`cleanup_stale_temps` removes what a crashed save left behind (case 20).
- :func:`file_sha256`, :func:`file_unchanged`, :func:`fsync_file` and :func:`fsync_dir`
  are the small file operations the rest of the model shares.

Opening and identifying a file is :mod:`cypdesk.model.dbfile`'s.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from cypdesk.common.background import Background
from cypdesk.common.errors import DamagedDocument, SaveFailed, error_from, with_fault
from cypdesk.model import dbfile
from cypdesk.model.dbfile import JOURNAL_MAGIC, TEMP_PREFIX, TEMP_SUFFIX
from cypdesk.model.identity import APPLICATION_ID
from cypdesk.paths import PRIVATE_FILE_MODE

log = logging.getLogger(__name__)

STALE_TEMP_SECONDS = 60
REPLACE_ATTEMPTS = 6  # the first try and 5 retries
REPLACE_DELAY = 0.2  # seconds between tries (case 19)

_sleep = time.sleep  # tests patch this to count retries without waiting


def file_sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_unchanged(path: str | os.PathLike[str], size: int | None, sha256: str | None,
                   st: os.stat_result | None = None) -> bool:
    """Whether the file at ``path`` still holds what was recorded as ``size`` and
    ``sha256``. Size and time cannot prove that nothing changed (a colleague's save of
    the same size on a drive with coarse timestamps keeps both), so the content is
    compared; only a different size proves a change without reading the file. Raises
    OSError when the file cannot be read (``st``: its stat, when the caller has it)."""
    if size is not None and (st or os.stat(path)).st_size != size:
        return False
    return file_sha256(path) == sha256


def file_state(path: str | os.PathLike[str]) -> tuple[int, int, bytes]:
    """(size, mtime_ns, the first 100 bytes) of a file: SQLite rewrites the header's
    change counter on every commit, so equal states around a read mean nothing wrote
    the file meanwhile."""
    st = os.stat(path)
    with open(path, "rb") as fh:
        head = fh.read(100)
    return st.st_size, st.st_mtime_ns, head


def sha256_unchanged(path: str | os.PathLike[str]) -> tuple[tuple[int, int, bytes], str]:
    """The file's state (:func:`file_state`) and its SHA-256, read after it."""
    return file_state(path), file_sha256(path)


def fsync_file(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable (POSIX). Windows has no directory fsync, and
    some network filesystems refuse it: both are ignored."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- saving ---------------------------------------------------------------------------

# plain_reason lives in cypdesk.common.errors (one set of words for every layer); imported above.


def _temp_path(folder: Path) -> Path:
    return folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def _remove_quietly(*paths: Path) -> None:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover - Windows holding a handle
            log.warning("could not remove %s: %s", p, exc)


def replace_with_retries(src: Path, target: Path, *, attempts: int = REPLACE_ATTEMPTS, delay: float = REPLACE_DELAY) -> None:
    """``os.replace`` that waits out another program briefly holding the target
    (Windows: Excel, a virus scanner or a sync client; case 19)."""
    for attempt in range(1, attempts + 1):
        try:
            os.replace(src, target)
            return
        except PermissionError:
            if attempt == attempts:
                raise
            log.info("%s is in use; retrying the rename (%d of %d)", target, attempt, attempts - 1)
            _sleep(delay)


def atomic_copy(
    source: str | os.PathLike[str] | sqlite3.Connection, target: str | os.PathLike[str],
    *, expected_application_id: int | None = APPLICATION_ID, digest: dict[str, str] | None = None,
) -> Path:
    """Write a fresh, compact copy of ``source`` (a path or an open connection) over
    ``target`` atomically: ``VACUUM INTO`` a temporary ``.~save-*.tmp`` in the target's
    folder, ``integrity_check`` it, flush it to disk, rename it over the target (with
    retries), flush the folder. On any failure the temporary file is removed, the
    target is left byte for byte as it was, and :class:`SaveFailed` says why.

    ``digest``: a dict that receives ``"sha256"``, the SHA-256 of the file written
    (read on a thread while the copy is checked; read again after the check if the
    check's connection changed the copy at all)."""
    target_p = Path(target).absolute()
    folder = target_p.parent
    if not folder.is_dir():
        raise SaveFailed(
            f"Could not save {target_p}: the folder {folder} does not exist "
            "(is the drive or network share connected?).", path=target_p, reason="folder missing",
        )
    for leftover in (Path(f"{target_p}-journal"), Path(f"{target_p}-wal")):
        if _unfinished(leftover):
            raise SaveFailed(
                f"Could not save {target_p}: another program left an unfinished change to it "
                f"({leftover.name}). Save under another name instead.", path=target_p, reason="journal beside target",
            )
    tmp = _temp_path(folder)
    try:
        replaced: os.stat_result | None = os.stat(target_p)
    except OSError:
        replaced = None  # a new file (or one we cannot see: the rename will say)
    own: sqlite3.Connection | None = None
    try:
        if isinstance(source, sqlite3.Connection):
            conn = source
        else:
            conn = own = dbfile.connect(source, read_only=True)
        # A new file gets the umask's mode; a replacement is private until it takes
        # the mode, owner and group of the file it replaces (just before the rename).
        vacuum_into(conn, tmp, mode=PRIVATE_FILE_MODE if replaced is not None else None)
        hashing = Background(sha256_unchanged, tmp) if digest is not None else None
        try:
            check = dbfile.connect(tmp)  # sets journal_mode=DELETE on the copy, as on every connection
            try:
                problem = dbfile.integrity_check(check)
                app_id = check.execute("PRAGMA application_id").fetchone()[0]
            finally:
                check.close()
        finally:
            hashed = joined(hashing)
        if problem is not None:
            own_problem = dbfile.integrity_check(conn)
            if own_problem is not None:  # the document itself is damaged, not the copy
                raise with_fault(SaveFailed, DamagedDocument)(
                    f"Could not save {target_p}: the document is damaged (SQLite's check says: {own_problem}), "
                    "so it was not written. The file on disk has not been changed.",
                    path=target_p, reason="damaged", sqlite_message=own_problem,
                )
            raise _CopyCheckFailed(f"the new copy failed its integrity check ({problem})")
        if expected_application_id is not None and app_id != expected_application_id:
            raise _CopyCheckFailed(f"the new copy has application id 0x{app_id:08X}")
        if digest is not None:
            digest["sha256"] = settled_sha256(hashed, tmp)
        if replaced is not None:
            copy_permissions(replaced, tmp)
        fsync_file(tmp)
        replace_with_retries(tmp, target_p)
        fsync_dir(folder)
    except (OSError, sqlite3.Error, _CopyCheckFailed) as exc:
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise error_from(exc, path=target_p, doing="save", base=SaveFailed,
                         consequence="The file on disk has not been changed.") from exc
    except BaseException:
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise
    finally:
        if own is not None:
            own.close()
    return target_p


def settled_sha256(hashed: tuple[tuple[int, int, bytes], str] | None, path: str | os.PathLike[str]) -> str:
    """The SHA-256 of ``path`` now: ``hashed`` (what :func:`sha256_unchanged` read on a
    thread, or None) when the file's state is still the one read with it, else read
    again."""
    if hashed is not None and hashed[0] == file_state(path):
        return hashed[1]
    return file_sha256(path)


def joined(work: Background | None) -> Any:
    """``work``'s result, or None if there was none or it failed (then the caller reads
    the file itself, and meets the same error where it always did)."""
    if work is None:
        return None
    try:
        return work.result()
    except Exception:  # noqa: BLE001 - read again by the caller
        return None


def vacuum_into(
    conn: sqlite3.Connection, dest: str | os.PathLike[str], *, mode: int | None = PRIVATE_FILE_MODE,
) -> None:
    """``VACUUM INTO dest`` (which must not exist), with ``dest`` made first at ``mode``
    exactly (``None``: 0666 less the umask, as for any new file); SQLite would make it
    0644 less the umask. A private copy is never readable by others, not even while
    it is being written."""
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                 0o666 if mode is None else mode)
    try:
        if mode is not None and os.name == "posix":
            os.fchmod(fd, mode)  # exactly, whatever the umask
    except OSError as exc:  # a share that refuses modes: it was made with ``mode`` less the umask
        log.info("could not set the mode of %s: %s", dest, exc)
    finally:
        os.close(fd)
    conn.execute("VACUUM INTO ?", (str(dest),))


def copy_permissions(replaced: os.stat_result, new: str | os.PathLike[str]) -> None:
    """Give ``new`` the owner, group and mode of the file it is about to replace, so a
    save keeps a private file private and a group's shared file writable by the group.
    Changing the owner needs root, and the group needs membership: where the system
    refuses (EPERM), the file keeps ours, as any program saving it would leave it. A
    share that refuses modes altogether leaves the copy as made: private, never wider."""
    if os.name != "posix":
        return  # Windows: permissions are ACLs inherited from the folder
    try:
        os.chown(new, replaced.st_uid, replaced.st_gid)
    except OSError:
        try:
            os.chown(new, -1, replaced.st_gid)
        except OSError:
            pass
    try:
        os.chmod(new, stat.S_IMODE(replaced.st_mode))
    except OSError as exc:  # a share that refuses modes: the copy stays private (0600), never wider
        log.warning("could not give %s the mode of the file it replaces: %s", new, exc)


def _unfinished(side_file: Path) -> bool:
    """A ``-journal`` that SQLite would roll back (it starts with the journal magic;
    one with a zeroed header is ignored), or a ``-wal`` with content."""
    try:
        with open(side_file, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        return False
    return head == JOURNAL_MAGIC if side_file.name.endswith("-journal") else bool(head)


class _CopyCheckFailed(Exception):
    pass


def cleanup_stale_temps(
    folder: str | os.PathLike[str], *, older_than: float = STALE_TEMP_SECONDS, prefix: str = TEMP_PREFIX,
) -> list[Path]:
    """Remove ``.~save-*.tmp`` files (and their journals) older than ``older_than``
    seconds, left by a save that crashed (case 20). A younger one may be another
    instance's save in progress, so it is left alone. Returns what was removed.
    ``prefix=".~"`` also takes the ``.~name.json-*.tmp`` files of an interrupted
    :func:`~cypdesk.model.installation.write_json_atomic` (the backups folder)."""
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(Path(folder).glob(f"{prefix}*{TEMP_SUFFIX}*"))
    except OSError:
        return removed
    for p in candidates:
        if not (p.name.endswith(TEMP_SUFFIX) or p.name.endswith(TEMP_SUFFIX + "-journal")):
            continue
        try:
            if now - p.stat().st_mtime < older_than:
                continue
            p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed
