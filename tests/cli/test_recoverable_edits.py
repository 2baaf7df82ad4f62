"""Issue 7, item 7: the command line says when a document has unsaved edits waiting in
a working copy (info, check, set, history: a line on stderr, ``recoverable_edits`` in the JSON),
and tidies cypdesk's own folders as it goes."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from cypdesk import paths
from cypdesk.cli import main

DEAD_PID = 2**22 + 4321


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def leave_unsaved_edits(path) -> str:
    """Edit the document through the services and close it keeping the edits (as the
    window does when cypdesk stops before Save). Returns the edited service's id."""
    from cypdesk.services import records
    from cypdesk.services.documents import open_workspace

    ws = open_workspace(path)
    with ws.read() as session:
        from sqlalchemy import text

        sid = session.execute(text("SELECT id FROM services ORDER BY name LIMIT 1")).scalar_one()
    records.update(ws, "services", sid, {"capacity": "77"})
    assert ws.doc.dirty
    ws.doc.close()
    return sid


def test_info_check_history_and_set_name_the_unsaved_edits_waiting(capsys, demo_path):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    sid = leave_unsaved_edits(demo_path)

    code, out, err = run(capsys, "info", demo_path)
    assert code == 0 and "Document:" in out
    assert "trust.cypdesk has unsaved changes from" in err and "today" in err
    assert "open it in the cypdesk window to recover or discard them" in err
    assert "changed on disk" not in err

    code, out, err = run(capsys, "check", demo_path, "--json")
    result = json.loads(out)
    assert code == 0 and err == ""
    (edit,) = result["recoverable_edits"]
    assert edit["file_changed_since"] is False and edit["host"] is None
    assert datetime.fromisoformat(edit["changed_at"]) >= before

    code, out, err = run(capsys, "history", demo_path, "services", sid)
    assert code == 0 and "trust.cypdesk has unsaved changes from" in err

    code, out, err = run(capsys, "set", demo_path, "services", sid, "capacity=12")
    assert code == 0 and "saved the document" in out
    assert "unsaved changes from" in err and "(the file has changed on disk since)" in err


def test_commands_say_nothing_when_nothing_waits(capsys, demo_path):
    code, out, err = run(capsys, "check", demo_path)
    assert code == 0 and err == ""
    code, out, _err = run(capsys, "info", demo_path, "--json")
    assert json.loads(out)["recoverable_edits"] == []


def test_a_command_tidies_working_copies_that_hold_nothing(capsys, demo_path):
    """A clean working copy whose cypdesk died is removed when a command runs; one
    with unsaved edits stays (and is named)."""
    from cypdesk.model.document import Document

    leave_unsaved_edits(demo_path)
    doc = Document.open(demo_path)
    stale = doc.working_dir
    doc._closed = True  # killed: no close
    state = json.loads((stale / "state.json").read_text())
    state["pid"] = DEAD_PID
    (stale / "state.json").write_text(json.dumps(state))
    os.unlink(demo_path.with_name(f".~lock.{demo_path.name}#"))
    code, out, _err = run(capsys, "check", demo_path, "--json")
    assert code == 0 and not stale.exists()
    assert [e["working_copy"] for e in json.loads(out)["recoverable_edits"]] == [
        str(p) for p in paths.working_dir().iterdir()]
