"""Step 1: the file to import, and what it holds (the kind of record)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWizardPage,
)

from cypdesk.ui.dialogs.import_wizard.work import IMPORT_KINDS, kind_label
from cypdesk.ui.widgets.record_form import ERROR_STYLE

FILE_FILTER = ("Spreadsheets and CSV (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.json);;Excel (*.xlsx *.xlsm *.xls);;"
               "OpenDocument (*.ods);;CSV (*.csv *.txt);;Contracts Finder OCDS (*.json);;All files (*)")

HINT_STYLE = "color: #505050;"  # 8.1:1 on white


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
        self.error = QLabel("")
        self.error.setObjectName("import_file_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setAccessibleDescription("Problem")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)

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
