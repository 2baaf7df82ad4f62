"""A merge killed at a random moment leaves the document as it was or fully merged
(issue 11, Tests; reliability case 38; DESIGN.md section 4's atomic save).

Each run is a child process running ``python -m cypdesk merge FILE OTHER --json`` on a
fresh copy of the same document, in a user data folder of its own, killed with
SIGKILL (its whole process group) after a random delay. Afterwards the document is
either byte for byte the file before (the kill came before the atomic rename) or has
exactly the content of a clean, uninterrupted run of the same merge (the canonical
content digest of i11-engine's canon.py), and it is always a sound document. The
delays are drawn from a seeded generator (``KILL_SEED``, or the seed printed on a
failure), spread over the whole of a clean run's time, start-up included.

``test_merge_killed_3_times_...`` runs by default; the 30-kill variant is
``@pytest.mark.slow`` (``pytest -m slow`` or ``CYPDESK_SLOW=1``).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cypdesk.model import dbfile
from cypdesk.services.exchange.canon import content_digest
from tests.cli.merge_pair import make_pair, sha

KILL_SEED = int(os.environ.get("KILL_SEED", "20261205"))
VALUES_CHANGED = 400  # indicator values the partner changed, so the merge itself takes a while


@pytest.fixture(scope="module")
def kill_setup(demo_master, tmp_path_factory):
    """The pair of files, and a clean run's outcome: (pair, sha before, digest before,
    digest after a whole merge, seconds a whole run took)."""
    folder = tmp_path_factory.mktemp("kill")
    home = folder / "home"
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(home)
    try:
        pair = make_pair(demo_master, folder / "pair", values_changed=VALUES_CHANGED)
    finally:
        if old is None:
            os.environ.pop("CYPDESK_HOME", None)
        else:
            os.environ["CYPDESK_HOME"] = old
    clean = folder / "clean" / pair.ours.name
    clean.parent.mkdir()
    shutil.copy(pair.ours, clean)
    started = time.monotonic()
    result = subprocess.run(_command(clean, pair.theirs), env=_env(folder / "clean-home"), capture_output=True,
                            text=True, timeout=600)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["conflicts"] == 2 and report["changed"] >= VALUES_CHANGED
    merged = content_digest(clean)
    before = content_digest(pair.ours)
    assert merged != before
    return pair, sha(pair.ours), before, merged, seconds, folder


def _command(ours: Path, theirs: Path) -> list[str]:
    return [sys.executable, "-m", "cypdesk", "merge", str(ours), str(theirs), "--json"]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CYPDESK_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def kill_runs(kill_setup, runs: int, seed: int) -> dict[str, int]:
    """Run the merge ``runs`` times, each killed after a random delay; check each
    outcome. Returns how many ended as they were, merged, or finished before the kill."""
    pair, sha_before, digest_before, merged, seconds, folder = kill_setup
    rng = random.Random(seed)
    outcome = {"unchanged": 0, "merged": 0, "finished": 0}
    for i in range(runs):
        run_dir = folder / f"run-{seed}-{i}"
        run_dir.mkdir()
        target = run_dir / pair.ours.name
        shutil.copy(pair.ours, target)
        delay = rng.uniform(0.05, seconds * 1.1)
        child = subprocess.Popen(_command(target, pair.theirs), env=_env(run_dir / "home"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            child.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
        where = f"run {i} (seed {seed}, killed after {delay:.2f} s of a {seconds:.2f} s merge)"
        dbfile.inspect_file(target)  # a sound document, whatever the moment
        if sha(target) == sha_before:
            outcome["unchanged"] += 1
        else:
            assert content_digest(target) == merged, f"{where}: neither as it was nor fully merged"
            outcome["finished" if finished else "merged"] += 1
        assert content_digest(target) in (digest_before, merged), where
        shutil.rmtree(run_dir, ignore_errors=True)
    return outcome


def test_merge_killed_3_times_at_random_leaves_the_file_as_it_was_or_fully_merged(kill_setup):
    """Three SIGKILLs at seeded random moments of a merge subprocess: each leaves the
    document byte-identical to before or with a clean run's content."""
    outcome = kill_runs(kill_setup, 3, KILL_SEED)
    assert sum(outcome.values()) == 3


@pytest.mark.slow
def test_merge_killed_30_times_at_random_leaves_the_file_as_it_was_or_fully_merged(kill_setup, request):
    """Thirty SIGKILLs at seeded random moments spread over a whole run: every one
    leaves the document as it was or fully merged, and both outcomes happen (the kills
    fall before and after the save)."""
    if "slow" not in (request.config.getoption("markexpr") or "") and not os.environ.get("CYPDESK_SLOW"):
        pytest.skip("slow: run with -m slow")
    outcome = kill_runs(kill_setup, 30, KILL_SEED + 1)
    print(f"30 kills: {outcome}")
    assert sum(outcome.values()) == 30
    assert outcome["unchanged"] > 0 and outcome["merged"] + outcome["finished"] > 0, outcome
