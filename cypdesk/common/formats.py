"""Money, numbers and dates the UK way: written and read in one place.

Numbers and money are written with Python's own grouping, which for ``en_GB`` is
exactly babel's pattern (comma thousands, a point for decimals) without loading locale
data; babel writes long dates (``31 March 2026``) and is imported only then. Amounts round
half away from zero, as Excel and finance staff do: £0.50 shows as £1, -£1,234.50 as
-£1,235. ``None`` is written as an empty string everywhere.

Reading is strict where a wrong guess would be silent: dates are ALWAYS day first
(``03/04/2026`` is 3 April; ``03/31/2026`` is refused, month 31 does not exist), commas
in amounts must group thousands, and two-digit years mean 20xx.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from numbers import Real
from typing import Any

from cypdesk.common.errors import ValidationError

__all__ = [
    "FormatError",
    "date_long",
    "date_to_excel_serial",
    "date_uk",
    "datetime_uk",
    "excel_serial_to_date",
    "money",
    "money_short",
    "number",
    "parse_bool",
    "parse_date_uk",
    "parse_money",
    "percent",
    "plural",
    "word_for",
]

LOCALE = "en_GB"


class FormatError(ValidationError, ValueError):
    """Text that is not the money, date or yes/no it should be; a ``ValueError`` too.
    ``facts`` hold ``text``, the text refused."""

    code = "format"


# --- counting in words -------------------------------------------------------------

def word_for(n: int, one: str, many: str | None = None) -> str:
    """The word that agrees with ``n``: ``word_for(1, "matches", "match")`` is "matches";
    ``many`` defaults to ``one`` + "s" ("service" -> "services"; "performance measure"
    -> "performance measures"). Only exactly 1 takes the singular (0 services)."""
    return one if n == 1 else (many if many is not None else one + "s")


def plural(n: int, one: str, many: str | None = None) -> str:
    """A count and the noun that agrees with it: "1 service", "1,204 services"."""
    return f"{n:,} {word_for(n, one, many)}"


# --- writing numbers ----------------------------------------------------------------

def _decimal(value: object, what: str) -> Decimal:
    """A number as a Decimal, floats by their shortest text (2.675 stays 2.675)."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise TypeError(f"{what} needs a number, not {type(value).__name__} {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    else:
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            raise ValueError(f"{what} needs a finite number, not {value!r}")
        d = Decimal(repr(f))
    if not d.is_finite():
        raise ValueError(f"{what} needs a finite number, not {value!r}")
    return d


def _round(d: Decimal, decimals: int) -> Decimal:
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q  # never "-£0"


def _grouped(d: Decimal, decimals: int) -> str:
    """An already-rounded number the en_GB way: comma thousands, a point for decimals.
    Python's own formatting gives exactly what babel's en_GB pattern gives, without
    loading the locale data (about 50 ms on the first number the window shows)."""
    return f"{d:,.{decimals}f}"


def money(value: object, *, pence: bool = False) -> str:
    """``1234567`` -> ``£1,234,567``; ``-1234`` -> ``-£1,234``; ``None`` -> ``""``;
    ``pence=True``: ``1234.5`` -> ``£1,234.50``. Whole pounds round half away from zero."""
    if value is None:
        return ""
    places = 2 if pence else 0
    d = _round(_decimal(value, "money"), places)
    return ("-" if d < 0 else "") + "£" + _grouped(d.copy_abs(), places)


def money_short(value: object) -> str:
    """Money for a chart label or a tile: ``£950``, ``£1.5k``, ``£350k``, ``£1.2m``,
    ``£3bn``; a trailing ``.0`` is dropped (``£2m``). ``None`` -> ``""``."""
    if value is None:
        return ""
    d = _decimal(value, "money")
    sign = "-" if d < 0 else ""
    a = abs(d)
    tiers = ((Decimal(1), "", 0), (Decimal(1000), "k", None), (Decimal(10) ** 6, "m", 1),
             (Decimal(10) ** 9, "bn", 1))
    start = 0
    for i, (div, _suffix, _dp) in enumerate(tiers):
        if a >= div:
            start = i
    for i in range(start, len(tiers)):
        div, suffix, dp = tiers[i]
        if dp is None:  # thousands: one decimal under £10k, whole above
            dp = 1 if a < 10_000 else 0
        r = _round(a / div, dp)
        if r < 1000 or i == len(tiers) - 1:
            break
    if r.is_zero():
        sign = ""
    text = _grouped(r, dp)
    if text.endswith(".0"):
        text = text[:-2]
    return f"{sign}£{text}{suffix}"


def number(value: object, decimals: int = 0) -> str:
    """``1234567`` -> ``1,234,567``; ``number(2.5, 1)`` -> ``2.5``; ``None`` -> ``""``.
    Rounds half away from zero."""
    if value is None:
        return ""
    return _grouped(_round(_decimal(value, "number"), decimals), decimals)


def percent(value: object, decimals: int = 0) -> str:
    """A percentage NUMBER with a percent sign: ``percent(12.5, 1)`` -> ``12.5%``.

    ``value`` is already in percent: 12.5 means 12.5 per cent, NOT 0.125 (indicator
    values are published that way). ``None`` -> ``""``.
    """
    if value is None:
        return ""
    return number(value, decimals) + "%"


# --- writing dates -------------------------------------------------------------------

def date_uk(d: _dt.date | None) -> str:
    """``31/03/2026``; a datetime shows its date; ``None`` -> ``""``."""
    if d is None:
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def date_long(d: _dt.date | None) -> str:
    """``31 March 2026`` (no leading zero on the day); ``None`` -> ``""``."""
    if d is None:
        return ""
    from babel.dates import format_date

    day = d.date() if isinstance(d, _dt.datetime) else d
    return format_date(day, "d MMMM y", locale=LOCALE)


def datetime_uk(dt: _dt.datetime | None) -> str:
    """``31/03/2026 14:05`` in 24-hour time. A datetime with a time zone is shown in
    this computer's local time (UK time on a UK machine); a naive one as it is."""
    if dt is None:
        return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone()
    return f"{date_uk(dt)} {dt.hour:02d}:{dt.minute:02d}"


def when_uk(dt: _dt.datetime, now: _dt.datetime | None = None) -> str:
    """When something happened, the way an officer says it: ``14:05 today``, ``14:05
    yesterday``, else ``31/03/2026 14:05`` (local time, as :func:`datetime_uk`)."""
    local = dt.astimezone() if dt.tzinfo is not None else dt
    today = (now.astimezone() if now is not None and now.tzinfo is not None else now or _dt.datetime.now()).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today - _dt.timedelta(days=1):
        return f"{clock} yesterday"
    return datetime_uk(dt)


# --- reading money ------------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ",
                         "\u2212": "-", "\u2013": "-", "\u2014": "-"})
_SCALES = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "bn": 9, "b": 9,
           "billion": 9}
_MONEY = re.compile(
    r"(?P<sign>[-+])?\s*(?:£|gbp)?\s*(?P<sign2>[-+])?\s*"
    r"(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*"
    r"(?P<scale>k|thousand|m|mn|million|bn|b|billion)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_money(text: str | int | float | Decimal) -> Decimal:
    """An amount of money as a Decimal.

    Reads ``£1,234.50``, ``1,234``, `` 1567 ``, ``(1,234)`` and ``(£1,234)`` (negative, as
    accountants write it), ``-£5``, ``£-5``, ``GBP 100``, ``£1.2m``, ``£350k``, ``£2bn``
    and numbers (floats by their shortest text). Raises :class:`FormatError` (a
    ``ValueError``) quoting the text for anything else, including empty text and commas
    that do not group thousands (``1,23`` might be a European 1.23).
    """
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return _decimal(text, "parse_money")
    if not isinstance(text, str):
        raise TypeError(f"parse_money needs text, not {type(text).__name__}")
    shown = " ".join(text.split())
    if not shown:
        raise FormatError("no amount was given: write one like £1,234.50", text="")

    def refuse(why: str) -> FormatError:
        return FormatError(f'"{shown}" is not an amount of money: {why}', text=shown)

    s = shown.translate(_SPACES).strip().lower()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    m = _MONEY.fullmatch(s)
    if m is None:
        raise refuse("write it like £1,234.50, (1,234) for a negative amount, or £1.2m")
    if m.group("sign") and m.group("sign2"):
        raise refuse("it has two signs")
    sign = m.group("sign") or m.group("sign2")
    if sign == "-":
        if negative:
            raise refuse("it is both in brackets and negative")
        negative = True
    num = m.group("num")
    if "," in num and not _GROUPED.fullmatch(num):
        raise refuse("the commas must separate thousands, like 1,234,567.89")
    try:
        value = Decimal(num.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise refuse("it is not a number") from None
    if m.group("scale"):
        value = value.scaleb(_SCALES[m.group("scale")]).normalize()
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            value = value.quantize(Decimal(1))  # 1.2E+6 -> 1200000
    return -value if negative else value


# --- reading dates ------------------------------------------------------------------

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9

_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:z|[+-]\d{2}:?\d{2}))?)?"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+)?"
_NAMED = re.compile(_WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})")
_NAMED_MONTH_FIRST = re.compile(_WEEKDAY + r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def _make_date(shown: str, year: int, month: int, day: int) -> _dt.date:
    def refuse(why: str) -> FormatError:
        return FormatError(f'"{shown}" is not a date: {why}', text=shown)

    if not 1 <= month <= 12:
        hint = ""
        if 1 <= day <= 12:
            try:
                swapped = _dt.date(year, day, month)
            except ValueError:
                pass
            else:
                hint = (f"; dates are read day first, so {date_long(swapped)} is written "
                        f"{date_uk(swapped)}")
        raise refuse(f"month {month} does not exist{hint}")
    if year < 1:
        raise refuse(f"year {year} does not exist")
    try:
        return _dt.date(year, month, day)
    except ValueError:
        pass
    if day < 1:
        raise refuse(f"day {day} does not exist")
    first = _dt.date(year, month, 1)
    last = (first.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(days=1)
    raise refuse(f"{_MONTH_NAMES[month - 1].title()} {year} has {last.day} days")


def _full_year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def parse_date_uk(text: str | _dt.date) -> _dt.date:
    """A date written the UK way, always day first.

    Reads ``31/03/2026``, ``31-03-2026``, ``31.03.2026``, ``31/3/26`` (two-digit years
    are 20xx), ``2026-03-31`` (ISO, year first), ``22-Jul-2013``, ``1 April 2025``,
    ``1st April 2025``, ``Tuesday 1 April 2025`` and ``April 1, 2025``. A time after the
    date (``31/03/2026 00:00:00``, ``2026-03-31T09:30``) is ignored. A date or datetime
    is returned as its date.

    Month-first dates are never guessed: ``03/31/2026`` is refused ("month 31 does not
    exist"), and ``04/03/2026`` is 4 March. Impossible dates (``31/02/2026``) are
    refused with the reason. Raises :class:`FormatError`, a ``ValueError``.
    """
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    if not isinstance(text, str):
        raise TypeError(f"parse_date_uk needs text, not {type(text).__name__}")
    shown = " ".join(text.split())
    if not shown:
        raise FormatError("no date was given: write one like 31/03/2026", text="")
    s = shown.translate(_SPACES).lower()

    m = _ISO.fullmatch(s)
    if m is not None:
        return _make_date(shown, int(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _DMY.fullmatch(s)
    if m is not None:
        return _make_date(shown, _full_year(m.group(4)), int(m.group(3)), int(m.group(1)))
    m = _NAMED.fullmatch(s)
    if m is not None and m.group(2) in _MONTHS:
        return _make_date(shown, _full_year(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    m = _NAMED_MONTH_FIRST.fullmatch(s)
    if m is not None and m.group(1) in _MONTHS:
        return _make_date(shown, int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    raise FormatError(f'"{shown}" is not a date: write it like 31/03/2026 or 31 March 2026',
                      text=shown)


# --- Excel serial dates -------------------------------------------------------------

_EPOCH_1900 = _dt.date(1899, 12, 31)   # serial 1 is 1 January 1900
_EPOCH_1900_AFTER_BUG = _dt.date(1899, 12, 30)  # from serial 61 (1 March 1900) on
_EPOCH_1904 = _dt.date(1904, 1, 1)     # serial 0 is 1 January 1904


def excel_serial_to_date(serial: float | int | Decimal, *, epoch1904: bool = False) -> _dt.date:
    """The date of an Excel serial number (a time of day, the fraction, is dropped).

    In the 1900 system (Windows Excel, the default) serial 1 is 1 January 1900, 59 is
    28 February 1900 and 61 is 1 March 1900; serial 60 is refused, because it is
    29 February 1900, a day that never existed (Excel copied Lotus 1-2-3's leap-year
    bug), as are serials below 1. In the 1904 system (old Mac workbooks) serial 0 is
    1 January 1904; negative serials are refused.
    """
    if isinstance(serial, bool) or not isinstance(serial, (Real, Decimal)):
        raise TypeError(f"an Excel serial date is a number, not {type(serial).__name__}")
    if isinstance(serial, float) and (math.isnan(serial) or math.isinf(serial)):
        raise FormatError(f"{serial!r} is not an Excel date", serial=str(serial))
    n = math.floor(serial)
    shown = str(serial)
    if epoch1904:
        if n < 0:
            raise FormatError(f"{shown} is not an Excel date: in the 1904 date system serials "
                              "start at 0 (1 January 1904)", serial=shown)
        base, offset = _EPOCH_1904, n
    else:
        if n < 1:
            raise FormatError(f"{shown} is not an Excel date: serials start at 1 (1 January 1900)",
                              serial=shown)
        if n == 60:
            raise FormatError(f"{shown} is not an Excel date: it is 29 February 1900, which never "
                              "existed (Excel's leap-year bug)", serial=shown)
        base, offset = (_EPOCH_1900, n) if n < 60 else (_EPOCH_1900_AFTER_BUG, n)
    try:
        return base + _dt.timedelta(days=offset)
    except OverflowError:
        raise FormatError(f"{shown} is not an Excel date: it is after 31 December 9999",
                          serial=shown) from None


def date_to_excel_serial(d: _dt.date, *, epoch1904: bool = False) -> int:
    """The Excel serial number of a date; the inverse of :func:`excel_serial_to_date`."""
    if isinstance(d, _dt.datetime):
        d = d.date()
    if epoch1904:
        n = (d - _EPOCH_1904).days
        if n < 0:
            raise FormatError(f"{date_uk(d)} is before 1 January 1904, the start of Excel's "
                              "1904 date system")
        return n
    if d < _dt.date(1900, 1, 1):
        raise FormatError(f"{date_uk(d)} is before 1 January 1900, the start of Excel's dates")
    if d < _dt.date(1900, 3, 1):
        return (d - _EPOCH_1900).days
    return (d - _EPOCH_1900_AFTER_BUG).days


# --- reading yes and no ---------------------------------------------------------------

_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})


def parse_bool(text: str | bool | int) -> bool:
    """``Yes``/``No``, ``Y``/``N``, ``True``/``False``, ``1``/``0`` in any case, with
    spaces around; ``True``, ``False``, 1 and 0 as values. Anything else, empty text
    included, raises :class:`FormatError` (a ``ValueError``)."""
    if isinstance(text, bool):
        return text
    if isinstance(text, int) and text in (0, 1):
        return bool(text)
    shown = " ".join(str(text).split())
    s = shown.lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    if not s:
        raise FormatError("no answer was given: write Yes or No", text="")
    raise FormatError(f'"{shown}" is not yes or no: write Yes or No', text=shown)
