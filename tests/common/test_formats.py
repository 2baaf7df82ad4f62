"""Money, numbers and dates the UK way."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cypdesk.common.errors import CypdeskError
from cypdesk.common.formats import (
    FormatError,
    date_long,
    date_to_excel_serial,
    date_uk,
    datetime_uk,
    excel_serial_to_date,
    money,
    money_short,
    number,
    parse_bool,
    parse_date_uk,
    parse_money,
    percent,
)

# --- money -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (1234567, "£1,234,567"),
    (0, "£0"),
    (None, ""),
    (-1234, "-£1,234"),
    (-1234.5, "-£1,235"),        # half away from zero, as Excel rounds
    (1234.5, "£1,235"),
    (0.5, "£1"),
    (-0.4, "£0"),                # never "-£0"
    (Decimal("999.49"), "£999"),
    (12, "£12"),
    (1_000_000_000, "£1,000,000,000"),
])
def test_money(value, text):
    assert money(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (1234.5, "£1,234.50"),
    (1234567, "£1,234,567.00"),
    (-1234.5, "-£1,234.50"),
    (0, "£0.00"),
    (2.675, "£2.68"),            # the float's written value, not its binary approximation
    (Decimal("0.005"), "£0.01"),
    (None, ""),
])
def test_money_with_pence(value, text):
    assert money(value, pence=True) == text


@pytest.mark.parametrize("value", [True, "1234", [1]])
def test_money_wants_a_number(value):
    with pytest.raises(TypeError):
        money(value)


def test_money_refuses_nan():
    with pytest.raises(ValueError):
        money(float("nan"))


@pytest.mark.parametrize(("value", "text"), [
    (950, "£950"),
    (0, "£0"),
    (999.6, "£1k"),
    (1500, "£1.5k"),
    (1000, "£1k"),
    (9999.5, "£10k"),
    (12_400, "£12k"),
    (350_000, "£350k"),
    (999_499, "£999k"),
    (999_500, "£1m"),
    (1_234_567, "£1.2m"),
    (2_000_000, "£2m"),
    (12_340_000, "£12.3m"),
    (999_960_000, "£1bn"),
    (3_000_000_000, "£3bn"),
    (-1_200_000, "-£1.2m"),
    (-350_000, "-£350k"),
    (None, ""),
])
def test_money_short(value, text):
    assert money_short(value) == text


# --- numbers and percentages -----------------------------------------------------------

@pytest.mark.parametrize(("args", "text"), [
    ((1234567,), "1,234,567"),
    ((1234567.891, 2), "1,234,567.89"),
    ((0,), "0"),
    ((-1234,), "-1,234"),
    ((2.5,), "3"),
    ((2.5, 1), "2.5"),
    ((1, 2), "1.00"),
    ((-0.4,), "0"),
    ((None,), ""),
])
def test_number(args, text):
    assert number(*args) == text


@pytest.mark.parametrize(("args", "text"), [
    ((12.5, 1), "12.5%"),        # 12.5 means 12.5 per cent
    ((12.5,), "13%"),
    ((0.125, 1), "0.1%"),        # not multiplied by 100
    ((100,), "100%"),
    ((-3.25, 1), "-3.3%"),
    ((1234.5, 1), "1,234.5%"),
    ((None,), ""),
])
def test_percent(args, text):
    assert percent(*args) == text


# --- writing dates ---------------------------------------------------------------------

def test_dates_the_uk_way():
    d = dt.date(2026, 3, 31)
    assert date_uk(d) == "31/03/2026"
    assert date_uk(dt.date(2026, 4, 1)) == "01/04/2026"
    assert date_long(d) == "31 March 2026"
    assert date_long(dt.date(2026, 4, 1)) == "1 April 2026"
    assert datetime_uk(dt.datetime(2026, 3, 31, 14, 5)) == "31/03/2026 14:05"
    assert datetime_uk(dt.datetime(2026, 3, 31, 9, 5, 59)) == "31/03/2026 09:05"
    assert date_uk(dt.datetime(2026, 3, 31, 14, 5)) == "31/03/2026"
    assert date_long(dt.datetime(2026, 3, 31, 14, 5)) == "31 March 2026"
    assert date_uk(None) == date_long(None) == datetime_uk(None) == ""


def test_aware_datetimes_show_in_local_time():
    aware = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone.utc)
    local = aware.astimezone()
    assert datetime_uk(aware) == f"01/07/2026 {local.hour:02d}:00"


# --- reading money ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("£1,234.50", Decimal("1234.50")),
    ("1,234", Decimal("1234")),
    (" 1567 ", Decimal("1567")),
    ("1567   ", Decimal("1567")),
    ("(1,234)", Decimal("-1234")),
    ("(£1,234.50)", Decimal("-1234.50")),
    ("-£5", Decimal("-5")),
    ("£-5", Decimal("-5")),
    ("\u2212£5", Decimal("-5")),
    ("+£5", Decimal("5")),
    ("£1.2m", Decimal("1200000")),
    ("£1.2M", Decimal("1200000")),
    ("£350k", Decimal("350000")),
    ("£350K", Decimal("350000")),
    ("£2bn", Decimal("2000000000")),
    ("£1.5 million", Decimal("1500000")),
    ("-£1.25m", Decimal("-1250000")),
    ("GBP 100", Decimal("100")),
    ("£\u00a01,000", Decimal("1000")),
    ("0.5", Decimal("0.5")),
    (".5", Decimal("0.5")),
    ("1,234,567.891", Decimal("1234567.891")),
    ("0", Decimal("0")),
])
def test_parse_money(text, value):
    assert parse_money(text) == value


def test_parse_money_gives_plain_decimals():
    assert str(parse_money("£1.2m")) == "1200000"
    assert str(parse_money("£1,234.50")) == "1234.50"
    assert isinstance(parse_money("1"), Decimal)


def test_parse_money_accepts_numbers():
    assert parse_money(1234) == Decimal("1234")
    assert parse_money(0.1) == Decimal("0.1")
    assert parse_money(Decimal("5.25")) == Decimal("5.25")


@pytest.mark.parametrize(("text", "words"), [
    ("abc", "write it like £1,234.50"),
    ("£", "write it like"),
    ("1,23", "the commas must separate thousands"),
    ("1,2345", "the commas must separate thousands"),
    ("12,34.5", "the commas must separate thousands"),
    ("1.2.3", "write it like"),
    ("--5", "two signs"),
    ("-£-5", "two signs"),
    ("(-5)", "both in brackets and negative"),
    ("£5 per hour", "write it like"),
    ("1 234", "write it like"),
    ("$5", "write it like"),
    ("five pounds", "write it like"),
])
def test_parse_money_refuses_junk_quoting_it(text, words):
    with pytest.raises(ValueError, match=words) as err:
        parse_money(text)
    assert f'"{text}"' in str(err.value)
    assert isinstance(err.value, FormatError)


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_money_refuses_nothing(text):
    with pytest.raises(FormatError, match="no amount was given"):
        parse_money(text)


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2))
def test_money_with_pence_reads_back(value):
    assert parse_money(money(value, pence=True)) == value


# --- reading dates ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "day"), [
    ("31/03/2026", dt.date(2026, 3, 31)),
    ("31-03-2026", dt.date(2026, 3, 31)),
    ("31.03.2026", dt.date(2026, 3, 31)),
    ("2026-03-31", dt.date(2026, 3, 31)),
    ("31/3/26", dt.date(2026, 3, 31)),
    ("31/3/2026", dt.date(2026, 3, 31)),
    ("1/4/25", dt.date(2025, 4, 1)),
    ("04/03/2026", dt.date(2026, 3, 4)),     # day first, always
    ("22-Jul-2013", dt.date(2013, 7, 22)),
    ("22-jul-13", dt.date(2013, 7, 22)),
    ("22 JUL 2013", dt.date(2013, 7, 22)),
    ("1 April 2025", dt.date(2025, 4, 1)),
    ("1st April 2025", dt.date(2025, 4, 1)),
    ("3rd Sept 2025", dt.date(2025, 9, 3)),
    ("Tuesday 1 April 2025", dt.date(2025, 4, 1)),
    ("April 1, 2025", dt.date(2025, 4, 1)),
    ("  31/03/2026  ", dt.date(2026, 3, 31)),
    ("31/03/2026 00:00:00", dt.date(2026, 3, 31)),
    ("31/03/2026 14:05", dt.date(2026, 3, 31)),
    ("2026-03-31T09:30:00", dt.date(2026, 3, 31)),
    ("2026-03-31 09:30:00+01:00", dt.date(2026, 3, 31)),
    ("29/02/2024", dt.date(2024, 2, 29)),
])
def test_parse_date_uk(text, day):
    assert parse_date_uk(text) == day


def test_parse_date_uk_passes_dates_through():
    assert parse_date_uk(dt.date(2026, 3, 31)) == dt.date(2026, 3, 31)
    assert parse_date_uk(dt.datetime(2026, 3, 31, 14, 5)) == dt.date(2026, 3, 31)


def test_month_first_is_refused_by_rule():
    with pytest.raises(FormatError) as err:
        parse_date_uk("03/31/2026")
    message = str(err.value)
    assert message.startswith('"03/31/2026" is not a date: month 31 does not exist')
    assert "31/03/2026" in message  # shows how to write it


@pytest.mark.parametrize(("text", "words"), [
    ("31/02/2026", "February 2026 has 28 days"),
    ("29/02/2025", "February 2025 has 28 days"),
    ("31/04/2026", "April 2026 has 30 days"),
    ("00/01/2026", "day 0 does not exist"),
    ("13/13/2026", "month 13 does not exist"),
    ("01/00/2026", "month 0 does not exist"),
    ("31 Smarch 2026", "write it like 31/03/2026"),
    ("31/03-2026", "write it like"),
    ("yesterday", "write it like"),
    ("2026", "write it like"),
    ("31/03", "write it like"),
])
def test_impossible_dates_are_refused_with_the_reason(text, words):
    with pytest.raises(ValueError, match=words) as err:
        parse_date_uk(text)
    assert f'"{text}"' in str(err.value)


def test_parse_date_uk_refuses_nothing():
    with pytest.raises(FormatError, match="no date was given"):
        parse_date_uk("")


@given(st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)))
def test_written_dates_read_back(day):
    assert parse_date_uk(date_uk(day)) == day
    assert parse_date_uk(date_long(day)) == day
    assert parse_date_uk(day.isoformat()) == day


# --- Excel serial dates ----------------------------------------------------------------

@pytest.mark.parametrize(("serial", "day"), [
    (1, dt.date(1900, 1, 1)),
    (59, dt.date(1900, 2, 28)),
    (61, dt.date(1900, 3, 1)),
    (45382, dt.date(2024, 3, 31)),
    (45382.75, dt.date(2024, 3, 31)),      # 6pm: the time is dropped
    (Decimal("45383"), dt.date(2024, 4, 1)),
    (2958465, dt.date(9999, 12, 31)),
])
def test_excel_serial_1900(serial, day):
    assert excel_serial_to_date(serial) == day


def test_excel_serial_60_is_the_day_that_never_was():
    with pytest.raises(FormatError, match="29 February 1900, which never existed"):
        excel_serial_to_date(60)
    with pytest.raises(FormatError, match="29 February 1900"):
        excel_serial_to_date(60.5)


@pytest.mark.parametrize("serial", [0, -1, 0.5, -0.5])
def test_excel_serials_below_1_are_refused(serial):
    with pytest.raises(FormatError, match="serials start at 1"):
        excel_serial_to_date(serial)


def test_excel_serial_1904():
    assert excel_serial_to_date(0, epoch1904=True) == dt.date(1904, 1, 1)
    assert excel_serial_to_date(1, epoch1904=True) == dt.date(1904, 1, 2)
    # the same day is 1462 less in the 1904 system
    assert excel_serial_to_date(45382 - 1462, epoch1904=True) == dt.date(2024, 3, 31)
    with pytest.raises(FormatError, match="1904"):
        excel_serial_to_date(-1, epoch1904=True)


@pytest.mark.parametrize("serial", [float("nan"), float("inf"), 3_000_000])
def test_excel_serials_that_are_no_date(serial):
    with pytest.raises(FormatError):
        excel_serial_to_date(serial)


@pytest.mark.parametrize("serial", ["45382", True, None])
def test_excel_serial_must_be_a_number(serial):
    with pytest.raises(TypeError):
        excel_serial_to_date(serial)


@given(st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)), st.booleans())
def test_excel_serials_read_back(day, epoch1904):
    if epoch1904 and day < dt.date(1904, 1, 1):
        return
    assert excel_serial_to_date(date_to_excel_serial(day, epoch1904=epoch1904),
                                epoch1904=epoch1904) == day


def test_date_to_excel_serial_matches_excel():
    assert date_to_excel_serial(dt.date(2024, 3, 31)) == 45382
    assert date_to_excel_serial(dt.date(1900, 2, 28)) == 59
    assert date_to_excel_serial(dt.date(1900, 3, 1)) == 61


# --- yes and no ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Yes", "yes", "YES", "Y", "y", "True", "true", "TRUE", "1",
                                  " yes ", True, 1])
def test_parse_bool_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["No", "no", "NO", "N", "n", "False", "false", "0", " No\t",
                                  False, 0])
def test_parse_bool_false(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["maybe", "yess", "2", "on", "-", 2])
def test_parse_bool_refuses_anything_else(text):
    with pytest.raises(FormatError, match="is not yes or no"):
        parse_bool(text)


def test_parse_bool_refuses_nothing():
    with pytest.raises(ValueError, match="no answer was given"):
        parse_bool("")


def test_format_error_is_a_cypdesk_error_with_the_text():
    with pytest.raises(CypdeskError) as err:
        parse_money("junk")
    assert err.value.to_dict() == {
        "code": "format",
        "message": '"junk" is not an amount of money: write it like £1,234.50, '
                   "(1,234) for a negative amount, or £1.2m",
        "text": "junk",
    }


# --- start-up cost ---------------------------------------------------------------------

def test_importing_formats_does_not_import_babel():
    code = "import sys, cypdesk.common.formats; print('babel' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root)
    assert out.stdout.strip() == "False"


def test_when_uk_says_today_and_yesterday_as_an_officer_would():
    import datetime as dt

    from cypdesk.common.formats import when_uk

    now = dt.datetime(2026, 3, 31, 16, 0)
    assert when_uk(dt.datetime(2026, 3, 31, 14, 5), now) == "14:05 today"
    assert when_uk(dt.datetime(2026, 3, 30, 14, 5), now) == "14:05 yesterday"
    assert when_uk(dt.datetime(2026, 3, 29, 9, 0), now) == "29/03/2026 09:00"


def test_plural_agrees_with_the_count():
    """One helper for counts in words: only exactly one takes the singular, thousands
    are grouped, and an irregular plural or a verb is given."""
    from cypdesk.common.formats import plural, word_for

    assert plural(1, "service") == "1 service"
    assert plural(0, "service") == "0 services"
    assert plural(1204, "performance measure") == "1,204 performance measures"
    assert plural(2, "service or team", "services or teams") == "2 services or teams"
    assert word_for(1, "matches", "match") == "matches"
    assert word_for(3, "matches", "match") == "match"
