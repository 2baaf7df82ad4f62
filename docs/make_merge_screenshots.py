"""Writes screenshots of File > Merge from partner file…: the preview of a partner's
copy of the demo (the NHS's, which changed services both sides changed too, added an
organisation and deleted a team), with a conflict selected and its two values side by
side, and the Changed page; at 1366x768 on a fresh small demo, into docs/screenshots/
(or the folder given). Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_merge_screenshots.py [folder]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import uuid
from contextlib import closing
from pathlib import Path

from demo_window import demo_window


def partner_copy(window, folder: Path) -> tuple[Path, list[str]]:
    """A copy of the demo as the NHS's officer changed it: the NHS owns it; four NHS
    services get a new capacity or cost (three of which we change too), an organisation
    is added and a team deleted."""
    from cypdesk.model.document import Document
    from cypdesk.model.installation import Installation
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    bob = Installation(id=str(uuid.UUID(int=0xB0B)), user="Sam Okafor", host="NHS-RV-0231")
    path = folder / "Riverside plan (NHS copy).cypdesk"
    shutil.copy(window.workspace.doc.path, path)
    with closing(sqlite3.connect(path)) as conn:
        nhs = conn.execute("SELECT id FROM organisations WHERE name LIKE 'NHS Riverside%'").fetchone()[0]
        services = [r[0] for r in conn.execute("SELECT id FROM services WHERE owner_org_id=? ORDER BY name LIMIT 4",
                                               (nhs,))]
        team = conn.execute("SELECT id FROM teams ORDER BY name LIMIT 1").fetchone()[0]
        conn.execute("UPDATE document SET owner_org_id=?", (nhs,))  # the copy is the NHS's
        conn.commit()
    doc = Document.open(path, installation=bob)
    try:
        ws = Workspace(doc, bob)
        records.update(ws, "services", services[0], {"capacity": 410, "status": "under_review"})
        records.update(ws, "services", services[1], {"annual_cost": 912000})
        records.update(ws, "services", services[2], {"capacity": 75})
        records.update(ws, "services", services[3], {"staff_fte": 14.5})
        records.create(ws, "organisations", {"name": "Vale Young Carers", "kind": "voluntary"})
        records.delete(ws, "teams", team)
        doc.save()
    finally:
        doc.close(discard=True)
    return path, services


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with demo_window() as (app, window):
        from cypdesk.services import records
        from cypdesk.ui.exchange import merge_flow

        theirs, services = partner_copy(window, Path(window.workspace.doc.path).parent)
        ws = window.workspace
        records.update(ws, "services", services[0], {"capacity": 380})
        records.update(ws, "services", services[1], {"annual_cost": 905000, "capacity": 120})
        records.update(ws, "services", services[2], {"capacity": 80})
        window.show_tab("services")
        window.show()
        app.processEvents()

        def grab(dialog) -> bool:
            dialog.resize(1300, 720)
            dialog.show()
            app.processEvents()
            dialog.conflict_view.selectRow(0)
            dialog.conflict_view.setFocus()
            app.processEvents()
            dialog.grab().save(str(out / "merge-preview.png"))
            print(out / "merge-preview.png")
            dialog.pages.setCurrentIndex(2)
            app.processEvents()
            dialog.grab().save(str(out / "merge-preview-changed.png"))
            print(out / "merge-preview-changed.png")
            return False

        window.run_dialog = grab
        merge_flow.choose_partner_file = lambda _window: str(theirs)
        window.action_merge.trigger()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
