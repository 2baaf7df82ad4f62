"""Small-number suppression for published counts of people (reliability case 71).

A count of children, families or cases from 1 to ``threshold - 1`` is not published: it
prints ``c`` (the DfE's mark). Zero prints as zero. That is *primary* suppression.

Hiding a cell is not enough when the table prints totals: a row ``[3, 10, 12]`` with the
total 25 gives the hidden 3 away by subtraction. *Secondary* suppression hides more
cells until no hidden cell can be worked out from the row and column totals:

1. every row (when rows have totals) and every column (when columns have totals) has
   no hidden cell or at least two;
2. with both kinds of total, the hidden cells form a pattern in which each one lies on
   a closed path of hidden cells alternating between rows and columns (a cycle of the
   row-column graph): moving one child round the path keeps every total, so each hidden
   cell could hold more than one value. A hidden cell on no such path (a *bridge*) is
   determined by the totals alone, whatever the pattern's degrees, and gets a partner.

Secondary cells are chosen smallest first (least information lost), a zero only when
no other cell will do (a hidden zero that must stay a zero pins its path). A row or
column with a single figure cannot hide it from its own total: :func:`totals_hidden`
says which totals must print ``c`` as well.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DEFAULT_THRESHOLD", "PEOPLE_UNITS", "SUPPRESSED_TEXT", "determined", "is_small", "suppress",
           "totals_hidden", "unit_counts_people"]

DEFAULT_THRESHOLD = 5
SUPPRESSED_TEXT = "c"
# A measure's unit that says its figures count people (Measure.unit is free text).
PEOPLE_UNITS = ("children", "child", "young people", "young person", "families", "family", "cases", "case",
                "people", "persons", "pupils", "learners", "parents", "carers", "mothers", "babies", "infants")

Table = Sequence[Sequence["int | float | None"]]


def unit_counts_people(unit: str | None) -> bool:
    """Whether a measure's free-text unit ("children", "No. of families") counts people."""
    if not unit:
        return False
    words = " ".join(unit.replace(".", " ").replace("_", " ").split()).casefold()
    return any(f" {u} " in f" {words} " for u in PEOPLE_UNITS)


def is_small(value: float | int | None, threshold: int) -> bool:
    """A count that primary suppression hides: from 1 (more than 0) to below ``threshold``."""
    return value is not None and 0 < value < threshold


def _check(table: Table, threshold: int) -> tuple[int, int]:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the small-number threshold is a whole number of at least 1, not {threshold!r}")
    n_cols = len(table[0]) if table else 0
    for i, row in enumerate(table):
        if len(row) != n_cols:
            raise ValueError(f"row {i + 1} has {len(row)} cells; the first row has {n_cols}")
        for v in row:
            if v is not None and v < 0:
                raise ValueError(f"a count cannot be negative ({v} in row {i + 1})")
    return len(table), n_cols


def suppress(table: Table, threshold: int, *, row_totals: bool = True, col_totals: bool = True) -> list[list[bool]]:
    """Which cells of ``table`` (counts; ``None`` for no figure) print ``c``: primary
    (1 to threshold-1) and secondary (so that the totals the table prints, per row
    and/or per column, give no hidden cell away). Same shape as ``table``."""
    n_rows, n_cols = _check(table, threshold)
    hidden = [[is_small(v, threshold) for v in row] for row in table]
    if not any(any(r) for r in hidden):
        return hidden
    for _ in range(n_rows * n_cols + 1):  # each pass hides at least one more cell, or stops
        if _pair_lone_cells(table, hidden, row_totals, col_totals):
            continue
        if row_totals and col_totals and _join_bridges(table, hidden):
            continue
        if _widen_pinned(table, hidden, row_totals, col_totals):
            continue
        break
    return hidden


def determined(table: Table, hidden: Sequence[Sequence[bool]], *, row_totals: bool = True,
               col_totals: bool = True) -> list[tuple[int, int]]:
    """The hidden cells the shown cells and the totals still give away: those whose
    value no other table with the same shown figures and totals (counts, so 0 or more)
    could change. Empty after :func:`suppress`, except where a line had nothing more to
    hide (its total must then print ``c``, :func:`totals_hidden`)."""
    cells = [(r, c) for r in range(len(table)) for c in range(len(table[0]) if table else 0) if hidden[r][c]]
    return [cell for cell in cells if not _free(table, hidden, cell, row_totals, col_totals)]


def _free(table: Table, hidden: Sequence[Sequence[bool]], cell: tuple[int, int], row_totals: bool,
          col_totals: bool) -> bool:
    """Whether hidden ``cell`` could hold another value: moving one along a closed path
    of hidden cells (or, with one kind of total, to another hidden cell of the same
    line) keeps every total and leaves no cell below zero."""
    r0, c0 = cell
    n_rows, n_cols = len(table), len(table[0])

    def value(rc: tuple[int, int]) -> float:
        return table[rc[0]][rc[1]] or 0

    if not (row_totals or col_totals):
        return True
    if not (row_totals and col_totals):
        line = ([(r0, c) for c in range(n_cols)] if row_totals else [(r, c0) for r in range(n_rows)])
        others = [rc for rc in line if rc != cell and hidden[rc[0]][rc[1]]]
        return any(value(o) >= 1 or value(cell) >= 1 for o in others)
    # both: a path from column c0 back to row r0 through other hidden cells, alternating signs
    edges = [(r, c) for r in range(n_rows) for c in range(n_cols) if hidden[r][c] and (r, c) != cell]
    adj = _adjacency(edges)

    def walk(node: tuple[str, int], seen: set, minus: list, plus: list) -> bool:
        for nxt in adj.get(node, ()):
            edge = (nxt[1], node[1]) if node[0] == "c" else (node[1], nxt[1])
            signs_minus = node[0] == "c"  # edges leaving a column take -1, leaving a row +1
            m2, p2 = (minus + [edge], plus) if signs_minus else (minus, plus + [edge])
            if nxt == ("r", r0):
                if all(value(e) >= 1 for e in m2) or all(value(e) >= 1 for e in p2 + [cell]):
                    return True
                continue
            if nxt not in seen and walk(nxt, seen | {nxt}, m2, p2):
                return True
        return False

    return walk(("c", c0), {("c", c0)}, [], [])


def _widen_pinned(table: Table, hidden: list[list[bool]], row_totals: bool, col_totals: bool) -> bool:
    """Hide one more cell beside the first hidden cell the totals still give away
    (zeros pinning its path): the smallest shown figure of its row or column, above
    zero first; True if one was hidden."""
    for r, c in determined(table, hidden, row_totals=row_totals, col_totals=col_totals):
        line = ([(r, j) for j in range(len(table[0]))] if row_totals else []) + \
               ([(i, c) for i in range(len(table))] if col_totals else [])
        shown = [rc for rc in line if not hidden[rc[0]][rc[1]] and table[rc[0]][rc[1]] is not None]
        if shown:
            best = min(shown, key=lambda rc: (table[rc[0]][rc[1]] == 0, table[rc[0]][rc[1]], rc))
            hidden[best[0]][best[1]] = True
            return True
    return False


def _lines(n_rows: int, n_cols: int, row_totals: bool, col_totals: bool) -> list[tuple[str, list[tuple[int, int]]]]:
    lines = []
    if row_totals:
        lines += [("row", [(r, c) for c in range(n_cols)]) for r in range(n_rows)]
    if col_totals:
        lines += [("col", [(r, c) for r in range(n_rows)]) for c in range(n_cols)]
    return lines


def _pair_lone_cells(table: Table, hidden: list[list[bool]], row_totals: bool, col_totals: bool) -> bool:
    """Hide one more cell in the first line with exactly one hidden cell; True if one was."""
    n_rows, n_cols = len(table), len(table[0])
    for kind, line in _lines(n_rows, n_cols, row_totals, col_totals):
        shown = [(r, c) for r, c in line if not hidden[r][c] and table[r][c] is not None]
        if sum(hidden[r][c] for r, c in line) != 1 or not shown:
            continue

        def rank(cell: tuple[int, int]) -> tuple:
            r, c = cell
            # a cell whose crossing line also has a lone hidden cell pairs both at once
            across = [(i, c) for i in range(n_rows)] if kind == "row" else [(r, j) for j in range(n_cols)]
            crossing_has_totals = col_totals if kind == "row" else row_totals
            lone = crossing_has_totals and sum(hidden[i][j] for i, j in across) == 1
            value = table[r][c]
            return (value == 0, not lone, value, cell)

        best = min(shown, key=rank)
        hidden[best[0]][best[1]] = True
        return True
    return False


def _join_bridges(table: Table, hidden: list[list[bool]]) -> bool:
    """Give the first hidden cell on no cycle of hidden cells (rows and columns as the
    two sides of a graph, each hidden cell an edge) a partner that closes a cycle
    through it; True if a cell was hidden."""
    n_rows, n_cols = len(table), len(table[0])
    edges = [(r, c) for r in range(n_rows) for c in range(n_cols) if hidden[r][c]]
    for bridge in _bridges(edges):
        others = [e for e in edges if e != bridge]
        row_side = _component(others, ("r", bridge[0]))
        col_side = _component(others, ("c", bridge[1]))
        # a cell in a row of the column's side and a column of the row's side closes a cycle
        candidates = [(r, c) for kind_r, r in col_side if kind_r == "r" for kind_c, c in row_side if kind_c == "c"
                      if not hidden[r][c] and table[r][c] is not None]
        if candidates:
            best = min(candidates, key=lambda cell: (table[cell[0]][cell[1]] == 0, table[cell[0]][cell[1]], cell))
            hidden[best[0]][best[1]] = True
            return True
    return False


def _adjacency(edges: list[tuple[int, int]]) -> dict[tuple[str, int], list[tuple[str, int]]]:
    adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for r, c in edges:
        adj.setdefault(("r", r), []).append(("c", c))
        adj.setdefault(("c", c), []).append(("r", r))
    return adj


def _component(edges: list[tuple[int, int]], start: tuple[str, int]) -> set[tuple[str, int]]:
    adj = _adjacency(edges)
    seen, todo = {start}, [start]
    while todo:
        for nxt in adj.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _bridges(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The edges on no cycle: removing one leaves its row and column unconnected."""
    out = []
    for edge in edges:
        others = [e for e in edges if e != edge]
        if ("c", edge[1]) not in _component(others, ("r", edge[0])):
            out.append(edge)
    return out


def totals_hidden(table: Table, hidden: Sequence[Sequence[bool]], *, row_totals: bool = True,
                  col_totals: bool = True) -> tuple[list[bool], list[bool]]:
    """Which row totals and which column totals must print ``c`` too: those of the
    lines holding a hidden cell the totals would still give away (a line whose one
    hidden cell had nothing beside it to hide: its total IS that cell). A table that
    hides a total prints no grand total."""
    n_rows = len(table)
    n_cols = len(table[0]) if table else 0
    rows, cols = [False] * n_rows, [False] * n_cols
    for r, c in determined(table, hidden, row_totals=row_totals, col_totals=col_totals):
        rows[r] = rows[r] or row_totals
        cols[c] = cols[c] or col_totals
    return rows, cols
