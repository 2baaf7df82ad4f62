"""The lock file beside an open document, LibreOffice style.

``budget.cypdesk`` open for editing has ``.~lock.budget.cypdesk#`` beside it, holding
JSON ``{user, host, pid, installation, since, token}``. A second person, or a second
cypdesk on the same computer, is told who has the document and since when, and may
open it read-only instead (case 21). A lock left by a crash is taken over silently
when it is provably dead: same computer and its process is gone, or it predates the
computer's last start (case 22a). A lock from another computer is never overridden
silently: the error says how old it is, and ``stale_possible`` tells the caller to ask
(case 22b); :meth:`DocumentLock.acquire` with ``take_over=True`` then takes it.

The lock file is advisory: it is how people and cypdesk instances see each other, on
local disks, shares and sync folders alike (SQLite's own locks are not trusted across a
network). A folder where the lock file cannot be made (read-only) means the document
is opened read-only.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cypdesk.common.errors import DocumentLocked
from cypdesk.model.installation import Installation, get_installation

STALE_AFTER = timedelta(hours=12)
# A lock file younger than this that cannot be read is being written right now.
UNREADABLE_GRACE_SECONDS = 10.0


def lock_path_for(document: str | os.PathLike[str]) -> Path:
    p = Path(document).absolute()
    return p.with_name(f".~lock.{p.name}#")


@dataclass(frozen=True)
class LockHolder:
    user: str
    host: str
    pid: int
    installation: str
    since: datetime  # aware, UTC
    token: str = ""

    @property
    def since_text(self) -> str:
        """Local time, the way an English officer writes it: 31/03/2026 14:05."""
        return self.since.astimezone().strftime("%d/%m/%Y %H:%M")

    @property
    def age(self) -> timedelta:
        return datetime.now(timezone.utc) - self.since

    def to_json(self) -> dict[str, Any]:
        return {"user": self.user, "host": self.host, "pid": self.pid, "installation": self.installation,
                "since": self.since.isoformat(timespec="seconds"), "token": self.token}

    @classmethod
    def from_json(cls, data: Any) -> LockHolder:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        since = datetime.fromisoformat(str(data["since"]))
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return cls(user=str(data.get("user") or "someone"), host=str(data.get("host") or "another computer"),
                   pid=int(data.get("pid") or 0), installation=str(data.get("installation") or ""),
                   since=since, token=str(data.get("token") or ""))


def read_holder(document: str | os.PathLike[str]) -> LockHolder | None:
    """Who holds the lock on ``document``: None if there is no lock file; raises
    ValueError if there is one that cannot be read."""
    lp = lock_path_for(document)
    try:
        raw = lp.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return LockHolder.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{lp} cannot be read: {exc}") from None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def boot_time() -> datetime | None:
    """When this computer last started, if known: a lock older than that is dead even
    if its pid has been reused since."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/stat", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("btime "):
                        return datetime.fromtimestamp(int(line.split()[1]), timezone.utc)
        elif os.name == "nt":  # pragma: no cover - Windows
            import ctypes

            ms = ctypes.windll.kernel32.GetTickCount64  # type: ignore[attr-defined]
            ms.restype = ctypes.c_ulonglong
            return datetime.now(timezone.utc) - timedelta(milliseconds=ms())
    except (OSError, ValueError, AttributeError):
        return None
    return None


def _same_host(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def locked_error(document: Path, holder: LockHolder | None, *, this_host: str) -> DocumentLocked:
    if holder is None:
        return DocumentLocked(
            f"{document.name} seems to be open elsewhere: its lock file {lock_path_for(document).name} cannot be "
            "read. You can open it read-only, or open it anyway if you are sure nobody is using it.",
            path=document, holder_user=None, holder_host=None, since=None, stale_possible=True,
        )
    other_host = not _same_host(holder.host, this_host)
    stale_possible = other_host and holder.age > STALE_AFTER
    msg = f"{document.name} is open by {holder.user} on {holder.host} since {holder.since_text}."
    if stale_possible:
        hours = int(holder.age.total_seconds() // 3600)
        msg += (f" The lock is {hours} hours old: if {holder.user} is not using the document, it may be "
                "left over from a crash, and you can open it anyway.")
    msg += " You can open it read-only, or open a copy."
    return DocumentLocked(
        msg, path=document, holder_user=holder.user, holder_host=holder.host, holder_pid=holder.pid,
        since=holder.since.isoformat(timespec="seconds"), stale_possible=stale_possible,
    )


class DocumentLock:
    """The lock on one document by this process. ``acquire()`` returns True when held,
    False when the folder does not allow a lock file (open read-only), and raises
    DocumentLocked when someone else holds it."""

    def __init__(self, document: str | os.PathLike[str], installation: Installation | None = None) -> None:
        self.document = Path(document).absolute()
        self.path = lock_path_for(self.document)
        self.installation = installation or get_installation()
        self.token = secrets.token_hex(16)
        self.held = False
        self.refused: OSError | None = None  # why acquire() returned False

    def _content(self) -> bytes:
        holder = LockHolder(
            user=self.installation.user, host=self.installation.host, pid=os.getpid(),
            installation=self.installation.id, since=datetime.now(timezone.utc), token=self.token,
        )
        return json.dumps(holder.to_json(), indent=1).encode("utf-8")

    def is_stale(self, holder: LockHolder) -> bool:
        """Provably dead: written on this computer by a process that is gone (or before
        the computer last started)."""
        if not _same_host(holder.host, self.installation.host):
            return False
        booted = boot_time()
        if booted is not None and holder.since < booted - timedelta(minutes=1):
            return True
        return not pid_alive(holder.pid)

    def acquire(self, *, take_over: bool = False, take_over_stale: bool = True) -> bool:
        """Take the lock. ``take_over`` removes any existing lock (after the user
        agreed); ``take_over_stale=False`` refuses even a provably dead one."""
        if self.held:
            return True
        for _ in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o644)
            except FileExistsError:
                self._clear_or_raise(take_over, take_over_stale)
                continue
            except OSError as exc:
                if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                    self.refused = exc  # the caller may say why (the command line does)
                    return False  # read-only folder or drive: the caller opens read-only
                raise
            try:
                os.write(fd, self._content())
                os.fsync(fd)
            finally:
                os.close(fd)
            self.held = self._still_ours()
            if self.held:
                return True
        raise DocumentLocked(f"{self.document.name} is being opened by someone else right now. Try again.",
                             path=self.document, stale_possible=False)

    def _clear_or_raise(self, take_over: bool, take_over_stale: bool) -> None:
        """A lock file exists: remove it if stale (or if told to), else raise."""
        try:
            raw = self.path.read_bytes()
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return  # released meanwhile: try again
        try:
            holder: LockHolder | None = LockHolder.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            holder = None
            if time.time() - mtime < UNREADABLE_GRACE_SECONDS:
                time.sleep(0.05)  # being written right now
                return
        if not take_over and (holder is None or not take_over_stale or not self.is_stale(holder)):
            raise locked_error(self.document, holder, this_host=self.installation.host)
        # Remove it only if it is still the lock we judged (another opener may have
        # replaced it in the meantime).
        try:
            if self.path.read_bytes() == raw:
                os.unlink(self.path)
        except FileNotFoundError:
            pass

    def _still_ours(self) -> bool:
        try:
            holder = read_holder(self.document)
        except ValueError:
            return False
        return holder is not None and holder.token == self.token

    def release(self) -> None:
        """Remove the lock file if it is ours (never someone else's)."""
        if not self.held:
            return
        self.held = False
        if self._still_ours():
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> DocumentLock:
        if not self.acquire():
            raise PermissionError(f"cannot write a lock file beside {self.document}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
