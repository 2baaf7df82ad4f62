"""Board papers and meeting packs as PDF (reportlab), from a :class:`PaperDoc` /
:class:`MeetingPack` (contract section 2, :mod:`cypdesk.common.paperdoc`).

A paper: A4 portrait, the trust's logo and name, the board, meeting date, agenda item
and protective marking in the header and footer of every page, "Page n of N", a
contents list for longer papers, bookmarks for its sections and appendices (and each
appendix's tables), tables that split across pages with their header row repeated,
landscape pages for wide appendices and tables, and title, author, subject and
language (en-GB) in the metadata. Every string goes through :func:`.text.para`
(escaped, never read as markup); the fonts are the bundled DejaVu TTFs, embedded.

A meeting pack: an agenda page whose page numbers are the pages where each paper
starts, the papers after it with continuous page numbers, each page stamped with its
agenda item, and one bookmark per paper. Both are laid out in ONE pass (see
:mod:`.pdf_pages`).

What remains for accessibility: reportlab writes untagged PDFs (no structure tree,
so screen readers get the text in drawing order, which is reading order here, but no
heading or table roles). Councils publish the Word version (:mod:`.docx`) for that.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, NextPageTemplate, PageBreak, Spacer, Table, TableStyle

from cypdesk.common.paperdoc import Chart, MeetingPack, PaperDoc, Run
from cypdesk.common.paperdoc import Table as DataTable
from cypdesk.io.papers.pdf_pages import Mark, PageRef, PaperDocTemplate, Stamp, build
from cypdesk.io.papers.pdf_parts import chart_flowables, table_flowables
from cypdesk.io.papers.text import FONT, RULE, blocks_flowables, clean, para, runs_para, styles

CONTENTS_FROM = 4  # a paper with at least this many sections and appendices gets a contents list
DECISION_WORDS = {"agreed": "Agreed", "amended": "Agreed as amended", "deferred": "Deferred", "rejected": "Rejected"}


@dataclass
class PdfInfo:
    """What was written: the number of pages, the bookmarks' titles in order (level
    shown by leading two-space indents) and, for a pack, the page where each agenda
    item's paper starts."""

    pages: int
    outline: list[str]
    starts: dict[str, int] = field(default_factory=dict)


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{long_date(value)} at {value:%H:%M}"


def data_taken_words(doc: PaperDoc) -> str:
    """The sentence that says when the paper's figures were read from the data."""
    if doc.data_taken_at is None:
        return "The figures are today's: they will change with the data until the paper is final."
    return f"The figures in this paper were taken from the data on {when(doc.data_taken_at)}."


# -- a paper --------------------------------------------------------------------------

def write_paper_pdf(doc: PaperDoc, out: str | Path) -> PdfInfo:
    """Write ``doc`` as a PDF at ``out`` (a path, or a binary file object)."""
    template = PaperDocTemplate(_target(out), title=clean(doc.title), author=clean(doc.author or doc.trust_name or ""),
                                subject=_subject(doc), lang=doc.language or "en-GB",
                                keywords=_keywords(doc.for_partner))
    outline: list[str] = []
    story = paper_story(doc, template, key="paper", level=0, outline=outline)
    canv = build(template, story, first_stamp=_stamp(doc, doc.agenda_item))
    return PdfInfo(pages=len(canv._held), outline=outline)


def _target(out: Any) -> Any:
    return str(out) if isinstance(out, Path) else out


def _subject(doc: PaperDoc) -> str:
    parts = [clean(doc.board), long_date(doc.meeting_date)]
    if doc.agenda_item:
        parts.append(f"agenda item {clean(doc.agenda_item)}")
    return ", ".join(p for p in parts if p)


def _keywords(partner: str | None) -> str:
    return f"board paper; provider-safe version for {clean(partner)}" if partner else "board paper"


def _stamp(doc: PaperDoc, item: str | None) -> Stamp:
    return Stamp(trust=clean(doc.trust_name or ""), board=clean(doc.board), date=long_date(doc.meeting_date),
                 item=clean(item or ""), marking=clean(doc.marking or ""), title=clean(doc.title))


def paper_story(doc: PaperDoc, template: PaperDocTemplate, *, key: str, level: int, outline: list[str],
                outline_title: str | None = None) -> list[Any]:
    """The flowables of one paper, from its first page's header block to its last
    appendix. ``key`` prefixes its bookmark keys (unique within a pack)."""
    st = styles()
    width = template.frame_width()
    title = outline_title or clean(doc.title)
    story: list[Any] = [_mark(key, title, level, outline, stamp=_stamp(doc, doc.agenda_item))]
    story += _masthead(doc.trust_name, doc.logo, width)
    story.append(para(doc.board.upper(), st["subtitle"]))
    line = long_date(doc.meeting_date)
    if doc.agenda_item:
        line = f"{line} · Agenda item {clean(doc.agenda_item)}" if line else f"Agenda item {clean(doc.agenda_item)}"
    if line:
        story.append(para(line, st["subtitle"]))
    story.append(Spacer(0, 4 * mm))
    story.append(para(doc.title, st["title"]))
    story.append(_facts(doc, width))
    story.append(Spacer(0, 3 * mm))

    entries = [("purpose", "Purpose"), ("recommendations", "Recommendations")]
    entries += [(f"section-{i}", s.heading) for i, s in enumerate(doc.sections)]
    entries += [(f"appendix-{a.letter}", f"Appendix {a.letter}: {a.title}") for a in doc.appendices]
    if len(doc.sections) + len(doc.appendices) >= CONTENTS_FROM:
        story.append(para("Contents", st["h2"]))
        for sub, label in entries:
            story.append(PageRef(para(label, st["toc"]), f"{key}/{sub}"))
        story.append(Spacer(0, 3 * mm))

    story.append(_mark(f"{key}/purpose", "Purpose", level + 1, outline))
    story.append(para("Purpose", st["h1"]))
    story += blocks_flowables(doc.purpose)
    story.append(_mark(f"{key}/recommendations", "Recommendations", level + 1, outline))
    story.append(para("Recommendations", st["h1"]))
    story += _recommendations(doc)
    for i, section in enumerate(doc.sections):
        # A heading never ends a page alone: reportlab's keepWithNext group lets a short
        # first paragraph move on (its orphan control) and leave the heading behind.
        story.append(CondPageBreak(HEADING_ROOM))
        story.append(_mark(f"{key}/section-{i}", section.heading, level + 1, outline))
        story.append(para(section.heading, st["h1"]))
        story += blocks_flowables(section.blocks)
    story += _contact(doc)
    for appendix in doc.appendices:
        story += _appendix(doc, appendix, template, key=f"{key}/appendix-{appendix.letter}", level=level + 1,
                           outline=outline)
    story.append(NextPageTemplate("portrait"))
    return story


HEADING_ROOM = 32 * mm  # a section heading starts a new page with less room than this left


def _mark(key: str, title: str, level: int, outline: list[str], stamp: Stamp | None = None) -> Mark:
    outline.append("  " * level + clean(title).replace("\n", " "))
    return Mark(key, title=title, level=level, stamp=stamp)


def _masthead(trust: str | None, logo: bytes | None, width: float) -> list[Any]:
    """The trust's logo (at most 18 mm high) beside its name."""
    st = styles()
    name = para(trust or "", st["trust"])
    image = _logo(logo, max_height=18 * mm, max_width=60 * mm)
    if image is None:
        return [name, Spacer(0, 4 * mm)] if trust else []
    t = Table([[image, name]], colWidths=[image.drawWidth + 5 * mm, width - image.drawWidth - 5 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONT", (0, 0), (-1, -1), FONT, 10), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [t, Spacer(0, 4 * mm)]


def _logo(data: bytes | None, *, max_height: float, max_width: float) -> Image | None:
    """The document's logo (PNG or JPEG bytes, checked by the settings service); a logo
    that cannot be read is left off rather than stopping the paper."""
    if not data:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        reader = ImageReader(io.BytesIO(data))
        w, h = reader.getSize()
    except Exception:  # noqa: BLE001 - any unreadable image: print without it
        return None
    if not w or not h:
        return None
    scale = min(max_height / h, max_width / w)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale)


def _facts(doc: PaperDoc, width: float) -> Table:
    """The paper's particulars as a two-column table (label, value)."""
    st = styles()
    rows: list[tuple[str, str]] = []
    if doc.author:
        rows.append(("Report of", doc.author))
    if doc.contact is not None:
        contact = ", ".join(p for p in (doc.contact.name, doc.contact.phone, doc.contact.email) if p)
        rows.append(("Contact", contact))
    rows.append(("Key decision", "Yes, this is a key decision" if doc.key_decision else "No, this is not a key decision"))
    if doc.wards_affected:
        rows.append(("Wards affected", doc.wards_affected))
    status = {"final": "Final", "draft": "Draft"}.get(doc.status, clean(doc.status).capitalize())
    rows.append(("Status", f"{status}, version {doc.version}"))
    rows.append(("Data taken", when(doc.data_taken_at) if doc.data_taken_at else "Not yet: a draft shows today's figures"))
    if doc.for_partner:
        rows.append(("Version for", f"{doc.for_partner}: confidential sections, fields and contact details are left out"))
    data = [[para(label, st["label"]), para(value, st["field"])] for label, value in rows]
    t = Table(data, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), FONT, 10), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.HexColor(RULE)),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.HexColor(RULE)),
    ]))
    return t


def _recommendations(doc: PaperDoc) -> list[Any]:
    st = styles()
    if not doc.recommendations:
        return [para("This paper makes no recommendations; it is for information.", st["body"])]
    out: list[Any] = [para("The board is asked to agree that:", st["body"])]
    for rec in doc.recommendations:
        out.append(runs_para([Run(rec.text)], st["numbered1"], bullet=f"{rec.number}."))
        if rec.decision:
            words = DECISION_WORDS.get(rec.decision, clean(rec.decision).capitalize())
            runs = [Run("Decision: ", bold=True), Run(words)]
            if rec.decision_note:
                runs.append(Run(f". {rec.decision_note}", italic=True))
            out.append(runs_para(runs, st["numbered2"]))
    return out


def _contact(doc: PaperDoc) -> list[Any]:
    st = styles()
    if doc.contact is None:
        return []
    lines = [Run("Further information: ", bold=True), Run(doc.contact.name)]
    for extra in (doc.contact.phone, doc.contact.email):
        if extra:
            lines.append(Run(f", {extra}"))
    return [Spacer(0, 4 * mm), runs_para(lines, st["small"])]


def _appendix(doc: PaperDoc, appendix: Any, template: PaperDocTemplate, *, key: str, level: int,
              outline: list[str]) -> list[Any]:
    """An appendix on new pages (landscape when wide): heading, when its figures were
    taken, then its tables, charts and text in order."""
    st = styles()
    page = "landscape" if appendix.wide else "portrait"
    width = template.frame_width(page)
    height = template.frame_height(page)
    story: list[Any] = [NextPageTemplate(page), PageBreak()]
    heading = f"Appendix {appendix.letter}: {appendix.title}"
    story.append(_mark(key, heading, level, outline))
    story.append(para(heading, st["h1"]))
    story.append(para(data_taken_words(doc), st["small"]))
    for n, item in enumerate(appendix.items):
        if isinstance(item, DataTable):
            flow = table_flowables(item, template.frame_width("landscape") if item.wide else width)
            if item.title:  # after the CondPageBreak, before the title
                flow.insert(1, _mark(f"{key}/t{n}", item.title, level + 1, outline))
            if item.wide and not appendix.wide:
                story += [NextPageTemplate("landscape"), PageBreak(), *flow, NextPageTemplate(page), PageBreak()]
            else:
                story += flow
        elif isinstance(item, Chart):
            story += chart_flowables(item, width, height - 30 * mm)
        else:
            story += blocks_flowables(getattr(item, "blocks", []), heading_base=2)
    return story


# -- a meeting pack -------------------------------------------------------------------

def write_pack_pdf(pack: MeetingPack, out: str | Path) -> PdfInfo:
    """Write the meeting's pack: the agenda, then every paper, numbered continuously."""
    st = styles()
    subject = f"{clean(pack.board)}, {long_date(pack.meeting_date)}"
    supplement = getattr(pack, "supplement", 0)
    agenda = f"Supplementary agenda {supplement}" if supplement else "Agenda"
    what = f"supplement {supplement} to the meeting pack" if supplement else "meeting pack"
    template = PaperDocTemplate(_target(out), title=f"{clean(pack.board)}: {what}, {long_date(pack.meeting_date)}",
                                author=clean(pack.trust_name or ""), subject=subject, lang=_pack_language(pack),
                                keywords=_keywords(pack.for_partner))
    width = template.frame_width()
    outline: list[str] = []
    first = Stamp(trust=clean(pack.trust_name or ""), board=clean(pack.board), date=long_date(pack.meeting_date),
                  title=agenda)
    story: list[Any] = [_mark("agenda", agenda, 0, outline, stamp=first)]
    story += _masthead(pack.trust_name, pack.logo, width)
    story.append(para(pack.board.upper(), st["subtitle"]))
    story.append(para(long_date(pack.meeting_date) + (f" · {clean(pack.place)}" if pack.place else ""), st["subtitle"]))
    story.append(Spacer(0, 4 * mm))
    story.append(para(agenda, st["title"]))
    if supplement:
        story.append(para("Papers to follow: these items' papers were not ready when the meeting's pack went "
                          "out. Pages are numbered within this supplement.", st["small"]))
    if pack.for_partner:
        story.append(para(f"Version for {pack.for_partner}: confidential sections, fields and contact details "
                          "are left out.", st["small"]))
    story.append(para("Each item with the page of this pack where its paper starts.", st["small"]))
    story.append(Spacer(0, 2 * mm))
    for item in pack.items:
        runs = [Run(item.title)] + ([] if item.doc is not None else [Run(" (no paper)", italic=True)])
        label = runs_para(runs, st["agenda"], bullet=item.agenda_item)
        story.append(PageRef(label, f"item:{item.agenda_item}" if item.doc is not None else "no-paper", size=11))
    for item in pack.items:
        if item.doc is None:
            continue
        story += [NextPageTemplate("portrait"), PageBreak()]
        story += paper_story(item.doc, template, key=f"item:{item.agenda_item}", level=0, outline=outline,
                             outline_title=f"{item.agenda_item}. {clean(item.title)}")
    canv = build(template, story, first_stamp=first)
    starts = {item.agenda_item: canv.page_of[f"item:{item.agenda_item}"]
              for item in pack.items if item.doc is not None}
    return PdfInfo(pages=len(canv._held), outline=outline, starts=starts)


def _pack_language(pack: MeetingPack) -> str:
    languages: Sequence[str] = [i.doc.language for i in pack.items if i.doc is not None and i.doc.language]
    return languages[0] if languages else "en-GB"
