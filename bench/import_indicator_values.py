"""Importing 200,000 indicator values (issue 9, Benchmarks): ``cypdesk import`` of a
Fingertips-shaped sheet, from csv and from xlsx, against a yardstick measured in the
same run: the bare read of the same file (python-calamine for xlsx, the csv module for
csv) plus a bare ``executemany`` of the same rows into a table with the same columns
and indexes as ``indicator_values``. Then the re-import of the same file (every row
unchanged). Targets: import at most 2x the yardstick (stretch 1.5x), re-import at most
1.5x the first import, peak memory under 1 GB.

Not a bench_*.py (run.py would repeat it; one round takes a minute or more): run it
alone,

    .venv/bin/python bench/import_indicator_values.py [--rows 200000] [--rounds 1] [--csv-only]

It writes the sheets into bench/out/ once (50 indicators x 400 areas x 10 years by
default) and runs each measured step in a child process (whole-process wall time and
the child's peak RSS).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HEADINGS = ["Indicator ID", "Indicator Name", "Area Code", "Area Name", "Area Type", "Sex", "Age",
            "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count", "Denominator"]

YARDSTICK = r"""
import csv, sqlite3, sys, uuid
from datetime import date
from sqlalchemy import create_engine
from cypdesk.model.registry import Base
path, db = sys.argv[1], sys.argv[2]
engine = create_engine(f"sqlite:///{db}")
table = Base.metadata.tables["indicator_values"]
table.create(engine)  # the same columns and indexes
engine.dispose()
if path.endswith(".csv"):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
else:
    import python_calamine
    wb = python_calamine.CalamineWorkbook.from_path(path)
    rows = wb.get_sheet_by_index(0).to_python()[1:]
conn = sqlite3.connect(db)
columns = [c.name for c in table.columns]
marks = ",".join("?" * len(columns))
ids = {}
def rid(key):
    return ids.setdefault(key, str(uuid.uuid4()))
now, stamp = "2026-01-01 00:00:00", "0" * 24
params = [
    tuple({"id": str(uuid.uuid4()), "indicator_id": rid(r[0]), "area_id": rid(r[2]), "period": str(r[7]),
           "period_start": "2020-04-01", "value": r[8], "lower_ci": r[9], "upper_ci": r[10], "numerator": r[11],
           "denominator": r[12], "sex": r[5], "age": r[6], "created_at": now, "updated_at": now,
           "created_hlc": stamp, "hlc": stamp}.get(c) for c in columns)
    for r in rows]
conn.executemany(f"INSERT INTO indicator_values ({','.join(columns)}) VALUES ({marks})", params)
conn.commit()
print(len(params))
"""


def make(rows: int, csv_only: bool) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    indicators, years = 50, 10
    areas = max(1, rows // (indicators * years))
    random.seed(9)
    data = []
    for i in range(indicators):
        for a in range(areas):
            for y in range(years):
                v = round(random.uniform(1, 100), 2)
                data.append([str(90000 + i), f"Indicator {i}", f"E0{6000000 + a}", f"Area {a}", "County & UA",
                             "Persons", "<18 yrs", f"{2010 + y}/{(11 + y) % 100:02d}", v, round(v - 2, 2),
                             round(v + 2, 2), int(v * 10), 1000])
    paths = []
    path = OUT / f"fingertips_{len(data)}.csv"
    if not path.exists():
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADINGS)
            w.writerows(data)
    paths.append(path)
    if not csv_only:
        path = OUT / f"fingertips_{len(data)}.xlsx"
        if not path.exists():
            import openpyxl
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("Data")
            ws.append(HEADINGS)
            for row in data:
                ws.append(row)
            wb.save(path)
        paths.append(path)
    return paths


def child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--csv-only", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-import-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "CYPDESK_HOME": str(work / "home"), "QT_QPA_PLATFORM": "offscreen"}
        demo = work / "demo.cypdesk"
        child([python, "-m", "cypdesk", "demo", str(demo)], env)
        print("file                          yardstick   import (x yardstick)   re-import (x import)   peak RSS")
        for path in make(args.rows, args.csv_only):
            for _ in range(args.rounds):
                db = work / "bare.sqlite"
                db.unlink(missing_ok=True)
                bare, _ = child([python, "-c", YARDSTICK, str(path), str(db)], env)
                doc = work / "doc.cypdesk"
                shutil.copy(demo, doc)
                command = [python, "-m", "cypdesk", "import", str(doc), str(path), "--kind", "indicator_values"]
                first, rss1 = child(command, env)
                again, rss2 = child(command, env)
                print(f"{path.name:<29} {bare:7.1f} s   {first:7.1f} s ({first / bare:4.2f}x)     "
                      f"{again:7.1f} s ({again / first:4.2f}x)     {max(rss1, rss2):5.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
