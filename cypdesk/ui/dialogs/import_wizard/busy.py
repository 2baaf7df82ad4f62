"""A page's "working on it" line: what is being done, a progress bar (busy until the
work says how far it is), and a Cancel button that asks the work to stop. The work
runs on the window's worker (:mod:`cypdesk.ui.tasks`); this panel only reads its
thread-safe progress object, ten times a second."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from cypdesk.ui.widgets.record_form import ERROR_STYLE


class BusyPanel(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None, *, cancel_button: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_busy")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.label.setObjectName(f"{name}_busy_text")
        self.label.setAccessibleDescription("What is being done")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}_progress")
        self.bar.setAccessibleName("Progress")
        self.bar.setMinimumWidth(220)
        self.cancel = QPushButton("&Stop")
        self.cancel.setObjectName(f"{name}_stop")
        self.cancel.setAccessibleName("Stop reading")
        self.cancel.setToolTip("Stop: nothing is written to the document")
        self.cancel.clicked.connect(self.stop_work)
        self.cancel.setVisible(cancel_button)
        self.cancellable = cancel_button
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel)
        self.progress: Any = None
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.tick)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.label.setStyleSheet("")
        self.bar.setRange(0, 0)  # busy until the work says how far it is
        self.bar.show()
        self.cancel.setVisible(self.cancellable)
        self.cancel.setEnabled(True)
        self.show()

    def follow(self, progress: Any) -> None:
        """Show how far ``progress`` (the worker's) has got, until :meth:`done`."""
        self.progress = progress
        self.timer.start()

    def tick(self) -> None:
        progress = self.progress
        if progress is None:
            return
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        if progress.text and not progress.cancelled():
            self.label.setText(progress.text)

    def stop_work(self) -> None:
        if self.progress is not None:
            self.progress.cancel()
            self.label.setText("Stopping…")
            self.cancel.setEnabled(False)

    def done(self, text: str = "", *, error: bool = False) -> None:
        self.timer.stop()
        self.progress = None
        if not text:
            self.hide()
            return
        self.label.setText(text)
        self.label.setStyleSheet(ERROR_STYLE if error else "")
        self.label.setWordWrap(True)
        self.bar.hide()
        self.cancel.hide()
        self.show()

    def reset(self) -> None:
        self.done()
