"""Rating charts for monitoring: a measure's trend as a sparkline, and a table of
ratings (a service's or a board appendix's), each rating written as a word beside its
colour so the chart reads in greyscale and for readers who cannot tell red from green.

Ratings are given by their keys (``"green"``, ``"on_course"``, ``"not_rated"``...: the
keys of :data:`~cypdesk.io.charts.style.RATING_WORDS`); an unknown key is drawn grey
and written as it is. Figures come from :func:`~cypdesk.io.charts.style.figure`
(no pyplot, no Qt); the ``describe_*`` functions say the same in words for screen
readers and captions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cypdesk.io.charts.style import RATING_COLOURS, RATING_WORDS, TRUST, figure

GREY = "#b1b4b6"
INK = "#0b0c0c"


def rating_word(key: str | None) -> str:
    if not key:
        return "Not rated"
    return RATING_WORDS.get(key, key.replace("_", " ").capitalize())


def rating_colour(key: str | None) -> str:
    return RATING_COLOURS.get(key or "", GREY)


def _fmt(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def sparkline_figure(values: Sequence[float | None], ratings: Sequence[str | None], *,
                     labels: Sequence[str] | None = None, target: float | None = None, unit: str | None = None,
                     width_in: float = 4.2, height_in: float = 1.6) -> Any:
    """A small trend: the line through ``values`` (None leaves a gap), each point in its
    rating's colour, the target as a dashed line, and the latest value with its rating
    word written at the end. ``labels`` name the periods (the first and last are shown)."""
    fig = figure(width_in, height_in)
    ax = fig.add_subplot(1, 1, 1)
    n = len(values)
    xs = list(range(n))
    points = [(x, v) for x, v in zip(xs, values) if v is not None]
    if points:
        # The line, broken where a period has no actual.
        run: list[tuple[int, float]] = []
        for x, v in zip(xs, values):
            if v is None:
                if len(run) > 1:
                    ax.plot([p[0] for p in run], [p[1] for p in run], color=TRUST, linewidth=1.6, zorder=2)
                run = []
            else:
                run.append((x, v))
        if len(run) > 1:
            ax.plot([p[0] for p in run], [p[1] for p in run], color=TRUST, linewidth=1.6, zorder=2)
        for x, v in points:
            key = ratings[x] if x < len(ratings) else None
            ax.scatter([x], [v], s=26, color=rating_colour(key), edgecolors=INK, linewidths=0.5, zorder=3)
    if target is not None:
        ax.axhline(target, color=INK, linewidth=0.9, linestyle=(0, (4, 3)), zorder=1)
        ax.annotate(f"Target {_fmt(target)}{unit if unit == '%' else ''}", xy=(0, target), xycoords=("axes fraction", "data"),
                    xytext=(2, 3), textcoords="offset points", fontsize=7, color=INK, va="bottom")
    latest = next(((x, v) for x, v in reversed(list(zip(xs, values))) if v is not None), None)
    last_key = ratings[-1] if ratings else None
    word = rating_word(last_key)
    if latest is not None and last_key is not None and n and latest[0] == n - 1:
        ax.annotate(f"{_fmt(latest[1])}{unit if unit == '%' else ''}  {word}", xy=latest, xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8, fontweight="bold", color=INK,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": rating_colour(last_key), "alpha": 0.25,
                          "edgecolor": rating_colour(last_key)})
    else:
        ax.text(1.0, 1.0, word, transform=ax.transAxes, ha="right", va="top", fontsize=8, fontweight="bold", color=INK)
    ax.set_xlim(-0.4, max(n - 1, 0) + (2.6 if n > 1 else 1.6))
    if labels and n:
        ticks = [0, n - 1] if n > 1 else [0]
        ax.set_xticks(ticks, [labels[t] for t in ticks])
        ax.tick_params(axis="x", labelsize=7, length=0)
    else:
        ax.set_xticks([])
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="x", visible=False)
    if not points and target is None:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "No actuals yet", transform=ax.transAxes, ha="center", va="center", fontsize=8, color=INK)
    return fig


def describe_sparkline(values: Sequence[float | None], ratings: Sequence[str | None], *,
                       labels: Sequence[str] | None = None, target: float | None = None,
                       unit: str | None = None) -> str:
    """The sparkline in words: "8 periods, 2024-25 Q4 to 2025-26 Q3: from 86 to 78.2
    (falling). Target 92. Latest: 78.2, Red."."""
    suffix = unit if unit == "%" else ""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        text = "No actuals recorded yet."
        return text + (f" Target {_fmt(target)}{suffix}." if target is not None else "")
    n = len(values)
    span = ""
    if labels and n:
        span = f", {labels[0]} to {labels[-1]}" if n > 1 else f", {labels[0]}"
    first, last = known[0][1], known[-1][1]
    direction = "rising" if last > first else "falling" if last < first else "level"
    text = f"{n} period{'s' if n != 1 else ''}{span}: "
    text += (f"from {_fmt(first)}{suffix} to {_fmt(last)}{suffix} ({direction})." if len(known) > 1
             else f"{_fmt(last)}{suffix}.")
    if target is not None:
        text += f" Target {_fmt(target)}{suffix}."
    last_key = ratings[-1] if ratings else None
    latest_label = f" ({labels[known[-1][0]]})" if labels and known[-1][0] < len(labels) else ""
    if known[-1][0] == n - 1:
        text += f" Latest{latest_label}: {_fmt(last)}{suffix}, {rating_word(last_key)}."
    else:
        text += f" Latest period: no actual, {rating_word(last_key)}."
    missing = n - len(known)
    if missing:
        text += f" {missing} period{'s have' if missing != 1 else ' has'} no actual."
    return text


def rag_table_figure(rows: Sequence[Sequence[Any]], *, title: str | None = None, width_in: float = 6.4) -> Any:
    """A table of ratings: each row ``(label, rating key)`` or ``(label, rating key,
    note)``; the rating cell is filled with its colour and always carries its word."""
    height = 0.1 + 0.26 * (max(len(rows), 1) + 1) + (0.3 if title else 0)
    fig = figure(width_in, height)
    ax = fig.add_subplot(1, 1, 1)
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left")
    has_note = any(len(r) > 2 and r[2] for r in rows)
    if not rows:
        ax.text(0.0, 0.5, "Nothing to rate.", transform=ax.transAxes, va="center")
        return fig
    cells = []
    colours = []
    for row in rows:
        label, key = str(row[0]), row[1]
        cell = [label, rating_word(key)]
        colour = ["white", _pale(rating_colour(key))]
        if has_note:
            cell.append(str(row[2]) if len(row) > 2 and row[2] else "")
            colour.append("white")
        cells.append(cell)
        colours.append(colour)
    headers = ["", "Rating"] + (["Note"] if has_note else [])
    widths = [0.52, 0.16, 0.32] if has_note else [0.8, 0.2]
    table = ax.table(cellText=cells, cellColours=colours, colLabels=headers, colWidths=widths, bbox=[0, 0, 1, 1],
                     cellLoc="left", colLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (r, c), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        cell.PAD = 0.03
        if r == 0:
            cell.set_text_props(fontweight="bold")
        elif c == 1:
            cell.set_text_props(fontweight="bold", color=INK)
            key = rows[r - 1][1]
            cell.set_edgecolor(rating_colour(key))
    return fig


def _pale(colour: str, amount: float = 0.55) -> str:
    """A lighter tint of a colour, so black text on it stays readable."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    mix = [round(v + (255 - v) * amount) for v in (r, g, b)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def describe_rag_table(rows: Sequence[Sequence[Any]]) -> str:
    """The table in words: "16 measures: 4 red, 5 amber, 6 green, 1 not rated."."""
    counts: dict[str, int] = {}
    order: list[str] = []
    for row in rows:
        word = rating_word(row[1])
        if word not in counts:
            order.append(word)
        counts[word] = counts.get(word, 0) + 1
    preferred = ["Red", "Amber", "Green", "No progress", "Slippage", "On course", "Ahead", "Not rated", "Not assessed"]
    order.sort(key=lambda w: preferred.index(w) if w in preferred else len(preferred))
    n = len(rows)
    if not n:
        return "Nothing to rate."
    return f"{n} row{'s' if n != 1 else ''}: " + ", ".join(f"{counts[w]} {w.lower()}" for w in order) + "."


__all__ = ["describe_rag_table", "describe_sparkline", "rag_table_figure", "rating_colour", "rating_word",
           "sparkline_figure"]
