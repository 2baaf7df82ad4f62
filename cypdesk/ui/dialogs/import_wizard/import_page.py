"""Step 5: the import, on the worker, with progress; Cancel (or Escape) stops it part
way and nothing is written. Then the counts, what was created, and how to undo it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWizardPage

from cypdesk.ui.dialogs.import_wizard.busy import BusyPanel
from cypdesk.ui.dialogs.import_wizard.preview_page import counts_text, created_text


class ImportPage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("import_run_page")
        self.setTitle("Import")
        self.setSubTitle("Cancel stops the import; until it finishes nothing is written.")
        layout = QVBoxLayout(self)
        self.busy = BusyPanel("import_run", self, cancel_button=False)  # the wizard's Cancel stops it
        layout.addWidget(self.busy)
        self.counts = QLabel("")
        self.counts.setObjectName("import_result_counts")
        self.counts.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.counts.setAccessibleDescription("What the import did")
        layout.addWidget(self.counts)
        self.details = QLabel("")
        self.details.setObjectName("import_result_details")
        self.details.setWordWrap(True)
        self.details.setAccessibleDescription("Details of the import")
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.finished = False

    def initializePage(self) -> None:  # noqa: N802
        self.finished = False
        self.counts.setText("")
        self.details.setText("")
        self.wizard_.start_import(self)

    def show_result(self, result: Any, file_name: str) -> None:
        self.finished = True
        self.busy.done()
        self.counts.setText(f"Imported from {file_name}: {counts_text(result, done=True)}.")
        lines = []
        created = created_text(result.created)
        if created:
            lines.append(f"Created:\n{created}")
        if result.rejected:
            lines.append(f"{result.rejected:,} row{'s were' if result.rejected != 1 else ' was'} left out "
                         "(the problems listed in the previous step).")
        if result.notes:
            lines.append("\n".join(f"• {n}" for n in result.notes))
        lines.append("Edit > Undo (Ctrl+Z) takes the whole import back." if result.undo is not None
                     else "Nothing in the document changed.")
        self.details.setText("\n\n".join(lines))
        self.setSubTitle("Done.")
        self.completeChanged.emit()

    def show_stopped(self, text: str, *, error: bool) -> None:
        self.finished = True
        self.busy.done(text, error=error)
        self.setSubTitle("Nothing was imported: the document is as it was.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.finished
