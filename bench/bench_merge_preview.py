"""The window's preview of the 50,000-record merge of ``bench_merge.py`` (10% changed on
each side, 1% on both): File > Merge from partner file… in a real window on the real
worker thread, offscreen. A timer on the window's thread (every 5 ms) records the
longest gap between its ticks, the longest the window could not answer:

- while the partner's file is checked and planned on the worker (the window must keep
  painting its progress);
- while the preview opens, every page is shown, the last conflict is selected and
  choices are made.

Each gap is measured in wall-clock time and in the window thread's own CPU time: on a
loaded machine the first includes waiting for the processor and for the worker's hold
on the interpreter, the second is the window's own work.

The floor is the same timer on the same window left idle for as long, in the same run
(what the machine's load alone costs); the target is no gap over 100 ms. Also printed:
the time from File > Merge to the preview on screen.

    .venv/bin/python bench/bench_merge_preview.py [--records N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, bench_env

BUDGET_S = 0.100


def _child(ours: str, theirs: str) -> None:
    """In a child process: the window on ``ours``, File > Merge of ``theirs``; prints JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from cypdesk.ui.exchange import merge_flow
    from cypdesk.ui.main_window import MainWindow

    class Gaps:
        """The longest gap between ticks, in wall-clock time and in the window thread's
        own CPU time (what the thread itself did, apart from waiting for the machine or
        for the worker's hold on the interpreter)."""

        def __init__(self) -> None:
            self.timer = QTimer()
            self.timer.setInterval(5)
            self.timer.timeout.connect(self.tick)
            self.reset()

        def tick(self) -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            self.worst = max(self.worst, now - self.last)
            self.worst_cpu = max(self.worst_cpu, cpu - self.last_cpu)
            self.last, self.last_cpu = now, cpu

        def reset(self) -> tuple[float, float]:
            worst = (getattr(self, "worst", 0.0), getattr(self, "worst_cpu", 0.0))
            self.worst = self.worst_cpu = 0.0
            self.last, self.last_cpu = time.perf_counter(), time.thread_time()
            return worst

    def spin(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    window = MainWindow()
    window.show()
    app.processEvents()
    window.open_path(ours, wait=True)
    window.tasks.wait()
    spin(1.5)  # the window's own start-up work (the Overview) is done
    gaps = Gaps()
    gaps.timer.start()
    spin(2.0)
    idle = gaps.reset()
    out: dict = {"idle": idle}
    merge_flow.choose_partner_file = lambda _window: theirs
    started = time.perf_counter()

    def preview(dialog) -> bool:
        out["to_preview"] = time.perf_counter() - started
        out["reading"] = gaps.reset()
        dialog.show()
        spin(0.3)
        for page in range(dialog.pages.count()):
            dialog.pages.setCurrentIndex(page)
            spin(0.1)
        dialog.pages.setCurrentIndex(0)
        dialog.conflict_view.selectRow(dialog.conflicts.rowCount() - 1)
        spin(0.1)
        dialog.suggested.click()
        dialog.take_theirs.click()
        dialog.record_mine.click()
        spin(0.3)
        out["preview"] = gaps.reset()
        out["counts"] = {k: len(getattr(dialog.plan, k)) for k in ("added", "changed", "deleted", "conflicts")}
        return False  # Cancel: nothing is written

    window.run_dialog = preview
    window.action_merge.trigger()
    gaps.timer.stop()
    window.close_document()
    print(json.dumps(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000, help="indicator values a side (default 50,000)")
    parser.add_argument("--child", nargs=2, metavar=("OURS", "THEIRS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    from bench_merge import _make_pair

    with tempfile.TemporaryDirectory(prefix="cypdesk-bench-preview-") as tmp:
        folder = Path(tmp)
        env = bench_env(folder / "home")
        env["QT_QPA_PLATFORM"] = "offscreen"
        print(f"making two documents of {args.records:,} indicator values (10% changed a side, 1% on both)...")
        ours, theirs = _make_pair(folder, args.records, env)
        run = subprocess.run([sys.executable, __file__, "--child", str(ours), str(theirs)], env=env, cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"the window failed:\n{run.stderr[-2000:]}")
        result = json.loads(run.stdout.strip().splitlines()[-1])
    idle, idle_cpu = result["idle"]
    print(f"plan: {result['counts']}")
    print(f"File > Merge to the preview on screen: {result['to_preview']:.2f} s (checked and planned on the worker)")
    print(f"floor: longest gap of the idle window: {idle * 1000:.0f} ms wall clock, {idle_cpu * 1000:.0f} ms "
          "of its own work")
    for key, words in (("reading", "while the partner's file is read and planned"),
                       ("preview", "while the preview opens and is used")):
        gap, cpu = result[key]
        verdict = "ok" if cpu <= BUDGET_S else "OVER"
        print(f"longest gap {words}: {gap * 1000:.0f} ms wall clock ({gap / max(idle, 0.005):.1f}x the floor), "
              f"{cpu * 1000:.0f} ms of the window's own work (target <= {BUDGET_S * 1000:.0f} ms: {verdict})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
