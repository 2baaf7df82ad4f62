"""The document's past imports (its ``import_records``), newest first, for the import
wizard's first page: when, who, the file and sheet, what they went into, the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class PastImport:
    id: str
    at: datetime | None          # when (UTC, as stored)
    who: str                     # "alice on laptop-3", or the installation's id when unknown
    source: str
    sheet: str | None
    kind: str
    read: int
    added: int
    changed: int
    unchanged: int
    rejected: int


def past_imports(ws: Any, *, limit: int = 500) -> list[PastImport]:
    """The newest ``limit`` imports of the document, newest first (by the clock stamp
    the import wrote, which orders the document's edits)."""
    from sqlalchemy import text

    sql = text("""
        SELECT i.id, i.created_at, i.created_by, n.user, n.host, i.source_name, i.sheet, i.kind, i.rows_read,
               i.rows_added, i.rows_updated, i.rows_unchanged, i.rows_rejected
        FROM import_records i LEFT JOIN installations n ON n.id = i.created_by
        ORDER BY i.created_hlc DESC, i.created_at DESC LIMIT :limit""")
    out = []
    with ws.doc.engine.connect() as conn:
        for row in conn.execute(sql, {"limit": limit}):
            (record_id, at, author, user, host, source, sheet, kind, read, added, changed, unchanged,
             rejected) = row
            if isinstance(at, str):
                try:
                    at = datetime.fromisoformat(at)
                except ValueError:
                    at = None
            who = f"{user} on {host}" if user else (author or "unknown")
            out.append(PastImport(str(record_id), at, who, source, sheet, kind, read or 0, added or 0, changed or 0,
                                  unchanged or 0, rejected or 0))
    return out


__all__ = ["PastImport", "past_imports"]
