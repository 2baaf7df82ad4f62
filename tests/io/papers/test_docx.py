"""The Word export (issue 10, item 6), read back with python-docx and its XML: what
Word's accessibility checker reads (heading styles, header rows, alt text, title and
language)."""

from __future__ import annotations

from dataclasses import replace

from docx import Document
from docx.oxml.ns import qn

from cypdesk.common.paperdoc import Recommendation
from cypdesk.io.charts.spec import spend_chart
from cypdesk.io.papers.docx import write_paper_docx
from tests.io.papers.samples import BUDGET, RECOMMENDATIONS, make_paper, money
from tests.io.papers.test_pdf import MARKUP_TITLE

PNG_LOGO = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
            b"\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def chart():
    return spend_chart("Spend by service type", ["Early help", "Fostering"], [120_000, 480_500])


def written(tmp_path, doc=None):
    out = tmp_path / "paper.docx"
    write_paper_docx(doc or make_paper(charts=[chart()]), out)
    return Document(str(out))


def body_text(word) -> str:
    parts = [p.text for p in word.paragraphs]
    for t in word.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_headings_use_word_heading_styles(tmp_path):
    """The title is in Title; purpose, recommendations, each section and each appendix
    are Heading 1; table titles and headings inside sections Heading 2."""
    doc = make_paper(charts=[chart()])
    word = written(tmp_path, doc)
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", doc.title) in styled
    h1 = [t for s, t in styled if s == "Heading 1"]
    assert h1 == ["Purpose", "Recommendations", *[s.heading for s in doc.sections],
                  "Appendix A: Action plan progress", "Appendix B: Pooled budget monitoring"]
    assert ("Heading 2", "Context") in styled
    assert ("Heading 2", "Progress against the commissioning actions") in styled
    bullets = [p.style.name for p in word.paragraphs if p.text == "Assess, plan, do, review"]
    assert bullets and set(bullets) == {"List Bullet"}


def test_every_table_marks_its_first_row_as_the_header_row(tmp_path):
    """Each table's first row (and only it) has w:tblHeader, and holds the column
    labels; each table has a caption."""
    word = written(tmp_path)
    assert len(word.tables) == 3
    for table in word.tables:
        rows = table._tbl.tr_lst
        flags = [tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows]
        assert flags[0] and not any(flags[1:])
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None
    assert [c.text for c in word.tables[0].rows[0].cells] == ["Action", "Action", "CYPP section", "Progress", "Rating",
                                                               "Report to Board"]


def test_every_picture_has_alt_text(tmp_path):
    """Every drawing (the chart, the logo) has a non-empty descr; the chart's is its
    description in words."""
    doc = replace(make_paper(charts=[chart()]), logo=PNG_LOGO)
    word = written(tmp_path, doc)
    doc_prs = word.element.body.findall(".//" + qn("wp:docPr"))
    assert len(doc_prs) == 2
    descrs = [d.get("descr") for d in doc_prs]
    assert all(descrs)
    assert chart().description in descrs
    assert "Logo of North Yorkshire Children's Trust" in descrs


def test_core_properties_have_title_language_subject_and_author(tmp_path):
    word = written(tmp_path)
    props = word.core_properties
    assert props.title == "Commissioning Strategy: Update"
    assert props.language == "en-GB"
    assert props.subject == "North Yorkshire Children's Trust Board, 18 January 2026, agenda item 7"
    assert props.author == "David O'Brien"
    lang = word.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"


def test_text_recommendations_and_figures_are_in_the_document(tmp_path):
    word = written(tmp_path)
    text = body_text(word)
    for rec in RECOMMENDATIONS:
        assert rec in text
    for partner, contribution, _, forecast in BUDGET:
        assert partner in text and money(contribution) in text and money(forecast - contribution) in text
    assert "The figures in this paper were taken from the data on 8 January 2026 at 09:30." in text
    rating_cells = [c for row in word.tables[0].rows[1:] for c in row.cells if c.text in ("Green", "Amber", "Red")]
    assert len(rating_cells) == 3
    fills = {c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in rating_cells}
    assert fills == {"00703C", "F47738", "D4351C"}
    counts = [[c.text for c in row.cells] for row in word.tables[1].rows]
    assert counts[1:] == [["Harrogate", "c", "c"], ["Scarborough", "c", "c"], ["Selby", "0", "17"]]


def test_markup_in_text_is_text_and_makes_no_link(tmp_path):
    """The markup title and a recommendation with a javascript: link are written as
    text: in the title, the core properties, and no w:hyperlink anywhere."""
    doc = replace(make_paper(), title=MARKUP_TITLE,
                  recommendations=[Recommendation(1, '<a href="javascript:alert(1)">click</a> & <img src="x.png"/>')])
    word = written(tmp_path, doc)
    assert word.core_properties.title == MARKUP_TITLE
    assert MARKUP_TITLE in [p.text for p in word.paragraphs]
    assert '<a href="javascript:alert(1)">click</a> & <img src="x.png"/>' in body_text(word)
    assert word.element.body.findall(".//" + qn("w:hyperlink")) == []


def test_wide_appendices_are_landscape_sections(tmp_path):
    word = written(tmp_path)
    orient = [(s.orientation, s.page_width > s.page_height) for s in word.sections]
    assert [wide for _, wide in orient] == [False, False, True]
