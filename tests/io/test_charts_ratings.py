"""Rating charts: the figures are made without pyplot, save as SVG with their text kept
as text, and always carry the rating's word beside its colour."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from cypdesk.io.charts.ratings import (  # noqa: E402
    describe_rag_table, describe_sparkline, rag_table_figure, rating_colour, rating_word, sparkline_figure,
)
from cypdesk.io.charts.style import RATING_COLOURS, save_vector  # noqa: E402

LABELS = ["2024-25 Q4", "2025-26 Q1", "2025-26 Q2", "2025-26 Q3"]


def _svg(fig, tmp_path, name="chart.svg") -> str:
    path = tmp_path / name
    save_vector(fig, str(path))
    return path.read_text(encoding="utf-8")


def test_sparkline_prints_the_latest_rating_word(tmp_path):
    fig = sparkline_figure([83.5, 82.0, 80.6, 78.2], ["red", "red", "red", "red"], labels=LABELS, target=92, unit="%")
    assert fig.axes
    svg = _svg(fig, tmp_path)
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "78.2%  Red" in svg  # the value and the word, as text
    assert "Target 92%" in svg and "2025-26 Q3" in svg


def test_sparkline_on_the_trajectory_scale_and_with_a_gap(tmp_path):
    fig = sparkline_figure([88.0, None, 90.5, 91.0], ["on_course", "not_assessed", "on_course", "on_course"],
                           labels=LABELS, target=90)
    assert "On course" in _svg(fig, tmp_path)


def test_sparkline_without_an_actual_in_the_latest_period(tmp_path):
    fig = sparkline_figure([88.0, 89.0, None], ["amber", "amber", "not_rated"], labels=LABELS[:3], target=90)
    assert "Not rated" in _svg(fig, tmp_path)


def test_sparkline_with_nothing_to_draw(tmp_path):
    svg = _svg(sparkline_figure([], []), tmp_path)
    assert "No actuals yet" in svg and "Not rated" in svg


def test_describe_sparkline():
    text = describe_sparkline([83.5, None, 80.6, 78.2], ["red"] * 4, labels=LABELS, target=92, unit="%")
    assert text == ("4 periods, 2024-25 Q4 to 2025-26 Q3: from 83.5% to 78.2% (falling). Target 92%. "
                    "Latest (2025-26 Q3): 78.2%, Red. 1 period has no actual.")
    assert describe_sparkline([], [], target=5) == "No actuals recorded yet. Target 5."
    assert describe_sparkline([1.0, 2.0, None], ["green", "green", "not_rated"]).endswith(
        "Latest period: no actual, Not rated. 1 period has no actual.")


def test_rag_table_prints_every_word(tmp_path):
    rows = [("Specialist CAMHS", "red", "Worst of 2 measures"), ("Health visiting", "amber"),
            ("School nursing", "green", None), ("Referrals", "not_rated", "")]
    fig = rag_table_figure(rows, title="Service performance")
    svg = _svg(fig, tmp_path)
    for word in ("Red", "Amber", "Green", "Not rated", "Specialist CAMHS", "Worst of 2 measures",
                 "Service performance", "Rating"):
        assert word in svg, word
    assert describe_rag_table(rows) == "4 rows: 1 red, 1 amber, 1 green, 1 not rated."


def test_rag_table_on_the_trajectory_scale(tmp_path):
    rows = [("A", "ahead"), ("B", "on_course"), ("C", "slippage"), ("D", "no_progress"), ("E", "not_assessed")]
    svg = _svg(rag_table_figure(rows), tmp_path)
    for word in ("Ahead", "On course", "Slippage", "No progress", "Not assessed"):
        assert word in svg
    assert describe_rag_table(rows) == "5 rows: 1 no progress, 1 slippage, 1 on course, 1 ahead, 1 not assessed."


def test_empty_table_and_unknown_keys(tmp_path):
    assert "Nothing to rate" in _svg(rag_table_figure([]), tmp_path)
    assert describe_rag_table([]) == "Nothing to rate."
    assert rating_word("green") == "Green" and rating_word(None) == "Not rated"
    assert rating_word("odd_key") == "Odd key"
    assert rating_colour("red") == RATING_COLOURS["red"] and rating_colour("odd_key") == "#b1b4b6"


def test_pdf_saves(tmp_path):
    path = tmp_path / "table.pdf"
    save_vector(rag_table_figure([("A", "green")]), str(path))
    assert path.read_bytes().startswith(b"%PDF")
