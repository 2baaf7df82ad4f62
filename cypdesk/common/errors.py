"""Errors with codes and the facts; the UI and the CLI turn them into sentences.

Every error carries ``code`` (stable, for ``--json`` and tests), ``message`` (a plain
sentence an officer can act on, naming the file, and the sheet, row and column where
there is one) and ``exit_code`` (the command line's: 1 refused or damaged, 2 not
something cypdesk can read).

Faults of the file layer (``OSError`` and ``sqlite3.Error``) become errors through ONE
mapping, :func:`error_from`, used by the model, the command line and the window alike
(DESIGN.md section 9): EACCES/EPERM ``permission_denied`` (exit 2), ENOSPC/EDQUOT and
SQLITE_FULL ``disk_full``, EROFS and SQLITE_READONLY ``read_only_drive``, EIO and
SQLITE_IOERR ``io_error`` (exit 1). :func:`plain_reason` gives the few words for why.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Any


class CypdeskError(Exception):
    """Base of every error the application raises on purpose."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.facts = facts

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.path is not None:
            out["path"] = self.path
        for key, value in self.facts.items():
            if value is not None:
                out[key] = value if isinstance(value, (str, int, float, bool, list, dict)) else str(value)
        return out


class UsageError(CypdeskError):
    code = "usage"
    exit_code = 2


# --- the document file -------------------------------------------------------------

class DocumentError(CypdeskError):
    """Something is wrong with a document file."""

    code = "document"


class DocumentMissing(DocumentError):
    code = "missing"
    exit_code = 2


class NotADocument(DocumentError):
    """Empty, not SQLite, or SQLite of another application."""

    code = "not_a_document"
    exit_code = 2


class NewerDocument(DocumentError):
    """Written by a newer cypdesk: refused, never written."""

    code = "newer"
    exit_code = 2


class DamagedDocument(DocumentError):
    """Truncated or with bad pages: refused; backups are offered."""

    code = "damaged"
    exit_code = 1


class DocumentLocked(DocumentError):
    """Someone else has the document open (the lock file names who)."""

    code = "locked"
    exit_code = 1


class ReadOnlyDocument(DocumentError):
    """The document was opened read-only: edits are refused."""

    code = "read_only"
    exit_code = 1


class ExternalChange(DocumentError):
    """The file on disk changed since it was opened: Save refuses to overwrite it."""

    code = "changed_on_disk"
    exit_code = 1


class SaveFailed(DocumentError):
    """Writing the document failed (disk full, rename refused...); nothing on disk changed."""

    code = "save_failed"
    exit_code = 1


class ForeignSchema(DocumentError):
    """The file's structure differs from cypdesk's schema of its revision (a trigger,
    a view, a table or column of its own...): refused before anything runs; ``found``
    lists what differs. ``cypdesk rescue`` makes a clean copy."""

    code = "foreign_schema"
    exit_code = 1


class MigrationFailed(DocumentError):
    code = "migration_failed"
    exit_code = 1


# --- exchange between partners (issue 11) --------------------------------------------

class PartnerTooLarge(DocumentError):
    """A partner's file above the size cypdesk merges (``limit``, stated in the message)."""

    code = "too_large"
    exit_code = 1


class DifferentTrust(DocumentError):
    """A share made from another trust's document: its document id is neither ours nor
    one we have merged with, and its trust name differs from ours."""

    code = "different_trust"
    exit_code = 1


class IdCollision(DocumentError):
    """One record id under two kinds of record, in a partner's file or between it and
    ours (``collisions`` lists them): the merge, which matches records by id, is refused."""

    code = "id_collision"
    exit_code = 1


# --- records ------------------------------------------------------------------------

class ValidationError(CypdeskError):
    """A value refused by a field's rules; ``field`` names it."""

    code = "invalid"
    exit_code = 1


class RecordNotFound(CypdeskError):
    code = "not_found"
    exit_code = 1


class RecordInUse(CypdeskError):
    """A record other records still use (an organisation a service names as provider):
    not deleted; ``uses`` says what uses it, by kind."""

    code = "in_use"
    exit_code = 1


class PaperIsFinal(CypdeskError):
    """A final board paper's content cannot change: reopening it makes a new draft."""

    code = "paper_final"
    exit_code = 1


# --- shares (a .cypshare file: issue 11) --------------------------------------------

class ShareError(CypdeskError):
    """Something is wrong with a shared copy (a ``.cypshare`` file)."""

    code = "share"
    exit_code = 1


class PassphraseNeeded(ShareError):
    """The share is encrypted and no passphrase was given (``--passphrase-file``)."""

    code = "passphrase_needed"
    exit_code = 2


class WrongPassphrase(ShareError):
    """The passphrase does not open the share (its key-check value differs): told apart
    from a damaged or tampered file."""

    code = "wrong_passphrase"
    exit_code = 2


class ShareDamaged(ShareError):
    """The share's bytes are not what was written: damaged on the way, or tampered
    with (a header, a chunk or the document's checksum does not verify)."""

    code = "damaged_in_transit"
    exit_code = 1


class ShareTruncated(ShareError):
    """The share ends before its last chunk: cut short on the way (an attachment limit,
    a copy stopped)."""

    code = "truncated"
    exit_code = 1


# --- faults of the file layer (DESIGN.md section 9) ---------------------------------------

SQLITE_FULL = 13


class FileFault(CypdeskError):
    """A file or folder could not be read or written (the reason is in the message)."""

    code = "file_error"
    exit_code = 1
    advice = "Check that the drive or network share is connected, then try again."


class PermissionDenied(FileFault):
    """EACCES/EPERM: the user may not read (or change) the file or its folder."""

    code = "permission_denied"
    exit_code = 2
    advice = ("Ask whoever manages the file or folder for access, or copy the file to a folder of your own, "
              "then try again.")


class DiskFull(FileFault):
    """ENOSPC/EDQUOT, SQLITE_FULL."""

    code = "disk_full"
    advice = "Free some space on the drive, then try again."


class ReadOnlyDrive(FileFault):
    """EROFS, SQLITE_READONLY: the drive or folder cannot be written."""

    code = "read_only_drive"
    advice = "Copy the document to a drive you can write to, then try again with the copy."


class DiskIOError(FileFault):
    """EIO, SQLITE_IOERR: the drive failed to read or write."""

    code = "io_error"
    advice = ("Check that the drive or network share is still connected (and the drive is healthy), "
              "then try again.")


# --- exchange between partners ---------------------------------------------------

class Cancelled(CypdeskError):
    """The user cancelled; nothing was written."""

    code = "cancelled"
    exit_code = 1


class MergeStale(CypdeskError):
    """The document changed between a merge's preview and its acceptance: preview again."""

    code = "stale_plan"
    exit_code = 1


class HotJournal(DocumentError):
    """A writer stopped in the middle of a change and left a hot ``-journal`` beside the
    file: the file on disk is not what the last writer intended."""

    code = "hot_journal"
    exit_code = 1


def _sqlite_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def unwrap(exc: BaseException) -> BaseException:
    """The ``OSError`` or ``sqlite3.Error`` inside a wrapper (SQLAlchemy's ``DBAPIError``
    keeps it in ``orig``), else ``exc`` itself."""
    inner = getattr(exc, "orig", None)
    if not isinstance(exc, (OSError, sqlite3.Error)) and isinstance(inner, (OSError, sqlite3.Error)):
        return inner
    return exc


def fault_class(exc: BaseException) -> type[FileFault] | None:
    """The fault class for an ``OSError`` or ``sqlite3.Error``, or None for anything
    else (an SQLite error that is not about the file layer: a constraint, bad SQL)."""
    exc = unwrap(exc)
    if isinstance(exc, OSError):
        err = exc.errno
        if isinstance(exc, PermissionError) or err in (errno.EACCES, errno.EPERM):
            return PermissionDenied
        if err in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return DiskFull
        if err == errno.EROFS:
            return ReadOnlyDrive
        if err == errno.EIO:
            return DiskIOError
        return FileFault
    if isinstance(exc, sqlite3.Error):
        name = _sqlite_name(exc)
        code = getattr(exc, "sqlite_errorcode", None)
        if (code is not None and code & 0xFF == SQLITE_FULL) or name.startswith("SQLITE_FULL") \
                or "database or disk is full" in str(exc):
            return DiskFull
        if name == "SQLITE_READONLY" or name == "SQLITE_READONLY_DIRECTORY" or (
                not name and "attempt to write a readonly database" in str(exc)):
            return ReadOnlyDrive
        if name.startswith("SQLITE_IOERR") or (not name and "disk I/O error" in str(exc)):
            return DiskIOError
        if name.startswith("SQLITE_PERM") or name.startswith("SQLITE_CANTOPEN") or name == "SQLITE_AUTH":
            return PermissionDenied
        return None
    return None


def plain_reason(exc: BaseException) -> str:
    """A few plain words for why a read or write failed."""
    exc = unwrap(exc)
    if isinstance(exc, sqlite3.Error):
        fault = fault_class(exc)
        if fault is DiskFull:
            return "the disk is full"
        if fault is ReadOnlyDrive:
            return "the drive or folder is read-only"
        if fault is DiskIOError and _sqlite_name(exc) in ("SQLITE_IOERR_READ", "SQLITE_IOERR_SHORT_READ"):
            return "the drive reported an input/output error while reading (it may have been disconnected, or be failing)"
        if fault is DiskIOError:
            return ("the disk could not be written (it may be full, the file may be too big for the drive, "
                    "or the drive or network may have been disconnected)")
        if fault is PermissionDenied:
            return "SQLite could not open it (you may not have permission to read or change it)"
        return f"SQLite reported: {exc}"
    if isinstance(exc, OSError):
        err = exc.errno
        if err in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return "the disk is full"
        if err == errno.EROFS:
            return "the drive is read-only"
        if isinstance(exc, PermissionError) or err in (errno.EACCES, errno.EPERM):
            return ("another program (perhaps Excel, a virus scanner or a sync client) is using the file, "
                    "or you do not have permission to change it")
        if err == errno.ENOENT:
            missing = getattr(exc, "filename", None)
            if missing and Path(os.path.normpath(missing)).parent.is_dir():  # the folder is there: a file is not
                return f"a file it needs is missing ({missing})"
            return "the folder no longer exists (is the drive or network share still connected?)"
        if err == errno.EIO:
            return "the drive reported an input/output error (it may have been disconnected, or be failing)"
        return (exc.strerror or str(exc)).rstrip(".")
    return str(exc) or type(exc).__name__


_READ_REASONS = {
    PermissionDenied: "you do not have permission to read it (or another program has it locked)",
    DiskIOError: "the drive reported an input/output error (it may have been disconnected, or be failing)",
}

_combined: dict[tuple[type[CypdeskError], type[FileFault]], type[CypdeskError]] = {}


def with_fault(base: type[CypdeskError], fault: type[FileFault]) -> type[CypdeskError]:
    """A class that is both ``base`` (so ``except SaveFailed`` still catches it) and
    ``fault`` (whose ``code``, ``exit_code`` and ``advice`` it takes)."""
    if issubclass(base, fault):
        return base
    if issubclass(fault, base):
        return fault
    key = (base, fault)
    if key not in _combined:
        _combined[key] = type(f"{base.__name__}{fault.__name__}", (fault, base), {
            "code": fault.code, "exit_code": fault.exit_code, "__module__": __name__,
            "__doc__": f"{base.__name__} because of {fault.__name__}.",
        })
    return _combined[key]


def error_from(
    exc: BaseException, *, path: str | Path | None, doing: str, base: type[CypdeskError] = CypdeskError,
    consequence: str | None = None, advice: str | None = None, at: str | Path | None = None,
) -> CypdeskError:
    """The error to raise for ``exc`` (an ``OSError`` or ``sqlite3.Error``): "Could not
    <doing> <path>: <reason>. <consequence> <advice>" as the fault's class (combined
    with ``base`` when given, e.g. :class:`SaveFailed`). ``doing`` is a verb phrase such
    as "read", "save", "write the lock file for". A :class:`CypdeskError` is returned
    as it is; an exception outside the file layer becomes ``base`` (or FileFault).
    ``at`` names where the fault happened when that is not ``path`` itself (a working
    copy in the data folder, say)."""
    if isinstance(exc, CypdeskError):
        return exc
    exc = unwrap(exc)
    fault = fault_class(exc)
    cls: type[CypdeskError]
    if fault is None:
        cls = base if base is not CypdeskError else FileFault
    else:
        cls = with_fault(base, fault) if base is not CypdeskError else fault
    reading = doing.split(" ", 1)[0] in ("read", "open", "check", "copy")
    reason = (_READ_REASONS.get(fault) if reading and fault else None) or plain_reason(exc)
    where = f" {path}" if path is not None else ""
    parts = [f"Could not {doing}{where}: {reason}" + (f" (at {at})." if at is not None else ".")]
    if consequence:
        parts.append(consequence)
    hint = advice if advice is not None else getattr(cls, "advice", None)
    if hint:
        parts.append(hint)
    return cls(" ".join(parts), path=path, reason=reason, errno=getattr(exc, "errno", None),
               sqlite_error=_sqlite_name(exc) or None)


def plain_message(exc: BaseException, *, path: str | Path | None = None, doing: str = "do that") -> str:
    """The words to show for any exception: a :class:`CypdeskError`'s message, a fault of
    the file layer through :func:`error_from` (never "OSError: [Errno 28]..."), else a
    short note naming the unexpected problem (a bug, for the log and the report)."""
    if isinstance(exc, CypdeskError):
        return exc.message
    if isinstance(unwrap(exc), (OSError, sqlite3.Error)):
        return error_from(exc, path=path, doing=doing).message
    return f"cypdesk met an unexpected problem ({type(exc).__name__}: {exc})."


def error_from_oserror(exc: OSError, path: str | Path, doing: str) -> CypdeskError:
    """:func:`error_from` for a fault met while ``doing`` something whose words already
    name the file (``"write the lock file .~lock.x# beside x.cypdesk"``): the error
    carries ``path`` and its message ends "Nothing was changed."."""
    err = error_from(exc, path=None, doing=doing, consequence="Nothing was changed.")
    err.path = str(path)
    return err
