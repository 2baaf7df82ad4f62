"""The Needs tab: indicators, their trends and comparisons, evidence and priorities."""

from __future__ import annotations

from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec

SPEC = TabSpec("&Needs", "indicators", "Needs: indicators", "indicators", editable=False,
               columns=["code", "name", "group_id", "unit", "polarity", "source"], filters=["polarity", "unit"])


class NeedsTab(RecordTab):
    pass
