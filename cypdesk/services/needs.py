"""The needs assessment (framework steps 1-4): how each indicator stands against
England and the statistical neighbours, its trend, the consultation evidence about
the same outcomes, groups and localities, and the priorities that rest on them.

Everything here reads the document with plain SQL over ``sqlite3`` (never ORM objects:
the large demo holds a million indicator values) and imports neither Qt nor
SQLAlchemy, so the Needs tab, the first one the window shows, pays for neither.

The rules (comparison with England, rank among neighbours, trend) and the way values
are written out live in :mod:`cypdesk.services.needs_rules`; this module reads the
document and applies them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from cypdesk.services.needs_rules import (  # noqa: F401 (the rules are part of this module's interface)
    COUNT_NOT_COMPARED, COUNT_NOT_RANKED, DEFAULT_LEVEL, DEFAULT_TOLERANCE_PCT, LEVELS, POLARITY_LABELS, RATING_PHRASES, RATINGS,
    TREND_MIN_POINTS, TREND_POINTS, UNIT_LABELS, CI_METHOD, EnglandComparison, NeighbourRank, TrendDirection,
    _choices, compare_with_england, format_value, neighbour_rank, period_label, quartile_of, trend_direction,
)

__all__ = [
    "DEFAULT_TOLERANCE_PCT",
    "Areas",
    "EnglandComparison",
    "EvidenceItem",
    "IndicatorSummary",
    "IndicatorTrend",
    "NeighbourRank",
    "PriorityLinks",
    "TrendDirection",
    "TrendPoint",
    "compare_with_england",
    "quartile_of",
    "evidence_for",
    "export_summaries",
    "format_value",
    "indicator_summaries",
    "indicators_for_filter",
    "neighbour_rank",
    "period_label",
    "priorities_with_links",
    "region_of",
    "resolve_areas",
    "trend",
    "trend_direction",
]

# The headline figure of an indicator for an area is for persons, with no category, at
# all ages: a value for another group than the indicator's own, for one sex, or for a
# category (a deprivation decile) is a breakdown, never mixed into the headline. Sex,
# age and category are blank or written as the source writes them ("Persons", "All
# ages"). A value for one age band is the headline when it is the only age band the
# document holds for that indicator and area (Fingertips gives many indicators for one
# age band only, "<18 yrs"); with several age bands and no "All ages", the indicator
# has only broken-down values there.
_PERSONS = "'', 'persons', 'person', 'all persons', 'all', 'total'"
_ALL_AGES = "'', 'all ages', 'all', 'total'"
_NO_CATEGORY = "'', 'all', 'total'"


def _persons(t: str) -> str:
    return (f"lower(trim(coalesce({t}.sex, ''))) IN ({_PERSONS}) "
            f"AND lower(trim(coalesce({t}.category, ''))) IN ({_NO_CATEGORY})")


def headline_breakdown(t: str = "v") -> str:
    """SQL true for a headline value (persons, no category, all ages or the only age
    band) of the ``indicator_values`` row aliased ``t``."""
    return (f"({_persons(t)} AND (lower(trim(coalesce({t}.age, ''))) IN ({_ALL_AGES}) OR NOT EXISTS ("
            f"SELECT 1 FROM indicator_values w WHERE w.indicator_id = {t}.indicator_id AND w.area_id = {t}.area_id "
            f"AND {_persons('w')} AND coalesce(w.age, '') <> coalesce({t}.age, ''))))")


_HEADLINE = f"((v.group_id IS NULL OR v.group_id = i.group_id) AND {headline_breakdown('v')})"
BREAKDOWN_ONLY = "only values broken down (by sex, age, category or group)"
NOT_RANKED_PLACE = "not ranked: a locality or ward is not ranked among the statistical neighbours"
NOT_RANKED_ENGLAND = "not ranked: the document compares the trust with England only (File > Document settings)"


# --- the areas compared ------------------------------------------------------------------------

class Areas(NamedTuple):
    home_id: str | None
    home_name: str
    england_id: str | None
    england_name: str
    set_id: str | None
    set_name: str
    neighbour_ids: tuple[str, ...]
    neighbour_names: dict[str, str]
    # whom the trust is compared with, besides England: the document's setting
    # (services.settings.COMPARATOR_SETS), or "statistical_neighbours" for a set given by id
    compare_with: str = "statistical_neighbours"


def resolve_areas(conn: sqlite3.Connection, home_area_id: str | None = None,
                  comparator_set_id: str | None = None, *, compare_with: str | None = None) -> Areas:
    """The trust's area (``is_home``, unless given), England (``kind='england'``) and the
    areas the trust is ranked among, as the document's "Compare with" setting says
    (unless ``compare_with`` or a ``comparator_set_id`` is given):

    - ``statistical_neighbours``: the comparator set of the home area (or the one given);
    - ``region``: the other areas of the home area's kind (local authorities) within the
      same region (the nearest area above it whose kind is region);
    - ``england``: none; the trust is compared with England only and not ranked."""
    if home_area_id is None:
        row = conn.execute("SELECT id, name FROM areas WHERE is_home = 1 ORDER BY name COLLATE NOCASE, id LIMIT 1").fetchone()
    else:
        row = conn.execute("SELECT id, name FROM areas WHERE id = ?", (home_area_id,)).fetchone()
    home_id, home_name = (row[0], row[1]) if row else (home_area_id, "The trust")
    row = conn.execute("SELECT id, name FROM areas WHERE kind = 'england' ORDER BY name, id LIMIT 1").fetchone()
    england_id, england_name = (row[0], row[1]) if row else (None, "England")
    if comparator_set_id is not None:
        mode = "statistical_neighbours"
    elif compare_with is not None:
        mode = compare_with
    else:
        from cypdesk.services.settings import read_settings

        mode = read_settings(conn, logo=False).comparator_set
    if mode == "england":
        return Areas(home_id, home_name, england_id, england_name, None, f"{england_name} only", (), {}, mode)
    if mode == "region":
        region_id, region_name, members = region_of(conn, home_id)
        name = f"Local authorities in {region_name}" if region_name else "Region (the trust's area is in none)"
        return Areas(home_id, home_name, england_id, england_name, None, name,
                     tuple(a for a, _ in members), dict(members), mode)
    if comparator_set_id is None:
        row = conn.execute("SELECT id, name FROM comparator_sets ORDER BY (area_id IS NOT ?), "
                           "name COLLATE NOCASE, id LIMIT 1", (home_id,)).fetchone()
    else:
        row = conn.execute("SELECT id, name FROM comparator_sets WHERE id = ?", (comparator_set_id,)).fetchone()
    set_id, set_name = (row[0], row[1]) if row else (None, "Statistical neighbours")
    members = []
    if set_id is not None:
        members = [(r[0], r[1]) for r in conn.execute(
            "SELECT m.area_id, a.name FROM comparator_members m JOIN areas a ON a.id = m.area_id "
            "WHERE m.comparator_set_id = ? AND m.area_id IS NOT ? AND m.area_id IS NOT ? "
            "ORDER BY m.rank IS NULL, m.rank, a.name COLLATE NOCASE", (set_id, home_id, england_id))]
    return Areas(home_id, home_name, england_id, england_name, set_id, set_name,
                 tuple(a for a, _ in members), dict(members), "statistical_neighbours")


def region_of(conn: sqlite3.Connection, area_id: str | None) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """(id, name, [(id, name) of the other areas of ``area_id``'s kind within it, by
    name]) of the region an area is in: the nearest area above it whose kind is
    region. (None, None, []) for an area in no region."""
    if area_id is None:
        return None, None, []
    row = conn.execute("SELECT parent_id, kind FROM areas WHERE id = ?", (area_id,)).fetchone()
    if row is None:
        return None, None, []
    parent, kind = row
    seen = {area_id}
    while parent is not None and parent not in seen:  # a loop of parents (a merge) ends the walk
        seen.add(parent)
        up = conn.execute("SELECT id, name, kind, parent_id FROM areas WHERE id = ?", (parent,)).fetchone()
        if up is None:
            break
        if up[2] == "region":
            members = [(r[0], r[1]) for r in conn.execute(
                "WITH RECURSIVE below(id, depth) AS (SELECT id, 1 FROM areas WHERE parent_id = ? "
                "UNION SELECT a.id, b.depth + 1 FROM areas a JOIN below b ON a.parent_id = b.id WHERE b.depth < 4) "
                "SELECT a.id, a.name FROM below JOIN areas a ON a.id = below.id "
                "WHERE a.kind IS ? AND a.id != ? ORDER BY a.name COLLATE NOCASE, a.id", (up[0], kind, area_id))]
            return up[0], up[1], members
        parent = up[3]
    return None, None, []


# --- one row per indicator ------------------------------------------------------------------

class IndicatorSummary(NamedTuple):
    indicator_id: str
    code: str | None
    name: str
    unit: str | None
    polarity: str
    decimals: int
    group_id: str | None
    group_name: str | None
    outcome_ids: tuple[str, ...]
    outcome_labels: tuple[str, ...]
    source: str | None
    period: str | None  # the latest period with a value for the trust (a key: FY2025)
    period_label: str
    period_start: str | None  # its first day, ISO (sorts as the calendar does)
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    england: float | None
    comparison: EnglandComparison
    neighbours: NeighbourRank
    trend: TrendDirection
    note: str | None = None  # later periods without a value: "2026-27: suppressed (c)"
    lower_ci_998: float | None = None
    upper_ci_998: float | None = None
    breakdown_only: bool = False  # the area has values for the indicator, but none is a headline figure
    # For a locality or ward (services.needs_places.place_summaries): the trust's value
    # for the same period, and the comparison with it.
    trust: float | None = None
    against_trust: EnglandComparison | None = None

    @property
    def trust_text(self) -> str:
        return format_value(self.trust, self.unit, self.decimals)

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.unit, self.decimals)

    @property
    def england_text(self) -> str:
        return format_value(self.england, self.unit, self.decimals)

    @property
    def ci_text(self) -> str:
        if self.lower_ci is None or self.upper_ci is None:
            return ""
        return (f"{format_value(self.lower_ci, self.unit, self.decimals)} to "
                f"{format_value(self.upper_ci, self.unit, self.decimals)}")

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit or "", self.unit or "")


def indicator_summaries(conn: sqlite3.Connection, *, home_area_id: str | None = None,
                        comparator_set_id: str | None = None,
                        tolerance_pct: float | None = None, level: str = DEFAULT_LEVEL,
                        neighbours: bool = True) -> list[IndicatorSummary]:
    """Every indicator, by name: the trust's latest value, England's for the same period,
    the comparison (by the ``level`` confidence interval the officer chose, see
    :func:`compare_with_england`), the rank among neighbours and the trend. Headline
    values only (persons, all ages, no category: see ``_HEADLINE``). Four statements
    in all, whatever the number of indicators and values.

    ``home_area_id`` may be a locality or ward: its own values, never the trust's
    (``neighbours=False`` leaves out the rank among the trust's statistical
    neighbours, which says nothing about a locality).

    Whom the trust is ranked among and the tolerance for values without an interval
    (``tolerance_pct``, unless given) are the document's settings
    (:mod:`cypdesk.services.settings`)."""
    from cypdesk.services.settings import setting_of

    tolerance_pct = setting_of(conn, "tolerance_pct", tolerance_pct)
    areas = resolve_areas(conn, home_area_id, comparator_set_id)
    if not neighbours:
        areas = areas._replace(set_id=None, neighbour_ids=(), neighbour_names={})
    meta = conn.execute(
        "SELECT i.id, i.code, i.name, i.unit, i.polarity, i.decimals, i.group_id, g.name, i.source, "
        "(SELECT group_concat(io.outcome_id, char(31)) FROM indicator_outcomes io WHERE io.indicator_id = i.id), "
        "(SELECT group_concat(coalesce(o.code, o.name), char(31)) FROM indicator_outcomes io "
        " JOIN outcomes o ON o.id = io.outcome_id WHERE io.indicator_id = i.id) "
        "FROM indicators i LEFT JOIN groups g ON g.id = i.group_id ORDER BY i.name COLLATE NOCASE, i.id").fetchall()

    # 1. The trust's recent rows, newest first, for each indicator (values and gaps).
    home_rows: dict[str, list[tuple[Any, ...]]] = {}
    if areas.home_id is not None:
        for row in conn.execute(
                "SELECT indicator_id, period, value, lower_ci, upper_ci, suppressed, period_start, lower_ci_998,"
                " upper_ci_998 FROM ("
                " SELECT v.indicator_id, v.period, v.value, v.lower_ci, v.upper_ci, v.suppressed, v.period_start,"
                "  v.lower_ci_998, v.upper_ci_998,"
                "  ROW_NUMBER() OVER (PARTITION BY v.indicator_id ORDER BY (v.value IS NULL), v.period_start DESC,"
                "   v.period DESC, v.updated_at DESC) AS rn_value,"
                "  ROW_NUMBER() OVER (PARTITION BY v.indicator_id ORDER BY v.period_start DESC, v.period DESC,"
                "   v.updated_at DESC) AS rn"
                f" FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id WHERE v.area_id = ? AND {_HEADLINE}"
                ") WHERE rn_value <= ? OR rn <= ? ORDER BY indicator_id, period_start DESC, period DESC",
                (areas.home_id, TREND_POINTS + 2, 3)):
            home_rows.setdefault(row[0], []).append(row)
        # Indicators with values for the area, none of them a headline figure.
        held = {r[0] for r in conn.execute("SELECT DISTINCT indicator_id FROM indicator_values WHERE area_id = ?",
                                           (areas.home_id,))}
        broken_down = held - set(home_rows)
    else:
        broken_down = set()
    # 2. England and the neighbours at each indicator's latest period with a value for the trust.
    compared = [a for a in (areas.england_id, *areas.neighbour_ids) if a is not None]
    others: dict[str, dict[str, tuple[Any, ...]]] = {}
    if areas.home_id is not None and compared:
        marks = ", ".join("?" * len(compared))
        for row in conn.execute(
                "WITH latest AS (SELECT indicator_id, period, period_start FROM ("
                " SELECT v.indicator_id, v.period, v.period_start, ROW_NUMBER() OVER (PARTITION BY v.indicator_id"
                "  ORDER BY v.period_start DESC, v.period DESC) AS rn"
                f" FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id"
                f" WHERE v.area_id = ? AND v.value IS NOT NULL AND {_HEADLINE}) WHERE rn = 1) "
                "SELECT l.indicator_id, v.area_id, v.value, v.lower_ci, v.upper_ci, v.suppressed "
                "FROM latest l JOIN indicators i ON i.id = l.indicator_id "
                "JOIN indicator_values v ON v.indicator_id = l.indicator_id AND v.period_start = l.period_start "
                f" AND v.period = l.period AND v.area_id IN ({marks}) AND {_HEADLINE} "
                "ORDER BY v.updated_at", (areas.home_id, *compared)):
            others.setdefault(row[0], {})[row[1]] = row  # the latest written wins

    out: list[IndicatorSummary] = []
    for (iid, code, name, unit, polarity, decimals, group_id, group_name, source, outcome_ids,
         outcome_labels) in meta:
        decimals = 1 if decimals is None else int(decimals)
        polarity = polarity or "no_judgement"
        rows = _dedupe(home_rows.get(iid, []))
        latest = next((r for r in rows if r[2] is not None), None)
        note = None
        if latest is None:
            gap = rows[0] if rows else None
            comparison = compare_with_england(None, None, None, None, polarity, tolerance_pct=tolerance_pct,
                                              suppressed=gap[5] if gap else None)
            only_broken = gap is None and iid in broken_down
            gap_note = _gap_note(gap) if gap else None
            if gap is None:
                why = f"{BREAKDOWN_ONLY} for {areas.home_name}" if only_broken else f"no value for {areas.home_name}"
                comparison = EnglandComparison("not_compared", f"no comparison: {why}")
                gap_note = f"{areas.home_name} has {BREAKDOWN_ONLY}" if only_broken else None
            out.append(IndicatorSummary(
                iid, code, name, unit, polarity, decimals, group_id, group_name, _split(outcome_ids),
                _split(outcome_labels), source, gap[1] if gap else None, period_label(gap[1]) if gap else "",
                str(gap[6]) if gap else None, None, None, None, None, comparison,
                neighbour_rank(None, [], polarity), TrendDirection("not enough data", f"no values for {areas.home_name}", 0),
                gap_note, breakdown_only=only_broken))
            continue
        start = rows.index(latest)
        later = [r for r in rows[:start] if r[2] is None]
        if later:
            note = "; ".join(_gap_note(r) for r in later)
        at = others.get(iid, {})
        eng = at.get(areas.england_id) if areas.england_id else None
        if unit == "count":  # a number of children: England's total and bigger areas' counts say nothing
            comparison = EnglandComparison("not_compared", COUNT_NOT_COMPARED)
            rank = NeighbourRank(None, 0, None, 0, 0, COUNT_NOT_RANKED)
        else:
            comparison = compare_with_england(latest[2], latest[3], latest[4], eng[2] if eng else None, polarity,
                                              tolerance_pct=tolerance_pct, lower_998=latest[7],
                                              upper_998=latest[8], level=level,
                                              benchmark_suppressed=eng[5] if eng else None)
            if neighbours and areas.compare_with == "england":
                rank = NeighbourRank(None, 0, None, 0, 0, NOT_RANKED_ENGLAND)
            elif neighbours:
                rank = neighbour_rank(latest[2], [at[a][2] if a in at else None for a in areas.neighbour_ids],
                                      polarity, decimals=decimals)
            else:
                rank = NeighbourRank(None, 0, None, 0, 0, NOT_RANKED_PLACE)
        window = [(r[2], r[3], r[4]) for r in rows[start:] if r[2] is not None][:TREND_POINTS]
        direction = trend_direction(list(reversed(window)), polarity, tolerance_pct=tolerance_pct)
        out.append(IndicatorSummary(
            iid, code, name, unit, polarity, decimals, group_id, group_name, _split(outcome_ids),
            _split(outcome_labels), source, latest[1], period_label(latest[1]), str(latest[6]), latest[2], latest[3],
            latest[4],
            eng[2] if eng else None, comparison, rank, direction, note, latest[7], latest[8]))
    return out


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(text.split("\x1f"))) if text else ()


def _dedupe(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One row per period, newest period first (rows come ordered so); for a period
    held twice, a row with a value wins."""
    best: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        held = best.get(row[1])
        if held is None or (held[2] is None and row[2] is not None):
            best[row[1]] = row
    return list(best.values())


def _gap_note(row: tuple[Any, ...]) -> str:
    marker = row[5]
    return f"{period_label(row[1])}: suppressed ({marker})" if marker else f"{period_label(row[1])}: no value"


# --- filtering -------------------------------------------------------------------------------

def _descendants_cte(name: str, table: str) -> str:
    return (f"{name}(id) AS (SELECT ? UNION SELECT t.id FROM {table} t JOIN {name} s ON t.parent_id = s.id)")


def indicators_for_filter(conn: sqlite3.Connection, *, outcome_id: str | None = None, group_id: str | None = None,
                          area_id: str | None = None, worse_than_england: bool = False,
                          summaries: Sequence[IndicatorSummary] | None = None, home_area_id: str | None = None,
                          comparator_set_id: str | None = None) -> list[str]:
    """The ids of the indicators (by name) that pass every filter given:

    - ``outcome_id``: linked to the outcome or to any of its sub-outcomes;
    - ``group_id``: the indicator is about that group of children;
    - ``area_id``: the document holds values of the indicator for that locality or for
      an area within it (its wards);
    - ``worse_than_england``: rated worse than England (from ``summaries`` when given,
      else computed).
    """
    ctes: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    if outcome_id:
        ctes.append(_descendants_cte("sub_outcomes", "outcomes"))
        params.append(outcome_id)
        clauses.append("i.id IN (SELECT io.indicator_id FROM indicator_outcomes io "
                       "WHERE io.outcome_id IN (SELECT id FROM sub_outcomes))")
    if area_id:
        ctes.append(_descendants_cte("sub_areas", "areas"))
        params.append(area_id)
        clauses.append("EXISTS (SELECT 1 FROM sub_areas s JOIN indicator_values v "
                       "ON v.indicator_id = i.id AND v.area_id = s.id)")
    if group_id:
        clauses.append("i.group_id = ?")
        params.append(group_id)
    sql = ("WITH RECURSIVE " + ", ".join(ctes) + " " if ctes else "") + "SELECT i.id FROM indicators i"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY i.name COLLATE NOCASE, i.id"
    ids = [row[0] for row in conn.execute(sql, params)]
    if worse_than_england:
        if summaries is None:
            summaries = indicator_summaries(conn, home_area_id=home_area_id, comparator_set_id=comparator_set_id)
        worse = {s.indicator_id for s in summaries if s.comparison.rating == "worse"}
        ids = [i for i in ids if i in worse]
    return ids


# --- trend over the years ---------------------------------------------------------------------

class TrendPoint(NamedTuple):
    period: str
    label: str
    value: float | None
    lower: float | None
    upper: float | None
    suppressed: str | None
    england: float | None
    neighbours_min: float | None
    neighbours_max: float | None
    neighbours_median: float | None
    neighbours_count: int  # neighbours with a value for the period


class IndicatorTrend(NamedTuple):
    indicator_id: str
    name: str
    unit: str | None
    decimals: int
    polarity: str
    home_name: str
    england_name: str
    comparator_name: str
    neighbours_total: int
    points: tuple[TrendPoint, ...]

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit or "", self.unit or "")

    def format(self, value: float | None) -> str:
        return format_value(value, self.unit, self.decimals)


def trend(conn: sqlite3.Connection, indicator_id: str, *, home_area_id: str | None = None,
          comparator_set_id: str | None = None, neighbours: bool = True) -> IndicatorTrend | None:
    """The indicator over the years, oldest first: the trust's value and interval,
    England's, and the neighbours' lowest, highest and median. One statement. None for
    an indicator that does not exist. ``home_area_id`` may be a locality or ward (its
    own values; ``neighbours=False`` leaves out the trust's neighbours, which are local
    authorities)."""
    from statistics import median  # here, not on import: it imports fractions and decimal
    row = conn.execute("SELECT name, unit, decimals, polarity FROM indicators WHERE id = ?", (indicator_id,)).fetchone()
    if row is None:
        return None
    name, unit, decimals, polarity = row
    areas = resolve_areas(conn, home_area_id, comparator_set_id)
    if not neighbours:
        areas = areas._replace(set_id=None, neighbour_ids=(), neighbour_names={})
    wanted = [a for a in (areas.home_id, areas.england_id, *areas.neighbour_ids) if a is not None]
    by_period: dict[str, dict[str, tuple[Any, ...]]] = {}
    starts: dict[str, str] = {}
    if wanted:
        marks = ", ".join("?" * len(wanted))
        for r in conn.execute(
                "SELECT v.area_id, v.period, v.period_start, v.value, v.lower_ci, v.upper_ci, v.suppressed "
                f"FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
                f"WHERE v.indicator_id = ? AND v.area_id IN ({marks}) AND {_HEADLINE} "
                "ORDER BY v.period_start, v.updated_at", (indicator_id, *wanted)):
            cell = by_period.setdefault(r[1], {})
            held = cell.get(r[0])
            if held is None or held[3] is None or r[3] is not None:
                cell[r[0]] = r
            starts[r[1]] = str(r[2])
    points: list[TrendPoint] = []
    for period in sorted(by_period, key=lambda p: (starts[p], p)):
        cell = by_period[period]
        home = cell.get(areas.home_id) if areas.home_id else None
        eng = cell.get(areas.england_id) if areas.england_id else None
        if home is None and eng is None:
            continue  # a year only the neighbours have
        near = sorted(cell[a][3] for a in areas.neighbour_ids if a in cell and cell[a][3] is not None)
        points.append(TrendPoint(
            period, period_label(period), home[3] if home else None, home[4] if home else None,
            home[5] if home else None, home[6] if home else None, eng[3] if eng else None,
            near[0] if near else None, near[-1] if near else None, median(near) if near else None,
            len(near)))
    return IndicatorTrend(indicator_id, name, unit, 1 if decimals is None else int(decimals),
                          polarity or "no_judgement", areas.home_name, areas.england_name, areas.set_name,
                          len(areas.neighbour_ids), tuple(points))


# --- evidence ----------------------------------------------------------------------------------

class EvidenceTagInfo(NamedTuple):
    kind: str  # outcome, group, locality
    id: str
    name: str


class EvidenceItem(NamedTuple):
    id: str
    title: str
    who: str  # as the officer reads it: "Children and young people"
    method: str
    held_on: date | None
    participants: int | None
    summary: str | None
    source_document: str | None
    tags: tuple[EvidenceTagInfo, ...]

    def tags_text(self) -> str:
        return "; ".join(t.name for t in self.tags)


def _ids(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if v]


def _related(conn: sqlite3.Connection, table: str, ids: list[str]) -> set[str]:
    """The records, everything within them and everything they are within."""
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    sql = (f"WITH RECURSIVE down(id) AS (SELECT id FROM {table} WHERE id IN ({marks}) "
           f"UNION SELECT t.id FROM {table} t JOIN down d ON t.parent_id = d.id), "
           f"up(id, parent_id) AS (SELECT id, parent_id FROM {table} WHERE id IN ({marks}) "
           f"UNION SELECT t.id, t.parent_id FROM {table} t JOIN up u ON t.id = u.parent_id) "
           "SELECT id FROM down UNION SELECT id FROM up")
    return {r[0] for r in conn.execute(sql, [*ids, *ids])}


def evidence_for(conn: sqlite3.Connection, *, outcome_id: str | Iterable[str] | None = None,
                 group_id: str | Iterable[str] | None = None, area_id: str | Iterable[str] | None = None,
                 match: str = "any") -> list[EvidenceItem]:
    """Consultation evidence with its tags, newest first. With no criteria, all of it.

    An outcome matches evidence tagged with that outcome, one within it or the one it
    is part of (evidence about "Be healthy" bears on its sub-outcomes and the reverse);
    a locality likewise with the areas within and around it; a group exactly.
    ``match="any"``: tagged with any of the criteria (the evidence behind one
    indicator); ``"all"``: with every kind of criterion given (a filter)."""
    if match not in ("any", "all"):
        raise ValueError(f"match must be 'any' or 'all', not {match!r}")
    who = _choices("evidence", "who")
    how = _choices("evidence", "method")
    tags: dict[str, list[EvidenceTagInfo]] = {}
    for eid, oid, oname, ocode, gid, gname, aid, aname in conn.execute(
            "SELECT t.evidence_id, t.outcome_id, o.name, o.code, t.group_id, g.name, t.area_id, a.name "
            "FROM evidence_tags t LEFT JOIN outcomes o ON o.id = t.outcome_id LEFT JOIN groups g ON g.id = t.group_id "
            "LEFT JOIN areas a ON a.id = t.area_id ORDER BY t.evidence_id"):
        found = tags.setdefault(eid, [])
        if oid:
            found.append(EvidenceTagInfo("outcome", oid, f"{ocode} {oname}" if ocode else (oname or "")))
        if gid:
            found.append(EvidenceTagInfo("group", gid, gname or ""))
        if aid:
            found.append(EvidenceTagInfo("locality", aid, aname or ""))
    criteria: list[tuple[str, set[str]]] = []
    if _ids(outcome_id):
        criteria.append(("outcome", _related(conn, "outcomes", _ids(outcome_id))))
    if _ids(group_id):
        criteria.append(("group", set(_ids(group_id))))
    if _ids(area_id):
        criteria.append(("locality", _related(conn, "areas", _ids(area_id))))
    out: list[EvidenceItem] = []
    for eid, title, w, m, held, participants, summary, source in conn.execute(
            "SELECT id, title, who, method, held_on, participants, summary, source_document FROM evidence "
            "ORDER BY held_on IS NULL, held_on DESC, title COLLATE NOCASE"):
        mine = tags.get(eid, [])
        if criteria:
            hits = [any(t.kind == kind and t.id in ids for t in mine) for kind, ids in criteria]
            if not (any(hits) if match == "any" else all(hits)):
                continue
        kind_order = {"outcome": 0, "group": 1, "locality": 2}
        out.append(EvidenceItem(eid, title, who.get(w or "", w or ""), how.get(m or "", m or ""), _date(held),
                                participants, summary, source,
                                tuple(sorted(mine, key=lambda t: (kind_order[t.kind], t.name.casefold())))))
    return out


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- priorities --------------------------------------------------------------------------------

class LinkedIndicator(NamedTuple):
    id: str
    name: str
    rating: str
    phrase: str  # "Worse than England"
    method: str
    period_label: str
    value_text: str


class PriorityLinks(NamedTuple):
    id: str
    statement: str
    plan_reference: str | None
    rank: int | None
    status: str  # as the officer reads it
    rationale: str | None
    outcomes: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, str], ...]
    indicators: tuple[LinkedIndicator, ...]
    evidence: tuple[tuple[str, str], ...]


def priorities_with_links(conn: sqlite3.Connection, *, indicator_id: str | None = None,
                          summaries: Sequence[IndicatorSummary] | None = None, home_area_id: str | None = None,
                          comparator_set_id: str | None = None) -> list[PriorityLinks]:
    """Each priority (by rank) with the outcomes, groups, indicators (with their current
    rating against England) and evidence that it is about or rests on. With
    ``indicator_id``, only the priorities that rest on that indicator."""
    statuses = _choices("priorities", "status")
    links: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for pid, oid, oname, ocode, gid, gname, iid, iname, eid, etitle in conn.execute(
            "SELECT l.priority_id, l.outcome_id, o.name, o.code, l.group_id, g.name, l.indicator_id, i.name, "
            "l.evidence_id, e.title FROM priority_links l LEFT JOIN outcomes o ON o.id = l.outcome_id "
            "LEFT JOIN groups g ON g.id = l.group_id LEFT JOIN indicators i ON i.id = l.indicator_id "
            "LEFT JOIN evidence e ON e.id = l.evidence_id ORDER BY l.priority_id"):
        mine = links.setdefault(pid, {"outcomes": [], "groups": [], "indicators": [], "evidence": []})
        if oid and oname is not None:
            mine["outcomes"].append((oid, f"{ocode} {oname}" if ocode else oname))
        if gid and gname is not None:
            mine["groups"].append((gid, gname))
        if iid and iname is not None:
            mine["indicators"].append((iid, iname))
        if eid and etitle is not None:
            mine["evidence"].append((eid, etitle))
    if indicator_id is not None:
        links = {p: v for p, v in links.items() if any(i == indicator_id for i, _ in v["indicators"])}
        if not links:
            return []
    by_id: dict[str, IndicatorSummary] = {}
    if any(v["indicators"] for v in links.values()):
        if summaries is None:
            summaries = indicator_summaries(conn, home_area_id=home_area_id, comparator_set_id=comparator_set_id)
        by_id = {s.indicator_id: s for s in summaries}
    out: list[PriorityLinks] = []
    for pid, statement, ref, rank, status, rationale in conn.execute(
            "SELECT id, statement, plan_reference, rank, status, rationale FROM priorities "
            "ORDER BY rank IS NULL, rank, plan_reference COLLATE NOCASE, statement COLLATE NOCASE"):
        if indicator_id is not None and pid not in links:
            continue
        mine = links.get(pid, {"outcomes": [], "groups": [], "indicators": [], "evidence": []})
        indicators = []
        for iid, iname in sorted(mine["indicators"], key=lambda x: x[1].casefold()):
            s = by_id.get(iid)
            if s is None:
                indicators.append(LinkedIndicator(iid, iname, "not_compared", RATING_PHRASES["not_compared"],
                                                  "no comparison: no value", "", ""))
            else:
                indicators.append(LinkedIndicator(iid, iname, s.comparison.rating, s.comparison.phrase,
                                                  s.comparison.method, s.period_label, s.value_text))
        out.append(PriorityLinks(
            pid, statement, ref, rank, statuses.get(status or "", status or ""), rationale,
            tuple(sorted(mine["outcomes"], key=lambda x: x[1].casefold())),
            tuple(sorted(mine["groups"], key=lambda x: x[1].casefold())), tuple(indicators),
            tuple(sorted(mine["evidence"], key=lambda x: x[1].casefold()))))
    return out


# --- export ------------------------------------------------------------------------------------

def export_summaries(summaries: Sequence[IndicatorSummary], path: str | Any, *, home_name: str = "Trust",
                     trust_name: str | None = None) -> dict[str, Any]:
    """The indicator table as shown (these summaries, in this order) to Excel or CSV:
    values as numbers with their unit beside them, each comparison with its method and
    the level it used. For a locality's figures (``home_name`` the locality), the
    trust's value for the same period and the comparison with it follow, under
    ``trust_name``. Returns ``{"rows", "path"}``."""
    from pathlib import Path

    from cypdesk.common.errors import UsageError
    from cypdesk.io.xlsx import Sheet, write_csv, write_xlsx

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"{target.name}: export to a .xlsx (Excel) or .csv file.", path=target)
    headers = ["Code", "Indicator", "Unit", "Polarity", "Period", home_name, "Lower 95% CI", "Upper 95% CI",
               "England", "Compared with England", "Method", "Rank among neighbours", "Areas ranked", "Quartile",
               "Ranking method", "Trend", "Trend rule", "Group of children", "Outcomes", "Note"]
    kinds = ["text", "text", "text", "text", "text", "number", "number", "number", "number", "text", "text",
             "integer", "integer", "integer", "text", "text", "text", "text", "text", "text"]
    rows = [[s.code, s.name, s.unit_label, POLARITY_LABELS.get(s.polarity, s.polarity), s.period_label, s.value,
             s.lower_ci, s.upper_ci, s.england, s.comparison.phrase_with_level, s.comparison.method, s.neighbours.rank,
             s.neighbours.of or None, s.neighbours.quartile, s.neighbours.method, s.trend.word, s.trend.method,
             s.group_name, ", ".join(s.outcome_labels), s.note, s.lower_ci_998, s.upper_ci_998]
            for s in summaries]
    headers += ["Lower 99.8% CI", "Upper 99.8% CI"]
    kinds += ["number", "number"]
    if trust_name is not None:
        headers += [trust_name, f"Compared with {trust_name}", f"Method ({trust_name})"]
        kinds += ["number", "text", "text"]
        for row, s in zip(rows, summaries):
            row += [s.trust, s.against_trust.phrase_with_level if s.against_trust else None,
                    s.against_trust.method if s.against_trust else None]
    if suffix == ".xlsx":
        count = write_xlsx(target, [Sheet("Indicators", headers, rows, kinds)])["sheets"][0]["rows"]
    else:
        count = write_csv(target, headers, rows, kinds)["rows"]
    return {"rows": count, "path": str(target.resolve())}
