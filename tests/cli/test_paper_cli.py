"""``cypdesk paper FILE --list [--json]`` (issue 10 item 10): the document's papers with
their ids, meeting, agenda item, status and version, the same list the window shows;
bad usage exits 2 in plain words; FILE is never changed."""

from __future__ import annotations

import hashlib

from cypdesk.cli import main
from cypdesk.services.demo_data import _uid
from tests.cli.jsonrun import run_json


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_list_prints_every_paper_with_its_id_status_and_version_and_changes_nothing(demo_path, capsys):
    before = sha(demo_path)
    code, result = run_json(capsys, "paper", demo_path, "--list")
    assert code == 0 and result["ok"] is True
    rows = [(p["agenda_item"], p["title"], p["status"], p["version"], p["meeting_date"]) for p in result["papers"]]
    assert rows == [
        ("5", "Joint commissioning strategy: update", "final", 1, "2026-01-29"),
        ("6", "Proposal to decommission the Old Mill neighbourhood family centre", "final", 1, "2026-01-29"),
        ("4", "Joint commissioning strategy: progress and forward plan", "draft", 1, "2026-04-09"),
        ("5", "Children and young people's needs assessment: headline findings", "draft", 1, "2026-04-09"),
    ]
    assert result["papers"][0]["id"] == _uid("papers", "p1") and result["papers"][0]["key_decision"] is True
    assert main(["paper", str(demo_path), "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"4 board papers in {demo_path.name}:")
    assert f"  5. Joint commissioning strategy: update (final, version 1, key decision)  {_uid('papers', 'p1')}" in out
    assert "Riverside Children's Trust Board, 29/01/2026" in out
    assert sha(demo_path) == before


def test_a_reopened_paper_is_listed_as_its_next_version(demo_path, capsys):
    from cypdesk.model.document import Document
    from cypdesk.model.installation import get_installation
    from cypdesk.services.papers import compose
    from cypdesk.services.workspace import Workspace

    doc = Document.open(demo_path, installation=get_installation())
    try:
        draft = compose.reopen(Workspace(doc), _uid("papers", "p1"))
        doc.save()
    finally:
        doc.close()
    code, result = run_json(capsys, "paper", demo_path, "--list")
    versions = [(p["id"], p["version"], p["previous_id"]) for p in result["papers"] if p["agenda_item"] == "5"]
    assert (draft, 2, _uid("papers", "p1")) in versions


def test_bad_usage_exits_2_in_plain_words(demo_path, capsys):
    for args, words in ((["--list", "--out", "x.pdf"], "--list prints the papers"),
                        (["--paper", "abc"], "--paper needs --out"),
                        ([], "one of the arguments --list --paper --meeting is required"),
                        (["--list", "--paper", "abc"], "not allowed with argument")):
        code, result = run_json(capsys, "paper", demo_path, *args)
        assert code == 2 and result["error"]["code"] == "usage" and words in result["error"]["message"], result


def test_a_missing_file_is_named_and_exits_2(tmp_path, capsys):
    code, result = run_json(capsys, "paper", tmp_path / "nowhere.cypdesk", "--list")
    assert code == 2 and result["error"]["code"] == "missing" and "nowhere.cypdesk" in result["error"]["message"]
