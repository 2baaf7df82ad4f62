"""Merging two documents of 50,000 records each (indicator values), 10% changed on each
side and 1% changed on both (conflicts), plus 1% added on each side, against an
ATTACH-and-upsert floor on the same two files in the same run: raw sqlite3 ATTACHes the
partner and upserts every row whose stamp is later (``INSERT ... SELECT ... ON CONFLICT
DO UPDATE``), in one transaction.

- merge step: ``plan_merge`` + ``apply_merge`` (no backup) on an open document, timed
  in-process in a child whose modules (the mapped classes too) are loaded, as in the
  window; target at most 3x the floor (timed the same way). Ratios are paired within
  each round.
- whole command: ``cypdesk merge FILE OTHER`` (checks of the partner file, backup, save
  included), whole-process wall clock against the floor run as a whole process
  (``python -c``); target at most 5x (stretch 3x). Left out if the command is missing.
- peak memory: the largest resident set of the merge step's child, and of the command's
  own process.

    .venv/bin/python bench/bench_merge.py [--records N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, bench_env, cypdesk_command

FLOOR = r"""
import sqlite3, sys, time
ours, theirs = sys.argv[1], sys.argv[2]
start = time.perf_counter()
con = sqlite3.connect(ours, isolation_level=None)
con.execute("ATTACH DATABASE ? AS theirs", (theirs,))
cols = [r[1] for r in con.execute("PRAGMA main.table_info(indicator_values)")]
names = ", ".join(cols)
sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
con.execute("BEGIN IMMEDIATE")
con.execute(f"INSERT INTO main.indicator_values ({names}) SELECT {names} FROM theirs.indicator_values WHERE true "
            f"ON CONFLICT (id) DO UPDATE SET {sets} WHERE excluded.hlc > indicator_values.hlc")
con.execute("COMMIT")
con.close()
print(time.perf_counter() - start)
"""


def _child(kind: str, ours: str, theirs: str) -> None:
    """Run in a child process: time one thing, print JSON {seconds, rss_mb, counts}."""
    if kind == "floor":
        out = subprocess.run([sys.executable, "-c", FLOOR, ours, theirs], capture_output=True, text=True, check=True)
        seconds = float(out.stdout.strip())
        print(json.dumps({"seconds": seconds}))
        return
    import importlib

    importlib.import_module("cypdesk.model.registry")  # the mapped classes load before the clock starts, as in
    # the window; the whole command pays for them
    from cypdesk.model.document import Document
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge
    from cypdesk.services.workspace import Workspace

    doc = Document.open(ours)
    ws = Workspace(doc)
    try:
        start = time.perf_counter()
        plan = plan_merge(ws, Path(theirs))
        planned = time.perf_counter() - start
        result = apply_merge(ws, Path(theirs), plan, backup=False)
        seconds = time.perf_counter() - start
    finally:
        doc.close(discard=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "plan": planned, "rss_mb": rss, "counts": result.counts}))


def _make_pair(folder: Path, records: int, env: dict[str, str]) -> tuple[Path, Path]:
    """A base document (the small demo plus ``records`` indicator values, written as an
    import writes them), and two copies edited by two installations."""
    script = r"""
import random, sys, uuid
from pathlib import Path
from cypdesk.common.hlc import Clock
from cypdesk.model.document import Document
from cypdesk.model.installation import Installation
from cypdesk.model.tracking import bulk_history, bulk_update, stamp_rows
from cypdesk.services.documents import write_demo
from cypdesk.services.workspace import Workspace
import shutil

folder, n = Path(sys.argv[1]), int(sys.argv[2])
base = folder / "base.cypdesk"
write_demo(base)
maker = Installation(id=str(uuid.UUID(int=1)), user="maker", host="BASE")
doc = Document.open(base, installation=maker)
ws = Workspace(doc, maker)
rnd = random.Random(11)
with ws.bulk() as conn:
    ind = [r[0] for r in conn.exec_driver_sql("SELECT id FROM indicators").fetchall()]
    areas = [r[0] for r in conn.exec_driver_sql("SELECT id FROM areas").fetchall()]
    from cypdesk.model import IndicatorValue
    rows = []
    for i in range(n):
        year = 2000 + i % 25
        rows.append({"indicator_id": ind[i % len(ind)], "area_id": areas[(i // len(ind)) % len(areas)],
                     "period": f"{year}", "period_start": __import__("datetime").date(year, 1, 1),
                     "value": rnd.random() * 100, "age": f"band {i % 97}", "source": "bench"})
    conn.execute(IndicatorValue.__table__.insert(), stamp_rows(rows, ws.author, ws.clock))
    bulk_history(conn, ws.author, ws.clock, "indicator_values", n, "bench")
doc.save()
doc.close()
ids = None
for who, lo, hi in (("ours", 0, n // 10), ("theirs", n // 10 - n // 100, 2 * n // 10 - n // 100)):
    path = folder / f"{who}.cypdesk"
    shutil.copy(base, path)
    inst = Installation(id=str(uuid.uuid4()), user=who, host=who.upper())
    doc = Document.open(path, installation=inst)
    ws = Workspace(doc, inst)
    with ws.bulk() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM indicator_values WHERE source = 'bench' "
                                                       "ORDER BY rowid").fetchall()]
        old = dict(conn.exec_driver_sql("SELECT id, value FROM indicator_values WHERE source = 'bench'").fetchall())
        bulk_update(conn, ws.author, ws.clock, "indicator_values",
                    [(rid, "value", None, old[rid], old[rid] + (1 if who == "ours" else 2), "bench")
                     for rid in ids[lo:hi]])
        extra = [{"indicator_id": r["indicator_id"], "area_id": r["area_id"], "period": "2030",
                  "period_start": __import__("datetime").date(2030, 1, 1), "value": 1.0, "source": who}
                 for r in rows[: n // 100]]
        conn.execute(IndicatorValue.__table__.insert(), stamp_rows(extra, ws.author, ws.clock))
        bulk_history(conn, ws.author, ws.clock, "indicator_values", len(extra), "bench")
    doc.save()
    doc.close()
"""
    subprocess.run([sys.executable, "-c", script, str(folder), str(records)], env=env, cwd=ROOT, check=True)
    return folder / "ours.cypdesk", folder / "theirs.cypdesk"


def _fresh(src: Path, folder: Path, name: str) -> Path:
    dest = folder / name
    for suffix in ("", "-journal"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copy(src, dest)
    return dest


def _run_child(kind: str, ours: Path, theirs: Path, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(ours), str(theirs)], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _whole(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time of a whole process and its own peak resident set (MB): that child's
    rusage from ``os.wait4``, not the largest of every child the bench has run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{tail}")
    return seconds, usage.ru_maxrss / 1024


def _has_merge_command(env: dict[str, str]) -> bool:
    out = subprocess.run([*cypdesk_command(), "merge", "--help"], env=env, cwd=ROOT, capture_output=True, text=True)
    return out.returncode == 0 and "OTHER" in out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000, help="indicator values a side (default 50,000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "OURS", "THEIRS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-merge-") as tmp:
        folder = Path(tmp)
        env = bench_env(folder / "home")
        print(f"making two documents of {args.records:,} indicator values (10% changed a side, 1% on both)...")
        ours, theirs = _make_pair(folder, args.records, env)
        print(f"  file size {ours.stat().st_size / 1e6:.1f} MB")
        whole = _has_merge_command(env)
        floors, steps, plans, floor_procs, commands = [], [], [], [], []
        step_ratios, command_ratios = [], []  # paired within a round, as bench/common.py does
        rss_step, rss_cmd, counts = 0.0, 0.0, {}
        for r in range(args.rounds + 1):  # the first round warms up, untimed
            f = _run_child("floor", _fresh(ours, folder, "floor.cypdesk"), theirs, env)
            s = _run_child("step", _fresh(ours, folder, "step.cypdesk"), theirs, env)
            if whole:
                fp, _ = _whole([sys.executable, "-c", FLOOR, _fresh(ours, folder, "floorp.cypdesk"), theirs], env)
                c, rss = _whole([*cypdesk_command(), "merge", _fresh(ours, folder, "cmd.cypdesk"), theirs], env)
            if r == 0:
                continue
            floors.append(f["seconds"])
            steps.append(s["seconds"])
            step_ratios.append(s["seconds"] / f["seconds"])
            plans.append(s["plan"])
            rss_step, counts = max(rss_step, s["rss_mb"]), s["counts"]
            if whole:
                floor_procs.append(fp)
                commands.append(c)
                command_ratios.append(c / fp)
                rss_cmd = max(rss_cmd, rss)
        floor, step = statistics.median(floors), statistics.median(steps)
        print(f"merge counts: {counts}")
        print(f"floor (ATTACH and upsert, in-process): {floor:.3f} s [{min(floors):.3f}-{max(floors):.3f}]")
        print(f"merge step (plan {statistics.median(plans):.3f} s + apply): {step:.3f} s "
              f"[{min(steps):.3f}-{max(steps):.3f}]  ratio {statistics.median(step_ratios):.2f}x "
              f"[{min(step_ratios):.2f}-{max(step_ratios):.2f}] (target <= 3x)")
        print(f"peak memory of the merge step: {rss_step:.0f} MB (target < 1024 MB)")
        if whole:
            fp, cmd = statistics.median(floor_procs), statistics.median(commands)
            print(f"floor as a whole process: {fp:.3f} s")
            print(f"cypdesk merge FILE OTHER: {cmd:.3f} s [{min(commands):.3f}-{max(commands):.3f}]  "
                  f"ratio {statistics.median(command_ratios):.2f}x [{min(command_ratios):.2f}-{max(command_ratios):.2f}] "
                  "(target <= 5x, stretch 3x)")
            print(f"peak memory of the command: {rss_cmd:.0f} MB")
        else:
            print("cypdesk merge is not on this branch: the whole command is not timed")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
