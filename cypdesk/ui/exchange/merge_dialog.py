"""The preview of a merge: what a partner's file would add, change and delete, and the
conflicts, each with both values side by side and the side it keeps.

The dialog only shows a :class:`~cypdesk.services.exchange.plan.MergePlan` (worked out
on the worker before it opens) and collects the officer's choices; it reads no file and
writes nothing. Each conflict starts at the deterministic rule's choice (the later
change, ``rule_choice``); the officer changes it per field, per record, or for every
record the partner owns. OK ("Merge") returns :attr:`MergeDialog.choices` (conflict key
-> "ours" or "theirs") for :func:`~cypdesk.services.exchange.apply.apply_merge`; Cancel
leaves the document as it was.

The lists are light models (:mod:`cypdesk.ui.exchange.merge_models`) over the plan's
lists with fixed row heights and column widths, so a plan of thousands of rows opens
without stalling the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QPlainTextEdit, QPushButton, QRadioButton, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from cypdesk.ui.exchange.merge_models import (
    OURS, THEIRS, Column, ConflictModel, Names, PlanListModel, conflict_side, kind_label, shown,
)
from cypdesk.ui.widgets.record_form import HINT_STYLE

TITLE = "Merge a partner's file"


def counts_sentence(counts: dict[str, int]) -> str:
    """"12 added · 30 changed · 2 deleted · 5 conflicts · …" in the order an officer reads them."""
    from cypdesk.common.formats import plural

    return " · ".join((
        f"{counts.get('added', 0):,} added", f"{counts.get('changed', 0):,} changed",
        f"{counts.get('deleted', 0):,} deleted", plural(counts.get("conflicts", 0), "conflict"),
        plural(counts.get("duplicates", 0), "possible duplicate"), f"{counts.get('ignored', 0):,} not merged",
        f"{counts.get('unchanged', 0):,} unchanged"))


def plan_counts(plan: Any) -> dict[str, int]:
    """The plan's counts with the possible duplicates and what is not merged."""
    counts = dict(plan.counts())
    counts["duplicates"] = len(plan.duplicates)
    counts["ignored"] = len(plan.ignored)
    return counts


def _when(stamp: str | None) -> str:
    from datetime import datetime, timezone

    from cypdesk.common.formats import datetime_uk
    from cypdesk.common.hlc import ZERO, wall_ms_of

    if not stamp or stamp == ZERO:
        return ""
    try:
        return datetime_uk(datetime.fromtimestamp(wall_ms_of(stamp) / 1000, tz=timezone.utc).astimezone())
    except (ValueError, OverflowError, OSError):
        return ""


def _table(name: str, accessible: str, model: PlanListModel) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the next control
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform heights: no row is measured
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setModel(model)  # after the rows' sizing, so no row is sized on the way
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, column in enumerate(model.columns):
        view.setColumnWidth(i, column.width)
    header.setStretchLastSection(True)
    return view


class MergeDialog(QDialog):
    """The preview. ``names``: titles of the records references name (looked up on the
    worker); ``into``: the open document's name; ``partner_org``: the name of the
    organisation that owns the partner's file (None when it names none)."""

    def __init__(self, plan: Any, *, names: Names | None = None, into: str = "this document",
                 partner_org: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.names = dict(names or {})
        self.setObjectName("merge_dialog")
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.resize(1100, 700)
        partner = plan.partner
        layout = QVBoxLayout(self)
        what = "a shared copy" if getattr(partner, "is_share", False) else "a document"
        trust = partner.trust_name if partner.trust_name and partner.trust_name not in partner.title else ""
        heading = QLabel(f"Merge {partner.source_name} ({what}: {partner.title}" + (f", {trust}" if trust else "")
                         + f") into {into}")
        heading.setObjectName("merge_heading")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold")
        layout.addWidget(heading)
        self.counts = plan_counts(plan)
        self.summary = QLabel(counts_sentence(self.counts))
        self.summary.setObjectName("merge_counts")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if plan.skewed:
            shown_skew = "; ".join(plan.skewed[:3]) + (f"; and {len(plan.skewed) - 3:,} more" if len(plan.skewed) > 3 else "")
            skew = QLabel(f"Check the dates: {shown_skew}")
            skew.setObjectName("merge_skewed")
            skew.setWordWrap(True)
            layout.addWidget(skew)

        self.pages = QTabWidget()
        self.pages.setObjectName("merge_pages")
        self.pages.setAccessibleName("What the merge would do")
        layout.addWidget(self.pages, 1)
        self.conflicts = ConflictModel(plan.conflicts, self.names, self)
        self.pages.addTab(self._conflict_page(partner_org), f"&Conflicts ({len(plan.conflicts):,})")
        self.lists: dict[str, PlanListModel] = {}
        self._unfilled: dict[int, tuple[str, str]] = {}
        record = [Column("Kind", lambda r: kind_label(r.table), 140), Column("Record", lambda r: r.title, 400)]
        change = [Column("Kind", lambda c: kind_label(c.table), 110), Column("Record", lambda c: c.title, 280),
                  Column("Field", lambda c: c.label, 130),
                  Column("Mine now", lambda c: shown(c.table, c.field, c.ours, self.names), 220),
                  Column("Theirs (taken)", lambda c: shown(c.table, c.field, c.theirs, self.names), 220)]
        pairs = [Column("Kind", lambda p: kind_label(p[0].table), 140), Column("Mine", lambda p: p[0].title, 300),
                 Column("Theirs", lambda p: p[1].title, 300)]
        said = [Column("What was not merged", lambda text: str(text), 800)]
        for key, label, items, columns, empty in (
                ("added", "&Added", plan.added, record, "The partner's file has no records that this one lacks."),
                ("changed", "C&hanged", plan.changed, change, "No field changes only on the partner's side."),
                ("deleted", "&Deleted", plan.deleted, record, "The partner deleted nothing that is still here."),
                ("duplicates", "&Possible duplicates", plan.duplicates, pairs,
                 "No records in the partner's file share a name with a different record here."),
                ("ignored", "&Not merged", plan.ignored, said, "Everything in the partner's file can be merged.")):
            table_of = (lambda p: p[0].table) if key == "duplicates" else (lambda _t: "") if key == "ignored" else None
            model = PlanListModel(items, columns, table_of, self)
            self.lists[key] = model
            page = QWidget()
            page.setObjectName(f"merge_{key}_page")
            QVBoxLayout(page)
            self._unfilled[self.pages.addTab(page, f"{label} ({len(items):,})")] = (key, empty)
        self.pages.currentChanged.connect(self._fill_page)  # each list's page is made when first shown
        if not plan.conflicts:
            self.pages.setCurrentIndex(1)

        note = QLabel("Nothing is written until you press Merge. A backup of your document is made first, and "
                      "every value the merge replaces stays in the history.")
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Merge")
        self.ok_button.setObjectName("merge_accept")
        self.ok_button.setToolTip("Merge with the choices shown; a backup of your document is made first")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("merge_cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # --- the conflicts page ------------------------------------------------------------------
    def _conflict_page(self, partner_org: str | None) -> QWidget:
        page = QWidget()
        page.setObjectName("merge_conflicts_page")
        column = QVBoxLayout(page)
        if self.plan.conflicts:
            intro = QLabel("Both sides changed these since you last shared a state. Each keeps the later change "
                           "unless you choose otherwise: select rows and choose, or choose in the panel below.")
        else:
            intro = QLabel("No conflicts: nothing was changed on both sides.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.conflict_view = _table("merge_conflicts", "Conflicts", self.conflicts)
        column.addWidget(self.conflict_view, 1)

        row = QHBoxLayout()
        self.keep_mine = self._button("&Keep mine", "keep_mine", "Keep your value for the selected conflicts",
                                      lambda: self._choose_selected(OURS))
        self.take_theirs = self._button("&Take theirs", "take_theirs", "Take the partner's value for the selected "
                                        "conflicts", lambda: self._choose_selected(THEIRS))
        self.record_mine = self._button("Keep mine for the whole &record", "record_mine",
                                        "Keep your values for every conflict of the selected records",
                                        lambda: self._choose_records(OURS))
        self.record_theirs = self._button("Take theirs for the whole r&ecord", "record_theirs",
                                          "Take the partner's values for every conflict of the selected records",
                                          lambda: self._choose_records(THEIRS))
        for button in (self.keep_mine, self.take_theirs, self.record_mine, self.record_theirs):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)

        owner = self.plan.partner.owner_org_id
        named = partner_org or "the partner"
        org = named.replace("&", "&&")  # in a button's text an ampersand in a name is no shortcut
        row = QHBoxLayout()
        self.owned_theirs = self._button(f"Take all theirs for records {org} &owns", "owned_theirs",
                                         f"Take the partner's value in every conflict on a record {named} owns",
                                         lambda: self._choose_owned(THEIRS))
        self.owned_mine = self._button(f"Keep all mine for records {org} o&wns", "owned_mine",
                                       f"Keep your value in every conflict on a record {named} owns",
                                       lambda: self._choose_owned(OURS))
        self.suggested = self._button("&Suggested choices", "suggested_choices",
                                      "Every conflict back to the later change", lambda: self._choose_all(None))
        owned = len(owned_by(self.plan.conflicts, owner))
        for button in (self.owned_theirs, self.owned_mine):
            button.setEnabled(bool(owned))
            if not owned:
                button.setToolTip(f"No conflict is on a record {named} owns" if owner else
                                  "The partner's file does not say which organisation owns it")
            row.addWidget(button)
        row.addWidget(self.suggested)
        row.addStretch(1)
        column.addLayout(row)

        sides = QGridLayout()
        self.reason = QLabel("")
        self.reason.setObjectName("conflict_reason")
        self.reason.setWordWrap(True)
        sides.addWidget(self.reason, 0, 0, 1, 2)
        self.side_boxes: dict[str, QGroupBox] = {}
        self.side_texts: dict[str, QPlainTextEdit] = {}
        self.side_radios: dict[str, QRadioButton] = {}
        for i, (side, word, choose) in enumerate(((OURS, "Mine", "Keep mine"), (THEIRS, "Theirs", "Take theirs"))):
            box = QGroupBox(word)
            box.setObjectName(f"conflict_{side}")
            inner = QVBoxLayout(box)
            text = QPlainTextEdit()
            text.setReadOnly(True)
            text.setObjectName(f"conflict_{side}_value")
            text.setAccessibleName(f"{word}: the whole value")
            text.setMaximumHeight(90)
            text.setTabChangesFocus(True)
            radio = QRadioButton(choose)
            radio.setObjectName(f"conflict_{side}_choose")
            radio.clicked.connect(lambda _checked=False, s=side: self._choose_current(s))
            inner.addWidget(text)
            inner.addWidget(radio)
            sides.addWidget(box, 1, i)
            self.side_boxes[side], self.side_texts[side], self.side_radios[side] = box, text, radio
        column.addLayout(sides)
        self.conflict_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.conflicts.dataChanged.connect(lambda *_: self._show_current())
        has = bool(self.plan.conflicts)
        for widget in (self.keep_mine, self.take_theirs, self.record_mine, self.record_theirs, self.suggested,
                       *self.side_radios.values()):
            widget.setEnabled(has)
        if has:
            self.conflict_view.selectRow(0)
        self._show_current()
        return page

    def _button(self, text: str, name: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter in the dialog is Merge only when Merge has the focus
        button.clicked.connect(slot)
        return button

    def _selected(self) -> list[Any]:
        rows = sorted({index.row() for index in self.conflict_view.selectionModel().selectedRows()})
        if not rows and self.conflict_view.currentIndex().isValid():
            rows = [self.conflict_view.currentIndex().row()]
        return [self.conflicts.item(r) for r in rows]

    def current_conflict(self) -> Any:
        index = self.conflict_view.currentIndex()
        return self.conflicts.item(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        conflict = self.current_conflict()
        for side, word in ((OURS, "Mine"), (THEIRS, "Theirs")):
            box, text, radio = self.side_boxes[side], self.side_texts[side], self.side_radios[side]
            if conflict is None:
                box.setTitle(word)
                text.setPlainText("")
                radio.setChecked(False)
                continue
            author = conflict.ours_author if side == OURS else conflict.theirs_author
            when = _when(conflict.ours_hlc if side == OURS else conflict.theirs_hlc)
            said = ", ".join(part for part in (f"changed by {author}" if author else "", when) if part)
            box.setTitle(f"{word}" + (f" — {said}" if said else ""))
            text.setPlainText(conflict_side(conflict, side, self.names))
            radio.setAutoExclusive(False)
            radio.setChecked(self.conflicts.choices[conflict.key] == side)
            radio.setAutoExclusive(True)
        if conflict is None:
            self.reason.setText("")
            return
        field = f", {conflict.label}" if conflict.field else ""
        self.reason.setText(f"{kind_label(conflict.table)} “{conflict.title}”{field}: {conflict.reason}")

    # --- choosing ------------------------------------------------------------------------------
    def _choose_current(self, side: str) -> None:
        conflict = self.current_conflict()
        if conflict is not None:
            self.conflicts.choose([conflict], side)

    def _choose_selected(self, side: str) -> None:
        self.conflicts.choose(self._selected(), side)

    def _choose_records(self, side: str) -> None:
        records = {(c.table, c.record_id) for c in self._selected()}
        self.conflicts.choose([c for c in self.plan.conflicts if (c.table, c.record_id) in records], side)

    def _choose_owned(self, side: str) -> None:
        self.conflicts.choose(owned_by(self.plan.conflicts, self.plan.partner.owner_org_id), side)

    def _choose_all(self, side: str | None) -> None:
        self.conflicts.choose(self.plan.conflicts, side)

    def choose(self, key: str, side: str) -> None:
        """Keep ``side`` for the conflict ``key`` (tests and scripts)."""
        self.conflicts.choose([c for c in self.plan.conflicts if c.key == key], side)

    @property
    def choices(self) -> dict[str, str]:
        """Conflict key -> "ours" or "theirs", for every conflict."""
        return dict(self.conflicts.choices)

    # --- the other lists -------------------------------------------------------------------------
    def _fill_page(self, index: int) -> None:
        if index in self._unfilled:
            key, empty = self._unfilled.pop(index)
            self._list_page(self.pages.widget(index), key, self.lists[key], empty)

    def _list_page(self, page: QWidget, key: str, model: PlanListModel, empty: str) -> None:
        column = page.layout()
        kinds = {kind: n for kind, n in model.kinds().items() if kind} if key != "ignored" else {}
        if len(kinds) > 1:
            row = QHBoxLayout()
            label = QLabel("&Show:")
            combo = QComboBox()
            combo.setObjectName(f"merge_{key}_kind")
            combo.setAccessibleName("Show which kind of record")
            label.setBuddy(combo)
            combo.addItem(f"Every kind ({len(model.items):,})", None)
            for kind, n in kinds.items():
                combo.addItem(f"{kind_label(kind)} ({n:,})", kind)
            combo.currentIndexChanged.connect(lambda _i, c=combo, m=model: m.show_kind(c.currentData()))
            row.addWidget(label)
            row.addWidget(combo)
            row.addStretch(1)
            column.addLayout(row)
        if not model.items:
            message = QLabel(empty)
            message.setWordWrap(True)
            column.addWidget(message)
        names = {"added": "Records to add", "changed": "Fields to change", "deleted": "Records to delete",
                 "duplicates": "Possible duplicates", "ignored": "What is not merged"}
        column.addWidget(_table(f"merge_{key}", names[key], model), 1)


def owned_by(conflicts: Sequence[Any], owner: str | None) -> list[Any]:
    """The conflicts on records ``owner`` owns."""
    return [c for c in conflicts if owner and c.owner_org_id == owner]
