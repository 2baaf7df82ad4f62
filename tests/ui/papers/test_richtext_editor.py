"""The paper's section editor (issue 10, item 1): it holds only headings, lists, bold
and italic, stores them in the Markdown subset of common/richtext, and reduces pasted
Word or web HTML to that."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt


def _editor(qtbot):
    from cypdesk.ui.tabs.papers.richtext import RichTextEdit

    editor = RichTextEdit("section_text", "Background: text")
    qtbot.addWidget(editor)
    return editor


def test_the_dialect_goes_in_and_comes_back_out_the_same(qtbot):
    """Headings, bold, italic, bullets (nested), numbered items, council paragraph
    numbers and literal markup-like text load (common/richtext's parser) and are written
    back as the services store them (its writer): nothing is lost or added, and the
    HTML-like text shows as the words it is."""
    from cypdesk.common.richtext import clean, parse

    text = ("# Title\n\nSome **bold** and *italic* text.\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n"
            "3.1 A numbered paragraph\n3.2 and the next\n\nEnd <img src=x> & more")
    editor = _editor(qtbot)
    editor.set_markdown(text)
    assert editor.markdown() == clean(text)
    assert parse(editor.markdown()) == parse(text)
    assert "End <img src=x> & more" in editor.toPlainText()
    assert "3.1 A numbered paragraph\n3.2 and the next" in editor.toPlainText()
    assert not editor.is_changed()


def test_pasted_html_keeps_words_headings_lists_bold_and_italic_only(qtbot):
    """HTML from Word or a web page: its colour, font, link target, image and table
    shape go; its heading, bold, italic, numbered list and every word stay."""
    editor = _editor(qtbot)
    mime = QMimeData()
    mime.setHtml("<h2 style='color:red'>Head</h2><p><span style='font-family:Comic Sans MS;color:red'>Red</span> "
                 "<b>bold</b> <i>slanted</i> <a href='http://example.org/x'>link</a><img src='a.png'></p>"
                 "<table><tr><td>cell1</td><td>cell2</td></tr></table><ol><li>a</li><li>b</li></ol>")
    editor.insertFromMimeData(mime)
    assert editor.markdown() == "## Head\n\nRed **bold** *slanted* link\n\ncell1\n\ncell2\n\n1. a\n2. b"
    html = editor.document().toHtml()
    assert "example.org" not in html and "a.png" not in html and "Comic Sans" not in html
    assert editor.is_changed()


def test_ctrl_b_and_ctrl_i_format_the_text_typed_after_them(qtbot):
    """Ctrl+B and Ctrl+I are the editor's own (not the window's Ctrl+I, Import): the
    words typed after them are bold, then bold and italic."""
    editor = _editor(qtbot)
    editor.show()
    qtbot.waitExposed(editor)
    editor.setFocus()
    qtbot.keyClicks(editor, "Plain ")
    qtbot.keyClick(editor, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "strong")
    qtbot.keyClick(editor, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, " both")
    from cypdesk.common.paperdoc import Run
    from cypdesk.common.richtext import parse

    [block] = parse(editor.markdown())
    assert block.runs == [Run("Plain "), Run("strong ", bold=True), Run("both", bold=True, italic=True)]


def test_the_toolbar_makes_headings_and_lists(qtbot):
    """The style box makes the line a heading; the list buttons make bullets or numbers."""
    from cypdesk.ui.tabs.papers.richtext import FormatBar

    editor = _editor(qtbot)
    bar = FormatBar(editor, "t")
    qtbot.addWidget(bar)
    editor.set_markdown("Heading line\n\nItem")
    editor.moveCursor(editor.textCursor().MoveOperation.Start)
    editor.set_heading(2)
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    bar.tools["numbers"].click()
    assert editor.markdown() == "## Heading line\n\n1. Item"
    bar.tools["numbers"].click()  # again: a plain paragraph
    assert editor.markdown() == "## Heading line\n\nItem"


def test_a_read_only_editor_takes_no_paste_and_no_format(qtbot):
    """A final paper's text: a paste and Ctrl+B change nothing."""
    editor = _editor(qtbot)
    editor.set_markdown("Frozen text")
    editor.setReadOnly(True)
    mime = QMimeData()
    mime.setText("more")
    editor.insertFromMimeData(mime)
    editor.toggle_bold()
    editor.set_heading(1)
    assert editor.markdown() == "Frozen text"
