"""A paper's rich text in the window: a QTextEdit that holds only what a paper's
section may hold (headings 1-3, bulleted and numbered lists, bold and italic), with a
small toolbar, Ctrl+B and Ctrl+I. Text pasted from Word or a web page is reduced to
that: colours, fonts, links, images and tables go, their words stay.

The text is read with :func:`cypdesk.common.richtext.parse` and written with its
``to_markdown``, the one parser and writer of the stored dialect the renderers use too:
the editor's document is read as the same :class:`~cypdesk.common.paperdoc.Block` s."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QFont, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextListFormat
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QTextEdit, QToolButton, QWidget

from cypdesk.common.paperdoc import Block, Run

OBJECT_CHAR = "\ufffc"  # an image or other object inside the text: never kept
NUMBERED_STYLES = (QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
                   QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
                   QTextListFormat.Style.ListUpperRoman)
HEADING_POINTS = {1: 15.0, 2: 13.0, 3: 11.5}


def blocks_of(document: QTextDocument) -> list[Block]:
    """The document read as allowed blocks only: a heading's level, a list's kind and
    depth, and each run's bold and italic; every other format is dropped (colours,
    fonts, links' targets, images, tables' shape). Empty paragraphs go."""
    out: list[Block] = []
    block = document.begin()
    while block.isValid():
        heading = block.blockFormat().headingLevel()
        text_list = block.textList()
        if 1 <= heading <= 6:
            kind, level = "heading", min(heading, 3)
        elif text_list is not None:
            numbered = text_list.format().style() in NUMBERED_STYLES
            kind, level = ("numbered" if numbered else "bullet"), max(1, min(text_list.format().indent(), 3))
        else:
            kind, level = "paragraph", 1
        runs: list[Run] = []
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid():
                fmt = fragment.charFormat()
                text = fragment.text().replace(OBJECT_CHAR, "").replace("\u2028", " ").replace("\u2029", " ")
                if text and not fmt.isImageFormat():
                    bold = fmt.fontWeight() >= QFont.Weight.DemiBold and kind != "heading"
                    runs.append(Run(text, bold, fmt.fontItalic()))
            it += 1
        if "".join(r.text for r in runs).strip():
            out.append(Block(kind, runs, level))
        block = block.next()
    return out


def markdown_of(document: QTextDocument) -> str:
    """What the document holds, in the stored dialect."""
    from cypdesk.common.richtext import to_markdown

    return to_markdown(blocks_of(document))


def write_blocks(cursor: QTextCursor, blocks: list[Block]) -> None:
    """Insert the blocks at the cursor with only the allowed formats."""
    lists: dict[tuple[str, int], Any] = {}
    for n, piece in enumerate(blocks):
        if n:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        block_format = QTextBlockFormat()
        if piece.kind == "heading":
            block_format.setHeadingLevel(piece.level)
        cursor.setBlockFormat(block_format)
        if piece.kind in ("bullet", "numbered"):
            key = (piece.kind, piece.level)
            for deeper in [k for k in lists if k[1] > piece.level]:
                del lists[deeper]  # a deeper list ends where a shallower item comes back
            if key in lists:
                lists[key].add(cursor.block())
            else:
                list_format = QTextListFormat()
                list_format.setStyle(QTextListFormat.Style.ListDecimal if piece.kind == "numbered"
                                     else QTextListFormat.Style.ListDisc)
                list_format.setIndent(piece.level)
                lists[key] = cursor.createList(list_format)
        else:
            lists = {}
        for run in piece.runs:
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold if run.bold else QFont.Weight.Normal)
            fmt.setFontItalic(run.italic)
            if piece.kind == "heading":
                fmt.setFontWeight(QFont.Weight.Bold)
                fmt.setFontPointSize(HEADING_POINTS[piece.level])
            cursor.insertText(run.text, fmt)


class RichTextEdit(QTextEdit):
    """The section editor. ``markdown()`` is what it holds in the stored dialect;
    ``set_markdown`` loads it. Ctrl+B and Ctrl+I are the editor's own here (the window's
    Ctrl+I, Import, is for the tables)."""

    edited = Signal()

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setAcceptRichText(True)
        self.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self._loading = False
        self._loaded = ""
        self.textChanged.connect(self._changed)

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    # --- values -----------------------------------------------------------------------------
    def set_markdown(self, text: str | None) -> None:
        self._loading = True
        try:
            from cypdesk.common.richtext import parse

            self.clear()
            self.document().clearUndoRedoStacks()
            write_blocks(self.textCursor(), parse(text))
            self.document().clearUndoRedoStacks()
            self.moveCursor(QTextCursor.MoveOperation.Start)
            self._loaded = self.markdown()
        finally:
            self._loading = False

    def markdown(self) -> str:
        return markdown_of(self.document())

    def is_changed(self) -> bool:
        return self.markdown() != self._loaded

    # --- paste: only what a paper may hold ----------------------------------------------------------
    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        if self.isReadOnly():
            return
        document = QTextDocument()
        if source.hasHtml():
            document.setHtml(source.html())
        elif source.hasText():
            document.setPlainText(source.text())
        else:
            return
        blocks = blocks_of(document)
        cursor = self.textCursor()
        cursor.beginEditBlock()
        if cursor.hasSelection():
            cursor.removeSelectedText()
        write_blocks(cursor, blocks)
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        return source.hasHtml() or source.hasText()

    # --- formats --------------------------------------------------------------------------------
    def event(self, event: Any) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.modifiers() == Qt.KeyboardModifier.ControlModifier \
                and event.key() in (Qt.Key.Key_B, Qt.Key.Key_I):
            event.accept()  # the editor's own Ctrl+B and Ctrl+I, not the window's shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() == Qt.Key.Key_B:
            self.toggle_bold()
            return
        if event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() == Qt.Key.Key_I:
            self.toggle_italic()
            return
        super().keyPressEvent(event)

    def toggle_bold(self) -> None:
        if self.isReadOnly():
            return
        bold = self.currentCharFormat().fontWeight() < QFont.Weight.DemiBold
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self.mergeCurrentCharFormat(fmt)

    def toggle_italic(self) -> None:
        if self.isReadOnly():
            return
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.currentCharFormat().fontItalic())
        self.mergeCurrentCharFormat(fmt)

    def set_heading(self, level: int) -> None:
        """0: a plain paragraph; 1-3: a heading of that level (the line the cursor is on)."""
        if self.isReadOnly():
            return
        cursor = self.textCursor()
        cursor.beginEditBlock()
        block_format = cursor.blockFormat()
        block_format.setHeadingLevel(level)
        if level and cursor.currentList() is not None:
            cursor.currentList().remove(cursor.block())
            block_format.setIndent(0)
        cursor.setBlockFormat(block_format)
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if level else QFont.Weight.Normal)
        fmt.setFontPointSize(HEADING_POINTS.get(level, self.font().pointSizeF()))
        cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    def set_list(self, numbered: bool) -> None:
        """The paragraph becomes an item of a bulleted or numbered list, or (already one of
        that kind) a plain paragraph again."""
        if self.isReadOnly():
            return
        cursor = self.textCursor()
        cursor.beginEditBlock()
        current = cursor.currentList()
        style = QTextListFormat.Style.ListDecimal if numbered else QTextListFormat.Style.ListDisc
        if current is not None and current.format().style() == style:
            current.remove(cursor.block())
            block_format = cursor.blockFormat()
            block_format.setIndent(0)
            cursor.setBlockFormat(block_format)
        else:
            block_format = cursor.blockFormat()
            block_format.setHeadingLevel(0)
            cursor.setBlockFormat(block_format)
            list_format = QTextListFormat()
            list_format.setStyle(style)
            list_format.setIndent(current.format().indent() if current is not None else 1)
            cursor.createList(list_format)
        cursor.endEditBlock()


class FormatBar(QWidget):
    """The editor's small toolbar: paragraph or heading, bullets, numbers, bold, italic."""

    def __init__(self, editor: RichTextEdit, prefix: str) -> None:
        super().__init__()
        self.editor = editor
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.style_box = QComboBox()
        self.style_box.setObjectName(f"{prefix}_style")
        self.style_box.setAccessibleName("Paragraph style")
        for label, level in (("Paragraph", 0), ("Heading 1", 1), ("Heading 2", 2), ("Heading 3", 3)):
            self.style_box.addItem(label, level)
        self.style_box.activated.connect(lambda i: (editor.set_heading(self.style_box.itemData(i)), editor.setFocus()))
        row.addWidget(self.style_box)
        self.tools: dict[str, QToolButton] = {}
        for key, text, tip, slot in (("bullets", "• List", "Bulleted list", lambda: editor.set_list(False)),
                                     ("numbers", "1. List", "Numbered list", lambda: editor.set_list(True)),
                                     ("bold", "B", "Bold (Ctrl+B)", editor.toggle_bold),
                                     ("italic", "I", "Italic (Ctrl+I)", editor.toggle_italic)):
            button = QToolButton()
            button.setObjectName(f"{prefix}_{key}")
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys do it from the text; Tab skips the toolbar
            if key == "bold":
                font = button.font()
                font.setBold(True)
                button.setFont(font)
            if key == "italic":
                font = button.font()
                font.setItalic(True)
                button.setFont(font)
            button.clicked.connect(slot)
            button.clicked.connect(editor.setFocus)
            row.addWidget(button)
            self.tools[key] = button
        row.addStretch(1)
        self.style_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        editor.cursorPositionChanged.connect(self._follow)

    def _follow(self) -> None:
        level = self.editor.textCursor().blockFormat().headingLevel()
        self.style_box.setCurrentIndex(max(0, min(level, 3)))

    def set_read_only(self, read_only: bool) -> None:
        self.setEnabled(not read_only)


__all__ = ["FormatBar", "RichTextEdit", "blocks_of", "markdown_of", "write_blocks"]
