"""Start-up stays light: opening a current document and painting the first tab must
not import SQLAlchemy, Alembic, pandas, openpyxl, reportlab or matplotlib (together
they made start-up several times slower; performance anchors 1a and 1c). They load
later, when an edit, a migration, an import or a chart needs them."""

import os
import subprocess
import sys
from pathlib import Path

from tests.ui.probes import probe_on_a_demo

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from cypdesk.ui.main_window import MainWindow
window = MainWindow()
window.show()
window.open_path(sys.argv[1], wait=True)
app.processEvents()
assert window.tab_list[0].model.rowCount() > 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic", "pandas", "openpyxl",
                                                        "reportlab", "matplotlib", "xlsxwriter"})
print(",".join(heavy) or "none")
window.workspace.doc.close()
window.workspace = None
"""


def test_first_paint_imports_nothing_heavy(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CYPDESK_HOME=str(tmp_path / "home"))
    doc = tmp_path / "d.cypdesk"
    made = subprocess.run([sys.executable, "-m", "cypdesk", "demo", str(doc)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    probe = subprocess.run([sys.executable, "-c", PROBE, str(doc)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().splitlines()[-1] == "none"


CHART_PROBE = r"""
import sys, threading, time
importer = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib" and "thread" not in importer:
            importer["thread"] = threading.current_thread() is threading.main_thread()
        return None

sys.meta_path.insert(0, Watch())
from PySide6.QtWidgets import QApplication
app = QApplication([])
from cypdesk.ui.main_window import MainWindow, focus_first_tab
window = MainWindow()
window.show()
window.open_path(sys.argv[1], wait=True)
focus_first_tab(window)  # as run_app does: the first indicator is selected
painted = []
window.first_tab_painted.connect(painted.append)
needs = window.tab_list[0]
deadline = time.monotonic() + 60
while (not painted or needs.chart.figure is None) and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("painted" if painted else "not painted", "chart" if needs.chart.figure is not None else "no chart",
      "main thread" if importer.get("thread") else "worker")
window.tasks.wait()
window.workspace.doc.close()
window.workspace = None
"""


def test_first_chart_waits_for_matplotlib_on_the_worker(tmp_path):
    """The Needs tab selects its first indicator as the document opens (focus_first_tab), and its trend
    chart used to import matplotlib on the window's thread 60 ms later (1.5 to 3 s on
    a loaded machine, before `--exit-when-shown` saw the first rows). Now the chart
    waits for the worker to import it (MainWindow.when_charts_ready), then is drawn: a
    child process with the real thread pool (not the tests' inline runner) reports the
    first tab painted, the chart drawn, and matplotlib imported on the worker."""
    assert probe_on_a_demo(tmp_path, CHART_PROBE, timeout=120) == "painted chart worker"
