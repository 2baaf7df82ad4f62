"""What the formats of the field share: the first rows of a file for detection, rows
streamed again for a table, headings found by name, values split into a figure and a
suppression marker, and the long table a format hands to the import."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from cypdesk.common.errors import CypdeskError
from cypdesk.services.importing.source import SourceRow, SourceTable, column_letter, normalise_heading

HEAD_ROWS = 40               # rows read per sheet to recognise a format
HEAD_SCAN_LIMIT = 1000       # ... among at most this many rows (blank ones included)
MAX_HEAD_SHEETS = 100
JSON_SNIFF_BYTES = 64 * 1024
MAX_JSON_BYTES = 200 << 20   # an OCDS package larger than this is refused, not loaded


class FormatError(CypdeskError):
    """A file recognised as a format of the field that cannot be read as one (the wrong
    kind asked for, a sheet laid out differently from the rest of the format)."""

    code = "format"
    exit_code = 1


@dataclass
class Head:
    """The first rows of a file, read once for every format's detection."""

    path: Path
    format: str                                   # "json", "csv", "xlsx", "xls", ...
    sheets: dict[str | None, list[Any]] = field(default_factory=dict)   # sheet -> first Row objects
    text: str = ""                                # JSON: its first bytes as text

    def rows(self, sheet: str | None = None) -> list[Any]:
        if sheet is None and self.sheets:
            return next(iter(self.sheets.values()))
        return self.sheets.get(sheet, [])


def read_head(path: Path) -> Head | None:
    """The file's first rows, or None when it is not a file cypdesk could read (the plain
    table reader then gives the precise refusal). Read once while the file is unchanged
    (:mod:`cypdesk.services.importing.opened`): detection and a format's build share it."""
    from cypdesk.services.importing import opened

    head = opened.remembered(path, "head")
    if head is None:
        before = opened.stamp(path)
        head = _read_head(path)
        if head is not None:
            opened.remember(path, "head", head, before)
    return head


def _read_head(path: Path) -> Head | None:
    from cypdesk.io.workbook import WorkbookError, detect_format
    from cypdesk.services.importing.opened import checked_workbook

    try:
        with open(path, "rb") as fh:
            start = fh.read(JSON_SNIFF_BYTES)
    except OSError:
        return None
    stripped = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return Head(path, "json", text=start.decode("utf-8", "replace"))
    try:
        kind = detect_format(path)
    except WorkbookError:
        return None
    if kind in ("xlsx", "xlsm"):
        return _xlsx_head(path, kind)
    try:
        wb = checked_workbook(path)
    except WorkbookError:
        return None
    head = Head(path, wb.format)
    try:
        for sheet in wb.sheets:
            rows = []
            for row in sheet.rows():
                rows.append(row)
                if len(rows) >= HEAD_ROWS:
                    break
            head.sheets[None if wb.format == "csv" else sheet.name] = rows
    except WorkbookError:
        return None
    finally:
        wb.close()
    return head


SSML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _xlsx_head(path: Path, kind: str) -> Head | None:
    """The first rows of each sheet of an xlsx, streamed from its XML and stopped there:
    the reader's full pre-flight pass streams every sheet to the end and openpyxl loads
    every shared string, which on a big sheet would double an import's reading. Guarded
    as that pass is, where it matters for a few rows: a zip bomb is judged from the
    central directory first, XML is parsed only by defusedxml (no DTD, no entities), the
    declared dimension is ignored. Anything odd: None, and the plain reader, with its full
    checks, gives the refusal."""
    import zipfile

    from cypdesk.io.workbook import MAX_EXPANDED, MAX_RATIO, RATIO_FLOOR, Row

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total, packed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
            if total > MAX_EXPANDED or (total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1)) or any(
                    i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
                return None
            names = set(zf.namelist())
            cells: dict[str, list[tuple[int, list]]] = {}
            wanted: set[int] = set()
            for title, part in _xlsx_sheets(zf, names)[:MAX_HEAD_SHEETS]:
                cells[title] = _first_rows(zf, part, wanted)
            strings = _shared_strings(zf, names, max(wanted)) if wanted else []
    except Exception:  # damaged, entities refused by defusedxml, anything: the plain reader says precisely what
        return None
    head = Head(path, kind)
    for title, rows in cells.items():
        out = []
        for number, values in rows:
            values = [(strings[v[1]] if v[1] < len(strings) else None) if isinstance(v, tuple) else v for v in values]
            out.append(Row(number, values))
        head.sheets[title] = out
    return head


def _xlsx_sheets(zf, names: set[str]) -> list[tuple[str, str]]:
    from defusedxml import ElementTree as DET

    book = DET.fromstring(zf.read("xl/workbook.xml"))
    rels = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in DET.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
            target = rel.get("Target", "")
            rels[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = []
    for sheet in book.iter(f"{SSML}sheet"):
        part = re.sub(r"[^/]+/\.\./", "", rels.get(sheet.get(f"{RELS}id"), ""))
        if part in names:
            out.append((sheet.get("name", ""), part))
    return out


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def _first_rows(zf, part: str, wanted: set[int]) -> list[tuple[int, list]]:
    """(row number, values) of a sheet's first rows with values; a shared string is
    (\"s\", index) until the strings are read, and its index is added to ``wanted``."""
    from defusedxml.ElementTree import iterparse

    rows: list[tuple[int, list]] = []
    seen = 0
    with zf.open(part) as fh:
        for _event, el in iterparse(fh, events=("end",)):
            if el.tag != f"{SSML}row":
                continue
            seen += 1
            number = int(el.get("r") or seen)
            values: list = []
            for c in el.iter(f"{SSML}c"):
                col = _column(c.get("r", "")) if c.get("r") else len(values)
                kind_ = c.get("t", "n")
                v = c.find(f"{SSML}v")
                raw = v.text if v is not None else None
                if kind_ == "inlineStr":
                    value = "".join(t.text or "" for t in c.iter(f"{SSML}t")) or None
                elif raw is None:
                    value = None
                elif kind_ == "s":
                    value = ("s", int(raw))
                    wanted.add(int(raw))
                elif kind_ == "n":
                    value = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
                elif kind_ == "b":
                    value = raw == "1"
                else:
                    value = raw
                if col >= 0:
                    values.extend([None] * (col + 1 - len(values)))
                    values[col] = value
            el.clear()
            while values and values[-1] in (None, ""):
                values.pop()
            if values:
                rows.append((number, values))
            if len(rows) >= HEAD_ROWS or seen >= HEAD_SCAN_LIMIT:
                break
    return rows


def _shared_strings(zf, names: set[str], last: int) -> list[str]:
    """The shared strings up to index ``last``, streamed (never the whole table)."""
    from defusedxml.ElementTree import iterparse

    out: list[str] = []
    if "xl/sharedStrings.xml" not in names:
        return out
    with zf.open("xl/sharedStrings.xml") as fh:
        for _event, el in iterparse(fh, events=("end",)):
            if el.tag != f"{SSML}si":
                continue
            out.append("".join(t.text or "" for t in el.iter(f"{SSML}t")
                               if t.tag == f"{SSML}t"))
            el.clear()
            if len(out) > last:
                break
    return out


def load_json(path: Path) -> Any:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise FormatError(f"{path.name} is {size / (1 << 20):.0f} MB of JSON, more than cypdesk reads at once "
                          f"({MAX_JSON_BYTES >> 20} MB): split the release package and import the parts.", path=path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path.name} is not valid JSON ({exc}): it cannot be read as an OCDS release "
                          "package.", path=path) from exc


def sheet_rows(path: Path, sheet: str | None = None) -> Iterator[Any]:
    """The rows of a sheet (CSV: the file), streamed from a fresh read each call (the
    file's checks run once: :func:`cypdesk.services.importing.opened.checked_workbook`)."""
    from cypdesk.services.importing.opened import checked_workbook

    wb = checked_workbook(path)
    try:
        chosen = wb.sheets[0] if sheet is None else wb.sheet(sheet)
        yield from chosen.rows()
    finally:
        wb.close()


def body_rows(path: Path, sheet: str | None, header_number: int, width: int) -> Iterator[tuple[Any, list]]:
    """The rows below the heading row (``header_number``), each with its first ``width``
    values padded out with None; blank rows are left out."""
    for row in sheet_rows(path, sheet):
        if row.number <= header_number:
            continue
        values = list(row.values[:width]) + [None] * (width - len(row.values))
        if _has_text(values):
            yield row, values


_ALWAYS_TEXT = frozenset({int, float, bool, date, datetime, time})  # cells whose text() is never empty


def _has_text(values: list[Any]) -> bool:
    """Whether any of ``values`` has a text() that is not empty (without making it: a
    number or a date always has one, a text one unless it is only spaces)."""
    for value in values:
        if value is None:
            continue
        if value.__class__ in _ALWAYS_TEXT:
            return True
        if value.__class__ is not str:
            if text(value):
                return True
        elif value and not value.isspace():
            return True
    return False


def leading_rows(path: Path, sheet: str | None = None, limit: int = HEAD_ROWS) -> list[Any]:
    """A sheet's first ``limit`` rows with values (CSV: the file's)."""
    rows = []
    for row in sheet_rows(path, sheet):
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def first_of(at: dict[str, int], names: Iterable[str]) -> int | None:
    """The position of the first of ``names`` (normalised headings) a table has."""
    return next((at[n] for n in names if n in at), None)


def text(value: Any) -> str:
    """A cell as plain text: spaces (non-breaking ones too) trimmed and runs collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\xa0", " ").split())


def headings(row: Any) -> list[str]:
    return [text(v) for v in row.values]


def find_header(rows: Iterable[Any], must: Iterable[str]) -> Any | None:
    """The first row whose normalised cells include every heading in ``must``."""
    wanted = {normalise_heading(m) for m in must}
    for row in rows:
        cells = {normalise_heading(v) for v in row.values if v not in (None, "")}
        if wanted <= cells:
            return row
    return None


def index_of(headers: list[str]) -> dict[str, int]:
    """Normalised heading -> position (the first of equal headings)."""
    out: dict[str, int] = {}
    for i, h in enumerate(headers):
        out.setdefault(normalise_heading(h), i)
    return out


# --- values ----------------------------------------------------------------------------

# The markers statisticians write instead of a figure (GSS guidance, DfE, ONS), with "k"
# (rounds to zero) and "low" that some DfE tables use. "." is DfE's "not applicable": it
# is kept as "z", the GSS marker for the same thing, since the document's list of markers
# has no ".".
MARKERS = {"c": "c", "x": "x", "..": "..", "*": "*", "-": "-", "z": "z", ":": ":", "k": "k", "low": "low",
           ".": "z"}
_NUMBERISH = re.compile(r"^[-+(£$]?\s*[\d.,]+\s*[)%kmKM]?$")


def split_marker(raw: Any) -> tuple[Any, str | None]:
    """A figure's cell as (value, marker): a suppression marker gives (None, marker) so
    it is kept as suppressed and never read as zero; anything else is returned as it is
    for the cell converter."""
    if isinstance(raw, str):
        key = raw.strip().casefold()
        marker = MARKERS.get(key)
        if marker is not None:
            return None, marker
        return (raw.strip() or None), None
    return raw, None


def looks_numeric(raw: Any) -> bool:
    if raw is None or isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return True
    s = str(raw).strip()
    return bool(s) and (s.casefold() in MARKERS or bool(_NUMBERISH.match(s)))


_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_name(path: Path) -> date | None:
    """A date written in a file's name (``indicators-2024-05-01.data.csv``), or None."""
    m = _DATE_IN_NAME.search(path.stem)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def file_date(path: Path) -> date:
    """The day a file was last saved (its modification time, local time)."""
    import datetime as _dt

    return _dt.datetime.fromtimestamp(path.stat().st_mtime).date()


def fix_mojibake(value: str) -> str:
    """UTF-8 read as Windows-1252/Latin-1 and saved again ("SteÃ²rnabhagh" for
    "Steòrnabhagh"), undone when the round trip gives valid UTF-8; anything else as is."""
    if not value or not any(ch in value for ch in "ÃÂÅÄ"):
        return value
    for enc in ("cp1252", "latin-1"):
        try:
            fixed = value.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return fixed
    return value


# --- the table a format hands over ------------------------------------------------------

def preset(kind: str, columns: dict[str, str | None], fixed: dict[str, Any] | None = None, *,
           reason: str) -> dict[str, Any]:
    """The mapping a format knows, in the ``--mapping M.json`` form
    (``importing.mapping.Mapping.from_json`` reads it)."""
    return {"kind": kind, "columns": dict(columns), "fixed": dict(fixed or {}),
            "reasons": {h: reason for h, t in columns.items() if t}}


def long_table(path: Path, sheet: str | None, headers: list[str], letters: list[str] | None,
               rows: Callable[[], Iterator[SourceRow]], *, fmt: str, kind: str,
               columns: dict[str, str | None], fixed: dict[str, Any] | None = None, reason: str,
               notes: list[str] | None = None) -> SourceTable:
    letters = letters if letters is not None else [column_letter(i) for i in range(len(headers))]
    return SourceTable(path=path, sheet=sheet, headers=headers, letters=letters, rows=rows,
                       notes=list(notes or []), format=fmt,
                       preset=preset(kind, columns, fixed, reason=reason))


def wrong_kind(path: Path, label: str, kind: str, kinds: tuple[str, ...]) -> FormatError:
    words = " or ".join(k.replace("_", " ") for k in kinds)
    return FormatError(f"{path.name} is {label}: it imports into {words}, not {kind.replace('_', ' ')} "
                       f"(use --kind {kinds[0]}).", path=path, kind=kind, kinds=list(kinds))


__all__ = [
    "FormatError", "Head", "MARKERS", "date_in_name", "file_date",
    "find_header", "first_of", "fix_mojibake", "headings", "index_of", "leading_rows", "load_json",
    "long_table", "looks_numeric", "preset", "read_head", "sheet_rows", "split_marker", "text", "wrong_kind",
]
