"""``cypdesk template --kind KIND --out OUT.xlsx [--from FILE] [--json]`` (issue 9 item 13,
DESIGN.md section 9): a blank return, its drop-downs filled from FILE, the document never
touched, and the usual refusals with their exit codes."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import openpyxl

from cypdesk.cli import main
from tests.cli.jsonrun import run_json


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_from_a_document_fills_the_lists_and_leaves_it_untouched(demo_path, capsys, tmp_path):
    """--from FILE: exit 0, the JSON names the kind, the file, the columns and how many
    values each drop-down offers (services: as many as the document has); the document's
    bytes are unchanged and no temporary file is left beside the output."""
    before = sha(demo_path)
    out = tmp_path / "contracts return.xlsx"
    code, result = run_json(capsys, "template", "--kind", "contracts", "--from", demo_path, "--out", out)
    assert code == 0 and result["ok"] is True
    assert result["kind"] == "contracts" and result["path"] == str(out.absolute())
    assert result["from"] == str(demo_path.absolute()) and "Service *" in result["columns"]
    with closing(sqlite3.connect(demo_path)) as conn:
        services = conn.execute("SELECT count(DISTINCT name) FROM services").fetchone()[0]
    assert result["lists"]["service_id"] == services and result["lists"]["route"] >= 2
    assert sha(demo_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([demo_path.name, out.name])
    book = openpyxl.load_workbook(out)
    assert book["cypdesk"].sheet_state == "veryHidden"


def test_without_a_document_and_in_prose(capsys, tmp_path):
    """Without --from: exit 0, no reference lists; the prose names the file."""
    out = tmp_path / "services.xlsx"
    code, result = run_json(capsys, "template", "--kind", "services", "--out", out)
    assert code == 0 and result["from"] is None and "provider_id" not in result["lists"]
    assert main(["template", "--kind", "services", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out


def test_refusals(demo_path, capsys, tmp_path):
    """Bad usage is exit 2 (unknown kind, not .xlsx, --kind or --out missing, --out the
    document itself); a missing or non-document FILE is exit 2; a damaged one exit 1;
    nothing is written in any case."""
    out = tmp_path / "t.xlsx"
    for args in (["--kind", "nonsense", "--out", out], ["--kind", "contracts", "--out", tmp_path / "t.csv"],
                 ["--kind", "contracts"], ["--out", out]):
        code, result = run_json(capsys, "template", *args)
        assert code == 2 and result["error"]["code"] == "usage", args
    code, result = run_json(capsys, "template", "--kind", "contracts", "--from", demo_path, "--out",
                            demo_path.with_suffix(".xlsx"))
    assert code == 0  # a different file beside it is fine
    code, result = run_json(capsys, "template", "--kind", "contracts", "--from", tmp_path / "none.cypdesk",
                            "--out", out)
    assert code == 2 and result["error"]["code"] == "missing"
    junk = tmp_path / "junk.cypdesk"
    junk.write_bytes(b"not a document" * 200)
    code, result = run_json(capsys, "template", "--kind", "contracts", "--from", junk, "--out", out)
    assert code == 2 and result["error"]["code"] == "not_a_document"
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 2 + 100])
    code, result = run_json(capsys, "template", "--kind", "contracts", "--from", demo_path, "--out", out)
    assert code == 1 and result["error"]["code"] == "damaged"
    assert not out.exists() and not (tmp_path / "t.csv").exists()


def test_an_existing_file_is_replaced_whole(capsys, tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"old")
    assert main(["template", "--kind", "payments", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out)["Payments"]["A1"].value == "Date *"
