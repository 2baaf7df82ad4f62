"""Document-level use cases: check a file, describe it, write the demo, open a
workspace on a document. The file mechanics live in :mod:`cypdesk.model.document`."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from cypdesk.common.errors import CypdeskError, DocumentError, SaveFailed, UsageError, error_from, fault_class
from cypdesk.model.changes import Author


def check_file(path: str | Path) -> dict[str, Any]:
    """Identity, version, integrity and schema of a file: the header, then SQLite's FULL
    ``PRAGMA integrity_check`` (which also compares every index with its table;
    ``quick_check`` is for opening). Read-only: the file is read in place, or through a
    private copy (hot journal, WAL mode: :mod:`cypdesk.model.reading`), and nothing is
    created beside it. Raises the document errors (missing, not a document, newer,
    permission denied: exit 2; damaged, a hot journal, a fault of the drive: exit 1); a
    check that could not run raises the fault that stopped it, never says "sound"."""
    import sqlite3

    from cypdesk.common.errors import DamagedDocument, HotJournal, error_from, fault_class
    from cypdesk.model.dbfile import inspect_file, integrity_check
    from cypdesk.model.reading import hot_journal_words, reading

    p = Path(path).absolute()
    status = inspect_file(p)
    with reading(p, status) as r:
        try:
            problem = integrity_check(r.path)
        except sqlite3.Error as exc:
            if fault_class(exc) is not None:
                raise error_from(exc, path=p, doing="check") from exc
            problem = str(exc)  # "database disk image is malformed" and the like
        notes = list(r.notes)
    if problem is not None:
        journal = f" ({hot_journal_words(p)}; this is the file as it was before that change.)" if status.hot_journal else ""
        raise DamagedDocument(
            f"{p} is damaged: SQLite's full integrity check says: {problem}.{journal} It cannot be opened "
            "for editing; an earlier saved version may be available.", path=p, sqlite_message=problem,
        )
    if status.hot_journal:
        raise HotJournal(
            f"{hot_journal_words(p)}. So it is not sound as it is on disk. Checked on a rolled-back temporary "
            f"copy, the document as last saved is sound (schema version {status.schema_version}).",
            path=p, schema_version=status.schema_version, rolled_back_sound=True,
        )
    if status.needs_migration:
        message = (f"{p.name} is a sound cypdesk document of schema version {status.schema_version}; "
                   f"it will be updated to version {status.current_version} when it is opened "
                   "(a backup copy is kept first).")
    else:
        message = f"{p.name} is a sound cypdesk document (schema version {status.schema_version})."
    if notes:
        message += " Note: " + " ".join(notes)
    return {
        "ok": True,
        "path": str(p.resolve()),
        "schema_version": status.schema_version,
        "current_version": status.current_version,
        "needs_migration": status.needs_migration,
        "size": status.size,
        "checks": ["header", "quick_check", "integrity_check"],
        "wal_mode": status.wal_mode,
        "warnings": notes,
        "message": message,
    }


def document_info(path: str | Path) -> dict[str, Any]:
    """Schema version, the document's id and owner, and how many records of each kind.
    Read-only, like :func:`check_file`: a hot journal or WAL mode is read through a
    private rolled-back copy, and ``notes`` says so."""
    import sqlite3

    from cypdesk.common.errors import error_from
    from cypdesk.model import KINDS
    from cypdesk.model.dbfile import inspect_file
    from cypdesk.model.reading import read_only_connection

    p = Path(path).absolute()
    status = inspect_file(p)
    with read_only_connection(p, status) as (conn, r):
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
            doc = conn.execute("SELECT id, title, owner_org_id, trust_name, rating_scale FROM document").fetchone()
            owner_name = None
            if doc and doc[2] and "organisations" in tables:
                found = conn.execute("SELECT name FROM organisations WHERE id = ?", (doc[2],)).fetchone()
                owner_name = found[0] if found else None
            counts = {}
            for kind in KINDS:
                if kind in tables:
                    counts[kind] = conn.execute(f'SELECT count(*) FROM "{kind}"').fetchone()[0]
            edits = conn.execute("SELECT count(*) FROM history").fetchone()[0] if "history" in tables else 0
            editors = (conn.execute("SELECT count(*) FROM installations").fetchone()[0]
                       if "installations" in tables else 0)
            from cypdesk.services.settings import describe, read_settings

            settings = describe(read_settings(conn))
        except sqlite3.Error as exc:
            raise error_from(exc, path=p, doing="read") from exc
        notes = list(r.notes)
    return {
        "path": str(p.resolve()),
        "schema_version": status.schema_version,
        "current_version": status.current_version,
        "needs_migration": status.needs_migration,
        "document_id": doc[0] if doc else None,
        "title": doc[1] if doc else None,
        "trust_name": doc[3] if doc else None,
        "owner": {"id": doc[2], "name": owner_name} if doc else None,
        "rating_scale": doc[4] if doc else None,
        "settings": settings,  # every document setting (services/settings.py), the logo described
        "size": status.size,
        "counts": counts,
        "history_entries": edits,
        "installations": editors,
        "warnings": notes,
    }


def write_demo(path: str | Path, *, size: str = "small", force: bool = False, today: date | None = None,
               progress: Any = None, author: Author | None = None) -> dict[str, Any]:
    """Write a demo document of a fictional trust at ``path``.

    Built in a temporary file beside the target and moved into place only when complete,
    so a failure or a cancel leaves nothing half-written. Refuses to overwrite an
    existing file unless ``force``, and never overwrites a document someone has open.
    """
    from cypdesk.common.hlc import Clock
    from cypdesk.model.dbfile import create_document_file, make_engine
    from cypdesk.model.saving import fsync_dir
    from cypdesk.model.lock import read_holder
    from cypdesk.services.demo import generate_demo
    from cypdesk.services.workspace import author_of

    if size not in ("small", "large"):
        raise UsageError(f"--size must be small or large, not {size!r}.")
    target = Path(path).resolve()
    if target.exists():
        if not force:
            raise UsageError(f"{target.name} already exists; give --force to replace it with the demo.", path=target)
        try:
            holder = read_holder(target)
        except ValueError:  # a lock file we cannot read: someone may have it open
            holder = None
            unreadable = True
        else:
            unreadable = False
        if holder is not None or unreadable:
            from cypdesk.common.errors import DocumentLocked

            who = f"{holder.user} on {holder.host} since {holder.since_text}" if holder else "someone"
            raise DocumentLocked(f"{target.name} is open by {who}; it was not replaced.", path=target)
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist.", path=target)
    if author is None:
        from cypdesk.model.installation import get_installation

        author = author_of(get_installation())
    clock = Clock(author.id)
    consequence = "Nothing was written." if not target.exists() else f"{target.name} has not been changed."
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~save-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise error_from(exc, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        create_document_file(tmp, created_by=author.id)  # its own id, fresh: two demos never share one
        engine = make_engine(tmp)
        try:
            with engine.begin() as conn:
                counts = generate_demo(conn, author, clock, size=size, today=today, progress=progress)
        finally:
            engine.dispose()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)  # best effort: the demo is in place whatever it says
    except BaseException as exc:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
        cause = exc.__cause__ if isinstance(exc, CypdeskError) and exc.path == str(tmp) else exc
        if cause is None or isinstance(cause, CypdeskError) or fault_class(cause) is None:
            raise  # name the demo's file, not the temporary one, when the fault is the file layer's
        raise error_from(cause, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc
    return {"path": str(target), "size": size, "counts": counts, "bytes": target.stat().st_size}


def recoverable_edits(path: str | Path) -> list[dict[str, Any]]:
    """Unsaved edits to the document at ``path`` that a cypdesk left when it stopped
    (crash, power cut, or closed keeping them), newest first, after tidying cypdesk's
    own folders (cheap: stale working copies and temporary files). Each: when the edits
    were last made (``changed_at``), whether the file on disk changed since the copy was
    taken (``file_changed_since``: None if unknown), the other computer that left them
    (``host``, None for this one) and the working copy. Never raises: a data folder
    that cannot be read gives an empty list."""
    from cypdesk.model.recovery import housekeeping, list_recoverable

    try:
        housekeeping()
        items = list_recoverable(Path(path))
    except OSError:
        return []
    return [{"changed_at": item.changed_at.isoformat(timespec="seconds"), "file_changed_since": item.source_changed(),
             "host": item.host, "working_copy": str(item.working_dir)} for item in items]


def recoverable_note(path: str | Path, edits: list[dict[str, Any]]) -> str:
    """One sentence for the command line about :func:`recoverable_edits`."""
    from datetime import datetime

    from cypdesk.common.formats import when_uk

    name = Path(path).name
    times = ", ".join(when_uk(datetime.fromisoformat(e["changed_at"])) for e in edits)
    what = "unsaved changes" if len(edits) == 1 else f"{len(edits)} sets of unsaved changes"
    text = f"{name} has {what} from {times} that were never saved"
    if any(e["file_changed_since"] for e in edits):
        text += " (the file has changed on disk since)"
    return text + "; open it in the cypdesk window to recover or discard them."


def open_workspace(path: str | Path, *, read_only: bool = False, take_over_lock: bool = False):
    """Open a document for editing (or reading) and return its workspace.
    ``take_over_lock``: the user agreed to take over a lock left by someone else
    (empty, unreadable or stale)."""
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    doc = Document.open(Path(path), read_only=read_only, take_over_lock=take_over_lock)
    try:
        return Workspace(doc)
    except BaseException:
        doc.close()
        raise


__all__ = ["CypdeskError", "DocumentError", "check_file", "document_info", "open_workspace", "recoverable_edits",
           "recoverable_note", "write_demo"]
