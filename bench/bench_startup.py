"""Start-up: `cypdesk FILE --exit-when-shown` against the bare Qt window.

Target (performance-anchors, "What the anchors imply" 2): the window usable, with the
document open and the first tab's rows painted, in at most 3x the bare window,
measured in the same run on the same machine. Warm page cache only.

    .venv/bin/python bench/bench_startup.py [--rounds N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, CommandFailed, bench_env, cypdesk_command, parse_args, time_commands

TARGET = 3.0


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    # The app as shipped runs from bytecode (pip and PyInstaller compile it). Where
    # PYTHONDONTWRITEBYTECODE is set (it is on these machines) nothing is cached, and
    # every run would compile cypdesk from source: compile it once here; Python reads
    # existing .pyc files even with that variable set.
    import compileall

    compileall.compile_dir(str(ROOT / "cypdesk"), quiet=1)
    print("bytecode: cypdesk compiled first (as installed); PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-") as tmp:
        env = bench_env(Path(tmp) / "home")
        demo = Path(tmp) / "demo.cypdesk"
        made = subprocess.run(
            [*cypdesk_command(), "demo", str(demo)], env=env, capture_output=True, text=True
        )
        if made.returncode != 0:
            last = (made.stderr.strip().splitlines() or ["(no message)"])[-1]
            print(f"startup: skipped: `cypdesk demo` failed (exit {made.returncode}): {last}")
            return 0
        bare, app = "bare window", "cypdesk FILE --exit-when-shown"
        cmds = {
            bare: [sys.executable, str(ROOT / "bench" / "bare_window.py")],
            app: [*cypdesk_command(), str(demo), "--exit-when-shown"],
        }
        try:
            timings = time_commands(cmds, args.rounds, env=env)
        except CommandFailed as exc:
            print(f"startup: FAILED: {exc}")
            return 1
    ratio = timings[app].ratio
    print(f"startup, warm, {args.rounds} rounds alternated after one warm-up; median [min-max]")
    print(f"  {bare:<32} {timings[bare].describe()}")
    print(f"  {app:<32} {timings[app].describe()}")
    print(f"  ratio (paired)                   {timings[app].describe_ratio()} of the bare window")
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"  target <= {TARGET:g}x bare window: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
