"""A spreadsheet or CSV cell's value for a field's kind (issue 9, item 6; reliability
anchors 48-50). No model, no services: plain Python values in and out.

:func:`convert` takes what the reader gave (text from a CSV; text, float, int, bool,
date, datetime or time from a workbook) and returns the value for a field kind of
:data:`cypdesk.model.fields.KINDS`, ``None`` for a blank, a :class:`Suppressed` for a
suppression marker in a numeric kind, or raises :class:`CellProblem` whose text is the
reason in plain words. The rules, in one place:

Blanks
    ``None``, ``""`` and text of spaces only (non-breaking spaces too) are blank in every
    kind; :func:`is_blank_like` says when a cell that is not empty is read as blank, so
    the importer can report it. ``n/a`` and ``N/A`` are blank in every kind. ``NA``,
    ``None``, ``NULL`` and ``-`` are blank in kinds that are not text; in text kinds
    they are kept as written (a provider may be called ``NA``), except ``-``.
Suppression markers
    ``c x .. * - z :`` (any case, or in square brackets as ONS writes them: ``[c]``) in
    money, number, percent and integer kinds are :class:`Suppressed` with the marker,
    never zero and never blank.
Excel's error cells
    ``#N/A``, ``#DIV/0!``, ``#VALUE!``, ``#REF!``, ``#NAME?``, ``#NUM!``, ``#NULL!`` (and
    the newer ``#SPILL!``, ``#CALC!``, ``#GETTING_DATA``) are refused in every kind, quoting
    the error, whatever the kind.
Money
    :func:`cypdesk.common.formats.parse_money`: ``£1,234.50``, ``1.2m``, ``£3.4k``,
    ``(500)``, ``-£5``, ``GBP 100``; commas must group thousands. Returned as a float.
Numbers
    ``1,234.5``, ``(500)``, ``-12``, ``12.5%`` (the number before the sign).
Percentages
    Returned as the percentage NUMBER (12.5 means 12.5 per cent, as
    :func:`cypdesk.common.formats.percent` writes it). Text ``12.5%`` is 12.5. A bare
    number is taken as written (``12.5`` is 12.5), unless the caller says the cell
    holds a fraction with ``fraction=True`` (an Excel cell formatted as a percentage
    stores 0.125 and shows 12.5%; :attr:`cypdesk.io.workbook.Sheet.percent_cells`
    says which cells are so formatted): then 0.125 is 12.5. Text without ``%`` is never
    scaled.
Dates
    Workbook dates and datetimes as they are; Excel serial numbers (a number in a date
    column, or digits in a CSV) in the 1900 system, where serial 60 (29 February 1900,
    which never existed) is refused, or the 1904 system with ``date1904=True``; text
    day first (``31/03/2026``, ``31-Mar-26``, ``22-Jul-2013``, ``2026-03-31``), by
    :func:`cypdesk.common.formats.parse_date_uk`, so ``03/31/2026`` is refused with the
    reason. A whole number from 1900 to 2100 is refused as a year, not a date. Dates
    before 1900 or after 2100 are refused as implausible.
Periods and financial years
    Every form :func:`cypdesk.common.periods.parse_period` reads, plus DfE's six-digit
    codes (``201718``, also as the number 201718.0 Excel stores) and ``2017/18``. A
    pair of years is a financial year unless ``hint="academic"``. A period is returned
    as its key (``FY2017``); a financial year as its start year (2017). A date in a
    period column (Excel turns typed ``Mar 2026`` into 1 March 2026) is its month.
Identifiers
    Text exactly as written, spaces around trimmed. A number Excel stored is written
    without a trailing ``.0`` (LA code 926 arrives as 926.0: it is ``"926"``); a stored
    number with more than 15 significant digits, or text in Excel's scientific notation
    (``1.23457E+19``), is refused: "precision lost in Excel".
Text
    Numbers written back as Excel showed them (926.0 is ``"926"``), dates as
    ``31/03/2026``; spaces around trimmed (not in long text); Windows line ends made
    plain.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "SUPPRESSION_MARKERS",
    "CellProblem",
    "ERROR_CELLS",
    "Suppressed",
    "blank_note",
    "convert",
    "is_blank_like",
    "parse_number",
]

SUPPRESSION_MARKERS = ("c", "x", "..", "*", "-", "z", ":")

#: Excel's error values, with what they mean in plain words.
ERROR_CELLS = {
    "#N/A": "no value available",
    "#DIV/0!": "a division by zero",
    "#VALUE!": "a formula given the wrong kind of value",
    "#REF!": "a formula referring to a cell that was deleted",
    "#NAME?": "a formula with a name Excel does not know",
    "#NUM!": "a number too large or impossible",
    "#NULL!": "a formula with ranges that do not meet",
    "#SPILL!": "a formula whose results could not spill",
    "#CALC!": "a formula that could not be calculated",
    "#GETTING_DATA": "a value Excel was still fetching",
}

NUMERIC_KINDS = frozenset({"money", "number", "percent", "integer"})
TEXT_KINDS = frozenset({"text", "long_text", "identifier", "email", "reference", "stamp"})
_ALWAYS_BLANK = frozenset({"n/a"})
_BLANK_UNLESS_TEXT = frozenset({"na", "none", "null", "-", "n.a."})
_MARKERS = {m: m for m in SUPPRESSION_MARKERS}
_MARKERS.update({f"[{m}]": m for m in SUPPRESSION_MARKERS if m not in ("..", "-", ":")})
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\ufeff": ""})
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_SCIENTIFIC = re.compile(r"[-+]?\d(?:\.\d+)?e\+?\d+", re.IGNORECASE)
_DFE_YEAR = re.compile(r"(\d{4})(\d{2})")
_FLOAT_KINDS = frozenset({"money", "number", "percent"})
_PLAIN_TEXT_KINDS = frozenset({"text", "reference", "stamp"})
_PLAIN_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,15})?")       # "94.7261", "-12": float() reads it exactly
PLAIN_NUMBER = _PLAIN_NUMBER  # a figure a number kind reads with float() alone (importing.columns)
_SPECIAL_START = frozenset(" \t\n\u00a0\u2009\u202f\u2007\ufeff#[")   # spaces, error cells, [c] markers
_SPECIAL_END = frozenset(" \t\n\u00a0\u2009\u202f\u2007\ufeff")
_PLAIN_INTEGER = re.compile(r"-?\d{1,15}")
_TEXT_BLANKS = frozenset({"n/a"})
_MIN_DATE = _dt.date(1900, 1, 1)
_MAX_DATE = _dt.date(2100, 12, 31)
MAX_EXACT_DIGITS = 15           # Excel keeps 15 significant digits of a number


@dataclass(frozen=True)
class Suppressed:
    """A value the source withheld, with the marker it showed instead."""

    marker: str                   # one of c x .. * - z :

    def __str__(self) -> str:
        return self.marker


class CellProblem(ValueError):
    """A cell that cannot be read as the field's kind; ``str(exc)`` is the reason in
    plain words (it never names the file or cell: the caller knows where it is)."""


# --- blanks ----------------------------------------------------------------------------

def _clean(text: str) -> str:
    return text.translate(_SPACES).strip()


def is_blank_like(raw: Any, kind: str = "text") -> bool:
    """True when a cell that is NOT empty is read as blank by :func:`convert` for
    ``kind``: spaces only, ``n/a``, and (outside text kinds) ``NA``, ``None``, ``NULL``,
    ``-`` where ``-`` is not a suppression marker. The importer reports these."""
    if not isinstance(raw, str) or raw == "":
        return False
    s = _clean(raw).lower()
    if not s or s in _ALWAYS_BLANK:
        return True
    if kind in TEXT_KINDS:
        return s == "-"
    if kind in NUMERIC_KINDS and s in _MARKERS:
        return False
    return s in _BLANK_UNLESS_TEXT


def blank_note(raw: Any, kind: str = "text") -> str | None:
    """Why a cell that is not empty was read as blank, in plain words, or None."""
    if not is_blank_like(raw, kind):
        return None
    if not _clean(raw):
        return "the cell holds only spaces: read as blank"
    return f'"{_clean(raw)}" read as blank'


# --- numbers ----------------------------------------------------------------------------

def _float_text(value: float) -> str:
    """A stored number as Excel shows it in General format: 926.0 -> "926"."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _to_float(d: Decimal) -> float:
    f = float(d)
    if math.isinf(f):
        raise CellProblem("the number is too large")
    return f


def parse_number(text: str) -> Decimal:
    """A number written as text: ``1,234.5``, ``-12``, ``(500)`` (negative), ``12.5%``
    (12.5), ``1.5e3``; commas must group thousands. Raises :class:`CellProblem`."""
    shown = " ".join(text.split())
    s = _clean(text).translate(_MINUS).replace(" ", "").lower()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.fullmatch(s):
        raise CellProblem(f'"{shown}" is not a number')
    body = s.lstrip("+-")
    mantissa = body.split("e")[0]
    if "," in mantissa and not _GROUPED.fullmatch(mantissa):
        raise CellProblem(f'"{shown}" is not a number: the commas must separate thousands, like 1,234,567.89')
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:
        raise CellProblem(f'"{shown}" is not a number') from None
    if negative:
        if value < 0:
            raise CellProblem(f'"{shown}" is not a number: it is both in brackets and negative')
        value = -value
    return value


def _number_of(raw: Any, shown_kind: str) -> Decimal:
    if isinstance(raw, bool):
        raise CellProblem(f"{'TRUE' if raw else 'FALSE'} is yes or no, not {shown_kind}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            raise CellProblem(f"{raw!r} is not {shown_kind}")
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, (_dt.date, _dt.time)):
        raise CellProblem(f"{_text_of(raw)} is a date or time, not {shown_kind}")
    return parse_number(str(raw))


# --- dates ------------------------------------------------------------------------------

def _serial_date(serial: float | Decimal, date1904: bool, shown: str) -> _dt.date:
    from cypdesk.common.formats import FormatError, excel_serial_to_date

    if 1900 <= serial <= 2100 and float(serial).is_integer():
        raise CellProblem(f"{shown} looks like a year, not a date: write the whole date, like 31/03/{int(serial)}")
    try:
        return excel_serial_to_date(serial, epoch1904=date1904)
    except FormatError as exc:
        raise CellProblem(str(exc)) from None


def _plausible(day: _dt.date, shown: str) -> _dt.date:
    if not _MIN_DATE <= (day.date() if isinstance(day, _dt.datetime) else day) <= _MAX_DATE:
        raise CellProblem(f"{shown} is not a plausible date: it is {_uk(day)}, outside the years 1900 to 2100")
    return day


def _uk(day: _dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _date_of(raw: Any, date1904: bool) -> _dt.date:
    from cypdesk.common.formats import FormatError, parse_date_uk

    if isinstance(raw, _dt.datetime):
        return _plausible(raw.date(), _uk(raw))
    if isinstance(raw, _dt.date):
        return _plausible(raw, _uk(raw))
    if isinstance(raw, _dt.time):
        raise CellProblem(f"{raw.strftime('%H:%M')} is a time of day, not a date")
    if isinstance(raw, bool):
        raise CellProblem(f"{'TRUE' if raw else 'FALSE'} is yes or no, not a date")
    if isinstance(raw, (int, float, Decimal)):
        shown = _float_text(float(raw))
        return _plausible(_serial_date(raw, date1904, shown), f"Excel date number {shown}")
    text = " ".join(str(raw).split())
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _plausible(_serial_date(Decimal(text), date1904, f'"{text}"'), f'Excel date number "{text}"')
    try:
        day = parse_date_uk(text)
    except FormatError as exc:
        raise CellProblem(str(exc)) from None
    return _plausible(day, f'"{text}"')


def _datetime_of(raw: Any, date1904: bool) -> _dt.datetime:
    from cypdesk.common.formats import excel_serial_to_date

    if isinstance(raw, _dt.datetime):
        _plausible(raw.date(), _uk(raw))
        return raw
    if isinstance(raw, _dt.date):
        return _dt.datetime.combine(_plausible(raw, _uk(raw)), _dt.time())
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        day = _date_of(raw, date1904)
        fraction = float(raw) - math.floor(float(raw))
        return _dt.datetime.combine(day, _dt.time()) + _dt.timedelta(seconds=round(fraction * 86400))
    text = " ".join(str(raw).split())
    try:
        value = _dt.datetime.fromisoformat(text)
    except ValueError:
        m = re.fullmatch(r"(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?", text)
        day = _date_of(m.group(1) if m else text, date1904)
        if m is None:
            return _dt.datetime.combine(day, _dt.time())
        h, mi, se = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
        if h > 23 or mi > 59 or se > 59:
            raise CellProblem(f'"{text}" is not a date and time: the time {m.group(2)}:{m.group(3)} does not exist')
        return _dt.datetime.combine(day, _dt.time(h, mi, se))
    _plausible(value.date(), f'"{text}"')
    return value


# --- text ---------------------------------------------------------------------------------

def _text_of(raw: Any) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, _dt.datetime):
        if raw.time() == _dt.time():
            return _uk(raw)
        return f"{_uk(raw)} {raw.hour:02d}:{raw.minute:02d}"
    if isinstance(raw, _dt.date):
        return _uk(raw)
    if isinstance(raw, _dt.time):
        return raw.strftime("%H:%M")
    return str(raw)


def _identifier_of(raw: Any) -> str:
    if isinstance(raw, bool):
        raise CellProblem(f"{'TRUE' if raw else 'FALSE'} is yes or no, not a code or number")
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            raise CellProblem(f"{raw!r} is not a code")
        digits = Decimal(repr(raw)).normalize().as_tuple().digits
        if raw.is_integer() and abs(raw) >= 10 ** MAX_EXACT_DIGITS or len(digits) > MAX_EXACT_DIGITS:
            raise CellProblem(
                f"{_float_text(raw)} was stored by Excel as a number of more than {MAX_EXACT_DIGITS} digits, so "
                "precision lost in Excel: its last digits are not the code. Format the column as Text in the "
                "source, type the codes again, and import again")
        return _float_text(raw)
    text = _clean(str(raw))
    if _SCIENTIFIC.fullmatch(text):
        raise CellProblem(
            f'"{text}" is a code Excel wrote in scientific notation, so precision lost in Excel: the digits '
            "are not all there. Format the column as Text in the source and import again")
    return text


# --- the entry point ------------------------------------------------------------------------

def _marker(s: str) -> str | None:
    return _MARKERS.get(s.lower())


def convert(kind: str, raw: Any, *, date1904: bool = False, choices: Any = None,
            fraction: bool = False, hint: str | None = None) -> Any:
    """The value of a cell for a field of ``kind`` (see the module's notes for every
    rule). ``date1904``: the workbook counts dates from 1904. ``choices``: a
    :class:`cypdesk.model.fields.Choices` (or values) the value must be one of.
    ``fraction``: a number in a percent kind is a fraction (the cell is formatted as a
    percentage). ``hint``: what a pair of years means in a period (``"financial"``,
    the default, or ``"academic"``). Returns None for a blank, :class:`Suppressed` for a
    suppression marker in a numeric kind; raises :class:`CellProblem` with the reason."""
    if raw is None:
        return None
    # fast paths (an import converts every cell): a number in a numeric kind, plain text
    cls = type(raw)
    if cls is float and kind in _FLOAT_KINDS and choices is None and not fraction and raw - raw == 0.0:
        return raw
    if cls is str:
        if kind in _FLOAT_KINDS and choices is None and _PLAIN_NUMBER.fullmatch(raw):
            return float(raw)
        if kind == "integer" and choices is None and _PLAIN_INTEGER.fullmatch(raw):
            return int(raw)
        if kind == "period" and choices is None:
            return _period_text(raw, hint)
        if kind in _PLAIN_TEXT_KINDS and choices is None and raw[:1] not in _SPECIAL_START \
                and raw[-1:] not in _SPECIAL_END and "\r" not in raw and len(raw) > 2 \
                and raw.lower() not in _TEXT_BLANKS:
            return raw
    if isinstance(raw, str):
        s = _clean(raw)
        if not s:
            return None
        if s[0] == "#" and s.upper() in ERROR_CELLS:
            raise CellProblem(f"the cell holds Excel's error {s.upper()} ({ERROR_CELLS[s.upper()]}), not a value: "
                              "correct it in the source")
        low = s.lower()
        if low in _ALWAYS_BLANK:
            return None
        if kind in NUMERIC_KINDS:
            marker = _marker(low)
            if marker is not None:
                return Suppressed(marker)
        if kind in TEXT_KINDS or kind == "choice":
            if low == "-":
                return None
        elif low in _BLANK_UNLESS_TEXT:
            return None
    if choices is not None or kind == "choice":
        return _choice_of(raw, choices)
    reader = _READERS.get(kind)
    if reader is None:
        raise ValueError(f"unknown field kind {kind!r}")
    return reader(raw, date1904=date1904, fraction=fraction, hint=hint)


def _choice_of(raw: Any, choices: Any) -> str:
    text = _clean(_text_of(raw))
    if choices is None:
        return text
    lookup = getattr(choices, "lookup", None)
    items = getattr(choices, "items", None)
    if lookup is not None:
        if text in choices:
            return text
        found = lookup(text)
        if found is not None:
            return found
        allowed = ", ".join(label for _, label in items)
    else:
        values = list(choices)
        for v in values:
            if " ".join(str(v).split()).casefold() == " ".join(text.split()).casefold():
                return v
        allowed = ", ".join(str(v) for v in values)
    raise CellProblem(f'"{text}" is not one of: {allowed}')


def _text(raw: Any, **_: Any) -> str:
    return _clean(_text_of(raw)).replace("\r\n", "\n").replace("\r", "\n")


def _long_text(raw: Any, **_: Any) -> str:
    return _text_of(raw).replace("\r\n", "\n").replace("\r", "\n")


def _identifier(raw: Any, **_: Any) -> str:
    return _identifier_of(raw)


def _email(raw: Any, **_: Any) -> str:
    text = _text(raw)
    if "@" not in text:
        raise CellProblem(f'"{text}" is not an email address')
    return text


def _money(raw: Any, **_: Any) -> float:
    from cypdesk.common.formats import FormatError, parse_money

    if isinstance(raw, str):
        try:
            return _to_float(parse_money(raw))
        except FormatError as exc:
            raise CellProblem(str(exc)) from None
    return _to_float(_number_of(raw, "an amount of money"))


def _number(raw: Any, **_: Any) -> float:
    return _to_float(_number_of(raw, "a number"))


def _percent(raw: Any, *, fraction: bool = False, **_: Any) -> float:
    value = _number_of(raw, "a percentage")
    if fraction and not isinstance(raw, str):
        value = value * 100
    return _to_float(value)


def _integer(raw: Any, **_: Any) -> int:
    value = _number_of(raw, "a whole number")
    if value != value.to_integral_value():
        raise CellProblem(f"{_text_of(raw).strip()} is not a whole number")
    return int(value)


def _quarter(raw: Any, **_: Any) -> int:
    if isinstance(raw, str):
        s = _clean(raw).upper().replace(" ", "")
        for prefix in ("QUARTER", "QTR", "Q"):
            if s.startswith(prefix):
                s = s[len(prefix):]
                break
        raw = s
    try:
        q = _integer(raw)
    except CellProblem:
        raise CellProblem(f'"{_text_of(raw)}" is not a quarter: write 1 to 4 or Q1 to Q4') from None
    if not 1 <= q <= 4:
        raise CellProblem(f"quarter {q} does not exist: quarters are 1 to 4")
    return q


def _bool(raw: Any, **_: Any) -> bool:
    from cypdesk.common.formats import FormatError, parse_bool

    if isinstance(raw, float) and raw in (0.0, 1.0):
        return bool(raw)
    if isinstance(raw, (_dt.date, _dt.time)):
        raise CellProblem(f"{_text_of(raw)} is a date, not yes or no")
    try:
        return parse_bool(raw if isinstance(raw, (bool, int)) else _clean(str(raw)))
    except FormatError as exc:
        raise CellProblem(str(exc)) from None


def _year_text(raw: Any) -> str:
    """A period written as a number (201718.0 from Excel, 2025) as its digits."""
    if isinstance(raw, bool):
        raise CellProblem(f"{'TRUE' if raw else 'FALSE'} is yes or no, not a period")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellProblem(f"{raw!r} is not a period: write one like 2025-26, 2025-26 Q1 or Mar 2026")
        return str(int(raw))
    return _clean(str(raw))


def _financial_year(raw: Any, **_: Any) -> int:
    from cypdesk.common.periods import PeriodError, parse_financial_year

    if isinstance(raw, int) and not isinstance(raw, bool):
        if 1000 <= raw <= 9998:
            return raw
    if isinstance(raw, (_dt.date, _dt.time)):
        raise CellProblem(f"{_text_of(raw)} is a date, not a financial year: write one like 2025-26")
    text = _year_text(raw)
    if isinstance(raw, float) and re.fullmatch(r"\d{4}", text):
        return int(text)
    try:
        return parse_financial_year(text)
    except PeriodError as exc:
        raise CellProblem(str(exc)) from None


def _period(raw: Any, *, hint: str | None = None, date1904: bool = False, **_: Any) -> str:
    from cypdesk.common.periods import MONTH, Period, PeriodError, parse_period

    if isinstance(raw, Period):
        return raw.key()
    if isinstance(raw, (_dt.date, _dt.datetime)):
        day = raw.date() if isinstance(raw, _dt.datetime) else raw
        _plausible(day, _uk(day))
        return Period(MONTH, day.year, day.month).key()
    if isinstance(raw, _dt.time):
        raise CellProblem(f"{_text_of(raw)} is a time of day, not a period")
    text = _year_text(raw)
    m = _DFE_YEAR.fullmatch(text)
    if m is not None and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        text = f"{m.group(1)}/{m.group(2)}"  # DfE's code 201718 is the year pair 2017/18
    try:
        return parse_period(text, hint=hint).key()
    except PeriodError as exc:
        raise CellProblem(str(exc)) from None


@functools.lru_cache(maxsize=4096)
def _period_text(raw: str, hint: str | None) -> Any:
    """A period written as text, remembered: a column repeats a few periods many times."""
    return _period_or_blank(raw, hint)


def _period_or_blank(raw: str, hint: str | None) -> Any:
    s = _clean(raw)
    if s[:1] == "#" and s.upper() in ERROR_CELLS:
        raise CellProblem(f"the cell holds Excel's error {s.upper()} ({ERROR_CELLS[s.upper()]}), not a value: "
                          "correct it in the source")
    low = s.lower()
    if not s or low in _ALWAYS_BLANK or low in _BLANK_UNLESS_TEXT:
        return None
    return _period(s, hint=hint)


@functools.lru_cache(maxsize=4096)
def _date_text(raw: str, date1904: bool) -> _dt.date:
    return _date_of(raw, date1904)


def _date(raw: Any, *, date1904: bool = False, **_: Any) -> _dt.date:
    if type(raw) is str:
        return _date_text(raw, date1904)
    return _date_of(raw, date1904)


def _datetime(raw: Any, *, date1904: bool = False, **_: Any) -> _dt.datetime:
    return _datetime_of(raw, date1904)


_READERS = {
    "text": _text, "reference": _text, "stamp": _text, "long_text": _long_text,
    "identifier": _identifier, "email": _email, "money": _money, "number": _number,
    "percent": _percent, "integer": _integer, "quarter": _quarter, "bool": _bool,
    "financial_year": _financial_year, "period": _period, "date": _date, "datetime": _datetime,
    "choice": _text,
}
