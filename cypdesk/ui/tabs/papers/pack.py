"""Meeting pack… : every paper of the selected meeting in one PDF, with its agenda page
and page numbers running through the pack (the same pack ``cypdesk paper FILE --meeting
ID --out PACK.pdf`` writes), built on the worker from the working copy, so what was
typed and applied is in it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cypdesk.ui.tabs.papers.preview import EXPORT_PDF_FILTER, safe_name


def build_pack(path: str, meeting_id: str, out: Path, partner: Any = None) -> Any:
    """On the worker: the meeting's pack as a PDF at ``out``; returns its PdfInfo."""
    from cypdesk.io.papers.pdf import write_pack_pdf
    from cypdesk.model.dbfile import connect
    from cypdesk.services.papers.content import build_meeting_pack

    conn = connect(path, read_only=True)
    try:
        pack = build_meeting_pack(conn, meeting_id, partner=partner)
    finally:
        conn.close()
    return write_pack_pdf(pack, out)


def export_pack(tab: Any) -> None:
    """Ask where, then write the pack of ``tab``'s selected meeting (or the selected
    paper's meeting); the status bar says how many pages it has."""
    meeting_id = tab.meeting_id
    if meeting_id is None or tab.ws is None or not tab.commit_pending():
        return
    row = tab.reader.execute("SELECT board, held_on FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    if row is None:
        return
    board, held_on = row
    suggested = safe_name(f"{board} {held_on} meeting pack") + ".pdf"
    target = tab.window_.choose_save_path("Export the meeting pack", suggested, EXPORT_PDF_FILTER)
    if not target:
        return
    if not target.lower().endswith(".pdf"):
        target += ".pdf"
    path = tab.ws.doc.working_path

    def work(_progress: Any) -> Any:
        final = Path(target)
        temporary = final.with_name(f".{final.stem}.part{final.suffix}")
        try:  # written beside the target and moved into place: never half a pack
            info = build_pack(path, meeting_id, temporary)
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        return info

    def done(info: Any) -> None:
        tab.window_.status(f"Exported the meeting pack ({info.pages} pages) to {target}")

    tab.window_.run_task("Building the meeting pack…", work, done, path=target, doing="export to")
