"""The exchange promises at full size: N hypothesis examples (default 1,000) of 3-4
partners exchanging real .cypdesk files (tests/properties: edits, owner changes,
cascaded deletions, undos, new records, settings, plain copies and merges, then gossip
until quiet), printing examples run, failures and time.

    .venv/bin/python bench/bench_merge_properties.py [--examples N] [--max-ops K] [--seed S]

A failure prints hypothesis's shrunk falsifying example (replay it with
``tests/properties/test_found_*.py``) and exits 1. Called by bench/run.py (with
``--rounds``, without ``--examples``) it runs 100 examples, so the whole set of
benchmarks stays minutes long; the 1,000-example run is asked for by name.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=None, help="default 1,000 (100 under bench/run.py)")
    parser.add_argument("--max-ops", type=int, default=14, help="operations per example, at most")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random, printed)")
    parser.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.examples is None:
        args.examples = 100 if args.rounds is not None else 1000

    shm = Path("/dev/shm")  # a RAM disk when there is one: fsync is not what this measures
    scratch = Path(tempfile.mkdtemp(prefix="bench-props-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None))
    os.environ["CYPDESK_HOME"] = str(scratch / "home")  # never the real user's folders
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(scratch / name.lower())
    sys.path.insert(0, str(ROOT))

    import random

    from hypothesis import HealthCheck, given, seed, settings

    from tests.properties import ops, partners

    seed_value = args.seed if args.seed is not None else random.randrange(2**32)
    started = time.perf_counter()
    ids = partners.build_base(scratch / "base.cypdesk")
    base_seconds = time.perf_counter() - started

    calls = {"run": 0, "failed": 0, "merges": 0, "partners": 0}
    first_failure: list[str] = []

    @seed(seed_value)
    @settings(max_examples=args.examples, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(scenario=ops.scenarios(args.max_ops))
    def prop(scenario):
        calls["run"] += 1
        try:
            ex = ops.run_scenario(scratch / "base.cypdesk", ids, scratch / "run", scenario)
        except BaseException:
            calls["failed"] += 1
            if not first_failure:
                first_failure.append(traceback.format_exc(limit=4))
            raise
        calls["merges"] += ex.merges
        calls["partners"] += len(ex.partners)
        if calls["run"] % 50 == 0:
            print(f"  {calls['run']} examples, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    print(f"seed {seed_value}; base document made in {base_seconds:.1f} s; "
          f"{args.examples} examples of at most {args.max_ops} operations", flush=True)
    started = time.perf_counter()
    failed = None
    try:
        prop()
    except BaseException as exc:  # hypothesis has shrunk and printed the example
        failed = exc
    elapsed = time.perf_counter() - started
    ok = calls["run"] - calls["failed"]
    print(f"examples run: {calls['run']} (passed {ok}, failed {calls['failed']}, counting hypothesis's "
          f"shrinking tries)")
    print(f"merges checked: {calls['merges']} ({calls['merges'] / max(ok, 1):.1f} an example), "
          f"partners: {calls['partners'] / max(ok, 1):.1f} an example")
    print(f"time: {elapsed:.1f} s ({elapsed / max(calls['run'], 1):.2f} s an example)")
    if failed is not None:
        print(f"FAILED: {type(failed).__name__}: {str(failed)[:2000]}")
        if first_failure:
            print("first failure seen:\n" + first_failure[0])
        return 1
    print("failures: 0")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
