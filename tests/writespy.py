"""A spy on everything a run writes, through Python's audit hooks (PEP 578): ``open``
in a writing mode (``open``, ``io.open``, ``os.open`` with writing flags), renames and
replaces (``os.rename``, ``os.replace``), folders made and removed, files removed,
linked, truncated, their modes or times changed, ``shutil`` copies and moves, and
``sqlite3.connect`` to a file. Audit hooks cannot be removed, so one hook is installed
for the process and records only while a :class:`WriteSpy` is active.

What it cannot see: writes by C++ code that bypasses Python (Qt's own file access);
packaging/smoke.py compares the built program's folder before and after instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# event -> the positions of its path arguments (a path relative to a folder descriptor
# is read against that folder: _DIR_FD)
_DIR_FD = {"os.remove": {0: 1}, "os.rmdir": {0: 1}, "os.mkdir": {0: 2}, "os.rename": {0: 2, 1: 3},
           "os.chmod": {0: 2}, "os.symlink": {1: 2}, "os.utime": {0: 3}}
_PATH_EVENTS = {
    "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.link": (0, 1), "os.symlink": (0, 1), "os.truncate": (0,), "os.utime": (0,),
    "shutil.copyfile": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,), "shutil.copytree": (1,),
    "shutil.move": (0, 1), "shutil.rmtree": (0,), "shutil.make_archive": (0,), "sqlite3.connect": (0,),
}
_active: list[WriteSpy] = []
_installed = False


def _as_path(value: object, dir_fd: object = None) -> Path | None:
    if isinstance(value, int) or value is None:
        return None
    try:
        text = os.fsdecode(value)  # type: ignore[arg-type]
    except TypeError:
        return None
    if text.startswith("file:"):  # an SQLite URI
        text = text[5:].split("?", 1)[0]
    if not text or text == ":memory:":
        return None
    if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(text):
        try:  # shutil.rmtree and TemporaryDirectory remove by name within an open folder
            return Path(os.readlink(f"/proc/self/fd/{dir_fd}")) / text
        except OSError:
            return None
    return Path(os.path.abspath(text))


def _hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if not _active:
        return
    written: list[Path | None] = []
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if (isinstance(mode, str) and any(ch in mode for ch in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
        ):
            written.append(_as_path(path))
    elif event in _PATH_EVENTS:
        fds = _DIR_FD.get(event, {})
        written.extend(
            _as_path(args[i], args[fds[i]] if i in fds and fds[i] < len(args) else None)
            for i in _PATH_EVENTS[event] if i < len(args)
        )
    for path in written:
        if path is not None:
            for spy in _active:
                spy.events.append((event, path))


class WriteSpy:
    """``with WriteSpy() as spy: ...`` then ``spy.under(folder)``: the writes below it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Path]] = []

    def __enter__(self) -> WriteSpy:
        global _installed
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
        _active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _active.remove(self)

    def under(self, folder: Path) -> list[tuple[str, Path]]:
        folder = Path(os.path.abspath(folder))
        resolved = folder.resolve()
        return [(event, path) for event, path in self.events
                if path.is_relative_to(folder) or path.resolve().is_relative_to(resolved)]


CHILD_FLAG = "CYPDESK_WRITESPY_CHILD"


def in_child_process(test):  # type: ignore[no-untyped-def]
    """Run the decorated test in a child pytest process: an audit hook, once added,
    stays for the life of the process and slows every audited call after it (it made a
    timing-sensitive threading test elsewhere in the run fail), so the spy is only ever
    installed in a child. The child runs the same test node with CYPDESK_WRITESPY_CHILD=1."""
    import functools
    import inspect
    import subprocess

    @functools.wraps(test)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.environ.get(CHILD_FLAG) == "1":
            return test(*args, **kwargs)
        source = Path(inspect.getfile(test)).resolve()
        root = next(p for p in source.parents if (p / "pyproject.toml").is_file())
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{source}::{test.__name__}"],
            env=dict(os.environ, **{CHILD_FLAG: "1"}), cwd=root, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, f"{test.__name__} failed in its child process:\n{proc.stdout[-4000:]}"
        return None

    return wrapper
