"""Help in the window: F1 opens the guide's page for the tab in view.

The pages are Markdown files in ``resources/guide/`` (where the packaging issue's user
guide grows), one per tab, named by the kind of record the tab shows
(``services.md``); ``README.md`` is the contents. They are shown in a
:class:`QTextBrowser`, so the links between pages work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from cypdesk.paths import resources_dir

CONTENTS = "README.md"


def guide_dir() -> Path:
    return resources_dir() / "guide"


def guide_page(kind: str | None) -> Path:
    """The guide's page for a tab (by the kind it shows), or its contents when the tab
    has no page of its own."""
    folder = guide_dir()
    page = folder / f"{kind}.md" if kind else None
    return page if page is not None and page.is_file() else folder / CONTENTS


class HelpDialog(QDialog):
    """One page of the guide, with its links followed in place."""

    def __init__(self, page: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_dialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(640, 600)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setAccessibleName("Help text")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(page.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(page)), QTextDocument.ResourceType.MarkdownResource)
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.browser.setFocus()
