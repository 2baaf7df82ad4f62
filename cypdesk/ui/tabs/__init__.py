"""One module per tab. Every tab is a :class:`~cypdesk.ui.tabs.record_tab.RecordTab`
(filter bar, lazy table, detail editor) or builds on one."""
