"""Board papers as Word documents (python-docx), for publication: councils must publish
accessible documents (Public Sector Bodies Accessibility Regulations 2018) and they
publish from Word, whose own PDF export is tagged.

What Word's accessibility checker reads, and this writes: the title in Word's Title
style and every heading in a real Heading style (Heading 1 for purpose,
recommendations, sections and appendices; 2 and 3 below); tables with their header
row marked as a header row (``w:tblHeader``, repeated on each page) and a caption;
alt text (``descr``) on every picture (each chart as a PNG at print resolution,
described in words; the logo); the document's title, subject, author and language
(en-GB) in its core properties, and the language on its default text. Landscape
sections for wide appendices and tables. Text is set as text (python-docx escapes it):
nothing in a title or a cell is read as markup or becomes a link.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cypdesk.common.paperdoc import Chart, PaperDoc
from cypdesk.common.paperdoc import Table as DataTable
from cypdesk.io.papers.pdf import DECISION_WORDS, data_taken_words, long_date, when
from cypdesk.io.papers.pdf_parts import SUPPRESSED_NOTE, cell_text, rating_colour
from cypdesk.io.papers.text import clean

FONT = "Arial"  # on every Windows machine; Word substitutes it elsewhere
CHART_DPI = 200  # print resolution for chart pictures
HEAD_FILL = "383F43"
_WHITE_ON = {"green", "red", "ahead", "on_course", "no_progress"}


def write_paper_docx(doc: PaperDoc, out: str | Path) -> None:
    """Write ``doc`` as a .docx at ``out`` (a path, or a binary file object)."""
    word = Document()
    _base_styles(word, doc.language or "en-GB")
    _properties(word, doc)
    section = word.sections[0]
    _page(section, landscape=False)
    _header_footer(section, doc)

    _logo(word, doc)
    if doc.trust_name:
        _styled(word.add_paragraph(), clean(doc.trust_name), bold=True, size=13, colour="1D70B8")
    board = word.add_paragraph()
    _styled(board, clean(doc.board).upper(), bold=True, colour="505A5F")
    line = long_date(doc.meeting_date)
    if doc.agenda_item:
        line = " · ".join(p for p in (line, f"Agenda item {clean(doc.agenda_item)}") if p)
    if line:
        _styled(word.add_paragraph(), line, bold=True, colour="505A5F")
    word.add_paragraph(clean(doc.title), style="Title")
    _facts(word, doc)

    word.add_heading("Purpose", level=1)
    _blocks(word, doc.purpose)
    word.add_heading("Recommendations", level=1)
    if not doc.recommendations:
        word.add_paragraph("This paper makes no recommendations; it is for information.")
    else:
        word.add_paragraph("The board is asked to agree that:")
    for rec in doc.recommendations:
        _numbered(word, f"{rec.number}.", [(clean(rec.text), False, False)], level=1)
        if rec.decision:
            runs = [("Decision: ", True, False), (DECISION_WORDS.get(rec.decision, clean(rec.decision)), False, False)]
            if rec.decision_note:
                runs.append((f". {clean(rec.decision_note)}", False, True))
            _numbered(word, "", runs, level=2)
    for sec in doc.sections:
        word.add_heading(clean(sec.heading), level=1)
        _blocks(word, sec.blocks)
    if doc.contact is not None:
        p = word.add_paragraph()
        _styled(p, "Further information: ", bold=True, size=9)
        _styled(p, ", ".join(clean(x) for x in (doc.contact.name, doc.contact.phone, doc.contact.email) if x), size=9)

    landscape = False
    for appendix in doc.appendices:
        landscape = bool(appendix.wide)
        _new_section(word, landscape)
        word.add_heading(clean(f"Appendix {appendix.letter}: {appendix.title}"), level=1)
        _styled(word.add_paragraph(), data_taken_words(doc), size=9, colour="505A5F")
        for item in appendix.items:
            if isinstance(item, DataTable):
                if item.wide and not landscape:
                    _new_section(word, True)
                    _table(word, item)
                    _new_section(word, False)
                else:
                    _table(word, item)
            elif isinstance(item, Chart):
                _chart(word, item, landscape)
            else:
                _blocks(word, getattr(item, "blocks", []), heading_base=2)
    word.save(str(out) if isinstance(out, Path) else out)


# -- document-wide ----------------------------------------------------------------------

def _base_styles(word: Any, language: str) -> None:
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    # the language of the text, where Word's checker and screen readers read it
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    for target in [r for r in (rpr_default, rpr) if r is not None]:
        lang = target.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            target.append(lang)
        lang.set(qn("w:val"), language)
        lang.set(qn("w:bidi"), "ur-PK")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = word.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    word.styles["Title"].font.size = Pt(22)
    word.styles["Heading 1"].font.size = Pt(15)
    word.styles["Heading 2"].font.size = Pt(13)
    word.styles["Heading 3"].font.size = Pt(11.5)


def _properties(word: Any, doc: PaperDoc) -> None:
    props = word.core_properties
    props.title = clean(doc.title)
    props.language = doc.language or "en-GB"
    props.author = clean(doc.author or doc.trust_name or "")
    props.subject = ", ".join(p for p in (clean(doc.board), long_date(doc.meeting_date),
                                          f"agenda item {clean(doc.agenda_item)}" if doc.agenda_item else "") if p)
    props.keywords = f"board paper; provider-safe version for {clean(doc.for_partner)}" if doc.for_partner else "board paper"
    props.comments = data_taken_words(doc)
    props.last_modified_by = "cypdesk"
    props.revision = max(1, int(doc.version or 1))


def _page(section: Any, *, landscape: bool) -> None:
    short, long_ = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))


def _new_section(word: Any, landscape: bool) -> None:
    section = word.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape)


def _header_footer(section: Any, doc: PaperDoc) -> None:
    """Header: trust, marking, agenda item. Footer: board, date, title, "Page n of N"
    (Word fields, so the numbers are Word's own)."""
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _styled(head, clean(doc.marking or ""), bold=True, size=9)
    sub = section.header.add_paragraph()
    parts = [clean(doc.trust_name or "")]
    if doc.agenda_item:
        parts.append(f"Agenda item {clean(doc.agenda_item)}")
    _styled(sub, " · ".join(p for p in parts if p), size=8, colour="505A5F")
    foot = section.footer.paragraphs[0]
    _styled(foot, " · ".join(p for p in (clean(doc.board), long_date(doc.meeting_date), clean(doc.title)) if p) + "   ",
            size=8, colour="505A5F")
    _styled(foot, "Page ", size=8)
    _field(foot, "PAGE")
    _styled(foot, " of ", size=8)
    _field(foot, "NUMPAGES")
    mark = section.footer.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _styled(mark, clean(doc.marking or ""), bold=True, size=9)


def _field(paragraph: Any, code: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


# -- text -------------------------------------------------------------------------------

def _styled(paragraph: Any, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
            colour: str | None = None) -> Any:
    run = paragraph.add_run(clean(text))
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _blocks(word: Any, blocks: list[Any], *, heading_base: int = 2) -> None:
    """Rich text: headings in Heading styles, bullets in List Bullet styles (real
    lists), numbered items numbered in the text with a hanging indent (Word's List
    Number carries its count over from one list to the next)."""
    counters = [0, 0, 0, 0]
    for block in blocks:
        level = max(1, min(3, int(block.level or 1)))
        runs = [(clean(r.text), r.bold, r.italic) for r in block.runs]
        if block.kind != "numbered":
            counters = [0, 0, 0, 0]
        if block.kind == "heading":
            h = word.add_heading("", level=min(3, heading_base + level - 1))
            for text, bold, italic in runs:
                _styled(h, text, bold=bold, italic=italic)
        elif block.kind == "bullet":
            p = word.add_paragraph(style="List Bullet" if level == 1 else f"List Bullet {level}")
            for text, bold, italic in runs:
                _styled(p, text, bold=bold, italic=italic)
        elif block.kind == "numbered":
            counters[level] += 1
            for deeper in range(level + 1, 4):
                counters[deeper] = 0
            from cypdesk.io.papers.text import _number

            _numbered(word, _number(counters[level], level), runs, level=level)
        else:
            p = word.add_paragraph()
            for text, bold, italic in runs:
                _styled(p, text, bold=bold, italic=italic)


def _numbered(word: Any, number: str, runs: list[tuple[str, bool, bool]], *, level: int) -> None:
    p = word.add_paragraph()
    fmt = p.paragraph_format
    fmt.left_indent = Cm(0.9 * level)
    fmt.first_line_indent = Cm(-0.9) if number else None
    fmt.space_after = Pt(3)
    if number:
        p.add_run(f"{number}\t")
        fmt.tab_stops.add_tab_stop(Cm(0.9 * level))
    for text, bold, italic in runs:
        _styled(p, text, bold=bold, italic=italic)


def _facts(word: Any, doc: PaperDoc) -> None:
    rows: list[tuple[str, str]] = []
    if doc.author:
        rows.append(("Report of", clean(doc.author)))
    if doc.contact is not None:
        rows.append(("Contact", ", ".join(clean(x) for x in (doc.contact.name, doc.contact.phone, doc.contact.email) if x)))
    rows.append(("Key decision", "Yes, this is a key decision" if doc.key_decision else "No, this is not a key decision"))
    if doc.wards_affected:
        rows.append(("Wards affected", clean(doc.wards_affected)))
    status = {"final": "Final", "draft": "Draft"}.get(doc.status, clean(doc.status).capitalize())
    rows.append(("Status", f"{status}, version {doc.version}"))
    rows.append(("Data taken", when(doc.data_taken_at) if doc.data_taken_at else "Not yet: a draft shows today's figures"))
    if doc.for_partner:
        rows.append(("Version for", f"{clean(doc.for_partner)}: confidential sections, fields and contact details "
                                    "are left out"))
    for label, value in rows:
        p = word.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _styled(p, f"{label}: ", bold=True)
        _styled(p, value)


# -- tables and pictures -----------------------------------------------------------------

def _table(word: Any, table: DataTable) -> None:
    if table.title:
        word.add_heading(clean(table.title), level=2)
    columns = table.columns
    t = word.add_table(rows=1, cols=max(1, len(columns)))
    t.style = word.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    _caption(t, clean(table.title), clean(table.note))
    head = t.rows[0]
    _header_row(head)
    for cell, col in zip(head.cells, columns):
        _shade(cell, HEAD_FILL)
        cell.paragraphs[0].text = ""
        if col.align == "right":
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _styled(cell.paragraphs[0], clean(col.label), bold=True, colour="FFFFFF", size=9)
    suppressed = False
    for row in table.rows:
        cells = t.add_row().cells
        for i, (cell, data) in enumerate(zip(cells, row.cells)):
            par = cell.paragraphs[0]
            col = columns[i] if i < len(columns) else None
            if col is not None and col.align == "right":
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            colour = None if data.suppressed else rating_colour(data.rating)
            if colour:
                _shade(cell, colour.lstrip("#").upper())
            white = bool(colour) and data.rating in _WHITE_ON
            _styled(par, cell_text(data), bold=row.total or white, colour="FFFFFF" if white else None, size=9)
            suppressed = suppressed or data.suppressed
    for note in (clean(table.note), SUPPRESSED_NOTE if suppressed else ""):
        if note:
            _styled(word.add_paragraph(), note, size=8.5, colour="505A5F")


def _header_row(row: Any) -> None:
    """Mark the row as the table's header row (repeated on each page; read as column
    headings by Word's checker and screen readers)."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _caption(table: Any, title: str, note: str) -> None:
    """The table's caption and description (Word's alt text for tables)."""
    tbl_pr = table._tbl.tblPr
    if title:
        caption = OxmlElement("w:tblCaption")
        caption.set(qn("w:val"), title[:255])
        tbl_pr.append(caption)
    if note or title:
        descr = OxmlElement("w:tblDescription")
        descr.set(qn("w:val"), (note or title)[:255])
        tbl_pr.append(descr)


def _shade(cell: Any, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _picture(paragraph: Any, data: io.BytesIO, *, width: Any, descr: str, title: str) -> None:
    shape = paragraph.add_run().add_picture(data, width=width)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", clean(descr))
    doc_pr.set("title", clean(title))


def _chart(word: Any, chart: Chart, landscape: bool) -> None:
    """The chart as a PNG at print resolution with its description as alt text, and the
    description printed beneath (readers who do not see the picture)."""
    from cypdesk.io.charts.spec import figure_for

    fig = figure_for(chart)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=CHART_DPI)
    finally:
        fig.clear()
    buf.seek(0)
    _picture(word.add_paragraph(), buf, width=Cm(24 if landscape else 16.5), descr=chart.description or chart.title,
             title=chart.title)
    if chart.description:
        _styled(word.add_paragraph(), chart.description, size=8.5, colour="505A5F")


def _logo(word: Any, doc: PaperDoc) -> None:
    if not doc.logo:
        return
    from PIL import Image

    try:
        with Image.open(io.BytesIO(doc.logo)) as im:
            w, h = im.size
            png = io.BytesIO()
            im.save(png, format="PNG")
    except Exception:  # noqa: BLE001 - an unreadable logo: the paper goes without it
        return
    png.seek(0)
    height = Cm(1.8)
    width = int(height * w / h) if h else Cm(4)
    _picture(word.add_paragraph(), png, width=min(width, Cm(6)), descr=f"Logo of {clean(doc.trust_name or 'the trust')}",
             title="Logo")
