"""One typed registry over QSettings: every key with its default in this module.

Settings live in an INI file in cypdesk's config folder (``CYPDESK_HOME`` moves it, so
tests never touch the real machine), not the Windows registry: a portable app on a
locked-down laptop keeps its settings with the user's own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from cypdesk import paths

SETTINGS_VERSION = 1
MAX_RECENT = 8


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (paths.config_dir() / "settings.ini")
        self.q = QSettings(str(self.path), QSettings.Format.IniFormat)
        if int(self.q.value("version", 0)) < SETTINGS_VERSION:
            self.q.setValue("version", SETTINGS_VERSION)

    # --- recent files -----------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.q.value("recent/files", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | Path) -> None:
        text = str(Path(path).resolve())
        files = [text, *[f for f in self.recent_files() if f != text]][:MAX_RECENT]
        self.q.setValue("recent/files", files)

    def remove_recent(self, path: str | Path) -> None:
        text = str(Path(path).resolve())
        self.q.setValue("recent/files", [f for f in self.recent_files() if f != text])

    # --- window state -----------------------------------------------------------------
    def save_widget(self, widget: QWidget) -> None:
        self.q.setValue(f"geometry/{widget.objectName()}", widget.saveGeometry())
        save_state = getattr(widget, "saveState", None)
        if save_state is not None:
            self.q.setValue(f"state/{widget.objectName()}", save_state())

    def restore_widget(self, widget: QWidget) -> None:
        geometry = self.q.value(f"geometry/{widget.objectName()}")
        if isinstance(geometry, QByteArray):
            widget.restoreGeometry(geometry)
        state = self.q.value(f"state/{widget.objectName()}")
        if isinstance(state, QByteArray) and hasattr(widget, "restoreState"):
            widget.restoreState(state)

    def save_splitter(self, splitter: QSplitter) -> None:
        self.q.setValue(f"splitter/{splitter.objectName()}", splitter.saveState())

    def restore_splitter(self, splitter: QSplitter) -> bool:
        """True if the officer's own layout was put back."""
        state = self.q.value(f"splitter/{splitter.objectName()}")
        return isinstance(state, QByteArray) and bool(splitter.restoreState(state))

    # --- the Needs tab's confidence level ---------------------------------------------
    def ci_level(self) -> str:
        """The confidence interval the Needs tab compares by: "95" (the default) or "99.8"."""
        value = str(self.q.value("needs/ci_level", "95"))
        return value if value in ("95", "99.8") else "95"

    def set_ci_level(self, level: str) -> None:
        self.q.setValue("needs/ci_level", level)

    def value(self, key: str, default: Any = None) -> Any:
        return self.q.value(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()
