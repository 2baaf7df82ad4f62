"""ONS area lookups from the Open Geography Portal: columns named by level and year
(``WD19CD``/``WD19NM``, ``LAD19CD``, ``CTY18CD``, ``GOR10CD`` or ``RGN20CD``,
``CTRY18CD``...), one row per smallest area, in any column order (``FID`` first or last).

They become areas, each once, with its parent: a ward is within its district, a district
within its county where it has one (else its region, else its country), a county within
its region, a region within its country. Rows are handed over from the top level down,
so a parent exists before the areas within it. Names that were UTF-8 read as Windows-1252
and saved again ("SteÃ²rnabhagh") are mended ("Steòrnabhagh"); a note counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import Head, fix_mojibake, headings, long_table, sheet_rows, text
from cypdesk.services.importing.source import SourceRow, SourceTable

COLUMN = re.compile(r"^(WD|WARD|LAD|LTLA|UTLA|CTY|CTYUA|GOR|RGN|CTRY|LSOA|MSOA|OA)(\d{2})(CD|NM|NMW)$", re.IGNORECASE)
# prefix -> (order from the top, area kind; None: decided by the code)
LEVELS = {"CTRY": 0, "GOR": 1, "RGN": 1, "CTY": 2, "UTLA": 2, "CTYUA": 2, "LAD": 3, "LTLA": 3, "WD": 4, "WARD": 4}
HEADERS = [("Area code", "gss_code"), ("Area", "name"), ("Area kind", "kind"), ("Within", "parent_id.gss_code"),
           ("Level", None)]
LEVEL_WORDS = {0: "country", 1: "region", 2: "county", 3: "district", 4: "ward"}


def kind_of(code: str, level: int) -> str | None:
    """The document's kind of area for a GSS code (E06 unitary, E07 district, E08
    metropolitan district, E09 London borough, E10 county, E12 region, E92 England...)."""
    prefix = code[:3].upper()
    if prefix == "E92":
        return "england"
    if prefix == "E12":
        return "region"
    if prefix in ("E06", "E08", "E09", "E10", "W06", "S12", "N09"):
        return "local_authority"
    if prefix == "E07":
        return "district"
    if level == 4:
        return "ward"
    return None


def _levels(names: list[str]) -> dict[int, tuple[int, int]]:
    """level -> (code column, name column) for the levels the file has."""
    found: dict[int, dict[str, int]] = {}
    for i, name in enumerate(names):
        m = COLUMN.match(name)
        if not m or m.group(1).upper() not in LEVELS:
            continue
        level = LEVELS[m.group(1).upper()]
        found.setdefault(level, {}).setdefault(m.group(3).upper(), i)
    return {lv: (c["CD"], c["NM"]) for lv, c in found.items() if "CD" in c and "NM" in c}


def sniff(head: Head) -> bool:
    if head.format == "json":
        return False
    rows = head.rows()
    return bool(rows) and len(_levels(headings(rows[0]))) >= 2


def build(path: Path, kind: str) -> list[SourceTable]:
    first = next(iter(sheet_rows(path)))
    names = headings(first)
    levels = _levels(names)
    areas: dict[str, list] = {}          # code -> [code, name, kind, parent, level words]
    order: dict[int, list[str]] = {lv: [] for lv in levels}
    mended = 0
    conflicts = []
    for row in sheet_rows(path):
        if row.number <= first.number:
            continue
        values = row.values
        chain = []
        for lv in sorted(levels):
            ci, ni = levels[lv]
            code = text(values[ci]) if ci < len(values) else ""
            name = text(values[ni]) if ni < len(values) else ""
            if code:
                fixed = fix_mojibake(name)
                if fixed != name:
                    name = fixed
                    mended += 1 if code not in areas else 0
                chain.append((lv, code, name))
        for pos, (lv, code, name) in enumerate(chain):
            parent = chain[pos - 1][1] if pos else None
            if code in areas:
                if areas[code][3] != parent and parent is not None:
                    conflicts.append(code)
                continue
            areas[code] = [code, name or None, kind_of(code, lv), parent, LEVEL_WORDS[lv], row.number]
            order[lv].append(code)
    notes = [f"{len(areas)} areas: " + ", ".join(f"{len(order[lv])} {LEVEL_WORDS[lv]} level" for lv in sorted(order))
             + "; each area once, parents before the areas within them."]
    if mended:
        notes.append(f"{mended} area name(s) were UTF-8 saved as Windows-1252 (like 'SteÃ²rnabhagh') and are "
                     "imported mended ('Steòrnabhagh').")
    if conflicts:
        notes.append(f"{len(set(conflicts))} area(s) are placed within different parents on different rows "
                     f"({', '.join(sorted(set(conflicts))[:5])}): the first row's parent is kept.")
    ordered = [areas[c] for lv in sorted(order) for c in order[lv]]

    def rows() -> Iterator[SourceRow]:
        for values in ordered:  # numbered by the row where the area first appears
            yield SourceRow(values[5], list(values[:5]))

    headers = [h for h, _ in HEADERS]
    return [long_table(path, None, headers, [""] * len(headers), rows, fmt="ons_lookup", kind="areas",
                       columns=dict(HEADERS), reason="ONS area lookup", notes=notes)]


FORMAT = Format("ons_lookup", "ONS area lookup", ("areas",), sniff, build)
