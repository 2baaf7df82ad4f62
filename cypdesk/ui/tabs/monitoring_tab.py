"""The Monitoring tab: measures and ratings, the action plan and the risk register."""

from __future__ import annotations

from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec

SPEC = TabSpec("&Monitoring", "measures", "Performance measures", "performance measures", editable=False,
               columns=["name", "kind", "service_id", "target", "polarity", "frequency"], filters=["kind"])


class MonitoringTab(RecordTab):
    pass
