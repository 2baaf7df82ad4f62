"""Writing demo documents: `cypdesk demo OUT --size small|large` against a yardstick
measured in the same run, raw sqlite3 executemany of 1,000,000 rows of 10 columns in
one transaction (the floor of performance-anchors section 4, scaled to 1M rows, the
number of indicator values in the large demo).

    .venv/bin/python bench/bench_demo.py [--rounds N]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from common import CommandFailed, bench_env, cypdesk_command, parse_args, time_commands

BASELINE_ROWS = 1_000_000

# Same shape as the anchors' table: UUID text key, text x4, float, int, date, datetime, bool.
BASELINE = r"""
import datetime, sqlite3, sys, uuid
path, count = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(path)
con.execute("CREATE TABLE rec (id TEXT PRIMARY KEY, name TEXT, area TEXT, unit TEXT,"
            " source TEXT, value REAL, n INTEGER, day TEXT, at TEXT, flag INTEGER)")
day = datetime.date(2025, 4, 1).isoformat()
at = datetime.datetime(2025, 4, 1, 9, 30).isoformat(" ")
rows = ((str(uuid.uuid4()), f"name {i}", f"area {i % 150}", "rate per 10,000",
         f"source {i % 7}", i * 0.5, i, day, at, i % 2) for i in range(count))
with con:
    con.executemany("INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
con.close()
"""


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-") as tmp:
        folder = Path(tmp)
        env = bench_env(folder / "home")
        baseline = f"sqlite3 executemany {BASELINE_ROWS:,} x 10"
        outputs = {
            baseline: folder / "baseline.sqlite",
            "cypdesk demo --size small": folder / "small.cypdesk",
            "cypdesk demo --size large": folder / "large.cypdesk",
        }
        cmds = {
            baseline: [sys.executable, "-c", BASELINE, outputs[baseline], BASELINE_ROWS],
            "cypdesk demo --size small": [*cypdesk_command(), "demo", outputs["cypdesk demo --size small"], "--size", "small"],
            "cypdesk demo --size large": [*cypdesk_command(), "demo", outputs["cypdesk demo --size large"], "--size", "large"],
        }

        def remove_output(name: str) -> None:
            for suffix in ("", "-journal"):
                Path(f"{outputs[name]}{suffix}").unlink(missing_ok=True)

        # One small demo first: a quick check that the command works, and a warm-up.
        probe = subprocess.run(
            [*cypdesk_command(), "demo", folder / "probe.cypdesk"], env=env, capture_output=True, text=True
        )
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["(no message)"])[-1]
            print(f"demo: skipped: `cypdesk demo` failed (exit {probe.returncode}): {last}")
            return 0
        try:
            timings = time_commands(cmds, args.rounds, warmup=0, env=env, before=remove_output)
        except CommandFailed as exc:
            print(f"demo: FAILED: {exc}")
            return 1
        print(f"writing documents, {args.rounds} rounds alternated; median [min-max]; ratio paired with the first line")
        for name, timing in timings.items():
            size = outputs[name].stat().st_size / 1e6
            print(f"  {name:<34} {timing.describe():<26} {size:8.1f} MB   {timing.describe_ratio()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
