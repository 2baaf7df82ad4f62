"""A board paper, or a meeting's pack, from a document file to a PDF or Word file: the
command line's ``cypdesk paper FILE --paper ID --out OUT.pdf|OUT.docx [--for ORG]``
and ``--meeting ID --out PACK.pdf``.

The document is read through a read-only connection and never changed; the content
comes from :func:`~cypdesk.services.papers.content.build_paper_doc` /
:func:`~cypdesk.services.papers.content.build_meeting_pack` (a final paper's snapshot,
provider-safe for ``for_org`` through the one rule of :mod:`cypdesk.services.outward`);
the file is written atomically beside itself, so a fault leaves no partial file and an
existing file of that name as it was.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from cypdesk.common.errors import SaveFailed, UsageError, error_from

PAPER_SUFFIXES = (".pdf", ".docx")


def write_paper_file(document: str | Path, paper_id: str, out: str | Path, *, for_org: str | None = None,
                     now: datetime | None = None) -> dict[str, Any]:
    """Paper ``paper_id`` of ``document`` to ``out`` (.pdf or .docx). Returns ``{"path",
    "paper", "title", "format", "pages" (PDF only), "for"}``."""
    src, target = _paths(document, out, PAPER_SUFFIXES, "a paper goes to a .pdf or a .docx (Word) file")
    from cypdesk.services.papers.content import build_paper_doc

    doc, partner = _read(src, lambda conn, partner: build_paper_doc(conn, paper_id, partner=partner, now=now), for_org)
    suffix = target.suffix.lower()
    pages = None
    if suffix == ".pdf":
        from cypdesk.io.papers.pdf import write_paper_pdf

        pages = _write(target, suffix, lambda tmp: write_paper_pdf(doc, tmp)).pages
    else:
        from cypdesk.io.papers.docx import write_paper_docx

        _write(target, suffix, lambda tmp: write_paper_docx(doc, tmp))
    return {"path": str(target), "paper": paper_id, "title": doc.title, "format": suffix[1:], "pages": pages,
            "for": _partner(partner)}


def write_pack_file(document: str | Path, meeting_id: str, out: str | Path, *, for_org: str | None = None,
                    now: datetime | None = None, items: list[str] | None = None,
                    supplement: int = 0) -> dict[str, Any]:
    """Meeting ``meeting_id``'s pack to ``out`` (.pdf); with ``items``, only those agenda
    items' papers, as supplement ``supplement``. Returns ``{"path", "meeting", "board",
    "pages", "papers": [{"agenda_item", "title", "page"}], "for", "supplement"}``."""
    src, target = _paths(document, out, (".pdf",), "a meeting pack goes to a .pdf file")
    from cypdesk.io.papers.pdf import write_pack_pdf
    from cypdesk.services.papers.content import build_meeting_pack

    pack, partner = _read(src, lambda conn, partner: build_meeting_pack(conn, meeting_id, partner=partner, now=now,
                                                                        items=items, supplement=supplement),
                          for_org)
    info = _write(target, ".pdf", lambda tmp: write_pack_pdf(pack, tmp))
    papers = [{"agenda_item": i.agenda_item, "title": i.title, "page": info.starts.get(i.agenda_item)}
              for i in pack.items]
    return {"path": str(target), "meeting": meeting_id, "board": pack.board, "pages": info.pages, "papers": papers,
            "for": _partner(partner), "supplement": supplement}


def _paths(document: str | Path, out: str | Path, suffixes: tuple[str, ...], words: str) -> tuple[Path, Path]:
    src = Path(document).absolute()
    target = Path(out).absolute()
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{target.name}: {words}.", path=target)
    if target == src:
        raise UsageError(f"Write the paper to a new file, not {src.name} itself.", path=target)
    return src, target


def _read(src: Path, build: Any, for_org: str | None) -> tuple[Any, Any]:
    from cypdesk.model.reading import read_only_connection
    from cypdesk.services import outward

    with read_only_connection(src) as (conn, _r):
        try:
            partner = outward.find_partner(conn, for_org) if for_org is not None else None
            return build(conn, partner), partner
        except sqlite3.Error as exc:
            raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc


def _write(target: Path, suffix: str, write: Any) -> Any:
    from cypdesk.io.xlsx import atomic_output
    from cypdesk.services.export import os_fault

    consequence = "Nothing was written; the document has not been changed."
    try:
        with atomic_output(target, suffix) as tmp:
            return write(tmp)
    except SaveFailed as exc:
        fault = os_fault(exc)
        if fault is None:
            raise
        raise error_from(fault, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc
    except OSError as exc:
        raise error_from(exc, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc


def _partner(partner: Any) -> dict[str, str] | None:
    return None if partner is None else {"id": partner.id, "name": partner.name}
