"""The Services tab on the large demo (10,000+ services): scrolling the register from
top to bottom, page by page, and filtering it by text.

Each figure is measured in a fresh child process per round, alternated with a
yardstick measured the same way in the same run:
- per page of rows: the register read lazily from SQLite against the same view over
  an in-memory model of the same number of rows (tuples in a list: the fastest a
  Python model can be);
- memory: growth of the process while scrolling, against the empty window;
- filter: a text filter applied and painted, against painting the unfiltered view.

    .venv/bin/python bench/bench_services_tab.py [--rounds N]
"""

from __future__ import annotations

import statistics
import sys

from common import CHILD_PRELUDE, large_demo, parse_args, run_child

CHILD = CHILD_PRELUDE + r'''
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

mode, path = sys.argv[1], sys.argv[2]
app = QApplication([])
from cypdesk.ui.main_window import MainWindow
window = MainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
empty = rss_mb()
if mode == "memory-empty":
    print(json.dumps({"rss": empty})); sys.exit(0)

if mode == "baseline":
    class ListModel(QAbstractTableModel):
        def __init__(self, rows): super().__init__(); self.rows = rows
        def rowCount(self, parent=QModelIndex()): return 0 if parent.isValid() else len(self.rows)
        def columnCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 9
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole: return self.rows[index.row()][index.column()]
    n = int(sys.argv[3])
    rows = [tuple(f"service {i} col {c}" for c in range(9)) for i in range(n)]
    view = window.show_tab("services").view
    view.setModel(ListModel(rows))
else:
    window.open_path(path, wait=True)
    view = window.show_tab("services").view
# Let the window settle first: the Overview and the chart warm-up run on the worker
# shortly after opening; the scroll is measured on its own.
from PySide6.QtCore import QEventLoop, QTimer
loop = QEventLoop(); QTimer.singleShot(2500, loop.quit); loop.exec()
window.tasks.wait()
app.processEvents()
bar = view.verticalScrollBar()
page = max(bar.pageStep(), 1)
times = []
start_rss = rss_mb()
value = 0
while True:
    t0 = time.perf_counter()
    bar.setValue(value)
    app.processEvents()
    view.viewport().grab()
    times.append(time.perf_counter() - t0)
    if value >= bar.maximum():
        break
    value = min(value + page, bar.maximum())
out = {"pages": len(times), "per_page": statistics.median(times), "worst": max(times),
       "rows": view.model().rowCount(), "growth": rss_mb() - start_rss, "rss": rss_mb(), "empty": empty}
if mode == "filter":
    tab = window.tab("services")
    bar.setValue(0); app.processEvents()
    t0 = time.perf_counter(); view.viewport().grab(); out["paint"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tab.model.set_filter("family")
    app.processEvents(); view.viewport().grab()
    out["filter"] = time.perf_counter() - t0
    out["matches"] = tab.model.rowCount()
if window.workspace is not None:
    window.workspace.doc.close(discard=True); window.workspace = None
print(json.dumps(out))
'''


def child(*args: str) -> dict:
    return run_child(CHILD, *args)


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    LARGE = large_demo()
    ours, base, filt, ratios, growth = [], [], [], [], []
    empty = []
    for _ in range(args.rounds):
        a = child("scroll", str(LARGE))
        b = child("baseline", "-", str(a["rows"]))
        f = child("filter", str(LARGE))
        e = child("memory-empty", "-")
        ours.append(a["per_page"])
        base.append(b["per_page"])
        ratios.append(a["per_page"] / b["per_page"])
        filt.append((f["filter"], f["paint"], f["matches"]))
        growth.append((a["growth"], a["rss"] - e["rss"]))
        empty.append(e["rss"])
    med = statistics.median
    print(f"Services tab on the large demo: {a['rows']:,} services, {a['pages']} pages of rows, {args.rounds} rounds")
    print(f"  per page, lazy SQLite model     {med(ours) * 1000:.1f} ms [{min(ours) * 1000:.1f}-{max(ours) * 1000:.1f}]"
          f" (worst single page {a['worst'] * 1000:.0f} ms)")
    print(f"  per page, in-memory list model  {med(base) * 1000:.1f} ms")
    print(f"  ratio (paired)                  {med(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]")
    print(f"  memory growth while scrolling   {med([g[0] for g in growth]):.1f} MiB;"
          f" whole process above the empty window {med([g[1] for g in growth]):.1f} MiB (empty window {med(empty):.0f} MiB)")
    print(f"  filter 'family' + paint         {med([x[0] for x in filt]) * 1000:.0f} ms for {filt[0][2]:,} matches;"
          f" ratio to painting the unfiltered view {med([x[0] / x[1] for x in filt]):.1f}x")
    print("  target: every page well under 100 ms on the UI thread; memory flat while scrolling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
