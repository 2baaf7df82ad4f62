"""The data parts of a board paper PDF: tables (split across pages with their header
row repeated, ratings with their word and colour, suppressed counts as "c") and charts
(vector: the chart's matplotlib figure as SVG, read into reportlab graphics by svglib,
text kept as text in the embedded DejaVu fonts)."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from cypdesk.io.papers.text import FONT, FONT_BOLD, INK, RULE, clean, para, styles

CELL_SIZE = 8.5
PAD = 4  # points each side of a cell
HEAD_BG = "#383f43"
TITLE_ROOM = 45 * mm
ZEBRA = "#f3f2f1"
TOTAL_RULE = INK
# Ratings whose colour is dark enough for white words (contrast >= 4.5 with white).
_WHITE_ON = {"green", "red", "ahead", "on_course", "no_progress"}
SUPPRESSED_NOTE = ("c: a small number left out to protect the people it counts (and, where needed, "
                   "another cell too, so that it cannot be worked out from the totals).")


def rating_word(key: str | None) -> str:
    from cypdesk.io.charts.style import RATING_WORDS

    return RATING_WORDS.get(key or "", "") if key else ""


def rating_colour(key: str | None) -> str | None:
    from cypdesk.io.charts.style import RATING_COLOURS

    return RATING_COLOURS.get(key or "") if key else None


def cell_text(cell: Any) -> str:
    """What a cell prints: "c" when suppressed, "withheld" for a withheld value with no
    text, and a rated cell's word beside its text."""
    if getattr(cell, "suppressed", False):
        return "c"
    text = clean(getattr(cell, "text", ""))
    if getattr(cell, "withheld", False) and not text:
        return "withheld"
    word = rating_word(getattr(cell, "rating", None))
    if word and word.lower() not in text.lower():
        return f"{text} {word}".strip()
    return text


def column_widths(columns: list[Any], rows: list[list[str]], available: float) -> list[float]:
    """Widths that fit ``available`` points: each column gets at least its longest word
    (and its heading's), the rest shared out by how much text each column holds."""
    n = len(columns)
    natural = [0.0] * n
    minimum = [0.0] * n
    sample = rows[:400]  # enough to judge a column's text; keeps a 10,000-row table quick
    for i, col in enumerate(columns):
        texts = [clean(col.label)] + [r[i] for r in sample if i < len(r)]
        widest_word = 0.0
        widest = 0.0
        for t in texts:
            font = FONT_BOLD if t is texts[0] else FONT
            for line in t.split("\n"):
                widest = max(widest, stringWidth(line[:300], font, CELL_SIZE))
            for word in t.split():
                widest_word = max(widest_word, stringWidth(word[:40], font, CELL_SIZE))
        natural[i] = min(widest, 230) + 2 * PAD + 1
        minimum[i] = max(min(widest_word, 120) + 2 * PAD + 1, 26)
    total_min = sum(minimum)
    if total_min >= available:
        return [m * available / total_min for m in minimum]
    if sum(natural) <= available:
        spare = available - sum(natural)
        weight = sum(natural) or 1
        return [w + spare * w / weight for w in natural]
    spare = available - total_min
    extra = [max(0.0, nat - m) for nat, m in zip(natural, minimum)]
    weight = sum(extra) or 1
    return [m + spare * e / weight for m, e in zip(minimum, extra)]


def table_flowables(table: Any, width: float) -> list[Any]:
    """A Table of the paper as flowables: its title, the table (header row repeated on
    every page it runs on; a row taller than a page split inside the row) and its note."""
    st = styles()
    # A title stays with the table's first rows: a page with less than TITLE_ROOM left
    # goes on to the next; keeping the title with the WHOLE table would leave pages empty.
    out: list[Any] = [CondPageBreak(TITLE_ROOM)]
    if table.title:
        out.append(para(table.title, st["table_title"]))
    texts = [[cell_text(c) for c in row.cells] for row in table.rows]
    widths = column_widths(table.columns, texts, width)
    head = [para(col.label, st["head_cell_right" if col.align == "right" else "head_cell"]) for col in table.columns]
    data: list[list[Any]] = [head]
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD_BG)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(RULE)),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
    ]
    any_suppressed = False
    for r, (row, row_texts) in enumerate(zip(table.rows, texts), start=1):
        line = []
        for c, (cell, text) in enumerate(zip(row.cells, row_texts)):
            col = table.columns[c] if c < len(table.columns) else None
            right = col is not None and col.align == "right"
            key = ("cell_total" if row.total else "cell") + ("_right" if right else "")
            line.append(para(text, st[key]))
            any_suppressed = any_suppressed or cell.suppressed
            colour = None if cell.suppressed else rating_colour(cell.rating)
            if colour:
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(colour)))
                if cell.rating in _WHITE_ON:
                    line[-1] = para(text, st[key + "_white"])
        line += [para("", st["cell"])] * (len(table.columns) - len(line))
        data.append(line)
        if row.total:
            commands.append(("LINEABOVE", (0, r), (-1, r), 1, colors.HexColor(TOTAL_RULE)))
        elif r % 2 == 0:
            commands.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor(ZEBRA)))
    # the zebra goes under a rating's colour: put rating backgrounds last
    commands.sort(key=lambda cmd: cmd[0] == "BACKGROUND" and cmd[1] != cmd[2])
    t = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1, hAlign="LEFT")
    t.setStyle(TableStyle(commands))
    out.append(t)
    notes = [n for n in (clean(table.note), SUPPRESSED_NOTE if any_suppressed else "") if n]
    out.append(Spacer(0, 3))
    for note in notes:
        out.append(para(note, st["small"]))
    out.append(Spacer(0, 6))
    return out


# -- charts -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _svg_fonts() -> None:
    """svglib maps the SVG's "DejaVu Sans" onto the fonts the paper already embeds."""
    from svglib.fonts import get_global_font_map

    from cypdesk.io.papers.text import FONT_BOLD_ITALIC, FONT_ITALIC, register_fonts

    register_fonts()
    fmap = get_global_font_map()
    regular, bold = ("normal", "100", "200", "300", "400", "500"), ("bold", "600", "700", "800", "900")
    faces = [(w, "normal", FONT) for w in regular] + [(w, "normal", FONT_BOLD) for w in bold]
    faces += [(w, s, FONT_ITALIC) for w in regular for s in ("italic", "oblique")]
    faces += [(w, s, FONT_BOLD_ITALIC) for w in bold for s in ("italic", "oblique")]
    for weight, style, name in faces:  # matplotlib writes weights as numbers ("700")
        for family in ("DejaVu Sans", "sans-serif"):
            internal = fmap.build_internal_name(family, weight, style)
            fmap._map[internal] = {"svg_family": family, "svg_weight": weight, "svg_style": style,
                                   "rlgFont": name, "exact": True}
            fmap._family_index.setdefault(family.lower(), family)


def figure_drawing(fig: Any, width: float) -> Any:
    """A matplotlib Figure as a reportlab Drawing (vector), scaled to ``width`` points."""
    from svglib.svglib import svg2rlg

    _svg_fonts()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    buf.seek(0)
    drawing = svg2rlg(buf)
    scale = min(1.0, width / drawing.width) if drawing.width else 1.0
    scale = width / drawing.width if drawing.width and drawing.width > width else scale
    drawing.scale(scale, scale)
    drawing.width *= scale
    drawing.height *= scale
    drawing.hAlign = "LEFT"
    drawing.initialFontName = FONT  # reportlab's graphics state starts in Helvetica otherwise
    return drawing


def chart_flowables(chart: Any, width: float, max_height: float) -> list[Any]:
    """A Chart of the paper: its figure (vector) kept together with its description in
    words (the alt text, printed as the caption)."""
    from cypdesk.io.charts.spec import figure_for

    st = styles()
    fig = figure_for(chart)
    try:
        drawing = figure_drawing(fig, width)
    finally:
        _close(fig)
    if drawing.height > max_height:  # a tall chart: shrink to the page
        s = max_height / drawing.height
        drawing.scale(s, s)
        drawing.width *= s
        drawing.height *= s
    parts: list[Flowable] = [drawing, Spacer(0, 2)]
    if chart.description:
        parts.append(para(chart.description, st["small"]))
    return [KeepTogether(parts), Spacer(0, 8)]


def _close(fig: Any) -> None:
    fig.clear()  # a Figure made without pyplot is freed with its last reference
