"""Periods: financial and academic years, quarters, calendar years and months.

Every period in cypdesk is parsed and written here and nowhere else.

Canonical labels (what the application shows and writes):

================== ============== ============ ==========================
kind               label          key          dates
================== ============== ============ ==========================
financial_year     ``2025-26``    ``FY2025``   1 April 2025 - 31 March 2026
financial_quarter  ``2025-26 Q1`` ``FQ2025-1`` Q1 Apr-Jun ... Q4 Jan-Mar 2026
academic_year      ``2024/25``    ``AY2024``   1 September 2024 - 31 August 2025
calendar_year      ``2025``       ``CY2025``   1 January - 31 December 2025
calendar_quarter   ``2025 Q1``    ``CQ2025-1`` Q1 Jan-Mar ... Q4 Oct-Dec
month              ``Mar 2026``   ``M2026-03`` the month
calendar_years     ``2017 to 2019`` ``CP2017-3`` 1 January 2017 - 31 December 2019
financial_years    ``2016-17 to 2018-19`` ``FP2016-3`` 1 April 2016 - 31 March 2019
academic_years     ``2016/17 to 2018/19`` ``AP2016-3`` 1 September 2016 - 31 August 2019
================== ============== ============ ==========================

The last three are periods of several years pooled into one figure, as public health
statistics publish small counts (Fingertips writes ``2017 - 19`` and ``2016/17 - 18/19``);
``sub`` holds the number of years (2 to 10), and the next such period rolls on a year.

``year`` is always the year a period starts in: 2025 for the financial year 2025-26,
2024 for the academic year 2024/25. Keys are compact, unambiguous and never need a
hint, so they are what to store; labels are what people read.

:func:`parse_period` reads the forms people write. A pair of years (``2025/26``,
``202526``, ``2025-2026``) is written both for financial and for academic years, so the
caller says which it expects with ``hint`` (the field or the source knows); ``FY`` and
``AY`` prefixes, and the words "financial year" or "academic year", override the hint.
A single four-digit year is a calendar year. Two-digit years mean 20xx.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Literal

from cypdesk.common.errors import ValidationError


class _lazy:  # noqa: N801 (stands in for re.compile)
    """A regular expression compiled when first used: the parsing patterns below took
    about 5 ms to compile on import, and the window's first paint only formats periods."""

    __slots__ = ("_args", "_pattern")

    def __init__(self, *args: object) -> None:
        self._args = args
        self._pattern: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> object:
        pattern = self._pattern
        if pattern is None:
            pattern = self._pattern = re.compile(*self._args)  # type: ignore[arg-type]
        return getattr(pattern, name)

__all__ = [
    "ACADEMIC_YEAR",
    "CALENDAR_QUARTER",
    "CALENDAR_YEAR",
    "CALENDAR_YEARS",
    "FINANCIAL_YEARS",
    "ACADEMIC_YEARS",
    "FINANCIAL_QUARTER",
    "FINANCIAL_YEAR",
    "KINDS",
    "MONTH",
    "Period",
    "PeriodError",
    "PeriodKind",
    "academic_year_of",
    "financial_year_of",
    "format_academic_year",
    "format_financial_year",
    "parse_dfe",
    "parse_financial_year",
    "parse_period",
]

PeriodKind = Literal[
    "financial_year", "financial_quarter", "academic_year",
    "calendar_year", "calendar_quarter", "month",
    "calendar_years", "financial_years", "academic_years",
]

FINANCIAL_YEAR: PeriodKind = "financial_year"
FINANCIAL_QUARTER: PeriodKind = "financial_quarter"
ACADEMIC_YEAR: PeriodKind = "academic_year"
CALENDAR_YEAR: PeriodKind = "calendar_year"
CALENDAR_QUARTER: PeriodKind = "calendar_quarter"
MONTH: PeriodKind = "month"
CALENDAR_YEARS: PeriodKind = "calendar_years"
FINANCIAL_YEARS: PeriodKind = "financial_years"
ACADEMIC_YEARS: PeriodKind = "academic_years"
MAX_POOLED_YEARS = 10

#: Every kind, longest first (the order periods starting on the same day sort in).
KINDS: tuple[PeriodKind, ...] = (
    FINANCIAL_YEARS, ACADEMIC_YEARS, CALENDAR_YEARS, FINANCIAL_YEAR, ACADEMIC_YEAR, CALENDAR_YEAR,
    FINANCIAL_QUARTER, CALENDAR_QUARTER, MONTH,
)

MIN_YEAR = 1000
MAX_YEAR = 9998

# kind -> (month the period starts in, counted from January = 0, of its year; length in
# months (of each year, for the pooled kinds); what ``sub`` counts: "quarter", "month",
# "years" (how many, for the pooled kinds) or None)
_SHAPE: dict[str, tuple[int, int, str | None]] = {
    FINANCIAL_YEAR: (3, 12, None),
    FINANCIAL_QUARTER: (3, 3, "quarter"),
    ACADEMIC_YEAR: (8, 12, None),
    CALENDAR_YEAR: (0, 12, None),
    CALENDAR_QUARTER: (0, 3, "quarter"),
    MONTH: (0, 1, "month"),
    CALENDAR_YEARS: (0, 12, "years"),
    FINANCIAL_YEARS: (3, 12, "years"),
    ACADEMIC_YEARS: (8, 12, "years"),
}
_RANK = {kind: i for i, kind in enumerate(KINDS)}

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")
_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(_MONTH_NAMES, start=1):
    _MONTHS[_name] = _i
    _MONTHS[_name[:3]] = _i
_MONTHS["sept"] = 9
del _i, _name


class PeriodError(ValidationError, ValueError):
    """Text that is not a period, or a period that cannot exist.

    A ``ValueError`` too, so plain Python callers can catch it as one. ``facts`` hold
    ``text``, the text refused, when there was one.
    """

    code = "period"


def _refuse(text: object, why: str) -> PeriodError:
    return PeriodError(f'"{text}" is not a period: {why}', text=str(text))


def _month_start(index: int) -> _dt.date:
    """The first day of the month ``index`` months after January of year 0."""
    return _dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A financial or academic year, a quarter, a calendar year or a month.

    Periods sort by the day they start on; periods starting on the same day sort
    longest first (the financial year 2025-26, then its Q1, then April 2025).
    """

    # Compared first, so that ordering follows the calendar; derived, never passed in.
    _order: tuple[int, int, int] = field(init=False, repr=False)
    kind: PeriodKind
    year: int
    sub: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _SHAPE:
            raise PeriodError(
                f'"{self.kind}" is not a kind of period: use one of {", ".join(KINDS)}',
                kind=str(self.kind))
        if not isinstance(self.year, int) or isinstance(self.year, bool):
            raise PeriodError(f"the year of a period must be a whole number, not {self.year!r}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"the year {self.year} is out of range ({MIN_YEAR} to {MAX_YEAR})",
                              year=self.year)
        counts = _SHAPE[self.kind][2]
        if not isinstance(self.sub, int) or isinstance(self.sub, bool):
            raise PeriodError(f"the quarter or month of a period must be a whole number, not {self.sub!r}")
        if counts == "quarter" and not 1 <= self.sub <= 4:
            raise PeriodError(f"quarter {self.sub} does not exist: quarters are 1 to 4", sub=self.sub)
        if counts == "month" and not 1 <= self.sub <= 12:
            raise PeriodError(f"month {self.sub} does not exist: months are 1 to 12", sub=self.sub)
        if counts == "years" and not 2 <= self.sub <= MAX_POOLED_YEARS:
            raise PeriodError(f"a period of {self.sub} years is not one cypdesk keeps: pooled periods "
                              f"are 2 to {MAX_POOLED_YEARS} years", sub=self.sub)
        if counts is None and self.sub != 0:
            raise PeriodError(f"a {self.kind.replace('_', ' ')} has no quarter or month (sub must be 0)",
                              sub=self.sub)
        start, end = self._month_index(), self._month_index() + self._months()
        object.__setattr__(self, "_order", (start, -end, _RANK[self.kind]))

    # --- constructors -------------------------------------------------------------

    @classmethod
    def financial_year(cls, year: int) -> Period:
        """The financial year starting 1 April ``year``: ``Period.financial_year(2025)`` is 2025-26."""
        return cls(FINANCIAL_YEAR, year)

    @classmethod
    def financial_quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1-4 of the financial year starting in ``year`` (Q1 is April to June)."""
        return cls(FINANCIAL_QUARTER, year, quarter)

    @classmethod
    def academic_year(cls, year: int) -> Period:
        """The academic year starting 1 September ``year``: 2024 is 2024/25."""
        return cls(ACADEMIC_YEAR, year)

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(CALENDAR_YEAR, year)

    @classmethod
    def calendar_quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1-4 of a calendar year (Q1 is January to March)."""
        return cls(CALENDAR_QUARTER, year, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(MONTH, year, month)

    @classmethod
    def of(cls, kind: PeriodKind, day: _dt.date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        day = _as_date(day)
        if kind == FINANCIAL_YEAR:
            return cls(kind, financial_year_of(day))
        if kind == FINANCIAL_QUARTER:
            return cls(kind, financial_year_of(day), (day.month - 4) % 12 // 3 + 1)
        if kind == ACADEMIC_YEAR:
            return cls(kind, academic_year_of(day))
        if kind == CALENDAR_YEAR:
            return cls(kind, day.year)
        if kind == CALENDAR_QUARTER:
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        if kind == MONTH:
            return cls(kind, day.year, day.month)
        if kind in _POOLED_PREFIX:
            raise PeriodError(f"a day falls in several {kind.replace('_', ' ')} periods (they roll on a year): "
                              "say the first year and how many, as in CP2017-3")
        raise PeriodError(f'"{kind}" is not a kind of period: use one of {", ".join(KINDS)}')

    @classmethod
    def from_key(cls, key: str) -> Period:
        """The period a :meth:`key` names: ``FY2025``, ``FQ2025-1``, ``AY2024``, ``CY2025``,
        ``CQ2025-1`` or ``M2026-03``. Strict: anything else is refused."""
        text = str(key).strip().upper()
        m = _KEY_RE.fullmatch(text)
        if m is None:
            raise PeriodError(
                f'"{key}" is not a period key: keys look like FY2025, FQ2025-1, AY2024, '
                f"CY2025, CQ2025-1 or M2026-03", text=str(key))
        prefix, year, sub = m.group(1), int(m.group(2)), m.group(3)
        kind = _KEY_KINDS[prefix]
        if (sub is None) != (_SHAPE[kind][2] is None):
            raise PeriodError(f'"{key}" is not a period key: {prefix} keys look like '
                              f"{cls._example_key(kind)}", text=str(key))
        return cls(kind, year, int(sub) if sub else 0)

    @staticmethod
    def _example_key(kind: str) -> str:
        return {FINANCIAL_YEAR: "FY2025", FINANCIAL_QUARTER: "FQ2025-1", ACADEMIC_YEAR: "AY2024",
                CALENDAR_YEAR: "CY2025", CALENDAR_QUARTER: "CQ2025-1", MONTH: "M2026-03",
                CALENDAR_YEARS: "CP2017-3", FINANCIAL_YEARS: "FP2016-3", ACADEMIC_YEARS: "AP2016-3"}[kind]

    # --- dates --------------------------------------------------------------------

    def _month_index(self) -> int:
        first, length, counts = _SHAPE[self.kind]
        index = self.year * 12 + first
        if counts == "quarter":
            index += 3 * (self.sub - 1)
        elif counts == "month":
            index += self.sub - 1
        return index

    def _months(self) -> int:
        """How many months the period lasts."""
        first, length, counts = _SHAPE[self.kind]
        return length * self.sub if counts == "years" else length

    @property
    def years(self) -> int:
        """How many years a pooled period spans (1 for every other kind)."""
        return self.sub if _SHAPE[self.kind][2] == "years" else 1

    def start_date(self) -> _dt.date:
        """The first day of the period."""
        return _month_start(self._month_index())

    def end_date(self) -> _dt.date:
        """The last day of the period (inclusive)."""
        after = _month_start(self._month_index() + self._months())
        return after - _dt.timedelta(days=1)

    def contains(self, other: _dt.date | Period) -> bool:
        """Whether a day (a ``datetime`` counts as its date), or the whole of another
        period, falls within this one."""
        if isinstance(other, Period):
            return self.start_date() <= other.start_date() and other.end_date() <= self.end_date()
        day = _as_date(other)
        return self.start_date() <= day <= self.end_date()

    def __contains__(self, other: object) -> bool:
        if isinstance(other, (Period, _dt.date)):
            return self.contains(other)
        return False

    # --- text ---------------------------------------------------------------------

    def label(self) -> str:
        """The canonical text: ``2025-26``, ``2025-26 Q1``, ``2024/25``, ``2025``,
        ``2025 Q1`` or ``Mar 2026``."""
        if self.kind == FINANCIAL_YEAR:
            return format_financial_year(self.year)
        if self.kind == FINANCIAL_QUARTER:
            return f"{format_financial_year(self.year)} Q{self.sub}"
        if self.kind == ACADEMIC_YEAR:
            return format_academic_year(self.year)
        if self.kind == CALENDAR_YEAR:
            return str(self.year)
        if self.kind == CALENDAR_QUARTER:
            return f"{self.year} Q{self.sub}"
        if self.kind == CALENDAR_YEARS:  # two years: "2017 to 2018" would read as the financial year
            return f"{self.year} {'and' if self.sub == 2 else 'to'} {self.year + self.sub - 1}"
        if self.kind == FINANCIAL_YEARS:
            return f"{format_financial_year(self.year)} to {format_financial_year(self.year + self.sub - 1)}"
        if self.kind == ACADEMIC_YEARS:
            return f"{format_academic_year(self.year)} to {format_academic_year(self.year + self.sub - 1)}"
        return f"{_MONTH_ABBR[self.sub - 1]} {self.year}"

    def key(self) -> str:
        """A compact key that needs no hint to read back and sorts by start within a
        kind: ``FY2025``, ``FQ2025-1``, ``AY2024``, ``CY2025``, ``CQ2025-1``, ``M2026-03``."""
        if self.kind == FINANCIAL_YEAR:
            return f"FY{self.year}"
        if self.kind == FINANCIAL_QUARTER:
            return f"FQ{self.year}-{self.sub}"
        if self.kind == ACADEMIC_YEAR:
            return f"AY{self.year}"
        if self.kind == CALENDAR_YEAR:
            return f"CY{self.year}"
        if self.kind == CALENDAR_QUARTER:
            return f"CQ{self.year}-{self.sub}"
        if self.kind in _POOLED_PREFIX:
            return f"{_POOLED_PREFIX[self.kind]}{self.year}-{self.sub}"
        return f"M{self.year}-{self.sub:02d}"

    def __str__(self) -> str:
        return self.label()

    # --- neighbours ---------------------------------------------------------------

    def _step(self, by: int) -> Period:
        counts = _SHAPE[self.kind][2]
        if counts is None:
            return Period(self.kind, self.year + by)
        if counts == "years":  # pooled periods roll on a year: 2017 to 2019, then 2018 to 2020
            return Period(self.kind, self.year + by, self.sub)
        per_year = 4 if counts == "quarter" else 12
        index = self.year * per_year + self.sub - 1 + by
        return Period(self.kind, index // per_year, index % per_year + 1)

    def next(self) -> Period:
        """The period of the same kind that follows: 2025-26 Q4 -> 2026-27 Q1."""
        return self._step(1)

    def previous(self) -> Period:
        """The period of the same kind before this one: Jan 2026 -> Dec 2025."""
        return self._step(-1)

    def quarters(self) -> tuple[Period, Period, Period, Period]:
        """The four quarters of a financial year (or of a calendar year)."""
        if self.kind == FINANCIAL_YEAR:
            kind: PeriodKind = FINANCIAL_QUARTER
        elif self.kind == CALENDAR_YEAR:
            kind = CALENDAR_QUARTER
        else:
            raise PeriodError(f"{self.label()} is a {self.kind.replace('_', ' ')}: only financial "
                              f"and calendar years have quarters")
        return tuple(Period(kind, self.year, q) for q in (1, 2, 3, 4))  # type: ignore[return-value]

    def year_period(self) -> Period:
        """The year a quarter or month belongs to (a financial year for a financial quarter,
        a calendar year for a calendar quarter or a month); a year is returned as is."""
        if self.kind == FINANCIAL_QUARTER:
            return Period(FINANCIAL_YEAR, self.year)
        if self.kind in (CALENDAR_QUARTER, MONTH):
            return Period(CALENDAR_YEAR, self.year)
        return self


_KEY_RE = _lazy(r"(FY|FQ|AY|CY|CQ|CP|FP|AP|M)(\d{4})(?:-(\d{1,2}))?")
_KEY_KINDS: dict[str, PeriodKind] = {
    "FY": FINANCIAL_YEAR, "FQ": FINANCIAL_QUARTER, "AY": ACADEMIC_YEAR,
    "CY": CALENDAR_YEAR, "CQ": CALENDAR_QUARTER, "M": MONTH,
    "CP": CALENDAR_YEARS, "FP": FINANCIAL_YEARS, "AP": ACADEMIC_YEARS,
}
_POOLED_PREFIX = {CALENDAR_YEARS: "CP", FINANCIAL_YEARS: "FP", ACADEMIC_YEARS: "AP"}


def _as_date(day: object) -> _dt.date:
    if isinstance(day, _dt.datetime):
        return day.date()
    if isinstance(day, _dt.date):
        return day
    raise TypeError(f"expected a date, not {type(day).__name__}")


# --- years ------------------------------------------------------------------------

def financial_year_of(day: _dt.date) -> int:
    """The start year of the financial year containing ``day``: 31 March 2026 -> 2025,
    1 April 2026 -> 2026."""
    day = _as_date(day)
    return day.year if day.month >= 4 else day.year - 1


def academic_year_of(day: _dt.date) -> int:
    """The start year of the academic year containing ``day``: 31 August 2025 -> 2024,
    1 September 2025 -> 2025."""
    day = _as_date(day)
    return day.year if day.month >= 9 else day.year - 1


def _check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise PeriodError(f"a year must be a whole number, not {year!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"the year {year} is out of range ({MIN_YEAR} to {MAX_YEAR})", year=year)
    return year


def format_financial_year(year: int) -> str:
    """``2025`` -> ``"2025-26"``; ``1999`` -> ``"1999-00"``."""
    _check_year(year)
    return f"{year}-{(year + 1) % 100:02d}"


def format_academic_year(year: int) -> str:
    """``2024`` -> ``"2024/25"``; ``1999`` -> ``"1999/00"``."""
    _check_year(year)
    return f"{year}/{(year + 1) % 100:02d}"


def parse_financial_year(text: str) -> int:
    """The start year of a financial year written any way :func:`parse_period` reads:
    ``"2025-26"``, ``"2025/26"``, ``"202526"``, ``"FY25/26"`` -> 2025. Quarters, months
    and single calendar years are refused."""
    period = parse_period(text, hint="financial")
    if period.kind != FINANCIAL_YEAR:
        what = period.kind.replace("_", " ")
        if period.kind == CALENDAR_YEAR:
            y = period.year
            raise PeriodError(
                f'"{_shown(text)}" is a calendar year, not a financial year: write '
                f"{format_financial_year(y)} (April {y} to March {y + 1}) or "
                f"{format_financial_year(y - 1)} (April {y - 1} to March {y})",
                text=_shown(text))
        raise PeriodError(f'"{_shown(text)}" is a {what}, not a financial year', text=_shown(text))
    return period.year


# --- parsing ----------------------------------------------------------------------

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-",
                         "\u2011": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})

_QUARTER_WORD = r"(?:q|qtr|quarter)"
_QUARTER_FIRST = _lazy(rf"{_QUARTER_WORD}\s*(\d{{1,2}})(?!\d)[\s,]*(.*)")
_QUARTER_LAST = _lazy(rf"(.*?)[\s,-]*(?<![a-z]){_QUARTER_WORD}\s*(\d{{1,2}})")
_PREFIX = _lazy(
    r"(?:(fy|ay|cy|(?:financial|academic|calendar|school)(?:\s+year)?)\b\s*:?\s*|(fy|ay|cy)(?=\d))(.*)")
_SINGLE = _lazy(r"(\d{4})")
_PAIR = _lazy(r"(\d{4})\s*([-/]|to)\s*(\d{4}|\d{2})")
_PAIR_SHORT = _lazy(r"(\d{2})\s*[-/]\s*(\d{2})")
_PAIR_GLUED = _lazy(r"(\d{4})(\d{2}|\d{4})")
# Several years pooled: "2017 - 19" (spaces required with a hyphen), "2017 to 2019";
# "2016/17 - 18/19", "2016-17 to 2018-19".
_POOLED_CALENDAR = _lazy(r"(\d{4})(?:\s+-\s+|\s+to\s+|\s+and\s+)(\d{4}|\d{2})")
_POOLED_PAIRS = _lazy(
    r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*(?:-|to)\s*(\d{4}|\d{2})\s*[-/]\s*(\d{2}|\d{4})")
_MONTH_NAMED = _lazy(r"([a-z]+)\.?[\s-]*'?(\d{4}|\d{2})")
_MONTH_ISO = _lazy(r"(\d{4})-(\d{1,2})")
_MONTH_SLASH = _lazy(r"(\d{1,2})\s*/\s*(\d{4})")
_MONTH_ONS = _lazy(r"(\d{4})\s*m(\d{1,2})")

_HINTS = {
    None: FINANCIAL_YEAR, "financial": FINANCIAL_YEAR, "financial_year": FINANCIAL_YEAR,
    "fy": FINANCIAL_YEAR, "academic": ACADEMIC_YEAR, "academic_year": ACADEMIC_YEAR,
    "ay": ACADEMIC_YEAR,
}


def _shown(text: object) -> str:
    return " ".join(str(text).split())


def parse_period(text: str | Period, *, hint: str | None = None) -> Period:
    """Read a period written any way people write one.

    ``hint`` is ``"financial"`` (the default) or ``"academic"``: what a pair of years
    such as ``2025/26``, ``2025-26``, ``2025-2026`` or ``202526`` means. Prefixes and
    words (``FY``, ``AY``, "financial year", "academic year") override it.

    Read: ``2025-26``, ``2025/26``, ``2025-2026``, ``2025/2026``, ``2025 to 2026``,
    ``202526``, ``FY2025``, ``FY 2025-26``, ``FY25/26``, ``AY2024``, ``Q1 2025-26``,
    ``2025-26 Q1``, ``Quarter 1 2025/26``, ``Q1 FY2025``; ``2025`` (calendar year),
    ``2025 Q1``, ``Q1 2025`` (calendar quarter); ``Mar 2026``, ``March 2026``,
    ``Mar-26``, ``2026-03``, ``03/2026``, ``2026M03`` (month); and every :meth:`Period.key`.

    ``2010-11`` is the financial year, not November 2010: a pair of consecutive years
    wins over a year and a month. Raises :class:`PeriodError` quoting the text.
    """
    if isinstance(text, Period):
        return text
    if hint not in _HINTS:
        raise ValueError(f'hint must be "financial" or "academic", not {hint!r}')
    pair_kind = _HINTS[hint]
    if text is None or not str(text).strip():
        raise PeriodError("no period was given: write one like 2025-26, 2025-26 Q1 or Mar 2026",
                          text="")
    shown = _shown(str(text).translate(_DASHES))
    s = shown.lower()

    m = _KEY_RE.fullmatch(shown.upper().replace(" ", ""))
    if m is not None and (m.group(1) != "M" or m.group(3)):
        try:
            return Period.from_key(shown.replace(" ", ""))
        except PeriodError:
            pass  # FY2025-26 and the like: read below

    pooled = _parse_pooled(s, shown, pair_kind)
    if pooled is not None:
        return pooled

    # A quarter, before or after the year.
    quarter: int | None = None
    for pattern, q_group, rest_group in ((_QUARTER_FIRST, 1, 2), (_QUARTER_LAST, 2, 1)):
        qm = pattern.fullmatch(s)
        if qm is not None:
            quarter, s = int(qm.group(q_group)), qm.group(rest_group).strip(" ,-")
            break
    if quarter is not None and not 1 <= quarter <= 4:
        raise _refuse(shown, f"quarter {quarter} does not exist: quarters are Q1 to Q4")

    # A month.
    if quarter is None:
        month = _parse_month(s, shown)
        if month is not None:
            return month

    # An optional kind word, then the year or years.
    prefix_kind: PeriodKind | None = None
    pm = _PREFIX.fullmatch(s)
    if pm is not None:
        word = (pm.group(1) or pm.group(2)).split()[0]
        prefix_kind = {"fy": FINANCIAL_YEAR, "financial": FINANCIAL_YEAR,
                       "ay": ACADEMIC_YEAR, "academic": ACADEMIC_YEAR, "school": ACADEMIC_YEAR,
                       "cy": CALENDAR_YEAR, "calendar": CALENDAR_YEAR}[word]
        s = pm.group(3).strip()

    year, is_pair = _parse_years(s, shown, prefix_kind or pair_kind,
                                 written_as_year=prefix_kind is not None or quarter is not None)

    if prefix_kind == CALENDAR_YEAR and is_pair:
        raise _refuse(shown, "a calendar year is a single year, like 2025")
    if is_pair or prefix_kind in (FINANCIAL_YEAR, ACADEMIC_YEAR):
        kind = prefix_kind if prefix_kind is not None else pair_kind
    else:
        kind = CALENDAR_YEAR

    try:
        if quarter is None:
            return Period(kind, year)
        if kind == FINANCIAL_YEAR:
            return Period(FINANCIAL_QUARTER, year, quarter)
        if kind == CALENDAR_YEAR:
            return Period(CALENDAR_QUARTER, year, quarter)
    except PeriodError as exc:
        raise _refuse(shown, str(exc)) from None
    raise _refuse(shown, "academic years have no quarters in cypdesk; "
                         f"for the financial quarter write {format_financial_year(year)} Q{quarter}")


def _parse_pooled(s: str, shown: str, pair_kind: PeriodKind) -> Period | None:
    """A period of several years written as a range: ``2017 - 19``, ``2017 to 2019`` or
    ``2017 and 2018`` (calendar years; the spaces or the word keep ``2025-27``, a mistyped financial year,
    refused), ``2016/17 - 18/19`` or ``2016-17 to 2018-19`` (financial years, or academic
    years when the hint says so). None when ``s`` is not written as a range."""
    m = _POOLED_CALENDAR.fullmatch(s)
    if m is not None:
        first, last = int(m.group(1)), int(m.group(2))
        if len(m.group(2)) == 2:
            last = first - first % 100 + last + (100 if last < first % 100 else 0)
        if last - first + 1 < 3 and " and " not in s:
            return None  # 2025 - 26, 2025 to 2026: a financial year, read as a pair
        kind: PeriodKind = CALENDAR_YEARS
    else:
        m = _POOLED_PAIRS.fullmatch(s)
        if m is None:
            return None
        first = int(m.group(1))
        century = first - first % 100

        def full(digits: str, after: int) -> int:  # a year written in two digits, on or after ``after``
            year = int(digits) if len(digits) == 4 else century + int(digits)
            return year + 100 if year < after else year

        last = full(m.group(3), first)  # the year the last financial or academic year starts in
        for start, end in ((first, m.group(2)), (last, m.group(4))):
            if int(end) % 100 != (start + 1) % 100:
                raise _refuse(shown, f"the years must be consecutive, like {_like(pair_kind, start)}")
        kind = ACADEMIC_YEARS if pair_kind == ACADEMIC_YEAR else FINANCIAL_YEARS
    years = last - first + 1
    if years < 2:
        raise _refuse(shown, "a range of years must end after it starts")
    if years > MAX_POOLED_YEARS:
        raise _refuse(shown, f"a period of {years} years is longer than the {MAX_POOLED_YEARS} cypdesk keeps")
    try:
        return Period(kind, first, years)
    except PeriodError as exc:
        raise _refuse(shown, str(exc)) from None


def _parse_month(s: str, shown: str) -> Period | None:
    """A month written as ``Mar 2026``, ``March 2026``, ``Mar-26``, ``2026-03``,
    ``03/2026`` or ``2026M03``; None when ``s`` is not written like a month."""
    m = _MONTH_NAMED.fullmatch(s)
    if m is not None and m.group(1) in _MONTHS:
        return _month(shown, _year(m.group(2)), _MONTHS[m.group(1)])
    m = _MONTH_ISO.fullmatch(s)
    if m is not None:
        year, second = int(m.group(1)), int(m.group(2))
        consecutive = len(m.group(2)) == 2 and second == (year + 1) % 100
        if not consecutive and 1 <= second <= 12:
            return _month(shown, year, second)
        return None
    m = _MONTH_SLASH.fullmatch(s)
    if m is not None:
        return _month(shown, int(m.group(2)), int(m.group(1)))
    m = _MONTH_ONS.fullmatch(s)
    if m is not None:
        return _month(shown, int(m.group(1)), int(m.group(2)))
    return None


def _month(shown: str, year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise _refuse(shown, f"month {month} does not exist")
    try:
        return Period(MONTH, year, month)
    except PeriodError as exc:
        raise _refuse(shown, str(exc)) from None


def _year(digits: str) -> int:
    """Four digits as they are; two digits are 20xx."""
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _like(kind: PeriodKind, year: int) -> str:
    year = min(max(year, MIN_YEAR), MAX_YEAR)
    return format_academic_year(year) if kind == ACADEMIC_YEAR else format_financial_year(year)


def _parse_years(s: str, shown: str, pair_kind: PeriodKind, *, written_as_year: bool) -> tuple[int, bool]:
    """The start year written in ``s`` and whether it was written as a pair of years.

    ``written_as_year``: a kind word or a quarter says ``s`` is a year, so two two-digit
    numbers that are not consecutive are a mistaken year rather than perhaps a month.
    """
    m = _SINGLE.fullmatch(s)
    if m is not None:
        return int(m.group(1)), False
    first = second = None
    short = False
    m = _PAIR.fullmatch(s)
    if m is not None:
        first, second = m.group(1), m.group(3)
    else:
        m = _PAIR_GLUED.fullmatch(s) or _PAIR_SHORT.fullmatch(s)
        if m is not None:
            first, second = m.group(1), m.group(2)
            short = len(first) == 2
    if first is None or second is None:
        raise _refuse(shown, "write it like 2025-26, 2025-26 Q1, 2024/25, 2025 or Mar 2026")
    start = _year(first)
    if len(second) == 4:
        consecutive = int(second) == start + 1
    else:
        consecutive = int(second) == (start + 1) % 100
    if not consecutive:
        if short and not written_as_year:
            raise _refuse(shown, "write a year like 2025-26 and a month like Mar 2026 or 03/2026")
        raise _refuse(shown, f"the years must be consecutive, like {_like(pair_kind, start)}")
    return start, True


# --- DfE explore-education-statistics ---------------------------------------------

_DFE_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_DFE_QUARTER = _lazy(r"(?:(financial|calendar|academic|tax) year )?q([1-4])")
_DFE_WHOLE_YEAR = _lazy(r"(financial|calendar|academic|tax) year(?: q1-q4)?|q1-q4")


def parse_dfe(time_period: str | int, time_identifier: str, *,
              reporting_year: Literal["year_to_march", "calendar"] = "year_to_march") -> Period:
    """The period of a row of DfE (explore-education-statistics) open data.

    ``time_period`` is six digits for academic and financial years (``202425``) and four
    for calendar years and months (``2024``). ``time_identifier`` is "Academic year",
    "Financial year", "Calendar year", "Financial year Q1".."Q4", "Calendar year Q1"..,
    "Q1".."Q4" (financial when the time period has six digits, calendar when four),
    "Financial year Q1-Q4" (the whole year), "Reporting year", or a month name.

    "Reporting year" is the year a publication chooses. In children's social care data
    (children looked after, in need, on protection plans) it is the year to 31 March,
    so by default ``2024`` becomes the financial year 2023-24; pass
    ``reporting_year="calendar"`` for sources that mean the calendar year.

    Terms, half terms, weeks, tax years, financial year parts, ranges of quarters and
    academic-year quarters have no cypdesk period and are refused.
    """
    tp = str(time_period).strip()
    ident = " ".join(str(time_identifier).split()).lower()
    shown = f'{tp} "{" ".join(str(time_identifier).split())}"'

    def refuse(why: str) -> PeriodError:
        return PeriodError(f"DfE time period {shown} is not a period cypdesk can hold: {why}",
                           time_period=tp, time_identifier=str(time_identifier))

    def pair() -> int:
        if not re.fullmatch(r"\d{6}", tp):
            raise refuse("for this time_identifier the time_period must be six digits, like 202425")
        start = int(tp[:4])
        if int(tp[4:]) != (start + 1) % 100:
            raise refuse(f"the years must be consecutive, like {start}{(start + 1) % 100:02d}")
        return start

    def single() -> int:
        if not re.fullmatch(r"\d{4}", tp):
            raise refuse("for this time_identifier the time_period must be four digits, like 2024")
        return int(tp)

    def make(kind: PeriodKind, year: int, sub: int = 0) -> Period:
        try:
            return Period(kind, year, sub)
        except PeriodError as exc:
            raise refuse(str(exc)) from None

    if ident in _DFE_MONTHS:
        return make(MONTH, single(), _DFE_MONTHS[ident])
    if ident == "reporting year":
        if reporting_year == "calendar":
            return make(CALENDAR_YEAR, single())
        if len(tp) == 6:
            return make(FINANCIAL_YEAR, pair())
        return make(FINANCIAL_YEAR, single() - 1)
    m = _DFE_WHOLE_YEAR.fullmatch(ident)
    if m is not None:
        which = m.group(1) or ("financial" if len(tp) == 6 else "calendar")
        if which == "financial":
            return make(FINANCIAL_YEAR, pair())
        if which == "academic":
            return make(ACADEMIC_YEAR, pair())
        if which == "calendar":
            return make(CALENDAR_YEAR, single())
        raise refuse("tax years (6 April to 5 April) are not supported")
    m = _DFE_QUARTER.fullmatch(ident)
    if m is not None:
        which, q = m.group(1), int(m.group(2))
        if which is None:
            which = "financial" if len(tp) == 6 else "calendar"
        if which == "financial":
            return make(FINANCIAL_QUARTER, pair(), q)
        if which == "calendar":
            return make(CALENDAR_QUARTER, single(), q)
        raise refuse(f"quarters of {which} years are not supported")
    if "term" in ident:
        raise refuse("school terms are not supported")
    raise refuse("this time_identifier is not one cypdesk knows")
