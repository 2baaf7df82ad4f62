"""The dialog that adds a member to a commissioning team: organisation, person (only
that organisation's people once one is chosen), role, and the sector the member
represents (empty: taken from the organisation's kind).

OK hands the choice to ``save`` (``teams.add_member`` in the Teams tab); a refusal
(no organisation and no person, already a member) is shown in the dialog, which stays
open with the officer's choices intact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label




def sector_choices() -> list[tuple[str, str]]:
    """(value, label) of the sectors a member may represent, from the field catalog."""
    from cypdesk.model.catalog import CATALOG

    field = next(f for f in CATALOG["memberships"]["fields"] if f["name"] == "represents")
    return [(value, label) for value, label in field["choices"]]


def organisation_kinds() -> dict[str, str]:
    from cypdesk.model.catalog import CATALOG

    field = next(f for f in CATALOG["organisations"]["fields"] if f["name"] == "kind")
    return dict(field["choices"])


def _article(words: str) -> str:
    words = words.replace("nhs", "NHS")
    return f"an {words}" if words[:1] in "aeio" or words.startswith("NHS") else f"a {words}"


class MemberDialog(QDialog):
    """``organisations``: (id, name, kind); ``people``: (id, name, organisation id)."""

    def __init__(self, team_name: str, organisations: list[tuple[str, str, str | None]],
                 people: list[tuple[str, str, str | None]], save: Callable[[dict[str, Any]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = "Add a member"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("member_dialog")
        self.save = save
        self.result_change: Any = None
        self.organisations = organisations
        self.people = people
        self._kinds = {org_id: kind for org_id, _name, kind in organisations}

        layout = QVBoxLayout(self)
        intro = QLabel(f"Add a member to {team_name}. Choose the organisation first to see only its people.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)

        from cypdesk.ui.widgets.reference_combo import ReferenceCombo

        self.organisation = ReferenceCombo("organisations", field="organisation_id")
        self.organisation.setObjectName("member_organisation")
        self.organisation.setAccessibleName("Organisation")
        self.organisation.set_options([(org_id, name) for org_id, name, _kind in organisations])
        self.organisation.currentIndexChanged.connect(self._organisation_chosen)
        self.person = QComboBox()
        self.person.setObjectName("member_person")
        self.person.setAccessibleName("Person")
        self.person.currentIndexChanged.connect(self._person_chosen)
        self.role = QLineEdit()
        self.role.setObjectName("member_role")
        self.role.setAccessibleName("Role")
        self.role.setPlaceholderText("e.g. chair, commissioner, finance lead")
        self.represents = QComboBox()
        self.represents.setObjectName("member_represents")
        self.represents.setAccessibleName("Represents")
        self.represents.setAccessibleDescription("The sector this member speaks for; the first choice takes it "
                                                 "from the kind of organisation.")
        self.represents.addItem("As the organisation's kind says", None)
        for value, label in sector_choices():
            self.represents.addItem(label, value)
        self.represents.currentIndexChanged.connect(self._update_hint)
        self.hint = QLabel("")
        self.hint.setObjectName("member_represents_hint")
        self.hint.setAccessibleDescription("What the member counts for")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        for text, editor in (("&Organisation", self.organisation), ("&Person", self.person),
                             ("&Role", self.role), ("R&epresents", self.represents)):
            label = QLabel(text)
            label.setBuddy(editor)
            form.addRow(label, editor)
        form.addRow("", self.hint)

        self.error = error_label("member_dialog_error", description="Problem")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add member")
        ok.setAccessibleName("Add member")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addStretch(1)  # spare height goes below the fields, never between them
        layout.addWidget(self.buttons)
        self._fill_people(None)
        self._update_hint()
        self.resize(520, self.sizeHint().height())  # as tall as its fields

    # --- choices ----------------------------------------------------------------------------
    def _fill_people(self, organisation_id: str | None) -> None:
        keep = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem("", None)
        for person_id, name, org_id in self.people:
            if organisation_id is None or org_id == organisation_id:
                self.person.addItem(name, person_id)
        self.person.setCurrentIndex(max(self.person.findData(keep), 0))
        self.person.blockSignals(False)

    def _organisation_chosen(self, _index: int) -> None:
        self._fill_people(self.organisation.currentData())
        self._update_hint()

    def _person_chosen(self, _index: int) -> None:
        """A person chosen before the organisation brings their organisation with them."""
        if self.organisation.currentData() is not None:
            return
        org_id = next((o for p, _n, o in self.people if p == self.person.currentData()), None)
        index = self.organisation.findData(org_id) if org_id else -1
        if index > 0:
            self.organisation.setCurrentIndex(index)

    def _update_hint(self, *_: Any) -> None:
        from cypdesk.services.teams import SECTOR_WORDS, SECTORS_OF_KIND

        if self.represents.currentData() is not None:
            self.hint.setText(f"Counts as a member for {self.represents.currentText().lower()}.")
            return
        org_id = self.organisation.currentData()
        if org_id is None:
            self.hint.setText("Choose an organisation, or the sector this member speaks for.")
            return
        kind = self._kinds.get(org_id) or ""
        sectors = [SECTOR_WORDS[s] for s in SECTORS_OF_KIND.get(kind, ())]
        name = self.organisation.currentText()
        what = organisation_kinds().get(kind) if kind != "other" else None
        because = f", because {name} is {_article(what.lower())}" if what else ""
        if sectors:
            self.hint.setText(f"Counts as a member for {' and '.join(sectors)}{because}.")
        else:
            self.hint.setText(f"Counts for no sector{because}. Choose the sector this member speaks for, if any.")

    def choice(self) -> dict[str, Any]:
        return {"organisation_id": self.organisation.currentData(), "person_id": self.person.currentData(),
                "role": self.role.text().strip() or None, "represents": self.represents.currentData()}

    def choose(self, *, organisation: str | None = None, person: str | None = None, role: str | None = None,
               represents: str | None = None) -> None:
        """Fill the dialog by the texts shown (for scripted use and tests)."""
        for combo, text in ((self.organisation, organisation), (self.person, person),
                            (self.represents, represents)):
            if text is not None:
                index = combo.findText(text)
                if index < 0:
                    raise ValueError(f"{text!r} is not offered in {combo.accessibleName()}")
                combo.setCurrentIndex(index)
        if role is not None:
            self.role.setText(role)

    def try_accept(self) -> None:
        try:
            self.result_change = self.save(self.choice())
        except CypdeskError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()
