"""Helpers of the intake tests (tests/services/exchange/test_intake*.py): hashes of a
file and a folder, tampering as a partner's sqlite3 could, and the check that a refusal
named the partner file and changed nothing anywhere."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.common import errors
from cypdesk.services.exchange.intake import open_partner, partners_dir

TRIGGER = ("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
           "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")


def copy_alone(master: Path, folder: Path, name: str = "partner.cypdesk") -> Path:
    """A plain copy of ``master``, alone in ``folder`` (made)."""
    folder.mkdir(parents=True)
    path = folder / name
    shutil.copy(master, path)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Hashes of every file in a folder: the file, and anything beside it."""
    return {p.name: sha(p) for p in sorted(folder.iterdir()) if p.is_file()}


def tamper(path: Path, *statements: str, writable_schema: bool = False) -> Path:
    """Change ``path`` as a partner's sqlite3 could; ``spy`` is defined on this connection
    only, so that objects calling it can be built."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.create_function("spy", -1, lambda *a: 1, deterministic=True)
        if writable_schema:
            conn.execute("PRAGMA writable_schema=ON")
        for sql in statements:
            conn.execute(sql)
    return path


class Unchanged:
    """Our working copy and the partner's folder, hashed before; ``check()`` after."""

    def __init__(self, ws, partner: Path) -> None:
        self.ws, self.partner = ws, partner
        self.ours = sha(ws.doc.working_path)
        self.theirs = folder_state(partner.parent)

    def check(self) -> None:
        assert sha(self.ws.doc.working_path) == self.ours
        assert folder_state(self.partner.parent) == self.theirs
        assert not list(partners_dir().iterdir()), "the private copy was left behind"


def refused(ws, partner: Path, code: str, exit_code: int, *words: str) -> errors.CypdeskError:
    """open_partner(partner, ours=ws) refuses with ``code``, naming the partner file in a
    message holding ``words``; nothing changed anywhere."""
    before = Unchanged(ws, partner)
    with pytest.raises(errors.CypdeskError) as err:
        with open_partner(partner, ours=ws):
            pytest.fail("accepted")
    exc = err.value
    assert (exc.code, exc.exit_code) == (code, exit_code), exc.message
    assert str(partner) in exc.message or partner.name in exc.message, exc.message
    assert "your document has not been changed" in exc.message, exc.message
    for w in words:
        assert w in exc.message, exc.message
    assert exc.path == str(partner)
    before.check()
    return exc
