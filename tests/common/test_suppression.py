"""Small numbers of people are suppressed, and no hidden one can be worked out from the
totals (reliability case 71)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cypdesk.common.suppression import determined, suppress, totals_hidden, unit_counts_people


def _alternative_exists(table, hidden, cell, row_totals=True, col_totals=True):
    """Brute force, independent of the module's path search: is there another table of
    counts (0 or more) with the same shown cells and the same printed totals in which
    ``cell`` holds a different value? Tries every value of every hidden cell up to the
    largest total."""
    n_rows, n_cols = len(table), len(table[0])
    spots = [(r, c) for r in range(n_rows) for c in range(n_cols) if hidden[r][c]]
    row_sum = [sum(table[r]) for r in range(n_rows)]
    col_sum = [sum(table[r][c] for r in range(n_rows)) for c in range(n_cols)]
    top = max(row_sum + col_sum)
    for values in itertools.product(range(top + 1), repeat=len(spots)):
        trial = [list(row) for row in table]
        for (r, c), v in zip(spots, values):
            trial[r][c] = v
        if trial[cell[0]][cell[1]] == table[cell[0]][cell[1]]:
            continue
        if row_totals and [sum(row) for row in trial] != row_sum:
            continue
        if col_totals and [sum(trial[r][c] for r in range(n_rows)) for c in range(n_cols)] != col_sum:
            continue
        return True
    return False


def test_a_hand_worked_table_hides_the_small_counts_and_their_partners():
    """Children by locality (rows) and age band (columns), threshold 5, with row and
    column totals. Worked by hand:

    primary: 3 (North, 0-4) and 2 (East, 11-17), both 1 to 4;
    North hides only the 3: of its other figures, 20 sits in 11-17, which also hides
    only one (the 2), so hiding 20 pairs both lines at once (preferred over the
    smaller 8); 0-4 still hides only the 3: the zero is passed over, and 9 (East, whose
    2 is alone in its row) pairs both. The hidden cells make the rectangle 3, 20 / 9, 2:
    each could be one more or one less with the totals unchanged (3+1, 20-1, 9-1, 2+1).
    The zero in South stays a zero, 8, 15, 30 and 12 show.
    """
    table = [
        [3, 8, 20],    # North
        [0, 15, 30],   # South
        [9, 12, 2],    # East
    ]
    hidden = suppress(table, 5)
    assert hidden == [
        [True, False, True],
        [False, False, False],
        [True, False, True],
    ]
    assert determined(table, hidden) == []
    assert totals_hidden(table, hidden) == ([False] * 3, [False] * 3)
    assert _alternative_exists(table, hidden, (0, 0))


def test_without_totals_only_the_small_counts_are_hidden_and_zero_shows():
    assert suppress([[0, 1, 4, 5, 12]], 5, row_totals=False, col_totals=False) == [[False, True, True, False, False]]


def test_a_column_with_a_total_row_hides_a_second_figure():
    """One column of counts with a total: a lone 3 would be 25 - 10 - 12."""
    hidden = suppress([[3], [10], [12]], 5, row_totals=False, col_totals=True)
    assert hidden == [[True], [True], [False]]


def test_a_line_whose_one_figure_is_hidden_hides_its_total():
    """A row with a single figure cannot hide it from its own total."""
    table = [[2, None], [7, 9]]
    hidden = suppress(table, 5)
    assert hidden[0] == [True, False]
    rows, cols = totals_hidden(table, hidden)
    assert rows[0] is True


def test_zeros_that_would_pin_a_hidden_count_are_not_relied_on():
    """[[1, 6], [0, 7]]: the 1's column has only a zero to hide beside it, so all four
    are hidden; the zero stops the path moving one way (the 1 cannot be a 2 with the
    zero a -1) but not the other (0, 7 / 1, 6 has the same totals), so the 1 is not
    given away; the brute force agrees."""
    table = [[1, 6], [0, 7]]
    hidden = suppress(table, 5)
    assert determined(table, hidden) == []
    for r, c in itertools.product(range(2), range(2)):
        if hidden[r][c]:
            assert _alternative_exists(table, hidden, (r, c))


@pytest.mark.parametrize("bad, words", [(0, "at least 1"), (2.5, "whole number"), (True, "whole number")])
def test_a_threshold_that_is_not_a_whole_number_above_zero_is_refused(bad, words):
    with pytest.raises(ValueError, match=words):
        suppress([[1]], bad)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress([[1, -2]], 5)


@pytest.mark.parametrize("unit, counts", [("children", True), ("No. of families", True), ("%", False),
                                          ("days", False), (None, False), ("young people", True)])
def test_a_measures_unit_says_whether_it_counts_people(unit, counts):
    assert unit_counts_people(unit) is counts


count_tables = st.integers(2, 5).flatmap(lambda rows: st.integers(2, 5).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 40) | st.integers(0, 6), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows)))


@settings(max_examples=300, deadline=None)
@given(count_tables, st.integers(2, 10), st.booleans(), st.booleans())
def test_no_visible_small_count_and_every_line_hides_none_or_two(table, threshold, row_totals, col_totals):
    """Case 71's property: no shown cell is between 0 and the threshold, every
    line with a printed total hides 0 or at least 2 cells (or its total prints c), and
    no hidden cell is given away by the totals unless its totals print c too."""
    hidden = suppress(table, threshold, row_totals=row_totals, col_totals=col_totals)
    for r, row in enumerate(table):
        for c, v in enumerate(row):
            if not hidden[r][c]:
                assert not 0 < v < threshold
    rows_c, cols_c = totals_hidden(table, hidden, row_totals=row_totals, col_totals=col_totals)
    if row_totals:
        for r, row in enumerate(hidden):
            assert sum(row) != 1 or rows_c[r]
    if col_totals:
        for c in range(len(table[0])):
            assert sum(hidden[r][c] for r in range(len(table))) != 1 or cols_c[c]
    for r, c in determined(table, hidden, row_totals=row_totals, col_totals=col_totals):
        assert (rows_c[r] or not row_totals) and (cols_c[c] or not col_totals)
        # only when nothing is left to hide beside it
        if row_totals:
            assert all(hidden[r])
        if col_totals:
            assert all(hidden[i][c] for i in range(len(table)))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=2, max_size=2), st.integers(2, 4))
def test_no_hidden_cell_can_be_worked_out_checked_by_brute_force(table, threshold):
    """Independent of the module's own check: for small tables, every hidden cell not
    reported as determined has another value in some table with the same shown
    figures and totals, and every one reported determined really is."""
    hidden = suppress(table, threshold)
    pinned = set(determined(table, hidden))
    for r, c in itertools.product(range(2), range(3)):
        if hidden[r][c]:
            assert _alternative_exists(table, hidden, (r, c)) is ((r, c) not in pinned)
    for r, c in pinned:  # given away only when its whole row and column are hidden already
        assert all(hidden[r]) and hidden[0][c] and hidden[1][c]
