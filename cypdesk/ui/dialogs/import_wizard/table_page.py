"""Step 2: the sheet (chosen by name; hidden sheets marked) and the table found in it:
the sheet's first rows as they are, the heading row marked and changeable, and the
notes (title rows above the table, totals and footnotes skipped, hidden rows included,
formulas without a saved value)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTableView, QVBoxLayout, QWizardPage,
)

from cypdesk.ui.dialogs.import_wizard.busy import BusyPanel
from cypdesk.ui.dialogs.import_wizard.grid import SourceGridModel


class TablePage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("import_table_page")
        self.setTitle("Find the table")
        self.setSubTitle("cypdesk looked for the row of headings under any title and notes. Check it, or "
                         "choose another sheet or heading row.")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.sheet = QComboBox()
        self.sheet.setObjectName("import_sheet")
        self.sheet.setAccessibleName("Sheet")
        self.sheet.activated.connect(self._sheet_chosen)
        sheet_label = QLabel("S&heet:")
        sheet_label.setBuddy(self.sheet)
        top.addWidget(sheet_label)
        top.addWidget(self.sheet, 1)
        self.header_row = QSpinBox()
        self.header_row.setObjectName("import_header_row")
        self.header_row.setAccessibleName("Heading row")
        self.header_row.setRange(1, 1_048_576)
        header_label = QLabel("Heading &row:")
        header_label.setBuddy(self.header_row)
        self.reread = QPushButton("&Use this heading row")
        self.reread.setObjectName("import_use_header_row")
        self.reread.setAccessibleName("Use this heading row")
        self.reread.setToolTip("Read the table again with its headings in the row chosen")
        self.reread.clicked.connect(self._header_row_chosen)
        top.addWidget(header_label)
        top.addWidget(self.header_row)
        top.addWidget(self.reread)
        layout.addLayout(top)
        self.busy = BusyPanel("import_table", self)
        layout.addWidget(self.busy)
        self.summary = QLabel("")
        self.summary.setObjectName("import_table_summary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleDescription("The table found")
        layout.addWidget(self.summary)
        self.grid = QTableView()
        self.grid.setObjectName("import_sheet_grid")
        self.grid.setAccessibleName("The sheet's first rows, the heading row in bold")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setTabKeyNavigation(False)
        self.grid.verticalHeader().setDefaultSectionSize(22)
        self.grid.clicked.connect(lambda index: self.header_row.setValue(self.grid.model().rows[index.row()].number))
        layout.addWidget(self.grid, 1)
        self.notes = QLabel("")
        self.notes.setObjectName("import_table_notes")
        self.notes.setWordWrap(True)
        self.notes.setAccessibleDescription("Notes on the table")
        layout.addWidget(self.notes)
        self.loaded_for: tuple[Any, ...] | None = None

    def initializePage(self) -> None:  # noqa: N802
        key = (self.wizard_.path, self.wizard_.kind)
        if self.loaded_for != key or self.wizard_.opened is None:
            self.load()

    def load(self, *, sheet: str | None = None, header_row: int | None = None) -> None:
        self.loaded_for = (self.wizard_.path, self.wizard_.kind)
        self.summary.setText("")
        self.notes.setText("")
        self.grid.setModel(None)
        for widget in (self.sheet, self.header_row, self.reread):
            widget.setEnabled(False)
        self.wizard_.read(self, sheet=sheet, header_row=header_row)

    def _sheet_chosen(self, _index: int) -> None:
        name = self.sheet.currentData()
        if self.wizard_.opened is not None and name != self.wizard_.opened.sheet:
            self.load(sheet=name)

    def _header_row_chosen(self) -> None:
        opened = self.wizard_.opened
        self.load(sheet=opened.sheet if opened is not None else None, header_row=self.header_row.value())

    def show_opened(self, opened: Any) -> None:
        """The file read: its sheets, the first rows with the heading row marked, notes."""
        self.sheet.clear()
        for choice in opened.sheets:
            self.sheet.addItem(f"{choice.name} (hidden sheet)" if choice.hidden else choice.name, choice.name)
        if opened.sheets:
            self.sheet.setCurrentIndex(max(self.sheet.findData(opened.sheet), 0))
        else:
            self.sheet.addItem("(a CSV or data file: one table)" if opened.sheet is None else opened.sheet,
                               opened.sheet)
        self.sheet.setEnabled(len(opened.sheets) > 1)
        raw = opened.raw
        width = max((len(r.values) for r in raw), default=0)
        from cypdesk.io.tablefind import column_letter

        model = SourceGridModel([""] * width, [column_letter(i) for i in range(width)], raw, self.grid)
        model.heading_rows = set(opened.header_rows)
        self.grid.setModel(model)
        self.grid.horizontalHeader().setResizeContentsPrecision(30)  # sized by the first rows: quick
        self.grid.resizeColumnsToContents()
        for col in range(model.columnCount()):
            self.grid.setColumnWidth(col, min(self.grid.columnWidth(col), 220))
        if opened.header_rows:
            self.header_row.setValue(opened.header_rows[-1])
            rows = model.indexes_of_row(opened.header_rows[0])
            if rows:
                self.grid.scrollTo(model.index(rows[0], 0), QAbstractItemView.ScrollHint.PositionAtTop)
        table = opened.table
        where = f"sheet “{opened.sheet}”" if opened.sheet else opened.path.name
        heading = (f"headings in row {', '.join(str(n) for n in opened.header_rows)}" if opened.header_rows
                   else "its headings")
        fmt = "" if table.format in ("table", None) else f" Read as a {self.wizard_.format_label(table.format)}."
        self.summary.setText(f"In {where}: a table of {len(table.headers)} columns, {heading}.{fmt}")
        self.notes.setText("\n".join(f"• {n}" for n in opened.notes))
        self.notes.setVisible(bool(opened.notes))
        self.header_row.setEnabled(bool(raw))
        self.reread.setEnabled(bool(raw))
        self.completeChanged.emit()

    def failed(self) -> None:
        self.sheet.setEnabled(self.sheet.count() > 1)
        self.header_row.setEnabled(self.grid.model() is not None)
        self.reread.setEnabled(self.grid.model() is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.wizard_.opened is not None and not self.wizard_.working
