"""The board paper PDF (issue 10, item 5), read back with pypdf: what it says, its
pages, fonts, bookmarks, metadata and page sizes."""

from __future__ import annotations

import re
from dataclasses import replace

from pypdf import PdfReader

from cypdesk.common.paperdoc import Block, Cell, Column, Row, Run, Section, Table
from cypdesk.io.papers.pdf import write_paper_pdf
from tests.io.papers.pdfcheck import STANDARD_14, all_text, embedded_file, fonts, layout_lines, outline, pages_text, squash
from tests.io.papers.samples import BUDGET, RECOMMENDATIONS, make_paper, money

MARKUP_TITLE = "<b>x</b> & <font color=red>y</font> Łódź Café Ngũgĩ, Llŷr of Ynys Môn"


def test_text_holds_the_title_every_recommendation_and_the_appendix_figures(tmp_path):
    """Extracted text has the title, each recommendation in full, and every figure of
    the budget appendix (contributions, forecasts, variances, totals) and the action
    table's rows."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(action_rows=5), out)
    text = all_text(out)
    assert "Commissioning Strategy: Update" in text
    for rec in RECOMMENDATIONS:
        assert squash(rec) in text
    for partner, contribution, spend, forecast in BUDGET:
        for figure in (partner, money(contribution), money(spend), money(forecast), money(forecast - contribution)):
            assert figure in text
    assert money(sum(b[1] for b in BUDGET)) in text
    assert "Develop a clear Commissioning Framework." in text


def test_page_count_and_page_n_of_n_agree(tmp_path):
    """Every page says "Page n of N" with its own n and the file's real page count."""
    out = tmp_path / "paper.pdf"
    info = write_paper_pdf(make_paper(sections=6, action_rows=80), out)
    pages = pages_text(out)
    assert info.pages == len(pages) > 3
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {n} of {len(pages)}"]


def test_a_title_of_markup_and_accents_prints_literally_with_every_letter(tmp_path):
    """The title `<b>x</b> & <font color=red>y</font> Łódź Café Ngũgĩ, Llŷr of Ynys Môn`
    prints as written (no bold applied, no colour, every letter), in the page and in
    the PDF's title metadata."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(title=MARKUP_TITLE), out)
    assert MARKUP_TITLE in pages_text(out)[0]
    assert PdfReader(str(out)).metadata.title == MARKUP_TITLE


def test_greek_cyrillic_and_every_latin_diacritic_print_as_written(tmp_path):
    """Welsh, Polish, Irish, Vietnamese, Greek and Cyrillic text, with £ € – “ ”, comes
    back from the PDF exactly (case 60, the Latin, Greek and Cyrillic part)."""
    samples = ["Llŷr ŵ ŷ Ŵ Ŷ Môn", "Łukasz Wąsik żółć", "Seán Ó Súilleabháin", "Nguyễn Thị Minh Khai Ngũgĩ",
               "Ελληνικά αβγ", "Кириллица Жж", "£5k € – “quoted”"]
    doc = make_paper(appendices=False, sections=0)
    doc = replace(doc, sections=[Section("s", "Names", [Block("paragraph", [Run(s)]) for s in samples])])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(doc, out)
    text = all_text(out)
    for s in samples:
        assert s in text


def test_every_font_is_embedded_and_none_is_a_standard_14_font(tmp_path):
    """Each font a page uses is a TrueType program inside the file (FontFile2), and no
    page uses Helvetica or another standard-14 font (case 60)."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(title=MARKUP_TITLE), out)
    used = fonts(out)
    assert used, "no fonts found"
    for name, font in used.items():
        assert name.split("+")[-1] not in STANDARD_14
        assert embedded_file(font) == "FontFile2", name
    assert {n.split("+")[-1] for n in used} >= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}


def test_bookmarks_point_at_the_pages_of_sections_appendices_and_tables(tmp_path):
    """The outline has the paper, its purpose, recommendations, each section, each
    appendix and its titled tables, each pointing at the page where its heading
    prints; the contents list prints the same page numbers."""
    out = tmp_path / "paper.pdf"
    doc = make_paper(sections=5, action_rows=70)
    info = write_paper_pdf(doc, out)
    marks = outline(out)
    assert [m[1] for m in marks] == [t.strip() for t in info.outline]
    titles = [m[1] for m in marks]
    assert titles[:3] == ["Commissioning Strategy: Update", "Purpose", "Recommendations"]
    for s in doc.sections:
        assert s.heading in titles
    assert "Appendix A: Action plan progress" in titles and "Appendix B: Pooled budget monitoring" in titles
    assert "Progress against the commissioning actions" in titles
    pages = pages_text(out)
    contents = layout_lines(out, 1)
    for level, title, page in marks[1:]:
        body = pages[page - 1]
        assert title in body, (title, page)
        if level == 1:  # the contents list: "Title N"
            assert f"{title} {page}" in contents, (title, page, contents)
    assert marks[-1][2] == len(pages)  # appendix B's table is on the last page


def test_wide_appendices_and_wide_tables_print_on_landscape_pages(tmp_path):
    """Appendix B (wide) is on landscape A4 pages, the rest on portrait A4; a wide
    table in a portrait appendix gets a landscape page of its own."""
    wide_table = replace(make_paper().appendices[1].items[0], title="Wide budget table", wide=True)
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(extra_items=[wide_table]), out)
    reader = PdfReader(str(out))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    wide_pages = {page for _, title, page in outline(out)
                  if title in ("Appendix B: Pooled budget monitoring", "Wide budget table")}
    assert len(wide_pages) == 2
    for n, size in enumerate(sizes, start=1):
        assert size == ((842, 595) if n in wide_pages else (595, 842)), n


def test_long_tables_split_across_pages_with_the_header_row_repeated(tmp_path):
    """A 300-row action table runs over several pages, each starting with the header
    row, and every row prints (case 61's 300-row appendix table)."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(action_rows=300, wide_budget=False), out)
    pages = pages_text(out)
    table_pages = [t for t in pages if "Develop a" in t]
    assert len(table_pages) >= 5
    for t in table_pages:
        assert "Action Action CYPP section Progress Rating Report to Board" in t
    text = " ".join(pages)
    for n in range(1, 301):
        assert re.search(rf"\b{n} Develop", text), n


def test_metadata_has_title_author_subject_and_language(tmp_path):
    """Document info: title, author, subject (board, date, agenda item); the catalog's
    /Lang is en-GB."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(), out)
    reader = PdfReader(str(out))
    meta = reader.metadata
    assert meta.title == "Commissioning Strategy: Update"
    assert meta.author == "David O'Brien"
    assert meta.subject == "North Yorkshire Children's Trust Board, 18 January 2026, agenda item 7"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_header_and_footer_carry_board_date_item_and_marking_on_every_page(tmp_path):
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(), out)
    for text in pages_text(out):
        assert text.count("OFFICIAL") >= 2
        assert "Agenda item 7" in text
        assert "North Yorkshire Children's Trust Board · 18 January 2026" in text


def test_ratings_print_their_word_on_their_colour_and_suppressed_counts_print_c(tmp_path):
    """A rated cell shows Green/Amber/Red on the rating's colour (the fill operator of
    #00703c, #f47738, #d4351c is in the page); suppressed counts print "c" with the
    note saying why; zero prints as 0; the paper says when its data was taken."""
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(), out)
    reader = PdfReader(str(out))
    text = all_text(out)
    assert re.search(r"\b1 Develop a clear Commissioning Framework\. WT5: Commissioning .* Green March 2010", text)
    assert "Amber" in text and "Red" in text
    content = b" ".join(p.get_contents().get_data() for p in reader.pages)
    for rgb in (b"0 .439216 .235294 rg", b".956863 .466667 .219608 rg", b".831373 .207843 .109804 rg"):
        assert rgb in content
    assert "Harrogate c c Scarborough c c Selby 0 17" in text
    assert "c: a small number left out to protect the people it counts" in text
    assert "The figures in this paper were taken from the data on 8 January 2026 at 09:30." in text


def test_a_draft_without_a_data_time_says_its_figures_are_todays(tmp_path):
    out = tmp_path / "paper.pdf"
    write_paper_pdf(replace(make_paper(), data_taken_at=None, status="draft"), out)
    text = all_text(out)
    assert "Draft, version 1" in text
    assert "The figures are today's: they will change with the data until the paper is final." in text


def test_rich_text_blocks_print_as_headings_lists_bold_and_italic(tmp_path):
    """Headings, bullets (nested), numbered items and bold/italic runs of a section
    print with their text, numbers and bullets, in bold and oblique fonts."""
    blocks = [Block("heading", [Run("Where we are")]), Block("bullet", [Run("first point")]),
              Block("bullet", [Run("nested point")], 2), Block("numbered", [Run("step one")]),
              Block("numbered", [Run("step two")]), Block("numbered", [Run("sub step")], 2),
              Block("paragraph", [Run("plain "), Run("strong", bold=True), Run(" and "), Run("slanted", italic=True)])]
    doc = replace(make_paper(appendices=False, sections=0), sections=[Section("s", "Body", blocks)])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(doc, out)
    text = all_text(out)
    assert "Body Where we are • first point – nested point 1. step one 2. step two (a) sub step" in text
    assert "plain strong and slanted" in text
    reader = PdfReader(str(out))
    content = reader.pages[0].get_contents().get_data()
    names = {str(k): str(v["/BaseFont"]) for k, v in reader.pages[0]["/Resources"]["/Font"].items()}
    oblique = [k for k, v in names.items() if v.endswith("DejaVuSans-Oblique")]
    assert oblique and any(k.encode() + b" " in content for k in oblique)


def test_withheld_cells_and_total_rows_print(tmp_path):
    table = Table("Contracts", [Column("name", "Contract"), Column("value", "Value", "money", align="right")],
                  [Row([Cell("Family support"), Cell("", withheld=True)]),
                   Row([Cell("Total"), Cell("£10,000", 10000)], total=True)])
    doc = make_paper(extra_items=[table])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(doc, out)
    assert "Family support withheld Total £10,000" in all_text(out)


def test_charts_are_vector_drawings_with_their_text_and_description(tmp_path):
    """A chart prints as vector graphics (no image XObject in the file, the bars as
    path fills), its labels as text in the embedded fonts, and its description (the
    alt text) as the caption beneath."""
    from cypdesk.io.charts.spec import spend_chart

    chart = spend_chart("Spend by service type", ["Early help", "Fostering", "Youth work"], [120_000, 480_500, 64_250])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(charts=[chart]), out)
    from tests.io.papers.pdfcheck import image_xobjects

    assert image_xobjects(out) == 0
    text = all_text(out)
    assert "Spend by service type" in text and "Fostering" in text
    assert squash(chart.description) in text
    for name, font in fonts(out).items():
        assert embedded_file(font) == "FontFile2", name
