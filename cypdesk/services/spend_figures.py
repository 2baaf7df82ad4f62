"""Spend to date against value, and the contracts whose spend runs ahead of it: sums,
counts and first and last dates in SQL (the window calls these on its thread: an
indexed look-up each), against the contract's total value, or its annual value times
the years of its term where no total is recorded (said so).

Running ahead (:func:`contracts_overspent`): spend above the value, or, for a
contract with an annual value and a start, above the annual value pro rata to the end
of the contract quarter in hand (so a quarter paid in advance is not flagged); each
says which rule. :mod:`cypdesk.services.spend` holds the matching of payments and
gives these too.

Each takes a Workspace, a SQLAlchemy session or connection, or the window's sqlite3
connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cypdesk.common.errors import RecordNotFound
from cypdesk.common.formats import date_uk, money

POUND = 0.5  # spend within 50p of the value is not over it


# --- reading rows from any source ------------------------------------------------------------

def _rows(source: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    from cypdesk.services.organisations import _rows as rows_of

    return rows_of(source, sql, params)


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _scope(contract_id: str | None, service_id: str | None) -> tuple[str, dict[str, Any]]:
    if (contract_id is None) == (service_id is None):
        raise ValueError("give a contract or a service")
    if contract_id is not None:
        return "p.contract_id = :id", {"id": contract_id}
    return "p.contract_id IN (SELECT id FROM contracts WHERE service_id = :id)", {"id": service_id}


# --- spend to date --------------------------------------------------------------------------------

def _months(start: date, end: date) -> int:
    """Whole months from ``start`` to the day after ``end`` (a term 01/04/2024 to
    31/03/2027 is 36 months)."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + (after.month - start.month)
    return max(months - (1 if after.day < start.day else 0), 0)


def contract_value(total: Any, annual: Any, start: Any, end: Any) -> tuple[float | None, str]:
    """(value, how it is known): the total value; else the annual value times the
    years of the term, said so; else None with why."""
    if total is not None:
        return float(total), "total value"
    start, end = _day(start), _day(end)
    if annual is not None and start and end:
        months = _months(start, end)
        years = months / 12
        return float(annual) * years, (f"annual value × {years:g} {'year' if years == 1 else 'years'} "
                                       "(no total value recorded)")
    if annual is not None:
        return None, "only an annual value is recorded, and no start and end to count the years"
    return None, "no value is recorded"


@dataclass(frozen=True)
class SpendFigures:
    spent: float
    payments: int
    first_paid: date | None
    last_paid: date | None
    value: float | None  # what spend is measured against (None: not known)
    value_basis: str  # "total value", "annual value × 3 years (no total value recorded)", ...
    contracts: int = 1
    notes: tuple[str, ...] = ()

    @property
    def share(self) -> float | None:
        """Spend as a fraction of the value."""
        return self.spent / self.value if self.value else None

    @property
    def remaining(self) -> float | None:
        return None if self.value is None else self.value - self.spent

    def words(self) -> str:
        """"£120,000 spent on 12 payments (05/04/2025 to 20/03/2026): 40% of the total
        value of £300,000, £180,000 left." """
        from cypdesk.common.formats import plural

        if not self.payments:
            head = "No payments matched yet"
        else:
            head = f"{money(self.spent)} spent on {plural(self.payments, 'payment')}"
            if self.first_paid and self.last_paid:
                head += (f" ({date_uk(self.first_paid)})" if self.first_paid == self.last_paid else
                         f" ({date_uk(self.first_paid)} to {date_uk(self.last_paid)})")
        if self.value is None:
            text = f"{head}; {self.value_basis}, so it cannot be measured against one."
        elif not self.payments:
            text = f"{head}; the {self.value_basis} is {money(self.value)}."
        else:
            share = f"{self.share * 100:.0f}% of " if self.value else ""
            left = self.value - self.spent
            tail = f"{money(left)} left" if left >= -POUND else f"{money(-left)} over"
            text = f"{head}: {share}the {self.value_basis} of {money(self.value)}, {tail}."
        return " ".join([text, *self.notes])


def spend_to_date(ws: Any, *, contract_id: str | None = None, service_id: str | None = None) -> SpendFigures:
    """The spend matched to a contract, or to every contract of a service: the sum,
    count, first and last dates (in SQL), against the value (:func:`contract_value`;
    for a service, its contracts' values added, with a note for any whose value is
    not known)."""
    where, params = _scope(contract_id, service_id)
    source = ws
    spent, count, first, last = _rows(
        source, f"SELECT coalesce(sum(p.amount), 0), count(*), min(p.paid_on), max(p.paid_on) "
                      f"FROM payments p WHERE {where}", params)[0]
    table_where = "id = :id" if contract_id is not None else "service_id = :id"
    contracts = _rows(source, f"SELECT reference, total_value, annual_value, start_date, end_date "
                              f"FROM contracts WHERE {table_where}", params)
    if contract_id is not None and not contracts:
        raise RecordNotFound(f"There is no contract with id {contract_id}.", id=contract_id)
    notes: list[str] = []
    if contract_id is not None:
        value, basis = contract_value(*contracts[0][1:])
    else:
        values = [(ref, *contract_value(*rest)) for ref, *rest in contracts]
        known = [v for _r, v, _b in values if v is not None]
        value = sum(known) if known else None
        basis = "contracts' value" if known else (
            "no contract is recorded" if not values else "no contract's value is recorded")
        if any(b != "total value" for _r, v, b in values if v is not None):
            notes.append("Some are counted as annual value × years: no total value is recorded for them.")
        missing = [r or "a contract without a reference" for r, v, _b in values if v is None]
        if known and missing:
            notes.append(f"Not counted, having no value: {', '.join(missing)}.")
    return SpendFigures(float(spent or 0), int(count), _day(first), _day(last), value, basis,
                        len(contracts), tuple(notes))


# --- running ahead of value ------------------------------------------------------------------------

@dataclass(frozen=True)
class Overspent:
    contract_id: str
    reference: str | None
    title: str | None
    service_id: str
    service: str
    supplier: str | None
    spent: float
    limit: float  # the figure spend is above
    rule: str  # "value" or "pro_rata"
    words: str  # "£310,000 spent, above the total value of £300,000"

    @property
    def over(self) -> float:
        return self.spent - self.limit


def contracts_overspent(ws: Any, *, today: date | None = None) -> list[Overspent]:
    """Contracts whose spend runs ahead of their value, most over first. Rule "value":
    spend to date above the value (:func:`contract_value`). Rule "pro_rata": a contract
    with an annual value and a start, spend above the annual value for the time run so
    far, counted to the end of the contract quarter in hand (or to its end)."""
    today = today or date.today()
    rows = _rows(ws, "SELECT c.id, c.reference, c.title, c.service_id, s.name, "
                     "coalesce(os.name, op.name), c.total_value, c.annual_value, c.start_date, c.end_date, "
                     "t.spent FROM (SELECT contract_id, sum(amount) AS spent FROM payments "
                     "WHERE contract_id IS NOT NULL GROUP BY contract_id) t "
                     "JOIN contracts c ON c.id = t.contract_id JOIN services s ON s.id = c.service_id "
                     "LEFT JOIN organisations os ON os.id = c.supplier_id "
                     "LEFT JOIN organisations op ON op.id = s.provider_id")
    out: list[Overspent] = []
    for cid, ref, title, sid, service, supplier, total, annual, start, end, spent in rows:
        spent = float(spent or 0)
        value, basis = contract_value(total, annual, start, end)
        entry = dict(contract_id=cid, reference=ref, title=title, service_id=sid, service=service,
                     supplier=supplier, spent=spent)
        if value is not None and spent > value + POUND:
            out.append(Overspent(**entry, limit=value, rule="value",
                                 words=f"{money(spent)} spent, above the {basis} of {money(value)}"))
            continue
        start_day, end_day = _day(start), _day(end)
        if annual is None or start_day is None or today < start_day:
            continue
        upto = today if end_day is None or today < end_day else end_day
        months = _months(start_day, upto - timedelta(days=1)) + 1  # the month in hand counts
        months = min(-(-months // 3) * 3, _months(start_day, end_day) if end_day else months)  # to the quarter's end
        allowed = float(annual) * months / 12
        if spent > allowed + POUND:
            out.append(Overspent(**entry, limit=allowed, rule="pro_rata",
                                 words=(f"{money(spent)} spent, above the annual value of {money(annual)} "
                                        f"pro rata for {months} months: {money(allowed)}")))
    return sorted(out, key=lambda o: (-(o.spent - o.limit), o.service.casefold(), o.contract_id))


__all__ = ["Overspent", "SpendFigures", "contract_value", "contracts_overspent", "spend_to_date"]
