"""Each kind of appendix shows the figures the tab's own analysis computes for the same
demo data (one computation, two views), filtered by its options."""

from __future__ import annotations

import pytest

from cypdesk.common.errors import ValidationError
from cypdesk.common.formats import money, percent
from cypdesk.common.paperdoc import Cell, Chart, Column, Row, Table, Text
from cypdesk.services import budgets, monitoring
from cypdesk.services.needs import indicator_summaries, indicators_for_filter
from cypdesk.services.papers.appendices import (
    APPENDIX_KINDS_OPTIONS, build_appendix, option_choices, read_options, suppress_table,
)
from cypdesk.services.service_map import outcome_map

from .conftest import TODAY, id_of


def build(conn, kind, threshold=None, **options):
    return build_appendix(conn, {"letter": "B", "kind": kind, "title": None, "options": options}, today=TODAY,
                          threshold=threshold)


def tables(appendix):
    return [i for i in appendix.items if isinstance(i, Table)]


def charts(appendix, kind=None):
    return [i for i in appendix.items if isinstance(i, Chart) and (kind is None or i.kind == kind)]


def column(table, key):
    i = table.column_index(key)
    return [r.cells[i] for r in table.rows if not r.total]


# --- action plan -----------------------------------------------------------------------------

def test_the_action_plan_appendix_lists_the_tabs_actions_as_seed_004_does(conn):
    appendix = build(conn, "action_plan")
    plan = monitoring.action_plan(conn, TODAY)
    (table,) = tables(appendix)
    assert [c.label for c in table.columns] == ["No.", "Action", "Plan section", "Progress", "Status",
                                                "Report to board"]
    assert [c.text for c in column(table, "number")] == [a.number for a in plan]
    assert [c.text for c in column(table, "action")] == [a.action for a in plan]
    assert [c.text for c in column(table, "progress")] == [a.progress or "" for a in plan]
    overdue = [a for a in plan if a.overdue]
    assert overdue, "the demo has overdue actions"
    for a, cell in zip(plan, column(table, "status")):
        assert cell.text.startswith(a.status_words)
        assert ("overdue since" in cell.text) is a.overdue
    assert table.wide and appendix.wide
    assert appendix.letter == "B" and appendix.title == "Action plan progress"


def test_the_action_plan_options_keep_overdue_or_one_prioritys_or_one_statuss_actions(conn):
    (table,) = tables(build(conn, "action_plan", overdue_only=True))
    assert [c.text for c in column(table, "number")] == [a.number for a in monitoring.action_plan(conn, TODAY)
                                                          if a.overdue]
    wt5 = id_of(conn, "priorities", "plan_reference = 'WT5'")
    (table,) = tables(build(conn, "action_plan", priority_id=wt5))
    ids = {r[0] for r in conn.execute("SELECT number FROM actions WHERE priority_id = ?", (wt5,))}
    assert {c.text for c in column(table, "number")} == ids and len(ids) == 7
    (table,) = tables(build(conn, "action_plan", status="done"))
    assert {c.value for c in column(table, "status")} == {"done"}


# --- pooled budgets ------------------------------------------------------------------------------

def test_pooled_budget_figures_are_the_budget_tabs_for_the_agreement_and_year(conn):
    s75 = id_of(conn, "agreements", "type = 'pooled'")
    appendix = build(conn, "pooled_budgets", agreement_id=s75, year=2025)
    contributions, returns, shares = tables(appendix)
    year = next(y for y in budgets.contributions_table(conn, s75).years if y.financial_year == 2025)
    assert [c.text for c in column(contributions, "cash")] == [money(r.cash) for r in year.rows]
    assert [c.text for c in column(contributions, "share")] == [percent(r.share_pct, 1) for r in year.rows]
    total = contributions.rows[-1]
    assert total.total and total.cells[contributions.column_index("cash")].text == money(year.cash)
    quarters = budgets.quarterly_returns(conn, s75, 2025, today=TODAY)
    for q, cell in zip(quarters.quarters, column(returns, "variance")):
        assert cell.text == ("" if q.variance is None else money(q.variance))
    split = budgets.variance_shares(conn, s75, 2025, quarters.latest.quarter, today=TODAY)
    assert [c.value for c in column(shares, "amount")] == [s.amount for s in split.shares]
    assert round(sum(c.value for c in column(shares, "amount")), 2) == split.variance
    (chart,) = charts(appendix, "budget_vs_outturn")
    assert [q[2] for q in chart.data["quarters"]] == [q.forecast_outturn for q in quarters.quarters]
    assert "Partner" in [c.label for c in shares.columns] and appendix.wide


def test_without_an_agreement_every_running_agreement_is_shown(conn):
    appendix = build(conn, "pooled_budgets")
    titles = [t.title for t in tables(appendix)]
    for (title,) in conn.execute("SELECT title FROM agreements"):
        assert any(t.startswith(title) for t in titles)


# --- performance ---------------------------------------------------------------------------------

def test_performance_ratings_are_the_monitoring_tabs_with_a_sparkline_each(conn):
    appendix = build(conn, "performance")
    measures = monitoring.measure_ratings(conn)
    table = tables(appendix)[0]
    assert [c.text for c in column(table, "measure")] == [m.name for m in measures]
    assert [c.rating for c in column(table, "rating")] == [m.rating.value for m in measures]
    assert [c.text for c in column(table, "rating")] == [m.rating.word for m in measures]
    assert len(charts(appendix, "sparkline")) == sum(1 for m in measures if m.history)
    (rag,) = charts(appendix, "rag_table")
    ratings = monitoring.service_ratings(conn)
    assert sorted(r[1] for r in rag.data["rows"]) == sorted(r.rating.value for r in ratings.values())


def test_performance_exceptions_only_keeps_red_amber_and_red_twice(conn):
    table = tables(build(conn, "performance", exceptions_only=True))[0]
    twice = {mid for r in monitoring.red_two_periods(conn) for mid, _n, _p in r.measures}
    expected = [m.name for m in monitoring.measure_ratings(conn) if m.rating.value in ("red", "amber") or m.id in twice]
    assert expected and [c.text for c in column(table, "measure")] == expected


def test_a_measure_counting_children_prints_a_small_actual_as_c_and_leaves_it_off_its_sparkline(wconn):
    wconn.execute("UPDATE measures SET unit = 'children' WHERE name = "
                  "'Children and young people receiving a short break'")
    mid = id_of(wconn, "measures", "name = 'Children and young people receiving a short break'")
    latest = wconn.execute("SELECT id FROM measurements WHERE measure_id = ? ORDER BY period_start DESC LIMIT 1",
                           (mid,)).fetchone()[0]
    wconn.execute("UPDATE measurements SET actual = 3 WHERE id = ?", (latest,))
    wconn.commit()
    appendix = build(wconn, "performance", service_id=wconn.execute(
        "SELECT service_id FROM measures WHERE id = ?", (mid,)).fetchone()[0])
    table = tables(appendix)[0]
    row = next(r for r in table.rows if r.cells[0].text.startswith("Children and young people receiving"))
    actual = row.cells[table.column_index("actual")]
    assert actual.text == "c" and actual.suppressed and actual.value is None
    spark = next(c for c in charts(appendix, "sparkline") if c.title.startswith("Children and young people"))
    assert spark.data["values"][-1] is None and 3 not in spark.data["values"]
    assert spark.description.endswith("Counts below 5 are not shown.")


# --- needs profile -----------------------------------------------------------------------------------

def test_a_needs_profile_for_an_outcome_shows_its_indicators_against_england(conn):
    healthy = id_of(conn, "outcomes", "code = 'BH'")
    appendix = build(conn, "needs_profile", outcome_id=healthy)
    wanted = set(indicators_for_filter(conn, outcome_id=healthy))
    summaries = [s for s in indicator_summaries(conn) if s.indicator_id in wanted]
    table = tables(appendix)[0]
    assert summaries and [c.text for c in column(table, "indicator")] == [s.name for s in summaries]
    assert [c.text for c in column(table, "england")] == [s.england_text for s in summaries]
    assert [c.text for c in column(table, "comparison")] == [s.comparison.phrase for s in summaries]
    trends = charts(appendix, "trend")
    assert len(trends) == len(summaries)
    assert all("England" in c.description for c in trends)


def test_a_needs_profiles_counts_below_the_threshold_print_c(conn):
    table = tables(build(conn, "needs_profile", threshold=50))[0]
    counts = column(table, "count")
    assert table.columns[table.column_index("count")].counts
    assert any(c.suppressed for c in counts)
    for c in counts:
        assert c.suppressed or c.value is None or c.value == 0 or c.value >= 50
        if c.suppressed:
            assert c.text == "c" and c.value is None


# --- service map, contracts ending, risks ---------------------------------------------------------------

def test_the_service_map_appendix_shows_the_maps_money_for_each_outcome(conn):
    found = outcome_map(conn, today=TODAY)
    table = tables(build(conn, "service_map"))[0]
    assert [c.value for c in column(table, "money")] == [o.money for o in found.outcomes]
    assert [c.text for c in column(table, "money")] == [money(o.money) for o in found.outcomes]
    wt1 = id_of(conn, "priorities", "plan_reference = 'WT1'")
    narrow = tables(build(conn, "service_map", priority_id=wt1))[0]
    assert 0 < len(narrow.rows) < len(table.rows)


def test_contracts_ending_are_the_monitoring_tabs_within_the_days_chosen(conn):
    soon, expired = monitoring.contracts_ending(conn, TODAY)
    appendix = build(conn, "contracts_ending", within_days=90)
    first = tables(appendix)[0]
    assert [c.value for c in column(first, "end_date")] == [c.end_date for c in soon if c.days_left <= 90]
    assert first.columns[first.column_index("annual_value")].confidential
    assert all(r.owners for r in first.rows)
    assert len(tables(appendix)) == (2 if expired else 1)


def test_the_risk_register_from_a_lowest_score(conn):
    register = monitoring.risk_register(conn)
    table = tables(build(conn, "risks", minimum_score=15))[0]
    assert [c.value for c in column(table, "score")] == [r.score for r in register if r.score >= 15]
    assert [c.text for c in column(table, "trend")] == [r.trend_words for r in register if r.score >= 15]


# --- options ---------------------------------------------------------------------------------------------

def test_every_kind_of_appendix_builds_from_the_demo_and_survives_json(conn):
    from cypdesk.common.paperdoc import Appendix

    for kind in APPENDIX_KINDS_OPTIONS:
        appendix = build(conn, kind)
        assert appendix.items, kind
        assert Appendix.from_dict(appendix.to_dict()) == appendix


@pytest.mark.parametrize("kind, options, words", [
    ("risks", {"minimum_score": "high"}, "Lowest score is a whole number"),
    ("risks", {"minimum_score": 30}, "from 1 to 25, not 30"),
    ("action_plan", {"status": "late"}, "Status is one of Not started"),
])
def test_options_that_do_not_fit_are_refused_in_plain_words(kind, options, words):
    with pytest.raises(ValidationError, match=words):
        read_options(kind, options)


def test_stored_options_that_are_not_json_are_refused_and_defaults_fill_the_rest():
    with pytest.raises(ValidationError, match="not readable"):
        read_options("risks", "{broken")
    assert read_options("contracts_ending", None)["within_days"] == 180
    assert read_options("needs_profile", '{"area": "West Riverside"}')["area"] == "West Riverside"


def test_option_choices_offer_the_documents_records_and_years(conn):
    agreements = option_choices(conn, "pooled_budgets", "agreement_id")
    assert {label for _id, label in agreements} == {r[0] for r in conn.execute("SELECT title FROM agreements")}
    assert (2025, "2025-26") in option_choices(conn, "pooled_budgets", "year")
    assert option_choices(conn, "action_plan", "status")[0] == ("not_started", "Not started")
    assert any(label.startswith("WT5: ") for _v, label in option_choices(conn, "performance", "priority_id"))
    with pytest.raises(ValidationError, match="has no option 'colour'"):
        option_choices(conn, "risks", "colour")


def test_a_locality_needs_profile_is_that_localitys_own_values(conn):
    appendix = build(conn, "needs_profile", area="West Riverside")
    assert tables(appendix)[0].title == "Needs profile: West Riverside"


# --- suppression of a table ------------------------------------------------------------------------------

def test_a_counts_column_with_a_total_row_hides_small_counts_and_a_partner():
    """Children seen by locality: 3 is small; with the total printed, the next smallest
    (12) is hidden too so 3 cannot be worked out as 40 - 25 - 12."""
    cols = [Column("place", "Locality"), Column("children", "Children", "integer", counts=True)]
    rows = [Row([Cell("North"), Cell("3", 3)]), Row([Cell("South"), Cell("25", 25)]),
            Row([Cell("East"), Cell("12", 12)]), Row([Cell("West"), Cell("0", 0)]),
            Row([Cell("Total"), Cell("40", 40)], total=True)]
    table = suppress_table(Table("Seen", cols, rows), 5)
    assert [r.cells[1].text for r in table.rows] == ["c", "25", "c", "0", "40"]
    assert table.rows[0].cells[1].value is None


def test_an_unknown_kind_of_appendix_says_so_instead_of_failing(conn):
    appendix = build_appendix(conn, {"letter": "A", "kind": "weather", "title": "Weather", "options": None},
                              today=TODAY)
    assert isinstance(appendix.items[0], Text) and "does not know" in appendix.items[0].blocks[0].text


def test_a_service_map_for_a_locality_lists_the_services_working_there(conn):
    west = id_of(conn, "areas", "name = 'West Riverside'")
    inside = {r[0] for r in conn.execute(
        "SELECT s.name FROM services s JOIN service_areas sa ON sa.service_id = s.id JOIN areas a ON a.id = sa.area_id "
        "WHERE (a.id = ? OR a.parent_id = ?) AND (s.status IS NULL OR s.status != 'decommissioned')", (west, west))}
    table = tables(build(conn, "service_map", area="West Riverside"))[1]
    assert table.title == "Services working in West Riverside"
    assert {c.text for c in column(table, "service")} == inside


def test_appendices_and_their_choices_read_through_a_workspace_as_through_sqlite3(ws, conn):
    """The window and finalise hold a workspace or a session, not a sqlite3 connection."""
    assert option_choices(ws, "pooled_budgets", "agreement_id") == option_choices(conn, "pooled_budgets",
                                                                                  "agreement_id")
    assert build(ws, "risks") == build(conn, "risks")
