"""The import wizard on the REAL thread pool (the ``on_the_thread_pool`` fixture turns
the shared fixture's ``TaskRunner.INLINE`` off): reading, the preview and the import
run on the worker while the wizard keeps handling events, and the wizard's Cancel
stops an import part way with nothing written.

``held_at_first_write`` makes the cancel land mid-import: it holds the worker at the
import's first progress report while writing ("Adding contract records", sent after
the first batch of rows has been inserted in the import's open transaction) until the
test has pressed Cancel. No sleeps: the test waits on Events and on the wizard's state.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

REGISTER = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "register.xlsx"


@pytest.fixture
def on_the_thread_pool(dialogs, monkeypatch):
    """Undoes the shared fixture's ``TaskRunner.INLINE = True`` for this test."""
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    return dialogs


@pytest.fixture
def held_at_first_write(monkeypatch):
    """(reached, release): the worker waits in its first "Adding ..." progress report
    (rows already inserted, transaction open) until ``release`` is set."""
    from cypdesk.ui.tasks import Progress

    reached, release = threading.Event(), threading.Event()
    original = Progress.report

    def report(self, done, total, text=""):
        original(self, done, total, text)
        if text.startswith("Adding") and not reached.is_set():
            reached.set()
            release.wait(10)

    monkeypatch.setattr(Progress, "report", report)
    yield reached, release
    release.set()


@pytest.fixture
def window(qtbot, on_the_thread_pool, demo_path):
    from cypdesk.ui.main_window import MainWindow

    w = MainWindow()  # closed below, once its document is discarded (it has unsaved changes)
    w.show()
    assert w.open_path(demo_path, wait=True)
    yield w
    w.tasks.wait()
    qtbot.wait(10)  # deliver what the worker sent back
    if w.workspace is not None:
        if w.reader is not None:
            w.reader.close()
            w.reader = None
        w.workspace.doc.close(discard=True)
        w.workspace = None
    w.close()
    w.deleteLater()


def counts(window) -> dict[str, int]:
    out = {}
    with window.workspace.doc.engine.connect() as conn:
        for table in ("contracts", "services", "organisations", "import_records", "history", "field_versions",
                      "tombstones"):
            out[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    return out


def to_preview(qtbot, wizard):
    wizard.file_page.path.setText(str(REGISTER))
    wizard.next()
    qtbot.waitUntil(wizard.table_page.isComplete, timeout=10_000)
    wizard.next()
    page = wizard.mapping_page
    page.choose("Contract", "title")
    wizard.next()
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.shown is not None and not wizard.working, timeout=10_000)
    preview.create.setChecked(True)
    preview.skip.setChecked(True)
    qtbot.waitUntil(preview.isComplete, timeout=10_000)


def test_cancel_mid_import_writes_nothing_and_the_wizard_says_so(qtbot, window, held_at_first_write):
    """The import is held after its first rows went into the open transaction; Cancel
    is pressed; the worker stops at its next check. The page says nothing was
    imported, the wizard stays open, the undo stack is empty, and the document's
    records, history, field versions and import records are as before."""
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard

    reached, release = held_at_first_write
    before = counts(window)
    wizard = ImportWizard(window, "contracts")
    qtbot.addWidget(wizard)
    wizard.show()
    to_preview(qtbot, wizard)
    gui = threading.get_ident()
    wizard.next()  # Import: runs on the worker
    assert wizard.currentPage() is wizard.run_page
    assert reached.wait(10), "the import never reached its first write"
    assert wizard.importing and wizard.isVisible()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert wizard.isVisible()  # Cancel during the import stops it; the wizard stays to say so
    assert "Cancelling" in wizard.run_page.busy.label.text()
    release.set()
    qtbot.waitUntil(lambda: wizard.run_page.finished, timeout=10_000)
    assert threading.get_ident() == gui
    assert "Import cancelled: nothing was imported" in wizard.run_page.busy.label.text()
    assert wizard.outcome is None
    assert window.undo_stack.count() == 0
    assert counts(window) == before


def test_the_import_runs_on_the_worker_and_comes_back_as_one_undo_step(qtbot, window):
    """Without a cancel, the same import on the worker finishes, the result shows in
    the last step and the import is on the undo stack."""
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard

    before = counts(window)
    wizard = ImportWizard(window, "contracts")
    qtbot.addWidget(wizard)
    wizard.show()
    to_preview(qtbot, wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.run_page.finished, timeout=10_000)
    assert "8 added" in wizard.run_page.counts.text()
    assert counts(window)["contracts"] == before["contracts"] + 8
    assert window.undo_stack.count() == 1
