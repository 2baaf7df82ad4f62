"""Writes a screenshot of each tab of the window, opened on a fresh small demo
document, into docs/screenshots/. Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from demo_window import demo_window

OUT = Path(__file__).resolve().parent / "screenshots"
# Names the README links to, kept when the Board papers tab came in sixth.
FILE_NAMES = {"papers": "6-papers", "organisations": "6-organisations-and-people"}
DRAFT = "Joint commissioning strategy: progress and forward plan"


def papers_screenshots(app, window, tab) -> None:
    """The Board papers tab: the draft paper's fields and text, its recommendations,
    its preview (as it prints) and the forward plan."""
    from datetime import date

    tab.set_today(date(2026, 11, 22))
    paper = tab.reader.execute("SELECT id FROM papers WHERE title = ?", (DRAFT,)).fetchone()[0]
    tab.select(paper)
    for page, suffix in ((0, ""), (1, "-recommendations"), (2, "-appendices"), (3, "-preview")):
        tab.pages.setCurrentIndex(page)
        app.processEvents()
        path = OUT / f"6-papers{suffix}.png"
        window.grab().save(str(path))
        print(path)
    tab.pages.setCurrentIndex(0)
    tab.show_view(1)
    app.processEvents()
    path = OUT / "6-papers-forward-plan.png"
    window.grab().save(str(path))
    print(path)
    tab.show_view(0)


def main() -> int:
    with demo_window() as (app, window):
        window.refresh_attention()
        app.processEvents()
        OUT.mkdir(exist_ok=True)
        window.attention.toggle.setChecked(True)
        app.processEvents()
        path = OUT / "0-overview.png"
        window.grab().save(str(path))
        print(path)
        window.attention.toggle.setChecked(False)
        app.processEvents()
        OUT.mkdir(exist_ok=True)
        for index, tab in enumerate(window.tab_list):
            window.tabs.setCurrentIndex(index)
            app.processEvents()
            name = tab.spec.title.replace("&", "").lower().replace(" ", "-")
            path = OUT / f"{FILE_NAMES.get(tab.kind, f'{index + 1}-{name}')}.png"
            if tab.kind == "papers":  # the seed-004-like draft, then its preview and the forward plan
                papers_screenshots(app, window, tab)
                continue
            if tab.kind == "agreements":  # the s75 pooled fund, on its quarterly monitoring page
                from cypdesk.services.lookups import options

                tab.select(next(i for i, t in options(tab.reader, "agreements") if t.startswith("Section 75")))
                app.processEvents()
            if tab.kind == "organisations":  # a duplicate written differently, as partners' lists have
                from cypdesk.services import records
                from cypdesk.services.lookups import options

                records.create(window.workspace, "organisations",
                               {"name": "The Brightside Family Support Ltd", "kind": "voluntary"})
                window.refresh_all()
                tab.select(next(i for i, t in options(tab.reader, "organisations") if t == "Brightside Family Support"))
                app.processEvents()
            window.grab().save(str(path))
            print(path)
            if tab.kind == "indicators":  # needs by place: a locality beside the trust, then the places
                reref = tab.reader.execute("SELECT id FROM indicators WHERE code = 'REREF'").fetchone()[0]
                locality = tab.filter_bar.combos["locality"]
                locality.setCurrentIndex(locality.findData(
                    tab.reader.execute("SELECT id FROM areas WHERE name = 'North Riverside'").fetchone()[0]))
                tab.select(reref)
                tab.draw_chart()  # at once, not on the selection's timer
                app.processEvents()
                path = OUT / f"{index + 1}-needs-locality.png"
                window.grab().save(str(path))
                print(path)
                locality.setCurrentIndex(0)
                tab.select(reref)
                tab.views_tabs.setCurrentIndex(2)
                app.processEvents()
                path = OUT / f"{index + 1}-needs-places.png"
                window.grab().save(str(path))
                print(path)
                tab.views_tabs.setCurrentIndex(0)
                tab.select(None)
            if tab.kind == "services":
                from cypdesk.services.lookups import options

                tab.view.selectRow(3)
                app.processEvents()
                path = OUT / f"{index + 1}-services-detail.png"
                window.grab().save(str(path))
                print(path)
                spend_of = next(i for i, t in options(tab.reader, "services")
                                if t == "Appropriate adult service for children")
                tab.select(spend_of)  # its spend against value and the payments matched
                app.processEvents()
                tab.spend_section.parentWidget().parentWidget().parentWidget().ensureWidgetVisible(
                    tab.spend_section, 0, 0)
                app.processEvents()
                path = OUT / f"{index + 1}-services-spend.png"
                window.grab().save(str(path))
                print(path)
                tab.show_map()
                app.processEvents()
                path = OUT / f"{index + 1}-services-map.png"
                window.grab().save(str(path))
                print(path)
                tab.views_tabs.setCurrentIndex(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
