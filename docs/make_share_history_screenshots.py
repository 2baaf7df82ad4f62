"""Writes screenshots of File > Share with a partner… (a partner chosen, a field withheld
by the officer, a passphrase typed) and of the History view of an organisation that was
imported, edited in its tab, then changed by a merge of a partner's file with a
conflict, at 1366x768 on a fresh demo, into docs/screenshots/ (or the folder given).
Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_share_history_screenshots.py [folder]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

from demo_window import demo_window

ORGS = "Name,Kind,Website\nKestrel Family Support,voluntary,https://kestrel.example\n"


def _copy(source, dest) -> None:
    src, out = sqlite3.connect(source), sqlite3.connect(dest)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()


def _history(app, window, out: Path) -> None:
    """An organisation imported; a copy sent to a partner (bob at the ICB), who changes
    its charity number and website; its website typed in the tab; bob's file merged."""
    import time

    from cypdesk.model.document import Document
    from cypdesk.model.installation import Installation
    from cypdesk.services import records
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge
    from cypdesk.services.importing import ImportOptions, open_source, run_import
    from cypdesk.services.workspace import Workspace

    ws = window.workspace
    bob = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="ICB-PC-0417")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "voluntary-sector-register.csv"
        path.write_text(ORGS, encoding="utf-8")
        run_import(ws, open_source(path, kind="organisations"), ImportOptions(kind="organisations"))
        org_id = window.reader.execute(
            "SELECT id FROM organisations WHERE name = 'Kestrel Family Support'").fetchone()[0]
        (Path(tmp) / "bob").mkdir()
        sent = Path(tmp) / "bob" / "Riverside for Eastshire ICB.cypdesk"
        _copy(ws.doc.working_path, sent)
        theirs = Path(tmp) / "Eastshire ICB plan.cypdesk"
        doc = Document.open(sent, installation=bob)
        try:
            records.update(Workspace(doc, bob), "organisations", org_id,
                           {"charity_number": "1190001", "website": "https://kestrelfamilies.org.uk"})
            _copy(doc.working_path, theirs)
        finally:
            doc.close(discard=True)
        time.sleep(0.02)
        window.refresh_all()
        tab = window.show_tab("organisations")
        tab.select(org_id)
        app.processEvents()
        tab.form.editors["website"].setText("https://kestrel.example/families")
        tab.apply_edit()
        apply_merge(ws, theirs, plan_merge(ws, theirs), backup=False)
    window.refresh_all()
    tab.select(org_id)
    tab.view.setFocus()

    def grab(view) -> bool:
        view.resize(1200, 440)
        view.show()
        view.table.selectRow(1)  # the conflict, in full under the table
        app.processEvents()
        view.grab().save(str(out / "history-view.png"))
        print(out / "history-view.png", f"{view.width()}x{view.height()}")
        return False

    window.run_dialog = grab
    tab.show_history()


def _share(app, window, out: Path) -> None:
    """The Share dialog for one partner, contract values withheld by the rule, the
    officer withholding one field more, a passphrase typed twice."""
    from cypdesk.ui.exchange.share_dialog import share_with_partner

    def grab(dialog) -> bool:
        partner = next(i for i in range(dialog.partner.count()) if "Integrated Care Board" in dialog.partner.itemText(i))
        dialog.partner.setCurrentIndex(partner)
        dialog.set_withheld("services", "annual_cost")
        dialog.protect.setChecked(True)
        dialog.passphrase.setText("heron lantern quietly orchard")
        dialog.passphrase_again.setText("heron lantern quietly orchard")
        dialog.resize(820, 700)
        dialog.show()
        dialog.tree.setCurrentItem(dialog.items[("contracts", "annual_value")])
        dialog.tree.scrollToTop()
        app.processEvents()
        dialog.grab().save(str(out / "dialog-share.png"))
        print(out / "dialog-share.png", f"{dialog.width()}x{dialog.height()}")
        return False

    window.run_dialog = grab
    share_with_partner(window)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with demo_window() as (app, window):
        window.show()
        app.processEvents()
        _share(app, window, out)
        _history(app, window, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
