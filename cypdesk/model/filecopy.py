"""Copying a document's bytes into cypdesk's own folders, private to the user, with a
fault named by the file it is about: the document when reading, the folder when
writing. Used for working copies (:mod:`cypdesk.model.document`) and for the private
rolled-back copies of read-only commands (:mod:`cypdesk.model.reading`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

from cypdesk import paths
from cypdesk.common.errors import error_from

CHUNK = 1 << 20


def private_writer(dst: Path) -> BinaryIO:
    """``dst`` opened for writing (truncated), mode 0600 whatever the umask or the mode
    of what it copies: cypdesk's copies of a document are the user's alone."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), paths.PRIVATE_FILE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, paths.PRIVATE_FILE_MODE)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def copy_private(src: Path, dst: Path, *, document: Path, writing: str, hasher: Any = None,
                 sync: bool = False) -> None:
    """Copy ``src`` to a private ``dst``. A failure to read is worded "Could not read
    <document>"; a failure to write "Could not <writing> <dst's folder>" (``writing``
    is a verb phrase such as "write a temporary copy in"). ``hasher`` (a hashlib
    object) sees every chunk read; ``sync`` flushes the copy to disk before returning."""
    try:
        fin = open(src, "rb")
    except OSError as exc:
        raise error_from(exc, path=document, doing="read") from exc
    with fin:
        try:
            fout = private_writer(dst)
        except OSError as exc:
            raise error_from(exc, path=dst.parent, doing=writing) from exc
        with fout:
            while True:
                try:
                    chunk = fin.read(CHUNK)
                except OSError as exc:
                    raise error_from(exc, path=document, doing="read") from exc
                if not chunk:
                    break
                if hasher is not None:
                    hasher.update(chunk)
                try:
                    fout.write(chunk)
                except OSError as exc:
                    raise error_from(exc, path=dst.parent, doing=writing) from exc
            if sync:
                try:
                    fout.flush()
                    os.fsync(fout.fileno())
                except OSError as exc:
                    raise error_from(exc, path=dst.parent, doing=writing) from exc
