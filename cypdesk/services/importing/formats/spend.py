"""Spend files: the councils' spend-over-£500 (or £250) files become payments, and DfE's
section 52 outturn of children's services becomes indicator values in pounds.

Spend over £500: the table under the report's title and parameter lines, the source's
columns kept as they are (so ``--where "Department=Children and Young People's Service"``
works), with the supplier's name also matched as an organisation (``supplier_id.name``)
and the paying body (a "Body" column) as the payer. The total line and blank lines at the
end are skipped and counted. A "†" where a non-breaking space was (a Mac file read as
UTF-8, as Lambeth's mirror has it) is read as a space.

Section 52 outturn: one indicator per S52 line ("S52 outturn: 6 Fostering services"),
in pounds, for each LA (by its DfE LA number); the net current expenditure is the value
itself and the other columns (private, voluntary, public, total expenditure, income) are
its breakdown (category). The year comes from the file's name ("outturn_0809.csv",
"..._2008-09.csv"): the file has no column for it, and without it the file is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import (
    FormatError, Head, first_of, headings, index_of, long_table, sheet_rows, split_marker, text,
)
from cypdesk.services.importing.source import SourceRow, SourceTable, column_letter, normalise_heading

HEAD_SCAN = 30
SUPPLIER = ("supplier name", "supplier", "payee", "payee name", "vendor", "vendor name", "merchant name", "beneficiary")
AMOUNT = ("invoice nett amount", "invoice net amount", "amount", "net amount", "nett amount", "amount paid",
          "transaction amount", "amount gbp", "value", "amount excl vat", "total")
DATE = ("invoice creation date", "payment date", "date paid", "paid date", "transaction date", "invoice date",
        "posting date", "date")
BODY = ("body", "body name", "organisation name", "organisation")
COST_CENTRE = ("service area", "expense area", "cost centre", "cost centre name", "department", "directorate",
               "service", "service division")
DESCRIPTION = ("subj description", "subjective description", "expense type", "expenditure category", "description",
               "purpose", "expense description")
REFERENCE = ("transaction number", "transaction id", "transaction reference", "invoice number", "document number",
             "reference", "payment reference")
TOTAL = re.compile(r"^(grand\s+)?total\b", re.IGNORECASE)
DAGGER = "\u2020"


def _spend_header(rows: list) -> object | None:
    for row in rows[:HEAD_SCAN]:
        cells = {normalise_heading(v) for v in row.values if v not in (None, "")}
        if cells & set(SUPPLIER) and cells & set(AMOUNT) and cells & set(DATE) and "contract value" not in cells:
            return row
    return None


def sniff_spend(head: Head) -> bool:
    return head.format != "json" and any(_spend_header(rows) is not None for rows in head.sheets.values())



def _clean(value):
    if isinstance(value, str) and DAGGER in value:
        return " ".join(value.replace(DAGGER, " ").split())
    return value


def build_spend(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.services.importing.formats.common import read_head

    head = read_head(path)
    sheet, header = next((s, _spend_header(rows)) for s, rows in head.sheets.items() if _spend_header(rows))
    names = [_clean(h) for h in headings(header)]
    width = len(names)
    at = index_of(names)
    columns: dict[str, str | None] = {h: None for h in names}
    for target, options in (("supplier", SUPPLIER), ("amount", AMOUNT), ("paid_on", DATE), ("payer_id.name", BODY),
                            ("cost_centre", COST_CENTRE), ("description", DESCRIPTION),
                            ("transaction_ref", REFERENCE)):
        i = first_of(at, options)
        if i is not None and columns[names[i]] is None:
            columns[names[i]] = target
    supplier_col = first_of(at, SUPPLIER)
    derived = "Supplier organisation (cypdesk)"
    columns[derived] = "supplier_id.name"
    notes = [f"The table starts at row {header.number}" + (" under the report's title and parameters." if
                                                           header.number > 1 else ".")]
    table: SourceTable | None = None

    def rows() -> Iterator[SourceRow]:
        table.skipped = []
        for row in sheet_rows(path, sheet):
            if row.number <= header.number:
                continue
            values = [_clean(v) for v in list(row.values[:width]) + [None] * (width - len(row.values))]
            filled = [text(v) for v in values if text(v)]
            if not filled:
                continue
            if TOTAL.match(filled[0]):
                table.skipped.append((row.number, "total"))
                continue
            supplier = text(values[supplier_col]) or None
            yield SourceRow(row.number, values + [supplier], bool(row.hidden))

    letters = [column_letter(i) for i in range(width)] + [column_letter(supplier_col)]
    table = long_table(path, sheet, names + [derived], letters, rows, fmt="spend", kind="payments", columns=columns,
                       reason="spend over £500 file", notes=notes)
    return [table]


# --- section 52 outturn --------------------------------------------------------------------

S52_REQUIRED = ("lea number", "la name", "s52 line reference")
S52_SOURCE = "DfE section 52 outturn"
S52_HEADERS = [
    ("Indicator", "indicator_id.name"), ("Unit", "indicator_id.unit"), ("LA code", "area_id.la_code"),
    ("Area", "area_id.name"), ("Area kind", "area_id.kind"), ("Period", "period"), ("Category", "category"),
    ("Value", "value"), ("Suppressed", "suppressed"), ("Source", "source"),
]
_YEAR_PAIR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_ ]?(\d{2})(?!\d)|(?<!\d)(\d{2})(\d{2})(?!\d)")


def _s52_header(rows: list) -> object | None:
    for row in rows[:5]:
        cells = {normalise_heading(v) for v in row.values if v not in (None, "")}
        if set(S52_REQUIRED) <= cells:
            return row
    return None


def sniff_s52(head: Head) -> bool:
    return head.format != "json" and any(_s52_header(rows) is not None for rows in head.sheets.values())


def year_in_name(path: Path) -> int | None:
    """The financial year a file's name gives (2008 for "outturn_0809", "s52_2008-09")."""
    for m in _YEAR_PAIR.finditer(path.stem):
        if m.group(1):
            start, end = int(m.group(1)), int(m.group(2))
        else:
            start, end = 2000 + int(m.group(3)), int(m.group(4))
        if (start + 1) % 100 == end:
            return start
    return None


def build_s52(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.services.importing.formats.common import read_head

    head = read_head(path)
    sheet, header = next((s, _s52_header(rows)) for s, rows in head.sheets.items() if _s52_header(rows))
    year = year_in_name(path)
    if year is None:
        raise FormatError(f"{path.name} is a section 52 outturn but does not say which year it is for (it has no "
                          "column for it, and its name has no year): rename it with the year, like "
                          "outturn_2008-09.csv, and import it again.", path=path)
    names = headings(header)
    at = index_of(names)
    la_col, name_col, line_col = at["lea number"], at["la name"], at["s52 line reference"]
    measures = [i for i in range(len(names)) if i not in (la_col, name_col, line_col) and names[i]]
    net = next((i for i in measures if normalise_heading(names[i]).startswith("net")), None)
    label = f"{year}-{(year + 1) % 100:02d}"
    notes = [f"Financial year {label}, from the file's name. Each S52 line is an indicator in pounds; "
             + (f"'{names[net]}' is its value and " if net is not None else "")
             + "the other columns are its breakdown."]

    def rows() -> Iterator[SourceRow]:
        for row in sheet_rows(path, sheet):
            if row.number <= header.number:
                continue
            values = list(row.values)
            get = lambda i: values[i] if i < len(values) else None  # noqa: E731
            line = text(get(line_col))
            if not line:
                continue
            for i in measures:
                value, marker = split_marker(get(i))
                yield SourceRow(row.number, [
                    f"S52 outturn: {line}", "pounds", text(get(la_col)) or None, text(get(name_col)) or None,
                    "local_authority", f"FY{year}", None if i == net else names[i].rstrip(":"), value, marker,
                    S52_SOURCE,
                ], bool(row.hidden))

    headers = [h for h, _ in S52_HEADERS]
    return [long_table(path, sheet, headers, [""] * len(headers), rows, fmt="s52", kind="indicator_values",
                       columns=dict(S52_HEADERS), reason="DfE section 52 outturn", notes=notes)]


SPEND = Format("spend", "spend over £500 file", ("payments",), sniff_spend, build_spend)
S52 = Format("s52", "DfE section 52 outturn", ("indicator_values",), sniff_s52, build_s52)
