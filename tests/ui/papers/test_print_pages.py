"""Printing a paper (issue 10, item 10): no printer is attached here, so the PDF is
printed through QPrinter with its output format set to PDF, and the printed file's
pages are counted. The PDF printed is made in the test with reportlab (three pages,
the third landscape), so these tests need neither the paper renderer nor the data."""

from __future__ import annotations

import pytest


@pytest.fixture
def three_pages(tmp_path):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    path = tmp_path / "paper.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in (1, 2):
        pdf.drawString(72, 770, f"Page {number} of 3")
        pdf.showPage()
    pdf.setPageSize(landscape(A4))
    pdf.drawString(72, 520, "Page 3 of 3: a wide appendix")
    pdf.showPage()
    pdf.save()
    return path


def _printer(out, first=0, last=0):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    if first:
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(first, last)
    return printer


def test_every_page_prints_and_a_landscape_page_prints_landscape(qtbot, three_pages, tmp_path):
    """All pages: the printed PDF has 3 pages; the third is wider than tall, as the
    wide appendix was."""
    from pypdf import PdfReader

    from cypdesk.ui.tabs.papers.pdfpages import print_pdf

    out = tmp_path / "printed.pdf"
    assert print_pdf(three_pages, _printer(out)) == 3
    pages = PdfReader(out).pages
    assert len(pages) == 3
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pages]
    assert sizes[0][0] < sizes[0][1] and sizes[2][0] > sizes[2][1]


def test_a_page_range_prints_only_those_pages(qtbot, three_pages, tmp_path):
    """Pages 2 to 3 chosen in the print dialog: two pages come out."""
    from pypdf import PdfReader

    from cypdesk.ui.tabs.papers.pdfpages import print_pdf

    out = tmp_path / "printed.pdf"
    assert print_pdf(three_pages, _printer(out, 2, 3)) == 2
    assert len(PdfReader(out).pages) == 2


def test_a_range_beyond_the_paper_is_refused_in_words(qtbot, three_pages, tmp_path):
    """Pages 5 to 6 of a 3-page paper: a plain refusal, nothing printed."""
    from cypdesk.common.errors import CypdeskError
    from cypdesk.ui.tabs.papers.pdfpages import print_pdf

    out = tmp_path / "printed.pdf"
    with pytest.raises(CypdeskError, match="has 3 pages"):
        print_pdf(three_pages, _printer(out, 5, 6))
    assert not out.exists()


def test_the_preview_renders_each_page_as_an_image(qtbot, three_pages):
    """The preview's images: one a page, A4 at the preview's resolution, the third
    landscape, not blank (the text is drawn)."""
    from cypdesk.ui.tabs.papers.pdfpages import PREVIEW_DPI, render_pages

    pages = render_pages(three_pages)
    assert len(pages) == 3
    image = pages[0].image()
    assert abs(image.width() - round(595.3 * PREVIEW_DPI / 72)) <= 1
    assert pages[2].image().width() > pages[2].image().height()
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height() // 8, 2)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 20
