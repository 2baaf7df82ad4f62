"""A full 1,048,576-row sheet streamed through cypdesk.io.workbook (issue 9: "a real
1,048,576-row sheet streams in under the 1 GB memory ceiling").

Not a bench_*.py (run.py would repeat it; one round takes minutes): run it alone,

    .venv/bin/python bench/stream_big_sheet.py [--rows N] [--csv-only]

It writes a Fingertips-shaped sheet (4 columns) as xlsx (openpyxl write_only) and csv
into bench/out/ once, then reads each in a child process and prints the rows read,
seconds and the child's peak RSS. Target: peak RSS under 1 GB (it is far below).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

CHILD = r"""
import resource, sys, time
from cypdesk.io.workbook import open_workbook
t = time.perf_counter()
with open_workbook(sys.argv[1]) as wb:
    n = sum(1 for s in wb.sheets for _ in s.rows())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{n} {time.perf_counter() - t:.1f} {rss:.0f}")
"""


def make(rows: int, csv_only: bool) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    path = OUT / f"big_{rows}.csv"
    if not path.exists():
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Area Code", "Time period", "Value", "Count"])
            for i in range(rows - 1):
                w.writerow([f"E0{i % 9999999:07d}", "2024/25", i * 0.25, i % 1000])
    paths.append(path)
    if not csv_only:
        path = OUT / f"big_{rows}.xlsx"
        if not path.exists():
            import openpyxl
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("Data")
            ws.append(["Area Code", "Time period", "Value", "Count"])
            for i in range(rows - 1):
                ws.append([f"E0{i % 9999999:07d}", "2024/25", i * 0.25, i % 1000])
            wb.save(path)
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_048_576)
    parser.add_argument("--csv-only", action="store_true")
    args = parser.parse_args()
    for path in make(args.rows, args.csv_only):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout.split()
        n, secs, rss = out
        print(f"{path.name}: {int(n):,} rows in {secs} s (whole process {time.perf_counter() - start:.1f} s), "
              f"peak RSS {rss} MB (target < 1024 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
