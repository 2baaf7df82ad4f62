"""A probe script run in a child Python on a fresh demo document, as the app runs (a new
interpreter, its modules imported as a real start imports them, the real thread pool):
for tests of what is imported where and when."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def probe_on_a_demo(tmp_path: Path, code: str, *, timeout: float) -> str:
    """Make a demo document in a child, run ``code`` (``python -c``, the document's path
    as its argument) in another, offscreen with its own data folder; return the probe's
    last line of output."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    doc = tmp_path / "d.cypdesk"
    made = subprocess.run([sys.executable, "-m", "cypdesk", "demo", str(doc)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    probe = subprocess.run([sys.executable, "-c", code, str(doc)], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=timeout)
    assert probe.returncode == 0, probe.stderr
    return probe.stdout.strip().splitlines()[-1]
