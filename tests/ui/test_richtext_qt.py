"""The window's editor (a QTextEdit) reads and writes paper text as Markdown: what the
services store (richtext.clean) goes through Qt's setMarkdown/toMarkdown and reads back
as the same blocks, with HTML left as text."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from cypdesk.common.richtext import clean, parse

TEXT = ("# Title\n\n1.1 To update the Board on **progress**, in a line long enough that Qt wraps it when it "
        "writes Markdown\n1.2 To seek *agreement* on risk_management\n\n- one\n- two with **bold *nested* bold**\n"
        "  - nested\n    - deeper\n\n1. first\n2. second\n   1. sub a\n\n<img src=x> & &amp; \\*literal\\* 2 * 3")


def test_stored_text_survives_the_editor_unchanged_in_meaning(qapp):
    stored = clean(TEXT)
    doc = QTextDocument()
    doc.setMarkdown(stored)
    assert "<img src=x>" in doc.toPlainText()  # shown as text, not taken as an image
    assert parse(doc.toMarkdown()) == parse(stored)
    assert clean(doc.toMarkdown()) == stored
