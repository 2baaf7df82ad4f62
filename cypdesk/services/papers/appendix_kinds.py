"""One builder per kind of appendix, each calling the services-layer analysis its tab
shows and laying its results out as tables, charts and text. A builder takes
``(conn, options, *, today, settings)`` and returns ``(items, wide)``; suppression of
counts and the appendix itself are :func:`appendices.build_appendix`'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from cypdesk.common.formats import date_uk, money, number, percent
from cypdesk.common.paperdoc import Cell, Column, Row, Table
from cypdesk.common.suppression import SUPPRESSED_TEXT, is_small, unit_counts_people
from cypdesk.services.outward import owners_of
from cypdesk.services.papers.appendices import text_item

Items = tuple[list[Any], bool]


def _money_cell(value: float | None) -> Cell:
    return Cell("" if value is None else money(value), value)


def _text(value: Any) -> Cell:
    return Cell("" if value is None else str(value), value)


def _date_cell(value: date | None) -> Cell:
    return Cell(date_uk(value) if value else "", value)


def _num(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return ""
    return number(value, decimals if not float(value).is_integer() else 0)


# --- action plan (seed 004's table) ------------------------------------------------------------

def action_plan(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """:func:`monitoring.action_plan`, filtered by priority, status and overdue."""
    from cypdesk.services.monitoring import action_plan as plan

    rows = plan(conn, today)
    if options.get("priority_id"):
        keep = {r[0] for r in conn.execute("SELECT id FROM actions WHERE priority_id = ?", (options["priority_id"],))}
        rows = [r for r in rows if r.id in keep]
    if options.get("status"):
        rows = [r for r in rows if r.status == options["status"]]
    if options.get("overdue_only"):
        rows = [r for r in rows if r.overdue]
    owners = owners_of(conn, "actions", [r.id for r in rows])
    columns = [Column("number", "No.", "identifier"), Column("action", "Action", "long_text"),
               Column("plan_reference", "Plan section", "identifier"), Column("progress", "Progress", "long_text"),
               Column("status", "Status", "choice"), Column("report_to_board", "Report to board", "date")]
    body = []
    for r in rows:
        status = r.status_words + (f"; {r.overdue_words.lower()}" if r.overdue else "")
        body.append(Row([_text(r.number), _text(r.action), _text(r.plan_reference), _text(r.progress),
                         Cell(status, r.status), _date_cell(r.report_to_board)], owners.get(r.id, ())))
    done = sum(1 for r in rows if r.status == "done")
    overdue = sum(1 for r in rows if r.overdue)
    note = f"{len(rows)} actions: {done} done, {overdue} overdue on {date_uk(today)}."
    return [Table("Progress against the action plan", columns, body, note=note, wide=True)], True


# --- risk register ------------------------------------------------------------------------------

def risks(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """:func:`monitoring.risk_register`, from the lowest score chosen."""
    from cypdesk.services.monitoring import risk_register

    rows = risk_register(conn)
    if options.get("minimum_score"):
        rows = [r for r in rows if r.score >= int(options["minimum_score"])]
    owners = owners_of(conn, "risks", [r.id for r in rows])
    columns = [Column("description", "Risk", "long_text"), Column("owner", "Owner"),
               Column("likelihood", "Likelihood", "integer", align="right"),
               Column("impact", "Impact", "integer", align="right"), Column("score", "Score", "integer", align="right"),
               Column("level", "Level"), Column("trend", "Trend"), Column("mitigation", "Mitigation", "long_text"),
               Column("review_date", "Review", "date")]
    body = [Row([_text(r.description), _text(r.owner), _text(r.likelihood), _text(r.impact), _text(r.score),
                 Cell(r.level.capitalize(), r.level), Cell(r.trend_words, r.trend), _text(r.mitigation),
                 _date_cell(r.review_date)], owners.get(r.id, ())) for r in rows]
    note = ("Score = likelihood x impact (1 to 25): 1-4 low, 5-9 medium, 10-14 high, 15-25 very high."
            + (f" Risks scoring {options['minimum_score']} or more." if options.get("minimum_score") else ""))
    return [Table("Risk register", columns, body, note=note, wide=True)], True


# --- contracts ending ----------------------------------------------------------------------------

def contracts_ending(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """:func:`monitoring.contracts_ending` (the service map's rule), within the days
    chosen, with each contract's provider and annual value (confidential: a partner
    sees only its own)."""
    from cypdesk.services.monitoring import contracts_ending as ending

    within = int(options.get("within_days") or 180)
    soon, expired = ending(conn, today)
    soon = [c for c in soon if c.days_left <= within]
    ids = [c.contract_id for c in soon + expired]
    facts = {}
    for cid, provider, value in conn.execute(
            "SELECT c.id, o.name, c.annual_value FROM contracts c LEFT JOIN services s ON s.id = c.service_id "
            f"LEFT JOIN organisations o ON o.id = s.provider_id WHERE c.id IN ({', '.join('?' * len(ids))})", ids):
        facts[cid] = (provider, value)
    owners = owners_of(conn, "contracts", ids)

    def table(title: str, items: list[Any], note: str) -> Table:
        columns = [Column("service", "Service"), Column("provider", "Provider"),
                   Column("reference", "Contract", "identifier"), Column("end_date", "Ends", "date"),
                   Column("left", "Left", "text"),
                   Column("annual_value", "Annual value", "money", confidential=True, align="right")]
        rows = []
        for c in items:
            provider, value = facts.get(c.contract_id, (None, None))
            left = (f"{c.days_left} days" if c.days_left >= 0 else f"ended {-c.days_left} days ago")
            rows.append(Row([_text(c.service), _text(provider), _text(c.reference), _date_cell(c.end_date),
                             Cell(left, c.days_left), _money_cell(value)], owners.get(c.contract_id, ())))
        return Table(title, columns, rows, note=note)

    items = [table(f"Contracts ending within {within} days of {date_uk(today)}", soon,
                   f"{len(soon)} contracts. Annual values are commercially confidential.")]
    if expired:
        items.append(table("Contracts that have ended and are not replaced", expired,
                           "A contract whose service has another contract ending later is not listed."))
    return items, False


# --- service and outcome map ------------------------------------------------------------------------

def service_map(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """:func:`service_map.outcome_map`: each outcome's services and money (for the
    priority chosen, its outcomes and everything below them), the gaps, and the spend
    across the continuum of need."""
    from cypdesk.io.charts.spec import spend_chart
    from cypdesk.services.service_map import outcome_map

    found = outcome_map(conn, today=today)
    outcomes = found.outcomes
    gaps = [g for g in found.gaps if g.kind == "outcome"]
    heading = "Services and money by outcome"
    if options.get("priority_id"):
        pgap = [g for g in found.gaps if g.kind == "priority" and g.id == options["priority_id"]]
        roots = _priority_outcomes(conn, options["priority_id"])
        keep = _subtrees(outcomes, roots)
        outcomes = [o for o in outcomes if o.id in keep]
        gaps = [g for g in gaps if g.id in keep] + pgap
        heading += " for the priority"
    by_id = {g.id: g for g in gaps if g.kind == "outcome"}
    columns = [Column("outcome", "Outcome"), Column("services", "Services", "integer", align="right"),
               Column("primary", "Primary", "integer", align="right"),
               Column("money", "Money (apportioned)", "money", align="right"),
               Column("share", "Share of spend", "percent", align="right"), Column("gap", "Gap")]
    rows = [Row([Cell(("    " * o.depth) + o.title, o.id), _text(o.services), _text(o.primary_services),
                 _money_cell(o.money), Cell(percent(o.share_pct, 1), o.share_pct),
                 Cell(by_id[o.id].reason if o.id in by_id else "", list(by_id[o.id].rules) if o.id in by_id else None)])
            for o in outcomes]
    note = (f"Total spend {money(found.total_spend)} on {len(found.services)} services; "
            f"{money(found.unmapped_money)} on {len(found.unmapped_services)} services linked to no outcome. "
            f"Prevention and early intervention: {percent(found.prevention_share_pct, 1)} of spend. "
            "A service's cost is split across its outcomes, a primary contribution weighing 2 and a secondary 1.")
    items: list[Any] = [Table(heading, columns, rows, note=note, wide=True)]
    if options.get("priority_id") and pgap:
        items.append(text_item(*[f"{g.code + ': ' if g.code else ''}{g.name}: {g.reason}" for g in pgap]))
    place = _area(conn, options.get("area"))
    if place:
        items.append(_services_in(conn, found, place))
    bands = found.spend_by_band
    items.append(spend_chart("Spend across the continuum of need", [b.label for b in bands],
                             [b.money for b in bands]))
    return items, True


def _services_in(conn: Any, found: Any, area_id: str) -> Table:
    """The map's services working in the locality ``area_id`` (or an area within it,
    its wards), each with the outcomes it contributes to, primary ones first."""
    inside = {r[0] for r in conn.execute(
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id) "
        "SELECT DISTINCT service_id FROM service_areas WHERE area_id IN (SELECT id FROM sub)", (area_id,))}
    titles = {o.id: o.title for o in found.outcomes}
    providers = dict(conn.execute("SELECT s.id, o.name FROM services s JOIN organisations o ON o.id = s.provider_id"))
    owners = owners_of(conn, "services", inside)
    columns = [Column("service", "Service"), Column("provider", "Provider"), Column("tier", "Tier"),
               Column("annual_cost", "Annual cost", "money", align="right"), Column("outcomes", "Outcomes")]
    rows = []
    for svc in found.services:
        if svc.id not in inside:
            continue
        links = sorted(((kind != "primary", titles.get(oid, "")) for (oid, sid), kind in found.cells.items()
                        if sid == svc.id))
        words = "; ".join(t + (" (secondary)" if secondary else "") for secondary, t in links)
        rows.append(Row([_text(svc.name), _text(providers.get(svc.id)), _text(_tier_label(svc.tier)),
                         _money_cell(svc.annual_cost), Cell(words, [t for _s, t in links])], owners.get(svc.id, ())))
    return Table(f"Services working in {_area_name(conn, area_id)}", columns, rows,
                 note=f"{len(rows)} services, from the service map.", wide=True)


def _tier_label(tier: str | None) -> str:
    from cypdesk.services.service_map import TIER_LABELS

    return TIER_LABELS.get(tier or "", "Not recorded")


def _priority_outcomes(conn: Any, priority_id: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT outcome_id FROM priority_links WHERE priority_id = ? AND outcome_id IS NOT NULL", (priority_id,))}


def _subtrees(outcomes: list[Any], roots: set[str]) -> set[str]:
    keep = set(roots)
    for o in outcomes:  # tree order: a parent comes before its children
        if o.parent_id in keep:
            keep.add(o.id)
    return keep


# --- service performance ---------------------------------------------------------------------------

_EXCEPTIONS = {"red", "amber", "slippage", "no_progress"}


def performance(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """:func:`monitoring.measure_ratings` on the document's scale (all, or exceptions:
    rated red/amber, slippage/no progress, or red two periods running), with each
    service's rating (:func:`monitoring.service_ratings`) as a RAG table and each
    measure's trend as a sparkline. Actuals of measures counting people are suppressed
    (1 to threshold-1 print c; the sparkline leaves them out)."""
    from cypdesk.io.charts.spec import rag_chart, sparkline_chart
    from cypdesk.services.monitoring import measure_ratings, red_two_periods, service_ratings

    threshold = int(settings["small_number_threshold"])
    measures = measure_ratings(conn)
    if options.get("service_id"):
        measures = [m for m in measures if m.service_id == options["service_id"]]
    if options.get("priority_id"):
        measures = [m for m in measures if m.owner_kind == "priority" and m.owner_id == options["priority_id"]]
    if options.get("exceptions_only"):
        twice = {mid for r in red_two_periods(conn) for mid, _n, _p in r.measures}
        measures = [m for m in measures if m.rating.value in _EXCEPTIONS or m.id in twice]
    owners = owners_of(conn, "measures", [m.id for m in measures])
    service_owners = owners_of(conn, "services", [m.service_id for m in measures if m.service_id])
    columns = [Column("measure", "Measure"), Column("owner", "Of"), Column("period", "Period", "period"),
               Column("actual", "Actual", "number", align="right"), Column("target", "Target", "number", align="right"),
               Column("rating", "Rating", "rating"), Column("commentary", "Commentary", "long_text")]
    rows, charts = [], []
    for m in measures:
        people = unit_counts_people(m.unit)
        latest = m.latest
        actual = latest.actual if latest else None
        actual_cell = Cell(SUPPRESSED_TEXT, None, suppressed=True) if people and is_small(actual, threshold) else \
            Cell(_with_unit(actual, m.unit), actual)
        row_owners = tuple(sorted(set(owners.get(m.id, ())) | set(service_owners.get(m.service_id or "", ()))))
        rows.append(Row([_text(m.name), Cell(m.owner_words, m.owner_id), _text(latest.label if latest else ""),
                         actual_cell, Cell(_with_unit(m.target, m.unit), m.target),
                         Cell(m.rating.word, m.rating.value, rating=m.rating.value),
                         _text(latest.commentary if latest else None)], row_owners))
        if m.history:
            values = [None if people and is_small(h.actual, threshold) else h.actual for h in m.history]
            chart = sparkline_chart(m.name, values, [h.rating.value for h in m.history],
                                    labels=[h.label for h in m.history], target=m.target, unit=m.unit,
                                    owners=row_owners)
            if any(v is None and h.actual is not None for v, h in zip(values, m.history)):
                chart.description += f" Counts below {threshold} are not shown."
            charts.append(chart)
    scale_note = ("Rated against target with the measure's tolerance: green on or better than target, amber "
                  "within the tolerance, red beyond." if not measures or measures[0].rating.scale == "rag" else
                  "Rated on the five-level trajectory scale: ahead, on course, slippage, no progress.")
    which = "Exceptions: measures rated red or amber, or red two periods running." \
        if options.get("exceptions_only") else f"All {len(measures)} measures."
    items: list[Any] = [Table("Performance measures", columns, rows, note=f"{which} {scale_note}", wide=True)]
    ratings = service_ratings(conn)
    wanted = {m.service_id for m in measures if m.service_id}
    services = sorted((r for sid, r in ratings.items() if sid in wanted), key=lambda r: r.service.casefold())
    if services:
        items.append(rag_chart("Services' ratings", [(r.service, r.rating.value, _after_word(r.summary, r.rating.word))
                                                     for r in services]))
    items.extend(charts)
    return items, True


def _after_word(summary: str, word: str) -> str:
    """"Red: worst of 3 measures" -> "worst of 3 measures" (the chart prints the word)."""
    return summary[len(word) + 2:] if summary.startswith(word + ": ") else summary


def _with_unit(value: float | None, unit: str | None) -> str:
    from cypdesk.services.monitoring import value_text

    return value_text(value, unit)


# --- pooled budgets ------------------------------------------------------------------------------

def pooled_budgets(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """For the agreement chosen (or every one still running), the year's contributions
    and shares (:func:`budgets.contributions_table`), quarterly returns with their
    variance (:func:`budgets.quarterly_returns`) as a table and a chart, and each
    partner's share of the latest variance (:func:`budgets.variance_shares`)."""
    from cypdesk.common.periods import financial_year_of
    from cypdesk.services import budgets

    if options.get("agreement_id"):
        agreements = [options["agreement_id"]]
    else:
        agreements = [r[0] for r in conn.execute(
            "SELECT id FROM agreements WHERE (status IS NULL OR status != 'ended') "
            "AND (end_date IS NULL OR end_date >= ?) ORDER BY title COLLATE NOCASE, id", (today.isoformat(),))]
    year = int(options["year"]) if options.get("year") else financial_year_of(today)
    items: list[Any] = []
    if not agreements:
        return [text_item("There is no budget agreement running.")], False
    for aid in agreements:
        items.extend(_agreement_items(conn, budgets, aid, year, today))
    return items, True


def _agreement_items(conn: Any, budgets: Any, agreement_id: str, year: int, today: date) -> list[Any]:
    from cypdesk.io.charts.spec import budget_chart

    info = budgets.agreement_info(conn, agreement_id)
    table = budgets.contributions_table(conn, agreement_id)
    chosen = next((y for y in table.years if y.financial_year == year), None)
    returns = budgets.quarterly_returns(conn, agreement_id, year, today=today)
    label = returns.label
    owners = owners_of(conn, "agreements", [agreement_id]).get(agreement_id, ())
    items: list[Any] = [text_item(f"{info.title} ({info.type_label.lower()}). {info.explanation}".strip(),
                                  budgets.sharing_rules(info))]
    columns = [Column("partner", "Partner"), Column("cash", "Cash", "money", align="right"),
               Column("in_kind", "In kind", "money", align="right"), Column("total", "Total", "money", align="right"),
               Column("share", "Share", "percent", align="right")]
    rows = []
    if chosen is not None:
        rows = [Row([_text(r.name), _money_cell(r.cash), _money_cell(r.in_kind_value), _money_cell(r.total),
                     Cell(percent(r.share_pct, 1), r.share_pct)], (r.organisation_id,)) for r in chosen.rows]
        rows.append(Row([Cell("Total"), _money_cell(chosen.cash), _money_cell(chosen.in_kind_value),
                         _money_cell(chosen.total), Cell(percent(100, 1), 100.0)], owners, total=True))
    items.append(Table(f"{info.title}: contributions {label}", columns, rows,
                       note="" if rows else f"No contributions are recorded for {label}."))
    qcols = [Column("quarter", "Quarter", "quarter"), Column("budget", "Budget", "money", align="right"),
             Column("spend", "Spend to date", "money", align="right"),
             Column("forecast", "Forecast outturn", "money", align="right"),
             Column("variance", "Variance", "money", align="right"),
             Column("variance_pct", "Variance %", "percent", align="right"), Column("word", "Position")]
    qrows = []
    for q in returns.quarters:
        if q.status == budgets.RETURNED:
            qrows.append(Row([_text(q.label), _money_cell(q.budget), _money_cell(q.spend_to_date),
                              _money_cell(q.forecast_outturn), _money_cell(q.variance),
                              Cell("" if q.variance_pct is None else percent(q.variance_pct, 1), q.variance_pct),
                              Cell(q.word.capitalize(), q.word)], owners))
        else:
            word = "Not due yet" if q.status == budgets.NOT_DUE else "Missing"
            qrows.append(Row([_text(q.label), Cell(""), Cell(""), Cell(""), Cell(""), Cell(""), Cell(word, q.status)],
                             owners))
    items.append(Table(f"{info.title}: quarterly returns {label}", qcols, qrows, note=returns.note))
    items.append(budget_chart(f"Budget and forecast outturn, {label}",
                              [(q.label, q.budget, q.forecast_outturn,
                                "not due yet" if q.status == budgets.NOT_DUE else None) for q in returns.quarters],
                              owners=owners))
    if returns.latest is not None:
        split = budgets.variance_shares(conn, agreement_id, year, returns.latest.quarter, today=today)
        scols = [Column("partner", "Partner"), Column("basis", "Basis"),
                 Column("amount", "Share of the variance", "money", align="right")]
        srows = [Row([_text(s.name + (" (host)" if s.is_host else "")), _text(s.basis),
                      Cell(money(s.amount, pence=True), s.amount)], (s.organisation_id,)) for s in split.shares]
        items.append(Table(f"{info.title}: each partner's share of the {returns.latest.label} variance", scols, srows,
                           note=" ".join(p for p in (split.explanation, split.rounding) if p)))
    return items


# --- needs profile ----------------------------------------------------------------------------------

def needs_profile(conn: Any, options: Mapping[str, Any], *, today: date, settings: Mapping[str, Any]) -> Items:
    """For an outcome (with its sub-outcomes), a priority's outcomes and indicators, or
    the indicators chosen: :func:`needs.indicator_summaries` (latest value against
    England, the rank among neighbours, the trend) and :func:`needs.trend` as a chart
    for each indicator; a locality's own values against England when one is chosen.
    Values of indicators that are counts are suppressed (1 to threshold-1)."""
    from cypdesk.io.charts.spec import trend_chart
    from cypdesk.io.charts.trend import describe_trend
    from cypdesk.services.needs import indicator_summaries, indicators_for_filter, resolve_areas, trend
    from cypdesk.services.needs_rules import DEFAULT_TOLERANCE_PCT

    threshold = int(settings["small_number_threshold"])
    tolerance = settings.get("tolerance_pct")
    tolerance = DEFAULT_TOLERANCE_PCT if tolerance is None else float(tolerance)
    place = _area(conn, options.get("area"))
    areas = resolve_areas(conn)
    home = place or areas.home_id
    wanted = _indicators(conn, options, indicators_for_filter)
    # The Needs tab's own comparison: indicator_summaries follows the document's "Compare
    # with" setting (neighbours, region or England only); a locality has no rank.
    summaries = indicator_summaries(conn, home_area_id=home, tolerance_pct=tolerance, neighbours=place is None)
    if wanted is not None:
        summaries = [s for s in summaries if s.indicator_id in wanted]
    numerators = _numerators(conn, home, summaries)
    columns = [Column("indicator", "Indicator"), Column("period", "Period", "period"),
               Column("count", _field("indicator_values", "numerator")["label"], "number",
                      counts=bool(_field("indicator_values", "numerator").get("counts")), align="right"),
               Column("value", "Value", "number", align="right"),
               Column("england", "England", "number", align="right"), Column("comparison", "Against England"),
               Column("neighbours", "Among neighbours"), Column("trend", "Trend")]
    rows = []
    counts = {s.indicator_id for s in summaries if s.unit == "count"}
    for s in summaries:
        value = Cell(SUPPRESSED_TEXT, None, suppressed=True) if s.indicator_id in counts and is_small(
            s.value, threshold) else Cell(s.value_text, s.value)
        count = numerators.get(s.indicator_id)
        rows.append(Row([_text(s.name), _text(s.period_label), Cell(_num(count, 1), count), value,
                         Cell(s.england_text, s.england),
                         Cell(s.comparison.phrase, s.comparison.rating), Cell(s.neighbours.text, s.neighbours.rank),
                         Cell(s.trend.word.capitalize(), s.trend.word)]))
    where = _area_name(conn, place) if place else areas.home_name
    items: list[Any] = [Table(f"Needs profile: {where}", columns, rows, wide=True,
                              note="Compared with England by confidence interval where there is one. "
                                   "Small counts print c.")]
    for s in summaries:
        data = trend(conn, s.indicator_id, home_area_id=home, neighbours=place is None)
        if data is None or not data.points:
            continue
        if s.indicator_id in counts:
            data = data._replace(points=tuple(
                p._replace(value=None, lower=None, upper=None, suppressed=SUPPRESSED_TEXT)
                if is_small(p.value, threshold) else p for p in data.points))
        items.append(trend_chart(data, describe_trend(data), title=data.name))
    return items, True


def _field(kind: str, name: str) -> dict[str, Any]:
    """A field's catalog entry (its label and marks, ``counts`` among them)."""
    from cypdesk.model.catalog import CATALOG

    return next(f for f in CATALOG[kind]["fields"] if f["name"] == name)


def _numerators(conn: Any, area_id: str | None, summaries: list[Any]) -> dict[str, float | None]:
    """The count (numerator) behind each summary's headline value for ``area_id``."""
    from cypdesk.services.needs import _HEADLINE

    out: dict[str, float | None] = {}
    for s in summaries:
        if s.period is None or area_id is None:
            continue
        row = conn.execute(
            "SELECT v.numerator FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
            f"WHERE v.indicator_id = ? AND v.area_id = ? AND v.period = ? AND {_HEADLINE} "
            "ORDER BY v.value IS NULL, v.updated_at DESC LIMIT 1", (s.indicator_id, area_id, s.period)).fetchone()
        out[s.indicator_id] = row[0] if row else None
    return out


def _indicators(conn: Any, options: Mapping[str, Any], indicators_for_filter: Callable[..., list[str]]
                ) -> set[str] | None:
    found: set[str] | None = None
    if options.get("indicator_ids"):
        found = set(options["indicator_ids"])
    if options.get("outcome_id"):
        ids = set(indicators_for_filter(conn, outcome_id=options["outcome_id"]))
        found = ids if found is None else found & ids
    if options.get("priority_id"):
        ids = {r[0] for r in conn.execute("SELECT indicator_id FROM priority_links WHERE priority_id = ? "
                                          "AND indicator_id IS NOT NULL", (options["priority_id"],))}
        for oid in _priority_outcomes(conn, options["priority_id"]):
            ids |= set(indicators_for_filter(conn, outcome_id=oid))
        found = ids if found is None else found & ids
    return found


def _area(conn: Any, ref: Any) -> str | None:
    if not ref:
        return None
    row = conn.execute("SELECT id FROM areas WHERE id = ? OR lower(name) = lower(?) ORDER BY id = ? DESC LIMIT 1",
                       (ref, str(ref).strip(), ref)).fetchone()
    return row[0] if row else None


def _area_name(conn: Any, area_id: str) -> str:
    row = conn.execute("SELECT name FROM areas WHERE id = ?", (area_id,)).fetchone()
    return row[0] if row else ""


BUILDERS: dict[str, Callable[..., Items]] = {
    "action_plan": action_plan,
    "pooled_budgets": pooled_budgets,
    "performance": performance,
    "needs_profile": needs_profile,
    "service_map": service_map,
    "contracts_ending": contracts_ending,
    "risks": risks,
}
