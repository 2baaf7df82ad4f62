"""The record of imports, kept and shown (issue 9): every import a document holds,
newest first, with when and by whom it was made, the file it read (name, sheet,
SHA-256), the kind it imported into and its counts of rows read, added, changed,
unchanged and rejected. An import taken back by Undo leaves no record.

:func:`list_imports` reads a sqlite3 connection, a Workspace or a SQLAlchemy session;
:func:`imports_of_file` reads a document file read-only (``cypdesk imports FILE``),
never changing it. Plain sqlite3: nothing here imports Qt or SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

COLUMNS = ("id", "created_at", "created_by", "source_name", "sheet", "kind", "source_sha256", "rows_read",
           "rows_added", "rows_updated", "rows_unchanged", "rows_rejected", "publisher")
SQL = ("SELECT {columns} FROM import_records r LEFT JOIN installations i ON i.id = r.created_by "
       "ORDER BY r.created_at DESC, r.hlc DESC, r.id")
SHORT_SHA = 12  # characters of the SHA-256 shown in the listing (the JSON has it whole)


@dataclass(frozen=True)
class ImportEntry:
    id: str
    at: str          # when (UTC), "2026-12-05T03:20:11"
    by: str | None   # "alice on COUNCIL-LAPTOP"
    source: str
    sheet: str | None
    kind: str
    sha256: str | None
    rows_read: int
    added: int
    changed: int
    unchanged: int
    rejected: int
    publisher: str | None

    @property
    def sha256_short(self) -> str:
        return (self.sha256 or "")[:SHORT_SHA]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "sha256_short": self.sha256_short}


def _when(value: Any) -> str:
    """A stored time ("2026-12-05 03:20:11.123456") as ISO seconds."""
    text = str(value or "")
    return text[:19].replace(" ", "T")


def list_imports(source: Any) -> list[ImportEntry]:
    """Every import record of ``source``, newest first."""
    from cypdesk.services.organisations import _rows

    present = {row[1] for row in _rows(source, "PRAGMA table_info(import_records)")}
    if not present:
        return []
    # A document of an older schema (opened read-only, not migrated) lacks the newest counts.
    columns = ", ".join("coalesce(i.user || ' on ' || i.host, r.created_by)" if name == "created_by" else
                        f"r.{name}" if name in present else "NULL" for name in COLUMNS)
    return [ImportEntry(row[0], _when(row[1]), row[2], row[3], row[4], row[5], row[6], *(int(n or 0) for n in row[7:12]),
                        row[12]) for row in _rows(source, SQL.format(columns=columns))]


def imports_of_file(document: str | Path) -> dict[str, Any]:
    """``{"path", "imports": [ImportEntry], "warnings"}`` of the document at
    ``document``, read-only (a hot journal or WAL mode is read through a private copy,
    as ``cypdesk export`` reads). A missing, foreign or damaged document raises the
    usual errors."""
    from cypdesk.common.errors import error_from
    from cypdesk.model.reading import read_only_connection

    src = Path(document).absolute()
    with read_only_connection(src) as (conn, r):
        try:
            entries = list_imports(conn)
        except sqlite3.Error as exc:
            raise error_from(exc, path=src, doing="read") from exc
        warnings = list(r.notes)
    return {"path": str(src), "imports": entries, "warnings": warnings}


def _cut(text: Any, width: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def listing(entries: list[ImportEntry], document: str) -> str:
    """The imports as a table for a terminal, newest first."""
    if not entries:
        return f"No imports are recorded in {document}."
    heads = ("When (UTC)", "Who", "Source", "Sheet", "Kind", "SHA-256", "Read", "Added", "Changed", "Unchanged",
             "Rejected")
    rows = [(e.at.replace("T", " ")[:16], _cut(e.by, 28), _cut(e.source, 40), _cut(e.sheet, 20), e.kind,
             e.sha256_short, f"{e.rows_read:,}", f"{e.added:,}", f"{e.changed:,}", f"{e.unchanged:,}",
             f"{e.rejected:,}") for e in entries]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    numeric = range(6, len(heads))

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    count = f"{len(entries):,} import{'s' if len(entries) != 1 else ''} recorded in {document}, newest first:"
    return "\n".join([count, line(heads), *(line(r).rstrip() for r in rows)])


__all__ = ["ImportEntry", "imports_of_file", "list_imports", "listing"]
