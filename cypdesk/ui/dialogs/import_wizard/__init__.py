"""The import wizard (issue 9, item 12): File > Import… and each tab's Import… button.
One module per step; :mod:`.work` holds what runs on the worker (no Qt)."""

from __future__ import annotations

from typing import Any


def start_import(window: Any, kind: str | None = None) -> Any:
    """Open the wizard over ``window`` for ``kind`` (a tab's kind; None from the File
    menu). Typing not yet applied goes in first. Returns the wizard once closed (None
    when there is no document to import into)."""
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard
    from cypdesk.ui.dialogs.import_wizard.work import TAB_IMPORT_KIND

    if window.workspace is None or window.workspace.read_only or not window.commit_pending():
        return None
    wizard = ImportWizard(window, TAB_IMPORT_KIND.get(kind, kind) if kind else None)
    window.run_dialog(wizard)
    return wizard
