"""The guided tour of the tabs and the user guide (issue 12, item 6): the tour steps
through every tab, can be skipped (Esc too) and does not come back once finished or
skipped, but Help > Take the tour again replays it; the guide opens, lists its pages,
goes back and forward, and its search finds a word on every page that has it and
highlights it; an error dialog with a page in the guide links to that page.

The ``dialogs`` fixture (tests/ui/conftest.py) answers message boxes and drives
dialogs; the error-link tests put the window's real ``ask`` back (taken before the
fixture patches it) to press the real box's "Read more in the guide" button."""

from __future__ import annotations

import re
import types

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cypdesk.ui.dialogs.help import HelpDialog, guide_dir, guide_page, search_guide
from cypdesk.ui.guide_links import GUIDE_PAGES, guide_link
from cypdesk.ui.main_window import MainWindow
from cypdesk.ui.settings import Settings
from cypdesk.ui.tour import DONE_KEY, offer_tour_once, tour_done

REAL_ASK = MainWindow.ask  # taken before the dialogs fixture patches it


def _active(window, qtbot):
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


# --- the tour ------------------------------------------------------------------------

def test_the_tour_steps_through_every_tab_highlighting_it_and_is_not_offered_again(open_window, qtbot):
    """Next brings each tab to the front in turn, with its name in the panel and the
    frame round its name on the tab bar; Back goes back; Finish on the last step ends
    it, and it is not offered again, even to a new window reading the settings file."""
    window = open_window()
    window.show()
    tour = offer_tour_once(window)
    assert tour is not None and tour.isVisible() and window.tour is tour
    kinds = [spec.kind for spec in window._specs]
    assert [step.kind for step in tour.steps] == kinds
    for number, kind in enumerate(kinds):
        assert window.tabs.currentWidget().objectName() == f"{kind}_page"
        name = window.tabs.tabText(window.tabs.currentIndex()).replace("&", "")
        assert tour.title.text() == f"The {name} tab"
        assert tour.counter.text() == f"Tour: step {number + 1} of {len(kinds)}"
        assert tour.highlight.geometry().intersects(window.tabs.tabBar().tabRect(window.tabs.currentIndex()))
        assert tour.back_button.isEnabled() == (number > 0)
        if number == 1:  # Back, then on again
            qtbot.mouseClick(tour.back_button, Qt.MouseButton.LeftButton)
            assert window.tabs.currentIndex() == 0
            qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
        expected = "&Finish" if number == len(kinds) - 1 else "&Next"
        assert tour.next_button.text() == expected
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    assert window.tour is None and not tour.isVisible()
    assert tour_done(window)
    assert offer_tour_once(window) is None
    assert Settings(window.settings.path).value(DONE_KEY) in (True, "true")


def test_the_app_offers_the_tour_when_a_document_first_opens_and_not_after_a_skip(qtbot, demo_path):
    """As cypdesk.app wires it (offer_when_a_document_opens): opening a document brings
    the tour up by itself; once skipped, opening a document again does not."""
    from cypdesk.ui.tour import offer_when_a_document_opens

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    offer_when_a_document_opens(window, delay_ms=0)
    assert window.open_path(demo_path, wait=True)
    qtbot.waitUntil(lambda: window.tour is not None, timeout=2000)
    window.tour.skip()
    window.close_document()
    assert window.open_path(demo_path, wait=True)
    qtbot.wait(50)
    assert window.tour is None
    window.workspace.doc.close(discard=True)
    window.workspace = None


def test_esc_skips_the_tour_and_it_does_not_come_back(open_window, qtbot):
    """Esc, wherever the focus is in the window (here the Needs table, whose own Esc
    would revert a form), ends the tour at its first step; it is marked done and a
    second offer shows nothing."""
    window = open_window()
    window.show()
    _active(window, qtbot)
    tour = offer_tour_once(window)
    window.current_tab().view.setFocus()
    qtbot.keyClick(window.current_tab().view, Qt.Key.Key_Escape)
    assert window.tour is None and not tour.isVisible()
    assert tour_done(window)
    assert offer_tour_once(window) is None


def test_skip_the_tour_button_ends_it_and_help_takes_it_again(open_window, qtbot):
    """Skip the tour ends it for good; Help > Take the tour again starts it once more."""
    window = open_window()
    window.show()
    tour = offer_tour_once(window)
    qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tour.skip_button, Qt.MouseButton.LeftButton)
    assert window.tour is None and tour_done(window) and offer_tour_once(window) is None
    assert window.action_tour.isEnabled()
    window.action_tour.trigger()
    assert window.tour is not None and window.tour.isVisible() and window.tour.index == 0


def test_closing_the_document_under_the_tour_ends_it_without_marking_it_done(open_window, qtbot):
    """The tour needs the tabs: closing the document ends it, and as it was neither
    finished nor skipped it is offered again next time; Take the tour again is greyed
    out with no document."""
    window = open_window()
    window.show()
    offer_tour_once(window)
    assert window.close_document()
    assert window.tour is None and not tour_done(window)
    assert not window.action_tour.isEnabled()


# --- the guide -----------------------------------------------------------------------

def test_the_guide_has_a_page_for_the_cycle_each_tab_import_exchange_and_problems():
    """The pages the brief asks for exist and say something (no placeholders), and the
    cycle page walks the five stages in order, each linking to its tabs' pages."""
    names = {p.name for p in guide_dir().glob("*.md")}
    assert {"README.md", "cycle.md", "indicators.md", "services.md", "teams.md", "agreements.md", "measures.md",
            "papers.md", "organisations.md", "import.md", "exchange.md", "problems.md"} <= names
    for name in names:
        text = (guide_dir() / name).read_text(encoding="utf-8")
        assert len(text.split()) > 150, name
        assert not re.search(r"TODO|TBD|lorem|placeholder", text, re.I), name
    cycle = (guide_dir() / "cycle.md").read_text(encoding="utf-8")
    stages = [m.group(1) for m in re.finditer(r"^## \d\. (.+)$", cycle, re.M)]
    assert stages == ["Assess needs", "Plan", "Commission", "Monitor", "Review"]
    for page in ("indicators.md", "services.md", "teams.md", "agreements.md", "measures.md", "organisations.md"):
        assert f"]({page})" in cycle, page


def test_the_guide_opens_lists_its_pages_and_goes_back_and_forward(open_window, qtbot, dialogs):
    """Help > Contents opens the guide browser at its contents, with every page listed;
    choosing a page shows it, Back returns and Forward goes again."""
    window = open_window()
    seen = {}

    def drive(dialog):
        seen["start"] = dialog.current_page().name
        seen["pages"] = [dialog.pages.item(i).text() for i in range(dialog.pages.count())]
        item = next(dialog.pages.item(i) for i in range(dialog.pages.count())
                    if dialog.pages.item(i).text() == "Importing")
        dialog._open_item(item)
        seen["opened"] = dialog.current_page().name
        assert dialog.back_button.isEnabled()
        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
        seen["back"] = dialog.current_page().name
        qtbot.mouseClick(dialog.forward_button, Qt.MouseButton.LeftButton)
        seen["forward"] = dialog.current_page().name
        return False

    dialogs.drivers.append(drive)
    window.show_help(contents=True)
    assert seen["start"] == "README.md"
    assert seen["pages"][:3] == ["The cypdesk guide", "The commissioning cycle", "Needs"]
    assert "When something goes wrong" in seen["pages"]
    assert (seen["opened"], seen["back"], seen["forward"]) == ("import.md", "README.md", "import.md")


def test_find_in_the_guide_lists_every_page_with_the_word_and_highlights_it(qtbot):
    """Find "pooled" (typed in the find box, then Enter): the pages listed are exactly
    those whose text has it, with how many times; the page shown has it highlighted at
    each place it occurs, and choosing another hit shows and highlights that page."""
    dialog = HelpDialog(guide_page(None), "Help", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.find_box, "Pooled")
    qtbot.keyClick(dialog.find_box, Qt.Key.Key_Return)
    expected = {p.name for p in guide_dir().glob("*.md") if "pooled" in p.read_text(encoding="utf-8").lower()}
    listed = [dialog.results.item(i) for i in range(dialog.results.count())]
    assert {item.data(Qt.ItemDataRole.UserRole).rsplit("/", 1)[-1] for item in listed} == expected
    assert len(expected) >= 3 and all(re.search(r"\(\d+\)$", item.text()) for item in listed)
    assert dialog.results_heading.text().startswith(f"“Pooled” is on {len(expected)} pages")
    shown = dialog.highlighted()
    assert shown and all(word.lower() == "pooled" for word in shown)
    other = next(item for item in listed if not item.data(Qt.ItemDataRole.UserRole).endswith(dialog.current_page().name))
    dialog._open_item(other)
    assert other.data(Qt.ItemDataRole.UserRole).endswith(dialog.current_page().name)
    assert dialog.highlighted() and all(word.lower() == "pooled" for word in dialog.highlighted())
    assert search_guide("no such word anywhere xyzzy") == []
    dialog.find("xyzzy")
    assert dialog.results_heading.text() == "“xyzzy” is on no page" and dialog.highlighted() == []


# --- errors link to the guide ----------------------------------------------------------

def test_every_error_code_in_the_table_has_its_page_and_heading_in_the_guide():
    """Each row of the one table (ui/guide_links.GUIDE_PAGES) names an error code that
    exists, a page that exists and a heading on that page."""
    from cypdesk.common import errors

    codes = {getattr(c, "code", None) for c in vars(errors).values() if isinstance(c, type)} | {"recovery"}
    for code, (page, heading) in GUIDE_PAGES.items():
        assert code in codes, code
        link = guide_link(code)
        assert link is not None, code
        text = link[0].read_text(encoding="utf-8")
        assert re.search(rf"^#+ {re.escape(heading)}$", text, re.M), (code, heading)


def _press_read_more(qtbot, pressed):
    """Press "Read more in the guide" in the message box once it is up (the next turn
    of the event loop), or fail the test if no such box shows."""

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        escape = box.escapeButton()
        pressed.append((box.windowTitle(), [b.text() for b in box.buttons()],
                        box.standardButton(escape) if escape is not None else None))
        more = next(b for b in box.buttons() if b.objectName() == "read_more_in_the_guide")
        more.click()

    QTimer.singleShot(0, press)


def test_a_damaged_document_dialog_links_to_its_page_in_the_guide(qtbot, tmp_path, dialogs):
    """Opening a damaged document (a cypdesk file cut short) shows the real message box
    with "Read more in the guide"; pressing it opens the guide at "The document is
    damaged" on the problems page, in view."""
    from cypdesk.services.documents import write_demo

    path = tmp_path / "cut short.cypdesk"
    write_demo(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.ask = types.MethodType(REAL_ASK, window)  # the real message box, pressed below
    pressed, opened = [], {}

    def read(dialog):
        opened["page"] = dialog.current_page().name
        top = dialog.browser.cursorForPosition(dialog.browser.viewport().rect().topLeft()).block()
        block = dialog.browser.textCursor().block()
        opened["heading"] = block.text()
        opened["in_view"] = dialog.browser.cursorRect().top() >= 0 and top.blockNumber() <= block.blockNumber()
        return False

    dialogs.drivers.append(read)
    _press_read_more(qtbot, pressed)
    assert window.open_path(path, wait=True) is False
    assert pressed and pressed[0][0] == "The document is damaged"
    assert "Read more in the guide" in [t.replace("&", "") for t in pressed[0][1]]
    assert pressed[0][2] == QMessageBox.StandardButton.Ok  # Esc still closes the message
    assert opened == {"page": "problems.md", "heading": "The document is damaged", "in_view": True}


def test_a_question_is_asked_again_after_reading_the_guide(qtbot, tmp_path, dialogs, monkeypatch):
    """A question with a page (a document in use: Open read-only or Cancel): Read more
    opens the guide, then the same question comes back for the officer's answer."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.ask = types.MethodType(REAL_ASK, window)
    pressed, opened = [], []
    dialogs.drivers.append(lambda dialog: opened.append(dialog.current_page().name) or False)
    _press_read_more(qtbot, pressed)

    def cancel_the_second():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not opened:
            QTimer.singleShot(20, cancel_the_second)
            return
        pressed.append((box.windowTitle(), [], None))
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, cancel_the_second)
    answer = window.ask(QMessageBox.Icon.Question, "Document in use", "x.cypdesk is open by Sam on PC-1.",
                        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, guide="locked")
    assert opened == ["problems.md"]
    assert [entry[0] for entry in pressed] == ["Document in use", "Document in use"]
    assert answer == QMessageBox.StandardButton.Cancel


def test_a_warning_shown_while_handling_an_error_takes_its_code(qtbot, dialogs):
    """A tab's "Not deleted" warning, asked inside ``except RecordInUse`` without naming
    a page, still offers the page about it (the code of the error being handled); a
    warning about nothing in the table offers no link."""
    from cypdesk.common.errors import RecordInUse

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.ask = types.MethodType(REAL_ASK, window)
    buttons = []

    def close_box():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close_box)
            return
        buttons.append(sorted(b.objectName() for b in box.buttons()))
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(0, close_box)
    try:
        raise RecordInUse("Barnardo's is used by 10 services.")
    except RecordInUse as exc:
        window.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
    QTimer.singleShot(0, close_box)
    window.ask(QMessageBox.Icon.Warning, "Not saved", "Something else.", QMessageBox.StandardButton.Ok)
    assert "read_more_in_the_guide" in buttons[0] and "read_more_in_the_guide" not in buttons[1]
