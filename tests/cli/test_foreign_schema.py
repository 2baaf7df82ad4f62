"""Issue 7 item 1 from the command line: a file carrying a trigger is refused by every
command (exit 1, ``foreign_schema``) and left byte for byte as it was; ``rescue``
makes a clean copy that ``check`` calls sound."""

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.cli import COMMANDS, main
from tests.cli.jsonrun import run_json

TRIGGER = ("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN "
           "UPDATE services SET name='PWNED' WHERE id=NEW.id; DELETE FROM history; END")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def armed(demo_path, tmp_path, capsys):
    """The issue's reproduction: sqlite3 x.cypdesk "CREATE TRIGGER evil ..." on a copy of the demo."""
    folder = tmp_path / "share"
    folder.mkdir()
    path = Path(shutil.move(demo_path, folder / "x.cypdesk"))
    assert main(["set", str(path), "services", first_service(path)[0], "capacity=12"]) == 0  # a field version
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(TRIGGER)
        conn.commit()
    capsys.readouterr()
    return path


def first_service(path):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT id, name FROM services ORDER BY id LIMIT 1").fetchone()


def test_check_reports_the_trigger_as_a_foreign_schema(armed, capsys):
    before = snapshot(armed.parent)
    code, result = run_json(capsys, "check", armed)
    assert code == 1 and result["ok"] is False
    assert result["error"]["code"] == "foreign_schema"
    assert result["error"]["found"] == ["a trigger 'evil' on services"]
    assert "a trigger 'evil' on services" in result["error"]["message"]
    assert main(["check", str(armed)]) == 1
    assert "a trigger 'evil' on services" in capsys.readouterr().err
    assert snapshot(armed.parent) == before


@pytest.mark.parametrize("command", ["set", "info", "history"])
def test_every_document_command_refuses_it_and_the_file_is_byte_identical(armed, capsys, command):
    """`cypdesk set x services ID annual_cost=1` (and info, history) refuse with exit 1 and
    foreign_schema; the trigger never fires: same bytes, nothing new beside the file."""
    sid, name = first_service(armed)
    before = snapshot(armed.parent)
    args = {"set": ["set", armed, "services", sid, "annual_cost=1"], "info": ["info", armed],
            "history": ["history", armed, "services", sid]}[command]
    code, result = run_json(capsys, *args)
    assert code == 1 and result["error"]["code"] == "foreign_schema"
    assert snapshot(armed.parent) == before
    assert first_service(armed) == (sid, name)


def test_rescue_is_a_command():
    assert "rescue" in COMMANDS


def test_rescue_of_the_trigger_file_gives_a_sound_copy_with_every_row(armed, capsys, tmp_path):
    """rescue exits 0 with counts; the copy has no trigger, every row of every table with
    its id (history and field versions included), check calls it sound, and `set` on it
    changes only the field asked; the source is never written."""
    before = snapshot(armed.parent)
    out = tmp_path / "clean.cypdesk"
    code, result = run_json(capsys, "rescue", armed, "--out", out)
    assert code == 0 and result["ok"] is True
    assert result["rejected"] == 0 and result["left_out"] == []
    assert result["foreign"] == ["a trigger 'evil' on services"]
    assert snapshot(armed.parent) == before

    def dump(path):
        with closing(sqlite3.connect(path)) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name")]
            return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}

    source, clean = dump(armed), dump(out)
    assert clean == source
    assert result["kept"] == sum(len(rows) for rows in source.values())
    assert len(source["history"]) > 0 and len(source["field_versions"]) > 0 and len(source["services"]) > 0
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE type IN ('trigger', 'view')").fetchone()[0] == 0
    code, checked = run_json(capsys, "check", out)
    assert code == 0 and checked["ok"]
    sid, name = first_service(out)
    code, changed = run_json(capsys, "set", out, "services", sid, "annual_cost=1")
    assert code == 0 and changed["changed"] == 1
    assert first_service(out) == (sid, name)


def test_rescue_refuses_to_overwrite_unless_forced(armed, capsys, tmp_path):
    out = tmp_path / "there.cypdesk"
    out.write_bytes(b"keep me")
    code, result = run_json(capsys, "rescue", armed, "--out", out)
    assert code == 2 and result["error"]["code"] == "usage" and "--force" in result["error"]["message"]
    assert out.read_bytes() == b"keep me"
    code, result = run_json(capsys, "rescue", armed, "--out", armed, "--force")
    assert code == 2 and "not x.cypdesk itself" in result["error"]["message"]
    code, result = run_json(capsys, "rescue", armed, "--out", out, "--force")
    assert code == 0 and main(["check", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["there.cypdesk"]  # no temp file left
