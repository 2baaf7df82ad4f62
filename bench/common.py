"""Shared by the benchmarks: time whole commands the way research/performance-anchors.md
measured them.

Each command first runs untimed (warm-up), then the commands alternate A B A B ... for
the given number of rounds, so that drift of a shared machine hits all of them alike.
Ratios are taken pair by pair within a round against the first command (the
yardstick), and reported as the median with min-max. Times are whole-process wall
clock, so interpreter start and imports count, as they do for the user.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # paired with the yardstick, per round

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    def describe(self) -> str:
        """``0.104 s [0.098-0.129]``, the notation of the performance anchors."""
        return f"{self.median:.3f} s [{min(self.seconds):.3f}-{max(self.seconds):.3f}]"

    def describe_ratio(self) -> str:
        return f"{self.ratio:.2f}x [{min(self.ratios):.2f}-{max(self.ratios):.2f}]"


class CommandFailed(RuntimeError):
    def __init__(self, name: str, command: Sequence[str], returncode: int, stderr: str) -> None:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        super().__init__(f"{name}: exit {returncode}: {' '.join(map(str, command))}\n{tail}")
        self.returncode = returncode


def run_once(name: str, command: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Run one command; its wall time in seconds. Raises CommandFailed on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(part) for part in command], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise CommandFailed(name, command, proc.returncode, proc.stderr)
    return elapsed


def time_commands(
    cmds: dict[str, Sequence[str]],
    rounds: int = 5,
    *,
    warmup: int = 1,
    env: dict[str, str] | None = None,
    before: Callable[[str], None] | None = None,
) -> dict[str, Timing]:
    """Time ``cmds`` (name -> argv; the first is the yardstick), alternated for
    ``rounds`` rounds after ``warmup`` untimed runs of each. ``before(name)`` runs
    untimed before every run (to delete an output file, say)."""
    timings = {name: Timing(name) for name in cmds}
    for _ in range(warmup):
        for name, command in cmds.items():
            if before:
                before(name)
            run_once(name, command, env)
    yardstick = next(iter(cmds))
    for _ in range(rounds):
        for name, command in cmds.items():
            if before:
                before(name)
            timings[name].seconds.append(run_once(name, command, env))
        base = timings[yardstick].seconds[-1]
        for timing in timings.values():
            timing.ratios.append(timing.seconds[-1] / base)
    return timings


def cypdesk_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m cypdesk``."""
    script = Path(sys.executable).with_name("cypdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cypdesk"]


def bench_env(home: Path) -> dict[str, str]:
    """The environment for timed commands: offscreen Qt (as in the anchors), and a
    throwaway CYPDESK_HOME so benchmarks never touch the user's own folders."""
    env = dict(os.environ, CYPDESK_HOME=str(home))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if sys.prefix == sys.base_prefix:
        print("note: not running in a virtual environment; use .venv/bin/python", file=sys.stderr)
    return args


# --- window benchmarks on the large demo ----------------------------------------------------

LARGE = ROOT / "bench" / "out" / "large.cypdesk"

# The start of every window child: a QApplication, the main window shown, and rss_mb().
CHILD_PRELUDE = r'''
import json, os, statistics, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication

def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1_048_576
'''


def large_demo() -> Path:
    """The large demo document (10,000+ services, 1,000,000+ values), written once."""
    if not LARGE.exists():
        LARGE.parent.mkdir(exist_ok=True)
        print(f"writing the large demo to {LARGE} (once)…", flush=True)
        subprocess.run([str(ROOT / ".venv" / "bin" / "cypdesk"), "demo", str(LARGE), "--size", "large"], check=True)
    return LARGE


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh process with its own cypdesk home; its last line of
    output is a JSON object of figures."""
    import json
    import tempfile

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=tempfile.mkdtemp(prefix="bench-home-"))
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0] if args else ''} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
