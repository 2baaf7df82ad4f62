"""The one mapping from faults of the file layer to errors with a code, an exit code and
plain words (DESIGN.md section 9): OSError errnos and SQLite result codes alike."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from cypdesk.common.errors import (
    CypdeskError, DamagedDocument, DiskFull, DiskIOError, FileFault, PermissionDenied, ReadOnlyDrive, SaveFailed,
    error_from, plain_message, with_fault,
)


def sqlite_error(name: str, code: int, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname, exc.sqlite_errorcode = name, code
    return exc


@pytest.mark.parametrize("exc, cls, code, exit_code, words", [
    (PermissionError(errno.EACCES, "Permission denied", "/s/a.cypdesk"), PermissionDenied, "permission_denied", 2,
     "permission"),
    (OSError(errno.EPERM, "Operation not permitted"), PermissionDenied, "permission_denied", 2, "permission"),
    (OSError(errno.ENOSPC, "No space left on device"), DiskFull, "disk_full", 1, "the disk is full"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), DiskFull, "disk_full", 1, "the disk is full"),
    (OSError(errno.EROFS, "Read-only file system"), ReadOnlyDrive, "read_only_drive", 1, "read-only"),
    (OSError(errno.EIO, "Input/output error"), DiskIOError, "io_error", 1, "input/output error"),
    (sqlite_error("SQLITE_FULL", 13, "database or disk is full"), DiskFull, "disk_full", 1, "the disk is full"),
    (sqlite_error("SQLITE_READONLY", 8, "attempt to write a readonly database"), ReadOnlyDrive, "read_only_drive", 1,
     "read-only"),
    (sqlite_error("SQLITE_IOERR_WRITE", 778, "disk I/O error"), DiskIOError, "io_error", 1, "could not be written"),
    (sqlite_error("SQLITE_IOERR_READ", 266, "disk I/O error"), DiskIOError, "io_error", 1, "while reading"),
    (sqlite_error("SQLITE_CANTOPEN", 14, "unable to open database file"), PermissionDenied, "permission_denied", 2,
     "could not open"),
    (OSError(errno.ENAMETOOLONG, "File name too long"), FileFault, "file_error", 1, "File name too long"),
])
def test_each_fault_maps_to_its_code_exit_and_words(exc, cls, code, exit_code, words):
    """errno or SQLite result -> class, --json code, exit code; the message says what
    was being done to which file, why in words, and what to do; no "[Errno"."""
    err = error_from(exc, path="/share/board.cypdesk", doing="change", consequence="Nothing was changed.")
    assert type(err) is cls and err.code == code and err.exit_code == exit_code
    assert err.message.startswith("Could not change /share/board.cypdesk: ")
    assert words in err.message and "Nothing was changed." in err.message and "try again" in err.message
    assert "Errno" not in err.message and "Save As" not in err.message
    assert err.to_dict()["code"] == code and err.to_dict()["path"] == "/share/board.cypdesk"


def test_reading_says_permission_to_read():
    err = error_from(PermissionError(errno.EACCES, "Permission denied"), path="/s/a.cypdesk", doing="read")
    assert "you do not have permission to read it" in err.message


def test_a_save_fault_is_still_a_savefailed_with_the_faults_code():
    """Callers that catch SaveFailed keep working; --json gets the fault's code."""
    err = error_from(OSError(errno.ENOSPC, "No space left on device"), path="/s/a.cypdesk", doing="save",
                     base=SaveFailed, consequence="The file on disk has not been changed.")
    assert isinstance(err, SaveFailed) and isinstance(err, DiskFull)
    assert err.code == "disk_full" and err.exit_code == 1
    assert err.message.startswith("Could not save /s/a.cypdesk: the disk is full. The file on disk has not been changed.")
    damaged = with_fault(SaveFailed, DamagedDocument)("x")
    assert isinstance(damaged, SaveFailed) and damaged.code == "damaged"


def test_a_fault_wrapped_by_sqlalchemy_is_unwrapped():
    class Wrapper(Exception):  # the shape of sqlalchemy.exc.DBAPIError: the driver's error in .orig
        def __init__(self, orig):
            super().__init__(str(orig))
            self.orig = orig

    err = error_from(Wrapper(sqlite_error("SQLITE_FULL", 13, "database or disk is full")), path="/w", doing="write")
    assert err.code == "disk_full"


def test_plain_message_for_the_window():
    assert plain_message(OSError(errno.ENOSPC, "No space left on device", "/x"), path="/d.cypdesk", doing="save") \
        .startswith("Could not save /d.cypdesk: the disk is full.")
    assert plain_message(CypdeskError("As it was.")) == "As it was."
    assert "unexpected problem (KeyError" in plain_message(KeyError("k"))


def test_a_missing_file_in_a_folder_that_exists_is_not_called_a_lost_folder(tmp_path):
    """ENOENT names the file it could not find: when that file's folder is there, the
    words say a file is missing and name it (the frozen app once lacked a template of
    python-docx and told the officer their drive was disconnected); when the folder
    itself is gone, the words still ask whether the drive is connected."""
    from cypdesk.common.errors import plain_reason

    missing = tmp_path / "templates" / ".." / "default-header.xml"
    reason = plain_reason(FileNotFoundError(errno.ENOENT, "No such file or directory", str(missing)))
    assert reason == f"a file it needs is missing ({missing})"
    gone = tmp_path / "unplugged" / "board.cypdesk"
    reason = plain_reason(FileNotFoundError(errno.ENOENT, "No such file or directory", str(gone)))
    assert reason == "the folder no longer exists (is the drive or network share still connected?)"
    assert plain_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")).startswith("the folder")
