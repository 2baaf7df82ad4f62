"""Finding the table in a sheet (issue 9 item 4; reliability anchors 46, 47, 51): the
heading row under titles and notes, two-row and merged headings joined, blank rows,
repeated headings, totals and footnotes skipped, merged data cells filled and named,
formulas without values refused cell by cell, hidden rows and sheets reported."""

from __future__ import annotations

import openpyxl
import pytest

from cypdesk.io.tablefind import (
    FormulasWithoutValues,
    NoTable,
    column_index,
    column_letter,
    fill_merged,
    find_table,
    locate,
    skip_reason,
)
from cypdesk.io.workbook import Row, open_workbook


def rows_of(*lists, start=1):
    return [Row(start + i, list(v)) for i, v in enumerate(lists) if v is not None]


def save(tmp_path, build, name="t.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    build(wb, ws)
    path = tmp_path / name
    wb.save(path)
    return open_workbook(path)


def data_rows(sheet, loc):
    return {r.number: (skip_reason(r, loc), loc.values(r))
            for r in fill_merged(sheet.rows(), loc) if r.number >= loc.first_data_row}


# --- the heading row -------------------------------------------------------------------

def test_header_row_under_title_and_notes_is_found_and_the_rows_above_named(tmp_path):
    def build(wb, ws):
        ws.append(["Contract register 2025-26: children's services"])
        ws.append(["Source: Anytown Council, published monthly under the Transparency Code"])
        ws.append([])
        ws.append(["Reference", "Supplier", "Value", "Start date"])
        ws.append(["C-001", "Acme Care Ltd", 1200.5, "01/04/2025"])
    loc = find_table(save(tmp_path, build).sheet("Data"))
    assert loc.header_rows == [4] and loc.first_data_row == 5
    assert loc.headers == ["Reference", "Supplier", "Value", "Start date"]
    assert loc.letters == ["A", "B", "C", "D"]
    assert loc.notes[0].startswith('rows 1-2 are a title and notes above the table ("Contract register 2025-26')


def test_header_row_at_the_top_has_no_notes():
    loc = locate(rows_of(["Area", "Value"], ["E06000001", 12.5]))
    assert loc.header_rows == [1] and loc.headers == ["Area", "Value"] and loc.notes == []


def test_a_number_row_is_data_not_headings_and_years_count_as_headings():
    loc = locate(rows_of(["Title of the table"], ["Area", 2019, 2020.0, "2021"], ["Leeds", 1, 2, 3]))
    assert loc.header_rows == [2] and loc.headers == ["Area", "2019", "2020", "2021"]


def test_header_row_given_by_the_user_is_used():
    rows = rows_of(["Area", "Value"], ["Code", "Amount"], ["E1", 1])
    assert locate(rows, header_row=2).headers == ["Code", "Amount"]
    with pytest.raises(NoTable) as info:
        locate(rows, header_row=9)
    assert "Row 9 is blank" in info.value.message


def test_no_heading_row_is_a_plain_refusal():
    with pytest.raises(NoTable) as info:
        locate(rows_of([1, 2, 3], [4, 5, 6]))
    assert "looks like column headings" in info.value.message
    with pytest.raises(NoTable):
        locate([])


def test_headings_are_cleaned_and_a_column_without_one_is_named_by_its_letter():
    loc = locate(rows_of(["Area\ncode", "  Spend  (£) ", None, "Notes"], ["E1", 5, "x", "y"]))
    assert loc.headers == ["Area code", "Spend (£)", "Column C", "Notes"]
    assert any('column C has no heading: called "Column C"' in n for n in loc.notes)


def test_a_table_that_starts_in_column_b_keeps_excel_letters():
    loc = locate(rows_of([None, "Area", "Value"], [None, "E1", 3]))
    assert loc.letters == ["B", "C"] and loc.columns == [1, 2]
    assert loc.values(Row(2, [None, "E1", 3])) == ["E1", 3]


def test_column_letters_both_ways():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert [column_index(s) for s in ("A", "Z", "AA", "ZZ", "AAA")] == [0, 25, 26, 701, 702]


# --- two-row and merged headings ----------------------------------------------------------

def test_two_row_merged_headings_are_joined(tmp_path):
    def build(wb, ws):
        ws["A1"] = "Spend by area"
        ws["B3"], ws["D3"] = "2024-25", "2025-26"
        ws.merge_cells("B3:C3")
        ws.merge_cells("D3:E3")
        ws["A3"] = "Area"
        ws.merge_cells("A3:A4")
        for col, text in zip("BCDE", ["Spend", "Budget", "Spend", "Budget"]):
            ws[f"{col}4"] = text
        ws.append(["Leeds", 1, 2, 3, 4])
    loc = find_table(save(tmp_path, build).sheet("Data"))
    assert loc.header_rows == [3, 4] and loc.first_data_row == 5
    assert loc.headers == ["Area", "Spend 2024-25", "Budget 2024-25", "Spend 2025-26", "Budget 2025-26"]
    assert any("headings take rows 3-4" in n and '"Spend 2024-25"' in n for n in loc.notes)
    assert any("row 1 is a title" in n for n in loc.notes)


def test_two_row_headings_without_merges_carry_each_group_across():
    # as a CSV saves them: the group value only over its first column
    loc = locate(rows_of(["Indicator: spend per child"], [],
                         ["", "2024-25", "", "2025-26", ""],
                         ["Area", "Spend", "Budget", "Spend", "Budget"],
                         ["Leeds", 1, 2, 3, 4]))
    assert loc.header_rows == [3, 4]
    assert loc.headers == ["Area", "Spend 2024-25", "Budget 2024-25", "Spend 2025-26", "Budget 2025-26"]


def test_a_title_directly_above_the_headings_is_not_joined_into_them():
    loc = locate(rows_of(["Table 1: spend on looked after children by local authority"],
                         ["Area", "Spend", "Budget"], ["Leeds", 1, 2]))
    assert loc.header_rows == [2] and loc.headers == ["Area", "Spend", "Budget"]


# --- rows that are not data ---------------------------------------------------------------------

def test_blank_repeated_header_total_and_footnote_rows_are_skipped_and_england_is_data(tmp_path):
    def build(wb, ws):
        ws.append(["Area", "Spend", "Budget"])
        ws.append(["Leeds", 1, 2])
        ws.append([None, "  ", None])
        ws.append(["England", 50, 60])
        ws.append(["Area", "Spend", "Budget"])
        ws.append(["Wakefield", 3, 4])
        ws.append(["Total", 54, 66])
        ws.append(["Grand total:", 54, 66])
        ws.append(["Total Care Ltd", "Wakefield Road", 5])
        ws.append(["Source: DfE section 251 outturn, 2024-25"])
        ws.append(["Figures are rounded to the nearest thousand pounds and may not sum to totals"])
        ws.append(["1. Wakefield revised its return"])
    sheet = save(tmp_path, build).sheet("Data")
    loc = find_table(sheet)
    got = {n: reason for n, (reason, _) in data_rows(sheet, loc).items()}
    got.setdefault(3, skip_reason(Row(3, [None, "  ", None]), loc))  # a reader may drop a row of spaces itself
    assert got == {2: None, 3: "blank", 4: None, 5: "repeated header", 6: None, 7: "total", 8: "total",
                   9: None, 10: "footnote", 11: "footnote", 12: "footnote"}


def test_a_lone_long_text_in_a_narrow_table_is_data_not_a_footnote():
    loc = locate(rows_of(["Name", "Role"], ["A", "B"]))
    row = Row(9, ["The Children and Young People's Partnership for Anytown and District"])
    assert skip_reason(row, loc) is None


# --- merged cells in the data area (anchor 47) -------------------------------------------------

def test_merged_cells_in_the_data_area_repeat_the_top_left_value_and_are_named(tmp_path):
    def build(wb, ws):
        ws.append(["Area", "Service", "Spend"])
        ws.append(["Leeds", "Fostering", 1])
        ws.append([None, "Residential", 2])
        ws.append([None, "Adoption", 3])
        ws.append(["York", "Fostering", 4])
        ws.merge_cells("A2:A4")
    sheet = save(tmp_path, build).sheet("Data")
    loc = find_table(sheet)
    assert any("cells A2:A4 are merged" in n and "value of A2" in n for n in loc.notes)
    values = {n: v for n, (_, v) in data_rows(sheet, loc).items()}
    assert [values[n][0] for n in (2, 3, 4, 5)] == ["Leeds", "Leeds", "Leeds", "York"]


# --- formulas without values (anchor 46) -----------------------------------------------------------

def test_formulas_without_cached_values_are_refused_listing_every_cell(tmp_path):
    def build(wb, ws):
        ws.title = "Budget"
        ws.append(["Item", "Cost", "Share"])
        ws.append(["Staff", 10, "=B2/B4"])
        ws.append(["Rent", 20, "=B3/B4"])
        ws.append(["Total", "=SUM(B2:B3)", None])
    book = save(tmp_path, build, "budget.xlsx")
    with pytest.raises(FormulasWithoutValues) as info:
        find_table(book.sheet("Budget"))
    err = info.value
    for cell in ("Budget!C2 =B2/B4", "Budget!C3 =B3/B4", "Budget!B4 =SUM(B2:B3)"):
        assert cell in err.message
    assert "budget.xlsx" in err.message and "3 formula cells" in err.message
    assert err.code == "formulas_without_values" and err.exit_code == 1
    assert err.facts["cells"] == ["C2", "C3", "B4"]


# --- hidden rows and sheets (anchor 51) --------------------------------------------------------------

def test_hidden_rows_are_imported_and_reported_and_hidden_sheets_listed(tmp_path):
    def build(wb, ws):
        stale = wb.create_sheet("Old data", 0)
        stale.append(["Area", "Value"])
        stale.sheet_state = "hidden"
        ws.append(["Area", "Value"])
        for i in range(2, 8):
            ws.append([f"E{i}", i])
        for n in (3, 4, 5, 7):
            ws.row_dimensions[n].hidden = True
    book = save(tmp_path, build)
    sheet = book.sheet("Data")
    loc = find_table(sheet)
    assert "rows 3-5, 7 are hidden in Excel: imported like the others" in loc.notes
    assert "t.xlsx has hidden sheets: Old data." in book.warnings
    values = data_rows(sheet, loc)
    assert sorted(values) == [2, 3, 4, 5, 6, 7]
    assert [r.number for r in sheet.rows() if r.hidden] == [3, 4, 5, 7]


def test_dfe_la_table_headings_only_over_the_values_are_found_above_the_first_row_of_numbers():
    """Laid out as DfE's LA tables are: a title and coverage note, years over the value
    columns only, 'LA Code' alone below them, then rows whose cells are codes, numbers
    and 'x' markers (which look like text but are data, never headings)."""
    loc = locate(rows_of(
        ["Table LAA4: Unaccompanied asylum seeking children looked after at 31 March, by local authority"],
        ["Coverage: England"], [],
        [None, None, None, 2012, 2013, 2014, 2015, 2016],
        ["LA Code"],
        [None, None, "England", 2230, 1950, 2050, 2740, 4210],
        ["E06000005", 841, "Darlington", "x", 0, 0, 0, 0],
        ["E06000047", 840, "Durham", "x", "x", "x", "x", "x"],
        ["E08000037", 390, "Gateshead", 0, 0, 0, 0, "x"]))
    assert loc.header_rows == [4]
    assert loc.headers == ["Column A", "Column B", "Column C", "2012", "2013", "2014", "2015", "2016"]
