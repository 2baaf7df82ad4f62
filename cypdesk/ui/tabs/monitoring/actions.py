"""The Action plan view: the commissioning strategy's actions, overdue ones flagged."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from cypdesk.common.formats import plural, word_for
from cypdesk.ui.tabs.monitoring.pages import OVERDUE_FILL, STATUS_FILLS, WARNING_STYLE, RecordPage, _item

if TYPE_CHECKING:
    from cypdesk.ui.tabs.monitoring_tab import MonitoringTab

class ActionPage(RecordPage):
    """The action plan (seed 004's table) with overdue actions flagged."""

    # Seed 004's columns, with the status and the due date (where "overdue" shows) before
    # the long progress notes, so they are in view without scrolling.
    HEADERS = ["No.", "Action", "Plan ref.", "Owner", "Status", "Due", "Report to board", "Progress"]

    def __init__(self, tab: MonitoringTab) -> None:
        super().__init__(tab, "actions", "actions", "Action plan", self.HEADERS,
                         [40, 230, 64, 110, 76, 176, 104, 300], "actions")

    def load_rows(self) -> list[Any]:
        from cypdesk.services.monitoring import action_plan

        return action_plan(self.tab.reader, self.tab.today())

    def fill_row(self, row: int, a: Any) -> None:
        from cypdesk.common.formats import date_uk

        t = self.table
        t.setItem(row, 0, _item(a.number or "", a.id))
        t.setItem(row, 1, _item(a.action, a.id, tip=a.action))
        t.setItem(row, 2, _item(a.plan_reference or "", a.id))
        t.setItem(row, 3, _item(a.owner or "", a.id))
        t.setItem(row, 4, _item(a.status_words, a.id, fill=STATUS_FILLS.get(a.status)))
        if a.overdue:
            days = (self.tab.today() - a.overdue_since).days
            when = "due date" if a.due_date else "report-to-board date (no due date recorded)"
            t.setItem(row, 5, _item(a.overdue_words, a.id, fill=OVERDUE_FILL, bold=True,
                                    tip=f"Not done, and its {when} {date_uk(a.overdue_since)} has passed: "
                                        f"{days} day{'s' if days != 1 else ''} overdue."))
        else:
            t.setItem(row, 5, _item(date_uk(a.due_date), a.id))
        t.setItem(row, 6, _item(date_uk(a.report_to_board), a.id))
        t.setItem(row, 7, _item(a.progress or "", a.id, tip=a.progress or None))

    def heading(self, a: Any) -> str:
        return f"Action {a.number}" if a.number else "Action"

    def note_for(self, a: Any) -> str:
        if a.overdue:
            return f"<span style='{WARNING_STYLE}'><b>{html.escape(a.overdue_words)}</b>: not done yet.</span>"
        return ""

    def defaults(self) -> dict[str, Any]:
        from cypdesk.services.monitoring_edit import next_action_number

        return {"number": next_action_number(self.tab.reader), "status": "not_started"}

    def copy_adjust(self, values: dict[str, Any]) -> None:
        from cypdesk.services.monitoring_edit import next_action_number

        values["number"] = next_action_number(self.tab.reader)
        values["status"] = "not_started"
        values.pop("completed_on", None)

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["No.", "Action", "Plan reference", "Owner", "Progress", "Report to board", "Due", "Status",
                   "Overdue"]
        return headers, [[a.number, a.action, a.plan_reference, a.owner, a.progress, a.report_to_board, a.due_date,
                          a.status_words, a.overdue_words] for a in self._visible()]

    def _visible(self) -> list[Any]:
        return [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]

    def caption(self) -> str:
        rows = self._visible()
        overdue = sum(1 for a in rows if a.overdue)
        done = sum(1 for a in rows if a.status == "done")
        off = sum(1 for a in rows if a.status == "off_track")
        filtered = f" {word_for(len(rows), 'matches', 'match')} the filter" if self.filter_text else ""
        return (f"{plural(len(rows), 'action')}{filtered}: {overdue} overdue, {off} off track, "
                f"{done} done")
