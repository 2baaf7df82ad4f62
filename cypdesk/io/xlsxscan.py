"""The pre-flight pass over an xlsx sheet's XML (reliability anchors 44, 46, 51): the
facts the value reader (python-calamine) does not give, found with byte patterns over
the streamed, decompressed XML in C-speed searches, so the pass costs a fraction of
reading the values and its memory stays flat whatever the rows.

It gives the declared ``<dimension>`` (checked by the caller as it is met), the
extent of the cells (last row, widest column, how many cells: the caller reads a
sparse or huge grid without python-calamine, which would allocate it densely), hidden
rows, merged ranges, formulas without a cached value, Excel's error cells (which
python-calamine reads as blank), and the columns whose numbers are formatted as
percentages. Any ``<!DOCTYPE`` or ``<!ENTITY`` anywhere in the part is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import unescape

_R_ATTR = re.compile(rb"\br=\"\$?([A-Za-z]*)\$?(\d+)\"")
_TYPE = re.compile(rb"\bt=\"(\w+)\"")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")


class _Patterns:
    """The byte patterns, for sheets written with plain element names (``<row>``, fast
    literal searches) or with a namespace prefix (``<x:row>``)."""

    def __init__(self, prefixed: bool) -> None:
        p = rb"(?:[A-Za-z_][\w.-]*:)" if prefixed else b""
        self.prefixed = prefixed
        self.row_hidden = re.compile(rb"<" + p + rb"row\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*>")
        self.row_open = re.compile(rb"<" + p + rb"row\b(?!Breaks)([^>]*)>")
        self.wide_cell = re.compile(rb"<" + p + rb"c r=\"([A-Z]{2,3})\d")
        self.narrow_cell = re.compile(rb"<" + p + rb"c r=\"([A-Z])\d")
        self.cell_tag = re.compile(rb"<" + p + rb"c\b([^>]*?)(/?)>")
        self.formula = re.compile(rb"<" + p + rb"f\b")
        self.value = re.compile(rb"<" + p + rb"v>([^<]*)</" + p + rb"v>")
        self.formula_text = re.compile(rb"<" + p + rb"f\b[^>]*?(?:/>|>([^<]*)</" + p + rb"f>)")
        self.error_cell = re.compile(rb"<" + p + rb"c\b([^>]*?\bt=\"e\"[^>]*)>")
        self.merge = re.compile(rb"<" + p + rb"mergeCell\b[^>]*?\bref=\"([^\"]*)\"")
        self.dimension = re.compile(rb"<" + p + rb"dimension\b[^>]*?\bref=\"([^\"]*)\"")
        self.row_end = re.compile(rb"</" + p + rb"row>")
        self.cell_end = re.compile(rb"</" + p + rb"c>")
        self.cell_start = re.compile(rb"<" + p + rb"c[ >]")
        self.pct: re.Pattern[bytes] | None = None
        self.p = p

    def percent(self, styles: frozenset[int]) -> None:
        if styles:
            alt = b"|".join(str(s).encode() for s in sorted(styles))
            self.pct = re.compile(rb"<" + self.p + rb"c\b[^>]*?\bs=\"(?:" + alt + rb")\"[^>]*>")


_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:sheetData|row|worksheet)\b")


@dataclass
class FormulaWithoutValue:
    cell: str                   # "B4"
    formula: str                # "SUM(B2:B3)"


@dataclass
class SheetScan:
    hidden_rows: set[int] = field(default_factory=set)
    merged_ranges: list[str] = field(default_factory=list)
    formulas_without_value: list[FormulaWithoutValue] = field(default_factory=list)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column 0-based) -> "#N/A"
    percent_columns: set[str] = field(default_factory=set)
    cells: int = 0              # 1 once any cell is seen
    rows: int = 0               # <row> elements
    last_row: int = 0
    widest: int = 0             # columns, from A
    dimension: str | None = None

    @property
    def has_cells(self) -> bool:
        return self.cells > 0

    @property
    def grid(self) -> int:
        """Cells of the dense grid from A1 to the farthest cell."""
        return self.last_row * self.widest


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def scan_sheet(chunks: Iterable[bytes], *, percent_styles: frozenset[int] = frozenset(),
               on_dimension: Callable[[str], None] | None = None,
               on_entities: Callable[[], Any] | None = None) -> SheetScan:
    """Scan a sheet part streamed as ``chunks`` of its XML. ``percent_styles``: cell
    style indices (``s=``) whose number format is a percentage. ``on_dimension`` is
    called with the declared ref as soon as it is met (to refuse before reading on);
    ``on_entities`` is called (and should raise) on a DOCTYPE or ENTITY declaration."""
    scan = SheetScan()
    buf = b""
    rows_seen = 0
    dimension_done = False
    pat: _Patterns | None = None
    tail = b""
    for chunk in _with_end(chunks):
        if chunk is not None:
            if b"<!" in chunk or b"<!" in tail + chunk[:16]:
                upper = (tail + chunk).upper()
                if (b"<!DOCTYPE" in upper or b"<!ENTITY" in upper) and on_entities is not None:
                    on_entities()
            tail = chunk[-16:]
            buf += chunk
            if pat is None:
                if len(buf) < 4096 and b"sheetData" not in buf:
                    continue
                pat = _Patterns(bool(_PREFIXED.search(buf, 0, 1 << 16)))
                pat.percent(percent_styles)
            # process up to the end of the last complete row; a very long row between cells
            cut = buf.rfind(b"</row>") if not pat.prefixed else _last(pat.row_end, buf)
            if cut < 0:
                if len(buf) < (1 << 22):
                    continue
                cut = buf.rfind(b"</c>") if not pat.prefixed else _last(pat.cell_end, buf)
                if cut < 0:
                    continue
            end = buf.find(b">", cut) + 1
            seg, buf = buf[:end], buf[end:]
        else:
            seg, buf = buf, b""
            if pat is None:
                pat = _Patterns(bool(_PREFIXED.search(seg, 0, 1 << 16)))
                pat.percent(percent_styles)
        if not seg:
            continue
        if not dimension_done:
            m = pat.dimension.search(seg)
            if m is not None:
                scan.dimension = m.group(1).decode("ascii", "replace")
                if on_dimension is not None:
                    on_dimension(scan.dimension)
                dimension_done = True
            elif b"sheetData" in seg:
                dimension_done = True
        rows_seen = _scan_segment(seg, scan, rows_seen, pat, first=scan.rows == 0)
    return scan


def _with_end(chunks: Iterable[bytes]) -> Iterable[bytes | None]:
    for c in chunks:
        if c:
            yield c
    yield None


def _last(pattern: re.Pattern[bytes], buf: bytes) -> int:
    m = None
    for m in pattern.finditer(buf):
        pass
    return m.start() if m is not None else -1


def _scan_segment(seg: bytes, scan: SheetScan, rows_seen: int, pat: _Patterns, *, first: bool) -> int:
    plain = not pat.prefixed
    if not scan.has_cells and (b"<c " in seg or b"<c>" in seg if plain else pat.cell_start.search(seg)):
        scan.cells = 1
    # rows: the last row number (rows may omit r: then they are counted)
    # (count a needle ending in a rare byte: bytes.count skips on its last byte)
    n_rows = seg.count(b"<row") - seg.count(b"<rowB") if plain else len(pat.row_open.findall(seg))
    if n_rows:
        scan.rows += n_rows
        if plain:
            pos = max(seg.rfind(b"<row "), seg.rfind(b"<row>"))
            m = pat.row_open.match(seg, pos)
        else:
            m = None
            for m in pat.row_open.finditer(seg):
                pass
        r = _ROW_NUMBER.search(m.group(1)) if m is not None else None
        rows_seen = max(rows_seen + n_rows, int(r.group(1)) if r is not None else 0)
        scan.last_row = max(scan.last_row, rows_seen)
    # the widest column: cells in AA and beyond anywhere; A-Z in the first part and each part's end
    if scan.has_cells:
        width = max((_col_index(w) + 1 for w in set(pat.wide_cell.findall(seg))), default=0)
        if width < 26:
            sample = seg if first else seg[-65536:]
            width = max(width, max((_col_index(x) + 1 for x in set(pat.narrow_cell.findall(sample))), default=1))
        scan.widest = max(scan.widest, width)
    if b"hidden" in seg:
        for m in pat.row_hidden.finditer(seg):
            r = _ROW_NUMBER.search(m.group(0))
            if r is not None:
                scan.hidden_rows.add(int(r.group(1)))
    if b"mergeCell" in seg:
        scan.merged_ranges.extend(m.group(1).decode("ascii", "replace") for m in pat.merge.finditer(seg))
    if (b"<f" in seg) if plain else (b"f" in seg):
        for m in pat.formula.finditer(seg):
            _formula(seg, m.start(), scan, pat)
    if b't="e' in seg:
        for m in pat.error_cell.finditer(seg):
            ref = _R_ATTR.search(m.group(1))
            end = pat.cell_end.search(seg, m.end())
            v = pat.value.search(seg, m.end(), end.start() if end else len(seg))
            if ref is not None and v is not None and v.group(1):
                scan.error_cells[(int(ref.group(2)), _col_index(ref.group(1)))] = unescape(v.group(1).decode())
    if pat.pct is not None:
        for m in pat.pct.finditer(seg):
            tag = m.group(0)
            t = _TYPE.search(tag)
            if t is not None and t.group(1) != b"n":
                continue
            ref = _R_ATTR.search(tag)
            if ref is not None and ref.group(1):
                scan.percent_columns.add(ref.group(1).decode().upper())
    return rows_seen


def _formula(seg: bytes, at: int, scan: SheetScan, pat: _Patterns) -> None:
    start = -1
    for m in pat.cell_start.finditer(seg, max(0, at - 4096), at):
        start = m.start()
    if start < 0:
        return
    end_m = pat.cell_end.search(seg, at)
    end = end_m.start() if end_m else len(seg)
    tag = seg[start:seg.find(b">", start)]
    t = _TYPE.search(tag)
    if t is not None and t.group(1) == b"inlineStr":
        return
    v = pat.value.search(seg, at, end)
    if v is not None and v.group(1):
        return
    ref = _R_ATTR.search(tag)
    cell = (ref.group(1) + ref.group(2)).decode() if ref is not None else "?"
    f = pat.formula_text.match(seg, at)
    text = unescape(f.group(1).decode("utf-8", "replace")) if f is not None and f.group(1) else "(shared formula)"
    scan.formulas_without_value.append(FormulaWithoutValue(cell, text))


# --- styles --------------------------------------------------------------------------

_BUILTIN_PERCENT = frozenset({9, 10})


def percent_styles(styles_xml: bytes) -> frozenset[int]:
    """The cell style indices (``cellXfs`` positions) whose number format shows a
    percentage (built-in 0% and 0.00%, or a custom format with % outside quotes)."""
    from defusedxml import ElementTree as DET

    if not styles_xml:
        return frozenset()
    root = DET.fromstring(styles_xml)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    custom: dict[int, str] = {}
    fmts = root.find(f"{ns}numFmts")
    if fmts is not None:
        for nf in fmts.findall(f"{ns}numFmt"):
            try:
                custom[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "")
            except ValueError:
                continue
    out = set()
    xfs = root.find(f"{ns}cellXfs")
    if xfs is None:
        return frozenset()
    for i, xf in enumerate(xfs.findall(f"{ns}xf")):
        try:
            fid = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        if fid in _BUILTIN_PERCENT or (fid in custom and _is_percent_code(custom[fid])):
            out.add(i)
    return frozenset(out)


def _is_percent_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in code
