"""The guided tour: one step per tab of the window, in the officer's words.

Each step brings its tab to the front, draws a frame round the tab's name and says, in
a sentence or two, what the tab is for. **Next**, **Back** and **Skip the tour**
(Esc) move through it. Once finished or skipped it is not offered again
(``tour/done`` in :class:`~cypdesk.ui.settings.Settings`); **Help > Take the tour
again** replays it. The composition root (``cypdesk.app``) offers it the first time a
document is open; the window itself never starts it, so tests and scripts that open a
window see no tour unless they ask for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

DONE_KEY = "tour/done"


@dataclass(frozen=True)
class Step:
    kind: str  # the kind of record the tab shows (its TabSpec.kind)
    text: str


# What each tab is for, by the kind it shows; a tab with no words here has no step.
STEPS: dict[str, str] = {
    "indicators": "Start here: the needs assessment. Each indicator shows your area against England and your "
                  "statistical neighbours, rated by confidence interval, so you can see where children's "
                  "outcomes fall behind and set your priorities.",
    "services": "The register of every service the partners commission or provide for children, young people "
                "and families: who provides it, who commissions it, what it costs and which needs and outcomes "
                "it serves. The Map shows the gaps.",
    "teams": "The joint commissioning unit and its sub-groups: who sits on each, from which partner, and "
             "which services each team owns.",
    "agreements": "Pooled, aligned and joint budgets: what each partner puts in, the agreement that governs "
                  "it, and each quarter's spend against plan.",
    "measures": "Monitoring and review: performance measures with their ratings, the action plan, the risk "
                "register and what is due for review this month.",
    "papers": "Board papers: the board's meetings and their papers, written from the figures in this "
              "document, with recommendations and appendices; finalise a paper as the board saw it, then "
              "export it to PDF or Word, or print it. The forward plan lists what is coming.",
    "organisations": "The partners, commissioners and providers, and the people you work with in each. Every "
                     "other tab picks its organisations from here.",
}


def steps_for(kinds: list[str]) -> list[Step]:
    """The tour's steps for the tabs the window has, in the window's order."""
    return [Step(kind, STEPS[kind]) for kind in kinds if kind in STEPS]


class _TabHighlight(QWidget):
    """A frame drawn round one tab's name on the tab bar; clicks pass through it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tour_highlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("#tour_highlight { border: 3px solid #d4351c; border-radius: 4px; "
                           "background: transparent; }")


class Tour(QFrame):
    """The tour's panel, floating over the window below the tab bar."""

    finished = Signal(bool)  # True: seen to the end; False: skipped

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("tour")
        self.setAccessibleName("Tour of the tabs")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet("#tour { background: palette(base); border: 2px solid #d4351c; border-radius: 6px; }")
        self.steps = steps_for([window.tabs.widget(i).objectName().removesuffix("_page")
                                for i in range(window.tabs.count())])
        self.index = 0
        layout = QVBoxLayout(self)
        self.counter = QLabel()
        self.counter.setObjectName("tour_counter")
        self.title = QLabel()
        self.title.setObjectName("tour_title")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setObjectName("tour_text")
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(380)
        for label in (self.counter, self.title, self.text):
            layout.addWidget(label)
        row = QHBoxLayout()
        self.skip_button = QPushButton("&Skip the tour")
        self.skip_button.setObjectName("tour_skip")
        self.skip_button.setToolTip("Close the tour (Esc); Help > Take the tour again brings it back")
        self.back_button = QPushButton("&Back")
        self.back_button.setObjectName("tour_back")
        self.next_button = QPushButton("&Next")
        self.next_button.setObjectName("tour_next")
        self.next_button.setDefault(True)
        row.addWidget(self.skip_button)
        row.addStretch(1)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        layout.addLayout(row)
        self.skip_button.clicked.connect(self.skip)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        # Esc skips wherever the focus is in the window while the tour is on (before any
        # of the window's own Esc shortcuts, such as a form's Revert)
        QApplication.instance().installEventFilter(self)
        self.highlight = _TabHighlight(window.tabs.tabBar())
        window.installEventFilter(self)  # follow the window's size

    # --- moving through it --------------------------------------------------------------
    def start(self) -> None:
        self.index = 0
        self.show()
        self._show_step()

    def next(self) -> None:
        if self.index + 1 >= len(self.steps):
            self._end(True)
            return
        self.index += 1
        self._show_step()

    def back(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show_step()

    def skip(self) -> None:
        self._end(False)

    def abandon(self) -> None:
        """The document closed under the tour: it goes, and is offered again next time."""
        self._end(False, remember=False)

    def _end(self, completed: bool, *, remember: bool = True) -> None:
        if remember:
            settings = self.window_.settings
            settings.set_value(DONE_KEY, True)
            settings.sync()
        QApplication.instance().removeEventFilter(self)
        self.highlight.deleteLater()
        self.window_.removeEventFilter(self)
        self.hide()
        self.deleteLater()
        self.window_.tour = None
        self.finished.emit(completed)

    def _show_step(self) -> None:
        step = self.steps[self.index]
        tabs = self.window_.tabs
        index = next(i for i in range(tabs.count()) if tabs.widget(i).objectName() == f"{step.kind}_page")
        tabs.setCurrentIndex(index)
        name = tabs.tabText(index).replace("&", "")
        self.counter.setText(f"Tour: step {self.index + 1} of {len(self.steps)}")
        self.title.setText(f"The {name} tab")
        self.text.setText(step.text)
        self.setAccessibleDescription(f"The {name} tab. {step.text}")
        last = self.index + 1 == len(self.steps)
        self.next_button.setText("&Finish" if last else "&Next")
        self.back_button.setEnabled(self.index > 0)
        rect: QRect = tabs.tabBar().tabRect(index)
        self.highlight.setGeometry(rect.adjusted(-1, 1, 1, -1))
        self.highlight.show()
        self.highlight.raise_()
        self._place()
        self.raise_()
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _place(self) -> None:
        """Below the highlighted tab's name, inside the window."""
        tabs = self.window_.tabs
        bar = tabs.tabBar()
        self.adjustSize()
        width = min(max(self.sizeHint().width(), 440), 520)
        self.resize(width, self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height())
        anchor = bar.mapTo(self.window_, bar.tabRect(tabs.currentIndex()).bottomLeft())
        x = max(8, min(anchor.x(), self.window_.width() - self.width() - 8))
        self.move(x, anchor.y() + 12)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.Resize and obj is self.window_ and self.steps:
            self._place()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() == Qt.Key.Key_Escape and isinstance(obj, QWidget) and obj.window() is self.window_:
            event.accept()  # an override taken here: no Esc shortcut of the window fires
            if kind == QEvent.Type.KeyPress:
                self.skip()
            return True
        return False


def tour_done(window: Any) -> bool:
    value = window.settings.value(DONE_KEY, False)
    return value in (True, "true", "1", 1)


def start_tour(window: Any) -> Tour | None:
    """Start the tour over the window (Help > Take the tour again, or its first run)."""
    if getattr(window, "tour", None) is not None or window.workspace is None:
        return window.tour if getattr(window, "tour", None) is not None else None
    tour = Tour(window)
    if not tour.steps:
        tour.deleteLater()
        return None
    window.tour = tour
    tour.start()
    return tour


def offer_tour_once(window: Any) -> Tour | None:
    """The first time a document is open in this cypdesk: the tour, unless it was
    finished or skipped before."""
    if tour_done(window):
        return None
    return start_tour(window)


def offer_when_a_document_opens(window: Any, delay_ms: int = 400) -> None:
    """What the composition root asks: each time a document opens, the tour, shortly
    after the first tab has painted, unless it was finished or skipped before."""
    from PySide6.QtCore import QTimer

    window.document_opened.connect(lambda _path: QTimer.singleShot(delay_ms, lambda: offer_tour_once(window)))
