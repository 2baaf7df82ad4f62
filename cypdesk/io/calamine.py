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


CALAMINE_MAX_CELLS = 6_000_000    # a bigger grid than this is streamed by openpyxl instead
CALAMINE_MIN_FILL = 0.25          # ... as is a grid mostly empty (a far-away cell)


def calamine_can_read(meta: SheetScan) -> bool:
    """python-calamine builds the sheet's whole grid in memory: about 80 bytes a cell
    with its text (measured: 433 MB peak for 200,000 rows by 26 columns, 422 MB for
    1,048,576 by 4), so only grids up to 6 million cells (about 500 MB, leaving the
    import the rest of the 1 GB ceiling) that are not mostly empty. Bigger sheets
    stream through openpyxl: slower, in flat memory."""
    grid = meta.grid
    if grid <= 1_000_000:
        return True
    return grid <= CALAMINE_MAX_CELLS and meta.rows >= CALAMINE_MIN_FILL * meta.last_row
