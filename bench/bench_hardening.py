"""What issue 7's hardening costs, each against a yardstick measured in the same run on
the small demo (in-process, medians of alternating repetitions):

- opening check: ``dbfile.inspect_file`` (header, golden-schema comparison, quick_check)
  against SQLite's ``quick_check`` alone on the same file;
- commit: one small write transaction on a working-copy connection
  (``synchronous=EXTRA``: the journal's deletion is synced) against the same
  connection set back to ``synchronous=FULL``;
- save: ``Document.save`` (content compared with the file on disk, then the atomic
  copy and the saved version) against ``saving.atomic_copy`` alone.

    .venv/bin/python bench/bench_hardening.py [--rounds N]
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import parse_args


def _alternate(rounds: int, a, b) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    ta: list[float] = []
    tb: list[float] = []
    a(), b()  # warm-up
    for _ in range(rounds):
        for fn, out in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return ta, tb


def _line(name: str, base: list[float], new: list[float]) -> str:
    ratios = sorted(n / b for n, b in zip(new, base))
    return (f"{name:<14} {statistics.median(new) * 1000:8.2f} ms vs {statistics.median(base) * 1000:8.2f} ms "
            f"yardstick: {statistics.median(ratios):.2f}x [{ratios[0]:.2f}-{ratios[-1]:.2f}]")


def main() -> int:
    args = parse_args(__doc__ or "")
    rounds = max(args.rounds, 5) * 4
    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-") as tmp:
        os.environ["CYPDESK_HOME"] = str(Path(tmp) / "home")
        from cypdesk.model import dbfile, saving
        from cypdesk.model.document import Document
        from cypdesk.services.documents import write_demo

        demo = Path(tmp) / "demo.cypdesk"
        write_demo(demo)
        print(f"small demo: {demo.stat().st_size / 1e6:.1f} MB, {rounds} rounds each")

        def quick_check_alone() -> None:
            plain = sqlite3.connect(f"file:{demo}?mode=ro", uri=True)
            try:
                assert plain.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                plain.close()

        base, new = _alternate(rounds, quick_check_alone, lambda: dbfile.inspect_file(demo))
        print(_line("opening check", base, new))

        conn = dbfile.connect(Path(tmp) / "demo.cypdesk")
        counter = iter(range(10**9))

        def commit(mode: str) -> None:
            conn.execute(f"PRAGMA synchronous={mode}")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO tombstones (table_name, record_id, hlc, author_id, deleted_at) "
                         "VALUES ('bench', ?, '0', 'bench', '2026-01-01')", (str(next(counter)),))
            conn.execute("COMMIT")

        base, new = _alternate(rounds, lambda: commit("FULL"), lambda: commit("EXTRA"))
        conn.close()
        print(_line("commit", base, new))

        doc = Document.open(demo)
        try:
            doc.mark_dirty()
            other = Path(tmp) / "copy.cypdesk"
            base, new = _alternate(max(rounds // 4, 5), lambda: saving.atomic_copy(doc.working_path, other),
                                   doc.save)
        finally:
            doc.close(discard=True)
        print(_line("save", base, new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
