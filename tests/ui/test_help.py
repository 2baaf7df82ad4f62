"""Help and greyed-out entries (issue 8, item 10): F1 opens the guide's page for the tab
in view; every tab has a real page; a greyed-out menu entry says why. The ``dialogs``
fixture stands in for the help dialog's exec (it records the dialog and closes it)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from cypdesk.ui.dialogs.help import guide_dir, guide_page


def _press_f1(window, qtbot, dialogs):
    seen = {}

    def read(dialog):
        seen["title"] = dialog.windowTitle()
        seen["text"] = dialog.browser.toPlainText()
        seen["source"] = dialog.browser.source().toLocalFile()
        return False

    dialogs.drivers.append(read)
    qtbot.keyClick(window.current_tab().view, Qt.Key.Key_F1)
    return seen


@pytest.mark.parametrize(("kind", "title", "words"), [
    ("services", "Services", "The service and outcome map"),
    ("indicators", "Needs", "Among neighbours"),
    ("agreements", "Pooled budgets", "Missing — no return"),
    ("measures", "Monitoring", "Risk register"),
    ("teams", "Teams", "Services owned"),
])
def test_f1_opens_the_guide_page_of_the_tab_in_view(open_window, qtbot, dialogs, kind, title, words):
    """The officer is in a tab and presses F1: the help dialog shows that tab's page."""
    window = open_window(kind)
    window.show()
    window.windowHandle().requestActivate()  # a shortcut acts in the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.current_tab().view.setFocus()
    seen = _press_f1(window, qtbot, dialogs)
    assert seen["title"].startswith(f"Help: {title}")
    assert seen["source"].endswith(f"{kind}.md")
    assert words in seen["text"]


def test_every_tab_has_a_real_page_whose_links_lead_somewhere():
    """One page per tab of the window (by the kind it shows), none a placeholder, and
    every link between pages points at a page that exists."""
    from cypdesk.ui.main_window import tab_specs

    for spec in tab_specs():
        page = guide_page(spec.kind)
        assert page.name == f"{spec.kind}.md", spec.kind
        text = page.read_text(encoding="utf-8")
        assert len(text.split()) > 150, page.name
        assert not re.search(r"TODO|TBD|lorem|coming soon|placeholder", text, re.I), page.name
    for page in guide_dir().glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            assert (guide_dir() / target).is_file(), f"{page.name} links to missing {target}"


def test_greyed_out_entries_say_why_in_the_menu(open_window):
    """File > Share with a partner… and File > Merge from partner file… are there, each
    tip says what it does, and the File menu shows tooltips (menus hide them unless
    asked)."""
    window = open_window()
    file_menu = window.menuBar().actions()[0].menu()
    assert file_menu.toolTipsVisible()
    assert window.action_share.isEnabled() and window.action_share.text() == "S&hare with a partner…"
    assert "without what they may not see" in window.action_share.statusTip()
    assert window.action_share.toolTip() == window.action_share.statusTip()
    assert window.action_merge.isEnabled() and window.action_merge.text() == "&Merge from partner file…"
    assert "before anything is written" in window.action_merge.statusTip()
    assert window.action_merge.toolTip() == window.action_merge.statusTip()
    help_menu = window.help_menu
    entries = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert entries[0] == "&Help for this tab" and entries[-1] == "&About cypdesk"
    assert window.action_help.shortcut().toString() == "F1"
