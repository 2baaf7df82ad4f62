"""The model's rules checked on a merged document before the merge commits: a
service's commissioners' shares total 100% (``services.service_edit``), no team
reports to itself or in a loop (``services.teams``), and no reference points at a
record that no longer exists (SQLite's ``foreign_key_check``).

Each check looks only at records the merge touched, and returns :class:`Violation`
items naming every record involved; the apply then keeps this document's values for
those records (a ``rule`` conflict, DESIGN.md section 5: never written silently).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cypdesk.services.exchange.sqlmerge import json_ids, q


@dataclass(frozen=True)
class Violation:
    table: str
    record_id: str
    title: str
    reason: str  # plain words
    involved: frozenset[tuple[str, str]]  # (table, record id) kept as ours


def check_rules(raw: Any, touched: set[tuple[str, str]], removed: Mapping[tuple[str, str], Mapping[str, Any]]
                ) -> list[Violation]:
    """Every rule broken on ``raw`` (inside the merge's transaction) that involves a
    record the merge wrote (``touched``: added or changed) or removed (``removed``:
    each with its values as they were)."""
    return [*commissioner_shares(raw, touched, removed), *team_loops(raw, touched),
            *dangling_references(raw, touched, set(removed))]


def _by_table(keys: Iterable[tuple[str, str]], table: str) -> list[str]:
    return [rid for t, rid in keys if t == table]


def commissioner_shares(raw: Any, touched: set[tuple[str, str]],
                        removed: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[Violation]:
    """Services whose commissioners' shares no longer total 100% (0 commissioners is
    allowed) after the merge wrote or removed one of their shares."""
    keys = touched | set(removed)
    share_ids = _by_table(touched, "service_commissioners")
    services = {r[0] for r in raw.execute(
        "SELECT service_id FROM main.service_commissioners WHERE id IN (SELECT value FROM json_each(?))",
        (json_ids(share_ids),))} if share_ids else set()
    services |= {row.get("service_id") for (table, _rid), row in removed.items() if table == "service_commissioners"}
    if not services:
        return []
    from cypdesk.services.service_edit import SHARE_TOLERANCE  # the 100% rule's tolerance, where the rule lives

    out = []
    for sid in sorted(s for s in services if s):
        total, count = raw.execute(
            "SELECT coalesce(sum(share_pct), 0), count(*) FROM main.service_commissioners WHERE service_id = ?",
            (sid,)).fetchone()
        if count == 0 or abs(total - 100.0) <= SHARE_TOLERANCE + 1e-9:
            continue
        now = {r[0] for r in raw.execute("SELECT id FROM main.service_commissioners WHERE service_id = ?", (sid,))}
        gone = {rid for (table, rid), row in removed.items()
                if table == "service_commissioners" and row.get("service_id") == sid}
        involved = {("service_commissioners", i) for i in (now | gone) if ("service_commissioners", i) in keys}
        name = raw.execute("SELECT name FROM main.services WHERE id = ?", (sid,)).fetchone()
        title = name[0] if name else sid
        out.append(Violation("services", sid, title,
                             f"The commissioners' shares of {title} would total {total:g}%, not 100%: "
                             "this document's shares are kept.", frozenset(involved)))
    return out


def team_loops(raw: Any, keys: set[tuple[str, str]]) -> list[Violation]:
    """Teams the merge wrote that now report to themselves or in a loop."""
    team_ids = set(_by_table(keys, "teams"))
    if not team_ids:
        return []
    parent = dict(raw.execute("SELECT id, reports_to_id FROM main.teams"))
    names = dict(raw.execute("SELECT id, name FROM main.teams"))
    out = []
    reported: set[frozenset[str]] = set()
    for start in sorted(team_ids):
        seen: list[str] = []
        current: str | None = start
        while current is not None and current not in seen:
            seen.append(current)
            current = parent.get(current)
        if current is None or current not in seen:
            continue
        loop = frozenset(seen[seen.index(current):])
        if loop in reported:
            continue
        reported.add(loop)
        involved = frozenset(("teams", t) for t in loop if t in team_ids)
        title = names.get(start, start)
        words = "reports to itself" if len(loop) == 1 else "reports in a loop (" + " -> ".join(
            names.get(t, t) for t in sorted(loop)) + ")"
        out.append(Violation("teams", start, title,
                             f"The team {title} {words} after the merge: this document's reporting is kept.",
                             involved))
    return out


def dangling_references(raw: Any, touched: set[tuple[str, str]], removed: set[tuple[str, str]]) -> list[Violation]:
    """References to a record that no longer exists (``PRAGMA foreign_key_check``) where
    the merge wrote the referring record or removed the one referred to."""
    from cypdesk.model.kindinfo import KIND_INFO as KINDS  # plain data: the merge imports no mapped class

    out = []
    fk_columns: dict[tuple[str, int], tuple[str, str]] = {}
    for table, rowid, parent, fkid in raw.execute("PRAGMA main.foreign_key_check").fetchall():
        if table not in KINDS:
            continue
        if (table, fkid) not in fk_columns:
            for fk in raw.execute(f"PRAGMA main.foreign_key_list({q(table)})").fetchall():
                fk_columns[(table, fk[0])] = (fk[3], fk[2])  # (from column, parent table)
        column, _parent = fk_columns.get((table, fkid), (None, parent))
        if column is None:
            continue
        row = raw.execute(f"SELECT id, {q(column)} FROM main.{q(table)} WHERE rowid = ?", (rowid,)).fetchone()
        if row is None:
            continue
        rid, target = row
        involved = set()
        if (table, rid) in touched:
            involved.add((table, rid))
        if (parent, target) in removed:
            involved.add((parent, target))
        if not involved:
            continue  # broken before the merge: not the merge's doing
        out.append(Violation(table, rid, rid,
                             f"A {KINDS[table].label or table} would refer to a {parent} record that no longer "
                             "exists: this document's records are kept.", frozenset(involved)))
    return out
