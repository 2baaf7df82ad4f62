"""The contract, grant, spend and area formats: Transparency Code registers, 360Giving,
OCDS, spend over £500 and ONS lookups, read into rows with their mapping (no import
here: the rows and the preset mapping themselves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cypdesk.services.importing.formats import FormatError, detect
from cypdesk.services.importing.formats.contracts import clean_identifier
from cypdesk.services.importing.formats.ocds import contracts_of

REGISTER = ("Organisation name,Contract Reference number / ID,Title of the Agreement,Contract type,"
            "Directorate / service responsible,Service Category label,Description of goods and services,"
            "Contract start date,End date,Contract value,Irrecoverable VAT,Supplier name,"
            "Supplier registered company number,Supplier registered charity number,SME supplier,VCSE supplier,"
            "Tender process type\n")


def table_of(path: Path, kind: str):
    return detect(path).tables(path, kind)[0]


def as_dicts(table) -> list[dict]:
    return [dict(zip(table.headers, r.values), _row=r.number) for r in table.rows()]


def test_company_and_charity_numbers_in_the_registers_forms():
    """'gb/02165763' is 02165763, a number that lost its leading zero is padded,
    'GB-CHC-1015648' is 1015648; forms that are none (an industrial and provident
    society's IP number, a US EIN, 'None') are left out rather than refused."""
    assert clean_identifier("company_number", "gb/02165763") == "02165763"
    assert clean_identifier("company_number", "2165763") == "02165763"
    assert clean_identifier("company_number", "SC123456") == "SC123456"
    assert clean_identifier("company_number", "IP12345R") is None
    assert clean_identifier("charity_number", "GB-CHC-1015648") == "1015648"
    assert clean_identifier("charity_number", 514479) == "514479"
    assert clean_identifier("charity_number", "13-3458820") is None
    assert clean_identifier("charity_number", "None") is None


def test_register_keeps_its_columns_and_works_out_supplier_service_reference(tmp_path):
    """A Transparency Code register in Windows-1252: its own columns kept (for --where),
    a service from the service column else the title, references used by two different
    contracts numbered, a row repeated exactly left out, company numbers cleaned and the
    bad ones counted in a note, routes from the contract and tender types."""
    path = tmp_path / "register.csv"
    path.write_bytes((REGISTER +
                      "Kent CC,K1,\xa0Short breaks lot 1,Framework agreement,CHILDREN,,Short breaks,01-Apr-2024,"
                      "31/03/2026,1567 ,,Acme Care Ltd,gb/02165763,,,Yes,Other\n"
                      "Kent CC,K1,Short breaks lot 2,Single award contract,CHILDREN,Short breaks,,01/04/2024,,"
                      "2000,,Beta Ltd,IP12345R,,,,Invitation to tender\n"
                      "Kent CC,K1,Short breaks lot 2,Single award contract,CHILDREN,Short breaks,,01/04/2024,,"
                      "2000,,Beta Ltd,IP12345R,,,,Invitation to tender\n"
                      "Kent CC,,Taxi route,,ETD,,,,,\xa3300,,Cabs,,,,,\n").encode("cp1252"))
    table = table_of(path, "contracts")
    assert table.format == "lgtc_contracts"
    rows = as_dicts(table)
    assert [r["_row"] for r in rows] == [2, 3, 5]
    assert table.skipped == [(4, "the same as row 3")]
    first, second, taxi = rows
    assert first["Directorate / service responsible"] == "CHILDREN"  # the register's own column, for --where
    assert (first["Contract reference (cypdesk)"], second["Contract reference (cypdesk)"]) == ("K1", "K1#2")
    assert first["Service (cypdesk)"] == "Short breaks lot 1" and second["Service (cypdesk)"] == "Short breaks"
    assert first["Supplier company number (cypdesk)"] == "02165763"
    assert second["Supplier company number (cypdesk)"] is None
    assert (first["Procurement route (cypdesk)"], second["Procurement route (cypdesk)"]) == ("framework", "tender")
    assert taxi["Contract reference (cypdesk)"] is None and taxi["Contract value"] == "£300"
    assert any("reuse a contract reference" in n and "K1 (row 3) as K1#2" in n for n in table.notes)
    assert any("2 supplier company number(s) are in no form" in n and "IP12345R" in n for n in table.notes)
    cols = table.preset["columns"]
    assert cols["Supplier name"] == "supplier_id.name" and cols["Contract value"] == "total_value"
    assert cols["Contract Reference number / ID"] is None and cols["Contract reference (cypdesk)"] == "reference"
    assert cols["Service (cypdesk)"] == "service_id.name" and cols["VCSE supplier"] == "supplier_is_vcse"
    assert cols["Directorate / service responsible"] is None


def test_360giving_grants_are_contracts_with_route_grant(tmp_path):
    """A 360Giving CSV: the identifier is the reference, route and regime 'grant', the
    start the planned start else the award date, the recipient's charity number in its
    UK form."""
    path = tmp_path / "grants.csv"
    path.write_text("Identifier,Title,Description,Currency,Amount Awarded,Award Date,Planned Dates:Start Date,"
                    "Recipient Org:Identifier,Recipient Org:Name,Recipient Org:Charity Number,"
                    "Recipient Org:Company Number,Funding Org:Identifier,Funding Org:Name\n"
                    "360G-x-1,Grant to Youth Choir,Choir,GBP,2266,2013-01-18,,GB-CHC-1,Youth Choir,1146058,"
                    "07962245,GB-LAE-TRF,Trafford Council\n"
                    "360G-x-2,Grant to Band,Band,GBP,500,2013-01-18,2013-02-01,US-EIN-1,Band,13-3458820,,"
                    "GB-LAE-TRF,Trafford Council\n", encoding="utf-8")
    table = table_of(path, "contracts")
    assert table.format == "360giving" and table.preset["fixed"] == {"regime": "grant"}
    choir, band = as_dicts(table)
    assert (choir["Contract reference (cypdesk)"], choir["Procurement route (cypdesk)"]) == ("360G-x-1", "grant")
    assert choir["Start (cypdesk)"] == "2013-01-18" and band["Start (cypdesk)"] == "2013-02-01"
    assert choir["Supplier charity number (cypdesk)"] == "1146058"
    assert choir["Supplier company number (cypdesk)"] == "07962245"
    assert band["Supplier charity number (cypdesk)"] is None
    cols = table.preset["columns"]
    assert cols["Amount Awarded"] == "total_value" and cols["Recipient Org:Name"] == "supplier_id.name"
    assert cols["Funding Org:Name"] == "contracting_org_id.name" and cols["Start (cypdesk)"] == "start_date"


def _release(ocid: str, date: str, **extra) -> dict:
    return {"ocid": ocid, "id": ocid + date, "date": date, "buyer": {"name": "Redbridge"},
            "tender": {"title": " Nurseries ", "description": "Day care", "procurementMethod": "open",
                       "items": [{"classification": {"scheme": "CPV", "id": "80110000"}}],
                       "value": {"amount": None}}, **extra}


def test_ocds_award_and_tender_only_releases():
    """OCDS: the latest release of each process; an award with a supplier gives the
    supplier, value and contract period; a tender-only release is a contract in
    procurement with no supplier; an award per supplier when a process has several."""
    award = {"id": "A1", "suppliers": [{"name": "Little Stars Ltd"}], "value": {"amount": 120000},
             "contractPeriod": {"startDate": "2015-04-01T00:00:00Z", "endDate": "2018-03-31T00:00:00Z"}}
    rows = contracts_of([_release("ocds-1", "2014-12-17"), _release("ocds-1", "2015-02-01", awards=[award]),
                         _release("ocds-2", "2014-12-17"),
                         _release("ocds-3", "2015-01-01", awards=[award, {**award, "id": "A2",
                                                                           "suppliers": [{"name": "Tots"}]}])])
    by_ref = {r[0]: r for r in rows}
    assert set(by_ref) == {"ocds-1", "ocds-2", "ocds-3/A1", "ocds-3/A2"}
    ref, title, _d, buyer, supplier, cpv, value, start, end, route, service, stage, _m = by_ref["ocds-1"]
    assert (title, buyer, supplier, cpv, value, start, end, route, service, stage) == \
        ("Nurseries", "Redbridge", "Little Stars Ltd", "80110000", 120000, "2015-04-01", "2018-03-31", "tender",
         "Nurseries", "award")
    tender = by_ref["ocds-2"]
    assert (tender[4], tender[6], tender[7], tender[9], tender[11]) == (None, None, None, "tender", "tender")
    assert by_ref["ocds-3/A2"][4] == "Tots"


def test_json_that_is_not_ocds_is_refused_plainly(tmp_path):
    """A JSON file that mentions releases but holds no release list: a plain refusal."""
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"releases": "none", "ocid": "x"}), encoding="utf-8")
    fmt = detect(path)
    assert fmt is not None and fmt.name == "ocds"
    with pytest.raises(FormatError, match="odd.json is JSON but not an OCDS release package"):
        fmt.tables(path, "contracts")


def test_spend_file_under_its_preamble_skips_the_total_and_reads_daggers_as_spaces(tmp_path):
    """A spend-over-£500 file with report lines above the table: the table starts at its
    heading row, the Total line is skipped, '†' (a non-breaking space mangled) reads as
    a space, the supplier's name also feeds the supplier organisation, the Body column
    is the payer."""
    path = tmp_path / "payments.csv"
    path.write_text("Invoices Over Specified Nett Amount,,,,,\n,,,,,\nReport Date:\u2020 02/07/2012,,,,,\n"
                    "Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description\n"
                    "Lambeth,Children,Acme\u2020 Care,08/06/2012,\"1,534.24\",DECORATION\u2020 EXTERNAL\n"
                    "Total,\u2020\u2020\u2020 ,,,\"1,534.24\",\n,,,,,\n", encoding="utf-8")
    table = table_of(path, "payments")
    rows = as_dicts(table)
    assert len(rows) == 1 and rows[0]["_row"] == 5
    assert rows[0]["Supplier Name"] == "Acme Care" and rows[0]["Subj Description"] == "DECORATION EXTERNAL"
    assert rows[0]["Supplier organisation (cypdesk)"] == "Acme Care"
    assert table.skipped == [(6, "total")]
    cols = table.preset["columns"]
    assert (cols["Body"], cols["Department"], cols["Supplier Name"], cols["Invoice Creation Date"],
            cols["Invoice Nett Amount"], cols["Subj Description"]) == \
        ("payer_id.name", "cost_centre", "supplier", "paid_on", "amount", "description")


def test_ons_lookup_areas_once_parents_first_mojibake_mended(tmp_path):
    """An ONS lookup (FID last, county empty for unitaries): each area once, parents
    before the areas within them, a district within its county where it has one else
    its region, kinds from the GSS codes, double-encoded names mended."""
    path = tmp_path / "lookup.csv"
    path.write_text("WD18CD,WD18NM,LAD18CD,LAD18NM,CTY18CD,CTY18NM,GOR10CD,GOR10NM,CTRY18CD,CTRY18NM,FID\n"
                    "E05001736,Brumby,E06000013,North Lincolnshire,,,E12000003,Yorkshire,E92000001,England,1\n"
                    "E05001737,Ashby,E06000013,North Lincolnshire,,,E12000003,Yorkshire,E92000001,England,2\n"
                    "E05004700,Abbey,E07000008,Cambridge,E10000003,Cambridgeshire,E12000006,East,E92000001,"
                    "England,3\n"
                    "S13002608,Ste\u00c3\u00b2rnabhagh a Deas,S12000013,Na h-Eileanan Siar,,,,,S92000003,"
                    "Scotland,4\n", encoding="utf-8")
    table = table_of(path, "areas")
    rows = as_dicts(table)
    codes = [r["Area code"] for r in rows]
    assert len(codes) == len(set(codes)) == 12  # 2 countries, 2 regions, a county, 3 districts, 4 wards
    position = {c: i for i, c in enumerate(codes)}
    for r in rows:
        if r["Within"]:
            assert position[r["Within"]] < position[r["Area code"]]
    by = {r["Area code"]: r for r in rows}
    assert by["E07000008"]["Within"] == "E10000003" and by["E06000013"]["Within"] == "E12000003"
    assert by["E10000003"]["Within"] == "E12000006" and by["E12000006"]["Within"] == "E92000001"
    assert (by["E07000008"]["Area kind"], by["E06000013"]["Area kind"], by["E05004700"]["Area kind"],
            by["E92000001"]["Area kind"]) == ("district", "local_authority", "ward", "england")
    assert by["S13002608"]["Area"] == "Ste\u00f2rnabhagh a Deas" and by["S13002608"]["Within"] == "S12000013"
    assert any("mended" in n for n in table.notes)
    assert table.preset["columns"] == {"Area code": "gss_code", "Area": "name", "Area kind": "kind",
                                       "Within": "parent_id.gss_code", "Level": None}
