"""Reshaping a wide table into the long form an import reads (issue 9, item 3): areas in
rows and years or measures across the columns become one row per area and column.

Used by the formats of the field (:mod:`cypdesk.services.importing.formats`) and offered
by the window's import wizard. pandas does the melt; it never parses text here (the
values arrive already read, and go into an ``object`` frame untouched), so "NA" stays
"NA", "00123" stays "00123" and an LA code stored as 926.0 reaches the cell converter as
it was in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cypdesk.common.errors import CypdeskError
from cypdesk.services.importing.source import SourceRow, SourceTable

POSITION = "__pos__"
ROW_NUMBER = "__row__"
HIDDEN = "__hidden__"
CHUNK = 20_000  # source rows melted at a time (memory stays bounded on big sheets)


class ReshapeError(CypdeskError):
    code = "reshape"
    exit_code = 2


def unpivot(table: SourceTable, columns: list[str], *, name_header: str, value_header: str,
            drop_blank: bool = False) -> SourceTable:
    """The table with ``columns`` turned into rows: every other column is kept as it is,
    and each source row gives one row per column in ``columns``, holding that column's
    heading under ``name_header`` and its value under ``value_header``.

    Rows keep the source's row number (several long rows share it) and its hidden flag.
    ``drop_blank`` leaves out the long rows whose value is blank. Raises
    :class:`ReshapeError` naming a column the table does not have, or a new heading that
    clashes with a kept one."""
    missing = [c for c in columns if c not in table.headers]
    if missing:
        raise ReshapeError(f"{table.path.name} has no column {missing[0]!r} to unpivot (its columns are: "
                           f"{', '.join(h for h in table.headers if h)}).", path=table.path)
    if not columns:
        raise ReshapeError(f"Choose at least one column of {table.path.name} to unpivot.", path=table.path)
    chosen = set(columns)
    keep = [i for i, h in enumerate(table.headers) if h not in chosen]
    keep_headers = [table.headers[i] for i in keep]
    for new in (name_header, value_header):
        if new in keep_headers:
            raise ReshapeError(f"The new column {new!r} would have the same heading as a column of "
                               f"{table.path.name}: choose another name.", path=table.path)
    if name_header == value_header:
        raise ReshapeError("The column of names and the column of values need different headings.",
                           path=table.path)
    melt_idx = [table.headers.index(c) for c in columns]
    letter_of = dict(zip(table.headers, table.letters))
    letters = [table.letters[i] if i < len(table.letters) else "" for i in keep] + ["", ""]

    def rows() -> Iterator[SourceRow]:
        batch: list[SourceRow] = []
        for row in table.rows():
            batch.append(row)
            if len(batch) >= CHUNK:
                yield from _melt(batch, keep, melt_idx, columns, drop_blank)
                batch = []
        if batch:
            yield from _melt(batch, keep, melt_idx, columns, drop_blank)

    notes = list(table.notes)
    notes.append(f"Unpivoted {len(columns)} column(s) ({_letters(columns, letter_of)}) into "
                 f"'{name_header}' and '{value_header}'.")
    return SourceTable(path=table.path, sheet=table.sheet, headers=keep_headers + [name_header, value_header],
                       letters=letters, rows=rows, notes=notes, format=table.format, preset=None,
                       date1904=table.date1904)


def _letters(columns: list[str], letter_of: dict[str, str]) -> str:
    shown = [letter_of.get(c) or c for c in columns[:6]]
    return ", ".join(shown) + (" ..." if len(columns) > 6 else "")


def _melt(batch: list[SourceRow], keep: list[int], melt_idx: list[int], columns: list[str],
          drop_blank: bool) -> Iterator[SourceRow]:
    import pandas as pd

    width = max([*keep, *melt_idx], default=-1) + 1
    records = []
    for pos, row in enumerate(batch):
        values = list(row.values[:width]) + [None] * (width - len(row.values))
        records.append([pos, row.number, row.hidden, *(values[i] for i in keep), *(values[i] for i in melt_idx)])
    id_cols = [POSITION, ROW_NUMBER, HIDDEN, *(f"k{i}" for i in range(len(keep)))]
    value_cols = [f"m{j}" for j in range(len(melt_idx))]
    # object dtype: pandas stores the values as they came, parses nothing, guesses no NA
    frame = pd.DataFrame.from_records(records, columns=id_cols + value_cols, coerce_float=False)
    frame = frame.astype(object)
    long = frame.melt(id_vars=id_cols, value_vars=value_cols, var_name="__col__", value_name="__value__",
                      ignore_index=True)
    # melt stacks column by column; the reader expects each source row's columns together
    long["__order__"] = long["__col__"].map({c: j for j, c in enumerate(value_cols)})
    long = long.sort_values([POSITION, "__order__"], kind="stable").drop(columns=["__order__"])
    names = dict(zip(value_cols, columns))
    for rec in long.itertuples(index=False, name=None):
        _pos, number, hidden, *rest = rec
        kept, col, value = rest[:len(keep)], rest[len(keep)], rest[len(keep) + 1]
        if drop_blank and _blank(value):
            continue
        yield SourceRow(int(number), [_plain(v) for v in kept] + [names[col], _plain(value)], bool(hidden))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or _is_nan(value)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _plain(value: Any) -> Any:
    """pandas' missing value back to None; everything else as it was."""
    return None if _is_nan(value) else value


__all__ = ["ReshapeError", "unpivot"]
