"""User text in a PDF paper is text, never markup (reliability plan cases 57-59), and
text of any length paginates (case 61)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from pypdf import PdfReader
from hypothesis import strategies as st
from reportlab.platypus import SimpleDocTemplate

from cypdesk.common.paperdoc import Block, Cell, Column, Recommendation, Row, Run, Section, Table
from cypdesk.io.papers.pdf import write_paper_pdf
from cypdesk.io.papers.text import para, styles
from tests.io.papers.pdfcheck import all_text, image_xobjects, link_annotations, pages_text, squash
from tests.io.papers.samples import make_paper


def cve_payload(canary) -> str:
    """The CVE-2023-33733 proof of concept (reportlab < 3.6.13 evaluates the colour
    attribute), made harmless: it would create ``canary``."""
    return (
        "<para><font color=\"[ [ getattr(pow,Word('__globals__'))['os'].system('touch " + str(canary) + "') "
        "for Word in [orgTypeFun('Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: False, "
        "'__eq__': lambda self,x: self.mutate() and self.mutated < 0 and str(self) == x, "
        "'mutate': lambda self: {setattr(self, 'mutated', self.mutated - 1)}, "
        "'__hash__': lambda self: hash(str(self)) })] ] for orgTypeFun in [type(type(1))] ] and 'red'\">"
        "exploit</font></para>"
    )


def paper_with_everywhere(text: str):
    """A paper with ``text`` as its title, board, a recommendation, a section heading and
    body, a table title, column heading and cell, and an appendix title."""
    doc = make_paper(sections=1)
    table = Table(text, [Column("a", text)], [Row([Cell(text)])], note=text)
    appendix = replace(doc.appendices[0], title=text, items=[table, *doc.appendices[0].items])
    return replace(doc, title=text, board=text, recommendations=[Recommendation(1, text)],
                   sections=[Section("s", text, [Block("paragraph", [Run(text)])])],
                   appendices=[appendix, doc.appendices[1]], author=text, wards_affected=text)


def test_cve_2023_33733_payload_prints_as_text_and_runs_nothing(tmp_path):
    """Case 57: the payload in every text field builds a PDF, prints visibly (its
    `<font color=` and `exploit` are in the text), and the canary file it would touch
    does not exist."""
    canary = tmp_path / "canary"
    out = tmp_path / "paper.pdf"
    payload = cve_payload(canary)
    write_paper_pdf(paper_with_everywhere(payload), out)
    assert not canary.exists()
    text = all_text(out).replace(" ", "")
    assert payload.replace(" ", "") in text
    assert "<fontcolor=" in text


def test_markup_looking_text_prints_verbatim(tmp_path):
    """Case 58: `Smith & Jones <Ltd>`, `R&D budget`, `Name: <Unknown>`, `Cost < £5k`
    come back exactly (unescaped, reportlab dropped `<Ltd>` and wrote `R&D;`)."""
    samples = ["Smith & Jones <Ltd>", "R&D budget", "Name: <Unknown>", "Cost < £5k", "a &amp; b", "<b>not bold</b>"]
    doc = replace(make_paper(appendices=False, sections=0),
                  sections=[Section("s", "Names", [Block("paragraph", [Run(s)]) for s in samples])],
                  recommendations=[Recommendation(i + 1, s) for i, s in enumerate(samples)])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(doc, out)
    text = all_text(out)
    for s in samples:
        assert text.count(s) == 2, s
    assert "R&D; budget" not in text


# Letters the bundled DejaVu Sans carries (Latin with diacritics, Greek, Cyrillic; code
# points no letter is assigned to are left out), and the characters of markup. (Control characters are dropped by design: clean().)
_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from(list("<>&\"'=/;:#[](){}!?.,-_ \n\t£€–“”")),
    st.characters(min_codepoint=0x21, max_codepoint=0x24F, exclude_categories=("Cc", "Cn")),
    # U+03A2 lies inside the Greek capitals but is unassigned: no letter, no glyph.
    st.characters(min_codepoint=0x391, max_codepoint=0x3C9, exclude_categories=("Cn",)),
    st.characters(min_codepoint=0x410, max_codepoint=0x44F, exclude_categories=("Cn",)),
), max_size=60)


@settings(max_examples=40, deadline=None)
@given(_TEXT)
def test_any_text_through_para_comes_back_as_written(tmp_path_factory, text):
    """Case 58, property: any string through :func:`para` (the one user-text function)
    builds, and the PDF's text equals it up to whitespace."""
    out = tmp_path_factory.mktemp("p") / "t.pdf"
    SimpleDocTemplate(str(out)).build([para(text, styles()["body"])])
    assert squash(all_text(out)) == squash(text.replace("\xad", "").replace("\xa0", " "))


def test_image_and_link_markup_embeds_no_image_and_writes_no_link(tmp_path):
    """Case 59: `<img src=...>` naming a real local PNG, `<a href="javascript:...">` and a
    `file:` link print literally; the PDF has no image XObject and no link annotation
    (the paper here has no logo, so any image would come from user text)."""
    from PIL import Image

    secret = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(secret)
    samples = [f'<img src="{secret}"/>', '<a href="javascript:alert(1)">click</a>',
               '<a href="file:///C:/Users/officer/secret.xlsx">budget</a>', '<link href="https://example.org">x</link>']
    out = tmp_path / "paper.pdf"
    for sample in samples:
        write_paper_pdf(paper_with_everywhere(sample), out)
        assert image_xobjects(out) == 0
        assert link_annotations(out) == []
        assert b"/URI" not in out.read_bytes()
        assert squash(sample) in all_text(out)


def test_twenty_thousand_line_breaks_paginate(tmp_path):
    """Case 61: a section of 20,000 short lines builds without LayoutError over
    hundreds of pages, each numbered, the last line printed."""
    body = "\n".join(f"line {n}" for n in range(20_000))
    doc = replace(make_paper(appendices=False, sections=0), sections=[Section("s", "Long", [Block("paragraph", [Run(body)])])])
    out = tmp_path / "paper.pdf"
    info = write_paper_pdf(doc, out)
    assert 300 <= info.pages <= 500
    reader = PdfReader(str(out))
    assert len(reader.pages) == info.pages
    last = squash(reader.pages[-1].extract_text())
    assert f"Page {info.pages} of {info.pages}" in last
    assert "line 19999" in last


def test_a_table_cell_taller_than_a_page_splits_across_pages(tmp_path):
    """Case 61: a cell holding 400 lines is split inside its row over several pages
    (the header row repeated on each), every line printed."""
    tall = "\n".join(f"progress note {n}" for n in range(400))
    table = Table("Tall", [Column("a", "Action"), Column("b", "Progress")],
                  [Row([Cell("before"), Cell("short")]), Row([Cell("tall row"), Cell(tall)]),
                   Row([Cell("after"), Cell("short")])])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(make_paper(extra_items=[table]), out)
    text = all_text(out)
    for n in (0, 199, 399):
        assert f"progress note {n}" in text
    tall_pages = [t for t in pages_text(out) if "progress note" in t]
    assert len(tall_pages) >= 5
    assert all("Action Progress" in t for t in tall_pages)


def test_arabic_script_is_shaped_into_joined_letters(tmp_path):
    """Case 60, the right-to-left part: with uharfbuzz (a dependency), Arabic text is
    shaped: the PDF's glyphs are the joined (initial, medial, final) letter forms,
    which read back as presentation forms that normalise (NFKC) to the words typed.
    Unshaped, they would be the isolated base letters. (Word order: visual_order.)"""
    import unicodedata

    words = ["مرحبا", "بالعالم"]
    doc = replace(make_paper(appendices=False, sections=0),
                  sections=[Section("s", "Names", [Block("paragraph", [Run(" ".join(words))])])])
    out = tmp_path / "paper.pdf"
    write_paper_pdf(doc, out)
    text = all_text(out)
    shaped = [w for w in text.split() if any(0xFE70 <= ord(c) <= 0xFEFF for c in w)]
    assert sorted(unicodedata.normalize("NFKC", w) for w in shaped) == sorted(words)
    assert not any(w in text for w in words)  # no isolated, unjoined letters


def test_right_to_left_runs_are_put_in_visual_order_word_by_word():
    from cypdesk.io.papers.text import visual_order

    assert visual_order("Name: عائشہ خان (Aisha Khan)") == "Name: خان عائشہ (Aisha Khan)"
    assert visual_order("اردو زبان, Welsh: Cymraeg") == "زبان اردو, Welsh: Cymraeg"
    assert visual_order("Llŷr of Ynys Môn") == "Llŷr of Ynys Môn"
