"""``cypdesk FILE --visit-all`` (cypdesk/ui/visit.py), the smoke test's walk through
the window: every tab and every view is visited, an error raised in a view is
reported (and makes the run exit 1), and the whole run, window and all, writes nothing
under the program folder (reliability-anchors case 68; the spy is tests/writespy.py)."""

from __future__ import annotations

import re
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTabWidget

from cypdesk import paths
from cypdesk.ui.visit import visit_all
from tests.writespy import WriteSpy, in_child_process


def _views(window) -> list[str]:
    """'Tab > View' for every page of every QTabWidget inside each tab, however deep."""
    out = []
    for index, tab in enumerate(window.tab_list):
        title = window.tabs.tabText(index).replace("&", "")
        for inner in tab.findChildren(QTabWidget):
            if inner.parent() is not None:
                out += [f"{title} > {inner.tabText(i).replace('&', '')}" for i in range(inner.count())]
    return out


def test_visit_all_opens_every_tab_and_view_without_errors(open_window):
    """On the demo: each of the six tabs and each page of the QTabWidgets inside them is
    reported as visited, tables get a row selected, and no error is raised."""
    window = open_window()
    places: list[str] = []
    errors = visit_all(window, places.append)
    assert errors == []
    names = [place.split(" (")[0] for place in places]
    for index in range(window.tabs.count()):
        assert window.tabs.tabText(index).replace("&", "") in names
    expected = _views(window)  # nested views are reported under their parent view: compare by tab and name
    assert len(expected) >= 10  # Needs, Services, Budgets, Monitoring and Organisations have views
    def key(name: str) -> tuple[str, str]:  # counts in labels ("Gaps (14)") change as the views fill
        return name.split(" > ")[0], re.sub(r" \(\d+\)$", "", name.split(" > ")[-1])

    reported = {key(name) for name in names}
    missing = {view for view in expected if key(view) not in reported}
    assert not missing, missing
    assert "Monitoring > Action plan" in names and "Organisations and people > People" in names
    assert any("with a row selected" in p and not p.endswith("(0 tables with a row selected)") for p in places)
    assert window.tabs.currentIndex() == 0


def test_an_error_in_a_view_is_reported(open_window, monkeypatch):
    """A view whose code fails when shown (MonitoringTab._view_changed patched to raise,
    standing in for a module the bundle lost) is reported in the errors, named."""
    from cypdesk.ui.tabs import monitoring_tab

    def broken(self, index):
        raise ImportError("No module named 'lost_in_the_bundle'")

    monkeypatch.setattr(monitoring_tab.MonitoringTab, "_view_changed", broken)
    window = open_window()
    errors = visit_all(window, lambda _place: None)
    assert any("lost_in_the_bundle" in error for error in errors), errors


@in_child_process
def test_cypdesk_file_visit_all_exits_0_and_writes_nothing_under_the_program_folder(qapp, demo_path, monkeypatch, capsys):
    """run_app(FILE, visit_all=True), the code behind ``cypdesk FILE --visit-all``,
    under the write spy in a child pytest process (tests/writespy.in_child_process;
    bytecode caching off, as in the frozen build):
    exit 0, the summary line printed, the document and the user's data folder written,
    nothing under paths.program_dir()."""
    from cypdesk.app import run_app

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    guard = QTimer()  # never hang the test run
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.instance().quit)
    guard.start(120_000)
    try:
        with WriteSpy() as spy:
            code = run_app(str(demo_path), visit_all=True)
    finally:
        guard.stop()
        app = QApplication.instance()  # take any stray quit (see test_recovery_on_open)
        QTimer.singleShot(0, app.quit)
        app.exec()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 errors" in out.strip().splitlines()[-1]
    assert spy.events
    assert spy.under(paths.data_dir()) != []
    assert spy.under(paths.program_dir()) == []
