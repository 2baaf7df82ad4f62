"""The Needs tab on the large demo (1,013,620 indicator values): showing the indicator
list with its comparisons, drawing a trend chart, and memory.

Each figure is measured in a fresh child process per round, alternated with a
yardstick measured the same way in the same run:
- the list: reading the summaries (latest value, England, rank among neighbours, trend:
  three SQL statements) into the table and painting it, against the plain indicator
  table the tab showed before (the lazy SQLite model over the indicators' own columns,
  no values read at all);
- the chart: the trend of one indicator over twenty years (its SQL, the figure, the
  description, painted in the window), against a bare matplotlib line of twenty points
  painted the same way; the first chart, which imports matplotlib, is reported apart;
- memory: the whole process with the plain table, with the list, and after six charts,
  against the empty window.

    .venv/bin/python bench/bench_needs_tab.py [--rounds N]
"""

from __future__ import annotations

import statistics
import sys

from common import CHILD_PRELUDE, large_demo, parse_args, run_child

CHILD = CHILD_PRELUDE + r'''
mode, path = sys.argv[1], sys.argv[2]
app = QApplication([])
from cypdesk.ui.main_window import MainWindow
window = MainWindow()
window.resize(1366, 800)
window.show()
app.processEvents()
empty = rss_mb()
if mode == "memory-empty":
    print(json.dumps({"rss": empty})); sys.exit(0)
window.open_path(path, wait=True)
app.processEvents()
tab = window.tab_list[0]
assert tab.kind == "indicators"
out = {"empty": empty}

if mode in ("list", "plain"):
    times = []
    for _ in range(5):
        tab.view.setModel(None); tab.model = None
        app.processEvents()
        t0 = time.perf_counter()
        if mode == "list":
            tab._stale = True
            tab.ensure_ready()
        else:
            from cypdesk.services.tables import TableQuery
            from cypdesk.ui.models.record_table import RecordTableModel
            model = RecordTableModel(TableQuery(window.reader, "indicators",
                                                ["code", "name", "group_id", "unit", "polarity", "source"]), tab.view)
            tab.view.setModel(model)
            from PySide6.QtCore import Qt
            tab.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        app.processEvents()
        tab.view.viewport().grab()
        times.append(time.perf_counter() - t0)
    out.update(seconds=statistics.median(times), first=times[0], rows=tab.view.model().rowCount(), rss=rss_mb())
elif mode == "chart":
    from PySide6.QtCore import QEvent
    from cypdesk.services.needs import indicator_summaries
    ids = [s.indicator_id for s in indicator_summaries(window.reader)][:6]
    times = []
    for iid in ids:
        tab.select(iid)
        app.processEvents()
        t0 = time.perf_counter()
        tab.draw_chart()
        tab.chart.canvas.draw()
        tab.chart.grab()
        times.append(time.perf_counter() - t0)
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # as the event loop does
    out.update(first=times[0], seconds=statistics.median(times[1:]), points=len(tab.trend_data.points),
               rss=rss_mb())
elif mode == "chart-base":
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from cypdesk.io.charts import style
    ys = [float(i) for i in range(20)]
    fig = style.figure(); fig.add_subplot().plot(ys)  # matplotlib imported, as after the first chart
    times = []
    for _ in range(6):
        t0 = time.perf_counter()
        fig = style.figure()
        fig.add_subplot().plot(range(20), ys)
        canvas = FigureCanvasQTAgg(fig)
        canvas.resize(520, 340)
        canvas.draw()
        canvas.grab()
        times.append(time.perf_counter() - t0)
        canvas.deleteLater()
    out.update(seconds=statistics.median(times[1:]))
if window.workspace is not None:
    window.workspace.doc.close(discard=True); window.workspace = None
print(json.dumps(out))
'''


def child(*args: str) -> dict:
    return run_child(CHILD, *args)


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    LARGE = large_demo()
    lists, plains, list_ratio, firsts = [], [], [], []
    charts, bases, chart_ratio, first_charts = [], [], [], []
    memory, empties, list_memory, plain_memory = [], [], [], []
    rows = points = 0
    for _ in range(args.rounds):
        a = child("list", str(LARGE))
        b = child("plain", str(LARGE))
        c = child("chart", str(LARGE))
        d = child("chart-base", str(LARGE))
        e = child("memory-empty", "-")
        rows, points = a["rows"], c["points"]
        lists.append(a["seconds"]); plains.append(b["seconds"]); list_ratio.append(a["seconds"] / b["seconds"])
        firsts.append(a["first"])
        charts.append(c["seconds"]); bases.append(d["seconds"]); chart_ratio.append(c["seconds"] / d["seconds"])
        first_charts.append(c["first"])
        memory.append(c["rss"] - e["rss"]); empties.append(e["rss"])
        list_memory.append(a["rss"] - e["rss"]); plain_memory.append(b["rss"] - e["rss"])
    med = statistics.median

    def span(xs: list[float], scale: float = 1000, unit: str = "ms") -> str:
        return f"{med(xs) * scale:.1f} {unit} [{min(xs) * scale:.1f}-{max(xs) * scale:.1f}]"

    print(f"Needs tab on the large demo: {rows} indicators over 1,013,620 values, {args.rounds} rounds")
    print(f"  list with comparisons, read + painted   {span(lists)} (first in the process {med(firsts) * 1000:.0f} ms)")
    print(f"  plain indicator table (yardstick)       {span(plains)}")
    print(f"  ratio (paired)                          {med(list_ratio):.2f}x [{min(list_ratio):.2f}-{max(list_ratio):.2f}]")
    print(f"  {f'trend chart, {points} periods, drawn':<40}{span(charts)} (first, importing matplotlib, {med(first_charts) * 1000:.0f} ms)")
    print(f"  bare 20-point matplotlib line           {span(bases)}")
    print(f"  ratio (paired)                          {med(chart_ratio):.2f}x [{min(chart_ratio):.2f}-{max(chart_ratio):.2f}]")
    print(f"  memory above the empty window ({med(empties):.0f} MiB): document open with the plain table "
          f"{med(plain_memory):.1f} MiB; with the list {med(list_memory):.1f} MiB; after six charts {med(memory):.1f} MiB")
    print("  target: the list well under 100 ms on the UI thread; a chart under 200 ms once matplotlib is loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
