"""Reading a document as it is on disk, for the read-only commands (``info``, ``check``,
``history``), without ever writing beside it (issue 7, items 4 and 5).

A file in a normal state is read in place through a ``mode=ro`` connection: SQLite
creates nothing beside it. Two states would make SQLite write beside the document, or
fail, if read in place:

- a **hot journal** (a writer stopped in the middle of a change and left ``-journal``):
  a read-only connection cannot roll it back ("attempt to write a readonly database"),
  and a read-write one would roll back the document itself, which a read-only command
  must never do;
- **WAL mode** in the header (set by another program; cypdesk never uses WAL) with no
  ``-wal`` beside it: a ``mode=ro`` connection fails with "disk I/O error" or creates
  ``-wal`` and ``-shm`` files beside the document.

In both, :func:`reading` copies the file (and its journal) into a private temporary
folder outside the document's folder, rolls the copy back / puts the copy back into
the rollback journal there, and reads the copy. :class:`Reading` says which, in words
(``notes``), so the commands can tell the user what they read.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cypdesk.common.errors import DamagedDocument, error_from, fault_class
from cypdesk.model import dbfile
from cypdesk.model.filecopy import copy_private

COPY_NAME = "copy.cypdesk"


@dataclass
class Reading:
    """Where to read a document from: the document itself, or a rolled-back copy."""

    path: Path  # what to connect to (read-only)
    document: Path
    status: dbfile.FileStatus
    rolled_back: bool = False  # a hot journal was rolled back in the copy
    wal_mode: bool = False  # the header said WAL: read from a copy in rollback-journal mode
    notes: list[str] = field(default_factory=list)

    @property
    def from_copy(self) -> bool:
        return self.path != self.document


def hot_journal_words(p: Path) -> str:
    return (f"{p.name} was being written when a program stopped: the unfinished change is in "
            f"{p.name}-journal beside it, so the file on disk is not what was last saved. cypdesk rolls the "
            "change back when the document is next opened for editing")


def wal_words(p: Path) -> str:
    return (f"{p.name} was left in write-ahead-log (WAL) mode by another program; its content is complete "
            "(there is no -wal file beside it), and cypdesk puts it back into its own journal mode when it "
            "is saved")


@contextmanager
def reading(path: str | os.PathLike[str], status: dbfile.FileStatus | None = None) -> Iterator[Reading]:
    """``with reading(path) as r:`` connect to ``r.path`` read-only. ``status`` is
    :func:`dbfile.inspect_file`'s answer (inspected here if not given). Nothing is ever
    written beside the document; a copy, when needed, is removed on leaving."""
    p = Path(path).absolute()
    st = status if status is not None else dbfile.inspect_file(p)
    wal_mode = getattr(st, "wal_mode", False)
    if not st.hot_journal and not wal_mode:
        yield Reading(path=p, document=p, status=st)
        return
    try:
        tmpdir = tempfile.TemporaryDirectory(prefix="cypdesk-read-")
    except OSError as exc:
        raise error_from(exc, path=Path(tempfile.gettempdir()), doing="make a temporary folder in") from exc
    with tmpdir as folder:
        copy = Path(folder) / COPY_NAME
        copy_private(p, copy, document=p, writing="write a temporary copy in")
        result = Reading(path=copy, document=p, status=st, wal_mode=wal_mode)
        journal = Path(f"{p}-journal")
        if st.hot_journal and journal.exists():
            copy_private(journal, Path(f"{copy}-journal"), document=journal, writing="write a temporary copy in")
            result.rolled_back = True
            result.notes.append(hot_journal_words(p) + "; what is shown here is the document as it was "
                                "before that change (rolled back in a temporary copy, not in the file itself).")
        if wal_mode:
            result.notes.append(wal_words(p) + ".")
        try:
            # Read-write on the private copy: SQLite rolls the copied journal back and
            # connect() switches the copy to the rollback journal (journal_mode=DELETE).
            with dbfile.opened(copy) as conn:
                conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.Error as exc:
            if fault_class(exc) is None:
                raise DamagedDocument(f"{p} is damaged (SQLite's check says: {exc}). It cannot be read.",
                                      path=p, sqlite_message=str(exc)) from exc
            raise error_from(exc, path=p, doing="read") from exc
        yield result


@contextmanager
def read_only_connection(path: str | os.PathLike[str],
                         status: dbfile.FileStatus | None = None) -> Iterator[tuple[sqlite3.Connection, Reading]]:
    """``with read_only_connection(path) as (conn, r):`` :func:`reading`, and a read-only
    connection to what it gives (the document, or its rolled-back copy). A connection
    SQLite refuses is raised in words naming the document; it is closed on leaving."""
    p = Path(path).absolute()
    with reading(p, status) as r:
        try:
            conn = dbfile.connect(r.path, read_only=True)
        except sqlite3.Error as exc:
            raise error_from(exc, path=p, doing="read") from exc
        try:
            yield conn, r
        finally:
            conn.close()


__all__ = ["Reading", "hot_journal_words", "read_only_connection", "reading", "wal_words"]
