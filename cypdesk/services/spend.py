"""Spend against contracts: payments from a council's spend-over-£500 file matched to
the organisations they were paid to and to the contracts they pay for; spend to date
against a contract's (or a service's) value; and the contracts whose spend runs ahead
of their value.

**Matching** (:func:`match_payments`). A payment's supplier name is matched to an
organisation by the one name normaliser (:func:`cypdesk.common.names.normalise_name`);
two organisations with the same normalised name are a duplicate to merge, never a
guess. A payment is matched to a contract:

1. by a contract's reference written in the payment's description or transaction
   reference ("reference RCC-CYP-2024-003 in the description"), whole (NCC12 is not
   found in NCC123), references shorter than :data:`REFERENCE_MIN` characters not
   searched for; a reference of a contract with another supplier is not taken;
2. else by its supplier: the supplier's contracts (a contract's supplier, else its
   service's provider), narrowed to those held by the partner that paid, in force on
   the payment's date or ended less than :data:`GRACE_DAYS` before it (invoices are
   paid in arrears: an old contract's last invoice and its successor's first are
   both possible then), and, when several are left, to the one whose service or title is
   the payment's cost centre ("only contract with Barnardo's for Short breaks").

One candidate only: where two remain the payment is left unmatched with the reason,
for the officer to choose (:func:`set_payment_contract`). A match someone set or
cleared by hand is kept: matching only fills blanks, and skips a payment whose
contract was cleared by hand. Each match is written with its reason in the history
note of the change, and :func:`match_reason` says, for any matched payment, why it
holds.

**Spend to date** (:func:`spend_to_date`) and **running ahead** of value
(:func:`contracts_overspent`) are in :mod:`cypdesk.services.spend_figures`, and given
here too: this module is the one the window, the command line and the import call.

Reading functions take a Workspace, a SQLAlchemy session or the window's sqlite3
connection; nothing here imports Qt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field as dc_field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from cypdesk.common.errors import RecordNotFound
from cypdesk.common.formats import date_uk, money
from cypdesk.common.names import normalise_name
from cypdesk.services.spend_figures import (  # noqa: F401  (given here: the contract's names)
    Overspent, SpendFigures, _day, _rows, _scope, contract_value, contracts_overspent, spend_to_date,
)

REFERENCE_MIN = 4  # shorter references ("12", "A1") turn up in descriptions by chance
GRACE_DAYS = 92  # a payment up to three months after a contract ended is its last invoice
CLEARED_NOTE = "Cleared by hand"
CHOSEN_NOTE = "Chosen by hand"
CHUNK = 500  # ids per IN (...) list


@lru_cache(maxsize=8192)
def _words(text: Any) -> str:
    """Text compared without case, apostrophes or punctuation: "Children's Services"
    is "childrens services"."""
    text = re.sub(r"['\u2018\u2019`]", "", str(text or "").casefold())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


# --- what matching knows -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Contract:
    id: str
    reference: str | None
    title: str | None
    service_id: str
    service_name: str
    supplier_id: str | None  # the contract's supplier, else its service's provider
    holder_id: str | None
    start: date | None
    end: date | None

    @property
    def label(self) -> str:
        return self.reference or self.title or self.service_name

    def in_force(self, day: date, grace: int = 0) -> bool:
        return (self.start is None or self.start <= day) and (
            self.end is None or day <= self.end + timedelta(days=grace))

    def term(self) -> str:
        if self.start and self.end:
            return f"{date_uk(self.start)} to {date_uk(self.end)}"
        if self.start:
            return f"from {date_uk(self.start)}"
        return f"to {date_uk(self.end)}" if self.end else "with no dates"


class Matcher:
    """The organisations and contracts of a document, indexed to match payments; built
    once per matching run (or per view) from a few plain queries."""

    CONTRACT_SQL = ("SELECT c.id, c.reference, c.title, c.service_id, s.name, coalesce(c.supplier_id, s.provider_id), "
                    "c.contracting_org_id, c.start_date, c.end_date FROM contracts c JOIN services s ON s.id = c.service_id")

    def __init__(self, source: Any, *, names: dict[str, str] | None = None, contracts: list[tuple] | None = None) -> None:
        """Every organisation and contract of ``source``; or, for explaining a few
        payments (:meth:`for_payments`), the ``names`` and ``contracts`` rows given."""
        if names is None:
            names = dict(_rows(source, "SELECT id, name FROM organisations"))
        if contracts is None:
            contracts = _rows(source, self.CONTRACT_SQL)
        self.names: dict[str, str] = names
        self._by_name: dict[str, list[str]] | None = None  # made on first use: explaining needs none
        self.contracts: dict[str, _Contract] = {}
        self.by_supplier: dict[str, list[_Contract]] = {}
        self.by_reference: dict[str, list[_Contract]] = {}
        order = sorted(contracts, key=lambda r: (str(r[7] or ""), r[1] or "", r[0]))  # by start, then reference
        for row in order:
            contract = _Contract(row[0], (row[1] or "").strip() or None, row[2], row[3], row[4], row[5], row[6],
                                 _day(row[7]), _day(row[8]))
            self.contracts[contract.id] = contract
            if contract.supplier_id:
                self.by_supplier.setdefault(contract.supplier_id, []).append(contract)
            if contract.reference and len(contract.reference) >= REFERENCE_MIN:
                self.by_reference.setdefault(contract.reference.casefold(), []).append(contract)
        self._compiled: re.Pattern[str] | None | bool = False  # not yet compiled

    @classmethod
    def for_payments(cls, source: Any, payments: list[dict[str, Any]]) -> Matcher:
        """Only what explaining these payments needs: their contracts, their suppliers'
        contracts and the names of their suppliers and payers (indexed look-ups, not a
        read of every contract: the window's view stays quick)."""
        orgs = sorted({p[k] for p in payments for k in ("supplier_id", "payer_id") if p.get(k)})
        matched = sorted({p["contract_id"] for p in payments if p.get("contract_id")})
        contracts: dict[str, tuple] = {}
        for ids, where in ((matched, "c.id IN ({})"), (orgs, "c.supplier_id IN ({})"),
                           (orgs, "c.supplier_id IS NULL AND s.provider_id IN ({})")):
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                marks = ", ".join(f":p{i}" for i in range(len(chunk)))
                for row in _rows(source, f"{cls.CONTRACT_SQL} WHERE {where.format(marks)}",
                                 {f"p{i}": v for i, v in enumerate(chunk)}):
                    contracts[row[0]] = row
        names: dict[str, str] = {}
        for start in range(0, len(orgs), CHUNK):
            chunk = orgs[start:start + CHUNK]
            marks = ", ".join(f":p{i}" for i in range(len(chunk)))
            names.update(_rows(source, f"SELECT id, name FROM organisations WHERE id IN ({marks})",
                               {f"p{i}": v for i, v in enumerate(chunk)}))
        return cls(source, names=names, contracts=list(contracts.values()))

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        """Every reference at least :data:`REFERENCE_MIN` long, longest first, found whole."""
        if self._compiled is False:
            refs = sorted(self.by_reference, key=len, reverse=True)
            self._compiled = re.compile(
                r"(?<![0-9a-z])(" + "|".join(re.escape(r) for r in refs) + r")(?![0-9a-z])", re.IGNORECASE
            ) if refs else None
        return self._compiled  # type: ignore[return-value]

    def explain(self, payment: dict[str, Any]) -> str | None:
        """The rule that gives a matched payment its contract, or None when none does
        (it was chosen by hand, or came matched)."""
        contract = self.contracts.get(payment.get("contract_id") or "")
        if contract is None:
            return None
        if contract.reference and len(contract.reference) >= REFERENCE_MIN:
            whole = re.compile(r"(?<![0-9a-z])(" + re.escape(contract.reference) + r")(?![0-9a-z])", re.IGNORECASE)
            for where, text in (("the description", payment.get("description")),
                                ("the transaction reference", payment.get("transaction_ref"))):
                hit = whole.search(str(text or ""))
                if hit:
                    return f"reference {hit.group(1)} in {where}"
        found, reason = self._by_supplier(payment)
        return reason if found == contract.id else None

    # --- suppliers -------------------------------------------------------------------------
    @property
    def by_name(self) -> dict[str, list[str]]:
        """Organisation ids by normalised name."""
        if self._by_name is None:
            self._by_name = {}
            for org_id, name in self.names.items():
                key = normalise_name(name)
                if key:
                    self._by_name.setdefault(key, []).append(org_id)
        return self._by_name

    def supplier(self, name: Any) -> tuple[str | None, str]:
        """(organisation id or None, reason) for a payment's supplier name."""
        key = normalise_name(name)
        found = self.by_name.get(key, []) if key else []
        if len(found) == 1:
            return found[0], f"named “{self.names[found[0]]}”"
        if not found:
            return None, f"no organisation is named “{name}”"
        return None, (f"{len(found)} organisations are named like “{name}” (possible duplicates): "
                      "merge them, then match again")

    def org(self, org_id: str | None) -> str:
        return self.names.get(org_id or "", "its supplier")

    # --- contracts -------------------------------------------------------------------------
    def contract(self, payment: dict[str, Any]) -> tuple[str | None, str]:
        """(contract id or None, reason) for a payment with ``supplier_id`` (perhaps
        None), ``payer_id``, ``paid_on``, ``description``, ``transaction_ref`` and
        ``cost_centre``."""
        by_ref = self._by_reference(payment)
        if by_ref is not None:
            return by_ref
        return self._by_supplier(payment)

    def _by_reference(self, payment: dict[str, Any]) -> tuple[str | None, str] | None:
        if self._pattern is None:
            return None
        found: dict[str, tuple[str, str]] = {}  # reference -> (as written, where)
        for where, text in (("the description", payment.get("description")),
                            ("the transaction reference", payment.get("transaction_ref"))):
            for hit in self._pattern.finditer(str(text or "")):
                found.setdefault(hit.group(1).casefold(), (hit.group(1), where))
        if not found:
            return None
        contracts = {c.id: c for ref in found for c in self.by_reference[ref]}
        written = " and ".join(w for w, _where in found.values())
        where = found[next(iter(found))][1]
        if len(contracts) > 1:
            return None, (f"{'references' if len(found) > 1 else 'reference'} {written} in {where} "
                          f"{'name' if len(found) > 1 else 'names'} {len(contracts)} contracts: choose one")
        contract = next(iter(contracts.values()))
        supplier = payment.get("supplier_id")
        if supplier and contract.supplier_id and supplier != contract.supplier_id:
            return None, (f"reference {written} in {where} is of a contract with {self.org(contract.supplier_id)}, "
                          f"not {self.org(supplier)}: choose one")
        return contract.id, f"reference {written} in {where}"

    def _by_supplier(self, payment: dict[str, Any]) -> tuple[str | None, str]:
        supplier = payment.get("supplier_id")
        if not supplier:
            return None, "its supplier is not matched to an organisation"
        who = self.org(supplier)
        candidates = list(self.by_supplier.get(supplier, []))
        if not candidates:
            return None, f"no contract with {who} is recorded"
        said: list[str] = []
        payer = payment.get("payer_id")
        if payer:
            held = [c for c in candidates if c.holder_id in (None, payer)]
            if not held:
                return None, f"no contract with {who} is held by {self.org(payer)}"
            if len(held) < len(candidates):
                said.append(f"held by {self.org(payer)}")
            candidates = held
        day = _day(payment.get("paid_on"))
        if day is not None:
            current = [c for c in candidates if c.in_force(day, GRACE_DAYS)]
            if not current:
                terms = "; ".join(f"{c.label} {c.term()}" for c in candidates[:3])
                return None, f"no contract with {who} was in force on {date_uk(day)} ({terms})"
            if len(current) < len(candidates):
                said.append(f"in force on {date_uk(day)}")
            candidates = current
        if len(candidates) == 1:
            return candidates[0].id, " ".join([f"only contract with {who}", *said])
        centre = _words(payment.get("cost_centre"))
        if centre:
            hits = [c for c in candidates if _same_area(centre, c)]
            if len(hits) == 1:
                return hits[0].id, " ".join([f"only contract with {who}", *said,
                                             f"for {payment.get('cost_centre')}"])
        labels = ", ".join(c.label for c in candidates[:4]) + (", …" if len(candidates) > 4 else "")
        return None, (f"{who} has {len(candidates)} contracts that could be meant ({labels}) "
                      "and the cost centre does not tell them apart: choose one")


@lru_cache(maxsize=8192)
def _without_codes(words: str) -> str:
    return " ".join(w for w in words.split() if not any(ch.isdigit() for ch in w))


def _same_area(centre: str, contract: _Contract) -> bool:
    """Whether a cost centre ("CS4200 Short Breaks") names the contract's service or
    title ("Short breaks for disabled children"): one holds the other in whole words,
    the cost centre's codes (words with digits) left out."""
    centre = _without_codes(centre)
    if not centre:
        return False
    for name in (contract.service_name, contract.title):
        words = _words(name)  # cached: the same few names for every payment
        if words and (f" {words} " in f" {centre} " or f" {centre} " in f" {words} "):
            return True
    return False


# --- matching payments ---------------------------------------------------------------------------

@dataclass
class PaymentMatch:
    payment_id: str
    supplier: str  # the name as paid
    supplier_id: str | None
    supplier_reason: str
    contract_id: str | None
    contract_reason: str
    set_fields: list[str] = dc_field(default_factory=list)  # what this run filled in: "supplier_id", "contract_id"
    title: str | None = None  # the payment's description, naming it in history


@dataclass
class SpendMatchReport:
    """What :func:`match_payments` did: every payment looked at, what it filled in and
    why, and what it left unmatched and why. ``before`` holds what :func:`undo_match`
    needs (each changed payment's old values)."""

    checked: int = 0
    suppliers_matched: int = 0
    contracts_matched: int = 0
    matches: list[PaymentMatch] = dc_field(default_factory=list)  # payments this run changed
    unmatched: list[PaymentMatch] = dc_field(default_factory=list)  # still without a contract, with why
    before: dict[str, dict[str, Any]] = dc_field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.before)

    def summary(self) -> str:
        from cypdesk.common.formats import plural

        return (f"{plural(self.checked, 'payment')} checked: {self.suppliers_matched:,} matched to a supplier, "
                f"{self.contracts_matched:,} to a contract, {len(self.unmatched):,} left without a contract.")

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "suppliers_matched": self.suppliers_matched,
                "contracts_matched": self.contracts_matched,
                "matches": [asdict(m) for m in self.matches], "unmatched": [asdict(m) for m in self.unmatched]}


PAYMENT_COLUMNS = "id, supplier, supplier_id, contract_id, payer_id, paid_on, description, transaction_ref, cost_centre"
PAYMENT_KEYS = tuple(c.strip() for c in PAYMENT_COLUMNS.split(","))


def _payments(session: Any, payment_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    from sqlalchemy import text

    if payment_ids is None:
        rows = session.execute(text(f"SELECT {PAYMENT_COLUMNS} FROM payments "
                                    "WHERE contract_id IS NULL OR supplier_id IS NULL ORDER BY paid_on, id")).all()
    else:
        rows = []
        ids = list(dict.fromkeys(payment_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join(f":p{i}" for i in range(len(chunk)))
            rows += session.execute(text(f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id IN ({marks})"),
                                    {f"p{i}": v for i, v in enumerate(chunk)}).all()
    return [dict(zip(PAYMENT_KEYS, row)) for row in rows]


def _cleared_by_hand(session: Any, payment_ids: list[str]) -> set[str]:
    """Of these payments (without a contract), those whose contract an officer cleared
    by hand: the last change of the field carries the note :data:`CLEARED_NOTE`."""
    from sqlalchemy import text

    out: set[str] = set()
    for start in range(0, len(payment_ids), CHUNK):
        chunk = payment_ids[start:start + CHUNK]
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        rows = session.execute(text(
            "SELECT v.record_id FROM field_versions v JOIN history h ON h.hlc = v.hlc AND h.record_id = v.record_id "
            "AND h.table_name = v.table_name AND h.field = v.field "
            f"WHERE v.table_name = 'payments' AND v.field = 'contract_id' AND v.record_id IN ({marks}) "
            "AND h.note = :note"), {"note": CLEARED_NOTE, **{f"p{i}": v for i, v in enumerate(chunk)}}).all()
        out.update(r[0] for r in rows)
    return out


def _note(session: Any, stamped: Iterable[tuple[str, str, str, str]]) -> None:
    """Write each reason into the history line of its change: (hlc, record id, field, note)."""
    from sqlalchemy import text

    params = [{"hlc": h, "id": i, "field": f, "note": n} for h, i, f, n in stamped]
    if params:
        session.execute(text("UPDATE history SET note = :note WHERE hlc = :hlc AND table_name = 'payments' "
                             "AND record_id = :id AND field = :field"), params)


def match_payments(ws: Any, payment_ids: list[str] | None = None, *, session: Any = None,
                   progress: Any = None) -> SpendMatchReport:
    """Match payments to suppliers and contracts (see the module doc): ``payment_ids``
    (the payments an import just wrote), or every payment still without a supplier
    organisation or a contract. Only blanks are filled; one transaction. ``session``:
    the import's own open transaction to match in, a write session (``ws.write()``) or
    a Core connection (``ws.bulk()``), written with ``ws``'s author and clock;
    ``progress``: ``(done, total, what)``."""
    if session is not None:
        return _match(session, payment_ids, progress, ws)
    with ws.write() as own:
        return _match(own, payment_ids, progress, ws)


def _match(session: Any, payment_ids: list[str] | None, progress: Any, ws: Any) -> SpendMatchReport:
    if hasattr(session, "flush"):
        session.flush()
    matcher = Matcher(session)
    payments = _payments(session, payment_ids)
    report = SpendMatchReport(checked=len(payments))
    cleared = _cleared_by_hand(session, [p["id"] for p in payments if p["contract_id"] is None])
    edits: list[tuple[str, str, str | None, Any, Any, str | None]] = []
    for n, payment in enumerate(payments):
        sets: dict[str, tuple[Any, str]] = {}  # field -> (value, why)
        if payment["supplier_id"] is None:
            org_id, supplier_reason = matcher.supplier(payment["supplier"])
            if org_id is not None:
                sets["supplier_id"] = (org_id, supplier_reason)
                payment = {**payment, "supplier_id": org_id}
        else:
            supplier_reason = f"set before as {matcher.org(payment['supplier_id'])}"
        if payment["contract_id"] is not None:
            contract_id, contract_reason = payment["contract_id"], "set before"
        elif payment["id"] in cleared:
            contract_id, contract_reason = None, "its contract was cleared by hand"
        else:
            contract_id, contract_reason = matcher.contract(payment)
            if contract_id is not None:
                sets["contract_id"] = (contract_id, contract_reason)
        match = PaymentMatch(payment["id"], payment["supplier"], payment["supplier_id"], supplier_reason,
                             contract_id, contract_reason, sorted(sets), payment["description"])
        if sets:
            report.before[payment["id"]] = {name: None for name in sets}  # matching only fills blanks
            edits += [(payment["id"], name, payment["description"], None, value, f"Matched: {why}")
                      for name, (value, why) in sets.items()]
            report.matches.append(match)
            report.suppliers_matched += "supplier_id" in sets
            report.contracts_matched += "contract_id" in sets
        if contract_id is None:
            report.unmatched.append(match)
        if progress is not None and n % 1000 == 0:
            progress(n, len(payments), "Matching payments")
    _write(session, edits, ws)
    if progress is not None:
        progress(len(payments), len(payments), "Matching payments")
    return report


def _write(session: Any, edits: list[tuple[str, str, str | None, Any, Any, str | None]], ws: Any = None) -> None:
    """Payments' fields changed in bulk with their history and versions
    (:func:`cypdesk.model.tracking.bulk_update`) by the session's author (else
    ``ws``'s); a write session's loaded payments see them and its changes name them."""
    from cypdesk.model.tracking import bulk_update

    info = getattr(session, "info", {})
    author = info.get("author") or ws.author
    clock = info.get("clock") or ws.clock
    bulk_update(session, author, clock, "payments", edits)
    if "author" in info:  # a tracked session: what the window refreshes, and no stale rows
        session.changes.changed.extend(("payments", e[0], e[1]) for e in edits if e[3] != e[4])
        session.expire_all()


def _current(session: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    from sqlalchemy import text

    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        for row in session.execute(text(f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id IN ({marks})"),
                                   {f"p{i}": v for i, v in enumerate(chunk)}):
            out[row[0]] = dict(zip(PAYMENT_KEYS, row))
    return out


def undo_match(ws: Any, report: SpendMatchReport) -> None:
    """Take a matching run back: every payment it changed gets its old values (one
    transaction; a payment deleted since is passed over)."""
    with ws.write() as session:
        now = _current(session, list(report.before))
        _write(session, [(pid, name, now[pid]["description"], now[pid][name], old, "Undo of matching")
                         for pid, olds in report.before.items() if pid in now for name, old in olds.items()])


def redo_match(ws: Any, report: SpendMatchReport) -> None:
    """Do a matching run again after :func:`undo_match`: the same values it set."""
    with ws.write() as session:
        now = _current(session, [m.payment_id for m in report.matches])
        _write(session, [(m.payment_id, name, m.title, now[m.payment_id][name], getattr(m, name),
                          f"Matched: {m.supplier_reason if name == 'supplier_id' else m.contract_reason}")
                         for m in report.matches if m.payment_id in now for name in m.set_fields])


def set_payment_contract(ws: Any, payment_id: str, contract_id: str | None) -> Any:
    """Match a payment to a contract by hand, or clear its match (``None``): a
    :class:`~cypdesk.services.records.Change` the window undoes like any edit. A match
    cleared by hand stays cleared when payments are matched again."""
    from cypdesk.model import Contract, Payment
    from cypdesk.services.records import Change

    with ws.write() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise RecordNotFound(f"There is no payment with id {payment_id}.", id=payment_id)
        if contract_id is not None and session.get(Contract, contract_id) is None:
            raise RecordNotFound(f"There is no contract with id {contract_id} (deleted, perhaps by a partner); "
                                 "the payment's match was not changed.", id=contract_id)
        old = payment.contract_id
        title = _payment_title(payment.supplier, payment.amount, payment.paid_on)
        if old == contract_id:
            return Change("update", "payments", payment_id, title)
        payment.contract_id = contract_id
        session.flush()
        _note(session, [(payment.hlc, payment_id, "contract_id", CHOSEN_NOTE if contract_id else CLEARED_NOTE)])
    return Change("update", "payments", payment_id, title, before={"contract_id": old}, after={"contract_id": contract_id})


def _payment_title(supplier: Any, amount: Any, paid_on: Any) -> str:
    day = _day(paid_on)
    return f"payment of {money(amount or 0, pence=True)} to {supplier}" + (f" on {date_uk(day)}" if day else "")


# --- why a payment is matched --------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentLine:
    id: str
    paid_on: date | None
    supplier: str
    amount: float
    description: str | None
    cost_centre: str | None
    contract_id: str | None
    contract: str  # the contract's reference or title
    reason: str  # why it is matched


def match_reason(source: Any, payment: dict[str, Any], matcher: Matcher | None = None,
                 recorded: tuple[str | None, str | None, Any] | None = None) -> str:
    """Why a payment (a dict of its columns) is matched to its contract, in words.
    ``recorded``: the note, author and time of the last change of its contract (see
    :func:`_recorded`). The reason written when it was matched ("reference X in the
    description", "chosen by hand (alice on PC-1, 05/12/2026)"); else the rule that
    picks it now; else who set it, or that it came with the payment."""
    if not payment.get("contract_id"):
        return ""
    note, author, at = recorded or (None, None, None)
    when = f", {date_uk(_day(at))}" if at else ""
    if note and note.startswith("Matched: "):
        return note.removeprefix("Matched: ")
    if note == CHOSEN_NOTE:
        return f"chosen by hand ({author}{when})"
    matcher = matcher or Matcher.for_payments(source, [payment])
    reason = matcher.explain(payment)
    if reason is not None:
        return reason
    if author:
        return f"set by {author}{when}"
    return "recorded with the payment"


def _recorded(source: Any, payment_ids: list[str]) -> dict[str, tuple[str | None, str | None, Any]]:
    """Payment id -> (note, author, time) of the last change of its contract, for those
    whose contract was changed after the payment was recorded (by the field's version:
    an indexed look-up, not a read of the whole history)."""
    out: dict[str, tuple[str | None, str | None, Any]] = {}
    for start in range(0, len(payment_ids), CHUNK):
        chunk = payment_ids[start:start + CHUNK]
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        for pid, note, author, at in _rows(source, (
                "SELECT v.record_id, h.note, h.author_name, h.at FROM field_versions v JOIN history h "
                "ON h.hlc = v.hlc AND h.record_id = v.record_id AND h.table_name = v.table_name AND h.field = v.field "
                f"WHERE v.table_name = 'payments' AND v.field = 'contract_id' AND v.record_id IN ({marks})"),
                {f"p{i}": v for i, v in enumerate(chunk)}):
            out[pid] = (note, author, at)
    return out


def matched_payments(source: Any, *, contract_id: str | None = None, service_id: str | None = None,
                     limit: int = 200) -> list[PaymentLine]:
    """The payments matched to a contract, or to any contract of a service, newest
    first (at most ``limit``), each with why it is matched (:func:`match_reason`)."""
    where, params = _scope(contract_id, service_id)
    rows = _rows(source, f"SELECT p.{', p.'.join(PAYMENT_KEYS)}, p.amount, coalesce(c.reference, c.title, '') "
                         f"FROM payments p JOIN contracts c ON c.id = p.contract_id WHERE {where} "
                         "ORDER BY p.paid_on DESC, p.id LIMIT :limit", {**params, "limit": limit})
    if not rows:
        return []
    payments = [dict(zip(PAYMENT_KEYS, row)) for row in rows]
    matcher = Matcher.for_payments(source, payments)
    recorded = _recorded(source, [row[0] for row in rows])
    out = []
    for row, payment in zip(rows, payments):
        out.append(PaymentLine(payment["id"], _day(payment["paid_on"]), payment["supplier"], row[-2] or 0.0,
                               payment["description"], payment["cost_centre"], payment["contract_id"], row[-1],
                               match_reason(source, payment, matcher, recorded.get(payment["id"]))))
    return out


__all__ = [
    "CLEARED_NOTE", "Matcher", "Overspent", "PaymentLine", "PaymentMatch", "SpendFigures", "SpendMatchReport",
    "contract_value", "contracts_overspent", "match_payments", "match_reason", "matched_payments", "redo_match",
    "set_payment_contract", "spend_to_date", "undo_match",
]
