""""Same content" (DESIGN.md section 5): every live record of every Record kind with
its merged fields' values, plus the document's settings, in a canonical order. History,
versions, tombstones and the other bookkeeping are aside: two files that merged the same
edits in a different order have the same content and so the same digest.

:func:`content_rows` streams the rows (one per record, and one for the settings);
:func:`content_digest` hashes them. Both read with plain SQL, never loading a table
into Python objects at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from cypdesk.model.kindinfo import KIND_INFOS
from cypdesk.model.versions import SETTINGS_FIELDS, SETTINGS_RECORD, SETTINGS_TABLE


def settings_fields() -> tuple[str, ...]:
    """The document settings a merge compares (all but id, owner and creation)."""
    return SETTINGS_FIELDS


def raw_connection(conn: Any) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy Connection or Session (or itself), in
    the same transaction."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    if hasattr(conn, "get_bind") and hasattr(conn, "connection") and callable(conn.connection):  # a Session
        conn = conn.connection()
    dbapi = conn.connection  # SQLAlchemy Connection -> pool proxy
    return getattr(dbapi, "driver_connection", None) or dbapi.dbapi_connection


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def content_rows(conn: Any, *, schema: str = "main") -> Iterator[tuple]:
    """Every live record as ``(table, id, ((field, value), ...))`` (fields by name),
    tables by name and records by id, then ``("document", "settings", ...)``.
    ``schema`` reads an ATTACHed file."""
    raw = raw_connection(conn)
    s = _quote(schema)
    for kind in sorted(KIND_INFOS, key=lambda k: k.table):
        table = kind.table
        names = sorted(kind.merged)
        cols = ", ".join(_quote(n) for n in names)
        cursor = raw.execute(f"SELECT id, {cols} FROM {s}.{_quote(table)} ORDER BY id")
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                break
            for row in batch:
                yield (table, row[0], tuple(zip(names, row[1:])))
    names = sorted(settings_fields())
    cols = ", ".join(_quote(n) for n in names)
    row = raw.execute(f"SELECT {cols} FROM {s}.document LIMIT 1").fetchone()
    if row is not None:
        yield (SETTINGS_TABLE, SETTINGS_RECORD, tuple(zip(names, row)))


def _encode(value: Any) -> bytes:
    """A value as bytes that tell every type and value apart (1, 1.0, "1", b"1", None)."""
    if value is None:
        return b"N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return b"I" + str(value).encode() + b";"
    if isinstance(value, float):
        return b"F" + struct.pack(">d", value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return b"B" + str(len(data)).encode() + b":" + data
    text = str(value).encode("utf-8", "surrogatepass")
    return b"T" + str(len(text)).encode() + b":" + text


def digest_rows(rows: Iterator[tuple]) -> str:
    h = hashlib.sha256()
    for table, record_id, pairs in rows:
        h.update(_encode(table))
        h.update(_encode(record_id))
        for name, value in pairs:
            h.update(_encode(name))
            h.update(_encode(value))
        h.update(b"\n")
    return h.hexdigest()


def content_digest(path_or_conn: Any) -> str:
    """The SHA-256 of :func:`content_rows`: equal for two files with the same content.
    A path is opened read-only and closed."""
    if isinstance(path_or_conn, (str, Path)):
        uri = Path(path_or_conn).resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            return digest_rows(content_rows(conn))
    return digest_rows(content_rows(path_or_conn))
