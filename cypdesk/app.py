"""The composition root of the window: QApplication, the main window, the document.

The window is shown first and the document opened on the first turn of the event
loop, so the officer sees cypdesk at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cypdesk import APP_NAME, ORG_DOMAIN, ORG_NAME, __version__

SHOWN_TIMEOUT_MS = 120_000


def run_app(path: str | None = None, *, exit_when_shown: bool = False, read_only: bool = False,
            visit_all: bool = False) -> int:
    """Show the window (on ``path`` if given) and run until it closes.

    ``exit_when_shown``: exit 0 once the first tab has painted the document (smoke
    tests, benchmarks). ``visit_all``: then open every tab and view, selecting a row in
    each table (cypdesk/ui/visit.py), and exit 0, or 1 if anything failed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from cypdesk.ui.main_window import MainWindow, focus_first_tab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG_NAME)
    app.setOrganizationDomain(ORG_DOMAIN)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    _set_icon(app)
    window = MainWindow()
    result = {"code": 0}

    exit_when_shown = exit_when_shown or visit_all
    if exit_when_shown:
        if not path:
            print(f"cypdesk: {'--visit-all' if visit_all else '--exit-when-shown'} needs a FILE", file=sys.stderr)
            return 2

        def shown(rows: int) -> None:
            # Exit 0 only once the first tab has painted what FILE holds (rows, or its
            # empty state), and say so in one line every caller sees.
            print(f"cypdesk: window shown with {Path(path).name} ({window.painted_summary(rows)})", flush=True)
            result["code"] = 0
            if visit_all:
                result["code"] = _visit(window)
            app.quit()

        def timed_out() -> None:
            print("cypdesk: the first tab did not show the document in time", file=sys.stderr)
            result["code"] = 1
            app.quit()

        window.first_tab_painted.connect(shown)
        QTimer.singleShot(SHOWN_TIMEOUT_MS, timed_out)
        window.ask = _fail_on_dialog(app, result, window)  # type: ignore[method-assign]

    else:
        from cypdesk.ui.tour import offer_when_a_document_opens

        # The first time a document is open in this cypdesk, the tour of its tabs;
        # once finished or skipped, never again (not in the smoke test's mode).
        offer_when_a_document_opens(window)
    window.show()
    if path:
        def open_document() -> None:
            window.document_opened.connect(lambda _path: focus_first_tab(window))
            # Unsaved edits to it left by a cypdesk that stopped are offered first.
            window.open_path(Path(path), read_only=read_only)  # failures end in a dialog
            # Tidied while the worker opens the document (the window's thread waits for it
            # anyway): both leave alone what is younger than a minute, or belongs to a
            # cypdesk still running, so neither touches the other's files.
            _housekeeping()

        QTimer.singleShot(0, open_document)
    elif not exit_when_shown:
        def recover_or_wait() -> None:
            _housekeeping()
            window.offer_recovery()

        QTimer.singleShot(0, recover_or_wait)
    code = app.exec()
    window.close_document()
    return result["code"] if exit_when_shown else code


def _set_icon(app) -> None:  # type: ignore[no-untyped-def]
    """The window's icon (title bar, task bar): resources/icons/cypdesk.png, drawn by
    packaging/make_icon.py. On Windows the programs carry cypdesk.ico as well."""
    from PySide6.QtGui import QIcon

    from cypdesk.paths import resources_dir

    icon = resources_dir() / "icons" / "cypdesk.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))


def _visit(window) -> int:  # type: ignore[no-untyped-def]
    """--visit-all: every tab and view, one line each; 0 if nothing failed, else 1."""
    from cypdesk.ui.visit import visit_all

    places: list[str] = []

    def report(place: str) -> None:
        places.append(place)
        print(f"cypdesk: visited {place}", flush=True)

    errors = visit_all(window, report)
    for error in errors:
        print(f"cypdesk: visit failed: {error}", file=sys.stderr)
    print(f"cypdesk: visited {len(places)} tabs and views, {len(errors)} errors", flush=True)
    return 1 if errors else 0


def _housekeeping() -> None:
    """Tidy what earlier runs left in cypdesk's own folders (stale working copies and
    temporary files; never a copy with unsaved edits): cheap, once per start."""
    from cypdesk.model.recovery import housekeeping

    housekeeping()


def _fail_on_dialog(app, result, window):  # type: ignore[no-untyped-def]
    """In smoke-test mode a dialog would wait for a person: print it and exit with the
    command line's code for the refusal (2 missing, not a document, newer, permission
    denied; 1 damaged, locked, a full disk...), or 1 for any other dialog. The one
    question answered without a person is recovery: unsaved edits waiting for FILE are
    kept for later (said on stderr) and the file itself is shown."""

    from PySide6.QtWidgets import QMessageBox

    from cypdesk.ui.main_window import RECOVERY_TITLE

    def ask(icon, title, text, buttons, labels=None, guide=None):  # type: ignore[no-untyped-def]
        if title == RECOVERY_TITLE:  # nobody to ask: keep the edits for later, show the file as it is
            print(f"cypdesk: {text.splitlines()[0]} They are kept for later (Decide later).", file=sys.stderr)
            return QMessageBox.StandardButton.Ignore
        print(f"cypdesk: {title}: {text}", file=sys.stderr)
        refused = getattr(window, "open_error", None)
        result["code"] = int(getattr(refused, "exit_code", 1) or 1)
        app.quit()
        return 0

    return ask
