"""The document file itself: identify it, open it safely, copy it atomically.

A ``.cypdesk`` document is one SQLite file marked with our ``application_id`` (offset 68
of the header) and its schema version in ``user_version`` (offset 60). Reliability
anchors, section 0 and cases 1-9, 17-27:

- :func:`inspect_file` reads the 100-byte header itself before SQLite sees the file
  (a zero-byte file "opens fine" in SQLite, a zip gives a vague error), then runs
  ``quick_check`` on a read-only connection. It never changes the file.
- :func:`connect` always opens through a URI with ``mode=rw`` or ``mode=ro``, so a typo
  or an offline share never creates an empty file (E3), and sets the same pragmas on
  every connection: rollback journal (never WAL), extra sync (the journal's deletion is synced), secure delete, foreign
  keys, and the hardening that Python 3.11 allows.
- :func:`make_engine` wraps it for SQLAlchemy with explicit ``BEGIN`` (the pysqlite
  recipe), so transactions, SAVEPOINTs and transactional DDL behave.
- :func:`create_document_file` makes a new, empty document at head. Saving (the atomic
  copy over the target, E23) is :mod:`cypdesk.model.saving`'s.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cypdesk.common.errors import (
    DamagedDocument, DocumentLocked, DocumentMissing, NewerDocument, NotADocument, SaveFailed, error_from, fault_class,
    plain_reason,
)
from cypdesk.model.identity import APPLICATION_ID, SHARE_EXTENSION, SHARE_MAGIC
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

EXTENSION = ".cypdesk"
MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # first bytes of a live rollback journal
BUSY_TIMEOUT_MS = 5000
TEMP_PREFIX = ".~save-"
TEMP_SUFFIX = ".tmp"
SQLITE_FULL = 13
# The WAL-reset corruption bug was fixed in 3.51.3 (reliability anchors, 0.10 and case 27).
WAL_SAFE_FROM = (3, 51, 3)

# Execution option read by the ``begin`` event: ``"IMMEDIATE"`` for write transactions.
BEGIN_OPTION = "cypdesk_begin"

# --- identity ------------------------------------------------------------------------

@dataclass(frozen=True)
class FileStatus:
    """What :func:`inspect_file` found, for a file it accepts."""

    path: Path
    schema_version: int
    current_version: int
    needs_migration: bool
    size: int
    page_size: int
    page_count: int
    application_id: int = APPLICATION_ID
    # A writer crashed and left a hot ``-journal`` beside the file: SQLite rolls it back
    # on the first read-write open; until then quick_check cannot run read-only.
    hot_journal: bool = False
    checked: bool = True  # quick_check ran and said ok
    # The header says WAL (another program's setting; cypdesk never uses WAL) and no
    # -wal with content is beside it: read it through model.reading, never in place.
    wal_mode: bool = False

    @property
    def note(self) -> str:
        if self.hot_journal:
            return (f"{self.path.name} was being saved when a program stopped; the unfinished change "
                    "will be rolled back when it is opened.")
        if self.needs_migration:
            return (f"{self.path.name} uses schema {self.schema_version}: it will be updated to schema "
                    f"{self.current_version} when it is opened (a backup copy is made first).")
        return f"{self.path.name} is a cypdesk document (schema {self.schema_version})."


def _describe_app_id(value: int) -> str:
    if value == 0:
        return "0x00000000 (a plain SQLite database)"
    raw = value.to_bytes(4, "big")
    text = raw.decode("ascii", "replace")
    if all(32 <= b < 127 for b in raw):
        return f"0x{value:08X} (\"{text}\")"
    return f"0x{value:08X}"


def _guess_other_format(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "; it looks like a zip file, perhaps an Excel workbook or a Word document renamed"
    if head.startswith(b"%PDF"):
        return "; it looks like a PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "; it looks like an old-style Excel or Word file"
    return ""


def read_header(path: str | os.PathLike[str]) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(HEADER_SIZE)


def _damaged(p: Path, why: str, **facts: Any) -> DamagedDocument:
    return DamagedDocument(
        f"{p} is damaged ({why}). It cannot be opened; a backup copy may be available.", path=p, **facts
    )


def inspect_file(path: str | os.PathLike[str]) -> FileStatus:
    """Check that ``path`` is a cypdesk document this version can open, without
    changing it. The header is read directly; SQLite is only called (read-only) once
    the header is ours. Raises DocumentMissing, NotADocument, DamagedDocument,
    NewerDocument (or DocumentLocked if another program is writing it right now)."""
    p = Path(path).absolute()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DocumentMissing(
            f"{p} does not exist. Check the name, and that the drive or network share is connected.", path=p
        ) from None
    except OSError as exc:
        raise error_from(exc, path=p, doing="read") from exc
    if p.is_dir():
        raise NotADocument(f"{p} is a folder, not a cypdesk document.", path=p)
    size = st.st_size
    if size == 0:
        raise NotADocument(f"{p.name} is empty (0 bytes): not a cypdesk document ({p}).", path=p, size=0)
    try:
        head = read_header(p)
    except OSError as exc:
        raise error_from(exc, path=p, doing="read") from exc
    if head.startswith(SHARE_MAGIC):
        raise NotADocument(
            f"{p} is a shared copy of a cypdesk document (a {SHARE_EXTENSION} file a partner sends), not a working "
            "document: merge it into your document (cypdesk merge YOURS.cypdesk THIS-FILE, or File > Merge from "
            "partner file), or open it in the window to save it as a new document.", path=p, kind="share",
        )
    if not head.startswith(MAGIC):
        if len(head) < len(MAGIC) and MAGIC.startswith(head):
            raise _damaged(p, f"it is cut short: only {size} bytes")
        raise NotADocument(
            f"{p} is not an SQLite file{_guess_other_format(head)}, so it is not a cypdesk document.", path=p
        )
    if len(head) < HEADER_SIZE:
        raise _damaged(p, f"it is cut short inside its header: only {size} bytes", size=size)

    page_size = int.from_bytes(head[16:18], "big")
    if page_size == 1:
        page_size = 65536
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise _damaged(p, f"its header gives an impossible page size ({page_size})")

    app_id = int.from_bytes(head[68:72], "big")
    if app_id != APPLICATION_ID:
        raise NotADocument(
            f"{p} is an SQLite database but not a cypdesk document: its application id is "
            f"{_describe_app_id(app_id)}, a cypdesk document has {_describe_app_id(APPLICATION_ID)}.",
            path=p, expected_application_id=f"0x{APPLICATION_ID:08X}", found_application_id=f"0x{app_id:08X}",
        )

    header_pages = int.from_bytes(head[28:32], "big")
    header_pages_valid = header_pages > 0 and head[24:28] == head[92:96]
    if size % page_size:
        raise _damaged(p, f"it is cut short: {size} bytes is not a whole number of {page_size}-byte pages", size=size)
    if header_pages_valid and size < header_pages * page_size:
        raise _damaged(
            p, f"it is cut short: {size} bytes, but its header says {header_pages * page_size}", size=size
        )
    page_count = header_pages if header_pages_valid else size // page_size

    version = int.from_bytes(head[60:64], "big", signed=True)
    if version < 0:
        raise _damaged(p, f"its header gives an impossible schema version ({version})")
    if version > CURRENT_SCHEMA_VERSION:
        raise NewerDocument(
            f"{p} was made by a newer version of cypdesk (schema {version}); this version reads schema "
            f"{CURRENT_SCHEMA_VERSION} and older. Update cypdesk to open it. The file has not been changed.",
            path=p, schema_version=version, current_version=CURRENT_SCHEMA_VERSION,
        )

    wal_mode = head[18] == 2 or head[19] == 2
    hot_journal = False
    if wal_mode:
        wal = Path(f"{p}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise _damaged(p, f"another program left changes in {wal.name} (write-ahead log); "
                              "open it in that program and close it cleanly first")
    problem = _quick_check(p, wal_mode, version)
    if problem == "hot_journal":
        hot_journal = True
        _verify_rolled_back_copy(p)
    elif problem is not None:
        raise _damaged(p, f"SQLite's check says: {problem}", sqlite_message=problem)
    return FileStatus(
        path=p, schema_version=version, current_version=CURRENT_SCHEMA_VERSION,
        needs_migration=version < CURRENT_SCHEMA_VERSION, size=size, page_size=page_size,
        page_count=page_count, application_id=app_id, hot_journal=hot_journal, checked=not hot_journal,
        wal_mode=wal_mode,
    )


def probe(p: Path, *, wal_mode: bool = False) -> sqlite3.Connection:
    """A read-only connection for looking at a file that is not trusted yet (the checks
    on open, ``rescue``): ``mode=ro`` (``immutable`` for a file whose header says WAL,
    so SQLite creates no ``-wal``/``-shm`` beside it), no functions of ours registered,
    ``trusted_schema=OFF``, ``cell_size_check=ON``, no memory map, no extensions, no
    attached databases."""
    uri = _uri(p, "ro") + ("&immutable=1" if wal_mode else "")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _harden_probe(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _harden_probe(conn: sqlite3.Connection) -> None:
    """The hardening of a connection that looks at an untrusted file: nothing in the
    file's schema may call a function of ours (``trusted_schema=OFF``), pages are checked
    as they are read, no memory map, no extension loading, nothing attached, and
    defensive mode where Python can set it (3.12+; see :func:`hardening_report`)."""
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None and hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE"):
        setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA cell_size_check=ON")
    conn.execute("PRAGMA mmap_size=0")
    try:
        conn.enable_load_extension(False)
    except AttributeError:  # Python built without extension loading: already off
        pass
    if hasattr(conn, "setlimit") and hasattr(sqlite3, "SQLITE_LIMIT_ATTACHED"):  # Python 3.11+
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)


def _quick_check(p: Path, wal_mode: bool, version: int = 0) -> str | None:
    """None if the file's schema is cypdesk's own for ``version`` (else ForeignSchema,
    checked first, before anything else runs) and ``PRAGMA quick_check`` says ok;
    "hot_journal" if a hot journal stops a read-only look, else SQLite's first message.
    Read-only: never writes, never leaves a journal or a ``-wal``/``-shm``."""
    from cypdesk.model import schemacheck

    try:
        conn = probe(p, wal_mode=wal_mode)
    except sqlite3.Error as exc:
        if fault_class(exc) is not None:  # could not look: say why, never "damaged" nor "sound"
            raise error_from(exc, path=p, doing="read") from exc
        return str(exc)
    try:
        schemacheck.verify(conn, p, version)
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_READONLY_ROLLBACK":
            return "hot_journal"
        if name.startswith("SQLITE_BUSY") or "locked" in str(exc):
            raise DocumentLocked(
                f"{p} is being written by another program right now. Try again in a moment.", path=p
            ) from exc
        if fault_class(exc) is not None:
            raise error_from(exc, path=p, doing="read") from exc
        return str(exc)
    finally:
        conn.close()
    if rows == [("ok",)]:
        return None
    return str(rows[0][0]) if rows else "no answer"


def rolled_back_copy(p: Path, folder: Path) -> sqlite3.Connection:
    """A hot journal beside ``p``: copy ``p`` and its ``-journal`` into ``folder``, open
    the copy (hardened like :func:`probe`) and let SQLite roll the copy back, so the
    file can be looked at as it will be, while ``p`` itself is not written."""
    import shutil

    copy = folder / "rolled-back.cypdesk"
    shutil.copyfile(p, copy)
    try:
        shutil.copyfile(f"{p}-journal", f"{copy}-journal")
    except FileNotFoundError:  # rolled back by someone since: the file is as it is
        pass
    conn = sqlite3.connect(_uri(copy, "rw"), uri=True, isolation_level=None)
    try:
        _harden_probe(conn)
        conn.execute("PRAGMA user_version").fetchone()  # the first read rolls the copy back
    except BaseException:
        conn.close()
        raise
    return conn


def _verify_rolled_back_copy(p: Path) -> None:
    """A hot journal beside ``p``: check the schema the file will have once SQLite rolls
    it back, on a rolled-back copy, before anything rolls back the file itself (the
    journal restores pages, the schema's among them)."""
    import tempfile

    from cypdesk.model import schemacheck

    with tempfile.TemporaryDirectory(prefix="cypdesk-check-") as tmp:
        try:
            conn = rolled_back_copy(p, Path(tmp))
        except sqlite3.Error as exc:
            raise _damaged(p, f"SQLite could not roll back its unfinished change: {exc}", sqlite_message=str(exc)) from exc
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if 0 <= version <= CURRENT_SCHEMA_VERSION:  # newer: refused once the file is rolled back
                schemacheck.verify(conn, p, version)
        except sqlite3.Error as exc:
            raise _damaged(p, f"SQLite's check of its unfinished change says: {exc}", sqlite_message=str(exc)) from exc
        finally:
            conn.close()


# --- connections ---------------------------------------------------------------------

def _uri(path: Path, mode: str) -> str:
    """A SQLite URI for an absolute path (POSIX, ``C:\\``, or UNC ``\\\\server\\share``)."""
    posix = Path(path).absolute().as_posix()
    if not posix.startswith("/"):
        posix = "/" + posix  # C:/x -> /C:/x
    return f"file://{quote(posix, safe='/:')}?mode={mode}"


def connect(
    path: str | os.PathLike[str], *, read_only: bool = False, foreign_keys: bool = True
) -> sqlite3.Connection:
    """Open an existing document file (never creates one: ``mode=rw``/``mode=ro``).

    The connection is in autocommit mode (``isolation_level=None``): callers, and the
    engine's ``begin`` event, issue ``BEGIN`` themselves. ``check_same_thread=False``
    because a pooled connection may be returned to the pool and closed by another
    thread than the one that opened it; it is never used by two threads at once (the
    pool hands each connection to one user), and there is one writer at a time
    (``Document.write_lock`` plus ``BEGIN IMMEDIATE``).

    ``foreign_keys=False`` is for the migration harness only (E21).
    """
    p = Path(path).absolute()
    try:
        conn = sqlite3.connect(
            _uri(p, "ro" if read_only else "rw"), uri=True, isolation_level=None,
            check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000,
        )
    except sqlite3.OperationalError as exc:
        if not p.exists():
            raise DocumentMissing(f"{p} does not exist.", path=p) from exc
        raise
    try:
        _harden(conn, foreign_keys=foreign_keys)
    except BaseException:
        conn.close()
        raise
    return conn


def _harden(conn: sqlite3.Connection, *, foreign_keys: bool) -> None:
    # Python 3.11 has no Connection.setconfig (added in 3.12), so SQLITE_DBCONFIG_DEFENSIVE
    # cannot be turned on here; where it exists (3.12+) we use it. See hardening_report().
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None and hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE"):
        setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA cell_size_check=ON")
    conn.execute("PRAGMA mmap_size=0")
    conn.execute("PRAGMA secure_delete=ON")
    # EXTRA, not FULL: with the rollback journal a commit IS the journal's deletion, and
    # only EXTRA syncs the folder after it; with FULL a power cut can bring the journal
    # back and roll the last edit away (issue 7, item 10).
    conn.execute("PRAGMA synchronous=EXTRA")
    conn.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    # Rollback journal, never WAL: WAL on a share or sync folder loses data, and our
    # SQLite predates the WAL-reset fix (case 23, 27).
    mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    if str(mode).lower() != "delete":
        raise DamagedDocument(f"the file is stuck in journal mode {mode!r}; cypdesk only uses 'delete'")
    try:
        conn.enable_load_extension(False)
    except AttributeError:  # Python built without extension loading: already off
        pass


def hardening_report(conn: sqlite3.Connection) -> dict[str, Any]:
    """The safety settings of a connection, for the start-up self-test and the tests.
    ``defensive`` says whether SQLITE_DBCONFIG_DEFENSIVE could be set: not on Python 3.11,
    whose sqlite3 module has no ``setconfig`` (anchors E8)."""

    def pragma(name: str) -> Any:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]

    report: dict[str, Any] = {
        "sqlite_version": sqlite3.sqlite_version,
        "journal_mode": pragma("journal_mode"),
        "synchronous": pragma("synchronous"),  # 3 = EXTRA
        "secure_delete": pragma("secure_delete"),
        "foreign_keys": pragma("foreign_keys"),
        "busy_timeout": pragma("busy_timeout"),
        "cell_size_check": pragma("cell_size_check"),
        "mmap_size": pragma("mmap_size"),
        "trusted_schema": pragma("trusted_schema"),
    }
    getconfig = getattr(conn, "getconfig", None)
    if getconfig is not None and hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE"):
        report["defensive"] = bool(getconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE))
    else:
        report["defensive"] = None
        report["defensive_note"] = (
            f"Defensive mode is not available: Python {sys.version_info.major}.{sys.version_info.minor}'s "
            "sqlite3 module has no Connection.setconfig (it arrived in Python 3.12)."
        )
    return report


@dataclass(frozen=True)
class SqlitePolicy:
    version: tuple[int, int, int]
    wal_allowed: bool
    single_writer_required: bool
    reason: str


def sqlite_policy(version_str: str | None = None) -> SqlitePolicy:
    """How the loaded SQLite may be used (case 27). Below 3.51.3 the WAL-reset
    corruption bug applies (two connections writing at one instant in WAL mode), so the
    document must use the rollback journal and a single writer. cypdesk never uses WAL
    on a document whatever the version; this records why, and the start-up self-test
    logs it."""
    text = version_str or sqlite3.sqlite_version
    parts = [int(x) for x in text.split(".")[:3] if x.isdigit()]
    version = tuple((parts + [0, 0, 0])[:3])
    if version < WAL_SAFE_FROM:
        return SqlitePolicy(version, False, True, (
            f"SQLite {text} predates 3.51.3 and its fix for WAL-reset corruption: rollback journal "
            "and a single writer only."))
    return SqlitePolicy(version, True, False, f"SQLite {text} has the WAL-reset fix.")


def make_engine(
    path: str | os.PathLike[str], *, read_only: bool = False, foreign_keys: bool = True,
    poolclass: Any = None,
) -> Engine:
    """A SQLAlchemy engine over :func:`connect`.

    Pool: a small ``QueuePool`` (2 kept, up to 3 more), not ``StaticPool`` (one
    connection shared by every thread at once is unsafe) nor ``SingletonThreadPool``
    (it closes surplus per-thread connections at random, possibly one in use). Each
    checkout has its connection to itself, so the UI thread and a worker can both read;
    the rollback journal lets readers share the file, and writes are serialised by
    ``Document.write_lock`` and begun with ``BEGIN IMMEDIATE`` (use
    ``engine.execution_options(cypdesk_begin="IMMEDIATE")``, as ``Document.write_engine``
    does), with ``busy_timeout`` covering the short waits that remain.

    Transactions follow the SQLAlchemy pysqlite recipe: the DBAPI connection is in
    autocommit mode and the ``begin`` event emits ``BEGIN`` itself, so SELECTs are
    inside the transaction, DDL is transactional and SAVEPOINTs nest properly.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import URL
    from sqlalchemy.pool import QueuePool

    p = Path(path).absolute()
    url = URL.create(
        "sqlite+pysqlite", database=f"file:{p.as_posix()}",
        query={"mode": "ro" if read_only else "rw", "uri": "true"},
    )
    kw: dict[str, Any] = {}
    poolclass = poolclass or QueuePool
    if poolclass is QueuePool:
        kw.update(pool_size=2, max_overflow=3, pool_timeout=30)
    engine = create_engine(
        url, creator=lambda: connect(p, read_only=read_only, foreign_keys=foreign_keys),
        poolclass=poolclass, **kw,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "DEFERRED" if read_only else str(conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED"))
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"unknown BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine, beginning every transaction with ``BEGIN IMMEDIATE``."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


# --- checks and hashes ---------------------------------------------------------------

def integrity_check(path_or_conn: str | os.PathLike[str] | sqlite3.Connection, *, quick: bool = False) -> str | None:
    """None if ``PRAGMA integrity_check`` (or ``quick_check``) says ok, else its first message."""
    pragma = "quick_check" if quick else "integrity_check"
    if isinstance(path_or_conn, sqlite3.Connection):
        rows = path_or_conn.execute(f"PRAGMA {pragma}").fetchall()
    else:
        conn = connect(path_or_conn, read_only=True)
        try:
            rows = conn.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            conn.close()
    return None if rows == [("ok",)] else (str(rows[0][0]) if rows else "no answer")


# --- new files ------------------------------------------------------------------------

_template: bytes | None = None


def _head_template() -> bytes:
    """The bytes of an empty document at head, built once per process by running the
    migrations (so a new file is exactly what migrating an old one gives)."""
    global _template
    if _template is None:
        import tempfile

        from cypdesk.model import migrate

        with tempfile.TemporaryDirectory(prefix="cypdesk-template-") as tmpdir:
            path = Path(tmpdir) / "template.cypdesk"
            compact = Path(tmpdir) / "compact.cypdesk"
            migrate.build_new_file(path)
            with opened(path, read_only=True) as conn:  # drop the pages revisions freed
                conn.execute("VACUUM INTO ?", (str(compact),))
            _template = compact.read_bytes()
    return _template


def create_document_file(path: str | os.PathLike[str], *, document_id: str | None = None,
                         created_by: str | None = None) -> Path:
    """Create a new, empty document at ``path`` with the schema at head
    (``application_id`` and ``user_version`` set). Refuses if ``path`` exists. Built in
    a temporary file beside it and renamed into place, so it is whole or absent.

    The document gets its own id now (``document_id``, else a fresh UUID) in its
    ``document`` row, with its creation time and ``created_by`` (an installation id):
    two new documents never share one."""
    from cypdesk.model.saving import _remove_quietly, _temp_path, fsync_dir

    p = Path(path).absolute()
    template = _head_template()
    try:
        fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0))
    except FileExistsError:
        raise SaveFailed(f"{p} already exists: cypdesk will not overwrite it.", path=p, reason="exists") from None
    except OSError as exc:
        raise error_from(exc, path=p, doing="create", base=SaveFailed) from exc
    os.close(fd)
    tmp = _temp_path(p.parent)
    try:
        with open(tmp, "wb") as fh:
            fh.write(template)
            fh.flush()
            os.fsync(fh.fileno())
        set_document_identity(tmp, document_id=document_id, created_by=created_by)
        os.replace(tmp, p)
        fsync_dir(p.parent)
    except (OSError, sqlite3.Error) as exc:
        for leftover in (tmp, Path(f"{tmp}-journal"), p):
            _remove_quietly(leftover)
        raise error_from(exc, path=p, doing="create", base=SaveFailed) from exc
    return p


def set_document_identity(path: str | os.PathLike[str], *, document_id: str | None = None,
                          created_by: str | None = None) -> str:
    """Give the document file at ``path`` its own id (``document_id``, else a fresh
    UUID), as made now by ``created_by``: its ``document`` row is written (made if it
    has none). For a file just made (a new document, the demo, an import into a new
    file), never for one in use: the id is what tells two documents apart. Returns the
    id."""
    import uuid
    from datetime import datetime, timezone

    doc_id = document_id or str(uuid.uuid4())
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("SELECT count(*) FROM document").fetchone()[0]:
            conn.execute("UPDATE document SET id = ?, created_at = ?, created_by = ?", (doc_id, now, created_by))
        else:
            conn.execute("INSERT INTO document (id, title, rating_scale, created_at, created_by, hlc) "
                         "VALUES (?, 'Untitled trust', 'rag', ?, ?, '')", (doc_id, now, created_by))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return doc_id


@contextmanager
def opened(path: str | os.PathLike[str], *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """``with opened(path) as conn:`` a :func:`connect` that is closed afterwards."""
    conn = connect(path, read_only=read_only)
    try:
        yield conn
    finally:
        conn.close()


__all__ = [
    "BEGIN_OPTION", "CURRENT_SCHEMA_VERSION", "EXTENSION", "FileStatus", "SqlitePolicy", "connect",
    "create_document_file", "hardening_report", "set_document_identity", "inspect_file", "integrity_check", "make_engine", "opened",
    "plain_reason", "probe", "rolled_back_copy", "sqlite_policy", "write_engine",
]
