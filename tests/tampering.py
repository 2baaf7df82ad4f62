"""What the tests of received files share: hashes of a file and of a folder (to prove a
refusal changed nothing), and tampering with a document as a partner's own sqlite3
could (a trigger, a view, a table, a forged row)."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

# A trigger a hostile partner file could carry: it would rename a service and empty the
# history the moment cypdesk wrote to it.
TRIGGER = ("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
           "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Hashes of every file in a folder: the document, and anything beside it."""
    return {p.name: sha(p) for p in sorted(folder.iterdir()) if p.is_file()}


def tamper(path: Path, *statements: str, writable_schema: bool = False) -> Path:
    """Change ``path`` the way a partner's sqlite3 could. A ``spy`` function is defined
    on this connection only, so that objects calling it can be built."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.create_function("spy", -1, lambda *a: 1, deterministic=True)
        if writable_schema:
            conn.execute("PRAGMA writable_schema=ON")
        for sql in statements:
            conn.execute(sql)
    return path
