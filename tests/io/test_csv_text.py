"""CSV text the way officers' tools save it (reliability anchor 53): Windows-1252 with
£ and the warning about what that encoding cannot hold, UTF-8 with a byte-order mark,
UTF-16 "Unicode text", and line endings mixed within one file; then the table found
and its values read as the fields' kinds."""

from __future__ import annotations

import datetime as dt

from cypdesk.io.cellvalues import Suppressed, convert
from cypdesk.io.tablefind import find_table, skip_reason
from cypdesk.io.workbook import open_workbook


def table(path):
    sheet = open_workbook(path).sheets[0]
    loc = find_table(sheet)
    rows = [loc.values(r) for r in sheet.rows() if r.number >= loc.first_data_row and skip_reason(r, loc) is None]
    return sheet.workbook, loc, rows


def test_cp1252_csv_with_pound_amounts_and_the_warning_naming_what_it_cannot_hold(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes("Spend over £500, March 2026\r\n\r\nSupplier,Amount,Paid\r\nCafé Acme,\"£1,234.50\",31/03/2026\r\n"
                     "Beta Ltd,(£500),01-Mar-26\r\n".encode("cp1252"))
    book, loc, rows = table(path)
    assert book.encoding == "cp1252"
    warning = next(w for w in book.warnings if "Windows-1252" in w)
    assert "spend.csv" in warning and "ŵ/ŷ" in warning and "Ł" in warning and "CSV UTF-8" in warning
    assert loc.headers == ["Supplier", "Amount", "Paid"] and loc.header_rows == [3]
    assert [convert("text", r[0]) for r in rows] == ["Café Acme", "Beta Ltd"]
    assert [convert("money", r[1]) for r in rows] == [1234.5, -500.0]
    assert [convert("date", r[2]) for r in rows] == [dt.date(2026, 3, 31), dt.date(2026, 3, 1)]


def test_mixed_line_endings_in_one_file_are_all_line_ends(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"Area,Value\r\nE06000001,12.5\nE06000002,c\rE06000003,..\r\nE06000004,7\n")
    book, loc, rows = table(path)
    assert [r[0] for r in rows] == ["E06000001", "E06000002", "E06000003", "E06000004"]
    assert [convert("number", r[1]) for r in rows] == [12.5, Suppressed("c"), Suppressed(".."), 7.0]


def test_utf8_with_bom_keeps_the_first_heading_clean(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Name,Town\nSiân Llŷr,Aberystwyth\n".encode("utf-8"))
    book, loc, rows = table(path)
    assert loc.headers == ["Name", "Town"] and rows == [["Siân Llŷr", "Aberystwyth"]]
    assert not any("Windows-1252" in w for w in book.warnings)


def test_utf16_unicode_text_with_tabs(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Name\tCode\r\nŁukasz\t00123\r\nعائشہ\tNA\r\n".encode("utf-16"))
    book, loc, rows = table(path)
    assert book.delimiter == "\t"
    assert rows == [["Łukasz", "00123"], ["عائشہ", "NA"]]
    assert convert("identifier", rows[0][1]) == "00123" and convert("text", rows[1][1]) == "NA"
