"""The Needs tab's filter bar: free text, then outcome, group and locality (records of
the document, in tree order) and a "Worse than England" tick box; and the "Compare by"
setting of the confidence level (95% or 99.8%), which is not a filter (Clear keeps it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from cypdesk.ui.widgets.filter_bar import FilterBar

FIND_HINT = "indicator, code, group or outcome"


# --- the filter bar -----------------------------------------------------------------------------

class NeedsFilterBar(FilterBar):
    """Free text, then outcome, group and locality (records of the document) and a
    "Worse than England" tick box."""

    LISTS = (("outcome", "Any outcome", "Filter by outcome", "Outcome"),
             ("group", "Any group", "Filter by group of children", "Group"),
             ("locality", "Any locality", "Filter by locality", "Locality"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("indicators", [], parent, find_hint=FIND_HINT)
        layout = self.layout()
        for name, anything, accessible, purpose in self.LISTS:
            combo = QComboBox()
            combo.setObjectName(f"indicators_filter_{name}")
            combo.setAccessibleName(accessible)
            combo.setToolTip(accessible)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            combo.addItem(anything, None)
            combo.currentIndexChanged.connect(self._emit)
            self.insert_combo(name, purpose, combo)
        at = layout.indexOf(self.clear_button)
        self.worse = QCheckBox("&Worse than England")
        self.worse.setObjectName("indicators_filter_worse")
        self.worse.setAccessibleName("Only indicators worse than England")
        self.worse.setToolTip("Only the indicators significantly worse than England (or, without a confidence "
                              "interval, worse by more than the tolerance)")
        self.worse.toggled.connect(self._emit)
        layout.insertWidget(at, self.worse)
        # The confidence level of the comparisons: a setting, not a filter (Clear keeps it).
        self.level = QComboBox()
        self.level.setObjectName("indicators_ci_level")
        self.level.setAccessibleName("Compare by confidence interval")
        self.level.setToolTip("The confidence interval a value is compared by: 95%, or 99.8% where the value has "
                              "one (Fingertips gives both). Values without an interval are compared by the "
                              "trust's own rule (±5%), whatever the choice.")
        self.level.addItem("95% CI", "95")
        self.level.addItem("99.8% CI", "99.8")
        level_label = QLabel("Compare b&y:")
        level_label.setBuddy(self.level)
        layout.insertWidget(at + 1, level_label)
        layout.insertWidget(at + 2, self.level)

    def set_options(self, name: str, items: list[tuple[str, str]]) -> None:
        combo = self.combos[name]
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for record_id, label in items:
            combo.addItem(label, record_id)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if current is not None and index < 0:
            self._emit()  # the record chosen is gone

    def conditions(self) -> dict[str, Any]:
        out = super().conditions()
        if self.worse.isChecked():
            out["worse_than_england"] = True
        return out

    def clear(self) -> None:
        self.worse.blockSignals(True)
        self.worse.setChecked(False)
        self.worse.blockSignals(False)
        super().clear()


def _outcome_tree(conn: Any) -> list[tuple[str, str]]:
    """Outcomes in plan order, each followed by its sub-outcomes (indented)."""
    rows = conn.execute("SELECT id, code, name, parent_id, rank FROM outcomes").fetchall()
    ids = {r[0] for r in rows}
    children: dict[str | None, list[tuple[Any, ...]]] = {}
    for r in rows:
        children.setdefault(r[3] if r[3] in ids else None, []).append(r)
    out: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r[4] if r[4] is not None else 1e9, (r[2] or "").casefold())):
            label = f"{r[1]} {r[2]}" if r[1] else r[2]
            out.append((r[0], "    " * depth + label))
            if depth < 8:
                walk(r[0], depth + 1)

    walk(None, 0)
    return out


def _localities(conn: Any, home_id: str | None) -> list[tuple[str, str]]:
    """The areas within the trust's own (localities, districts, then their wards),
    in tree order, indented."""
    if home_id is None:
        return []
    rows = conn.execute(
        "WITH RECURSIVE within(id, name, parent_id, kind, depth) AS ("
        " SELECT id, name, parent_id, kind, 0 FROM areas WHERE parent_id = ?"
        " UNION ALL SELECT a.id, a.name, a.parent_id, a.kind, w.depth + 1 FROM areas a JOIN within w"
        " ON a.parent_id = w.id WHERE w.depth < 6) SELECT id, name, parent_id, kind, depth FROM within",
        (home_id,)).fetchall()
    children: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        children.setdefault(r[2], []).append(r)
    out: list[tuple[str, str]] = []

    def walk(parent: str, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r[1] or "").casefold()):
            out.append((r[0], "    " * depth + (r[1] or "")))
            walk(r[0], depth + 1)

    walk(home_id, 0)
    return out
