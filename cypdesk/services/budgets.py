"""Pooled, aligned and joint budgets (framework step 7): partners' contributions,
quarterly monitoring returns, each partner's share of an over- or underspend, the
services in scope, and the warnings an agreement needs.

Everything is read with plain SQL into tuples (through :func:`query_rows`, so a
``sqlite3`` connection, a workspace or an engine will do) and computed in Python;
writes go through :mod:`cypdesk.services.records`, so each value is checked against its
field and every edit can be undone.

The rules, stated once (the tab and board papers quote them):

**Variance.** ``variance = forecast outturn - budget``. Positive is an *overspend*,
negative an *underspend*, nil *on budget*. ``variance %`` is the variance as a
percentage of the budget (none when the budget is nil).

**Missing returns.** A quarter without a return is *missing*: it has no figures, never
zeros. With ``today`` given, a quarter that has not yet ended is *not due yet* instead,
and one that ended no more than the grace period ago (the document's setting, 30 days
unless changed) is *due*: its return may still come in time.
A return's spend to date and forecast outturn are figures for the year so far, so the
year's position is the latest return's; missing quarters are left out of it (never
counted as zero) and a note says so.

**Who shares a variance.** Only a *formal pooled budget* shares its over- or underspend
between the partners, by the agreement's rule for the variance's sign (overspends and
underspends may be shared differently). An *aligned* budget is not pooled: each
partner's money stays in its own budget, so each carries its own over- or underspend
and nothing is split. A *joint* budget is an informal pool: a steering group agrees
contributions and the host invoices the partners; it has no formal risk-share, so the
steering group settles an over- or underspend and nothing is split here. An
*individual* budget is one child's or family's and is not shared between partners.

**The rules** (for a formal pooled budget):

- *In proportion to contributions*: in proportion to each partner's **cash**
  contribution for that financial year. In-kind contributions (seconded staff,
  premises) are not money in the fund and are left out of the basis (risk shares are
  "based on their ... financial contribution"). A partner with no cash contribution
  that year bears nothing. No cash recorded at all: no split can be computed.
- *Host bears it*: all of it falls to the host partner (none recorded: no split).
- *Agreed percentages*: each partner's agreed share of overspends or of underspends
  (from the agreement's partners), whatever it contributed; a partner without a
  percentage has 0%. The percentages must total 100% (within 0.01 points), or no split
  is computed and the agreement is flagged.
- *Case by case*: no computed split: it is to be agreed by the partners.

**Pence.** The variance is taken to the penny; each share is rounded to the penny (half
away from zero) and what is left over (a penny or two) goes to the host when the host
has a share, otherwise to the largest share (the first by name on a tie), so the shares
add up exactly to the variance.

**Contribution shares.** A partner's share of a year is its cash plus in-kind value over
the year's total; the shares are rounded to one decimal place by largest remainder, so
they add up to exactly 100.0%. ``cash_share_pct`` (the basis of the proportional rule)
is rounded the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cypdesk.common.errors import RecordNotFound
from cypdesk.common.formats import date_uk, money, percent
from cypdesk.common.periods import Period, financial_year_of, format_financial_year
from cypdesk.model.catalog import CATALOG
from cypdesk.services.service_map import query_rows

PCT_TOLERANCE = 0.01  # percentage points: 33.33 + 33.33 + 33.34 total 100

TYPE_LABELS = {"pooled": "Formal pooled budget", "aligned": "Aligned budget", "joint": "Joint budget",
               "individual": "Individual budget"}

#: One line each: what the type of budget is, and what sharing means in it (seed 002, table 3;
#: seed 001, 6.3 and 7.1).
TYPE_EXPLANATIONS = {
    "pooled": "Formal pooled budget: the partners' contributions form one fund under a written agreement, "
              "run by the host; over- and underspends are shared by the agreement's rules.",
    "aligned": "Aligned budget: not pooled. Each partner's money stays in its own budget, planned together "
               "as one virtual budget, so there is no shared risk: each partner carries its own over- or underspend.",
    "joint": "Joint budget: an informal pool. A steering group agrees the partners' contributions and the host "
             "invoices them; there is no formal risk-share, so the steering group settles any over- or underspend.",
    "individual": "Individual budget: one child's or family's package of care (micro-commissioning); "
                  "it is not shared between partners.",
}

#: What happens to a variance in a budget that is not a formal pooled fund.
NOT_SHARED = {
    "aligned": "Not shared: in an aligned budget each partner's over- or underspend stays in its own budget "
               "(no money moves between partners, so there is no split to compute).",
    "joint": "Not split: a joint budget has no formal risk-share; the host invoices the partners for their "
             "agreed contributions, and the steering group agrees what happens to an over- or underspend.",
    "individual": "Not shared: an individual budget belongs to one child's or family's package of care.",
}

RULE_LABELS = {"proportional": "in proportion to contributions", "host": "host bears it",
               "agreed_pct": "agreed percentages", "case_by_case": "case by case"}

#: How each rule reads after "Overspends are" / "Underspends are".
RULE_PHRASES = {
    "proportional": "shared in proportion to the partners' cash contributions for the year",
    "host": "borne by the host",
    "agreed_pct": "shared by the agreed percentages",
    "case_by_case": "settled case by case: the split is to be agreed by the partners",
}

STATUS_LABELS = dict((v, label) for v, label in next(
    f for f in CATALOG["agreements"]["fields"] if f["name"] == "status")["choices"])
LEGAL_BASIS_LABELS = dict((v, label) for v, label in next(
    f for f in CATALOG["agreements"]["fields"] if f["name"] == "legal_basis")["choices"])

# Quarter states
RETURNED = "return"
MISSING = "missing"
NOT_DUE = "not_due"
DUE = "due"  # ended within the grace period: the return is expected, not yet missing

# Split states
SPLIT = "split"
ON_BUDGET = "on_budget"
NO_RETURN = "missing"
CASE_BY_CASE = "case_by_case"
NOT_POOLED = "not_pooled"
INVALID = "invalid"
NO_BASIS = "no_basis"


# --- small helpers --------------------------------------------------------------------

def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def to_pence(value: Any) -> int:
    """An amount in pounds as whole pence, rounded half away from zero."""
    return int((_dec(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pounds(pence: int) -> float:
    return float(Decimal(pence) / 100)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def variance_word(variance: float | None) -> str:
    """``overspend``, ``underspend`` or ``on budget`` (``""`` for no variance)."""
    if variance is None:
        return ""
    pence = to_pence(variance)
    return "overspend" if pence > 0 else "underspend" if pence < 0 else "on budget"


def quarter_label(financial_year: int, quarter: int) -> str:
    """``2025-26 Q2``."""
    return f"{format_financial_year(financial_year)} Q{quarter}"


def round_percentages(values: Sequence[float | Decimal], decimals: int = 1) -> list[float]:
    """Shares of ``values`` as percentages rounded to ``decimals`` places by largest
    remainder, so they add up to exactly 100 (all nil: all 0)."""
    amounts = [_dec(v) for v in values]
    total = sum(amounts, Decimal(0))
    if total <= 0:
        return [0.0 for _ in amounts]
    unit = Decimal(1).scaleb(-decimals)
    units = int(Decimal(100) / unit)
    exact = [a * units / total for a in amounts]
    floors = [int(e) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [float(Decimal(f) * unit) for f in floors]


def split_pence(variance_pence: int, weights: Sequence[tuple[str, Decimal | float]], *,
                remainder_to: str | None = None, names: dict[str, str] | None = None) -> dict[str, int]:
    """Split ``variance_pence`` over ``weights`` ((key, weight) with weights >= 0, not all
    nil): each share rounded to the penny half away from zero, what is left over given to
    ``remainder_to`` when it has a weight, otherwise to the largest weight (the first by
    name, then key, on a tie). The shares add up exactly to ``variance_pence``."""
    ws = [(key, _dec(w)) for key, w in weights]
    total = sum((w for _k, w in ws), Decimal(0))
    if total <= 0:
        raise ValueError("nothing to split by: every weight is nil")
    out: dict[str, int] = {}
    for key, w in ws:
        exact = Decimal(variance_pence) * w / total
        out[key] = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    left = variance_pence - sum(out.values())
    if left:
        weight_of = dict(ws)
        if remainder_to is not None and weight_of.get(remainder_to, Decimal(0)) > 0:
            target = remainder_to
        else:
            label = names or {}
            target = sorted(ws, key=lambda kw: (-kw[1], label.get(kw[0], "").casefold(), kw[0]))[0][0]
        out[target] += left
    return out


# --- the agreement --------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementInfo:
    id: str
    title: str
    type: str
    type_label: str
    explanation: str
    legal_basis: str | None
    host_id: str | None
    host_name: str | None
    manager_id: str | None
    manager_name: str | None
    status: str
    status_label: str
    start_date: date | None
    review_date: date | None
    end_date: date | None
    overspend_rule: str
    underspend_rule: str

    @property
    def pooled(self) -> bool:
        return self.type == "pooled"


def agreement_info(conn: Any, agreement_id: str) -> AgreementInfo:
    """An agreement's fields that the budget views need, with names and labels."""
    with query_rows(conn) as run:
        rows = run(
            "SELECT a.id, a.title, a.type, a.legal_basis, a.host_id, o.name, a.manager_id, p.name, a.status, "
            "a.start_date, a.review_date, a.end_date, a.overspend_rule, a.underspend_rule FROM agreements a "
            "LEFT JOIN organisations o ON o.id = a.host_id LEFT JOIN people p ON p.id = a.manager_id WHERE a.id = ?",
            (agreement_id,))
    if not rows:
        raise RecordNotFound(f"There is no budget agreement with id {agreement_id}.", id=agreement_id)
    r = rows[0]
    kind = r[2] or "pooled"
    return AgreementInfo(
        id=r[0], title=r[1] or "", type=kind, type_label=TYPE_LABELS.get(kind, kind),
        explanation=TYPE_EXPLANATIONS.get(kind, ""), legal_basis=r[3], host_id=r[4], host_name=r[5],
        manager_id=r[6], manager_name=r[7], status=r[8] or "draft", status_label=STATUS_LABELS.get(r[8], r[8] or ""),
        start_date=_date(r[9]), review_date=_date(r[10]), end_date=_date(r[11]),
        overspend_rule=r[12] or "proportional", underspend_rule=r[13] or "proportional")


def sharing_rules(info: AgreementInfo) -> str:
    """How the agreement shares over- and underspends, in a sentence or two."""
    if not info.pooled:
        return NOT_SHARED.get(info.type, "Not shared between the partners.")
    over = RULE_PHRASES.get(info.overspend_rule, info.overspend_rule)
    under = RULE_PHRASES.get(info.underspend_rule, info.underspend_rule)
    if info.overspend_rule == info.underspend_rule:
        text = f"Overspends and underspends are {over}."
    else:
        text = f"Overspends are {over}; underspends are {under}."
    if "proportional" in (info.overspend_rule, info.underspend_rule):
        text += " In-kind contributions are not money in the fund and are left out of the proportions."
    return text


@dataclass(frozen=True)
class Partner:
    link_id: str | None  # the agreement_partners row, None for a contributor or host not listed as a partner
    organisation_id: str
    name: str
    overspend_pct: float | None
    underspend_pct: float | None
    is_host: bool


def partners(conn: Any, agreement_id: str) -> list[Partner]:
    """The agreement's partners (its partner rows, every organisation that contributed
    in any year, and the host), by name."""
    info = agreement_info(conn, agreement_id)
    with query_rows(conn) as run:
        listed = run("SELECT ap.id, ap.organisation_id, o.name, ap.overspend_pct, ap.underspend_pct "
                     "FROM agreement_partners ap LEFT JOIN organisations o ON o.id = ap.organisation_id "
                     "WHERE ap.agreement_id = ?", (agreement_id,))
        contributors = run("SELECT DISTINCT c.organisation_id, o.name FROM contributions c "
                           "LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.agreement_id = ?",
                           (agreement_id,))
    out: dict[str, Partner] = {}
    for link, oid, name, over, under in listed:
        if oid in out:  # two rows for one partner (a merge): keep the first
            continue
        out[oid] = Partner(link, oid, name or oid, over, under, oid == info.host_id)
    for oid, name in contributors:
        out.setdefault(oid, Partner(None, oid, name or oid, None, None, oid == info.host_id))
    if info.host_id and info.host_id not in out:
        out[info.host_id] = Partner(None, info.host_id, info.host_name or info.host_id, None, None, True)
    return sorted(out.values(), key=lambda p: (p.name.casefold(), p.organisation_id))


# --- contributions --------------------------------------------------------------------

@dataclass(frozen=True)
class ContributionRow:
    organisation_id: str
    name: str
    contribution_id: str | None  # None: the partner has no contribution recorded this year
    cash: float
    in_kind_description: str | None
    in_kind_fte: float | None
    in_kind_value: float
    total: float
    share_pct: float  # of the year's total (cash + in-kind), one decimal, adding up to 100
    cash_share_pct: float  # of the year's cash: the basis of the proportional rule

    @property
    def recorded(self) -> bool:
        return self.contribution_id is not None


@dataclass(frozen=True)
class ContributionYear:
    financial_year: int
    label: str
    rows: tuple[ContributionRow, ...]
    cash: float
    in_kind_value: float
    in_kind_fte: float
    total: float


@dataclass(frozen=True)
class ContributionsTable:
    agreement_id: str
    years: tuple[ContributionYear, ...]
    partners: tuple[Partner, ...]

    def year(self, financial_year: int) -> ContributionYear | None:
        return next((y for y in self.years if y.financial_year == financial_year), None)


def contributions_table(conn: Any, agreement_id: str) -> ContributionsTable:
    """Per financial year (oldest first) and partner (by name): cash, in-kind value, total
    and each partner's share of the year's total and of its cash, with the year's totals.
    Every partner of the agreement has a row each year; one with no contribution
    recorded has ``contribution_id`` None and nil amounts. Two contributions of one
    partner in one year (a merge) are added together."""
    people = partners(conn, agreement_id)
    with query_rows(conn) as run:
        rows = run("SELECT id, organisation_id, financial_year, cash, in_kind_description, in_kind_fte, in_kind_value "
                   "FROM contributions WHERE agreement_id = ? ORDER BY financial_year, id", (agreement_id,))
    by_year: dict[int, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_year[int(row[2])][row[1]].append(row)
    years = []
    for fy in sorted(by_year):
        found = by_year[fy]
        raw = []
        for p in people:
            entries = found.get(p.organisation_id, [])
            cash = sum((_dec(e[3]) for e in entries), Decimal(0))
            value = sum((_dec(e[6]) for e in entries), Decimal(0))
            ftes = [e[5] for e in entries if e[5] is not None]
            descs = [e[4] for e in entries if e[4]]
            raw.append((p, entries[0][0] if entries else None, cash, value, sum(ftes) if ftes else None,
                        "; ".join(descs) or None))
        shares = round_percentages([c + v for _p, _i, c, v, _f, _d in raw])
        cash_shares = round_percentages([c for _p, _i, c, _v, _f, _d in raw])
        out_rows = tuple(
            ContributionRow(p.organisation_id, p.name, cid, float(c), desc, fte, float(v), float(c + v), s, cs)
            for (p, cid, c, v, fte, desc), s, cs in zip(raw, shares, cash_shares))
        cash = sum((c for _p, _i, c, _v, _f, _d in raw), Decimal(0))
        value = sum((v for _p, _i, _c, v, _f, _d in raw), Decimal(0))
        fte = sum((f for *_rest, f, _d in raw if f is not None), 0.0)
        years.append(ContributionYear(fy, format_financial_year(fy), out_rows, float(cash), float(value), fte,
                                      float(cash + value)))
    return ContributionsTable(agreement_id, tuple(years), tuple(people))


# --- quarterly returns ------------------------------------------------------------------

@dataclass(frozen=True)
class QuarterReturn:
    financial_year: int
    quarter: int
    label: str  # "2025-26 Q2"
    status: str  # RETURNED, MISSING, DUE or NOT_DUE
    ends_on: date
    return_id: str | None = None
    budget: float | None = None
    spend_to_date: float | None = None
    forecast_outturn: float | None = None
    variance: float | None = None  # forecast outturn - budget: positive is an overspend
    variance_pct: float | None = None
    word: str = ""  # "overspend", "underspend", "on budget"; "" without a return
    commentary: str | None = None
    submitted_on: date | None = None
    due_by: date | None = None  # the quarter's end plus the grace period (status DUE)

    @property
    def missing(self) -> bool:
        """No return (whether due or not yet due): never read as zero."""
        return self.status != RETURNED

    @property
    def status_text(self) -> str:
        if self.status == MISSING:
            return "Missing — no return"
        if self.status == NOT_DUE:
            return f"Not due yet — the quarter ends {date_uk(self.ends_on)}"
        if self.status == DUE:
            return f"Due — the return is due by {date_uk(self.due_by)}" if self.due_by else "Due"
        return self.word.capitalize()

    @property
    def variance_text(self) -> str:
        """``£212,200 overspend (3.6%)``; ``On budget``; ``""`` without a return."""
        if self.variance is None:
            return ""
        if self.word == "on budget":
            return "On budget"
        pct = f" ({percent(abs(self.variance_pct), 1)})" if self.variance_pct is not None else ""
        return f"{money(abs(self.variance))} {self.word}{pct}"


@dataclass(frozen=True)
class YearReturns:
    agreement_id: str
    financial_year: int
    label: str
    quarters: tuple[QuarterReturn, QuarterReturn, QuarterReturn, QuarterReturn]
    latest: QuarterReturn | None  # the year's position: the latest quarter with a return
    received: int
    missing: tuple[int, ...]  # quarters due (or, without ``today``, all) with no return
    not_due: tuple[int, ...]
    note: str
    due: tuple[int, ...] = ()  # ended within the grace period, return not in yet

    def __iter__(self) -> Any:
        return iter(self.quarters)

    def __getitem__(self, quarter: int) -> QuarterReturn:
        """``year[2]`` is Q2."""
        return self.quarters[quarter - 1]


def _quarter(fy: int, q: int, row: tuple[Any, ...] | None, status: str) -> QuarterReturn:
    ends = Period.financial_quarter(fy, q).end_date()
    label = quarter_label(fy, q)
    if row is None:
        return QuarterReturn(fy, q, label, status, ends)
    rid, budget, spend, outturn, commentary, submitted = row
    variance_pence = to_pence(outturn) - to_pence(budget)
    variance = _pounds(variance_pence)
    pct = float(Decimal(variance_pence) / (_dec(budget) * 100) * 100) if budget else None
    return QuarterReturn(fy, q, label, RETURNED, ends, rid, float(budget), float(spend), float(outturn), variance, pct,
                         variance_word(variance), commentary, _date(submitted))


def quarterly_returns(conn: Any, agreement_id: str, financial_year: int, *, today: date | None = None,
                      grace_days: int | None = None) -> YearReturns:
    """Q1 to Q4 of one financial year, each a return (budget, spend to date, forecast
    outturn, variance, variance %, the word) or missing, never zero. With ``today``, a
    quarter without a return that has not ended yet is *not due yet* instead of missing,
    and one that ended ``grace_days`` or fewer days before ``today`` is *due* (the
    document's "Grace after a quarter ends" unless given). Two returns for one quarter
    (a merge): the one submitted last is shown."""
    if today is not None:
        from cypdesk.services.settings import setting_of

        grace_days = int(setting_of(conn, "return_grace_days", grace_days))
    with query_rows(conn) as run:
        rows = run("SELECT id, quarter, budget, spend_to_date, forecast_outturn, commentary, submitted_on "
                   "FROM returns WHERE agreement_id = ? AND financial_year = ? "
                   "ORDER BY quarter, submitted_on, id", (agreement_id, int(financial_year)))
    found: dict[int, tuple[Any, ...]] = {}
    for rid, q, budget, spend, outturn, commentary, submitted in rows:
        found[int(q)] = (rid, budget, spend, outturn, commentary, submitted)
    quarters = []
    for q in (1, 2, 3, 4):
        if q in found:
            quarters.append(_quarter(financial_year, q, found[q], RETURNED))
            continue
        ended = Period.financial_quarter(financial_year, q).end_date()
        due_by = ended + timedelta(days=grace_days or 0)
        status = MISSING if today is None or due_by < today else NOT_DUE if ended >= today else DUE
        quarters.append(replace(_quarter(financial_year, q, None, status), due_by=due_by if status == DUE else None))
    received = [x for x in quarters if x.status == RETURNED]
    missing, not_due, due = (tuple(x.quarter for x in quarters if x.status == state) for state in (MISSING, NOT_DUE, DUE))
    latest = received[-1] if received else None
    note = _year_note(financial_year, latest, missing, not_due)
    if due:
        note += (f" {_quarters_text(due)} {'has' if len(due) == 1 else 'have'} ended but "
                 f"{'its return is' if len(due) == 1 else 'their returns are'} not yet missing: due by "
                 + ", ".join(date_uk(quarters[q - 1].due_by) for q in due) + ".")  # type: ignore[arg-type]
    return YearReturns(agreement_id, financial_year, format_financial_year(financial_year), tuple(quarters),  # type: ignore[arg-type]
                       latest, len(received), missing, not_due, note, due)


def _quarters_text(qs: Iterable[int]) -> str:
    names = [f"Q{q}" for q in qs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _year_note(fy: int, latest: QuarterReturn | None, missing: tuple[int, ...], not_due: tuple[int, ...]) -> str:
    label = format_financial_year(fy)
    parts = []
    if latest is None:
        parts.append(f"No return has been made for {label}, so there is no position for the year.")
    else:
        parts.append(f"The position for {label} is Q{latest.quarter}'s, the latest return: "
                     f"forecast outturn {money(latest.forecast_outturn)} against a budget of {money(latest.budget)}"
                     + (f", {latest.variance_text.lower() if latest.word == 'on budget' else latest.variance_text}."
                        if latest.variance is not None else "."))
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        parts.append(f"{_quarters_text(missing)} {verb} no return: shown as missing and left out of the year's "
                     "figures (not counted as zero).")
    if not_due:
        parts.append(f"{_quarters_text(not_due)} {'is' if len(not_due) == 1 else 'are'} not due yet.")
    return " ".join(parts)


# --- sharing a variance -----------------------------------------------------------------

@dataclass(frozen=True)
class PartnerShare:
    organisation_id: str
    name: str
    is_host: bool
    basis_pct: float | None  # the partner's percentage of the split (unrounded for proportional)
    basis: str  # in words: "£2,278,000 cash (38.6%)", "agreed 40%", "host"
    pence: int
    amount: float  # signed like the variance


@dataclass(frozen=True)
class VarianceSplit:
    agreement_id: str
    financial_year: int
    quarter: int
    status: str  # SPLIT, ON_BUDGET, NO_RETURN, CASE_BY_CASE, NOT_POOLED, INVALID, NO_BASIS
    agreement_type: str
    rule: str | None  # the rule used for the variance's sign (pooled budgets)
    variance: float | None
    word: str
    shares: tuple[PartnerShare, ...]
    explanation: str
    rounding: str = ""

    @property
    def computed(self) -> bool:
        return self.status in (SPLIT, ON_BUDGET)

    def share_of(self, organisation_id: str) -> PartnerShare | None:
        return next((s for s in self.shares if s.organisation_id == organisation_id), None)


ROUNDING_NOTE = ("Each share is rounded to the penny; the penny or two left over goes to the host "
                 "(or, when the host has no share, to the largest share), so the shares add up to the variance.")


def _cash_by_partner(conn: Any, agreement_id: str, financial_year: int) -> dict[str, Decimal]:
    with query_rows(conn) as run:
        rows = run("SELECT organisation_id, cash FROM contributions WHERE agreement_id = ? AND financial_year = ?",
                   (agreement_id, int(financial_year)))
    out: dict[str, Decimal] = defaultdict(Decimal)
    for oid, cash in rows:
        out[oid] += _dec(cash)
    return out


def variance_shares(conn: Any, agreement_id: str, financial_year: int, quarter: int, *,
                    today: date | None = None) -> VarianceSplit:
    """Each partner's share of one quarter's variance by the agreement's rule for the
    variance's sign (rules and rounding in the module doc). A quarter without a return
    has nothing to share (status ``missing``); a budget that is not a formal pooled fund
    is not split (status ``not_pooled``, with what happens instead)."""
    info = agreement_info(conn, agreement_id)
    year = quarterly_returns(conn, agreement_id, financial_year, today=today)
    q = year[quarter]
    base = dict(agreement_id=agreement_id, financial_year=financial_year, quarter=quarter, agreement_type=info.type)
    if q.status != RETURNED or q.variance is None:
        why = {NOT_DUE: "the quarter has not ended yet", DUE: "the return is not due yet"}.get(q.status,
                                                                                          "the return is missing")
        return VarianceSplit(**base, status=NO_RETURN, rule=None, variance=None, word="", shares=(),
                             explanation=f"No return for {q.label} ({why}), so there is no variance to share.")
    variance, word = q.variance, q.word
    amount = money(abs(variance))
    what = f"{word.capitalize()} of {amount}" if word != "on budget" else "On budget"
    if info.type != "pooled":
        return VarianceSplit(**base, status=NOT_POOLED, rule=None, variance=variance, word=word, shares=(),
                             explanation=f"{what}. " + NOT_SHARED.get(info.type, "Not shared between the partners."))
    rule = info.overspend_rule if variance > 0 else info.underspend_rule
    people = partners(conn, agreement_id)
    names = {p.organisation_id: p.name for p in people}
    pence = to_pence(variance)
    if pence == 0:
        shares = tuple(PartnerShare(p.organisation_id, p.name, p.is_host, None, "", 0, 0.0) for p in people)
        return VarianceSplit(**base, status=ON_BUDGET, rule=None, variance=0.0, word=word, shares=shares,
                             explanation="On budget: there is nothing to share.")
    kind = "overspends" if variance > 0 else "underspends"
    year_label = format_financial_year(financial_year)

    def result(weights: list[tuple[str, Decimal]], basis: dict[str, tuple[float | None, str]],
               explanation: str) -> VarianceSplit:
        split = split_pence(pence, weights, remainder_to=info.host_id, names=names)
        shares = tuple(PartnerShare(p.organisation_id, p.name, p.is_host, basis[p.organisation_id][0],
                                    basis[p.organisation_id][1], split.get(p.organisation_id, 0),
                                    _pounds(split.get(p.organisation_id, 0))) for p in people)
        return VarianceSplit(**base, status=SPLIT, rule=rule, variance=variance, word=word, shares=shares,
                             explanation=explanation, rounding=ROUNDING_NOTE)

    if rule == "case_by_case":
        return VarianceSplit(**base, status=CASE_BY_CASE, rule=rule, variance=variance, word=word, shares=(),
                             explanation=f"{what}: the agreement shares {kind} case by case, so there is no "
                                         "computed split: to be agreed by the partners.")
    if rule == "host":
        if not info.host_id:
            return VarianceSplit(**base, status=NO_BASIS, rule=rule, variance=variance, word=word, shares=(),
                                 explanation=f"{what}: the host bears {kind}, but no host partner is recorded.")
        basis = {p.organisation_id: ((100.0, "host") if p.organisation_id == info.host_id else (0.0, "not the host"))
                 for p in people}
        return result([(info.host_id, Decimal(1))], basis,
                      f"{what}, borne by the host, {info.host_name or 'the host partner'}.")
    if rule == "agreed_pct":
        field_name = "overspend_pct" if variance > 0 else "underspend_pct"
        pcts = {p.organisation_id: getattr(p, field_name) for p in people if p.link_id is not None}
        if not pcts or all(v is None for v in pcts.values()):
            return VarianceSplit(**base, status=INVALID, rule=rule, variance=variance, word=word, shares=(),
                                 explanation=f"{what}: the agreement shares {kind} by agreed percentages, but none "
                                             "are recorded for its partners.")
        total = sum((_dec(v) for v in pcts.values()), Decimal(0))
        if abs(total - 100) > Decimal(str(PCT_TOLERANCE)):
            return VarianceSplit(**base, status=INVALID, rule=rule, variance=variance, word=word, shares=(),
                                 explanation=f"{what}: the agreed shares of {kind} total {float(total):g}%, not 100%, "
                                             "so the split cannot be computed: correct the partners' percentages.")
        basis = {p.organisation_id: (float(pcts.get(p.organisation_id) or 0.0),
                                     f"agreed {float(pcts.get(p.organisation_id) or 0):g}%") for p in people}
        return result([(oid, _dec(v)) for oid, v in pcts.items()], basis,
                      f"{what}, shared by the agreed percentages for {kind}.")
    # proportional
    cash = _cash_by_partner(conn, agreement_id, financial_year)
    total = sum(cash.values(), Decimal(0))
    if total <= 0:
        return VarianceSplit(**base, status=NO_BASIS, rule=rule, variance=variance, word=word, shares=(),
                             explanation=f"{what}: the agreement shares {kind} in proportion to contributions, but no "
                                         f"cash contribution is recorded for {year_label}.")
    for oid in cash:  # a contributor not otherwise known (cannot happen through partners(), kept for safety)
        names.setdefault(oid, oid)
    pcts = round_percentages([cash.get(p.organisation_id, Decimal(0)) for p in people])
    basis = {p.organisation_id: (float(cash.get(p.organisation_id, Decimal(0)) / total * 100),
                                 f"{money(cash.get(p.organisation_id, 0))} cash ({pct:g}%)")
             for p, pct in zip(people, pcts)}
    return result([(p.organisation_id, cash.get(p.organisation_id, Decimal(0))) for p in people], basis,
                  f"{what}, shared in proportion to the partners' cash contributions for {year_label} "
                  "(in-kind contributions are not money in the fund and are left out).")


def year_shares(conn: Any, agreement_id: str, financial_year: int, *, today: date | None = None) -> list[VarianceSplit]:
    """:func:`variance_shares` for Q1 to Q4."""
    return [variance_shares(conn, agreement_id, financial_year, q, today=today) for q in (1, 2, 3, 4)]


# --- warnings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetWarning:
    code: str  # "review_overdue", "not_signed", "ended_still_operating", "short_of_budget",
    #           "no_contributions", "missing_return", "agreed_pct", "no_host", "no_manager", "no_legal_basis"
    text: str


def _years_with_data(conn: Any, agreement_id: str) -> list[int]:
    with query_rows(conn) as run:
        rows = run("SELECT financial_year FROM contributions WHERE agreement_id = ? UNION "
                   "SELECT financial_year FROM returns WHERE agreement_id = ?", (agreement_id, agreement_id))
    return sorted({int(r[0]) for r in rows if r[0] is not None})


def financial_years(conn: Any, agreement_id: str, today: date | None = None) -> list[int]:
    """The years to offer for an agreement, oldest first: those with contributions or
    returns, and the current one (of ``today``) while the agreement is running."""
    years = set(_years_with_data(conn, agreement_id))
    if today is not None:
        info = agreement_info(conn, agreement_id)
        running = (info.start_date is None or info.start_date <= today) and (
            info.end_date is None or info.end_date >= today) and info.status != "ended"
        if running or not years:
            years.add(financial_year_of(today))
    return sorted(years)


def agreement_warnings(conn: Any, agreement_id: str, today: date) -> list[BudgetWarning]:
    """What needs an officer's attention, in words: a review date passed; operating
    without a signed agreement (or marked operating after its end); a formal pooled
    budget without a host, a pooled fund manager or a legal basis; agreed percentages
    that do not total 100%; cash contributions that do not cover the budget; quarters
    that have ended without a return."""
    info = agreement_info(conn, agreement_id)
    out: list[BudgetWarning] = []
    ended = info.status == "ended" or (info.end_date is not None and info.end_date < today)
    if info.review_date is not None and info.review_date < today and info.status != "ended":
        days = (today - info.review_date).days
        out.append(BudgetWarning("review_overdue", f"Review was due on {date_uk(info.review_date)}: the agreement is "
                                             f"{days} day{'s' if days != 1 else ''} past its review date."))
    started = info.start_date is not None and info.start_date <= today
    has_money = bool(_years_with_data(conn, agreement_id))
    if info.status in ("draft", "negotiating") and not ended and (started or has_money):
        since = f" since {date_uk(info.start_date)}" if started and info.start_date else ""
        text = (f"Operating without a signed agreement: the status is {info.status_label}, but the budget has been "
                f"running{since}.")
        if info.pooled:
            text += " A pooled fund agreement must be in writing and signed before money is pooled."
        out.append(BudgetWarning("not_signed", text))
    if info.status == "operating" and info.end_date is not None and info.end_date < today:
        out.append(BudgetWarning("ended_still_operating", f"The agreement ended on {date_uk(info.end_date)} but is still "
                                                    "marked Operating."))
    if info.pooled:
        if not info.host_id:
            out.append(BudgetWarning("no_host", "No host partner is recorded: a formal pooled budget must name its host."))
        if not info.manager_id:
            out.append(BudgetWarning("no_manager", "No pooled fund manager is recorded: a formal pooled budget must "
                                             "name its budget manager."))
        if not info.legal_basis:
            out.append(BudgetWarning("no_legal_basis", "No legal basis is recorded (for example section 75 of the NHS Act "
                                                 "2006 or section 10 of the Children Act 2004)."))
        people = partners(conn, agreement_id)
        for rule, field_name, kind in ((info.overspend_rule, "overspend_pct", "overspends"),
                                       (info.underspend_rule, "underspend_pct", "underspends")):
            if rule != "agreed_pct":
                continue
            listed = [getattr(p, field_name) for p in people if p.link_id is not None]
            total = sum((_dec(v) for v in listed), Decimal(0))
            if not listed or all(v is None for v in listed):
                out.append(BudgetWarning("agreed_pct", f"{kind.capitalize()} are shared by agreed percentages, but no "
                                                 "percentages are recorded for the partners."))
            elif abs(total - 100) > Decimal(str(PCT_TOLERANCE)):
                out.append(BudgetWarning("agreed_pct", f"The agreed shares of {kind} total {float(total):g}%, not 100%."))
    # money: contributions against each year's budget, and missing returns
    years = _years_with_data(conn, agreement_id)
    table = contributions_table(conn, agreement_id)
    for fy in years:
        year = quarterly_returns(conn, agreement_id, fy, today=today)
        if year.latest is not None:
            contrib = table.year(fy)
            cash = contrib.cash if contrib else 0.0
            short = to_pence(year.latest.budget) - to_pence(cash)
            if not contrib or to_pence(cash) == 0:
                out.append(BudgetWarning("no_contributions", f"No cash contributions are recorded for {year.label}, against "
                                                       f"a budget of {money(year.latest.budget)}."))
            elif short > 50:  # more than 50p: rounding aside
                out.append(BudgetWarning("short_of_budget", f"Contributions for {year.label} ({money(cash)} cash) do not "
                                                      f"cover the budget of {money(year.latest.budget)}: "
                                                      f"{money(_pounds(short))} short."))
    if years:
        first = years[0]
        if info.start_date is not None:
            first = max(first, financial_year_of(info.start_date))
        last = financial_year_of(today)
        for fy in range(first, last + 1):
            year = quarterly_returns(conn, agreement_id, fy, today=today)
            due = []
            for q in year.missing:
                period = Period.financial_quarter(fy, q)
                if info.start_date is not None and period.end_date() < info.start_date:
                    continue
                if info.end_date is not None and period.start_date() > info.end_date:
                    continue
                due.append(q)
            if due:
                ends = ", ".join(date_uk(Period.financial_quarter(fy, q).end_date()) for q in due)
                many = len(due) > 1
                out.append(BudgetWarning("missing_return",
                                   f"No return for {year.label} {_quarters_text(due)}: the quarter{'s' if many else ''} "
                                   f"ended {ends}{' respectively' if many else ''}."))
    return out


# --- services in scope -------------------------------------------------------------------

@dataclass(frozen=True)
class ScopeService:
    link_id: str
    service_id: str
    name: str
    provider: str | None
    status: str | None
    annual_cost: float | None


def services_in_scope(conn: Any, agreement_id: str) -> list[ScopeService]:
    """The register's services the agreement covers, by name, with provider, status
    (its label) and annual cost."""
    status_labels = dict((v, label) for v, label in next(
        f for f in CATALOG["services"]["fields"] if f["name"] == "status")["choices"])
    with query_rows(conn) as run:
        rows = run("SELECT l.id, s.id, s.name, o.name, s.status, s.annual_cost FROM agreement_services l "
                   "JOIN services s ON s.id = l.service_id LEFT JOIN organisations o ON o.id = s.provider_id "
                   "WHERE l.agreement_id = ?", (agreement_id,))
    out = [ScopeService(r[0], r[1], r[2] or "", r[3], status_labels.get(r[4], r[4]), r[5]) for r in rows]
    return sorted(out, key=lambda s: (s.name.casefold(), s.service_id))
