"""Errors with codes and the facts; the UI and the CLI turn them into sentences.

Every error carries ``code`` (stable, for ``--json`` and tests), ``message`` (a plain
sentence an officer can act on, naming the file, and the sheet, row and column where
there is one) and ``exit_code`` (the command line's: 1 refused or damaged, 2 not
something cypdesk can read).
"""

from __future__ import annotations

import errno
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


# --- the disk and the drive -------------------------------------------------------

class StorageError(CypdeskError):
    """The disk or drive failed a read or write (EIO and the like): nothing was changed."""

    code = "io_error"
    exit_code = 1


class DiskFull(StorageError):
    code = "disk_full"


class ReadOnlyDrive(StorageError):
    code = "read_only_drive"


class AccessDenied(CypdeskError):
    """The system refused access to a file (EACCES/EPERM)."""

    code = "permission_denied"
    exit_code = 2


def error_from_oserror(exc: OSError, path: str | Path, doing: str) -> CypdeskError:
    """A plain error for an OSError met while ``doing`` something to ``path``:
    ``doing`` completes "Could not ...", e.g. ``"write the lock file beside budget.cypdesk"``.
    ENOSPC/EDQUOT -> DiskFull, EROFS -> ReadOnlyDrive, EACCES/EPERM -> AccessDenied,
    anything else (EIO...) -> StorageError; the message ends "Nothing was changed."."""
    err = exc.errno
    if err in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        cls: type[CypdeskError] = DiskFull
        why = "the disk is full"
    elif err == errno.EROFS:
        cls, why = ReadOnlyDrive, "the drive is read-only"
    elif isinstance(exc, PermissionError) or err in (errno.EACCES, errno.EPERM):
        cls, why = AccessDenied, "you do not have permission"
    else:
        cls = StorageError
        why = ("the disk could not be read or written (the drive or network may have been disconnected)"
               if err == errno.EIO else (exc.strerror or str(exc)))
    return cls(f"Could not {doing}: {why}. Nothing was changed.", path=path, errno=err,
               os_error=exc.strerror or str(exc))


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


# --- records ------------------------------------------------------------------------

class ValidationError(CypdeskError):
    """A value refused by a field's rules; ``field`` names it."""

    code = "invalid"
    exit_code = 1


class RecordNotFound(CypdeskError):
    code = "not_found"
    exit_code = 1
