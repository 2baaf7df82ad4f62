"""Commissioning teams (framework step 6): the tree of the joint commissioning unit and
its sub-groups, a team's members and the services it owns, and the warning that a
sector the team's work depends on has nobody at the table.

**Which sectors a team needs.** The warning checks health, education and social care.
A sector *commissions* a service when the service is of that sector (its own
``sector``), or when one of its commissioning partners (``service_commissioners``)
belongs to that sector alone by the organisation's kind (an ICB or NHS trust: health;
a school: education). A council holds both education and social care duties, so a
council commissioner counts for the service's own sector only: a youth justice service
the council pays for does not make education a commissioner of it.
The services are those the team owns (``services.team_id``); for a joint commissioning
unit (kind ``jcu``), every service in the register. Decommissioned services are left out.

**Whom a member represents.** ``memberships.represents`` when it is set; otherwise the
sectors of the member's organisation's kind: an ICB or NHS trust is health; a school or
academy trust is education; a local authority is education and social care (it holds
both duties); the police is youth justice; a district council is housing. Other kinds
represent no sector of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.services.service_map import query_rows, tree_order

CHECKED_SECTORS = ("health", "education", "social_care")
SECTOR_WORDS = {
    "health": "health", "education": "education", "social_care": "social care", "youth_justice": "youth justice",
    "housing": "housing", "other": "other",
}
SECTORS_OF_KIND: dict[str, tuple[str, ...]] = {
    "icb": ("health",),
    "nhs_trust": ("health",),
    "school": ("education",),
    "local_authority": ("education", "social_care"),
    "police": ("youth_justice",),
    "district_council": ("housing",),
}

PROBLEM_UNKNOWN_PARENT = "reports to a team that is not in this document"
PROBLEM_LOOP = "is part of a reporting loop"


@dataclass
class TeamNode:
    """A team in the tree. ``problem`` is set on a team placed at the top level because
    whom it reports to is unknown or makes a loop; it is never left out."""

    id: str
    name: str
    kind: str | None
    focus: str | None
    focus_value: str | None
    stage: str | None
    reports_to_id: str | None
    lead_id: str | None
    lead: str | None  # the lead's name
    depth: int = 0
    problem: str | None = None
    children: list[TeamNode] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.problem is not None

    def walk(self) -> list[TeamNode]:
        """This team and every team below it, in tree order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def team_tree(source: Any) -> list[TeamNode]:
    """The teams as a tree by ``reports_to``: top-level teams (those reporting to the
    board) with their sub-groups below, each level in name order. A team reporting to
    an unknown team, or caught in a loop of reporting, is placed at the top level with
    ``problem`` saying why. ``source``: a sqlite3 connection, an engine, a workspace."""
    with query_rows(source) as run:
        rows = run(
            "SELECT t.id, t.name, t.kind, t.focus, t.focus_value, t.stage, t.reports_to_id, t.lead_id, p.name "
            "FROM teams t LEFT JOIN people p ON p.id = t.lead_id"
        )
    known = {r[0] for r in rows}
    ordered, flagged = tree_order(
        rows, id_of=lambda r: r[0], parent_of=lambda r: r[6],
        sort_key=lambda r: (r[2] != "jcu", (r[1] or "").casefold(), r[0]),
    )
    roots: list[TeamNode] = []
    stack: list[TeamNode] = []
    for r, depth in ordered:
        problem = None
        if r[0] in flagged:
            problem = PROBLEM_UNKNOWN_PARENT if r[6] not in known else PROBLEM_LOOP
        node = TeamNode(r[0], r[1] or "", r[2], r[3], r[4], r[5], r[6], r[7], r[8], depth, problem)
        while stack and stack[-1].depth >= depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def member_sectors(represents: str | None, organisation_kind: str | None) -> tuple[str, ...]:
    """The sectors a member speaks for (module doc)."""
    if represents:
        return (represents,)
    return SECTORS_OF_KIND.get(organisation_kind or "", ())


def _team_row(run: Any, team_id: str) -> tuple[Any, ...]:
    found = run("SELECT id, name, kind FROM teams WHERE id = ?", (team_id,))
    if not found:
        raise RecordNotFound(f"There is no commissioning team with id {team_id}.", id=team_id)
    return found[0]


def _services_of(run: Any, team: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """(id, name, sector, annual cost) of the services a team answers for."""
    sql = ("SELECT id, name, sector, annual_cost FROM services "
           "WHERE (status IS NULL OR status != 'decommissioned')")
    if team[2] == "jcu":
        return run(sql)
    return run(sql + " AND team_id = ?", (team[0],))


def _commissioning_sectors(run: Any, services: list[tuple[Any, ...]]) -> dict[str, set[str]]:
    """Sector -> ids of the services it commissions (module doc)."""
    own = {s[0]: s[2] for s in services}
    out: dict[str, set[str]] = {sector: set() for sector in SECTOR_WORDS}
    for sid, sector in own.items():
        if sector in out:
            out[sector].add(sid)
    for sid, kind in run(
        "SELECT sc.service_id, o.kind FROM service_commissioners sc JOIN organisations o ON o.id = sc.organisation_id"
    ):
        if sid not in own:
            continue
        sectors = SECTORS_OF_KIND.get(kind or "", ())
        if len(sectors) > 1:  # a council: only the duty the service itself serves
            sectors = tuple(sector for sector in sectors if sector == own[sid])
        for sector in sectors:
            out[sector].add(sid)
    return out


def _members(run: Any, team_id: str) -> list[tuple[Any, ...]]:
    return run(
        "SELECT m.id, m.organisation_id, o.name, o.kind, m.person_id, p.name, m.role, m.represents "
        "FROM memberships m LEFT JOIN organisations o ON o.id = m.organisation_id "
        "LEFT JOIN people p ON p.id = m.person_id WHERE m.team_id = ?",
        (team_id,),
    )


def sector_warnings(source: Any, team_id: str) -> list[str]:
    """Plain-English warnings, one for each of health, education and social care that
    commissions some of the team's services but that no member represents (module
    doc): "No member represents education, which commissions 7 of this team's
    services." Empty when every such sector has a member."""
    with query_rows(source) as run:
        team = _team_row(run, team_id)
        services = _services_of(run, team)
        commissioned = _commissioning_sectors(run, services)
        represented: set[str] = set()
        for m in _members(run, team_id):
            represented.update(member_sectors(m[7], m[3]))
    whose = "the services in the register" if team[2] == "jcu" else "this team's services"
    warnings = []
    for sector in CHECKED_SECTORS:
        n = len(commissioned[sector])
        if n and sector not in represented:
            warnings.append(f"No member represents {SECTOR_WORDS[sector]}, which commissions {n} of {whose}.")
    return warnings


def team_detail(ws: Any, team_id: str) -> dict[str, Any]:
    """Everything the team editor shows: the team's fields (``team``), its lead and
    whom it reports to, its members (organisation, person, role, whom they represent
    and the sectors that makes them count for), the services it owns (id, name, sector,
    annual cost, by name) and the sector warnings."""
    from cypdesk.model import Team
    from cypdesk.services.records import snapshot

    with ws.read() as session:
        record = session.get(Team, team_id)
        if record is None:
            raise RecordNotFound(f"There is no commissioning team with id {team_id}.", id=team_id)
        values = snapshot(record)
    with query_rows(ws) as run:
        team = _team_row(run, team_id)
        lead = run("SELECT id, name FROM people WHERE id = ?", (values.get("lead_id"),)) if values.get("lead_id") else []
        parent = (run("SELECT id, name FROM teams WHERE id = ?", (values.get("reports_to_id"),))
                  if values.get("reports_to_id") else [])
        members = [
            {"id": m[0], "organisation_id": m[1], "organisation": m[2], "organisation_kind": m[3],
             "person_id": m[4], "person": m[5], "role": m[6], "represents": m[7],
             "represents_label": SECTOR_WORDS.get(m[7] or "", "").capitalize() or None,
             "sectors": list(member_sectors(m[7], m[3]))}
            for m in _members(run, team_id)
        ]
        owned = run("SELECT id, name, sector, annual_cost FROM services WHERE team_id = ? "
                    "AND (status IS NULL OR status != 'decommissioned')", (team_id,))
    members.sort(key=lambda m: ((m["organisation"] or "").casefold(), (m["person"] or "").casefold(),
                                (m["role"] or "").casefold(), m["id"]))
    return {
        "id": team[0], "title": team[1] or team[0], "team": values,
        "lead": {"id": lead[0][0], "name": lead[0][1]} if lead else None,
        "reports_to": {"id": parent[0][0], "name": parent[0][1]} if parent else None,
        "members": members,
        "services": [
            {"id": s[0], "name": s[1], "sector": s[2], "annual_cost": s[3]}
            for s in sorted(owned, key=lambda s: ((s[1] or "").casefold(), s[0]))
        ],
        "warnings": sector_warnings(ws, team_id),
    }


# --- membership operations --------------------------------------------------------------

def add_member(ws: Any, team_id: str, organisation_id: str | None, person_id: str | None, role: str | None,
               represents: str | None = None, *, membership_id: str | None = None) -> Any:
    """Add a member to a team in one transaction; returns a ``records.Change``
    (``op="create"``). The row takes a deterministic id from the team, organisation,
    person and role, so two partners adding the same member make one row. Undo:
    :func:`remove_member` with ``change.id``. ``membership_id`` restores a removed
    member under its old id (the undo of :func:`remove_member`)."""
    from cypdesk.model import Membership, Organisation, Person, Team, link_id
    from cypdesk.services.records import Change, coerce

    role = " ".join((role or "").split()) or None
    if not organisation_id and not person_id:
        raise ValidationError("A member needs an organisation or a person.", field="organisation_id")
    meta = Membership.__table__.c.represents.info["meta"]
    try:
        represents = coerce(meta, represents)
    except ValueError as exc:
        raise ValidationError(f"Represents: {exc}.", field="represents") from None
    if role is not None and len(role) > 200:
        raise ValidationError("A member's role is at most 200 characters.", field="role")
    with ws.write() as session:
        team = session.get(Team, team_id)
        if team is None:
            raise RecordNotFound(f"There is no commissioning team with id {team_id}.", id=team_id)
        org = session.get(Organisation, organisation_id) if organisation_id else None
        if organisation_id and org is None:
            raise ValidationError(f"There is no organisation with id {organisation_id}.", field="organisation_id")
        person = session.get(Person, person_id) if person_id else None
        if person_id and person is None:
            raise ValidationError(f"There is no person with id {person_id}.", field="person_id")
        mid = membership_id or link_id("memberships", team_id, organisation_id or "", person_id or "", role or "")
        if session.get(Membership, mid) is not None:
            who = person.name if person else org.name if org else "That member"
            raise ValidationError(f"{who} is already a member of {team.name}" + (f" as {role}." if role else "."),
                                  field="person_id")
        values = {"team_id": team_id, "organisation_id": organisation_id, "person_id": person_id, "role": role,
                  "represents": represents}
        member = Membership(id=mid, owner_org_id=team.owner_org_id, **values)
        session.add(member)
        session.flush()
        return Change("create", "memberships", mid, member.display_title(), after=values)


def remove_member(ws: Any, membership_id: str) -> Any:
    """Remove a member (the row is deleted, leaving a tombstone); returns a
    ``records.Change`` (``op="delete"``) whose ``before`` holds the whole row. Undo:
    :func:`restore_member` with the change."""
    from cypdesk.services.records import delete

    return delete(ws, "memberships", membership_id)


def restore_member(ws: Any, change: Any) -> Any:
    """Undo :func:`remove_member`: the member comes back exactly as it was (same id,
    owner and creation clock, so a merge sees the same record)."""
    from cypdesk.services.records import restore

    return restore(ws, change)


__all__ = [
    "CHECKED_SECTORS", "SECTORS_OF_KIND", "SECTOR_WORDS", "TeamNode", "add_member", "member_sectors", "remove_member",
    "restore_member", "sector_warnings", "team_detail", "team_tree",
]
