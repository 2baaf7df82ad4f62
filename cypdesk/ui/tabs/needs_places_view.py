"""The Needs tab's Places view: the localities, districts and wards within the trust's
area side by side for one indicator (seed 001: need "by place"), each with its latest
value, its confidence interval and its comparison with the trust and with England for
the same period, from :func:`cypdesk.services.needs_places.places_side_by_side`.

The table is sortable by a click on a heading or, from the keyboard, with the "Sort
by" drop-down beside it; its rows are read once per indicator and level (a few hundred
areas at most: the large demo's 405 read in about 50 ms); Enter or a double-click on an
area shows that area's figures for every indicator in the Indicators view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget,
)

from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.needs_table import RATING_ORDER, RatedColumn, RatedRowsModel, comparison_word

if TYPE_CHECKING:
    from cypdesk.ui.tabs.needs_tab import NeedsTab


def place_columns(home_name: str, level: str) -> list[RatedColumn]:
    return [
        RatedColumn("name", "Area", "The locality, district or ward (areas within it follow it)."),
        RatedColumn("kind", "Kind", "Ward, locality, district..."),
        RatedColumn("within", "Within", "The area it is part of."),
        RatedColumn("period", "Period", "The area's latest period with a value."),
        RatedColumn("value", "Value", "The area's own latest value.", True),
        RatedColumn("ci", f"{level}% CI", f"The value's {level}% confidence interval (blank: none given).", True),
        RatedColumn("trust", home_name, f"{home_name}'s value for the same period.", True),
        RatedColumn("against_trust", f"Against {home_name}",
                    f"Better, similar or worse than {home_name} for the same period: by the {level}% confidence "
                    "interval where the value has one (else its 95% one), otherwise by the trust's own rule (±5%)."),
        RatedColumn("england", "England", "England's value for the same period.", True),
        RatedColumn("against_england", "Against England", "Better, similar or worse than England, by the same rules."),
        RatedColumn("note", "Note", "Why there is no value, or later periods without one."),
    ]


@dataclass
class _Row:
    id: str
    place: Any
    cells: tuple[str, ...]
    keys: tuple[Any, ...]
    tips: tuple[str, ...]


class PlacesModel(RatedRowsModel):
    """The places of one indicator, written out once; sorted in memory."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = place_columns("The trust", "95")
        self.places: Any = None
        self._tree: list[_Row] = []  # tree order, as read

    def set_places(self, places: Any, level: str) -> None:
        self.beginResetModel()
        self.places = places
        self.columns = place_columns(places.home_name if places else "The trust", level)
        self._tree = [self._row(r, level) for r in places.rows] if places else []
        self._rows = list(self._tree)
        self._order()
        self.endResetModel()

    def _row(self, r: Any, level: str) -> _Row:
        p = self.places
        ci = p.ci_text(r, level)
        if not ci and level == "99.8" and p.ci_text(r, "95"):
            ci = f"{p.ci_text(r, '95')} (95%)"  # no 99.8% interval: the 95% one, as the comparison uses
        value, trust, england = p.format(r.value), p.format(r.trust), p.format(r.england)
        indent = "    " * max(r.depth - 1, 0)
        by_key: dict[str, tuple[str, Any, str]] = {
            "name": (indent + r.name, r.name.casefold(), f"{r.name} ({r.kind_label or 'area'}"
                     + (f" within {r.parent_name})" if r.parent_name else ")")),
            "kind": (r.kind_label, r.kind_label.casefold() or None, r.kind_label),
            "within": (r.parent_name or "", (r.parent_name or "").casefold() or None, r.parent_name or ""),
            "period": (r.period_label, r.period_start, r.period_label),
            "value": (value, r.value, f"{r.name} {r.period_label}: {value}" if value else (r.note or "")),
            "ci": (ci, r.lower_ci_998 if level == "99.8" and r.lower_ci_998 is not None else r.lower_ci,
                   f"{level}% confidence interval {ci}" if ci else "No confidence interval given"),
            "trust": (trust, r.trust, f"{p.home_name} {r.period_label}: {trust}" if trust else
                      (f"No {p.home_name} value for {r.period_label}" if r.period else "")),
            "against_trust": (comparison_word(r.against_trust), RATING_ORDER[r.against_trust.rating],
                              f"{r.against_trust.phrase_with_level}.\nMethod: {r.against_trust.method}."),
            "england": (england, r.england, f"England {r.period_label}: {england}" if england else ""),
            "against_england": (comparison_word(r.against_england), RATING_ORDER[r.against_england.rating],
                                f"{r.against_england.phrase_with_level}.\nMethod: {r.against_england.method}."),
            "note": (r.note or "", (r.note or "").casefold() or None, r.note or ""),
        }
        picked = [by_key[c.key] for c in self.columns]
        return _Row(r.area_id, r, tuple(x[0] for x in picked), tuple(x[1] for x in picked),
                    tuple(x[2] for x in picked))

    def rating_of(self, row: Any, key: str) -> str | None:
        if key in ("against_trust", "against_england"):
            return (row.place.against_trust if key == "against_trust" else row.place.against_england).rating
        return None

    # --- order ---------------------------------------------------------------------------
    def _order(self) -> None:
        if self._sort is None or self._sort[0] >= len(self.columns):
            self._rows = list(self._tree)
            return
        column, descending = self._sort
        if column == 0 and not descending:
            self._rows = list(self._tree)  # by area: the tree, each locality followed by its wards
            return
        present = [r for r in self._tree if r.keys[column] is not None]
        blank = [r for r in self._tree if r.keys[column] is None]  # blanks last, either way
        present.sort(key=lambda r: (r.keys[column], r.keys[0]), reverse=descending)
        self._rows = present + blank

    def names(self) -> list[str]:
        """The areas' names in the order shown (tests)."""
        return [r.place.name for r in self._rows]


class PlacesPage(QWidget):
    """An indicator drop-down, a caption and the places table."""

    def __init__(self, tab: NeedsTab) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("indicators_places_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        label = QLabel("Indi&cator:")
        self.indicator = QComboBox()
        self.indicator.setObjectName("indicators_places_indicator")
        self.indicator.setAccessibleName("Indicator shown by place")
        self.indicator.setToolTip("The indicator whose figures the places are compared by (the one selected in "
                                  "the Indicators view)")
        self.indicator.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.indicator.setMinimumContentsLength(40)
        self.indicator.activated.connect(self._indicator_chosen)
        label.setBuddy(self.indicator)
        top.addWidget(label)
        top.addWidget(self.indicator, 1)
        sort_label = QLabel("Sort &by:")
        self.sort_by = QComboBox()
        self.sort_by.setObjectName("indicators_places_sort")
        self.sort_by.setAccessibleName("Sort the places by")
        self.sort_by.setToolTip("Sort the places (as a click on a column's heading does)")
        sort_label.setBuddy(self.sort_by)
        self.sort_by.activated.connect(self._sort_chosen)
        top.addWidget(sort_label)
        top.addWidget(self.sort_by)
        layout.addLayout(top)
        self.caption = QLabel("")
        self.caption.setObjectName("indicators_places_caption")
        self.caption.setAccessibleDescription("Places: summary")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.model = PlacesModel(self)
        self.table = QTableView()
        self.table.setObjectName("indicators_places_table")
        self.table.setAccessibleName("Localities and wards side by side")
        self.table.setAccessibleDescription("Each area's latest value and its comparison with the trust and "
                                            "England; Enter shows that area's figures for every indicator")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._activated)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        layout.addWidget(self.table, 1)
        self._key: Any = None

    def clear(self) -> None:
        self._key = None
        self.indicator.clear()
        self.model.set_places(None, "95")
        self.caption.setText("")

    def fill(self) -> None:
        """Read the places for the tab's selected indicator (again only if the indicator,
        the level or the document changed)."""
        tab = self.tab
        if tab.reader is None:
            self.clear()
            return
        self._fill_sorts()
        self._fill_indicators()
        iid = tab.current_id
        if iid is None:
            self._key = None
            self.model.set_places(None, tab.level)
            self.caption.setText("Choose an indicator above (or select one in the Indicators view) to see the "
                                 "localities and wards side by side.")
            return
        key = (iid, tab.level, id(tab.summaries))  # the summaries are read again after any change
        if key == self._key:
            return
        from cypdesk.services.needs_places import places_side_by_side

        places = places_side_by_side(tab.reader, iid, home_area_id=tab.areas.home_id if tab.areas else None,
                                     level=tab.level)
        self._key = key
        header = self.table.horizontalHeader()
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        self.model.set_places(places, tab.level)
        if column >= 0:
            self.model.sort(column, order)
        if places is None:
            self.caption.setText("")
            return
        if not places.rows:
            self.caption.setText(f"No areas are recorded within {places.home_name} (localities and wards come "
                                 "from the ONS lookups, imported as areas with their parents).")
            return
        n = len(places.rows)
        self.caption.setText(
            f"{places.name}: {n:,} area{'s' if n != 1 else ''} within {places.home_name}, "
            f"{places.with_values:,} with a value. Each is compared with {places.home_name} and with England "
            f"for its own period, by the {tab.level}% confidence interval where it has one, else by the trust's "
            "own rule (±5%). Enter on an area shows its figures for every indicator.")
        for col, width in enumerate((190, 70, 130, 62, 70, 130, 80, 130, 70, 130)):
            self.table.setColumnWidth(col, width)

    def _fill_indicators(self) -> None:
        combo = self.indicator
        wanted = [(s.indicator_id, s.name) for s in sorted(self.tab.summaries, key=lambda s: s.name.casefold())]
        if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] != wanted:
            combo.blockSignals(True)
            combo.clear()
            for iid, name in wanted:
                combo.addItem(name, iid)
            combo.blockSignals(False)
        index = combo.findData(self.tab.current_id) if self.tab.current_id else -1
        combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    def _indicator_chosen(self, index: int) -> None:
        iid = self.indicator.itemData(index)
        if iid is None:
            return
        if not self.tab.select(iid):  # hidden by the filter: show everything
            self.tab.filter_bar.clear()
            self.tab.select(iid)
        self.fill()

    SORTS = (("name", False, "Area (localities, then their wards)"), ("value", True, "Value, highest first"),
             ("value", False, "Value, lowest first"), ("against_trust", False, "Against the trust, worst first"),
             ("against_england", False, "Against England, worst first"), ("kind", False, "Kind"),
             ("within", False, "Within"))

    def _fill_sorts(self) -> None:
        if self.sort_by.count():
            return
        for key, descending, label in self.SORTS:
            self.sort_by.addItem(label, (key, descending))

    def _sort_chosen(self, index: int) -> None:
        key, descending = self.sort_by.itemData(index)
        column = next((i for i, c in enumerate(self.model.columns) if c.key == key), 0)
        self.table.sortByColumn(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    def _sorted(self, column: int, order: Qt.SortOrder) -> None:
        """A heading clicked: the drop-down says so when it has that order."""
        key = self.model.columns[column].key if 0 <= column < len(self.model.columns) else None
        descending = order == Qt.SortOrder.DescendingOrder
        index = next((i for i, (k, d, _l) in enumerate(self.SORTS) if k == key and d == descending), -1)
        self.sort_by.blockSignals(True)
        self.sort_by.setCurrentIndex(index)
        self.sort_by.blockSignals(False)

    def _activated(self, index: QModelIndex) -> None:
        area_id = index.data(ID_ROLE)
        if area_id:
            self.tab.choose_place(area_id)
