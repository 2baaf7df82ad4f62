"""Opening a shared copy (``.cypshare``) in the window, from File > Open, Open Recent or
the command line: it is never opened as a working document. Its header (readable
without the passphrase, and authenticated) says whose it is; the officer then merges it
into the open document (File > Merge's preview, :func:`~cypdesk.ui.exchange.merge_flow.merge_file`)
or saves it as a new document (unpacked, checked, into a ``.cypdesk`` file they choose,
which then opens like any document).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

SHARE_SUFFIX = ".cypshare"
SHARE_TITLE = "A shared copy"


def looks_like_share(path: str | Path) -> bool:
    """Named ``.cypshare``, or starting with a share's signature whatever its name (a
    share renamed ``.cypdesk``): 13 bytes read, with the signature from a light module
    (cypdesk.io.sharefile, with its compressors, is not imported to open a document)."""
    if Path(path).suffix.lower() == SHARE_SUFFIX:
        return True
    from cypdesk.model.identity import SHARE_MAGIC

    try:
        with open(path, "rb") as fh:
            return fh.read(len(SHARE_MAGIC)) == SHARE_MAGIC
    except OSError:
        return False


def describe(path: Path, header: Any) -> str:
    """"x.cypshare is a shared copy of “Title” (Trust), made 3/12/2026 by … for …"."""
    from cypdesk.common.formats import datetime_uk

    text = f"{path.name} is a shared copy of “{header.title}”"
    if getattr(header, "trust_name", None):
        text += f" ({header.trust_name})"
    made_at = getattr(header, "made_at", None)
    if made_at:
        try:
            from datetime import datetime

            when = made_at if isinstance(made_at, datetime) else datetime.fromisoformat(str(made_at))
            text += f", made {datetime_uk(when)}"
        except ValueError:
            text += f", made {made_at}"
    if getattr(header, "made_by", None):
        text += f" by {header.made_by}"
    if getattr(header, "for_org_name", None):
        text += f" for {header.for_org_name}"
    text += "."
    if getattr(header, "encrypted", False):
        text += " It is encrypted: you need the passphrase its sender gave you."
    return text


def open_share(window: Any, path: str | Path) -> bool:
    """Offer to merge the shared copy into the open document or save it as a new
    document. True when something was merged or opened."""
    from cypdesk.ui.exchange.merge_flow import merge_file, refused

    path = Path(path).absolute()

    def read(_progress: Any) -> Any:
        from cypdesk.io.sharefile import read_share_header

        return read_share_header(path)

    try:
        header = window.tasks.run_and_wait(f"Reading {path.name}…", read, cancellable=False)
    except Exception as exc:  # noqa: BLE001 - said in words
        from cypdesk.common.errors import plain_message

        window.open_error = exc
        window.ask(QMessageBox.Icon.Warning, "Cannot open the shared copy", plain_message(exc, path=path, doing="read"),
                   QMessageBox.StandardButton.Ok, guide=getattr(exc, "code", None))
        return False
    text = describe(path, header)
    ws = window.workspace
    buttons = QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel
    labels = {QMessageBox.StandardButton.Save: "Save as a new document…"}
    if ws is not None and not ws.read_only:
        into = ws.doc.title
        text += (f"\n\nMerge it into {into} (you see what it would change first), or save it as a new document "
                 "of its own?")
        buttons |= QMessageBox.StandardButton.Yes
        labels[QMessageBox.StandardButton.Yes] = f"Merge into {into}…"
    else:
        text += ("\n\nSave it as a new document to open it. To merge it into a document instead, open that "
                 "document, then choose File > Merge from partner file.")
    answer = window.ask(QMessageBox.Icon.Question, SHARE_TITLE, text, buttons, labels=labels)
    if answer == QMessageBox.StandardButton.Yes:
        if not window.commit_pending():
            return False
        return merge_file(window, path)
    if answer == QMessageBox.StandardButton.Save:
        try:
            return save_share_as_document(window, path, header)
        except Exception as exc:  # noqa: BLE001 - said in words
            refused(window, exc, path, "unpack")
            return False
    return False


def save_share_as_document(window: Any, path: Path, header: Any) -> bool:
    """Unpack the shared copy into a ``.cypdesk`` the officer names (asking for the
    passphrase while it is needed or wrong), then open it."""
    from cypdesk.common.errors import Cancelled, plain_message
    from cypdesk.ui.exchange.merge_flow import PASSPHRASE_CODES, ask_passphrase
    from cypdesk.ui.opening import DOCUMENT_FILTER

    suggested = f"{_safe_name(header.title) or path.stem}.cypdesk"
    chosen = window.choose_save_path("Save the shared copy as a document", suggested, DOCUMENT_FILTER)
    if not chosen:
        return False
    dest = Path(chosen if chosen.endswith(".cypdesk") else chosen + ".cypdesk").absolute()
    ws = window.workspace
    if ws is not None and ws.doc.path is not None and Path(ws.doc.path) == dest:
        window.ask(QMessageBox.Icon.Warning, "Not saved",
                   f"{dest.name} is the document open now. Choose another name for the shared copy.",
                   QMessageBox.StandardButton.Ok)
        return False
    passphrase: str | None = None
    while True:
        try:
            window.tasks.run_and_wait(f"Unpacking {path.name}…", lambda p: unpack(path, dest, passphrase, p))
            break
        except Cancelled:
            window.status(f"Unpacking {path.name} was cancelled: no document was written.")
            return False
        except Exception as exc:  # noqa: BLE001 - said in words
            if getattr(exc, "code", None) in PASSPHRASE_CODES:
                passphrase = ask_passphrase(window, path.name, wrong=exc.code == "wrong_passphrase")
                if passphrase is None:
                    return False
                continue
            window.ask(QMessageBox.Icon.Warning, "No document was written",
                       plain_message(exc, path=dest, doing="write"), QMessageBox.StandardButton.Ok,
                       guide=getattr(exc, "code", None))
            return False
    return window.open_path(dest, wait=True)


def unpack(path: Path, dest: Path, passphrase: str | None, progress: Any) -> Any:
    """On the worker: the share's document written to ``dest`` (cryptography and the
    codecs load here, not on the window's thread)."""
    from cypdesk.io.sharefile import unpack_share

    return unpack_share(path, dest, passphrase=passphrase, progress=progress)


def _safe_name(title: str) -> str:
    """A title as a file name: no characters Windows refuses."""
    return "".join("-" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in str(title or "")).strip(" .")[:100]
