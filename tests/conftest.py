"""Test set-up shared by every folder.

- Qt never needs a screen: ``QT_QPA_PLATFORM=offscreen`` unless the caller set one.
- Tests never touch the real machine: each test gets its own ``CYPDESK_HOME`` (user
  data and config), and the XDG folders Qt and platformdirs would otherwise use point
  into a temporary folder for the whole session.
- ``CYPDESK_BLOCK_QT=1`` makes PySide6 and shiboken6 unimportable, as if they were not
  installed, and leaves ``tests/ui`` out. ``scripts/test.sh`` runs the non-ui folders
  that way, so "everything but the window runs without Qt" is checked on every run.
"""

from __future__ import annotations

import atexit
import importlib.abc
import os
import shutil
import sys
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_session_dir = tempfile.mkdtemp(prefix="cypdesk-tests-")
atexit.register(shutil.rmtree, _session_dir, ignore_errors=True)
for _name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
    os.environ[_name] = os.path.join(_session_dir, _name.lower())

BLOCKED_PACKAGES = ("PySide6", "shiboken6")
QT_BLOCKED = os.environ.get("CYPDESK_BLOCK_QT", "") not in ("", "0")


class _QtBlocker(importlib.abc.MetaPathFinder):
    """Refuses PySide6 and shiboken6 the way a missing package is refused."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: ARG002 (finder protocol)
        if fullname.partition(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (blocked: CYPDESK_BLOCK_QT is set)", name=fullname
            )
        return None


if QT_BLOCKED:
    _already = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED_PACKAGES)
    if _already:
        raise RuntimeError(
            f"CYPDESK_BLOCK_QT is set but {', '.join(_already)} was imported before the "
            "blocker could be installed (by a pytest plugin?); the Qt-free run would prove nothing."
        )
    sys.meta_path.insert(0, _QtBlocker())
    collect_ignore = ["ui"]


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not QT_BLOCKED:
        return
    # pytest-qt imports PySide6 when pytest configures itself. Its ini options are
    # already declared (so --strict-config still accepts qt_api); unload its hooks.
    plugin = pluginmanager.get_plugin("pytest-qt")
    if plugin is not None:
        pluginmanager.unregister(plugin)
    else:  # run with -p no:pytest-qt: declare the option it would have declared
        parser.addini("qt_api", "unused while Qt is blocked")


@pytest.fixture(autouse=True)
def cypdesk_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """A fresh, empty user data and config area for every test."""
    home = tmp_path_factory.mktemp("cypdesk-home")
    monkeypatch.setenv("CYPDESK_HOME", str(home))
    return home


# --- the demo document, built once per run -----------------------------------------------

DEMO_TODAY = __import__("datetime").date(2026, 3, 15)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory):
    """The small demo document made with today fixed at 15/03/2026 (so its overdue
    actions, contracts ending and missing returns are stable). Tests copy it."""
    from cypdesk.services.documents import write_demo

    folder = tmp_path_factory.mktemp("demo-master")
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        write_demo(folder / "master.cypdesk", today=DEMO_TODAY)
    finally:
        if old is None:
            os.environ.pop("CYPDESK_HOME", None)
        else:
            os.environ["CYPDESK_HOME"] = old
    return folder / "master.cypdesk"


@pytest.fixture
def demo_path(demo_master, tmp_path):
    """A fresh copy of the demo document for one test to change."""
    path = tmp_path / "trust.cypdesk"
    shutil.copy(demo_master, path)
    return path
