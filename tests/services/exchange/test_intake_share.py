"""A ``.cypshare`` taken in as a partner's file (issue 11 items 2, 5 and 6; reliability
case 40; contract section 3): unpacked (its seal verified) into the private folder, then
checked exactly as a document is; a share of another trust, a tampered, truncated or
wrongly unlocked one refused in plain words, with our document and the share as they
were.

The shares here pack a copy of the demo with :func:`cypdesk.io.sharefile.write_share`
(the container alone: what a share copy holds is i11-share's to test). Encrypted ones
are made with scrypt's cost patched down to N = 2**14 (``cheap_scrypt``, the least a
reader accepts) so that each test takes milliseconds, not half a second per key."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.io import sharefile
from cypdesk.io.sharefile import ShareHeader, write_share
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from cypdesk.services.exchange import intake
from cypdesk.services.exchange.intake import open_partner, partner_connection, partners_dir
from tests.services.exchange.intake_helpers import Unchanged, copy_alone, refused
from tests.tampering import TRIGGER, tamper

OTHER_TRUST = "Hillside Children's Partnership"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def cheap_scrypt(monkeypatch):
    """scrypt's cost patched down to N = 2**14 for the shares a test writes."""
    monkeypatch.setattr(sharefile, "SCRYPT_N", 1 << 14)


def document_row(path: Path) -> tuple[str, str, str | None]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT id, title, trust_name FROM document").fetchone()


def make_share(document: Path, out: Path, *, passphrase: str | None = None) -> Path:
    """``document`` packed into the share ``out`` (its header from its settings row)."""
    doc_id, title, trust = document_row(document)
    header = ShareHeader(document_id=doc_id, title=title, schema_version=CURRENT_SCHEMA_VERSION, trust_name=trust)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_share(document, out, header, passphrase=passphrase)


@pytest.fixture
def share(demo_master, tmp_path) -> Path:
    """A plain share of the demo (the same document as ours), alone in its folder."""
    source = copy_alone(demo_master, tmp_path / "made")
    return make_share(source, tmp_path / "from-partner" / "partner.cypshare")


@pytest.fixture
def sealed(demo_master, tmp_path, cheap_scrypt) -> Path:
    """An encrypted share of the demo, alone in its folder."""
    source = copy_alone(demo_master, tmp_path / "made")
    return make_share(source, tmp_path / "from-partner" / "sealed.cypshare", passphrase=PASSPHRASE)


def other_trusts_share(demo_master, tmp_path, *, trust: str | None = OTHER_TRUST) -> Path:
    """A share of another document: its own id, and the trust name ``trust``."""
    source = copy_alone(demo_master, tmp_path / "other-made")
    with closing(sqlite3.connect(source)) as conn, conn:
        conn.execute("UPDATE document SET id = '99999999-9999-4999-8999-999999999999', trust_name = ?", (trust,))
    return make_share(source, tmp_path / "from-other" / "other.cypshare")


# --- accepted -------------------------------------------------------------------------------------

def test_a_share_is_unpacked_privately_and_read_like_a_document(ws, share):
    """The PartnerFile is a share: its header kept, its document unpacked into the
    private folder and checked; the share itself untouched; the copy deleted after."""
    before = Unchanged(ws, share)
    with open_partner(share, ours=ws) as theirs:
        assert theirs.kind == "share" and theirs.is_share and theirs.info().is_share
        assert theirs.header is not None and theirs.header.document_id == theirs.document_id
        assert theirs.path.parent.parent == partners_dir() and theirs.path.suffix == ".cypdesk"
        assert theirs.sha256 == theirs.header.sha256
        with closing(partner_connection(theirs.path)) as conn:
            assert conn.execute("SELECT count(*) FROM services").fetchone()[0] > 0
    before.check()


def test_an_encrypted_share_opens_with_its_passphrase(ws, sealed):
    with open_partner(sealed, ours=ws, passphrase=PASSPHRASE) as theirs:
        assert theirs.header.encrypted and theirs.kind == "share"
    assert not list(partners_dir().iterdir())


def test_a_share_of_another_document_of_our_trust_is_accepted(ws, demo_master, tmp_path):
    """Another document id, but the same trust name as ours: a colleague's document."""
    _id, _title, ours_trust = document_row(ws.doc.working_path)
    other = other_trusts_share(demo_master, tmp_path, trust=ours_trust.upper())  # case and spaces aside
    with open_partner(other, ours=ws) as theirs:
        assert theirs.document_id != document_row(ws.doc.working_path)[0]


def test_a_share_of_another_trust_we_have_merged_with_before_is_accepted(ws, demo_master, tmp_path):
    """Another trust, but its document is one of our merge peers: exchanging again."""
    other = other_trusts_share(demo_master, tmp_path)
    from cypdesk.model.system import MergePeer

    with ws.write() as session:
        session.add(MergePeer(document_id="99999999-9999-4999-8999-999999999999", title="Hillside", merges=1))
    with open_partner(other, ours=ws) as theirs:
        assert theirs.trust_name == OTHER_TRUST


def test_a_share_with_no_trust_name_is_not_taken_for_another_trusts(ws, demo_master, tmp_path):
    other = other_trusts_share(demo_master, tmp_path, trust=None)
    with open_partner(other, ours=ws) as theirs:
        assert theirs.trust_name is None


# --- refused -------------------------------------------------------------------------------------

def test_a_share_of_a_different_trust_is_refused(ws, demo_master, tmp_path):
    """A share whose document is neither ours nor a merge peer, from a trust of another
    name: refused (exit 1), naming both trusts."""
    other = other_trusts_share(demo_master, tmp_path)
    _id, _title, ours_trust = document_row(ws.doc.working_path)
    exc = refused(ws, other, "different_trust", 1, "comes from another trust", OTHER_TRUST, ours_trust)
    assert exc.facts["partner_trust"] == OTHER_TRUST


def test_case40_a_share_damaged_in_transit_is_refused(ws, share):
    """Case 40: one byte flipped in the middle of the share (a mail gateway, a broken
    download): the unpacked document does not match the header's checksum, or a part
    fails to decompress: refused as damaged in transit, exit 1, nothing written."""
    data = bytearray(share.read_bytes())
    data[len(data) // 2] ^= 0xFF
    share.write_bytes(bytes(data))
    refused(ws, share, "damaged_in_transit", 1, str(share))


def test_a_share_whose_header_was_changed_is_refused(ws, share):
    data = share.read_bytes()
    share.write_bytes(data.replace(b'"schema_version":', b'"schema_version": ', 1))
    refused(ws, share, "damaged_in_transit", 1, "checksum")


def test_a_truncated_share_is_refused(ws, share):
    data = share.read_bytes()
    share.write_bytes(data[:len(data) - 200])
    refused(ws, share, "truncated", 1, "cut short")


def test_a_tampered_encrypted_share_is_refused_as_damaged_not_as_a_wrong_passphrase(ws, sealed):
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01
    sealed.write_bytes(bytes(data))
    before = Unchanged(ws, sealed)
    with pytest.raises(intake.CypdeskError) as err:
        with open_partner(sealed, ours=ws, passphrase=PASSPHRASE):
            pass
    assert (err.value.code, err.value.exit_code) == ("damaged_in_transit", 1)
    before.check()


def test_a_truncated_encrypted_share_is_refused_as_truncated(ws, sealed):
    data = sealed.read_bytes()
    sealed.write_bytes(data[:len(data) - 100])
    with pytest.raises(intake.CypdeskError) as err:
        with open_partner(sealed, ours=ws, passphrase=PASSPHRASE):
            pass
    assert (err.value.code, err.value.exit_code) == ("truncated", 1)
    assert not list(partners_dir().iterdir())


def test_an_encrypted_share_without_a_passphrase_is_refused_exit_2(ws, sealed):
    refused(ws, sealed, "passphrase_needed", 2, "is encrypted")


def test_an_encrypted_share_with_the_wrong_passphrase_is_refused_exit_2(ws, sealed):
    before = Unchanged(ws, sealed)
    with pytest.raises(intake.CypdeskError) as err:
        with open_partner(sealed, ours=ws, passphrase="wrong horse"):
            pass
    assert (err.value.code, err.value.exit_code) == ("wrong_passphrase", 2)
    assert "your document has not been changed" in err.value.message
    before.check()


def test_a_share_holding_a_trigger_is_refused_like_a_document(ws, demo_master, tmp_path):
    """The document inside a share is checked against the golden schema as any partner
    file: a trigger packed into a share is refused before it can fire."""
    source = copy_alone(demo_master, tmp_path / "made")
    tamper(source, TRIGGER)
    share = make_share(source, tmp_path / "from-partner" / "armed.cypshare")
    refused(ws, share, "foreign_schema", 1, "a trigger 'evil' on services", "armed.cypshare")


def test_case16_a_share_that_would_unpack_above_the_limit_is_refused_before_unpacking(ws, share, monkeypatch):
    """Case 16 for a share, with MAX_PARTNER_BYTES patched to one byte above the share's
    own size (compressed, it passes): the plain size its header states is above the
    limit, so it is refused before anything is unpacked (unpack_share never called)."""
    monkeypatch.setattr(intake, "MAX_PARTNER_BYTES", share.stat().st_size + 1)
    monkeypatch.setattr(sharefile, "unpack_share", lambda *a, **k: pytest.fail("unpacked"))
    exc = refused(ws, share, "too_large", 1, "unpacked it would be")
    assert exc.facts["size"] == sharefile.read_share_header(share).plain_size
