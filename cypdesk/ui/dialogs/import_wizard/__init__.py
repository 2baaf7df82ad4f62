"""The import wizard (issue 9, item 12): File > Import… and each tab's Import… button.
One module per step; :mod:`.work` holds what runs on the worker (no Qt)."""

from __future__ import annotations

from typing import Any


def start_import(window: Any, kind: str | None = None) -> Any:
    """Open the wizard over ``window`` for ``kind`` (the kind of the tab in view, from
    its Import… button or File > Import; a tab whose kind cannot be imported offers the
    wizard's first kind). Typing not yet applied goes in first. Returns the wizard once
    closed (None when there is no document to import into)."""
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard
    from cypdesk.ui.dialogs.import_wizard.work import IMPORT_KINDS, TAB_IMPORT_KIND

    if window.workspace is None or window.workspace.read_only or not window.commit_pending():
        return None
    kind = TAB_IMPORT_KIND.get(kind, kind) if kind else None
    wizard = ImportWizard(window, kind if kind in IMPORT_KINDS else None)
    window.run_dialog(wizard)
    return wizard
