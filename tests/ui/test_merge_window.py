"""File > Merge from partner file… in the window, end to end on real documents: the
preview shows a conflict's two values, the officer takes theirs for one field and keeps
mine for another, the merge writes exactly that, Undo takes the whole merge back in one
step (and Redo puts it back), and a preview cancelled, a merge cancelled part way or a
plan gone stale leaves the document as it was (compared by hash).

Every test runs with the tests' inline TaskRunner (``dialogs`` fixture: work runs at
once on the test's thread) and answers the preview through ``run_dialog``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cypdesk.model.installation import Installation

BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-DESKTOP")
NEW_ORGANISATION = "Riverside Youth Trust"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def first_services(path: Path, n: int = 2) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM services ORDER BY id LIMIT ?", (n,))]


def partner_file(master: Path, folder: Path, capacity_id: str, cost_id: str) -> Path:
    """A plain copy of the demo edited by bob at the NHS: a capacity and an annual cost
    that we change too (two conflicts), and a new organisation."""
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "partner.cypdesk"
    shutil.copy(master, path)
    doc = Document.open(path, installation=BOB)
    try:
        ws = Workspace(doc, BOB)
        records.update(ws, "services", capacity_id, {"capacity": 22})
        records.update(ws, "services", cost_id, {"annual_cost": 222222})
        records.create(ws, "organisations", {"name": NEW_ORGANISATION, "kind": "voluntary"})
        doc.save()
    finally:
        doc.close(discard=True)
    return path


def organisation_named(window, name: str) -> bool:
    with closing(sqlite3.connect(window.workspace.doc.working_path)) as conn:
        return conn.execute("SELECT count(*) FROM organisations WHERE name=?", (name,)).fetchone()[0] == 1


@pytest.fixture
def setup(open_window, demo_master, demo_path, tmp_path, monkeypatch):
    """The demo open in the window with two of our own edits on the undo stack (a
    capacity and an annual cost), and a partner's copy that changed both too. File >
    Merge's file chooser is replaced to pick the partner's file."""
    from cypdesk.services import records
    from cypdesk.ui.exchange import merge_flow

    capacity_id, cost_id = first_services(demo_path)
    theirs = partner_file(demo_master, tmp_path / "partner", capacity_id, cost_id)
    window = open_window("services")
    ws = window.workspace
    tab = window.tab("services")
    window.push(records.update(ws, "services", capacity_id, {"capacity": 11}), tab)
    window.push(records.update(ws, "services", cost_id, {"annual_cost": 111111}), tab)
    monkeypatch.setattr(merge_flow, "choose_partner_file", lambda _window: str(theirs))
    return window, theirs, capacity_id, cost_id


def value(window, record_id: str, field: str):
    from cypdesk.services import records

    return records.get(window.workspace, "services", record_id)[field]


def test_preview_take_theirs_for_one_field_keep_mine_for_another(setup, dialogs):
    """The preview lists both conflicts with both values as the Services tab shows them
    (the capacity as a number, the annual cost in pounds); choosing theirs for the
    capacity and mine for the annual cost, then Merge, writes 22 and keeps £111,111, and
    adds the partner's new organisation. The status bar names the backup."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.ui.exchange.merge_dialog import MergeDialog

    seen = {}

    def drive(dialog):
        assert isinstance(dialog, MergeDialog)
        conflicts = {c.key: c for c in dialog.plan.conflicts}
        capacity, cost = f"services/{capacity_id}/capacity", f"services/{cost_id}/annual_cost"
        assert {capacity, cost} <= set(conflicts)
        model = dialog.conflicts
        rows = {model.item(r).key: r for r in range(model.rowCount())}
        seen["capacity"] = [model.index(rows[capacity], c).data() for c in (3, 4)]
        seen["cost"] = [model.index(rows[cost], c).data() for c in (3, 4)]
        dialog.conflict_view.selectRow(rows[capacity])
        dialog.take_theirs.click()
        dialog.conflict_view.selectRow(rows[cost])
        dialog.keep_mine.click()
        seen["choices"] = dialog.choices
        seen["counts"] = dialog.summary.text()
        return True

    dialogs.drivers = [drive]
    assert window.action_merge.isEnabled()
    window.action_merge.trigger()
    assert seen["capacity"] == ["11", "22"]
    assert seen["cost"] == ["£111,111", "£222,222"]
    assert seen["choices"][f"services/{capacity_id}/capacity"] == "theirs"
    assert seen["choices"][f"services/{cost_id}/annual_cost"] == "ours"
    assert "1 added" in seen["counts"] and "4 conflicts" in seen["counts"]  # and the two unit costs worked out
    assert value(window, capacity_id, "capacity") == 22
    assert value(window, cost_id, "annual_cost") == 111111
    assert organisation_named(window, NEW_ORGANISATION)
    assert "Merged partner.cypdesk" in window.status_label.text()
    assert "before-merge" in window.status_label.text()
    assert "*" in window.windowTitle()


def test_undo_takes_the_whole_merge_back_in_one_step_and_redo_puts_it_back(setup, dialogs):
    """After the merge, one Undo restores the document exactly as it was before it
    (our own edits kept, the partner's organisation gone: same content digest); the
    edits before it still undo one by one; Redo brings the merge back exactly."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services.exchange.canon import content_digest

    work = window.workspace.doc.working_path
    before = content_digest(work)
    dialogs.drivers = [lambda dialog: True]  # the suggested choices
    window.action_merge.trigger()
    after = content_digest(work)
    assert after != before and window.undo_stack.count() == 3
    assert window.undo_stack.undoText() == "Merge partner.cypdesk"
    window.action_undo.trigger()
    assert content_digest(work) == before
    assert value(window, capacity_id, "capacity") == 11 and value(window, cost_id, "annual_cost") == 111111
    assert not organisation_named(window, NEW_ORGANISATION)
    window.action_undo.trigger()  # our own edit before the merge undoes as before
    assert value(window, cost_id, "annual_cost") != 111111
    window.action_redo.trigger()
    window.action_redo.trigger()
    assert content_digest(work) == after
    assert organisation_named(window, NEW_ORGANISATION)


def test_undo_of_a_merge_refuses_when_the_document_changed_outside_the_undo_stack(setup, dialogs):
    """A change that is not on the undo stack (here written by the services directly)
    makes Undo of the merge refuse in words and change nothing: putting the backup back
    would lose it."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services import records
    from cypdesk.services.exchange.canon import content_digest

    dialogs.drivers = [lambda dialog: True]
    window.action_merge.trigger()
    records.update(window.workspace, "services", capacity_id, {"capacity": 99})
    work = window.workspace.doc.working_path
    held = content_digest(work)
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window.action_undo.trigger()
    assert dialogs.seen[-1][0] == "Not undone"
    assert "would lose other changes" in dialogs.seen[-1][1]
    assert content_digest(work) == held


def test_a_cancelled_preview_writes_nothing(setup, dialogs):
    """Cancel in the preview: the working copy and the file on disk keep their bytes,
    the undo stack is as it was, and the status bar says nothing changed."""
    window, theirs, capacity_id, cost_id = setup
    doc = window.workspace.doc
    hashes = sha(doc.working_path), sha(doc.path), sha(theirs)
    steps = window.undo_stack.count()
    dialogs.drivers = [lambda dialog: False]
    window.action_merge.trigger()
    assert (sha(doc.working_path), sha(doc.path), sha(theirs)) == hashes
    assert window.undo_stack.count() == steps
    assert "cancelled" in window.status_label.text() and "not been changed" in window.status_label.text()


def test_a_merge_cancelled_part_way_leaves_the_document_unchanged(setup, dialogs, monkeypatch):
    """Cancel pressed while the merge is written (a progress whose Cancel is pressed,
    patched into apply_merge): the engine rolls back, the working copy keeps its bytes,
    and the status bar says the merge was cancelled."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services.exchange import apply

    real = apply.apply_merge

    class Pressed:
        def report(self, *args):
            pass

        def cancelled(self):
            return True

    monkeypatch.setattr(apply, "apply_merge", lambda *a, **k: real(*a, **{**k, "progress": Pressed()}))
    work = window.workspace.doc.working_path
    held = sha(work)
    dialogs.drivers = [lambda dialog: True]
    window.action_merge.trigger()
    assert sha(work) == held
    assert "cancelled" in window.status_label.text()
    assert window.undo_stack.undoText() != "Merge partner.cypdesk"


def test_a_plan_gone_stale_is_said_and_previewed_again(setup, dialogs, monkeypatch):
    """The document changes between the preview and Merge (an edit made while the
    preview was open, here by the preview's driver): the merge is refused as stale with
    nothing written, the officer is offered the preview again, and the second preview's
    merge goes through."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services import records

    def edit_meanwhile(dialog):
        records.update(window.workspace, "services", cost_id, {"annual_cost": 333333})
        return True

    dialogs.drivers = [edit_meanwhile, lambda dialog: True]
    dialogs.answers = [QMessageBox.StandardButton.Retry]
    window.action_merge.trigger()
    assert dialogs.seen[1][0] == "Not merged" and "changed while you read the preview" in dialogs.seen[1][1]
    assert organisation_named(window, NEW_ORGANISATION)


def test_a_file_that_is_not_a_document_is_refused_in_words(setup, dialogs, tmp_path, monkeypatch):
    """A partner's "file" that is not a cypdesk document: refused before any preview,
    naming the file, and the document is unchanged."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.ui.exchange import merge_flow

    bogus = tmp_path / "minutes.cypdesk"
    bogus.write_text("Minutes of the board, not a document")
    monkeypatch.setattr(merge_flow, "choose_partner_file", lambda _window: str(bogus))
    held = sha(window.workspace.doc.working_path)
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window.action_merge.trigger()
    title, text = dialogs.seen[-1]
    assert title == "Not merged" and "minutes.cypdesk" in text and "not been changed" in text
    assert sha(window.workspace.doc.working_path) == held


def test_undo_after_a_later_edit_takes_the_edit_back_first_then_the_merge(setup, dialogs):
    """An edit made after the merge is on the stack above it: the first Undo takes the
    edit back, the second the whole merge, and the content is then exactly as before
    the merge."""
    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services import records
    from cypdesk.services.exchange.canon import content_digest

    work = window.workspace.doc.working_path
    before = content_digest(work)
    dialogs.drivers = [lambda dialog: True]
    window.action_merge.trigger()
    window.push(records.update(window.workspace, "services", capacity_id, {"capacity": 5}), window.tab("services"))
    window.action_undo.trigger()
    assert window.undo_stack.undoText() == "Merge partner.cypdesk"
    window.action_undo.trigger()
    assert content_digest(work) == before


def test_a_merge_that_fails_part_way_changes_nothing_and_says_so(setup, dialogs, monkeypatch):
    """The disk fills while the merge writes (an ENOSPC raised inside apply_merge's
    transaction, after some fields are written): the transaction rolls back, the
    working copy keeps its bytes, nothing goes on the undo stack, and the message says
    the disk is full and the document has not been changed."""
    import errno

    window, theirs, capacity_id, cost_id = setup
    from cypdesk.services.exchange import apply

    real = apply._Applier.take_fields

    def fill_the_disk(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(apply._Applier, "take_fields", fill_the_disk)
    work = window.workspace.doc.working_path
    held, steps = sha(work), window.undo_stack.count()
    dialogs.drivers = [lambda dialog: True]
    dialogs.answers = [QMessageBox.StandardButton.Ok]
    window.action_merge.trigger()
    title, text = dialogs.seen[-1]
    assert title == "Not merged" and "not been changed" in text and "disk is full" in text
    assert "Could not merge partner.cypdesk into" in text
    assert sha(work) == held and window.undo_stack.count() == steps


def test_a_merge_on_the_real_worker_thread(setup, dialogs, monkeypatch, qtbot):
    """With the real thread pool (INLINE turned off here): the partner's file is read,
    planned and merged on the worker while the window's event loop runs, and the merge
    lands as with the inline runner."""
    window, theirs, capacity_id, cost_id = setup
    import threading

    from cypdesk.services.exchange import plan as plan_module
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    threads = []
    real = plan_module.plan_merge
    monkeypatch.setattr(plan_module, "plan_merge",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    dialogs.drivers = [lambda dialog: True]
    window.action_merge.trigger()
    window.tasks.wait()
    assert threads and threads[0] is not threading.main_thread()
    assert organisation_named(window, NEW_ORGANISATION)
    assert window.undo_stack.undoText() == "Merge partner.cypdesk"


THREAD_PROBE = r"""
import shutil, sys, threading
from pathlib import Path
importer = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in ("sqlalchemy", "cypdesk.services.exchange.plan") and name not in importer:
            importer[name] = "main" if threading.current_thread() is threading.main_thread() else "worker"
        return None

sys.meta_path.insert(0, Watch())
from PySide6.QtWidgets import QApplication
app = QApplication([])
from cypdesk.ui.exchange import merge_flow
from cypdesk.ui.main_window import MainWindow
ours = Path(sys.argv[1])
theirs = ours.with_name("partner.cypdesk")
shutil.copy(ours, theirs)
window = MainWindow()
window.show()
window.open_path(ours, wait=True)
window.tasks.wait()
app.processEvents()
merge_flow.choose_partner_file = lambda _window: str(theirs)
shown = []
window.run_dialog = lambda dialog: shown.append(dialog.plan.counts()["conflicts"]) or False
window.action_merge.trigger()
print(sorted(importer.items()), shown)
window.close_document()
"""


def test_the_first_merge_loads_the_merge_on_the_worker_and_never_sqlalchemy(tmp_path):
    """A window that opened a document has not loaded SQLAlchemy (start-up stays light);
    the first File > Merge loads the merge services on the worker thread, not on the
    window's (a child process with the real thread pool: seconds of imports on a slow
    laptop would freeze the window), and needs no SQLAlchemy at all: the merge reads the
    kinds as plain data (cypdesk.model.kindinfo). Before, it loaded SQLAlchemy and the
    mapped classes, on the worker."""
    from tests.ui.probes import probe_on_a_demo

    assert probe_on_a_demo(tmp_path, THREAD_PROBE, timeout=300) == \
        "[('cypdesk.services.exchange.plan', 'worker')] [0]"
