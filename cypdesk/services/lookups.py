"""Choices for reference fields (a service's provider, a team's lead...): the ids and
titles of the records a field may point at, read with ``sqlite3`` and the catalog."""

from __future__ import annotations

import sqlite3

from cypdesk.model.catalog import CATALOG


def options(conn: sqlite3.Connection, kind: str, *, limit: int = 20_000) -> list[tuple[str, str]]:
    """(id, title) of every record of ``kind``, by title without regard to case."""
    title = CATALOG[kind]["title"]
    sql = f'SELECT id, "{title}" FROM "{kind}" ORDER BY "{title}" COLLATE NOCASE, id LIMIT ?'
    return [(row[0], "" if row[1] is None else str(row[1])) for row in conn.execute(sql, (limit,))]


def title_of(conn: sqlite3.Connection, kind: str, record_id: str) -> str | None:
    title = CATALOG[kind]["title"]
    row = conn.execute(f'SELECT "{title}" FROM "{kind}" WHERE id = ?', (record_id,)).fetchone()
    return None if row is None else str(row[0])


def values_of(conn: sqlite3.Connection, kind: str, record_id: str) -> dict[str, object] | None:
    """A record's stored values by field name, as the form shows them."""
    names = [f["name"] for f in CATALOG[kind]["fields"]]
    cols = ", ".join(f'"{n}"' for n in names)
    row = conn.execute(f'SELECT {cols} FROM "{kind}" WHERE id = ?', (record_id,)).fetchone()
    return None if row is None else dict(zip(names, row))
