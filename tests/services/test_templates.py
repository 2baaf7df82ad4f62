"""Return templates (issue 9 item 13): what :func:`write_template` writes, read back with
openpyxl: the window's headings with required ones marked, drop-downs from the document's
lists, number and date validation with input messages, a protected heading row over
unlocked data rows, a frozen header, an instructions sheet and the very hidden
``cypdesk`` sheet naming the kind and the field behind each column."""

from __future__ import annotations

import sqlite3
import zipfile
from contextlib import closing
from datetime import date

import openpyxl
import pytest

from cypdesk.common.errors import UsageError
from cypdesk.io.workbook import open_workbook
from cypdesk.model.catalog import CATALOG
from cypdesk.services.templates import (
    META_SHEET, TEMPLATE_VERSION, is_template, template_columns, template_kinds, write_template,
)

TODAY = date(2026, 3, 15)


def validations(sheet) -> dict[str, object]:
    """Each validation by the first column letter it covers."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        first = str(dv.sqref).split(":")[0]
        out["".join(ch for ch in first if ch.isalpha())] = dv
    return out


def list_values(book, dv) -> list[str]:
    """The values a list validation offers (through its named range)."""
    name = dv.formula1
    ref = book.defined_names[name].attr_text
    sheet_name, cells = ref.rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    return [c.value for row in sheet[cells.replace("$", "")] for c in row]


def columns_by_label(sheet) -> dict[str, str]:
    return {c.value: c.column_letter for c in sheet[1] if c.value}


@pytest.mark.parametrize("kind", ["contracts", "services", "indicator_values", "returns", "organisations",
                                  "measurements", "people"])
def test_each_kind_has_its_fields_headings_validations_protection_and_hidden_sheet(kind, tmp_path):
    """For several kinds: the data sheet is named for the kind and holds one column per
    field the window's form shows, headed by its label (required ones ending " *"); every
    column has a validation with an input message over all the data rows; the heading row
    is locked and the sheet protected without a password while the data rows are
    unlocked; the header is frozen; the very hidden 'cypdesk' sheet names the kind, the
    template version and each column's field; the workbook reads through the importer's
    safe reader."""
    out = write_template(kind, tmp_path / f"{kind}.xlsx", today=TODAY)
    book = openpyxl.load_workbook(out)
    title = kind.replace("_", " ").capitalize()
    assert book.sheetnames[:2] == ["Instructions", title]
    sheet = book[title]
    fields = [f for f in CATALOG[kind]["fields"] if not f.get("system")]
    headings = [c.value for c in sheet[1]]
    assert headings == [f["label"] + (" *" if f.get("required") and f["kind"] != "bool" else "") for f in fields]
    assert sheet.freeze_panes == "A2"
    assert sheet.protection.sheet is True and not sheet.protection.password
    assert sheet.protection.insertRows is False and sheet.protection.deleteRows is False  # allowed
    dvs = validations(sheet)
    for cell in sheet[1]:
        letter = cell.column_letter
        assert cell.protection.locked is True
        assert sheet.column_dimensions[letter].protection.locked is False, letter
        assert sheet.column_dimensions[letter].width >= 6
        dv = dvs[letter]
        assert str(dv.sqref) == f"{letter}2:{letter}1048576"
        assert dv.showInputMessage and dv.prompt and len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
    meta = book[META_SHEET]
    assert meta.sheet_state == "veryHidden" and book["cypdesk lists"].sheet_state == "veryHidden"
    facts = {r[0]: r[1] for r in meta.iter_rows(max_row=7, values_only=True)}
    assert facts["kind"] == kind and facts["version"] == TEMPLATE_VERSION and facts["sheet"] == title
    rows = list(meta.iter_rows(min_row=10, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [(c.column_letter, c.value, f["name"])
                                                  for c, f in zip(sheet[1], fields)]
    assert book.security.lockStructure
    assert book.active.title == "Instructions"
    with open_workbook(out) as again:  # the importer's own reader accepts it
        assert title in again.sheet_names
    assert is_template(out)


def test_contracts_validations_by_kind_of_field(tmp_path):
    """Contracts without a document: choices (procurement route) and yes/no are closed
    drop-downs of the labels; dates are date validations formatted dd/mm/yyyy; money is a
    decimal formatted £#,##0.00; the percentage is a decimal from 0 to 100; identifiers
    (contract reference) are Text so leading zeros stay; a reference (Service) has no
    list without a document, only its input message."""
    book = openpyxl.load_workbook(write_template("contracts", tmp_path / "c.xlsx", today=TODAY))
    sheet = book["Contracts"]
    col = columns_by_label(sheet)
    dvs = validations(sheet)
    route = dvs[col["Procurement route"]]
    assert route.type == "list" and route.errorStyle == "stop"
    assert list_values(book, route) == [label for _v, label in
                                        next(f for f in CATALOG["contracts"]["fields"] if f["name"] == "route")["choices"]]
    risk = dvs[col["Risk assessed"]]
    assert risk.type == "list" and list_values(book, risk) == ["Yes", "No"]
    start = dvs[col["Start"]]
    assert start.type == "date" and start.showErrorMessage and "31/03/2026" in start.prompt
    assert sheet.column_dimensions[col["Start"]].number_format == "dd/mm/yyyy"
    value = dvs[col["Annual value"]]
    assert value.type == "decimal" and sheet.column_dimensions[col["Annual value"]].number_format == "£#,##0.00"
    social = dvs[col["Social value weighting"]]
    assert social.type == "decimal" and (social.formula1, social.formula2) == ("0", "100")
    assert sheet.column_dimensions[col["Contract reference"]].number_format == "@"
    service = dvs[col["Service *"]]
    assert service.type is None and "service" in service.prompt.lower()
    assert service.prompt.startswith("Must be filled in.")


def test_a_documents_lists_fill_the_drop_downs(ws, tmp_path):
    """Given a document: a reference column offers the referenced records' titles from
    that document (services by name, organisations by name), as a warning (a new name is
    allowed and said), and the instructions say who to send the return back to."""
    out = write_template("contracts", tmp_path / "c.xlsx", ws=ws, today=TODAY)
    with closing(sqlite3.connect(ws.doc.working_path)) as conn:
        services = sorted((r[0] for r in conn.execute("SELECT name FROM services")), key=str.casefold)
        orgs = sorted({r[0] for r in conn.execute("SELECT name FROM organisations")}, key=str.casefold)
        trust = conn.execute("SELECT coalesce(trust_name, title) FROM document").fetchone()[0]
    book = openpyxl.load_workbook(out)
    sheet = book["Contracts"]
    col = columns_by_label(sheet)
    dvs = validations(sheet)
    service = dvs[col["Service *"]]
    assert service.type == "list" and service.errorStyle == "warning"
    assert list_values(book, service) == sorted(set(services), key=str.casefold)
    assert list_values(book, dvs[col["Supplier"]]) == orgs
    text = "\n".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert trust and f"send it back to {trust}." in text


def test_financial_years_and_periods_are_offered_around_today_and_from_the_document(ws, tmp_path):
    """Returns' financial year: the years around today (2022-23 to 2026-27 for
    15/03/2026) and any the document holds; indicator values' period: the periods the
    document holds, as labels, with recent financial years."""
    book = openpyxl.load_workbook(write_template("returns", tmp_path / "r.xlsx", ws=ws, today=TODAY))
    sheet = book["Returns"]
    years = list_values(book, validations(sheet)[columns_by_label(sheet)["Financial year *"]])
    assert {"2022-23", "2023-24", "2024-25", "2025-26", "2026-27"} <= set(years)
    assert years == sorted(years)
    book = openpyxl.load_workbook(write_template("indicator_values", tmp_path / "iv.xlsx", ws=ws, today=TODAY))
    sheet = book["Indicator values"]
    periods = list_values(book, validations(sheet)[columns_by_label(sheet)["Period *"]])
    from cypdesk.common.periods import Period

    with closing(sqlite3.connect(ws.doc.working_path)) as conn:
        held = {Period.from_key(r[0]).label() for r in conn.execute("SELECT DISTINCT period FROM indicator_values")}
    assert held and held <= set(periods) and "2025-26" in periods


def test_text_from_the_document_is_never_a_formula(ws, tmp_path):
    """An organisation named like a formula goes into the drop-down's list as text: the
    workbook has no formula cell anywhere (anchor 55)."""
    from cypdesk.services import records

    records.create(ws, "organisations", {"name": '=HYPERLINK("http://evil.example","x")'})
    out = write_template("contracts", tmp_path / "c.xlsx", ws=ws, today=TODAY)
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    book = openpyxl.load_workbook(out)
    values = [c.value for row in book["cypdesk lists"].iter_rows() for c in row]
    assert '=HYPERLINK("http://evil.example","x")' in values


def test_refusals_unknown_kind_and_not_xlsx(tmp_path):
    with pytest.raises(UsageError, match="no kind called 'nonsense'"):
        write_template("nonsense", tmp_path / "x.xlsx")
    with pytest.raises(UsageError, match="name it .xlsx"):
        write_template("contracts", tmp_path / "x.csv")
    with pytest.raises(UsageError):
        template_columns("import_records")
    assert not (tmp_path / "x.xlsx").exists() and not list(tmp_path.iterdir())


def test_every_kind_can_be_written(tmp_path):
    """No kind trips the writer (every field kind has a format and a validation)."""
    for kind in template_kinds():
        write_template(kind, tmp_path / f"{kind}.xlsx", today=TODAY)
    assert len(list(tmp_path.glob("*.xlsx"))) == len(template_kinds())


def test_is_template_says_no_to_other_files(tmp_path):
    """Plain workbooks, CSVs, junk and a zip without a workbook are not templates."""
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "cypdesk data"
    book.save(plain)
    (tmp_path / "a.csv").write_text("a,b\n1,2\n")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not really")
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as z:
        z.writestr("hello.txt", "hi")
    for name in ("plain.xlsx", "a.csv", "junk.xlsx", "z.xlsx", "missing.xlsx"):
        assert not is_template(tmp_path / name), name


def test_an_older_document_without_a_table_still_gives_a_template(demo_path, tmp_path):
    """A document lacking the referenced table (as an older schema might): the drop-down
    for that reference is left out instead of the template failing."""
    with closing(sqlite3.connect(demo_path)) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("ALTER TABLE agreements RENAME TO agreements_gone")
        conn.commit()
    with closing(sqlite3.connect(demo_path)) as conn:
        out = write_template("returns", tmp_path / "r.xlsx", ws=conn, today=TODAY)
    book = openpyxl.load_workbook(out)
    assert "cypdesk_agreement_id" not in book.defined_names
    assert "cypdesk_financial_year" in book.defined_names
