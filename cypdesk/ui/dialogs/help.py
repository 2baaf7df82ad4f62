"""The user guide in the window: F1 opens the page for the tab in view, Help > Contents
the guide's contents, an error dialog's "Read more in the guide" the page about it.

The pages are Markdown files in ``resources/guide/``: ``README.md`` is the contents,
``cycle.md`` the commissioning cycle the guide follows, one page per tab named by the
kind of record the tab shows (``services.md``), and pages for import, exchange and
problems. :class:`HelpDialog` is a small guide browser: the list of pages, Back and
Forward, and Find, which searches every page, lists the pages with hits and highlights
them in the page shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
    QSplitter, QTextBrowser, QTextEdit, QVBoxLayout, QWidget,
)

from cypdesk.paths import resources_dir

CONTENTS = "README.md"
PAGE_ROLE = Qt.ItemDataRole.UserRole
HIGHLIGHT = QColor("#ffdd00")  # the find box's hits, in the page


def guide_dir() -> Path:
    return resources_dir() / "guide"


def guide_page(kind: str | None) -> Path:
    """The guide's page for a tab (by the kind it shows), or its contents when the tab
    has no page of its own."""
    folder = guide_dir()
    page = folder / f"{kind}.md" if kind else None
    return page if page is not None and page.is_file() else folder / CONTENTS


@dataclass(frozen=True)
class Page:
    path: Path
    title: str  # its first heading
    text: str  # what it says, as plain text (for Find)


def _plain(markdown: str) -> str:
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document.toPlainText()


@lru_cache(maxsize=4)
def _pages_in(folder: str) -> tuple[Page, ...]:
    """Every page, in the order the contents lists them (the contents first; pages it
    does not list after, by name)."""
    root = Path(folder)
    contents = root / CONTENTS
    order = [CONTENTS]
    if contents.is_file():
        for target in re.findall(r"\]\(([^)#]+\.md)\)", contents.read_text(encoding="utf-8")):
            if target not in order:
                order.append(target)
    order += sorted(p.name for p in root.glob("*.md") if p.name not in order)
    pages = []
    for name in order:
        path = root / name
        if not path.is_file():
            continue
        markdown = path.read_text(encoding="utf-8")
        heading = re.search(r"^#\s+(.+)$", markdown, re.M)
        pages.append(Page(path, heading.group(1).strip() if heading else path.stem, _plain(markdown)))
    return tuple(pages)


def guide_pages() -> tuple[Page, ...]:
    return _pages_in(str(guide_dir()))


def search_guide(words: str) -> list[tuple[Page, int]]:
    """The pages where ``words`` appear (any case), with how many times, most first."""
    needle = " ".join(words.split()).lower()
    if not needle:
        return []
    hits = [(page, " ".join(page.text.split()).lower().count(needle)) for page in guide_pages()]
    return sorted([(p, n) for p, n in hits if n], key=lambda hit: -hit[1])


class HelpDialog(QDialog):
    """The guide: its pages on the left, the page on the right, Back, Forward and Find."""

    def __init__(self, page: Path, title: str, parent: QWidget | None = None, *, heading: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_dialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(980, 680)
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.back_button = QPushButton("◀ &Back")
        self.back_button.setObjectName("help_back")
        self.back_button.setAccessibleName("Back")
        self.back_button.setToolTip("The page you read before (Alt+Left)")
        self.forward_button = QPushButton("&Forward ▶")
        self.forward_button.setObjectName("help_forward")
        self.forward_button.setAccessibleName("Forward")
        self.forward_button.setToolTip("The page you went back from (Alt+Right)")
        self.contents_button = QPushButton("&Contents")
        self.contents_button.setObjectName("help_home")
        self.contents_button.setToolTip("The guide's contents")
        find_label = QLabel("F&ind in the guide:")
        self.find_box = QLineEdit()
        self.find_box.setObjectName("help_find")
        self.find_box.setAccessibleName("Find in the guide")
        self.find_box.setPlaceholderText("a word or phrase, then Enter")
        self.find_box.setClearButtonEnabled(True)
        find_label.setBuddy(self.find_box)
        for widget in (self.back_button, self.forward_button, self.contents_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(find_label)
        bar.addWidget(self.find_box, 2)
        layout.addLayout(bar)

        splitter = QSplitter()
        splitter.setObjectName("help_splitter")
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        self.side_heading = QLabel("Pages of the guide")
        self.side_heading.setObjectName("help_side_heading")
        column.addWidget(self.side_heading)
        self.pages = QListWidget()
        self.pages.setObjectName("help_pages")
        self.pages.setAccessibleName("Pages of the guide")
        column.addWidget(self.pages, 1)
        self.results_heading = QLabel("")
        self.results_heading.setObjectName("help_results_heading")
        self.results_heading.setWordWrap(True)
        column.addWidget(self.results_heading)
        self.results = QListWidget()
        self.results.setObjectName("help_results")
        self.results.setAccessibleName("Pages with what you looked for")
        column.addWidget(self.results, 1)
        self.results.hide()
        self.results_heading.hide()
        splitter.addWidget(side)

        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setAccessibleName("Help text")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(page.parent)])
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 700])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        for item in guide_pages():
            entry = QListWidgetItem(item.title)
            entry.setData(PAGE_ROLE, str(item.path))
            self.pages.addItem(entry)
        self.words = ""
        self.pages.itemActivated.connect(self._open_item)
        self.pages.itemClicked.connect(self._open_item)
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.contents_button.clicked.connect(lambda: self.show_page(guide_dir() / CONTENTS))
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.browser.sourceChanged.connect(self._page_shown)
        self.find_box.returnPressed.connect(self.find)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.find_box.setFocus)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Back), self, self.browser.backward)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Forward), self, self.browser.forward)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.show_page(page)
        if heading:
            self.go_to_heading(heading)
        self.browser.setFocus()

    # --- pages ------------------------------------------------------------------------
    def show_page(self, page: Path) -> None:
        self.browser.setSource(QUrl.fromLocalFile(str(page)), QTextDocument.ResourceType.MarkdownResource)

    def current_page(self) -> Path:
        return Path(self.browser.source().toLocalFile())

    def _open_item(self, item: QListWidgetItem) -> None:
        path = Path(item.data(PAGE_ROLE))
        if path != self.current_page():
            self.show_page(path)
        else:
            self._highlight()

    def _page_shown(self, _url: QUrl) -> None:
        current = self.current_page()
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            if Path(item.data(PAGE_ROLE)) == current:
                self.pages.blockSignals(True)
                self.pages.setCurrentRow(row)
                self.pages.blockSignals(False)
        self._highlight()

    def go_to_heading(self, heading: str) -> bool:
        """Scroll the page to the heading that starts with ``heading``."""
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip().startswith(heading):
                cursor = QTextCursor(block)
                self.browser.setTextCursor(cursor)
                # the heading at the top of the view, not merely somewhere in it
                bar = self.browser.verticalScrollBar()
                bar.setValue(min(bar.maximum(), int(self.browser.document().documentLayout()
                                                    .blockBoundingRect(block).top())))
                return True
            block = block.next()
        return False

    # --- find ---------------------------------------------------------------------------
    def find(self, words: str | None = None) -> list[tuple[Page, int]]:
        """Search every page for the find box's words: list the pages with hits, show the
        first, and highlight the words in whichever page is shown."""
        if words is not None:
            self.find_box.setText(words)
        self.words = " ".join(self.find_box.text().split())
        hits = search_guide(self.words)
        self.results.clear()
        if not self.words:
            self.results.hide()
            self.results_heading.hide()
            self._highlight()
            return hits
        for page, count in hits:
            entry = QListWidgetItem(f"{page.title} ({count})")
            entry.setData(PAGE_ROLE, str(page.path))
            entry.setToolTip(f"{count} time{'s' if count != 1 else ''} on this page")
            self.results.addItem(entry)
        pages = f"{len(hits)} page{'s' if len(hits) != 1 else ''}"
        self.results_heading.setText(f"“{self.words}” is on {pages}" if hits else f"“{self.words}” is on no page")
        self.results_heading.show()
        self.results.setVisible(bool(hits))
        if hits:
            here = [row for row, (page, _count) in enumerate(hits) if page.path == self.current_page()]
            self.results.setCurrentRow(here[0] if here else 0)  # the page shown, if it has hits
            if here:
                self._highlight()
            else:
                self.show_page(hits[0][0].path)
        else:
            self._highlight()
        return hits

    def highlighted(self) -> list[str]:
        """The text of each hit highlighted in the page shown (for tests and a reader)."""
        return [selection.cursor.selectedText() for selection in self.browser.extraSelections()]

    def _highlight(self) -> None:
        selections = []
        if self.words:
            fmt = QTextCharFormat()
            fmt.setBackground(HIGHLIGHT)
            fmt.setForeground(QColor("#0b0c0c"))
            document = self.browser.document()
            cursor = document.find(self.words)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
                cursor = document.find(self.words, cursor)
            if selections:
                first = QTextCursor(selections[0].cursor)
                first.clearSelection()
                self.browser.setTextCursor(first)
                self.browser.ensureCursorVisible()
        self.browser.setExtraSelections(selections)
