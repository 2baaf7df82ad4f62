"""Taking in a partner's file as untrusted, before a merge reads any row of it
(DESIGN.md sections 4 and 5; reliability cases 10-16 and 40; contract section 3).

A partner's file arrives by email or from a shared drive. It may not be a document
at all, come from a newer or older cypdesk, be damaged, carry a trigger, a view or a
table of its own (code that would run when it is read), hold one id under two kinds
of record, be too big to merge, or be a share of another trust. :func:`open_partner`
checks all of that, in this order, and refuses in plain words naming the file, with
nothing written anywhere but its own private folder (our document is never touched):

1. **size**: the file on disk (and, for a share, the plain size its header states)
   above :data:`MAX_PARTNER_BYTES` is refused before a byte of it is copied (case 16);
   copying reports progress and can be cancelled;
2. **a private copy**: the file is copied (a ``.cypshare`` unpacked, which verifies
   its seal, case 40) into a private folder of the user's data folder; everything
   after reads the copy, never the partner's file, which stays byte for byte as it was;
3. **identity, version, integrity, structure** on the copy, with the hardening issue's
   checks (:func:`cypdesk.model.dbfile.inspect_file`): cypdesk's application id, a
   schema version this cypdesk knows (newer: refused, case 15), ``quick_check``, and
   the structure exactly as the golden schema of the file's revision, before any
   statement could fire anything (no trigger, view, virtual table, table, column or
   index of its own: cases 10-12);
4. **older files** are migrated in the private copy (case 14): the partner's file is
   never migrated, and no backup of it is made (the copy is thrown away);
5. **ids and stamps**: one id under two kinds of record, in the partner's file or
   between it and ours, is refused (the merge matches records by id: a service and an
   organisation sharing one id would overwrite each other), and so is a change stamp
   that is not a clock stamp (the merge compares stamps as text; an empty one, from
   before stamps existed, is allowed);
6. **trust**: a share whose document id is neither ours nor one we have merged with,
   and whose trust name differs from ours, is another trust's (both names must be
   set to differ: a document with no trust name set cannot tell).

Every connection to the partner's copy comes from :func:`partner_connection`: read
only, ``trusted_schema=OFF``, ``cell_size_check=ON``, no memory map, no extensions,
nothing attached, defensive where Python can set it, ``query_only``. The private folder
is deleted on leaving :func:`open_partner`, and one a killed process left behind is
deleted by the next call.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cypdesk import paths
from cypdesk.common.errors import (
    CypdeskError, DamagedDocument, DifferentTrust, DocumentMissing, FileFault, IdCollision, NotADocument,
    PartnerTooLarge, error_from,
)
from cypdesk.common.hlc import STAMP_LENGTH
from cypdesk.model import dbfile, schemacheck
from cypdesk.model.filecopy import copy_private
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION

if TYPE_CHECKING:
    from cypdesk.io.sharefile import ShareHeader

# Refused above this size (case 16): a document this large is far beyond any trust's
# (the large demo, 1,000,000 indicator values and 10,000 services, is about a fifth of
# it), and merging it would need more memory than an officer's laptop can spare.
MAX_PARTNER_BYTES: int = 1 << 30
FOLDER_NAME = "partners"  # in the user's local data folder: one private folder per partner file open
PID_FILE = "pid"
COLLISIONS_NAMED = 3  # ids named in the message; all of them are in the error's facts
NOTHING_CHANGED = "Nothing was merged, and your document has not been changed."


@dataclass(frozen=True)
class PartnerInfo:
    """The plain facts about a partner's file that a merge plan keeps."""

    document_id: str
    title: str
    trust_name: str | None
    owner_org_id: str | None
    source_name: str
    is_share: bool


@dataclass
class PartnerFile:
    """A partner's file, checked. ``path`` is the private copy at this cypdesk's schema:
    read it only, through :func:`partner_connection`; it is deleted when the
    :func:`open_partner` block ends."""

    source: Path
    path: Path
    kind: str  # "document" | "share"
    document_id: str
    title: str
    trust_name: str | None
    owner_org_id: str | None
    schema_version: int  # the file's own, before any migration of the copy
    migrated: bool
    header: ShareHeader | None
    withheld: int  # rows of its withheld_fields (a share, or a document made from one)
    size: int = 0  # bytes of the file received
    sha256: str = ""  # of the file received, as copied

    @property
    def is_share(self) -> bool:
        return self.kind == "share"

    def info(self) -> PartnerInfo:
        return PartnerInfo(document_id=self.document_id, title=self.title, trust_name=self.trust_name,
                           owner_org_id=self.owner_org_id, source_name=self.source.name, is_share=self.is_share)


# --- connections --------------------------------------------------------------------------

def partner_connection(path: Path) -> sqlite3.Connection:
    """A read-only connection to a partner's checked copy: ``mode=ro``,
    ``trusted_schema=OFF``, ``cell_size_check=ON``, ``mmap_size=0``, defensive where
    Python can set it, extension loading off, ATTACH limit 0 (as
    :func:`cypdesk.model.dbfile.probe`), and ``query_only`` on top."""
    conn = dbfile.probe(Path(path))
    try:
        conn.execute("PRAGMA query_only=ON")
    except BaseException:
        conn.close()
        raise
    return conn


# --- the private folder ----------------------------------------------------------------------

def partners_dir() -> Path:
    """Where partner files are copied while they are checked and merged (private)."""
    return paths.private_dir(paths.data_dir() / FOLDER_NAME)


def _remove_abandoned(base: Path) -> None:
    """Delete the folders a killed process left (its pid gone), so a partner's data does
    not linger in the user's data folder. Folders of live processes are left alone."""
    from cypdesk.model.lock import pid_alive

    try:
        entries = list(base.iterdir())
    except OSError:
        return
    for entry in entries:
        try:
            pid = int((entry / PID_FILE).read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid == os.getpid() or (pid and pid_alive(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _private_folder() -> Path:
    base = partners_dir()
    _remove_abandoned(base)
    folder = paths.private_dir(base / uuid.uuid4().hex)
    (folder / PID_FILE).write_text(str(os.getpid()), encoding="ascii")
    return folder


# --- progress --------------------------------------------------------------------------------

def _cancelled_error(source: Path) -> CypdeskError:
    from cypdesk.common.errors import Cancelled

    return Cancelled(f"Reading the partner file {source.name} was cancelled. {NOTHING_CHANGED}", path=source)


def _check_cancel(progress: Any, source: Path) -> None:
    if progress is not None and progress.cancelled():
        raise _cancelled_error(source)


class _CopyWatch:
    """Sees every chunk :func:`copy_private` reads (its ``hasher``): hashes it, reports
    progress and stops the copy when the user cancels."""

    def __init__(self, source: Path, total: int, progress: Any) -> None:
        import hashlib

        self.sha = hashlib.sha256()
        self.source, self.total, self.progress, self.done = source, total, progress, 0

    def update(self, chunk: bytes) -> None:
        self.sha.update(chunk)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress.report(self.done, self.total, f"Copying {self.source.name}")
            _check_cancel(self.progress, self.source)


# --- the checks --------------------------------------------------------------------------------

def limit_words(limit: int | None = None) -> str:
    """The size limit in words: "1 GB (1,073,741,824 bytes)"."""
    value = MAX_PARTNER_BYTES if limit is None else limit
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= size:
            return f"{value / size:g} {unit} ({value:,} bytes)"
    return f"{value:,} bytes"


def _too_large(source: Path, size: int, what: str = "") -> PartnerTooLarge:
    return PartnerTooLarge(
        f"The partner file {source} is too large to merge: {what}{size:,} bytes, above cypdesk's limit of "
        f"{limit_words()}. {NOTHING_CHANGED} Ask the partner to send a share of it (cypdesk share), which leaves "
        "out what you do not need.", path=source, size=size, limit=MAX_PARTNER_BYTES)


def _about_source(exc: CypdeskError, copy: Path, source: Path) -> CypdeskError:
    """An error the checks raised about the private copy, reworded to name the partner's
    file (the copy has the file's name, in a private folder) and to say nothing changed."""
    text = exc.message.replace(str(copy), str(source))
    if NOTHING_CHANGED not in text:
        text = f"{text.rstrip()} {NOTHING_CHANGED}"
    exc.message = text
    exc.args = (text,)
    exc.path = str(source)
    return exc


def _stat(source: Path) -> int:
    try:
        st = source.stat()
    except FileNotFoundError:
        raise DocumentMissing(f"The partner file {source} does not exist. Check the name, and that the drive or "
                              "network share is connected.", path=source) from None
    except OSError as exc:
        raise error_from(exc, path=source, doing="read", consequence=NOTHING_CHANGED) from exc
    if source.is_dir():
        raise NotADocument(f"{source} is a folder, not a partner's cypdesk document. {NOTHING_CHANGED}", path=source)
    return st.st_size


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def _record_tables() -> list[str]:
    from cypdesk.model.catalog import CATALOG

    return list(CATALOG)


def _label(table: str) -> str:
    from cypdesk.model.catalog import CATALOG

    return str(CATALOG.get(table, {}).get("label") or table.replace("_", " "))


_SAFE_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ids_sql(schema: str, tables: list[str]) -> str:
    return " UNION ALL ".join(f"SELECT id, '{t}' AS tbl FROM {schema}.\"{t}\"" for t in tables)


def _largest(conn: sqlite3.Connection, schema: str, tables: list[str]) -> str:
    """The kind with the most records in ``schema`` (a count reads only its id index)."""
    counts = {t: conn.execute(f'SELECT count(*) FROM {schema}."{t}"').fetchone()[0] for t in tables}
    return max(tables, key=lambda t: counts[t])


def colliding_ids(conn: sqlite3.Connection, *, other: str | None = None) -> list[tuple[str, str, str]]:
    """``(id, table, other_table)`` for each id held by two kinds of record: within
    ``main`` of ``conn`` (read only: a query_only connection will do), or (``other``:
    the name of an attached schema) between a record of ``other`` and one of another
    kind in ``main`` (through a temporary table).

    One kind usually holds most records (indicator values: 50,000 against a few
    thousand of everything else), so its ids are never gathered and sorted: they are
    only looked up, in its id index, for the ids of the other kinds."""
    tables = _record_tables()
    if other is None:
        big = _largest(conn, "main", tables)
        rest = _ids_sql("main", [t for t in tables if t != big])
        rows = conn.execute(
            f"SELECT id, min(tbl), max(tbl) FROM ({rest} UNION ALL SELECT b.id, '{big}' AS tbl FROM main.\"{big}\" b "
            f"WHERE b.id IN (SELECT r.id FROM ({rest}) AS r)) AS a "
            "GROUP BY id HAVING count(DISTINCT tbl) > 1 ORDER BY id").fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]
    assert _SAFE_SCHEMA.match(other)
    big = _largest(conn, "main", tables)
    ours_rest = [t for t in tables if t != big]
    theirs_rest = _ids_sql(other, ours_rest)
    conn.execute("DROP TABLE IF EXISTS temp.cyp_ids")
    conn.execute("CREATE TEMP TABLE cyp_ids (id TEXT NOT NULL, tbl TEXT NOT NULL, PRIMARY KEY (id, tbl)) WITHOUT ROWID")
    try:
        conn.execute(f"INSERT OR IGNORE INTO temp.cyp_ids {_ids_sql('main', ours_rest)}")
        # (their record, our record of another kind): theirs of the other kinds against
        # ours of the other kinds, and against our largest kind; theirs of the largest
        # kind against ours of the other kinds.
        rows = conn.execute(
            f"SELECT id, tbl, min(otbl) FROM ("
            f"SELECT p.id AS id, p.tbl AS tbl, o.tbl AS otbl FROM ({theirs_rest}) AS p "
            "JOIN temp.cyp_ids o ON o.id = p.id AND o.tbl <> p.tbl "
            f"UNION ALL SELECT p.id, p.tbl, '{big}' FROM ({theirs_rest}) AS p "
            f"WHERE EXISTS (SELECT 1 FROM main.\"{big}\" b WHERE b.id = p.id) "
            f"UNION ALL SELECT o.id, '{big}', o.tbl FROM temp.cyp_ids o "
            f"WHERE EXISTS (SELECT 1 FROM {other}.\"{big}\" b WHERE b.id = o.id)"
            ") GROUP BY id, tbl ORDER BY id").fetchall()
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.cyp_ids")
    return [(str(a), str(b), str(c)) for a, b, c in rows]


HEX_DIGITS = "0123456789abcdef"


def _bad_stamp(column: str) -> str:
    """SQL true for a value of ``column`` that is neither a clock stamp (STAMP_LENGTH
    lower-case hex digits) nor empty (a record written before stamps: schema-1 files)."""
    return f"(length({column}) NOT IN (0, {STAMP_LENGTH}) OR ltrim({column}, '{HEX_DIGITS}') <> '')"


def _bad_stamps(first: str, second: str) -> str:
    """SQL true when ``_bad_stamp(first) OR _bad_stamp(second)`` is (NULLs alike), with
    one pass over the hex digits of both: a record's two stamps are checked on every
    record of the partner's file."""
    return (f"(length({first}) NOT IN (0, {STAMP_LENGTH}) OR length({second}) NOT IN (0, {STAMP_LENGTH}) "
            f"OR ltrim(coalesce({first}, '') || coalesce({second}, ''), '{HEX_DIGITS}') <> '')")


def malformed_stamps(conn: sqlite3.Connection, *, limit: int = COLLISIONS_NAMED) -> list[tuple[str, str, str]]:
    """``(table, id, value)`` of stamps in ``main`` that are not clock stamps (records'
    ``created_hlc``/``hlc``, field versions, tombstones, history), at most ``limit``. A
    partner file holding one was damaged or forged: stamps are compared as text, so
    one that is not a stamp would decide a merge by its spelling."""
    found: list[tuple[str, str, str]] = []
    checks = [(t, f"SELECT id, CASE WHEN {_bad_stamp('created_hlc')} THEN created_hlc ELSE hlc END FROM \"{t}\" "
                  f"WHERE {_bad_stamps('created_hlc', 'hlc')}") for t in _record_tables()]
    checks += [("field_versions", f"SELECT table_name || '/' || record_id || '/' || field, hlc FROM field_versions "
                                  f"WHERE {_bad_stamp('hlc')}"),
               ("tombstones", f"SELECT table_name || '/' || record_id, hlc FROM tombstones WHERE {_bad_stamp('hlc')}"),
               ("history", f"SELECT id, hlc FROM history WHERE {_bad_stamp('hlc')}")]
    for table, sql in checks:
        if len(found) >= limit:
            break
        for rid, value in conn.execute(f"{sql} LIMIT {int(limit) - len(found)}"):
            found.append((table, str(rid), "" if value is None else str(value)))
    return found


def _stamps_error(source: Path, found: list[tuple[str, str, str]]) -> DamagedDocument:
    named = "; ".join(f"{_label(t) if t in _record_tables() else t.replace('_', ' ')} {rid}: {value[:60]!r}"
                      for t, rid, value in found)
    return DamagedDocument(
        f"The partner file {source} cannot be merged: it holds change stamps that cypdesk never writes ({named}), "
        f"so it was damaged or edited outside cypdesk. A merge decides by these stamps. {NOTHING_CHANGED}",
        path=source, stamps=[{"table": t, "id": i, "value": v} for t, i, v in found])


def _collision_error(source: Path, found: list[tuple[str, str, str]], *, between: bool) -> IdCollision:
    where = "in yours" if between else "in the partner file too"
    named = "; ".join(f"{rid} is {_article(_label(t))} in the partner file and {_article(_label(o))} {where}"
                      for rid, t, o in found[:COLLISIONS_NAMED])
    more = f"; and {len(found) - COLLISIONS_NAMED} more" if len(found) > COLLISIONS_NAMED else ""
    return IdCollision(
        f"The partner file {source} cannot be merged: {len(found)} record id{'s' if len(found) != 1 else ''} "
        f"stand{'s' if len(found) == 1 else ''} for two different kinds of record ({named}{more}). cypdesk never "
        f"gives one id to two records, so the file has been edited outside cypdesk. {NOTHING_CHANGED}",
        path=source, collisions=[{"id": i, "partner_table": t, "other_table": o} for i, t, o in found],
        between_documents=between)


def _article(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def _our_path(ours: Any) -> Path | None:
    """The file holding our document's current state: a Workspace's or Document's
    working copy, or a path."""
    if ours is None:
        return None
    doc = getattr(ours, "doc", ours)
    working = getattr(doc, "working_path", None)
    if working is not None:
        return Path(working)
    return Path(ours)


def _document_row(conn: sqlite3.Connection, schema: str = "main") -> dict[str, Any]:
    assert _SAFE_SCHEMA.match(schema)
    row = conn.execute(f"SELECT id, title, trust_name, owner_org_id FROM {schema}.document LIMIT 1").fetchone()
    if row is None:
        return {"id": "", "title": "", "trust_name": None, "owner_org_id": None}
    return {"id": row[0] or "", "title": row[1] or "", "trust_name": row[2], "owner_org_id": row[3]}


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type='table' AND name=?", (name,)).fetchone() is not None


def _check_against_ours(pf: PartnerFile, ours_path: Path) -> None:
    """Ids colliding between the partner's copy and our document, and a share of
    another trust. Our file is opened read-only and the checked copy attached to it."""
    with closing(dbfile.connect(ours_path, read_only=True)) as conn:
        mine = _document_row(conn)
        if pf.is_share and pf.document_id != mine["id"]:
            peers = {r[0] for r in conn.execute("SELECT document_id FROM merge_peers")}
            theirs_name = pf.header.trust_name if pf.header is not None and pf.header.trust_name else pf.trust_name
            if pf.document_id not in peers and _norm(theirs_name) and _norm(mine["trust_name"]) \
                    and _norm(theirs_name) != _norm(mine["trust_name"]):
                raise DifferentTrust(
                    f"The share {pf.source} comes from another trust: it was made from {theirs_name}'s document "
                    f"\"{pf.title}\", and yours is {mine['trust_name']}'s, with no merge between the two before. "
                    f"Merging another trust's records into yours would mix the two. {NOTHING_CHANGED}",
                    path=pf.source, partner_trust=theirs_name, our_trust=mine["trust_name"],
                    partner_document_id=pf.document_id)
        conn.execute("ATTACH DATABASE ? AS partner", (dbfile._uri(pf.path, "ro"),))
        try:
            found = colliding_ids(conn, other="partner")
        finally:
            conn.execute("DETACH DATABASE partner")
    if found:
        raise _collision_error(pf.source, found, between=True)


# --- shares (i11-share's io/sharefile.py) ------------------------------------------------------

def _sharefile() -> Any:
    """The share container module, once i11-share has landed; None before."""
    try:
        from cypdesk.io import sharefile
    except ImportError:
        return None
    return sharefile


def is_share(path: Path) -> bool:
    """Whether ``path`` is a ``.cypshare`` (by its header's magic, never its name)."""
    module = _sharefile()
    return bool(module is not None and module.is_share_file(path))


def _unpack(source: Path, copy: Path, passphrase: str | None, progress: Any) -> ShareHeader:
    """Unpack a share into ``copy`` (sealed chunks verified; the four share errors
    raised by sharefile), refusing a plain size above the limit before unpacking."""
    module = _sharefile()
    header = module.read_share_header(source)
    plain = int(getattr(header, "plain_size", 0) or 0)
    if plain > MAX_PARTNER_BYTES:
        raise _too_large(source, plain, "unpacked it would be ")
    return module.unpack_share(source, copy, passphrase=passphrase, progress=progress)


# --- the whole intake --------------------------------------------------------------------------

COPY_ATTEMPTS = 3


def _copy_document(source: Path, copy: Path, size: int, progress: Any) -> str:
    """Copy the partner's file (and a hot journal beside it) into the private folder;
    copied again if it changes meanwhile (a sync client still writing it). Returns the
    SHA-256 of what was copied."""
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size > 0:  # its latest changes are in the -wal, which a copy would miss
        raise DamagedDocument(
            f"{source} cannot be merged yet: another program left changes in {wal.name} (write-ahead log) beside "
            f"it. Open it in that program and close it cleanly first. {NOTHING_CHANGED}", path=source)
    for _attempt in range(COPY_ATTEMPTS):
        before = source.stat()
        watch = _CopyWatch(source, size, progress)
        copy_private(source, copy, document=source, writing="write a private copy of the partner file in",
                     hasher=watch)
        journal = Path(f"{source}-journal")
        if journal.exists():  # a writer stopped mid-change: roll the COPY back, as SQLite would the file
            copy_private(journal, Path(f"{copy}-journal"), document=journal,
                         writing="write a private copy of the partner file in")
        after = source.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return watch.sha.hexdigest()
        size = after.st_size
        if size > MAX_PARTNER_BYTES:
            raise _too_large(source, size)
    raise FileFault(f"The partner file {source} kept changing while it was being copied (is a sync client or "
                     f"another program still writing it?). Try again in a moment. {NOTHING_CHANGED}", path=source)


def _check_copy(source: Path, copy: Path) -> tuple[int, bool]:
    """Identity, version, integrity and structure of the private copy; an older copy
    migrated. Returns (the file's schema version, migrated)."""
    from cypdesk.model import migrate

    try:
        status = dbfile.inspect_file(copy)
        if status.hot_journal or status.wal_mode:
            # Ours to change: the rolled-back copy's structure was checked by inspect_file;
            # a read-write connection rolls it back and puts it in rollback-journal mode.
            with dbfile.opened(copy):
                pass
            status = dbfile.inspect_file(copy)
        version = status.schema_version
        migrated = False
        if status.needs_migration:
            migrate.migrate_file(copy, backup=False)  # the copy only; no backup of a throw-away copy
            migrated = True
        with closing(partner_connection(copy)) as conn:
            schemacheck.verify(conn, copy, CURRENT_SCHEMA_VERSION)
    except CypdeskError as exc:
        raise _about_source(exc, copy, source) from exc.__cause__
    return version, migrated


@contextmanager
def open_partner(path: str | os.PathLike[str], *, passphrase: str | None = None, ours: Any = None,
                 progress: Any = None) -> Iterator[PartnerFile]:
    """``with open_partner(path, ours=ws) as theirs:`` the partner's file, checked as
    untrusted (module docstring), as a :class:`PartnerFile` whose ``path`` is a private
    copy at this cypdesk's schema. ``ours``: our Workspace (or Document, or the path of
    our document's current state) for the checks against our document; without it only
    the file itself is checked. ``passphrase`` opens an encrypted share. ``progress``:
    ``report(done, total, text)`` and ``cancelled()``; a cancel raises ``Cancelled``.
    Raises, with nothing changed anywhere: DocumentMissing, NotADocument,
    NewerDocument, DamagedDocument, ForeignSchema, MigrationFailed, PartnerTooLarge,
    IdCollision, DifferentTrust, Cancelled, file faults (error_from), and for a share
    PassphraseNeeded, WrongPassphrase, ShareDamaged, ShareTruncated."""
    source = Path(path).absolute()
    size = _stat(source)
    if size > MAX_PARTNER_BYTES:
        raise _too_large(source, size)
    folder = _private_folder()
    try:
        yield _take_in(source, size, folder, passphrase=passphrase, ours=ours, progress=progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _take_in(source: Path, size: int, folder: Path, *, passphrase: str | None, ours: Any,
             progress: Any) -> PartnerFile:
    copy = folder / (source.stem + dbfile.EXTENSION)
    header: ShareHeader | None = None
    _check_cancel(progress, source)
    if is_share(source):
        try:
            header = _unpack(source, copy, passphrase, progress)
        except CypdeskError as exc:  # its words name the share; say our document is unchanged
            raise _about_source(exc, copy, source) from exc.__cause__
        sha = str(getattr(header, "sha256", "") or "")
        if copy.stat().st_size > MAX_PARTNER_BYTES:
            raise _too_large(source, copy.stat().st_size, "unpacked it is ")
    else:
        sha = _copy_document(source, copy, size, progress)
    _check_cancel(progress, source)
    if progress is not None:
        progress.report(size, size, f"Checking {source.name}")
    version, migrated = _check_copy(source, copy)
    _check_cancel(progress, source)
    with closing(partner_connection(copy)) as conn:
        facts = _document_row(conn)
        withheld = int(conn.execute("SELECT count(*) FROM withheld_fields").fetchone()[0]) \
            if _has_table(conn, "withheld_fields") else 0
        found = colliding_ids(conn)
        bad_stamps = malformed_stamps(conn)
    if found:
        raise _collision_error(source, found, between=False)
    if bad_stamps:
        raise _stamps_error(source, bad_stamps)
    pf = PartnerFile(
        source=source, path=copy, kind="share" if header is not None else "document",
        document_id=facts["id"], title=facts["title"] or (header.title if header is not None else "") or source.stem,
        trust_name=facts["trust_name"], owner_org_id=facts["owner_org_id"], schema_version=version,
        migrated=migrated, header=header, withheld=withheld, size=size, sha256=sha)
    ours_path = _our_path(ours)
    if ours_path is not None:
        _check_cancel(progress, source)
        _check_against_ours(pf, ours_path)
    return pf


__all__ = [
    "MAX_PARTNER_BYTES", "PartnerFile", "PartnerInfo", "colliding_ids", "is_share", "limit_words", "malformed_stamps",
    "open_partner", "partner_connection", "partners_dir",
]
