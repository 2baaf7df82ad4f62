"""The window reports failures in the command line's plain words (never "OSError:
[Errno 28] ..."), through the same mapping (cypdesk.common.errors.error_from), and
``cypdesk FILE --exit-when-shown`` exits with the command line's codes when FILE is
refused (issue 7, item 4)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cypdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-errors-demo")
    path = folder / "demo.cypdesk"
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        assert main(["demo", str(path)]) == 0
    finally:
        if old is not None:
            os.environ["CYPDESK_HOME"] = old
    return path


def _plain(text: str) -> None:
    assert "Errno" not in text and "OSError" not in text and "OperationalError" not in text, text


def test_open_failing_on_a_full_data_folder_shows_plain_words(qtbot, tmp_path, dialogs, monkeypatch):
    """Opening fails with a raw OSError ENOSPC (patched open_workspace, as when the data
    folder fills while the working copy is made): the dialog says the disk is full in
    words and the refusal carries the command line's code (disk_full)."""
    from PySide6.QtWidgets import QMessageBox

    from cypdesk.services import documents
    from cypdesk.ui import open_main_window

    def full(path, read_only=False, take_over_lock=False):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "home" / "data" / "working"))

    monkeypatch.setattr(documents, "open_workspace", full)
    target = tmp_path / "budget.cypdesk"
    target.write_bytes(b"")
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window = open_main_window(target)
    qtbot.addWidget(window)
    title, text = dialogs.seen[0]
    assert title == "Cannot open the document"
    assert "the disk is full" in text and "budget.cypdesk" in text and "Free some space" in text
    _plain(text)
    assert window.open_error.code == "disk_full" and window.open_error.exit_code == 1
    window.close()


def test_save_failing_with_a_raw_oserror_shows_plain_words(qtbot, demo_file, tmp_path, dialogs):
    """Save raising a raw OSError EIO (patched Document.save on the open document): the
    dialog says what happened in words and keeps the window's own advice (Save As)."""
    import shutil

    from PySide6.QtWidgets import QMessageBox

    from cypdesk.ui import open_main_window

    copy = tmp_path / "board.cypdesk"
    shutil.copy(demo_file, copy)
    window = open_main_window(copy)
    qtbot.addWidget(window)
    doc = window.workspace.doc

    def broken():
        raise OSError(errno.EIO, "Input/output error", str(copy))

    doc.save = broken
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    assert window.save() is False
    title, text = dialogs.seen[-1]
    assert title == "The document was not saved"
    assert f"Could not save {copy}" in text and "input/output error" in text and "Save As" in text
    _plain(text)
    window.close()


def test_a_failed_task_shows_plain_words(qtbot, tmp_path, dialogs):
    """Work run through run_task (an export) failing with sqlite3 SQLITE_FULL: the
    dialog says the disk is full, naming the export's file."""
    from PySide6.QtWidgets import QMessageBox

    from cypdesk.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    out = tmp_path / "services.xlsx"

    def work(_progress):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorname, exc.sqlite_errorcode = "SQLITE_FULL", 13
        raise exc

    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window.run_task("Exporting…", work, lambda _r: None, path=out, doing="export to")
    title, text = dialogs.seen[-1]
    assert title == "That did not work"
    assert text.startswith(f"Could not export to {out}: the disk is full.")
    _plain(text)
    window.close()


def _newer(path: Path, demo: Path) -> None:
    path.write_bytes(demo.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()


def _locked(path: Path, demo: Path) -> None:
    path.write_bytes(demo.read_bytes())
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(timespec="seconds")
    path.with_name(f".~lock.{path.name}#").write_text(json.dumps({
        "user": "Jo Bloggs", "host": "another-computer", "pid": 4242, "installation": "x", "since": since,
        "token": "t"}), encoding="utf-8")


@pytest.mark.parametrize("make, code, words", [
    (lambda p, d: p.write_bytes(b"%PDF-1.7 not a document"), 2, "not an SQLite file"),
    (_newer, 2, "newer version"),
    (lambda p, d: p.write_bytes(d.read_bytes()[:5000]), 1, "damaged"),
    (_locked, 1, "Jo Bloggs"),
], ids=["not-a-document", "newer", "damaged", "locked"])
def test_exit_when_shown_refusal_exits_with_the_command_lines_code(make, code, words, demo_file, tmp_path):
    """``cypdesk FILE --exit-when-shown`` on a refused FILE exits with the code
    ``cypdesk check``/``set`` would give it: 2 not a document or newer, 1 damaged or
    locked (a child process, as a smoke test runs it)."""
    path = tmp_path / "refused.cypdesk"
    make(path, demo_file)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "cypdesk", str(path), "--exit-when-shown"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == code, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
