"""The indicator formats: Fingertips exports, DfE explore-education-statistics files,
DfE LA tables workbooks and the s52 outturn, read into long rows with their mapping
(no import here: the rows and the preset mapping themselves)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from cypdesk.services.importing.formats import FormatError, detect
from cypdesk.services.importing.formats.dfe_tables import strip_footnotes

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "real"

FT_HEADER = ("Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
             "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,"
             "Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,"
             "Compared to Region value or percentiles,Time period Sortable,New data,Compared to goal")


def table_of(path: Path, kind: str, sheet: str | None = None):
    fmt = detect(path)
    tables = fmt.tables(path, kind)
    return next(t for t in tables if sheet is None or t.sheet == sheet)


def as_dicts(table) -> list[dict]:
    return [dict(zip(table.headers, r.values), _row=r.number) for r in table.rows()]


# --- Fingertips ------------------------------------------------------------------------------

def test_fingertips_short_rows_are_padded_not_shifted_and_limits_kept(tmp_path):
    """A data row one field shorter than the header (as in Fingertips' bulk exports):
    read by position, the 99.8% limits kept where given, 'Persons' is no breakdown,
    the category is its type and value, a suppressed value kept as its marker."""
    path = tmp_path / "indicators-2024-05-01.data.csv"
    path.write_text(FT_HEADER + "\r\n"
                    "90631,Infant mortality,E12000001,North East,E06000001,Hartlepool,UA,Female,<1 yr,"
                    "Deprivation,Most deprived,2020 - 22,3.1,2.0,4.5,1.5,5.5,12,3870,,,Similar,Similar,20200000,\r\n"
                    "90631,Infant mortality,E12000001,North East,E06000002,Middlesbrough,UA,Persons,<1 yr,,,"
                    "2020 - 22,*,,,,,,,Value suppressed,,,,20200000,\r\n", encoding="utf-8")
    table = table_of(path, "indicator_values")
    rows = as_dicts(table)
    first, second = rows
    assert (first["Sex"], first["Age"], first["Category"]) == ("Female", "<1 yr", "Deprivation: Most deprived")
    assert (first["Lower CI 99.8 limit"], first["Upper CI 99.8 limit"], first["Count"]) == ("1.5", "5.5", "12")
    assert first["Extract date"] == dt.date(2024, 5, 1)
    assert any("taken from the file's name" in n for n in table.notes)
    assert (second["Sex"], second["Value"], second["Suppressed"], second["Value note"]) == \
        (None, None, "*", "Value suppressed")
    preset = table.preset["columns"]
    assert preset["Indicator ID"] == "indicator_id.code" and preset["Area Code"] == "area_id.gss_code"
    assert preset["Lower CI 99.8 limit"] == "lower_ci_998" and preset["Count"] == "numerator"
    assert table.preset["kind"] == "indicator_values"


def test_fingertips_extract_date_from_its_own_column_else_the_files_date_said_so(tmp_path):
    """An 'Extract date' column gives each value's date; without it and without a date
    in the name, the day the file was saved (patched here with os.utime), and a note
    says so: not the import date, which would change every value on a re-import."""
    with_col = tmp_path / "export.csv"
    with_col.write_text(FT_HEADER + ",Extract date\n93356,Campylobacter,,,E92000001,England,England,Persons,All ages,,,"
                        "2015,94.7,93.9,95.5,,,51897,54786327,,,,,20150000,,,2024-03-01\n", encoding="utf-8")
    t = table_of(with_col, "indicator_values")
    assert as_dicts(t)[0]["Extract date"] == "2024-03-01"
    assert any("own column 'Extract date'" in n for n in t.notes)
    import os

    plain = tmp_path / "indicators-CountyUA.data.csv"
    plain.write_bytes((REAL / "fingertips/ohid_fingertips_indicators-CountyUA.data.csv").read_bytes())
    saved = dt.datetime(2020, 12, 27, 12, 0).timestamp()
    os.utime(plain, (saved, saved))
    t = table_of(plain, "indicator_values")
    assert {r["Extract date"] for r in as_dicts(t)} == {dt.date(2020, 12, 27)}
    assert any("the day the file was saved, 27/12/2020" in n and "does not say when it was extracted" in n
               for n in t.notes)


# --- DfE explore education statistics ---------------------------------------------------------

def test_dfe_ees_measures_filters_levels_and_markers(tmp_path):
    """Measures are the numeric columns (numeric codes like old_la_code never are),
    filters give the category, each level its area (country, region, LA with its DfE
    code), an unknown level is skipped with its reason, DfE's markers (c, z, k, low) are
    suppressed, and the period comes from time_period and time_identifier."""
    path = tmp_path / "cla_outcomes (2).csv"
    path.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
        "old_la_code,la_name,new_la_code,cla_group,number,percentage\n"
        "201718,Academic year,National,E92000001,England,,,,,,All,5980,88\n"
        "201718,Academic year,Regional,E92000001,England,E12000001,North East,,,,All,380,c\n"
        "201718,Academic year,Local authority,E92000001,England,E12000001,North East,841,Darlington,E06000005,All,"
        "z,k\n"
        "201718,Academic year,Parliamentary constituency,E92000001,England,,,,,,All,10,low\n", encoding="utf-8")
    table = table_of(path, "indicator_values")
    rows = as_dicts(table)
    assert {r["Measure column"] for r in rows} == {"number", "percentage"}
    assert {r["Indicator"] for r in rows} == {"cla outcomes: number", "cla outcomes: percentage"}
    by = {(r["_row"], r["Measure column"]): r for r in rows}
    assert by[(2, "number")]["Area code"] == "E92000001" and by[(2, "number")]["Period"] == "AY2017"
    assert by[(3, "percentage")]["Suppressed"] == "c" and by[(3, "percentage")]["Value"] is None
    la = by[(4, "number")]
    assert (la["Area code"], la["LA code"], la["Area"], la["Suppressed"]) == ("E06000005", "841", "Darlington", "z")
    assert by[(4, "percentage")]["Suppressed"] == "k"
    assert all(r["Category"] == "All" for r in rows)
    assert not any(r["_row"] == 5 for r in rows)
    assert table.skipped == [(5, "geographic level 'Parliamentary constituency' is not an area cypdesk holds")]


# --- DfE LA tables ---------------------------------------------------------------------------

def test_strip_footnotes_keeps_real_numbers():
    """Footnote marks glued to words go; numbers that are part of the words stay."""
    assert strip_footnotes("by local authority1,2 ,3") == "by local authority"
    assert strip_footnotes("aged 5 to 163") == "aged 5 to 16"
    assert strip_footnotes("missing1 or away") == "missing or away"
    assert strip_footnotes("Key Stage 2") == "Key Stage 2"
    assert strip_footnotes("numbers3") == "numbers"


def _la_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "LAX1"
    ws["A1"] = "Back to Contents"
    ws["A2"] = "Table LAX1: Children in need at 31 March, by local authority1,2"
    ws["A3"] = "Years ending 31 March 2015 to 2016"
    ws["A5"] = "LA Code"
    ws["D5"] = "numbers3"
    ws.merge_cells("D5:E5")
    ws["G5"] = "rates per 10,000 children"
    ws.merge_cells("G5:H5")
    for col, year in zip("DEGH", (2015, 2016, 2015, 2016)):
        ws[f"{col}6"] = year
    ws["C8"] = "England"
    ws["D8"], ws["E8"], ws["G8"], ws["H8"] = 390000, 394000, 337, 338
    ws["C10"] = "North East"
    ws["A10"] = "E06000001"  # a wrong code beside a region, as SFR41 has for Outer London
    ws["D10"], ws["E10"], ws["G10"], ws["H10"] = 21000, 22000, 400, "x"
    ws.append(["E06000005", 841, "Darlington", 205, 210, None, 90, "."])
    ws.append(["E06000047", 840.0, "Durham", 655, 630, None, 66, 63])
    ws.append(["E06000001", 805, "Hartlepool", 175, 185, None, 85, 92])
    ws["A15"] = "1.  Figures exclude short breaks."
    ws["A16"] = "x   Figures not shown in order to protect confidentiality."
    wb.create_sheet("Notes")["A1"] = "About these tables"
    wb.save(path)
    return path


def test_dfe_la_table_sheet_unpivoted_with_merged_headings_years_and_areas(tmp_path):
    """A hand-made LA table (title, 'numbers' merged over the years, England and a region
    among the LAs, an LA number stored as 840.0, footnotes below): one long row per area
    and column with the column's year as a year to 31 March; England and the region get
    their own GSS codes (the region's even with another code beside it); 'x' and '.' are suppressed; footnotes skipped; the notes sheet is
    not offered."""
    path = _la_workbook(tmp_path / "sfr_la_tables.xlsx")
    table = table_of(path, "indicator_values", "LAX1")
    rows = as_dicts(table)
    indicators = {r["Indicator"] for r in rows}
    assert indicators == {"LAX1 Children in need at 31 March: numbers",
                          "LAX1 Children in need at 31 March: rates per 10,000 children"}
    england = [r for r in rows if r["Area"] == "England"]
    assert {(r["Period"], r["Value"]) for r in england if r["Indicator"].endswith("numbers")} == \
        {("FY2014", 390000), ("FY2015", 394000)}
    assert all(r["Area code"] == "E92000001" for r in england)
    region = [r for r in rows if r["Area"] == "North East"]
    assert {r["Area code"] for r in region} == {"E12000001"}
    assert any(r["Suppressed"] == "x" and r["Period"] == "FY2015" for r in region)
    durham = [r for r in rows if r["Area"] == "Durham"]
    assert {r["LA code"] for r in durham} == {"840"} and {r["Area code"] for r in durham} == {"E06000047"}
    darlington_rate = [r for r in rows if r["Area"] == "Darlington" and r["Period"] == "FY2015"
                       and r["Indicator"].endswith("children")]
    assert darlington_rate[0]["Suppressed"] == "z"  # '.' is DfE's 'not applicable'
    assert {r["Unit"] for r in rows if r["Indicator"].endswith("children")} == {"rate_10k"}
    assert (15, "footnote") in table.skipped and (16, "footnote") in table.skipped
    assert [t.sheet for t in detect(path).tables(path, "indicator_values")] == ["LAX1"]
    assert any("'Notes'" in n and "not offered" in n for n in table.notes)


def test_sfr41_england_figures_above_its_name_are_read_as_englands():
    """In SFR41's LAI3, England's figures are one row above its name: they are
    England's values (not a heading), and a note says so."""
    table = table_of(REAL / "children_stats/dfe_sfr41_2016_cla_la_tables.xlsx", "indicator_values", "LAI3")
    england = [r for r in as_dicts(table) if r["Area"] == "England"]
    assert england and england[0]["Value"] == 48490
    assert not any("48490" in r["Indicator"] for r in as_dicts(table))
    assert any("England's figures are on row 8" in n for n in table.notes)


# --- s52 --------------------------------------------------------------------------------------

S52 = ("LEA Number:,LA Name:,S52 Line Reference:,PRIVATE (x),VOLUNTARY (y),PUBLIC (z),TOTAL EXPENDITURE (k),"
       "INCOME (l),NET Current Expenditure (m)\n"
       "202,Camden  ,6 Fostering services,100,200,300,600,-50,550\n")


def test_s52_year_from_the_name_net_is_the_value(tmp_path):
    """The s52 outturn's year is its file name's; the net expenditure is each line's
    value, the other columns its breakdown."""
    path = tmp_path / "outturn_0910.csv"
    path.write_text(S52, encoding="utf-8")
    rows = as_dicts(table_of(path, "indicator_values"))
    assert {r["Period"] for r in rows} == {"FY2009"}
    net = [r for r in rows if r["Category"] is None]
    assert [(n["Indicator"], n["Area"], n["LA code"], n["Value"]) for n in net] == \
        [("S52 outturn: 6 Fostering services", "Camden", "202", "550")]
    assert {r["Category"] for r in rows} - {None} == {"PRIVATE (x)", "VOLUNTARY (y)", "PUBLIC (z)",
                                                        "TOTAL EXPENDITURE (k)", "INCOME (l)"}


def test_s52_without_a_year_in_its_name_is_refused_plainly(tmp_path):
    """An s52 file whose name gives no year: refused, saying how to name it."""
    path = tmp_path / "outturn.csv"
    path.write_text(S52, encoding="utf-8")
    with pytest.raises(FormatError) as err:
        detect(path).tables(path, "indicator_values")
    assert "outturn.csv is a section 52 outturn but does not say which year" in err.value.message
    assert "outturn_2008-09.csv" in err.value.message


def test_sfr41_second_block_under_the_same_headings_stays_its_own_indicator():
    """SFR41's LAA8 puts percentages under the same ethnic-group headings as the numbers
    to their left: the second block's indicators carry their column letter, so no two
    columns give one indicator the same area and year (the import would refuse them)."""
    table = table_of(REAL / "children_stats/dfe_sfr41_2016_cla_la_tables.xlsx", "indicator_values", "LAA8")
    rows = as_dicts(table)
    keys = [(r["Indicator"], r["Area"], r["Period"]) for r in rows]
    assert len(keys) == len(set(keys))
    white = sorted({r["Indicator"] for r in rows if r["Indicator"].split(": ", 1)[-1].startswith("White")})
    assert white == ["LAA8 Children looked after at 31 March by ethnic origin: White",
                     "LAA8 Children looked after at 31 March by ethnic origin: White [column P]"]
    darlington = {r["Indicator"]: r["Value"] for r in rows if r["Area"] == "Darlington"}
    assert (darlington[white[0]], darlington[white[1]]) == (190, 93)


def test_fingertips_three_year_periods_import_as_one_pooled_period_each(importer, db):
    """Fingertips pools small counts over three years ('2020 - 22', '2019/20 - 21/22'):
    the rows import (they used to be refused) with the periods' keys, and import again
    as unchanged."""
    text = (FT_HEADER + "\r\n"
            "90631,Infant mortality,E92000001,England,E06000001,Hartlepool,UA,Persons,<1 yr,,,"
            "2020 - 22,3.1,2.0,4.5,1.5,5.5,12,3870,,,Similar,Similar,20200000,,\r\n"
            "90631,Infant mortality,E92000001,England,E06000001,Hartlepool,UA,Persons,<1 yr,,,"
            "2019 - 21,3.4,2.2,4.9,1.7,5.9,13,3800,,,Similar,Similar,20190000,,\r\n"
            "93085,Hospital admissions for self-harm,E92000001,England,E06000001,Hartlepool,UA,Persons,10-24 yrs,,,"
            "2019/20 - 21/22,410.5,380.1,442.6,360.2,465.0,270,65770,,,Worse,Worse,20190000,,\r\n")
    result = importer("indicators-2024-05-01.data.csv", text, "indicator_values")
    assert result.added == 3, result
    periods = {p for (p,) in db.rows(
        "SELECT v.period FROM indicator_values v JOIN areas a ON a.id = v.area_id "
        "WHERE a.gss_code = 'E06000001' AND v.period IN ('CP2020-3', 'CP2019-3', 'FP2019-3')")}
    assert periods == {"CP2020-3", "CP2019-3", "FP2019-3"}
    again = importer("indicators-2024-05-01.data.csv", text, "indicator_values")
    assert (again.added, again.unchanged) == (0, 3)
