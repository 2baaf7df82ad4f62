"""The trend chart: a matplotlib figure (no pyplot, no GUI) with the trust's line and
its intervals, England and the neighbours' band, saved as vector SVG and PDF; and the
same chart in words, naming the latest values."""

from __future__ import annotations

from cypdesk.io.charts.trend import describe_trend, trend_figure
from cypdesk.services.needs import IndicatorTrend, TrendPoint


def _trend(points=None, **kw):
    if points is None:
        points = (
            TrendPoint("FY2022", "2022-23", 24.0, 22.9, 25.1, None, 21.9, 19.0, 25.0, 22.0, 6),
            TrendPoint("FY2023", "2023-24", None, None, None, "c", 22.1, 19.5, 25.5, 22.2, 5),
            TrendPoint("FY2024", "2024-25", 25.2, 24.1, 26.4, None, 22.4, 20.5, 25.5, 22.4, 6),
        )
    values = dict(indicator_id="x", name="Re-referrals to children's social care within 12 months (%)",
                  unit="percent", decimals=1, polarity="lower_better", home_name="Riverside", england_name="England",
                  comparator_name="Statistical neighbours", neighbours_total=6, points=tuple(points))
    values.update(kw)
    return IndicatorTrend(**values)


def test_figure_has_the_trust_england_and_the_neighbours_band():
    fig = trend_figure(_trend(), title="Re-referrals", unit="%", decimals=1)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Re-referrals"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022-23", "2023-24", "2024-25"]
    assert ax.get_ylabel() == "%"
    names = [t.get_text() for t in fig.legends[0].get_texts()]
    assert names[0] == "Riverside (95% confidence interval)" and names[1] == "England"
    assert "Statistical neighbours: range" in names and "Statistical neighbours: median" in names
    assert ax.collections, "the neighbours' range is a shaded band"


def test_figure_saves_as_vector_svg_and_pdf(tmp_path):
    fig = trend_figure(_trend())
    fig.savefig(tmp_path / "trend.svg")
    fig.savefig(tmp_path / "trend.pdf")
    svg = (tmp_path / "trend.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "<image" not in svg  # drawn, not a picture inside a file
    assert "2024-25" in svg  # text stays text (svg.fonttype none)
    assert (tmp_path / "trend.pdf").read_bytes().startswith(b"%PDF")


def test_description_names_the_latest_values_and_the_gaps():
    text = describe_trend(_trend())
    assert "Riverside 2024-25: 25.2% (95% confidence interval 24.1% to 26.4%)" in text
    assert "England 22.4%" in text
    assert "statistical neighbours from 20.5% to 25.5% (median 22.4%, 6 of 6 with a value)" in text
    assert "In 2022-23 Riverside was 24.0% (England 21.9%)" in text
    assert "No value for Riverside in 2023-24 (c)" in text


def test_long_series_and_missing_pieces_still_draw():
    points = [TrendPoint(f"CY{y}", str(y), 10.0 + i, None, None, None, None if i == 3 else 9.0, None, None, None, 0)
              for i, y in enumerate(range(2006, 2026))]
    t = _trend(points, unit="rate_100k")
    fig = trend_figure(t)
    labels = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert labels[-1] == "2025" and len(labels) <= 10  # thinned, the latest always shown
    text = describe_trend(t)
    assert text.startswith("Riverside 2025: 29.0; England 9.0.") and "Rate per 100,000" in text
    assert describe_trend(_trend(())).endswith("no values yet for Riverside or England.")
