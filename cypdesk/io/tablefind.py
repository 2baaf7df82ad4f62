"""Finding the table in a sheet (issue 9, item 4; reliability anchors 46, 47, 51).

Officers' sheets rarely start at A1: a title, notes and blank rows come first, headings
may take two rows (a merged "2024-25" over "Spend" and "Budget"), totals and footnotes
come after the data. :func:`locate` finds the heading row in a sheet's first rows and
joins headings; :func:`skip_reason` says which later rows are not data.

The rules, in one place:

The heading row
    The nearest row above the first row of values (two numbers other than years,
    dates, suppression markers or ONS codes) whose cells are mostly text and fill at
    least half the width of the values; failing that (a table of text only), the
    first row whose cells are mostly text (years such as 2024 count as text;
    suppression markers and ONS codes do not), mostly different, which fills (itself
    or through merged cells) at least half as many columns as the widest of the first
    rows, and is not followed by a wider row of headings (so a title that a comma cut
    in two in a CSV, or a group heading row, is not taken for the headings). Rows above it are a title and notes; they
    are named in the location's notes. With ``header_row`` given, that row is used.
Two-row and merged headings
    A row directly above the heading row is a group heading row when a merged range
    in it spans two or more columns, or when it has short text over a column other
    than the first. Its values are carried across the columns they are merged (or,
    without merge information, centred) over, and joined after the heading below:
    "2024-25" over "Spend" gives "Spend 2024-25". A heading cell that is blank takes
    the value above it (a heading merged down over two rows).
Columns
    Every column with a heading, or with data in the first rows, is a column of the
    table; one with data but no heading is called "Column D" and noted. Headings are
    cleaned: line breaks and runs of spaces become one space.
Rows that are not data (:func:`skip_reason`)
    "blank": no value in any column of the table. "repeated header": the heading row
    again (a table pasted twice, a page break). "total": the first text cell is
    "Total", "Totals", "Grand total", "Sub-total" (perhaps followed by ":", "for ...",
    brackets) and the row's other cells are numbers or blank ("England" is never a
    total; "Total Care Ltd" with an address beside it is data). "footnote": after the
    first data row, one text cell alone in the row that starts like a note ("Source:",
    "Notes:", "1. ...", "[1]", "*") or is a long sentence.
Merged cells in the data area (anchor 47)
    The documented rule: a merged range's value belongs to every cell it covers, so
    the top-left value is repeated into each of them (:func:`fill_merged`), and the
    location's notes name each range.
Formulas without a cached value (anchor 46)
    :func:`check_formulas` refuses a table with any, listing every cell
    (:class:`FormulasWithoutValues`): never read as blank.
Hidden rows and sheets (anchor 51)
    Imported like the others; :func:`find_table` notes which rows are hidden; the
    workbook's ``warnings`` name its hidden sheets.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cypdesk.io.workbook import Row, Sheet, WorkbookError

__all__ = [
    "FormulasWithoutValues",
    "NoTable",
    "TableLocation",
    "check_formulas",
    "column_index",
    "column_letter",
    "fill_merged",
    "find_table",
    "locate",
    "skip_reason",
]

SAMPLE_ROWS = 200
MAX_GROUP_TEXT = 60            # a group heading above the heading row is short text
FOOTNOTE_MIN_LENGTH = 50       # a lone text this long after the data is a footnote
_FOOTNOTE_START = re.compile(
    r"(source|sources|note|notes|footnote|footnotes|information|data source|contact|"
    r"last updated|published|please note|figures|this (table|data|sheet)|n\.?b\.?)\b|"
    r"(\d{1,2}[.)]|\[\d{1,2}\]|\(\d{1,2}\)|\*+|[\u00b9\u00b2\u00b3\u2070-\u2079]+|[a-z]\))\s", re.IGNORECASE)
_TOTAL = re.compile(r"(grand\s+|sub[\s-]?)?totals?(\s*[:(\-\u2013].*|\s+(for|of|in|across|all|spend|expenditure|"
                    r"value|amount|number|count)\b.*)?", re.IGNORECASE)


_MARKERS = frozenset({"c", "x", "..", "*", "-", "z", ":", "[c]", "[x]", "[z]", "n/a"})  # data, never headings
_CODE = re.compile(r"[A-Z]\d{8}")       # an ONS area code: data, never a heading


class NoTable(WorkbookError):
    """No row of the first rows of a sheet looks like headings."""

    code = "no_table"


class FormulasWithoutValues(WorkbookError):
    """Formula cells with no saved value (anchor 46): refused, every cell listed."""

    code = "formulas_without_values"


@dataclass
class TableLocation:
    header_rows: list[int]        # Excel row numbers of the heading row(s), top first
    headers: list[str]            # one heading per column, joined and cleaned
    letters: list[str]            # column letters, aligned with headers
    first_data_row: int           # Excel row number of the first row after the headings
    notes: list[str]              # plain-words notes
    columns: list[int] = field(default_factory=list)       # 0-based indices into Row.values, aligned with headers
    header_cells: list[str] = field(default_factory=list)  # the heading row's own cells (for repeated headers)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # data-area ranges (r0, c0, r1, c1), 1-based

    def values(self, row: Row) -> list[Any]:
        """The row's values aligned with :attr:`headers` (None past its end)."""
        vals = row.values
        n = len(vals)
        return [vals[i] if i < n else None for i in self.columns]


# --- columns ---------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """"A" -> 0, "AA" -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """"B2:D4" -> (2, 1, 4, 3): first row, first column (0-based), last row, last column."""
    parts = ref.split(":")
    m0 = _REF.fullmatch(parts[0].strip())
    m1 = _REF.fullmatch(parts[-1].strip())
    if not m0 or not m1:
        return None
    r0, r1 = int(m0.group(2)), int(m1.group(2))
    c0, c1 = column_index(m0.group(1)), column_index(m1.group(1))
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def _range_text(r: tuple[int, int, int, int]) -> str:
    return f"{column_letter(r[1])}{r[0]}:{column_letter(r[3])}{r[2]}"


# --- cells -----------------------------------------------------------------------------------

def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell_text(v: Any) -> str:
    """A heading cell as clean text: line breaks and runs of spaces made one space."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, _dt.datetime) and v.time() == _dt.time():
        v = v.date()
    if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
        return f"{v.day:02d}/{v.month:02d}/{v.year:04d}"
    return " ".join(str(v).replace("\u00a0", " ").split())


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        s = v.strip().replace(",", "").replace("£", "").replace("%", "").strip("()")
        try:
            float(s)
            return True
        except ValueError:
            return False
    return False


def _headingish(v: Any) -> bool:
    """Could be a heading: text that is not a number, or a year (2024, 202425)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return float(v).is_integer() and (1900 <= v <= 2100 or 190001 <= v <= 210099)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return True  # month headings Excel turned into dates
    if isinstance(v, str):
        s = v.strip()
        return bool(s) and not _is_number(s) and s.lower() not in _MARKERS and not _CODE.fullmatch(s)
    return False


def _filled(row: Row) -> list[int]:
    return [i for i, v in enumerate(row.values) if not _empty(v)]


# --- locate ------------------------------------------------------------------------------------

def locate(rows: list[Row], *, header_row: int | None = None, merged: Iterable[str] = ()) -> TableLocation:
    """Find the table in a sheet's first rows (pass about the first 200 :class:`Row`
    objects): the heading row under title and note rows, with two-row and merged
    headings joined. ``header_row`` (1-based, as Excel numbers it) is used when given.
    ``merged`` (the sheet's merged ranges, ``"B1:D1"``) makes joining exact and lets
    the data area's merged cells be filled and noted. Raises :class:`NoTable`."""
    rows = [r for r in rows if _filled(r)]
    ranges = [r for r in (_parse_range(m) for m in merged) if r is not None]
    if not rows:
        raise NoTable("The sheet has no rows with values, so there is no table to import.")
    if header_row is not None:
        idx = next((i for i, r in enumerate(rows) if r.number == header_row), None)
        if idx is None:
            raise NoTable(f"Row {header_row} is blank (or beyond the first {SAMPLE_ROWS} rows read), so it cannot "
                          "be the heading row: choose the row that holds the column headings.", row=header_row)
    else:
        idx = _find_header(rows, ranges)
        # a group heading row was found first: the headings are the row below it
        while idx + 1 < len(rows) and rows[idx + 1].number == rows[idx].number + 1 \
                and _mostly_headings(rows[idx + 1]) and _is_group_row(rows[idx], rows[idx + 1], ranges):
            idx += 1
    head = rows[idx]
    below = rows[idx + 1:]

    # group heading rows directly above (at most two), joined after the heading row
    groups: list[Row] = []
    j = idx - 1
    while j >= 0 and len(groups) < 2 and rows[j].number == (groups[-1].number if groups else head.number) - 1:
        if not _is_group_row(rows[j], head, ranges):
            break
        groups.append(rows[j])
        j -= 1
    groups.reverse()

    # the columns of the table: a heading (in any heading row) or data in the sample
    used: set[int] = set(_filled(head))
    for g in groups:
        used.update(_filled(g))
    for r in below[:50]:
        used.update(_filled(r))
    width = max(used) + 1 if used else 0
    head_cells = [_cell_text(head.values[i]) if i < len(head.values) else "" for i in range(width)]
    group_cells = [_spread(g, width, ranges, head) for g in groups]

    columns: list[int] = []
    headers: list[str] = []
    notes: list[str] = []
    unnamed: list[str] = []
    for i in range(width):
        if i not in used:
            continue
        parts = [head_cells[i]] if head_cells[i] else []
        for gc in group_cells:
            if gc[i] and gc[i] not in parts:
                parts.append(gc[i])
        if not head_cells[i] and parts:
            parts = [parts[-1]] + parts[:-1]  # heading merged down: the lowest group value leads
        text = " ".join(parts)
        if not text:
            text = f"Column {column_letter(i)}"
            unnamed.append(column_letter(i))
        columns.append(i)
        headers.append(text)

    header_numbers = [g.number for g in groups] + [head.number]
    above = [r for r in rows[: idx - len(groups)]]
    if above:
        first, last = above[0].number, above[-1].number
        title = _cell_text(above[0].values[_filled(above[0])[0]])
        span = f"row {first} is" if first == last else f"rows {first}-{last} are"
        what = "a title" if len(above) == 1 else "a title and notes"
        notes.append(f"{span} {what} above the table ({_short(title)}): not imported")
    if groups:
        notes.append(f"the headings take rows {header_numbers[0]}-{header_numbers[-1]}: joined into one heading "
                     f"per column (for example \"{_example(headers, group_cells, columns)}\")")
    if unnamed:
        notes.append(f"column{'s' if len(unnamed) > 1 else ''} {', '.join(unnamed)} "
                     f"{'have' if len(unnamed) > 1 else 'has'} no heading: called "
                     + ", ".join(f'"Column {u}"' for u in unnamed))
    first_data = head.number + 1
    data_ranges = [r for r in ranges if r[2] >= first_data and r[0] >= first_data - 0 and (r[2] > r[0] or r[3] > r[1])]
    for r in data_ranges:
        notes.append(f"cells {_range_text(r)} are merged: the value of {column_letter(r[1])}{r[0]} is used for "
                     "every cell of the range (a merged cell's value belongs to each cell it covers)")
    return TableLocation(header_rows=header_numbers, headers=headers, letters=[column_letter(i) for i in columns],
                         first_data_row=first_data, notes=notes, columns=columns,
                         header_cells=[head_cells[i] for i in columns], merged=data_ranges)


def _short(text: str, n: int = 60) -> str:
    return f'"{text}"' if len(text) <= n else f'"{text[: n - 3]}..."'


def _example(headers: list[str], group_cells: list[list[str]], columns: list[int]) -> str:
    for h, i in zip(headers, columns):
        if any(gc[i] for gc in group_cells) and " " in h:
            return h
    return headers[0]


def _find_header(rows: list[Row], ranges: list[tuple[int, int, int, int]]) -> int:
    counts = [len(_covered(r, ranges)) for r in rows]
    widest = max(counts)
    # where numbers start, the headings are the nearest row of headings above
    first_data = next((i for i, r in enumerate(rows) if _data_like(r)), None)
    if first_data:
        data_width = max(counts[first_data:first_data + 10])
        for i in range(first_data - 1, -1, -1):
            r = rows[i]
            filled = _filled(r)
            if len(filled) >= 2 and counts[i] * 2 >= data_width and _mostly_headings(r) \
                    and len({_cell_text(r.values[k]).casefold() for k in filled}) * 2 >= len(filled):
                return i
    for i, r in enumerate(rows):
        filled = _filled(r)
        n = counts[i]
        if (n < 2 or len(filled) < 2) and widest >= 2:
            continue                  # one cell, even merged across the table: a title
        if n * 2 < widest:
            continue
        if not _mostly_headings(r):
            continue
        texts = [_cell_text(r.values[k]).casefold() for k in filled]
        if len(set(texts)) * 2 < len(texts):
            continue                  # headings are mostly different ("Spend", "Budget" repeat under years)
        if i + 1 < len(rows) and _mostly_headings(rows[i + 1]) and counts[i + 1] > n:
            continue                  # the next row is wider headings: this is a title cut by commas, or a group
        if i + 1 < len(rows) or len(rows) == 1:
            return i
    # no row reads as headings: the widest first row, if it is text at all
    for i, r in enumerate(rows):
        filled = _filled(r)
        if counts[i] == widest and sum(1 for k in filled if _headingish(r.values[k])) * 2 >= len(filled):
            return i
    raise NoTable("No row in the first rows of the sheet looks like column headings (a row of names such as "
                  "'Area', 'Value', 'Period'): add a heading row above the data, or say which row holds them.")


_DATE_TEXT = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def _data_like(row: Row) -> bool:
    """Two or more cells that are values, not headings: numbers other than years,
    dates, suppression markers, ONS codes."""
    n = 0
    for v in row.values:
        if _empty(v) or isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            n += not (float(v).is_integer() and 1900 <= v <= 2100)
        elif isinstance(v, (_dt.date, _dt.datetime)):
            n += 1
        elif isinstance(v, str):
            t = v.strip()
            n += _is_number(t) and not re.fullmatch(r"(19|20)\d\d", t) or t.lower() in _MARKERS \
                or bool(_CODE.fullmatch(t)) or bool(_DATE_TEXT.fullmatch(t))
    return n >= 2


def _covered(row: Row, ranges: list[tuple[int, int, int, int]]) -> set[int]:
    """The columns a row fills, counting those a merged cell with a value covers."""
    cols = set(_filled(row))
    for r in ranges:
        if r[0] <= row.number <= r[2] and (r[3] > r[1] or r[2] > r[0]):
            cols.update(range(r[1], r[3] + 1))
    return cols


def _mostly_headings(row: Row) -> bool:
    """At least 80% of the row's cells could be headings."""
    filled = _filled(row)
    heading = sum(1 for k in filled if _headingish(row.values[k]))
    return bool(filled) and heading * 10 >= len(filled) * 8


def _is_group_row(row: Row, head: Row, ranges: list[tuple[int, int, int, int]]) -> bool:
    filled = _filled(row)
    if not filled:
        return False
    if not all(_headingish(row.values[k]) for k in filled):
        return False
    if any(len(_cell_text(row.values[k])) > MAX_GROUP_TEXT for k in filled):
        return False
    head_filled = _filled(head)
    left = min(head_filled + filled)
    across = [r for r in ranges if r[0] == row.number and r[2] == row.number and r[3] > r[1]]
    down = {r[1] for r in ranges if r[0] <= row.number < r[2]}
    if left in filled and left not in down and len(filled) == 1:
        return False              # one text at the left, not merged down: a note ("Coverage: England")
    if across:
        return True
    if len(filled) >= len(head_filled):
        return False              # as wide as the headings: a second table's headings, or data
    return left not in filled or left in down


def _spread(group: Row, width: int, ranges: list[tuple[int, int, int, int]], head: Row) -> list[str]:
    """A group heading row's text, carried across the columns each value covers."""
    cells = [_cell_text(group.values[i]) if i < len(group.values) else "" for i in range(width)]
    row_ranges = [r for r in ranges if r[0] <= group.number <= r[2] and r[3] > r[1]]
    out = list(cells)
    if row_ranges:
        for r in row_ranges:
            value = cells[r[1]] if r[1] < width else ""
            for c in range(r[1], min(r[3], width - 1) + 1):
                out[c] = value
        return out
    # no merge information: each value covers the columns up to the next value
    current = ""
    head_filled = set(_filled(head))
    for i in range(width):
        if cells[i]:
            current = cells[i]
        elif current and i in head_filled:
            out[i] = current
    return out


# --- rows that are not data -----------------------------------------------------------------------

def skip_reason(row: Row, location: TableLocation) -> str | None:
    """Why a row below the headings is not data, or None: "blank", "repeated header",
    "total" or "footnote" (see the module's notes)."""
    values = location.values(row)
    filled = [k for k, v in enumerate(values) if not _empty(v)]
    if not filled:
        return "blank"
    texts = [_cell_text(v) for v in values]
    if location.header_cells:
        same = sum(1 for k in filled if texts[k].casefold() == location.header_cells[k].casefold())
        if same >= 2 and same * 10 >= len(filled) * 8 or (same == len(filled) == len(location.columns)):
            return "repeated header"
    first_text = next((k for k in filled if isinstance(values[k], str) and not _is_number(values[k])), None)
    if first_text is not None and first_text <= 2 and _TOTAL.fullmatch(texts[first_text]):
        others = [k for k in filled if k != first_text]
        if all(_is_number(values[k]) or isinstance(values[k], (int, float)) for k in others):
            return "total"
    if len(filled) == 1 and row.number > location.first_data_row and isinstance(values[filled[0]], str) \
            and filled[0] <= 1:
        text = texts[filled[0]]
        if _FOOTNOTE_START.match(text) and not _is_number(text):
            return "footnote"
        if len(location.columns) >= 3 and len(text) >= FOOTNOTE_MIN_LENGTH and " " in text:
            return "footnote"
    return None


# --- merged cells in the data area ----------------------------------------------------------------

def fill_merged(rows: Iterable[Row], location: TableLocation) -> Iterator[Row]:
    """The rows with each merged range of the data area filled with its top-left value
    (the documented rule: a merged cell's value belongs to every cell it covers)."""
    if not location.merged:
        yield from rows
        return
    pending: dict[tuple[int, int], Any] = {}
    by_top = {}
    for r in location.merged:
        by_top.setdefault(r[0], []).append(r)
    last = max(r[2] for r in location.merged)
    for row in rows:
        if row.number > last:
            yield row
            continue
        for r in by_top.get(row.number, ()):
            value = row.values[r[1]] if r[1] < len(row.values) else None
            for rr in range(r[0], r[2] + 1):
                for cc in range(r[1], r[3] + 1):
                    pending[(rr, cc)] = value
        cells = [(c, v) for (rr, c), v in pending.items() if rr == row.number]
        if cells:
            values = list(row.values)
            for c, v in cells:
                if c >= len(values):
                    values.extend([None] * (c + 1 - len(values)))
                if _empty(values[c]):
                    values[c] = v
                del pending[(row.number, c)]
            row = Row(row.number, values, row.hidden)
        yield row


# --- the sheet as a whole ----------------------------------------------------------------------

def check_formulas(sheet: Sheet, location: TableLocation | None = None) -> None:
    """Refuse a sheet (from the heading row down, when ``location`` is given) with
    formula cells that have no saved value, listing every cell (anchor 46)."""
    cells = sheet.formula_cells_without_value
    if location is not None:
        top = location.header_rows[0]
        cells = [c for c in cells if int(re.sub(r"\D", "", c.cell) or 0) >= top]
    if not cells:
        return
    listed = "; ".join(f"{sheet.name}!{c.cell} ={c.formula}" for c in cells[:50])
    more = f" and {len(cells) - 50:,} more" if len(cells) > 50 else ""
    raise FormulasWithoutValues(
        f"{sheet.workbook.path.name}: {len(cells):,} formula cell{'s' if len(cells) != 1 else ''} of sheet "
        f"{sheet.name!r} {'have' if len(cells) != 1 else 'has'} no saved value ({listed}{more}). The file was "
        "saved without calculating (by a tool rather than Excel, or with calculation set to manual): open it in "
        "Excel, let it calculate, save, and import again.",
        path=sheet.workbook.path, sheet=sheet.name, cells=[c.cell for c in cells])


def find_table(sheet: Sheet, *, header_row: int | None = None) -> TableLocation:
    """:func:`locate` on the sheet's first rows with its merged ranges, refusing formulas
    without values (:func:`check_formulas`), and noting hidden rows of the table (anchor
    51; the workbook's hidden sheets are in its ``warnings``)."""
    sample: list[Row] = []
    for row in sheet.rows():
        sample.append(row)
        if len(sample) >= SAMPLE_ROWS:
            break
    try:
        location = locate(sample, header_row=header_row, merged=sheet.merged_ranges)
    except NoTable as exc:
        raise NoTable(f"Sheet {sheet.name!r} of {sheet.workbook.path.name}: {exc.message}",
                      path=sheet.workbook.path, sheet=sheet.name, **exc.facts) from None
    check_formulas(sheet, location)
    hidden = sorted(n for n in sheet.hidden_rows if n >= location.first_data_row)
    if hidden:
        location.notes.append(f"{_rows_text(hidden)} hidden in Excel: imported like the others")
    return location


def _rows_text(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "rows 3-5, 9 are"."""
    spans: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    many = len(numbers) > 1
    shown = ", ".join(spans[:20]) + (f" and {len(spans) - 20:,} more ranges" if len(spans) > 20 else "")
    return f"row{'s' if many else ''} {shown} {'are' if many else 'is'}"
