"""``cypdesk import FILE SOURCE --kind KIND`` (DESIGN.md section 9, issue 9 items 11
and 12): counts in --json, exit codes, the document byte for byte unchanged after any
refusal, --skip-invalid, --report, --mapping, --where, --dry-run, and export then import
changing nothing."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.cli import main
from tests.cli.jsonrun import run_json

ORGS = ("Name,Kind,Charity number\n"
        "Harbour Lights Youth Trust,voluntary,1190001\n"
        "Northgate Care Ltd,private,\n")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one(path: Path, sql: str, *params):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def source(tmp_path):
    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path
    return write


def test_import_saves_the_document_and_prints_the_counts(demo_path, source, capsys):
    """Exit 0; --json has added/changed/unchanged/rejected, problems and created; the
    saved document holds the new records; a second run is all unchanged."""
    orgs = source("orgs.csv", ORGS)
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations")
    assert code == 0 and result["ok"] is True
    assert {k: result[k] for k in ("added", "changed", "unchanged", "rejected", "problems", "created")} == {
        "added": 2, "changed": 0, "unchanged": 0, "rejected": 0, "problems": [], "created": {}}
    assert one(demo_path, "SELECT count(*) FROM organisations WHERE name = 'Northgate Care Ltd'") == 1
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations")
    assert code == 0 and (result["added"], result["changed"], result["unchanged"]) == (0, 0, 2)
    code = main(["import", str(demo_path), str(orgs), "--kind", "organisations"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("Imported organisations from orgs.csv: 0 added, 0 changed, 2 unchanged, "
                                        "0 rejected; the document is saved.")


def test_one_bad_row_at_9999_refuses_everything_and_leaves_the_document_byte_for_byte(demo_path, source, capsys):
    """Case 54: 10,000 payments with one bad date at data row 9,999 (line 10,000): exit 1,
    the document's SHA-256 unchanged, and the problem listed with its exact reference."""
    lines = ["Date,Supplier,Amount,Description"]
    lines += [f"01/05/2025,Supplier {i % 50},{i}.25,Item {i}" for i in range(1, 10_001)]
    lines[9_999] = "31/02/2025,Supplier 49,9999.25,Item 9999"
    spend = source("spend.csv", "\n".join(lines) + "\n")
    before = sha(demo_path)
    code, result = run_json(capsys, "import", demo_path, spend, "--kind", "payments")
    assert code == 1 and result["ok"] is False and result["error"]["code"] == "import_refused"
    assert sha(demo_path) == before
    assert [(p["row"], p["column"], p["header"], p["value"]) for p in result["problems"]] == [
        (10_000, "A", "Date", "31/02/2025")]
    assert result["problems"][0]["where"] == "spend.csv, row 10000, column A (Date)"
    assert result["added"] == 9_999 and result["rejected"] == 1  # what would have happened
    code = main(["import", str(demo_path), str(spend), "--kind", "payments"])
    err = capsys.readouterr().err
    assert code == 1 and "spend.csv, row 10000, column A (Date): '31/02/2025':" in err
    assert sha(demo_path) == before


def test_skip_invalid_exits_0_with_the_rejected_rows_listed_and_reported(demo_path, source, capsys, tmp_path):
    """--skip-invalid: the valid row goes in, exit 0, the bad one is in the JSON and in
    the --report CSV (UTF-8 with a byte-order mark, so Excel reads it)."""
    orgs = source("orgs.csv", ORGS + "Bad Code Council,local authority,not-a-number\n")
    report = tmp_path / "problems.csv"
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations", "--skip-invalid",
                            "--report", report)
    assert code == 0 and (result["added"], result["rejected"]) == (2, 1)
    assert result["problems"][0]["row"] == 4 and result["problems"][0]["column"] == "C"
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(report.open(encoding="utf-8-sig")))
    assert rows[0] == ["File", "Sheet", "Row", "Column", "Heading", "Value", "Problem"]
    assert rows[1][:6] == ["orgs.csv", "", "4", "C", "Charity number", "not-a-number"]
    assert "is not a charity number" in rows[1][6]


def test_a_refusal_for_bad_columns_names_them_and_changes_nothing(demo_path, source, capsys):
    """Case 52 on the command line: near-duplicate headings refused (exit 1) naming the
    columns, even with --skip-invalid; the document is unchanged."""
    before = sha(demo_path)
    dup = source("dup.csv", "Name,NAME,Kind\nA,B,private\n")
    code, result = run_json(capsys, "import", demo_path, dup, "--kind", "organisations", "--skip-invalid")
    assert code == 1 and "columns A ('Name') and B ('NAME')" in result["error"]["message"]
    assert sha(demo_path) == before


def test_mapping_file_is_written_when_new_and_read_when_it_exists(demo_path, source, capsys, tmp_path):
    """--mapping M.json: the guessed mapping is written when the file does not exist; an
    edited one is then used (here mapping 'Org' to the name, which no guess would)."""
    mapping = tmp_path / "m.json"
    orgs = source("orgs.csv", "Org,Kind\nWillow Tree Nurseries,private\n")
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations", "--mapping", mapping,
                            "--dry-run")
    assert code == 1  # no column for Name
    written = json.loads(mapping.read_text(encoding="utf-8"))
    assert written == {"kind": "organisations", "columns": {"Org": None, "Kind": "kind"}, "fixed": {}}
    written["columns"]["Org"] = "name"
    mapping.write_text(json.dumps(written), encoding="utf-8")
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations", "--mapping", mapping)
    assert code == 0 and result["added"] == 1
    assert one(demo_path, "SELECT kind FROM organisations WHERE name = 'Willow Tree Nurseries'") == "private"


def test_dry_run_changes_nothing(demo_path, source, capsys):
    """--dry-run prints what would happen and leaves the document byte for byte."""
    before = sha(demo_path)
    code, result = run_json(capsys, "import", demo_path, source("orgs.csv", ORGS), "--kind", "organisations",
                            "--dry-run")
    assert code == 0 and result["added"] == 2 and result["dry_run"] is True and result["import_id"] is None
    assert sha(demo_path) == before


def test_where_keeps_one_directorate_of_a_council_register(demo_path, source, capsys):
    """--where "Directorate=CHILDREN" keeps only those rows; new suppliers are created and
    listed, and the services made for the contracts are listed to classify."""
    register = source("register.csv", "Contract reference,Title,Supplier name,Directorate,Contract value\n"
                                      "R-1,Family group conferencing,Kinship Works Ltd,Children,£48,000\n"
                                      "R-2,Street lighting,Bright Lamps Ltd,Place,£1.2m\n".replace("£48,000",
                                                                                                  '"£48,000"'))
    code, result = run_json(capsys, "import", demo_path, register, "--kind", "contracts", "--where",
                            "Directorate=CHILDREN")
    assert code == 0 and result["added"] == 1
    assert result["created"] == {"organisations": ["Kinship Works Ltd"], "services": ["Family group conferencing"]}
    assert one(demo_path, "SELECT total_value FROM contracts WHERE reference = 'R-1'") == 48_000
    assert one(demo_path, "SELECT count(*) FROM contracts WHERE reference = 'R-2'") == 0


def test_link_takes_a_name_in_the_file_as_an_organisation_the_document_has(demo_path, source, capsys):
    """--link "Kinship Works Ltd=Riverside County Council": the contract's supplier is the
    council (by name, any case), no organisation is made or listed as created, and the
    JSON says which name was linked; a bad --link is usage (exit 2), an organisation the
    document lacks is refused (exit 1), and neither changes the document."""
    register = source("register.csv", "Contract reference,Title,Supplier name,Directorate\n"
                                      "R-1,Family group conferencing,Kinship Works Ltd,Children\n")
    before = sha(demo_path)
    assert run_json(capsys, "import", demo_path, register, "--kind", "contracts", "--link", "Kinship Works Ltd")[0] == 2
    code, result = run_json(capsys, "import", demo_path, register, "--kind", "contracts",
                            "--link", "Kinship Works Ltd=Nobody We Know")
    assert code == 1 and "Nobody We Know" in result["error"]["message"]
    assert sha(demo_path) == before
    orgs = one(demo_path, "SELECT count(*) FROM organisations")
    code, result = run_json(capsys, "import", demo_path, register, "--kind", "contracts",
                            "--link", "kinship works limited=riverside county council")
    assert code == 0 and result["added"] == 1
    assert "organisations" not in result["created"]
    assert one(demo_path, "SELECT count(*) FROM organisations") == orgs
    assert one(demo_path, "SELECT o.name FROM contracts c JOIN organisations o ON o.id = c.supplier_id "
                          "WHERE c.reference = 'R-1'") == "Riverside County Council"


def test_bad_usage_exits_2(demo_path, source, capsys):
    """An unknown kind, a --where that is not COLUMN=VALUE or names no column: exit 2."""
    orgs = source("orgs.csv", ORGS)
    assert run_json(capsys, "import", demo_path, orgs, "--kind", "widgets")[0] == 2
    assert run_json(capsys, "import", demo_path, orgs, "--kind", "organisations", "--where", "Directorate")[0] == 2
    code, result = run_json(capsys, "import", demo_path, orgs, "--kind", "organisations", "--where", "Colour=red")
    assert code == 2 and "Colour" in result["error"]["message"]


@pytest.mark.parametrize("table", ["organisations", "services", "contracts",
                                   "indicator_values", "payments", "measurements", "contributions"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(table, suffix, demo_path, capsys, tmp_path):
    """cypdesk export of a table, then cypdesk import of that file: 0 added, 0 changed,
    every row unchanged."""
    out = tmp_path / f"{table}{suffix}"
    code, exported = run_json(capsys, "export", demo_path, "--table", table, "--out", out)
    assert code == 0
    code, result = run_json(capsys, "import", demo_path, out, "--kind", table)
    assert code == 0, result
    assert (result["added"], result["changed"], result["rejected"]) == (0, 0, 0), result["changes"][:3]
    assert result["unchanged"] == exported["rows"]


@pytest.mark.parametrize("content, code_expected, error", [
    (b"%PDF-1.4 not a spreadsheet\x00\x01\x02", 2, "not_a_workbook"),
    (b"PK\x03\x04truncated", 1, "damaged_workbook"),
])
def test_a_source_cypdesk_cannot_read_is_refused_and_the_document_is_unchanged(
        content, code_expected, error, demo_path, tmp_path, capsys):
    """A file that is not a spreadsheet (exit 2) or a truncated xlsx (exit 1): refused
    with the reader's code, naming the file; the document byte for byte as before."""
    bad = tmp_path / "returns.xlsx"
    bad.write_bytes(content)
    before = sha(demo_path)
    code, result = run_json(capsys, "import", demo_path, bad, "--kind", "organisations")
    assert code == code_expected and result["error"]["code"] == error, result
    assert "returns.xlsx" in result["error"]["message"]
    assert sha(demo_path) == before
