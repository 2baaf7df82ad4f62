"""Reading spreadsheets and CSVs safely (issue 9 item 1; reliability anchors 41-47, 51,
53): hand-made nasty files, each refused before reading with a stable code and a plain
message naming the file, within seconds; the good ones read as plain values."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from cypdesk.io import workbook as wbmod
from cypdesk.io.workbook import open_workbook

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>')
BOOK = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def sheet_xml(body: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dim}<sheetData>{body}</sheetData></worksheet>')


SST_CT = CT.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def hand_xlsx(path, sheet: str, *, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", SST_CT if extra and "xl/sharedStrings.xml" in extra else CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def refused(path, exc_type, code, *words, seconds=5.0):
    start = time.monotonic()
    with pytest.raises(exc_type) as info:
        wb = open_workbook(path)
        for s in wb.sheets:
            for _ in s.rows():
                pass
    assert time.monotonic() - start < seconds
    err = info.value
    assert err.code == code
    assert path.name in err.message
    for w in words:
        assert w in err.message, err.message
    assert err.exit_code == (2 if code == "not_a_workbook" else 1)
    return err


def good_xlsx(tmp_path, name="good.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Contract register 2025-26"])
    ws.append(["Source: council, published monthly"])
    ws.append([])
    ws.append(["Reference", "Supplier", "Value"])
    ws.append(["C-001", "NA", 1200.5])
    ws.append(["00123", "Acme Care Ltd", 300])
    path = tmp_path / name
    wb.save(path)
    return path


# --- good files ---------------------------------------------------------------------------

def test_xlsx_rows_with_notes_above_the_header_as_raw_rows(tmp_path):
    wb = open_workbook(good_xlsx(tmp_path))
    assert wb.format == "xlsx" and wb.sheet_names == ["Data"] and wb.warnings == []
    rows = list(wb.sheet("Data").rows())
    assert [r.number for r in rows] == [1, 2, 4, 5, 6]
    assert rows[0].values == ["Contract register 2025-26"]
    assert rows[2].values == ["Reference", "Supplier", "Value"]
    assert rows[3].values == ["C-001", "NA", 1200.5]
    assert rows[4].values == ["00123", "Acme Care Ltd", 300]


def test_format_by_content_not_extension_and_says_so(tmp_path):
    path = good_xlsx(tmp_path, "register.xls")
    wb = open_workbook(path)
    assert wb.format == "xlsx"
    assert any("register.xls" in w and ".xlsx" in w for w in wb.warnings)
    assert list(wb.sheet("Data").rows())[2].values[0] == "Reference"


def test_hidden_rows_are_read_and_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 6):
        ws.append([f"r{i}", i])
    ws.row_dimensions[3].hidden = True
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    sheet = open_workbook(path).sheets[0]
    assert sheet.hidden_rows == {3}
    rows = list(sheet.rows())
    assert [r.values[0] for r in rows] == ["r1", "r2", "r3", "r4", "r5"]
    assert [r.number for r in rows if r.hidden] == [3]


def test_formula_without_cached_value_is_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws["A1"], ws["B1"] = "Item", "Cost"
    ws["B2"], ws["B3"] = 10, 20
    ws["B4"] = "=SUM(B2:B3)"
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    sheet = open_workbook(path).sheet("Budget")
    missing = sheet.formula_cells_without_value
    assert [(m.cell, m.formula) for m in missing] == [("B4", "SUM(B2:B3)")]
    rows = {r.number: r.values for r in sheet.rows()}
    assert rows[2] == [None, 10]


def test_cached_formula_values_are_read(tmp_path):
    body = ('<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c></row>')
    path = tmp_path / "cached.xlsx"
    hand_xlsx(path, sheet_xml(body))
    sheet = open_workbook(path).sheet("Data")
    assert sheet.formula_cells_without_value == []
    assert [r.values for r in sheet.rows()] == [[2, 4]]


def test_merged_cells_are_listed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["B2"] = "Heading", "Area", "Value"
    ws.merge_cells("A2:A4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    assert open_workbook(path).sheets[0].merged_ranges == ["A2:A4"]


def test_cp1252_csv_with_pound(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes("Supplier,Amount\r\nAcme Café,£1,234.50\r\nBeta,£7\r\n".replace(",£1,234.50", ',"£1,234.50"')
                     .encode("cp1252"))
    wb = open_workbook(path)
    assert wb.encoding == "cp1252" and wb.delimiter == ","
    rows = list(wb.sheets[0].rows())
    assert rows[1].values == ["Acme Café", "£1,234.50"]
    assert any("Windows-1252" in w for w in wb.warnings)


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_csv_encodings(tmp_path, encoding, bom):
    path = tmp_path / "names.csv"
    path.write_bytes(bom + "Name\tTotal\r\nSiân Llŷr\t£5\r\nŁukasz\tNA\r\n".encode(encoding))
    rows = list(open_workbook(path).sheets[0].rows())
    assert [r.values for r in rows] == [["Name", "Total"], ["Siân Llŷr", "£5"], ["Łukasz", "NA"]]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_csv_delimiters_and_notes_above_header(tmp_path, delimiter):
    d = delimiter
    text = (f"Spend over £500, March 2026\n\nDate{d}Supplier{d}Amount\n31/03/2026{d}Acme{d}00123\n"
            f"01/03/2026{d}Beta{d}1.5\n")
    path = tmp_path / "spend.txt"
    path.write_text(text, encoding="utf-8")
    wb = open_workbook(path)
    assert wb.delimiter == d and wb.format == "csv"
    rows = list(wb.sheets[0].rows())
    assert rows[-3].values == ["Date", "Supplier", "Amount"]
    assert rows[-2].values == ["31/03/2026", "Acme", "00123"]
    assert rows[-2].number == 4


def test_semicolon_csv(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("Area;Value\nE06000001;1,5\nE06000002;2,5\n", encoding="utf-8")
    rows = [r.values for r in open_workbook(path).sheets[0].rows()]
    assert rows == [["Area", "Value"], ["E06000001", "1,5"], ["E06000002", "2,5"]]


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>{prolog}'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Returns">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Area</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>Value</text:p></table:table-cell></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>00123</text:p></table:table-cell>'
    '<table:table-cell office:value-type="float" office:value="12.5"><text:p>12.5</text:p></table:table-cell>'
    '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')


def hand_ods(path, prolog=""):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", ODS_CONTENT.format(prolog=prolog))
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   '<manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   '</manifest:manifest>')


def test_ods_through_calamine(tmp_path):
    path = tmp_path / "returns.ods"
    hand_ods(path)
    with open_workbook(path) as wb:
        assert wb.format == "ods" and wb.sheet_names == ["Returns"] and wb.warnings == []
        assert [(r.number, r.values) for r in wb.sheet("Returns").rows()] == [
            (1, ["Area", "Value"]), (2, ["00123", 12.5])]


def test_ods_with_entities_is_refused(tmp_path):
    path = tmp_path / "laughs.ods"
    hand_ods(path, prolog=BILLION_LAUGHS)
    refused(path, wbmod.XmlEntities, "xml_entities", "content.xml", seconds=2)


# --- refusals ---------------------------------------------------------------------------

def test_not_a_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    refused(path, wbmod.NotAWorkbook, "not_a_workbook", "not a spreadsheet")


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    refused(path, wbmod.NotAWorkbook, "not_a_workbook")


def test_truncated_xlsx(tmp_path):
    data = good_xlsx(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(path, wbmod.DamagedWorkbook, "damaged_workbook", "damaged")


def test_empty_file_and_empty_workbook(tmp_path):
    path = tmp_path / "nothing.xlsx"
    path.write_bytes(b"")
    refused(path, wbmod.EmptyWorkbook, "empty_workbook", "empty")
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    refused(path, wbmod.EmptyWorkbook, "empty_workbook", "empty")
    path = tmp_path / "blank.csv"
    path.write_text("\n\n  \n", encoding="utf-8")
    refused(path, wbmod.EmptyWorkbook, "empty_workbook", "empty")


def _bomb(path, size):
    """An xlsx whose sheet inflates to ``size`` bytes of spaces (streamed, never in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            fh.write(sheet_xml("").encode()[:-len("</worksheet>")])
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
            fh.write(b"</worksheet>")


def test_zip_bomb_by_ratio(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 64 << 20)
    assert path.stat().st_size < 1 << 20
    refused(path, wbmod.ZipBomb, "zip_bomb", "zip bomb", "times", seconds=2)


def test_zip_bomb_by_declared_size(tmp_path):
    # a small file whose central directory declares a 2 GB member (the size is never trusted to be small)
    path = tmp_path / "liar.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, cd + 24, 2 << 30)  # uncompressed size in the central directory
    path.write_bytes(bytes(data))
    refused(path, wbmod.ZipBomb, "zip_bomb", "GB", seconds=2)


def test_zip_member_expanding_beyond_its_declared_size_is_capped(tmp_path):
    path = tmp_path / "understated.xlsx"
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 2000))
    hand_xlsx(path, sheet_xml(body))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, cd + 24, 100)  # declares 100 bytes; inflates to far more
    path.write_bytes(bytes(data))
    with pytest.raises(wbmod.WorkbookError) as info:
        wb = open_workbook(path)
        for s in wb.sheets:
            list(s.rows())
    assert info.value.code in ("zip_bomb", "damaged_workbook")
    assert path.name in info.value.message


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + "]>")


def test_billion_laughs_in_a_sheet(tmp_path):
    path = tmp_path / "laughs.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                              prolog=BILLION_LAUGHS))
    refused(path, wbmod.XmlEntities, "xml_entities", "entity", seconds=2)


def test_external_entity_in_shared_strings(tmp_path):
    path = tmp_path / "xxe.xlsx"
    sst = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>')
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
              extra={"xl/sharedStrings.xml": sst})
    refused(path, wbmod.XmlEntities, "xml_entities", "sharedStrings")


def test_openpyxl_without_defusedxml_is_refused(tmp_path, monkeypatch):
    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    refused(good_xlsx(tmp_path), wbmod.UnsafeXmlReader, "unsafe_xml_reader", "defusedxml")


def test_sheet_whose_only_cell_is_xfd1048576(tmp_path):
    path = tmp_path / "far.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                              dimension="XFD1048576"))
    assert path.stat().st_size < 5000
    err = refused(path, wbmod.AbsurdDimension, "absurd_dimension", "'Data'", "XFD1048576", seconds=2)
    assert err.facts["sheet"] == "Data"


def test_dimension_claiming_the_whole_grid(tmp_path):
    path = tmp_path / "claim.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576"))
    refused(path, wbmod.AbsurdDimension, "absurd_dimension", "XFD1048576", seconds=2)


def test_far_cell_without_dimension_streams_without_a_grid(tmp_path):
    # no <dimension>: nothing declared to refuse; rows come as they are, no grid allocated
    path = tmp_path / "nodim.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                              '<row r="100000"><c r="C100000"><v>2</v></c></row>'))
    rows = list(open_workbook(path).sheets[0].rows())
    assert [(r.number, r.values) for r in rows] == [(1, [1]), (100000, [None, None, 2])]


def _cfb_with(stream_names):
    """A minimal Compound File Binary header followed by a directory sector naming streams."""
    header = bytearray(512)
    header[:8] = wbmod.OLE_MAGIC
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    directory = bytearray()
    for name in ["Root Entry", *stream_names]:
        entry = bytearray(128)
        raw = name.encode("utf-16-le")
        entry[: len(raw)] = raw
        struct.pack_into("<H", entry, 64, len(raw) + 2)
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    return bytes(header) + bytes(directory)


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(_cfb_with(["EncryptionInfo", "EncryptedPackage"]))
    refused(path, wbmod.PasswordProtected, "password_protected", "password", "save a copy without the password")


def test_unreadable_ole_file_is_damaged_not_a_crash(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(_cfb_with(["Workbook"]))
    with pytest.raises(wbmod.WorkbookError) as info:
        open_workbook(path)
    assert path.name in info.value.message


# --- streaming ------------------------------------------------------------------------------

def test_large_xlsx_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Values")
    ws.append(["Area", "Period", "Value"])
    for i in range(15_000):
        ws.append([f"E0{i:07d}", "2025/26", i * 0.5])
    wb.save(path)
    tracemalloc.start()
    try:
        book = open_workbook(path)  # the pre-flight scan builds no tree: flat too
        count = 0
        for row in book.sheet("Values").rows():
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 15_001
    assert peak < 20 * 1024 * 1024, peak


def test_large_csv_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("Area,Period,Value\n")
        for i in range(200_000):
            fh.write(f"E0{i:07d},2025/26,{i}\n")
    book = open_workbook(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in book.sheets[0].rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_001
    assert peak < 5 * 1024 * 1024, peak


def test_entities_after_a_long_prolog_are_still_refused_by_defusedxml(tmp_path):
    # beyond the 64 KB prolog check: openpyxl's own parse (defusedxml) refuses, and it is mapped
    path = tmp_path / "late.xlsx"
    sst = ('<?xml version="1.0"?><!--' + "x" * 70_000 + '-->' + BILLION_LAUGHS +
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
              extra={"xl/sharedStrings.xml": sst})
    refused(path, wbmod.XmlEntities, "xml_entities", "entity", seconds=3)


def test_a_dimension_that_understates_drops_nothing(tmp_path):
    # openpyxl read-only trusts <dimension> and would drop C5 (anchor 44, E12): we reset it
    path = tmp_path / "small_dim.xlsx"
    hand_xlsx(path, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="C5"><v>7</v></c></row>',
                              dimension="A1"))
    rows = list(open_workbook(path).sheets[0].rows())
    assert [(r.number, r.values) for r in rows] == [(1, [1]), (5, [None, None, 7])]


def test_missing_file(tmp_path):
    with pytest.raises(wbmod.WorkbookMissing) as info:
        open_workbook(tmp_path / "gone.xlsx")
    assert info.value.code == "missing" and info.value.exit_code == 2 and "gone.xlsx" in info.value.message
