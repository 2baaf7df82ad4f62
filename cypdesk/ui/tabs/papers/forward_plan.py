"""The forward plan: the upcoming meetings, each with the papers planned for it and
the key decisions it is due to take (a decision the board is due to take may not have
a paper yet). Planned items are added and edited in a form built from the field
catalog, like every record; each change is an undo step."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError, ValidationError
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.papers.meetings import KIND_ROLE, meeting_words, status_word

COLUMNS = ("Meeting, paper or planned decision", "Key decision", "Lead or author", "Status")
KEY_FILL = "#fff4c2"
ITEM_FIELDS = ["title", "meeting_id", "key_decision", "decision_sought", "lead_id", "paper_id", "status"]


class PlanItemDialog(QDialog):
    """A planned item's fields (the record form) with OK and Cancel; the services'
    problems come back under the fields and the dialog stays open."""

    def __init__(self, tab: Any, values: dict[str, Any] | None, title: str) -> None:
        super().__init__(tab)
        from cypdesk.services.lookups import options
        from cypdesk.ui.widgets.record_form import RecordForm

        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("forward_plan_item_dialog")
        self.tab = tab
        column = QVBoxLayout(self)
        self.form = RecordForm("forward_plan_items", ITEM_FIELDS)
        for spec in self.form.specs:
            if spec["kind"] == "reference" and tab.reader is not None:
                self.form.set_options(spec["name"], options(tab.reader, spec["references"]))
        self.form.load(values or {"status": "planned"})
        column.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.setMinimumWidth(480)
        self.save: Any = None  # (values) -> Change or id; set by the view; raises ValidationError
        self.result_: Any = None

    def accept(self) -> None:
        try:
            self.result_ = self.save(self.form)
        except ValidationError as exc:
            self.form.show_problems(exc.facts.get("problems", []))
            return
        super().accept()


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
        self.tree.clear()
        keys = 0
        for meeting in plan:
            top = QTreeWidgetItem(self.tree, [meeting_words(meeting.board, meeting.held_on), "", "", ""])
            top.setData(0, ID_ROLE, meeting.meeting_id)
            top.setData(0, KIND_ROLE, "meetings")
            font = QFont(top.font(0))
            font.setBold(True)
            top.setFont(0, font)
            for paper in meeting.papers:
                child = QTreeWidgetItem(top, [f"Paper: {paper.title}", "Key decision" if paper.key_decision else "",
                                              paper.author or "", status_word(paper.status)])
                child.setData(0, ID_ROLE, paper.id)
                child.setData(0, KIND_ROLE, "papers")
                child.setToolTip(0, paper.title)
                keys += bool(paper.key_decision)
                self._mark_key(child, paper.key_decision)
            for item in meeting.items:
                child = QTreeWidgetItem(top, [f"Planned: {item.title}", "Key decision" if item.key_decision else "",
                                              item.lead or "", item.status_words])
                child.setData(0, ID_ROLE, item.id)
                child.setData(0, KIND_ROLE, "forward_plan_items")
                tip = item.title + (f"\nDecision sought: {item.decision_sought}" if item.decision_sought else "")
                child.setToolTip(0, tip)
                keys += bool(item.key_decision)
                self._mark_key(child, item.key_decision)
            top.setExpanded(True)
        count = len(plan)
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
        self.buttons["open"].setEnabled(kind == "papers")

    # --- edits ----------------------------------------------------------------------------------------
    def add(self) -> None:
        from cypdesk.services.papers import forward_plan

        if not self.tab.editable:
            return
        kind, record_id = self.selected()
        meeting = record_id if kind == "meetings" else (
            self.tree.currentItem().parent().data(0, ID_ROLE) if self.tree.currentItem() is not None else None)
        dialog = PlanItemDialog(self.tab, {"status": "planned", "meeting_id": meeting}, "Add a planned item")
        dialog.save = lambda form: forward_plan.add_plan_item(
            self.tab.ws, {k: v for k, v in form.raw_values().items() if v not in ("", None)})
        if self.tab.window_.run_dialog(dialog) and dialog.result_:
            from cypdesk.ui.tabs.papers import commands

            commands.made(self.tab.window_, "Add a planned item to the forward plan", "forward_plan_items",
                          dialog.result_)
            self.select(dialog.result_)

    def edit(self) -> None:
        from cypdesk.services.lookups import values_of
        from cypdesk.services.papers import forward_plan

        kind, record_id = self.selected()
        if kind != "forward_plan_items" or not self.tab.editable:
            return
        dialog = PlanItemDialog(self.tab, values_of(self.tab.reader, "forward_plan_items", record_id),
                                "Edit the planned item")
        dialog.save = lambda form: forward_plan.update_plan_item(self.tab.ws, record_id, form.changed_values()) \
            if form.changed_values() else None
        if self.tab.window_.run_dialog(dialog) and dialog.result_ is not None:
            from cypdesk.ui.tabs.papers import commands

            commands.changed(self.tab.window_, "Edit a planned item", [dialog.result_])
            self.select(record_id)

    def remove(self) -> None:
        from cypdesk.services.papers import forward_plan

        kind, record_id = self.selected()
        if kind != "forward_plan_items" or not self.tab.editable:
            return
        title = self.tree.currentItem().text(0).removeprefix("Planned: ")
        answer = self.tab.window_.ask(QMessageBox.Icon.Question, "Remove the planned item",
                                      f"Remove “{title}” from the forward plan?\n\nEdit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = forward_plan.remove_plan_item(self.tab.ws, record_id)
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not removed", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.tab.window_.push(change, self.tab)

    def open_paper(self) -> None:
        kind, record_id = self.selected()
        if kind == "papers":
            self.tab.show_view(0)
            self.tab.select(record_id)


def _uk(day: Any) -> str:
    from cypdesk.common.formats import date_uk

    return date_uk(day)


