"""An import's bulk path does less work per row without doing less (issue 9,
Benchmarks; bench/bench_import.py measures the time): Python's cyclic garbage
collector rests while an import plans and writes, and is back as it was afterwards,
also after a refused or failed import; for a kind with one natural key, a row no
record matches is added, and a re-imported row the same in every field is found,
without the general matching of _Planner.record, to the same effect; a column of plain
figures is read whole; new ids come a batch at a time; a re-import indexes the
document's records a block at a time. Each test proves the short way gives what the
general one gives."""

from __future__ import annotations

import gc
import threading

import pytest

from cypdesk.services.importing import ImportOptions, ImportRefused, open_source, opened, plan_import, run_import
from cypdesk.services.importing.collector import collector_paused

HEADINGS = ["Indicator ID", "Indicator Name", "Area Code", "Area Name", "Area Type", "Sex", "Age", "Time period",
            "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count", "Denominator", "Value note"]


@pytest.fixture(autouse=True)
def nothing_kept():
    opened.forget()
    yield
    opened.forget()


@pytest.fixture
def collector_on():
    """The collector running before the test (as in the app), and again after it."""
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def fingertips_csv(path, rows: int, bad_row: int | None = None):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADINGS)
        for i in range(rows):
            value = "12.x" if i == bad_row else f"{10 + i % 50}.5"
            writer.writerow([93200 + i % 3, f"Lean test {i % 3}", f"E06{i % 40:06d}", f"Lean area {i % 40}",
                             "Counties & UAs (from Apr 2023)", "Persons", "0-17 yrs", f"{2000 + i // 120}/"
                             f"{(2001 + i // 120) % 100:02d}", value, "1.0", "2.0", str(i % 90), "1000", ""])
    return path


def test_the_collector_rests_while_an_import_plans_and_writes_and_runs_again_after(tmp_path, ws, collector_on):
    """gc.isenabled() seen from the import's progress reports (made while it reads rows
    and while it writes them) is False throughout; after run_import and after
    plan_import (the preview) the collector runs again."""
    path = fingertips_csv(tmp_path / "indicators-lean.data.csv", 1_200)
    seen = []
    options = ImportOptions(kind="indicator_values", progress=lambda done, total, text: seen.append(
        (text.split()[0], gc.isenabled())))
    result = run_import(ws, open_source(path, kind="indicator_values"), options)
    assert result.added == 1_200
    assert {"Reading", "Adding"} <= {what for what, _ in seen}
    assert {on for _, on in seen} == {False}
    assert gc.isenabled()
    seen.clear()
    plan_import(ws, open_source(path, kind="indicator_values"), options)
    assert seen and {on for _, on in seen} == {False}
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_refused_or_failed_import(tmp_path, ws, db, collector_on):
    """A refused import (an unreadable value, no skip_invalid) and one that fails while
    it writes (its progress report raises) leave the collector running, and the
    document without the file's rows."""
    before = db.count("indicator_values")
    path = fingertips_csv(tmp_path / "indicators-lean.data.csv", 600, bad_row=10)
    with pytest.raises(ImportRefused):
        run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    assert gc.isenabled()

    def failing(done, total, text):
        if text.startswith("Adding"):
            raise OSError(5, "Input/output error")

    path = fingertips_csv(tmp_path / "indicators-lean2.data.csv", 600)
    with pytest.raises(OSError):
        run_import(ws, open_source(path, kind="indicator_values"),
                   ImportOptions(kind="indicator_values", progress=failing))
    assert gc.isenabled()
    assert db.count("indicator_values") == before


def test_a_collector_switched_off_before_an_import_stays_off(tmp_path, ws, collector_on):
    """An application that runs without the collector keeps it off after an import."""
    gc.disable()
    path = fingertips_csv(tmp_path / "indicators-lean.data.csv", 50)
    run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    assert not gc.isenabled()


def test_overlapping_pauses_end_when_the_last_one_ends(collector_on):
    """Two imports at once (two threads, their pauses overlapping, the first to begin
    ending first): the collector stays off until the second ends, then runs again."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with collector_paused():
            second_in.set()
            first_out.wait(5)
            seen["after the first ended"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after the first ended": False}
    assert gc.isenabled()


def test_new_ids_are_distinct_version_4_uuids_written_as_uuid_writes_them():
    """new_ids(n) gives n texts of RFC 4122 version-4 UUIDs, lower case with hyphens, as
    model.base.new_id makes one, none alike in 20,000 (and 0 gives none)."""
    import uuid

    from cypdesk.services.importing.resolve import new_ids

    ids = new_ids(20_000)
    assert len(ids) == len(set(ids)) == 20_000
    for value in ids[:2_000]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value
    assert new_ids(0) == []


def test_rows_no_record_matches_are_added_without_the_general_matching(tmp_path, ws, db, monkeypatch):
    """Of 2,500 new indicator values (more than one batch), only the first 40 (each
    naming an area no earlier row named, read row by row as before) go through
    _Planner.record (counted by wrapping it): the others are added by the short way for
    a kind with one natural key; a row repeating an earlier row's key within the file
    goes through _Planner.record (unchanged, not added twice). A re-import of the same
    file finds every row unchanged, the same rows going through _Planner.record: the
    others are found the short way too."""
    from cypdesk.services.importing import engine

    calls = []
    record = engine._Planner.record

    def counting(planner, number, values, refs, keys=None):
        calls.append(number)
        return record(planner, number, values, refs, keys)

    monkeypatch.setattr(engine._Planner, "record", counting)
    path = fingertips_csv(tmp_path / "indicators-lean.data.csv", 2_500)
    with open(path, "a", encoding="utf-8", newline="") as fh:  # row 2,502: row 2's key and values again
        fh.write(open(path, encoding="utf-8").read().splitlines()[1] + "\n")
    before = db.count("indicator_values")
    result = run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    assert (result.added, result.unchanged, result.rejected) == (2_500, 1, 0)
    assert calls == [*range(2, 42), 2_502]
    assert db.count("indicator_values") == before + 2_500
    calls.clear()
    opened.forget()
    again = run_import(ws, open_source(path, kind="indicator_values"), ImportOptions(kind="indicator_values"))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2_501)
    assert calls == [*range(2, 42), 2_502]


PLAIN_COLUMNS = {
    "plain texts and blanks (a CSV)": (["12.5", "", None, "-3", "12.5", "0.000001", "123456789012345", "0"], True),
    "finite numbers and blanks (an xlsx)": ([12.5, None, -3.0, 0.0, 1e300, 12.5, -0.0], True),
    "an infinity among numbers": ([12.5, float("inf"), None], False),
    "a NaN among numbers": ([12.5, float("nan"), 3.0], False),
    "numbers whose sum passes 1e308": ([1e308, 1e308, 5.0], True),  # cell by cell, each finite: no _value
    "a figure with a thousands comma": (["12.5", "1,234", None], False),
    "a suppression marker": (["12.5", "c", None], False),
    "a whole number and a flag": ([12.5, 3, True], False),
}


@pytest.mark.parametrize("name", list(PLAIN_COLUMNS))
def test_a_column_of_plain_figures_is_read_at_once_as_the_row_by_row_reading_reads_it(name, monkeypatch):
    """A numeric column whose cells are all blanks and plain figures (texts float()
    reads exactly, finite numbers) is read without a step per distinct cell (the
    per-cell reader _value, wrapped, is never called); any other column is read cell by
    cell; either way every cell gets the value the row-by-row reading (_read) gives it,
    and a cell it refuses or reads as suppressed is marked for it."""
    from cypdesk.io.cellvalues import Suppressed
    from cypdesk.model.fields import fields_of
    from cypdesk.model.registry import kind_of
    from cypdesk.services.importing import columns
    from cypdesk.services.importing.columns import SPECIAL, _Column, _read, column_values

    cells, at_once = PLAIN_COLUMNS[name]
    meta = dict(fields_of(kind_of("indicator_values")))["value"]
    expected = []
    for raw in cells:
        try:
            value = _read(_Column(0, "Value", "A", "value", None, meta), meta, raw, "value", False)
        except ValueError:
            value = SPECIAL
        expected.append(SPECIAL if isinstance(value, Suppressed) else value)
    calls = []
    one = columns._value

    def counting(*args):
        calls.append(args[2])
        return one(*args)

    monkeypatch.setattr(columns, "_value", counting)
    values, special = column_values(_Column(0, "Value", "A", "value", None, meta), cells, False)
    assert (not calls) is at_once
    assert special == {i for i, v in enumerate(expected) if v is SPECIAL}
    for got, want in zip(values, expected, strict=True):
        assert got is SPECIAL if want is SPECIAL else (got == want or (got != got and want != want)), (got, want)
        assert type(got) is type(want)


@pytest.mark.parametrize("texts", [
    set(), {"12.5", "-3", "0", "123456789012345.123456789012345"}, {"12\n13"}, {"12", "12\n"}, {"12", "1e5"},
    {"1234567890123456"}, {"-", "1"}, {".5"}, {"5."}, {" 5"}, {"5 "}, {"1,234"}, {"\u0661\u0662"}, {"12", ""},
    {"--1"}, {"1.2.3"}, {"7", "8", "9"},
])
def test_plain_figures_found_in_one_match_are_those_plain_number_matches_one_by_one(texts):
    """all_plain_figures (one match over the texts joined a line each) says yes exactly
    when PLAIN_NUMBER matches every text on its own, also for a text holding a line
    break, an empty text, Unicode digits, 16 digits, signs and points out of place."""
    from cypdesk.io.cellvalues import PLAIN_NUMBER
    from cypdesk.services.importing.values import all_plain_figures

    assert all_plain_figures(texts) is all(PLAIN_NUMBER.fullmatch(t) is not None for t in texts)


def test_records_read_a_block_at_a_time_are_indexed_as_record_by_record(ws, monkeypatch):
    """For every kind with natural keys (several keys, repeatable keys, blank first key
    fields, in the demo document), KindIndex reading the document's records a block at a
    time (keys made column by column) holds the same values and the same records under
    each key, in the same order, as when each record is indexed on its own
    (_index_block replaced by KindIndex._index per record)."""
    from cypdesk.services.importing.keys import NATURAL_KEYS
    from cypdesk.services.importing.resolve import KindIndex

    def record_by_record(index, rows):
        for row in rows:
            index._index(row[-1], dict(zip(index.fields, row)))

    checked = 0
    with ws.doc.engine.connect() as conn:
        for kind in NATURAL_KEYS:
            block = KindIndex(conn, kind)
            with monkeypatch.context() as patched:
                patched.setattr(KindIndex, "_index_block", record_by_record)
                one = KindIndex(conn, kind)
            assert list(block.values.items()) == list(one.values.items()), kind
            assert [list(keys.items()) for keys in block.by_key] == [list(keys.items()) for keys in one.by_key]
            checked += len(block.values)
    assert checked > 100


def test_pairs_of_years_of_an_academic_year_indicator_read_as_academic_years_in_a_batch(importer, db):
    """Every value of an indicator counted in academic years (in the demo), written back
    with '2020/21'-style periods in one file, with rows of a new indicator (financial
    years) before them: the academic indicator's rows, read in a batch after the check of
    which indicators are academic was made, match their values (unchanged); the new
    indicator's rows are added as financial years."""
    rows = db.rows(
        "SELECT i.name, a.name, v.period, v.value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
        "JOIN areas a ON a.id = v.area_id WHERE v.indicator_id IN (SELECT indicator_id FROM indicator_values "
        "GROUP BY indicator_id HAVING min(substr(period, 1, 2)) = 'AY' AND max(substr(period, 1, 2)) = 'AY') "
        "AND v.group_id IS NULL AND v.sex IS NULL AND v.age IS NULL AND v.category IS NULL "
        "AND v.value IS NOT NULL AND length(v.period) = 6")
    assert len(rows) >= 5
    areas = sorted({area for _, area, _, _ in rows})
    lines = ["Indicator,Area,Period,Value"]
    lines += [f'"Lean financial",{area},2020/21,{n}' for n, area in enumerate(areas)]
    lines += [f'"{name}","{area}",{period[2:]}/{(int(period[2:]) + 1) % 100:02d},{value}'
              for name, area, period, value in rows]
    result = importer("ay-batch.csv", "\n".join(lines) + "\n", "indicator_values")
    assert (result.added, result.unchanged, result.changed, result.rejected) == (len(areas), len(rows), 0, 0)
    assert {p for (p,) in db.rows("SELECT DISTINCT v.period FROM indicator_values v JOIN indicators i "
                                  "ON i.id = v.indicator_id WHERE i.name = 'Lean financial'")} == {"FY2020"}
