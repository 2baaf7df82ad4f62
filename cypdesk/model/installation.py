"""This installation: a person on a computer, named by an id made on first run.

Who made a change is the installation, not the file (DESIGN.md section 5): two plain
copies of one document must merge like any other pair, so the author id lives here, in
the user's config folder, and never in the document. The user and host names are read
afresh each time (a laptop can be renamed); only the id is stored.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cypdesk import paths

log = logging.getLogger(__name__)

FILENAME = "installation.json"

_lock = threading.Lock()
_cache: dict[Path, Installation] = {}


@dataclass(frozen=True)
class Installation:
    id: str  # a UUID, made on first run
    user: str  # login name
    host: str  # computer name

    @property
    def name(self) -> str:
        return f"{self.user} on {self.host}"


def current_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no USER/LOGNAME and no pwd entry (a service account, a container)
        return "unknown"


def current_host() -> str:
    try:
        return socket.gethostname() or "unknown"
    except OSError:
        return "unknown"


def _read_id(path: Path) -> str | None:
    """The stored id, or None if the file is missing; raises ValueError if damaged."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(raw)  # ValueError if damaged
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError("no id")
    return str(uuid.UUID(data["id"]))  # ValueError if not a UUID


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON to ``path`` through a temporary file in the same folder, fsync'd and
    renamed over the target, so a crash leaves the old file or the new, never half; the
    folder is then synced, so the rename itself survives a power cut (without that, a
    working copy's "unsaved" note could come back as the old "clean" one)."""
    from cypdesk.model.saving import fsync_dir

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".~{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def get_installation() -> Installation:
    """This installation, creating its id on first run (cached per config folder, so a
    test that moves ``CYPDESK_HOME`` gets its own)."""
    folder = paths.config_dir()
    with _lock:
        cached = _cache.get(folder)
        if cached is not None:
            return cached
        path = folder / FILENAME
        try:
            inst_id = _read_id(path)
        except ValueError as exc:
            log.warning("%s is damaged (%s): making a new installation id", path, exc)
            inst_id = None
        except OSError as exc:  # unreadable is not damaged: never replace the identity for it
            from cypdesk.common.errors import error_from

            raise error_from(exc, path=path, doing="read",
                             consequence="It holds this computer's cypdesk identity, so it was left as it is.") from exc
        if inst_id is None:
            inst_id = str(uuid.uuid4())
            write_json_atomic(path, {
                "id": inst_id,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            })
        inst = Installation(id=inst_id, user=current_user(), host=current_host())
        _cache[folder] = inst
        return inst
