"""Rich text of papers' purpose and sections (contract section 3): a small Markdown
subset read into blocks and runs, written back so that reading it again gives the same
blocks, and everything outside the subset (HTML, images, links) kept as literal text."""

from __future__ import annotations

import pytest

from cypdesk.common.paperdoc import Block, Run
from cypdesk.common.richtext import clean, parse, to_markdown


def shape(blocks):
    return [(b.kind, b.level, [(r.text, r.bold, r.italic) for r in b.runs]) for b in blocks]


SAMPLES = [
    "# Title\n\n## Sub\n\n### Third",
    "Some **bold** and *italic* and _also italic_ here.",
    "***both*** and **b *bi* b** and *i **ib** i*",
    "- one\n- two\n  - nested *x*\n    - deeper\n1. first\n2. second\n   1. sub a",
    "1.1 To update the Board on **progress**\n1.2 To seek agreement",
    "risk_management, 2 * 3 * 4, \\*not italic\\*, **unclosed, #### four, + plus, 10) ten",
    "<img src=x onerror=alert(1)> & &amp; [link](http://x) `code` <b>bold?</b>",
    "Łódź Café Ngũgĩ, Llŷr of Ynys Môn: ŵ ŷ Ł ż, Ελληνικά, Кириллица",
    "a line\nwrapped by Qt\n\nnew paragraph\n\n- item\n  continued",
    "_a_**b** **a***b* x**y**z *a **b* c**",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_what_is_written_reads_back_as_the_same_blocks(text):
    blocks = parse(text)
    markdown = to_markdown(blocks)
    assert parse(markdown) == blocks
    assert clean(markdown) == markdown == clean(text)  # cleaning twice changes nothing


def test_headings_lists_and_nesting_are_read_with_their_levels():
    text = "# Head\n\nIntro **bold *both*** end.\n\n- a\n  - b\n    - c\n      - d too deep\n1. one\n   1. one-one\n- back"
    assert shape(parse(text)) == [
        ("heading", 1, [("Head", False, False)]),
        ("paragraph", 1, [("Intro ", False, False), ("bold ", True, False), ("both", True, True),
                          (" end.", False, False)]),
        ("bullet", 1, [("a", False, False)]),
        ("bullet", 2, [("b", False, False)]),
        ("bullet", 3, [("c", False, False)]),
        ("bullet", 3, [("d too deep", False, False)]),  # deeper than three levels stays at three
        ("numbered", 1, [("one", False, False)]),
        ("numbered", 2, [("one-one", False, False)]),
        ("bullet", 1, [("back", False, False)]),
    ]


def test_html_images_and_links_stay_literal_text():
    text = '<img src="x.png" onerror="alert(1)"> and [a link](http://example.org) and <script>x</script>'
    blocks = parse(text)
    assert shape(blocks) == [("paragraph", 1, [(text, False, False)])]
    written = to_markdown(blocks)
    assert "\\<img" in written and "\\[a link\\]" in written  # escaped for Qt's reader, which knows HTML
    assert parse(written)[0].text == text


def test_underscores_inside_words_and_lone_asterisks_are_text():
    assert shape(parse("risk_management and 2 * 3")) == [
        ("paragraph", 1, [("risk_management and 2 * 3", False, False)])]
    assert shape(parse("**not closed and *not either")) == [
        ("paragraph", 1, [("**not closed and *not either", False, False)])]


def test_paragraph_lines_join_but_numbered_paragraphs_stay_apart():
    assert [b.text for b in parse("one line\nwrapped here\n3.1 First point\n3.2 Second point")] == [
        "one line wrapped here", "3.1 First point", "3.2 Second point"]


def test_text_that_looks_like_markup_is_escaped_when_written():
    blocks = [Block("paragraph", [Run("# not a heading")]), Block("paragraph", [Run("- not a bullet")]),
              Block("paragraph", [Run("1. not numbered")]), Block("paragraph", [Run("2*3*4 _x_")])]
    written = to_markdown(blocks)
    assert parse(written) == blocks


def test_styles_at_a_space_move_the_space_outside_and_keep_the_words():
    blocks = [Block("paragraph", [Run("plain "), Run(" bold ", bold=True), Run("after")])]
    again = parse(to_markdown(blocks))
    assert again[0].text == "plain  bold after"
    assert [r.text for r in again[0].runs if r.bold] == ["bold"]


def test_numbered_items_are_numbered_from_one_in_each_list():
    blocks = [Block("numbered", [Run("a")]), Block("numbered", [Run("b")]), Block("paragraph", [Run("break")]),
              Block("numbered", [Run("c")])]
    assert to_markdown(blocks) == "1. a\n2. b\n\nbreak\n\n1. c"


def test_empty_text_is_no_blocks():
    assert parse("") == parse(None) == parse("  \n\n ") == []
    assert clean("\n\n") == ""
