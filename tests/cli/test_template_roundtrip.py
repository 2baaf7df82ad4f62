"""A return template filled in (by openpyxl, as a partner's Excel would save it) imports
back with ``cypdesk import`` and no mapping step, giving exactly the typed rows; a
re-import is all unchanged (issue 9: "template then import gives the rows typed into
it"). And :func:`read_template`'s own promises: columns found by their headings,
columns it did not make ignored and said, blank rows skipped, refusals for a template of
another kind, from a newer cypdesk, or with its hidden sheet damaged."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime

import openpyxl
import pytest

from cypdesk.cli import main
from cypdesk.services.templates import META_SHEET, TemplateError, read_template, write_template
from tests.cli.jsonrun import run_json


def fill(path, sheet_name: str, rows: list[dict], *, start: int = 2) -> None:
    """Type ``rows`` (heading -> value) into the template's data sheet from row ``start``,
    as Excel saves typed cells: text as text (a leading = included), dates as dates."""
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    column = {c.value: c.column for c in sheet[1]}
    for r, row in enumerate(rows, start=start):
        for heading, value in row.items():
            cell = sheet.cell(row=r, column=column[heading])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)


def query(path, sql, *params):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def test_contracts_typed_into_a_template_import_exactly_and_again_unchanged(demo_path, capsys, tmp_path):
    """Three contracts typed into a template made from the document: imported with no
    --mapping, 3 added and no problems; each field holds what was typed: the service and
    supplier chosen from the lists, a new supplier and a new service created and listed,
    the choice's label stored as its value, dates, money, the percentage as typed
    (12.5), Yes/No, a reference with its leading zeros, formula-like text as text. The
    same file imported again: 3 unchanged."""
    out = tmp_path / "return.xlsx"
    assert main(["template", "--kind", "contracts", "--from", str(demo_path), "--out", str(out)]) == 0
    capsys.readouterr()
    (service,), (other,) = query(demo_path, "SELECT name FROM services ORDER BY name LIMIT 2")
    (supplier,) = query(demo_path, "SELECT name FROM organisations ORDER BY name LIMIT 1")[0]
    typed = [
        {"Service *": service, "Contract reference": "00123", "Procurement route": "Grant",
         "Start": datetime(2025, 4, 1), "End": datetime(2027, 3, 31), "Annual value": 12500.5,
         "Total value": 25001, "Social value weighting": 12.5, "Risk assessed": "Yes", "Supplier": supplier,
         "Title": '=HYPERLINK("http://evil.example","x")', "SME supplier": "Yes"},
        {"Service *": other, "Contract reference": "RT-2", "Annual value": 1000, "Risk assessed": "No",
         "Supplier": "Brand New Supplier Ltd", "Review date": datetime(2026, 1, 31)},
        {"Service *": "A service the partner added", "Contract reference": "RT-3", "Title": "Plain"},
    ]
    fill(out, "Contracts", typed)
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "contracts")
    assert code == 0, result
    assert (result["added"], result["changed"], result["rejected"], result["problems"]) == (3, 0, 0, [])
    assert result["created"] == {"organisations": ["Brand New Supplier Ltd"], "services": ["A service the partner added"]}
    rows = {r[0]: r[1:] for r in query(
        demo_path,
        "SELECT c.reference, s.name, c.route, c.start_date, c.end_date, c.annual_value, c.total_value, "
        "c.social_value_pct, c.risk_assessed, o.name, c.title, c.supplier_is_sme, c.review_date FROM contracts c "
        "JOIN services s ON s.id = c.service_id LEFT JOIN organisations o ON o.id = c.supplier_id "
        "WHERE c.reference IN ('00123', 'RT-2', 'RT-3')")}
    assert rows["00123"] == (service, "grant", "2025-04-01", "2027-03-31", 12500.5, 25001, 12.5, 1, supplier,
                             '=HYPERLINK("http://evil.example","x")', 1, None)
    assert rows["RT-2"] == (other, None, None, None, 1000, None, None, 0, "Brand New Supplier Ltd", None, 0,
                            "2026-01-31")
    assert rows["RT-3"] == ("A service the partner added", None, None, None, None, None, None, 0, None, "Plain", 0,
                            None)
    code, again = run_json(capsys, "import", demo_path, out, "--kind", "contracts")
    assert code == 0 and (again["added"], again["changed"], again["unchanged"]) == (0, 0, 3), again


def test_indicator_values_and_returns_round_trip(demo_path, capsys, tmp_path):
    """Indicator values (indicator and area chosen by name, the period as a label, a
    value and its limits) and a pooled budget's quarterly return (agreement by title,
    financial year 2025-26, quarter 2, money): each imports into exactly the fields
    typed, with no mapping."""
    (indicator,) = query(demo_path, "SELECT name FROM indicators ORDER BY name LIMIT 1")[0]
    (area,) = query(demo_path, "SELECT name FROM areas WHERE kind = 'local_authority' ORDER BY name LIMIT 1")[0]
    (agreement,) = query(demo_path, "SELECT title FROM agreements ORDER BY title LIMIT 1")[0]
    iv = tmp_path / "iv.xlsx"
    assert main(["template", "--kind", "indicator_values", "--from", str(demo_path), "--out", str(iv)]) == 0
    fill(iv, "Indicator values", [
        {"Indicator *": indicator, "Area *": area, "Period *": "2030-31", "Value": 61.25, "Lower 95% CI": 58.5,
         "Upper 95% CI": 64, "Sex": "Female"},
        {"Indicator *": indicator, "Area *": area, "Period *": "2030-31 Q2", "Value": 7},
    ])
    ret = tmp_path / "returns.xlsx"
    assert main(["template", "--kind", "returns", "--from", str(demo_path), "--out", str(ret)]) == 0
    capsys.readouterr()
    fill(ret, "Returns", [{"Agreement *": agreement, "Financial year *": "2030-31", "Quarter *": 2,
                           "Budget *": 250000, "Spend to date *": 118000.75, "Forecast outturn *": 249000,
                           "Submitted": datetime(2030, 10, 20)}])
    code, result = run_json(capsys, "import", demo_path, iv, "--kind", "indicator_values")
    assert code == 0 and result["added"] == 2 and not result["problems"], result
    got = query(demo_path, "SELECT v.period, v.value, v.lower_ci, v.upper_ci, v.sex FROM indicator_values v "
                           "JOIN indicators i ON i.id = v.indicator_id JOIN areas a ON a.id = v.area_id "
                           "WHERE i.name = ? AND a.name = ? AND v.period LIKE 'F_2030%' ORDER BY v.period",
                indicator, area)
    assert got == [("FQ2030-2", 7, None, None, None), ("FY2030", 61.25, 58.5, 64, "Female")]
    code, result = run_json(capsys, "import", demo_path, ret, "--kind", "returns")
    assert code == 0 and result["added"] == 1 and not result["problems"], result
    got = query(demo_path, "SELECT r.financial_year, r.quarter, r.budget, r.spend_to_date, r.forecast_outturn, "
                           "r.submitted_on FROM returns r JOIN agreements a ON a.id = r.agreement_id "
                           "WHERE a.title = ? AND r.financial_year = 2030", agreement)
    assert got == [(2030, 2, 250000, 118000.75, 249000, "2030-10-20")]


def test_a_bad_cell_is_named_by_row_column_and_heading_and_nothing_is_imported(demo_path, capsys, tmp_path):
    """A date typed as words in row 4 (rows 2 and 3 good, a blank row between them
    skipped): the import refuses, naming row 4, the column's letter and heading; the
    document is unchanged."""
    out = tmp_path / "return.xlsx"
    write_template("contracts", out, today=date(2026, 3, 15))
    (service,) = query(demo_path, "SELECT name FROM services ORDER BY name LIMIT 1")[0]
    fill(out, "Contracts", [{"Service *": service, "Contract reference": "OK-1"}])
    fill(out, "Contracts", [{"Service *": service, "Contract reference": "BAD-1", "Start": "next spring"}], start=4)
    before = query(demo_path, "SELECT count(*) FROM contracts")
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "contracts")
    assert code == 1
    problems = result["problems"]
    assert problems and problems[0]["row"] == 4 and problems[0]["column"] == "E" and problems[0]["header"] == "Start"
    assert query(demo_path, "SELECT count(*) FROM contracts") == before


def test_read_template_finds_columns_by_heading_and_says_what_it_ignores(tmp_path):
    """A partner unprotected the sheet, swapped two columns and added one of their own:
    the preset mapping follows the headings, the extra column maps to nothing and a note
    says so; blank rows are skipped and rows keep their Excel numbers."""
    out = tmp_path / "t.xlsx"
    write_template("organisations", out)
    book = openpyxl.load_workbook(out)
    sheet = book["Organisations"]
    a, b = sheet["A1"].value, sheet["B1"].value
    sheet["A1"], sheet["B1"] = b, a
    sheet.cell(row=1, column=sheet.max_column + 1, value="Our notes")
    sheet["A2"], sheet["B2"] = "Voluntary or community organisation", "Harbour Lights"
    sheet["B5"] = "Second Org"
    book.save(out)
    table = read_template(out)
    assert table.format == "template" and table.sheet == "Organisations"
    assert table.preset.kind == "organisations"
    assert table.preset.columns["Name *"] == "name" and table.preset.columns["Kind"] == "kind"
    assert table.preset.columns["Our notes"] is None
    assert any("Our notes" in note and "not imported" in note for note in table.notes)
    rows = list(table.rows())
    assert [r.number for r in rows] == [2, 5]
    assert rows[0].values[table.headers.index("Name *")] == "Harbour Lights"
    assert list(table.rows())[1].values[table.headers.index("Name *")] == "Second Org"  # re-iterable


def test_a_heading_the_partner_changed_is_read_at_its_own_letter(tmp_path):
    """A partner changed the heading "Website" to "Web site (URL)": the column at the
    template's letter for Website is still read as Website, and a note says so; a
    required heading whose * was taken off is found by its words."""
    out = tmp_path / "t.xlsx"
    write_template("organisations", out)
    book = openpyxl.load_workbook(out)
    sheet = book["Organisations"]
    website = next(c for c in sheet[1] if c.value == "Website")
    website.value = "Web site (URL)"
    sheet["A1"] = "Name"
    sheet["A2"], sheet.cell(row=2, column=website.column).value = "Harbour Lights", "https://example.org"
    book.save(out)
    table = read_template(out)
    assert table.preset.columns["Web site (URL)"] == "website" and table.preset.columns["Name"] == "name"
    assert any("'Web site (URL)'" in n and "read as 'Website'" in n for n in table.notes)
    (row,) = list(table.rows())
    assert row.values[table.headers.index("Web site (URL)")] == "https://example.org"


def test_read_template_refusals_and_files_that_are_not_templates(tmp_path):
    """None for a plain workbook; TemplateError (exit 1) for a template of another kind
    than the one imported, one from a newer cypdesk, and one whose hidden sheet names a
    field this version does not know."""
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    assert read_template(plain) is None
    out = tmp_path / "t.xlsx"
    write_template("services", out)
    with pytest.raises(TemplateError, match="template for services, not contracts") as info:
        read_template(out, kind="contracts")
    assert info.value.exit_code == 1 and "t.xlsx" in info.value.message
    assert read_template(out, kind="services") is not None

    def edited(name, change):
        path = tmp_path / name
        book = openpyxl.load_workbook(out)
        change(book[META_SHEET])
        book.save(path)
        return path

    newer = edited("newer.xlsx", lambda s: s.cell(row=3, column=2, value=99))
    with pytest.raises(TemplateError, match="newer version of cypdesk"):
        read_template(newer)
    unknown = edited("unknown.xlsx", lambda s: s.cell(row=10, column=3, value="no_such_field"))
    with pytest.raises(TemplateError, match="no_such_field"):
        read_template(unknown)
    foreign = edited("foreign.xlsx", lambda s: s.cell(row=1, column=1, value="something else"))
    with pytest.raises(TemplateError, match="not written by cypdesk"):
        read_template(foreign)


def test_a_template_imported_as_another_kind_is_refused_in_plain_words(demo_path, capsys, tmp_path):
    """An organisations template imported with --kind services: refused (exit 1) saying it
    is a return template for organisations, and the document is unchanged."""
    out = tmp_path / "orgs.xlsx"
    write_template("organisations", out)
    fill(out, "Organisations", [{"Name *": "Some Org"}])
    before = query(demo_path, "SELECT count(*) FROM organisations"), query(demo_path, "SELECT count(*) FROM services")
    code, result = run_json(capsys, "import", demo_path, out, "--kind", "services")
    assert code == 1 and result["error"]["code"] == "bad_template", result
    assert "return template for organisations, not services" in result["error"]["message"]
    assert (query(demo_path, "SELECT count(*) FROM organisations"),
            query(demo_path, "SELECT count(*) FROM services")) == before
