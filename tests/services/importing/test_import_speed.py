"""An import reads its file as few times as it can (bench/bench_import.py measures the
time): the pre-flight checks run once per file while it is unchanged, python-calamine
loads a sheet's grid once, Fingertips headings are normalised once, each cell is
converted once; and a percent-formatted xlsx cell is read as the percentage Excel shows."""

from __future__ import annotations

import os

import pytest

from cypdesk.io.workbook import Workbook, ZipBomb
from cypdesk.services.importing import ImportOptions, open_source, run_import
from cypdesk.services.importing import opened

FINGERTIPS = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
              "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
              "Upper CI 95.0 limit", "Count", "Denominator", "Value note"]


@pytest.fixture(autouse=True)
def nothing_kept():
    """Every test starts with no file's facts kept from another."""
    opened.forget()
    yield
    opened.forget()


def fingertips_xlsx(path, rows: int = 30):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(FINGERTIPS)
    for i in range(rows):
        ws.append([93000, "Speed test indicator", "E92000001", "England", f"E06{i:06d}", f"Speed area {i}",
                   "Counties & UAs (from Apr 2023)", "Persons", "0-17 yrs", None, None, "2022/23", 10.5 + i,
                   9.0 + i, 12.0 + i, 100 + i, 1000, None])
    wb.save(path)
    return path


@pytest.fixture
def counted(monkeypatch):
    """Counts of the reader's pre-flight passes and python-calamine grid loads, by
    wrapping Workbook._preflight and the calamine book's get_sheet_by_name."""
    counts = {"preflight": 0, "grid": 0}
    preflight = Workbook._preflight
    calamine_sheet = Workbook._calamine_sheet

    def counting_preflight(self):
        counts["preflight"] += 1
        return preflight(self)

    def counting_sheet(self, name):
        cached = getattr(self, "_calamine_loaded", None)
        if cached is None or cached[0] != name:
            counts["grid"] += 1
        return calamine_sheet(self, name)

    monkeypatch.setattr(Workbook, "_preflight", counting_preflight)
    monkeypatch.setattr(Workbook, "_calamine_sheet", counting_sheet)
    return counts


def test_a_fingertips_xlsx_import_checks_the_file_once_and_loads_its_grid_once(tmp_path, ws, counted):
    """One import of a Fingertips xlsx (detection, the format's build, the pass over its
    rows): the pre-flight scan runs once and python-calamine loads the sheet once
    (counted by wrapping Workbook._preflight and Workbook._calamine_sheet); every value
    is imported."""
    path = fingertips_xlsx(tmp_path / "indicators.xlsx")
    table = open_source(path, kind="indicator_values")
    assert table.format == "fingertips"
    result = run_import(ws, table, ImportOptions(kind="indicator_values"))
    assert (result.added, result.rejected) == (30, 0)
    assert counted == {"preflight": 1, "grid": 1}


def test_a_file_changed_after_it_was_checked_is_checked_again(tmp_path, counted):
    """A file replaced by another between two reads (same path) is opened and checked
    afresh: the second open runs the pre-flight again and sees the new rows."""
    path = fingertips_xlsx(tmp_path / "indicators.xlsx", rows=3)
    table = open_source(path, kind="indicator_values")
    assert len(list(table.rows())) == 3
    fingertips_xlsx(tmp_path / "other.xlsx", rows=5)
    os.replace(tmp_path / "other.xlsx", path)
    table = open_source(path, kind="indicator_values")
    assert len(list(table.rows())) == 5
    assert counted["preflight"] == 2


def test_a_file_rewritten_in_place_with_the_same_size_and_times_is_checked_again(tmp_path, ws):
    """A zip bomb written over an imported workbook in place (same inode), with the
    same size and its modification time put back, is still refused as a zip bomb: the
    kept facts are keyed by the change time and the file's first and last bytes too."""
    import zipfile

    plain = fingertips_xlsx(tmp_path / "plain.xlsx", rows=3)
    path = tmp_path / "indicators.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/media/noise.bin", os.urandom(100_000))  # room for the bomb in the same size
    run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    size, st = path.stat().st_size, path.stat()
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/media/padding.bin", b"\0" * (50 << 20))  # 50 MB of zeros: far more than 200 times
    data = bomb.read_bytes()
    assert len(data) <= size
    with open(path, "r+b") as fh:  # in place: same inode
        fh.write(data)
        fh.write(b"\0" * (size - len(data)))  # the same size (trailing bytes a zip reader ignores)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(ZipBomb):
        run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))


def test_fingertips_rows_normalise_each_heading_once_not_once_a_cell(tmp_path, monkeypatch):
    """Reading a Fingertips table's rows normalises its headings a fixed number of
    times whatever the number of rows (counted by wrapping the format module's
    normalise_heading, calls with a heading): 300 rows cost no more than 3."""
    from cypdesk.services.importing.formats import fingertips

    calls = {"n": 0}
    real = fingertips.normalise_heading

    def counting(text):
        calls["n"] += text in FINGERTIPS  # a heading (each row's area type is normalised too: a value)
        return real(text)

    monkeypatch.setattr(fingertips, "normalise_heading", counting)

    def reading(rows: int) -> int:
        opened.forget()
        path = fingertips_xlsx(tmp_path / f"f{rows}.xlsx", rows=rows)
        table = open_source(path, kind="indicator_values")
        calls["n"] = 0
        assert len(list(table.rows())) == rows
        return calls["n"]

    assert reading(300) == reading(3)


def test_a_cell_is_converted_once_when_convert_gives_the_fields_value(monkeypatch):
    """read_value does not pass a value convert already gave in its final form (a
    number, plain text, a period, a date) through records.coerce again (counted by
    wrapping coerce), and gives the same values as convert-then-coerce would."""
    from datetime import date

    from cypdesk.io.cellvalues import convert
    from cypdesk.model.fields import FieldMeta
    from cypdesk.services import records
    from cypdesk.services.importing.values import read_value

    cases = [("number", "12.5"), ("number", 7.0), ("money", "£1.2m"), ("percent", "45%"), ("integer", "12"),
             ("text", "  Willow Tree  "), ("long_text", "a\r\nb"), ("period", "2022/23"), ("date", "03/08/2007"),
             ("date", 39297.0), ("bool", "yes"), ("email", "a@b.org")]
    expected = [records.coerce(FieldMeta(label="F", kind=kind), convert(kind, raw)) for kind, raw in cases]
    calls = {"n": 0}
    real = records.coerce

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(records, "coerce", counting)
    got = [read_value(FieldMeta(label="F", kind=kind), raw) for kind, raw in cases]
    assert got == expected
    assert expected[8] == date(2007, 8, 3)
    assert calls["n"] == 0


def test_a_percent_formatted_xlsx_cell_imports_as_the_percentage_excel_shows(tmp_path, ws, db):
    """Excel stores 12.5% as 0.125 in a cell formatted '0.0%': imported into a percent
    field (a contract's social value weighting) it is 12.5; the same 0.125 in a sheet
    where it is not formatted as a percentage stays 0.125."""
    import openpyxl

    from cypdesk.services.importing import Mapping

    mapping = Mapping(kind="contracts", columns={"Contract": "title", "Provider": "supplier_id.name",
                                                 "Weighting": "social_value_pct"})
    for title, percent in (("Speed test contract A", True), ("Speed test contract B", False)):
        wb = openpyxl.Workbook()
        sheet = wb.active
        sheet.title = "Register"
        sheet.append(["Contract", "Provider", "Weighting"])
        sheet.append([title, "Willow Tree Nurseries", 0.125])
        if percent:
            sheet["C2"].number_format = "0.0%"
        path = tmp_path / f"register {title[-1]}.xlsx"
        wb.save(path)
        table = open_source(path, kind="contracts")
        assert table.format == "table" and ("C" in table.percent_letters) is percent
        result = run_import(ws, table, ImportOptions(kind="contracts", mapping=mapping))
        assert (result.added, result.rejected) == (1, 0), result.problems
    assert db.rows("SELECT title, social_value_pct FROM contracts WHERE title LIKE 'Speed test contract %' "
                   "ORDER BY title") == [("Speed test contract A", 12.5), ("Speed test contract B", 0.125)]


def test_a_completed_return_template_is_checked_once_for_its_headings_and_its_rows(tmp_path, counted):
    """Reading a filled-in return template (its hidden sheet, headings, then its rows)
    runs the reader's pre-flight once, not once for the headings and again for the rows
    (counted by wrapping Workbook._preflight); both typed rows are read."""
    import openpyxl

    from cypdesk.services.templates import read_template, write_template

    path = write_template("organisations", tmp_path / "return.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Organisations"]
    for r, name in enumerate(("Harbour Lights Youth Trust", "Northgate Care Ltd"), start=2):
        sheet.cell(row=r, column=1, value=name)
    book.save(path)
    table = read_template(path, kind="organisations")
    assert [row.values[0] for row in table.rows()] == ["Harbour Lights Youth Trust", "Northgate Care Ltd"]
    assert counted["preflight"] == 1
