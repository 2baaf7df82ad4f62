"""The Monitoring tab's views, each in its own module; the tab itself is
:mod:`cypdesk.ui.tabs.monitoring_tab`."""
