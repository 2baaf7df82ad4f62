"""``cypdesk FILE --visit-all``: open every tab and every view of the window on FILE,
select the first row of each table shown, and report what failed. The smoke test of
the packaged build runs it (packaging/smoke.py), so a view whose code the bundle lost
(a module imported by name, a Qt plugin, a data file) fails there, not on an officer's
laptop.

Views are found, not listed: every QTabWidget inside a tab is visited page by page,
so a view added later is visited without changing this module.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QModelIndex
from PySide6.QtWidgets import QTableView, QTabWidget, QWidget

SETTLE_ROUNDS = 3


def _label(tabs: QTabWidget, index: int) -> str:
    return tabs.tabText(index).replace("&&", "\0").replace("&", "").replace("\0", "&")


def settle(window: Any) -> None:
    """Let the window finish what a visit started: events, then the worker's tasks and
    the events they post, a few rounds."""
    for _ in range(SETTLE_ROUNDS):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        tasks = getattr(window, "tasks", None)
        if tasks is not None:
            tasks.wait(30_000)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _select_first_rows(page: QWidget) -> int:
    """Select the first row of every visible table on ``page`` that has rows: the
    detail pane beside it fills in. Returns how many tables it selected in."""
    count = 0
    for view in page.findChildren(QTableView):
        model = view.model()
        if not view.isVisible() or model is None or model.rowCount(QModelIndex()) == 0:
            continue
        view.setCurrentIndex(model.index(0, 0))
        view.selectRow(0)
        count += 1
    return count


def _visit_tab_widgets(root: QWidget, path: str, window: Any, seen: set[int], report: Callable[[str], None]) -> None:
    for inner in root.findChildren(QTabWidget):
        if id(inner) in seen or inner is window.tabs:
            continue
        seen.add(id(inner))
        for index in range(inner.count()):
            if not inner.isTabEnabled(index):
                continue
            inner.setCurrentIndex(index)
            settle(window)
            where = f"{path} > {_label(inner, index)}"
            selected = _select_first_rows(inner.widget(index))
            settle(window)
            report(f"{where} ({selected} table{'s' if selected != 1 else ''} with a row selected)")
            _visit_tab_widgets(inner.widget(index), where, window, seen, report)


def visit_all(window: Any, report: Callable[[str], None]) -> list[str]:
    """Visit every tab and view of ``window`` (a MainWindow with a document open);
    ``report`` is told each place visited. Returns the errors raised meanwhile (in Qt
    slots too, caught through ``sys.excepthook``), as one-line descriptions."""
    errors: list[str] = []
    previous_hook = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        errors.append(f"{kind.__name__}: {exc}")
        traceback.print_exception(kind, exc, tb, file=sys.stderr)

    sys.excepthook = hook
    try:
        seen: set[int] = set()
        for index in range(window.tabs.count()):
            name = _label(window.tabs, index)
            try:
                window.tabs.setCurrentIndex(index)
                tab = window.tab_list[index]
                tab.ensure_ready()
                settle(window)
                selected = _select_first_rows(tab)
                settle(window)
                report(f"{name} ({selected} table{'s' if selected != 1 else ''} with a row selected)")
                _visit_tab_widgets(tab, name, window, seen, report)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, the visit goes on
                traceback.print_exc()
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
        window.tabs.setCurrentIndex(0)
        settle(window)
    finally:
        sys.excepthook = previous_hook
    return errors
