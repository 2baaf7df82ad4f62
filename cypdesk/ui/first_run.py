"""The window with no document: the start page's actions, and the demo trust.

"Explore the demo trust" writes a fresh demo document into the user data folder
through the same service as ``cypdesk demo`` (:func:`cypdesk.services.documents.write_demo`),
on the worker thread, and opens it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from cypdesk.ui.widgets.start_page import DEMO_NAME, StartPage


def demo_file() -> Path:
    """Where the demo trust is written: the user's cypdesk data folder."""
    from cypdesk import paths

    return paths.data_dir() / DEMO_NAME


def make_start_page(window: Any) -> StartPage:
    page = StartPage()
    page.new_requested.connect(window.new_document)
    page.open_requested.connect(window.choose_and_open)
    page.recent_requested.connect(lambda path: open_recent(window, path))
    page.demo_requested.connect(lambda: explore_demo(window))
    page.guide_requested.connect(lambda: window.show_help(contents=True))
    page.set_recent(window.settings.recent_files())
    return page


def open_recent(window: Any, path: str) -> bool:
    """Open a recent document; one that is no longer there is said and taken off the list."""
    if not Path(path).exists():
        window.ask(QMessageBox.Icon.Warning, "Cannot open the document",
                   f"{path} is no longer there: it may have been moved, renamed or deleted, or its drive is not "
                   "connected. It is taken off the list of recent documents.", QMessageBox.StandardButton.Ok,
                   guide="missing")
        window.settings.remove_recent(path)
        window.start_page.set_recent(window.settings.recent_files())
        return False
    return window.open_path(path)


def explore_demo(window: Any) -> None:
    """Write a fresh demo trust into the data folder (off the UI thread) and open it."""
    from cypdesk.common.errors import CypdeskError, plain_message
    from cypdesk.services.documents import write_demo

    target = demo_file()

    def work(progress: Any) -> Any:
        return write_demo(target, force=True, progress=progress)

    def done(result: Any) -> None:
        if window.open_path(result["path"]):
            window.status(f"This is the demo trust, a fictional trust's document saved as {result['path']}. "
                          "Change anything: it is a fresh copy each time you explore it.")

    def failed(exc: BaseException) -> None:
        if isinstance(exc, CypdeskError) and exc.code == "cancelled":
            return
        window.ask(QMessageBox.Icon.Warning, "The demo trust was not made",
                   plain_message(exc, path=target, doing="write"), QMessageBox.StandardButton.Ok,
                   guide=getattr(exc, "code", None))

    if not window.close_document():
        return
    window.tasks.run("Making the demo trust…", work, done, failed)
