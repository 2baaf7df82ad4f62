"""Importing 200,000 indicator values (issue 9, Benchmarks): a Fingertips-shaped sheet,
as xlsx and as csv, through ``cypdesk import``, against a yardstick measured in the
same run: python-calamine's bare read of the same file (``csv.reader`` for the csv,
which calamine does not read) plus a bare sqlite3 ``executemany`` of the same rows into
a table with the same columns and indexes as ``indicator_values``.

    .venv/bin/python bench/bench_import.py [--rows 200000] [--rounds 3] [--csv-only]

``run.py`` runs it too, with its ``--rounds``: allow minutes a round. The sheet is
generated once into ``bench/out/`` (the xlsx takes a minute or two to write). Each
measurement is a child process timed from outside (whole-process wall time, so
interpreter start and imports count, as they do for the user), with its peak RSS read
from ``wait4``; the commands alternate within each round. Printed per format:

- first import into a new document (copied from an empty one made once), and its
  ratio to the yardstick (target at most 2x, stretch 1.5x);
- re-import of the same file into the imported document (all unchanged), and its ratio
  to the first import (target at most 1.5x);
- peak RSS of every command (target under 1 GB);
- the same ratios in CPU seconds (user + system, from ``wait4``), steadier than wall
  time on a shared machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable

HEADINGS = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
            "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
            "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator",
            "Value note", "Recent Trend", "Compared to England value or percentiles",
            "Compared to Region value or percentiles", "Time period Sortable", "New data", "Compared to goal"]
SEXES = ("Persons", "Male", "Female")


def fingertips_rows(n: int):
    """n distinct rows: indicators x areas x sexes x periods, values with a suppressed one now and then."""
    i = 0
    for ind in range(40):
        for sex in SEXES:
            for year in range(2000, 2024):
                period = f"{year}/{(year + 1) % 100:02d}"
                for area in range(152):
                    if i >= n:
                        return
                    code = f"E06{area:06d}"
                    value = None if i % 97 == 0 else round(10 + (i * 7919 % 10_000) / 100, 4)
                    count = None if value is None else i % 900 + 10
                    yield [90000 + ind, f"Indicator {ind} per 1,000 children", "E92000001", "England", code,
                           f"Area {area}", "Counties & UAs (from Apr 2023)", sex, "0-17 yrs", None, None, period,
                           value, None if value is None else value * 0.9, None if value is None else value * 1.1,
                           None, None, count, None if value is None else 100_000 + i % 5000,
                           "Value suppressed" if value is None else None, None, "Not compared", "Not compared",
                           year * 10000, None, None]
                    i += 1


def make(rows: int, csv_only: bool) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    path = OUT / f"fingertips_{rows}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADINGS)
            for r in fingertips_rows(rows):
                w.writerow(["" if v is None else v for v in r])
        tmp.replace(path)
    paths["csv"] = path
    if not csv_only:
        path = OUT / f"fingertips_{rows}.xlsx"
        if not path.exists():
            import openpyxl
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("Data")
            ws.append(HEADINGS)
            for r in fingertips_rows(rows):
                ws.append(r)
            tmp = path.with_name(path.stem + ".tmp.xlsx")
            wb.save(tmp)
            tmp.replace(path)
        paths["xlsx"] = path
    return paths


# The yardstick: python-calamine's bare read (xlsx) or csv.reader (csv), then a bare
# executemany of the same rows into a table with indicator_values' columns and indexes.
YARDSTICK = r"""
import sqlite3, sys, uuid
from pathlib import Path
src, db, schema_from = sys.argv[1], sys.argv[2], sys.argv[3]
if src.endswith(".csv"):
    import csv
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
else:
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(src).get_sheet_by_name("Data").to_python()
rows = rows[1:]
con = sqlite3.connect(schema_from)
ddl = [r[0] for r in con.execute(
    "select sql from sqlite_master where tbl_name = 'indicator_values' and sql is not null")]
info = list(con.execute("pragma table_info(indicator_values)"))
cols = [r[1] for r in info]
def filler(decl):
    decl = (decl or "").upper()
    return 0 if any(t in decl for t in ("INT", "REAL", "NUM", "FLOAT", "BOOL")) else "2000-04-01"
fill = {r[1]: filler(r[2]) for r in info if r[3] and r[5] == 0}  # NOT NULL, not the key: a constant
con.close()
con = sqlite3.connect(db)
for stmt in ddl:
    con.execute(stmt)
con.execute("pragma foreign_keys = off")
take = {"indicator_id": 0, "area_id": 4, "sex": 7, "age": 8, "category": 10, "period": 11, "value": 12,
        "lower_ci": 13, "upper_ci": 14, "lower_ci_998": 15, "upper_ci_998": 16, "numerator": 17,
        "denominator": 18, "note": 19}
pos = [(c, take.get(c)) for c in cols]
def rec(r):
    return tuple(str(uuid.uuid4()) if c == "id" else (r[i] if i is not None and i < len(r) and r[i] != ""
                 else fill.get(c)) for c, i in pos)
with con:
    con.executemany(f"insert into indicator_values ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                    (rec(r) for r in rows))
con.close()
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child
    process; raises on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{out[-2000:]}\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--csv-only", action="store_true")
    args = parser.parse_args()
    t = time.perf_counter()
    paths = make(args.rows, args.csv_only)
    print(f"sheets ready in {time.perf_counter() - t:.0f} s: " + ", ".join(str(p.relative_to(ROOT))
                                                                       for p in paths.values()))
    work = Path(tempfile.mkdtemp(prefix="cypdesk-bench-import-"))
    env = dict(os.environ, CYPDESK_HOME=str(work / "home"), QT_QPA_PLATFORM="offscreen")
    cypdesk = [PY, "-m", "cypdesk"]
    empty = work / "empty.cypdesk"
    subprocess.run([PY, "-c", "import sys; from cypdesk.model.document import Document; "
                    "Document.create(sys.argv[1]).close()", str(empty)], cwd=ROOT, env=env, check=True)
    try:
        for fmt, src in paths.items():
            times: dict[str, list[float]] = {"yardstick": [], "import": [], "reimport": []}
            rss: dict[str, list[float]] = {k: [] for k in times}
            cpu: dict[str, list[float]] = {k: [] for k in times}

            def measure(what: str, argv: list[str]) -> None:
                s, m, c = run(argv, env)
                times[what].append(s)
                rss[what].append(m)
                cpu[what].append(c)

            for _ in range(args.rounds):
                db = work / "yard.sqlite"
                db.unlink(missing_ok=True)
                measure("yardstick", [PY, "-c", YARDSTICK, str(src), str(db), str(empty)])
                doc = work / "doc.cypdesk"
                shutil.copyfile(empty, doc)
                measure("import", cypdesk + ["import", str(doc), str(src), "--kind", "indicator_values"])
                measure("reimport", cypdesk + ["import", str(doc), str(src), "--kind", "indicator_values", "--json"])
            med = {k: statistics.median(v) for k, v in times.items()}
            print(f"\n{src.name} ({args.rows:,} rows, {args.rounds} rounds; median [min-max] s, peak RSS MB, "
                  "CPU s)")
            for k, v in times.items():
                print(f"  {k:10} {med[k]:7.1f} s [{min(v):.1f}-{max(v):.1f}]   peak RSS {max(rss[k]):6.0f} MB"
                      f"   CPU {statistics.median(cpu[k]):6.1f} s")
            for label, measured in (("", times), ("CPU ", cpu)):
                ratios = [i / y for i, y in zip(measured["import"], measured["yardstick"])]
                again = [r / i for r, i in zip(measured["reimport"], measured["import"])]
                print(f"  {label}import / yardstick   {statistics.median(ratios):.2f}x "
                      f"[{min(ratios):.2f}-{max(ratios):.2f}]  (target <= 2x, stretch 1.5x)")
                print(f"  {label}re-import / import   {statistics.median(again):.2f}x "
                      f"[{min(again):.2f}-{max(again):.2f}]  (target <= 1.5x)")
            print(f"  peak RSS             {max(max(v) for v in rss.values()):.0f} MB  (target < 1024 MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
