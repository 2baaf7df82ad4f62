"""The Services tab: the register of every service the partners commission."""

from __future__ import annotations

from cypdesk.ui.tabs.record_tab import RecordTab


class ServicesTab(RecordTab):
    pass
