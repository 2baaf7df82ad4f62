"""Monitoring (framework step 9): ratings of performance measures, the action plan, the
risk register, and what is due for review.

Everything is read with plain SQL into tuples (through
:func:`cypdesk.services.service_map.query_rows`, so a ``sqlite3`` connection, an engine
or a workspace will do); the few writes go through :mod:`cypdesk.services.records` and
return a :class:`~cypdesk.services.records.Change` for undo. No Qt here.

The rules, stated once (the window's hover text and the board paper quote them):

**Comparison.** A measure compares its *actual* for a period with its *target*, in the
direction of its *polarity* (higher is better, or lower is better). How far the actual
is *worse* than the target is the *shortfall* (negative when it is better). The
*tolerance* is given by the measure either as a percentage of the target
(``percent``: 5 means 5% of the target, taken of the target's size, so a negative
target gives a positive tolerance) or as an absolute amount (``absolute``, in the
measure's unit; for a measure in % it is percentage points). No tolerance recorded
means a tolerance of nothing.

**RAG.** Green when the actual is on or better than the target (shortfall 0 or less);
amber when it is worse than the target by no more than the tolerance; red beyond. A
boundary value takes the better rating: exactly on target is green, exactly the
tolerance away is amber.

**Five-level trajectory scale** (a document setting instead of RAG), the same
comparison: *ahead* when better than target by the tolerance or more (exactly the
tolerance better is ahead: a boundary takes the better rating, as on RAG); *on course*
when within the tolerance of the target either way, short of that (exactly the tolerance
worse is on course); *slippage* when worse by more than the tolerance but no more than
twice it (exactly twice is slippage); *no progress* beyond twice it. With no tolerance
(a band of nothing) exactly on target is on course and anything better is ahead.

**Not rated / not assessed.** No actual for the period; no target; or a measure of
"no judgement" polarity (it counts activity and has no better or worse). The rating
says which, in words.

**Zero target with a percentage tolerance.** A percentage of nothing is nothing: the
tolerance is 0 and the rule says so. So on RAG anything worse than the target is red
(no amber band); on the trajectory scale the actual is on course only exactly on
target, ahead above it (higher is better) and no progress below it.

Sums are done in decimal on the numbers as typed (85.5, not 85.499999…), so a value
exactly on a boundary is judged as on it.

**A service's rating** is the worst latest rating of its measures, counting the
measures of its contracts too; measures that are not rated count only if none is
rated. It says so: "Red: worst of 3 measures (1 not rated)".

**Red for two periods running.** A measure whose two latest measurements (consecutive
periods) are both red on the RAG comparison, whatever the document's scale; a service
is listed when one of its measures (or of its contracts') is.

**Overdue actions.** Not done, and due (the due date, or the report-to-board date when
no due date is recorded) before today: "Overdue since 01/03/2026".

**Reviews due.** Risks, contracts (not yet ended, of services not decommissioned) and
budget agreements (not ended) whose review date is on or before ``within_days`` days
from today; those before today are overdue.

**Risk score** = likelihood × impact (1 to 25): 1-4 low, 5-9 medium, 10-14 high,
15-25 very high. The trend compares it with the score at the last review: rising,
falling, steady, or "new" when there was none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cypdesk.common.errors import UsageError
from cypdesk.io.charts.style import RATING_WORDS
from cypdesk.services.service_map import query_rows

RAG = "rag"
TRAJECTORY = "trajectory"
SCALES = (RAG, TRAJECTORY)
SCALE_WORDS = {RAG: "RAG (red, amber, green)", TRAJECTORY: "Five-level trajectory"}

# Rated values from worst to best; the value given when there is nothing to rate.
ORDER = {RAG: ("red", "amber", "green"), TRAJECTORY: ("no_progress", "slippage", "on_course", "ahead")}
NOT_RATED = {RAG: "not_rated", TRAJECTORY: "not_assessed"}

# Each rating's word, shown with its colour everywhere (the charts' table, shared).
WORDS = RATING_WORDS

POLARITY_WORDS = {"higher_better": "higher is better", "lower_better": "lower is better"}

KIND_WORDS = {"how_much": "How much did we do?", "how_well": "How well did we do it?",
              "better_off": "Is anyone better off?"}

ACTION_STATUS_WORDS = {"not_started": "Not started", "on_track": "On track", "at_risk": "At risk",
                       "off_track": "Off track", "done": "Done"}

RISK_LEVELS = ((4, "low"), (9, "medium"), (14, "high"), (25, "very high"))


# --- the rating of one value --------------------------------------------------------------

@dataclass(frozen=True)
class Rating:
    """A rating with its word and, for the hover, the rule in plain words."""

    value: str  # "green", "amber", "red", "not_rated"; "ahead" ... "not_assessed"
    word: str
    rule: str
    scale: str = RAG
    reason: str | None = None  # why it is not rated

    @property
    def key(self) -> str:
        return self.value

    @property
    def rated(self) -> bool:
        return self.value in ORDER[self.scale]

    @property
    def rank(self) -> int:
        """0 for the worst rating of the scale upwards; -1 when not rated (sorts apart)."""
        order = ORDER[self.scale]
        return order.index(self.value) if self.value in order else -1


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest form that reads back: 85.5, not 85.4999…
    return Decimal(str(value))


def _num(value: Decimal, unit: str | None = None) -> str:
    """1234.5 -> "1,234.5"; at most two decimals; "%" kept beside the number."""
    d = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{d:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text + ("%" if unit == "%" else "")


def value_text(value: float | None, unit: str | None = None) -> str:
    """An actual or a target as it prints: "78.2%", "1,234.5", "" for none."""
    return "" if value is None else _num(_dec(value), unit)


def _amount(band: Decimal, unit: str | None) -> str:
    """A tolerance as an amount: "4.5", or "4.5 points" for a measure in % (not "4.5%",
    which would read as a percentage of something)."""
    return _num(band) + (" points" if unit == "%" else "")


def _tolerance_words(tolerance: Decimal | None, kind: str, target: Decimal, band: Decimal, unit: str | None) -> str:
    """Where the tolerance comes from, for the brackets: "5% of target"."""
    if tolerance is None:
        return "no tolerance is set"
    if kind == "percent":
        if target == 0 and tolerance != 0:
            return f"{_num(tolerance)}% of a target of 0 is nothing"
        return f"{_num(tolerance)}% of target"
    return f"tolerance {_amount(band, unit)}"


def rate(actual: float | None, target: float | None, tolerance: float | None, tolerance_kind: str | None = "percent",
         polarity: str | None = "higher_better", scale: str = RAG, *, unit: str | None = None) -> Rating:
    """The rating of ``actual`` against ``target`` (rules in the module doc), with the
    rule for the hover in words: "Green: 92% is on or above the target of 90% (higher
    is better). Amber from 85.5% to under 90% (5% of target); red below 85.5%."."""
    if scale not in SCALES:
        raise UsageError(f"{scale!r} is not a rating scale: use one of {', '.join(SCALES)}.")
    none = NOT_RATED[scale]

    def not_rated(reason: str, bands: str = "") -> Rating:
        word = WORDS[none]
        return Rating(none, word, f"{word}: {reason}" + (f" {bands}" if bands else ""), scale, reason)

    if polarity not in POLARITY_WORDS:
        return not_rated("this measure has no better or worse direction (no judgement: it counts activity), "
                         "so it is not compared with a target.")
    if target is None:
        return not_rated("no target is set for this measure.")
    t = _dec(target)
    tol = None if tolerance is None else abs(_dec(tolerance))
    kind = tolerance_kind if tolerance_kind in ("percent", "absolute") else "percent"
    if tol is None:
        band = Decimal(0)
    elif kind == "percent":
        band = abs(t) * tol / 100
    else:
        band = tol
    higher = polarity == "higher_better"
    direction = POLARITY_WORDS[polarity]
    tol_words = _tolerance_words(tol, kind, t, band, unit)
    bands = _bands(scale, t, band, higher, tol_words, unit)
    if actual is None:
        return not_rated("no actual is recorded for this period.", _sentence(list(bands.values())))
    a = _dec(actual)
    shortfall = (t - a) if higher else (a - t)  # how far worse than target; negative when better
    A, T, B = _num(a, unit), _num(t, unit), _amount(band, unit)
    above, below = ("above", "below") if higher else ("below", "above")
    how = f"({'an absolute tolerance' if kind == 'absolute' and tol is not None else tol_words}; {direction})"
    if scale == RAG:
        if shortfall <= 0:
            value, why = "green", f"{A} is on or {above} the target of {T} ({direction})."
        elif shortfall <= band:
            value, why = "amber", f"{A} is {below} the target of {T} but within the tolerance of {B} {how}."
        elif band == 0:
            value, why = "red", f"{A} is {below} the target of {T}, with no tolerance {how}."
        else:
            value, why = "red", f"{A} is {below} the target of {T} by more than the tolerance of {B} {how}."
    elif shortfall < -band or (band > 0 and shortfall == -band):  # the boundary takes the better rating
        value, why = "ahead", (f"{A} is better than the target of {T}, with no tolerance {how}." if band == 0 else
                               f"{A} is better than the target of {T} by the tolerance of {B} or more {how}.")
    elif shortfall <= band:
        value, why = "on_course", (f"{A} is on the target of {T} {how}." if band == 0 else
                                   f"{A} is within the tolerance of {B} of the target of {T} {how}.")
    elif shortfall <= 2 * band:
        value, why = "slippage", (f"{A} is worse than the target of {T} by more than the tolerance of {B} "
                                  f"but no more than twice it {how}.")
    elif band == 0:
        value, why = "no_progress", f"{A} is {below} the target of {T}, with no tolerance {how}."
    else:
        value, why = "no_progress", (f"{A} is worse than the target of {T} by more than twice the tolerance "
                                     f"({_amount(2 * band, unit)}) {how}.")
    word = WORDS[value]
    others = _sentence([phrase for key, phrase in bands.items() if key != value])
    return Rating(value, word, f"{word}: {why} {others}".strip(), scale)


def _bands(scale: str, t: Decimal, band: Decimal, higher: bool, tol_words: str, unit: str | None) -> dict[str, str]:
    """Each rating's range as a phrase, keyed by rating, in the scale's order from best:
    {"green": "green on or above 90", "amber": "amber from 85.5 to under 90 (5% of target)", ...}."""
    def n(x: Decimal) -> str:
        return _num(x, unit)

    if scale == RAG:
        if higher:
            green, red = f"green on or above {n(t)}", f"red below {n(t - band)}"
            amber = f"amber from {n(t - band)} to under {n(t)} ({tol_words})"
        else:
            green, red = f"green on or below {n(t)}", f"red above {n(t + band)}"
            amber = f"amber above {n(t)} up to {n(t + band)} ({tol_words})"
        if band == 0:
            amber = f"no amber band ({tol_words})"
        return {"green": green, "amber": amber, "red": red}
    lo, hi = t - band, t + band
    if higher:
        ahead = f"ahead on or above {n(hi)}"
        slip = f"slippage from {n(t - 2 * band)} to under {n(lo)}"
        none = f"no progress below {n(t - 2 * band)}"
    else:
        ahead = f"ahead on or below {n(lo)}"
        slip = f"slippage above {n(hi)} up to {n(t + 2 * band)}"
        none = f"no progress above {n(t + 2 * band)}"
    course = (f"on course from {n(lo)} to under {n(hi)} ({tol_words})" if higher else
              f"on course above {n(lo)} up to {n(hi)} ({tol_words})")
    if band == 0:
        ahead = f"ahead {'above' if higher else 'below'} {n(t)}"
        course, slip = f"on course only exactly on {n(t)} ({tol_words})", "no slippage band"
    return {"ahead": ahead, "on_course": course, "slippage": slip, "no_progress": none}


def _sentence(phrases: list[str]) -> str:
    """["amber from 85.5 to under 90", "red below 85.5"] -> "Amber from 85.5 to under 90; red below 85.5."."""
    if not phrases:
        return ""
    text = "; ".join(phrases) + "."
    return text[0].upper() + text[1:]


def worst(ratings: list[Rating], scale: str = RAG) -> Rating | None:
    """The worst rated of ``ratings`` (None when none is rated)."""
    rated = [r for r in ratings if r.rated]
    return min(rated, key=lambda r: r.rank) if rated else None


# --- reading helpers ----------------------------------------------------------------------

def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _uk(d: date | None) -> str:
    from cypdesk.common.formats import date_uk

    return date_uk(d)


def _period_label(key: str) -> str:
    from cypdesk.common.periods import Period

    try:
        return Period.from_key(key).label()
    except ValueError:
        return key


def _previous_key(key: str) -> str | None:
    from cypdesk.common.periods import Period

    try:
        return Period.from_key(key).previous().key()
    except ValueError:
        return None


def document_scale(conn: Any) -> str:
    """The document's rating scale setting ("rag" or "trajectory")."""
    with query_rows(conn) as run:
        rows = run("SELECT rating_scale FROM document")
    scale = rows[0][0] if rows else None
    return scale if scale in SCALES else RAG


def _number_key(text: str | None) -> tuple[Any, ...]:
    """Action numbers in the order people expect: 2 before 10, 5a after 5."""
    parts = re.findall(r"\d+|\D+", text or "")
    return (text is None, tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts))


# --- measures -------------------------------------------------------------------------------

OWNER_WORDS = {"service": "Service", "contract": "Contract", "priority": "Priority", "team": "Team"}


@dataclass(frozen=True)
class PeriodRating:
    measurement_id: str
    period: str  # the key, e.g. FQ2025-1
    label: str  # "2025-26 Q1"
    period_start: date | None
    actual: float | None
    commentary: str | None
    rating: Rating


@dataclass
class MeasureRating:
    """A measure with its latest rating and every period's, oldest first."""

    id: str
    name: str
    kind: str | None
    unit: str | None
    polarity: str
    target: float | None
    tolerance: float | None
    tolerance_kind: str
    owner_kind: str | None  # "service", "contract", "priority", "team"
    owner_id: str | None
    owner: str  # the owner's title, "" when none
    service_id: str | None  # the service it is of, directly or through its contract
    rating: Rating  # of the latest period (not rated when there is none)
    latest: PeriodRating | None
    history: list[PeriodRating] = field(default_factory=list)

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind or "", "")

    @property
    def owner_words(self) -> str:
        return f"{OWNER_WORDS[self.owner_kind]}: {self.owner}" if self.owner_kind else "Not linked"


_MEASURE_SQL = """
SELECT m.id, m.name, m.kind, m.unit, m.polarity, m.target, m.tolerance, m.tolerance_kind,
       m.service_id, s.name, m.contract_id, c.reference, c.service_id, cs.name,
       m.priority_id, p.plan_reference, p.statement, m.team_id, tm.name
FROM measures m
LEFT JOIN services s ON s.id = m.service_id
LEFT JOIN contracts c ON c.id = m.contract_id
LEFT JOIN services cs ON cs.id = c.service_id
LEFT JOIN priorities p ON p.id = m.priority_id
LEFT JOIN teams tm ON tm.id = m.team_id
{where}
ORDER BY m.name COLLATE NOCASE, m.id
"""


def measure_ratings(conn: Any, *, scale: str | None = None, measure_ids: list[str] | None = None) -> list[MeasureRating]:
    """Every measure (or those of ``measure_ids``) with its latest rating on ``scale``
    (the document's setting when None) and its history, by name."""
    with query_rows(conn) as run:
        if scale is None:
            rows = run("SELECT rating_scale FROM document")
            scale = rows[0][0] if rows and rows[0][0] in SCALES else RAG
        where, params = "", ()
        if measure_ids is not None:
            if not measure_ids:
                return []
            where = f"WHERE m.id IN ({', '.join('?' * len(measure_ids))})"
            params = tuple(measure_ids)
        measures = run(_MEASURE_SQL.format(where=where), params)
        readings: dict[str, list[tuple[Any, ...]]] = {}
        sql = "SELECT id, measure_id, period, period_start, actual, commentary FROM measurements"
        if measure_ids is not None:
            sql += f" WHERE measure_id IN ({', '.join('?' * len(measure_ids))})"
        for row in run(sql + " ORDER BY period_start, period", params):
            readings.setdefault(row[1], []).append(row)
    out = []
    for (mid, name, kind, unit, polarity, target, tolerance, tol_kind, sid, sname, cid, cref, csid, csname,
         pid, pref, pstatement, tid, tname) in measures:
        if sid:
            owner_kind, owner_id, owner, service_id = "service", sid, sname or "", sid
        elif cid:
            owner_kind, owner_id, service_id = "contract", cid, csid
            owner = f"{cref} ({csname})" if cref and csname else (cref or csname or "")
        elif pid:
            owner_kind, owner_id, service_id = "priority", pid, None
            owner = f"{pref}: {pstatement}" if pref and pstatement else (pref or pstatement or "")
        elif tid:
            owner_kind, owner_id, owner, service_id = "team", tid, tname or "", None
        else:
            owner_kind, owner_id, owner, service_id = None, None, "", None
        history = [
            PeriodRating(rid, period, _period_label(period), _date(start), actual, commentary,
                         rate(actual, target, tolerance, tol_kind, polarity, scale, unit=unit))
            for rid, _m, period, start, actual, commentary in readings.get(mid, [])
        ]
        latest = history[-1] if history else None
        if latest is not None:
            rating = latest.rating
        else:
            none = NOT_RATED[scale]
            reason = "no actual has been recorded yet."
            rating = Rating(none, WORDS[none], f"{WORDS[none]}: {reason}", scale, reason)
        out.append(MeasureRating(mid, name or "", kind, unit, polarity or "higher_better", target, tolerance,
                                 tol_kind or "percent", owner_kind, owner_id, owner, service_id, rating, latest,
                                 history))
    return out


@dataclass(frozen=True)
class ServiceRating:
    service_id: str
    service: str
    rating: Rating  # the worst of its measures' latest ratings
    measures: int
    not_rated: int
    summary: str  # "Red: worst of 3 measures (1 not rated)"


def _summary(rating: Rating, measures: int, not_rated: int) -> str:
    if measures == 1:
        return f"{rating.word}: its only measure"
    what = f"worst of {measures} measures" if rating.rated else f"none of its {measures} measures is rated"
    extra = f" ({not_rated} not rated)" if rating.rated and not_rated else ""
    return f"{rating.word}: {what}{extra}"


def service_ratings(conn: Any, scale: str | None = None) -> dict[str, ServiceRating]:
    """By service id: the worst latest rating of each service's measures (its own and
    its contracts'), with the words that say so."""
    measures = measure_ratings(conn, scale=scale)
    by_service: dict[str, list[MeasureRating]] = {}
    for m in measures:
        if m.service_id:
            by_service.setdefault(m.service_id, []).append(m)
    out = {}
    for sid, items in by_service.items():
        ratings = [m.rating for m in items]
        scale_ = ratings[0].scale
        found = worst(ratings, scale_)
        not_rated = sum(1 for r in ratings if not r.rated)
        if found is None:
            found = ratings[0]
        name = next((m.owner for m in items if m.owner_kind == "service"), None)
        if name is None:
            with query_rows(conn) as run:
                got = run("SELECT name FROM services WHERE id = ?", (sid,))
            name = got[0][0] if got else ""
        out[sid] = ServiceRating(sid, name, found, len(items), not_rated, _summary(found, len(items), not_rated))
    return out


@dataclass
class RedTwice:
    """An owner (a service, or a priority or team) with measures red in their latest
    two periods."""

    service_id: str | None
    owner_kind: str
    owner_id: str
    owner: str
    measures: list[tuple[str, str, list[str]]]  # (measure id, name, the two periods' labels, latest last)

    @property
    def summary(self) -> str:
        parts = [f"{name} (red in {' and '.join(periods)})" for _mid, name, periods in self.measures]
        return "; ".join(parts)


def red_two_periods(conn: Any) -> list[RedTwice]:
    """Services (first, by name) and other owners whose measures were red on the RAG
    comparison in their two latest periods running (module doc)."""
    found: dict[tuple[str, str], RedTwice] = {}
    names: dict[str, str] = {}
    with query_rows(conn) as run:
        for sid, name in run("SELECT id, name FROM services"):
            names[sid] = name or ""
    for m in measure_ratings(conn, scale=RAG):
        if len(m.history) < 2:
            continue
        last, before = m.history[-1], m.history[-2]
        if not (last.rating.value == "red" and before.rating.value == "red"):
            continue
        expected = _previous_key(last.period)
        if expected is not None and before.period != expected:
            continue  # not running: a period is missing between them
        if m.service_id:
            key = ("service", m.service_id)
            owner_kind, owner_id, owner = "service", m.service_id, names.get(m.service_id, m.owner)
        elif m.owner_kind:
            key = (m.owner_kind, m.owner_id or "")
            owner_kind, owner_id, owner = m.owner_kind, m.owner_id or "", m.owner
        else:
            continue
        item = found.setdefault(key, RedTwice(m.service_id, owner_kind, owner_id, owner, []))
        item.measures.append((m.id, m.name, [before.label, last.label]))
    order = {"service": 0, "contract": 1, "priority": 2, "team": 3}
    return sorted(found.values(), key=lambda r: (order.get(r.owner_kind, 9), _name_key(r.owner), r.owner_id))


def _name_key(text: str) -> str:
    """A name as it sorts in a list: without opening quotes or brackets ("“Tier 3” CAMHS" by T)."""
    return re.sub(r"^\W+", "", text or "").casefold()


# --- the action plan ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionRow:
    id: str
    number: str | None
    action: str
    plan_reference: str | None
    owner: str | None
    due_date: date | None
    report_to_board: date | None
    progress: str | None
    status: str
    status_words: str
    completed_on: date | None
    overdue_since: date | None  # the date it was due, when it is overdue

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def overdue_words(self) -> str:
        return f"Overdue since {_uk(self.overdue_since)}" if self.overdue_since else ""


def action_plan(conn: Any, today: date) -> list[ActionRow]:
    """The action plan as seed 004 shows it, by number, with overdue actions marked."""
    with query_rows(conn) as run:
        rows = run("SELECT a.id, a.number, a.action, a.plan_reference, p.name, a.due_date, a.report_to_board, "
                   "a.progress, a.status, a.completed_on FROM actions a LEFT JOIN people p ON p.id = a.owner_id")
    out = []
    for aid, number, action, ref, owner, due, report, progress, status, completed in rows:
        due_d, report_d = _date(due), _date(report)
        when = due_d or report_d
        overdue = when if (when is not None and when < today and status != "done") else None
        out.append(ActionRow(aid, number, action or "", ref, owner, due_d, report_d, progress, status or "not_started",
                             ACTION_STATUS_WORDS.get(status or "", status or ""), _date(completed), overdue))
    out.sort(key=lambda a: (_number_key(a.number), a.action.casefold(), a.id))
    return out


def overdue_actions(conn: Any, today: date) -> list[ActionRow]:
    """Actions not done whose due date (or report-to-board date when there is no due
    date) is before ``today``, longest overdue first."""
    return sorted((a for a in action_plan(conn, today) if a.overdue),
                  key=lambda a: (a.overdue_since, _number_key(a.number)))


# --- the risk register -------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskRow:
    id: str
    description: str
    owner: str | None
    likelihood: int
    impact: int
    score: int
    level: str  # "low", "medium", "high", "very high"
    previous_score: int | None
    trend: str  # "rising", "falling", "steady", "new"
    trend_words: str  # "Rising (was 12)"
    target_score: int | None
    mitigation: str | None
    review_date: date | None
    links: list[tuple[str, str, str, str]]  # (kind: service/agreement/priority/team, id, kind word, title)

    @property
    def links_words(self) -> str:
        return "; ".join(f"{word}: {title}" for _k, _i, word, title in self.links)


def risk_level(score: int) -> str:
    for top, word in RISK_LEVELS:
        if score <= top:
            return word
    return RISK_LEVELS[-1][1]


def trend_of(score: int, previous: int | None) -> tuple[str, str]:
    if previous is None:
        return "new", "New (no earlier score)"
    if score > previous:
        return "rising", f"Rising (was {previous})"
    if score < previous:
        return "falling", f"Falling (was {previous})"
    return "steady", f"Steady (was {previous})"


def risk_register(conn: Any) -> list[RiskRow]:
    """Every risk with its score, level, trend, owner and linked records, highest score
    first (then the soonest review)."""
    with query_rows(conn) as run:
        rows = run(
            "SELECT r.id, r.description, p.name, r.likelihood, r.impact, r.previous_score, r.target_score, "
            "r.mitigation, r.review_date, r.service_id, s.name, r.agreement_id, a.title, r.priority_id, "
            "pr.plan_reference, pr.statement, r.team_id, t.name FROM risks r "
            "LEFT JOIN people p ON p.id = r.owner_id LEFT JOIN services s ON s.id = r.service_id "
            "LEFT JOIN agreements a ON a.id = r.agreement_id LEFT JOIN priorities pr ON pr.id = r.priority_id "
            "LEFT JOIN teams t ON t.id = r.team_id")
    out = []
    for (rid, text, owner, likelihood, impact, previous, target, mitigation, review, sid, sname, aid, atitle,
         pid, pref, pstatement, tid, tname) in rows:
        score = int(likelihood or 0) * int(impact or 0)
        trend, words = trend_of(score, previous)
        links = []
        if sid:
            links.append(("service", sid, "Service", sname or ""))
        if aid:
            links.append(("agreement", aid, "Agreement", atitle or ""))
        if pid:
            links.append(("priority", pid, "Priority", f"{pref}: {pstatement}" if pref else (pstatement or "")))
        if tid:
            links.append(("team", tid, "Team", tname or ""))
        out.append(RiskRow(rid, text or "", owner, int(likelihood or 0), int(impact or 0), score, risk_level(score),
                           previous, trend, words, target, mitigation, _date(review), links))
    out.sort(key=lambda r: (-r.score, r.review_date or date.max, r.description.casefold(), r.id))
    return out


# --- contracts ending and reviews due -------------------------------------------------------------

@dataclass(frozen=True)
class ReviewDue:
    kind: str  # "risk", "contract", "agreement"
    id: str
    title: str
    review_date: date
    days: int  # from today; negative once overdue
    service_id: str | None = None

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def words(self) -> str:
        if self.days < 0:
            return f"Review overdue since {_uk(self.review_date)}"
        if self.days == 0:
            return "Review due today"
        return f"Review due {_uk(self.review_date)} (in {self.days} day{'s' if self.days != 1 else ''})"


REVIEW_KIND_WORDS = {"risk": "Risk", "contract": "Contract", "agreement": "Budget agreement"}


def reviews_due(conn: Any, today: date, within_days: int | None = None) -> list[ReviewDue]:
    """Risks, contracts and budget agreements whose review date is on or before
    ``within_days`` days from ``today`` (overdue ones included), soonest first.
    ``within_days`` is the document's "Reviews due within" setting (30 unless changed)
    unless given."""
    from cypdesk.services.settings import setting_of

    within_days = int(setting_of(conn, "review_window_days", within_days))
    until = (today + timedelta(days=within_days)).isoformat()
    out: list[ReviewDue] = []
    with query_rows(conn) as run:
        for rid, text, review, sid in run(
                "SELECT id, description, review_date, service_id FROM risks "
                "WHERE review_date IS NOT NULL AND review_date <= ?", (until,)):
            when = _date(review)
            out.append(ReviewDue("risk", rid, text or "", when, (when - today).days, sid))
        for cid, ref, sname, review, sid in run(
                "SELECT c.id, c.reference, s.name, c.review_date, c.service_id FROM contracts c "
                "JOIN services s ON s.id = c.service_id WHERE c.review_date IS NOT NULL AND c.review_date <= ? "
                "AND (c.end_date IS NULL OR c.end_date >= ?) AND (s.status IS NULL OR s.status != 'decommissioned')",
                (until, today.isoformat())):
            when = _date(review)
            title = f"{ref} ({sname})" if ref else (sname or "")
            out.append(ReviewDue("contract", cid, title, when, (when - today).days, sid))
        for aid, title, review in run(
                "SELECT id, title, review_date FROM agreements WHERE review_date IS NOT NULL AND review_date <= ? "
                "AND (end_date IS NULL OR end_date >= ?) AND (status IS NULL OR status != 'ended')",
                (until, today.isoformat())):
            when = _date(review)
            out.append(ReviewDue("agreement", aid, title or "", when, (when - today).days))
    out.sort(key=lambda r: (r.review_date, r.kind, r.title.casefold(), r.id))
    return out


def contracts_ending(conn: Any, today: date) -> tuple[list[Any], list[Any]]:
    """(ending within 12 months, each marked 6 or 12; expired and not replaced), from
    the service map's rule (:mod:`cypdesk.services.service_map`, "Contracts ending")."""
    from cypdesk.services.service_map import outcome_map

    found = outcome_map(conn, today=today)
    return found.contracts_ending, found.contracts_expired


__all__ = [
    "ActionRow", "MeasureRating", "NOT_RATED", "ORDER", "PeriodRating", "RAG", "Rating", "RedTwice", "ReviewDue",
    "RiskRow", "SCALES", "SCALE_WORDS", "ServiceRating", "TRAJECTORY", "WORDS", "action_plan", "contracts_ending",
    "document_scale", "measure_ratings", "overdue_actions", "rate", "red_two_periods", "reviews_due", "risk_level",
    "risk_register", "service_ratings", "trend_of", "worst",
]
