"""The document's board papers as a list (the window's list and ``cypdesk paper FILE
--list``): one row per paper and version, by meeting date, then agenda item."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PaperListing:
    id: str
    meeting_id: str | None
    board: str | None
    meeting_date: date | None
    agenda_item: str | None
    title: str
    status: str
    version: int
    previous_id: str | None
    key_decision: bool

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["meeting_date"] = self.meeting_date.isoformat() if self.meeting_date else None
        return out


def agenda_sort_key(item: str | None) -> tuple[Any, ...]:
    """Agenda items in the order a meeting takes them: 2 before 10, 5 before 5a before
    5b; an item without a number last."""
    if not item or not str(item).strip():
        return (1, ())
    parts = re.findall(r"\d+|[^\d\s.]+", str(item).strip().lower())
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def list_papers(conn: Any) -> list[PaperListing]:
    """Every paper with its meeting: meetings by date (papers without one last), then
    agenda item, title and version."""
    from cypdesk.services.service_map import query_rows

    with query_rows(conn) as run:
        rows = run("SELECT p.id, p.meeting_id, m.board, m.held_on, p.agenda_item, p.title, p.status, p.version, "
                   "p.previous_id, p.key_decision FROM papers p LEFT JOIN meetings m ON m.id = p.meeting_id")
    out = [PaperListing(r[0], r[1], r[2], as_date(r[3]), r[4], r[5] or "", r[6] or "draft", int(r[7] or 1), r[8],
                        bool(r[9])) for r in rows]
    out.sort(key=lambda p: (p.meeting_date is None, p.meeting_date or date.min, p.meeting_id or "",
                            agenda_sort_key(p.agenda_item), p.title.casefold(), p.version, p.id))
    return out
