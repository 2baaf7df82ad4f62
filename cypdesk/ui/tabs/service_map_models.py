"""The service map's table pieces: the matrix model (:class:`OutcomeMatrixModel`), the
proxies that keep its frozen columns (:class:`FiguresOnly`) and its services' columns
(:class:`ServicesOnly`), the wrapping header
(:class:`WrapHeader`) and the small detail tables (:class:`ListTableModel`), with the
columns, roles and shades they share. :mod:`cypdesk.ui.tabs.service_map_view` lays them out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader

from cypdesk.common.formats import money, money_short, percent, plural
from cypdesk.model.catalog import CATALOG
from cypdesk.services.service_map import (
    RULE_LITTLE_MONEY, RULE_NO_SERVICE, RULE_ONLY_SECONDARY, ContractEnding, Gap, OutcomeMap, OutcomeRow, Overlap,
    ServiceRow,
)

COL_OUTCOME, COL_SERVICES, COL_MONEY, COL_SHARE, COL_GAP = range(5)
FIXED_COLUMNS = ("Outcome", "Services", "Money", "Share of spend", "Gap")
N_FIXED = len(FIXED_COLUMNS)
FIXED_WIDTHS = (290, 64, 92, 58, 150)

SERVICE_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # a service column's (or cell's) service id
OUTCOME_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # a row's outcome id
CONTRIBUTION_ROLE = Qt.ItemDataRole.UserRole + 3  # "primary", "secondary" or None
IS_GAP_ROLE = Qt.ItemDataRole.UserRole + 4  # True on the rows of outcomes that are gaps
KEY_ROLE = Qt.ItemDataRole.UserRole + 5  # the record a row of a detail table stands for

# The apportionment rule of service_map.py in one plain sentence.
APPORTIONMENT_RULE = (
    "Each service's annual cost is shared among the outcomes it is linked to, a primary contribution "
    "counting twice a secondary one (a £300,000 service with one primary and one secondary outcome puts "
    "£200,000 on the first and £100,000 on the second)."
)

# Pale shades that keep black text readable and stay apart in greyscale (primary the
# darkest); the words in the cells say the same for anyone who cannot see them.
PRIMARY_SHADE = QColor("#b4cfe9")
SECONDARY_SHADE = QColor("#e4eef8")
GAP_SHADE = QColor("#fbdcae")
PARENT_SHADE = QColor("#ececec")  # the rows of outcomes with sub-outcomes: they head each group
INK = QColor("#000000")
ENDING_SHADES = {6: QColor("#fde2c4"), 12: QColor("#fff4c2"), 0: QColor("#e6e6e6")}

GAP_LABELS = {RULE_NO_SERVICE: "No service", RULE_ONLY_SECONDARY: "Only secondary contributions",
              RULE_LITTLE_MONEY: "Little money"}
KIND_WORDS = {"primary": "Primary", "secondary": "Secondary"}

_Index = QModelIndex | QPersistentModelIndex
_INDENT = "\u2003\u2003"  # two em spaces per level of the outcome tree


def _choices(field: str) -> dict[str, str]:
    for spec in CATALOG["services"]["fields"]:
        if spec["name"] == field:
            return {value: label for value, label in spec.get("choices", ())}
    return {}


_plural = plural  # one helper for counts in words, in common.formats


def _names(names: Sequence[str], most: int = 8) -> str:
    """``A, B, C`` — or the first ``most`` and how many more, for a tooltip."""
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most:,} more"


def _gap_label(gap: Gap) -> str:
    return "; ".join(GAP_LABELS.get(rule, reason) for rule, reason in zip(gap.rules, gap.reasons, strict=False))


# --- the matrix -----------------------------------------------------------------------

class OutcomeMatrixModel(QAbstractTableModel):
    """Rows: the map's outcomes in tree order. Columns: the fixed figures
    (:data:`FIXED_COLUMNS`), then one per shown service. Read on demand."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.map: OutcomeMap | None = None
        self.outcomes: list[OutcomeRow] = []
        self.services: list[ServiceRow] = []  # the shown columns
        self._gaps: dict[str, list[Gap]] = {}
        self._parents: set[str] = set()  # outcomes with sub-outcomes under them
        self._overlaps: dict[tuple[str, str], list[Overlap]] = {}
        self._cost: dict[str, float | None] = {}
        self._tiers = _choices("tier")
        self._sectors = _choices("sector")
        self._statuses = _choices("status")
        self._bold = QFont()
        self._bold.setBold(True)

    def set_map(self, m: OutcomeMap | None, services: Sequence[ServiceRow] = ()) -> None:
        self.beginResetModel()
        self.map = m
        self.outcomes = list(m.outcomes) if m else []
        self.services = list(services)
        self._parents = {o.id for o, below in zip(self.outcomes, self.outcomes[1:]) if below.depth > o.depth}
        self._gaps = defaultdict(list)
        self._overlaps = defaultdict(list)
        if m is not None:
            for gap in m.gaps:
                if gap.kind == "outcome":
                    self._gaps[gap.id].append(gap)
            for ov in m.overlaps:
                for sid, _name in ov.services:
                    self._overlaps[(ov.outcome_id, sid)].append(ov)
            self._cost = {s.id: s.annual_cost for s in m.services}
        self.endResetModel()

    def service_of(self, column: int) -> ServiceRow | None:
        i = column - N_FIXED
        return self.services[i] if 0 <= i < len(self.services) else None

    def row_of(self, outcome_id: str) -> int | None:
        return next((i for i, o in enumerate(self.outcomes) if o.id == outcome_id), None)

    def gap_text(self, outcome_id: str) -> str:
        return "; ".join(_gap_label(g) for g in self._gaps.get(outcome_id, ()))

    # --- shape ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.outcomes)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.map is None else N_FIXED + len(self.services)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if section < N_FIXED:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return FIXED_COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._fixed_tip(section)
            return None
        s = self.service_of(section)
        if s is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return s.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._service_tip(s)
        if role == SERVICE_ID_ROLE:
            return s.id
        return None

    def _fixed_tip(self, section: int) -> str:
        little = percent(100.0 * (self.map.little_share if self.map else 0.01), 0)
        return (
            "Outcomes and sub-outcomes in the plan's order; a sub-outcome is indented under its outcome (in bold), "
            "whose figures include it.",
            "How many different services are linked to the outcome or to anything below it "
            "(a service on two sub-outcomes counts once).",
            APPORTIONMENT_RULE + " An outcome's money includes its sub-outcomes'.",
            "The outcome's money as a share of the total annual spend on the services in the map.",
            "Why the outcome is a gap: no service contributes to it, services contribute but none as a primary "
            f"outcome, or its money is below {little} of the total spend.",
        )[section]

    def _service_tip(self, s: ServiceRow) -> str:
        bits = [f"Tier: {self._tiers.get(s.tier or '', 'not recorded')}",
                f"Sector: {self._sectors.get(s.sector or '', 'not recorded')}",
                f"Annual cost: {money(s.annual_cost) if s.annual_cost is not None else 'not recorded'}",
                f"Prevention or early intervention: {'yes' if s.prevention else 'no'}",
                f"Status: {self._statuses.get(s.status, s.status or 'not recorded')}"]
        return f"{s.name}\n" + "\n".join(bits) + "\nDouble-click to select it in the register."

    # --- data ----------------------------------------------------------------------
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.map is None:
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self.outcomes)):
            return None
        o = self.outcomes[row]
        if role == OUTCOME_ID_ROLE:
            return o.id
        if role == IS_GAP_ROLE:
            return o.id in self._gaps
        if col < N_FIXED:
            return self._fixed(o, col, role)
        s = self.service_of(col)
        if s is None:
            return None
        return self._cell(o, s, role)

    def _fixed(self, o: OutcomeRow, col: int, role: int) -> Any:
        gap = o.id in self._gaps
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_OUTCOME:
                return _INDENT * o.depth + o.title
            if col == COL_SERVICES:
                return f"{o.services:,}"
            if col == COL_MONEY:
                return money(o.money)
            if col == COL_SHARE:
                return percent(o.share_pct, 1)
            return self.gap_text(o.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._row_tip(o)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return self._row_tip(o)
        if role == Qt.ItemDataRole.FontRole and self._has_children(o):
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole and (gap or o.id in self._parents):
            return QBrush(GAP_SHADE if gap else PARENT_SHADE)
        if role == Qt.ItemDataRole.ForegroundRole and (gap or o.id in self._parents):
            return QBrush(INK)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_SERVICES, COL_MONEY, COL_SHARE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _has_children(self, o: OutcomeRow) -> bool:
        return o.id in self._parents

    def _row_tip(self, o: OutcomeRow) -> str:
        lines = [o.title,
                 f"{_plural(o.services, 'service')} ({o.primary_services:,} as a primary outcome); "
                 f"{money(o.money)}, {percent(o.share_pct, 1)} of the total spend."]
        if self._has_children(o):
            lines.append("The figures include its sub-outcomes.")
        for gap in self._gaps.get(o.id, ()):
            lines.append("Gap: " + " ".join(gap.reasons))
        return "\n".join(lines)

    def _cell(self, o: OutcomeRow, s: ServiceRow, role: int) -> Any:
        key = (o.id, s.id)
        kind = self.map.cells.get(key) if self.map else None
        if role == SERVICE_ID_ROLE:
            return s.id
        if role == CONTRIBUTION_ROLE:
            return kind
        if kind is None:
            if role == Qt.ItemDataRole.BackgroundRole and (o.id in self._gaps or o.id in self._parents):
                return QBrush(GAP_SHADE if o.id in self._gaps else PARENT_SHADE)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{s.name} is not linked to {o.title}."
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            cost = self._cost.get(s.id)
            amount = "no cost recorded" if cost is None else money_short(self.map.apportioned.get(key, 0.0))
            return f"{KIND_WORDS[kind]} · {amount}" + (" · overlap" if key in self._overlaps else "")
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return self._cell_tip(o, s, kind)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(PRIMARY_SHADE if kind == "primary" else SECONDARY_SHADE)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(INK)
        return None

    def _cell_tip(self, o: OutcomeRow, s: ServiceRow, kind: str) -> str:
        key = (o.id, s.id)
        cost = self._cost.get(s.id)
        lines = [f"{s.name}: a {kind} contribution to {o.title}."]
        if cost is None:
            lines.append("No annual cost is recorded for the service, so it puts no money on the outcome.")
        else:
            lines.append(f"{money(self.map.apportioned.get(key, 0.0))} of its {money(cost)} a year. {APPORTIONMENT_RULE}")
        by_group: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        for ov in self._overlaps.get(key, ()):
            others = tuple(name for sid, name in ov.services if sid != s.id)
            by_group[(ov.group, others)].append(ov.locality)
        for (group, others), places in by_group.items():
            lines.append(f"Overlap: for {group} in {', '.join(places)}, also {_names(others)}.")
        lines.append("Double-click to select the service in the register.")
        return "\n".join(lines)


class FiguresOnly(QSortFilterProxyModel):
    """The matrix's model with only its frozen columns (the outcome and its figures), in
    the same row order. The frozen view shows it, so a screen reader, which reads hidden
    columns too, meets the map's services once (in the matrix), not twice."""

    def filterAcceptsColumn(self, source_column: int, _source_parent: Any) -> bool:  # noqa: N802
        return source_column < N_FIXED


class ServicesOnly(QSortFilterProxyModel):
    """The matrix's model with only its services' columns, in the same row order: the
    mirror of :class:`FiguresOnly`. The matrix view shows it, so the outcomes' figures
    are exposed once (in the frozen view), not also as hidden columns of the matrix.
    Its column ``c`` is the source's column ``c + N_FIXED`` (the service ``c``)."""

    def filterAcceptsColumn(self, source_column: int, _source_parent: Any) -> bool:  # noqa: N802
        return source_column >= N_FIXED

    @staticmethod
    def source_column(column: int) -> int:
        return column + N_FIXED

    def service_of(self, column: int) -> ServiceRow | None:
        """The service of the matrix view's ``column`` (None outside them)."""
        source = self.sourceModel()
        if not isinstance(source, OutcomeMatrixModel) or column < 0:
            return None
        return source.service_of(self.source_column(column))


class WrapHeader(QHeaderView):
    """A horizontal header that wraps each label over up to ``lines`` lines (the last
    elided) so long service names fit narrow columns; the full name is its tooltip."""

    def __init__(self, lines: int = 4, parent: Any = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.lines = lines
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def header_height(self) -> int:
        return QFontMetrics(self.font()).lineSpacing() * self.lines + 12

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().sizeHint().width(), self.header_height())

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        if not rect.isValid() or self.model() is None:
            return
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)
        opt.rect = rect
        opt.section = logical
        opt.text = ""
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, opt, painter, self)
        painter.restore()
        text = str(self.model().headerData(logical, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        area = rect.adjusted(5, 4, -5, -4)
        fm = QFontMetrics(self.font())
        lines = self._wrap(text, fm, area.width())
        painter.save()
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        top = area.top() + max(0, (area.height() - fm.lineSpacing() * len(lines)) // 2)
        for i, line in enumerate(lines):
            painter.drawText(QRect(area.left(), top + i * fm.lineSpacing(), area.width(), fm.lineSpacing()),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), line)
        painter.restore()

    def _wrap(self, text: str, fm: QFontMetrics, width: int) -> list[str]:
        if width <= 0 or not text:
            return []
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        lines: list[str] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(text[line.textStart():line.textStart() + line.textLength()].strip())
        layout.endLayout()
        if len(lines) > self.lines:
            lines = lines[:self.lines - 1] + [" ".join(lines[self.lines - 1:])]
        # a word longer than the column, or the last line of many, ends in an ellipsis
        return [fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]


# --- the detail tables ----------------------------------------------------------------

@dataclass
class _Row:
    cells: tuple[str, ...]
    key: Any = None
    tip: str = ""
    shade: QColor | None = None


class ListTableModel(QAbstractTableModel):
    """A small read-only table of text rows (tiers, gaps, overlaps, contracts)."""

    def __init__(self, headers: Sequence[str], right: Sequence[int] = (), tips: Sequence[str] = (),
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.header_tips = tuple(tips)
        self.right = set(right)
        self.rows: list[_Row] = []

    def set_rows(self, rows: list[_Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._sort_rows()
        self.endResetModel()

    _sorted_by: tuple[int, bool] | None = None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (the officer clicks its heading): figures as numbers ("£1,200"
        after "£900"), words without regard to case; rows with nothing there go last."""
        self.layoutAboutToBeChanged.emit()
        self._sorted_by = (column, order == Qt.SortOrder.DescendingOrder) if column >= 0 else None
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        if self._sorted_by is None or not self.rows:
            return
        column, descending = self._sorted_by
        if not 0 <= column < len(self.headers):
            return

        def key(row: _Row) -> tuple[int, Any]:
            text = row.cells[column].strip()
            if column in self.right:
                digits = "".join(ch for ch in text if ch.isdigit() or ch in ".-")
                try:
                    return (0, float(digits))
                except ValueError:
                    return (1, 0.0)
            return (0 if text else 1, text.casefold())

        filled = [r for r in self.rows if key(r)[0] == 0]
        empty = [r for r in self.rows if key(r)[0] == 1]
        self.rows = sorted(filled, key=key, reverse=descending) + empty

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.header_tips):
            return self.header_tips[section] or None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return row.tip or row.cells[index.column()]
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.BackgroundRole and row.shade is not None:
            return QBrush(row.shade)
        if role == Qt.ItemDataRole.ForegroundRole and row.shade is not None:
            return QBrush(INK)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _months_text(c: ContractEnding) -> str:
    if c.days_left < 0:
        return f"{_plural(-c.months_left, 'month')} ago" if c.months_left else f"{_plural(-c.days_left, 'day')} ago"
    if c.months_left == 0:
        return "today" if c.days_left == 0 else _plural(c.days_left, "day")
    return _plural(c.months_left, "month")
