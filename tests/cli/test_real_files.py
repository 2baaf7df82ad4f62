"""Every real published file in tests/fixtures/real (see its SOURCES.md) imports into its
kind with ``cypdesk import``; values read back through ``cypdesk export`` equal the
source file's own cells (read here straight from the file, with csv, openpyxl or
python-calamine, not through cypdesk's readers); and importing the same file again
reports every row unchanged (issue 9, item 3 and Tests).

Each test works on a fresh copy of the demo document (``demo_path``), as a trust would:
areas, indicators and organisations the files name are matched or made.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.cli import main

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def cli(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args] + ["--json"])
    out, _err = capsys.readouterr()
    return code, json.loads(out)


def import_file(capsys, doc: Path, name: str, kind: str, *extra) -> dict:
    code, result = cli(capsys, "import", doc, REAL / name, "--kind", kind, *extra)
    assert code == 0, result
    return result


def exported(capsys, doc: Path, table: str, tmp_path: Path) -> list[dict]:
    out = tmp_path / f"{table}.csv"
    code, result = cli(capsys, "export", doc, "--table", table, "--out", out)
    assert code == 0, result
    with open(out, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def reimport_unchanged(capsys, doc: Path, name: str, kind: str, rows: int, *extra) -> None:
    before = sha(doc)
    again = import_file(capsys, doc, name, kind, *extra)
    assert (again["added"], again["changed"], again["unchanged"]) == (0, 0, rows), again
    assert again["created"] == {} or all(not v for v in again["created"].values())
    assert sha(doc) != before  # the import record of the re-import is kept


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_csv(name: str, encoding: str = "utf-8-sig", skip: int = 0) -> list[dict]:
    with open(REAL / name, encoding=encoding, newline="") as fh:
        for _ in range(skip):
            fh.readline()
        return list(csv.DictReader(fh))


def number(text: str | None) -> float | None:
    if text in (None, ""):
        return None
    return float(str(text).replace(",", "").replace("£", "").strip())


def same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def query(doc: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(doc)) as conn:
        return conn.execute(sql, params).fetchall()


def rounded(value) -> float | None:
    return None if value in (None, "") else round(float(value), 6)


# --- indicator values ----------------------------------------------------------------------

def test_fingertips_export_imports_every_value_with_its_limits_counts_note_and_source(demo_path, capsys, tmp_path):
    """The Fingertips bulk export (ragged rows, a quoted newline in every record): 852
    values, each read back equal to the file's Value and 95% limits through cypdesk
    export; counts, denominators, value notes, breakdown and source kept; the file gives
    no extract date, so the day it was saved is recorded; a re-import is all unchanged."""
    name = "fingertips/ohid_fingertips_indicators-CountyUA.data.csv"
    result = import_file(capsys, demo_path, name, "indicator_values")
    assert (result["added"], result["rejected"]) == (852, 0)
    source = source_csv(name)
    assert len(source) == 852
    rows = exported(capsys, demo_path, "indicator_values", tmp_path)
    mine = [r for r in rows if r["Indicator"] == "Campylobacter incidence rate/100,000"]
    assert len(mine) == 852
    # England, a region and a county, persons without a category: one value each per year
    checked = 0
    for src in source:
        if src["Category"] or src["Area Name"] not in ("England", "North East region", "Hartlepool"):
            continue
        out = [r for r in mine if r["Area"] == src["Area Name"] and r["Period"] == src["Time period"]
               and same_number(number(r["Value"]), number(src["Value"]))]
        assert len(out) == 1, (src, out)
        assert same_number(number(out[0]["Lower 95% CI"]), number(src["Lower CI 95.0 limit"]))
        assert same_number(number(out[0]["Upper 95% CI"]), number(src["Upper CI 95.0 limit"]))
        checked += 1
    assert checked >= 3
    hartlepool = next(s for s in source if s["Area Code"] == "E06000001" and s["Time period"] == "2017")
    stored = query(demo_path, "SELECT v.numerator, v.denominator, v.sex, v.age, v.source, v.extracted_on "
                              "FROM indicator_values v JOIN areas a ON a.id = v.area_id "
                              "WHERE a.gss_code = 'E06000001' AND v.period = 'CY2017'")
    assert stored == [(float(hartlepool["Count"]), float(hartlepool["Denominator"]), None, "All ages",
                       "OHID Fingertips", saved_on(REAL / name))]
    notes = query(demo_path, "SELECT count(*) FROM indicator_values WHERE note = 'Value for Hackney and City of "
                             "London combined'")[0][0]
    assert notes == sum(1 for s in source if s["Value note"] == "Value for Hackney and City of London combined") > 0
    categories = query(demo_path, "SELECT count(*) FROM indicator_values WHERE category LIKE "
                                  "'County & UA deprivation deciles%'")[0][0]
    assert categories == sum(1 for s in source if s["Category Type"].startswith("County & UA deprivation")) > 0
    reimport_unchanged(capsys, demo_path, name, "indicator_values", 852)


def saved_on(path: Path) -> str:
    """The day a file was last saved, as the document stores a date."""
    import datetime as dt

    return dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()


def _dfe_period(time_period: str, identifier: str) -> str:
    """How the window labels a DfE period (written out here, independently of cypdesk's
    parser): a reporting year 2024 is the year to 31 March, 2023-24; 201718 "Academic
    year" is 2017/18."""
    if identifier == "Reporting year":
        y = int(time_period)
        return f"{y - 1}-{y % 100:02d}"
    assert identifier == "Academic year"
    return f"{time_period[:4]}/{time_period[4:]}"


def _ees_area(src: dict) -> str:
    return {"National": src["country_name"], "Regional": src["region_name"]}.get(src["geographic_level"],
                                                                                 src["la_name"])


@pytest.mark.parametrize("name, measures, stem", [
    ("children_stats/dfe_ees_cla_number_and_rate_per_10k_children.csv", ["population_estimate", "number",
                                                                          "rate_per_10000"],
     "dfe ees cla number and rate per 10k children"),
    ("children_stats/dfe_ees_la_conviction_health_outcome_cla.csv", ["number", "percentage"],
     "dfe ees la conviction health outcome cla"),
    ("children_stats/dfe_ees_cin_cla_sen_la.csv", None, "dfe ees cin cla sen la"),
])
def test_dfe_explore_education_statistics_file_imports_one_indicator_per_measure(
        demo_path, capsys, tmp_path, name, measures, stem):
    """A DfE tidy CSV: each measure column is an indicator; every figure is read back
    through cypdesk export equal to the file's cell (for its area and period, the
    breakdowns of one area and period compared as a whole); DfE's markers (c, z, k) are
    kept as suppressed, never as zero; National, Regional and LA rows all kept; a
    re-import is all unchanged."""
    source = source_csv(name)
    if measures is None:
        measures = [h for h in source[0] if h.startswith(("t_", "pt_"))]
    result = import_file(capsys, demo_path, name, "indicator_values")
    assert (result["added"], result["rejected"]) == (len(source) * len(measures), 0)
    want = Counter()
    markers = Counter()
    for src in source:
        for m in measures:
            cell = src[m].strip()
            if cell in ("c", "z", "k", "x", ":", "..", "low"):
                markers[cell] += 1
                cell = ""
            want[(f"{stem}: {m}", _ees_area(src), _dfe_period(src["time_period"], src["time_identifier"]),
                  rounded(cell))] += 1
    rows = exported(capsys, demo_path, "indicator_values", tmp_path)
    got = Counter((r["Indicator"], r["Area"], r["Period"], rounded(r["Value"])) for r in rows
                  if r["Indicator"].startswith(stem + ": "))
    assert got == want
    assert {lvl for lvl in (s["geographic_level"] for s in source)} >= {"National", "Regional", "Local authority"}
    stored = Counter(dict(query(demo_path, "SELECT suppressed, count(*) FROM indicator_values WHERE suppressed IS "
                                           "NOT NULL AND source = 'DfE explore education statistics' "
                                           "GROUP BY suppressed")))
    assert stored == markers
    reimport_unchanged(capsys, demo_path, name, "indicator_values", len(source) * len(measures))


def test_dfe_la_tables_workbook_sheet_imports_unpivoted(demo_path, capsys, tmp_path):
    """SFR41 2016 LA tables, sheet LAA1 (title rows, "numbers"/"rates" merged over the
    years, England and regions among the LAs, footnotes below): each year's column is
    a value for its year to 31 March; three cells read back through cypdesk export equal
    the workbook's own cells; a re-import is all unchanged."""
    import openpyxl

    name = "children_stats/dfe_sfr41_2016_cla_la_tables.xlsx"
    result = import_file(capsys, demo_path, name, "indicator_values", "--sheet", "LAA1")
    assert result["rejected"] == 0 and result["added"] > 1500
    ws = openpyxl.load_workbook(REAL / name, read_only=True, data_only=True)["LAA1"]
    from openpyxl.utils import get_column_letter

    cells = {(n, get_column_letter(i + 1)): v for n, r in enumerate(ws.iter_rows(max_row=40, values_only=True), 1)
             for i, v in enumerate(r)}
    rows = exported(capsys, demo_path, "indicator_values", tmp_path)

    def value(indicator: str, area: str, period: str) -> float:
        found = [r for r in rows if r["Indicator"] == indicator and r["Area"] == area and r["Period"] == period]
        assert len(found) == 1, (indicator, area, period, found)
        return number(found[0]["Value"])

    numbers, rates = "LAA1 Children looked after at 31 March: numbers", "LAA1 Children looked after at 31 March: rates"
    assert cells[(8, "D")] == 2012 and cells[(10, "C")] == "England"
    assert value(numbers, "England", "2011-12") == cells[(10, "D")]
    assert cells[(13, "C")] == "Darlington" and cells[(8, "H")] == 2016
    assert value(numbers, "Darlington", "2015-16") == cells[(13, "H")]
    assert value(rates, "Darlington", "2015-16") == cells[(13, "N")]
    assert value(rates, "North East", "2012-13") == cells[(12, "K")]
    reimport_unchanged(capsys, demo_path, name, "indicator_values", result["added"], "--sheet", "LAA1")


def test_dfe_la_tables_workbook_without_sheet_is_refused_naming_its_sheets(demo_path, capsys):
    """The 35-sheet workbook without --sheet: a plain refusal listing the sheets that
    hold tables (exit 1), the document byte-for-byte unchanged."""
    before = sha(demo_path)
    code, result = cli(capsys, "import", demo_path, REAL / "children_stats/dfe_sfr41_2016_cla_la_tables.xlsx",
                       "--kind", "indicator_values")
    assert code == 1
    message = json.dumps(result)
    assert "'LAA1'" in message and "'LAI4'" in message and "--sheet" in message and "'INDEX'" not in message
    assert sha(demo_path) == before


def test_dfe_underlying_data_xls_imports_with_la_numbers_and_suppression(demo_path, capsys, tmp_path):
    """SFR30 2011 OC2 underlying data (legacy .xls, LA numbers stored as 990.0, England
    coded 0, regions 990-998, 'x' in numeric columns): three cells read back through
    cypdesk export equal the file's; 'x' kept as suppressed; a re-import is all
    unchanged."""
    from python_calamine import CalamineWorkbook

    name = "children_stats/dfe_sfr30_2011_oc2_underlying_data.xls"
    result = import_file(capsys, demo_path, name, "indicator_values")
    assert result["rejected"] == 0
    sheet = CalamineWorkbook.from_path(str(REAL / name)).get_sheet_by_name("OC2 Underlying Data").to_python()
    header = sheet[0]
    rows = exported(capsys, demo_path, "indicator_values", tmp_path)
    first = header[2].replace(" at 31 March 2011", "")
    england = next(r for r in sheet if r[1] == "ENGLAND")
    darlington = next(r for r in sheet if str(r[1]).strip().upper() == "DARLINGTON")
    for src, area in ((england, "England"), (darlington, None)):
        found = [r for r in rows if r["Indicator"] == first and r["Period"] == "2010-11"
                 and (area is None or r["Area"] == area) and same_number(number(r["Value"]), src[2])]
        assert len(found) >= 1, (src[:3], area)
    assert query(demo_path, "SELECT count(*) FROM indicator_values v JOIN areas a ON a.id = v.area_id "
                            "WHERE a.la_code = '841' AND v.source = 'DfE local authority tables'")[0][0] > 0
    xs = sum(1 for r in sheet[1:] if r and str(r[0]).strip() not in ("",) for v in r[2:] if v == "x")
    assert query(demo_path, "SELECT count(*) FROM indicator_values WHERE suppressed = 'x' "
                            "AND source = 'DfE local authority tables'")[0][0] == xs > 0
    reimport_unchanged(capsys, demo_path, name, "indicator_values", result["added"])


def test_s52_outturn_imports_as_values_in_pounds_for_the_year_in_its_name(demo_path, capsys, tmp_path):
    """DfE section 52 outturn 2008-09 (no year column: the year is the file's name):
    each line of each LA is an indicator value for 2008-09; every figure of the file is
    read back through cypdesk export equal to its cell; a re-import is all unchanged."""
    name = "spend/dfe_s52_childrens_services_outturn_2008-09.csv"
    source = source_csv(name)
    measures = [h for h in source[0] if h not in ("LEA Number:", "LA Name:", "S52 Line Reference:")]
    result = import_file(capsys, demo_path, name, "indicator_values")
    assert (result["added"], result["rejected"]) == (len(source) * len(measures), 0)
    want = Counter((f"S52 outturn: {s['S52 Line Reference:']}", s["LA Name:"].strip(), "2008-09", rounded(s[m]))
                   for s in source for m in measures)
    rows = exported(capsys, demo_path, "indicator_values", tmp_path)
    got = Counter((r["Indicator"], r["Area"], r["Period"], rounded(r["Value"])) for r in rows
                  if r["Indicator"].startswith("S52 outturn: "))
    assert got == want
    net = query(demo_path, "SELECT count(*) FROM indicator_values WHERE source = 'DfE section 52 outturn' "
                           "AND category IS NULL")[0][0]
    assert net == len(source)  # the net expenditure is the value itself, the other columns its breakdown
    reimport_unchanged(capsys, demo_path, name, "indicator_values", result["added"])


# --- contracts ------------------------------------------------------------------------------

def _by_reference(rows: list[dict]) -> dict[str, dict]:
    return {r["Contract reference"]: r for r in rows if r["Contract reference"]}


def test_transparency_code_register_with_a_negative_value_is_refused_naming_the_cell(demo_path, capsys):
    """Norfolk's register holds a contract value written "(3728)" (a credit): without
    --skip-invalid nothing is imported (exit 1), the problem names the row, the column
    letter and heading and the value, and the document is byte-for-byte unchanged."""
    before = sha(demo_path)
    code, result = cli(capsys, "import", demo_path, REAL / "contracts/norfolk_cc_contracts_register_2015-03.csv",
                       "--kind", "contracts")
    assert code == 1
    problems = result["problems"]
    assert [(p["row"], p["column"], p["header"], p["value"]) for p in problems] == \
        [(252, "U", "Contract value", "(3728)")]  # row 295 of the published register
    assert "at least 0" in problems[0]["reason"]
    assert sha(demo_path) == before


def test_transparency_code_register_imports_contracts_with_the_registers_values(demo_path, capsys, tmp_path):
    """Norfolk's contract register (Windows-1252, mixed date forms in one row, values
    with trailing spaces, 'gb/' company numbers, references used twice, contracts
    without a reference sharing a title, supplier and start): with --skip-invalid every
    row but the negative value is a contract, read back through cypdesk export with the
    register's own value, title (its service) and end date; a re-import is all
    unchanged."""
    name = "contracts/norfolk_cc_contracts_register_2015-03.csv"
    source = source_csv(name, encoding="cp1252")
    result = import_file(capsys, demo_path, name, "contracts", "--skip-invalid")
    assert (result["added"], result["rejected"]) == (len(source) - 1, 1)
    assert [p["row"] for p in result["problems"]] == [252]
    rows = _by_reference(exported(capsys, demo_path, "contracts", tmp_path))
    checked = 0
    for src in source[:40]:
        ref = src["Contract Reference number / ID"]
        if ref not in rows:
            continue
        out = rows[ref]
        assert same_number(number(out["Total value"]), number(src["Contract value"]))
        assert out["Service"] == " ".join(src["Title of the Agreement"].split())
        if src["End date"]:
            assert out["End"] == src["End date"]
        checked += 1
    assert checked >= 3
    twice = Counter(s["Contract Reference number / ID"] for s in source if s["Contract Reference number / ID"])
    reused = [ref for ref, n in twice.items() if n == 2]
    assert reused and all({ref, f"{ref}#2"} <= set(rows) for ref in reused)
    # 'gb/02165763' in the register is Companies House's 02165763 (the demo has an organisation with it)
    assert query(demo_path, "SELECT count(*) FROM organisations WHERE company_number = '02165763'") == [(1,)]
    assert query(demo_path, "SELECT count(*) FROM organisations WHERE company_number LIKE 'gb%'") == [(0,)]
    reimport_unchanged(capsys, demo_path, name, "contracts", result["added"], "--skip-invalid")


def test_transparency_code_register_where_directorate_keeps_the_childrens_rows(demo_path, capsys, tmp_path):
    """--where "Directorate / service responsible=CHILDREN" on the register's own
    heading imports only the children's directorate's contracts."""
    name = "contracts/norfolk_cc_contracts_register_2015-03.csv"
    source = source_csv(name, encoding="cp1252")
    children = [s for s in source if s["Directorate / service responsible"] == "CHILDREN"]
    before = len(exported(capsys, demo_path, "contracts", tmp_path))
    result = import_file(capsys, demo_path, name, "contracts", "--skip-invalid",
                         "--where", "Directorate / service responsible=CHILDREN")
    assert result["added"] + result["unchanged"] + result["rejected"] == len(children) > 100
    rows = exported(capsys, demo_path, "contracts", tmp_path)
    assert len(rows) == before + result["added"]
    refs = {r["Contract reference"] for r in rows}
    others = {s["Contract Reference number / ID"] for s in source if s not in children} - \
        {s["Contract Reference number / ID"] for s in children}
    assert not (refs & others)


@pytest.mark.parametrize("name", ["grants/trafford_council_vcse_grants_360giving.csv",
                                  "grants/andrew_lloyd_webber_foundation_360giving.xlsx"])
def test_360giving_grants_become_contracts_with_route_grant(demo_path, capsys, tmp_path, name):
    """A 360Giving file (csv or xlsx): each grant is a contract with route Grant, its
    reference the grant's identifier, its total value the amount awarded, its start the
    award date, its contracting partner the funder; read back through cypdesk export
    equal to the file's cells; a re-import is all unchanged."""
    if name.endswith(".csv"):
        source = source_csv(name)
    else:
        import openpyxl

        ws = openpyxl.load_workbook(REAL / name, read_only=True, data_only=True).active
        values = list(ws.iter_rows(values_only=True))
        source = [dict(zip(values[0], r)) for r in values[1:] if any(v is not None for v in r)]
    result = import_file(capsys, demo_path, name, "contracts")
    assert (result["added"], result["rejected"]) == (len(source), 0)
    rows = _by_reference(exported(capsys, demo_path, "contracts", tmp_path))
    for src in source[:5]:
        out = rows[src["Identifier"]]
        assert out["Procurement route"] == "Grant"
        assert same_number(number(out["Total value"]), number(src["Amount Awarded"]))
        assert out["Contracting partner"] == src["Funding Org:Name"]
        award = src["Award Date"]
        award = award.strftime("%d/%m/%Y") if hasattr(award, "strftime") else \
            f"{award[8:10]}/{award[5:7]}/{award[:4]}"
        assert out["Start"] == award
    reimport_unchanged(capsys, demo_path, name, "contracts", len(source))


@pytest.mark.parametrize("name", ["contracts/contractsfinder_ocds_nottscc_disabled_children_services.json",
                                  "contracts/contractsfinder_ocds_redbridge_childrens_centre_nurseries.json"])
def test_ocds_tender_release_becomes_a_contract_in_procurement(demo_path, capsys, tmp_path, name):
    """A Contracts Finder OCDS release package with a tender and no award: one contract,
    its reference the ocid, route Tender, the buyer as contracting partner, the tender's
    title as its service, no supplier and no value (the tender gives only a minimum);
    read back through cypdesk export; a re-import is unchanged."""
    data = json.loads((REAL / name).read_text(encoding="utf-8"))
    release = data["releases"][0]
    result = import_file(capsys, demo_path, name, "contracts")
    assert (result["added"], result["rejected"]) == (1, 0)
    out = _by_reference(exported(capsys, demo_path, "contracts", tmp_path))[release["ocid"]]
    assert out["Procurement route"] == "Tender"
    assert out["Contracting partner"] == release["buyer"]["name"]
    assert out["Service"] == release["tender"]["title"].strip()
    assert out["Total value"] == "" and release["tender"]["value"]["amount"] is None
    stored = query(demo_path, "SELECT cpv_code, supplier_id FROM contracts WHERE reference = ?", release["ocid"])
    assert stored == [(release["tender"]["items"][0]["classification"]["id"], None)]
    reimport_unchanged(capsys, demo_path, name, "contracts", 1)


# --- payments and areas ----------------------------------------------------------------------

def test_spend_over_500_file_imports_payments_under_its_preamble(demo_path, capsys, tmp_path):
    """Lambeth's payments over £500 (9 preamble lines, "1,534.24" beside 900, duplicate
    lines, a Total line and "††††" lines at the end): every payment imported, the
    total skipped; supplier, date and amount read back through cypdesk export equal the
    file's; the two identical lines are two payments; a re-import is all unchanged."""
    name = "spend/lambeth_payments_over_500_2012-06.csv"
    source = [s for s in source_csv(name, skip=9) if s["Supplier Name"]]
    result = import_file(capsys, demo_path, name, "payments")
    assert (result["added"], result["rejected"]) == (len(source), 0)
    rows = exported(capsys, demo_path, "payments", tmp_path)
    got = Counter((r["Date"], r["Supplier"], rounded(r["Amount"])) for r in rows if r["Paid by"] == "Lambeth")
    want = Counter((s["Invoice Creation Date"], " ".join(s["Supplier Name"].replace("\u2020", " ").split()),
                    rounded(number(s["Invoice Nett Amount"]))) for s in source)
    assert got == want
    assert got[("25/06/2012", "229 Mitcham Lane Ltd", 4928.57)] == 2
    reimport_unchanged(capsys, demo_path, name, "payments", len(source))


@pytest.mark.parametrize("name, ward, ward_name, parent", [
    ("geography/ons_ward_to_lad_dec2019_uk.csv", "WD19CD", "WD19NM", "LAD19NM"),
    ("geography/ons_ward_lad_county_region_country_dec2018_uk.csv", "WD18CD", "WD18NM", "LAD18NM"),
])
def test_ons_lookup_imports_each_area_once_within_its_parent(demo_path, capsys, tmp_path, name, ward, ward_name,
                                                             parent):
    """An ONS ward lookup (FID first or last, quoted commas, double-encoded UTF-8): each
    area once, each ward within its district; read back through cypdesk export, names
    and parents equal the file's cells (mojibake mended); a re-import is all unchanged."""
    source = source_csv(name)
    result = import_file(capsys, demo_path, name, "areas")
    assert result["rejected"] == 0
    rows = {r["ONS GSS code"]: r for r in exported(capsys, demo_path, "areas", tmp_path)}
    for src in source[:3] + source[-3:]:
        out = rows[src[ward]]
        assert out["Area"] == src[ward_name]
        assert out["Within"] == src[parent]
        assert out["Kind"] == "Ward"
    wards = {s[ward] for s in source}
    assert len(wards) == len(source)
    mangled = [s for s in source if "Ã" in s[ward_name]]
    for src in mangled:
        assert rows[src[ward]]["Area"] == src[ward_name].encode("cp1252").decode("utf-8")
    reimport_unchanged(capsys, demo_path, name, "areas", result["added"] + result["unchanged"])


def test_areas_and_indicators_a_file_makes_get_their_kind_and_unit(demo_path, capsys):
    """Fields a format knows that do not identify a record (an area's kind, an
    indicator's unit) fill in the records the import makes: the regions of a DfE file
    are regions, England is England, the s52 lines are in pounds; and they never pick
    an existing record (a new region is not matched to the demo's region)."""
    before = dict(query(demo_path, "SELECT gss_code, kind FROM areas WHERE gss_code IS NOT NULL"))
    import_file(capsys, demo_path, "children_stats/dfe_ees_cla_number_and_rate_per_10k_children.csv",
                "indicator_values")
    kinds = dict(query(demo_path, "SELECT gss_code, kind FROM areas WHERE gss_code IN ('E92000001', 'E12000001', "
                                  "'E12000002', 'E06000001')"))
    assert kinds["E12000001"] == "region" and kinds["E12000002"] == "region"
    assert kinds["E92000001"] == before.get("E92000001", "england")
    assert kinds["E06000001"] == "local_authority"
    assert len(query(demo_path, "SELECT id FROM areas WHERE gss_code = 'E12000001'")) == 1
    import_file(capsys, demo_path, "spend/dfe_s52_childrens_services_outturn_2008-09.csv", "indicator_values")
    units = query(demo_path, "SELECT DISTINCT unit FROM indicators WHERE name LIKE 'S52 outturn: %'")
    assert units == [("pounds",)]
