"""The ``.cypshare`` container: a shared copy of a document that travels by email
(DESIGN.md section 5, issue 11 items 5 and 6).

A share is never taken for a working document: it has its own extension
(:data:`EXTENSION`) and its own first bytes (:data:`MAGIC`, never SQLite's, so
``cypdesk check`` and the window refuse it and say what it is). Inside, the document
(an SQLite file at head schema, built by :mod:`cypdesk.services.exchange.share`) is
compressed and, when a passphrase is given, encrypted.

Layout (all integers big-endian)::

    MAGIC                      13 bytes  b"\\x89CYPSHARE\\r\\n\\x1a\\n" (a PNG-style signature:
                                         the high byte and the line endings show a
                                         transfer that mangled the file as text)
    header length              4 bytes
    header                     JSON, UTF-8 (:class:`ShareHeader`)
    header digest              32 bytes  SHA-256 of everything above
    chunks, each:
      flags                    1 byte    bit 0: the final chunk
      length                   4 bytes   of the payload (at most :data:`MAX_CHUNK`)
      payload                            compressed bytes; encrypted: sealed (+16-byte tag)

**Compression.** zstandard at level 10. Measured on a document of 50,000 indicator
values (the small demo and 46,989 imported Fingertips-shaped rows: 34.5 MB on disk),
on this shared 2-core machine: zstd-10 4.24 MB in 0.7 s (unpacks in 0.05 s); zstd-3
4.53 MB in 0.2 s; zstd-19 3.55 MB in 24 s; lzma preset 6 2.97 MB in 23 s (unpacks in
0.26 s); lzma 9e 2.24 MB in 48 s; zlib-9 5.95 MB in 1.8 s. Every codec is under the
10 MB of an email attachment; zstd-10 is there in a thirtieth of lzma's time (the
window waits on it, and a sharer should not wait half a minute to save 1.3 MB), beats
zlib by 30%, and needs only an 8 MiB window to unpack. ``bench/bench_share.py`` repeats
the measurement. The header names its codec (``compression``), so a reader also
accepts ``lzma`` and ``zlib`` shares.

**Encryption** (optional: a passphrase). The passphrase (Unicode NFC, UTF-8) goes
through scrypt, memory-hard: N = 2**17, r = 8, p = 1 (128 MiB and about half a second
per try), a random 16-byte salt per file. HKDF-SHA256 splits the result into the
encryption key (AES-256-GCM) and a 16-byte key-check value stored in the header: a
wrong passphrase gives a different key-check value, which is told apart from
tampering (:class:`WrongPassphrase`, exit 2). Each chunk of the compressed stream is
sealed on its own with a nonce of its own (an 8-byte random prefix per file and the
chunk's index) and, as associated data, the header digest, the chunk's index and its
flags, so a changed header, a reordered, dropped or altered chunk fails to open
(:class:`ShareDamaged`), and a share cut short after a whole chunk still lacks the
sealed final mark (:class:`ShareTruncated`). A reader accepts scrypt parameters only
within bounds (N from 2**14 to 2**20), so a crafted header cannot make it allocate
gigabytes.

**What the header proves.** :func:`read_share_header` needs no passphrase: it checks
the header against its digest, which finds damage in transit. Without a secret nothing
can prove a plain share was not forged; an encrypted share's header is authenticated
when it is opened, as every chunk's associated data holds its digest. Either way
:func:`unpack_share` verifies the document's size and SHA-256 against the header
before anything is written, writes the document atomically (a temporary file beside
``dest``, renamed) and removes it on any failure: nothing is written unless all of it
verified. The header's title, trust and partner names travel in clear (the window
shows them before asking for the passphrase); the document does not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import lzma
import os
import secrets
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

from cypdesk.common.errors import (
    Cancelled, PassphraseNeeded, SaveFailed, ShareDamaged, ShareTruncated, UsageError, WrongPassphrase, error_from,
)
from cypdesk.model.identity import SHARE_EXTENSION, SHARE_MAGIC

EXTENSION = SHARE_EXTENSION
MAGIC = SHARE_MAGIC
FORMAT_VERSION = 1
CHUNK = 1 << 20  # compressed bytes per chunk
MAX_CHUNK = 4 * CHUNK  # a chunk longer than this is refused as damaged (never written)
MAX_HEADER = 1 << 20
SLICE = 1024  # compressed bytes fed to the decompressor at a time
DIGEST_SIZE = 32
TAG_SIZE = 16
FINAL = 0x01

DEFAULT_COMPRESSION = "zstd"
ZSTD_LEVEL = 10

KDF_NAME = "scrypt"
SCRYPT_N = 1 << 17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_SIZE = 16
CIPHER = "AES-256-GCM"
NONCE_PREFIX_SIZE = 8
# What a reader accepts from a header (a crafted one must not make it allocate gigabytes).
SCRYPT_N_RANGE = (1 << 14, 1 << 20)
SCRYPT_R_RANGE = (1, 16)
SCRYPT_P_RANGE = (1, 4)


@dataclass
class ShareHeader:
    """What a share says about itself (readable without the passphrase)."""

    document_id: str
    title: str
    schema_version: int
    trust_name: str | None = None
    made_at: str | None = None  # ISO 8601, UTC
    made_by: str | None = None  # the installation's user name on its computer
    for_org_id: str | None = None
    for_org_name: str | None = None
    contacts: bool = False  # people's contact details were included
    withheld: int = 0  # rows in the copy's withheld_fields
    format_version: int = FORMAT_VERSION
    encrypted: bool = False
    kdf: dict[str, Any] | None = None  # {"name": "scrypt", "n", "r", "p", "salt"}
    cipher: dict[str, Any] | None = None  # {"name": "AES-256-GCM", "nonce_prefix", "key_check"}
    compression: str = DEFAULT_COMPRESSION
    plain_size: int = 0  # bytes of the document inside
    sha256: str = ""  # of the document inside
    extra: dict[str, Any] = field(default_factory=dict)  # fields of a later format, kept

    def to_json(self) -> bytes:
        data = asdict(self)
        extra = data.pop("extra") or {}
        return json.dumps({**extra, **data}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShareHeader:
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in data.items() if k in names}
        extra = {k: v for k, v in data.items() if k not in names}
        return cls(**known, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The header as plain data for ``--json`` and the window (no key material)."""
        out = asdict(self)
        out.pop("extra")
        out.pop("cipher")
        if out.get("kdf"):
            out["kdf"] = {k: v for k, v in out["kdf"].items() if k != "salt"}
        return out


# --- codecs ----------------------------------------------------------------------------

class _Codec:
    def __init__(self, compress: Callable[[], Any], decompress: Callable[[], Any]) -> None:
        self.compressor = compress
        self.decompressor = decompress


def _zstd_compressor(level: int = ZSTD_LEVEL) -> Any:
    import zstandard

    return zstandard.ZstdCompressor(level=level).compressobj()


def _zstd_decompressor() -> Any:
    import zstandard

    return zstandard.ZstdDecompressor(max_window_size=1 << 27).decompressobj()


CODECS: dict[str, _Codec] = {
    "zstd": _Codec(_zstd_compressor, _zstd_decompressor),
    "lzma": _Codec(lambda: lzma.LZMACompressor(format=lzma.FORMAT_XZ, preset=6),
                   lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ)),
    "zlib": _Codec(lambda: zlib.compressobj(9), lambda: zlib.decompressobj()),
}


# --- keys ------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, *, what: str, path: Path, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise _damaged(path, f"its {what} is not readable") from None
    if size is not None and len(raw) != size:
        raise _damaged(path, f"its {what} has the wrong length")
    return raw


def _passphrase_bytes(passphrase: str) -> bytes:
    """NFC, so the same words typed on two systems give the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(encryption key, key-check value) for ``passphrase``: scrypt, then HKDF-SHA256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    master = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_passphrase_bytes(passphrase))
    out = HKDF(algorithm=hashes.SHA256(), length=48, salt=salt, info=b"cypdesk share v1").derive(master)
    return out[:32], out[32:]


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(digest: bytes, index: int, flags: int) -> bytes:
    return digest + struct.pack(">IB", index, flags)


# --- errors ----------------------------------------------------------------------------

def _damaged(path: Path, why: str) -> ShareDamaged:
    return ShareDamaged(f"The shared copy {path} is damaged or was changed on the way ({why}). Nothing was "
                        "written; ask the partner to send it again.", path=path, reason=why)


def _truncated(path: Path, why: str) -> ShareTruncated:
    return ShareTruncated(f"The shared copy {path} is cut short ({why}): it was not received whole, perhaps "
                          "stopped by an attachment size limit. Nothing was written; ask the partner to send it "
                          "again.", path=path, reason=why)


# --- reading -----------------------------------------------------------------------------

def is_share_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` starts with a share's signature (whatever its extension)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    return data if data is not None else b""


def _open_header(path: Path, fh: BinaryIO) -> tuple[ShareHeader, bytes]:
    """The header and its digest, from ``fh`` positioned at the start."""
    head = _read_exact(fh, len(MAGIC))
    if head != MAGIC:
        if len(head) < len(MAGIC) and head and MAGIC.startswith(head):
            raise _truncated(path, f"only {len(head)} bytes")
        raise ShareDamaged(f"{path} is not a cypdesk shared copy (it does not start with a share's signature).",
                           path=path, reason="not a share")
    raw_len = _read_exact(fh, 4)
    if len(raw_len) < 4:
        raise _truncated(path, "inside its header")
    (length,) = struct.unpack(">I", raw_len)
    if length > MAX_HEADER:
        raise _damaged(path, f"its header claims {length:,} bytes")
    body = _read_exact(fh, length)
    digest = _read_exact(fh, DIGEST_SIZE)
    if len(body) < length or len(digest) < DIGEST_SIZE:
        raise _truncated(path, "inside its header")
    if not hmac.compare_digest(hashlib.sha256(MAGIC + raw_len + body).digest(), digest):
        raise _damaged(path, "its header does not match its checksum")
    try:
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        header = ShareHeader.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise _damaged(path, f"its header cannot be read: {exc}") from None
    if header.format_version != FORMAT_VERSION:
        raise _damaged(path, f"it is in share format {header.format_version}; this cypdesk reads format "
                             f"{FORMAT_VERSION} (update cypdesk if the partner's is newer)")
    if header.compression not in CODECS:
        raise _damaged(path, f"its header names an unknown compression {header.compression!r}")
    if not (isinstance(header.plain_size, int) and header.plain_size >= 0 and isinstance(header.sha256, str)
            and len(header.sha256) == 64 and isinstance(header.encrypted, bool)
            and isinstance(header.document_id, str) and isinstance(header.title, str)
            and isinstance(header.schema_version, int)):
        raise _damaged(path, "its header's fields are not of the right kinds")
    return header, digest


def read_share_header(path: str | os.PathLike[str]) -> ShareHeader:
    """The header of the share at ``path`` (no passphrase needed), checked against its
    digest. Raises :class:`ShareDamaged`, :class:`ShareTruncated`, or the file's fault
    (missing, permission...)."""
    p = Path(path).absolute()
    try:
        with open(p, "rb") as fh:
            return _open_header(p, fh)[0]
    except OSError as exc:
        raise _read_fault(exc, p) from exc


def _read_fault(exc: OSError, p: Path) -> Exception:
    from cypdesk.common.errors import DocumentMissing

    if isinstance(exc, FileNotFoundError):
        return DocumentMissing(f"{p} does not exist. Check the name, and that the drive or network share is "
                               "connected.", path=p)
    return error_from(exc, path=p, doing="read", consequence="Nothing was written.")


def _chunks(path: Path, fh: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """(index, flags, payload) of each chunk, checking the framing: a chunk cut short, or
    the file ending before a final chunk, is :class:`ShareTruncated`; bytes after the
    final chunk are :class:`ShareDamaged`."""
    index = 0
    while True:
        frame = _read_exact(fh, 5)
        if not frame:
            raise _truncated(path, f"it ends after {index} part(s) without its final part")
        if len(frame) < 5:
            raise _truncated(path, f"inside part {index + 1}")
        flags, length = struct.unpack(">BI", frame)
        if flags & ~FINAL or length > MAX_CHUNK + TAG_SIZE:
            raise _damaged(path, f"part {index + 1} has an impossible frame")
        payload = _read_exact(fh, length)
        if len(payload) < length:
            raise _truncated(path, f"inside part {index + 1}")
        yield index, flags, payload
        if flags & FINAL:
            if fh.read(1):
                raise _damaged(path, "there are bytes after its final part")
            return
        index += 1


def _key_for(header: ShareHeader, passphrase: str | None, path: Path) -> tuple[Any, bytes]:
    """The AEAD and nonce prefix that open an encrypted share, after the key check."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if passphrase is None or passphrase == "":
        raise PassphraseNeeded(
            f"{path} is encrypted: give its passphrase (--passphrase-file on the command line). Nothing was "
            "written.", path=path)
    kdf, cipher = header.kdf or {}, header.cipher or {}
    if kdf.get("name") != KDF_NAME or cipher.get("name") != CIPHER:
        raise _damaged(path, "its header names an unknown key derivation or cipher")
    try:
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    except (KeyError, TypeError, ValueError):
        raise _damaged(path, "its key derivation parameters cannot be read") from None
    if not (SCRYPT_N_RANGE[0] <= n <= SCRYPT_N_RANGE[1] and n & (n - 1) == 0
            and SCRYPT_R_RANGE[0] <= r <= SCRYPT_R_RANGE[1] and SCRYPT_P_RANGE[0] <= p <= SCRYPT_P_RANGE[1]):
        raise _damaged(path, f"its key derivation parameters are out of bounds (N={n}, r={r}, p={p})")
    salt = _unb64(kdf.get("salt"), what="salt", path=path, size=SALT_SIZE)
    prefix = _unb64(cipher.get("nonce_prefix"), what="nonce", path=path, size=NONCE_PREFIX_SIZE)
    check = _unb64(cipher.get("key_check"), what="key check", path=path, size=16)
    key, key_check = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(key_check, check):
        raise WrongPassphrase(f"The passphrase does not open {path}. Check it with the partner who sent the file "
                              "(it is case-sensitive). Nothing was written.", path=path)
    return AESGCM(key), prefix


def unpack_share(path: str | os.PathLike[str], dest: str | os.PathLike[str], *, passphrase: str | None = None,
                 progress: Any = None) -> ShareHeader:
    """Verify the share at ``path`` and write the document inside it to ``dest``
    (atomically, replacing ``dest``). Returns its header. Raises
    :class:`PassphraseNeeded`, :class:`WrongPassphrase`, :class:`ShareDamaged`,
    :class:`ShareTruncated` (or the file's fault); ``dest`` is then left as it was."""
    p = Path(path).absolute()
    target = Path(dest).absolute()
    try:
        fh = open(p, "rb")
    except OSError as exc:
        raise _read_fault(exc, p) from exc
    with fh:
        try:
            header, digest = _open_header(p, fh)
            aead, prefix = _key_for(header, passphrase, p) if header.encrypted else (None, b"")
            with _atomic_file(target) as out:
                _unpack_body(p, fh, header, digest, aead, prefix, _Writer(out, target), progress)
        except OSError as exc:
            raise _read_fault(exc, p) from exc
    return header


class _Writer:
    """Writes to ``fh``; a fault is the fault of writing ``target`` (not of reading)."""

    def __init__(self, fh: BinaryIO, target: Path) -> None:
        self.fh, self.target = fh, target

    def write(self, data: bytes) -> None:
        try:
            self.fh.write(data)
        except OSError as exc:
            raise error_from(exc, path=self.target, doing="write", base=SaveFailed,
                             consequence="Nothing was written.") from exc


def _unpack_body(p: Path, fh: BinaryIO, header: ShareHeader, digest: bytes, aead: Any, prefix: bytes,
                 out: _Writer, progress: Any) -> None:
    from cryptography.exceptions import InvalidTag

    if header.encrypted and aead is None:
        raise _damaged(p, "its header says encrypted but gives no key")
    decompressor = CODECS[header.compression].decompressor()
    sha = hashlib.sha256()
    written = 0
    limit = int(header.plain_size)
    total = max(1, os.fstat(fh.fileno()).st_size)
    for index, flags, payload in _chunks(p, fh):
        if aead is not None:
            try:
                payload = aead.decrypt(_nonce(prefix, index), payload, _aad(digest, index, flags))
            except InvalidTag:
                raise _damaged(p, f"part {index + 1} does not open with its key: it was changed") from None
        # Fed in small slices, so a crafted part cannot expand to gigabytes before the
        # size the header gives is found exceeded.
        for start in range(0, len(payload), SLICE):
            try:
                plain = decompressor.decompress(payload[start:start + SLICE])
            except Exception as exc:  # lzma.LZMAError, zlib.error, zstandard.ZstdError
                raise _damaged(p, f"part {index + 1} cannot be decompressed ({type(exc).__name__})") from None
            written += len(plain)
            if written > limit:
                raise _damaged(p, f"it holds more than the {limit:,} bytes its header gives")
            sha.update(plain)
            out.write(plain)
        _check_cancel(progress)
        if progress is not None:
            progress.report(fh.tell(), total, f"Reading {p.name}")
    if written != limit or not hmac.compare_digest(sha.hexdigest(), str(header.sha256)):
        raise _damaged(p, "the document inside does not match its checksum")


def _check_cancel(progress: Any) -> None:
    if progress is not None and progress.cancelled():
        raise Cancelled("Cancelled: nothing was written.")


# --- writing -----------------------------------------------------------------------------

class _AtomicFile:
    """A temporary file beside ``target``, flushed, synced and renamed over it when the
    block succeeds; removed on any failure (nothing written)."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> BinaryIO:
        from cypdesk.model.saving import _temp_path

        folder = self.target.parent
        if not folder.is_dir():
            raise SaveFailed(f"The folder {folder} does not exist, so {self.target.name} was not written.",
                             path=self.target)
        if self.target.is_dir():
            raise SaveFailed(f"{self.target} is a folder; choose a file name.", path=self.target)
        self.tmp = _temp_path(folder)
        try:
            self.fh: BinaryIO = open(self.tmp, "xb")
        except OSError as exc:
            raise error_from(exc, path=self.target, doing="write", base=SaveFailed,
                             consequence="Nothing was written.") from exc
        return self.fh

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        from cypdesk.model.saving import _remove_quietly, fsync_dir, replace_with_retries

        try:
            if exc_type is None:
                try:
                    self.fh.flush()
                    os.fsync(self.fh.fileno())
                    self.fh.close()
                    replace_with_retries(self.tmp, self.target)
                    fsync_dir(self.target.parent)
                except OSError as err:
                    raise error_from(err, path=self.target, doing="write", base=SaveFailed,
                                     consequence="Nothing was written.") from err
        finally:
            if not self.fh.closed:
                self.fh.close()
            _remove_quietly(self.tmp)


def _atomic_file(target: Path) -> _AtomicFile:
    return _AtomicFile(target)


def _file_digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def write_share(db_path: str | os.PathLike[str], out: str | os.PathLike[str], header: ShareHeader, *,
                passphrase: str | None = None, progress: Any = None, compression: str | None = None) -> Path:
    """Pack the document file ``db_path`` into a share at ``out`` (atomically): the
    header's size, checksum, compression and key fields are filled here (``header`` is
    updated in place). With ``passphrase``, encrypted (module doc). Returns ``out``."""
    src = Path(db_path).absolute()
    target = Path(out).absolute()
    if passphrase is not None and not passphrase.strip():
        raise UsageError("The passphrase is empty: give words to encrypt the shared copy with, or none at all.")
    codec = compression or DEFAULT_COMPRESSION
    if codec not in CODECS:
        raise UsageError(f"Unknown compression {codec!r}; use one of {', '.join(CODECS)}.")
    try:
        header.plain_size, header.sha256 = _file_digest(src)
    except OSError as exc:
        raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc
    header.compression = codec
    header.format_version = FORMAT_VERSION
    aead = None
    prefix = b""
    if passphrase is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt = secrets.token_bytes(SALT_SIZE)
        prefix = secrets.token_bytes(NONCE_PREFIX_SIZE)
        key, key_check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        aead = AESGCM(key)
        header.encrypted = True
        header.kdf = {"name": KDF_NAME, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)}
        header.cipher = {"name": CIPHER, "nonce_prefix": _b64(prefix), "key_check": _b64(key_check)}
    else:
        header.encrypted, header.kdf, header.cipher = False, None, None
    body = header.to_json()
    lead = MAGIC + struct.pack(">I", len(body)) + body
    digest = hashlib.sha256(lead).digest()
    with _atomic_file(target) as fh:
        out = _Writer(fh, target)
        out.write(lead + digest)
        _write_body(src, out, codec, aead, prefix, digest, header.plain_size, progress)
    return target


def _write_body(src: Path, fh: _Writer, codec: str, aead: Any, prefix: bytes, digest: bytes, total: int,
                progress: Any) -> None:
    compressor = CODECS[codec].compressor()
    pending = io.BytesIO()
    index = 0

    def emit(data: bytes, final: bool) -> None:
        nonlocal index
        flags = FINAL if final else 0
        if aead is not None:
            data = aead.encrypt(_nonce(prefix, index), data, _aad(digest, index, flags))
        fh.write(struct.pack(">BI", flags, len(data)) + data)
        index += 1

    def drain(final: bool) -> None:
        buf = pending.getvalue()
        start = 0
        while len(buf) - start > CHUNK or (final and start < len(buf)):
            piece = buf[start:start + CHUNK]
            start += len(piece)
            emit(piece, final and start >= len(buf))
        rest = buf[start:]
        pending.seek(0)
        pending.truncate()
        pending.write(rest)

    done = 0
    try:
        source = open(src, "rb")
    except OSError as exc:
        raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc
    with source:
        while True:
            try:
                block = source.read(CHUNK)
            except OSError as exc:
                raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc
            if not block:
                break
            pending.write(compressor.compress(block))
            drain(False)
            done += len(block)
            _check_cancel(progress)
            if progress is not None:
                progress.report(done, total, f"Compressing {done * 100 // max(1, total)}%")
    pending.write(compressor.flush())
    if not pending.getvalue():  # an empty stream still ends with a sealed final part
        emit(b"", True)
    else:
        drain(True)


__all__ = ["CODECS", "EXTENSION", "FORMAT_VERSION", "MAGIC", "ShareHeader", "is_share_file", "read_share_header",
           "unpack_share", "write_share"]
