"""A rendered PDF's pages as images, with pypdfium2 (PySide6-Essentials has no QtPdf):
for the preview, at screen resolution, on the worker; and for printing, at the
printer's resolution, page by page onto a QPrinter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

PREVIEW_DPI = 110  # a page about as wide as the preview's column at 100% on a laptop
MAX_PRINT_DPI = 300  # text stays sharp; a page at the 1200 dpi of a PDF "printer" would need 400 MB


@dataclass(frozen=True)
class PageImage:
    """One page as RGB bytes (built on the worker; made a QImage on the UI thread)."""

    width: int
    height: int
    stride: int
    data: bytes
    points: tuple[float, float]  # the page's size in points (landscape when wider than tall)

    def image(self) -> QImage:
        return QImage(self.data, self.width, self.height, self.stride, QImage.Format.Format_RGB888).copy()


def page_count(pdf: str | Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def render_page(document: Any, index: int, dpi: float) -> PageImage:
    page = document[index]
    try:
        points = page.get_size()
        bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)  # RGB, as QImage's Format_RGB888 reads it
        try:
            return PageImage(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer), points)
        finally:
            bitmap.close()
    finally:
        page.close()


def render_pages(pdf: str | Path, dpi: float = PREVIEW_DPI, progress: Any = None) -> list[PageImage]:
    """Every page of ``pdf`` as an image at ``dpi`` (``progress`` is told each page and
    may cancel)."""
    import pypdfium2 as pdfium

    from cypdesk.services.export import ExportCancelled as Cancelled

    document = pdfium.PdfDocument(str(pdf))
    try:
        total = len(document)
        out = []
        for index in range(total):
            if progress is not None:
                if progress.cancelled():
                    raise Cancelled("The preview was stopped.")
                progress.report(index, total, f"Page {index + 1} of {total}")
            out.append(render_page(document, index, dpi))
        return out
    finally:
        document.close()


def print_pdf(pdf: str | Path, printer: Any, progress: Any = None) -> int:
    """Print ``pdf`` on ``printer`` as the print dialog set it up: the pages it chose (all,
    or a range), each rendered at the printer's resolution (at most
    :data:`MAX_PRINT_DPI`), fitted to the page, turned landscape for a landscape page.
    Returns the number of pages printed."""
    import pypdfium2 as pdfium
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPageLayout, QPainter

    from cypdesk.common.errors import CypdeskError
    from cypdesk.services.export import ExportCancelled as Cancelled

    document = pdfium.PdfDocument(str(pdf))
    painter = None
    try:
        total = len(document)
        first, last = 1, total
        if printer.printRange() == printer.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = max(printer.fromPage(), 1), min(printer.toPage() or total, total)
        if first > last:
            raise CypdeskError(f"The paper has {total} pages: there is nothing to print from page {first}.")
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        printed = 0
        for number in range(first, last + 1):
            if progress is not None:
                if progress.cancelled():
                    raise Cancelled("Printing was stopped.")
                progress.report(number - first, last - first + 1, f"Page {number} of {total}")
            page = render_page(document, number - 1, dpi)
            landscape = page.points[0] > page.points[1]
            orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
            if painter is None:
                printer.setPageOrientation(orientation)
                painter = QPainter()
                if not painter.begin(printer):
                    raise CypdeskError("The printer could not start printing; check it is on and try again.")
            else:
                printer.setPageOrientation(orientation)
                printer.newPage()
            image = page.image()
            area = painter.viewport()
            scale = min(area.width() / image.width(), area.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF((area.width() - width) / 2, (area.height() - height) / 2, width, height), image)
            printed += 1
        return printed
    finally:
        if painter is not None:
            painter.end()
        document.close()
