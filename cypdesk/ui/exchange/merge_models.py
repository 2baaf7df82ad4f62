"""The lists of a merge preview as light table models, and their values in the tabs' words.

A plan (:class:`~cypdesk.services.exchange.plan.MergePlan`) holds plain Python lists;
each list is shown through a model that formats only the rows the view paints, so a plan
of 5,000 conflicts opens as fast as one of five (no item widgets, no sizing to contents).
Values read as the tabs read them (:func:`cypdesk.services.tables.display`: UK money and
dates, choice labels, Yes/No), and a reference shows the title of the record it names,
looked up on the worker before the preview opens (:func:`reference_names`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

_Index = QModelIndex | QPersistentModelIndex
SETTINGS_TABLE = "document"
CELL_CHARS = 90  # a value longer than this is cut in a cell; the side-by-side panel shows it whole
OURS, THEIRS = "ours", "theirs"
SIDE_WORDS = {OURS: "Mine", THEIRS: "Theirs"}

Names = Mapping[tuple[str, str], str]  # (table, record id) -> the record's title


def kind_label(table: str) -> str:
    """"Service", "Organisation"… (the catalog's label), "Document settings" for the settings."""
    from cypdesk.model.catalog import CATALOG

    if table == SETTINGS_TABLE:
        return "Document settings"
    label = CATALOG.get(table, {}).get("label") or table.replace("_", " ")
    return label[:1].upper() + label[1:]


def _spec(table: str, field: str | None) -> dict[str, Any] | None:
    from cypdesk.model.catalog import CATALOG

    if field is None or table not in CATALOG:
        return None
    return next((f for f in CATALOG[table]["fields"] if f["name"] == field), None)


def shown(table: str, field: str | None, value: Any, names: Names | None = None) -> str:
    """``value`` of ``table.field`` as the tabs show it; "(blank)" for nothing."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"(a picture or file, {len(bytes(value)) / 1024:,.0f} KB)"
    if isinstance(value, Mapping):  # a whole record (a delete against an edit): its values in brief
        parts = [f"{k}: {shown(table, k, v, names)}" for k, v in value.items() if v not in (None, "")]
        return "; ".join(parts) or "(blank)"
    spec = _spec(table, field)
    if spec is None:
        return str(value)
    target = spec.get("references")
    if spec["kind"] == "reference" and target:
        return (names or {}).get((target, str(value)), str(value))
    from cypdesk.services.tables import Column, display

    choices = {v: label for v, label in spec["choices"]} if "choices" in spec else None
    try:
        return display(Column(spec["name"], spec["label"], spec["kind"], "", choices, ""), value) or "(blank)"
    except (TypeError, ValueError, ArithmeticError):
        return str(value)


def cell(text: str) -> str:
    """One line of at most CELL_CHARS characters."""
    line = " ".join(text.split())
    return line if len(line) <= CELL_CHARS else line[:CELL_CHARS - 1] + "…"


def conflict_side(conflict: Any, side: str, names: Names | None = None) -> str:
    """One side of a conflict in words: its value, or "Deleted" for the side that
    deleted the record."""
    if conflict.kind == "delete_edit" and conflict.deleted_side == side:
        return "Deleted"
    value = conflict.ours if side == OURS else conflict.theirs
    if conflict.kind == "delete_edit":
        kept = shown(conflict.table, conflict.field, value, names) if value not in (None, "") else ""
        return f"Edited: {kept}" if kept else "Edited"
    return shown(conflict.table, conflict.field, value, names)


def references_wanted(items: Iterable[Any]) -> dict[str, set[str]]:
    """The ids each reference field of these changes and conflicts names, by the table
    they name: what :func:`reference_names` looks up."""
    wanted: dict[str, set[str]] = {}
    for item in items:
        spec = _spec(item.table, getattr(item, "field", None))
        if spec is None or spec["kind"] != "reference" or not spec.get("references"):
            continue
        for value in (item.ours, item.theirs):
            if isinstance(value, str) and value:
                wanted.setdefault(spec["references"], set()).add(value)
    return wanted


def reference_names(connections: Sequence[sqlite3.Connection], wanted: Mapping[str, set[str]]) -> dict[tuple[str, str], str]:
    """The titles of the records ``wanted`` names, from the first connection that has
    each (ours, then the partner's checked copy). Runs on the worker."""
    from cypdesk.model.catalog import CATALOG

    names: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        if table not in CATALOG:
            continue
        title = CATALOG[table]["title"]
        missing = set(ids)
        for conn in connections:
            ordered = sorted(missing)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start:start + 500]
                marks = ",".join("?" * len(chunk))
                try:
                    rows = conn.execute(f'SELECT id, "{title}" FROM "{table}" WHERE id IN ({marks})', chunk).fetchall()
                except sqlite3.Error:
                    break
                for record_id, name in rows:
                    names[(table, record_id)] = str(name)
                    missing.discard(record_id)
    return names


class Column:
    """A column of a list: its heading and how a row shows in it."""

    def __init__(self, heading: str, text: Callable[[Any], str], width: int = 160, tip: Callable[[Any], str] | None = None) -> None:
        self.heading, self.text, self.width, self.tip = heading, text, width, tip


class PlanListModel(QAbstractTableModel):
    """One list of the plan (added, changed, deleted, conflicts…), optionally narrowed to
    one kind of record (:meth:`show_kind`). Rows are formatted when painted."""

    def __init__(self, items: Sequence[Any], columns: Sequence[Column], table_of: Callable[[Any], str] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.items = list(items)
        self.columns = list(columns)
        self.table_of = table_of or attrgetter("table")
        self.rows: list[int] = list(range(len(self.items)))

    def kinds(self) -> dict[str, int]:
        """How many rows of each kind of record, in the order the kinds first come."""
        return dict(Counter(map(self.table_of, self.items)))

    def show_kind(self, table: str | None) -> None:
        self.beginResetModel()
        self.rows = [i for i, item in enumerate(self.items) if table is None or self.table_of(item) == table]
        self.endResetModel()

    def item(self, row: int) -> Any:
        return self.items[self.rows[row]]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].heading
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        column = self.columns[index.column()]
        item = self.item(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell(column.text(item))
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip(item) if column.tip else column.text(item)
        return None


class ConflictModel(PlanListModel):
    """The conflicts, each with the side it keeps: ``choices`` (key -> "ours" or
    "theirs") starts as each conflict's ``rule_choice`` (the deterministic rule: the
    later change) and changes with :meth:`choose`."""

    def __init__(self, conflicts: Sequence[Any], names: Names, parent: Any = None) -> None:
        self.names = names
        self.choices: dict[str, str] = {c.key: c.rule_choice for c in conflicts}
        columns = [
            Column("Kind", lambda c: kind_label(c.table), 110),
            Column("Record", lambda c: c.title, 280),
            Column("Field", lambda c: c.label or "Whole record", 130),
            Column("Mine", lambda c: conflict_side(c, OURS, names), 200),
            Column("Theirs", lambda c: conflict_side(c, THEIRS, names), 200),
            Column("Keep", self._keep, 110, lambda c: c.reason),
        ]
        super().__init__(conflicts, columns, parent=parent)
        self.keep_column = len(columns) - 1

    def _keep(self, conflict: Any) -> str:
        choice = self.choices[conflict.key]
        suggested = " (suggested)" if choice == conflict.rule_choice else ""
        return SIDE_WORDS[choice] + suggested

    def choose(self, conflicts: Iterable[Any], side: str | None) -> int:
        """Keep ``side`` for these conflicts (None: back to the suggested choice); the
        number whose choice changed."""
        changed = 0
        for conflict in conflicts:
            want = conflict.rule_choice if side is None else side
            if self.choices[conflict.key] != want:
                self.choices[conflict.key] = want
                changed += 1
        if changed and self.rows:
            self.dataChanged.emit(self.index(0, self.keep_column), self.index(len(self.rows) - 1, self.keep_column))
        return changed

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == self.keep_column:
            conflict = self.item(index.row())
            if self.choices[conflict.key] != conflict.rule_choice:
                from PySide6.QtGui import QFont

                font = QFont()
                font.setBold(True)  # the officer's own choice stands out (the words say it too)
                return font
        return super().data(index, role)
