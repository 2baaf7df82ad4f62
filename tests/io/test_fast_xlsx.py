"""Reading xlsx values through python-calamine (issue 9 item 1, speed) with the detail
only the pre-flight scan knows: Excel row numbers when leading rows are empty, error
cells (calamine reads them as blank), percentage formats, the 1904 date system,
namespace-prefixed sheets, and the fall-back to openpyxl streaming for grids that
calamine would allocate densely."""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from cypdesk.io import workbook as wbmod
from cypdesk.io.cellvalues import CellProblem, convert
from cypdesk.io.workbook import open_workbook
from tests.io.test_workbook import hand_xlsx, sheet_xml


@pytest.fixture
def no_openpyxl_rows(monkeypatch):
    """Reading rows through openpyxl fails the test: proves calamine read them."""
    def refuse(self):
        raise AssertionError("rows were read through openpyxl, not python-calamine")
    monkeypatch.setattr(wbmod.Workbook, "_openpyxl_book", refuse)


def test_values_come_from_calamine_with_excel_row_numbers_after_empty_leading_rows(tmp_path, no_openpyxl_rows):
    body = ('<row r="4"><c r="B4" t="inlineStr"><is><t>Area</t></is></c><c r="C4" t="inlineStr"><is><t>Value'
            '</t></is></c></row><row r="5"><c r="B5" t="inlineStr"><is><t>E1</t></is></c><c r="C5"><v>926</v>'
            '</c></row><row r="7"><c r="B7" t="inlineStr"><is><t>E2</t></is></c></row>')
    path = tmp_path / "offset.xlsx"
    hand_xlsx(path, sheet_xml(body))
    rows = list(open_workbook(path).sheet("Data").rows())
    assert [(r.number, r.values) for r in rows] == [(4, [None, "Area", "Value"]), (5, [None, "E1", 926.0]),
                                                   (7, [None, "E2"])]
    assert convert("identifier", rows[1].values[2]) == "926"


def test_dates_numbers_and_text_read_by_calamine_match_openpyxl(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["When", "Amount", "Code", "Flag", "At"])
    ws.append([dt.date(2026, 3, 31), 1234.5, "00123", True, dt.datetime(2026, 3, 31, 14, 5)])
    ws.append([46112, -5, "NA", False, None])
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    fast = [r.values for r in open_workbook(path).sheet("Data").rows()]
    monkeypatch.setattr(wbmod, "_calamine_can_read", lambda meta: False)
    slow = [r.values for r in open_workbook(path).sheet("Data").rows()]
    # openpyxl gives a date cell as a datetime at midnight, calamine as a date: the same day
    assert slow[1][0] == dt.datetime(2026, 3, 31) and fast[1][0] == dt.date(2026, 3, 31)
    slow[1][0] = fast[1][0]
    assert fast == slow
    assert convert("date", fast[1][0]) == convert("date", fast[2][0]) == dt.date(2026, 3, 31)


def test_error_cells_keep_their_text_and_are_refused_by_convert(tmp_path, no_openpyxl_rows):
    body = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Rate</t></is></c></row>'
            '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
            '<row r="3"><c r="A3" t="e"><v>#N/A</v></c></row><row r="4"><c r="A4"><v>3</v></c></row>')
    path = tmp_path / "errors.xlsx"
    hand_xlsx(path, sheet_xml(body))
    sheet = open_workbook(path).sheet("Data")
    assert sheet.error_cells == {(2, 0): "#DIV/0!", (3, 0): "#N/A"}
    values = [r.values[0] for r in sheet.rows()]
    assert values == ["Rate", "#DIV/0!", "#N/A", 3.0]
    with pytest.raises(CellProblem, match="#DIV/0!"):
        convert("number", values[1])


def test_percent_formatted_columns_are_known_so_a_fraction_reads_as_the_percentage(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Area", "Rate", "Count"])
    ws.append(["E1", 0.125, 7])
    ws["B2"].number_format = "0.0%"
    ws.append(["E2", 0.5, 8])
    ws["B3"].number_format = "0%"
    path = tmp_path / "pct.xlsx"
    wb.save(path)
    sheet = open_workbook(path).sheet("Data")
    assert sheet.percent_columns == {"B"}
    rates = [convert("percent", r.values[1], fraction="B" in sheet.percent_columns) for r in sheet.rows()
             if r.number > 1]
    assert rates == [12.5, 50.0]


def test_a_1904_workbook_says_so_and_its_serials_read_right(tmp_path, no_openpyxl_rows):
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Data"
    ws.append(["When", "Serial in General format"])
    ws.append([dt.date(2026, 3, 31), 44650])
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    book = open_workbook(path)
    assert book.date1904 is True
    row = list(book.sheet("Data").rows())[1].values
    assert row[0] == dt.date(2026, 3, 31)
    assert convert("date", row[1], date1904=book.date1904) == dt.date(2026, 3, 31)
    assert open_workbook(tmp_path / "mac.xlsx").date1904 and not _plain_book(tmp_path).date1904


def _plain_book(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    wb.save(tmp_path / "plain.xlsx")
    return open_workbook(tmp_path / "plain.xlsx")


def test_a_sheet_with_namespace_prefixes_is_scanned(tmp_path):
    xml = ('<?xml version="1.0" encoding="UTF-8"?>'
           '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Item</x:t></x:is></x:c></x:row>'
           '<x:row r="2" hidden="1"><x:c r="A2"><x:f>B9*2</x:f></x:c></x:row>'
           '</x:sheetData><x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>')
    path = tmp_path / "prefixed.xlsx"
    hand_xlsx(path, xml)
    sheet = open_workbook(path).sheet("Data")
    assert sheet.hidden_rows == {2}
    assert sheet.merged_ranges == ["A1:B1"]
    assert [(f.cell, f.formula) for f in sheet.formula_cells_without_value] == [("A2", "B9*2")]


def test_a_sparse_grid_is_streamed_by_openpyxl_not_allocated_by_calamine(tmp_path, monkeypatch):
    # A1 and a cell 600,000 rows down: calamine would build a 600,000-row grid
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="600000"><c r="Z600000"><v>2</v></c></row>'
    path = tmp_path / "sparse.xlsx"
    hand_xlsx(path, sheet_xml(body))
    book = open_workbook(path)
    meta = book.sheet("Data")._metadata()
    assert (meta.last_row, meta.widest, meta.rows) == (600000, 26, 2)
    assert not wbmod._calamine_can_read(meta)
    start = time.monotonic()
    rows = list(book.sheet("Data").rows())
    assert [(r.number, r.values[-1]) for r in rows] == [(1, 1), (600000, 2)]
    assert time.monotonic() - start < 5


def test_late_entity_declaration_in_shared_strings_is_refused_at_open(tmp_path):
    from tests.io.test_workbook import BILLION_LAUGHS

    sst = ('<?xml version="1.0"?><!--' + "x" * 70_000 + '-->' + BILLION_LAUGHS +
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    path = tmp_path / "late.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
              extra={"xl/sharedStrings.xml": sst})
    with pytest.raises(wbmod.XmlEntities) as info:
        open_workbook(path)               # before any row is read
    assert "sharedStrings.xml" in info.value.message


def test_calamine_is_much_faster_than_openpyxl_on_a_20000_row_sheet(tmp_path, monkeypatch):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["Indicator", "Area", "Period", "Value", "Count"])
    for i in range(20_000):
        ws.append([90001, f"E0{i % 300:07d}", "2024/25", i * 0.25, i])
    path = tmp_path / "values.xlsx"
    wb.save(path)

    def read():
        start = time.perf_counter()
        n = sum(1 for _ in open_workbook(path).sheet("Data").rows())
        return n, time.perf_counter() - start
    n_fast, fast = read()
    monkeypatch.setattr(wbmod, "_calamine_can_read", lambda meta: False)
    n_slow, slow = read()
    assert n_fast == n_slow == 20_001
    assert fast * 3 < slow, (fast, slow)


def test_ods_rows_keep_their_numbers_after_empty_leading_rows(tmp_path):
    import zipfile

    from tests.io.test_workbook import ODS_CONTENT, hand_ods

    plain, path = tmp_path / "plain.ods", tmp_path / "late.ods"
    hand_ods(plain)
    content = ODS_CONTENT.format(prolog="").replace(
        '<table:table table:name="Returns">',
        '<table:table table:name="Returns"><table:table-row table:number-rows-repeated="3">'
        '<table:table-cell/></table:table-row>')
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as z:
        for info in src.infolist():
            z.writestr(info, content if info.filename == "content.xml" else src.read(info))
    rows = list(open_workbook(path).sheet("Returns").rows())
    assert [(r.number, r.values) for r in rows] == [(4, ["Area", "Value"]), (5, ["00123", 12.5])]


def test_a_second_pass_over_the_rows_reuses_the_sheet_calamine_loaded(tmp_path, monkeypatch):
    """Finding the table and then importing each read the rows: the sheet is loaded
    once (loading is most of python-calamine's cost)."""
    from python_calamine import CalamineWorkbook

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Area", "Value"])
    ws.append(["E1", 1])
    path = tmp_path / "twice.xlsx"
    wb.save(path)
    loads = []
    real = CalamineWorkbook.get_sheet_by_name
    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name",
                        lambda self, name: loads.append(name) or real(self, name), raising=False)
    book = open_workbook(path)
    first = [r.values for r in book.sheet("Data").rows()]
    second = [r.values for r in book.sheet("Data").rows()]
    assert first == second == [["Area", "Value"], ["E1", 1.0]]
    assert loads == ["Data"]
