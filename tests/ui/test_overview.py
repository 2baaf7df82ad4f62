"""The Overview above the tabs: what needs attention, and a way to each item."""

import shutil
from datetime import date

import pytest

from cypdesk.services.documents import write_demo


@pytest.fixture
def window(qtbot, tmp_path_factory, tmp_path, monkeypatch):
    import os

    from cypdesk.ui import open_main_window

    folder = tmp_path_factory.mktemp("overview-ui")
    os.environ.setdefault("CYPDESK_HOME", str(folder / "home"))
    master = folder / "demo.cypdesk"
    write_demo(master, today=date.today())
    path = tmp_path / "trust.cypdesk"
    shutil.copy(master, path)
    win = open_main_window(path)
    win.refresh_attention()
    yield win
    if win.workspace is not None:
        win.workspace.doc.close(discard=True)
        win.workspace = None
    win.close()


def test_the_summary_names_each_list_and_the_list_leads_to_the_records(window):
    bar = window.attention
    assert bar.summary.heading.text() == "<b>Needs attention:</b>"
    words = [c.text() for c in bar.counts]  # each count is its own link-like button
    assert any(w.endswith("rated red") for w in words) and any(w.endswith("overdue") for w in words)
    assert any(w.endswith("worse than England") for w in words)
    assert [c.accessibleName() for c in bar.counts] == words
    assert bar.summary.text() == "Needs attention: " + " · ".join(words)
    bar.toggle.setChecked(True)
    assert bar.tree.isVisibleTo(window)
    heads = {bar.tree.topLevelItem(i).text(0).split(" (")[0]: bar.tree.topLevelItem(i)
             for i in range(bar.tree.topLevelItemCount())}
    assert "Actions overdue" in heads and "Indicators worse than England" in heads
    for heading, kind, tab in (("Actions overdue", "actions", "measures"), ("Measures rated red", "measures", "measures"),
                               ("Indicators worse than England", "indicators", "indicators"),
                               ("Budget agreements to look at", "agreements", "agreements"),
                               ("Contracts ending within six months", "services", "services")):
        item = heads[heading].child(0)
        bar.tree.itemActivated.emit(item, 0)
        shown = window.current_tab()
        assert shown.kind == tab, heading
        if kind == "actions":
            assert shown.action_page.current_id == item.data(0, 257)
        else:
            assert shown.current_id == item.data(0, 257), heading


def test_an_edit_updates_the_overview(window):
    from cypdesk.services import records
    from cypdesk.ui.widgets.attention_bar import ID_ROLE

    bar = window.attention
    overdue = next(s for s in bar.sections if s.key == "overdue_actions")
    first = overdue.items[0]
    change = records.update(window.workspace, "actions", first.id, {"status": "done"})
    window.push(change, window.tab("measures"))
    overdue_after = next(s for s in bar.sections if s.key == "overdue_actions")
    assert first.id not in {i.id for i in overdue_after.items}
    window.action_undo.trigger()
    assert first.id in {i.id for i in next(s for s in bar.sections if s.key == "overdue_actions").items}
    assert ID_ROLE == 257
