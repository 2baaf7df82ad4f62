"""The Pooled budgets tab: agreements, contributions and quarterly monitoring."""

from __future__ import annotations

from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec

SPEC = TabSpec("&Pooled budgets", "agreements", "Pooled budget agreements", "budget agreements", editable=False,
               columns=["title", "type", "legal_basis", "host_id", "status", "start_date", "review_date", "end_date"],
               filters=["type", "status"])


class BudgetsTab(RecordTab):
    pass
