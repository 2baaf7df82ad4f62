"""The window. The only package (with ``cypdesk.app``) that imports Qt."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_main_window(path: str | Path | None = None, *, read_only: bool = False) -> Any:
    """Open the main window on a document and return it, without starting the event
    loop: tests (and anyone) can drive it with pytest-qt. A QApplication must exist."""
    from cypdesk.ui.main_window import MainWindow

    window = MainWindow()
    if path is not None:
        window.open_path(path, read_only=read_only, wait=True)
    window.show()
    return window
