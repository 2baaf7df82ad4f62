"""The one rule of what a partner may see (DESIGN.md section 5), for every path that
leaves the trust: ``export --for`` today, share and ``paper --for`` to come.

For a partner ORG:

- a field marked ``confidential`` in the catalog is withheld, except on records ORG
  owns (a provider sees its own contract values);
- people's contact details (fields marked ``personal``) are withheld unless the
  caller chose to include them (``contacts=True``);
- a record marked confidential (a ``confidential`` yes/no field set) is left out,
  except for ORG's own.

Without a partner (``org=None``), as a share without ``--for``: every confidential
field and every contact detail is withheld, and confidential records are left out.

Which records ORG *owns*: the records whose owning partner (``owner_org_id``) is ORG;
a service ORG provides (``provider_id``); a contract ORG holds
(``contracting_org_id``) or for a service ORG provides; ORG's own organisation record
and its people. :func:`redact_row` applies the rule to one row and is what every
outward path calls; :func:`owned_ids` says which rows are ORG's own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cypdesk.common.errors import RecordNotFound, UsageError
from cypdesk.model.catalog import CATALOG

WITHHELD = None  # what a withheld field holds in a redacted row (the cell is left empty)


@dataclass(frozen=True)
class Partner:
    """The partner an outward copy is for."""

    id: str
    name: str


def find_partner(conn: sqlite3.Connection, ref: str) -> Partner:
    """The organisation named ``ref`` (its id, or its name without regard to case or
    surrounding spaces). Raises :class:`RecordNotFound` when none matches and
    :class:`UsageError` when a name matches more than one (give the id)."""
    text = (ref or "").strip()
    if not text:
        raise UsageError("Say which partner with --for NAME or --for ID.")
    row = conn.execute("SELECT id, name FROM organisations WHERE id = ?", (text,)).fetchone()
    if row:
        return Partner(row[0], row[1])
    rows = conn.execute("SELECT id, name FROM organisations WHERE lower(trim(name)) = lower(?) ORDER BY id",
                        (text,)).fetchall()
    if not rows:
        raise RecordNotFound(f"There is no partner called {text!r} in this document; "
                             "give an organisation's name or id (cypdesk export FILE --table organisations).")
    if len(rows) > 1:
        raise UsageError(f"More than one partner is called {text!r}; give its id instead: "
                         + ", ".join(r[0] for r in rows) + ".")
    return Partner(rows[0][0], rows[0][1])


def _spec(kind: str, name: str) -> dict[str, Any] | None:
    for spec in CATALOG.get(kind, {}).get("fields", ()):
        if spec["name"] == name:
            return spec
    return None


def may_see(kind: str, field: str, *, owned: bool, contacts: bool = False) -> bool:
    """Whether a partner may see ``field`` of a ``kind`` record: ``owned`` says the
    record is the partner's own (always False without a partner). Fields that are not
    the kind's own (a table's worked-out columns) carry no mark and are seen."""
    spec = _spec(kind, field)
    if spec is None:
        return True
    return not withholds(confidential=bool(spec.get("confidential")), personal=bool(spec.get("personal")),
                         owned=owned, contacts=contacts)


def withholds(*, confidential: bool, personal: bool = False, owned: bool, contacts: bool = False) -> bool:
    """THE rule for one value, given its marks: a contact detail (``personal``) is
    withheld unless ``contacts``; a ``confidential`` value unless the record is the
    partner's own (``owned``). Structured content (a board paper's tables, whose
    columns carry the marks of the fields they show) is judged by this too."""
    if personal and not contacts:
        return True
    return confidential and not owned


def leaves_out(*, confidential_record: bool, owned: bool) -> bool:
    """THE rule for a whole record (or a paper's section, table row or chart marked
    confidential): left out unless it is the partner's own."""
    return confidential_record and not owned


def visible_fields(kind: str, fields: Iterable[str], *, owned: bool, contacts: bool = False) -> list[str]:
    """The ``fields`` of a ``kind`` record the partner may see (:func:`may_see`)."""
    return [f for f in fields if may_see(kind, f, owned=owned, contacts=contacts)]


def never_visible(kind: str, fields: Iterable[str], *, contacts: bool = False) -> list[str]:
    """The ``fields`` withheld even on the partner's own records (contact details):
    an outward table leaves such columns out altogether."""
    return [f for f in fields if not may_see(kind, f, owned=True, contacts=contacts)]


def is_confidential_record(kind: str, row: Mapping[str, Any]) -> bool:
    """A record marked confidential (the kind has a ``confidential`` yes/no field and
    it is set)."""
    spec = _spec(kind, "confidential")
    return bool(spec and spec["kind"] == "bool" and row.get("confidential"))


def redact_row(kind: str, row: Mapping[str, Any], *, owned: bool, contacts: bool = False) -> dict[str, Any] | None:
    """THE rule, for one row of a ``kind`` record (field name -> value): None when the
    record is left out (marked confidential, not the partner's own), else the row with
    every field the partner may not see set to :data:`WITHHELD`."""
    if leaves_out(confidential_record=is_confidential_record(kind, row), owned=owned):
        return None
    return {k: (v if may_see(kind, k, owned=owned, contacts=contacts) else WITHHELD) for k, v in row.items()}


def _owner_expressions(kind: str) -> list[str]:
    """SQL expressions (on table alias ``t``) giving the organisations that own a
    ``kind`` record: its owning partner, a service's provider, a contract's holder and
    its service's provider, an organisation itself, a person's organisation."""
    names = {f["name"] for f in CATALOG[kind]["fields"]}
    exprs = []
    if "owner_org_id" in names:
        exprs.append("t.owner_org_id")
    if kind == "organisations":
        exprs.append("t.id")
    if kind == "people" and "organisation_id" in names:
        exprs.append("t.organisation_id")
    if kind == "services" and "provider_id" in names:
        exprs.append("t.provider_id")
    if kind == "contracts":
        if "contracting_org_id" in names:
            exprs.append("t.contracting_org_id")
        if "service_id" in names:
            exprs.append("(SELECT s.provider_id FROM services s WHERE s.id = t.service_id)")
    return exprs


def _owner_conditions(kind: str) -> list[str]:
    """SQL conditions (on table alias ``t``, parameter ``:org``) that make a ``kind``
    record the partner's own."""
    return [f"{expr} = :org" for expr in _owner_expressions(kind)]


def owned_ids(conn: sqlite3.Connection, kind: str, partner: Partner | None) -> set[str]:
    """The ids of the ``kind`` records ``partner`` owns (none without a partner)."""
    if partner is None or kind not in CATALOG:
        return set()
    conds = _owner_conditions(kind)
    if not conds:
        return set()
    sql = f'SELECT t.id FROM "{kind}" t WHERE ' + " OR ".join(f"({c})" for c in conds)
    return {row[0] for row in conn.execute(sql, {"org": partner.id})}


def owners_of(conn: sqlite3.Connection, kind: str, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each of the ``kind`` records ``ids``: the organisations that own it (the
    same owners :func:`owned_ids` goes by), sorted; a record with none maps to ()."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    out: dict[str, tuple[str, ...]] = {i: () for i in wanted}
    if not wanted or kind not in CATALOG:
        return out
    exprs = _owner_expressions(kind)
    if not exprs:
        return out
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        sql = (f'SELECT t.id, {", ".join(exprs)} FROM "{kind}" t '
               f'WHERE t.id IN ({", ".join("?" * len(chunk))})')
        for row in conn.execute(sql, chunk):
            out[row[0]] = tuple(sorted({v for v in row[1:] if v}))
    return out


__all__ = ["Partner", "WITHHELD", "find_partner", "is_confidential_record", "leaves_out", "may_see",
           "never_visible", "owned_ids", "owners_of", "redact_row", "visible_fields", "withholds"]
