"""``cypdesk imports FILE [--json]`` (issue 9: the import record is kept and shown):
each import newest first with when, who, source, sheet, kind, SHA-256 and its row
counts; FILE never changed; and ``cypdesk export FILE --table import_records`` writes
the same columns."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl

from cypdesk.cli import main
from tests.cli.jsonrun import run_json

ORGS = "Name,Kind\nHarbour Lights Youth Trust,voluntary\nNorthgate Care Ltd,private\n"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _imports(demo_path, tmp_path, capsys) -> tuple[Path, Path]:
    """Into the demo (which holds one import, its Fingertips file): orgs.csv, then a
    corrected orgs.csv (one kind changed, one row the same), then an xlsx sheet
    'Register' with one new organisation and one row without a name (skipped)."""
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS, encoding="utf-8")
    assert main(["import", str(demo_path), str(orgs), "--kind", "organisations"]) == 0
    orgs.write_text(ORGS.replace("Northgate Care Ltd,private", "Northgate Care Ltd,social enterprise"), encoding="utf-8")
    assert main(["import", str(demo_path), str(orgs), "--kind", "organisations"]) == 0
    book = tmp_path / "partners.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Register"
    for row in (["Name", "Kind"], ["Willow Tree Nurseries", "private"], [None, "voluntary"]):
        sheet.append(row)
    wb.save(book)
    assert main(["import", str(demo_path), str(book), "--kind", "organisations", "--skip-invalid"]) == 0
    capsys.readouterr()
    return orgs, book


def test_imports_lists_each_import_newest_first_with_who_what_and_its_counts(demo_path, tmp_path, capsys):
    """--json: four imports, newest first (the xlsx, the corrected csv, the first csv,
    the demo's own); each with its time, author, source, sheet, kind, the SHA-256 of the
    file as it was read (whole and its first 12 characters) and rows read, added,
    changed, unchanged and rejected; the document is byte for byte unchanged."""
    orgs, book = _imports(demo_path, tmp_path, capsys)
    before = sha(demo_path)
    code, result = run_json(capsys, "imports", demo_path)
    assert code == 0 and result["ok"] is True
    assert sha(demo_path) == before
    entries = result["imports"]
    assert [(e["source"], e["sheet"], e["kind"]) for e in entries[:3]] == [
        ("partners.xlsx", "Register", "organisations"), ("orgs.csv", None, "organisations"),
        ("orgs.csv", None, "organisations")]
    assert len(entries) == 4 and entries[3]["kind"] == "indicator_values"
    assert entries[3]["source"].startswith("fingertips_cyp_riverside_neighbours_")
    counts = [tuple(e[k] for k in ("rows_read", "added", "changed", "unchanged", "rejected")) for e in entries[:3]]
    assert counts == [(2, 1, 0, 0, 1), (2, 0, 1, 1, 0), (2, 2, 0, 0, 0)]
    assert entries[0]["sha256"] == sha(book) and entries[1]["sha256"] == sha(orgs)
    assert entries[2]["sha256"] != sha(orgs)  # the first orgs.csv, before it was corrected
    assert all(e["sha256_short"] == e["sha256"][:12] for e in entries)
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    assert all(" on " in e["by"] for e in entries)


def test_imports_prints_a_table_with_the_short_hash_and_the_counts(demo_path, tmp_path, capsys):
    """Without --json: a heading line, then one line per import, the newest first,
    showing the sheet, the 12-character hash (not the whole one) and the counts."""
    _orgs, book = _imports(demo_path, tmp_path, capsys)
    assert main(["imports", str(demo_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"4 imports recorded in {demo_path.name}, newest first:"
    assert lines[1].split() == ["When", "(UTC)", "Who", "Source", "Sheet", "Kind", "SHA-256", "Read", "Added",
                                "Changed", "Unchanged", "Rejected"]
    newest = lines[2].split()
    assert newest[-8:] == ["partners.xlsx", "Register", "organisations", sha(book)[:12], "2", "1", "0", "0", "1"][-8:]
    assert sha(book) not in lines[2]
    assert len(lines) == 6


def test_imports_of_a_document_without_imports_says_so(tmp_path, capsys):
    """A new demo document whose import record was deleted: "No imports are recorded"."""
    import sqlite3
    from contextlib import closing

    doc = tmp_path / "empty.cypdesk"
    assert main(["demo", str(doc)]) == 0
    with closing(sqlite3.connect(doc)) as conn, conn:
        conn.execute("DELETE FROM import_records")
    capsys.readouterr()
    assert main(["imports", str(doc)]) == 0
    assert capsys.readouterr().out.strip() == "No imports are recorded in empty.cypdesk."
    code, result = run_json(capsys, "imports", doc)
    assert code == 0 and result["imports"] == []


def test_export_of_import_records_has_when_who_and_every_count(demo_path, tmp_path, capsys):
    """`cypdesk export FILE --table import_records --out X.csv` exits 0 with a column
    for when and who, and Unchanged next to Added, Updated and Rejected."""
    _imports(demo_path, tmp_path, capsys)
    out = tmp_path / "imports.csv"
    assert main(["export", str(demo_path), "--table", "import_records", "--out", str(out)]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["Imported", "Imported by", "Source file", "Sheet", "Imported into", "File hash",
                             "Rows read", "Added", "Updated", "Unchanged", "Rejected", "Publisher"]
    corrected = [r for r in rows if r["Source file"] == "orgs.csv" and r["Updated"] == "1"]
    assert len(corrected) == 1 and corrected[0]["Unchanged"] == "1" and " on " in corrected[0]["Imported by"]
    assert corrected[0]["Imported"]
