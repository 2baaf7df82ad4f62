"""Rows through python-calamine, the fast reader of xlsx, xls and ods values (about 25
times faster than openpyxl), and when it may be used: it builds a sheet's whole grid
in memory, so a huge or mostly empty grid is streamed by openpyxl instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cypdesk.io.xlsxscan import SheetScan


def calamine_rows(sh: Any) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values from column A) of a python-calamine sheet. Its
    ``iter_rows`` starts at the sheet's first used column, and (python-calamine 0.9)
    at row 1 with empty rows before the first used row, or (other versions) at the
    first used row: the first row tells which."""
    r0, c0 = sh.start or (0, 0)
    pad = [None] * c0
    rows = sh.iter_rows()
    first = next(rows, None)
    if first is None:
        return
    number = r0 + 1
    if r0 > 0 and all(v == "" for v in first):
        number = 1                # empty rows before the first used row are given too
    yield number, pad + [None if v == "" else v for v in first]
    for row in rows:
        number += 1
        yield number, pad + [None if v == "" else v for v in row]


CALAMINE_MAX_CELLS = 12_000_000   # a denser grid than this is streamed by openpyxl instead
CALAMINE_MIN_FILL = 0.25          # ... as is a grid mostly empty (a far-away cell)


def calamine_can_read(meta: SheetScan) -> bool:
    """python-calamine builds the sheet's whole grid in memory (about 32 bytes a cell
    before text): only for grids that are not huge and not mostly empty."""
    grid = meta.grid
    if grid <= 1_000_000:
        return True
    return grid <= CALAMINE_MAX_CELLS and meta.rows >= CALAMINE_MIN_FILL * meta.last_row
