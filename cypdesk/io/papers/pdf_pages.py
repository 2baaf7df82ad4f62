"""Pages of a board paper PDF in one layout pass: the canvas that holds every page
until the end, so that "Page n of N", the contents list's and the agenda's page
numbers, and the header and footer stamps are drawn once the whole document is known.

reportlab writes each page as it finishes; the usual two-pass build (``multiBuild``)
lays the document out twice. Here :class:`PaperCanvas` keeps each finished page's
drawing, and at :meth:`~PaperCanvas.save` replays the pages, drawing on each its
header and footer (:class:`Stamp`), the page numbers that flowables asked for
(:class:`PageRef`) and the bookmarks (:class:`Mark`) that point at it. Bookmarks are
replayed too: reportlab names the page a bookmark points at when the bookmark is made,
and a held page has no number yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from cypdesk.io.papers.text import ACCENT, FONT, FONT_BOLD, GREY, INK, RULE, clean, register_fonts

MARGIN = 20 * mm
HEADER = 13 * mm  # band above the frame: trust, marking
FOOTER = 14 * mm  # band below the frame: board, date, item, page n of N
PORTRAIT = A4
LANDSCAPE = landscape(A4)


@dataclass
class Stamp:
    """What the header and footer of a page say (plain text, drawn with drawString,
    never parsed as markup)."""

    trust: str = ""
    board: str = ""
    date: str = ""
    item: str = ""
    marking: str = ""
    title: str = ""


class PaperCanvas(Canvas):
    """A canvas that holds its pages until :meth:`save` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self.page_of: dict[str, int] = {}  # key -> page number, shared by every held page
        self.stamp = Stamp()
        self.first_page_number = 1
        self._refs: list[tuple[float, float, str, str, float, str]] = []
        self._marks: list[tuple[str, float]] = []

    # -- held pages -------------------------------------------------------------------
    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._held.append(dict(self.__dict__))
        self._refs = []
        self._marks = []
        self._startPage()

    def bookmark_here(self, key: str, top: float) -> None:
        """Point the bookmark ``key`` at this page (made when the page is written)."""
        self._marks.append((key, top))
        self.page_of[key] = self.getPageNumber()

    def page_ref(self, x: float, y: float, key: str, *, font: str = FONT, size: float = 10,
                 align: str = "right") -> None:
        """Draw ``key``'s page number at (x, y) once every page is known."""
        self._refs.append((x, y, key, font, size, align))

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._decorate(total)
            for key, top in self._marks:
                self.bookmarkPage(key, fit="XYZ", left=0, top=top)
            for x, y, key, font, size, align in self._refs:
                number = self.page_of.get(key)
                text = "" if number is None else str(number)
                self.setFont(font, size)
                self.setFillColor(colors.HexColor(INK))
                if align == "right":
                    self.drawRightString(x, y, text)
                else:
                    self.drawString(x, y, text)
            Canvas.showPage(self)
        Canvas.save(self)

    def _decorate(self, total: int) -> None:
        """Header and footer of the page being replayed (self.stamp is the stamp in
        force at the end of that page)."""
        width, height = self._pagesize
        st = self.stamp
        ink = colors.HexColor(INK)
        grey = colors.HexColor(GREY)
        self.saveState()
        top = height - MARGIN + 4 * mm
        self.setFillColor(grey)
        self.setFont(FONT, 8)
        self.drawString(MARGIN, top, fit(st.trust, FONT, 8, width - 2 * MARGIN - 65 * mm))
        if st.marking:
            self.setFont(FONT_BOLD, 9)
            self.setFillColor(ink)
            self.drawCentredString(width / 2, height - 9 * mm, st.marking)
            self.drawCentredString(width / 2, 6 * mm, st.marking)
        if st.item:
            self.setFont(FONT_BOLD, 9)
            self.setFillColor(colors.HexColor(ACCENT))
            self.drawRightString(width - MARGIN, top, fit(f"Agenda item {st.item}", FONT_BOLD, 9, 60 * mm))
        self.setStrokeColor(colors.HexColor(RULE))
        self.setLineWidth(0.5)
        self.line(MARGIN, top - 2.5 * mm, width - MARGIN, top - 2.5 * mm)
        bottom = MARGIN - 8 * mm
        self.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
        self.setFont(FONT, 8)
        self.setFillColor(grey)
        left = " · ".join(p for p in (st.board, st.date, st.title) if p)
        number = f"Page {self.getPageNumber()} of {total}"
        self.drawString(MARGIN, bottom, fit(left, FONT, 8, width - 2 * MARGIN - 30 * mm))
        self.setFillColor(ink)
        self.drawRightString(width - MARGIN, bottom, number)
        self.restoreState()


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points (header and footer lines)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = clean(text).replace("\n", " ")
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class Mark(Flowable):
    """Takes no room. Where it lands: records the page of ``key``, optionally points a
    bookmark (outline entry ``title`` at ``level``) there, and optionally changes the
    stamp for this page and the pages after it."""

    def __init__(self, key: str, *, title: str | None = None, level: int = 0, stamp: Stamp | None = None,
                 closed: bool = False) -> None:
        super().__init__()
        self.key, self.title, self.level, self.new_stamp, self.closed = key, title, level, stamp, closed
        self.width = self.height = 0
        self.keepWithNext = 1  # moves to the next page with the heading it marks

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        if self.new_stamp is not None:
            canv.stamp = self.new_stamp
        x, y = canv.absolutePosition(0, 0)
        canv.bookmark_here(self.key, y + 14)
        if self.title is not None:
            canv.addOutlineEntry(clean(self.title).replace("\n", " "), self.key, level=self.level,
                                 closed=self.closed)


class PageRef(Flowable):
    """One line: ``label`` (a Paragraph) with ``key``'s page number at the right."""

    def __init__(self, label: Any, key: str, *, size: float = 10, indent: float = 0) -> None:
        super().__init__()
        self.label, self.key, self.size, self.indent = label, key, size, indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        _, h = self.label.wrap(aw - self.indent - 16 * mm, ah)
        self.height = h + 2
        return aw, self.height

    def draw(self) -> None:
        self.label.drawOn(self.canv, self.indent, 2)
        first_line = getattr(self.label.style, "fontSize", self.size)  # Paragraph's first baseline
        x, y = self.canv.absolutePosition(self.width, 2 + self.label.height - first_line)
        self.canv.page_ref(x, y, self.key, size=self.size)


class PaperDocTemplate(BaseDocTemplate):
    """A4 portrait pages ("portrait") and A4 landscape pages ("landscape") with room for
    the header and footer bands."""

    def __init__(self, out: Any, *, title: str, author: str, subject: str, lang: str, keywords: str = "") -> None:
        register_fonts()
        super().__init__(out, pagesize=PORTRAIT, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN + HEADER - 8 * mm, bottomMargin=MARGIN + FOOTER - 12 * mm,
                         title=title, author=author, subject=subject, lang=lang, keywords=keywords,
                         creator="cypdesk", producer="cypdesk (reportlab)", displayDocTitle=1,
                         invariant=1, initialFontName=FONT, initialFontSize=10, initialLeading=12)
        self.addPageTemplates([self._template("portrait", PORTRAIT), self._template("landscape", LANDSCAPE)])

    def _template(self, name: str, size: tuple[float, float]) -> PageTemplate:
        w, h = size
        frame = Frame(self.leftMargin, self.bottomMargin, w - self.leftMargin - self.rightMargin,
                      h - self.topMargin - self.bottomMargin, id=name, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        return PageTemplate(id=name, frames=[frame], pagesize=size)

    def frame_width(self, template: str = "portrait") -> float:
        w = (LANDSCAPE if template == "landscape" else PORTRAIT)[0]
        return w - self.leftMargin - self.rightMargin

    def frame_height(self, template: str = "portrait") -> float:
        h = (LANDSCAPE if template == "landscape" else PORTRAIT)[1]
        return h - self.topMargin - self.bottomMargin


def build(doc: PaperDocTemplate, story: list[Any], *, first_stamp: Stamp,
          on_canvas: Callable[[PaperCanvas], None] | None = None) -> PaperCanvas:
    """Lay ``story`` out once and write the PDF; returns the canvas (its ``page_of``
    says where each key landed, ``_held`` how many pages)."""
    made: list[PaperCanvas] = []

    def maker(*args: Any, **kwargs: Any) -> PaperCanvas:
        canv = PaperCanvas(*args, **kwargs)
        canv.stamp = first_stamp
        canv.showOutline()
        if on_canvas is not None:
            on_canvas(canv)
        made.append(canv)
        return canv

    doc.build(story, canvasmaker=maker)
    return made[0]
