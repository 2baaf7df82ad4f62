"""Where cypdesk keeps its own files: user data (working copies, backups, the
installation id) and config. ``CYPDESK_HOME`` moves all of them (tests, portable mode).
Resources are found beside the package, frozen (PyInstaller) or not.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cypdesk import APP_NAME, ORG_NAME


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
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    path = data_dir() / "working"
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
