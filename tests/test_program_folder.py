"""Nothing cypdesk does writes under its own program folder (reliability-anchors case
68; issue 12 item 2): the command line's demo, check, info, an import of a real file,
an export and the self-test, watched by tests/writespy.py (audit hooks on open in
writing modes, os.replace, mkdir, sqlite3.connect...), each in a child pytest process
(tests/writespy.in_child_process: the hook stays for the life of a process). The window's part is in
tests/ui/test_program_folder_window.py. Portable mode: its tests are here too."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from cypdesk import paths
from cypdesk.cli import main
from tests.writespy import WriteSpy, in_child_process

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"


@in_child_process
def test_the_spy_sees_each_kind_of_write(tmp_path):
    """The spy is not blind: open for writing, os.open with O_CREAT, os.replace,
    os.mkdir and sqlite3.connect into a folder are each seen, and a read is not."""
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "readme.txt").write_text("x", encoding="utf-8")
    with WriteSpy() as spy:
        (folder / "readme.txt").read_text(encoding="utf-8")
        assert spy.under(folder) == []
        with open(folder / "a.txt", "w", encoding="utf-8") as handle:
            handle.write("a")
        os.close(os.open(folder / "b.txt", os.O_WRONLY | os.O_CREAT, 0o600))
        os.replace(folder / "a.txt", folder / "c.txt")
        os.mkdir(folder / "sub")
        sqlite3.connect(folder / "d.sqlite").close()
    events = {event for event, _ in spy.under(folder)}
    assert events == {"open", "os.rename", "os.mkdir", "sqlite3.connect"}, spy.under(folder)
    assert spy.under(tmp_path / "elsewhere") == []


def _run(capsys, *args) -> dict:
    code = main([str(a) for a in args] + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, (args, out, err)
    return json.loads(out)


@in_child_process
def test_commands_write_nothing_under_the_program_folder(tmp_path, capsys, monkeypatch):
    """demo, check, info, import of a real Fingertips file, export, spend and the
    self-test, run in-process under the spy: every write is outside paths.program_dir()
    (bytecode caching is switched off for the run, as in the frozen build, where
    modules come from the bundle)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    program = paths.program_dir()
    assert (program / "main.py").is_file() and (program / "cypdesk").is_dir()
    doc = tmp_path / "trust.cypdesk"
    with WriteSpy() as spy:
        _run(capsys, "demo", doc)
        assert _run(capsys, "check", doc)["ok"] is True
        _run(capsys, "info", doc)
        _run(capsys, "import", doc, REAL / "fingertips" / "ohid_fingertips_indicators-CountyUA.data.csv",
             "--kind", "indicator_values")
        _run(capsys, "export", doc, "--table", "services", "--out", tmp_path / "services.xlsx")
        assert main(["--self-test"]) == 0
        capsys.readouterr()
    assert spy.events, "the spy saw no writes at all: it is not watching"
    assert any(path == doc for _, path in spy.events)
    assert spy.under(program) == []


# --- portable mode --------------------------------------------------------------------


@pytest.fixture
def program(tmp_path, monkeypatch):
    """A stand-in program folder (tmp_path/program), with CYPDESK_HOME unset so that
    only the marker file decides."""
    folder = tmp_path / "program"
    folder.mkdir()
    monkeypatch.delenv("CYPDESK_HOME", raising=False)
    return folder


def test_no_marker_no_portable_mode(program):
    env: dict[str, str] = {}
    assert paths.portable_home(program) is None
    assert paths.prepare_environment(env, folder=program) is None
    assert "CYPDESK_HOME" not in env
    assert not (program / paths.PORTABLE_FOLDER).exists()


def test_marker_puts_settings_and_working_copies_beside_the_program_per_user_and_computer(program, monkeypatch):
    """With cypdesk-portable.txt beside the program, CYPDESK_HOME becomes
    <program>/cypdesk-portable-data/<user>@<computer>: data (working copies, the
    installation id) and settings below it; a second user on the same computer, and the
    same user on another computer, get folders of their own (names patched)."""
    (program / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    monkeypatch.setattr("getpass.getuser", lambda: "alys")
    monkeypatch.setattr("platform.node", lambda: "LAPTOP-17")
    env: dict[str, str] = {}
    assert paths.prepare_environment(env, folder=program) is None
    home = program / paths.PORTABLE_FOLDER / "alys@LAPTOP-17"
    assert env["CYPDESK_HOME"] == str(home) and home.is_dir()
    monkeypatch.setenv("CYPDESK_HOME", env["CYPDESK_HOME"])
    assert paths.working_dir() == home / "data" / "working"
    assert paths.config_dir() == home / "config"
    monkeypatch.setattr("getpass.getuser", lambda: "bryn")
    assert paths.portable_home(program) == program / paths.PORTABLE_FOLDER / "bryn@LAPTOP-17"
    monkeypatch.setattr("platform.node", lambda: "DESKTOP/2")
    assert paths.portable_home(program) == program / paths.PORTABLE_FOLDER / "bryn@DESKTOP_2"


def test_two_portable_users_get_different_installation_ids(program, monkeypatch):
    """Two people using one portable copy (user name patched) each get their own
    installation id, kept in their own subfolder."""
    from cypdesk.model import installation

    (program / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    ids = []
    for user in ("alys", "bryn"):
        monkeypatch.setattr("getpass.getuser", lambda user=user: user)
        env: dict[str, str] = {}
        paths.prepare_environment(env, folder=program)
        monkeypatch.setenv("CYPDESK_HOME", env["CYPDESK_HOME"])
        ids.append(installation.get_installation().id)
    assert ids[0] != ids[1]


def test_portable_folder_that_cannot_be_made_falls_back_with_a_warning(program, tmp_path, monkeypatch):
    """A marker on a read-only stick (the portable folder's place taken by a file, as
    root cannot be refused by chmod): cypdesk says so and keeps to the user's own data
    folder (CYPDESK_HOME left unset)."""
    (program / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    (program / paths.PORTABLE_FOLDER).write_text("a file in the way", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    env: dict[str, str] = {}
    warning = paths.prepare_environment(env, folder=program)
    assert warning and "portable mode" in warning and "your own data folder" in warning
    assert "CYPDESK_HOME" not in env


def test_an_explicit_cypdesk_home_wins_over_the_marker(program, tmp_path):
    (program / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    env = {"CYPDESK_HOME": str(tmp_path / "mine")}
    paths.prepare_environment(env, folder=program)
    assert env["CYPDESK_HOME"] == str(tmp_path / "mine")
    assert not (program / paths.PORTABLE_FOLDER).exists()


def test_caches_go_to_the_user_data_folder(program, tmp_path, monkeypatch):
    """matplotlib's config and font cache (MPLCONFIGDIR) and, on Linux, fontconfig's
    cache (XDG_CACHE_HOME) go to <data>/cache; a value the user set is kept."""
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "home"))
    env: dict[str, str] = {"CYPDESK_HOME": str(tmp_path / "home")}
    paths.prepare_environment(env, folder=program)
    cache = tmp_path / "home" / "data" / "cache"
    assert env["MPLCONFIGDIR"] == str(cache / "matplotlib")
    if sys.platform.startswith("linux"):
        assert env["XDG_CACHE_HOME"] == str(cache)
    mine = {"CYPDESK_HOME": str(tmp_path / "home"), "MPLCONFIGDIR": "/somewhere", "XDG_CACHE_HOME": "/else"}
    paths.prepare_environment(mine, folder=program)
    assert (mine["MPLCONFIGDIR"], mine["XDG_CACHE_HOME"]) == ("/somewhere", "/else")


def test_main_py_prepares_the_environment_before_running(tmp_path):
    """main.py, run as a program with CYPDESK_HOME unset and the user data folder moved
    (XDG_DATA_HOME), answers --version and has made the cache folder in the user's data
    folder: prepare_environment ran first."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("CYPDESK_HOME", "MPLCONFIGDIR", "XDG_CACHE_HOME")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("cypdesk ")
    assert (tmp_path / "xdg" / "cypdesk" / "cache").is_dir()
