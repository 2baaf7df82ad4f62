"""What needs attention this month: the Overview page's lists, gathered from the
analyses each tab owns (no rule of its own lives here):

- measures rated red in their latest period, and services red two periods running
  (:mod:`.monitoring`);
- actions overdue (:mod:`.monitoring`);
- contracts ending within six months, and reviews due within the document's reviews window (:mod:`.monitoring`);
- budget agreements with a warning: past their review date, operating unsigned, a
  quarter without a return (:mod:`.budgets`);
- indicators significantly worse than England (:mod:`.needs`).

Each item names the record it is about, so the window can take the officer there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Item:
    kind: str  # the record kind to open: "measures", "actions", "services", "agreements", "indicators"...
    id: str
    text: str  # what it is, in words
    detail: str = ""  # why it is here, in words


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = "Nothing this month."

    @property
    def heading(self) -> str:
        return f"{self.title} ({len(self.items)})"


def attention(conn: Any, today: date) -> list[Section]:
    """The sections of the Overview, in the order an officer reads them."""
    from cypdesk.services import budgets, monitoring, needs

    red = Section("red_measures", "Measures rated red", empty="No measure is red in its latest period.")
    for m in monitoring.measure_ratings(conn, scale=monitoring.RAG):
        if m.rating.value == "red":
            period = f"{m.latest.label}: " if m.latest is not None else ""
            red.items.append(Item("measures", m.id, m.name, f"{period}{m.rating.rule} {m.owner_words}."))

    twice = Section("red_twice", "Red two periods running", empty="Nothing has been red twice running.")
    for r in monitoring.red_two_periods(conn):
        # A service opens in the register; a priority or team, at its first red measure.
        kind, record_id = ("services", r.owner_id) if r.owner_kind == "service" else ("measures", r.measures[0][0])
        twice.items.append(Item(kind, record_id, r.owner,
                                f"{r.summary}. A candidate for review: Monitoring > Review starts an action "
                                "or a decommissioning record."))

    overdue = Section("overdue_actions", "Actions overdue", empty="No action is overdue.")
    for a in monitoring.overdue_actions(conn, today):
        number = f"{a.number}. " if a.number else ""
        overdue.items.append(Item("actions", a.id, f"{number}{a.action}",
                                  f"{a.overdue_words}; owner {a.owner or 'not named'}; {a.status_words.lower()}."))

    contracts = Section("contracts_ending", "Contracts ending within six months",
                        empty="No contract ends in the next six months.")
    from cypdesk.services.settings import setting_of

    window = int(setting_of(conn, "review_window_days"))  # the document's setting, as Monitoring's Review shows
    days = f"{window} day{'s' if window != 1 else ''}"
    reviews = Section("reviews_due", f"Reviews due within {days}", empty=f"No review is due in the next {days}.")
    for r in monitoring.reviews_due(conn, today, within_days=window):
        what = monitoring.REVIEW_KIND_WORDS.get(r.kind, r.kind)
        if r.kind == "contract" and r.service_id:  # a contract is looked at on its service
            kind, record_id = "services", r.service_id
        else:
            kind, record_id = {"risk": "risks", "agreement": "agreements"}.get(r.kind, r.kind), r.id
        reviews.items.append(Item(kind, record_id, f"{what}: {r.title}", f"{r.words}."))
    from cypdesk.services.service_map import query_rows

    until = _add_months(today, 6).isoformat()
    with query_rows(conn) as run:
        for cid, ref, sid, sname, end in run(
                "SELECT c.id, c.reference, c.service_id, s.name, c.end_date FROM contracts c "
                "JOIN services s ON s.id = c.service_id WHERE c.end_date >= ? AND c.end_date <= ? "
                "ORDER BY c.end_date, s.name", (today.isoformat(), until)):
            when = date.fromisoformat(str(end)[:10])
            contracts.items.append(Item("services", sid, sname, f"Contract {ref or '(no reference)'} ends {_uk(when)}."))
        agreement_ids = [row[0] for row in run("SELECT id FROM agreements ORDER BY title COLLATE NOCASE")]
    agreements = Section("agreements", "Budget agreements to look at", empty="No budget agreement needs attention.")
    for aid in agreement_ids:
        warnings = budgets.agreement_warnings(conn, aid, today)
        if warnings:
            info = budgets.agreement_info(conn, aid)
            agreements.items.append(Item("agreements", aid, info.title, " ".join(w.text for w in warnings)))

    worse = Section("worse_than_england", "Indicators worse than England",
                    empty="No indicator is significantly worse than England.")
    for s in needs.indicator_summaries(conn):
        if s.comparison.rating == "worse":
            worse.items.append(Item("indicators", s.indicator_id, s.name,
                                    f"{s.period_label}: {s.value_text} against England's {s.england_text}. "
                                    f"{s.comparison.method}"))
    return [red, twice, overdue, contracts, reviews, agreements, worse]


def _uk(d: date | None) -> str:
    from cypdesk.common.formats import date_uk

    return date_uk(d) if d else ""


def _add_months(d: date, months: int) -> date:
    from cypdesk.services.service_map import add_months

    return add_months(d, months)
