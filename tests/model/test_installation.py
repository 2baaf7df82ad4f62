"""The per-installation id: made on first run, kept in the config folder, never in a
document (DESIGN.md section 5)."""

from __future__ import annotations

import json
import logging
import uuid

from cypdesk import paths
from cypdesk.model import installation
from cypdesk.model.installation import get_installation


def test_first_run_makes_an_id_and_keeps_it(cypdesk_home):
    first = get_installation()
    uuid.UUID(first.id)
    stored = json.loads((paths.config_dir() / "installation.json").read_text())
    assert stored["id"] == first.id
    assert first.user and first.host
    assert get_installation() is first  # cached
    installation._cache.clear()
    assert get_installation().id == first.id  # read back from the file


def test_another_home_is_another_installation(cypdesk_home, tmp_path, monkeypatch):
    first = get_installation()
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "elsewhere"))
    second = get_installation()
    assert second.id != first.id
    monkeypatch.setenv("CYPDESK_HOME", str(cypdesk_home))
    assert get_installation().id == first.id


def test_damaged_file_is_replaced_with_a_new_id(cypdesk_home, caplog):
    path = paths.config_dir() / "installation.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="cypdesk.model.installation"):
        inst = get_installation()
    uuid.UUID(inst.id)
    assert "damaged" in caplog.text
    assert json.loads(path.read_text())["id"] == inst.id
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # atomic write left nothing


def test_id_that_is_not_a_uuid_is_replaced(cypdesk_home):
    path = paths.config_dir() / "installation.json"
    path.write_text(json.dumps({"id": "not-a-uuid"}))
    assert get_installation().id != "not-a-uuid"


def test_user_falls_back_to_unknown(cypdesk_home, monkeypatch):
    def broken():
        raise OSError("no login name")

    monkeypatch.setattr(installation.getpass, "getuser", broken)
    assert get_installation().user == "unknown"
