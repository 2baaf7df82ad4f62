"""The Measures view's table: the measures register's SQL query with the ratings
computed beside it, and the model that writes each rating as a word on its colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from cypdesk.services.tables import Column, TableQuery
from cypdesk.ui.models.record_table import ID_ROLE, RecordTableModel
from cypdesk.ui.tabs.monitoring.pages import RATING_FILLS, RATING_SORT_ROLE, _fmt, _q

# --- the measures table: the register's SQL table with the ratings beside it --------------------

OWNER_SQL = ("COALESCE((SELECT s.name FROM services s WHERE s.id = t.service_id), "
             "(SELECT COALESCE(c.reference || ' (' || cs.name || ')', c.reference, cs.name) FROM contracts c "
             "LEFT JOIN services cs ON cs.id = c.service_id WHERE c.id = t.contract_id), "
             "(SELECT COALESCE(p.plan_reference || ': ' || p.statement, p.statement) FROM priorities p "
             "WHERE p.id = t.priority_id), (SELECT tm.name FROM teams tm WHERE tm.id = t.team_id))")
LATEST = ("(SELECT m.{col} FROM measurements m WHERE m.measure_id = t.id "
          "ORDER BY m.period_start DESC, m.period DESC LIMIT 1)")


class MeasureQuery(TableQuery):
    """The measures register (sorted and filtered in SQL like every table) with what is
    computed beside it: whom the measure is of, its latest period and actual, and the
    rating, which sorts worst first and filters by its value."""

    def __init__(self, conn: Any, columns: list[str]) -> None:
        super().__init__(conn, "measures", columns)
        self.ratings: dict[str, Any] = {}  # measure id -> MeasureRating
        self.scale = "rag"
        own = {c.name: c for c in self.columns}
        extra = {c.name: c for c in (
            Column("rating", "Rating", "rating", "The latest period's rating; hover for the rule.", None, "0"),
            Column("latest_actual", "Latest actual", "number", "The actual for the latest period.", None,
                   LATEST.format(col="actual")),
            Column("target", "Target", "number", "The target the actual is compared with.", None, "t.target"),
            Column("latest_period", "Latest period", "period", "The latest period with a measurement.", None,
                   LATEST.format(col="period")),
            Column("owner", "Of", "text", "The service, contract, priority or team the measure is of.", None, OWNER_SQL),
        )}
        # The measure, then what an officer scans for: its rating, actual and target.
        first = [own.pop("name")] if "name" in own else []
        self.columns = first + list(extra.values()) + list(own.values())

    def set_ratings(self, ratings: list[Any], scale: str) -> None:
        from cypdesk.services.monitoring import ORDER

        self.ratings = {m.id: m for m in ratings}
        self.scale = scale
        order = ORDER[scale]
        cases = " ".join(f"WHEN {_q(m.id)} THEN {order.index(m.rating.value) if m.rating.value in order else len(order)}"
                         for m in ratings)
        sql = f"(CASE t.id {cases} ELSE {len(order)} END)" if cases else "0"
        at = next(i for i, c in enumerate(self.columns) if c.name == "rating")
        self.columns[at] = Column("rating", "Rating", "rating", self.columns[at].help, None, sql)
        self._count = None

    def _where(self) -> tuple[str, list[Any]]:
        saved = self.conditions
        rating = saved.get("rating")
        self.conditions = {k: v for k, v in saved.items() if k != "rating"}
        try:
            where, params = super()._where()
        finally:
            self.conditions = saved
        if rating:
            ids = [mid for mid, m in self.ratings.items() if m.rating.value == rating]
            clause = f"t.id IN ({', '.join('?' * len(ids))})" if ids else "0"
            where = (where + " AND " if where else " WHERE ") + clause
            params = [*params, *ids]
        return where, params


class MeasureTableModel(RecordTableModel):
    """The register's model, with the rating written as a word on its colour, the rule
    on hover, and actuals and targets in the measure's unit."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:  # a screen reader hears the cell's tip (the rule)
            return self.data(index, Qt.ItemDataRole.ToolTipRole)
        column = self.query.columns[index.column()]
        if column.name not in ("rating", "latest_actual", "target"):
            return super().data(index, role)
        found = self._row(index.row())
        if found is None:
            return None
        record_id, values = found
        if role == ID_ROLE:
            return record_id
        measure = self.query.ratings.get(record_id)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.name != "rating":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if measure is None:
            return super().data(index, role)
        if column.name == "rating":
            rating = measure.rating
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return rating.word
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(RATING_FILLS.get(rating.value, "#ffffff")))
            if role == Qt.ItemDataRole.ToolTipRole:
                period = f" ({measure.latest.label})" if measure.latest else ""
                return f"{rating.rule}{'' if not period else chr(10) + 'Latest period' + period + '.'}"
            if role == RATING_SORT_ROLE:
                return rating.rank
            return None
        value = values[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _fmt(value, measure.unit)
        if role == Qt.ItemDataRole.ToolTipRole and column.name == "latest_actual" and measure.latest:
            return measure.latest.commentary or None
        return super().data(index, role)
