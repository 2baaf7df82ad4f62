"""An import reads its rows column by column (cypdesk.services.importing.columns) and
writes them with a DB-API executemany (writing._insert_run), for speed (issue 9,
Benchmarks): these tests prove it plans and writes exactly what the row-by-row reading
and SQLAlchemy's Core insert did, and that most rows of a big sheet skip the row-by-row
reading."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, create_engine, text

from cypdesk.io.cellvalues import Suppressed
from cypdesk.model.fields import fields_of
from cypdesk.model.registry import kind_of
from cypdesk.services.importing import ImportOptions, open_source, opened, run_import
from cypdesk.services.importing import engine as engine_module
from cypdesk.services.importing.columns import BATCH_ROWS, SPECIAL, _Column, _read, column_values
from cypdesk.services.importing.engine import make_plan

HEADINGS = ["Indicator ID", "Indicator Name", "Area Code", "Area Name", "Area Type", "Sex", "Age", "Category Type",
            "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count",
            "Denominator", "Value note"]


@pytest.fixture(autouse=True)
def nothing_kept():
    opened.forget()
    yield
    opened.forget()


def meta(kind: str, name: str):
    return dict(fields_of(kind_of(kind), include_system=True))[name]


def row_by_row(cells, column, date1904=False):
    """What _Planner.row reads of each cell: _read's value, SPECIAL for a problem or a
    suppressed figure."""
    out = []
    for raw in cells:
        try:
            value = _read(column, column.meta, raw, column.sub or column.field, date1904)
        except ValueError:
            value = SPECIAL
        out.append(SPECIAL if isinstance(value, Suppressed) else value)
    return out


CELLS = {
    ("indicator_values", "value", False): ["12.5", " 12.5 ", "1,234", "c", "x", "", None, 3.0, 4, True, "abc",
                                           "-0.25", "1e3", "12.5", float("inf"), "£1.2m", "(500)", "  ", "n/a"],
    ("indicator_values", "period", False): ["2022/23", "2022-23", "2022", "Mar 2026", "Q1 2023/24", "nonsense", "",
                                            None, 2022.0, "2022/23"],
    ("indicator_values", "extracted_on", False): ["01/02/2024", "2024-02-01", 45000.0, "32/13/2024", None, "",
                                                  date(2024, 2, 1), datetime(2024, 2, 1, 9, 30), "01/02/2024"],
    ("indicator_values", "sex", False): ["Female", " Male ", "", None, 1.0, "=1+1", "a\x07b", "Female"],
    ("indicator_values", "suppressed", False): ["c", "x", "[c]", "nonsense", None, "c"],
    ("areas", "gss_code", False): ["E06000023", "e06000023", "E0600002", 6000023.0, None, "E06000023"],
    ("agreement_partners", "overspend_pct", True): [0.125, 12.5, "12.5%", "150", -1.0, None, "12.5"],
    ("contributions", "cash", False): ["100", "-5", None, "", 12.0, "£1,200"],
}


@pytest.mark.parametrize("kind, name, fraction", list(CELLS))
def test_a_column_read_at_once_gives_each_cell_what_the_row_by_row_reading_gives(kind, name, fraction):
    """column_values (numbers by float() alone, each distinct text once, 1, 1.0 and True
    kept apart) gives every cell the value _read gives it, and marks exactly the cells
    _read refuses or reads as suppressed; a second batch, read from the column's memory,
    gives the same."""
    field_meta = meta(kind, name)
    cells = CELLS[(kind, name, fraction)]
    expected = row_by_row(cells, _Column(0, name, "A", name, None, field_meta, fraction=fraction))
    column = _Column(0, name, "A", name, None, field_meta, fraction=fraction)
    for _ in range(2):
        values, special = column_values(column, cells, False)
        assert len(values) == len(expected)
        for got, want in zip(values, expected):
            assert got is SPECIAL if want is SPECIAL else (got == want or (got != got and want != want)), (got, want)
            assert type(got) is type(want)
        assert special == {i for i, v in enumerate(expected) if v is SPECIAL}


def test_a_required_column_with_a_default_sends_its_blank_cells_row_by_row():
    """Where a blank keeps the field's default (blank_is_special), the blank cells are
    marked for the row-by-row reading; the others are read."""
    column = _Column(0, "cash", "A", "cash", None, meta("contributions", "cash"))
    values, special = column_values(column, ["10", None, "", "  ", "5"], False, blank_is_special=True)
    assert values[0] == 10.0 and values[4] == 5.0
    assert special == {1, 2, 3}


def fingertips_csv(path, rows: list[list]) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADINGS)
        writer.writerows(rows)


def mixed_rows(extra: int = 0, value_shift: float = 0.0) -> list[list]:
    """More rows than a batch holds: 3 indicators x 40 areas x periods, a new area first
    named in the second batch, an unreadable value, suppressed markers, a duplicate with
    a different value and one with the same, a row without an area code."""
    rows = []
    n = 0
    for ind in range(3):
        for year in range(2000, 2022):
            for area in range(40):
                value = f"{10 + (n * 37 % 500) / 10 + value_shift:.1f}"
                rows.append([93100 + ind, f"Columns test {ind}", f"E06{area:06d}", f"Columns area {area}",
                             "Counties & UAs (from Apr 2023)", "Persons" if n % 5 else "Female", "0-17 yrs", "", "",
                             f"{year}/{(year + 1) % 100:02d}", value, "1.0", "2.0", str(n % 90), "1000", ""])
                n += 1
    assert len(rows) > BATCH_ROWS + 100
    rows[5][10] = "12.x"                       # unreadable
    rows[6][10] = "c"                          # suppressed
    rows[7][13] = "*"                          # a marker in the count: no count
    rows[BATCH_ROWS + 50][2:4] = ["E06999999", "A new area"]   # first named in the second batch
    rows[BATCH_ROWS + 51][2:4] = ["E06999999", "A new area"]
    rows.append(list(rows[100]))               # the same again: unchanged
    changed = list(rows[101])
    changed[10] = "999.9"
    rows.append(changed)                       # the same key, another value: which is right?
    missing = list(rows[102])
    missing[2] = missing[3] = ""
    rows.append(missing)                       # no area
    return rows[: len(rows) - extra] if extra else rows


def planned(plan) -> dict:
    """A plan without its random ids: each id the plan makes named by its kind and title."""
    made = {row["id"]: f"{kind}:{row.get(kind_of(kind).__title__)}"
            for kind, rows in plan.inserts.items() for row in rows}
    result = plan.result.to_json()
    result.pop("import_id")

    def named(values):
        return {k: made.get(v, v) if isinstance(v, str) else v for k, v in values.items() if k != "id"}

    return {"result": result,
            "inserts": {kind: [named(row) for row in rows] for kind, rows in plan.inserts.items()},
            "updates": [(t, made.get(i, i), title, changes) for t, i, title, changes in plan.updates]}


def test_rows_taken_column_by_column_plan_exactly_what_row_by_row_reading_planned(tmp_path, ws, monkeypatch):
    """A Fingertips sheet of more than one batch, with problems, suppressed figures,
    duplicates and an area first named mid-batch, planned column by column, then with
    take_batch replaced by the row-by-row reading: the same counts, problems (in order,
    with their rows and columns), records made, rows inserted; then the same for a
    re-import of the sheet with every value changed (the same field changes)."""
    path = tmp_path / "indicators-columns.data.csv"
    fingertips_csv(path, mixed_rows())
    table = open_source(path, kind="indicator_values")
    options = ImportOptions(kind="indicator_values")
    fast = planned(make_plan(ws, table, options))
    assert fast["result"]["rejected"] == 3 and fast["result"]["unchanged"] == 1
    assert [(p["row"], p["column"]) for p in fast["result"]["problems"]][:1] == [(7, "K")]

    def one_by_one(planner, batch):
        for source_row in batch:
            planner.row(source_row)

    with monkeypatch.context() as patched:
        patched.setattr(engine_module, "take_batch", one_by_one)
        slow = planned(make_plan(ws, table, options))
    assert fast == slow

    run_import(ws, table, ImportOptions(kind="indicator_values", skip_invalid=True))
    fingertips_csv(path, mixed_rows(value_shift=0.5))
    opened.forget()
    table = open_source(path, kind="indicator_values")
    fast = planned(make_plan(ws, table, options))
    assert fast["result"]["changed"] > BATCH_ROWS
    with monkeypatch.context() as patched:
        patched.setattr(engine_module, "take_batch", one_by_one)
        slow = planned(make_plan(ws, table, options))
    assert fast == slow


def test_most_rows_of_a_big_sheet_skip_the_row_by_row_reading(tmp_path, ws, monkeypatch):
    """Of a Fingertips sheet's 2,743 rows (3 indicators, 41 areas), only those naming an
    indicator or area no earlier row named, or with a problem or a suppressed figure, go
    through _Planner.row (counted by wrapping it); every value is still imported."""
    path = tmp_path / "indicators-columns.data.csv"
    rows = mixed_rows()
    fingertips_csv(path, rows)
    calls = []
    row = engine_module._Planner.row

    def counting(planner, source_row):
        calls.append(source_row.number)
        return row(planner, source_row)

    monkeypatch.setattr(engine_module._Planner, "row", counting)
    table = open_source(path, kind="indicator_values")
    result = run_import(ws, table, ImportOptions(kind="indicator_values", skip_invalid=True))
    assert result.added == len(rows) - 4 and result.rejected == 3
    new_references = 3 + 41                  # each indicator's and area's first row
    problems_and_markers = 4                 # unreadable, suppressed, duplicate with another value, no area
    assert len(calls) <= new_references + problems_and_markers


def insert_both_ways(rows, stamps):
    """The same rows written by writing._insert_run and by SQLAlchemy's Core insert into
    two copies of a table with dates, times, flags, figures and defaults: what each stored."""
    from cypdesk.services.importing.writing import _insert_run

    stored = []
    for way in ("raw", "core"):
        metadata = MetaData()
        table = Table("t", metadata, Column("id", String, primary_key=True), Column("day", Date),
                      Column("at", DateTime), Column("flag", Boolean), Column("figure", Float),
                      Column("count", Integer), Column("label", String, default="none given"),
                      Column("status", String, server_default="active"), Column("created_at", DateTime),
                      Column("hlc", String), Column("owner_org_id", String))
        engine = create_engine("sqlite://")
        metadata.create_all(engine)
        with engine.begin() as conn:
            if way == "raw":
                _insert_run(conn, table, [dict(row) for row in rows], stamps)
            else:
                conn.execute(table.insert(), [{**row, **stamps, "owner_org_id": row.get("owner_org_id")}
                                              for row in rows])
            stored.append(conn.execute(text("SELECT * FROM t ORDER BY rowid")).all())
    return stored


def test_the_raw_insert_stores_what_the_core_insert_stores():
    """Dates, date-times, flags, whole numbers in a Float column, blanks, a left-out
    column with a scalar default and one with the database's default, the batch's stamps:
    the executemany stores exactly the values SQLAlchemy's Core insert stores."""
    stamps = {"created_at": datetime(2026, 12, 5, 6, 0, 1, 250), "hlc": "0001"}
    rows = [{"id": "a", "day": date(2024, 2, 1), "at": datetime(2024, 2, 1, 9, 30), "flag": True, "figure": 5,
             "count": 3},
            {"id": "b", "day": date(2024, 2, 1), "at": None, "flag": False, "figure": 2.5, "count": None},
            {"id": "c", "day": None, "at": datetime(2024, 2, 1, 9, 30), "flag": None, "figure": None, "count": 0}]
    raw, core = insert_both_ways(rows, stamps)
    assert raw == core
    assert raw[0][4] == 5.0 and isinstance(raw[0][4], float)
    assert raw[0][6:8] == ("none given", "active")


def test_stamping_rows_makes_an_id_only_for_a_row_without_one(monkeypatch, ws):
    """stamp_rows keeps the ids rows carry and makes one only where a row has none
    (counted by wrapping new_id): an import's 200,000 rows come with theirs."""
    from cypdesk.model import tracking

    made = []
    real = tracking.new_id

    def counting():
        made.append(1)
        return real()

    monkeypatch.setattr(tracking, "new_id", counting)
    rows = tracking.stamp_rows([{"id": "kept"}, {}, {"id": "also kept"}], ws.author, ws.clock)
    assert [r["id"] for r in rows][::2] == ["kept", "also kept"]
    assert len(made) == 1
    assert rows[0]["created_hlc"] == rows[1]["hlc"] and rows[0]["owner_org_id"] is None


def test_new_ids_are_random_version_4_uuids_written_as_uuid_writes_them():
    """new_id gives the text of an RFC 4122 version-4 UUID, lower case with hyphens,
    and no two alike in 20,000."""
    from cypdesk.model.base import new_id

    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:2_000]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value


def test_an_import_writes_with_a_page_cache_that_does_not_spill_and_gives_the_default_back(tmp_path, ws,
                                                                                           monkeypatch):
    """While an import writes, SQLite's page cache on its connection is 128 MiB (seen
    from inside write_plan, wrapped to read PRAGMA cache_size), so 200,000 rows do not
    spill into the file with a journal sync each time; afterwards the connection has
    its default cache again."""
    from cypdesk.services.importing import writing

    seen = []
    write_plan = writing.write_plan

    def watching(conn, *args, **kwargs):
        seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar())
        return write_plan(conn, *args, **kwargs)

    monkeypatch.setattr(writing, "write_plan", watching)
    with ws.bulk() as conn:
        default = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    path = tmp_path / "indicators-columns.data.csv"
    fingertips_csv(path, mixed_rows()[10:60])
    run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    assert seen == [-131_072]
    with ws.bulk() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == default != -131_072


def test_fingertips_rows_made_column_by_column_read_each_cell_as_before(tmp_path, monkeypatch):
    """The Fingertips format makes its rows a chunk at a time, column by column (chunks
    of 3 rows here, CHUNK_ROWS patched, so the remembered forms carry over): text cells
    trimmed, "Persons" no breakdown, "Category Type: Category" or either alone, area
    types as kinds, suppression markers split from values and dropped from limits, plain
    figures passed through, a True beside numbers in one column read cell by cell."""
    import openpyxl

    from cypdesk.services.importing.formats import fingertips

    monkeypatch.setattr(fingertips, "CHUNK_ROWS", 3)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Data"
    sheet.append(HEADINGS)
    sheet.append([93000, " Rate  per\xa01,000 ", "E06000001", "Hartlepool", "Counties & UAs (from Apr 2023)",
                  "Persons", "0-17 yrs", "Deprivation", "Most deprived", "2022/23", 12.5, "*", 14.0, 1, 1000, ""])
    sheet.append([93000, "Rate per 1,000", "E06000002", "Middlesbrough", "Region", "Female", "0-4 yrs", None,
                  "Girls", "2022/23", "c", 1.5, "2", "x", None, "Value suppressed"])
    sheet.append([True, "Rate per 1,000", "E06000003", "Redcar", "Ward", " Male ", None, "Ethnicity", None,
                  "2022/23", " 7.25 ", None, None, 3.0, 30.0, None])
    sheet.append([93000.0, "Rate per 1,000", "E06000001", "Hartlepool", "Counties & UAs (from Apr 2023)",
                  "persons", "0-17 yrs", None, None, "2023/24", 0.0, 0, "12", 4, 40, None])
    path = tmp_path / "fingertips-2024-05-01.xlsx"
    wb.save(path)
    table = open_source(path, kind="indicator_values")
    rows = [(r.number, r.values[:18]) for r in table.rows()]
    assert rows == [
        (2, ["93000", "Rate per 1,000", "E06000001", "Hartlepool", None, None, "0-17 yrs",
             "Deprivation: Most deprived", "2022/23", 12.5, None, None, 14.0, None, None, 1, 1000, None]),
        (3, ["93000", "Rate per 1,000", "E06000002", "Middlesbrough", "region", "Female", "0-4 yrs", "Girls",
             "2022/23", None, "c", 1.5, "2", None, None, None, None, "Value suppressed"]),
        (4, ["True", "Rate per 1,000", "E06000003", "Redcar", "ward", "Male", None, "Ethnicity", "2022/23",
             "7.25", None, None, None, None, None, 3, 30, None]),
        (5, ["93000", "Rate per 1,000", "E06000001", "Hartlepool", None, None, "0-17 yrs", None,
             "2023/24", 0, None, 0, "12", None, None, 4, 40, None]),
    ]
    assert {r.values[18] for r in table.rows()} == {"OHID Fingertips"}
    assert {r.values[19] for r in table.rows()} == {date(2024, 5, 1)}
