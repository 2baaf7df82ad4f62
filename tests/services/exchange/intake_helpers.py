"""Helpers of the intake tests (tests/services/exchange/test_intake*.py): a partner file
alone in its folder, and the check that a refusal named the partner file and changed
nothing anywhere (hashes and tampering: tests/tampering.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cypdesk.common import errors
from cypdesk.services.exchange.intake import open_partner, partners_dir
from tests.tampering import folder_state, sha


def copy_alone(master: Path, folder: Path, name: str = "partner.cypdesk") -> Path:
    """A plain copy of ``master``, alone in ``folder`` (made)."""
    folder.mkdir(parents=True)
    path = folder / name
    shutil.copy(master, path)
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
