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

from cypdesk.model.catalog import CATALOG
from cypdesk.ui.widgets.record_form import HINT_STYLE, error_label

SHARE_EXTENSION = ".cypshare"  # io/sharefile.EXTENSION; not imported here, so the dialog opens at once
NO_PARTNER = "No partner: withhold every confidential field"
SHARED, WITHHELD, WITHHELD_BY_YOU = "Shared", "Withheld", "Withheld by you"
FIELD_ROLE = Qt.ItemDataRole.UserRole  # (table, field) of a field's row


@dataclass
class ShareRequest:
    """What the officer chose: the arguments of ``write_share_copy``."""

    for_org: str | None
    partner_name: str | None
    contacts: bool
    overrides: dict[tuple[str, str], bool] = field(default_factory=dict)  # (table, field) -> True: withheld
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
    ``fields_for(for_org, contacts)``: the ``ShareField`` list for that choice;
    ``default_out(partner_name)``: where the copy goes unless the officer says."""

    def __init__(self, organisations: list[tuple[str, str]], fields_for: Callable[[str | None, bool], list[Any]],
                 default_out: Callable[[str | None], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = "Share with a partner"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("share_dialog")
        self.fields_for = fields_for
        self.default_out = default_out
        self.request: ShareRequest | None = None
        self.extra: set[tuple[str, str]] = set()  # withheld by the officer
        self.rule: dict[tuple[str, str], Any] = {}  # the ShareField of each row, as the rule says
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
        self.protect = QCheckBox("Protect the copy with a pass&phrase")
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
        self.passphrase_label = QLabel("Pass&phrase:")
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
        self.choose = QPushButton("C&hoose…")
        self.choose.setObjectName("share_choose")
        self.choose.setAccessibleName("Choose where the copy goes")
        self.choose.clicked.connect(self._choose_out)
        out_row.addWidget(self.out, 1)
        out_row.addWidget(self.choose)
        out_label = QLabel("&Save to:")
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
        """Ask the rule again for this partner and contact choice, keeping what the
        officer withheld themselves."""
        if not self._path_typed:
            self.out.setText(str(self.default_out(self.partner_name)))
        fields = self.fields_for(self.for_org, self.contacts.isChecked())
        self.rule = {(f.table, f.field): f for f in fields}
        self.extra &= {key for key, f in self.rule.items() if not f.withheld}
        expanded = {self.tree.topLevelItem(i).data(0, FIELD_ROLE) for i in range(self.tree.topLevelItemCount())
                    if self.tree.topLevelItem(i).isExpanded()}
        self.tree.blockSignals(True)
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for f in fields:
            group = groups.get(f.table)
            if group is None:
                label = CATALOG.get(f.table, {}).get("label", f.table.replace("_", " "))
                group = QTreeWidgetItem([label[:1].upper() + label[1:]])
                group.setData(0, FIELD_ROLE, f.table)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(group)
                groups[f.table] = group
            item = QTreeWidgetItem([f.label, "", ""])
            item.setData(0, FIELD_ROLE, (f.table, f.field))
            group.addChild(item)
            self._show_field(item)
        for table, group in groups.items():
            withheld = sum(1 for i in range(group.childCount()) if self._withheld(group.child(i).data(0, FIELD_ROLE)))
            if withheld:
                group.setText(1, f"{withheld} withheld")
            group.setExpanded(table in expanded or bool(withheld))
        self.tree.blockSignals(False)
        self._summarise()

    def _withheld(self, key: tuple[str, str]) -> bool:
        return self.rule[key].withheld or key in self.extra

    def _show_field(self, item: QTreeWidgetItem) -> None:
        key = item.data(0, FIELD_ROLE)
        rule = self.rule[key]
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not rule.withheld:  # the officer may withhold more, never show what the rule withholds
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        item.setFlags(flags)
        withheld = self._withheld(key)
        item.setCheckState(0, Qt.CheckState.Unchecked if withheld else Qt.CheckState.Checked)
        item.setText(1, WITHHELD if rule.withheld else (WITHHELD_BY_YOU if withheld else SHARED))
        why = rule.reason if rule.withheld else ("You chose to withhold it" if withheld else rule.reason)
        item.setText(2, why)
        item.setToolTip(2, why)
        item.setToolTip(0, "Withheld by the rule: it cannot be shared from here" if rule.withheld else
                        "Untick to withhold it from this copy")

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, FIELD_ROLE)
        if column != 0 or not isinstance(key, tuple) or self.rule[key].withheld:
            return
        if item.checkState(0) == Qt.CheckState.Unchecked:
            self.extra.add(key)
        else:
            self.extra.discard(key)
        self.tree.blockSignals(True)
        self._show_field(item)
        self.tree.blockSignals(False)
        self._summarise()

    def set_withheld(self, table: str, name: str, withheld: bool = True) -> None:
        """Withhold a field the rule shares (as unticking it does), or share it again."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                if item.data(0, FIELD_ROLE) == (table, name):
                    item.setCheckState(0, Qt.CheckState.Unchecked if withheld else Qt.CheckState.Checked)
                    return
        raise KeyError(f"no field {table}.{name} in the list")

    def field_row(self, table: str, name: str) -> tuple[str, str, str]:
        """(label, in the copy, why) of a field's row, as shown."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                if item.data(0, FIELD_ROLE) == (table, name):
                    return item.text(0), item.text(1), item.text(2)
        raise KeyError(f"no field {table}.{name} in the list")

    def _summarise(self) -> None:
        by_rule = sum(1 for f in self.rule.values() if f.withheld)
        who = f"for {self.partner_name}" if self.for_org else "with no partner chosen"
        text = f"Shared {who}: {by_rule} field{'s' if by_rule != 1 else ''} withheld by the rule"
        if self.extra:
            text += f", {len(self.extra)} more by you"
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
            if not first:
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
        overrides = {key: True for key in sorted(self.extra)}
        self.request = ShareRequest(self.for_org, self.partner_name, self.contacts.isChecked(), overrides,
                                    passphrase, out)
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
    source = Path(doc.working_path)
    today = date.today()

    dialog = ShareDialog(options(window.reader, "organisations"),
                         lambda org, contacts: share_fields(source, for_org=org, contacts=contacts),
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

    def work(progress: Any) -> Any:
        from cypdesk.services.exchange.share import write_share_copy

        return write_share_copy(source, request.out, for_org=request.for_org, contacts=request.contacts,
                                overrides=request.overrides, passphrase=request.passphrase, progress=progress)

    def done(result: Any) -> None:
        out = Path(getattr(result, "path", None) or request.out)
        size = file_size(out.stat().st_size)
        who = request.partner_name or "any partner (every confidential field withheld)"
        locked = " It is protected with the passphrase you chose." if request.passphrase else ""
        window.status(f"Shared copy for {request.partner_name or 'partners'} written to {out} ({size})")
        window.ask(QMessageBox.Icon.Information, "Shared copy written",
                   f"The copy for {who} is at:\n{out}\n\nIts size is {size}.{locked}",
                   QMessageBox.StandardButton.Ok)

    window.run_task(f"Sharing a copy for {request.partner_name or 'partners'}…", work, done, path=request.out,
                    doing="write")
    return dialog
