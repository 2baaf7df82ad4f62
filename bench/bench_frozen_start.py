"""Start-up of the frozen (PyInstaller one-folder) app: `cypdesk FILE --exit-when-shown`
from the unpacked zip, against the same code from the venv and against a frozen bare
PySide6 window with five tabs (bench/bare_window.spec), in the same run.

- first run after a fresh unzip (new files, a new user whose data folder and caches
  are empty: what an officer feels the first time, before antivirus makes it worse),
  each program unpacked afresh for each of --first rounds;
- warm runs, alternated after one warm-up (bench/common.py);
- the zip's size and what takes the space (dist/largest-files.txt);
- with --importtime, what the venv app's first paint waits for (python -X importtime).

Targets (issue 12): frozen app at most 2x the frozen bare window warm (stretch 1.5x);
zip under 80 MB (stretch 60 MB).

    bash packaging/build.sh                      (first: dist/ must hold the zip)
    .venv/bin/python bench/bench_frozen_start.py [--rounds N] [--first N] [--importtime]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, bench_env, time_commands

sys.path.insert(0, str(ROOT / "packaging"))
from make_zip import zip_name  # noqa: E402
from smoke import extract  # noqa: E402

TARGET, STRETCH = 2.0, 1.5
ZIP_TARGET, ZIP_STRETCH = 80e6, 60e6
OUT = ROOT / "bench" / "out"


def frozen_bare() -> Path:
    """The frozen bare window, built once (bench/out/bare-dist), rebuilt when its
    source or spec is newer."""
    folder = OUT / "bare-dist" / "bare_window"
    program = folder / "bare_window"
    sources = [ROOT / "bench" / "bare_window.py", ROOT / "bench" / "bare_window.spec"]
    if not program.exists() or max(s.stat().st_mtime for s in sources) > program.stat().st_mtime:
        print("building the frozen bare window (bench/bare_window.spec)...", flush=True)
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                        "--distpath", str(OUT / "bare-dist"), "--workpath", str(OUT / "bare-build"),
                        str(ROOT / "bench" / "bare_window.spec")], check=True, capture_output=True)
    return program


def first_runs(archive: Path, bare_folder: Path, demo: Path, rounds: int, tmp: Path) -> dict[str, list[float]]:
    """Each round: unpack the zip and copy the bare window afresh, with a new user
    home, and time the first run of each."""
    times: dict[str, list[float]] = {"frozen bare window": [], "frozen cypdesk": []}
    for i in range(rounds):
        place = tmp / f"first-{i}"
        place.mkdir()
        top = extract(archive, place / "app")
        bare = place / "bare"
        shutil.copytree(bare_folder, bare, symlinks=True)
        env = bench_env(place / "home")
        env.pop("CYPDESK_HOME")
        env.update(HOME=str(place / "home"), XDG_DATA_HOME=str(place / "home" / "data"),
                   XDG_CONFIG_HOME=str(place / "home" / "config"), XDG_CACHE_HOME=str(place / "home" / "cache"))
        for name, argv in (("frozen bare window", [bare / "bare_window"]),
                           ("frozen cypdesk", [top / "cypdesk", demo, "--exit-when-shown"])):
            start = time.perf_counter()
            subprocess.run([str(a) for a in argv], env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
        shutil.rmtree(place, ignore_errors=True)
    return times


def import_times(demo: Path, env: dict[str, str], top: int = 15) -> list[tuple[float, str]]:
    """The slowest imports (cumulative, seconds) before `cypdesk FILE --exit-when-shown`
    exits, from the venv."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "cypdesk", str(demo), "--exit-when-shown"],
                          env=env, capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line[len("import time:"):].split("|")
            try:
                rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
            except ValueError:
                continue
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds (default 5)")
    parser.add_argument("--first", type=int, default=2, help="first runs after a fresh unzip (default 2)")
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports (venv)")
    args = parser.parse_args()
    from cypdesk import __version__

    archive = ROOT / "dist" / zip_name(__version__)
    if not archive.is_file():
        print(f"frozen start: skipped: {archive} is missing (bash packaging/build.sh first)")
        return 0
    size = archive.stat().st_size
    bare = frozen_bare()
    bare_size = sum(p.stat().st_size for p in bare.parent.rglob("*") if p.is_file() and not p.is_symlink())
    with tempfile.TemporaryDirectory(prefix="cypdesk-frozen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = bench_env(tmp / "home")
        demo = tmp / "demo.cypdesk"
        subprocess.run([sys.executable, "-m", "cypdesk", "demo", str(demo)], env=env, check=True, capture_output=True)
        firsts = first_runs(archive, bare.parent, demo, args.first, tmp)
        top = extract(archive, tmp / "warm")
        cmds = {
            "frozen bare window": [str(bare)],
            "frozen cypdesk": [str(top / "cypdesk"), str(demo), "--exit-when-shown"],
            "venv bare window": [sys.executable, str(ROOT / "bench" / "bare_window.py")],
            "venv cypdesk": [sys.executable, "-m", "cypdesk", str(demo), "--exit-when-shown"],
        }
        warm = time_commands(cmds, args.rounds, env=env)
        slow = import_times(demo, env) if args.importtime else []

    print(f"frozen start, {time.strftime('%d %B %Y')}, {os.cpu_count()} cores")
    print(f"  zip {archive.name}: {size / 1e6:.1f} MB (target < {ZIP_TARGET / 1e6:.0f} MB: "
          f"{'met' if size < ZIP_TARGET else 'MISSED'}; stretch {ZIP_STRETCH / 1e6:.0f} MB: "
          f"{'met' if size < ZIP_STRETCH else 'missed'}); frozen bare window folder {bare_size / 1e6:.1f} MB")
    print(f"  first run after a fresh unzip ({args.first} rounds, median [min-max]):")
    for name, values in firsts.items():
        print(f"    {name:<22} {statistics.median(values):.3f} s [{min(values):.3f}-{max(values):.3f}]")
    ratio_first = [a / b for a, b in zip(firsts["frozen cypdesk"], firsts["frozen bare window"])]
    print(f"    ratio                  {statistics.median(ratio_first):.2f}x of the frozen bare window")
    print(f"  warm, {args.rounds} rounds alternated after one warm-up (ratios paired with the frozen bare window):")
    for name, timing in warm.items():
        print(f"    {name:<22} {timing.describe()}  {timing.describe_ratio()}")
    ratio = warm["frozen cypdesk"].ratio
    venv_ratio = statistics.median(a / b for a, b in zip(warm["venv cypdesk"].seconds, warm["venv bare window"].seconds))
    print(f"  frozen cypdesk / frozen bare window: {ratio:.2f}x (target <= {TARGET:g}x: "
          f"{'met' if ratio <= TARGET else 'MISSED'}; stretch {STRETCH:g}x: {'met' if ratio <= STRETCH else 'missed'})")
    print(f"  venv cypdesk / venv bare window: {venv_ratio:.2f}x")
    if slow:
        print("  slowest imports before the first paint (venv, cumulative):")
        for seconds, name in slow:
            print(f"    {seconds:6.3f} s  {name}")
    largest = ROOT / "dist" / "largest-files.txt"
    if largest.is_file():
        print(f"  what takes the space: {largest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
