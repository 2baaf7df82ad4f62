"""The rules of the needs assessment, stated once (the window and board papers show
the method with the result): how a value compares with England (or with the trust,
for a locality), how the trust ranks among its statistical neighbours, and which way
its trend goes; and how values and periods are written out.

Pure functions over numbers: no SQL, no Qt. :mod:`cypdesk.services.needs` reads the
document and applies them.

**Against England** (:func:`compare_with_england`; a locality is compared with the
trust by the same rules, ``against`` naming the trust):

- with a confidence interval, as Fingertips does it: *significantly* better or worse
  when the interval excludes England's value, taking polarity into account; *similar*
  when England's value lies inside the interval **or on either of its limits** (an
  interval that touches England's value does not exclude it). The interval is the
  95% one, or the 99.8% one when the officer chose that level and the value has it
  (a value without a 99.8% interval falls back to its 95% one, and says so); the
  result names the level it used ("Higher than England (99.8% CI)");
- with no interval (or only one limit): **by the trust's own rule**, not a Fingertips
  method: *similar* when the value is within
  ±``tolerance_pct`` (default 5%) of England's value, **the boundary counting as
  similar**; otherwise better or worse by polarity. The method says so;
- not compared: a suppressed value (any marker, ``:`` included: the method names it)
  or a missing one, no England value for the same period (or a suppressed one), or an
  indicator whose polarity is "no judgement" (its ``direction`` still says whether it
  is higher, lower or similar, by the same test). In
  :func:`~cypdesk.services.needs.indicator_summaries`, counts (unit ``count``) are
  neither compared nor ranked: a number of children says more about the size of an
  area than its needs.

**Among the statistical neighbours** (:func:`neighbour_rank`): the trust is ranked
with the neighbours that have a value for the same period (neighbours without one
are left out and counted); rank 1 is the best (for "no judgement", the highest).
Ties share the best rank ("competition" ranking: 1, 2, 2, 4), values being equal
when they are equal at the indicator's decimal places. The quartile of rank *r* of
*n* areas is ``ceil(4r / n)``: quartile 1 holds the best quarter (rank ≤ n/4). For the
trust and 6 neighbours (n = 7): rank 1 is quartile 1, ranks 2-3 quartile 2, ranks
4-5 quartile 3, ranks 6-7 quartile 4. No quartile is given for fewer than 4 areas.

**Trend** (:func:`trend_direction`): the trust's last five values (at least three;
suppressed years are skipped), a least-squares straight line through them, and the
change that line makes from the first to the last of them. The change is real when
it is larger than the values' typical uncertainty: the mean half-width of their 95%
confidence intervals, or, with no intervals, ``tolerance_pct`` of their mean. Then
"improving" or "worsening" by polarity ("increasing" or "decreasing" for "no
judgement"); otherwise "no clear change".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from cypdesk.model.catalog import CATALOG

DEFAULT_TOLERANCE_PCT = 5.0  # the rules' own default; the services use the document's setting (services/settings.py)
TREND_POINTS = 5
TREND_MIN_POINTS = 3
CI_METHOD = "95% confidence interval"
CI_998_METHOD = "99.8% confidence interval"
LEVELS = ("95", "99.8")  # the confidence levels the officer can compare by
DEFAULT_LEVEL = "95"
# Without an interval the comparison is the trust's own convention, not Fingertips'.
TRUST_RULE_START = "by the trust's own rule"
TRUST_RULE_SHORT = "trust's rule"
COUNT_NOT_COMPARED = "no comparison: a count (a number of children depends on the size of the area)"
COUNT_NOT_RANKED = "not ranked: a count depends on the size of the area"

RATINGS = ("better", "similar", "worse", "not_compared")
RATING_PHRASES = {"better": "Better than England", "similar": "Similar to England",
                  "worse": "Worse than England", "not_compared": "Not compared with England"}

def _choices(kind: str, name: str) -> dict[str, str]:
    for spec in CATALOG[kind]["fields"]:
        if spec["name"] == name:
            return {value: label for value, label in spec.get("choices") or ()}
    return {}


UNIT_LABELS = _choices("indicators", "unit")
POLARITY_LABELS = _choices("indicators", "polarity")


# --- formatting ---------------------------------------------------------------------------

def format_value(value: float | None, unit: str | None, decimals: int | None = 1) -> str:
    """An indicator value as an officer reads it: ``27.3%``, ``£1,234``, ``70.2``;
    ``None`` -> ``""``. Rates and counts carry no unit here (the indicator's name and
    the column say per how many)."""
    if value is None:
        return ""
    from cypdesk.common import formats

    places = 1 if decimals is None else max(int(decimals), 0)
    if unit == "percent":
        return formats.percent(value, places)
    if unit == "pounds":
        return formats.money(value, pence=places > 0)
    return formats.number(value, places)


@lru_cache(maxsize=512)
def period_label(key: str | None) -> str:
    """``FY2025`` -> ``2025-26``; text that is not a key is shown as it is."""
    if not key:
        return ""
    from cypdesk.common.periods import Period

    try:
        return Period.from_key(key).label()
    except ValueError:
        return key


# --- comparison with England ----------------------------------------------------------------

class EnglandComparison(NamedTuple):
    rating: str  # better, similar, worse, not_compared
    method: str  # how it was decided, in words
    direction: str | None = None  # higher, lower or similar than England, whatever the polarity
    basis: str | None = None  # the test behind ``direction`` (also for "no judgement")
    level: str | None = None  # the interval used: "95" or "99.8"; None: the trust's own rule, or no comparison
    against: str = "England"  # what the value was compared with (a locality: the trust)

    @property
    def phrase(self) -> str:
        """``Worse than England``; for "no judgement", ``Higher than England`` when known."""
        if self.rating == "not_compared" and self.direction in ("higher", "lower"):
            return f"{self.direction.capitalize()} than {self.against} (no judgement)"
        if self.rating == "not_compared" and self.direction == "similar":
            return f"Similar to {self.against} (no judgement)"
        if self.against != "England":
            return RATING_PHRASES[self.rating].replace("England", self.against)
        return RATING_PHRASES[self.rating]

    @property
    def level_text(self) -> str:
        """How it was compared, in a few words: ``99.8% CI``, ``95% CI``, ``trust's rule``;
        ``""`` when it was not compared at all."""
        if self.level is not None:
            return f"{self.level}% CI"
        return TRUST_RULE_SHORT if self.basis is not None and self.basis.startswith(TRUST_RULE_START) else ""

    @property
    def phrase_with_level(self) -> str:
        """``Higher than England (99.8% CI)``, ``Similar to England (trust's rule)``."""
        return f"{self.phrase} ({self.level_text})" if self.level_text else self.phrase


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _interval(lower: float | None, upper: float | None, lower_998: float | None, upper_998: float | None,
              level: str) -> tuple[float, float, str, str] | None:
    """The interval to compare by: (low, high, level, method), or None (no interval)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    has_95 = lower is not None and upper is not None
    has_998 = lower_998 is not None and upper_998 is not None
    if level == "99.8" and has_998:
        return min(lower_998, upper_998), max(lower_998, upper_998), "99.8", CI_998_METHOD  # type: ignore[type-var]
    if has_95:
        method = CI_METHOD if level == "95" else f"{CI_METHOD} (this value has no 99.8% interval)"
        return min(lower, upper), max(lower, upper), "95", method  # type: ignore[type-var]
    return None


def compare_with_england(value: float | None, lower: float | None, upper: float | None, england: float | None,
                         polarity: str | None, *, tolerance_pct: float = DEFAULT_TOLERANCE_PCT,
                         suppressed: str | None = None, lower_998: float | None = None,
                         upper_998: float | None = None, level: str = DEFAULT_LEVEL, against: str = "England",
                         benchmark_suppressed: str | None = None) -> EnglandComparison:
    """A value against England's (or, with ``against``, another benchmark's, such as
    the trust's for a locality): see the module's rules. ``level`` is the interval the
    officer chose ("95" or "99.8"); a value without that interval falls back to its
    95% one, then to the trust's own rule, and the method says which was used."""
    if suppressed:  # any marker, whatever else the row holds
        return EnglandComparison("not_compared", f"no comparison: suppressed ({suppressed})", against=against)
    if value is None:
        return EnglandComparison("not_compared", "no comparison: no value", against=against)
    if england is None:
        why = f"{against}'s value is suppressed ({benchmark_suppressed})" if benchmark_suppressed else \
            f"no {against} value"
        return EnglandComparison("not_compared", f"no comparison: {why}", against=against)
    interval = _interval(lower, upper, lower_998, upper_998, level)
    used: str | None = None
    if interval is not None:
        lo, hi, used, basis = interval
        # The benchmark on a limit is inside the interval: not excluded, so similar.
        direction = "higher" if lo > england and not _close(lo, england) else (
            "lower" if hi < england and not _close(hi, england) else "similar")
    else:
        tol = abs(float(tolerance_pct))
        band = abs(england) * tol / 100.0
        diff = value - england
        basis = (f"{TRUST_RULE_START}: similar if within ±{tol:g}% of {against} (no confidence interval; "
                 "not a Fingertips method)")
        if abs(diff) <= band or _close(abs(diff), band):
            direction = "similar"
        else:
            direction = "higher" if diff > 0 else "lower"
    if polarity not in ("higher_better", "lower_better"):
        return EnglandComparison("not_compared", "no comparison: no judgement polarity", direction, basis, used,
                                 against)
    if direction == "similar":
        rating = "similar"
    elif (direction == "higher") == (polarity == "higher_better"):
        rating = "better"
    else:
        rating = "worse"
    return EnglandComparison(rating, basis, direction, basis, used, against)


# --- rank among neighbours -------------------------------------------------------------------

class NeighbourRank(NamedTuple):
    rank: int | None  # 1 = best (highest for "no judgement"); None: not ranked
    of: int  # areas ranked: the trust and the neighbours with a value
    quartile: int | None  # 1 = the best quarter
    tied: int  # neighbours with the same value as the trust
    missing: int  # neighbours without a value for the period
    method: str

    @property
    def text(self) -> str:
        """``2nd of 7 · Q2``, ``3rd= of 7 · Q2`` (short, for a table cell)."""
        if self.rank is None:
            return "Not ranked"
        out = f"{_ordinal(self.rank)}{'=' if self.tied else ''} of {self.of}"
        if self.quartile is not None:
            out += f" · Q{self.quartile}"
        return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def quartile_of(rank: int, of: int) -> int | None:
    """``ceil(4 * rank / of)``: quartile 1 is the best quarter; None under 4 areas."""
    if of < 4 or rank < 1:
        return None
    return min(4, max(1, math.ceil(4 * rank / of)))


def neighbour_rank(value: float | None, neighbour_values: Iterable[float | None], polarity: str | None, *,
                   decimals: int | None = None) -> NeighbourRank:
    """The trust's rank among its statistical neighbours: see the module's rules."""
    given = list(neighbour_values)
    present = [v for v in given if v is not None]
    missing = len(given) - len(present)
    gap = f"; {missing} of {len(given)} neighbours have no value" if missing else ""
    if value is None:
        return NeighbourRank(None, 0, None, 0, missing, "not ranked: no value for the trust")
    if not present:
        return NeighbourRank(None, 1, None, 0, missing, "not ranked: no neighbour has a value" + gap)

    def key(v: float) -> float:
        return round(v, decimals) if decimals is not None else v

    mine = key(value)
    others = [key(v) for v in present]
    ahead_is_higher = polarity != "lower_better"
    ahead = sum(1 for v in others if (v > mine if ahead_is_higher else v < mine))
    tied = sum(1 for v in others if v == mine)
    rank = ahead + 1
    of = len(present) + 1
    quartile = quartile_of(rank, of)
    order = "1 = best" if polarity in ("higher_better", "lower_better") else "1 = highest (no judgement)"
    method = f"rank among the trust and {len(present)} neighbour{'s' if len(present) != 1 else ''} with a value, {order}"
    if tied:
        method += f"; tied with {tied} (equal at {decimals} decimal places)" if decimals is not None else f"; tied with {tied}"
    if quartile is not None:
        method += f"; quartile = ceil(4 × rank ÷ {of}), 1 = the {'best' if order == '1 = best' else 'highest'} quarter"
    else:
        method += "; no quartile for fewer than 4 areas"
    return NeighbourRank(rank, of, quartile, tied, missing, method + gap)


# --- trend ----------------------------------------------------------------------------------

class TrendDirection(NamedTuple):
    word: str  # improving, worsening, no clear change, increasing, decreasing, not enough data
    method: str
    points: int
    change: float | None = None  # the fitted line's change from the first to the last point


def trend_direction(series: Sequence[tuple[float, float | None, float | None]], polarity: str | None, *,
                    tolerance_pct: float = DEFAULT_TOLERANCE_PCT) -> TrendDirection:
    """The direction of the trust's recent values (oldest first, each ``(value, lower,
    upper)``): see the module's rules. Only the last :data:`TREND_POINTS` count."""
    points = [p for p in series if p[0] is not None][-TREND_POINTS:]
    n = len(points)
    if n < TREND_MIN_POINTS:
        return TrendDirection("not enough data", f"a trend needs at least {TREND_MIN_POINTS} values; "
                              f"{'there is' if n == 1 else 'there are'} {n}", n)
    ys = [float(p[0]) for p in points]
    mean_x = (n - 1) / 2
    mean_y = sum(ys) / n
    slope = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(ys)) / sum((i - mean_x) ** 2 for i in range(n))
    change = slope * (n - 1)
    widths = [abs(p[2] - p[1]) / 2 for p in points if p[1] is not None and p[2] is not None]
    if widths:
        threshold = sum(widths) / len(widths)
        against = "the mean half-width of their 95% confidence intervals"
    else:
        threshold = abs(mean_y) * abs(tolerance_pct) / 100
        against = f"{abs(tolerance_pct):g}% of their mean (no confidence intervals)"
    line = f"a straight line through the last {n} values changes by {_g(change)}"
    if abs(change) <= threshold:
        return TrendDirection("no clear change", f"{line}, no more than {_g(threshold, False)} ({against})", n, change)
    method = f"{line}, more than {_g(threshold, False)} ({against})"
    up = change > 0
    if polarity == "higher_better":
        word = "improving" if up else "worsening"
    elif polarity == "lower_better":
        word = "worsening" if up else "improving"
    else:
        word = "increasing" if up else "decreasing"
    return TrendDirection(word, method, n, change)


def _g(x: float, sign: bool = True) -> str:
    """A number in a rule's words: three significant figures (whole numbers from 1,000)."""
    spec = ("+" if sign else "") + (",.0f" if abs(x) >= 1000 else ".3g")
    return format(x, spec)
