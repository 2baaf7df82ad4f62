"""The Teams tab: the joint commissioning unit and its sub-groups."""

from __future__ import annotations

from cypdesk.ui.tabs.record_tab import RecordTab


class TeamsTab(RecordTab):
    pass
