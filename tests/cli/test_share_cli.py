"""``cypdesk share FILE --out OUT [--for ORG] [--contacts] [--passphrase-file P] [--json]``
(issue 11 item 4): the shared copy from the command line, its refusals with their exit
codes, a share never taken for a working document, and a share merged back with each
share error (a missing or wrong passphrase exit 2, a tampered or cut-short file exit 1)
leaving the document byte for byte as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.cli import main
from cypdesk.io.sharefile import read_share_header
from tests.cli.jsonrun import run_json

PASS = "a passphrase for the partner"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _holder(path: Path) -> tuple[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT o.id, o.name FROM contracts c JOIN organisations o ON o.id = c.contracting_org_id "
                            "WHERE c.annual_value IS NOT NULL ORDER BY c.id LIMIT 1").fetchone()


@pytest.fixture
def passfile(tmp_path: Path) -> Path:
    p = tmp_path / "pass.txt"
    p.write_text(PASS + "\r\n", encoding="utf-8")
    return p


def test_share_for_a_partner_by_name_writes_a_cypshare_and_leaves_the_document(demo_path, capsys, tmp_path):
    """Exit 0; the JSON names the partner, the counts withheld and the file; the
    document's bytes are unchanged."""
    before = sha(demo_path)
    org_id, name = _holder(demo_path)
    out = tmp_path / "for-partner.cypshare"
    code, result = run_json(capsys, "share", demo_path, "--out", out, "--for", name)
    assert code == 0 and result["ok"] is True
    assert result["for"] == {"id": org_id, "name": name} and result["path"] == str(out)
    assert result["withheld_by_field"]["people.email"] > 0 and result["withheld"] > 0
    assert result["bytes"] == out.stat().st_size and not result["encrypted"]
    assert read_share_header(out).for_org_id == org_id
    assert sha(demo_path) == before


def test_share_in_words_says_what_was_withheld_and_how_to_merge(demo_path, capsys, tmp_path):
    code = main(["share", str(demo_path), "--out", str(tmp_path / "x.cypshare")])
    out, _err = capsys.readouterr()
    assert code == 0
    assert "Wrote the shared copy" in out and "for any partner" in out
    assert "contracts.annual_value" in out and "contact details were withheld" in out
    assert "cypdesk merge" in out


def test_share_with_a_passphrase_file_is_encrypted_and_merges_back_with_it(demo_path, capsys, tmp_path, passfile):
    """--passphrase-file encrypts (its first line, the line ending dropped); merge reads
    the share with the same file."""
    out = tmp_path / "locked.cypshare"
    code, result = run_json(capsys, "share", demo_path, "--out", out, "--passphrase-file", passfile)
    assert code == 0 and result["encrypted"] is True and read_share_header(out).encrypted
    mine = tmp_path / "mine.cypdesk"
    shutil.copy(demo_path, mine)
    code, merged = run_json(capsys, "merge", mine, out, "--passphrase-file", passfile)
    assert code == 0, merged


def test_share_contacts_includes_contact_details(demo_path, capsys, tmp_path):
    code, result = run_json(capsys, "share", demo_path, "--out", tmp_path / "c.cypshare", "--contacts")
    assert code == 0 and result["contacts"] is True and "people.email" not in result["withheld_by_field"]


@pytest.mark.parametrize("args, code, error", [
    (["--out", "{tmp}/x.xlsx"], 2, "usage"),
    (["--out", "{tmp}/x.cypshare", "--for", "No Such Partner"], 1, "not_found"),
    (["--out", "{tmp}/x.cypshare", "--passphrase-file", "{tmp}/no-such.txt"], 2, "usage"),
    (["--out", "{tmp}/no-folder/x.cypshare"], 1, "save_failed"),
])
def test_share_refusals_write_nothing(demo_path, capsys, tmp_path, args, code, error):
    before = sha(demo_path)
    got, result = run_json(capsys, "share", demo_path, *[a.format(tmp=tmp_path) for a in args])
    assert (got, result["ok"], result["error"]["code"]) == (code, False, error)
    assert not list(tmp_path.glob("*.cypshare")) and not list(tmp_path.glob(".~*"))
    assert sha(demo_path) == before


def test_a_share_is_refused_as_a_document_and_named_a_shared_copy(demo_path, capsys, tmp_path):
    """cypdesk check and cypdesk info refuse a .cypshare (exit 2) saying it is a shared
    copy to merge or save as a new document."""
    out = tmp_path / "s.cypshare"
    assert main(["share", str(demo_path), "--out", str(out)]) == 0
    capsys.readouterr()
    for command in ("check", "info"):
        code, result = run_json(capsys, command, out)
        assert code == 2 and result["error"]["code"] == "not_a_document", command
        assert "shared copy" in result["error"]["message"] and "merge" in result["error"]["message"]
    code, result = run_json(capsys, "share", out, "--out", tmp_path / "again.cypshare")
    assert code == 2 and result["error"]["code"] == "not_a_document"


@pytest.fixture
def locked_share(demo_path, tmp_path, passfile, capsys) -> Path:
    out = tmp_path / "locked.cypshare"
    assert main(["share", str(demo_path), "--out", str(out), "--passphrase-file", str(passfile)]) == 0
    capsys.readouterr()
    return out


def _damaged(share: Path, how: str) -> Path:
    raw = bytearray(share.read_bytes())
    bad = share.with_name(f"{how}.cypshare")
    if how == "tampered":
        raw[len(raw) // 2] ^= 0x01
        bad.write_bytes(bytes(raw))
    else:
        bad.write_bytes(bytes(raw[:len(raw) * 2 // 3]))
    return bad


@pytest.mark.parametrize("how, passphrase, code, error", [
    ("missing passphrase", None, 2, "passphrase_needed"),
    ("wrong passphrase", "not the passphrase", 2, "wrong_passphrase"),
    ("tampered", PASS, 1, "damaged_in_transit"),
    ("truncated", PASS, 1, "truncated"),
])
def test_merging_a_bad_share_is_refused_with_its_own_error_and_the_document_unchanged(
        demo_path, capsys, tmp_path, locked_share, how, passphrase, code, error):
    """Each fault of an encrypted share is its own error, naming the share; the document
    merged into keeps every byte."""
    mine = tmp_path / "mine.cypdesk"
    shutil.copy(demo_path, mine)
    before = sha(mine)
    share = _damaged(locked_share, how) if how in ("tampered", "truncated") else locked_share
    args = ["merge", mine, share]
    if passphrase is not None:
        p = tmp_path / "given.txt"
        p.write_text(passphrase, encoding="utf-8")
        args += ["--passphrase-file", p]
    got, result = run_json(capsys, *args)
    assert (got, result["error"]["code"]) == (code, error)
    assert str(share) in result["error"]["message"]
    assert sha(mine) == before
