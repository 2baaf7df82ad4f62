"""The trend chart of the Needs tab and of board papers: one indicator over the years,
the trust's line with its 95% confidence intervals as error bars, England's line, and
the statistical neighbours' range (lowest to highest) as a shaded band with their
median; period labels (``2025-26``) along the bottom.

:func:`describe_trend` says the same in words, for screen readers and as the caption
a paper prints under the chart.

The trend is any object shaped like :class:`cypdesk.services.needs.IndicatorTrend`
(``name``, ``unit_label``, ``decimals``, ``home_name``, ``england_name``,
``comparator_name``, ``neighbours_total``, ``format(value)`` and ``points`` with
``label``, ``value``, ``lower``, ``upper``, ``suppressed``, ``england``,
``neighbours_min``, ``neighbours_max``, ``neighbours_median`` and
``neighbours_count``): io sits below services and does not import them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any, Protocol

from cypdesk.io.charts import style

__all__ = ["describe_trend", "trend_figure"]


class _Point(Protocol):
    label: str
    value: float | None
    lower: float | None
    upper: float | None
    suppressed: str | None
    england: float | None
    neighbours_min: float | None
    neighbours_max: float | None
    neighbours_median: float | None
    neighbours_count: int


class _Trend(Protocol):
    name: str
    unit_label: str
    decimals: int
    home_name: str
    england_name: str
    comparator_name: str
    neighbours_total: int
    points: Sequence[_Point]

    def format(self, value: float | None) -> str: ...


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def trend_figure(trend: _Trend, *, title: str | None = None, unit: str | None = None,
                 decimals: int | None = None, width_in: float = 6.4, height_in: float = 3.4) -> Any:
    """A matplotlib Figure of the trend (made without pyplot; saves as SVG or PDF)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = style.figure(width_in, height_in)
    ax = fig.add_subplot()
    points = list(trend.points)
    places = trend.decimals if decimals is None else decimals
    unit_text = trend.unit_label if unit is None else unit
    xs = list(range(len(points)))
    lows = [_nan(p.neighbours_min) for p in points]
    highs = [_nan(p.neighbours_max) for p in points]
    if any(not math.isnan(v) for v in lows):
        ax.fill_between(xs, lows, highs, color=style.NEIGHBOURS, alpha=0.45, linewidth=0,
                        label=f"{trend.comparator_name}: range", zorder=1)
        ax.plot(xs, [_nan(p.neighbours_median) for p in points], color="#6f777b", linewidth=1, linestyle=":",
                label=f"{trend.comparator_name}: median", zorder=2)
    england = [_nan(p.england) for p in points]
    if any(not math.isnan(v) for v in england):
        ax.plot(xs, england, color=style.ENGLAND, linewidth=1.6, linestyle="--", marker="s", markersize=3.5,
                label=trend.england_name, zorder=3)
    values = [_nan(p.value) for p in points]
    below = [v - _nan(p.lower) if p.lower is not None and p.value is not None else 0.0 for v, p in zip(values, points)]
    above = [_nan(p.upper) - v if p.upper is not None and p.value is not None else 0.0 for v, p in zip(values, points)]
    has_ci = any(p.lower is not None and p.upper is not None and p.value is not None for p in points)
    ax.errorbar(xs, values, yerr=[below, above] if has_ci else None, color=style.TRUST, linewidth=2.2, marker="o",
                markersize=5, capsize=3, elinewidth=1, zorder=4,
                label=f"{trend.home_name}" + (" (95% confidence interval)" if has_ci else ""))
    # Periods without a value for the trust say why, at the foot of the chart.
    for x, p in zip(xs, points):
        if p.value is None and p.suppressed:
            ax.annotate(p.suppressed, (x, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color="#505a5f")
    labels = [p.label for p in points]
    step = max(1, math.ceil(len(points) / 10))
    ax.set_xticks(xs[::-1][::step][::-1], [labels[i] for i in xs[::-1][::step][::-1]])
    if len(points) > 6:
        for tick in ax.get_xticklabels():
            tick.set_rotation(35)
            tick.set_horizontalalignment("right")
    if xs:
        ax.set_xlim(-0.5, len(points) - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.{max(places, 0) + 1}g}" if abs(v) < 1 else f"{v:,g}"))
    if unit_text:
        ax.set_ylabel(unit_text)
    ax.set_title("\n".join(textwrap.wrap(title if title is not None else trend.name, max(int(width_in * 10), 30))[:3]), loc="left")
    handles, names = ax.get_legend_handles_labels()
    if handles:
        order = sorted(range(len(names)), key=lambda i: (0 if names[i].startswith(trend.home_name) else
                                                         1 if names[i] == trend.england_name else 2))
        fig.legend([handles[i] for i in order], [names[i] for i in order], loc="outside lower center",
                   ncols=2, fontsize=8)
    return fig


def _in_sentence(name: str) -> str:
    """``Statistical neighbours`` -> ``statistical neighbours``; ``CIPFA neighbours`` stays."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def describe_trend(trend: _Trend) -> str:
    """The chart in words: the latest values of the trust, England and the neighbours,
    where the trust started, and the years without a value."""
    points = list(trend.points)
    if not points:
        return f"{trend.name}: no values yet for {trend.home_name} or {trend.england_name}."
    fmt = trend.format
    parts: list[str] = []
    latest = next((p for p in reversed(points) if p.value is not None), None)
    if latest is None:
        parts.append(f"{trend.home_name} has no value for {trend.name.rstrip('.')}.")
    else:
        text = f"{trend.home_name} {latest.label}: {fmt(latest.value)}"
        if latest.lower is not None and latest.upper is not None:
            text += f" (95% confidence interval {fmt(latest.lower)} to {fmt(latest.upper)})"
        text += f"; {trend.england_name} {fmt(latest.england)}" if latest.england is not None else \
            f"; no {trend.england_name} value for {latest.label}"
        if latest.neighbours_count:
            text += (f"; {_in_sentence(trend.comparator_name)} from {fmt(latest.neighbours_min)} to {fmt(latest.neighbours_max)}"
                     f" (median {fmt(latest.neighbours_median)}, {latest.neighbours_count} of "
                     f"{trend.neighbours_total} with a value)")
        parts.append(text + ".")
        first = next(p for p in points if p.value is not None)
        if first is not latest:
            england_then = f" ({trend.england_name} {fmt(first.england)})" if first.england is not None else ""
            parts.append(f"In {first.label} {trend.home_name} was {fmt(first.value)}{england_then}.")
    gaps = [f"{p.label} ({p.suppressed})" if p.suppressed else p.label for p in points if p.value is None]
    if gaps:
        parts.append(f"No value for {trend.home_name} in " + ", ".join(gaps) + ".")
    unit = f" Unit: {trend.unit_label}." if trend.unit_label and trend.unit_label not in ("%", "£") else ""
    return " ".join(parts) + unit
