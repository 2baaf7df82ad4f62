"""Bar charts of money: spend by category, and each quarter's budget against its
forecast outturn (pooled budgets). Figures come from :func:`.style.figure` (no pyplot,
no Qt); each chart has a ``describe_*`` twin that says the same in words, for screen
readers, captions and board papers.

A figure that is missing is never drawn as a zero bar: its place carries the word
"missing" (or the reason given, such as "not due yet"), and the description says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cypdesk.common.formats import money as _money, money_short, number
from cypdesk.io.charts.style import SERIES, figure

BUDGET_COLOUR = "#b1b4b6"  # grey: the plan
OUTTURN_COLOUR = SERIES[0]  # blue: the forecast
MISSING_WORD = "missing"
TEXT_COLOUR = "#0b0c0c"
MISSING_COLOUR = "#505a5f"  # GOV.UK secondary text: 7:1 on white

Quarter = Sequence[Any]  # (label, budget, forecast outturn[, what to write when missing])


def _fmt(value: float, money: bool, short: bool = True) -> str:
    if money:
        return money_short(value) if short else _money(value)
    return number(value, 0 if float(value).is_integer() else 1)


def _axis_formatter(money: bool) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: _fmt(v, money))


# --- spend by category ----------------------------------------------------------------

def spend_bars(categories: Sequence[str], values: Sequence[float | None], *, title: str, money: bool = True) -> Any:
    """Horizontal bars, one per category in the order given, each labelled with its
    value; a ``None`` value gets the word "missing" in place of a bar."""
    if len(categories) != len(values):
        raise ValueError("spend_bars needs one value for each category")
    n = len(categories)
    fig = figure(6.4, max(1.6, 0.42 * n + 0.9))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title, loc="left")
    ys = list(range(n))[::-1]  # the first category at the top
    known = [v for v in values if v is not None]
    top = max([abs(v) for v in known], default=0.0) or 1.0
    for y, value in zip(ys, values):
        if value is None:
            ax.text(0, y, f" {MISSING_WORD}", va="center", ha="left", color=MISSING_COLOUR, style="italic")
            continue
        ax.barh(y, value, color=SERIES[0], height=0.6)
        ax.text(value + top * 0.01 if value >= 0 else value - top * 0.01, y, _fmt(value, money),
                va="center", ha="left" if value >= 0 else "right", color=TEXT_COLOUR)
    ax.set_yticks(ys)
    ax.set_yticklabels([str(c) for c in categories])
    ax.set_xlim(min(0.0, min(known, default=0.0) * 1.2), top * 1.2)
    ax.xaxis.set_major_formatter(_axis_formatter(money))
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    return fig


def describe_spend_bars(categories: Sequence[str], values: Sequence[float | None], *, title: str,
                        money: bool = True) -> str:
    """The bar chart in words: ``Title: A £1,200; B missing (no figure).``"""
    parts = [f"{c} {_fmt(v, money, short=False)}" if v is not None else f"{c} {MISSING_WORD} (no figure)"
             for c, v in zip(categories, values)]
    if not parts:
        return f"{title}: nothing to show."
    return f"{title}: " + "; ".join(parts) + "."


# --- budget against forecast outturn ------------------------------------------------------------

def _unpack(quarter: Quarter) -> tuple[str, float | None, float | None, str]:
    label, budget, outturn = quarter[0], quarter[1], quarter[2]
    note = quarter[3] if len(quarter) > 3 and quarter[3] else MISSING_WORD
    return str(label), budget, outturn, str(note)


def _variance_words(budget: float, outturn: float) -> str:
    diff = round(outturn - budget, 2)
    if diff > 0:
        return f"{money_short(diff)} over"
    if diff < 0:
        return f"{money_short(-diff)} under"
    return "on budget"


def budget_vs_outturn(quarters: Sequence[Quarter], *, title: str = "Budget and forecast outturn by quarter") -> Any:
    """For each quarter ``(label, budget, forecast outturn[, note])`` a pair of bars,
    budget (grey) and forecast outturn (blue), with the variance written above (“£212k
    over”). A quarter with no return (budget or outturn ``None``) has no bars: its place
    carries ``note`` (default "missing")."""
    fig = figure(6.4, 3.0)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title, loc="left")
    items = [_unpack(q) for q in quarters]
    width = 0.38
    known = [v for _l, b, o, _n in items for v in (b, o) if v is not None]
    top = max(known, default=0.0) or 1.0
    drew_budget = drew_outturn = False
    for x, (_label, budget, outturn, note) in enumerate(items):
        if budget is None or outturn is None:
            ax.text(x, top * 0.06, note, ha="center", va="bottom", color=MISSING_COLOUR, style="italic",
                    rotation=0, wrap=True)
            continue
        ax.bar(x - width / 2, budget, width, color=BUDGET_COLOUR, label=None if drew_budget else "Budget")
        ax.bar(x + width / 2, outturn, width, color=OUTTURN_COLOUR,
               label=None if drew_outturn else "Forecast outturn")
        drew_budget = drew_outturn = True
        ax.text(x, max(budget, outturn) + top * 0.02, _variance_words(budget, outturn), ha="center", va="bottom",
                color=TEXT_COLOUR)
    ax.set_xticks(range(len(items)))
    ax.set_xticklabels([label for label, *_ in items])
    ax.set_xlim(-0.6, max(len(items), 1) - 0.4)
    ax.set_ylim(0, top * 1.18)
    ax.yaxis.set_major_formatter(_axis_formatter(True))
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    if drew_budget:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8, borderaxespad=0.2)
    return fig


def describe_budget_vs_outturn(quarters: Sequence[Quarter], *,
                               title: str = "Budget and forecast outturn by quarter") -> str:
    """The chart in words: each quarter's budget, forecast outturn and variance, or
    that it is missing (never zero)."""
    parts = []
    for label, budget, outturn, note in (_unpack(q) for q in quarters):
        if budget is None or outturn is None:
            parts.append(f"{label}: {note}" + (" (no return)" if note == MISSING_WORD else ""))
            continue
        diff = round(outturn - budget, 2)
        words = ("on budget" if diff == 0 else
                 f"{_money(abs(diff))} {'overspend' if diff > 0 else 'underspend'}")
        parts.append(f"{label}: budget {_money(budget)}, forecast outturn {_money(outturn)}, {words}")
    if not parts:
        return f"{title}: nothing to show."
    return f"{title}. " + "; ".join(parts) + "."
