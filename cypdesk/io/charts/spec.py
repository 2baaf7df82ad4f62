"""Charts as data: a paper's :class:`~cypdesk.common.paperdoc.Chart` holds what a chart
shows as JSON-able values, so a final paper's snapshot redraws it years later exactly
as the board saw it. :func:`figure_for` redraws one with the chart functions of this
package; the ``*_chart`` functions make a Chart from the same arguments those
functions take, with its description (the alt text) from their ``describe_*`` twins.

Kinds and their data:

- ``trend``: an indicator's trend against England and neighbours (``trend.trend_figure``):
  the trend's fields (``name``, ``unit_label``, ``decimals``, ``home_name``,
  ``england_name``, ``comparator_name``, ``neighbours_total``) and ``points``, each a
  dict of the point's fields; ``title`` optional.
- ``sparkline``: ``values``, ``ratings``, ``labels``, ``target``, ``unit``
  (``ratings.sparkline_figure``).
- ``rag_table``: ``rows`` of ``[label, rating key, note]`` and ``title``
  (``ratings.rag_table_figure``).
- ``spend_bars``: ``categories``, ``values``, ``title``, ``money`` (``bars.spend_bars``).
- ``budget_vs_outturn``: ``quarters`` of ``[label, budget, outturn, note]`` and
  ``title`` (``bars.budget_vs_outturn``).

No Qt; matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cypdesk.common.paperdoc import Chart

__all__ = ["CHART_KINDS", "TREND_POINT_FIELDS", "budget_chart", "figure_for", "rag_chart", "spend_chart",
           "sparkline_chart", "trend_chart", "trend_data"]

CHART_KINDS = ("trend", "sparkline", "rag_table", "spend_bars", "budget_vs_outturn")
TREND_FIELDS = ("name", "unit_label", "decimals", "home_name", "england_name", "comparator_name", "neighbours_total")
TREND_POINT_FIELDS = ("label", "value", "lower", "upper", "suppressed", "england", "neighbours_min",
                      "neighbours_max", "neighbours_median", "neighbours_count")


@dataclass(frozen=True)
class _Point:
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


@dataclass(frozen=True)
class _Trend:
    """A trend read back from a chart's data: what :func:`trend.trend_figure` draws."""

    name: str
    unit_label: str
    decimals: int
    home_name: str
    england_name: str
    comparator_name: str
    neighbours_total: int
    points: tuple[_Point, ...]


def trend_data(trend: Any, *, title: str | None = None) -> dict[str, Any]:
    """The data of a ``trend`` chart from an indicator's trend (services.needs.trend)."""
    data: dict[str, Any] = {name: getattr(trend, name) for name in TREND_FIELDS}
    data["points"] = [{name: getattr(p, name) for name in TREND_POINT_FIELDS} for p in trend.points]
    if title is not None:
        data["title"] = title
    return data


def _trend_from(data: dict[str, Any]) -> _Trend:
    points = tuple(_Point(**{name: p.get(name) for name in TREND_POINT_FIELDS}) for p in data.get("points", ()))
    return _Trend(data["name"], data.get("unit_label") or "", int(data.get("decimals", 1)), data["home_name"],
                  data["england_name"], data["comparator_name"], int(data.get("neighbours_total", 0)), points)


def trend_chart(trend: Any, description: str, *, title: str | None = None, owners: Sequence[str] = (),
                confidential: bool = False) -> Chart:
    """A ``trend`` chart of an indicator's trend; ``description`` is
    ``trend.describe_trend(trend)`` (it formats values by the indicator's unit, which
    the services layer knows)."""
    return Chart("trend", title or trend.name, description, trend_data(trend, title=title), tuple(owners),
                 confidential)


def sparkline_chart(title: str, values: Sequence[float | None], ratings: Sequence[str | None], *,
                    labels: Sequence[str] | None = None, target: float | None = None, unit: str | None = None,
                    owners: Sequence[str] = (), confidential: bool = False) -> Chart:
    from cypdesk.io.charts.ratings import describe_sparkline

    data = {"values": list(values), "ratings": list(ratings), "labels": list(labels or []), "target": target,
            "unit": unit}
    text = describe_sparkline(values, ratings, labels=labels, target=target, unit=unit)
    return Chart("sparkline", title, f"{title}: {text}", data, tuple(owners), confidential)


def rag_chart(title: str, rows: Sequence[Sequence[Any]], *, owners: Sequence[str] = (),
              confidential: bool = False) -> Chart:
    from cypdesk.io.charts.ratings import describe_rag_table

    data = {"rows": [[str(r[0]), r[1], str(r[2]) if len(r) > 2 and r[2] else ""] for r in rows], "title": title}
    return Chart("rag_table", title, f"{title}: {describe_rag_table(rows)}", data, tuple(owners), confidential)


def spend_chart(title: str, categories: Sequence[str], values: Sequence[float | None], *, money: bool = True,
                owners: Sequence[str] = (), confidential: bool = False) -> Chart:
    from cypdesk.io.charts.bars import describe_spend_bars

    data = {"categories": list(categories), "values": list(values), "title": title, "money": money}
    return Chart("spend_bars", title, describe_spend_bars(categories, values, title=title, money=money), data,
                 tuple(owners), confidential)


def budget_chart(title: str, quarters: Sequence[Sequence[Any]], *, owners: Sequence[str] = (),
                 confidential: bool = False) -> Chart:
    from cypdesk.io.charts.bars import describe_budget_vs_outturn

    rows = [[q[0], q[1], q[2], q[3] if len(q) > 3 else None] for q in quarters]
    return Chart("budget_vs_outturn", title, describe_budget_vs_outturn(rows, title=title),
                 {"quarters": rows, "title": title}, tuple(owners), confidential)


def figure_for(chart: Chart, *, width_in: float | None = None) -> Any:
    """The matplotlib Figure of ``chart``, redrawn from its data (no pyplot, no Qt)."""
    data = chart.data
    if chart.kind == "trend":
        from cypdesk.io.charts.trend import trend_figure

        kw = {"width_in": width_in} if width_in else {}
        return trend_figure(_trend_from(data), title=data.get("title") or chart.title, **kw)
    if chart.kind == "sparkline":
        from cypdesk.io.charts.ratings import sparkline_figure

        kw = {"width_in": width_in} if width_in else {}
        return sparkline_figure(data["values"], data["ratings"], labels=data.get("labels") or None,
                                target=data.get("target"), unit=data.get("unit"), **kw)
    if chart.kind == "rag_table":
        from cypdesk.io.charts.ratings import rag_table_figure

        kw = {"width_in": width_in} if width_in else {}
        return rag_table_figure([tuple(r) for r in data["rows"]], title=data.get("title"), **kw)
    if chart.kind == "spend_bars":
        from cypdesk.io.charts.bars import spend_bars

        return spend_bars(data["categories"], data["values"], title=data.get("title", chart.title),
                          money=bool(data.get("money", True)))
    if chart.kind == "budget_vs_outturn":
        from cypdesk.io.charts.bars import budget_vs_outturn

        return budget_vs_outturn([tuple(q) for q in data["quarters"]], title=data.get("title", chart.title))
    raise ValueError(f"a chart of kind {chart.kind!r} cannot be drawn (one of {', '.join(CHART_KINDS)})")
