"""The paper's text in the editor: its purpose, then each section of its template in
order (heading, a small formatting toolbar, the text, "Confidential section"), with
buttons to add, rename, move and remove sections. Typing is held until it is applied
(Apply, Ctrl+Enter, or moving to another paper or tab), then stored as one undo step;
the confidential mark and the sections' order are steps of their own at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.tabs.papers import commands
from cypdesk.ui.tabs.papers.richtext import FormatBar, RichTextEdit

EDITOR_HEIGHT = 150


def read_sections(conn: Any, paper_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, key, heading, position, body, confidential FROM paper_sections "
                        "WHERE paper_id = ? ORDER BY position, heading", (paper_id,)).fetchall()
    return [{"id": r[0], "key": r[1], "heading": r[2], "position": r[3], "body": r[4], "confidential": bool(r[5])}
            for r in rows]


class SectionBox(QGroupBox):
    """One section: its heading as the box's title, the toolbar, the text, its mark."""

    def __init__(self, panel: SectionsPanel, section: dict[str, Any], number: int) -> None:
        super().__init__(section["heading"])
        self.panel, self.section = panel, section
        key = section["key"]
        self.setObjectName(f"papers_section_{key}")
        self.setAccessibleName(f"Section: {section['heading']}")
        column = QVBoxLayout(self)
        self.editor = RichTextEdit(f"papers_section_{key}_text", f"{section['heading']}: text")
        self.bar = FormatBar(self.editor, f"papers_section_{key}")
        column.addWidget(self.bar)
        self.editor.setMinimumHeight(EDITOR_HEIGHT)
        self.editor.set_markdown(section["body"])
        self.editor.edited.connect(panel.edited)
        column.addWidget(self.editor)
        row = QHBoxLayout()
        self.confidential = QCheckBox("Confidential section")
        self.confidential.setObjectName(f"papers_section_{key}_confidential")
        self.confidential.setToolTip("Left out, whole, of every provider-safe version of the paper")
        self.confidential.setChecked(section["confidential"])
        self.confidential.toggled.connect(lambda on: panel.mark_confidential(self, on))
        row.addWidget(self.confidential)
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, tip, slot in (
                ("rename", "Rename…", "Change the section's heading", lambda: panel.rename(self)),
                ("up", "Up", "Move the section up", lambda: panel.move(self, -1)),
                ("down", "Down", "Move the section down", lambda: panel.move(self, 1)),
                ("remove", "Remove…", "Remove the section and its text (Undo brings it back)",
                 lambda: panel.remove(self))):
            button = QPushButton(text)
            button.setObjectName(f"papers_section_{key}_{name}")
            button.setAccessibleName(f"{tip.split(' (')[0]}: {section['heading']}")
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        column.addLayout(row)

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)
        self.bar.set_read_only(read_only)
        self.confidential.setEnabled(not read_only)
        for button in self.buttons.values():
            button.setEnabled(not read_only)


class SectionsPanel(QWidget):
    """The purpose and the sections of the paper the editor shows."""

    changed = Signal()  # typing not yet applied came or went

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("papers_sections")
        self.paper_id: str | None = None
        self.read_only = True
        self.boxes: list[SectionBox] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.purpose_box = QGroupBox("Purpose of the report")
        self.purpose_box.setObjectName("papers_purpose")
        self.purpose_box.setAccessibleName("Purpose of the report")
        inner = QVBoxLayout(self.purpose_box)
        self.purpose = RichTextEdit("papers_purpose_text", "Purpose of the report: text")
        self.purpose_bar = FormatBar(self.purpose, "papers_purpose")
        self.purpose.setMinimumHeight(90)
        self.purpose.edited.connect(self.edited)
        inner.addWidget(self.purpose_bar)
        inner.addWidget(self.purpose)
        column.addWidget(self.purpose_box)
        self.list = QVBoxLayout()
        column.addLayout(self.list)
        row = QHBoxLayout()
        self.empty = QLabel("")
        self.empty.setObjectName("papers_sections_note")
        self.empty.setWordWrap(True)
        row.addWidget(self.empty, 1)
        self.add_button = QPushButton("Add a section…")
        self.add_button.setObjectName("papers_add_section")
        self.add_button.setAccessibleName("Add a section")
        self.add_button.setToolTip("Add a section of your own after the last one")
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        column.addLayout(row)

    # --- loading ------------------------------------------------------------------------------
    def load(self, paper_id: str | None, purpose: str | None, read_only: bool) -> None:
        self.paper_id = paper_id
        self.read_only = read_only
        for box in self.boxes:
            self.list.removeWidget(box)
            box.hide()
            box.deleteLater()
        self.boxes = []
        self.purpose.set_markdown(purpose)
        self.purpose.setReadOnly(read_only)
        self.purpose_bar.set_read_only(read_only)
        sections = read_sections(self.tab.reader, paper_id) if paper_id and self.tab.reader is not None else []
        for number, section in enumerate(sections, start=1):
            box = SectionBox(self, section, number)
            box.set_read_only(read_only)
            box.buttons["up"].setEnabled(not read_only and number > 1)
            box.buttons["down"].setEnabled(not read_only and number < len(sections))
            self.list.addWidget(box)
            self.boxes.append(box)
        self.add_button.setEnabled(paper_id is not None and not read_only)
        self.empty.setText("" if sections or paper_id is None else "This paper has no sections yet.")
        self.setVisible(paper_id is not None)

    def box(self, key: str) -> SectionBox | None:
        return next((b for b in self.boxes if b.section["key"] == key), None)

    def editors(self) -> list[QWidget]:
        """The text boxes in Tab order: the purpose, then each section's text and mark."""
        out: list[QWidget] = [self.purpose]
        for box in self.boxes:
            out += [box.editor, box.confidential]
        return out

    # --- typing -------------------------------------------------------------------------------
    def edited(self) -> None:
        self.changed.emit()

    def has_pending(self) -> bool:
        if self.paper_id is None or self.read_only:
            return False
        return self.purpose.is_changed() or any(box.editor.is_changed() for box in self.boxes)

    def commit(self) -> list[Any]:
        """Store the typing: the changes made (the caller pushes them as one step with the
        header's). Raises what the services refuse."""
        from cypdesk.services.papers import compose

        ws = self.tab.ws
        out = []
        if self.purpose.is_changed():
            out.append(compose.update_paper(ws, self.paper_id, {"purpose": self.purpose.markdown() or None}))
        for box in self.boxes:
            if box.editor.is_changed():
                out.append(compose.set_section(ws, self.paper_id, box.section["key"], body=box.editor.markdown()))
        return out

    # --- the sections themselves: each a step of its own ------------------------------------------------
    def _ready(self) -> bool:
        """Typing is applied before the sections' order or set changes."""
        return self.paper_id is not None and not self.read_only and self.tab.commit_pending()

    def _run(self, text: str, call: Any) -> Any:
        try:
            result = call()
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not changed", exc.message, QMessageBox.StandardButton.Ok)
            return None
        commands.push_result(self.tab.window_, text, result, "paper_sections")
        return result

    def mark_confidential(self, box: SectionBox, on: bool) -> None:
        from cypdesk.services.papers import compose

        if self.paper_id is None or self.read_only or on == box.section["confidential"]:
            return
        heading = box.section["heading"]
        words = "Mark" if on else "Unmark"
        if self._run(f"{words} “{heading}” confidential",
                     lambda: compose.set_section(self.tab.ws, self.paper_id, box.section["key"], confidential=on)):
            box.section["confidential"] = on
        else:
            box.confidential.blockSignals(True)
            box.confidential.setChecked(box.section["confidential"])
            box.confidential.blockSignals(False)

    def rename(self, box: SectionBox) -> None:
        from cypdesk.services.papers import compose

        if not self._ready():
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename the section")
        dialog.setAccessibleName("Rename the section")
        dialog.setLabelText("Heading:")
        dialog.setTextValue(box.section["heading"])
        if not self.tab.window_.run_dialog(dialog) or not dialog.textValue().strip():
            return
        heading = dialog.textValue().strip()
        self._run(f"Rename the section “{box.section['heading']}”",
                  lambda: compose.set_section(self.tab.ws, self.paper_id, box.section["key"], heading=heading))

    def move(self, box: SectionBox, step: int) -> None:
        """Move a section up or down one place; Undo puts it back where it was."""
        from cypdesk.services.papers import compose
        from cypdesk.ui.undo import DoneCommand

        if not self._ready():
            return
        ws, paper_id, key = self.tab.ws, self.paper_id, box.section["key"]
        keys = [b.section["key"] for b in self.boxes]
        old = keys.index(key)
        new = max(0, min(old + step, len(keys) - 1))
        if new == old:
            return
        try:
            compose.move_section(ws, paper_id, key, new)
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not moved", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.tab.window_.push_command(DoneCommand(
            f"Move the section “{box.section['heading']}” {'up' if step < 0 else 'down'}",
            lambda: compose.move_section(ws, paper_id, key, new), lambda: compose.move_section(ws, paper_id, key, old),
            self.tab.window_.refresh_all))

    def remove(self, box: SectionBox) -> None:
        from cypdesk.services.papers import compose

        if not self._ready():
            return
        heading = box.section["heading"]
        answer = self.tab.window_.ask(QMessageBox.Icon.Question, "Remove the section",
                                      f"Remove the section “{heading}” and its text from the paper?\n\n"
                                      "Edit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._run(f"Remove the section “{heading}”",
                  lambda: compose.remove_section(self.tab.ws, self.paper_id, box.section["key"]))

    def add(self) -> None:
        from cypdesk.services.papers import compose

        if not self._ready():
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Add a section")
        dialog.setAccessibleName("Add a section")
        dialog.setLabelText("Heading of the new section:")
        if not self.tab.window_.run_dialog(dialog) or not dialog.textValue().strip():
            return
        heading = dialog.textValue().strip()
        after = self.boxes[-1].section["key"] if self.boxes else None
        paper_id = self.paper_id

        def call() -> Any:
            key = compose.add_section(self.tab.ws, paper_id, heading, after_key=after)
            row = self.tab.reader.execute("SELECT id FROM paper_sections WHERE paper_id = ? AND key = ?",
                                          (paper_id, key)).fetchone()
            return commands.Made("paper_sections", row[0])

        self._run(f"Add the section “{heading}”", call)
