"""Tables out to Excel and CSV (DESIGN.md section 6: every table exports to Excel),
made safe against formula injection (OWASP ASVS 1.2.10; reliability anchors 55-56).

**Excel.** Written by xlsxwriter in ``constant_memory`` mode (the fastest writer with
flat memory, performance anchors 3c): rows stream to disk as they come, so a table of
any size costs the same memory. Text is always written with ``write_string``, so user
text that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or NUL is a text cell,
never a formula (the sheet XML has no ``<f>``), and reads back as exactly the text
that was written; such cells also carry Excel's *quote prefix* style, so editing the
cell in Excel keeps it text. Column kinds:

- ``money``: a number, shown ``£#,##0`` (pence are kept in the value);
- ``percent``: the number as cypdesk holds it (12.5 means 12.5%), shown ``0.0"%"``:
  the literal % sign keeps the cell's value equal to the app's, so a re-import reads
  12.5, not 0.125;
- ``number``, ``integer``: numbers with UK thousands separators: ``#,##0`` for whole
  numbers, ``#,##0.0#########`` for the others (61.25 shows "61.25", 1200 "1,200");
  ``date``: a real Excel date shown ``dd/mm/yyyy``;
  ``datetime``: ``dd/mm/yyyy hh:mm``;
- ``bool``: the text ``Yes`` or ``No``, as the window shows it and the importer reads
  it (not TRUE/FALSE, which officers filter less easily and partners' templates
  rarely use);
- ``text`` (the default): text; a number in a text column stays a number.

The header row is bold and frozen, with an autofilter over the data, and columns are
sized from the header and the first rows. Sheet names are made legal (31 characters,
no ``[ ] : * ? / \\``, no leading or trailing apostrophe, unique, not "History").

**CSV.** UTF-8 *with* a byte-order mark, so Excel on UK Windows opens names such as
"Siân Llŷr", "Łukasz Wąsik" and "فاطمہ" correctly; RFC 4180 quoting and CRLF line
ends; a text cell that starts with ``= + - @``, tab, CR or NUL gets a leading ``'``
(ASVS 1.2.10), which :func:`unescape_csv_cell` takes off again (text that starts with
``'`` before such a character gets one more, so the way back is exact). Numbers are written
plain (no £ or thousands separators), dates ``dd/mm/yyyy``, booleans Yes/No.

**Saving.** Both write a temporary file beside the target and move it into place with
``os.replace``, so a failure or a cancel (an exception from the rows iterator) leaves
the old file, or no file, never half a file. On Windows a file open in Excel cannot
be replaced: that is :class:`SaveFailed` with a message naming the file.
"""

from __future__ import annotations

import csv
import math
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cypdesk.common.errors import SaveFailed, UsageError
from cypdesk.model.saving import copy_permissions

COLUMN_KINDS = ("text", "money", "percent", "number", "integer", "date", "datetime", "bool")
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
MONEY_FORMAT = "£#,##0"
PERCENT_FORMAT = '0.0"%"'
DATE_FORMAT = "dd/mm/yyyy"
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#########"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header included
MAX_CELL_TEXT = 32_767  # Excel's characters per cell
SHEET_NAME_LIMIT = 31
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, the header labels, the rows (any iterable, read once, in
    order) and each column's kind (:data:`COLUMN_KINDS`; missing kinds are text)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    kinds: Sequence[str] = ()


def is_dangerous(text: str) -> bool:
    """Text a spreadsheet could take for a formula (ASVS 1.2.10)."""
    return text.startswith(DANGEROUS_PREFIXES)


# --- Excel ------------------------------------------------------------------------------

_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A legal, unique sheet name for ``name``: forbidden characters become ``-``,
    control characters go, at most 31 characters, no apostrophe at either end, never
    empty nor Excel's reserved "History", and not one of ``taken`` (compared without
    regard to case, as Excel does): "Services (2)".."""
    text = _FORBIDDEN_IN_SHEET_NAME.sub("-", str(name))
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    text = text[:SHEET_NAME_LIMIT].strip("'").strip() or "Sheet"
    if text.casefold() == "history":
        text = "History (table)"
    used = {t.casefold() for t in taken}
    candidate, n = text, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = text[: SHEET_NAME_LIMIT - len(suffix)].rstrip("'").rstrip() + suffix
    return candidate


def write_xlsx(path: str | os.PathLike[str], sheets: Iterable[Sheet | tuple[Any, ...]]) -> dict[str, Any]:
    """Write ``sheets`` (:class:`Sheet`, or tuples ``(name, headers, rows[, kinds])``)
    to an Excel workbook at ``path``, atomically. Returns ``{"path", "sheets": [{"name",
    "rows"}], "truncated"}``: ``truncated`` counts text cells cut to Excel's 32,767
    characters. Raises :class:`SaveFailed` (the file is open elsewhere, the folder is
    missing or read-only) and whatever the rows iterator raises (a cancel), in every
    case leaving no partial file."""
    import xlsxwriter

    target = Path(path)
    written: list[dict[str, Any]] = []
    truncated = 0
    with atomic_output(target, ".xlsx") as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        try:
            formats = _Formats(workbook)
            taken: list[str] = []
            for item in sheets:
                sheet = item if isinstance(item, Sheet) else Sheet(*item)
                name = sheet_name(sheet.name, taken)
                taken.append(name)
                rows, cut = _write_sheet(workbook.add_worksheet(name), formats, sheet)
                written.append({"name": name, "rows": rows})
                truncated += cut
            if not taken:
                workbook.add_worksheet("Sheet1")
        except BaseException:
            try:  # let xlsxwriter remove its own temporary files; the error that matters is the first
                workbook.close()
            except Exception:  # noqa: BLE001
                pass
            raise
        try:
            workbook.close()
        except Exception as exc:  # xlsxwriter's FileCreateError and the like
            raise SaveFailed(f"{target.name} could not be written: {exc}", path=target) from exc
    return {"path": str(target), "sheets": written, "truncated": truncated}


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "text_wrap": False, "valign": "top", "bottom": 1})
        self.money = workbook.add_format({"num_format": MONEY_FORMAT})
        self.percent = workbook.add_format({"num_format": PERCENT_FORMAT})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.whole = workbook.add_format({"num_format": WHOLE_FORMAT})
        self.decimal = workbook.add_format({"num_format": DECIMAL_FORMAT})


def _write_sheet(ws: Any, formats: _Formats, sheet: Sheet) -> tuple[int, int]:
    headers = [str(h) for h in sheet.headers]
    ncols = len(headers)
    kinds = [(sheet.kinds[i] if i < len(sheet.kinds) else "text") or "text" for i in range(ncols)]
    for kind in kinds:
        if kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {kind!r}")
    widths = [min(max(len(h) + 3, MIN_WIDTH), MAX_WIDTH) for h in headers]
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, formats.header)
    writers = [_cell_writer(kind, formats) for kind in kinds]
    r = 0
    truncated = 0
    for r, row in enumerate(sheet.rows, start=1):
        if r >= MAX_ROWS:
            raise UsageError(f"The sheet {sheet.name!r} has more rows than Excel allows ({MAX_ROWS - 1:,}); "
                             "export it as CSV instead.")
        for c, value in enumerate(row):
            if c >= ncols or value is None:
                continue
            shown = writers[c](ws, r, c, value)
            if shown < 0:
                truncated += 1
                shown = MAX_CELL_TEXT
            if r <= WIDTH_SAMPLE_ROWS and shown + 2 > widths[c]:
                widths[c] = min(shown + 2, MAX_WIDTH)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    if ncols:
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(r, 0), ncols - 1)
    return r, truncated


def _text_length(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _cell_writer(kind: str, formats: _Formats) -> Callable[[Any, int, int, Any], int]:
    """A function writing one value of ``kind``; returns the width it needs (or -1
    when text was cut to Excel's limit)."""

    def text(ws: Any, r: int, c: int, value: Any) -> int:
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, (int, float)):
            return number(ws, r, c, value)
        elif isinstance(value, datetime):
            return when(ws, r, c, value)
        elif isinstance(value, date):
            return day(ws, r, c, value)
        s = str(value)
        result = ws.write_string(r, c, s, formats.quoted if is_dangerous(s) else None)
        return -1 if result == -2 else _text_length(s)

    def number(ws: Any, r: int, c: int, value: Any, fmt: Any = None, plain: Any = None) -> int:
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "").replace("£", "").rstrip("%"))
            except ValueError:
                return text(ws, r, c, value)
        value = float(value) if not isinstance(value, int) else value
        if isinstance(value, float) and not math.isfinite(value):
            return 0
        if fmt is None and plain is not None:
            fmt = plain if plain is not formats.decimal or not float(value).is_integer() else formats.whole
        ws.write_number(r, c, value, fmt)
        if fmt is formats.decimal:
            return len(f"{value:,.10f}".rstrip("0"))
        return len(f"{value:,.0f}") + (2 if fmt is formats.money else 0) if fmt is not None else len(f"{value:g}")

    def day(ws: Any, r: int, c: int, value: Any) -> int:
        d = _as_date(value)
        if d is None:
            return text(ws, r, c, value)
        ws.write_datetime(r, c, datetime(d.year, d.month, d.day), formats.date)
        return 10

    def when(ws: Any, r: int, c: int, value: Any) -> int:
        dt = _as_datetime(value)
        if dt is None:
            return text(ws, r, c, value)
        ws.write_datetime(r, c, dt, formats.datetime)
        return 16

    def yes_no(ws: Any, r: int, c: int, value: Any) -> int:
        if isinstance(value, str):
            return text(ws, r, c, value)
        ws.write_string(r, c, "Yes" if value else "No")
        return 3

    if kind == "money":
        return lambda ws, r, c, v: number(ws, r, c, v, formats.money)
    if kind == "percent":
        return lambda ws, r, c, v: number(ws, r, c, v, formats.percent)
    if kind == "integer":
        return lambda ws, r, c, v: number(ws, r, c, v, plain=formats.whole)
    if kind == "number":
        return lambda ws, r, c, v: number(ws, r, c, v, plain=formats.decimal)
    if kind == "date":
        return day
    if kind == "datetime":
        return when
    if kind == "bool":
        return yes_no
    return text


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return None


# --- CSV --------------------------------------------------------------------------------

def escape_csv_cell(text: str) -> str:
    """``'`` in front of text a spreadsheet could run as a formula (ASVS 1.2.10), and
    in front of text that already starts with quotes before such a character, so that
    :func:`unescape_csv_cell` can tell the two apart ("'=x" stays "'=x" on the way
    back, not "=x")."""
    return "'" + text if is_dangerous(text.lstrip("'")) else text


def unescape_csv_cell(text: str) -> str:
    """The text :func:`escape_csv_cell` was given (for reading our own CSV back)."""
    return text[1:] if text.startswith("'") and is_dangerous(text.lstrip("'")) else text


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or kind == "bool" and isinstance(value, int):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        if isinstance(value, float):
            if not math.isfinite(value):
                return ""
            if value.is_integer() and abs(value) < 1e15:
                return str(int(value))
            return repr(value)
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if kind == "date":
        d = _as_date(value)
        if d is not None:
            return d.strftime("%d/%m/%Y")
    if kind == "datetime":
        dt = _as_datetime(value)
        if dt is not None:
            return dt.strftime("%d/%m/%Y %H:%M")
    return escape_csv_cell(str(value))


def write_csv(path: str | os.PathLike[str], headers: Sequence[str], rows: Iterable[Sequence[Any]],
              kinds: Sequence[str] = ()) -> dict[str, Any]:
    """Write a CSV file (module doc: UTF-8 with BOM, RFC 4180, formula-safe),
    atomically. Returns ``{"path", "rows"}``."""
    target = Path(path)
    ncols = len(headers)
    col_kinds = [(kinds[i] if i < len(kinds) else "text") or "text" for i in range(ncols)]
    n = 0
    with atomic_output(target, ".csv") as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow([escape_csv_cell(str(h)) for h in headers])
            for row in rows:
                writer.writerow([_csv_value(v, col_kinds[i] if i < ncols else "text") for i, v in enumerate(row)])
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
    return {"path": str(target), "rows": n}


def read_csv(path: str | os.PathLike[str]) -> Iterator[list[str]]:
    """Rows of a CSV written by :func:`write_csv`, with the ``'`` guards taken off."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            yield [unescape_csv_cell(cell) for cell in row]


# --- saving -----------------------------------------------------------------------------

@contextmanager
def atomic_output(target: Path, suffix: str) -> Iterator[Path]:
    """A temporary path beside ``target``, moved onto it when the block succeeds and
    removed whatever happens otherwise (exports and return templates write through it)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SaveFailed(f"The folder {folder} does not exist, so {target.name} was not written.", path=target)
    if target.is_dir():
        raise SaveFailed(f"{target} is a folder; choose a file name to export to.", path=target)
    try:
        replaced: os.stat_result | None = os.stat(target)
    except OSError:
        replaced = None
    tmp = folder / f".~export-{secrets.token_hex(8)}{suffix}.tmp"
    try:
        # A new export gets the umask's mode, like any new file; one that replaces a
        # file is private until it takes that file's mode, owner and group.
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                     0o600 if replaced is not None else 0o666)
    except OSError as exc:
        raise SaveFailed(f"{target.name} could not be written in {folder}: {exc.strerror or exc}.", path=target) from exc
    os.close(fd)
    try:
        yield tmp
        try:
            if replaced is not None:
                copy_permissions(replaced, tmp)
            os.replace(tmp, target)
        except PermissionError as exc:
            raise SaveFailed(
                f"{target.name} is open in another program (Excel?); close it and export again.", path=target
            ) from exc
        except OSError as exc:
            raise SaveFailed(f"{target.name} could not be written: {exc.strerror or exc}.", path=target) from exc
    finally:
        tmp.unlink(missing_ok=True)


__all__ = [
    "COLUMN_KINDS", "DANGEROUS_PREFIXES", "DATE_FORMAT", "DECIMAL_FORMAT", "MONEY_FORMAT", "PERCENT_FORMAT", "Sheet",
    "WHOLE_FORMAT",
    "atomic_output", "escape_csv_cell", "is_dangerous", "read_csv", "sheet_name", "unescape_csv_cell", "write_csv",
    "write_xlsx",
]
