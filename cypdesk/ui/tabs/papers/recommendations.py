"""The paper's recommendations, numbered, each a decision the board can take: add,
edit, remove and reorder them while the paper is a draft; after the meeting record
the board's decision on each (agreed, amended, deferred, rejected, with a note), final
paper or not, and start an action in the action plan from an agreed one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox, QHeaderView, QInputDialog, QMessageBox, QPlainTextEdit, QTableWidgetItem, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.papers import commands
from cypdesk.ui.tabs.papers.dialogs import FormDialog
from cypdesk.ui.tabs.papers.panel import PaperListPanel

HEADERS = ["No.", "Recommendation", "Board's decision", "Note"]
DECISION_FILLS = {"agreed": "#cce2d8", "amended": "#fff4c2", "deferred": "#eeefef", "rejected": "#f6d7d2"}
ACTION_DECISIONS = ("agreed", "amended")
ACTION_FIELDS = ["action", "number", "plan_reference", "owner_id", "due_date", "report_to_board", "priority_id",
                 "status"]


def decision_words() -> dict[str, str]:
    from cypdesk.model.catalog import CATALOG

    spec = next(f for f in CATALOG["recommendations"]["fields"] if f["name"] == "decision")
    return dict(spec.get("choices", ()))


def read_recommendations(conn: Any, paper_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, number, text, decision, decision_note FROM recommendations WHERE paper_id = ? "
                        "ORDER BY number", (paper_id,)).fetchall()
    return [{"id": r[0], "number": r[1], "text": r[2], "decision": r[3], "note": r[4]} for r in rows]


class DecisionDialog(FormDialog):
    def __init__(self, rec: dict[str, Any], parent: QWidget | None) -> None:
        super().__init__("Record the board's decision", parent, f"{rec['number']}. {rec['text']}")
        decision = QComboBox()
        decision.addItem("Not decided yet", None)
        for value, words in decision_words().items():
            decision.addItem(words, value)
        decision.setCurrentIndex(max(decision.findData(rec["decision"]), 0))
        self.add("decision", "&Decision:", decision)
        note = QPlainTextEdit(rec["note"] or "")
        note.setTabChangesFocus(True)
        note.setFixedHeight(80)
        self.add("note", "&Note:", note)

    def values(self) -> tuple[str | None, str | None]:
        return self.fields["decision"].currentData(), self.fields["note"].toPlainText().strip() or None


class RecommendationsPanel(PaperListPanel):
    KIND = "recommendations"

    def __init__(self, tab: Any) -> None:
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        super().__init__(tab, "recommendations", "Recommendations", HEADERS,
                         (fit, stretch, fit, QHeaderView.ResizeMode.Interactive), (
            (("add", "Add…", "Add a recommendation at the end", self.add),
             ("edit", "Edit…", "Change the wording of the selected recommendation", self.edit),
             ("remove", "Remove…", "Remove the selected recommendation; the rest are renumbered", self.remove),
             ("up", "Move up", "Move the selected recommendation up", lambda: self.move(-1)),
             ("down", "Move down", "Move the selected recommendation down", lambda: self.move(1))),
            (("decide", "Record decision…", "The board's decision on the selected recommendation, "
                                             "with a note (after the meeting)", self.decide),
             ("action", "Start an action…", "Start an action in the action plan from the selected agreed "
                                             "recommendation", self.start_action))), "recommendation")
        self.table.setColumnWidth(3, 140)
        self.table.doubleClicked.connect(lambda _i: self.edit() if not self.final else self.decide())
        self.load(None, False)

    def load(self, paper_id: str | None, final: bool) -> None:
        keep = self.selected()
        self.paper_id, self.final = paper_id, final
        self.rows = read_recommendations(self.tab.reader, paper_id) if paper_id and self.tab.reader else []
        words = decision_words()
        self.table.setRowCount(len(self.rows))
        for row, rec in enumerate(self.rows):
            cells = [str(rec["number"]), rec["text"], words.get(rec["decision"] or "", "Not decided yet"),
                     rec["note"] or ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, rec["id"])
                if col in (1, 3):
                    item.setToolTip(text)
                if col == 2 and rec["decision"] in DECISION_FILLS:
                    from PySide6.QtGui import QBrush, QColor

                    item.setBackground(QBrush(QColor(DECISION_FILLS[rec["decision"]])))
                self.table.setItem(row, col, item)
        if keep is not None:
            self.select(keep["id"])
        if paper_id is None:
            self.note.setText("")
        elif final:
            self.note.setText("The paper is final: its recommendations stay as the board read them. Record the "
                              "board's decision on each after the meeting, and start actions from agreed ones.")
        else:
            self.note.setText(f"{len(self.rows)} recommendation{'s' if len(self.rows) != 1 else ''}; each is a "
                              "decision the board can take. Decisions are recorded after the meeting.")
        self.update_buttons()

    def select(self, rec_id: str) -> bool:
        for row, rec in enumerate(self.rows):
            if rec["id"] == rec_id:
                self.table.selectRow(row)
                return True
        return False

    def update_buttons(self) -> None:
        editable = self.tab.editable and self.paper_id is not None
        rec = self.selected()
        draft = editable and not self.final
        self.buttons["add"].setEnabled(draft)
        self.buttons["edit"].setEnabled(draft and rec is not None)
        self.buttons["remove"].setEnabled(draft and rec is not None)
        self.buttons["up"].setEnabled(draft and rec is not None and self.rows.index(rec) > 0)
        self.buttons["down"].setEnabled(draft and rec is not None and self.rows.index(rec) < len(self.rows) - 1)
        self.buttons["decide"].setEnabled(editable and rec is not None)
        self.buttons["action"].setEnabled(editable and rec is not None and rec["decision"] in ACTION_DECISIONS)

    # --- edits ------------------------------------------------------------------------------------
    def _wording(self, title: str, text: str = "") -> str | None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        dialog.setLabelText("The decision the board is asked to take, e.g. “The Board agrees …”:")
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.setTextValue(text)
        if not self.tab.window_.run_dialog(dialog):
            return None
        return dialog.textValue().strip() or None

    def add(self) -> None:
        from cypdesk.services.papers import compose

        if self.paper_id is None or self.final or not self.tab.commit_pending():
            return
        text = self._wording("Add a recommendation")
        if text:
            result = self._run("Add a recommendation", lambda: compose.add_recommendation(self.tab.ws, self.paper_id, text))
            if isinstance(result, str):
                self.select(result)

    def edit(self) -> None:
        from cypdesk.services.papers import compose

        rec = self.selected()
        if rec is None or self.final or not self.tab.commit_pending():
            return
        text = self._wording(f"Edit recommendation {rec['number']}", rec["text"])
        if text and text != rec["text"]:
            self._run(f"Edit recommendation {rec['number']}",
                      lambda: compose.update_recommendation(self.tab.ws, rec["id"], {"text": text}))

    def remove(self) -> None:
        """Remove the selected recommendation; those after it move up a number. Undo
        brings it back and gives the others their numbers again."""
        from cypdesk.services.papers import compose
        from cypdesk.ui.undo import DoneCommand

        rec = self.selected()
        if rec is None or self.final or not self.tab.commit_pending():
            return
        answer = self.tab.window_.ask(QMessageBox.Icon.Question, "Remove the recommendation",
                                      f"Remove recommendation {rec['number']}?\n\n{rec['text']}\n\nThe others are "
                                      "renumbered. Edit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        ws = self.tab.ws
        try:
            change = compose.remove_recommendation(ws, rec["id"])
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not changed", exc.message, QMessageBox.StandardButton.Ok)
            return
        state = {"change": change}

        def undo() -> None:  # back with its number, the later ones renumbered, in one transaction
            compose.restore_recommendation(ws, state["change"])

        def redo() -> None:
            state["change"] = compose.remove_recommendation(ws, rec["id"])

        self.tab.window_.push_command(DoneCommand(f"Remove recommendation {rec['number']}", redo, undo,
                                                  self.tab.window_.refresh_all))

    def move(self, step: int) -> None:
        """Swap the selected recommendation with the one above or below (their numbers)."""
        from cypdesk.services import records

        rec = self.selected()
        if rec is None or self.final or not self.tab.commit_pending():
            return
        at = self.rows.index(rec)
        if not 0 <= at + step < len(self.rows):
            return
        other = self.rows[at + step]
        ws = self.tab.ws
        try:
            changes = [records.update(ws, "recommendations", rec["id"], {"number": other["number"]}),
                       records.update(ws, "recommendations", other["id"], {"number": rec["number"]})]
        except CypdeskError as exc:
            self.tab.window_.ask(QMessageBox.Icon.Warning, "Not moved", exc.message, QMessageBox.StandardButton.Ok)
            return
        commands.changed(self.tab.window_, f"Move recommendation {rec['number']} {'up' if step < 0 else 'down'}",
                         changes)
        self.select(rec["id"])

    def decide(self) -> None:
        from cypdesk.services.papers import compose

        rec = self.selected()
        if rec is None or not self.tab.editable or not self.tab.commit_pending():
            return
        dialog = DecisionDialog(rec, self)
        if not self.tab.window_.run_dialog(dialog):
            return
        decision, note = dialog.values()
        if (decision, note) != (rec["decision"], rec["note"]):
            self._run(f"Record the decision on recommendation {rec['number']}",
                      lambda: compose.record_decision(self.tab.ws, rec["id"], decision, note))
            self.select(rec["id"])

    def start_action(self) -> None:
        from cypdesk.services.papers import compose

        rec = self.selected()
        if rec is None or rec["decision"] not in ACTION_DECISIONS or not self.tab.commit_pending():
            return
        from cypdesk.services.monitoring_edit import next_action_number
        from cypdesk.ui.tabs.papers.dialogs import RecordDialog

        def save(form: Any) -> str:
            values = {k: v for k, v in form.raw_values().items() if v not in ("", None)}
            return compose.start_action(self.tab.ws, rec["id"], values)

        dialog = RecordDialog(self, self.tab.reader, "actions", ACTION_FIELDS,
                              {"action": rec["text"], "number": next_action_number(self.tab.reader),
                               "status": "not_started"},
                              "Start an action", save, "The action joins the action plan (Monitoring tab), linked "
                                                       "back to this recommendation.")
        if not self.tab.window_.run_dialog(dialog) or not dialog.result_:
            return
        action_id = dialog.result_
        commands.made(self.tab.window_, f"Start an action from recommendation {rec['number']}", "actions", action_id)
        if isinstance(action_id, str):
            self.tab.window_.status(f"Action started from recommendation {rec['number']}: it is in the action plan "
                                    "on the Monitoring tab. Undo takes it back.")


