"""The SQL side of a merge: our document's connection with the partner's file ATTACHed
as ``theirs``, the two version vectors, and the small helpers the plan and the apply
share. Everything is read with plain SQL over both files at once; only what differs
comes into Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cypdesk.model.versions import version_vector as model_version_vector

THEIRS = "theirs"


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def version_vector(raw: sqlite3.Connection, schema: str = "main") -> dict[str, str]:
    """For each installation, the newest of its stamps in the file's history."""
    return model_version_vector(raw, schema=schema)


def table_exists(raw: sqlite3.Connection, schema: str, table: str) -> bool:
    row = raw.execute(f"SELECT 1 FROM {q(schema)}.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row is not None


def state_token(raw: sqlite3.Connection) -> tuple[Any, ...]:
    """What says our document has not changed since a plan: every write leaves a
    history row (the newest stamp and the count), and the settings row."""
    count, newest = raw.execute("SELECT count(*), max(hlc) FROM main.history").fetchone()
    settings = raw.execute("SELECT * FROM main.document LIMIT 1").fetchone()
    return (count, newest, tuple(settings) if settings else None)


def partner_path(theirs: Any) -> Path:
    """The file to read for a PartnerFile (its checked private copy) or a Path."""
    path = getattr(theirs, "path", None)
    return Path(path if path is not None else theirs)


@contextmanager
def attached(ws: Any, theirs_path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to our working copy (``Document.connect``: made as the document's
    engine makes each of its own, with the same hardening) with the partner's file
    ATTACHed read-only as ``theirs``, with ``trusted_schema`` off. For writing, foreign
    keys are off (so a partner's deletion never cascades beyond what its tombstones
    say; dangling references are found with ``foreign_key_check`` before commit, see
    rules.py) and the caller begins the transaction itself. Not from the engine's pool:
    the merge needs no SQLAlchemy, so ``cypdesk merge`` never imports it."""
    raw = ws.doc.connect()  # ReadOnlyDocument if the document is closed
    try:
        raw.execute("PRAGMA trusted_schema = OFF")
        if write:
            raw.execute("PRAGMA foreign_keys = OFF")
        uri = Path(theirs_path).absolute().as_uri() + "?mode=ro"
        raw.execute(f"ATTACH DATABASE ? AS {THEIRS}", (uri,))
        try:
            yield raw
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raw.execute(f"DETACH DATABASE {THEIRS}")
    finally:
        raw.close()


def json_ids(ids: Any) -> str:
    import json

    return json.dumps(list(ids))


def follow_redirects(direct: Mapping[str, str]) -> dict[str, str]:
    """Each merged organisation's id -> where it now lives, following merges of merges
    (a loop stops where it closes), as ``services.organisations`` does for one file."""
    out = {}
    for merged in direct:
        seen = {merged}
        current = merged
        while current in direct:
            nxt = direct[current]
            if nxt in seen:
                break
            seen.add(nxt)
            current = nxt
        out[merged] = current
    return out
