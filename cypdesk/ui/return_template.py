"""The window's "Create return template…" (File menu, and each record tab's button for
its kind): a blank Excel return for partners (:mod:`cypdesk.services.templates`), its
drop-downs filled from the open document's lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def create_template(window: Any, kind: str | None = None) -> None:
    """Ask where to write a template for ``kind`` (without one, the officer picks the
    kind, the tab in view's first) and write it off the UI thread, reading the open
    document through a read-only connection to its working copy; typing not yet applied
    goes in first, so a name just typed is in the lists. The status bar says where it
    went; a failure is shown in plain words naming the file."""
    from cypdesk.services.templates import sheet_title, template_kinds

    workspace = window.workspace
    if workspace is not None and not window.commit_pending():
        return
    if kind is None:
        names = {sheet_title(k): k for k in template_kinds()}
        shown = window.current_tab().kind if workspace is not None else None
        ordered = sorted(names, key=lambda n: (names[n] != shown, n))
        chosen = window.choose_item("Create return template", "Records the partner fills in:", ordered)
        if not chosen:
            return
        kind = names[chosen]
    title = sheet_title(kind)
    path = window.choose_save_path(f"Create return template: {title}", f"{title} return.xlsx",
                                   "Excel workbook (*.xlsx)")
    if not path:
        return
    if Path(path).suffix.lower() != ".xlsx":
        path += ".xlsx"
    working = workspace.doc.working_path if workspace is not None else None

    def work(_progress: Any) -> Any:
        from cypdesk.services.templates import write_template

        if working is None:
            return write_template(kind, path)
        from cypdesk.model.dbfile import connect

        conn = connect(working, read_only=True)
        try:
            return write_template(kind, path, ws=conn)
        finally:
            conn.close()

    window.run_task(f"Writing the return template for {title.lower()}…", work,
                    lambda written: window.status(f"Wrote the return template {written}: send it to partners to "
                                                  "fill in, then import it."),
                    path=path, doing="write")
