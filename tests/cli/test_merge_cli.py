"""``cypdesk merge FILE OTHER [--dry-run] [--json] [--passphrase-file P]`` (issue 11
item 2; DESIGN.md sections 5 and 9), run through ``cypdesk.cli.main``: prose and JSON,
exit codes, the backup printed, the lock respected, nothing written by ``--dry-run``
or by a refusal.

Two documents diverged from one plain copy (tests/cli/merge_pair.py): both changed one
service's capacity (the partner later: a conflict the rule gives to theirs), the
partner renamed a second service and added an organisation, we changed a third
service's annual cost."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.cli import main
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from cypdesk.services.exchange.canon import content_digest
from cypdesk.services.exchange.intake import partners_dir
from tests.cli.jsonrun import run_json
from tests.cli.merge_pair import NEW_ORGANISATION, make_pair, sha, value

TRIGGER = "CREATE TRIGGER evil AFTER UPDATE ON services BEGIN UPDATE services SET name='PWNED'; END"


@pytest.fixture
def pair(demo_master, tmp_path):
    return make_pair(demo_master, tmp_path / "pair")


def beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def organisation_named(path: Path, name: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM organisations WHERE name=?", (name,)).fetchone()[0]


def test_merge_takes_their_changes_keeps_ours_resolves_the_conflict_and_saves(pair, capsys):
    """Exit 0 with the conflicts resolved by rule: the partner's rename and new
    organisation are taken, our annual cost kept, the capacity both changed (and the
    unit cost worked out from it) takes the later (theirs); the JSON counts use the six keys and the conflict is listed with
    both values and the winner; the backup exists; the partner's file is unchanged."""
    theirs_before = sha(pair.theirs)
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs)
    assert code == 0, out
    assert out["ok"] is True and out["dry_run"] is False
    for key in ("added", "changed", "unchanged", "deleted", "rejected", "conflicts"):
        assert isinstance(out[key], int), key
    # the capacity both changed, and the unit cost each side worked out from it
    assert out["added"] >= 1 and out["changed"] >= 1 and out["conflicts"] == 2
    assert {(c["table"], c["record_id"], c["field"]) for c in out["conflict_list"]} == {
        ("services", pair.conflicted, "capacity"), ("services", pair.conflicted, "unit_cost")}
    conflict = next(c for c in out["conflict_list"] if c["field"] == "capacity")
    assert (conflict["ours"], conflict["theirs"], conflict["winner"]) == (11, 22, "theirs")
    assert out["partner"]["path"] == str(pair.theirs) and out["partner"]["kind"] == "document"
    assert out["backup"] and Path(out["backup"]).exists()
    assert value(pair.ours, "services", pair.renamed, "name") == pair.new_name
    assert value(pair.ours, "services", pair.costed, "annual_cost") == 123456
    assert value(pair.ours, "services", pair.conflicted, "capacity") == pair.theirs_capacity
    assert organisation_named(pair.ours, NEW_ORGANISATION) == 1
    assert sha(pair.theirs) == theirs_before
    assert not list(partners_dir().iterdir())


def test_merge_prose_lists_counts_the_conflict_and_the_backup(pair, capsys):
    assert main(["merge", str(pair.ours), str(pair.theirs)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Merged partner.cypdesk (")
    assert "2 conflicts;" in out
    assert "the document is saved." in out
    assert f"service {value(pair.ours, 'services', pair.conflicted, 'name')!r} ({pair.conflicted})" in out
    assert "Capacity: yours 11, theirs 22: theirs taken (Both files changed this field since they last shared a state)." in out, out
    backup_line = next(line for line in out.splitlines() if line.startswith("Backup of trust.cypdesk"))
    assert Path(backup_line.split(": ", 1)[1]).exists()


def test_merging_the_same_file_again_changes_nothing(pair, capsys):
    """Case 33 through the command: a second merge of the same partner file finds no
    change to make, and the content is the same."""
    assert run_json(capsys, "merge", pair.ours, pair.theirs)[0] == 0
    digest = content_digest(pair.ours)
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs)
    assert code == 0
    assert (out["added"], out["changed"], out["deleted"], out["conflicts"]) == (0, 0, 0, 0)
    assert content_digest(pair.ours) == digest


def test_dry_run_says_what_would_change_and_writes_nothing(pair, capsys):
    """--dry-run: the same counts a merge would give, and nothing written: the file's
    bytes, the folder beside it (no lock, no temporary file) and the backups folder."""
    from cypdesk import paths

    before, names = sha(pair.ours), beside(pair.ours)
    backups = sorted(paths.backup_dir().iterdir())  # the saved versions make_pair's saves kept
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs, "--dry-run")
    assert code == 0 and out["dry_run"] is True and out["backup"] is None
    assert out["conflicts"] == 2 and out["added"] >= 1
    assert sha(pair.ours) == before and beside(pair.ours) == names
    assert sorted(paths.backup_dir().iterdir()) == backups
    assert main(["merge", str(pair.ours), str(pair.theirs), "--dry-run"]) == 0
    assert "(dry run: nothing was changed)" in capsys.readouterr().out


def test_a_document_someone_has_open_is_refused_naming_them(pair, capsys):
    """The lock is respected: exit 1, code "locked", and the document unchanged."""
    from cypdesk.model.document import Document
    from tests.cli.merge_pair import BOB

    holder = Document.open(pair.ours, installation=BOB)
    try:
        before = sha(pair.ours)
        code, out = run_json(capsys, "merge", pair.ours, pair.theirs)
        assert code == 1 and out["error"]["code"] == "locked"
        assert "bob" in out["error"]["message"]
        assert sha(pair.ours) == before
    finally:
        holder.close(discard=True)


@pytest.mark.parametrize("spoil, code, exit_code", [
    (lambda p: p.write_bytes(b"Name,Kind\nAcme,private\n"), "not_a_document", 2),
    (lambda p: _sql(p, f"PRAGMA user_version={CURRENT_SCHEMA_VERSION + 1}"), "newer", 2),
    (lambda p: _sql(p, TRIGGER), "foreign_schema", 1),
    (lambda p: _sql(p, "CREATE VIEW v AS SELECT 1"), "foreign_schema", 1),
    (lambda p: _sql(p, "CREATE TABLE mine (x)"), "foreign_schema", 1),
], ids=["not a document", "newer", "a trigger", "a view", "a table"])
def test_a_bad_partner_file_is_refused_with_the_document_unchanged(pair, capsys, spoil, code, exit_code):
    spoil(pair.theirs)
    before, names = sha(pair.ours), beside(pair.ours)
    status, out = run_json(capsys, "merge", pair.ours, pair.theirs)
    assert status == exit_code and out["ok"] is False and out["error"]["code"] == code
    assert "partner.cypdesk" in out["error"]["message"]
    assert sha(pair.ours) == before and beside(pair.ours) == names
    assert main(["merge", str(pair.ours), str(pair.theirs)]) == exit_code
    err = capsys.readouterr().err
    assert err.startswith("cypdesk: ") and "your document has not been changed" in err


def _sql(path: Path, statement: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(statement)


def test_a_missing_partner_file_is_exit_2(pair, capsys):
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs.with_name("nowhere.cypdesk"))
    assert code == 2 and out["error"]["code"] == "missing"


def test_a_missing_passphrase_file_is_bad_usage(pair, capsys, tmp_path):
    before = sha(pair.ours)
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs, "--passphrase-file", tmp_path / "none.txt")
    assert code == 2 and out["error"]["code"] == "usage" and "none.txt" in out["error"]["message"]
    assert sha(pair.ours) == before


def test_the_passphrase_is_the_first_line_of_its_file(tmp_path):
    from cypdesk.cli_merge import read_passphrase

    f = tmp_path / "p.txt"
    f.write_text("correct horse battery\nsecond line\n", encoding="utf-8")
    assert read_passphrase(str(f)) == "correct horse battery"
    f.write_bytes("\ufeffwith bom\r\n".encode())
    assert read_passphrase(str(f)) == "with bom"


def test_merge_without_the_other_file_is_bad_usage(pair, capsys):
    code, out = run_json(capsys, "merge", pair.ours)
    assert code == 2 and out["error"]["code"] == "usage"


def test_a_failed_save_leaves_the_document_as_it_was_and_no_edits_to_recover(pair, capsys, monkeypatch):
    """The atomic save fails at the rename (os.replace patched to raise ENOSPC): exit 1,
    disk_full, the file byte for byte as it was, and no working copy left holding a
    half-done merge."""
    import errno

    from cypdesk.model import saving
    from cypdesk.services.documents import recoverable_edits

    before = sha(pair.ours)
    real_replace = os.replace

    def full(src, dst, *a, **k):
        if Path(dst) == pair.ours:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(saving.os, "replace", full)
    code, out = run_json(capsys, "merge", pair.ours, pair.theirs)
    assert code == 1 and out["error"]["code"] == "disk_full", out
    assert sha(pair.ours) == before
    assert recoverable_edits(pair.ours) == []


def test_the_json_is_one_object_even_on_failure(pair, capsys):
    pair.theirs.write_bytes(b"")
    main(["merge", str(pair.ours), str(pair.theirs), "--json"])
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    assert json.loads(out)["error"]["code"] == "not_a_document"


# --- a .cypshare, encrypted (scrypt's cost patched down to N = 2**14: cheap_scrypt) --------------

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def sealed_share(pair, monkeypatch):
    """The partner's document packed into an encrypted .cypshare (with cheap_scrypt)."""
    from cypdesk.io import sharefile

    monkeypatch.setattr(sharefile, "SCRYPT_N", 1 << 14)
    with closing(sqlite3.connect(pair.theirs)) as conn:
        doc_id, title, trust = conn.execute("SELECT id, title, trust_name FROM document").fetchone()
    header = sharefile.ShareHeader(document_id=doc_id, title=title, schema_version=CURRENT_SCHEMA_VERSION,
                                   trust_name=trust)
    return sharefile.write_share(pair.theirs, pair.theirs.with_suffix(".cypshare"), header, passphrase=PASSPHRASE)


def test_merge_reads_an_encrypted_share_with_its_passphrase_file(pair, sealed_share, capsys, tmp_path):
    phrase = tmp_path / "phrase.txt"
    phrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    code, out = run_json(capsys, "merge", pair.ours, sealed_share, "--passphrase-file", phrase)
    assert code == 0, out
    assert out["partner"]["kind"] == "share" and out["conflicts"] == 2
    assert value(pair.ours, "services", pair.renamed, "name") == pair.new_name


@pytest.mark.parametrize("given, code", [(None, "passphrase_needed"), ("wrong horse", "wrong_passphrase")],
                         ids=["no passphrase", "a wrong passphrase"])
def test_an_encrypted_share_without_its_passphrase_is_exit_2_and_changes_nothing(
        pair, sealed_share, capsys, tmp_path, given, code):
    args = ["merge", pair.ours, sealed_share]
    if given is not None:
        phrase = tmp_path / "phrase.txt"
        phrase.write_text(given, encoding="utf-8")
        args += ["--passphrase-file", phrase]
    before, names = sha(pair.ours), beside(pair.ours)
    status, out = run_json(capsys, *args)
    assert status == 2 and out["error"]["code"] == code
    assert sha(pair.ours) == before and beside(pair.ours) == names


def test_a_tampered_share_is_exit_1_damaged_in_transit(pair, sealed_share, capsys, tmp_path):
    phrase = tmp_path / "phrase.txt"
    phrase.write_text(PASSPHRASE, encoding="utf-8")
    data = bytearray(sealed_share.read_bytes())
    data[-50] ^= 0x01
    sealed_share.write_bytes(bytes(data))
    before = sha(pair.ours)
    status, out = run_json(capsys, "merge", pair.ours, sealed_share, "--passphrase-file", phrase)
    assert status == 1 and out["error"]["code"] == "damaged_in_transit"
    assert sha(pair.ours) == before


def test_case14_an_older_partner_file_is_merged_through_a_migrated_private_copy(pair, capsys):
    """Case 14 through the command: a schema-1 partner file merges (its records added),
    the JSON and the prose say it was read through an updated copy, and the file itself
    is byte for byte unchanged with nothing written beside it."""
    import shutil

    old = pair.theirs.with_name("old.cypdesk")
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.cypdesk", old)
    before, names = sha(old), beside(old)
    code, out = run_json(capsys, "merge", pair.ours, old)
    assert code == 0, out
    assert out["partner"]["migrated"] is True and out["partner"]["schema_version"] == 1 and out["added"] > 0
    assert sha(old) == before and beside(old) == names
    assert not list(partners_dir().iterdir())


def test_case33_a_file_merged_with_itself_changes_nothing(pair, capsys):
    """Case 33: FILE merged with FILE itself (the example the fault matrix runs) finds
    nothing to add, change or delete and no conflict; the content is the same."""
    digest = content_digest(pair.ours)
    code, out = run_json(capsys, "merge", pair.ours, pair.ours)
    assert code == 0, out
    assert (out["added"], out["changed"], out["deleted"], out["conflicts"]) == (0, 0, 0, 0)
    assert out["unchanged"] > 0
    assert content_digest(pair.ours) == digest
