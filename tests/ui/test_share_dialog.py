"""File > Share with a partner… (ui/exchange/share_dialog.py) on the real window and the
demo: the dialog lists what the one rule withholds and why, the officer withholds more
or shares a contact detail, a passphrase typed twice (a mismatch is refused in the
dialog), and the copy is written by write_share_copy: the .cypshare file exists, is
unpacked here (io/sharefile.unpack_share) and holds what the dialog said. The dialog is
answered by a driver; work runs inline (the ``dialogs`` fixture sets TaskRunner.INLINE)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QMessageBox

from cypdesk.common.errors import PassphraseNeeded
from cypdesk.io.sharefile import unpack_share
from cypdesk.ui.exchange.share_dialog import (
    NO_PARTNER, ShareDialog, default_file_name, file_size, passphrase_hint,
)

PASSPHRASE = "heron lantern quietly orchard"


def _unpacked(path: Path, tmp_path: Path, passphrase: str | None = None) -> sqlite3.Connection:
    dest = tmp_path / f"unpacked-{path.stem}.cypdesk"
    unpack_share(path, dest, passphrase=passphrase)
    return sqlite3.connect(dest)


def _partner(window) -> tuple[str, str]:
    """Brightside Family Support: a partner that provides services under contracts."""
    return window.reader.execute("SELECT id, name FROM organisations WHERE name = 'Brightside Family Support'"
                                 ).fetchone()


def _doc_hash(window) -> str:
    return hashlib.sha256(Path(window.workspace.doc.working_path).read_bytes()).hexdigest()


def _share(window, dialogs, fill) -> ShareDialog:
    """File > Share with a partner…, ``fill(dialog)`` doing what the officer does, then
    Share; the message saying where the copy went is answered OK."""
    shown = {}

    def drive(dialog):
        shown["dialog"] = dialog
        fill(dialog)
        dialog.try_accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialogs.drivers.append(drive)
    dialogs.answers.append(QMessageBox.StandardButton.Ok)
    window.action_share.trigger()
    assert dialogs.seen[-1][0] == "Shared copy written", dialogs.seen[-1]
    return shown["dialog"]


def test_the_dialog_writes_a_share_for_a_partner_with_the_rule_and_the_officers_choice(open_window, dialogs,
                                                                                       tmp_path):
    """For Brightside: a contract's annual value is listed as withheld (confidential, shown
    only on its own records: not tickable), a person's email as withheld (a contact
    detail); the officer unticks a service's annual cost (listed "Withheld by you"); a
    service's name (required) cannot be unticked.
    Share writes the .cypshare where it was told, says where and how big; unpacked, the
    copy is for Brightside, its contracts keep annual values only on Brightside's
    services, every service's annual cost is blank and listed in withheld_fields as
    chosen, and the emails are gone. The document itself is not changed."""
    window = open_window("services")
    partner_id, partner_name = _partner(window)
    out = tmp_path / "for-brightside.cypshare"
    before = _doc_hash(window)
    rows = {}

    def fill(dialog):
        dialog.choose_partner(partner_id)
        rows["value"] = dialog.field_row("contracts", "annual_value")
        rows["email"] = dialog.field_row("people", "email")
        dialog.set_withheld("services", "annual_cost")
        rows["cost"] = dialog.field_row("services", "annual_cost")
        rows["name"] = dialog.field_row("services", "name")
        rows["summary"] = dialog.summary.text()
        dialog.out.setText(str(out))

    dialog = _share(window, dialogs, fill)
    assert rows["value"] == ("Annual value", "Withheld",
                             "Confidential: withheld except on the records the partner owns", False)
    assert rows["email"][1] == "Withheld" and "contact detail" in rows["email"][2] and rows["email"][3]
    assert rows["cost"] == ("Annual cost", "Withheld by you", "Withheld because you chose to withhold it", True)
    assert rows["name"] == ("Service", "Shared", "", False)  # required on every service: it cannot be withheld
    assert rows["summary"] == f"Shared for {partner_name}: 11 fields withheld by the rule, 1 more by you."
    assert dialog.request.overrides == {("services", "annual_cost"): True}
    assert out.is_file()
    title, text = dialogs.seen[-1]
    assert title == "Shared copy written"
    assert str(out) in text and f"Its size is {file_size(out.stat().st_size)}." in text
    assert _doc_hash(window) == before
    copy = _unpacked(out, tmp_path)
    try:
        values = copy.execute("SELECT s.provider_id = ?, count(*), count(c.annual_value) FROM contracts c "
                              "JOIN services s ON s.id = c.service_id GROUP BY 1 ORDER BY 1",
                              (partner_id,)).fetchall()
        assert values == [(0, values[0][1], 0), (1, 10, 10)]
        assert copy.execute("SELECT count(annual_cost) FROM services").fetchone()[0] == 0
        chosen = copy.execute("SELECT count(*) FROM withheld_fields WHERE table_name = 'services' "
                              "AND field = 'annual_cost' AND reason = 'chosen'").fetchone()[0]
        assert chosen == window.reader.execute("SELECT count(annual_cost) FROM services").fetchone()[0] > 0
        assert copy.execute("SELECT count(email), count(phone) FROM people").fetchone() == (0, 0)
    finally:
        copy.close()


def test_a_contact_detail_is_shared_only_when_the_officer_ticks_it(open_window, dialogs, tmp_path):
    """With no partner chosen, the officer ticks people's email (a contact detail, listed
    "Shared by you") but not their telephone: the copy has every email and no telephone
    number; "Include contact details" then shares both and the email's own tick is no
    longer a choice of its own."""
    window = open_window("services")
    out = tmp_path / "emails.cypshare"
    seen = {}

    def fill(dialog):
        assert dialog.partner.currentText() == NO_PARTNER
        dialog.set_withheld("people", "email", False)
        seen["email"] = dialog.field_row("people", "email")
        dialog.contacts.setChecked(True)
        seen["both"] = (dialog.field_row("people", "email")[1], dialog.field_row("people", "phone")[1])
        seen["overrides"] = dict(dialog.overrides)
        dialog.contacts.setChecked(False)
        dialog.set_withheld("people", "email", False)
        dialog.out.setText(str(out))

    dialog = _share(window, dialogs, fill)
    assert seen["email"][1] == "Shared by you"
    assert seen["both"] == ("Shared", "Shared") and seen["overrides"] == {}
    assert dialog.request.overrides == {("people", "email"): False} and not dialog.request.contacts
    copy = _unpacked(out, tmp_path)
    try:
        assert copy.execute("SELECT count(email), count(phone) FROM people").fetchone() == (13, 0)
    finally:
        copy.close()


def test_passphrases_that_differ_are_refused_and_the_same_twice_encrypts_the_copy(open_window, dialogs, tmp_path):
    """Protect the copy: two different passphrases are refused in the dialog (it stays
    open, says why, nothing is written); typed the same twice, Share writes an encrypted
    copy, which unpacks only with that passphrase. The message says it is protected; the
    passphrase is then kept nowhere (not in the dialog's boxes, not in its request)."""
    window = open_window("services")
    out = tmp_path / "locked.cypshare"
    seen = {}

    def fill(dialog):
        dialog.protect.setChecked(True)
        dialog.passphrase.setText(PASSPHRASE)
        dialog.passphrase_again.setText(PASSPHRASE + "s")
        dialog.out.setText(str(out))
        seen["hint"] = dialog.strength.text()
        dialog.try_accept()
        seen["refused"] = (dialog.result(), dialog.error.isVisibleTo(dialog), dialog.error.text(), out.exists())
        dialog.passphrase_again.setText(PASSPHRASE)
        seen["dialog"] = dialog

    _share(window, dialogs, fill)
    assert seen["hint"] == "Strong. The two passphrases differ."
    assert seen["refused"] == (QDialog.DialogCode.Rejected, True,
                               "The two passphrases differ: type the same passphrase in both boxes.", False)
    assert out.is_file() and "protected with the passphrase you chose" in dialogs.seen[-1][1]
    dialog = seen["dialog"]
    assert (dialog.request.passphrase, dialog.passphrase.text(), dialog.passphrase_again.text()) == (None, "", "")
    with pytest.raises(PassphraseNeeded):
        _unpacked(out, tmp_path)
    _unpacked(out, tmp_path, PASSPHRASE).close()


def test_an_existing_file_is_replaced_only_when_the_officer_says_so(open_window, dialogs, tmp_path):
    """Sharing to a file that exists asks first; Cancel leaves that file as it was."""
    window = open_window("services")
    out = tmp_path / "old.cypshare"
    out.write_bytes(b"an older copy")
    dialogs.drivers.append(lambda dialog: (dialog.out.setText(str(out)), dialog.try_accept(),
                                           dialog.result() == QDialog.DialogCode.Accepted)[-1])
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.action_share.trigger()
    assert dialogs.seen[-1][0] == "Replace the file?"
    assert out.read_bytes() == b"an older copy"


def test_every_control_has_a_name_the_default_file_names_the_partner_and_date(open_window, dialogs):
    """Every control of the dialog has an accessible name and takes the keyboard, each
    underlined letter (Alt+letter) is used once; the file it suggests is in the document's folder, named for the partner and today."""
    window = open_window("services")
    partner_id, partner_name = _partner(window)
    seen = {}

    def look(dialog):
        dialog.show()
        for widget in (dialog.partner, dialog.contacts, dialog.tree, dialog.protect, dialog.passphrase,
                       dialog.passphrase_again, dialog.out, dialog.choose, *dialog.buttons.buttons()):
            assert widget.accessibleName(), widget.objectName()
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
        texts = [w.text() for kind in (QLabel, QAbstractButton) for w in dialog.findChildren(kind) if "&" in w.text()]
        letters = [t[t.index("&") + 1].lower() for t in texts]
        assert len(letters) == len(set(letters)) == 8, texts  # each Alt+letter reaches one control
        dialog.choose_partner(partner_id)
        seen["out"] = Path(dialog.out.text())
        return False

    dialogs.drivers.append(look)
    window.action_share.trigger()
    from datetime import date

    document = Path(window.workspace.doc.path)
    assert seen["out"] == document.parent / default_file_name(document.stem, partner_name, date.today())
    assert seen["out"].name.endswith(f"for {partner_name} {date.today().isoformat()}.cypshare")


def test_the_words_for_sizes_passphrases_and_file_names():
    """file_size in bytes, KB and MB; passphrase_hint from weak to strong; a default
    file name without the characters a file name cannot hold."""
    assert (file_size(840), file_size(12_500), file_size(3_240_000)) == ("840 bytes", "12.5 KB", "3.2 MB")
    assert passphrase_hint("").startswith("Type a passphrase")
    assert passphrase_hint("abc123").startswith("Weak")
    assert passphrase_hint("Correct7horse!").startswith("Fair")
    assert passphrase_hint(PASSPHRASE) == "Strong."
    from datetime import date

    assert default_file_name("Trust: plan", "A/B Ltd", date(2026, 12, 5)) == "Trust plan for A B Ltd 2026-12-05.cypshare"
    assert default_file_name("Trust", None, date(2026, 12, 5)) == "Trust for partners 2026-12-05.cypshare"


def test_the_copy_is_written_on_the_worker_thread_and_cancel_writes_nothing(open_window, dialogs, monkeypatch,
                                                                            qtbot, tmp_path):
    """On the REAL thread pool (TaskRunner.INLINE turned off here): write_share_copy runs
    on a thread other than the window's while the window's event loop runs; cancelled
    through its progress (as the progress dialog's Cancel does), it stops and leaves no
    file, and the status bar says it was cancelled."""
    import threading

    from cypdesk.services.exchange import share
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    window = open_window("services")
    real = share.write_share_copy
    seen = {}

    def watched(*args, progress=None, **kw):  # the real function, its thread and progress noted
        seen["thread"] = threading.current_thread()
        seen["progress"] = progress
        return real(*args, progress=progress, **kw)

    monkeypatch.setattr(share, "write_share_copy", watched)
    out = tmp_path / "worker.cypshare"
    dialogs.drivers.append(lambda d: (d.out.setText(str(out)), d.try_accept(), True)[-1])
    dialogs.answers.append(QMessageBox.StandardButton.Ok)
    window.action_share.trigger()
    qtbot.waitUntil(lambda: dialogs.seen[-1][0] == "Shared copy written", timeout=30_000)
    assert seen["thread"] is not threading.main_thread() and out.is_file()

    cancelled = tmp_path / "cancelled.cypshare"

    def cancelling(*args, progress=None, **kw):
        progress.cancel()  # as Cancel in the progress dialog does
        return real(*args, progress=progress, **kw)

    monkeypatch.setattr(share, "write_share_copy", cancelling)
    dialogs.drivers.append(lambda d: (d.out.setText(str(cancelled)), d.try_accept(), True)[-1])
    window.action_share.trigger()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=30_000)
    qtbot.wait(10)
    assert not cancelled.exists() and "cancelled" in window.status_label.text()
    assert list(tmp_path.glob("*.cypshare")) == [out]
