"""Shows a chart from :mod:`cypdesk.io.charts` in the window: matplotlib's Qt canvas
around the same Figure that papers save as vector, so both look alike. matplotlib is
imported only when the first chart is shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class ChartView(QWidget):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.canvas: Any = None
        self.figure: Any = None
        self.description = QLabel("")  # the chart in words, for screen readers and as a caption
        self.description.setWordWrap(True)
        self.description.setAccessibleDescription(f"{accessible_name}: in words")
        self.layout_.addWidget(self.description)

    def show_figure(self, figure: Any, description: str = "") -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        if self.canvas is not None:
            self.layout_.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.figure = figure
        fit_titles(figure)
        self.canvas = FigureCanvasQTAgg(figure)
        self.canvas.setAccessibleName(self.accessibleName())
        self.canvas.setAccessibleDescription(description)
        self.setAccessibleDescription(description)  # the chart, not only its caption, says what it shows
        self.canvas.setMinimumHeight(220)
        self.layout_.insertWidget(0, self.canvas, 1)
        self.description.setText(description)
        self.canvas.draw_idle()

    def clear(self, text: str = "") -> None:
        if self.canvas is not None:
            self.layout_.removeWidget(self.canvas)
            self.canvas.deleteLater()
            self.canvas = None
        self.figure = None
        self.description.setText(text)
        self.setAccessibleDescription(text)


def fit_titles(figure: Any) -> None:
    """Titles wrap onto a second line rather than run off a narrow chart (matplotlib
    wraps a text marked so at the figure's edge, at every draw)."""
    texts = [axes.title for axes in figure.axes] + [axes._left_title for axes in figure.axes if hasattr(axes, "_left_title")]
    if getattr(figure, "_suptitle", None) is not None:
        texts.append(figure._suptitle)
    for text in texts:
        if text.get_text():
            text.set_wrap(True)
