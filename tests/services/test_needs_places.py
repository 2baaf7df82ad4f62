"""Needs by place and the confidence level of the comparison: the 95% / 99.8% choice
and its wording, the trust's own rule without an interval, suppression markers (':'
included); headline values (persons, all ages, no category) never mixed with
breakdowns; a locality's own figures beside the trust's and England's, never the
trust's in their stead; and the localities and wards side by side for an indicator.
Hand-made values go in through services/records on a copy of the demo."""

from __future__ import annotations

import sqlite3

import pytest

from cypdesk.services import records
from cypdesk.services.demo_places import LEAN, PLACE_INDICATORS
from cypdesk.services.needs import compare_with_england, indicator_summaries
from cypdesk.services.needs_places import place_summaries, places_side_by_side


# --- the confidence level -------------------------------------------------------------------------------

def test_the_998_interval_is_used_when_chosen_and_named_in_the_result():
    # 95% interval 52-58 excludes England's 50; the 99.8% one, 49-61, does not.
    at_95 = compare_with_england(55.0, 52.0, 58.0, 50.0, "higher_better", lower_998=49.0, upper_998=61.0)
    assert (at_95.rating, at_95.level, at_95.method) == ("better", "95", "95% confidence interval")
    assert at_95.phrase_with_level == "Better than England (95% CI)"
    at_998 = compare_with_england(55.0, 52.0, 58.0, 50.0, "higher_better", lower_998=49.0, upper_998=61.0,
                                  level="99.8")
    assert (at_998.rating, at_998.level, at_998.method) == ("similar", "99.8", "99.8% confidence interval")
    assert at_998.phrase_with_level == "Similar to England (99.8% CI)"
    higher = compare_with_england(70.0, 65.0, 75.0, 50.0, "no_judgement", lower_998=62.0, upper_998=78.0,
                                  level="99.8")
    assert higher.phrase_with_level == "Higher than England (no judgement) (99.8% CI)"


def test_998_chosen_but_the_value_has_only_a_95_interval_falls_back_and_says_so():
    result = compare_with_england(55.0, 52.0, 58.0, 50.0, "higher_better", level="99.8")
    assert (result.rating, result.level) == ("better", "95")
    assert result.method == "95% confidence interval (this value has no 99.8% interval)"
    with pytest.raises(ValueError, match="level"):
        compare_with_england(55.0, 52.0, 58.0, 50.0, "higher_better", level="90")


def test_without_an_interval_the_comparison_is_labelled_the_trusts_own_rule_not_fingertips():
    for level in ("95", "99.8"):
        result = compare_with_england(108.0, None, None, 100.0, "higher_better", level=level)
        assert result.rating == "better" and result.level is None
        assert result.method.startswith("by the trust's own rule: similar if within ±5% of England")
        assert "not a Fingertips method" in result.method
        assert result.phrase_with_level == "Better than England (trust's rule)"


def test_suppressed_values_are_not_compared_with_the_marker_named_colon_included():
    for marker in ("c", "x", "..", "*", "-", "z", ":"):
        result = compare_with_england(None, None, None, 50.0, "higher_better", suppressed=marker)
        assert (result.rating, result.method) == ("not_compared", f"no comparison: suppressed ({marker})")
        assert result.phrase_with_level == "Not compared with England"
    # A marker wins even if a figure came with it; England's own marker is named too.
    assert compare_with_england(3.0, None, None, 50.0, "higher_better", suppressed=":").rating == "not_compared"
    england_gone = compare_with_england(60.0, 55.0, 65.0, None, "higher_better", benchmark_suppressed=":")
    assert england_gone.method == "no comparison: England's value is suppressed (:)"


def test_a_locality_is_compared_with_the_trust_in_the_same_words():
    result = compare_with_england(30.0, 27.0, 33.0, 22.0, "lower_better", against="Riverside")
    assert result.phrase_with_level == "Worse than Riverside (95% CI)"


# --- the demo and hand-made values -------------------------------------------------------------------------

@pytest.fixture
def doc(ws):
    conn = sqlite3.connect(ws.doc.working_path)
    yield ws, conn
    conn.close()


def _one(conn, sql, *params):
    return conn.execute(sql, params).fetchone()[0]


def _area(conn, name):
    return _one(conn, "SELECT id FROM areas WHERE name = ?", name)


def _indicator(conn, code):
    return _one(conn, "SELECT id FROM indicators WHERE code = ?", code)


def _value(ws, indicator_id, area_id, period, value, **more):
    return records.create(ws, "indicator_values", {"indicator_id": indicator_id, "area_id": area_id,
                                                   "period": period, "value": value, **more})


def test_the_persons_row_never_takes_a_male_value_even_a_newer_one(doc):
    ws, conn = doc
    by_code = {s.code: s for s in indicator_summaries(conn)}
    obese = by_code["OBES_Y6"]
    persons = _one(conn, "SELECT value FROM indicator_values WHERE indicator_id = ? AND area_id = ? AND period = ? "
                   "AND sex IS NULL", obese.indicator_id, _area(conn, "Riverside"), obese.period)
    assert obese.value == persons  # the demo's Male and Female rows for the same year are left out
    neet = by_code["NEET"]
    _value(ws, neet.indicator_id, _area(conn, "Riverside"), "2030", 99.0, sex="Male")
    _value(ws, neet.indicator_id, _area(conn, "Riverside"), "2031", 98.0, category="Most deprived decile")
    again = {s.code: s for s in indicator_summaries(conn)}["NEET"]
    assert (again.period, again.value) == (neet.period, neet.value)
    _value(ws, neet.indicator_id, _area(conn, "Riverside"), "2032", 5.0, sex="Persons", age="All ages")
    assert {s.code: s for s in indicator_summaries(conn)}["NEET"].value == 5.0  # written out, still the headline


def test_an_indicator_with_only_broken_down_values_says_so(doc):
    ws, conn = doc
    iid = records.create(ws, "indicators", {"name": "Smoking at 15 by sex", "unit": "percent",
                                            "polarity": "lower_better"}).id
    home = _area(conn, "Riverside")
    _value(ws, iid, home, "2025", 6.0, sex="Male")
    _value(ws, iid, home, "2025", 8.0, sex="Female")
    s = next(s for s in indicator_summaries(conn) if s.indicator_id == iid)
    assert s.value is None and s.breakdown_only
    assert s.comparison.method == "no comparison: only values broken down (by sex, age, category or group) for Riverside"
    assert s.note == "Riverside has only values broken down (by sex, age, category or group)"


def test_one_age_band_alone_is_the_headline_several_without_all_ages_are_a_breakdown(doc):
    ws, conn = doc
    home = _area(conn, "Riverside")
    single = records.create(ws, "indicators", {"name": "Admissions for asthma (<19 yrs)", "unit": "rate_100k",
                                               "polarity": "lower_better"}).id
    _value(ws, single, home, "2025", 150.0, sex="Persons", age="<19 yrs")
    bands = records.create(ws, "indicators", {"name": "Tooth decay by age", "unit": "percent",
                                              "polarity": "lower_better"}).id
    _value(ws, bands, home, "2025", 20.0, age="0-4 yrs")
    _value(ws, bands, home, "2025", 30.0, age="5-9 yrs")
    by_id = {s.indicator_id: s for s in indicator_summaries(conn)}
    assert by_id[single].value == 150.0 and not by_id[single].breakdown_only
    assert by_id[bands].value is None and by_id[bands].breakdown_only
    _value(ws, bands, home, "2025", 25.0, age="All ages")
    assert {s.indicator_id: s for s in indicator_summaries(conn)}[bands].value == 25.0


def test_summaries_compare_by_the_998_interval_when_chosen(doc):
    _ws, conn = doc
    at_95 = {s.code: s for s in indicator_summaries(conn)}
    at_998 = {s.code: s for s in indicator_summaries(conn, level="99.8")}
    reref = at_998["REREF"]
    assert reref.lower_ci_998 < reref.lower_ci and reref.upper_ci < reref.upper_ci_998
    assert reref.comparison.level == "99.8" and reref.comparison.phrase_with_level.endswith("(99.8% CI)")
    assert at_95["REREF"].comparison.level == "95"
    assert at_998["ATT8"].comparison.phrase_with_level.endswith("(trust's rule)")  # a score: no interval
    # The wider interval can only turn better or worse into similar, never the reverse.
    for code, s in at_998.items():
        if s.comparison.rating != at_95[code].comparison.rating:
            assert s.comparison.rating == "similar", code


def test_a_locality_shows_its_own_values_beside_the_trusts_and_englands(doc):
    _ws, conn = doc
    north = _area(conn, "North Riverside")
    by_code = {s.code: s for s in place_summaries(conn, north)}
    reref = by_code["REREF"]
    own = conn.execute("SELECT value, lower_ci, upper_ci FROM indicator_values WHERE area_id = ? AND indicator_id = ? "
                       "AND period = ?", (north, reref.indicator_id, reref.period)).fetchone()
    trust = {s.code: s for s in indicator_summaries(conn)}["REREF"]
    assert (reref.value, reref.lower_ci, reref.upper_ci) == own
    assert reref.period == trust.period and reref.trust == trust.value and reref.england == trust.england
    assert reref.value > reref.trust  # North leans 22% above the trust by design
    assert reref.against_trust.against == "Riverside" and reref.against_trust.rating in ("worse", "similar")
    assert reref.against_trust.phrase.endswith("than Riverside") or reref.against_trust.phrase == "Similar to Riverside"
    assert reref.neighbours.rank is None and "not ranked" in reref.neighbours.method
    # Indicators the localities have no figures for say so: never the trust's figures.
    att8 = by_code["ATT8"]
    assert (att8.value, att8.trust, att8.england, att8.period) == (None, None, None, None)
    assert att8.comparison.method == "no comparison: no value for North Riverside"
    assert att8.against_trust.method == "no comparison: no value for North Riverside"


def test_a_locality_with_a_gap_and_a_colon_suppression(doc):
    _ws, conn = doc
    east = {s.code: s for s in place_summaries(conn, _area(conn, "East Riverside"))}
    assert east["INJ014"].value is None and "no value for East Riverside" in east["INJ014"].comparison.method
    neet = east["NEET"]  # its latest year is suppressed with ':': the year before is shown, the gap noted
    assert neet.value is not None and neet.note.endswith("suppressed (:)")


def test_places_side_by_side_lists_every_area_within_the_trust_with_its_comparison(doc):
    ws, conn = doc
    north = _area(conn, "North Riverside")
    ward = records.create(ws, "areas", {"name": "Northgate", "kind": "ward", "parent_id": north}).id
    empty_ward = records.create(ws, "areas", {"name": "Abbey", "kind": "ward", "parent_id": north}).id
    reref = _indicator(conn, "REREF")
    latest = _one(conn, "SELECT period FROM indicator_values WHERE indicator_id = ? AND area_id = ? "
                  "ORDER BY period_start DESC LIMIT 1", reref, north)
    _value(ws, reref, ward, latest, 40.0, lower_ci=35.0, upper_ci=45.0, lower_ci_998=31.0, upper_ci_998=49.5)
    places = places_side_by_side(conn, reref)
    names = [r.name for r in places.rows]
    assert set(LEAN) <= set(names) and {"Northgate", "Abbey"} <= set(names)
    assert names.index("North Riverside") < names.index("Abbey") < names.index("Northgate")  # tree order
    row = {r.name: r for r in places.rows}
    northgate = row["Northgate"]
    assert (northgate.kind_label, northgate.parent_name, northgate.depth) == ("Ward", "North Riverside", 2)
    assert northgate.value == 40.0 and northgate.trust is not None and northgate.england is not None
    assert northgate.against_trust.phrase_with_level == "Worse than Riverside (95% CI)"
    assert places.ci_text(northgate) == "35.0% to 45.0%" and places.ci_text(northgate, "99.8") == "31.0% to 49.5%"
    assert row["Abbey"].value is None and row["Abbey"].note == "no value for Abbey"
    assert row["Abbey"].against_trust.rating == "not_compared"
    assert places.with_values == len(LEAN) + 1
    for name in LEAN:
        r = row[name]
        assert r.value is not None and r.period == latest and r.against_trust.level == "95"
    assert row["West Riverside"].value < row["West Riverside"].trust < row["North Riverside"].value
    # The 99.8% level: the ward's 99.8% interval reaches the trust's value or not, and says which it used.
    wide = {r.name: r for r in places_side_by_side(conn, reref, level="99.8").rows}["Northgate"]
    assert wide.against_trust.level == "99.8"
    expected = "similar" if 31.0 <= northgate.trust <= 49.5 else "worse"
    assert wide.against_trust.rating == expected
    assert places_side_by_side(conn, "no-such-indicator") is None
    assert ward and empty_ward


def test_places_side_by_side_says_which_places_have_only_breakdowns_or_a_marker(doc):
    ws, conn = doc
    neet = {r.name: r for r in places_side_by_side(conn, _indicator(conn, "NEET")).rows}
    assert neet["East Riverside"].value is not None and neet["East Riverside"].note.endswith("suppressed (:)")
    inj = {r.name: r for r in places_side_by_side(conn, _indicator(conn, "INJ014")).rows}
    assert inj["East Riverside"].value is None and inj["East Riverside"].note == "no value for East Riverside"
    att8 = _indicator(conn, "ATT8")
    _value(ws, att8, _area(conn, "West Riverside"), "2024/25", 47.0, sex="Female")
    _value(ws, att8, _area(conn, "South Riverside"), "2024/25", None, suppressed=":")
    rows = {r.name: r for r in places_side_by_side(conn, att8).rows}
    assert rows["West Riverside"].value is None
    assert rows["West Riverside"].note == "only values broken down (by sex, age, category or group)"
    assert rows["South Riverside"].against_trust.method == "no comparison: suppressed (:)"
    assert set(PLACE_INDICATORS).isdisjoint({"ATT8"})


def test_a_localitys_figures_are_exported_with_the_trusts_beside_them(doc, tmp_path):
    from cypdesk.io.xlsx import read_csv
    from cypdesk.services.needs import export_summaries

    _ws, conn = doc
    north = {s.code: s for s in place_summaries(conn, _area(conn, "North Riverside"))}
    export_summaries([north["REREF"], north["ATT8"]], tmp_path / "north.csv", home_name="North Riverside",
                     trust_name="Riverside")
    rows = list(read_csv(tmp_path / "north.csv"))
    assert rows[0][5] == "North Riverside" and rows[0][-3:] == ["Riverside", "Compared with Riverside",
                                                               "Method (Riverside)"]
    assert float(rows[1][5]) == pytest.approx(north["REREF"].value)
    assert float(rows[1][-3]) == pytest.approx(north["REREF"].trust)
    assert rows[1][-2] == north["REREF"].against_trust.phrase_with_level
    assert rows[2][5] == "" and rows[2][-3] == "" and rows[2][-1] == "no comparison: no value for North Riverside"
