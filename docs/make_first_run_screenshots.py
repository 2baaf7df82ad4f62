"""Writes screenshots of the first run (issue 12, item 6): the start page with no
document open (1280 x 800, the narrowest laptop it must fit), the guided tour at its
Services step, and the guide with a search for "pooled budget". Run from the
repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_first_run_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_window import demo_window  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> int:
    with demo_window() as (app, window):
        from cypdesk.ui.dialogs.help import HelpDialog, guide_page
        from cypdesk.ui.tour import start_tour

        OUT.mkdir(exist_ok=True)
        path = window.workspace.doc.path
        window.settings.add_recent(path)
        window.close_document()
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        window.grab().save(str(OUT / "0-start-page.png"))

        window.open_path(path, wait=True)
        window.resize(1366, 768)
        app.processEvents()
        tour = start_tour(window)
        tour.next()  # the Services step: the tab highlighted, the panel under it
        app.processEvents()
        window.grab().save(str(OUT / "tour.png"))
        tour.skip()

        guide = HelpDialog(guide_page(None), "Help: Contents — cypdesk", window)
        guide.resize(1100, 700)
        guide.show()
        guide.find("pooled budget")
        app.processEvents()
        guide.grab().save(str(OUT / "guide.png"))
        guide.close()
    print("wrote 0-start-page.png, tour.png, guide.png in", OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
