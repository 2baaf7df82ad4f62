"""Every command, under every fault of the file layer: a plain message, the ``--json``
error object with the fault's code, the promised exit code, and the document folder
exactly as it was (DESIGN.md section 9; issue 7, item 4).

Driven from :data:`cypdesk.cli.COMMANDS` and the example invocation each command
declares with its parser (:func:`cypdesk.cli.command_examples`): a command added later
is run here without editing this file, and one without an example fails
``test_every_command_declares_an_example``.

How the faults are injected (CI runs as root, so chmod cannot cause them): the fixture
``faulty_files`` patches the file layer for paths under ONE folder, either the
document's folder or cypdesk's data folder (``CYPDESK_HOME``: working copies, backups,
state), in ONE direction:

- layer "files" (Python's own file calls): ``builtins.open``/``io.open`` (a mode with
  ``w``, ``a``, ``x`` or ``+`` writes, else reads), ``os.open`` (write flags or not;
  also used by ``tempfile.mkstemp`` and the lock file), ``os.write`` and ``os.fsync``
  on a descriptor opened there, ``os.replace``/``os.rename`` to or from there, and
  ``os.mkdir`` of a new folder there (``shutil.copyfile`` goes through ``open``). Not
  patched: ``os.stat`` and deleting files (cleaning up must stay possible).
- layer "sqlite" (SQLite's own I/O, which Python cannot see): ``sqlite3.connect`` to a
  database there returns a connection whose statements raise
  ``sqlite3.OperationalError`` with the matching ``sqlite_errorname`` (EACCES:
  SQLITE_CANTOPEN, ENOSPC: SQLITE_FULL, EROFS: SQLITE_READONLY, EIO: SQLITE_IOERR_*):
  reading, every statement; writing, the statements that write (INSERT, UPDATE, DELETE,
  REPLACE, CREATE, DROP, ALTER, VACUUM, COMMIT), and ``VACUUM INTO`` a file there.

Every fault stays for the whole command, as a full disk or a read-only drive does. A
fault a command never meets (``info`` writes nothing) must leave it succeeding; a fault
met only by a best-effort step after the document was saved (keeping a copy in the
backups folder) may too; any other met fault must end the command with the mapped
error. ENOSPC and EROFS cannot really happen on a read: they are injected there anyway,
to hold the mapping wherever a fault is raised.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from cypdesk import cli, paths

EXPECTED = {  # errno -> (error code, exit code), DESIGN.md section 9
    errno.EACCES: ("permission_denied", 2),
    errno.ENOSPC: ("disk_full", 1),
    errno.EROFS: ("read_only_drive", 1),
    errno.EIO: ("io_error", 1),
}
SQLITE_FAULT = {  # errno -> (sqlite_errorname for a read, for a write, the code, message)
    errno.EACCES: ("SQLITE_CANTOPEN", "SQLITE_CANTOPEN", 14, "unable to open database file"),
    errno.ENOSPC: ("SQLITE_FULL", "SQLITE_FULL", 13, "database or disk is full"),
    errno.EROFS: ("SQLITE_READONLY", "SQLITE_READONLY", 8, "attempt to write a readonly database"),
    errno.EIO: ("SQLITE_IOERR_READ", "SQLITE_IOERR_WRITE", 10, "disk I/O error"),
}
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|VACUUM|COMMIT|END)\b", re.IGNORECASE)
_real_open = builtins.open
_real_os_open = os.open
_real_connect = sqlite3.connect


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _untemp(text: str) -> str:
    """The same message with the random part of temporary names taken out."""
    return re.sub(r"\.~save-\w+\.tmp", ".~save-X.tmp", text)


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) if p.is_file() else "<folder>" for p in sorted(folder.iterdir())}


class Injector:
    """The faults of one case; ``fired`` lists the paths where one was raised."""

    def __init__(self, root: Path, err: int, direction: str, layer: str) -> None:
        self.root = Path(os.path.realpath(root))
        self.err, self.direction, self.layer = err, direction, layer
        self.fds: dict[int, str] = {}
        self.fired: list[str] = []

    def under(self, path: object) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            real = Path(os.path.realpath(os.fspath(path)))  # type: ignore[arg-type]
        except TypeError:
            return False
        return real == self.root or self.root in real.parents

    def fail(self, path: object) -> OSError:
        self.fired.append(str(path))
        return OSError(self.err, os.strerror(self.err), str(path))

    def file_fault(self, path: object, writing: bool) -> bool:
        return self.layer == "files" and self.under(path) and writing == (self.direction == "write")

    # -- Python's file layer -------------------------------------------------------------
    def open(self, file, mode="r", *args, **kwargs):  # noqa: A003
        if self.file_fault(file, any(c in mode for c in "wax+")):
            raise self.fail(file)
        fh = _real_open(file, mode, *args, **kwargs)
        if self.layer == "files" and self.under(file) and not isinstance(file, int):
            self.fds[fh.fileno()] = str(file)
        return fh

    def os_open(self, path, flags, mode=0o777, *, dir_fd=None):
        writing = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND))
        if self.file_fault(path, writing):
            raise self.fail(path)
        fd = _real_os_open(path, flags, mode, dir_fd=dir_fd)
        if self.layer == "files" and self.under(path):
            self.fds[fd] = str(path)
        return fd

    def on_fd(self, real):
        def wrapper(fd, *args):
            if self.layer == "files" and self.direction == "write" and fd in self.fds:
                raise self.fail(self.fds[fd])
            return real(fd, *args)
        return wrapper

    def on_rename(self, real):
        def wrapper(src, dst, *args, **kwargs):
            for p in (src, dst):
                if self.file_fault(p, True):
                    raise self.fail(p)
            return real(src, dst, *args, **kwargs)
        return wrapper

    def on_mkdir(self, real):
        def wrapper(path, *args, **kwargs):
            if not os.path.exists(path) and self.file_fault(path, True):
                raise self.fail(path)
            return real(path, *args, **kwargs)
        return wrapper

    # -- SQLite's own I/O --------------------------------------------------------------
    def sqlite_error(self, path: str, writing: bool) -> sqlite3.OperationalError:
        name_read, name_write, code, text = SQLITE_FAULT[self.err]
        exc = sqlite3.OperationalError(text)
        exc.sqlite_errorname = name_write if writing else name_read
        exc.sqlite_errorcode = code
        self.fired.append(path)
        return exc

    def connect(self, database, *args, **kwargs):
        target = str(database)
        if target.startswith("file:"):
            target = target[5:].split("?", 1)[0]
            target = target[2:] if target.startswith("//") else target
            from urllib.parse import unquote

            target = unquote(target)
        if self.layer != "sqlite" or target == ":memory:":
            return _real_connect(database, *args, **kwargs)
        inside = self.under(target)
        if inside and self.direction == "read" and self.err == errno.EACCES:
            raise self.sqlite_error(target, False)
        injector = self

        def check(sql: str, params) -> None:
            if inside and injector.direction == "read":
                raise injector.sqlite_error(target, False)
            if injector.direction != "write":
                return
            if inside and WRITE_SQL.match(sql):
                raise injector.sqlite_error(target, True)
            if sql.lstrip().upper().startswith("VACUUM INTO") and params and injector.under(params[0]):
                raise injector.sqlite_error(str(params[0]), True)

        class FaultyCursor(sqlite3.Cursor):
            def execute(self, sql, params=(), /):
                check(sql, params)
                return super().execute(sql, params)

            def executemany(self, sql, seq, /):
                check(sql, ())
                return super().executemany(sql, seq)

        class FaultyConnection(sqlite3.Connection):
            def cursor(self, factory=FaultyCursor):
                return super().cursor(factory)

            def execute(self, sql, params=(), /):
                check(sql, params)
                return super().execute(sql, params)

            def executemany(self, sql, seq, /):
                check(sql, ())
                return super().executemany(sql, seq)

            def executescript(self, script, /):
                check(script, ())
                return super().executescript(script)

            def commit(self):
                if inside and injector.direction == "write":
                    raise injector.sqlite_error(target, True)
                return super().commit()

        kwargs["factory"] = FaultyConnection
        return _real_connect(database, *args, **kwargs)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(builtins, "open", self.open)
        monkeypatch.setattr(io, "open", self.open)
        monkeypatch.setattr(os, "open", self.os_open)
        monkeypatch.setattr(os, "write", self.on_fd(os.write))
        monkeypatch.setattr(os, "fsync", self.on_fd(os.fsync))
        monkeypatch.setattr(os, "replace", self.on_rename(os.replace))
        monkeypatch.setattr(os, "rename", self.on_rename(os.rename))
        monkeypatch.setattr(os, "mkdir", self.on_mkdir(os.mkdir))
        monkeypatch.setattr(sqlite3, "connect", self.connect)


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults-demo")
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        path = folder / "master.cypdesk"
        assert cli.main(["demo", str(path)]) == 0
    finally:
        if old is not None:
            os.environ["CYPDESK_HOME"] = old
    conn = _real_connect(path)
    service_id = conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    paper_id = conn.execute("SELECT id FROM papers WHERE status = 'final' ORDER BY title LIMIT 1").fetchone()[0]
    conn.close()
    return path, service_id, paper_id


SOURCE_CSV = "Name,Kind,Charity number\nHarbour Lights Youth Trust,voluntary,1190001\nNorthgate Care Ltd,private,\n"


def _argv(command: str, document: Path, service_id: str, paper_id: str = "") -> list[str]:
    example = cli.command_examples()[command]
    source = document.with_name("source.csv")  # {source}: a small CSV of organisations beside the document
    if "{source}" in " ".join(example) and not source.exists():
        source.write_text(SOURCE_CSV, encoding="utf-8")
    values = {"document": str(document), "new_file": str(document.with_name("new.cypdesk")),
              "service_id": service_id, "source": str(source), "paper_id": paper_id,
              "new_pdf": str(document.with_name("new.pdf"))}
    return [part.format(**values) for part in example]


def test_every_command_declares_an_example():
    """Each command in cli.COMMANDS declares an example invocation with its parser, that
    starts with the command's name (so this file runs it under faults)."""
    examples = cli.command_examples()
    missing = [c for c in cli.COMMANDS if c not in examples]
    assert not missing, f"commands without an example invocation: {missing}"
    assert all(examples[c][0] == c for c in cli.COMMANDS)
    assert set(examples) == set(cli.COMMANDS)


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_each_example_runs_cleanly_without_faults(command, demo_master, tmp_path, capsys, monkeypatch):
    """The examples themselves work (exit 0), so a fault case that fails is the fault's doing."""
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "home"))
    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "d.cypdesk"
    shutil.copy(demo_master[0], document)
    code = cli.main(_argv(command, document, *demo_master[1:]) + ["--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["ok"] is True


@pytest.mark.parametrize("layer", ["files", "sqlite"])
@pytest.mark.parametrize("where", ["document folder", "data folder"])
@pytest.mark.parametrize("direction", ["read", "write"])
@pytest.mark.parametrize("err", sorted(EXPECTED), ids=lambda e: errno.errorcode[e])
@pytest.mark.parametrize("command", cli.COMMANDS)
def test_a_fault_gives_plain_words_its_code_and_exit_and_changes_nothing(
        command, err, direction, where, layer, demo_master, tmp_path, capsys, monkeypatch):
    """One command under one persistent fault (see the module docstring for how it is
    injected): either the command never met it and succeeded, or it ends with the
    mapped error: exit code, ``--json`` error code, a plain message naming a file (no
    traceback, no "[Errno", no exception class), the same words without ``--json``, and
    the document's folder byte for byte as before (no stray or partial file)."""
    home = tmp_path / "home"
    monkeypatch.setenv("CYPDESK_HOME", str(home))
    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "d.cypdesk"
    shutil.copy(demo_master[0], document)
    argv = _argv(command, document, *demo_master[1:])
    paths.data_dir(), paths.config_dir(), paths.working_dir(), paths.backup_dir()  # made before the fault
    before = folder_state(folder)
    injector = Injector(folder if where == "document folder" else home, err, direction, layer)
    with monkeypatch.context() as patch:
        injector.install(patch)
        code = cli.main(argv + ["--json"])
        out, err_text = capsys.readouterr()
        fired_json = list(injector.fired)
        if code != 0:
            prose_code = cli.main(argv)
            prose_out, prose_err = capsys.readouterr()
    if not fired_json:
        assert code == 0, f"{command} failed although no fault was met: {out}{err_text}"
        return
    if code == 0:  # only best-effort steps met it: a folder's fsync or clean-up walk, a backup copy
        backups = str(paths.backup_dir())
        assert all(p.startswith(backups) or os.path.isdir(p) for p in fired_json), (command, fired_json)
        return
    want_code, want_exit = EXPECTED[err]
    result = json.loads(out)
    assert result["ok"] is False and result["error"]["code"] == want_code, (result, fired_json)
    assert code == want_exit
    message = result["error"]["message"]
    for text in (out, err_text, prose_out, prose_err):
        assert "Traceback" not in text and "[Errno" not in text
        assert "OSError" not in text and "sqlite3." not in text and "OperationalError" not in text
    assert "Save As" not in message
    assert any(name in message for name in (document.name, folder.name, home.name)), message
    assert prose_code == want_exit and not prose_out
    assert _untemp(prose_err.strip()) == _untemp(f"cypdesk: {message}")
    assert folder_state(folder) == before, f"{command} changed the document's folder under {want_code}"


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_every_command_meets_the_faults_on_its_own_paths(command, demo_master, tmp_path, capsys, monkeypatch):
    """The matrix above is not vacuous: a command given an existing document meets a
    reading fault in the document's folder, and one given a new file meets a writing
    fault there, and each ends with the mapped error."""
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "home"))
    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "d.cypdesk"
    shutil.copy(demo_master[0], document)
    example = cli.command_examples()[command]
    direction = "read" if "{document}" in example else "write"
    injector = Injector(folder, errno.EIO, direction, "files")
    with monkeypatch.context() as patch:
        injector.install(patch)
        code = cli.main(_argv(command, document, *demo_master[1:]) + ["--json"])
    result = json.loads(capsys.readouterr().out)
    assert injector.fired and code == 1 and result["error"]["code"] == "io_error"
