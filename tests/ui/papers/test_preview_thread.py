"""The preview is built off the window's thread (issue 10, item 10): on the REAL
thread pool (``TaskRunner.INLINE`` turned off here, unlike the other window tests),
the PDF is written and its pages rendered on a worker thread, and the pages appear
once it is done, one image a page, each named "Page n of N" for a screen reader."""

from __future__ import annotations

import threading

DRAFT = "Joint commissioning strategy: progress and forward plan"


def test_the_preview_is_rendered_on_a_worker_thread(open_window, qtbot, monkeypatch):
    from pypdf import PdfReader

    from cypdesk.ui.tabs.papers import preview as preview_module
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)  # the real pool, for this test
    seen = []
    real = preview_module.render_pages

    def recording(*args, **kwargs):  # the real renderer, noting the thread it ran on
        seen.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(preview_module, "render_pages", recording)
    window = open_window("papers")
    window.resize(1280, 800)
    window.show()
    tab = window.current_tab()
    paper = tab.reader.execute("SELECT id FROM papers WHERE title = ?", (DRAFT,)).fetchone()[0]
    tab.select(paper)
    tab.pages.setCurrentIndex(3)
    qtbot.waitUntil(lambda: bool(tab.preview.pages), timeout=30_000)
    window.tasks.wait()
    assert seen == [False]  # rendered once, not on the window's thread
    count = len(PdfReader(tab.preview.pdf).pages)
    assert len(tab.preview.pages) == count
    assert tab.preview.pages[-1].accessibleName() == f"Page {count} of {count}"
    assert tab.preview.buttons["print"].isEnabled() and tab.preview.buttons["viewer"].isEnabled()
