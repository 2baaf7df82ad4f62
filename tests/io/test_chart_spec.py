"""A paper's charts are data: each kind is redrawn from its JSON (as a final paper's
snapshot holds it) with the chart functions, and says the same in words."""

from __future__ import annotations

import pytest

from cypdesk.common.paperdoc import Chart, PaperDoc
from cypdesk.io.charts.bars import budget_vs_outturn, describe_budget_vs_outturn
from cypdesk.io.charts.ratings import describe_rag_table, describe_sparkline
from cypdesk.io.charts.spec import (
    budget_chart, figure_for, rag_chart, sparkline_chart, spend_chart, trend_chart,
)
from cypdesk.io.charts.trend import describe_trend, trend_figure
from cypdesk.services.needs import IndicatorTrend, TrendPoint


def _trend():
    points = (TrendPoint("FY2022", "2022-23", 24.0, 22.9, 25.1, None, 21.9, 19.0, 25.0, 22.0, 6),
              TrendPoint("FY2023", "2023-24", None, None, None, "c", 22.1, 19.5, 25.5, 22.2, 5))
    return IndicatorTrend("x", "Re-referrals (%)", "percent", 1, "lower_better", "Riverside", "England",
                          "Statistical neighbours", 6, points)


def _through_json(chart: Chart) -> Chart:
    doc = PaperDoc("p", 1, "final", "t", "b", None, None, None, None, "OFFICIAL", [], False, None, [], [], [],
                   None, None, None)
    from cypdesk.common.paperdoc import Appendix

    doc.appendices.append(Appendix("A", "a", "performance", {}, [chart]))
    return PaperDoc.from_json(doc.to_json()).appendices[0].items[0]


def _texts(fig):
    out = [t.get_text() for ax in fig.axes for t in ax.texts]
    out += [ax.get_title(loc="left") for ax in fig.axes]
    out += [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]
    for ax in fig.axes:
        for table in ax.tables:
            out += [c.get_text().get_text() for c in table.get_celld().values()]
    return out


def test_a_trend_chart_redraws_from_json_as_the_trend_figure_draws_it(tmp_path):
    trend = _trend()
    chart = _through_json(trend_chart(trend, describe_trend(trend), title="Re-referrals"))
    fig = figure_for(chart)
    direct = trend_figure(trend, title="Re-referrals")
    assert _texts(fig) == _texts(direct)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [t.get_text() for t in direct.legends[0].get_texts()]
    assert chart.description == describe_trend(trend)
    fig.savefig(tmp_path / "t.pdf")
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_a_sparkline_redraws_from_json_with_its_latest_word():
    chart = _through_json(sparkline_chart("Visits", [80, None, 78.2], ["green", "not_rated", "red"],
                                          labels=["Q1", "Q2", "Q3"], target=92, unit="%"))
    fig = figure_for(chart)
    assert any("Red" in t for t in _texts(fig))
    assert chart.description == "Visits: " + describe_sparkline([80, None, 78.2], ["green", "not_rated", "red"],
                                                                 labels=["Q1", "Q2", "Q3"], target=92, unit="%")


def test_a_rag_table_redraws_every_row_and_word():
    rows = [("Early help", "green"), ("CAMHS", "red", "Waits up")]
    chart = _through_json(rag_chart("Services", rows))
    texts = _texts(figure_for(chart))
    assert {"Early help", "CAMHS", "Green", "Red", "Waits up"} <= set(texts)
    assert chart.description == "Services: " + describe_rag_table(rows)


def test_spend_and_budget_bars_redraw_with_missing_quarters_as_words():
    chart = _through_json(budget_chart("Pool", [("Q1", 100.0, 120.0), ("Q2", None, None, "not due yet")]))
    fig = figure_for(chart)
    assert "not due yet" in _texts(fig)
    assert _texts(fig) == _texts(budget_vs_outturn([("Q1", 100.0, 120.0), ("Q2", None, None, "not due yet")],
                                                   title="Pool"))
    assert chart.description == describe_budget_vs_outturn([("Q1", 100.0, 120.0), ("Q2", None, None, "not due yet")],
                                                           title="Pool")
    bars = _through_json(spend_chart("By tier", ["Universal", "Targeted"], [1000.0, None]))
    assert "Universal" in _texts(figure_for(bars)) or any("Universal" == t.get_text()
                                                         for t in figure_for(bars).axes[0].get_yticklabels())


def test_an_unknown_chart_kind_is_refused_in_words():
    with pytest.raises(ValueError, match="kind 'pie' cannot be drawn"):
        figure_for(Chart("pie", "t", "d", {}))
