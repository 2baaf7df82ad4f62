"""Generic record operations every tab and the command line share: create, update,
delete and restore a record of any kind, with each value checked against its field's
declaration (required, choices, limits) and text converted the UK way. Each returns
a :class:`Change` that names what changed and holds what undo needs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.model import Record, kind_of
from cypdesk.model.base import new_id
from cypdesk.model.fields import FieldMeta, fields_of
from cypdesk.model.system import History
from cypdesk.services.workspace import Workspace


@dataclass
class Change:
    op: str  # "create", "update", "delete"
    kind: str
    id: str
    title: str
    before: dict[str, Any] = dc_field(default_factory=dict)  # fields' old values (update) or the whole record (delete)
    after: dict[str, Any] = dc_field(default_factory=dict)
    dependents: list[tuple[str, dict[str, Any]]] = dc_field(default_factory=list)  # rows deleted with it
    cleared: list[tuple[str, str, str, Any]] = dc_field(default_factory=list)  # (table, id, field, old value)
    warnings: list[str] = dc_field(default_factory=list)  # saved, but worth a look (a period not yet ended)

    @property
    def fields(self) -> list[str]:
        return sorted(set(self.before) | set(self.after)) if self.op == "update" else []


@dataclass(frozen=True)
class FieldProblem:
    field: str
    label: str
    message: str


def editable_fields(model: type[Record]) -> dict[str, FieldMeta]:
    return dict(fields_of(model))


def coerce(meta: FieldMeta, value: Any, *, field_name: str = "") -> Any:
    """A value for a field from what a person typed or a file held. Raises ValueError
    with a plain message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = meta.kind
    if meta.choices is not None:
        if value in meta.choices:
            return value
        found = meta.choices.lookup(str(value))
        if found is None:
            allowed = ", ".join(label for _, label in meta.choices.items)
            raise ValueError(f"{value!r} is not one of: {allowed}")
        return found
    if kind in ("text", "long_text", "identifier", "email", "reference", "stamp"):
        text = str(value).replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
        text = text.strip() if kind != "long_text" else text
        if kind == "identifier" and isinstance(value, float) and value.is_integer():
            raise ValueError("identifiers must be given as text, so leading zeros are kept")
        if kind == "email" and text and "@" not in text:
            raise ValueError(f"{text!r} is not an email address")
        return text
    if kind == "bool":
        if isinstance(value, bool):
            return value
        from cypdesk.common.formats import parse_bool

        return parse_bool(str(value))
    if kind == "money":
        if isinstance(value, (int, float)):
            return float(value)
        from cypdesk.common.formats import parse_money

        return float(parse_money(str(value)))
    if kind in ("number", "percent"):
        if isinstance(value, (int, float)):
            return float(value)
        from cypdesk.io.cellvalues import parse_number  # one reading of numbers, imports and forms alike

        try:
            return float(parse_number(str(value)))
        except ValueError as exc:
            if ":" in str(exc):  # a reason beyond "not a number" (commas that do not group thousands)
                raise
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "integer" or kind == "quarter":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if kind == "quarter" and text.upper().startswith("Q"):
            text = text[1:]
        from cypdesk.io.cellvalues import parse_number

        try:
            number = parse_number(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
        if number != number.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    if kind == "financial_year":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        from cypdesk.common.periods import parse_financial_year

        return parse_financial_year(str(value))
    if kind == "period":
        from cypdesk.common.periods import Period, parse_period

        if isinstance(value, Period):
            return value.key()
        text = str(value).strip()
        try:
            return Period.from_key(text).key()
        except ValueError:
            return parse_period(text).key()
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        from cypdesk.common.formats import parse_date_uk

        return parse_date_uk(str(value))
    if kind == "datetime":
        if isinstance(value, datetime):
            return value
        return datetime.fromisoformat(str(value))
    return value


ALLOWED_CONTROLS = frozenset("\t\n")


# Unicode's control characters (category Cc: U+0000-001F and U+007F-009F) but tab and new line
_CONTROLS = re.compile("[" + "".join(
    re.escape(chr(c)) for c in (*range(0x20), *range(0x7F, 0xA0))
    if chr(c) not in ALLOWED_CONTROLS and unicodedata.category(chr(c)) == "Cc") + "]")


def _control_character(text: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first control character other than a tab or
    a new line, or None (one search in C: an import checks every cell)."""
    m = _CONTROLS.search(text)
    return (m.start() + 1, m.group()) if m else None


def check_value(meta: FieldMeta, value: Any) -> str | None:
    """The problem with an already-converted value, or None: required, the declared
    length of text, control characters (only tabs and new lines are text), and the
    declared minimum and maximum of numbers. Every way in (the window, the command line,
    imports) comes through here."""
    if value is None:
        return f"{meta.label} is required" if meta.required else None
    if isinstance(value, str):
        if meta.max_length is not None and len(value) > meta.max_length:
            return (f"{meta.label} is {len(value):,} characters long; "
                    f"the most it can hold is {meta.max_length:,}")
        found = _control_character(value)
        if found is not None:
            position, char = found
            return (f"{meta.label} holds a control character (U+{ord(char):04X}) at character {position:,}; "
                    "text may hold tabs and new lines but no other control characters")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if meta.minimum is not None and value < meta.minimum:
            return f"{meta.label} must be at least {meta.minimum:g}"
        if meta.maximum is not None and value > meta.maximum:
            return f"{meta.label} must be at most {meta.maximum:g}"
    return None


def prepare(model: type[Record], values: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Convert and check values for ``model``; ``partial`` is an update of some fields."""
    fields = editable_fields(model)
    out: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, raw in values.items():
        meta = fields.get(name)
        if meta is None:
            problems.append(FieldProblem(name, name, f"{model.__label__ or model.__tablename__} has no field {name!r}"))
            continue
        try:
            value = coerce(meta, raw, field_name=name)
        except ValueError as exc:
            problems.append(FieldProblem(name, meta.label, f"{meta.label}: {exc}"))
            continue
        problem = check_value(meta, value)
        if problem:
            problems.append(FieldProblem(name, meta.label, problem))
            continue
        out[name] = value
    if not partial:
        refused = {p.field for p in problems}  # one message a field: "abc" is not "required"
        for name, meta in fields.items():
            column = model.__table__.columns[name]
            if meta.required and name not in out and name not in refused and column.default is None:
                problems.append(FieldProblem(name, meta.label, f"{meta.label} is required"))
    return out, problems


def order_problems(model: type[Record], values: dict[str, Any]) -> list[FieldProblem]:
    """Dates out of order in a record's whole values: an end (a field declared
    ``not_before`` another) before its start. Each message names both dates."""
    from cypdesk.common.formats import date_uk

    fields = dict(fields_of(model, include_system=True))
    problems = []
    for name, meta in fields.items():
        other = fields.get(meta.not_before or "")
        if other is None:
            continue
        end, start = values.get(name), values.get(meta.not_before)
        if isinstance(end, date) and isinstance(start, date) and end < start:
            problems.append(FieldProblem(name, meta.label, f"{meta.label} ({date_uk(end)}) is before "
                                                           f"{other.label.lower()} ({date_uk(start)})"))
    return problems


def period_warning(model: type[Record], values: dict[str, Any], today: date | None = None) -> str | None:
    """A warning, not a refusal, for figures of a period that has not ended yet (an
    actual, a budget return): it is usually a forecast typed in the wrong place. The
    window asks the officer to confirm; the command line saves and prints it. ``values``
    are already converted (a period's key; a financial year and quarter)."""
    from cypdesk.common.formats import date_uk
    from cypdesk.common.periods import Period

    today = today or date.today()
    fields = dict(fields_of(model))
    period: Period | None = None
    for name, meta in fields.items():
        if meta.kind == "period" and values.get(name):
            try:
                period = Period.from_key(str(values[name]))
            except ValueError:
                return None
        elif meta.kind == "quarter" and values.get(name):
            year = next((values.get(n) for n, m in fields.items() if m.kind == "financial_year"), None)
            if isinstance(year, int) and 1 <= int(values[name]) <= 4:
                period = Period.financial_quarter(year, int(values[name]))
    if period is None or period.end_date() < today:
        return None
    return (f"{period.label()} has not ended yet (it ends on {date_uk(period.end_date())}): "
            "figures for it are usually a forecast")


def typed_period_warning(kind: str, values: dict[str, Any], today: date | None = None) -> str | None:
    """:func:`period_warning` for values as typed (the window asks before saving);
    None when they do not convert (saving will say why)."""
    model = kind_of(kind)
    fields = editable_fields(model)
    clean: dict[str, Any] = {}
    for name, raw in values.items():
        if name in fields:
            try:
                clean[name] = coerce(fields[name], raw, field_name=name)
            except ValueError:
                return None
    return period_warning(model, clean, today)


def _raise_problems(model: type[Record], problems: list[FieldProblem]) -> None:
    if problems:
        what = model.__label__ or model.__tablename__
        raise ValidationError(f"The {what} was not saved: " + "; ".join(p.message for p in problems) + ".",
                              problems=[p.__dict__ for p in problems])


def snapshot(record: Record) -> dict[str, Any]:
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}


def shared_id(ws: Workspace, kind: str, *parts: str) -> str:
    """The id two partners would both give a record made of the same parts (an
    agreement's return for a quarter, a partner's contribution for a year), so their
    files merge into one record; a fresh id if a record here already holds it."""
    from cypdesk.model.base import link_id

    rid = link_id(kind, *parts)
    with ws.read() as session:
        return new_id() if session.get(kind_of(kind), rid) is not None else rid


def create(ws: Workspace, kind: str, values: dict[str, Any], *, id: str | None = None) -> Change:
    model = kind_of(kind)
    clean, problems = prepare(model, values, partial=False)
    _raise_problems(model, problems)
    clean = _derived(model, {}, clean)
    _raise_problems(model, order_problems(model, clean))
    with ws.write() as session:
        record = model(**clean)
        if id is not None:
            record.id = id
        session.add(record)
        session.flush()
        change = Change("create", model.__tablename__, record.id, record.display_title(), after=clean)
    change.warnings = [w for w in [period_warning(model, clean)] if w]
    return change


def update(ws: Workspace, kind: str, record_id: str, values: dict[str, Any]) -> Change:
    model = kind_of(kind)
    clean, problems = prepare(model, values, partial=True)
    _raise_problems(model, problems)
    with ws.write() as session:
        record = session.get(model, record_id)
        if record is None:
            raise RecordNotFound(f"There is no {model.__label__ or kind} with id {record_id}.", id=record_id)
        current = snapshot(record)
        clean = _derived(model, current, clean)
        _raise_problems(model, order_problems(model, {**current, **clean}))
        before = {name: getattr(record, name) for name in clean}
        for name, value in clean.items():
            setattr(record, name, value)
        changed = {k: v for k, v in clean.items() if before[k] != v}
        for name in list(changed):  # a figure and what says where it came from undo together
            partner = KEPT_TOGETHER.get(model.__tablename__, {}).get(name)
            if partner is not None and partner not in changed:
                changed[partner] = before.get(partner, current.get(partner))
                before.setdefault(partner, changed[partner])
        change = Change("update", model.__tablename__, record.id, record.display_title(),
                        before={k: before[k] for k in changed}, after=changed)
        if changed:
            change.warnings = [w for w in [period_warning(model, {**current, **clean})] if w]
    return change


# Fields worked out from others, by kind: the rule that keeps them in step.
KEPT_TOGETHER = {"services": {"unit_cost": "unit_cost_by_hand"}}


def _derived(model: type[Record], current: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any]:
    """``clean`` with what follows from it worked out (a service's unit cost)."""
    if model.__tablename__ == "services":
        from cypdesk.services.service_figures import derive

        return derive(current, clean)
    return clean


def _dependents(model: type[Record]) -> list[tuple[type[Record], str, str | None]]:
    """(child class, its column, ON DELETE rule) for every foreign key pointing at ``model``."""
    from cypdesk.model import RECORD_CLASSES

    out = []
    for child in RECORD_CLASSES:
        for column in child.__table__.columns:
            for fk in column.foreign_keys:
                if fk.column.table is model.__table__:
                    out.append((child, column.key, (fk.ondelete or "").upper() or None))
    return out


def _delete_tree(session: Any, record: Record, removed: list[tuple[str, dict[str, Any]]],
                 cleared: list[tuple[str, str, str, Any]], seen: set[tuple[str, str]]) -> None:
    """Delete ``record`` and what depends on it through the ORM, so that every row the
    database would have removed or blanked by itself is recorded in history, leaves a
    tombstone and can be brought back by undo."""
    key = (record.__tablename__, record.id)
    if key in seen:
        return
    seen.add(key)
    for child, column, rule in _dependents(type(record)):
        rows = session.scalars(select(child).where(getattr(child, column) == record.id)).all()
        for row in rows:
            if rule == "CASCADE" or not child.__table__.columns[column].nullable:
                _delete_tree(session, row, removed, cleared, seen)
            elif (row.__tablename__, row.id) not in seen:
                cleared.append((row.__tablename__, row.id, column, getattr(row, column)))
                setattr(row, column, None)
    removed.append((record.__tablename__, snapshot(record)))
    session.flush()  # dependents go first: the parent's own ON DELETE must find nothing left to do
    session.delete(record)


def delete(ws: Workspace, kind: str, record_id: str) -> Change:
    """Delete a record with everything that depends on it. ``before`` holds the record;
    ``dependents`` the rows removed with it (children first) and ``cleared`` the
    references set to blank, so :func:`restore` can undo it exactly."""
    model = kind_of(kind)
    removed: list[tuple[str, dict[str, Any]]] = []
    cleared: list[tuple[str, str, str, Any]] = []
    with ws.write() as session:
        record = session.get(model, record_id)
        if record is None:
            raise RecordNotFound(f"There is no {model.__label__ or kind} with id {record_id}.", id=record_id)
        title = record.display_title()
        _delete_tree(session, record, removed, cleared, set())
        session.flush()
    before = removed[-1][1]
    change = Change("delete", model.__tablename__, record_id, title, before=before)
    change.dependents = removed[:-1]
    change.cleared = cleared
    return change


def restore(ws: Workspace, change: Change) -> Change:
    """Undo a :func:`delete`: the record and its dependents come back with their ids and
    values, and blanked references are filled in again. Each comes back as a restore
    (model/tracking's restore rule): stamped later than its tombstone, the tombstone
    removed, history op "restore", so a partner's stale copy of the deletion loses."""
    rows = [(change.kind, change.before), *reversed(change.dependents)]  # parents before children
    with ws.write() as session:
        for table, values in rows:
            model = kind_of(table)
            record = model(**{k: v for k, v in values.items() if k not in ("hlc", "updated_at", "updated_by")})
            session.add(record)
            session.flush()
        for table, record_id, column, value in change.cleared:
            row = session.get(kind_of(table), record_id)
            if row is not None and getattr(row, column) is None:
                setattr(row, column, value)
    return Change("create", change.kind, change.id, change.title, after=change.before)


def hand_over(ws: Workspace, kind: str, record_id: str, owner_org_id: str | None) -> Change:
    """Hand a record to another partner (its ``owner_org_id``; None: no one): an edit
    like any other, versioned and in history, so it merges (DESIGN.md s5). The
    organisation must exist (RecordNotFound otherwise). ``before``/``after`` hold the
    owner, so handing it back undoes it."""
    from cypdesk.model import Organisation

    model = kind_of(kind)
    with ws.write() as session:
        record = session.get(model, record_id)
        if record is None:
            raise RecordNotFound(f"There is no {model.__label__ or kind} with id {record_id}.", id=record_id)
        if owner_org_id is not None and session.get(Organisation, owner_org_id) is None:
            raise RecordNotFound(f"There is no organisation with id {owner_org_id} to hand "
                                 f"{record.display_title()} to; nothing was changed.", id=owner_org_id)
        before = record.owner_org_id
        record.owner_org_id = owner_org_id
        change = Change("update", model.__tablename__, record.id, record.display_title())
        if before != owner_org_id:
            change.before, change.after = {"owner_org_id": before}, {"owner_org_id": owner_org_id}
    return change


def get(ws: Workspace, kind: str, record_id: str) -> dict[str, Any]:
    model = kind_of(kind)
    with ws.read() as session:
        record = session.get(model, record_id)
        if record is None:
            raise RecordNotFound(f"There is no {model.__label__ or kind} with id {record_id}.", id=record_id)
        return snapshot(record)


def history(ws: Workspace, kind: str, record_id: str) -> list[dict[str, Any]]:
    """Who changed what in one record, oldest first."""
    model = kind_of(kind)
    with ws.read() as session:
        rows = session.scalars(
            select(History).where(History.table_name == model.__tablename__, History.record_id == record_id)
            .order_by(History.hlc)
        ).all()
        return [
            {"hlc": h.hlc, "at": h.at, "author_id": h.author_id, "author": h.author_name, "op": h.op,
             "field": h.field, "old": h.old_value, "new": h.new_value}
            for h in rows
        ]
