"""The paper as it will print: the PDF the renderer writes, its pages shown as images
(rendered on the worker), with Export PDF…, Export Word…, a provider-safe version for
a partner, Print… (QPrintDialog, choosing pages) and Open in viewer. A draft is built
from today's data each time; a final paper shows its snapshot, what the board saw."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QLayout, QMessageBox, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from cypdesk.ui.tabs.papers.pdfpages import PREVIEW_DPI, page_count, print_pdf, render_pages

EXPORT_PDF_FILTER = "PDF document (*.pdf)"
A4_WIDTH_INCHES = 210 / 25.4
MIN_DPI = 50
EXPORT_WORD_FILTER = "Word document (*.docx)"


def safe_name(title: str) -> str:
    """A file name from a paper's title (characters Windows refuses go)."""
    cleaned = "".join("-" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in title).strip(" .")
    return cleaned[:120] or "Board paper"


def build_pdf(path: str, paper_id: str, out: Path, partner: Any = None) -> Any:
    """On the worker: the paper's content (its snapshot when final), as a PDF at ``out``."""
    from cypdesk.io.papers.pdf import write_paper_pdf
    from cypdesk.model.dbfile import connect
    from cypdesk.services.papers.content import build_paper_doc

    conn = connect(path, read_only=True)
    try:
        doc = build_paper_doc(conn, paper_id, partner=partner)
    finally:
        conn.close()
    return write_paper_pdf(doc, out)


def build_docx(path: str, paper_id: str, out: Path, partner: Any = None) -> None:
    from cypdesk.io.papers.docx import write_paper_docx
    from cypdesk.model.dbfile import connect
    from cypdesk.services.papers.content import build_paper_doc

    conn = connect(path, read_only=True)
    try:
        doc = build_paper_doc(conn, paper_id, partner=partner)
    finally:
        conn.close()
    write_paper_docx(doc, out)


class PreviewPanel(QWidget):
    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("papers_preview")
        self.paper_id: str | None = None
        self.title = ""
        self.pdf: Path | None = None  # the PDF the pages show
        self.pages: list[QLabel] = []
        self.stale = True
        self._folder: str | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.note = QLabel("")
        self.note.setObjectName("papers_preview_note")
        self.note.setWordWrap(True)
        top.addWidget(self.note, 1)
        column.addLayout(top)
        self.buttons: dict[str, QPushButton] = {}
        for line in ((("refresh", "Rebuild", "Build the preview again from the data", self.refresh),
                      ("pdf", "Export PDF…", "Save the paper as a PDF", self.export_pdf),
                      ("word", "Export Word…", "Save the paper as an accessible Word document, for publishing",
                       self.export_word)),
                     (("partner", "Provider-safe version for…", "A PDF for one partner: confidential sections, "
                                                                  "values and contact details left out",
                       self.export_for_partner),
                      ("print", "Print…", "Print the paper, choosing the printer and the pages", self.print_paper),
                      ("viewer", "Open in viewer", "Open the PDF in the computer's PDF viewer", self.open_in_viewer))):
            row = QHBoxLayout()
            row.addStretch(1)
            for name, text, tip, slot in line:
                button = QPushButton(text)
                button.setObjectName(f"papers_preview_{name}")
                button.setAccessibleName(text.replace("&", "").replace("…", ""))
                button.setToolTip(tip)
                button.clicked.connect(slot)
                row.addWidget(button)
                self.buttons[name] = button
            column.addLayout(row)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("papers_preview_pages")
        self.scroll.setAccessibleName("The paper's pages")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll.setStyleSheet("QScrollArea { background: #8a8a8a; }")
        inner = QWidget()
        inner.setStyleSheet("background: #8a8a8a;")
        self.page_column = QVBoxLayout(inner)
        self.page_column.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_column.setSpacing(12)
        self.page_column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # the pages whole: it scrolls
        self.scroll.setWidget(inner)
        column.addWidget(self.scroll, 1)
        self.show_paper(None, "")

    # --- the temporary folder the preview's PDF lives in ----------------------------------------------
    def folder(self) -> Path:
        if self._folder is None or not Path(self._folder).is_dir():
            self._folder = tempfile.mkdtemp(prefix="cypdesk-preview-")
        return Path(self._folder)

    def discard(self) -> None:
        """Forget the rendered preview and its temporary files (the document closed)."""
        self._clear_pages()
        self.pdf = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # --- showing ---------------------------------------------------------------------------------------
    def show_paper(self, paper_id: str | None, title: str) -> None:
        if paper_id != self.paper_id:
            self._clear_pages()
            self.pdf = None
        self.paper_id, self.title = paper_id, title
        self.stale = True
        self._update_buttons()
        self.note.setText("Select a paper to preview it." if paper_id is None else
                          "The preview is built when you look at it.")

    def _clear_pages(self) -> None:
        for label in self.pages:
            self.page_column.removeWidget(label)
            label.deleteLater()
        self.pages = []

    def _update_buttons(self) -> None:
        has = self.paper_id is not None and self.tab.ws is not None
        for name in ("refresh", "pdf", "word", "partner"):
            self.buttons[name].setEnabled(has)
        for name in ("print", "viewer"):
            self.buttons[name].setEnabled(has and self.pdf is not None)

    def refresh(self) -> None:
        """Build the PDF and render its pages, on the worker."""
        if self.paper_id is None or self.tab.ws is None or not self.tab.commit_pending():
            return
        paper_id, path = self.paper_id, self.tab.ws.doc.working_path
        out = self.folder() / f"{paper_id}.pdf"
        self.note.setText("Building the preview…")
        dpi = self.fitting_dpi()

        def work(progress: Any) -> Any:
            info = build_pdf(path, paper_id, out)
            return info, render_pages(out, dpi, progress)

        def done(result: Any) -> None:
            if paper_id != self.paper_id:
                return  # another paper was chosen meanwhile
            info, pages = result
            self.stale = False
            self.pdf = out
            self._show_pages(pages)
            count = len(pages)
            self.note.setText(f"{count} page{'s' if count != 1 else ''}, as it will print. "
                              + ("A final paper shows what the board saw." if self.tab.is_final() else
                                 "A draft shows today's data; finalising keeps it."))
            self._update_buttons()

        self.tab.window_.run_task("Building the preview…", work, done, path=out, doing="build the preview in")

    def fitting_dpi(self) -> float:
        """The resolution at which a portrait A4 page fills the preview's width (a
        landscape page is wider and scrolls), within reason."""
        width = self.scroll.viewport().width() - 2 * self.page_column.contentsMargins().left() - 24
        return max(MIN_DPI, min(PREVIEW_DPI, width / A4_WIDTH_INCHES)) if width > 0 else PREVIEW_DPI

    def _show_pages(self, pages: list[Any]) -> None:
        self._clear_pages()
        for number, page in enumerate(pages, start=1):
            label = QLabel()
            label.setObjectName(f"papers_preview_page_{number}")
            label.setAccessibleName(f"Page {number} of {len(pages)}")
            pixmap = QPixmap.fromImage(page.image())
            label.setPixmap(pixmap)
            label.setFixedSize(pixmap.size())  # a page keeps its shape; the column scrolls
            label.setStyleSheet("background: white; border: 1px solid #5a5a5a;")
            self.page_column.addWidget(label)
            self.pages.append(label)

    def ensure_built(self) -> None:
        if self.stale and self.paper_id is not None:
            self.refresh()

    # --- exports ------------------------------------------------------------------------------------------
    def export_pdf(self) -> None:
        self._export("pdf", None)

    def export_word(self) -> None:
        self._export("docx", None)

    def export_for_partner(self) -> None:
        """A provider-safe PDF for one organisation the officer chooses."""
        from cypdesk.services.lookups import options
        from cypdesk.services.outward import Partner

        if self.paper_id is None or not self.tab.commit_pending():
            return
        organisations = options(self.tab.reader, "organisations")
        if not organisations:
            self.tab.window_.ask(QMessageBox.Icon.Information, "No partners yet",
                                 "The document has no organisations to make a provider-safe version for.",
                                 QMessageBox.StandardButton.Ok)
            return
        names = [name for _id, name in organisations]
        chosen = self.tab.window_.choose_item("Provider-safe version",
                                              "Make a version of the paper a partner may see, for:", names)
        if chosen is None:
            return
        org_id = organisations[names.index(chosen)][0]
        self._export("pdf", Partner(org_id, chosen))

    def _export(self, form: str, partner: Any) -> None:
        if self.paper_id is None or self.tab.ws is None or not self.tab.commit_pending():
            return
        suffix = f" for {safe_name(partner.name)}" if partner is not None else ""
        suggested = f"{safe_name(self.title)}{suffix}.{form}"
        what = "the provider-safe version" if partner is not None else ("the paper as PDF" if form == "pdf"
                                                                         else "the paper as Word")
        target = self.tab.window_.choose_save_path(f"Export {what}", suggested,
                                                   EXPORT_PDF_FILTER if form == "pdf" else EXPORT_WORD_FILTER)
        if not target:
            return
        if not target.lower().endswith(f".{form}"):
            target += f".{form}"
        paper_id, path = self.paper_id, self.tab.ws.doc.working_path

        def work(_progress: Any) -> Any:
            # Written beside the target and moved into place: a failure leaves no half file
            # (and an older export of the same name as it was).
            final = Path(target)
            temporary = final.with_name(f".{final.stem}.part{final.suffix}")
            try:
                (build_pdf if form == "pdf" else build_docx)(path, paper_id, temporary, partner)
                os.replace(temporary, final)
            finally:
                temporary.unlink(missing_ok=True)
            return target

        def done(result: str) -> None:
            who = f" (provider-safe, for {partner.name})" if partner is not None else ""
            self.tab.window_.status(f"Exported the paper{who} to {result}")

        self.tab.window_.run_task(f"Exporting {what}…", work, done, path=target, doing="export to")

    # --- print and view -----------------------------------------------------------------------------------
    def print_paper(self) -> None:
        """Print… : the print dialog (printer, copies, pages), then the chosen pages
        rendered at the printer's resolution, on the worker."""
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

        if self.pdf is None or not self.pdf.is_file():
            return
        total = page_count(self.pdf)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        printer.setFromTo(1, total)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the paper")
        dialog.setAccessibleName("Print the paper")
        dialog.setMinMax(1, total)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, False)
        if not self.tab.window_.run_dialog(dialog):
            return
        pdf = self.pdf
        self._printer = printer  # kept alive until the worker is done with it

        def done(printed: int) -> None:
            self.tab.window_.status(f"Sent {printed} page{'s' if printed != 1 else ''} of “{self.title}” to "
                                    f"{printer.outputFileName() or printer.printerName() or 'the printer'}.")

        self.tab.window_.run_task("Printing…", lambda progress: print_pdf(pdf, printer, progress), done,
                                  path=printer.outputFileName() or None, doing="print to")

    def open_in_viewer(self) -> None:
        """The preview's PDF in the computer's own PDF viewer (a copy: the preview's own
        file is rebuilt and removed as the officer works)."""
        if self.pdf is None or not self.pdf.is_file():
            return
        copy = self.folder() / f"{safe_name(self.title)}.pdf"
        shutil.copyfile(self.pdf, copy)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy))):
            self.tab.window_.ask(QMessageBox.Icon.Warning, "No PDF viewer",
                                 f"The computer did not open the PDF. It is saved at {copy}; use Export PDF… to keep "
                                 "a copy where you choose.", QMessageBox.StandardButton.Ok)
