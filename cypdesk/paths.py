"""Where cypdesk keeps its own files: user data (working copies, backups, the
installation id) and config. ``CYPDESK_HOME`` moves all of them (tests, portable mode).
Resources are found beside the package, frozen (PyInstaller) or not.

The data folder, its ``working`` and ``backups`` folders and everything cypdesk writes
in them are private to the user (folders 0700, files 0600) whatever the umask and the
mode of the document they copy: a working copy of a document shared with a group is
still nobody else's business (:func:`private_dir`, :func:`private_file`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cypdesk import APP_NAME, ORG_NAME


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Make ``path`` (and any missing parents) and set it to 0700 if it is not already
    (a folder made by an older cypdesk, or under a permissive umask). Parents that
    already exist are left as they are."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
                os.chmod(path, PRIVATE_DIR_MODE)
        except OSError:  # not ours to change (a shared CYPDESK_HOME): keep working
            pass
    return path


def private_file(path: str | os.PathLike[str]) -> None:
    """Set a file cypdesk keeps for itself to 0600 (read and write by the user only)."""
    if os.name == "posix":
        os.chmod(path, PRIVATE_FILE_MODE)


def _home() -> Path | None:
    value = os.environ.get("CYPDESK_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    """The user's local data folder (working copies, backups, installation id)."""
    home = _home()
    if home is not None:
        path = home / "data"
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, ORG_NAME, roaming=False))
    return private_dir(path)


def config_dir() -> Path:
    home = _home()
    if home is not None:
        path = home / "config"
    else:
        import platformdirs

        path = Path(platformdirs.user_config_dir(APP_NAME, ORG_NAME, roaming=True))
    path.mkdir(parents=True, exist_ok=True)
    return path


def working_dir() -> Path:
    return private_dir(data_dir() / "working")


def backup_dir() -> Path:
    return private_dir(data_dir() / "backups")


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
