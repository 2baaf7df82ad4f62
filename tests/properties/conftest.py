"""Fixtures of the property tests: the base document (made once per module through the
services) and folders on the RAM disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.properties import partners
from tests.properties.partners import ram_folder


@pytest.fixture(scope="module")
def base():
    """The base document, made once per module through the services (partners.build_base)
    by the base author with its patched clock, in a RAM folder (ram_folder)."""
    folder = Path(ram_folder("props-base-"))
    old = os.environ.get("CYPDESK_HOME")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    try:
        ids = partners.build_base(folder / "base.cypdesk")
    finally:
        if old is None:
            os.environ.pop("CYPDESK_HOME", None)
        else:
            os.environ["CYPDESK_HOME"] = old
    yield folder / "base.cypdesk", ids
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def ram_home(monkeypatch):
    """CYPDESK_HOME (the working copies partners edit) in a RAM folder (ram_folder)."""
    folder = ram_folder("props-home-")
    monkeypatch.setenv("CYPDESK_HOME", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
