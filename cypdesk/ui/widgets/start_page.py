"""The start page: what the window shows when no document is open.

Four ways in, each a large button heard by its words and reached by Tab: a new
document, Open, one of the documents opened recently (the list the File menu's Open
Recent shows, from :class:`~cypdesk.ui.settings.Settings`), and "Explore the demo
trust", which writes a fresh demo of a fictional trust into the user data folder and
opens it. The page only says what was asked (its signals); the window does the work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

DEMO_NAME = "Demo trust.cypdesk"


class StartPage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    recent_requested = Signal(str)
    demo_requested = Signal()
    guide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        self.setAccessibleName("Start page")
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(14)
        outer.addLayout(column, 0)
        outer.addStretch(1)
        column.addStretch(1)

        heading = QLabel("Welcome to cypdesk")
        heading.setObjectName("start_heading")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        column.addWidget(heading)
        intro = QLabel("Plan and commission services for children and young people with your partners: "
                       "assess needs, plan, commission, monitor and review, in one document you can share.")
        intro.setObjectName("start_intro")
        intro.setWordWrap(True)
        intro.setMaximumWidth(640)
        column.addWidget(intro)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.new_button = self._button("&New document", "An empty document for your trust", "new",
                                       "Start an empty document for your trust (Ctrl+N)")
        self.open_button = self._button("&Open a document…", "From your computer or a shared drive", "open",
                                        "Open a cypdesk document from your computer or a shared drive (Ctrl+O)")
        self.demo_button = self._button("E&xplore the demo trust", "A fictional trust, to try everything safely",
                                        "demo", "Opens a fresh copy of a fictional trust's document, saved in your "
                                        "own cypdesk folder, to try everything without touching real data")
        self.guide_button = self._button("Read the &guide", "The commissioning cycle and each tab", "guide",
                                         "The user guide: the commissioning cycle and a page for each tab (F1)")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.guide_button.clicked.connect(self.guide_requested)
        grid.addWidget(self.new_button, 0, 0)
        grid.addWidget(self.open_button, 0, 1)
        grid.addWidget(self.demo_button, 1, 0)
        grid.addWidget(self.guide_button, 1, 1)
        column.addLayout(grid)

        self.recent_heading = QLabel("Open recent")
        self.recent_heading.setObjectName("start_recent_heading")
        bold = QFont(self.recent_heading.font())
        bold.setBold(True)
        self.recent_heading.setFont(bold)
        column.addWidget(self.recent_heading)
        self.recent_box = QFrame()
        self.recent_box.setObjectName("start_recent")
        self.recent_box.setAccessibleName("Open recent")
        self.recent_layout = QVBoxLayout(self.recent_box)
        self.recent_layout.setContentsMargins(0, 0, 0, 0)
        self.recent_layout.setSpacing(2)
        column.addWidget(self.recent_box)
        self.recent_buttons: list[QPushButton] = []
        self.no_recent = QLabel("No documents opened yet: they are listed here once you have opened one.")
        self.no_recent.setObjectName("start_no_recent")
        self.no_recent.setWordWrap(True)
        column.addStretch(2)

    def _button(self, text: str, line: str, name: str, description: str) -> QPushButton:
        button = QPushButton(f"{text}\n{line}")
        button.setObjectName(f"start_{name}")
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.setMinimumSize(300, 64)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def set_recent(self, files: list[str]) -> None:
        """Show the documents opened recently, newest first; each button opens its file."""
        for button in self.recent_buttons:
            self.recent_layout.removeWidget(button)
            button.deleteLater()
        self.recent_buttons = []
        self.recent_layout.removeWidget(self.no_recent)
        self.no_recent.setParent(None)
        if not files:
            self.recent_layout.addWidget(self.no_recent)
            return
        for number, path in enumerate(files, start=1):
            name, folder = Path(path).name, str(Path(path).parent)
            button = QPushButton(f"&{number}  {name.replace('&', '&&')}   —   {folder.replace('&', '&&')}")
            button.setObjectName(f"start_recent_{number}")
            button.setAccessibleName(f"Open {name}")
            button.setAccessibleDescription(f"In {folder}")
            button.setToolTip(path)
            button.setFlat(True)
            button.setStyleSheet("text-align: left; padding: 4px 8px;")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, p=path: self.recent_requested.emit(p))
            self.recent_layout.addWidget(button)
            self.recent_buttons.append(button)
