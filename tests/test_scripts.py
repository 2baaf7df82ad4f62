"""The set-up scripts on a fresh machine: ``scripts/setup.sh`` waits for another
package manager's lock instead of failing, and ``scripts/run-demo.sh --exit-when-shown``
says in one line that the window was shown.

setup.sh runs with fake ``apt-get``, ``dpkg-query``, ``id`` and ``sleep`` first on PATH
(nothing is installed, nothing waits for real) and ``--system-only`` (no virtual
environment is touched). run-demo.sh runs from a copy of ``scripts/`` in a temporary
folder, with this checkout's ``.venv`` and a set-up step that does nothing, so the
demo document it writes lands there and not in the checkout."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None, reason="needs bash")

FAKE_APT_GET = r"""#!/usr/bin/env bash
# Holds the lists lock for the first $FAKE_LOCKED_UPDATES runs of "update", as
# unattended-upgrades does on a fresh machine; records every call.
echo "$*" >> "$FAKE_DIR/apt-calls"
if [[ " $* " == *" update "* ]]; then
    n=$(cat "$FAKE_DIR/updates" 2>/dev/null || echo 0)
    echo $((n + 1)) > "$FAKE_DIR/updates"
    if [ "$n" -lt "$FAKE_LOCKED_UPDATES" ]; then
        echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (unattended-upgr)" >&2
        echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
        exit 100
    fi
fi
exit 0
"""


def _fake(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def run_setup(tmp_path: Path, locked_updates: int, wait: int = 120, *args: str) -> tuple[subprocess.CompletedProcess, list[str], int]:
    fakes = tmp_path / "bin"
    fakes.mkdir()
    _fake(fakes, "apt-get", FAKE_APT_GET)
    _fake(fakes, "dpkg-query", "#!/bin/sh\nexit 1\n")  # nothing installed
    _fake(fakes, "id", "#!/bin/sh\necho 0\n")  # root, as in CI
    _fake(fakes, "sleep", '#!/bin/sh\necho "$1" >> "$FAKE_DIR/slept"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{fakes}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}", FAKE_DIR=str(tmp_path),
               FAKE_LOCKED_UPDATES=str(locked_updates), CYPDESK_APT_LOCK_WAIT=str(wait))
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), "--system-only", *args],
                          capture_output=True, text=True, env=env, timeout=60)
    calls = (tmp_path / "apt-calls").read_text().splitlines() if (tmp_path / "apt-calls").exists() else []
    slept = (tmp_path / "slept").read_text().split() if (tmp_path / "slept").exists() else []
    return done, calls, sum(int(s) for s in slept)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system libraries step is for Linux")
def test_setup_waits_for_another_package_manager_holding_the_lock(tmp_path):
    done, calls, slept = run_setup(tmp_path, locked_updates=2)
    assert done.returncode == 0, done.stderr
    assert [c.split()[2] for c in calls] == ["update"] * 3 + ["install"]
    assert all(c.startswith("-o DPkg::Lock::Timeout=120 ") for c in calls), calls
    assert "xvfb" in calls[-1] and "libxkbcommon0" in calls[-1]
    assert slept == 10
    assert "waiting for it" in done.stdout
    assert "could not install" not in done.stdout + done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system libraries step is for Linux")
def test_setup_gives_up_after_its_wait_and_says_what_to_run(tmp_path):
    done, calls, slept = run_setup(tmp_path, locked_updates=1000, wait=15)
    assert done.returncode == 0  # it goes on: the tests that need Qt say what is missing
    assert slept == 15 and [c.split()[2] for c in calls] == ["update"] * 4  # 0, 5, 10 and 15 s
    assert "Could not get lock" in done.stderr
    assert "please run: sudo apt-get install" in done.stdout


def test_setup_refuses_an_unknown_option(tmp_path):
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), "--frobnicate"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "--frobnicate" in done.stderr


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "cypdesk").exists(), reason="needs this checkout's .venv (scripts/setup.sh)")
def test_run_demo_exit_when_shown_says_in_one_line_that_the_window_was_shown(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "run-demo.sh", checkout / "scripts" / "run-demo.sh")
    (checkout / "scripts" / "setup.sh").write_text("exit 0\n")  # set up already: this checkout's .venv
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    done = subprocess.run(["bash", str(checkout / "scripts" / "run-demo.sh"), "--exit-when-shown"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    demo = checkout / "demo.cypdesk"
    conn = sqlite3.connect(demo)
    indicators = conn.execute("SELECT count(*) FROM indicators").fetchone()[0]
    conn.close()
    lines = done.stdout.splitlines()
    assert lines[0] == "run-demo: writing demo.cypdesk (a fictional trust)"
    assert lines[-1] == f"cypdesk: window shown with demo.cypdesk (the Needs tab painted {indicators:,} indicators)"
    assert [line for line in lines if "window shown" in line] == lines[-1:]
