"""The service and outcome map (framework step 5): which services contribute to which
outcomes, how the money falls across them, and where the gaps and overlaps are.

Everything is read with plain SQL into tuples and computed in Python dictionaries:
a register can hold 10,000 services, and building ORM objects for them (with their
links) would take seconds where this takes a fraction of one. The module imports no
SQLAlchemy: it reads through whatever it is given (see :func:`query_rows`).

The rules, stated once (the window's help and the board paper's appendix quote them):

**Which services.** Every service whose status is not *decommissioned* (proposed and
in-procurement services count: they are the trust's planned response to a need).

**Money on an outcome (apportionment).** A service's annual cost is split across the
outcomes it is linked to directly, in proportion to weights: a *primary* contribution
weighs 2, a *secondary* one 1. A service costing £300,000 with one primary and one
secondary outcome puts £200,000 on the first and £100,000 on the second; with two
primary outcomes, £150,000 on each. A service with no cost recorded counts as a
service but adds no money; a service linked to no outcome is *unmapped* (its cost is
reported apart, so the outcome figures plus the unmapped money equal the total spend).

**Roll-up.** An outcome's figures include its sub-outcomes': ``services`` is the number
of *distinct* services linked to the outcome or any outcome below it (a service on two
sub-outcomes counts once for the parent), and ``money`` is the sum of the apportioned
amounts over the same subtree (each service-outcome pair once, so it can never exceed
the services' total cost).

**Gaps** (an outcome or sub-outcome, judged on its rolled-up figures; rule codes in
brackets):

- *no service* (``no_service``): no service is linked to it or to anything below it;
- *only secondary contributions* (``only_secondary``): services contribute, but none
  has it (or anything below it) as a primary outcome;
- *little money* (``little_money``): services contribute, but the apportioned money is
  below ``little_share`` (default 1%) of the total spend. Not applied when the total
  spend is nil.

A **priority** is judged the same way on the outcomes its ``priority_links`` name (with
everything below them, each service and each service-outcome pair once). Priorities
linked to no outcome cannot be judged and are left out, and so are dropped ones.

**Overlaps.** Two or more services with a *primary* contribution to the same outcome,
for the same group of children, in the same locality: one entry per (outcome, group,
locality) with the services. A service with no group recorded is taken to serve all
children: such services overlap with each other (the "All children" group), not with
services for a named group. A service with no locality recorded is taken to serve the
whole area in the same way. Only direct links count (a parent outcome's overlaps are
not rolled up from its sub-outcomes).

**Tiers.** ``spend_by_tier`` keeps the seven recorded tiers apart (universal, targeted,
specialist, levels 1 to 4) plus "Not recorded". ``spend_by_band`` folds them into the
three bands of the continuum of need, by this rule: level 1 is universal, level 2
targeted, levels 3 and 4 specialist (complex and acute needs).

**Prevention share.** The percentage of the total spend on services flagged
prevention or early intervention.

**Contracts ending.** Contracts of the mapped services ending from today to 12 months
ahead, each marked as ending within 6 or within 12 months (calendar months: within 6
means on or before the date six months from today). Expired contracts are listed apart,
except one whose service has another contract ending later (it has been replaced).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cypdesk.services.query import query_rows  # other modules read through this one too

PRIMARY_WEIGHT = 2.0
SECONDARY_WEIGHT = 1.0
WEIGHTS = {"primary": PRIMARY_WEIGHT, "secondary": SECONDARY_WEIGHT}

TIER_LABELS = {
    "universal": "Universal", "targeted": "Targeted", "specialist": "Specialist",
    "level_1": "Level 1", "level_2": "Level 2", "level_3": "Level 3", "level_4": "Level 4",
}
NOT_RECORDED = "Not recorded"
# Levels of need folded into the three bands of the continuum (module doc, "Tiers").
BAND_OF_TIER = {
    "universal": "universal", "targeted": "targeted", "specialist": "specialist",
    "level_1": "universal", "level_2": "targeted", "level_3": "specialist", "level_4": "specialist",
}
BAND_LABELS = {"universal": "Universal", "targeted": "Targeted", "specialist": "Specialist"}

ALL_CHILDREN = "All children (no group recorded)"
WHOLE_AREA = "Whole area (no locality recorded)"

RULE_NO_SERVICE = "no_service"
RULE_ONLY_SECONDARY = "only_secondary"
RULE_LITTLE_MONEY = "little_money"


# --- reading --------------------------------------------------------------------------

def tree_order(
    rows: Iterable[tuple[Any, ...]], *, id_of: Callable[[Any], str], parent_of: Callable[[Any], str | None],
    sort_key: Callable[[Any], Any],
) -> tuple[list[tuple[Any, int]], set[str]]:
    """Rows in tree order (each followed by the rows below it), with their depth.

    A row whose parent is missing, unknown or itself, or that sits in a loop of parents,
    is placed at the top level and its id returned in the second value (``flagged``):
    data merged from two partners can hold such shapes, and nothing may be lost.
    """
    items = list(rows)
    by_id = {id_of(r): r for r in items}
    children: dict[str, list[Any]] = defaultdict(list)
    roots: list[Any] = []
    flagged: set[str] = set()
    for r in items:
        parent = parent_of(r)
        if parent is None or parent not in by_id or parent == id_of(r):
            roots.append(r)
            if parent is not None:
                flagged.add(id_of(r))
        else:
            children[parent].append(r)
    out: list[tuple[Any, int]] = []
    seen: set[str] = set()

    def walk(start: list[Any], depth: int) -> None:
        stack = [(r, depth) for r in sorted(start, key=sort_key, reverse=True)]
        while stack:
            r, d = stack.pop()
            rid = id_of(r)
            if rid in seen:
                continue
            seen.add(rid)
            out.append((r, d))
            stack.extend((c, d + 1) for c in sorted(children.get(rid, ()), key=sort_key, reverse=True))

    walk(roots, 0)
    # What is left sits in loops: each loop is cut at its first row by sort order.
    while len(seen) < len(by_id):
        rest = sorted((r for r in items if id_of(r) not in seen), key=sort_key)
        flagged.add(id_of(rest[0]))
        walk([rest[0]], 0)
    return out, flagged


# --- the map --------------------------------------------------------------------------

@dataclass(frozen=True)
class OutcomeRow:
    """An outcome in tree order with its rolled-up figures (module doc)."""

    id: str
    code: str | None
    name: str
    parent_id: str | None
    depth: int
    services: int = 0  # distinct services linked to it or to anything below it
    primary_services: int = 0  # of which with a primary contribution there
    direct_services: int = 0  # linked to this outcome itself
    money: float = 0.0  # apportioned annual cost, rolled up
    share_pct: float = 0.0  # money as a percentage of the total spend

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass(frozen=True)
class ServiceRow:
    id: str
    name: str
    sector: str | None
    tier: str | None
    prevention: bool
    annual_cost: float | None
    status: str


@dataclass(frozen=True)
class Gap:
    """An outcome, sub-outcome or priority with no service or little service."""

    kind: str  # "outcome" or "priority"
    id: str
    code: str | None  # the outcome's code, or the priority's plan reference
    name: str  # the outcome's name, or the priority's statement
    outcome_ids: tuple[str, ...]  # the outcome itself, or the priority's outcomes
    services: int
    money: float
    rules: tuple[str, ...]  # RULE_NO_SERVICE, RULE_ONLY_SECONDARY, RULE_LITTLE_MONEY
    reasons: tuple[str, ...]  # each rule met, in words

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


@dataclass(frozen=True)
class Overlap:
    outcome_id: str
    outcome: str  # code and name
    group_id: str | None  # None: services with no group recorded (all children)
    group: str
    locality_id: str | None  # None: services with no locality recorded (whole area)
    locality: str
    services: tuple[tuple[str, str], ...]  # (id, name), by name


@dataclass(frozen=True)
class OverlapSet:
    """The same services overlapping on one outcome, with every group and locality where
    they do: one line to read instead of one per place."""

    outcome_id: str
    outcome: str
    services: tuple[tuple[str, str], ...]
    places: tuple[tuple[str, str], ...]  # (group, locality) in words

    def describe(self) -> str:
        names = ", ".join(name for _id, name in self.services)
        where = "; ".join(f"{group}, {locality}" for group, locality in self.places)
        return f"{len(self.services)} services for {self.outcome}: {names} (for {where})"


@dataclass(frozen=True)
class TierSpend:
    tier: str | None  # a tier or band value; None: not recorded
    label: str
    services: int
    money: float
    share_pct: float


@dataclass(frozen=True)
class ContractEnding:
    contract_id: str
    service_id: str
    service: str
    reference: str | None
    end_date: date
    days_left: int  # negative once expired
    months_left: int  # whole calendar months; negative once expired
    within: int  # 6 or 12 (months) for contracts ending; 0 for expired ones


@dataclass
class OutcomeMap:
    """The map of services to outcomes and money for one document on one day."""

    today: date
    little_share: float
    outcomes: list[OutcomeRow]
    services: list[ServiceRow]
    cells: dict[tuple[str, str], str]  # (outcome id, service id) -> "primary" | "secondary"
    total_spend: float
    unmapped_services: list[str]  # ids of services linked to no outcome
    unmapped_money: float
    gaps: list[Gap]
    overlaps: list[Overlap]
    spend_by_tier: list[TierSpend]
    spend_by_band: list[TierSpend]
    prevention_money: float
    prevention_services: int
    prevention_share_pct: float
    contracts_ending: list[ContractEnding]
    contracts_expired: list[ContractEnding]
    apportioned: dict[tuple[str, str], float] = field(default_factory=dict)  # (outcome, service) -> £

    @property
    def overlap_sets(self) -> list[OverlapSet]:
        """:attr:`overlaps` grouped by outcome and the set of services, in the same order."""
        grouped: dict[tuple[str, tuple[tuple[str, str], ...]], list[Overlap]] = {}
        for ov in self.overlaps:
            grouped.setdefault((ov.outcome_id, ov.services), []).append(ov)
        return [OverlapSet(oid, items[0].outcome, services, tuple((o.group, o.locality) for o in items))
                for (oid, services), items in grouped.items()]

    def outcome(self, outcome_id: str) -> OutcomeRow:
        for row in self.outcomes:
            if row.id == outcome_id:
                return row
        raise KeyError(outcome_id)

    def gaps_of(self, outcome_id: str) -> list[Gap]:
        return [g for g in self.gaps if g.kind == "outcome" and g.id == outcome_id]

    def ending_within(self, months: int) -> list[ContractEnding]:
        """Contracts ending from today to ``months`` (6 or 12) months ahead."""
        return [c for c in self.contracts_ending if c.within <= months]


def add_months(d: date, months: int) -> date:
    """The same day ``months`` calendar months on (the month's last day if shorter)."""
    index = d.year * 12 + d.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last = (next_first - date.resolution).day
    return date(year, month, min(d.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _money_text(amount: float) -> str:
    from cypdesk.common.formats import money

    return money(amount)


def _pct_text(value: float) -> str:
    return f"{value:.1f}%" if value < 10 and round(value, 1) != round(value) else f"{value:.0f}%"


def outcome_map(source: Any, *, today: date, little_share: float = 0.01, unrecorded_overlap: bool = True) -> OutcomeMap:
    """Compute the map (rules in the module doc). ``source``: anything
    :func:`query_rows` reads (a sqlite3 connection, an engine, a workspace...).
    ``unrecorded_overlap=False`` leaves out the overlaps of services with no group or
    no locality recorded (the "All children" and "Whole area" entries)."""
    with query_rows(source) as run:
        outcome_rows = run("SELECT id, code, name, parent_id, rank FROM outcomes")
        service_rows = run(
            "SELECT id, name, sector, tier, prevention, annual_cost, status FROM services "
            "WHERE status IS NULL OR status != 'decommissioned'"
        )
        link_rows = run(
            "SELECT so.outcome_id, so.service_id, so.contribution FROM service_outcomes so "
            "JOIN services s ON s.id = so.service_id WHERE s.status IS NULL OR s.status != 'decommissioned'"
        )
        group_rows = run("SELECT service_id, group_id FROM service_groups")
        area_rows = run("SELECT service_id, area_id FROM service_areas")
        group_names = dict(run("SELECT id, name FROM groups"))
        area_names = dict(run("SELECT id, name FROM areas"))
        priority_rows = run(
            "SELECT p.id, p.plan_reference, p.statement, p.rank, pl.outcome_id FROM priorities p "
            "JOIN priority_links pl ON pl.priority_id = p.id "
            "WHERE pl.outcome_id IS NOT NULL AND (p.status IS NULL OR p.status != 'dropped')"
        )
        contract_rows = run(
            "SELECT c.id, c.service_id, s.name, c.reference, c.end_date FROM contracts c "
            "JOIN services s ON s.id = c.service_id "
            "WHERE c.end_date IS NOT NULL AND (s.status IS NULL OR s.status != 'decommissioned')"
        )

    # Services.
    services = sorted(
        (ServiceRow(sid, name or "", sector, tier, bool(prev), None if cost is None else float(cost), status or "")
         for sid, name, sector, tier, prev, cost, status in service_rows),
        key=lambda s: (s.name.casefold(), s.id),
    )
    cost_of = {s.id: s.annual_cost or 0.0 for s in services}
    total_spend = sum(cost_of.values())

    # Outcomes in tree order.
    def sort_key(r: tuple[Any, ...]) -> tuple[Any, ...]:
        return (r[4] is None, r[4] or 0, (r[1] or "").casefold(), (r[2] or "").casefold(), r[0])

    ordered, _flagged = tree_order(outcome_rows, id_of=lambda r: r[0], parent_of=lambda r: r[3], sort_key=sort_key)
    known_outcomes = {r[0] for r in outcome_rows}
    # The parent each outcome hangs under in this tree (None at the top, loops cut).
    placed_parent: dict[str, str | None] = {}
    stack: list[tuple[str, int]] = []
    for r, depth in ordered:
        while stack and stack[-1][1] >= depth:
            stack.pop()
        placed_parent[r[0]] = stack[-1][0] if stack else None
        stack.append((r[0], depth))

    # Cells and apportionment.
    cells: dict[tuple[str, str], str] = {}
    for oid, sid, contribution in link_rows:
        if oid not in known_outcomes or sid not in cost_of:
            continue
        kind = "primary" if contribution == "primary" or cells.get((oid, sid)) == "primary" else "secondary"
        cells[(oid, sid)] = kind
    weight_total: dict[str, float] = defaultdict(float)
    for (_oid, sid), kind in cells.items():
        weight_total[sid] += WEIGHTS[kind]
    apportioned = {
        (oid, sid): cost_of[sid] * WEIGHTS[kind] / weight_total[sid] for (oid, sid), kind in cells.items()
    }
    mapped = {sid for (_oid, sid) in cells}
    unmapped = [s.id for s in services if s.id not in mapped]
    unmapped_money = sum(cost_of[sid] for sid in unmapped)

    direct: dict[str, dict[str, str]] = defaultdict(dict)  # outcome -> service -> contribution
    for (oid, sid), kind in cells.items():
        direct[oid][sid] = kind

    # Roll up: in reverse tree order every outcome comes after everything below it.
    children_of: dict[str, list[str]] = defaultdict(list)
    for oid, parent in placed_parent.items():
        if parent is not None:
            children_of[parent].append(oid)
    subtree_services: dict[str, set[str]] = {}
    subtree_primary: dict[str, set[str]] = {}
    subtree_money: dict[str, float] = {}
    subtree_outcomes: dict[str, set[str]] = {}
    for r, _depth in reversed(ordered):
        oid = r[0]
        subtree_services[oid] = set(direct[oid])
        subtree_primary[oid] = {sid for sid, kind in direct[oid].items() if kind == "primary"}
        subtree_money[oid] = sum(apportioned[(oid, sid)] for sid in direct[oid])
        subtree_outcomes[oid] = {oid}
        for child in children_of[oid]:
            subtree_services[oid] |= subtree_services[child]
            subtree_primary[oid] |= subtree_primary[child]
            subtree_money[oid] += subtree_money[child]
            subtree_outcomes[oid] |= subtree_outcomes[child]

    outcomes = [
        OutcomeRow(
            id=r[0], code=r[1], name=r[2] or "", parent_id=r[3], depth=depth,
            services=len(subtree_services[r[0]]), primary_services=len(subtree_primary[r[0]]),
            direct_services=len(direct[r[0]]), money=subtree_money[r[0]],
            share_pct=(100.0 * subtree_money[r[0]] / total_spend) if total_spend else 0.0,
        )
        for r, depth in ordered
    ]

    title_of = {o.id: o.title for o in outcomes}

    # Gaps.
    threshold = little_share * total_spend

    def judge(services_n: int, primary_n: int, money: float, what: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        rules: list[str] = []
        reasons: list[str] = []
        if services_n == 0:
            rules.append(RULE_NO_SERVICE)
            reasons.append(f"No service contributes to {what}.")
            return tuple(rules), tuple(reasons)
        if primary_n == 0:
            rules.append(RULE_ONLY_SECONDARY)
            noun = "service contributes" if services_n == 1 else "services contribute"
            reasons.append(f"Only secondary contributions: {services_n} {noun}, none with {what} as a primary outcome.")
        if total_spend > 0 and money < threshold:
            rules.append(RULE_LITTLE_MONEY)
            reasons.append(
                f"Little money: {_money_text(money)} ({_pct_text(100.0 * money / total_spend)} of the total spend), "
                f"below the {_pct_text(100.0 * little_share)} threshold."
            )
        return tuple(rules), tuple(reasons)

    gaps: list[Gap] = []
    for row in outcomes:
        rules, reasons = judge(row.services, row.primary_services, row.money, "it")
        if rules:
            gaps.append(Gap("outcome", row.id, row.code, row.name, (row.id,), row.services, row.money, rules, reasons))

    priorities: dict[str, dict[str, Any]] = {}
    for pid, ref, statement, rank, oid in priority_rows:
        if oid not in known_outcomes:
            continue
        entry = priorities.setdefault(pid, {"ref": ref, "statement": statement or "", "rank": rank, "outcomes": []})
        if oid not in entry["outcomes"]:
            entry["outcomes"].append(oid)
    order_of = {r[0]: i for i, (r, _d) in enumerate(ordered)}
    for pid, entry in sorted(priorities.items(), key=lambda kv: (kv[1]["rank"] is None, kv[1]["rank"] or 0,
                                                                  kv[1]["ref"] or "", kv[0])):
        linked = sorted(entry["outcomes"], key=lambda o: order_of.get(o, 0))
        covered: set[str] = set()
        for oid in linked:
            covered |= subtree_outcomes[oid]
        svc = {sid for oid in covered for sid in direct[oid]}
        prim = {sid for oid in covered for sid, kind in direct[oid].items() if kind == "primary"}
        money = sum(apportioned[(oid, sid)] for oid in covered for sid in direct[oid])
        names = "; ".join(title_of[oid] for oid in linked)
        rules, reasons = judge(len(svc), len(prim), money, f"its outcomes ({names})" if len(linked) > 1 else f"its outcome ({names})")
        if rules:
            gaps.append(Gap("priority", pid, entry["ref"], entry["statement"], tuple(linked), len(svc), money, rules, reasons))

    # Overlaps: primary contributions, same outcome x group x locality.
    groups_of: dict[str, list[str | None]] = defaultdict(list)
    for sid, gid in group_rows:
        groups_of[sid].append(gid)
    areas_of: dict[str, list[str | None]] = defaultdict(list)
    for sid, aid in area_rows:
        areas_of[sid].append(aid)
    name_of = {s.id: s.name for s in services}
    buckets: dict[tuple[str, str | None, str | None], set[str]] = defaultdict(set)
    for (oid, sid), kind in cells.items():
        if kind != "primary":
            continue
        if not unrecorded_overlap and not (groups_of.get(sid) and areas_of.get(sid)):
            continue
        for gid in groups_of.get(sid) or [None]:
            for aid in areas_of.get(sid) or [None]:
                buckets[(oid, gid, aid)].add(sid)

    def group_name(gid: str | None) -> str:
        return ALL_CHILDREN if gid is None else group_names.get(gid, gid)

    def area_name(aid: str | None) -> str:
        return WHOLE_AREA if aid is None else area_names.get(aid, aid)

    overlaps = [
        Overlap(oid, title_of[oid], gid, group_name(gid), aid, area_name(aid),
                tuple(sorted(((sid, name_of[sid]) for sid in sids), key=lambda x: (x[1].casefold(), x[0]))))
        for (oid, gid, aid), sids in buckets.items() if len(sids) >= 2
    ]
    overlaps.sort(key=lambda o: (order_of.get(o.outcome_id, 0), o.group_id is None, o.group.casefold(),
                                 o.locality_id is None, o.locality.casefold()))

    # Spend by tier and band; prevention.
    def spend(key_of: Callable[[ServiceRow], str | None], order: Sequence[str], labels: dict[str, str]) -> list[TierSpend]:
        count: dict[str | None, int] = defaultdict(int)
        money: dict[str | None, float] = defaultdict(float)
        for s in services:
            k = key_of(s)
            count[k] += 1
            money[k] += cost_of[s.id]
        keys = [k for k in order if count.get(k)] + ([None] if count.get(None) else [])
        return [TierSpend(k, labels[k] if k else NOT_RECORDED, count[k], money[k],
                          (100.0 * money[k] / total_spend) if total_spend else 0.0) for k in keys]

    spend_by_tier = spend(lambda s: s.tier if s.tier in TIER_LABELS else None, list(TIER_LABELS), TIER_LABELS)
    spend_by_band = spend(lambda s: BAND_OF_TIER.get(s.tier or ""), list(BAND_LABELS), BAND_LABELS)
    prevention = [s for s in services if s.prevention]
    prevention_money = sum(cost_of[s.id] for s in prevention)

    # Contracts ending and expired.
    six, twelve = add_months(today, 6), add_months(today, 12)
    latest_end: dict[str, date] = {}
    contracts: list[tuple[str, str, str, str | None, date]] = []
    for cid, sid, sname, ref, end in contract_rows:
        end_d = _date(end)
        if end_d is None:
            continue
        contracts.append((cid, sid, sname or "", ref, end_d))
        if sid not in latest_end or end_d > latest_end[sid]:
            latest_end[sid] = end_d
    ending: list[ContractEnding] = []
    expired: list[ContractEnding] = []
    for cid, sid, sname, ref, end_d in contracts:
        days = (end_d - today).days
        months = months_between(today, end_d)
        if end_d < today:
            if latest_end[sid] > end_d:
                continue  # replaced by a later contract
            expired.append(ContractEnding(cid, sid, sname, ref, end_d, days, months, 0))
        elif end_d <= twelve:
            ending.append(ContractEnding(cid, sid, sname, ref, end_d, days, months, 6 if end_d <= six else 12))
    ending.sort(key=lambda c: (c.end_date, c.service.casefold(), c.contract_id))
    expired.sort(key=lambda c: (c.end_date, c.service.casefold(), c.contract_id), reverse=True)

    return OutcomeMap(
        today=today, little_share=little_share, outcomes=outcomes, services=services, cells=cells,
        total_spend=total_spend, unmapped_services=unmapped, unmapped_money=unmapped_money, gaps=gaps,
        overlaps=overlaps, spend_by_tier=spend_by_tier, spend_by_band=spend_by_band,
        prevention_money=prevention_money, prevention_services=len(prevention),
        prevention_share_pct=(100.0 * prevention_money / total_spend) if total_spend else 0.0,
        contracts_ending=ending, contracts_expired=expired, apportioned=apportioned,
    )


__all__ = [
    "ALL_CHILDREN", "BAND_OF_TIER", "ContractEnding", "Gap", "OutcomeMap", "OutcomeRow", "Overlap",
    "PRIMARY_WEIGHT", "RULE_LITTLE_MONEY", "RULE_NO_SERVICE", "RULE_ONLY_SECONDARY", "SECONDARY_WEIGHT",
    "ServiceRow", "TierSpend", "WHOLE_AREA", "add_months", "months_between", "outcome_map", "query_rows", "tree_order",
]
