"""Fingertips (OHID, formerly PHE) data exports: ``indicators-<AreaType>.data.csv`` and
the profile downloads, one row per indicator, area, breakdown and period.

Kept for every value: the 95% and 99.8% confidence limits, the count (numerator) and
denominator, the value note, the breakdown (sex, age, category), the source "OHID
Fingertips" and the extraction date: the file's own column when it has one, else a date
in the file's name, else the day the file was saved (its modification date: when it was
downloaded, for a file nobody re-saved); a note says which. Not the import date: a
re-import of the same file on another day would then change every value.

A Fingertips CSV's header row has one field more than its data rows (26 and 25 in the
bulk exports): rows are read by position and padded, never shifted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cypdesk.services.importing.formats import Format
from cypdesk.services.importing.formats.common import (
    Head, body_rows, date_in_name, file_date, find_header, headings, index_of, leading_rows, long_table,
    read_head, split_marker, text,
)
from cypdesk.services.importing.source import SourceRow, SourceTable, column_letter, normalise_heading

SOURCE = "OHID Fingertips"
REQUIRED = ("Indicator ID", "Area Code", "Time period", "Value")

AREA_KINDS = {
    "england": "england", "country": "england", "region": "region", "regions": "region",
    "government office region": "region", "upper tier local authority": "local_authority",
    "county ua": "local_authority", "counties ua": "local_authority", "county and ua": "local_authority",
    "upper tier las": "local_authority", "district ua": "district", "districts ua": "district",
    "lower tier local authority": "district", "lower tier las": "district", "ward": "ward",
}

# long heading -> (where it comes from: a Fingertips heading, or None when derived) , target
HEADERS = [
    ("Indicator ID", "indicator_id.code"),
    ("Indicator Name", "indicator_id.name"),
    ("Area Code", "area_id.gss_code"),
    ("Area Name", "area_id.name"),
    ("Area kind", "area_id.kind"),
    ("Sex", "sex"),
    ("Age", "age"),
    ("Category", "category"),
    ("Time period", "period"),
    ("Value", "value"),
    ("Suppressed", "suppressed"),
    ("Lower CI 95.0 limit", "lower_ci"),
    ("Upper CI 95.0 limit", "upper_ci"),
    ("Lower CI 99.8 limit", "lower_ci_998"),
    ("Upper CI 99.8 limit", "upper_ci_998"),
    ("Count", "numerator"),
    ("Denominator", "denominator"),
    ("Value note", "note"),
    ("Source", "source"),
    ("Extract date", "extracted_on"),
]
TEXTS_KEPT = 20_000  # distinct text cells whose text() a rows() pass remembers
EXTRACT_HEADINGS = ("extract date", "extraction date", "date extracted", "data extracted", "export date")


def sniff(head: Head) -> bool:
    if head.format != "csv" and head.format not in ("xlsx", "xls", "ods", "xlsm"):
        return False
    for rows in head.sheets.values():
        if find_header(rows[:10], REQUIRED) is not None:
            return True
    return False


def build(path: Path, kind: str) -> list[SourceTable]:
    from cypdesk.services.importing.opened import workbook

    with workbook(path) as wb:  # checked once; the rows' passes start from its facts
        sheets = [None] if wb.format == "csv" else [s.name for s in wb.sheets]
    head = read_head(path)  # the first rows detection read: no second load of a sheet for its headings
    out = []
    for sheet in sheets:
        first = head.sheets.get(sheet) if head is not None else None
        header = find_header(first[:10] if first else leading_rows(path, sheet, 10), REQUIRED)
        if header is not None:
            out.append(_table(path, sheet, header))
    return out



def _table(path: Path, sheet: str | None, header) -> SourceTable:
    names = headings(header)
    at = index_of(names)
    letters_of = {normalise_heading(h): i for i, h in enumerate(names)}
    extract_col = next((at[h] for h in EXTRACT_HEADINGS if h in at), None)
    notes = []
    if extract_col is not None:
        extracted = None
        notes.append(f"The extract date of each value is the file's own column '{names[extract_col]}'.")
    else:
        extracted = date_in_name(path)
        if extracted is not None:
            notes.append(f"The extract date of every value is {extracted:%d/%m/%Y}, taken from the file's name.")
        else:
            extracted = file_date(path)
            notes.append(f"{path.name} does not say when it was extracted (no extract date column and no date in its "
                         f"name): the day the file was saved, {extracted:%d/%m/%Y}, is recorded as every value's "
                         "extract date (not the import date, so importing the same file again changes nothing).")
    width = len(names)

    # each heading normalised once, not per cell; a heading the file lacks reads the None
    # put after the row's last value
    (ind_id, ind_name, area_code, area_name, area_type, sex, age, cat_type, cat, period, value_at, lower, upper,
     lower_998, upper_998, count, denominator, value_note) = (
        at.get(normalise_heading(h), width) for h in _READ)

    def rows() -> Iterator[SourceRow]:
        kept: dict[tuple[str, Any], _Forms] = {}  # (what, source column) -> its cells' forms, across chunks
        chunk: list[tuple[Any, list]] = []
        for item in body_rows(path, sheet, header.number, width):
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                yield from chunk_rows(chunk, kept)
                chunk = []
        if chunk:
            yield from chunk_rows(chunk, kept)

    def chunk_rows(chunk: list[tuple[Any, list]], kept: dict[tuple[str, Any], _Forms]) -> Iterator[SourceRow]:
        """The rows of a chunk, made column by column: each distinct cell of a text
        column worked out once (names, codes, periods, breakdowns repeat), figures passed
        through when no cell is text."""
        n = len(chunk)
        cells = list(zip(*(values for _, values in chunk)))
        cells.append((None,) * n)  # at position width: a heading the file lacks

        def each(what: str, i: int | tuple[int, int], make: Any) -> list:
            if isinstance(i, tuple):  # two columns: their cells in pairs
                column: Any = list(zip(cells[i[0]], cells[i[1]]))
                types = set(map(type, cells[i[0]])) | set(map(type, cells[i[1]]))
            else:
                column = cells[i]
                types = set(map(type, column))
            if bool in types and types & {int, float}:  # True and 1 are one dict key: cell by cell
                return [make(v) for v in column]
            forms = kept.get((what, i))
            if forms is None:
                forms = kept[(what, i)] = _Forms(make)
            return list(map(forms.__getitem__, column))

        def figures(i: int) -> list:
            column = cells[i]
            if str not in set(map(type, column)):
                return list(column)
            return [v if v.__class__ is str and v[:1].isdigit() and v[-1:].isdigit() else _figure(v)
                    for v in column]  # a plain figure as it is, without a call

        values = cells[value_at]
        if str in set(map(type, values)):
            split = [_value_and_marker(v) for v in values]
            values, markers = [v for v, _ in split], [m for _, m in split]
        else:
            markers = [None] * n
        categories = each("category", (cat_type, cat), _category)
        extracts = cells[extract_col] if extract_col is not None else [extracted] * n
        outs = zip(
            each("text", ind_id, _text_or_none),
            each("text", ind_name, _text_or_none),
            each("text", area_code, _text_or_none),
            each("text", area_name, _text_or_none),
            each("area kind", area_type, _area_kind),
            each("sex", sex, _sex),
            each("age", age, _age),
            categories,
            each("text", period, _text_or_none),
            values,
            markers,
            figures(lower),
            figures(upper),
            figures(lower_998),
            figures(upper_998),
            figures(count),
            figures(denominator),
            each("text", value_note, _text_or_none),
            [SOURCE] * n,
            extracts,
        )
        for (row, _), out in zip(chunk, outs):
            yield SourceRow(row.number, list(out), bool(row.hidden))

    headers = [h for h, _ in HEADERS]
    letters = []
    for h, _ in HEADERS:
        i = letters_of.get(normalise_heading(h))
        letters.append(column_letter(i) if i is not None else "")
    return long_table(path, sheet, headers, letters, rows, fmt="fingertips", kind="indicator_values",
                      columns=dict(HEADERS), reason="Fingertips export", notes=notes)


_READ = ("Indicator ID", "Indicator Name", "Area Code", "Area Name", "Area Type", "Sex", "Age", "Category Type",
         "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
         "Upper CI 99.8 limit", "Count", "Denominator", "Value note")  # the headings rows() reads by name


CHUNK_ROWS = 2_000   # rows made together, column by column


class _Forms(dict):
    """A column's cells -> what a row holds for them, each worked out on first use (up
    to TEXTS_KEPT of them)."""

    __slots__ = ("make",)

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, cell: Any) -> Any:
        form = self.make(cell)
        if len(self) < TEXTS_KEPT:
            self[cell] = form
        return form


def _text_or_none(cell: Any) -> str | None:
    return text(cell) or None


def _area_kind(cell: Any) -> str | None:
    return AREA_KINDS.get(normalise_heading(cell))


def _sex(cell: Any) -> str | None:
    return _breakdown(text(cell), "persons")


def _age(cell: Any) -> str | None:
    return _breakdown(text(cell), None)


def _category(pair: tuple[Any, Any]) -> str | None:
    """"Category Type: Category" from the two cells, either alone when the other is blank."""
    type_text, cat_text = text(pair[0]), text(pair[1])
    return (f"{type_text}: {cat_text}" if type_text and cat_text else (cat_text or type_text)) or None


def _figure(raw: Any) -> Any:
    """A figure's cell without a suppression marker (a marker gives None)."""
    if raw.__class__ is not str:
        return raw
    if not raw:
        return None
    if raw[:1].isdigit() and raw[-1:].isdigit():  # a plain figure: no marker starts with a digit
        return raw
    return split_marker(raw)[0]


def _value_and_marker(raw: Any) -> tuple[Any, str | None]:
    if raw.__class__ is not str or (raw[:1].isdigit() and raw[-1:].isdigit()):
        return raw, None
    return split_marker(raw)


def _breakdown(value: str, default_blank: str | None) -> str | None:
    """Sex and age as written ("Female", "0-4 yrs"), from their text(); "Persons" is no
    breakdown (blank), so a Fingertips value for persons matches one typed without a sex."""
    if not value or (default_blank and value.casefold() == default_blank):
        return None
    return value


FORMAT = Format("fingertips", "Fingertips export (OHID)", ("indicator_values",), sniff, build)
