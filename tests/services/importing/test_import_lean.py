"""An import's bulk path does less work per row without doing less (issue 9,
Benchmarks; bench/bench_import.py measures the time): Python's cyclic garbage
collector rests while an import plans and writes, and is back as it was afterwards,
also after a refused or failed import."""

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
