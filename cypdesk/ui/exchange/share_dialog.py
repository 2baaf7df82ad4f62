"""File > Share with a partner…: a copy of the document for one partner, without what
that partner may not see, compressed into a ``.cypshare`` file to send by email.

The officer chooses the partner (an organisation of the document, or none: every
confidential field withheld), whether people's contact details go too, looks through
the fields of every kind with what will be withheld and why, withholds more if they
wish (a field the rule withholds cannot be shown from here), may protect the copy with
a passphrase (typed twice, never stored), and picks where it goes. The copy is made on
the window's worker with progress (:func:`cypdesk.services.exchange.share.write_share_copy`);
the window then says where it went and how big it is.

What is withheld is decided by :func:`~cypdesk.services.exchange.share.share_fields`
(the one rule of ``services/outward.py``); this dialog only shows it and collects the
officer's choices.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.model.catalog import CATALOG
from cypdesk.model.identity import SHARE_EXTENSION
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label

NO_PARTNER = "No partner: withhold every confidential field"
SHARED, SHARED_BY_YOU, WITHHELD, WITHHELD_BY_YOU = "Shared", "Shared by you", "Withheld", "Withheld by you"
FIELD_ROLE = Qt.ItemDataRole.UserRole  # (table, field) of a field's row


@dataclass
class ShareRequest:
    """What the officer chose: the arguments of ``write_share_copy``."""

    for_org: str | None
    partner_name: str | None
    contacts: bool
    overrides: dict[tuple[str, str], bool] = field(default_factory=dict)  # True: withheld, False: shown
    passphrase: str | None = None
    out: Path | None = None


def file_size(n: int) -> str:
    """A file's size as people say it: "840 bytes", "12.5 KB", "3.2 MB" (1 KB = 1,000 bytes)."""
    if n < 1000:
        return f"{n:,} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if n < scale * 1000 or unit == "GB":
            value = n / scale
            return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{n:,} bytes"


def passphrase_hint(text: str) -> str:
    """A plain word on how hard a passphrase is to guess, for the officer typing it (the
    file's key derivation is memory-hard; length matters most)."""
    if not text:
        return "Type a passphrase: several words that belong together only for you are best."
    words = len([w for w in re.split(r"[\s\-_.,;]+", text) if w])
    kinds = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9\s]"))
    if len(text) < 10 or (len(set(text)) < 5):
        return "Weak: easy to guess. Use at least 12 characters, better several words."
    if len(text) >= 20 or (words >= 4 and len(text) >= 16):
        return "Strong."
    if len(text) >= 14 or kinds >= 3:
        return "Fair: a few more words would make it strong."
    return "Weak: add more words or characters (at least 14)."


def default_file_name(document: str, partner: str | None, today: date) -> str:
    """"<document> for <partner> <date>.cypshare", with what file names cannot hold
    taken out."""
    def clean(text: str) -> str:
        text = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", text)
        return re.sub(r"\s+", " ", text).strip(" .") or "document"

    who = clean(partner) if partner else "partners"
    return f"{clean(document)} for {who} {today.isoformat()}{SHARE_EXTENSION}"


class ShareDialog(QDialog):
    """The Share dialog. ``organisations``: (id, name) of the document's organisations;
    ``fields_for(for_org, contacts, overrides)``: the ``ShareField`` list for that choice;
    ``default_out(partner_name)``: where the copy goes unless the officer says."""

    def __init__(self, organisations: list[tuple[str, str]],
                 fields_for: Callable[[str | None, bool, dict[tuple[str, str], bool]], list[Any]],
                 default_out: Callable[[str | None], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = "Share with a partner"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("share_dialog")
        self.fields_for = fields_for
        self.default_out = default_out
        self.request: ShareRequest | None = None
        self.overrides: dict[tuple[str, str], bool] = {}  # the officer's choices: True withheld, False shown
        self.base: dict[tuple[str, str], Any] = {}  # the ShareField of each field by the rule alone
        self.rule: dict[tuple[str, str], Any] = {}  # ... with the officer's choices
        self.items: dict[tuple[str, str], QTreeWidgetItem] = {}
        self.groups: dict[str, QTreeWidgetItem] = {}
        self._path_typed = False  # the officer typed or chose a path: a change of partner keeps it
        self.resize(760, 640)

        layout = QVBoxLayout(self)
        intro = QLabel("A copy of this document for one partner, without what they may not see: confidential "
                       "fields (except on records the partner owns) and people's contact details unless you "
                       "include them. It is compressed to send by email; your document is not changed.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)

        self.partner = QComboBox()
        self.partner.setObjectName("share_partner")
        self.partner.setAccessibleName("Partner the copy is for")
        self.partner.addItem(NO_PARTNER, None)
        for org_id, name in organisations:
            self.partner.addItem(name, org_id)
        form.addRow("&Partner:", self.partner)
        self.contacts = QCheckBox("Include people's &contact details (names, emails, telephone numbers)")
        self.contacts.setObjectName("share_contacts")
        self.contacts.setAccessibleName("Include people's contact details")
        self.contacts.setToolTip("Under UK GDPR, share contact details only with a partner who needs them")
        form.addRow("", self.contacts)

        self.summary = QLabel("")
        self.summary.setObjectName("share_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("share_fields")
        self.tree.setAccessibleName("Fields in the shared copy: untick a field to withhold it")
        self.tree.setHeaderLabels(["Field (ticked: shared)", "In the copy", "Why"])
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 110)
        self.tree.itemChanged.connect(self._item_changed)
        layout.addWidget(self.tree, 1)

        secret = QFormLayout()
        layout.addLayout(secret)
        self.protect = QCheckBox("Pr&otect the copy with a passphrase")
        self.protect.setObjectName("share_protect")
        self.protect.setAccessibleName("Protect the copy with a passphrase")
        self.protect.setToolTip("The partner needs the passphrase to open it: tell them by telephone, not in the "
                                "email that carries the file. It is not kept anywhere: a lost passphrase cannot be "
                                "found again")
        secret.addRow("", self.protect)
        self.passphrase = self._secret("share_passphrase", "Passphrase")
        self.passphrase_again = self._secret("share_passphrase_again", "Passphrase again")
        self.strength = QLabel("")
        self.strength.setObjectName("share_strength")
        self.strength.setStyleSheet(HINT_STYLE)
        self.passphrase_label = QLabel("Passp&hrase:")
        self.passphrase_label.setBuddy(self.passphrase)
        self.again_label = QLabel("&Again:")
        self.again_label.setBuddy(self.passphrase_again)
        secret.addRow(self.passphrase_label, self.passphrase)
        secret.addRow(self.again_label, self.passphrase_again)
        secret.addRow("", self.strength)
        self.protect.toggled.connect(self._protect_toggled)
        self.passphrase.textChanged.connect(self._passphrase_typed)
        self.passphrase_again.textChanged.connect(self._passphrase_typed)

        out_row = QHBoxLayout()
        self.out = QLineEdit()
        self.out.setObjectName("share_out")
        self.out.setAccessibleName("File the copy is written to")
        self.out.textEdited.connect(lambda _t: setattr(self, "_path_typed", True))
        self.choose = QPushButton("Choose a &file…")
        self.choose.setObjectName("share_choose")
        self.choose.setAccessibleName("Choose where the copy goes")
        self.choose.clicked.connect(self._choose_out)
        out_row.addWidget(self.out, 1)
        out_row.addWidget(self.choose)
        out_label = QLabel("Sa&ve to:")
        out_label.setBuddy(self.out)
        secret.addRow(out_label, out_row)

        self.error = error_label("share_error")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("share_buttons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Share")
        ok.setAccessibleName("Write the shared copy")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel sharing")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.partner.currentIndexChanged.connect(lambda _i: self.refresh())
        self.contacts.toggled.connect(lambda _c: self.refresh())
        QWidget.setTabOrder(self.partner, self.contacts)
        QWidget.setTabOrder(self.contacts, self.tree)
        QWidget.setTabOrder(self.tree, self.protect)
        QWidget.setTabOrder(self.protect, self.passphrase)
        QWidget.setTabOrder(self.passphrase, self.passphrase_again)
        QWidget.setTabOrder(self.passphrase_again, self.out)
        QWidget.setTabOrder(self.out, self.choose)
        self._protect_toggled(False)
        self.refresh()
        self.partner.setFocus()

    def _secret(self, name: str, accessible: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    # --- the partner and the fields ---------------------------------------------------------
    @property
    def for_org(self) -> str | None:
        return self.partner.currentData()

    @property
    def partner_name(self) -> str | None:
        return self.partner.currentText() if self.for_org is not None else None

    def choose_partner(self, org_id: str | None) -> None:
        self.partner.setCurrentIndex(self.partner.findData(org_id))

    def refresh(self) -> None:
        """Ask the rule again for this partner and contact choice (a change of partner
        or of contact details), keeping the officer's own choices that still differ
        from the rule."""
        if not self._path_typed:
            self.out.setText(str(self.default_out(self.partner_name)))
        self.base = {(f.table, f.field): f for f in self.fields_for(self.for_org, self.contacts.isChecked(), {})}
        self.overrides = {key: value for key, value in self.overrides.items()
                          if key in self.base and value == (not self.base[key].withheld)}
        self._apply_rule()

    def _apply_rule(self) -> None:
        """The rows as the rule says with the officer's choices (``overrides``)."""
        fields = self.fields_for(self.for_org, self.contacts.isChecked(), dict(self.overrides))
        self.rule = {(f.table, f.field): f for f in fields}
        self.tree.blockSignals(True)
        try:
            if not self.items:
                self._build_rows(fields)
            for key, item in self.items.items():
                self._show_field(item, self.rule[key])
            for table, group in self.groups.items():
                withheld = sum(1 for (t, _n), f in self.rule.items() if t == table and f.withheld)
                group.setText(1, f"{withheld} withheld" if withheld else "")
                if withheld and not group.isExpanded():
                    group.setExpanded(True)
        finally:
            self.tree.blockSignals(False)
        self._summarise()

    def _build_rows(self, fields: list[Any]) -> None:
        """A group a kind, those with a field withheld by the rule first (what the officer
        looks for), the rest in the catalog's order, collapsed."""
        withholding = {f.table for f in fields if f.withheld}
        for f in sorted(fields, key=lambda f: f.table not in withholding):
            group = self.groups.get(f.table)
            if group is None:
                label = CATALOG.get(f.table, {}).get("label", f.table.replace("_", " "))
                group = QTreeWidgetItem([label[:1].upper() + label[1:]])
                group.setData(0, FIELD_ROLE, f.table)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(group)
                self.groups[f.table] = group
            item = QTreeWidgetItem([f.label, "", ""])
            item.setData(0, FIELD_ROLE, (f.table, f.field))
            group.addChild(item)
            self.items[(f.table, f.field)] = item

    def _show_field(self, item: QTreeWidgetItem, rule: Any) -> None:
        """One field's row: ticked when it is shared; a field the rule withholds as
        confidential cannot be ticked (nothing shows it from here), nor a required field
        unticked (a copy cannot be without it)."""
        locked = rule.code == "confidential" if rule.withheld else not rule.can_withhold  # a required field
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not locked:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        item.setFlags(flags)
        item.setCheckState(0, Qt.CheckState.Unchecked if rule.withheld else Qt.CheckState.Checked)
        key = (rule.table, rule.field)
        if rule.withheld:
            shown = WITHHELD_BY_YOU if rule.code == "chosen" else WITHHELD
        else:
            shown = SHARED_BY_YOU if self.overrides.get(key) is False else SHARED
        item.setText(1, shown)
        item.setToolTip(1, "Shown only on the records the partner owns" if rule.owner_sees else shown)
        why = "" if rule.reason == SHARED else rule.reason  # "Shared" says it already
        item.setText(2, why)
        item.setToolTip(2, why)
        if locked:
            tip = ("Withheld by the rule: it cannot be shared from here" if rule.withheld else
                   "Required on every record: a copy cannot be without it")
        else:
            tip = "Tick to share it in this copy" if rule.withheld else "Untick to withhold it from this copy"
        item.setToolTip(0, tip)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, FIELD_ROLE)
        if column != 0 or not isinstance(key, tuple) or key not in self.base:
            return
        shared = item.checkState(0) == Qt.CheckState.Checked
        if shared == (not self.base[key].withheld):  # as the rule has it: no choice to keep
            self.overrides.pop(key, None)
        else:  # withhold more, or show a contact detail
            self.overrides[key] = not shared
        try:
            self._apply_rule()
        except CypdeskError as exc:  # a choice the rule refuses (never offered, but said if it happens)
            self.overrides.pop(key, None)
            self._apply_rule()
            self._refuse(exc.message, self.tree)

    def set_withheld(self, table: str, name: str, withheld: bool = True) -> None:
        """Withhold a field (as unticking it does), or share it (ticking)."""
        item = self.items.get((table, name))
        if item is None:
            raise KeyError(f"no field {table}.{name} in the list")
        item.setCheckState(0, Qt.CheckState.Unchecked if withheld else Qt.CheckState.Checked)

    def field_row(self, table: str, name: str) -> tuple[str, str, str, bool]:
        """(label, in the copy, why, can be ticked) of a field's row, as shown."""
        item = self.items[(table, name)]
        return item.text(0), item.text(1), item.text(2), bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)

    def _summarise(self) -> None:
        by_rule = sum(1 for f in self.rule.values() if f.withheld and f.code != "chosen")
        chosen = sum(1 for f in self.rule.values() if f.code == "chosen")
        shown = sum(1 for value in self.overrides.values() if value is False)
        who = f"for {self.partner_name}" if self.for_org else "with no partner chosen"
        text = f"Shared {who}: {by_rule} field{'s' if by_rule != 1 else ''} withheld by the rule"
        if chosen:
            text += f", {chosen} more by you"
        if shown:
            text += f", {shown} contact detail{'s' if shown != 1 else ''} shared by you"
        self.summary.setText(text + ".")

    # --- passphrase and file --------------------------------------------------------------------
    def _protect_toggled(self, on: bool) -> None:
        for widget in (self.passphrase, self.passphrase_again, self.passphrase_label, self.again_label,
                       self.strength):
            widget.setEnabled(on)
        if not on:
            self.passphrase.clear()
            self.passphrase_again.clear()
        self._passphrase_typed()

    def _passphrase_typed(self) -> None:
        if not self.protect.isChecked():
            self.strength.setText("No passphrase: anyone who has the file can open it.")
            return
        hint = passphrase_hint(self.passphrase.text())
        again = self.passphrase_again.text()
        if again and again != self.passphrase.text():
            hint += " The two passphrases differ."
        self.strength.setText(hint)
        self.strength.setAccessibleDescription(hint)

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the shared copy", self.out.text(),
                                              f"Shared cypdesk copy (*{SHARE_EXTENSION})")
        if path:
            self.out.setText(path)
            self._path_typed = True

    def try_accept(self) -> None:
        """Check what was typed; OK only when it will do (the message says what not)."""
        self.error.hide()
        passphrase = None
        if self.protect.isChecked():
            first, second = self.passphrase.text(), self.passphrase_again.text()
            if not first.strip():
                return self._refuse("Type a passphrase twice, or untick “Protect the copy with a passphrase”.",
                                    self.passphrase)
            if first != second:
                return self._refuse("The two passphrases differ: type the same passphrase in both boxes.",
                                    self.passphrase_again)
            passphrase = first
        text = self.out.text().strip()
        if not text:
            return self._refuse("Say where the copy goes (Save to).", self.out)
        out = Path(text).expanduser()
        if out.suffix.lower() != SHARE_EXTENSION:
            out = out.with_name(out.name + SHARE_EXTENSION)
        if not out.parent.is_dir():
            return self._refuse(f"The folder {out.parent} does not exist: choose another place.", self.out)
        self.request = ShareRequest(self.for_org, self.partner_name, self.contacts.isChecked(), dict(self.overrides),
                                    passphrase, out)
        for edit in (self.passphrase, self.passphrase_again):  # the request carries it to the work, nothing else
            edit.clear()
        self.accept()

    def _refuse(self, text: str, widget: QWidget) -> None:
        self.error.setText(text)
        self.error.show()
        widget.setFocus()


def share_with_partner(window: Any) -> ShareDialog | None:
    """File > Share with a partner…: the dialog, then the copy written on the worker,
    then where it went and its size. Returns the dialog (tests read what it showed)."""
    from cypdesk.services.exchange.share import share_fields
    from cypdesk.services.lookups import options

    ws = window.workspace
    if ws is None or not window.commit_pending():
        return None
    doc = ws.doc
    folder = Path(doc.path).parent if doc.path else Path.home()
    stem = Path(doc.path).stem if doc.path else "Untitled"
    today = date.today()

    dialog = ShareDialog(options(window.reader, "organisations"),
                         lambda org, contacts, overrides: share_fields(doc, for_org=org, contacts=contacts,
                                                                       overrides=overrides),
                         lambda partner: folder / default_file_name(stem, partner, today), window)
    if not window.run_dialog(dialog) or dialog.request is None:
        return dialog
    request = dialog.request
    from PySide6.QtWidgets import QMessageBox

    if request.out.exists():
        answer = window.ask(QMessageBox.Icon.Question, "Replace the file?",
                            f"{request.out} already exists. Replace it with the new copy?",
                            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return dialog

    protected = request.passphrase is not None

    def work(progress: Any) -> Any:
        from cypdesk.services.exchange.share import write_share_copy

        passphrase, request.passphrase = request.passphrase, None  # kept nowhere once the work has it
        return write_share_copy(ws, request.out, for_org=request.for_org, contacts=request.contacts,
                                overrides=request.overrides, passphrase=passphrase, progress=progress)

    def done(result: Any) -> None:
        out, size = result.path, file_size(result.size)
        who = request.partner_name or "any partner (every confidential field withheld)"
        locked = " It is protected with the passphrase you chose." if protected else ""
        window.status(f"Shared copy for {request.partner_name or 'partners'} written to {out} ({size})")
        withheld = (f" {result.withheld:,} value{'s were' if result.withheld != 1 else ' was'} withheld."
                    if result.withheld else "")
        window.ask(QMessageBox.Icon.Information, "Shared copy written",
                   f"The copy for {who} is at:\n{out}\n\nIts size is {size}.{withheld}{locked}",
                   QMessageBox.StandardButton.Ok)

    window.run_task(f"Sharing a copy for {request.partner_name or 'partners'}…", work, done, path=request.out,
                    doing="write")
    return dialog
