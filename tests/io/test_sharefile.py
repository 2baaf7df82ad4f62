"""The .cypshare container (cypdesk.io.sharefile): its signature, compressed round trip,
encryption with a key check, and the four share errors, each with nothing written.

The payload is 2.5 MB of seeded random bytes (incompressible, so the share has three
chunks of 1 MiB and chunk boundaries can be cut at), or a small real document.
Encrypted tests run the real scrypt (N = 2**17): about half a second each."""

from __future__ import annotations

import hashlib
import random
import struct
from pathlib import Path

import pytest

from cypdesk.common.errors import NotADocument, PassphraseNeeded, ShareDamaged, ShareTruncated, WrongPassphrase
from cypdesk.io import sharefile
from cypdesk.io.sharefile import MAGIC, ShareHeader, is_share_file, read_share_header, unpack_share, write_share

PASS = "correct horse battery staple"


def _header() -> ShareHeader:
    return ShareHeader(document_id="doc-1", title="Northshire Children's Trust", schema_version=10,
                       trust_name="Northshire", made_by="officer", for_org_id="org-1", for_org_name="Acme Care")


@pytest.fixture(scope="module")
def payload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("payload") / "payload.bin"
    path.write_bytes(random.Random(11).randbytes(2_500_000))
    return path


@pytest.fixture(scope="module")
def encrypted(payload: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("enc") / "enc.cypshare"
    write_share(payload, out, _header(), passphrase=PASS)
    return out


@pytest.fixture(scope="module")
def plain(payload: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "plain.cypshare"
    write_share(payload, out, _header())
    return out


def _frames(path: Path) -> list[tuple[int, int, int]]:
    """(offset, flags, payload length) of each chunk of the share at ``path``."""
    raw = path.read_bytes()
    pos = len(MAGIC)
    (hlen,) = struct.unpack(">I", raw[pos:pos + 4])
    pos += 4 + hlen + 32
    out = []
    while pos < len(raw):
        flags, length = struct.unpack(">BI", raw[pos:pos + 5])
        out.append((pos, flags, length))
        pos += 5 + length
    return out


def _with_header(share: Path, out: Path, old: bytes, new: bytes) -> Path:
    """A copy of ``share`` at ``out`` whose header has ``old`` replaced by ``new``, with
    the header's length and SHA-256 redone as a forger would; the chunks as they were."""
    raw = share.read_bytes()
    pos = len(MAGIC)
    (hlen,) = struct.unpack(">I", raw[pos:pos + 4])
    body = raw[pos + 4:pos + 4 + hlen].replace(old, new)
    lead = MAGIC + struct.pack(">I", len(body)) + body
    out.write_bytes(lead + hashlib.sha256(lead).digest() + raw[pos + 4 + hlen + 32:])
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    """A file already at the destination: every refusal must leave it byte for byte."""
    p = tmp_path / "dest.cypdesk"
    p.write_bytes(b"the user's earlier file")
    return p


def _refused(share: Path, dest: Path, exc: type[Exception], passphrase: str | None = PASS) -> Exception:
    before = _sha(dest)
    with pytest.raises(exc) as info:
        unpack_share(share, dest, passphrase=passphrase)
    assert _sha(dest) == before, "the destination changed"
    assert sorted(p.name for p in dest.parent.iterdir() if p.name.startswith(".~")) == [], "a temporary file was left"
    assert str(share) in info.value.message, "the message must name the share"
    return info.value


def test_a_plain_share_round_trips_byte_for_byte_and_is_compressed(tmp_path: Path) -> None:
    """A compressible document comes back identical, and the share is smaller than it."""
    doc = tmp_path / "doc.bin"
    doc.write_bytes(b"indicator value 12.5 for area E06000001\n" * 50_000)
    out = write_share(doc, tmp_path / "x.cypshare", _header())
    assert out.stat().st_size < doc.stat().st_size / 20
    header = unpack_share(out, tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == doc.read_bytes()
    assert header.compression == "zstd" and not header.encrypted
    assert header.sha256 == hashlib.sha256(doc.read_bytes()).hexdigest()


def test_the_share_starts_with_its_own_signature_never_sqlites(plain: Path, payload: Path) -> None:
    """A share's first bytes are MAGIC; is_share_file tells it from other files."""
    assert plain.read_bytes()[:len(MAGIC)] == MAGIC
    assert not MAGIC.startswith(b"SQLite format 3")
    assert is_share_file(plain)
    assert not is_share_file(payload)
    assert not is_share_file(plain.parent / "no-such-file")


def test_the_header_is_read_without_the_passphrase(encrypted: Path) -> None:
    """read_share_header gives the title, partner and sizes of an encrypted share, and
    never the key material."""
    header = read_share_header(encrypted)
    assert header.encrypted and header.title == "Northshire Children's Trust"
    assert header.for_org_name == "Acme Care" and header.plain_size == 2_500_000
    assert header.kdf["name"] == "scrypt" and header.kdf["n"] == 2 ** 17 and header.kdf["r"] == 8
    shown = header.to_dict()
    assert "cipher" not in shown and "salt" not in shown["kdf"]


def test_an_encrypted_share_round_trips_with_its_passphrase(encrypted: Path, payload: Path, tmp_path: Path) -> None:
    """The right passphrase gives back the document byte for byte; the share's bytes do
    not hold the document in clear."""
    header = unpack_share(encrypted, tmp_path / "out.bin", passphrase=PASS)
    assert (tmp_path / "out.bin").read_bytes() == payload.read_bytes()
    assert header.encrypted
    assert payload.read_bytes()[1000:1064] not in encrypted.read_bytes()


def test_the_passphrase_is_compared_in_unicode_normal_form(payload: Path, tmp_path: Path) -> None:
    """A passphrase typed with a combining accent opens a share made with the composed
    letter (two keyboards, one passphrase)."""
    small = tmp_path / "small.bin"
    small.write_bytes(b"x" * 1000)
    out = write_share(small, tmp_path / "s.cypshare", _header(), passphrase="caf\u00e9 cr\u00e8me")
    unpack_share(out, tmp_path / "o.bin", passphrase="cafe\u0301 cre\u0300me")
    assert (tmp_path / "o.bin").read_bytes() == small.read_bytes()


def test_no_passphrase_for_an_encrypted_share_is_passphrase_needed_exit_2(encrypted: Path, dest: Path) -> None:
    err = _refused(encrypted, dest, PassphraseNeeded, passphrase=None)
    assert err.exit_code == 2 and err.code == "passphrase_needed"


def test_a_wrong_passphrase_is_told_apart_from_damage_exit_2(encrypted: Path, dest: Path) -> None:
    """The key-check value says the passphrase is wrong (not that the file is damaged)."""
    err = _refused(encrypted, dest, WrongPassphrase, passphrase="correct horse battery stapler")
    assert err.exit_code == 2 and err.code == "wrong_passphrase"


def test_a_changed_byte_in_an_encrypted_chunk_is_damaged_exit_1(encrypted: Path, dest: Path, tmp_path: Path) -> None:
    """With the right passphrase, one flipped bit in the middle chunk fails its tag."""
    raw = bytearray(encrypted.read_bytes())
    offset, _flags, length = _frames(encrypted)[1]
    raw[offset + 5 + length // 2] ^= 0x01
    bad = tmp_path / "bad.cypshare"
    bad.write_bytes(bytes(raw))
    err = _refused(bad, dest, ShareDamaged)
    assert err.exit_code == 1 and err.code == "damaged_in_transit"


def test_a_changed_header_of_an_encrypted_share_is_damaged_even_with_its_checksum_redone(
        encrypted: Path, dest: Path, tmp_path: Path) -> None:
    """A forger who edits the title and recomputes the header's SHA-256 is still caught:
    every chunk's associated data holds the original header digest."""
    bad = _with_header(encrypted, tmp_path / "forged.cypshare", b"Northshire Children", b"Southshire Children")
    assert bad.stat().st_size == encrypted.stat().st_size  # the header as long as before
    assert read_share_header(bad).title.startswith("Southshire")  # the checksum alone cannot tell
    _refused(bad, dest, ShareDamaged)


def test_a_changed_header_byte_is_damaged_without_a_passphrase(plain: Path, tmp_path: Path) -> None:
    """Damage to the header is found by read_share_header itself (its checksum)."""
    raw = bytearray(plain.read_bytes())
    raw[len(MAGIC) + 10] ^= 0x20
    bad = tmp_path / "h.cypshare"
    bad.write_bytes(bytes(raw))
    with pytest.raises(ShareDamaged):
        read_share_header(bad)


def test_swapped_chunks_of_an_encrypted_share_are_damaged(encrypted: Path, dest: Path, tmp_path: Path) -> None:
    """The chunk's index is in its nonce and associated data: reordering is found."""
    raw = encrypted.read_bytes()
    (o0, _f0, l0), (o1, _f1, l1), _last = _frames(encrypted)
    first, second = raw[o0:o0 + 5 + l0], raw[o1:o1 + 5 + l1]
    bad = tmp_path / "swapped.cypshare"
    bad.write_bytes(raw[:o0] + second + first + raw[o1 + 5 + l1:])
    _refused(bad, dest, ShareDamaged)


@pytest.mark.parametrize("share_kind", ["plain", "encrypted"])
@pytest.mark.parametrize("cut", ["after_a_whole_chunk", "inside_a_chunk", "inside_the_header", "inside_the_signature"])
def test_a_cut_short_share_is_truncated_exit_1(share_kind: str, cut: str, request: pytest.FixtureRequest,
                                               dest: Path, tmp_path: Path) -> None:
    """A share cut anywhere is ShareTruncated: after a whole chunk the final mark is
    missing; elsewhere the frame is incomplete."""
    share: Path = request.getfixturevalue(share_kind)
    raw = share.read_bytes()
    frames = _frames(share)
    at = {"after_a_whole_chunk": frames[2][0], "inside_a_chunk": frames[1][0] + 1000,
          "inside_the_header": len(MAGIC) + 20, "inside_the_signature": 5}[cut]
    bad = tmp_path / "cut.cypshare"
    bad.write_bytes(raw[:at])
    err = _refused(bad, dest, ShareTruncated)
    assert err.exit_code == 1 and err.code == "truncated"


def test_a_forged_final_mark_on_a_cut_encrypted_share_is_caught(encrypted: Path, dest: Path, tmp_path: Path) -> None:
    """Cutting after chunk 2 and setting its final flag fails: the flag is sealed in its
    associated data and nonce."""
    raw = bytearray(encrypted.read_bytes())
    frames = _frames(encrypted)
    raw[frames[1][0]] = sharefile.FINAL
    bad = tmp_path / "forged-final.cypshare"
    bad.write_bytes(bytes(raw[:frames[2][0]]))
    _refused(bad, dest, ShareDamaged)


def test_a_plain_share_whose_content_changed_is_damaged(plain: Path, dest: Path, tmp_path: Path) -> None:
    """Without encryption the document's SHA-256 in the header finds a changed byte."""
    raw = bytearray(plain.read_bytes())
    offset, _flags, length = _frames(plain)[0]
    raw[offset + 5 + length // 2] ^= 0x01
    bad = tmp_path / "flip.cypshare"
    bad.write_bytes(bytes(raw))
    _refused(bad, dest, ShareDamaged, passphrase=None)


def test_bytes_after_the_final_chunk_are_damaged(plain: Path, dest: Path, tmp_path: Path) -> None:
    bad = tmp_path / "tail.cypshare"
    bad.write_bytes(plain.read_bytes() + b"\x00extra")
    _refused(bad, dest, ShareDamaged, passphrase=None)


def test_a_header_that_understates_the_size_stops_decompression_there(tmp_path: Path, dest: Path) -> None:
    """A crafted share whose content expands past its header's plain_size (a
    decompression bomb) is refused at that size."""
    doc = tmp_path / "zeros.bin"
    doc.write_bytes(bytes(20_000_000))
    share = write_share(doc, tmp_path / "z.cypshare", _header())
    bad = _with_header(share, tmp_path / "bomb.cypshare", b'"plain_size":20000000', b'"plain_size":10000000')
    err = _refused(bad, dest, ShareDamaged, passphrase=None)
    assert "10,000,000" in err.message


def test_scrypt_parameters_out_of_bounds_are_refused_before_deriving(encrypted: Path, dest: Path,
                                                                     tmp_path: Path) -> None:
    """A header asking for N = 2**30 (a 128 GiB scrypt) is refused as damaged, quickly."""
    bad = _with_header(encrypted, tmp_path / "kdf.cypshare", b'"n":131072', b'"n":1073741824')
    err = _refused(bad, dest, ShareDamaged)
    assert "out of bounds" in err.message


def test_each_encryption_uses_a_fresh_salt_and_nonces(payload: Path, tmp_path: Path) -> None:
    """Two shares of the same document with the same passphrase share no salt, nonce
    prefix or ciphertext."""
    small = tmp_path / "small.bin"
    small.write_bytes(payload.read_bytes()[:5000])
    a = write_share(small, tmp_path / "a.cypshare", _header(), passphrase=PASS)
    b = write_share(small, tmp_path / "b.cypshare", _header(), passphrase=PASS)
    ha, hb = read_share_header(a), read_share_header(b)
    assert ha.kdf["salt"] != hb.kdf["salt"] and ha.cipher["nonce_prefix"] != hb.cipher["nonce_prefix"]
    assert a.read_bytes()[-200:] != b.read_bytes()[-200:]


def test_a_failed_write_leaves_no_share_and_no_temporary_file(payload: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while writing the chunks (a patched file writer that fails with
    ENOSPC after the header) is disk_full naming the share, and leaves the folder as it
    was: no share, no .~save- file."""
    import errno

    class FullAfterHeader:
        def __init__(self, fh: object) -> None:
            self.fh, self.calls = fh, 0

        def write(self, data: bytes) -> int:
            self.calls += 1
            if self.calls > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.fh.write(data)

    real_init = sharefile._Writer.__init__
    monkeypatch.setattr(sharefile._Writer, "__init__",
                        lambda self, fh, target: real_init(self, FullAfterHeader(fh), target))
    out = tmp_path / "x.cypshare"
    with pytest.raises(Exception) as info:
        write_share(payload, out, _header())
    assert getattr(info.value, "code", None) == "disk_full" and str(out) in info.value.message
    assert [p.name for p in tmp_path.iterdir()] == []


def test_cypdesk_check_refuses_a_share_as_a_shared_copy_to_merge(plain: Path) -> None:
    """dbfile.inspect_file names a share for what it is: a shared copy to merge or save
    as a new document, never a working document (exit 2)."""
    from cypdesk.model.dbfile import inspect_file

    with pytest.raises(NotADocument) as info:
        inspect_file(plain)
    assert "shared copy" in info.value.message and "merge" in info.value.message
    assert "save it as a new document" in info.value.message
    assert info.value.exit_code == 2 and info.value.to_dict()["kind"] == "share"


def test_a_header_with_fields_of_the_wrong_kind_is_damaged(plain: Path, tmp_path: Path) -> None:
    """A header whose size is text (a crafted or mangled share) is refused as damaged,
    never a traceback."""
    bad = _with_header(plain, tmp_path / "kinds.cypshare", b'"plain_size":2500000', b'"plain_size":"2500000"')
    with pytest.raises(ShareDamaged):
        read_share_header(bad)
