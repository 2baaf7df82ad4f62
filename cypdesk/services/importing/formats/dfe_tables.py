"""DfE local authority tables (the SFR "LA tables" workbooks, xlsx or legacy xls, and
their "underlying data" sheets): a title and notes, headings over one to five rows with
merged cells ("numbers" over 2012 ... 2016), then England, the regions and the local
authorities in rows, with blank spacer rows and columns, and footnotes below.

A sheet is read automatically when its rows follow that layout: a row naming England in
one of the first four columns, then rows holding an area's GSS code (E06000005) or DfE LA
number (841, or 841.0 as Excel stores it) and its name. Each column with a heading
becomes an indicator (the table's title and the column's heading without its year, and
without footnote marks glued to words: "by local authority1,2"); each cell a value for
the area in its row and the year in its heading (else the title's). DfE's children's
social care years end on 31 March, so 2016 is the financial year 2015-16 ("academic
year" in the title: the academic year). Regions, Inner and Outer London and England get
their GSS codes, so they match the areas other files name by code. A sheet laid out
differently (an index or notes sheet, or a table whose rows are not areas) is not
offered, and a note on the other sheets names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import Head, long_table, sheet_rows, split_marker, text
from cypdesk.services.importing.source import SourceRow, SourceTable, column_letter

SOURCE = "DfE local authority tables"
GSS = re.compile(r"^[EWSN]\d{8}$")
YEAR = re.compile(r"^(19|20)\d{2}$")
ENGLAND = "E92000001"
REGIONS = {
    "north east": "E12000001", "north west": "E12000002", "yorkshire and the humber": "E12000003",
    "yorkshire and humber": "E12000003", "east midlands": "E12000004", "west midlands": "E12000005",
    "east of england": "E12000006", "east": "E12000006", "london": "E12000007", "south east": "E12000008",
    "south west": "E12000009", "inner london": "E13000001", "outer london": "E13000002",
}
HEADERS = [
    ("Indicator", "indicator_id.name"), ("Unit", "indicator_id.unit"), ("Area code", "area_id.gss_code"),
    ("LA code", "area_id.la_code"), ("Area", "area_id.name"), ("Area kind", "area_id.kind"), ("Period", "period"),
    ("Column", None), ("Value", "value"), ("Suppressed", "suppressed"), ("Source", "source"),
]
SCAN = 60
NAME_COLUMNS = 6  # the areas' codes and names are in the first few columns


def _la_number(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = text(value)
    return s if re.fullmatch(r"\d{1,3}", s) else None


class Layout:
    """Where a sheet's parts are (0-based columns, Excel row numbers)."""

    def __init__(self, name_col: int, gss_col: int | None, la_col: int | None, first_data: int,
                 header_rows: list[Any], title_rows: list[Any]) -> None:
        self.name_col, self.gss_col, self.la_col = name_col, gss_col, la_col
        self.first_data, self.header_rows, self.title_rows = first_data, header_rows, title_rows
        self.england_values: Any = None  # a row above England's name holding its figures, if so laid out


def find_layout(rows: list[Any]) -> Layout | None:
    """The sheet's layout from its first rows, or None when it is not an LA table."""
    for pos, row in enumerate(rows):
        if not any(text(v).casefold() == "england" for v in row.values[:NAME_COLUMNS]):
            continue
        after = rows[pos + 1:pos + 25]
        name_col = _name_column(after)
        if name_col is None:
            continue
        gss_col = _column_matching(after, name_col, lambda v: bool(GSS.match(text(v))))
        la_col = _column_matching(after, name_col, lambda v: _la_number(v) is not None)
        if gss_col is None and la_col is None:
            continue
        before = rows[:pos]
        title_rows, header_rows = [], []
        for r in before:
            filled = [v for v in r.values if text(v)]
            if header_rows or (len(filled) >= 2 and any(text(v) for v in r.values[name_col + 1:])):
                header_rows.append(r)
            else:
                title_rows.append(r)
        if not header_rows:
            continue
        layout = Layout(name_col, gss_col, la_col, row.number, header_rows, title_rows)
        # England's figures one row above its name (sfr41 LAI3): that row is England's, not a heading
        last, own = header_rows[-1], [v for v in row.values[name_col + 1:] if text(v)]
        figures = [v for v in last.values[name_col + 1:] if text(v)]
        if not own and figures and all(isinstance(v, (int, float)) for v in figures) and len(header_rows) > 1:
            header_rows.pop()
            layout.england_values = last
        return layout
    return None


def _name_column(rows: list[Any]) -> int | None:
    """The column of the areas' names: the one of the first few holding most words."""
    best, best_count = None, 2
    for i in range(NAME_COLUMNS):
        count = sum(1 for r in rows if i < len(r.values) and isinstance(r.values[i], str)
                    and re.search(r"[a-z]{3}", r.values[i]) and not GSS.match(text(r.values[i])))
        if count > best_count:
            best, best_count = i, count
    return best


def _column_matching(rows: list[Any], name_col: int, test) -> int | None:
    for i in range(name_col):
        if sum(1 for r in rows if i < len(r.values) and test(r.values[i])) >= 3:
            return i
    return None


def sniff(head: Head) -> bool:
    if head.format not in ("xlsx", "xlsm", "xls", "ods"):
        return False
    return any(find_layout(rows) is not None for rows in head.sheets.values())


# --- headings ----------------------------------------------------------------------------

_FOOTNOTE = re.compile(r"(?<=[A-Za-z\)])\d{1,2}(?:\s?,\s?\d{1,2})*$")
_GLUED = re.compile(r"(?<=[a-z])\d(?:,\d)*(?=[\s,;:])")
_AGED_FOOTNOTE = re.compile(r"(aged \d{1,2} to \d{2})\d$", re.IGNORECASE)


def strip_footnotes(part: str) -> str:
    """A heading without the footnote numbers glued to its last word: "by local
    authority1,2" is "by local authority", "aged 5 to 163" is "aged 5 to 16"."""
    part = _GLUED.sub("", _FOOTNOTE.sub("", part.strip()))
    return _AGED_FOOTNOTE.sub(r"\1", part).strip()


def _merges(ranges: list[str]) -> list[tuple[int, int, int, int]]:
    """(top row, first column, last column, bottom row) of each merged range, columns 0-based."""
    from openpyxl.utils.cell import range_boundaries

    out = []
    for ref in ranges:
        try:
            c0, r0, c1, r1 = range_boundaries(ref)
        except ValueError:
            continue
        out.append((r0, c0 - 1, c1 - 1, r1))
    return out


def column_headings(layout: Layout, merges: list[tuple[int, int, int, int]]) -> dict[int, list[str]]:
    """column -> its heading's parts, top to bottom, merged cells spread over the columns
    they cover."""
    parts: dict[int, list[str]] = {}
    for r in layout.header_rows:
        cells = {i: v for i, v in enumerate(r.values) if text(v)}
        for (row0, c0, c1, _row1) in merges:
            if row0 == r.number and c0 in cells:
                for c in range(c0 + 1, c1 + 1):
                    cells.setdefault(c, cells[c0])
        for i, v in sorted(cells.items()):
            if i <= layout.name_col:
                continue
            s = strip_footnotes(text(v))
            if s and s not in parts.setdefault(i, []):
                parts[i].append(s)
    return parts


def _title(layout: Layout) -> tuple[str, str]:
    """(table id like "LAA1" or "", the title without "Table X:", years or footnotes)."""
    texts = [text(v) for r in layout.title_rows for v in r.values if text(v)]
    title = next((t for t in texts if t.casefold().startswith("table ")), "")
    table_id = ""
    m = re.match(r"table\s+([A-Za-z0-9.]+)\s*:\s*(.*)$", title, re.IGNORECASE)
    if m:
        table_id, title = m.group(1), m.group(2)
    title = strip_footnotes(title)
    title = re.sub(r",?\s*by local authority$", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\s*\b(19|20)\d{2}(\s*(to|-)\s*(19|20)\d{2})?\b", "", title).strip(" ,")
    return table_id, title


def _year_kind(layout: Layout, all_text: str) -> tuple[str, int | None]:
    lowered = all_text.casefold()
    kind = "AY" if "academic year" in lowered else ("CY" if "calendar year" in lowered else "FY")
    years = [int(y) for y in re.findall(r"31 march ((?:19|20)\d{2})", lowered)]
    if not years:
        years = [int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", lowered)]
    return kind, (max(years) if years else None)


def _period(kind: str, year: int) -> str:
    return f"CY{year}" if kind == "CY" else f"{kind}{year - 1}"


def _unit(parts: list[str], title: str) -> str | None:
    """The unit a column's heading names (else its table's title), or None."""
    for words in (" ".join(parts).casefold(), title.casefold()):
        if "per 10,000" in words or "per 10000" in words:
            return "rate_10k"
        if "percentage" in words or "%" in words:
            return "percent"
        if "average" in words or "score" in words:
            return None
        if "number" in words:
            return "count"
    return None


# --- tables --------------------------------------------------------------------------------

def build(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.io.workbook import open_workbook

    tables, unsupported = [], []
    wb = open_workbook(path)  # once for every sheet's layout (openpyxl loads the workbook's parts once)
    try:
        for sheet in wb.sheets:
            if sheet.hidden:
                continue
            first = []
            for row in sheet.rows():
                first.append(row)
                if len(first) >= SCAN:
                    break
            layout = find_layout(first)
            if layout is None:
                unsupported.append(sheet.name)
                continue
            tables.append(_table(path, sheet.name, layout, _merges(sheet.merged_ranges)))
    finally:
        wb.close()
    if unsupported:
        note = (f"Sheet(s) {', '.join(repr(s) for s in unsupported)} of {path.name} are not local authority tables "
                "(no rows of areas under headings) and are not offered.")
        for t in tables:
            t.notes.append(note)
    return tables


def _table(path: Path, sheet: str, layout: Layout, merges: list[tuple[int, int, int, int]]) -> SourceTable:
    parts = column_headings(layout, merges)
    table_id, title = _title(layout)
    heading_text = " ".join(p for ps in parts.values() for p in ps)
    title_text = " ".join(text(v) for r in layout.title_rows for v in r.values if text(v))
    year_kind, title_year = _year_kind(layout, title_text or heading_text)
    columns = []  # (column, indicator, unit, period or None, heading shown)
    for i, ps in sorted(parts.items()):
        years = [int(p) for p in ps if YEAR.match(p)]
        rest = [p for p in ps if not YEAR.match(p)]
        col_year = years[-1] if years else None
        if col_year is None:
            _, own = _year_kind(layout, " ".join(ps))
            col_year = own if own and any("31 march" in p.casefold() for p in ps) else title_year
        name = " ".join(x for x in (table_id, title) if x)
        if rest:
            rest = [re.sub(r"\s*\b(?:at )?31 March (19|20)\d{2}\b", "", p, flags=re.IGNORECASE).strip() or p for p in rest]
            name = f"{name}: {' - '.join(rest)}" if name else " - ".join(rest)
        columns.append((i, name or f"{sheet} column {column_letter(i)}", _unit(rest, title),
                        _period(year_kind, col_year) if col_year else None, " / ".join(ps)))
    columns, repeated = _distinct(columns)
    notes = [f"Sheet {sheet!r}: {len(columns)} column(s) of figures for the areas in rows "
             f"{layout.first_data} onwards, headings from row(s) {', '.join(str(r.number) for r in layout.header_rows)}."]
    notes.append("Rows named as England, a region or Inner or Outer London are read as that area with its own GSS "
                 "code, whatever code the sheet puts beside them (SFR41 gives Outer London Barking and Dagenham's).")
    if repeated:
        notes.append(f"Column(s) {', '.join(repeated)} repeat the heading of a column to their left (a second set of "
                     "figures, such as percentages under the same headings as numbers): their indicators are named "
                     "with their column letter.")
    if layout.england_values is not None:
        notes.append(f"England's figures are on row {layout.england_values.number}, the row above its name: read as "
                     "England's.")
    if any(c[3] is None for c in columns):
        notes.append("Some columns have no year in their heading or the title: their values have no period and are "
                     "refused.")
    table: SourceTable | None = None

    def rows() -> Iterator[SourceRow]:
        table.skipped = []
        for row in sheet_rows(path, sheet):
            if row.number < layout.first_data:
                continue
            values = row.values
            get = lambda i: values[i] if i is not None and i < len(values) else None  # noqa: E731
            name = text(get(layout.name_col)) or next(
                (text(v) for v in values[:layout.name_col] if text(v) and not GSS.match(text(v))
                 and _la_number(v) is None), "")
            gss = text(get(layout.gss_col)) if layout.gss_col is not None else ""
            la = _la_number(get(layout.la_col)) if layout.la_col is not None else None
            if not name:
                if any(text(v) for v in values):
                    table.skipped.append((row.number, "footnote"))
                continue
            key = name.casefold()
            if key == "england" and layout.england_values is not None \
                    and not any(text(v) for v in values[layout.name_col + 1:]):
                values = list(layout.england_values.values)
            if key == "england" or la == "0":
                gss, la, area_kind = ENGLAND, None, "england"
            elif key in REGIONS:  # by its name: SFR41 gives Outer London the code of Barking and Dagenham
                gss, la, area_kind = REGIONS[key], None, "region"
            elif GSS.match(gss) or la:
                area_kind = "local_authority"
                if la is not None and len(la) == 3 and la.startswith("99"):
                    table.skipped.append((row.number, f"{name} ({la}) is a subtotal of areas cypdesk does not know"))
                    continue
            else:  # text with no area code: a note or footnote under (or within) the table
                table.skipped.append((row.number, "footnote"))
                continue
            if not GSS.match(gss):
                gss = ""
            for i, indicator, unit, period, heading in columns:
                value, marker = split_marker(get(i))
                if value is None and marker is None:
                    continue
                yield SourceRow(row.number, [indicator, unit, gss or None, la, _area_name(name), area_kind, period,
                                             f"{column_letter(i)}: {heading}", value, marker, SOURCE],
                                bool(row.hidden))

    headers = [h for h, _ in HEADERS]
    table = long_table(path, sheet, headers, [""] * len(headers), rows, fmt="dfe_la_tables", kind="indicator_values",
                       columns=dict(HEADERS), reason="DfE local authority table", notes=notes)
    return table


def _distinct(columns: list[tuple]) -> tuple[list[tuple], list[str]]:
    """Columns whose indicator and year repeat an earlier column's (a second block of
    figures under the same headings) named with their column letter, so each stays its
    own indicator; and those letters."""
    seen: set[tuple] = set()
    out, repeated = [], []
    for i, name, unit, period, heading in columns:
        if (name, period) in seen:
            name = f"{name} [column {column_letter(i)}]"
            repeated.append(column_letter(i))
        seen.add((name, period))
        out.append((i, name, unit, period, heading))
    return out, repeated


def _area_name(name: str) -> str:
    """England and region names as the other files write them ("ENGLAND" is "England")."""
    if name.isupper() and len(name) > 3:
        return " ".join(w.capitalize() if w not in ("AND", "THE", "OF") else w.lower() for w in name.split())
    return name


FORMAT = Format("dfe_la_tables", "DfE local authority tables workbook", ("indicator_values",), sniff, build)
