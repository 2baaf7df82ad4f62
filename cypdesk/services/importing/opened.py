"""A file checked once per import: the reader's pre-flight (zip bomb, entities,
dimension, password... and the scan of each sheet) runs once for a file, and every later
reader of the same unchanged file (detection, a format's build, each pass over the
rows) starts from its facts instead of scanning again.

"Unchanged" is the file's identity and stamps as ``os.stat`` gives them (size, the
modification time, the change time, which no tool can set back, and the inode) and a
digest of its first and last 64 KB. Any difference and the file is opened and checked
afresh. Only the facts are kept (a few
entries, no open files, no grids): each reader gets its own handles and closes them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

KEPT = 4  # files whose facts are kept (an import reads one; the wizard may hold a few)

_lock = threading.Lock()
_checked: OrderedDict[str, tuple[tuple, Any]] = OrderedDict()


EDGE_BYTES = 64 * 1024  # the file's first and last bytes are part of its stamp


def stamp(path: str | Path) -> tuple[str, tuple] | None:
    """(the file's real path, its identity, stamps and a digest of its first and last
    64 KB: a zip's directory is at its end), or None when it cannot be read."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
        digest = hashlib.sha256()
        with open(real, "rb") as fh:
            digest.update(fh.read(EDGE_BYTES))
            if st.st_size > EDGE_BYTES:
                fh.seek(max(EDGE_BYTES, st.st_size - EDGE_BYTES))
                digest.update(fh.read(EDGE_BYTES))
    except OSError:
        return None
    return real, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest.digest())


def remembered(path: str | Path, slot: str) -> Any:
    """What :func:`remember` kept under ``slot`` for this file, while it is unchanged."""
    found = stamp(path)
    if found is None:
        return None
    with _lock:
        kept = _checked.get(f"{slot}\0{found[0]}")
    return kept[1] if kept is not None and kept[0] == found[1] else None


def remember(path: str | Path, slot: str, value: Any, before: tuple[str, tuple] | None) -> None:
    """Keep ``value`` for this file when it has not changed since ``before`` (its stamp
    taken before it was read)."""
    if before is None or stamp(path) != before:
        return
    key = f"{slot}\0{before[0]}"
    with _lock:
        _checked[key] = (before[1], value)
        _checked.move_to_end(key)
        while len(_checked) > KEPT * 2:
            _checked.popitem(last=False)


def forget() -> None:
    """Drop every kept fact (tests)."""
    with _lock:
        _checked.clear()


def checked_workbook(path: str | Path) -> Any:
    """A reader of the file: :func:`cypdesk.io.workbook.open_workbook` the first time
    (every check), a reader with the kept facts while the file is unchanged. The caller
    closes it."""
    from cypdesk.io.workbook import open_workbook

    kept = remembered(path, "workbook")
    if kept is not None:
        return kept.reopened()
    before = stamp(path)
    wb = open_workbook(path)
    if wb.format not in ("xls", "ods"):  # those read through the pre-flight's own book
        remember(path, "workbook", wb.reopened(), before)
    return wb


@contextmanager
def workbook(path: str | Path) -> Iterator[Any]:
    """:func:`checked_workbook`, closed at the end of the ``with``."""
    wb = checked_workbook(path)
    try:
        yield wb
    finally:
        wb.close()


__all__ = ["checked_workbook", "forget", "remember", "remembered", "stamp", "workbook"]
