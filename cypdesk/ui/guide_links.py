"""Which page of the user guide explains which error: one table, by the error's code
(:mod:`cypdesk.common.errors`), naming the page and the heading on it. An error dialog
whose error has a row here offers "Read more in the guide" (``MainWindow.ask``)."""

from __future__ import annotations

from pathlib import Path

# code -> (page in resources/guide/, the heading it opens at)
GUIDE_PAGES: dict[str, tuple[str, str]] = {
    # opening a document
    "missing": ("problems.md", "The document is not there"),
    "not_a_document": ("problems.md", "Not a cypdesk document"),
    "newer": ("problems.md", "Made by a newer cypdesk"),
    "damaged": ("problems.md", "The document is damaged"),
    "hot_journal": ("problems.md", "The document is damaged"),
    "migration_failed": ("problems.md", "Made by an older cypdesk"),
    "foreign_schema": ("problems.md", "The file holds things of its own"),
    "locked": ("problems.md", "Document in use"),
    "read_only": ("problems.md", "Read-only"),
    "recovery": ("problems.md", "Recover unsaved changes"),
    # saving and the drive
    "changed_on_disk": ("problems.md", "Changed by someone else"),
    "save_failed": ("problems.md", "The document was not saved"),
    "permission_denied": ("problems.md", "Permission denied"),
    "disk_full": ("problems.md", "The disk is full"),
    "read_only_drive": ("problems.md", "A read-only drive"),
    "io_error": ("problems.md", "The drive failed"),
    "file_error": ("problems.md", "The drive failed"),
    # records
    "in_use": ("organisations.md", "Deleting and merging"),
}


def fault_code(exc: BaseException, default: str | None = None) -> str | None:
    """The code of the error to look up for ``exc``: a cypdesk error's own, else the
    fault of the file layer it is (through cypdesk.common.errors.fault_class, the one
    mapping the messages use), else ``default``."""
    from cypdesk.common.errors import fault_class

    code = getattr(exc, "code", None)
    if isinstance(code, str) and code not in ("error", "document"):
        return code
    fault = fault_class(exc)
    return fault.code if fault is not None else default


def guide_link(code: str | None) -> tuple[Path, str] | None:
    """The guide page (a path) and heading for an error code, or None when the guide has
    no page about it."""
    from cypdesk.ui.dialogs.help import guide_dir

    if not code or code not in GUIDE_PAGES:
        return None
    name, heading = GUIDE_PAGES[code]
    page = guide_dir() / name
    return (page, heading) if page.is_file() else None
