"""A cell's value for a field kind (issue 9 item 6; reliability anchors 48-50): money,
percentages, suppression markers, Excel dates (1900 leap-year quirk, 1904 epoch),
periods, identifiers as written, error cells, and the blanks that are not empty."""

from __future__ import annotations

import datetime as dt

import pytest

from cypdesk.io.cellvalues import (
    SUPPRESSION_MARKERS,
    CellProblem,
    Suppressed,
    blank_note,
    convert,
    is_blank_like,
)


def problem(kind, raw, **kw):
    with pytest.raises(CellProblem) as info:
        convert(kind, raw, **kw)
    return str(info.value)


# --- money and numbers -----------------------------------------------------------------

@pytest.mark.parametrize("raw,value", [
    ("£1,234.50", 1234.5), ("1.2m", 1_200_000.0), ("£3.4k", 3400.0), ("(500)", -500.0),
    ("-£5", -5.0), ("£1,234.50  ", 1234.5), ("GBP 100", 100.0), (" 1567 ", 1567.0),
    (1234.5, 1234.5), (926, 926.0), ("£2bn", 2e9), ("(£1,234)", -1234.0),
])
def test_money_in_the_forms_councils_write_it(raw, value):
    assert convert("money", raw) == value


def test_money_refuses_commas_that_do_not_group_thousands_and_words():
    assert "thousands" in problem("money", "1,23")
    assert '"about £5"' in problem("money", "about £5")


@pytest.mark.parametrize("raw,value", [("1,234.5", 1234.5), ("(500)", -500.0), ("-12", -12.0),
                                       ("12.5%", 12.5), (3, 3.0), ("1.5e3", 1500.0)])
def test_numbers_written_as_text(raw, value):
    assert convert("number", raw) == value


def test_integer_refuses_a_fraction_and_reads_whole_floats():
    assert convert("integer", 12.0) == 12 and convert("integer", "1,234") == 1234
    assert "not a whole number" in problem("integer", 2.5)


def test_a_bool_cell_is_not_a_number():
    assert "yes or no" in problem("number", True)


# --- percentages -------------------------------------------------------------------------

def test_percent_text_and_a_number_as_written_are_the_percentage():
    assert convert("percent", "12.5%") == 12.5
    assert convert("percent", 12.5) == 12.5
    assert convert("percent", "0.125") == 0.125     # text without % is never scaled


def test_a_fraction_from_a_percent_formatted_cell_is_scaled_only_when_the_caller_says_so():
    assert convert("percent", 0.125, fraction=True) == 12.5
    assert convert("percent", 0.07, fraction=True) == 7.0       # not 7.000000000000001
    assert convert("percent", 0.125) == 0.125
    assert convert("percent", "12.5%", fraction=True) == 12.5   # text is what the cell showed


# --- suppression markers and blanks ------------------------------------------------------

@pytest.mark.parametrize("kind", ["money", "number", "percent", "integer"])
@pytest.mark.parametrize("marker", SUPPRESSION_MARKERS)
def test_suppression_markers_are_suppressed_never_zero_or_blank(kind, marker):
    value = convert(kind, marker)
    assert value == Suppressed(marker) and value is not None


def test_suppression_markers_in_capitals_and_ons_brackets():
    assert convert("number", "C") == Suppressed("c")
    assert convert("number", "[x]") == Suppressed("x")
    assert convert("number", " [z] ") == Suppressed("z")


def test_contract_markers_are_the_seven():
    assert SUPPRESSION_MARKERS == ("c", "x", "..", "*", "-", "z", ":")


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", "n/a", "N/A"])
@pytest.mark.parametrize("kind", ["text", "money", "date", "identifier", "period"])
def test_blank_and_n_a_are_blank_in_every_kind(raw, kind):
    assert convert(kind, raw) is None


@pytest.mark.parametrize("raw", ["NA", "None", "NULL"])
def test_na_none_null_are_text_in_text_kinds_and_blank_elsewhere(raw):
    assert convert("text", raw) == raw
    assert convert("identifier", raw) == raw
    assert convert("money", raw) is None
    assert convert("date", raw) is None


def test_whitespace_only_is_blank_and_reported():
    assert convert("text", "   ") is None
    assert is_blank_like("   ") and blank_note("   ") == "the cell holds only spaces: read as blank"
    assert is_blank_like("n/a", "money") and blank_note("n/a", "money") == '"n/a" read as blank'
    assert not is_blank_like("", "text") and not is_blank_like(None) and not is_blank_like("Acme")
    assert not is_blank_like("-", "money")           # a suppression marker there, not a blank
    assert is_blank_like("NULL", "date") and not is_blank_like("NULL", "text")


# --- error cells --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!"])
@pytest.mark.parametrize("kind", ["text", "number", "date", "identifier"])
def test_excel_error_cells_are_refused_quoting_the_error(raw, kind):
    message = problem(kind, raw)
    assert raw in message and "Excel's error" in message


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["31/03/2026", "31-Mar-26", "2026-03-31", "31 March 2026", 46112, 46112.0,
                                 "46112", dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 14, 5)])
def test_dates_in_every_form_give_31_march_2026(raw):
    assert convert("date", raw) == dt.date(2026, 3, 31)


def test_mixed_date_forms_in_one_column():
    column = ["22-Jul-2013", "01/04/2025", 45748.0, "2025-04-01", dt.datetime(2025, 4, 1)]
    assert [convert("date", v) for v in column] == [dt.date(2013, 7, 22)] + [dt.date(2025, 4, 1)] * 4


def test_us_looking_date_is_refused_with_the_reason():
    message = problem("date", "03/31/2026")
    assert "month 31 does not exist" in message and "day first" in message


def test_excel_serial_60_the_day_that_never_was_is_refused():
    assert "29 February 1900" in problem("date", 60)
    assert convert("date", 59) == dt.date(1900, 2, 28) and convert("date", 61) == dt.date(1900, 3, 1)


def test_1904_epoch_is_honoured():
    assert convert("date", 44650, date1904=True) == dt.date(2026, 3, 31)
    assert convert("date", 44650) == dt.date(2022, 3, 30)


def test_dates_outside_1900_to_2100_are_refused():
    assert "outside the years 1900 to 2100" in problem("date", "01/01/1850")
    assert "outside the years 1900 to 2100" in problem("date", dt.date(2150, 1, 1))
    assert "outside the years 1900 to 2100" in problem("date", 100_000)


def test_a_year_in_a_date_column_is_refused_not_read_as_1905():
    assert "looks like a year" in problem("date", 2026)


def test_a_time_of_day_is_not_a_date():
    assert "time of day" in problem("date", dt.time(12, 30))


def test_datetimes_from_serials_text_and_dates():
    assert convert("datetime", 46112.5) == dt.datetime(2026, 3, 31, 12, 0)
    assert convert("datetime", "31/03/2026 14:05") == dt.datetime(2026, 3, 31, 14, 5)
    assert convert("datetime", "2026-03-31T09:30:00") == dt.datetime(2026, 3, 31, 9, 30)
    assert convert("datetime", dt.date(2026, 3, 31)) == dt.datetime(2026, 3, 31)


# --- periods --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,key", [
    ("2025-26", "FY2025"), ("2025/26", "FY2025"), ("202526", "FY2025"), ("FY25/26", "FY2025"),
    ("2017/18", "FY2017"), ("201718", "FY2017"), (201718.0, "FY2017"), ("Q1 2025-26", "FQ2025-1"),
    ("Mar 2026", "M2026-03"), ("2025", "CY2025"), (2025.0, "CY2025"), ("FY2025", "FY2025"),
    (dt.datetime(2026, 3, 1), "M2026-03"),
])
def test_periods_in_every_form_the_foundation_reads(raw, key):
    assert convert("period", raw) == key


def test_dfe_academic_year_code_with_the_academic_hint():
    assert convert("period", "201718", hint="academic") == "AY2017"
    assert convert("period", 201718.0, hint="academic") == "AY2017"
    assert convert("period", "2017/18", hint="academic") == "AY2017"


def test_financial_year_is_its_start_year():
    assert convert("financial_year", "2025-26") == 2025
    assert convert("financial_year", "201718") == 2017
    assert convert("financial_year", 201718.0) == 2017
    assert convert("financial_year", 2025) == 2025
    assert "not a period" in problem("period", "next year")


def test_quarters():
    assert convert("quarter", "Q3") == 3 and convert("quarter", 2.0) == 2 and convert("quarter", "Quarter 4") == 4
    assert "quarter 5 does not exist" in problem("quarter", 5)


# --- identifiers and text -------------------------------------------------------------------

def test_identifiers_are_text_exactly_as_written():
    assert convert("identifier", 926.0) == "926"        # LA code Excel stored as a number
    assert convert("identifier", 926) == "926"
    assert convert("identifier", "00123") == "00123"
    assert convert("identifier", " E06000001 ") == "E06000001"
    assert convert("identifier", 123456789012345.0) == "123456789012345"   # 15 digits: exact


def test_an_identifier_excel_stored_with_more_than_15_digits_is_refused():
    assert "precision lost in Excel" in problem("identifier", 12345678901234567890.0)
    assert "precision lost in Excel" in problem("identifier", 1234567890123456.0)
    assert "precision lost in Excel" in problem("identifier", "1.23457E+19")


def test_text_kinds_write_numbers_and_dates_as_excel_showed_them():
    assert convert("text", 926.0) == "926"
    assert convert("text", 12.5) == "12.5"
    assert convert("text", dt.date(2026, 3, 31)) == "31/03/2026"
    assert convert("text", "  Acme Care Ltd ") == "Acme Care Ltd"
    assert convert("long_text", "line one\r\nline two ") == "line one\nline two "
    assert convert("text", "-") is None


def test_bool_and_email():
    assert convert("bool", "Yes") is True and convert("bool", "n") is False and convert("bool", 1.0) is True
    assert "not yes or no" in problem("bool", "perhaps")
    assert "not an email address" in problem("email", "nobody")


def test_choices_by_value_or_label():
    from cypdesk.model.needs import SUPPRESSION_MARKERS as MARKER_CHOICES

    assert convert("choice", "c (confidential)", choices=MARKER_CHOICES) == "c"
    assert convert("text", "Low", choices=["low", "high"]) == "low"
    assert "not one of" in problem("choice", "maybe", choices=["low", "high"])


def test_unknown_kind_is_a_programming_error_not_a_cell_problem():
    with pytest.raises(ValueError) as info:
        convert("colour", "red")
    assert not isinstance(info.value, CellProblem)


# --- the fast paths give what the full rules give ---------------------------------------------

@pytest.mark.parametrize("kind,raw", [
    ("number", 94.7261), ("number", "94.7261"), ("number", "-12"), ("number", "007"), ("money", 1234.5),
    ("money", "1234.50"), ("percent", 12.5), ("percent", "12.5"), ("integer", "12"), ("integer", "-3"),
    ("text", "Indicator 5 per 1,000 children"), ("text", "NA"), ("text", " padded "), ("text", "[c]"),
    ("text", "a\r\nb"), ("reference", "Acme Care Ltd"), ("period", "2015/16"), ("period", " 2015/16 "),
    ("period", "n/a"), ("period", "NULL"), ("date", "31/03/2026"), ("date", "31-Mar-26"),
])
def test_fast_paths_agree_with_the_full_rules(kind, raw):
    """convert takes shortcuts for the commonest cells (and remembers periods and dates):
    each gives exactly what the kind's reader gives through the general path."""
    from cypdesk.io import cellvalues

    fast = convert(kind, raw)
    s = cellvalues._clean(raw) if isinstance(raw, str) else raw
    if isinstance(s, str) and (not s or s.lower() in ("n/a", "null")):
        slow = None
    else:
        slow = cellvalues._READERS[kind](s if kind in ("text", "reference") and "\r" not in raw else raw)
    assert fast == slow and type(fast) is type(slow)


def test_a_remembered_period_or_date_still_refuses_each_time():
    for _ in range(2):
        assert "month 31 does not exist" in problem("date", "03/31/2026")
        assert "not a period" in problem("period", "next year")
        assert "Excel's error" in problem("period", "#N/A")
