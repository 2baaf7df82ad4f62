"""Every test module here needs Qt: without an importable PySide6 each is reported as
skipped, with the import error as the reason, instead of failing to import. Every test
here carries the ``qt`` marker (``-m "not qt"`` leaves them out)."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    import PySide6.QtWidgets  # noqa: F401
except ImportError as exc:  # also missing system libraries (libGL, libxkbcommon...)
    QT_IMPORT_ERROR: str | None = f"{type(exc).__name__}: {exc}"
else:
    QT_IMPORT_ERROR = None

_HERE = Path(__file__).resolve().parent


class _QtMissingModule(pytest.Module):
    def _getobj(self):
        pytest.skip(f"PySide6 cannot be imported: {QT_IMPORT_ERROR}", allow_module_level=True)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    if QT_IMPORT_ERROR is not None:
        return _QtMissingModule.from_parent(parent, path=module_path)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.qt)


class Dialogs:
    """Stands in for every message box: records what was asked and answers from a
    queue. A dialog nobody expected fails the test instead of waiting for a person."""

    def __init__(self) -> None:
        self.answers: list = []
        self.seen: list[tuple[str, str]] = []
        self.buttons: list = []  # (standard buttons, their labels) of each message box asked
        self.guides: list = []  # the error code each message box was asked with (its guide page)
        self.drivers: list = []  # callables that fill in a dialog and return True for OK

    def run_dialog(self, dialog):
        self.seen.append((dialog.windowTitle(), ""))
        if not self.drivers:
            raise AssertionError(f"unexpected dialog {dialog.windowTitle()!r}")
        return self.drivers.pop(0)(dialog)

    def ask(self, _icon, title, text, buttons, labels=None, guide=None):
        self.seen.append((title, text))
        self.guides.append(guide)
        self.buttons.append((buttons, labels or {}))
        if not self.answers:
            raise AssertionError(f"unexpected dialog {title!r}: {text}")
        return self.answers.pop(0)


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """Every test here: message boxes and dialogs answered from :class:`Dialogs`, and
    ``TaskRunner.INLINE`` set, so long work runs at once on the test's own thread with
    no progress dialog. A test that exercises the real thread pool turns INLINE off and
    says so (tests/ui/test_worker_thread.py, test_data_safety.py's ``window``)."""
    if QT_IMPORT_ERROR is not None:
        return None
    from cypdesk.ui.main_window import MainWindow
    from cypdesk.ui.tasks import TaskRunner

    log = Dialogs()
    monkeypatch.setattr(MainWindow, "ask", log.ask)
    monkeypatch.setattr(MainWindow, "run_dialog", log.run_dialog)
    monkeypatch.setattr(TaskRunner, "INLINE", True)  # long work runs at once, on this thread
    return log


@pytest.fixture
def open_window(qtbot, demo_path):
    """Opens the main window on a fresh copy of the demo, with the tab for ``kind`` in
    front; afterwards throws away what the test changed and closes it."""
    windows = []

    def open_(kind: str | None = None):
        from cypdesk.ui import open_main_window

        window = open_main_window(demo_path)
        if kind:
            window.show_tab(kind)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        if window.workspace is not None:
            window.workspace.doc.close(discard=True)
            window.workspace = None
        window.close()
        window.deleteLater()
