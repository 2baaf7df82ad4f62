"""Use cases: each takes a :class:`~cypdesk.services.workspace.Workspace`, does one
thing in one transaction and returns what changed. ui and cli call only these."""
