"""The needs assessment: every comparison rule worked by hand (England by confidence
interval and by value, with polarity, boundaries and the reasons for no comparison;
rank and quartile among neighbours with ties and gaps; the trend rule), then the demo
document: its indicators come out better, similar and worse than England as designed,
its trends have the expected shape, and the filters, evidence and priorities find what
the demo links."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import date

import pytest

from cypdesk.model.changes import Author
from cypdesk.services.needs import (
    CI_METHOD, compare_with_england, evidence_for, export_summaries, format_value, indicator_summaries,
    indicators_for_filter, neighbour_rank, priorities_with_links, quartile_of, resolve_areas, trend, trend_direction,
)

TODAY = date(2026, 3, 15)
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")


# --- against England, with a confidence interval ---------------------------------------------

@pytest.mark.parametrize(("lower", "upper", "polarity", "rating", "direction"), [
    (55.0, 65.0, "higher_better", "better", "higher"),   # interval wholly above England (50)
    (55.0, 65.0, "lower_better", "worse", "higher"),
    (35.0, 45.0, "higher_better", "worse", "lower"),     # wholly below
    (35.0, 45.0, "lower_better", "better", "lower"),
    (45.0, 65.0, "higher_better", "similar", "similar"),  # England inside
    (50.0, 65.0, "higher_better", "similar", "similar"),  # lower limit touches England: not excluded
    (35.0, 50.0, "lower_better", "similar", "similar"),   # upper limit touches England
    (65.0, 55.0, "higher_better", "better", "higher"),    # limits given the wrong way round
])
def test_confidence_interval_excluding_england_decides(lower, upper, polarity, rating, direction):
    result = compare_with_england((lower + upper) / 2, lower, upper, 50.0, polarity)
    assert (result.rating, result.direction) == (rating, direction)
    assert result.method == CI_METHOD == "95% confidence interval"


def test_interval_boundary_is_similar_even_when_the_value_is_far_off():
    # The value 58 is 16% above England, but its interval reaches England's 50 exactly.
    assert compare_with_england(58.0, 50.0, 66.0, 50.0, "higher_better").rating == "similar"
    # A hair inside the interval's exclusion: better.
    assert compare_with_england(58.0, 50.001, 66.0, 50.0, "higher_better").rating == "better"


# --- against England, by value ----------------------------------------------------------------

@pytest.mark.parametrize(("value", "polarity", "rating"), [
    (105.0, "higher_better", "similar"),   # exactly +5%: the boundary counts as similar
    (95.0, "higher_better", "similar"),    # exactly -5%
    (105.01, "higher_better", "better"),
    (94.99, "higher_better", "worse"),
    (105.01, "lower_better", "worse"),
    (94.99, "lower_better", "better"),
    (100.0, "lower_better", "similar"),
])
def test_without_an_interval_the_tolerance_decides(value, polarity, rating):
    result = compare_with_england(value, None, None, 100.0, polarity)
    assert result.rating == rating
    assert "±5%" in result.method and "no confidence interval" in result.method


def test_tolerance_boundary_survives_floating_point():
    # 22.4 * 1.05 = 23.52 is not exact in binary; the boundary is still similar.
    assert compare_with_england(23.52, None, None, 22.4, "lower_better").rating == "similar"
    assert compare_with_england(21.28, None, None, 22.4, "lower_better").rating == "similar"


def test_one_confidence_limit_alone_falls_back_to_the_tolerance():
    result = compare_with_england(120.0, 110.0, None, 100.0, "higher_better")
    assert result.rating == "better" and "±5%" in result.method


def test_the_tolerance_can_be_set_and_is_stated():
    result = compare_with_england(108.0, None, None, 100.0, "higher_better", tolerance_pct=10)
    assert result.rating == "similar" and "±10%" in result.method


# --- no comparison -------------------------------------------------------------------------------

def test_suppressed_value_is_not_compared_and_says_why():
    result = compare_with_england(None, None, None, 50.0, "higher_better", suppressed="c")
    assert result.rating == "not_compared"
    assert result.method == "no comparison: suppressed (c)"
    assert compare_with_england(None, None, None, 50.0, "higher_better").method == "no comparison: no value"


def test_no_england_value_is_not_compared():
    result = compare_with_england(60.0, 55.0, 65.0, None, "higher_better")
    assert (result.rating, result.method) == ("not_compared", "no comparison: no England value")


def test_no_judgement_polarity_is_not_rated_but_keeps_its_direction():
    result = compare_with_england(60.0, 55.0, 65.0, 50.0, "no_judgement")
    assert result.rating == "not_compared"
    assert result.method == "no comparison: no judgement polarity"
    assert result.direction == "higher" and result.basis == CI_METHOD
    assert result.phrase == "Higher than England (no judgement)"


# --- rank and quartile among the neighbours ----------------------------------------------------------

def test_rank_with_ties_and_a_missing_neighbour():
    neighbours = [12.0, 8.0, 10.0, None, 15.0, 9.0]
    up = neighbour_rank(10.0, neighbours, "higher_better")
    # better: 12 and 15; tied: 10; the None is left out and counted.
    assert (up.rank, up.of, up.tied, up.missing) == (3, 6, 1, 1)
    assert up.quartile == 2  # ceil(4 * 3 / 6) = 2
    assert "tied with 1" in up.method and "1 of 6 neighbours have no value" in up.method
    assert up.text == "3rd= of 6 · Q2"
    down = neighbour_rank(12.0, neighbours, "lower_better")
    # lower is better: 8, 9 and 10 are ahead; 12 is tied with one neighbour.
    assert (down.rank, down.tied) == (4, 1)


def test_ties_are_judged_at_the_indicators_decimal_places():
    assert neighbour_rank(10.04, [10.01, 9.0, 8.0], "higher_better", decimals=1).rank == 1
    assert neighbour_rank(10.04, [10.01, 9.0, 8.0], "higher_better", decimals=1).tied == 1
    assert neighbour_rank(10.04, [10.06, 9.0, 8.0], "higher_better").rank == 2  # raw values: 10.06 is ahead


def test_quartiles_for_the_trust_and_six_neighbours():
    # n = 7: quartile = ceil(4 r / 7): rank 1 -> Q1, 2-3 -> Q2, 4-5 -> Q3, 6-7 -> Q4.
    neighbours = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    got = [(r.rank, r.quartile) for r in (neighbour_rank(v, neighbours, "higher_better")
                                          for v in (70.0, 55.0, 45.0, 35.0, 25.0, 15.0, 5.0))]
    assert got == [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4)]
    assert [quartile_of(r, 7) for r in range(1, 8)] == [1, 2, 2, 3, 3, 4, 4]
    # Lower is better turns the order round.
    assert neighbour_rank(5.0, neighbours, "lower_better").quartile == 1


def test_no_rank_without_values_and_no_quartile_under_four_areas():
    assert neighbour_rank(None, [1.0, 2.0], "higher_better").rank is None
    alone = neighbour_rank(5.0, [None, None], "higher_better")
    assert alone.rank is None and alone.missing == 2 and "no neighbour has a value" in alone.method
    few = neighbour_rank(5.0, [4.0, 6.0], "higher_better")
    assert (few.rank, few.of, few.quartile) == (2, 3, None)
    assert "no quartile for fewer than 4 areas" in few.method


def test_no_judgement_ranks_highest_first_and_says_so():
    result = neighbour_rank(50.0, [10.0, 60.0, 30.0], "no_judgement")
    assert result.rank == 2 and "1 = highest" in result.method


# --- the trend rule ------------------------------------------------------------------------------------

def _plain(values):
    return [(v, None, None) for v in values]


def test_trend_follows_polarity():
    rising = _plain([10, 11, 12, 13, 14])  # +4 against 5% of the mean 12 = 0.6
    assert trend_direction(rising, "higher_better").word == "improving"
    assert trend_direction(rising, "lower_better").word == "worsening"
    assert trend_direction(rising, "no_judgement").word == "increasing"
    assert trend_direction(_plain([14, 13, 12, 11, 10]), "lower_better").word == "improving"
    assert trend_direction(_plain([14, 13, 12, 11, 10]), "no_judgement").word == "decreasing"


def test_trend_small_change_is_no_clear_change():
    result = trend_direction(_plain([10, 10.1, 9.9, 10, 10.1]), "higher_better")
    assert result.word == "no clear change" and "5% of their mean" in result.method


def test_trend_against_confidence_intervals_with_the_boundary_no_clear_change():
    # Fitted change over 10, 11, 12 is exactly 2: equal to the mean half-width 2 -> no clear change.
    assert trend_direction([(10, 8, 12), (11, 9, 13), (12, 10, 14)], "higher_better").word == "no clear change"
    result = trend_direction([(10, 8.5, 11.5), (11, 9.5, 12.5), (12, 10.5, 13.5)], "higher_better")
    assert result.word == "improving" and "confidence intervals" in result.method and result.points == 3


def test_trend_needs_three_values_and_uses_the_last_five():
    assert trend_direction(_plain([10, 12]), "higher_better").word == "not enough data"
    assert trend_direction(_plain([100, None, 1, 2, 3, 4, 5]), "higher_better").word == "improving"
    assert trend_direction(_plain([100, 1, 2, 3, 4, 5]), "higher_better").points == 5


def test_values_are_written_with_unit_and_decimals():
    assert format_value(27.349, "percent", 1) == "27.3%"
    assert format_value(1334.0, "rate_100k", 0) == "1,334"
    assert format_value(0.125, "percent", 2) == "0.13%"  # half away from zero
    assert format_value(1234.5, "pounds", 0) == "£1,235"
    assert format_value(None, "percent", 1) == ""


# --- the demo ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def conn(demo_master):
    c = sqlite3.connect(f"file:{demo_master}?mode=ro", uri=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def summaries(conn):
    return {s.code: s for s in indicator_summaries(conn)}


def _id(conn, table, column, value):
    return conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]


def test_demo_has_indicators_better_similar_and_worse_than_england_as_designed(summaries):
    from cypdesk.services.demo_data import INDICATORS

    assert len(summaries) == 59
    words = {"b": "better", "s": "similar", "w": "worse"}
    for ind in INDICATORS:
        s = summaries[ind.code]
        if ind.polarity == "no_judgement":
            assert s.comparison.rating == "not_compared", ind.code
        elif ind.design is not None:
            assert s.comparison.rating == words[ind.design], (ind.code, s.comparison)
    ratings = {s.comparison.rating for s in summaries.values()}
    assert ratings == {"better", "similar", "worse", "not_compared"}
    assert summaries["REREF"].comparison.rating == "worse"
    assert summaries["REREF"].comparison.method == "95% confidence interval"
    assert summaries["OBES_R"].comparison.rating == "better"
    assert summaries["ATT8"].comparison.method.startswith("by the trust's own rule")  # a score: no interval


def test_counts_are_neither_compared_nor_ranked(summaries):
    count = summaries["CLA_NUM"]  # children in care: England's total is no benchmark for one area
    assert count.value is not None and count.england is not None
    assert count.comparison.rating == "not_compared" and "a count" in count.comparison.method
    assert count.neighbours.rank is None and "size of the area" in count.neighbours.method


def test_demo_summary_reads_the_latest_period_england_and_neighbours(conn, summaries):
    s = summaries["REREF"]
    assert (s.period, s.period_label) == ("FY2024", "2024-25")
    assert s.lower_ci < s.value < s.upper_ci
    england = conn.execute(
        "SELECT v.value FROM indicator_values v JOIN areas a ON a.id = v.area_id "
        "WHERE a.kind = 'england' AND v.indicator_id = ? AND v.period = 'FY2024'", (s.indicator_id,)).fetchone()[0]
    assert s.england == england
    assert s.neighbours.of == 7 and 1 <= s.neighbours.rank <= 7 and s.neighbours.quartile in (1, 2, 3, 4)
    assert s.value_text.endswith("%") and s.trend.word in ("improving", "worsening", "no clear change")
    assert summaries["SEN_SUPP"].trend.word in ("increasing", "decreasing", "no clear change")  # no judgement
    assert resolve_areas(conn).neighbour_ids and len(resolve_areas(conn).neighbour_ids) == 6


def test_demo_trend_has_six_years_with_england_and_the_neighbours_range(conn, summaries):
    t = trend(conn, summaries["ALCU18"].indicator_id)
    assert [p.label for p in t.points] == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    for p in t.points:
        assert p.value is not None and p.england is not None
        assert p.lower <= p.value <= p.upper
        assert p.neighbours_min <= p.neighbours_median <= p.neighbours_max
    # The demo suppressed one neighbour's figure in 2023-24 ("c": fewer than 10 admissions).
    assert [p.neighbours_count for p in t.points] == [6, 6, 6, 6, 5, 6]
    assert t.neighbours_total == 6 and t.home_name == "Riverside" and t.unit_label == "Rate per 100,000"
    assert trend(conn, "no-such-indicator") is None


def test_filters_by_outcome_group_locality_and_worse(conn, summaries):
    by_id = {s.indicator_id: s.code for s in summaries.values()}
    healthy = {by_id[i] for i in indicators_for_filter(conn, outcome_id=_id(conn, "outcomes", "code", "BH"))}
    assert {"MHADM", "SELFHARM", "OBES_Y6"} <= healthy  # linked to sub-outcomes of Be healthy
    assert "REREF" not in healthy
    looked_after = {by_id[i] for i in indicators_for_filter(conn, group_id=_id(conn, "groups", "code", "LAC"))}
    assert "CLA_RATE" in looked_after and "NEET" not in looked_after
    worse = {by_id[i] for i in indicators_for_filter(conn, worse_than_england=True, summaries=list(summaries.values()))}
    assert worse == {c for c, s in summaries.items() if s.comparison.rating == "worse"}
    both = indicators_for_filter(conn, outcome_id=_id(conn, "outcomes", "code", "BH"), worse_than_england=True)
    assert {by_id[i] for i in both} == healthy & worse
    # The small demo holds locality figures for the place indicators (services/demo_places.py).
    from cypdesk.services.demo_places import PLACE_INDICATORS

    north = _id(conn, "areas", "name", "North Riverside")
    assert {by_id[i] for i in indicators_for_filter(conn, area_id=north)} == set(PLACE_INDICATORS)


def test_locality_filter_finds_figures_for_a_ward_within_it(demo_master, tmp_path, conn, summaries):
    copy = tmp_path / "ward.cypdesk"
    shutil.copyfile(demo_master, copy)
    c = sqlite3.connect(copy)
    north = _id(c, "areas", "name", "North Riverside")
    ward = str(uuid.uuid4())
    c.execute("INSERT INTO areas (id, name, kind, parent_id, is_home, created_at, updated_at, created_hlc, hlc) "
              "SELECT ?, 'Northgate', 'ward', ?, 0, created_at, updated_at, created_hlc, hlc FROM areas WHERE id = ?",
              (ward, north, north))
    columns = [r[1] for r in c.execute("PRAGMA table_info(indicator_values)")]
    picked = ", ".join("? AS id" if n == "id" else "? AS area_id" if n == "area_id" else n for n in columns)
    c.execute(f"INSERT INTO indicator_values ({', '.join(columns)}) SELECT {picked} FROM indicator_values "
              "WHERE indicator_id = ? LIMIT 1", (str(uuid.uuid4()), ward, summaries["ATT8"].indicator_id))
    c.commit()
    assert summaries["ATT8"].indicator_id not in indicators_for_filter(conn, area_id=north)  # the demo: no locality ATT8
    assert summaries["ATT8"].indicator_id in indicators_for_filter(c, area_id=north)
    assert indicators_for_filter(c, area_id=ward) == [summaries["ATT8"].indicator_id]
    c.close()


def test_evidence_by_outcome_group_and_locality(conn):
    titles = lambda items: {e.title for e in items}  # noqa: E731
    healthy = titles(evidence_for(conn, outcome_id=_id(conn, "outcomes", "code", "BH")))
    assert "Young people's health and wellbeing survey" in healthy  # tagged BH2, within Be healthy
    bh2 = evidence_for(conn, outcome_id=_id(conn, "outcomes", "code", "BH2"))
    assert titles(bh2) == {"Young people's health and wellbeing survey",
                           "Complaints and compliments: children's services annual report"}
    survey = next(e for e in bh2 if e.title.startswith("Young people's"))
    assert {t.kind for t in survey.tags} == {"outcome", "locality"} and "West Riverside" in survey.tags_text()
    assert survey.who == "Children and young people" and survey.method == "Survey"
    lac = titles(evidence_for(conn, group_id=_id(conn, "groups", "code", "LAC")))
    assert lac == {"Youth council: what matters to young people in care"}
    west = _id(conn, "areas", "name", "West Riverside")
    both = evidence_for(conn, outcome_id=_id(conn, "outcomes", "code", "BH2"), area_id=west, match="all")
    assert titles(both) == {"Young people's health and wellbeing survey"}
    either = evidence_for(conn, group_id=_id(conn, "groups", "code", "LAC"), area_id=west)
    assert len(either) == 2
    assert len(evidence_for(conn)) == 7


def test_priorities_list_their_indicators_with_ratings_and_evidence(conn, summaries):
    found = priorities_with_links(conn, summaries=list(summaries.values()))
    assert [p.plan_reference for p in found] == ["WT1", "WT2", "WT3", "WT4", "WT5", "WT6"]
    wt1 = found[0]
    assert {i.name for i in wt1.indicators} == {summaries["MHADM"].name, summaries["SELFHARM"].name}
    assert {i.rating for i in wt1.indicators} == {"worse"}
    assert all(i.method == "95% confidence interval" for i in wt1.indicators)
    assert len(wt1.evidence) == 2 and wt1.status == "In progress"
    resting = priorities_with_links(conn, indicator_id=summaries["REREF"].indicator_id)
    assert [p.plan_reference for p in resting] == ["WT2"]
    assert priorities_with_links(conn, indicator_id=summaries["OBES_R"].indicator_id) == []


def test_summaries_are_exported_as_shown(tmp_path, summaries):
    from cypdesk.io.xlsx import read_csv

    shown = [summaries["REREF"], summaries["OBES_R"]]
    result = export_summaries(shown, tmp_path / "needs.csv", home_name="Riverside")
    assert result["rows"] == 2
    rows = list(read_csv(tmp_path / "needs.csv"))
    assert rows[0][:6] == ["Code", "Indicator", "Unit", "Polarity", "Period", "Riverside"]
    assert rows[1][0] == "REREF" and rows[1][9] == "Worse than England (95% CI)"
    assert rows[1][10] == "95% confidence interval"
    assert rows[0][-2:] == ["Lower 99.8% CI", "Upper 99.8% CI"]
    assert float(rows[1][-2]) < float(rows[1][6]) < float(rows[1][7]) < float(rows[1][-1])
