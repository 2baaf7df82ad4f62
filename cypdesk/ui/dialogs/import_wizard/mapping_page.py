"""Step 3: which column goes into which field. Each column of the source with a few of
its values, the field guessed for it (or "ignore") and why it was guessed ("label",
"synonym 'supplier name'", "remembered from the import of ... on ..."), changeable;
a wide table's columns can be unpivoted into rows; a filter keeps only the rows of
interest (column = value)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPushButton, QScrollArea, QVBoxLayout, QWidget, QWizardPage,
)

from cypdesk.ui.dialogs.import_wizard.busy import BusyPanel
from cypdesk.ui.dialogs.import_wizard.grid import show_value
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label

IGNORE = "(ignore this column)"


class MappingPage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("import_mapping_page")
        self.setTitle("Match the columns")
        self.setSubTitle("Each column of the file, with the field it goes into and why cypdesk guessed it. "
                         "Change any guess; columns left on “ignore” are not imported.")
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setObjectName("import_mapping_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName("Columns of the file")
        self.inner = QWidget()
        self.grid = QGridLayout(self.inner)
        self.grid.setHorizontalSpacing(12)
        scroll.setWidget(self.inner)
        layout.addWidget(scroll, 1)
        self.combos: dict[str, QComboBox] = {}
        self.reason_labels: dict[str, QLabel] = {}
        self.error = error_label("import_mapping_error", description="Problem")
        layout.addWidget(self.error)
        self.busy = BusyPanel("import_mapping", self, cancel_button=False)
        layout.addWidget(self.busy)
        below = QHBoxLayout()
        below.addWidget(self._unpivot_box(), 1)
        below.addWidget(self._where_box(), 1)
        layout.addLayout(below)
        self.shown_for: Any = None

    # --- unpivot -------------------------------------------------------------------------
    def _unpivot_box(self) -> QGroupBox:
        box = QGroupBox("Unpivot a wide table")
        box.setObjectName("import_unpivot")
        column = QVBoxLayout(box)
        hint = QLabel("Years or measures across the columns? Tick those columns: each becomes a row, "
                      "with its heading and its value in two new columns.")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        column.addWidget(hint)
        self.unpivot_list = QListWidget()
        self.unpivot_list.setObjectName("import_unpivot_columns")
        self.unpivot_list.setAccessibleName("Columns to unpivot")
        self.unpivot_list.setMaximumHeight(110)
        column.addWidget(self.unpivot_list)
        names = QHBoxLayout()
        self.name_header = QLineEdit("Period")
        self.name_header.setObjectName("import_unpivot_name")
        self.name_header.setAccessibleName("Heading of the new column of names")
        self.value_header = QLineEdit("Value")
        self.value_header.setObjectName("import_unpivot_value")
        self.value_header.setAccessibleName("Heading of the new column of values")
        for text, edit in (("Na&mes into:", self.name_header), ("&Values into:", self.value_header)):
            label = QLabel(text)
            label.setBuddy(edit)
            names.addWidget(label)
            names.addWidget(edit, 1)
        column.addLayout(names)
        buttons = QHBoxLayout()
        self.unpivot_button = QPushButton("Un&pivot")
        self.unpivot_button.setObjectName("import_unpivot_apply")
        self.unpivot_button.setAccessibleName("Unpivot the ticked columns")
        self.unpivot_button.clicked.connect(self.unpivot)
        self.unpivot_undo = QPushButton("As in the &file")
        self.unpivot_undo.setObjectName("import_unpivot_undo")
        self.unpivot_undo.setAccessibleName("Back to the columns as in the file")
        self.unpivot_undo.clicked.connect(self.wizard_.unshape)
        buttons.addStretch(1)
        buttons.addWidget(self.unpivot_undo)
        buttons.addWidget(self.unpivot_button)
        column.addLayout(buttons)
        return box

    def unpivot(self) -> None:
        columns = [self.unpivot_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.unpivot_list.count())
                   if self.unpivot_list.item(i).checkState() == Qt.CheckState.Checked]
        if not columns:
            self.show_error("Tick the columns to turn into rows first.")
            return
        self.wizard_.shape(columns, self.name_header.text().strip(), self.value_header.text().strip())

    # --- where ---------------------------------------------------------------------------
    def _where_box(self) -> QGroupBox:
        box = QGroupBox("Only rows where")
        box.setObjectName("import_where")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.where_column = QComboBox()
        self.where_column.setObjectName("import_where_column")
        self.where_column.setAccessibleName("Column to filter on")
        self.where_value = QLineEdit()
        self.where_value.setObjectName("import_where_value")
        self.where_value.setAccessibleName("Value the column must have")
        self.where_value.setPlaceholderText("e.g. CHILDREN")
        self.where_value.returnPressed.connect(self.add_where)
        self.where_add = QPushButton("Add &condition")
        self.where_add.setObjectName("import_where_add")
        self.where_add.clicked.connect(self.add_where)
        label = QLabel("C&olumn:")
        label.setBuddy(self.where_column)
        row.addWidget(label)
        row.addWidget(self.where_column, 1)
        equals = QLabel("&equals")
        equals.setBuddy(self.where_value)
        row.addWidget(equals)
        row.addWidget(self.where_value, 1)
        row.addWidget(self.where_add)
        column.addLayout(row)
        self.where_list = QListWidget()
        self.where_list.setObjectName("import_where_list")
        self.where_list.setAccessibleName("Conditions: a row is imported only when it meets them all")
        self.where_list.setMaximumHeight(80)
        column.addWidget(self.where_list)
        remove = QHBoxLayout()
        remove.addStretch(1)
        self.where_remove = QPushButton("&Remove condition")
        self.where_remove.setObjectName("import_where_remove")
        self.where_remove.clicked.connect(self.remove_where)
        remove.addWidget(self.where_remove)
        column.addLayout(remove)
        return box

    def add_where(self) -> None:
        header, value = self.where_column.currentData(), self.where_value.text().strip()
        if header is None or not value:
            self.show_error("Choose a column and type the value its rows must have.")
            return
        self.wizard_.where.append((header, value))
        self.where_value.clear()
        self._fill_where()

    def remove_where(self) -> None:
        row = self.where_list.currentRow()
        if 0 <= row < len(self.wizard_.where):
            del self.wizard_.where[row]
            self._fill_where()

    def _fill_where(self) -> None:
        self.where_list.clear()
        for header, value in self.wizard_.where:
            self.where_list.addItem(f"{header} = {value}")
        self.where_remove.setEnabled(bool(self.wizard_.where))

    # --- the columns ---------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802
        if self.shown_for is not self.wizard_.table:
            self.show_mapping()

    def show_mapping(self) -> None:
        """One line per column: letter and heading, example values, the field, why."""
        from cypdesk.services.importing.mapping import targets

        wizard = self.wizard_
        table, mapping = wizard.table, wizard.mapping
        self.shown_for = table
        self.error.hide()
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.combos.clear()
        self.reason_labels.clear()
        for col, text in enumerate(("Column in the file", "Values in it", "Goes into", "Why")):
            title = QLabel(f"<b>{text}</b>")
            self.grid.addWidget(title, 0, col)
        choices = QStandardItemModel(self)  # one list of fields, shared by every column's drop-down
        for target, target_label in [(None, IGNORE), *targets(wizard.kind)]:
            item = QStandardItem(target_label)
            item.setData(target, Qt.ItemDataRole.UserRole)
            choices.appendRow(item)
        known = {t for t, _label in targets(wizard.kind)}
        for target in (mapping.columns.values() if mapping is not None else ()):
            if target is not None and target not in known:  # a field the list does not name (a preset's)
                item = QStandardItem(target)
                item.setData(target, Qt.ItemDataRole.UserRole)
                choices.appendRow(item)
                known.add(target)
        samples = wizard.samples
        previous: QWidget | None = None
        for row, (header, letter) in enumerate(zip(table.headers, table.letters), start=1):
            name = f"{letter}  {header}".strip() if letter else header
            label = QLabel(name)
            label.setObjectName(f"import_column_{row}")
            combo = QComboBox()
            combo.setObjectName(f"import_target_{row}")
            combo.setAccessibleName(f"Field for column {name}")
            combo.setModel(choices)
            target = mapping.columns.get(header) if mapping is not None else None
            combo.setCurrentIndex(max(combo.findData(target), 0) if target is not None else 0)
            combo.setMaxVisibleItems(20)
            combo.currentIndexChanged.connect(lambda _i, h=header: self._changed(h))
            label.setBuddy(combo)
            values = QLabel(", ".join(show_value(v) for v in samples.get(header, [])[:3]))
            values.setStyleSheet(HINT_STYLE)
            values.setMaximumWidth(260)
            values.setToolTip("\n".join(show_value(v) for v in samples.get(header, [])))
            reason = QLabel(_reason_text(mapping, header, target))
            reason.setObjectName(f"import_reason_{row}")
            reason.setWordWrap(True)
            reason.setStyleSheet(HINT_STYLE)
            combo.setAccessibleDescription(reason.text())
            for col, widget in enumerate((label, values, combo, reason)):
                self.grid.addWidget(widget, row, col)
            self.combos[header] = combo
            self.reason_labels[header] = reason
            if previous is not None:
                QWidget.setTabOrder(previous, combo)
            previous = combo
        self.grid.setColumnStretch(3, 1)
        self.grid.setRowStretch(len(table.headers) + 1, 1)
        # the unpivot and filter choices follow the table's columns
        self.unpivot_list.clear()
        source = wizard.opened.table if wizard.opened is not None else table
        for header, letter in zip(source.headers, source.letters):
            item = QListWidgetItem(f"{letter}  {header}".strip())
            item.setData(Qt.ItemDataRole.UserRole, header)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if header in wizard.unpivoted else Qt.CheckState.Unchecked)
            self.unpivot_list.addItem(item)
        self.unpivot_undo.setEnabled(bool(wizard.unpivoted))
        self.where_column.clear()
        for header in table.headers:
            self.where_column.addItem(header, header)
        wizard.where[:] = [(h, v) for h, v in wizard.where if h in table.headers]
        self._fill_where()
        self.unpivot_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def _changed(self, header: str) -> None:
        combo = self.combos[header]
        self.reason_labels[header].setText("your choice" if combo.currentData() is not None else "ignored")
        combo.setAccessibleDescription(self.reason_labels[header].text())
        self.error.hide()

    def chosen(self) -> dict[str, str | None]:
        return {header: combo.currentData() for header, combo in self.combos.items()}

    def choose(self, header: str, target: str | None) -> None:
        """Set a column's field as the officer would (tests, and the keyboard)."""
        combo = self.combos[header]
        index = combo.findData(target) if target is not None else 0
        if index < 0:
            raise KeyError(f"{target!r} is not a field of {self.wizard_.kind}")
        combo.setCurrentIndex(index)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def validatePage(self) -> bool:  # noqa: N802
        columns = self.chosen()
        seen: dict[str, str] = {}
        for header, target in columns.items():
            if target is None:
                continue
            if target in seen:
                combo = self.combos[header]
                self.show_error(f"Two columns go into “{combo.currentText()}”: {seen[target]} and {header}. "
                                "Choose one, and set the other to ignore.")
                combo.setFocus()
                return False
            seen[target] = header
        if not seen:
            self.show_error("No column goes into any field: choose the field of at least one column.")
            return False
        self.wizard_.set_columns(columns)
        return True


def _reason_text(mapping: Any, header: str, target: str | None) -> str:
    if target is None:
        return "no field matches its heading: ignored"
    reason = mapping.reasons.get(header) if mapping is not None else None
    return reason or "guessed"
