"""Editing a service's linked records: its outcomes, target groups, localities,
commissioners with their shares, funding sources, contracts and decommissioning
decisions, and duplicating a service with its links.

Each operation is ONE transaction through ``ws.write()`` and returns what changed with
``before`` and ``after``, so the window's undo calls the same operation with
``before`` (:func:`undo` does exactly that) and redo calls it with ``after``.

Link rows take deterministic ids (:func:`cypdesk.model.base.link_id` of the service and
what it links to), so two partners who make the same link make the same row and their
files merge without duplicates. A link taken away is deleted, never blanked, so it
leaves a tombstone and the deletion travels to partners in a merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field as dc_field
from datetime import date
from typing import Any

from sqlalchemy import select

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.model import (
    Area, Contract, Decommissioning, Group, Organisation, Outcome, Record, Service, ServiceArea,
    ServiceCommissioner, ServiceFunding, ServiceGroup, ServiceOutcome, Team, link_id, new_id,
)
from cypdesk.model.fields import meta_of
from cypdesk.services.records import Change, prepare, snapshot
from cypdesk.services.workspace import Workspace

SHARE_TOLERANCE = 0.01  # percentage points: shares of 33.33 + 33.33 + 33.34 total 100


@dataclass
class LinksChange:
    """What a ``set_...`` operation changed on one service. Shaped like
    :class:`~cypdesk.services.records.Change` (``op``, ``kind``, ``id``, ``title``,
    ``before``, ``after``); ``before`` and ``after`` are the links in the form the
    operation takes, so ``set_outcomes(ws, change.id, change.before)`` undoes it."""

    op: str  # "set_outcomes", "set_groups", "set_localities", "set_commissioners", "set_funding"
    kind: str  # always "services": the record whose links these are
    id: str  # the service's id
    title: str  # the service's name
    table: str  # the link table: "service_outcomes"...
    before: list[Any] = dc_field(default_factory=list)
    after: list[Any] = dc_field(default_factory=list)
    added: list[str] = dc_field(default_factory=list)  # ids of link rows made
    removed: list[str] = dc_field(default_factory=list)  # ids of link rows deleted
    updated: list[str] = dc_field(default_factory=list)  # ids of link rows whose value changed

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.updated)

    @property
    def fields(self) -> list[str]:
        return [self.op.removeprefix("set_")] if self.changed else []


@dataclass(frozen=True)
class _Links:
    """How one kind of link is stored: the link table's class, the column naming what
    is linked (``key``), and the column holding the link's value, if any."""

    op: str
    model: type[Record]
    key: str
    value: str | None
    target: type[Record] | None  # what ``key`` refers to (None: free text)
    what: str  # singular, for messages
    whats: str  # plural
    owner_is_key: bool = False  # commissioners' rows belong to the commissioner

    def norm(self, key: Any) -> Any:
        return " ".join(str(key).split()).casefold() if self.target is None else key


OUTCOMES = _Links("set_outcomes", ServiceOutcome, "outcome_id", "contribution", Outcome, "outcome", "outcomes")
GROUPS = _Links("set_groups", ServiceGroup, "group_id", None, Group, "group of children", "groups of children")
LOCALITIES = _Links("set_localities", ServiceArea, "area_id", None, Area, "locality", "localities")
COMMISSIONERS = _Links("set_commissioners", ServiceCommissioner, "organisation_id", "share_pct", Organisation,
                       "commissioner", "commissioners", owner_is_key=True)
FUNDING = _Links("set_funding", ServiceFunding, "source", "amount", None, "funding source", "funding sources")


# --- the operations -------------------------------------------------------------------

def set_outcomes(ws: Workspace, service_id: str, outcomes: Iterable[tuple[str, str] | str]) -> LinksChange:
    """The outcomes a service contributes to: ``[(outcome_id, "primary"|"secondary")]``
    (a bare id means primary). Replaces the service's outcomes with these."""
    wanted: list[tuple[str, str]] = []
    for item in outcomes:
        oid, contribution = (item, "primary") if isinstance(item, str) else (item[0], item[1])
        found = ServiceOutcome.__table__.c.contribution.info["meta"].choices.lookup(str(contribution or ""))
        if found is None:
            raise ValidationError(
                f"A contribution to an outcome is primary or secondary, not {contribution!r}.", field="contribution")
        wanted.append((oid, found))
    return _set(ws, service_id, OUTCOMES, wanted)


def set_groups(ws: Workspace, service_id: str, group_ids: Iterable[str]) -> LinksChange:
    """The groups of children a service is for (none: all children)."""
    return _set(ws, service_id, GROUPS, [(gid, None) for gid in group_ids])


def set_localities(ws: Workspace, service_id: str, area_ids: Iterable[str]) -> LinksChange:
    """The localities a service works in (none: the whole area)."""
    return _set(ws, service_id, LOCALITIES, [(aid, None) for aid in area_ids])


def set_commissioners(ws: Workspace, service_id: str, shares: Iterable[tuple[str, Any]]) -> LinksChange:
    """The partners that commission a service and their shares in per cent:
    ``[(organisation_id, 60), (organisation_id, 40)]``. The shares must total 100%
    (within 0.01); an empty list records no commissioner. Shares may be written
    ``"60%"``."""
    meta = meta_of(ServiceCommissioner.__table__.c.share_pct)
    wanted: list[tuple[str, float]] = []
    for org_id, share in shares:
        try:
            value = _coerce(meta, share)
        except ValueError:
            raise ValidationError(f"A commissioner's share must be a number of per cent, not {share!r}.",
                                  field="share_pct") from None
        if value is None:
            raise ValidationError("Every commissioner needs a share; give 0% for a partner that pays nothing.",
                                  field="share_pct")
        wanted.append((org_id, value))

    def check(session: Any, names: dict[Any, str]) -> None:
        for org_id, value in wanted:
            if value < 0:
                raise ValidationError(f"A commissioner's share cannot be negative ({names[org_id]}: {_pct(value)}).",
                                      field="share_pct")
            if value > 100:
                raise ValidationError(f"A commissioner's share cannot be more than 100% ({names[org_id]}: {_pct(value)}).",
                                      field="share_pct")
        if wanted:
            total = sum(v for _o, v in wanted)
            if abs(total - 100.0) > SHARE_TOLERANCE + 1e-9:  # in floats 100 - 99.99 is 0.0100000000000051
                parts = " + ".join(_pct(v) for _o, v in wanted)
                raise ValidationError(
                    f"Commissioners' shares must total 100%: these total {_pct(total)} ({parts}).", field="share_pct",
                    total=total)

    return _set(ws, service_id, COMMISSIONERS, wanted, check=check)


def set_funding(ws: Workspace, service_id: str, sources: Iterable[tuple[str, Any]]) -> LinksChange:
    """The funding sources of a service with their amounts a year:
    ``[("Public Health Grant", 120000), ("ICB baseline", None)]``. Amounts need not
    total the service's cost (a source's amount may be unknown); each source once."""
    meta = meta_of(ServiceFunding.__table__.c.amount)
    wanted: list[tuple[str, float | None]] = []
    for source, amount in sources:
        text = " ".join(str(source or "").split())
        if not text:
            raise ValidationError("Every funding source needs a name (e.g. Public Health Grant).", field="source")
        if len(text) > 200:
            raise ValidationError(f"A funding source's name is at most 200 characters: {text[:40]}…", field="source")
        try:
            value = _coerce(meta, amount)
        except ValueError:
            raise ValidationError(f"The amount for {text} must be an amount of money, not {amount!r}.",
                                  field="amount") from None
        if value is not None and value < 0:
            raise ValidationError(f"The amount for {text} cannot be negative.", field="amount")
        wanted.append((text, value))
    return _set(ws, service_id, FUNDING, wanted)


SETTERS: dict[str, Callable[[Workspace, str, Any], LinksChange]] = {
    "set_outcomes": set_outcomes,
    "set_groups": set_groups,
    "set_localities": set_localities,
    "set_commissioners": set_commissioners,
    "set_funding": set_funding,
}


def undo(ws: Workspace, change: LinksChange) -> LinksChange:
    """Put a service's links back as they were before ``change``."""
    return SETTERS[change.op](ws, change.id, change.before)


def redo(ws: Workspace, change: LinksChange) -> LinksChange:
    return SETTERS[change.op](ws, change.id, change.after)


# --- contracts and decommissioning ------------------------------------------------------

def save_contract(ws: Workspace, service_id: str, values: dict[str, Any], contract_id: str | None = None) -> Change:
    """Create (no ``contract_id``) or update a contract of a service, each value checked
    and converted as the records operations do, and the end not before the start.
    Undo: ``records.delete`` a created contract; update it back with ``change.before``."""
    return _save_child(ws, Contract, service_id, values, contract_id, _check_contract_dates)


def save_decommissioning(ws: Workspace, service_id: str, values: dict[str, Any], record_id: str | None = None) -> Change:
    """Create or update a decommissioning decision on a service. A service's first
    decision takes a deterministic id, so two partners recording it make one record."""
    return _save_child(ws, Decommissioning, service_id, values, record_id, None)


def _check_contract_dates(merged: dict[str, Any]) -> None:
    """An end before its start is refused, the message naming both dates (the rule every
    kind with a start and an end shares: ``records.order_problems``)."""
    from cypdesk.services.records import _raise_problems, order_problems

    _raise_problems(Contract, order_problems(Contract, merged))


def _save_child(ws: Workspace, model: type[Record], service_id: str, values: dict[str, Any], record_id: str | None,
                extra_check: Callable[[dict[str, Any]], None] | None) -> Change:
    what = model.__label__
    values = dict(values)
    given_service = values.pop("service_id", service_id)
    if given_service not in (None, service_id):
        raise ValidationError(f"The {what} belongs to another service; it was not saved.", field="service_id")
    clean, problems = prepare(model, values, partial=record_id is not None)
    problems = [p for p in problems if p.field != "service_id"]
    if problems:
        raise ValidationError(f"The {what} was not saved: " + "; ".join(p.message for p in problems) + ".",
                              problems=[p.__dict__ for p in problems])
    with ws.write() as session:
        service = _service(session, service_id)
        if record_id is None:
            rid = link_id(model.__tablename__, service_id) if model is Decommissioning else new_id()
            if session.get(model, rid) is not None:
                rid = new_id()
            merged = dict(clean)
            if extra_check:
                extra_check(merged)
            record = model(id=rid, service_id=service_id, owner_org_id=service.owner_org_id, **clean)
            session.add(record)
            session.flush()
            return Change("create", model.__tablename__, record.id, record.display_title(), after=dict(clean))
        record = session.get(model, record_id)
        if record is None:
            raise RecordNotFound(f"There is no {what} with id {record_id}.", id=record_id)
        if record.service_id != service_id:
            raise ValidationError(f"That {what} belongs to another service; it was not saved.", field="service_id")
        merged = {**snapshot(record), **clean}
        if extra_check:
            extra_check(merged)
        before = {name: getattr(record, name) for name in clean}
        for name, value in clean.items():
            setattr(record, name, value)
        changed = {k: v for k, v in clean.items() if before[k] != v}
        return Change("update", model.__tablename__, record.id, record.display_title(),
                      before={k: before[k] for k in changed}, after=changed)


# --- duplicating ----------------------------------------------------------------------

COPY_SUFFIX = " (copy)"
NOT_COPIED = ("oruk_id",)  # an Open Referral UK id names one service in a directory


def duplicate_service(ws: Workspace, service_id: str) -> Change:
    """A copy of a service named "<name> (copy)", with its outcomes, groups, localities,
    commissioners and funding; not its contracts or decommissioning decisions (they
    belong to the service that exists), nor its Open Referral UK id. Undo:
    ``records.delete(ws, "services", change.id)`` (its links go with it)."""
    with ws.write() as session:
        original = _service(session, service_id)
        values = {name: getattr(original, name) for name in _editable(Service) if name not in NOT_COPIED}
        limit = Service.__table__.c.name.type.length or 300
        values["name"] = original.name[: limit - len(COPY_SUFFIX)] + COPY_SUFFIX
        copy = Service(id=new_id(), owner_org_id=original.owner_org_id, **values)
        session.add(copy)
        for spec in (OUTCOMES, GROUPS, LOCALITIES, COMMISSIONERS, FUNDING):
            rows = session.scalars(select(spec.model).where(spec.model.service_id == service_id)).all()
            seen: set[Any] = set()
            for row in rows:
                key = getattr(row, spec.key)
                if spec.norm(key) in seen:
                    continue
                seen.add(spec.norm(key))
                link = spec.model(id=link_id(spec.model.__tablename__, copy.id, str(key)), service_id=copy.id,
                                  owner_org_id=row.owner_org_id, **{spec.key: key})
                if spec.value:
                    setattr(link, spec.value, getattr(row, spec.value))
                session.add(link)
        session.flush()
        return Change("create", "services", copy.id, copy.name, after=values)


# --- reading --------------------------------------------------------------------------

def service_detail(ws: Workspace, service_id: str) -> dict[str, Any]:
    """Everything the service editor shows: the service's fields (``service``), its
    provider and owning team, its links with the titles of what they link to (each
    list in the order people read it, with ``link_id`` for the row), and its contracts
    and decommissioning decisions (all fields, with the contracting partner's name);
    ``unit_cost_note`` says where the unit cost comes from and ``figure_warnings`` where
    the money no longer adds up (:mod:`cypdesk.services.service_figures`).
    ``outcome_links``, ``group_ids``, ``locality_ids``, ``commissioner_shares`` and
    ``funding_sources`` are the current links in the form the ``set_...`` operations
    take."""
    with ws.read() as session:
        service = session.get(Service, service_id)
        if service is None:
            raise RecordNotFound(f"There is no service with id {service_id}.", id=service_id)
        out: dict[str, Any] = {"id": service.id, "title": service.display_title(), "service": snapshot(service)}
        provider = session.get(Organisation, service.provider_id) if service.provider_id else None
        team = session.get(Team, service.team_id) if service.team_id else None
        out["provider"] = {"id": provider.id, "name": provider.name} if provider else None
        out["team"] = {"id": team.id, "name": team.name} if team else None

        rows = session.execute(
            select(ServiceOutcome.id, Outcome.id, Outcome.code, Outcome.name, Outcome.parent_id,
                   ServiceOutcome.contribution)
            .join(Outcome, Outcome.id == ServiceOutcome.outcome_id)
            .where(ServiceOutcome.service_id == service_id)
        ).all()
        out["outcomes"] = sorted(
            ({"link_id": r[0], "outcome_id": r[1], "code": r[2], "name": r[3], "parent_id": r[4],
              "contribution": r[5], "contribution_label": "Primary" if r[5] == "primary" else "Secondary"}
             for r in rows),
            key=lambda d: (d["contribution"] != "primary", (d["code"] or "").casefold(), d["name"].casefold()),
        )
        rows = session.execute(
            select(ServiceGroup.id, Group.id, Group.code, Group.name).join(Group, Group.id == ServiceGroup.group_id)
            .where(ServiceGroup.service_id == service_id)
        ).all()
        out["groups"] = sorted(({"link_id": r[0], "group_id": r[1], "code": r[2], "name": r[3]} for r in rows),
                               key=lambda d: d["name"].casefold())
        rows = session.execute(
            select(ServiceArea.id, Area.id, Area.name, Area.kind).join(Area, Area.id == ServiceArea.area_id)
            .where(ServiceArea.service_id == service_id)
        ).all()
        out["localities"] = sorted(({"link_id": r[0], "area_id": r[1], "name": r[2], "kind": r[3]} for r in rows),
                                   key=lambda d: d["name"].casefold())
        rows = session.execute(
            select(ServiceCommissioner.id, Organisation.id, Organisation.name, Organisation.kind,
                   ServiceCommissioner.share_pct)
            .join(Organisation, Organisation.id == ServiceCommissioner.organisation_id)
            .where(ServiceCommissioner.service_id == service_id)
        ).all()
        out["commissioners"] = sorted(
            ({"link_id": r[0], "organisation_id": r[1], "name": r[2], "kind": r[3], "share_pct": r[4]} for r in rows),
            key=lambda d: (-(d["share_pct"] or 0), d["name"].casefold()),
        )
        out["commissioners_total_pct"] = sum(d["share_pct"] or 0 for d in out["commissioners"])
        rows = session.execute(
            select(ServiceFunding.id, ServiceFunding.source, ServiceFunding.amount)
            .where(ServiceFunding.service_id == service_id)
        ).all()
        out["funding"] = sorted(({"link_id": r[0], "source": r[1], "amount": r[2]} for r in rows),
                                key=lambda d: (-(d["amount"] or 0), d["source"].casefold()))
        out["funding_total"] = sum(d["amount"] or 0 for d in out["funding"])

        names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
        contracts = session.scalars(select(Contract).where(Contract.service_id == service_id)).all()
        out["contracts"] = [
            {**snapshot(c), "contracting_org": names.get(c.contracting_org_id) if c.contracting_org_id else None,
             "supplier": names.get(c.supplier_id) if c.supplier_id else None}
            for c in sorted(contracts, key=lambda c: (c.start_date or date.min, c.end_date or date.min, c.id))
        ]
        decisions = session.scalars(select(Decommissioning).where(Decommissioning.service_id == service_id)).all()
        out["decommissioning"] = [snapshot(d) for d in sorted(decisions, key=lambda d: (d.created_at, d.id))]

    out["outcome_links"] = [(d["outcome_id"], d["contribution"]) for d in out["outcomes"]]
    out["group_ids"] = [d["group_id"] for d in out["groups"]]
    out["locality_ids"] = [d["area_id"] for d in out["localities"]]
    out["commissioner_shares"] = [(d["organisation_id"], d["share_pct"]) for d in out["commissioners"]]
    out["funding_sources"] = [(d["source"], d["amount"]) for d in out["funding"]]
    from cypdesk.services.service_figures import figure_warnings, unit_cost_note

    out["unit_cost_note"] = unit_cost_note(out["service"])
    out["figure_warnings"] = figure_warnings(out["service"], out["funding"], out["commissioners"])
    return out


# --- the machinery --------------------------------------------------------------------

def _service(session: Any, service_id: str) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise RecordNotFound(f"There is no service with id {service_id}.", id=service_id)
    return service


def _editable(model: type[Record]) -> list[str]:
    from cypdesk.model.fields import fields_of

    return [name for name, _meta in fields_of(model)]


def _coerce(meta: Any, value: Any) -> Any:
    from cypdesk.services.records import coerce

    return coerce(meta, value)


def _pct(value: float) -> str:
    return f"{round(value, 4):g}%"


def _form(spec: _Links, key: Any, value: Any) -> Any:
    """A link as the setter takes it (and as ``before``/``after`` hold it)."""
    return key if spec.value is None else (key, value)


def _set(ws: Workspace, service_id: str, spec: _Links, wanted: Sequence[tuple[Any, Any]],
         check: Callable[[Any, dict[Any, str]], None] | None = None) -> LinksChange:
    """Make the service's links of one kind exactly ``wanted`` (key, value) in one
    transaction: new links inserted with link ids, changed values updated, links no
    longer wanted deleted. Refuses unknown targets and a target given twice."""
    table = spec.model.__tablename__
    with ws.write() as session:
        service = _service(session, service_id)
        names: dict[Any, str] = {}
        if spec.target is not None:
            keys = list(dict.fromkeys(k for k, _v in wanted))
            found = dict(session.execute(
                select(spec.target.id, getattr(spec.target, spec.target.__title__)).where(spec.target.id.in_(keys))
            ).all()) if keys else {}
            missing = [k for k in keys if k not in found]
            if missing:
                label = spec.target.__label__
                raise ValidationError(
                    f"There is no {label} with id {missing[0]} (deleted, perhaps by a partner); "
                    f"the service's {spec.whats} were not changed.", field=spec.key, missing=missing)
            names = {k: str(v) for k, v in found.items()}
        else:
            names = {k: str(k) for k, _v in wanted}
        seen: set[Any] = set()
        for key, _value in wanted:
            if spec.norm(key) in seen:
                raise ValidationError(
                    f"{names[key]} is given twice as a {spec.what} of this service; give each once"
                    + (" with its whole share." if spec is COMMISSIONERS else "."), field=spec.key)
            seen.add(spec.norm(key))
        if check is not None:
            check(session, names)

        existing = session.scalars(select(spec.model).where(spec.model.service_id == service_id)).all()
        existing = sorted(existing, key=lambda r: (str(getattr(r, spec.key)).casefold(), r.id))
        before = [_form(spec, getattr(r, spec.key), getattr(r, spec.value) if spec.value else None) for r in existing]
        by_key: dict[Any, Record] = {}
        surplus: list[Record] = []  # the same link twice (merged from two files): keep one
        for row in existing:
            k = spec.norm(getattr(row, spec.key))
            if k in by_key:
                surplus.append(row)
            else:
                by_key[k] = row
        taken_ids = {r.id for r in existing}
        change = LinksChange(spec.op, "services", service.id, service.display_title(), table, before=before,
                             after=[_form(spec, k, v) for k, v in wanted])
        for key, value in wanted:
            row = by_key.pop(spec.norm(key), None)
            if row is None:
                lid = link_id(table, service_id, str(key))
                if lid in taken_ids or session.get(spec.model, lid) is not None:
                    lid = new_id()
                owner = key if spec.owner_is_key else service.owner_org_id
                row = spec.model(id=lid, service_id=service_id, owner_org_id=owner, **{spec.key: key})
                if spec.value:
                    setattr(row, spec.value, value)
                session.add(row)
                change.added.append(lid)
                continue
            edited = False
            if getattr(row, spec.key) != key:  # free text differing only in case or spacing
                setattr(row, spec.key, key)
                edited = True
            if spec.value and getattr(row, spec.value) != value:
                setattr(row, spec.value, value)
                edited = True
            if edited:
                change.updated.append(row.id)
        for row in [*by_key.values(), *surplus]:
            session.delete(row)
            change.removed.append(row.id)
    return change


__all__ = [
    "LinksChange", "SETTERS", "duplicate_service", "redo", "save_contract", "save_decommissioning", "service_detail",
    "set_commissioners", "set_funding", "set_groups", "set_localities", "set_outcomes", "undo",
]
