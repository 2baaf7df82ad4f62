"""The Board papers tab on the demo (issue 10, items 1, 2, 3, 4 and 10): an officer
composes a paper in the window (a new meeting, a new paper from the template, its
fields, its text, recommendations, an appendix from the data), finalises it (then the
editor is read-only and says why), exports it as PDF and Word, prints it to a PDF file
through QPrinter (no printer is attached), and every edit is an undo step. Message
boxes and dialogs are answered by the ``dialogs`` fixture (tests/ui/conftest.py); long
work runs inline (``TaskRunner.INLINE``), the save dialog is patched
(``choose_save_path``) and so is the system viewer (``QDesktopServices.openUrl``)."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

DRAFT = "Joint commissioning strategy: progress and forward plan"
FINAL = "Joint commissioning strategy: update"
YES = QMessageBox.StandardButton.Yes


@pytest.fixture
def tab(open_window, qtbot):
    window = open_window("papers")
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window.current_tab()


def paper_id(tab, title):
    return tab.reader.execute("SELECT id FROM papers WHERE title = ? ORDER BY version DESC", (title,)).fetchone()[0]


def pick(tab, title):
    """Select a paper in the tree, as a click does."""
    item = tab.tree.items[paper_id(tab, title)]
    tab.tree.setCurrentItem(item)
    assert tab.current_id == paper_id(tab, title)
    return tab.current_id


def test_meetings_list_their_papers_with_item_status_and_version(tab):
    """The tree: each meeting (board and date) with its papers under it; a final paper
    says Final, a draft Draft, each with its version."""
    from cypdesk.common.formats import date_uk

    meetings = [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())]
    stored = tab.reader.execute("SELECT board, held_on FROM meetings ORDER BY held_on DESC").fetchall()
    assert meetings == [f"{board}, {date_uk(date.fromisoformat(held[:10]))}" for board, held in stored]
    final = tab.tree.items[paper_id(tab, FINAL)]
    draft = tab.tree.items[paper_id(tab, DRAFT)]
    assert (final.text(2), final.text(3)) == ("Final", "1")
    assert (draft.text(2), draft.text(3)) == ("Draft", "1")
    assert final.parent() is not draft.parent()
    assert tab.caption.text() == f"4 board papers at {len(stored)} meetings: 2 final, 2 not yet"


def test_a_final_paper_is_read_only_and_says_why(tab):
    """Selecting a final paper: its fields and text cannot be typed into, Finalise is off
    and Reopen on, and the line above the editor says it is final and how to change it."""
    pick(tab, FINAL)
    assert "Final" in tab.state_label.text() and "Reopen" in tab.state_label.text()
    assert tab.form.editors["title"].isReadOnly()
    assert all(box.editor.isReadOnly() for box in tab.sections_panel.boxes)
    assert tab.sections_panel.boxes, "the paper's sections are shown"
    assert not tab.finalise_button.isEnabled() and tab.reopen_button.isEnabled()
    assert not tab.recommendations.buttons["add"].isEnabled()
    assert tab.recommendations.buttons["decide"].isEnabled() or tab.recommendations.selected() is None


def test_typing_in_a_section_is_applied_on_leaving_and_undone_in_one_step(tab):
    """Text typed into a section and the title changed, then another paper chosen: both
    are stored (one undo step, the section's text cleaned to the dialect); Undo puts
    both back."""
    pid = pick(tab, DRAFT)
    box = tab.sections_panel.boxes[0]
    key = box.section["key"]
    before = tab.reader.execute("SELECT body FROM paper_sections WHERE paper_id = ? AND key = ?",
                                (pid, key)).fetchone()[0]
    box.editor.moveCursor(box.editor.textCursor().MoveOperation.End)
    box.editor.insertPlainText(" Added by the officer.")
    tab.form.editors["wards_affected"].setText("Riverside West")
    assert tab.has_pending()
    steps = tab.window_.undo_stack.count()
    pick(tab, "Children and young people's needs assessment: headline findings")
    stored = tab.reader.execute("SELECT body FROM paper_sections WHERE paper_id = ? AND key = ?",
                                (pid, key)).fetchone()[0]
    assert stored.endswith("Added by the officer.")
    assert tab.reader.execute("SELECT wards_affected FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "Riverside West"
    assert tab.window_.undo_stack.count() == steps + 1
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT body FROM paper_sections WHERE paper_id = ? AND key = ?",
                              (pid, key)).fetchone()[0] == before
    assert tab.reader.execute("SELECT wards_affected FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "All wards"


def _compose(tab, dialogs, qtbot):
    """New meeting, new paper from the default template, purpose and a section typed,
    a recommendation and an appendix (action plan, overdue only) added."""
    def meeting(dialog):
        dialog.fields["board"].setCurrentText("Children's Trust Board")
        dialog.fields["held_on"].setDate(date(2027, 3, 4))
        dialog.fields["place"].setText("Council Chamber")
        return True

    dialogs.drivers = [meeting]
    tab.meeting_button.click()
    meeting_id = tab.meeting_id
    assert meeting_id and tab.tree.items[meeting_id].text(0) == "Children's Trust Board, 04/03/2027"

    def paper(dialog):
        assert dialog.fields["meeting_id"].currentData() == meeting_id
        dialog.fields["title"].setText("Action plan & budget: <b>quarter 3</b>")
        dialog.fields["agenda_item"].setText("7")
        return True

    dialogs.drivers = [paper]
    tab.paper_button.click()
    pid = tab.current_id
    assert tab.tree.items[pid].text(0) == "Action plan & budget: <b>quarter 3</b>"
    headings = [b.section["heading"] for b in tab.sections_panel.boxes]
    assert headings[:2] == ["Reasons for the recommendations", "Background"] and "Financial implications" in headings
    tab.sections_panel.purpose.setFocus()
    qtbot.keyClicks(tab.sections_panel.purpose, "To report progress.")
    background = tab.sections_panel.box("background").editor
    background.setFocus()
    qtbot.keyClicks(background, "Thirteen actions are in the plan.")
    tab.apply()
    assert not tab.has_pending()

    def wording(dialog):
        dialog.setTextValue("The Board notes progress against the action plan at Appendix A.")
        return True

    dialogs.drivers = [wording]
    tab.pages.setCurrentIndex(1)
    tab.recommendations.buttons["add"].click()
    assert tab.recommendations.table.item(0, 1).text().startswith("The Board notes progress")

    def appendix(dialog):
        dialog.fields["kind"].setCurrentIndex(dialog.fields["kind"].findData("action_plan"))
        if "overdue_only" in dialog.options:
            dialog.set_option("overdue_only", True)
        return True

    dialogs.drivers = [appendix]
    tab.pages.setCurrentIndex(2)
    tab.appendices.buttons["add"].click()
    assert tab.appendices.table.rowCount() == 1 and tab.appendices.table.item(0, 0).text() == "A"
    return pid


def test_compose_finalise_export_and_print_a_paper(tab, dialogs, qtbot, monkeypatch, tmp_path):
    """The whole of item 10's window: compose a paper, finalise it (confirmed; then
    read-only), export it as PDF (its title with markup printed as written, its
    recommendation), print it through QPrinter to a PDF file (all pages: the same page
    count as the preview), open it in the viewer (QDesktopServices.openUrl patched)."""
    from pypdf import PdfReader
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtPrintSupport import QPrinter

    from cypdesk.ui.main_window import MainWindow

    pid = _compose(tab, dialogs, qtbot)
    dialogs.answers = [YES]
    tab.finalise_button.click()
    assert "Finalise" in dialogs.seen[-1][0]
    assert tab.reader.execute("SELECT status FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "final"
    assert tab.reader.execute("SELECT count(*) FROM paper_snapshots WHERE paper_id = ?", (pid,)).fetchone()[0] == 1
    assert tab.form.editors["title"].isReadOnly() and tab.sections_panel.purpose.isReadOnly()
    assert "Final" in tab.state_label.text()
    assert tab.tree.items[pid].text(2) == "Final"

    tab.pages.setCurrentIndex(3)  # the preview builds when shown
    preview = tab.preview
    assert preview.pdf is not None and len(preview.pages) >= 1
    pages = len(preview.pages)

    out = tmp_path / "paper.pdf"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    preview.buttons["pdf"].click()
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Action plan & budget: <b>quarter 3</b>" in text and "The Board notes progress" in text

    printed = tmp_path / "printed.pdf"

    def to_pdf_file(dialog):
        printer = dialog.printer()
        assert (dialog.minPage(), dialog.maxPage()) == (1, pages)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    dialogs.drivers = [to_pdf_file]
    preview.buttons["print"].click()
    assert len(PdfReader(printed).pages) == pages

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    preview.buttons["viewer"].click()
    assert opened and opened[0].endswith(".pdf") and len(PdfReader(opened[0]).pages) == pages


def test_finalise_is_one_undo_step_and_reopen_makes_version_two(tab, dialogs):
    """Finalise, then Undo: the paper is a draft again with no snapshot. Finalise again
    and Reopen: a draft version 2 appears under the same meeting and the final stays."""
    pid = pick(tab, DRAFT)
    dialogs.answers = [YES]
    tab.finalise_button.click()
    assert tab.reader.execute("SELECT status FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "final"
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT status FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "draft"
    assert tab.reader.execute("SELECT count(*) FROM paper_snapshots WHERE paper_id = ?", (pid,)).fetchone()[0] == 0
    tab.window_.undo_stack.redo()
    assert tab.reader.execute("SELECT status FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "final"
    tab.select(pid)
    dialogs.answers = [YES]
    tab.reopen_button.click()
    draft = tab.current_id
    assert draft != pid
    assert tab.reader.execute("SELECT version, status, previous_id FROM papers WHERE id = ?",
                              (draft,)).fetchone() == (2, "draft", pid)
    assert tab.tree.items[draft].text(3) == "2" and tab.tree.items[draft].parent() is tab.tree.items[pid].parent()
    assert not tab.form.editors["title"].isReadOnly()


def test_a_decision_is_recorded_on_a_final_paper_and_starts_an_action(tab, dialogs):
    """After the meeting: the board's decision on a recommendation of a final paper is
    recorded, and Start an action puts an agreed one into the action plan, linked back."""
    pick(tab, FINAL)
    tab.pages.setCurrentIndex(1)
    recs = tab.recommendations
    recs.table.selectRow(2)  # deferred in the demo

    def agreed(dialog):
        dialog.fields["decision"].setCurrentIndex(dialog.fields["decision"].findData("agreed"))
        dialog.fields["note"].setPlainText("Agreed at the second reading.")
        return True

    dialogs.drivers = [agreed]
    recs.buttons["decide"].click()
    rec_id = recs.rows[2]["id"]
    assert tab.reader.execute("SELECT decision, decision_note FROM recommendations WHERE id = ?",
                              (rec_id,)).fetchone() == ("agreed", "Agreed at the second reading.")
    assert recs.buttons["action"].isEnabled()
    def owner(dialog):
        assert dialog.form.editors["action"].toPlainText() == recs.rows[2]["text"]
        dialog.accept()  # the dialog starts the action (and stays open on a problem)
        return dialog.result() == 1

    dialogs.drivers = [owner]
    recs.buttons["action"].click()
    assert tab.reader.execute("SELECT count(*) FROM actions WHERE recommendation_id = ?", (rec_id,)).fetchone()[0] == 1
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT count(*) FROM actions WHERE recommendation_id = ?", (rec_id,)).fetchone()[0] == 0


def test_the_forward_plan_lists_upcoming_meetings_with_key_decisions(tab, dialogs):
    """The forward plan from the day before the meeting the draft goes to: that meeting
    first, with its papers; a planned item added in the form appears under it as a key
    decision."""
    held = tab.reader.execute("SELECT m.held_on FROM meetings m JOIN papers p ON p.meeting_id = m.id "
                              "WHERE p.title = ?", (DRAFT,)).fetchone()[0]
    tab.set_today(date.fromordinal(date.fromisoformat(held[:10]).toordinal() - 1))
    tab.show_view(1)
    plan = tab.forward_plan
    assert plan.tree.topLevelItemCount() >= 1
    top = plan.tree.topLevelItem(0)
    assert any(top.child(i).text(0).endswith(DRAFT) for i in range(top.childCount()))

    def planned(dialog):
        dialog.form.editors["title"].setText("Re-procure online counselling")
        dialog.form.editors["key_decision"].setChecked(True)
        dialog.accept()  # the dialog stores the item (and stays open on a problem)
        return dialog.result() == 1

    plan.tree.setCurrentItem(top)
    dialogs.drivers = [planned]
    plan.buttons["add"].click()
    top = plan.tree.topLevelItem(0)
    item = next(top.child(i) for i in range(top.childCount()) if "online counselling" in top.child(i).text(0))
    assert item.text(1) == "Key decision"


def test_export_word_writes_the_paper_as_a_word_document(tab, dialogs, monkeypatch, tmp_path):
    """Export Word… on the draft: a .docx whose text has the paper's title and its
    recommendations (the Word writer is i10-render's; this proves the window's path)."""
    pytest.importorskip("cypdesk.io.papers.docx", reason="the Word writer (io/papers/docx.py) is not merged yet")
    from cypdesk.ui.main_window import MainWindow

    pick(tab, DRAFT)
    word = tmp_path / "paper.docx"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(word))
    tab.preview.buttons["word"].click()
    with zipfile.ZipFile(word) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert "Joint commissioning strategy: progress and forward plan" in xml
    assert "The Board agrees the forward plan of commissioning decisions." in xml


def test_a_provider_safe_version_leaves_out_a_section_marked_confidential(tab, dialogs, monkeypatch, tmp_path):
    """Tick "Confidential section" (one undo step), then Provider-safe version for… a
    partner chosen from the list: that PDF has no trace of the section, while Export
    PDF… keeps it. Undo clears the mark."""
    from pypdf import PdfReader

    from cypdesk.ui.main_window import MainWindow

    pid = pick(tab, DRAFT)
    box = tab.sections_panel.box("risk_management")
    words = "The risk register at Appendix C"
    assert words in box.editor.toPlainText()
    box.confidential.setChecked(True)
    assert tab.reader.execute("SELECT confidential FROM paper_sections WHERE paper_id = ? AND key = ?",
                              (pid, "risk_management")).fetchone()[0] == 1
    whole, safe = tmp_path / "whole.pdf", tmp_path / "safe.pdf"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(whole))
    tab.preview.buttons["pdf"].click()
    partner = tab.reader.execute("SELECT name FROM organisations ORDER BY name").fetchone()[0]

    def choose(dialog):
        dialog.setTextValue(partner)
        return True

    dialogs.drivers = [choose]
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(safe))
    tab.preview.buttons["partner"].click()

    def text(path):
        return " ".join("".join(p.extract_text() for p in PdfReader(path).pages).split())

    assert words in text(whole)
    assert words not in text(safe) and "Risk management" not in text(safe)
    tab.window_.undo_stack.undo()
    assert tab.reader.execute("SELECT confidential FROM paper_sections WHERE paper_id = ? AND key = ?",
                              (pid, "risk_management")).fetchone()[0] == 0
    assert not tab.sections_panel.box("risk_management").confidential.isChecked()


def test_typing_is_applied_when_the_officer_goes_to_another_tab(tab):
    """Nothing typed is lost: text typed into the purpose, then the Monitoring tab
    chosen, is stored (and the title's * says the document changed)."""
    pid = pick(tab, DRAFT)
    tab.sections_panel.purpose.moveCursor(tab.sections_panel.purpose.textCursor().MoveOperation.End)
    tab.sections_panel.purpose.insertPlainText(" And to agree the forward plan.")
    window = tab.window_
    window.tabs.setCurrentIndex(window._index_of("measures"))
    assert window.tabs.currentIndex() == window._index_of("measures")
    stored = tab.reader.execute("SELECT purpose FROM papers WHERE id = ?", (pid,)).fetchone()[0]
    assert stored.endswith("And to agree the forward plan.")
    assert window.windowTitle().startswith("trust.cypdesk* ")


def test_a_final_paper_refuses_typing_and_its_text_cannot_be_applied(tab):
    """The final paper's text boxes are read-only: typing keys changes nothing and
    nothing is pending to apply."""
    pick(tab, FINAL)
    editor = tab.sections_panel.boxes[0].editor
    before = editor.toPlainText()
    editor.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClicks(editor, "more words")
    assert editor.toPlainText() == before and not tab.has_pending()


def test_ctrl_i_in_a_section_makes_italic_and_does_not_open_the_import(tab, qtbot):
    """In the window, where Ctrl+I is File > Import…: in a section's text it is the
    editor's italic (the dialogs fixture fails the test if the import wizard opens)."""
    from cypdesk.common.paperdoc import Run
    from cypdesk.common.richtext import parse

    pick(tab, DRAFT)
    tab.window_.activateWindow()
    editor = tab.sections_panel.box("consultees").editor
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "Members ")
    qtbot.keyClick(editor, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "only")
    assert parse(editor.markdown())[0].runs == [Run("Members "), Run("only", italic=True)]


def test_recommendations_are_removed_renumbered_moved_and_undone(tab, dialogs):
    """On the draft: remove recommendation 1 (the others become 1 and 2), Undo (all
    three back with their numbers), move 3 up (it becomes 2), Undo (3 again)."""
    pid = pick(tab, DRAFT)
    tab.pages.setCurrentIndex(1)
    recs = tab.recommendations

    def numbered():
        return tab.reader.execute("SELECT number, text FROM recommendations WHERE paper_id = ? ORDER BY number",
                                  (pid,)).fetchall()

    before = numbered()
    assert [n for n, _t in before] == [1, 2, 3]
    recs.table.selectRow(0)
    dialogs.answers = [YES]
    recs.buttons["remove"].click()
    assert numbered() == [(1, before[1][1]), (2, before[2][1])]
    tab.window_.undo_stack.undo()
    assert numbered() == before
    recs.table.selectRow(2)
    recs.buttons["up"].click()
    assert numbered() == [before[0], (2, before[2][1]), (3, before[1][1])]
    assert recs.selected()["text"] == before[2][1]
    tab.window_.undo_stack.undo()
    assert numbered() == before


def test_sections_are_added_moved_removed_and_each_is_one_undo_step(tab, dialogs):
    """On the draft: add a section after the last (its heading asked), move it up,
    remove Consultees; undo and redo each, and the stored sections follow exactly."""
    pid = pick(tab, DRAFT)

    def sections():
        return tab.reader.execute("SELECT key, heading, body FROM paper_sections WHERE paper_id = ? "
                                  "ORDER BY position", (pid,)).fetchall()

    start = sections()

    def heading(dialog):
        dialog.setTextValue("Next steps")
        return True

    dialogs.drivers = [heading]
    tab.sections_panel.add_button.click()
    added = sections()
    assert added[:-1] == start and added[-1][1] == "Next steps"
    tab.sections_panel.boxes[-1].buttons["up"].click()
    moved = sections()
    assert moved[-2][1] == "Next steps" and moved[-1] == start[-1]
    consultees = next(s for s in moved if s[0] == "consultees")
    dialogs.answers = [YES]
    tab.sections_panel.box("consultees").buttons["remove"].click()
    assert consultees not in sections()
    stack = tab.window_.undo_stack
    stack.undo()
    assert sections() == moved
    stack.redo()
    assert consultees not in sections()
    stack.undo()
    stack.undo()
    assert sections() == added
    stack.undo()
    assert sections() == start
    stack.redo()
    assert sections() == added


def test_meeting_pack_writes_every_paper_of_the_selected_meeting_with_its_agenda(tab, qtbot, monkeypatch, tmp_path):
    """Meeting pack… with a meeting selected (save dialog patched, work inline): one PDF
    whose agenda lists the meeting's papers and whose pages hold each paper's title, as
    `cypdesk paper FILE --meeting ID --out` writes it; the status bar gives its pages.
    Without a meeting selected the button is greyed out."""
    from pypdf import PdfReader

    from cypdesk.ui.main_window import MainWindow

    pick(tab, FINAL)
    meeting_id = tab.meeting_id
    titles = [t for (t,) in tab.reader.execute("SELECT title FROM papers WHERE meeting_id = ?", (meeting_id,))]
    assert len(titles) >= 2 and tab.pack_button.isEnabled()
    out = tmp_path / "pack.pdf"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    tab.pack_button.click()
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert all(" ".join(t.split()) in text for t in titles)
    assert "Agenda" in " ".join(reader.pages[0].extract_text().split())
    assert f"({len(reader.pages)} pages)" in tab.window_.status_label.text()
    tab.tree.setCurrentItem(None)
    tab.meeting_id = None
    tab._update_buttons()
    assert not tab.pack_button.isEnabled()
