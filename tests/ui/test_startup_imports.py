"""Start-up stays light: opening a current document and painting the first tab must
not import SQLAlchemy, Alembic, pandas, openpyxl, reportlab or matplotlib (together
they made start-up several times slower; performance anchors 1a and 1c). They load
later, when an edit, a migration, an import or a chart needs them."""

import os
import subprocess
import sys
from pathlib import Path

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
