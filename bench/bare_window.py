"""The start-up yardstick: the bare window of research/performance-anchors.md 1a.

QApplication + QMainWindow + QTabWidget with five empty QTableViews, shown, events
processed once, then quit. Imports nothing of cypdesk.
"""

import sys

from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QTabWidget

app = QApplication(sys.argv)
window = QMainWindow()
tabs = QTabWidget()
for name in ("Needs", "Services", "Teams", "Pooled budgets", "Monitoring"):
    tabs.addTab(QTableView(), name)
window.setCentralWidget(tabs)
window.resize(1200, 800)
window.show()
app.processEvents()
app.quit()
sys.exit(0)
