"""User text into reportlab: the ONE way any string of a paper reaches a Paragraph.

reportlab's Paragraph reads a markup language (``<b>``, ``<font color=...>``,
``<img src=...>``, ``<a href=...>``) and, before 3.6.13, evaluated parts of it as
Python (CVE-2023-33733). Text that officers type or that comes from the data is never
markup: :func:`para` escapes every ``&``, ``<`` and ``>`` (so ``Smith & Jones <Ltd>``
prints as written, and ``<img src=...>`` embeds nothing), turns line breaks into
``<br/>``, and drops control characters the PDF cannot carry. The only markup in a
paper is the bold and italic that :func:`runs_para` adds around escaped runs, and the
fixed labels of this module.

Fonts: the bundled DejaVu Sans TTFs (``resources/fonts``), registered once and embedded
as subsets, carry every Latin letter with its diacritics, Greek and Cyrillic. Text in
Arabic script (Urdu, Arabic) is shaped (letters joined) by HarfBuzz when ``uharfbuzz``
is installed and put in right-to-left order word by word (:func:`visual_order`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from cypdesk import paths

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
               FONT_ITALIC: "DejaVuSans-Oblique.ttf", FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}

INK = "#0b0c0c"
GREY = "#505a5f"
RULE = "#b1b4b6"
ACCENT = "#1d70b8"

# C0/C1 controls other than tab and newline, and lone surrogates: not text, and some
# stop reportlab's parser or the PDF's text encoding.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_RTL_RUN = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+(?:[ \u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]*"
                      "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff])?")


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the DejaVu family with reportlab (once) and return the body font name.
    ``<b>`` and ``<i>`` in our own markup map to the bold and oblique files."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = paths.resources_dir() / "fonts"
    for name, file in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT_ITALIC), (1, 1, FONT_BOLD_ITALIC)):
        addMapping(FONT, bold, italic, name)
    return FONT


def font_path(name: str = FONT) -> str:
    return str(paths.resources_dir() / "fonts" / _FONT_FILES[name])


def clean(text: Any) -> str:
    """The text as it may print: a string, controls dropped, ``\\r\\n`` as ``\\n``."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def has_rtl(text: str) -> bool:
    return bool(_RTL.search(text))


def visual_order(text: str) -> str:
    """Each run of right-to-left words (Arabic script, Hebrew) in visual order: the
    words of the run reversed, so the first word stands rightmost. HarfBuzz then shapes
    and orders the letters inside each word. Latin text around a run stays as it is.
    (reportlab reorders whole lines only with rlbidi, which is not on PyPI for us.)"""
    def flip(match: re.Match[str]) -> str:
        return " ".join(reversed(match.group(0).split(" ")))

    return _RTL_RUN.sub(flip, text)


def markup(text: Any) -> str:
    """User text as Paragraph markup that prints exactly ``text``: every ``&``, ``<``
    and ``>`` escaped, line breaks as ``<br/>``. Nothing in ``text`` is ever read as
    markup."""
    text = clean(text)
    if has_rtl(text):
        text = visual_order(text)
    return escape(text).replace("\t", "    ").replace("\n", "<br/>")


def para(text: Any, style: Any) -> Any:
    """THE function that turns user text into a reportlab Paragraph (see the module's
    docstring). ``style`` is one of :func:`styles`'s, or any ParagraphStyle."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup(text), _shaped(style, text))


def runs_para(runs: Iterable[Any], style: Any, *, prefix: str = "", bullet: str | None = None) -> Any:
    """A paragraph of runs (``Run(text, bold, italic)``): each run's text escaped by
    :func:`markup`, wrapped in the ``<b>``/``<i>`` this module writes itself. ``prefix``
    is user text too (a number, a heading's label) and is escaped the same way."""
    from reportlab.platypus import Paragraph

    parts = [markup(prefix)] if prefix else []
    plain = [prefix]
    for run in runs:
        piece = markup(run.text)
        plain.append(run.text)
        if getattr(run, "bold", False):
            piece = f"<b>{piece}</b>"
        if getattr(run, "italic", False):
            piece = f"<i>{piece}</i>"
        parts.append(piece)
    return Paragraph("".join(parts), _shaped(style, "".join(str(p) for p in plain)),
                     bulletText=None if bullet is None else markup(bullet))


def _shaped(style: Any, text: Any) -> Any:
    """The style, with HarfBuzz shaping switched on when the text has Arabic script
    (shaping every paragraph would slow Latin text for nothing)."""
    if not has_rtl(clean(text)) or not shaping_available():
        return style
    from reportlab.lib.styles import ParagraphStyle

    return _shaped_style(style.name, style) if isinstance(style, ParagraphStyle) else style


_SHAPED: dict[str, Any] = {}


def _shaped_style(name: str, style: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    key = f"{name}:{id(style)}"
    if key not in _SHAPED:
        _SHAPED[key] = ParagraphStyle(name + "-shaped", parent=style, shaping=1)
    return _SHAPED[key]


@lru_cache(maxsize=1)
def shaping_available() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def styles() -> dict[str, Any]:
    """The paper's paragraph styles, all in DejaVu Sans (sizes as in council papers:
    11 pt body, bold headings)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    ink = colors.HexColor(INK)
    grey = colors.HexColor(GREY)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, textColor=ink, alignment=TA_LEFT,
                          spaceAfter=6)
    s = {
        "body": body,
        "body_run_on": ParagraphStyle("body_run_on", parent=body, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=19, leading=24, spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontName=FONT_BOLD, fontSize=12, leading=16,
                                   textColor=grey, spaceAfter=2),
        "trust": ParagraphStyle("trust", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16,
                                textColor=colors.HexColor(ACCENT)),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=13.5, leading=18, spaceBefore=12,
                             spaceAfter=5, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                             spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6,
                             spaceAfter=3, keepWithNext=1),
        "table_title": ParagraphStyle("table_title", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14,
                                      spaceBefore=6, spaceAfter=3),
        "label": ParagraphStyle("label", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12.5, spaceAfter=0),
        "field": ParagraphStyle("field", parent=body, fontSize=9.5, leading=12.5, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=grey, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0,
                                     alignment=2),
        "head_cell": ParagraphStyle("head_cell", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5,
                                    spaceAfter=0, textColor=colors.white),
        "agenda": ParagraphStyle("agenda", parent=body, fontSize=11, leading=15, leftIndent=30, bulletIndent=0,
                                 bulletFontName=FONT_BOLD, bulletFontSize=11, spaceAfter=6),
        "head_cell_right": ParagraphStyle("head_cell_right", parent=body, fontName=FONT_BOLD, fontSize=8.5,
                                          leading=10.5, spaceAfter=0, textColor=colors.white, alignment=2),
        "toc": ParagraphStyle("toc", parent=body, fontSize=10, leading=13, spaceAfter=1),
        "marking": ParagraphStyle("marking", parent=body, fontName=FONT_BOLD, fontSize=9, leading=11,
                                  alignment=1, spaceAfter=0),
    }
    s["cell_total"] = ParagraphStyle("cell_total", parent=s["cell"], fontName=FONT_BOLD)
    s["cell_total_right"] = ParagraphStyle("cell_total_right", parent=s["cell_right"], fontName=FONT_BOLD)
    for key in ("cell", "cell_right", "cell_total", "cell_total_right"):  # on a dark rating colour
        s[key + "_white"] = ParagraphStyle(key + "_white", parent=s[key], textColor=colors.white, fontName=FONT_BOLD)
    for level in (1, 2, 3):
        indent = 14 * level
        s[f"bullet{level}"] = ParagraphStyle(f"bullet{level}", parent=body, leftIndent=indent, bulletIndent=indent - 10,
                                             bulletFontName=FONT, spaceAfter=3)
        s[f"numbered{level}"] = ParagraphStyle(f"numbered{level}", parent=body, leftIndent=indent + 6,
                                               bulletIndent=indent - 10, bulletFontName=FONT, spaceAfter=3)
    return s


def blocks_flowables(blocks: Sequence[Any], *, heading_base: int = 2) -> list[Any]:
    """Rich text (contract section 3: headings, paragraphs, bullet and numbered lists,
    bold and italic runs) as flowables. A block's ``heading`` level 1 prints as the
    ``h{heading_base}`` style (a section's own heading is one level above)."""
    st = styles()
    out: list[Any] = []
    counters = [0, 0, 0, 0]
    for block in blocks:
        kind = block.kind
        level = max(1, min(3, int(getattr(block, "level", 1) or 1)))
        if kind != "numbered":
            counters = [0, 0, 0, 0]
        if kind == "heading":
            out.append(runs_para(block.runs, st[f"h{min(3, heading_base + level - 1)}"]))
        elif kind == "bullet":
            out.append(runs_para(block.runs, st[f"bullet{level}"], bullet="•" if level != 2 else "–"))
        elif kind == "numbered":
            counters[level] += 1
            for deeper in range(level + 1, 4):
                counters[deeper] = 0
            out.append(runs_para(block.runs, st[f"numbered{level}"], bullet=_number(counters[level], level)))
        else:
            chunks = line_chunks(block.runs)
            for chunk in chunks[:-1]:
                out.append(runs_para(chunk, st["body_run_on"]))
            out.append(runs_para(chunks[-1], st["body"]))
    return out


LINES_PER_PARAGRAPH = 40


def line_chunks(runs: Sequence[Any], per: int = LINES_PER_PARAGRAPH) -> list[list[Any]]:
    """The runs cut at line breaks into pieces of at most ``per`` lines: reportlab
    splits a long paragraph across pages by wrapping what is left again at every page,
    so 20,000 lines in one Paragraph take minutes; in pieces they take a second."""
    from dataclasses import replace

    chunks: list[list[Any]] = [[]]
    lines = 0
    for run in runs:
        pieces = clean(run.text).split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines += 1
                if lines >= per:
                    chunks.append([])
                    lines = 0
                else:
                    chunks[-1].append(replace(run, text="\n"))
            if piece:
                chunks[-1].append(replace(run, text=piece))
    return [c for c in chunks if c] or [[]]


def _number(n: int, level: int) -> str:
    if level == 1:
        return f"{n}."
    if level == 2:
        return f"({'abcdefghijklmnopqrstuvwxyz'[(n - 1) % 26]})"
    roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
    return f"({roman[(n - 1) % len(roman)]})"


def blocks_text(blocks: Sequence[Any]) -> str:
    """Blocks as plain text (one line a block), for metadata and tests."""
    return "\n".join("".join(r.text for r in b.runs) for b in blocks)
