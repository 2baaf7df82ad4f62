"""The import use case (cypdesk.services.importing): an import is an edit like any other
(history, field versions, one transaction, undo), natural keys make re-imports update,
references are found or created once, and every problem is listed with its place."""

from __future__ import annotations

import json

import pytest

from cypdesk.services import records
from cypdesk.services.importing import (
    Cancelled, ImportOptions, ImportRefused, Mapping, guess_mapping, open_source, plan_import, remembered_mapping,
    run_import, undo_import,
)

ORGS = ("Name,Kind,Website,Charity number\n"
        "Harbour Lights Youth Trust,voluntary,https://harbour.example,1190001\n"
        "Northgate Care Ltd,private,,\n"
        "Kestrel Family Support,voluntary,https://kestrel.example,\n")


def _org(db, name):
    return db.rows("SELECT id, website, kind FROM organisations WHERE name = ?", name)[0]


def test_a_change_imported_shows_in_history_and_field_versions_like_a_typed_one(importer, db, ws):
    """A corrected file changes one field: records.history shows it as an update of that
    field by the same author, with old and new values, exactly as a typed change is
    shown; its field version carries the update's clock; the records it added have one
    history line naming the import."""
    importer("orgs.csv", ORGS, "organisations")
    org_id = _org(db, "Kestrel Family Support")[0]
    result = importer("orgs.csv", ORGS.replace("https://kestrel.example", "https://kestrel.example/new"),
                      "organisations")
    assert (result.added, result.changed, result.unchanged) == (0, 1, 2)
    imported = records.history(ws, "organisations", org_id)[-1]
    assert (imported["op"], imported["field"]) == ("update", "website")
    assert (json.loads(imported["old"]), json.loads(imported["new"])) == ("https://kestrel.example",
                                                                          "https://kestrel.example/new")
    assert imported["author"] == ws.author.name
    assert db.one("SELECT hlc FROM field_versions WHERE table_name = 'organisations' AND record_id = ? "
                  "AND field = 'website'", org_id) == imported["hlc"]
    records.update(ws, "organisations", org_id, {"website": "https://kestrel.example/typed"})
    typed = records.history(ws, "organisations", org_id)[-1]
    assert set(typed) == set(imported) and (typed["op"], typed["field"]) == ("update", "website")
    notes = [n for (n,) in db.rows("SELECT note FROM history WHERE op = 'bulk_insert' AND table_name = 'organisations' "
                                   "AND note LIKE '%orgs.csv%'")]
    assert notes == ["3 rows: imported from orgs.csv"]
    assert db.one("SELECT note FROM history WHERE op = 'update' AND record_id = ? AND field = 'website' "
                  "ORDER BY hlc LIMIT 1", org_id) == "imported from orgs.csv"


def test_a_corrected_file_reports_exactly_what_changed(importer, db):
    """One field corrected and one row added: 1 added, 1 changed (naming the record, the
    field, the old and the new value), 2 unchanged; the import record keeps the counts."""
    importer("orgs.csv", ORGS, "organisations")
    corrected = ORGS.replace("Northgate Care Ltd,private", "Northgate Care Ltd,social enterprise") + \
        "Willow Tree Nurseries,private,,\n"
    result = importer("orgs.csv", corrected, "organisations")
    assert (result.added, result.changed, result.unchanged, result.rejected) == (1, 1, 2, 0)
    assert [(c["title"], c["field"], c["old"], c["new"]) for c in result.changes] == [
        ("Northgate Care Ltd", "kind", "private", "social_enterprise")]
    assert db.rows("SELECT rows_read, rows_added, rows_updated, rows_unchanged, rows_rejected, source_name, kind "
                   "FROM import_records WHERE id = ?", result.import_id) == [(4, 1, 1, 2, 0, "orgs.csv",
                                                                              "organisations")]


def test_near_duplicate_headings_are_refused_naming_their_letters_and_text(importer, db):
    """Case 52: 'Name', 'Name ' and ' name' are one heading written three ways: refused
    with a message naming columns A, B and C and their text (as read: spaces around a
    heading are trimmed); nothing is written, even with skip_invalid."""
    before = db.count("organisations")
    with pytest.raises(ImportRefused) as caught:
        importer("dup.csv", "Name,Name , name,Kind\nA,B,C,private\n", "organisations", skip_invalid=True)
    message = caught.value.message
    assert "columns A ('Name') and B ('Name') and C ('name') have the same heading" in message
    assert caught.value.result.problems[0].column == "A, B, C"
    assert db.count("organisations") == before


def test_a_missing_required_column_is_refused_listing_the_headings_by_letter(importer):
    """Case 52: no column for an organisation's Name: refused, naming the field and the
    file's headings with their letters."""
    with pytest.raises(ImportRefused) as caught:
        importer("noname.csv", "Kind,Website\nprivate,https://x.example\n", "organisations")
    assert "no column for Name" in caught.value.message
    assert "A 'Kind', B 'Website'" in caught.value.message


def test_an_extra_column_is_imported_around_and_listed_as_ignored(importer):
    """Case 52: a column no field matches is not an error: listed as ignored by letter."""
    result = importer("extra.csv", "Name,Colour\nWillow Tree Nurseries,green\n", "organisations")
    assert result.added == 1
    assert "Columns ignored (no field chosen for them): B (Colour)." in result.notes


def test_every_problem_is_listed_with_file_row_column_value_and_reason_and_nothing_is_written(importer, db):
    """Case 54 in the use case: 10,000 payments, one bad amount at data row 9,999 (line
    10,000 of the CSV): refused, the one problem listed exactly, no payment written."""
    lines = ["Date,Supplier,Amount,Description"]
    lines += [f"01/05/2025,Supplier {i % 50},{i}.25,Item {i}" for i in range(1, 10_001)]
    lines[9_999] = "01/05/2025,Supplier 49,twelve pounds,Item 9999"
    before = db.count("payments"), db.count("import_records")
    with pytest.raises(ImportRefused) as caught:
        importer("spend.csv", "\n".join(lines) + "\n", "payments")
    problems = caught.value.result.problems
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.sheet, p.row, p.column, p.header, p.value) == ("spend.csv", None, 10_000, "C", "Amount",
                                                                     "twelve pounds")
    assert p.where() == "spend.csv, row 10000, column C (Amount)"
    assert "spend.csv, row 10000, column C (Amount)" in caught.value.message
    assert (db.count("payments"), db.count("import_records")) == before


def test_skip_invalid_imports_the_valid_rows_and_lists_the_rest(importer, db):
    """With skip_invalid, the rows without problems go in; the rejected ones are counted
    and listed with their reason."""
    text = "Name,Kind,ONS GSS code\nWillow Tree Nurseries,private,\nBad Code Council,local authority,E0600023\n"
    result = importer("orgs.csv", text, "organisations", skip_invalid=True)
    assert (result.added, result.rejected) == (1, 1)
    assert result.problems[0].row == 3 and result.problems[0].column == "C"
    assert "is not an ONS GSS code" in result.problems[0].reason
    assert db.one("SELECT count(*) FROM organisations WHERE name = 'Bad Code Council'") == 0


def test_a_company_number_excel_stored_as_a_number_gets_its_leading_zero_back(importer, db):
    """A Companies House number written without its leading zero (Excel dropped it) is
    kept as the 8 characters Companies House writes."""
    importer("orgs.csv", "Name,Company number\nWillow Tree Nurseries,1234567\n", "organisations")
    assert db.one("SELECT company_number FROM organisations WHERE name = 'Willow Tree Nurseries'") == "01234567"


def test_suppressed_values_are_kept_as_suppressed_never_zero(importer, db):
    """A suppression marker in an indicator value's Value is stored as suppressed with
    its marker and no value, not as 0."""
    text = ("Indicator name,Area code,Area name,Time period,Value\n"
            "Test indicator,E92000001,England,2023/24,c\nTest indicator,E92000001,England,2022/23,12.5\n")
    result = importer("iv.csv", text, "indicator_values")
    assert result.added == 2 and result.created == {"indicators": ["Test indicator"]}
    assert db.rows("SELECT v.period, v.value, v.suppressed FROM indicator_values v JOIN indicators i "
                   "ON i.id = v.indicator_id WHERE i.name = 'Test indicator' ORDER BY v.period") == [
        ("FY2022", 12.5, None), ("FY2023", None, "c")]


def test_an_organisation_named_three_ways_is_created_once_and_its_services_marked_to_classify(importer, db):
    """A contract register naming a new supplier as 'Acme Widgets Ltd', 'ACME WIDGETS
    LIMITED' and 'The Acme Widgets' creates one organisation (names matched by
    cypdesk.common.names), listed once; the services made for the contracts (from their
    titles, the supplier as provider) are marked 'to classify' and listed."""
    text = ("Contract reference,Title,Supplier name,Start date,Contract value\n"
            "AW-1,Widget maintenance,Acme Widgets Ltd,01/04/2025,1000\n"
            "AW-2,Widget maintenance,ACME WIDGETS LIMITED,01/04/2026,2000\n"
            "AW-3,Gadget repairs,The Acme Widgets,01/04/2025,500\n")
    orgs = db.count("organisations")
    result = importer("register.csv", text, "contracts")
    assert result.added == 3
    assert result.created == {"organisations": ["Acme Widgets Ltd"], "services": ["Widget maintenance",
                                                                                 "Gadget repairs"]}
    assert db.count("organisations") == orgs + 1
    assert db.rows("SELECT s.name, s.to_classify, o.name FROM services s JOIN organisations o ON o.id = s.provider_id "
                   "WHERE s.name IN ('Widget maintenance', 'Gadget repairs') ORDER BY s.name") == [
        ("Gadget repairs", 1, "Acme Widgets Ltd"), ("Widget maintenance", 1, "Acme Widgets Ltd")]
    again = importer("register.csv", text, "contracts")
    assert (again.added, again.changed, again.unchanged, again.created) == (0, 0, 3, {})


def test_where_keeps_only_the_matching_rows_ignoring_case_and_spaces(importer, db):
    """--where Directorate=children keeps ' CHILDREN ' and 'Children', leaves out the rest."""
    text = ("Contract reference,Title,Supplier name,Directorate\n"
            "W-1,Family support,Acme Widgets Ltd, CHILDREN \nW-2,Road gritting,Salt Co,Highways\n"
            "W-3,Youth work,Acme Widgets Ltd,Children\n")
    result = importer("register.csv", text, "contracts", where=[("directorate", "children")])
    assert result.added == 2
    assert any(n.startswith("1 row(s) left out by the row filter (") for n in result.notes)
    assert db.one("SELECT count(*) FROM contracts WHERE reference = 'W-2'") == 0


def test_a_dry_run_and_a_plan_write_nothing(importer, db, ws):
    """plan_import and dry_run report the counts and write nothing, not even the import record."""
    records_before = db.count("import_records")
    result = importer("orgs.csv", ORGS, "organisations", dry_run=True)
    assert result.added == 3 and result.import_id is None
    preview = plan_import(ws, open_source(importer.path("orgs.csv"), kind="organisations"),
                          ImportOptions(kind="organisations"))
    assert preview.added == 3
    assert db.one("SELECT count(*) FROM organisations WHERE name = 'Northgate Care Ltd'") == 0
    assert db.count("import_records") == records_before


def _state(db):
    return {t: db.rows(f"SELECT * FROM {t} ORDER BY 1") for t in
            ("organisations", "services", "contracts", "import_records", "field_versions")}


def test_cancel_while_reading_leaves_nothing(importer, db):
    """A cancel flag that is True from the start (polled every 500 rows while reading):
    Cancelled, and the document is as it was."""
    lines = "Name\n" + "".join(f"Organisation {i}\n" for i in range(1200))
    before = _state(db)
    with pytest.raises(Cancelled):
        importer("many.csv", lines, "organisations", cancelled=lambda: True)
    assert _state(db) == before


def test_cancel_while_writing_rolls_the_transaction_back(importer, db):
    """A cancel flag that turns True at its first check after the rows were read (the
    writing stage: fixture counts the checks): Cancelled, and nothing of the import
    is left, not even the organisations written before the check."""
    text = ("Contract reference,Title,Supplier name\n"
            + "".join(f"CX-{i},Service {i},New Supplier {i}\n" for i in range(600)))
    checks = []

    def cancelled():
        checks.append(1)
        return len(checks) > 3  # 1 while reading (row 500); then the writing stage's checks

    before = _state(db)
    with pytest.raises(Cancelled):
        importer("register.csv", text, "contracts", cancelled=cancelled)
    assert len(checks) == 4
    assert _state(db) == before


def test_undo_takes_the_whole_import_back(importer, db, ws):
    """undo_import deletes what the import added (with tombstones and history) and puts
    back the fields it changed, as one step; the import record goes too."""
    importer("orgs.csv", ORGS, "organisations")
    before = db.rows("SELECT id, name, kind, website FROM organisations ORDER BY id")
    result = importer("orgs.csv", ORGS.replace("Northgate Care Ltd,private", "Northgate Care Ltd,social enterprise")
                      + "Willow Tree Nurseries,private,,\n", "organisations")
    added = db.one("SELECT id FROM organisations WHERE name = 'Willow Tree Nurseries'")
    undo_import(ws, result.undo)
    assert db.rows("SELECT id, name, kind, website FROM organisations ORDER BY id") == before
    assert db.one("SELECT count(*) FROM tombstones WHERE table_name = 'organisations' AND record_id = ?", added) == 1
    assert db.one("SELECT count(*) FROM import_records WHERE id = ?", result.import_id) == 0
    assert db.one("SELECT op FROM history WHERE record_id = ? ORDER BY hlc DESC LIMIT 1", added) == "delete"
    northgate = next(r[0] for r in before if r[1] == "Northgate Care Ltd")
    kinds = [json.loads(h["new"]) for h in records.history(ws, "organisations", northgate) if h["field"] == "kind"]
    assert kinds == ["social_enterprise", "private"]


def test_the_mapping_is_remembered_for_the_same_layout(importer, ws):
    """An import with a chosen mapping ('Org title' is the name) is remembered: the next
    file of the same layout gets it back, with a reason naming that import."""
    mapping = Mapping(kind="organisations", columns={"Org title": "name", "Sort": "kind"})
    importer("first.csv", "Org title,Sort\nWillow Tree Nurseries,private\n", "organisations", mapping=mapping)
    table = open_source(importer.path("first.csv"), kind="organisations")
    remembered = remembered_mapping(ws, table.layout, "organisations")
    guessed = guess_mapping("organisations", table.headers, remembered=remembered)
    assert guessed.columns == {"Org title": "name", "Sort": "kind"}
    assert guessed.reasons["Org title"].startswith("remembered from import of first.csv on ")


def test_the_guess_says_why_for_each_column():
    """Headings are matched by label, synonym and a reference's field, ignoring case,
    spaces, underscores and punctuation; each with its reason; the rest ignored."""
    mapping = guess_mapping("contracts", ["Contract Reference Number", "supplier_name", "TOTAL VALUE (£)", " START ",
                                          "Supplier Registered Company Number", "Colour"])
    assert mapping.columns == {"Contract Reference Number": "reference", "supplier_name": "supplier_id",
                               "TOTAL VALUE (£)": "total_value", " START ": "start_date",
                               "Supplier Registered Company Number": "supplier_id.company_number",
                               "Colour": None}
    assert mapping.reasons["TOTAL VALUE (£)"] == "field name"
    assert mapping.reasons[" START "] == "label 'Start'"
    assert mapping.reasons["Contract Reference Number"] == "synonym 'contract reference number'"
    assert Mapping.from_json(json.loads(json.dumps(mapping.to_json()))).columns == mapping.columns


def test_several_sheets_with_tables_are_refused_listing_them_and_one_is_chosen_by_name(tmp_path, ws):
    """A workbook with two sheets holding tables and no sheet named: a refusal listing
    both; naming one reads that one."""
    import openpyxl

    from cypdesk.services.importing.source import SourceError

    wb = openpyxl.Workbook()
    wb.active.title = "Register"
    wb.active.append(["Name", "Kind"])
    wb.active.append(["Willow Tree Nurseries", "private"])
    other = wb.create_sheet("Archive")
    other.append(["Name", "Kind"])
    other.append(["Old Supplier", "private"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    with pytest.raises(SourceError) as caught:
        open_source(path, kind="organisations")
    assert "'Register', 'Archive'" in caught.value.message and "--sheet" in caught.value.message
    table = open_source(path, kind="organisations", sheet="Archive")
    result = run_import(ws, table, ImportOptions(kind="organisations"))
    assert result.added == 1 and table.sheet == "Archive"


def test_a_pair_of_years_is_an_academic_year_for_an_indicator_counted_in_academic_years(importer, db):
    """'2020/21' reads as a financial year unless the source says otherwise; for an
    indicator whose values are all academic years (a DfE school measure), it is the
    academic year, so re-importing the window's own export matches its values."""
    indicator, area, period = db.rows(
        "SELECT i.name, a.name, v.period FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
        "JOIN areas a ON a.id = v.area_id WHERE v.period = 'AY2020' AND v.group_id IS NULL LIMIT 1")[0]
    value = db.one("SELECT value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
                   "JOIN areas a ON a.id = v.area_id WHERE i.name = ? AND a.name = ? AND v.period = 'AY2020' "
                   "AND v.group_id IS NULL", indicator, area)
    text = f'Indicator,Area,Period,Value\n"{indicator}","{area}",2020/21,{value}\n'
    result = importer("ay.csv", text, "indicator_values")
    assert (result.added, result.unchanged) == (0, 1)


def test_a_reference_is_found_by_identifying_fields_only_and_the_others_fill_what_is_made(importer, db):
    """An area named by code, name and kind: found by its GSS code (or name), never by
    its kind alone (which would take the first region whatever its code); a new one is
    made with the kind filled in."""
    from cypdesk.services.importing import Mapping

    mapping = Mapping(kind="indicator_values", columns={
        "Indicator": "indicator_id.name", "Code": "area_id.gss_code", "Place": "area_id.name",
        "Type": "area_id.kind", "Period": "period", "Value": "value"})
    region = db.one("SELECT name FROM areas WHERE kind = 'region' LIMIT 1")
    text = f"Indicator,Code,Place,Type,Period,Value\nTest indicator,E12000099,New Region,region,2023-24,5\n" \
           f"Test indicator,,{region},region,2023-24,6\n"
    result = importer("iv.csv", text, "indicator_values", mapping=mapping)
    assert result.created == {"indicators": ["Test indicator"], "areas": ["New Region"]}
    assert db.rows("SELECT name, kind, gss_code FROM areas WHERE name = 'New Region'") == [
        ("New Region", "region", "E12000099")]
    assert db.rows("SELECT a.name, v.value FROM indicator_values v JOIN areas a ON a.id = v.area_id "
                   "JOIN indicators i ON i.id = v.indicator_id WHERE i.name = 'Test indicator' ORDER BY v.value") == [
        ("New Region", 5.0), (region, 6.0)]


def test_contracts_without_references_may_repeat_title_supplier_and_start(importer, db):
    """A real register (Norfolk's) lists two transport contracts of one supplier titled
    alike and starting the same day, with no reference: both are added, and importing
    the file again matches each to its own record (all unchanged)."""
    text = ("Title of the Agreement,Supplier name,Contract start date,Contract value\n"
            "NR3 to Silver Rooms,Norse Transport,03/08/2007,\"32,305.48\"\n"
            "NR3 to Silver Rooms,Norse Transport,03/08/2007,\"16,499.56\"\n")
    result = importer("register.csv", text, "contracts")
    assert (result.added, result.rejected) == (2, 0)
    assert sorted(v for (v,) in db.rows("SELECT total_value FROM contracts WHERE title = 'NR3 to Silver Rooms'")) == [
        16_499.56, 32_305.48]
    again = importer("register.csv", text, "contracts")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)


def test_progress_is_reported_while_reading_and_writing(importer):
    """options.progress hears (rows read, None, words) every 500 rows while reading, then
    (done, total, words) while writing, ending at the total."""
    heard = []
    lines = "Name\n" + "".join(f"Organisation {i}\n" for i in range(1200))
    importer("many.csv", lines, "organisations", progress=lambda done, total, text: heard.append((done, total, text)))
    reading = [h for h in heard if h[1] is None]
    writing = [h for h in heard if h[1] is not None]
    assert [h[0] for h in reading] == [500, 1000] and reading[0][2].startswith("Reading row ")
    assert writing and writing[-1][0] == writing[-1][1] == 1200


def test_a_mapping_read_from_json_keeps_the_reasons_it_carries():
    """A format's preset mapping says why each column maps ('Fingertips export'); a
    mapping file without reasons says each was given in the file."""
    preset = Mapping.from_json({"kind": "indicator_values", "columns": {"Value": "value", "Note": None},
                                "reasons": {"Value": "Fingertips export"}})
    assert preset.reasons == {"Value": "Fingertips export", "Note": "given in the mapping file"}
