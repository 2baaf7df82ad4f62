"""Regression test for PySide6 6.12.0 on Python 3.11 (research/performance-anchors.md,
finding 0): every call of a void-returning method dropped one reference to ``None``, so
the interpreter aborted with "none_dealloc: deallocating None" after a few thousand
calls. pyproject.toml pins ``PySide6-Essentials<6.12`` because of it.

The calls run in a child process: on a broken build the probe stops as soon as the
drop shows, before ``None``'s count reaches zero, and even an abort fails this test
rather than the whole session.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CALLS = 5_000
TOLERANCE = 50  # a healthy build moves by 0 to +7 per 1,000 calls

_PROBE = f"""
import os, sys
from PySide6.QtCore import QObject
from PySide6.QtGui import QStandardItem

obj, item = QObject(), QStandardItem()
for _ in range(50):  # let caches settle before counting
    obj.setObjectName("warm-up")
    item.setText("warm-up")
before = sys.getrefcount(None)
done = 0
while done < {CALLS}:
    for _ in range(250):
        obj.setObjectName("name")  # void
        item.setText("text")  # void
    done += 250
    if before - sys.getrefcount(None) > {TOLERANCE}:
        break  # leaking: stop before None is freed and the interpreter aborts
print(done, before - sys.getrefcount(None), flush=True)
os._exit(0)  # skip finalisation, where a leaking build aborts on freeing None
"""


@pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None is immortal on Python >= 3.12: its reference count cannot show the leak",
)
def test_void_calls_do_not_drop_references_to_none():
    import PySide6

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0 and proc.stdout.strip(), (
        f"the probe died (exit {proc.returncode}) on PySide6 {PySide6.__version__}:\n{proc.stderr}"
    )
    done, drop = map(int, proc.stdout.split())
    assert drop <= TOLERANCE, (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} dropped {drop} "
        f"references to None in {done} x 2 void calls: it will abort the app "
        "(keep PySide6-Essentials<6.12 on Python 3.11, performance-anchors finding 0)"
    )


@pytest.mark.skipif(sys.version_info < (3, 12), reason="measured directly on this Python")
def test_pyside6_stays_within_the_pin_where_the_leak_cannot_be_measured():
    # On Python >= 3.12 the leak is harmless but invisible; until a release is known
    # to be fixed, keep the pin that pyproject.toml declares.
    import PySide6

    assert tuple(PySide6.__version_info__[:2]) < (6, 12), (
        f"PySide6 {PySide6.__version__} is above the <6.12 pin; if it is known to be "
        "fixed, lift the pin in pyproject.toml and cypdesk/selftest.py together"
    )
