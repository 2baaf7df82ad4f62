"""The list on the left of the Board papers tab: each meeting (board and date, newest
first) with its papers under it (agenda item, title, status, version), and the small
dialogs that make a meeting or a paper."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QHeaderView, QLineEdit, QTreeWidget, QTreeWidgetItem, QWidget,
)

from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.papers.dialogs import FormDialog
from cypdesk.ui.widgets.record_list_view import focus_in_selecting

KIND_ROLE = Qt.ItemDataRole.UserRole + 7  # "meetings" or "papers"
MEETING_ROLE = Qt.ItemDataRole.UserRole + 8  # the meeting a row belongs to
COLUMNS = ("Meeting and paper", "Item", "Status", "Ver.")
STATUS_WORDS = {"draft": "Draft", "final": "Final", "withdrawn": "Withdrawn"}
MUTED = "#505050"


def status_word(status: str | None) -> str:
    from cypdesk.model.catalog import CATALOG

    spec = next((f for f in CATALOG["papers"]["fields"] if f["name"] == "status"), None)
    words = dict(spec.get("choices", ())) if spec else {}
    return words.get(status or "", STATUS_WORDS.get(status or "", status or ""))


def meeting_words(board: str | None, held_on: Any) -> str:
    from cypdesk.common.formats import date_uk

    when = held_on if isinstance(held_on, date) or held_on is None else date.fromisoformat(str(held_on)[:10])
    return f"{board or 'Meeting'}, {date_uk(when)}" if when else (board or "Meeting")


class PaperTree(QTreeWidget):
    """Meetings with their papers. Enter or Return asks for the selected paper's editor."""

    enter_pressed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("papers_tree")
        self.setAccessibleName("Meetings and their papers")
        self.setAccessibleDescription("Each meeting, newest first, with its papers under it: agenda item, title, "
                                      "status and version. Enter moves to the selected paper's editor.")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAllColumnsShowFocus(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.items: dict[str, QTreeWidgetItem] = {}

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and not event.modifiers():
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: Any) -> None:  # noqa: N802
        focus_in_selecting(self, event, super().focusInEvent)

    def fill(self, meetings: list[dict[str, Any]], papers: list[Any], expanded: set[str] | None) -> None:
        """Meetings (dicts: id, board, held_on) with their papers (the listing's rows);
        papers of no meeting go last, under "No meeting yet"."""
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self.items = {}
            by_meeting: dict[str | None, list[Any]] = {}
            for paper in papers:
                by_meeting.setdefault(paper.meeting_id, []).append(paper)
            rows = [(m["id"], meeting_words(m["board"], m["held_on"])) for m in meetings]
            if by_meeting.get(None):
                rows.append((None, "No meeting yet"))
            for meeting_id, words in rows:
                item = QTreeWidgetItem(self, [words, "", "", ""])
                item.setData(0, ID_ROLE, meeting_id)
                item.setData(0, KIND_ROLE, "meetings")
                item.setData(0, MEETING_ROLE, meeting_id)
                font = QFont(item.font(0))
                font.setBold(True)
                item.setFont(0, font)
                count = len(by_meeting.get(meeting_id, []))
                item.setToolTip(0, f"{words}: {count} paper{'s' if count != 1 else ''}")
                if meeting_id:
                    self.items[meeting_id] = item
                for paper in sorted(by_meeting.get(meeting_id, []), key=_agenda_order):
                    child = QTreeWidgetItem(item, [paper.title, paper.agenda_item or "", status_word(paper.status),
                                                   str(paper.version or 1)])
                    child.setData(0, ID_ROLE, paper.id)
                    child.setData(0, KIND_ROLE, "papers")
                    child.setData(0, MEETING_ROLE, meeting_id)
                    child.setToolTip(0, paper.title)
                    if paper.status == "final":
                        child.setForeground(2, QBrush(QColor("#0b5d1e")))
                    elif paper.status == "withdrawn":
                        for col in range(len(COLUMNS)):
                            child.setForeground(col, QBrush(QColor(MUTED)))
                    self.items[paper.id] = child
                item.setExpanded(expanded is None or meeting_id in expanded or meeting_id is None)
        finally:
            self.setUpdatesEnabled(True)

    def expanded_meetings(self) -> set[str]:
        return {self.topLevelItem(i).data(0, ID_ROLE) for i in range(self.topLevelItemCount())
                if self.topLevelItem(i).isExpanded()}

    def apply_filter(self, text: str) -> None:
        """Papers whose title, item or status has the text, with their meetings; a meeting
        whose own words match shows all its papers."""
        needle = text.strip().casefold()
        for i in range(self.topLevelItemCount()):
            meeting = self.topLevelItem(i)
            whole = not needle or needle in meeting.text(0).casefold()
            shown = 0
            for j in range(meeting.childCount()):
                child = meeting.child(j)
                keep = whole or any(needle in child.text(c).casefold() for c in range(len(COLUMNS)))
                child.setHidden(not keep)
                shown += keep
            meeting.setHidden(not (whole or shown))
            if needle and shown:
                meeting.setExpanded(True)

    def select_id(self, record_id: str | None) -> bool:
        item = self.items.get(record_id) if record_id else None
        if item is None or item.isHidden():
            return False
        self.blockSignals(True)
        try:
            self.setCurrentItem(item)
            self.scrollToItem(item)
        finally:
            self.blockSignals(False)
        return True

    def paper_ids(self) -> list[str]:
        return [pid for pid, item in self.items.items() if item.data(0, KIND_ROLE) == "papers"]


def _agenda_order(paper: Any) -> tuple[Any, ...]:
    """Agenda items in the board's order (2 before 10, 5a before 5b), unnumbered last."""
    from cypdesk.services.papers.listing import agenda_sort_key

    return (paper.agenda_item is None, agenda_sort_key(paper.agenda_item), paper.title.casefold())


def read_meetings(conn: Any) -> list[dict[str, Any]]:
    """Every meeting, newest first, as the list shows it."""
    rows = conn.execute("SELECT id, board, held_on, place FROM meetings ORDER BY held_on DESC, board").fetchall()
    return [{"id": r[0], "board": r[1], "held_on": r[2], "place": r[3]} for r in rows]


# --- dialogs ------------------------------------------------------------------------------------
class MeetingDialog(FormDialog):
    """New meeting: the board (one already used, or a new name), the date and the place."""

    def __init__(self, boards: list[str], parent: QWidget | None, today: date) -> None:
        super().__init__("New meeting", parent)
        board = QComboBox()
        board.setEditable(True)
        board.addItems(boards or ["Children's Trust Board"])
        self.add("board", "&Board:", board)
        held_on = QDateEdit(QDate(today.year, today.month, today.day))
        held_on.setCalendarPopup(True)
        held_on.setDisplayFormat("dd/MM/yyyy")
        self.add("held_on", "&Date:", held_on)
        self.add("place", "&Place:", QLineEdit())

    def values(self) -> dict[str, Any]:
        held = self.fields["held_on"].date()
        return {"board": self.fields["board"].currentText().strip(),
                "held_on": date(held.year(), held.month(), held.day()),
                "place": self.fields["place"].text().strip() or None}


class PaperDialog(FormDialog):
    """New paper: its meeting, title, agenda item and the template its sections come from."""

    def __init__(self, meetings: list[dict[str, Any]], meeting_id: str | None, templates: list[tuple[str, str]],
                 parent: QWidget | None) -> None:
        super().__init__("New paper", parent, "The paper's sections come from the template; you can add, rename "
                                              "and remove sections afterwards.")
        meeting = QComboBox()
        for m in meetings:
            meeting.addItem(meeting_words(m["board"], m["held_on"]), m["id"])
        meeting.setCurrentIndex(max(meeting.findData(meeting_id), 0))
        self.add("meeting_id", "&Meeting:", meeting)
        self.add("title", "&Title:", QLineEdit())
        item = QLineEdit()
        item.setPlaceholderText("e.g. 7 or 5b")
        self.add("agenda_item", "Agenda &item:", item)
        template = QComboBox()
        for template_id, name in templates:
            template.addItem(name, template_id)
        self.add("template_id", "T&emplate:", template)

    def values(self) -> dict[str, Any]:
        return {"meeting_id": self.fields["meeting_id"].currentData(),
                "title": self.fields["title"].text().strip(),
                "agenda_item": self.fields["agenda_item"].text().strip() or None,
                "template_id": self.fields["template_id"].currentData()}

    def accept(self) -> None:
        if not self.fields["title"].text().strip():
            self.say("A paper needs a title.")
            self.fields["title"].setFocus()
            return
        if self.fields["meeting_id"].currentData() is None:
            self.say("Choose the meeting the paper goes to (make one with New meeting first).")
            return
        super().accept()
