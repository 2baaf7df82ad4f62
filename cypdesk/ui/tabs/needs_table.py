"""The Needs tab's indicator table: the comparison colours and words, and
:class:`IndicatorTableModel`, which holds each indicator's summary already written out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPixmap

from cypdesk.services.needs_rules import format_value
from cypdesk.ui.models.record_table import ID_ROLE, SORT_ROLE

# The comparison's colour, strong (a square beside the word) and pale (the cell behind
# black text, contrast above 12:1). The word is always there.
STRONG = {"better": "#00703c", "similar": "#f3d21b", "worse": "#d4351c", "not_compared": "#b1b4b6"}
PALE = {"better": "#d2eadd", "similar": "#fff7c2", "worse": "#f8d9d4", "not_compared": "#eeeeee"}
WORDS = {"better": "Better", "similar": "Similar", "worse": "Worse", "not_compared": "Not compared"}
RATING_ORDER = {"worse": 0, "similar": 1, "better": 2, "not_compared": 3}
TREND_ORDER = {"worsening": 0, "no clear change": 1, "improving": 2, "increasing": 3, "decreasing": 4,
               "not enough data": 5}

_Index = QModelIndex | QPersistentModelIndex

# The roles the models answer, as plain ints (comparing with Qt's enums costs a
# microsecond each, and a repaint asks tens of thousands of times).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_ACCESSIBLE_DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_BRUSHES: dict[str, QBrush] = {}


def brush(rating: str) -> QBrush:
    """The pale background of a comparison's cell (made once per rating)."""
    if rating not in _BRUSHES:
        _BRUSHES[rating] = QBrush(QColor(PALE[rating]))
    return _BRUSHES[rating]


_ROLES = frozenset({_DISPLAY, _ACCESSIBLE_TEXT, _ACCESSIBLE_DESCRIPTION, _TOOLTIP, _BACKGROUND, _DECORATION, _ALIGNMENT,
                    int(ID_ROLE), int(SORT_ROLE)})


# --- the table --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RatedColumn:
    key: str
    label: str
    help: str
    numeric: bool = False


def columns_for(home_name: str, place_name: str | None = None) -> list[RatedColumn]:
    """The table's columns; with ``place_name`` (a locality or ward chosen), the place's
    own figures with the trust's and England's for the same period beside them, and the
    comparison with the trust instead of the rank among the trust's neighbours."""
    if place_name is None:
        return [
            RatedColumn("name", "Indicator", "The indicator's name; its definition and source are in the detail."),
            RatedColumn("period", "Period", "The latest period with a value for the trust."),
            RatedColumn("value", home_name, f"{home_name}'s latest value.", True),
            RatedColumn("england", "England", "England's value for the same period.", True),
            RatedColumn("comparison", "Against England",
                        "Better, similar or worse than England: by the confidence interval chosen (95% or 99.8%) "
                        "where the value has one, else by the trust's own rule (±5%); the method is in the cell's "
                        "tip and the detail."),
            RatedColumn("trend", "Trend", "The direction of the last five values, by polarity."),
            RatedColumn("rank", "Among neighbours", "Rank among the trust and its statistical neighbours (1st = best) "
                        "and quartile (Q1 = the best quarter)."),
            RatedColumn("group", "Group", "The group of children the indicator is about."),
            RatedColumn("outcomes", "Outcome", "The outcomes the indicator measures."),
        ]
    return [
        RatedColumn("name", "Indicator", "The indicator's name; its definition and source are in the detail."),
        RatedColumn("period", "Period", f"The latest period with a value for {place_name}."),
        RatedColumn("value", place_name, f"{place_name}'s own latest value (blank: it has none).", True),
        RatedColumn("trust", home_name, f"{home_name}'s value for the same period.", True),
        RatedColumn("england", "England", "England's value for the same period.", True),
        RatedColumn("comparison", "Against England",
                    f"{place_name} against England: by the confidence interval chosen where the value has one, "
                    "else by the trust's own rule (±5%)."),
        RatedColumn("against_trust", f"Against {home_name}",
                    f"{place_name} against {home_name} for the same period, by the same rules."),
        RatedColumn("trend", "Trend", f"The direction of {place_name}'s last five values, by polarity."),
        RatedColumn("group", "Group", "The group of children the indicator is about."),
        RatedColumn("outcomes", "Outcome", "The outcomes the indicator measures."),
    ]


@dataclass
class _Row:
    id: str
    summary: Any
    cells: tuple[str, ...]
    keys: tuple[Any, ...]
    tips: tuple[str, ...]
    search: str


def comparison_word(c: Any) -> str:
    """The word in a comparison's cell: Better, Similar, Worse, Not compared; for "no
    judgement", Higher, Lower or Similar (grey; the tip says so)."""
    if c.rating == "not_compared" and c.direction in ("higher", "lower", "similar"):
        return c.direction.capitalize()
    return WORDS[c.rating]


def _row(s: Any, columns: list[RatedColumn]) -> _Row:
    """A summary written out once, so that painting is a lookup."""
    value_text, england_text, ci_text = s.value_text, s.england_text, s.ci_text  # each formats: once
    value = f"{value_text} *" if s.note and value_text else ("*" if s.note else value_text)
    ci = f" (95% confidence interval {ci_text})" if ci_text else ""
    if s.lower_ci_998 is not None and s.upper_ci_998 is not None:
        ci += (f" (99.8%: {format_value(s.lower_ci_998, s.unit, s.decimals)} to "
               f"{format_value(s.upper_ci_998, s.unit, s.decimals)})")
    c = s.comparison
    trust = s.against_trust
    by_key: dict[str, tuple[str, Any, str]] = {
        "name": (s.name, s.name.casefold(), f"{s.code + ': ' if s.code else ''}{s.name}"),
        "period": (s.period_label, s.period_start, s.period_label),
        "value": (value, s.value, f"{value_text}{ci}" + (f"\n* {s.note}" if s.note else "")),
        "england": (england_text, s.england, f"England {england_text}"),
        "comparison": (comparison_word(c), RATING_ORDER[c.rating], f"{c.phrase_with_level}.\nMethod: {c.method}."),
        "trend": (s.trend.word.capitalize(), TREND_ORDER.get(s.trend.word, 9),
                  f"{s.trend.word.capitalize()}.\nRule: {s.trend.method}."),
        "rank": (s.neighbours.text if s.value is not None else "", s.neighbours.rank,
                 f"{s.neighbours.method}." if s.value is not None else ""),
        "group": (s.group_name or "", (s.group_name or "").casefold() or None, s.group_name or "All children"),
        "outcomes": (", ".join(s.outcome_labels), ", ".join(s.outcome_labels) or None, ", ".join(s.outcome_labels)),
        "trust": (s.trust_text, s.trust, f"The trust's value for the same period: {s.trust_text}"
                  if s.trust is not None else "No value for the trust for the same period"),
        "against_trust": (comparison_word(trust) if trust else "", RATING_ORDER[trust.rating] if trust else None,
                          f"{trust.phrase_with_level}.\nMethod: {trust.method}." if trust else ""),
    }
    picked = [by_key[col.key] for col in columns]
    search = " ".join([s.name, s.code or "", s.group_name or "", *s.outcome_labels]).casefold()
    return _Row(s.indicator_id, s, tuple(p[0] for p in picked), tuple(p[1] for p in picked),
                tuple(p[2] for p in picked), search)


def _swatch(colour: str) -> QPixmap:
    pixmap = QPixmap(10, 10)
    pixmap.fill(QColor(colour))
    return pixmap


class RatedRowsModel(QAbstractTableModel):
    """Rows written out once (cells, sort keys, tips: painting is a lookup) whose
    comparison cells are coloured by their rating with a square beside the word. A
    subclass fills ``columns`` and ``_rows``, says which rating a cell shows
    (:meth:`rating_of`) and how rows are ordered (:meth:`_order`, after ``_sort``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns: list[RatedColumn] = []
        self._rows: list[Any] = []
        self._sort: tuple[int, bool] | None = None
        self._swatches: dict[str, QPixmap] = {}

    def rating_of(self, row: Any, key: str) -> str | None:
        """The rating the cell of column ``key`` shows, or None for a plain cell."""
        return None

    def _order(self) -> None:
        raise NotImplementedError

    # --- shape -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].label
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.columns[section].help
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        role = int(role)
        if role not in _ROLES or not index.isValid() or index.row() >= len(self._rows):
            return None  # painting asks for a dozen roles per cell: the others answer at once
        if role == _ACCESSIBLE_DESCRIPTION:  # a screen reader hears the cell's tip
            return self.data(index, _TOOLTIP)
        row = self._rows[index.row()]
        col = index.column()
        if role in (_DISPLAY, _ACCESSIBLE_TEXT):
            return row.cells[col]
        if role == ID_ROLE:
            return row.id
        if role == _TOOLTIP:
            return row.tips[col] or None
        if role == SORT_ROLE:
            return row.keys[col]
        rating = self.rating_of(row, self.columns[col].key)
        if rating is not None:
            if role == _BACKGROUND:
                return brush(rating)
            if role == _DECORATION:
                if rating not in self._swatches:
                    self._swatches[rating] = _swatch(STRONG[rating])
                return self._swatches[rating]
        if role == _ALIGNMENT and self.columns[col].numeric:
            return _RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder) if column >= 0 else None
        self._order()
        self.layoutChanged.emit()

    def row_of(self, record_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), None)


class IndicatorTableModel(RatedRowsModel):
    """The indicators with their comparisons, written out once when read: painting is a
    lookup. Sorted and filtered in memory (a trust has tens or hundreds of indicators;
    the values behind them stay in SQLite)."""

    def __init__(self, summaries: list[Any], home_name: str, parent: Any = None, place_name: str | None = None) -> None:
        super().__init__(parent)
        self.columns = columns_for(home_name, place_name)
        self.home_name, self.place_name = home_name, place_name
        self._all: list[_Row] = [_row(s, self.columns) for s in summaries]
        self._rows = list(self._all)
        self._text = ""
        self._keep: set[str] | None = None

    def rating_of(self, row: Any, key: str) -> str | None:
        if key in ("comparison", "against_trust"):
            found = row.summary.comparison if key == "comparison" else row.summary.against_trust
            return None if found is None else found.rating
        return None

    # --- which rows, in which order ------------------------------------------------------
    def set_summaries(self, summaries: list[Any], place_name: str | None = None, home_name: str | None = None, *,
                      text: str | None = None, keep: set[str] | None | Any = ...) -> None:
        """New rows; with ``place_name``, a place's figures (its own columns); with
        ``text`` and ``keep``, the filter too, in the same reset."""
        self.beginResetModel()
        if text is not None:
            self._text = text.strip().casefold()
        if keep is not ...:
            self._keep = keep
        self.home_name = home_name or self.home_name
        if place_name != self.place_name or home_name is not None:
            self.place_name = place_name
            self.columns = columns_for(self.home_name, place_name)
            self._sort = None
        self._all = [_row(s, self.columns) for s in summaries]
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str = "", keep: set[str] | None = None) -> None:
        self.beginResetModel()
        self._text = text.strip().casefold()
        self._keep = keep
        self._apply()
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        return bool(self._text) or self._keep is not None

    def _apply(self) -> None:
        rows = self._all
        if self._keep is not None:
            rows = [r for r in rows if r.id in self._keep]
        if self._text:
            rows = [r for r in rows if self._text in r.search]
        self._rows = rows
        self._order()

    def _order(self) -> None:
        if self._sort is None:
            return
        column, descending = self._sort
        present = [r for r in self._rows if r.keys[column] is not None]
        blank = [r for r in self._rows if r.keys[column] is None]  # blanks last, either way
        present.sort(key=lambda r: (r.keys[column], r.keys[0]), reverse=descending)
        blank.sort(key=lambda r: r.keys[0])
        self._rows = present + blank

    def summaries(self) -> list[Any]:
        """The rows shown, in the order shown."""
        return [r.summary for r in self._rows]

    def shown_ids(self) -> list[str]:
        return [r.id for r in self._rows]
