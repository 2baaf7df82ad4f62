"""Step 1: the file to import, and what it holds (the kind of record)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage,
)

from cypdesk.ui.dialogs.import_wizard.work import IMPORT_KINDS, kind_label
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label

FILE_FILTER = ("Spreadsheets and CSV (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.json);;Excel (*.xlsx *.xlsm *.xls);;"
               "OpenDocument (*.ods);;CSV (*.csv *.txt);;Contracts Finder OCDS (*.json);;All files (*)")

PAST_HEADERS = ("When", "Who", "File", "Into", "Rows", "Added", "Changed", "Unchanged", "Rejected")


def local_time(at: str) -> str:
    """A stored UTC time ("2026-12-05T03:20:11") as the computer's local time, "05 Dec 2026 03:20"."""
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return at
    return when.replace(tzinfo=timezone.utc).astimezone().strftime("%d %b %Y %H:%M")


class FilePage(QWizardPage):
    def __init__(self, wizard: Any, kind: str | None) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("import_file_page")
        self.setTitle("Choose the file")
        self.setSubTitle("An Excel workbook, an OpenDocument spreadsheet or a CSV file; a completed return "
                         "template; a Fingertips, DfE, 360Giving, spend or Contracts Finder download.")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.path = QLineEdit()
        self.path.setObjectName("import_path")
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("The file's full name, or Browse…")
        self.path.textChanged.connect(self.completeChanged)
        self.path.textChanged.connect(lambda _text: self.error.hide())
        self.browse = QPushButton("&Browse…")
        self.browse.setObjectName("import_browse")
        self.browse.setAccessibleName("Browse for the file")
        self.browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        label = QLabel("&File:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        self.kind = QComboBox()
        self.kind.setObjectName("import_kind")
        self.kind.setAccessibleName("Import into")
        for name in IMPORT_KINDS:
            self.kind.addItem(kind_label(name), name)
        if kind is not None:
            if self.kind.findData(kind) < 0:
                self.kind.addItem(kind_label(kind), kind)
            self.kind.setCurrentIndex(self.kind.findData(kind))
        kind_title = QLabel("&Import into:")
        kind_title.setBuddy(self.kind)
        form.addRow(kind_title, self.kind)
        hint = QLabel("Nothing is written until the last step, and the whole import is one step that "
                      "Edit > Undo takes back.")
        hint.setObjectName("import_file_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.error = error_label("import_file_error", description="Problem")
        layout.addWidget(self.error)
        self.past_title = QLabel("Past imports into this document")
        self.past_title.setObjectName("import_past_title")
        layout.addWidget(self.past_title)
        self.past = QTableWidget(0, len(PAST_HEADERS))
        self.past.setObjectName("import_past")
        self.past.setAccessibleName("Past imports into this document, newest first")
        self.past.setHorizontalHeaderLabels(list(PAST_HEADERS))
        self.past.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.past.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.past.setTabKeyNavigation(False)
        self.past.verticalHeader().hide()
        self.past.horizontalHeader().setStretchLastSection(False)
        self.past_title.setBuddy(self.past)
        layout.addWidget(self.past, 1)
        self.past_title.hide()
        self.past.hide()

    def show_past(self, imports: list[Any]) -> None:
        """The document's past imports (services.importing.listing), newest first."""
        self.past.setRowCount(len(imports))
        for row, record in enumerate(imports):
            source = record.source + (f" ({record.sheet})" if record.sheet else "")
            cells = [local_time(record.at), record.by or "", source, kind_label(record.kind), record.rows_read,
                     record.added, record.changed, record.unchanged, record.rejected]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else str(value))
                if isinstance(value, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.past.setItem(row, col, item)
        header = self.past.horizontalHeader()
        for col in range(len(PAST_HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        count = len(imports)
        self.past_title.setText(f"Past imports into this document ({count:,}, newest first)" if count else
                                "No past imports into this document")
        self.past_title.show()
        self.past.setVisible(bool(count))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def chosen_path(self) -> Path | None:
        text = self.path.text().strip().strip('"')
        return Path(text).expanduser() if text else None

    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def choose_file(self) -> None:
        start = str(self.chosen_path().parent) if self.chosen_path() else self.wizard_.start_folder()
        path, _ = QFileDialog.getOpenFileName(self, "Import from", start, FILE_FILTER)
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:  # noqa: N802
        return self.chosen_path() is not None

    def validatePage(self) -> bool:  # noqa: N802
        path = self.chosen_path()
        if path is None or not path.is_file():
            self.wizard_.say(self, f"{path} does not exist (or is a folder, not a file): check the name and "
                             "the folder.")
            return False
        return True
