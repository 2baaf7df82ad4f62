"""Writes screenshots of the questions the window asks when a document cannot simply
be opened (issue 7): a file holding schema objects of its own, a lock left over, and
unsaved edits waiting. Each is the real window's own message box, captured instead of
waiting for an answer. Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_question_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CYPDESK_HOME"] = str(Path(tmp) / "home")
        from PySide6.QtWidgets import QApplication, QMessageBox

        from cypdesk.services import records
        from cypdesk.services.documents import open_workspace, write_demo
        from cypdesk.ui.main_window import MainWindow
        from cypdesk.ui.tasks import TaskRunner

        master = Path(tmp) / "master.cypdesk"
        write_demo(master, today=date(2026, 11, 22))
        app = QApplication.instance() or QApplication(sys.argv[:1])
        TaskRunner.INLINE = True
        OUT.mkdir(exist_ok=True)
        shots: list[str] = []

        def capture(name: str):  # the box is shown, painted and saved, then answered Open anyway/Decide later, else Cancel
            def exec_(box: QMessageBox) -> int:
                box.show()
                app.processEvents()
                shot = name if name not in shots else name.replace(".png", "-confirm.png")
                box.grab().save(str(OUT / shot))
                shots.append(shot)
                box.hide()
                for answer in (QMessageBox.StandardButton.Ignore, QMessageBox.StandardButton.Cancel):
                    if box.button(answer) is not None:
                        return answer
                return QMessageBox.StandardButton.Ok
            QMessageBox.exec = exec_  # type: ignore[method-assign]

        def copy(name: str) -> Path:
            path = Path(tmp) / name
            shutil.copy(master, path)
            return path

        window = MainWindow()
        window.resize(1366, 800)
        window.show()

        # 1. A partner's file with a trigger of its own.
        foreign = copy("Partner return.cypdesk")
        with sqlite3.connect(foreign) as conn:
            conn.execute("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
                         "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")
        conn.close()
        capture("7-foreign-schema.png")
        window.open_path(foreign, wait=True)

        # 2. An empty lock file left by a full disk.
        locked = copy("Budget 2026.cypdesk")
        lock = locked.with_name(f".~lock.{locked.name}#")
        lock.write_bytes(b"")
        os.utime(lock, (0, 1_700_000_000))
        capture("7-lock-left-over.png")
        window.open_path(locked, wait=True)

        # 3. Unsaved edits waiting from a cypdesk that stopped.
        edited = copy("Riverside children's trust.cypdesk")
        with sqlite3.connect(edited) as conn:
            sid = conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
        conn.close()
        ws = open_workspace(edited)
        records.update(ws, "services", sid, {"capacity": "120"})
        ws.doc.close()
        capture("7-recover-unsaved.png")
        window.open_path(edited, wait=True)
        window.close_document()
        window.close()
        print("wrote " + ", ".join(shots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
