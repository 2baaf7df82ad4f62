"""The Board papers tab (issue 10): meetings with their papers on the left; on the
right the selected paper's editor in four pages (the paper's fields and text, its
recommendations and the board's decisions, its appendices from the data, and the
preview as it prints, with export and print); and a second view, the forward plan.

A paper is edited like every record: typing is held until Apply (Ctrl+Enter) or until
the officer moves to another paper or tab, then stored as one undo step. Finalise
freezes the paper (its content is then read-only, and the editor says why); Reopen
makes a new draft version from a final paper. Every change is a step on the window's
one undo stack (:mod:`.commands`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError, ValidationError
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.papers import commands
from cypdesk.ui.tabs.papers.meetings import (
    KIND_ROLE, MEETING_ROLE, MeetingDialog, PaperDialog, PaperTree, meeting_words, read_meetings, status_word,
)
from cypdesk.ui.tabs.papers.pack import export_pack
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec, chain, focus_first_field

SPEC = specs.PAPERS

PAPERS, FORWARD_PLAN = 0, 1  # the tab's views
FIELDS, RECOMMENDATIONS, APPENDICES, PREVIEW = 0, 1, 2, 3  # the editor's pages
FINAL_STYLE = "background: #eef4ee; border: 1px solid #6a9a6a; padding: 4px;"
DRAFT_STYLE = "color: #3b3b3b;"


class PapersTab(RecordTab):
    def __init__(self, spec: TabSpec, window: Any) -> None:
        super().__init__(spec, window)
        self._today: date | None = None
        self._syncing = False
        self._in_tree_signal = False
        self._expanded: set[str] | None = None  # meetings the officer left open (None: all, at first)
        self.meeting_id: str | None = None  # the meeting selected (or the selected paper's)
        self.paper: dict[str, Any] | None = None  # the selected paper's stored values
        for name in ("duplicate", "import", "template"):  # a paper is copied by Reopen; nothing to import
            self.buttons[name].hide()
        self.buttons["add"].setText("New paper…")
        self.buttons["add"].setAccessibleName("New paper")
        self.buttons["add"].setToolTip("A new paper for the selected meeting, its sections from a template "
                                       "(Ctrl+Shift+N)")

        # --- left: the meetings and their papers (the flat table stays, hidden, under it) -----------------
        self.tree = PaperTree()
        self.tree.currentItemChanged.connect(self._tree_current_changed)
        self.tree.enter_pressed.connect(self.focus_editor)
        left = QWidget()
        left.setObjectName("papers_left")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.meeting_button = self._button("new_meeting", "New meeting…", "A new meeting of a board", self.new_meeting)
        self.paper_button = self._button("new_paper", "New paper…", "A new paper for the selected meeting",
                                         self.add_record)
        self.pack_button = self._button("meeting_pack", "Meeting pack…",
                                        "Every paper of the selected meeting in one PDF, with its agenda page",
                                        lambda: export_pack(self))
        row.addWidget(self.meeting_button)
        row.addWidget(self.paper_button)
        row.addWidget(self.pack_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.view)
        self.view.hide()
        self.splitter.insertWidget(0, left)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        # --- right: the paper's editor, in pages ---------------------------------------------------------
        from cypdesk.ui.tabs.papers.appendices import AppendicesPanel
        from cypdesk.ui.tabs.papers.preview import PreviewPanel
        from cypdesk.ui.tabs.papers.recommendations import RecommendationsPanel

        detail = self.detail_pane.layout()
        self.state_label = QLabel("")
        self.state_label.setObjectName("papers_state")
        self.state_label.setWordWrap(True)
        detail.insertWidget(1, self.state_label)
        detail.removeWidget(self.detail_scroll)
        self.pages = QTabWidget()
        self.pages.setObjectName("papers_pages")
        self.pages.setAccessibleName("The paper: fields and text, recommendations, appendices or preview")
        self.pages.addTab(self.detail_scroll, "Fie&lds and text")
        self.recommendations = RecommendationsPanel(self)
        self.pages.addTab(self.recommendations, "Re&commendations")
        self.appendices = AppendicesPanel(self)
        self.pages.addTab(self.appendices, "Append&ices")
        self.preview = PreviewPanel(self)
        self.pages.addTab(self.preview, "Pre&view")
        self.pages.currentChanged.connect(self._page_shown)
        detail.insertWidget(2, self.pages, 1)
        actions = detail.itemAt(detail.count() - 1).layout()
        self.finalise_button = self._button("finalise", "Finalise…", "Freeze the paper as it goes to the board: "
                                            "its figures are kept and its content can no longer be edited",
                                            self.finalise)
        self.reopen_button = self._button("reopen", "Reopen…", "Make a new draft version of this final paper "
                                          "(the final one stays as it was)", self.reopen)
        actions.insertWidget(0, self.finalise_button)
        actions.insertWidget(1, self.reopen_button)

        # --- the tab's two views -------------------------------------------------------------------------
        from cypdesk.ui.tabs.papers.forward_plan import ForwardPlanView

        outer = self.layout()
        index = outer.indexOf(self.splitter)
        outer.removeWidget(self.splitter)
        self.views_tabs = QTabWidget()
        self.views_tabs.setObjectName("papers_views")
        self.views_tabs.setAccessibleName("Meetings and papers, or the forward plan")
        self.views_tabs.addTab(self.splitter, "Meetings and papers")
        self.forward_plan = ForwardPlanView(self)
        self.views_tabs.addTab(self.forward_plan, "F&orward plan")
        self.views_tabs.currentChanged.connect(self._view_changed)
        outer.insertWidget(index, self.views_tabs, 1)
        QWidget.setTabOrder(self.filter_bar.text, self.tree)

    def _first_split(self) -> None:
        """The editor is the main work here: the list takes about 36% of the width, until
        the officer drags the divider (their layout is then kept)."""
        total = self.splitter.width()
        if total > 0 and not self.layout_restored:
            self.splitter.setSizes([int(total * 0.36), total - int(total * 0.36)])
            self.layout_restored = True

    def _button(self, name: str, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(f"papers_{name}")
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # --- the day (the forward plan's "upcoming"; tests and screenshots fix it) -----------------------------
    def today(self) -> date:
        return self._today or date.today()

    def set_today(self, day: date | None) -> None:
        self._today = day
        self.forward_plan.stale = True
        if self.views_tabs.currentIndex() == FORWARD_PLAN:
            self.forward_plan.refresh()

    # --- the editor's sections ----------------------------------------------------------------------------
    def build_sections(self) -> None:
        from cypdesk.ui.tabs.papers.sections import SectionsPanel

        self.sections_panel = SectionsPanel(self)
        self.sections_panel.changed.connect(self._form_changed)
        self.add_section(self.sections_panel)

    def set_tab_order(self) -> None:
        if not hasattr(self, "sections_panel"):
            return
        # the meeting's buttons follow the tree they act on, the paper's follow its fields
        order: list[QWidget] = [self.filter_bar.text, self.tree, self.meeting_button, self.paper_button,
                                self.pack_button, *self.form.editors.values(), *self.sections_panel.editors(),
                                self.finalise_button, self.reopen_button, self.revert_button, self.apply_button]
        chain(order)

    def list_widget(self) -> QWidget:
        return self.tree

    def load_options(self) -> None:
        """The drop-downs' choices; a meeting is named by its board and date (the same
        board meets many times)."""
        super().load_options()
        if self.reader is not None:
            self.form.set_options("meeting_id", [(m["id"], meeting_words(m["board"], m["held_on"]))
                                                 for m in read_meetings(self.reader)])

    def is_final(self) -> bool:
        return bool(self.paper and self.paper.get("status") == "final")

    def load_sections(self, record_id: str | None) -> None:
        from cypdesk.services.lookups import values_of

        self.paper = values_of(self.reader, "papers", record_id) if record_id and self.reader is not None else None
        final = self.is_final()
        if self.paper is not None:
            self.meeting_id = self.paper.get("meeting_id")
        read_only = not self.editable or final or self.paper is None
        self.form.set_read_only(read_only)
        self.sections_panel.load(record_id if self.paper else None, self.paper.get("purpose") if self.paper else None,
                                 read_only)
        self.recommendations.load(record_id if self.paper else None, final)
        self.appendices.load(record_id if self.paper else None, final)
        self.preview.show_paper(record_id if self.paper else None, self.paper.get("title", "") if self.paper else "")
        self.pages.setEnabled(self.paper is not None)
        self._show_state()
        if self.pages.currentIndex() == PREVIEW:
            QTimer.singleShot(0, self.preview.ensure_built)

    def _show_state(self) -> None:
        from cypdesk.common.formats import date_uk

        paper = self.paper
        if paper is None:
            meeting = self.tree.currentItem()
            words = meeting.text(0) if meeting is not None and meeting.data(0, KIND_ROLE) == "meetings" else ""
            self.state_label.setText(f"{words}: choose one of its papers, or New paper… to write one." if words
                                     else "")
            self.state_label.setStyleSheet(DRAFT_STYLE)
        else:
            version = paper.get("version") or 1
            if paper.get("status") == "final":
                when = paper.get("finalised_at")
                since = f" since {date_uk(_day(when))}" if when else ""
                taken = paper.get("data_taken_at")
                data = f" Its figures are as they stood on {date_uk(_day(taken))}." if taken else ""
                text = (f"Final{since} (version {version}): read-only, as the board saw it.{data} The board's "
                        f"decisions can still be recorded; to change the paper, Reopen it as a new draft.")
                self.state_label.setStyleSheet(FINAL_STYLE)
            else:
                text = f"{status_word(paper.get('status'))}, version {version}. Appendices show today's data until " \
                       "the paper is finalised."
                self.state_label.setStyleSheet(DRAFT_STYLE)
            self.state_label.setText(text)
        self.state_label.setVisible(bool(self.state_label.text()))

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "finalise_button"):
            return
        for name in ("duplicate", "import", "template"):
            self.buttons[name].hide()
        has_paper = self.paper is not None and self.current_id is not None
        final = self.is_final()
        pending = self.has_pending()  # the text typed counts, not only the fields
        self.apply_button.setEnabled(self.editable and pending)
        self.revert_button.setEnabled(pending)
        self.finalise_button.setEnabled(self.editable and has_paper and not final)
        self.reopen_button.setEnabled(self.editable and has_paper and final)
        self.meeting_button.setEnabled(self.editable)
        self.paper_button.setEnabled(self.editable)
        self.pack_button.setEnabled(self.ws is not None and self.meeting_id is not None)
        self.buttons["add"].setEnabled(self.editable)
        selected = self.tree.currentItem()
        meeting = selected is not None and selected.data(0, KIND_ROLE) == "meetings" and bool(selected.data(0, ID_ROLE))
        self.buttons["delete"].setEnabled(bool(self.editable and (has_paper or meeting)))
        if hasattr(self, "preview"):
            self.preview._update_buttons()

    # --- typing: the header's fields and the text, applied together --------------------------------------------
    def has_pending(self) -> bool:
        if self.current_id is None or not self.editable:
            return False
        return super().has_pending() or (hasattr(self, "sections_panel") and self.sections_panel.has_pending())

    def apply_edit(self) -> bool:
        """Store the fields and the text typed, as one undo step. False when refused (the
        message is at the field, or in a box)."""
        from cypdesk.services.papers import compose

        if not self.editable or self.current_id is None or not self.has_pending():
            return True
        title = (self.paper or {}).get("title") or "the paper"
        values = self.form.changed_values()
        changes: list[Any] = []
        try:
            if values:
                changes.append(compose.update_paper(self.ws, self.current_id, values))
            changes += self.sections_panel.commit()
        except ValidationError as exc:
            commands.changed(self.window_, f"Edit {title}", changes)
            self.pages.setCurrentIndex(FIELDS)
            self.form.show_problems(exc.facts.get("problems", []))
            return False
        except CypdeskError as exc:
            commands.changed(self.window_, f"Edit {title}", changes)
            self.window_.ask(QMessageBox.Icon.Warning, "Not saved", exc.message, QMessageBox.StandardButton.Ok)
            return False
        commands.changed(self.window_, f"Edit {title}", changes)
        return True

    def revert(self) -> None:
        super().revert()

    # --- the tree --------------------------------------------------------------------------------------
    def _rebuild_tree(self) -> None:
        from cypdesk.services.papers.listing import list_papers

        if self._in_tree_signal:  # typing applied as the officer picked another row: rebuild after
            QTimer.singleShot(0, self._rebuild_tree)
            return
        keep = self.tree.currentItem()
        keep_id = keep.data(0, ID_ROLE) if keep is not None else None
        if self.tree.topLevelItemCount():
            self._expanded = self.tree.expanded_meetings()
        self._syncing = True
        try:
            if self.reader is None:
                self.tree.clear()
                self.tree.items = {}
            else:
                self.tree.fill(read_meetings(self.reader), list_papers(self.reader), self._expanded)
            self.tree.apply_filter(self.filter_bar.text.text())
            self.tree.select_id(self.current_id or keep_id)
        finally:
            self._syncing = False
        self._update_caption()

    def _tree_current_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if self._syncing or current is None:
            return
        kind, record_id = current.data(0, KIND_ROLE), current.data(0, ID_ROLE)
        meeting_id = current.data(0, MEETING_ROLE)
        paper_id = record_id if kind == "papers" else None
        if paper_id == self.current_id and paper_id is not None:
            return
        self._in_tree_signal = True  # the tree is not rebuilt under its own signal (its items would go)
        try:
            left = self.leave_record()
        finally:
            self._in_tree_signal = False
        if not left:  # typing that is not valid: the tree goes back to its paper
            QTimer.singleShot(0, lambda: self.tree.select_id(self.current_id))
            return
        self.meeting_id = meeting_id
        if paper_id is None:
            self._syncing = True
            try:
                self.view.clearSelection()
            finally:
                self._syncing = False
            self._show(None)
            return
        self._syncing = True
        try:
            shown = self.select(paper_id)  # keeps the hidden table in step
        finally:
            self._syncing = False
        if not shown or self.current_id != paper_id:
            self._show(paper_id)

    def select(self, record_id: str | None) -> bool:
        """Select a paper (or a meeting) in the tree, and the paper in the hidden table."""
        shown = super().select(record_id) if record_id else False
        if not self._syncing and record_id is not None:
            self.tree.select_id(record_id)
            if record_id in self.tree.items and self.tree.items[record_id].data(0, KIND_ROLE) == "papers" \
                    and self.current_id != record_id:
                self._show(record_id)
                return True
        return shown or (record_id is not None and record_id in self.tree.items)

    def _row_changed(self, current: Any, previous: Any) -> None:
        if self._syncing:
            record_id = current.data(ID_ROLE) if current.isValid() else None
            if record_id is not None and record_id != self.current_id:
                self.adding = False
                self._show(record_id)
            return
        super()._row_changed(current, previous)

    def focus_editor(self) -> None:
        if self.current_id is None:
            return
        self.pages.setCurrentIndex(FIELDS)
        focus_first_field(self.form, self)

    # --- the document ---------------------------------------------------------------------------------
    def ensure_ready(self) -> None:
        stale = self._stale and self.reader is not None
        super().ensure_ready()
        if stale:
            self._rebuild_tree()
            self.forward_plan.stale = True
            if self.views_tabs.currentIndex() == FORWARD_PLAN:
                self.forward_plan.refresh()

    def refresh(self) -> None:
        if self.model is None:
            return
        super().refresh()
        self._rebuild_tree()
        self.forward_plan.stale = True
        if self.views_tabs.currentIndex() == FORWARD_PLAN:
            self.forward_plan.refresh()

    def document_closed(self) -> None:
        super().document_closed()
        self.tree.clear()
        self.tree.items = {}
        self.paper = None
        self.meeting_id = None
        self.preview.discard()
        self.forward_plan.clear()
        if hasattr(self, "sections_panel"):
            self.load_sections(None)

    def _filter(self, text: str, conditions: dict[str, Any]) -> None:
        super()._filter(text, conditions)
        self.tree.apply_filter(text)
        self.tree.select_id(self.current_id)
        self.forward_plan.apply_filter(text)

    def _hidden_by_filter(self) -> None:
        """The filter searches the tree's words (meeting, item, status), not only the
        table's: a paper stays in the editor while the tree still shows it."""
        item = self.tree.items.get(self.current_id) if self.current_id else None
        if item is not None and not item.isHidden():
            return
        super()._hidden_by_filter()

    def is_shown(self, record_id: str | None) -> bool:
        item = self.tree.items.get(record_id) if record_id else None
        return item is not None and not item.isHidden()

    def _update_caption(self) -> None:
        if self.reader is None:
            self.caption.setText("")
            return
        from cypdesk.common.formats import plural

        papers = self.tree.paper_ids()
        meetings = sum(1 for i in range(self.tree.topLevelItemCount()) if self.tree.topLevelItem(i).data(0, ID_ROLE))
        finals = sum(1 for pid in papers if self.tree.items[pid].text(2) == status_word("final"))
        self.caption.setText(f"{plural(len(papers), 'board paper')} at {plural(meetings, 'meeting')}: "
                             f"{finals} final, {len(papers) - finals} not yet")

    # --- the views -----------------------------------------------------------------------------------
    def _view_changed(self, index: int) -> None:
        if index == FORWARD_PLAN:
            if not self.commit_pending():
                self.views_tabs.blockSignals(True)
                self.views_tabs.setCurrentIndex(PAPERS)
                self.views_tabs.blockSignals(False)
                return
            if self.forward_plan.stale:
                self.forward_plan.refresh()
        self._update_buttons()

    def _page_shown(self, index: int) -> None:
        if index == PREVIEW:
            self.preview.ensure_built()

    def show_view(self, index: int) -> None:
        self.views_tabs.setCurrentIndex(index)

    # --- meetings and papers ------------------------------------------------------------------------------
    def new_meeting(self) -> None:
        from cypdesk.services.papers import compose

        if not self.editable or not self.commit_pending():
            return
        boards = sorted({m["board"] for m in read_meetings(self.reader)}) if self.reader is not None else []
        dialog = MeetingDialog(boards, self, self.today())
        if not self.window_.run_dialog(dialog):
            return
        values = dialog.values()
        if not values["board"]:
            return
        try:
            meeting_id = compose.new_meeting(self.ws, values["board"], values["held_on"], values["place"])
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not added", exc.message, QMessageBox.StandardButton.Ok)
            return
        commands.made(self.window_, f"Add the meeting {meeting_words(values['board'], values['held_on'])}",
                      "meetings", meeting_id)
        self.meeting_id = meeting_id
        self.tree.select_id(meeting_id)
        self._show(None)

    def add_record(self) -> None:
        """New paper…: for the selected meeting, its sections from the chosen template."""
        from cypdesk.services.papers import compose
        from cypdesk.services.papers.templates import list_templates

        if not self.editable or not self.commit_pending():
            return
        meetings = read_meetings(self.reader)
        if not meetings:
            self.window_.ask(QMessageBox.Icon.Information, "No meeting yet",
                             "A paper goes to a meeting: make one with New meeting… first.",
                             QMessageBox.StandardButton.Ok)
            return
        templates = [(t.id, t.name) if not isinstance(t, tuple) else t for t in list_templates(self.reader)]
        if not templates:
            templates = [(None, "Council report (the usual layout)")]
        dialog = PaperDialog(meetings, self.meeting_id, templates, self)
        if not self.window_.run_dialog(dialog):
            return
        values = dialog.values()
        try:
            paper_id = compose.new_paper(self.ws, values["meeting_id"], values["title"],
                                         template_id=values["template_id"], agenda_item=values["agenda_item"])
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not added", exc.message, QMessageBox.StandardButton.Ok)
            return
        commands.made(self.window_, f"Add the paper “{values['title']}”", "papers", paper_id)
        self.select(paper_id)
        self.pages.setCurrentIndex(FIELDS)

    def delete_record(self) -> None:
        """Delete the selected paper, or the selected meeting with its papers."""
        item = self.tree.currentItem()
        if self.current_id is not None or item is None or item.data(0, KIND_ROLE) != "meetings":
            super().delete_record()
            return
        from cypdesk.services import records

        meeting_id = item.data(0, ID_ROLE)
        if not self.editable or not meeting_id:
            return
        count = item.childCount()
        answer = self.window_.ask(
            QMessageBox.Icon.Question, "Delete meeting",
            f"Delete the meeting “{item.text(0)}”"
            + (f" and its {count} paper{'s' if count != 1 else ''}" if count else "")
            + "?\n\nEdit > Undo brings it all back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = records.delete(self.ws, "meetings", meeting_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.meeting_id = None
        self.window_.push(change, self)

    # --- finalise and reopen -------------------------------------------------------------------------------
    def finalise(self) -> None:
        """Freeze the paper: its content (every figure, table and chart) is kept as it is
        now, its status is final and its content can no longer be edited."""
        from cypdesk.services import records
        from cypdesk.services.papers import compose

        if self.current_id is None or self.is_final() or not self.editable or not self.commit_pending():
            return
        paper_id = self.current_id
        title = (self.paper or {}).get("title") or "the paper"
        answer = self.window_.ask(
            QMessageBox.Icon.Question, "Finalise the paper",
            f"Finalise “{title}”?\n\nIts figures, tables and charts are kept as they are today, and its text, "
            "recommendations and appendices can no longer be changed. The board's decisions can still be "
            "recorded. To change it later, Reopen it as a new draft version.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            {QMessageBox.StandardButton.Yes: "&Finalise"})
        if answer != QMessageBox.StandardButton.Yes:
            return
        before = records.get(self.ws, "papers", paper_id)
        try:
            snapshot_id = compose.finalise(self.ws, paper_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not finalised", exc.message, QMessageBox.StandardButton.Ok)
            return
        after = records.get(self.ws, "papers", paper_id)
        names = [k for k in after if after[k] != before.get(k) and k in ("status", "finalised_at", "data_taken_at")]
        change = records.Change("update", "papers", paper_id, title, before={k: before.get(k) for k in names},
                                after={k: after[k] for k in names})
        commands.made_many(self.window_, f"Finalise “{title}”", [("paper_snapshots", snapshot_id)], changes=[change])
        self.window_.status(f"“{title}” is final: its figures are kept as the board will see them.")

    def reopen(self) -> None:
        from cypdesk.services.papers import compose

        if self.current_id is None or not self.is_final() or not self.editable or not self.commit_pending():
            return
        title = (self.paper or {}).get("title") or "the paper"
        version = int((self.paper or {}).get("version") or 1)
        answer = self.window_.ask(
            QMessageBox.Icon.Question, "Reopen the paper",
            f"Make a new draft of “{title}” (version {version + 1})?\n\nIts text, recommendations and appendices "
            f"are copied; the final version {version} stays as the board saw it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            {QMessageBox.StandardButton.Yes: "&Reopen"})
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            draft_id = compose.reopen(self.ws, self.current_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not reopened", exc.message, QMessageBox.StandardButton.Ok)
            return
        commands.made(self.window_, f"Reopen “{title}” as version {version + 1}", "papers", draft_id)
        self.select(draft_id)
        self.window_.status(f"Version {version + 1} of “{title}” is a draft; version {version} stays final.")


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
