"""Editing pooled, aligned and joint budgets: quarterly returns, contributions,
partners and their agreed shares, the services in scope, and copying an agreement.
Each goes through :mod:`cypdesk.services.records`, so every value is checked against
its field and every edit can be undone; the rules the figures follow are in
:mod:`cypdesk.services.budgets`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.common.periods import format_financial_year
from cypdesk.model.catalog import CATALOG
from cypdesk.services.budgets import quarter_label
from cypdesk.services.service_map import query_rows

def _agreement_exists(ws: Any, agreement_id: str) -> None:
    with query_rows(ws) as run:
        if not run("SELECT 1 FROM agreements WHERE id = ?", (agreement_id,)):
            raise RecordNotFound(f"There is no budget agreement with id {agreement_id}.", id=agreement_id)


def _coerce(kind: str, name: str, value: Any) -> Any:
    from cypdesk.model import kind_of
    from cypdesk.model.fields import fields_of
    from cypdesk.services.records import check_value, coerce

    meta = dict(fields_of(kind_of(kind)))[name]
    try:
        out = coerce(meta, value, field_name=name)
    except ValueError as exc:
        raise ValidationError(f"The {CATALOG[kind]['label']} was not saved: {meta.label}: {exc}.", field=name,
                              problems=[{"field": name, "label": meta.label, "message": f"{meta.label}: {exc}"}]) from None
    problem = check_value(meta, out)
    if problem:
        raise ValidationError(f"The {CATALOG[kind]['label']} was not saved: {problem}.", field=name,
                              problems=[{"field": name, "label": meta.label, "message": problem}])
    return out


def _retitle(change: Any, title: str) -> Any:
    change.title = title
    return change


def save_return(ws: Any, agreement_id: str, financial_year: Any, quarter: Any, values: dict[str, Any],
                return_id: str | None = None) -> Any:
    """Add (no ``return_id``) or edit a quarterly monitoring return through
    :mod:`records` (each value checked). ``values`` may hold the return's fields
    (``budget``, ``spend_to_date``, ``forecast_outturn``, ``commentary``,
    ``submitted_on``; ``financial_year`` and ``quarter`` there win over the arguments).
    Refuses a second return for the same quarter. A new return's id comes from the
    agreement and quarter, so two partners keying the same return make one record.
    Returns the :class:`~cypdesk.services.records.Change` (undo as any record's)."""
    from cypdesk.services import records

    values = dict(values)
    given = values.pop("agreement_id", agreement_id)
    if given not in (None, agreement_id):
        raise ValidationError("The monitoring return belongs to another agreement; it was not saved.",
                              field="agreement_id")
    _agreement_exists(ws, agreement_id)
    current: dict[str, Any] = {}
    if return_id is not None:
        current = records.get(ws, "returns", return_id)
        if current["agreement_id"] != agreement_id:
            raise ValidationError("That monitoring return belongs to another agreement; it was not saved.",
                                  field="agreement_id")
    fy_raw = values.pop("financial_year", financial_year if return_id is None else current["financial_year"])
    q_raw = values.pop("quarter", quarter if return_id is None else current["quarter"])
    if fy_raw in (None, ""):
        fy_raw = financial_year if financial_year is not None else current.get("financial_year")
    if q_raw in (None, ""):
        q_raw = quarter if quarter is not None else current.get("quarter")
    fy = _coerce("returns", "financial_year", fy_raw)
    q = _coerce("returns", "quarter", q_raw)
    if fy is None or q is None:
        missing = "financial_year" if fy is None else "quarter"
        label = "Financial year" if fy is None else "Quarter"
        raise ValidationError(f"The monitoring return was not saved: {label} is required.", field=missing,
                              problems=[{"field": missing, "label": label, "message": f"{label} is required"}])
    with query_rows(ws) as run:
        clash = run("SELECT id FROM returns WHERE agreement_id = ? AND financial_year = ? AND quarter = ? AND id != ?",
                    (agreement_id, fy, q, return_id or ""))
    label = quarter_label(fy, q)
    if clash:
        raise ValidationError(f"There is already a return for {label}: edit that one instead.", field="quarter",
                              problems=[{"field": "quarter", "label": "Quarter",
                                         "message": f"There is already a return for {label}: edit that one instead"}])
    title = f"monitoring return {label}"
    if return_id is None:
        rid = records.shared_id(ws, "returns", agreement_id, str(fy), str(q))
        change = records.create(ws, "returns", {**values, "agreement_id": agreement_id, "financial_year": fy,
                                                "quarter": q}, id=rid)
        return _retitle(change, title)
    update = dict(values)
    if fy != current["financial_year"]:
        update["financial_year"] = fy
    if q != current["quarter"]:
        update["quarter"] = q
    return _retitle(records.update(ws, "returns", return_id, update), title)


def save_contribution(ws: Any, agreement_id: str, values: dict[str, Any], contribution_id: str | None = None) -> Any:
    """Add (no ``contribution_id``) or edit a partner's contribution for a financial
    year through :mod:`records`. Refuses a second contribution of the same partner in
    the same year. A new one's id comes from the agreement, partner and year."""
    from cypdesk.model.base import new_id
    from cypdesk.services import records

    values = dict(values)
    given = values.pop("agreement_id", agreement_id)
    if given not in (None, agreement_id):
        raise ValidationError("The contribution belongs to another agreement; it was not saved.", field="agreement_id")
    _agreement_exists(ws, agreement_id)
    current: dict[str, Any] = {}
    if contribution_id is not None:
        current = records.get(ws, "contributions", contribution_id)
        if current["agreement_id"] != agreement_id:
            raise ValidationError("That contribution belongs to another agreement; it was not saved.",
                                  field="agreement_id")
    org = values.get("organisation_id", current.get("organisation_id"))
    fy_raw = values.get("financial_year", current.get("financial_year"))
    fy = _coerce("contributions", "financial_year", fy_raw) if fy_raw not in (None, "") else None
    if fy is not None and "financial_year" in values:
        values["financial_year"] = fy
    if org and fy is not None:
        with query_rows(ws) as run:
            clash = run("SELECT c.id, o.name FROM contributions c LEFT JOIN organisations o ON o.id = c.organisation_id "
                        "WHERE c.agreement_id = ? AND c.organisation_id = ? AND c.financial_year = ? AND c.id != ?",
                        (agreement_id, org, fy, contribution_id or ""))
        if clash:
            who = clash[0][1] or "This partner"
            raise ValidationError(f"{who} already has a contribution for {format_financial_year(fy)}: edit that one "
                                  "instead.", field="organisation_id",
                                  problems=[{"field": "organisation_id", "label": "Partner",
                                             "message": f"Already has a contribution for {format_financial_year(fy)}: edit that one instead"}])
    if contribution_id is None:
        rid = records.shared_id(ws, "contributions", agreement_id, str(org), str(fy)) if org and fy is not None \
            else new_id()
        change = records.create(ws, "contributions", {**values, "agreement_id": agreement_id}, id=rid)
    else:
        change = records.update(ws, "contributions", contribution_id, values)
    with query_rows(ws) as run:
        row = run("SELECT o.name, c.financial_year FROM contributions c LEFT JOIN organisations o "
                  "ON o.id = c.organisation_id WHERE c.id = ?", (change.id,))
    if row:
        _retitle(change, f"contribution of {row[0][0] or 'a partner'} for {format_financial_year(int(row[0][1]))}")
    return change


def save_partner(ws: Any, agreement_id: str, values: dict[str, Any], partner_id: str | None = None) -> Any:
    """Add (no ``partner_id``) or edit a partner of an agreement with its agreed shares of
    overspends and underspends. Refuses the same organisation twice. A new partner's id
    comes from the agreement and the organisation."""
    from cypdesk.model.base import new_id
    from cypdesk.services import records

    values = dict(values)
    given = values.pop("agreement_id", agreement_id)
    if given not in (None, agreement_id):
        raise ValidationError("The partner belongs to another agreement; it was not saved.", field="agreement_id")
    _agreement_exists(ws, agreement_id)
    current: dict[str, Any] = {}
    if partner_id is not None:
        current = records.get(ws, "agreement_partners", partner_id)
    org = values.get("organisation_id", current.get("organisation_id"))
    if org:
        with query_rows(ws) as run:
            clash = run("SELECT ap.id, o.name FROM agreement_partners ap LEFT JOIN organisations o "
                        "ON o.id = ap.organisation_id WHERE ap.agreement_id = ? AND ap.organisation_id = ? "
                        "AND ap.id != ?", (agreement_id, org, partner_id or ""))
        if clash:
            raise ValidationError(f"{clash[0][1] or 'That organisation'} is already a partner to this agreement.",
                                  field="organisation_id",
                                  problems=[{"field": "organisation_id", "label": "Partner",
                                             "message": "Already a partner to this agreement"}])
    if partner_id is None:
        rid = records.shared_id(ws, "agreement_partners", agreement_id, str(org)) if org else new_id()
        change = records.create(ws, "agreement_partners", {**values, "agreement_id": agreement_id}, id=rid)
    else:
        change = records.update(ws, "agreement_partners", partner_id, values)
    with query_rows(ws) as run:
        row = run("SELECT o.name FROM agreement_partners ap LEFT JOIN organisations o ON o.id = ap.organisation_id "
                  "WHERE ap.id = ?", (change.id,))
    if row:
        _retitle(change, f"partner {row[0][0] or ''}".strip())
    return change


@dataclass
class ScopeChange:
    """What :func:`set_services` changed; ``set_services(ws, id, change.before)`` undoes it."""

    op: str
    kind: str
    id: str
    title: str
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def set_services(ws: Any, agreement_id: str, service_ids: Iterable[str]) -> ScopeChange:
    """Make the agreement's services in scope exactly ``service_ids``, in one
    transaction: link rows take ids from the agreement and service (so two partners
    adding the same service make one row); a service taken out is deleted (leaving a
    tombstone for merges)."""
    from sqlalchemy import select

    from cypdesk.model import Agreement, AgreementService, Service, link_id

    wanted = list(dict.fromkeys(service_ids))
    with ws.write() as session:
        agreement = session.get(Agreement, agreement_id)
        if agreement is None:
            raise RecordNotFound(f"There is no budget agreement with id {agreement_id}.", id=agreement_id)
        unknown = [sid for sid in wanted if session.get(Service, sid) is None]
        if unknown:
            raise ValidationError("Some of the services chosen are not in the register; nothing was changed.",
                                  field="service_id")
        rows = session.scalars(select(AgreementService).where(AgreementService.agreement_id == agreement_id)).all()
        before = list(dict.fromkeys(r.service_id for r in rows))
        added, removed = [], []
        keep = set(wanted)
        seen: set[str] = set()
        for row in rows:
            if row.service_id not in keep or row.service_id in seen:
                removed.append(row.id)
                session.delete(row)
            seen.add(row.service_id)
        for sid in wanted:
            if sid not in before:
                link = AgreementService(id=link_id("agreement_services", agreement_id, sid), agreement_id=agreement_id,
                                        service_id=sid, owner_org_id=agreement.owner_org_id)
                session.add(link)
                added.append(link.id)
        session.flush()
        return ScopeChange("set_services", "agreements", agreement_id, agreement.title, before, wanted, added, removed)


# --- the agreement itself ------------------------------------------------------------------------

def duplicate_agreement(ws: Any, agreement_id: str) -> Any:
    """A copy of an agreement named "<title> (copy)", status Draft, with its partners
    (and their agreed shares) and services in scope; not its contributions or returns,
    which belong to the agreement that exists. Undo: ``records.delete``."""
    from sqlalchemy import select

    from cypdesk.model import Agreement, AgreementPartner, AgreementService, link_id, new_id
    from cypdesk.model.fields import fields_of
    from cypdesk.services.records import Change

    with ws.write() as session:
        original = session.get(Agreement, agreement_id)
        if original is None:
            raise RecordNotFound(f"There is no budget agreement with id {agreement_id}.", id=agreement_id)
        values = {name: getattr(original, name) for name, _meta in fields_of(Agreement)}
        limit = Agreement.__table__.c.title.type.length or 300
        values["title"] = original.display_title()[: limit - 7] + " (copy)"
        values["status"] = "draft"
        copy = Agreement(id=new_id(), owner_org_id=original.owner_org_id, **values)
        session.add(copy)
        session.flush()
        for p in session.scalars(select(AgreementPartner).where(AgreementPartner.agreement_id == agreement_id)).all():
            session.add(AgreementPartner(id=link_id("agreement_partners", copy.id, p.organisation_id),
                                         agreement_id=copy.id, organisation_id=p.organisation_id,
                                         overspend_pct=p.overspend_pct, underspend_pct=p.underspend_pct,
                                         owner_org_id=p.owner_org_id))
        seen: set[str] = set()
        for s in session.scalars(select(AgreementService).where(AgreementService.agreement_id == agreement_id)).all():
            if s.service_id in seen:
                continue
            seen.add(s.service_id)
            session.add(AgreementService(id=link_id("agreement_services", copy.id, s.service_id), agreement_id=copy.id,
                                         service_id=s.service_id, owner_org_id=s.owner_org_id))
        session.flush()
        return Change("create", "agreements", copy.id, values["title"], after=values)
