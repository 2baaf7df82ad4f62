"""The Risk register view: the risks, highest score first, edited in the form beside them."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from cypdesk.common.formats import plural, word_for
from cypdesk.ui.tabs.monitoring.pages import LEVEL_FILLS, OVERDUE_FILL, TREND_ARROWS, RecordPage, _item

if TYPE_CHECKING:
    from cypdesk.ui.tabs.monitoring_tab import MonitoringTab

class RiskPage(RecordPage):
    """The risk register, highest score first."""

    HEADERS = ["Score", "Trend", "Risk", "Owner", "Review date", "Linked to", "Target"]

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__(tab, "risks", "risks", "Risk register", self.HEADERS,
                         [120, 130, 330, 130, 90, 260, 60], "risks")

    def load_rows(self) -> list[Any]:
        from cypdesk.services.monitoring import risk_register

        return risk_register(self.tab.reader)

    def fill_row(self, row: int, r: Any) -> None:
        from cypdesk.common.formats import date_uk

        t = self.table
        t.setItem(row, 0, _item(f"{r.score} · {r.level.capitalize()}", r.id, fill=LEVEL_FILLS.get(r.level), bold=True,
                                tip=f"Likelihood {r.likelihood} × impact {r.impact} = {r.score} ({r.level}). "
                                    "1-4 low, 5-9 medium, 10-14 high, 15-25 very high."))
        t.setItem(row, 1, _item(f"{TREND_ARROWS[r.trend]} {r.trend_words}", r.id))
        t.setItem(row, 2, _item(r.description, r.id, tip=r.description))
        t.setItem(row, 3, _item(r.owner or "", r.id))
        overdue = r.review_date is not None and r.review_date < self.tab.today()
        t.setItem(row, 4, _item(date_uk(r.review_date) + (" · overdue" if overdue else ""), r.id,
                                fill=OVERDUE_FILL if overdue else None))
        t.setItem(row, 5, _item(r.links_words, r.id, tip=r.links_words or None))
        t.setItem(row, 6, _item("" if r.target_score is None else str(r.target_score), r.id))

    def heading(self, r: Any) -> str:
        return f"Risk scoring {r.score} ({r.level})"

    def note_for(self, r: Any) -> str:
        parts = [f"<b>Score {r.score}</b> = likelihood {r.likelihood} × impact {r.impact} ({html.escape(r.level)}); "
                 f"{html.escape(r.trend_words.lower())}."]
        if r.target_score is not None:
            parts.append(f"Target score {r.target_score}.")
        if r.links:
            parts.append("Linked to " + html.escape(r.links_words) + ".")
        return " ".join(parts)

    def defaults(self) -> dict[str, Any]:
        return {"likelihood": 3, "impact": 3}

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["Score", "Level", "Trend", "Risk", "Owner", "Likelihood", "Impact", "Previous score",
                   "Target score", "Mitigation", "Review date", "Linked to"]
        rows = [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]
        return headers, [[r.score, r.level, r.trend_words, r.description, r.owner, r.likelihood, r.impact,
                          r.previous_score, r.target_score, r.mitigation, r.review_date, r.links_words] for r in rows]

    def caption(self) -> str:
        rows = [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]
        high = sum(1 for r in rows if r.score >= 15)
        rising = sum(1 for r in rows if r.trend == "rising")
        filtered = f" {word_for(len(rows), 'matches', 'match')} the filter" if self.filter_text else ""
        return f"{plural(len(rows), 'risk')}{filtered}: {high} very high, {rising} rising"
