"""The meeting pack PDF (issue 10, item 9): the agenda's page numbers are the pages
where each paper starts, pages are numbered through, each stamped with its item."""

from __future__ import annotations

import re

from pypdf import PdfReader

from cypdesk.io.papers.pdf import write_pack_pdf
from tests.io.papers.pdfcheck import layout_lines, outline, pages_text
from tests.io.papers.samples import make_pack, make_paper


def forty_page_pack():
    papers = [make_paper(title=f"Paper for item {n}", agenda_item=str(n), sections=2 + n % 4, action_rows=10 + 9 * n,
                         wide_budget=n % 2 == 0) for n in range(3, 9)]
    return make_pack(papers, without_paper=("9",))


def test_a_forty_page_pack_has_agenda_page_numbers_where_each_paper_starts(tmp_path):
    """The agenda lists each item with the page its paper starts on; that page is the
    first to carry the paper's title and its item stamp, and the page before belongs
    to the item before. Every page says "Page n of N" through the whole pack."""
    out = tmp_path / "pack.pdf"
    pack = forty_page_pack()
    info = write_pack_pdf(pack, out)
    pages = pages_text(out)
    assert info.pages == len(pages) >= 40
    agenda = layout_lines(out, 1)
    assert "Agenda" in agenda
    items = [i for i in pack.items if i.doc is not None]
    assert sorted(info.starts) == sorted(i.agenda_item for i in items)
    for item in items:
        start = info.starts[item.agenda_item]
        assert f"{item.agenda_item} {item.title} {start}" in agenda, (item.agenda_item, start, agenda)
        assert f"Agenda item {item.agenda_item}" in pages[start - 1]
        assert pages[start - 1].count(item.title) >= 2  # the title and the footer
        assert f"Agenda item {item.agenda_item}" not in pages[start - 2]
    assert "9 Any other business (no paper)" in agenda  # listed, with no page number
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text


def test_every_page_of_a_paper_in_the_pack_is_stamped_with_its_item(tmp_path):
    out = tmp_path / "pack.pdf"
    pack = forty_page_pack()
    info = write_pack_pdf(pack, out)
    pages = pages_text(out)
    bounds = sorted(info.starts.items(), key=lambda kv: kv[1]) + [("end", len(pages) + 1)]
    for (item, first), (_, after) in zip(bounds, bounds[1:]):
        for n in range(first, after):
            assert re.findall(r"Agenda item (\w+)", pages[n - 1])[:1] == [item], (item, n)


def test_the_pack_has_one_bookmark_per_paper_with_its_sections_beneath(tmp_path):
    """Top-level bookmarks: the agenda and one per paper ("7. title"), each pointing at
    the paper's first page; its sections and appendices one level down."""
    out = tmp_path / "pack.pdf"
    pack = forty_page_pack()
    info = write_pack_pdf(pack, out)
    marks = outline(out)
    top = [(title, page) for level, title, page in marks if level == 0]
    expected = [("Agenda", 1)] + [(f"{i.agenda_item}. {i.title}", info.starts[i.agenda_item])
                                  for i in pack.items if i.doc is not None]
    assert top == expected
    assert any(level == 1 and title.startswith("Appendix A") for level, title, _ in marks)
    assert PdfReader(str(out)).metadata.title == "North Yorkshire Children's Trust Board: meeting pack, 18 January 2026"
