"""The read-only tables the tabs' detail panes show (a contract's payments, a team's
members, an agreement's returns, the action plan): each starts from
:func:`read_only_table` and adds its own sizing."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


def read_only_table(name: str, accessible: str, headers: Sequence[str]) -> QTableWidget:
    """A table for reading: its object name (tests find it) and accessible name (a screen
    reader says it), its headings, no row numbers, not editable, and one whole row
    selected at a time."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table
