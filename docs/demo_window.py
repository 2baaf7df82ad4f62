"""The window the screenshot scripts photograph: open on a fresh demo document (dated
22 November 2026, so the pictures do not drift), with a private CYPDESK_HOME, work done
at once rather than on the worker (every picture complete), at a council laptop's
1366 x 768; thrown away afterwards."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any


@contextmanager
def demo_window() -> Iterator[tuple[Any, Any]]:
    """``with demo_window() as (app, window):`` the QApplication and the main window on
    the demo; its document is discarded and the window closed on leaving."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CYPDESK_HOME"] = str(Path(tmp) / "home")
        from PySide6.QtWidgets import QApplication

        from cypdesk.services.documents import write_demo
        from cypdesk.ui import open_main_window
        from cypdesk.ui.tasks import TaskRunner

        demo = Path(tmp) / "Riverside children's trust.cypdesk"
        write_demo(demo, today=date(2026, 11, 22))
        app = QApplication.instance() or QApplication(sys.argv[:1])
        TaskRunner.INLINE = True  # a script: work at once, so every picture is complete
        window = open_main_window(demo)
        window.resize(1366, 768)  # a council laptop's screen
        try:
            yield app, window
        finally:
            if window.workspace is not None:
                window.workspace.doc.close(discard=True)
                window.workspace = None
            window.close()
