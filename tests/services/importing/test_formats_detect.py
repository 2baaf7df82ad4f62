"""Formats of the field are recognised by their content (headings, JSON keys), not their
names; a plain table is left to the plain reader; a format refuses a kind it cannot
feed, and unpivot reshapes a wide table without pandas guessing at text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cypdesk.services.importing.formats import FormatError, detect
from cypdesk.services.importing.reshape import ReshapeError, unpivot
from cypdesk.services.importing.source import SourceRow, SourceTable

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "real"


@pytest.mark.parametrize("name, fmt", [
    ("fingertips/ohid_fingertips_indicators-CountyUA.data.csv", "fingertips"),
    ("children_stats/dfe_ees_cin_cla_sen_la.csv", "dfe_ees"),
    ("children_stats/dfe_ees_cla_number_and_rate_per_10k_children.csv", "dfe_ees"),
    ("children_stats/dfe_ees_la_conviction_health_outcome_cla.csv", "dfe_ees"),
    ("children_stats/dfe_sfr41_2016_cla_la_tables.xlsx", "dfe_la_tables"),
    ("children_stats/dfe_sfr30_2011_oc2_underlying_data.xls", "dfe_la_tables"),
    ("spend/dfe_s52_childrens_services_outturn_2008-09.csv", "s52"),
    ("contracts/norfolk_cc_contracts_register_2015-03.csv", "lgtc_contracts"),
    ("grants/trafford_council_vcse_grants_360giving.csv", "360giving"),
    ("grants/andrew_lloyd_webber_foundation_360giving.xlsx", "360giving"),
    ("contracts/contractsfinder_ocds_nottscc_disabled_children_services.json", "ocds"),
    ("geography/ons_ward_to_lad_dec2019_uk.csv", "ons_lookup"),
    ("geography/ons_ward_lad_county_region_country_dec2018_uk.csv", "ons_lookup"),
    ("spend/lambeth_payments_over_500_2012-06.csv", "spend"),
])
def test_each_real_file_is_recognised_by_its_content(name, fmt, tmp_path):
    """Each real file is detected as its format, also when renamed to a neutral name
    (detection reads content, not names)."""
    found = detect(REAL / name)
    assert found is not None and found.name == fmt
    renamed = tmp_path / ("data" + Path(name).suffix)
    renamed.write_bytes((REAL / name).read_bytes())
    assert detect(renamed).name == fmt


def test_plain_table_and_non_workbook_are_not_a_format(tmp_path):
    """A plain CSV of services and a file that is not a workbook: None, so the plain
    table reader (and its precise refusals) takes over."""
    plain = tmp_path / "services.csv"
    plain.write_text("Service,Provider,Annual cost\nFamily hub,Barnardo's,£12,000\n", encoding="utf-8")
    assert detect(plain) is None
    binary = tmp_path / "photo.xlsx"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    assert detect(binary) is None


def test_format_refuses_a_kind_it_cannot_feed_naming_the_kind_to_use():
    """A Fingertips export asked for as contracts: a plain refusal saying it imports
    into indicator values (exit 1)."""
    fmt = detect(REAL / "fingertips/ohid_fingertips_indicators-CountyUA.data.csv")
    with pytest.raises(FormatError) as err:
        fmt.tables(REAL / "fingertips/ohid_fingertips_indicators-CountyUA.data.csv", "contracts")
    assert "ohid_fingertips_indicators-CountyUA.data.csv is a Fingertips export" in err.value.message
    assert "--kind indicator_values" in err.value.message and err.value.exit_code == 1


def _table(headers, rows, path=Path("wide.xlsx")) -> SourceTable:
    return SourceTable(path=path, sheet="Data", headers=headers, letters=[chr(65 + i) for i in range(len(headers))],
                       rows=lambda: iter([SourceRow(n, list(v), hidden=(n == 3)) for n, v in rows]), notes=[])


def test_unpivot_keeps_values_exactly_as_read_and_row_numbers():
    """Wide years across the columns become one row per year: text like 'NA' and
    '00123', an LA code stored as 926.0, dates and blanks reach the converter as they
    were (pandas parses nothing); each long row keeps its source row number and hidden
    flag, in the source's order."""
    when = dt.datetime(2024, 3, 31)
    table = _table(["LA code", "Provider", "2023", "2024"],
                   [(2, [926.0, "NA", "00123", when]), (3, ["841", None, None, "c"])])
    long = unpivot(table, ["2023", "2024"], name_header="Year", value_header="Value")
    assert long.headers == ["LA code", "Provider", "Year", "Value"]
    assert long.letters == ["A", "B", "", ""]
    rows = list(long.rows())
    assert [(r.number, r.values, r.hidden) for r in rows] == [
        (2, [926.0, "NA", "2023", "00123"], False),
        (2, [926.0, "NA", "2024", when], False),
        (3, ["841", None, "2023", None], True),
        (3, ["841", None, "2024", "c"], True),
    ]
    assert list(long.rows()) == rows  # re-iterable
    dropped = unpivot(table, ["2023", "2024"], name_header="Year", value_header="Value", drop_blank=True)
    assert [(r.number, r.values[2]) for r in dropped.rows()] == [(2, "2023"), (2, "2024"), (3, "2024")]


def test_unpivot_refuses_a_missing_column_and_a_clashing_heading():
    """Unpivoting a column the table lacks, or naming a new column like a kept one: a
    plain refusal naming the file."""
    table = _table(["Area", "2023"], [(2, ["Kent", 5])])
    with pytest.raises(ReshapeError, match="wide.xlsx has no column '2024'"):
        unpivot(table, ["2024"], name_header="Year", value_header="Value")
    with pytest.raises(ReshapeError, match="same heading"):
        unpivot(table, ["2023"], name_header="Area", value_header="Value")


def _fingertips_xlsx(path: Path, rows: int = 100) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Indicator ID", "Indicator Name", "Area Code", "Area Name", "Time period", "Value"])
    for i in range(rows):
        ws.append([90631, "Infant mortality", f"E060000{i % 90:02d}", f"Area {i}", "2015", i])
    wb.save(path)
    return path


def _rewrite(src: Path, dst: Path, member: str, change) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == member else data)
    return dst


def test_xlsx_detection_reads_only_the_first_rows(tmp_path):
    """A workbook whose sheet XML is cut off after its first rows is still recognised
    (detection streams the first rows and stops), while the reader, which reads it all,
    refuses it as damaged: detection does not read whole sheets."""
    from cypdesk.io.workbook import WorkbookError, open_workbook

    whole = _fingertips_xlsx(tmp_path / "whole.xlsx", rows=400)
    cut = _rewrite(whole, tmp_path / "cut.xlsx", "xl/worksheets/sheet1.xml",
                   lambda data: data[: data.index(b'<row r="300"') + 20])
    found = detect(cut)
    assert found is not None and found.name == "fingertips"
    with pytest.raises(WorkbookError):
        wb = open_workbook(cut)
        for sheet in wb.sheets:
            list(sheet.rows())


def test_xlsx_detection_never_parses_entities_or_a_zip_bomb(tmp_path):
    """Detection of an xlsx with a DOCTYPE/entity in its sheet, or a part that
    would expand more than 200 times its compressed size: None at once (nothing parsed
    through entities, nothing inflated), so the reader's own refusal names the problem."""
    import time
    import zipfile

    whole = _fingertips_xlsx(tmp_path / "ok.xlsx", rows=5)
    laughs = _rewrite(whole, tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml", lambda data: data.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                       b"<worksheet", 1).replace(b"Infant mortality", b"&b;", 1))
    assert b"<!ENTITY" in zipfile.ZipFile(laughs).read("xl/worksheets/sheet1.xml")
    assert detect(laughs) is None
    bomb = tmp_path / "bomb.xlsx"
    _rewrite(whole, bomb, "", lambda data: data)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (50 << 20))
    started = time.monotonic()
    assert detect(bomb) is None
    assert time.monotonic() - started < 2
