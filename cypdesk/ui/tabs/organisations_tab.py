"""The Organisations and people tab: the partners, commissioners and providers the
other tabs point at, and their people (contacts).

Two views, like the Services tab's register and map: the organisations, with what
uses the selected one in words, the possible duplicates (names that are the same once
normalised) and merging; and the people, each with their organisation. Both are the
shared register machinery (:class:`RecordTab`): find, add, edit, delete, export and
undo work as on every tab. It is a tab, not a dialog off a menu, because it is a
register like the others: officers look organisations up, filter them by kind, export
them and come back to them, and the other tabs' drop-downs ("New organisation…") add to it.

Deleting an organisation that records use is refused with what uses it, in words, and
offers to move those records to another organisation first; merging and moving are one
undo step each (:mod:`cypdesk.services.organisations`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QGroupBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QTabWidget,
    QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.services.tables import WINDOW_COLUMNS
from cypdesk.ui.tabs import specs
from cypdesk.ui.tabs.record_tab import RecordTab, TabSpec
from cypdesk.ui.undo import DoneCommand

SPEC = specs.ORGANISATIONS
PEOPLE_SPEC = TabSpec("People", "people", "People", "people", columns=list(WINDOW_COLUMNS["people"]))

NEW_ORGANISATION_FIELDS = ["name", "kind", "is_partner", "is_provider", "is_sme", "is_vcse", "company_number",
                           "charity_number", "ods_code", "website"]


def _group(title: str, name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    box.setObjectName(f"organisations_{name}")
    box.setAccessibleName(title)
    return box, QVBoxLayout(box)


def _button(text: str, name: str, slot: Any, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(f"organisations_{name}")
    button.setAccessibleName(text.replace("&", "").replace("…", ""))
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class PeopleView(RecordTab):
    """Every person (contact) with their organisation: the register machinery on ``people``."""

    def delete_record(self) -> None:
        if not (self.editable and self.current_id):
            return
        from cypdesk.services import records
        from cypdesk.services.lookups import title_of
        from cypdesk.services.organisations import describe_usage, usage

        name = title_of(self.reader, "people", self.current_id) or self.current_id
        uses = usage(self.reader, "people", self.current_id)
        what = (f"They are named on {describe_usage(uses)}; those places are left blank.\n\n" if uses else "")
        answer = self.window_.ask(QMessageBox.Icon.Question, "Delete person",
                                  f"Delete “{name}”?\n\n{what}Edit > Undo brings them back.",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = records.delete(self.ws, "people", self.current_id)
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
            return
        self.current_id = None
        self.window_.push(change, self)


class OrganisationsTab(RecordTab):
    def __init__(self, spec: TabSpec, window: Any) -> None:
        super().__init__(spec, window)
        outer = self.layout()
        outer.removeWidget(self.splitter)
        self.views_tabs = QTabWidget()
        self.views_tabs.setObjectName("organisations_views")
        self.views_tabs.setAccessibleName("Organisations or people")
        page = QWidget()
        page.setObjectName("organisations_page_list")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 4, 0, 0)
        self.duplicates_box, box_layout = _group("Possible duplicates", "duplicates")
        intro = QLabel("These names are the same once case, spaces, punctuation, an ampersand and “and”, “Ltd” and "
                       "“Limited” and a leading “The” are ignored. Merging keeps the first of each pair.")
        intro.setWordWrap(True)
        box_layout.addWidget(intro)
        self.duplicates = QListWidget()
        self.duplicates.setObjectName("organisations_duplicates_list")
        self.duplicates.setAccessibleName("Possible duplicates")
        self.duplicates.setMaximumHeight(64)
        self.duplicates.itemDoubleClicked.connect(lambda _item: self.merge_selected_pair())
        box_layout.addWidget(self.duplicates)
        row = QHBoxLayout()
        row.addStretch(1)
        self.merge_pair_button = _button("Merge the selected pair…", "merge_pair", self.merge_selected_pair,
                                         "Move everything that uses the second to the first, and delete the second")
        row.addWidget(self.merge_pair_button)
        box_layout.addLayout(row)
        # The organisations' own find bar and count belong to their view, above its list.
        top = outer.takeAt(0).layout()
        top.setParent(None)
        outer.removeWidget(self.caption)
        column.addLayout(top)
        column.addWidget(self.caption)
        column.addWidget(self.duplicates_box)
        column.addWidget(self.splitter, 1)
        self.views_tabs.addTab(page, "Organisations")
        self.people = PeopleView(PEOPLE_SPEC, window)
        self.views_tabs.addTab(self.people, "People")
        outer.addWidget(self.views_tabs, 1)
        self.views_tabs.currentChanged.connect(self._view_changed)
        self.duplicates_box.hide()

    # --- the two views ----------------------------------------------------------------------
    def _view_changed(self, index: int) -> None:
        # The organisations' own shortcuts (Ctrl+Shift+N, Ctrl+D...) would clash with the
        # people view's while it shows: only the view in front has them.
        for child in self.children():
            if isinstance(child, QShortcut):
                child.setEnabled(index == 0)
        if index == 1:
            self.people.shown()

    def showing_people(self) -> bool:
        return self.views_tabs.currentIndex() == 1

    def show_people(self) -> PeopleView:
        self.views_tabs.setCurrentIndex(1)
        return self.people

    def document_opened(self) -> None:
        super().document_opened()
        self.people.document_opened()

    def ensure_ready(self) -> None:
        reading = self._stale and self.reader is not None
        super().ensure_ready()
        self.people.ensure_ready()
        if reading:
            self.load_duplicates()

    def document_closed(self) -> None:
        super().document_closed()
        self.people.document_closed()
        self.duplicates.clear()
        self.duplicates_box.hide()

    def refresh(self) -> None:
        super().refresh()
        self.people.refresh()
        if self.model is not None:
            self.load_duplicates()

    def reference_added(self, kind: str) -> None:
        """An organisation was added from a drop-down (perhaps the people view's own):
        re-read the organisations, and only the people's choices, keeping their typing."""
        if self.model is not None and kind == "organisations":
            RecordTab.refresh(self)
            self.load_duplicates()
        if self.people.model is not None:
            self.people.load_options()

    # The window's Edit menu and Export act on the view in front.
    def add_record(self) -> None:
        self.people.add_record() if self.showing_people() else super().add_record()

    def duplicate_record(self) -> None:
        self.people.duplicate_record() if self.showing_people() else super().duplicate_record()

    def find_bar(self) -> Any:
        return self.people.filter_bar if self.showing_people() else self.filter_bar

    def export_table(self) -> None:
        self.people.export_table() if self.showing_people() else super().export_table()

    # --- the selected organisation --------------------------------------------------------------
    def build_sections(self) -> None:
        self.usage_box, layout = _group("What uses it", "usage")
        self.usage_label = QLabel("")
        self.usage_label.setObjectName("organisations_usage_text")
        self.usage_label.setWordWrap(True)
        layout.addWidget(self.usage_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.merge_button = _button("Merge into another organisation…", "merge_into", self.merge_into,
                                    "It is a duplicate: move everything that uses it to the organisation it "
                                    "duplicates, and delete it")
        row.addWidget(self.merge_button)
        layout.addLayout(row)
        self.sections.insertWidget(0, self.usage_box)  # above its fields: what uses it decides what can be done

    def load_sections(self, record_id: str | None) -> None:
        from cypdesk.services.organisations import describe_usage, usage

        has = record_id is not None and self.reader is not None
        self.usage_box.setVisible(has)
        self.merge_button.setEnabled(has and self.editable)
        if not has:
            return
        uses = usage(self.reader, "organisations", record_id, owned=False)
        self.usage_label.setText(f"Used by {describe_usage(uses)}." if uses else
                                 "No service, contract, person or other record names it.")

    def load_duplicates(self) -> None:
        from cypdesk.services.organisations import find_duplicates

        self.duplicates.clear()
        pairs = find_duplicates(self.reader) if self.reader is not None else []
        for pair in pairs:
            item = QListWidgetItem(f"“{pair.keep_name}” and “{pair.merge_name}”")
            item.setData(Qt.ItemDataRole.UserRole, pair)
            item.setToolTip(f"“{pair.keep_name}” is used by {pair.uses_keep:,} records, "
                            f"“{pair.merge_name}” by {pair.uses_merge:,}.")
            self.duplicates.addItem(item)
        if pairs:
            self.duplicates.setCurrentRow(0)
        self.duplicates_box.setTitle(f"Possible duplicates ({len(pairs):,})")
        self.duplicates_box.setVisible(bool(pairs))
        self.merge_pair_button.setEnabled(bool(pairs) and self.editable)

    # --- merging, deleting ------------------------------------------------------------------------
    def _names(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.reader.execute("SELECT id, name FROM organisations")}

    def _choose_other(self, title: str, label: str, not_id: str) -> str | None:
        """Another organisation, chosen by name (names written twice are told apart)."""
        from cypdesk.services.lookups import options

        others = [(i, t) for i, t in options(self.reader, "organisations") if i != not_id]
        seen: dict[str, int] = {}
        labels = []
        for _i, name in others:
            seen[name] = seen.get(name, 0) + 1
            labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        chosen = self.window_.choose_item(title, label, labels)
        return None if chosen is None else others[labels.index(chosen)][0]

    def merge_selected_pair(self) -> None:
        item = self.duplicates.currentItem()
        if item is None or not self.editable:
            return
        pair = item.data(Qt.ItemDataRole.UserRole)
        self.merge(pair.merge_id, pair.keep_id)

    def merge_into(self) -> None:
        if not (self.editable and self.current_id):
            return
        name = self._names().get(self.current_id, "")
        survivor = self._choose_other("Merge into another organisation",
                                      f"“{name}” is a duplicate of:", self.current_id)
        if survivor is not None:
            self.merge(self.current_id, survivor)

    def merge(self, merged_id: str, survivor_id: str) -> None:
        from cypdesk.services import organisations
        from cypdesk.services.organisations import describe_usage, usage

        names = self._names()
        merged, survivor = names.get(merged_id, merged_id), names.get(survivor_id, survivor_id)
        uses = usage(self.reader, "organisations", merged_id)
        moving = (f"Everything that uses “{merged}” ({describe_usage(uses)}) will use “{survivor}”, "
                  if uses else f"Nothing uses “{merged}”; ")
        answer = self.window_.ask(
            QMessageBox.Icon.Question, "Merge organisations",
            f"Merge “{merged}” into “{survivor}”?\n\n{moving}“{merged}” is deleted, and the merge is recorded so "
            f"partners' files that still name “{merged}” follow it.\n\nEdit > Undo takes it back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            labels={QMessageBox.StandardButton.Yes: "Merge"})
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda: organisations.merge_organisations(self.ws, merged_id, survivor_id), "Not merged", survivor_id)

    def delete_record(self) -> None:
        if self.showing_people():
            self.people.delete_record()
            return
        if not (self.editable and self.current_id):
            return
        from cypdesk.services import organisations
        from cypdesk.services.organisations import describe_usage, usage

        org_id = self.current_id
        name = self._names().get(org_id, org_id)
        uses = usage(self.reader, "organisations", org_id)
        if not uses:
            answer = self.window_.ask(QMessageBox.Icon.Question, "Delete organisation",
                                      f"Delete the organisation “{name}”? Nothing uses it.\n\nEdit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return
            try:
                change = organisations.delete_organisation(self.ws, org_id)
            except CypdeskError as exc:
                self.window_.ask(QMessageBox.Icon.Warning, "Not deleted", exc.message, QMessageBox.StandardButton.Ok)
                return
            self.current_id = None
            self.window_.push(change, self)
            return
        answer = self.window_.ask(
            QMessageBox.Icon.Warning, "Organisation in use",
            f"“{name}” cannot be deleted: it is used by {describe_usage(uses)}.\n\n"
            f"Move them to another organisation, then delete “{name}”? If it is a duplicate, merge it instead "
            "(the merge is recorded for partners' files). Edit > Undo takes either back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            labels={QMessageBox.StandardButton.Yes: "Move them…"})
        if answer != QMessageBox.StandardButton.Yes:
            return
        target = self._choose_other("Move to another organisation", f"Move what uses “{name}” to:", org_id)
        if target is not None:
            self._run(lambda: organisations.reassign_and_delete(self.ws, org_id, target), "Not deleted", target)

    def _run(self, operation: Any, refused: str, select_id: str) -> None:
        """Run a merge or a move, put it on the undo stack and say what moved."""
        from cypdesk.services import organisations

        try:
            change = operation()
        except CypdeskError as exc:
            self.window_.ask(QMessageBox.Icon.Warning, refused, exc.message, QMessageBox.StandardButton.Ok)
            return
        ws = self.ws
        state = {"change": change}

        def redo() -> None:
            state["change"] = organisations.redo(ws, state["change"])

        self.current_id = select_id
        self.window_.push_command(DoneCommand(change.title, redo, lambda: organisations.undo(ws, state["change"]),
                                              self.window_.refresh_all))
        self.window_.status(change.summary)


def new_organisation(window: Any, defaults: dict[str, Any], parent: QWidget) -> tuple[str, str] | None:
    """Ask for a new organisation (from a drop-down's "New organisation…"), add it as one
    undo step, and return its (id, name); None if the officer cancelled. A name that is
    the same as one already recorded (once normalised) is questioned once."""
    from cypdesk.common.errors import ValidationError
    from cypdesk.common.names import normalise_name
    from cypdesk.services import records
    from cypdesk.services.lookups import options
    from cypdesk.ui.dialogs.links import RecordDialog

    if window.workspace is None or window.workspace.read_only:
        return None
    ws = window.workspace
    existing = options(window.reader, "organisations")
    warned: set[str] = set()

    def save(values: dict[str, Any]) -> Any:
        key = normalise_name(values.get("name"))
        same = next((title for _i, title in existing if key and normalise_name(title) == key), None)
        if same is not None and key not in warned:
            warned.add(key)
            raise ValidationError(f"“{same}” is already recorded, and may be the same organisation: choose it from "
                                  "the list instead, or press OK again to add this one.", field="name")
        return records.create(ws, "organisations", values)

    dialog = RecordDialog("New organisation", "organisations", dict(defaults), {}, save, NEW_ORGANISATION_FIELDS, parent)
    dialog.setObjectName("new_organisation_dialog")
    dialog.resize(520, dialog.height())  # wide enough for a long name; as tall as its fields
    if not window.run_dialog(dialog) or dialog.result_change is None:
        return None
    change = dialog.result_change
    window.push_added_reference(change)
    window.status(f"Added the organisation “{change.title}”.")
    return change.id, change.title
