"""Step 4: what the import would do, worked out without writing: the counts (added,
changed, unchanged, rejected), the new organisations, services, areas and indicators
it would create (the officer ticks to confirm them), every problem by row, column,
heading, value and reason with its cells marked in a grid of the source rows, "Skip
invalid rows", and the problem list exportable as CSV."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableView,
    QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from cypdesk.ui.dialogs.import_wizard.busy import BusyPanel
from cypdesk.ui.dialogs.import_wizard.grid import ProblemsModel, SourceGridModel
from cypdesk.ui.dialogs.import_wizard.links import LinkPanel
from cypdesk.ui.dialogs.import_wizard.work import PREVIEW_ROWS, kind_label
from cypdesk.ui.widgets.record_form import ERROR_STYLE, HINT_STYLE



def counts_text(result: Any, *, done: bool = False) -> str:
    """"12 added, 3 changed, 40 unchanged, 2 rejected" (or "to add", before)."""
    if done:
        words = (f"{result.added:,} added", f"{result.changed:,} changed", f"{result.unchanged:,} unchanged",
                 f"{result.rejected:,} rejected")
    else:
        words = (f"{result.added:,} to add", f"{result.changed:,} to change", f"{result.unchanged:,} unchanged",
                 f"{result.rejected:,} with problems")
    return ", ".join(words)


def created_text(created: dict[str, list[str]], *, limit: int = 12) -> str:
    parts = []
    for kind, titles in created.items():
        if not titles:
            continue
        shown = "; ".join(titles[:limit]) + (f"; and {len(titles) - limit} more" if len(titles) > limit else "")
        note = " (marked “to classify”)" if kind == "services" else ""
        noun = kind_label(kind).lower() if len(titles) != 1 else _singular(kind)
        parts.append(f"{len(titles):,} new {noun}{note}: {shown}")
    return "\n".join(parts)


def _singular(kind: str) -> str:
    from cypdesk.model.catalog import CATALOG

    return CATALOG[kind]["label"] if kind in CATALOG else kind


class PreviewPage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("import_preview_page")
        self.setTitle("Check before importing")
        self.setSubTitle("Nothing has been written yet. This is what the import would do.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        layout = QVBoxLayout(self)
        self.busy = BusyPanel("import_preview", self)
        layout.addWidget(self.busy)
        self.counts = QLabel("")
        self.counts.setObjectName("import_counts")
        self.counts.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.counts.setAccessibleDescription("What the import would do")
        layout.addWidget(self.counts)
        self.created = QLabel("")
        self.created.setObjectName("import_created")
        self.created.setWordWrap(True)
        self.created.setAccessibleDescription("Records the import would create")
        self.created.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.created)
        self.links = LinkPanel(wizard.set_link, self)
        layout.addWidget(self.links)
        self.create = QCheckBox("&Create these new records (the rows that name them need them)")
        self.create.setObjectName("import_create_missing")
        self.create.setAccessibleName("Create the new records listed")
        self.create.toggled.connect(self._choice_changed)
        layout.addWidget(self.create)
        self.notes = QLabel("")
        self.notes.setObjectName("import_preview_notes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.notes)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("import_preview_split")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        self.problems_title = QLabel("Problems")
        self.problems_title.setObjectName("import_problems_title")
        heading.addWidget(self.problems_title, 1)
        self.export = QPushButton("E&xport the problems…")
        self.export.setObjectName("import_export_problems")
        self.export.setAccessibleName("Export the problems to a CSV file")
        self.export.clicked.connect(self.wizard_.export_problems)
        heading.addWidget(self.export)
        top_layout.addLayout(heading)
        self.problems = QTableView()
        self.problems.setObjectName("import_problems")
        self.problems.setAccessibleName("Problems: row, column, heading, value and reason")
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setTabKeyNavigation(False)
        self.problems.verticalHeader().hide()
        self.problems.horizontalHeader().setStretchLastSection(True)
        top_layout.addWidget(self.problems)
        split.addWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_title = QLabel("Rows of the file (cells with problems in red)")
        self.rows_title.setObjectName("import_rows_title")
        bottom_layout.addWidget(self.rows_title)
        self.grid = QTableView()
        self.grid.setObjectName("import_preview_grid")
        self.grid.setAccessibleName("Rows of the file; cells with problems marked")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setTabKeyNavigation(False)
        self.grid.verticalHeader().setDefaultSectionSize(22)
        bottom_layout.addWidget(self.grid)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.skip = QCheckBox("&Skip invalid rows: import the others and list these")
        self.skip.setObjectName("import_skip_invalid")
        self.skip.setAccessibleName("Skip invalid rows")
        self.skip.toggled.connect(self._choice_changed)
        layout.addWidget(self.skip)
        self.message = QLabel("")
        self.message.setObjectName("import_preview_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setAccessibleDescription("Why the import cannot start yet")
        layout.addWidget(self.message)
        self.shown: Any = None
        self.to_create = False  # the plan would create records the officer must confirm

    def initializePage(self) -> None:  # noqa: N802
        self.create.blockSignals(True)
        self.create.setChecked(False)
        self.create.blockSignals(False)
        self.wizard_.preview(self)

    def _choice_changed(self, _checked: bool) -> None:
        if self.wizard_.plans:
            self.wizard_.preview(self)
        self.completeChanged.emit()

    def clear(self) -> None:
        self.shown = None
        self.counts.setText("")
        self.message.setText("")
        self.problems.setModel(None)
        self.grid.setModel(None)
        self.completeChanged.emit()

    def show_plan(self, plan: Any, created: dict[str, list[str]]) -> None:
        """The plan worked out: counts, records to create, problems and the grid."""
        result = plan.result
        self.shown = plan
        self.counts.setText(counts_text(result))
        text = created_text(created)
        self.created.setText(f"The import would create:\n{text}" if text else "")
        self.created.setVisible(bool(text))
        self.create.setVisible(bool(text))
        self.to_create = bool(text)
        self.notes.setText("\n".join(f"• {n}" for n in result.notes))
        self.notes.setVisible(bool(result.notes))
        problems = ProblemsModel(result.problems, self.problems)
        self.problems.setModel(problems)
        self.problems.selectionModel().currentRowChanged.connect(lambda current, _prev: self.go_to_problem(current.row()))
        header = self.problems.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_title.setText(f"{len(result.problems):,} problem{'s' if len(result.problems) != 1 else ''}"
                                    if result.problems else "No problems")
        self.export.setEnabled(bool(result.problems))
        table = self.wizard_.table
        grid = SourceGridModel(table.headers, table.letters, plan.rows, self.grid)
        grid.mark_problems(result.problems)
        self.grid.setModel(grid)
        self.grid.horizontalHeader().setResizeContentsPrecision(30)  # sized by the first rows: quick
        self.grid.resizeColumnsToContents()
        for col in range(grid.columnCount()):
            self.grid.setColumnWidth(col, min(max(self.grid.columnWidth(col), 60), 240))
        shown = f"the first {min(len(plan.rows), PREVIEW_ROWS):,}" if plan.more_rows else "all"
        extra = " and every row with a problem" if plan.more_rows and result.problems else ""
        self.rows_title.setText(f"Rows the import reads: {shown}{extra} (cells with problems in red)")
        self.completeChanged.emit()

    def go_to_problem(self, number: int) -> None:
        """Select the cell of the problem at ``number`` in the list, in the grid."""
        model = self.grid.model()
        problems = self.problems.model()
        if model is None or problems is None or not 0 <= number < len(problems.problems):
            return
        p = problems.problems[number]
        rows = model.indexes_of_row(p.row) if p.row is not None else []
        if not rows:
            return
        column = model.column_of(p.column, p.header) or 0
        index = model.index(rows[0], column)
        self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def blocked_because(self) -> str:
        """Why Import is not available yet, in words ("" when it is)."""
        plan = self.shown
        if plan is None:
            return ""
        result = plan.result
        if self.to_create and not self.create.isChecked() and not self.skip.isChecked():
            return ("Tick “Create these new records” to import, or tick “Skip invalid rows” to import "
                    "without the rows that name them.")
        if result.problems and not self.skip.isChecked():
            return ("Some rows have problems. Correct the file and read it again (Back), or tick “Skip invalid "
                    "rows” to import the others.")
        if not (result.added or result.changed):
            return "Nothing to import: every row is already in the document as it is in the file."
        return ""

    def isComplete(self) -> bool:  # noqa: N802
        reason = self.blocked_because()
        self.message.setText(reason)
        return self.shown is not None and not reason and not self.wizard_.working
