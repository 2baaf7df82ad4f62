"""The File menu's promises: a previous version can be restored, the table exports
as shown, unsaved edits left by a crash are offered back, a document someone else
has open opens read-only, and the officer's layout is kept."""

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk.services.documents import write_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def doc_path(demo_path):
    return demo_path


def closed(window):
    if window.workspace is not None:
        window.workspace.doc.close(discard=True)
        window.workspace = None
    window.close()


def edit_capacity(window, value):
    tab = window.tab("services")
    tab.view.selectRow(0)
    tab.form.editors["capacity"].setText(str(value))
    tab.apply()
    return tab.current_id


def test_restore_previous_version(qtbot, doc_path, dialogs):
    from cypdesk.services import records
    from cypdesk.ui import open_main_window

    window = open_main_window(doc_path)
    sid = edit_capacity(window, 111)
    assert window.save()
    edit_capacity(window, 222)
    assert window.save()
    assert records.get(window.workspace, "services", sid)["capacity"] == 222
    dialogs.drivers = [lambda dialog: dialog.setTextValue(dialog.comboBoxItems()[1]) or True]  # the older one
    window.restore_previous()
    assert records.get(window.workspace, "services", sid)["capacity"] == 111
    assert "*" in window.windowTitle()  # restored content is unsaved until Save
    closed(window)


def test_export_the_table_as_shown(qtbot, doc_path, dialogs, tmp_path, monkeypatch):
    import openpyxl

    from cypdesk.ui import open_main_window
    from cypdesk.ui.main_window import MainWindow

    window = open_main_window(doc_path)
    window.tabs.setCurrentIndex(1)
    tab = window.tab("services")
    tab.filter_bar.text.setText("family")
    tab.filter_bar.apply_now()
    out = tmp_path / "services.xlsx"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    window.export_current()
    sheet = openpyxl.load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.label for c in tab.model.query.columns]
    assert len(rows) - 1 == tab.model.rowCount()
    assert "Exported" in window.status_label.text()
    closed(window)


def test_unsaved_edits_left_by_a_crash_are_offered_back(qtbot, doc_path, dialogs, tmp_path):
    from cypdesk.ui import open_main_window

    env = dict(os.environ)
    script = (
        "import os, sys\n"
        "from cypdesk.services.documents import open_workspace\n"
        "from cypdesk.services import records\n"
        f"ws = open_workspace({str(doc_path)!r})\n"
        "sid = records.get(ws, 'services', records.create(ws, 'services', {'name': 'Made before the crash'}).id)['id']\n"
        "print(sid, flush=True)\n"
        "os._exit(9)  # the power goes off: no save, no close\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    window = open_main_window(None)
    dialogs.answers = [QMessageBox.StandardButton.Open]
    window.offer_recovery()
    assert "Recover unsaved changes" == dialogs.seen[-1][0] and "trust.cypdesk" in dialogs.seen[-1][1]
    names = window.tab("services").model.query
    names.set_filter("Made before the crash")
    assert names.count() == 1
    assert "*" in window.windowTitle()
    closed(window)


def test_a_document_open_elsewhere_opens_read_only(qtbot, doc_path, dialogs):
    from cypdesk.model.lock import lock_path_for
    from cypdesk.ui import open_main_window

    lock = lock_path_for(doc_path)
    lock.write_text(json.dumps({"user": "jsmith", "host": "NHS-LAPTOP-7", "pid": 4242,
                                "installation": "x", "since": "2026-03-15T09:30:00+00:00", "token": "t"}))
    window = open_main_window(None)
    dialogs.answers = [QMessageBox.StandardButton.Open]
    window.open_path(doc_path, wait=True)
    assert "jsmith" in dialogs.seen[0][1] and "NHS-LAPTOP-7" in dialogs.seen[0][1]
    assert window.workspace is not None and window.workspace.read_only
    assert "(read-only)" in window.windowTitle()
    tab = window.tab("services")
    assert not tab.buttons["add"].isEnabled()
    assert not window.action_save.isEnabled()
    closed(window)
    assert lock.exists()  # someone else's lock is never removed


def test_the_layout_is_kept(qtbot, doc_path, dialogs):
    from cypdesk.ui import open_main_window

    window = open_main_window(doc_path)
    window.tabs.setCurrentIndex(1)
    tab = window.tab("services")
    tab.splitter.setSizes([300, 700])
    sizes = tab.splitter.sizes()
    window.resize(1111, 777)
    closed(window)
    again = open_main_window(doc_path)
    assert again.tab("services").splitter.saveState() == tab.splitter.saveState() or \
        again.tab("services").layout_restored
    assert str(doc_path.resolve()) in again.settings.recent_files()
    assert sizes[0] < sizes[1]
    closed(again)


def test_cancelling_an_open_leaves_no_document_open(qtbot, doc_path, dialogs, monkeypatch):
    """Long work has a Cancel: an open cancelled while its copy was being made is not
    shown, and releases the document (its lock is gone)."""
    from cypdesk.model.lock import lock_path_for
    from cypdesk.ui import open_main_window
    from cypdesk.ui.tasks import TaskRunner

    window = open_main_window(None)
    real_run = TaskRunner.run

    def run_then_cancel(self, title, fn, on_done, on_error, *, inline=False):
        def cancelled_during(progress):
            result = fn(progress)
            progress.cancel()  # the officer pressed Cancel while it worked
            return result

        return real_run(self, title, cancelled_during, on_done, on_error, inline=inline)

    monkeypatch.setattr(TaskRunner, "run", run_then_cancel)
    assert window.open_path(doc_path) is False
    assert window.workspace is None
    assert "cancelled" in window.status_label.text()
    assert not lock_path_for(doc_path).exists()
    closed(window)
