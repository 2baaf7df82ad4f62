"""The shared copy for a partner (services/exchange/share.py) on real documents (the
demo, edited through the services): the one rule of services/outward.py applied to
every record, history, conflicts and paper snapshots, withheld values listed with
their stamps, the copy built fresh (no free pages) and the document never changed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.common.errors import Cancelled, UsageError
from cypdesk.io.sharefile import read_share_header, unpack_share
from cypdesk.model.catalog import CATALOG
from cypdesk.model.document import Document
from cypdesk.model.installation import Installation
from cypdesk.services import outward, records
from cypdesk.services.exchange.share import ShareField, share_fields, write_share_copy
from cypdesk.services.workspace import Workspace

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _unpacked(share: Path, tmp_path: Path, passphrase: str | None = None) -> Path:
    out = tmp_path / f"{share.stem}-inside.cypdesk"
    unpack_share(share, out, passphrase=passphrase)
    return out


def _rows(path: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def _contract_holders(path: Path) -> tuple[str, str, str]:
    """(a contract with a value, the organisation holding it, another organisation
    that neither holds it nor provides its service)."""
    cid, holder = _rows(path, "SELECT id, contracting_org_id FROM contracts WHERE annual_value IS NOT NULL "
                              "AND contracting_org_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    with closing(sqlite3.connect(path)) as conn:
        owners = set(outward.owners_of(conn, "contracts", [cid])[cid])
    other = next(r[0] for r in _rows(path, "SELECT id FROM organisations ORDER BY id") if r[0] not in owners)
    return cid, holder, other


def test_a_share_for_a_partner_is_every_records_redact_row_and_nothing_more(demo_path: Path, tmp_path: Path) -> None:
    """The one rule: for every kind, each row of the share equals outward.redact_row of
    the document's row for that partner (owned or not), and the rows redact_row leaves
    out are absent; the paper snapshots are redact_doc's (tested below)."""
    cid, holder, _other = _contract_holders(demo_path)
    result = write_share_copy(demo_path, tmp_path / "x.cypshare", for_org=holder)
    inside = _unpacked(result.path, tmp_path)
    src, dst = sqlite3.connect(demo_path), sqlite3.connect(inside)
    src.row_factory = dst.row_factory = sqlite3.Row
    partner = outward.Partner(holder, "")
    withheld_somewhere = 0
    try:
        for kind in CATALOG:
            if kind == "paper_snapshots":
                continue
            owned = outward.owned_ids(src, kind, partner)
            got = {r["id"]: dict(r) for r in dst.execute(f'SELECT * FROM "{kind}"')}
            expected = {}
            for r in src.execute(f'SELECT * FROM "{kind}"'):
                red = outward.redact_row(kind, dict(r), owned=r["id"] in owned)
                if red is not None:
                    expected[r["id"]] = red
                    withheld_somewhere += sum(1 for k in red if red[k] is None and r[k] is not None)
            assert got == expected, kind
    finally:
        src.close()
        dst.close()
    assert withheld_somewhere == result.withheld - result.withheld_by_field.get("paper_snapshots.content", 0)
    assert result.left_out == {"paper_sections": 2}


def test_a_share_for_the_holder_keeps_its_own_contract_values_and_withholds_others(demo_path: Path,
                                                                                    tmp_path: Path) -> None:
    """A provider sees its own contract values; another partner's share has none."""
    cid, holder, other = _contract_holders(demo_path)
    value = _rows(demo_path, "SELECT annual_value, total_value FROM contracts WHERE id = ?", cid)[0]
    mine = _unpacked(write_share_copy(demo_path, tmp_path / "mine.cypshare", for_org=holder).path, tmp_path)
    theirs = _unpacked(write_share_copy(demo_path, tmp_path / "theirs.cypshare", for_org=other).path, tmp_path)
    assert _rows(mine, "SELECT annual_value, total_value FROM contracts WHERE id = ?", cid)[0] == value
    assert _rows(theirs, "SELECT annual_value, total_value FROM contracts WHERE id = ?", cid)[0] == (None, None)
    assert _rows(mine, "SELECT count(*) FROM withheld_fields WHERE record_id = ?", cid) == [(0,)]
    assert _rows(theirs, "SELECT field, reason FROM withheld_fields WHERE record_id = ? ORDER BY field", cid) == [
        ("annual_value", "confidential"), ("total_value", "confidential")]


# --- the secret test of the issue ---------------------------------------------------------------

SECRETS = (9876543.21, 8765432.19, 98765432101.0)  # planted, edited, edited again (the last integral)


def _needles(value: float) -> dict[str, bytes]:
    """The forms a value can take in a file: its text (as Python, JSON and the window
    write it) in UTF-8 and UTF-16, and SQLite's record encodings (an 8-byte
    big-endian IEEE double; a REAL with no fraction below 2**47 is stored as an
    integer: 6 bytes for this one)."""
    import struct

    texts = {repr(value), json.dumps(value), f"{value:,.2f}", f"{value:.2f}"}
    if value == int(value):
        texts |= {str(int(value)), f"{int(value):,}"}
    out: dict[str, bytes] = {}
    for t in texts:
        out[f"utf8 {t}"] = t.encode()
        out[f"utf16le {t}"] = t.encode("utf-16-le")
        out[f"utf16be {t}"] = t.encode("utf-16-be")
    out["double be"] = struct.pack(">d", value)
    out["double le"] = struct.pack("<d", value)
    if value == int(value):
        out["int48 be"] = int(value).to_bytes(6, "big", signed=True)
        out["int64 be"] = int(value).to_bytes(8, "big", signed=True)
    return out


@pytest.fixture
def secret_document(demo_path: Path) -> tuple[Path, str]:
    """The demo with a secret contract value planted, edited twice, then the contract
    deleted and restored (undo), all through the services, and saved."""
    cid, _holder, _other = _contract_holders(demo_path)
    doc = Document.open(demo_path, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        for value in SECRETS:
            records.update(ws, "contracts", cid, {"annual_value": value, "total_value": value})
        change = records.delete(ws, "contracts", cid)
        records.restore(ws, change)
        doc.save()
    finally:
        doc.close()
    return demo_path, cid


@pytest.mark.parametrize("for_who", ["another_partner", "no_partner"])
def test_a_secret_value_edited_deleted_and_restored_is_nowhere_in_the_shares_bytes(
        secret_document: tuple[Path, str], for_who: str, tmp_path: Path) -> None:
    """None of the three values the contract held (planted, edited, edited again, then
    deleted and restored) appears in the share's bytes, compressed or decompressed, as
    text (UTF-8, UTF-16) or as SQLite's binary forms; the same search finds them in the
    document itself, so it can find them."""
    path, cid = secret_document
    _cid, _holder, other = _contract_holders(path)
    original = path.read_bytes()
    for value in SECRETS:
        assert f"{value}".encode() in original or json.dumps(value).encode() in original, "history holds it"
    assert _needles(SECRETS[-1])["int48 be"] in original  # the live record, stored as an integer
    result = write_share_copy(path, tmp_path / "s.cypshare", for_org=other if for_who == "another_partner" else None)
    inside = _unpacked(result.path, tmp_path)
    for blob_name, blob in (("compressed", result.path.read_bytes()), ("decompressed", inside.read_bytes())):
        for value in SECRETS:
            for form, needle in _needles(value).items():
                assert needle not in blob, f"{value} as {form} in the {blob_name} share"
    assert _rows(inside, "SELECT annual_value FROM contracts WHERE id = ?", cid) == [(None,)]
    assert _rows(inside, "SELECT count(*) FROM history WHERE record_id = ? AND op = 'delete'", cid) == [(1,)]


def test_withheld_fields_give_the_stamp_of_each_withheld_value(secret_document: tuple[Path, str],
                                                               tmp_path: Path) -> None:
    """Each withheld value is listed with its version: the field's field_versions stamp
    (the last edit, carried through delete and restore), else the record's created_hlc."""
    path, cid = secret_document
    inside = _unpacked(write_share_copy(path, tmp_path / "s.cypshare").path, tmp_path)
    expected = dict(_rows(path, "SELECT c.id, coalesce(fv.hlc, c.created_hlc) FROM contracts c LEFT JOIN "
                                "field_versions fv ON fv.table_name = 'contracts' AND fv.record_id = c.id "
                                "AND fv.field = 'annual_value' WHERE c.annual_value IS NOT NULL"))
    got = dict(_rows(inside, "SELECT record_id, hlc FROM withheld_fields WHERE table_name = 'contracts' "
                             "AND field = 'annual_value'"))
    assert got == expected and cid in got
    assert read_share_header(tmp_path / "s.cypshare").withheld == _rows(inside, "SELECT count(*) FROM withheld_fields")[0][0]


def test_history_keeps_every_change_but_not_the_withheld_values(secret_document: tuple[Path, str],
                                                                tmp_path: Path) -> None:
    """The share's history has every row of the document's (same ids, so a merge back
    adds none), with the withheld old and new values and the withheld fields of the
    delete snapshot emptied; other values stay."""
    path, cid = secret_document
    inside = _unpacked(write_share_copy(path, tmp_path / "s.cypshare").path, tmp_path)
    src = {r[0]: r for r in _rows(path, "SELECT id, field, old_value, new_value FROM history WHERE record_id = ?", cid)}
    dst = {r[0]: r for r in _rows(inside, "SELECT id, field, old_value, new_value FROM history WHERE record_id = ?",
                                  cid)}
    assert set(src) == set(dst) and len(src) >= 5
    for hid, (_i, fld, old, new) in dst.items():
        if fld in ("annual_value", "total_value"):
            assert (old, new) == (None, None) and src[hid][3] is not None
        elif fld is None and old:
            snap = json.loads(old)
            assert snap["annual_value"] is None and snap["total_value"] is None
            assert snap["reference"] == json.loads(src[hid][2])["reference"]
    everywhere = _rows(path, "SELECT count(*) FROM history")[0][0]
    assert _rows(inside, "SELECT count(*) FROM history")[0][0] == everywhere - _left_out_history(path)


def _left_out_history(path: Path) -> int:
    """History rows of the demo's confidential paper sections (left out of a share)."""
    return _rows(path, "SELECT count(*) FROM history h JOIN paper_sections s ON s.id = h.record_id "
                       "WHERE h.table_name = 'paper_sections' AND s.confidential = 1")[0][0]


def test_conflicts_lose_withheld_values_but_keep_the_rest(demo_path: Path, tmp_path: Path) -> None:
    """A conflict over a contract's value (and a delete-edit conflict whose values are
    snapshots) travels without the withheld values; a conflict over a service's name
    keeps both names."""
    cid, _holder, _other = _contract_holders(demo_path)
    sid = _rows(demo_path, "SELECT id FROM services ORDER BY id LIMIT 1")[0][0]
    snap = json.dumps({"id": cid, "reference": "REF-1", "annual_value": 5551234.75, "total_value": None})
    with closing(sqlite3.connect(demo_path)) as conn, conn:
        conn.executemany(
            "INSERT INTO conflicts (id, table_name, record_id, field, kind, ours_value, theirs_value, detected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01 00:00:00')",
            [(str(uuid.uuid4()), "contracts", cid, "annual_value", "field", "5551234.75", "5559876.25"),
             (str(uuid.uuid4()), "contracts", cid, None, "delete_edit", snap, None),
             (str(uuid.uuid4()), "services", sid, "name", "field", '"Ours"', '"Theirs"')])
    inside = _unpacked(write_share_copy(demo_path, tmp_path / "c.cypshare").path, tmp_path)
    got = {(t, f): (o, th) for t, f, o, th in _rows(inside, "SELECT table_name, field, ours_value, theirs_value "
                                                          "FROM conflicts")}
    assert len(got) == 3
    ours, theirs = got[("contracts", None)]
    assert json.loads(ours)["annual_value"] is None and json.loads(ours)["reference"] == "REF-1" and theirs is None
    assert got[("contracts", "annual_value")] == (None, None)
    assert got[("services", "name")] == ('"Ours"', '"Theirs"')
    assert b"5551234.75" not in inside.read_bytes() and b"5559876.25" not in inside.read_bytes()


def test_paper_snapshots_are_their_provider_safe_version(demo_path: Path, tmp_path: Path) -> None:
    """A final paper's snapshot in the share is redact_doc's version for the partner
    (confidential sections out, contact out), and a changed one is listed as withheld."""
    from cypdesk.common.paperdoc import PaperDoc
    from cypdesk.services.papers.redact import redact_doc

    _cid, holder, _other = _contract_holders(demo_path)
    inside = _unpacked(write_share_copy(demo_path, tmp_path / "p.cypshare", for_org=holder).path, tmp_path)
    name = _rows(demo_path, "SELECT name FROM organisations WHERE id = ?", holder)[0][0]
    src = dict(_rows(demo_path, "SELECT id, content FROM paper_snapshots"))
    dst = dict(_rows(inside, "SELECT id, content FROM paper_snapshots"))
    assert src and set(src) == set(dst)
    for sid, content in src.items():
        assert dst[sid] == redact_doc(PaperDoc.from_json(content), outward.Partner(holder, name)).to_json()
    changed = {sid for sid in src if src[sid] != dst[sid]}
    assert changed and changed == {r[0] for r in _rows(inside, "SELECT record_id FROM withheld_fields WHERE "
                                                              "table_name = 'paper_snapshots' AND field = 'content'")}


def test_confidential_sections_their_history_and_text_are_left_out(demo_path: Path, tmp_path: Path) -> None:
    """The demo's confidential paper sections are not in the share, nor their history,
    nor their text anywhere in its bytes."""
    sections = _rows(demo_path, "SELECT id, body FROM paper_sections WHERE confidential = 1")
    assert sections
    inside = _unpacked(write_share_copy(demo_path, tmp_path / "s.cypshare").path, tmp_path)
    blob = inside.read_bytes()
    for sid, body in sections:
        assert _rows(inside, "SELECT count(*) FROM paper_sections WHERE id = ?", sid) == [(0,)]
        assert _rows(inside, "SELECT count(*) FROM history WHERE record_id = ?", sid) == [(0,)]
        assert _rows(inside, "SELECT count(*) FROM field_versions WHERE record_id = ?", sid) == [(0,)]
        assert body[:40].encode() not in blob


def test_the_copy_is_built_fresh_at_head_with_no_free_pages(demo_path: Path, tmp_path: Path) -> None:
    """The document inside is a sound cypdesk document at head schema (its structure
    exactly the golden schema's), with no free page, the document's own id and title."""
    from cypdesk.model import dbfile, schemacheck
    from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION

    result = write_share_copy(demo_path, tmp_path / "f.cypshare")
    inside = _unpacked(result.path, tmp_path)
    status = dbfile.inspect_file(inside)
    assert status.schema_version == CURRENT_SCHEMA_VERSION and not status.needs_migration
    with closing(dbfile.probe(inside)) as conn:
        schemacheck.verify(conn, inside, CURRENT_SCHEMA_VERSION)
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT id, title FROM document").fetchone() == tuple(
            _rows(demo_path, "SELECT id, title FROM document")[0])
    header = read_share_header(result.path)
    assert header.document_id == _rows(demo_path, "SELECT id FROM document")[0][0]
    assert header.schema_version == CURRENT_SCHEMA_VERSION and header.for_org_id is None


def test_contact_details_are_withheld_unless_chosen(demo_path: Path, tmp_path: Path) -> None:
    """Without contacts no email or telephone travels; with contacts they do; an
    override may show emails alone."""
    emails = {r[0] for r in _rows(demo_path, "SELECT email FROM people WHERE email IS NOT NULL")}
    assert emails
    none = _unpacked(write_share_copy(demo_path, tmp_path / "a.cypshare").path, tmp_path)
    assert _rows(none, "SELECT count(*) FROM people WHERE email IS NOT NULL OR phone IS NOT NULL") == [(0,)]
    assert not any(e.encode() in none.read_bytes() for e in emails)
    both = _unpacked(write_share_copy(demo_path, tmp_path / "b.cypshare", contacts=True).path, tmp_path)
    assert {r[0] for r in _rows(both, "SELECT email FROM people WHERE email IS NOT NULL")} == emails
    only = _unpacked(write_share_copy(demo_path, tmp_path / "c.cypshare",
                                      overrides={("people", "email"): False}).path, tmp_path)
    assert {r[0] for r in _rows(only, "SELECT email FROM people WHERE email IS NOT NULL")} == emails
    assert _rows(only, "SELECT count(*) FROM people WHERE phone IS NOT NULL") == [(0,)]


def test_an_override_withholds_more_even_on_the_partners_own_records(demo_path: Path, tmp_path: Path) -> None:
    """Withholding a field by choice empties it on every record, the partner's own too,
    lists each value as "chosen", and empties it in history."""
    _cid, holder, _other = _contract_holders(demo_path)
    result = write_share_copy(demo_path, tmp_path / "o.cypshare", for_org=holder,
                              overrides={("services", "description"): True, ("contracts", "annual_value"): True})
    inside = _unpacked(result.path, tmp_path)
    assert _rows(inside, "SELECT count(*) FROM services WHERE description IS NOT NULL") == [(0,)]
    assert _rows(inside, "SELECT count(*) FROM contracts WHERE annual_value IS NOT NULL") == [(0,)]
    described = _rows(demo_path, "SELECT count(*) FROM services WHERE description IS NOT NULL")[0][0]
    assert _rows(inside, "SELECT count(*), min(reason) FROM withheld_fields WHERE table_name = 'services' "
                         "AND field = 'description'") == [(described, "chosen")]
    assert _rows(inside, "SELECT count(*) FROM history WHERE table_name = 'services' AND field = 'description' "
                         "AND (old_value IS NOT NULL OR new_value IS NOT NULL)") == [(0,)]


@pytest.mark.parametrize("overrides, words", [
    ({("contracts", "annual_value"): False}, "confidential"),
    ({("services", "no_such_field"): True}, "no field"),
    ({("services", "id"): True}, "cannot be withheld"),
    ({("services", "name"): True}, "required on every record"),
])
def test_an_override_cannot_show_a_confidential_field_withhold_a_required_one_or_name_one_not_there(
        demo_path: Path, tmp_path: Path, overrides: dict, words: str) -> None:
    with pytest.raises(UsageError) as info:
        write_share_copy(demo_path, tmp_path / "x.cypshare", overrides=overrides)
    assert words in info.value.message
    assert not (tmp_path / "x.cypshare").exists()


def test_share_fields_say_what_is_withheld_and_why(demo_path: Path) -> None:
    """share_fields lists each field of each kind with the rule's answer: contract
    values withheld but seen on the partner's own records, contact details withheld
    unless chosen, a service's name shared; ids and stamps are not listed."""
    _cid, holder, _other = _contract_holders(demo_path)
    fields = {(f.table, f.field): f for f in share_fields(demo_path, for_org=holder)}
    value = fields[("contracts", "annual_value")]
    assert isinstance(value, ShareField) and value.withheld and value.code == "confidential" and value.owner_sees
    assert "except on the records the partner owns" in value.reason
    email = fields[("people", "email")]
    assert email.withheld and email.code == "contact" and email.can_show and not email.owner_sees
    assert not fields[("services", "name")].withheld and fields[("services", "name")].reason == "Shared"
    assert ("services", "id") not in fields and ("services", "hlc") not in fields
    shown = {(f.table, f.field): f for f in share_fields(demo_path, for_org=None, contacts=True)}
    assert not shown[("people", "email")].withheld
    assert "every record" in shown[("contracts", "annual_value")].reason
    assert not fields[("services", "name")].can_withhold and fields[("services", "description")].can_withhold
    chosen = {(f.table, f.field): f for f in share_fields(demo_path, for_org=None,
                                                          overrides={("services", "description"): True})}
    assert chosen[("services", "description")].withheld and chosen[("services", "description")].code == "chosen"


def test_the_document_is_never_changed_and_a_failure_writes_nothing(demo_path: Path, tmp_path: Path) -> None:
    """Sharing reads the document only (its bytes are unchanged); a share to a folder
    that does not exist, or cancelled, leaves no file and no temporary file."""
    before = _sha(demo_path)
    write_share_copy(demo_path, tmp_path / "ok.cypshare", passphrase="a long enough passphrase")
    assert _sha(demo_path) == before
    with pytest.raises(Exception) as info:
        write_share_copy(demo_path, tmp_path / "missing" / "x.cypshare")
    assert getattr(info.value, "code", None) == "save_failed"

    class Cancel:
        def report(self, done: int, total: int, text: str = "") -> None:
            pass

        def cancelled(self) -> bool:
            return True

    with pytest.raises(Cancelled):
        write_share_copy(demo_path, tmp_path / "c.cypshare", progress=Cancel())
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".cypshare" or p.name.startswith(".~")) == [
        "ok.cypshare"]
    assert _sha(demo_path) == before


def test_a_share_is_written_only_to_a_cypshare_file(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_share_copy(demo_path, tmp_path / "x.cypdesk")


def test_an_open_documents_share_holds_its_unsaved_edits(demo_path: Path, tmp_path: Path) -> None:
    """Shared from the window (a Workspace): the working copy, unsaved edits included."""
    sid = _rows(demo_path, "SELECT id FROM services ORDER BY id LIMIT 1")[0][0]
    doc = Document.open(demo_path, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        records.update(ws, "services", sid, {"name": "Renamed, not saved"})
        result = write_share_copy(ws, tmp_path / "w.cypshare")
    finally:
        doc.close(discard=True)
    inside = _unpacked(result.path, tmp_path)
    assert _rows(inside, "SELECT name FROM services WHERE id = ?", sid) == [("Renamed, not saved",)]
    assert result.header.made_by == "alice"


def test_an_older_document_is_shared_at_head_and_left_as_it_was(tmp_path: Path) -> None:
    """A schema-1 document is migrated in a private copy; the file itself is unchanged."""
    import shutil

    from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION

    old = tmp_path / "old.cypdesk"
    shutil.copy(Path(__file__).parents[2] / "fixtures" / "schema_v1.cypdesk", old)
    before = _sha(old)
    result = write_share_copy(old, tmp_path / "old.cypshare")
    assert _sha(old) == before
    inside = _unpacked(result.path, tmp_path)
    assert _rows(inside, "PRAGMA user_version") == [(CURRENT_SCHEMA_VERSION,)]


def test_merging_the_share_back_never_blanks_the_withheld_values(secret_document: tuple[Path, str],
                                                                 tmp_path: Path) -> None:
    """The document merged with its own share (unpacked) keeps every contract value:
    the share's empty fields carry the withheld stamps, which never beat the values."""
    from tests.services.exchange.engine_kit import merge

    path, cid = secret_document
    values = dict(_rows(path, "SELECT id, annual_value FROM contracts"))
    inside = _unpacked(write_share_copy(path, tmp_path / "back.cypshare").path, tmp_path)
    doc = Document.open(path, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        plan, result = merge(ws, inside)
        with closing(sqlite3.connect(doc.working_path)) as conn:
            after = dict(conn.execute("SELECT id, annual_value FROM contracts"))
    finally:
        doc.close(discard=True)
    assert after == values and after[cid] == SECRETS[-1]
    assert not [c for c in plan.changed if c.table == "contracts"]
