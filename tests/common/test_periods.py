"""Periods: every written form people use reads back to the period they meant."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cypdesk.common.errors import CypdeskError
from cypdesk.common.periods import (
    KINDS,
    Period,
    PeriodError,
    academic_year_of,
    financial_year_of,
    format_academic_year,
    format_financial_year,
    parse_dfe,
    parse_financial_year,
    parse_period,
)

FY25 = Period.financial_year(2025)
AY24 = Period.academic_year(2024)


# --- reading -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2025-26", "2025/26", "2025-2026", "2025/2026", "202526", "20252026",
    "FY2025", "FY 2025", "fy2025", "FY 2025-26", "FY2025-26", "FY25/26", "FY25-26", "FY 25/26",
    "fy 2025/26", "Financial year 2025-26", "financial year 2025 to 2026", "2025 to 2026",
    "2025\u201326", "2025 \u2013 26", "  2025-26  ", "2025 - 26", "25/26", "2025-26\n",
])
def test_financial_year_forms(text):
    assert parse_period(text) == FY25


@pytest.mark.parametrize(("text", "quarter"), [
    ("Q1 2025-26", 1), ("2025-26 Q1", 1), ("2025/26 Q3", 3), ("Q3 2025/26", 3),
    ("q2 2025-26", 2), ("2025-26 q4", 4), ("Quarter 1 2025-26", 1), ("2025-26 Quarter 2", 2),
    ("quarter 4 2025/2026", 4), ("Qtr 3 2025-26", 3), ("Q1 FY2025", 1), ("FY2025 Q2", 2),
    ("Q1 FY25/26", 1), ("FY 2025-26 Q3", 3), ("2025-26, Q4", 4), ("Q2 202526", 2),
    ("FQ2025-1", 1), ("fq2025-4", 4), ("Q1 25/26", 1),
])
def test_financial_quarter_forms(text, quarter):
    assert parse_period(text) == Period.financial_quarter(2025, quarter)


@pytest.mark.parametrize("text", [
    "2024/25", "2024-25", "2024/2025", "2024-2025", "202425", "2024 to 2025",
])
def test_pair_of_years_is_academic_when_the_hint_says_so(text):
    assert parse_period(text, hint="academic") == AY24
    assert parse_period(text) == Period.financial_year(2024)
    assert parse_period(text, hint="financial") == Period.financial_year(2024)


@pytest.mark.parametrize("text", ["AY2024", "AY 2024/25", "ay24/25", "Academic year 2024/25",
                                  "academic year 2024-25", "school year 2024/25"])
def test_academic_prefix_beats_the_hint(text):
    assert parse_period(text) == AY24
    assert parse_period(text, hint="financial") == AY24


def test_financial_prefix_beats_an_academic_hint():
    assert parse_period("FY 2024/25", hint="academic") == Period.financial_year(2024)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025", Period.calendar_year(2025)),
    ("CY2025", Period.calendar_year(2025)),
    ("calendar year 2025", Period.calendar_year(2025)),
    ("2025 Q1", Period.calendar_quarter(2025, 1)),
    ("Q1 2025", Period.calendar_quarter(2025, 1)),
    ("2025Q3", Period.calendar_quarter(2025, 3)),
    ("2025-Q4", Period.calendar_quarter(2025, 4)),
    ("CQ2025-2", Period.calendar_quarter(2025, 2)),
])
def test_calendar_forms(text, expected):
    assert parse_period(text) == expected


def test_a_single_year_is_a_calendar_year_whatever_the_hint():
    assert parse_period("2025", hint="academic") == Period.calendar_year(2025)


@pytest.mark.parametrize("text", [
    "Mar 2026", "March 2026", "MARCH 2026", "march 2026", "Mar. 2026", "Mar-2026", "Mar-26",
    "Mar 26", "2026-03", "2026-3", "03/2026", "3/2026", "M2026-03", "2026M03",
])
def test_month_forms(text):
    assert parse_period(text) == Period.month(2026, 3)


@pytest.mark.parametrize(("text", "month"), [
    ("Sep 2025", 9), ("Sept 2025", 9), ("September 2025", 9), ("May 2025", 5), ("Jun 2025", 6),
    ("December 2025", 12), ("Jan 2025", 1),
])
def test_month_names(text, month):
    assert parse_period(text) == Period.month(2025, month)


def test_a_pair_of_consecutive_years_wins_over_a_year_and_a_month():
    # 2010-11 could be November 2010; in this domain it is always the financial year.
    assert parse_period("2010-11") == Period.financial_year(2010)
    assert parse_period("2011-12") == Period.financial_year(2011)
    assert parse_period("2026-03") == Period.month(2026, 3)


def test_two_digit_years_are_this_century():
    assert parse_period("FY99/00") == Period.financial_year(2099)
    assert parse_period("Mar-99") == Period.month(2099, 3)


def test_a_period_passes_through():
    assert parse_period(FY25) is FY25


# --- refusing ------------------------------------------------------------------------

def test_years_must_be_consecutive_and_the_message_quotes_the_text():
    with pytest.raises(PeriodError) as err:
        parse_period("2025-27")
    assert str(err.value) == '"2025-27" is not a period: the years must be consecutive, like 2025-26'
    assert err.value.facts["text"] == "2025-27"


def test_the_example_in_the_message_follows_the_hint():
    with pytest.raises(PeriodError, match=r"like 2024/25"):
        parse_period("2024/26", hint="academic")


@pytest.mark.parametrize(("text", "words"), [
    ("2025-27", "consecutive"),
    ("2025/2027", "consecutive"),
    ("202527", "consecutive"),
    ("2025-13", "consecutive"),
    ("FY25/27", "consecutive"),
    ("2025/03", "consecutive"),
    ("Q5 2025-26", "quarter 5 does not exist"),
    ("Q0 2025", "quarter 0 does not exist"),
    ("13/2026", "month 13 does not exist"),
    ("Q1 2024/25", "academic years have no quarters"),
    ("CY 2025-26", "a calendar year is a single year"),
    ("12/14", "write a year like 2025-26 and a month like Mar 2026"),
    ("next year", "write it like 2025-26"),
    ("Smarch 2026", "write it like"),
    ("2025-26 Q1 Q2", "write it like"),
    ("20256", "write it like"),
])
def test_refused_with_a_reason(text, words):
    hint = "academic" if "2024/25" in text else None
    with pytest.raises(PeriodError, match=words) as err:
        parse_period(text, hint=hint)
    assert f'"{text}"' in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_nothing_is_not_a_period(text):
    with pytest.raises(PeriodError, match="no period was given"):
        parse_period(text)


def test_period_error_is_a_value_error_and_a_cypdesk_error():
    with pytest.raises(ValueError):
        parse_period("rubbish")
    with pytest.raises(CypdeskError) as err:
        parse_period("rubbish")
    assert err.value.to_dict()["code"] == "period"


def test_an_unknown_hint_is_a_programming_error():
    with pytest.raises(ValueError, match="hint"):
        parse_period("2025-26", hint="fiscal")


# --- labels, keys and round trips ----------------------------------------------------

@pytest.mark.parametrize(("period", "label", "key"), [
    (Period.financial_year(2025), "2025-26", "FY2025"),
    (Period.financial_quarter(2025, 1), "2025-26 Q1", "FQ2025-1"),
    (Period.academic_year(2024), "2024/25", "AY2024"),
    (Period.calendar_year(2025), "2025", "CY2025"),
    (Period.calendar_quarter(2025, 1), "2025 Q1", "CQ2025-1"),
    (Period.month(2026, 3), "Mar 2026", "M2026-03"),
    (Period.financial_year(1999), "1999-00", "FY1999"),
    (Period.academic_year(2099), "2099/00", "AY2099"),
])
def test_label_and_key(period, label, key):
    assert period.label() == label
    assert str(period) == label
    assert period.key() == key
    assert Period.from_key(key) == period


def test_format_financial_year_across_the_century():
    assert format_financial_year(2025) == "2025-26"
    assert format_financial_year(1999) == "1999-00"
    assert format_financial_year(2009) == "2009-10"
    assert format_academic_year(1999) == "1999/00"


_SUBS = {"financial_quarter": 4, "calendar_quarter": 4, "month": 12}
POOLED = ("calendar_years", "financial_years", "academic_years")


@st.composite
def periods(draw):
    kind = draw(st.sampled_from(KINDS))
    year = draw(st.integers(1990, 2100))
    if kind in POOLED:
        return Period(kind, year, draw(st.integers(2, 10)))
    sub = draw(st.integers(1, _SUBS[kind])) if kind in _SUBS else 0
    return Period(kind, year, sub)


@given(periods())
def test_label_reads_back(period):
    hint = "academic" if period.kind in ("academic_year", "academic_years") else None
    assert parse_period(period.label(), hint=hint) == period


@given(periods())
def test_key_reads_back_without_a_hint(period):
    assert Period.from_key(period.key()) == period
    assert parse_period(period.key()) == period
    assert parse_period(period.key().lower()) == period


@given(periods())
def test_next_and_previous_are_neighbours(period):
    """The next period starts the day this one ends; a pooled period of several years
    rolls on a year instead (2017 to 2019, then 2018 to 2020), keeping its length."""
    after = period.next()
    assert after.kind == period.kind
    if period.kind in POOLED:
        assert after.start_date() == period.start_date().replace(year=period.year + 1)
        assert after.years == period.years
    else:
        assert after.start_date() == period.end_date() + dt.timedelta(days=1)
    assert after.previous() == period


@given(periods(), periods())
def test_periods_sort_by_start_date(a, b):
    if a.start_date() < b.start_date():
        assert a < b
    if a == b:
        assert hash(a) == hash(b)


@pytest.mark.parametrize("key", ["FY25", "FY2025-1", "FQ2025", "FQ2025-5", "M2026-13", "X2025",
                                 "2025-26", "M2026"])
def test_from_key_is_strict(key):
    with pytest.raises(PeriodError):
        Period.from_key(key)


# --- dates ---------------------------------------------------------------------------

def test_financial_year_runs_april_to_march():
    assert FY25.start_date() == dt.date(2025, 4, 1)
    assert FY25.end_date() == dt.date(2026, 3, 31)


@pytest.mark.parametrize(("quarter", "start", "end"), [
    (1, dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    (2, dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    (3, dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    (4, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
])
def test_financial_quarters(quarter, start, end):
    q = Period.financial_quarter(2025, quarter)
    assert (q.start_date(), q.end_date()) == (start, end)


def test_other_kinds_dates():
    assert (AY24.start_date(), AY24.end_date()) == (dt.date(2024, 9, 1), dt.date(2025, 8, 31))
    cy = Period.calendar_year(2025)
    assert (cy.start_date(), cy.end_date()) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    cq = Period.calendar_quarter(2025, 4)
    assert (cq.start_date(), cq.end_date()) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    feb = Period.month(2024, 2)
    assert (feb.start_date(), feb.end_date()) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_31_march_ends_the_financial_year_and_1_april_starts_the_next():
    assert financial_year_of(dt.date(2026, 3, 31)) == 2025
    assert financial_year_of(dt.date(2026, 4, 1)) == 2026
    assert financial_year_of(dt.date(2026, 1, 1)) == 2025
    assert financial_year_of(dt.datetime(2026, 3, 31, 23, 59)) == 2025
    assert FY25.contains(dt.date(2026, 3, 31))
    assert not FY25.contains(dt.date(2026, 4, 1))
    assert FY25.contains(dt.date(2025, 4, 1))
    assert not FY25.contains(dt.date(2025, 3, 31))


def test_31_august_ends_the_academic_year_and_1_september_starts_the_next():
    assert academic_year_of(dt.date(2025, 8, 31)) == 2024
    assert academic_year_of(dt.date(2025, 9, 1)) == 2025
    assert AY24.contains(dt.date(2025, 8, 31))
    assert not AY24.contains(dt.date(2025, 9, 1))
    assert not AY24.contains(dt.date(2024, 8, 31))


def test_contains_a_datetime_and_a_period():
    assert FY25.contains(dt.datetime(2026, 3, 31, 23, 59))
    assert FY25.contains(Period.financial_quarter(2025, 4))
    assert Period.month(2026, 3) in FY25
    assert Period.month(2026, 4) not in FY25
    assert not FY25.contains(Period.calendar_year(2025))


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), st.sampled_from([k for k in KINDS if k not in POOLED]))
def test_of_finds_the_period_containing_a_day(day, kind):
    period = Period.of(kind, day)
    assert period.kind == kind
    assert period.contains(day)
    assert not period.previous().contains(day)
    assert not period.next().contains(day)


def test_quarters_of_a_financial_year():
    assert FY25.quarters() == tuple(Period.financial_quarter(2025, q) for q in (1, 2, 3, 4))
    assert [q.label() for q in FY25.quarters()] == ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3",
                                                    "2025-26 Q4"]
    assert Period.calendar_year(2025).quarters()[0] == Period.calendar_quarter(2025, 1)
    with pytest.raises(PeriodError, match="only financial and calendar years have quarters"):
        AY24.quarters()


def test_next_and_previous_across_year_ends():
    assert Period.financial_quarter(2025, 4).next() == Period.financial_quarter(2026, 1)
    assert Period.financial_quarter(2025, 1).previous() == Period.financial_quarter(2024, 4)
    assert Period.month(2025, 12).next() == Period.month(2026, 1)
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert FY25.next() == Period.financial_year(2026)
    assert AY24.previous() == Period.academic_year(2023)


def test_sorting_follows_the_calendar_longest_first_on_the_same_day():
    texts = ["Mar 2026", "2025-26 Q1", "2025", "Apr 2025", "2025-26", "2024-25 Q4"]
    ordered = sorted(parse_period(t) for t in texts)
    assert [p.label() for p in ordered] == ["2025", "2024-25 Q4", "2025-26", "2025-26 Q1",
                                            "Apr 2025", "Mar 2026"]


def test_year_period():
    assert Period.financial_quarter(2025, 3).year_period() == FY25
    assert Period.month(2026, 3).year_period() == Period.calendar_year(2026)
    assert FY25.year_period() == FY25


@pytest.mark.parametrize(("args", "words"), [
    (("fiscal_year", 2025), "not a kind of period"),
    (("financial_quarter", 2025, 5), "quarter 5 does not exist"),
    (("month", 2025, 0), "month 0 does not exist"),
    (("financial_year", 2025, 1), "has no quarter or month"),
    (("financial_year", 99), "out of range"),
])
def test_impossible_periods_are_refused(args, words):
    with pytest.raises(PeriodError, match=words):
        Period(*args)


def test_periods_are_frozen_and_hashable():
    with pytest.raises(AttributeError):
        FY25.year = 2026  # type: ignore[misc]
    assert len({FY25, parse_period("2025/26"), Period.financial_year(2025)}) == 1


# --- parse_financial_year --------------------------------------------------------------

@pytest.mark.parametrize("text", ["2025-26", "2025/26", "202526", "FY25/26", "FY2025"])
def test_parse_financial_year(text):
    assert parse_financial_year(text) == 2025


def test_parse_financial_year_refuses_a_bare_year_and_says_why():
    with pytest.raises(PeriodError) as err:
        parse_financial_year("2025")
    assert "calendar year, not a financial year" in str(err.value)
    assert "2025-26" in str(err.value) and "2024-25" in str(err.value)


def test_parse_financial_year_refuses_a_quarter():
    with pytest.raises(PeriodError, match="financial quarter, not a financial year"):
        parse_financial_year("2025-26 Q1")


# --- DfE time_period and time_identifier ---------------------------------------------

@pytest.mark.parametrize(("time_period", "identifier", "expected"), [
    ("202425", "Academic year", Period.academic_year(2024)),
    (202425, "Academic year", Period.academic_year(2024)),
    ("202425", "Financial year", Period.financial_year(2024)),
    ("2024", "Calendar year", Period.calendar_year(2024)),
    ("202425", "Financial year Q1", Period.financial_quarter(2024, 1)),
    ("202425", "Financial year Q4", Period.financial_quarter(2024, 4)),
    ("202425", "Q2", Period.financial_quarter(2024, 2)),
    ("2024", "Q3", Period.calendar_quarter(2024, 3)),
    ("2024", "Calendar year Q4", Period.calendar_quarter(2024, 4)),
    ("202425", "Financial year Q1-Q4", Period.financial_year(2024)),
    ("2024", "January", Period.month(2024, 1)),
    ("2024", "september", Period.month(2024, 9)),
    (" 202425 ", "  ACADEMIC YEAR ", Period.academic_year(2024)),
    # Children's social care publications: the reporting year to 31 March.
    ("2024", "Reporting year", Period.financial_year(2023)),
    ("202324", "Reporting year", Period.financial_year(2023)),
])
def test_parse_dfe(time_period, identifier, expected):
    assert parse_dfe(time_period, identifier) == expected


def test_parse_dfe_reporting_year_can_be_calendar():
    assert parse_dfe("2024", "Reporting year", reporting_year="calendar") == Period.calendar_year(2024)


@pytest.mark.parametrize(("time_period", "identifier", "words"), [
    ("202425", "Spring term", "school terms are not supported"),
    ("202425", "Autumn and spring term", "school terms are not supported"),
    ("202425", "Tax year", "tax years"),
    ("202425", "Academic year Q1", "quarters of academic years"),
    ("2024", "Week 12", "not one cypdesk knows"),
    ("202425", "Part 1 (April to September)", "not one cypdesk knows"),
    ("202425", "Q1-Q2", "not one cypdesk knows"),
    ("2024", "Financial year", "six digits"),
    ("202425", "Calendar year", "four digits"),
    ("202425", "January", "four digits"),
    ("202426", "Academic year", "consecutive"),
])
def test_parse_dfe_refuses_what_it_cannot_hold(time_period, identifier, words):
    with pytest.raises(PeriodError, match=words) as err:
        parse_dfe(time_period, identifier)
    assert time_period in str(err.value)


# --- several years pooled --------------------------------------------------------------

@pytest.mark.parametrize(("text", "hint", "kind", "key", "label"), [
    ("2017 - 19", None, "calendar_years", "CP2017-3", "2017 to 2019"),
    ("2017 to 2019", None, "calendar_years", "CP2017-3", "2017 to 2019"),
    ("2020 \u2013 22", None, "calendar_years", "CP2020-3", "2020 to 2022"),
    ("1998 - 00", None, "calendar_years", "CP1998-3", "1998 to 2000"),
    ("2017 and 2018", None, "calendar_years", "CP2017-2", "2017 and 2018"),
    ("2016/17 - 18/19", None, "financial_years", "FP2016-3", "2016-17 to 2018-19"),
    ("2016-17 to 2018-19", None, "financial_years", "FP2016-3", "2016-17 to 2018-19"),
    ("2016/17 - 17/18", None, "financial_years", "FP2016-2", "2016-17 to 2017-18"),
    ("2016/17 - 18/19", "academic", "academic_years", "AP2016-3", "2016/17 to 2018/19"),
    ("CP2017-3", None, "calendar_years", "CP2017-3", "2017 to 2019"),
])
def test_several_years_pooled_as_public_health_statistics_write_them(text, hint, kind, key, label):
    """Fingertips publishes small counts pooled over three years ('2017 - 19',
    '2016/17 - 18/19'): each is one period with its own key, label and dates."""
    period = parse_period(text, hint=hint)
    assert (period.kind, period.key(), period.label()) == (kind, key, label)
    assert Period.from_key(key) == period
    assert parse_period(period.label(), hint=hint) == period


def test_a_pooled_period_spans_its_years_and_rolls_on_a_year():
    """2017 to 2019 runs from 1 January 2017 to 31 December 2019, the next is 2018 to
    2020, and it sorts before the single years it starts with (longest first)."""
    period = parse_period("2017 - 19")
    assert (period.start_date(), period.end_date(), period.years) == (dt.date(2017, 1, 1), dt.date(2019, 12, 31), 3)
    assert period.next() == parse_period("2018 - 20") and period.previous() == parse_period("2016 - 18")
    assert sorted([Period.calendar_year(2017), period]) == [period, Period.calendar_year(2017)]
    assert period.contains(Period.calendar_year(2018)) and not period.contains(Period.calendar_year(2020))
    fy = parse_period("2016/17 - 18/19")
    assert (fy.start_date(), fy.end_date()) == (dt.date(2016, 4, 1), dt.date(2019, 3, 31))


@pytest.mark.parametrize(("text", "words"), [
    ("2025-27", "consecutive"),  # no spaces: a mistyped financial year, still refused
    ("2016/17 - 18/20", "consecutive"),
    ("2016/18 - 18/19", "consecutive"),
    ("2016/17 - 16/17", "must end after it starts"),
    ("2017 - 2040", "longer than the 10"),
])
def test_a_range_of_years_that_cannot_be_is_refused(text, words):
    with pytest.raises(PeriodError, match=words):
        parse_period(text)


def test_no_single_pooled_period_contains_a_day():
    """Several rolling pooled periods contain any day, so Period.of refuses to pick one."""
    with pytest.raises(PeriodError, match="roll on a year"):
        Period.of("calendar_years", dt.date(2018, 5, 1))


def test_a_pooled_key_needs_its_number_of_years():
    with pytest.raises(PeriodError, match="CP keys look like CP2017-3"):
        Period.from_key("CP2017")
    with pytest.raises(PeriodError, match="2 to 10 years"):
        Period.from_key("CP2017-1")
