"""Run every bench/bench_*.py and print their figures; a copy of the output goes to
bench/out/ (not committed).

    .venv/bin/python bench/run.py [--rounds N]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, parse_args


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent
    out = here / "out"
    out.mkdir(exist_ok=True)
    report = out / f"run-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    failed = []
    with report.open("w", encoding="utf-8") as log:
        for script in sorted(here.glob("bench_*.py")):
            print(f"== {script.name}", flush=True)
            log.write(f"== {script.name}\n")
            proc = subprocess.run(
                [sys.executable, str(script), "--rounds", str(args.rounds)],
                cwd=ROOT, capture_output=True, text=True,
            )
            text = proc.stdout + proc.stderr
            print(text, end="", flush=True)
            log.write(text)
            if proc.returncode != 0:
                failed.append(f"{script.name} (exit {proc.returncode})")
    print(f"figures saved in {report.relative_to(ROOT)}")
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
