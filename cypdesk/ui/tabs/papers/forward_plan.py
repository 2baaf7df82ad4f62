"""The forward plan: the upcoming meetings, each with the papers planned for it and
the key decisions it is due to take (a decision the board is due to take may not have
a paper yet). Planned items are added and edited in a form built from the field
catalog, like every record; each change is an undo step."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.papers.meetings import KIND_ROLE, meeting_words, status_word

PAPER_ROLE = KIND_ROLE + 2  # the paper a row shows or plans
COLUMNS = ("Meeting, paper or planned decision", "Key decision", "Lead or author", "Status")
KEY_FILL = "#fff4c2"
ITEM_FIELDS = ["title", "meeting_id", "key_decision", "decision_sought", "lead_id", "paper_id", "status"]


class ForwardPlanView(QWidget):
    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.setObjectName("papers_forward_plan")
        self.stale = True
        self.filter_text = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        self.note = QLabel("")
        self.note.setObjectName("forward_plan_note")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        self.tree = QTreeWidget()
        self.tree.setObjectName("forward_plan_tree")
        self.tree.setAccessibleName("Forward plan")
        self.tree.setAccessibleDescription("Upcoming meetings with the papers and key decisions planned for each.")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setTabKeyNavigation(False)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self.update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.edit())
        column.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, tip, slot in (("add", "Add a planned item…", "A decision the board is due to take at a "
                                                                       "meeting, with or without a paper yet", self.add),
                                      ("edit", "Edit…", "Change the selected planned item", self.edit),
                                      ("remove", "Remove…", "Remove the selected planned item", self.remove),
                                      ("open", "Open the paper", "Show the selected paper in the editor",
                                       self.open_paper)):
            button = QPushButton(text)
            button.setObjectName(f"forward_plan_{name}")
            button.setAccessibleName(text.replace("&", "").replace("…", ""))
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        column.addLayout(row)
        self.update_buttons()

    # --- rows --------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.tree.clear()
        self.note.setText("")
        self.stale = True
        self.update_buttons()

    def refresh(self) -> None:
        from cypdesk.services.papers.forward_plan import forward_plan

        if self.tab.reader is None:
            self.clear()
            return
        self.stale = False
        keep = self.tree.currentItem().data(0, ID_ROLE) if self.tree.currentItem() is not None else None
        plan = forward_plan(self.tab.reader, self.tab.today())
        statuses = _choices("forward_plan_items", "status")
        self.tree.clear()
        keys = 0
        for meeting in plan:
            words = meeting_words(meeting.board, meeting.held_on) if meeting.meeting_id else "No meeting yet"
            top = QTreeWidgetItem(self.tree, [words, "", "", ""])
            top.setData(0, ID_ROLE, meeting.meeting_id)
            top.setData(0, KIND_ROLE, "meetings")
            font = QFont(top.font(0))
            font.setBold(True)
            top.setFont(0, font)
            for entry in meeting.entries:
                item = entry.item_id is not None
                title = f"{entry.agenda_item}. {entry.title}" if entry.agenda_item else entry.title
                status = statuses.get(entry.status, entry.status) if item else "Paper written"
                if entry.paper_id is not None:
                    paper = f"{status_word(entry.paper_status)} v{entry.paper_version or 1}"
                    status = f"{status}; paper {paper}" if item else f"Paper: {paper}"
                child = QTreeWidgetItem(top, [title, "Key decision" if entry.key_decision else "", entry.lead or "",
                                              status])
                child.setData(0, ID_ROLE, entry.item_id or entry.paper_id)
                child.setData(0, KIND_ROLE, "forward_plan_items" if item else "papers")
                child.setData(0, PAPER_ROLE, entry.paper_id)
                tip = entry.title + (f"\nDecision sought: {entry.decision_sought}" if entry.decision_sought else "")
                child.setToolTip(0, tip)
                keys += bool(entry.key_decision) and entry.status not in ("withdrawn", "deferred")
                self._mark_key(child, entry.key_decision)
            top.setExpanded(True)
        count = sum(1 for m in plan if m.meeting_id)
        self.note.setText(f"{count} upcoming meeting{'s' if count != 1 else ''} from {_uk(self.tab.today())}, "
                          f"{keys} key decision{'s' if keys != 1 else ''} planned. A key decision is one with "
                          "significant spending or effects on communities, published in the forward plan."
                          if count else "No meeting is planned from today: add one with New meeting… on the "
                                        "Meetings and papers view.")
        self.apply_filter(self.filter_text)
        if keep is not None:
            self.select(keep)
        self.update_buttons()

    @staticmethod
    def _mark_key(item: QTreeWidgetItem, key: bool) -> None:
        if key:
            item.setBackground(1, QBrush(QColor(KEY_FILL)))
            font = QFont(item.font(1))
            font.setBold(True)
            item.setFont(1, font)

    def apply_filter(self, text: str) -> None:
        self.filter_text = text
        needle = text.strip().casefold()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            whole = not needle or needle in top.text(0).casefold()
            shown = 0
            for j in range(top.childCount()):
                child = top.child(j)
                keep = whole or any(needle in child.text(c).casefold() for c in range(len(COLUMNS)))
                child.setHidden(not keep)
                shown += keep
            top.setHidden(not (whole or shown))

    def select(self, record_id: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for item in [top, *(top.child(j) for j in range(top.childCount()))]:
                if item.data(0, ID_ROLE) == record_id:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def selected(self) -> tuple[str | None, str | None]:
        item = self.tree.currentItem()
        return (item.data(0, KIND_ROLE), item.data(0, ID_ROLE)) if item is not None else (None, None)

    def update_buttons(self) -> None:
        kind, _id = self.selected()
        editable = self.tab.editable
        self.buttons["add"].setEnabled(editable)
        self.buttons["edit"].setEnabled(editable and kind == "forward_plan_items")
        self.buttons["remove"].setEnabled(editable and kind == "forward_plan_items")
        item = self.tree.currentItem()
        self.buttons["open"].setEnabled(item is not None and item.data(0, PAPER_ROLE) is not None)

    # --- edits ----------------------------------------------------------------------------------------
    def _dialog(self, values: dict[str, Any], title: str, save: Any) -> Any:
        from cypdesk.ui.tabs.papers.dialogs import RecordDialog

        return RecordDialog(self, self.tab.reader, "forward_plan_items", ITEM_FIELDS, values, title, save)

    def add(self) -> None:
        from cypdesk.services.papers.forward_plan import add_item
        from cypdesk.ui.tabs.papers import commands

        if not self.tab.editable:
            return
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        meeting = item.data(0, ID_ROLE) if item is not None else None
        dialog = self._dialog({"status": "planned", "meeting_id": meeting}, "Add a planned item",
                              lambda form: add_item(self.tab.ws, {k: v for k, v in form.raw_values().items()
                                                                  if v not in ("", None)}))
        if self.tab.window_.run_dialog(dialog) and dialog.result_:
            commands.made(self.tab.window_, "Add a planned item to the forward plan", "forward_plan_items",
                          dialog.result_)
            self.select(dialog.result_)

    def edit(self) -> None:
        from cypdesk.services.lookups import values_of
        from cypdesk.services.papers.forward_plan import update_item
        from cypdesk.ui.tabs.papers import commands

        kind, record_id = self.selected()
        if kind != "forward_plan_items" or not self.tab.editable:
            return
        dialog = self._dialog(values_of(self.tab.reader, "forward_plan_items", record_id) or {},
                              "Edit the planned item",
                              lambda form: update_item(self.tab.ws, record_id, form.changed_values())
                              if form.changed_values() else None)
        if self.tab.window_.run_dialog(dialog) and dialog.result_ is not None:
            commands.changed(self.tab.window_, "Edit a planned item", [dialog.result_])
            self.select(record_id)

    def remove(self) -> None:
        from cypdesk.services.papers.forward_plan import remove_item

        kind, record_id = self.selected()
        if kind != "forward_plan_items" or not self.tab.editable:
            return
        title = self.tree.currentItem().toolTip(0).split("\n")[0]
        answer = self.tab.window_.ask(QMessageBox.Icon.Question, "Remove the planned item",
                                      f"Remove “{title}” from the forward plan?\n\nEdit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = remove_item(self.tab.ws, record_id)
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not removed", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.tab.window_.push(change, self.tab)

    def open_paper(self) -> None:
        item = self.tree.currentItem()
        paper_id = item.data(0, PAPER_ROLE) if item is not None else None
        if paper_id is not None:
            self.tab.show_view(0)
            self.tab.select(paper_id)


def _choices(kind: str, name: str) -> dict[str, str]:
    from cypdesk.model.catalog import CATALOG

    spec = next((f for f in CATALOG[kind]["fields"] if f["name"] == name), {})
    return dict(spec.get("choices", ()))


def _uk(day: Any) -> str:
    from cypdesk.common.formats import date_uk

    return date_uk(day)


