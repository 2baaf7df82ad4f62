"""The table an import reads from a file: its headings, their column letters and its
rows, streamed again on each call (issue 9, items 1 and 4).

:func:`open_source` tries, in order, the formats of the field
(:mod:`cypdesk.services.importing.formats`), a completed return template
(:func:`cypdesk.services.templates.read_template`), and a plain table found with
:mod:`cypdesk.io.tablefind` in a workbook or CSV opened by :mod:`cypdesk.io.workbook`.
Sheets are chosen by name, never by position: with several sheets that hold a table
and no ``sheet``, a refusal lists them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cypdesk.common.errors import CypdeskError
from cypdesk.io.tablefind import column_letter  # noqa: F401  (the formats take it from here)

class SourceError(CypdeskError):
    """The file holds no table an import can read (no sheet chosen among several, no
    headings...)."""

    code = "source"
    exit_code = 1


@dataclass
class SourceRow:
    number: int                   # Excel row number (CSV: line/record number), for messages
    values: list[Any]             # aligned with SourceTable.headers
    hidden: bool = False


@lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    value = unicodedata.normalize("NFKD", text)
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def normalise_heading(text: Any) -> str:
    """A heading as compared: case, accents, spaces, underscores and punctuation ignored
    ("Contract_Start Date " and "contract start date" are the same)."""
    if text is None:
        return ""
    return _normalise(str(text))


@dataclass
class SourceTable:
    path: Path                    # the file
    sheet: str | None             # sheet name (None for CSV/JSON)
    headers: list[str]
    letters: list[str]            # column letters aligned with headers
    rows: Callable[[], Iterator[SourceRow]]   # re-iterable: each call streams the rows again
    notes: list[str] = field(default_factory=list)  # warnings to show
    format: str = "table"
    preset: Mapping | None = None  # a mapping the format knows (no guessing needed)
    date1904: bool = False
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why) of the last rows() pass
    percent_letters: set[str] = field(default_factory=set)  # columns formatted as percentages (xlsx): 0.125 is 12.5%

    @property
    def layout(self) -> str:
        """sha256 hex of the normalised headings (and the format): the same layout next
        month gets the mapping remembered from this one."""
        text = "\x1f".join([self.format, *(normalise_heading(h) for h in self.headers)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def name(self) -> str:
        return self.path.name


def open_source(path: str | Path, *, kind: str, sheet: str | None = None,
                header_row: int | None = None) -> SourceTable:
    """The table to import from a file (see the module's notes)."""
    path = Path(path)
    detected = _detect_format(path)
    if detected is not None:
        tables = detected.tables(path, kind)
        return _choose_table(path, tables, sheet)
    template = _read_template(path, kind)
    if template is not None:
        return template
    from cypdesk.services.importing.opened import checked_workbook

    wb = checked_workbook(path)  # checked once per file: detection may have opened it already
    notes = list(wb.warnings)
    if wb.format == "csv":
        chosen = wb.sheets[0]
    elif sheet is not None:
        chosen = wb.sheet(sheet)
    else:
        chosen = _only_data_sheet(path, wb)
    return _plain_table(path, wb, chosen, header_row=header_row, notes=notes)


def _detect_format(path: Path) -> Any:
    try:
        from cypdesk.services.importing import formats
    except ImportError:  # the formats of the field come with their own part of issue 9
        return None
    detect = getattr(formats, "detect", None)
    return detect(path) if detect is not None else None


def _read_template(path: Path, kind: str) -> SourceTable | None:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        from cypdesk.services.templates import read_template
    except ImportError:
        return None
    return read_template(path, kind=kind)  # a template for another kind is refused


def _choose_table(path: Path, tables: list[SourceTable], sheet: str | None) -> SourceTable:
    if sheet is not None:
        for table in tables:
            if table.sheet == sheet:
                return table
        names = ", ".join(repr(t.sheet) for t in tables if t.sheet)
        raise SourceError(f"{path.name} has no table in a sheet called {sheet!r}" + (f" (it has: {names})." if names
                          else "."), path=path, sheet=sheet)
    if len(tables) == 1:
        return tables[0]
    if not tables:
        raise SourceError(f"{path.name} holds no table cypdesk can import.", path=path)
    names = ", ".join(repr(t.sheet) for t in tables)
    raise SourceError(f"{path.name} has several sheets with tables: {names}. Choose one with --sheet.",
                      path=path, sheets=[t.sheet for t in tables])


def _only_data_sheet(path: Path, wb: Any) -> Any:
    """The one visible sheet that holds a table (at least two rows with values)."""
    candidates = []
    for candidate in wb.sheets:
        if candidate.hidden:
            continue
        rows = 0
        for _row in candidate.rows():
            rows += 1
            if rows >= 2:
                break
        if rows >= 2:
            candidates.append(candidate)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SourceError(f"{path.name} has no sheet with a table in it (a row of headings and at least one row "
                          "of data).", path=path)
    names = ", ".join(repr(c.name) for c in candidates)
    raise SourceError(f"{path.name} has several sheets with tables: {names}. Choose one with --sheet.",
                      path=path, sheets=[c.name for c in candidates])


def _plain_table(path: Path, wb: Any, sheet: Any, *, header_row: int | None, notes: list[str]) -> SourceTable:
    """The table in one sheet (or a CSV): headings under title and note rows, two-row
    and merged headings joined (io.tablefind); rows that are not data (totals, repeated
    headings, footnotes) skipped and noted as the rows stream."""
    from cypdesk.io import tablefind

    sheet_name = None if wb.format == "csv" else sheet.name
    location = tablefind.find_table(sheet, header_row=header_row)
    notes.extend(location.notes)
    table = SourceTable(path=path, sheet=sheet_name, headers=[str(h or "") for h in location.headers],
                        letters=list(location.letters), rows=lambda: iter(()), notes=notes, format="table",
                        date1904=bool(getattr(wb, "date1904", False)),
                        percent_letters=set(sheet.percent_columns) if wb.format in ("xlsx", "xlsm") else set())

    # A CSV's text cells that look like formulas were written with a ' in front (ours by
    # cypdesk.io.xlsx.escape_csv_cell, Excel users' by hand): the text is what follows it.
    unescape = _csv_unescape() if wb.format == "csv" else None

    def rows() -> Iterator[SourceRow]:
        table.skipped = []
        for row in tablefind.fill_merged(sheet.rows(), location):
            if row.number < location.first_data_row:
                continue
            reason = tablefind.skip_reason(row, location)
            if reason is not None:
                if reason != "blank":
                    table.skipped.append((row.number, reason))
                continue
            values = location.values(row)
            if unescape is not None:
                values = [unescape(v) if isinstance(v, str) and v.startswith("'") else v for v in values]
            yield SourceRow(row.number, values, bool(row.hidden))

    table.rows = rows
    return table


def _csv_unescape() -> Callable[[str], str]:
    from cypdesk.io.xlsx import unescape_csv_cell

    return unescape_csv_cell


__all__ = ["SourceError", "SourceRow", "SourceTable", "column_letter", "normalise_heading", "open_source"]
