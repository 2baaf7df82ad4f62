"""Needs by place (seed 001: need "by outcome, group and place"): the figures of a
locality, district or ward beside the trust's and England's, and the places within the
trust's area side by side for one indicator.

A place's figures are its own: where the document holds no value of an indicator for
the place, it says so and never shows the trust's in its stead. Only headline values
count (persons, all ages, no category: ``needs._HEADLINE``); a place whose values of
an indicator are all broken down (by sex, age band or category) says that instead.

A place is compared with the trust (and with England) by the rules of
:func:`cypdesk.services.needs_rules.compare_with_england`, at the same period: its
confidence interval (95%, or 99.8% when the officer chose it and the value has it)
against the trust's value; without an interval, the trust's own rule of ±5%.

Plain SQL over ``sqlite3``, no Qt, no SQLAlchemy (the Needs tab is the first one the
window paints). A few statements whatever the number of places and values: the large
demo's 400 wards over twenty years read in a few milliseconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from cypdesk.services.needs import (
    _HEADLINE, BREAKDOWN_ONLY, COUNT_NOT_COMPARED, DEFAULT_LEVEL, EnglandComparison,
    IndicatorSummary, _choices, compare_with_england, format_value, indicator_summaries, period_label, resolve_areas,
)
from cypdesk.services.settings import setting_of

__all__ = ["PlaceRow", "Places", "child_areas", "place_summaries", "places_side_by_side"]

MAX_DEPTH = 8  # localities within districts within the trust's area, and their wards: deep enough
AREA_KIND_LABELS = _choices("areas", "kind")


def child_areas(conn: sqlite3.Connection, home_area_id: str) -> list[tuple[str, str, str | None, str | None, int]]:
    """Every area within ``home_area_id`` at any depth (by ``parent_id``): (id, name,
    kind, parent id, depth), depth 1 for the areas directly within it."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "WITH RECURSIVE within(id, name, kind, parent_id, depth) AS ("
        " SELECT id, name, kind, parent_id, 1 FROM areas WHERE parent_id = ?"
        " UNION SELECT a.id, a.name, a.kind, a.parent_id, w.depth + 1 FROM areas a JOIN within w"
        f" ON a.parent_id = w.id WHERE w.depth < {MAX_DEPTH}) "
        "SELECT id, name, kind, parent_id, min(depth) FROM within GROUP BY id", (home_area_id,))]


def _benchmark_rows(conn: sqlite3.Connection, indicator_ids: list[str] | None, area_ids: list[str]
                    ) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Headline rows of the given areas, by (area, indicator, period): (value, lower,
    upper, lower 99.8, upper 99.8, suppressed); for a period held twice, a value wins."""
    if not area_ids:
        return {}
    marks = ", ".join("?" * len(area_ids))
    params: list[Any] = list(area_ids)
    sql = ("SELECT v.area_id, v.indicator_id, v.period, v.value, v.lower_ci, v.upper_ci, v.lower_ci_998, "
           "v.upper_ci_998, v.suppressed FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
           f"WHERE v.area_id IN ({marks}) AND {_HEADLINE}")
    if indicator_ids is not None:
        sql += f" AND v.indicator_id IN ({', '.join('?' * len(indicator_ids))})"
        params += indicator_ids
    out: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for r in conn.execute(sql + " ORDER BY v.updated_at", params):
        key = (r[0], r[1], r[2])
        held = out.get(key)
        if held is None or held[0] is None or r[3] is not None:
            out[key] = r[3:]
    return out


def _against(value: float | None, lower: float | None, upper: float | None, lower_998: float | None,
             upper_998: float | None, bench: tuple[Any, ...] | None, name: str, unit: str | None,
             polarity: str, *, level: str, tolerance_pct: float) -> EnglandComparison:
    if unit == "count":
        return EnglandComparison("not_compared", COUNT_NOT_COMPARED, against=name)
    return compare_with_england(value, lower, upper, bench[0] if bench else None, polarity,
                                tolerance_pct=tolerance_pct, lower_998=lower_998, upper_998=upper_998, level=level,
                                against=name, benchmark_suppressed=bench[5] if bench else None)


# --- one place, every indicator ---------------------------------------------------------------------

def place_summaries(conn: sqlite3.Connection, area_id: str, *, home_area_id: str | None = None,
                    level: str = DEFAULT_LEVEL, tolerance_pct: float | None = None
                    ) -> list[IndicatorSummary]:
    """Every indicator for one place (a locality, district or ward): the place's own
    latest value, England's and the trust's for the same period, the comparison with
    England and (``against_trust``) with the trust, and the place's trend. No rank among
    the statistical neighbours (they are local authorities). An indicator with no value
    for the place says so ("no value for North Riverside"), with no period and no
    figures: the trust's are not shown as if they were the place's. The tolerance for
    values without an interval is the document's setting unless given."""
    tolerance_pct = setting_of(conn, "tolerance_pct", tolerance_pct)
    home = resolve_areas(conn, home_area_id)
    place = indicator_summaries(conn, home_area_id=area_id, neighbours=False, level=level,
                                tolerance_pct=tolerance_pct)
    trust_rows = _benchmark_rows(conn, None, [home.home_id]) if home.home_id else {}
    out: list[IndicatorSummary] = []
    for s in place:
        if s.value is None or s.period is None:
            why = s.comparison.method.removeprefix("no comparison: ")
            out.append(s._replace(against_trust=EnglandComparison("not_compared", f"no comparison: {why}",
                                                                 against=home.home_name)))
            continue
        bench = trust_rows.get((home.home_id, s.indicator_id, s.period)) if home.home_id else None
        against = _against(s.value, s.lower_ci, s.upper_ci, s.lower_ci_998, s.upper_ci_998, bench, home.home_name,
                           s.unit, s.polarity, level=level, tolerance_pct=tolerance_pct)
        out.append(s._replace(trust=bench[0] if bench else None, against_trust=against))
    return out


# --- one indicator, every place -----------------------------------------------------------------------

class PlaceRow(NamedTuple):
    area_id: str
    name: str
    kind: str | None
    kind_label: str  # "Ward", "Locality"
    parent_name: str | None  # the area it is within
    depth: int  # 1: directly within the trust's area
    period: str | None  # the place's latest period with a value (a key)
    period_label: str
    period_start: str | None
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    lower_ci_998: float | None
    upper_ci_998: float | None
    note: str | None  # why there is no value, or later periods without one
    trust: float | None  # the trust's value for the same period
    england: float | None  # England's for the same period
    against_trust: EnglandComparison
    against_england: EnglandComparison


class Places(NamedTuple):
    indicator_id: str
    name: str
    unit: str | None
    decimals: int
    polarity: str
    home_id: str | None
    home_name: str
    england_name: str
    rows: tuple[PlaceRow, ...]  # in tree order: each locality followed by the areas within it

    def format(self, value: float | None) -> str:
        return format_value(value, self.unit, self.decimals)

    def ci_text(self, row: PlaceRow, level: str = "95") -> str:
        lo, hi = (row.lower_ci_998, row.upper_ci_998) if level == "99.8" else (row.lower_ci, row.upper_ci)
        if lo is None or hi is None:
            return ""
        return f"{self.format(lo)} to {self.format(hi)}"

    @property
    def with_values(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)


def places_side_by_side(conn: sqlite3.Connection, indicator_id: str, *, home_area_id: str | None = None,
                        level: str = DEFAULT_LEVEL, tolerance_pct: float | None = None) -> Places | None:
    """Every area within the trust's (localities, districts and their wards, any depth
    the lookups give) with its latest headline value of the indicator, its confidence
    interval, and its comparison with the trust and with England for the same period.
    Areas without a value are listed too, saying why (no value, suppressed with the
    marker, only broken-down values). None for an indicator that does not exist. The
    tolerance for values without an interval is the document's setting unless given."""
    tolerance_pct = setting_of(conn, "tolerance_pct", tolerance_pct)
    meta = conn.execute("SELECT name, unit, decimals, polarity FROM indicators WHERE id = ?",
                        (indicator_id,)).fetchone()
    if meta is None:
        return None
    name, unit, decimals, polarity = meta
    decimals = 1 if decimals is None else int(decimals)
    polarity = polarity or "no_judgement"
    home = resolve_areas(conn, home_area_id)
    areas = child_areas(conn, home.home_id) if home.home_id else []
    names = {a[0]: a[1] for a in areas}
    if home.home_id:
        names[home.home_id] = home.home_name
    latest: dict[str, tuple[Any, ...]] = {}  # area -> latest row with a value
    newest: dict[str, list[tuple[Any, ...]]] = {}  # area -> rows later than it without one
    held: set[str] = set()
    if areas:
        within = ("WITH RECURSIVE within(id, depth) AS (SELECT id, 1 FROM areas WHERE parent_id = ? "
                  "UNION SELECT a.id, w.depth + 1 FROM areas a JOIN within w ON a.parent_id = w.id "
                  f"WHERE w.depth < {MAX_DEPTH}) ")
        rows = conn.execute(
            within + "SELECT area_id, period, period_start, value, lower_ci, upper_ci, lower_ci_998, upper_ci_998,"
            " suppressed, note FROM ("
            " SELECT v.area_id, v.period, v.period_start, v.value, v.lower_ci, v.upper_ci, v.lower_ci_998,"
            "  v.upper_ci_998, v.suppressed, v.note,"
            "  ROW_NUMBER() OVER (PARTITION BY v.area_id ORDER BY (v.value IS NULL), v.period_start DESC,"
            "   v.period DESC, v.updated_at DESC) AS rn_value,"
            "  ROW_NUMBER() OVER (PARTITION BY v.area_id ORDER BY v.period_start DESC, v.period DESC,"
            "   v.updated_at DESC) AS rn"
            " FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id"
            f" WHERE v.indicator_id = ? AND v.area_id IN (SELECT id FROM within) AND {_HEADLINE}"
            ") WHERE rn_value = 1 OR rn <= 3 ORDER BY area_id, period_start DESC, period DESC",
            (home.home_id, indicator_id)).fetchall()
        for r in rows:
            if r[3] is not None and r[0] not in latest:
                latest[r[0]] = r
        for r in rows:
            best = latest.get(r[0])
            if r[3] is None and (best is None or str(r[2]) > str(best[2])):
                mine = newest.setdefault(r[0], [])
                if all(m[1] != r[1] for m in mine):
                    mine.append(r)
        held = {r[0] for r in conn.execute(
            within + "SELECT DISTINCT area_id FROM indicator_values WHERE indicator_id = ? "
            "AND area_id IN (SELECT id FROM within)", (home.home_id, indicator_id))}
    benchmarks = _benchmark_rows(conn, [indicator_id], [a for a in (home.home_id, home.england_id) if a])

    def gap_note(r: tuple[Any, ...]) -> str:
        return f"{period_label(r[1])}: suppressed ({r[8]})" if r[8] else f"{period_label(r[1])}: no value"

    out: list[PlaceRow] = []
    for aid, area_name, kind, parent_id, depth in _tree(areas, home.home_id):
        kind_label = AREA_KIND_LABELS.get(kind or "", kind or "")
        parent_name = names.get(parent_id or "")
        row = latest.get(aid)
        later = newest.get(aid, [])
        if row is None:
            if later:
                note = "; ".join(gap_note(r) for r in later)
                why = f"no comparison: suppressed ({later[0][8]})" if later[0][8] else "no comparison: no value"
            elif aid in held:
                note = f"{BREAKDOWN_ONLY}"
                why = f"no comparison: {BREAKDOWN_ONLY} for {area_name}"
            else:
                note = f"no value for {area_name}"
                why = f"no comparison: no value for {area_name}"
            out.append(PlaceRow(aid, area_name, kind, kind_label, parent_name, depth, None, "", None, None, None,
                                None, None, None, note, None, None,
                                EnglandComparison("not_compared", why, against=home.home_name),
                                EnglandComparison("not_compared", why, against=home.england_name)))
            continue
        period = row[1]
        trust = benchmarks.get((home.home_id, indicator_id, period)) if home.home_id else None
        england = benchmarks.get((home.england_id, indicator_id, period)) if home.england_id else None
        figures = (row[3], row[4], row[5], row[6], row[7])
        out.append(PlaceRow(
            aid, area_name, kind, kind_label, parent_name, depth, period, period_label(period), str(row[2]),
            *figures, "; ".join(gap_note(r) for r in later) or None,
            trust[0] if trust else None, england[0] if england else None,
            _against(*figures, trust, home.home_name, unit, polarity, level=level, tolerance_pct=tolerance_pct),
            _against(*figures, england, home.england_name, unit, polarity, level=level,
                     tolerance_pct=tolerance_pct)))
    return Places(indicator_id, name, unit, decimals, polarity, home.home_id, home.home_name, home.england_name,
                  tuple(out))


def _tree(areas: list[tuple[Any, ...]], root: str | None) -> list[tuple[Any, ...]]:
    """The areas in tree order: each followed by the areas within it, by name."""
    children: dict[str | None, list[tuple[Any, ...]]] = {}
    for a in areas:
        children.setdefault(a[3], []).append(a)
    out: list[tuple[Any, ...]] = []
    seen: set[str] = set()

    def walk(parent: str | None) -> None:
        for a in sorted(children.get(parent, []), key=lambda a: ((a[1] or "").casefold(), a[0])):
            if a[0] in seen:
                continue
            seen.add(a[0])
            out.append(a)
            walk(a[0])

    walk(root)
    return out
