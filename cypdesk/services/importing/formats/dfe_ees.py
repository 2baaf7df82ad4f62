"""DfE "explore education statistics" tidy CSVs: ``time_period``, ``time_identifier``,
``geographic_level``, the area's codes and names, then filter columns (text, the
breakdown) and measure columns (figures, with DfE's suppression markers).

Each measure column is one indicator, named by the file and the column
("cla number and rate per 10k children: rate_per_10000"), so two files that both have a
column "number" keep two indicators. The filter columns' values, joined, are the value's
category ("CINO at 31 March"). The period comes from ``time_period`` with
``time_identifier`` (:func:`cypdesk.common.periods.parse_dfe`: 201718 "Academic year" is
2017/18; a "Reporting year" 2024 in children's social care is the year to 31 March,
2023-24). Areas: National rows are the country (country_code), Regional rows the region
(region_code), Local authority rows the LA (new_la_code, with old_la_code as its DfE LA
code); every level is kept, as an area of its kind. Rows at other levels (parliamentary
constituencies, opportunity areas...) are left out and counted in a note.

A column is a measure when every value in the first rows is a figure or a marker; the
columns of codes and names (``*_code``, ``*_name``, ``*_id``, ``*_urn``) never are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import (
    Head, find_header, leading_rows, headings, looks_numeric, long_table, sheet_rows, split_marker, text,
)
from cypdesk.services.importing.source import SourceRow, SourceTable

SOURCE = "DfE explore education statistics"
REQUIRED = ("time_period", "time_identifier", "geographic_level")
GEOGRAPHY = {
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "la_name", "new_la_code", "lad_code", "lad_name",
}
IDENTIFIER_LIKE = re.compile(r".*_(code|name|id|urn|laestab|ukprn|lead)$", re.IGNORECASE)
SAMPLE_ROWS = 2000
# geographic_level -> (area kind, code column, name column, DfE LA code column)
LEVELS = {
    "national": ("england", "country_code", "country_name", None),
    "regional": ("region", "region_code", "region_name", None),
    "local authority": ("local_authority", "new_la_code", "la_name", "old_la_code"),
    "local authority district": ("district", "lad_code", "lad_name", None),
}

HEADERS = [
    ("Indicator", "indicator_id.name"),
    ("Area code", "area_id.gss_code"),
    ("Area", "area_id.name"),
    ("LA code", "area_id.la_code"),
    ("Area kind", "area_id.kind"),
    ("Period", "period"),
    ("Category", "category"),
    ("Measure column", None),
    ("Value", "value"),
    ("Suppressed", "suppressed"),
    ("Source", "source"),
]


def sniff(head: Head) -> bool:
    return head.format == "csv" and find_header(head.rows()[:3], REQUIRED) is not None


def indicator_stem(path: Path) -> str:
    """The file's name as words: "la_conviction_health_outcome_cla (3).csv" is
    "la conviction health outcome cla"."""
    stem = re.sub(r"\s*\(\d+\)$", "", path.stem)
    return " ".join(stem.replace("_", " ").replace("-", " ").split())


def build(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.common.periods import PeriodError, parse_dfe

    header = find_header(leading_rows(path, None, 3), REQUIRED)
    names = headings(header)
    lower = [n.casefold() for n in names]
    sample = leading_rows(path, None, SAMPLE_ROWS)[1:]
    measures, filters = [], []
    for i, name in enumerate(lower):
        if name in GEOGRAPHY or IDENTIFIER_LIKE.fullmatch(name):
            continue
        values = [r.values[i] for r in sample if i < len(r.values) and text(r.values[i])]
        if values and all(looks_numeric(v) for v in values):
            measures.append(i)
        else:
            filters.append(i)
    stem = indicator_stem(path)
    col = {n: i for i, n in reversed(list(enumerate(lower)))}
    skipped_levels: dict[str, int] = {}
    notes = [f"{len(measures)} measure column(s) become indicators named '{stem}: <column>'"
             + (f"; the filter column(s) {', '.join(names[i] for i in filters)} give each value's category." if filters
                else ".")]
    table = None

    def get(values: list, name: str | None):
        i = col.get(name) if name else None
        return text(values[i]) if i is not None and i < len(values) else ""

    def rows() -> Iterator[SourceRow]:
        skipped_levels.clear()
        for row in sheet_rows(path):
            if row.number <= header.number:
                continue
            values = list(row.values)
            if not any(text(v) for v in values):
                continue
            level = get(values, "geographic_level")
            area = LEVELS.get(level.casefold())
            if area is None:
                skipped_levels[level] = skipped_levels.get(level, 0) + 1
                table.skipped.append((row.number, f"geographic level {level!r} is not an area cypdesk holds"))
                continue
            area_kind, code_col, name_col, la_col = area
            tp, ti = get(values, "time_period"), get(values, "time_identifier")
            try:
                period = parse_dfe(tp, ti).key()
            except PeriodError:
                period = f"{tp} {ti}".strip()  # the import reports it, naming the row
            category = "; ".join(x for x in (text(values[i]) if i < len(values) else "" for i in filters) if x)
            for i in measures:
                value, marker = split_marker(values[i] if i < len(values) else None)
                yield SourceRow(row.number, [
                    f"{stem}: {names[i]}", get(values, code_col) or None, get(values, name_col) or None,
                    get(values, la_col) or None, area_kind, period, category or None, names[i], value, marker,
                    SOURCE,
                ], bool(row.hidden))

    headers = [h for h, _ in HEADERS]
    table = long_table(path, None, headers, None, rows, fmt="dfe_ees", kind="indicator_values",
                       columns=dict(HEADERS), reason="DfE explore education statistics file", notes=notes)
    table.letters = [""] * len(headers)
    return [table]



FORMAT = Format("dfe_ees", "DfE explore education statistics file", ("indicator_values",), sniff, build)
