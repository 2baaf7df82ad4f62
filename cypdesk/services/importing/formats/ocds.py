"""OCDS release packages (Contracts Finder's JSON, and any publisher's): one contract per
contracting process (``ocid``), from its latest release.

What a release becomes:

- an award with suppliers: a contract per award (reference ``ocid`` when the process has
  one award, ``ocid/award id`` when it has several), with the supplier, the award's or
  contract's value and period, and the route from the tender's procurement method;
- a tender-only release (no award yet, as Contracts Finder's notices mostly are): one
  contract "in procurement" with no supplier, its reference the ``ocid``, the tender's
  title, description, CPV code and value, the buyer as the contracting partner, and the
  route "tender". Its dates are left blank: a tender period is when bids are taken, not
  when the contract runs (Contracts Finder's "Contract start"/"Contract end" milestones
  are used when they carry dates). A later file with the award updates the same record.

The service of each contract is its title (made "to classify" when the document has no
service of that name).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import FormatError, Head, load_json, long_table, text
from cypdesk.services.importing.source import SourceRow, SourceTable

HEADERS = [
    ("ocid", "reference"),
    ("Title", "title"),
    ("Description", "description"),
    ("Buyer", "contracting_org_id.name"),
    ("Supplier", "supplier_id.name"),
    ("CPV code", "cpv_code"),
    ("Value", "total_value"),
    ("Start", "start_date"),
    ("End", "end_date"),
    ("Procurement route", "route"),
    ("Service", "service_id.name"),
    ("Stage", None),
    ("Minimum value", None),
]
METHODS = {"open": "tender", "selective": "tender", "limited": "direct_award", "direct": "direct_award"}


def sniff(head: Head) -> bool:
    if head.format != "json":
        return False
    t = head.text
    return '"releases"' in t and ('"ocid"' in t or '"ocds' in t) or '"records"' in t and '"ocid"' in t


def _releases(data: Any, path: Path) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("releases"), list):
        return [r for r in data["releases"] if isinstance(r, dict)]
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        out = []
        for rec in data["records"]:
            if isinstance(rec, dict):
                release = rec.get("compiledRelease") or (rec.get("releases") or [None])[-1]
                if isinstance(release, dict) and "ocid" in release:
                    out.append(release)
        return out
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict) and "ocid" in r]
    raise FormatError(f"{path.name} is JSON but not an OCDS release package (no 'releases' list).", path=path)


def _amount(value: Any) -> Any:
    return value.get("amount") if isinstance(value, dict) else None


def _milestone(tender: dict, title: str) -> Any:
    for m in tender.get("milestones") or []:
        if isinstance(m, dict) and text(m.get("title")).casefold() == title and m.get("dueDate"):
            return str(m["dueDate"])[:10]
    return None


def _cpv(tender: dict) -> str | None:
    for item in tender.get("items") or []:
        cls = item.get("classification") if isinstance(item, dict) else None
        if isinstance(cls, dict) and text(cls.get("scheme")).upper() == "CPV" and text(cls.get("id")):
            return text(cls.get("id"))
    cls = tender.get("classification")
    if isinstance(cls, dict) and text(cls.get("scheme")).upper() == "CPV":
        return text(cls.get("id")) or None
    return None


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


def contracts_of(releases: list[dict]) -> list[list[Any]]:
    """The contracts of the releases, one row each (see the module's notes)."""
    latest: dict[str, dict] = {}
    for r in releases:
        ocid = text(r.get("ocid"))
        if not ocid:
            continue
        if ocid not in latest or str(r.get("date") or "") >= str(latest[ocid].get("date") or ""):
            latest[ocid] = r
    rows = []
    for ocid, r in latest.items():
        tender = r.get("tender") if isinstance(r.get("tender"), dict) else {}
        buyer = r.get("buyer") if isinstance(r.get("buyer"), dict) else {}
        title = text(tender.get("title")) or None
        description = text(tender.get("description")) or None
        route = METHODS.get(text(tender.get("procurementMethod")).casefold(), "tender")
        cpv = _cpv(tender)
        awards = [a for a in (r.get("awards") or []) if isinstance(a, dict) and a.get("suppliers")]
        contracts = {text(c.get("awardID")): c for c in (r.get("contracts") or []) if isinstance(c, dict)}
        if awards:
            for a in awards:
                c = contracts.get(text(a.get("id")), {})
                period = c.get("period") or a.get("contractPeriod") or {}
                supplier = a["suppliers"][0] if isinstance(a["suppliers"][0], dict) else {}
                ref = ocid if len(awards) == 1 else f"{ocid}/{text(a.get('id'))}"
                a_title = text(a.get("title")) or title
                rows.append([ref, a_title, text(a.get("description")) or description, text(buyer.get("name")) or None,
                             text(supplier.get("name")) or None, cpv, _amount(c.get("value")) or _amount(a.get("value")),
                             _date(period.get("startDate")), _date(period.get("endDate")), route, a_title, "award",
                             None])
        else:
            rows.append([ocid, title, description, text(buyer.get("name")) or None, None, cpv,
                         _amount(tender.get("value")), _milestone(tender, "contract start"),
                         _milestone(tender, "contract end"), "tender", title, "tender", _amount(tender.get("minValue"))])
    return rows


def build(path: Path, kind: str) -> list[SourceTable]:
    releases = _releases(load_json(path), path)
    rows_data = contracts_of(releases)
    notes = [f"{len(releases)} release(s), {len(rows_data)} contract(s); a release with no award becomes a "
             "contract in procurement with no supplier (route 'tender')."]
    if any(r[11] == "tender" and r[6] is None and r[12] is not None for r in rows_data):
        notes.append("Tenders that give only a minimum value keep it in 'Minimum value' (not imported): their total "
                     "value is left blank.")

    def rows() -> Iterator[SourceRow]:
        for i, values in enumerate(rows_data, start=1):
            yield SourceRow(i, list(values))

    headers = [h for h, _ in HEADERS]
    table = long_table(path, None, headers, [""] * len(headers), rows, fmt="ocds", kind="contracts",
                       columns=dict(HEADERS), reason="OCDS release package", notes=notes)
    return [table]


FORMAT = Format("ocds", "OCDS release package (Contracts Finder)", ("contracts",), sniff, build)
