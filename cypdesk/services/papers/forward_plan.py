"""The forward plan: the board's upcoming meetings with the decisions they are due to
take, from the papers written for them and the items planned (``forward_plan_items``),
key decisions flagged; and adding, changing and removing planned items (through
:mod:`cypdesk.services.records`, so every edit is checked, recorded and undoable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cypdesk.services.papers.listing import as_date, agenda_sort_key


@dataclass(frozen=True)
class PlannedEntry:
    """One decision due: a planned item (``item_id``), a paper (``paper_id``), or both
    when the item's paper is written."""

    title: str
    key_decision: bool
    status: str  # the item's (planned, written, deferred, withdrawn); a paper alone: "written"
    item_id: str | None = None
    paper_id: str | None = None
    paper_status: str | None = None  # draft or final
    paper_version: int | None = None
    agenda_item: str | None = None
    decision_sought: str | None = None
    lead: str | None = None


@dataclass(frozen=True)
class PlannedMeeting:
    meeting_id: str | None  # None: items not yet given a meeting
    board: str | None
    held_on: date | None
    place: str | None
    entries: list[PlannedEntry] = field(default_factory=list)

    @property
    def key_decisions(self) -> int:
        return sum(1 for e in self.entries if e.key_decision and e.status not in ("withdrawn", "deferred"))


def forward_plan(conn: Any, today: date) -> list[PlannedMeeting]:
    """Meetings on or after ``today`` by date, each with its planned items and its
    papers (a paper an item names is shown once, with the item), then the items not yet
    given a meeting. Of a paper reopened as a new version only the latest is shown."""
    from cypdesk.services.service_map import query_rows

    with query_rows(conn) as run:
        meetings = run("SELECT id, board, held_on, place FROM meetings")
        papers = run("SELECT p.id, p.meeting_id, p.title, p.key_decision, p.status, p.version, p.agenda_item, "
                     "a.name FROM papers p LEFT JOIN people a ON a.id = p.author_id "
                     "WHERE NOT EXISTS (SELECT 1 FROM papers n WHERE n.previous_id = p.id)")
        items = run("SELECT f.id, f.meeting_id, f.title, f.key_decision, f.status, f.paper_id, f.decision_sought, "
                    "l.name FROM forward_plan_items f LEFT JOIN people l ON l.id = f.lead_id")
    paper_by_id = {p[0]: p for p in papers}
    upcoming = sorted((m for m in meetings if (as_date(m[2]) or date.min) >= today),
                      key=lambda m: (as_date(m[2]), m[1] or "", m[0]))
    ids = {m[0] for m in upcoming}
    entries: dict[str | None, list[PlannedEntry]] = {m[0]: [] for m in upcoming}
    entries[None] = []
    shown: set[str] = set()
    for item_id, meeting_id, title, key, status, paper_id, sought, lead in items:
        if meeting_id is not None and meeting_id not in ids:
            continue  # a past meeting's, or one deleted
        paper = paper_by_id.get(paper_id)
        if paper is not None:
            shown.add(paper[0])
        entries[meeting_id].append(PlannedEntry(
            title=title, key_decision=bool(key) or bool(paper and paper[3]), status=status or "planned",
            item_id=item_id, paper_id=paper[0] if paper else None, paper_status=paper[4] if paper else None,
            paper_version=int(paper[5] or 1) if paper else None, agenda_item=paper[6] if paper else None,
            decision_sought=sought, lead=lead))
    for pid, meeting_id, title, key, status, version, agenda, author in papers:
        if meeting_id in ids and pid not in shown:
            entries[meeting_id].append(PlannedEntry(
                title=title, key_decision=bool(key), status="written", paper_id=pid, paper_status=status,
                paper_version=int(version or 1), agenda_item=agenda, lead=author))
    out = []
    for m in upcoming:
        ordered = sorted(entries[m[0]], key=lambda e: (e.agenda_item is None, agenda_sort_key(e.agenda_item),
                                                       e.title.casefold()))
        out.append(PlannedMeeting(m[0], m[1], as_date(m[2]), m[3], ordered))
    if entries[None]:
        out.append(PlannedMeeting(None, None, None, None, sorted(entries[None], key=lambda e: e.title.casefold())))
    return out


def add_item(ws: Any, values: dict[str, Any]) -> str:
    """A planned decision (title required; meeting, key decision, decision sought,
    lead, paper, status optional)."""
    from cypdesk.services import records

    return records.create(ws, "forward_plan_items", values).id


def update_item(ws: Any, item_id: str, values: dict[str, Any]) -> Any:
    from cypdesk.services import records

    return records.update(ws, "forward_plan_items", item_id, values)


def remove_item(ws: Any, item_id: str) -> Any:
    from cypdesk.services import records

    return records.delete(ws, "forward_plan_items", item_id)
