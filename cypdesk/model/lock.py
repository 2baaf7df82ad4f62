"""The lock file beside an open document, LibreOffice style.

``budget.cypdesk`` open for editing has ``.~lock.budget.cypdesk#`` beside it, holding
JSON ``{user, host, pid, installation, since, token}`` (plus ``machine`` and, on
Linux, ``started``: the process's start in clock ticks since boot). A second person,
or a second cypdesk on the same computer, is told who has the document and since
when, and may open it read-only instead (case 21). A lock left by a crash is taken
over silently when it is provably dead: written on this computer (same host name, or
this installation under a host name since changed; never one whose machine id says
another computer) by a process that is gone, whose pid now belongs to a process that
started after the lock, or before the computer's last start (case 22a). A lock from
another computer is never judged by its pid and never overridden silently: the error
says how old it is, and ``stale_possible`` tells the caller to ask (case 22b). An
empty or unreadable lock (a crash or a full disk while it was written) is named by
the lock file's own time and owner, and may be taken over too.
:meth:`DocumentLock.acquire` with ``take_over=True`` takes any lock, once the user
agreed (the window's "Open anyway", the command line's ``--take-over-lock``).

Writing the lock either succeeds or leaves nothing: a full disk, a read-only drive or
an I/O error removes the partial file and raises a plain
:class:`~cypdesk.common.errors.FileFault` (``disk_full``, ``read_only_drive``,
``io_error``). The lock file is readable by whoever may read the document (owner
read/write plus the document's own group and other read bits, in its group where
permitted), so colleagues who can open the document can read who holds it.

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
import stat
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cypdesk.common.errors import DocumentLocked, error_from_oserror
from cypdesk.model.installation import Installation, get_installation

STALE_AFTER = timedelta(hours=12)
# A lock file younger than this that cannot be read is being written right now.
UNREADABLE_GRACE_SECONDS = 10.0
# A process whose start (from /proc, to about a second) is later than this after the
# lock's ``since`` (written to the second) cannot have written it: its pid was reused.
PID_START_SLACK = timedelta(seconds=5)


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
    machine: str = ""  # the computer's own id (machine-id, MachineGuid) where known
    started: int | None = None  # the holder process's start, clock ticks since boot (Linux)

    @property
    def described(self) -> str:
        """Who, where and since when, in words: "jsmith on NHS-LAPTOP-7 since 15/03/2026 09:30"."""
        return f"{self.user} on {self.host} since {self.since_text}"

    @property
    def since_text(self) -> str:
        """Local time, the way an English officer writes it: 31/03/2026 14:05."""
        return self.since.astimezone().strftime("%d/%m/%Y %H:%M")

    @property
    def age(self) -> timedelta:
        return datetime.now(timezone.utc) - self.since

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"user": self.user, "host": self.host, "pid": self.pid,
                               "installation": self.installation, "since": self.since.isoformat(timespec="seconds"),
                               "token": self.token}
        if self.machine:
            out["machine"] = self.machine
        if self.started is not None:
            out["started"] = self.started
        return out

    @classmethod
    def from_json(cls, data: Any) -> LockHolder:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        since = datetime.fromisoformat(str(data["since"]))
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        started = data.get("started")
        return cls(user=str(data.get("user") or "someone"), host=str(data.get("host") or "another computer"),
                   pid=int(data.get("pid") or 0), installation=str(data.get("installation") or ""),
                   since=since, token=str(data.get("token") or ""), machine=str(data.get("machine") or ""),
                   started=int(started) if isinstance(started, int) and not isinstance(started, bool) else None)


def read_holder(document: str | os.PathLike[str]) -> LockHolder | None:
    """Who holds the lock on ``document``: None if there is no lock file; raises
    ValueError if there is one that cannot be read."""
    lp = lock_path_for(document)
    try:
        raw = lp.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:  # no permission to read it, a failing drive
        raise ValueError(f"{lp} cannot be read: {exc}") from None
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


def process_start(pid: int) -> tuple[int, datetime] | None:
    """When process ``pid`` started, as (clock ticks since boot, UTC time), read from
    ``/proc/<pid>/stat`` and the boot time; None where that cannot be known (not Linux,
    no such process)."""
    if not sys.platform.startswith("linux") or pid <= 0:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            raw = fh.read()
        # Field 2 (the name) is in parentheses and may hold spaces: count from after it.
        ticks = int(raw[raw.rindex(")") + 2:].split()[19])  # field 22, starttime
        hz = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    booted = boot_time()
    if booted is None or hz <= 0:
        return None
    return ticks, booted + timedelta(seconds=ticks / hz)


def machine_id() -> str:
    """This computer's own id, which survives a change of host name: systemd's
    machine-id on Linux, MachineGuid on Windows; "" where there is none."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography",
                                0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
                return str(winreg.QueryValueEx(key, "MachineGuid")[0]).strip().lower()
        for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            try:
                with open(candidate, encoding="ascii") as fh:
                    value = fh.read().strip().lower()
            except (OSError, ValueError):
                continue
            if value:
                return value
    except (OSError, ImportError):
        return ""
    return ""


def _same_host(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def written_here(holder: LockHolder, installation: Installation) -> bool:
    """Whether ``holder`` wrote its lock on this computer, so its pid means something
    here: the same host name, or this installation under a host name since changed;
    and never when both sides know their machine ids and they differ (a copied
    installation or a roaming profile on another computer, a cloned host name)."""
    mine = machine_id()
    if holder.machine and mine and holder.machine != mine:
        return False
    if _same_host(holder.host, installation.host):
        return True
    return bool(holder.installation) and holder.installation == installation.id


def _lock_file_facts(lp: Path) -> tuple[datetime | None, str | None, int | None]:
    """The lock file's own modification time, owner name (where the system has one)
    and size: what is known of an unreadable lock."""
    try:
        st = lp.stat()
    except OSError:
        return None, None, None
    owner: str | None = None
    if os.name == "posix":
        try:
            import pwd

            owner = pwd.getpwuid(st.st_uid).pw_name
        except (ImportError, KeyError):
            owner = f"user id {st.st_uid}"
    return datetime.fromtimestamp(st.st_mtime, timezone.utc), owner, st.st_size


def locked_error(document: Path, holder: LockHolder | None, *, this_host: str,
                 installation: Installation | None = None) -> DocumentLocked:
    """The refusal, in words and facts. ``stale_possible``: the lock may be left over
    (an old lock from another computer, or one that cannot be read) and the caller
    may offer to take it over; ``holder`` says who, where and since when in words."""
    lp = lock_path_for(document)
    if holder is None:
        modified, owner, size = _lock_file_facts(lp)
        what = "it is empty" if size == 0 else "its content cannot be read"
        when = modified.astimezone().strftime("%d/%m/%Y %H:%M") if modified is not None else None
        written = (f"last written on {when}" + (f" by {owner}" if owner else "")) if when else ""
        described = f"the lock file {lp.name}" + (f" ({written})" if written else "")
        return DocumentLocked(
            f"{document.name} may be open elsewhere, but its lock file {lp.name} cannot be read ({what})"
            + (f"; it was {written}" if written else "") + ". If nobody is using the document, the lock is left "
            "over from a crash or a full disk and can be taken over. It can still be opened read-only.",
            path=document, holder_user=None, holder_host=None, since=None, stale_possible=True, unreadable=True,
            lock_file=str(lp), lock_modified=modified.isoformat(timespec="seconds") if modified else None,
            lock_owner=owner, holder=described,
        )
    other_host = not _same_host(holder.host, this_host)
    if installation is not None:
        other_host = not written_here(holder, installation)
    stale_possible = other_host and holder.age > STALE_AFTER
    msg = f"{document.name} is open by {holder.described}."
    if stale_possible:
        hours = int(holder.age.total_seconds() // 3600)
        msg += (f" The lock is {hours} hours old: if {holder.user} is not using the document, it may be "
                "left over from a crash, and can be taken over.")
    msg += " It can still be opened read-only."
    return DocumentLocked(
        msg, path=document, holder_user=holder.user, holder_host=holder.host, holder_pid=holder.pid,
        since=holder.since.isoformat(timespec="seconds"), stale_possible=stale_possible, unreadable=False,
        lock_file=str(lp), holder=holder.described,
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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
        me = process_start(os.getpid())
        holder = LockHolder(
            user=self.installation.user, host=self.installation.host, pid=os.getpid(),
            installation=self.installation.id, since=datetime.now(timezone.utc), token=self.token,
            machine=machine_id(), started=me[0] if me else None,
        )
        return json.dumps(holder.to_json(), indent=1).encode("utf-8")

    def _fit_to_document(self, fd: int) -> None:
        """Let those who may read the document read who holds it: owner read/write, the
        document's group and other read bits, and its group where permitted. A new
        document (Save As) keeps the umask's mode, as the file itself will."""
        if os.name != "posix":
            return
        try:
            st = os.stat(self.document)
        except OSError:
            return
        try:
            os.fchown(fd, -1, st.st_gid)
        except OSError:
            pass  # not a member of the document's group: the lock stays in ours
        try:
            os.fchmod(fd, 0o600 | (stat.S_IMODE(st.st_mode) & 0o044))
        except OSError:
            pass  # a share that ignores modes

    def is_stale(self, holder: LockHolder) -> bool:
        """Provably dead: written on this computer (:func:`written_here`) by a process
        that is gone, whose pid now belongs to a process started after the lock, or
        before the computer last started. Never judged by pid for another computer."""
        if not written_here(holder, self.installation):
            return False
        booted = boot_time()
        if booted is not None and holder.since < booted - timedelta(minutes=1):
            return True
        if not pid_alive(holder.pid):
            return True
        return self._pid_reused(holder)

    @staticmethod
    def _pid_reused(holder: LockHolder) -> bool:
        """The pid is alive but its process is not the one that wrote the lock: it
        started at another tick than the lock records, or after the lock's ``since``.
        Unknown (not Linux): assume it is the holder."""
        start = process_start(holder.pid)
        if start is None:
            return False
        ticks, started_at = start
        if holder.started is not None:
            return ticks != holder.started
        return started_at > holder.since + PID_START_SLACK

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
                raise error_from_oserror(exc, self.path, f"write the lock file {self.path.name} beside "
                                         f"{self.document}") from exc
            try:
                try:
                    self._fit_to_document(fd)
                    _write_all(fd, self._content())
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:  # disk full, drive gone read-only, I/O error: leave nothing
                _unlink_quietly(self.path)
                raise error_from_oserror(exc, self.path, f"write the lock file {self.path.name} beside "
                                         f"{self.document}") from exc
            self.held = self._still_ours()
            if self.held:
                return True
        raise DocumentLocked(f"{self.document.name} is being opened by someone else right now. Try again.",
                             path=self.document, stale_possible=False)

    def _clear_or_raise(self, take_over: bool, take_over_stale: bool) -> None:
        """A lock file exists: remove it if stale (or if told to), else raise."""
        raw: bytes | None
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return  # released meanwhile: try again
        except OSError:
            mtime = 0.0  # unknown: not "being written right now"
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError:
            raw = None  # there, but we may not read it (its owner's permissions, a failing drive)
        try:
            holder: LockHolder | None = LockHolder.from_json(json.loads(raw or b""))
        except (ValueError, KeyError, TypeError):
            holder = None
            # Being written right now (a clock far off on a share is not "right now":
            # an empty lock whose time is hours ahead must not keep us waiting).
            if not take_over and abs(time.time() - mtime) < UNREADABLE_GRACE_SECONDS:
                time.sleep(0.05)
                return
        if not take_over and (holder is None or not take_over_stale or not self.is_stale(holder)):
            raise locked_error(self.document, holder, this_host=self.installation.host,
                               installation=self.installation)
        # Remove it only if it is still the lock we judged (another opener may have
        # replaced it in the meantime).
        try:
            if raw is None or self.path.read_bytes() == raw:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise error_from_oserror(exc, self.path, f"remove the old lock file {self.path.name} beside "
                                     f"{self.document}") from exc

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
