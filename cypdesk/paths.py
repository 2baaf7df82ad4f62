"""Where cypdesk keeps its own files: user data (working copies, backups, the
installation id) and config. ``CYPDESK_HOME`` moves all of them (tests, portable mode).
Resources are found beside the package, frozen (PyInstaller) or not.

cypdesk never writes beside its own program (an installation under Program Files is
not the user's to write, and AppLocker expects it unchanged): the one exception is
portable mode, which a marker file beside the program asks for
(:data:`PORTABLE_MARKER`): then settings and working copies live in a folder beside it
(:data:`PORTABLE_FOLDER`), one subfolder per user and computer, for a USB stick or a
shared drive. :func:`prepare_environment` (run first by ``main.py``) settles this, and
sends matplotlib's and fontconfig's caches to the user's data folder.

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


PORTABLE_MARKER = "cypdesk-portable.txt"
PORTABLE_FOLDER = "cypdesk-portable-data"


def program_dir() -> Path:
    """The folder holding the program: the one-folder build's folder (where
    ``cypdesk.exe`` is) when frozen, else the checkout (where ``main.py`` is)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def _safe_name(text: str) -> str:
    """A user or computer name as a folder name on any file system."""
    kept = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text.strip())
    return kept.strip(".") or "unknown"


def user_and_computer() -> str:
    """``user@computer`` (as a folder name): two people, or one person on two computers,
    never share a portable installation id or working copy."""
    import getpass
    import platform

    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in the environment or the user database
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    computer = platform.node() or os.environ.get("COMPUTERNAME", "") or "computer"
    return f"{_safe_name(user)}@{_safe_name(computer)}"


def portable_home(folder: Path | None = None) -> Path | None:
    """The portable-mode home for this user and computer, or None when there is no
    marker file beside the program (``folder``: the program's folder)."""
    folder = program_dir() if folder is None else folder
    if not (folder / PORTABLE_MARKER).is_file():
        return None
    return folder / PORTABLE_FOLDER / user_and_computer()


def prepare_environment(environ: dict[str, str] | None = None, *, folder: Path | None = None) -> str | None:
    """Settle, before anything else runs, where this run of cypdesk writes; return a
    warning to show, or None.

    - Portable mode: with the marker file beside the program and no ``CYPDESK_HOME``
      already set, ``CYPDESK_HOME`` becomes the portable folder for this user and
      computer. If that folder cannot be made (a read-only stick), cypdesk uses the
      user's own data folder and says so.
    - ``MPLCONFIGDIR`` (matplotlib's font cache; the frozen build's run-time hook
      points it at a new temporary folder on every start, which would rebuild the
      cache each time) goes to ``<data>/cache/matplotlib``, unless the user set it.
    - On Linux, ``XDG_CACHE_HOME`` (fontconfig's cache) goes to ``<data>/cache`` when
      it is not set.
    """
    env = os.environ if environ is None else environ
    warning = None
    home = None if env.get("CYPDESK_HOME") else portable_home(folder)
    if home is not None:
        try:
            private_dir(home)
        except OSError as exc:
            warning = (f"cypdesk: portable mode was asked for ({PORTABLE_MARKER}), but {home} cannot be made "
                       f"({exc.strerror or exc}): your settings and working copies stay in your own data folder.")
        else:
            env["CYPDESK_HOME"] = str(home)
    frozen = getattr(sys, "frozen", False)
    given = env.get("CYPDESK_HOME")
    cache = private_dir(_data_path(Path(given) if given else None) / "cache")
    if frozen or not env.get("MPLCONFIGDIR"):
        env["MPLCONFIGDIR"] = str(cache / "matplotlib")
    if sys.platform.startswith("linux") and not env.get("XDG_CACHE_HOME"):
        env["XDG_CACHE_HOME"] = str(cache)
    return warning


def _home() -> Path | None:
    value = os.environ.get("CYPDESK_HOME")
    return Path(value) if value else None


def _data_path(home: Path | None) -> Path:
    if home is not None:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, ORG_NAME, roaming=False))


def data_dir() -> Path:
    """The user's local data folder (working copies, backups, installation id)."""
    return private_dir(_data_path(_home()))


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
