"""Writes screenshots of File > Share with a partner… (a partner chosen, a field withheld
by the officer, a passphrase typed) and of the History view of an organisation that was
imported, edited in its tab, then changed by a merge of a partner's file with a
conflict, at 1366x768 on a fresh demo, into docs/screenshots/ (or the folder given).
Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_share_history_screenshots.py [folder]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from demo_window import demo_window

ORGS = "Name,Kind,Website\nKestrel Family Support,voluntary,https://kestrel.example\n"


def _history(app, window, out: Path) -> None:
    """An organisation imported, edited, then merged with a partner's file (the merge's
    rows as the merge writes them: one field taken, one conflict)."""
    from cypdesk.model.system import Conflict, History, MergePeer
    from cypdesk.services.importing import ImportOptions, open_source, run_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "voluntary-sector-register.csv"
        path.write_text(ORGS, encoding="utf-8")
        run_import(window.workspace, open_source(path, kind="organisations"), ImportOptions(kind="organisations"))
    window.refresh_all()
    tab = window.show_tab("organisations")
    org_id = window.reader.execute("SELECT id FROM organisations WHERE name = 'Kestrel Family Support'").fetchone()[0]
    tab.select(org_id)
    app.processEvents()
    tab.form.editors["website"].setText("https://kestrel.example/families")
    tab.apply_edit()
    ws = window.workspace
    peer = "5f0c2c4e-7d1c-4b39-9a51-0e6f2b8a1c77"
    with ws.write() as session:
        mine = session.clock.tick()
        theirs = mine[:-32] + "b0b" * 10 + "b0"  # a partner's installation, at the same moment
        session.add(MergePeer(document_id=peer, title="Eastshire ICB commissioning plan", merges=1))
        session.add(History(hlc=session.clock.tick(), author_id=ws.author.id, author_name="bob on ICB-PC-0417",
                            op="merge", table_name="organisations", record_id=org_id, record_title="Kestrel",
                            field="charity_number", old_value=None, new_value=json.dumps("1190001"),
                            note="from eastshire-plan for Riverside 2026-11-21.cypshare: their value, "
                                 "not changed here"))
        session.add(Conflict(table_name="organisations", record_id=org_id, field="website", kind="field",
                             ours_value=json.dumps("https://kestrel.example/families"),
                             theirs_value=json.dumps("https://kestrelfamilies.org.uk"), ours_hlc=mine,
                             theirs_hlc=theirs, theirs_author="bob on ICB-PC-0417", peer_document_id=peer,
                             resolution="ours", resolved_by=ws.author.id))
    window.refresh_all()
    tab.select(org_id)
    tab.view.setFocus()

    def grab(view) -> bool:
        view.resize(1100, 420)
        view.show()
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
        partner = next(i for i in range(dialog.partner.count()) if "ICB" in dialog.partner.itemText(i))
        dialog.partner.setCurrentIndex(partner)
        dialog.set_withheld("services", "notes")
        dialog.protect.setChecked(True)
        dialog.passphrase.setText("heron lantern quietly orchard")
        dialog.passphrase_again.setText("heron lantern quietly orchard")
        dialog.resize(820, 700)
        dialog.show()
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
