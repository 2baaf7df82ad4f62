"""Contract registers published under the Local Government Transparency Code (the LGA
contracts schema: "Contract Reference number / ID", "Title of the Agreement", "Supplier
name", "Supplier registered company number", ...) and 360Giving grant files (grants
become contracts with route "grant"). Both are tables of the source's own columns, kept
as they are so ``--where "Directorate / service responsible=CHILDREN"`` (or any other
heading) works on them, with a few columns worked out at the end:

- the supplier's company and charity numbers in the form the registers use ("gb/02165763"
  is 02165763; a number that is neither is left out, and counted in a note, rather than
  refusing the row);
- the service each contract is for: the source's service column where it has one, else
  the contract's title (the import makes the services it does not find, marked "to
  classify");
- the contract reference: a register that uses one reference for two different
  contracts (lots with different suppliers) keeps the first as written and numbers the
  others "REF#2", "REF#3" (listed in a note), so each row stays its own contract and a
  re-import matches each again; a row repeated exactly is one contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import (
    Head, body_rows, first_of, headings, index_of, long_table, text,
)
from cypdesk.services.importing.source import SourceRow, SourceTable, column_letter, normalise_heading

HEAD_SCAN = 15

# target -> the headings that carry it, in order of preference (normalised)
LGTC_TARGETS: list[tuple[str, tuple[str, ...]]] = [
    ("contracting_org_id.name", ("organisation name", "organisation", "buyer", "council")),
    ("title", ("title of the agreement", "contract title", "title", "contract name")),
    ("description", ("description of goods and services", "contract description", "description")),
    ("cpv_code", ("procurement classification cpv code", "cpv code", "cpv")),
    ("start_date", ("contract start date", "start date")),
    ("end_date", ("end date", "contract end date", "expiry date")),
    ("review_date", ("review date",)),
    ("total_value", ("contract value", "total contract value", "total value", "value")),
    ("annual_value", ("annual value", "value per annum")),
    ("irrecoverable_vat", ("irrecoverable vat",)),
    ("supplier_id.name", ("supplier name", "supplier")),
    ("supplier_is_sme", ("sme supplier", "sme")),
    ("supplier_is_vcse", ("vcse supplier", "vcse")),
]
REFERENCE = ("contract reference number id", "contract reference number", "contract reference", "contract id",
             "reference", "contract ref")
COMPANY = ("supplier registered company number", "supplier company number", "company number")
CHARITY = ("supplier registered charity number", "supplier charity number", "charity number")
SERVICE = ("service category label", "service", "service name")
CONTRACT_TYPE = ("contract type",)
TENDER_TYPE = ("tender process type",)
LGTC_MARKS = {"contract reference number id", "title of the agreement", "supplier name", "contract value",
              "contract start date", "directorate service responsible", "supplier registered company number",
              "irrecoverable vat", "vcse supplier", "sme supplier", "description of goods and services",
              "fixed cost estimated cost"}

GIVING_REQUIRED = {"identifier", "title", "amount awarded", "recipient org name", "funding org name"}
GIVING_TARGETS: list[tuple[str, tuple[str, ...]]] = [
    ("title", ("title",)),
    ("description", ("description",)),
    ("total_value", ("amount awarded",)),
    ("end_date", ("planned dates end date",)),
    ("supplier_id.name", ("recipient org name",)),
    ("contracting_org_id.name", ("funding org name",)),
]

DERIVED = ["Contract reference (cypdesk)", "Supplier company number (cypdesk)", "Supplier charity number (cypdesk)",
           "Service (cypdesk)", "Procurement route (cypdesk)", "Start (cypdesk)"]


def _header(head: Head) -> tuple[str | None, object] | None:
    for sheet, rows in head.sheets.items():
        for row in rows[:HEAD_SCAN]:
            cells = {normalise_heading(v) for v in row.values if v not in (None, "")}
            if len(cells & LGTC_MARKS) >= 4 and "supplier name" in cells:
                return sheet, row
    return None


def _giving_header(head: Head) -> tuple[str | None, object] | None:
    for sheet, rows in head.sheets.items():
        for row in rows[:HEAD_SCAN]:
            cells = {normalise_heading(v) for v in row.values if v not in (None, "")}
            if GIVING_REQUIRED <= cells:
                return sheet, row
    return None


def sniff_lgtc(head: Head) -> bool:
    return head.format != "json" and _header(head) is not None


def sniff_giving(head: Head) -> bool:
    return head.format != "json" and _giving_header(head) is not None



# --- identifiers -----------------------------------------------------------------------

_PREFIXES = re.compile(r"^(gb-coh-|gb-chc-|gb-sc-|gb-nic-|gb[/-])", re.IGNORECASE)


def clean_identifier(field: str, raw) -> str | None:
    """A company or charity number as the registers write it, or None when it is not one
    (the import would refuse the row for it)."""
    from cypdesk.services.importing.keys import check_identifier

    value = text(raw)
    if not value or value.casefold() in ("none", "n/a", "na", "null", "0"):
        return None
    value = _PREFIXES.sub("", value).replace(" ", "")
    kept, problem = check_identifier(field, value)
    return None if problem else kept


# --- tables ----------------------------------------------------------------------------

def build_lgtc(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.services.importing.formats.common import read_head

    found = _header(read_head(path))
    sheet, header = found
    return [_register(path, sheet, header, fmt="lgtc_contracts", targets=LGTC_TARGETS, giving=False)]


def build_giving(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.services.importing.formats.common import read_head

    sheet, header = _giving_header(read_head(path))
    return [_register(path, sheet, header, fmt="360giving", targets=GIVING_TARGETS, giving=True)]


def _register(path: Path, sheet: str | None, header, *, fmt: str, targets, giving: bool) -> SourceTable:
    names = headings(header)
    width = len(names)
    at = index_of(names)
    columns: dict[str, str | None] = {h: None for h in names}
    for target, options in targets:
        i = first_of(at, options)
        if i is not None and columns.get(names[i]) is None:
            columns[names[i]] = target
    ref_col = at.get("identifier") if giving else first_of(at, REFERENCE)
    company_col, charity_col = first_of(at, COMPANY if not giving else ("recipient org company number",)), \
        first_of(at, CHARITY if not giving else ("recipient org charity number",))
    service_col = None if giving else first_of(at, SERVICE)
    title_col = first_of(at, ("title",) if giving else ("title of the agreement", "contract title", "title"))
    type_col, tender_col = first_of(at, CONTRACT_TYPE), first_of(at, TENDER_TYPE)
    start_cols = [first_of(at, ("planned dates start date",)), first_of(at, ("award date",))] if giving else []
    renamed, dropped, bad = _prepass(path, sheet, header.number, width, ref_col,
                                     {"company_number": company_col, "charity_number": charity_col})
    notes = []
    for field, words in (("company_number", "company"), ("charity_number", "charity")):
        if bad[field]:
            shown = ", ".join(sorted(set(bad[field]))[:6])
            notes.append(f"{len(bad[field])} supplier {words} number(s) are in no form the registers use ({shown}"
                         f"{' ...' if len(set(bad[field])) > 6 else ''}): left out, the supplier is matched by name.")
    if renamed:
        shown = ", ".join(f"{old} (row {row}) as {new}" for row, (old, new) in list(renamed.items())[:8])
        notes.append(f"{len(renamed)} row(s) reuse a contract reference of another contract: imported as "
                     f"{shown}{' ...' if len(renamed) > 8 else ''}.")
    table: SourceTable | None = None

    def rows() -> Iterator[SourceRow]:
        table.skipped = []
        for row, values in body_rows(path, sheet, header.number, width):
            if row.number in dropped:
                table.skipped.append((row.number, f"the same as row {dropped[row.number]}"))
                continue
            ref = text(values[ref_col]) if ref_col is not None else ""
            ref = renamed.get(row.number, (ref, ref))[1]
            company = clean_identifier("company_number", values[company_col]) if company_col is not None else None
            charity = clean_identifier("charity_number", values[charity_col]) if charity_col is not None else None
            service = text(values[service_col]) if service_col is not None else ""
            service = service or (text(values[title_col]) if title_col is not None else "")
            if giving:
                route = "grant"
                start = next((values[i] for i in start_cols if i is not None and text(values[i])), None)
            else:
                route = _route(values, type_col, tender_col)
                start = None
            extra = [ref or None, company, charity, service or None, route] + ([start] if giving else [])
            yield SourceRow(row.number, values + extra, bool(row.hidden))

    derived = DERIVED if giving else DERIVED[:5]  # a register has its own start date column
    columns.update({
        DERIVED[0]: "reference", DERIVED[1]: "supplier_id.company_number", DERIVED[2]: "supplier_id.charity_number",
        DERIVED[3]: "service_id.name", DERIVED[4]: "route",
    })
    if giving:
        columns[DERIVED[5]] = "start_date"
    letters = [column_letter(i) for i in range(width)] + [""] * len(derived)
    fixed = {"regime": "grant"} if giving else {}
    label = "360Giving grant file" if giving else "Transparency Code contract register"
    if giving:
        notes.append("Grants become contracts with the procurement route 'grant'; each grant's service is its title, "
                     "and its start is the planned start date, else the award date.")
    else:
        notes.append("Each contract's service is the register's service column where it has one, else the contract's "
                     "title: services the document does not have are made and marked 'to classify'.")
    table = long_table(path, sheet, names + derived, letters, rows, fmt=fmt, kind="contracts", columns=columns,
                       fixed=fixed, reason=label, notes=notes)
    return table


def _route(values: list, type_col: int | None, tender_col: int | None) -> str | None:
    kind = normalise_heading(values[type_col]) if type_col is not None else ""
    tender = normalise_heading(values[tender_col]) if tender_col is not None else ""
    if "framework" in kind:
        return "framework"
    if "tender" in tender:
        return "tender"
    if "spot" in kind or "spot" in tender:
        return "spot_purchase"
    return None


def _prepass(path: Path, sheet: str | None, header_number: int, width: int, ref_col: int | None,
             identifiers: dict[str, int | None]) -> tuple[dict[int, tuple[str, str]], dict[int, int], dict[str, list]]:
    """One pass before the import: rows that reuse another contract's reference get a
    numbered one (row -> (as written, as imported)); rows that repeat an earlier row
    exactly are left out (row -> the earlier row); company and charity numbers in no
    known form are listed."""
    renamed: dict[int, tuple[str, str]] = {}
    dropped: dict[int, int] = {}
    bad: dict[str, list[str]] = {f: [] for f in identifiers}
    seen: dict[str, list[tuple[tuple, int]]] = {}
    exact: dict[tuple, int] = {}
    for row, cells in body_rows(path, sheet, header_number, width):
        values = tuple(text(v) for v in cells)
        for field, col in identifiers.items():
            if col is not None and values[col] and values[col].casefold() not in ("none", "n/a", "na", "null", "0") \
                    and clean_identifier(field, values[col]) is None:
                bad[field].append(values[col])
        ref = values[ref_col] if ref_col is not None else ""
        if not ref:
            continue
        if values in exact:
            dropped[row.number] = exact[values]
            continue
        exact[values] = row.number
        earlier = seen.setdefault(ref.casefold(), [])
        if earlier:
            renamed[row.number] = (ref, f"{ref}#{len(earlier) + 1}")
        earlier.append((values, row.number))
    return renamed, dropped, bad


LGTC = Format("lgtc_contracts", "Transparency Code contract register", ("contracts",), sniff_lgtc, build_lgtc)
GIVING = Format("360giving", "360Giving grant file", ("contracts",), sniff_giving, build_giving)
