"""``cypdesk paper FILE --paper ID --out OUT.pdf|OUT.docx [--for ORG]`` and ``--meeting
ID --out PACK.pdf`` (issue 10, item 10): the demo's papers written from the command
line, provider-safe with --for (case 62), FILE never changed, bad usage exit 2."""

from __future__ import annotations

import hashlib
import zipfile

from docx import Document
from pypdf import PdfReader

from cypdesk.cli import main
from cypdesk.services.demo_data import _uid
from tests.cli.jsonrun import run_json
from tests.io.papers.pdfcheck import all_text, layout_lines, outline, pages_text

CONFIDENTIAL_OPTIONS = "4.1 For the online counselling service: Option 1, a direct award"
CONTACT_EMAIL = "zoe.obrien@riverside-cc.example.org"
PARTNER = "Brightside Family Support"


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_meeting(path) -> tuple[str, list[str]]:
    """A meeting added to the demo with two short papers (a risk register appendix, no
    charts: the demo's own papers carry up to 60 charts and take long to draw). The
    first has a confidential "Options considered" section and Zoë O'Brien as contact."""
    import sqlite3
    from datetime import date

    from cypdesk.model.document import Document
    from cypdesk.model.installation import get_installation
    from cypdesk.services.papers import compose
    from cypdesk.services.workspace import Workspace

    conn = sqlite3.connect(path)
    contact = conn.execute("SELECT id FROM people WHERE email = ?", (CONTACT_EMAIL,)).fetchone()[0]
    conn.close()
    doc = Document.open(path, installation=get_installation())
    try:
        ws = Workspace(doc)
        meeting = compose.new_meeting(ws, "Riverside Children's Trust Board", date(2026, 6, 11), "Town Hall")
        papers = []
        for item, title in (("3", "Short paper with a confidential option"), ("4", "Second short paper")):
            paper = compose.new_paper(ws, meeting, title, agenda_item=item, contact_id=contact,
                                      purpose="To decide on the counselling service.")
            compose.set_section(ws, paper, "background", body="The service ends in **March**.")
            compose.set_section(ws, paper, "options", body=CONFIDENTIAL_OPTIONS + ".", confidential=True)
            compose.add_recommendation(ws, paper, "The Board agrees option 1.")
            compose.add_appendix(ws, paper, "risks")
            papers.append(paper)
        doc.save()
    finally:
        doc.close()
    return meeting, papers


def test_a_final_paper_writes_a_pdf_with_its_title_recommendations_and_pages(demo_path, tmp_path, capsys):
    before = sha(demo_path)
    out = tmp_path / "paper.pdf"
    code, result = run_json(capsys, "paper", demo_path, "--paper", _uid("papers", "p1"), "--out", out)
    assert code == 0 and result["ok"] is True, result
    assert result["pages"] == len(PdfReader(str(out)).pages) and result["format"] == "pdf"
    text = all_text(out)
    assert "Joint commissioning strategy: update" in text
    assert f"Page {result['pages']} of {result['pages']}" in text
    assert sha(demo_path) == before
    assert main(["paper", str(demo_path), "--paper", _uid("papers", "p1"), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("Wrote 'Joint commissioning strategy: update' to ")


def test_a_paper_writes_a_word_document(demo_path, tmp_path, capsys):
    out = tmp_path / "paper.docx"
    code, result = run_json(capsys, "paper", demo_path, "--paper", _uid("papers", "p1"), "--out", out)
    assert code == 0 and result["format"] == "docx", result
    word = Document(str(out))
    assert word.core_properties.title == "Joint commissioning strategy: update"
    assert any(p.style.name == "Heading 1" for p in word.paragraphs)


def test_the_provider_safe_paper_leaves_out_confidential_sections_and_the_contact(demo_path, tmp_path, capsys):
    """Case 62 through the command line: with --for, the section marked confidential
    (its heading and text) and the contact's email are in neither the text, the
    bookmarks, the metadata nor the raw bytes of the PDF or the Word file; without
    --for they are there (so the check can fail)."""
    paper = small_meeting(demo_path)[1][0]
    full, safe = tmp_path / "full.pdf", tmp_path / "safe.pdf"
    assert run_json(capsys, "paper", demo_path, "--paper", paper, "--out", full)[0] == 0
    code, result = run_json(capsys, "paper", demo_path, "--paper", paper, "--out", safe, "--for", PARTNER)
    assert code == 0 and result["for"]["name"] == PARTNER, result
    assert CONFIDENTIAL_OPTIONS in all_text(full) and CONTACT_EMAIL in all_text(full)
    assert "Options considered" in [t for _, t, _ in outline(full)]
    text = all_text(safe)
    assert CONFIDENTIAL_OPTIONS not in text and CONTACT_EMAIL not in text
    assert "Options considered" not in [t for _, t, _ in outline(safe)]
    raw = safe.read_bytes()
    for secret in (b"online counselling service: Option 1", CONTACT_EMAIL.encode(), b"Options considered"):
        assert secret not in raw
    assert f"Version for {PARTNER}" in text
    docx = tmp_path / "safe.docx"
    assert run_json(capsys, "paper", demo_path, "--paper", paper, "--out", docx, "--for", PARTNER)[0] == 0
    with zipfile.ZipFile(docx) as z:
        xml = b"".join(z.read(n) for n in z.namelist())
    assert b"online counselling service: Option 1" not in xml and CONTACT_EMAIL.encode() not in xml


def test_a_meeting_pack_lists_each_paper_at_the_page_it_starts(demo_path, tmp_path, capsys):
    out = tmp_path / "pack.pdf"
    meeting, _ = small_meeting(demo_path)
    code, result = run_json(capsys, "paper", demo_path, "--meeting", meeting, "--out", out)
    assert code == 0, result
    pages = pages_text(out)
    assert result["pages"] == len(pages)
    agenda = layout_lines(out, 1)
    assert len(result["papers"]) == 2
    for item in result["papers"]:
        assert f"{item['agenda_item']} {item['title']} {item['page']}" in agenda
        assert f"Agenda item {item['agenda_item']}" in pages[item["page"] - 1]


def test_a_supplement_holds_only_the_papers_to_follow_with_its_own_agenda(demo_path, tmp_path, capsys):
    """--supplement 4 --number 2: supplement 2 to the meeting's pack, its agenda titled
    "Supplementary agenda 2" listing item 4 alone at the page it starts, pages numbered
    within it; an agenda item the meeting lacks is refused (exit 2) naming its items,
    and nothing is written."""
    meeting, _ = small_meeting(demo_path)
    out = tmp_path / "supplement.pdf"
    code, result = run_json(capsys, "paper", demo_path, "--meeting", meeting, "--supplement", "4", "--number", "2",
                            "--out", out)
    assert code == 0, result
    assert result["supplement"] == 2 and [p["agenda_item"] for p in result["papers"]] == ["4"]
    pages = pages_text(out)
    agenda = "\n".join(layout_lines(out, 1))
    assert "Supplementary agenda 2" in agenda and "Second short paper" in agenda
    assert "Short paper with a confidential option" not in " ".join(pages)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "Agenda item 4" in pages[result["papers"][0]["page"] - 1]
    missing = tmp_path / "none.pdf"
    code, result = run_json(capsys, "paper", demo_path, "--meeting", meeting, "--supplement", "9", "--out", missing)
    assert code == 2 and "no paper at agenda item 9" in result["error"]["message"]
    assert "its items are 3, 4" in result["error"]["message"] and not missing.exists()


def test_bad_usage_and_unknown_ids_are_refused_in_plain_words(demo_path, tmp_path, capsys):
    """A paper to .txt, a pack to .docx: usage (exit 2), nothing written; an unknown
    paper or meeting: not found (exit 1)."""
    p1 = _uid("papers", "p1")
    for args, code_wanted, error, words in (
            (["--paper", p1, "--out", tmp_path / "x.txt"], 2, "usage", "x.txt: a paper goes to a .pdf or a .docx"),
            (["--meeting", _uid("meetings", "past"), "--out", tmp_path / "x.docx"], 2, "usage",
             "a meeting pack goes to a .pdf file"),
            (["--paper", "no-such-paper", "--out", tmp_path / "x.pdf"], 1, "not_found", "no-such-paper"),
            (["--meeting", "no-such-meeting", "--out", tmp_path / "x.pdf"], 1, "not_found", "no-such-meeting"),
            (["--meeting", _uid("meetings", "past")], 2, "usage", "--meeting needs --out")):
        code, result = run_json(capsys, "paper", demo_path, *args)
        assert code == code_wanted and result["error"]["code"] == error, result
        assert words in result["error"]["message"], result
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".txt", ".docx", ".pdf")) == []
