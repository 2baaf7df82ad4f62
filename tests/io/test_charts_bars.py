"""Bar charts: figures made in the house style and saved as SVG, missing figures drawn
as the word "missing" (never a zero bar), and the descriptions in words."""

from __future__ import annotations

from cypdesk.io.charts.bars import (
    budget_vs_outturn, describe_budget_vs_outturn, describe_spend_bars, spend_bars,
)

QUARTERS = [("Q1", 5_895_000, 6_022_300), ("Q2", None, None), ("Q3", 5_895_000, 5_800_000),
            ("Q4", None, None, "not due yet")]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _bars(fig):
    return [p for ax in fig.axes for p in ax.patches]


def test_spend_bars_draw_one_bar_per_figure_and_the_word_missing(tmp_path):
    fig = spend_bars(["Council", "ICB", "Police"], [2_278_000, 3_617_000, None], title="Cash contributions 2025-26")
    assert len(_bars(fig)) == 2  # no bar for the police: no zero bar
    texts = _texts(fig)
    assert "£2.3m" in texts and "£3.6m" in texts
    assert any(t.strip() == "missing" for t in texts)
    path = tmp_path / "spend.svg"
    fig.savefig(path, format="svg")
    svg = path.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "missing" in svg and "Council" in svg


def test_spend_bars_without_money():
    fig = spend_bars(["A", "B"], [3, 4.5], title="Places", money=False)
    assert "4.5" in _texts(fig) and "3" in _texts(fig)


def test_describe_spend_bars():
    text = describe_spend_bars(["Council", "Police"], [2_278_000, None], title="Cash contributions")
    assert text == "Cash contributions: Council £2,278,000; Police missing (no figure)."
    assert describe_spend_bars([], [], title="Nothing") == "Nothing: nothing to show."


def test_budget_vs_outturn_leaves_missing_quarters_without_bars(tmp_path):
    fig = budget_vs_outturn(QUARTERS)
    assert len(_bars(fig)) == 4  # budget and outturn for Q1 and Q3 only
    texts = _texts(fig)
    assert "missing" in texts and "not due yet" in texts
    assert "£127k over" in texts and "£95k under" in texts
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Q1", "Q2", "Q3", "Q4"]
    path = tmp_path / "quarters.svg"
    fig.savefig(path, format="svg")
    assert "missing" in path.read_text(encoding="utf-8")


def test_budget_vs_outturn_with_no_return_at_all():
    fig = budget_vs_outturn([("Q1", None, None)] * 1)
    assert _bars(fig) == [] and "missing" in _texts(fig)


def test_describe_budget_vs_outturn_says_missing():
    text = describe_budget_vs_outturn(QUARTERS, title="Budget and forecast outturn, 2025-26")
    assert text == ("Budget and forecast outturn, 2025-26. Q1: budget £5,895,000, forecast outturn £6,022,300, "
                    "£127,300 overspend; Q2: missing (no return); Q3: budget £5,895,000, forecast outturn "
                    "£5,800,000, £95,000 underspend; Q4: not due yet.")
    assert "on budget" in describe_budget_vs_outturn([("Q1", 10, 10)])
